"""Op coverage for tf.sparse (ops/sparse_ops.py); merged by test_op_coverage.py. These ops only compute
coordinates and which input value each output value comes from (no gradient); the values move through
gather/where/segment ops, whose gradients the listed FD tests check end to end."""

_INDEX = "coordinates only (int64/bool outputs): no gradient; the values' gradients flow through gathers"

COVERAGE = {
    "SparseReorderPermutation": (["test_sparse_ops.py::test_reorder_sorts_indices_and_keeps_values",
                                  "test_sparse_ops.py::test_transpose_matches_numpy",
                                  "test_sparse_ops.py::test_reorder_gradient_follows_the_permutation"], [], _INDEX),
    "SparseOperandUnion": (["test_sparse_ops.py::test_add_sparse_sparse_sparse_dense_and_threshold",
                            "test_sparse_ops.py::test_maximum_minimum_treat_missing_as_zero",
                            "test_sparse_ops.py::test_add_gradient_and_errors"], [], _INDEX),
    "SparseSliceSelection": (["test_sparse_ops.py::test_slice_and_split_match_numpy",
                              "test_sparse_ops.py::test_slice_gradient_and_split_errors"], [], _INDEX),
    "SparseReshape": (["test_sparse_ops.py::test_reshape_matches_numpy_and_errors"], [], _INDEX),
    "SparseFillEmptyRowsMap": (["test_sparse_ops.py::test_fill_empty_rows_values_indicator_and_gradient"], [],
                               _INDEX),
    "SparseRowGroups": (["test_sparse_ops.py::test_softmax_over_stored_values_of_each_row",
                         "test_sparse_ops.py::test_softmax_gradient_and_dtype_error"], [], _INDEX),
    "SerializeSparse": (["test_sparse_ops.py::test_serialize_many_and_deserialize_many_round_trip",
                         "test_sparse_ops.py::test_serialization_errors"], [], "strings: no gradient (TF: none)"),
    "SerializeManySparse": (["test_sparse_ops.py::test_serialize_many_and_deserialize_many_round_trip",
                             "test_sparse_ops.py::test_serialization_errors"], [], "strings: no gradient (TF: none)"),
    "DeserializeManySparse": (["test_sparse_ops.py::test_serialize_many_and_deserialize_many_round_trip",
                               "test_sparse_ops.py::test_serialization_errors"], [],
                              "from strings: no gradient (TF: none)"),
}
