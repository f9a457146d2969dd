"""tf.train.experimental loss scaling (train/loss_scale.py): fixed and dynamic scales, the wrapping
optimizer's scaled gradients and skipped steps."""
import numpy as np
import pytest

import numflow as tf

LSE = tf.train.experimental


def test_fixed_loss_scale():
    scale = LSE.FixedLossScale(128)
    update, should_apply = scale.update([tf.constant(1.0)])
    assert should_apply is True and scale.get_config() == {"loss_scale_value": 128.0}
    assert tf.Session().run(scale()) == 128.0
    assert LSE.FixedLossScale.from_config(scale.get_config()).get_config() == scale.get_config()
    with pytest.raises(ValueError, match="loss_scale_value must be at least 1"):
        LSE.FixedLossScale(0.5)


def test_dynamic_loss_scale_grows_and_shrinks():
    scale = LSE.DynamicLossScale(initial_loss_scale=8, increment_period=2, multiplier=2.0)
    grad = tf.placeholder(tf.float32, [2])
    update, finite = scale.update([grad])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        history = []
        for value in ([1, 2], [1, 2], [1, 2], [np.inf, 0], [np.nan, 0], [1, 1]):
            _, ok = sess.run([update, finite], {grad: value})
            history.append((bool(ok), float(sess.run(scale()))))
    # Two finite steps double the scale; a non-finite one halves it and resets the count.
    assert history == [(True, 8.0), (True, 16.0), (True, 16.0), (False, 8.0), (False, 4.0), (True, 4.0)]
    with pytest.raises(ValueError, match="increment_period must be >= 1 and multiplier > 1"):
        LSE.DynamicLossScale(multiplier=1.0)


def test_dynamic_loss_scale_never_drops_below_one():
    scale = LSE.DynamicLossScale(initial_loss_scale=2, increment_period=5)
    update, _ = scale.update([tf.constant([np.inf])])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            sess.run(update)
        assert sess.run(scale()) == 1.0


def test_mixed_precision_optimizer_unscales_and_skips_non_finite_steps():
    w = tf.Variable([1.0, 2.0])
    factor = tf.placeholder(tf.float32, [])
    loss = tf.reduce_sum(w * w) * factor
    opt = LSE.MixedPrecisionLossScaleOptimizer(tf.train.GradientDescentOptimizer(0.1),
                                               LSE.DynamicLossScale(initial_loss_scale=4, increment_period=10))
    grads_and_vars = opt.compute_gradients(loss, [w])
    step = tf.train.get_or_create_global_step()
    train = opt.apply_gradients(grads_and_vars, global_step=step)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_allclose(sess.run(grads_and_vars[0][0], {factor: 1.0}), [2.0, 4.0])  # unscaled
        sess.run(train, {factor: 1.0})
        np.testing.assert_allclose(sess.run(w), [0.8, 1.6])
        sess.run(train, {factor: np.inf})                  # non-finite: skipped, scale halved
        np.testing.assert_allclose(sess.run(w), [0.8, 1.6])
        assert sess.run(step) == 1 and sess.run(opt.loss_scale()) == 2.0


def test_enable_mixed_precision_graph_rewrite_wraps_the_optimizer():
    sgd = tf.train.GradientDescentOptimizer(0.5)
    wrapped = LSE.enable_mixed_precision_graph_rewrite(sgd, loss_scale=16)
    assert isinstance(wrapped, LSE.MixedPrecisionLossScaleOptimizer)
    assert isinstance(wrapped.loss_scale, LSE.FixedLossScale)
    w = tf.Variable(3.0)
    train = wrapped.minimize(w * w)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        assert sess.run(w) == pytest.approx(0.0)
    LSE.disable_mixed_precision_graph_rewrite()
    with pytest.raises(ValueError, match="must not already be an instance"):
        LSE.enable_mixed_precision_graph_rewrite(wrapped)
    with pytest.raises(ValueError, match="Invalid value passed to loss_scale"):
        LSE.MixedPrecisionLossScaleOptimizer(sgd, "static")
    with pytest.raises(ValueError, match="must be an instance of Optimizer"):
        LSE.MixedPrecisionLossScaleOptimizer("sgd", 2)
