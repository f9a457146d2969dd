"""`tf.contrib.metrics` (also `slim.metrics`): TF1's `streaming_*` metrics.

Each is the `tf.metrics` function of the same meaning with TF1 contrib's argument order (predictions
before labels) and returns `(value, update_op)`: `value` reads the local accumulator variables,
`update_op` folds in a batch and returns the updated value. Run `tf.local_variables_initializer()` first.
`aggregate_metrics` / `aggregate_metric_map` regroup several such pairs.
"""
import numflow as tf

from .. import metrics as _metrics
from ..ops.metrics_impl import (_check_num_thresholds, _confusion_at_thresholds,  # noqa: F401 - and the
                                _evenly_spaced_thresholds, _finish, _metric_variable, confusion_matrix)  # core one
from ..sets import set_difference, set_intersection, set_size, set_union  # noqa: F401 - the tf.sets functions
from ..variable_scope import variable_scope

__all__ = ["accuracy", "aggregate_metric_map", "aggregate_metrics", "cohen_kappa", "confusion_matrix", "count",
           "f1_score", "precision_at_recall", "recall_at_precision", "set_difference", "set_intersection",
           "set_size", "set_union", "sparse_recall_at_top_k", "streaming_accuracy", "streaming_curve_points",
           "streaming_auc", "streaming_concat", "streaming_covariance", "streaming_false_negative_rate",
           "streaming_false_negative_rate_at_thresholds", "streaming_false_negatives",
           "streaming_false_negatives_at_thresholds", "streaming_false_positive_rate",
           "streaming_false_positive_rate_at_thresholds", "streaming_false_positives",
           "streaming_false_positives_at_thresholds",
           "streaming_mean", "streaming_mean_absolute_error", "streaming_mean_cosine_distance",
           "streaming_mean_iou", "streaming_mean_relative_error", "streaming_mean_squared_error",
           "streaming_mean_tensor", "streaming_pearson_correlation", "streaming_percentage_less",
           "streaming_precision", "streaming_precision_at_thresholds", "streaming_recall",
           "streaming_recall_at_k", "streaming_recall_at_thresholds", "streaming_root_mean_squared_error",
           "streaming_sensitivity_at_specificity", "streaming_sparse_average_precision_at_k",
           "streaming_sparse_precision_at_k", "streaming_sparse_precision_at_top_k",
           "streaming_sparse_recall_at_k", "streaming_specificity_at_sensitivity", "streaming_true_negatives",
           "streaming_true_negatives_at_thresholds", "streaming_true_positives",
           "streaming_true_positives_at_thresholds"]


# --- means and errors ----------------------------------------------------------------------------
def streaming_mean(values, weights=None, metrics_collections=None, updates_collections=None, name=None):
    """`tf.contrib.metrics.streaming_mean(values, weights=None, ...)`: the weighted mean of `values`
    over the stream (tf.metrics.mean)."""
    return _metrics.mean(values, weights, metrics_collections, updates_collections, name)


def streaming_mean_tensor(values, weights=None, metrics_collections=None, updates_collections=None, name=None):
    """`tf.contrib.metrics.streaming_mean_tensor(values, weights=None, ...)`: the elementwise weighted
    mean of `values` over the stream (tf.metrics.mean_tensor)."""
    return _metrics.mean_tensor(values, weights, metrics_collections, updates_collections, name)


def streaming_accuracy(predictions, labels, weights=None, metrics_collections=None, updates_collections=None,
                       name=None):
    """`tf.contrib.metrics.streaming_accuracy(predictions, labels, weights=None, ...)`: the weighted
    fraction of elements where predictions == labels, over the stream (tf.metrics.accuracy)."""
    return _metrics.accuracy(labels, predictions, weights, metrics_collections, updates_collections, name)


def streaming_mean_absolute_error(predictions, labels, weights=None, metrics_collections=None,
                                  updates_collections=None, name=None):
    """`tf.contrib.metrics.streaming_mean_absolute_error(predictions, labels, weights=None, ...)`: the
    weighted mean of |predictions - labels| over the stream."""
    return _metrics.mean_absolute_error(labels, predictions, weights, metrics_collections, updates_collections,
                                        name)


def streaming_mean_squared_error(predictions, labels, weights=None, metrics_collections=None,
                                 updates_collections=None, name=None):
    """`tf.contrib.metrics.streaming_mean_squared_error(predictions, labels, weights=None, ...)`: the
    weighted mean of (predictions - labels)**2 over the stream."""
    return _metrics.mean_squared_error(labels, predictions, weights, metrics_collections, updates_collections,
                                       name)


