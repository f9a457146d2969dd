"""Op coverage for ops/sparse_cross.py; merged by test_op_coverage.py."""
COVERAGE = {
    "SparseCrossRows": (["test_sparse_cross.py::test_cross_strings_in_tf_order",
                         "test_sparse_cross.py::test_cross_hashed_chains_fingerprints",
                         "test_sparse_cross.py::test_cross_errors"], [], "feature crosses: not differentiable"),
}
