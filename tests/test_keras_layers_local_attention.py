"""tf.keras.layers LocallyConnected1D/2D and the dense attention layers: values vs NumPy, gradients vs
finite differences, masks, configs, errors."""
import numpy as np
import pytest

import numflow as tf
from test_keras_layers_helpers import check_layer_gradients, config_round_trip, run_layer

L = tf.keras.layers
K = tf.keras.backend
RNG = np.random.RandomState(11)


def np_local_1d(x, kernel, bias, k, s):
    out_len = (x.shape[1] - k) // s + 1
    out = np.stack([x[:, i * s:i * s + k].reshape(x.shape[0], -1) @ kernel[i] for i in range(out_len)], axis=1)
    return out + bias


def test_locally_connected_1d():
    x = RNG.randn(2, 7, 3).astype(np.float32)
    kernel, bias = RNG.randn(3, 9, 4).astype(np.float32), RNG.randn(3, 4).astype(np.float32)
    layer = L.LocallyConnected1D(4, 3, strides=2)
    out = run_layer(layer, x, weights=[kernel, bias])
    np.testing.assert_allclose(out, np_local_1d(x.astype(np.float64), kernel, bias, 3, 2), rtol=1e-5, atol=1e-5)
    assert layer.kernel.shape.as_list() == [3, 9, 4] and layer.bias.shape.as_list() == [3, 4]
    assert layer.compute_output_shape((None, 7, 3)).as_list() == [None, 3, 4]
    out = run_layer(L.LocallyConnected1D(4, 3, strides=2, data_format="channels_first"), x.transpose(0, 2, 1),
                    weights=[kernel, bias])
    # channels_first patches flatten as (channels, steps)
    kernel_cf = kernel.reshape(3, 3, 3, 4).transpose(0, 2, 1, 3).reshape(3, 9, 4)
    # and the (length, filters) bias is added reshaped to (filters, length), as Keras' bias_add does
    expected = np_local_1d(x.astype(np.float64), kernel_cf, 0, 3, 2).transpose(0, 2, 1) + bias.reshape(4, 3)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)
    check_layer_gradients(lambda: L.LocallyConnected1D(2, 2, dtype="float64"), RNG.randn(2, 4, 2))
    config_round_trip(layer)


def test_locally_connected_2d():
    x = RNG.randn(2, 4, 5, 2).astype(np.float32)
    layer = L.LocallyConnected2D(3, (2, 3), strides=(2, 1), activation="relu")
    rows, cols = 2, 3
    kernel = RNG.randn(rows * cols, 12, 3).astype(np.float32)
    bias = RNG.randn(rows, cols, 3).astype(np.float32)
    out = run_layer(layer, x, weights=[kernel, bias])
    expected = np.zeros((2, rows, cols, 3))
    for r in range(rows):
        for c in range(cols):
            patch = x[:, r * 2:r * 2 + 2, c:c + 3, :].reshape(2, -1)
            expected[:, r, c] = patch @ kernel[r * cols + c] + bias[r, c]
    np.testing.assert_allclose(out, np.maximum(expected, 0), rtol=1e-5, atol=1e-5)
    assert layer.compute_output_shape((None, 4, 5, 2)).as_list() == [None, 2, 3, 3]
    cf = L.LocallyConnected2D(3, (2, 3), strides=(2, 1), data_format="channels_first")
    out = run_layer(cf, x.transpose(0, 3, 1, 2))
    assert out.shape == (2, 3, 2, 3) and cf.bias.shape.as_list() == [2, 3, 3]
    check_layer_gradients(lambda: L.LocallyConnected2D(2, 2, dtype="float64"), RNG.randn(1, 3, 3, 2))
    config_round_trip(layer)


def test_locally_connected_implementation_2_masks_a_dense_kernel():
    x = RNG.randn(2, 7, 3).astype(np.float32)
    kernel, bias = RNG.randn(7, 3, 3, 4).astype(np.float32), RNG.randn(3, 4).astype(np.float32)
    layer = L.LocallyConnected1D(4, 3, strides=2, implementation=2)
    out = run_layer(layer, x, weights=[kernel, bias])
    inside = np.zeros((7, 3))
    for o in range(3):
        inside[2 * o:2 * o + 3, o] = 1
    expected = np.einsum("blc,lcof,lo->bof", x.astype(np.float64), kernel, inside) + bias
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)
    # the same layer as implementation 1: each output's rows of the dense kernel, as one patch matrix
    per_position = np.stack([kernel[2 * o:2 * o + 3, :, o, :].reshape(9, 4) for o in range(3)])
    np.testing.assert_allclose(run_layer(L.LocallyConnected1D(4, 3, strides=2), x, weights=[per_position, bias]),
                               out, rtol=1e-5, atol=1e-5)
    x2 = RNG.randn(2, 3, 4, 2).astype(np.float32)
    layer = L.LocallyConnected2D(2, 2, implementation=2, data_format="channels_first")
    run_layer(layer, x2)
    assert layer.kernel.shape.as_list() == [3, 4, 2, 2, 3, 1]  # (channels, h, w, filters, rows, cols)
    check_layer_gradients(lambda: L.LocallyConnected2D(2, 2, implementation=2, dtype="float64"),
                          RNG.randn(1, 3, 3, 2))
    config_round_trip(layer)


