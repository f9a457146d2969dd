"""1-D and 3-D convolutions and pools, max_pool_with_argmax, atrous convolution and the N-d dispatchers:
values against direct NumPy loops, gradients against finite differences, static shapes and errors."""
import itertools

import numpy as np
import pytest

import numflow as tf
from gradcheck import check_gradients, evaluate
from test_conv import pads_for, ref_conv

RNG = np.random.RandomState(7)


def ref_conv3d(x, f, strides, padding, dilations=(1, 1, 1)):
    n, d, h, w, c = x.shape
    kd, kh, kw, _, o = f.shape
    sizes, pads = [], []
    for axis, (size, k, s, r) in enumerate(zip((d, h, w), (kd, kh, kw), strides, dilations)):
        out, before, _ = pads_for(padding, size, k, s, r, axis)
        sizes.append(out)
        pads.append(before)
    y = np.zeros((n,) + tuple(sizes) + (o,))
    for b, p, q, r in itertools.product(range(n), *[range(s) for s in sizes]):
        for i, j, k in itertools.product(range(kd), range(kh), range(kw)):
            di = p * strides[0] - pads[0] + i * dilations[0]
            hi = q * strides[1] - pads[1] + j * dilations[1]
            wi = r * strides[2] - pads[2] + k * dilations[2]
            if 0 <= di < d and 0 <= hi < h and 0 <= wi < w:
                y[b, p, q, r] += x[b, di, hi, wi] @ f[i, j, k]
    return y


def ref_pool3d(x, ksize, strides, padding, reduce):
    n, d, h, w, c = x.shape
    sizes, pads = [], []
    for axis, (size, k, s) in enumerate(zip((d, h, w), ksize, strides)):
        out, before, _ = pads_for(padding, size, k, s, 1, axis)
        sizes.append(out)
        pads.append(before)
    y = np.zeros((n,) + tuple(sizes) + (c,))
    for p, q, r in itertools.product(*[range(s) for s in sizes]):
        lo = [max(o * s - pad, 0) for o, s, pad in zip((p, q, r), strides, pads)]
        hi = [min(o * s - pad + k, size) for o, s, pad, k, size in zip((p, q, r), strides, pads, ksize, (d, h, w))]
        y[:, p, q, r] = reduce(x[:, lo[0]:hi[0], lo[1]:hi[1], lo[2]:hi[2]].reshape(n, -1, c), axis=1)
    return y


# --- conv1d -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("stride,padding,dilation", [(1, "SAME", 1), (2, "SAME", 1), (2, "VALID", 1),
                                                     (1, "SAME", 2), (1, "VALID", 3)])
def test_conv1d_values_and_gradients(stride, padding, dilation):
    x, f = RNG.randn(2, 9, 3), RNG.randn(3, 3, 2)
    got = evaluate(lambda a, b: tf.nn.conv1d(a, b, stride, padding, dilations=dilation), [x, f])
    want = ref_conv(x[:, None], f[None], (1, stride), padding, (1, dilation))[:, 0]
    np.testing.assert_allclose(got, want, rtol=1e-10)
    check_gradients(lambda a, b: tf.nn.conv1d(a, b, stride, padding, dilations=dilation), [x, f])


def test_conv1d_ncw_and_static_shape():
    x, f = RNG.randn(2, 3, 8), RNG.randn(2, 3, 4)
    got = evaluate(lambda a, b: tf.nn.conv1d(a, b, [1, 1, 2], "SAME", data_format="NCW"), [x, f])
    want = ref_conv(x.transpose(0, 2, 1)[:, None], f[None], (1, 2), "SAME")[:, 0].transpose(0, 2, 1)
    np.testing.assert_allclose(got, want, rtol=1e-10)
    with tf.Graph().as_default():
        y = tf.nn.conv1d(tf.placeholder(tf.float32, [None, 10, 3]), tf.zeros([3, 3, 5]), 2, "VALID")
        assert y.shape.as_list() == [None, 4, 5]


