"""Recurrent sequence model (pure PyTorch): RNN/LSTM/GRU encoder, pooling, linear head."""

import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

from sklearn_dl.nn._random import Dropout, conv1d, embedding, linear, recurrent

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


class MaskedBatchNorm1d(nn.BatchNorm1d):
    """Batch normalisation over the valid steps of (batch, channels, time) input.

    In training, the statistics are means over the valid steps of the batch,
    each sequence's steps weighted by its ``sample_weight`` (so a sequence of
    weight 2 counts as two copies of it, as everywhere in the package); in
    evaluation, the running statistics, so a prediction does not depend on
    its batch-mates. Padding never enters a statistic.

    Parameters
    ----------
    num_features : int
        Channels.
    eps, momentum, affine, track_running_stats, bias, device, dtype
        As in :class:`torch.nn.BatchNorm1d`.

    Examples
    --------
    >>> import torch
    >>> from sklearn_dl.nn import MaskedBatchNorm1d
    >>> norm = MaskedBatchNorm1d(2)
    >>> h = torch.randn(3, 2, 5)                      # (batch, channels, time)
    >>> valid = torch.arange(5) < torch.tensor([5, 3, 1])[:, None]
    >>> out = norm(h, valid[:, None, :], torch.tensor([1.0, 2.0, 1.0]))
    >>> out.shape, int(norm.num_batches_tracked)
    (torch.Size([3, 2, 5]), 1)
    """

    def forward(self, h, valid=None, sample_weight=None):
        if not self.training:
            return super().forward(h)
        if valid is None and sample_weight is None and h.shape[0] * h.shape[2] > 1:
            return super().forward(h)  # PyTorch's fused kernel: the same statistics
        mass = torch.ones_like(h[:, :1, :]) if valid is None else valid.to(h.dtype)
        if sample_weight is not None:
            mass = mass * sample_weight.to(h.dtype)[:, None, None]
        # Tensor arithmetic only (no Python branch on a value): no device sync.
        total = mass.sum()
        denominator = total.clamp_min(torch.finfo(h.dtype).tiny)  # all weights 0: stats 0
        mean = (h * mass).sum((0, 2)) / denominator
        var = ((h - mean[None, :, None]) ** 2 * mass).sum((0, 2)) / denominator
        with torch.no_grad():
            correction = torch.where(total > 1, total / (total - 1).clamp_min(1e-12), 1.0)
            self.running_mean.lerp_(mean.detach(), self.momentum)
            self.running_var.lerp_(var.detach() * correction, self.momentum)
            self.num_batches_tracked += 1
        return self._normalise(h, mean, var)

    def _normalise(self, h, mean, var):
        scale = self.weight / torch.sqrt(var + self.eps)
        return (h - mean[None, :, None]) * scale[None, :, None] + self.bias[None, :, None]


