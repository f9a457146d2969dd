"""Op coverage of ops/rnn_block.py, the fused LSTM / GRU ops (merged by test_op_coverage.py)."""
_T = "test_rnn_block.py::"
_NO_SECOND_ORDER = ("gradient op: no second-order gradient (tf.gradients raises LookupError, as for an op "
                    "without one); values against TF's Grad math written in NumPy, and against TF 2.21's op")
_PARITY = _T + "test_fused_ops_match_tensorflow"
COVERAGE = {
    "LSTMBlockCell": (
        [_T + "test_lstm_block_cell_outputs_match_numpy", _T + "test_lstm_block_cell_float16",
         _T + "test_lstm_block_cell_default_attrs_are_tfs", _T + "test_shape_errors_at_run_time",
         _T + "test_rank_errors_at_run_time", _PARITY],
        [_T + "test_lstm_block_cell_gradients_match_finite_differences",
         _T + "test_contrib_block_cells_train_through_dynamic_rnn",
         _T + "test_lstm_block_cell_gradient_with_unknown_input_size"],
        "every output vs a NumPy step (peepholes, cell_clip, float16/32/64); the gradient flows from cs and h"),
    "LSTMBlockCellGrad": (
        [_T + "test_lstm_block_cell_grad_op_matches_numpy", _T + "test_lstm_block_cell_gradient_is_the_grad_ops"],
        [], _NO_SECOND_ORDER),
    "BlockLSTM": (
        [_T + "test_block_lstm_outputs_match_numpy_steps", _T + "test_seq_len_max_errors_at_run_time", _PARITY],
        [_T + "test_block_lstm_gradients_match_finite_differences"],
        "every output vs a loop of NumPy steps, seq_len_max below the time length and 0"),
    "BlockLSTMV2": (
        [_T + "test_block_lstm_outputs_match_numpy_steps", _PARITY],
        [_T + "test_block_lstm_gradients_match_finite_differences"],
        "gates i, f, ci, o; no forget_bias"),
    "BlockLSTMGrad": ([_T + "test_block_lstm_grad_ops_match_numpy"], [], _NO_SECOND_ORDER),
    "BlockLSTMGradV2": ([_T + "test_block_lstm_grad_ops_match_numpy"], [], _NO_SECOND_ORDER),
    "GRUBlockCell": (
        [_T + "test_gru_block_cell_outputs_and_grad_op_match_numpy", _PARITY],
        [_T + "test_gru_block_cell_gradients_match_finite_differences",
         _T + "test_contrib_block_cells_train_through_dynamic_rnn"],
        "the gradient flows from h only, as TF's"),
    "GRUBlockCellGrad": (
        [_T + "test_gru_block_cell_outputs_and_grad_op_match_numpy",
         _T + "test_gru_block_cell_gradient_flows_from_h_only"],
        [], _NO_SECOND_ORDER),
}
