"""Convolution and pooling ops: values against direct loop NumPy references, gradients against finite
differences, static shapes and errors."""
import itertools
import math

import numpy as np
import pytest

import numflow as tf
from gradcheck import check_gradients, evaluate
from numflow.ops import conv as conv_ops


def nn():
    """tf.nn when it re-exports the conv ops, else the op module itself (same functions)."""
    return tf.nn if hasattr(tf.nn, "conv2d") else conv_ops


# --- loop references -----------------------------------------------------------------------------------
def same_pads(size, k, s, d):
    eff = (k - 1) * d + 1
    out = math.ceil(size / s)
    total = max((out - 1) * s + eff - size, 0)
    return out, total // 2, total - total // 2


def pads_for(padding, size, k, s, d, axis):
    if padding == "SAME":
        return same_pads(size, k, s, d)
    if padding == "VALID":
        eff = (k - 1) * d + 1
        return (size - eff) // s + 1, 0, 0
    before, after = padding[axis + 1]
    eff = (k - 1) * d + 1
    return (size + before + after - eff) // s + 1, before, after


def ref_conv(x, f, strides, padding, dilations=(1, 1)):
    n, h, w, c = x.shape
    kh, kw, _, o = f.shape
    (sh, sw), (dh, dw) = strides, dilations
    oh, pt, _ = pads_for(padding, h, kh, sh, dh, 0)
    ow, pl, _ = pads_for(padding, w, kw, sw, dw, 1)
    y = np.zeros((n, oh, ow, o))
    for b, r, q in itertools.product(range(n), range(oh), range(ow)):
        for i, j in itertools.product(range(kh), range(kw)):
            hi, wi = r * sh - pt + i * dh, q * sw - pl + j * dw
            if 0 <= hi < h and 0 <= wi < w:
                y[b, r, q] += x[b, hi, wi] @ f[i, j]
    return y


def ref_depthwise(x, f, strides, padding, dilations=(1, 1)):
    n, h, w, c = x.shape
    kh, kw, _, m = f.shape
    (sh, sw), (dh, dw) = strides, dilations
    oh, pt, _ = pads_for(padding, h, kh, sh, dh, 0)
    ow, pl, _ = pads_for(padding, w, kw, sw, dw, 1)
    y = np.zeros((n, oh, ow, c, m))
    for b, r, q in itertools.product(range(n), range(oh), range(ow)):
        for i, j in itertools.product(range(kh), range(kw)):
            hi, wi = r * sh - pt + i * dh, q * sw - pl + j * dw
            if 0 <= hi < h and 0 <= wi < w:
                y[b, r, q] += x[b, hi, wi][:, None] * f[i, j]
    return y.reshape(n, oh, ow, c * m)


def ref_conv_transpose(value, f, out_shape, strides, padding):
    n, h, w, c = out_shape
    kh, kw, _, _ = f.shape
    sh, sw = strides
    oh, pt, _ = pads_for(padding, h, kh, sh, 1, 0)
    ow, pl, _ = pads_for(padding, w, kw, sw, 1, 1)
    assert value.shape[1:3] == (oh, ow)
    out = np.zeros(out_shape)
    for b, r, q in itertools.product(range(n), range(oh), range(ow)):
        for i, j in itertools.product(range(kh), range(kw)):
            hi, wi = r * sh - pt + i, q * sw - pl + j
            if 0 <= hi < h and 0 <= wi < w:
                out[b, hi, wi] += f[i, j] @ value[b, r, q]
    return out


def ref_pool(x, ksize, strides, padding, kind):
    n, h, w, c = x.shape
    (kh, kw), (sh, sw) = ksize, strides
    oh, pt, _ = pads_for(padding, h, kh, sh, 1, 0)
    ow, pl, _ = pads_for(padding, w, kw, sw, 1, 1)
    y = np.zeros((n, oh, ow, c))
    grad_target = np.zeros((n, oh, ow, c, 2), dtype=int)
    for b, r, q, ch in itertools.product(range(n), range(oh), range(ow), range(c)):
        h0, w0 = r * sh - pt, q * sw - pl
        rows = range(max(h0, 0), min(h0 + kh, h))
        cols = range(max(w0, 0), min(w0 + kw, w))
        window = [(x[b, i, j, ch], i, j) for i in rows for j in cols]
        if kind == "max":
            best = window[0]
            for item in window:
                if item[0] > best[0]:
                    best = item
            y[b, r, q, ch] = best[0]
            grad_target[b, r, q, ch] = best[1:]
        else:
            y[b, r, q, ch] = sum(v for v, _, _ in window) / len(window)
    return y, grad_target


