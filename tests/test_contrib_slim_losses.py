"""tf.contrib.losses (= slim.losses): values against NumPy, TF1 contrib's argument order and its
leading-dimension weights, label smoothing, the LOSSES collection, and the error paths."""
import numpy as np
import pytest

import numflow as tf
from numflow.contrib import losses

RNG = np.random.RandomState(7)


def run(fetches, feed_dict=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed_dict)


def np_log_softmax(logits):
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def np_weighted_mean(losses, weights):
    """contrib's reduction: weights over the leading dims, sum / number of nonzero-weighted losses."""
    weights = np.asarray(weights, np.float64)
    if weights.ndim > 1 and weights.shape[-1] == 1:
        weights = weights[..., 0]
    scaled = weights.reshape(weights.shape + (1,) * (losses.ndim - weights.ndim))
    total = (losses * scaled).sum()
    present = (np.broadcast_to(scaled, losses.shape) != 0).sum()
    return total / present if present else 0.0


def test_softmax_cross_entropy_with_batch_weights_and_label_smoothing():
    logits = RNG.randn(5, 4).astype(np.float32)
    onehot = np.eye(4, dtype=np.float32)[[0, 3, 1, 1, 2]]
    weights = np.array([1.0, 0.0, 2.0, 0.5, 1.0], np.float32)
    with tf.Graph().as_default():
        loss = losses.softmax_cross_entropy(logits, onehot, weights=weights, label_smoothing=0.2)
        plain = losses.softmax_cross_entropy(logits, onehot)
        assert tf.get_collection(tf.GraphKeys.LOSSES) == [loss, plain]
        got, got_plain = run([loss, plain])
    smoothed = onehot * 0.8 + 0.2 / 4
    per_example = -(smoothed * np_log_softmax(logits.astype(np.float64))).sum(axis=1)
    # 4 nonzero weights: the zero-weighted example does not count in the mean.
    np.testing.assert_allclose(got, (per_example * weights).sum() / 4, rtol=1e-5)
    np.testing.assert_allclose(got_plain, (-(onehot * np_log_softmax(logits.astype(np.float64))).sum(1)).mean(),
                               rtol=1e-5)


def test_sigmoid_cross_entropy_smoothing_and_column_weights():
    logits = RNG.randn(4, 3).astype(np.float32)
    labels = (RNG.rand(4, 3) > 0.5).astype(np.float32)
    weights = np.array([[1.0], [0.0], [3.0], [1.0]], np.float32)  # [batch, 1]: squeezed, whole rows
    with tf.Graph().as_default():
        got = run(losses.sigmoid_cross_entropy(logits, labels, weights=weights, label_smoothing=0.1))
    smoothed = labels * 0.9 + 0.05
    x = logits.astype(np.float64)
    elementwise = np.maximum(x, 0) - x * smoothed + np.log1p(np.exp(-np.abs(x)))
    np.testing.assert_allclose(got, np_weighted_mean(elementwise, weights), rtol=1e-5)
    np.testing.assert_allclose(got, (elementwise * weights).sum() / 9, rtol=1e-5)


def test_sparse_softmax_cross_entropy_accepts_column_labels_and_weights():
    logits = RNG.randn(3, 5).astype(np.float32)
    labels = np.array([[4], [0], [2]], np.int64)
    weights = np.array([[2.0], [1.0], [0.0]], np.float32)
    with tf.Graph().as_default():
        got = run(losses.sparse_softmax_cross_entropy(logits, labels, weights=weights))
    per_example = -np_log_softmax(logits.astype(np.float64))[np.arange(3), labels[:, 0]]
    np.testing.assert_allclose(got, (per_example * weights[:, 0]).sum() / 2, rtol=1e-5)


def test_regression_losses_align_weights_with_the_leading_dims():
    # [batch=2] weights on [2, 3] losses: TF1 contrib scales rows, unlike tf.losses' trailing alignment.
    predictions = RNG.rand(2, 3).astype(np.float32)
    labels = RNG.rand(2, 3).astype(np.float32)
    row_weights = np.array([0.5, 0.0], np.float32)
    full_weights = np.array([[1, 0, 2], [0, 0, 1]], np.float32)
    with tf.Graph().as_default():
        mse = losses.mean_squared_error(predictions, labels, weights=row_weights)
        mae = losses.absolute_difference(predictions, labels, weights=full_weights)
        log = losses.log_loss(predictions, labels, weights=2.0, epsilon=1e-3)
        zero = losses.mean_squared_error(predictions, labels, weights=0.0)
        got = run([mse, mae, log, zero])
    p, l = predictions.astype(np.float64), labels.astype(np.float64)
    np.testing.assert_allclose(got[0], ((p - l) ** 2)[0].sum() * 0.5 / 3, rtol=1e-5)
    np.testing.assert_allclose(got[1], (np.abs(p - l) * full_weights).sum() / 3, rtol=1e-5)
    log_losses = -l * np.log(p + 1e-3) - (1 - l) * np.log(1 - p + 1e-3)
    np.testing.assert_allclose(got[2], 2.0 * log_losses.sum() / 6, rtol=1e-5)
    assert got[3] == 0.0


