"""Op coverage of tf.TensorArray (ops/tensor_array.py); merged by test_op_coverage.py. The recurrent cells,
RNN functions and tf.contrib.seq2seq are built from existing ops and have no op of their own."""
_TA = "test_tensor_array.py::"

COVERAGE = {
    "TensorArrayV3": ([_TA + "test_write_read_stack_size_concat_values", _TA + "test_run_time_errors"], [],
                      "creates an unwritten array; no gradient (nothing flows into a new array)"),
    "TensorArrayScatterV3": (
        [_TA + "test_write_read_stack_size_concat_values", _TA + "test_unstack_scatter_split_values",
         _TA + "test_dynamic_size_grows"],
        [_TA + "test_gradients_of_write_read_stack_gather_concat", _TA + "test_gradients_of_unstack_scatter_split",
         _TA + "test_gradients_through_while_loop_tensor_arrays"],
        "write, scatter and unstack"),
    "TensorArrayGatherV3": (
        [_TA + "test_write_read_stack_size_concat_values", _TA + "test_unwritten_elements_read_as_zeros_once_the_shape_is_known"],
        [_TA + "test_gradients_of_write_read_stack_gather_concat", _TA + "test_gradients_through_while_loop_tensor_arrays"],
        "read, gather and stack"),
    "TensorArrayConcatV3": ([_TA + "test_write_read_stack_size_concat_values"],
                            [_TA + "test_gradients_of_write_read_stack_gather_concat"], ""),
    "TensorArraySplitV3": ([_TA + "test_unstack_scatter_split_values"],
                           [_TA + "test_gradients_of_unstack_scatter_split"], ""),
    "TensorArraySizeV3": ([_TA + "test_write_read_stack_size_concat_values", _TA + "test_dynamic_size_grows"], [],
                          "an int32 count; no gradient"),
    "TensorArrayScatterGrad": ([_TA + "test_gradients_of_write_read_stack_gather_concat"],
                               [_TA + "test_second_order_gradients_through_tensor_arrays"],
                               "gradient helper of read/gather; its own gradient is a gather"),
    "TensorArrayClearRows": ([_TA + "test_gradient_of_a_dynamic_size_array"],
                             [_TA + "test_second_order_gradients_through_tensor_arrays"],
                             "gradient helper of write/scatter/split"),
    "GatherTree": (["test_seq2seq.py::test_gather_tree_follows_parents_and_pads_with_end_token"], [],
                   "beam search back-tracking of integer ids; no gradient (TF: none)"),
}
