"""Every registered op type must be mapped to the tests that check it (the project's testing rule).

The rule (docs/DEVELOPING.md): every op has a value test against plain NumPy, and every differentiable op a
gradient test against central finite differences in float64 (tests/gradcheck.py). COVERAGE below maps each
op type registered in numflow.framework.op_def to

    (value tests, gradient tests, note)

as "file::function" names. This test fails when an op is registered without an entry (so a new op cannot
land without tests), when an entry names a test function that does not exist, when an op lacks a value
test, or when an op with a gradient of its own (differentiable and overriding OpDef.grad) lacks a gradient
test. Gradient tests are FD checks except where the note says the gradient is None or an error. Ops
checked only indirectly (gradient-only helpers, optimizer updates, summaries, random ops, structural ops)
say how in the note.

How the entries were found: the suite was run with a plugin that recorded, per test, which op kernels
were compiled and which op gradients were built (inside gradcheck.check_gradients or not); each entry
names tests that do build and run that op. To find tests for a new op the same way, grep the tests or
run one test with a breakpoint in OpDef.kernel.
"""
import importlib

import pytest

import numflow  # noqa: F401 - registers the core op families
import numflow.ops.conv  # noqa: F401
import numflow.ops.training  # noqa: F401 - the optimizers import it lazily
import numflow.ops.training_extra  # noqa: F401 - so do the extra optimizers
import numflow.summary  # noqa: F401
from numflow.framework import op_def

# Gradient ops without a gradient of their own: differentiating through them twice raises LookupError.
NO_SECOND_ORDER = ("gradient op: no second-order gradient (tf.gradients raises LookupError, as for an op "
                   "without one)")
# Ops with no inputs: their grad returns [] and there is nothing to check against finite differences.
LEAVES = {"Const", "VariableV2"}

