"""`tf.losses`: weighted, reduced training losses that register themselves in `GraphKeys.LOSSES`.

Each loss computes an elementwise loss from other ops, then `compute_weighted_loss` multiplies by
`weights` (a scalar or a tensor broadcastable to the losses), reduces by `reduction` and adds the result
to `loss_collection`, as TF1's `tf.losses` does.
"""
from .framework import dtypes
from .framework.graph import GraphKeys, Tensor, add_to_collection, convert_to_tensor, get_collection, \
    name_scope

__all__ = ["Reduction", "absolute_difference", "add_loss", "compute_weighted_loss", "cosine_distance",
           "get_losses", "get_regularization_loss", "get_regularization_losses", "get_total_loss",
           "hinge_loss", "huber_loss", "log_loss", "mean_pairwise_squared_error", "mean_squared_error",
           "sigmoid_cross_entropy", "softmax_cross_entropy", "sparse_softmax_cross_entropy"]


class Reduction:
    """How `compute_weighted_loss` reduces the weighted losses (`tf.losses.Reduction`)."""

    NONE = "none"
    SUM = "weighted_sum"
    SUM_OVER_BATCH_SIZE = "weighted_sum_over_batch_size"
    MEAN = "weighted_mean"
    SUM_BY_NONZERO_WEIGHTS = "weighted_sum_by_nonzero_weights"
    SUM_OVER_NONZERO_WEIGHTS = SUM_BY_NONZERO_WEIGHTS

    @classmethod
    def all(cls):
        return (cls.NONE, cls.SUM, cls.MEAN, cls.SUM_OVER_BATCH_SIZE, cls.SUM_OVER_NONZERO_WEIGHTS,
                cls.SUM_BY_NONZERO_WEIGHTS)

    @classmethod
    def validate(cls, key):
        if key not in cls.all():
            raise ValueError("Invalid Reduction Key %s." % key)


# --- collections ---------------------------------------------------------------------------------
def add_loss(loss, loss_collection=GraphKeys.LOSSES):
    """`tf.losses.add_loss(loss, loss_collection=tf.GraphKeys.LOSSES)`: adds a loss to a collection."""
    if loss_collection:
        add_to_collection(loss_collection, loss)


def get_losses(scope=None, loss_collection=GraphKeys.LOSSES):
    """`tf.losses.get_losses(scope=None, loss_collection=tf.GraphKeys.LOSSES)`: the collected losses."""
    return get_collection(loss_collection, scope)


def get_regularization_losses(scope=None):
    """`tf.losses.get_regularization_losses(scope=None)`: the tensors in REGULARIZATION_LOSSES."""
    return get_collection(GraphKeys.REGULARIZATION_LOSSES, scope)


def get_regularization_loss(scope=None, name="total_regularization_loss"):
    """`tf.losses.get_regularization_loss(scope=None)`: the sum of the regularization losses, or a
    float32 0.0 when there are none."""
    from .ops.constant import constant
    from .ops.math import add_n
    losses = get_regularization_losses(scope)
    if losses:
        return add_n(losses, name=name)
    return constant(0.0)


def get_total_loss(add_regularization_losses=True, name="total_loss", scope=None):
    """`tf.losses.get_total_loss(add_regularization_losses=True)`: the sum of the collected losses
    (and of the regularization losses). ValueError when there is nothing to sum."""
    from .ops.math import add_n
    losses = get_losses(scope)
    if add_regularization_losses:
        losses = losses + get_regularization_losses(scope)
    return add_n(losses, name=name)


# --- weighting and reduction ---------------------------------------------------------------------
def _assert_broadcastable(weights, values):
    """ValueError unless `weights` is a scalar or has values' rank with each dim 1 or equal."""
    w, v = weights.shape, values.shape
    if w.ndims is None or v.ndims is None or w.ndims == 0:
        return
    if w.ndims != v.ndims:
        raise ValueError("weights can not be broadcast to values. values.rank=%d. weights.rank=%d. "
                         "values.shape=%s. weights.shape=%s." % (v.ndims, w.ndims, v, w))
    for index, (wd, vd) in enumerate(zip(w.as_list(), v.as_list())):
        if wd is not None and vd is not None and wd != 1 and wd != vd:
            raise ValueError("weights can not be broadcast to values. Mismatch at dim %d. values.shape=%s. "
                             "weights.shape=%s." % (index, v, w))


def _num_elements(losses):
    from .ops.constant import constant
    from .ops.array import ones_like
    from .ops.math import reduce_sum
    count = losses.shape.num_elements()
    if count is not None:
        return constant(float(count), dtype=losses.dtype, name="num_elements")
    return reduce_sum(ones_like(losses), name="num_elements")


