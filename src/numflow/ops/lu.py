"""`tf.linalg.lu` and its companions lu_solve, lu_reconstruct, lu_matrix_inverse.

lu(A) returns (lower_upper, perm) with A[perm] = L @ U: L unit lower triangular (its strictly lower part
stored in lower_upper), U upper triangular (the rest), computed by Gaussian elimination with partial
pivoting (the largest magnitude in each column). The companions are compositions of gathers and
triangular solves. Lu's gradient for its input is the standard reverse-mode rule of the factorization,
L^-H [stril(L^H dL) + triu(dU U^H)] U^-H with the rows permuted back.
"""
import numpy as np

from ..framework import dtypes, errors
from ..framework.graph import convert_to_tensor, name_scope
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape
from .common import make_op

__all__ = ["lu", "lu_solve", "lu_reconstruct", "lu_matrix_inverse"]

_TYPES = (dtypes.float16, dtypes.float32, dtypes.float64, dtypes.complex64, dtypes.complex128)


def _factor(matrix):
    """(packed LU, perm) of one square matrix."""
    n = matrix.shape[0]
    work = matrix.astype(np.complex128 if np.iscomplexobj(matrix) else np.float64, copy=True)
    perm = np.arange(n)
    for k in range(n):
        pivot = k + int(np.argmax(np.abs(work[k:, k])))
        if pivot != k:
            work[[k, pivot]] = work[[pivot, k]]
            perm[[k, pivot]] = perm[[pivot, k]]
        if work[k, k] == 0:
            continue        # a singular column: U gets a zero on its diagonal, as LAPACK's getrf
        work[k + 1:, k] /= work[k, k]
        work[k + 1:, k + 1:] -= np.outer(work[k + 1:, k], work[k, k + 1:])
    return work, perm


@register
class Lu(OpDef):
    """LU decomposition with partial pivoting of each [n, n] matrix of a batch."""

    host_only = True     # partial pivoting matrix by matrix, in Python

    def infer(self, op):
        x = op.inputs[0]
        if x.dtype not in _TYPES:
            raise TypeError("Value passed to parameter 'input' has DataType %s not in list of allowed values: "
                            "float16, float32, float64, complex64, complex128" % x.dtype.name)
        if x.shape.ndims is not None:
            if x.shape.ndims < 2:
                raise ValueError("Shape must be at least rank 2 but is rank %d for 'Lu'" % x.shape.ndims)
            rows, cols = x.shape[-2].value, x.shape[-1].value
            if rows is not None and cols is not None and rows != cols:
                raise ValueError("Dimensions must be equal, but are %d and %d for 'Lu' (input shape %s)"
                                 % (rows, cols, x.shape))
        perm_shape = TensorShape(None) if x.shape.ndims is None else TensorShape(x.shape.dims[:-1])
        return [(x.dtype, x.shape), (op.attrs["output_idx_type"], perm_shape)]

    def kernel(self, op, ctx):
        index_type = op.attrs["output_idx_type"].np

        def decompose(x):
            x = np.asarray(x)
            if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
                raise errors.InvalidArgumentError(None, op, "Input matrix must be square, got shape %s"
                                                  % list(x.shape))
            flat = x.reshape((-1,) + x.shape[-2:])
            packed = np.empty(flat.shape, x.dtype)
            perms = np.empty(flat.shape[:-1], index_type)
            for i, matrix in enumerate(flat):
                factor, perm = _factor(matrix)
                packed[i], perms[i] = factor.astype(x.dtype), perm
            return packed.reshape(x.shape), perms.reshape(x.shape[:-1])
        return decompose

    def grad(self, op, d_lower_upper, d_perm):
        from . import linalg_extra
        from .segment_ops import matrix_band_part
        from .linalg import matrix_set_diag, matrix_diag_part
        from .math import matmul
        from .array import ones_like
        lower_upper, perm = op.outputs
        if d_lower_upper is None:
            return [None]
        lower = matrix_set_diag(matrix_band_part(lower_upper, -1, 0), ones_like(matrix_diag_part(lower_upper)))
        upper = matrix_band_part(lower_upper, 0, -1)
        d_lower = matrix_band_part(d_lower_upper, -1, 0) - matrix_band_part(d_lower_upper, 0, 0)
        d_upper = matrix_band_part(d_lower_upper, 0, -1)
        middle_lower = matmul(lower, d_lower, adjoint_a=True)
        middle = (matrix_band_part(middle_lower, -1, 0) - matrix_band_part(middle_lower, 0, 0) +
                  matrix_band_part(matmul(d_upper, upper, adjoint_b=True), 0, -1))
        # L^-H middle U^-H: L^H Y = middle from the left, then (Y U^-H)^H = U^-1 Y^H.
        left = linalg_extra.matrix_triangular_solve(lower, middle, lower=True, adjoint=True)
        permuted = linalg_extra.adjoint(linalg_extra.matrix_triangular_solve(
            upper, linalg_extra.adjoint(left), lower=False))
        return [_rows_back(permuted, perm)]


