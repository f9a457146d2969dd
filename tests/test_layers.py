"""tf.layers and tf.contrib.layers: variable names and reuse, values, UPDATE_OPS, regularizers, errors;
tf.nn.fused_batch_norm."""
import numpy as np
import pytest

import numflow as tf
from gradcheck import check_gradients, evaluate


def run(fetches, feed=None):
    with tf.Session() as sess:
        if tf.global_variables():
            sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feed)


def names(variables):
    return [v.name for v in variables]


# --- tf.layers.dense -----------------------------------------------------------------------------
def test_dense_names_values_and_reuse():
    x = tf.placeholder(tf.float32, [None, 4])
    y = tf.layers.dense(x, 3, activation=tf.nn.relu)
    z = tf.layers.dense(y, 2, use_bias=False)
    assert y.shape.as_list() == [None, 3] and z.shape.as_list() == [None, 2]
    assert names(tf.global_variables()) == ["dense/kernel:0", "dense/bias:0", "dense_1/kernel:0"]
    assert names(tf.trainable_variables()) == names(tf.global_variables())
    shared = tf.layers.dense(x, 3, name="dense", reuse=True)
    assert len(tf.global_variables()) == 3
    xv = np.random.RandomState(0).randn(5, 4).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        kernel, bias, yv, sv = sess.run(["dense/kernel:0", "dense/bias:0", y, shared], {x: xv})
    np.testing.assert_array_equal(bias, np.zeros(3, np.float32))
    np.testing.assert_allclose(yv, np.maximum(xv @ kernel + bias, 0), rtol=1e-5)
    np.testing.assert_allclose(sv, xv @ kernel, rtol=1e-5)
    limit = np.sqrt(6.0 / (4 + 3))            # glorot_uniform
    assert np.all(np.abs(kernel) <= limit)


def test_dense_variable_exists_without_reuse():
    x = tf.placeholder(tf.float32, [None, 4])
    tf.layers.dense(x, 3, name="fc")
    with pytest.raises(ValueError, match="Variable fc/kernel already exists"):
        tf.layers.dense(x, 3, name="fc")


def test_dense_layer_object_shares_variables_and_initializers():
    layer = tf.layers.Dense(2, kernel_initializer=tf.ones_initializer(),
                            bias_initializer=tf.constant_initializer(0.5))
    a = layer(tf.constant([[1.0, 2.0]]))
    b = layer(tf.constant([[3.0, 4.0]]))
    assert names(layer.variables) == ["dense/kernel:0", "dense/bias:0"]
    assert len(tf.global_variables()) == 2
    np.testing.assert_allclose(run([a, b]), [[[3.5, 3.5]], [[7.5, 7.5]]])


def test_dense_rank3_and_regularizer():
    x = tf.placeholder(tf.float32, [None, 5, 4])
    y = tf.layers.dense(x, 3, kernel_regularizer=tf.contrib.layers.l2_regularizer(0.1))
    assert y.shape.as_list() == [None, 5, 3]
    losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    assert len(losses) == 1
    kernel, loss = run([tf.global_variables()[0], losses[0]])
    np.testing.assert_allclose(loss, 0.1 * np.sum(kernel ** 2) / 2, rtol=1e-5)


def test_dense_errors():
    with pytest.raises(ValueError, match="last dimension of the inputs to `Dense` should be defined"):
        tf.layers.dense(tf.placeholder(tf.float32, [None, None]), 3)


# --- tf.layers.conv2d and pooling ---------------------------------------------------------------
def test_conv2d_layer_shapes_names_and_values():
    x = tf.placeholder(tf.float32, [None, 28, 28, 1])
    h = tf.layers.conv2d(x, 32, [5, 5], padding="same", activation=tf.nn.relu)
    assert h.shape.as_list() == [None, 28, 28, 32]
    h = tf.layers.max_pooling2d(h, pool_size=[2, 2], strides=2)
    h = tf.layers.conv2d(h, 64, 5, padding="SAME")
    h = tf.layers.max_pooling2d(h, 2, 2)
    assert h.shape.as_list() == [None, 7, 7, 64]
    flat = tf.layers.flatten(h)
    assert flat.shape.as_list() == [None, 3136]
    v = tf.layers.conv2d(x, 4, 3, strides=(2, 2))
    assert v.shape.as_list() == [None, 13, 13, 4]
    assert names(tf.global_variables()) == ["conv2d/kernel:0", "conv2d/bias:0", "conv2d_1/kernel:0",
                                            "conv2d_1/bias:0", "conv2d_2/kernel:0", "conv2d_2/bias:0"]
    assert tf.global_variables()[2].shape.as_list() == [5, 5, 32, 64]


