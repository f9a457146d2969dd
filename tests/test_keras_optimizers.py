"""tf.keras.optimizers: several update steps vs NumPy implementations of the Keras update rules,
hyperparameter variables, slots and weights, configs, TFOptimizer, errors."""
import numpy as np
import pytest

import numflow as tf

K = tf.keras.backend
optimizers = tf.keras.optimizers
W0 = np.array([[0.5, -1.0, 2.0], [1.5, 0.2, -0.7]], dtype=np.float32)
C = np.array([[0.3, -0.2, 0.1], [0.4, 0.5, -0.6]], dtype=np.float32)
STEPS = 5


def _grad(w):
    """Gradient of sum(C * w + w^3 / 3)."""
    return C + w * w


# --- NumPy references (float64) of the Keras update rules; state is a dict per run ------------------
def ref_sgd(lr=0.01, momentum=0.0, nesterov=False, decay=0.0, clipnorm=None, clipvalue=None):
    def step(w, g, s, t):
        if clipnorm is not None:
            g = g * min(1.0, clipnorm / np.sqrt((g * g).sum()))
        if clipvalue is not None:
            g = np.clip(g, -clipvalue, clipvalue)
        rate = lr / (1 + decay * (t - 1))
        if not momentum:
            return w - rate * g
        s["v"] = momentum * s.get("v", 0) - rate * g
        return w + (momentum * s["v"] - rate * g if nesterov else s["v"])
    return step


def ref_adam(lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False):
    def step(w, g, s, t):
        s["m"] = beta_1 * s.get("m", 0) + (1 - beta_1) * g
        s["v"] = beta_2 * s.get("v", 0) + (1 - beta_2) * g * g
        denom = s["v"]
        if amsgrad:
            s["vhat"] = denom = np.maximum(s.get("vhat", 0), s["v"])
        rate = lr * np.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
        return w - rate * s["m"] / (np.sqrt(denom) + epsilon)
    return step


def ref_rmsprop(lr=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False):
    def step(w, g, s, t):
        s["rms"] = rho * s.get("rms", 0) + (1 - rho) * g * g
        denom = s["rms"]
        if centered:
            s["mg"] = rho * s.get("mg", 0) + (1 - rho) * g
            denom = denom - s["mg"] ** 2
        if momentum:
            s["mom"] = momentum * s.get("mom", 0) + lr * g / np.sqrt(denom + epsilon)
            return w - s["mom"]
        return w - lr * g / (np.sqrt(denom) + epsilon)
    return step


def ref_adagrad(lr=0.001, initial=0.1, epsilon=1e-7):
    def step(w, g, s, t):
        s["acc"] = s.get("acc", initial) + g * g
        return w - lr * g / (np.sqrt(s["acc"]) + epsilon)
    return step


def ref_adadelta(lr=0.001, rho=0.95, epsilon=1e-7):
    def step(w, g, s, t):
        s["ag"] = rho * s.get("ag", 0) + (1 - rho) * g * g
        update = np.sqrt(s.get("av", 0) + epsilon) / np.sqrt(s["ag"] + epsilon) * g
        s["av"] = rho * s.get("av", 0) + (1 - rho) * update * update
        return w - lr * update
    return step