def rand(*shape, seed=0):
    return np.random.RandomState(seed).uniform(-1, 1, size=shape)


CONV_CASES = [
    # x shape, filter shape, strides, padding, dilations
    ((2, 5, 5, 2), (3, 3, 2, 3), (1, 1), "SAME", (1, 1)),
    ((2, 5, 5, 2), (3, 3, 2, 3), (1, 1), "VALID", (1, 1)),
    ((1, 6, 7, 2), (2, 3, 2, 2), (2, 2), "SAME", (1, 1)),
    ((1, 7, 6, 3), (3, 2, 3, 2), (2, 3), "VALID", (1, 1)),
    ((1, 7, 7, 2), (3, 3, 2, 2), (1, 1), "SAME", (2, 2)),
    ((1, 8, 7, 1), (2, 2, 1, 2), (1, 1), "VALID", (2, 3)),
    ((2, 5, 4, 1), (1, 1, 1, 3), (2, 2), "SAME", (1, 1)),
    ((1, 7, 7, 1), (2, 2, 1, 1), (3, 3), "SAME", (1, 1)),
    ((1, 4, 5, 2), (2, 2, 2, 1), (1, 2), [[0, 0], [1, 2], [0, 1], [0, 0]], (1, 1)),
]


@pytest.mark.parametrize("xs,fs,strides,padding,dilations", CONV_CASES)
def test_conv2d_values_and_gradients(xs, fs, strides, padding, dilations):
    x, f = rand(*xs, seed=1), rand(*fs, seed=2)

    def build(a, b):
        return nn().conv2d(a, b, strides=[1, strides[0], strides[1], 1], padding=padding,
                           dilations=[1, dilations[0], dilations[1], 1])
    expected = ref_conv(x, f, strides, padding, dilations)
    np.testing.assert_allclose(evaluate(build, [x, f]), expected, rtol=1e-10, atol=1e-12)
    got32 = evaluate(build, [x.astype(np.float32), f.astype(np.float32)])
    assert got32.dtype == np.float32
    np.testing.assert_allclose(got32, expected, rtol=1e-4, atol=1e-5)
    check_gradients(build, [x, f])


def test_conv2d_nchw_matches_nhwc():
    x, f = rand(2, 6, 5, 3, seed=3), rand(3, 2, 3, 4, seed=4)
    expected = ref_conv(x, f, (2, 1), "SAME")

    def build(a, b):
        return nn().conv2d(a, b, [1, 1, 2, 1], "SAME", data_format="NCHW")
    got = evaluate(build, [x.transpose(0, 3, 1, 2), f])
    np.testing.assert_allclose(got, expected.transpose(0, 3, 1, 2), rtol=1e-10)
    check_gradients(build, [x.transpose(0, 3, 1, 2)[:1], f])


def test_conv2d_int_and_short_strides():
    x, f = rand(1, 5, 5, 1), rand(3, 3, 1, 2)
    a = evaluate(lambda p, q: nn().conv2d(p, q, 2, "SAME"), [x, f])
    b = evaluate(lambda p, q: nn().conv2d(p, q, [2, 2], "SAME"), [x, f])
    np.testing.assert_allclose(a, ref_conv(x, f, (2, 2), "SAME"), rtol=1e-10)
    np.testing.assert_allclose(b, a)


