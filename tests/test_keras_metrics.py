"""tf.keras.metrics: streaming over batches vs NumPy, state collections, reset, configs, functions, errors."""
import numpy as np
import pytest

import numflow as tf

K = tf.keras.backend
metrics = tf.keras.metrics
RNG = np.random.RandomState(0)


@pytest.fixture(autouse=True)
def fresh_graph():
    K.clear_session()
    yield
    K.clear_session()


def _stream(metric, batches):
    """Feeds each batch (a tuple of arrays) through one placeholder-fed update; returns the result
    after every batch."""
    placeholders = [tf.placeholder(tf.float32, shape=[None] + list(np.shape(b)[1:])) for b in batches[0]]
    result = metric(*placeholders)
    sess = K.get_session()
    return [sess.run(result, dict(zip(placeholders, batch))) for batch in batches]


def _batches(*arrays, size=3):
    n = len(arrays[0])
    return [tuple(a[i:i + size] for a in arrays) for i in range(0, n, size)]


def test_mean_and_sum_streaming_with_weights():
    values = RNG.randn(10).astype(np.float32)
    weights = RNG.uniform(0, 2, 10).astype(np.float32)
    results = _stream(metrics.Mean(), _batches(values, weights))
    for i, got in enumerate(results):
        n = min(3 * (i + 1), 10)
        np.testing.assert_allclose(got, np.sum(values[:n] * weights[:n]) / np.sum(weights[:n]), rtol=1e-5)
    K.clear_session()
    sums = _stream(metrics.Sum(), _batches(values))
    np.testing.assert_allclose(sums[-1], values.sum(), rtol=1e-5)


def test_metric_state_is_local_and_resettable():
    metric = metrics.Mean(name="loss_mean")
    result = metric([1.0, 3.0])
    assert [v.name for v in metric.variables] == ["loss_mean/total:0", "loss_mean/count:0"]
    assert tf.global_variables() == [] and tf.trainable_variables() == []
    assert set(tf.local_variables()) == set(metric.variables)
    assert set(tf.get_collection(tf.GraphKeys.METRIC_VARIABLES)) == set(metric.variables)
    sess = K.get_session()
    assert sess.run(result) == 2.0
    assert sess.run(metric.total) == 4.0
    assert sess.run(result) == 2.0 and sess.run(metric.total) == 8.0
    metric.reset_states()
    assert sess.run(metric.result()) == 0.0
    sess.run(tf.local_variables_initializer())
    assert sess.run(metric.count) == 0.0


ACCURACY_CASES = [
    (lambda: metrics.Accuracy(), np.array([[1], [2], [3], [4]]), np.array([[1], [0], [3], [4]]),
     lambda t, p: (t == p).mean()),
    (lambda: metrics.BinaryAccuracy(threshold=0.7), np.array([[1], [1], [0], [0]]), np.array([[0.98], [0.6], [0.1], [0.8]]),
     lambda t, p: ((p > 0.7) == t).mean()),
    (lambda: metrics.CategoricalAccuracy(), np.eye(3)[[0, 1, 2, 1]], np.array(
        [[0.8, 0.1, 0.1], [0.6, 0.3, 0.1], [0.1, 0.2, 0.7], [0.2, 0.5, 0.3]]),
     lambda t, p: (t.argmax(-1) == p.argmax(-1)).mean()),
    (lambda: metrics.SparseCategoricalAccuracy(), np.array([[0], [1], [2], [1]]), np.array(
        [[0.8, 0.1, 0.1], [0.6, 0.3, 0.1], [0.1, 0.2, 0.7], [0.2, 0.5, 0.3]]),
     lambda t, p: (t[:, 0] == p.argmax(-1)).mean()),
    (lambda: metrics.TopKCategoricalAccuracy(k=2), np.eye(3)[[0, 2, 2, 1]], np.array(
        [[0.8, 0.1, 0.1], [0.6, 0.3, 0.1], [0.1, 0.2, 0.7], [0.2, 0.5, 0.3]]),
     lambda t, p: np.mean([t[i].argmax() in np.argsort(-p[i])[:2] for i in range(len(t))])),
    (lambda: metrics.SparseTopKCategoricalAccuracy(k=1), np.array([0, 2, 2, 1]), np.array(
        [[0.8, 0.1, 0.1], [0.6, 0.3, 0.1], [0.1, 0.2, 0.7], [0.2, 0.5, 0.3]]),
     lambda t, p: (t == p.argmax(-1)).mean()),
]