def test_conv1d_transpose_is_the_adjoint_of_conv1d():
    x, f, y = RNG.randn(2, 8, 3), RNG.randn(3, 3, 4), RNG.randn(2, 4, 4)
    forward = evaluate(lambda a, b: tf.nn.conv1d(a, b, 2, "SAME"), [x, f])
    back = evaluate(lambda a, b: tf.nn.conv1d_transpose(a, b, [2, 8, 3], 2, "SAME"), [y, f])
    np.testing.assert_allclose(np.sum(forward * y), np.sum(x * back), rtol=1e-10)
    check_gradients(lambda a, b: tf.nn.conv1d_transpose(a, b, [2, 8, 3], 2, "SAME"), [y, f])


# --- conv3d -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("strides,padding,dilations", [
    ((1, 1, 1), "SAME", (1, 1, 1)), ((2, 1, 2), "SAME", (1, 1, 1)), ((1, 2, 1), "VALID", (1, 1, 1)),
    ((1, 1, 1), "SAME", (2, 1, 2)), ((1, 1, 1), "VALID", (1, 2, 1))])
def test_conv3d_values(strides, padding, dilations):
    x, f = RNG.randn(2, 5, 6, 5, 3), RNG.randn(2, 3, 2, 3, 4)
    got = evaluate(lambda a, b: tf.nn.conv3d(a, b, [1, *strides, 1], padding, dilations=[1, *dilations, 1]),
                   [x, f])
    np.testing.assert_allclose(got, ref_conv3d(x, f, strides, padding, dilations), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("strides,padding", [((1, 1, 1), "SAME"), ((2, 2, 1), "SAME"), ((1, 2, 2), "VALID")])
def test_conv3d_gradients(strides, padding):
    x, f = RNG.randn(1, 4, 5, 4, 2), RNG.randn(2, 3, 2, 2, 3)
    check_gradients(lambda a, b: tf.nn.conv3d(a, b, [1, *strides, 1], padding), [x, f])


def test_conv3d_ncdhw_matches_ndhwc():
    x, f = RNG.randn(2, 4, 5, 6, 3), RNG.randn(2, 2, 3, 3, 2)
    got = evaluate(lambda a, b: tf.nn.conv3d(a, b, [1, 1, 2, 1, 2], "SAME", data_format="NCDHW"),
                   [x.transpose(0, 4, 1, 2, 3), f])
    np.testing.assert_allclose(got.transpose(0, 2, 3, 4, 1), ref_conv3d(x, f, (2, 1, 2), "SAME"), rtol=1e-10)


def test_conv3d_backprop_ops_values_and_gradients():
    x, f = RNG.randn(2, 5, 4, 6, 2), RNG.randn(3, 2, 3, 2, 3)
    dy = RNG.randn(2, 3, 4, 3, 3)
    strides = [1, 2, 1, 2, 1]
    # The two backprop ops are the adjoints of conv3d in x and in f.
    conv = evaluate(lambda a, b: tf.nn.conv3d(a, b, strides, "SAME"), [x, f])
    dx = evaluate(lambda b, g: tf.nn.conv3d_transpose(g, b, list(x.shape), strides, "SAME"), [f, dy])
    df = evaluate(lambda a, g: tf.nn.conv3d_backprop_filter_v2(a, list(f.shape), g, strides, "SAME"), [x, dy])
    np.testing.assert_allclose(np.sum(conv * dy), np.sum(x * dx), rtol=1e-10)
    np.testing.assert_allclose(np.sum(conv * dy), np.sum(f * df), rtol=1e-10)
    np.testing.assert_allclose(
        evaluate(lambda a, g: tf.nn.conv3d_backprop_filter(a, list(f.shape), g, strides, "SAME"), [x, dy]), df)
    np.testing.assert_allclose(
        evaluate(lambda b, g: tf.nn.conv3d_backprop_input_v2(list(x.shape), b, g, strides, "SAME"), [f, dy]), dx)
    small_f, small_dy = RNG.randn(2, 2, 2, 2, 2), RNG.randn(1, 2, 2, 3, 2)
    check_gradients(lambda b, g: tf.nn.conv3d_transpose(g, b, [1, 3, 4, 5, 2], [1, 2, 2, 2, 1], "SAME"),
                    [small_f, small_dy])
    small_x = RNG.randn(1, 3, 4, 5, 2)
    check_gradients(lambda a, g: tf.nn.conv3d_backprop_filter_v2(a, [2, 2, 2, 2, 2], g, [1, 2, 2, 2, 1], "SAME"),
                    [small_x, small_dy])


def test_conv3d_static_shapes_and_errors():
    with tf.Graph().as_default():
        y = tf.nn.conv3d(tf.placeholder(tf.float32, [None, 8, 9, 10, 3]), tf.zeros([3, 3, 3, 3, 5]),
                         [1, 2, 2, 3, 1], "SAME")
        assert y.shape.as_list() == [None, 4, 5, 4, 5]
        t = tf.nn.conv3d_transpose(tf.zeros([2, 4, 5, 4, 5]), tf.zeros([3, 3, 3, 7, 5]), [2, 8, 9, 10, 7],
                                   [1, 2, 2, 3, 1], "SAME")
        assert t.shape.as_list() == [2, 8, 9, 10, 7]
        with pytest.raises(ValueError, match="Dimensions must be equal, but are 3 and 4"):
            tf.nn.conv3d(tf.zeros([1, 4, 4, 4, 3]), tf.zeros([2, 2, 2, 4, 1]), [1, 1, 1, 1, 1], "SAME")
        with pytest.raises(ValueError, match="Shape must be rank 5 but is rank 4"):
            tf.nn.conv3d(tf.zeros([1, 4, 4, 3]), tf.zeros([2, 2, 2, 3, 1]), [1, 1, 1, 1, 1], "SAME")
        with pytest.raises(ValueError, match="strides in the batch and depth"):
            tf.nn.conv3d(tf.zeros([1, 4, 4, 4, 3]), tf.zeros([2, 2, 2, 3, 1]), [2, 1, 1, 1, 1], "SAME")
        with pytest.raises(ValueError, match="'data_format' of \"NHWC\""):
            tf.nn.conv3d(tf.zeros([1, 4, 4, 4, 3]), tf.zeros([2, 2, 2, 3, 1]), [1, 1, 1, 1, 1], "SAME",
                         data_format="NHWC")
        with pytest.raises(ValueError, match="only 'SAME' or 'VALID'"):
            tf.nn.conv3d(tf.zeros([1, 4, 4, 4, 3]), tf.zeros([2, 2, 2, 3, 1]), [1, 1, 1, 1, 1], [[0, 0]] * 4)
        with pytest.raises(ValueError, match="Negative dimension size caused by subtracting 3 from 2"):
            tf.nn.conv3d(tf.zeros([1, 2, 4, 4, 3]), tf.zeros([3, 2, 2, 3, 1]), [1, 1, 1, 1, 1], "VALID")
        with pytest.raises(ValueError, match="input channels does not match filter's input channels, 5 != 4"):
            tf.nn.conv3d_transpose(tf.zeros([2, 4, 5, 4, 5]), tf.zeros([3, 3, 3, 7, 4]), [2, 8, 9, 10, 7],
                                   [1, 2, 2, 3, 1], "SAME")
        with pytest.raises(ValueError, match="output_shape does not match filter's output channels, 6 != 7"):
            tf.nn.conv3d_transpose(tf.zeros([2, 4, 5, 4, 5]), tf.zeros([3, 3, 3, 7, 5]), [2, 8, 9, 10, 6],
                                   [1, 2, 2, 3, 1], "SAME")
        with pytest.raises(ValueError, match=r"output_shape must have shape \(5,\)"):
            tf.nn.conv3d_transpose(tf.zeros([2, 4, 5, 4, 5]), tf.zeros([3, 3, 3, 7, 5]), [2, 8, 9, 7],
                                   [1, 2, 2, 3, 1], "SAME")
        with pytest.raises(ValueError, match="out_backprop shape"):
            tf.nn.conv3d_backprop_filter_v2(tf.zeros([1, 4, 4, 4, 2]), [2, 2, 2, 2, 3], tf.zeros([1, 4, 4, 3, 3]),
                                            [1, 1, 1, 1, 1], "SAME")


def test_conv3d_runtime_shape_mismatch_is_value_error_naming_shapes():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [None, None, None, None, None])
        y = tf.nn.conv3d(x, tf.zeros([2, 2, 2, 3, 1], tf.float64), [1, 1, 1, 1, 1], "SAME")
        with tf.Session() as sess:
            with pytest.raises(Exception, match="filter depth: 2 vs 3"):
                sess.run(y, {x: np.zeros((1, 3, 3, 3, 2))})


