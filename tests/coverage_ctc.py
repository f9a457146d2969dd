"""Op coverage for ops/ctc.py (CTC loss and decoders) and ops/fractional_pool.py; merged by test_op_coverage.py."""
NO_SECOND_ORDER = ("gradient op: no second-order gradient (tf.gradients raises LookupError, as for an op "
                   "without one)")
_C = "test_ctc.py::"
_F = "test_fractional_pool.py::"

COVERAGE = {
    "CTCLoss": ([_C + "test_ctc_loss_matches_brute_force_over_alignments",
                 _C + "test_ctc_loss_options_batch_major_and_collapse", _C + "test_ctc_loss_v2_dense_sparse_and_blank_index",
                 _C + "test_ctc_loss_errors_and_ignore_longer_outputs"],
                [_C + "test_ctc_loss_gradient", _C + "test_ctc_loss_v2_dense_sparse_and_blank_index"],
                "the op's second output is the gradient; as in TF it has no gradient of its own"),
    "CTCGreedyDecoder": ([_C + "test_ctc_greedy_decoder_best_path"], [], "decoder: not differentiable"),
    "CTCBeamSearchDecoder": ([_C + "test_ctc_beam_search_with_a_wide_beam_is_exhaustive",
                              _C + "test_ctc_beam_search_merge_repeated_merges_result_labels"], [],
                             "decoder: not differentiable"),
    "FractionalMaxPool": ([_F + "test_fractional_pools_match_numpy_over_their_regions",
                           _F + "test_regions_vary_between_runs_unless_deterministic", _F + "test_fractional_pool_errors"],
                          [_F + "test_fractional_pool_gradients"], "random regions, returned with the values"),
    "FractionalAvgPool": ([_F + "test_fractional_pools_match_numpy_over_their_regions",
                           _F + "test_integer_average_truncates"],
                          [_F + "test_fractional_pool_gradients"], "random regions, returned with the values"),
    "FractionalMaxPoolGrad": ([_F + "test_fractional_pool_gradients"], [], NO_SECOND_ORDER),
    "FractionalAvgPoolGrad": ([_F + "test_fractional_pool_gradients",
                               _F + "test_fractional_pool_grad_ops_check_their_sequences"], [], NO_SECOND_ORDER),
}