def streaming_root_mean_squared_error(predictions, labels, weights=None, metrics_collections=None,
                                      updates_collections=None, name=None):
    """`tf.contrib.metrics.streaming_root_mean_squared_error(predictions, labels, weights=None, ...)`:
    the square root of the streaming mean squared error."""
    return _metrics.root_mean_squared_error(labels, predictions, weights, metrics_collections,
                                            updates_collections, name)


def streaming_mean_relative_error(predictions, labels, normalizer, weights=None, metrics_collections=None,
                                  updates_collections=None, name=None):
    """`tf.contrib.metrics.streaming_mean_relative_error(predictions, labels, normalizer, weights=None,
    ...)`: the weighted mean of |predictions - labels| / normalizer over the stream."""
    return _metrics.mean_relative_error(labels, predictions, normalizer, weights, metrics_collections,
                                        updates_collections, name)


def streaming_mean_cosine_distance(predictions, labels, dim, weights=None, metrics_collections=None,
                                   updates_collections=None, name=None):
    """`tf.contrib.metrics.streaming_mean_cosine_distance(predictions, labels, dim, weights=None, ...)`:
    1 - the weighted mean of sum(predictions * labels, dim) (unit-normalized inputs) over the stream."""
    return _metrics.mean_cosine_distance(labels, predictions, dim, weights, metrics_collections,
                                         updates_collections, name)


def streaming_percentage_less(values, threshold, weights=None, metrics_collections=None,
                              updates_collections=None, name=None):
    """`tf.contrib.metrics.streaming_percentage_less(values, threshold, weights=None, ...)`: the weighted
    fraction of `values` below `threshold` over the stream (tf.metrics.percentage_below)."""
    return _metrics.percentage_below(values, threshold, weights, metrics_collections, updates_collections, name)


def streaming_mean_iou(predictions, labels, num_classes, weights=None, metrics_collections=None,
                       updates_collections=None, name=None):
    """`tf.contrib.metrics.streaming_mean_iou(predictions, labels, num_classes, weights=None, ...)`: the
    mean over classes of intersection-over-union from the streaming confusion matrix (tf.metrics.mean_iou)."""
    return _metrics.mean_iou(labels, predictions, num_classes, weights, metrics_collections, updates_collections,
                             name)


# --- confusion counts, precision and recall ------------------------------------------------------
def streaming_true_positives(predictions, labels, weights=None, metrics_collections=None,
                             updates_collections=None, name=None):
    """`tf.contrib.metrics.streaming_true_positives(predictions, labels, weights=None, ...)`: the
    weighted count of elements where both (cast to bool) are True."""
    return _metrics.true_positives(labels, predictions, weights, metrics_collections, updates_collections, name)


def streaming_true_negatives(predictions, labels, weights=None, metrics_collections=None,
                             updates_collections=None, name=None):
    """`tf.contrib.metrics.streaming_true_negatives(predictions, labels, weights=None, ...)`: the
    weighted count of elements where both (cast to bool) are False."""
    return _metrics.true_negatives(labels, predictions, weights, metrics_collections, updates_collections, name)


def streaming_false_positives(predictions, labels, weights=None, metrics_collections=None,
                              updates_collections=None, name=None):
    """`tf.contrib.metrics.streaming_false_positives(predictions, labels, weights=None, ...)`: the
    weighted count of elements predicted True whose label is False."""
    return _metrics.false_positives(labels, predictions, weights, metrics_collections, updates_collections, name)


def streaming_false_negatives(predictions, labels, weights=None, metrics_collections=None,
                              updates_collections=None, name=None):
    """`tf.contrib.metrics.streaming_false_negatives(predictions, labels, weights=None, ...)`: the
    weighted count of elements predicted False whose label is True."""
    return _metrics.false_negatives(labels, predictions, weights, metrics_collections, updates_collections, name)


def streaming_precision(predictions, labels, weights=None, metrics_collections=None, updates_collections=None,
                        name=None):
    """`tf.contrib.metrics.streaming_precision(predictions, labels, weights=None, ...)`: tp / (tp + fp)
    over the stream, 0 while nothing was predicted True."""
    return _metrics.precision(labels, predictions, weights, metrics_collections, updates_collections, name)


def streaming_recall(predictions, labels, weights=None, metrics_collections=None, updates_collections=None,
                     name=None):
    """`tf.contrib.metrics.streaming_recall(predictions, labels, weights=None, ...)`: tp / (tp + fn) over
    the stream, 0 while no label was True."""
    return _metrics.recall(labels, predictions, weights, metrics_collections, updates_collections, name)


