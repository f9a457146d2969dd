"""`tf.keras.metrics` as TF 1.15 defines them: streaming `Metric` objects (state variables updated batch
by batch, `result()` read at any time, `reset_states()` to start over) and per-sample metric functions
(`binary_accuracy(y_true, y_pred)`, ...) that `compile(metrics=[...])` averages.

A `Metric` is a `Layer` whose state lives in non-trainable variables in the LOCAL_VARIABLES and
METRIC_VARIABLES collections (so a `tf.train.Saver` does not save them and
`tf.local_variables_initializer()` resets them). Calling a metric, `metric(y_true, y_pred,
sample_weight=None)`, adds the update and returns the result tensor that depends on it.
"""
import numpy as np

import numflow as tf

from ..framework import dtypes
from ..framework.graph import GraphKeys, control_dependencies, name_scope
from . import backend
from . import losses as keras_losses
from .engine.base_layer import Layer
from .losses import squeeze_or_expand_dimensions
from .utils.generic_utils import deserialize_keras_object, serialize_keras_object

__all__ = ["Metric", "Reduce", "Sum", "Mean", "MeanTensor", "MeanMetricWrapper", "Accuracy", "BinaryAccuracy",
           "CategoricalAccuracy", "SparseCategoricalAccuracy", "TopKCategoricalAccuracy",
           "SparseTopKCategoricalAccuracy", "MeanSquaredError", "MeanAbsoluteError", "RootMeanSquaredError",
           "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "Hinge", "SquaredHinge",
           "CategoricalHinge", "LogCoshError", "KLDivergence", "Poisson", "CosineSimilarity", "BinaryCrossentropy",
           "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "TruePositives", "TrueNegatives",
           "FalsePositives", "FalseNegatives", "Precision", "Recall", "AUC", "SensitivityAtSpecificity",
           "SpecificityAtSensitivity", "MeanIoU", "MeanRelativeError",
           "accuracy", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
           "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy", "mean_squared_error",
           "mean_absolute_error", "mean_absolute_percentage_error", "mean_squared_logarithmic_error", "hinge",
           "squared_hinge", "categorical_hinge", "logcosh", "kullback_leibler_divergence", "poisson",
           "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
           "cosine_proximity", "cosine", "mse", "MSE", "mae", "MAE", "mape", "MAPE", "msle", "MSLE", "kld", "KLD",
           "get", "serialize", "deserialize"]

_METRIC_COLLECTIONS = [GraphKeys.LOCAL_VARIABLES, GraphKeys.METRIC_VARIABLES]


