"""Op coverage of the proximal / FTRL / dual-averaging optimizer updates (merged by test_op_coverage.py)."""
_NOTE = ("optimizer update, not differentiable: five steps against TF1's rule written per weight in Python "
         "(and against real TensorFlow in test_tf_parity_optimizers_extra.py)")
_STEPS = "test_optimizers_extra.py::test_five_steps_match_the_tf1_update_rules"

COVERAGE = {
    "ApplyFtrl": ([_STEPS, "test_optimizers_extra.py::test_l1_drives_small_weights_to_exact_zero"], [], _NOTE),
    "ApplyFtrlV2": ([_STEPS], [], _NOTE),
    "ApplyProximalGradientDescent": ([_STEPS, "test_optimizers_extra.py::test_mismatched_shapes_and_dtypes_are_rejected"],
                                     [], _NOTE),
    "ApplyProximalAdagrad": ([_STEPS, "test_optimizers_extra.py::test_ops_update_in_place_and_return_the_new_value"],
                             [], _NOTE),
    "ApplyAdagradDA": ([_STEPS, "test_optimizers_extra.py::test_adagrad_da_global_step_must_be_int64_scalar_in_the_op"],
                       [], _NOTE),
}
