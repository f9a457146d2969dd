"""tf.linalg.LinearOperator* (linalg_operator.py): each operator's dense matrix against its definition
built in NumPy, and matmul / matvec / solve / determinants / diag / trace / adjoint / inverse of every
operator against NumPy on that matrix; hints, shape queries and error paths."""
import numpy as np
import pytest

import numflow as tf
from gradcheck import check_gradients

L = tf.linalg
r = np.random.RandomState(0)
A = r.randn(3, 3) + 3 * np.eye(3)
B = r.randn(2, 2) + 2 * np.eye(2)
DIAG = r.uniform(0.5, 2.0, 3)
AXIS = r.randn(3)
COL, ROW = r.randn(4), r.randn(4)
TRI = r.randn(3, 4) + np.array([[0], [4], [0]])
SPECTRUM = r.randn(4) + 1j * r.randn(4)
SPECTRUM_2D = r.randn(2, 3) + 1j * r.randn(2, 3)
U = r.randn(3, 2)


def toeplitz(col, row):
    n = len(col)
    return np.array([[col[i - j] if i >= j else row[j - i] for j in range(n)] for i in range(n)])


def circulant(spectrum):
    c = np.fft.ifft(spectrum)
    n = len(c)
    return np.array([[c[(i - j) % n] for j in range(n)] for i in range(n)])


def circulant_2d(spectrum):
    """Block circulant with circulant blocks: the operator y = ifft2(spectrum * fft2(x)) on flattened x."""
    n0, n1 = spectrum.shape
    size = n0 * n1
    columns = [np.fft.ifft2(spectrum * np.fft.fft2(np.eye(size)[k].reshape(n0, n1))).reshape(-1)
               for k in range(size)]
    return np.stack(columns, axis=1)


def tridiag(compact):
    superdiag, diag, subdiag = compact
    return np.diag(diag) + np.diag(superdiag[:-1], 1) + np.diag(subdiag[1:], -1)


def block_diag(*blocks):
    size = sum(b.shape[0] for b in blocks)
    out = np.zeros((size, size), blocks[0].dtype)
    start = 0
    for b in blocks:
        out[start:start + len(b), start:start + len(b)] = b
        start += len(b)
    return out


