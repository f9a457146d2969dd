"""tf.keras.activations: values vs NumPy, get/serialize/deserialize and their errors."""
import numpy as np
import pytest

import numflow as tf

activations = tf.keras.activations
X = np.linspace(-4, 4, 17).astype(np.float32)


def _run(fn, x=X, **kwargs):
    with tf.Graph().as_default():
        with tf.Session() as sess:
            return sess.run(fn(tf.constant(x), **kwargs))


def _np_sigmoid(x):
    return 1 / (1 + np.exp(-x))


@pytest.mark.parametrize("name, reference", [
    ("relu", lambda x: np.maximum(x, 0)),
    ("elu", lambda x: np.where(x > 0, x, np.expm1(x))),
    ("selu", lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(x))),
    ("softplus", lambda x: np.log1p(np.exp(x))),
    ("softsign", lambda x: x / (1 + np.abs(x))),
    ("tanh", np.tanh),
    ("sigmoid", _np_sigmoid),
    ("hard_sigmoid", lambda x: np.clip(0.2 * x + 0.5, 0, 1)),
    ("exponential", np.exp),
    ("linear", lambda x: x),
])
def test_activation_values(name, reference):
    np.testing.assert_allclose(_run(activations.get(name)), reference(X.astype(np.float64)), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("alpha, max_value, threshold", [
    (0.0, None, 0), (0.1, None, 0), (0.0, 6, 0), (0.0, 2.5, 0), (0.2, 3.0, 1.0), (0.0, None, -1.0), (0.3, None, 0.5)])
def test_relu_generalised(alpha, max_value, threshold):
    def reference(x):
        # Keras' definition: the part above the threshold (capped), minus alpha times the part below.
        y = np.where(x > threshold, x, 0.0)
        if max_value is not None:
            y = np.minimum(y, max_value)
        return y - alpha * np.maximum(threshold - x, 0.0)
    got = _run(activations.relu, alpha=alpha, max_value=max_value, threshold=threshold)
    np.testing.assert_allclose(got, reference(X), rtol=1e-6, atol=1e-6)


def test_elu_alpha():
    np.testing.assert_allclose(_run(activations.elu, alpha=0.5), np.where(X > 0, X, 0.5 * np.expm1(X)), rtol=1e-6)


@pytest.mark.parametrize("shape, axis", [((3, 5), -1), ((2, 3, 4), -1), ((2, 3, 4), 1)])
def test_softmax(shape, axis):
    x = np.random.RandomState(0).randn(*shape).astype(np.float32) * 5
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    np.testing.assert_allclose(_run(activations.softmax, x, axis=axis), e / e.sum(axis=axis, keepdims=True),
                               rtol=1e-5)


def test_softmax_rejects_1d():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="Cannot apply softmax to a tensor that is 1D"):
            activations.softmax(tf.constant([1., 2.]))


def test_get_serialize_deserialize():
    assert activations.get(None) is activations.linear
    assert activations.get("relu") is activations.relu
    assert activations.serialize(activations.tanh) == "tanh"
    assert activations.deserialize("softsign") is activations.softsign

    def custom(x):
        return x * 2
    assert activations.get(custom) is custom
    with tf.keras.utils.custom_object_scope({"custom": custom}):
        assert activations.get("custom") is custom


def test_unknown_activation_errors():
    with pytest.raises(ValueError, match="Unknown activation function: foo"):
        activations.get("foo")
    with pytest.raises(ValueError, match="Unknown activation function: get"):
        activations.get("get")
    with pytest.raises(ValueError, match="Could not interpret activation function identifier: 3"):
        activations.get(3)


def test_activation_gradients():
    from gradcheck import check_gradients
    x = np.array([-1.3, -0.4, 0.3, 1.7], dtype=np.float64)
    for name in ("elu", "selu", "softplus", "softsign", "tanh", "sigmoid", "exponential"):
        check_gradients(lambda t, fn=activations.get(name): fn(t), [x])
