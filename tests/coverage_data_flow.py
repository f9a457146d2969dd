"""Op coverage of the queue and reader families (ops/data_flow.py, ops/readers.py); merged by
test_op_coverage.py. None of these ops has a gradient (TF's NotDifferentiable): they move data between
Session runs."""

_QUEUES = "stateful queue op: no gradient"
_READERS = "stateful reader op: no gradient"

COVERAGE = {
    # --- ops/data_flow.py ---
    "FIFOQueueV2": (["test_queues.py::test_fifo_order_components_and_static_shapes",
                     "test_queues.py::test_closed_queue_errors_and_draining"], [], _QUEUES),
    "PaddingFIFOQueueV2": (["test_queues.py::test_padding_fifo_queue_pads_numbers_and_strings",
                            "test_input_producers.py::test_batch_enqueue_many_and_dynamic_pad"], [], _QUEUES),
    "RandomShuffleQueueV2": (["test_queues.py::test_random_shuffle_queue_seeded_order_repeats_across_sessions",
                              "test_queues.py::test_random_shuffle_queue_keeps_min_after_dequeue_until_closed"],
                             [], _QUEUES),
    "QueueEnqueueV2": (["test_queues.py::test_fifo_order_components_and_static_shapes",
                        "test_queues.py::test_enqueue_blocks_while_full_and_close_without_cancel_lets_it_finish",
                        "test_queues.py::test_concurrent_enqueues_and_dequeues_lose_nothing"], [], _QUEUES),
    "QueueEnqueueManyV2": (["test_queues.py::test_fifo_order_components_and_static_shapes",
                            "test_queues.py::test_enqueue_many_components_must_agree_at_run_time"], [], _QUEUES),
    "QueueDequeueV2": (["test_queues.py::test_fifo_order_components_and_static_shapes",
                        "test_queues.py::test_closing_the_session_cancels_blocked_dequeues"], [], _QUEUES),
    "QueueDequeueManyV2": (["test_queues.py::test_fifo_order_components_and_static_shapes",
                            "test_queues.py::test_dequeue_blocks_until_an_element_arrives"], [], _QUEUES),
    "QueueDequeueUpToV2": (["test_queues.py::test_closed_queue_errors_and_draining",
                            "test_input_producers.py::test_batch_structures_threads_and_final_batch"], [], _QUEUES),
    "QueueCloseV2": (["test_queues.py::test_closed_queue_errors_and_draining",
                      "test_queues.py::test_close_with_cancel_pending_enqueues_cancels_the_blocked_enqueue"],
                     [], _QUEUES),
    "QueueSizeV2": (["test_queues.py::test_fifo_order_components_and_static_shapes"], [], _QUEUES),
    "QueueIsClosedV2": (["test_queues.py::test_closed_queue_errors_and_draining"], [], _QUEUES),
    "CountUpTo": (["test_queues.py::test_count_up_to_values_limit_and_uninitialized",
                   "test_input_producers.py::test_limit_epochs_values_and_errors"], [],
                  "variable update: no gradient"),
    # --- ops/readers.py ---
    "TextLineReaderV2": (["test_readers.py::test_text_line_reader_keys_values_header_and_line_endings"], [],
                         _READERS),
    "TFRecordReaderV2": (["test_readers.py::test_tfrecord_reader_keys_are_offsets",
                          "test_readers.py::test_tfrecord_reader_corrupt_record_is_data_loss"], [], _READERS),
    "WholeFileReaderV2": (["test_readers.py::test_whole_file_and_identity_readers"], [], _READERS),
    "FixedLengthRecordReaderV2": (["test_readers.py::test_fixed_length_reader_header_footer_and_hop",
                                   "test_readers.py::test_fixed_length_reader_compressed"], [], _READERS),
    "IdentityReaderV2": (["test_readers.py::test_whole_file_and_identity_readers"], [], _READERS),
    "ReaderReadV2": (["test_readers.py::test_text_line_reader_keys_values_header_and_line_endings",
                      "test_readers.py::test_end_of_input_is_the_queue_out_of_range_error"], [], _READERS),
    "ReaderReadUpToV2": (["test_readers.py::test_read_up_to_crosses_files_and_returns_the_remainder"], [],
                         _READERS),
    "ReaderNumRecordsProducedV2": (["test_readers.py::test_reset_and_per_session_state"], [], _READERS),
    "ReaderNumWorkUnitsCompletedV2": (["test_readers.py::test_text_line_reader_keys_values_header_and_line_endings"],
                                      [], _READERS),
    "ReaderResetV2": (["test_readers.py::test_reset_and_per_session_state"], [], _READERS),
}