COVERAGE = {
    # --- ops/math.py ---
    "Abs": (
        ["test_math_ops.py::test_unary_values", "test_math_ops.py::test_sign_floor_ceil_round_rint"],
        ["test_math_ops.py::test_unary_gradients"],
        ""),
    "Acos": (["test_math_ops.py::test_unary_values"], ["test_math_ops.py::test_unary_gradients"], ""),
    "Add": (
        ["test_math_ops.py::test_binary_values_broadcast"],
        ["test_math_ops.py::test_binary_gradients_broadcast"],
        ""),
    "AddN": (["test_math_ops.py::test_add_n_and_accumulate_n"], ["test_math_ops.py::test_add_n_and_accumulate_n"], ""),
    "All": (["test_math_ops.py::test_reduce_any_all"], [], ""),
    "Any": (["test_math_ops.py::test_reduce_any_all"], [], ""),
    "ArgMax": (["test_math_ops.py::test_argmax_argmin"], [], ""),
    "ArgMin": (["test_math_ops.py::test_argmax_argmin"], [], ""),
    "Asin": (["test_math_ops.py::test_unary_values"], ["test_math_ops.py::test_unary_gradients"], ""),
    "Atan": (["test_math_ops.py::test_unary_values"], ["test_math_ops.py::test_unary_gradients"], ""),
    "BatchMatMulV2": (
        ["test_math_ops.py::test_batch_matmul", "test_math_ops.py::test_batch_matmul_broadcasts_batch_dims"],
        ["test_math_ops.py::test_batch_matmul", "test_math_ops.py::test_batch_matmul_broadcasts_batch_dims"],
        ""),
    "BroadcastReduced": (
        ["test_op_values_extra.py::test_broadcast_reduced_values"],
        ["test_op_gradients_extra.py::test_broadcast_reduced_gradient",
         "test_op_gradients_extra.py::test_broadcast_reduced_gradient_unknown_shape"],
        "internal: the gradient of Sum and Mean"),
    "Cast": (["test_math_ops.py::test_cast_helpers"], ["test_math_ops.py::test_cast_helpers"], ""),
    "Ceil": (
        ["test_math_ops.py::test_sign_floor_ceil_round_rint"],
        ["test_math_ops.py::test_rounding_ops_have_no_gradient",
         "test_op_gradients_extra.py::test_rounding_ops_have_no_gradient_including_rint"],
        "gradient is None, as in TF"),
    "ClipByValue": (
        ["test_math_ops.py::test_clip_by_value_values_and_gradient"],
        ["test_math_ops.py::test_clip_by_value_values_and_gradient"],
        ""),
    "Cos": (["test_math_ops.py::test_unary_values"], ["test_math_ops.py::test_unary_gradients"], ""),
    "Cosh": (["test_math_ops.py::test_unary_values"], ["test_math_ops.py::test_unary_gradients"], ""),
    "Cumprod": (["test_math_ops.py::test_cumsum_cumprod"], ["test_math_ops.py::test_cumsum_cumprod"], ""),
    "Cumsum": (
        ["test_math_ops.py::test_cumsum_cumprod", "test_math_ops.py::test_cumsum_int_dtype"],
        ["test_math_ops.py::test_cumsum_cumprod"],
        ""),
    "DivNoNan": (
        ["test_math_ops.py::test_binary_values_broadcast", "test_math_ops.py::test_div_no_nan"],
        ["test_math_ops.py::test_binary_gradients_broadcast"],
        ""),
    "Equal": (["test_math_ops.py::test_comparisons"], [], ""),
    "Erf": (["test_math_ops.py::test_unary_values"], ["test_math_ops.py::test_unary_gradients"], ""),
    "Exp": (["test_math_ops.py::test_unary_values"], ["test_math_ops.py::test_unary_gradients"], ""),
    "Expm1": (["test_math_ops.py::test_unary_values"], ["test_math_ops.py::test_unary_gradients"], ""),
    "Floor": (
        ["test_math_ops.py::test_sign_floor_ceil_round_rint"],
        ["test_math_ops.py::test_rounding_ops_have_no_gradient",
         "test_op_gradients_extra.py::test_rounding_ops_have_no_gradient_including_rint"],
        "gradient is None, as in TF"),
    "FloorDiv": (
        ["test_math_ops.py::test_floordiv_and_mod_python_semantics"],
        ["test_op_gradients_extra.py::test_integer_division_ops_have_no_gradient"],
        "gradient is None, as in TF"),
    "FloorMod": (
        ["test_math_ops.py::test_binary_values_broadcast", "test_math_ops.py::test_floordiv_and_mod_python_semantics"],
        ["test_math_ops.py::test_binary_gradients_broadcast", "test_math_ops.py::test_floormod_gradient"],
        ""),
    "Greater": (["test_math_ops.py::test_comparisons"], [], ""),
    "GreaterEqual": (["test_math_ops.py::test_comparisons"], [], ""),
    "IsFinite": (["test_math_ops.py::test_is_nan_inf_finite"], [], ""),
    "IsInf": (["test_math_ops.py::test_is_nan_inf_finite"], [], ""),
    "IsNan": (["test_math_ops.py::test_is_nan_inf_finite"], [], ""),
    "Less": (["test_math_ops.py::test_comparisons"], [], ""),
    "LessEqual": (["test_math_ops.py::test_comparisons"], [], ""),
    "Log": (["test_math_ops.py::test_unary_values"], ["test_math_ops.py::test_unary_gradients"], ""),
    "Log1p": (["test_math_ops.py::test_unary_values"], ["test_math_ops.py::test_unary_gradients"], ""),
    "LogicalAnd": (["test_math_ops.py::test_logical_binary"], [], ""),
    "LogicalNot": (["test_math_ops.py::test_logical_not"], [], ""),
    "LogicalOr": (["test_math_ops.py::test_logical_binary"], [], ""),
    "LogicalXor": (["test_math_ops.py::test_logical_binary"], [], ""),
    "MatMul": (["test_math_ops.py::test_matmul_rank2"], ["test_math_ops.py::test_matmul_rank2"], ""),
    "Max": (
        ["test_math_ops.py::test_reduction_values_and_static_shape"],
        ["test_math_ops.py::test_reduction_gradients", "test_math_ops.py::test_reduce_max_gradient_splits_ties"],
        ""),
    "Maximum": (
        ["test_math_ops.py::test_binary_values_broadcast"],
        ["test_math_ops.py::test_max_min_gradients", "test_math_ops.py::test_max_min_ties_go_to_x"],
        ""),
    "Mean": (
        ["test_math_ops.py::test_reduction_values_and_static_shape",
         "test_math_ops.py::test_reduce_int_dtypes_preserved"],
        ["test_math_ops.py::test_reduction_gradients", "test_math_ops.py::test_second_order_through_reductions"],
        ""),
    "Min": (
        ["test_math_ops.py::test_reduction_values_and_static_shape"],
        ["test_math_ops.py::test_reduction_gradients", "test_math_ops.py::test_reduce_max_gradient_splits_ties"],
        ""),
    "Minimum": (
        ["test_math_ops.py::test_binary_values_broadcast"],
        ["test_math_ops.py::test_max_min_gradients", "test_math_ops.py::test_max_min_ties_go_to_x"],
        ""),
    "Mul": (
        ["test_math_ops.py::test_binary_values_broadcast"],
        ["test_math_ops.py::test_binary_gradients_broadcast"],
        ""),
    "Neg": (["test_math_ops.py::test_unary_values"], ["test_math_ops.py::test_unary_gradients"], ""),
    "NotEqual": (["test_math_ops.py::test_comparisons"], [], ""),
    "Pow": (
        ["test_math_ops.py::test_binary_values_broadcast"],
        ["test_math_ops.py::test_binary_gradients_broadcast"],
        ""),
    "Prod": (
        ["test_math_ops.py::test_reduction_values_and_static_shape"],
        ["test_math_ops.py::test_reduction_gradients", "test_math_ops.py::test_reduce_prod_gradient_with_zeros"],
        ""),
    "ProdGrad": (["test_op_values_extra.py::test_prod_grad_values_with_zeros"], [], NO_SECOND_ORDER),
    "RealDiv": (
        ["test_math_ops.py::test_binary_values_broadcast"],
        ["test_math_ops.py::test_binary_gradients_broadcast"],
        ""),
    "Reciprocal": (["test_math_ops.py::test_unary_values"], ["test_math_ops.py::test_unary_gradients"], ""),
    "ReduceLogSumExp": (
        ["test_math_ops.py::test_reduction_values_and_static_shape", "test_math_ops.py::test_reduce_logsumexp_stable"],
        ["test_math_ops.py::test_reduction_gradients"],
        ""),
    "Rint": (
        ["test_math_ops.py::test_sign_floor_ceil_round_rint"],
        ["test_op_gradients_extra.py::test_rounding_ops_have_no_gradient_including_rint"],
        "gradient is None, as in TF"),
    "Round": (
        ["test_math_ops.py::test_sign_floor_ceil_round_rint"],
        ["test_math_ops.py::test_rounding_ops_have_no_gradient",
         "test_op_gradients_extra.py::test_rounding_ops_have_no_gradient_including_rint"],
        "gradient is None, as in TF"),
    "Rsqrt": (["test_math_ops.py::test_unary_values"], ["test_math_ops.py::test_unary_gradients"], ""),
    "Select": (
        ["test_math_ops.py::test_where_select_same_shape",
         "test_math_ops.py::test_where_vector_condition_selects_rows",
         "test_math_ops.py::test_where_scalar_condition"],
        ["test_math_ops.py::test_where_select_same_shape",
         "test_math_ops.py::test_where_vector_condition_selects_rows"],
        ""),
    "Sigmoid": (["test_math_ops.py::test_unary_values"], ["test_math_ops.py::test_unary_gradients"], ""),
    "Sign": (
        ["test_math_ops.py::test_sign_floor_ceil_round_rint"],
        ["test_math_ops.py::test_sign_gradient_is_zero",
         "test_op_gradients_extra.py::test_sign_gradient_against_finite_differences"],
        ""),
    "Sin": (["test_math_ops.py::test_unary_values"], ["test_math_ops.py::test_unary_gradients"], ""),
    "Sinh": (["test_math_ops.py::test_unary_values"], ["test_math_ops.py::test_unary_gradients"], ""),
    "Sqrt": (["test_math_ops.py::test_unary_values"], ["test_math_ops.py::test_unary_gradients"], ""),
    "Square": (["test_math_ops.py::test_unary_values"], ["test_math_ops.py::test_unary_gradients"], ""),
    "SquaredDifference": (
        ["test_math_ops.py::test_binary_values_broadcast"],
        ["test_math_ops.py::test_binary_gradients_broadcast"],
        ""),
    "Sub": (
        ["test_math_ops.py::test_binary_values_broadcast"],
        ["test_math_ops.py::test_binary_gradients_broadcast"],
        ""),
    "Sum": (
        ["test_math_ops.py::test_reduction_values_and_static_shape",
         "test_math_ops.py::test_reduce_int_dtypes_preserved"],
        ["test_math_ops.py::test_reduction_gradients", "test_math_ops.py::test_second_order_through_reductions"],
        ""),
    "Tan": (["test_math_ops.py::test_unary_values"], ["test_math_ops.py::test_unary_gradients"], ""),
    "Tanh": (["test_math_ops.py::test_unary_values"], ["test_math_ops.py::test_unary_gradients"], ""),
    "TruncateMod": (
        ["test_math_ops.py::test_floordiv_and_mod_python_semantics"],
        ["test_op_gradients_extra.py::test_integer_division_ops_have_no_gradient"],
        "gradient is None, as in TF"),
    "Where": (["test_math_ops.py::test_where_coordinates"], [], ""),
    # --- ops/common.py ---
    "SumToShapeOf": (
        ["test_op_values_extra.py::test_sum_to_shape_of_and_broadcast_to_shape_of_values"],
        ["test_op_gradients_extra.py::test_sum_to_shape_of_gradient",
         "test_op_gradients_extra.py::test_broadcast_helpers_gradient_with_unknown_shapes"],
        "internal: undoes broadcasting in every binary op's gradient"),
    # --- ops/array.py ---
    "BooleanMask": (["test_array_ops.py::test_boolean_mask"], ["test_array_ops.py::test_boolean_mask"], ""),
    "BooleanMaskGrad": (
        ["test_op_values_extra.py::test_boolean_mask_grad_values"],
        ["test_op_gradients_extra.py::test_boolean_mask_grad_gradient",
         "test_op_gradients_extra.py::test_boolean_mask_grad_gradient_2d_mask"],
        "internal: the gradient of BooleanMask"),
    "BroadcastTo": (["test_array_ops.py::test_broadcast_to"], ["test_array_ops.py::test_broadcast_to"], ""),
    "BroadcastToShapeOf": (
        ["test_op_values_extra.py::test_sum_to_shape_of_and_broadcast_to_shape_of_values"],
        ["test_op_gradients_extra.py::test_broadcast_to_shape_of_gradient",
         "test_op_gradients_extra.py::test_broadcast_helpers_gradient_with_unknown_shapes"],
        "internal: the gradient of SumToShapeOf"),
    "ConcatGrad": (
        ["test_op_values_extra.py::test_concat_grad_values"],
        ["test_op_gradients_extra.py::test_concat_grad_gradient",
         "test_op_gradients_extra.py::test_concat_grad_gradient_axis0_three_inputs"],
        "internal: the gradient of ConcatV2"),
    "ConcatV2": (
        ["test_array_ops.py::test_concat_values_shapes_and_gradient"],
        ["test_array_ops.py::test_concat_values_shapes_and_gradient",
         "test_array_ops.py::test_concat_gradient_with_unknown_sizes"],
        ""),
    "DepthToSpace": (
        ["test_array_ops.py::test_space_to_depth_and_depth_to_space"],
        ["test_array_ops.py::test_space_to_depth_and_depth_to_space"],
        ""),
    "ExpandDims": (["test_array_ops.py::test_expand_dims"], ["test_array_ops.py::test_expand_dims"], ""),
    "Fill": (
        ["test_array_ops.py::test_fill_value_shape_and_gradient"],
        ["test_array_ops.py::test_fill_value_shape_and_gradient"],
        ""),
    "GatherGrad": (
        ["test_op_values_extra.py::test_gather_grad_values"],
        ["test_op_gradients_extra.py::test_gather_grad_gradient_repeated_indices"],
        "internal: the gradient of GatherV2"),
    "GatherNd": (["test_array_ops.py::test_gather_nd"], ["test_array_ops.py::test_gather_nd"], ""),
    "GatherNdGrad": (
        ["test_op_values_extra.py::test_gather_nd_grad_values"],
        ["test_op_gradients_extra.py::test_gather_nd_grad_gradient",
         "test_op_gradients_extra.py::test_gather_nd_grad_gradient_slices"],
        "internal: the gradient of GatherNd"),
    "GatherV2": (
        ["test_array_ops.py::test_gather_values_and_shapes"],
        ["test_array_ops.py::test_gather_gradients_with_repeated_indices"],
        ""),
    "InvertPermutation": (["test_array_ops.py::test_matrix_transpose_and_invert_permutation"], [], ""),
    "LinSpace": (["test_array_ops.py::test_linspace"], [], ""),
    "MirrorPad": (
        ["test_array_ops.py::test_pad_values_and_gradients"],
        ["test_array_ops.py::test_pad_values_and_gradients"],
        ""),
    "MirrorPadGrad": (
        ["test_op_values_extra.py::test_mirror_pad_grad_values"],
        ["test_op_gradients_extra.py::test_mirror_pad_grad_gradient"],
        "internal: the gradient of MirrorPad"),
    "OneHot": (["test_array_ops.py::test_one_hot"], [], ""),
    "OnesLike": (["test_array_ops.py::test_zeros_like_ones_like"], [], ""),
    "Pack": (["test_array_ops.py::test_stack_and_unstack"], ["test_array_ops.py::test_stack_unstack_gradients"], ""),
    "PadV2": (
        ["test_array_ops.py::test_pad_values_and_gradients", "test_array_ops.py::test_pad_constant_values_and_shapes"],
        ["test_array_ops.py::test_pad_values_and_gradients"],
        ""),
    "Range": (["test_array_ops.py::test_range_values_and_dtypes"], [], ""),
    "Rank": (["test_array_ops.py::test_shape_size_rank_shape_n"], [], ""),
    "Reshape": (
        ["test_array_ops.py::test_reshape_values_and_minus_one"],
        ["test_array_ops.py::test_reshape_gradient"],
        ""),
    "ReverseV2": (["test_array_ops.py::test_reverse"], ["test_array_ops.py::test_reverse"], ""),
    "SequenceMask": (["test_array_ops.py::test_sequence_mask"], [], ""),
    "Shape": (["test_array_ops.py::test_shape_size_rank_shape_n"], [], ""),
    "Size": (["test_array_ops.py::test_shape_size_rank_shape_n"], [], ""),
    "Slice": (["test_array_ops.py::test_slice_values_and_shapes"], ["test_array_ops.py::test_slice_gradients"], ""),
    "SliceGrad": (
        ["test_op_values_extra.py::test_slice_grad_values"],
        ["test_op_gradients_extra.py::test_slice_grad_gradient"],
        "internal: the gradient of Slice"),
    "SpaceToDepth": (
        ["test_array_ops.py::test_space_to_depth_and_depth_to_space"],
        ["test_array_ops.py::test_space_to_depth_and_depth_to_space"],
        ""),
    "Split": (["test_array_ops.py::test_split"], ["test_array_ops.py::test_split"], ""),
    "Squeeze": (["test_array_ops.py::test_squeeze"], ["test_array_ops.py::test_squeeze"], ""),
    "StridedSlice": (
        ["test_indexing.py::test_indexing_matches_numpy_values_and_static_shape",
         "test_array_ops.py::test_strided_slice_op_with_masks"],
        ["test_indexing.py::test_indexing_gradients", "test_array_ops.py::test_strided_slice_op_with_masks"],
        ""),
    "StridedSliceGrad": (
        ["test_op_values_extra.py::test_strided_slice_grad_values"],
        ["test_op_gradients_extra.py::test_strided_slice_grad_gradient"],
        "internal: the gradient of StridedSlice"),
    "Tile": (["test_array_ops.py::test_tile"], ["test_array_ops.py::test_tile"], ""),
    "TileGrad": (
        ["test_op_values_extra.py::test_tile_grad_values"],
        ["test_op_gradients_extra.py::test_tile_grad_gradient"],
        "internal: the gradient of Tile"),
    "Transpose": (
        ["test_array_ops.py::test_transpose_values_shapes_and_gradient"],
        ["test_array_ops.py::test_transpose_values_shapes_and_gradient"],
        ""),
    "Unique": (["test_array_ops.py::test_unique"], [], ""),
    "Unpack": (["test_array_ops.py::test_stack_and_unstack"], ["test_array_ops.py::test_stack_unstack_gradients"], ""),
    "ZerosLike": (["test_array_ops.py::test_zeros_like_ones_like"], [], ""),
    # --- ops/constant.py ---
    "Const": (["test_op_values_extra.py::test_const_values"], [], "leaf: no inputs, its grad returns []"),
    "Placeholder": (
        ["test_math_ops.py::test_unary_values", "test_op_values_extra.py::test_placeholder_with_default_values"],
        [],
        "no kernel: always fed; every gradcheck.evaluate feeds placeholders"),
    "PlaceholderWithDefault": (
        ["test_op_values_extra.py::test_placeholder_with_default_values"],
        ["test_op_gradients_extra.py::test_placeholder_with_default_gradient"],
        ""),
    # --- ops/state.py ---
    "Assign": (["test_variables.py::test_assign_methods"], [], ""),
    "AssignAdd": (["test_variables.py::test_assign_methods"], [], ""),
    "AssignSub": (["test_variables.py::test_assign_methods"], [], ""),
    "IsVariableInitialized": (["test_variables.py::test_initialize_all_variables_and_variables_initializer"], [], ""),
    "VariableV2": (
        ["test_variables.py::test_initializers_and_values"],
        [],
        "leaf: no inputs, its grad returns []; gradients w.r.t. variables: test_optimizers.py"),
    # --- ops/control.py ---
    "Cond": (
        ["test_control_flow.py::test_cond_runs_only_the_taken_branch",
         "test_control_flow.py::test_cond_with_several_outputs_and_outside_tensors"],
        ["test_control_flow.py::test_cond_gradient_against_finite_differences",
         "test_control_flow.py::test_cond_gradient_follows_the_taken_branch"],
        ""),
    "Identity": (
        ["test_op_values_extra.py::test_identity_and_stop_gradient_values"],
        ["test_op_gradients_extra.py::test_identity_gradient"],
        "plan rewrites usually elide its kernel; the fetched value is what the test checks"),
    "LoopVar": (
        ["test_control_flow.py::test_while_loop_sums"],
        [],
        "internal: a While body's loop variable; no kernel of its own"),
    "NoOp": (["test_control_flow.py::test_group_runs_all_its_inputs"], [], "tf.group / control dependencies"),
    "StopGradient": (
        ["test_op_values_extra.py::test_identity_and_stop_gradient_values"],
        ["test_control_flow.py::test_stop_gradient_blocks_gradients"],
        "not differentiable: tf.gradients stops here"),
    "While": (
        ["test_control_flow.py::test_while_loop_sums",
         "test_control_flow.py::test_while_loop_single_variable_and_maximum_iterations"],
        ["test_control_flow.py::test_while_loop_gradient_flows_through_the_iterations",
         "test_op_gradients_extra.py::test_while_gradient_loop_vars_and_captured_tensor",
         "test_op_gradients_extra.py::test_while_gradient_data_dependent_trip_count_and_matmul"],
        ""),
    "WhileGrad": (
        ["test_control_flow.py::test_while_loop_gradient_flows_through_the_iterations",
         "test_op_gradients_extra.py::test_while_gradient_loop_vars_and_captured_tensor"],
        [],
        "internal: the gradient of While; differentiable=False (second order treats it as a constant)"),
    # --- ops/random.py ---
    "Multinomial": (["test_random.py::test_multinomial_frequencies"], [], "random: statistical value checks"),
    "RandomCrop": (["test_random.py::test_random_crop"], [], "random: statistical value checks"),
    "RandomGamma": (["test_random.py::test_random_gamma_shape_and_mean"],
                    ["test_defects_round4.py::test_random_gamma_gradient_is_the_implicit_reparameterisation",
                     "test_defects_round4.py::test_random_gamma_gradients_in_alpha_and_beta"],
                    "random: statistical value checks; gradient: the implicit reparameterisation (no finite "
                    "differences through sampling), against differences of the Gamma quantile"),
    "RandomOrthogonal": (["test_initializers.py::test_orthogonal_initializer"], [], "random: orthogonality checked"),
    "RandomPoisson": (["test_random.py::test_random_poisson_shape_and_mean"], [], "random: statistical value checks"),
    "RandomShuffle": (
        ["test_random.py::test_random_shuffle_permutes_first_dimension"],
        [],
        "random: statistical value checks"),
    "RandomStandardNormal": (
        ["test_random.py::test_random_normal_statistics_and_dtype"],
        [],
        "random: statistical value checks"),
    "RandomUniform": (["test_random.py::test_random_uniform_float_bounds"], [], "random: statistical value checks"),
    "RandomUniformInt": (["test_random.py::test_random_uniform_int"], [], "random: statistical value checks"),
    "StatelessRandomNormal": (
        ["test_random.py::test_stateless_ops_depend_only_on_seed"],
        [],
        "random: statistical value checks"),
    "StatelessRandomUniform": (
        ["test_random.py::test_stateless_ops_depend_only_on_seed"],
        [],
        "random: statistical value checks"),
    "StatelessTruncatedNormal": (
        ["test_random.py::test_stateless_ops_depend_only_on_seed"],
        [],
        "random: statistical value checks"),
    "TruncatedNormal": (
        ["test_random.py::test_truncated_normal_bounds_and_std"],
        [],
        "random: statistical value checks"),
    # --- ops/nn.py ---
    "BiasAdd": (
        ["test_nn_ops.py::test_bias_add_values_and_gradients"],
        ["test_nn_ops.py::test_bias_add_values_and_gradients"],
        ""),
    "BiasAddGrad": (["test_op_values_extra.py::test_bias_add_grad_values"], [], NO_SECOND_ORDER),
    "Dropout": (
        ["test_nn_ops.py::test_dropout_scales_kept_values",
         "test_nn_ops.py::test_dropout_keep_prob_placeholder_and_noise_shape"],
        ["test_nn_ops.py::test_dropout_gradient_uses_the_same_mask",
         "test_op_gradients_extra.py::test_dropout_gradient_against_finite_differences"],
        ""),
    "Elu": (["test_nn_ops.py::test_activation_values"], ["test_nn_ops.py::test_activation_gradients"], ""),
    "EluGrad": (["test_op_values_extra.py::test_activation_grad_values"], [], NO_SECOND_ORDER),
    "InTopKV2": (["test_nn_ops.py::test_in_top_k"], [], ""),
    "L2Loss": (["test_nn_ops.py::test_l2_loss"], ["test_nn_ops.py::test_l2_loss"], ""),
    "L2Normalize": (
        ["test_nn_ops.py::test_l2_normalize", "test_nn_ops.py::test_l2_normalize_dim_alias_and_zero_vector"],
        ["test_nn_ops.py::test_l2_normalize", "test_nn_ops.py::test_l2_normalize_dim_alias_and_zero_vector"],
        ""),
    "L2NormalizeGrad": (["test_op_values_extra.py::test_l2_normalize_grad_values"], [], NO_SECOND_ORDER),
    "LeakyRelu": (["test_nn_ops.py::test_activation_values"], ["test_nn_ops.py::test_activation_gradients"], ""),
    "LeakyReluGrad": (
        ["test_op_values_extra.py::test_activation_grad_values"],
        ["test_op_gradients_extra.py::test_leaky_relu_grad_gradient"],
        "internal: the gradient of LeakyRelu"),
    "LogSoftmax": (
        ["test_nn_ops.py::test_softmax_and_log_softmax_values"],
        ["test_nn_ops.py::test_softmax_gradients"],
        ""),
    "LogSoftmaxGrad": (["test_op_values_extra.py::test_softmax_and_log_softmax_grad_values"], [], NO_SECOND_ORDER),
    "Moments": (["test_nn_ops.py::test_moments"], ["test_nn_ops.py::test_moments"], ""),
    "MomentsGrad": (["test_op_values_extra.py::test_moments_grad_values"], [], NO_SECOND_ORDER),
    "Relu": (["test_nn_ops.py::test_activation_values"], ["test_nn_ops.py::test_activation_gradients"], ""),
    "Relu6": (["test_nn_ops.py::test_activation_values"], ["test_nn_ops.py::test_activation_gradients"], ""),
    "Relu6Grad": (
        ["test_op_values_extra.py::test_activation_grad_values"],
        ["test_op_gradients_extra.py::test_relu6_grad_gradient"],
        "internal: the gradient of Relu6"),
    "ReluGrad": (
        ["test_op_values_extra.py::test_activation_grad_values"],
        ["test_op_gradients_extra.py::test_relu_grad_gradient",
         "test_op_gradients_extra.py::test_relu_hessian_through_relu_grad",
         "test_nn_ops.py::test_relu_second_order_gradient"],
        "internal: the gradient of Relu"),
    "ScaleAlongAxis": (
        ["test_op_values_extra.py::test_scale_along_axis_values_in_softmax_cross_entropy_gradient"],
        [],
        NO_SECOND_ORDER + "; internal: the softmax cross-entropies' gradient"),
    "Selu": (["test_nn_ops.py::test_activation_values"], ["test_nn_ops.py::test_activation_gradients"], ""),
    "SeluGrad": (["test_op_values_extra.py::test_activation_grad_values"], [], NO_SECOND_ORDER),
    "ShardedGather": (
        ["test_nn_ops.py::test_embedding_lookup_sharded"],
        ["test_nn_ops.py::test_embedding_lookup_sharded"],
        ""),
    "SigmoidCrossEntropyGrad": (
        ["test_op_values_extra.py::test_sigmoid_cross_entropy_grad_values"],
        [],
        NO_SECOND_ORDER),
    "SigmoidCrossEntropyWithLogits": (
        ["test_nn_ops.py::test_sigmoid_cross_entropy_values_and_stability"],
        ["test_nn_ops.py::test_sigmoid_cross_entropy_gradients"],
        ""),
    "Softmax": (
        ["test_nn_ops.py::test_softmax_and_log_softmax_values"],
        ["test_nn_ops.py::test_softmax_gradients"],
        ""),
    "SoftmaxCrossEntropyWithLogits": (
        ["test_nn_ops.py::test_softmax_cross_entropy_values",
         "test_nn_ops.py::test_softmax_cross_entropy_dim_and_rank1"],
        ["test_nn_ops.py::test_softmax_cross_entropy_gradients"],
        ""),
    "SoftmaxGrad": (["test_op_values_extra.py::test_softmax_and_log_softmax_grad_values"], [], NO_SECOND_ORDER),
    "Softplus": (["test_nn_ops.py::test_activation_values"], ["test_nn_ops.py::test_activation_gradients"], ""),
    "SoftplusGrad": (["test_op_values_extra.py::test_activation_grad_values"], [], NO_SECOND_ORDER),
    "Softsign": (["test_nn_ops.py::test_activation_values"], ["test_nn_ops.py::test_activation_gradients"], ""),
    "SoftsignGrad": (["test_op_values_extra.py::test_activation_grad_values"], [], NO_SECOND_ORDER),
    "SparseSoftmaxCrossEntropyWithLogits": (
        ["test_nn_ops.py::test_sparse_softmax_cross_entropy_values",
         "test_nn_ops.py::test_sparse_softmax_cross_entropy_higher_rank_and_stability"],
        ["test_nn_ops.py::test_sparse_softmax_cross_entropy_gradients"],
        ""),
    "Swish": (["test_nn_ops.py::test_activation_values"], ["test_nn_ops.py::test_activation_gradients"], ""),
    "SwishGrad": (["test_op_values_extra.py::test_activation_grad_values"], [], NO_SECOND_ORDER),
    "TopKGrad": (["test_op_values_extra.py::test_top_k_grad_values"], [], NO_SECOND_ORDER),
    "TopKV2": (
        ["test_nn_ops.py::test_top_k_values_indices_and_ties", "test_nn_ops.py::test_top_k_random_against_numpy"],
        ["test_nn_ops.py::test_top_k_gradient"],
        ""),
    "ZeroFraction": (["test_nn_ops.py::test_zero_fraction"], [], ""),
    # --- ops/conv.py ---
    "AvgPool": (["test_conv.py::test_pool_values_and_gradients"], ["test_conv.py::test_pool_values_and_gradients"], ""),
    "AvgPoolGrad": (
        ["test_conv.py::test_pool_values_and_gradients", "test_conv.py::test_avg_pool_grad_op_is_differentiable"],
        ["test_conv.py::test_avg_pool_grad_op_is_differentiable"],
        "internal: the gradient of AvgPool"),
    "Conv2D": (
        ["test_conv.py::test_conv2d_values_and_gradients", "test_conv.py::test_conv2d_nchw_matches_nhwc"],
        ["test_conv.py::test_conv2d_values_and_gradients"],
        ""),
    "Conv2DBackpropFilter": (
        ["test_conv.py::test_conv2d_values_and_gradients", "test_conv.py::test_conv2d_transpose"],
        ["test_conv.py::test_conv_backprop_ops_are_differentiable"],
        "also the gradient of Conv2D"),
    "Conv2DBackpropInput": (
        ["test_conv.py::test_conv2d_values_and_gradients", "test_conv.py::test_conv2d_transpose"],
        ["test_conv.py::test_conv_backprop_ops_are_differentiable"],
        "also the gradient of Conv2D"),
    "DepthwiseConv2dNative": (["test_conv.py::test_depthwise_conv2d"], ["test_conv.py::test_depthwise_conv2d"], ""),
    "DepthwiseConv2dNativeBackpropFilter": (
        ["test_conv.py::test_depthwise_conv2d"],
        ["test_op_gradients_extra.py::test_depthwise_backprop_gradients"],
        "also the gradient of DepthwiseConv2dNative"),
    "DepthwiseConv2dNativeBackpropInput": (
        ["test_conv.py::test_depthwise_conv2d"],
        ["test_op_gradients_extra.py::test_depthwise_backprop_gradients"],
        "also the gradient of DepthwiseConv2dNative"),
    "FusedBatchNorm": (
        ["test_layers.py::test_fused_batch_norm_values_and_gradients"],
        ["test_layers.py::test_fused_batch_norm_values_and_gradients"],
        ""),
    "FusedBatchNormGrad": (
        ["test_layers.py::test_fused_batch_norm_values_and_gradients"],
        [],
        "internal: the gradient of FusedBatchNorm; differentiable=False (treated as a constant)"),
    "MaxPool": (["test_conv.py::test_pool_values_and_gradients"], ["test_conv.py::test_pool_values_and_gradients"], ""),
    "MaxPoolGrad": (
        ["test_conv.py::test_pool_values_and_gradients",
         "test_conv.py::test_max_pool_gradient_goes_to_first_max_in_ties"],
        [],
        "internal: the gradient of MaxPool; differentiable=False (tf.gradients treats it as a constant)"),
    # --- ops/training.py ---
    "ApplyAdadelta": (
        ["test_optimizers.py::test_updates_match_tf1_formulas"],
        [],
        "optimizer update: values against the TF1 formulas in NumPy"),
    "ApplyAdagrad": (
        ["test_optimizers.py::test_updates_match_tf1_formulas"],
        [],
        "optimizer update: values against the TF1 formulas in NumPy"),
    "ApplyAdam": (
        ["test_optimizers.py::test_updates_match_tf1_formulas"],
        [],
        "optimizer update: values against the TF1 formulas in NumPy"),
    "ApplyCenteredRMSProp": (
        ["test_optimizers.py::test_updates_match_tf1_formulas"],
        [],
        "optimizer update: values against the TF1 formulas in NumPy"),
    "ApplyGradientDescent": (
        ["test_optimizers.py::test_updates_match_tf1_formulas"],
        [],
        "optimizer update: values against the TF1 formulas in NumPy"),
    "ApplyMomentum": (
        ["test_optimizers.py::test_updates_match_tf1_formulas"],
        [],
        "optimizer update: values against the TF1 formulas in NumPy"),
    "ApplyRMSProp": (
        ["test_optimizers.py::test_updates_match_tf1_formulas"],
        [],
        "optimizer update: values against the TF1 formulas in NumPy"),
    # --- ops/linalg.py ---
    "Cross": (["test_clip_linalg.py::test_cross"], ["test_clip_linalg.py::test_cross"], ""),
    "Diag": (["test_clip_linalg.py::test_diagonals"], ["test_clip_linalg.py::test_diagonal_gradients"], ""),
    "DiagPart": (["test_clip_linalg.py::test_diagonals"], ["test_clip_linalg.py::test_diagonal_gradients"], ""),
    "Einsum": (
        ["test_clip_linalg.py::test_einsum_values_and_gradients", "test_clip_linalg.py::test_tensordot"],
        ["test_clip_linalg.py::test_einsum_values_and_gradients", "test_clip_linalg.py::test_tensordot"],
        "tf.tensordot is an einsum; no gradient through a subscript repeated within one operand"),
    "Eye": (["test_clip_linalg.py::test_eye"], [], "not differentiable (a constant of its sizes)"),
    "MatrixDeterminant": (
        ["test_clip_linalg.py::test_matrix_inverse_and_determinant_values"],
        ["test_clip_linalg.py::test_matrix_inverse_and_determinant_gradients"],
        ""),
    "MatrixDiag": (["test_clip_linalg.py::test_diagonals"], ["test_clip_linalg.py::test_diagonal_gradients"], ""),
    "MatrixDiagPart": (
        ["test_clip_linalg.py::test_diagonals"], ["test_clip_linalg.py::test_diagonal_gradients"], ""),
    "MatrixInverse": (
        ["test_clip_linalg.py::test_matrix_inverse_and_determinant_values"],
        ["test_clip_linalg.py::test_matrix_inverse_and_determinant_gradients"],
        ""),
    "MatrixSetDiag": (
        ["test_clip_linalg.py::test_diagonals"], ["test_clip_linalg.py::test_diagonal_gradients"], ""),
    # --- ops/functional.py ---
    "MapFn": (
        ["test_functional_debug.py::test_map_fn_values_and_static_shape",
         "test_functional_debug.py::test_map_fn_nested_elems_dtype_and_empty"],
        ["test_functional_debug.py::test_map_fn_gradients_for_elems_captured_and_variables"],
        "its gradient is another MapFn (of the traced vector-Jacobian product)"),
    # --- ops/debug.py ---
    "Assert": (
        ["test_functional_debug.py::test_assert_in_control_dependencies",
         "test_functional_debug.py::test_binary_asserts_at_run_time"],
        [],
        "stateful check without outputs"),
    "CheckPinned": (
        ["test_functional_debug.py::test_check_pinned_is_a_failed_precondition_without_cuda"],
        [],
        "no pinned memory on a CPU-only build: FailedPreconditionError, as TF without CUDA; no gradient"),
    "CheckNumerics": (
        ["test_functional_debug.py::test_check_numerics_errors"],
        ["test_functional_debug.py::test_check_numerics_passes_values_and_gradients"],
        ""),
    "Print": (
        ["test_functional_debug.py::test_print_is_identity_and_prints"],
        ["test_functional_debug.py::test_print_first_n_and_gradient"],
        "identity that prints to stderr"),
    "PrintV2": (["test_functional_debug.py::test_tf_print_op"], [], "tf.print: output checked with capsys"),
    # --- ops/script.py ---
    "PyFunc": (
        ["test_functional_debug.py::test_py_func_values",
         "test_functional_debug.py::test_py_func_stateful_calls_each_run_and_no_gradient"],
        [],
        "not differentiable (TF's NotDifferentiable): tf.gradients gives None"),
    "PyFuncStateless": (["test_functional_debug.py::test_py_func_values"], [], "tf.py_func(stateful=False)"),
    "LRN": (["test_nn_ops.py::test_lrn_values_and_gradient"], ["test_nn_ops.py::test_lrn_values_and_gradient"], ""),
    "LRNGrad": (["test_nn_ops.py::test_lrn_values_and_gradient"], [],
                "gradient-only op, checked through LRN's finite differences; no second-order gradient"),
    # --- summary.py ---
    "HistogramSummary": (
        ["test_summary.py::test_event_file_contents_with_numflow_reader"],
        [],
        "summary: serialized protos decoded and compared"),
    "ImageSummary": (
        ["test_summary.py::test_event_file_contents_with_numflow_reader",
         "test_summary.py::test_uint8_and_rgba_images_and_png"],
        [],
        "summary: serialized protos decoded and compared"),
    "MergeSummary": (
        ["test_summary.py::test_event_file_contents_with_numflow_reader"],
        [],
        "summary: serialized protos decoded and compared"),
    "ScalarSummary": (
        ["test_summary.py::test_event_file_contents_with_numflow_reader",
         "test_summary.py::test_summary_names_tags_and_collections"],
        [],
        "summary: serialized protos decoded and compared"),
    "TensorSummaryV2": (
        ["test_summary.py::test_event_file_contents_with_numflow_reader"],
        [],
        "summary: serialized protos decoded and compared"),
}


