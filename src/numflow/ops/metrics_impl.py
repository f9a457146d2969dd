"""`tf.metrics` (TF1's streaming metrics) and `tf.confusion_matrix`.

A streaming metric is a pair of graph outputs over zero-initialized LOCAL variables (also in the
METRIC_VARIABLES collection, so `tf.local_variables_initializer()` resets them):

* the value op only reads the accumulators;
* the update op adds one batch to them and evaluates to the metric of everything seen so far, computed
  from the outputs of the assignments (so `sess.run(update_op)` followed by `sess.run(value_op)` agree).

Everything is built from ordinary numflow ops, plus one op of this family, `WeightedBincount`
(weighted counts per integer id), which gives the confusion matrix and the per-class totals.
"""
import numpy as np

from ..backend import scatter_add
from ..framework import dtypes, errors
from ..framework.graph import (GraphKeys, Tensor, control_dependencies, convert_to_tensor,
                               get_default_graph, name_scope)
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape, as_shape
from ..losses import _assert_broadcastable, _remove_squeezable_dimensions as _squeeze_labels_predictions
from ..losses import _squeeze_last
from ..variable_scope import variable_scope
from ..variables import Variable
from . import array as _array
from . import math as _math
from . import nn as _nn
from . import state as _state
from .common import make_tensor
from .constant import constant
from .control import identity
from .linalg import diag_part
from .debug import assert_greater_equal, assert_less, assert_less_equal, assert_non_negative

__all__ = ["accuracy", "auc", "average_precision_at_k", "confusion_matrix", "false_negatives",
           "false_negatives_at_thresholds", "false_positives", "false_positives_at_thresholds", "mean",
           "mean_absolute_error", "mean_cosine_distance", "mean_iou", "mean_per_class_accuracy",
           "mean_relative_error", "mean_squared_error", "mean_tensor", "percentage_below", "precision",
           "precision_at_k", "precision_at_thresholds", "precision_at_top_k", "recall", "recall_at_k",
           "recall_at_thresholds", "recall_at_top_k", "root_mean_squared_error", "sensitivity_at_specificity",
           "sparse_average_precision_at_k", "sparse_precision_at_k", "specificity_at_sensitivity",
           "true_negatives", "true_negatives_at_thresholds", "true_positives", "true_positives_at_thresholds"]

# Pads the outermost thresholds so that predictions of exactly 0 and 1 fall inside the curve.
_THRESHOLD_EPSILON = 1e-7


# --- the one op of this family --------------------------------------------------------------------
@register
class WeightedBincount(OpDef):
    """out[i] = sum of weights[j] over the j with ids[j] == i, for i in [0, size); the sums have the
    weights' dtype. An id outside [0, size) is an InvalidArgumentError (as TF's scatter_add)."""

    def infer(self, op):
        ids, weights, size = op.inputs
        if not ids.dtype.is_integer:
            raise TypeError("WeightedBincount ids must be integers, got %s" % ids.dtype.name)
        if not ids.shape.is_compatible_with(weights.shape):
            raise ValueError("Shapes %s and %s are incompatible" % (ids.shape, weights.shape))
        static_size = _array._static_scalar(size)
        return [(weights.dtype, TensorShape([None if static_size is None else int(static_size)]))]

    host_inputs = (2,)

    def kernel(self, op, ctx):
        dtype = op.inputs[1].dtype.np
        exact = not np.issubdtype(dtype, np.floating)
        xp = ctx.xp

        def weighted_bincount(ids, weights, size):
            ids = np.ravel(ids)
            size = int(size)
            bad = np.flatnonzero((ids < 0) | (ids >= size))
            if bad.size:
                raise errors.InvalidArgumentError(None, op, "indices[%d] = %d is not in [0, %d)"
                                                  % (int(bad[0]), int(ids[int(bad[0])]), size))
            weights = np.ravel(weights)
            if exact:   # integer sums stay exact: bincount would go through float64
                out = xp.zeros(size, dtype)
                scatter_add(out, ids, weights)
                return out
            return np.bincount(ids, weights=weights, minlength=size).astype(dtype, copy=False)
        return weighted_bincount

    def grad(self, op, dy):
        ids, weights, _ = op.inputs
        return [None, _array.reshape(_array.gather(dy, _array.reshape(ids, [-1])), _array.shape(weights)),
                None]


def _weighted_bincount(ids, weights, size, name=None):
    return make_tensor("WeightedBincount", [ids, weights, convert_to_tensor(size, dtype=dtypes.int64)],
                       name=name or "WeightedBincount")


# --- shared pieces ----------------------------------------------------------------------------------
def _metric_variable(shape, dtype, name):
    """A zero-initialized accumulator in LOCAL_VARIABLES and METRIC_VARIABLES (never trainable)."""
    shape = as_shape(shape)
    if not shape.is_fully_defined():
        raise ValueError("A metric variable needs a fully defined shape, got %s for '%s'" % (shape, name))
    return Variable(lambda: _array.zeros(shape.as_list(), dtype), trainable=False, name=name,
                    collections=[GraphKeys.LOCAL_VARIABLES, GraphKeys.METRIC_VARIABLES])


def _finish(value, update_op, metrics_collections, updates_collections):
    """Adds the pair to the requested collections (a name or a list of names, as tf.add_to_collections)."""
    graph = get_default_graph()
    if metrics_collections:
        graph.add_to_collections(metrics_collections, value)
    if updates_collections:
        graph.add_to_collections(updates_collections, update_op)
    return value, update_op


def _tensor(value, name):
    return value if isinstance(value, Tensor) else convert_to_tensor(value, name=name)


def _remove_squeezable_dimensions(predictions, labels, weights):
    """TF's metric input rule: drop a trailing size-1 dim so labels and predictions have one rank (their
    static shapes must then be compatible: ValueError), and fit weights to predictions' rank by dropping
    or adding a trailing dimension."""
    predictions = _tensor(predictions, "predictions")
    if labels is not None:
        labels = _tensor(labels, "labels")
        labels, predictions, _ = _squeeze_labels_predictions(labels, predictions, None)
        predictions.shape.assert_is_compatible_with(labels.shape)
    if weights is None:
        return predictions, labels, None
    weights = _tensor(weights, "weights")
    weights_rank, predictions_rank = weights.shape.ndims, predictions.shape.ndims
    if weights_rank and predictions_rank is not None:
        if weights_rank - predictions_rank == 1:
            weights = _squeeze_last(weights)
        elif predictions_rank - weights_rank == 1:
            weights = _array.expand_dims(weights, -1)
    return predictions, labels, weights


