"""tf.keras.layers.ConvLSTM2D: values against a NumPy convolutional LSTM, channels_first, strides and
dilation, masks-free states, stateful carry-over, gradients vs finite differences, config and errors."""
import itertools

import numpy as np
import pytest

import numflow as tf
from test_keras_recurrent import hard_sigmoid, random_weights, run
from test_keras_recurrent_gradients import check_layer_gradients

keras = tf.keras
L = tf.keras.layers
K = tf.keras.backend


@pytest.fixture(autouse=True)
def fresh_keras():
    K.clear_session()
    yield
    K.clear_session()


def np_conv(x, kernel, stride, padding, dilation=None):
    """Channels-last N-D cross-correlation of x [b, spatial..., c] with kernel [k..., c, o]."""
    rank = x.ndim - 2
    dilation = dilation or (1,) * rank
    sizes = kernel.shape[:rank]
    dilated = [(k - 1) * d + 1 for k, d in zip(sizes, dilation)]
    if padding == "same":
        outs = [-(-n // s) for n, s in zip(x.shape[1:-1], stride)]
        pads = [max((o - 1) * s + dk - n, 0) for o, s, dk, n in zip(outs, stride, dilated, x.shape[1:-1])]
        x = np.pad(x, [(0, 0)] + [(p // 2, p - p // 2) for p in pads] + [(0, 0)])
    else:
        outs = [(n - dk) // s + 1 for n, dk, s in zip(x.shape[1:-1], dilated, stride)]
    out = np.zeros((x.shape[0],) + tuple(outs) + (kernel.shape[-1],))
    for o in itertools.product(*[range(n) for n in outs]):
        for k in itertools.product(*[range(n) for n in sizes]):
            position = tuple(o[i] * stride[i] + k[i] * dilation[i] for i in range(rank))
            out[(slice(None),) + o] += x[(slice(None),) + position] @ kernel[k]
    return out


def np_conv_lstm(x, kernel, recurrent, bias, stride, padding, dilation=None):
    """Every step's h and the final c of a channels-last convolutional LSTM over x [b, t, spatial..., c]."""
    filters = recurrent.shape[-2]
    ones = (1,) * (x.ndim - 3)
    first = np_conv(x[:, 0], kernel[..., :filters], stride, padding, dilation)
    h = np.zeros(first.shape)
    c = np.zeros(first.shape)
    outputs = []
    for t in range(x.shape[1]):
        z = np_conv(x[:, t], kernel, stride, padding, dilation) + bias + np_conv(h, recurrent, ones, "same")
        i, f, g, o = np.split(z, 4, axis=-1)
        c = hard_sigmoid(f) * c + hard_sigmoid(i) * np.tanh(g)
        h = hard_sigmoid(o) * np.tanh(c)
        outputs.append(h)
    return np.stack(outputs, axis=1), c


X = np.random.RandomState(0).randn(2, 3, 5, 6, 2)


@pytest.mark.parametrize("padding,strides,dilation", [("same", 1, 1), ("valid", 1, 1), ("same", 2, 1),
                                                      ("valid", 1, 2)])
def test_conv_lstm_values(padding, strides, dilation):
    x = keras.Input((3, 5, 6, 2), dtype="float64")
    layer = L.ConvLSTM2D(3, (3, 2), strides=strides, padding=padding, dilation_rate=dilation,
                         return_sequences=True, return_state=True)
    sequence, h, c = layer(x)
    assert [w.name for w in layer.weights] == ["conv_lst_m2d/kernel:0", "conv_lst_m2d/recurrent_kernel:0",
                                               "conv_lst_m2d/bias:0"]
    assert [w.shape.as_list() for w in layer.weights] == [[3, 2, 2, 12], [3, 2, 3, 12], [12]]
    kernel, recurrent, bias = random_weights(layer)
    expected, expected_c = np_conv_lstm(X, kernel, recurrent, bias, (strides,) * 2, padding, (dilation,) * 2)
    got = run([sequence, h, c], {x: X})
    np.testing.assert_allclose(got[0], expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got[1], expected[:, -1], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got[2], expected_c, rtol=1e-10, atol=1e-12)
    assert sequence.shape.as_list() == [None, 3] + list(expected.shape[2:])
    shapes = layer.compute_output_shape(tf.TensorShape([None, 3, 5, 6, 2]))
    assert [s.as_list() for s in shapes] == [sequence.shape.as_list(), h.shape.as_list(), c.shape.as_list()]


def test_conv_lstm_channels_first_matches_channels_last():
    x = keras.Input((3, 2, 5, 6), dtype="float64")
    layer = L.ConvLSTM2D(3, 3, padding="same", data_format="channels_first")
    out = layer(x)
    assert out.shape.as_list() == [None, 3, 5, 6]
    kernel, recurrent, bias = random_weights(layer, seed=1)
    expected, _ = np_conv_lstm(X, kernel, recurrent, bias, (1, 1), "same")
    got = run(out, {x: X.transpose(0, 1, 4, 2, 3)})
    np.testing.assert_allclose(got, expected[:, -1].transpose(0, 3, 1, 2), rtol=1e-10, atol=1e-12)


def test_conv_lstm_unknown_steps_and_stateful_carry():
    x = keras.Input(batch_shape=(2, None, 5, 6, 2), dtype="float64")
    layer = L.ConvLSTM2D(2, 3, padding="same", stateful=True)
    out = layer(x)
    assert [s.shape.as_list() for s in layer.states] == [[2, 5, 6, 2]] * 2
    kernel, recurrent, bias = random_weights(layer, seed=2)
    session = K.get_session()
    session.run([out] + layer.updates, {x: X[:, :1]})
    second = session.run(out, {x: X[:, 1:]})
    expected, _ = np_conv_lstm(X, kernel, recurrent, bias, (1, 1), "same")
    np.testing.assert_allclose(second, expected[:, -1], rtol=1e-10, atol=1e-12)


def test_conv_lstm_gradients():
    x_value = np.random.RandomState(3).randn(1, 2, 3, 3, 1)
    check_layer_gradients(lambda: L.ConvLSTM2D(1, 2, padding="same", recurrent_activation="sigmoid",
                                               return_sequences=True), x_value)


def test_conv_lstm_config_and_errors():
    layer = L.ConvLSTM2D(4, (3, 3), strides=(2, 1), padding="same", dropout=0.1, return_sequences=True)
    config = layer.get_config()
    assert config["filters"] == 4 and config["kernel_size"] == (3, 3) and config["strides"] == (2, 1)
    assert config["recurrent_activation"] == "hard_sigmoid" and "cell" not in config and "units" not in config
    clone = L.ConvLSTM2D.from_config(config)
    assert clone.get_config() == config and clone.filters == 4 and clone.kernel_size == (3, 3)
    with pytest.raises(ValueError, match="expected ndim=5, found ndim=4"):
        L.ConvLSTM2D(2, 3)(keras.Input((3, 5, 2)))
    with pytest.raises(TypeError, match="Unrolling isn't possible with convolutional RNNs"):
        L.ConvLSTM2D(2, 3, unroll=True)
    with pytest.raises(ValueError, match="The `kernel_size` argument must be a tuple of 2 integers"):
        L.ConvLSTM2D(2, (3, 3, 3))
    with pytest.raises(ValueError, match="The `padding` argument must be one of"):
        L.ConvLSTM2D(2, 3, padding="full")


@pytest.mark.parametrize("rank", [1, 3])
def test_conv_lstm_1d_and_3d(rank):
    rng = np.random.RandomState(rank)
    spatial = (5,) if rank == 1 else (3, 4, 3)
    data = rng.randn(*((2, 3) + spatial + (2,)))
    x = keras.Input((3,) + spatial + (2,), dtype="float64")
    make = L.ConvLSTM1D if rank == 1 else L.ConvLSTM3D
    layer = make(2, 2, strides=2, padding="same", return_sequences=True)
    out = layer(x)
    assert layer.weights[0].shape.as_list() == [2] * rank + [2, 8]
    kernel, recurrent, bias = random_weights(layer, seed=rank)
    expected, _ = np_conv_lstm(data, kernel, recurrent, bias, (2,) * rank, "same")
    np.testing.assert_allclose(run(out, {x: data}), expected, rtol=1e-10, atol=1e-12)
    assert out.shape.as_list() == [None, 3] + list(expected.shape[2:])
    config = layer.get_config()
    assert config["kernel_size"] == (2,) * rank and make.from_config(config).get_config() == config
    with pytest.raises(ValueError, match="expected ndim=%d" % (rank + 3)):
        make(2, 2)(keras.Input((3,) + spatial))


def test_conv_lstm_1d_channels_first():
    data = np.random.RandomState(4).randn(2, 3, 6, 2)
    x = keras.Input((3, 2, 6), dtype="float64")
    layer = L.ConvLSTM1D(3, 3, data_format="channels_first", dilation_rate=2)
    out = layer(x)
    kernel, recurrent, bias = random_weights(layer, seed=5)
    expected, _ = np_conv_lstm(data, kernel, recurrent, bias, (1,), "valid", (2,))
    np.testing.assert_allclose(run(out, {x: data.transpose(0, 1, 3, 2)}), expected[:, -1].transpose(0, 2, 1),
                               rtol=1e-10, atol=1e-12)


def test_conv_lstm_dropout_only_in_training_and_no_stacking():
    x = keras.Input((3, 5, 6, 2), dtype="float64")
    layer = L.ConvLSTM2D(2, 3, padding="same", dropout=0.5, recurrent_dropout=0.5)
    out = layer(x)
    kernel, recurrent, bias = random_weights(layer, seed=6)
    expected, _ = np_conv_lstm(X, kernel, recurrent, bias, (1, 1), "same")
    np.testing.assert_allclose(run(out, {x: X}), expected[:, -1], rtol=1e-10, atol=1e-12)
    trained = run(out, {x: X, K.learning_phase(): True})
    assert trained.shape == expected[:, -1].shape and not np.allclose(trained, expected[:, -1])
    with pytest.raises(TypeError, match="not possible at the moment to stack convolutional cells"):
        from numflow.keras.layers.convolutional_recurrent import ConvRNN2D
        ConvRNN2D([layer.cell, layer.cell])