@pytest.mark.parametrize("make_metric, y_true, y_pred, reference", ACCURACY_CASES,
                         ids=["accuracy%d" % i for i in range(len(ACCURACY_CASES))])
def test_accuracy_metrics(make_metric, y_true, y_pred, reference):
    metric = make_metric()
    result = metric(tf.constant(y_true.astype(np.float32)), tf.constant(y_pred.astype(np.float32)))
    got = K.get_session().run(result)
    np.testing.assert_allclose(got, reference(y_true, y_pred), rtol=1e-6)


Y_TRUE = RNG.uniform(0.1, 1, size=(7, 3)).astype(np.float32)
Y_PRED = RNG.uniform(0.1, 1, size=(7, 3)).astype(np.float32)


@pytest.mark.parametrize("metric_class, reference", [
    (metrics.MeanSquaredError, lambda t, p: ((t - p) ** 2).mean(-1)),
    (metrics.MeanAbsoluteError, lambda t, p: np.abs(t - p).mean(-1)),
    (metrics.MeanAbsolutePercentageError, lambda t, p: 100 * (np.abs(t - p) / t).mean(-1)),
    (metrics.MeanSquaredLogarithmicError, lambda t, p: ((np.log1p(t) - np.log1p(p)) ** 2).mean(-1)),
    (metrics.LogCoshError, lambda t, p: np.log(np.cosh(p - t)).mean(-1)),
    (metrics.Poisson, lambda t, p: (p - t * np.log(p + 1e-7)).mean(-1)),
    (metrics.CosineSimilarity, lambda t, p: (t * p).sum(-1) / np.linalg.norm(t, axis=-1) / np.linalg.norm(p, axis=-1)),
    (metrics.KLDivergence, lambda t, p: (t * np.log(t / p)).sum(-1)),
])
def test_mean_of_function_metrics_stream(metric_class, reference):
    results = _stream(metric_class(), _batches(Y_TRUE, Y_PRED))
    per_sample = reference(Y_TRUE.astype(np.float64), Y_PRED.astype(np.float64))
    np.testing.assert_allclose(results[0], per_sample[:3].mean(), rtol=1e-5)
    np.testing.assert_allclose(results[-1], per_sample.mean(), rtol=1e-5)


def test_root_mean_squared_error_weighted():
    weights = np.array([1., 2., 0., 1., 1., 3., 0.5], dtype=np.float32)
    results = _stream(metrics.RootMeanSquaredError(), _batches(Y_TRUE[:, 0], Y_PRED[:, 0], weights))
    expected = np.sqrt(np.sum(weights * (Y_TRUE[:, 0] - Y_PRED[:, 0]) ** 2) / weights.sum())
    np.testing.assert_allclose(results[-1], expected, rtol=1e-5)


def test_crossentropy_metrics():
    labels = np.array([0, 2, 1])
    probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0.2, 0.5, 0.3]], dtype=np.float32)
    sparse = metrics.SparseCategoricalCrossentropy()(labels, probs)
    dense = metrics.CategoricalCrossentropy()(np.eye(3, dtype=np.float32)[labels], probs)
    binary = metrics.BinaryCrossentropy()(np.eye(3, dtype=np.float32)[labels], probs)
    sess = K.get_session()
    expected = -np.log(probs[np.arange(3), labels]).mean()
    np.testing.assert_allclose(sess.run(sparse), expected, rtol=1e-5)
    np.testing.assert_allclose(sess.run(dense), expected, rtol=1e-5)
    onehot = np.eye(3)[labels]
    bce = -(onehot * np.log(probs) + (1 - onehot) * np.log(1 - probs)).mean()
    np.testing.assert_allclose(sess.run(binary), bce, rtol=1e-4)