class ConvFrontEnd(nn.Module):
    """Convolutions then max-pooling in time, before a recurrence (as in LSTM-FCN, DeepConvLSTM).

    Each layer is a same-length ``Conv1d``, a :class:`MaskedBatchNorm1d` and a
    ReLU (as in the fully convolutional networks of Wang et al., 2017); a final max-pooling by
    ``pool_size`` shortens the sequences, so the recurrence runs over
    ``ceil(T / pool_size)`` steps of learned local features instead of ``T``
    raw values. ``forward(x, lengths)`` returns the features, of shape
    (batch, ceil(time / pool_size), channels), and their lengths. Steps past
    a sequence's length are set to zero in the input and after every layer,
    which is what the convolution's own zero padding reads there: a
    sequence's features depend neither on its batch-mates nor on the values
    its padding holds.

    Parameters
    ----------
    n_features : int
        Features per input step.
    channels : int
        Output channels of every convolution.
    kernel_sizes : tuple of int
        Kernel size of each convolution, in time steps (one layer each).
    pool_size : int, default=1
        Max-pooling factor in time after the last layer (1: none).
    generator : torch.Generator, default=None
        Draw the initial weights from it instead of torch's global generator.

    Examples
    --------
    >>> import torch
    >>> from sklearn_dl.nn import ConvFrontEnd
    >>> front = ConvFrontEnd(n_features=3, channels=8, kernel_sizes=(7, 5), pool_size=4)
    >>> features, lengths = front(torch.randn(2, 30, 3), torch.tensor([30, 9]))
    >>> features.shape, lengths.tolist()                 # ceil(30 / 4) steps
    (torch.Size([2, 8, 8]), [8, 3])
    """

    def __init__(self, n_features, channels, kernel_sizes, pool_size=1, generator=None):
        super().__init__()
        self.convs = nn.ModuleList()
        for kernel_size in kernel_sizes:
            self.convs.append(conv1d(n_features, channels, kernel_size, generator))
            n_features = channels
        self.norms = nn.ModuleList(MaskedBatchNorm1d(channels) for _ in kernel_sizes)
        self.pool_size = int(pool_size)

    def forward(self, x, lengths=None, sample_weight=None):
        h = x.transpose(1, 2)
        valid = None
        if lengths is not None:
            # The mask is built on x's device; the lengths returned stay where
            # they came (on the host, the recurrence reads them without a wait).
            on_device = lengths.to(x.device, non_blocking=True)
            valid = (
                torch.arange(h.shape[2], device=x.device)[None, None, :] < on_device[:, None, None]
            )
            mask = valid.to(h.dtype)
            h = h * mask  # whatever the padding holds, the convolutions read zeros
        for conv, norm in zip(self.convs, self.norms):
            h = torch.relu(norm(conv(h), valid, sample_weight))
            if valid is not None:
                h = h * mask
        if self.pool_size > 1:
            # ReLU outputs are >= 0, so the zeroed padding never wins a maximum.
            h = nn.functional.max_pool1d(h, self.pool_size, self.pool_size, ceil_mode=True)
            if lengths is not None:
                lengths = torch.div(
                    lengths + self.pool_size - 1, self.pool_size, rounding_mode="floor"
                )
        return h.transpose(1, 2), lengths


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
    conv_channels : int, default=0
        Width of a :class:`ConvFrontEnd` before the recurrence; 0: none, the
        recurrence reads the input itself.
    conv_kernel_sizes : tuple of int, default=(7, 5)
        Kernel size of each convolution of the front-end.
    pool_size : int, default=1
        Max-pooling factor in time after the convolutions.
    n_tokens : int, default=None
        With ``embedding_dim``: the number of known tokens. ``x`` then holds,
        in its single feature, token positions: ``1 .. n_tokens`` for known
        tokens, 0 for unknown ones (and padding), which read an all-zero
        embedding row that training never changes.
    embedding_dim : int, default=None
        Width of a learned :class:`torch.nn.Embedding` of the tokens, read
        by the rest of the module in place of the input features. None: ``x``
        holds float features.
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
        conv_channels=0,
        conv_kernel_sizes=(7, 5),
        pool_size=1,
        n_tokens=None,
        embedding_dim=None,
        generator=None,
    ):
        super().__init__()
        if (n_tokens is None) != (embedding_dim is None):
            raise ValueError("n_tokens and embedding_dim go together: give both or neither.")
        if cell not in CELLS:
            raise ValueError(f"cell must be one of {sorted(CELLS)}, got {cell!r}")
        if pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}")
        self.cell = cell
        self.pooling = pooling
        self.embedding = None
        if embedding_dim is not None:
            # Row 0: unknown tokens and padding, zero and never trained.
            self.embedding = embedding(n_tokens + 1, embedding_dim, generator, padding_idx=0)
            n_features = embedding_dim
        self.front = None
        if conv_channels:
            self.front = ConvFrontEnd(
                n_features, conv_channels, conv_kernel_sizes, pool_size, generator
            )
            n_features = conv_channels
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

    def forward(self, x, lengths=None, sample_weight=None):
        # ``sample_weight`` (training batches only) weights the front-end's
        # batch statistics; nothing else in the module reads it.
        if self.embedding is not None:
            # (batch, time) ids, or (batch, time, 1) as the estimators pass them.
            x = self.embedding((x if x.dim() == 2 else x[..., 0]).long())
        if self.front is not None:
            x, lengths = self.front(x, lengths, sample_weight)
        return self.head(self.dropout(self._recur_and_pool(x, lengths)))

    def _recur_and_pool(self, x, lengths):
        """The recurrence over ``x`` (the front-end's output if any), pooled to one vector."""
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
            lengths = lengths.to(x.device, non_blocking=True)
            valid = torch.arange(steps, device=x.device)[None, :] < lengths[:, None]
        poolings = ("last", "mean", "max") if self.pooling == "concat" else (self.pooling,)
        return torch.cat(
            [self._pool(name, out, hidden, lengths, valid, packed) for name in poolings], dim=-1
        )

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
