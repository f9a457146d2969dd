"""Op coverage for ops/matrix_sqrt.py; merged by test_op_coverage.py."""
NO_SECOND_ORDER = ("gradient op: no second-order gradient (tf.gradients raises LookupError, as for an op "
                   "without one)")
COVERAGE = {
    "MatrixSquareRoot": (["test_matrix_sqrt.py::test_square_roots", "test_matrix_sqrt.py::test_errors"],
                         ["test_matrix_sqrt.py::test_gradient"], ""),
    "MatrixSquareRootGrad": (["test_matrix_sqrt.py::test_gradient"], [], NO_SECOND_ORDER),
}
