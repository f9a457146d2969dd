"""Neural-network ops (`tf.nn`): activations, softmax, cross-entropies, bias_add, dropout, moments, top_k.

Each op is one OpDef subclass (shape/dtype rule, kernel, gradient) beside the public function that
builds it. The cross-entropy ops are fused: one kernel computes the loss and its backprop together, and
the gradient reuses that backprop instead of recomputing the softmax.
"""
import collections
import numbers

import numpy as np

from ..backend import to_host
from ..framework import dtypes, errors
from ..framework.graph import Tensor, convert_to_tensor, name_scope
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape, format_shape
from . import reduce_kernels
from .common import check_same_dtype, make_op, make_tensor

__all__ = ["relu", "relu6", "elu", "selu", "leaky_relu", "crelu", "softplus", "softsign", "swish",
           "softmax", "log_softmax", "softmax_cross_entropy_with_logits",
           "softmax_cross_entropy_with_logits_v2", "sparse_softmax_cross_entropy_with_logits",
           "sigmoid_cross_entropy_with_logits", "weighted_cross_entropy_with_logits", "l2_loss",
           "bias_add", "xw_plus_b", "relu_layer", "dropout", "l2_normalize", "moments",
           "normalize_moments", "sufficient_statistics", "batch_normalization", "in_top_k", "top_k",
           "embedding_lookup", "log_poisson_loss", "zero_fraction"]


# --- helpers -------------------------------------------------------------------------------------
def _float_input(x, op_name, arg="features"):
    """x as a Tensor; TypeError unless its dtype is floating."""
    x = convert_to_tensor(x, name=arg)
    if not x.dtype.is_floating:
        raise TypeError("Value passed to parameter '%s' of op '%s' has DataType %s not in list of allowed "
                        "values: float16, float32, float64" % (arg, op_name, x.dtype.name))
    return x


def _check_real(x, op_name, arg="features"):
    if not (x.dtype.is_floating or (x.dtype.is_integer and not x.dtype.is_unsigned) or
            x.dtype is dtypes.uint8 or x.dtype is dtypes.uint16):
        raise TypeError("Value passed to parameter '%s' of op '%s' has DataType %s not in list of allowed "
                        "values: real numeric types" % (arg, op_name, x.dtype.name))


def _normalize_axis(axis, rank, what="axis"):
    """axis as a non-negative int for a tensor of `rank` (None: unknown, negatives kept negative)."""
    axis = int(axis)
    if rank is None:
        return axis
    if not -rank <= axis < rank:
        raise ValueError("%s %d is out of bounds for a tensor of rank %d (must be in [%d, %d))"
                         % (what.capitalize(), axis, rank, -rank, rank))
    return axis % rank


def _shape_without(shape, axis):
    if shape.ndims is None:
        return TensorShape(None)
    dims = list(shape)
    del dims[axis]
    return TensorShape(dims)


def _zeros_like(tensor):
    from .array import zeros_like
    return zeros_like(tensor)


class _ElementwiseGrad(OpDef):
    """grad(dy, saved) -> dx, elementwise: same dtype and shape as dy."""

    def infer(self, op):
        dy, saved = op.inputs[0], op.inputs[1]
        return [(dy.dtype, dy.shape.merge_with(saved.shape))]


# np.where's per-element branch mispredicts on masks of mixed signs that change from call to call: 3-15x
# slower than arithmetic on 16K-1.25M float32 elements (benchmarks/bench_kernels.py). The activations
# below select without it on host arrays, by sums whose other term is exactly 0: np.where's values bit
# for bit (up to the sign of a zero result). Scalars and device arrays keep np.where.
def _host_arrays(*values):
    """Whether every value is a NumPy array of one shape (what the where-free forms work in place on)."""
    first = values[0]
    return all(type(v) is np.ndarray and v.shape == first.shape for v in values) and first.ndim > 0


def _pick(mask, low, high):
    """`high` where `mask`, else `low` (finite scalars of the result dtype), per element: as
    mask * high + (1 - mask) * low, whose two terms are the chosen value and an exact 0 (2-4x faster
    than np.take on a two-entry table, measured)."""
    chosen = mask.astype(low.dtype)
    other = np.subtract(low.dtype.type(1), chosen)
    chosen *= high
    other *= low
    chosen += other
    return chosen


# --- activations ---------------------------------------------------------------------------------
@register
class Relu(OpDef):
    """max(features, 0)."""

    def infer(self, op):
        x = op.inputs[0]
        _check_real(x, "Relu")
        return [(x.dtype, x.shape)]

    def kernel(self, op, ctx):
        zero = op.inputs[0].dtype.np.type(0)
        return lambda x: np.maximum(x, zero)

    def grad(self, op, dy):
        return [make_tensor("ReluGrad", [dy, op.outputs[0]], name="ReluGrad")]


@register
class ReluGrad(_ElementwiseGrad):
    """dy where the relu's output is positive, else 0."""

    def kernel(self, op, ctx):
        return lambda dy, y: dy * (y > 0)

    def grad(self, op, ddx):
        return [make_tensor("ReluGrad", [ddx, op.inputs[1]], name="ReluGrad"), _zeros_like(op.inputs[1])]


def relu(features, name=None):
    """`tf.nn.relu(features)`: max(features, 0) elementwise."""
    return make_tensor("Relu", [convert_to_tensor(features, name="features")], name=name or "Relu")


@register
class Relu6(OpDef):
    """min(max(features, 0), 6)."""

    def infer(self, op):
        x = op.inputs[0]
        _check_real(x, "Relu6")
        return [(x.dtype, x.shape)]

    def kernel(self, op, ctx):
        dtype = op.inputs[0].dtype.np.type
        low, high = dtype(0), dtype(6)
        return lambda x: np.clip(x, low, high)

    def grad(self, op, dy):
        return [make_tensor("Relu6Grad", [dy, op.inputs[0]], name="Relu6Grad")]


@register
class Relu6Grad(_ElementwiseGrad):
    """dy where 0 < features < 6, else 0."""

    def kernel(self, op, ctx):
        return lambda dy, x: dy * ((x > 0) & (x < 6))

    def grad(self, op, ddx):
        return [make_tensor("Relu6Grad", [ddx, op.inputs[1]], name="Relu6Grad"), _zeros_like(op.inputs[1])]


def relu6(features, name=None):
    """`tf.nn.relu6(features)`: min(max(features, 0), 6) elementwise."""
    return make_tensor("Relu6", [convert_to_tensor(features, name="features")], name=name or "Relu6")


@register
class Elu(OpDef):
    """features if > 0 else exp(features) - 1."""

    def infer(self, op):
        x = op.inputs[0]
        _float_input(x, "Elu")
        return [(x.dtype, x.shape)]

    def kernel(self, op, ctx):
        zero = op.inputs[0].dtype.np.type(0)

        def elu(x):
            if not _host_arrays(x):
                return np.where(x < 0, np.expm1(np.minimum(x, zero)), x)
            # expm1(min(x, 0)) + max(x, 0): for each x one term is exactly 0.
            out = np.minimum(x, zero)
            np.expm1(out, out=out)
            out += np.maximum(x, zero)
            return out
        return elu

    def grad(self, op, dy):
        return [make_tensor("EluGrad", [dy, op.outputs[0]], name="EluGrad")]


@register
class EluGrad(_ElementwiseGrad):
    """dy * (y + 1) where the elu's output y < 0, else dy."""

    def kernel(self, op, ctx):
        dtype = op.inputs[0].dtype.np.type
        zero, one = dtype(0), dtype(1)

        def elu_grad(dy, y):
            if not _host_arrays(dy, y):
                return np.where(y < 0, dy * (y + one), dy)
            # dy * (fmin(y, 0) + 1): y + 1 where y < 0, else exactly 1 (fmin also takes 0 for a NaN y,
            # as the select's false branch does).
            factor = np.fmin(y, zero)
            factor += one
            factor *= dy
            return factor
        return elu_grad


def elu(features, name=None):
    """`tf.nn.elu(features)`: exp(features) - 1 where features < 0, else features."""
    return make_tensor("Elu", [_float_input(features, "Elu")], name=name or "Elu")


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


@register
class Selu(OpDef):
    """scale * (features if > 0 else alpha * (exp(features) - 1))."""

    def infer(self, op):
        x = op.inputs[0]
        _float_input(x, "Selu")
        return [(x.dtype, x.shape)]

    def kernel(self, op, ctx):
        dtype = op.inputs[0].dtype.np.type
        zero, scale, scale_alpha = dtype(0), dtype(_SELU_SCALE), dtype(_SELU_SCALE * _SELU_ALPHA)

        def selu(x):
            if not _host_arrays(x):
                return np.where(x < 0, scale_alpha * np.expm1(np.minimum(x, zero)), scale * x)
            # scale_alpha * expm1(min(x, 0)) + scale * max(x, 0): for each x one term is exactly 0.
            out = np.minimum(x, zero)
            np.expm1(out, out=out)
            out *= scale_alpha
            linear = np.maximum(x, zero)
            linear *= scale
            out += linear
            return out
        return selu

    def grad(self, op, dy):
        return [make_tensor("SeluGrad", [dy, op.outputs[0]], name="SeluGrad")]


