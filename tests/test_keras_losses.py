"""tf.keras.losses: per-sample functions vs NumPy references, Loss classes' reductions and sample
weights, (de)serialization, errors."""
import numpy as np
import pytest

import numflow as tf

losses = tf.keras.losses
EPS = 1e-7
RNG = np.random.RandomState(0)
Y_TRUE = RNG.uniform(0.1, 2, size=(4, 3)).astype(np.float32)
Y_PRED = RNG.uniform(0.1, 2, size=(4, 3)).astype(np.float32)
ONE_HOT = np.eye(3, dtype=np.float32)[[0, 2, 1, 2]]
PROBS = RNG.dirichlet(np.ones(3), size=4).astype(np.float32)
BINARY = (RNG.uniform(size=(4, 3)) > 0.5).astype(np.float32)
SIGNED = BINARY * 2 - 1


def _run(value, feed=None):
    with tf.Session() as sess:
        return sess.run(value, feed)


def _np_bce(t, p):
    p = np.clip(p, EPS, 1 - EPS)
    return -(t * np.log(p) + (1 - t) * np.log(1 - p))


def _np_logcosh(t, p):
    return np.log(np.cosh(p - t)).mean(-1)


CASES = [
    ("mean_squared_error", Y_TRUE, Y_PRED, lambda t, p: ((p - t) ** 2).mean(-1)),
    ("mean_absolute_error", Y_TRUE, Y_PRED, lambda t, p: np.abs(p - t).mean(-1)),
    ("mean_absolute_percentage_error", Y_TRUE, Y_PRED, lambda t, p: 100 * (np.abs(t - p) / np.abs(t)).mean(-1)),
    ("mean_squared_logarithmic_error", Y_TRUE, Y_PRED, lambda t, p: ((np.log1p(p) - np.log1p(t)) ** 2).mean(-1)),
    ("hinge", SIGNED, Y_PRED - 1, lambda t, p: np.maximum(1 - t * p, 0).mean(-1)),
    ("hinge", BINARY, Y_PRED - 1, lambda t, p: np.maximum(1 - (2 * t - 1) * p, 0).mean(-1)),
    ("squared_hinge", SIGNED, Y_PRED - 1, lambda t, p: (np.maximum(1 - t * p, 0) ** 2).mean(-1)),
    ("categorical_hinge", ONE_HOT, Y_PRED, lambda t, p: np.maximum(
        0, ((1 - t) * p).max(-1) - (t * p).sum(-1) + 1)),
    ("logcosh", Y_TRUE, Y_PRED, _np_logcosh),
    ("categorical_crossentropy", ONE_HOT, PROBS, lambda t, p: -(t * np.log(p / p.sum(-1, keepdims=True))).sum(-1)),
    ("binary_crossentropy", BINARY, PROBS, lambda t, p: _np_bce(t, p).mean(-1)),
    ("kullback_leibler_divergence", PROBS[::-1].copy(), PROBS,
     lambda t, p: (t * np.log(t / p)).sum(-1)),
    ("poisson", Y_TRUE, Y_PRED, lambda t, p: (p - t * np.log(p + EPS)).mean(-1)),
    ("cosine_similarity", Y_TRUE, Y_PRED, lambda t, p: -(t * p).sum(-1) / (
        np.linalg.norm(t, axis=-1) * np.linalg.norm(p, axis=-1))),
]


@pytest.mark.parametrize("name, y_true, y_pred, reference", CASES, ids=[c[0] for c in CASES])
def test_loss_function_values(name, y_true, y_pred, reference):
    with tf.Graph().as_default():
        got = _run(losses.get(name)(tf.constant(y_true), tf.constant(y_pred)))
    np.testing.assert_allclose(got, reference(y_true.astype(np.float64), y_pred.astype(np.float64)), rtol=1e-5,
                               atol=1e-6)


def test_aliases():
    assert losses.mse is losses.MSE is losses.mean_squared_error
    assert losses.kld is losses.KLD is losses.kl_divergence is losses.kullback_leibler_divergence
    assert losses.cosine is losses.cosine_proximity is losses.cosine_similarity
    assert losses.log_cosh is losses.logcosh and losses.msle is losses.MSLE and losses.mape is losses.MAPE