def _broadcast_weights(weights, values):
    """weights (already of the wanted dtype) broadcast to values' shape; ValueError when they cannot be
    (weights must be a scalar or have values' rank with each dimension 1 or equal)."""
    _assert_broadcastable(weights, values)
    if weights.shape.is_fully_defined() and weights.shape == values.shape:
        return weights
    return _math.multiply(weights, _array.ones_like(values, dtype=weights.dtype))


def _nan_div(numerator, denominator, name=None):
    """numerator / denominator, NaN where the denominator is 0 (TF's plain division of empty counts),
    computed without a floating-point warning."""
    quotient = _math.div_no_nan(numerator, denominator)
    nan = _array.fill(_array.shape(quotient), constant(np.nan, dtype=quotient.dtype))
    return _math.where(_math.equal(denominator, 0.0), nan, quotient, name=name)


# --- means -------------------------------------------------------------------------------------------
def mean(values, weights=None, metrics_collections=None, updates_collections=None, name=None):
    """`tf.metrics.mean(values, weights=None, ...)`: the weighted mean of `values` over the stream.

    Creates float32 local variables `total` and `count`; the update op adds sum(values * weights) and
    sum(weights) (the number of values without weights) and returns total / count, 0 while count is 0.
    `weights` must be broadcastable to `values` (rank 0 or each dimension 1 or equal). Returns
    (mean, update_op)."""
    with variable_scope(name, "mean", (values, weights)):
        values = _math.cast(_tensor(values, "values"), dtypes.float32)
        total = _metric_variable([], dtypes.float32, "total")
        count = _metric_variable([], dtypes.float32, "count")
        if weights is None:
            num_values = _math.cast(_array.size(values), dtypes.float32)
        else:
            values, _, weights = _remove_squeezable_dimensions(values, None, weights)
            weights = _broadcast_weights(_math.cast(weights, dtypes.float32), values)
            values = _math.multiply(values, weights)
            num_values = _math.reduce_sum(weights)
        update_total = _state.assign_add(total, _math.reduce_sum(values))
        update_count = _state.assign_add(count, num_values)
        value = _math.div_no_nan(total, count, name="value")
        update_op = _math.div_no_nan(update_total, update_count, name="update_op")
        return _finish(value, update_op, metrics_collections, updates_collections)


def mean_tensor(values, weights=None, metrics_collections=None, updates_collections=None, name=None):
    """`tf.metrics.mean_tensor(values, weights=None, ...)`: the element-wise weighted mean of `values`
    (whose shape must be fully defined) over the stream, in float32 local variables `total_tensor` and
    `count_tensor` of values' shape; an element with no weight yet is 0. Returns (mean, update_op)."""
    with variable_scope(name, "mean", (values, weights)):
        values = _math.cast(_tensor(values, "values"), dtypes.float32)
        total = _metric_variable(values.shape, dtypes.float32, "total_tensor")
        count = _metric_variable(values.shape, dtypes.float32, "count_tensor")
        num_values = _array.ones_like(values)
        if weights is not None:
            values, _, weights = _remove_squeezable_dimensions(values, None, weights)
            weights = _broadcast_weights(_math.cast(weights, dtypes.float32), values)
            values = _math.multiply(values, weights)
            num_values = _math.multiply(num_values, weights)
        update_total = _state.assign_add(total, values)
        update_count = _state.assign_add(count, num_values)
        value = _math.div_no_nan(total, _math.maximum(count, 0.0), name="value")
        update_op = _math.div_no_nan(update_total, _math.maximum(update_count, 0.0), name="update_op")
        return _finish(value, update_op, metrics_collections, updates_collections)


def accuracy(labels, predictions, weights=None, metrics_collections=None, updates_collections=None,
             name=None):
    """`tf.metrics.accuracy(labels, predictions, weights=None, ...)`: how often predictions equal labels
    (predictions are cast to labels' dtype): the weighted mean of (predictions == labels), with local
    variables `total` and `count`. Shapes must match (ValueError). Returns (accuracy, update_op)."""
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights)
    if labels.dtype is not predictions.dtype:
        predictions = _math.cast(predictions, labels.dtype)
    is_correct = _math.cast(_math.equal(predictions, labels), dtypes.float32)
    return mean(is_correct, weights, metrics_collections, updates_collections, name or "accuracy")


def percentage_below(values, threshold, weights=None, metrics_collections=None, updates_collections=None,
                     name=None):
    """`tf.metrics.percentage_below(values, threshold, weights=None, ...)`: the weighted fraction of
    `values` below `threshold`. Returns (percentage, update_op)."""
    is_below = _math.cast(_math.less(_tensor(values, "values"), threshold), dtypes.float32)
    return mean(is_below, weights, metrics_collections, updates_collections,
                name or "percentage_below_threshold")


def mean_absolute_error(labels, predictions, weights=None, metrics_collections=None, updates_collections=None,
                        name=None):
    """`tf.metrics.mean_absolute_error(labels, predictions, weights=None, ...)`: the weighted mean of
    |predictions - labels| (same dtype and shape). Returns (mean_absolute_error, update_op)."""
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights)
    errors_ = _math.abs(_math.subtract(predictions, labels))
    return mean(errors_, weights, metrics_collections, updates_collections, name or "mean_absolute_error")


def mean_squared_error(labels, predictions, weights=None, metrics_collections=None, updates_collections=None,
                       name=None):
    """`tf.metrics.mean_squared_error(labels, predictions, weights=None, ...)`: the weighted mean of
    (predictions - labels)^2. Returns (mean_squared_error, update_op)."""
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights)
    squared = _math.squared_difference(labels, predictions)
    return mean(squared, weights, metrics_collections, updates_collections, name or "mean_squared_error")


def root_mean_squared_error(labels, predictions, weights=None, metrics_collections=None,
                            updates_collections=None, name=None):
    """`tf.metrics.root_mean_squared_error(...)`: the square root of the streaming mean squared error.
    Returns (root_mean_squared_error, update_op)."""
    mse, update_mse = mean_squared_error(labels, predictions, weights, None, None,
                                         name or "root_mean_squared_error")
    return _finish(_math.sqrt(mse), _math.sqrt(update_mse), metrics_collections, updates_collections)


