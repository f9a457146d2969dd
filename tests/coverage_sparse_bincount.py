"""Op coverage for ops/sparse_bincount.py; merged by test_op_coverage.py."""
COVERAGE = {
    "SparseBincountRows": (["test_sparse_bincount.py::test_counts_overall_and_per_row",
                            "test_sparse_bincount.py::test_errors"], [], "counting: not differentiable"),
}
