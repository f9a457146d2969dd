"""The heads of the canned estimators: from logits and labels to predictions, loss, eval metrics and the
train op, as TF 1.15's v1 heads.

    binary     sigmoid cross-entropy on [batch, 1] logits     (n_classes == 2)
    multiclass softmax cross-entropy on [batch, n] logits     (n_classes > 2)
    regression squared error on [batch, label_dimension] logits

The training loss is the per-example loss, weighted by `weight_column`, reduced with `loss_reduction`
(tf.losses.Reduction.SUM by default, as TF 1.15's tf.estimator canned estimators), plus the graph's
regularization losses.
"""
import numpy as np

from ... import losses as _losses
from ... import metrics as _metrics
from ... import summary as _summary
from ...framework import dtypes
from ...framework.graph import GraphKeys, control_dependencies, convert_to_tensor, get_default_graph, name_scope
from ...framework.sparse_tensor import SparseTensor
from ..model_fn import EstimatorSpec, ModeKeys

__all__ = ["binary_classification_head", "multi_class_head", "regression_head"]


def _ops():
    from ...ops import array, math as math_ops, nn
    return array, math_ops, nn


class PredictionKeys:
    """The keys of canned estimators' predictions dicts (tf.estimator's PredictionKeys)."""

    CLASSES = "classes"
    CLASS_IDS = "class_ids"
    ALL_CLASSES = "all_classes"
    ALL_CLASS_IDS = "all_class_ids"
    LOGISTIC = "logistic"
    LOGITS = "logits"
    PREDICTIONS = "predictions"
    PROBABILITIES = "probabilities"


class MetricKeys:
    """The names of canned estimators' eval metrics (tf.estimator's MetricKeys)."""

    LOSS = "loss"
    LOSS_MEAN = "average_loss"
    ACCURACY = "accuracy"
    PRECISION = "precision"
    RECALL = "recall"
    ACCURACY_BASELINE = "accuracy_baseline"
    AUC = "auc"
    AUC_PR = "auc_precision_recall"
    LABEL_MEAN = "label/mean"
    PREDICTION_MEAN = "prediction/mean"


def _check_loss_reduction(loss_reduction):
    if loss_reduction not in _losses.Reduction.all() or loss_reduction == _losses.Reduction.NONE:
        raise ValueError("Invalid loss_reduction: %s" % (loss_reduction,))


def _example_weights(features, weight_column):
    """float32 [batch, 1] weights from the feature `weight_column` (a key or a numeric_column), or 1.0."""
    if weight_column is None:
        return 1.0
    array, math_ops, _ = _ops()
    from ...feature_column.feature_column import _LazyBuilder, _NumericColumn, numeric_column
    if isinstance(weight_column, str):
        weight_column = numeric_column(weight_column)
    if not isinstance(weight_column, _NumericColumn):
        raise TypeError("Weight column must be either a string or _NumericColumn. Given type: %s"
                        % type(weight_column))
    weights = _LazyBuilder(features).get(weight_column, weight_column)
    return array.reshape(math_ops.cast(weights, dtypes.float32), [-1, 1])


def _check_labels(labels, expected_dimension):
    """`labels` as a [batch, expected_dimension] tensor; ValueError when its static shape disagrees."""
    if labels is None:
        raise ValueError("You must provide a labels Tensor. Given: None. Suggested troubleshooting steps: Check that "
                         "your data contain your label feature. Check that your input_fn properly parses and returns "
                         "labels.")
    if isinstance(labels, SparseTensor):
        raise ValueError("SparseTensor labels are not supported. labels must be a Tensor of shape [D0, D1, ... DN, "
                         "%s], e.g. [batch_size, %s]." % (expected_dimension, expected_dimension))
    if isinstance(labels, dict):
        raise ValueError("labels must be a Tensor (this head has one label), got a dict with keys %s" % sorted(labels))
    array, _, _ = _ops()
    labels = convert_to_tensor(labels, name="labels")
    if labels.shape.ndims == 1:
        labels = array.expand_dims(labels, -1)
    if labels.shape.ndims is not None:
        if labels.shape.ndims != 2 or labels.shape[-1].value not in (None, expected_dimension):
            raise ValueError("Mismatched label shape. Expected labels dimension=%s.  Received %s."
                             % (expected_dimension, labels.shape[-1].value if labels.shape.ndims else labels.shape))
    return labels


def _check_logits(logits, logits_dimension):
    logits = convert_to_tensor(logits, name="logits")
    if logits.shape.ndims is not None and (logits.shape.ndims != 2 or
                                           logits.shape[-1].value not in (None, logits_dimension)):
        raise ValueError("logits shape must be [D0, D1, ... DN, logits_dimension], got %s (logits_dimension %d)."
                         % (logits.shape, logits_dimension))
    return logits


