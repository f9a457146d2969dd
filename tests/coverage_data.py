"""Op coverage for tf.data's iterator ops (merged into tests/test_op_coverage.py). None has a gradient."""
COVERAGE = {
    "IteratorV2": (["test_data_dataset.py::test_reinitializable_iterator_from_structure"], [],
                   "the handle of an initializable iterator; no gradient"),
    "OneShotIterator": (["test_data_dataset.py::test_one_shot_iterator_is_per_session"], [],
                        "initializes itself on first use; no gradient"),
    "MakeIterator": (["test_data_dataset.py::test_initializable_iterator_with_fed_arrays",
                      "test_data_dataset.py::test_out_of_range_repeats_and_reinitialize_restarts"], [],
                     "an iterator's initializer; no outputs"),
    "IteratorGetNext": (["test_data_dataset.py::test_from_tensor_slices_tuple_values_types_and_shapes",
                         "test_data_dataset.py::test_feedable_iterator_switches_with_string_handle"], [],
                        "element values against NumPy; no gradient (TF: none)"),
    "DatasetToSingleElement": (["test_data_dataset.py::test_apply_and_experimental_helpers"], [],
                               "tf.data.experimental.get_single_element; no gradient"),
    "DatasetToTFRecord": (
        ["test_data_experimental_round2.py::test_tfrecord_writer_round_trips_through_tfrecord_dataset"], [],
        "tf.data.experimental.TFRecordWriter(...).write(dataset); writes a file, no gradient"),
    "IteratorGetNextAsOptional": (
        ["test_data_experimental_round2.py::test_get_next_as_optional_reads_to_the_end_without_raising",
         "test_data_experimental_round2.py::test_get_next_as_optional_of_variable_length_elements_at_the_end"], [],
        "tf.data.experimental.get_next_as_optional; no gradient"),
    "OptionalGetValue": (["test_data_experimental_round2.py::test_optional_from_value_and_empty"], [],
                         "Optional.get_value; InvalidArgumentError when empty; no gradient"),
}