def _rate_of_counts(counted, other, inputs, metrics_collections, updates_collections, name, default_name):
    """counted / (counted + other), two streaming confusion counts made by the no-argument functions
    `counted` and `other` inside the metric's variable scope; 0 where both are 0."""
    with variable_scope(name, default_name, inputs):
        counted_value, counted_update = counted()
        other_value, other_update = other()
        value = tf.div_no_nan(counted_value, counted_value + other_value, name="value")
        update_op = tf.div_no_nan(counted_update, counted_update + other_update, name="update_op")
        return _finish(value, update_op, metrics_collections, updates_collections)


def streaming_false_positive_rate(predictions, labels, weights=None, metrics_collections=None,
                                  updates_collections=None, name=None):
    """`tf.contrib.metrics.streaming_false_positive_rate(predictions, labels, weights=None, ...)`:
    fp / (fp + tn) over the stream (labels and predictions cast to bool), 0 while no label was False."""
    return _rate_of_counts(lambda: streaming_false_positives(predictions, labels, weights),
                           lambda: streaming_true_negatives(predictions, labels, weights),
                           (predictions, labels, weights), metrics_collections, updates_collections, name,
                           "false_positive_rate")


def streaming_false_negative_rate(predictions, labels, weights=None, metrics_collections=None,
                                  updates_collections=None, name=None):
    """`tf.contrib.metrics.streaming_false_negative_rate(predictions, labels, weights=None, ...)`:
    fn / (fn + tp) over the stream (labels and predictions cast to bool), 0 while no label was True."""
    return _rate_of_counts(lambda: streaming_false_negatives(predictions, labels, weights),
                           lambda: streaming_true_positives(predictions, labels, weights),
                           (predictions, labels, weights), metrics_collections, updates_collections, name,
                           "false_negative_rate")


# --- thresholded ---------------------------------------------------------------------------------
def streaming_true_positives_at_thresholds(predictions, labels, thresholds, weights=None):
    """`tf.contrib.metrics.streaming_true_positives_at_thresholds(predictions, labels, thresholds,
    weights=None)`: per threshold, the weighted count of True labels whose prediction is > threshold."""
    return _metrics.true_positives_at_thresholds(labels, predictions, thresholds, weights)


def streaming_false_positives_at_thresholds(predictions, labels, thresholds, weights=None):
    """`tf.contrib.metrics.streaming_false_positives_at_thresholds(predictions, labels, thresholds,
    weights=None)`: per threshold, the weighted count of False labels whose prediction is > threshold."""
    return _metrics.false_positives_at_thresholds(labels, predictions, thresholds, weights)


def streaming_true_negatives_at_thresholds(predictions, labels, thresholds, weights=None):
    """`tf.contrib.metrics.streaming_true_negatives_at_thresholds(predictions, labels, thresholds,
    weights=None)`: per threshold, the weighted count of False labels whose prediction is <= threshold."""
    return _metrics.true_negatives_at_thresholds(labels, predictions, thresholds, weights)


def streaming_false_negatives_at_thresholds(predictions, labels, thresholds, weights=None):
    """`tf.contrib.metrics.streaming_false_negatives_at_thresholds(predictions, labels, thresholds,
    weights=None)`: per threshold, the weighted count of True labels whose prediction is <= threshold."""
    return _metrics.false_negatives_at_thresholds(labels, predictions, thresholds, weights)


def streaming_precision_at_thresholds(predictions, labels, thresholds, weights=None, metrics_collections=None,
                                      updates_collections=None, name=None):
    """`tf.contrib.metrics.streaming_precision_at_thresholds(predictions, labels, thresholds,
    weights=None, ...)`: per threshold, the streaming precision of `predictions > threshold`."""
    return _metrics.precision_at_thresholds(labels, predictions, thresholds, weights, metrics_collections,
                                            updates_collections, name)


def streaming_recall_at_thresholds(predictions, labels, thresholds, weights=None, metrics_collections=None,
                                   updates_collections=None, name=None):
    """`tf.contrib.metrics.streaming_recall_at_thresholds(predictions, labels, thresholds, weights=None,
    ...)`: per threshold, the streaming recall of `predictions > threshold`."""
    return _metrics.recall_at_thresholds(labels, predictions, thresholds, weights, metrics_collections,
                                         updates_collections, name)


