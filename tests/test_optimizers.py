"""tf.train optimizers: convergence, exact agreement with TF1's update formulas, and the Optimizer API."""
import numpy as np
import pytest

import numflow as tf


# --- a least-squares problem built from matmul only ------------------------------------------------
def _problem(dtype=np.float32, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.randn(64, 3).astype(dtype)
    w_true = np.array([[1.0], [-2.0], [0.5]], dtype)
    y = (x @ w_true + 0.3).astype(dtype)
    return x, y


def _model(dtype=np.float32):
    x, y = _problem(dtype)
    W = tf.Variable(np.zeros((3, 1), dtype), name="W")
    b = tf.Variable(np.zeros((1,), dtype), name="b")
    residual = tf.matmul(tf.constant(x), W) + b - tf.constant(y)
    loss = tf.matmul(residual, residual, transpose_a=True) * (1.0 / 64)   # mean squared error, [1, 1]
    return W, b, loss


CONVERGENCE = [
    (lambda: tf.train.GradientDescentOptimizer(0.1), 200),
    (lambda: tf.train.MomentumOptimizer(0.05, 0.9), 200),
    (lambda: tf.train.MomentumOptimizer(0.05, 0.9, use_nesterov=True), 200),
    (lambda: tf.train.AdagradOptimizer(0.5), 200),
    (lambda: tf.train.AdamOptimizer(0.1), 300),
    (lambda: tf.train.RMSPropOptimizer(0.01), 400),
    (lambda: tf.train.RMSPropOptimizer(0.01, momentum=0.5, centered=True), 400),
    (lambda: tf.train.AdadeltaOptimizer(0.5, rho=0.9, epsilon=0.1), 400),
]


@pytest.mark.parametrize("make,steps", CONVERGENCE)
def test_optimizer_converges_on_least_squares(make, steps):
    W, b, loss = _model()
    train = make().minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        initial = sess.run(loss)[0, 0]
        for _ in range(steps):
            sess.run(train)
        final = sess.run(loss)[0, 0]
        w = sess.run(W)
    assert initial > 1.0
    assert final < 1e-3, final
    np.testing.assert_allclose(w[:, 0], [1.0, -2.0, 0.5], atol=0.05)


# --- exact agreement with hand-written NumPy versions of TF1's formulas ------------------------------
def _sgd(lr):
    def step(w, s, g, t):
        return w - lr * g
    return step, {}


def _momentum(lr, mu, nesterov=False):
    def step(w, s, g, t):
        s["momentum"] = mu * s["momentum"] + g
        return w - (lr * g + lr * mu * s["momentum"] if nesterov else lr * s["momentum"])
    return step, {"momentum": 0.0}


def _adagrad(lr, init):
    def step(w, s, g, t):
        s["accumulator"] = s["accumulator"] + g * g
        return w - lr * g / np.sqrt(s["accumulator"])
    return step, {"accumulator": init}


def _adam(lr, b1, b2, eps):
    def step(w, s, g, t):
        lr_t = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        s["m"] = b1 * s["m"] + (1 - b1) * g
        s["v"] = b2 * s["v"] + (1 - b2) * g * g
        return w - lr_t * s["m"] / (np.sqrt(s["v"]) + eps)
    return step, {"m": 0.0, "v": 0.0}


def _rmsprop(lr, rho, mu, eps, centered=False):
    def step(w, s, g, t):
        s["rms"] = rho * s["rms"] + (1 - rho) * g * g
        denominator = s["rms"] + eps
        if centered:
            s["mg"] = rho * s["mg"] + (1 - rho) * g
            denominator = s["rms"] - s["mg"] ** 2 + eps
        s["momentum"] = mu * s["momentum"] + lr * g / np.sqrt(denominator)
        return w - s["momentum"]
    slots = {"rms": 1.0, "momentum": 0.0}
    if centered:
        slots["mg"] = 0.0
    return step, slots


def _adadelta(lr, rho, eps):
    def step(w, s, g, t):
        s["accum"] = rho * s["accum"] + (1 - rho) * g * g
        update = np.sqrt(s["accum_update"] + eps) / np.sqrt(s["accum"] + eps) * g
        s["accum_update"] = rho * s["accum_update"] + (1 - rho) * update * update
        return w - lr * update
    return step, {"accum": 0.0, "accum_update": 0.0}


REFERENCE = [
    (lambda: tf.train.GradientDescentOptimizer(0.3), _sgd(0.3)),
    (lambda: tf.train.MomentumOptimizer(0.1, 0.9), _momentum(0.1, 0.9)),
    (lambda: tf.train.MomentumOptimizer(0.1, 0.9, use_nesterov=True), _momentum(0.1, 0.9, nesterov=True)),
    (lambda: tf.train.AdagradOptimizer(0.2, initial_accumulator_value=0.3), _adagrad(0.2, 0.3)),
    (lambda: tf.train.AdamOptimizer(0.01, 0.8, 0.99, 1e-3), _adam(0.01, 0.8, 0.99, 1e-3)),
    (lambda: tf.train.AdamOptimizer(), _adam(0.001, 0.9, 0.999, 1e-8)),
    (lambda: tf.train.RMSPropOptimizer(0.01, decay=0.8, momentum=0.5, epsilon=1e-3), _rmsprop(0.01, 0.8, 0.5, 1e-3)),
    (lambda: tf.train.RMSPropOptimizer(0.01, centered=True, momentum=0.3), _rmsprop(0.01, 0.9, 0.3, 1e-10, True)),
    (lambda: tf.train.AdadeltaOptimizer(0.5, rho=0.9, epsilon=1e-3), _adadelta(0.5, 0.9, 1e-3)),
]


@pytest.mark.parametrize("make,reference", REFERENCE)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_updates_match_tf1_formulas(make, reference, dtype):
    rng = np.random.RandomState(1)
    w0 = rng.randn(4, 3).astype(dtype)
    s0 = np.asarray(rng.randn(), dtype)
    W = tf.Variable(w0, name="W")
    s = tf.Variable(s0, name="s")            # a scalar variable too
    gW = tf.placeholder(dtype, [4, 3])
    gs = tf.placeholder(dtype, [])
    opt = make()
    train = opt.apply_gradients([(gW, W), (gs, s)])
    step, slots = reference
    state = {var: {k: np.full(np.shape(v0), v, np.float64) for k, v in slots.items()}
             for var, v0 in (("W", w0), ("s", s0))}
    expected = {"W": w0.astype(np.float64), "s": s0.astype(np.float64)}
    rtol = 1e-6 if dtype == np.float64 else 2e-5
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for t in range(1, 4):
            gradient_W = rng.randn(4, 3).astype(dtype)
            gradient_s = np.asarray(rng.randn(), dtype)
            sess.run(train, {gW: gradient_W, gs: gradient_s})
            expected["W"] = step(expected["W"], state["W"], gradient_W.astype(np.float64), t)
            expected["s"] = step(expected["s"], state["s"], np.float64(gradient_s), t)
            values = sess.run({"W": W, "s": s})
            assert values["W"].dtype == dtype and values["s"].dtype == dtype
            np.testing.assert_allclose(values["W"], expected["W"], rtol=rtol, atol=rtol)
            np.testing.assert_allclose(values["s"], expected["s"], rtol=rtol, atol=rtol)
            for name in slots:
                slot = opt.get_slot(W, name)
                np.testing.assert_allclose(sess.run(slot), state["W"][name], rtol=rtol, atol=rtol)


def test_adam_beta_powers_update_after_the_step():
    W, b, loss = _model()
    opt = tf.train.AdamOptimizer(0.1, beta1=0.5, beta2=0.25)
    train = opt.minimize(loss)
    beta1_power, beta2_power = opt._get_beta_accumulators()
    assert beta1_power.name == "beta1_power:0" and beta2_power.name == "beta2_power:0"
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        before = sess.run([train, beta1_power, beta2_power])
        assert before[1:] == [np.float32(0.5), np.float32(0.25)]
        sess.run(train)
        assert sess.run([beta1_power, beta2_power]) == [np.float32(0.125), np.float32(0.25 ** 3)]


# --- the Optimizer API ------------------------------------------------------------------------------
def test_slots_are_named_like_tf_and_not_trainable():
    W, b, loss = _model()
    opt = tf.train.AdamOptimizer()
    train = opt.minimize(loss)
    assert train.name == "Adam"
    assert opt.get_slot_names() == ["m", "v"]
    assert opt.get_slot(W, "m").name == "W/Adam:0"
    assert opt.get_slot(W, "v").name == "W/Adam_1:0"
    assert opt.get_slot(b, "v").name == "b/Adam_1:0"
    assert opt.get_slot(W, "nope") is None
    assert [v.name for v in opt.variables()] == ["W/Adam:0", "W/Adam_1:0", "b/Adam:0", "b/Adam_1:0",
                                                 "beta1_power:0", "beta2_power:0"]
    assert [v.name for v in tf.trainable_variables()] == ["W:0", "b:0"]
    global_names = {v.name for v in tf.global_variables()}
    assert {v.name for v in opt.variables()} <= global_names
    assert opt.get_slot(W, "m").shape == W.shape
    assert train in tf.get_collection(tf.GraphKeys.TRAIN_OP)
    assert tf.get_default_graph().get_operation_by_name("Adam/update_W/ApplyAdam").type == "ApplyAdam"


def test_other_optimizers_slot_names():
    W, b, loss = _model()
    momentum = tf.train.MomentumOptimizer(0.1, 0.9)
    momentum.minimize(loss, var_list=[W])
    assert momentum.get_slot(W, "momentum").name == "W/Momentum:0"
    rms = tf.train.RMSPropOptimizer(0.1, centered=True)
    rms.minimize(loss, var_list=[W])
    assert rms.get_slot_names() == ["mg", "momentum", "rms"]
    assert [rms.get_slot(W, n).name for n in ("rms", "mg", "momentum")] == \
        ["W/RMSProp:0", "W/RMSProp_1:0", "W/RMSProp_2:0"]
    adagrad = tf.train.AdagradOptimizer(0.1, initial_accumulator_value=0.25)
    adagrad.minimize(loss, var_list=[W])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(adagrad.get_slot(W, "accumulator")), np.full((3, 1), 0.25))
        np.testing.assert_array_equal(sess.run(rms.get_slot(W, "rms")), np.ones((3, 1)))