@register
class SeluGrad(_ElementwiseGrad):
    """dy * (y + scale * alpha) where the selu's output y < 0, else dy * scale."""

    def kernel(self, op, ctx):
        dtype = op.inputs[0].dtype.np.type
        zero, scale, scale_alpha = dtype(0), dtype(_SELU_SCALE), dtype(_SELU_SCALE * _SELU_ALPHA)

        def selu_grad(dy, y):
            if not _host_arrays(dy, y):
                return np.where(y < 0, dy * (y + scale_alpha), dy * scale)
            # dy * (fmin(y, 0) + (scale_alpha if y < 0 else scale)): y + scale_alpha or exactly scale.
            factor = np.fmin(y, zero)
            factor += _pick(np.less(y, zero), scale, scale_alpha)
            factor *= dy
            return factor
        return selu_grad


def selu(features, name=None):
    """`tf.nn.selu(features)`: scale * alpha * (exp(features) - 1) where features < 0, else
    scale * features, with alpha ~ 1.6733 and scale ~ 1.0507."""
    return make_tensor("Selu", [_float_input(features, "Selu")], name=name or "Selu")


@register
class LeakyRelu(OpDef):
    """features if > 0 else alpha * features."""

    def infer(self, op):
        x = op.inputs[0]
        _float_input(x, "LeakyRelu")
        return [(x.dtype, x.shape)]

    def kernel(self, op, ctx):
        dtype = op.inputs[0].dtype.np.type
        alpha = dtype(op.attrs["alpha"])
        if 0 <= alpha <= 1:
            return lambda x: np.maximum(x, alpha * x)
        return _leaky_scaling(alpha, dtype)

    def grad(self, op, dy):
        return [make_tensor("LeakyReluGrad", [dy, op.inputs[0]], {"alpha": op.attrs["alpha"]},
                            name="LeakyReluGrad")]


@register
class LeakyReluGrad(_ElementwiseGrad):
    """dy where features > 0, else alpha * dy."""

    def kernel(self, op, ctx):
        dtype = op.inputs[0].dtype.np.type
        # dy where x > 0, else alpha * dy: dy scaled by the side of x.
        return _leaky_scaling(dtype(op.attrs["alpha"]), dtype)

    def grad(self, op, ddx):
        return [make_tensor("LeakyReluGrad", [ddx, op.inputs[1]], {"alpha": op.attrs["alpha"]},
                            name="LeakyReluGrad"), _zeros_like(op.inputs[1])]


def _leaky_scaling(alpha, dtype):
    """f(values, sign_of=values) -> values where sign_of > 0, else alpha * values."""
    zero, one = dtype(0), dtype(1)
    finite = bool(np.isfinite(alpha))      # _pick's sum takes finite values only

    def scaled(values, sign_of=None):
        sign_of = values if sign_of is None else sign_of
        if not (finite and _host_arrays(values, sign_of)):
            return np.where(sign_of > zero, values, alpha * values)
        # values * (1 or alpha): the product by 1 is exact.
        factor = _pick(np.greater(sign_of, zero), alpha, one)
        factor *= values
        return factor
    return scaled


def leaky_relu(features, alpha=0.2, name=None):
    """`tf.nn.leaky_relu(features, alpha=0.2)`: features where > 0, else alpha * features."""
    features = convert_to_tensor(features, name="features")
    if features.dtype.is_integer:
        from .math import cast
        features = cast(features, dtypes.float32)
    return make_tensor("LeakyRelu", [_float_input(features, "LeakyRelu")], {"alpha": float(alpha)},
                       name=name or "LeakyRelu")


def crelu(features, name=None, axis=-1):
    """`tf.nn.crelu(features, axis=-1)`: concat([relu(features), relu(-features)], axis)."""
    from .array import concat
    from .math import negative
    with name_scope(name, "CRelu", [features]) as scope:
        features = convert_to_tensor(features, name="features")
        return relu(concat([features, negative(features)], axis), name=scope)


@register
class Softplus(OpDef):
    """log(exp(features) + 1), computed stably."""

    def infer(self, op):
        x = op.inputs[0]
        _float_input(x, "Softplus")
        return [(x.dtype, x.shape)]

    def kernel(self, op, ctx):
        zero = op.inputs[0].dtype.np.type(0)
        return lambda x: np.logaddexp(x, zero)

    def grad(self, op, dy):
        return [make_tensor("SoftplusGrad", [dy, op.inputs[0]], name="SoftplusGrad")]


@register
class SoftplusGrad(_ElementwiseGrad):
    """dy * sigmoid(features)."""

    def kernel(self, op, ctx):
        dtype = op.inputs[0].dtype.np.type
        half = dtype(0.5)

        def softplus_grad(dy, x):
            if not _host_arrays(dy, x):
                return dy * (half + half * np.tanh(half * x))
            # The same products and sums in one buffer.
            out = np.multiply(x, half)
            np.tanh(out, out=out)
            out *= half
            out += half
            out *= dy
            return out
        return softplus_grad


def softplus(features, name=None):
    """`tf.nn.softplus(features)`: log(exp(features) + 1), stable for large |features|."""
    return make_tensor("Softplus", [_float_input(features, "Softplus")], name=name or "Softplus")


@register
class Softsign(OpDef):
    """features / (abs(features) + 1)."""

    def infer(self, op):
        x = op.inputs[0]
        _float_input(x, "Softsign")
        return [(x.dtype, x.shape)]

    def kernel(self, op, ctx):
        one = op.inputs[0].dtype.np.type(1)

        def softsign(x):
            if not _host_arrays(x):
                return x / (np.abs(x) + one)
            out = np.abs(x)
            out += one
            return np.divide(x, out, out=out)
        return softsign

    def grad(self, op, dy):
        return [make_tensor("SoftsignGrad", [dy, op.inputs[0]], name="SoftsignGrad")]


@register
class SoftsignGrad(_ElementwiseGrad):
    """dy / (1 + abs(features))**2."""

    def kernel(self, op, ctx):
        one = op.inputs[0].dtype.np.type(1)

        def softsign_grad(dy, x):
            if not _host_arrays(dy, x):
                return dy / np.square(np.abs(x) + one)
            out = np.abs(x)
            out += one
            np.square(out, out=out)
            return np.divide(dy, out, out=out)
        return softsign_grad


def softsign(features, name=None):
    """`tf.nn.softsign(features)`: features / (abs(features) + 1)."""
    return make_tensor("Softsign", [_float_input(features, "Softsign")], name=name or "Softsign")


@register
class Swish(OpDef):
    """features * sigmoid(features)."""

    def infer(self, op):
        x = op.inputs[0]
        _float_input(x, "Swish")
        return [(x.dtype, x.shape)]

    def kernel(self, op, ctx):
        half = op.inputs[0].dtype.np.type(0.5)
        return lambda x: x * (half + half * np.tanh(half * x))

    def grad(self, op, dy):
        return [make_tensor("SwishGrad", [dy, op.inputs[0]], name="SwishGrad")]


@register
class SwishGrad(_ElementwiseGrad):
    """dy * (s + x * s * (1 - s)) with s = sigmoid(x)."""

    def kernel(self, op, ctx):
        dtype = op.inputs[0].dtype.np.type
        half, one = dtype(0.5), dtype(1)

        def swish_grad(dy, x):
            s = half + half * np.tanh(half * x)
            return dy * (s * (one + x * (one - s)))
        return swish_grad


def swish(features, name=None):
    """`tf.nn.swish(features)`: features * sigmoid(features)."""
    return make_tensor("Swish", [_float_input(features, "Swish")], name=name or "swish")


# --- softmax -------------------------------------------------------------------------------------
def _softmax_kernel(axis):
    def softmax(x):
        e = np.subtract(x, np.max(x, axis=axis, keepdims=True))
        np.exp(e, out=e)
        e /= np.sum(e, axis=axis, keepdims=True)
        return e
    return softmax


def _log_softmax_kernel(axis):
    def log_softmax(x):
        shifted = np.subtract(x, np.max(x, axis=axis, keepdims=True))
        shifted -= np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
        return shifted
    return log_softmax


class _SoftmaxBase(OpDef):
    def infer(self, op):
        x = op.inputs[0]
        _float_input(x, self.type, "logits")
        if x.shape.ndims == 0:
            raise ValueError("logits must have rank at least 1, got a scalar")
        _normalize_axis(op.attrs["axis"], x.shape.ndims)
        return [(x.dtype, x.shape)]