def streaming_false_positive_rate_at_thresholds(predictions, labels, thresholds, weights=None,
                                                metrics_collections=None, updates_collections=None, name=None):
    """`tf.contrib.metrics.streaming_false_positive_rate_at_thresholds(predictions, labels, thresholds,
    weights=None, ...)`: per threshold, fp / (fp + tn) of `predictions > threshold` over the stream."""
    return _rate_of_counts(lambda: streaming_false_positives_at_thresholds(predictions, labels, thresholds, weights),
                           lambda: streaming_true_negatives_at_thresholds(predictions, labels, thresholds, weights),
                           (predictions, labels, weights), metrics_collections, updates_collections, name,
                           "false_positive_rate_at_thresholds")


def streaming_false_negative_rate_at_thresholds(predictions, labels, thresholds, weights=None,
                                                metrics_collections=None, updates_collections=None, name=None):
    """`tf.contrib.metrics.streaming_false_negative_rate_at_thresholds(predictions, labels, thresholds,
    weights=None, ...)`: per threshold, fn / (fn + tp) of `predictions > threshold` over the stream."""
    return _rate_of_counts(lambda: streaming_false_negatives_at_thresholds(predictions, labels, thresholds, weights),
                           lambda: streaming_true_positives_at_thresholds(predictions, labels, thresholds, weights),
                           (predictions, labels, weights), metrics_collections, updates_collections, name,
                           "false_negative_rate_at_thresholds")


def streaming_auc(predictions, labels, weights=None, num_thresholds=200, metrics_collections=None,
                  updates_collections=None, curve="ROC", name=None):
    """`tf.contrib.metrics.streaming_auc(predictions, labels, weights=None, num_thresholds=200, ...,
    curve='ROC', name=None)`: the area under the ROC (or, curve='PR', precision-recall) curve, by the
    trapezoidal rule over `num_thresholds` evenly spaced thresholds (tf.metrics.auc)."""
    return _metrics.auc(labels, predictions, weights, num_thresholds, metrics_collections, updates_collections,
                        curve, name)


def streaming_sensitivity_at_specificity(predictions, labels, specificity, weights=None, num_thresholds=200,
                                         metrics_collections=None, updates_collections=None, name=None):
    """`tf.contrib.metrics.streaming_sensitivity_at_specificity(predictions, labels, specificity,
    weights=None, num_thresholds=200, ...)`: the sensitivity at the threshold whose specificity is
    closest to `specificity`."""
    return _metrics.sensitivity_at_specificity(labels, predictions, specificity, weights, num_thresholds,
                                               metrics_collections, updates_collections, name)


def streaming_specificity_at_sensitivity(predictions, labels, sensitivity, weights=None, num_thresholds=200,
                                         metrics_collections=None, updates_collections=None, name=None):
    """`tf.contrib.metrics.streaming_specificity_at_sensitivity(predictions, labels, sensitivity,
    weights=None, num_thresholds=200, ...)`: the specificity at the threshold whose sensitivity is
    closest to `sensitivity`."""
    return _metrics.specificity_at_sensitivity(labels, predictions, sensitivity, weights, num_thresholds,
                                               metrics_collections, updates_collections, name)


# --- top-k ---------------------------------------------------------------------------------------
def streaming_recall_at_k(predictions, labels, k, weights=None, metrics_collections=None,
                          updates_collections=None, name=None):
    """`tf.contrib.metrics.streaming_recall_at_k(predictions, labels, k, weights=None, ...)`: the
    weighted fraction of rows of [batch, num_classes] `predictions` whose integer label ([batch]) is
    among its k highest scores (tf.nn.in_top_k), over the stream."""
    in_top_k = tf.cast(tf.nn.in_top_k(predictions, labels, k), tf.float32)
    return streaming_mean(in_top_k, weights, metrics_collections, updates_collections,
                          name or "recall_at_%d" % k)


def streaming_sparse_recall_at_k(predictions, labels, k, class_id=None, weights=None, metrics_collections=None,
                                 updates_collections=None, name=None):
    """`tf.contrib.metrics.streaming_sparse_recall_at_k(predictions, labels, k, class_id=None,
    weights=None, ...)`: tf.metrics.recall_at_k with the predictions first."""
    return _metrics.recall_at_k(labels, predictions, k, class_id, weights, metrics_collections,
                                updates_collections, name)


def streaming_sparse_precision_at_k(predictions, labels, k, class_id=None, weights=None,
                                    metrics_collections=None, updates_collections=None, name=None):
    """`tf.contrib.metrics.streaming_sparse_precision_at_k(predictions, labels, k, class_id=None,
    weights=None, ...)`: tf.metrics.precision_at_k with the predictions first."""
    return _metrics.precision_at_k(labels, predictions, k, class_id, weights, metrics_collections,
                                   updates_collections, name)


