"""Matrix decompositions and solvers of `tf.linalg`: `cholesky`, `qr`, `svd`, `eigh`/`eigvalsh`,
`matrix_solve`, `matrix_triangular_solve`, `lstsq` (`matrix_solve_ls`), `slogdet`, `expm`, `logm`, with the
gradients TF defines, and the compositions built on them (`cholesky_solve`, `logdet`, `pinv`,
`matrix_rank`, `adjoint`, `matvec`, `tridiagonal_solve`, `tridiagonal_matmul`, `normalize`).

All ops work on batches of matrices in the last two axes. Kernels call LAPACK through `np.linalg`;
a failed factorization is an InvalidArgumentError in TF's words.
"""
import builtins
import math as _pymath

import numpy as np

from ..framework import dtypes, errors
from ..framework.graph import convert_to_tensor, name_scope
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape, format_shape
from . import array as _array
from . import math as _math
from .common import check_dtype, check_same_dtype, make_op, make_tensor
from .linalg import _square_matrices, eye, matrix_diag, matrix_diag_part, matrix_inverse, matrix_set_diag, norm
from .segment_ops import matrix_band_part
from .special_math import conj, real

__all__ = ["cholesky", "cholesky_solve", "qr", "svd", "self_adjoint_eig", "self_adjoint_eigvals", "eigh",
           "eigvalsh", "matrix_solve", "matrix_triangular_solve", "matrix_solve_ls", "lstsq", "slogdet", "logdet",
           "expm", "logm", "pinv", "matrix_rank", "adjoint", "matvec", "tridiagonal_solve",
           "tridiagonal_matmul", "normalize"]

_LINALG = (dtypes.float32, dtypes.float64, dtypes.complex64, dtypes.complex128)


def _invalid(op, message):
    return errors.InvalidArgumentError(None, op, message)


def adjoint(matrix, name=None):
    """`tf.linalg.adjoint(matrix)`: the conjugate transpose of the last two axes."""
    return _array.matrix_transpose(matrix, name=name or "adjoint", conjugate=True)


def _lower_to_symmetric_grad(grad):
    """The gradient of an op that reads only the lower triangle of a symmetric input: the symmetric
    gradient folded onto that triangle."""
    folded = matrix_band_part(grad + adjoint(grad), -1, 0)
    return matrix_set_diag(folded, 0.5 * matrix_diag_part(folded))


def _identity_like(matrix):
    """The identity matrix matching the last axis of a square (batch of) matrix."""
    rows = _array.shape(matrix)[-1]
    return eye(rows, dtype=matrix.dtype)


# --- Cholesky ------------------------------------------------------------------------------------
@register
class Cholesky(OpDef):
    """L with L L^H = input, lower triangular; reads only the input's lower triangle."""

    def infer(self, op):
        x = op.inputs[0]
        return [(x.dtype, _square_matrices(x, "Cholesky"))]

    def kernel(self, op, ctx):
        dtype = op.outputs[0].dtype.np

        def cholesky_(x):
            lower = np.tril(x)
            symmetric = lower + np.conj(np.swapaxes(np.tril(x, -1), -1, -2))
            try:
                return np.linalg.cholesky(symmetric).astype(dtype, copy=False)
            except np.linalg.LinAlgError:
                raise _invalid(op, "Cholesky decomposition was not successful. The input might not be "
                                   "valid.") from None
        return cholesky_

    def grad(self, op, dl):
        factor = op.outputs[0]
        # With L^-1 known: dA = 1/2 L^-H Phi(L^H dL) L^-1, symmetrised, Phi halving the diagonal of the
        # lower triangle (Murray, "Differentiation of the Cholesky decomposition").
        inverse = matrix_triangular_solve(factor, _identity_like(factor), lower=True)
        middle = _math.matmul(factor, dl, adjoint_a=True)
        middle = matrix_set_diag(matrix_band_part(middle, -1, 0), 0.5 * matrix_diag_part(middle))
        grad = _math.matmul(_math.matmul(inverse, middle, adjoint_a=True), inverse)
        return [0.5 * (grad + adjoint(grad))]


def cholesky(input, name=None):  # noqa: A002 - TF's argument name
    """`tf.linalg.cholesky(input)`: the lower-triangular Cholesky factor of each Hermitian positive-definite
    matrix (only the lower triangle is read); InvalidArgumentError when one is not positive definite."""
    return make_tensor("Cholesky", [convert_to_tensor(input, name="input")], name=name or "Cholesky")


