"""Op coverage for ops/summary_v2_ops.py (tf.contrib.summary); merged by test_op_coverage.py."""
_T = "test_summary_v2.py::"

_NOTE = "writer resource op: events read back with tf.train.summary_iterator; no gradient (as in TF)"
COVERAGE = {
    "CreateSummaryFileWriter": ([_T + "test_scalar_written_at_each_global_step",
                                 _T + "test_close_then_init_opens_a_new_file",
                                 _T + "test_unwritable_logdir_is_not_found_error", _T + "test_errors"], [], _NOTE),
    "WriteSummaryEvent": ([_T + "test_scalar_written_at_each_global_step",
                           _T + "test_record_every_n_global_steps_writes_only_those_steps",
                           _T + "test_family_name_scope_and_explicit_step", _T + "test_errors"], [], _NOTE),
    "WriteGraphSummary": ([_T + "test_initialize_writes_the_graph_and_graph_op"], [], _NOTE),
    "FlushSummaryWriter": ([_T + "test_scalar_written_at_each_global_step",
                            _T + "test_initialize_writes_the_graph_and_graph_op"], [], _NOTE),
    "CloseSummaryWriter": ([_T + "test_close_then_init_opens_a_new_file",
                            _T + "test_image_audio_text_generic_values"], [], _NOTE),
    "TensorSummaryWithMetadata": ([_T + "test_image_audio_text_generic_values"], [],
                                  "tensor_content and metadata read back from the event; a summary, no gradient"),
}