@register
class Softmax(_SoftmaxBase):
    """exp(logits) / sum(exp(logits), axis), computed with the max subtracted."""

    def kernel(self, op, ctx):
        return _softmax_kernel(op.attrs["axis"])

    def grad(self, op, dy):
        return [make_tensor("SoftmaxGrad", [dy, op.outputs[0]], {"axis": op.attrs["axis"]},
                            name="SoftmaxGrad")]


@register
class SoftmaxGrad(_ElementwiseGrad):
    """(dy - sum(dy * y, axis)) * y for y = softmax(logits)."""

    def kernel(self, op, ctx):
        axis = op.attrs["axis"]

        def softmax_grad(dy, y):
            out = dy * y
            out -= y * np.sum(out, axis=axis, keepdims=True)
            return out
        return softmax_grad


@register
class LogSoftmax(_SoftmaxBase):
    """logits - log(sum(exp(logits), axis)), computed with the max subtracted."""

    def kernel(self, op, ctx):
        return _log_softmax_kernel(op.attrs["axis"])

    def grad(self, op, dy):
        return [make_tensor("LogSoftmaxGrad", [dy, op.outputs[0]], {"axis": op.attrs["axis"]},
                            name="LogSoftmaxGrad")]


@register
class LogSoftmaxGrad(_ElementwiseGrad):
    """dy - exp(y) * sum(dy, axis) for y = log_softmax(logits)."""

    def kernel(self, op, ctx):
        axis = op.attrs["axis"]
        return lambda dy, y: dy - np.exp(y) * np.sum(dy, axis=axis, keepdims=True)


def _softmax_axis(axis, dim, logits):
    if axis is not None and dim is not None:
        raise ValueError("Cannot specify both 'axis' and 'dim'.")
    axis = dim if axis is None else axis
    axis = -1 if axis is None else axis
    if isinstance(axis, Tensor):
        from .array import _static_int_list
        known = _static_int_list(axis) if axis.shape.ndims in (0, 1) else None
        if known is None or len(known) != 1:
            raise ValueError("softmax axis must be a constant, got %s" % axis)
        axis = known[0]
    return _normalize_axis(axis, logits.shape.ndims, "dim")


def softmax(logits, axis=None, name=None, dim=None):
    """`tf.nn.softmax(logits, axis=None)`: exp(logits) / sum(exp(logits), axis); axis defaults to -1.
    (`dim` is the deprecated alias of `axis`.)"""
    logits = _float_input(logits, "Softmax", "logits")
    axis = _softmax_axis(axis, dim, logits)
    return make_tensor("Softmax", [logits], {"axis": axis}, name=name or "Softmax")


def log_softmax(logits, axis=None, name=None, dim=None):
    """`tf.nn.log_softmax(logits, axis=None)`: logits - log(sum(exp(logits), axis)); axis defaults to -1."""
    logits = _float_input(logits, "LogSoftmax", "logits")
    axis = _softmax_axis(axis, dim, logits)
    return make_tensor("LogSoftmax", [logits], {"axis": axis}, name=name or "LogSoftmax")


# --- cross-entropies -----------------------------------------------------------------------------
@register
class ScaleAlongAxis(OpDef):
    """expand_dims(d, axis) * t: a per-example loss gradient applied to a per-class backprop."""

    def infer(self, op):
        d, t = op.inputs
        return [(t.dtype, t.shape)]

    def kernel(self, op, ctx):
        axis = op.attrs["axis"]
        rank = op.inputs[1].shape.ndims
        if axis == -1 or (rank is not None and axis == rank - 1):
            return lambda d, t: np.multiply(d[..., None], t)
        return lambda d, t: np.multiply(np.expand_dims(d, axis), t)


def _scale_along_axis(d, t, axis):
    return make_tensor("ScaleAlongAxis", [d, t], {"axis": axis}, name="ScaleAlongAxis")


@register
class SoftmaxCrossEntropyWithLogits(OpDef):
    """(loss, backprop): -sum(labels * log_softmax(logits), axis) and softmax(logits) - labels."""

    def infer(self, op):
        logits, labels = op.inputs
        check_same_dtype("SoftmaxCrossEntropyWithLogits", logits, labels, "features", "labels")
        if not logits.shape.is_compatible_with(labels.shape):
            raise ValueError("logits and labels must have the same shape (%s vs %s)"
                             % (logits.shape, labels.shape))
        shape = logits.shape.merge_with(labels.shape)
        if shape.ndims == 0:
            raise ValueError("logits and labels must have rank at least 1, got scalars")
        axis = op.attrs["axis"]
        return [(logits.dtype, _shape_without(shape, axis)), (logits.dtype, shape)]

    def kernel(self, op, ctx):
        axis = op.attrs["axis"]
        rank = op.inputs[0].shape.ndims
        last_axis = axis == -1 or (rank is not None and axis == rank - 1)

        def column_max(x, axis, keepdims):
            return reduce_kernels.max_last(x, keepdims)

        def column_sum(x, axis, keepdims=False):
            return reduce_kernels.sum_last(x, keepdims)

        def softmax_xent(logits, labels):
            # A narrow class axis (2 classes) over many rows is worked column by column, not by NumPy's
            # per-row reduction loop (see reduce_kernels); everything else through ufunc.reduce directly
            # (np.max/np.sum add microseconds of Python wrapping per call).
            maximum, add = np.maximum.reduce, np.add.reduce
            if last_axis and reduce_kernels.narrow_last(logits, reduce_kernels.SOFTMAX_ROWS_PER_COLUMN):
                if labels.shape == logits.shape:
                    return reduce_kernels.narrow_softmax_xent(logits, labels)
                maximum, add = column_max, column_sum
            shifted = np.subtract(logits, maximum(logits, axis=axis, keepdims=True))
            exp = np.exp(shifted)
            total = add(exp, axis=axis, keepdims=True)
            # loss = sum(labels * (log(total) - shifted))
            shifted -= np.log(total)
            loss = np.negative(add(np.multiply(labels, shifted, out=shifted), axis=axis))
            exp /= total
            exp -= labels
            return loss, exp
        return softmax_xent

    def grad(self, op, dloss, dbackprop):
        logits, labels = op.inputs
        axis = op.attrs["axis"]
        dlogits = _scale_along_axis(dloss, op.outputs[1], axis)
        dlabels = None
        if labels.op.type != "StopGradient" and labels.dtype.is_floating:
            from .math import negative
            log_probs = make_tensor("LogSoftmax", [logits], {"axis": axis}, name="LogSoftmax")
            dlabels = negative(_scale_along_axis(dloss, log_probs, axis))
        return [dlogits, dlabels]


def _sentinel_check(sentinel, name):
    if sentinel is not None:
        raise ValueError("Only call `%s` with named arguments (labels=..., logits=..., ...)" % name)


def softmax_cross_entropy_with_logits_v2(_sentinel=None, labels=None, logits=None, dim=-1, name=None,
                                         axis=None):
    """`tf.nn.softmax_cross_entropy_with_logits_v2(labels=..., logits=..., dim=-1)`: the cross entropy
    -sum(labels * log(softmax(logits)), dim) per example; gradients flow into both labels and logits.
    Stable for large logits (the max is subtracted before exponentiating)."""
    _sentinel_check(_sentinel, "softmax_cross_entropy_with_logits_v2")
    if labels is None or logits is None:
        raise ValueError("Both labels and logits must be provided.")
    with name_scope(name, "softmax_cross_entropy_with_logits", [logits, labels]) as scope:
        logits = _float_input(logits, "SoftmaxCrossEntropyWithLogits", "logits")
        labels = convert_to_tensor(labels, dtype=None if isinstance(labels, Tensor) else logits.dtype,
                                   name="labels")
        if labels.dtype is not logits.dtype:
            from .math import cast
            labels = cast(labels, logits.dtype)
        axis = dim if axis is None else axis
        rank = logits.shape.ndims if logits.shape.ndims is not None else labels.shape.ndims
        axis = _normalize_axis(axis, rank, "dim")
        op = make_op("SoftmaxCrossEntropyWithLogits", [logits, labels], {"axis": axis}, name=scope)
        return op.outputs[0]


def softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, dim=-1, name=None,
                                      axis=None):
    """`tf.nn.softmax_cross_entropy_with_logits(labels=..., logits=..., dim=-1)` (TF1's v1): like the
    v2 op, but no gradient flows into `labels`."""
    _sentinel_check(_sentinel, "softmax_cross_entropy_with_logits")
    if labels is None or logits is None:
        raise ValueError("Both labels and logits must be provided.")
    from .control import stop_gradient
    with name_scope(name, "softmax_cross_entropy_with_logits_sg", [logits, labels]) as scope:
        labels = stop_gradient(labels, name="labels_stop_gradient")
        return softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits, dim=dim, axis=axis,
                                                    name=scope)