# --- pools ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("ksize,strides,padding", [((2, 2, 2), (2, 2, 2), "VALID"), ((2, 3, 2), (1, 2, 2), "SAME"),
                                                   ((3, 1, 2), (2, 1, 1), "SAME"), ((1, 3, 3), (1, 1, 2), "VALID")])
def test_pool3d_values_and_gradients(kind, ksize, strides, padding):
    x = RNG.permutation(2 * 4 * 5 * 6 * 2).reshape(2, 4, 5, 6, 2) / 7.0   # distinct: no ties in max
    build = (lambda a: (tf.nn.max_pool3d if kind == "max" else tf.nn.avg_pool3d)(
        a, [1, *ksize, 1], [1, *strides, 1], padding))
    want = ref_pool3d(x, ksize, strides, padding, np.max if kind == "max" else np.mean)
    np.testing.assert_allclose(evaluate(build, [x]), want, rtol=1e-12)
    small = RNG.permutation(1 * 3 * 4 * 4 * 2).reshape(1, 3, 4, 4, 2) / 5.0
    check_gradients(build, [small])


def test_pool3d_ncdhw_and_second_order():
    x = RNG.randn(2, 3, 4, 5, 6)     # NCDHW
    got = evaluate(lambda a: tf.nn.avg_pool3d(a, [1, 1, 2, 2, 2], [1, 1, 2, 2, 1], "SAME", data_format="NCDHW"),
                   [x])
    want = ref_pool3d(x.transpose(0, 2, 3, 4, 1), (2, 2, 2), (2, 2, 1), "SAME", np.mean).transpose(0, 4, 1, 2, 3)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    got = evaluate(lambda a: tf.nn.max_pool3d(a, [1, 1, 2, 2, 2], [1, 1, 2, 2, 1], "SAME", data_format="NCDHW"),
                   [x])
    want = ref_pool3d(x.transpose(0, 2, 3, 4, 1), (2, 2, 2), (2, 2, 1), "SAME", np.max).transpose(0, 4, 1, 2, 3)
    np.testing.assert_allclose(got, want, rtol=1e-12)

    # AvgPool3DGrad is linear in its gradient input: its own gradient is AvgPool3D.
    def avg_grad(dy):
        x0 = tf.zeros([1, 3, 4, 4, 2], tf.float64)
        y = tf.nn.avg_pool3d(x0, [1, 2, 2, 3, 1], [1, 1, 2, 1, 1], "SAME")
        return tf.gradients(y, x0, grad_ys=dy)[0]
    check_gradients(avg_grad, [RNG.randn(1, 3, 2, 4, 2)])


