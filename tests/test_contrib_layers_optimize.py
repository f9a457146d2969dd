"""tf.contrib.layers.optimize_loss (optimizer forms, learning-rate variable and decay, clipping, gradient
multipliers and noise, update_ops, summaries, global step, errors) and the summarize_* helpers."""
import numpy as np
import pytest

import numflow as tf

layers = tf.contrib.layers
RNG = np.random.RandomState(3)
X = RNG.randn(16, 3)
Y = X @ np.array([[1.0], [-2.0], [0.5]]) + 0.3


def _regression():
    """A linear model on fixed data: returns (loss, weights, bias)."""
    weights = tf.get_variable("w", [3, 1], tf.float64, tf.zeros_initializer())
    bias = tf.get_variable("b", [1], tf.float64, tf.zeros_initializer())
    loss = tf.reduce_mean(tf.square(tf.constant(X) @ weights + bias - tf.constant(Y)))
    return loss, weights, bias


@pytest.mark.parametrize("optimizer", ["SGD", "Adam", "Adagrad", "Momentum", "RMSProp", "Ftrl",
                                       tf.train.GradientDescentOptimizer,
                                       lambda lr: tf.train.MomentumOptimizer(lr, momentum=0.5)])
def test_optimize_loss_trains_and_counts_steps(optimizer):
    with tf.Graph().as_default():
        loss, _, _ = _regression()
        step = tf.train.get_or_create_global_step()
        train = layers.optimize_loss(loss, step, 0.05, optimizer)
        assert train.dtype == tf.float64 and train.shape.ndims == 0
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            first = sess.run(loss)
            returned = [sess.run(train) for _ in range(30)]
            last = sess.run(loss)
            assert sess.run(step) == 30
            assert sess.run(tf.get_default_graph().get_tensor_by_name("OptimizeLoss/learning_rate:0")) == 0.05
    assert returned[0] == pytest.approx(first)       # the op yields the loss before its own update
    assert last < (0.5 if optimizer == "SGD" else 0.9) * first


def test_optimize_loss_instance_callable_without_lr_and_no_increment():
    with tf.Graph().as_default():
        loss, weights, _ = _regression()
        step = tf.train.get_or_create_global_step()
        by_instance = layers.optimize_loss(loss, step, None, tf.train.GradientDescentOptimizer(0.1),
                                           variables=[weights], increment_global_step=False, name="a")
        by_factory = layers.optimize_loss(loss, None, None, lambda: tf.train.GradientDescentOptimizer(0.1),
                                          name="b")
        assert not tf.global_variables("a/learning_rate")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(by_instance)
            assert sess.run(step) == 0
            sess.run(by_factory)
            assert sess.run(step) == 1


def _one_sgd_step(**kwargs):
    """The weight change of one SGD(lr=1) step with optimize_loss options."""
    with tf.Graph().as_default():
        loss, weights, bias = _regression()
        step = tf.train.get_or_create_global_step()
        grads = tf.gradients(loss, [weights, bias])
        train = layers.optimize_loss(loss, step, 1.0, "SGD", summaries=[], **kwargs)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            gradient_values = sess.run(grads)
            sess.run(train)
            return gradient_values, sess.run([weights, bias])


def test_optimize_loss_clips_by_global_norm():
    (gw, gb), (w, b) = _one_sgd_step(clip_gradients=0.1)
    norm = np.sqrt(np.sum(gw ** 2) + np.sum(gb ** 2))
    assert norm > 0.1
    np.testing.assert_allclose(w, -gw * 0.1 / norm, rtol=1e-10)
    np.testing.assert_allclose(b, -gb * 0.1 / norm, rtol=1e-10)


def test_optimize_loss_callable_clip_and_multipliers():
    (gw, gb), (w, b) = _one_sgd_step(clip_gradients=lambda gv: [(g * 0.5, v) for g, v in gv],
                                     gradient_multipliers={"b": 4.0})
    np.testing.assert_allclose(w, -0.5 * gw, rtol=1e-10)
    np.testing.assert_allclose(b, -2.0 * gb, rtol=1e-10)


def test_optimize_loss_gradient_noise_changes_the_step():
    (gw, _), (w, _) = _one_sgd_step(gradient_noise_scale=0.5)
    assert not np.allclose(w, -gw)
    assert np.all(np.abs(w + gw) <= 2 * 0.5 + 1e-9)     # truncated normal: within two standard deviations


