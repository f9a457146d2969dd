"""tf.layers 1-D/3-D, transposed and separable convolutions and 1-D/3-D pooling: variable names and shapes,
outputs against NumPy references (the tf.nn kernels they use are checked against real TensorFlow in
tf_parity_nn_extra.py), gradients, reuse and errors."""
import numpy as np
import pytest

import numflow as tf
from test_conv import ref_conv
from test_conv_extra import ref_conv3d, ref_pool3d

RNG = np.random.RandomState(5)


def run(outputs, feed=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(outputs, feed)


def test_conv1d_layer_and_function():
    x = RNG.randn(2, 9, 3).astype(np.float32)
    with tf.Graph().as_default():
        layer = tf.layers.Conv1D(4, 3, strides=2, padding="same", activation=tf.nn.relu,
                                 bias_initializer=tf.constant_initializer(0.1))
        y = layer(tf.constant(x))
        z = tf.layers.conv1d(tf.constant(x), 2, 2, dilation_rate=2, name="second", use_bias=False)
        assert [v.name for v in tf.global_variables()] == ["conv1d/kernel:0", "conv1d/bias:0", "second/kernel:0"]
        assert layer.kernel.shape.as_list() == [3, 3, 4] and y.shape.as_list() == [2, 5, 4]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            got, kernel, got_z, kernel_z = sess.run([y, layer.kernel, z, "second/kernel:0"])
    want = np.maximum(ref_conv(x[:, None], kernel[None], (1, 2), "SAME")[:, 0] + 0.1, 0)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got_z, ref_conv(x[:, None], kernel_z[None], (1, 1), "VALID", (1, 2))[:, 0],
                               rtol=1e-5, atol=1e-6)


