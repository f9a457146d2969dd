"""Op coverage for the metrics family (ops/metrics_impl.py); merged by tests/test_op_coverage.py."""

COVERAGE = {
    "WeightedBincount": (
        ["test_metrics.py::test_weighted_bincount_values_and_gradient",
         "test_metrics.py::test_confusion_matrix_matches_numpy",
         "test_metrics.py::test_mean_per_class_accuracy_rejects_labels_out_of_range"],
        ["test_metrics.py::test_weighted_bincount_values_and_gradient"],
        "tf.confusion_matrix and the per-class totals of tf.metrics"),
}