def test_optimize_loss_sparse_gradients_multiplied_clipped_and_noised():
    with tf.Graph().as_default():
        table = tf.get_variable("emb", [5, 2], tf.float64, tf.ones_initializer())
        loss = tf.reduce_sum(tf.nn.embedding_lookup(table, [1, 3, 1]))
        step = tf.train.get_or_create_global_step()
        assert isinstance(tf.gradients(loss, [table])[0], tf.IndexedSlices)
        train = layers.optimize_loss(loss, step, 0.1, "SGD", gradient_multipliers={table: 2.0},
                                     clip_gradients=10.0, summaries=["gradients", "gradient_norm"], name="sparse")
        noisy = layers.optimize_loss(loss, step, 0.1, "SGD", gradient_noise_scale=1e-3, summaries=[], name="noisy")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train)
            updated = sess.run(table)
            sess.run(noisy)
            noised = sess.run(table)
    expected = np.ones((5, 2))
    expected[1] -= 0.1 * 2 * 2.0           # id 1 looked up twice, gradient doubled by the multiplier
    expected[3] -= 0.1 * 2.0
    np.testing.assert_allclose(updated, expected, rtol=1e-7)   # the learning-rate variable is float32
    step_taken = updated - noised           # the dense noise touches every row, ids 0/2/4 only slightly
    assert np.all(np.abs(step_taken[[0, 2, 4]]) < 1e-3) and np.any(step_taken[[0, 2, 4]] != 0)
    np.testing.assert_allclose(step_taken[[1, 3]], [[0.2, 0.2], [0.1, 0.1]], atol=1e-3)


def test_optimize_loss_runs_update_ops_first_and_decays_lr():
    with tf.Graph().as_default():
        loss, _, _ = _regression()
        step = tf.train.get_or_create_global_step()
        counter = tf.get_variable("counter", [], tf.float64, tf.zeros_initializer(), trainable=False)
        tf.add_to_collection(tf.GraphKeys.UPDATE_OPS, tf.assign_add(counter, 1.0))
        decayed = []

        def decay(lr, global_step):
            decayed.append(global_step)
            return lr * 0.5
        train = layers.optimize_loss(loss, step, 0.1, "SGD", learning_rate_decay_fn=decay,
                                     summaries=["learning_rate", "loss", "gradients", "gradient_norm",
                                                "global_gradient_norm"], clip_gradients=10.0)
        summaries = sorted(op.op.name for op in tf.get_collection(tf.GraphKeys.SUMMARIES))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train)
            sess.run(train)
            assert sess.run(counter) == 2.0
    assert decayed == [step]
    assert summaries == ["OptimizeLoss/global_norm/clipped_gradient_norm", "OptimizeLoss/global_norm/gradient_norm",
                         "OptimizeLoss/gradient_norm/b_0", "OptimizeLoss/gradient_norm/w_0",
                         "OptimizeLoss/gradients/b_0", "OptimizeLoss/gradients/w_0", "OptimizeLoss/learning_rate_1",
                         "OptimizeLoss/loss"]


def test_optimize_loss_default_summaries_are_written():
    with tf.Graph().as_default():
        loss, _, _ = _regression()
        layers.optimize_loss(loss, tf.train.get_or_create_global_step(), 0.1, "Adam")
        summaries = sorted(op.op.name for op in tf.get_collection(tf.GraphKeys.SUMMARIES))
        merged = tf.summary.merge_all()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            proto = tf.Summary.FromString(sess.run(merged))
    # the summary's name scope is uniquified next to the variable 'learning_rate', as in TF1
    assert summaries == ["OptimizeLoss/global_norm/gradient_norm", "OptimizeLoss/learning_rate_1",
                         "OptimizeLoss/loss"]
    tags = {value.tag: value.simple_value for value in proto.value}
    assert tags["OptimizeLoss/learning_rate_1"] == pytest.approx(0.1)
    assert tags["OptimizeLoss/loss"] == pytest.approx(np.mean(Y ** 2))