def test_hinge_loss_is_unreduced_and_not_collected():
    logits = np.array([[0.5, -2.0, 1.5], [-0.3, 0.2, 3.0]], np.float32)
    labels = np.array([[1, 0, 0], [1, 1, 0]], np.float32)
    with tf.Graph().as_default():
        hinge = losses.hinge_loss(logits, labels)
        assert hinge.shape.as_list() == [2, 3]
        assert tf.get_collection(tf.GraphKeys.LOSSES) == []
        got = run(hinge)
    np.testing.assert_allclose(got, np.maximum(0.0, 1.0 - (2 * labels - 1) * logits), rtol=1e-6)


def test_cosine_distance_axis_and_its_deprecated_dim_name():
    predictions = RNG.randn(3, 4)
    predictions /= np.linalg.norm(predictions, axis=1, keepdims=True)
    labels = RNG.randn(3, 4)
    labels /= np.linalg.norm(labels, axis=1, keepdims=True)
    weights = np.array([1.0, 2.0, 0.0], np.float32)
    with tf.Graph().as_default():
        by_axis = losses.cosine_distance(predictions.astype(np.float32), labels.astype(np.float32), axis=1,
                                         weights=weights)
        by_dim = losses.cosine_distance(predictions.astype(np.float32), labels.astype(np.float32), dim=1,
                                        weights=weights)
        got = run([by_axis, by_dim])
    distances = 1.0 - (predictions * labels).sum(axis=1)
    np.testing.assert_allclose(got, [(distances * weights).sum() / 2] * 2, rtol=1e-5)


def test_mean_pairwise_squared_error_against_all_pairs():
    predictions = RNG.rand(3, 4).astype(np.float32)
    labels = RNG.rand(3, 4).astype(np.float32)
    weights = np.array([1.0, 0.0, 2.0], np.float32)
    with tf.Graph().as_default():
        got = run(losses.mean_pairwise_squared_error(predictions, labels, weights=weights))
    d = (predictions - labels).astype(np.float64)
    per_example = np.array([((row[:, None] - row[None, :]) ** 2).mean() for row in d])
    np.testing.assert_allclose(got, (per_example * weights).sum(), rtol=1e-5)


def test_compute_weighted_loss_keeps_the_dtype_and_collects():
    values = np.array([[1.0, 2.0], [3.0, 4.0]])
    with tf.Graph().as_default():
        loss = losses.compute_weighted_loss(tf.constant(values), weights=[1.0, 3.0])
        assert loss.dtype == tf.float64
        assert losses.get_losses() == [loss]
        np.testing.assert_allclose(run(loss), (3.0 + 21.0) / 4)


def test_get_total_loss_adds_regularization_losses():
    with tf.Graph().as_default():
        weights = tf.get_variable("w", initializer=tf.constant([1.0, -2.0]),
                                  regularizer=tf.contrib.layers.l2_regularizer(0.5))
        data_loss = losses.mean_squared_error(tf.constant([1.0, 2.0]), tf.constant([0.0, 0.0]))
        total = losses.get_total_loss()
        data_only = losses.get_total_loss(add_regularization_losses=False, name="data_only")
        assert total.op.name == "total_loss" and data_only.op.name == "data_only"
        assert losses.get_regularization_losses()
        with tf.Session() as sess:
            sess.run(weights.initializer)
            got_total, got_data, got_loss = sess.run([total, data_only, data_loss])
    assert got_loss == pytest.approx(2.5)
    assert got_data == pytest.approx(2.5)
    assert got_total == pytest.approx(2.5 + 0.5 * (1.0 + 4.0) / 2)


def test_slim_losses_is_contrib_losses():
    assert tf.contrib.slim.losses is losses
    assert tf.contrib.losses is losses


# --- error paths -----------------------------------------------------------------------------------
def test_get_total_loss_without_losses_raises():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="no losses to sum"):
            losses.get_total_loss()


def test_cosine_distance_needs_exactly_one_axis():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="You must specify 'axis'"):
            losses.cosine_distance([[1.0]], [[1.0]])
        with pytest.raises(ValueError, match="Cannot specify both 'axis' and 'dim'"):
            losses.cosine_distance([[1.0]], [[1.0]], axis=1, dim=1)


def test_mismatched_shapes_and_missing_labels_raise():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match=r"Shapes \(2, 3\) and \(2, 4\) are incompatible"):
            losses.softmax_cross_entropy(np.zeros((2, 3), np.float32), np.zeros((2, 4), np.float32))
        with pytest.raises(ValueError, match=r"Shapes \(3,\) and \(2,\) are incompatible"):
            losses.mean_squared_error([1.0, 2.0, 3.0], [1.0, 2.0])
        with pytest.raises(ValueError, match="labels must not be None"):
            losses.mean_squared_error([1.0, 2.0])
        with pytest.raises(ValueError, match="onehot_labels must not be None"):
            losses.softmax_cross_entropy(np.zeros((2, 3), np.float32), None)


def test_unknown_ranks_and_oversized_weights_raise():
    with tf.Graph().as_default():
        unknown = tf.placeholder(tf.float32)
        with pytest.raises(ValueError, match=r"losses.get_shape\(\).ndims cannot be None"):
            losses.compute_weighted_loss(unknown)
        with pytest.raises(ValueError, match=r"weights.get_shape\(\).ndims cannot be None"):
            losses.compute_weighted_loss([1.0, 2.0], weights=unknown)
        with pytest.raises(ValueError, match="must not have a higher rank than the losses"):
            losses.compute_weighted_loss([1.0, 2.0], weights=[[1.0, 2.0], [3.0, 4.0]])