def test_conv2d_layer_matches_nn_conv2d():
    xv = np.random.RandomState(1).randn(2, 6, 5, 3).astype(np.float32)
    x = tf.constant(xv)
    y = tf.layers.conv2d(x, 4, (3, 2), strides=(1, 2), padding="same", dilation_rate=1,
                         bias_initializer=tf.constant_initializer(0.25))
    kernel = tf.global_variables()[0]
    expected = tf.nn.conv2d(x, kernel, [1, 1, 2, 1], "SAME") + 0.25
    got, want = run([y, expected])
    np.testing.assert_allclose(got, want, rtol=1e-5)
    d = tf.layers.conv2d(x, 2, 3, dilation_rate=(2, 2))
    assert d.shape.as_list() == [2, 2, 1, 2]


def test_conv2d_channels_first_and_pooling_values():
    xv = np.random.RandomState(2).randn(1, 2, 6, 6).astype(np.float32)
    y = tf.layers.conv2d(tf.constant(xv), 3, 3, padding="same", data_format="channels_first")
    assert y.shape.as_list() == [1, 3, 6, 6]
    p = tf.layers.average_pooling2d(tf.constant(xv.transpose(0, 2, 3, 1)), 3, 2, padding="same")
    m = tf.layers.max_pooling2d(tf.constant(xv.transpose(0, 2, 3, 1)), 2, 2)
    pv, mv = run([p, m])
    assert pv.shape == (1, 3, 3, 2)
    np.testing.assert_allclose(pv[0, 0, 0], xv.transpose(0, 2, 3, 1)[0, :3, :3].mean(axis=(0, 1)), rtol=1e-5)
    np.testing.assert_allclose(pv[0, 2, 2], xv.transpose(0, 2, 3, 1)[0, 4:, 4:].mean(axis=(0, 1)), rtol=1e-5)
    np.testing.assert_allclose(mv[0, 1, 2], xv.transpose(0, 2, 3, 1)[0, 2:4, 4:6].max(axis=(0, 1)))


def test_layer_argument_errors():
    x = tf.placeholder(tf.float32, [None, 8, 8, 1])
    with pytest.raises(ValueError, match="padding"):
        tf.layers.conv2d(x, 2, 3, padding="full")
    with pytest.raises(ValueError, match="kernel_size"):
        tf.layers.conv2d(x, 2, (3, 3, 3))
    with pytest.raises(ValueError, match="data_format"):
        tf.layers.max_pooling2d(x, 2, 2, data_format="NHWC")
    with pytest.raises(ValueError, match="ndim=4"):
        tf.layers.conv2d(tf.placeholder(tf.float32, [None, 8, 8]), 2, 3)


def test_flatten():
    assert tf.layers.flatten(tf.placeholder(tf.float32, [None, 2, 3, 4])).shape.as_list() == [None, 24]
    flat = tf.contrib.layers.flatten(tf.placeholder(tf.float32, [5, 2, 3]))
    assert flat.shape.as_list() == [5, 6]
    xv = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    np.testing.assert_array_equal(run(tf.layers.flatten(tf.constant(xv))), xv.reshape(2, 12))


