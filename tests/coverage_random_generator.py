"""Op coverage for ops/stateful_random.py (tf.random.Generator); merged by test_op_coverage.py."""
_T = "test_random_generator.py::"

COVERAGE = {
    "RngGeneratorDraw": ([_T + "test_same_seed_same_stream_and_each_run_draws_anew",
                          _T + "test_two_draws_in_one_run_differ_and_state_advances",
                          _T + "test_reset_replays_the_stream_and_algorithms_differ",
                          _T + "test_integer_uniform_full_int_binomial", _T + "test_generator_errors"], [],
                         "random (stateful generator): checked by reproducibility, state updates and sample moments; "
                         "not differentiable"),
}