class Metric(Layer):
    """`tf.keras.metrics.Metric(name=None, dtype=None)`: base class of streaming metrics.

    Subclasses create their state with `add_weight` in `__init__`, and implement
    `update_state(*args, **kwargs)` (returning the update op) and `result()`; `reset_states()` sets every
    state variable to zero.
    """

    def __init__(self, name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype or backend.floatx(), **kwargs)
        self.stateful = True
        self.built = True

    def __call__(self, *args, **kwargs):
        """Updates the state from a batch and returns the result tensor (which runs the update)."""
        with name_scope(self.name):
            update_op = self.update_state(*args, **kwargs)
            dependencies = [update_op] if update_op is not None else []
            with control_dependencies(dependencies):
                result = tf.identity(self.result())
        result._metric_obj = self
        return result

    def add_weight(self, name, shape=(), aggregation=None, synchronization=None, initializer=None, dtype=None):
        """A non-trainable state variable '<metric name>/<name>' (zeros by default) in the LOCAL_VARIABLES
        and METRIC_VARIABLES collections."""
        with name_scope(self.name + "/"):
            return super().add_weight(name=name, shape=shape, dtype=dtype or self._dtype,
                                      initializer=initializer or "zeros", trainable=False,
                                      collections=list(_METRIC_COLLECTIONS))

    def reset_states(self):
        """Sets every state variable back to zero."""
        backend.batch_set_value([(v, np.zeros(v.shape.as_list())) for v in self.variables])

    def update_state(self, *args, **kwargs):
        """Adds the op that accumulates a batch into the state; returns it."""
        raise NotImplementedError("Must be implemented in subclasses.")

    def result(self):
        """The metric's value from the current state (a tensor)."""
        raise NotImplementedError("Must be implemented in subclasses.")

    def get_config(self):
        return {"name": self.name, "dtype": self._dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _weighted_values(values, sample_weight, dtype):
    """(values * broadcast weights, the broadcast weights or None), values cast to `dtype`."""
    values = tf.cast(values, dtype)
    if sample_weight is None:
        return values, None
    sample_weight = tf.cast(sample_weight, dtype)
    values, _, sample_weight = squeeze_or_expand_dimensions(values, None, sample_weight)
    sample_weight = sample_weight * tf.ones_like(values)
    return values * sample_weight, sample_weight


class Reduce(Metric):
    """Accumulates values as a sum ('sum'), or a mean weighted by the sample weights ('weighted_mean')
    or over the number of values ('sum_over_batch_size')."""

    def __init__(self, reduction, name, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.reduction = reduction
        self.total = self.add_weight("total")
        if reduction in ("sum_over_batch_size", "weighted_mean"):
            self.count = self.add_weight("count")

    def update_state(self, values, sample_weight=None):
        weighted, weights = _weighted_values(values, sample_weight, self._dtype)
        update_total = tf.assign_add(self.total, tf.reduce_sum(weighted))
        if self.reduction == "sum":
            return update_total.op
        if self.reduction == "sum_over_batch_size" or weights is None:
            number = tf.cast(tf.size(weighted), self._dtype)
        else:
            number = tf.reduce_sum(weights)
        with control_dependencies([update_total]):
            return tf.assign_add(self.count, number).op

    def result(self):
        if self.reduction == "sum":
            return tf.identity(self.total)
        return tf.math.divide_no_nan(self.total, self.count)


class Sum(Reduce):
    """`Sum(name='sum', dtype=None)`: the (weighted) sum of all values seen."""

    def __init__(self, name="sum", dtype=None):
        super().__init__("sum", name=name, dtype=dtype)


class Mean(Reduce):
    """`Mean(name='mean', dtype=None)`: the (weighted) mean of all values seen."""

    def __init__(self, name="mean", dtype=None):
        super().__init__("weighted_mean", name=name, dtype=dtype)


class MeanTensor(Metric):
    """`MeanTensor(name='mean_tensor', dtype=None)`: the elementwise (weighted) mean of tensors of one
    shape, fixed by the first update."""

    def __init__(self, name="mean_tensor", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._shape = None
        self.total = self.count = None

    def update_state(self, values, sample_weight=None):
        values = tf.cast(values, self._dtype)
        shape = values.shape
        if not shape.is_fully_defined():
            raise ValueError("MeanTensor needs values of a fully defined shape, got %s" % (shape,))
        if self._shape is None:
            self._shape = shape
            self.total = self.add_weight("total", shape=shape.as_list())
            self.count = self.add_weight("count", shape=shape.as_list())
        elif shape.as_list() != self._shape.as_list():
            raise ValueError("MeanTensor input values must always have the same shape. Expected shape (set "
                             "during the first call): %s. Got: %s" % (self._shape, shape))
        weighted, weights = _weighted_values(values, sample_weight, self._dtype)
        counts = tf.ones_like(values) if weights is None else weights
        update_total = tf.assign_add(self.total, weighted)
        with control_dependencies([update_total]):
            return tf.assign_add(self.count, counts).op

    def result(self):
        if self.total is None:
            raise ValueError("MeanTensor does not have any result yet. Please call the MeanTensor instance "
                             "or use `.update_state(value)` before retrieving the result.")
        return tf.math.divide_no_nan(self.total, self.count)


class MeanMetricWrapper(Mean):
    """`MeanMetricWrapper(fn, name=None, dtype=None, **kwargs)`: the weighted mean of `fn(y_true, y_pred,
    **kwargs)` over every sample seen."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = tf.cast(y_true, self._dtype)
        y_pred = tf.cast(y_pred, self._dtype)
        y_pred, y_true, _ = squeeze_or_expand_dimensions(y_pred, y_true)
        matches = self._fn(y_true, y_pred, **self._fn_kwargs)
        return super().update_state(matches, sample_weight=sample_weight)

    def get_config(self):
        config = {k: (backend.eval(v) if tf.is_tensor(v) else v) for k, v in self._fn_kwargs.items()}
        config.update(super().get_config())
        return config


# --- per-sample metric functions ----------------------------------------------------------------
def accuracy(y_true, y_pred):
    """1.0 where y_pred equals y_true, else 0.0 (y_pred cast to y_true's dtype)."""
    y_true = tf.convert_to_tensor(y_true)
    y_pred = tf.convert_to_tensor(y_pred)
    if not y_pred.shape.is_compatible_with(y_true.shape):
        raise ValueError("Shapes %s and %s are incompatible" % (y_pred.shape, y_true.shape))
    if y_true.dtype != y_pred.dtype:
        y_pred = tf.cast(y_pred, y_true.dtype)
    return tf.cast(tf.equal(y_true, y_pred), backend.floatx())


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """The fraction, over the last axis, of predictions on the right side of `threshold`."""
    y_pred = tf.convert_to_tensor(y_pred)
    y_true = tf.cast(y_true, y_pred.dtype)
    predicted = tf.cast(y_pred > tf.cast(threshold, y_pred.dtype), y_pred.dtype)
    return tf.reduce_mean(tf.cast(tf.equal(y_true, predicted), backend.floatx()), axis=-1)


def categorical_accuracy(y_true, y_pred):
    """1.0 where the arg max of y_pred is the arg max of the one-hot y_true."""
    return tf.cast(tf.equal(tf.argmax(y_true, -1), tf.argmax(y_pred, -1)), backend.floatx())


def _squeeze_sparse_labels(y_true, y_pred):
    y_true, y_pred = tf.convert_to_tensor(y_true), tf.convert_to_tensor(y_pred)
    if y_true.shape.ndims is not None and y_true.shape.ndims == y_pred.shape.ndims:
        y_true = tf.squeeze(y_true, [-1])
    return y_true, y_pred


def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where the arg max of y_pred is the integer label y_true."""
    y_true, y_pred = _squeeze_sparse_labels(y_true, y_pred)
    predicted = tf.argmax(y_pred, -1)
    if predicted.dtype != y_true.dtype:
        predicted = tf.cast(predicted, y_true.dtype)
    return tf.cast(tf.equal(y_true, predicted), backend.floatx())


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the one-hot target's class is among the k largest predictions."""
    y_pred = tf.convert_to_tensor(y_pred)
    return tf.cast(tf.nn.in_top_k(tf.cast(y_pred, dtypes.float32), tf.argmax(y_true, -1), k), backend.floatx())


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the integer label is among the k largest predictions."""
    y_true, y_pred = _squeeze_sparse_labels(y_true, y_pred)
    return tf.cast(tf.nn.in_top_k(tf.cast(y_pred, dtypes.float32), tf.cast(y_true, dtypes.int32), k),
                   backend.floatx())


def _cosine_similarity(y_true, y_pred, axis=-1):
    """The cosine similarity along `axis` (positive: 1 for equal directions)."""
    y_true = tf.nn.l2_normalize(y_true, axis=axis)
    y_pred = tf.nn.l2_normalize(y_pred, axis=axis)
    return tf.reduce_sum(y_true * y_pred, axis=axis)


mean_squared_error = mse = MSE = keras_losses.mean_squared_error
mean_absolute_error = mae = MAE = keras_losses.mean_absolute_error
mean_absolute_percentage_error = mape = MAPE = keras_losses.mean_absolute_percentage_error
mean_squared_logarithmic_error = msle = MSLE = keras_losses.mean_squared_logarithmic_error
hinge = keras_losses.hinge
squared_hinge = keras_losses.squared_hinge
categorical_hinge = keras_losses.categorical_hinge
logcosh = keras_losses.logcosh
kullback_leibler_divergence = kld = KLD = keras_losses.kullback_leibler_divergence
poisson = keras_losses.poisson
binary_crossentropy = keras_losses.binary_crossentropy
categorical_crossentropy = keras_losses.categorical_crossentropy
sparse_categorical_crossentropy = keras_losses.sparse_categorical_crossentropy
cosine_proximity = cosine = keras_losses.cosine_proximity


# --- mean-of-a-function metrics -----------------------------------------------------------------
def _wrapper_class(class_name, fn, default_name, doc, parameters=()):
    """A MeanMetricWrapper subclass `class_name(name=default_name, dtype=None, <parameters>)`, as each
    Keras metric class of this kind."""

    def __init__(self, name=default_name, dtype=None, **kwargs):
        values = dict(parameters)
        for key, value in kwargs.items():
            if key not in values:
                raise TypeError("%s got an unexpected keyword argument '%s'" % (class_name, key))
            values[key] = value
        MeanMetricWrapper.__init__(self, fn, name=name, dtype=dtype, **values)

    signature = "name=%r, dtype=None" % default_name + "".join(", %s=%r" % p for p in parameters)
    return type(class_name, (MeanMetricWrapper,), {
        "__init__": __init__, "__module__": __name__,
        "__doc__": "`tf.keras.metrics.%s(%s)`: the mean of %s" % (class_name, signature, doc)})


Accuracy = _wrapper_class("Accuracy", accuracy, "accuracy", "exact matches of y_pred and y_true.")
BinaryAccuracy = _wrapper_class("BinaryAccuracy", binary_accuracy, "binary_accuracy",
                                "predictions on the right side of `threshold`.", (("threshold", 0.5),))
CategoricalAccuracy = _wrapper_class("CategoricalAccuracy", categorical_accuracy, "categorical_accuracy",
                                     "arg max matches with one-hot targets.")
SparseCategoricalAccuracy = _wrapper_class("SparseCategoricalAccuracy", sparse_categorical_accuracy,
                                           "sparse_categorical_accuracy", "arg max matches with integer labels.")
TopKCategoricalAccuracy = _wrapper_class("TopKCategoricalAccuracy", top_k_categorical_accuracy,
                                         "top_k_categorical_accuracy", "targets among the top k predictions.",
                                         (("k", 5),))
SparseTopKCategoricalAccuracy = _wrapper_class(
    "SparseTopKCategoricalAccuracy", sparse_top_k_categorical_accuracy, "sparse_top_k_categorical_accuracy",
    "integer labels among the top k predictions.", (("k", 5),))
MeanSquaredError = _wrapper_class("MeanSquaredError", mean_squared_error, "mean_squared_error", "squared errors.")
MeanAbsoluteError = _wrapper_class("MeanAbsoluteError", mean_absolute_error, "mean_absolute_error",
                                   "absolute errors.")
MeanAbsolutePercentageError = _wrapper_class("MeanAbsolutePercentageError", mean_absolute_percentage_error,
                                             "mean_absolute_percentage_error", "absolute percentage errors.")
MeanSquaredLogarithmicError = _wrapper_class("MeanSquaredLogarithmicError", mean_squared_logarithmic_error,
                                             "mean_squared_logarithmic_error", "squared log errors.")
Hinge = _wrapper_class("Hinge", hinge, "hinge", "the hinge loss.")
SquaredHinge = _wrapper_class("SquaredHinge", squared_hinge, "squared_hinge", "the squared hinge loss.")
CategoricalHinge = _wrapper_class("CategoricalHinge", categorical_hinge, "categorical_hinge",
                                  "the categorical hinge loss.")
LogCoshError = _wrapper_class("LogCoshError", logcosh, "logcosh", "log(cosh(error)).")
KLDivergence = _wrapper_class("KLDivergence", kullback_leibler_divergence, "kullback_leibler_divergence",
                              "the Kullback-Leibler divergence.")
Poisson = _wrapper_class("Poisson", poisson, "poisson", "the Poisson loss.")
CosineSimilarity = _wrapper_class("CosineSimilarity", _cosine_similarity, "cosine_similarity",
                                  "the cosine similarity along `axis` (1 for equal directions).", (("axis", -1),))
BinaryCrossentropy = _wrapper_class("BinaryCrossentropy", binary_crossentropy, "binary_crossentropy",
                                    "the binary crossentropy.", (("from_logits", False), ("label_smoothing", 0)))
CategoricalCrossentropy = _wrapper_class("CategoricalCrossentropy", categorical_crossentropy,
                                         "categorical_crossentropy", "the categorical crossentropy.",
                                         (("from_logits", False), ("label_smoothing", 0)))
SparseCategoricalCrossentropy = _wrapper_class(
    "SparseCategoricalCrossentropy", sparse_categorical_crossentropy, "sparse_categorical_crossentropy",
    "the crossentropy of integer labels.", (("from_logits", False), ("axis", -1)))


class RootMeanSquaredError(Mean):
    """`RootMeanSquaredError(name='root_mean_squared_error', dtype=None)`: sqrt of the (weighted) mean
    of the squared errors."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = tf.cast(y_true, self._dtype)
        y_pred = tf.cast(y_pred, self._dtype)
        y_pred, y_true, _ = squeeze_or_expand_dimensions(y_pred, y_true)
        return super().update_state(tf.squared_difference(y_pred, y_true), sample_weight=sample_weight)

    def result(self):
        return tf.sqrt(tf.math.divide_no_nan(self.total, self.count))


class MeanRelativeError(Mean):
    """`MeanRelativeError(normalizer, name=None, dtype=None)`: the (weighted) mean of
    |y_true - y_pred| / normalizer (0 where the normalizer is 0); `normalizer` broadcasts against the
    predictions."""

    def __init__(self, normalizer, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.normalizer = tf.cast(normalizer, self._dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = tf.cast(y_true, self._dtype)
        y_pred = tf.cast(y_pred, self._dtype)
        y_pred, y_true, _ = squeeze_or_expand_dimensions(y_pred, y_true)
        relative_errors = tf.math.divide_no_nan(tf.abs(y_true - y_pred), self.normalizer)
        return super().update_state(relative_errors, sample_weight=sample_weight)

    def get_config(self):
        config = {"normalizer": backend.eval(self.normalizer).tolist()}
        config.update(Metric.get_config(self))
        return config


# --- confusion-matrix metrics -------------------------------------------------------------------
_NEG_INF = -1e10


def _thresholds(thresholds, default=0.5):
    values = [default] if thresholds is None else (list(thresholds) if isinstance(thresholds, (list, tuple))
                                                   else [thresholds])
    for value in values:
        if not 0 <= value <= 1:
            raise ValueError("Threshold values must be in [0, 1]. Invalid values: %s" % (values,))
    return values


def _filter_top_k(x, k):
    """x with every entry outside the top k of its last axis set to a very negative number."""
    _, top_indices = tf.nn.top_k(x, k, sorted=False)
    depth = tf.shape(x)[-1]
    top_mask = tf.reduce_sum(tf.one_hot(top_indices, depth, dtype=x.dtype), axis=-2)
    return x * top_mask + _NEG_INF * (1 - top_mask)


def _confusion_updates(variables, y_true, y_pred, thresholds, top_k=None, class_id=None, sample_weight=None):
    """Adds, for each threshold t, the (weighted) counts of true/false positives/negatives of
    `y_pred > t` against boolean `y_true` to the variables given in `variables` (keys 'tp', 'fp',
    'tn', 'fn'); returns the grouped update op."""
    y_pred = tf.cast(y_pred, dtypes.float32)
    y_true = tf.cast(y_true, dtypes.float32)
    if sample_weight is not None:
        sample_weight = tf.cast(sample_weight, dtypes.float32)
    y_pred, y_true, sample_weight = squeeze_or_expand_dimensions(y_pred, y_true, sample_weight)
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        # A trailing axis of 1 is kept so sample weights still line up with the samples.
        y_true = y_true[..., class_id:class_id + 1]
        y_pred = y_pred[..., class_id:class_id + 1]
    predictions = tf.reshape(y_pred, [1, -1])
    labels = tf.reshape(tf.cast(y_true, dtypes.bool), [1, -1])
    threshold_column = tf.constant(np.asarray(thresholds, dtype=np.float32).reshape(-1, 1))
    predicted_positive = predictions > threshold_column
    if sample_weight is None:
        weights = tf.ones_like(predictions)
    else:
        weights = tf.reshape(sample_weight * tf.ones_like(y_pred), [1, -1])
    conditions = {"tp": (labels, predicted_positive),
                  "fp": (tf.logical_not(labels), predicted_positive),
                  "tn": (tf.logical_not(labels), tf.logical_not(predicted_positive)),
                  "fn": (labels, tf.logical_not(predicted_positive))}
    ops = []
    for key, variable in variables.items():
        label_condition, prediction_condition = conditions[key]
        matched = tf.cast(tf.logical_and(label_condition, prediction_condition), dtypes.float32)
        ops.append(tf.assign_add(variable, tf.cast(tf.reduce_sum(matched * weights, axis=1), variable.dtype)))
    return tf.group(*ops)


class _ConfusionMatrixConditionCount(Metric):
    """Counts one confusion-matrix cell (weighted) per threshold."""

    _cell = None

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = _thresholds(thresholds)
        self.accumulator = self.add_weight("accumulator", shape=(len(self.thresholds),))

    def update_state(self, y_true, y_pred, sample_weight=None):
        return _confusion_updates({self._cell: self.accumulator}, y_true, y_pred, self.thresholds,
                                  sample_weight=sample_weight)

    def result(self):
        if len(self.thresholds) == 1:
            return self.accumulator[0]
        return tf.identity(self.accumulator)

    def get_config(self):
        config = {"thresholds": self.init_thresholds}
        config.update(Metric.get_config(self))
        return config


def _count_class(class_name, cell, doc):
    return type(class_name, (_ConfusionMatrixConditionCount,), {
        "_cell": cell, "__module__": __name__,
        "__doc__": "`tf.keras.metrics.%s(thresholds=None, name=None, dtype=None)`: the (weighted) number of "
                   "%s; a prediction is positive when above the threshold (0.5 by default; a list gives one "
                   "count per threshold)." % (class_name, doc)})


TruePositives = _count_class("TruePositives", "tp", "true positives")
FalsePositives = _count_class("FalsePositives", "fp", "false positives")
TrueNegatives = _count_class("TrueNegatives", "tn", "true negatives")
FalseNegatives = _count_class("FalseNegatives", "fn", "false negatives")


class _PrecisionRecall(Metric):
    _second = None

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        default = _NEG_INF if top_k is not None else 0.5
        self.thresholds = [default] if thresholds is None and top_k is not None else _thresholds(thresholds)
        size = (len(self.thresholds),)
        self.true_positives = self.add_weight("true_positives", shape=size)
        second_name = "false_positives" if self._second == "fp" else "false_negatives"
        self._second_variable = self.add_weight(second_name, shape=size)
        setattr(self, second_name, self._second_variable)

    def update_state(self, y_true, y_pred, sample_weight=None):
        return _confusion_updates({"tp": self.true_positives, self._second: self._second_variable}, y_true,
                                  y_pred, self.thresholds, top_k=self.top_k, class_id=self.class_id,
                                  sample_weight=sample_weight)

    def result(self):
        value = tf.math.divide_no_nan(self.true_positives, self.true_positives + self._second_variable)
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self):
        config = {"thresholds": self.init_thresholds, "top_k": self.top_k, "class_id": self.class_id}
        config.update(Metric.get_config(self))
        return config


class Precision(_PrecisionRecall):
    """`Precision(thresholds=None, top_k=None, class_id=None, name=None, dtype=None)`: true positives /
    (true positives + false positives). `top_k` counts only each row's k largest predictions as
    positive; `class_id` restricts to one column."""

    _second = "fp"


class Recall(_PrecisionRecall):
    """`Recall(thresholds=None, top_k=None, class_id=None, name=None, dtype=None)`: true positives /
    (true positives + false negatives)."""

    _second = "fn"


def _evenly_spaced_thresholds(num_thresholds):
    """num_thresholds values from just below 0 to just above 1 (endpoints nudged by epsilon so 0 and 1
    predictions fall inside)."""
    inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
    return [0.0 - backend.epsilon()] + inner + [1.0 + backend.epsilon()]


class _AllCells(Metric):
    """Keeps all four confusion cells per threshold."""

    def _make_cells(self, thresholds):
        size = (len(thresholds),)
        self.true_positives = self.add_weight("true_positives", shape=size)
        self.true_negatives = self.add_weight("true_negatives", shape=size)
        self.false_positives = self.add_weight("false_positives", shape=size)
        self.false_negatives = self.add_weight("false_negatives", shape=size)

    def update_state(self, y_true, y_pred, sample_weight=None):
        return _confusion_updates({"tp": self.true_positives, "tn": self.true_negatives,
                                   "fp": self.false_positives, "fn": self.false_negatives},
                                  y_true, y_pred, self.thresholds, sample_weight=sample_weight)


class AUC(_AllCells):
    """`AUC(num_thresholds=200, curve='ROC', summation_method='interpolation', name=None, dtype=None,
    thresholds=None)`: the area under the ROC or PR curve, approximated by a Riemann sum over the
    curve's points at `num_thresholds` thresholds. 'interpolation' uses trapezoids for ROC and Davis &
    Goadrich's interpolation for PR; 'minoring' / 'majoring' the lower / upper rectangles."""

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation", name=None, dtype=None,
                 thresholds=None):
        if curve not in ("ROC", "PR"):
            raise ValueError('Invalid curve: "%s". Valid options are: "ROC", "PR"' % curve)
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError('Invalid summation method: "%s". Valid options are: "interpolation", "minoring", '
                             '"majoring"' % summation_method)
        super().__init__(name=name, dtype=dtype)
        self.curve = curve
        self.summation_method = summation_method
        if thresholds is not None:
            self.thresholds = [0.0 - backend.epsilon()] + sorted(_thresholds(thresholds)) + \
                [1.0 + backend.epsilon()]
            self.num_thresholds = len(self.thresholds)
        else:
            if num_thresholds <= 1:
                raise ValueError("`num_thresholds` must be > 1.")
            self.num_thresholds = num_thresholds
            self.thresholds = _evenly_spaced_thresholds(num_thresholds)
        self._make_cells(self.thresholds)

    def _interpolate_pr_auc(self):
        n = self.num_thresholds
        tp, fp, fn = self.true_positives, self.false_positives, self.false_negatives
        dtp = tp[:n - 1] - tp[1:]
        p = tp + fp
        dp = p[:n - 1] - p[1:]
        slope = tf.math.divide_no_nan(dtp, tf.maximum(dp, 0))
        intercept = tp[1:] - slope * p[1:]
        ratio = tf.where(tf.logical_and(p[:n - 1] > 0, p[1:] > 0),
                         tf.math.divide_no_nan(p[:n - 1], tf.maximum(p[1:], 0)), tf.ones_like(p[1:]))
        return tf.reduce_sum(tf.math.divide_no_nan(slope * (dtp + intercept * tf.log(ratio)),
                                                   tf.maximum(tp[1:] + fn[1:], 0)))

    def result(self):
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolate_pr_auc()
        n = self.num_thresholds
        recall = tf.math.divide_no_nan(self.true_positives, self.true_positives + self.false_negatives)
        if self.curve == "ROC":
            x = tf.math.divide_no_nan(self.false_positives, self.false_positives + self.true_negatives)
            y = recall
        else:
            x = recall
            y = tf.math.divide_no_nan(self.true_positives, self.true_positives + self.false_positives)
        if self.summation_method == "interpolation":
            heights = (y[:n - 1] + y[1:]) / 2.
        elif self.summation_method == "minoring":
            heights = tf.minimum(y[:n - 1], y[1:])
        else:
            heights = tf.maximum(y[:n - 1], y[1:])
        return tf.reduce_sum((x[:n - 1] - x[1:]) * heights)

    def get_config(self):
        config = {"num_thresholds": self.num_thresholds, "curve": self.curve,
                  "summation_method": self.summation_method}
        config.update(Metric.get_config(self))
        return config


class _SensitivitySpecificityBase(_AllCells):
    def __init__(self, value, num_thresholds=200, name=None, dtype=None):
        if num_thresholds <= 0:
            raise ValueError("`num_thresholds` must be > 0.")
        super().__init__(name=name, dtype=dtype)
        self.value = value
        self.num_thresholds = num_thresholds
        if num_thresholds == 1:
            self.thresholds = [0.5]
        else:
            self.thresholds = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds = [0.0 - backend.epsilon()] + self.thresholds + [1.0 + backend.epsilon()]
        self._make_cells(self.thresholds)

    def _best_at(self, constrained, reported):
        """`reported` at the threshold whose `constrained` value is closest to `value`."""
        index = tf.argmin(tf.abs(constrained - self.value), axis=0)
        return tf.gather(reported, index)

    def get_config(self):
        config = {"num_thresholds": self.num_thresholds}
        config.update(Metric.get_config(self))
        return config


class SensitivityAtSpecificity(_SensitivitySpecificityBase):
    """`SensitivityAtSpecificity(specificity, num_thresholds=200, name=None, dtype=None)`: the
    sensitivity (recall) at the threshold whose specificity is closest to `specificity`."""

    def __init__(self, specificity, num_thresholds=200, name=None, dtype=None):
        if specificity < 0 or specificity > 1:
            raise ValueError("`specificity` must be in the range [0, 1].")
        self.specificity = specificity
        super().__init__(specificity, num_thresholds=num_thresholds, name=name, dtype=dtype)

    def result(self):
        specificities = tf.math.divide_no_nan(self.true_negatives, self.true_negatives + self.false_positives)
        sensitivities = tf.math.divide_no_nan(self.true_positives, self.true_positives + self.false_negatives)
        return self._best_at(specificities, sensitivities)

    def get_config(self):
        config = {"specificity": self.specificity}
        config.update(super().get_config())
        return config


class SpecificityAtSensitivity(_SensitivitySpecificityBase):
    """`SpecificityAtSensitivity(sensitivity, num_thresholds=200, name=None, dtype=None)`: the
    specificity at the threshold whose sensitivity is closest to `sensitivity`."""

    def __init__(self, sensitivity, num_thresholds=200, name=None, dtype=None):
        if sensitivity < 0 or sensitivity > 1:
            raise ValueError("`sensitivity` must be in the range [0, 1].")
        self.sensitivity = sensitivity
        super().__init__(sensitivity, num_thresholds=num_thresholds, name=name, dtype=dtype)

    def result(self):
        specificities = tf.math.divide_no_nan(self.true_negatives, self.true_negatives + self.false_positives)
        sensitivities = tf.math.divide_no_nan(self.true_positives, self.true_positives + self.false_negatives)
        return self._best_at(sensitivities, specificities)

    def get_config(self):
        config = {"sensitivity": self.sensitivity}
        config.update(super().get_config())
        return config


class MeanIoU(Metric):
    """`MeanIoU(num_classes, name=None, dtype=None)`: the mean over classes of intersection / union
    (TP / (TP + FP + FN)) from the accumulated (weighted) confusion matrix; classes that never occur
    in labels or predictions are left out of the mean."""

    def __init__(self, num_classes, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.num_classes = num_classes
        self.total_cm = self.add_weight("total_confusion_matrix", shape=(num_classes, num_classes),
                                        dtype=dtypes.float64)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = tf.reshape(tf.cast(y_true, self._dtype), [-1])
        y_pred = tf.reshape(tf.cast(y_pred, self._dtype), [-1])
        if sample_weight is not None:
            sample_weight = tf.reshape(tf.cast(sample_weight, self._dtype), [-1])
        matrix = tf.confusion_matrix(tf.cast(y_true, dtypes.int64), tf.cast(y_pred, dtypes.int64),
                                     self.num_classes, weights=sample_weight, dtype=dtypes.float64)
        return tf.assign_add(self.total_cm, matrix).op

    def result(self):
        matrix = tf.cast(self.total_cm, self._dtype)
        predicted = tf.reduce_sum(matrix, axis=0)
        actual = tf.reduce_sum(matrix, axis=1)
        true_positives = tf.diag_part(matrix)
        denominator = predicted + actual - true_positives
        valid = tf.reduce_sum(tf.cast(tf.not_equal(denominator, 0), self._dtype))
        return tf.math.divide_no_nan(tf.reduce_sum(tf.math.divide_no_nan(true_positives, denominator)), valid)

    def get_config(self):
        config = {"num_classes": self.num_classes}
        config.update(Metric.get_config(self))
        return config


_OBJECTS = {name: globals()[name] for name in __all__ if name not in ("get", "serialize", "deserialize")}


def serialize(metric):
    """A metric function's name, or a Metric object's `{'class_name', 'config'}`."""
    return serialize_keras_object(metric)


def deserialize(config, custom_objects=None):
    """The metric function or object a name or config describes."""
    return deserialize_keras_object(config, module_objects=_OBJECTS, custom_objects=custom_objects,
                                    printable_module_name="metric function")


def get(identifier):
    """A metric function or object from a name, a config dict or a callable."""
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError("Could not interpret metric function identifier: %s" % (identifier,))
