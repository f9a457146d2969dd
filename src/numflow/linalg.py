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