def mean_relative_error(labels, predictions, normalizer, weights=None, metrics_collections=None,
                        updates_collections=None, name=None):
    """`tf.metrics.mean_relative_error(labels, predictions, normalizer, weights=None, ...)`: the weighted
    mean of |labels - predictions| / normalizer, counting 0 where the normalizer is 0. `normalizer` has
    predictions' shape. Returns (mean_relative_error, update_op)."""
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights)
    normalizer = _tensor(normalizer, "normalizer")
    normalizer, predictions, _ = _squeeze_labels_predictions(normalizer, predictions, None)
    predictions.shape.assert_is_compatible_with(normalizer.shape)
    relative = _math.div_no_nan(_math.abs(_math.subtract(labels, predictions)), normalizer)
    relative = _math.where(_math.equal(normalizer, 0.0), _array.zeros_like(labels), relative)
    return mean(relative, weights, metrics_collections, updates_collections, name or "mean_relative_error")


def mean_cosine_distance(labels, predictions, dim, weights=None, metrics_collections=None,
                         updates_collections=None, name=None):
    """`tf.metrics.mean_cosine_distance(labels, predictions, dim, weights=None, ...)`: 1 minus the
    weighted mean over the stream of sum(labels * predictions, dim) (inputs are assumed unit-normalized
    along `dim`); weights must broadcast to the product with `dim` kept as size 1. Returns
    (mean_distance, update_op)."""
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights)
    radial = _math.reduce_sum(_math.multiply(predictions, labels), axis=[dim], keepdims=True)
    mean_distance, update_op = mean(radial, weights, None, None, name or "mean_cosine_distance")
    return _finish(_math.subtract(1.0, mean_distance), _math.subtract(1.0, update_op), metrics_collections,
                   updates_collections)


# --- counts of a condition ----------------------------------------------------------------------------
def _count_condition(condition, weights, metrics_collections, updates_collections):
    """A float32 local `count` of the (weighted) True elements of the bool tensor `condition`."""
    count = _metric_variable([], dtypes.float32, "count")
    values = _math.cast(condition, dtypes.float32)
    if weights is not None:
        weights = _math.cast(weights, dtypes.float32)
        _assert_broadcastable(weights, values)
        values = _math.multiply(values, weights)
    value = identity(count, name="value")
    update_op = _state.assign_add(count, _math.reduce_sum(values), name="update_op")
    return _finish(value, update_op, metrics_collections, updates_collections)


def _bool_inputs(labels, predictions, weights):
    return _remove_squeezable_dimensions(_math.cast(_tensor(predictions, "predictions"), dtypes.bool),
                                         _math.cast(_tensor(labels, "labels"), dtypes.bool), weights)


def _condition_counter(default_name, label_is, prediction_is, doc):
    def counter(labels, predictions, weights=None, metrics_collections=None, updates_collections=None,
                name=None):
        with variable_scope(name, default_name, (predictions, labels, weights)):
            predictions, labels, weights = _bool_inputs(labels, predictions, weights)
            condition = _math.logical_and(_math.equal(labels, label_is), _math.equal(predictions, prediction_is))
            return _count_condition(condition, weights, metrics_collections, updates_collections)
    counter.__name__ = default_name
    counter.__doc__ = doc
    return counter


true_positives = _condition_counter("true_positives", True, True, """`tf.metrics.true_positives(labels,
    predictions, weights=None, ...)`: the weighted number of elements where both labels and predictions
    (cast to bool) are True, in a float32 local variable `count`. Returns (value, update_op).""")
false_positives = _condition_counter("false_positives", False, True, """`tf.metrics.false_positives(labels,
    predictions, weights=None, ...)`: the weighted number of elements where predictions (cast to bool) are
    True and labels False. Returns (value, update_op).""")
true_negatives = _condition_counter("true_negatives", False, False, """`tf.metrics.true_negatives(labels,
    predictions, weights=None, ...)`: the weighted number of elements where both labels and predictions
    (cast to bool) are False. Returns (value, update_op).""")
false_negatives = _condition_counter("false_negatives", True, False, """`tf.metrics.false_negatives(labels,
    predictions, weights=None, ...)`: the weighted number of elements where labels (cast to bool) are True
    and predictions False. Returns (value, update_op).""")


def _ratio_of_counts(default_name, other_counter, doc):
    """precision (tp / (tp + fp)) and recall (tp / (tp + fn)): 0 while nothing was counted."""
    def ratio(labels, predictions, weights=None, metrics_collections=None, updates_collections=None,
              name=None):
        with variable_scope(name, default_name, (predictions, labels, weights)):
            predictions, labels, weights = _bool_inputs(labels, predictions, weights)
            tp, tp_update = true_positives(labels, predictions, weights)
            other, other_update = other_counter(labels, predictions, weights)
            value = _math.div_no_nan(tp, _math.add(tp, other), name="value")
            update_op = _math.div_no_nan(tp_update, _math.add(tp_update, other_update), name="update_op")
            return _finish(value, update_op, metrics_collections, updates_collections)
    ratio.__name__ = default_name
    ratio.__doc__ = doc
    return ratio


precision = _ratio_of_counts("precision", false_positives, """`tf.metrics.precision(labels, predictions,
    weights=None, ...)`: true_positives / (true_positives + false_positives) over the stream, labels and
    predictions cast to bool; 0 while that sum is 0. Returns (precision, update_op).""")
recall = _ratio_of_counts("recall", false_negatives, """`tf.metrics.recall(labels, predictions,
    weights=None, ...)`: true_positives / (true_positives + false_negatives) over the stream, labels and
    predictions cast to bool; 0 while that sum is 0. Returns (recall, update_op).""")


# --- counts at thresholds -----------------------------------------------------------------------------
_CONFUSION_KINDS = ("tp", "fn", "tn", "fp")
_CONFUSION_NAMES = {"tp": "true_positives", "fn": "false_negatives", "tn": "true_negatives",
                    "fp": "false_positives"}


