"""A fitted estimator's state as plain values and arrays, for pickle, joblib and skops.

The skorch net of a fitted estimator (module, optimizer, history) is saved as

- ``spec``: the plain values the module was built from (``_module_spec``);
- ``module``: the module's ``state_dict`` as numpy arrays;
- ``optimizer``: Adam's state as numpy arrays and plain values, so that
  ``partial_fit`` and warm starts continue after loading exactly as before;
- ``history``: skorch's epoch records as plain values;

plus the state format and the package version. Loading rebuilds the module
with the estimator's own ``_build_module`` and copies the arrays in: no torch
object is pickled and nothing calls ``torch.load``, so a model file holds
nothing that runs code, and ``skops.io.load`` can read it while trusting only
this package's estimator classes. A CUDA-trained model loads on a machine
without a GPU (on the CPU, with a warning).
"""

import warnings

import numpy as np
import torch
from skorch.history import History

from sklearn_dl._version import __version__

# Bumped whenever the layout below changes; a file in another format is refused.
STATE_FORMAT = 1


def _plain(value):
    """``value`` with tensors as numpy arrays and numpy scalars as Python numbers."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(item) for item in value)
    return value


def net_to_state(net, spec):
    """The plain-values form of a trained ``SkorchNet`` (see the module docstring)."""
    optimizer = net.optimizer_.state_dict()
    return {
        "format": STATE_FORMAT,
        "sklearn_dl_version": __version__,
        "spec": spec,
        "device": str(net.device),
        "module": {key: _plain(value) for key, value in net.module_.state_dict().items()},
        "optimizer": {
            # str keys: JSON-like formats keep them as they are.
            "state": {str(key): _plain(value) for key, value in optimizer["state"].items()},
            "param_groups": _plain(optimizer["param_groups"]),
        },
        "history": [{key: _plain(value) for key, value in row.items()} for row in net.history],
    }


def _check_saved(saved):
    if not isinstance(saved, dict) or "format" not in saved:
        raise ValueError(
            "This model file was written by sklearn-dl 0.1.0 before model files held "
            "plain arrays (a pickled skorch net); refit the model with this version."
        )
    version = saved.get("sklearn_dl_version", "unknown")
    if saved["format"] != STATE_FORMAT:
        raise ValueError(
            f"This model was saved by sklearn-dl {version} in state format "
            f"{saved['format']}; sklearn-dl {__version__} reads format {STATE_FORMAT}. "
            f"Load it with sklearn-dl {version}, or refit it with this version."
        )
    if version != __version__:
        warnings.warn(
            f"This model was saved by sklearn-dl {version} and is loaded by sklearn-dl "
            f"{__version__}; the state format ({STATE_FORMAT}) is the same, so it loads, "
            "but results may differ from the version that saved it.",
            UserWarning,
            stacklevel=4,
        )
    for name, array in saved["module"].items():
        if not isinstance(array, np.ndarray) or array.dtype.kind not in "fiub":
            raise ValueError(f"Model file: weight {name!r} is not a numeric array.")


def _load_device(estimator, saved_device):
    from sklearn_dl._base import resolve_device

    try:
        return resolve_device(estimator.device)
    except ValueError:
        warnings.warn(
            f"This model was trained on {saved_device!r} with device={estimator.device!r}, "
            "but PyTorch finds no CUDA device here: it is loaded on the CPU.",
            UserWarning,
            stacklevel=4,
        )
        return "cpu"


def net_from_state(estimator, saved):
    """Rebuild the ``SkorchNet`` of ``estimator`` from :func:`net_to_state`'s output."""
    _check_saved(saved)
    weights = {key: torch.from_numpy(np.array(value)) for key, value in saved["module"].items()}
    float_dtypes = {w.dtype for w in weights.values() if w.is_floating_point()}
    # The initial values drawn here are overwritten by the saved ones: a
    # private generator keeps loading from touching torch's global one.
    module = estimator._build_module(saved["spec"], torch.Generator().manual_seed(0))
    module = module.to(float_dtypes.pop() if len(float_dtypes) == 1 else torch.float32)
    module.load_state_dict(weights)
    net = estimator._new_net(module, _load_device(estimator, saved["device"]))
    optimizer = saved["optimizer"]
    net.optimizer_.load_state_dict(
        {
            "state": {
                int(key): {name: torch.as_tensor(value) for name, value in item.items()}
                for key, item in optimizer["state"].items()
            },
            "param_groups": optimizer["param_groups"],
        }
    )
    net.history = History(saved["history"])
    net.module_.eval()
    return net
