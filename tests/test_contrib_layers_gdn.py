"""tf.contrib.layers.GDN / gdn: values against NumPy (GDN and IGDN, both data formats, the reparameterized
bounds), variables, the lower bound's gradient rule, finite-difference gradients, reuse and errors."""
import numpy as np
import pytest

import numflow as tf

layers = tf.contrib.layers
RNG = np.random.RandomState(19)
PEDESTAL = (2 ** -18) ** 2


def gdn_reference(x, reparam_beta, reparam_gamma, inverse=False, channel_axis=-1, beta_min=1e-6):
    beta = np.maximum(reparam_beta, np.sqrt(beta_min + PEDESTAL)) ** 2 - PEDESTAL
    gamma = np.maximum(reparam_gamma, 2 ** -18) ** 2 - PEDESTAL
    moved = np.moveaxis(x, channel_axis, -1)
    norm_pool = moved ** 2 @ gamma + beta
    out = moved * (np.sqrt(norm_pool) if inverse else 1 / np.sqrt(norm_pool))
    return np.moveaxis(out, -1, channel_axis)


def _session_values(outputs, assignments=()):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for variable, value in assignments:
            sess.run(variable.assign(value))
        return sess.run(outputs)


@pytest.mark.parametrize("inverse,data_format", [(False, "channels_last"), (True, "channels_last"),
                                                 (False, "channels_first")])
def test_gdn_matches_numpy(inverse, data_format):
    x = RNG.randn(2, 3, 4, 3)
    reparam_beta = np.array([0.5, 1e-4, 2.0])           # the middle one is under its bound
    reparam_gamma = np.abs(RNG.randn(3, 3)) * 0.3
    reparam_gamma[0, 1] = -0.2                           # negative: clamped to the bound
    channel_axis = -1 if data_format == "channels_last" else 1
    with tf.Graph().as_default():
        out = layers.gdn(tf.constant(x), inverse=inverse, data_format=data_format)
        variables = {v.op.name: v.shape.as_list() for v in tf.trainable_variables()}
        beta, gamma = tf.trainable_variables()
        initial, assigned = _session_values(out), _session_values(out, [(beta, reparam_beta),
                                                                         (gamma, reparam_gamma)])
    assert variables == {"gdn/reparam_beta": [3], "gdn/reparam_gamma": [3, 3]}
    scale = np.sqrt(1 + 0.1 * x ** 2)                    # beta = 1, gamma = 0.1 * identity at first
    np.testing.assert_allclose(initial, x * scale if inverse else x / scale, rtol=1e-9)
    np.testing.assert_allclose(assigned, gdn_reference(x, reparam_beta, reparam_gamma, inverse, channel_axis),
                               rtol=1e-9)


def test_gdn_class_names_reuse_and_activity_regularizer():
    with tf.Graph().as_default():
        layer = layers.GDN(gamma_init=0.5, name="norm", activity_regularizer=lambda y: tf.reduce_sum(y))
        x = tf.constant(RNG.randn(1, 2, 2, 4))
        out = layer(x)
        again = layers.gdn(x, name="norm", reuse=True, gamma_init=0.5)
        assert [v.op.name for v in tf.global_variables()] == ["norm/reparam_beta", "norm/reparam_gamma"]
        assert len(layer.losses) == 1 and layer.compute_output_shape([1, 2, 2, 4]).as_list() == [1, 2, 2, 4]
        got, got_again, loss = _session_values([out, again, layer.losses[0]])
        frozen = layers.gdn(x, trainable=False, name="frozen")
        assert not [v for v in tf.trainable_variables() if v.op.name.startswith("frozen")]
        assert frozen.shape.as_list() == [1, 2, 2, 4]
    np.testing.assert_allclose(got, got_again)
    np.testing.assert_allclose(loss, got.sum())


def test_gdn_errors():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match='The `data_format` argument must be one of "channels_first", '
                                             '"channels_last". Received: NHWC'):
            layers.gdn(tf.zeros([1, 2, 2, 3]), data_format="NHWC")
        with pytest.raises(ValueError, match="expected min_ndim=3, found ndim=2"):
            layers.gdn(tf.zeros([2, 3]))
        with pytest.raises(ValueError, match="The channel dimension of the inputs to `GDN` must be defined"):
            layers.gdn(tf.placeholder(tf.float32, [1, 2, 2, None]))
        layer = layers.GDN()
        layer(tf.zeros([1, 2, 2, 3]))
        with pytest.raises(ValueError, match="expected ndim=4, found ndim=3"):
            layer(tf.zeros([2, 2, 3]))


def test_gdn_lower_bound_gradient_passes_only_upward_moves():
    with tf.Graph().as_default():
        x = tf.constant(RNG.randn(2, 2, 2, 2))
        layer = layers.GDN()
        out = layer(x)
        below = np.array([1e-5, 1e-5])             # both under sqrt(beta_min + pedestal) ~ 1e-3
        # the loss is sum(w_c * |out|); a larger beta shrinks |out|, so d loss / d beta has the sign of
        # -w_c: negative for channel 0 (descent would raise beta), positive for channel 1 (descent
        # would push it further under its bound)
        loss = tf.reduce_sum(out * tf.constant([1.0, -1.0], tf.float64) * tf.sign(x))
        grad_beta, = tf.gradients(loss, [layer.beta])
        value = _session_values(grad_beta, [(layer.beta, below)])
    assert value[0] < 0.0            # descent raises beta back towards its bound: passed
    assert value[1] == 0.0           # descent would lower beta further: blocked


def test_gdn_gradients_match_finite_differences():
    x_value = RNG.randn(1, 2, 2, 3)
    reparam_beta = np.array([0.9, 1.2, 1.1])
    reparam_gamma = np.abs(RNG.randn(3, 3)) * 0.2 + 0.05
    weights = RNG.uniform(0.5, 1.5, size=x_value.shape)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, x_value.shape)
        layer = layers.GDN()
        loss = tf.reduce_sum(layer(x) * weights)
        grads = tf.gradients(loss, [x, layer.beta, layer.gamma])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run([layer.beta.assign(reparam_beta), layer.gamma.assign(reparam_gamma)])
            symbolic = sess.run(grads, {x: x_value})

            def numeric(index, base):
                delta, result = 1e-6, np.zeros_like(base)
                for position in np.ndindex(*base.shape):
                    values = []
                    for sign in (1, -1):
                        moved = base.copy()
                        moved[position] += sign * delta
                        if index == 0:
                            values.append(sess.run(loss, {x: moved}))
                        else:
                            sess.run([layer.beta, layer.gamma][index - 1].assign(moved))
                            values.append(sess.run(loss, {x: x_value}))
                    result[position] = (values[0] - values[1]) / (2 * delta)
                if index:
                    sess.run([layer.beta, layer.gamma][index - 1].assign(base))
                return result
            expected = [numeric(0, x_value), numeric(1, reparam_beta), numeric(2, reparam_gamma)]
    for got, want in zip(symbolic, expected):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-8)