def test_minimize_increments_global_step_after_updates():
    W, b, loss = _model()
    step = tf.train.get_or_create_global_step()
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
    assert train.type == "AssignAdd" and train.name == "GradientDescent"
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for expected in range(3):
            assert sess.run([train, step])[1] == expected
        assert tf.train.global_step(sess, step) == 3


def test_fetches_in_the_train_run_see_pre_update_values():
    W, b, loss = _model()
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    x, y = _problem()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        _, w_before, loss_before = sess.run([train, W, loss])
        np.testing.assert_array_equal(w_before, np.zeros((3, 1)))
        np.testing.assert_allclose(loss_before[0, 0], np.mean((y - 0) ** 2), rtol=1e-5)
        w_after = sess.run(W)
        expected = -0.1 * (2.0 / 64) * x.T @ (-y)
        np.testing.assert_allclose(w_after, expected, rtol=1e-5)
        # The fetched value is a copy: later steps do not change it.
        sess.run(train)
        np.testing.assert_array_equal(w_before, np.zeros((3, 1)))
        assert not np.array_equal(sess.run(W), w_after)


def test_learning_rate_as_placeholder_tensor():
    v = tf.Variable([1.0, 2.0], name="v", dtype=tf.float64)
    lr = tf.placeholder(tf.float32, [])            # cast to the variable's dtype
    train = tf.train.GradientDescentOptimizer(lr).apply_gradients([(tf.constant([1.0, -1.0], tf.float64), v)])
    with tf.Session() as sess:
        sess.run(v.initializer)
        sess.run(train, {lr: 0.5})
        np.testing.assert_array_equal(sess.run(v), [0.5, 2.5])
        sess.run(train, {lr: 0.25})
        np.testing.assert_array_equal(sess.run(v), [0.25, 2.75])
        with pytest.raises(tf.errors.InvalidArgumentError, match="You must feed a value for placeholder"):
            sess.run(train)