def test_static_shapes():
    x = tf.placeholder(tf.float32, [None, 28, 28, 1])
    h = nn().conv2d(x, tf.placeholder(tf.float32, [5, 5, 1, 32]), [1, 1, 1, 1], "SAME")
    assert h.shape.as_list() == [None, 28, 28, 32]
    h = nn().max_pool(h, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
    h = nn().conv2d(h, tf.placeholder(tf.float32, [5, 5, 32, 64]), [1, 1, 1, 1], "SAME")
    h = nn().max_pool(h, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
    assert h.shape.as_list() == [None, 7, 7, 64]
    v = nn().conv2d(tf.placeholder(tf.float32, [3, 9, 10, 2]), tf.placeholder(tf.float32, [3, 4, 2, 5]),
                    [1, 2, 3, 1], "VALID")
    assert v.shape.as_list() == [3, 4, 3, 5]
    a = nn().avg_pool(tf.placeholder(tf.float32, [None, 5, None, 3]), [1, 3, 3, 1], [1, 2, 2, 1], "SAME")
    assert a.shape.as_list() == [None, 3, None, 3]
    t = nn().conv2d_transpose(tf.placeholder(tf.float32, [2, 4, 4, 3]), tf.placeholder(tf.float32, [3, 3, 5, 3]),
                              [2, 8, 8, 5], [1, 2, 2, 1])
    assert t.shape.as_list() == [2, 8, 8, 5]
    d = nn().depthwise_conv2d(tf.placeholder(tf.float32, [None, 8, 8, 3]),
                              tf.placeholder(tf.float32, [3, 3, 3, 2]), [1, 1, 1, 1], "VALID")
    assert d.shape.as_list() == [None, 6, 6, 6]
    x = tf.placeholder(tf.float32, [None, 10, 10, 2])
    w = tf.placeholder(tf.float32, [3, 3, 2, 4])
    gx, gw = tf.gradients(nn().conv2d(x, w, [1, 2, 2, 1], "SAME"), [x, w])
    assert gx.shape.as_list() == [None, 10, 10, 2] and gw.shape.as_list() == [3, 3, 2, 4]


POOL_CASES = [
    # x shape, ksize, strides, padding
    ((2, 5, 5, 2), (2, 2), (2, 2), "SAME"),
    ((1, 6, 6, 1), (2, 2), (2, 2), "VALID"),
    ((1, 7, 6, 2), (3, 3), (2, 2), "SAME"),
    ((2, 6, 7, 1), (3, 2), (1, 2), "VALID"),
    ((1, 5, 6, 1), (2, 2), (1, 1), "VALID"),
    ((1, 5, 5, 1), (1, 1), (3, 3), "SAME"),
    ((1, 4, 4, 2), (3, 3), (1, 1), "SAME"),
]


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("xs,ksize,strides,padding", POOL_CASES)
def test_pool_values_and_gradients(kind, xs, ksize, strides, padding):
    x = np.random.RandomState(5).permutation(np.prod(xs)).reshape(xs) / 7.0   # distinct values
    fn = nn().max_pool if kind == "max" else nn().avg_pool

    def build(a):
        return fn(a, [1, ksize[0], ksize[1], 1], [1, strides[0], strides[1], 1], padding)
    expected, _ = ref_pool(x, ksize, strides, padding, kind)
    np.testing.assert_allclose(evaluate(build, [x]), expected, rtol=1e-12)
    got32 = evaluate(build, [x.astype(np.float32)])
    assert got32.dtype == np.float32
    np.testing.assert_allclose(got32, expected, rtol=1e-5)
    check_gradients(build, [x])


@pytest.mark.parametrize("xs,ksize,strides,padding", POOL_CASES)
def test_max_pool_gradient_goes_to_first_max_in_ties(xs, ksize, strides, padding):
    x = np.random.RandomState(6).randint(0, 3, size=xs).astype(np.float64)   # many ties
    _, target = ref_pool(x, ksize, strides, padding, "max")
    dy = np.random.RandomState(7).uniform(0.5, 1.5, size=target.shape[:4])
    expected = np.zeros_like(x)
    for b, r, q, ch in np.ndindex(*dy.shape):
        i, j = target[b, r, q, ch]
        expected[b, i, j, ch] += dy[b, r, q, ch]

    def build(a):
        y = nn().max_pool(a, [1, ksize[0], ksize[1], 1], [1, strides[0], strides[1], 1], padding)
        return tf.gradients(y, a, grad_ys=tf.constant(dy))[0]
    np.testing.assert_allclose(evaluate(build, [x]), expected, rtol=1e-12)


def test_max_pool_tie_example():
    got = evaluate(lambda a: tf.gradients(nn().max_pool(a, [1, 2, 2, 1], [1, 2, 2, 1], "VALID"), a)[0],
                   [np.zeros((1, 2, 2, 1))])
    np.testing.assert_array_equal(got[0, :, :, 0], [[1, 0], [0, 0]])


def test_pool_integer_and_nchw():
    x = np.arange(2 * 3 * 5 * 4).reshape(2, 3, 5, 4).astype(np.int32)  # NCHW
    got = evaluate(lambda a: nn().max_pool(a, [1, 1, 2, 2], [1, 1, 2, 2], "SAME", data_format="NCHW"), [x])
    expected, _ = ref_pool(x.transpose(0, 2, 3, 1), (2, 2), (2, 2), "SAME", "max")
    assert got.dtype == np.int32
    np.testing.assert_array_equal(got, expected.transpose(0, 3, 1, 2))
    xf = rand(1, 2, 5, 5)
    got = evaluate(lambda a: nn().avg_pool(a, [1, 1, 3, 3], [1, 1, 2, 2], "SAME", data_format="NCHW"), [xf])
    expected, _ = ref_pool(xf.transpose(0, 2, 3, 1), (3, 3), (2, 2), "SAME", "avg")
    np.testing.assert_allclose(got, expected.transpose(0, 3, 1, 2), rtol=1e-12)
    check_gradients(lambda a: nn().max_pool(a, [1, 1, 2, 2], [1, 1, 2, 2], "SAME", data_format="NCHW"),
                    [np.random.RandomState(1).permutation(50).reshape(1, 2, 5, 5) / 3.0])


def test_avg_pool_same_divides_by_valid_count():
    x = np.ones((1, 3, 3, 1))
    got = evaluate(lambda a: nn().avg_pool(a, [1, 3, 3, 1], [1, 1, 1, 1], "SAME"), [x])
    np.testing.assert_allclose(got, np.ones((1, 3, 3, 1)))


TRANSPOSE_CASES = [
    ((2, 3, 3, 2), (3, 3, 3, 2), (2, 6, 6, 3), (2, 2), "SAME"),
    ((1, 3, 3, 2), (3, 3, 1, 2), (1, 5, 5, 1), (2, 2), "SAME"),
    ((1, 2, 3, 1), (3, 2, 2, 1), (1, 5, 6, 2), (2, 2), "VALID"),
    ((1, 4, 4, 1), (2, 2, 2, 1), (1, 4, 4, 2), (1, 1), "SAME"),
]


@pytest.mark.parametrize("vs,fs,out,strides,padding", TRANSPOSE_CASES)
def test_conv2d_transpose(vs, fs, out, strides, padding):
    v, f = rand(*vs, seed=8), rand(*fs, seed=9)

    def build(a, b):
        return nn().conv2d_transpose(a, b, list(out), [1, strides[0], strides[1], 1], padding)
    got = evaluate(build, [v, f])
    assert got.shape == out
    np.testing.assert_allclose(got, ref_conv_transpose(v, f, out, strides, padding), rtol=1e-10, atol=1e-12)
    check_gradients(build, [v, f])


@pytest.mark.parametrize("xs,fs,strides,padding,dilations", [
    ((2, 5, 5, 2), (3, 3, 2, 2), (1, 1), "SAME", (1, 1)),
    ((1, 6, 5, 3), (2, 3, 3, 1), (2, 2), "VALID", (1, 1)),
    ((1, 7, 6, 2), (3, 2, 2, 2), (2, 1), "SAME", (1, 1)),
])
def test_conv_backprop_ops_are_differentiable(xs, fs, strides, padding, dilations):
    x, f = rand(*xs, seed=10), rand(*fs, seed=11)
    s4 = [1, strides[0], strides[1], 1]
    y = ref_conv(x, f, strides, padding)
    dy = rand(*y.shape, seed=12)
    check_gradients(lambda b, d: nn().conv2d_backprop_input(list(xs), b, d, s4, padding), [f, dy])
    check_gradients(lambda a, d: nn().conv2d_backprop_filter(a, list(fs), d, s4, padding), [x, dy])
    # the values are the gradients of conv2d
    gx, gf = evaluate(lambda a, b: tf.gradients(nn().conv2d(a, b, s4, padding), [a, b],
                                                grad_ys=tf.constant(dy)), [x, f])
    np.testing.assert_allclose(evaluate(lambda b, d: nn().conv2d_backprop_input(list(xs), b, d, s4, padding),
                                        [f, dy]), gx, rtol=1e-12)
    np.testing.assert_allclose(evaluate(lambda a, d: nn().conv2d_backprop_filter(a, list(fs), d, s4, padding),
                                        [x, dy]), gf, rtol=1e-12)


@pytest.mark.parametrize("xs,fs,strides,padding,rate", [
    ((2, 5, 5, 2), (3, 3, 2, 2), (1, 1), "SAME", None),
    ((1, 6, 7, 3), (2, 3, 3, 1), (2, 2), "VALID", None),
    ((1, 7, 7, 2), (3, 3, 2, 1), (1, 1), "SAME", (2, 2)),
])
def test_depthwise_conv2d(xs, fs, strides, padding, rate):
    x, f = rand(*xs, seed=13), rand(*fs, seed=14)

    def build(a, b):
        return nn().depthwise_conv2d(a, b, [1, strides[0], strides[1], 1], padding, rate=rate)
    expected = ref_depthwise(x, f, strides, padding, rate or (1, 1))
    np.testing.assert_allclose(evaluate(build, [x, f]), expected, rtol=1e-10, atol=1e-12)
    check_gradients(build, [x, f])


def test_separable_conv2d():
    x, df, pf = rand(1, 5, 5, 2, seed=1), rand(3, 3, 2, 2, seed=2), rand(1, 1, 4, 3, seed=3)
    got = evaluate(lambda a, b, c: nn().separable_conv2d(a, b, c, [1, 1, 1, 1], "SAME"), [x, df, pf])
    expected = ref_conv(ref_depthwise(x, df, (1, 1), "SAME"), pf, (1, 1), "VALID")
    np.testing.assert_allclose(got, expected, rtol=1e-10)


def test_avg_pool_grad_op_is_differentiable():
    dy = rand(1, 3, 3, 2, seed=4)
    attrs = conv_ops._pool_attrs([1, 2, 2, 1], [1, 2, 2, 1], "SAME", "NHWC", "AvgPoolGrad")
    check_gradients(lambda d: conv_ops.make_tensor("AvgPoolGrad", [tf.constant([1, 5, 5, 2]), d], attrs), [dy])


# --- errors ----------------------------------------------------------------------------------------
def test_bad_padding_is_value_error():
    x = tf.placeholder(tf.float32, [1, 5, 5, 1])
    w = tf.placeholder(tf.float32, [3, 3, 1, 1])
    with pytest.raises(ValueError, match="padding.*SAMEX|SAMEX.*padding"):
        nn().conv2d(x, w, [1, 1, 1, 1], "SAMEX")
    with pytest.raises(ValueError, match="padding"):
        nn().max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "FULL")
    with pytest.raises(ValueError, match="padding"):
        nn().avg_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], 3)