def test_locally_connected_errors():
    with pytest.raises(ValueError, match='only "valid" is supported'):
        L.LocallyConnected2D(2, 2, padding="same")
    with pytest.raises(ValueError, match="supports implementation 1 .* and 2"):
        L.LocallyConnected1D(2, 2, implementation=3)
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="requires fully-defined input dimensions"):
            L.LocallyConnected1D(2, 2)(tf.placeholder(tf.float32, [None, None, 3]))


def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def test_attention_values_masks_and_causal():
    q, v = RNG.randn(2, 3, 4).astype(np.float32), RNG.randn(2, 5, 4).astype(np.float32)
    k = RNG.randn(2, 5, 4).astype(np.float32)
    out = run_layer(L.Attention(), [q, v, k])
    np.testing.assert_allclose(out, softmax(q @ k.transpose(0, 2, 1)) @ v, rtol=1e-5, atol=1e-6)
    layer = L.Attention(use_scale=True)
    out = run_layer(layer, [q, v], weights=[np.float32(0.5)])
    np.testing.assert_allclose(out, softmax(0.5 * q @ v.transpose(0, 2, 1)) @ v, rtol=1e-5, atol=1e-6)
    scale = RNG.randn(4).astype(np.float32)
    out = run_layer(L.AdditiveAttention(), [q, v], weights=[scale])
    scores = (np.tanh(q[:, :, None, :] + v[:, None, :, :]) * scale).sum(-1)
    np.testing.assert_allclose(out, softmax(scores) @ v, rtol=1e-5, atol=1e-6)
    out = run_layer(L.AdditiveAttention(use_scale=False, causal=True), [q, v])
    scores = np.tanh(q[:, :, None, :] + v[:, None, :, :]).sum(-1)
    scores = np.where(np.tril(np.ones((3, 5))) > 0, scores, -np.inf)
    np.testing.assert_allclose(out, softmax(scores) @ v, rtol=1e-5, atol=1e-6)
    with tf.Graph().as_default():
        qp, vp = tf.placeholder(tf.float32, [None, 3, 4]), tf.placeholder(tf.float32, [None, 5, 4])
        qm, vm = tf.placeholder(tf.bool, [None, 3]), tf.placeholder(tf.bool, [None, 5])
        layer = L.Attention()
        y = layer([qp, vp], mask=[qm, vm])
        q_mask = np.array([[True, True, False]] * 2)
        v_mask = np.array([[True, False, True, True, False]] * 2)
        value = K.get_session().run(y, {qp: q, vp: v, qm: q_mask, vm: v_mask})
        assert y._keras_mask is not None
    scores = np.where(v_mask[:, None, :], q @ v.transpose(0, 2, 1), -np.inf)
    expected = (softmax(scores) @ v) * q_mask[..., None]
    np.testing.assert_allclose(value, expected, rtol=1e-5, atol=1e-6)
    check_layer_gradients(lambda: L.Attention(use_scale=True, dtype="float64"),
                          [RNG.randn(1, 2, 3), RNG.randn(1, 3, 3)])
    check_layer_gradients(lambda: L.AdditiveAttention(causal=True, dtype="float64"),
                          [RNG.randn(1, 2, 3), RNG.randn(1, 3, 3), RNG.randn(1, 3, 3)])
    assert L.Attention().compute_output_shape([(None, 3, 4), (None, 5, 6)]).as_list() == [None, 3, 6]
    for layer in [L.Attention(use_scale=True, causal=True), L.AdditiveAttention(use_scale=False)]:
        config_round_trip(layer)
    assert L.AdditiveAttention().get_config()["use_scale"] is True


def test_attention_errors():
    with tf.Graph().as_default():
        q = tf.placeholder(tf.float32, [None, 3, 4])
        with pytest.raises(ValueError, match="must be called on a list of inputs"):
            L.Attention()(q)
        with pytest.raises(ValueError, match="accepts inputs list of length 2 or 3"):
            L.Attention()([q, q, q, q])
        with pytest.raises(ValueError, match="mask must be a list of length 2"):
            L.Attention()([q, q], mask=[None, None, None])
