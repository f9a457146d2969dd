"""tf.metrics: each metric streamed over several random batches (with and without weights) against a
NumPy reference of everything seen so far; resets, collections, errors; tf.confusion_matrix."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import numflow as tf
from gradcheck import check_gradients

BATCH_SIZES = (5, 8, 3)
NUM_CLASSES = 4
THRESHOLDS = [0.0, 0.25, 0.5, 0.8, 1.0]
EPS = 1e-7


# --- NumPy references ------------------------------------------------------------------------------
def weighted_mean(values, weights):
    weights = np.broadcast_to(weights, np.shape(values))
    total = np.sum(weights)
    return np.sum(values * weights) / total if total else 0.0


def ratio_or(numerator, denominator, empty):
    return numerator / denominator if denominator else empty


def counts_at(labels, predictions, weights, thresholds):
    """{kind: per-threshold weighted counts}, positive meaning prediction > threshold."""
    labels = labels.astype(bool)
    out = {k: [] for k in ("tp", "fn", "tn", "fp")}
    for t in thresholds:
        positive = predictions > t
        out["tp"].append(np.sum(weights * (labels & positive)))
        out["fn"].append(np.sum(weights * (labels & ~positive)))
        out["tn"].append(np.sum(weights * (~labels & ~positive)))
        out["fp"].append(np.sum(weights * (~labels & positive)))
    return {k: np.array(v, dtype=np.float64) for k, v in out.items()}


def curve_thresholds(num_thresholds):
    return [-EPS] + [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)] + [1 + EPS]


def reference_auc(c, curve, method):
    tp, fn, tn, fp = c["tp"], c["fn"], c["tn"], c["fp"]
    if curve == "PR" and method == "careful_interpolation":
        area = 0.0
        for i in range(len(tp) - 1):   # precision = tp / p with tp linear in p = tp + fp on each interval
            p_hi, p_lo = tp[i] + fp[i], tp[i + 1] + fp[i + 1]
            dtp, dp = tp[i] - tp[i + 1], p_hi - p_lo
            slope = dtp / dp if dp > 0 else 0.0
            intercept = tp[i + 1] - slope * p_lo
            log_ratio = np.log(p_hi / p_lo) if p_hi > 0 and p_lo > 0 else 0.0
            positives = tp[i + 1] + fn[i + 1]
            area += slope * (dtp + intercept * log_ratio) / positives if positives > 0 else 0.0
        return area
    e = 1e-6
    rec = (tp + e) / (tp + fn + e)
    x, y = ((fp / (fp + tn + e), rec) if curve == "ROC" else (rec, (tp + e) / (tp + fp + e)))
    height = {"trapezoidal": (y[:-1] + y[1:]) / 2, "careful_interpolation": (y[:-1] + y[1:]) / 2,
              "minoring": np.minimum(y[:-1], y[1:]), "majoring": np.maximum(y[:-1], y[1:])}[method]
    return np.sum((x[:-1] - x[1:]) * height)


def confusion(labels, predictions, weights, n):
    cm = np.zeros((n, n))
    np.add.at(cm, (labels.ravel(), predictions.ravel()), np.broadcast_to(weights, labels.shape).ravel())
    return cm


def top_k_sets(scores, labels, k):
    """Per row: (set of the top-k ids, set of the labels)."""
    order = np.argsort(-scores, axis=-1, kind="stable")[:, :k]
    return [(set(order[r].tolist()), set(np.atleast_1d(labels[r]).tolist())) for r in range(len(scores))]


def at_k_counts(rows, class_id):
    tp, fp, fn = [], [], []
    for top, labels in rows:
        if class_id is not None:
            top, labels = top & {class_id}, labels & {class_id}
        tp.append(len(top & labels))
        fp.append(len(top - labels))
        fn.append(len(labels - top))
    return np.array(tp), np.array(fp), np.array(fn)


def average_precision(scores, labels, k):
    order = np.argsort(-scores, axis=-1, kind="stable")[:, :k]
    labels = labels.reshape(len(scores), -1)
    out = []
    for r in range(len(scores)):
        relevant = np.isin(order[r], labels[r])
        precisions = np.cumsum(relevant) / np.arange(1, k + 1)
        out.append(np.sum(precisions * relevant) / min(labels.shape[1], k))
    return np.array(out)


# --- batches -----------------------------------------------------------------------------------------
def class_batch(rng, n):
    return {"labels": rng.randint(0, NUM_CLASSES, n).astype(np.int64),
            "predictions": rng.randint(0, NUM_CLASSES, n).astype(np.int64)}


def binary_batch(rng, n):
    return {"labels": rng.randint(0, 2, n).astype(np.int64), "predictions": rng.randint(0, 2, n).astype(np.int64)}


def scored_batch(rng, n):
    return {"labels": rng.rand(n) > 0.4, "predictions": rng.rand(n).astype(np.float32)}


def regression_batch(rng, n):
    normalizer = (rng.rand(n) + 0.5).astype(np.float32)
    normalizer[rng.rand(n) < 0.3] = 0.0
    return {"labels": rng.randn(n).astype(np.float32), "predictions": rng.randn(n).astype(np.float32),
            "normalizer": normalizer}


def unit_rows_batch(rng, n):
    a, b = rng.randn(n, 3), rng.randn(n, 3)
    return {"labels": (a / np.linalg.norm(a, axis=1, keepdims=True)).astype(np.float32),
            "predictions": (b / np.linalg.norm(b, axis=1, keepdims=True)).astype(np.float32)}


def top_k_batch(rng, n):
    # label ids -1 and 6 lie outside [0, 6): never predicted, so never matched.
    return {"labels": rng.randint(-1, 7, (n, 3)).astype(np.int64), "predictions": rng.rand(n, 6).astype(np.float32)}


def single_label_top_k_batch(rng, n):
    return {"labels": rng.randint(0, 6, n).astype(np.int64), "predictions": rng.rand(n, 6).astype(np.float32)}


def top_k_ids_batch(rng, n):
    batch = top_k_batch(rng, n)
    batch["predictions"] = np.argsort(-batch["predictions"], axis=-1)[:, :2].astype(np.int32)
    return batch


# --- the cases: build(inputs, weights) -> (value, update); reference(data, weights) -> value ---------
def lp(metric, **kwargs):
    return lambda x, w: metric(x["labels"], x["predictions"], weights=w, **kwargs)


def at_k_ratio(kind, k, class_id=None, given_ids=False):
    def reference(d, w):
        if given_ids:
            rows = [(set(d["predictions"][r].tolist()), set(d["labels"][r].tolist())) for r in range(len(w))]
        else:
            rows = top_k_sets(d["predictions"], d["labels"], k)
        tp, fp, fn = at_k_counts(rows, class_id)
        other = fp if kind == "precision" else fn
        return ratio_or(np.sum(w * tp), np.sum(w * (tp + other)), np.nan)
    return reference


def threshold_counts(kind):
    return lambda d, w: counts_at(d["labels"], d["predictions"], w, THRESHOLDS)[kind]


def class_count(condition):
    return lambda d, w: np.sum(w * condition(d["labels"].astype(bool), d["predictions"].astype(bool)))


def binary_ratio(other):
    def reference(d, w):
        l, p = d["labels"].astype(bool), d["predictions"].astype(bool)
        tp = np.sum(w * (l & p))
        return ratio_or(tp, tp + np.sum(w * other(l, p)), 0.0)
    return reference


def rate_at_rate(target, sensitivity_wanted):
    def reference(d, w):
        c = counts_at(d["labels"], d["predictions"], w, curve_thresholds(200))
        if sensitivity_wanted:
            distance = np.abs(c["tn"] / (c["tn"] + c["fp"] + EPS) - target)
            i = int(np.argmin(distance))
            return c["tp"][i] / (c["tp"][i] + c["fn"][i] + EPS)
        distance = np.abs(c["tp"] / (c["tp"] + c["fn"] + EPS) - target)
        i = int(np.flatnonzero(distance == distance.min())[-1])
        return c["tn"][i] / (c["tn"][i] + c["fp"][i] + EPS)
    return reference


def mean_iou_reference(d, w):
    cm = confusion(d["labels"], d["predictions"], w, NUM_CLASSES)
    diagonal = np.diag(cm)
    union = cm.sum(0) + cm.sum(1) - diagonal
    present = union != 0
    return np.sum(diagonal[present] / union[present]) / present.sum() if present.any() else 0.0


def per_class_accuracies(d, w):
    w = np.broadcast_to(w, d["labels"].shape)
    correct = d["labels"] == d["predictions"]
    return np.array([ratio_or(np.sum(w[d["labels"] == c] * correct[d["labels"] == c]),
                              np.sum(w[d["labels"] == c]), 0.0) for c in range(NUM_CLASSES)])


def auc_case(curve, method, num_thresholds=50, thresholds=None):
    def build(x, w):
        return tf.metrics.auc(x["labels"], x["predictions"], w, num_thresholds=num_thresholds, curve=curve,
                              summation_method=method, thresholds=thresholds)

    def reference(d, w):
        points = curve_thresholds(num_thresholds) if thresholds is None else [-EPS] + sorted(thresholds) + [1 + EPS]
        return reference_auc(counts_at(d["labels"], d["predictions"], w, points), curve, method)
    return (build, scored_batch, reference)


CASES = {
    "accuracy": (lp(tf.metrics.accuracy), class_batch,
                 lambda d, w: weighted_mean(d["labels"] == d["predictions"], w)),
    "mean": (lambda x, w: tf.metrics.mean(x["predictions"], w), regression_batch,
             lambda d, w: weighted_mean(d["predictions"], w)),
    "percentage_below": (lambda x, w: tf.metrics.percentage_below(x["predictions"], 0.2, w), regression_batch,
                         lambda d, w: weighted_mean(d["predictions"] < 0.2, w)),
    "mean_absolute_error": (lp(tf.metrics.mean_absolute_error), regression_batch,
                            lambda d, w: weighted_mean(np.abs(d["predictions"] - d["labels"]), w)),
    "mean_squared_error": (lp(tf.metrics.mean_squared_error), regression_batch,
                           lambda d, w: weighted_mean((d["predictions"] - d["labels"]) ** 2, w)),
    "root_mean_squared_error": (lp(tf.metrics.root_mean_squared_error), regression_batch,
                                lambda d, w: np.sqrt(weighted_mean((d["predictions"] - d["labels"]) ** 2, w))),
    "mean_relative_error": (
        lambda x, w: tf.metrics.mean_relative_error(x["labels"], x["predictions"], x["normalizer"], w),
        regression_batch,
        lambda d, w: weighted_mean(np.where(d["normalizer"] == 0, 0.0, np.abs(d["labels"] - d["predictions"])
                                            / np.where(d["normalizer"] == 0, 1.0, d["normalizer"])), w)),
    "mean_cosine_distance": (lp(tf.metrics.mean_cosine_distance, dim=1), unit_rows_batch,
                             lambda d, w: 1.0 - weighted_mean(
                                 np.sum(d["labels"] * d["predictions"], 1, keepdims=True), w)),
    "true_positives": (lp(tf.metrics.true_positives), binary_batch, class_count(lambda l, p: l & p)),
    "false_positives": (lp(tf.metrics.false_positives), binary_batch, class_count(lambda l, p: ~l & p)),
    "true_negatives": (lp(tf.metrics.true_negatives), binary_batch, class_count(lambda l, p: ~l & ~p)),
    "false_negatives": (lp(tf.metrics.false_negatives), binary_batch, class_count(lambda l, p: l & ~p)),
    "precision": (lp(tf.metrics.precision), binary_batch, binary_ratio(lambda l, p: ~l & p)),
    "recall": (lp(tf.metrics.recall), binary_batch, binary_ratio(lambda l, p: l & ~p)),
    "true_positives_at_thresholds": (lp(tf.metrics.true_positives_at_thresholds, thresholds=THRESHOLDS),
                                     scored_batch, threshold_counts("tp")),
    "false_positives_at_thresholds": (lp(tf.metrics.false_positives_at_thresholds, thresholds=THRESHOLDS),
                                      scored_batch, threshold_counts("fp")),
    "true_negatives_at_thresholds": (lp(tf.metrics.true_negatives_at_thresholds, thresholds=THRESHOLDS),
                                     scored_batch, threshold_counts("tn")),
    "false_negatives_at_thresholds": (lp(tf.metrics.false_negatives_at_thresholds, thresholds=THRESHOLDS),
                                      scored_batch, threshold_counts("fn")),
    "precision_at_thresholds": (
        lp(tf.metrics.precision_at_thresholds, thresholds=THRESHOLDS), scored_batch,
        lambda d, w: (lambda c: c["tp"] / (c["tp"] + c["fp"] + EPS))(
            counts_at(d["labels"], d["predictions"], w, THRESHOLDS))),
    "recall_at_thresholds": (
        lp(tf.metrics.recall_at_thresholds, thresholds=THRESHOLDS), scored_batch,
        lambda d, w: (lambda c: c["tp"] / (c["tp"] + c["fn"] + EPS))(
            counts_at(d["labels"], d["predictions"], w, THRESHOLDS))),
    "auc_roc_trapezoidal": auc_case("ROC", "trapezoidal"),
    "auc_roc_careful_interpolation": auc_case("ROC", "careful_interpolation"),
    "auc_roc_minoring": auc_case("ROC", "minoring"),
    "auc_roc_majoring_given_thresholds": auc_case("ROC", "majoring", thresholds=[0.7, 0.1, 0.4]),
    "auc_pr_trapezoidal": auc_case("PR", "trapezoidal"),
    "auc_pr_careful_interpolation": auc_case("PR", "careful_interpolation"),
    "auc_pr_minoring": auc_case("PR", "minoring"),
    "auc_pr_majoring": auc_case("PR", "majoring"),
    "sensitivity_at_specificity": (lp(tf.metrics.sensitivity_at_specificity, specificity=0.6), scored_batch,
                                   rate_at_rate(0.6, sensitivity_wanted=True)),
    "specificity_at_sensitivity": (lp(tf.metrics.specificity_at_sensitivity, sensitivity=0.7), scored_batch,
                                   rate_at_rate(0.7, sensitivity_wanted=False)),
    "mean_iou": (lp(tf.metrics.mean_iou, num_classes=NUM_CLASSES), class_batch, mean_iou_reference),
    "mean_per_class_accuracy": (lp(tf.metrics.mean_per_class_accuracy, num_classes=NUM_CLASSES), class_batch,
                                lambda d, w: np.mean(per_class_accuracies(d, w))),
    "precision_at_k": (lp(tf.metrics.precision_at_k, k=2), top_k_batch, at_k_ratio("precision", 2)),
    "precision_at_k_class_id": (lp(tf.metrics.precision_at_k, k=2, class_id=3), top_k_batch,
                                at_k_ratio("precision", 2, 3)),
    "sparse_precision_at_k": (lp(tf.metrics.sparse_precision_at_k, k=3), single_label_top_k_batch,
                              at_k_ratio("precision", 3)),
    "recall_at_k": (lp(tf.metrics.recall_at_k, k=2), top_k_batch, at_k_ratio("recall", 2)),
    "recall_at_k_class_id": (lp(tf.metrics.recall_at_k, k=3, class_id=1), top_k_batch, at_k_ratio("recall", 3, 1)),
    "precision_at_top_k": (lambda x, w: tf.metrics.precision_at_top_k(x["labels"], x["predictions"], weights=w),
                           top_k_ids_batch, at_k_ratio("precision", 2, given_ids=True)),
    "recall_at_top_k": (lambda x, w: tf.metrics.recall_at_top_k(x["labels"], x["predictions"], k=2, weights=w),
                        top_k_ids_batch, at_k_ratio("recall", 2, given_ids=True)),
    "average_precision_at_k": (lp(tf.metrics.average_precision_at_k, k=3), top_k_batch,
                               lambda d, w: weighted_mean(average_precision(d["predictions"], d["labels"], 3), w)),
    "sparse_average_precision_at_k": (
        lp(tf.metrics.sparse_average_precision_at_k, k=2), single_label_top_k_batch,
        lambda d, w: weighted_mean(average_precision(d["predictions"], d["labels"], 2), w)),
}

# The update op returns something other than the value for these two (as in TF).
UPDATE_REFERENCES = {
    "mean_iou": lambda d, w: confusion(d["labels"], d["predictions"], w, NUM_CLASSES),
    "mean_per_class_accuracy": per_class_accuracies,
}


def make_batches(case_name, weighted, seed=0):
    rng = np.random.RandomState(seed)
    batches = []
    for n in BATCH_SIZES:
        batch = CASES[case_name][1](rng, n)
        weight_shape = (n, 1) if case_name == "mean_cosine_distance" else (n,)
        batch["weights"] = (rng.rand(*weight_shape) * (rng.rand(*weight_shape) > 0.2)).astype(np.float32) \
            if weighted else np.ones(weight_shape, np.float32)
        batches.append(batch)
    return batches


def stream_and_check(case_name, weighted, batches=None):
    build, _, reference = CASES[case_name]
    batches = batches or make_batches(case_name, weighted)
    first = batches[0]
    placeholders = {key: tf.placeholder(tf.as_dtype(value.dtype), [None] + list(value.shape[1:]), name=key)
                    for key, value in first.items() if key != "weights"}
    weights = tf.placeholder(tf.float32, [None] + list(first["weights"].shape[1:])) if weighted else None
    value, update = build(placeholders, weights)
    update_reference = UPDATE_REFERENCES.get(case_name, reference)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        initial = sess.run(value)
        for step in range(len(batches)):
            feed = {placeholders[k]: batches[step][k] for k in placeholders}
            if weighted:
                feed[weights] = batches[step]["weights"]
            seen = {k: np.concatenate([b[k] for b in batches[:step + 1]]) for k in batches[0]}
            w = seen["weights"]
            updated = sess.run(update, feed)
            np.testing.assert_allclose(updated, update_reference(seen, w), rtol=2e-5, atol=1e-6)
            # The value op only reads: twice the same, equal to the reference, no feed needed.
            np.testing.assert_allclose(sess.run(value), reference(seen, w), rtol=2e-5, atol=1e-6)
            np.testing.assert_array_equal(sess.run(value), sess.run(value))
        sess.run(tf.local_variables_initializer())
        np.testing.assert_array_equal(sess.run(value), initial)
    return initial


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("case_name", sorted(CASES))
def test_streaming_values_match_numpy(case_name, weighted):
    stream_and_check(case_name, weighted)


@pytest.mark.parametrize("case_name", sorted(CASES))
def test_accumulators_are_local_metric_variables_and_start_at_zero(case_name):
    graph = tf.get_default_graph()
    build, make, _ = CASES[case_name]
    batch = make(np.random.RandomState(1), 4)
    inputs = {k: tf.constant(v) for k, v in batch.items()}
    value, update = build(inputs, None)
    local = tf.local_variables()
    assert local and set(local) == set(graph.get_collection(tf.GraphKeys.METRIC_VARIABLES))
    assert not tf.global_variables() and not tf.trainable_variables()
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        for variable in local:
            assert not np.any(sess.run(variable))


def test_empty_streams_read_zero_or_nan():
    labels, scores = tf.placeholder(tf.int64, [None, 2]), tf.placeholder(tf.float32, [None, 5])
    empty = [tf.metrics.mean(tf.placeholder(tf.float32))[0], tf.metrics.precision(labels, labels)[0],
             tf.metrics.auc(tf.placeholder(tf.bool), tf.placeholder(tf.float32))[0],
             tf.metrics.average_precision_at_k(labels, scores, 2)[0]]
    undefined = [tf.metrics.precision_at_k(labels, scores, 2)[0], tf.metrics.recall_at_k(labels, scores, 1)[0]]
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        assert sess.run(empty)[:2] == [0.0, 0.0] and sess.run(empty)[3] == 0.0
        assert all(np.isnan(v) for v in sess.run(undefined))
        # class_id never in the top k (outside [0, num_classes)): NaN, as TF documents.
        value, update = tf.metrics.precision_at_k(labels, scores, 2, class_id=9)
        sess.run(tf.local_variables_initializer())
        assert np.isnan(sess.run(update, {labels: [[1, 2]], scores: np.eye(5)[:1]}))


def test_update_then_value_agree_and_names():
    values = tf.placeholder(tf.float32, [None])
    value, update = tf.metrics.mean(values, name="my_mean")
    value2, _ = tf.metrics.accuracy([1, 2], [1, 3])
    value3, _ = tf.metrics.accuracy([1, 2], [1, 3])
    assert value.name == "my_mean/value:0" and update.name == "my_mean/update_op:0"
    assert value2.name == "accuracy/value:0" and value3.name == "accuracy_1/value:0"
    assert [v.op.name for v in tf.local_variables()][:2] == ["my_mean/total", "my_mean/count"]
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        assert sess.run(update, {values: [1.0, 2.0]}) == 1.5
        assert sess.run(value) == 1.5
        assert sess.run(update, {values: [6.0]}) == 3.0
        assert sess.run([value, value2]) == [3.0, 0.0]   # accuracy's update never ran


def test_metrics_and_updates_collections():
    labels, predictions = tf.constant([True, False]), tf.constant([True, True])
    value, update = tf.metrics.precision(labels, predictions, metrics_collections=["m"],
                                         updates_collections=["u", "v"])
    assert tf.get_collection("m") == [value]
    assert tf.get_collection("u") == [update] and tf.get_collection("v") == [update]
    value, update = tf.metrics.auc(labels, tf.constant([0.5, 0.25]), metrics_collections="m")
    assert tf.get_collection("m")[-1] is value
    value, update = tf.metrics.recall_at_k(tf.constant([[1]], tf.int64), tf.constant([[0.1, 0.9]]), 1,
                                           updates_collections=[tf.GraphKeys.UPDATE_OPS])
    assert tf.get_collection(tf.GraphKeys.UPDATE_OPS) == [update]


def test_squeezable_dimensions_and_weight_ranks():
    # labels [n, 1] against predictions [n]; weights [n, 1]: both trailing dims are dropped.
    value, update = tf.metrics.accuracy(tf.constant([[1], [2], [3]]), tf.constant([1, 0, 3]),
                                        weights=tf.constant([[1.0], [2.0], [3.0]]))
    # predictions [n, 2] and weights [n]: weights gain a trailing dimension and broadcast.
    value2, update2 = tf.metrics.mean_squared_error(tf.constant([[0.0, 1.0], [2.0, 2.0]]),
                                                    tf.constant([[1.0, 1.0], [0.0, 2.0]]),
                                                    weights=tf.constant([1.0, 3.0]))
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        assert sess.run(update) == pytest.approx(4.0 / 6.0)
        assert sess.run(update2) == pytest.approx((1.0 + 3 * 4.0) / 8.0)


def test_mean_tensor_elementwise_stream():
    rng = np.random.RandomState(3)
    batches = [rng.randn(2, 3).astype(np.float32) for _ in range(3)]
    weights = [(rng.rand(2, 1) * (rng.rand(2, 1) > 0.3)).astype(np.float32) for _ in range(3)]
    values = tf.placeholder(tf.float32, [2, 3])
    w = tf.placeholder(tf.float32, [2, 1])
    value, update = tf.metrics.mean_tensor(values, w)
    plain_value, plain_update = tf.metrics.mean_tensor(values)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        np.testing.assert_array_equal(sess.run(value), np.zeros((2, 3)))
        for step in range(3):
            got, plain = sess.run([update, plain_update], {values: batches[step], w: weights[step]})
            total = sum(b * ww for b, ww in zip(batches[:step + 1], weights[:step + 1]))
            count = sum(np.broadcast_to(ww, (2, 3)) for ww in weights[:step + 1])
            expected = np.where(count > 0, total / np.where(count > 0, count, 1), 0.0)
            np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
            np.testing.assert_allclose(plain, np.mean(batches[:step + 1], axis=0), rtol=1e-5)
            np.testing.assert_allclose(sess.run(value), got)
    assert [v.op.name for v in tf.local_variables()][:2] == ["mean/total_tensor", "mean/count_tensor"]
    with pytest.raises(ValueError, match="fully defined shape"):
        tf.metrics.mean_tensor(tf.placeholder(tf.float32, [None, 3]))


def test_roc_auc_approaches_the_rank_statistic():
    rng = np.random.RandomState(5)
    labels = rng.rand(400) > 0.5
    scores = np.clip(rng.rand(400) * 0.7 + labels * 0.3, 0, 1).astype(np.float32)
    value, update = tf.metrics.auc(labels, scores, num_thresholds=2000)
    positives, negatives = scores[labels], scores[~labels]
    mann_whitney = np.mean(positives[:, None] > negatives[None, :])
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        assert abs(sess.run(update) - mann_whitney) < 2e-3


def test_values_dtypes():
    labels, scores = tf.constant([[1]], tf.int64), tf.constant([[0.1, 0.9]])
    assert tf.metrics.mean(tf.constant([1.0], tf.float64))[0].dtype == tf.float32
    assert tf.metrics.true_positives([True], [True])[0].dtype == tf.float32
    assert tf.metrics.precision_at_k(labels, scores, 1)[0].dtype == tf.float64
    assert tf.metrics.average_precision_at_k(labels, scores, 1)[0].dtype == tf.float64
    assert tf.metrics.mean_iou([1], [1], 2)[1].dtype == tf.float64
    assert tf.metrics.auc([True], [0.5])[0].dtype == tf.float32


# --- errors ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("metric", [tf.metrics.accuracy, tf.metrics.precision, tf.metrics.recall,
                                    tf.metrics.true_positives, tf.metrics.mean_squared_error,
                                    tf.metrics.mean_absolute_error, tf.metrics.auc,
                                    tf.metrics.root_mean_squared_error])
def test_shape_mismatch_is_value_error(metric):
    with pytest.raises(ValueError, match=r"Shapes \(3,\) and \(4,\) are incompatible"):
        metric(tf.placeholder(tf.float32, [4]), tf.placeholder(tf.float32, [3]))


def test_unbroadcastable_weights_are_value_error():
    values = tf.placeholder(tf.float32, [4, 3])
    with pytest.raises(ValueError, match="weights can not be broadcast to values"):
        tf.metrics.mean(values, tf.placeholder(tf.float32, [4, 2]))
    with pytest.raises(ValueError, match="weights can not be broadcast to values"):
        tf.metrics.precision_at_k(tf.constant([[1]], tf.int64), tf.constant([[0.1, 0.9]]), 1,
                                  weights=tf.constant([1.0, 2.0]))


@pytest.mark.parametrize("build", [
    lambda l, p: tf.metrics.auc(l, p),
    lambda l, p: tf.metrics.precision_at_thresholds(l, p, [0.5]),
    lambda l, p: tf.metrics.true_negatives_at_thresholds(l, p, [0.5]),
    lambda l, p: tf.metrics.specificity_at_sensitivity(l, p, 0.5),
])
@pytest.mark.parametrize("bad", [1.5, -0.25])
def test_threshold_metrics_reject_predictions_outside_unit_interval(build, bad):
    labels, predictions = tf.placeholder(tf.bool, [None]), tf.placeholder(tf.float32, [None])
    value, update = build(labels, predictions)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"predictions must be in \[0, 1\]"):
            sess.run(update, {labels: [True, False], predictions: [0.5, bad]})
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"predictions must be in \[0, 1\]"):
        build(tf.constant([True]), tf.constant([bad]))   # known before running: refused while building


def test_invalid_arguments_are_value_errors():
    labels, scores = tf.constant([True, False]), tf.constant([0.2, 0.7])
    with pytest.raises(ValueError, match="curve must be either ROC or PR, ROCK unknown"):
        tf.metrics.auc(labels, scores, curve="ROCK")
    with pytest.raises(ValueError, match="Invalid summation_method: simpson"):
        tf.metrics.auc(labels, scores, summation_method="simpson")
    with pytest.raises(ValueError, match="num_thresholds must be at least 2"):
        tf.metrics.auc(labels, scores, num_thresholds=1)
    with pytest.raises(ValueError, match=r"`specificity` must be in the range \[0, 1\]"):
        tf.metrics.sensitivity_at_specificity(labels, scores, 1.5)
    with pytest.raises(ValueError, match=r"`sensitivity` must be in the range \[0, 1\]"):
        tf.metrics.specificity_at_sensitivity(labels, scores, -0.1)
    ids, rows = tf.constant([[1, 2]], tf.int64), tf.constant([[0.1, 0.5, 0.4]])
    with pytest.raises(ValueError, match="Invalid k=0"):
        tf.metrics.average_precision_at_k(ids, rows, 0)
    with pytest.raises(ValueError, match="Unexpected labels shape"):
        tf.metrics.recall_at_k(tf.constant([[[1]]], tf.int64), rows, 1)
    with pytest.raises(ValueError, match=r"Unexpected labels shape \(a SparseTensor of rank 3\)"):
        tf.metrics.recall_at_k(tf.SparseTensorValue([[0, 0, 0]], [1], [1, 1, 1]), rows, 1)
    with pytest.raises(ValueError, match="known rank"):
        tf.metrics.precision_at_k(tf.placeholder(tf.int64), rows, 1)
    with pytest.raises(TypeError, match="predictions_idx must be an integer tensor"):
        tf.metrics.precision_at_top_k(ids, rows)
    with pytest.raises(ValueError, match=r"Shapes \(2,\) and \(3,\) are incompatible"):
        tf.metrics.mean_iou(tf.constant([1, 2, 3]), tf.constant([1, 2]), 4)


def test_mean_per_class_accuracy_rejects_labels_out_of_range():
    labels, predictions = tf.placeholder(tf.int64, [None]), tf.placeholder(tf.int64, [None])
    value, update = tf.metrics.mean_per_class_accuracy(labels, predictions, 3)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[1\] = 5 is not in \[0, 3\)"):
            sess.run(update, {labels: [0, 5], predictions: [0, 1]})


# --- tf.confusion_matrix ------------------------------------------------------------------------------
@settings(max_examples=25, deadline=None)
@given(st.integers(1, 12), st.integers(1, 5), st.booleans(), st.integers(0, 2 ** 16))
def test_confusion_matrix_matches_numpy(n, num_classes, weighted, seed):
    rng = np.random.RandomState(seed)
    labels = rng.randint(0, num_classes, n)
    predictions = rng.randint(0, num_classes, n)
    weights = rng.rand(n).astype(np.float32) if weighted else np.ones(n, np.float32)
    given_weights = weights if weighted else None
    with tf.Graph().as_default():
        fixed = tf.confusion_matrix(labels, predictions, num_classes, weights=given_weights, dtype=tf.float32)
        inferred = tf.math.confusion_matrix(labels, predictions)
        assert fixed.shape.as_list() == [num_classes, num_classes]
        with tf.Session() as sess:
            got, got_inferred = sess.run([fixed, inferred])
    np.testing.assert_allclose(got, confusion(labels, predictions, weights, num_classes), rtol=1e-6)
    size = max(labels.max(), predictions.max()) + 1
    assert got_inferred.dtype == np.int32
    np.testing.assert_array_equal(got_inferred, confusion(labels, predictions, 1, size).astype(np.int32))


def test_confusion_matrix_errors():
    labels, predictions = tf.placeholder(tf.int32, [None]), tf.placeholder(tf.int32, [None])
    bounded = tf.confusion_matrix(labels, predictions, 3)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="`labels` contains negative values"):
            sess.run(bounded, {labels: [0, -1], predictions: [0, 1]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="`predictions` out of bound"):
            sess.run(bounded, {labels: [0, 1], predictions: [0, 3]})
    with pytest.raises(ValueError, match=r"Shapes \(3,\) and \(2,\) are incompatible"):
        tf.confusion_matrix([0, 1, 2], [0, 1, 2], 3, weights=[1.0, 2.0])


def test_weighted_bincount_values_and_gradient():
    from numflow.ops.metrics_impl import _weighted_bincount
    ids = np.array([[0, 2], [2, 3]], np.int64)

    def build(weights):
        return _weighted_bincount(tf.constant(ids), weights, 5)
    counts = tf.Session().run(build(tf.constant([[1, 2], [3, 4]], tf.int64)))
    np.testing.assert_array_equal(counts, [1, 0, 5, 4, 0])
    assert counts.dtype == np.int64
    check_gradients(build, [np.array([[0.5, 1.5], [2.0, -1.0]])])


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 3), st.integers(1, 3), st.integers(2, 6), st.integers(1, 4), st.integers(0, 2 ** 16))
def test_top_k_metrics_on_rank_3_predictions(d1, d2, num_classes, num_labels, seed):
    """Rows are [D1, D2] (N = 2): every top-k metric flattens them the same way as one batch of rows."""
    rng = np.random.RandomState(seed)
    k = rng.randint(1, num_classes + 1)
    scores = rng.rand(d1, d2, num_classes).astype(np.float32)
    labels = rng.randint(-1, num_classes + 1, (d1, d2, num_labels)).astype(np.int64)
    weights = rng.rand(d1, d2).astype(np.float32)
    class_id = int(rng.randint(0, num_classes))
    with tf.Graph().as_default():
        updates = [tf.metrics.precision_at_k(labels, scores, k, weights=weights)[1],
                   tf.metrics.recall_at_k(labels, scores, k, weights=weights)[1],
                   tf.metrics.recall_at_k(labels, scores, k, class_id=class_id)[1],
                   tf.metrics.average_precision_at_k(labels, scores, k, weights=weights)[1]]
        with tf.Session() as sess:
            sess.run(tf.local_variables_initializer())
            got = sess.run(updates)
    rows = dict(predictions=scores.reshape(-1, num_classes), labels=labels.reshape(-1, num_labels))
    w = weights.ravel()
    expected = [at_k_ratio("precision", k)(rows, w), at_k_ratio("recall", k)(rows, w),
                at_k_ratio("recall", k, class_id)(rows, np.ones_like(w)),
                weighted_mean(average_precision(rows["predictions"], rows["labels"], k), w)]
    np.testing.assert_allclose(got, expected, rtol=1e-5, equal_nan=True)


def test_top_k_metrics_with_sparse_labels():
    """Rows with different numbers of labels (repeats and an id outside [0, 5) included), fed as a
    SparseTensorValue: padding never counts; the average precision divides by min(distinct labels, k)."""
    rows = [[1, 3], [2], [4, 4, 0], [7], []]
    indices = np.array([[r, j] for r, row in enumerate(rows) for j in range(len(row))], np.int64)
    values = np.array([v for row in rows for v in row], np.int64)
    sparse = tf.SparseTensorValue(indices, values, np.array([len(rows), 3], np.int64))
    scores = np.random.RandomState(7).rand(len(rows), 5).astype(np.float32)
    weights = np.array([1.0, 0.5, 2.0, 1.0, 3.0], np.float32)
    k = 2
    labels = tf.sparse_placeholder(tf.int64)
    updates = [tf.metrics.precision_at_k(labels, scores, k, weights=weights)[1],
               tf.metrics.recall_at_k(labels, scores, k, weights=weights)[1],
               tf.metrics.recall_at_k(labels, scores, k, class_id=4)[1],
               tf.metrics.average_precision_at_k(labels, scores, k, weights=weights)[1]]
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        got = sess.run(updates, {labels: sparse})
    top = np.argsort(-scores, axis=-1)[:, :k]
    sets = [(set(top[r].tolist()), set(rows[r])) for r in range(len(rows))]
    tp, fp, fn = at_k_counts(sets, None)
    ctp, _, cfn = at_k_counts(sets, 4)
    ap = []
    for r, row in enumerate(rows):
        relevant = np.isin(top[r], row)
        divisor = min(len(set(row)), k)
        ap.append(np.sum(np.cumsum(relevant) / np.arange(1, k + 1) * relevant) / divisor if divisor else np.nan)
    ap = np.array(ap)
    assert np.isnan(ap[-1])   # a row without labels: 0 / 0, as TF's division gives
    expected = [np.sum(weights * tp) / np.sum(weights * (tp + fp)),
                np.sum(weights * tp) / np.sum(weights * (tp + fn)), np.sum(ctp) / np.sum(ctp + cfn), np.nan]
    np.testing.assert_allclose(got, expected, rtol=1e-6, equal_nan=True)
    # Without the empty row the average precision is finite and as computed by hand.
    with tf.Graph().as_default():
        kept = tf.SparseTensorValue(indices, values, np.array([4, 3], np.int64))
        value, update = tf.metrics.average_precision_at_k(kept, scores[:4], k, weights=weights[:4])
        with tf.Session() as sess:
            sess.run(tf.local_variables_initializer())
            np.testing.assert_allclose(sess.run(update), np.sum(weights[:4] * ap[:4]) / np.sum(weights[:4]))