def test_var_list_restricts_updates():
    W, b, loss = _model()
    opt = tf.train.MomentumOptimizer(0.1, 0.9)
    train = opt.minimize(loss, var_list=[b])
    assert opt.get_slot(W, "momentum") is None
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(5):
            sess.run(train)
        np.testing.assert_array_equal(sess.run(W), np.zeros((3, 1)))
        assert sess.run(b)[0] != 0.0


def test_compute_gradients_keeps_none_and_apply_skips_it():
    W, b, loss = _model()
    unused = tf.Variable(1.0, name="unused")
    opt = tf.train.GradientDescentOptimizer(0.1)
    grads_and_vars = opt.compute_gradients(loss)
    assert [v for _, v in grads_and_vars] == [W, b, unused]
    assert grads_and_vars[2][0] is None and grads_and_vars[0][0] is not None
    train = opt.apply_gradients(grads_and_vars)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        assert sess.run(unused) == 1.0


def test_no_gradients_errors():
    W = tf.Variable([1.0], name="W")
    loss = tf.constant(3.0) * tf.constant(2.0)
    opt = tf.train.AdamOptimizer()
    with pytest.raises(ValueError, match=r"No gradients provided for any variable, check your graph for ops "
                                         r"that do not support gradients, between variables \[.*W:0.*\] "
                                         r"and loss .*"):
        opt.minimize(loss)
    with pytest.raises(ValueError, match=r"No gradients provided for any variable: \[.*W:0.*\]\."):
        opt.apply_gradients([(None, W)])
    with pytest.raises(ValueError, match="No variables provided."):
        opt.apply_gradients([])


