"""Simulated quantization and other TF 1 ops without a family of their own.

The fake-quant ops (`tf.fake_quant_with_min_max_*`, also `tf.quantization.*` in TF) keep float32 tensors
but round them to the 2**num_bits levels a quantized model would use between `min` and `max`. As in TF the
range is first nudged so that 0.0 is exactly representable: the zero point (the quantized level of 0.0) is
rounded to an integer level and [min, max] shifted with it. Their gradients are straight-through
estimators (the upstream gradient inside the nudged range, zero outside; for the `_vars` forms the
gradient outside flows to `min` below and `max` above), not the derivative of the staircase.
"""
import numpy as np

from ..framework import dtypes, errors
from ..framework.graph import convert_to_tensor, is_tensor_like
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape
from .common import make_op, make_tensor

__all__ = ["fake_quant_with_min_max_args", "fake_quant_with_min_max_args_gradient",
           "fake_quant_with_min_max_vars", "fake_quant_with_min_max_vars_gradient",
           "fake_quant_with_min_max_vars_per_channel", "fake_quant_with_min_max_vars_per_channel_gradient"]


# --- fake quantization -------------------------------------------------------------------------------
def _quant_levels(op):
    """The integer levels [lowest, highest] for the op's num_bits / narrow_range attributes."""
    num_bits = op.attrs["num_bits"]
    return (1 if op.attrs["narrow_range"] else 0), (1 << num_bits) - 1


def _nudged_range(low, high, quant_low, quant_high):
    """(nudged_min, nudged_max, scale) in float32 for min/max scalars or per-channel vectors: the range
    shifted so that the zero point is an integer level (0.0 then quantizes exactly)."""
    low, high = np.float32(low), np.float32(high)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = (high - low) / np.float32(quant_high - quant_low)
        zero_point_from_min = np.float32(quant_low) - low / scale
    # Half-way zero points round away from zero, as C's round does.
    rounded = np.sign(zero_point_from_min) * np.floor(np.abs(zero_point_from_min) + np.float32(0.5))
    zero_point = np.where(zero_point_from_min < quant_low, np.float32(quant_low),
                          np.where(zero_point_from_min > quant_high, np.float32(quant_high), rounded))
    zero_point = zero_point.astype(np.float32)
    nudged_min = ((np.float32(quant_low) - zero_point) * scale).astype(np.float32)
    nudged_max = ((np.float32(quant_high) - zero_point) * scale).astype(np.float32)
    return nudged_min, nudged_max, np.asarray(scale, np.float32)


def _on_device(xp, values):
    """Host range values as arrays of module `xp` (unchanged on the host)."""
    return values if xp is np else tuple(xp.asarray(v) for v in values)


def _fake_quantize(x, nudged_min, nudged_max, scale):
    clamped = np.maximum(np.minimum(x, nudged_max), nudged_min)
    with np.errstate(divide="ignore", invalid="ignore"):
        inverse_scale = np.float32(1.0) / scale
        levels = np.floor((clamped - nudged_min) * inverse_scale + np.float32(0.5))
    return (levels * scale + nudged_min).astype(np.float32)


def _inside(x, nudged_min, nudged_max):
    return (x >= nudged_min) & (x <= nudged_max)


def _check_float32(tensor, argument, op_type):
    if tensor.dtype is not dtypes.float32:
        raise TypeError("Value passed to parameter '%s' of op '%s' has DataType %s not in list of allowed "
                        "values: float32" % (argument, op_type, tensor.dtype.name))


def _check_rank(tensor, rank, argument):
    if tensor.shape.ndims is not None and tensor.shape.ndims != rank:
        raise ValueError("Shape must be rank %d but is rank %d for '%s' (shape %s)"
                         % (rank, tensor.shape.ndims, argument, tensor.shape))


def _check_bits(op):
    if not 2 <= op.attrs["num_bits"] <= 16:
        raise errors.InvalidArgumentError(None, op, "num_bits must be between 2 and 16, inclusive")


class _FakeQuantOp(OpDef):
    """Shared checks: float32 operands, num_bits in [2, 16] (checked when the kernel is built, as TF's
    kernel constructor does), per-channel min/max of the last dimension's size."""

    per_channel = False
    argument_names = ("inputs",)

    def check(self, op):
        count = len(self.argument_names)
        for tensor, argument in zip(op.inputs, self.argument_names + ("min", "max")):
            _check_float32(tensor, argument, self.type)
        data = op.inputs[count - 1]
        for tensor, argument in zip(op.inputs[count:], ("min", "max")):
            _check_rank(tensor, 1 if self.per_channel else 0, argument)
            if self.per_channel and data.shape.ndims is not None:
                depth, channels = data.shape[-1].value, tensor.shape.with_rank(1)[0].value
                if depth is not None and channels is not None and depth != channels:
                    raise ValueError("Dimensions must be equal, but are %d and %d: %s has %d channels, the "
                                     "inputs' last dimension %d" % (depth, channels, argument, channels, depth))

    def ranges(self, op, low, high):
        _check_bits(op)
        quant_low, quant_high = _quant_levels(op)
        return _nudged_range(low, high, quant_low, quant_high)


def _args_range(op):
    _check_bits(op)
    low, high = op.attrs["min"], op.attrs["max"]
    if not low < high:
        raise errors.InvalidArgumentError(None, op, "min has to be smaller than max, was: %g >= %g" % (low, high))
    return _nudged_range(low, high, *_quant_levels(op))


@register
class FakeQuantWithMinMaxArgs(_FakeQuantOp):
    """Float32 inputs rounded to the levels of [min, max] (attributes) after nudging."""

    argument_names = ("inputs",)

    def infer(self, op):
        self.check(op)
        return [(dtypes.float32, op.inputs[0].shape)]

    def kernel(self, op, ctx):
        nudged_min, nudged_max, scale = _on_device(ctx.xp, _args_range(op))
        return lambda x: _fake_quantize(x.astype(np.float32, copy=False), nudged_min, nudged_max, scale)

    def grad(self, op, dy):
        return [make_tensor("FakeQuantWithMinMaxArgsGradient", [dy, op.inputs[0]], dict(op.attrs))]


@register
class FakeQuantWithMinMaxArgsGradient(_FakeQuantOp):
    """The straight-through gradient of FakeQuantWithMinMaxArgs: upstream gradients where the inputs lie
    in the nudged range, zero elsewhere."""

    argument_names = ("gradients", "inputs")

    def infer(self, op):
        self.check(op)
        return [(dtypes.float32, op.inputs[0].shape.merge_with(op.inputs[1].shape))]

    def kernel(self, op, ctx):
        nudged_min, nudged_max, _ = _on_device(ctx.xp, _args_range(op))

        def backprop(gradients, x):
            return np.where(_inside(x, nudged_min, nudged_max), gradients, np.float32(0)).astype(np.float32)
        return backprop


