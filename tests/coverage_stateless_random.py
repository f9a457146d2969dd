"""Op coverage for ops/stateless_random.py; merged by test_op_coverage.py."""
_T = "test_stateless_random.py::"
_NOTE = "random (stateless): checked by reproducibility and sample moments; not differentiable here"

COVERAGE = {
    "StatelessRandomGammaV2": ([_T + "test_same_seed_same_values_and_new_seed_new_values", _T + "test_moments_and_supports",
                                _T + "test_errors"], [], _NOTE),
    "StatelessRandomPoisson": ([_T + "test_same_seed_same_values_and_new_seed_new_values",
                                _T + "test_moments_and_supports"], [], _NOTE),
    "StatelessRandomBinomial": ([_T + "test_same_seed_same_values_and_new_seed_new_values",
                                 _T + "test_moments_and_supports", _T + "test_errors"], [], _NOTE),
    "StatelessParameterizedTruncatedNormal": ([_T + "test_same_seed_same_values_and_new_seed_new_values",
                                               _T + "test_moments_and_supports", _T + "test_errors"], [], _NOTE),
    "StatelessMultinomial": ([_T + "test_same_seed_same_values_and_new_seed_new_values",
                              _T + "test_moments_and_supports"], [], _NOTE),
    "StatelessSplitSeed": ([_T + "test_split_and_fold_in"], [], "seed derivation; not differentiable"),
}
