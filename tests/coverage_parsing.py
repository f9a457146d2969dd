"""Op coverage (see tests/test_op_coverage.py) for the parsing ops and SparseToDense."""
_NO_GRADIENT = "not differentiable (a parsing op: string input, as in TF)"

COVERAGE = {
    "ParseExample": (
        ["test_parsing.py::test_parse_example_dense_sparse_and_defaults",
         "test_parsing.py::test_parse_example_matches_a_plain_python_reference_on_random_examples",
         "test_parsing.py::test_fixed_len_sequence_feature_pads_to_the_longest",
         "test_parsing.py::test_parse_example_errors_name_key_and_index_and_session_survives"],
        [], _NO_GRADIENT),
    "ParseSingleExample": (["test_parsing.py::test_parse_single_example"], [], _NO_GRADIENT),
    "DecodeRaw": (
        ["test_parsing.py::test_decode_raw_matches_numpy", "test_parsing.py::test_decode_raw_scalar_and_errors"],
        [], _NO_GRADIENT),
    "DecodeCSV": (
        ["test_parsing.py::test_decode_csv_types_defaults_and_quotes",
         "test_parsing.py::test_decode_csv_delimiter_na_value_select_cols_and_shape",
         "test_parsing.py::test_decode_csv_malformed_records"],
        [], _NO_GRADIENT),
    "StringToNumber": (["test_parsing.py::test_string_to_number"], [], _NO_GRADIENT),
    "SparseToDense": (
        ["test_sparse_tensor.py::test_sparse_tensor_to_dense_matches_numpy",
         "test_sparse_tensor.py::test_sparse_to_dense_index_forms_and_scalar_values",
         "test_sparse_tensor.py::test_sparse_to_dense_validation_errors"],
        ["test_sparse_tensor.py::test_sparse_to_dense_gradient_wrt_values_and_default"],
        "gradient w.r.t. sparse_values (gather_nd of dy) and default_value (the rest of dy's sum), as in TF"),
}