def test_pool3d_errors():
    with tf.Graph().as_default():
        x = tf.zeros([1, 4, 4, 4, 2])
        with pytest.raises(ValueError, match="batch or channel dimension"):
            tf.nn.max_pool3d(x, [1, 2, 2, 2, 2], [1, 1, 1, 1, 1], "SAME")
        with pytest.raises(ValueError, match="ksize should be of length 1, 3 or 5 but was 2"):
            tf.nn.avg_pool3d(x, [2, 2], [1, 1, 1, 1, 1], "SAME")
        with pytest.raises(TypeError, match="DataType int32 not in list"):
            tf.nn.max_pool3d(tf.zeros([1, 4, 4, 4, 2], tf.int32), [1, 2, 2, 2, 1], [1, 1, 1, 1, 1], "SAME")
        with pytest.raises(ValueError, match="Negative dimension size"):
            tf.nn.max_pool3d(x, [1, 5, 2, 2, 1], [1, 1, 1, 1, 1], "VALID")


@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pool1d_values_and_gradients(kind):
    x = RNG.permutation(2 * 9 * 3).reshape(2, 9, 3) / 3.0
    fn = tf.nn.max_pool1d if kind == "max" else tf.nn.avg_pool1d
    got = evaluate(lambda a: fn(a, 3, 2, "SAME"), [x])
    want = ref_pool3d(x[:, None, None], (1, 1, 3), (1, 1, 2), "SAME", np.max if kind == "max" else np.mean)[:, 0, 0]
    np.testing.assert_allclose(got, want, rtol=1e-12)
    got = evaluate(lambda a: fn(a, [1, 1, 2], [1, 1, 2], "VALID", data_format="NCW"), [x.transpose(0, 2, 1)])
    want = ref_pool3d(x[:, None, None], (1, 1, 2), (1, 1, 2), "VALID", np.max if kind == "max" else np.mean)[:, 0, 0]
    np.testing.assert_allclose(got, want.transpose(0, 2, 1), rtol=1e-12)
    check_gradients(lambda a: fn(a, 3, 2, "SAME"), [x])
    with pytest.raises(ValueError, match="data_format must be \"NWC\" or \"NCW\""):
        fn(tf.zeros([1, 4, 2]), 2, 2, "SAME", data_format="NHWCX")
    with pytest.raises(ValueError, match="in the batch and channel dimensions must be 1"):
        fn(tf.zeros([1, 4, 2]), [2, 2, 1], 2, "SAME")