def streaming_sparse_precision_at_top_k(top_k_predictions, labels, class_id=None, weights=None,
                                        metrics_collections=None, updates_collections=None, name=None):
    """`tf.contrib.metrics.streaming_sparse_precision_at_top_k(top_k_predictions, labels, class_id=None,
    weights=None, ...)`: tf.metrics.precision_at_top_k given the top-k class ids [batch, k]."""
    return _metrics.precision_at_top_k(labels, top_k_predictions, None, class_id, weights, metrics_collections,
                                       updates_collections, name)


def streaming_sparse_average_precision_at_k(predictions, labels, k, weights=None, metrics_collections=None,
                                            updates_collections=None, name=None):
    """`tf.contrib.metrics.streaming_sparse_average_precision_at_k(predictions, labels, k, weights=None,
    ...)`: tf.metrics.average_precision_at_k with the predictions first."""
    return _metrics.average_precision_at_k(labels, predictions, k, weights, metrics_collections,
                                           updates_collections, name)


def sparse_recall_at_top_k(labels, top_k_predictions, class_id=None, weights=None, metrics_collections=None,
                           updates_collections=None, name=None):
    """`tf.contrib.metrics.sparse_recall_at_top_k(labels, top_k_predictions, class_id=None, weights=None,
    ...)`: tf.metrics.recall_at_top_k given the top-k class ids [batch, k] (labels first, as in TF)."""
    return _metrics.recall_at_top_k(labels, top_k_predictions, None, class_id, weights, metrics_collections,
                                    updates_collections, name)


# --- covariance and correlation ------------------------------------------------------------------
def _weighted_sums(predictions, labels, weights):
    """The batch's sum of weights and weighted sums of x, y and x*y, weights broadcast to the inputs."""
    predictions = tf.cast(predictions, tf.float32)
    labels = tf.cast(labels, tf.float32)
    predictions.shape.assert_is_compatible_with(labels.shape)
    if weights is None:
        weights = tf.ones_like(predictions)
    else:
        weights = tf.cast(weights, tf.float32) * tf.ones_like(predictions)
    return [tf.reduce_sum(weights), tf.reduce_sum(weights * predictions), tf.reduce_sum(weights * labels),
            tf.reduce_sum(weights * predictions * labels)]


def _unbiased_covariance(count, sum_x, sum_y, sum_xy):
    """The co-moment over (count - 1); NaN until the weights sum past 1, as TF returns."""
    covariance = (sum_xy - tf.div_no_nan(sum_x * sum_y, count)) / tf.maximum(count - 1.0, 1e-30)
    return tf.where(count > 1.0, covariance, tf.fill(tf.shape(covariance), float("nan")))


def streaming_covariance(predictions, labels, weights=None, metrics_collections=None, updates_collections=None,
                         name=None):
    """`tf.contrib.metrics.streaming_covariance(predictions, labels, weights=None, ...)`: the unbiased
    weighted covariance sum(w * (x - mean_x) * (y - mean_y)) / (sum(w) - 1) of predictions and labels
    over the stream; NaN while sum(w) <= 1. Local float32 variables count, sum_x, sum_y, sum_xy."""
    with variable_scope(name, "covariance", (predictions, labels, weights)):
        accumulators = [_metric_variable([], tf.float32, part) for part in ("count", "sum_x", "sum_y", "sum_xy")]
        batch_sums = _weighted_sums(predictions, labels, weights)
        value = tf.identity(_unbiased_covariance(*accumulators), name="value")
        updates = [tf.assign_add(total, batch) for total, batch in zip(accumulators, batch_sums)]
        update_op = tf.identity(_unbiased_covariance(*updates), name="update_op")
        return _finish(value, update_op, metrics_collections, updates_collections)


def streaming_pearson_correlation(predictions, labels, weights=None, metrics_collections=None,
                                  updates_collections=None, name=None):
    """`tf.contrib.metrics.streaming_pearson_correlation(predictions, labels, weights=None, ...)`: the
    weighted Pearson correlation cov(x, y) / sqrt(var(x) * var(y)) over the stream, from three streaming
    covariances."""
    with variable_scope(name, "pearson_r", (predictions, labels, weights)):
        cov, update_cov = streaming_covariance(predictions, labels, weights, name="covariance")
        var_x, update_var_x = streaming_covariance(predictions, predictions, weights, name="variance_predictions")
        var_y, update_var_y = streaming_covariance(labels, labels, weights, name="variance_labels")
        value = tf.div_no_nan(cov, tf.sqrt(var_x) * tf.sqrt(var_y), name="value")
        update_op = tf.div_no_nan(update_cov, tf.sqrt(update_var_x) * tf.sqrt(update_var_y), name="update_op")
        return _finish(value, update_op, metrics_collections, updates_collections)


