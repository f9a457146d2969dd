"""Gradients of the recurrent layers (input and every weight) against central finite differences in
float64, through the unrolled steps and through the while_loop (unknown number of steps), with masks."""
import numpy as np
import pytest

import numflow as tf

L = tf.keras.layers
K = tf.keras.backend


@pytest.fixture(autouse=True)
def fresh_keras():
    K.clear_session()
    yield
    K.clear_session()


def check_layer_gradients(make_layer, x_value, steps_known=True, mask=None, delta=1e-6, seed=0):
    """tf.gradients of sum(output * w) w.r.t. the input and each weight vs central differences."""
    rng = np.random.RandomState(seed)
    shape = list(x_value.shape)
    if not steps_known:
        shape[1] = None
    x = tf.placeholder(tf.float64, shape)
    layer = make_layer()
    kwargs = {} if mask is None else {"mask": tf.constant(mask)}
    output = layer(x, **kwargs)
    outputs = output if isinstance(output, list) else [output]
    session = K.get_session()
    values = [rng.uniform(-0.6, 0.6, size=w.shape.as_list()) for w in layer.weights]
    layer.set_weights(values)
    out_values = session.run(outputs, {x: x_value})
    seeds = [tf.constant(rng.uniform(0.5, 1.5, size=v.shape)) for v in out_values]
    loss = tf.add_n([tf.reduce_sum(o * s) for o, s in zip(outputs, seeds)])
    symbolic = session.run(tf.gradients(loss, [x] + layer.weights), {x: x_value})

    def loss_at(x_now):
        return session.run(loss, {x: x_now})

    numeric_x = np.zeros_like(x_value)
    for index in np.ndindex(*x_value.shape):
        plus, minus = x_value.copy(), x_value.copy()
        plus[index] += delta
        minus[index] -= delta
        numeric_x[index] = (loss_at(plus) - loss_at(minus)) / (2 * delta)
    np.testing.assert_allclose(symbolic[0], numeric_x, rtol=1e-5, atol=1e-7)
    for variable, value, grad in zip(layer.weights, values, symbolic[1:]):
        numeric = np.zeros_like(value)
        for index in np.ndindex(*value.shape):
            for sign in (1, -1):
                moved = value.copy()
                moved[index] += sign * delta
                variable.load(moved, session)
                numeric[index] += sign * loss_at(x_value) / (2 * delta)
            variable.load(value, session)
        np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-7, err_msg=variable.name)


X = np.random.RandomState(1).randn(2, 3, 2)
MASK = np.array([[1, 0, 1], [1, 1, 0]], dtype=bool)


@pytest.mark.parametrize("steps_known", [True, False])
def test_lstm_gradients(steps_known):
    # sigmoid gates: hard_sigmoid's kinks make finite differences unreliable
    check_layer_gradients(lambda: L.LSTM(2, recurrent_activation="sigmoid", return_sequences=True), X,
                          steps_known)


def test_lstm_gradients_with_mask_and_states():
    check_layer_gradients(lambda: L.LSTM(2, recurrent_activation="sigmoid", return_state=True,
                                         implementation=2), X, mask=MASK)


@pytest.mark.parametrize("reset_after", [False, True])
def test_gru_gradients(reset_after):
    check_layer_gradients(lambda: L.GRU(2, recurrent_activation="sigmoid", reset_after=reset_after,
                                        return_sequences=True, go_backwards=True), X)


def test_simple_rnn_gradients_in_while_loop_with_mask():
    check_layer_gradients(lambda: L.SimpleRNN(2, return_sequences=True), X, steps_known=False, mask=MASK)


def test_cudnn_gradients():
    check_layer_gradients(lambda: L.CuDNNLSTM(2), X)
    K.clear_session()
    check_layer_gradients(lambda: L.CuDNNGRU(2, return_sequences=True), X)


def test_bidirectional_gradients():
    check_layer_gradients(lambda: L.Bidirectional(L.SimpleRNN(2, return_sequences=True), merge_mode="mul"), X)
