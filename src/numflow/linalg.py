"""`tf.linalg`: the linear-algebra ops under their TF1 `tf.linalg.*` names."""
from .ops.array import matrix_transpose  # noqa: F401
from .ops.linalg import cross, einsum, eye, norm, tensordot, trace  # noqa: F401
from .ops.linalg import diag as tensor_diag, diag_part as tensor_diag_part  # noqa: F401
from .ops.linalg import matrix_determinant as det, matrix_inverse as inv  # noqa: F401
from .ops.linalg import matrix_diag as diag, matrix_diag_part as diag_part  # noqa: F401
from .ops.linalg import matrix_set_diag as set_diag  # noqa: F401
from .ops.math import matmul  # noqa: F401

transpose = matrix_transpose   # tf.linalg.transpose transposes the last two axes

__all__ = ["cross", "det", "diag", "diag_part", "einsum", "eye", "inv", "matmul", "matrix_transpose", "norm",
           "set_diag", "tensor_diag", "tensor_diag_part", "tensordot", "trace", "transpose"]
from .ops.linalg_extra import (adjoint, cholesky, cholesky_solve, eigh, eigvalsh, expm, logdet, logm,  # noqa: E402,F401
                               lstsq, matrix_rank, matvec, normalize, pinv, qr, slogdet, svd, tridiagonal_matmul,
                               tridiagonal_solve)
from .ops.linalg_extra import matrix_solve as solve, matrix_triangular_solve as triangular_solve  # noqa: E402,F401
from .ops.segment_ops import matrix_band_part as band_part  # noqa: E402,F401
from .ops.clip import global_norm  # noqa: E402,F401
from .ops.nn import l2_normalize  # noqa: E402,F401
# LinearOperators (issue 12).
from .linalg_operator import *  # noqa: E402,F401,F403
from .linalg_operator import __all__ as _operator_all  # noqa: E402
__all__ += list(_operator_all)
from .ops.lu import lu, lu_matrix_inverse, lu_reconstruct, lu_solve  # noqa: E402,F401 - LU (issue 12)
__all__ += ["lu", "lu_matrix_inverse", "lu_reconstruct", "lu_solve"]
from .ops.matrix_sqrt import sqrtm  # noqa: E402,F401
__all__ += ["sqrtm"]
from .ops.eigh_tridiagonal import eigh_tridiagonal  # noqa: E402,F401
__all__ += ["eigh_tridiagonal"]