def _rows_back(x, perm):
    """Rows of x put back in the original order (x[inverse perm]), per batch member."""
    return _gather_rows(x, _inverse_perm(perm))


def lu(input, output_idx_type=dtypes.int32, name=None):  # noqa: A002 - TF's argument name
    """`tf.linalg.lu(input, output_idx_type=tf.int32)`: (lower_upper, perm) of square matrices [..., n, n]
    with input[..., perm, :] = L @ U (L unit lower triangular, U upper, packed into lower_upper)."""
    x = convert_to_tensor(input, name="input")
    op = make_op("Lu", [x], {"output_idx_type": dtypes.as_dtype(output_idx_type)}, name=name or "Lu")
    return op.outputs[0], op.outputs[1]


def _factors(lower_upper):
    from .segment_ops import matrix_band_part
    from .linalg import matrix_set_diag, matrix_diag_part
    from .array import ones_like
    lower = matrix_set_diag(matrix_band_part(lower_upper, -1, 0), ones_like(matrix_diag_part(lower_upper)))
    return lower, matrix_band_part(lower_upper, 0, -1)


def _gather_rows(x, perm):
    from .array import gather
    if perm.shape.ndims == 1:
        return gather(x, perm, axis=-2)
    from .array_extra import batch_gather
    return batch_gather(x, perm)


def _inverse_perm(perm):
    """The inverse permutation (per batch member: argsort of a permutation is its inverse)."""
    from .array import invert_permutation
    from .array_extra import argsort
    if perm.shape.ndims == 1:
        return invert_permutation(perm)
    return argsort(perm, axis=-1)


def lu_reconstruct(lower_upper, perm, validate_args=False, name=None):
    """`tf.linalg.lu_reconstruct(lower_upper, perm)`: the matrices lu() factored: L @ U with the rows
    put back in their original order."""
    from .math import matmul
    with name_scope(name, "lu_reconstruct", [lower_upper, perm]):
        lower_upper = convert_to_tensor(lower_upper, name="lower_upper")
        perm = convert_to_tensor(perm, name="perm")
        lower, upper = _factors(lower_upper)
        return _gather_rows(matmul(lower, upper), _inverse_perm(perm))


def lu_solve(lower_upper, perm, rhs, validate_args=False, name=None):
    """`tf.linalg.lu_solve(lower_upper, perm, rhs)`: X with A @ X = rhs for A given by its lu() factors:
    the rows of rhs permuted, then a unit-lower and an upper triangular solve."""
    from . import linalg_extra
    with name_scope(name, "lu_solve", [lower_upper, perm, rhs]):
        lower_upper = convert_to_tensor(lower_upper, name="lower_upper")
        perm = convert_to_tensor(perm, name="perm")
        rhs = convert_to_tensor(rhs, dtype=lower_upper.dtype, name="rhs")
        lower, upper = _factors(lower_upper)
        permuted = _gather_rows(rhs, perm)
        y = linalg_extra.matrix_triangular_solve(lower, permuted, lower=True)
        return linalg_extra.matrix_triangular_solve(upper, y, lower=False)


def lu_matrix_inverse(lower_upper, perm, validate_args=False, name=None):
    """`tf.linalg.lu_matrix_inverse(lower_upper, perm)`: the inverse of the matrices given by lu() factors."""
    from .linalg import eye
    with name_scope(name, "lu_matrix_inverse", [lower_upper, perm]):
        lower_upper = convert_to_tensor(lower_upper, name="lower_upper")
        size = lower_upper.shape[-1].value
        if size is None:
            raise ValueError("lu_matrix_inverse needs a static matrix size, got shape %s" % lower_upper.shape)
        batch = lower_upper.shape.as_list()[:-2]
        identity = eye(size, batch_shape=batch if batch and None not in batch else None, dtype=lower_upper.dtype)
        return lu_solve(lower_upper, perm, identity)