# --- triangular and general solves ----------------------------------------------------------------
def _check_solve_shapes(matrix, rhs, op_name):
    check_same_dtype(op_name, matrix, rhs, "matrix", "rhs")
    shape = _square_matrices(matrix, op_name)
    if rhs.shape.ndims is not None and rhs.shape.ndims < 2:
        raise ValueError("Shape must be at least rank 2 but is rank %d for 'rhs' of '%s'"
                         % (rhs.shape.ndims, op_name))
    if shape.ndims is not None and rhs.shape.ndims is not None and \
            not shape[-1].is_compatible_with(rhs.shape[-2]):
        raise ValueError("Dimensions must be equal, but are %s and %s for '%s' with input shapes: %s, %s"
                         % (shape[-1], rhs.shape[-2], op_name, format_shape(shape), format_shape(rhs.shape)))
    if shape.ndims is None or rhs.shape.ndims is None:
        return TensorShape(None)
    batch = np.broadcast_shapes(*[tuple(1 if d is None else d for d in s.as_list()[:-2])
                                  for s in (shape, rhs.shape)])
    return TensorShape(list(batch) + rhs.shape.as_list()[-2:])


def _not_invertible(op):
    return _invalid(op, "Input matrix is not invertible.")


@register
class MatrixTriangularSolve(OpDef):
    """X with matrix X = rhs (or matrix^H X = rhs) for triangular matrices (the other triangle ignored)."""

    def infer(self, op):
        matrix, rhs = op.inputs
        return [(rhs.dtype, _check_solve_shapes(matrix, rhs, "MatrixTriangularSolve"))]

    def kernel(self, op, ctx):
        lower, adjoint_ = op.attrs["lower"], op.attrs["adjoint"]
        dtype = op.outputs[0].dtype.np

        def triangular_solve(matrix, rhs):
            triangle = np.tril(matrix) if lower else np.triu(matrix)
            if matrix.size and (np.diagonal(triangle, axis1=-2, axis2=-1) == 0).any():
                raise _not_invertible(op)
            if adjoint_:
                triangle = np.conj(np.swapaxes(triangle, -1, -2))
            return np.linalg.solve(triangle, rhs).astype(dtype, copy=False)
        return triangular_solve

    def grad(self, op, dy):
        matrix, rhs = op.inputs
        lower, adjoint_ = op.attrs["lower"], op.attrs["adjoint"]
        solution = op.outputs[0]
        grad_rhs = matrix_triangular_solve(matrix, dy, lower=lower, adjoint=not adjoint_)
        if adjoint_:
            grad_matrix = -_math.matmul(solution, grad_rhs, adjoint_b=True)
        else:
            grad_matrix = -_math.matmul(grad_rhs, solution, adjoint_b=True)
        grad_matrix = matrix_band_part(grad_matrix, -1, 0) if lower else matrix_band_part(grad_matrix, 0, -1)
        return [_sum_batch_to(grad_matrix, matrix), _sum_batch_to(grad_rhs, rhs)]


def _sum_batch_to(grad, like):
    """A gradient with broadcast batch axes summed back to `like`'s batch shape."""
    if like.shape.is_fully_defined() and grad.shape.is_fully_defined() and grad.shape == like.shape:
        return grad
    from .common import sum_to_shape_of
    return sum_to_shape_of(grad, like)


def matrix_triangular_solve(matrix, rhs, lower=True, adjoint=False, name=None):
    """`tf.linalg.triangular_solve(matrix, rhs, lower=True, adjoint=False)`: X solving matrix @ X = rhs
    (adjoint(matrix) @ X with adjoint=True) where matrix is lower (or upper) triangular; the other triangle
    is not read. A zero on the diagonal is an InvalidArgumentError."""
    matrix = convert_to_tensor(matrix, name="matrix")
    rhs = convert_to_tensor(rhs, dtype=matrix.dtype, name="rhs")
    return make_tensor("MatrixTriangularSolve", [matrix, rhs],
                       {"lower": builtins.bool(lower), "adjoint": builtins.bool(adjoint)},
                       name=name or "MatrixTriangularSolve")


@register
class MatrixSolve(OpDef):
    """X with matrix X = rhs (or matrix^H X = rhs)."""

    def infer(self, op):
        matrix, rhs = op.inputs
        return [(rhs.dtype, _check_solve_shapes(matrix, rhs, "MatrixSolve"))]

    def kernel(self, op, ctx):
        adjoint_ = op.attrs["adjoint"]
        dtype = op.outputs[0].dtype.np

        def solve(matrix, rhs):
            if adjoint_:
                matrix = np.conj(np.swapaxes(matrix, -1, -2))
            try:
                solution = np.linalg.solve(matrix, rhs)
            except np.linalg.LinAlgError:
                raise _not_invertible(op) from None
            return solution.astype(dtype, copy=False)
        return solve

    def grad(self, op, dy):
        matrix, rhs = op.inputs
        adjoint_ = op.attrs["adjoint"]
        solution = op.outputs[0]
        grad_rhs = matrix_solve(matrix, dy, adjoint=not adjoint_)
        if adjoint_:
            grad_matrix = -_math.matmul(solution, grad_rhs, adjoint_b=True)
        else:
            grad_matrix = -_math.matmul(grad_rhs, solution, adjoint_b=True)
        return [_sum_batch_to(grad_matrix, matrix), _sum_batch_to(grad_rhs, rhs)]