# Op families added later keep their entries beside their tests: every module tests/coverage_*.py defines
# COVERAGE in the same form, merged here (one file per family, so families never edit each other's table).
def _merge_family_tables():
    import glob
    import os
    here = os.path.dirname(os.path.abspath(__file__))
    for path in sorted(glob.glob(os.path.join(here, "coverage_*.py"))):
        module = importlib.import_module(os.path.basename(path)[:-3])
        overlap = set(module.COVERAGE) & set(COVERAGE)
        assert not overlap, "%s repeats entries of another table: %s" % (path, sorted(overlap))
        COVERAGE.update(module.COVERAGE)


_merge_family_tables()


def _op_def(op_type):
    return op_def.lookup(op_type)


def _needs_gradient_test(op_type):
    definition = _op_def(op_type)
    return (definition.differentiable and type(definition).grad is not op_def.OpDef.grad
            and op_type not in LEAVES)


def test_every_registered_op_has_an_entry():
    missing = sorted(set(op_def.registered_types()) - set(COVERAGE))
    assert not missing, ("ops registered without an entry in tests/test_op_coverage.py COVERAGE (add a "
                         "NumPy value test and, if differentiable, a finite-difference gradient test): %s"
                         % missing)


def test_no_entry_for_an_unregistered_op():
    stale = sorted(set(COVERAGE) - set(op_def.registered_types()))
    assert not stale, "COVERAGE names op types that are no longer registered: %s" % stale


@pytest.mark.parametrize("op_type", sorted(COVERAGE))
def test_entry_names_existing_tests(op_type):
    values, grads, note = COVERAGE[op_type]
    assert values, "%s has no value test" % op_type
    if _needs_gradient_test(op_type):
        assert grads, "%s is differentiable with a gradient of its own but has no gradient test" % op_type
    elif op_type in LEAVES:
        assert _op_def(op_type).grad(None) == [], "%s is listed as a leaf but its grad returns values" % op_type
    for name in values + grads:
        path, _, function = name.partition("::")
        assert path.startswith("test_") and path.endswith(".py") and function.startswith("test_"), name
        module = importlib.import_module(path[:-3])
        assert callable(getattr(module, function, None)), "%s: no test function %s" % (op_type, name)


def test_no_second_order_notes_are_true():
    """The ops noted as lacking a second-order gradient really lack one; drop the note when adding it."""
    for op_type, (_, grads, note) in COVERAGE.items():
        if note.startswith("gradient op: no second-order gradient"):
            definition = _op_def(op_type)
            assert type(definition).grad is op_def.OpDef.grad and not grads, op_type