@register
class SparseSoftmaxCrossEntropyWithLogits(OpDef):
    """(loss, backprop) for integer class labels over the last axis of the logits."""

    def infer(self, op):
        logits, labels = op.inputs
        if not labels.dtype in (dtypes.int32, dtypes.int64):
            raise TypeError("Value passed to parameter 'labels' has DataType %s not in list of allowed "
                            "values: int32, int64" % labels.dtype.name)
        lrank, rank = labels.shape.ndims, logits.shape.ndims
        if lrank is not None and rank is not None:
            if rank == 0:
                raise ValueError("Logits cannot be scalars - received shape %s." % format_shape(logits.shape))
            if lrank != rank - 1:
                raise ValueError("Rank mismatch: Rank of labels (received %d) should equal rank of logits "
                                 "minus 1 (received %d)." % (lrank, rank))
            if not labels.shape.is_compatible_with(logits.shape[:-1]):
                raise ValueError("Shape mismatch: The shape of labels (received %s) should equal the shape "
                                 "of logits except for the last dimension (received %s)."
                                 % (format_shape(labels.shape), format_shape(logits.shape)))
            loss_shape = labels.shape.merge_with(logits.shape[:-1])
        elif rank is not None:
            loss_shape = logits.shape[:-1]
        else:
            loss_shape = labels.shape
        return [(logits.dtype, loss_shape), (logits.dtype, logits.shape)]

    def kernel(self, op, ctx):
        xp = ctx.xp

        def sparse_xent(logits, labels):
            classes = logits.shape[-1]
            flat = logits.reshape(-1, classes)
            ids = labels.reshape(-1)
            if ids.size and (ids.min() < 0 or ids.max() >= classes):
                ids = to_host(ids)
                bad = ids[(ids < 0) | (ids >= classes)][0]
                raise errors.InvalidArgumentError(
                    None, op, "Received a label value of %d which is outside the valid range of [0, %d).  "
                    "Label values: %s" % (bad, classes, " ".join(str(int(v)) for v in ids)))
            rows = xp.arange(ids.size)
            shifted = np.subtract(flat, np.max(flat, axis=1, keepdims=True)) if flat.size else flat.copy()
            exp = np.exp(shifted)
            total = np.sum(exp, axis=1, keepdims=True)
            loss = np.log(total[:, 0]) - shifted[rows, ids]
            exp /= total
            exp[rows, ids] -= 1
            return loss.reshape(labels.shape), exp.reshape(logits.shape)
        return sparse_xent

    def grad(self, op, dloss, dbackprop):
        return [_scale_along_axis(dloss, op.outputs[1], -1), None]


def sparse_softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, name=None):
    """`tf.nn.sparse_softmax_cross_entropy_with_logits(labels=..., logits=...)`: the cross entropy of
    softmax(logits) against integer class ids `labels` (int32/int64, the logits' shape without the last
    axis). A label outside [0, num_classes) is an InvalidArgumentError when the op runs."""
    _sentinel_check(_sentinel, "sparse_softmax_cross_entropy_with_logits")
    if labels is None or logits is None:
        raise ValueError("Both labels and logits must be provided.")
    with name_scope(name, "SparseSoftmaxCrossEntropyWithLogits", [labels, logits]) as scope:
        labels = convert_to_tensor(labels, name="labels")
        logits = _float_input(logits, "SparseSoftmaxCrossEntropyWithLogits", "logits")
        op = make_op("SparseSoftmaxCrossEntropyWithLogits", [logits, labels], name=scope)
        return op.outputs[0]


@register
class SigmoidCrossEntropyWithLogits(OpDef):
    """max(x, 0) - x * z + log(1 + exp(-abs(x))) for logits x and labels z."""

    def infer(self, op):
        logits, labels = op.inputs
        if logits.dtype is not labels.dtype:
            raise TypeError("logits and labels must have the same dtype (%s vs %s)"
                            % (logits.dtype.name, labels.dtype.name))
        if not logits.shape.is_compatible_with(labels.shape):
            raise ValueError("logits and labels must have the same shape (%s vs %s)"
                             % (logits.shape, labels.shape))
        return [(logits.dtype, logits.shape.merge_with(labels.shape))]

    def kernel(self, op, ctx):
        zero = op.inputs[0].dtype.np.type(0)

        def sigmoid_xent(x, z):
            out = np.maximum(x, zero) - x * z
            out += np.log1p(np.exp(-np.abs(x)))
            return out
        return sigmoid_xent

    def grad(self, op, dy):
        from .math import multiply, negative
        logits, labels = op.inputs
        dlogits = make_tensor("SigmoidCrossEntropyGrad", [dy, logits, labels], name="SigmoidXentGrad")
        dlabels = None
        if labels.op.type != "StopGradient":
            dlabels = multiply(negative(dy), logits)
        return [dlogits, dlabels]


@register
class SigmoidCrossEntropyGrad(OpDef):
    """dy * (sigmoid(logits) - labels)."""

    def infer(self, op):
        return [(op.inputs[1].dtype, op.inputs[1].shape)]

    def kernel(self, op, ctx):
        half = op.inputs[1].dtype.np.type(0.5)
        return lambda dy, x, z: dy * ((half + half * np.tanh(half * x)) - z)


def sigmoid_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, name=None):
    """`tf.nn.sigmoid_cross_entropy_with_logits(labels=..., logits=...)`: elementwise logistic loss
    max(x, 0) - x * z + log(1 + exp(-abs(x))), stable for large |logits|. Shapes must match."""
    _sentinel_check(_sentinel, "sigmoid_cross_entropy_with_logits")
    if labels is None or logits is None:
        raise ValueError("Both labels and logits must be provided.")
    with name_scope(name, "logistic_loss", [logits, labels]) as scope:
        logits = _float_input(logits, "SigmoidCrossEntropyWithLogits", "logits")
        labels = convert_to_tensor(labels, dtype=None if isinstance(labels, Tensor) else logits.dtype,
                                   name="labels")
        return make_tensor("SigmoidCrossEntropyWithLogits", [logits, labels], name=scope)


def weighted_cross_entropy_with_logits(targets=None, logits=None, pos_weight=None, name=None, labels=None):
    """`tf.nn.weighted_cross_entropy_with_logits(targets, logits, pos_weight)`: the sigmoid cross entropy
    with the positive term weighted by `pos_weight`:
    (1 - z) * x + (1 + (q - 1) * z) * log(1 + exp(-x)), computed stably."""
    from .math import add, multiply, negative, subtract
    targets = labels if targets is None else targets
    if targets is None or logits is None or pos_weight is None:
        raise ValueError("targets, logits and pos_weight must all be provided.")
    with name_scope(name, "logistic_loss", [logits, targets]) as scope:
        logits = _float_input(logits, "weighted_cross_entropy_with_logits", "logits")
        targets = convert_to_tensor(targets, dtype=None if isinstance(targets, Tensor) else logits.dtype,
                                    name="targets")
        if not logits.shape.is_compatible_with(targets.shape):
            raise ValueError("logits and targets must have the same shape (%s vs %s)"
                             % (logits.shape, targets.shape))
        pos_weight = convert_to_tensor(pos_weight, dtype=None if isinstance(pos_weight, Tensor)
                                       else logits.dtype, name="pos_weight")
        log_weight = add(1.0, multiply(subtract(pos_weight, 1.0), targets))
        return add(multiply(subtract(1.0, targets), logits), multiply(log_weight, softplus(negative(logits))),
                   name=scope)


def log_poisson_loss(targets, log_input, compute_full_loss=False, name=None):
    """`tf.nn.log_poisson_loss(targets, log_input, compute_full_loss=False)`: exp(log_input) -
    targets * log_input, plus the Stirling approximation term where targets > 1 when
    `compute_full_loss`."""
    from .math import add, exp, log, multiply, subtract
    with name_scope(name, "log_poisson_loss", [targets, log_input]) as scope:
        log_input = _float_input(log_input, "log_poisson_loss", "log_input")
        targets = convert_to_tensor(targets, dtype=None if isinstance(targets, Tensor) else log_input.dtype,
                                    name="targets")
        if not log_input.shape.is_compatible_with(targets.shape):
            raise ValueError("log_input and targets must have the same shape (%s vs %s)"
                             % (log_input.shape, targets.shape))
        result = subtract(exp(log_input), multiply(log_input, targets))
        if compute_full_loss:
            from .math import greater, where
            from .array import zeros_like, ones_like
            point_five = 0.5
            two_pi = 2 * np.pi
            safe = where(greater(targets, 1.0), targets, ones_like(targets))
            stirling = add(subtract(multiply(safe, log(safe)), safe),
                           multiply(point_five, log(multiply(two_pi, safe))))
            result = add(result, where(greater(targets, 1.0), stirling, zeros_like(targets)))
        from .control import identity
        return identity(result, name=scope)


