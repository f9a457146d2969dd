"""tf.keras recurrent layers and K.rnn: each cell's step and each layer's sequence output against NumPy
loops, masks, states, stateful carry-over, dropout, weight names, configs and error messages."""
import numpy as np
import pytest

import numflow as tf

keras = tf.keras
L = tf.keras.layers
K = tf.keras.backend


@pytest.fixture(autouse=True)
def fresh_keras():
    K.clear_session()
    yield
    K.clear_session()


# --- NumPy references ----------------------------------------------------------------------------------
def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def hard_sigmoid(x):
    return np.clip(0.2 * x + 0.5, 0, 1)


def np_simple_step(x, h, kernel, recurrent, bias, activation=np.tanh):
    return activation(x @ kernel + bias + h @ recurrent)


def np_lstm_step(x, h, c, kernel, recurrent, bias, recurrent_activation=hard_sigmoid):
    z = x @ kernel + h @ recurrent + bias
    i, f, g, o = np.split(z, 4, axis=1)
    c = recurrent_activation(f) * c + recurrent_activation(i) * np.tanh(g)
    h = recurrent_activation(o) * np.tanh(c)
    return h, c


def np_gru_step(x, h, kernel, recurrent, bias, reset_after, recurrent_activation=hard_sigmoid):
    u = h.shape[1]
    if reset_after:
        input_bias, recurrent_bias = bias
    else:
        input_bias, recurrent_bias = bias, np.zeros(3 * u)
    xz, xr, xh = np.split(x @ kernel + input_bias, 3, axis=1)
    z = recurrent_activation(xz + h @ recurrent[:, :u] + recurrent_bias[:u])
    r = recurrent_activation(xr + h @ recurrent[:, u:2 * u] + recurrent_bias[u:2 * u])
    if reset_after:
        candidate = np.tanh(xh + r * (h @ recurrent[:, 2 * u:] + recurrent_bias[2 * u:]))
    else:
        candidate = np.tanh(xh + (r * h) @ recurrent[:, 2 * u:])
    return z * h + (1 - z) * candidate


def np_run(step, x, states, mask=None, go_backwards=False):
    """Runs `step(x_t, *states) -> (output, states)` over x [batch, time, ...] as Keras does: a masked
    step keeps the previous states and repeats the previous output."""
    steps = range(x.shape[1])[::-1] if go_backwards else range(x.shape[1])
    outputs, previous = [], None
    for t in steps:
        output, new_states = step(x[:, t], *states)
        if previous is None:
            previous = np.zeros_like(output)
        if mask is not None:
            keep = mask[:, t][:, None]
            output = np.where(keep, output, previous)
            new_states = [np.where(keep, n, o) for n, o in zip(new_states, states)]
        outputs.append(output)
        previous, states = output, list(new_states)
    return np.stack(outputs, axis=1), states


def lstm_stepper(kernel, recurrent, bias, recurrent_activation=hard_sigmoid):
    def step(x, h, c):
        h, c = np_lstm_step(x, h, c, kernel, recurrent, bias, recurrent_activation)
        return h, [h, c]
    return step


def gru_stepper(kernel, recurrent, bias, reset_after, recurrent_activation=hard_sigmoid):
    def step(x, h):
        h = np_gru_step(x, h, kernel, recurrent, bias, reset_after, recurrent_activation)
        return h, [h]
    return step


def simple_stepper(kernel, recurrent, bias):
    def step(x, h):
        h = np_simple_step(x, h, kernel, recurrent, bias)
        return h, [h]
    return step


def random_weights(layer, seed=0, scale=0.5):
    rng = np.random.RandomState(seed)
    values = [rng.uniform(-scale, scale, size=w.shape.as_list()) for w in layer.weights]
    layer.set_weights(values)
    return values


def run(outputs, feed):
    return K.get_session().run(outputs, feed)


RNG = np.random.RandomState(3)
X = RNG.randn(3, 5, 4)
MASK = np.array([[1, 1, 1, 1, 1], [1, 1, 0, 1, 0], [0, 1, 1, 0, 0]], dtype=bool)


# --- K.rnn -----------------------------------------------------------------------------------------------
def tanh_step_graph(kernel, recurrent):
    def step(x_t, states):
        h = tf.tanh(tf.matmul(x_t, kernel) + tf.matmul(states[0], recurrent))
        return h, [h]
    return step


