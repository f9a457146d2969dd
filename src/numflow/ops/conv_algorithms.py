"""Winograd minimal-filtering algorithms for stride-1 2-D convolutions (Conv2D and its two gradients).

Winograd's F(m, r) computes m outputs of an r-tap correlation from an alpha = m + r - 1 input tile with
alpha multiplications instead of m * r:  y = A^T [(G g) * (B^T d)].  In 2-D the transforms apply along
both spatial axes, and the per-tile products over channels become ONE batched matrix product per batch
tile: (alpha_h * alpha_w, tiles, in) @ (alpha_h * alpha_w, in, out).  All three convolution ops use it:
  * forward: tiles of the padded input, transformed filter;
  * input gradient: the forward algorithm on the output gradient (padded by kh - 1 - pad_top, ...) with
    the filter flipped spatially and its channel axes swapped;
  * filter gradient: a correlation of the input with the output gradient whose *result* is the kh x kw
    filter: F(k, m) with the output gradient's m x m tiles as the "filter" and the same input tiles as the
    forward's; the product sums over tiles and images: (alpha^2, in, tiles) @ (alpha^2, tiles, out).
Transforms are exact rationals (Toom-Cook at the points 0, 1, -1, 2, -2, 1/2, -1/2, inf) built once per
(m, r) and applied separably as small matrix products; transformed data stays in the op's dtype.

Choice (deterministic, from shapes only; never timed at run time, so results are reproducible).
Winograd is valid for stride 1, dilation 1, float32/float64 (float16 keeps im2col: its 11-bit mantissa
cannot absorb the transforms' rounding), 3 to 5 taps per axis, and an output of at least one tile
(oh, ow >= 4).  Where valid it is chosen when it measured faster than im2col, per op (`c` input
channels, `o` output channels of the convolution; "large" kernels have >= 20 taps: 5x5, 4x5):
  * forward and filter gradient: large kernels c >= 32, or c >= 16 and o >= 16; others (3x3 ...)
    c >= 32 and o >= 32;
  * input gradient: large kernels c >= 16; others c >= 32.
Measured at 1 thread (benchmarks/bench_conv.py --sweep: CPU time, batch 50 (32 at 28x28), SAME, 8x8 /
14x14 / 28x28 planes, 8 / 32 / 64 output channels; ratio Winograd / im2col, results in
benchmarks/results/conv_algorithms.txt):
    where chosen:  5x5 forward 0.34-0.85, filter grad 0.36-0.87, input grad 0.29-0.75;
                   3x3 forward 0.52-1.01, filter grad 0.51-0.94, input grad 0.46-0.79
    where not:     5x5 c=1: 2.9-12.7, c=2-4: 1.2-3.1, c=8: 0.89-1.18 (no clear gain), c=16 with o=8:
                   0.77-0.98 (left to im2col: 0.69-1.08 in an earlier run); 3x3 c<=16: 0.93-18,
                   c=32 with o=8: 1.07-1.41; input grad 5x5 c<16: 0.58-4.4, 3x3 c<32: 0.80-6.9
The MNIST CNN's conv2 (5x5, 32 -> 64, 14x14, batch 50) through Session.run: forward 5.0 ms (im2col 9.2,
TF 2.21 3.8), input gradient 5.7 (11.8, TF 3.8), filter gradient 5.3 (9.7, TF 4.2) CPU ms.
Tile size m = 4 per axis (alpha 6 for 3 taps, 8 for 5 taps): m = 2 is 1.5-1.7x slower, and m = 6
(3x3) doubles the float32 error.  Measured float32 forward error, relative to max |y| against a
float64 reference: 3e-6 to 1.2e-5 for 16 to 512 input channels (im2col: 3e-7 to 5e-7); the filter
gradient's is 1.0e-5 to 1.4e-5 on the CNN shapes.
`NUMFLOW_CONV_ALGORITHM=im2col` forces im2col everywhere (debugging, and the tests comparing the two);
`NUMFLOW_CONV_ALGORITHM=winograd` uses Winograd wherever it is valid, whatever the channel counts.
"""
import os
import threading
from fractions import Fraction

import numpy as np
from numpy.lib.stride_tricks import as_strided