def test_probability_clipping_and_logits():
    t = np.array([[1., 0.]], dtype=np.float32)
    p = np.array([[0., 1.]], dtype=np.float32)
    with tf.Graph().as_default():
        cce = _run(losses.categorical_crossentropy(t, p))
        bce = _run(losses.binary_crossentropy(t, p))
        logits = np.array([[2., -1., 0.5]], dtype=np.float32)
        target = np.array([[0., 1., 0.]], dtype=np.float32)
        from_logits = _run(losses.categorical_crossentropy(target, logits, from_logits=True))
        through_softmax = _run(losses.categorical_crossentropy(target, tf.nn.softmax(tf.constant(logits))))
        bce_logits = _run(losses.binary_crossentropy(target, logits, from_logits=True))
    np.testing.assert_allclose(cce, [-np.log(EPS)], rtol=1e-4)
    # Keras clips float32 probabilities to [eps, 1 - eps] and logs p + eps and 1 - p + eps.
    clipped = np.clip(p, np.float32(EPS), np.float32(1 - EPS)).astype(np.float64)
    expected = -(t * np.log(clipped + EPS) + (1 - t) * np.log(1 - clipped + EPS)).mean(-1)
    np.testing.assert_allclose(bce, expected, rtol=1e-5)
    assert bce[0] > 15
    log_softmax = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    np.testing.assert_allclose(from_logits, -(target * log_softmax).sum(-1), rtol=1e-6)
    np.testing.assert_allclose(through_softmax, from_logits, rtol=1e-6)
    sig = 1 / (1 + np.exp(-logits))
    np.testing.assert_allclose(bce_logits, _np_bce(target, sig).mean(-1), rtol=1e-5)


def test_label_smoothing():
    with tf.Graph().as_default():
        got = _run(losses.categorical_crossentropy(ONE_HOT, PROBS, label_smoothing=0.3))
        got_binary = _run(losses.binary_crossentropy(BINARY, PROBS, label_smoothing=0.2))
    smoothed = ONE_HOT * 0.7 + 0.1
    np.testing.assert_allclose(got, -(smoothed * np.log(PROBS)).sum(-1), rtol=1e-5)
    np.testing.assert_allclose(got_binary, _np_bce(BINARY * 0.8 + 0.1, PROBS).mean(-1), rtol=1e-5)


def test_sparse_categorical_crossentropy():
    labels = np.array([0, 2, 1, 2])
    with tf.Graph().as_default():
        got = _run(losses.sparse_categorical_crossentropy(labels, PROBS))
        got_column = _run(losses.SparseCategoricalCrossentropy(reduction="none")(labels[:, None], PROBS))
        logits = np.log(PROBS) + 3.0
        got_logits = _run(losses.sparse_categorical_crossentropy(labels, logits, from_logits=True))
        seq_probs = np.stack([PROBS, PROBS[::-1]], axis=1)
        seq = _run(losses.sparse_categorical_crossentropy(np.stack([labels, labels[::-1]], 1), seq_probs))
    expected = -np.log(PROBS[np.arange(4), labels])
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    np.testing.assert_allclose(got_column, expected, rtol=1e-5)
    np.testing.assert_allclose(got_logits, expected, rtol=1e-5)
    assert seq.shape == (4, 2)
    np.testing.assert_allclose(seq[:, 1], -np.log(PROBS[::-1][np.arange(4), labels[::-1]]), rtol=1e-5)


def test_huber():
    t = np.array([[0., 0., 0., 0.]], dtype=np.float32)
    p = np.array([[0.2, -0.5, 1.5, -3.0]], dtype=np.float32)
    with tf.Graph().as_default():
        got = _run(losses.Huber(delta=1.0, reduction="none")(t, p))
    e = np.abs(p)
    np.testing.assert_allclose(got, np.where(e <= 1, 0.5 * e ** 2, e - 0.5).mean(-1), rtol=1e-6)


def test_focal_losses():
    with tf.Graph().as_default():
        got = _run(losses.binary_focal_crossentropy(BINARY, PROBS, gamma=2.0))
        balanced = _run(losses.BinaryFocalCrossentropy(apply_class_balancing=True, alpha=0.3,
                                                       reduction="none")(BINARY, PROBS))
        categorical = _run(losses.categorical_focal_crossentropy(ONE_HOT, PROBS, alpha=0.25, gamma=2.0))
    p_t = BINARY * PROBS + (1 - BINARY) * (1 - PROBS)
    focal = (1 - p_t) ** 2 * _np_bce(BINARY, PROBS)
    np.testing.assert_allclose(got, focal.mean(-1), rtol=1e-4)
    np.testing.assert_allclose(balanced, ((BINARY * 0.3 + (1 - BINARY) * 0.7) * focal).mean(-1), rtol=1e-4)
    np.testing.assert_allclose(categorical, (0.25 * (1 - PROBS) ** 2 * -ONE_HOT * np.log(PROBS)).sum(-1), rtol=1e-5)


