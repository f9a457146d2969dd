"""tf.losses: values against NumPy, every reduction, weights, collections, gradients and errors."""
import numpy as np
import pytest

import numflow as tf
from gradcheck import check_gradients

RNG = np.random.RandomState(7)


def run(tensor, feed=None):
    with tf.Session() as sess:
        return sess.run(tensor, feed)


def np_softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def reduce_np(losses, weights, reduction):
    weighted = losses * weights
    broadcast_weights = np.broadcast_to(weights, losses.shape)
    if reduction == tf.losses.Reduction.NONE:
        return weighted
    total = weighted.sum()
    if reduction == tf.losses.Reduction.SUM:
        return total
    if reduction == tf.losses.Reduction.MEAN:
        return total / broadcast_weights.sum() if broadcast_weights.sum() else 0.0
    if reduction == tf.losses.Reduction.SUM_OVER_BATCH_SIZE:
        return total / losses.size
    present = np.count_nonzero(broadcast_weights)
    return total / present if present else 0.0


ALL_REDUCTIONS = [tf.losses.Reduction.NONE, tf.losses.Reduction.SUM, tf.losses.Reduction.MEAN,
                  tf.losses.Reduction.SUM_OVER_BATCH_SIZE, tf.losses.Reduction.SUM_BY_NONZERO_WEIGHTS]


@pytest.mark.parametrize("reduction", ALL_REDUCTIONS)
@pytest.mark.parametrize("weights", [1.0, 2.5, np.array([[1.0], [0.0], [3.0]]), np.array([[0.0, 1.0, 2.0, 0.5]])])
def test_compute_weighted_loss_reductions(reduction, weights):
    losses = RNG.uniform(size=(3, 4)).astype(np.float32)
    loss = tf.losses.compute_weighted_loss(tf.constant(losses), weights=np.asarray(weights, np.float32),
                                           reduction=reduction)
    assert loss.dtype == tf.float32
    np.testing.assert_allclose(run(loss), reduce_np(losses, np.asarray(weights, np.float32), reduction),
                               rtol=1e-5)
    assert tf.get_collection(tf.GraphKeys.LOSSES) == [loss]


def test_compute_weighted_loss_all_zero_weights_gives_zero():
    loss = tf.losses.compute_weighted_loss(tf.ones([2, 3]), weights=0.0)
    assert run(loss) == 0.0
    loss = tf.losses.compute_weighted_loss(tf.ones([2, 3]), weights=tf.zeros([2, 1]),
                                           reduction=tf.losses.Reduction.MEAN)
    assert run(loss) == 0.0


def test_compute_weighted_loss_keeps_float64_and_its_collection():
    loss = tf.losses.compute_weighted_loss(tf.constant([1.0, 2.0], tf.float64), loss_collection="mine")
    assert loss.dtype == tf.float64
    assert tf.get_collection("mine") == [loss]
    assert tf.losses.get_losses() == []
    assert tf.losses.get_losses(loss_collection="mine") == [loss]
    assert run(loss) == 1.5
    none = tf.losses.compute_weighted_loss(tf.ones([2]), loss_collection=None)
    assert run(none) == 1.0 and tf.losses.get_losses() == []


def test_compute_weighted_loss_errors():
    with pytest.raises(ValueError, match="Invalid Reduction Key bogus"):
        tf.losses.compute_weighted_loss(tf.ones([2]), reduction="bogus")
    with pytest.raises(ValueError, match="weights can not be broadcast to values"):
        tf.losses.compute_weighted_loss(tf.ones([2, 3]), weights=tf.ones([3]))
    with pytest.raises(ValueError, match="Mismatch at dim 1"):
        tf.losses.compute_weighted_loss(tf.ones([2, 3]), weights=tf.ones([2, 2]))


def test_reduction_constants():
    r = tf.losses.Reduction
    assert r.SUM_OVER_NONZERO_WEIGHTS == r.SUM_BY_NONZERO_WEIGHTS == "weighted_sum_by_nonzero_weights"
    assert set(r.all()) == {"none", "weighted_sum", "weighted_mean", "weighted_sum_over_batch_size",
                            "weighted_sum_by_nonzero_weights"}


# --- individual losses ---------------------------------------------------------------------------
def test_mean_squared_error_and_absolute_difference():
    labels = RNG.randn(4, 3)
    predictions = RNG.randn(4, 3)
    weights = np.array([[1.0], [0.0], [2.0], [1.0]])
    mse = tf.losses.mean_squared_error(labels, predictions, weights=weights)
    mae = tf.losses.absolute_difference(labels, predictions)
    assert mse.dtype == tf.float32 and mse.name == "mean_squared_error/value:0"
    np.testing.assert_allclose(run(mse), reduce_np((predictions - labels) ** 2, weights,
                                                   tf.losses.Reduction.SUM_BY_NONZERO_WEIGHTS), rtol=1e-5)
    np.testing.assert_allclose(run(mae), np.mean(np.abs(predictions - labels)), rtol=1e-5)
    assert tf.losses.get_losses() == [mse, mae]


