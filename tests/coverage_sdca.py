"""Op coverage of ops/sdca_ops.py (merged by test_op_coverage.py)."""
COVERAGE = {
    "SdcaFprint": (["test_sdca.py::test_sdca_fprint_matches_tensorflow_values",
                    "test_sdca.py::test_sdca_fprint_errors"],
                   [], "against Fingerprint128 values recorded from TensorFlow 2.21; no gradient"),
    "SdcaShrinkL1": (["test_sdca.py::test_sdca_shrink_l1_shrinks_every_variable_in_place",
                      "test_sdca.py::test_sdca_shrink_l1_with_zero_l2_zeroes_the_weights",
                      "test_sdca.py::test_sdca_shrink_l1_errors"],
                     [], "in-place update against NumPy's sign * max(|w| - l1/l2, 0); no gradient"),
    "SdcaOptimizer": (["test_sdca.py::test_sdca_optimizer_one_example_follows_the_dual_update",
                       "test_sdca.py::test_sdca_optimizer_logistic_dual_solves_the_optimality_condition",
                       "test_sdca.py::test_sdca_optimizer_one_example_matches_tensorflow",
                       "test_sdca.py::test_sdca_optimizer_examples_without_shared_weights_match_tensorflow",
                       "test_sdca.py::test_sdca_optimizer_partitions_and_a_zero_weight_example_match_tensorflow",
                       "test_sdca.py::test_sdca_optimizer_shared_dense_weights_sum_every_examples_step",
                       "test_sdca.py::test_sdca_optimizer_errors"],
                      [], "closed-form dual updates and values recorded from TensorFlow 2.21; no gradient"),
}
