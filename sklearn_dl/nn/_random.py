"""Randomness from a caller's ``torch.Generator`` instead of torch's global one.

PyTorch's layers initialise their weights, and ``nn.Dropout`` draws its masks,
from the process-wide default generator: two trainings in two threads then
interleave their draws (neither is reproducible) and every training moves the
caller's random stream. The helpers here take an explicit generator:

- :func:`linear`, :func:`conv1d`, :func:`recurrent` and :func:`embedding`
  build layers on the meta device (no draw at all) and initialise them from
  the generator with PyTorch's own default distributions (uniform with bound
  ``1/sqrt(fan_in)`` for linear layers, ``1/sqrt(hidden_size)`` for
  recurrent ones, N(0, 1) for embeddings);
- :class:`Dropout`, :class:`~sklearn_dl.nn.Corruption` and the VAE's sampling
  draw from the module's ``generator`` attribute, set for the duration of a
  training by :func:`use_generator`.

With ``generator=None`` everything falls back to torch's default behaviour,
so the modules stay usable in a plain training loop.
"""

import math
from contextlib import contextmanager

import torch
from torch import nn


@torch.no_grad()
def _uniform_(parameters, bound, generator):
    for p in parameters:
        p.uniform_(-bound, bound, generator=generator)


def linear(n_in, n_out, generator=None):
    """``nn.Linear(n_in, n_out)`` with PyTorch's default init, drawn from ``generator``."""
    if generator is None:
        return nn.Linear(n_in, n_out)
    layer = nn.Linear(n_in, n_out, device="meta").to_empty(device="cpu")
    _uniform_(layer.parameters(), 1 / math.sqrt(n_in) if n_in > 0 else 0.0, generator)
    return layer


def recurrent(cell_class, n_in, hidden_size, generator=None, **kwargs):
    """``cell_class(n_in, hidden_size, **kwargs)`` (RNN/LSTM/GRU), init drawn from ``generator``."""
    if generator is None:
        return cell_class(n_in, hidden_size, **kwargs)
    layer = cell_class(n_in, hidden_size, device="meta", **kwargs).to_empty(device="cpu")
    _uniform_(layer.parameters(), 1 / math.sqrt(hidden_size), generator)
    return layer


def conv1d(n_in, n_out, kernel_size, generator=None):
    """``nn.Conv1d(n_in, n_out, kernel_size, padding="same")``, init drawn from ``generator``.

    PyTorch's default for convolutions is uniform with bound ``1/sqrt(fan_in)``,
    ``fan_in = n_in * kernel_size``, for the weights and the bias alike.
    """
    if generator is None:
        return nn.Conv1d(n_in, n_out, kernel_size, padding="same")
    layer = nn.Conv1d(n_in, n_out, kernel_size, padding="same", device="meta")
    layer = layer.to_empty(device="cpu")
    _uniform_(layer.parameters(), 1 / math.sqrt(n_in * kernel_size), generator)
    return layer


def embedding(n_rows, dim, generator=None, padding_idx=None):
    """``nn.Embedding(n_rows, dim, padding_idx)``: N(0, 1) rows drawn from ``generator``.

    The ``padding_idx`` row is zero (and gets no gradient), as in PyTorch.
    """
    if generator is None:
        return nn.Embedding(n_rows, dim, padding_idx=padding_idx)
    layer = nn.Embedding(n_rows, dim, padding_idx=padding_idx, device="meta")
    layer = layer.to_empty(device="cpu")
    with torch.no_grad():
        layer.weight.normal_(generator=generator)
        if padding_idx is not None:
            layer.weight[padding_idx].zero_()
    return layer


def draw(kind, like, generator):
    """``torch.rand_like`` / ``randn_like`` of ``like``, from ``generator`` when given."""
    if generator is None:
        return torch.randn_like(like) if kind == "normal" else torch.rand_like(like)
    fn = torch.randn if kind == "normal" else torch.rand
    return fn(like.shape, generator=generator, device=like.device, dtype=like.dtype)


class Dropout(nn.Module):
    """``nn.Dropout`` whose masks come from the ``generator`` attribute when it is set."""

    def __init__(self, p=0.5):
        super().__init__()
        self.p = float(p)
        self.generator = None

    def forward(self, x):
        if not self.training or self.p == 0:
            return x
        if self.generator is None:
            return nn.functional.dropout(x, self.p, training=True)
        keep = torch.empty_like(x).bernoulli_(1 - self.p, generator=self.generator)
        return x * keep / (1 - self.p)

    def extra_repr(self):
        return f"p={self.p}"


@contextmanager
def use_generator(module, generator):
    """Let every submodule with a ``generator`` attribute draw from ``generator`` meanwhile."""
    users = [m for m in module.modules() if hasattr(m, "generator")]
    for m in users:
        m.generator = generator
    try:
        yield
    finally:
        # A generator is not part of a model: never saved, copied or shared.
        for m in users:
            m.generator = None