# --- concatenation -------------------------------------------------------------------------------
def streaming_concat(values, axis=0, max_size=None, metrics_collections=None, updates_collections=None,
                     name=None):
    """`tf.contrib.metrics.streaming_concat(values, axis=0, max_size=None, ...)`: every batch of `values`
    seen so far, concatenated along `axis` (all other dims must be statically known and stay the same);
    the update op appends a batch and returns the new length along `axis`. With `max_size`, only the
    first `max_size` entries along `axis` are kept (later updates change nothing). ValueError when `values`
    has an unknown rank or unknown non-`axis` dims."""
    with variable_scope(name, "streaming_concat", (values,)):
        values = tf.convert_to_tensor(values)
        if values.shape.ndims is None:
            raise ValueError("streaming_concat: values must have a known rank, got shape %s" % values.shape)
        rank = values.shape.ndims
        if not -rank <= axis < rank:
            raise ValueError("streaming_concat: axis %d is out of range for values of rank %d" % (axis, rank))
        axis %= rank
        dims = values.shape.as_list()
        if any(d is None for i, d in enumerate(dims) if i != axis):
            raise ValueError("streaming_concat: all dims of values but axis %d must be known, got shape %s"
                             % (axis, values.shape))
        empty_shape = dims[:axis] + [0] + dims[axis + 1:]
        array = tf.Variable(tf.zeros(empty_shape, dtype=values.dtype), trainable=False, validate_shape=False,
                            name="array", collections=[tf.GraphKeys.LOCAL_VARIABLES, tf.GraphKeys.METRIC_VARIABLES])
        static_shape = tf.TensorShape(dims[:axis] + [None] + dims[axis + 1:])
        joined = tf.concat([array, values], axis)
        if max_size is not None:
            kept = tf.minimum(tf.shape(joined)[axis], max_size)
            joined = tf.gather(joined, tf.range(kept), axis=axis)
        stored = tf.assign(array, joined, validate_shape=False)
        value = tf.identity(array, name="value")
        value.set_shape(static_shape)
        update_op = tf.identity(tf.shape(stored)[axis], name="update_op")
        return _finish(value, update_op, metrics_collections, updates_collections)


# --- curves from confusion counts at evenly spaced thresholds --------------------------------------
_EPSILON = 1e-7  # TF's smoothing of the curve points, so that empty counts give finite rates


def _counts_at_even_thresholds(labels, predictions, weights, num_thresholds):
    _check_num_thresholds(num_thresholds)
    return _confusion_at_thresholds(labels, predictions, _evenly_spaced_thresholds(int(num_thresholds)), weights)


def _curve_metric(labels, predictions, weights, num_thresholds, compute, metrics_collections, updates_collections,
                  name, default_name):
    """A metric computed by `compute(tp, fp, tn, fn)` from the confusion counts at `num_thresholds`
    evenly spaced thresholds, once from the variables (value) and once from their updates."""
    with variable_scope(name, default_name, (labels, predictions, weights)):
        counts = _counts_at_even_thresholds(labels, predictions, weights, num_thresholds)
        kinds = ("tp", "fp", "tn", "fn")
        value = tf.identity(compute(*[counts[kind][0] for kind in kinds]), name="value")
        update_op = tf.identity(compute(*[counts[kind][1] for kind in kinds]), name="update_op")
        return _finish(value, update_op, metrics_collections, updates_collections)


def _precision_recall(tp, fp, fn):
    return tf.div_no_nan(tp, tp + fp), tf.div_no_nan(tp, tp + fn)


def _best_at_least(labels, predictions, weights, num_thresholds, bound_name, bound, metrics_collections,
                   updates_collections, name, default_name):
    """The highest recall among the thresholds whose precision is at least `bound` (bound_name
    'precision'), or the highest precision among those whose recall is (bound_name 'target_recall');
    0 when no threshold qualifies."""
    if not 0 <= bound <= 1:
        raise ValueError("`%s` must be in the range [0, 1]." % bound_name)

    def best(tp, fp, tn, fn):
        precisions, recalls = _precision_recall(tp, fp, fn)
        bounded, maximised = (precisions, recalls) if bound_name == "precision" else (recalls, precisions)
        return tf.reduce_max(tf.where(bounded >= bound, maximised, tf.zeros_like(maximised)))
    return _curve_metric(labels, predictions, weights, num_thresholds, best, metrics_collections,
                         updates_collections, name, default_name)