def matrix_solve(matrix, rhs, adjoint=False, name=None):
    """`tf.linalg.solve(matrix, rhs, adjoint=False)`: X solving matrix @ X = rhs for square matrices;
    InvalidArgumentError 'Input matrix is not invertible.' for a singular one."""
    matrix = convert_to_tensor(matrix, name="matrix")
    rhs = convert_to_tensor(rhs, dtype=matrix.dtype, name="rhs")
    return make_tensor("MatrixSolve", [matrix, rhs], {"adjoint": builtins.bool(adjoint)},
                       name=name or "MatrixSolve")


def cholesky_solve(chol, rhs, name=None):
    """`tf.linalg.cholesky_solve(chol, rhs)`: X solving A X = rhs given chol, the Cholesky factor of A."""
    with name_scope(name, "cholesky_solve", [chol, rhs]):
        half = matrix_triangular_solve(chol, rhs, lower=True, adjoint=False)
        return matrix_triangular_solve(chol, half, lower=True, adjoint=True)


@register
class MatrixSolveLs(OpDef):
    """The minimum-norm least-squares solution by complete orthogonal decomposition (lstsq fast=False)."""

    host_only = True     # one least-squares solve per matrix, in a Python loop
    differentiable = False

    def infer(self, op):
        matrix, rhs, regularizer = op.inputs
        check_same_dtype("MatrixSolveLs", matrix, rhs, "matrix", "rhs")
        if matrix.shape.ndims is None or rhs.shape.ndims is None:
            return [(matrix.dtype, TensorShape(None))]
        if not matrix.shape[-2].is_compatible_with(rhs.shape[-2]):
            raise ValueError("Dimensions must be equal, but are %s and %s for 'MatrixSolveLs'"
                             % (matrix.shape[-2], rhs.shape[-2]))
        return [(matrix.dtype, TensorShape(matrix.shape.as_list()[:-2] + [matrix.shape[-1].value,
                                                                            rhs.shape[-1].value]))]

    def kernel(self, op, ctx):
        dtype = op.outputs[0].dtype.np

        def least_squares(matrix, rhs, regularizer):
            if regularizer != 0:
                raise _invalid(op, "l2_regularizer must be 0 with fast=False, got %s" % regularizer)
            batch = matrix.shape[:-2]
            out = np.empty(batch + (matrix.shape[-1], rhs.shape[-1]), dtype=dtype)
            for index in np.ndindex(*batch):
                out[index] = np.linalg.lstsq(matrix[index], rhs[index], rcond=None)[0]
            return out
        return least_squares


def matrix_solve_ls(matrix, rhs, l2_regularizer=0.0, fast=True, name=None):
    """`tf.linalg.lstsq(matrix, rhs, l2_regularizer=0.0, fast=True)`: X minimising
    ||matrix X - rhs||^2 + l2_regularizer ||X||^2. fast=True solves the regularized normal equations by
    Cholesky (differentiable; matrix must have full rank when l2_regularizer is 0); fast=False computes the
    minimum-norm solution of rank-deficient problems (l2_regularizer 0 only; not differentiable)."""
    with name_scope(name, "matrix_solve_ls", [matrix, rhs, l2_regularizer]):
        matrix = convert_to_tensor(matrix, name="matrix")
        rhs = convert_to_tensor(rhs, dtype=matrix.dtype, name="rhs")
        regularizer = convert_to_tensor(l2_regularizer, dtype=matrix.dtype, name="l2_regularizer")
        if not fast:
            return make_tensor("MatrixSolveLs", [matrix, rhs, regularizer])
        rows, cols = matrix.shape[-2].value if matrix.shape.ndims else None, \
            matrix.shape[-1].value if matrix.shape.ndims else None
        if rows is None or cols is None:
            raise ValueError("lstsq(fast=True) needs the matrix dimensions known when the graph is built")
        if rows >= cols:
            gram = _math.matmul(matrix, matrix, adjoint_a=True)
            gram += regularizer * eye(cols, dtype=matrix.dtype)
            return cholesky_solve(cholesky(gram), _math.matmul(matrix, rhs, adjoint_a=True))
        gram = _math.matmul(matrix, matrix, adjoint_b=True)
        gram += regularizer * eye(rows, dtype=matrix.dtype)
        return _math.matmul(matrix, cholesky_solve(cholesky(gram), rhs), adjoint_a=True)


lstsq = matrix_solve_ls