@register
class FakeQuantWithMinMaxVars(_FakeQuantOp):
    """Float32 inputs rounded to the levels of [min, max] (scalar tensors) after nudging."""

    argument_names = ("inputs",)
    gradient_type = "FakeQuantWithMinMaxVarsGradient"

    def infer(self, op):
        self.check(op)
        return [(dtypes.float32, op.inputs[0].shape)]

    host_inputs = (1, 2)     # min and max: the nudged range is worked out on the host

    def kernel(self, op, ctx):
        xp = ctx.xp

        def quantize(x, low, high):
            nudged_min, nudged_max, scale = _on_device(xp, self.ranges(op, low, high))
            return _fake_quantize(x.astype(np.float32, copy=False), nudged_min, nudged_max, scale)
        return quantize

    def grad(self, op, dy):
        gradient = make_op(self.gradient_type, [dy] + list(op.inputs), dict(op.attrs))
        return list(gradient.outputs)


@register
class FakeQuantWithMinMaxVarsPerChannel(FakeQuantWithMinMaxVars):
    """FakeQuantWithMinMaxVars with one [min, max] range per channel of the last dimension."""

    per_channel = True
    gradient_type = "FakeQuantWithMinMaxVarsPerChannelGradient"


@register
class FakeQuantWithMinMaxVarsGradient(_FakeQuantOp):
    """The straight-through gradients of FakeQuantWithMinMaxVars: to the inputs inside the nudged range,
    summed to `min` below it and to `max` above it."""

    argument_names = ("gradients", "inputs")

    def infer(self, op):
        self.check(op)
        bounds = op.inputs[2].shape
        return [(dtypes.float32, op.inputs[0].shape.merge_with(op.inputs[1].shape)),
                (dtypes.float32, bounds), (dtypes.float32, bounds)]

    host_inputs = (2, 3)

    def kernel(self, op, ctx):
        per_channel = self.per_channel
        xp = ctx.xp

        def backprop(gradients, x, low, high):
            nudged_min, nudged_max, _ = _on_device(xp, self.ranges(op, low, high))
            gradients, x = gradients.astype(np.float32, copy=False), x.astype(np.float32, copy=False)
            zero = np.float32(0)
            # Per channel: sum over every axis but the last; otherwise over all of them.
            axes = tuple(range(x.ndim - 1)) if per_channel else None
            below = np.sum(np.where(x < nudged_min, gradients, zero), axis=axes, dtype=np.float32)
            above = np.sum(np.where(x > nudged_max, gradients, zero), axis=axes, dtype=np.float32)
            inside = np.where(_inside(x, nudged_min, nudged_max), gradients, zero).astype(np.float32)
            return inside, below.astype(np.float32, copy=False), above.astype(np.float32, copy=False)
        return backprop


@register
class FakeQuantWithMinMaxVarsPerChannelGradient(FakeQuantWithMinMaxVarsGradient):
    """FakeQuantWithMinMaxVarsGradient with per-channel [min, max] (the last dimension)."""

    per_channel = True


def _quant_attrs(num_bits, narrow_range, **extra):
    return dict(extra, num_bits=int(num_bits), narrow_range=bool(narrow_range))


def _float32(value, name):
    """Python and NumPy values become float32 constants; a tensor of another dtype is left for the op's
    TypeError, as in TF."""
    if is_tensor_like(value):
        return convert_to_tensor(value, name=name)
    return convert_to_tensor(value, dtype=dtypes.float32, name=name)


def fake_quant_with_min_max_args(inputs, min=-6, max=6, num_bits=8, narrow_range=False,  # noqa: A002
                                 name=None):
    """`tf.quantization.fake_quant_with_min_max_args`: float32 `inputs` clamped to [min, max] and rounded
    to one of 2**num_bits evenly spaced levels (levels 1.. with `narrow_range`), the range nudged so that
    0.0 is a level. InvalidArgumentError at run time unless min < max and 2 <= num_bits <= 16."""
    attrs = _quant_attrs(num_bits, narrow_range, min=float(min), max=float(max))
    return make_tensor("FakeQuantWithMinMaxArgs", [_float32(inputs, "inputs")], attrs,
                       name=name or "FakeQuantWithMinMaxArgs")


def fake_quant_with_min_max_args_gradient(gradients, inputs, min=-6, max=6, num_bits=8,  # noqa: A002
                                          narrow_range=False, name=None):
    """`tf.quantization.fake_quant_with_min_max_args_gradient`: `gradients` where `inputs` lie in the
    nudged [min, max], zero elsewhere (the straight-through gradient of fake_quant_with_min_max_args)."""
    attrs = _quant_attrs(num_bits, narrow_range, min=float(min), max=float(max))
    return make_tensor("FakeQuantWithMinMaxArgsGradient", [_float32(gradients, "gradients"),
                                                           _float32(inputs, "inputs")],
                       attrs, name=name or "FakeQuantWithMinMaxArgsGradient")


def fake_quant_with_min_max_vars(inputs, min, max, num_bits=8, narrow_range=False, name=None):  # noqa: A002
    """`tf.quantization.fake_quant_with_min_max_vars`: as fake_quant_with_min_max_args with `min` and
    `max` scalar float32 tensors (trainable: the gradient reaches them)."""
    operands = [_float32(inputs, "inputs"), _float32(min, "min"), _float32(max, "max")]
    return make_tensor("FakeQuantWithMinMaxVars", operands, _quant_attrs(num_bits, narrow_range),
                       name=name or "FakeQuantWithMinMaxVars")


def fake_quant_with_min_max_vars_gradient(gradients, inputs, min, max, num_bits=8,  # noqa: A002
                                          narrow_range=False, name=None):
    """`tf.quantization.fake_quant_with_min_max_vars_gradient`: the tuple (backprops_wrt_input,
    backprop_wrt_min, backprop_wrt_max): `gradients` inside the nudged range, and the sums of
    `gradients` where `inputs` fall below it and above it."""
    operands = [_float32(gradients, "gradients"), _float32(inputs, "inputs"), _float32(min, "min"),
                _float32(max, "max")]
    return tuple(make_op("FakeQuantWithMinMaxVarsGradient", operands, _quant_attrs(num_bits, narrow_range),
                         name=name or "FakeQuantWithMinMaxVarsGradient").outputs)


def fake_quant_with_min_max_vars_per_channel(inputs, min, max, num_bits=8, narrow_range=False,  # noqa: A002
                                             name=None):
    """`tf.quantization.fake_quant_with_min_max_vars_per_channel`: fake quantization of `inputs`
    [..., d] with one range per channel: `min` and `max` of shape [d]."""
    operands = [_float32(inputs, "inputs"), _float32(min, "min"), _float32(max, "max")]
    return make_tensor("FakeQuantWithMinMaxVarsPerChannel", operands, _quant_attrs(num_bits, narrow_range),
                       name=name or "FakeQuantWithMinMaxVarsPerChannel")