def test_argument_errors():
    with pytest.raises(ValueError, match="initial_accumulator_value must be positive: 0.0"):
        tf.train.AdagradOptimizer(0.1, initial_accumulator_value=0.0)
    with pytest.raises(ValueError, match="Must specify the optimizer name"):
        tf.train.GradientDescentOptimizer(0.1, name="")
    loss = tf.constant(1.0)
    with pytest.raises(ValueError, match="No variables to optimize."):
        tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    v = tf.Variable(1.0)
    with pytest.raises(ValueError, match="gate_gradients must be one of"):
        tf.train.GradientDescentOptimizer(0.1).compute_gradients(loss * v, gate_gradients=7)
    with pytest.raises(ValueError, match="Invalid type tf.int32 for Const"):
        tf.train.GradientDescentOptimizer(0.1).minimize(tf.constant(1, name="Const"))
    with pytest.raises(NotImplementedError, match="Trying to update a Tensor"):
        tf.train.GradientDescentOptimizer(0.1).apply_gradients([(tf.constant(1.0), tf.constant(2.0))])


def test_gradient_shape_and_dtype_checked_when_building():
    v = tf.Variable(np.zeros(3, np.float32), name="v")
    opt = tf.train.GradientDescentOptimizer(0.1)
    with pytest.raises(ValueError, match=r"Shapes of 'var' and 'delta' must be equal, but are \[3\] and \[2\]"):
        opt.apply_gradients([(tf.constant([1.0, 2.0]), v)])
    with pytest.raises(TypeError, match="Input 'delta' of 'ApplyGradientDescent' Op has type float64 that does "
                                        "not match type float32 of argument 'var'"):
        opt.apply_gradients([(tf.constant([1.0, 2.0, 3.0], tf.float64), v)])


def test_slots_created_after_the_initializer_are_uninitialized():
    W, b, loss = _model()
    init = tf.global_variables_initializer()
    train = tf.train.MomentumOptimizer(0.1, 0.9).minimize(loss)
    with tf.Session() as sess:
        sess.run(init)
        with pytest.raises(tf.errors.FailedPreconditionError, match="Attempting to use uninitialized value "
                                                                    "(W|b)/Momentum"):
            sess.run(train)
        sess.run(tf.global_variables_initializer())
        sess.run(train)


def test_gate_graph_and_float64_training():
    W, b, loss = _model(np.float64)
    train = tf.train.AdamOptimizer(0.1).minimize(loss, gate_gradients=tf.train.Optimizer.GATE_GRAPH)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(300):
            sess.run(train)
        assert sess.run(W).dtype == np.float64
        assert sess.run(loss)[0, 0] < 1e-6


def test_two_sessions_keep_separate_optimizer_state():
    W, b, loss = _model()
    train = tf.train.MomentumOptimizer(0.05, 0.9).minimize(loss)
    init = tf.global_variables_initializer()
    with tf.Session() as first, tf.Session() as second:
        first.run(init)
        second.run(init)
        for _ in range(3):
            first.run(train)
        second.run(train)
        assert not np.array_equal(first.run(W), second.run(W))


def test_gate_op_makes_each_ops_gradients_wait_for_each_other():
    x = tf.constant(np.ones((2, 3), np.float32))
    w = tf.Variable(np.full((3, 1), 0.5, np.float32))
    loss = tf.reduce_sum(tf.matmul(x, w))
    gated = tf.gradients(loss, [x, w], gate_gradients=True)
    plain = tf.gradients(loss, [x, w])
    # Each gated gradient is released by a group of both MatMul input gradients, as TF's GATE_OP does.
    for grad in gated:
        assert grad.op.type == "Identity" and grad.op.control_inputs
    with tf.Session() as session:
        session.run(w.initializer)
        for a, b in zip(session.run(gated), session.run(plain)):
            np.testing.assert_array_equal(a, b)