@pytest.mark.parametrize("known_steps", [True, False])
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("masked", [False, True])
def test_backend_rnn_values(known_steps, go_backwards, masked):
    kernel, recurrent = RNG.randn(4, 3), RNG.randn(3, 3) * 0.5
    x = tf.placeholder(tf.float64, (3, 5 if known_steps else None, 4))
    mask = tf.placeholder(tf.bool, (3, None)) if masked else None
    last, outputs, states = K.rnn(tanh_step_graph(tf.constant(kernel), tf.constant(recurrent)), x,
                                  [tf.zeros((3, 3), tf.float64)], go_backwards=go_backwards, mask=mask)
    feed = {x: X}
    if masked:
        feed[mask] = MASK
    got = run([last, outputs, states[0]], feed)
    expected_outputs, expected_states = np_run(simple_stepper(kernel, recurrent, 0), X, [np.zeros((3, 3))],
                                               MASK if masked else None, go_backwards)
    np.testing.assert_allclose(got[1], expected_outputs, rtol=1e-12)
    np.testing.assert_allclose(got[0], expected_outputs[:, -1], rtol=1e-12)
    np.testing.assert_allclose(got[2], expected_states[0], rtol=1e-12)
    assert outputs.shape.as_list() == [3, 5 if known_steps else None, 3]


def test_backend_rnn_zero_output_for_mask_time_major_and_constants():
    x = tf.placeholder(tf.float64, (5, 3, 4))   # time-major
    offset = tf.constant(np.full((3, 4), 0.25))

    def step(x_t, states):
        total = states[0] + x_t + states[1]
        return total, [total]
    last, outputs, states = K.rnn(step, x, [tf.zeros((3, 4), tf.float64)], mask=tf.constant(MASK.T),
                                  constants=[offset], time_major=True, zero_output_for_mask=True)
    xt = X.transpose(1, 0, 2)
    got_outputs, got_state = run([outputs, states[0]], {x: xt})
    running, expected = np.zeros((3, 4)), []
    for t in range(5):
        candidate = running + xt[t] + 0.25
        keep = MASK[:, t][:, None]
        running = np.where(keep, candidate, running)
        expected.append(np.where(keep, candidate, 0.0))
    np.testing.assert_allclose(got_outputs, np.stack(expected), rtol=1e-12)
    np.testing.assert_allclose(got_state, running, rtol=1e-12)


def test_backend_rnn_while_loop_gradients_match_unrolled():
    kernel, recurrent = RNG.randn(4, 3), RNG.randn(3, 3) * 0.5
    grads = []
    for steps in (5, None):
        with tf.Graph().as_default():
            x = tf.placeholder(tf.float64, (3, steps, 4))
            k, r = tf.constant(kernel), tf.constant(recurrent)
            _, outputs, states = K.rnn(tanh_step_graph(k, r), x, [tf.zeros((3, 3), tf.float64)],
                                       mask=tf.constant(MASK))
            loss = tf.reduce_sum(outputs * outputs) + tf.reduce_sum(states[0])
            with tf.Session() as sess:
                grads.append(sess.run(tf.gradients(loss, [x, k, r]), {x: X}))
    for unrolled, looped in zip(*grads):
        np.testing.assert_allclose(looped, unrolled, rtol=1e-10)


def test_backend_rnn_errors():
    step = tanh_step_graph(tf.constant(np.eye(4)), tf.constant(np.eye(4)))
    with pytest.raises(ValueError, match="Input should be at least 3D"):
        K.rnn(step, tf.placeholder(tf.float64, (3, 4)), [tf.zeros((3, 4), tf.float64)])
    with pytest.raises(ValueError, match="Unrolling requires a fixed number of timesteps"):
        K.rnn(step, tf.placeholder(tf.float64, (3, None, 4)), [tf.zeros((3, 4), tf.float64)], unroll=True)

    def bad_step(x_t, states):
        return x_t, [x_t, x_t]
    with pytest.raises(ValueError, match="returned 2 states, but the RNN was given 1"):
        K.rnn(bad_step, tf.placeholder(tf.float64, (3, 2, 4)), [tf.zeros((3, 4), tf.float64)])


