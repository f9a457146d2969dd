"""Ops that graphs written by TensorFlow contain and numflow's own graphs do not.

A TF1 training graph holds TF's gradient ops (BroadcastGradientArgs, SigmoidGrad, TanhGrad ...), the
Saver's file ops (SaveV2, RestoreV2, MergeV2Checkpoints, ShardedFilename; StringJoin is in
ops/string_ops.py) and a few array ops
(ShapeN; DynamicStitch is in ops/segment_ops.py). They are defined here so that such a graph, read by `tf.import_graph_def`,
runs in a numflow Session. Their inputs, outputs and attrs follow TF's op definitions. SigmoidGrad and
TanhGrad are also the gradients numflow's own tf.sigmoid and tf.tanh build (one kernel instead of three).
"""
import numpy as np

from ..framework import dtypes, errors
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape
from .common import check_same_dtype, make_tensor

__all__ = []


@register
class BroadcastGradientArgs(OpDef):
    """(r0, r1): the axes along which shapes s0 and s1 were broadcast against each other, which a gradient
    sums over to undo the broadcast (TF's gradient graphs reduce with them)."""

    differentiable = False
    host_only = True        # shape arithmetic on Python lists (TF keeps all of it in host memory)

    def infer(self, op):
        s0, s1 = op.inputs
        check_same_dtype("BroadcastGradientArgs", s0, s1, "s0", "s1")
        if not s0.dtype.is_integer:
            raise TypeError("BroadcastGradientArgs takes int32 or int64 shapes, got %s" % s0.dtype.name)
        return [(s0.dtype, TensorShape([None])), (s0.dtype, TensorShape([None]))]

    def kernel(self, op, ctx):
        dtype = op.outputs[0].dtype.np

        def broadcast_gradient_args(s0, s1):
            s0 = [int(v) for v in np.reshape(s0, [-1])]
            s1 = [int(v) for v in np.reshape(s1, [-1])]
            rank = max(len(s0), len(s1))
            p0 = [1] * (rank - len(s0)) + s0
            p1 = [1] * (rank - len(s1)) + s1
            for a, b in zip(p0, p1):
                if a != b and a != 1 and b != 1:
                    raise errors.InvalidArgumentError(None, op, "Incompatible shapes: %s vs. %s" % (s0, s1))
            if s0 == s1:
                return np.zeros([0], dtype), np.zeros([0], dtype)
            # An axis is reduced for an operand that lacks it or has size 1 there (also when both do).
            r0 = [axis for axis in range(rank) if p0[axis] == 1]
            r1 = [axis for axis in range(rank) if p1[axis] == 1]
            return np.array(r0, dtype=dtype), np.array(r1, dtype=dtype)
        return broadcast_gradient_args


class _OutputGrad(OpDef):
    """TF's (y, dy) -> dx of an activation whose derivative is written with its output y."""

    derivative = None

    def infer(self, op):
        y, dy = op.inputs
        check_same_dtype(self.type, y, dy, "y", "dy")
        return [(y.dtype, y.shape.merge_with(dy.shape))]

    def kernel(self, op, ctx):
        return type(self).derivative


def _in_place(buffer, dy):
    """Whether `buffer`, a fresh result, can take the product with dy in place (both NumPy arrays, not
    scalars or device arrays, of one shape)."""
    return type(buffer) is np.ndarray and type(dy) is np.ndarray and buffer.shape == dy.shape


def _sigmoid_derivative(y, dy):
    # dy * (y * (1 - y)) in one buffer: the products in the order numflow's elementwise graph took them.
    out = np.subtract(1, y)
    if not _in_place(out, dy):
        return np.multiply(dy, np.multiply(y, out))
    out *= y
    out *= dy
    return out


def _tanh_derivative(y, dy):
    # dy * (1 - y * y) in one buffer.
    out = np.multiply(y, y)
    if not _in_place(out, dy):
        return np.multiply(dy, np.subtract(1, out))
    np.subtract(1, out, out=out)
    out *= dy
    return out


@register
class SigmoidGrad(_OutputGrad):
    """dy * y * (1 - y), the gradient of y = sigmoid(x) (tf.sigmoid's gradient for real dtypes)."""

    derivative = staticmethod(_sigmoid_derivative)

    def grad(self, op, ddx):
        # d/dy: ddx * dy * (1 - 2y); d/ddy: ddx * y * (1 - y), SigmoidGrad again.
        from .math import multiply, subtract
        y, dy = op.inputs
        return [multiply(multiply(ddx, dy), subtract(1.0, multiply(2.0, y))),
                make_tensor("SigmoidGrad", [y, ddx], name="SigmoidGrad")]


@register
class TanhGrad(_OutputGrad):
    """dy * (1 - y * y), the gradient of y = tanh(x) (tf.tanh's gradient for real dtypes)."""

    derivative = staticmethod(_tanh_derivative)

    def grad(self, op, ddx):
        # d/dy: -2 * ddx * dy * y; d/ddy: ddx * (1 - y^2), TanhGrad again.
        from .math import multiply
        y, dy = op.inputs
        return [multiply(multiply(ddx, dy), multiply(-2.0, y)),
                make_tensor("TanhGrad", [y, ddx], name="TanhGrad")]