def _confusion_at_thresholds(labels, predictions, thresholds, weights, includes=_CONFUSION_KINDS):
    """{kind: (variable, update)} for the weighted counts at each threshold (a prediction above the
    threshold is positive), each a float32 local variable of shape [len(thresholds)]. Predictions must
    lie in [0, 1]: InvalidArgumentError when run otherwise."""
    for kind in includes:
        if kind not in _CONFUSION_KINDS:
            raise ValueError("Invalid key: %s." % kind)
    predictions = _tensor(predictions, "predictions")
    with control_dependencies([
            assert_greater_equal(predictions, _math.cast(0.0, predictions.dtype),
                                 message="predictions must be in [0, 1]"),
            assert_less_equal(predictions, _math.cast(1.0, predictions.dtype),
                              message="predictions must be in [0, 1]")]):
        # identity: a cast to the same dtype adds no op, and the checks need one to hang on.
        predictions, labels, weights = _remove_squeezable_dimensions(
            identity(_math.cast(predictions, dtypes.float32)), _math.cast(_tensor(labels, "labels"), dtypes.bool),
            weights)
    thresholds = [float(t) for t in thresholds]
    # [num_thresholds, num_predictions] by broadcasting a row of predictions against a column of thresholds.
    prediction_row = _array.reshape(predictions, [1, -1])
    label_row = _array.reshape(labels, [1, -1])
    predicted_positive = _math.greater(prediction_row, constant(np.array(thresholds, np.float32)[:, None]))
    weight_row = None
    if weights is not None:
        weights = _broadcast_weights(_math.cast(weights, dtypes.float32), predictions)
        weight_row = _array.reshape(weights, [1, -1])
    conditions = {
        "tp": lambda: _math.logical_and(label_row, predicted_positive),
        "fn": lambda: _math.logical_and(label_row, _math.logical_not(predicted_positive)),
        "tn": lambda: _math.logical_and(_math.logical_not(label_row), _math.logical_not(predicted_positive)),
        "fp": lambda: _math.logical_and(_math.logical_not(label_row), predicted_positive),
    }
    counts = {}
    for kind in includes:
        variable = _metric_variable([len(thresholds)], dtypes.float32, _CONFUSION_NAMES[kind])
        hits = _math.cast(conditions[kind](), dtypes.float32)
        if weight_row is not None:
            hits = _math.multiply(hits, weight_row)
        counts[kind] = (variable, _state.assign_add(variable, _math.reduce_sum(hits, axis=1)))
    return counts


def _count_at_thresholds(default_name, kind, doc):
    def counter(labels, predictions, thresholds, weights=None, metrics_collections=None,
                updates_collections=None, name=None):
        with variable_scope(name, default_name, (predictions, labels, weights)):
            variable, update_op = _confusion_at_thresholds(labels, predictions, thresholds, weights, (kind,))[kind]
            return _finish(identity(variable, name="value"), update_op, metrics_collections, updates_collections)
    counter.__name__ = default_name + "_at_thresholds"
    counter.__doc__ = doc
    return counter


_AT_THRESHOLDS_DOC = """`tf.metrics.%s_at_thresholds(labels, predictions, thresholds, weights=None, ...)`:
    a float32 vector of the weighted %s counts, one per threshold (a prediction strictly above the
    threshold counts as positive; predictions in [0, 1], labels cast to bool). Returns (value, update_op)."""
true_positives_at_thresholds = _count_at_thresholds(
    "true_positives", "tp", _AT_THRESHOLDS_DOC % ("true_positives", "true-positive"))
false_positives_at_thresholds = _count_at_thresholds(
    "false_positives", "fp", _AT_THRESHOLDS_DOC % ("false_positives", "false-positive"))
true_negatives_at_thresholds = _count_at_thresholds(
    "true_negatives", "tn", _AT_THRESHOLDS_DOC % ("true_negatives", "true-negative"))
false_negatives_at_thresholds = _count_at_thresholds(
    "false_negatives", "fn", _AT_THRESHOLDS_DOC % ("false_negatives", "false-negative"))


def _ratio_at_thresholds(default_name, other_kind, doc):
    def ratio(labels, predictions, thresholds, weights=None, metrics_collections=None,
              updates_collections=None, name=None):
        with variable_scope(name, default_name, (predictions, labels, weights)):
            counts = _confusion_at_thresholds(labels, predictions, thresholds, weights, ("tp", other_kind))
            (tp, tp_update), (other, other_update) = counts["tp"], counts[other_kind]

            def compute(tp, other, name):
                return _math.divide(tp, _math.add(_math.add(tp, other), _THRESHOLD_EPSILON), name=name)
            return _finish(compute(tp, other, "value"), compute(tp_update, other_update, "update_op"),
                           metrics_collections, updates_collections)
    ratio.__name__ = default_name
    ratio.__doc__ = doc
    return ratio


precision_at_thresholds = _ratio_at_thresholds("precision_at_thresholds", "fp", """
    `tf.metrics.precision_at_thresholds(labels, predictions, thresholds, weights=None, ...)`: per threshold,
    tp / (tp + fp + 1e-7) with a prediction above the threshold counted positive. Returns
    (precision, update_op), float32 vectors of len(thresholds).""")
recall_at_thresholds = _ratio_at_thresholds("recall_at_thresholds", "fn", """
    `tf.metrics.recall_at_thresholds(labels, predictions, thresholds, weights=None, ...)`: per threshold,
    tp / (tp + fn + 1e-7). Returns (recall, update_op), float32 vectors of len(thresholds).""")


def _evenly_spaced_thresholds(num_thresholds):
    """num_thresholds thresholds from just below 0 to just above 1 (TF's discretization of a curve)."""
    inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
    return [0.0 - _THRESHOLD_EPSILON] + inner + [1.0 + _THRESHOLD_EPSILON]


def _check_num_thresholds(num_thresholds):
    if int(num_thresholds) < 2:
        raise ValueError("num_thresholds must be at least 2, got %s" % (num_thresholds,))


def auc(labels, predictions, weights=None, num_thresholds=200, metrics_collections=None,
        updates_collections=None, curve="ROC", name=None, summation_method="trapezoidal", thresholds=None):
    """`tf.metrics.auc(labels, predictions, weights=None, num_thresholds=200, curve='ROC',
    summation_method='trapezoidal', thresholds=None, ...)`: the area under the ROC or PR curve from the
    confusion counts at `num_thresholds` evenly spaced thresholds (or the sorted `thresholds` with two
    end points added). summation_method: 'trapezoidal', 'careful_interpolation' (the exact interpolation
    of precision for PR; the trapezoidal rule for ROC), 'minoring' (left sums) or 'majoring' (right
    sums). Predictions must lie in [0, 1]. Returns (auc, update_op), float32 scalars."""
    if curve not in ("ROC", "PR"):
        raise ValueError("curve must be either ROC or PR, %s unknown" % (curve,))
    if summation_method not in ("trapezoidal", "careful_interpolation", "minoring", "majoring"):
        raise ValueError("Invalid summation_method: %s" % (summation_method,))
    with variable_scope(name, "auc", (labels, predictions, weights)):
        if thresholds is not None:
            inner = sorted(float(t) for t in thresholds)
            all_thresholds = [0.0 - _THRESHOLD_EPSILON] + inner + [1.0 + _THRESHOLD_EPSILON]
        else:
            _check_num_thresholds(num_thresholds)
            all_thresholds = _evenly_spaced_thresholds(int(num_thresholds))
        counts = _confusion_at_thresholds(labels, predictions, all_thresholds, weights)

        def compute(tp, fn, tn, fp, name):
            if curve == "PR" and summation_method == "careful_interpolation":
                return _interpolated_pr_auc(tp, fp, fn, name)
            epsilon = 1.0e-6
            recall_ = _math.divide(tp + epsilon, tp + fn + epsilon)
            if curve == "ROC":
                x, y = _math.divide(fp, fp + tn + epsilon), recall_
            else:
                x, y = recall_, _math.divide(tp + epsilon, tp + fp + epsilon)
            width = x[:-1] - x[1:]
            if summation_method == "minoring":
                height = _math.minimum(y[:-1], y[1:])
            elif summation_method == "majoring":
                height = _math.maximum(y[:-1], y[1:])
            else:
                height = (y[:-1] + y[1:]) / 2.0
            return _math.reduce_sum(_math.multiply(width, height), name=name)

        value = compute(*[counts[k][0].value() for k in _CONFUSION_KINDS], name="value")
        update_op = compute(*[counts[k][1] for k in _CONFUSION_KINDS], name="update_op")
        return _finish(value, update_op, metrics_collections, updates_collections)


