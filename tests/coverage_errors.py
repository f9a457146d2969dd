"""Op coverage for the ops added with issue 15's faults (see tests/test_op_coverage.py for the format)."""
COVERAGE = {
    "TruncateDiv": (
        ["test_faults_ops.py::test_truncatediv_values_shapes_and_dtypes",
         "test_faults_ops.py::test_integer_division_without_zero_still_computes",
         "test_faults_ops.py::test_integer_division_by_zero_is_invalid_argument"],
        [],
        "integer-only and not differentiable, as in TF"),
}