@register
class ShapeN(OpDef):
    """The shapes of N tensors, one int vector each (`out_type`, int32 by default)."""

    differentiable = False
    shape_only = True

    def infer(self, op):
        out_type = op.attrs.get("out_type", dtypes.int32)
        return [(out_type, TensorShape([t.shape.ndims])) for t in op.inputs]

    def kernel(self, op, ctx):
        dtype = op.attrs.get("out_type", dtypes.int32).np
        return lambda *values: tuple(np.array(np.shape(v), dtype=dtype) for v in values)


# --- the Saver's file ops ------------------------------------------------------------------------------
def _text(value):
    """A string tensor's element (bytes, or a 0-d array of bytes) as str."""
    if isinstance(value, np.ndarray):
        value = value.item()
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _check_full_slices(op, slices):
    for spec in np.reshape(slices, [-1]):
        if _text(spec):
            raise errors.UnimplementedError(None, op, "%s: partial slices (%r) of partitioned variables are not "
                                            "supported" % (op.type, _text(spec)))


@register
class ShardedFilename(OpDef):
    """'basename-00001-of-00004': the name of shard `shard` of `num_shards`."""

    differentiable = False

    def infer(self, op):
        return [(dtypes.string, TensorShape([]))]

    def kernel(self, op, ctx):
        return lambda basename, shard, num_shards: np.array(
            ("%s-%05d-of-%05d" % (_text(basename), int(shard), int(num_shards))).encode("utf-8"), dtype=object)


@register
class SaveV2(OpDef):
    """Writes `tensors` under `tensor_names` as a V2 checkpoint bundle at `prefix`."""

    stateful = True
    differentiable = False

    def infer(self, op):
        if len(op.inputs) < 3:
            raise ValueError("SaveV2 takes prefix, tensor_names, shape_and_slices and the tensors")
        return []

    def kernel(self, op, ctx):
        from ..io import bundle
        dtypes_ = [t.dtype for t in op.inputs[3:]]

        def save_v2(prefix, names, slices, *tensors):
            names = [_text(n) for n in np.reshape(names, [-1])]
            if len(names) != len(tensors):
                raise errors.InvalidArgumentError(None, op, "SaveV2: %d tensor names for %d tensors"
                                                  % (len(names), len(tensors)))
            _check_full_slices(op, slices)
            bundle.write_bundle(_text(prefix), {n: (np.asarray(v), d) for n, v, d in zip(names, tensors, dtypes_)})
        return save_v2


@register
class RestoreV2(OpDef):
    """Reads tensors `tensor_names` of dtypes `dtypes` from the V2 checkpoint bundle at `prefix`."""

    stateful = True
    differentiable = False

    def infer(self, op):
        return [(dtype, TensorShape(None)) for dtype in op.attrs["dtypes"]]

    def kernel(self, op, ctx):
        from ..io import bundle
        wanted = list(op.attrs["dtypes"])

        def restore_v2(prefix, names, slices):
            _check_full_slices(op, slices)
            reader = bundle.BundleReader(_text(prefix))
            values = []
            for name, dtype in zip([_text(n) for n in np.reshape(names, [-1])], wanted):
                if not reader.has_tensor(name):
                    raise errors.NotFoundError(None, op, "Key %s not found in checkpoint %s" % (name, _text(prefix)))
                value = reader.read(name)
                if value.dtype != dtype.np and dtype is not dtypes.string:
                    raise errors.InvalidArgumentError(
                        None, op, "tensor %s in checkpoint %s is %s, expected %s"
                        % (name, _text(prefix), value.dtype, dtype.name))
                values.append(value)
            return tuple(values)
        return restore_v2


@register
class MergeV2Checkpoints(OpDef):
    """Moves the (single-shard) checkpoints `checkpoint_prefixes` to `destination_prefix`."""

    stateful = True
    differentiable = False

    def infer(self, op):
        return []

    def kernel(self, op, ctx):
        import os
        import shutil
        from ..io import bundle
        delete_old_dirs = op.attrs.get("delete_old_dirs", True)

        def merge(prefixes, destination):
            prefixes = [_text(p) for p in np.reshape(prefixes, [-1])]
            destination = _text(destination)
            if len(prefixes) != 1:
                raise errors.UnimplementedError(None, op, "MergeV2Checkpoints: numflow merges one shard, got %d"
                                                % len(prefixes))
            source = prefixes[0]
            if source == destination:
                return
            reader = bundle.BundleReader(source)
            bundle.write_bundle(destination, {name: (reader.read(name), dtypes.as_dtype(entry.dtype))
                                              for name, entry in reader.entries.items() if name})
            for path in (bundle.index_filename(source), bundle.data_filename(source)):
                if os.path.exists(path):
                    os.unlink(path)
            folder = os.path.dirname(source)
            if delete_old_dirs and folder and os.path.isdir(folder) and not os.listdir(folder):
                shutil.rmtree(folder, ignore_errors=True)
        return merge