def test_channel_mismatch_names_both_shapes():
    x = tf.placeholder(tf.float32, [1, 5, 5, 3])
    w = tf.placeholder(tf.float32, [3, 3, 4, 8])
    with pytest.raises(ValueError, match=r"Dimensions must be equal, but are 3 and 4.*Conv2D.*"
                                         r"\[1,5,5,3\], \[3,3,4,8\]"):
        nn().conv2d(x, w, [1, 1, 1, 1], "SAME")


def test_other_construction_errors():
    x = tf.placeholder(tf.float32, [1, 5, 5, 1])
    with pytest.raises(ValueError, match="rank 4"):
        nn().conv2d(tf.placeholder(tf.float32, [5, 5, 1]), tf.placeholder(tf.float32, [3, 3, 1, 1]),
                    [1, 1, 1, 1], "SAME")
    with pytest.raises(TypeError, match="int32"):
        nn().conv2d(tf.placeholder(tf.int32, [1, 5, 5, 1]), tf.placeholder(tf.int32, [3, 3, 1, 1]),
                    [1, 1, 1, 1], "SAME")
    with pytest.raises(TypeError, match="float64"):
        nn().conv2d(x, tf.placeholder(tf.float64, [3, 3, 1, 1]), [1, 1, 1, 1], "SAME")
    with pytest.raises(ValueError, match="strides in the batch and depth"):
        nn().conv2d(x, tf.placeholder(tf.float32, [3, 3, 1, 1]), [2, 1, 1, 1], "SAME")
    with pytest.raises(ValueError, match="Negative dimension size caused by subtracting 7 from 5"):
        nn().conv2d(x, tf.placeholder(tf.float32, [7, 7, 1, 1]), [1, 1, 1, 1], "VALID")
    with pytest.raises(ValueError, match="Negative dimension size"):
        nn().max_pool(x, [1, 6, 6, 1], [1, 1, 1, 1], "VALID")
    with pytest.raises(ValueError, match="length 1, 2 or 4"):
        nn().max_pool(x, [1, 2, 2], [1, 1, 1, 1], "VALID")
    with pytest.raises(ValueError, match="batch dimension"):
        nn().max_pool(x, [2, 2, 2, 1], [1, 1, 1, 1], "VALID")
    with pytest.raises(ValueError, match="data_format"):
        nn().conv2d(x, tf.placeholder(tf.float32, [3, 3, 1, 1]), [1, 1, 1, 1], "SAME", data_format="NHCW")
    with pytest.raises(ValueError, match="input channels does not match filter's input channels, 3 != 2"):
        nn().conv2d_transpose(tf.placeholder(tf.float32, [1, 4, 4, 3]), tf.placeholder(tf.float32, [3, 3, 5, 2]),
                              [1, 8, 8, 5], [1, 2, 2, 1])
    with pytest.raises(ValueError, match="output channels, 4 != 5"):
        nn().conv2d_transpose(tf.placeholder(tf.float32, [1, 4, 4, 3]), tf.placeholder(tf.float32, [3, 3, 5, 3]),
                              [1, 8, 8, 4], [1, 2, 2, 1])
    with pytest.raises(ValueError, match="strides > 1 not supported in conjunction with dilation"):
        nn().depthwise_conv2d(x, tf.placeholder(tf.float32, [3, 3, 1, 1]), [1, 2, 2, 1], "SAME", rate=[2, 2])