def _interpolated_pr_auc(tp, fp, fn, name):
    """The PR-AUC with precision interpolated exactly between thresholds (Davis & Goadrich 2006): within
    each interval the number of predicted positives p grows linearly, so precision = slope + intercept / p
    integrates in closed form against recall."""
    dtp = tp[:-1] - tp[1:]
    positives = tp + fp
    slope = _math.div_no_nan(dtp, _math.maximum(positives[:-1] - positives[1:], 0.0))
    intercept = tp[1:] - _math.multiply(slope, positives[1:])
    both_positive = _math.logical_and(_math.greater(positives[:-1], 0.0), _math.greater(positives[1:], 0.0))
    ratio = _math.where(both_positive, _math.div_no_nan(positives[:-1], _math.maximum(positives[1:], 0.0)),
                        _array.ones_like(positives[1:]))
    increments = _math.div_no_nan(slope * (dtp + intercept * _math.log(ratio)),
                                  _math.maximum(tp[1:] + fn[1:], 0.0))
    return _math.reduce_sum(increments, name=name)


def _rate_at_rate(labels, predictions, target, target_name, weights, num_thresholds, metrics_collections,
                  updates_collections, name, default_name, pick):
    """One rate read off the threshold where another rate is nearest `target` (chosen by `pick`)."""
    if target < 0 or target > 1:
        raise ValueError("`%s` must be in the range [0, 1]." % target_name)
    _check_num_thresholds(num_thresholds)
    with variable_scope(name, default_name, (predictions, labels, weights)):
        counts = _confusion_at_thresholds(labels, predictions, _evenly_spaced_thresholds(int(num_thresholds)),
                                          weights)
        value = pick(*[counts[k][0].value() for k in _CONFUSION_KINDS], target=target, name="value")
        update_op = pick(*[counts[k][1] for k in _CONFUSION_KINDS], target=target, name="update_op")
        return _finish(value, update_op, metrics_collections, updates_collections)


def _sensitivity_where_specificity_nearest(tp, fn, tn, fp, target, name):
    specificities = _math.divide(tn, tn + fp + _THRESHOLD_EPSILON)
    # The first threshold whose specificity is nearest the target.
    index = _math.argmin(_math.abs(specificities - target), 0)
    tp_at, fn_at = _array.gather(tp, index), _array.gather(fn, index)
    return _math.divide(tp_at, tp_at + fn_at + _THRESHOLD_EPSILON, name=name)


def _specificity_where_sensitivity_nearest(tp, fn, tn, fp, target, name):
    sensitivities = _math.divide(tp, tp + fn + _THRESHOLD_EPSILON)
    distance = _math.abs(sensitivities - target)
    # The LAST threshold whose sensitivity is nearest the target: the running count of nearest ones
    # reaches its maximum there first.
    nearest = _math.cast(_math.equal(distance, _math.reduce_min(distance)), dtypes.int64)
    index = _math.argmax(_math.cumsum(nearest), 0)
    tn_at, fp_at = _array.gather(tn, index), _array.gather(fp, index)
    return _math.divide(tn_at, tn_at + fp_at + _THRESHOLD_EPSILON, name=name)


def sensitivity_at_specificity(labels, predictions, specificity, weights=None, num_thresholds=200,
                               metrics_collections=None, updates_collections=None, name=None):
    """`tf.metrics.sensitivity_at_specificity(labels, predictions, specificity, weights=None,
    num_thresholds=200, ...)`: the sensitivity tp / (tp + fn) at the (first) one of `num_thresholds`
    evenly spaced thresholds whose specificity tn / (tn + fp) is nearest `specificity` (in [0, 1], else
    ValueError). Returns (sensitivity, update_op)."""
    return _rate_at_rate(labels, predictions, specificity, "specificity", weights, num_thresholds,
                         metrics_collections, updates_collections, name, "sensitivity_at_specificity",
                         _sensitivity_where_specificity_nearest)


def specificity_at_sensitivity(labels, predictions, sensitivity, weights=None, num_thresholds=200,
                               metrics_collections=None, updates_collections=None, name=None):
    """`tf.metrics.specificity_at_sensitivity(labels, predictions, sensitivity, weights=None,
    num_thresholds=200, ...)`: the specificity tn / (tn + fp) at the (last) one of `num_thresholds`
    evenly spaced thresholds whose sensitivity is nearest `sensitivity` (in [0, 1], else ValueError).
    Returns (specificity, update_op)."""
    return _rate_at_rate(labels, predictions, sensitivity, "sensitivity", weights, num_thresholds,
                         metrics_collections, updates_collections, name, "specificity_at_sensitivity",
                         _specificity_where_sensitivity_nearest)


