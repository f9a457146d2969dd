"""Op coverage for the lookup tables that tf.data.experimental's DatasetInitializer and
index_table_from_dataset build (merged into tests/test_op_coverage.py). None has a gradient."""
_TESTS = "test_data_experimental_round5.py::"
COVERAGE = {
    "DatasetTableInitialize": ([_TESTS + "test_dataset_initializer_pairs_feed_a_static_table",
                                _TESTS + "test_dataset_initializer_different_values_for_one_key_is_an_error",
                                _TESTS + "test_table_reinitialized_with_other_data_is_an_error"], [],
                               "fills a table from (key, value) elements; no gradient"),
    "DatasetTableFind": ([_TESTS + "test_index_table_from_dataset_maps_keys_to_their_positions",
                          _TESTS + "test_dataset_initializer_string_values_and_repeated_equal_pairs"], [],
                         "table lookups against a Python list's index; no gradient (TF: none)"),
    "DatasetTableSize": ([_TESTS + "test_index_table_from_dataset_default_value_and_vocab_size",
                          _TESTS + "test_dataset_initializer_empty_dataset_gives_an_empty_table"], [],
                         "the number of entries; no gradient"),
}
