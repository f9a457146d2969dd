"""Op coverage of the round-2 framework ops (ops/priority_queue.py, ops/session_handles.py); merged by
test_op_coverage.py. None has a gradient: they keep or move state between Session runs."""

COVERAGE = {
    "PriorityQueueV2": (["test_round2_framework.py::test_priority_queue_hands_out_smallest_priority_first",
                         "test_round2_framework.py::test_priority_queue_is_shared_and_blocks_like_other_queues"],
                        [], "stateful queue op: no gradient"),
    "GetSessionHandle": (["test_round2_framework.py::test_session_handle_round_trip_and_eval"], [],
                         "keeps a value in the Session: no gradient (TF: NotDifferentiable)"),
    "GetSessionTensor": (["test_round2_framework.py::test_session_handle_round_trip_and_eval",
                          "test_round2_framework.py::test_session_handle_errors"], [],
                         "reads the Session's store: no gradient"),
    "DeleteSessionTensor": (["test_round2_framework.py::test_session_handle_round_trip_and_eval",
                             "test_round2_framework.py::test_session_handle_errors"], [],
                            "no outputs"),
    "ParseSingleSequenceExample": (["test_round2_framework.py::test_parse_single_sequence_example",
                                    "test_round2_framework.py::test_parse_sequence_example_errors"], [],
                                   "parsing: no gradient (TF: NotDifferentiable)"),
    "ParseSequenceExample": (["test_round2_framework.py::test_parse_sequence_example_batch_pads_and_counts"], [],
                             "parsing: no gradient (TF: NotDifferentiable)"),
    "MutexV2": (["test_round2_framework.py::test_critical_section_runs_executions_one_at_a_time"], [],
                "a lock's handle: no gradient"),
    "CriticalSectionExecute": (["test_round2_framework.py::test_critical_section_runs_executions_one_at_a_time",
                                "test_round2_framework.py::test_critical_section_errors"], [],
                               "runs a traced function under a lock; numflow gives it no gradient"),
}