# --- determinants ---------------------------------------------------------------------------------
@register
class LogMatrixDeterminant(OpDef):
    """(sign, log|det|) of each square matrix."""

    def infer(self, op):
        x = op.inputs[0]
        shape = _square_matrices(x, "LogMatrixDeterminant")
        batch = TensorShape(None) if shape.ndims is None else shape[:-2]
        return [(x.dtype, batch), (x.dtype, batch)]

    def kernel(self, op, ctx):
        dtype = op.inputs[0].dtype.np

        def slogdet_(x):
            sign, log_abs = np.linalg.slogdet(x)
            return sign.astype(dtype, copy=False), log_abs.astype(dtype, copy=False)
        return slogdet_

    def grad(self, op, dsign, dlog):
        x = op.inputs[0]
        if dlog is None:
            return [_array.zeros_like(x)]
        scale = _array.expand_dims(_array.expand_dims(dlog, -1), -1)
        return [scale * matrix_inverse(x, adjoint=True)]


def slogdet(input, name=None):  # noqa: A002 - TF's argument name
    """`tf.linalg.slogdet(input)`: (sign, log_abs_determinant) of each square matrix, the determinant being
    sign * exp(log_abs_determinant) without overflow."""
    op = make_op("LogMatrixDeterminant", [convert_to_tensor(input, name="input")],
                 name=name or "LogMatrixDeterminant")
    return op.outputs[0], op.outputs[1]


def logdet(matrix, name=None):
    """`tf.linalg.logdet(matrix)`: log(det(matrix)) of Hermitian positive-definite matrices, as twice the
    sum of the logs of the Cholesky factor's diagonal."""
    with name_scope(name, "logdet", [matrix]):
        factor = cholesky(matrix)
        return 2.0 * _math.reduce_sum(_math.log(real(matrix_diag_part(factor))
                                                if factor.dtype.is_complex else matrix_diag_part(factor)),
                                      axis=-1)


# --- eigen decomposition of Hermitian matrices -----------------------------------------------------
@register
class SelfAdjointEigV2(OpDef):
    """Eigenvalues (ascending) and eigenvectors (columns) of Hermitian matrices; reads the lower triangle."""

    def infer(self, op):
        x = op.inputs[0]
        shape = _square_matrices(x, "SelfAdjointEigV2")
        values_dtype = dtypes.float64 if x.dtype is dtypes.complex128 else \
            dtypes.float32 if x.dtype is dtypes.complex64 else x.dtype
        if op.attrs["compute_v"]:
            vectors_shape = shape
        else:
            vectors_shape = TensorShape([0])
        return [(values_dtype, TensorShape(None) if shape.ndims is None else shape[:-1]),
                (x.dtype, vectors_shape)]

    def kernel(self, op, ctx):
        compute_v = op.attrs["compute_v"]
        values_dtype, vectors_dtype = op.outputs[0].dtype.np, op.outputs[1].dtype.np
        xp = ctx.xp

        def eigh_(x):
            try:
                if compute_v:
                    values, vectors = np.linalg.eigh(x)
                    return values.astype(values_dtype), vectors.astype(vectors_dtype)
                return np.linalg.eigvalsh(x).astype(values_dtype), xp.zeros([0], vectors_dtype)
            except np.linalg.LinAlgError:
                raise _invalid(op, "Self-adjoint eigen decomposition was not successful. The input might not "
                                   "be valid.") from None
        return eigh_

    def grad(self, op, de, dv):
        x = op.inputs[0]
        if op.attrs["compute_v"]:
            values, vectors = op.outputs
        else:
            values, vectors = self_adjoint_eig(x)
            dv = None
        values = _math.cast(values, x.dtype)
        inner = matrix_diag(_array.zeros_like(values) if de is None else _math.cast(de, x.dtype))
        if dv is not None:
            # Off the diagonal, 1 / (e_j - e_i); on it (and for repeated eigenvalues) nothing.
            gaps = _array.expand_dims(values, -2) - _array.expand_dims(values, -1)
            inverse_gaps = matrix_set_diag(_math.div_no_nan(_array.ones_like(gaps), gaps),
                                           _array.zeros_like(values))
            inner = inner + inverse_gaps * _math.matmul(vectors, dv, adjoint_a=True)
        grad = _math.matmul(vectors, _math.matmul(inner, vectors, adjoint_b=True))
        return [_lower_to_symmetric_grad(grad)]


def self_adjoint_eig(tensor, name=None):
    """`tf.linalg.eigh(tensor)`: (e, v), the ascending eigenvalues and the eigenvectors (as columns) of each
    Hermitian matrix; only the lower triangle is read."""
    op = make_op("SelfAdjointEigV2", [convert_to_tensor(tensor, name="tensor")], {"compute_v": True},
                 name=name or "SelfAdjointEigV2")
    return op.outputs[0], op.outputs[1]


