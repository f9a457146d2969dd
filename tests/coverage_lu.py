"""Op coverage for ops/lu.py; merged by test_op_coverage.py."""
COVERAGE = {
    "Lu": (["test_lu.py::test_lu_factors_with_partial_pivoting", "test_lu.py::test_lu_companions",
            "test_lu.py::test_lu_errors"], ["test_lu.py::test_lu_gradients"], ""),
}
