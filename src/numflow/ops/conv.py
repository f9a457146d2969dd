"""Convolution, pooling and normalization ops (`tf.nn.conv2d`, `max_pool`, `avg_pool`, ...).

Each op is one OpDef subclass (static shape rule, NumPy kernel, symbolic gradient) beside the public
function that builds it. All kernels work in NHWC; NCHW is transposed in and out.

Kernels (conv_algorithms.choose picks Winograd or im2col per call from the shapes alone):
  * Winograd F(4x4, 3x3) / F(4x4, 5x5) for stride-1 undilated float32/float64 convolutions with enough
    channels, for all three ops (see conv_algorithms.py for the algorithm and the measured thresholds).
  * Conv2D otherwise: im2col a few images at a time through a strided view into a reused workspace
    (sized for the L2 cache; with one input channel built transposed, one tap at a time), then one
    matrix product with the filter per batch tile.
  * Conv2DBackpropFilter otherwise: the same tiled im2col, transposed products with the output
    gradient summed over the batch tiles.
  * Conv2DBackpropInput otherwise: one (dy @ filter[i, j].T) product per kernel-window position, added
    into the padded input gradient a few images at a time (one product + col2im for one input channel).
  * pools: a loop over the kernel window (kh * kw elementwise steps); MaxPoolGrad and big MaxPool
    inputs a few images at a time through cache-sized scratch tiles, MaxPoolGrad as one comparison of
    every window position, one first-hit pass and one copy back (one add per position where windows
    overlap).
Padding is TF's: VALID out = ceil((in - (k - 1) * d) / s); SAME out = ceil(in / s), pad_total =
max((out - 1) * s + (k - 1) * d + 1 - in, 0), pad_before = pad_total // 2, the extra one after.
The same kernels run on a GPU: `_Geometry.xp` is the array module of the op's device (`ctx.xp`), which
creates the padded copies, outputs and strided views; NumPy dispatch routes the rest to it.
"""
import threading

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..framework import dtypes, errors
from ..framework.graph import Tensor, convert_to_tensor, name_scope
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import Dimension, TensorShape
from .common import check_same_dtype, make_op, make_tensor
from . import conv_algorithms as algorithms

__all__ = ["conv2d", "conv2d_backprop_input", "conv2d_backprop_filter", "conv2d_transpose",
           "depthwise_conv2d", "depthwise_conv2d_native", "depthwise_conv2d_native_backprop_input",
           "depthwise_conv2d_native_backprop_filter", "separable_conv2d",
           "max_pool", "max_pool2d", "avg_pool", "avg_pool2d", "max_pool_grad",
           "fused_batch_norm"]
# tf.nn.moments and tf.nn.batch_normalization live in ops/nn.py.

_FLOATS = (dtypes.float16, dtypes.float32, dtypes.float64)


# --- argument normalization ------------------------------------------------------------------------
def _padding_of(padding):
    """'SAME', 'VALID', or an explicit [[0, 0], [t, b], [l, r], [0, 0]] list (in data_format order)."""
    if isinstance(padding, bytes):
        padding = padding.decode()
    if isinstance(padding, str):
        upper = padding.upper()
        if upper not in ("SAME", "VALID"):
            raise ValueError("Value for attr 'padding' of \"%s\" is not in the list of allowed values: "
                             "\"SAME\", \"VALID\"" % padding)
        return upper
    if isinstance(padding, (list, tuple)):
        try:
            pairs = [tuple(int(v) for v in pair) for pair in padding]
        except (TypeError, ValueError):
            pairs = None
        if pairs is None or len(pairs) != 4 or any(len(p) != 2 for p in pairs):
            raise ValueError("padding must be 'SAME', 'VALID' or a list of 4 [before, after] pairs, got %r"
                             % (padding,))
        if any(v < 0 for p in pairs for v in p):
            raise ValueError("All elements of explicit_paddings must be nonnegative, got %r" % (padding,))
        return tuple(pairs)
    raise ValueError("Value for attr 'padding' of \"%s\" is not in the list of allowed values: "
                     "\"SAME\", \"VALID\"" % (padding,))


def _data_format_of(data_format):
    if isinstance(data_format, bytes):
        data_format = data_format.decode()
    if data_format is None:
        return "NHWC"
    if data_format not in ("NHWC", "NCHW"):
        raise ValueError("Value for attr 'data_format' of \"%s\" is not in the list of allowed values: "
                         "\"NHWC\", \"NCHW\"" % (data_format,))
    return data_format


def _sequence4(value, name, data_format, default=1):
    """An int or a list of 1, 2 or 4 ints as the 4 per-dimension values TF ops take."""
    if value is None:
        value = default
    if isinstance(value, (int, np.integer)):
        value = [int(value)]
    value = [int(v) for v in value]
    spatial = (1, 2) if data_format == "NHWC" else (2, 3)
    if len(value) == 4:
        return value
    if len(value) in (1, 2):
        full = [1, 1, 1, 1]
        for axis, v in zip(spatial, value * (2 if len(value) == 1 else 1)):
            full[axis] = v
        return full
    raise ValueError("%s should be of length 1, 2 or 4 but was %d" % (name, len(value)))


def _spatial(values, data_format):
    return (values[1], values[2]) if data_format == "NHWC" else (values[2], values[3])


def _check_float(tensor, param, op_name):
    if tensor.dtype not in _FLOATS:
        raise TypeError("Value passed to parameter '%s' has DataType %s not in list of allowed values: "
                        "float16, float32, float64 (op %s)" % (param, tensor.dtype.name, op_name))


def _conv_attrs(strides, padding, data_format, dilations, op_name):
    data_format = _data_format_of(data_format)
    padding = _padding_of(padding)
    strides = _sequence4(strides, "strides", data_format)
    dilations = _sequence4(dilations, "dilations", data_format)
    batch_axis, depth_axis = (0, 3) if data_format == "NHWC" else (0, 1)
    if strides[batch_axis] != 1 or strides[depth_axis] != 1:
        raise ValueError("Current implementation does not yet support strides in the batch and depth "
                         "dimensions (%s strides %s)." % (op_name, strides))
    if dilations[batch_axis] != 1 or dilations[depth_axis] != 1:
        raise ValueError("Current implementation does not yet support dilations in the batch and depth "
                         "dimensions (%s dilations %s)." % (op_name, dilations))
    if min(strides) < 1 or min(dilations) < 1:
        raise ValueError("%s: strides and dilations must be >= 1, got %s and %s"
                         % (op_name, strides, dilations))
    if isinstance(padding, tuple):
        if padding[batch_axis] != (0, 0) or padding[depth_axis] != (0, 0):
            raise ValueError("Explicit padding in the batch or depth dimension is not supported: %r"
                             % (padding,))
    return {"strides": strides, "padding": padding, "data_format": data_format, "dilations": dilations}