@register
class L2Loss(OpDef):
    """sum(t ** 2) / 2, a scalar."""

    def infer(self, op):
        t = op.inputs[0]
        _float_input(t, "L2Loss", "t")
        return [(t.dtype, TensorShape([]))]

    def kernel(self, op, ctx):
        dtype = op.inputs[0].dtype.np.type
        half = dtype(0.5)
        xp = ctx.xp

        def l2_loss(t):
            flat = np.ravel(t)
            return dtype(np.dot(flat, flat) * half)

        def l2_loss_on_device(t):      # a 0-d device array, never a host scalar
            flat = t.reshape(-1)
            return (np.dot(flat, flat) * half).astype(dtype, copy=False)
        return l2_loss if xp is np else l2_loss_on_device

    def grad(self, op, dy):
        from .math import multiply
        return [multiply(op.inputs[0], dy)]


def l2_loss(t, name=None):
    """`tf.nn.l2_loss(t)`: sum(t ** 2) / 2, without the square root."""
    return make_tensor("L2Loss", [_float_input(t, "L2Loss", "t")], name=name or "L2Loss")


# --- bias_add ------------------------------------------------------------------------------------
def _channel_axis(data_format, rank):
    if data_format is None or not data_format.startswith("NC"):
        return -1
    return 1


@register
class BiasAdd(OpDef):
    """value + bias, the rank-1 bias added along the channel axis (last, or 1 for NC* formats)."""

    def infer(self, op):
        value, bias = op.inputs
        check_same_dtype("BiasAdd", value, bias, "value", "bias")
        if bias.shape.ndims is not None and bias.shape.ndims != 1:
            raise ValueError("Shape must be rank 1 but is rank %d" % bias.shape.ndims)
        if value.shape.ndims is not None and value.shape.ndims < 2:
            raise ValueError("Shape must be at least rank 2 but is rank %d" % value.shape.ndims)
        axis = op.attrs["channel_axis"]
        channels = value.shape[axis] if value.shape.ndims is not None else None
        if channels is not None and bias.shape.ndims == 1:
            b = bias.shape[0]
            if not channels.is_compatible_with(b):
                raise ValueError("Dimensions must be equal, but are %s and %s" % (channels, b))
            if value.shape.ndims is not None:
                dims = list(value.shape)
                dims[axis] = channels.merge_with(b)
                return [(value.dtype, TensorShape(dims))]
        return [(value.dtype, value.shape)]

    def kernel(self, op, ctx):
        if op.attrs["channel_axis"] == -1:
            return np.add
        return lambda value, bias: value + bias.reshape((-1,) + (1,) * (value.ndim - 2))

    def grad(self, op, dy):
        grad_bias = make_tensor("BiasAddGrad", [dy], {"channel_axis": op.attrs["channel_axis"]},
                                name="BiasAddGrad")
        return [dy, grad_bias]


@register
class BiasAddGrad(OpDef):
    """The gradient of BiasAdd for the bias: dy summed over every axis but the channel axis."""

    def infer(self, op):
        dy = op.inputs[0]
        channels = dy.shape[op.attrs["channel_axis"]] if dy.shape.ndims is not None else None
        return [(dy.dtype, TensorShape([channels]))]

    def kernel(self, op, ctx):
        if op.attrs["channel_axis"] == -1:
            def bias_add_grad(dy):
                return reduce_kernels.sum_leading(dy, dy.ndim - 1)
        else:
            def bias_add_grad(dy):
                return np.sum(dy, axis=(0,) + tuple(range(2, dy.ndim)))
        return bias_add_grad


def bias_add(value, bias, data_format=None, name=None):
    """`tf.nn.bias_add(value, bias, data_format=None)`: value + bias, where bias is rank 1 and matches
    the last dimension of value ('NHWC' / None) or dimension 1 ('NCHW')."""
    if data_format not in (None, "NHWC", "NCHW", "NWC", "NCW", "NDHWC", "NCDHW", "N...C", "NC..."):
        raise ValueError("Unknown data_format: %s" % data_format)
    with name_scope(name, "BiasAdd", [value, bias]) as scope:
        value = convert_to_tensor(value, name="input")
        bias = convert_to_tensor(bias, dtype=None if isinstance(bias, Tensor) else value.dtype, name="bias")
        return make_tensor("BiasAdd", [value, bias],
                           {"channel_axis": _channel_axis(data_format, value.shape.ndims)}, name=scope)


def xw_plus_b(x, weights, biases, name=None):
    """`tf.nn.xw_plus_b(x, weights, biases)`: matmul(x, weights) + biases."""
    from .math import matmul
    with name_scope(name, "xw_plus_b", [x, weights, biases]) as scope:
        return bias_add(matmul(x, weights), biases, name=scope)


def relu_layer(x, weights, biases, name=None):
    """`tf.nn.relu_layer(x, weights, biases)`: relu(matmul(x, weights) + biases)."""
    from .math import matmul
    with name_scope(name, "relu_layer", [x, weights, biases]) as scope:
        return relu(bias_add(matmul(x, weights), biases), name=scope)


# --- dropout -------------------------------------------------------------------------------------
def _get_seed(graph, op_seed):
    """(graph-level seed, op seed) as TF1's get_seed: an op seed alone pairs with a default graph
    seed; a graph seed alone pairs with an op seed derived from the graph's op count."""
    try:
        from .random import get_seed
    except ImportError:
        get_seed = None
    if get_seed is not None:
        with graph.as_default():
            return get_seed(op_seed)
    global_seed = graph.seed
    if global_seed is not None:
        if op_seed is None:
            op_seed = len(graph._ops)
        return int(global_seed), int(op_seed)
    if op_seed is not None:
        return 87654321, int(op_seed)
    return None, None


@register
class Dropout(OpDef):
    """(x * mask, mask): mask is 0 with probability 1 - keep_prob and 1 / keep_prob otherwise."""

    stateful = True
    # keep_prob and noise_shape are read as Python numbers; the mask is drawn on the host (the Session's
    # NumPy generator, so that a GPU run draws the same numbers as the host) and copied to x's device.
    host_inputs = (1, 2)

    def infer(self, op):
        x, keep_prob = op.inputs[0], op.inputs[1]
        if keep_prob.shape.ndims not in (None, 0):
            raise ValueError("keep_prob must be a scalar tensor, got shape %s" % format_shape(keep_prob.shape))
        if len(op.inputs) > 2:
            from .array import _static_int_list
            known = _static_int_list(op.inputs[2])
            if known is not None:
                mask_shape = TensorShape(known)
                from .common import broadcast_shape
                broadcast_shape(x.shape, mask_shape)
            else:
                mask_shape = TensorShape(None)
        else:
            mask_shape = x.shape
        return [(x.dtype, x.shape), (x.dtype, mask_shape)]

    def kernel(self, op, ctx):
        dtype = op.inputs[0].dtype.np.type
        draw_dtype = dtype if dtype in (np.float32, np.float64) else np.float32
        generator = ctx.random_generator(op)
        xp = ctx.xp

        def dropout(x, keep_prob, noise_shape=None):
            shape = np.shape(x) if noise_shape is None else tuple(int(d) for d in noise_shape)
            keep = dtype(keep_prob)
            uniform = generator.random(shape, dtype=draw_dtype)
            mask = (uniform < keep).astype(dtype)
            mask *= dtype(1) / keep
            if xp is not np:
                mask = xp.asarray(mask)
            return np.multiply(x, mask), mask
        return dropout

    def grad(self, op, dy, dmask):
        from .common import sum_to_shape_of
        from .math import multiply
        grads = [sum_to_shape_of(multiply(dy, op.outputs[1]), op.inputs[0]), None]
        return grads + [None] * (len(op.inputs) - 2)


