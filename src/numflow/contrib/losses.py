"""`tf.contrib.losses` (also `slim.losses`): TF1's older loss functions.

They differ from `tf.losses` in three ways that scripts rely on:
- argument order: predictions/logits come first (`softmax_cross_entropy(logits, onehot_labels, ...)`,
  `mean_squared_error(predictions, labels, ...)`);
- weights line up with the *leading* dimensions of the losses: a [batch] weight vector scales whole rows
  of [batch, d] losses (tf.losses aligns NumPy-style, from the trailing dimension), and a trailing
  size-1 dimension of the weights is dropped first;
- there is a single reduction: the weighted sum divided by the number of losses whose weight is nonzero
  (0 when there are none), and `hinge_loss` returns the unreduced per-element losses.
Each reduced loss is added to `GraphKeys.LOSSES`.
"""
import numflow as tf

from ..framework.graph import convert_to_tensor, name_scope
from ..losses import add_loss, get_losses, get_regularization_losses  # noqa: F401 - the same functions

__all__ = ["absolute_difference", "add_loss", "compute_weighted_loss", "cosine_distance", "get_losses",
           "get_regularization_losses", "get_total_loss", "hinge_loss", "log_loss",
           "mean_pairwise_squared_error", "mean_squared_error", "sigmoid_cross_entropy",
           "softmax_cross_entropy", "sparse_softmax_cross_entropy"]


def get_total_loss(add_regularization_losses=True, name="total_loss"):
    """`tf.contrib.losses.get_total_loss(add_regularization_losses=True, name='total_loss')`: the sum of
    the losses in `GraphKeys.LOSSES`, plus (by default) those in `GraphKeys.REGULARIZATION_LOSSES`.
    ValueError when both are empty."""
    losses = get_losses()
    if add_regularization_losses:
        losses = losses + get_regularization_losses()
    if not losses:
        raise ValueError("get_total_loss: there are no losses to sum (GraphKeys.LOSSES%s is empty)"
                         % (" and GraphKeys.REGULARIZATION_LOSSES are" if add_regularization_losses else " is"))
    return tf.add_n(losses, name=name)


# --- weighting -----------------------------------------------------------------------------------
def _static_rank(tensor, what):
    rank = tensor.shape.ndims
    if rank is None:
        raise ValueError("%s.get_shape().ndims cannot be None" % what)
    return rank


def _squeeze_trailing_unit_dim(weights):
    """Weights of shape [batch, ..., 1] count as [batch, ...], as in TF's contrib losses."""
    dims = weights.shape.as_list() if weights.shape.ndims else []
    if len(dims) > 1 and dims[-1] in (1, None):
        return tf.squeeze(weights, [-1])
    return weights


def _elements_per_weight(losses, weights_rank):
    """How many losses one weight covers: the product of the losses' dims past the weights' rank."""
    trailing = tf.slice(tf.shape(losses), [weights_rank], [-1])
    return tf.cast(tf.reduce_prod(trailing), tf.float32)


def _num_present(losses, weights, per_batch=False):
    """The number of losses whose weight is nonzero (a weight covers the losses its leading dims index),
    in total or (per_batch) for each entry of the first dimension."""
    weights_rank = weights.shape.ndims
    with name_scope(None, "num_present", [losses, weights]):
        if weights_rank == 0:
            batch_size = tf.cast(tf.shape(losses)[0], tf.float32)
            per_example = tf.cast(tf.size(losses), tf.float32) / batch_size
            per_example = tf.where(tf.equal(weights, 0.0), tf.zeros_like(per_example), per_example)
            counts = tf.ones(tf.reshape(tf.shape(losses)[0], [1])) * per_example
        else:
            nonzero = tf.cast(tf.not_equal(weights, 0.0), tf.float32)
            if weights_rank > 1:
                nonzero = tf.reduce_sum(nonzero, axis=list(range(1, weights_rank)))
            counts = nonzero * _elements_per_weight(losses, weights_rank)
        return counts if per_batch else tf.reduce_sum(counts)


def _scale_losses(losses, weights):
    """sum(losses * weights), the losses first summed over the dims past the weights' rank."""
    weights_rank = weights.shape.ndims
    losses_rank = losses.shape.ndims
    if weights_rank > losses_rank:
        raise ValueError("weights (shape %s) must not have a higher rank than the losses (shape %s)"
                         % (weights.shape, losses.shape))
    reduced = losses
    if losses_rank > weights_rank:
        reduced = tf.reduce_sum(losses, axis=list(range(max(weights_rank, 0), losses_rank)))
    return tf.reduce_sum(reduced * weights)


def _safe_div(numerator, denominator):
    """numerator / denominator, and 0 where the denominator is not positive."""
    safe_denominator = tf.where(tf.greater(denominator, 0.0), denominator, tf.ones_like(denominator))
    return tf.where(tf.greater(denominator, 0.0), numerator / safe_denominator, tf.zeros_like(numerator))