# --- cells and layers against NumPy ------------------------------------------------------------------------
@pytest.mark.parametrize("implementation", [1, 2])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_lstm_sequences_and_states(implementation, go_backwards):
    x = keras.Input((5, 4), dtype="float64")
    layer = L.LSTM(3, implementation=implementation, return_sequences=True, return_state=True,
                   go_backwards=go_backwards)
    outputs = layer(x)
    assert [w.name for w in layer.weights] == ["lstm/kernel:0", "lstm/recurrent_kernel:0", "lstm/bias:0"]
    assert [w.shape.as_list() for w in layer.weights] == [[4, 12], [3, 12], [12]]
    assert [o.shape.as_list() for o in outputs] == [[None, 5, 3], [None, 3], [None, 3]]
    kernel, recurrent, bias = random_weights(layer)
    sequence, h, c = run(outputs, {x: X})
    expected, (eh, ec) = np_run(lstm_stepper(kernel, recurrent, bias), X, [np.zeros((3, 3))] * 2,
                                go_backwards=go_backwards)
    np.testing.assert_allclose(sequence, expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(h, eh, rtol=1e-10)
    np.testing.assert_allclose(c, ec, rtol=1e-10)


def test_lstm_defaults_are_tf1_v1():
    layer = L.LSTM(2)
    config = layer.get_config()
    assert config["recurrent_activation"] == "hard_sigmoid"
    assert config["implementation"] == 1 and config["unit_forget_bias"] is True
    assert L.GRU(2).get_config()["reset_after"] is False
    assert L.GRU(2).get_config()["recurrent_activation"] == "hard_sigmoid"
    assert layer.units == 2 and layer.recurrent_activation is tf.keras.activations.hard_sigmoid


def test_lstm_unit_forget_bias_initial_value():
    layer = L.LSTM(3, bias_initializer="zeros")
    layer(keras.Input((2, 4)))
    np.testing.assert_array_equal(K.get_value(layer.cell.bias), [0] * 3 + [1] * 3 + [0] * 6)
    plain = L.LSTM(3, unit_forget_bias=False)
    plain(keras.Input((2, 4)))
    np.testing.assert_array_equal(K.get_value(plain.cell.bias), np.zeros(12))


@pytest.mark.parametrize("reset_after", [False, True])
@pytest.mark.parametrize("implementation", [1, 2])
def test_gru_sequences(reset_after, implementation):
    x = keras.Input((5, 4), dtype="float64")
    layer = L.GRU(3, reset_after=reset_after, implementation=implementation, return_sequences=True)
    out = layer(x)
    assert [w.shape.as_list() for w in layer.weights] == [[4, 9], [3, 9], [2, 9] if reset_after else [9]]
    kernel, recurrent, bias = random_weights(layer, seed=1)
    expected, _ = np_run(gru_stepper(kernel, recurrent, bias, reset_after), X, [np.zeros((3, 3))])
    np.testing.assert_allclose(run(out, {x: X}), expected, rtol=1e-10, atol=1e-12)


def test_simple_rnn_last_output_and_no_bias():
    x = keras.Input((5, 4), dtype="float64")
    layer = L.SimpleRNN(3, use_bias=False)
    out = layer(x)
    assert [w.name for w in layer.weights] == ["simple_rnn/kernel:0", "simple_rnn/recurrent_kernel:0"]
    kernel, recurrent = random_weights(layer, seed=2)
    expected, _ = np_run(simple_stepper(kernel, recurrent, 0), X, [np.zeros((3, 3))])
    np.testing.assert_allclose(run(out, {x: X}), expected[:, -1], rtol=1e-10)


def test_cell_step_called_directly():
    cell = L.LSTMCell(3)
    x = tf.placeholder(tf.float64, (3, 4))
    h0, c0 = tf.placeholder(tf.float64, (3, 3)), tf.placeholder(tf.float64, (3, 3))
    cell._dtype = "float64"
    cell.build(x.shape)
    output, (h, c) = cell.call(x, [h0, c0])
    kernel, recurrent, bias = random_weights(cell, seed=4)
    hv, cv = RNG.randn(3, 3), RNG.randn(3, 3)
    got = run([output, h, c], {x: X[:, 0], h0: hv, c0: cv})
    eh, ec = np_lstm_step(X[:, 0], hv, cv, kernel, recurrent, bias)
    np.testing.assert_allclose(got[0], eh, rtol=1e-10)
    np.testing.assert_allclose(got[2], ec, rtol=1e-10)
    assert cell.state_size == [3, 3] and cell.output_size == 3
    zeros = cell.get_initial_state(batch_size=2, dtype=tf.float64)
    assert [z.shape.as_list() for z in zeros] == [[2, 3], [2, 3]]


def test_cudnn_lstm_semantics():
    x = keras.Input((5, 4), dtype="float64")
    layer = L.CuDNNLSTM(3, return_sequences=True)
    out = layer(x)
    assert [w.name for w in layer.weights] == ["cu_dnnlstm/kernel:0", "cu_dnnlstm/recurrent_kernel:0",
                                               "cu_dnnlstm/bias:0"]
    assert layer.weights[2].shape.as_list() == [24]
    kernel, recurrent, bias = random_weights(layer, seed=5)
    step = lstm_stepper(kernel, recurrent, bias[:12] + bias[12:], recurrent_activation=sigmoid)
    expected, _ = np_run(step, X, [np.zeros((3, 3))] * 2)
    np.testing.assert_allclose(run(out, {x: X}), expected, rtol=1e-10)


def test_cudnn_lstm_forget_bias_is_the_recurrent_one():
    layer = L.CuDNNLSTM(2)
    layer(keras.Input((2, 4)))
    np.testing.assert_array_equal(K.get_value(layer.bias), [0] * 10 + [1] * 2 + [0] * 4)


def test_cudnn_gru_equals_reset_after_gru():
    x = keras.Input((5, 4), dtype="float64")
    cudnn = L.CuDNNGRU(3, return_sequences=True, return_state=True)
    gru = L.GRU(3, reset_after=True, recurrent_activation="sigmoid", return_sequences=True)
    cudnn_out, gru_out = cudnn(x), gru(x)
    kernel, recurrent, bias = random_weights(cudnn, seed=6)
    assert bias.shape == (18,)
    gru.set_weights([kernel, recurrent, bias.reshape(2, 9)])
    (sequence, state), reference = run([cudnn_out[:2], gru_out], {x: X})
    np.testing.assert_allclose(sequence, reference, rtol=1e-10)
    expected, _ = np_run(gru_stepper(kernel, recurrent, bias.reshape(2, 9), True, sigmoid), X,
                         [np.zeros((3, 3))])
    np.testing.assert_allclose(sequence, expected, rtol=1e-10)
    np.testing.assert_allclose(state, expected[:, -1], rtol=1e-10)


def test_cudnn_rejects_masks():
    layer = L.CuDNNGRU(2)
    with pytest.raises(ValueError, match="Masking is not supported for CuDNN RNNs"):
        layer(keras.Input((3, 2)), mask=tf.ones((1, 3), tf.bool))


# --- masks, initial states, constants ----------------------------------------------------------------------
@pytest.mark.parametrize("steps", [5, None])
def test_lstm_mask_keeps_previous_state_and_output(steps):
    x = keras.Input((steps, 4), dtype="float64")
    mask = tf.placeholder(tf.bool, (None, None))
    layer = L.LSTM(3, return_sequences=True, return_state=True)
    outputs = layer(x, mask=mask)
    assert outputs[0]._keras_mask is mask and outputs[1]._keras_mask is None
    kernel, recurrent, bias = random_weights(layer, seed=7)
    got = run(outputs, {x: X, mask: MASK})
    expected, (eh, ec) = np_run(lstm_stepper(kernel, recurrent, bias), X, [np.zeros((3, 3))] * 2, MASK)
    np.testing.assert_allclose(got[0], expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got[1], eh, rtol=1e-10)
    np.testing.assert_allclose(got[2], ec, rtol=1e-10)


def test_mask_from_previous_layer_reaches_the_rnn():
    class ZeroMask(L.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.supports_masking = True

        def compute_mask(self, inputs, mask=None):
            return tf.reduce_any(tf.not_equal(inputs, 0), axis=-1)

    x = keras.Input((5, 4), dtype="float64")
    layer = L.SimpleRNN(3)
    out = layer(ZeroMask()(x))
    assert out._keras_mask is None
    kernel, recurrent, bias = random_weights(layer, seed=8)
    data = X * MASK[:, :, None]
    expected, _ = np_run(simple_stepper(kernel, recurrent, bias), data, [np.zeros((3, 3))], MASK)
    np.testing.assert_allclose(run(out, {x: data}), expected[:, -1], rtol=1e-10)


def test_initial_state_as_tensors_and_keras_tensors():
    x = keras.Input((5, 4), dtype="float64")
    h0, c0 = keras.Input((3,), dtype="float64"), keras.Input((3,), dtype="float64")
    layer = L.LSTM(3, return_state=True)
    outputs = layer(x, initial_state=[h0, c0])
    # Keras tensors join the inputs so the functional API sees them.
    assert len(layer.inbound_nodes[0].input_tensors) == 3
    kernel, recurrent, bias = random_weights(layer, seed=9)
    hv, cv = RNG.randn(3, 3), RNG.randn(3, 3)
    got = run(outputs, {x: X, h0: hv, c0: cv})
    expected, (eh, ec) = np_run(lstm_stepper(kernel, recurrent, bias), X, [hv, cv])
    np.testing.assert_allclose(got[0], expected[:, -1], rtol=1e-10)
    np.testing.assert_allclose(got[2], ec, rtol=1e-10)
    plain = layer(x, initial_state=[tf.constant(hv), tf.constant(cv)])
    np.testing.assert_allclose(run(plain[0], {x: X}), expected[:, -1], rtol=1e-10)
    with pytest.raises(ValueError, match="Layer has 2 states but was passed 1 initial states"):
        layer(x, initial_state=[tf.constant(hv)])


class ConstantCell(L.Layer):
    """h_t = h_{t-1} + x_t . kernel + constant (a cell taking `constants`)."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight("kernel", (input_shape[-1], self.units), initializer="ones")

    def call(self, inputs, states, constants=None):
        h = states[0] + tf.matmul(inputs, self.kernel) + constants[0]
        return h, [h]

    def get_config(self):
        config = super().get_config()
        config["units"] = self.units
        return config


def test_constants_reach_every_step():
    x = keras.Input((5, 4), dtype="float64")
    constant = keras.Input((2,), dtype="float64")
    layer = L.RNN(ConstantCell(2))
    out = layer(x, constants=constant)
    cv = np.array([[1., 2.], [3., 4.], [5., 6.]])
    expected = X.sum(axis=(1, 2))[:, None] + 5 * cv
    np.testing.assert_allclose(run(out, {x: X, constant: cv}), expected, rtol=1e-12)
    assert layer.get_config()["num_constants"] == 1
    with pytest.raises(ValueError, match="RNN cell does not support constants"):
        L.SimpleRNN(2)(x, constants=tf.constant(cv))


def test_stacked_cells_values_names_and_state_order():
    x = keras.Input((5, 4), dtype="float64")
    layer = L.RNN([L.LSTMCell(3), L.GRUCell(2)], return_state=True)
    outputs = layer(x)
    assert [w.name for w in layer.weights] == ["rnn/kernel:0", "rnn/recurrent_kernel:0", "rnn/bias:0",
                                               "rnn/kernel_1:0", "rnn/recurrent_kernel_1:0", "rnn/bias_1:0"]
    assert layer.cell.state_size == (3, 3, 2)
    assert [o.shape.as_list() for o in outputs] == [[None, 2], [None, 3], [None, 3], [None, 2]]
    k1, r1, b1, k2, r2, b2 = random_weights(layer, seed=10)
    lstm, gru = lstm_stepper(k1, r1, b1), gru_stepper(k2, r2, b2, False)

    def step(x_t, h, c, g):
        out, (h, c) = lstm(x_t, h, c)
        out, (g,) = gru(out, g)
        return out, [h, c, g]
    expected, states = np_run(step, X, [np.zeros((3, 3)), np.zeros((3, 3)), np.zeros((3, 2))])
    got = run(outputs, {x: X})
    np.testing.assert_allclose(got[0], expected[:, -1], rtol=1e-10)
    for value, reference in zip(got[1:], states):
        np.testing.assert_allclose(value, reference, rtol=1e-10)


def test_time_major_input():
    x = tf.placeholder(tf.float64, (5, None, 4))
    layer = L.SimpleRNN(3, return_sequences=True, time_major=True)
    out = layer(x)
    assert out.shape.as_list() == [5, None, 3]
    kernel, recurrent, bias = random_weights(layer, seed=11)
    expected, _ = np_run(simple_stepper(kernel, recurrent, bias), X, [np.zeros((3, 3))])
    np.testing.assert_allclose(run(out, {x: X.transpose(1, 0, 2)}), expected.transpose(1, 0, 2), rtol=1e-10)


# --- stateful RNNs -------------------------------------------------------------------------------------
def test_stateful_carries_states_between_batches_and_resets():
    x = keras.Input(batch_shape=(3, 2, 4), dtype="float64")
    layer = L.LSTM(3, stateful=True)
    out = layer(x)
    assert len(layer.states) == 2 and layer.states[0].shape.as_list() == [3, 3]
    assert all(s not in layer.weights for s in layer.states)
    kernel, recurrent, bias = random_weights(layer, seed=12)
    session = K.get_session()
    step = lstm_stepper(kernel, recurrent, bias)
    first = session.run([out] + layer.updates, {x: X[:, :2]})[0]
    second = session.run([out] + layer.updates, {x: X[:, 2:4]})[0]
    expected, _ = np_run(step, X[:, :4], [np.zeros((3, 3))] * 2)
    np.testing.assert_allclose(first, expected[:, 1], rtol=1e-10)
    np.testing.assert_allclose(second, expected[:, 3], rtol=1e-10)
    layer.reset_states()
    fresh, _ = np_run(step, X[:, 2:4], [np.zeros((3, 3))] * 2)
    np.testing.assert_allclose(session.run(out, {x: X[:, 2:4]}), fresh[:, -1], rtol=1e-10)
    h0, c0 = RNG.randn(3, 3), RNG.randn(3, 3)
    layer.reset_states([h0, c0])
    np.testing.assert_allclose(session.run(out, {x: X[:, :2]}), np_run(step, X[:, :2], [h0, c0])[0][:, -1],
                               rtol=1e-10)
    with pytest.raises(ValueError, match="expects 2 states, but it received 1 state values"):
        layer.reset_states([h0])
    with pytest.raises(ValueError, match=r"State 1 is incompatible with layer lstm: expected shape=\(3, 3\), "
                                         r"found shape=\(2, 3\)"):
        layer.reset_states([h0, c0[:2]])


def test_stateful_errors():
    with pytest.raises(ValueError, match="If a RNN is stateful, it needs to know its batch size"):
        L.SimpleRNN(2, stateful=True)(keras.Input((3, 2)))
    with pytest.raises(AttributeError, match="Layer must be stateful"):
        L.SimpleRNN(2).reset_states()


# --- dropout -----------------------------------------------------------------------------------------------
def test_input_dropout_mask_is_fixed_across_time_and_train_only():
    x = keras.Input((6, 40), dtype="float64")
    layer = L.SimpleRNN(40, activation="linear", use_bias=False, dropout=0.5, return_sequences=True,
                        kernel_initializer="identity", recurrent_initializer="zeros")
    out = layer(x)
    ones = np.ones((2, 6, 40))
    np.testing.assert_allclose(run(out, {x: ones}), ones)
    trained = run(out, {x: ones, K.learning_phase(): True})
    assert set(np.unique(trained)) <= {0.0, 2.0}
    assert 0 < np.mean(trained == 0) < 1
    for t in range(1, 6):
        np.testing.assert_array_equal(trained[:, t], trained[:, 0])


def test_recurrent_dropout_mask_is_fixed_across_time():
    x = keras.Input((5, 40), dtype="float64")
    layer = L.SimpleRNN(40, activation="linear", use_bias=False, recurrent_dropout=0.5, return_sequences=True,
                        kernel_initializer="identity", recurrent_initializer="identity")
    out = layer(x)
    pulse = np.zeros((2, 5, 40))
    pulse[:, 0] = 1.0
    np.testing.assert_allclose(run(out, {x: pulse}), np.ones((2, 5, 40)))
    trained = run(out, {x: pulse, K.learning_phase(): True})
    mask = trained[:, 1]
    assert set(np.unique(mask)) <= {0.0, 2.0} and 0 < np.mean(mask == 0) < 1
    for t in range(5):
        np.testing.assert_allclose(trained[:, t], mask ** t)


def test_lstm_dropout_with_unknown_steps_runs_in_the_loop():
    x = keras.Input((None, 4), dtype="float64")
    layer = L.LSTM(3, dropout=0.3, recurrent_dropout=0.3, implementation=1)
    out = layer(x)
    kernel, recurrent, bias = random_weights(layer, seed=13)
    expected, _ = np_run(lstm_stepper(kernel, recurrent, bias), X, [np.zeros((3, 3))] * 2)
    np.testing.assert_allclose(run(out, {x: X}), expected[:, -1], rtol=1e-10)
    trained = run(out, {x: X, K.learning_phase(): True})
    assert trained.shape == (3, 3) and np.all(np.isfinite(trained))


# --- configs and errors ----------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda: L.LSTM(3, return_sequences=True, dropout=0.25, implementation=2, unroll=True),
    lambda: L.GRU(2, reset_after=True, go_backwards=True, stateful=False),
    lambda: L.SimpleRNN(4, activation="relu", use_bias=False, return_state=True),
    lambda: L.CuDNNLSTM(3, unit_forget_bias=False, return_sequences=True),
    lambda: L.CuDNNGRU(3, go_backwards=True),
    lambda: L.RNN([L.LSTMCell(3), L.SimpleRNNCell(2)], return_sequences=True),
])
def test_config_round_trip(make):
    layer = make()
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert type(clone) is type(layer)
    assert clone.get_config() == config


def test_config_round_trip_with_custom_cell():
    layer = L.RNN(ConstantCell(2), go_backwards=True)
    with keras.utils.custom_object_scope({"ConstantCell": ConstantCell}):
        clone = L.RNN.from_config(layer.get_config())
    assert isinstance(clone.cell, ConstantCell) and clone.cell.units == 2 and clone.go_backwards


def test_layer_errors():
    class NoState(L.Layer):
        def call(self, inputs, states):
            return inputs, states
    with pytest.raises(ValueError, match="should have an attribute `state_size`"):
        L.RNN(NoState())
    with pytest.raises(ValueError, match="should have a `call` method"):
        L.RNN(object())
    with pytest.raises(ValueError, match="Input 0 of layer lstm is incompatible with the layer: expected ndim=3, "
                                         "found ndim=2"):
        L.LSTM(3)(keras.Input((4,)))
    with pytest.raises(ValueError, match="Cannot unroll a RNN if the time dimension is undefined"):
        L.LSTM(3, unroll=True)(keras.Input((None, 4)))
    with pytest.raises(ValueError, match="`implementation` must be 1 or 2"):
        L.LSTM(3, implementation=3)
    with pytest.raises(ValueError, match="expected a positive integer"):
        L.GRUCell(0)
    with pytest.raises(TypeError, match="Keyword argument not understood"):
        L.LSTM(3, bogus=1)


def test_compute_output_shape_and_input_dim_kwargs():
    layer = L.LSTM(3, return_sequences=True, return_state=True, input_dim=4, input_length=5)
    assert layer._batch_input_shape == (None, 5, 4)
    shapes = layer.compute_output_shape(tf.TensorShape([2, 5, 4]))
    assert [s.as_list() for s in shapes] == [[2, 5, 3], [2, 3], [2, 3]]
    assert L.GRU(2).compute_output_shape(tf.TensorShape([None, 7, 4])).as_list() == [None, 2]


class MinimalCell(L.AbstractRNNCell):
    """h_t = tanh(x_t . kernel + h_{t-1}): the smallest AbstractRNNCell subclass."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    @property
    def state_size(self):
        return self.units

    @property
    def output_size(self):
        return self.units

    def build(self, input_shape):
        self.kernel = self.add_weight("kernel", (input_shape[-1], self.units))

    def call(self, inputs, states):
        h = tf.tanh(tf.matmul(inputs, self.kernel) + states[0])
        return h, [h]


def test_abstract_rnn_cell_subclass_in_rnn():
    x = keras.Input((5, 4), dtype="float64")
    layer = L.RNN(MinimalCell(3), return_sequences=True)
    out = layer(x)
    assert [w.name for w in layer.weights] == ["rnn/kernel:0"]
    (kernel,) = random_weights(layer)
    expected, _ = np_run(simple_stepper(kernel, np.eye(3), 0), X, [np.zeros((3, 3))])
    np.testing.assert_allclose(run(out, {x: X}), expected, rtol=1e-10)
    with pytest.raises(NotImplementedError, match="Abstract method"):
        L.AbstractRNNCell().state_size


@pytest.mark.parametrize("make", [
    lambda: L.SimpleRNNCell(3, activation="relu", dropout=0.5),
    lambda: L.LSTMCell(3, unit_forget_bias=False, implementation=2, recurrent_dropout=0.25),
    lambda: L.GRUCell(3, reset_after=True, use_bias=False),
    lambda: L.StackedRNNCells([L.GRUCell(2), L.LSTMCell(4)]),
])
def test_cell_config_round_trip(make):
    cell = make()
    config = cell.get_config()
    clone = type(cell).from_config(config)
    assert clone.get_config() == config and clone.state_size == cell.state_size


def test_stacked_cells_errors():
    with pytest.raises(ValueError, match="All cells must have a `state_size` attribute"):
        L.StackedRNNCells([L.LSTMCell(2), L.Layer()])


def test_time_distributed_dense():
    x = keras.Input((5, 4), dtype="float64")
    layer = L.TimeDistributed(L.Dense(2, activation="tanh"))
    out = layer(x)
    assert [w.name for w in layer.weights] == ["time_distributed/kernel:0", "time_distributed/bias:0"]
    kernel, bias = random_weights(layer)
    np.testing.assert_allclose(run(out, {x: X}), np.tanh(X @ kernel + bias), rtol=1e-10)
    assert out.shape.as_list() == [None, 5, 2]
    assert layer.compute_output_shape(tf.TensorShape([None, 5, 4])).as_list() == [None, 5, 2]


def test_sequential_model_with_recurrent_layers_fits_and_predicts():
    model = keras.Sequential([L.LSTM(4, return_sequences=True, input_shape=(5, 4)),
                              L.Bidirectional(L.GRU(3)), L.Dense(1)])
    assert [layer.output_shape for layer in model.layers] == [(None, 5, 4), (None, 6), (None, 1)]
    model.compile("adam", "mse")
    data, target = X.astype(np.float32), np.ones((3, 1), np.float32)
    history = model.fit(data, target, epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.predict(data).shape == (3, 1)


def test_embedding_mask_zero_and_masking_layer_drive_the_rnn():
    ids = np.array([[3, 1, 2, 0, 0], [4, 0, 0, 0, 0], [1, 2, 3, 4, 5]])
    tokens = keras.Input((5,), dtype="int32")
    embedded = L.Embedding(6, 4, mask_zero=True)(tokens)
    lstm = L.LSTM(3, return_sequences=True)
    sequence = lstm(embedded)
    assert sequence._keras_mask is not None
    table = K.get_value(embedded._keras_history[0].embeddings).astype(np.float64)
    kernel, recurrent, bias = random_weights(lstm, seed=14)
    expected, _ = np_run(lstm_stepper(kernel, recurrent, bias), table[ids], [np.zeros((3, 3))] * 2, ids != 0)
    np.testing.assert_allclose(run(sequence, {tokens: ids}), expected, rtol=1e-5, atol=1e-6)

    features = keras.Input((5, 4), dtype="float64")
    gru = L.GRU(3)
    out = gru(L.Masking(0.0)(features))
    kernel, recurrent, bias = random_weights(gru, seed=15)
    data = X * MASK[:, :, None]
    expected, _ = np_run(gru_stepper(kernel, recurrent, bias, False), data, [np.zeros((3, 3))], MASK)
    np.testing.assert_allclose(run(out, {features: data}), expected[:, -1], rtol=1e-10)


def test_encoder_decoder_model_with_state_handoff_fits_and_rebuilds_from_config():
    encoder_inputs = keras.Input((None, 3))
    _, h, c = L.LSTM(4, return_state=True)(encoder_inputs)
    decoder_inputs = keras.Input((None, 2))
    decoded = L.LSTM(4, return_sequences=True)(decoder_inputs, initial_state=[h, c])
    model = keras.Model([encoder_inputs, decoder_inputs], L.Dense(2)(decoded))
    model.compile("adam", "mse")
    rng = np.random.RandomState(16)
    sources, targets = rng.randn(8, 5, 3), rng.randn(8, 4, 2)
    history = model.fit([sources, targets], targets, epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    predictions = model.predict([sources, targets])
    clone = keras.Model.from_config(model.get_config())
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone.predict([sources, targets]), predictions, rtol=1e-6)
    # the decoder really starts from the encoder's states: other sources change its outputs
    assert not np.allclose(model.predict([sources[::-1], targets]), predictions)


def test_backend_rnn_loop_with_fixed_size_initial_state_and_unknown_batch():
    # The step's result has an unknown batch size (the state enters only through a scalar) where the
    # initial state has a fixed one: the loop accepts it and keeps the state's static shape.
    kernel = RNG.randn(4, 3)
    x = tf.placeholder(tf.float64, (None, None, 4))
    start = RNG.randn(3, 3)

    def step(x_t, states):
        h = tf.tanh(tf.matmul(x_t, tf.constant(kernel))) * (1.0 + tf.reduce_mean(states[0]))
        return h, [h]
    last, outputs, states = K.rnn(step, x, [tf.constant(start)])
    assert states[0].shape.as_list() == [3, 3]
    h, expected = start, []
    for t in range(5):
        h = np.tanh(X[:, t] @ kernel) * (1.0 + h.mean())
        expected.append(h)
    got = run([outputs, states[0]], {x: X})
    np.testing.assert_allclose(got[0], np.stack(expected, axis=1), rtol=1e-12)
    np.testing.assert_allclose(got[1], h, rtol=1e-12)