def dropout(x, keep_prob=None, noise_shape=None, seed=None, name=None, rate=None):
    """`tf.nn.dropout(x, keep_prob=None, noise_shape=None, seed=None, rate=None)`: each element of x
    (or each slice, with `noise_shape`) is kept with probability keep_prob and scaled by 1 / keep_prob,
    else set to 0. Give exactly one of keep_prob and rate (= 1 - keep_prob); either may be a tensor.
    Reproducible with `seed` and `tf.set_random_seed`."""
    if keep_prob is not None and rate is not None:
        raise ValueError("Cannot specify both 'rate' and 'keep_prob'.")
    if keep_prob is None and rate is None:
        raise ValueError("You must provide a rate to dropout.")
    with name_scope(name, "dropout", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        if not x.dtype.is_floating:
            raise ValueError("x has to be a floating point tensor since it's going to be scaled. Got a %s "
                             "tensor instead." % x.dtype.name)
        if keep_prob is not None:
            if isinstance(keep_prob, numbers.Real) and not isinstance(keep_prob, bool):
                if not 0 < keep_prob <= 1:
                    raise ValueError("keep_prob must be a scalar tensor or a float in the range (0, 1], got %g"
                                     % keep_prob)
                if keep_prob == 1:
                    from .control import identity
                    return identity(x, name=scope)
            keep = convert_to_tensor(keep_prob, dtype=None if isinstance(keep_prob, Tensor) else x.dtype,
                                     name="keep_prob")
        else:
            if isinstance(rate, numbers.Real) and not isinstance(rate, bool):
                if not 0 <= rate < 1:
                    raise ValueError("rate must be a scalar tensor or a float in the range [0, 1), got %g"
                                     % rate)
                if rate == 0:
                    from .control import identity
                    return identity(x, name=scope)
                keep = convert_to_tensor(1.0 - rate, dtype=x.dtype, name="keep_prob")
            else:
                from .math import subtract
                rate = convert_to_tensor(rate, name="rate")
                keep = subtract(convert_to_tensor(1.0, dtype=rate.dtype), rate)
        if keep.dtype is not x.dtype:
            from .math import cast
            keep = cast(keep, x.dtype)
        inputs = [x, keep]
        if noise_shape is not None:
            from .array import _shape_tensor
            inputs.append(_shape_tensor(noise_shape))
        seed1, seed2 = _get_seed(x.graph, seed)
        op = make_op("Dropout", inputs, {"seed": seed1, "seed2": seed2}, name=scope)
        return op.outputs[0]


# --- normalization and statistics ----------------------------------------------------------------
def _axes_list(axis, rank, what="axis"):
    if axis is None:
        return tuple(range(rank)) if rank is not None else None
    if isinstance(axis, Tensor):
        from .array import _static_int_list
        known = _static_int_list(axis)
        if known is None:
            raise ValueError("%s must be a constant, got %s" % (what, axis))
        axis = known
    if isinstance(axis, (int, np.integer)):
        axis = [axis]
    return tuple(sorted({_normalize_axis(a, rank, what) for a in axis}))


@register
class L2Normalize(OpDef):
    """x / sqrt(max(sum(x ** 2, axis), epsilon))."""

    def infer(self, op):
        x = op.inputs[0]
        _float_input(x, "l2_normalize", "x")
        return [(x.dtype, x.shape)]

    def kernel(self, op, ctx):
        axis = op.attrs["axis"]
        dtype = op.inputs[0].dtype.np.type
        eps, one = dtype(op.attrs["epsilon"]), dtype(1)

        def l2_normalize(x):
            norm = np.sum(np.square(x), axis=axis, keepdims=True)
            np.maximum(norm, eps, out=norm)
            return x * (one / np.sqrt(norm))
        return l2_normalize

    def grad(self, op, dy):
        return [make_tensor("L2NormalizeGrad", [dy, op.inputs[0]], dict(op.attrs), name="L2NormalizeGrad")]


@register
class L2NormalizeGrad(_ElementwiseGrad):
    """(dy - y * sum(dy * y, axis)) / n where the squared norm exceeds epsilon, dy / n otherwise."""

    def kernel(self, op, ctx):
        axis = op.attrs["axis"]
        dtype = op.inputs[0].dtype.np.type
        eps, one = dtype(op.attrs["epsilon"]), dtype(1)

        def l2_normalize_grad(dy, x):
            squared = np.sum(np.square(x), axis=axis, keepdims=True)
            active = squared > eps
            inv = one / np.sqrt(np.maximum(squared, eps))
            y = x * inv
            dot = np.sum(dy * y, axis=axis, keepdims=True) * active
            return (dy - y * dot) * inv
        return l2_normalize_grad


def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None):
    """`tf.nn.l2_normalize(x, axis=None, epsilon=1e-12)`: x / sqrt(max(sum(x ** 2, axis), epsilon));
    axis None normalizes over all of x (`dim` is the deprecated alias)."""
    if axis is not None and dim is not None:
        raise ValueError("Cannot specify both 'axis' and 'dim'.")
    axis = dim if axis is None else axis
    x = _float_input(x, "l2_normalize", "x")
    if axis is None and x.shape.ndims is None:
        raise ValueError("l2_normalize over all axes needs a tensor of known rank")
    axes = _axes_list(axis, x.shape.ndims)
    return make_tensor("L2Normalize", [x], {"axis": axes, "epsilon": float(epsilon)},
                       name=name or "l2_normalize")


def _reduced_shape(shape, axes, keep_dims):
    if shape.ndims is None:
        return TensorShape(None)
    dims = list(shape)
    if keep_dims:
        return TensorShape([1 if i in axes else d for i, d in enumerate(dims)])
    return TensorShape([d for i, d in enumerate(dims) if i not in axes])


@register
class Moments(OpDef):
    """(mean, variance) of x over `axes`."""

    def infer(self, op):
        x = op.inputs[0]
        _float_input(x, "moments", "x")
        shape = _reduced_shape(x.shape, op.attrs["axes"], op.attrs["keep_dims"])
        return [(x.dtype, shape), (x.dtype, shape)]

    def kernel(self, op, ctx):
        axes, keep = op.attrs["axes"], op.attrs["keep_dims"]
        dtype = op.inputs[0].dtype.np.type
        work = np.float32 if dtype == np.float16 else dtype
        xp = ctx.xp

        def moments(x):
            xw = x.astype(work, copy=False)
            mean = np.mean(xw, axis=axes, keepdims=True)
            centered = xw - mean
            np.square(centered, out=centered)
            variance = np.mean(centered, axis=axes, keepdims=keep)
            if not keep:
                mean = np.squeeze(mean, axis=axes)
            return xp.asarray(mean, dtype=dtype), xp.asarray(variance, dtype=dtype)
        return moments

    def grad(self, op, dmean, dvariance):
        return [make_tensor("MomentsGrad", [op.inputs[0], dmean, dvariance], dict(op.attrs),
                            name="MomentsGrad")]


@register
class MomentsGrad(OpDef):
    """dmean / N + dvariance * 2 * (x - mean) / N, N the number of reduced elements."""

    def infer(self, op):
        x = op.inputs[0]
        return [(x.dtype, x.shape)]

    def kernel(self, op, ctx):
        axes, keep = op.attrs["axes"], op.attrs["keep_dims"]
        dtype = op.inputs[0].dtype.np.type

        def moments_grad(x, dmean, dvariance):
            count = 1
            for a in axes:
                count *= x.shape[a]
            if not keep:
                dmean = np.expand_dims(dmean, axes)
                dvariance = np.expand_dims(dvariance, axes)
            mean = np.mean(x, axis=axes, keepdims=True)
            out = (x - mean) * (dvariance * dtype(2.0 / max(count, 1)))
            out += dmean / dtype(max(count, 1))
            return out.astype(dtype, copy=False)
        return moments_grad


def moments(x, axes, shift=None, name=None, keep_dims=None, keepdims=None):
    """`tf.nn.moments(x, axes, keep_dims=False)`: (mean, variance) of x over `axes`."""
    if keep_dims is not None and keepdims is not None:
        raise ValueError("Cannot specify both 'keep_dims' and 'keepdims'.")
    keep = bool(keepdims if keep_dims is None else keep_dims)
    with name_scope(name, "moments", [x, axes]) as scope:
        x = _float_input(x, "moments", "x")
        if x.shape.ndims is None:
            raise ValueError("moments needs a tensor of known rank")
        axes = _axes_list(axes, x.shape.ndims, "axes")
        op = make_op("Moments", [x], {"axes": axes, "keep_dims": keep}, name=scope)
        return op.outputs[0], op.outputs[1]


def sufficient_statistics(x, axes, shift=None, keep_dims=False, name=None, keepdims=None):
    """`tf.nn.sufficient_statistics(x, axes)`: (count, sum(x), sum(x ** 2), None) over `axes`."""
    from .math import reduce_sum, square
    keep = bool(keepdims if keepdims is not None else keep_dims)
    with name_scope(name, "sufficient_statistics", [x]):
        x = _float_input(x, "sufficient_statistics", "x")
        axes = _axes_list(axes, x.shape.ndims, "axes")
        if x.shape.is_fully_defined():
            count = 1
            for a in axes:
                count *= x.shape[a].value
            from .constant import constant
            counts = constant(count, dtype=x.dtype, name="count")
        else:
            from .array import shape as shape_of, gather
            from .math import cast, reduce_prod
            counts = cast(reduce_prod(gather(shape_of(x), list(axes))), x.dtype, name="count")
        return counts, reduce_sum(x, list(axes), keepdims=keep), \
            reduce_sum(square(x), list(axes), keepdims=keep), None


def normalize_moments(counts, mean_ss, variance_ss, shift, name=None):
    """`tf.nn.normalize_moments(counts, mean_ss, variance_ss, shift)`: (mean, variance) from sufficient
    statistics."""
    from .math import multiply, square, subtract
    from .math import divide
    with name_scope(name, "normalize", [counts, mean_ss, variance_ss]):
        divisor = divide(1.0, counts)
        mean = multiply(mean_ss, divisor)
        variance = subtract(multiply(variance_ss, divisor), square(mean))
        if shift is not None:
            from .math import add
            mean = add(mean, shift)
        return mean, variance


