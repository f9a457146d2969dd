"""Op coverage for numflow.horovod's collectives (merged by test_op_coverage.py). The values of several
ranks are checked under mpiexec (test_mpi_*), those of one rank in-process; gradients are checked by
finite differences for one rank and against hand-computed sums for two."""
import numflow.horovod  # noqa: F401 - registers the ops this table covers

_T = "test_horovod.py::"

COVERAGE = {
    "HorovodAllreduce": ([_T + "test_collectives_of_one_rank_return_their_input",
                          _T + "test_grouped_allreduce_fuses_one_op_per_dtype",
                          _T + "test_mpi_collectives_on_two_ranks", _T + "test_collective_errors"],
                         [_T + "test_gradients_of_one_rank_match_finite_differences",
                          _T + "test_mpi_collectives_on_two_ranks"], ""),
    "HorovodAllgather": ([_T + "test_collectives_of_one_rank_return_their_input",
                          _T + "test_indexed_slices_are_allgathered", _T + "test_mpi_collectives_on_two_ranks"],
                         [_T + "test_gradients_of_one_rank_match_finite_differences",
                          _T + "test_mpi_collectives_on_two_ranks"], ""),
    "HorovodBroadcast": ([_T + "test_collectives_of_one_rank_return_their_input",
                          _T + "test_broadcast_variables_and_the_hook_with_monitored_training_session",
                          _T + "test_mpi_collectives_on_two_ranks"],
                         [_T + "test_gradients_of_one_rank_match_finite_differences",
                          _T + "test_mpi_collectives_on_two_ranks"], ""),
}