def test_runtime_shape_mismatch_is_invalid_argument():
    x = tf.placeholder(tf.float32, [None, None, None, None])
    w = tf.placeholder(tf.float32, [3, 3, 2, 1])
    y = nn().conv2d(x, w, [1, 1, 1, 1], "SAME")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="depth"):
            sess.run(y, {x: np.zeros((1, 4, 4, 3), np.float32), w: np.zeros((3, 3, 2, 1), np.float32)})
    t = nn().conv2d_transpose(tf.placeholder(tf.float32, [1, 4, 4, 1], name="v"),
                              tf.placeholder(tf.float32, [3, 3, 1, 1], name="f"),
                              tf.placeholder(tf.int32, [4], name="s"), [1, 2, 2, 1])
    g = tf.get_default_graph()
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="out_backprop"):
            sess.run(t, {g.get_tensor_by_name("v:0"): np.zeros((1, 4, 4, 1), np.float32),
                         g.get_tensor_by_name("f:0"): np.zeros((3, 3, 1, 1), np.float32),
                         g.get_tensor_by_name("s:0"): [1, 3, 3, 1]})


def test_kernels_do_not_write_inputs():
    x = rand(2, 6, 6, 2).astype(np.float32)
    f = rand(3, 3, 2, 3).astype(np.float32)
    xc, fc = x.copy(), f.copy()

    def build(a, b):
        y = nn().max_pool(nn().conv2d(a, b, [1, 1, 1, 1], "SAME"), [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
        return tf.gradients(y, [a, b])
    evaluate(build, [x, f])
    np.testing.assert_array_equal(x, xc)
    np.testing.assert_array_equal(f, fc)