LABELS = (RNG.uniform(size=40) > 0.5).astype(np.float32)
SCORES = np.clip(LABELS * 0.3 + RNG.uniform(size=40) * 0.7, 0, 1).astype(np.float32)


def _np_counts(threshold, weights=None):
    w = np.ones_like(LABELS) if weights is None else weights
    positive = SCORES > threshold
    return {"tp": np.sum(w * (positive & (LABELS == 1))), "fp": np.sum(w * (positive & (LABELS == 0))),
            "tn": np.sum(w * (~positive & (LABELS == 0))), "fn": np.sum(w * (~positive & (LABELS == 1)))}


@pytest.mark.parametrize("metric_class, cell", [(metrics.TruePositives, "tp"), (metrics.FalsePositives, "fp"),
                                                (metrics.TrueNegatives, "tn"), (metrics.FalseNegatives, "fn")])
def test_confusion_counts(metric_class, cell):
    weights = RNG.uniform(0, 2, 40).astype(np.float32)
    results = _stream(metric_class(thresholds=[0.3, 0.6]), _batches(LABELS, SCORES, weights, size=16))
    np.testing.assert_allclose(results[-1], [_np_counts(t, weights)[cell] for t in (0.3, 0.6)], rtol=1e-5)
    K.clear_session()
    single = _stream(metric_class(), _batches(LABELS, SCORES, size=16))
    np.testing.assert_allclose(single[-1], _np_counts(0.5)[cell])


def test_precision_recall():
    precision = _stream(metrics.Precision(), _batches(LABELS, SCORES, size=16))[-1]
    K.clear_session()
    recall = _stream(metrics.Recall(thresholds=[0.2, 0.8]), _batches(LABELS, SCORES, size=16))[-1]
    counts = _np_counts(0.5)
    np.testing.assert_allclose(precision, counts["tp"] / (counts["tp"] + counts["fp"]), rtol=1e-6)
    expected = [_np_counts(t)["tp"] / (_np_counts(t)["tp"] + _np_counts(t)["fn"]) for t in (0.2, 0.8)]
    np.testing.assert_allclose(recall, expected, rtol=1e-6)


def test_precision_top_k_and_class_id():
    y_true = np.array([[0, 0, 1, 1], [1, 0, 0, 1]], dtype=np.float32)
    y_pred = np.array([[0.9, 0.8, 0.7, 0.1], [0.2, 0.6, 0.95, 0.9]], dtype=np.float32)
    top2 = metrics.Precision(top_k=2)(y_true, y_pred)
    class_3 = metrics.Recall(class_id=3)(y_true, y_pred)
    sess = K.get_session()
    # top 2 of each row: (0, 1) and (2, 3) -> one true positive out of four predictions.
    np.testing.assert_allclose(sess.run(top2), 0.25)
    np.testing.assert_allclose(sess.run(class_3), 0.5)


def _np_auc(curve, num_thresholds=200, method="interpolation"):
    eps = 1e-7
    thresholds = [0 - eps] + [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)] + [1 + eps]
    c = [_np_counts(t) for t in thresholds]
    tp, fp, tn, fn = (np.array([x[k] for x in c], dtype=np.float64) for k in ("tp", "fp", "tn", "fn"))
    recall = np.divide(tp, tp + fn, out=np.zeros_like(tp), where=tp + fn > 0)
    if curve == "ROC":
        x, y = np.divide(fp, fp + tn, out=np.zeros_like(fp), where=fp + tn > 0), recall
    else:
        x, y = recall, np.divide(tp, tp + fp, out=np.zeros_like(tp), where=tp + fp > 0)
    heights = {"interpolation": (y[:-1] + y[1:]) / 2, "minoring": np.minimum(y[:-1], y[1:]),
               "majoring": np.maximum(y[:-1], y[1:])}[method]
    return np.sum((x[:-1] - x[1:]) * heights)