__all__ = ["IM2COL", "WINOGRAD", "FORWARD", "INPUT_GRAD", "FILTER_GRAD", "choose", "for_each_range", "split_ranges", "winograd_forward",
           "winograd_input_grad", "winograd_filter_grad", "winograd_matrices"]

IM2COL = "im2col"
WINOGRAD = "winograd"
ALGORITHM_ENV = "NUMFLOW_CONV_ALGORITHM"
FORWARD, INPUT_GRAD, FILTER_GRAD = "forward", "input_grad", "filter_grad"
# Kernels of at least this many taps (5x5, 4x5) save more multiplications per tile (25 -> 4 per output
# with F(4x4, 5x5), against 9 -> 2.25 for 3x3) and pay off with fewer channels.
_LARGE_KERNEL_TAPS = 20
TILE = 4
FILTER_TILE = 4
_TAPS = (3, 4, 5)
# Batch tiles keep the transformed tiles (the largest temporaries) near this size, so that each batch
# tile's transforms and products run in the L2 cache: measured at 1 thread, 1 MB tiles take the MNIST
# conv2 forward from 13.5 ms (16 MB tiles) to 4.8 ms and the VGG-like 3x3 one from 23.8 to 12.6 ms;
# 0.5 MB is slower again (per-tile calls).
_TILE_BYTES = 1 << 20
_DEVICE_TILE_BYTES = 256 << 20

# Interpolation points, best-conditioned first (Lavin & Gray's choice); infinity is always added last.
_POINTS = (Fraction(0), Fraction(1), Fraction(-1), Fraction(2), Fraction(-2), Fraction(1, 2),
           Fraction(-1, 2), Fraction(3), Fraction(-3), Fraction(1, 3), Fraction(-1, 3))


def _evaluation_matrix(points, degree):
    """Rows evaluate a polynomial of `degree` coefficients at each point, then its leading one (inf)."""
    rows = [[p ** i for i in range(degree)] for p in points]
    rows.append([Fraction(0)] * (degree - 1) + [Fraction(1)])
    return rows


def _exact_inverse(matrix):
    """Gauss-Jordan inverse of a small matrix of Fractions (exact, so the transforms carry no error)."""
    size = len(matrix)
    rows = [list(row) + [Fraction(int(i == j)) for j in range(size)] for i, row in enumerate(matrix)]
    for col in range(size):
        pivot = next(i for i in range(col, size) if rows[i][col] != 0)
        rows[col], rows[pivot] = rows[pivot], rows[col]
        scale = rows[col][col]
        rows[col] = [v / scale for v in rows[col]]
        for i in range(size):
            if i != col and rows[i][col] != 0:
                factor = rows[i][col]
                rows[i] = [u - factor * v for u, v in zip(rows[i], rows[col])]
    return [row[size:] for row in rows]


_matrices_lock = threading.Lock()
_exact_matrices = {}
_typed_matrices = {}


def winograd_matrices(m, r):
    """(A^T [m, alpha], G [alpha, r], B^T [alpha, alpha]) of F(m, r) as float64 arrays, alpha = m + r - 1:
    for an input tile d of alpha values and r taps g, A^T ((G g) * (B^T d)) is the correlation
    y[k] = sum_i d[k + i] g[i], k < m.  Derived from linear convolution by Toom-Cook evaluation at
    alpha - 1 points and infinity: s = W^-1 ((V_g g) * (V_h h)); correlation is its transpose in h."""
    key = (m, r)
    with _matrices_lock:
        found = _exact_matrices.get(key)
    if found is not None:
        return found
    alpha = m + r - 1
    if alpha - 1 > len(_POINTS):
        raise ValueError("Winograd F(%d, %d) needs %d points; at most %d are defined"
                         % (m, r, alpha - 1, len(_POINTS)))
    points = _POINTS[:alpha - 1]
    v_filter = np.array(_evaluation_matrix(points, r), dtype=object)
    v_output = np.array(_evaluation_matrix(points, m), dtype=object)
    w_inverse = np.array(_exact_inverse(_evaluation_matrix(points, alpha)), dtype=object)
    found = (v_output.T.astype(np.float64), v_filter.astype(np.float64), w_inverse.T.astype(np.float64))
    with _matrices_lock:
        _exact_matrices[key] = found
    return found


