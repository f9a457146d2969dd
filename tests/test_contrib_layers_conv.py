"""tf.contrib.layers convolutions and pooling: convolution / conv1d / conv2d / conv3d (both data formats,
atrous), conv2d_transpose / conv3d_transpose, separable_conv2d (also depthwise only), conv2d_in_plane,
max_pool3d / avg_pool3d and pool, checked against NumPy references, with variable names / shapes and
the error paths."""
import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

import numflow as tf

layers = tf.contrib.layers
RNG = np.random.RandomState(7)


def _same_padding(length, kernel, stride):
    out = -(-length // stride)
    total = max((out - 1) * stride + kernel - length, 0)
    return total // 2, total - total // 2


def conv_reference(x, w, strides, padding, dilations=None):
    """Channels-last N-D cross-correlation in NumPy: x [batch, *spatial, in], w [*kernel, in, out]."""
    spatial = x.ndim - 2
    dilations = dilations or (1,) * spatial
    kernel = []
    for axis in range(spatial):   # a dilated kernel is the kernel with zeros between its taps
        size = (w.shape[axis] - 1) * dilations[axis] + 1
        kernel.append(size)
    dilated = np.zeros(tuple(kernel) + w.shape[spatial:], w.dtype)
    dilated[tuple(slice(None, None, d) for d in dilations)] = w
    if padding == "SAME":
        pads = [(0, 0)] + [_same_padding(x.shape[1 + a], kernel[a], strides[a]) for a in range(spatial)] + [(0, 0)]
        x = np.pad(x, pads)
    windows = sliding_window_view(x, kernel, axis=tuple(range(1, spatial + 1)))
    windows = windows[(slice(None),) + tuple(slice(None, None, s) for s in strides)]
    letters = "defg"[:spatial]
    return np.einsum("a%sc%s,%sco->a%so" % (letters, letters.upper(), letters.upper(), letters), windows, dilated)


def transpose_reference(x, w, strides, out_sizes):
    """Channels-last N-D transposed convolution: scatter each input tap through w [*kernel, out, in],
    then crop (SAME) or zero-fill (VALID) to `out_sizes` as TF's padding rules do."""
    spatial = x.ndim - 2
    kernel = w.shape[:spatial]
    full = [(x.shape[1 + a] - 1) * strides[a] + kernel[a] for a in range(spatial)]
    out = np.zeros((x.shape[0],) + tuple(full) + (w.shape[spatial],), np.float64)
    for position in np.ndindex(*x.shape[1:1 + spatial]):
        contribution = np.einsum("ni,%so i->n%so" % ("xyz"[:spatial], "xyz"[:spatial]),
                                 x[(slice(None),) + position], w)
        index = (slice(None),) + tuple(slice(p * s, p * s + k) for p, s, k in zip(position, strides, kernel))
        out[index] += contribution
    result = np.zeros((x.shape[0],) + tuple(out_sizes) + (w.shape[spatial],))
    crops, pastes = [], []
    for a in range(spatial):
        start = max(full[a] - out_sizes[a], 0) // 2
        length = min(full[a] - start, out_sizes[a])
        crops.append(slice(start, start + length))
        pastes.append(slice(0, length))
    result[(slice(None),) + tuple(pastes)] = out[(slice(None),) + tuple(crops)]
    return result


def _run(outputs, feed=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(outputs, feed)


def _const_init(value):
    return tf.constant_initializer(value)


@pytest.mark.parametrize("rank,padding,stride", [(3, "SAME", 2), (4, "VALID", 1), (5, "SAME", 1), (4, "SAME", 2)])
def test_convolution_any_rank_matches_numpy(rank, padding, stride):
    spatial = rank - 2
    x = RNG.randn(2, *([5] * spatial), 3)
    w = RNG.randn(*([3] * spatial), 3, 4)
    b = RNG.randn(4)
    with tf.Graph().as_default():
        out = layers.convolution(tf.constant(x), 4, 3, stride=stride, padding=padding, activation_fn=None,
                                 weights_initializer=_const_init(w), biases_initializer=_const_init(b))
        names = {v.op.name: v.shape.as_list() for v in tf.global_variables()}
        value = _run(out)
    assert names == {"Conv/weights": [3] * spatial + [3, 4], "Conv/biases": [4]}
    np.testing.assert_allclose(value, conv_reference(x, w, [stride] * spatial, padding) + b, rtol=1e-10)


def test_conv1d_conv3d_channels_first_and_atrous():
    x = RNG.randn(2, 3, 9)                    # NCW
    w = RNG.randn(3, 3, 2)
    with tf.Graph().as_default():
        out = layers.conv1d(tf.constant(x), 2, 3, data_format="NCW", rate=2, activation_fn=tf.nn.relu,
                            weights_initializer=_const_init(w), scope="c1")
        x5 = RNG.randn(1, 2, 4, 4, 4)         # NCDHW
        w5 = RNG.randn(2, 2, 2, 2, 3)
        out3 = layers.conv3d(tf.constant(x5), 3, 2, data_format="NCDHW", biases_initializer=None,
                             activation_fn=None, weights_initializer=_const_init(w5))
        got1, got3 = _run([out, out3])
    expected1 = np.maximum(conv_reference(x.transpose(0, 2, 1), w, [1], "SAME", [2]), 0).transpose(0, 2, 1)
    np.testing.assert_allclose(got1, expected1, rtol=1e-10)
    expected3 = conv_reference(x5.transpose(0, 2, 3, 4, 1), w5, [1, 1, 1], "SAME").transpose(0, 4, 1, 2, 3)
    np.testing.assert_allclose(got3, expected3, rtol=1e-10)


def test_conv2d_is_convolution2d_with_normalizer_instead_of_biases():
    assert layers.conv2d is layers.convolution2d and layers.conv1d is layers.convolution1d
    with tf.Graph().as_default():
        out = layers.conv2d(tf.zeros([2, 4, 4, 3]), 5, [3, 1], normalizer_fn=layers.batch_norm,
                            normalizer_params={"scale": True})
        names = sorted(v.op.name for v in tf.global_variables())
    assert out.shape.as_list() == [2, 4, 4, 5]
    assert "Conv/biases" not in names and "Conv/BatchNorm/gamma" in names and "Conv/weights" in names


def test_convolution_errors():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="Convolution expects input with rank 4, got 3"):
            layers.conv2d(tf.zeros([2, 4, 3]), 2, 3)
        with pytest.raises(ValueError, match="Convolution not supported for input with rank 2"):
            layers.convolution(tf.zeros([2, 4]), 2, 3)
        with pytest.raises(ValueError, match="Invalid data_format: 'NHCW'"):
            layers.convolution(tf.zeros([2, 4, 4, 3]), 2, 3, data_format="NHCW")
        with pytest.raises(ValueError, match="does not fit a rank-4 input"):
            layers.convolution(tf.zeros([2, 4, 4, 3]), 2, 3, data_format="NCW")
        with pytest.raises(ValueError, match="channel dimension of the inputs to `convolution`"):
            layers.conv2d(tf.placeholder(tf.float32, [None, 4, 4, None]), 2, 3)
        with pytest.raises(ValueError, match="strides > 1 not supported in conjunction with dilation_rate > 1"):
            layers.conv2d(tf.zeros([2, 4, 4, 3]), 2, 3, stride=2, rate=2)
        with pytest.raises(ValueError, match="kernel_size` argument must be a tuple of 2 integers"):
            layers.conv2d(tf.zeros([2, 4, 4, 3]), 2, [3, 3, 3])


@pytest.mark.parametrize("padding,kernel,stride", [("SAME", 3, 2), ("VALID", 3, 2), ("VALID", 1, 3),
                                                   ("SAME", 4, 1)])
def test_conv2d_transpose_matches_numpy(padding, kernel, stride):
    x = RNG.randn(2, 3, 4, 3)
    w = RNG.randn(kernel, kernel, 5, 3)
    b = RNG.randn(5)
    with tf.Graph().as_default():
        inputs = tf.placeholder(tf.float64, [None, 3, 4, 3])
        out = layers.conv2d_transpose(inputs, 5, kernel, stride=stride, padding=padding, activation_fn=None,
                                      weights_initializer=_const_init(w), biases_initializer=_const_init(b))
        names = {v.op.name: v.shape.as_list() for v in tf.global_variables()}
        value = _run(out, {inputs: x})
    extra = max(kernel - stride, 0) if padding == "VALID" else 0
    sizes = [3 * stride + extra, 4 * stride + extra]
    assert out.shape.as_list() == [None] + sizes + [5]
    assert names == {"Conv2d_transpose/weights": [kernel, kernel, 5, 3], "Conv2d_transpose/biases": [5]}
    np.testing.assert_allclose(value, transpose_reference(x, w, [stride, stride], sizes) + b, rtol=1e-10,
                               atol=1e-12)


def test_conv2d_transpose_nchw_and_dynamic_spatial_size():
    x = RNG.randn(1, 2, 3, 3)
    w = RNG.randn(2, 2, 4, 2)
    with tf.Graph().as_default():
        inputs = tf.placeholder(tf.float64, [None, 2, None, None])
        out = layers.convolution2d_transpose(inputs, 4, 2, stride=2, data_format="NCHW", activation_fn=None,
                                             weights_initializer=_const_init(w))
        value = _run(out, {inputs: x})
    assert out.shape.as_list() == [None, 4, None, None]
    expected = transpose_reference(x.transpose(0, 2, 3, 1), w, [2, 2], [6, 6]).transpose(0, 3, 1, 2)
    np.testing.assert_allclose(value, expected, rtol=1e-10)


def test_conv3d_transpose_matches_numpy():
    x = RNG.randn(1, 2, 2, 3, 2)
    w = RNG.randn(2, 3, 2, 3, 2)
    with tf.Graph().as_default():
        out = layers.conv3d_transpose(tf.constant(x), 3, [2, 3, 2], stride=[1, 2, 2], padding="VALID",
                                      activation_fn=None, weights_initializer=_const_init(w))
        names = {v.op.name: v.shape.as_list() for v in tf.global_variables()}
        value = _run(out)
    assert names == {"Conv3d_transpose/weights": [2, 3, 2, 3, 2], "Conv3d_transpose/biases": [3]}
    sizes = [3, 5, 6]
    assert value.shape == (1, 3, 5, 6, 3)
    np.testing.assert_allclose(value, transpose_reference(x, w, [1, 2, 2], sizes), rtol=1e-10)


def test_transposed_convolution_errors():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="data_format has to be either NCHW or NHWC"):
            layers.conv2d_transpose(tf.zeros([1, 2, 2, 3]), 2, 3, data_format="NCDHW")
        with pytest.raises(ValueError, match="data_format has to be either NCDHW or NDHWC"):
            layers.conv3d_transpose(tf.zeros([1, 2, 2, 2, 3]), 2, 3, data_format="NHWC")
        with pytest.raises(ValueError, match="Inputs should have rank 4"):
            layers.conv2d_transpose(tf.zeros([1, 2, 3]), 2, 3)
        with pytest.raises(ValueError, match="channel dimension of the inputs to `conv2d_transpose`"):
            layers.conv2d_transpose(tf.placeholder(tf.float32, [1, 2, 2, None]), 2, 3)


