"""tf.linalg LinearOperators built identically with numflow and real TensorFlow (run by
test_tf_parity_linalg_operator.py where NUMFLOW_TF_PYTHON names a Python with TensorFlow)."""
import numpy as np

rng = np.random.RandomState(5)
A = rng.randn(3, 3) + 3 * np.eye(3)
BATCH = rng.randn(2, 3, 3) + 3 * np.eye(3)
X = rng.randn(3, 2)


def operator_cases(tf):
    """Dense forms, matmul/solve (plain and adjoint), determinants and traces of every operator."""
    L = tf.linalg
    operators = {
        "full": L.LinearOperatorFullMatrix(BATCH),
        "diag": L.LinearOperatorDiag(rng.uniform(1, 2, (2, 3))),
        "identity": L.LinearOperatorIdentity(3, batch_shape=[2], dtype=tf.float64),
        "scaled": L.LinearOperatorScaledIdentity(3, np.array([2.0, -1.5])),
        "tril": L.LinearOperatorLowerTriangular(A),
        "householder": L.LinearOperatorHouseholder(rng.randn(3)),
        "toeplitz": L.LinearOperatorToeplitz(rng.randn(3) + [3, 0, 0], rng.randn(3)),
        "permutation": L.LinearOperatorPermutation([1, 2, 0], dtype=tf.float64),
        "tridiag": L.LinearOperatorTridiag(rng.randn(3, 3) + [[0], [4], [0]]),
        "circulant": L.LinearOperatorCirculant(rng.randn(3) + 1j * rng.randn(3) + 2,
                                               input_output_dtype=tf.complex128),
        "circulant2d": L.LinearOperatorCirculant2D(rng.randn(2, 3) + 1j * rng.randn(2, 3) + 3,
                                                   input_output_dtype=tf.complex128),
        "kronecker": L.LinearOperatorKronecker([L.LinearOperatorFullMatrix(A[:2, :2]),
                                                L.LinearOperatorFullMatrix(A)]),
        "low_rank": L.LinearOperatorLowRankUpdate(L.LinearOperatorDiag(np.ones(3) * 2), rng.randn(3, 2),
                                                  diag_update=np.array([1.0, 0.5])),
        "block_diag": L.LinearOperatorBlockDiag([L.LinearOperatorFullMatrix(A[:2, :2]),
                                                 L.LinearOperatorFullMatrix(A)]),
        "block_tril": L.LinearOperatorBlockLowerTriangular([[L.LinearOperatorFullMatrix(A[:2, :2])],
                                                            [L.LinearOperatorFullMatrix(rng.randn(3, 2)),
                                                             L.LinearOperatorFullMatrix(A)]]),
        "composition": L.LinearOperatorComposition([L.LinearOperatorFullMatrix(A), L.LinearOperatorDiag(np.array([1.0, 2, 3]))]),
        "inversion": L.LinearOperatorInversion(L.LinearOperatorFullMatrix(A)),
        "adjoint": L.LinearOperatorAdjoint(L.LinearOperatorFullMatrix(A)),
    }
    out = {}
    for name, op in operators.items():
        n = op.domain_dimension.value
        x = np.ones((n, 2), dtype=op.dtype.as_numpy_dtype) * np.arange(1, n + 1)[:, None]
        out[name] = [op.to_dense(), op.matmul(x), op.matmul(x, adjoint=True), op.solve(x), op.determinant(),
                     op.log_abs_determinant(), op.trace(), op.diag_part()]
    return out


FAMILIES = ["operator_cases"]
