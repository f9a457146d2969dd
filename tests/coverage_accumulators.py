"""Op coverage for ops/accumulators.py; merged by test_op_coverage.py."""
_T = "test_accumulators.py::"
_NOTE = "accumulator resource op: not differentiable"

COVERAGE = {
    "ConditionalAccumulator": ([_T + "test_dense_mean_sum_and_global_step"], [], _NOTE),
    "SparseConditionalAccumulator": ([_T + "test_sparse_accumulator_averages_rows_over_their_contributions"], [],
                                     _NOTE),
    "AccumulatorNumAccumulated": ([_T + "test_dense_mean_sum_and_global_step"], [], _NOTE),
    "AccumulatorSetGlobalStep": ([_T + "test_dense_mean_sum_and_global_step", _T + "test_accumulator_errors"], [],
                                 _NOTE),
    "AccumulatorApplyGradient": ([_T + "test_dense_mean_sum_and_global_step", _T + "test_accumulator_errors"], [],
                                 _NOTE),
    "AccumulatorTakeGradient": ([_T + "test_dense_mean_sum_and_global_step",
                                 _T + "test_take_grad_waits_for_enough_gradients",
                                 _T + "test_closing_the_session_cancels_a_waiting_take"], [], _NOTE),
    "SparseAccumulatorApplyGradient": ([_T + "test_sparse_accumulator_averages_rows_over_their_contributions"], [],
                                       _NOTE),
    "SparseAccumulatorTakeGradient": ([_T + "test_sparse_accumulator_averages_rows_over_their_contributions"], [],
                                      _NOTE),
}
