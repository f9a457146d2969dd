"""Op coverage for ops/quant_and_misc.py (issue 12, round 2); merged by test_op_coverage.py."""
NO_SECOND_ORDER = ("gradient op: no second-order gradient (tf.gradients raises LookupError, as for an op "
                   "without one)")
_Q = "test_quant_and_misc.py::"
_STE = ("gradient: TF's straight-through estimator by definition (the staircase's true derivative is 0), so the "
        "gradient test checks tf.gradients against the hand-computed estimator, not finite differences")

COVERAGE = {
    "FakeQuantWithMinMaxArgs": ([_Q + "test_fake_quant_args_values", _Q + "test_fake_quant_errors"],
                                [_Q + "test_fake_quant_straight_through_gradients"], _STE),
    "FakeQuantWithMinMaxArgsGradient": ([_Q + "test_fake_quant_gradient_ops_values"], [], NO_SECOND_ORDER),
    "FakeQuantWithMinMaxVars": ([_Q + "test_fake_quant_vars_values_and_per_channel", _Q + "test_fake_quant_errors"],
                                [_Q + "test_fake_quant_straight_through_gradients"], _STE),
    "FakeQuantWithMinMaxVarsGradient": ([_Q + "test_fake_quant_gradient_ops_values"], [], NO_SECOND_ORDER),
    "FakeQuantWithMinMaxVarsPerChannel": ([_Q + "test_fake_quant_vars_values_and_per_channel"],
                                          [_Q + "test_fake_quant_straight_through_gradients"], _STE),
    "FakeQuantWithMinMaxVarsPerChannelGradient": ([_Q + "test_fake_quant_gradient_ops_values"], [],
                                                  NO_SECOND_ORDER),
    "ExtractVolumePatches": ([_Q + "test_extract_volume_patches_values", _Q + "test_extract_volume_patches_errors"],
                             [_Q + "test_extract_volume_patches_gradients"], ""),
    "ExtractVolumePatchesAdjoint": ([_Q + "test_extract_volume_patches_gradients"],
                                    [_Q + "test_extract_volume_patches_gradients"],
                                    "values: as ExtractVolumePatches' gradient, checked against finite differences"),
    "ApproxTopK": ([_Q + "test_approx_top_k_values", _Q + "test_approx_top_k_errors"],
                   [_Q + "test_approx_top_k_gradients"], "exact top-k (recall 1.0)"),
    "ApproxTopKGrad": ([_Q + "test_approx_top_k_gradients"], [], NO_SECOND_ORDER),
    "SobolSample": ([_Q + "test_sobol_sample_values_against_tensorflow",
                     _Q + "test_sobol_sample_is_a_low_discrepancy_net", _Q + "test_sobol_sample_errors"],
                    [], "not differentiable (a sequence generator)"),
    "RandomIndexShuffle": ([_Q + "test_random_index_shuffle_is_a_seeded_bijection",
                            _Q + "test_random_index_shuffle_errors"], [],
                           "not differentiable; bijection, determinism and seed tests (values differ from TF's)"),
    "Conv": ([_Q + "test_conv_values", _Q + "test_conv_errors"], [_Q + "test_conv_gradients"], ""),
    "ConvGrad": ([_Q + "test_conv_gradients"], [], NO_SECOND_ORDER),
}