@pytest.mark.parametrize("curve, method", [("ROC", "interpolation"), ("ROC", "minoring"), ("ROC", "majoring"),
                                           ("PR", "majoring")])
def test_auc_riemann_sums(curve, method):
    got = _stream(metrics.AUC(curve=curve, summation_method=method), _batches(LABELS, SCORES, size=16))[-1]
    np.testing.assert_allclose(got, _np_auc(curve, method=method), rtol=1e-5)


def test_auc_pr_interpolation_close_to_average_precision():
    got = _stream(metrics.AUC(curve="PR", num_thresholds=1000), _batches(LABELS, SCORES, size=40))[-1]
    order = np.argsort(-SCORES)
    hits = LABELS[order]
    average_precision = np.sum(np.cumsum(hits) / np.arange(1, 41) * hits) / hits.sum()
    assert abs(got - average_precision) < 0.03


def test_sensitivity_specificity():
    sens = _stream(metrics.SensitivityAtSpecificity(0.8, num_thresholds=50), _batches(LABELS, SCORES, size=40))[-1]
    K.clear_session()
    spec = _stream(metrics.SpecificityAtSensitivity(0.8, num_thresholds=50), _batches(LABELS, SCORES, size=40))[-1]
    thresholds = [0 - 1e-7] + [(i + 1) / 49 for i in range(48)] + [1 + 1e-7]
    counts = [_np_counts(t) for t in thresholds]
    specificities = np.array([c["tn"] / (c["tn"] + c["fp"]) for c in counts])
    sensitivities = np.array([c["tp"] / (c["tp"] + c["fn"]) for c in counts])
    np.testing.assert_allclose(sens, sensitivities[np.argmin(np.abs(specificities - 0.8))], rtol=1e-6)
    np.testing.assert_allclose(spec, specificities[np.argmin(np.abs(sensitivities - 0.8))], rtol=1e-6)


def test_mean_iou():
    y_true = np.array([0, 0, 1, 1, 2, 2, 2])
    y_pred = np.array([0, 1, 1, 1, 2, 0, 2])
    weights = np.array([1, 1, 2, 1, 1, 0.5, 1], dtype=np.float32)
    results = _stream(metrics.MeanIoU(num_classes=4), [(y_true[:4], y_pred[:4], weights[:4]),
                                                        (y_true[4:], y_pred[4:], weights[4:])])
    matrix = np.zeros((4, 4))
    np.add.at(matrix, (y_true, y_pred), weights)
    tp = np.diag(matrix)
    denominator = matrix.sum(0) + matrix.sum(1) - tp
    valid = denominator > 0
    np.testing.assert_allclose(results[-1], np.mean(tp[valid] / denominator[valid]), rtol=1e-6)


def test_mean_tensor():
    metric = metrics.MeanTensor()
    first = metric([1.0, 2.0, 3.0])
    second = metric([3.0, 2.0, 1.0], sample_weight=[1.0, 0.0, 3.0])
    sess = K.get_session()
    sess.run(first)
    np.testing.assert_allclose(sess.run(second), [2.0, 2.0, 1.5])
    with pytest.raises(ValueError, match="must always have the same shape"):
        metric([1.0, 2.0])