def _num_present(losses, weights):
    """The number of losses whose (broadcast) weight is nonzero."""
    from .ops.array import ones_like
    from .ops.math import cast, multiply, not_equal, reduce_sum
    with name_scope(None, "num_present", (losses, weights)):
        present = cast(not_equal(weights, 0.0), losses.dtype)
        return reduce_sum(multiply(present, ones_like(losses)), name="value")


def _safe_mean(total, count):
    from .ops.math import div_no_nan
    return div_no_nan(total, count, name="value")


def compute_weighted_loss(losses, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """`tf.losses.compute_weighted_loss(losses, weights=1.0, reduction=SUM_BY_NONZERO_WEIGHTS)`:
    losses * weights reduced by `reduction` (NONE keeps the shape; SUM sums; MEAN divides by the sum of
    the broadcast weights; SUM_OVER_BATCH_SIZE by the number of losses; SUM_BY_NONZERO_WEIGHTS by the
    number of nonzero broadcast weights; a zero divisor gives 0). The result has the losses' dtype and
    is added to `loss_collection`."""
    from .ops.array import ones_like
    from .ops.math import cast, multiply, reduce_sum
    Reduction.validate(reduction)
    with name_scope(scope, "weighted_loss", (losses, weights)):
        losses = convert_to_tensor(losses, name="losses")
        input_dtype = losses.dtype
        if not input_dtype.is_floating:
            raise TypeError("losses must be a floating point tensor, got %s" % input_dtype.name)
        work = dtypes.float32 if input_dtype is dtypes.float16 else input_dtype
        losses = cast(losses, work)
        weights = convert_to_tensor(weights, dtype=None if isinstance(weights, Tensor) else work,
                                    name="weights")
        weights = cast(weights, work)
        _assert_broadcastable(weights, losses)
        weighted = multiply(losses, weights)
        if reduction == Reduction.NONE:
            loss = weighted
        else:
            loss = reduce_sum(weighted)
            if reduction == Reduction.MEAN:
                loss = _safe_mean(loss, reduce_sum(multiply(ones_like(losses), weights)))
            elif reduction == Reduction.SUM_BY_NONZERO_WEIGHTS:
                loss = _safe_mean(loss, _num_present(losses, weights))
            elif reduction == Reduction.SUM_OVER_BATCH_SIZE:
                loss = _safe_mean(loss, _num_elements(losses))
        loss = cast(loss, input_dtype)
        add_loss(loss, loss_collection)
        return loss


# --- helpers for the losses ----------------------------------------------------------------------
def _require(value, what):
    if value is None:
        raise ValueError("%s must not be None." % what)


def _to_float(x, name):
    from .ops.math import cast
    x = convert_to_tensor(x, name=name)
    return cast(x, dtypes.float32)


def _float_pair(predictions, labels, predictions_name="predictions"):
    """Both as float32 tensors, their static shapes checked compatible (the regression losses' rule)."""
    predictions = _to_float(predictions, predictions_name)
    labels = _to_float(labels, "labels")
    predictions.shape.assert_is_compatible_with(labels.shape)
    return predictions, labels


def _squeeze_last(tensor):
    """tensor without its last dimension (of size 1)."""
    from .ops.array import reshape
    shape = tensor.shape
    if shape.ndims is not None and all(d is not None for d in shape.as_list()[:-1]):
        return reshape(tensor, shape.as_list()[:-1])
    from .ops.array import squeeze
    return squeeze(tensor, [-1])


def _remove_squeezable_dimensions(labels, predictions, weights, expected_rank_diff=0):
    """Drops a trailing size-1 dim from labels or predictions (and weights) so their ranks differ by
    `expected_rank_diff`, as TF's losses do."""
    lrank, prank = labels.shape.ndims, predictions.shape.ndims
    if lrank is not None and prank is not None:
        diff = prank - lrank
        if diff == expected_rank_diff + 1 and predictions.shape[-1].value == 1:
            predictions = _squeeze_last(predictions)
        elif diff == expected_rank_diff - 1 and labels.shape[-1].value == 1:
            labels = _squeeze_last(labels)
    if weights is not None and isinstance(weights, Tensor):
        wrank, lrank = weights.shape.ndims, labels.shape.ndims
        if wrank is not None and lrank is not None and wrank - lrank == 1 and weights.shape[-1].value == 1:
            weights = _squeeze_last(weights)
    return labels, predictions, weights


# --- the losses ----------------------------------------------------------------------------------
def absolute_difference(labels, predictions, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                        reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """`tf.losses.absolute_difference(labels, predictions, weights=1.0)`: weighted |predictions - labels|
    (computed in float32)."""
    from .ops.math import abs as abs_, subtract
    _require(labels, "labels")
    _require(predictions, "predictions")
    with name_scope(scope, "absolute_difference", (predictions, labels, weights)) as scope:
        predictions, labels = _float_pair(predictions, labels)
        losses = abs_(subtract(predictions, labels))
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def mean_squared_error(labels, predictions, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                       reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """`tf.losses.mean_squared_error(labels, predictions, weights=1.0)`: weighted (predictions -
    labels) ** 2 (computed in float32)."""
    from .ops.math import squared_difference
    _require(labels, "labels")
    _require(predictions, "predictions")
    with name_scope(scope, "mean_squared_error", (predictions, labels, weights)) as scope:
        predictions, labels = _float_pair(predictions, labels)
        losses = squared_difference(predictions, labels)
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def huber_loss(labels, predictions, weights=1.0, delta=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
               reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """`tf.losses.huber_loss(labels, predictions, weights=1.0, delta=1.0)`: 0.5 * e ** 2 where |e| <=
    delta, else 0.5 * delta ** 2 + delta * (|e| - delta), for e = predictions - labels."""
    from .ops.math import abs as abs_, add, minimum, multiply, square, subtract
    _require(labels, "labels")
    _require(predictions, "predictions")
    with name_scope(scope, "huber_loss", (predictions, labels, weights)) as scope:
        predictions, labels = _float_pair(predictions, labels)
        error = subtract(predictions, labels)
        abs_error = abs_(error)
        quadratic = minimum(abs_error, float(delta))
        linear = subtract(abs_error, quadratic)
        losses = add(multiply(0.5, square(quadratic)), multiply(float(delta), linear))
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def log_loss(labels, predictions, weights=1.0, epsilon=1e-7, scope=None, loss_collection=GraphKeys.LOSSES,
             reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """`tf.losses.log_loss(labels, predictions, weights=1.0, epsilon=1e-7)`: weighted
    -labels * log(predictions + epsilon) - (1 - labels) * log(1 - predictions + epsilon)."""
    from .ops.math import add, log, multiply, negative, subtract
    _require(labels, "labels")
    _require(predictions, "predictions")
    with name_scope(scope, "log_loss", (predictions, labels, weights)) as scope:
        predictions, labels = _float_pair(predictions, labels)
        losses = subtract(negative(multiply(labels, log(add(predictions, epsilon)))),
                          multiply(subtract(1.0, labels), log(add(subtract(1.0, predictions), epsilon))))
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def hinge_loss(labels, logits, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
               reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """`tf.losses.hinge_loss(labels, logits, weights=1.0)`: weighted max(0, 1 - (2 * labels - 1) *
    logits) for labels in {0, 1}."""
    from .ops.math import multiply, subtract
    from .ops.nn import relu
    _require(labels, "labels")
    _require(logits, "logits")
    with name_scope(scope, "hinge_loss", (logits, labels, weights)) as scope:
        logits, labels = _float_pair(logits, labels, "logits")
        signs = subtract(multiply(2.0, labels), 1.0)
        losses = relu(subtract(1.0, multiply(signs, logits)))
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def cosine_distance(labels, predictions, axis=None, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                    reduction=Reduction.SUM_BY_NONZERO_WEIGHTS, dim=None):
    """`tf.losses.cosine_distance(labels, predictions, axis, weights=1.0)`: weighted
    1 - sum(labels * predictions, axis) for unit-normalized inputs (`dim` is the deprecated alias)."""
    from .ops.math import multiply, reduce_sum, subtract
    if axis is not None and dim is not None:
        raise ValueError("Cannot specify both 'axis' and 'dim'.")
    axis = dim if axis is None else axis
    if axis is None:
        raise ValueError("You must specify 'axis'.")
    _require(labels, "labels")
    _require(predictions, "predictions")
    with name_scope(scope, "cosine_distance_loss", (predictions, labels, weights)) as scope:
        predictions, labels = _float_pair(predictions, labels)
        radial = multiply(predictions, labels)
        losses = subtract(1.0, reduce_sum(radial, axis=[axis], keepdims=True))
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def mean_pairwise_squared_error(labels, predictions, weights=1.0, scope=None,
                                loss_collection=GraphKeys.LOSSES):
    """`tf.losses.mean_pairwise_squared_error(labels, predictions, weights=1.0)`: for each example, the
    mean over pairs (i, j) of its non-batch elements of ((p_i - p_j) - (l_i - l_j)) ** 2, times its
    weight (a scalar, or one per example), summed over the batch."""
    from .ops.array import ones_like, reshape
    from .ops.math import cast, div_no_nan, multiply, not_equal, reduce_sum, square, subtract
    _require(labels, "labels")
    _require(predictions, "predictions")
    with name_scope(scope, "mean_pairwise_squared_error", (predictions, labels, weights)):
        predictions, labels = _float_pair(predictions, labels)
        weights = _to_float(weights, "weights")
        diffs = subtract(predictions, labels)
        rank = diffs.shape.ndims
        if rank is None or rank < 2:
            raise ValueError("mean_pairwise_squared_error needs inputs of known rank >= 2, got %s" % diffs.shape)
        axes = list(range(1, rank))
        if weights.shape.ndims not in (0, None):
            weights = reshape(weights, [-1])
        per_element = reshape(weights, [-1] + [1] * (rank - 1)) if weights.shape.ndims != 0 else weights
        present = multiply(cast(not_equal(per_element, 0.0), dtypes.float32), ones_like(diffs))
        count = reduce_sum(present, axis=axes)
        term1 = multiply(2.0, div_no_nan(reduce_sum(square(diffs), axis=axes), subtract(count, 1.0)))
        term2 = multiply(2.0, div_no_nan(square(reduce_sum(diffs, axis=axes)),
                                         multiply(count, subtract(count, 1.0))))
        loss = reduce_sum(multiply(subtract(term1, term2), weights), name="value")
        add_loss(loss, loss_collection)
        return loss


def sigmoid_cross_entropy(multi_class_labels, logits, weights=1.0, label_smoothing=0, scope=None,
                          loss_collection=GraphKeys.LOSSES, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """`tf.losses.sigmoid_cross_entropy(multi_class_labels, logits, weights=1.0, label_smoothing=0)`:
    weighted sigmoid cross entropy; with label_smoothing, labels become
    labels * (1 - label_smoothing) + 0.5 * label_smoothing."""
    from .ops.math import add, cast, multiply
    from .ops.nn import sigmoid_cross_entropy_with_logits
    _require(multi_class_labels, "multi_class_labels")
    _require(logits, "logits")
    with name_scope(scope, "sigmoid_cross_entropy_loss", (logits, multi_class_labels, weights)) as scope:
        logits = convert_to_tensor(logits, name="logits")
        labels = cast(convert_to_tensor(multi_class_labels, name="multi_class_labels"), logits.dtype)
        logits.shape.assert_is_compatible_with(labels.shape)
        if label_smoothing > 0:
            labels = add(multiply(labels, 1.0 - label_smoothing), 0.5 * label_smoothing)
        losses = sigmoid_cross_entropy_with_logits(labels=labels, logits=logits, name="xentropy")
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def softmax_cross_entropy(onehot_labels, logits, weights=1.0, label_smoothing=0, scope=None,
                          loss_collection=GraphKeys.LOSSES, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """`tf.losses.softmax_cross_entropy(onehot_labels, logits, weights=1.0, label_smoothing=0)`:
    weighted softmax cross entropy over the last axis (no gradient into the labels); with
    label_smoothing, labels become labels * (1 - label_smoothing) + label_smoothing / num_classes.
    `weights` is a scalar or of shape [batch_size]."""
    from .ops.control import stop_gradient
    from .ops.math import add, cast, divide, multiply
    from .ops.nn import softmax_cross_entropy_with_logits_v2
    _require(onehot_labels, "onehot_labels")
    _require(logits, "logits")
    with name_scope(scope, "softmax_cross_entropy_loss", (logits, onehot_labels, weights)) as scope:
        logits = convert_to_tensor(logits, name="logits")
        labels = cast(convert_to_tensor(onehot_labels, name="onehot_labels"), logits.dtype)
        logits.shape.assert_is_compatible_with(labels.shape)
        if label_smoothing > 0:
            num_classes = labels.shape[-1].value if labels.shape.ndims is not None else None
            if num_classes is None:
                from .ops.array import shape as shape_of
                from .ops.math import reduce_prod
                num_classes = cast(reduce_prod(shape_of(labels)[-1:]), logits.dtype)
                negatives = divide(label_smoothing, num_classes)
            else:
                negatives = label_smoothing / float(num_classes)
            labels = add(multiply(labels, 1.0 - label_smoothing), negatives)
        labels = stop_gradient(labels, name="labels_stop_gradient")
        losses = softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits, name="xentropy")
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def sparse_softmax_cross_entropy(labels, logits, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                                 reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """`tf.losses.sparse_softmax_cross_entropy(labels, logits, weights=1.0)`: weighted softmax cross
    entropy of integer class ids `labels` (shape [batch] or [batch, 1]) against `logits`."""
    from .ops.nn import sparse_softmax_cross_entropy_with_logits
    _require(labels, "labels")
    _require(logits, "logits")
    with name_scope(scope, "sparse_softmax_cross_entropy_loss", (logits, labels, weights)) as scope:
        labels = convert_to_tensor(labels, name="labels")
        logits = convert_to_tensor(logits, name="logits")
        if isinstance(weights, Tensor) or not isinstance(weights, (int, float)):
            weights = convert_to_tensor(weights, name="weights")
        labels, logits, weights = _remove_squeezable_dimensions(labels, logits, weights, expected_rank_diff=1)
        losses = sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits, name="xentropy")
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)
