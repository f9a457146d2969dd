"""Op coverage (see tests/test_op_coverage.py) for the string, set and bitwise ops."""
_NO_GRADIENT = "not differentiable (string/set/integer op, as in TF)"
_S = "test_string_ops.py::"
_SETS = "test_set_ops.py::"
_BITS = "test_bitwise_ops.py::"
_INTERNAL = "internal bridge from dense tensors/row splits to TF's row-split ops and SparseTensor results; "


def _entry(*tests, note=_NO_GRADIENT):
    return (list(tests), [], note)


COVERAGE = {
    "BitwiseAnd": _entry(_BITS + "test_and_or_xor_invert_match_numpy",
                         _BITS + "test_python_operands_take_the_tensor_dtype_and_broadcast",
                         _BITS + "test_float_and_bool_inputs_are_type_errors", _BITS + "test_bitwise_ops_have_no_gradient"),
    "BitwiseOr": _entry(_BITS + "test_and_or_xor_invert_match_numpy",
                        _BITS + "test_python_operands_take_the_tensor_dtype_and_broadcast"),
    "BitwiseXor": _entry(_BITS + "test_and_or_xor_invert_match_numpy"),
    "Invert": _entry(_BITS + "test_and_or_xor_invert_match_numpy",
                     _BITS + "test_invert_rejects_floats_and_mixed_dtypes_are_type_errors"),
    "LeftShift": _entry(_BITS + "test_shifts_wrap_and_clamp_the_amount_like_tf",
                        _BITS + "test_negative_shift_amounts_shift_by_zero_and_right_shift_is_arithmetic"),
    "RightShift": _entry(_BITS + "test_shifts_wrap_and_clamp_the_amount_like_tf",
                         _BITS + "test_negative_shift_amounts_shift_by_zero_and_right_shift_is_arithmetic"),
    "DenseToDenseSetOperation": _entry(_SETS + "test_dense_dense_operations_match_python_sets",
                                       _SETS + "test_string_sets_sort_by_bytes_and_empty_results_have_width_zero",
                                       _SETS + "test_shape_and_dtype_errors"),
    "DenseToSparseSetOperation": _entry(_SETS + "test_dense_sparse_and_sparse_dense_operations_match_python_sets",
                                        _SETS + "test_validate_indices_errors_and_opt_out"),
    "SparseToSparseSetOperation": _entry(_SETS + "test_sparse_sparse_operations_and_fed_sparse_values"),
    "SetSize": _entry(_SETS + "test_set_size_counts_distinct_values_per_group",
                      _SETS + "test_validate_indices_errors_and_opt_out"),
    "AsString": _entry(_S + "test_as_string_matches_printf", _S + "test_as_string_errors",
                       _S + "test_string_ops_have_no_gradient"),
    "StringJoin": _entry(_S + "test_string_join_broadcasts_scalars"),
    "ReduceJoin": _entry(_S + "test_reduce_join_matches_a_python_reference",
                         _S + "test_reduce_join_defaults_keep_dims_and_errors"),
    "StringSplit": _entry(_S + "test_string_split_matches_python_splitting_on_any_delimiter_byte",
                          _S + "test_split_errors", _S + "test_row_results_are_sparse_tensors_with_one_row_per_string"),
    "StringSplitV2": _entry(_S + "test_strings_split_v1_is_python_split_with_maxsplit"),
    "StringStrip": _entry(_S + "test_strip_length_lower_upper_match_python"),
    "StringLength": _entry(_S + "test_strip_length_lower_upper_match_python"),
    "StringLower": _entry(_S + "test_strip_length_lower_upper_match_python"),
    "StringUpper": _entry(_S + "test_strip_length_lower_upper_match_python"),
    "Substr": _entry(_S + "test_substr_matches_python_slicing", _S + "test_substr_errors"),
    "RegexReplace": _entry(_S + "test_regex_replace_and_full_match_match_python_re"),
    "RegexFullMatch": _entry(_S + "test_regex_replace_and_full_match_match_python_re"),
    "StringToHashBucket": _entry(_S + "test_hash_bucket_ops_use_the_hash_functions", _S + "test_hash_bucket_errors"),
    "StringToHashBucketStrong": _entry(_S + "test_hash_bucket_ops_use_the_hash_functions",
                                       _S + "test_hash_bucket_errors"),
    "EncodeBase64": _entry(_S + "test_base64_is_web_safe_and_round_trips"),
    "DecodeBase64": _entry(_S + "test_base64_is_web_safe_and_round_trips"),
    "StringFormat": _entry(_S + "test_string_format_prints_tensors_like_tf"),
    "UnsortedSegmentJoin": _entry(_S + "test_unsorted_segment_join"),
    "StringNGrams": _entry(_S + "test_ngrams_match_a_python_reference"),
    "UnicodeDecode": _entry(_S + "test_unicode_decode_encode_and_offsets_match_python", _S + "test_unicode_error_modes",
                            _S + "test_row_results_are_sparse_tensors_with_one_row_per_string"),
    "UnicodeDecodeWithOffsets": _entry(_S + "test_unicode_decode_encode_and_offsets_match_python",
                                       _S + "test_row_results_are_sparse_tensors_with_one_row_per_string"),
    "UnicodeEncode": _entry(_S + "test_unicode_decode_encode_and_offsets_match_python", _S + "test_unicode_error_modes"),
    "UnicodeTranscode": _entry(_S + "test_unicode_decode_encode_and_offsets_match_python"),
    "UnicodeScript": _entry(_S + "test_unicode_script_codes"),
    "DenseRowSplits": _entry(_S + "test_ngrams_match_a_python_reference",
                             _S + "test_unicode_decode_encode_and_offsets_match_python",
                             note=_INTERNAL + _NO_GRADIENT),
    "RowSplitsToSparse": _entry(_S + "test_row_results_are_sparse_tensors_with_one_row_per_string",
                                note=_INTERNAL + _NO_GRADIENT),
    "CharRowsFromCodePoints": _entry(_S + "test_row_results_are_sparse_tensors_with_one_row_per_string",
                                     note=_INTERNAL + _NO_GRADIENT),
    "SparseRowSplits": _entry(_S + "test_row_results_are_sparse_tensors_with_one_row_per_string",
                              note=_INTERNAL + _NO_GRADIENT),
}
