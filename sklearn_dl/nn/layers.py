"""Building blocks shared by the modules: activations, MLP stacks, input corruption."""

import torch
from torch import nn

from sklearn_dl.nn._random import Dropout, draw, linear

ACTIVATIONS = {
    "identity": nn.Identity,
    "logistic": nn.Sigmoid,
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
}


def make_mlp(sizes, activation="relu", dropout=0.0, last_activation=False, generator=None):
    """Stack of Linear layers with an activation between consecutive ones.

    The widths run ``sizes[0] -> sizes[1] -> ... -> sizes[-1]``. Every layer
    but the last is followed by ``activation`` and, when ``dropout > 0``, by
    dropout.

    Parameters
    ----------
    sizes : sequence of int
        Layer widths, input first and output last (at least two).
    activation : {"relu", "tanh", "logistic", "identity"}, default="relu"
        Non-linearity after each hidden layer.
    dropout : float, default=0.0
        Dropout probability after each activation (none when 0).
    last_activation : bool, default=False
        Treat the last layer like the others (used for encoder trunks that
        feed further heads).
    generator : torch.Generator, default=None
        Draw the initial weights from this generator instead of torch's
        global one (same distribution as ``nn.Linear``'s default).

    Returns
    -------
    mlp : torch.nn.Sequential
        The stack.

    Examples
    --------
    >>> import torch
    >>> from sklearn_dl.nn import make_mlp
    >>> mlp = make_mlp([4, 8, 2], activation="tanh")
    >>> mlp
    Sequential(
      (0): Linear(in_features=4, out_features=8, bias=True)
      (1): Tanh()
      (2): Linear(in_features=8, out_features=2, bias=True)
    )
    >>> mlp(torch.zeros(3, 4)).shape
    torch.Size([3, 2])
    """
    layers = []
    n_layers = len(sizes) - 1
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(linear(n_in, n_out, generator))
        if i < n_layers - 1 or last_activation:
            layers.append(ACTIVATIONS[activation]())
            if dropout > 0:
                layers.append(Dropout(dropout))
    return nn.Sequential(*layers)


class Corruption(nn.Module):
    """Input corruption for denoising autoencoders, active in training mode only.

    Like ``nn.Dropout`` it is the identity in ``eval()`` mode, so transforming
    never adds noise. Noise comes from the ``generator`` attribute when set
    (the estimators set a private one during training), else from torch's
    global generator. ``noise`` is one of:

    - ``"gaussian"``: add N(0, level^2) noise;
    - ``"masking"``: set each entry to 0 with probability ``level``;
    - ``"salt_and_pepper"``: with probability ``level`` replace an entry by the
      feature's low or high value (``low``/``high``, chosen with equal chance).

    Parameters
    ----------
    noise : {"gaussian", "masking", "salt_and_pepper"}, default="gaussian"
        Kind of corruption.
    level : float, default=0.1
        Noise standard deviation (``"gaussian"``) or probability of
        corrupting an entry (the others).
    low, high : array-like of shape (n_features,), default=None
        Per-feature values for ``"salt_and_pepper"`` (-1 and 1 when None).

    Examples
    --------
    >>> import torch
    >>> from sklearn_dl.nn import Corruption
    >>> corrupt = Corruption(noise="masking", level=0.5)
    >>> x = torch.ones(2, 4)
    >>> _ = torch.manual_seed(0)
    >>> bool((corrupt.train()(x) == 0).any())
    True
    >>> torch.equal(corrupt.eval()(x), x)  # identity outside training
    True
    """

    def __init__(self, noise="gaussian", level=0.1, low=None, high=None):
        super().__init__()
        self.noise = noise
        self.level = float(level)
        self.generator = None
        # Buffers so that they follow the module to the training device.
        self.register_buffer("low", None if low is None else torch.as_tensor(low))
        self.register_buffer("high", None if high is None else torch.as_tensor(high))

    def forward(self, x):
        if not self.training or self.level == 0:
            return x
        if self.noise == "gaussian":
            return x + self.level * draw("normal", x, self.generator)
        hit = draw("uniform", x, self.generator) < self.level
        if self.noise == "masking":
            return x.masked_fill(hit, 0.0)
        if self.noise == "salt_and_pepper":
            low = torch.full_like(x, -1.0) if self.low is None else self.low.expand_as(x)
            high = torch.full_like(x, 1.0) if self.high is None else self.high.expand_as(x)
            salt = draw("uniform", x, self.generator) < 0.5
            return torch.where(hit, torch.where(salt, high, low), x)
        raise ValueError(f"Unknown noise {self.noise!r}")
