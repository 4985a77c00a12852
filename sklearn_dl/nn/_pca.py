"""Principal axes of a dense tensor in torch (the autoencoders' PCA start)."""

import torch


def principal_axes(x, n_components):
    """Top ``n_components`` principal axes of the rows of ``x``, as PCA finds them.

    Eigen-decomposition of the smaller of the covariance (``n >= d``) and the
    Gram matrix (``n < d``), as scikit-learn's ``PCA(svd_solver="covariance_eigh")``
    does for tall data. The product is formed in ``x``'s precision (a float32
    model's start needs no more), the decomposition in float64; signs follow
    scikit-learn's convention (each axis's largest loading is positive). Axes
    beyond the data's rank are zero.

    Computed by torch, in torch's own threads: NumPy's BLAS threads, which
    keep spinning for a while after a call, would compete with the training
    that follows on a machine with few cores.

    Returns a float64 tensor of shape (n_components, n_features).
    """
    x = x - x.mean(dim=0)
    n, d = x.shape
    k = n_components
    if n >= d:
        eigenvalues, eigenvectors = torch.linalg.eigh((x.T @ x).to(torch.float64))
        axes = eigenvectors[:, -k:].flip(-1).T.contiguous()
    else:
        eigenvalues, eigenvectors = torch.linalg.eigh((x @ x.T).to(torch.float64))
        singular = eigenvalues[-k:].flip(-1).clamp_min(0).sqrt()
        left = eigenvectors[:, -k:].flip(-1)
        axes = (left.T @ x.to(torch.float64)) / torch.where(singular > 0, singular, 1.0)[:, None]
    top = eigenvalues[-k:].flip(-1)
    # Below this, an eigenvalue is rounding error: the data have no such axis.
    rank_floor = eigenvalues[-1].clamp_min(0) * max(n, d) * torch.finfo(torch.float64).eps
    axes[top <= rank_floor] = 0.0
    largest = axes.abs().argmax(dim=1)
    signs = torch.sign(axes[torch.arange(k, device=axes.device), largest])
    return axes * torch.where(signs == 0, 1.0, signs)[:, None]