def fake_quant_with_min_max_vars_per_channel_gradient(gradients, inputs, min, max, num_bits=8,  # noqa: A002
                                                      narrow_range=False, name=None):
    """`tf.quantization.fake_quant_with_min_max_vars_per_channel_gradient`: as
    fake_quant_with_min_max_vars_gradient with per-channel sums of shape [d] for min and max."""
    operands = [_float32(gradients, "gradients"), _float32(inputs, "inputs"), _float32(min, "min"),
                _float32(max, "max")]
    return tuple(make_op("FakeQuantWithMinMaxVarsPerChannelGradient", operands,
                         _quant_attrs(num_bits, narrow_range),
                         name=name or "FakeQuantWithMinMaxVarsPerChannelGradient").outputs)


# --- 3-D patches -------------------------------------------------------------------------------------
def _volume_windows(op):
    """(kernel sizes, strides) over (planes, rows, cols); UnimplementedError, as TF's kernel, when the
    batch or depth entries are not 1."""
    ksizes, strides = list(op.attrs["ksizes"]), list(op.attrs["strides"])
    if ksizes[0] != 1 or ksizes[4] != 1:
        raise errors.UnimplementedError(None, op, "Only support ksizes across space.")
    if strides[0] != 1 or strides[4] != 1:
        raise errors.UnimplementedError(None, op, "Only support strides across space.")
    return ksizes[1:4], strides[1:4]