def test_huber_log_hinge_cosine_losses():
    labels = np.array([[0.0, 1.0, 1.0, 0.0]], np.float32)
    predictions = np.array([[0.2, 0.9, 3.0, -2.5]], np.float32)
    err = np.abs(predictions - labels)
    huber = np.where(err <= 1.0, 0.5 * err ** 2, err - 0.5)
    np.testing.assert_allclose(run(tf.losses.huber_loss(labels, predictions)), huber.mean(), rtol=1e-6)
    huber2 = np.where(err <= 2.0, 0.5 * err ** 2, 2.0 * (err - 1.0))
    np.testing.assert_allclose(run(tf.losses.huber_loss(labels, predictions, delta=2.0)), huber2.mean(), rtol=1e-6)
    probs = np.array([[0.1, 0.8, 0.6, 0.3]], np.float32)
    log = -labels * np.log(probs + 1e-7) - (1 - labels) * np.log(1 - probs + 1e-7)
    np.testing.assert_allclose(run(tf.losses.log_loss(labels, probs)), log.mean(), rtol=1e-5)
    hinge = np.maximum(0, 1 - (2 * labels - 1) * predictions)
    np.testing.assert_allclose(run(tf.losses.hinge_loss(labels, predictions)), hinge.mean(), rtol=1e-6)
    a = np.array([[0.6, 0.8], [1.0, 0.0]], np.float32)
    b = np.array([[0.8, 0.6], [0.0, 1.0]], np.float32)
    cos = tf.losses.cosine_distance(a, b, axis=1)
    np.testing.assert_allclose(run(cos), np.mean(1 - np.sum(a * b, 1)), rtol=1e-6)
    with pytest.raises(ValueError, match="You must specify 'axis'"):
        tf.losses.cosine_distance(a, b)


def test_mean_pairwise_squared_error():
    labels = RNG.randn(3, 4).astype(np.float32)
    predictions = RNG.randn(3, 4).astype(np.float32)
    d = predictions - labels
    expected = 0.0
    for row in d:
        pairs = [(row[i] - row[j]) ** 2 for i in range(4) for j in range(4) if i != j]
        expected += np.mean(pairs)
    np.testing.assert_allclose(run(tf.losses.mean_pairwise_squared_error(labels, predictions)), expected,
                               rtol=1e-5)


def test_softmax_cross_entropy_loss():
    logits = RNG.randn(4, 3).astype(np.float32)
    onehot = np.eye(3, dtype=np.float32)[[0, 2, 1, 1]]
    weights = np.array([1.0, 2.0, 0.0, 1.0], np.float32)
    loss = tf.losses.softmax_cross_entropy(onehot, logits, weights=weights)
    per_example = -np.sum(onehot * np.log(np_softmax(logits.astype(np.float64))), -1)
    np.testing.assert_allclose(run(loss), np.sum(per_example * weights) / 3, rtol=1e-5)
    assert loss.name == "softmax_cross_entropy_loss/value:0"
    smoothed = onehot * 0.8 + 0.2 / 3
    loss = tf.losses.softmax_cross_entropy(onehot, logits, label_smoothing=0.2)
    expected = -np.sum(smoothed * np.log(np_softmax(logits.astype(np.float64))), -1).mean()
    np.testing.assert_allclose(run(loss), expected, rtol=1e-5)
    stable = tf.losses.softmax_cross_entropy([[0.0, 1.0]], [[1000.0, -1000.0]])
    np.testing.assert_allclose(run(stable), 2000.0, rtol=1e-6)


def test_sparse_softmax_cross_entropy_loss():
    logits = RNG.randn(4, 3).astype(np.float32)
    ids = np.array([0, 2, 1, 1], np.int32)
    per_example = -np.log(np_softmax(logits.astype(np.float64)))[np.arange(4), ids]
    np.testing.assert_allclose(run(tf.losses.sparse_softmax_cross_entropy(ids, logits)), per_example.mean(),
                               rtol=1e-5)
    # labels of shape [batch, 1] and weights of shape [batch, 1] are squeezed
    weights = np.array([[1.0], [0.0], [2.0], [1.0]], np.float32)
    loss = tf.losses.sparse_softmax_cross_entropy(ids[:, None], logits, weights=tf.constant(weights))
    np.testing.assert_allclose(run(loss), np.sum(per_example * weights[:, 0]) / 3, rtol=1e-5)
    labels = tf.placeholder(tf.int32, [4])
    loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
    with pytest.raises(tf.errors.InvalidArgumentError, match="label value of 3"):
        run(loss, {labels: [0, 1, 3, 0]})


