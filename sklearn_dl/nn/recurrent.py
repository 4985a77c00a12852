"""Recurrent sequence model (pure PyTorch): RNN/LSTM/GRU encoder, pooling, linear head."""

import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

from sklearn_dl.nn._random import Dropout, linear, recurrent

CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
POOLINGS = ("last", "mean", "max", "attention", "concat")


class _StackedRecurrence(nn.Module):
    """Stacked single-layer recurrences with :class:`Dropout` between them.

    The same computation as ``cell_class(num_layers=k, dropout=p)``, whose
    dropout between layers draws from torch's global generator with no way to
    pass another: here the masks come from the ``generator`` attribute of
    ``dropout`` (see ``_random.use_generator``). Returns ``(output, hidden)``
    shaped as torch's multi-layer recurrences return them.
    """

    def __init__(self, cell_class, n_in, hidden_size, num_layers, dropout, generator, **kwargs):
        super().__init__()
        self.bidirectional = kwargs.get("bidirectional", False)
        width = hidden_size * (2 if self.bidirectional else 1)
        self.layers = nn.ModuleList(
            recurrent(cell_class, n_in if i == 0 else width, hidden_size, generator, **kwargs)
            for i in range(num_layers)
        )
        self.dropout = Dropout(dropout)

    def forward(self, x):
        hiddens = []
        for i, layer in enumerate(self.layers):
            if i > 0:
                if isinstance(x, PackedSequence):
                    x = x._replace(data=self.dropout(x.data))
                else:
                    x = self.dropout(x)
            x, hidden = layer(x)
            hiddens.append(hidden)
        if isinstance(hiddens[0], tuple):  # LSTM: (h, c)
            return x, tuple(torch.cat(parts) for parts in zip(*hiddens))
        return x, torch.cat(hiddens)


