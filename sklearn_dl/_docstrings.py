"""Parameter descriptions shared by several estimators' docstrings (written once)."""

import inspect

TRAINING_PARAMETERS = """\
dropout : float, default={dropout}
    Dropout probability after each hidden layer (0 disables it).

alpha : float, default={alpha}
    Strength of the L2 penalty on the weights (not the biases), divided by
    the number of training samples (the sum of sample weights) of each call:
    the rows ``fit`` trains on (validation rows excluded), or the rows given
    to this ``partial_fit`` call. ``MLPClassifier`` divides by each
    mini-batch's size, which penalises more.

batch_size : int or "auto", default="auto"
    Mini-batch size; "auto" means {batch_size_auto}.

learning_rate_init : float, default={learning_rate_init}
    Adam's learning rate.

max_iter : int, default={max_iter}
    Maximum number of epochs (passes over the training data).

early_stopping : bool, default={early_stopping}
    Hold out ``validation_fraction`` of the training data and stop when its
    loss has not improved by ``tol`` for ``n_iter_no_change`` epochs; the
    weights of the best epoch are restored. With too few rows to hold out two,
    the training loss is monitored instead. When False, training stops once
    the training loss stalls in the same way (as in ``MLPClassifier``).

validation_fraction : float, default=0.1
    Share of the training data held out for early stopping.

n_iter_no_change : int, default={n_iter_no_change}
    Epochs without an improvement of at least ``tol`` before stopping.

tol : float, default=1e-4
    Minimum improvement of the monitored loss that counts.

warm_start : bool, default=False
    Reuse the previous model when ``fit`` is called again and train it
    further, instead of starting anew. The network keeps the structure it
    was built with: changing a parameter that shapes it (such as
    ``n_components``, the layer sizes or ``dtype``) and fitting again with
    ``warm_start=True`` (or calling ``partial_fit``) raises a ``ValueError``.

random_state : int, RandomState instance or None, default=None
    Seeds weight initialisation, shuffling, dropout, noise and the validation
    split, all drawn from private generators of this estimator. With an int,
    results are bit-identical on CPU across calls, also when several fits run
    in threads at once. The global random states of numpy and torch are
    neither read nor changed.

verbose : int, default=0
    0 prints nothing; 1 prints a table row per epoch (skorch's ``PrintLog``).

device : {{"cpu", "cuda", "auto"}}, default="cpu"
    Where to train and infer; "auto" takes a GPU when PyTorch sees one.

dtype : {{"float32", "float64"}} or numpy float dtype, default="float32"
    Precision of training: a numpy dtype, its name or its scalar type
    (``np.float64``), as ``SequenceEncoder``'s ``dtype``; float32 or float64.
    float64 is slower but makes results independent of summation order
    (e.g. weighted rows vs repeated rows agree to ~1e-12).
    Inference runs in the higher of the input's and the model's precision:
    float32 input on a float32 model in float32, float64 input in float64,
    and a float64 model is never cast down.
"""

TRAINING_ATTRIBUTES = """\
n_features_in_ : int
    Number of features seen during fit.

feature_names_in_ : ndarray of shape (n_features,)
    Names of features seen during fit, when X has string column names.

n_iter_ : int
    Number of epochs run (accumulates over warm starts and ``partial_fit``).

loss_curve_ : list of float
    Training loss per epoch.

validation_loss_curve_ : list of float
    Validation loss per epoch, aligned with ``loss_curve_`` (NaN for epochs
    without a validation set, such as ``partial_fit`` passes; empty when no
    epoch had one).

best_loss_ : float
    The monitored loss of the returned model in the last call: with a
    validation set, the validation loss of the kept epoch (or of the
    starting point); otherwise the lowest training loss of the call.

best_epoch_ : int
    The epoch whose weights were returned, counted as in ``n_iter_``. With
    early stopping on a validation set it is the best epoch of the last
    call, or the number of epochs before that call when no epoch improved on
    the starting point (0 for a first fit: the initial network, PCA's
    solution for ``init="pca"``; a ``ConvergenceWarning`` says so).

net_ : skorch.NeuralNet
    The skorch net that trained the model (history, callbacks, optimizer).
    Saved models hold it as plain arrays and rebuild it on loading.

module_ : torch.nn.Module
    The trained PyTorch module (``net_.module_``).
"""


def fill_doc(**parts):
    """Class decorator: fill the ``{name}`` lines of the class docstring.

    The docstring is written in the class, numpydoc style; a line holding only
    ``{name}`` (indented like its neighbours) is replaced by the text of
    ``name``, indented the same: ``{training_parameters}`` and
    ``{training_attributes}`` are the shared texts above, the others come from
    ``parts``. In the shared parameters, ``{batch_size_auto}`` comes from
    ``parts`` and the defaults from the class's own signature, so a family's
    own defaults are shown (as imbalanced-learn's ``Substitution`` shares text).
    """

    def decorate(cls):
        defaults = {name: p.default for name, p in inspect.signature(cls).parameters.items()}
        texts = {
            **parts,
            "training_parameters": TRAINING_PARAMETERS.format(
                batch_size_auto=parts.get("batch_size_auto", ""), **defaults
            ),
            "training_attributes": TRAINING_ATTRIBUTES,
        }
        lines = []
        for line in cls.__doc__.split("\n"):
            key = line.strip()
            if key.startswith("{") and key.endswith("}") and key[1:-1] in texts:
                indent = line[: len(line) - len(line.lstrip())]
                block = texts[key[1:-1]].strip("\n").split("\n")
                lines += [indent + text if text else "" for text in block]
            else:
                lines.append(line)
        cls.__doc__ = "\n".join(lines)
        return cls

    return decorate