def test_metric_functions():
    y_true = np.array([[0., 1.], [1., 0.]], dtype=np.float32)
    y_pred = np.array([[0.3, 0.7], [0.4, 0.6]], dtype=np.float32)
    sess = K.get_session()
    np.testing.assert_allclose(sess.run(metrics.binary_accuracy(y_true, y_pred)), [1.0, 0.0])
    np.testing.assert_allclose(sess.run(metrics.categorical_accuracy(y_true, y_pred)), [1.0, 0.0])
    np.testing.assert_allclose(sess.run(metrics.sparse_categorical_accuracy(np.array([1, 0]), y_pred)), [1.0, 0.0])
    np.testing.assert_allclose(sess.run(metrics.top_k_categorical_accuracy(y_true, y_pred, k=1)), [1.0, 0.0])
    np.testing.assert_allclose(sess.run(metrics.sparse_top_k_categorical_accuracy(
        np.array([[1], [0]]), y_pred, k=2)), [1.0, 1.0])
    assert metrics.mse is tf.keras.losses.mean_squared_error and metrics.get("mae") is metrics.mean_absolute_error
    assert metrics.cosine is tf.keras.losses.cosine_proximity


def test_metric_configs_and_errors():
    for metric in (metrics.BinaryAccuracy(threshold=0.3, name="acc"), metrics.AUC(num_thresholds=10, curve="PR"),
                   metrics.Precision(thresholds=[0.2, 0.4], top_k=None, class_id=1), metrics.MeanIoU(3),
                   metrics.SparseCategoricalCrossentropy(from_logits=True), metrics.Mean(name="m")):
        restored = metrics.deserialize(metrics.serialize(metric))
        assert type(restored) is type(metric) and restored.get_config() == metric.get_config()
    assert metrics.serialize(metrics.binary_accuracy) == "binary_accuracy"
    with pytest.raises(ValueError, match="Unknown metric function: nope"):
        metrics.get("nope")
    with pytest.raises(ValueError, match="Could not interpret metric function identifier: 7"):
        metrics.get(7)
    with pytest.raises(ValueError, match="Invalid curve: \"XY\""):
        metrics.AUC(curve="XY")
    with pytest.raises(ValueError, match="Threshold values must be in \\[0, 1\\]"):
        metrics.Precision(thresholds=[1.5])
    with pytest.raises(TypeError, match="unexpected keyword argument 'k'"):
        metrics.Accuracy(k=3)
    with pytest.raises(NotImplementedError):
        metrics.Metric().result()


def test_confusion_metrics_with_per_sample_weights_on_multilabel_data():
    y_true = (RNG.uniform(size=(6, 3)) > 0.5).astype(np.float32)
    y_pred = RNG.uniform(size=(6, 3)).astype(np.float32)
    weights = RNG.uniform(0, 2, 6).astype(np.float32)
    whole = metrics.Precision(thresholds=[0.3, 0.6])(y_true, y_pred, sample_weight=weights)
    one_class = metrics.Recall(class_id=1)(y_true, y_pred, sample_weight=weights)
    sess = K.get_session()
    w = np.repeat(weights[:, None], 3, axis=1)
    expected = [np.sum(w * (y_pred > t) * y_true) / np.sum(w * (y_pred > t)) for t in (0.3, 0.6)]
    np.testing.assert_allclose(sess.run(whole), expected, rtol=1e-5)
    positive = y_true[:, 1] == 1
    np.testing.assert_allclose(sess.run(one_class),
                               np.sum(weights * positive * (y_pred[:, 1] > 0.5)) / np.sum(weights * positive), rtol=1e-5)


def test_mean_relative_error():
    y_true = np.array([1.0, 2.0, 4.0, 3.0], np.float32)
    y_pred = np.array([2.0, 2.0, 1.0, 0.0], np.float32)
    normalizer = np.array([2.0, 1.0, 0.0, 3.0], np.float32)
    weights = np.array([1.0, 1.0, 1.0, 2.0], np.float32)
    metric = metrics.MeanRelativeError(normalizer=normalizer)
    result = metric(y_true, y_pred, sample_weight=weights)
    expected = np.sum(weights * np.array([0.5, 0.0, 0.0, 1.0])) / weights.sum()
    np.testing.assert_allclose(K.get_session().run(result), expected, rtol=1e-6)
    assert metric.get_config()["normalizer"] == normalizer.tolist()