def depthwise_reference(x, w, strides, padding):
    """Per-channel NHWC correlation: output channel c * multiplier + m uses w[:, :, c, m]."""
    channels, multiplier = w.shape[2], w.shape[3]
    outputs = [conv_reference(x[..., c:c + 1], w[:, :, c:c + 1, m:m + 1], strides, padding)
               for c in range(channels) for m in range(multiplier)]
    return np.concatenate(outputs, axis=-1)


def test_separable_conv2d_matches_numpy():
    x = RNG.randn(2, 5, 5, 3)
    depthwise = RNG.randn(3, 3, 3, 2)
    pointwise = RNG.randn(1, 1, 6, 4)
    with tf.Graph().as_default():
        out = layers.separable_conv2d(tf.constant(x), 4, 3, depth_multiplier=2, stride=2, padding="VALID",
                                      weights_initializer=_const_init(depthwise),
                                      pointwise_initializer=_const_init(pointwise))
        names = {v.op.name: v.shape.as_list() for v in tf.global_variables()}
        value = _run(out)
    assert names == {"SeparableConv2d/depthwise_weights": [3, 3, 3, 2],
                     "SeparableConv2d/pointwise_weights": [1, 1, 6, 4], "SeparableConv2d/biases": [4]}
    expected = np.maximum(np.einsum("nhwc,co->nhwo", depthwise_reference(x, depthwise, [2, 2], "VALID"),
                                    pointwise[0, 0]), 0)
    np.testing.assert_allclose(value, expected, rtol=1e-10)


