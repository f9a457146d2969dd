"""`tf.linalg.eigh_tridiagonal`: eigenvalues (and optionally eigenvectors) of a Hermitian tridiagonal
matrix given by its diagonal and off-diagonal, composed of the dense matrix and tf.linalg.eigh."""
from ..framework.graph import convert_to_tensor, name_scope

__all__ = ["eigh_tridiagonal"]


def eigh_tridiagonal(alpha, beta, eigvals_only=True, select="a", select_range=None, tol=None, name=None):
    """`tf.linalg.eigh_tridiagonal(alpha, beta, eigvals_only=True, select='a', select_range=None)`: the
    eigenvalues, ascending, of the Hermitian tridiagonal matrix with diagonal alpha [n] and
    superdiagonal beta [n-1]; select='i' keeps the indices select_range = (lo, hi) (inclusive),
    select='v' the eigenvalues in (lo, hi]. With eigvals_only=False also the eigenvectors, as the
    columns of an [n, k] matrix. `tol` is a tolerance of TF's bisection; the values here come from a
    dense eigendecomposition."""
    from .array import boolean_mask, pad, transpose
    from .linalg import matrix_diag
    from .linalg_extra import eigh
    from .math import greater, less_equal, logical_and
    from .special_math import conj
    del tol
    if select not in ("a", "i", "v"):
        raise ValueError("select must be 'a', 'i' or 'v', got %r" % (select,))
    if select != "a" and (select_range is None or len(select_range) != 2):
        raise ValueError("select_range must be a pair (lo, hi) when select is %r" % select)
    with name_scope(name, "eigh_tridiagonal", [alpha, beta]):
        alpha = convert_to_tensor(alpha, name="alpha")
        beta = convert_to_tensor(beta, dtype=alpha.dtype, name="beta")
        if alpha.shape.ndims != 1 or beta.shape.ndims != 1:
            raise ValueError("alpha and beta must be vectors, got shapes %s and %s" % (alpha.shape, beta.shape))
        n = alpha.shape[0].value
        if n is not None and beta.shape[0].value is not None and beta.shape[0].value != n - 1:
            raise ValueError("beta must have one element fewer than alpha, got %d and %d" % (beta.shape[0].value, n))
        upper = pad(matrix_diag(beta), [[0, 1], [1, 0]])
        lower = pad(matrix_diag(conj(beta) if beta.dtype.is_complex else beta), [[1, 0], [0, 1]])
        values, vectors = eigh(matrix_diag(alpha) + upper + lower)
        if select == "i":
            lo, hi = (int(v) for v in select_range)
            values, vectors = values[lo:hi + 1], vectors[:, lo:hi + 1]
        elif select == "v":
            lo, hi = select_range
            keep = logical_and(greater(values, lo), less_equal(values, hi))
            values = boolean_mask(values, keep)
            vectors = transpose(boolean_mask(transpose(vectors), keep))
        return values if eigvals_only else (values, vectors)