def self_adjoint_eigvals(tensor, name=None):
    """`tf.linalg.eigvalsh(tensor)`: the ascending eigenvalues of each Hermitian matrix."""
    op = make_op("SelfAdjointEigV2", [convert_to_tensor(tensor, name="tensor")], {"compute_v": False},
                 name=name or "SelfAdjointEigV2")
    return op.outputs[0]


eigh = self_adjoint_eig
eigvalsh = self_adjoint_eigvals


# --- QR ------------------------------------------------------------------------------------------
@register
class Qr(OpDef):
    """Q (orthonormal columns) and R (upper triangular) with Q R = input."""

    def infer(self, op):
        x = op.inputs[0]
        check_dtype(x, _LINALG, "Qr")
        if x.shape.ndims is None:
            return [(x.dtype, TensorShape(None))] * 2
        if x.shape.ndims < 2:
            raise ValueError("Shape must be at least rank 2 but is rank %d for 'Qr'" % x.shape.ndims)
        batch, (rows, cols) = x.shape.as_list()[:-2], x.shape.as_list()[-2:]
        if op.attrs["full_matrices"]:
            inner = rows
        else:
            inner = None if rows is None or cols is None else builtins.min(rows, cols)
        return [(x.dtype, TensorShape(batch + [rows, inner])), (x.dtype, TensorShape(batch + [inner, cols]))]

    def kernel(self, op, ctx):
        mode = "complete" if op.attrs["full_matrices"] else "reduced"
        dtype = op.outputs[0].dtype.np

        def qr_(x):
            q, r = np.linalg.qr(x, mode=mode)
            return q.astype(dtype, copy=False), r.astype(dtype, copy=False)
        return qr_

    def grad(self, op, dq, dr):
        x = op.inputs[0]
        q, r = op.outputs
        rows, cols = x.shape[-2].value if x.shape.ndims else None, x.shape[-1].value if x.shape.ndims else None
        if rows is None or cols is None or rows < cols or (op.attrs["full_matrices"] and rows != cols):
            raise NotImplementedError("QrGrad not implemented when ncols > nrows or full_matrices is true and "
                                      "ncols != nrows (input shape %s)" % format_shape(x.shape))
        dq = _array.zeros_like(q) if dq is None else dq
        dr = _array.zeros_like(r) if dr is None else dr
        # dA = (dQ + Q copyltu(M)) R^-H with M = R dR^H - dQ^H Q, copyltu mirroring the lower triangle.
        m = _math.matmul(r, dr, adjoint_b=True) - _math.matmul(dq, q, adjoint_a=True)
        lower = matrix_band_part(m, -1, 0)
        mirrored = lower + adjoint(lower) - matrix_diag(matrix_diag_part(m))
        left = dq + _math.matmul(q, mirrored)
        # left R^-H = (R^-1 left^H)^H: one triangular solve with the upper factor.
        return [adjoint(matrix_triangular_solve(r, adjoint(left), lower=False))]


def qr(input, full_matrices=False, name=None):  # noqa: A002 - TF's argument name
    """`tf.linalg.qr(input, full_matrices=False)`: (q, r) with q @ r = input, q with orthonormal columns and
    r upper triangular; full_matrices=True gives the square q [M, M] and r [M, N]."""
    op = make_op("Qr", [convert_to_tensor(input, name="input")], {"full_matrices": builtins.bool(full_matrices)},
                 name=name or "Qr")
    return op.outputs[0], op.outputs[1]