def test_separable_conv2d_depthwise_only_and_regularizer():
    x = RNG.randn(1, 4, 4, 2)
    depthwise = RNG.randn(3, 3, 2, 3)
    with tf.Graph().as_default():
        out = layers.separable_convolution2d(tf.constant(x), None, 3, depth_multiplier=3, activation_fn=None,
                                             weights_initializer=_const_init(depthwise),
                                             weights_regularizer=layers.l2_regularizer(0.5),
                                             biases_initializer=tf.ones_initializer())
        names = {v.op.name: v.shape.as_list() for v in tf.global_variables()}
        losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
        value, penalty = _run([out, tf.add_n(losses)])
    assert names == {"SeparableConv2d/depthwise_weights": [3, 3, 2, 3], "SeparableConv2d/biases": [6]}
    np.testing.assert_allclose(value, depthwise_reference(x, depthwise, [1, 1], "SAME") + 1, rtol=1e-10)
    np.testing.assert_allclose(penalty, 0.5 * np.sum(depthwise ** 2) / 2, rtol=1e-10)


def test_conv2d_in_plane_matches_numpy():
    x = RNG.randn(2, 5, 4, 3)
    w = RNG.randn(2, 3, 1, 1)
    with tf.Graph().as_default():
        out = layers.conv2d_in_plane(tf.constant(x), [2, 3], stride=[1, 2], activation_fn=None,
                                     weights_initializer=_const_init(w))
        names = {v.op.name: v.shape.as_list() for v in tf.global_variables()}
        value = _run(out)
    assert names == {"ConvInPlane/weights": [2, 3, 1, 1], "ConvInPlane/biases": [3]}
    expected = depthwise_reference(x, np.tile(w, [1, 1, 3, 1]), [1, 2], "SAME")
    np.testing.assert_allclose(value, expected, rtol=1e-10)
    assert layers.convolution2d_in_plane is layers.conv2d_in_plane