def streaming_curve_points(labels=None, predictions=None, weights=None, num_thresholds=200,
                           metrics_collections=None, updates_collections=None, curve="ROC", name=None):
    """`tf.contrib.metrics.streaming_curve_points(labels=None, predictions=None, weights=None,
    num_thresholds=200, ..., curve='ROC', name=None)`: the [num_thresholds, 2] points of the ROC curve
    (false positive rate, true positive rate) or, curve='PR', of the precision-recall curve (recall,
    precision), at evenly spaced thresholds from just below 0 to just above 1 (the points tf.metrics.auc
    integrates, with its 1e-7 smoothing). ValueError for another curve or num_thresholds < 2."""
    if curve not in ("ROC", "PR"):
        raise ValueError("curve must be either ROC or PR, %s unknown" % (curve,))

    def points(tp, fp, tn, fn):
        if curve == "ROC":
            return tf.stack([fp / (fp + tn + _EPSILON), (tp + _EPSILON) / (tp + fn + _EPSILON)], axis=1)
        return tf.stack([(tp + _EPSILON) / (tp + fn + _EPSILON), (tp + _EPSILON) / (tp + fp + _EPSILON)], axis=1)
    return _curve_metric(labels, predictions, weights, num_thresholds, points, metrics_collections,
                         updates_collections, name, "curve_points")


def f1_score(labels, predictions, weights=None, num_thresholds=200, metrics_collections=None,
             updates_collections=None, name=None):
    """`tf.contrib.metrics.f1_score(labels, predictions, weights=None, num_thresholds=200, ...)`: the best
    F1 = 2 * precision * recall / (precision + recall) over `num_thresholds` evenly spaced thresholds on
    the [0, 1] `predictions` (a prediction above the threshold is positive), over the stream; 0 where
    precision and recall are both 0."""
    def best_f1(tp, fp, tn, fn):
        precision, recall = _precision_recall(tp, fp, fn)
        return tf.reduce_max(tf.div_no_nan(2.0 * precision * recall, precision + recall))
    return _curve_metric(labels, predictions, weights, num_thresholds, best_f1, metrics_collections,
                         updates_collections, name, "f1")


def recall_at_precision(labels, predictions, precision, weights=None, num_thresholds=200,
                        metrics_collections=None, updates_collections=None, name=None):
    """`tf.contrib.metrics.recall_at_precision(labels, predictions, precision, weights=None,
    num_thresholds=200, ...)`: the highest recall among the evenly spaced thresholds whose precision is
    at least `precision` (0 when none is). ValueError unless 0 <= precision <= 1."""
    return _best_at_least(labels, predictions, weights, num_thresholds, "precision", precision, metrics_collections,
                          updates_collections, name, "recall_at_precision")


def precision_at_recall(labels, predictions, target_recall, weights=None, num_thresholds=200,
                        metrics_collections=None, updates_collections=None, name=None):
    """`tf.contrib.metrics.precision_at_recall(labels, predictions, target_recall, weights=None,
    num_thresholds=200, ...)`: the highest precision among the evenly spaced thresholds whose recall is
    at least `target_recall` (0 when none is). ValueError unless 0 <= target_recall <= 1."""
    return _best_at_least(labels, predictions, weights, num_thresholds, "target_recall", target_recall,
                          metrics_collections, updates_collections, name, "precision_at_recall")