# --- dropout -------------------------------------------------------------------------------------
def test_dropout_training_flag():
    xv = np.ones((200, 50), np.float32)
    x = tf.constant(xv)
    assert run(tf.layers.dropout(x, 0.5)).tolist() == xv.tolist()              # training=False default
    dropped = run(tf.layers.dropout(x, rate=0.25, training=True, seed=3))
    assert set(np.unique(dropped)) <= {0.0, np.float32(1 / 0.75)}
    assert 0.2 < np.mean(dropped == 0) < 0.3
    training = tf.placeholder(tf.bool, [])
    y = tf.layers.dropout(x, rate=0.5, training=training)
    (gx,) = tf.gradients(tf.reduce_sum(y), [x])
    with tf.Session() as sess:
        off, grad_off = sess.run([y, gx], {training: False})
        on, grad_on = sess.run([y, gx], {training: True})
    np.testing.assert_array_equal(off, xv)
    np.testing.assert_array_equal(grad_off, np.ones_like(xv))
    assert 0.4 < np.mean(on == 0) < 0.6
    np.testing.assert_array_equal(grad_on, on)       # the gradient uses the same mask


# --- batch normalization -------------------------------------------------------------------------
def test_batch_normalization_training_and_updates():
    xv = np.random.RandomState(4).randn(8, 3, 3, 2).astype(np.float32) * 3 + 1
    x = tf.placeholder(tf.float32, [None, 3, 3, 2])
    y = tf.layers.batch_normalization(x, momentum=0.9, training=True)
    assert names(tf.global_variables()) == ["batch_normalization/gamma:0", "batch_normalization/beta:0",
                                            "batch_normalization/moving_mean:0",
                                            "batch_normalization/moving_variance:0"]
    assert names(tf.trainable_variables()) == ["batch_normalization/gamma:0", "batch_normalization/beta:0"]
    updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    assert len(updates) == 2
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        yv, _ = sess.run([y, updates], {x: xv})
        mean, var = sess.run(["batch_normalization/moving_mean:0", "batch_normalization/moving_variance:0"])
    bm, bv = xv.mean(axis=(0, 1, 2)), xv.var(axis=(0, 1, 2))
    np.testing.assert_allclose(yv, (xv - bm) / np.sqrt(bv + 1e-3), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(mean, 0.1 * bm, rtol=1e-5)
    np.testing.assert_allclose(var, 0.9 + 0.1 * bv, rtol=1e-5)


def test_batch_normalization_inference_and_tensor_training_flag():
    xv = np.random.RandomState(5).randn(6, 4).astype(np.float32) * 2 + 3
    x = tf.placeholder(tf.float32, [None, 4])
    training = tf.placeholder_with_default(False, [])
    y = tf.layers.batch_normalization(x, training=training, epsilon=0.01)
    y_inf = tf.layers.batch_normalization(x, training=False, name="batch_normalization", reuse=True)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        a, b = sess.run([y, y_inf], {x: xv})
        np.testing.assert_allclose(a, xv / np.sqrt(1.01), rtol=1e-5)        # moving stats 0 and 1
        np.testing.assert_allclose(b, xv / np.sqrt(1 + 1e-3), rtol=1e-5)
        train = sess.run(y, {x: xv, training: True})
        np.testing.assert_allclose(train, (xv - xv.mean(0)) / np.sqrt(xv.var(0) + 0.01), rtol=1e-4, atol=1e-5)
        sess.run(tf.get_collection(tf.GraphKeys.UPDATE_OPS), {x: xv, training: False})
        np.testing.assert_allclose(sess.run("batch_normalization/moving_mean:0"), 0, atol=1e-7)
        sess.run(tf.get_collection(tf.GraphKeys.UPDATE_OPS), {x: xv, training: True})
        np.testing.assert_allclose(sess.run("batch_normalization/moving_mean:0"), 0.01 * xv.mean(0), rtol=1e-5)


def test_batch_normalization_gradients():
    def build(a):
        with tf.variable_scope("bn", reuse=tf.AUTO_REUSE):
            return tf.layers.batch_normalization(a, training=True, center=False, scale=False)
    check_gradients(build, [np.random.RandomState(6).randn(5, 3)], rtol=1e-4, atol=1e-6)


# --- tf.contrib.layers ---------------------------------------------------------------------------
def test_fully_connected_names_defaults_and_regularization():
    x = tf.placeholder(tf.float32, [None, 6])
    h = tf.contrib.layers.fully_connected(x, 4, weights_regularizer=tf.contrib.layers.l2_regularizer(0.5))
    out = tf.contrib.layers.fully_connected(h, 2, activation_fn=None, scope="logits")
    assert names(tf.trainable_variables()) == ["fully_connected/weights:0", "fully_connected/biases:0",
                                               "logits/weights:0", "logits/biases:0"]
    reg = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    assert len(reg) == 1
    xv = np.random.RandomState(7).randn(3, 6).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        w, b, hv, ov, rv = sess.run(["fully_connected/weights:0", "fully_connected/biases:0", h, out, reg[0]],
                                    {x: xv})
        w2, b2 = sess.run(["logits/weights:0", "logits/biases:0"])
        total = sess.run(tf.losses.get_regularization_loss())
    np.testing.assert_allclose(hv, np.maximum(xv @ w + b, 0), rtol=1e-5)      # relu by default
    np.testing.assert_allclose(ov, hv @ w2 + b2, rtol=1e-5)
    np.testing.assert_allclose(rv, 0.5 * np.sum(w ** 2) / 2, rtol=1e-5)
    np.testing.assert_allclose(total, rv, rtol=1e-6)
    assert np.all(np.abs(w) <= np.sqrt(6.0 / 10))                              # xavier uniform


def test_fully_connected_reuse_and_contrib_conv2d():
    x = tf.placeholder(tf.float32, [None, 6])
    tf.contrib.layers.fully_connected(x, 4, scope="fc")
    tf.contrib.layers.fully_connected(x, 4, scope="fc", reuse=True)
    assert len(tf.global_variables()) == 2
    c = tf.contrib.layers.conv2d(tf.placeholder(tf.float32, [None, 8, 8, 3]), 5, 3, stride=2)
    assert c.shape.as_list() == [None, 4, 4, 5]
    assert "Conv/weights:0" in names(tf.global_variables())


def test_contrib_initializers_and_regularizer_errors():
    assert callable(tf.contrib.layers.xavier_initializer())
    assert callable(tf.contrib.layers.xavier_initializer_conv2d())
    assert callable(tf.contrib.layers.variance_scaling_initializer())
    with pytest.raises(ValueError, match="scale cannot be an integer"):
        tf.contrib.layers.l2_regularizer(1)
    with pytest.raises(ValueError, match="less than 0"):
        tf.contrib.layers.l2_regularizer(-0.5)
    assert tf.contrib.layers.l2_regularizer(0.0)(tf.constant([1.0])) is None
    with pytest.raises(AttributeError):
        tf.contrib.layers.no_such_thing   # noqa: B018


# --- tf.nn.fused_batch_norm ----------------------------------------------------------------------
def test_fused_batch_norm_values_and_gradients():
    xv = np.random.RandomState(8).randn(4, 3, 2, 2)
    scale, offset = np.array([1.5, 0.5]), np.array([0.1, -0.2])
    y, mean, var = evaluate(lambda x, s, o: tf.nn.fused_batch_norm(x, s, o, epsilon=0.01), [xv, scale, offset])
    bm, bv = xv.mean(axis=(0, 1, 2)), xv.var(axis=(0, 1, 2))
    np.testing.assert_allclose(y, (xv - bm) / np.sqrt(bv + 0.01) * scale + offset, rtol=1e-10)
    np.testing.assert_allclose(mean, bm, rtol=1e-12)
    np.testing.assert_allclose(var, bv * 24 / 23, rtol=1e-12)
    check_gradients(lambda x, s, o: tf.nn.fused_batch_norm(x, s, o, epsilon=0.01)[0], [xv, scale, offset],
                    rtol=1e-4, atol=1e-6)
    m, v = np.array([0.2, -0.1]), np.array([0.8, 1.2])
    inf = evaluate(lambda x: tf.nn.fused_batch_norm(x, scale, offset, m, v, is_training=False)[0], [xv])
    np.testing.assert_allclose(inf, (xv - m) / np.sqrt(v + 0.001) * scale + offset, rtol=1e-10)
    check_gradients(lambda x, s: tf.nn.fused_batch_norm(x, s, offset, m, v, is_training=False)[0],
                    [xv, scale])
    with pytest.raises(ValueError, match="mean"):
        tf.nn.fused_batch_norm(tf.constant(xv), tf.constant(scale), tf.constant(offset), is_training=False)
