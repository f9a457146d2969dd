"""Op coverage for tf.nn breadth (ops/conv.py 1-D/3-D additions, ops/nn_extra.py, ops/candidate_sampling.py);
merged by test_op_coverage.py."""
NO_SECOND_ORDER = ("gradient op: no second-order gradient (tf.gradients raises LookupError, as for an op "
                   "without one)")
_RANDOM = "random sampler: statistical, range, expected-count and seed tests; not differentiable"
_C = "test_conv_extra.py::"
_N = "test_nn_extra.py::"

COVERAGE = {
    "Conv3D": ([_C + "test_conv3d_values", _C + "test_conv3d_ncdhw_matches_ndhwc"],
               [_C + "test_conv3d_gradients"], ""),
    "Conv3DBackpropInputV2": ([_C + "test_conv3d_backprop_ops_values_and_gradients"],
                              [_C + "test_conv3d_backprop_ops_values_and_gradients"],
                              "values: the adjoint identity <conv3d(x), dy> = <x, backprop(dy)>"),
    "Conv3DBackpropFilterV2": ([_C + "test_conv3d_backprop_ops_values_and_gradients"],
                               [_C + "test_conv3d_backprop_ops_values_and_gradients"],
                               "values: the adjoint identity in the filter"),
    "MaxPool3D": ([_C + "test_pool3d_values_and_gradients", _C + "test_pool3d_ncdhw_and_second_order"],
                  [_C + "test_pool3d_values_and_gradients"], ""),
    "MaxPool3DGrad": ([_C + "test_pool3d_values_and_gradients"], [], NO_SECOND_ORDER),
    "AvgPool3D": ([_C + "test_pool3d_values_and_gradients", _C + "test_pool3d_ncdhw_and_second_order"],
                  [_C + "test_pool3d_values_and_gradients"], ""),
    "AvgPool3DGrad": ([_C + "test_pool3d_values_and_gradients"], [_C + "test_pool3d_ncdhw_and_second_order"], ""),
    "MaxPoolWithArgmax": ([_C + "test_max_pool_with_argmax", _C + "test_max_pool_with_argmax_dtype_and_errors"],
                          [_C + "test_max_pool_with_argmax"], ""),
    "MaxPoolGradWithArgmax": ([_C + "test_max_pool_with_argmax"], [], NO_SECOND_ORDER),
    "SpaceToBatchND": ([_N + "test_space_to_batch_nd_and_inverse",
                        _N + "test_space_to_batch_square_block_forms_and_static_shapes", _N + "test_space_to_batch_errors"],
                       [_N + "test_space_to_batch_nd_and_inverse"], ""),
    "BatchToSpaceND": ([_N + "test_space_to_batch_nd_and_inverse", _N + "test_space_to_batch_errors"],
                       [_N + "test_space_to_batch_nd_and_inverse"], ""),
    "Dilation2D": ([_N + "test_dilation2d_and_erosion2d", _N + "test_dilation2d_errors"],
                   [_N + "test_dilation2d_and_erosion2d"], ""),
    "Dilation2DBackpropInput": ([_N + "test_dilation2d_and_erosion2d"], [], NO_SECOND_ORDER),
    "Dilation2DBackpropFilter": ([_N + "test_dilation2d_and_erosion2d"], [], NO_SECOND_ORDER),
    "CollapseRepeated": ([_N + "test_collapse_repeated_and_ctc_unique_labels"], [], "integer labels"),
    "CtcUniqueLabels": ([_N + "test_collapse_repeated_and_ctc_unique_labels"], [], "integer labels"),
    "SafeEmbeddingPrune": ([_N + "test_safe_embedding_lookup_sparse"], [],
                           "internal bookkeeping of safe_embedding_lookup_sparse (ids, rows); not differentiable"),
    "UniformCandidateSampler": ([_N + "test_uniform_and_log_uniform_samplers", _N + "test_sampler_errors"], [],
                                _RANDOM),
    "LogUniformCandidateSampler": ([_N + "test_uniform_and_log_uniform_samplers",
                                    _N + "test_log_uniform_sampler_follows_its_distribution_and_seeds_repeat"], [],
                                   _RANDOM),
    "FixedUnigramCandidateSampler": ([_N + "test_fixed_unigram_sampler"], [], _RANDOM),
    "LearnedUnigramCandidateSampler": ([_N + "test_learned_unigram_sampler_learns_the_true_classes"], [], _RANDOM),
    "AllCandidateSampler": ([_N + "test_all_candidate_sampler_and_accidental_hits"], [], "deterministic; not differentiable"),
    "ComputeAccidentalHits": ([_N + "test_all_candidate_sampler_and_accidental_hits"], [], "not differentiable"),
}