def cohen_kappa(labels, predictions_idx, num_classes, weights=None, metrics_collections=None,
                updates_collections=None, name=None):
    """`tf.contrib.metrics.cohen_kappa(labels, predictions_idx, num_classes, weights=None, ...)`: Cohen's
    kappa of integer labels against integer predicted classes over the stream: with po the (weighted)
    agreements per class, pe_row / pe_col the label / prediction totals per class and N their sum,
    kappa = (sum(po) - sum(pe)) / (N - sum(pe)) where pe = pe_row * pe_col / N (0 while undefined).
    Local float32 variables po, pe_row, pe_col of shape [num_classes]. ValueError for non-integer
    inputs or num_classes < 2."""
    labels = tf.convert_to_tensor(labels)
    predictions_idx = tf.convert_to_tensor(predictions_idx)
    if not (labels.dtype.is_integer and predictions_idx.dtype.is_integer):
        raise ValueError("cohen_kappa: labels and predictions_idx must be integer class ids, got %s and %s"
                         % (labels.dtype.name, predictions_idx.dtype.name))
    if num_classes < 2:
        raise ValueError("cohen_kappa: num_classes must be at least 2, got %s" % (num_classes,))
    with variable_scope(name, "cohen_kappa", (labels, predictions_idx, weights)):
        labels = tf.reshape(labels, [-1])
        predictions_idx = tf.reshape(predictions_idx, [-1])
        labels.shape.assert_is_compatible_with(predictions_idx.shape)
        row = tf.one_hot(labels, num_classes)
        column = tf.one_hot(predictions_idx, num_classes)
        if weights is not None:
            per_example = tf.reshape(tf.cast(weights, tf.float32) * tf.ones_like(labels, dtype=tf.float32), [-1, 1])
            row, column = row * per_example, column * per_example
        agreed = row * tf.one_hot(predictions_idx, num_classes)
        variables = [_metric_variable([num_classes], tf.float32, part) for part in ("po", "pe_row", "pe_col")]
        updates = [tf.assign_add(variable, tf.reduce_sum(batch, axis=0))
                   for variable, batch in zip(variables, (agreed, row, column))]

        def kappa(po, pe_row, pe_col, name):
            total = tf.reduce_sum(pe_row)
            expected = tf.reduce_sum(tf.div_no_nan(pe_row * pe_col, total))
            return tf.div_no_nan(tf.reduce_sum(po) - expected, total - expected, name=name)
        return _finish(kappa(*variables, name="value"), kappa(*updates, name="update_op"), metrics_collections,
                       updates_collections)


# --- counting ------------------------------------------------------------------------------------
def count(values, weights=None, metrics_collections=None, updates_collections=None, name=None):
    """`tf.contrib.metrics.count(values, weights=None, ...)`: the number of elements of `values` seen
    over the stream, or the sum of their `weights` (broadcast to values), in a float32 local `count`."""
    with variable_scope(name, "count", (values, weights)):
        values = tf.convert_to_tensor(values)
        total = _metric_variable([], tf.float32, "count")
        if weights is None:
            batch_count = tf.cast(tf.size(values), tf.float32)
        else:
            batch_count = tf.reduce_sum(tf.cast(weights, tf.float32) * tf.ones_like(values, dtype=tf.float32))
        value = tf.identity(total, name="value")
        update_op = tf.assign_add(total, batch_count, name="update_op")
        return _finish(value, update_op, metrics_collections, updates_collections)


# --- non-streaming and regrouping ----------------------------------------------------------------
def accuracy(predictions, labels, weights=None, name=None):
    """`tf.contrib.metrics.accuracy(predictions, labels, weights=None, name=None)`: the (non-streaming)
    weighted fraction of elements where predictions == labels in this batch. ValueError when their dtypes
    or static shapes differ."""
    with tf.name_scope(name, "accuracy", values=[predictions, labels]):
        predictions = tf.convert_to_tensor(predictions)
        labels = tf.convert_to_tensor(labels)
        if predictions.dtype != labels.dtype:
            raise ValueError("Dtypes of predictions and labels should match. Given: predictions (%r) and labels "
                             "(%r)" % (predictions.dtype, labels.dtype))
        predictions.shape.assert_is_compatible_with(labels.shape)
        is_correct = tf.cast(tf.equal(predictions, labels), tf.float32)
        if weights is None:
            return tf.reduce_mean(is_correct)
        weights = tf.cast(weights, tf.float32) * tf.ones_like(is_correct)
        return tf.div_no_nan(tf.reduce_sum(is_correct * weights), tf.reduce_sum(weights))


def aggregate_metrics(*value_update_tuples):
    """`tf.contrib.metrics.aggregate_metrics(*value_update_tuples)`: the (value, update_op) pairs of
    several metrics regrouped as (list of values, list of update ops). ValueError when given none."""
    if not value_update_tuples:
        raise ValueError("Expected at least one value_tensor/update_op pair")
    values, updates = zip(*value_update_tuples)
    return list(values), list(updates)


def aggregate_metric_map(names_to_tuples):
    """`tf.contrib.metrics.aggregate_metric_map(names_to_tuples)`: a dict {name: (value, update_op)}
    split into ({name: value}, {name: update_op})."""
    names_to_values = {name: value for name, (value, _) in names_to_tuples.items()}
    names_to_updates = {name: update for name, (_, update) in names_to_tuples.items()}
    return names_to_values, names_to_updates
