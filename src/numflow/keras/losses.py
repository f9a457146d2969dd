"""`tf.keras.losses` as TF 1.15 defines them: per-sample loss functions (`mean_squared_error(y_true,
y_pred)` averages over the last axis) and `Loss` classes that reduce them with optional sample weights.

A `Loss` object's `reduction` is one of `ReductionV2`'s keys: 'auto' (= 'sum_over_batch_size' outside
distribution strategies: the sum of the weighted per-sample losses divided by their number), 'sum' or
'none'; TF1's `tf.losses.Reduction` constants are accepted too where they mean the same.
Probabilities are clipped to [epsilon, 1 - epsilon] (epsilon = `backend.epsilon()`, 1e-7) before logs.
"""
import numflow as tf

from ..framework import dtypes
from . import _backend_ops as K
from .utils.generic_utils import deserialize_keras_object, serialize_keras_object

__all__ = ["Loss", "LossFunctionWrapper", "ReductionV2", "Reduction", "MeanSquaredError", "MeanAbsoluteError",
           "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "BinaryCrossentropy",
           "BinaryFocalCrossentropy", "CategoricalCrossentropy", "CategoricalFocalCrossentropy",
           "SparseCategoricalCrossentropy", "Hinge", "SquaredHinge", "CategoricalHinge", "Poisson", "LogCosh",
           "KLDivergence", "Huber", "CosineSimilarity",
           "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
           "mean_squared_logarithmic_error", "squared_hinge", "hinge", "categorical_hinge", "huber_loss",
           "logcosh", "log_cosh", "categorical_crossentropy", "categorical_focal_crossentropy",
           "sparse_categorical_crossentropy", "binary_crossentropy", "binary_focal_crossentropy",
           "kullback_leibler_divergence", "kl_divergence", "kld", "KLD", "poisson", "cosine_proximity",
           "cosine", "cosine_similarity", "mse", "MSE", "mae", "MAE", "mape", "MAPE", "msle", "MSLE",
           "get", "serialize", "deserialize"]


def _epsilon():
    from . import backend
    return backend.epsilon()


class ReductionV2:
    """How a `Loss` object reduces its weighted per-sample losses: AUTO ('auto'), NONE ('none': no
    reduction), SUM ('sum'), SUM_OVER_BATCH_SIZE ('sum_over_batch_size': sum / number of elements)."""

    AUTO = "auto"
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"

    # TF1's tf.losses.Reduction values with the same meaning.
    _V1_EQUIVALENTS = {"weighted_sum": SUM, "weighted_sum_over_batch_size": SUM_OVER_BATCH_SIZE}

    @classmethod
    def all(cls):
        return (cls.AUTO, cls.NONE, cls.SUM, cls.SUM_OVER_BATCH_SIZE)

    @classmethod
    def validate(cls, key):
        """Returns the V2 key for `key`; ValueError for anything else."""
        key = cls._V1_EQUIVALENTS.get(key, key)
        if key not in cls.all():
            raise ValueError("Invalid Reduction Key %s." % (key,))
        return key


Reduction = ReductionV2


def _static_rank(x):
    return x.shape.ndims


def squeeze_or_expand_dimensions(y_pred, y_true=None, sample_weight=None):
    """Aligns ranks the way Keras does before a loss: a y_true or y_pred with one more axis of size 1
    than the other loses it; a sample_weight with one axis more (of size 1) than y_pred is squeezed,
    one with an axis less gets a trailing one."""
    y_pred = tf.convert_to_tensor(y_pred)
    pred_rank = _static_rank(y_pred)
    if y_true is not None:
        y_true = tf.convert_to_tensor(y_true)
        true_rank = _static_rank(y_true)
        if pred_rank is not None and true_rank is not None:
            if pred_rank - true_rank == 1 and y_pred.shape.as_list()[-1] == 1:
                y_pred = tf.squeeze(y_pred, [-1])
            elif true_rank - pred_rank == 1 and y_true.shape.as_list()[-1] == 1:
                y_true = tf.squeeze(y_true, [-1])
    if sample_weight is None:
        return y_pred, y_true, None
    sample_weight = tf.convert_to_tensor(sample_weight)
    weight_rank = _static_rank(sample_weight)
    pred_rank = _static_rank(y_pred)
    if weight_rank is not None and pred_rank is not None and weight_rank != 0:
        if weight_rank - pred_rank == 1:
            sample_weight = tf.squeeze(sample_weight, [-1])
        elif pred_rank - weight_rank == 1:
            sample_weight = tf.expand_dims(sample_weight, -1)
    return y_pred, y_true, sample_weight


