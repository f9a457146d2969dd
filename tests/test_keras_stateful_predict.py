"""A stateful RNN carries its states across `predict` and `evaluate` batches, as across `fit`'s (TF 1.15
runs the stateful layers' updates in all three)."""
import numpy as np

import numflow as tf


def _stateful_model():
    model = tf.keras.Sequential([
        tf.keras.layers.SimpleRNN(3, stateful=True, batch_input_shape=(2, 4, 2)),
        tf.keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    return model


def test_predict_carries_states_until_reset():
    with tf.Graph().as_default():
        model = _stateful_model()
        x = np.random.RandomState(0).randn(2, 4, 2).astype(np.float32)
        first = model.predict(x, batch_size=2)
        second = model.predict(x, batch_size=2)
        assert not np.allclose(first, second)  # the second call starts from the first call's states
        model.reset_states()
        np.testing.assert_allclose(model.predict(x, batch_size=2), first, rtol=1e-6)


def test_evaluate_carries_states_until_reset():
    with tf.Graph().as_default():
        model = _stateful_model()
        x = np.random.RandomState(1).randn(2, 4, 2).astype(np.float32)
        y = np.zeros((2, 1), np.float32)
        first = model.evaluate(x, y, batch_size=2, verbose=0)
        second = model.evaluate(x, y, batch_size=2, verbose=0)
        assert first != second
        model.reset_states()
        np.testing.assert_allclose(model.evaluate(x, y, batch_size=2, verbose=0), first, rtol=1e-6)


def test_stateless_model_has_no_state_updates():
    with tf.Graph().as_default():
        model = tf.keras.Sequential([tf.keras.layers.SimpleRNN(3, input_shape=(4, 2))])
        assert model.state_updates == []