# --- SVD -----------------------------------------------------------------------------------------
@register
class Svd(OpDef):
    """Singular values (descending) and, with compute_uv, U and V with input = U diag(s) V^H."""

    def infer(self, op):
        x = op.inputs[0]
        check_dtype(x, _LINALG, "Svd")
        real = dtypes.float64 if x.dtype is dtypes.complex128 else \
            dtypes.float32 if x.dtype is dtypes.complex64 else x.dtype
        if x.shape.ndims is None:
            return [(real, TensorShape(None)), (x.dtype, TensorShape(None)), (x.dtype, TensorShape(None))]
        if x.shape.ndims < 2:
            raise ValueError("Shape must be at least rank 2 but is rank %d for 'Svd'" % x.shape.ndims)
        batch, (rows, cols) = x.shape.as_list()[:-2], x.shape.as_list()[-2:]
        inner = None if rows is None or cols is None else builtins.min(rows, cols)
        if not op.attrs["compute_uv"]:
            return [(real, TensorShape(batch + [inner])), (x.dtype, TensorShape([0])), (x.dtype, TensorShape([0]))]
        full = op.attrs["full_matrices"]
        return [(real, TensorShape(batch + [inner])),
                (x.dtype, TensorShape(batch + [rows, rows if full else inner])),
                (x.dtype, TensorShape(batch + [cols, cols if full else inner]))]

    def kernel(self, op, ctx):
        compute_uv, full = op.attrs["compute_uv"], op.attrs["full_matrices"]
        real, dtype = op.outputs[0].dtype.np, op.outputs[1].dtype.np
        xp = ctx.xp

        def svd_(x):
            try:
                if not compute_uv:
                    return (np.linalg.svd(x, compute_uv=False).astype(real), xp.zeros([0], dtype),
                            xp.zeros([0], dtype))
                u, s, vh = np.linalg.svd(x, full_matrices=full)
            except np.linalg.LinAlgError:
                raise _invalid(op, "SVD did not converge") from None
            return s.astype(real), u.astype(dtype), np.conj(np.swapaxes(vh, -1, -2)).astype(dtype)
        return svd_

    def grad(self, op, ds, du, dv):
        x = op.inputs[0]
        if not op.attrs["compute_uv"]:
            s, u, v = svd(x, full_matrices=False, compute_uv=True)
            return [_math.matmul(u, _math.matmul(matrix_diag(_math.cast(ds, x.dtype)), v, adjoint_b=True))]
        rows, cols = x.shape[-2].value if x.shape.ndims else None, x.shape[-1].value if x.shape.ndims else None
        if rows is None or cols is None:
            raise NotImplementedError("SVD gradient needs the matrix dimensions known when the graph is built")
        if op.attrs["full_matrices"] and rows != cols:
            raise NotImplementedError("SVD gradient has not been implemented for input with unequal number of "
                                      "rows and columns and full_matrices=True")
        s, u, v = op.outputs
        ds = _array.zeros_like(s) if ds is None else ds
        du = _array.zeros_like(u) if du is None else du
        dv = _array.zeros_like(v) if dv is None else dv
        if rows < cols:     # work with the transpose, whose SVD swaps u and v
            return [adjoint(_svd_tall_grad(s, v, u, ds, dv, du, x.dtype))]
        return [_svd_tall_grad(s, u, v, ds, du, dv, x.dtype)]


def _svd_tall_grad(s, u, v, ds, du, dv, dtype):
    """The gradient of A = U diag(s) V^H for rows >= cols (V square), real matrices:
    U [sym(F o (U^H dU)) S + diag(ds) + S sym(F o (V^H dV))] V^H + (I - U U^H) dU S^-1 V^H, with
    F_ij = 1 / (s_j^2 - s_i^2) off the diagonal and sym(X) = X - X^H (Townsend's formula)."""
    s = _math.cast(s, dtype)
    s_row, s_col = _array.expand_dims(s, -2), _array.expand_dims(s, -1)
    gaps = s_row * s_row - s_col * s_col
    f = matrix_set_diag(_math.div_no_nan(_array.ones_like(gaps), gaps), _array.zeros_like(s))
    utdu = _math.matmul(u, du, adjoint_a=True)
    vtdv = _math.matmul(v, dv, adjoint_a=True)
    j = f * (utdu - adjoint(utdu))
    k = f * (vtdv - adjoint(vtdv))
    inner = j * s_row + matrix_diag(_math.cast(ds, dtype)) + s_col * k
    grad = _math.matmul(u, _math.matmul(inner, v, adjoint_b=True))
    projected = du - _math.matmul(u, utdu)
    grad += _math.matmul(projected / s_row, v, adjoint_b=True)
    return grad


def svd(tensor, full_matrices=False, compute_uv=True, name=None):
    """`tf.linalg.svd(tensor, full_matrices=False, compute_uv=True)`: (s, u, v) with tensor =
    u @ diag(s) @ adjoint(v) and s descending; only s when compute_uv=False. Note v, not its adjoint."""
    op = make_op("Svd", [convert_to_tensor(tensor, name="tensor")],
                 {"full_matrices": builtins.bool(full_matrices), "compute_uv": builtins.bool(compute_uv)},
                 name=name or "Svd")
    if compute_uv:
        return op.outputs[0], op.outputs[1], op.outputs[2]
    return op.outputs[0]


def pinv(a, rcond=None, validate_args=False, name=None):
    """`tf.linalg.pinv(a, rcond=None)`: the Moore-Penrose pseudo-inverse from the SVD, singular values at
    or below rcond * max(s) treated as zero (rcond defaults to 10 * max(rows, cols) * eps)."""
    with name_scope(name, "pinv", [a, rcond]):
        a = convert_to_tensor(a, name="a")
        if rcond is None:
            rows, cols = a.shape[-2].value, a.shape[-1].value
            rcond = 10.0 * builtins.max(rows, cols) * np.finfo(a.dtype.np).eps
        s, u, v = svd(a, full_matrices=False)
        cutoff = _math.cast(rcond, s.dtype) * _math.reduce_max(s, axis=-1, keepdims=True)
        kept = _math.greater(s, cutoff)
        inverse_s = _math.where(kept, _math.div_no_nan(_array.ones_like(s), s), _array.zeros_like(s))
        return _math.matmul(v * _array.expand_dims(inverse_s, -2), u, adjoint_b=True)