def batch_normalization(x, mean, variance, offset, scale, variance_epsilon, name=None):
    """`tf.nn.batch_normalization(x, mean, variance, offset, scale, variance_epsilon)`:
    scale * (x - mean) / sqrt(variance + variance_epsilon) + offset (offset/scale may be None)."""
    from .math import add, multiply, negative, rsqrt, subtract
    with name_scope(name, "batchnorm", [x, mean, variance, scale, offset]):
        inv = rsqrt(add(variance, variance_epsilon))
        if scale is not None:
            inv = multiply(inv, scale)
        shifted = subtract(offset, multiply(mean, inv)) if offset is not None else \
            negative(multiply(mean, inv))
        return add(multiply(x, inv), shifted)


def zero_fraction(value, name=None):
    """`tf.nn.zero_fraction(value)`: the fraction of zeros in value, a float32 scalar."""
    return make_tensor("ZeroFraction", [convert_to_tensor(value, name="value")], name=name or "zero_fraction")


@register
class ZeroFraction(OpDef):
    """The fraction of elements equal to zero."""

    differentiable = False

    def infer(self, op):
        return [(dtypes.float32, TensorShape([]))]

    def kernel(self, op, ctx):
        xp = ctx.xp

        def zero_fraction(value):
            size = np.size(value)
            return np.float32(0.0 if size == 0 else (size - np.count_nonzero(value)) / size)

        def zero_fraction_on_device(value):
            size = value.size
            return xp.asarray(0.0 if size == 0 else (size - xp.count_nonzero(value)) / size, dtype=np.float32)
        return zero_fraction if xp is np else zero_fraction_on_device


# --- top_k / in_top_k ----------------------------------------------------------------------------
def _const_int(tensor):
    if tensor.op.type == "Const":
        value = np.asarray(tensor.op.attrs["value"])
        if value.ndim == 0:
            return int(value)
    return None


@register
class TopKV2(OpDef):
    """(values, indices) of the k largest entries along the last axis, largest first; ties keep the
    lower index first. NaN ranks above every number (so values[..., 0] is NaN exactly where reduce_max
    is): TF's own order for NaN depends on its sorting algorithm and k, and is not even a consistent
    ranking (it can skip a larger number), so numflow keeps the one consistent order."""

    host_inputs = (1,)      # k: a Python int

    def infer(self, op):
        x, k = op.inputs
        _check_real(x, "TopKV2", "input")
        if k.shape.ndims not in (None, 0):
            raise ValueError("Shape must be rank 0 but is rank %d for k" % k.shape.ndims)
        if x.shape.ndims == 0:
            raise ValueError("Shape must be at least rank 1 but is rank 0")
        kval = _const_int(k)
        if kval is not None and kval < 0:
            raise ValueError("Need k >= 0, got %d" % kval)
        if x.shape.ndims is None:
            return [(x.dtype, TensorShape(None)), (dtypes.int32, TensorShape(None))]
        last = x.shape[-1].value
        if kval is not None and last is not None and last < kval:
            raise ValueError("input must have at least k columns. Had %d, needed %d" % (last, kval))
        shape = TensorShape(list(x.shape)[:-1] + [kval])
        return [(x.dtype, shape), (dtypes.int32, shape)]

    def kernel(self, op, ctx):
        def top_k(x, k):
            k = int(k)
            columns = x.shape[-1]
            if k < 0:
                raise errors.InvalidArgumentError(None, op, "Need k >= 0, got %d" % k)
            if columns < k:
                raise errors.InvalidArgumentError(
                    None, op, "input must have at least k columns. Had %d, needed %d" % (columns, k))
            # A stable ascending sort of the reversed row, read backwards: largest first, and equal
            # values in ascending original index.
            order = np.argsort(x[..., ::-1], axis=-1, kind="stable")[..., ::-1][..., :k]
            indices = columns - 1 - order
            values = np.take_along_axis(x, indices, axis=-1)
            return values, indices.astype(np.int32)
        return top_k

    def grad(self, op, dvalues, dindices):
        return [make_tensor("TopKGrad", [dvalues, op.outputs[1], op.inputs[0]], name="TopKGrad"), None]


@register
class TopKGrad(OpDef):
    """dvalues scattered to the positions top_k took them from, zeros elsewhere."""

    def infer(self, op):
        return [(op.inputs[0].dtype, op.inputs[2].shape)]

    def kernel(self, op, ctx):
        dtype = op.inputs[0].dtype.np.type
        xp = ctx.xp

        def top_k_grad(dvalues, indices, x):
            out = np.zeros(np.shape(x), dtype=dtype)
            np.put_along_axis(out, indices.astype(np.intp), dvalues, axis=-1)
            return out

        def top_k_grad_on_device(dvalues, indices, x):
            # put_along_axis as one fancy-index assignment (each row's indices are distinct).
            out = xp.zeros(x.shape, dtype=dtype)
            k = indices.shape[-1]
            if out.size and k:
                flat = out.reshape(-1, x.shape[-1])
                rows = xp.arange(flat.shape[0])[:, None]
                flat[rows, indices.reshape(-1, k)] = dvalues.reshape(-1, k)
            return out
        return top_k_grad if xp is np else top_k_grad_on_device


TopKResult = collections.namedtuple("TopKV2", ["values", "indices"])


def top_k(input, k=1, sorted=True, name=None):  # noqa: A002 - TF's argument names
    """`tf.nn.top_k(input, k=1, sorted=True)`: (values, indices) of the k largest entries along the last
    axis, largest first; equal values keep the lower index first, and NaN ranks above every number.
    indices are int32."""
    x = convert_to_tensor(input, name="input")
    k = convert_to_tensor(k, dtype=None if isinstance(k, Tensor) else dtypes.int32, name="k")
    op = make_op("TopKV2", [x, k], {"sorted": bool(sorted)}, name=name or "TopKV2")
    return TopKResult(op.outputs[0], op.outputs[1])


@register
class InTopKV2(OpDef):
    """Whether predictions[i, targets[i]] is among the k largest of predictions[i] (ties count in)."""

    differentiable = False

    def infer(self, op):
        predictions, targets, k = op.inputs
        if not predictions.dtype.is_floating:
            raise TypeError("Value passed to parameter 'predictions' has DataType %s not in list of allowed "
                            "values: float32" % predictions.dtype.name)
        if targets.dtype not in (dtypes.int32, dtypes.int64):
            raise TypeError("Value passed to parameter 'targets' has DataType %s not in list of allowed "
                            "values: int32, int64" % targets.dtype.name)
        if predictions.shape.ndims is not None and predictions.shape.ndims != 2:
            raise ValueError("Shape must be rank 2 but is rank %d for predictions" % predictions.shape.ndims)
        if targets.shape.ndims is not None and targets.shape.ndims != 1:
            raise ValueError("Shape must be rank 1 but is rank %d for targets" % targets.shape.ndims)
        batch = predictions.shape.with_rank(2)[0] if predictions.shape.ndims is not None else None
        tbatch = targets.shape[0] if targets.shape.ndims is not None else None
        if batch is not None and tbatch is not None:
            if not batch.is_compatible_with(tbatch):
                raise ValueError("Dimensions must be equal, but are %s and %s" % (batch, tbatch))
            batch = batch.merge_with(tbatch)
        return [(dtypes.bool, TensorShape([batch if batch is not None else tbatch]))]

    host_inputs = (2,)      # k: a Python int

    def kernel(self, op, ctx):
        xp = ctx.xp

        def in_top_k(predictions, targets, k):
            n, classes = predictions.shape
            k = int(k)
            valid = (targets >= 0) & (targets < classes)
            safe = np.where(valid, targets, 0)
            target_values = predictions[xp.arange(n), safe]
            greater = np.sum(predictions > target_values[:, None], axis=1)
            return valid & np.isfinite(target_values) & (greater < k)
        return in_top_k


def in_top_k(predictions, targets, k, name=None):
    """`tf.nn.in_top_k(predictions, targets, k)`: a bool vector, True where the target class's prediction
    is among the k largest of its row (ties with the k-th largest count as in)."""
    predictions = convert_to_tensor(predictions, name="predictions")
    targets = convert_to_tensor(targets, name="targets")
    k = convert_to_tensor(k, dtype=None if isinstance(k, Tensor) else targets.dtype, name="k")
    return make_tensor("InTopKV2", [predictions, targets, k], name=name or "in_top_k")


