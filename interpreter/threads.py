"""BLAS threading for ``num_threads``: the matmuls of convolutions run in numpy's BLAS.

numpy offers no API for its BLAS thread count; ``threadpoolctl`` (optional: ``pip install
edgelite[threads]``) does. The limit is process-wide, as BLAS's own setting is. Measured on a
2-core machine: 2 threads are ~10% faster than 1 when the machine is idle, but several times
slower when another process keeps a core busy, so pass ``num_threads=1`` on a loaded device.
"""

from __future__ import annotations

import warnings

_limiter = None  # kept alive: threadpoolctl restores the old limit when it is collected


def set_blas_threads(n: int) -> bool:
    """Limit BLAS to ``n`` threads; False (with a warning) when threadpoolctl is missing."""
    global _limiter
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        warnings.warn(
            "num_threads needs threadpoolctl to control numpy's BLAS threads "
            "(pip install threadpoolctl); running with BLAS defaults",
            RuntimeWarning,
            stacklevel=3,
        )
        return False
    _limiter = threadpool_limits(limits=n, user_api="blas")
    return True