def matrix_rank(a, tol=None, validate_args=False, name=None):
    """`tf.linalg.matrix_rank(a, tol=None)`: the number of singular values above tol (default
    max(s) * max(rows, cols) * eps), int32."""
    with name_scope(name, "matrix_rank", [a, tol]):
        a = convert_to_tensor(a, name="a")
        s = svd(a, compute_uv=False)
        if tol is None:
            rows, cols = a.shape[-2].value, a.shape[-1].value
            tol = _math.reduce_max(s, axis=-1, keepdims=True) * (builtins.max(rows, cols) *
                                                                 np.finfo(s.dtype.np).eps)
        return _math.reduce_sum(_math.cast(_math.greater(s, tol), dtypes.int32), axis=-1)


# --- matrix functions ------------------------------------------------------------------------------
def _pade_coefficients(degree):
    """The numerator coefficients of the [degree/degree] Pade approximant of exp."""
    f = _pymath.factorial
    return [f(2 * degree - k) * f(degree) / (f(2 * degree) * f(k) * f(degree - k)) for k in range(degree + 1)]


_PADE_13 = _pade_coefficients(13)
_PADE_13_NORM = 5.371920351148152     # the 1-norm up to which degree 13 reaches double precision


def _expm64(x):
    """exp of each matrix: scaling and squaring with the degree-13 Pade approximant."""
    x = np.asarray(x)
    norm1 = np.abs(x).sum(axis=-2).max(axis=-1) if x.size else np.zeros(x.shape[:-2])
    squarings = np.maximum(0, np.ceil(np.log2(np.maximum(norm1, 1e-300) / _PADE_13_NORM))).astype(int)
    out = np.empty_like(x)
    identity = np.eye(x.shape[-1], dtype=x.dtype)
    for index in np.ndindex(*x.shape[:-2]):
        count = int(squarings[index]) if squarings.ndim else int(squarings)
        a = x[index] / (2.0 ** count)
        powers = [identity, a]
        for _ in range(2, 14):
            powers.append(powers[-1] @ a)
        even = sum(_PADE_13[k] * powers[k] for k in range(0, 14, 2))
        odd = sum(_PADE_13[k] * powers[k] for k in range(1, 14, 2))
        result = np.linalg.solve(even - odd, even + odd)
        for _ in range(count):
            result = result @ result
        out[index] = result
    return out


@register
class MatrixExponential(OpDef):
    """exp of each square matrix."""

    host_only = True     # scaling and squaring per matrix, in a Python loop

    def infer(self, op):
        x = op.inputs[0]
        return [(x.dtype, _square_matrices(x, "MatrixExponential"))]

    def kernel(self, op, ctx):
        dtype = op.outputs[0].dtype.np
        return lambda x: _expm64(x.astype(np.complex128 if x.dtype.kind == "c" else np.float64)).astype(dtype)

    def grad(self, op, dy):
        x = op.inputs[0]
        # d<G, exp(A)>/dA is the upper-right block of exp([[A^H, G], [0, A^H]]).
        xh = adjoint(x)
        top = _array.concat([xh, dy], axis=-1)
        bottom = _array.concat([_array.zeros_like(xh), xh], axis=-1)
        block = expm(_array.concat([top, bottom], axis=-2))
        size = _array.shape(x)[-1]
        rank = x.shape.ndims
        begin = _array.concat([_array.zeros([rank - 1], dtypes.int32), _array.reshape(size, [1])], 0)
        sizes = _array.concat([-_array.ones([rank - 2], dtypes.int32), _array.stack([size, size])], 0)
        return [_array.slice(block, begin, sizes)]


def expm(input, name=None):  # noqa: A002 - TF's argument name
    """`tf.linalg.expm(input)`: the matrix exponential of each square matrix (scaling and squaring with
    a Pade approximant)."""
    return make_tensor("MatrixExponential", [convert_to_tensor(input, name="input")],
                       name=name or "MatrixExponential")


@register
class MatrixLogarithm(OpDef):
    """The principal logarithm of each complex square matrix, by eigendecomposition."""

    host_only = True     # through numpy.linalg.eig, which CuPy does not provide
    differentiable = False

    def infer(self, op):
        x = op.inputs[0]
        check_dtype(x, (dtypes.complex64, dtypes.complex128), "MatrixLogarithm")
        return [(x.dtype, _square_matrices(x, "MatrixLogarithm"))]

    def kernel(self, op, ctx):
        dtype = op.outputs[0].dtype.np

        def logm_(x):
            values, vectors = np.linalg.eig(x.astype(np.complex128))
            try:
                inverse = np.linalg.inv(vectors)
            except np.linalg.LinAlgError:
                raise _invalid(op, "logm: the matrix is not diagonalizable") from None
            return ((vectors * np.log(values)[..., None, :]) @ inverse).astype(dtype)
        return logm_