def test_sigmoid_cross_entropy_loss():
    logits = RNG.randn(3, 2).astype(np.float32) * 3
    labels = np.array([[0, 1], [1, 1], [0, 0]], np.int32)
    z = labels.astype(np.float64)
    x = logits.astype(np.float64)
    per = np.maximum(x, 0) - x * z + np.log1p(np.exp(-np.abs(x)))
    np.testing.assert_allclose(run(tf.losses.sigmoid_cross_entropy(labels, logits)), per.mean(), rtol=1e-5)
    zs = z * 0.9 + 0.05
    per = np.maximum(x, 0) - x * zs + np.log1p(np.exp(-np.abs(x)))
    np.testing.assert_allclose(run(tf.losses.sigmoid_cross_entropy(labels, logits, label_smoothing=0.1)),
                               per.mean(), rtol=1e-5)


def test_none_arguments_are_value_errors():
    with pytest.raises(ValueError, match="onehot_labels must not be None"):
        tf.losses.softmax_cross_entropy(None, tf.zeros([2, 3]))
    with pytest.raises(ValueError, match="logits must not be None"):
        tf.losses.sparse_softmax_cross_entropy([0, 1], None)
    with pytest.raises(ValueError, match="labels must not be None"):
        tf.losses.mean_squared_error(None, tf.zeros([2]))
    with pytest.raises(ValueError, match="predictions must not be None"):
        tf.losses.absolute_difference(tf.zeros([2]), None)
    with pytest.raises(ValueError, match="multi_class_labels must not be None"):
        tf.losses.sigmoid_cross_entropy(None, tf.zeros([2]))
    with pytest.raises(ValueError, match="incompatible"):
        tf.losses.mean_squared_error(tf.zeros([2, 3]), tf.zeros([2, 4]))


# --- gradients -----------------------------------------------------------------------------------
def test_softmax_cross_entropy_loss_gradients():
    onehot = np.eye(3)[[0, 2, 1]]
    weights = np.array([1.0, 0.5, 2.0])
    check_gradients(lambda x: tf.losses.softmax_cross_entropy(tf.constant(onehot), x, weights=tf.constant(weights),
                                                              label_smoothing=0.1), [RNG.randn(3, 3)])
    check_gradients(lambda x: tf.losses.sparse_softmax_cross_entropy(tf.constant([0, 2, 1]), x), [RNG.randn(3, 3)])
    check_gradients(lambda x: tf.losses.sigmoid_cross_entropy(tf.constant(onehot), x), [RNG.randn(3, 3)])


def test_float32_losses_gradients():
    # these losses compute in float32 as TF does: compare with a looser finite-difference check
    labels = RNG.randn(2, 3)
    for fn in (tf.losses.mean_squared_error, tf.losses.absolute_difference, tf.losses.huber_loss,
               tf.losses.hinge_loss):
        check_gradients(lambda p: tf.cast(fn(tf.constant(labels), p), tf.float64), [RNG.randn(2, 3) * 2], rtol=2e-3, atol=2e-4,
                        delta=1e-3)
    check_gradients(lambda p: tf.cast(tf.losses.log_loss(tf.constant((np.abs(labels) > 0.5) * 1.0), p), tf.float64),
                    [RNG.uniform(0.2, 0.8, size=(2, 3))], rtol=2e-3, atol=2e-4, delta=1e-3)


# --- collections ---------------------------------------------------------------------------------
def test_regularization_and_total_loss():
    assert run(tf.losses.get_regularization_loss()) == 0.0
    assert tf.losses.get_regularization_loss().dtype == tf.float32
    with pytest.raises(ValueError):
        tf.losses.get_total_loss()
    tf.add_to_collection(tf.GraphKeys.REGULARIZATION_LOSSES, tf.constant(0.5))
    tf.add_to_collection(tf.GraphKeys.REGULARIZATION_LOSSES, tf.constant(0.25))
    assert len(tf.losses.get_regularization_losses()) == 2
    assert run(tf.losses.get_regularization_loss()) == 0.75
    tf.losses.add_loss(tf.constant(2.0))
    total = tf.losses.get_total_loss()
    assert total.name == "total_loss:0"
    assert run(total) == 2.75
    assert run(tf.losses.get_total_loss(add_regularization_losses=False)) == 2.0


def test_get_losses_scope_filter():
    with tf.name_scope("tower_0"):
        a = tf.losses.mean_squared_error([1.0], [2.0])
    with tf.name_scope("tower_1"):
        b = tf.losses.mean_squared_error([1.0], [3.0])
    assert tf.losses.get_losses() == [a, b]
    assert tf.losses.get_losses(scope="tower_1") == [b]