def test_optimize_loss_errors():
    with tf.Graph().as_default():
        loss, _, _ = _regression()
        step = tf.train.get_or_create_global_step()
        with pytest.raises(ValueError, match=r"Optimizer name should be one of \[Adagrad, Adam, Ftrl, Momentum, "
                                             r"RMSProp, SGD\], you provided Nope."):
            layers.optimize_loss(loss, step, 0.1, "Nope")
        with pytest.raises(ValueError, match=r"Learning rate is None, but should be specified if optimizer is "
                                             r"string \(SGD\)."):
            layers.optimize_loss(loss, step, None, "SGD")
        with pytest.raises(ValueError, match="Learning rate is None, but should be specified if optimizer is class"):
            layers.optimize_loss(loss, step, None, tf.train.AdamOptimizer)
        with pytest.raises(ValueError, match="Unrecognized optimizer: function should return subclass of Optimizer"):
            layers.optimize_loss(loss, step, 0.1, lambda lr: "adam")
        with pytest.raises(ValueError, match="Unrecognized optimizer: should be string, subclass of Optimizer"):
            layers.optimize_loss(loss, step, 0.1, 3)
        with pytest.raises(ValueError, match="Learning rate should be 0d Tensor or float. Got 1 of type"):
            layers.optimize_loss(loss, step, 1, "SGD")
        with pytest.raises(ValueError, match="Invalid learning_rate -0.5."):
            layers.optimize_loss(loss, step, -0.5, "SGD")
        with pytest.raises(ValueError, match=r"Summaries should be one of \[learning_rate, loss, gradients, "
                                             r"gradient_norm, global_gradient_norm\], you provided weights."):
            layers.optimize_loss(loss, step, 0.1, "SGD", summaries=["weights"])
        with pytest.raises(ValueError, match="Unknown type <class 'int'> for clip_gradients"):
            layers.optimize_loss(loss, step, 0.1, "SGD", clip_gradients=5, name="clip")
        with pytest.raises(ValueError, match="Expected scalar shape for"):
            layers.optimize_loss(tf.zeros([2]), step, 0.1, "SGD")
        with pytest.raises(TypeError, match="global_step"):
            layers.optimize_loss(loss, tf.constant(1.0), 0.1, "SGD")
    with tf.Graph().as_default():
        loss, _, _ = _regression()
        with pytest.raises(ValueError, match="global_step is required for learning_rate_decay_fn."):
            layers.optimize_loss(loss, None, 0.1, "SGD", learning_rate_decay_fn=lambda lr, s: lr)


def test_summarize_helpers():
    with tf.Graph().as_default():
        activation = tf.nn.relu(tf.constant([[-1.0, 2.0], [3.0, -4.0]]), name="act")
        capped = tf.nn.relu6(tf.constant([[7.0, 2.0, 0.0, 9.0]]), name="capped")
        tf.add_to_collection(tf.GraphKeys.ACTIVATIONS, activation)
        tf.add_to_collection(tf.GraphKeys.ACTIVATIONS, capped)
        histogram = layers.summarize_activation(activation)
        made = layers.summarize_activations(name_filter="capped")
        scalar = layers.summarize_tensor(tf.constant(2.5, name="lr"))
        named = layers.summarize_tensors([tf.constant([1.0, 2.0], name="v")])
        tf.get_variable("weights", [2], initializer=tf.ones_initializer())
        tf.add_to_collection(tf.GraphKeys.WEIGHTS, tf.global_variables()[0])
        weights = layers.summaries.summarize_weights()
        assert len(made) == 1 and len(named) == 1 and len(weights) == 1
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            proto = tf.Summary.FromString(sess.run(tf.summary.merge_all()))
            assert tf.Summary.FromString(sess.run(histogram)).value[0].tag == "act/activation"
            assert tf.Summary.FromString(sess.run(scalar)).value[0].simple_value == 2.5
    values = {value.tag: value for value in proto.value}
    assert values["act/zeros"].simple_value == 0.5
    # counted on the activation's input, so a relu6 input of exactly 0 is not a zero
    assert values["capped/zeros"].simple_value == 0.0 and values["capped/6"].simple_value == 0.5
    assert set(values) == {"act/zeros", "act/activation", "capped/zeros", "capped/6", "capped/activation",
                           "lr_1", "v_1", "weights_1"}   # tag = the op name, uniquified as in TF1
