"""More of `tf.nn` and the space-to-batch family of `tf`: space_to_batch(_nd) / batch_to_space(_nd),
with_space_to_batch, dilation2d / erosion2d, weighted_moments, batch_norm_with_global_normalization,
embedding_lookup_sparse, sampled losses (nce_loss, sampled_softmax_loss), collapse_repeated and the
small helpers (silu, compute_average_loss, scale_regularization_loss, approx_max_k ...).

Ops are OpDef subclasses beside the functions that build them; losses and lookups are compositions of
existing ops, so their gradients come from those ops.
"""
import numpy as np

from ..framework import dtypes, errors
from ..framework.graph import Tensor, convert_to_tensor, name_scope
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape
from .common import make_op, make_tensor

__all__ = ["space_to_batch", "space_to_batch_nd", "batch_to_space", "batch_to_space_nd",
           "required_space_to_batch_paddings", "with_space_to_batch", "dilation2d", "erosion2d",
           "weighted_moments", "batch_norm_with_global_normalization", "silu", "compute_average_loss",
           "scale_regularization_loss", "approx_max_k", "approx_min_k", "collapse_repeated",
           "embedding_lookup_sparse", "safe_embedding_lookup_sparse", "nce_loss", "sampled_softmax_loss",
           "ctc_unique_labels"]


# --- space_to_batch / batch_to_space -------------------------------------------------------------
def _const_value(tensor):
    """The value of a constant tensor, else None."""
    if tensor.op.type == "Const":
        return np.asarray(tensor.op.attrs["value"])
    return None


def _block_and_pairs(block_shape, pairs, what):
    """ValueError unless block_shape is [M] (entries >= 1) and `pairs` is [M, 2] (entries >= 0)."""
    block_shape = np.asarray(block_shape).astype(np.int64)
    pairs = np.asarray(pairs).astype(np.int64)
    if block_shape.ndim != 1:
        raise ValueError("block_shape must be 1-D, got shape %s" % (list(block_shape.shape),))
    if pairs.shape != (block_shape.size, 2):
        raise ValueError("%s must have shape [%d, 2], got %s" % (what, block_shape.size, list(pairs.shape)))
    if np.any(block_shape < 1):
        raise ValueError("block_shape must be positive, got %s" % block_shape.tolist())
    if np.any(pairs < 0):
        raise ValueError("%s must be non-negative, got %s" % (what, pairs.tolist()))
    return block_shape, pairs


class _SpaceBatchBase(OpDef):
    """Shape rules of SpaceToBatchND / BatchToSpaceND (block_shape and paddings/crops are inputs)."""

    to_batch = True
    host_inputs = (1, 2)    # block_shape and paddings/crops: read as Python ints

    def infer(self, op):
        x, block, pairs = op.inputs
        for t, label in ((block, "block_shape"), (pairs, "paddings" if self.to_batch else "crops")):
            if not t.dtype.is_integer:
                raise TypeError("%s must be int32 or int64, got %s" % (label, t.dtype.name))
        block_v, pairs_v = _const_value(block), _const_value(pairs)
        if x.shape.ndims is None or block_v is None or pairs_v is None:
            rank = x.shape.ndims
            return [(x.dtype, TensorShape(None if rank is None else [None] * rank))]
        block_v, pairs_v = _block_and_pairs(block_v, pairs_v, "paddings" if self.to_batch else "crops")
        m = block_v.size
        dims = x.shape.as_list()
        if len(dims) < m + 1:
            raise ValueError("input rank should be >= %d instead of %d" % (m + 1, len(dims)))
        prod = int(np.prod(block_v))
        out = list(dims)
        if self.to_batch:
            out[0] = None if dims[0] is None else dims[0] * prod
            for i in range(m):
                size = dims[i + 1]
                if size is None:
                    out[i + 1] = None
                    continue
                padded = size + int(pairs_v[i].sum())
                if padded % block_v[i]:
                    raise ValueError("padded_shape[%d]=%d is not divisible by block_shape[%d]=%d"
                                     % (i, padded, i, block_v[i]))
                out[i + 1] = padded // int(block_v[i])
        else:
            if dims[0] is not None:
                if dims[0] % prod:
                    raise ValueError("Dimension size must be evenly divisible by %d but is %d" % (prod, dims[0]))
                out[0] = dims[0] // prod
            for i in range(m):
                size = dims[i + 1]
                out[i + 1] = None if size is None else size * int(block_v[i]) - int(pairs_v[i].sum())
                if out[i + 1] is not None and out[i + 1] < 0:
                    raise ValueError("crops %s are larger than the block-expanded dimension %d"
                                     % (pairs_v[i].tolist(), size * int(block_v[i])))
        return [(x.dtype, TensorShape(out))]

    def kernel(self, op, ctx):
        label = "paddings" if self.to_batch else "crops"
        xp = ctx.xp

        def run(x, block, pairs):
            try:
                block, pairs = _block_and_pairs(block, pairs, label)
            except ValueError as error:
                raise errors.InvalidArgumentError(None, op, str(error)) from None
            return (_space_to_batch_value if self.to_batch else _batch_to_space_value)(x, block, pairs, op, xp)
        return run


