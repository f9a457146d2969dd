"""`tf.linalg.sqrtm` / `tf.matrix_square_root`: the principal square root X of square matrices A (X @ X =
A, the eigenvalues of X in the right half plane), by the Denman-Beavers iteration with determinant
scaling, which converges when A has no eigenvalue on the closed negative real axis; for other matrices
(no principal square root in their dtype) the result is NaN. The gradient solves the Sylvester equation
X^H G + G X^H = dX for G (MatrixSquareRootGrad)."""
import numpy as np

from ..framework import dtypes, errors
from ..framework.graph import convert_to_tensor
from ..framework.op_def import OpDef, register
from .common import make_tensor

__all__ = ["sqrtm"]

_TYPES = (dtypes.float32, dtypes.float64, dtypes.complex64, dtypes.complex128)


def _principal_sqrt(matrix):
    n = matrix.shape[0]
    work = matrix.astype(np.complex128 if np.iscomplexobj(matrix) else np.float64)
    if n == 0:
        return work
    y, z = work.copy(), np.eye(n, dtype=work.dtype)
    for _ in range(100):
        try:
            y_inv, z_inv = np.linalg.inv(y), np.linalg.inv(z)
        except np.linalg.LinAlgError:
            return np.full_like(work, np.nan)
        # Determinant scaling speeds up the early steps (Higham, Functions of Matrices, 6.28).
        det = abs(np.linalg.det(y) * np.linalg.det(z))
        gamma = det ** (-1.0 / (2 * n)) if det > 0 and np.isfinite(det) else 1.0
        y_next = 0.5 * (gamma * y + z_inv / gamma)
        z_next = 0.5 * (gamma * z + y_inv / gamma)
        change = np.linalg.norm(y_next - y) / max(np.linalg.norm(y_next), 1e-300)
        y, z = y_next, z_next
        if change < 1e-14:
            break
    if not np.all(np.isfinite(y)) or np.linalg.norm(y @ y - work) > 1e-6 * max(np.linalg.norm(work), 1.0):
        return np.full_like(work, np.nan)
    return y


def _batched(values, function):
    flat = values.reshape((-1,) + values.shape[-2:])
    return np.stack([function(m) for m in flat]).reshape(values.shape) if flat.size else values.copy()


class _SquareMatrices(OpDef):
    def check(self, x):
        if x.dtype not in _TYPES:
            raise TypeError("Value passed to parameter 'input' has DataType %s not in list of allowed values: "
                            "float32, float64, complex64, complex128" % x.dtype.name)
        if x.shape.ndims is not None:
            if x.shape.ndims < 2:
                raise ValueError("Shape must be at least rank 2 but is rank %d" % x.shape.ndims)
            rows, cols = x.shape[-2].value, x.shape[-1].value
            if rows is not None and cols is not None and rows != cols:
                raise ValueError("Dimensions must be equal, but are %d and %d (input shape %s)" % (rows, cols, x.shape))


@register
class MatrixSquareRoot(_SquareMatrices):
    """The principal square root of each [n, n] matrix."""

    host_only = True     # Denman-Beavers iterations per matrix, in Python

    def infer(self, op):
        self.check(op.inputs[0])
        return [(op.inputs[0].dtype, op.inputs[0].shape)]

    def kernel(self, op, ctx):
        def sqrtm(x):
            x = np.asarray(x)
            if x.shape[-1] != x.shape[-2]:
                raise errors.InvalidArgumentError(None, op, "Input matrix must be square, got shape %s"
                                                  % list(x.shape))
            return _batched(x, _principal_sqrt).astype(x.dtype)
        return sqrtm

    def grad(self, op, dy):
        return [make_tensor("MatrixSquareRootGrad", [op.outputs[0], dy])]


def _sylvester(root, upstream):
    """G with root^H G + G root^H = upstream, through the Kronecker form of the equation."""
    n = root.shape[0]
    a = root.conj().T
    system = np.kron(np.eye(n), a) + np.kron(a.T, np.eye(n))
    solution = np.linalg.solve(system, upstream.reshape(-1, order="F"))
    return solution.reshape((n, n), order="F")


@register
class MatrixSquareRootGrad(_SquareMatrices):
    """MatrixSquareRoot's gradient: solves X^H G + G X^H = dX for each matrix."""

    host_only = True     # a Kronecker-form solve per matrix, in Python

    def infer(self, op):
        return [(op.inputs[1].dtype, op.inputs[1].shape)]

    def kernel(self, op, ctx):
        def back(root, upstream):
            root, upstream = np.asarray(root), np.asarray(upstream)
            flat_root = root.reshape((-1,) + root.shape[-2:])
            flat_up = upstream.reshape((-1,) + upstream.shape[-2:])
            out = [_sylvester(r, g) for r, g in zip(flat_root, flat_up)]
            result = np.stack(out).reshape(upstream.shape) if out else np.zeros(upstream.shape)
            return (result.real if not np.iscomplexobj(upstream) else result).astype(upstream.dtype)
        return back


def sqrtm(input, name=None):  # noqa: A002 - TF's argument name
    """`tf.linalg.sqrtm(input)` (also `tf.matrix_square_root`): the principal square root of square
    matrices [..., n, n] (NaN where none exists in the input's dtype); differentiable."""
    return make_tensor("MatrixSquareRoot", [convert_to_tensor(input, name="input")], name=name or "MatrixSquareRoot")