# --- max_pool_with_argmax -----------------------------------------------------------------------------
def ref_argmax(x, k, s, padding, include_batch):
    n, h, w, c = x.shape
    oh, pt, _ = pads_for(padding, h, k, s, 1, 0)
    ow, pl, _ = pads_for(padding, w, k, s, 1, 1)
    y, where = np.zeros((n, oh, ow, c)), np.zeros((n, oh, ow, c), np.int64)
    for b, r, q, ch in itertools.product(range(n), range(oh), range(ow), range(c)):
        best = None
        for i, j in itertools.product(range(k), range(k)):
            hi, wi = r * s - pt + i, q * s - pl + j
            if 0 <= hi < h and 0 <= wi < w and (best is None or x[b, hi, wi, ch] > best):
                best = x[b, hi, wi, ch]
                where[b, r, q, ch] = ((b * h if include_batch else 0) + hi) * w * c + wi * c + ch
        y[b, r, q, ch] = best
    return y, where


@pytest.mark.parametrize("padding,include_batch", [("SAME", False), ("VALID", True), ("SAME", True)])
def test_max_pool_with_argmax(padding, include_batch):
    x = RNG.randn(2, 5, 6, 3)
    x[0, 0, 0, 0] = x[0, 0, 1, 0] = 9.0     # a tie: the first one (row-major) is the argmax
    got_y, got_i = evaluate(lambda a: tf.nn.max_pool_with_argmax(a, [1, 3, 3, 1], [1, 2, 2, 1], padding,
                                                                 include_batch_in_index=include_batch), [x])
    want_y, want_i = ref_argmax(x, 3, 2, padding, include_batch)
    np.testing.assert_allclose(got_y, want_y)
    np.testing.assert_array_equal(got_i, want_i)
    assert got_i.dtype == np.int64
    check_gradients(lambda a: tf.nn.max_pool_with_argmax(a, [1, 2, 2, 1], [1, 2, 2, 1], padding,
                                                         include_batch_in_index=include_batch)[0],
                    [RNG.permutation(2 * 4 * 5 * 2).reshape(2, 4, 5, 2) / 9.0])


def test_max_pool_with_argmax_dtype_and_errors():
    with tf.Graph().as_default():
        y, index = tf.nn.max_pool_with_argmax(tf.zeros([1, 4, 4, 2]), [1, 2, 2, 1], [1, 2, 2, 1], "SAME",
                                              Targmax=tf.int32)
        assert index.dtype == tf.int32 and index.shape.as_list() == [1, 2, 2, 2]
        with pytest.raises(ValueError, match="Data formats other than 'NHWC'"):
            tf.nn.max_pool_with_argmax(tf.zeros([1, 2, 4, 4]), [1, 1, 2, 2], [1, 1, 2, 2], "SAME",
                                       data_format="NCHW")
        with pytest.raises(TypeError, match="Targmax must be int32 or int64, got float32"):
            tf.nn.max_pool_with_argmax(tf.zeros([1, 4, 4, 2]), 2, 2, "SAME", Targmax=tf.float32)


