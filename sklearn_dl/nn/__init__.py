"""Pure PyTorch modules behind the estimators.

Nothing here imports scikit-learn or skorch: the modules can be reused in a
hand-written training loop (the benchmarks do exactly that).
"""

from sklearn_dl.nn.autoencoder import AutoencoderModule, VariationalAutoencoderModule
from sklearn_dl.nn.layers import Corruption, make_mlp
from sklearn_dl.nn.recurrent import ConvFrontEnd, MaskedBatchNorm1d, RecurrentModule

__all__ = [
    "AutoencoderModule",
    "ConvFrontEnd",
    "Corruption",
    "MaskedBatchNorm1d",
    "RecurrentModule",
    "VariationalAutoencoderModule",
    "make_mlp",
]
