"""Autoencoder and variational autoencoder modules (pure PyTorch)."""

import math

import torch
from torch import nn

from sklearn_dl.nn._random import draw, linear
from sklearn_dl.nn.layers import make_mlp


class _ResidualMLP(nn.Module):
    """``y = linear(x) + mlp(x)``: a linear map plus a non-linear correction.

    With the correction's last layer zeroed and ``linear`` set to PCA's
    projection, the network starts *exactly* at PCA and training can only
    improve on it (model selection on validation data keeps the best epoch).
    Without hidden layers it is just the linear map.
    """

    def __init__(self, n_in, n_out, hidden_layer_sizes, activation, dropout, generator=None):
        super().__init__()
        self.linear = linear(n_in, n_out, generator)
        self.mlp = None
        if hidden_layer_sizes:
            self.mlp = make_mlp(
                [n_in, *hidden_layer_sizes, n_out], activation, dropout, generator=generator
            )

    def forward(self, x):
        out = self.linear(x)
        if self.mlp is not None:
            out = out + self.mlp(x)
        return out

    @torch.no_grad()
    def init_linear(self, weight, bias):
        """Set the linear path and zero the correction's output layer."""
        self.linear.weight.copy_(torch.as_tensor(weight))
        self.linear.bias.copy_(torch.as_tensor(bias))
        if self.mlp is not None:
            last = self.mlp[-1]
            nn.init.zeros_(last.weight)
            nn.init.zeros_(last.bias)


class AutoencoderModule(nn.Module):
    """Encoder and mirrored decoder, each a linear map plus a non-linear correction.

    The encoder maps ``n_features -> hidden_layer_sizes -> n_components``.
    Both halves are residual MLPs (a linear path plus a non-linear
    correction), see :meth:`init_from_pca`. ``forward(x)`` returns the
    reconstruction of ``x``. This is the module behind
    :class:`~sklearn_dl.Autoencoder` and
    :class:`~sklearn_dl.DenoisingAutoencoder`.

    Parameters
    ----------
    n_features : int
        Input width.
    n_components : int
        Code width.
    hidden_layer_sizes : tuple of int, default=(128,)
        Hidden widths of the encoder's non-linear path (the decoder mirrors them).
    activation : {"relu", "tanh", "logistic", "identity"}, default="relu"
        Non-linearity of the hidden layers.
    dropout : float, default=0.0
        Dropout after each hidden activation.
    corruption : torch.nn.Module, default=None
        Applied to the input in training mode only (see :class:`Corruption`).
    generator : torch.Generator, default=None
        Draw the initial weights from it instead of torch's global generator.

    Examples
    --------
    >>> import torch
    >>> from sklearn_dl.nn import AutoencoderModule
    >>> module = AutoencoderModule(n_features=6, n_components=2, hidden_layer_sizes=(8,))
    >>> x = torch.randn(5, 6)
    >>> module.encode(x).shape, module(x).shape
    (torch.Size([5, 2]), torch.Size([5, 6]))
    """

    def __init__(
        self,
        n_features,
        n_components,
        hidden_layer_sizes=(128,),
        activation="relu",
        dropout=0.0,
        corruption=None,
        generator=None,
    ):
        super().__init__()
        hidden = tuple(hidden_layer_sizes)
        self.corruption = corruption if corruption is not None else nn.Identity()
        self.encoder = _ResidualMLP(
            n_features, n_components, hidden, activation, dropout, generator
        )
        self.decoder = _ResidualMLP(
            n_components, n_features, hidden[::-1], activation, dropout, generator
        )

    def init_from_pca(self, components):
        """Start at PCA: encode = project on ``components``, decode = its transpose.

        ``components`` is (n_components, n_features) with orthonormal rows, for
        centred inputs.
        """
        components = torch.as_tensor(components, dtype=self.encoder.linear.weight.dtype)
        k, d = components.shape
        self.encoder.init_linear(components, torch.zeros(k))
        self.decoder.init_linear(components.T, torch.zeros(d))

    def encode(self, x):
        """The code of ``x``: shape (batch, n_components)."""
        return self.encoder(x)

    def decode(self, z):
        """The reconstruction from code ``z``: shape (batch, n_features)."""
        return self.decoder(z)

    def forward(self, x):
        return self.decoder(self.encoder(self.corruption(x)))


LIKELIHOODS = ("gaussian", "poisson", "negative_binomial")