def logm(input, name=None):  # noqa: A002 - TF's argument name
    """`tf.linalg.logm(input)`: the principal matrix logarithm of each complex (diagonalizable) square
    matrix; complex64/complex128 only, as in TF. Not differentiable, as in TF."""
    return make_tensor("MatrixLogarithm", [convert_to_tensor(input, name="input")], name=name or "MatrixLogarithm")


# --- small compositions --------------------------------------------------------------------------
def matvec(a, b, transpose_a=False, adjoint_a=False, a_is_sparse=False, b_is_sparse=False, name=None):
    """`tf.linalg.matvec(a, b, transpose_a=False, adjoint_a=False)`: the matrix-vector product a @ b with
    b's last axis as the vector."""
    with name_scope(name, "MatVec", [a, b]):
        b = _array.expand_dims(convert_to_tensor(b, name="b"), -1)
        product = _math.matmul(a, b, transpose_a=transpose_a, adjoint_a=adjoint_a)
        return _array.squeeze(product, axis=[-1])


def _tridiagonal_dense(diagonals, diagonals_format, name):
    """The dense matrices described by tridiagonal diagonals in TF's 'compact', 'sequence' or 'matrix'
    formats."""
    if diagonals_format == "matrix":
        return convert_to_tensor(diagonals, name=name)
    if diagonals_format == "sequence":
        superdiag, maindiag, subdiag = [convert_to_tensor(d, name=name) for d in diagonals]
    elif diagonals_format == "compact":
        compact = convert_to_tensor(diagonals, name=name)
        superdiag, maindiag, subdiag = compact[..., 0, :], compact[..., 1, :], compact[..., 2, :]
    else:
        raise ValueError("Unrecognized diagonals_format: %s" % diagonals_format)
    # superdiag[..., -1] and subdiag[..., 0] are ignored, as TF documents.
    upper = matrix_diag(superdiag[..., :-1])
    lower = matrix_diag(subdiag[..., 1:])
    upper = _array.pad(upper, _shift_padding(upper, right=True))
    lower = _array.pad(lower, _shift_padding(lower, right=False))
    return matrix_diag(maindiag) + upper + lower


def _shift_padding(matrix, right):
    """Paddings placing an (n-1)x(n-1) diagonal block above (right=True) or below the main diagonal."""
    rank = matrix.shape.ndims
    batch = [[0, 0]] * (rank - 2)
    return batch + ([[0, 1], [1, 0]] if right else [[1, 0], [0, 1]])


def tridiagonal_solve(diagonals, rhs, diagonals_format="compact", transpose_rhs=False, conjugate_rhs=False,
                      name=None, partial_pivoting=True, perturb_singular=False):
    """`tf.linalg.tridiagonal_solve(diagonals, rhs, diagonals_format='compact')`: X solving A X = rhs for
    tridiagonal A given as 'compact' [..., 3, M] (superdiagonal, diagonal, subdiagonal), 'sequence' (a
    list of the three) or 'matrix' [..., M, M]; rhs [..., M, K] (or [..., K, M] with transpose_rhs)."""
    with name_scope(name, "linalg_tridiagonal_solve", [rhs]):
        matrix = _tridiagonal_dense(diagonals, diagonals_format, "diagonals")
        rhs = convert_to_tensor(rhs, dtype=matrix.dtype, name="rhs")
        if transpose_rhs:
            rhs = _array.matrix_transpose(rhs, conjugate=conjugate_rhs)
        elif conjugate_rhs:
            rhs = conj(rhs)
        return matrix_solve(matrix, rhs)


def tridiagonal_matmul(diagonals, rhs, diagonals_format="compact", name=None):
    """`tf.linalg.tridiagonal_matmul(diagonals, rhs, diagonals_format='compact')`: A @ rhs for the
    tridiagonal A described as in tridiagonal_solve."""
    with name_scope(name, "tridiagonal_matmul", [rhs]):
        matrix = _tridiagonal_dense(diagonals, diagonals_format, "diagonals")
        return _math.matmul(matrix, convert_to_tensor(rhs, dtype=matrix.dtype, name="rhs"))


def normalize(tensor, ord="euclidean", axis=None, name=None):  # noqa: A002 - TF's argument name
    """`tf.linalg.normalize(tensor, ord='euclidean', axis=None)`: (tensor / norm, norm), the norm as
    tf.norm computes it with keepdims=True."""
    with name_scope(name, "normalize", [tensor]):
        tensor = convert_to_tensor(tensor, name="tensor")
        size = norm(tensor, ord=ord, axis=axis, keepdims=True)
        return tensor / size, size
