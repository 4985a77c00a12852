"""Loss modules with one signature, ``loss(output, target, inputs)``.

``target`` is the ``(y, sample_weight)`` pair a batch carries (either may be
None); ``inputs`` is the batch input, the target of autoencoders.
"""

import torch.nn.functional as F
from torch import nn


def _weighted_mean(per_sample, weight):
    if weight is None:
        return per_sample.mean()
    return (per_sample * weight).sum() / weight.sum().clamp_min(1e-12)


class ReconstructionLoss(nn.Module):
    """Mean squared error between the reconstruction and the (clean) input."""

    def forward(self, output, target, inputs):
        return F.mse_loss(output, inputs)


class NegativeELBOLoss(nn.Module):
    """``(nll + beta * kl) / n_features``, averaged over the batch.

    Dividing by the number of features keeps the loss on the scale of a
    per-feature error, so ``tol`` means the same for wide and narrow data.
    """

    def __init__(self, beta=1.0, n_features=1):
        super().__init__()
        self.beta = beta
        self.n_features = n_features

    def forward(self, output, target, inputs):
        nll, kl = output
        return (nll + self.beta * kl).mean() / self.n_features


class WeightedCrossEntropyLoss(nn.Module):
    """Cross-entropy with optional per-class and per-sample weights."""

    def __init__(self, class_weight=None):
        super().__init__()
        self.register_buffer("class_weight", class_weight)

    def forward(self, output, target, inputs):
        y, weight = target
        per_sample = F.cross_entropy(output, y, reduction="none")
        if self.class_weight is not None:
            per_class = self.class_weight[y]
            weight = per_class if weight is None else weight * per_class
        return _weighted_mean(per_sample, weight)


class WeightedMSELoss(nn.Module):
    """Mean squared error over outputs, averaged over (sample-weighted) rows."""

    def forward(self, output, target, inputs):
        y, weight = target
        return _weighted_mean(((output - y) ** 2).mean(-1), weight)