@pytest.mark.parametrize("reduction", ["auto", "sum_over_batch_size", "sum", "none",
                                       tf.losses.Reduction.SUM, tf.losses.Reduction.SUM_OVER_BATCH_SIZE])
def test_loss_class_reductions_and_weights(reduction):
    per_sample = ((Y_PRED - Y_TRUE) ** 2).mean(-1)
    weights = np.array([1., 0., 2., 0.5], dtype=np.float32)
    with tf.Graph().as_default():
        loss = losses.MeanSquaredError(reduction=reduction)
        plain = _run(loss(Y_TRUE, Y_PRED))
        weighted = _run(loss(Y_TRUE, Y_PRED, sample_weight=weights))
        column_weights = _run(loss(Y_TRUE, Y_PRED, sample_weight=weights[:, None]))
        scalar_weight = _run(loss(Y_TRUE, Y_PRED, sample_weight=3.0))
    key = losses.ReductionV2.validate(reduction)
    reduce = {"none": lambda v: v, "sum": np.sum}.get(key, np.mean)
    np.testing.assert_allclose(plain, reduce(per_sample), rtol=1e-6)
    np.testing.assert_allclose(weighted, reduce(per_sample * weights), rtol=1e-6)
    np.testing.assert_allclose(column_weights, reduce(per_sample * weights), rtol=1e-6)
    np.testing.assert_allclose(scalar_weight, reduce(per_sample * 3), rtol=1e-6)


def test_loss_class_configs_round_trip():
    for loss in (losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1), losses.Huber(delta=2.0),
                 losses.CosineSimilarity(axis=0, reduction="sum"), losses.MeanAbsoluteError(name="m"),
                 losses.CategoricalFocalCrossentropy(gamma=3.0)):
        config = losses.serialize(loss)
        restored = losses.deserialize(config)
        assert type(restored) is type(loss) and restored.get_config() == loss.get_config()
    assert losses.BinaryCrossentropy().get_config() == {"from_logits": False, "label_smoothing": 0,
                                                        "reduction": "auto", "name": "binary_crossentropy"}
    assert losses.serialize(losses.mse) == "mean_squared_error"


def test_custom_loss_subclass():
    class Doubled(losses.Loss):
        def call(self, y_true, y_pred):
            return 2 * tf.reduce_mean(tf.abs(y_true - y_pred), axis=-1)
    with tf.Graph().as_default():
        got = _run(Doubled(reduction="sum")(Y_TRUE, Y_PRED))
    np.testing.assert_allclose(got, 2 * np.abs(Y_TRUE - Y_PRED).mean(-1).sum(), rtol=1e-6)
    with pytest.raises(NotImplementedError):
        with tf.Graph().as_default():
            losses.Loss()(Y_TRUE, Y_PRED)


def test_loss_errors():
    with pytest.raises(ValueError, match="Unknown loss function: foo"):
        losses.get("foo")
    with pytest.raises(ValueError, match="Could not interpret loss function identifier: 3"):
        losses.get(3)
    with pytest.raises(ValueError, match="Invalid Reduction Key mean"):
        losses.MeanSquaredError(reduction="mean")
    with pytest.raises(TypeError, match="unexpected keyword argument 'delta'"):
        losses.MeanSquaredError(delta=1.0)


def test_loss_gradients():
    from gradcheck import check_gradients
    t = np.array([[0.2, 0.5, 0.3], [0.1, 0.1, 0.8]])
    p = np.array([[0.3, 0.3, 0.4], [0.25, 0.15, 0.6]])
    for name in ("mean_squared_error", "logcosh", "categorical_crossentropy", "binary_crossentropy",
                 "kullback_leibler_divergence", "poisson", "cosine_similarity", "mean_squared_logarithmic_error"):
        check_gradients(lambda pred, fn=losses.get(name): fn(tf.constant(t), pred), [p], rtol=1e-4, atol=1e-6)
