"""tf.keras.models.LinearModel and WideDeepModel: values against NumPy, training, and two optimizers."""
import numpy as np
import pytest

import numflow as tf
from numflow import keras
from numflow.keras import backend as K
from numflow.keras import layers


@pytest.fixture(autouse=True)
def fresh_graph():
    K.clear_session()
    yield
    K.clear_session()


def data(n=64, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.randn(n, 3).astype(np.float32)
    return x, (x @ np.array([[1.], [-2.], [.5]]) + .3).astype(np.float32)


def test_linear_model_learns_a_linear_function():
    model = keras.models.LinearModel()
    model.compile(tf.train.GradientDescentOptimizer(0.1), loss="mse")
    x, y = data()
    model.fit(x, y, epochs=60, batch_size=16, verbose=0)
    kernel, bias = K.get_value(model.layers[0].kernel), K.get_value(model.bias)
    assert len(model.weights) == 2
    np.testing.assert_allclose(kernel[:, 0], [1., -2., .5], atol=1e-2)
    np.testing.assert_allclose(bias, [.3], atol=1e-2)
    np.testing.assert_allclose(model.predict(x), x @ kernel + bias, rtol=1e-5, atol=1e-6)


def test_linear_model_on_a_dict_of_inputs_sums_one_kernel_per_input():
    model = keras.models.LinearModel(units=2, kernel_initializer="ones", bias_initializer="ones",
                                     activation="relu")
    a = tf.placeholder(tf.float32, [None, 2])
    b = tf.placeholder(tf.float32, [None, 3])
    out = model({"a": a, "b": b})
    assert [l.name for l in model.layers] == ["a", "b"] and len(model.weights) == 3
    value = K.get_session().run(out, {a: [[1., -4.]], b: [[1., 2., 3.]]})
    np.testing.assert_allclose(value, [[4., 4.]])


def test_wide_deep_model_adds_both_parts_and_trains_each_with_its_optimizer():
    linear = keras.models.LinearModel()
    dnn = keras.Sequential([layers.Dense(4, activation="relu"), layers.Dense(1)])
    model = keras.models.WideDeepModel(linear, dnn)
    sgd = tf.train.GradientDescentOptimizer(0.05)
    frozen = tf.train.GradientDescentOptimizer(0.0)
    model.compile([sgd, frozen], loss="mse")
    x, y = data(32)
    model.fit([x, x], y, epochs=1, batch_size=32, verbose=0)
    dnn_before = dnn.get_weights()
    linear_before = linear.get_weights()
    model.fit([x, x], y, epochs=2, batch_size=32, verbose=0)
    for after, before in zip(dnn.get_weights(), dnn_before):
        np.testing.assert_array_equal(after, before)                 # learning rate 0 for the DNN
    assert not all(np.allclose(a, b) for a, b in zip(linear.get_weights(), linear_before))
    kernel, bias = K.get_value(linear.layers[0].kernel), K.get_value(linear.bias)
    np.testing.assert_allclose(model.predict([x, x]), x @ kernel + bias + dnn.predict(x), rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="A list of optimizers is only supported by WideDeepModel"):
        plain = keras.models.LinearModel()
        plain.compile([sgd, frozen], loss="mse")
        plain.fit(x, y, verbose=0)
