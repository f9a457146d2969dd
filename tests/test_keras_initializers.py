"""tf.keras.initializers, regularizers and constraints: Keras defaults, values vs NumPy, (de)serialization."""
import numpy as np
import pytest

import numflow as tf

initializers = tf.keras.initializers
regularizers = tf.keras.regularizers
constraints = tf.keras.constraints


def _value(tensor_fn):
    with tf.Graph().as_default():
        tf.set_random_seed(1)
        with tf.Session() as sess:
            return sess.run(tensor_fn())


def test_keras_random_defaults():
    normal = initializers.RandomNormal()
    assert (normal.mean, normal.stddev) == (0.0, 0.05)
    uniform = initializers.RandomUniform()
    assert (uniform.minval, uniform.maxval) == (-0.05, 0.05)
    assert initializers.TruncatedNormal().stddev == 0.05
    values = _value(lambda: initializers.get("uniform")([200, 50]))
    assert values.min() >= -0.05 and values.max() < 0.05 and values.std() > 0.02
    values = _value(lambda: initializers.get("normal")([400, 50]))
    assert abs(values.std() - 0.05) < 0.003
    values = _value(lambda: initializers.get("truncated_normal")([400, 50]))
    assert np.abs(values).max() <= 0.1 + 1e-7


def test_deterministic_initializers():
    np.testing.assert_array_equal(_value(lambda: initializers.get("zeros")([2, 3])), np.zeros((2, 3)))
    np.testing.assert_array_equal(_value(lambda: initializers.get("ones")([4])), np.ones(4))
    np.testing.assert_array_equal(_value(lambda: initializers.Constant(2.5)([2, 2])), np.full((2, 2), 2.5))
    np.testing.assert_array_equal(_value(lambda: initializers.Identity(gain=3.)([3, 4])), 3 * np.eye(3, 4))
    q = _value(lambda: initializers.Orthogonal()([6, 4]))
    np.testing.assert_allclose(q.T @ q, np.eye(4), atol=1e-5)


@pytest.mark.parametrize("name, limit", [("glorot_uniform", np.sqrt(6 / (30 + 20))), ("he_uniform", np.sqrt(6 / 30)),
                                         ("lecun_uniform", np.sqrt(3 / 30))])
def test_fan_scaled_uniform(name, limit):
    values = _value(lambda: initializers.get(name)([30, 20]))
    assert np.abs(values).max() <= limit and np.abs(values).max() > 0.8 * limit


@pytest.mark.parametrize("name, variance", [("glorot_normal", 2 / 50), ("he_normal", 2 / 30), ("lecun_normal", 1 / 30)])
def test_fan_scaled_normal(name, variance):
    values = _value(lambda: initializers.get(name)([30, 20]))
    assert abs(values.var() / variance - 1) < 0.2


def test_initializer_serialization_round_trip():
    config = initializers.serialize(initializers.get("glorot_uniform"))
    assert config == {"class_name": "GlorotUniform", "config": {"seed": None, "dtype": "float32"}}
    restored = initializers.deserialize(initializers.serialize(initializers.RandomNormal(stddev=0.3, seed=2)))
    assert isinstance(restored, initializers.RandomNormal) and restored.stddev == 0.3 and restored.seed == 2
    he = initializers.get("he_normal")
    assert isinstance(he, initializers.VarianceScaling) and he.scale == 2.0 and he.mode == "fan_in"
    assert isinstance(initializers.get({"class_name": "Zeros", "config": {}}), initializers.Zeros)
    assert isinstance(initializers.get(initializers.Ones), initializers.Ones)


def test_initializer_errors():
    with pytest.raises(ValueError, match="Unknown initializer: foo"):
        initializers.get("foo")
    with pytest.raises(ValueError, match="Could not interpret initializer identifier: 3"):
        initializers.get(3)


def test_regularizers_values():
    w = np.array([[1.0, -2.0], [0.5, -0.25]], dtype=np.float32)
    for reg, expected in [(regularizers.l1(0.1), 0.1 * np.abs(w).sum()), (regularizers.l2(0.2), 0.2 * (w ** 2).sum()),
                          (regularizers.l1_l2(0.1, 0.2), 0.1 * np.abs(w).sum() + 0.2 * (w ** 2).sum()),
                          (regularizers.L1L2(), 0.0)]:
        np.testing.assert_allclose(_value(lambda r=reg: tf.convert_to_tensor(r(tf.constant(w)))), expected, rtol=1e-6)


