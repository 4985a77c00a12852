import os

import numpy as np
import pytest
import torch

# Two cores here: keep torch from oversubscribing them, so test timings stay
# predictable when several tests or processes share the machine.
torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))


@pytest.fixture
def global_rngs_untouched():
    """Fails the test if it draws from (or reseeds) numpy's or torch's global generators."""
    torch.manual_seed(123)
    np.random.seed(123)
    expected_torch = torch.rand(3)
    expected_numpy = np.random.rand(3)
    torch.manual_seed(123)
    np.random.seed(123)
    yield
    assert torch.equal(torch.rand(3), expected_torch), "torch's global generator was used"
    np.testing.assert_array_equal(np.random.rand(3), expected_numpy)