def test_conv3d_layer_channels_first_and_reuse():
    x = RNG.randn(2, 3, 4, 5, 6).astype(np.float32)     # NCDHW
    with tf.Graph().as_default():
        inputs = tf.constant(x)
        y = tf.layers.conv3d(inputs, 2, (2, 3, 2), strides=(1, 2, 1), padding="same", data_format="channels_first",
                             bias_initializer=tf.constant_initializer([0.5, -0.5]), name="c3")
        again = tf.layers.conv3d(inputs, 2, (2, 3, 2), strides=(1, 2, 1), padding="same",
                                 data_format="channels_first", name="c3", reuse=True)
        assert len(tf.global_variables()) == 2 and y.shape.as_list() == [2, 2, 4, 3, 6]
        got, same, kernel = run([y, again, "c3/kernel:0"])
    want = ref_conv3d(x.transpose(0, 2, 3, 4, 1), kernel, (1, 2, 1), "SAME") + [0.5, -0.5]
    np.testing.assert_allclose(got, want.transpose(0, 4, 1, 2, 3), rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(got, same)


@pytest.mark.parametrize("padding,strides,kernel_size", [("same", 2, 3), ("valid", (2, 3), (3, 2)),
                                                         ("valid", 1, 2)])
def test_conv2d_transpose_layer(padding, strides, kernel_size):
    x = RNG.randn(2, 4, 5, 3).astype(np.float32)
    with tf.Graph().as_default():
        inputs = tf.placeholder(tf.float32, [None, 4, None, 3])
        layer = tf.layers.Conv2DTranspose(6, kernel_size, strides=strides, padding=padding)
        y = layer(inputs)
        kh, kw = layer.kernel_size
        sh, sw = layer.strides
        out_h = 4 * sh if padding == "same" else 4 * sh + max(kh - sh, 0)
        out_w = 5 * sw if padding == "same" else 5 * sw + max(kw - sw, 0)
        assert layer.kernel.shape.as_list() == [kh, kw, 6, 3]
        assert y.shape.as_list()[1] == out_h
        probe = tf.placeholder(tf.float32, [2, out_h, out_w, 6])
        forward = tf.nn.conv2d(probe, layer.kernel, [1, sh, sw, 1], padding.upper())
        dy = RNG.randn(2, out_h, out_w, 6).astype(np.float32)
        got, conv = run([y, forward], {inputs: x, probe: dy})
    assert got.shape == (2, out_h, out_w, 6)
    # The layer (bias 0) is the adjoint of conv2d with its kernel: <layer(x), dy> = <x, conv2d(dy)>.
    np.testing.assert_allclose(np.sum(got * dy), np.sum(x * conv), rtol=1e-4)


def test_conv3d_transpose_layer():
    x = RNG.randn(1, 2, 3, 2, 2).astype(np.float32)
    with tf.Graph().as_default():
        layer = tf.layers.Conv3DTranspose(3, 2, strides=(2, 1, 2), padding="valid",
                                          bias_initializer=tf.constant_initializer(1.0))
        y = layer(tf.constant(x))
        assert layer.kernel.shape.as_list() == [2, 2, 2, 3, 2] and y.shape.as_list() == [1, 4, 4, 4, 3]
        probe = tf.constant(RNG.randn(1, 4, 4, 4, 3).astype(np.float32))
        forward = tf.nn.conv3d(probe, layer.kernel, [1, 2, 1, 2, 1], "VALID")
        got, conv, dy = run([y, forward, probe])
    np.testing.assert_allclose(np.sum((got - 1.0) * dy), np.sum(x * conv), rtol=1e-4)
    functional_graph = tf.Graph()
    with functional_graph.as_default():
        out = tf.layers.conv3d_transpose(tf.constant(x), 3, 2, strides=2, padding="same")
        assert out.shape.as_list() == [1, 4, 6, 4, 3]
        assert [v.name for v in tf.global_variables()] == ["conv3d_transpose/kernel:0", "conv3d_transpose/bias:0"]


def test_separable_conv_layers():
    x2 = RNG.randn(2, 6, 7, 3).astype(np.float32)
    x1 = RNG.randn(2, 9, 3).astype(np.float32)
    with tf.Graph().as_default():
        sep2 = tf.layers.SeparableConv2D(4, 3, padding="same", depth_multiplier=2)
        y2 = sep2(tf.constant(x2))
        y1 = tf.layers.separable_conv1d(tf.constant(x1), 5, 2, strides=2, depth_multiplier=1,
                                        bias_initializer=tf.constant_initializer(0.25))
        names = [v.name for v in tf.global_variables()]
        assert names == ["separable_conv2d/depthwise_kernel:0", "separable_conv2d/pointwise_kernel:0",
                         "separable_conv2d/bias:0", "separable_conv1d/depthwise_kernel:0",
                         "separable_conv1d/pointwise_kernel:0", "separable_conv1d/bias:0"]
        assert sep2.depthwise_kernel.shape.as_list() == [3, 3, 3, 2]
        assert sep2.pointwise_kernel.shape.as_list() == [1, 1, 6, 4]
        got2, got1, dw2, pw2, dw1, pw1 = run([y2, y1, sep2.depthwise_kernel, sep2.pointwise_kernel,
                                              "separable_conv1d/depthwise_kernel:0",
                                              "separable_conv1d/pointwise_kernel:0"])
    assert dw1.shape == (2, 3, 1) and pw1.shape == (1, 3, 5)

    def separable(x, dw, pw, stride, padding):
        # Depthwise: channel c convolved with its own dw[:, :, c, m] filters, outputs ordered c * M + m.
        c, m = dw.shape[2], dw.shape[3]
        depth = np.concatenate([ref_conv(x[..., k:k + 1], dw[:, :, k:k + 1, :], stride, padding)
                                for k in range(c)], axis=-1)
        return depth.reshape(depth.shape[:3] + (c * m,)) @ pw[0, 0]
    np.testing.assert_allclose(got2, separable(x2, dw2, pw2, (1, 1), "SAME"), rtol=1e-4, atol=1e-5)
    want1 = separable(x1[:, None], dw1[None], pw1[None], (1, 2), "VALID")[:, 0] + 0.25
    np.testing.assert_allclose(got1, want1, rtol=1e-4, atol=1e-5)


def test_pooling_layers_1d_and_3d():
    x1 = RNG.randn(2, 9, 3).astype(np.float32)
    x3 = RNG.randn(2, 4, 5, 6, 2).astype(np.float32)
    with tf.Graph().as_default():
        outs = [tf.layers.max_pooling1d(x1, 2, 2), tf.layers.AveragePooling1D(3, 2, padding="same")(x1),
                tf.layers.MaxPooling3D(2, (1, 2, 2), padding="same")(x3), tf.layers.average_pooling3d(x3, (2, 2, 3), 2),
                tf.layers.max_pooling1d(x1.transpose(0, 2, 1), 2, 2, data_format="channels_first")]
        got = run(outs)
    np.testing.assert_allclose(got[0], ref_pool3d(x1[:, None, None], (1, 1, 2), (1, 1, 2), "VALID", np.max)[:, 0, 0])
    np.testing.assert_allclose(got[1], ref_pool3d(x1[:, None, None], (1, 1, 3), (1, 1, 2), "SAME", np.mean)[:, 0, 0],
                               rtol=1e-6)
    np.testing.assert_allclose(got[2], ref_pool3d(x3, (2, 2, 2), (1, 2, 2), "SAME", np.max))
    np.testing.assert_allclose(got[3], ref_pool3d(x3, (2, 2, 3), (2, 2, 2), "VALID", np.mean), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[4], got[0].transpose(0, 2, 1))


def test_layers_train_and_errors():
    with tf.Graph().as_default():
        x = tf.constant(RNG.randn(4, 8, 2).astype(np.float32))
        hidden = tf.layers.conv1d(x, 3, 3, padding="same", activation=tf.nn.tanh)
        y = tf.layers.conv2d_transpose(tf.expand_dims(hidden, 1), 2, (1, 2), strides=(1, 1))
        loss = tf.reduce_mean(tf.square(y))
        step = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            before = sess.run(loss)
            for _ in range(20):
                sess.run(step)
            assert sess.run(loss) < before
        with pytest.raises(ValueError, match="expected ndim=5, found ndim=4"):
            tf.layers.conv3d(tf.zeros([1, 4, 4, 2]), 2, 2)
        with pytest.raises(ValueError, match="The channel dimension of the inputs should be defined"):
            tf.layers.conv1d(tf.placeholder(tf.float32, [None, 4, None]), 2, 2)
        with pytest.raises(ValueError, match="The `kernel_size` argument must be a tuple of 3 integers"):
            tf.layers.Conv3D(2, (2, 2))
        with pytest.raises(ValueError, match="strides > 1 not supported in conjunction with dilation_rate > 1"):
            tf.layers.Conv1D(2, 2, strides=2, dilation_rate=2)
        with pytest.raises(ValueError, match="filters must be a positive integer"):
            tf.layers.Conv2DTranspose(0, 2)
        with pytest.raises(ValueError, match='The `padding` argument must be one of "valid", "same"'):
            tf.layers.MaxPooling3D(2, 2, padding="full")