class _Geometry:
    """The per-op constants of a windowed op, in NHWC terms."""

    def __init__(self, attrs, kernel_hw=None, xp=np):
        self.xp = xp        # the array module of the op's device (NumPy on the host)
        self.spread = None  # the inter-op worker's submit in a plan's concurrent variant (batch tiles)
        fmt = attrs["data_format"]
        self.nchw = fmt == "NCHW"
        self.sh, self.sw = _spatial(attrs["strides"], fmt)
        self.dh, self.dw = _spatial(attrs.get("dilations", [1, 1, 1, 1]), fmt)
        padding = attrs["padding"]
        self.padding = padding if isinstance(padding, str) else "EXPLICIT"
        self.explicit = _spatial(padding, fmt) if isinstance(padding, tuple) else None
        if "ksize" in attrs:
            self.kh, self.kw = _spatial(attrs["ksize"], fmt)
        elif kernel_hw is not None:
            self.kh, self.kw = kernel_hw

    def dim(self, size, k, s, d, axis):
        """(out, pad_before, pad_after) along one spatial axis (0: height, 1: width)."""
        eff = (k - 1) * d + 1
        if self.padding == "VALID":
            if size < eff:
                raise ValueError("Negative dimension size caused by subtracting %d from %d" % (eff, size))
            return (size - eff) // s + 1, 0, 0
        if self.padding == "SAME":
            out = -(-size // s)
            total = max((out - 1) * s + eff - size, 0)
            return out, total // 2, total - total // 2
        before, after = self.explicit[axis]
        if size + before + after < eff:
            raise ValueError("Negative dimension size caused by subtracting %d from %d"
                             % (eff, size + before + after))
        return (size + before + after - eff) // s + 1, before, after

    def plan(self, h, w, kh, kw):
        oh, pt, pb = self.dim(h, kh, self.sh, self.dh, 0)
        ow, pl, pr = self.dim(w, kw, self.sw, self.dw, 1)
        return oh, ow, pt, pb, pl, pr


def _static_out_dim(geometry, size, k, s, d, axis):
    if size is None or k is None:
        return None
    return geometry.dim(size, k, s, d, axis)[0]


def _nhwc_dims(shape, data_format):
    """[n, h, w, c] static values (None where unknown) of a rank-4 shape in data_format order."""
    if shape.ndims is None:
        return [None] * 4
    dims = shape.with_rank(4).as_list() if shape.ndims == 4 else None
    if dims is None:
        raise ValueError("Shape must be rank 4 but is rank %d" % shape.ndims)
    if data_format == "NCHW":
        return [dims[0], dims[2], dims[3], dims[1]]
    return dims


def _from_nhwc(dims, data_format):
    if data_format == "NCHW":
        return TensorShape([dims[0], dims[3], dims[1], dims[2]])
    return TensorShape(dims)


def _static_scalar(tensor):
    if tensor.op.type == "Const" and np.size(tensor.op.attrs["value"]) == 1:
        return int(np.reshape(tensor.op.attrs["value"], [-1])[0])
    return None


def _static_sizes(tensor, rank=4):
    """The static value of a sizes vector (a constant, tf.shape of a tensor, or a stack of scalars),
    None entries unknown; None when not even the length is known."""
    op = tensor.op
    if op.type == "Const":
        values = [int(v) for v in np.reshape(op.attrs["value"], [-1])]
        return values if len(values) == rank else None
    if op.type == "Shape":
        shape = op.inputs[0].shape
        if shape.ndims == rank:
            return shape.as_list()
    if op.type == "Pack" and len(op.inputs) == rank:
        return [_static_scalar(part) for part in op.inputs]
    if tensor.shape.ndims == 1 and tensor.shape[0].value == rank:
        return [None] * rank
    return None


def _sizes_tensor(sizes):
    if isinstance(sizes, Tensor):
        return sizes
    if isinstance(sizes, TensorShape):
        sizes = sizes.as_list()
    if isinstance(sizes, (list, tuple)) and any(isinstance(s, Tensor) for s in sizes):
        from .array import stack
        return stack([convert_to_tensor(s, dtype=dtypes.int32) for s in sizes])
    return convert_to_tensor(sizes, dtype=dtypes.int32, name="input_sizes")


def _shape_of(tensor):
    from .array import shape
    return shape(tensor)


# --- NumPy building blocks ---------------------------------------------------------------------------
def _to_nhwc(x, nchw):
    return np.transpose(x, (0, 2, 3, 1)) if nchw else x


def _from_nhwc_value(x, nchw, xp=np):
    return xp.ascontiguousarray(np.transpose(x, (0, 3, 1, 2))) if nchw else x


def _pad(x, pt, pb, pl, pr, value=0, xp=np):
    """x (NHWC) padded spatially; x itself when no padding is needed (never written to)."""
    if not (pt or pb or pl or pr):
        return x
    n, h, w, c = x.shape
    if value == 0:
        out = xp.zeros((n, h + pt + pb, w + pl + pr, c), dtype=x.dtype)
    else:
        out = xp.full((n, h + pt + pb, w + pl + pr, c), value, dtype=x.dtype)
    out[:, pt:pt + h, pl:pl + w, :] = x
    return out


def _window(padded, i, j, oh, ow, sh, sw, dh, dw):
    """The [n, oh, ow, c] view of `padded` seen by kernel position (i, j)."""
    return padded[:, i * dh: i * dh + (oh - 1) * sh + 1: sh, j * dw: j * dw + (ow - 1) * sw + 1: sw, :]


def _strided_view(x, shape, strides, xp):
    """A read-only strided view of x: NumPy's as_strided, or the device module's (CuPy's takes no
    `writeable` flag; nothing here writes through a view with overlapping windows)."""
    if xp is np:
        return as_strided(x, shape, strides, writeable=False)
    return xp.lib.stride_tricks.as_strided(x, shape, strides)


def _patches(padded, kh, kw, oh, ow, g):
    """The [n, oh, ow, kh, kw, c] strided view of the patches of a padded NHWC input (no copy)."""
    n, _, _, c = padded.shape
    s0, s1, s2, s3 = padded.strides
    return _strided_view(padded, (n, oh, ow, kh, kw, c),
                         (s0, s1 * g.sh, s2 * g.sw, s1 * g.dh, s2 * g.dw, s3), g.xp)


# Measured (NHWC, 1 thread): the one-product input gradient wins at 1 input channel (5x5 at batch 50:
# 1.9 -> 1.7 ms, at 1000: 116 -> 72 ms) and loses from 2 channels on, 3-5x at 2 to 4 (5x5, 28x28, 8 out
# channels: 11.2 ms against 2.3 ms): its col2im adds over a channel axis that short run slowly.
_ONE_PRODUCT_MAX_CHANNELS = 1
# Measured at 1 thread (benchmarks/bench_conv.py): batch tiles that fit the L2 cache (2 MB here) beat
# 16 MB ones by 25-30% (VGG-like 3x3 64 -> 64 at batch 32: forward 32 -> 24 ms, input gradient 42 -> 28
# ms; MNIST conv2 forward 12.9 -> 9.8 ms); below 1 MB the per-tile calls start to cost.
_WORKSPACE_BYTES = 2 << 20
# On a device each tile is a kernel launch and memory comes from a pool: far fewer, larger tiles.
_DEVICE_WORKSPACE_BYTES = 256 << 20
_workspaces = threading.local()


def _batch_tiles(n, bytes_per_image, xp=np):
    """[start, stop) ranges of images whose patch matrix fits the workspace (at least one image)."""
    budget = _WORKSPACE_BYTES if xp is np else _DEVICE_WORKSPACE_BYTES
    per_tile = max(1, budget // max(bytes_per_image, 1))
    return [(start, min(start + per_tile, n)) for start in range(0, n, per_tile)]


def _workspace(rows, columns, dtype, xp=np):
    """A [rows, columns] scratch matrix reused across calls in this thread (never returned to callers);
    on a device a fresh one (its memory pool makes that cheap, and a cached buffer could belong to
    another GPU)."""
    if xp is not np:
        return xp.empty((rows, columns), dtype)
    cache = getattr(_workspaces, "buffers", None)
    if cache is None:
        cache = _workspaces.buffers = {}
    size = rows * columns
    buffer = cache.get(dtype)
    if buffer is None or buffer.size < size:
        buffer = cache[dtype] = np.empty(max(size, _WORKSPACE_BYTES // dtype.itemsize), dtype)
    return buffer[:size].reshape(rows, columns)


def _unpad(padded, pt, pl, h, w, xp=np):
    if padded.shape[1] == h and padded.shape[2] == w:
        return padded
    return xp.ascontiguousarray(padded[:, pt:pt + h, pl:pl + w, :])


def _algorithm(g, kh, kw, in_channels, out_channels, out_hw, dtype, role):
    """The algorithm of one Conv2D-family call (conv_algorithms.choose: shapes only, deterministic);
    the NUMFLOW_CONV_ALGORITHM override is read when the kernel is built (or here for the 3-D ops' 2-D
    geometries)."""
    return algorithms.choose(g, kh, kw, in_channels, out_channels, out_hw, dtype, role,
                             forced=getattr(g, "forced_algorithm", None))


def _conv_forward(x, f, g):
    n, h, w, c = x.shape
    kh, kw, fc, o = f.shape
    if fc != c:
        raise ValueError("input depth must be evenly divisible by filter depth: %d vs %d" % (c, fc))
    oh, ow, pt, pb, pl, pr = g.plan(h, w, kh, kw)
    xp = g.xp
    dtype = np.result_type(x.dtype, f.dtype)
    if _algorithm(g, kh, kw, c, o, (oh, ow), dtype, algorithms.FORWARD) == algorithms.WINOGRAD:
        return algorithms.winograd_forward(x, f, (pt, pl), (oh, ow), xp, spread=g.spread)
    padded = _pad(x, pt, pb, pl, pr, xp=xp)
    fmat = f.reshape(kh * kw * c, o)
    y = xp.empty((n, oh, ow, o), dtype)

    # im2col a few images at a time into a reused workspace: the whole patch matrix of a large batch
    # (627 MB for the deep MNIST CNN at 1000 images) costs more in fresh pages than in arithmetic.
    def convolve(start, stop):
        cols = _patch_matrix(padded[start:stop], kh, kw, oh, ow, g, dtype)
        np.matmul(cols, fmat, out=y[start:stop].reshape(-1, o))
    algorithms.for_each_range(_batch_tiles(n, oh * ow * kh * kw * c * dtype.itemsize, xp), convolve, g.spread)
    return y


def _patch_matrix(padded, kh, kw, oh, ow, g, dtype):
    """The [n * oh * ow, kh * kw * c] patches of a padded NHWC batch tile, in the reused workspace.
    With one channel the workspace holds the transpose, filled one kernel tap at a time (a contiguous
    [n, oh, ow] copy each) and returned as a transposed view: measured 0.19 ms against 0.73 ms for the
    strided 5-float runs of the [.., kh, kw, 1] copy (MNIST conv1, batch 50); the products take either
    layout at the same speed."""
    n, c = padded.shape[0], padded.shape[3]
    rows = n * oh * ow
    if c != 1:
        cols = _workspace(rows, kh * kw * c, dtype, g.xp)
        cols.reshape(n, oh, ow, kh, kw, c)[...] = _patches(padded, kh, kw, oh, ow, g)
        return cols
    cols_t = _workspace(kh * kw, rows, dtype, g.xp)
    taps = cols_t.reshape(kh, kw, n, oh, ow)
    for i in range(kh):
        for j in range(kw):
            taps[i, j] = _window(padded, i, j, oh, ow, g.sh, g.sw, g.dh, g.dw)[..., 0]
    return cols_t.T


def _conv_input_grad(sizes, f, dy, g):
    n, h, w, c = sizes
    kh, kw, _, o = f.shape
    oh, ow, pt, pb, pl, pr = g.plan(h, w, kh, kw)
    if dy.shape != (n, oh, ow, o):
        raise ValueError("Conv2DBackpropInput: out_backprop shape %s does not match the computed output "
                         "shape %s" % (list(dy.shape), [n, oh, ow, o]))
    xp = g.xp
    dtype = np.result_type(dy.dtype, f.dtype)
    if algorithms.input_grad_pads(h, w, kh, kw, (pt, pl), (oh, ow)) is not None \
            and _algorithm(g, kh, kw, c, o, (oh, ow), dtype, algorithms.INPUT_GRAD) == algorithms.WINOGRAD:
        return algorithms.winograd_input_grad((n, h, w, c), f, dy, (pt, pl), xp, spread=g.spread)
    dxp = xp.zeros((n, h + pt + pb, w + pl + pr, c), dtype=dtype)
    if c > _ONE_PRODUCT_MAX_CHANNELS:
        # A few images at a time, so that their output gradient and input gradient stay in cache
        # across the kh * kw products.
        per_image = (oh * ow * o + (h + pt + pb) * (w + pl + pr) * c) * dtype.itemsize

        def accumulate_taps(start, stop):
            dy2 = dy[start:stop].reshape((stop - start) * oh * ow, o)
            tile = dxp[start:stop]
            for i in range(kh):
                for j in range(kw):
                    part = np.matmul(dy2, f[i, j].T).reshape(stop - start, oh, ow, c)
                    view = _window(tile, i, j, oh, ow, g.sh, g.sw, g.dh, g.dw)
                    np.add(view, part, out=view)
        algorithms.for_each_range(_batch_tiles(n, per_image, xp), accumulate_taps, g.spread)
        return _unpad(dxp, pt, pl, h, w, xp)
    fmat_t = f.reshape(kh * kw * c, o).T
    # Few input channels: kh * kw products of c columns each are mostly call overhead, so one product
    # gives every kernel position's contribution (col2im then adds them into place), a few images at
    # a time in a reused workspace.
    def col2im(start, stop):
        rows = (stop - start) * oh * ow
        dcols = _workspace(rows, kh * kw * c, dtype, xp)
        np.matmul(dy[start:stop].reshape(rows, o), fmat_t, out=dcols)
        dcols = dcols.reshape(stop - start, oh, ow, kh, kw, c)
        tile = dxp[start:stop]
        for i in range(kh):
            for j in range(kw):
                view = _window(tile, i, j, oh, ow, g.sh, g.sw, g.dh, g.dw)
                np.add(view, dcols[:, :, :, i, j, :], out=view)
    algorithms.for_each_range(_batch_tiles(n, oh * ow * kh * kw * c * dtype.itemsize, xp), col2im, g.spread)
    return _unpad(dxp, pt, pl, h, w, xp)


def _conv_filter_grad(x, sizes, dy, g):
    n, h, w, c = x.shape
    kh, kw, fc, o = sizes
    oh, ow, pt, pb, pl, pr = g.plan(h, w, kh, kw)
    if dy.shape != (n, oh, ow, o):
        raise ValueError("Conv2DBackpropFilter: out_backprop shape %s does not match the computed output "
                         "shape %s" % (list(dy.shape), [n, oh, ow, o]))
    xp = g.xp
    dtype = np.result_type(x.dtype, dy.dtype)
    if _algorithm(g, kh, kw, c, o, (oh, ow), dtype, algorithms.FILTER_GRAD) == algorithms.WINOGRAD:
        return algorithms.winograd_filter_grad(x, (kh, kw), dy, (pt, pl), xp)
    padded = _pad(x, pt, pb, pl, pr, xp=xp)
    df = None
    # As in the forward: a few images' patches at a time in the reused workspace, their products summed
    # (the whole patch matrix of a batch costs more in fresh pages than the extra additions).
    for start, stop in _batch_tiles(n, oh * ow * kh * kw * c * dtype.itemsize, xp):
        rows = (stop - start) * oh * ow
        cols = _patch_matrix(padded[start:stop], kh, kw, oh, ow, g, dtype)
        part = np.matmul(cols.T, dy[start:stop].reshape(rows, o))
        df = part if df is None else np.add(df, part, out=df)
    if df is None:      # an empty batch
        df = xp.zeros((kh * kw * c, o), dtype)
    return df.reshape(kh, kw, c, o)


def _depthwise_forward(x, f, g):
    n, h, w, c = x.shape
    kh, kw, fc, m = f.shape
    if fc != c:
        raise ValueError("input depth %d does not match filter depth %d" % (c, fc))
    oh, ow, pt, pb, pl, pr = g.plan(h, w, kh, kw)
    padded = _pad(x, pt, pb, pl, pr, xp=g.xp)
    y = g.xp.zeros((n, oh, ow, c, m), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            y += _window(padded, i, j, oh, ow, g.sh, g.sw, g.dh, g.dw)[..., None] * f[i, j]
    return y.reshape(n, oh, ow, c * m)


def _depthwise_input_grad(sizes, f, dy, g):
    n, h, w, c = sizes
    kh, kw, _, m = f.shape
    oh, ow, pt, pb, pl, pr = g.plan(h, w, kh, kw)
    if dy.shape != (n, oh, ow, c * m):
        raise ValueError("DepthwiseConv2dNativeBackpropInput: out_backprop shape %s does not match the "
                         "computed output shape %s" % (list(dy.shape), [n, oh, ow, c * m]))
    dy5 = dy.reshape(n, oh, ow, c, m)
    dxp = g.xp.zeros((n, h + pt + pb, w + pl + pr, c), dtype=dy.dtype)
    for i in range(kh):
        for j in range(kw):
            view = _window(dxp, i, j, oh, ow, g.sh, g.sw, g.dh, g.dw)
            np.add(view, np.einsum("nhwcm,cm->nhwc", dy5, f[i, j]), out=view)
    return _unpad(dxp, pt, pl, h, w, g.xp)


def _depthwise_filter_grad(x, sizes, dy, g):
    n, h, w, c = x.shape
    kh, kw, _, m = sizes
    oh, ow, pt, pb, pl, pr = g.plan(h, w, kh, kw)
    if dy.shape != (n, oh, ow, c * m):
        raise ValueError("DepthwiseConv2dNativeBackpropFilter: out_backprop shape %s does not match the "
                         "computed output shape %s" % (list(dy.shape), [n, oh, ow, c * m]))
    dy5 = dy.reshape(n, oh, ow, c, m)
    padded = _pad(x, pt, pb, pl, pr, xp=g.xp)
    df = g.xp.empty((kh, kw, c, m), dtype=dy.dtype)
    for i in range(kh):
        for j in range(kw):
            df[i, j] = np.einsum("nhwc,nhwcm->cm", _window(padded, i, j, oh, ow, g.sh, g.sw, g.dh, g.dw), dy5)
    return df


# --- convolution op family ---------------------------------------------------------------------------
class _ConvBase(OpDef):
    """Shared shape rules of Conv2D / DepthwiseConv2dNative and their two backprop ops."""

    depthwise = False
    role = "forward"        # forward | input | filter

    def _out_channels(self, filter_dims):
        if filter_dims[3] is None:
            return None
        if self.depthwise:
            return None if filter_dims[2] is None else filter_dims[2] * filter_dims[3]
        return filter_dims[3]

    def _forward_shape(self, op, input_dims, filter_dims):
        g = _Geometry(op.attrs)
        n, h, w, c = input_dims
        kh, kw, fc, _ = filter_dims
        if c is not None and fc is not None and c != fc:
            raise ValueError("Dimensions must be equal, but are %d and %d" % (c, fc))
        oh = _static_out_dim(g, h, kh, g.sh, g.dh, 0)
        ow = _static_out_dim(g, w, kw, g.sw, g.dw, 1)
        return [n, oh, ow, self._out_channels(filter_dims)]

    def infer(self, op):
        fmt = op.attrs["data_format"]
        name = self.type
        if self.role == "forward":
            x, f = op.inputs
            _check_float(x, "input", name)
            check_same_dtype(name, x, f, "input", "filter")
            input_dims = _nhwc_dims(x.shape, fmt)
            filter_dims = _filter_dims(f)
            return [(x.dtype, _from_nhwc(self._forward_shape(op, input_dims, filter_dims), fmt))]
        if self.role == "input":
            sizes, f, dy = op.inputs
            _check_float(f, "filter", name)
            check_same_dtype(name, f, dy, "filter", "out_backprop")
            known = _static_sizes(sizes)
            input_dims = [None] * 4 if known is None else \
                (known if fmt == "NHWC" else [known[0], known[2], known[3], known[1]])
            filter_dims = _filter_dims(f)
            dy_dims = _nhwc_dims(dy.shape, fmt)
            expected = self._forward_shape(op, input_dims, filter_dims)
            _check_backprop_shape(expected, dy_dims, fmt, name)
            return [(f.dtype, _from_nhwc(input_dims, fmt))]
        x, sizes, dy = op.inputs
        _check_float(x, "input", name)
        check_same_dtype(name, x, dy, "input", "out_backprop")
        known = _static_sizes(sizes)
        filter_dims = [None] * 4 if known is None else known
        input_dims = _nhwc_dims(x.shape, fmt)
        dy_dims = _nhwc_dims(dy.shape, fmt)
        expected = self._forward_shape(op, input_dims, filter_dims)
        _check_backprop_shape(expected, dy_dims, fmt, name)
        return [(x.dtype, TensorShape(filter_dims))]

    def kernel(self, op, ctx):
        return self._kernel(op, ctx, None)

    def concurrent_kernel(self, op, ctx, submit):
        """The forward and input-gradient convolutions spread their batch tiles over this thread and the
        inter-op worker (`conv_algorithms.for_each_range`); each tile is computed as in one thread. The
        filter gradient sums over the batch, so it stays whole (splitting would change the sums' order)."""
        if self.depthwise or self.role == "filter" or ctx.xp is not np:
            return None
        return self._kernel(op, ctx, submit)

    def _kernel(self, op, ctx, spread):
        g = _Geometry(op.attrs, xp=ctx.xp)
        g.spread = spread
        if not self.depthwise:
            g.forced_algorithm = algorithms.forced_algorithm()
        xp = g.xp
        nchw = g.nchw
        forward, input_grad, filter_grad = (
            (_depthwise_forward, _depthwise_input_grad, _depthwise_filter_grad) if self.depthwise
            else (_conv_forward, _conv_input_grad, _conv_filter_grad))
        if self.role == "forward":
            if not nchw:
                return lambda x, f: forward(x, f, g)
            return lambda x, f: _from_nhwc_value(forward(_to_nhwc(x, True), f, g), True, xp)
        if self.role == "input":
            def run_input(sizes, f, dy):
                sizes = [int(v) for v in sizes]
                if nchw:
                    sizes = [sizes[0], sizes[2], sizes[3], sizes[1]]
                return _from_nhwc_value(input_grad(sizes, f, _to_nhwc(dy, nchw), g), nchw, xp)
            return run_input

        def run_filter(x, sizes, dy):
            return filter_grad(_to_nhwc(x, nchw), [int(v) for v in sizes], _to_nhwc(dy, nchw), g)
        return run_filter


def _filter_dims(f):
    if f.shape.ndims is None:
        return [None] * 4
    if f.shape.ndims != 4:
        raise ValueError("Shape must be rank 4 but is rank %d (filter %s)" % (f.shape.ndims, f.shape))
    return f.shape.as_list()


def _check_backprop_shape(expected, dy_dims, fmt, name):
    for e, d in zip(expected, dy_dims):
        if e is not None and d is not None and e != d:
            raise ValueError("%s: out_backprop shape %s does not match the computed output shape %s"
                             % (name, _from_nhwc(dy_dims, fmt), _from_nhwc(expected, fmt)))


def _attrs_of(op):
    return {k: op.attrs[k] for k in ("strides", "padding", "data_format", "dilations")}


@register
class Conv2D(_ConvBase):
    """2-D cross-correlation of a [batch, h, w, in] input with a [kh, kw, in, out] filter."""

    def grad(self, op, dy):
        x, f = op.inputs
        attrs = _attrs_of(op)
        return [make_tensor("Conv2DBackpropInput", [_shape_of(x), f, dy], attrs),
                make_tensor("Conv2DBackpropFilter", [x, _shape_of(f), dy], attrs)]


@register
class Conv2DBackpropInput(_ConvBase):
    """The gradient of Conv2D with respect to its input (also conv2d_transpose's forward)."""

    role = "input"
    host_inputs = (0,)      # input_sizes: read as Python ints

    def grad(self, op, ddx):
        sizes, f, dy = op.inputs
        attrs = _attrs_of(op)
        return [None, make_tensor("Conv2DBackpropFilter", [ddx, _shape_of(f), dy], attrs),
                make_tensor("Conv2D", [ddx, f], attrs)]


@register
class Conv2DBackpropFilter(_ConvBase):
    """The gradient of Conv2D with respect to its filter."""

    role = "filter"
    host_inputs = (1,)      # filter_sizes: read as Python ints

    def grad(self, op, ddf):
        x, sizes, dy = op.inputs
        attrs = _attrs_of(op)
        return [make_tensor("Conv2DBackpropInput", [_shape_of(x), ddf, dy], attrs), None,
                make_tensor("Conv2D", [x, ddf], attrs)]


@register
class DepthwiseConv2dNative(_ConvBase):
    """Depthwise 2-D convolution: each input channel convolved with its own `channel_multiplier` filters."""

    depthwise = True

    def grad(self, op, dy):
        x, f = op.inputs
        attrs = _attrs_of(op)
        return [make_tensor("DepthwiseConv2dNativeBackpropInput", [_shape_of(x), f, dy], attrs),
                make_tensor("DepthwiseConv2dNativeBackpropFilter", [x, _shape_of(f), dy], attrs)]


@register
class DepthwiseConv2dNativeBackpropInput(_ConvBase):
    """The gradient of DepthwiseConv2dNative with respect to its input."""

    depthwise = True
    role = "input"
    host_inputs = (0,)      # input_sizes: read as Python ints

    def grad(self, op, ddx):
        sizes, f, dy = op.inputs
        attrs = _attrs_of(op)
        return [None, make_tensor("DepthwiseConv2dNativeBackpropFilter", [ddx, _shape_of(f), dy], attrs),
                make_tensor("DepthwiseConv2dNative", [ddx, f], attrs)]


@register
class DepthwiseConv2dNativeBackpropFilter(_ConvBase):
    """The gradient of DepthwiseConv2dNative with respect to its filter."""

    depthwise = True
    role = "filter"
    host_inputs = (1,)      # filter_sizes: read as Python ints

    def grad(self, op, ddf):
        x, sizes, dy = op.inputs
        attrs = _attrs_of(op)
        return [make_tensor("DepthwiseConv2dNativeBackpropInput", [_shape_of(x), ddf, dy], attrs), None,
                make_tensor("DepthwiseConv2dNative", [x, ddf], attrs)]


def _float_input(value, name, dtype=None):
    return convert_to_tensor(value, dtype=dtype, name=name)


def conv2d(input, filter=None, strides=None, padding=None, use_cudnn_on_gpu=True,  # noqa: A002
           data_format="NHWC", dilations=None, name=None, filters=None):
    """`tf.nn.conv2d(input, filter, strides, padding, data_format='NHWC', dilations=None)`.

    Computes a 2-D convolution (cross-correlation) of a 4-D `input` [batch, in_height, in_width,
    in_channels] with a `filter` [filter_height, filter_width, in_channels, out_channels]. `strides` and
    `dilations` are ints or lists of 1, 2 or 4 ints (batch and depth entries must be 1); `padding` is
    'SAME', 'VALID' or an explicit list of [before, after] pairs per dimension. 'SAME' pads as TF does,
    the odd extra row/column going after. Returns [batch, out_height, out_width, out_channels].
    """
    if filter is None:
        filter = filters
    if filter is None:
        raise ValueError("conv2d needs a filter")
    if strides is None:
        raise ValueError("conv2d needs strides")
    if padding is None:
        raise ValueError("conv2d needs padding ('SAME' or 'VALID')")
    attrs = _conv_attrs(strides, padding, data_format, dilations, "Conv2D")
    x = _float_input(input, "input")
    f = _float_input(filter, "filter", dtype=x.dtype if not isinstance(filter, Tensor) else None)
    return make_tensor("Conv2D", [x, f], attrs, name=name or "Conv2D")


def conv2d_backprop_input(input_sizes, filter=None, out_backprop=None, strides=None,  # noqa: A002
                          padding=None, use_cudnn_on_gpu=True, data_format="NHWC", dilations=None,
                          name=None, filters=None):
    """`tf.nn.conv2d_backprop_input(input_sizes, filter, out_backprop, strides, padding)`: the gradient
    of conv2d with respect to its input, of shape `input_sizes`."""
    filter = filter if filter is not None else filters
    attrs = _conv_attrs(strides, padding, data_format, dilations, "Conv2DBackpropInput")
    dy = convert_to_tensor(out_backprop, name="out_backprop")
    f = convert_to_tensor(filter, dtype=dy.dtype if not isinstance(filter, Tensor) else None, name="filter")
    return make_tensor("Conv2DBackpropInput", [_sizes_tensor(input_sizes), f, dy], attrs,
                       name=name or "Conv2DBackpropInput")


def conv2d_backprop_filter(input, filter_sizes, out_backprop, strides, padding,  # noqa: A002
                           use_cudnn_on_gpu=True, data_format="NHWC", dilations=None, name=None):
    """`tf.nn.conv2d_backprop_filter(input, filter_sizes, out_backprop, strides, padding)`: the gradient
    of conv2d with respect to its filter, of shape `filter_sizes`."""
    attrs = _conv_attrs(strides, padding, data_format, dilations, "Conv2DBackpropFilter")
    x = convert_to_tensor(input, name="input")
    dy = convert_to_tensor(out_backprop, dtype=x.dtype if not isinstance(out_backprop, Tensor) else None,
                           name="out_backprop")
    return make_tensor("Conv2DBackpropFilter", [x, _sizes_tensor(filter_sizes), dy], attrs,
                       name=name or "Conv2DBackpropFilter")


def conv2d_transpose(value=None, filter=None, output_shape=None, strides=None, padding="SAME",  # noqa: A002
                     data_format="NHWC", name=None, input=None, filters=None, dilations=None):
    """`tf.nn.conv2d_transpose(value, filter, output_shape, strides, padding='SAME')`.

    The transpose (gradient) of conv2d: `value` [batch, h, w, in_channels] and `filter`
    [kh, kw, out_channels, in_channels] give a tensor of shape `output_shape`
    [batch, out_h, out_w, out_channels], where conv2d of that shape with the same strides and padding
    would produce `value`'s spatial size.
    """
    value = value if value is not None else input
    filter = filter if filter is not None else filters
    data_format = _data_format_of(data_format)
    with name_scope(name, "conv2d_transpose", [value, filter, output_shape]) as scope:
        x = convert_to_tensor(value, name="value")
        f = convert_to_tensor(filter, dtype=x.dtype if not isinstance(filter, Tensor) else None, name="filter")
        channel_axis = 3 if data_format == "NHWC" else 1
        in_c = x.shape[channel_axis].value if x.shape.ndims == 4 else None
        f_dims = _filter_dims(f)
        if in_c is not None and f_dims[3] is not None and in_c != f_dims[3]:
            raise ValueError("input channels does not match filter's input channels, %d != %d "
                             "(value shape %s, filter shape %s)" % (in_c, f_dims[3], x.shape, f.shape))
        sizes = _sizes_tensor(output_shape)
        if sizes.shape.ndims is not None and sizes.shape.ndims != 1 or \
                (sizes.shape.ndims == 1 and sizes.shape[0].value not in (None, 4)):
            raise ValueError("output_shape must have shape (4,), got %s" % sizes.shape)
        known = _static_sizes(sizes)
        if known is not None and known[channel_axis] is not None and f_dims[2] is not None \
                and known[channel_axis] != f_dims[2]:
            raise ValueError("output_shape does not match filter's output channels, %d != %d"
                             % (known[channel_axis], f_dims[2]))
        attrs = _conv_attrs(strides, padding, data_format, dilations, "conv2d_transpose")
        return make_tensor("Conv2DBackpropInput", [sizes, f, x], attrs, name=scope)


def depthwise_conv2d_native(input, filter, strides, padding, data_format="NHWC",  # noqa: A002
                            dilations=None, name=None):
    """`tf.nn.depthwise_conv2d_native(input, filter, strides, padding)`: `filter`
    [kh, kw, in_channels, channel_multiplier] applied per channel; output channels in * multiplier."""
    attrs = _conv_attrs(strides, padding, data_format, dilations, "DepthwiseConv2dNative")
    x = _float_input(input, "input")
    f = _float_input(filter, "filter", dtype=x.dtype if not isinstance(filter, Tensor) else None)
    return make_tensor("DepthwiseConv2dNative", [x, f], attrs, name=name or "DepthwiseConv2dNative")


def depthwise_conv2d(input, filter, strides, padding, rate=None, name=None,  # noqa: A002
                     data_format=None, dilations=None):
    """`tf.nn.depthwise_conv2d(input, filter, strides, padding, rate=None)`: depthwise convolution with
    `rate` ([rate_h, rate_w]) as the dilation; strides must be 1 when a rate is above 1."""
    data_format = _data_format_of(data_format)
    rate = rate if rate is not None else dilations
    if rate is not None:
        rate = [int(r) for r in (rate if isinstance(rate, (list, tuple)) else [rate, rate])]
        if len(rate) != 2:
            raise ValueError("rate must be a list of 2 ints, got %r" % (rate,))
        if any(r > 1 for r in rate) and any(s > 1 for s in _spatial(_sequence4(strides, "strides",
                                                                               data_format), data_format)):
            raise ValueError("strides > 1 not supported in conjunction with dilation_rate > 1")
    with name_scope(name, "depthwise", [input, filter]) as scope:
        return depthwise_conv2d_native(input, filter, strides, padding, data_format=data_format,
                                       dilations=rate, name=scope)


def depthwise_conv2d_native_backprop_input(input_sizes, filter, out_backprop, strides,  # noqa: A002
                                           padding, data_format="NHWC", dilations=None, name=None):
    """`tf.nn.depthwise_conv2d_native_backprop_input`: depthwise_conv2d's gradient for its input."""
    attrs = _conv_attrs(strides, padding, data_format, dilations, "DepthwiseConv2dNativeBackpropInput")
    dy = convert_to_tensor(out_backprop, name="out_backprop")
    f = convert_to_tensor(filter, dtype=dy.dtype if not isinstance(filter, Tensor) else None, name="filter")
    return make_tensor("DepthwiseConv2dNativeBackpropInput", [_sizes_tensor(input_sizes), f, dy], attrs,
                       name=name or "DepthwiseConv2dNativeBackpropInput")


def depthwise_conv2d_native_backprop_filter(input, filter_sizes, out_backprop, strides,  # noqa: A002
                                            padding, data_format="NHWC", dilations=None, name=None):
    """`tf.nn.depthwise_conv2d_native_backprop_filter`: depthwise_conv2d's gradient for its filter."""
    attrs = _conv_attrs(strides, padding, data_format, dilations, "DepthwiseConv2dNativeBackpropFilter")
    x = convert_to_tensor(input, name="input")
    dy = convert_to_tensor(out_backprop, dtype=x.dtype if not isinstance(out_backprop, Tensor) else None,
                           name="out_backprop")
    return make_tensor("DepthwiseConv2dNativeBackpropFilter", [x, _sizes_tensor(filter_sizes), dy], attrs,
                       name=name or "DepthwiseConv2dNativeBackpropFilter")


def separable_conv2d(input, depthwise_filter, pointwise_filter, strides, padding, rate=None,  # noqa: A002
                     name=None, data_format=None, dilations=None):
    """`tf.nn.separable_conv2d`: depthwise_conv2d followed by a 1x1 conv2d with `pointwise_filter`
    [1, 1, in_channels * channel_multiplier, out_channels]."""
    with name_scope(name, "separable_conv2d", [input, depthwise_filter, pointwise_filter]) as scope:
        depthwise = depthwise_conv2d(input, depthwise_filter, strides, padding, rate=rate,
                                     name="depthwise", data_format=data_format, dilations=dilations)
        return conv2d(depthwise, pointwise_filter, [1, 1, 1, 1], "VALID",
                      data_format=_data_format_of(data_format), name=scope)


# --- pooling -----------------------------------------------------------------------------------------
def _pool_attrs(ksize, strides, padding, data_format, op_name):
    data_format = _data_format_of(data_format)
    padding = _padding_of(padding)
    if not isinstance(padding, str):
        raise ValueError("%s supports only 'SAME' or 'VALID' padding, got %r" % (op_name, padding))
    ksize = _sequence4(ksize, "ksize", data_format)
    strides = _sequence4(strides, "strides", data_format)
    batch_axis, depth_axis = (0, 3) if data_format == "NHWC" else (0, 1)
    if ksize[batch_axis] != 1 or strides[batch_axis] != 1:
        raise ValueError("Pooling is not yet supported on the batch dimension (ksize %s, strides %s)."
                         % (ksize, strides))
    if ksize[depth_axis] != 1 or strides[depth_axis] != 1:
        raise ValueError("Pooling over the depth dimension is not supported (ksize %s, strides %s)."
                         % (ksize, strides))
    if min(ksize) < 1 or min(strides) < 1:
        raise ValueError("Sliding window ksize and strides must be >= 1, got %s and %s" % (ksize, strides))
    return {"ksize": ksize, "strides": strides, "padding": padding, "data_format": data_format}


def _pool_shape(op, input_shape):
    fmt = op.attrs["data_format"]
    g = _Geometry(op.attrs)
    n, h, w, c = _nhwc_dims(input_shape, fmt)
    return _from_nhwc([n, _static_out_dim(g, h, g.kh, g.sh, 1, 0), _static_out_dim(g, w, g.kw, g.sw, 1, 1), c],
                      fmt)


def _lowest(dtype):
    return -np.inf if np.issubdtype(dtype, np.floating) else np.iinfo(dtype).min


# Max pooling. MaxPoolGrad usually reads an input written long before (in the forward pass), so it is
# bound by memory traffic as much as by NumPy's passes: strided passes over a cold array run at a third
# of the speed of contiguous ones here. Both kernels therefore work a few images at a time: one
# contiguous copy brings a tile (padded as the geometry needs) into a cache-resident scratch buffer, and
# the strided per-window-position passes then read that. Measured at 1 thread in the deep MNIST CNN's
# training step (benchmarks/bench_pool.py, results/pool.txt).
#
# Tiles hold this many bytes of pooled output (the staged input is ksize times bigger). MaxPoolGrad in the
# step: 128K and 256K 1.92 ms, 64K 2.11, 32K 2.48 (NumPy's per-call cost); 512K and whole-batch tiles
# no longer stay in the cache.
_POOL_TILE_BYTES = 128 << 10
# MaxPool's input was usually just written by the op before it and is still in cache: staging it costs
# a copy for nothing (batch 50 of 28x28x32, 5 MB: 0.41 ms direct against 0.6 ms staged, in the training
# step). From about 10 MB on it is not (10 MB: 1.07 ms direct, 0.89 staged; the CNN's two pools at
# inference batch 1000: 23.4 ms direct, 13.9 staged).
_POOL_STAGE_MIN_BYTES = 8 << 20
# In a plan's concurrent variant, pools of inputs this large spread their images over the caller and the
# inter-op worker (see split_ranges); below it a thread round trip costs about what it saves.
_POOL_SPREAD_MIN_BYTES = 1 << 20
# Scratch buffers above this size are not kept between calls (a single huge image per tile).
_POOL_SCRATCH_KEEP_BYTES = 16 << 20
_pool_scratch = threading.local()


def _scratch(role, size, dtype, xp):
    """A flat scratch array of `size` elements for one pooling call: on the host a buffer kept per thread
    and `role` (never returned to callers), on a device a fresh one."""
    if xp is not np:
        return xp.empty(size, dtype)
    dtype = np.dtype(dtype)
    if size * dtype.itemsize > _POOL_SCRATCH_KEEP_BYTES:
        return np.empty(size, dtype)
    cache = getattr(_pool_scratch, "buffers", None)
    if cache is None:
        cache = _pool_scratch.buffers = {}
    buffer = cache.get((role, dtype))
    if buffer is None or buffer.size < size:
        buffer = cache[(role, dtype)] = np.empty(size, dtype)
    return buffer[:size]


def _shaped(flat, shape):
    """The leading elements of a flat scratch array as a contiguous array of `shape`."""
    size = 1
    for dim in shape:
        size *= dim
    return flat[:size].reshape(shape)


def _pool_tiles(n, pooled_image_bytes, xp):
    """[start, stop) image ranges of about _POOL_TILE_BYTES of pooled output, the first the largest; one
    tile on a device, where each pass is a kernel launch and there is no cache to fit."""
    if xp is not np:
        return [(0, n)]
    per_tile = max(1, _POOL_TILE_BYTES // max(pooled_image_bytes, 1))
    return [(start, min(start + per_tile, n)) for start in range(0, n, per_tile)]


def _stage(x_tile, buffer, pt, pl, lowest):
    """buffer [n, region_h, region_w, c] = x_tile's window region: padding (pt rows above, pl columns
    left, the rest below and right) filled with `lowest`, rows and columns past the region (VALID's
    remainder) left out."""
    _, h, w, _ = x_tile.shape
    _, region_h, region_w, _ = buffer.shape
    rows, cols = min(h, region_h - pt), min(w, region_w - pl)
    if pt or pl or rows + pt < region_h or cols + pl < region_w:
        buffer.fill(lowest)
    buffer[:, pt:pt + rows, pl:pl + cols, :] = x_tile[:, :rows, :cols, :]
    return buffer


def _window_positions(a, g, oh, ow, xp, writeable=False):
    """The [kh, kw, n, oh, ow, c] view of the windows of `g` over NHWC `a` from its top left corner:
    element [i, j, b, r, q, ch] is a[b, r * sh + i, q * sw + j, ch] (no copy). Writeable only where asked,
    for windows that do not overlap (no element seen twice)."""
    n, h, w, c = a.shape
    kh, kw, sh, sw = g.kh, g.kw, g.sh, g.sw
    if (sh, sw) == (kh, kw) and a.flags.c_contiguous and (h, w) == (oh * kh, ow * kw):
        # A reshape is a view here, and costs a microsecond against as_strided's ten.
        return a.reshape(n, oh, kh, ow, kw, c).transpose(2, 4, 0, 1, 3, 5)
    s0, s1, s2, s3 = a.strides
    shape = (kh, kw, n, oh, ow, c)
    strides = (s1, s2, s0, s1 * sh, s2 * sw, s3)
    if writeable:
        return as_strided(a, shape, strides) if xp is np else xp.lib.stride_tricks.as_strided(a, shape, strides)
    return _strided_view(a, shape, strides, xp)


def _max_pool_windows(padded, oh, ow, g, out):
    """out = the maximum over each window of an already padded NHWC array (any ksize and strides)."""
    for index in range(g.kh * g.kw):
        i, j = divmod(index, g.kw)
        view = _window(padded, i, j, oh, ow, g.sh, g.sw, 1, 1)
        if index == 0:
            np.copyto(out, view)
        else:
            np.maximum(out, view, out=out)
    return out


def _max_pool_nhwc(x, g, lowest):
    n, h, w, c = x.shape
    oh, ow, pt, pb, pl, pr = g.plan(h, w, g.kh, g.kw)
    xp = g.xp
    y = xp.empty((n, oh, ow, c), dtype=x.dtype)
    if xp is not np or x.nbytes < _POOL_STAGE_MIN_BYTES:
        padded = _pad(x, pt, pb, pl, pr, lowest, xp)
        if g.spread is None or x.nbytes < _POOL_SPREAD_MIN_BYTES:
            return _max_pool_windows(padded, oh, ow, g, y)

        def pool_halves(ranges):
            for start, stop in ranges:
                _max_pool_windows(padded[start:stop], oh, ow, g, y[start:stop])
        algorithms.split_ranges([(0, n // 2), (n // 2, n)], pool_halves, g.spread)
        return y
    region = (h + pt + pb, w + pl + pr)
    tiles = _pool_tiles(n, oh * ow * c * y.itemsize, xp)
    most = tiles[0][1] - tiles[0][0]

    def pool_tiles(ranges):
        staged = _scratch("input", most * region[0] * region[1] * c, x.dtype, xp)     # this thread's
        for start, stop in ranges:
            tile = _stage(x[start:stop], _shaped(staged, (stop - start,) + region + (c,)), pt, pl, lowest)
            _max_pool_windows(tile, oh, ow, g, y[start:stop])
    algorithms.split_ranges(tiles, pool_tiles, g.spread)
    return y


def _keep_first_hits(hits, seen):
    """Clears in hits [positions, m] (bool, in window order) every True after a column's first: a window's
    gradient goes to its first maximum, as in TF. `seen` [m] is scratch (None for two positions)."""
    positions = len(hits)
    for k in range(1, positions):
        np.greater(hits[k], hits[0] if k == 1 else seen, out=hits[k])      # a hit, and none before it
        if k + 1 < positions:
            if k == 1:
                np.logical_or(hits[0], hits[1], out=seen)
            else:
                np.logical_or(seen, hits[k], out=seen)


def _scatter_window_grads(grads, padded, g, oh, ow):
    """padded [n, region_h, region_w, c] = the sum of grads [kh, kw, n, oh, ow, c] at their window
    positions (overlapping windows add up). Where windows overlap (ksize >= strides), the positions
    i < sh, j < sw cover [0, oh * sh) x [0, ow * sw) once each: those are copied, only the strips below
    and right of that are zeroed, and the other positions added."""
    kh, kw, sh, sw = g.kh, g.kw, g.sh, g.sw
    covering = kh >= sh and kw >= sw
    if covering:
        padded[:, oh * sh:, :, :] = 0
        padded[:, :oh * sh, ow * sw:, :] = 0
    else:
        padded.fill(0)
    first = [(i, j) for i in range(min(kh, sh)) for j in range(min(kw, sw))] if covering else []
    rest = [(i, j) for i in range(kh) for j in range(kw) if (i, j) not in first]
    for i, j in first + rest:
        target = _window(padded, i, j, oh, ow, sh, sw, 1, 1)
        if (i, j) in first:
            np.copyto(target, grads[i, j])
        else:
            np.add(target, grads[i, j], out=target)


def _max_pool_grad_staged(x, y, dy, g, lowest):
    """MaxPoolGrad per tile of staged images: the hits of every window position against the pooled values
    in one comparison, the first hit of each window kept, the gradients scattered back; windows that tile
    the input (strides == ksize) in one copy, straight into the result where there is no padding."""
    n, h, w, c = x.shape
    kh, kw, sh, sw = g.kh, g.kw, g.sh, g.sw
    positions = kh * kw
    oh, ow, pt, pb, pl, pr = g.plan(h, w, kh, kw)
    xp = g.xp
    region = ((oh - 1) * sh + kh, (ow - 1) * sw + kw)        # the rows and columns windows read
    tiled = (sh, sw) == (kh, kw)
    direct = tiled and pt == 0 and pl == 0 and region[0] <= h and region[1] <= w
    covers = region[0] - pt >= h and region[1] - pl >= w
    dx = (xp.empty if covers else xp.zeros)((n, h, w, c), dtype=dy.dtype)
    if n == 0:
        return dx
    tiles = _pool_tiles(n, oh * ow * c * y.itemsize, xp)
    most = tiles[0][1] - tiles[0][0]
    pooled = most * oh * ow * c                                 # pooled elements of the largest tile
    region_size = most * region[0] * region[1] * c

    def gradient_tiles(ranges):
        # Scratch buffers are per thread: the inter-op worker has its own (see split_ranges).
        staged = _scratch("input", region_size, x.dtype, xp) if xp is np or not direct else None
        hits_flat = _scratch("hits", positions * pooled, bool, xp)
        grads_flat = _scratch("grads", positions * pooled, dy.dtype, xp)
        seen_flat = _scratch("seen", pooled, bool, xp) if positions > 2 else None
        padded_flat = None if direct else _scratch("padded_grad", region_size, dy.dtype, xp)
        for start, stop in ranges:
            t = stop - start
            tile_shape = (t,) + region + (c,)
            x_tile = x[start:stop] if staged is None else _stage(x[start:stop], _shaped(staged, tile_shape),
                                                                 pt, pl, lowest)
            hits = _shaped(hits_flat, (kh, kw, t, oh, ow, c))
            np.equal(_window_positions(x_tile, g, oh, ow, xp), y[start:stop], out=hits)
            _keep_first_hits(hits.reshape(positions, -1),
                             None if seen_flat is None else seen_flat[:t * oh * ow * c])
            grads = np.multiply(hits, dy[start:stop], out=_shaped(grads_flat, hits.shape))
            if direct:
                np.copyto(_window_positions(dx[start:stop], g, oh, ow, xp, writeable=True), grads)
                continue
            padded = _shaped(padded_flat, tile_shape)
            if tiled:
                np.copyto(_window_positions(padded, g, oh, ow, xp, writeable=True), grads)
            else:
                _scatter_window_grads(grads, padded, g, oh, ow)
            rows, cols = min(h, region[0] - pt), min(w, region[1] - pl)
            dx[start:stop, :rows, :cols, :] = padded[:, pt:pt + rows, pl:pl + cols, :]
    algorithms.split_ranges(tiles, gradient_tiles, g.spread if x.nbytes >= _POOL_SPREAD_MIN_BYTES else None)
    return dx


def _max_pool_grad_nhwc(x, y, dy, g, lowest):
    # On a device, overlapping or spaced windows keep the per-position loop: the staged kernel's
    # [kh, kw, ...] hits and gradients would be kh * kw pooled-size arrays in device memory at once.
    if g.xp is np or (g.sh, g.sw) == (g.kh, g.kw):
        return _max_pool_grad_staged(x, y, dy, g, lowest)
    return _max_pool_grad_windows(x, y, dy, g, lowest)


def _max_pool_grad_windows(x, y, dy, g, lowest):
    """MaxPoolGrad for any windows (overlapping ones accumulate), one kernel position at a time."""
    n, h, w, c = x.shape
    oh, ow, pt, pb, pl, pr = g.plan(h, w, g.kh, g.kw)
    padded = _pad(x, pt, pb, pl, pr, lowest, g.xp)
    disjoint = g.sh >= g.kh and g.sw >= g.kw
    dxp = g.xp.zeros(padded.shape, dtype=dy.dtype)
    remaining = None        # windows whose maximum is not yet found (the first one in a tie wins)
    positions = g.kh * g.kw
    hit = g.xp.empty(y.shape, dtype=bool)
    for index in range(positions):
        i, j = divmod(index, g.kw)
        np.equal(_window(padded, i, j, oh, ow, g.sh, g.sw, 1, 1), y, out=hit)
        if remaining is not None:
            np.logical_and(hit, remaining, out=hit)
        target = _window(dxp, i, j, oh, ow, g.sh, g.sw, 1, 1)
        if disjoint:
            np.multiply(dy, hit, out=target)
        else:
            target += dy * hit
        if index + 1 < positions:
            if remaining is None:
                remaining = ~hit
            else:
                np.greater(remaining, hit, out=remaining)       # remaining and not hit
    return _unpad(dxp, pt, pl, h, w, g.xp)


def _avg_counts(g, h, w, dtype):
    oh, ow, pt, pb, pl, pr = g.plan(h, w, g.kh, g.kw)
    rows = np.array([min(o * g.sh - pt + g.kh, h) - max(o * g.sh - pt, 0) for o in range(oh)])
    cols = np.array([min(o * g.sw - pl + g.kw, w) - max(o * g.sw - pl, 0) for o in range(ow)])
    counts = (rows[:, None] * cols[None, :]).astype(dtype)[None, :, :, None]
    return counts if g.xp is np else g.xp.asarray(counts)


def _avg_pool_nhwc(x, g, counts_cache):
    n, h, w, c = x.shape
    oh, ow, pt, pb, pl, pr = g.plan(h, w, g.kh, g.kw)
    padded = _pad(x, pt, pb, pl, pr, xp=g.xp)
    total = None
    for i in range(g.kh):
        for j in range(g.kw):
            view = _window(padded, i, j, oh, ow, g.sh, g.sw, 1, 1)
            if total is None:
                total = view.copy()
            else:
                np.add(total, view, out=total)
    counts = counts_cache.get((h, w))
    if counts is None:
        counts = counts_cache[(h, w)] = _avg_counts(g, h, w, x.dtype)
    return np.divide(total, counts, out=total)


def _avg_pool_grad_nhwc(sizes, dy, g, counts_cache):
    n, h, w, c = sizes
    oh, ow, pt, pb, pl, pr = g.plan(h, w, g.kh, g.kw)
    if dy.shape != (n, oh, ow, c):
        raise ValueError("AvgPoolGrad: grad shape %s does not match the pooled shape %s"
                         % (list(dy.shape), [n, oh, ow, c]))
    counts = counts_cache.get((h, w))
    if counts is None:
        counts = counts_cache[(h, w)] = _avg_counts(g, h, w, dy.dtype)
    share = dy / counts
    dxp = g.xp.zeros((n, h + pt + pb, w + pl + pr, c), dtype=dy.dtype)
    for i in range(g.kh):
        for j in range(g.kw):
            view = _window(dxp, i, j, oh, ow, g.sh, g.sw, 1, 1)
            np.add(view, share, out=view)
    return _unpad(dxp, pt, pl, h, w, g.xp)


def _pool_attrs_of(op):
    return {k: op.attrs[k] for k in ("ksize", "strides", "padding", "data_format")}


@register
class MaxPool(OpDef):
    """The maximum over each ksize window."""

    def infer(self, op):
        x = op.inputs[0]
        if not (x.dtype.is_floating or x.dtype.is_integer):
            raise TypeError("Value passed to parameter 'input' has DataType %s not in list of allowed "
                            "values for MaxPool" % x.dtype.name)
        return [(x.dtype, _pool_shape(op, x.shape))]

    def kernel(self, op, ctx):
        return self._kernel(op, ctx, None)

    def concurrent_kernel(self, op, ctx, submit):
        """Large inputs' images spread over this thread and the inter-op worker (the same values)."""
        return self._kernel(op, ctx, submit) if ctx.xp is np else None

    def _kernel(self, op, ctx, spread):
        g = _Geometry(op.attrs, xp=ctx.xp)
        g.spread = spread
        lowest = _lowest(op.inputs[0].dtype.np)
        if not g.nchw:
            return lambda x: _max_pool_nhwc(x, g, lowest)
        return lambda x: _from_nhwc_value(_max_pool_nhwc(_to_nhwc(x, True), g, lowest), True, g.xp)

    def grad(self, op, dy):
        return [make_tensor("MaxPoolGrad", [op.inputs[0], op.outputs[0], dy], _pool_attrs_of(op))]


def _max_pool_grad_signature(op_type, op, pooled_shape):
    """The shape rule of a max pool's gradient (orig_input, orig_output, grad): the input's dtype and shape,
    with orig_output and grad of the pooled shape."""
    x, y, dy = op.inputs
    check_same_dtype(op_type, x, dy, "orig_input", "grad")
    expected = pooled_shape(op, x.shape)
    if not expected.is_compatible_with(dy.shape) or not expected.is_compatible_with(y.shape):
        raise ValueError("%s: grad shape %s and orig_output shape %s must be the pooled shape %s"
                         % (op_type, dy.shape, y.shape, expected))
    return [(x.dtype, x.shape)]


@register
class MaxPoolGrad(OpDef):
    """MaxPool's gradient: each window's gradient goes to its maximum (the first one in a tie)."""

    # No second-order gradient: tf.gradients through it raises LookupError rather than
    # silently treating it as a constant.

    def infer(self, op):
        return _max_pool_grad_signature(self.type, op, _pool_shape)

    def kernel(self, op, ctx):
        return self._kernel(op, ctx, None)

    def concurrent_kernel(self, op, ctx, submit):
        """Large inputs' image tiles spread over this thread and the inter-op worker (the same values)."""
        return self._kernel(op, ctx, submit) if ctx.xp is np else None

    def _kernel(self, op, ctx, spread):
        g = _Geometry(op.attrs, xp=ctx.xp)
        g.spread = spread
        nchw = g.nchw
        lowest = _lowest(op.inputs[0].dtype.np)

        def run(x, y, dy):
            return _from_nhwc_value(_max_pool_grad_nhwc(_to_nhwc(x, nchw), _to_nhwc(y, nchw),
                                                        _to_nhwc(dy, nchw), g, lowest), nchw, g.xp)
        return run


@register
class AvgPool(OpDef):
    """The mean over each ksize window; SAME windows divide by their count of non-padding elements."""

    def infer(self, op):
        x = op.inputs[0]
        _check_float(x, "value", self.type)
        return [(x.dtype, _pool_shape(op, x.shape))]

    def kernel(self, op, ctx):
        g = _Geometry(op.attrs, xp=ctx.xp)
        cache = {}
        if not g.nchw:
            return lambda x: _avg_pool_nhwc(x, g, cache)
        return lambda x: _from_nhwc_value(_avg_pool_nhwc(_to_nhwc(x, True), g, cache), True, g.xp)

    def grad(self, op, dy):
        return [make_tensor("AvgPoolGrad", [_shape_of(op.inputs[0]), dy], _pool_attrs_of(op))]


@register
class AvgPoolGrad(OpDef):
    """AvgPool's gradient: each window's gradient shared equally by the elements it averaged."""

    def infer(self, op):
        sizes, dy = op.inputs
        _check_float(dy, "grad", self.type)
        known = _static_sizes(sizes)
        shape = TensorShape([None] * 4 if known is None else known)
        expected = _pool_shape(op, shape)
        if not expected.is_compatible_with(dy.shape):
            raise ValueError("AvgPoolGrad: grad shape %s must be the pooled shape %s" % (dy.shape, expected))
        return [(dy.dtype, shape)]

    def kernel(self, op, ctx):
        g = _Geometry(op.attrs, xp=ctx.xp)
        nchw = g.nchw
        cache = {}

        def run(sizes, dy):
            sizes = [int(v) for v in sizes]
            if nchw:
                sizes = [sizes[0], sizes[2], sizes[3], sizes[1]]
            return _from_nhwc_value(_avg_pool_grad_nhwc(sizes, _to_nhwc(dy, nchw), g, cache), nchw, g.xp)
        return run

    def grad(self, op, ddx):
        return [None, make_tensor("AvgPool", [ddx], _pool_attrs_of(op))]


def max_pool(value, ksize, strides, padding, data_format="NHWC", name=None, input=None):  # noqa: A002
    """`tf.nn.max_pool(value, ksize, strides, padding, data_format='NHWC')`: the maximum of each
    `ksize` window moved by `strides` ('SAME' windows ignore the padding). The gradient goes to each
    window's maximum, the first one in row-major order when several are equal, as in TF."""
    value = value if value is not None else input
    attrs = _pool_attrs(ksize, strides, padding, data_format, "MaxPool")
    return make_tensor("MaxPool", [convert_to_tensor(value, name="input")], attrs, name=name or "MaxPool")


def max_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    """`tf.nn.max_pool2d(input, ksize, strides, padding)`: as max_pool."""
    return max_pool(input, ksize, strides, padding, data_format=data_format, name=name)


def avg_pool(value, ksize, strides, padding, data_format="NHWC", name=None, input=None):  # noqa: A002
    """`tf.nn.avg_pool(value, ksize, strides, padding, data_format='NHWC')`: the mean of each window;
    with 'SAME' padding a border window averages only its elements inside the input, as in TF."""
    value = value if value is not None else input
    attrs = _pool_attrs(ksize, strides, padding, data_format, "AvgPool")
    return make_tensor("AvgPool", [convert_to_tensor(value, name="value")], attrs, name=name or "AvgPool")


def avg_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    """`tf.nn.avg_pool2d(input, ksize, strides, padding)`: as avg_pool."""
    return avg_pool(input, ksize, strides, padding, data_format=data_format, name=name)


def max_pool_grad(orig_input, orig_output, grad, ksize, strides, padding, data_format="NHWC", name=None):
    """The gradient of max_pool (TF's `gen_nn_ops.max_pool_grad`)."""
    attrs = _pool_attrs(ksize, strides, padding, data_format, "MaxPoolGrad")
    return make_tensor("MaxPoolGrad", [convert_to_tensor(orig_input), convert_to_tensor(orig_output),
                                       convert_to_tensor(grad)], attrs, name=name or "MaxPoolGrad")


# --- normalization -----------------------------------------------------------------------------------
@register
class FusedBatchNorm(OpDef):
    """Batch normalization over all axes but the channel one: outputs y, the batch mean and variance
    (training: the variance with Bessel's correction, as TF) and the saved mean and 1/sqrt(var + eps)."""

    def infer(self, op):
        x, scale, offset, mean, variance = op.inputs
        _check_float(x, "x", self.type)
        fmt = op.attrs["data_format"]
        dims = _nhwc_dims(x.shape, fmt)
        c = Dimension(dims[3])
        checked = ((scale, "scale"), (offset, "offset")) if op.attrs["is_training"] else \
            ((scale, "scale"), (offset, "offset"), (mean, "mean"), (variance, "variance"))
        for t, label in checked:
            if t.shape.ndims not in (None, 1):
                raise ValueError("%s must be 1-dimensional, got shape %s" % (label, t.shape))
            if t.shape.ndims == 1:
                if not c.is_compatible_with(t.shape[0]):
                    raise ValueError("%s must have the channel size %s, got shape %s" % (label, c, t.shape))
                c = c.merge_with(t.shape[0])
        vec = TensorShape([c])
        return [(x.dtype, x.shape), (scale.dtype, vec), (scale.dtype, vec), (scale.dtype, vec),
                (scale.dtype, vec)]

    def kernel(self, op, ctx):
        xp = ctx.xp
        eps = op.attrs["epsilon"]
        training = op.attrs["is_training"]
        axes = (0, 1, 2) if op.attrs["data_format"] == "NHWC" else (0, 2, 3)
        nchw = op.attrs["data_format"] == "NCHW"

        def run(x, scale, offset, mean, variance):
            shape = (1, -1, 1, 1) if nchw else (1, 1, 1, -1)
            if training:
                count = x.size // max(x.shape[3 if not nchw else 1], 1)
                mean = x.mean(axis=axes)
                variance = x.var(axis=axes)
                batch_var = variance * (count / max(count - 1, 1))
            else:
                batch_var = variance
            inv = 1.0 / np.sqrt(variance + eps)
            gain = (scale * inv).astype(x.dtype)
            y = x * gain.reshape(shape) + (offset - mean * scale * inv).astype(x.dtype).reshape(shape)
            dtype = op.outputs[1].dtype.np
            return (y.astype(x.dtype, copy=False), xp.asarray(mean, dtype=dtype),
                    xp.asarray(batch_var, dtype=dtype), xp.asarray(mean, dtype=dtype),
                    xp.asarray(inv, dtype=dtype))
        return run

    def grad(self, op, dy, *unused):
        x, scale = op.inputs[0], op.inputs[1]
        outs = make_op("FusedBatchNormGrad", [dy, x, scale, op.outputs[3], op.outputs[4]],
                       {k: op.attrs[k] for k in ("epsilon", "is_training", "data_format")}).outputs
        return [outs[0], outs[1], outs[2], None, None]


@register
class FusedBatchNormGrad(OpDef):
    """FusedBatchNorm's gradients for x, scale and offset."""

    # No second-order gradient: tf.gradients through it raises LookupError rather than
    # silently treating it as a constant.

    def infer(self, op):
        dy, x, scale, saved_mean, saved_inv = op.inputs
        return [(x.dtype, x.shape), (scale.dtype, scale.shape), (scale.dtype, scale.shape)]

    def kernel(self, op, ctx):
        training = op.attrs["is_training"]
        nchw = op.attrs["data_format"] == "NCHW"
        axes = (0, 2, 3) if nchw else (0, 1, 2)
        shape = (1, -1, 1, 1) if nchw else (1, 1, 1, -1)

        def run(dy, x, scale, mean, inv):
            xhat = (x - mean.reshape(shape)) * inv.reshape(shape)
            dscale = np.sum(dy * xhat, axis=axes)
            doffset = np.sum(dy, axis=axes)
            if training:
                count = x.size // max(x.shape[1 if nchw else 3], 1)
                dx = (scale * inv).reshape(shape) / count * (
                    count * dy - doffset.reshape(shape) - xhat * dscale.reshape(shape))
            else:
                dx = dy * (scale * inv).reshape(shape)
            return (dx.astype(x.dtype, copy=False), dscale.astype(scale.dtype, copy=False),
                    doffset.astype(scale.dtype, copy=False))
        return run


def fused_batch_norm(x, scale, offset, mean=None, variance=None, epsilon=0.001, data_format="NHWC",
                     is_training=True, name=None):
    """`tf.nn.fused_batch_norm(x, scale, offset, mean=None, variance=None, epsilon=0.001,
    data_format='NHWC', is_training=True)`: batch normalization of a 4-D `x` over all but the channel
    axis; returns (y, batch_mean, batch_variance). Training computes the statistics of the batch (the
    returned variance has Bessel's correction); inference uses the given `mean` and `variance`."""
    data_format = _data_format_of(data_format)
    with name_scope(name, "FusedBatchNorm", [x, scale, offset]):
        x = convert_to_tensor(x, name="input")
        scale = convert_to_tensor(scale, name="scale")
        offset = convert_to_tensor(offset, dtype=scale.dtype, name="offset")
        if not is_training and (mean is None or variance is None):
            raise ValueError("Both 'mean' and 'variance' must be a 1-D tensor when is_training is False.")
        from .array import zeros
        mean = convert_to_tensor(mean, dtype=scale.dtype) if mean is not None else zeros([0], scale.dtype)
        variance = convert_to_tensor(variance, dtype=scale.dtype) if variance is not None \
            else zeros([0], scale.dtype)
        epsilon = max(float(epsilon), 1.001e-5)
        op = make_op("FusedBatchNorm", [x, scale, offset, mean, variance],
                     {"epsilon": epsilon, "is_training": bool(is_training), "data_format": data_format})
        return op.outputs[0], op.outputs[1], op.outputs[2]


# =====================================================================================================
# 1-D and 3-D convolution and pooling, dilated (atrous) convolution, N-d dispatchers.
#
# 1-D ops are 2-D ops on a height-1 image (TF builds them the same way), so they share Conv2D's kernels
# and gradients. 3-D ops are registered under TF's names, but their kernels run the 2-D kernels on
# depth slabs: the depth window position i of a convolution selects the input slab x[:, i*dd + od*sd]
# (od over the output depths), folded into the batch, convolved with filter[i] and summed over i.
# Max and average pooling are separable, so a 3-D pool is a 2-D pool over (height, width) followed by a
# 2-D pool over (depth, 1) of the result; SAME border counts of an average factor the same way.
# =====================================================================================================
__all__ += ["conv1d", "conv1d_transpose", "conv3d", "conv3d_transpose", "conv3d_backprop_filter",
            "conv3d_backprop_filter_v2", "conv3d_backprop_input_v2", "convolution", "conv_transpose",
            "atrous_conv2d", "atrous_conv2d_transpose", "depthwise_conv2d_backprop_filter",
            "depthwise_conv2d_backprop_input", "max_pool1d", "avg_pool1d", "max_pool3d", "avg_pool3d",
            "max_pool_v2", "avg_pool_v2", "pool", "max_pool_with_argmax"]


def _data_format3d_of(data_format):
    if isinstance(data_format, bytes):
        data_format = data_format.decode()
    if data_format is None:
        return "NDHWC"
    if data_format not in ("NDHWC", "NCDHW"):
        raise ValueError("Value for attr 'data_format' of \"%s\" is not in the list of allowed values: "
                         "\"NDHWC\", \"NCDHW\"" % (data_format,))
    return data_format


def _sequence5(value, name, data_format, default=1):
    """An int or a list of 1, 3 or 5 ints as the 5 per-dimension values of a 3-D op."""
    if value is None:
        value = default
    if isinstance(value, (int, np.integer)):
        value = [int(value)]
    value = [int(v) for v in value]
    if len(value) == 5:
        return value
    if len(value) in (1, 3):
        spatial = (1, 2, 3) if data_format == "NDHWC" else (2, 3, 4)
        full = [1] * 5
        for axis, v in zip(spatial, value * (3 if len(value) == 1 else 1)):
            full[axis] = v
        return full
    raise ValueError("%s should be of length 1, 3 or 5 but was %d" % (name, len(value)))


def _spatial3(values, data_format):
    return tuple(values[1:4]) if data_format == "NDHWC" else tuple(values[2:5])


def _conv3d_attrs(strides, padding, data_format, dilations, op_name):
    data_format = _data_format3d_of(data_format)
    padding = _padding_of(padding)
    if not isinstance(padding, str):
        raise ValueError("%s supports only 'SAME' or 'VALID' padding, got %r" % (op_name, padding))
    strides = _sequence5(strides, "strides", data_format)
    dilations = _sequence5(dilations, "dilations", data_format)
    batch_axis, depth_axis = (0, 4) if data_format == "NDHWC" else (0, 1)
    if strides[batch_axis] != 1 or strides[depth_axis] != 1:
        raise ValueError("Current implementation does not yet support strides in the batch and depth "
                         "dimensions (%s strides %s)." % (op_name, strides))
    if dilations[batch_axis] != 1 or dilations[depth_axis] != 1:
        raise ValueError("Current implementation does not yet support dilations in the batch and depth "
                         "dimensions (%s dilations %s)." % (op_name, dilations))
    if min(strides) < 1 or min(dilations) < 1:
        raise ValueError("%s: strides and dilations must be >= 1, got %s and %s"
                         % (op_name, strides, dilations))
    return {"strides": strides, "padding": padding, "data_format": data_format, "dilations": dilations}


class _Geometry3D:
    """A 3-D windowed op as a 2-D geometry over (height, width) plus the depth axis's constants."""

    def __init__(self, attrs, xp=np):
        self.xp = xp
        fmt = attrs["data_format"]
        self.ncdhw = fmt == "NCDHW"
        sd, sh, sw = _spatial3(attrs["strides"], fmt)
        dd, dh, dw = _spatial3(attrs.get("dilations", [1] * 5), fmt)
        self.sd, self.dd = sd, dd
        hw = {"strides": [1, sh, sw, 1], "dilations": [1, dh, dw, 1], "padding": attrs["padding"],
              "data_format": "NHWC"}
        if "ksize" in attrs:
            kd, kh, kw = _spatial3(attrs["ksize"], fmt)
            self.kd = kd
            hw["ksize"] = [1, kh, kw, 1]
            # The depth pass of a separable pool: a (kd, 1) window over [n, depth, h*w, c].
            self.depth = _Geometry({"ksize": [1, kd, 1, 1], "strides": [1, sd, 1, 1],
                                    "padding": attrs["padding"], "data_format": "NHWC"}, xp=xp)
        self.hw = _Geometry(hw, xp=xp)

    def depth_plan(self, size, k):
        """(out, pad_before, pad_after) along depth."""
        return self.hw.dim(size, k, self.sd, self.dd, 0)


def _to_ndhwc(x, ncdhw):
    return np.transpose(x, (0, 2, 3, 4, 1)) if ncdhw else x


def _from_ndhwc_value(x, ncdhw, xp=np):
    return xp.ascontiguousarray(np.transpose(x, (0, 4, 1, 2, 3))) if ncdhw else x


def _ndhwc_dims(shape, data_format, what="input"):
    if shape.ndims is None:
        return [None] * 5
    if shape.ndims != 5:
        raise ValueError("Shape must be rank 5 but is rank %d (%s %s)" % (shape.ndims, what, shape))
    dims = shape.as_list()
    return [dims[0], dims[2], dims[3], dims[4], dims[1]] if data_format == "NCDHW" else dims


def _from_ndhwc(dims, data_format):
    if data_format == "NCDHW":
        return TensorShape([dims[0], dims[4], dims[1], dims[2], dims[3]])
    return TensorShape(dims)


def _pad_depth(x, before, after, xp=np):
    if not (before or after):
        return x
    out = xp.zeros((x.shape[0], x.shape[1] + before + after) + x.shape[2:], dtype=x.dtype)
    out[:, before:before + x.shape[1]] = x
    return out


def _depth_slab(padded, i, od, sd, dd):
    """The [n, od, ...] view of the depth-padded input seen by depth window position i."""
    return padded[:, i * dd: i * dd + (od - 1) * sd + 1: sd]


def _conv3d_forward(x, f, g):
    n, d, h, w, c = x.shape
    kd, kh, kw, fc, o = f.shape
    if fc != c:
        raise ValueError("input depth must be evenly divisible by filter depth: %d vs %d" % (c, fc))
    od, front, back = g.depth_plan(d, kd)
    padded = _pad_depth(x, front, back, g.xp)
    y = None
    for i in range(kd):
        slab = _depth_slab(padded, i, od, g.sd, g.dd).reshape(n * od, h, w, c)
        part = _conv_forward(slab, f[i], g.hw)
        y = part if y is None else np.add(y, part, out=y)
    return y.reshape((n, od) + y.shape[1:])


def _conv3d_check_dy(dy, expected, name):
    if dy.shape != tuple(expected):
        raise ValueError("%s: out_backprop shape %s does not match the computed output shape %s"
                         % (name, list(dy.shape), list(expected)))


def _conv3d_input_grad(sizes, f, dy, g):
    n, d, h, w, c = sizes
    kd = f.shape[0]
    od, front, back = g.depth_plan(d, kd)
    _conv3d_check_dy(dy, (n, od) + dy.shape[2:4] + (f.shape[4],), "Conv3DBackpropInputV2")
    dxp = g.xp.zeros((n, d + front + back, h, w, c), dtype=dy.dtype)
    dy2 = dy.reshape((n * od,) + dy.shape[2:])
    for i in range(kd):
        part = _conv_input_grad([n * od, h, w, c], f[i], dy2, g.hw).reshape(n, od, h, w, c)
        view = _depth_slab(dxp, i, od, g.sd, g.dd)
        np.add(view, part, out=view)
    return dxp if not (front or back) else g.xp.ascontiguousarray(dxp[:, front:front + d])


def _conv3d_filter_grad(x, sizes, dy, g):
    n, d, h, w, c = x.shape
    kd, kh, kw, _, o = sizes
    od, front, back = g.depth_plan(d, kd)
    _conv3d_check_dy(dy, (n, od) + dy.shape[2:4] + (o,), "Conv3DBackpropFilterV2")
    padded = _pad_depth(x, front, back, g.xp)
    dy2 = dy.reshape((n * od,) + dy.shape[2:])
    df = g.xp.empty((kd, kh, kw, c, o), dtype=dy.dtype)
    for i in range(kd):
        slab = _depth_slab(padded, i, od, g.sd, g.dd).reshape(n * od, h, w, c)
        df[i] = _conv_filter_grad(slab, [kh, kw, c, o], dy2, g.hw)
    return df


def _filter5_dims(f):
    if f.shape.ndims is None:
        return [None] * 5
    if f.shape.ndims != 5:
        raise ValueError("Shape must be rank 5 but is rank %d (filter %s)" % (f.shape.ndims, f.shape))
    return f.shape.as_list()


def _static_sizes5(tensor):
    return _static_sizes(tensor, rank=5)


class _Conv3DBase(OpDef):
    """Shared shape rules of Conv3D and its two backprop ops (TF's V2 forms, which take sizes)."""

    role = "forward"

    def _forward_shape(self, op, input_dims, filter_dims):
        g = _Geometry3D(op.attrs)
        n, d, h, w, c = input_dims
        kd, kh, kw, fc, o = filter_dims
        if c is not None and fc is not None and c != fc:
            raise ValueError("Dimensions must be equal, but are %d and %d" % (c, fc))
        od = _static_out_dim(g.hw, d, kd, g.sd, g.dd, 0)
        oh = _static_out_dim(g.hw, h, kh, g.hw.sh, g.hw.dh, 0)
        ow = _static_out_dim(g.hw, w, kw, g.hw.sw, g.hw.dw, 1)
        return [n, od, oh, ow, o]

    def _check_dy(self, expected, dy_dims, fmt):
        for e, v in zip(expected, dy_dims):
            if e is not None and v is not None and e != v:
                raise ValueError("%s: out_backprop shape %s does not match the computed output shape %s"
                                 % (self.type, _from_ndhwc(dy_dims, fmt), _from_ndhwc(expected, fmt)))

    def infer(self, op):
        fmt = op.attrs["data_format"]
        name = self.type
        if self.role == "forward":
            x, f = op.inputs
            _check_float(x, "input", name)
            check_same_dtype(name, x, f, "input", "filter")
            dims = self._forward_shape(op, _ndhwc_dims(x.shape, fmt), _filter5_dims(f))
            return [(x.dtype, _from_ndhwc(dims, fmt))]
        if self.role == "input":
            sizes, f, dy = op.inputs
            _check_float(f, "filter", name)
            check_same_dtype(name, f, dy, "filter", "out_backprop")
            known = _static_sizes5(sizes)
            input_dims = [None] * 5 if known is None else \
                (known if fmt == "NDHWC" else [known[0], known[2], known[3], known[4], known[1]])
            expected = self._forward_shape(op, input_dims, _filter5_dims(f))
            self._check_dy(expected, _ndhwc_dims(dy.shape, fmt, "out_backprop"), fmt)
            return [(f.dtype, _from_ndhwc(input_dims, fmt))]
        x, sizes, dy = op.inputs
        _check_float(x, "input", name)
        check_same_dtype(name, x, dy, "input", "out_backprop")
        known = _static_sizes5(sizes)
        filter_dims = [None] * 5 if known is None else known
        expected = self._forward_shape(op, _ndhwc_dims(x.shape, fmt), filter_dims)
        self._check_dy(expected, _ndhwc_dims(dy.shape, fmt, "out_backprop"), fmt)
        return [(x.dtype, TensorShape(filter_dims))]

    def kernel(self, op, ctx):
        g = _Geometry3D(op.attrs, xp=ctx.xp)
        xp = g.xp
        ncdhw = g.ncdhw
        if self.role == "forward":
            return lambda x, f: _from_ndhwc_value(_conv3d_forward(_to_ndhwc(x, ncdhw), f, g), ncdhw, xp)
        if self.role == "input":
            def run_input(sizes, f, dy):
                sizes = [int(v) for v in sizes]
                if ncdhw:
                    sizes = [sizes[0], sizes[2], sizes[3], sizes[4], sizes[1]]
                return _from_ndhwc_value(_conv3d_input_grad(sizes, f, _to_ndhwc(dy, ncdhw), g), ncdhw, xp)
            return run_input

        def run_filter(x, sizes, dy):
            return _conv3d_filter_grad(_to_ndhwc(x, ncdhw), [int(v) for v in sizes], _to_ndhwc(dy, ncdhw), g)
        return run_filter


@register
class Conv3D(_Conv3DBase):
    """3-D cross-correlation of a [batch, d, h, w, in] input with a [kd, kh, kw, in, out] filter."""

    def grad(self, op, dy):
        x, f = op.inputs
        attrs = _attrs_of(op)
        return [make_tensor("Conv3DBackpropInputV2", [_shape_of(x), f, dy], attrs),
                make_tensor("Conv3DBackpropFilterV2", [x, _shape_of(f), dy], attrs)]


@register
class Conv3DBackpropInputV2(_Conv3DBase):
    """The gradient of Conv3D with respect to its input (also conv3d_transpose's forward)."""

    role = "input"
    host_inputs = (0,)      # input_sizes: read as Python ints

    def grad(self, op, ddx):
        sizes, f, dy = op.inputs
        attrs = _attrs_of(op)
        return [None, make_tensor("Conv3DBackpropFilterV2", [ddx, _shape_of(f), dy], attrs),
                make_tensor("Conv3D", [ddx, f], attrs)]


@register
class Conv3DBackpropFilterV2(_Conv3DBase):
    """The gradient of Conv3D with respect to its filter."""

    role = "filter"
    host_inputs = (1,)      # filter_sizes: read as Python ints

    def grad(self, op, ddf):
        x, sizes, dy = op.inputs
        attrs = _attrs_of(op)
        return [make_tensor("Conv3DBackpropInputV2", [_shape_of(x), ddf, dy], attrs), None,
                make_tensor("Conv3D", [x, ddf], attrs)]


def _typed_pair(first, second, first_name, second_name):
    x = convert_to_tensor(first, name=first_name)
    y = convert_to_tensor(second, dtype=x.dtype if not isinstance(second, Tensor) else None, name=second_name)
    return x, y


def conv3d(input, filter=None, strides=None, padding=None, data_format="NDHWC",  # noqa: A002
           dilations=(1, 1, 1, 1, 1), name=None, filters=None):
    """`tf.nn.conv3d(input, filter, strides, padding, data_format='NDHWC', dilations=[1, 1, 1, 1, 1])`.

    3-D convolution (cross-correlation) of a 5-D `input` [batch, in_depth, in_height, in_width,
    in_channels] with a `filter` [filter_depth, filter_height, filter_width, in_channels, out_channels].
    `strides` and `dilations` have 5 entries (batch and channel ones must be 1); `padding` is 'SAME' or
    'VALID'. Returns [batch, out_depth, out_height, out_width, out_channels].
    """
    filter = filter if filter is not None else filters
    if filter is None or strides is None or padding is None:
        raise ValueError("conv3d needs a filter, strides and padding")
    attrs = _conv3d_attrs(strides, padding, data_format, dilations, "Conv3D")
    x, f = _typed_pair(input, filter, "input", "filter")
    return make_tensor("Conv3D", [x, f], attrs, name=name or "Conv3D")


def conv3d_backprop_filter_v2(input, filter_sizes, out_backprop, strides, padding,  # noqa: A002
                              data_format="NDHWC", dilations=(1, 1, 1, 1, 1), name=None):
    """`tf.nn.conv3d_backprop_filter_v2(input, filter_sizes, out_backprop, strides, padding)`: the
    gradient of conv3d with respect to its filter, of shape `filter_sizes`."""
    attrs = _conv3d_attrs(strides, padding, data_format, dilations, "Conv3DBackpropFilterV2")
    x, dy = _typed_pair(input, out_backprop, "input", "out_backprop")
    return make_tensor("Conv3DBackpropFilterV2", [x, _sizes_tensor(filter_sizes), dy], attrs,
                       name=name or "Conv3DBackpropFilterV2")


def conv3d_backprop_filter(input, filter_sizes, out_backprop, strides, padding,  # noqa: A002
                           data_format="NDHWC", dilations=(1, 1, 1, 1, 1), name=None):
    """`tf.nn.conv3d_backprop_filter`: as conv3d_backprop_filter_v2."""
    return conv3d_backprop_filter_v2(input, filter_sizes, out_backprop, strides, padding,
                                     data_format=data_format, dilations=dilations, name=name)


def conv3d_backprop_input_v2(input_sizes, filter, out_backprop, strides, padding,  # noqa: A002
                             data_format="NDHWC", dilations=(1, 1, 1, 1, 1), name=None):
    """The gradient of conv3d with respect to its input, of shape `input_sizes` (TF's
    `gen_nn_ops.conv3d_backprop_input_v2`)."""
    attrs = _conv3d_attrs(strides, padding, data_format, dilations, "Conv3DBackpropInputV2")
    dy, f = _typed_pair(out_backprop, filter, "out_backprop", "filter")
    return make_tensor("Conv3DBackpropInputV2", [_sizes_tensor(input_sizes), f, dy], attrs,
                       name=name or "Conv3DBackpropInputV2")


def _transpose_output_sizes(output_shape, rank):
    sizes = _sizes_tensor(output_shape)
    if (sizes.shape.ndims is not None and sizes.shape.ndims != 1) or \
            (sizes.shape.ndims == 1 and sizes.shape[0].value not in (None, rank)):
        raise ValueError("output_shape must have shape (%d,), got %s" % (rank, sizes.shape))
    return sizes


def conv3d_transpose(value=None, filter=None, output_shape=None, strides=None, padding="SAME",  # noqa: A002
                     data_format="NDHWC", name=None, input=None, filters=None, dilations=None):
    """`tf.nn.conv3d_transpose(value, filter, output_shape, strides, padding='SAME',
    data_format='NDHWC')`: the transpose (gradient) of conv3d. `filter` is [kd, kh, kw, out_channels,
    in_channels]; the result has shape `output_shape`."""
    value = value if value is not None else input
    filter = filter if filter is not None else filters
    data_format = _data_format3d_of(data_format)
    with name_scope(name, "conv3d_transpose", [value, filter, output_shape]) as scope:
        x, f = _typed_pair(value, filter, "value", "filter")
        channel_axis = 4 if data_format == "NDHWC" else 1
        in_c = x.shape[channel_axis].value if x.shape.ndims == 5 else None
        f_dims = _filter5_dims(f)
        if in_c is not None and f_dims[4] is not None and in_c != f_dims[4]:
            raise ValueError("input channels does not match filter's input channels, %d != %d"
                             % (in_c, f_dims[4]))
        sizes = _transpose_output_sizes(output_shape, 5)
        known = _static_sizes5(sizes)
        if known is not None and known[channel_axis] is not None and f_dims[3] is not None \
                and known[channel_axis] != f_dims[3]:
            raise ValueError("output_shape does not match filter's output channels, %d != %d"
                             % (known[channel_axis], f_dims[3]))
        attrs = _conv3d_attrs(strides, padding, data_format, dilations, "conv3d_transpose")
        return make_tensor("Conv3DBackpropInputV2", [sizes, f, x], attrs, name=scope)


# --- 1-D: height-1 images ----------------------------------------------------------------------------
def _format1d_as_2d(data_format):
    """('NHWC' or 'NCHW', the axis to expand) for a 1-D data_format."""
    if isinstance(data_format, bytes):
        data_format = data_format.decode()
    if data_format in (None, "NWC", "NHWC"):
        return "NHWC", 1
    if data_format in ("NCW", "NCHW"):
        return "NCHW", 2
    raise ValueError("data_format must be \"NWC\" or \"NCW\", got %r" % (data_format,))


def _stride1d(value, name, data_format):
    """The spatial entry of a 1-D op's stride/dilation/ksize (int, or 1 or 3 values)."""
    if isinstance(value, (int, np.integer)):
        return int(value)
    value = [int(v) for v in value]
    if len(value) == 1:
        return value[0]
    if len(value) == 3:
        spatial = 1 if data_format == "NHWC" else 2
        others = [v for i, v in enumerate(value) if i != spatial]
        if others != [1, 1]:
            raise ValueError("%s in the batch and channel dimensions must be 1, got %s" % (name, value))
        return value[spatial]
    raise ValueError("%s should be of length 1 or 3 but was %d" % (name, len(value)))


def _expand(x, axis):
    from .array import expand_dims
    return expand_dims(x, axis)


def _squeeze(x, axis, name=None):
    from .array import squeeze
    return squeeze(x, [axis], name=name)


def conv1d(value=None, filters=None, stride=None, padding=None, use_cudnn_on_gpu=None,
           data_format=None, name=None, input=None, dilations=None):  # noqa: A002
    """`tf.nn.conv1d(value, filters, stride, padding, data_format='NWC', dilations=None)`.

    1-D convolution of a 3-D `value` [batch, in_width, in_channels] ('NWC', or 'NCW') with `filters`
    [filter_width, in_channels, out_channels]; `stride` and `dilations` are ints or lists of 1 or 3.
    As in TF, it is conv2d of a height-1 image: the gradients are conv2d's.
    """
    value = value if value is not None else input
    if value is None or filters is None or stride is None or padding is None:
        raise ValueError("conv1d needs value, filters, stride and padding")
    fmt, axis = _format1d_as_2d(data_format)
    stride = _stride1d(stride, "stride", fmt)
    dilation = _stride1d(1 if dilations is None else dilations, "dilations", fmt)
    with name_scope(name, "conv1d", [value, filters]) as scope:
        x, f = _typed_pair(value, filters, "value", "filters")
        y = conv2d(_expand(x, axis), _expand(f, 0), [1, 1, stride, 1] if fmt == "NHWC" else [1, 1, 1, stride],
                   padding, data_format=fmt,
                   dilations=[1, 1, dilation, 1] if fmt == "NHWC" else [1, 1, 1, dilation])
        return _squeeze(y, axis, name=scope)


def _insert_one(sizes, axis):
    """An output_shape (list or 1-D tensor) with a 1 inserted at `axis`."""
    if isinstance(sizes, (list, tuple)) and not any(isinstance(s, Tensor) for s in sizes):
        sizes = [int(s) for s in sizes]
        return sizes[:axis] + [1] + sizes[axis:]
    from .array import concat
    sizes = _sizes_tensor(sizes)
    return concat([sizes[:axis], convert_to_tensor([1], dtype=sizes.dtype), sizes[axis:]], 0)


def conv1d_transpose(input, filters, output_shape, strides, padding="SAME",  # noqa: A002
                     data_format="NWC", dilations=None, name=None):
    """`tf.nn.conv1d_transpose(input, filters, output_shape, strides, padding='SAME')`: the transpose
    of conv1d; `filters` is [filter_width, out_channels, in_channels], the result `output_shape`."""
    fmt, axis = _format1d_as_2d(data_format)
    stride = _stride1d(strides, "strides", fmt)
    dilation = _stride1d(1 if dilations is None else dilations, "dilations", fmt)
    with name_scope(name, "conv1d_transpose", [input, filters, output_shape]) as scope:
        x, f = _typed_pair(input, filters, "input", "filters")
        y = conv2d_transpose(_expand(x, axis), _expand(f, 0), _insert_one(output_shape, axis),
                             [1, 1, stride, 1] if fmt == "NHWC" else [1, 1, 1, stride], padding,
                             data_format=fmt,
                             dilations=[1, 1, dilation, 1] if fmt == "NHWC" else [1, 1, 1, dilation])
        return _squeeze(y, axis, name=scope)


def _pool1d(kind, input, ksize, strides, padding, data_format, name):  # noqa: A002
    fmt, axis = _format1d_as_2d(data_format)
    k, s = _stride1d(ksize, "ksize", fmt), _stride1d(strides, "strides", fmt)
    with name_scope(name, kind + "1d", [input]) as scope:
        x = convert_to_tensor(input, name="input")
        window = [1, 1, k, 1] if fmt == "NHWC" else [1, 1, 1, k]
        step = [1, 1, s, 1] if fmt == "NHWC" else [1, 1, 1, s]
        pooled = (max_pool if kind == "MaxPool" else avg_pool)(_expand(x, axis), window, step, padding,
                                                               data_format=fmt)
        return _squeeze(pooled, axis, name=scope)


def max_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):  # noqa: A002
    """`tf.nn.max_pool1d(input, ksize, strides, padding, data_format='NWC')`: max pooling of a 3-D
    input over width (max_pool of a height-1 image, as in TF)."""
    return _pool1d("MaxPool", input, ksize, strides, padding, data_format, name)


def avg_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):  # noqa: A002
    """`tf.nn.avg_pool1d(input, ksize, strides, padding, data_format='NWC')`: average pooling of a 3-D
    input over width."""
    return _pool1d("AvgPool", input, ksize, strides, padding, data_format, name)


# --- 3-D pooling ---------------------------------------------------------------------------------------
def _pool3d_attrs(ksize, strides, padding, data_format, op_name):
    data_format = _data_format3d_of(data_format)
    padding = _padding_of(padding)
    if not isinstance(padding, str):
        raise ValueError("%s supports only 'SAME' or 'VALID' padding, got %r" % (op_name, padding))
    ksize = _sequence5(ksize, "ksize", data_format)
    strides = _sequence5(strides, "strides", data_format)
    batch_axis, depth_axis = (0, 4) if data_format == "NDHWC" else (0, 1)
    if ksize[batch_axis] != 1 or strides[batch_axis] != 1 or ksize[depth_axis] != 1 \
            or strides[depth_axis] != 1:
        raise ValueError("Pooling is not yet supported on the batch or channel dimension (ksize %s, "
                         "strides %s)." % (ksize, strides))
    if min(ksize) < 1 or min(strides) < 1:
        raise ValueError("Sliding window ksize and strides must be >= 1, got %s and %s" % (ksize, strides))
    return {"ksize": ksize, "strides": strides, "padding": padding, "data_format": data_format}


def _pool3d_shape(op, input_shape):
    fmt = op.attrs["data_format"]
    g = _Geometry3D(op.attrs)
    n, d, h, w, c = _ndhwc_dims(input_shape, fmt)
    return _from_ndhwc([n, _static_out_dim(g.hw, d, g.kd, g.sd, 1, 0),
                        _static_out_dim(g.hw, h, g.hw.kh, g.hw.sh, 1, 0),
                        _static_out_dim(g.hw, w, g.hw.kw, g.hw.sw, 1, 1), c], fmt)


def _pool3d_stages(x, g, pool_hw):
    """(x as [n*d, h, w, c], the (h, w)-pooled [n*d, oh, ow, c]) of an NDHWC x."""
    n, d, h, w, c = x.shape
    flat = x.reshape(n * d, h, w, c)
    return flat, pool_hw(flat)


def _max_pool3d(x, g, lowest):
    n, d = x.shape[:2]
    _, z = _pool3d_stages(x, g, lambda v: _max_pool_nhwc(v, g.hw, lowest))
    oh, ow, c = z.shape[1:]
    y = _max_pool_nhwc(z.reshape(n, d, oh * ow, c), g.depth, lowest)
    return y.reshape(n, y.shape[1], oh, ow, c)


def _max_pool3d_grad(x, y, dy, g, lowest):
    n, d = x.shape[:2]
    flat, z = _pool3d_stages(x, g, lambda v: _max_pool_nhwc(v, g.hw, lowest))
    oh, ow, c = z.shape[1:]
    od = y.shape[1]
    if dy.shape != y.shape:
        raise ValueError("MaxPool3DGrad: grad shape %s does not match the pooled shape %s"
                         % (list(dy.shape), list(y.shape)))
    dz = _max_pool_grad_nhwc(z.reshape(n, d, oh * ow, c), y.reshape(n, od, oh * ow, c),
                             dy.reshape(n, od, oh * ow, c), g.depth, lowest)
    dx = _max_pool_grad_nhwc(flat, z, dz.reshape(n * d, oh, ow, c), g.hw, lowest)
    return dx.reshape(x.shape)


def _avg_pool3d(x, g, caches):
    n, d = x.shape[:2]
    _, z = _pool3d_stages(x, g, lambda v: _avg_pool_nhwc(v, g.hw, caches[0]))
    oh, ow, c = z.shape[1:]
    y = _avg_pool_nhwc(z.reshape(n, d, oh * ow, c), g.depth, caches[1])
    return y.reshape(n, y.shape[1], oh, ow, c)


def _avg_pool3d_grad(sizes, dy, g, caches):
    n, d, h, w, c = sizes
    od, oh, ow = dy.shape[1:4]
    expected_od = g.depth_plan(d, g.kd)[0]
    expected_hw = g.hw.plan(h, w, g.hw.kh, g.hw.kw)[:2]
    if dy.shape != (n, expected_od) + tuple(expected_hw) + (c,):
        raise ValueError("AvgPool3DGrad: grad shape %s does not match the pooled shape %s"
                         % (list(dy.shape), [n, expected_od] + list(expected_hw) + [c]))
    dz = _avg_pool_grad_nhwc([n, d, oh * ow, c], dy.reshape(n, od, oh * ow, c), g.depth, caches[1])
    dx = _avg_pool_grad_nhwc([n * d, h, w, c], dz.reshape(n * d, oh, ow, c), g.hw, caches[0])
    return dx.reshape(n, d, h, w, c)


def _pool3d_attrs_of(op):
    return {k: op.attrs[k] for k in ("ksize", "strides", "padding", "data_format")}


@register
class MaxPool3D(OpDef):
    """The maximum over each 3-D ksize window."""

    def infer(self, op):
        x = op.inputs[0]
        _check_float(x, "input", self.type)
        return [(x.dtype, _pool3d_shape(op, x.shape))]

    def kernel(self, op, ctx):
        g = _Geometry3D(op.attrs, xp=ctx.xp)
        lowest = _lowest(op.inputs[0].dtype.np)
        return lambda x: _from_ndhwc_value(_max_pool3d(_to_ndhwc(x, g.ncdhw), g, lowest), g.ncdhw, g.xp)

    def grad(self, op, dy):
        return [make_tensor("MaxPool3DGrad", [op.inputs[0], op.outputs[0], dy], _pool3d_attrs_of(op))]


@register
class MaxPool3DGrad(OpDef):
    """MaxPool3D's gradient: each window's gradient goes to its maximum."""

    # No second-order gradient: tf.gradients through it raises LookupError rather than
    # silently treating it as a constant.

    def infer(self, op):
        return _max_pool_grad_signature(self.type, op, _pool3d_shape)

    def kernel(self, op, ctx):
        g = _Geometry3D(op.attrs, xp=ctx.xp)
        t = g.ncdhw
        lowest = _lowest(op.inputs[0].dtype.np)
        return lambda x, y, dy: _from_ndhwc_value(
            _max_pool3d_grad(_to_ndhwc(x, t), _to_ndhwc(y, t), _to_ndhwc(dy, t), g, lowest), t, g.xp)


@register
class AvgPool3D(OpDef):
    """The mean over each 3-D ksize window; SAME windows divide by their count inside the input."""

    def infer(self, op):
        x = op.inputs[0]
        _check_float(x, "input", self.type)
        return [(x.dtype, _pool3d_shape(op, x.shape))]

    def kernel(self, op, ctx):
        g = _Geometry3D(op.attrs, xp=ctx.xp)
        caches = ({}, {})
        return lambda x: _from_ndhwc_value(_avg_pool3d(_to_ndhwc(x, g.ncdhw), g, caches), g.ncdhw, g.xp)

    def grad(self, op, dy):
        return [make_tensor("AvgPool3DGrad", [_shape_of(op.inputs[0]), dy], _pool3d_attrs_of(op))]


@register
class AvgPool3DGrad(OpDef):
    """AvgPool3D's gradient: each window's gradient shared equally by the elements it averaged."""

    def infer(self, op):
        sizes, dy = op.inputs
        _check_float(dy, "grad", self.type)
        known = _static_sizes5(sizes)
        shape = TensorShape([None] * 5 if known is None else known)
        expected = _pool3d_shape(op, shape)
        if not expected.is_compatible_with(dy.shape):
            raise ValueError("AvgPool3DGrad: grad shape %s must be the pooled shape %s" % (dy.shape, expected))
        return [(dy.dtype, shape)]

    def kernel(self, op, ctx):
        g = _Geometry3D(op.attrs, xp=ctx.xp)
        t = g.ncdhw
        caches = ({}, {})

        def run(sizes, dy):
            sizes = [int(v) for v in sizes]
            if t:
                sizes = [sizes[0], sizes[2], sizes[3], sizes[4], sizes[1]]
            return _from_ndhwc_value(_avg_pool3d_grad(sizes, _to_ndhwc(dy, t), g, caches), t, g.xp)
        return run

    def grad(self, op, ddx):
        return [None, make_tensor("AvgPool3D", [ddx], _pool3d_attrs_of(op))]


def max_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):  # noqa: A002
    """`tf.nn.max_pool3d(input, ksize, strides, padding, data_format='NDHWC')`: the maximum of each 3-D
    `ksize` window of a 5-D input moved by `strides`."""
    attrs = _pool3d_attrs(ksize, strides, padding, data_format, "MaxPool3D")
    return make_tensor("MaxPool3D", [convert_to_tensor(input, name="input")], attrs, name=name or "MaxPool3D")


def avg_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):  # noqa: A002
    """`tf.nn.avg_pool3d(input, ksize, strides, padding, data_format='NDHWC')`: the mean of each 3-D
    window; with 'SAME' a border window averages only its elements inside the input."""
    attrs = _pool3d_attrs(ksize, strides, padding, data_format, "AvgPool3D")
    return make_tensor("AvgPool3D", [convert_to_tensor(input, name="input")], attrs, name=name or "AvgPool3D")


# --- max_pool_with_argmax ------------------------------------------------------------------------------
def _max_pool_argmax_nhwc(x, g, lowest, include_batch):
    """(max of each window, the flat index of the first maximum) of an NHWC x. Indices count
    ((b * height + y) * width + x) * channels + c, b only when include_batch."""
    n, h, w, c = x.shape
    oh, ow, pt, pb, pl, pr = g.plan(h, w, g.kh, g.kw)
    xp = g.xp
    padded = _pad(x, pt, pb, pl, pr, lowest, xp)
    best = None
    where = xp.zeros((n, oh, ow, c), dtype=np.int64)
    for i in range(g.kh):
        for j in range(g.kw):
            view = _window(padded, i, j, oh, ow, g.sh, g.sw, 1, 1)
            if best is None:
                best = view.copy()
                continue
            better = view > best
            np.copyto(best, view, where=better)
            where[better] = i * g.kw + j
    di, dj = np.divmod(where, g.kw)
    rows = xp.arange(oh)[None, :, None, None] * g.sh - pt + di
    cols = xp.arange(ow)[None, None, :, None] * g.sw - pl + dj
    index = (rows * w + cols) * c + xp.arange(c)
    if include_batch:
        index = index + xp.arange(n)[:, None, None, None] * (h * w * c)
    return best, index


@register
class MaxPoolWithArgmax(OpDef):
    """MaxPool that also returns the flat position of each window's maximum."""

    def infer(self, op):
        x = op.inputs[0]
        if not (x.dtype.is_floating or x.dtype.is_integer):
            raise TypeError("Value passed to parameter 'input' has DataType %s not in list of allowed "
                            "values for MaxPoolWithArgmax" % x.dtype.name)
        shape = _pool_shape(op, x.shape)
        return [(x.dtype, shape), (op.attrs["Targmax"], shape)]

    def kernel(self, op, ctx):
        g = _Geometry(op.attrs, xp=ctx.xp)
        lowest = _lowest(op.inputs[0].dtype.np)
        include = op.attrs["include_batch_in_index"]
        index_dtype = op.attrs["Targmax"].np

        def run(x):
            y, index = _max_pool_argmax_nhwc(x, g, lowest, include)
            return y, index.astype(index_dtype, copy=False)
        return run

    def grad(self, op, dy, dargmax):
        return [make_tensor("MaxPoolGradWithArgmax", [op.inputs[0], dy, op.outputs[1]],
                            {"include_batch_in_index": op.attrs["include_batch_in_index"],
                             **_pool_attrs_of(op)})]


@register
class MaxPoolGradWithArgmax(OpDef):
    """MaxPoolWithArgmax's gradient: each output's gradient added at its argmax position."""

    # No second-order gradient: tf.gradients through it raises LookupError.

    def infer(self, op):
        x, dy, argmax = op.inputs
        check_same_dtype(self.type, x, dy, "input", "grad")
        return [(x.dtype, x.shape)]

    def kernel(self, op, ctx):
        include = op.attrs["include_batch_in_index"]
        xp = ctx.xp

        def run(x, dy, argmax):
            n = x.shape[0]
            per_image = x.size // max(n, 1)
            flat = np.reshape(argmax, (n, -1)).astype(np.int64)
            if not include:
                flat = flat + xp.arange(n)[:, None] * per_image
            if flat.size and (flat.min() < 0 or flat.max() >= x.size):
                raise errors.InvalidArgumentError(None, op, "Invalid argmax index %d, must be in [0, %d)"
                                                  % (int(flat.max()), x.size))
            out = np.bincount(flat.ravel(), weights=np.reshape(dy, -1).astype(np.float64), minlength=x.size)
            return out.astype(x.dtype).reshape(x.shape)
        return run


def max_pool_with_argmax(input, ksize, strides, padding, data_format="NHWC",  # noqa: A002
                         Targmax=None, name=None, output_dtype=None, include_batch_in_index=False):
    """`tf.nn.max_pool_with_argmax(input, ksize, strides, padding, data_format='NHWC',
    Targmax=tf.int64, include_batch_in_index=False)`: (max_pool output, argmax) where argmax is the
    flattened index ((b * height + y) * width + x) * channels + c of each window's first maximum
    (b only with include_batch_in_index). Only NHWC, as in TF."""
    if _data_format_of(data_format) != "NHWC":
        raise ValueError("Data formats other than 'NHWC' are not yet supported")
    index_dtype = dtypes.as_dtype(Targmax or output_dtype or dtypes.int64)
    if index_dtype not in (dtypes.int32, dtypes.int64):
        raise TypeError("Targmax must be int32 or int64, got %s" % index_dtype.name)
    attrs = _pool_attrs(ksize, strides, padding, "NHWC", "MaxPoolWithArgmax")
    attrs.update({"Targmax": index_dtype, "include_batch_in_index": bool(include_batch_in_index)})
    op = make_op("MaxPoolWithArgmax", [convert_to_tensor(input, name="input")], attrs,
                 name=name or "MaxPoolWithArgmax")
    return op.outputs[0], op.outputs[1]


# --- dilated (atrous) 2-D convolution and aliases ------------------------------------------------------
def _check_rate(rate):
    rate = int(rate)
    if rate < 1:
        raise ValueError("rate %d should be >= 1." % rate)
    return rate


def atrous_conv2d(value, filters, rate, padding, name=None):
    """`tf.nn.atrous_conv2d(value, filters, rate, padding)`: conv2d with the filter's taps `rate` apart
    (a dilated convolution, stride 1). `value` NHWC, `filters` [kh, kw, in, out]."""
    rate = _check_rate(rate)
    return conv2d(value, filters, [1, 1, 1, 1], padding, dilations=[1, rate, rate, 1],
                  name=name or "atrous_conv2d")


def atrous_conv2d_transpose(value, filters, output_shape, rate, padding, name=None):
    """`tf.nn.atrous_conv2d_transpose(value, filters, output_shape, rate, padding)`: the transpose
    (gradient) of atrous_conv2d; `filters` is [kh, kw, out_channels, in_channels]."""
    rate = _check_rate(rate)
    return conv2d_transpose(value, filters, output_shape, [1, 1, 1, 1], padding,
                            dilations=[1, rate, rate, 1], name=name or "atrous_conv2d_transpose")


def depthwise_conv2d_backprop_filter(input, filter_sizes, out_backprop, strides, padding,  # noqa: A002
                                     data_format="NHWC", dilations=(1, 1, 1, 1), name=None):
    """`tf.nn.depthwise_conv2d_backprop_filter`: as depthwise_conv2d_native_backprop_filter."""
    return depthwise_conv2d_native_backprop_filter(input, filter_sizes, out_backprop, strides, padding,
                                                   data_format=data_format, dilations=dilations, name=name)


def depthwise_conv2d_backprop_input(input_sizes, filter, out_backprop, strides, padding,  # noqa: A002
                                    data_format="NHWC", dilations=(1, 1, 1, 1), name=None):
    """`tf.nn.depthwise_conv2d_backprop_input`: as depthwise_conv2d_native_backprop_input."""
    return depthwise_conv2d_native_backprop_input(input_sizes, filter, out_backprop, strides, padding,
                                                  data_format=data_format, dilations=dilations, name=name)


# --- N-d dispatchers -----------------------------------------------------------------------------------
def _spatial_list(value, n, name):
    if value is None:
        return [1] * n
    if isinstance(value, (int, np.integer)):
        return [int(value)] * n
    value = [int(v) for v in value]
    if len(value) == 1:
        return value * n
    if len(value) != n:
        raise ValueError("%s must have %d spatial entries, got %s" % (name, n, value))
    return value


def _full_or_spatial(value, n, name, channels_first):
    """A per-dimension list of n + 2 entries given as that, or as an int or n spatial entries."""
    if isinstance(value, (list, tuple)) and len(value) == n + 2:
        return [int(v) for v in value]
    return _full(_spatial_list(value, n, name), channels_first)


def _channels_first(data_format):
    return data_format is not None and str(data_format).startswith("NC")


def _full(spatial, channels_first):
    return [1, 1] + list(spatial) if channels_first else [1] + list(spatial) + [1]


def _input_rank(x, what="input"):
    rank = x.shape.ndims
    if rank is None:
        raise ValueError("%s must have a known rank" % what)
    if rank not in (3, 4, 5):
        raise ValueError("%s must be of rank 3, 4 or 5 (1 to 3 spatial dimensions), got rank %d"
                         % (what, rank))
    return rank


def convolution(input, filter=None, padding=None, strides=None, dilation_rate=None,  # noqa: A002
                name=None, data_format=None, filters=None, dilations=None):
    """`tf.nn.convolution(input, filter, padding, strides=None, dilation_rate=None, data_format=None)`:
    an N-d convolution (N = 1, 2 or 3 from the input's rank) with per-spatial-dimension `strides` and
    `dilation_rate`; as in TF, strides above 1 cannot be combined with a dilation above 1."""
    filter = filter if filter is not None else filters
    dilation_rate = dilation_rate if dilation_rate is not None else dilations
    with name_scope(name, "convolution", [input, filter]) as scope:
        x, f = _typed_pair(input, filter, "input", "filter")
        spatial = _input_rank(x) - 2
        strides = _spatial_list(strides, spatial, "strides")
        rates = _spatial_list(dilation_rate, spatial, "dilation_rate")
        if any(s > 1 for s in strides) and any(r > 1 for r in rates):
            raise ValueError("strides > 1 not supported in conjunction with dilation_rate > 1")
        first = _channels_first(data_format)
        if spatial == 1:
            return conv1d(x, f, strides[0], padding, data_format="NCW" if first else "NWC",
                          dilations=rates[0], name=scope)
        if spatial == 2:
            return conv2d(x, f, _full(strides, first), padding, data_format="NCHW" if first else "NHWC",
                          dilations=_full(rates, first), name=scope)
        return conv3d(x, f, _full(strides, first), padding, data_format="NCDHW" if first else "NDHWC",
                      dilations=_full(rates, first), name=scope)


def conv_transpose(input, filters, output_shape, strides, padding="SAME", data_format=None,  # noqa: A002
                   dilations=None, name=None):
    """`tf.nn.conv_transpose(input, filters, output_shape, strides, padding='SAME')`: the transpose
    of convolution for 1, 2 or 3 spatial dimensions (from the length of `output_shape`)."""
    with name_scope(name, "conv_transpose", [input, filters, output_shape]) as scope:
        sizes = _sizes_tensor(output_shape)
        rank = sizes.shape[0].value if sizes.shape.ndims == 1 else None
        if rank not in (3, 4, 5):
            raise ValueError("output_shape must have length 3, 4 or 5, got shape %s" % sizes.shape)
        spatial = rank - 2
        first = _channels_first(data_format)
        steps = _full_or_spatial(strides, spatial, "strides", first)
        rates = None if dilations is None else _full_or_spatial(dilations, spatial, "dilations", first)
        if spatial == 1:
            return conv1d_transpose(input, filters, output_shape, steps, padding,
                                    data_format="NCW" if first else "NWC", dilations=rates, name=scope)
        if spatial == 2:
            return conv2d_transpose(input, filters, output_shape, steps, padding,
                                    data_format="NCHW" if first else "NHWC", dilations=rates, name=scope)
        return conv3d_transpose(input, filters, output_shape, steps, padding,
                                data_format="NCDHW" if first else "NDHWC", dilations=rates, name=scope)


def _pool_nd(kind, input, ksize, strides, padding, data_format, name):  # noqa: A002
    x = convert_to_tensor(input, name="input")
    spatial = _input_rank(x) - 2
    first = _channels_first(data_format)
    window = _full_or_spatial(ksize, spatial, "ksize", first)
    step = _full_or_spatial(strides, spatial, "strides", first)
    if spatial == 1:
        return _pool1d(kind, x, window, step, padding, "NCW" if first else "NWC", name)
    if spatial == 2:
        return (max_pool if kind == "MaxPool" else avg_pool)(x, window, step, padding,
                                                             data_format="NCHW" if first else "NHWC",
                                                             name=name)
    return (max_pool3d if kind == "MaxPool" else avg_pool3d)(x, window, step, padding,
                                                             data_format="NCDHW" if first else "NDHWC",
                                                             name=name)


def max_pool_v2(input, ksize, strides, padding, data_format=None, name=None):  # noqa: A002
    """`tf.nn.max_pool_v2(input, ksize, strides, padding, data_format=None)`: max pooling of a rank
    3, 4 or 5 input (1 to 3 spatial dimensions); ksize/strides are ints or per-dimension lists."""
    return _pool_nd("MaxPool", input, ksize, strides, padding, data_format, name)


def avg_pool_v2(input, ksize, strides, padding, data_format=None, name=None):  # noqa: A002
    """`tf.nn.avg_pool_v2(input, ksize, strides, padding, data_format=None)`: average pooling of a rank
    3, 4 or 5 input."""
    return _pool_nd("AvgPool", input, ksize, strides, padding, data_format, name)


def pool(input, window_shape, pooling_type, padding, dilation_rate=None, strides=None,  # noqa: A002
         name=None, data_format=None, dilations=None):
    """`tf.nn.pool(input, window_shape, pooling_type, padding, dilation_rate=None, strides=None)`:
    'MAX' or 'AVG' pooling over 1 to 3 spatial dimensions. With a `dilation_rate` above 1 the window's
    taps are `rate` apart (only with 'VALID' padding and unit strides, as in TF): the input is
    rearranged with space_to_batch, pooled, and rearranged back."""
    if pooling_type not in ("MAX", "AVG"):
        raise ValueError("Invalid pooling_type: %s" % (pooling_type,))
    dilation_rate = dilation_rate if dilation_rate is not None else dilations
    kind = "MaxPool" if pooling_type == "MAX" else "AvgPool"
    with name_scope(name, "%s_pool" % pooling_type.lower(), [input]) as scope:
        x = convert_to_tensor(input, name="input")
        spatial = _input_rank(x) - 2
        window = _spatial_list(window_shape, spatial, "window_shape")
        if len(window) != spatial:
            raise ValueError("window_shape must have length %d" % spatial)
        steps = _spatial_list(strides, spatial, "strides")
        rates = _spatial_list(dilation_rate, spatial, "dilation_rate")
        if any(s > w for s, w in zip(steps, window)):
            raise ValueError("strides > window_shape not supported due to inconsistency between CPU "
                             "and GPU implementations")
        if any(r > 1 for r in rates):
            if _padding_of(padding) == "SAME":
                raise ValueError("pooling with 'SAME' padding is not implemented for `dilation_rate` > 1. "
                                 "Received: padding=%s and dilation_rate=%s" % (padding, rates))
            if any(s > 1 for s in steps):
                raise ValueError("strides > 1 not supported in conjunction with dilation_rate > 1")
            from .nn_extra import with_space_to_batch
            return with_space_to_batch(
                x, rates, padding,
                lambda converted, unused_rate, valid: _pool_nd(kind, converted, window, [1] * spatial,
                                                               valid, data_format, None),
                filter_shape=window, data_format=data_format)
        return _pool_nd(kind, x, window, steps, padding, data_format, scope)