# name: (builder, dense matrix by definition)
CASES = {
    "full": (lambda: L.LinearOperatorFullMatrix(A), A),
    "diag": (lambda: L.LinearOperatorDiag(DIAG), np.diag(DIAG)),
    "identity": (lambda: L.LinearOperatorIdentity(3, dtype=tf.float64), np.eye(3)),
    "scaled_identity": (lambda: L.LinearOperatorScaledIdentity(3, 2.5), 2.5 * np.eye(3)),
    "lower_triangular": (lambda: L.LinearOperatorLowerTriangular(A), np.tril(A)),
    "householder": (lambda: L.LinearOperatorHouseholder(AXIS),
                    np.eye(3) - 2 * np.outer(AXIS, AXIS) / AXIS.dot(AXIS)),
    "toeplitz": (lambda: L.LinearOperatorToeplitz(COL, ROW), toeplitz(COL, ROW)),
    "permutation": (lambda: L.LinearOperatorPermutation([2, 0, 1], dtype=tf.float64),
                    np.array([[0, 0, 1], [1, 0, 0], [0, 1, 0]], np.float64)),
    "tridiag": (lambda: L.LinearOperatorTridiag(TRI), tridiag(TRI)),
    "tridiag_sequence": (lambda: L.LinearOperatorTridiag(list(TRI), diagonals_format="sequence"), tridiag(TRI)),
    "tridiag_matrix": (lambda: L.LinearOperatorTridiag(tridiag(TRI) + np.triu(np.ones((4, 4)), 2),
                                                       diagonals_format="matrix"), tridiag(TRI)),
    "circulant": (lambda: L.LinearOperatorCirculant(SPECTRUM, input_output_dtype=tf.complex128),
                  circulant(SPECTRUM)),
    "circulant_2d": (lambda: L.LinearOperatorCirculant2D(SPECTRUM_2D, input_output_dtype=tf.complex128),
                     circulant_2d(SPECTRUM_2D)),
    "kronecker": (lambda: L.LinearOperatorKronecker([L.LinearOperatorFullMatrix(B), L.LinearOperatorFullMatrix(A)]),
                  np.kron(B, A)),
    "low_rank_update": (lambda: L.LinearOperatorLowRankUpdate(L.LinearOperatorDiag(DIAG), U, diag_update=[2.0, 0.5]),
                        np.diag(DIAG) + U @ np.diag([2.0, 0.5]) @ U.T),
    "block_diag": (lambda: L.LinearOperatorBlockDiag([L.LinearOperatorFullMatrix(B), L.LinearOperatorDiag(DIAG)]),
                   block_diag(B, np.diag(DIAG))),
    "block_lower_triangular": (
        lambda: L.LinearOperatorBlockLowerTriangular([[L.LinearOperatorFullMatrix(B)],
                                                      [L.LinearOperatorFullMatrix(U), L.LinearOperatorFullMatrix(A)]]),
        np.block([[B, np.zeros((2, 3))], [U, A]])),
    "composition": (lambda: L.LinearOperatorComposition([L.LinearOperatorFullMatrix(A), L.LinearOperatorDiag(DIAG)]),
                    A @ np.diag(DIAG)),
    "adjoint": (lambda: L.LinearOperatorAdjoint(L.LinearOperatorFullMatrix(A)), A.T),
    "inversion": (lambda: L.LinearOperatorInversion(L.LinearOperatorFullMatrix(A)), np.linalg.inv(A)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_operator_matches_numpy(name):
    build, dense = CASES[name]
    op = build()
    n = dense.shape[0]
    assert op.shape.as_list() == [n, n] and op.domain_dimension.value == n and op.range_dimension.value == n
    x = r.randn(n, 2).astype(dense.dtype)
    vec = r.randn(n).astype(dense.dtype)
    fetch = {"dense": op.to_dense(), "matmul": op.matmul(x), "matmul_adj": op.matmul(x, adjoint=True),
             "matmul_adj_arg": op.matmul(x.T.conj(), adjoint_arg=True), "matvec": op.matvec(vec),
             "solve": op.solve(x), "solve_adj": op.solve(x, adjoint=True), "solvevec": op.solvevec(vec),
             "det": op.determinant(), "logdet": op.log_abs_determinant(), "diag": op.diag_part(),
             "trace": op.trace(), "adjoint": op.adjoint().to_dense(), "inverse": op.inverse().to_dense(),
             "add": op.add_to_tensor(x[:, :1] * np.ones((1, n))), "shape": op.shape_tensor()}
    got = tf.Session().run(fetch)
    expected = {"dense": dense, "matmul": dense @ x, "matmul_adj": dense.conj().T @ x, "matmul_adj_arg": dense @ x,
                "matvec": dense @ vec, "solve": np.linalg.solve(dense, x),
                "solve_adj": np.linalg.solve(dense.conj().T, x), "solvevec": np.linalg.solve(dense, vec),
                "det": np.linalg.det(dense), "logdet": np.log(abs(np.linalg.det(dense))), "diag": np.diag(dense),
                "trace": np.trace(dense), "adjoint": dense.conj().T, "inverse": np.linalg.inv(dense),
                "add": dense + x[:, :1] * np.ones((1, n)), "shape": [n, n]}
    for key in expected:
        np.testing.assert_allclose(got[key], expected[key], rtol=1e-7, atol=1e-9, err_msg=key)


def test_batch_shapes_broadcast():
    batch = r.randn(2, 3, 3) + 3 * np.eye(3)
    full = L.LinearOperatorFullMatrix(batch)
    diag = L.LinearOperatorDiag(np.ones((4, 1, 3)))
    assert full.batch_shape.as_list() == [2] and diag.batch_shape.as_list() == [4, 1]
    product = full.matmul(diag)
    assert isinstance(product, L.LinearOperatorComposition)
    assert product.shape.as_list() == [4, 2, 3, 3]
    x = r.randn(3, 5)
    got = tf.Session().run([full.matmul(x), full.solve(x), full.determinant(), product.to_dense(),
                            full.tensor_rank_tensor(), full.batch_shape_tensor()])
    np.testing.assert_allclose(got[0], batch @ x)
    np.testing.assert_allclose(got[1], np.linalg.solve(batch, np.broadcast_to(x, (2, 3, 5))))
    np.testing.assert_allclose(got[2], np.linalg.det(batch))
    np.testing.assert_allclose(got[3], np.broadcast_to(batch, (4, 2, 3, 3)))
    assert got[4] == 3 and got[5].tolist() == [2]
    identity = L.LinearOperatorIdentity(3, batch_shape=[2], dtype=tf.float64)
    assert identity.shape.as_list() == [2, 3, 3]
    np.testing.assert_allclose(tf.Session().run(identity.matmul(x)), np.broadcast_to(x, (2, 3, 5)))
    scaled = L.LinearOperatorScaledIdentity(2, [1.0, 3.0])
    np.testing.assert_allclose(tf.Session().run(scaled.determinant()), [1.0, 9.0])


def test_circulant_real_output_and_cholesky_and_eigvals():
    spectrum = np.array([6.0, -1.5, -1.5])      # real symmetric circulant: the matrix is real
    op = L.LinearOperatorCirculant(spectrum.astype(np.complex64), input_output_dtype=tf.float32,
                                   is_self_adjoint=True)
    dense = tf.Session().run(op.to_dense())
    assert dense.dtype == np.float32
    np.testing.assert_allclose(dense, np.real(circulant(spectrum)), atol=1e-6)
    np.testing.assert_allclose(tf.Session().run(op.convolution_kernel()), np.real(np.fft.ifft(spectrum)), atol=1e-6)
    spd = A @ A.T + np.eye(3)
    chol = L.LinearOperatorFullMatrix(spd, is_self_adjoint=True, is_positive_definite=True).cholesky()
    assert isinstance(chol, L.LinearOperatorLowerTriangular)
    np.testing.assert_allclose(tf.Session().run(chol.to_dense()), np.linalg.cholesky(spd))
    np.testing.assert_allclose(tf.Session().run(L.LinearOperatorFullMatrix(spd, is_self_adjoint=True).eigvals()),
                               np.linalg.eigvalsh(spd))
    np.testing.assert_allclose(tf.Session().run(L.LinearOperatorFullMatrix(spd).cond()), np.linalg.cond(spd))


def test_hints_and_identities_of_structure():
    diag = L.LinearOperatorDiag(DIAG)
    assert diag.is_self_adjoint and diag.adjoint() is diag          # a real diagonal is self-adjoint
    assert L.LinearOperatorFullMatrix(A, is_positive_definite=True).is_non_singular
    assert L.LinearOperatorHouseholder(AXIS).inverse() is not None
    assert L.LinearOperatorAdjoint(L.LinearOperatorFullMatrix(A)).adjoint().to_dense() is not None
    assert L.LinearOperatorComposition([diag, diag]).name == "LinearOperatorDiag_o_LinearOperatorDiag"
    assert L.LinearOperatorFullMatrix(np.ones((2, 3))).is_square is False
    with pytest.raises(ValueError, match="A real diagonal operator is always self adjoint"):
        L.LinearOperatorDiag(DIAG, is_self_adjoint=False)
    with pytest.raises(ValueError, match="A positive definite matrix is always non-singular"):
        L.LinearOperatorFullMatrix(A, is_positive_definite=True, is_non_singular=False)
    with pytest.raises(ValueError, match="is_non_singular equal to True or None"):
        L.LinearOperatorInversion(L.LinearOperatorZeros(3))
    with pytest.raises(ValueError, match="Cholesky decomposition is only supported"):
        L.LinearOperatorFullMatrix(A).cholesky()
    with pytest.raises(NotImplementedError, match="expected to be singular"):
        L.LinearOperatorZeros(3).solve(np.ones((3, 1), np.float32))
    with pytest.raises(NotImplementedError, match="only defined for square operators"):
        L.LinearOperatorFullMatrix(np.ones((2, 3))).determinant()
    with pytest.raises(ValueError, match="Operators are incompatible"):
        L.LinearOperatorComposition([L.LinearOperatorFullMatrix(np.ones((2, 3))), L.LinearOperatorDiag(DIAG[:2])])
    with pytest.raises(TypeError, match="Expected all operators to have the same dtype"):
        L.LinearOperatorComposition([diag, L.LinearOperatorDiag(DIAG.astype(np.float32))])
    with pytest.raises(TypeError, match="Expected argument to have dtype float64. Found: float32"):
        diag.matmul(tf.constant(np.ones((3, 1), np.float32)))
    with pytest.raises(ValueError, match="Dimensions are not compatible"):
        diag.matmul(np.ones((4, 1)))
    with pytest.raises(ValueError, match="must be non-negative"):
        L.LinearOperatorIdentity(-1)
    with pytest.raises(TypeError, match="Argument matrix must have dtype in"):
        L.LinearOperatorFullMatrix(np.ones((2, 2), np.int32))
    with pytest.raises(ValueError, match="row i has i \\+ 1 operators"):
        L.LinearOperatorBlockLowerTriangular([[diag, diag]])


def test_assertions_run_as_ops():
    singular = L.LinearOperatorFullMatrix(np.array([[1.0, 2.0], [2.0, 4.0]]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Singular matrix up to precision epsilon"):
        tf.Session().run(singular.assert_non_singular())
    with pytest.raises(tf.errors.InvalidArgumentError, match="Matrix was not equal to its adjoint"):
        tf.Session().run(L.LinearOperatorFullMatrix(A).assert_self_adjoint())
    with pytest.raises(tf.errors.InvalidArgumentError, match="Matrix was not positive definite"):
        tf.Session().run(L.LinearOperatorFullMatrix(-np.eye(2)).assert_positive_definite())
    spd = L.LinearOperatorFullMatrix(A @ A.T + np.eye(3))
    tf.Session().run([spd.assert_non_singular(), spd.assert_self_adjoint(), spd.assert_positive_definite()])


def test_gradients_flow_through_operators():
    check_gradients(lambda d, m: L.LinearOperatorComposition([L.LinearOperatorDiag(d),
                                                              L.LinearOperatorFullMatrix(m)]).solve(np.ones((3, 1))),
                    [DIAG, A])
    check_gradients(lambda v: L.LinearOperatorHouseholder(v).matvec(tf.constant([1.0, 2.0, 3.0], tf.float64)), [AXIS])
    check_gradients(lambda c: L.LinearOperatorToeplitz(c, c).log_abs_determinant(), [COL + 3 * np.eye(4)[0]])