# --- embeddings ----------------------------------------------------------------------------------
def _partition_ids(ids, sizes, strategy):
    """(partition of each id, id within its partition) for 'mod' or 'div' sharding."""
    n = len(sizes)
    if strategy == "mod":
        return ids % n, ids // n
    total = int(sum(sizes))
    per, extras = divmod(total, n)
    threshold = extras * (per + 1)
    low = ids < threshold
    part = np.where(low, ids // (per + 1), extras + (ids - threshold) // max(per, 1))
    new_ids = np.where(low, ids - part * (per + 1), ids - threshold - (part - extras) * per)
    return part, new_ids


@register
class ShardedGather(OpDef):
    """Rows of a table split over several params tensors, gathered by global ids."""

    def infer(self, op):
        ids, params = op.inputs[0], op.inputs[1:]
        first = params[0]
        inner = first.shape[1:] if first.shape.ndims is not None else TensorShape(None)
        for p in params[1:]:
            if p.dtype is not first.dtype:
                raise TypeError("All params must share one dtype: %s vs %s" % (first.dtype.name, p.dtype.name))
            if p.shape.ndims is not None:
                inner = inner.merge_with(p.shape[1:])
        return [(first.dtype, ids.shape.concatenate(inner))]

    def kernel(self, op, ctx):
        strategy = op.attrs["partition_strategy"]
        xp = ctx.xp

        def sharded_gather(ids, *params):
            sizes = [p.shape[0] for p in params]
            flat = np.reshape(ids, -1).astype(np.int64)
            part, local = _partition_ids(flat, sizes, strategy)
            out = xp.empty((flat.size,) + params[0].shape[1:], dtype=params[0].dtype)
            for index, p in enumerate(params):
                where = part == index
                if np.any(where):
                    rows = local[where]
                    if rows.size and (rows.min() < 0 or rows.max() >= p.shape[0]):
                        raise errors.InvalidArgumentError(
                            None, op, "indices[%d] = %d is not in [0, %d)"
                            % (int(np.argmax(where)), int(flat[where][0]), sum(sizes)))
                    out[where] = p[rows]
            if flat.size and (part.min() < 0 or part.max() >= len(params)):
                raise errors.InvalidArgumentError(None, op, "ids out of range: %s" % flat)
            return out.reshape(np.shape(ids) + params[0].shape[1:])
        return sharded_gather

    def grad(self, op, dy):
        return [None] + _sharded_rows_gradients(op, dy)


def _sharded_rows_gradients(op, dy):
    """One IndexedSlices per params shard of a ShardedGather (as TF's partitioned lookup gives): the rows
    of dy whose ids fall in that shard, at their ids within it, computed with the same 'mod' / 'div'
    arithmetic as `_partition_ids`."""
    from ..framework.indexed_slices import IndexedSlices
    from . import array, math as math_ops, segment_ops
    ids, params = op.inputs[0], list(op.inputs[1:])
    count = len(params)
    flat_ids = array.reshape(ids, [-1])
    if op.attrs["partition_strategy"] == "mod":
        shard, local = math_ops.floormod(flat_ids, count), math_ops.floordiv(flat_ids, count)
    else:
        total = math_ops.add_n([array.shape(p, out_type=ids.dtype)[0] for p in params])
        per, extras = math_ops.floordiv(total, count), math_ops.floormod(total, count)
        threshold = extras * (per + 1)
        low = math_ops.less(flat_ids, threshold)
        shard = math_ops.where(low, math_ops.floordiv(flat_ids, per + 1),
                               extras + math_ops.floordiv(flat_ids - threshold, math_ops.maximum(per, 1)))
        local = math_ops.where(low, flat_ids - shard * (per + 1), flat_ids - threshold - (shard - extras) * per)
    shard = math_ops.cast(shard, dtypes.int32)
    row_shape = params[0].shape[1:] if params[0].shape.ndims is not None else None
    if row_shape is not None and row_shape.is_fully_defined():
        rows = array.reshape(dy, [-1] + row_shape.as_list()) if row_shape.num_elements() else \
            array.reshape(dy, array.concat([array.reshape(array.size(ids), [1]), row_shape.as_list()], 0))
    else:
        rows = array.reshape(dy, array.concat([array.reshape(array.size(ids), [1]), array.shape(params[0])[1:]], 0))
    shard_rows = segment_ops.dynamic_partition(rows, shard, count)
    shard_ids = segment_ops.dynamic_partition(local, shard, count)
    return [IndexedSlices(values, indices, array.shape(p))
            for values, indices, p in zip(shard_rows, shard_ids, params)]


def embedding_lookup(params, ids, partition_strategy="mod", name=None, validate_indices=True,
                     max_norm=None):
    """`tf.nn.embedding_lookup(params, ids, partition_strategy='mod', max_norm=None)`: the rows of
    `params` at `ids` (a gather). `params` may be a list of shards split by 'mod' (id % n) or 'div'
    (contiguous ranges); with `max_norm`, rows whose l2 norm exceeds it are scaled down to it."""
    if partition_strategy not in ("mod", "div"):
        raise ValueError("Unrecognized partition strategy: " + str(partition_strategy))
    if params is None or (isinstance(params, (list, tuple)) and not params):
        raise ValueError("Need at least one param")
    if not isinstance(params, (list, tuple)):
        params = [params]
    with name_scope(name, "embedding_lookup", list(params) + [ids]) as scope:
        params = [p._as_tensor() if hasattr(p, "_as_tensor") else convert_to_tensor(p, name="params")
                  for p in params]
        ids = convert_to_tensor(ids, name="ids")
        if ids.dtype not in (dtypes.int32, dtypes.int64):
            raise TypeError("ids must be int32 or int64, got %s" % ids.dtype.name)
        if len(params) == 1:
            from .array import gather
            result = gather(params[0], ids, name=scope if max_norm is None else None)
        else:
            result = make_tensor("ShardedGather", [ids] + params, {"partition_strategy": partition_strategy},
                                 name=scope if max_norm is None else None)
        if max_norm is not None:
            from .math import divide, maximum, multiply, reduce_sum, sqrt, square
            rank = result.shape.ndims
            axes = list(range(ids.shape.ndims, rank)) if rank is not None and ids.shape.ndims is not None \
                else [-1]
            norms = sqrt(reduce_sum(square(result), axis=axes, keepdims=True))
            result = divide(multiply(result, float(max_norm)), maximum(norms, float(max_norm)), name=scope)
        return result


# --- local response normalization ------------------------------------------------------------------
def _window_sum(values, radius, xp=np):
    """Sum over channel windows [d - radius, d + radius] (clipped at the edges) of the last axis."""
    cumulative = np.cumsum(values, axis=-1, dtype=values.dtype)
    depth = values.shape[-1]
    upper = cumulative[..., np.minimum(xp.arange(depth) + radius, depth - 1)]
    lower_index = xp.arange(depth) - radius - 1
    lower = np.where(lower_index >= 0, cumulative[..., np.maximum(lower_index, 0)], 0).astype(values.dtype)
    return upper - lower


@register
class LRN(OpDef):
    """input / (bias + alpha * sum of squares over a window of depth_radius channels each side) ** beta."""

    def infer(self, op):
        x = op.inputs[0]
        _check_real(x, "LRN")
        if x.shape.ndims not in (None, 4):
            raise ValueError("Shape must be rank 4 but is rank %d for 'LRN' (input shape %s)"
                             % (x.shape.ndims, format_shape(x.shape)))
        return [(x.dtype, x.shape)]

    def kernel(self, op, ctx):
        radius, bias, alpha, beta = (op.attrs[k] for k in ("depth_radius", "bias", "alpha", "beta"))
        xp = ctx.xp

        def lrn(x):
            scale = _window_sum(np.square(x), radius, xp) * x.dtype.type(alpha) + x.dtype.type(bias)
            return x * np.power(scale, x.dtype.type(-beta))
        return lrn

    def grad(self, op, dy):
        return [make_tensor("LRNGrad", [dy, op.inputs[0]], dict(op.attrs), name="LRNGrad")]


@register
class LRNGrad(OpDef):
    """The gradient of LRN with respect to its input (no second-order gradient)."""

    def infer(self, op):
        return [(op.inputs[1].dtype, op.inputs[1].shape)]

    def kernel(self, op, ctx):
        radius, bias, alpha, beta = (op.attrs[k] for k in ("depth_radius", "bias", "alpha", "beta"))
        xp = ctx.xp

        def lrn_grad(dy, x):
            t = x.dtype.type
            scale = _window_sum(np.square(x), radius, xp) * t(alpha) + t(bias)
            # d out_j / d x_i = [i == j] scale_j^-beta - 2 alpha beta x_i x_j scale_j^(-beta-1), i in window(j)
            inner = dy * x * np.power(scale, t(-beta - 1))
            return dy * np.power(scale, t(-beta)) - t(2 * alpha * beta) * x * _window_sum(inner, radius, xp)
        return lrn_grad


def local_response_normalization(input, depth_radius=5, bias=1.0, alpha=1.0, beta=0.5, name=None):  # noqa: A002
    """`tf.nn.local_response_normalization` / `tf.nn.lrn(input, depth_radius=5, bias=1, alpha=1, beta=0.5)`:
    each value divided by (bias + alpha * the sum of squares of the `depth_radius` channels on each side,
    itself included) ** beta, over the last axis of a 4-D input."""
    return make_tensor("LRN", [convert_to_tensor(input)],
                       {"depth_radius": int(depth_radius), "bias": float(bias), "alpha": float(alpha),
                        "beta": float(beta)}, name=name or "LRN")


lrn = local_response_normalization
__all__ += ["local_response_normalization", "lrn"]
