"""FtrlOptimizer, ProximalGradientDescentOptimizer, ProximalAdagradOptimizer and AdagradDAOptimizer and their
fused update ops (ops/training_extra.py): five steps against TF1's update rules written out per weight in
plain Python, slot names, and every error path."""
import math

import numpy as np
import pytest

import numflow as tf
from numflow.ops import training_extra

W0 = np.array([[0.5, -1.0, 0.02], [2.0, -0.3, 0.0]])
X = np.array([[1.0, 2.0], [-0.5, 0.3], [0.1, -1.0]])


def _gradient(w):
    """d/dw of sum((w @ X - 1)^2)."""
    return 2 * (w @ X - 1.0) @ X.T


def _sign(value):
    return float(value > 0) - float(value < 0)


def _shrunk(value, threshold, scale):
    return _sign(value) * max(abs(value) - threshold, 0.0) / scale


def _ftrl_reference(lr, power, init, l1, l2, shrinkage, steps):
    w, accum, linear = W0.copy(), np.full_like(W0, init), np.zeros_like(W0)
    for _ in range(steps):
        g = _gradient(w)
        for i in np.ndindex(w.shape):
            new_accum = accum[i] + g[i] ** 2
            linear[i] += g[i] + 2 * shrinkage * w[i] - (new_accum ** -power - accum[i] ** -power) / lr * w[i]
            quadratic = new_accum ** -power / lr + 2 * l2
            w[i] = (_sign(linear[i]) * l1 - linear[i]) / quadratic if abs(linear[i]) > l1 else 0.0
            accum[i] = new_accum
    return w, {"accum": accum, "linear": linear}


def _proximal_gd_reference(lr, l1, l2, steps):
    w = W0.copy()
    for _ in range(steps):
        g = _gradient(w)
        for i in np.ndindex(w.shape):
            w[i] = _shrunk(w[i] - lr * g[i], lr * l1, 1 + lr * l2)
    return w, {}


def _proximal_adagrad_reference(lr, init, l1, l2, steps):
    w, accum = W0.copy(), np.full_like(W0, init)
    for _ in range(steps):
        g = _gradient(w)
        for i in np.ndindex(w.shape):
            accum[i] += g[i] ** 2
            rate = lr / math.sqrt(accum[i])
            w[i] = _shrunk(w[i] - rate * g[i], rate * l1, 1 + rate * l2)
    return w, {"accumulator": accum}


def _adagrad_da_reference(lr, init, l1, l2, steps):
    w, sums, squares = W0.copy(), np.zeros_like(W0), np.full_like(W0, init)
    for step in range(1, steps + 1):
        g = _gradient(w)
        for i in np.ndindex(w.shape):
            sums[i] += g[i]
            squares[i] += g[i] ** 2
            w[i] = -lr * _shrunk(sums[i], l1 * step, l2 * step * lr + math.sqrt(squares[i]))
    return w, {"gradient_accumulator": sums, "gradient_squared_accumulator": squares}


