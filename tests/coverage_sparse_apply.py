"""Op coverage for ops/training_sparse.py (the optimizers' sparse updates); merged by test_op_coverage.py."""
import numflow.ops.training_sparse  # noqa: F401 - the optimizers import it lazily

_T = "test_indexed_slices.py::"
_NOTE = "sparse optimizer update: rows against the TF1 formulas in NumPy or the dense update of those rows"
_FORMULAS = [_T + "test_sparse_updates_match_tf1_formulas"]
_REGULARIZED = [_T + "test_sparse_regularized_updates_touch_only_their_rows"]

COVERAGE = {
    "SparseApplyMomentum": (_FORMULAS + [_T + "test_sparse_updates_export_as_tf_ops"], [], _NOTE),
    "SparseApplyAdagrad": (_FORMULAS + [_T + "test_repeated_indices_are_applied_one_after_another",
                                        _T + "test_sparse_apply_errors"], [], _NOTE),
    "SparseApplyRMSProp": (_FORMULAS, [], _NOTE),
    "SparseApplyCenteredRMSProp": (_FORMULAS, [], _NOTE),
    "SparseApplyAdadelta": (_FORMULAS, [], _NOTE),
    "SparseApplyFtrl": (_REGULARIZED, [], _NOTE),
    "SparseApplyFtrlV2": (_REGULARIZED, [], _NOTE),
    "SparseApplyProximalGradientDescent": (_REGULARIZED, [], _NOTE),
    "SparseApplyProximalAdagrad": (_REGULARIZED, [], _NOTE),
    "SparseApplyAdagradDA": ([_T + "test_sparse_adagrad_da_uses_the_global_step"], [], _NOTE),
}
