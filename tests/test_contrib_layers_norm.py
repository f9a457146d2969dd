"""tf.contrib.layers normalizations: layer_norm, instance_norm, group_norm, unit_norm and bias_add against
NumPy, their variables, finite-difference gradients of the composites, and the error paths."""
import numpy as np
import pytest

import numflow as tf
from gradcheck import check_gradients

layers = tf.contrib.layers
RNG = np.random.RandomState(11)


def _run(outputs, feed=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(outputs, feed)


def _normalize(x, axes, epsilon):
    mean = x.mean(axis=axes, keepdims=True)
    variance = x.var(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(variance + epsilon)


def test_layer_norm_matches_numpy_with_variables():
    x = RNG.randn(3, 4, 5)
    with tf.Graph().as_default():
        out = layers.layer_norm(tf.constant(x))
        variables = {v.op.name: v.shape.as_list() for v in tf.global_variables()}
        trainable = [v.op.name for v in tf.trainable_variables()]
        model = [v.op.name for v in tf.model_variables()]
        beta, gamma = tf.global_variables()
        value = _run(out)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run([beta.assign(np.arange(5.0)), gamma.assign(np.full(5, 2.0))])
            shifted = sess.run(out)
    assert variables == {"LayerNorm/beta": [5], "LayerNorm/gamma": [5]}
    assert trainable == model == ["LayerNorm/beta", "LayerNorm/gamma"]
    np.testing.assert_allclose(value, _normalize(x, (1, 2), 1e-12), rtol=1e-9)
    np.testing.assert_allclose(shifted, 2 * _normalize(x, (1, 2), 1e-12) + np.arange(5.0), rtol=1e-9)


def test_layer_norm_axes_and_no_params():
    x = RNG.randn(2, 3, 4)
    with tf.Graph().as_default():
        out = layers.layer_norm(tf.constant(x), begin_norm_axis=-1, begin_params_axis=1, scope="ln",
                                activation_fn=tf.nn.relu)
        bare = layers.layer_norm(tf.constant(x), center=False, scale=False)
        variables = {v.op.name: v.shape.as_list() for v in tf.global_variables()}
        got, got_bare = _run([out, bare])
    assert variables == {"ln/beta": [3, 4], "ln/gamma": [3, 4]}
    np.testing.assert_allclose(got, np.maximum(_normalize(x, (2,), 1e-12), 0), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(got_bare, _normalize(x, (1, 2), 1e-12), rtol=1e-9)


def test_layer_norm_errors():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="has undefined rank"):
            layers.layer_norm(tf.placeholder(tf.float32))
        with pytest.raises(ValueError, match=r"begin_params_axis \(-1\) and begin_norm_axis \(2\) must be < "
                                             r"rank\(inputs\) \(2\)"):
            layers.layer_norm(tf.zeros([2, 3]), begin_norm_axis=2)
        with pytest.raises(ValueError, match="params_shape .* must be fully defined"):
            layers.layer_norm(tf.placeholder(tf.float32, [2, None]))


def test_layer_norm_gradient():
    def build(x):
        return layers.layer_norm(x, begin_norm_axis=1, center=False, scale=False)
    check_gradients(build, [RNG.randn(2, 3, 2)], rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
def test_instance_norm_matches_numpy(data_format):
    x = RNG.randn(2, 3, 4, 5)   # channels last 5 / channels first 3
    channels = 5 if data_format == "NHWC" else 3
    axes = (1, 2) if data_format == "NHWC" else (2, 3)
    beta, gamma = RNG.randn(channels), RNG.rand(channels) + 0.5
    shape = [1, 1, 1, channels] if data_format == "NHWC" else [1, channels, 1, 1]
    with tf.Graph().as_default():
        out = layers.instance_norm(tf.constant(x), data_format=data_format, epsilon=1e-3,
                                   param_initializers={"beta": tf.constant_initializer(beta),
                                                       "gamma": tf.constant_initializer(gamma)})
        variables = {v.op.name: v.shape.as_list() for v in tf.global_variables()}
        value = _run(out)
    assert variables == {"InstanceNorm/beta": [channels], "InstanceNorm/gamma": [channels]}
    expected = _normalize(x, axes, 1e-3) * gamma.reshape(shape) + beta.reshape(shape)
    np.testing.assert_allclose(value, expected, rtol=1e-9)


def test_instance_norm_errors_and_gradient():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="has undefined rank"):
            layers.instance_norm(tf.placeholder(tf.float32))
        with pytest.raises(ValueError, match="data_format has to be either NCHW or NHWC"):
            layers.instance_norm(tf.zeros([1, 2, 2, 3]), data_format="NCW")
        with pytest.raises(ValueError, match="has undefined channels dimension"):
            layers.instance_norm(tf.placeholder(tf.float32, [1, 2, 2, None]))
    check_gradients(lambda x: layers.instance_norm(x, center=False, scale=False), [RNG.randn(2, 2, 3, 2)],
                    rtol=1e-4, atol=1e-6)


def group_norm_reference(x, groups, channels_axis, reduction_axes, epsilon, gamma, beta):
    shape = x.shape
    channels = shape[channels_axis]
    grouped = x.reshape(shape[:channels_axis] + (groups, channels // groups) + shape[channels_axis + 1:])
    axes = [channels_axis + 1] + [a + 1 if a > channels_axis else a for a in reduction_axes]
    normalized = _normalize(grouped, tuple(axes), epsilon).reshape(shape)
    broadcast = [1] * x.ndim
    broadcast[channels_axis] = channels
    return normalized * gamma.reshape(broadcast) + beta.reshape(broadcast)


@pytest.mark.parametrize("channels_axis,reduction_axes,close", [(-1, (-3, -2), False), (1, (2, 3), True),
                                                                (3, (1, 2), False)])
def test_group_norm_matches_numpy(channels_axis, reduction_axes, close):
    x = RNG.randn(2, 6, 4, 6) + (0.0 if close else 3.0)
    channels = 6
    beta, gamma = RNG.randn(channels), RNG.rand(channels) + 0.5
    with tf.Graph().as_default():
        inputs = tf.placeholder(tf.float64, [None, 6, 4, 6])
        out = layers.group_norm(inputs, groups=3, channels_axis=channels_axis, reduction_axes=reduction_axes,
                                mean_close_to_zero=close,
                                param_initializers={"beta": tf.constant_initializer(beta),
                                                    "gamma": tf.constant_initializer(gamma)})
        variables = {v.op.name: v.shape.as_list() for v in tf.global_variables()}
        value = _run(out, {inputs: x})
    assert out.shape.as_list() == [None, 6, 4, 6]
    assert variables == {"GroupNorm/beta": [6], "GroupNorm/gamma": [6]}
    positive_axis = channels_axis % 4
    positive_reduction = [a % 4 for a in reduction_axes]
    expected = group_norm_reference(x, 3, positive_axis, positive_reduction, 1e-6, gamma, beta)
    np.testing.assert_allclose(value, expected, rtol=1e-8, atol=1e-10)


def test_group_norm_errors():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="has undefined rank"):
            layers.group_norm(tf.placeholder(tf.float32))
        with pytest.raises(ValueError, match="has undefined channel dimension: 3"):
            layers.group_norm(tf.placeholder(tf.float32, [1, 2, 2, None]))
        with pytest.raises(ValueError, match="Axis is out of bounds"):
            layers.group_norm(tf.zeros([1, 2, 2, 4]), groups=2, reduction_axes=(1, 5))
        with pytest.raises(ValueError, match="has undefined dimensions 1"):
            layers.group_norm(tf.placeholder(tf.float32, [1, None, 2, 4]), groups=2)
        with pytest.raises(ValueError, match="reduction_axis must be mutually exclusive with channels_axis"):
            layers.group_norm(tf.zeros([1, 2, 2, 4]), groups=2, reduction_axes=(2, 3))
        with pytest.raises(ValueError, match="Invalid groups 32 for 4 channels"):
            layers.group_norm(tf.zeros([1, 2, 2, 4]))
        with pytest.raises(ValueError, match="6 channels is not commensurate with 4 groups"):
            layers.group_norm(tf.zeros([1, 2, 2, 6]), groups=4)


@pytest.mark.parametrize("close", [False, True])
def test_group_norm_gradient(close):
    def build(x):
        return layers.group_norm(x, groups=2, mean_close_to_zero=close, center=False, scale=False)
    check_gradients(build, [RNG.randn(2, 2, 3, 4)], rtol=1e-4, atol=1e-6)


def test_unit_norm_matches_numpy_and_errors():
    x = RNG.randn(3, 4, 2)
    with tf.Graph().as_default():
        out = layers.unit_norm(tf.constant(x), 1, epsilon=1e-3)
        assert out.op.name.startswith("UnitNorm/")
        np.testing.assert_allclose(_run(out), x / np.sqrt(1e-3 + np.sum(x ** 2, axis=1, keepdims=True)),
                                   rtol=1e-10)
        with pytest.raises(ValueError, match="Inputs must have a defined rank"):
            layers.unit_norm(tf.placeholder(tf.float32), 1)
        with pytest.raises(ValueError, match="dim must be positive but smaller than the input rank"):
            layers.unit_norm(tf.constant(x), 3)
    check_gradients(lambda v: layers.unit_norm(v, 0), [RNG.randn(3, 2)])


def test_bias_add_both_formats_and_errors():
    x = RNG.randn(2, 3, 2, 2)
    with tf.Graph().as_default():
        last = layers.bias_add(tf.constant(x), initializer=tf.constant_initializer([1.0, -2.0]),
                               activation_fn=tf.nn.relu)
        first = layers.bias_add(tf.constant(x), initializer=tf.constant_initializer([1.0, 2.0, 3.0]),
                                data_format="NCHW", variables_collections={"biases": ["my_biases"]},
                                trainable=False)
        variables = {v.op.name: v.shape.as_list() for v in tf.global_variables()}
        assert [v.op.name for v in tf.get_collection("my_biases")] == ["BiasAdd_1/biases"]
        assert [v.op.name for v in tf.trainable_variables()] == ["BiasAdd/biases"]
        got_last, got_first = _run([last, first])
        with pytest.raises(ValueError, match="data_format has to be either NCHW or NHWC"):
            layers.bias_add(tf.constant(x), data_format="NCW")
        with pytest.raises(ValueError, match="Dims of shape must be known but is None"):
            layers.bias_add(tf.placeholder(tf.float32))
        with pytest.raises(ValueError, match="Data format NCHW only supports 4D Tensor"):
            layers.bias_add(tf.zeros([2, 3]), data_format="NCHW")
        with pytest.raises(ValueError, match="`C` dimension must be known but is None"):
            layers.bias_add(tf.placeholder(tf.float32, [2, None]))
    assert variables == {"BiasAdd/biases": [2], "BiasAdd_1/biases": [3]}
    np.testing.assert_allclose(got_last, np.maximum(x + [1.0, -2.0], 0))
    np.testing.assert_allclose(got_first, x + np.array([1.0, 2.0, 3.0]).reshape(1, 3, 1, 1))