def _asserted(tensor, condition, message):
    """`tensor`, failing the run with InvalidArgumentError('... message ...') when `condition` is false."""
    from ...ops.control import identity
    from ...ops.debug import Assert
    with control_dependencies([Assert(condition, [message])]):
        return identity(tensor)


class _Head:
    """What the three heads share: the loss reduction, the spec per mode and the train op."""

    name = None

    def __init__(self, weight_column, loss_reduction):
        _check_loss_reduction(loss_reduction)
        self._weight_column = weight_column
        self._loss_reduction = loss_reduction

    logits_dimension = None

    def _predictions(self, logits):
        raise NotImplementedError

    def _unreduced_loss(self, labels, logits):
        """(per-example loss [batch, d], processed labels for the metrics)."""
        raise NotImplementedError

    def _eval_metric_ops(self, labels, predictions, unreduced_loss, weights):
        raise NotImplementedError

    def create_estimator_spec(self, features, mode, logits, labels=None, optimizer=None, train_op_fn=None,
                              regularization_losses=None):
        """The EstimatorSpec for `mode`: predictions only in PREDICT; plus loss and eval_metric_ops in EVAL;
        plus the train op (`optimizer.minimize` or `train_op_fn(loss)`) in TRAIN."""
        array, math_ops, _ = _ops()
        with name_scope("head"):
            logits = _check_logits(logits, self.logits_dimension)
            predictions = self._predictions(logits)
            if mode == ModeKeys.PREDICT:
                return EstimatorSpec(mode, predictions=predictions)
            unreduced_loss, labels = self._unreduced_loss(labels, logits)
            weights = _example_weights(features, self._weight_column)
            training_loss = _losses.compute_weighted_loss(unreduced_loss, weights=weights,
                                                          reduction=self._loss_reduction)
            if regularization_losses is None:
                regularization_losses = get_default_graph().get_collection(GraphKeys.REGULARIZATION_LOSSES)
            loss = (math_ops.add_n([training_loss] + list(regularization_losses)) if regularization_losses
                    else training_loss)
            if mode == ModeKeys.EVAL:
                return EstimatorSpec(mode, predictions=predictions, loss=loss, eval_metric_ops=self._eval_metric_ops(
                    labels, predictions, unreduced_loss, weights))
            if (optimizer is None) == (train_op_fn is None):
                raise ValueError("train_op_fn and optimizer cannot both be None, nor both be set (exactly one).")
        from ...train.training_util import get_global_step
        train_op = optimizer.minimize(loss, global_step=get_global_step()) if optimizer else train_op_fn(loss)
        _summary.scalar(MetricKeys.LOSS, loss)
        weights_like_loss = weights * array.ones_like(unreduced_loss)
        _summary.scalar(MetricKeys.LOSS_MEAN, math_ops.div_no_nan(math_ops.reduce_sum(unreduced_loss * weights),
                                                                  math_ops.reduce_sum(weights_like_loss)))
        return EstimatorSpec(mode, predictions=predictions, loss=loss, train_op=train_op)


def _class_strings(label_vocabulary, n_classes):
    if label_vocabulary:
        return np.array([v.encode("utf-8") if isinstance(v, str) else bytes(v) for v in label_vocabulary], object)
    return np.array([str(i).encode("ascii") for i in range(n_classes)], object)


def _class_id_predictions(logits_for_argmax, class_strings):
    """class_ids [batch, 1] int64, classes [batch, 1] string and the all_* tiles."""
    array, math_ops, _ = _ops()
    n = len(class_strings)
    class_ids = array.expand_dims(math_ops.argmax(logits_for_argmax, axis=1, output_type=dtypes.int64), -1)
    strings = convert_to_tensor(class_strings, dtype=dtypes.string)
    batch = array.shape(logits_for_argmax)[:1]
    all_ids = array.tile(array.expand_dims(array.range(n, dtype=dtypes.int32), 0), array.concat([batch, [1]], 0))
    all_classes = array.tile(array.expand_dims(strings, 0), array.concat([batch, [1]], 0))
    return {PredictionKeys.CLASS_IDS: class_ids, PredictionKeys.CLASSES: array.gather(strings, class_ids),
            PredictionKeys.ALL_CLASS_IDS: all_ids, PredictionKeys.ALL_CLASSES: all_classes}