def compute_weighted_loss(losses, weights=1.0, scope=None):
    """`tf.contrib.losses.compute_weighted_loss(losses, weights=1.0, scope=None)`: the weighted mean of
    `losses`: sum(losses * weights) over the number of losses with a nonzero weight (0 when none).
    `weights` is a scalar, or a tensor whose dims match the leading dims of `losses` ([batch] or
    [batch, d1, ...]; a trailing size-1 dim is dropped). The mean has the losses' dtype and is added to
    GraphKeys.LOSSES. ValueError when either rank is unknown."""
    with name_scope(scope, "weighted_loss", [losses, weights]):
        losses = convert_to_tensor(losses)
        input_dtype = losses.dtype
        losses = tf.cast(losses, tf.float32)
        weights = tf.cast(convert_to_tensor(weights), tf.float32)
        _static_rank(losses, "losses")
        _static_rank(weights, "weights")
        weights = _squeeze_trailing_unit_dim(weights)
        total = _scale_losses(losses, weights)
        mean_loss = tf.cast(_safe_div(total, _num_present(losses, weights)), input_dtype, name="value")
        add_loss(mean_loss)
        return mean_loss


# --- the losses ----------------------------------------------------------------------------------
def _require_labels(labels, argument):
    if labels is None:
        raise ValueError("%s must not be None." % argument)


def _as_compatible_floats(predictions, labels, predictions_name="predictions", labels_name="labels"):
    """Both as float32 tensors, after checking their static shapes agree (ValueError otherwise)."""
    _require_labels(labels, labels_name)
    predictions = convert_to_tensor(predictions)
    labels = convert_to_tensor(labels)
    predictions.shape.assert_is_compatible_with(labels.shape)
    return tf.cast(predictions, tf.float32), tf.cast(labels, tf.float32)


def absolute_difference(predictions, labels=None, weights=1.0, scope=None):
    """`tf.contrib.losses.absolute_difference(predictions, labels=None, weights=1.0, scope=None)`: the
    weighted mean of |predictions - labels| (see compute_weighted_loss)."""
    with name_scope(scope, "absolute_difference", [predictions, labels, weights]) as scope:
        predictions, labels = _as_compatible_floats(predictions, labels)
        return compute_weighted_loss(tf.abs(predictions - labels), weights, scope=scope)


def mean_squared_error(predictions, labels=None, weights=1.0, scope=None):
    """`tf.contrib.losses.mean_squared_error(predictions, labels=None, weights=1.0, scope=None)`: the
    weighted mean of (predictions - labels)**2 (see compute_weighted_loss)."""
    with name_scope(scope, "mean_squared_error", [predictions, labels, weights]) as scope:
        predictions, labels = _as_compatible_floats(predictions, labels)
        return compute_weighted_loss(tf.square(predictions - labels), weights, scope=scope)


def log_loss(predictions, labels=None, weights=1.0, epsilon=1e-7, scope=None):
    """`tf.contrib.losses.log_loss(predictions, labels=None, weights=1.0, epsilon=1e-7, scope=None)`: the
    weighted mean of -labels*log(predictions + epsilon) - (1 - labels)*log(1 - predictions + epsilon)."""
    with name_scope(scope, "log_loss", [predictions, labels, weights]) as scope:
        predictions, labels = _as_compatible_floats(predictions, labels)
        losses = (-tf.multiply(labels, tf.log(predictions + epsilon))
                  - tf.multiply(1.0 - labels, tf.log(1.0 - predictions + epsilon)))
        return compute_weighted_loss(losses, weights, scope=scope)


def hinge_loss(logits, labels=None, scope=None):
    """`tf.contrib.losses.hinge_loss(logits, labels=None, scope=None)`: the *unweighted, unreduced*
    hinge losses max(0, 1 - (2*labels - 1) * logits), with labels in {0, 1}; same shape as logits (not
    added to any collection)."""
    with name_scope(scope, "hinge_loss", [logits, labels]):
        logits, labels = _as_compatible_floats(logits, labels, "logits")
        signed_labels = 2.0 * labels - 1.0
        return tf.nn.relu(1.0 - signed_labels * logits)


def cosine_distance(predictions, labels=None, axis=None, weights=1.0, scope=None, dim=None):
    """`tf.contrib.losses.cosine_distance(predictions, labels=None, axis=None, weights=1.0, scope=None,
    dim=None)`: the weighted mean of 1 - sum(predictions * labels, axis) (both assumed unit-normalized
    along `axis`; `dim` is its deprecated name). ValueError without an axis."""
    if dim is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'axis' and 'dim'")
        axis = dim
    if axis is None:
        raise ValueError("You must specify 'axis'.")
    with name_scope(scope, "cosine_distance_loss", [predictions, labels, weights]) as scope:
        predictions, labels = _as_compatible_floats(predictions, labels)
        losses = 1.0 - tf.reduce_sum(tf.multiply(predictions, labels), axis=[axis])
        return compute_weighted_loss(losses, weights, scope=scope)


