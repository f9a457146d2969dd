"""Op coverage for ops/tf_compat_ops.py, the ops TensorFlow-written graphs contain (merged into
tests/test_op_coverage.py)."""
import numflow.ops.tf_compat_ops  # noqa: F401 - registers the ops

_KERNEL_BITS = "test_kernel_speedups.py::test_sigmoid_and_tanh_gradient_kernels_match_the_products_bit_for_bit"
_SECOND_ORDER = "test_kernel_speedups.py::test_second_derivatives_through_the_fused_gradient_ops"
COVERAGE = {
    "BroadcastGradientArgs": (["test_graph_def.py::test_broadcast_gradient_args_values",
                               "test_graph_def.py::test_tf_training_graph_trains_and_saves_like_tf"], [],
                              "values against TF's for five shape pairs; no gradient (integer shapes)"),
    "SigmoidGrad": (["test_graph_def.py::test_sigmoid_tanh_grad_and_shape_n_values",
                     "test_graph_def.py::test_tf_training_graph_trains_and_saves_like_tf",
                     _KERNEL_BITS], [_SECOND_ORDER],
                    "tf.sigmoid's gradient (real dtypes); second derivatives against finite differences"),
    "TanhGrad": (["test_graph_def.py::test_sigmoid_tanh_grad_and_shape_n_values",
                  "test_graph_def.py::test_tf_training_graph_trains_and_saves_like_tf",
                  _KERNEL_BITS], [_SECOND_ORDER],
                 "tf.tanh's gradient (real dtypes); second derivatives against finite differences"),
    "ShapeN": (["test_graph_def.py::test_sigmoid_tanh_grad_and_shape_n_values"], [], "shapes; no gradient"),
    "ShardedFilename": (["test_graph_def.py::test_saver_file_ops"], [], "a file name; no gradient"),
    "SaveV2": (["test_graph_def.py::test_saver_file_ops",
                "test_graph_def.py::test_tf_training_graph_trains_and_saves_like_tf"], [],
               "writes a bundle read back by RestoreV2 and tf.train.load_checkpoint; no gradient"),
    "RestoreV2": (["test_graph_def.py::test_saver_file_ops",
                   "test_graph_def.py::test_tf_training_graph_trains_and_saves_like_tf"], [],
                  "values and dtypes of saved tensors; no gradient"),
    "MergeV2Checkpoints": (["test_graph_def.py::test_saver_file_ops"], [],
                           "moves a bundle and removes the emptied folder; no gradient"),
}