def _volume_geometry(sizes, ksizes, strides, padding):
    """Per spatial axis (output size, padding before): 'VALID' keeps whole windows, 'SAME' pads so that
    ceil(size / stride) windows fit, the extra row at the end when the padding is odd."""
    geometry = []
    for size, k, s in zip(sizes, ksizes, strides):
        if padding == "VALID":
            geometry.append((max((size - k) // s + 1, 0), 0))
        else:
            out = -(-size // s)
            geometry.append((out, max((out - 1) * s + k - size, 0) // 2))
    return geometry


def _volume_offsets(ksizes):
    return [(p, r, c) for p in range(ksizes[0]) for r in range(ksizes[1]) for c in range(ksizes[2])]


def _padded_extent(geometry, ksizes, strides):
    return [(out - 1) * s + k if out > 0 else 0 for (out, _), k, s in zip(geometry, ksizes, strides)]


def _extract_volumes(x, ksizes, strides, padding):
    geometry = _volume_geometry(x.shape[1:4], ksizes, strides, padding)
    extent = _padded_extent(geometry, ksizes, strides)
    padded = np.zeros((x.shape[0],) + tuple(max(e, n + b) for e, n, (_, b) in zip(extent, x.shape[1:4], geometry))
                      + (x.shape[4],), x.dtype)
    (_, bp), (_, br), (_, bc) = geometry
    padded[:, bp:bp + x.shape[1], br:br + x.shape[2], bc:bc + x.shape[3]] = x
    (op_, _), (or_, _), (oc, _) = geometry
    (sp, sr, sc) = strides
    pieces = [padded[:, p:p + sp * op_:sp, r:r + sr * or_:sr, c:c + sc * oc:sc] for p, r, c in _volume_offsets(ksizes)]
    if not pieces:
        return np.zeros((x.shape[0], op_, or_, oc, 0), x.dtype)
    # Patch values in (plane, row, col, depth) order along the last axis.
    return np.stack(pieces, axis=4).reshape((x.shape[0], op_, or_, oc, -1))


def _scatter_volumes(patches, shape, ksizes, strides, padding):
    geometry = _volume_geometry(shape[1:4], ksizes, strides, padding)
    extent = _padded_extent(geometry, ksizes, strides)
    padded_shape = (shape[0],) + tuple(max(e, n + b) for e, n, (_, b) in zip(extent, shape[1:4], geometry)) + \
        (shape[4],)
    padded = np.zeros(padded_shape, patches.dtype)
    (op_, bp), (or_, br), (oc, bc) = geometry
    sp, sr, sc = strides
    pieces = patches.reshape(patches.shape[:4] + (-1, shape[4]))
    for index, (p, r, c) in enumerate(_volume_offsets(ksizes)):
        padded[:, p:p + sp * op_:sp, r:r + sr * or_:sr, c:c + sc * oc:sc] += pieces[:, :, :, :, index]
    return padded[:, bp:bp + shape[1], br:br + shape[2], bc:bc + shape[3]].copy()


class _VolumePatchOp(OpDef):
    host_only = True     # index arithmetic per window on the host

    def check_attrs(self, op):
        if op.attrs["padding"] not in ("SAME", "VALID"):
            raise ValueError("Value for attr 'padding' of \"%s\" is not in the list of allowed values: "
                             "\"SAME\", \"VALID\"" % op.attrs["padding"])
        for key in ("ksizes", "strides"):
            values = op.attrs[key]
            if len(values) != 5 or any(v < 1 for v in values):
                raise ValueError("%s must be a list of 5 positive integers, got %s" % (key, list(values)))


@register
class ExtractVolumePatches(_VolumePatchOp):
    """Every ksizes window of [batch, planes, rows, cols, depth] volumes, taken every `strides`, flattened
    into the last dimension in (plane, row, col, depth) order."""

    def infer(self, op):
        self.check_attrs(op)
        x = op.inputs[0]
        if x.shape.ndims is not None and x.shape.ndims != 5:
            raise ValueError("Shape must be rank 5 but is rank %d for 'input'" % x.shape.ndims)
        shape = x.shape if x.shape.ndims is not None else TensorShape([None] * 5)
        ksizes, strides = op.attrs["ksizes"][1:4], op.attrs["strides"][1:4]
        dims = shape.as_list()
        spatial = []
        for size, k, s in zip(dims[1:4], ksizes, strides):
            spatial.append(None if size is None else _volume_geometry([size], [k], [s], op.attrs["padding"])[0][0])
        depth = None if dims[4] is None else dims[4] * int(np.prod(ksizes))
        return [(x.dtype, TensorShape([dims[0]] + spatial + [depth]))]

    def kernel(self, op, ctx):
        ksizes, strides = _volume_windows(op)
        padding = op.attrs["padding"]
        return lambda x: _extract_volumes(np.asarray(x), ksizes, strides, padding)

    def grad(self, op, dy):
        from .array import shape
        return [make_tensor("ExtractVolumePatchesAdjoint", [dy, shape(op.inputs[0])], dict(op.attrs))]


@register
class ExtractVolumePatchesAdjoint(_VolumePatchOp):
    """ExtractVolumePatches' gradient: each patch value added back onto the position it was read from."""

    def infer(self, op):
        from .image_extra import _static_value
        known = _static_value(op.inputs[1])
        return [(op.inputs[0].dtype, TensorShape(None if known is None else [int(v) for v in known.reshape(-1)]))]

    def kernel(self, op, ctx):
        ksizes, strides = _volume_windows(op)
        padding = op.attrs["padding"]

        def adjoint(patches, volume_shape):
            volume_shape = tuple(int(v) for v in np.asarray(volume_shape).reshape(-1))
            return _scatter_volumes(np.asarray(patches), volume_shape, ksizes, strides, padding)
        return adjoint

    def grad(self, op, dy):
        return [make_tensor("ExtractVolumePatches", [dy], dict(op.attrs)), None]


def extract_volume_patches(input, ksizes, strides, padding, name=None):  # noqa: A002 - TF's argument name
    """`tf.extract_volume_patches(input, ksizes, strides, padding)`: the [1, planes, rows, cols, 1] windows
    of a 5-D [batch, planes, rows, cols, depth] tensor taken every `strides`, each flattened into the last
    dimension: [batch, out_planes, out_rows, out_cols, planes * rows * cols * depth]; 'SAME' pads with
    zeros. Differentiable."""
    attrs = {"ksizes": [int(v) for v in ksizes], "strides": [int(v) for v in strides],
             "padding": padding.decode() if isinstance(padding, bytes) else padding}
    return make_tensor("ExtractVolumePatches", [convert_to_tensor(input, name="input")], attrs,
                       name=name or "ExtractVolumePatches")


# --- Conv2D backprops given the tensor whose shape they take -------------------------------------------
def _conv_padding(padding, explicit_paddings):
    if isinstance(padding, bytes):
        padding = padding.decode()
    if isinstance(padding, str) and padding.upper() == "EXPLICIT":
        values = [int(v) for v in explicit_paddings]
        if len(values) != 8:
            raise ValueError("explicit_paddings must have 8 entries (a [before, after] pair per dimension) "
                             "when padding is 'EXPLICIT', got %d" % len(values))
        return [values[i:i + 2] for i in range(0, 8, 2)]
    if explicit_paddings:
        raise ValueError("explicit_paddings must be empty unless padding is 'EXPLICIT', got %s"
                         % list(explicit_paddings))
    return padding


def conv2d_backprop_filter_v2(input, filter, out_backprop, strides, padding, use_cudnn_on_gpu=True,  # noqa: A002
                              explicit_paddings=(), data_format="NHWC", dilations=(1, 1, 1, 1), name=None):
    """`tf.conv2d_backprop_filter_v2(input, filter, out_backprop, strides, padding)`: the gradient of
    conv2d with respect to its filter, shaped like the `filter` tensor (whose values are not read)."""
    from .array import shape
    from .conv import conv2d_backprop_filter
    filter = convert_to_tensor(filter, name="filter")  # noqa: A001
    return conv2d_backprop_filter(input, shape(filter), out_backprop, strides,
                                  _conv_padding(padding, explicit_paddings), use_cudnn_on_gpu, data_format,
                                  list(dilations), name=name or "Conv2DBackpropFilterV2")


def conv2d_backprop_input_v2(input, filter, out_backprop, strides, padding, use_cudnn_on_gpu=True,  # noqa: A002
                             explicit_paddings=(), data_format="NHWC", dilations=(1, 1, 1, 1), name=None):
    """`tf.conv2d_backprop_input_v2(input, filter, out_backprop, strides, padding)`: the gradient of
    conv2d with respect to its input, shaped like the `input` tensor (whose values are not read)."""
    from .array import shape
    from .conv import conv2d_backprop_input
    input = convert_to_tensor(input, name="input")  # noqa: A001
    return conv2d_backprop_input(shape(input), filter, out_backprop, strides,
                                 _conv_padding(padding, explicit_paddings), use_cudnn_on_gpu, data_format,
                                 list(dilations), name=name or "Conv2DBackpropInputV2")


__all__ += ["extract_volume_patches", "conv2d_backprop_filter_v2", "conv2d_backprop_input_v2"]


# --- top-k, "approximately" ------------------------------------------------------------------------------
@register
class ApproxTopK(OpDef):
    """The k largest (is_max_k) or smallest values along `reduction_dimension` and their int32 indices,
    best first, lower indices first among equal values. numflow computes them exactly, which TF's
    contract allows (recall 1.0 meets any recall_target)."""

    host_only = True     # sorts with NumPy on the host

    def infer(self, op):
        x = op.inputs[0]
        if not (x.dtype.is_floating or x.dtype.is_integer):
            raise TypeError("Value passed to parameter 'input' of op 'ApproxTopK' has DataType %s not in the "
                            "list of allowed values: numeric types" % x.dtype.name)
        k, target = op.attrs["k"], op.attrs["recall_target"]
        if k < 0:
            raise ValueError("k must be non-negative, got %d" % k)
        if not 0.0 < target <= 1.0:
            raise ValueError("recall_target must be in (0, 1], got %g" % target)
        if x.shape.ndims is None:
            return [(x.dtype, TensorShape(None)), (dtypes.int32, TensorShape(None))]
        if x.shape.ndims == 0:
            raise ValueError("ApproxTopK needs an input of rank >= 1, got a scalar")
        axis = self.axis(op, x.shape.ndims)
        dims = x.shape.as_list()
        if dims[axis] is not None and dims[axis] < k:
            raise ValueError("input must have at least k=%d entries along dimension %d, got %d"
                             % (k, axis, dims[axis]))
        dims[axis] = k
        return [(x.dtype, TensorShape(dims)), (dtypes.int32, TensorShape(dims))]

    @staticmethod
    def axis(op, rank):
        axis = op.attrs["reduction_dimension"]
        if not -rank <= axis < rank:
            raise ValueError("reduction_dimension %d is out of range for an input of rank %d" % (axis, rank))
        return axis % rank

    def kernel(self, op, ctx):
        k, largest = op.attrs["k"], op.attrs["is_max_k"]

        def top_k(x):
            x = np.asarray(x)
            axis = self.axis(op, x.ndim)
            if x.shape[axis] < k:
                raise errors.InvalidArgumentError(None, op, "input must have at least k columns. Had %d, needed %d"
                                                  % (x.shape[axis], k))
            # A stable sort of the negated values keeps equal values in index order, as TF does.
            keys = -x if largest and not x.dtype.kind == "u" else x
            if largest and x.dtype.kind == "u":
                keys = np.iinfo(x.dtype).max - x
            order = np.argsort(keys, axis=axis, kind="stable")
            indices = np.take(order, np.arange(k), axis=axis)
            return np.take_along_axis(x, indices, axis=axis), indices.astype(np.int32)
        return top_k

    def grad(self, op, dvalues, dindices):
        from .array import shape
        return [make_tensor("ApproxTopKGrad", [dvalues, op.outputs[1], shape(op.inputs[0])],
                            {"reduction_dimension": op.attrs["reduction_dimension"]})]


@register
class ApproxTopKGrad(OpDef):
    """ApproxTopK's gradient: the value gradients placed at the chosen indices of an input-shaped zero
    tensor."""

    host_only = True     # scatters with NumPy on the host

    def infer(self, op):
        from .image_extra import _static_value
        known = _static_value(op.inputs[2])
        return [(op.inputs[0].dtype, TensorShape(None if known is None else [int(v) for v in known.reshape(-1)]))]

    def kernel(self, op, ctx):
        def scatter(dvalues, indices, input_shape):
            dvalues = np.asarray(dvalues)
            result = np.zeros(tuple(int(v) for v in np.asarray(input_shape).reshape(-1)), dvalues.dtype)
            axis = ApproxTopK.axis(op, result.ndim)
            np.put_along_axis(result, np.asarray(indices, np.int64), dvalues, axis=axis)
            return result
        return scatter


def approx_top_k(input, k, reduction_dimension=-1, recall_target=0.95, is_max_k=True,  # noqa: A002
                 reduction_input_size_override=-1, aggregate_to_topk=True, name=None):
    """`tf.approx_top_k(input, k, ...)`: (values, indices) of the k largest (`is_max_k`) or smallest
    entries along `reduction_dimension`, best first. TF may return approximate results on TPUs;
    numflow's are exact (recall 1.0), so `recall_target`, `reduction_input_size_override` and
    `aggregate_to_topk` change nothing but are validated and kept as attributes."""
    attrs = {"k": int(k), "reduction_dimension": int(reduction_dimension), "recall_target": float(recall_target),
             "is_max_k": bool(is_max_k), "reduction_input_size_override": int(reduction_input_size_override),
             "aggregate_to_topk": bool(aggregate_to_topk)}
    return tuple(make_op("ApproxTopK", [convert_to_tensor(input, name="input")], attrs,
                         name=name or "ApproxTopK").outputs)


def approx_max_k(operand, k, reduction_dimension=-1, recall_target=0.95, reduction_input_size_override=-1,
                 aggregate_to_topk=True, name=None):
    """`tf.math.approx_max_k(operand, k)` (also tf.nn): (values, indices) of the k largest entries along
    `reduction_dimension`; exact in numflow (see approx_top_k)."""
    return approx_top_k(operand, k, reduction_dimension, recall_target, True, reduction_input_size_override,
                        aggregate_to_topk, name=name or "ApproxTopK")


def approx_min_k(operand, k, reduction_dimension=-1, recall_target=0.95, reduction_input_size_override=-1,
                 aggregate_to_topk=True, name=None):
    """`tf.math.approx_min_k(operand, k)` (also tf.nn): (values, indices) of the k smallest entries along
    `reduction_dimension`; exact in numflow (see approx_top_k)."""
    return approx_top_k(operand, k, reduction_dimension, recall_target, False, reduction_input_size_override,
                        aggregate_to_topk, name=name or "ApproxTopK")


__all__ += ["approx_top_k"]


# --- Sobol sequences ---------------------------------------------------------------------------------
# Joe and Kuo's direction-number data (new-joe-kuo-6.21201), dimensions 2.. : (degree s of the primitive
# polynomial, its inner coefficients a as bits, initial odd m_1..m_s). Dimension 1 is van der Corput's.
_JOE_KUO = (
    (1, 0, (1,)), (2, 1, (1, 3)), (3, 1, (1, 3, 1)), (3, 2, (1, 1, 1)), (4, 1, (1, 1, 3, 3)),
    (4, 4, (1, 3, 5, 13)), (5, 2, (1, 1, 5, 5, 17)), (5, 4, (1, 1, 5, 5, 5)), (5, 7, (1, 1, 7, 11, 19)),
    (5, 11, (1, 1, 5, 1, 1)), (5, 13, (1, 1, 1, 3, 11)), (5, 14, (1, 3, 5, 5, 31)), (6, 1, (1, 3, 3, 9, 7, 49)),
    (6, 13, (1, 1, 1, 15, 21, 21)), (6, 16, (1, 3, 1, 13, 27, 49)), (6, 19, (1, 1, 1, 15, 7, 5)),
    (6, 22, (1, 3, 1, 15, 13, 25)), (6, 25, (1, 1, 5, 5, 19, 61)), (7, 1, (1, 3, 7, 11, 23, 15, 103)),
    (7, 4, (1, 3, 7, 13, 13, 15, 69)),
)
SOBOL_MAX_DIM = len(_JOE_KUO) + 1
_SOBOL_BITS = 32


def _direction_numbers(dim):
    """[bits, dim] uint64 direction numbers V_k = m_k * 2**(bits - k), by Bratley and Fox's recurrence
    m_k = 2^s m_{k-s} xor m_{k-s} xor sum_j 2^j a_j m_{k-j}."""
    table = np.zeros((_SOBOL_BITS, dim), np.uint64)
    table[:, 0] = [1 << (_SOBOL_BITS - 1 - k) for k in range(_SOBOL_BITS)]
    for column, (degree, coefficients, initial) in enumerate(_JOE_KUO[:dim - 1], start=1):
        m = list(initial)
        for k in range(degree, _SOBOL_BITS):
            value = m[k - degree] ^ (m[k - degree] << degree)
            for j in range(1, degree):
                if (coefficients >> (degree - 1 - j)) & 1:
                    value ^= m[k - j] << j
            m.append(value)
        table[:, column] = [m[k] << (_SOBOL_BITS - 1 - k) for k in range(_SOBOL_BITS)]
    return table


@register
class SobolSample(OpDef):
    """Points skip+1 .. skip+num_results of the `dim`-dimensional Sobol sequence in Gray-code order (the
    all-zero first point left out, as in TF), as [num_results, dim] floats in [0, 1)."""

    host_only = True     # bitwise generator state on the host
    differentiable = False

    def infer(self, op):
        from .image_extra import _static_value
        for tensor, argument in zip(op.inputs, ("dim", "num_results", "skip")):
            if tensor.dtype is not dtypes.int32:
                raise TypeError("Value passed to parameter '%s' of op 'SobolSample' has DataType %s not in list "
                                "of allowed values: int32" % (argument, tensor.dtype.name))
            _check_rank(tensor, 0, argument)
        dtype = op.attrs["dtype"]
        if dtype not in (dtypes.float32, dtypes.float64):
            raise TypeError("Value for attr 'dtype' of %s is not in the list of allowed values: float, double"
                            % dtype.name)
        dims = [_static_value(op.inputs[1]), _static_value(op.inputs[0])]
        return [(dtype, TensorShape([None if d is None else int(d) for d in dims]))]

    def kernel(self, op, ctx):
        numpy_dtype = op.attrs["dtype"].as_numpy_dtype

        def sample(dim, num_results, skip):
            dim, num_results, skip = int(dim), int(num_results), int(skip)
            if dim < 1:
                raise errors.InvalidArgumentError(None, op, "dim must be at least one")
            if dim > SOBOL_MAX_DIM:
                raise errors.InvalidArgumentError(
                    None, op, "dim must be at most %d in numflow (TF: 21200); numflow carries Joe and Kuo's "
                              "direction numbers for the first %d dimensions only" % (SOBOL_MAX_DIM, SOBOL_MAX_DIM))
            if num_results < 1:
                raise errors.InvalidArgumentError(None, op, "num_results must be at least one")
            if skip < 0:
                raise errors.InvalidArgumentError(None, op, "skip must be non-negative")
            indices = np.arange(skip + 1, skip + num_results + 1, dtype=np.uint64)
            gray = indices ^ (indices >> np.uint64(1))
            directions = _direction_numbers(dim)
            points = np.zeros((num_results, dim), np.uint64)
            for bit in range(_SOBOL_BITS):
                chosen = ((gray >> np.uint64(bit)) & np.uint64(1)).astype(bool)
                points[chosen] ^= directions[bit]
            return (points.astype(np.float64) / float(1 << _SOBOL_BITS)).astype(numpy_dtype)
        return sample


def sobol_sample(dim, num_results, skip=0, dtype=dtypes.float32, name=None):
    """`tf.math.sobol_sample(dim, num_results, skip=0, dtype=tf.float32)`: [num_results, dim] points of
    the Sobol low-discrepancy sequence in [0, 1)^dim (Joe and Kuo's direction numbers, Gray-code order,
    starting after the zero point), skipping the first `skip`. numflow carries the direction numbers of
    the first SOBOL_MAX_DIM dimensions; a larger `dim` is an InvalidArgumentError."""
    operands = [convert_to_tensor(value, dtype=dtypes.int32, name=argument)
                for value, argument in ((dim, "dim"), (num_results, "num_results"), (skip, "skip"))]
    return make_tensor("SobolSample", operands, {"dtype": dtypes.as_dtype(dtype)}, name=name or "SobolSample")


# --- random_index_shuffle --------------------------------------------------------------------------------
_INDEX_TYPES = (dtypes.int32, dtypes.uint32, dtypes.int64, dtypes.uint64)
_MASK64 = (1 << 64) - 1


def _mix64(values):
    """SplitMix64's finalizer on uint64 arrays (multiplication wraps modulo 2**64)."""
    values = values ^ (values >> np.uint64(30))
    values = values * np.uint64(0xBF58476D1CE4E5B9)
    values = values ^ (values >> np.uint64(27))
    values = values * np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))


def _round_keys(seeds, rounds):
    """[rounds, n] uint64 keys, one per Feistel round, from [n, 3] seeds."""
    state = np.zeros(seeds.shape[0], np.uint64)
    for column in range(3):
        state = _mix64(state ^ seeds[:, column] ^ np.uint64((0x9E3779B97F4A7C15 * (column + 1)) & _MASK64))
    return np.stack([_mix64(state + np.uint64(r + 1)) for r in range(rounds)]) if rounds else \
        np.zeros((0, seeds.shape[0]), np.uint64)


def _feistel(values, keys, half_bits):
    """One pass of a balanced Feistel network over 2 * half_bits bits: a bijection of [0, 4**half_bits)."""
    mask = (np.uint64(1) << np.uint64(half_bits)) - np.uint64(1)
    left, right = values >> np.uint64(half_bits), values & mask
    for key in keys:
        left, right = right, left ^ (_mix64(right ^ key) & mask)
    return (left << np.uint64(half_bits)) | right


def _shuffle_indices(index, seeds, max_index, rounds):
    """Each index's image under a seeded bijection of [0, max_index]: a Feistel permutation of the
    smallest even-bit power-of-two range holding max_index, walked again while it lands past max_index
    (cycle walking keeps the map a bijection of [0, max_index])."""
    result = index.copy()
    # max_index may vary per element: group by it so each group has one domain.
    for bound in np.unique(max_index):
        chosen = max_index == bound
        half_bits = max((int(bound).bit_length() + 1) // 2, 1)
        keys = _round_keys(seeds[chosen], rounds)
        values = index[chosen]
        walking = np.ones(values.shape, bool)
        while walking.any():
            values[walking] = _feistel(values[walking], keys[:, walking], half_bits)
            walking = values > bound
        result[chosen] = values
    return result


@register
class RandomIndexShuffle(OpDef):
    """The position of `index` under a pseudo-random permutation of [0, max_index] chosen by `seed`:
    for a fixed seed and max_index, distinct indices map to distinct outputs. numflow's permutation is
    its own Feistel network, so the values differ from TF's (which builds its cipher on Philox)."""

    host_only = True     # bijective shuffle rounds on the host
    differentiable = False

    def infer(self, op):
        index, seed, max_index = op.inputs
        if index.dtype not in _INDEX_TYPES:
            raise TypeError("Value for attr 'dtype' of %s is not in the list of allowed values: int32, uint32, "
                            "int64, uint64" % index.dtype.name)
        if seed.dtype not in _INDEX_TYPES:
            raise TypeError("Value for attr 'Tseed' of %s is not in the list of allowed values: int32, uint32, "
                            "int64, uint64" % seed.dtype.name)
        if max_index.dtype is not index.dtype:
            raise TypeError("Input 'max_index' of 'RandomIndexShuffle' Op has type %s that does not match type "
                            "%s of argument 'index'." % (max_index.dtype.name, index.dtype.name))
        if op.attrs["rounds"] < 0:
            raise ValueError("rounds must be non-negative, got %d" % op.attrs["rounds"])
        return [(index.dtype, index.shape)]

    def kernel(self, op, ctx):
        rounds, dtype = op.attrs["rounds"], op.inputs[0].dtype.as_numpy_dtype

        def shuffle(index, seed, max_index):
            index, seed, max_index = np.asarray(index), np.asarray(seed), np.asarray(max_index)
            flat = index.reshape(-1)
            if seed.shape == (3,):
                seeds = np.broadcast_to(seed, (flat.size, 3))
            elif seed.ndim == 2 and seed.shape == (flat.size, 3):
                seeds = seed
            else:
                raise errors.InvalidArgumentError(
                    None, op, "Seed must be a vector of size [3] or a matrix of size [%d, 3] but got %s."
                              % (flat.size, list(seed.shape)))
            if max_index.ndim and max_index.shape != index.shape:
                raise errors.InvalidArgumentError(
                    None, op, "max_index must be a scalar or have the shape of index %s, got %s"
                              % (list(index.shape), list(max_index.shape)))
            bounds = np.broadcast_to(max_index, index.shape).reshape(-1)
            if (flat < 0).any() or (bounds < 0).any():
                raise errors.InvalidArgumentError(None, op, "index and max_index must be non-negative")
            too_large = flat > bounds
            if too_large.any():
                first = int(np.argmax(too_large))
                raise errors.InvalidArgumentError(None, op, "max_index must be >= index, but %d < %d"
                                                  % (bounds[first], flat[first]))
            seeds = seeds.astype(np.int64).astype(np.uint64)
            out = _shuffle_indices(flat.astype(np.uint64), seeds, bounds.astype(np.uint64), rounds)
            return out.astype(dtype).reshape(index.shape)
        return shuffle


def random_index_shuffle(index, seed, max_index, rounds=4, name=None):
    """`tf.random_index_shuffle(index, seed, max_index, rounds=4)`: where `index` lands in a
    pseudo-random permutation of [0, max_index] fixed by `seed` (shape [3], or [n, 3] for n indices) -
    a stateless way to shuffle without materialising the permutation. `max_index` is a scalar or
    index-shaped; index > max_index is an InvalidArgumentError. The permutation is numflow's own (a
    keyed Feistel network with cycle walking), so its values differ from TF's Philox-based one; it is
    a bijection for every seed and max_index."""
    index = convert_to_tensor(index, name="index")
    seed = convert_to_tensor(seed, name="seed")
    max_index = convert_to_tensor(max_index, dtype=index.dtype if not is_tensor_like(max_index) else None,
                                  name="max_index")
    return make_tensor("RandomIndexShuffle", [index, seed, max_index], {"rounds": int(rounds)},
                       name=name or "RandomIndexShuffle")


__all__ += ["random_index_shuffle"]


# --- tf.conv: the N-D `Conv` op ------------------------------------------------------------------------
class _ConvLayout:
    """The geometry of one Conv call: inputs of shape batch_dims + spatial + [channels] (CHANNELS_LAST)
    or batch_dims + [channels] + spatial (CHANNELS_FIRST); filters spatial + [channels / groups, out];
    strides, dilations and explicit paddings given per (batch, spatial..., channel) in data_format order."""

    def __init__(self, op, input_rank):
        attrs = op.attrs
        self.batch_dims, self.groups = attrs["batch_dims"], attrs["groups"]
        self.channels_first = attrs["data_format"] == "CHANNELS_FIRST"
        self.spatial_count = input_rank - self.batch_dims - 1
        if self.spatial_count not in (2, 3):
            raise ValueError("The input must have 2 or 3 spatial dimensions but got %d (input rank %d, "
                             "batch_dims %d)" % (self.spatial_count, input_rank, self.batch_dims))
        count = self.spatial_count + 2
        strides = list(attrs["strides"])
        dilations = list(attrs["dilations"]) or [1] * count
        if len(strides) != count:
            raise ValueError("Sliding window strides field must specify %d dimensions" % count)
        if len(dilations) != count:
            raise ValueError("Sliding window dilations field must specify %d dimensions" % count)
        outer = (0, 1) if self.channels_first else (0, count - 1)
        spatial = slice(2, None) if self.channels_first else slice(1, count - 1)
        if any(strides[i] != 1 for i in outer):
            raise ValueError("Current implementation does not support strides in the batch and depth dimensions.")
        if any(dilations[i] != 1 for i in outer):
            raise ValueError("Current implementation does not support dilations in the batch and depth dimensions.")
        if any(v < 1 for v in strides + dilations):
            raise ValueError("strides and dilations must be positive, got %s and %s" % (strides, dilations))
        self.strides, self.dilations = strides[spatial], dilations[spatial]
        self.padding = attrs["padding"]
        explicit = list(attrs["explicit_paddings"])
        if self.padding == "EXPLICIT":
            if len(explicit) != 2 * count or any(v < 0 for v in explicit):
                raise ValueError("explicit_paddings must hold %d non-negative values when padding is 'EXPLICIT', "
                                 "got %s" % (2 * count, explicit))
            self.explicit = [explicit[2 * i:2 * i + 2] for i in range(count)][spatial]
        elif explicit:
            raise ValueError("explicit_paddings must be empty unless padding is 'EXPLICIT', got %s" % explicit)
        if self.groups < 1:
            raise ValueError("groups must be positive, got %d" % self.groups)

    def to_channels_last(self, x):
        """[batch, *spatial, channels] with the batch dimensions flattened into one."""
        if self.channels_first:
            x = np.moveaxis(x, self.batch_dims, -1)
        return x.reshape((-1,) + x.shape[self.batch_dims:])

    def from_channels_last(self, y, batch_shape):
        y = y.reshape(tuple(batch_shape) + y.shape[1:])
        return np.moveaxis(y, -1, self.batch_dims) if self.channels_first else y

    def spatial_of(self, shape):
        shape = list(shape)
        if self.channels_first:
            return shape[self.batch_dims + 1:], shape[self.batch_dims]
        return shape[self.batch_dims:-1], shape[-1]

    def windows(self, sizes, kernel):
        """Per spatial axis (output size, padding before, padding after); None sizes stay None."""
        out = []
        for axis, (size, k, s, d) in enumerate(zip(sizes, kernel, self.strides, self.dilations)):
            if size is None or k is None:
                out.append((None, 0, 0))
                continue
            reach = (k - 1) * d + 1
            if self.padding == "VALID":
                out.append((max((size - reach) // s + 1, 0), 0, 0))
            elif self.padding == "SAME":
                count = -(-size // s)
                total = max((count - 1) * s + reach - size, 0)
                out.append((count, total // 2, total - total // 2))
            else:
                before, after = self.explicit[axis]
                out.append((max((size + before + after - reach) // s + 1, 0), before, after))
        return out

    def output_shape(self, batch_shape, sizes, out_channels, kernel):
        spatial = [w[0] for w in self.windows(sizes, kernel)]
        if self.channels_first:
            return list(batch_shape) + [out_channels] + spatial
        return list(batch_shape) + spatial + [out_channels]


def _conv_slices(layout, windows, offset):
    return (slice(None),) + tuple(slice(o * d, o * d + s * (n - 1) + 1, s) for o, d, s, (n, _, _) in
                                  zip(offset, layout.dilations, layout.strides, windows)) + (slice(None),)


def _conv_prepare(op, layout, x, f):
    batch_shape = x.shape[:layout.batch_dims]
    flat = layout.to_channels_last(x)
    channels, (filter_in, filter_out) = flat.shape[-1], f.shape[-2:]
    if channels != filter_in * layout.groups:
        if layout.groups == 1:
            message = "Input depth must be equal to filter depth: %d vs %d" % (channels, filter_in)
        else:
            message = ("Input depth %d must be groups (%d) times the filter depth %d"
                       % (channels, layout.groups, filter_in))
        raise errors.InvalidArgumentError(None, op, message)
    if filter_out % layout.groups:
        raise errors.InvalidArgumentError(None, op, "The filter's output depth %d is not divisible by groups %d"
                                          % (filter_out, layout.groups))
    windows = layout.windows(flat.shape[1:-1], f.shape[:-2])
    pads = [(0, 0)] + [(before, after) for _, before, after in windows] + [(0, 0)]
    return batch_shape, flat, windows, pads


@register
class Conv(OpDef):
    """N-D convolution (2 or 3 spatial dimensions) over inputs with `batch_dims` leading batch dimensions,
    in groups of input channels; the cross-correlation of TF's conv ops."""

    host_only = True     # window loops on the host

    def infer(self, op):
        x, f = op.inputs
        check_same = x.dtype is f.dtype
        if not check_same:
            raise TypeError("Input 'filter' of 'Conv' Op has type %s that does not match type %s of argument "
                            "'input'." % (f.dtype.name, x.dtype.name))
        if not (x.dtype.is_floating or x.dtype in (dtypes.int32,)):
            raise TypeError("Value for attr 'T' of %s is not in the list of allowed values: half, bfloat16, "
                            "float, double, int32" % x.dtype.name)
        if op.attrs["padding"] not in ("SAME", "VALID", "EXPLICIT"):
            raise ValueError("Value for attr 'padding' of \"%s\" is not in the list of allowed values: \"SAME\", "
                             "\"VALID\", \"EXPLICIT\"" % op.attrs["padding"])
        if op.attrs["data_format"] not in ("CHANNELS_FIRST", "CHANNELS_LAST"):
            raise ValueError("Value for attr 'data_format' of \"%s\" is not in the list of allowed values: "
                             "\"CHANNELS_FIRST\", \"CHANNELS_LAST\"" % op.attrs["data_format"])
        if x.shape.ndims is None:
            return [(x.dtype, TensorShape(None))]
        layout = _ConvLayout(op, x.shape.ndims)
        if f.shape.ndims is not None and f.shape.ndims != layout.spatial_count + 2:
            raise ValueError("The filter must have rank %d (spatial dimensions, in depth, out depth), got rank "
                             "%d" % (layout.spatial_count + 2, f.shape.ndims))
        dims = x.shape.as_list()
        sizes, _ = layout.spatial_of(dims)
        kernel = f.shape.as_list()[:-2] if f.shape.ndims is not None else [None] * layout.spatial_count
        out_channels = f.shape[-1].value if f.shape.ndims is not None else None
        return [(x.dtype, TensorShape(layout.output_shape(dims[:layout.batch_dims], sizes, out_channels, kernel)))]

    def kernel(self, op, ctx):
        def convolve(x, f):
            x, f = np.asarray(x), np.asarray(f)
            layout = _ConvLayout(op, x.ndim)
            batch_shape, flat, windows, pads = _conv_prepare(op, layout, x, f)
            padded = np.pad(flat, pads)
            groups, filter_in, filter_out = layout.groups, f.shape[-2], f.shape[-1]
            out = np.zeros((flat.shape[0],) + tuple(w[0] for w in windows) + (groups, filter_out // groups),
                           np.result_type(x.dtype, f.dtype))
            for offset in np.ndindex(*f.shape[:-2]):
                piece = padded[_conv_slices(layout, windows, offset)]
                piece = piece.reshape(piece.shape[:-1] + (groups, filter_in))
                weights = f[offset].reshape(filter_in, groups, filter_out // groups)
                out += np.einsum("...gc,cgo->...go", piece, weights)
            out = out.reshape(out.shape[:-2] + (filter_out,)).astype(x.dtype)
            return layout.from_channels_last(out, batch_shape)
        return convolve

    def grad(self, op, dy):
        gradient = make_op("ConvGrad", [op.inputs[0], op.inputs[1], dy], dict(op.attrs))
        return list(gradient.outputs)


@register
class ConvGrad(OpDef):
    """Conv's gradient with respect to its input and its filter."""

    host_only = True     # window loops on the host

    def infer(self, op):
        return [(op.inputs[0].dtype, op.inputs[0].shape), (op.inputs[1].dtype, op.inputs[1].shape)]

    def kernel(self, op, ctx):
        def back(x, f, dy):
            x, f, dy = np.asarray(x), np.asarray(f), np.asarray(dy)
            layout = _ConvLayout(op, x.ndim)
            batch_shape, flat, windows, pads = _conv_prepare(op, layout, x, f)
            padded = np.pad(flat, pads)
            grad_padded = np.zeros(padded.shape, dy.dtype)
            groups, filter_in, filter_out = layout.groups, f.shape[-2], f.shape[-1]
            upstream = layout.to_channels_last(dy)
            upstream = upstream.reshape(upstream.shape[:-1] + (groups, filter_out // groups))
            grad_filter = np.zeros(f.shape, dy.dtype)
            for offset in np.ndindex(*f.shape[:-2]):
                where = _conv_slices(layout, windows, offset)
                piece = padded[where]
                piece = piece.reshape(piece.shape[:-1] + (groups, filter_in))
                weights = f[offset].reshape(filter_in, groups, filter_out // groups)
                grad_padded[where] += np.einsum("...go,cgo->...gc", upstream, weights).reshape(
                    piece.shape[:-2] + (groups * filter_in,))
                grad_filter[offset] = np.einsum("ngc,ngo->cgo", piece.reshape(-1, groups, filter_in),
                                                upstream.reshape(-1, groups, filter_out // groups)).reshape(
                    filter_in, filter_out)
            inner = tuple(slice(before, before + size) for (_, before, _), size in zip(windows, flat.shape[1:-1]))
            grad_input = grad_padded[(slice(None),) + inner + (slice(None),)]
            return layout.from_channels_last(grad_input, batch_shape).astype(x.dtype), grad_filter.astype(f.dtype)
        return back


def conv(input, filter, strides, padding, explicit_paddings=(), data_format="CHANNELS_LAST",  # noqa: A002
         dilations=(), batch_dims=1, groups=1, name=None):
    """`tf.conv(input, filter, strides, padding, ...)` (TF's `Conv` op): cross-correlation over the 2 or 3
    spatial dimensions of `input` [*batch (batch_dims of them), *spatial, in_depth] (CHANNELS_LAST) or
    [*batch, in_depth, *spatial] (CHANNELS_FIRST) with `filter` [*spatial, in_depth / groups, out_depth].
    `strides` and `dilations` have spatial + 2 entries (1 for the batch and depth positions, in
    data_format order); `padding` is 'SAME', 'VALID' or 'EXPLICIT' with `explicit_paddings` holding
    2 * (spatial + 2) values. Differentiable in both inputs. (TF's CPU kernel supports only
    CHANNELS_LAST and groups=1; numflow computes all of them.)"""
    x = convert_to_tensor(input, name="input")
    f = convert_to_tensor(filter, dtype=x.dtype if not is_tensor_like(filter) else None, name="filter")
    attrs = {"strides": [int(v) for v in strides], "padding": padding.decode() if isinstance(padding, bytes)
             else padding, "explicit_paddings": [int(v) for v in explicit_paddings], "data_format": data_format,
             "dilations": [int(v) for v in dilations], "batch_dims": int(batch_dims), "groups": int(groups)}
    return make_tensor("Conv", [x, f], attrs, name=name or "Conv")


__all__ += ["conv"]