def test_separable_and_in_plane_errors():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="data_format has to be either NCHW or NHWC"):
            layers.separable_conv2d(tf.zeros([1, 4, 4, 2]), 2, 3, data_format="NCW")
        with pytest.raises(ValueError, match="Inputs should have rank 4"):
            layers.separable_conv2d(tf.zeros([1, 4, 2]), 2, 3)
        with pytest.raises(ValueError, match="Inputs should have rank 4"):
            layers.conv2d_in_plane(tf.zeros([4, 2]), 3)


def _pool_reference(x, kernel, stride, reduce):
    windows = sliding_window_view(x, kernel, axis=tuple(range(1, x.ndim - 1)))
    windows = windows[(slice(None),) + tuple(slice(None, None, s) for s in stride)]
    return reduce(windows, axis=tuple(range(x.ndim, windows.ndim)))


def test_pool3d_matches_numpy():
    x = RNG.randn(2, 4, 5, 6, 3)
    with tf.Graph().as_default():
        mx = layers.max_pool3d(tf.constant(x), [2, 2, 3], stride=[2, 1, 3])
        av = layers.avg_pool3d(tf.constant(x.transpose(0, 4, 1, 2, 3)), 2, data_format="NCDHW")
        assert mx.op.name.startswith("MaxPool3D/") and av.op.name.startswith("AvgPool3D/")
        got_max, got_avg = _run([mx, av])
    np.testing.assert_allclose(got_max, _pool_reference(x, [2, 2, 3], [2, 1, 3], np.max))
    np.testing.assert_allclose(got_avg, _pool_reference(x, [2, 2, 2], [2, 2, 2], np.mean).transpose(0, 4, 1, 2, 3))