# --- atrous, depthwise aliases, dispatchers --------------------------------------------------------------
@pytest.mark.parametrize("rate,padding", [(1, "SAME"), (2, "SAME"), (3, "VALID")])
def test_atrous_conv2d_and_its_transpose(rate, padding):
    x, f = RNG.randn(2, 9, 8, 3), RNG.randn(3, 2, 3, 4)
    got = evaluate(lambda a, b: tf.nn.atrous_conv2d(a, b, rate, padding), [x, f])
    np.testing.assert_allclose(got, ref_conv(x, f, (1, 1), padding, (rate, rate)), rtol=1e-10)
    dy = RNG.randn(*got.shape)
    # The transpose takes the same [kh, kw, 3, 4] filter: 4 channels in, 3 out.
    back = evaluate(lambda g, b: tf.nn.atrous_conv2d_transpose(g, b, list(x.shape), rate, padding), [dy, f])
    np.testing.assert_allclose(np.sum(got * dy), np.sum(x * back), rtol=1e-10)
    check_gradients(lambda a, b: tf.nn.atrous_conv2d(a, b, rate, padding), [x[:1, :7, :7], f[:, :, :, :2]])
    with pytest.raises(ValueError, match="rate 0 should be >= 1"):
        tf.nn.atrous_conv2d(tf.zeros([1, 4, 4, 1]), tf.zeros([2, 2, 1, 1]), 0, "SAME")


def test_depthwise_backprop_aliases_match_native_ops():
    x, f = RNG.randn(1, 5, 5, 2), RNG.randn(2, 2, 2, 3)
    dy = RNG.randn(1, 5, 5, 6)
    a = evaluate(lambda u, g: tf.nn.depthwise_conv2d_backprop_filter(u, [2, 2, 2, 3], g, [1, 1, 1, 1], "SAME"),
                 [x, dy])
    b = evaluate(lambda u, g: tf.nn.depthwise_conv2d_native_backprop_filter(u, [2, 2, 2, 3], g, [1, 1, 1, 1],
                                                                            "SAME"), [x, dy])
    np.testing.assert_array_equal(a, b)
    c = evaluate(lambda v, g: tf.nn.depthwise_conv2d_backprop_input([1, 5, 5, 2], v, g, [1, 1, 1, 1], "SAME"),
                 [f, dy])
    forward = evaluate(lambda u, v: tf.nn.depthwise_conv2d(u, v, [1, 1, 1, 1], "SAME"), [x, f])
    np.testing.assert_allclose(np.sum(forward * dy), np.sum(c * x), rtol=1e-10)


def test_convolution_and_conv_transpose_dispatch_on_rank():
    x1, f1 = RNG.randn(2, 9, 3), RNG.randn(3, 3, 2)
    np.testing.assert_allclose(evaluate(lambda a, b: tf.nn.convolution(a, b, "VALID", strides=[2]), [x1, f1]),
                               ref_conv(x1[:, None], f1[None], (1, 2), "VALID")[:, 0], rtol=1e-10)
    x2, f2 = RNG.randn(1, 7, 8, 2), RNG.randn(3, 3, 2, 2)
    np.testing.assert_allclose(evaluate(lambda a, b: tf.nn.convolution(a, b, "SAME", dilation_rate=[2, 1]),
                                        [x2, f2]), ref_conv(x2, f2, (1, 1), "SAME", (2, 1)), rtol=1e-10)
    x3, f3 = RNG.randn(1, 4, 5, 4, 2), RNG.randn(2, 2, 2, 2, 3)
    np.testing.assert_allclose(evaluate(lambda a, b: tf.nn.convolution(a, b, "SAME", strides=2), [x3, f3]),
                               ref_conv3d(x3, f3, (2, 2, 2), "SAME"), rtol=1e-10)
    y = RNG.randn(1, 2, 3, 2, 3)
    back = evaluate(lambda g, b: tf.nn.conv_transpose(g, b, [1, 4, 5, 4, 2], 2), [y, f3])
    np.testing.assert_allclose(np.sum(ref_conv3d(x3, f3, (2, 2, 2), "SAME") * y), np.sum(x3 * back), rtol=1e-10)
    y1 = RNG.randn(2, 5, 2)
    back = evaluate(lambda g, b: tf.nn.conv_transpose(g, b, [2, 9, 3], [2]), [y1, f1])
    np.testing.assert_allclose(np.sum(ref_conv(x1[:, None], f1[None], (1, 2), "SAME")[:, 0] * y1),
                               np.sum(x1 * back), rtol=1e-10)
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="strides > 1 not supported in conjunction with dilation_rate > 1"):
            tf.nn.convolution(tf.zeros([1, 6, 6, 1]), tf.zeros([2, 2, 1, 1]), "SAME", strides=2, dilation_rate=2)
        with pytest.raises(ValueError, match="must be of rank 3, 4 or 5"):
            tf.nn.convolution(tf.zeros([6, 6]), tf.zeros([2, 2]), "SAME")
        with pytest.raises(ValueError, match="output_shape must have length 3, 4 or 5"):
            tf.nn.conv_transpose(tf.zeros([1, 6]), tf.zeros([2, 2]), [1, 6], 1)