def _typed(m, r, dtype, xp):
    """winograd_matrices(m, r) in `dtype`, as host arrays cached per dtype; on a device copied in at each
    call (three tiny copies), since a cached device array would belong to whichever GPU made it."""
    key = (m, r, np.dtype(dtype).str)
    with _matrices_lock:
        found = _typed_matrices.get(key)
    if found is None:
        found = tuple(a.astype(dtype) for a in winograd_matrices(m, r))
        with _matrices_lock:
            _typed_matrices[key] = found
    return found if xp is np else tuple(xp.asarray(a) for a in found)


# --- the choice -----------------------------------------------------------------------------------------
def forced_algorithm():
    """The algorithm NUMFLOW_CONV_ALGORITHM names ('' when unset); ValueError for an unknown name."""
    name = os.environ.get(ALGORITHM_ENV, "").strip().lower()
    if name not in ("", IM2COL, WINOGRAD):
        raise ValueError("%s must be '%s' or '%s', got %r" % (ALGORITHM_ENV, IM2COL, WINOGRAD, name))
    return name


def winograd_applies(geometry, kh, kw, dtype):
    """Whether Winograd is valid for these attributes and filter size (stride 1, no dilation, 3-5 taps,
    float32/float64)."""
    return (geometry.sh == 1 and geometry.sw == 1 and geometry.dh == 1 and geometry.dw == 1
            and kh in _TAPS and kw in _TAPS and np.dtype(dtype) in (np.float32, np.float64))


def choose(geometry, kh, kw, in_channels, out_channels, out_hw, dtype, role=FORWARD, forced=None):
    """WINOGRAD or IM2COL for one convolution op (`role`: FORWARD, INPUT_GRAD or FILTER_GRAD) from its
    shapes alone; the thresholds are the measured ones of the module docstring."""
    forced = forced_algorithm() if forced is None else forced
    if forced == IM2COL or not winograd_applies(geometry, kh, kw, dtype):
        return IM2COL
    if forced == WINOGRAD:
        return WINOGRAD
    if min(out_hw) < TILE:
        return IM2COL
    large = kh * kw >= _LARGE_KERNEL_TAPS
    if role == INPUT_GRAD:
        wins = in_channels >= (16 if large else 32)
    elif large:
        wins = in_channels >= 32 or (in_channels >= 16 and out_channels >= 16)
    else:
        wins = in_channels >= 32 and out_channels >= 32
    return WINOGRAD if wins else IM2COL


# --- the kernels ------------------------------------------------------------------------------------------
def _view(x, shape, strides, xp):
    if xp is np:
        return as_strided(x, shape, strides, writeable=False)
    return xp.lib.stride_tricks.as_strided(x, shape, strides)