def compute_weighted_loss(losses, sample_weight=None, reduction=ReductionV2.SUM_OVER_BATCH_SIZE, name=None):
    """losses * sample_weight (ranks aligned, then broadcast), reduced by `reduction`; computed in
    float32 and returned in the losses' dtype, as Keras does."""
    reduction = ReductionV2.validate(reduction)
    if reduction == ReductionV2.AUTO:
        reduction = ReductionV2.SUM_OVER_BATCH_SIZE
    with tf.name_scope(name or "weighted_loss"):
        losses = tf.convert_to_tensor(losses)
        input_dtype = losses.dtype
        losses = tf.cast(losses, dtypes.float32)
        if sample_weight is None:
            weighted = losses
        else:
            sample_weight = tf.cast(sample_weight, dtypes.float32)
            losses, _, sample_weight = squeeze_or_expand_dimensions(losses, None, sample_weight)
            weighted = losses * sample_weight
        if reduction == ReductionV2.NONE:
            loss = weighted
        else:
            loss = tf.reduce_sum(weighted)
            if reduction == ReductionV2.SUM_OVER_BATCH_SIZE:
                loss = loss / tf.cast(tf.size(weighted), dtypes.float32)
        return tf.cast(loss, input_dtype)


class Loss:
    """`tf.keras.losses.Loss(reduction='auto', name=None)`: base class of loss objects.

    Subclasses implement `call(y_true, y_pred)` returning per-sample losses; calling the object,
    `loss(y_true, y_pred, sample_weight=None)`, weights and reduces them (see `ReductionV2`).
    """

    def __init__(self, reduction=ReductionV2.AUTO, name=None):
        ReductionV2.validate(reduction)
        self.reduction = reduction
        self.name = name

    def __call__(self, y_true, y_pred, sample_weight=None):
        scope = "lambda" if self.name == "<lambda>" else (self.name or type(self).__name__)
        with tf.name_scope(scope):
            losses = self.call(y_true, y_pred)
            return compute_weighted_loss(losses, sample_weight, reduction=self.reduction)

    def call(self, y_true, y_pred):
        """The per-sample losses of a batch."""
        raise NotImplementedError("Must be implemented in subclasses.")

    def get_config(self):
        return {"reduction": self.reduction, "name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class LossFunctionWrapper(Loss):
    """A `Loss` around a per-sample function `fn(y_true, y_pred, **kwargs)`."""

    def __init__(self, fn, reduction=ReductionV2.AUTO, name=None, **kwargs):
        super().__init__(reduction=reduction, name=name)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        if tf.is_tensor(y_pred) and tf.is_tensor(y_true):
            y_pred, y_true, _ = squeeze_or_expand_dimensions(y_pred, y_true)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        config = dict(self._fn_kwargs)
        config.update(super().get_config())
        return config


def _prepare(y_true, y_pred):
    """(y_true cast to y_pred's dtype, y_pred) as tensors."""
    y_pred = tf.convert_to_tensor(y_pred)
    y_true = tf.cast(y_true, y_pred.dtype)
    return y_true, y_pred


# --- per-sample functions -----------------------------------------------------------------------
def mean_squared_error(y_true, y_pred):
    """mean((y_pred - y_true)^2) over the last axis."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return K.mean(tf.square(y_pred - y_true), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """mean(|y_pred - y_true|) over the last axis."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return K.mean(tf.abs(y_pred - y_true), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """100 * mean(|y_true - y_pred| / max(|y_true|, epsilon)) over the last axis."""
    y_true, y_pred = _prepare(y_true, y_pred)
    diff = tf.abs((y_true - y_pred) / tf.maximum(tf.abs(y_true), _epsilon()))
    return 100. * K.mean(diff, axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    """mean((log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1))^2) over the last axis."""
    y_true, y_pred = _prepare(y_true, y_pred)
    first_log = tf.log(tf.maximum(y_pred, _epsilon()) + 1.)
    second_log = tf.log(tf.maximum(y_true, _epsilon()) + 1.)
    return K.mean(tf.square(first_log - second_log), axis=-1)


def _maybe_convert_labels(y_true):
    """Hinge labels: when every label is 0 or 1 they are mapped to -1 / 1 (decided at run time)."""
    are_binary = tf.reduce_all(tf.logical_or(tf.equal(y_true, 0), tf.equal(y_true, 1)))
    return tf.cond(are_binary, lambda: 2. * y_true - 1., lambda: y_true)


def squared_hinge(y_true, y_pred):
    """mean(max(1 - y_true * y_pred, 0)^2) over the last axis; labels are -1/1 (0/1 converted)."""
    y_true, y_pred = _prepare(y_true, y_pred)
    y_true = _maybe_convert_labels(y_true)
    return K.mean(tf.square(tf.maximum(1. - y_true * y_pred, 0.)), axis=-1)


def hinge(y_true, y_pred):
    """mean(max(1 - y_true * y_pred, 0)) over the last axis; labels are -1/1 (0/1 converted)."""
    y_true, y_pred = _prepare(y_true, y_pred)
    y_true = _maybe_convert_labels(y_true)
    return K.mean(tf.maximum(1. - y_true * y_pred, 0.), axis=-1)


def categorical_hinge(y_true, y_pred):
    """max(0, max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1) for one-hot y_true."""
    y_true, y_pred = _prepare(y_true, y_pred)
    positive = tf.reduce_sum(y_true * y_pred, axis=-1)
    negative = tf.reduce_max((1. - y_true) * y_pred, axis=-1)
    return tf.maximum(0., negative - positive + 1.)


def huber_loss(y_true, y_pred, delta=1.0):
    """mean over the last axis of 0.5 * e^2 for |e| <= delta, delta * (|e| - 0.5 * delta) beyond
    (e = y_pred - y_true)."""
    y_true, y_pred = _prepare(y_true, y_pred)
    abs_error = tf.abs(y_pred - y_true)
    quadratic = tf.minimum(abs_error, delta)
    linear = abs_error - quadratic
    return K.mean(0.5 * tf.square(quadratic) + delta * linear, axis=-1)


def logcosh(y_true, y_pred):
    """mean(log(cosh(y_pred - y_true))) over the last axis, computed without overflow as
    x + softplus(-2x) - log(2)."""
    y_true, y_pred = _prepare(y_true, y_pred)
    x = y_pred - y_true
    return K.mean(x + tf.nn.softplus(-2. * x) - tf.cast(tf.log(2.), x.dtype), axis=-1)


def _smooth_categorical(y_true, y_pred, label_smoothing):
    if not label_smoothing:
        return y_true
    classes = tf.cast(tf.shape(y_true)[-1], y_pred.dtype)
    return y_true * (1.0 - label_smoothing) + label_smoothing / classes


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0):
    """Crossentropy of one-hot (or probability) targets; `label_smoothing` moves targets towards
    1 / num_classes."""
    y_true, y_pred = _prepare(y_true, y_pred)
    y_true = _smooth_categorical(y_true, y_pred, label_smoothing)
    return K.categorical_crossentropy(y_true, y_pred, from_logits=from_logits)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, axis=-1):
    """Crossentropy of integer class targets."""
    return K.sparse_categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0):
    """mean over the last axis of the elementwise binary crossentropy; `label_smoothing` moves
    targets towards 0.5."""
    y_true, y_pred = _prepare(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return K.mean(K.binary_crossentropy(y_true, y_pred, from_logits=from_logits), axis=-1)


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25, gamma=2.0,
                              from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary crossentropy scaled by (1 - p_t)^gamma (p_t: the probability given to the true class), so
    well-classified examples count less (Lin et al., 2017); with `apply_class_balancing`, positives
    are weighted by alpha and negatives by 1 - alpha. Mean over `axis`."""
    y_true, y_pred = _prepare(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    probabilities = tf.sigmoid(y_pred) if from_logits else y_pred
    p_t = y_true * probabilities + (1. - y_true) * (1. - probabilities)
    focal = tf.pow(1. - p_t, gamma) * K.binary_crossentropy(y_true, y_pred, from_logits=from_logits)
    if apply_class_balancing:
        focal = (y_true * alpha + (1. - y_true) * (1. - alpha)) * focal
    return K.mean(focal, axis=axis)


def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False,
                                   label_smoothing=0.0, axis=-1):
    """sum over `axis` of alpha * (1 - p)^gamma * -y_true * log(p), p the (renormalised, clipped)
    predicted probabilities."""
    y_true, y_pred = _prepare(y_true, y_pred)
    y_true = _smooth_categorical(y_true, y_pred, label_smoothing)
    probabilities = tf.nn.softmax(y_pred, axis=axis) if from_logits else y_pred
    probabilities = probabilities / tf.reduce_sum(probabilities, axis, keepdims=True)
    eps = _epsilon()
    probabilities = tf.clip_by_value(probabilities, eps, 1. - eps)
    crossentropy = -y_true * tf.log(probabilities)
    return tf.reduce_sum(alpha * tf.pow(1. - probabilities, gamma) * crossentropy, axis=axis)