def test_pool_and_pool_v2():
    x = RNG.permutation(2 * 6 * 7 * 2).reshape(2, 6, 7, 2) / 3.0
    got = evaluate(lambda a: tf.nn.pool(a, [2, 3], "MAX", "SAME", strides=[2, 2]), [x])
    want = ref_pool3d(x[:, None], (1, 2, 3), (1, 2, 2), "SAME", np.max)[:, 0]
    np.testing.assert_allclose(got, want)
    # Dilated windows: taps two apart, the same as pooling each phase of the input separately.
    got = evaluate(lambda a: tf.nn.pool(a, [2, 2], "AVG", "VALID", dilation_rate=[2, 2]), [x])
    want = np.zeros((2, 4, 5, 2))
    for r, q in itertools.product(range(4), range(5)):
        want[:, r, q] = x[:, [r, r + 2]][:, :, [q, q + 2]].mean(axis=(1, 2))
    np.testing.assert_allclose(got, want)
    check_gradients(lambda a: tf.nn.pool(a, [2, 2], "MAX", "VALID", dilation_rate=[2, 1]), [x[:1]])
    x3 = RNG.randn(1, 4, 4, 4, 2)
    np.testing.assert_allclose(evaluate(lambda a: tf.nn.max_pool_v2(a, 2, 2, "SAME"), [x3]),
                               ref_pool3d(x3, (2, 2, 2), (2, 2, 2), "SAME", np.max))
    np.testing.assert_allclose(evaluate(lambda a: tf.nn.avg_pool_v2(a, [3], [1], "VALID"), [x[:, 0]]),
                               ref_pool3d(x[:, :1, None], (1, 1, 3), (1, 1, 1), "VALID", np.mean)[:, 0, 0])
    np.testing.assert_allclose(evaluate(lambda a: tf.nn.avg_pool_v2(a, 2, 2, "VALID", data_format="NCHW"),
                                        [x.transpose(0, 3, 1, 2)]),
                               ref_pool3d(x[:, None], (1, 2, 2), (1, 2, 2), "VALID", np.mean)[:, 0].transpose(0, 3, 1, 2))
    with tf.Graph().as_default():
        z = tf.zeros([1, 6, 6, 1])
        with pytest.raises(ValueError, match="Invalid pooling_type: MIN"):
            tf.nn.pool(z, [2, 2], "MIN", "SAME")
        with pytest.raises(ValueError, match="'SAME' padding is not implemented for `dilation_rate` > 1"):
            tf.nn.pool(z, [2, 2], "MAX", "SAME", dilation_rate=[2, 2])
        with pytest.raises(ValueError, match="strides > window_shape not supported"):
            tf.nn.pool(z, [2, 2], "MAX", "SAME", strides=[3, 1])
        with pytest.raises(ValueError, match="window_shape must have 2 spatial entries"):
            tf.nn.pool(z, [2, 2, 2], "MAX", "SAME")