def _batch_ranges(n, bytes_per_image, xp):
    budget = _TILE_BYTES if xp is np else _DEVICE_TILE_BYTES
    step = max(1, budget // max(bytes_per_image, 1))
    return [(start, min(start + step, n)) for start in range(0, n, step)]


def split_ranges(ranges, run, spread=None):
    """Calls `run(some_ranges)` on all of `ranges`: with `spread` (the inter-op worker's submit, in a
    plan's concurrent variant) the later half on the worker while this thread runs the first half, else
    all here. Each range is computed exactly as in one thread, into its own part of the output."""
    if spread is None or len(ranges) < 2:
        run(ranges)
        return
    middle = len(ranges) // 2
    later = spread(run, ranges[middle:])
    run(ranges[:middle])
    later.result()


def for_each_range(ranges, body, spread=None):
    """Runs `body(start, stop)` for each batch range, spread as `split_ranges` does."""
    def run_ranges(some):
        for start, stop in some:
            body(start, stop)
    split_ranges(ranges, run_ranges, spread)


def _tile_counts(oh, ow, m):
    return -(-oh // m), -(-ow // m)


_scratch = threading.local()


def _scratch_array(slot, shape, dtype, xp):
    """A [shape] temporary reused across calls in this thread (never returned to callers): a fresh array
    each call costs fresh pages whenever the allocator has handed the last one back to the system,
    measured at 4-7x the whole call (3x3, 8 channels on 8x8: 0.24 ms -> 1.1 ms with 443 page faults).
    On a device a fresh one (its memory pool makes that cheap)."""
    if xp is not np:
        return xp.empty(shape, dtype)
    buffers = getattr(_scratch, "buffers", None)
    if buffers is None:
        buffers = _scratch.buffers = {}
    size = int(np.prod(shape))
    key = (slot, np.dtype(dtype))
    buffer = buffers.get(key)
    if buffer is None or buffer.size < size:
        buffer = buffers[key] = np.empty(size, dtype)
    return buffer[:size].reshape(shape)


def _padded_tiles(x, pads, tiles_hw, m, alphas, xp, slot):
    """The [alpha_h, alpha_w, n, tiles_h, tiles_w, c] input tiles (step m) of x (NHWC) padded by `pads`
    (top, left) and with zeros past the last tile, in the scratch array `slot`."""
    n, h, w, c = x.shape
    pt, pl = pads
    th, tw = tiles_hw
    ah, aw = alphas
    rows, cols = th * m + ah - m, tw * m + aw - m
    padded = _scratch_array(slot + ".padded", (n, rows, cols, c), x.dtype, xp)
    padded.fill(0)
    # Pads may exceed what the tiles need (an explicit padding past the last output): crop the source.
    src_rows, src_cols = min(h, rows - pt), min(w, cols - pl)
    padded[:, pt:pt + src_rows, pl:pl + src_cols, :] = x[:, :src_rows, :src_cols, :]
    s0, s1, s2, s3 = padded.strides
    view = _view(padded, (ah, aw, n, th, tw, c), (s1, s2, s0, s1 * m, s2 * m, s3), xp)
    tiles = _scratch_array(slot + ".tiles", view.shape, x.dtype, xp)
    tiles[...] = view
    return tiles


def _transform(left, tiles, right, slot=None, xp=np):
    """left @ tile @ right^T for every tile of [a, b, ...] (rows over axis 0, columns over axis 1) as two
    small matrix products over the leading axes (into scratch arrays when `slot` names them)."""
    a, b = tiles.shape[:2]
    rest = tiles.shape[2:]
    width = int(np.prod(rest)) if rest else 1
    rows, columns = left.shape[0], right.shape[0]
    if slot is None:
        step = np.matmul(left, tiles.reshape(a, b * width)).reshape(rows, b, width)
        return np.matmul(right, step).reshape((rows, columns) + rest)
    step = _scratch_array(slot + ".step", (rows, b * width), tiles.dtype, xp)
    np.matmul(left, tiles.reshape(a, b * width), out=step)
    out = _scratch_array(slot + ".out", (rows, columns, width), tiles.dtype, xp)
    np.matmul(right, step.reshape(rows, b, width), out=out)
    return out.reshape((rows, columns) + rest)


def _filter_transform(f, mats_h, mats_w):
    """G_h f G_w^T over the two spatial axes: [alpha_h * alpha_w, in, out]."""
    kh, kw, c, o = f.shape
    u = _transform(mats_h[1], f, mats_w[1])
    return u.reshape(-1, c, o)


def _scatter_output(y, tiles, m, oh, ow):
    """Writes [m, m, n, th, tw, o] output tiles into y [n, oh, ow, o] (the last tiles cropped)."""
    for a in range(m):
        rows = len(range(a, oh, m))
        for b in range(m):
            cols = len(range(b, ow, m))
            y[:, a::m, b::m, :] = tiles[a, b, :, :rows, :cols, :]


def winograd_forward(x, f, pads, out_hw, xp=np, tile=TILE, spread=None):
    """Conv2D (stride 1, no dilation) of x [n, h, w, c] with f [kh, kw, c, o]: [n, oh, ow, o].
    `pads` is (top, left) padding; the output is oh x ow (bottom/right padding implied). `spread`: see
    for_each_range."""
    n, _, _, c = x.shape
    kh, kw, _, o = f.shape
    oh, ow = out_hw
    dtype = np.result_type(x.dtype, f.dtype)
    mats_h, mats_w = _typed(tile, kh, dtype, xp), _typed(tile, kw, dtype, xp)
    ah, aw = tile + kh - 1, tile + kw - 1
    th, tw = _tile_counts(oh, ow, tile)
    u = _filter_transform(f.astype(dtype, copy=False), mats_h, mats_w)
    y = xp.empty((n, oh, ow, o), dtype)
    per_image = ah * aw * th * tw * max(c, o) * dtype.itemsize

    def convolve(start, stop):
        d = _padded_tiles(x[start:stop], pads, (th, tw), tile, (ah, aw), xp, "input")
        v = _transform(mats_h[2], d, mats_w[2], "input", xp).reshape(ah * aw, -1, c)
        products = _scratch_array("products", (ah * aw, v.shape[1], o), dtype, xp)
        np.matmul(v, u, out=products)
        out = _transform(mats_h[0], products.reshape(ah, aw, -1), mats_w[0], "output", xp)
        _scatter_output(y[start:stop], out.reshape(tile, tile, stop - start, th, tw, o), tile, oh, ow)
    for_each_range(_batch_ranges(n, per_image, xp), convolve, spread)
    return y


def input_grad_pads(h, w, kh, kw, pads, out_hw):
    """(top, left) padding of the output gradient that makes the input gradient a stride-1 forward
    convolution with the flipped filter; None when a pad would be negative (explicit pads wider than
    the kernel), where im2col is used."""
    top, left = kh - 1 - pads[0], kw - 1 - pads[1]
    bottom = h + pads[0] - out_hw[0]
    right = w + pads[1] - out_hw[1]
    if min(top, left, bottom, right) < 0:
        return None
    return top, left


def winograd_input_grad(sizes, f, dy, pads, xp=np, tile=TILE, spread=None):
    """Conv2DBackpropInput (stride 1, no dilation): the forward algorithm on dy with the spatially
    flipped, channel-swapped filter.  `sizes` is [n, h, w, c], `pads` the forward's (top, left)."""
    n, h, w, c = sizes
    kh, kw = f.shape[:2]
    grad_pads = input_grad_pads(h, w, kh, kw, pads, dy.shape[1:3])
    flipped = xp.ascontiguousarray(f[::-1, ::-1].transpose(0, 1, 3, 2))
    return winograd_forward(dy, flipped, grad_pads, (h, w), xp, tile, spread)


def winograd_filter_grad(x, filter_hw, dy, pads, xp=np, tile=FILTER_TILE):
    """Conv2DBackpropFilter (stride 1, no dilation): [kh, kw, c, o] = sum over images and output
    positions of input patches times output gradients, as F(k, tile) over dy's tile x tile tiles."""
    n, _, _, c = x.shape
    kh, kw = filter_hw
    _, oh, ow, o = dy.shape
    dtype = np.result_type(x.dtype, dy.dtype)
    mats_h, mats_w = _typed(kh, tile, dtype, xp), _typed(kw, tile, dtype, xp)
    ah, aw = tile + kh - 1, tile + kw - 1
    th, tw = _tile_counts(oh, ow, tile)
    total = xp.zeros((ah * aw, c, o), dtype)
    per_image = ah * aw * th * tw * max(c, o) * dtype.itemsize
    products = _scratch_array("products", (ah * aw, c, o), dtype, xp)
    for start, stop in _batch_ranges(n, per_image, xp):
        d = _padded_tiles(x[start:stop], pads, (th, tw), tile, (ah, aw), xp, "input")
        v = _transform(mats_h[2], d, mats_w[2], "input", xp).reshape(ah * aw, -1, c)
        g = _padded_tiles(dy[start:stop], (0, 0), (th, tw), tile, (tile, tile), xp, "grad")
        gt = _transform(mats_h[1], g, mats_w[1], "grad", xp).reshape(ah * aw, -1, o)
        np.matmul(v.transpose(0, 2, 1), gt, out=products)
        np.add(total, products, out=total)
    df = _transform(mats_h[0], total.reshape(ah, aw, c, o), mats_w[0])
    return df.astype(dtype, copy=False)