def ref_adamax(lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    def step(w, g, s, t):
        s["m"] = beta_1 * s.get("m", 0) + (1 - beta_1) * g
        s["v"] = np.maximum(beta_2 * s.get("v", 0), np.abs(g))
        return w - lr / (1 - beta_1 ** t) * s["m"] / (s["v"] + epsilon)
    return step


def ref_nadam(lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, schedule_decay=0.004):
    def mu(t):
        return beta_1 * (1 - 0.5 * 0.96 ** (schedule_decay * t))

    def step(w, g, s, t):
        schedule = s.get("schedule", 1.0) * mu(t)
        s["schedule"] = schedule
        s["m"] = beta_1 * s.get("m", 0) + (1 - beta_1) * g
        s["v"] = beta_2 * s.get("v", 0) + (1 - beta_2) * g * g
        m_bar = (1 - mu(t)) * g / (1 - schedule) + mu(t + 1) * s["m"] / (1 - schedule * mu(t + 1))
        return w - lr * m_bar / (np.sqrt(s["v"] / (1 - beta_2 ** t)) + epsilon)
    return step


def ref_ftrl(lr=0.001, power=-0.5, initial=0.1, l1=0.0, l2=0.0, shrinkage=0.0):
    def step(w, g, s, t):
        accumulator = s.get("acc", np.full_like(w, initial))
        linear = s.get("lin", np.zeros_like(w))
        g_shrunk = g + 2 * shrinkage * w
        new_accumulator = accumulator + g * g
        sigma = (new_accumulator ** -power - accumulator ** -power) / lr
        linear = linear + g_shrunk - sigma * w
        quadratic = new_accumulator ** -power / lr + 2 * l2
        w = np.where(np.abs(linear) > l1, (np.sign(linear) * l1 - linear) / quadratic, 0.0)
        s["acc"], s["lin"] = new_accumulator, linear
        return w
    return step


CASES = [
    ("SGD", {}, ref_sgd()),
    ("SGD", {"momentum": 0.9}, ref_sgd(momentum=0.9)),
    ("SGD", {"momentum": 0.5, "nesterov": True, "decay": 0.1}, ref_sgd(momentum=0.5, nesterov=True, decay=0.1)),
    ("SGD", {"learning_rate": 0.1, "clipnorm": 0.5}, ref_sgd(lr=0.1, clipnorm=0.5)),
    ("SGD", {"lr": 0.1, "clipvalue": 0.3}, ref_sgd(lr=0.1, clipvalue=0.3)),
    ("Adam", {}, ref_adam()),
    ("Adam", {"amsgrad": True, "learning_rate": 0.01}, ref_adam(lr=0.01, amsgrad=True)),
    ("RMSprop", {}, ref_rmsprop()),
    ("RMSprop", {"momentum": 0.5, "centered": True}, ref_rmsprop(momentum=0.5, centered=True)),
    ("RMSprop", {"centered": True}, ref_rmsprop(centered=True)),
    ("RMSprop", {"momentum": 0.3}, ref_rmsprop(momentum=0.3)),
    ("Adagrad", {"learning_rate": 0.1}, ref_adagrad(lr=0.1)),
    ("Adadelta", {"learning_rate": 1.0}, ref_adadelta(lr=1.0)),
    ("Adamax", {"learning_rate": 0.01}, ref_adamax(lr=0.01)),
    ("Nadam", {"learning_rate": 0.01}, ref_nadam(lr=0.01)),
    ("Ftrl", {"learning_rate": 0.05}, ref_ftrl(lr=0.05)),
    ("Ftrl", {"learning_rate": 0.05, "l1_regularization_strength": 0.01, "l2_regularization_strength": 0.02},
     ref_ftrl(lr=0.05, l1=0.01, l2=0.02)),
    ("Ftrl", {"learning_rate": 0.05, "l2_shrinkage_regularization_strength": 0.1}, ref_ftrl(lr=0.05, shrinkage=0.1)),
]


@pytest.mark.parametrize("name, kwargs, reference", CASES, ids=["%s%s" % (c[0], sorted(c[1])) for c in CASES])
def test_updates_match_numpy_reference(name, kwargs, reference):
    with tf.Graph().as_default():
        w = tf.Variable(W0, name="w")
        loss = tf.reduce_sum(C * w + w * w * w / 3.0)
        opt = getattr(optimizers, name)(**kwargs)
        updates = opt.get_updates(loss, [w])
        sess = K.get_session()
        expected, state = W0.astype(np.float64), {}
        for t in range(1, STEPS + 1):
            sess.run(updates)
            expected = reference(expected, _grad(expected), state, t)
            np.testing.assert_allclose(sess.run(w), expected, rtol=2e-5, atol=2e-6, err_msg="step %d" % t)
        assert sess.run(opt.iterations) == STEPS


def test_slot_and_weight_names_follow_keras():
    with tf.Graph().as_default():
        with tf.name_scope("dense"):
            kernel = tf.Variable(np.ones((3, 2), np.float32), name="kernel")
            bias = tf.Variable(np.zeros(2, np.float32), name="bias")
        loss = tf.reduce_sum(tf.matmul(tf.ones([1, 3]), kernel) + bias)
        adam = optimizers.Adam(amsgrad=True)
        adam.get_updates(loss, [kernel, bias])
        assert [v.name for v in adam.weights] == [
            "Adam/iter:0", "Adam/dense/kernel/m:0", "Adam/dense/bias/m:0", "Adam/dense/kernel/v:0",
            "Adam/dense/bias/v:0", "Adam/dense/kernel/vhat:0", "Adam/dense/bias/vhat:0"]
        assert adam.lr.name == "Adam/learning_rate:0" and adam.iterations.dtype == tf.int64
        ftrl = optimizers.Ftrl()
        ftrl.get_updates(loss, [kernel, bias])
        assert [v.name for v in ftrl.weights][1:3] == ["Ftrl/dense/kernel/accumulator:0", "Ftrl/dense/kernel/linear:0"]
        nadam = optimizers.Nadam()
        nadam.get_updates(loss, [kernel])
        assert [v.name for v in nadam.weights][:2] == ["Nadam/iter:0", "Nadam/momentum_cache:0"]
        trainable = tf.trainable_variables()
        assert all(v in (kernel, bias) for v in trainable)
        assert adam.get_slot(kernel, "m").name == "Adam/dense/kernel/m:0"
        assert adam.get_slot_names() == ["m", "v", "vhat"]


def test_learning_rate_variable_can_be_changed():
    with tf.Graph().as_default():
        w = tf.Variable([1.0, 2.0])
        opt = optimizers.SGD(lr=0.1)
        update = opt.get_updates(tf.reduce_sum(w * w), [w])
        sess = K.get_session()
        sess.run(update)
        np.testing.assert_allclose(sess.run(w), [0.8, 1.6], rtol=1e-6)
        K.set_value(opt.lr, 0.5)
        assert np.isclose(K.get_value(opt.learning_rate), 0.5)
        sess.run(update)
        np.testing.assert_allclose(sess.run(w), [0.0, 0.0], atol=1e-6)
        opt.learning_rate = 0.25
        assert np.isclose(K.get_value(opt.lr), 0.25)
        assert opt.get_config()["learning_rate"] == np.float32(0.25)


def test_minimize_apply_gradients_and_constraints():
    with tf.Graph().as_default():
        w = tf.Variable([3.0, -4.0], constraint=lambda v: tf.clip_by_value(v, -1.0, 1.0))
        u = tf.Variable([1.0])
        opt = optimizers.SGD(learning_rate=0.1)
        train = opt.minimize(lambda: tf.reduce_sum(w * w), var_list=[w, u])
        sess = K.get_session()
        sess.run(train)
        np.testing.assert_allclose(sess.run(w), [1.0, -1.0])
        np.testing.assert_allclose(sess.run(u), [1.0])
        assert sess.run(opt.iterations) == 1
        with pytest.raises(ValueError, match="No gradients provided for any variable"):
            opt.apply_gradients([(None, u)])
        with pytest.raises(ValueError, match="has `None` for gradient"):
            opt.get_gradients(tf.reduce_sum(w), [u])


def test_get_set_weights():
    with tf.Graph().as_default():
        w = tf.Variable(W0)
        loss = tf.reduce_sum(C * w + w * w * w / 3.0)
        opt = optimizers.Adam()
        updates = opt.get_updates(loss, [w])
        K.get_session().run(updates)
        weights = opt.get_weights()
        assert weights[0] == 1 and [x.shape for x in weights[1:]] == [(2, 3), (2, 3)]
        opt.set_weights([np.int64(7), np.ones((2, 3)), np.ones((2, 3)) * 2])
        np.testing.assert_array_equal(opt.get_weights()[2], np.full((2, 3), 2.0))
        assert opt.get_weights()[0] == 7
        with pytest.raises(ValueError, match="expecting 3 weights"):
            opt.set_weights([np.int64(1)])
        with pytest.raises(ValueError, match="Optimizer weight shape \\(2, 3\\) not compatible"):
            opt.set_weights([np.int64(1), np.ones((3, 2)), np.ones((2, 3))])


def test_config_round_trip_and_get():
    opt = optimizers.Adam(learning_rate=0.01, beta_1=0.8, amsgrad=True, clipnorm=1.0)
    config = optimizers.serialize(opt)
    assert config["class_name"] == "Adam"
    assert config["config"] == {"name": "Adam", "learning_rate": 0.01, "decay": 0.0, "beta_1": 0.8,
                                "beta_2": 0.999, "epsilon": 1e-7, "amsgrad": True, "clipnorm": 1.0}
    restored = optimizers.deserialize(config)
    assert isinstance(restored, optimizers.Adam) and restored.get_config() == opt.get_config()
    assert isinstance(optimizers.get("sgd"), optimizers.SGD)
    assert isinstance(optimizers.get("RMSprop"), optimizers.RMSprop)
    assert isinstance(optimizers.get({"class_name": "nadam", "config": {}}), optimizers.Nadam)
    assert optimizers.Nadam().get_config()["decay"] == 0.004
    assert optimizers.SGD.from_config({"lr": 0.3}).get_config()["learning_rate"] == 0.3
    assert optimizers.get(opt) is opt
    assert optimizers.Optimizer is optimizers.OptimizerV2


def test_tf_train_optimizer_is_wrapped():
    with tf.Graph().as_default():
        w = tf.Variable([1.0, -1.0])
        wrapped = optimizers.get(tf.train.GradientDescentOptimizer(0.25))
        assert isinstance(wrapped, optimizers.TFOptimizer)
        updates = wrapped.get_updates(tf.reduce_sum(w * w), [w])
        sess = K.get_session()
        sess.run(updates)
        np.testing.assert_allclose(sess.run(w), [0.5, -0.5])
        assert sess.run(wrapped.iterations) == 1
        with pytest.raises(NotImplementedError, match="cannot be serialized"):
            wrapped.get_config()


def test_optimizer_errors():
    with pytest.raises(ValueError, match="Unknown optimizer: foo"):
        optimizers.get("foo")
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier: 3"):
        optimizers.get(3)
    with pytest.raises(TypeError, match="Unexpected keyword argument passed to optimizer: foo"):
        optimizers.SGD(foo=1)
    with pytest.raises(ValueError, match="Expected clipnorm >= 0, received: -1"):
        optimizers.SGD(clipnorm=-1)
    with pytest.raises(ValueError, match="`momentum` must be between \\[0, 1\\]"):
        optimizers.SGD(momentum=1.5)
    with pytest.raises(ValueError, match="initial_accumulator_value must be non-negative"):
        optimizers.Adagrad(initial_accumulator_value=-1.0)
    with pytest.raises(ValueError, match="learning_rate_power 0.500000 needs to be negative or zero"):
        optimizers.Ftrl(learning_rate_power=0.5)
    with pytest.raises(AttributeError, match="has no attribute 'beta_1'"):
        optimizers.SGD().beta_1


@pytest.mark.parametrize("schedule, reference", [
    (lambda: optimizers.schedules.ExponentialDecay(0.5, decay_steps=2, decay_rate=0.5),
     lambda step: 0.5 * 0.5 ** (step / 2)),
    (lambda: optimizers.schedules.ExponentialDecay(0.5, decay_steps=2, decay_rate=0.5, staircase=True),
     lambda step: 0.5 * 0.5 ** (step // 2)),
    (lambda: optimizers.schedules.InverseTimeDecay(0.4, decay_steps=1, decay_rate=0.5),
     lambda step: 0.4 / (1 + 0.5 * step)),
    (lambda: optimizers.schedules.PolynomialDecay(0.4, decay_steps=4, end_learning_rate=0.1, power=2.0),
     lambda step: (0.4 - 0.1) * (1 - min(step, 4) / 4) ** 2 + 0.1),
    (lambda: optimizers.schedules.PiecewiseConstantDecay([1, 3], [0.3, 0.2, 0.1]),
     lambda step: 0.3 if step <= 1 else (0.2 if step <= 3 else 0.1)),
])
def test_learning_rate_schedules_drive_the_step(schedule, reference):
    with tf.Graph().as_default():
        w = tf.Variable([2.0])
        opt = optimizers.SGD(learning_rate=schedule())
        update = opt.get_updates(tf.reduce_sum(w), [w])
        sess = K.get_session()
        expected = 2.0
        for step in range(6):
            sess.run(update)
            expected -= reference(step)
            np.testing.assert_allclose(sess.run(w), [expected], rtol=1e-5)
        config = optimizers.serialize(opt)
        restored = optimizers.deserialize(config)
        assert type(restored.lr) is type(opt.lr) and restored.lr.get_config() == opt.lr.get_config()


def test_schedule_errors():
    with pytest.raises(ValueError, match="length of boundaries should be 1 less"):
        optimizers.schedules.PiecewiseConstantDecay([1, 2], [0.1])
    with pytest.raises(ValueError, match="Nadam optimizer does not support"):
        optimizers.Nadam(learning_rate=optimizers.schedules.ExponentialDecay(0.1, 1, 0.9))


@pytest.mark.skipif(not __import__("os").environ.get("NUMFLOW_TF_PYTHON"),
                    reason="set NUMFLOW_TF_PYTHON to a Python with real TensorFlow and tf_keras")
@pytest.mark.parametrize("family", ["optimizer_steps", "losses"])
def test_parity_with_real_keras(family, tmp_path):
    import tf_parity
    import tf_parity_keras_optimizers
    ours, theirs = tf_parity.run_both(tf_parity_keras_optimizers, family, tmp_path)
    tf_parity.assert_same(ours, theirs, lambda dtype: (2e-5, 2e-6))
