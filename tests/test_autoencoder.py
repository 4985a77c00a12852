"""The autoencoder family in real use: pipelines, model selection, persistence, semantics."""

import pickle
import warnings

import joblib
import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_dl import Autoencoder, DenoisingAutoencoder, VariationalAutoencoder

FAST = dict(hidden_layer_sizes=(32,), max_iter=30, random_state=0)
ALL = [Autoencoder, DenoisingAutoencoder, VariationalAutoencoder]


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:600], y[:600]


@pytest.mark.parametrize("cls", ALL)
def test_transform_shapes_names_and_inverse(cls, digits):
    X, _ = digits
    est = cls(n_components=3, **FAST).fit(X)
    Z = est.transform(X)
    assert Z.shape == (len(X), 3)
    assert est.inverse_transform(Z).shape == X.shape
    prefix = cls.__name__.lower()
    assert list(est.get_feature_names_out()) == [f"{prefix}{i}" for i in range(3)]
    # fit_transform is fit then transform: with one int seed, bit for bit.
    np.testing.assert_array_equal(cls(n_components=3, **FAST).fit_transform(X), Z)


@pytest.mark.parametrize("cls", ALL)
def test_float32_in_float32_out(cls, digits):
    X = digits[0].astype(np.float32)
    est = cls(n_components=2, **FAST).fit(X)
    assert est.transform(X).dtype == np.float32
    assert est.transform(X.astype(np.float64)).dtype == np.float64


def test_autoencoder_beats_pca_on_digits():
    """Real training: the non-linear code reconstructs better than PCA's (held out)."""
    X, _ = load_digits(return_X_y=True)
    X_train, X_test = train_test_split(X, random_state=0)
    pca = PCA(8).fit(X_train)
    ae = Autoencoder(8, random_state=0).fit(X_train)
    pca_error = np.mean((X_test - pca.inverse_transform(pca.transform(X_test))) ** 2)
    ae_error = np.mean((X_test - ae.inverse_transform(ae.transform(X_test))) ** 2)
    assert ae_error < 0.8 * pca_error
    # score is the negative reconstruction error, in input units.
    assert ae.score(X_test) == pytest.approx(-ae_error, rel=1e-4)


def test_pca_init_starts_at_pca(digits):
    """With init='pca' and no training epoch kept, the model is PCA itself."""
    X, _ = digits
    ae = Autoencoder(4, init="pca", max_iter=1, learning_rate_init=1e-12, random_state=0).fit(X)
    pca = PCA(4).fit(X)
    rec_ae = ae.inverse_transform(ae.transform(X))
    rec_pca = pca.inverse_transform(pca.transform(X))
    np.testing.assert_allclose(rec_ae, rec_pca, atol=1e-3 * X.std())


def test_pipeline_grid_search_over_autoencoder(digits):
    X, y = digits
    pipe = Pipeline(
        [
            ("scale", StandardScaler()),
            ("ae", Autoencoder(**FAST)),
            ("clf", LogisticRegression(max_iter=500)),
        ]
    )
    grid = GridSearchCV(
        pipe,
        {"ae__n_components": [2, 8], "ae__hidden_layer_sizes": [(16,), (32,)]},
        cv=3,
    ).fit(X, y)
    assert grid.best_params_["ae__n_components"] in (2, 8)
    assert grid.cv_results_["mean_test_score"].shape == (4,)
    # 8 components carry more class information than 2.
    scores = dict(zip(map(str, grid.cv_results_["params"]), grid.cv_results_["mean_test_score"]))
    best_8 = max(v for k, v in scores.items() if "'ae__n_components': 8" in k)
    best_2 = max(v for k, v in scores.items() if "'ae__n_components': 2" in k)
    assert best_8 > best_2
    assert grid.score(X, y) > 0.8


@pytest.mark.parametrize("cls", ALL)
def test_grid_search_selects_by_own_score_without_y(cls, digits):
    X, _ = digits
    est = cls(**{**FAST, "max_iter": 200})
    grid = GridSearchCV(est, {"n_components": [1, 10]}, cv=3).fit(X)
    # More components reconstruct better (or give a higher ELBO) on held-out folds.
    assert grid.best_params_ == {"n_components": 10}


def test_feature_union_with_pca(digits):
    X, _ = digits
    union = FeatureUnion([("pca", PCA(3)), ("ae", Autoencoder(2, **FAST))]).fit(X)
    out = union.transform(X)
    assert out.shape == (len(X), 5)
    names = list(union.get_feature_names_out())
    assert names[:3] == ["pca__pca0", "pca__pca1", "pca__pca2"]
    assert names[3:] == ["ae__autoencoder0", "ae__autoencoder1"]


@pytest.mark.parametrize("cls", ALL)
def test_clone_pickle_joblib_round_trips(cls, digits, tmp_path):
    X, _ = digits
    est = cls(n_components=2, **FAST).fit(X)
    cloned = clone(est)
    assert cloned.get_params() == est.get_params()
    assert not hasattr(cloned, "net_")
    expected = est.transform(X)
    restored = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(restored.transform(X), expected)
    path = tmp_path / "model.joblib"
    joblib.dump(est, path)
    loaded = joblib.load(path)
    np.testing.assert_array_equal(loaded.transform(X), expected)
    np.testing.assert_array_equal(loaded.score_samples(X), est.score_samples(X))
    assert loaded.module_ is loaded.net_.module_


