"""Op coverage of the estimator / feature-column family (merged by test_op_coverage.py)."""
COVERAGE = {
    "StringToHashBucketFast": (["test_feature_column.py::test_string_to_hash_bucket_fast_op_values",
                                "test_feature_column.py::test_hash_bucket_is_deterministic_and_in_range"], [],
                               "not differentiable (integer output); values vs the Python fingerprint64"),
}
