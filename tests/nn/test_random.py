"""Layers that draw from a caller's generator: PyTorch's distributions, no global draws."""

import math

import pytest
import torch
from torch import nn

from sklearn_dl.nn import RecurrentModule
from sklearn_dl.nn._random import Dropout, linear, recurrent, use_generator


def test_layers_draw_their_initial_weights_from_the_generator(global_rngs_untouched):
    a = linear(50, 8, torch.Generator().manual_seed(0))
    b = linear(50, 8, torch.Generator().manual_seed(0))
    assert torch.equal(a.weight, b.weight) and torch.equal(a.bias, b.bias)
    # PyTorch's default for nn.Linear: uniform within 1/sqrt(fan_in).
    bound = 1 / math.sqrt(50)
    assert a.weight.abs().max() <= bound and a.weight.abs().max() > 0.9 * bound
    gru = recurrent(nn.GRU, 3, 16, torch.Generator().manual_seed(0), batch_first=True)
    assert all(p.abs().max() <= 1 / 4 for p in gru.parameters())
    assert gru(torch.zeros(2, 5, 3))[0].shape == (2, 5, 16)


def test_dropout_masks_come_from_the_generator(global_rngs_untouched):
    x = torch.ones(1000, 20)
    drop = Dropout(0.25).train()
    drop.generator = torch.Generator().manual_seed(0)
    first = drop(x)
    drop.generator = torch.Generator().manual_seed(0)
    assert torch.equal(drop(x), first)
    assert first.unique().tolist() == pytest.approx([0.0, 1 / 0.75])
    assert abs((first == 0).float().mean().item() - 0.25) < 0.01
    assert torch.equal(drop.eval()(x), x)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_stacked_layers_compute_what_torchs_multilayer_recurrence_does(cell, bidirectional):
    # Outside training (no dropout) the layer-by-layer stack equals torch's
    # fused multi-layer recurrence with the same weights.
    torch.manual_seed(0)
    stacked = RecurrentModule(
        3, 2, cell=cell, num_layers=2, dropout=0.5, bidirectional=bidirectional
    )
    fused = RecurrentModule(3, 2, cell=cell, num_layers=2, dropout=0.0, bidirectional=bidirectional)
    state = {}
    for name, value in stacked.state_dict().items():
        if name.startswith("rnn.layers."):
            layer, rest = name[len("rnn.layers.") :].split(".", 1)
            name = "rnn." + rest.replace("_l0", f"_l{layer}")
        state[name] = value
    fused.load_state_dict(state)
    x, lengths = torch.randn(4, 6, 3), torch.tensor([6, 2, 4, 6])
    with torch.no_grad():
        torch.testing.assert_close(stacked.eval()(x, lengths), fused.eval()(x, lengths))


def test_use_generator_sets_and_clears_every_user():
    module = RecurrentModule(3, 2, num_layers=2, dropout=0.2)
    g = torch.Generator()
    users = [m for m in module.modules() if hasattr(m, "generator")]
    assert len(users) == 2  # between the layers and before the head
    with use_generator(module, g):
        assert all(m.generator is g for m in users)
    assert all(m.generator is None for m in users)