def test_pool_any_rank_matches_numpy():
    x1 = RNG.randn(2, 7, 3)
    x2 = RNG.randn(2, 6, 6, 2)
    with tf.Graph().as_default():
        max_1d = layers.pool(tf.constant(x1), 3, "MAX", stride=2)
        avg_2d = layers.pool(tf.constant(x2), [2, 3], "AVG", stride=[2, 3], scope="mine")
        assert max_1d.op.name.startswith("max_pool/") and avg_2d.op.name.startswith("mine/")
        got1, got2 = _run([max_1d, avg_2d])
    np.testing.assert_allclose(got1, _pool_reference(x1, [3], [2], np.max))
    np.testing.assert_allclose(got2, _pool_reference(x2, [2, 3], [2, 3], np.mean))


def test_pooling_errors():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="data_format has to be either NCDHW or NDHWC"):
            layers.max_pool3d(tf.zeros([1, 2, 2, 2, 1]), 2, data_format="NHWC")
        with pytest.raises(ValueError, match="data_format has to be either NCHW or NHWC"):
            layers.max_pool2d(tf.zeros([1, 2, 2, 1]), 2, data_format="NDHWC")
        with pytest.raises(ValueError, match="must be 5-D"):
            layers.avg_pool3d(tf.zeros([1, 2, 2, 1]), 2)
        with pytest.raises(ValueError, match="Rank of inputs must be >= 3"):
            layers.pool(tf.zeros([2, 3]), 2, "MAX")
        with pytest.raises(ValueError, match="Rank of inputs must be known"):
            layers.pool(tf.placeholder(tf.float32), 2, "MAX")


def test_separable_conv2d_nchw_and_atrous_depthwise():
    x = RNG.randn(2, 6, 6, 3)
    depthwise = RNG.randn(3, 3, 3, 2)
    pointwise = RNG.randn(1, 1, 6, 4)
    with tf.Graph().as_default():
        both = layers.separable_conv2d(tf.constant(x.transpose(0, 3, 1, 2)), 4, 3, depth_multiplier=2, stride=2,
                                       data_format="NCHW", activation_fn=None,
                                       weights_initializer=_const_init(depthwise),
                                       pointwise_initializer=_const_init(pointwise))
        atrous = layers.separable_conv2d(tf.constant(x), None, 3, depth_multiplier=2, rate=2, activation_fn=None,
                                         weights_initializer=_const_init(depthwise))
        got_both, got_atrous = _run([both, atrous])
    expected = np.einsum("nhwc,co->nhwo", depthwise_reference(x, depthwise, [2, 2], "SAME"), pointwise[0, 0])
    np.testing.assert_allclose(got_both, expected.transpose(0, 3, 1, 2), rtol=1e-10)
    channels = [conv_reference(x[..., c:c + 1], depthwise[:, :, c:c + 1, m:m + 1], [1, 1], "SAME", [2, 2])
                for c in range(3) for m in range(2)]
    np.testing.assert_allclose(got_atrous, np.concatenate(channels, -1), rtol=1e-10)
