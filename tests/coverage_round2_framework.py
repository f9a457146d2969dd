"""Op coverage of the round-2 framework ops (ops/priority_queue.py, ops/session_handles.py); merged by
test_op_coverage.py. None has a gradient: they keep or move state between Session runs."""

COVERAGE = {
    "PriorityQueueV2": (["test_round2_framework.py::test_priority_queue_hands_out_smallest_priority_first",
                         "test_round2_framework.py::test_priority_queue_is_shared_and_blocks_like_other_queues"],
                        [], "stateful queue op: no gradient"),
}