def kullback_leibler_divergence(y_true, y_pred):
    """sum(y_true * log(y_true / y_pred)) over the last axis, both clipped to [epsilon, 1]."""
    y_true, y_pred = _prepare(y_true, y_pred)
    y_true = tf.clip_by_value(y_true, _epsilon(), 1)
    y_pred = tf.clip_by_value(y_pred, _epsilon(), 1)
    return tf.reduce_sum(y_true * tf.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred):
    """mean(y_pred - y_true * log(y_pred + epsilon)) over the last axis."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return K.mean(y_pred - y_true * tf.log(y_pred + _epsilon()), axis=-1)


def cosine_proximity(y_true, y_pred, axis=-1):
    """MINUS the cosine similarity of y_true and y_pred along `axis` (TF 1.15's sign: -1 for equal
    directions, so minimising it aligns them)."""
    y_true, y_pred = _prepare(y_true, y_pred)
    y_true = tf.nn.l2_normalize(y_true, axis=axis)
    y_pred = tf.nn.l2_normalize(y_pred, axis=axis)
    return -tf.reduce_sum(y_true * y_pred, axis=axis)


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kl_divergence = kullback_leibler_divergence
cosine = cosine_similarity = cosine_proximity
log_cosh = logcosh


# --- classes ------------------------------------------------------------------------------------
def _wrapper_class(class_name, fn, default_name, doc, parameters=()):
    """A LossFunctionWrapper subclass whose constructor takes `parameters` ((name, default) pairs,
    passed to `fn`) then reduction and name, as each Keras loss class does."""

    def __init__(self, *args, **kwargs):
        names = [p for p, _ in parameters] + ["reduction", "name"]
        if len(args) > len(names):
            raise TypeError("%s takes at most %d arguments (%d given)" % (class_name, len(names), len(args)))
        values = dict(parameters)
        values.update({"reduction": ReductionV2.AUTO, "name": default_name})
        for key, value in zip(names, args):
            values[key] = value
        for key, value in kwargs.items():
            if key not in values:
                raise TypeError("%s got an unexpected keyword argument '%s'" % (class_name, key))
            values[key] = value
        reduction, name = values.pop("reduction"), values.pop("name")
        LossFunctionWrapper.__init__(self, fn, reduction=reduction, name=name, **values)

    signature = ", ".join("%s=%r" % p for p in parameters)
    signature = (signature + ", " if signature else "") + "reduction='auto', name=%r" % default_name
    return type(class_name, (LossFunctionWrapper,), {
        "__init__": __init__, "__module__": __name__,
        "__doc__": "`tf.keras.losses.%s(%s)`: %s" % (class_name, signature, doc)})


MeanSquaredError = _wrapper_class("MeanSquaredError", mean_squared_error, "mean_squared_error",
                                  "the mean of squared errors.")
MeanAbsoluteError = _wrapper_class("MeanAbsoluteError", mean_absolute_error, "mean_absolute_error",
                                   "the mean of absolute errors.")
MeanAbsolutePercentageError = _wrapper_class(
    "MeanAbsolutePercentageError", mean_absolute_percentage_error, "mean_absolute_percentage_error",
    "100 * mean(|y_true - y_pred| / |y_true|).")
MeanSquaredLogarithmicError = _wrapper_class(
    "MeanSquaredLogarithmicError", mean_squared_logarithmic_error, "mean_squared_logarithmic_error",
    "the mean of squared differences of log(1 + x).")
BinaryCrossentropy = _wrapper_class(
    "BinaryCrossentropy", binary_crossentropy, "binary_crossentropy",
    "crossentropy of 0/1 targets and probabilities (or logits).",
    (("from_logits", False), ("label_smoothing", 0)))
BinaryFocalCrossentropy = _wrapper_class(
    "BinaryFocalCrossentropy", binary_focal_crossentropy, "binary_focal_crossentropy",
    "binary crossentropy down-weighting well-classified examples.",
    (("apply_class_balancing", False), ("alpha", 0.25), ("gamma", 2.0), ("from_logits", False),
     ("label_smoothing", 0.0), ("axis", -1)))
CategoricalCrossentropy = _wrapper_class(
    "CategoricalCrossentropy", categorical_crossentropy, "categorical_crossentropy",
    "crossentropy of one-hot targets and class probabilities (or logits).",
    (("from_logits", False), ("label_smoothing", 0)))
CategoricalFocalCrossentropy = _wrapper_class(
    "CategoricalFocalCrossentropy", categorical_focal_crossentropy, "categorical_focal_crossentropy",
    "categorical crossentropy down-weighting well-classified examples.",
    (("alpha", 0.25), ("gamma", 2.0), ("from_logits", False), ("label_smoothing", 0.0), ("axis", -1)))
SparseCategoricalCrossentropy = _wrapper_class(
    "SparseCategoricalCrossentropy", sparse_categorical_crossentropy, "sparse_categorical_crossentropy",
    "crossentropy of integer class targets and class probabilities (or logits).", (("from_logits", False),))
Hinge = _wrapper_class("Hinge", hinge, "hinge", "mean(max(1 - y_true * y_pred, 0)).")
SquaredHinge = _wrapper_class("SquaredHinge", squared_hinge, "squared_hinge",
                              "mean(max(1 - y_true * y_pred, 0)^2).")
CategoricalHinge = _wrapper_class("CategoricalHinge", categorical_hinge, "categorical_hinge",
                                  "max(0, max(negatives) - positive + 1).")
Poisson = _wrapper_class("Poisson", poisson, "poisson", "mean(y_pred - y_true * log(y_pred)).")
LogCosh = _wrapper_class("LogCosh", logcosh, "logcosh", "mean(log(cosh(y_pred - y_true))).")
KLDivergence = _wrapper_class("KLDivergence", kullback_leibler_divergence, "kullback_leibler_divergence",
                              "sum(y_true * log(y_true / y_pred)).")
Huber = _wrapper_class("Huber", huber_loss, "huber_loss",
                       "quadratic for errors up to delta, linear beyond.", (("delta", 1.0),))
CosineSimilarity = _wrapper_class("CosineSimilarity", cosine_similarity, "cosine_similarity",
                                  "minus the cosine similarity along `axis` (TF 1.15's sign).", (("axis", -1),))

_OBJECTS = {name: globals()[name] for name in __all__ if name not in ("get", "serialize", "deserialize")}


def serialize(loss):
    """A loss function's name, or a Loss object's `{'class_name', 'config'}`."""
    return serialize_keras_object(loss)


def deserialize(name, custom_objects=None):
    """The loss function or object a name or config describes."""
    return deserialize_keras_object(name, module_objects=_OBJECTS, custom_objects=custom_objects,
                                    printable_module_name="loss function")


def get(identifier):
    """A loss from a name ('mse', 'categorical_crossentropy', ...), a config dict or a callable;
    None stays None."""
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError("Could not interpret loss function identifier: %s" % (identifier,))