def test_cross_val_score_in_pipeline(digits):
    X, y = digits
    pipe = Pipeline([("ae", Autoencoder(8, **FAST)), ("clf", LogisticRegression(max_iter=500))])
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.shape == (3,)
    assert scores.mean() > 0.7


def test_set_output_pandas(digits):
    pd = pytest.importorskip("pandas")
    X, _ = digits
    df = pd.DataFrame(X, columns=[f"px{i}" for i in range(X.shape[1])])
    est = Autoencoder(2, **FAST).set_output(transform="pandas").fit(df)
    out = est.transform(df)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == ["autoencoder0", "autoencoder1"]
    assert list(est.feature_names_in_) == list(df.columns)


@pytest.mark.parametrize("cls", ALL)
def test_any_input_scale_trains_alike(cls, digits):
    """Scaling X scales the reconstruction and leaves the code alone.

    A power of two scales every float64 statistic exactly, so the standardised
    training input, hence the whole training, is the same bit for bit (other
    factors: tests/test_scaling.py, same input up to one float32 rounding).
    """
    X, _ = digits
    factor = 2.0**20
    small = cls(2, **FAST).fit(X)
    large = cls(2, **FAST).fit(X * factor)
    np.testing.assert_array_equal(large.transform(X * factor), small.transform(X))
    np.testing.assert_array_equal(
        large.inverse_transform(large.transform(X * factor)),
        small.inverse_transform(small.transform(X)) * factor,
    )
    if cls is VariationalAutoencoder:  # an ELBO in X's units: shifted by the log-Jacobian
        shift = X.shape[1] * np.log(factor)
        np.testing.assert_allclose(large.score(X * factor), small.score(X) - shift, rtol=1e-12)
    else:  # a squared error in X's units
        np.testing.assert_allclose(large.score(X * factor), small.score(X) * factor**2, rtol=1e-12)


@pytest.mark.parametrize("noise", ["gaussian", "masking", "salt_and_pepper"])
def test_denoising_noise_only_in_training(noise, digits):
    X, _ = digits
    est = DenoisingAutoencoder(2, noise=noise, noise_level=0.3, **FAST).fit(X)
    # transform is deterministic: no corruption outside training.
    np.testing.assert_array_equal(est.transform(X), est.transform(X))
    corruption = est.module_.corruption
    x = torch.as_tensor(est._prepare(X[:50]))
    corruption.train()
    assert not torch.equal(corruption(x), x)
    corruption.eval()
    assert torch.equal(corruption(x), x)


def test_denoising_rejects_probability_above_one(digits):
    with pytest.raises(ValueError, match="noise_level is a probability"):
        DenoisingAutoencoder(noise="masking", noise_level=1.5).fit(digits[0])


def test_vae_transform_is_posterior_mean_and_sample(digits):
    X, _ = digits
    vae = VariationalAutoencoder(2, **FAST).fit(X)
    np.testing.assert_array_equal(vae.transform(X), vae.transform(X))
    samples = vae.sample(5, random_state=0)
    assert samples.shape == (5, X.shape[1])
    np.testing.assert_array_equal(samples, vae.sample(5, random_state=0))
    assert not np.array_equal(samples, vae.sample(5, random_state=1))
    with pytest.raises(ValueError, match="n_samples"):
        vae.sample(0)


def test_vae_beta_trades_reconstruction_for_prior_fit(digits):
    X, _ = digits
    loose = VariationalAutoencoder(2, beta=0.01, **FAST).fit(X)
    tight = VariationalAutoencoder(2, beta=10.0, **FAST).fit(X)
    # A heavy KL weight pulls codes towards the N(0, I) prior (smaller spread
    # of posterior means) and reconstructs worse.
    assert tight.transform(X).std() < loose.transform(X).std()
    rec = lambda m: np.mean((X - m.inverse_transform(m.transform(X))) ** 2)  # noqa: E731
    assert rec(loose) < rec(tight)


@pytest.mark.parametrize("likelihood", ["poisson", "negative_binomial"])
def test_vae_count_likelihoods(likelihood):
    rng = np.random.RandomState(0)
    factors = rng.gamma(2.0, 1.0, size=(200, 2))
    loadings = rng.gamma(1.0, 1.0, size=(2, 40))
    counts = rng.poisson(factors @ loadings).astype(float)
    vae = VariationalAutoencoder(2, likelihood=likelihood, **FAST).fit(counts)
    assert vae.transform(counts).shape == (200, 2)
    rates = vae.inverse_transform(vae.transform(counts))
    assert (rates >= 0).all()
    # The decoded rates follow the counts' per-gene means.
    assert np.corrcoef(rates.mean(0), counts.mean(0))[0, 1] > 0.9
    generated = vae.sample(100, random_state=0)
    assert (generated >= 0).all() and np.array_equal(generated, np.round(generated))
    with pytest.raises(ValueError, match="negative values"):
        vae.transform(-counts)


def test_pandas_input_gives_no_warning(digits):
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame(digits[0])
    est = Autoencoder(2, **FAST).fit(X)
    codes = pd.DataFrame(est.transform(X))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. PyTorch's "non-writable array" warning
        est.transform(X)
        est.inverse_transform(codes)
        est.score(X)


def test_vae_sample_leaves_global_random_states_alone(digits, global_rngs_untouched):
    vae = VariationalAutoencoder(2, **FAST).fit(digits[0])
    a, b = vae.sample(5), vae.sample(5)  # random_state=None: fresh draws
    assert not np.array_equal(a, b)
    np.testing.assert_array_equal(vae.sample(5, random_state=0), vae.sample(5, random_state=0))