# --- class-id metrics ---------------------------------------------------------------------------------
def confusion_matrix(labels, predictions, num_classes=None, weights=None, dtype=dtypes.int32, name=None):
    """`tf.confusion_matrix(labels, predictions, num_classes=None, weights=None, dtype=tf.int32)`: the
    [num_classes, num_classes] matrix whose entry [i, j] sums the weights (1 without weights) of the
    examples with label i predicted as j. labels and predictions are 1-D class ids (a trailing size-1
    dimension is dropped); without num_classes it is max(labels, predictions) + 1. Negative ids, or ids
    >= num_classes, are an InvalidArgumentError when run."""
    dtype = dtypes.as_dtype(dtype)
    with name_scope(name, "confusion_matrix", (predictions, labels, num_classes, weights)):
        labels, predictions, _ = _squeeze_labels_predictions(_tensor(labels, "labels"),
                                                             _tensor(predictions, "predictions"), None)
        predictions = _math.cast(predictions, dtypes.int64)
        labels = _math.cast(labels, dtypes.int64)
        checks = [assert_non_negative(labels, message="`labels` contains negative values"),
                  assert_non_negative(predictions, message="`predictions` contains negative values")]
        if num_classes is None:
            num_classes = _math.add(_math.maximum(_math.reduce_max(predictions), _math.reduce_max(labels)),
                                    constant(1, dtypes.int64))
        else:
            num_classes = _math.cast(_tensor(num_classes, "num_classes"), dtypes.int64)
            checks += [assert_less(labels, num_classes, message="`labels` out of bound"),
                       assert_less(predictions, num_classes, message="`predictions` out of bound")]
        if weights is not None:
            weights = _tensor(weights, "weights")
            predictions.shape.assert_is_compatible_with(weights.shape)
            weights = _math.cast(weights, dtype)
        else:
            weights = _array.ones_like(predictions, dtype=dtype)
        with control_dependencies(checks):
            cells = _math.add(_math.multiply(labels, num_classes), predictions)
        counts = _weighted_bincount(cells, weights, _math.multiply(num_classes, num_classes))
        return _array.reshape(counts, _array.stack([num_classes, num_classes]), name="confusion_matrix")


def _flatten(tensor):
    if tensor.shape.ndims is not None and tensor.shape.ndims > 1:
        return _array.reshape(tensor, [-1])
    return tensor


def mean_iou(labels, predictions, num_classes, weights=None, metrics_collections=None,
             updates_collections=None, name=None):
    """`tf.metrics.mean_iou(labels, predictions, num_classes, weights=None, ...)`: the mean over classes
    of intersection-over-union, cm[i, i] / (row sum + column sum - cm[i, i]) of the streaming confusion
    matrix (a float64 local variable `total_confusion_matrix`), over the classes that occur in labels or
    predictions (0 when none). Inputs are flattened. The update op returns the updated confusion matrix.
    Returns (mean_iou, update_op)."""
    with variable_scope(name, "mean_iou", (predictions, labels, weights)):
        predictions, labels = _tensor(predictions, "predictions"), _tensor(labels, "labels")
        predictions.shape.assert_is_compatible_with(labels.shape)
        total_cm = _metric_variable([num_classes, num_classes], dtypes.float64, "total_confusion_matrix")
        if weights is not None:
            weights = _flatten(_tensor(weights, "weights"))
        batch_cm = confusion_matrix(_flatten(labels), _flatten(predictions), num_classes, weights=weights,
                                    dtype=dtypes.float64)
        update_op = _state.assign_add(total_cm, batch_cm)

        cm = _math.cast(total_cm.value(), dtypes.float32)
        diagonal = diag_part(cm)
        union = _math.reduce_sum(cm, 0) + _math.reduce_sum(cm, 1) - diagonal
        present = _math.reduce_sum(_math.cast(_math.not_equal(union, 0.0), dtypes.float32))
        iou = _math.div_no_nan(diagonal, union)
        value = _math.div_no_nan(_math.reduce_sum(iou), present, name="value")
        return _finish(value, update_op, metrics_collections, updates_collections)


def mean_per_class_accuracy(labels, predictions, num_classes, weights=None, metrics_collections=None,
                            updates_collections=None, name=None):
    """`tf.metrics.mean_per_class_accuracy(labels, predictions, num_classes, weights=None, ...)`: the
    mean over all `num_classes` classes of the weighted fraction of examples of that label predicted
    correctly (0 for a class not seen yet), in float32 local variables `total` and `count` of shape
    [num_classes]. Inputs are flattened; a label outside [0, num_classes) is an InvalidArgumentError when
    run. The update op returns the per-class accuracies. Returns (mean_accuracy, update_op)."""
    with variable_scope(name, "mean_accuracy", (predictions, labels, weights)):
        labels = _flatten(_math.cast(_tensor(labels, "labels"), dtypes.int64))
        predictions = _flatten(_tensor(predictions, "predictions"))
        predictions.shape.assert_is_compatible_with(labels.shape)
        total = _metric_variable([num_classes], dtypes.float32, "total")
        count = _metric_variable([num_classes], dtypes.float32, "count")
        ones = _array.ones_like(labels, dtype=dtypes.float32)
        if labels.dtype is not predictions.dtype:
            predictions = _math.cast(predictions, labels.dtype)
        is_correct = _math.cast(_math.equal(predictions, labels), dtypes.float32)
        if weights is not None:
            weights = _flatten(_math.cast(_tensor(weights, "weights"), dtypes.float32))
            is_correct = _math.multiply(is_correct, weights)
            ones = _math.multiply(ones, weights)
        update_total = _state.assign_add(total, _weighted_bincount(labels, ones, num_classes))
        update_count = _state.assign_add(count, _weighted_bincount(labels, is_correct, num_classes))
        per_class = _math.div_no_nan(count, _math.maximum(total, 0.0))
        value = _math.reduce_mean(per_class, name="value")
        update_op = _math.div_no_nan(update_count, _math.maximum(update_total, 0.0), name="update_op")
        return _finish(value, update_op, metrics_collections, updates_collections)


# --- top-k metrics ------------------------------------------------------------------------------------
def _at_k_name(name, k=None, class_id=None):
    if k is not None:
        name = "%s_at_%d" % (name, k)
    if class_id is not None:
        name = "%s_class%d" % (name, class_id)
    return name


class _LabelSets:
    """Each row's set of labels: int64 `ids` [D1..DN, L] and, for labels given as a SparseTensor, a bool
    `present` of the same shape marking the stored entries (None: every entry is a label)."""

    def __init__(self, ids, present=None):
        self.ids, self.present = ids, present

    def _only_present(self, condition):
        return condition if self.present is None else _math.logical_and(condition, self.present)

    def contain(self, ids):
        """bool [..., M]: whether ids[..., m] is in its row's set."""
        same = _math.equal(_array.expand_dims(ids, -1), _array.expand_dims(self.ids, -2))
        if self.present is not None:
            same = _math.logical_and(same, _array.expand_dims(self.present, -2))
        return _math.reduce_any(same, axis=-1)

    def contain_class(self, class_id):
        return _math.reduce_any(self._only_present(_math.equal(self.ids, class_id)), axis=-1)

    def distinct(self):
        """bool [..., L]: the entries that are labels and repeat no earlier label of their row."""
        return self._only_present(_first_occurrences(self.ids, self.present))

    def num_relevant(self, k):
        """float64: min(number of labels, k) per row, TF's divisor of the average precision: the width L
        of dense labels (repeats included), the number of distinct stored labels of a SparseTensor."""
        if self.present is None:
            return _math.minimum(_math.cast(_array.shape(self.ids)[-1], dtypes.float64), float(k))
        return _math.minimum(_count(self.distinct()), float(k))


