"""MaxPool and MaxPoolGrad kernels (ops/conv.py's pooling section) against a plain loop over the windows.

MaxPoolGrad runs a few images at a time through scratch buffers (the staged kernel: one comparison of
every window position, the first hit of each window kept, the gradients copied back in one go where the
windows tile the input, added position by position where they overlap); on a device, overlapping and
spaced windows keep the per-position loop. MaxPool stages big inputs in tiles. Every case here runs
through a Session (so also on the guarded GPU when the suite runs with NUMFLOW_GPU_BACKEND=guarded), with
random values and with many ties, and again with tiles of one or two images so that the tile loop, its
ragged last tile and the forward staging all run on small arrays.
"""
import itertools

import numpy as np
import pytest

import numflow as tf
from numflow.ops import conv as conv_ops
from gradcheck import check_gradients, evaluate


def _out_and_pad(size, k, s, padding):
    if padding == "VALID":
        return (size - k) // s + 1, 0
    out = -(-size // s)
    return out, max((out - 1) * s + k - size, 0) // 2


def reference_windows(shape, ksize, strides, padding):
    """{(b, r, q, ch): [(i, j), ...]} the input positions of each window of an NHWC shape, in row-major
    window order, padding left out."""
    n, h, w, c = shape
    (kh, kw), (sh, sw) = ksize, strides
    oh, pt = _out_and_pad(h, kh, sh, padding)
    ow, pl = _out_and_pad(w, kw, sw, padding)
    windows = {}
    for b, r, q, ch in itertools.product(range(n), range(oh), range(ow), range(c)):
        top, left = r * sh - pt, q * sw - pl
        windows[(b, r, q, ch)] = [(i, j) for i in range(top, top + kh) for j in range(left, left + kw)
                                  if 0 <= i < h and 0 <= j < w]
    return (oh, ow), windows


def reference_max_pool(x, ksize, strides, padding):
    n, _, _, c = x.shape
    (oh, ow), windows = reference_windows(x.shape, ksize, strides, padding)
    y = np.zeros((n, oh, ow, c), x.dtype)
    for (b, r, q, ch), positions in windows.items():
        y[b, r, q, ch] = max(x[b, i, j, ch] for i, j in positions)
    return y


def reference_max_pool_grad(x, y, dy, ksize, strides, padding):
    """Each window's dy added at its first position (row-major) whose value equals y's (TF's rule: the
    first maximum when y is the pool of x); overlapping windows accumulate."""
    _, windows = reference_windows(x.shape, ksize, strides, padding)
    dx = np.zeros(x.shape, dy.dtype)
    for (b, r, q, ch), positions in windows.items():
        for i, j in positions:
            if x[b, i, j, ch] == y[b, r, q, ch]:
                dx[b, i, j, ch] += dy[b, r, q, ch]
                break
    return dx


# ksize, strides: tiled (strides == ksize) and general (overlapping, gapped, 1xN) windows.
GEOMETRIES = [
    ((2, 2), (2, 2)),
    ((3, 3), (3, 3)),
    ((2, 3), (2, 3)),
    ((1, 3), (1, 3)),
    ((1, 1), (1, 1)),
    ((3, 3), (2, 2)),
    ((3, 3), (1, 1)),
    ((1, 4), (1, 2)),
    ((2, 2), (3, 3)),
]
SHAPES = [(3, 7, 9, 2), (2, 8, 6, 3)]       # odd sizes (SAME pads, VALID leaves a remainder) and even ones


def _values(shape, ties, dtype, seed):
    rng = np.random.RandomState(seed)
    if ties:
        return rng.randint(-1, 2, size=shape).astype(dtype)      # three values: ties in most windows
    if np.issubdtype(dtype, np.integer):
        return rng.randint(-1000, 1000, size=shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def _gradients(shape, dtype, seed):
    """Integer-valued gradients: sums of overlapping windows are then exact in any order and dtype."""
    low = 0 if np.issubdtype(dtype, np.unsignedinteger) else -20
    return np.random.RandomState(seed).randint(low, 20, size=shape).astype(dtype)


def _to_format(value, data_format):
    return np.ascontiguousarray(value.transpose(0, 3, 1, 2)) if data_format == "NCHW" else value


def _pool_attrs(ksize, strides, data_format):
    if data_format == "NCHW":
        return [1, 1] + list(ksize), [1, 1] + list(strides)
    return [1] + list(ksize) + [1], [1] + list(strides) + [1]


def run_pool_and_grad(x, dy, ksize, strides, padding, data_format="NHWC", y=None):
    """(MaxPool(x), MaxPoolGrad(x, y or MaxPool(x), dy)) from a Session, all in NHWC."""
    k, s = _pool_attrs(ksize, strides, data_format)
    x_in, dy_in = _to_format(x, data_format), _to_format(dy, data_format)

    def build(a, grad):
        pooled = conv_ops.max_pool(a, k, s, padding, data_format=data_format)
        orig = pooled if y is None else tf.constant(_to_format(y, data_format))
        return pooled, conv_ops.max_pool_grad(a, orig, grad, k, s, padding, data_format=data_format)
    pooled, dx = evaluate(build, [x_in, dy_in])
    if data_format == "NCHW":
        pooled, dx = pooled.transpose(0, 2, 3, 1), dx.transpose(0, 2, 3, 1)
    return pooled, dx


def check_against_reference(x, ksize, strides, padding, data_format="NHWC", seed=0):
    expected_y = reference_max_pool(x, ksize, strides, padding)
    dy = _gradients(expected_y.shape, x.dtype, seed + 1)
    pooled, dx = run_pool_and_grad(x, dy, ksize, strides, padding, data_format)
    assert pooled.dtype == x.dtype and dx.dtype == x.dtype
    np.testing.assert_array_equal(pooled, expected_y)
    np.testing.assert_array_equal(dx, reference_max_pool_grad(x, expected_y, dy, ksize, strides, padding))


@pytest.fixture
def small_tiles(monkeypatch):
    """Forward staging at any size and tiles of one image, so that small tests run the tile loop;
    returns tiles_of(images, pooled_image_bytes) to ask for bigger tiles."""
    monkeypatch.setattr(conv_ops, "_POOL_STAGE_MIN_BYTES", 0)
    monkeypatch.setattr(conv_ops, "_POOL_TILE_BYTES", 1)

    def tiles_of(images, pooled_image_bytes):
        monkeypatch.setattr(conv_ops, "_POOL_TILE_BYTES", images * pooled_image_bytes)
    return tiles_of


@pytest.mark.parametrize("ties", [False, True], ids=["random", "ties"])
@pytest.mark.parametrize("padding", ["VALID", "SAME"])
@pytest.mark.parametrize("ksize,strides", GEOMETRIES)
def test_max_pool_and_grad_match_the_loop_reference(ksize, strides, padding, ties):
    for index, shape in enumerate(SHAPES):
        check_against_reference(_values(shape, ties, np.float32, index), ksize, strides, padding, seed=index)


@pytest.mark.parametrize("ties", [False, True], ids=["random", "ties"])
@pytest.mark.parametrize("padding", ["VALID", "SAME"])
@pytest.mark.parametrize("ksize,strides", GEOMETRIES)
def test_tiles_of_two_images_and_staged_forward_match_the_reference(small_tiles, ksize, strides, padding,
                                                                     ties):
    x = _values((5, 7, 9, 2), ties, np.float32, 3)
    check_against_reference(x, ksize, strides, padding, seed=3)              # five tiles of one image
    small_tiles(2, reference_max_pool(x[:1], ksize, strides, padding).nbytes)
    check_against_reference(x, ksize, strides, padding, seed=3)              # tiles of 2, 2 and 1 images


@pytest.mark.parametrize("ksize,strides", [((2, 2), (2, 2)), ((3, 3), (2, 2)), ((1, 3), (1, 3))])
@pytest.mark.parametrize("padding", ["VALID", "SAME"])
def test_nchw_matches_the_reference(ksize, strides, padding):
    for ties in (False, True):
        check_against_reference(_values((2, 7, 6, 3), ties, np.float64, 5), ksize, strides, padding, "NCHW")


@pytest.mark.parametrize("dtype", [np.float16, np.float64, np.int32, np.int64, np.uint8])
@pytest.mark.parametrize("ksize,strides", [((2, 2), (2, 2)), ((3, 3), (2, 2))])
def test_every_dtype_matches_the_reference(dtype, ksize, strides):
    for ties in (False, True):
        x = _values((2, 7, 8, 3), ties, dtype, 7)
        if dtype == np.uint8:
            x = x - x.min()          # the padding value is the dtype's lowest, 0 here
        for padding in ("VALID", "SAME"):
            check_against_reference(x, ksize, strides, padding)


def test_integer_padding_uses_the_dtype_lowest_value():
    x = np.full((1, 3, 3, 1), np.iinfo(np.int32).min + 1, np.int32)
    x[0, 2, 2, 0] = np.iinfo(np.int32).min + 2
    dy = np.arange(1, 5, dtype=np.int32).reshape(1, 2, 2, 1)
    pooled, dx = run_pool_and_grad(x, dy, (2, 2), (2, 2), "SAME")
    np.testing.assert_array_equal(pooled[0, :, :, 0], [[x[0, 0, 0, 0]] * 2, [x[0, 0, 0, 0], x[0, 2, 2, 0]]])
    np.testing.assert_array_equal(dx[0, :, :, 0], [[1, 0, 2], [0, 0, 0], [3, 0, 4]])


def test_all_equal_windows_send_the_gradient_to_the_first_position():
    x = np.zeros((2, 4, 6, 3), np.float32)          # what ReLU gives a window of negatives
    dy = _gradients((2, 2, 3, 3), np.float32, 9)
    _, dx = run_pool_and_grad(x, dy, (2, 2), (2, 2), "VALID")
    expected = np.zeros_like(x)
    expected[:, ::2, ::2, :] = dy
    np.testing.assert_array_equal(dx, expected)


def test_overlapping_windows_accumulate_at_a_shared_maximum():
    x = np.zeros((1, 3, 3, 1))
    x[0, 1, 1, 0] = 5.0                 # the centre is the maximum of all four 2x2 stride-1 windows
    dy = np.array([1.0, 2.0, 3.0, 4.0]).reshape(1, 2, 2, 1)
    _, dx = run_pool_and_grad(x, dy, (2, 2), (1, 1), "VALID")
    assert dx[0, 1, 1, 0] == 10.0 and np.count_nonzero(dx) == 1


@pytest.mark.parametrize("ksize,strides", [((2, 2), (2, 2)), ((3, 3), (2, 2))])
def test_orig_output_is_what_the_gradient_compares_with(ksize, strides):
    """MaxPoolGrad sends a window's gradient to the first input equal to the orig_output it is given
    (windows equal to none get nothing), as before the tiled kernels."""
    x = _values((2, 7, 7, 2), True, np.float32, 11)
    y = reference_max_pool(x, ksize, strides, "SAME")
    y.reshape(-1)[::3] = -1.0             # a value some windows hold, not their maximum
    y.reshape(-1)[1::5] = 7.0             # a value no window holds
    dy = _gradients(y.shape, np.float32, 12)
    _, dx = run_pool_and_grad(x, dy, ksize, strides, "SAME", y=y)
    np.testing.assert_array_equal(dx, reference_max_pool_grad(x, y, dy, ksize, strides, "SAME"))


def test_results_are_not_overwritten_by_the_next_run():
    """The kernels keep scratch buffers between calls; the arrays they return are never among them."""
    graph = tf.Graph()
    with graph.as_default():
        a = tf.placeholder(tf.float32, [4, 8, 8, 3])
        pooled = tf.nn.max_pool(a, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
        dx = tf.gradients(pooled, a, grad_ys=tf.ones_like(pooled) * 3.0)[0]
        with tf.Session(graph=graph) as sess:
            first_x = _values((4, 8, 8, 3), False, np.float32, 13)
            first_y, first_dx = sess.run([pooled, dx], {a: first_x})
            sess.run([pooled, dx], {a: _values((4, 8, 8, 3), False, np.float32, 14)})
    expected_y = reference_max_pool(first_x, (2, 2), (2, 2), "VALID")
    np.testing.assert_array_equal(first_y, expected_y)
    dy = np.full(expected_y.shape, 3.0, np.float32)
    np.testing.assert_array_equal(first_dx, reference_max_pool_grad(first_x, expected_y, dy, (2, 2), (2, 2), "VALID"))


def test_big_batch_forward_is_staged_and_matches_the_unstaged_kernel(monkeypatch):
    """An input above _POOL_STAGE_MIN_BYTES goes through staged tiles of the real size: the same values
    as the direct loop over the whole batch (checked against the reference on its first images)."""
    x = _values((1200, 10, 11, 16), True, np.float32, 15)      # 8.4 MB
    assert x.nbytes >= conv_ops._POOL_STAGE_MIN_BYTES
    for ksize, strides, padding in (((2, 2), (2, 2), "SAME"), ((3, 3), (2, 2), "VALID")):
        def build(a):
            return tf.nn.max_pool(a, [1] + list(ksize) + [1], [1] + list(strides) + [1], padding)
        staged = evaluate(build, [x])
        monkeypatch.setattr(conv_ops, "_POOL_STAGE_MIN_BYTES", x.nbytes + 1)
        direct = evaluate(build, [x])
        monkeypatch.undo()
        np.testing.assert_array_equal(staged, direct)
        np.testing.assert_array_equal(staged[:3], reference_max_pool(x[:3], ksize, strides, padding))


@pytest.mark.parametrize("shape,ksize,strides,padding,data_format", [
    ((2, 5, 7, 2), (2, 2), (2, 2), "SAME", "NHWC"),
    ((1, 8, 7, 2), (3, 3), (3, 3), "VALID", "NHWC"),
    ((1, 2, 5, 6), (2, 2), (2, 2), "SAME", "NCHW"),
    ((1, 4, 9, 2), (1, 3), (1, 3), "VALID", "NHWC"),
])
def test_max_pool_gradient_matches_finite_differences(small_tiles, shape, ksize, strides, padding, data_format):
    x = np.random.RandomState(17).permutation(int(np.prod(shape))).reshape(shape) / 7.0   # distinct values
    k, s = _pool_attrs(ksize, strides, data_format)
    check_gradients(lambda a: tf.nn.max_pool(a, k, s, padding, data_format=data_format), [x])


def test_the_kernels_on_the_guarded_gpu(guarded_gpu):
    """The device path (one tile, no host scratch, staging only where padding needs it) gives the same
    values; the kernels see device arrays."""
    from numflow.backend.guarded import GuardedArray
    seen = []
    staged, general = conv_ops._max_pool_grad_staged, conv_ops._max_pool_grad_windows

    def recording(kernel):
        def run(x, *args):
            seen.append(type(x))
            return kernel(x, *args)
        return run
    guarded_gpu.setattr(conv_ops, "_max_pool_grad_staged", recording(staged))
    guarded_gpu.setattr(conv_ops, "_max_pool_grad_windows", recording(general))
    for (ksize, strides), padding in itertools.product([((2, 2), (2, 2)), ((3, 3), (3, 3)), ((3, 3), (2, 2))],
                                                       ["VALID", "SAME"]):
        for ties in (False, True):
            check_against_reference(_values((3, 7, 8, 2), ties, np.float32, 19), ksize, strides, padding, seed=19)
    assert seen and all(kind is GuardedArray for kind in seen)


@pytest.mark.parametrize("ksize,strides", [((2, 2), (2, 2)), ((3, 3), (2, 2))])
@pytest.mark.parametrize("shape", [(0, 4, 4, 2), (2, 4, 4, 0), (2, 0, 4, 2)])
def test_empty_inputs_give_empty_results(shape, ksize, strides):
    x = np.zeros(shape, np.float32)
    (oh, ow), _ = reference_windows(shape, ksize, strides, "SAME")
    pooled, dx = run_pool_and_grad(x, np.zeros((shape[0], oh, ow, shape[3]), np.float32), ksize, strides, "SAME")
    assert pooled.shape == (shape[0], oh, ow, shape[3]) and dx.shape == shape


def test_nan_windows_pool_to_nan_and_pass_no_gradient():
    """A window holding NaN pools to NaN, which equals no input: its gradient goes nowhere (as before the
    staged kernel; the others are unaffected)."""
    x = _values((2, 4, 4, 3), True, np.float32, 21)
    x[0, 1, 1, 0] = np.nan
    dy = _gradients((2, 2, 2, 3), np.float32, 22)
    pooled, dx = run_pool_and_grad(x, dy, (2, 2), (2, 2), "VALID")
    assert np.isnan(pooled[0, 0, 0, 0]) and np.count_nonzero(np.isnan(pooled)) == 1
    assert not dx[0, :2, :2, 0].any()
    np.testing.assert_array_equal(dx, reference_max_pool_grad(x, pooled, dy, (2, 2), (2, 2), "VALID"))


def test_scratch_too_big_to_keep_is_allocated_per_call(monkeypatch):
    monkeypatch.setattr(conv_ops, "_POOL_SCRATCH_KEEP_BYTES", 0)
    for ksize, strides in (((2, 2), (2, 2)), ((3, 3), (2, 2))):
        check_against_reference(_values((3, 7, 9, 2), True, np.float32, 23), ksize, strides, "SAME")