def test_regularizer_serialization():
    assert regularizers.serialize(regularizers.l2(0.1)) == {"class_name": "L1L2",
                                                            "config": {"l1": 0.0, "l2": float(np.float32(0.1))}}
    restored = regularizers.get(regularizers.serialize(regularizers.l1_l2(0.3, 0.4)))
    assert (restored.l1, restored.l2) == (np.float32(0.3), np.float32(0.4))
    assert regularizers.get("l2").l2 == np.float32(0.01)
    assert regularizers.get(None) is None
    with pytest.raises(ValueError, match="Unknown regularizer: nope"):
        regularizers.get("nope")
    with pytest.raises(ValueError, match="Could not interpret regularizer identifier: 5"):
        regularizers.get(5)


def _np_norms(w, axis):
    return np.sqrt((w ** 2).sum(axis=axis, keepdims=True))


W = np.random.RandomState(3).randn(4, 3).astype(np.float32) * 2


@pytest.mark.parametrize("constraint, reference", [
    (constraints.MaxNorm(1.5), lambda w: w * np.clip(_np_norms(w, 0), 0, 1.5) / (1e-7 + _np_norms(w, 0))),
    (constraints.MaxNorm(1.0, axis=1), lambda w: w * np.clip(_np_norms(w, 1), 0, 1) / (1e-7 + _np_norms(w, 1))),
    (constraints.NonNeg(), lambda w: w * (w >= 0)),
    (constraints.UnitNorm(), lambda w: w / (1e-7 + _np_norms(w, 0))),
    (constraints.MinMaxNorm(0.5, 2.0, rate=0.7), lambda w: w * (
        0.7 * np.clip(_np_norms(w, 0), 0.5, 2.0) + 0.3 * _np_norms(w, 0)) / (1e-7 + _np_norms(w, 0))),
])
def test_constraint_values(constraint, reference):
    np.testing.assert_allclose(_value(lambda: constraint(tf.constant(W))), reference(W.astype(np.float64)), rtol=1e-5)


@pytest.mark.parametrize("size", [2, 3, 4, 5])
def test_radial_constraint(size):
    w = np.arange(size * size * 2, dtype=np.float32).reshape(size, size, 2, 1)
    got = _value(lambda: constraints.RadialConstraint()(tf.constant(w)))
    # Each ring around the centre holds one value: for odd sizes the centre takes w[s-1, s-1] and ring d
    # (d >= 1) w[s+d-1, s+d-1]; for even sizes the central 2x2 takes w[s-1, s-1] and ring d >= 2
    # w[s+d-1, s+d-1] (s = size // 2) -- how TF 1.15 builds it by padding outwards.
    s = size // 2
    centre = (size - 1) / 2
    for r in range(size):
        for c in range(size):
            ring = int(np.ceil(max(abs(r - centre), abs(c - centre))))
            source = s - 1 if ring == (1 if size % 2 == 0 else 0) else s + ring - 1
            np.testing.assert_array_equal(got[r, c], w[source, source])


def test_radial_constraint_rank_error():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="The weight tensor must be of rank 4"):
            constraints.RadialConstraint()(tf.zeros([3, 3]))


def test_constraint_serialization():
    assert constraints.serialize(constraints.max_norm(3)) == {"class_name": "MaxNorm",
                                                              "config": {"max_value": 3, "axis": 0}}
    restored = constraints.get({"class_name": "MinMaxNorm", "config": {"min_value": 1.0, "max_value": 2.0,
                                                                       "rate": 0.5, "axis": 1}})
    assert (restored.min_value, restored.max_value, restored.rate, restored.axis) == (1.0, 2.0, 0.5, 1)
    assert isinstance(constraints.get("non_neg"), constraints.NonNeg)
    assert isinstance(constraints.get("unitnorm"), constraints.UnitNorm)
    with pytest.raises(ValueError, match="Unknown constraint: bad"):
        constraints.get("bad")
    with pytest.raises(ValueError, match="Could not interpret constraint identifier: 1.5"):
        constraints.get(1.5)


def test_dense_layer_weights_use_them():
    """A layer's add_weight resolves the names through these modules."""
    from numflow.keras.engine.base_layer import Layer

    class Probe(Layer):
        def build(self, input_shape):
            self.kernel = self.add_weight("kernel", shape=(3, 2), initializer="ones", regularizer="l2",
                                          constraint="non_neg")

    with tf.Graph().as_default():
        layer = Probe()
        layer(tf.zeros([1, 3]))
        assert isinstance(layer.kernel.constraint, constraints.NonNeg)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            np.testing.assert_allclose(sess.run(layer.losses[0]), 0.01 * 6, rtol=1e-6)