def _label_sets(labels, predictions):
    """The labels of the top-k metrics as _LabelSets of rank rank(predictions): [D1..DN] labels gain a
    trailing num_labels=1; a SparseTensor (or SparseTensorValue) holds each row's labels sparsely."""
    from ..framework.sparse_tensor import SparseTensor, SparseTensorValue, sparse_to_dense
    predictions_rank = predictions.shape.ndims
    if isinstance(labels, (SparseTensor, SparseTensorValue)):
        labels = SparseTensor.from_value(labels)
        indices, dense_shape = labels.indices, labels.dense_shape
        if predictions_rank is None:
            raise ValueError("The top-k metrics need predictions of known rank, got %s" % (predictions.shape,))
        # A SparseTensor of unknown rank (a sparse_placeholder without shape) is taken in the documented
        # [D1, ... DN, num_labels] form.
        labels_rank = indices.shape[1].value or predictions_rank
        if predictions_rank == labels_rank + 1:
            indices = _array.concat([indices, _array.zeros_like(indices[:, :1])], 1)
            dense_shape = _array.concat([dense_shape, constant([1], dtypes.int64)], 0)
        elif predictions_rank != labels_rank:
            raise ValueError("Unexpected labels shape (a SparseTensor of rank %d) for predictions shape %s."
                             % (labels_rank, predictions.shape))
        ids = sparse_to_dense(indices, dense_shape, _math.cast(labels.values, dtypes.int64), -1)
        present = sparse_to_dense(indices, dense_shape, _array.ones_like(labels.values, dtype=dtypes.bool),
                                  False)
        for dense in (ids, present):
            dense.set_shape(dense.shape.merge_with(TensorShape([None] * predictions_rank)))
        return _LabelSets(ids, present)
    labels = _math.cast(_tensor(labels, "labels"), dtypes.int64)
    labels_rank = labels.shape.ndims
    if labels_rank is None or predictions_rank is None:
        raise ValueError("The top-k metrics need labels and predictions of known rank, got %s and %s"
                         % (labels.shape, predictions.shape))
    if predictions_rank == labels_rank:
        return _LabelSets(labels)
    if predictions_rank == labels_rank + 1:
        return _LabelSets(_array.expand_dims(labels, -1))
    raise ValueError("Unexpected labels shape %s for predictions shape %s." % (labels.shape, predictions.shape))


def _first_occurrences(ids, present=None):
    """bool [..., M]: True where ids[..., m] equals no earlier (present) id of its row (set semantics)."""
    positions = _array.range(_array.shape(ids, out_type=dtypes.int64)[-1])
    earlier = _math.less(_array.expand_dims(positions, 1), _array.expand_dims(positions, 0))
    repeats = _math.logical_and(_math.equal(_array.expand_dims(ids, -1), _array.expand_dims(ids, -2)), earlier)
    if present is not None:
        repeats = _math.logical_and(repeats, _array.expand_dims(present, -1))
    return _math.logical_not(_math.reduce_any(repeats, axis=-2))


def _count(condition):
    return _math.reduce_sum(_math.cast(condition, dtypes.float64), axis=-1)


def _per_row_counts(label_sets, predictions_idx, class_id, kind):
    """float64 [D1..DN]: per row, the true positives ('tp'), false positives ('fp': predicted, not a
    label) or false negatives ('fn': a label, not predicted) of the top-k sets, or of class `class_id`."""
    if class_id is not None:
        in_predictions = _math.reduce_any(_math.equal(predictions_idx, class_id), axis=-1)
        in_labels = label_sets.contain_class(class_id)
        condition = {"tp": lambda: _math.logical_and(in_predictions, in_labels),
                     "fp": lambda: _math.logical_and(in_predictions, _math.logical_not(in_labels)),
                     "fn": lambda: _math.logical_and(in_labels, _math.logical_not(in_predictions))}[kind]()
        return _math.cast(condition, dtypes.float64)
    if kind == "fn":
        predicted = _LabelSets(predictions_idx).contain(label_sets.ids)
        return _count(_math.logical_and(label_sets.distinct(), _math.logical_not(predicted)))
    hits = label_sets.contain(predictions_idx)
    if kind == "fp":
        hits = _math.logical_not(hits)
    return _count(_math.logical_and(_first_occurrences(predictions_idx), hits))


def _streaming_count_at_k(labels, predictions_idx, class_id, weights, kind, name):
    """A float64 local variable summing the weighted per-row counts of `kind`; returns (variable, update)."""
    counts = _per_row_counts(labels, predictions_idx, class_id, kind)
    if weights is not None:
        counts = _math.multiply(counts, _broadcast_weights(_math.cast(_tensor(weights, "weights"),
                                                                      dtypes.float64), counts))
    variable = _metric_variable([], dtypes.float64, name)
    return variable.value(), _state.assign_add(variable, _math.reduce_sum(counts))


def _ratio_at_k(top_k_ids_fn, labels, k, class_id, weights, metrics_collections, updates_collections, name,
                default_name, other_kind, inputs):
    """tp / (tp + other) of the top-k ids that `top_k_ids_fn` builds inside the metric's scope."""
    with variable_scope(name, _at_k_name(default_name, k, class_id), inputs):
        top_k_ids = _math.cast(top_k_ids_fn(), dtypes.int64)
        labels = _label_sets(labels, top_k_ids)
        tp, tp_update = _streaming_count_at_k(labels, top_k_ids, class_id, weights, "tp",
                                              _at_k_name("true_positive", k, class_id))
        other, other_update = _streaming_count_at_k(labels, top_k_ids, class_id, weights, other_kind,
                                                    _at_k_name(_CONFUSION_NAMES[other_kind][:-1], k, class_id))
        value = _nan_div(tp, _math.add(tp, other), name="value")
        update_op = _nan_div(tp_update, _math.add(tp_update, other_update), name="update_op")
        return _finish(value, update_op, metrics_collections, updates_collections)


def _given_top_k_ids(predictions_idx):
    def ids():
        tensor = _tensor(predictions_idx, "predictions_idx")
        if not tensor.dtype.is_integer:
            raise TypeError("predictions_idx must be an integer tensor, got %s" % tensor.dtype.name)
        return tensor
    return ids