class VariationalAutoencoderModule(nn.Module):
    """Gaussian-latent VAE with a Gaussian, Poisson or negative-binomial likelihood.

    ``forward(x)`` returns per-sample ``(nll, kl)``: the negative expected
    log-likelihood of ``x`` and the KL
    divergence of the posterior from N(0, I). In training mode ``z`` is drawn
    with the reparameterisation trick; in eval mode ``z`` is the posterior mean,
    which makes scores deterministic.

    For count likelihoods the module takes raw counts: the encoder reads
    ``(log1p(counts) - input_center) / input_scale`` (buffers, see
    :meth:`init_counts`) while the likelihood is evaluated on the counts
    themselves; the decoder outputs log-rates. This is the module behind
    :class:`~sklearn_dl.VariationalAutoencoder`.

    Parameters
    ----------
    n_features : int
        Input width.
    n_components : int
        Latent dimension.
    hidden_layer_sizes : tuple of int, default=(128,)
        Hidden widths of the encoder (the decoder mirrors them).
    activation : {"relu", "tanh", "logistic", "identity"}, default="relu"
        Non-linearity of the hidden layers.
    dropout : float, default=0.0
        Dropout after each hidden activation.
    likelihood : {"gaussian", "poisson", "negative_binomial"}, default="gaussian"
        Observation model of the decoder.
    generator : torch.Generator, default=None
        Draw the initial weights from it instead of torch's global generator.
        The training-time samples of ``z`` come from the ``generator``
        attribute when it is set, else from torch's global generator.

    Examples
    --------
    >>> import torch
    >>> from sklearn_dl.nn import VariationalAutoencoderModule
    >>> vae = VariationalAutoencoderModule(n_features=6, n_components=2).eval()
    >>> nll, kl = vae(torch.randn(5, 6))
    >>> nll.shape, kl.shape
    (torch.Size([5]), torch.Size([5]))
    """

    def __init__(
        self,
        n_features,
        n_components,
        hidden_layer_sizes=(128,),
        activation="relu",
        dropout=0.0,
        likelihood="gaussian",
        generator=None,
    ):
        super().__init__()
        if likelihood not in LIKELIHOODS:
            raise ValueError(f"likelihood must be one of {LIKELIHOODS}, got {likelihood!r}")
        hidden = tuple(hidden_layer_sizes)
        self.likelihood = likelihood
        self.generator = None
        self.trunk = make_mlp(
            [n_features, *hidden], activation, dropout, last_activation=True, generator=generator
        )
        width = hidden[-1] if hidden else n_features
        self.mean_head = linear(width, n_components, generator)
        self.logvar_head = linear(width, n_components, generator)
        self.decoder = make_mlp(
            [n_components, *hidden[::-1], n_features], activation, dropout, generator=generator
        )
        # Per-feature observation log-scale (Gaussian) or log-dispersion (NB).
        self.log_scale = nn.Parameter(torch.zeros(n_features))
        self.register_buffer("input_center", torch.zeros(n_features))
        self.register_buffer("input_scale", torch.ones(n_features))

    @torch.no_grad()
    def init_counts(self, center, scale, mean_counts):
        """Count likelihoods: input standardisation and a data-driven start.

        The encoder reads ``(log1p(counts) - center) / scale``; the decoder's
        output bias starts at ``log(mean_counts)``, so training starts from
        each feature's average rate instead of a rate of 1.
        """
        self.input_center.copy_(torch.as_tensor(center))
        self.input_scale.copy_(torch.as_tensor(scale))
        mean_counts = torch.as_tensor(mean_counts, dtype=self.input_center.dtype)
        self.decoder[-1].bias.copy_(torch.log(mean_counts.clamp_min(1e-6)))

    def encode(self, x):
        """Posterior mean and log-variance of ``z`` given ``x``."""
        if self.likelihood != "gaussian":
            x = (torch.log1p(x) - self.input_center) / self.input_scale
        h = self.trunk(x)
        return self.mean_head(h), self.logvar_head(h).clamp(-30.0, 20.0)

    def decode(self, z):
        """Decoder output: the mean (Gaussian) or the log-rate (count likelihoods)."""
        return self.decoder(z)

    def decoded_mean(self, z):
        """Mean of the likelihood given ``z`` (rates for count likelihoods)."""
        out = self.decoder(z)
        return out if self.likelihood == "gaussian" else torch.exp(out.clamp(max=30.0))

    def log_likelihood(self, target, decoded):
        """Per-sample log p(target | decoder output)."""
        if self.likelihood == "gaussian":
            log_scale = self.log_scale.clamp(-10.0, 10.0)
            sq = ((target - decoded) * torch.exp(-log_scale)) ** 2
            return -(0.5 * sq + log_scale + 0.5 * math.log(2 * math.pi)).sum(-1)
        log_rate = decoded.clamp(max=30.0)
        if self.likelihood == "poisson":
            ll = target * log_rate - torch.exp(log_rate) - torch.lgamma(target + 1)
            return ll.sum(-1)
        # Negative binomial with mean exp(log_rate) and inverse dispersion theta.
        log_theta = self.log_scale.clamp(-10.0, 10.0)
        theta = torch.exp(log_theta)
        log_theta_mu = torch.logaddexp(log_theta, log_rate)
        ll = (
            torch.lgamma(target + theta)
            - torch.lgamma(theta)
            - torch.lgamma(target + 1)
            + theta * (log_theta - log_theta_mu)
            + target * (log_rate - log_theta_mu)
        )
        return ll.sum(-1)

    def forward(self, x):
        mean, logvar = self.encode(x)
        if self.training:
            z = mean + torch.exp(0.5 * logvar) * draw("normal", mean, self.generator)
        else:
            z = mean
        nll = -self.log_likelihood(x, self.decode(z))
        kl = 0.5 * (mean.pow(2) + logvar.exp() - 1.0 - logvar).sum(-1)
        return nll, kl