class _ClassificationHead(_Head):
    """Label handling shared by the binary and multi-class heads (integer ids or label_vocabulary strings)."""

    def __init__(self, n_classes, weight_column, label_vocabulary, loss_reduction):
        super().__init__(weight_column, loss_reduction)
        if label_vocabulary is not None:
            if not isinstance(label_vocabulary, (list, tuple)):
                raise ValueError("label_vocabulary should be a list or a tuple. Given type: %s"
                                 % type(label_vocabulary))
            if len(label_vocabulary) != n_classes:
                raise ValueError("Length of label_vocabulary must be equal to n_classes %d, got %d."
                                 % (n_classes, len(label_vocabulary)))
            if len(set(label_vocabulary)) != n_classes:
                raise ValueError("label_vocabulary must not contain duplicates: %s" % (label_vocabulary,))
        self._n_classes = n_classes
        self._label_vocabulary = label_vocabulary
        self._class_strings = _class_strings(label_vocabulary, n_classes)

    def _label_ids(self, labels):
        """int64 [batch, 1] class ids of `labels`, checked at run time to lie in [0, n_classes)."""
        array, math_ops, _ = _ops()
        labels = _check_labels(labels, 1)
        if self._label_vocabulary is not None:
            if labels.dtype is not dtypes.string:
                raise ValueError("Labels dtype should be string if there is a vocabulary. Given: %s"
                                 % labels.dtype.name)
            from ...feature_column.feature_column import vocabulary_lookup
            ids = vocabulary_lookup(labels, list(self._class_strings), default_value=-1)
            return _asserted(ids, math_ops.reduce_all(math_ops.greater_equal(ids, 0)),
                             "Labels must be in the label_vocabulary %s" % (list(self._label_vocabulary),))
        if labels.dtype is dtypes.string:
            raise ValueError("Labels dtype should be integer (class ids) when there is no label_vocabulary, got "
                             "string labels. Pass label_vocabulary to the estimator.")
        ids = math_ops.cast(labels, dtypes.int64)
        in_range = math_ops.logical_and(math_ops.reduce_all(math_ops.greater_equal(ids, 0)),
                                        math_ops.reduce_all(math_ops.less(ids, self._n_classes)))
        return _asserted(ids, in_range, "Labels must be in [0, n_classes - 1] = [0, %d]" % (self._n_classes - 1))


class _BinaryLogisticHead(_ClassificationHead):
    logits_dimension = 1

    def __init__(self, weight_column=None, label_vocabulary=None, loss_reduction=_losses.Reduction.SUM):
        super().__init__(2, weight_column, label_vocabulary, loss_reduction)

    def _predictions(self, logits):
        array, math_ops, nn = _ops()
        two_class_logits = array.concat([array.zeros_like(logits), logits], axis=1)
        predictions = {PredictionKeys.LOGITS: logits, PredictionKeys.LOGISTIC: math_ops.sigmoid(logits),
                       PredictionKeys.PROBABILITIES: nn.softmax(two_class_logits)}
        predictions.update(_class_id_predictions(two_class_logits, self._class_strings))
        return predictions

    def _unreduced_loss(self, labels, logits):
        _, math_ops, nn = _ops()
        label_ids = self._label_ids(labels)
        float_labels = math_ops.cast(label_ids, dtypes.float32)
        return nn.sigmoid_cross_entropy_with_logits(labels=float_labels, logits=logits), label_ids

    def _eval_metric_ops(self, labels, predictions, unreduced_loss, weights):
        _, math_ops, _ = _ops()
        weights = None if isinstance(weights, float) else weights
        class_ids = predictions[PredictionKeys.CLASS_IDS]
        logistic = predictions[PredictionKeys.LOGISTIC]
        float_labels = math_ops.cast(labels, dtypes.float32)
        label_mean = _metrics.mean(float_labels, weights=weights, name=MetricKeys.LABEL_MEAN)
        baseline = (math_ops.maximum(label_mean[0], 1.0 - label_mean[0]),
                    math_ops.maximum(label_mean[1], 1.0 - label_mean[1]))
        return {
            MetricKeys.LOSS_MEAN: _metrics.mean(unreduced_loss, weights=weights, name=MetricKeys.LOSS_MEAN),
            MetricKeys.ACCURACY: _metrics.accuracy(labels, class_ids, weights=weights, name=MetricKeys.ACCURACY),
            MetricKeys.PRECISION: _metrics.precision(labels, class_ids, weights=weights, name=MetricKeys.PRECISION),
            MetricKeys.RECALL: _metrics.recall(labels, class_ids, weights=weights, name=MetricKeys.RECALL),
            MetricKeys.PREDICTION_MEAN: _metrics.mean(logistic, weights=weights, name=MetricKeys.PREDICTION_MEAN),
            MetricKeys.LABEL_MEAN: label_mean,
            MetricKeys.ACCURACY_BASELINE: baseline,
            MetricKeys.AUC: _metrics.auc(labels, logistic, weights=weights, curve="ROC", name=MetricKeys.AUC),
            MetricKeys.AUC_PR: _metrics.auc(labels, logistic, weights=weights, curve="PR", name=MetricKeys.AUC_PR),
        }