CASES = {
    "ftrl": (lambda step: tf.train.FtrlOptimizer(0.3, l1_regularization_strength=0.05,
                                                 l2_regularization_strength=0.1),
             lambda: _ftrl_reference(0.3, -0.5, 0.1, 0.05, 0.1, 0.0, 5), "ApplyFtrl"),
    "ftrl_power": (lambda step: tf.train.FtrlOptimizer(0.3, learning_rate_power=-0.3, initial_accumulator_value=0.2,
                                                       l1_regularization_strength=0.01),
                   lambda: _ftrl_reference(0.3, -0.3, 0.2, 0.01, 0.0, 0.0, 5), "ApplyFtrl"),
    "ftrl_shrinkage": (lambda step: tf.train.FtrlOptimizer(0.3, l1_regularization_strength=0.01,
                                                           l2_regularization_strength=0.05,
                                                           l2_shrinkage_regularization_strength=0.2),
                       lambda: _ftrl_reference(0.3, -0.5, 0.1, 0.01, 0.05, 0.2, 5), "ApplyFtrlV2"),
    "proximal_gd": (lambda step: tf.train.ProximalGradientDescentOptimizer(0.2, 0.05, 0.3),
                    lambda: _proximal_gd_reference(0.2, 0.05, 0.3, 5), "ApplyProximalGradientDescent"),
    "proximal_gd_plain": (lambda step: tf.train.ProximalGradientDescentOptimizer(0.05),
                          lambda: _proximal_gd_reference(0.05, 0.0, 0.0, 5), "ApplyProximalGradientDescent"),
    "proximal_adagrad": (lambda step: tf.train.ProximalAdagradOptimizer(0.2, 0.1, 0.05, 0.3),
                         lambda: _proximal_adagrad_reference(0.2, 0.1, 0.05, 0.3, 5), "ApplyProximalAdagrad"),
    "adagrad_da": (lambda step: tf.train.AdagradDAOptimizer(0.2, step, 0.1, 0.02, 0.3),
                   lambda: _adagrad_da_reference(0.2, 0.1, 0.02, 0.3, 5), "ApplyAdagradDA"),
    "adagrad_da_plain": (lambda step: tf.train.AdagradDAOptimizer(0.2, step),
                         lambda: _adagrad_da_reference(0.2, 0.1, 0.0, 0.0, 5), "ApplyAdagradDA"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_five_steps_match_the_tf1_update_rules(case):
    make, reference, op_type = CASES[case]
    step = tf.train.get_or_create_global_step()
    w = tf.Variable(W0, name="w")
    loss = tf.reduce_sum(tf.square(tf.matmul(w, tf.constant(X)) - 1.0))
    optimizer = make(step)
    train = optimizer.minimize(loss, global_step=step)
    expected_w, expected_slots = reference()
    assert optimizer.get_slot_names() == sorted(expected_slots)
    update = tf.get_default_graph().get_operation_by_name("%s/update_w/%s" % (optimizer.get_name(), op_type))
    assert update.type == op_type
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(5):
            sess.run(train)
        np.testing.assert_allclose(sess.run(w), expected_w, rtol=1e-10, atol=1e-12)
        for name, value in expected_slots.items():
            np.testing.assert_allclose(sess.run(optimizer.get_slot(w, name)), value, rtol=1e-10, atol=1e-12)
        assert sess.run(step) == 5


def test_l1_drives_small_weights_to_exact_zero():
    w = tf.Variable(np.array([0.01, -0.02, 3.0], np.float32))
    train = tf.train.FtrlOptimizer(0.1, l1_regularization_strength=1.0).minimize(tf.reduce_sum(w * 0.001))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        assert sess.run(w).tolist() == [0.0, 0.0, 0.0]


def test_ftrl_slot_variables_are_named_like_tf():
    w = tf.Variable(np.zeros(2, np.float32), name="w")
    optimizer = tf.train.FtrlOptimizer(0.1, accum_name="A", linear_name="L")
    optimizer.minimize(tf.reduce_sum(w))
    assert [v.name for v in optimizer.variables()] == ["w/A:0", "w/L:0"]
    assert optimizer.get_slot(w, "accum").name == "w/A:0"


def test_estimator_module_still_exports_ftrl():
    from numflow.estimator.canned import optimizers
    assert optimizers.FtrlOptimizer is tf.train.FtrlOptimizer
    assert isinstance(optimizers.get_optimizer_instance("Ftrl", 0.1), tf.train.FtrlOptimizer)


def test_ops_update_in_place_and_return_the_new_value():
    var = tf.Variable(np.array([1.0, -2.0], np.float32))
    accum = tf.Variable(np.array([1.0, 1.0], np.float32))
    new = training_extra.apply_proximal_adagrad(var, accum, 0.5, 0.0, 0.0, np.array([3.0, 0.0], np.float32))
    assert new.dtype == tf.float32 and new.shape.as_list() == [2]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_allclose(sess.run(new), [1.0 - 0.5 * 3 / math.sqrt(10), -2.0], rtol=1e-6)
        np.testing.assert_allclose(sess.run(accum), [10.0, 1.0])


@pytest.mark.parametrize("make,message", [
    (lambda: tf.train.FtrlOptimizer(0.1, initial_accumulator_value=-1.0),
     "initial_accumulator_value -1.000000 needs to be positive or zero"),
    (lambda: tf.train.FtrlOptimizer(0.1, learning_rate_power=0.5),
     "learning_rate_power 0.500000 needs to be negative or zero"),
    (lambda: tf.train.FtrlOptimizer(0.1, l1_regularization_strength=-0.1),
     "l1_regularization_strength -0.100000 needs to be positive or zero"),
    (lambda: tf.train.FtrlOptimizer(0.1, l2_regularization_strength=-0.1),
     "l2_regularization_strength -0.100000 needs to be positive or zero"),
    (lambda: tf.train.FtrlOptimizer(0.1, l2_shrinkage_regularization_strength=-0.1),
     "l2_shrinkage_regularization_strength -0.100000 needs to be positive or zero"),
    (lambda: tf.train.ProximalAdagradOptimizer(0.1, initial_accumulator_value=0.0),
     "initial_accumulator_value must be positive: 0.0"),
    (lambda: tf.train.AdagradDAOptimizer(0.1, None, initial_gradient_squared_accumulator_value=0.0),
     "initial_gradient_squared_accumulator_value must be positive: 0.0"),
])
def test_invalid_hyperparameters_raise_value_error(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_adagrad_da_global_step_must_be_int64_scalar_in_the_op():
    var = tf.Variable(np.zeros(2, np.float32))
    acc, squares = tf.Variable(np.zeros(2, np.float32)), tf.Variable(np.ones(2, np.float32))
    grad = np.ones(2, np.float32)
    with pytest.raises(TypeError, match="Input 'global_step' of 'ApplyAdagradDA' Op has type int32"):
        training_extra._apply(
            "ApplyAdagradDA", [var, acc, squares], [grad, 0.1, 0.0, 0.0, tf.constant(1)], None)
    with pytest.raises(ValueError, match="Shape must be rank 0 but is rank 1 for input 'global_step'"):
        training_extra.apply_adagrad_da(var, acc, squares, grad, 0.1, 0.0, 0.0, np.array([1], np.int64))
    with pytest.raises(ValueError, match="ApplyAdagradDA takes 8 inputs"):
        training_extra._apply("ApplyAdagradDA", [var, acc, squares], [grad, 0.1, 0.0], None)


def test_mismatched_shapes_and_dtypes_are_rejected():
    var = tf.Variable(np.zeros(2, np.float32))
    with pytest.raises(ValueError, match="Shape must be rank 0 but is rank 1 for input 'l1'"):
        training_extra.apply_proximal_gradient_descent(var, 0.1, np.zeros(2, np.float32), 0.0, np.ones(2))
    with pytest.raises(ValueError, match="Shapes of 'var' and 'delta' must be equal"):
        training_extra.apply_proximal_gradient_descent(var, 0.1, 0.0, 0.0, np.ones(3, np.float32))
    with pytest.raises(TypeError):
        training_extra.apply_ftrl(var, tf.Variable(np.zeros(2)), tf.Variable(np.zeros(2, np.float32)),
                                  np.ones(2, np.float32), 0.1, 0.0, 0.0, -0.5)


def test_uninitialized_slot_is_failed_precondition():
    var = tf.Variable(np.zeros(2, np.float32), name="v")
    accum = tf.Variable(np.ones(2, np.float32), name="acc")
    update = training_extra.apply_proximal_adagrad(var, accum, 0.1, 0.0, 0.0, np.ones(2, np.float32))
    with tf.Session() as sess:
        sess.run(var.initializer)
        with pytest.raises(tf.errors.FailedPreconditionError, match="acc"):
            sess.run(update)
