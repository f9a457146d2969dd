"""tf.contrib.layers.RevBlock / rev_block (values against NumPy, variable scopes, side inputs, backward
reconstruction, gradients against finite differences) and recompute_grad."""
import numpy as np
import pytest

import numflow as tf

layers = tf.contrib.layers
RNG = np.random.RandomState(23)


def _dense(x):
    return layers.fully_connected(x, 3, activation_fn=tf.tanh, weights_initializer=tf.constant_initializer(
        RNG.randn(3, 3) * 0.5), biases_initializer=tf.constant_initializer(0.1))


def _numpy_block(x1, x2, weights, num_layers):
    """weights: per layer (f_kernel, f_bias, g_kernel, g_bias)."""
    for f_kernel, f_bias, g_kernel, g_bias in weights[:num_layers]:
        x1 = x1 + np.tanh(x2 @ f_kernel + f_bias)
        x2 = x2 + np.tanh(x1 @ g_kernel + g_bias)
    return x1, x2


def test_rev_block_matches_numpy_and_names_variables():
    x1, x2 = RNG.randn(4, 3), RNG.randn(4, 3)
    with tf.Graph().as_default():
        y1, y2 = layers.rev_block(tf.constant(x1), tf.constant(x2), _dense, _dense, num_layers=2)
        names = [v.op.name for v in tf.trainable_variables()]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            got1, got2 = sess.run([y1, y2])
            values = {v.op.name: sess.run(v) for v in tf.trainable_variables()}
    assert names == ["revblock/revlayer_0/f/fully_connected/weights", "revblock/revlayer_0/f/fully_connected/biases",
                     "revblock/revlayer_0/g/fully_connected/weights", "revblock/revlayer_0/g/fully_connected/biases",
                     "revblock/revlayer_1/f/fully_connected/weights", "revblock/revlayer_1/f/fully_connected/biases",
                     "revblock/revlayer_1/g/fully_connected/weights", "revblock/revlayer_1/g/fully_connected/biases"]
    weights = [tuple(values["revblock/revlayer_%d/%s/fully_connected/%s" % (i, part, kind)]
                     for part in "fg" for kind in ("weights", "biases")) for i in range(2)]
    want1, want2 = _numpy_block(x1, x2, weights, 2)
    np.testing.assert_allclose(got1, want1, rtol=1e-10)
    np.testing.assert_allclose(got2, want2, rtol=1e-10)


def test_rev_block_side_inputs_and_function_lists():
    x1, x2, side = RNG.randn(2, 3), RNG.randn(2, 3), RNG.randn(2, 3)

    def with_side(x, side_inputs):
        return x * side_inputs[0]
    with tf.Graph().as_default():
        side_tensor = tf.constant(side)
        y1, y2 = layers.rev_block(tf.constant(x1), tf.constant(x2), [with_side, with_side],
                                  [tf.square, tf.negative], num_layers=2, f_side_input=[side_tensor])
        with tf.Session() as sess:
            got1, got2 = sess.run([y1, y2])
        with pytest.raises(ValueError, match=r"f must be a function or a list of num_layers \(3\) functions, got 2"):
            layers.rev_block(tf.constant(x1), tf.constant(x2), [tf.square, tf.square], tf.square, num_layers=3)
    a1 = x1 + x2 * side
    a2 = x2 + a1 ** 2
    b1 = a1 + a2 * side
    b2 = a2 - b1
    np.testing.assert_allclose(got1, b1, rtol=1e-12)
    np.testing.assert_allclose(got2, b2, rtol=1e-12)


def test_rev_block_backward_reconstructs_inputs_with_the_same_variables():
    x1, x2 = RNG.randn(4, 3), RNG.randn(4, 3)
    with tf.Graph().as_default():
        block = layers.RevBlock(_dense, _dense, num_layers=3)
        y1, y2 = block.forward(tf.constant(x1), tf.constant(x2))
        count = len(tf.global_variables())
        r1, r2 = block.backward(y1, y2)
        assert len(tf.global_variables()) == count == 12
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            got1, got2 = sess.run([r1, r2])
    np.testing.assert_allclose(got1, x1, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(got2, x2, rtol=1e-9, atol=1e-12)


def test_rev_block_gradients_match_finite_differences():
    from gradcheck import check_gradients

    def build(x1, x2):
        y1, y2 = layers.rev_block(x1, x2, tf.sin, lambda v: v * tf.tanh(v), num_layers=2)
        return tf.concat([y1, y2], 1)
    check_gradients(build, [RNG.randn(2, 3), RNG.randn(2, 3)])


def test_recompute_grad_keeps_values_and_gradients():
    calls = []

    @layers.recompute_grad
    def block(x, y, is_recomputing=False):
        calls.append(is_recomputing)
        return tf.sin(x) * y
    x_value, y_value = RNG.randn(3), RNG.randn(3)
    with tf.Graph().as_default():
        x, y = tf.constant(x_value), tf.constant(y_value)
        out = block(x, y)
        grads = tf.gradients(tf.reduce_sum(out), [x, y])
        with tf.Session() as sess:
            value, (gx, gy) = sess.run([out, grads])
        with pytest.raises(TypeError, match="unexpected keyword argument"):
            block(x, y=y)
    assert calls == [False]
    np.testing.assert_allclose(value, np.sin(x_value) * y_value)
    np.testing.assert_allclose(gx, np.cos(x_value) * y_value)
    np.testing.assert_allclose(gy, np.sin(x_value))
    assert layers.recompute_grad(tf.square).__name__ == "square"