class _MultiClassHead(_ClassificationHead):

    def __init__(self, n_classes, weight_column=None, label_vocabulary=None, loss_reduction=_losses.Reduction.SUM):
        if n_classes is None or n_classes <= 2:
            raise ValueError("n_classes must be > 2: %s." % n_classes)
        super().__init__(n_classes, weight_column, label_vocabulary, loss_reduction)
        self.logits_dimension = n_classes

    def _predictions(self, logits):
        _, _, nn = _ops()
        predictions = {PredictionKeys.LOGITS: logits, PredictionKeys.PROBABILITIES: nn.softmax(logits)}
        predictions.update(_class_id_predictions(logits, self._class_strings))
        return predictions

    def _unreduced_loss(self, labels, logits):
        array, _, nn = _ops()
        label_ids = self._label_ids(labels)
        loss = nn.sparse_softmax_cross_entropy_with_logits(labels=array.reshape(label_ids, [-1]), logits=logits)
        return array.expand_dims(loss, -1), label_ids

    def _eval_metric_ops(self, labels, predictions, unreduced_loss, weights):
        weights = None if isinstance(weights, float) else weights
        return {
            MetricKeys.LOSS_MEAN: _metrics.mean(unreduced_loss, weights=weights, name=MetricKeys.LOSS_MEAN),
            MetricKeys.ACCURACY: _metrics.accuracy(labels, predictions[PredictionKeys.CLASS_IDS], weights=weights,
                                                   name=MetricKeys.ACCURACY),
        }


class _RegressionHead(_Head):

    def __init__(self, label_dimension=1, weight_column=None, loss_reduction=_losses.Reduction.SUM):
        if label_dimension is None or label_dimension < 1:
            raise ValueError("Invalid label_dimension %s." % label_dimension)
        super().__init__(weight_column, loss_reduction)
        self.logits_dimension = label_dimension

    def _predictions(self, logits):
        return {PredictionKeys.PREDICTIONS: logits}

    def _unreduced_loss(self, labels, logits):
        _, math_ops, _ = _ops()
        labels = _check_labels(labels, self.logits_dimension)
        if labels.dtype is dtypes.string:
            raise ValueError("Regression labels must be numeric, got string labels.")
        labels = math_ops.cast(labels, dtypes.float32)
        return math_ops.squared_difference(logits, labels), labels

    def _eval_metric_ops(self, labels, predictions, unreduced_loss, weights):
        weights = None if isinstance(weights, float) else weights
        return {
            MetricKeys.LOSS_MEAN: _metrics.mean(unreduced_loss, weights=weights, name=MetricKeys.LOSS_MEAN),
            MetricKeys.PREDICTION_MEAN: _metrics.mean(predictions[PredictionKeys.PREDICTIONS], weights=weights,
                                                      name=MetricKeys.PREDICTION_MEAN),
            MetricKeys.LABEL_MEAN: _metrics.mean(labels, weights=weights, name=MetricKeys.LABEL_MEAN),
        }


def classification_head(n_classes, weight_column=None, label_vocabulary=None, loss_reduction=_losses.Reduction.SUM):
    """The head for `n_classes` classes: logistic for 2, softmax above; ValueError for fewer."""
    if n_classes is None or n_classes <= 1:
        raise ValueError("n_classes must be > 1: %s" % (n_classes,))
    if n_classes == 2:
        return _BinaryLogisticHead(weight_column, label_vocabulary, loss_reduction)
    return _MultiClassHead(n_classes, weight_column, label_vocabulary, loss_reduction)


def binary_classification_head(weight_column=None, label_vocabulary=None, loss_reduction=_losses.Reduction.SUM):
    """A head for two classes: sigmoid cross-entropy on one logit per example."""
    return _BinaryLogisticHead(weight_column, label_vocabulary, loss_reduction)


def multi_class_head(n_classes, weight_column=None, label_vocabulary=None, loss_reduction=_losses.Reduction.SUM):
    """A head for n_classes > 2: softmax cross-entropy on n_classes logits per example."""
    return _MultiClassHead(n_classes, weight_column, label_vocabulary, loss_reduction)


def regression_head(label_dimension=1, weight_column=None, loss_reduction=_losses.Reduction.SUM):
    """A head for regression: squared error between label_dimension logits and labels per example."""
    return _RegressionHead(label_dimension, weight_column, loss_reduction)