def sigmoid_cross_entropy(logits, multi_class_labels, weights=1.0, label_smoothing=0, scope=None):
    """`tf.contrib.losses.sigmoid_cross_entropy(logits, multi_class_labels, weights=1.0,
    label_smoothing=0, scope=None)`: the weighted mean of the elementwise sigmoid cross-entropies; with
    label_smoothing > 0 the labels become labels * (1 - label_smoothing) + 0.5 * label_smoothing."""
    with name_scope(scope, "sigmoid_cross_entropy_loss", [logits, multi_class_labels, weights]) as scope:
        logits = convert_to_tensor(logits)
        _require_labels(multi_class_labels, "multi_class_labels")
        multi_class_labels = tf.cast(multi_class_labels, logits.dtype)
        logits.shape.assert_is_compatible_with(multi_class_labels.shape)
        if label_smoothing > 0:
            multi_class_labels = multi_class_labels * (1.0 - label_smoothing) + 0.5 * label_smoothing
        losses = tf.nn.sigmoid_cross_entropy_with_logits(labels=multi_class_labels, logits=logits, name="xentropy")
        return compute_weighted_loss(losses, weights, scope=scope)


def softmax_cross_entropy(logits, onehot_labels, weights=1.0, label_smoothing=0, scope=None):
    """`tf.contrib.losses.softmax_cross_entropy(logits, onehot_labels, weights=1.0, label_smoothing=0,
    scope=None)`: the weighted mean over the batch of the softmax cross-entropies of [batch, classes]
    logits; `weights` is a scalar or [batch]. With label_smoothing > 0 the labels become
    onehot_labels * (1 - label_smoothing) + label_smoothing / num_classes."""
    with name_scope(scope, "softmax_cross_entropy_loss", [logits, onehot_labels, weights]) as scope:
        logits = convert_to_tensor(logits)
        _require_labels(onehot_labels, "onehot_labels")
        onehot_labels = tf.cast(onehot_labels, logits.dtype)
        logits.shape.assert_is_compatible_with(onehot_labels.shape)
        if label_smoothing > 0:
            num_classes = tf.cast(tf.shape(onehot_labels)[1], logits.dtype)
            onehot_labels = onehot_labels * (1.0 - label_smoothing) + label_smoothing / num_classes
        losses = tf.nn.softmax_cross_entropy_with_logits_v2(labels=tf.stop_gradient(onehot_labels), logits=logits,
                                                            name="xentropy")
        return compute_weighted_loss(losses, weights, scope=scope)


def sparse_softmax_cross_entropy(logits, labels, weights=1.0, scope=None):
    """`tf.contrib.losses.sparse_softmax_cross_entropy(logits, labels, weights=1.0, scope=None)`: the
    weighted mean over the batch of the softmax cross-entropies of [batch, classes] logits against
    integer class ids `labels` ([batch] or [batch, 1]); `weights` is a scalar or [batch] ([batch, 1])."""
    with name_scope(scope, "sparse_softmax_cross_entropy_loss", [logits, labels, weights]) as scope:
        _require_labels(labels, "labels")
        labels = tf.reshape(labels, shape=[tf.shape(labels)[0]])
        weights = convert_to_tensor(weights)
        if weights.shape.ndims and weights.shape.ndims > 1:
            weights = tf.reshape(weights, [-1])
        losses = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits, name="xentropy")
        return compute_weighted_loss(losses, weights, scope=scope)


def mean_pairwise_squared_error(predictions, labels=None, weights=1.0, scope=None):
    """`tf.contrib.losses.mean_pairwise_squared_error(predictions, labels=None, weights=1.0, scope=None)`:
    for each example (first dim), the mean over all pairs (i, j) of its elements of
    ((p_i - p_j) - (l_i - l_j))**2, computed as 2*sum(d**2)/n - 2*sum(d)**2/n**2 with d = p - l and n
    the number of its elements with nonzero weight; the result is the sum over the batch of these,
    each scaled by its example's weight ([batch] or scalar weights)."""
    with name_scope(scope, "mean_pairwise_squared_error", [predictions, labels, weights]) as scope:
        predictions, labels = _as_compatible_floats(predictions, labels)
        weights = tf.cast(convert_to_tensor(weights), tf.float32)
        _static_rank(weights, "weights")
        weights = _squeeze_trailing_unit_dim(weights)
        diffs = predictions - labels
        example_axes = list(range(1, _static_rank(diffs, "predictions")))
        num_present_per_example = _num_present(diffs, weights, per_batch=True)
        mean_square = 2.0 * _safe_div(tf.reduce_sum(tf.square(diffs), axis=example_axes), num_present_per_example)
        square_mean = 2.0 * _safe_div(tf.square(tf.reduce_sum(diffs, axis=example_axes)),
                                      tf.square(num_present_per_example))
        loss = _scale_losses(mean_square - square_mean, weights)
        mean_loss = tf.where(tf.reduce_sum(num_present_per_example) > 0, loss, tf.zeros_like(loss), name="value")
        add_loss(mean_loss)
        return mean_loss