def _space_to_batch_value(x, block, paddings, op, xp=np):
    m = block.size
    widths = [(0, 0)] + [tuple(int(v) for v in p) for p in paddings] + [(0, 0)] * (x.ndim - m - 1)
    padded = np.pad(x, widths) if np.any(paddings) else x
    batch, spatial, rest = padded.shape[0], padded.shape[1:m + 1], padded.shape[m + 1:]
    for i, (size, b) in enumerate(zip(spatial, block)):
        if size % b:
            raise errors.InvalidArgumentError(None, op, "padded_shape[%d]=%d is not divisible by "
                                              "block_shape[%d]=%d" % (i, size, i, b))
    split = [batch]
    for size, b in zip(spatial, block):
        split += [size // b, int(b)]
    grid = padded.reshape(split + list(rest))
    perm = [2 + 2 * i for i in range(m)] + [0] + [1 + 2 * i for i in range(m)] + \
        list(range(1 + 2 * m, grid.ndim))
    out_shape = [batch * int(np.prod(block))] + [size // b for size, b in zip(spatial, block)] + list(rest)
    return xp.ascontiguousarray(np.transpose(grid, perm)).reshape(out_shape)


def _batch_to_space_value(x, block, crops, op, xp=np):
    m = block.size
    prod = int(np.prod(block))
    if x.shape[0] % prod:
        raise errors.InvalidArgumentError(None, op, "Input batch dimension (%d) is not divisible by "
                                          "product of block sizes (%d)" % (x.shape[0], prod))
    batch = x.shape[0] // prod
    spatial, rest = x.shape[1:m + 1], x.shape[m + 1:]
    grid = x.reshape([int(b) for b in block] + [batch] + list(spatial) + list(rest))
    perm = [m]
    for i in range(m):
        perm += [m + 1 + i, i]
    perm += list(range(2 * m + 1, grid.ndim))
    full = np.transpose(grid, perm).reshape([batch] + [s * int(b) for s, b in zip(spatial, block)] + list(rest))
    index = [slice(None)] + [slice(int(c[0]), full.shape[1 + i] - int(c[1])) for i, c in enumerate(crops)]
    return xp.ascontiguousarray(full[tuple(index)])


@register
class SpaceToBatchND(_SpaceBatchBase):
    """Zero-pads the spatial dimensions and moves blocks of them into the batch dimension."""

    def grad(self, op, dy):
        return [make_tensor("BatchToSpaceND", [dy, op.inputs[1], op.inputs[2]]), None, None]


@register
class BatchToSpaceND(_SpaceBatchBase):
    """The inverse of SpaceToBatchND: batch blocks moved back into space, then cropped."""

    to_batch = False

    def grad(self, op, dy):
        return [make_tensor("SpaceToBatchND", [dy, op.inputs[1], op.inputs[2]]), None, None]


def _int_tensor(value, name):
    return value if isinstance(value, Tensor) else convert_to_tensor(np.asarray(value, dtype=np.int32)
                                                                     if not isinstance(value, np.ndarray)
                                                                     or value.dtype.kind != "i" else value,
                                                                     name=name)


def space_to_batch_nd(input, block_shape, paddings, name=None):  # noqa: A002
    """`tf.space_to_batch_nd(input, block_shape, paddings)`: zero-pads the M spatial dimensions after
    the batch by `paddings` [M, 2], then moves each block_shape block of them into the batch:
    [batch * prod(block_shape), padded_1 / block_1, ..., padded_M / block_M, remaining dims]."""
    x = convert_to_tensor(input, name="input")
    return make_tensor("SpaceToBatchND", [x, _int_tensor(block_shape, "block_shape"),
                                          _int_tensor(paddings, "paddings")], name=name or "SpaceToBatchND")


def batch_to_space_nd(input, block_shape, crops, name=None):  # noqa: A002
    """`tf.batch_to_space_nd(input, block_shape, crops)`: the inverse of space_to_batch_nd, cropping
    `crops` [M, 2] from the block-expanded spatial dimensions."""
    x = convert_to_tensor(input, name="input")
    return make_tensor("BatchToSpaceND", [x, _int_tensor(block_shape, "block_shape"),
                                          _int_tensor(crops, "crops")], name=name or "BatchToSpaceND")


def _square_block(block_size, block_shape):
    size = block_size if block_size is not None else block_shape
    if size is None:
        raise ValueError("block_size is required")
    size = int(size)
    if size < 2:
        raise ValueError("block_size should be > 1, got %d" % size)
    return [size, size]


def space_to_batch(input, paddings, block_size=None, name=None, block_shape=None):  # noqa: A002
    """`tf.space_to_batch(input, paddings, block_size)`: space_to_batch_nd of a 4-D NHWC input with a
    square `block_size` block over height and width."""
    x = convert_to_tensor(input, name="input")
    if x.shape.ndims not in (None, 4):
        raise ValueError("Shape must be rank 4 but is rank %d" % x.shape.ndims)
    return space_to_batch_nd(x, _square_block(block_size, block_shape), paddings, name=name or "SpaceToBatch")


def batch_to_space(input, crops, block_size, name=None, block_shape=None):  # noqa: A002
    """`tf.batch_to_space(input, crops, block_size)`: the inverse of space_to_batch."""
    x = convert_to_tensor(input, name="input")
    if x.shape.ndims not in (None, 4):
        raise ValueError("Shape must be rank 4 but is rank %d" % x.shape.ndims)
    return batch_to_space_nd(x, _square_block(block_size, block_shape), crops, name=name or "BatchToSpace")


def required_space_to_batch_paddings(input_shape, block_shape, base_paddings=None, name=None):
    """`tf.required_space_to_batch_paddings(input_shape, block_shape, base_paddings=None)`: (paddings,
    crops) that extend `base_paddings` at the end of each dimension just enough for block_shape to
    divide it; crops remove that extension again after batch_to_space_nd."""
    from .array import stack
    from .math import add, floormod, subtract
    with name_scope(name, "required_space_to_batch_paddings", [input_shape, block_shape]):
        values = [input_shape, block_shape] + ([] if base_paddings is None else [base_paddings])
        if not any(isinstance(v, Tensor) for v in values):
            shape = np.asarray(input_shape, dtype=np.int64)
            block = np.asarray(block_shape, dtype=np.int64)
            base = np.zeros((block.size, 2), np.int64) if base_paddings is None else \
                np.asarray(base_paddings, dtype=np.int64)
            full = shape + base[:, 0] + base[:, 1]
            extra = (block - full % block) % block
            paddings = np.stack([base[:, 0], base[:, 1] + extra], axis=1)
            crops = np.stack([np.zeros_like(extra), extra], axis=1)
            return (convert_to_tensor(paddings.astype(np.int32), name="paddings"),
                    convert_to_tensor(crops.astype(np.int32), name="crops"))
        shape = convert_to_tensor(input_shape, dtype=dtypes.int32, name="input_shape")
        block = convert_to_tensor(block_shape, dtype=dtypes.int32, name="block_shape")
        base = convert_to_tensor(np.zeros((block.shape[0].value, 2), np.int32) if base_paddings is None
                                 else base_paddings, dtype=dtypes.int32, name="base_paddings")
        start, end = base[:, 0], base[:, 1]
        extra = floormod(subtract(block, floormod(add(add(shape, start), end), block)), block)
        return (stack([start, add(end, extra)], axis=1, name="paddings"),
                stack([extra * 0, extra], axis=1, name="crops"))


def with_space_to_batch(input, dilation_rate, padding, op, filter_shape=None,  # noqa: A002
                        spatial_dims=None, data_format=None):
    """`tf.nn.with_space_to_batch(input, dilation_rate, padding, op, filter_shape=None,
    spatial_dims=None, data_format=None)`: runs `op(converted_input, num_spatial_dims, padding)` on the
    input rearranged by space_to_batch_nd with block `dilation_rate`, so a stride-1 op with 'VALID'
    padding sees taps `dilation_rate` apart; the result is rearranged back by batch_to_space_nd. 'SAME'
    padding zero-pads by (filter_shape - 1) * dilation_rate, split as TF does, and needs filter_shape."""
    from .array import shape as shape_of, gather
    x = convert_to_tensor(input, name="input")
    rates = [int(r) for r in np.reshape(dilation_rate, [-1])]
    if any(r < 1 for r in rates):
        raise ValueError("dilation_rate must be positive")
    num_spatial = len(rates)
    if spatial_dims is None:
        first = 2 if data_format is not None and str(data_format).startswith("NC") else 1
        spatial_dims = list(range(first, first + num_spatial))
    spatial_dims = [int(d) for d in spatial_dims]
    if len(spatial_dims) != num_spatial or spatial_dims != sorted(set(spatial_dims)) or spatial_dims[0] < 1:
        raise ValueError("spatial_dims must be %d ascending dimensions after the batch, got %s"
                         % (num_spatial, spatial_dims))
    padding = padding.upper() if isinstance(padding, str) else padding
    if padding not in ("SAME", "VALID"):
        raise ValueError("Invalid padding method %r" % (padding,))
    if all(r == 1 for r in rates):
        return op(x, num_spatial, padding)
    if padding == "SAME":
        if filter_shape is None:
            raise ValueError("filter_shape must be specified for SAME padding")
        total = [(int(f) - 1) * r for f, r in zip(np.reshape(filter_shape, [-1]), rates)]
        base = [[t // 2, t - t // 2] for t in total]
    else:
        base = [[0, 0]] * num_spatial
    # Dimensions between the first spatial one and the others take a block of 1.
    start = spatial_dims[0]
    covered = list(range(start, spatial_dims[-1] + 1))
    block = [rates[spatial_dims.index(d)] if d in spatial_dims else 1 for d in covered]
    base = [base[spatial_dims.index(d)] if d in spatial_dims else [0, 0] for d in covered]
    known = x.shape.ndims is not None and all(x.shape[d].value is not None for d in covered)
    sizes = [x.shape[d].value for d in covered] if known else gather(shape_of(x), covered)
    paddings, crops = required_space_to_batch_paddings(sizes, block, base)
    if start > 1:
        # space_to_batch_nd works on the dimensions right after the batch: give the others a block of 1.
        from .array import concat
        lead = np.zeros((start - 1, 2), np.int32)
        paddings = concat([lead, paddings], 0)
        crops = concat([lead, crops], 0)
        block = [1] * (start - 1) + block
    converted = space_to_batch_nd(x, block, paddings)
    result = op(converted, num_spatial, "VALID")
    return batch_to_space_nd(result, block, crops)


# --- morphological dilation / erosion -------------------------------------------------------------
def _morph_attrs(strides, rates, padding):
    from .conv import _padding_of
    strides = [int(s) for s in strides]
    rates = [int(r) for r in rates]
    if len(strides) != 4 or strides[0] != 1 or strides[3] != 1:
        raise ValueError("Dilation2D strides must be [1, stride_height, stride_width, 1], got %s" % strides)
    if len(rates) != 4 or rates[0] != 1 or rates[3] != 1:
        raise ValueError("Dilation2D rates must be [1, rate_height, rate_width, 1], got %s" % rates)
    if min(strides) < 1 or min(rates) < 1:
        raise ValueError("Dilation2D strides and rates must be >= 1, got %s and %s" % (strides, rates))
    padding = _padding_of(padding)
    if not isinstance(padding, str):
        raise ValueError("Dilation2D supports only 'SAME' or 'VALID' padding, got %r" % (padding,))
    return {"strides": strides, "rates": rates, "padding": padding}


def _morph_geometry(op, xp=np):
    from .conv import _Geometry
    return _Geometry({"strides": op.attrs["strides"], "dilations": op.attrs["rates"],
                      "padding": op.attrs["padding"], "data_format": "NHWC"}, xp=xp)


def _dilation_argmax(x, f, g):
    """(max over the window of x + filter, the window position of the first maximum, the plan)."""
    from .conv import _lowest, _pad, _window
    n, h, w, c = x.shape
    kh, kw, fc = f.shape
    if fc != c:
        raise ValueError("Dilation2D: input depth %d does not match filter depth %d" % (c, fc))
    plan = g.plan(h, w, kh, kw)
    oh, ow, pt, pb, pl, pr = plan
    padded = _pad(x, pt, pb, pl, pr, _lowest(x.dtype), g.xp)
    best = None
    where = g.xp.zeros((n, oh, ow, c), dtype=np.int64)
    for i in range(kh):
        for j in range(kw):
            value = _window(padded, i, j, oh, ow, g.sh, g.sw, g.dh, g.dw) + f[i, j]
            if best is None:
                best = value
                continue
            better = value > best
            np.copyto(best, value, where=better)
            where[better] = i * kw + j
    return best, where, plan


@register
class Dilation2D(OpDef):
    """Grayscale morphological dilation: the max over each window of input + filter, per channel."""

    def infer(self, op):
        from .conv import _check_float, _nhwc_dims, _static_out_dim
        from .common import check_same_dtype
        x, f = op.inputs
        _check_float(x, "input", self.type)
        check_same_dtype(self.type, x, f, "input", "filter")
        n, h, w, c = _nhwc_dims(x.shape, "NHWC")
        if f.shape.ndims not in (None, 3):
            raise ValueError("Dilation2D filter must be rank 3 [height, width, depth], got shape %s" % f.shape)
        kh, kw, fc = f.shape.as_list() if f.shape.ndims == 3 else [None] * 3
        if c is not None and fc is not None and c != fc:
            raise ValueError("Dilation2D: input depth %d does not match filter depth %d" % (c, fc))
        g = _morph_geometry(op)
        return [(x.dtype, TensorShape([n, _static_out_dim(g, h, kh, g.sh, g.dh, 0),
                                       _static_out_dim(g, w, kw, g.sw, g.dw, 1), c]))]

    def kernel(self, op, ctx):
        g = _morph_geometry(op, ctx.xp)
        return lambda x, f: _dilation_argmax(x, f, g)[0]

    def grad(self, op, dy):
        x, f = op.inputs
        attrs = dict(op.attrs)
        return [make_tensor("Dilation2DBackpropInput", [x, f, dy], attrs),
                make_tensor("Dilation2DBackpropFilter", [x, f, dy], attrs)]


class _DilationBackprop(OpDef):
    """Dilation2D's gradients: each output's gradient goes to the input element and filter tap that
    gave its maximum (the first in row-major window order when several tie)."""

    # No second-order gradient: tf.gradients through it raises LookupError.
    wrt_filter = False

    def infer(self, op):
        x, f, dy = op.inputs
        return [(x.dtype, (f if self.wrt_filter else x).shape)]

    def kernel(self, op, ctx):
        from .conv import _unpad, _window
        g = _morph_geometry(op, ctx.xp)
        xp = g.xp
        wrt_filter = self.wrt_filter

        def backprop(x, f, dy):
            best, where, (oh, ow, pt, pb, pl, pr) = _dilation_argmax(x, f, g)
            if dy.shape != best.shape:
                raise errors.InvalidArgumentError(None, op, "out_backprop shape %s does not match the "
                                                  "output shape %s" % (list(dy.shape), list(best.shape)))
            kh, kw = f.shape[:2]
            if wrt_filter:
                df = xp.empty(f.shape, dtype=dy.dtype)
                for index in range(kh * kw):
                    df[divmod(index, kw)] = np.sum(dy * (where == index), axis=(0, 1, 2))
                return df
            n, h, w, c = x.shape
            dxp = xp.zeros((n, h + pt + pb, w + pl + pr, c), dtype=dy.dtype)
            for index in range(kh * kw):
                i, j = divmod(index, kw)
                view = _window(dxp, i, j, oh, ow, g.sh, g.sw, g.dh, g.dw)
                view += dy * (where == index)
            return _unpad(dxp, pt, pl, h, w, xp)
        return backprop


@register
class Dilation2DBackpropInput(_DilationBackprop):
    """The gradient of Dilation2D with respect to its input."""


@register
class Dilation2DBackpropFilter(_DilationBackprop):
    """The gradient of Dilation2D with respect to its filter."""

    wrt_filter = True


def dilation2d(input=None, filter=None, strides=None, rates=None, padding=None, name=None,  # noqa: A002
               filters=None, dilations=None, data_format="NHWC"):
    """`tf.nn.dilation2d(input, filter, strides, rates, padding)`: grayscale morphological dilation
    of a 4-D NHWC `input` by a 3-D `filter` [filter_height, filter_width, depth]:
    out[b, y, x, c] = max over (dy, dx) of input[b, y*sh + dy*rh, x*sw + dx*rw, c] + filter[dy, dx, c]
    (positions outside the input are skipped). `strides` and `rates` are [1, h, w, 1]."""
    filter = filter if filter is not None else filters
    rates = rates if rates is not None else dilations
    if data_format != "NHWC":
        raise ValueError("Data formats other than NHWC are not supported")
    attrs = _morph_attrs(strides, rates, padding)
    x = convert_to_tensor(input, name="input")
    f = convert_to_tensor(filter, dtype=x.dtype if not isinstance(filter, Tensor) else None, name="filter")
    return make_tensor("Dilation2D", [x, f], attrs, name=name or "dilation2d")


def erosion2d(value, kernel, strides, rates, padding, name=None):
    """`tf.nn.erosion2d(value, kernel, strides, rates, padding)`: grayscale morphological erosion,
    out[b, y, x, c] = min over (dy, dx) of value[b, y*sh + dy*rh, x*sw + dx*rw, c] - kernel[dy, dx, c];
    the dual of dilation2d (-dilation2d(-value, reversed kernel))."""
    from .array import reverse
    from .math import negative
    with name_scope(name, "erosion2d", [value, kernel]) as scope:
        x = convert_to_tensor(value, name="value")
        k = convert_to_tensor(kernel, dtype=x.dtype if not isinstance(kernel, Tensor) else None, name="kernel")
        return negative(dilation2d(negative(x), reverse(k, [0, 1]), strides, rates, padding), name=scope)


# --- moments and batch normalization ---------------------------------------------------------------
def weighted_moments(x, axes, frequency_weights, name=None, keep_dims=None, keepdims=None):
    """`tf.nn.weighted_moments(x, axes, frequency_weights, keep_dims=False)`: (mean, variance) of x
    over `axes` with each element counted `frequency_weights` times (weights broadcast against x):
    mean = sum(w * x) / sum(w), variance = sum(w * (x - mean) ** 2) / sum(w)."""
    from .array import squeeze, zeros_like
    from .math import add, cast, divide, multiply, reduce_sum, squared_difference
    if keep_dims is not None and keepdims is not None:
        raise ValueError("Cannot specify both 'keep_dims' and 'keepdims'.")
    keep = bool(keepdims if keep_dims is None else keep_dims)
    with name_scope(name, "weighted_moments", [x, frequency_weights, axes]):
        x = convert_to_tensor(x, name="x")
        weights = convert_to_tensor(frequency_weights, name="frequency_weights")
        original = x.dtype
        if original is dtypes.float16:   # sums of many float16 values lose too much
            x = cast(x, dtypes.float32)
        if weights.dtype is not x.dtype:
            weights = cast(weights, x.dtype)
        axes = [int(a) for a in np.reshape(axes, [-1])]
        weighted_sum = reduce_sum(multiply(weights, x), axes, keepdims=True)
        weight_sum = reduce_sum(add(weights, zeros_like(x)), axes, keepdims=True)
        mean = divide(weighted_sum, weight_sum)
        variance = divide(reduce_sum(multiply(weights, squared_difference(x, mean)), axes, keepdims=True),
                          weight_sum)
        if not keep:
            mean, variance = squeeze(mean, axes), squeeze(variance, axes)
        if original is dtypes.float16:
            mean, variance = cast(mean, original), cast(variance, original)
        return mean, variance


def batch_norm_with_global_normalization(t=None, m=None, v=None, beta=None, gamma=None,
                                         variance_epsilon=None, scale_after_normalization=None, name=None,
                                         input=None, mean=None, variance=None):  # noqa: A002
    """`tf.nn.batch_norm_with_global_normalization(t, m, v, beta, gamma, variance_epsilon,
    scale_after_normalization)`: (t - m) / sqrt(v + variance_epsilon), times gamma when
    scale_after_normalization, plus beta (m, v, beta, gamma: 1-D over the last dimension)."""
    from .nn import batch_normalization
    t = t if t is not None else input
    m = m if m is not None else mean
    v = v if v is not None else variance
    if variance_epsilon is None or scale_after_normalization is None:
        raise ValueError("variance_epsilon and scale_after_normalization are required")
    return batch_normalization(t, m, v, beta, gamma if scale_after_normalization else None,
                               variance_epsilon, name=name or "batchnorm")


# --- small helpers -----------------------------------------------------------------------------------
def silu(features, beta=1.0, name=None):
    """`tf.nn.silu(features, beta=1.0)`: features * sigmoid(beta * features) (swish)."""
    from .math import multiply, sigmoid
    from .nn import swish
    if not isinstance(beta, Tensor) and float(beta) == 1.0:
        return swish(features, name=name or "silu")
    with name_scope(name, "silu", [features, beta]) as scope:
        x = convert_to_tensor(features, name="features")
        beta = convert_to_tensor(beta, dtype=x.dtype, name="beta")
        return multiply(x, sigmoid(multiply(beta, x)), name=scope)


def compute_average_loss(per_example_loss, sample_weight=None, global_batch_size=None, name=None):
    """`tf.nn.compute_average_loss(per_example_loss, sample_weight=None, global_batch_size=None)`: the
    sum of the (weighted) per-example losses divided by the global batch size (by default the size of
    the first dimension: numflow runs one replica)."""
    from .array import shape as shape_of
    from .math import cast, divide, multiply, reduce_sum
    with name_scope(name, "compute_average_loss", [per_example_loss]):
        loss = convert_to_tensor(per_example_loss, name="per_example_loss")
        if loss.shape.ndims == 0:
            raise ValueError("Invalid value passed for `per_example_loss`. Expected a tensor with at least "
                             "rank 1. Received per_example_loss=%s with rank 0" % loss)
        if sample_weight is not None:
            loss = multiply(loss, convert_to_tensor(sample_weight, dtype=loss.dtype, name="sample_weight"))
        if global_batch_size is None:
            global_batch_size = shape_of(loss, out_type=dtypes.int64)[0]
        size = cast(convert_to_tensor(global_batch_size, name="global_batch_size"), loss.dtype)
        return divide(reduce_sum(loss), size)


def scale_regularization_loss(regularization_loss, name=None):
    """`tf.nn.scale_regularization_loss(regularization_loss)`: the (summed, if a list) regularization
    loss divided by the number of replicas, which is 1 in numflow."""
    from .math import add_n
    with name_scope(name, "scale_regularization_loss", []):
        if isinstance(regularization_loss, (list, tuple)):
            return add_n([convert_to_tensor(r) for r in regularization_loss])
        return convert_to_tensor(regularization_loss, name="regularization_loss") * 1


def _top_k_along(operand, k, dimension, largest, name):
    from .array import transpose
    from .math import negative
    from .nn import top_k
    x = convert_to_tensor(operand, name="operand")
    rank = x.shape.ndims
    if rank is None:
        raise ValueError("approx_max_k / approx_min_k need an operand of known rank")
    dimension = int(dimension) % rank
    perm = list(range(rank))
    perm[dimension], perm[-1] = perm[-1], perm[dimension]
    moved = x if dimension == rank - 1 else transpose(x, perm)
    values, indices = top_k(moved if largest else negative(moved), k)
    if not largest:
        values = negative(values)
    if dimension != rank - 1:
        values, indices = transpose(values, perm), transpose(indices, perm)
    return values, indices


def approx_max_k(operand, k, reduction_dimension=-1, recall_target=0.95, reduction_input_size_override=-1,
                 aggregate_to_topk=True, name=None):
    """`tf.nn.approx_max_k(operand, k, reduction_dimension=-1, recall_target=0.95)`: (values, indices)
    of the k largest entries along `reduction_dimension`. numflow returns the exact top k, which meets
    every recall target."""
    with name_scope(name, "approx_max_k", [operand]):
        return _top_k_along(operand, k, reduction_dimension, True, name)


def approx_min_k(operand, k, reduction_dimension=-1, recall_target=0.95, reduction_input_size_override=-1,
                 aggregate_to_topk=True, name=None):
    """`tf.nn.approx_min_k(...)`: (values, indices) of the k smallest entries along
    `reduction_dimension` (exact, as approx_max_k)."""
    with name_scope(name, "approx_min_k", [operand]):
        return _top_k_along(operand, k, reduction_dimension, False, name)


# --- label sequences ---------------------------------------------------------------------------------
@register
class CollapseRepeated(OpDef):
    """Each row's first seq_length labels with runs of equal labels merged, zero-padded to the longest."""

    differentiable = False

    def infer(self, op):
        labels, lengths = op.inputs
        if labels.shape.ndims not in (None, 2):
            raise ValueError("labels must be a matrix [batch_size, max_seq_length], got shape %s" % labels.shape)
        batch = labels.shape[0].value if labels.shape.ndims == 2 else None
        return [(labels.dtype, TensorShape([batch, None])), (lengths.dtype, TensorShape([batch]))]

    def kernel(self, op, ctx):
        xp = ctx.xp

        def collapse(labels, lengths):
            width = labels.shape[1]
            if lengths.shape != (labels.shape[0],) or np.any(lengths < 0) or np.any(lengths > width):
                raise errors.InvalidArgumentError(None, op, "seq_length must be a vector of lengths in [0, %d] "
                                                  "for each of the %d rows" % (width, labels.shape[0]))
            inside = xp.arange(width)[None, :] < lengths[:, None]
            starts = xp.ones(labels.shape, dtype=bool)
            starts[:, 1:] = labels[:, 1:] != labels[:, :-1]
            keep = starts & inside
            new_lengths = keep.sum(axis=1)
            out = xp.zeros((labels.shape[0], int(new_lengths.max()) if new_lengths.size else 0), labels.dtype)
            rows, cols = np.nonzero(keep)
            out[rows, (np.cumsum(keep, axis=1) - 1)[rows, cols]] = labels[rows, cols]
            return out, new_lengths.astype(lengths.dtype)
        return collapse


def collapse_repeated(labels, seq_length, name=None):
    """`tf.nn.collapse_repeated(labels, seq_length)`: (collapsed_labels, new_seq_length): each row's
    first seq_length labels with runs of repeated labels merged into one, zero-padded to the longest
    collapsed row."""
    labels = convert_to_tensor(labels, name="labels")
    lengths = convert_to_tensor(seq_length, dtype=dtypes.int32 if not isinstance(seq_length, Tensor) else None,
                                name="seq_length")
    op = make_op("CollapseRepeated", [labels, lengths], name=name or "collapse_repeated_labels")
    return op.outputs[0], op.outputs[1]


@register
class CtcUniqueLabels(OpDef):
    """Each row's distinct labels in order of first appearance (zero-padded), and each label's index
    among them."""

    differentiable = False
    host_only = True        # a Python loop over rows, each an np.unique with first indices

    def infer(self, op):
        labels = op.inputs[0]
        if labels.shape.ndims not in (None, 2):
            raise ValueError("labels must be a matrix [batch_size, max_label_length], got shape %s" % labels.shape)
        batch = labels.shape[0].value if labels.shape.ndims == 2 else None
        return [(dtypes.int64, TensorShape([batch, None])), (dtypes.int32, labels.shape)]

    def kernel(self, op, ctx):
        def unique_labels(labels):
            unique = np.zeros(labels.shape, dtype=np.int64)
            index = np.zeros(labels.shape, dtype=np.int32)
            for row in range(labels.shape[0]):
                values, first, inverse = np.unique(labels[row], return_index=True, return_inverse=True)
                order = np.argsort(first, kind="stable")
                rank = np.empty_like(order)
                rank[order] = np.arange(order.size)
                unique[row, :values.size] = values[order]
                index[row] = rank[inverse.reshape(-1)]
            return unique, index
        return unique_labels


def ctc_unique_labels(labels, name=None):
    """`tf.nn.ctc_unique_labels(labels)`: (unique labels int64 [batch, max_label_length] zero-padded,
    idx int32) per row, the distinct labels in order of first appearance and each label's position
    among them."""
    labels = convert_to_tensor(labels, name="labels")
    op = make_op("CtcUniqueLabels", [labels], name=name or "ctc_unique_labels")
    return op.outputs[0], op.outputs[1]


# --- embeddings ---------------------------------------------------------------------------------------
def _as_column(vector, rank):
    """A per-row vector expanded to broadcast against rows of rank `rank`."""
    from .array import expand_dims
    for _ in range((rank or 2) - 1):
        vector = expand_dims(vector, -1)
    return vector


def _combine_segments(values, segment_ids, weights, combiner):
    """Rows of `values` combined per (sorted) segment: 'sum', 'mean' or 'sqrtn' of the weighted rows."""
    from .array import ones_like
    from .math import div_no_nan, multiply, sqrt, square
    from .segment_ops import segment_sum
    if weights is not None:
        values = multiply(values, _as_column(weights, values.shape.ndims))
    total = segment_sum(values, segment_ids)
    if combiner == "sum":
        return total
    if weights is None:
        weights = ones_like(segment_ids, dtype=values.dtype)
    if combiner == "mean":
        denominator = segment_sum(weights, segment_ids)
    else:
        denominator = sqrt(segment_sum(square(weights), segment_ids))
    # A row without ids in between others combines to zeros, as TF's segment means give.
    return div_no_nan(total, _as_column(denominator, total.shape.ndims))


def _check_combiner(combiner):
    if combiner is None:
        return "mean"
    if combiner not in ("mean", "sqrtn", "sum"):
        raise ValueError("combiner must be one of 'mean', 'sqrtn' or 'sum'")
    return combiner


def embedding_lookup_sparse(params, sp_ids, sp_weights, partition_strategy="mod", name=None, combiner=None,
                            max_norm=None):
    """`tf.nn.embedding_lookup_sparse(params, sp_ids, sp_weights, partition_strategy='mod',
    combiner=None, max_norm=None)`: one combined embedding per row of the 2-D SparseTensor `sp_ids`
    (ids in its values): the 'sum', 'mean' (default) or 'sqrtn' of the rows' embeddings, weighted by
    `sp_weights` (a SparseTensor with the same indices) or 1. The result has one row per row index up
    to the largest used (rows without ids in between are zero); `params` and `partition_strategy` as in
    embedding_lookup."""
    from ..framework.sparse_tensor import SparseTensor
    from .math import cast
    from .nn import embedding_lookup
    combiner = _check_combiner(combiner)
    if not isinstance(sp_ids, SparseTensor):
        raise TypeError("sp_ids must be SparseTensor")
    if sp_weights is not None and not isinstance(sp_weights, SparseTensor):
        raise TypeError("sp_weights must be either None or SparseTensor")
    with name_scope(name, "embedding_lookup_sparse", [sp_ids]):
        segment_ids = sp_ids.indices[:, 0]
        if segment_ids.dtype is not dtypes.int32:
            segment_ids = cast(segment_ids, dtypes.int32)
        ids = sp_ids.values
        embeddings = embedding_lookup(params, ids, partition_strategy=partition_strategy, max_norm=max_norm)
        weights = None
        if sp_weights is not None:
            weights = sp_weights.values
            if weights.dtype is not embeddings.dtype:
                weights = cast(weights, embeddings.dtype)
        return _combine_segments(embeddings, segment_ids, weights, combiner)


def safe_embedding_lookup_sparse(embedding_weights, sparse_ids, sparse_weights=None, combiner="mean",
                                 default_id=None, name=None, partition_strategy="div", max_norm=None):
    """`tf.nn.safe_embedding_lookup_sparse(embedding_weights, sparse_ids, sparse_weights=None,
    combiner='mean', default_id=None, partition_strategy='div', max_norm=None)`: embedding_lookup_sparse
    that drops ids < 0 (and entries with weight <= 0), and gives every row of `sparse_ids`'s dense shape
    a result: rows left without ids get the embedding of `default_id`, or zeros. `sparse_ids` may have
    rank > 2: the result is [d_0, ..., d_{n-2}, embedding dim]."""
    from ..framework.sparse_tensor import SparseTensor
    from .array import concat, reshape, shape as shape_of, zeros
    from .math import cast, maximum, multiply, subtract
    from .nn import embedding_lookup
    combiner = _check_combiner(combiner)
    if not isinstance(sparse_ids, SparseTensor):
        raise TypeError("sparse_ids must be SparseTensor")
    if not isinstance(embedding_weights, (list, tuple)):
        embedding_weights = [embedding_weights]
    if not embedding_weights:
        raise ValueError("Missing embedding_weights %s." % (embedding_weights,))
    with name_scope(name, "embedding_lookup", [sparse_ids]) as scope:
        weight_op = make_op("SafeEmbeddingPrune",
                            [sparse_ids.indices, sparse_ids.values, sparse_ids.dense_shape] +
                            ([] if sparse_weights is None else [sparse_weights.values]),
                            {"default_id": -1 if default_id is None else int(default_id)})
        rows, ids, weights, empty, batch = weight_op.outputs
        params = [p._as_tensor() if hasattr(p, "_as_tensor") else convert_to_tensor(p) for p in embedding_weights]
        embeddings = embedding_lookup(params, ids, partition_strategy=partition_strategy, max_norm=max_norm)
        dtype = embeddings.dtype
        combined = _combine_segments(embeddings, rows, cast(weights, dtype)
                                     if sparse_weights is not None else None, combiner)
        # Rows past the last one holding an id get zeros: pad up to the batch size.
        missing = maximum(subtract(batch, shape_of(combined)[0]), 0)
        tail = zeros(concat([reshape(missing, [1]), shape_of(combined)[1:]], 0), dtype=dtype)
        combined = concat([combined, tail], 0)
        if default_id is None:
            keep = cast(1 - cast(empty, dtypes.int32), dtype)
            combined = multiply(combined, _as_column(keep, combined.shape.ndims))
        leading = sparse_ids.dense_shape[:-1]
        out_shape = concat([cast(leading, dtypes.int32), shape_of(combined)[1:]], 0)
        return reshape(combined, out_shape, name=scope)


@register
class SafeEmbeddingPrune(OpDef):
    """safe_embedding_lookup_sparse's bookkeeping: drops ids < 0 and weights <= 0, flattens the rows of
    a rank > 2 SparseTensor, and gives each empty row `default_id` (weight 1). Outputs (row of each kept
    id, ids, weights, whether each row was empty, the number of rows)."""

    differentiable = False
    host_only = True        # sparse-id bookkeeping (ravel_multi_index, a stable argsort) on small index vectors

    def infer(self, op):
        ids = op.inputs[1]
        weight_dtype = op.inputs[3].dtype if len(op.inputs) > 3 else dtypes.float32
        vector = TensorShape([None])
        return [(dtypes.int32, vector), (ids.dtype, vector), (weight_dtype, vector),
                (dtypes.bool, vector), (dtypes.int32, TensorShape([]))]

    def kernel(self, op, ctx):
        default_id = op.attrs["default_id"]
        weight_dtype = op.outputs[2].dtype.np

        def prune(indices, ids, dense_shape, weights=None):
            dense_shape = np.asarray(dense_shape, dtype=np.int64)
            leading = dense_shape[:-1]
            batch = int(np.prod(leading)) if leading.size else 1
            row = np.ravel_multi_index(tuple(np.asarray(indices[:, :-1], np.int64).T), tuple(leading)) \
                if indices.shape[0] else np.zeros(0, np.int64)
            keep = ids >= 0
            if weights is None:
                weights = np.ones(ids.shape, dtype=weight_dtype)
            else:
                keep &= weights > 0
            row, ids, weights = row[keep], ids[keep], weights[keep]
            empty = np.ones(batch, dtype=bool)
            empty[row] = False
            if default_id >= 0:
                fill = np.nonzero(empty)[0]
                row = np.concatenate([row, fill])
                ids = np.concatenate([ids, np.full(fill.size, default_id, dtype=ids.dtype)])
                weights = np.concatenate([weights, np.ones(fill.size, dtype=weights.dtype)])
            order = np.argsort(row, kind="stable")
            return (row[order].astype(np.int32), ids[order], weights[order].astype(weight_dtype), empty,
                    np.int32(batch))
        return prune


# --- sampled losses -----------------------------------------------------------------------------------
def _sampled_logits(weights, biases, labels, inputs, num_sampled, num_classes, num_true, sampled_values,
                    subtract_log_q, remove_accidental_hits, partition_strategy, seed):
    """(logits [batch, num_true + num_sampled], labels of the same shape) of the true and the sampled
    classes, each logit minus log(expected count) of its class when subtract_log_q."""
    from ..framework.sparse_tensor import sparse_to_dense
    from .array import concat, expand_dims, reshape, shape as shape_of, slice as slice_, stack, ones_like, \
        zeros_like
    from .candidate_sampling import compute_accidental_hits, log_uniform_candidate_sampler
    from .control import stop_gradient
    from .math import add, cast, log, matmul, multiply, reduce_sum, subtract
    from .nn import embedding_lookup
    if not isinstance(weights, (list, tuple)):
        weights = [weights]
    labels = convert_to_tensor(labels, name="labels")
    if labels.dtype is not dtypes.int64:
        labels = cast(labels, dtypes.int64)
    inputs = convert_to_tensor(inputs, name="inputs")
    flat_labels = reshape(labels, [-1])
    if sampled_values is None:
        sampled_values = log_uniform_candidate_sampler(reshape(labels, [-1, num_true]), num_true, num_sampled,
                                                       True, num_classes, seed=seed)
    sampled, true_expected, sampled_expected = (stop_gradient(v) for v in sampled_values)
    sampled = cast(sampled, dtypes.int64)
    all_ids = concat([flat_labels, sampled], 0)
    all_w = embedding_lookup(weights, all_ids, partition_strategy=partition_strategy)
    count = shape_of(flat_labels)[0]
    true_w = slice_(all_w, stack([0, 0]), stack([count, -1]))
    sampled_w = slice_(all_w, stack([count, 0]), [-1, -1])
    sampled_logits = matmul(inputs, sampled_w, transpose_b=True)
    dim = shape_of(true_w)[1:2]
    true_w = reshape(true_w, concat([[-1, num_true], dim], 0))
    true_logits = reduce_sum(multiply(expand_dims(inputs, 1), true_w), 2)
    if biases is not None:
        all_b = embedding_lookup(biases, all_ids, partition_strategy=partition_strategy)
        true_b = reshape(slice_(all_b, [0], stack([count])), [-1, num_true])
        sampled_b = slice_(all_b, stack([count]), [-1])
        true_logits = add(true_logits, true_b)
        sampled_logits = add(sampled_logits, sampled_b)
    if remove_accidental_hits:
        rows, positions, hit_weights = compute_accidental_hits(reshape(labels, [-1, num_true]), sampled,
                                                               num_true)
        indices = stack([cast(rows, dtypes.int64), positions], 1)
        dense_shape = stack([cast(shape_of(sampled_logits)[0], dtypes.int64),
                             cast(shape_of(sampled_logits)[1], dtypes.int64)])
        sampled_logits = add(sampled_logits, cast(sparse_to_dense(indices, dense_shape, hit_weights, 0.0,
                                                                  validate_indices=False),
                                                  sampled_logits.dtype))
    if subtract_log_q:
        true_logits = subtract(true_logits, log(cast(true_expected, true_logits.dtype)))
        sampled_logits = subtract(sampled_logits, log(cast(sampled_expected, sampled_logits.dtype)))
    logits = concat([true_logits, sampled_logits], 1)
    out_labels = concat([ones_like(true_logits) / float(num_true), zeros_like(sampled_logits)], 1)
    return logits, out_labels


def nce_loss(weights, biases, labels, inputs, num_sampled, num_classes, num_true=1, sampled_values=None,
             remove_accidental_hits=False, partition_strategy="mod", name="nce_loss"):
    """`tf.nn.nce_loss(weights, biases, labels, inputs, num_sampled, num_classes, num_true=1,
    sampled_values=None, remove_accidental_hits=False, partition_strategy='mod')`: the noise-contrastive
    estimation loss per example [batch]: sigmoid cross-entropy of the true classes (label 1/num_true)
    and `num_sampled` sampled classes (label 0), every logit minus the log of its expected count.
    `weights` [num_classes, dim] (or a list of shards), `biases` [num_classes], `labels` int64
    [batch, num_true], `inputs` [batch, dim]; classes are drawn by log_uniform_candidate_sampler unless
    `sampled_values` (a sampler's result) is given."""
    from .math import reduce_sum
    from .nn import sigmoid_cross_entropy_with_logits
    with name_scope(name, "nce_loss", [weights, biases, labels, inputs]):
        logits, labels_ = _sampled_logits(weights, biases, labels, inputs, num_sampled, num_classes, num_true,
                                          sampled_values, True, remove_accidental_hits, partition_strategy,
                                          None)
        losses = sigmoid_cross_entropy_with_logits(labels=labels_, logits=logits, name="sampled_losses")
        return reduce_sum(losses, 1)


def sampled_softmax_loss(weights, biases, labels, inputs, num_sampled, num_classes, num_true=1,
                         sampled_values=None, remove_accidental_hits=True, partition_strategy="mod",
                         name="sampled_softmax_loss", seed=None):
    """`tf.nn.sampled_softmax_loss(weights, biases, labels, inputs, num_sampled, num_classes,
    num_true=1, sampled_values=None, remove_accidental_hits=True, partition_strategy='mod', seed=None)`:
    softmax cross-entropy per example [batch] over the true classes and `num_sampled` sampled ones
    (logits minus log expected counts; sampled classes equal to a true class are masked out unless
    remove_accidental_hits is False). Arguments as in nce_loss."""
    from .control import stop_gradient
    from .nn import softmax_cross_entropy_with_logits_v2
    with name_scope(name, "sampled_softmax_loss", [weights, biases, labels, inputs]):
        logits, labels_ = _sampled_logits(weights, biases, labels, inputs, num_sampled, num_classes, num_true,
                                          sampled_values, True, remove_accidental_hits, partition_strategy,
                                          seed)
        return softmax_cross_entropy_with_logits_v2(labels=stop_gradient(labels_), logits=logits)