def _top_k_ids_of(predictions, k):
    return lambda: _nn.top_k(_tensor(predictions, "predictions"), k).indices


def precision_at_top_k(labels, predictions_idx, k=None, class_id=None, weights=None, metrics_collections=None,
                       updates_collections=None, name=None):
    """`tf.metrics.precision_at_top_k(labels, predictions_idx, k=None, class_id=None, weights=None, ...)`:
    as precision_at_k with the top-k class ids [D1..DN, k] given instead of scores (k only names the op).
    Returns (precision, update_op), float64 scalars."""
    return _ratio_at_k(_given_top_k_ids(predictions_idx), labels, k, class_id, weights, metrics_collections,
                       updates_collections, name, "precision", "fp", (predictions_idx, labels, weights))


def recall_at_top_k(labels, predictions_idx, k=None, class_id=None, weights=None, metrics_collections=None,
                    updates_collections=None, name=None):
    """`tf.metrics.recall_at_top_k(labels, predictions_idx, k=None, class_id=None, weights=None, ...)`:
    as recall_at_k with the top-k class ids [D1..DN, k] given instead of scores (k only names the op).
    Returns (recall, update_op), float64 scalars."""
    return _ratio_at_k(_given_top_k_ids(predictions_idx), labels, k, class_id, weights, metrics_collections,
                       updates_collections, name, "recall", "fn", (predictions_idx, labels, weights))


def precision_at_k(labels, predictions, k, class_id=None, weights=None, metrics_collections=None,
                   updates_collections=None, name=None):
    """`tf.metrics.precision_at_k(labels, predictions, k, class_id=None, weights=None, ...)`: of the k
    highest-scoring classes of each row of `predictions` [D1..DN, num_classes], the weighted fraction
    that are among the row's `labels` (int64 [D1..DN, num_labels] or [D1..DN], or a SparseTensor; ids outside
    [0, num_classes) never match). With class_id: over the rows whose top k hold class_id, the fraction
    whose labels hold it too. Local float64 variables true_positive_at_<k> and false_positive_at_<k>;
    NaN while nothing was counted. Returns (precision, update_op)."""
    return _ratio_at_k(_top_k_ids_of(predictions, k), labels, k, class_id, weights, metrics_collections,
                       updates_collections, name, "precision", "fp", (predictions, labels, weights))


def recall_at_k(labels, predictions, k, class_id=None, weights=None, metrics_collections=None,
                updates_collections=None, name=None):
    """`tf.metrics.recall_at_k(labels, predictions, k, class_id=None, weights=None, ...)`: the weighted
    fraction of each row's distinct labels found among its k highest-scoring classes (label ids outside
    [0, num_classes) are never found). With class_id: over the rows labelled class_id, the fraction whose
    top k hold it. Local float64 variables true_positive_at_<k> and false_negative_at_<k>; NaN while
    nothing was counted. Returns (recall, update_op)."""
    return _ratio_at_k(_top_k_ids_of(predictions, k), labels, k, class_id, weights, metrics_collections,
                       updates_collections, name, "recall", "fn", (predictions, labels, weights))


def sparse_precision_at_k(labels, predictions, k, class_id=None, weights=None, metrics_collections=None,
                          updates_collections=None, name=None):
    """`tf.metrics.sparse_precision_at_k`: the deprecated name of precision_at_k."""
    return precision_at_k(labels, predictions, k, class_id, weights, metrics_collections, updates_collections,
                          name)


def _average_precision_per_row(label_sets, predictions_idx):
    """float64 [D1..DN]: the average precision of each row's ranked ids against its labels, the sum of
    precision@i over the relevant positions i divided by min(num_labels, k)."""
    if predictions_idx.shape.ndims == 0:
        raise ValueError("The rank of predictions_idx must be at least 1.")
    k = predictions_idx.shape[-1].value
    if k is None:
        raise ValueError("The last dimension of predictions_idx must be set.")
    relevant = _math.cast(label_sets.contain(predictions_idx), dtypes.float64)
    precision_at_each = _math.divide(_math.cumsum(relevant, axis=-1),
                                     constant(np.arange(1, k + 1, dtype=np.float64)))
    precision_sum = _math.reduce_sum(_math.multiply(precision_at_each, relevant), axis=-1)
    return _nan_div(precision_sum, label_sets.num_relevant(k))


def average_precision_at_k(labels, predictions, k, weights=None, metrics_collections=None,
                           updates_collections=None, name=None):
    """`tf.metrics.average_precision_at_k(labels, predictions, k, weights=None, ...)`: the weighted mean
    over rows of the average precision at k of the k highest-scoring classes against the row's labels
    (int64 [D1..DN, num_labels] or [D1..DN], or a SparseTensor; the divisor is min(num_labels, k), with
    the distinct labels of a row counted for a SparseTensor). Local float64 variables
    `total` and `max` (the sum of the weights); 0 while it is 0. k < 1 is a ValueError. Returns
    (mean_average_precision, update_op)."""
    if k < 1:
        raise ValueError("Invalid k=%s." % k)
    with variable_scope(name, _at_k_name("average_precision", k), (predictions, labels, weights)):
        predictions_idx = _math.cast(_top_k_ids_of(predictions, k)(), dtypes.int64)
        average_precision = _average_precision_per_row(_label_sets(labels, predictions_idx), predictions_idx)
        if weights is not None:
            weights = _broadcast_weights(_math.cast(_tensor(weights, "weights"), dtypes.float64),
                                         average_precision)
            average_precision = _math.multiply(average_precision, weights)
            batch_max = _math.reduce_sum(weights)
        else:
            batch_max = _math.cast(_array.size(average_precision), dtypes.float64)
        max_variable = _metric_variable([], dtypes.float64, "max")
        total_variable = _metric_variable([], dtypes.float64, "total")
        update_max = _state.assign_add(max_variable, batch_max)
        update_total = _state.assign_add(total_variable, _math.reduce_sum(average_precision))
        value = _math.div_no_nan(total_variable, max_variable, name="value")
        update_op = _math.div_no_nan(update_total, update_max, name="update_op")
        return _finish(value, update_op, metrics_collections, updates_collections)


def sparse_average_precision_at_k(labels, predictions, k, weights=None, metrics_collections=None,
                                  updates_collections=None, name=None):
    """`tf.metrics.sparse_average_precision_at_k`: the deprecated name of average_precision_at_k."""
    return average_precision_at_k(labels, predictions, k, weights, metrics_collections, updates_collections,
                                  name)