class RecurrentModule(nn.Module):
    """Map a batch of (possibly variable-length) sequences to ``n_outputs`` values.

    ``forward(x, lengths=None)`` takes ``x`` of shape (batch, time, features),
    zero-padded at the end, and the true ``lengths`` (None: all full length).
    Padding never reaches a result: forward-only recurrences run on the
    padded batch and pool only the valid steps (outputs at valid steps do not
    depend on later padding); bidirectional ones are packed. So a sequence's
    output does not depend on its batch-mates.

    ``pooling`` turns the per-step outputs into one vector: ``"last"`` (final
    hidden state of each direction), ``"mean"`` / ``"max"`` over valid steps,
    ``"attention"`` (a learned softmax weighting of the valid steps), or
    ``"concat"`` (last, mean and max side by side, as in ULMFiT). This
    is the module behind :class:`~sklearn_dl.RecurrentClassifier` and
    :class:`~sklearn_dl.RecurrentRegressor`.

    Parameters
    ----------
    n_features : int
        Features per time step.
    n_outputs : int
        Width of the linear head (classes, or regression targets).
    cell : {"rnn", "lstm", "gru"}, default="gru"
        Recurrent cell.
    hidden_size : int, default=32
        Hidden state width per direction.
    num_layers : int, default=1
        Stacked recurrent layers.
    bidirectional : bool, default=False
        Also run each sequence backwards.
    dropout : float, default=0.0
        Dropout between stacked layers and before the head.
    pooling : {"last", "mean", "max", "attention", "concat"}, default="concat"
        How per-step outputs become one vector per sequence.
    generator : torch.Generator, default=None
        Draw the initial weights from it instead of torch's global generator.
        Dropout masks come from the ``generator`` attribute of the dropout
        layers when it is set, else from torch's global generator.

    Examples
    --------
    >>> import torch
    >>> from sklearn_dl.nn import RecurrentModule
    >>> module = RecurrentModule(n_features=3, n_outputs=2, cell="lstm", pooling="mean")
    >>> x = torch.randn(4, 10, 3)                 # 4 sequences, zero-padded to 10 steps
    >>> lengths = torch.tensor([10, 7, 3, 10])
    >>> module(x, lengths).shape
    torch.Size([4, 2])
    >>> alone = module(x[2:3, :3], lengths[2:3])  # same result without the padding
    >>> torch.allclose(alone, module(x, lengths)[2:3], atol=1e-6)
    True
    """

    def __init__(
        self,
        n_features,
        n_outputs,
        cell="gru",
        hidden_size=32,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        pooling="concat",
        generator=None,
    ):
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"cell must be one of {sorted(CELLS)}, got {cell!r}")
        if pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}")
        self.cell = cell
        self.pooling = pooling
        options = {"batch_first": True, "bidirectional": bidirectional}
        if num_layers > 1 and dropout > 0:
            self.rnn = _StackedRecurrence(
                CELLS[cell], n_features, hidden_size, num_layers, dropout, generator, **options
            )
        else:
            self.rnn = recurrent(
                CELLS[cell], n_features, hidden_size, generator, num_layers=num_layers, **options
            )
        if cell == "lstm":
            # Forget-gate bias 1 (Jozefowicz et al., 2015): the cell starts by
            # keeping its memory, so gradients reach early steps of long
            # sequences (chosen on the shipped sets: benchmarks/RESULTS.md).
            with torch.no_grad():
                for name, bias in self.rnn.named_parameters():
                    name = name.rsplit(".", 1)[-1]
                    if name.startswith("bias_"):
                        # PyTorch's gate order is input, forget, cell, output; the
                        # two bias vectors add up: 1 on the ih side, 0 on the hh side.
                        bias[hidden_size : 2 * hidden_size] = 1.0 if "ih" in name else 0.0
        width = hidden_size * (2 if bidirectional else 1)
        self.attention = linear(width, 1, generator) if pooling == "attention" else None
        if pooling == "concat":
            width *= 3  # last, mean and max side by side
        self.dropout = Dropout(dropout) if dropout > 0 else nn.Identity()
        self.head = linear(width, n_outputs, generator)

    def forward(self, x, lengths=None):
        steps = x.shape[1]
        # Lengths on the CPU are read here; on another device reading them
        # would wait for it: they are taken as varying (exact either way).
        varying = lengths is not None and (
            lengths.device.type != "cpu" or bool((lengths != steps).any())
        )
        packed = varying and self.rnn.bidirectional
        if packed:
            # The backward direction would start in the padding: pack.
            seqs = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
            out, hidden = self.rnn(seqs)
            out, _ = pad_packed_sequence(out, batch_first=True, total_length=steps)
        else:
            # A forward-only recurrence never looks ahead: its outputs at a
            # sequence's valid steps do not depend on the padding after them,
            # so the padded batch runs as is (packing costs more per step on
            # CPU) and pooling reads only the valid steps.
            out, hidden = self.rnn(x)
        # Valid steps of each sequence; None when all are (no mask needed).
        # Built once, shared by the poolings of "concat".
        valid = None
        if varying:
            lengths = lengths.to(x.device)
            valid = torch.arange(steps, device=x.device)[None, :] < lengths[:, None]
        poolings = ("last", "mean", "max") if self.pooling == "concat" else (self.pooling,)
        pooled = torch.cat(
            [self._pool(name, out, hidden, lengths, valid, packed) for name in poolings], dim=-1
        )
        return self.head(self.dropout(pooled))

    def _pool(self, pooling, out, hidden, lengths, valid, packed):
        """One vector per sequence from the per-step outputs ``out`` (valid steps only)."""
        if pooling == "last" and valid is not None and not packed:
            return out[torch.arange(out.shape[0], device=out.device), lengths - 1]
        if pooling == "last":
            h = hidden[0] if self.cell == "lstm" else hidden
            n_dir = 2 if self.rnn.bidirectional else 1
            # Last layer's final state of each direction (with packing, the
            # state at each sequence's own end).
            return torch.cat([h[-n_dir + i] for i in range(n_dir)], dim=-1)
        if pooling == "mean":
            if valid is None:
                return out.mean(1)
            mask = valid.unsqueeze(-1).to(out.dtype)
            return (out * mask).sum(1) / mask.sum(1)
        if pooling == "max":
            if valid is not None:
                out = out.masked_fill(~valid.unsqueeze(-1), float("-inf"))
            return out.amax(1)
        scores = self.attention(out).squeeze(-1)
        if valid is not None:
            scores = scores.masked_fill(~valid, float("-inf"))
        weights = torch.softmax(scores, dim=1).unsqueeze(-1)
        return (out * weights).sum(1)
