"""The recurrent module's convolutional front-end: padding never reaches a result."""

import pytest
import torch

from sklearn_dl.nn import RecurrentModule
from sklearn_dl.nn.recurrent import ConvFrontEnd


@pytest.mark.parametrize("pool_size", [1, 3])
def test_front_end_ignores_whatever_the_padding_holds(pool_size):
    module = RecurrentModule(
        2,
        3,
        conv_channels=4,
        conv_kernel_sizes=(7, 4),
        pool_size=pool_size,
        generator=torch.Generator().manual_seed(0),
    ).eval()
    gen = torch.Generator().manual_seed(1)
    lengths = torch.tensor([11, 5, 1, 8])
    x = torch.randn(4, 11, 2, generator=gen)
    for i, n in enumerate(lengths.tolist()):
        x[i, n:] = 1e3  # padding that is not zero (the estimators pad before scaling)
    batch = module(x, lengths)
    for i, n in enumerate(lengths.tolist()):
        alone = module(x[i : i + 1, :n])
        torch.testing.assert_close(batch[i : i + 1], alone, rtol=1e-5, atol=1e-6)


def test_front_end_pools_lengths_up():
    front = ConvFrontEnd(1, 2, (3,), pool_size=4, generator=torch.Generator().manual_seed(0))
    features, lengths = front(torch.randn(3, 9, 1), torch.tensor([9, 4, 5]))
    assert features.shape == (3, 3, 2)  # ceil(9 / 4) steps
    assert lengths.tolist() == [3, 1, 2]
    assert front(torch.randn(1, 9, 1))[1] is None


def test_front_end_weights_come_from_the_generator(global_rngs_untouched):
    a = RecurrentModule(1, 2, conv_channels=3, generator=torch.Generator().manual_seed(0))
    b = RecurrentModule(1, 2, conv_channels=3, generator=torch.Generator().manual_seed(0))
    for (name, pa), pb in zip(a.named_parameters(), b.parameters()):
        assert torch.equal(pa, pb), name
    # PyTorch's default bound for Conv1d: 1/sqrt(in_channels * kernel_size).
    assert a.front.convs[0].weight.abs().max() <= 1 / 7**0.5


def test_batch_statistics_read_valid_steps_and_weigh_sequences_as_copies():
    from sklearn_dl.nn.recurrent import MaskedBatchNorm1d

    gen = torch.Generator().manual_seed(0)
    h = torch.randn(3, 4, 6, generator=gen, dtype=torch.float64)
    lengths = torch.tensor([6, 2, 4])
    valid = torch.arange(6)[None, None, :] < lengths[:, None, None]
    padded = torch.where(valid, h, torch.full_like(h, 1e3))
    weighted = MaskedBatchNorm1d(4).double().train()
    out = weighted(padded, valid, torch.tensor([1.0, 2.0, 1.0], dtype=torch.float64))
    # The same statistics as the valid steps of the batch with sequence 1 twice.
    steps = torch.cat([h[0, :, :6], h[1, :, :2], h[1, :, :2], h[2, :, :4]], dim=1)
    mean, var = steps.mean(1), steps.var(1, unbiased=False)
    expected = (h - mean[None, :, None]) / torch.sqrt(var[None, :, None] + 1e-5)
    torch.testing.assert_close(out[valid.expand_as(out)], expected[valid.expand_as(out)])
    torch.testing.assert_close(weighted.running_mean, 0.1 * mean)
    n = steps.shape[1]
    torch.testing.assert_close(weighted.running_var, 0.9 + 0.1 * var * n / (n - 1))


def test_fused_path_without_padding_or_weights_gives_the_same_statistics():
    from sklearn_dl.nn.recurrent import MaskedBatchNorm1d

    h = torch.randn(3, 4, 6, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    fused, masked = MaskedBatchNorm1d(4).double(), MaskedBatchNorm1d(4).double()
    all_valid = torch.ones(3, 1, 6, dtype=torch.bool)
    torch.testing.assert_close(fused(h), masked(h, all_valid))
    torch.testing.assert_close(fused.running_mean, masked.running_mean)
    torch.testing.assert_close(fused.running_var, masked.running_var)
