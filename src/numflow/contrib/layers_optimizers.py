"""`tf.contrib.layers.optimize_loss`: one call from a loss to a training op, with a learning-rate
variable, optional decay, gradient noise / multipliers / clipping and TensorBoard summaries.
Re-exported by `numflow.contrib.layers`."""
from ..framework.graph import GraphKeys, convert_to_tensor
from ..framework.indexed_slices import IndexedSlices
from ..train import optimizer as _optimizer
from ..train.optimizers_extra import FtrlOptimizer
from .layers_common import tf as _tf

__all__ = ["optimize_loss", "OPTIMIZER_CLS_NAMES", "OPTIMIZER_SUMMARIES"]


def _momentum_optimizer(learning_rate):
    return _optimizer.MomentumOptimizer(learning_rate, momentum=0.9)


OPTIMIZER_CLS_NAMES = {
    "Adagrad": _optimizer.AdagradOptimizer,
    "Adam": _optimizer.AdamOptimizer,
    "Ftrl": FtrlOptimizer,
    "Momentum": _momentum_optimizer,
    "RMSProp": _optimizer.RMSPropOptimizer,
    "SGD": _optimizer.GradientDescentOptimizer,
}

OPTIMIZER_SUMMARIES = ["learning_rate", "loss", "gradients", "gradient_norm", "global_gradient_norm"]


def _learning_rate(learning_rate):
    """A scalar tensor stays as is; a float becomes the non-trainable variable 'learning_rate'."""
    tf = _tf()
    if learning_rate is None:
        return None
    if isinstance(learning_rate, tf.Tensor) and learning_rate.shape.ndims == 0:
        return learning_rate
    if isinstance(learning_rate, float):
        if learning_rate < 0.0:
            raise ValueError("Invalid learning_rate %s." % learning_rate)
        return tf.get_variable("learning_rate", [], trainable=False,
                               initializer=tf.constant_initializer(learning_rate))
    raise ValueError("Learning rate should be 0d Tensor or float. Got %s of type %s"
                     % (learning_rate, type(learning_rate)))


def _make_optimizer(optimizer, learning_rate, lr):
    if isinstance(optimizer, str):
        if lr is None:
            raise ValueError("Learning rate is None, but should be specified if optimizer is string (%s)."
                             % optimizer)
        if optimizer not in OPTIMIZER_CLS_NAMES:
            raise ValueError("Optimizer name should be one of [%s], you provided %s."
                             % (", ".join(OPTIMIZER_CLS_NAMES), optimizer))
        return OPTIMIZER_CLS_NAMES[optimizer](learning_rate=lr)
    if isinstance(optimizer, type) and issubclass(optimizer, _optimizer.Optimizer):
        if lr is None:
            raise ValueError("Learning rate is None, but should be specified if optimizer is class (%s)."
                             % optimizer)
        return optimizer(learning_rate=lr)
    if isinstance(optimizer, _optimizer.Optimizer):
        return optimizer
    if callable(optimizer):
        made = optimizer(lr) if learning_rate is not None else optimizer()
        if not isinstance(made, _optimizer.Optimizer):
            raise ValueError("Unrecognized optimizer: function should return subclass of Optimizer. Got %s."
                             % (made,))
        return made
    raise ValueError("Unrecognized optimizer: should be string, subclass of Optimizer, instance of subclass "
                     "of Optimizer or function with one argument. Got %s." % (optimizer,))


def _gradient_values(gradient):
    return gradient.values if isinstance(gradient, IndexedSlices) else gradient


def _add_gradient_noise(grads_and_vars, scale):
    """Adds truncated-normal noise times `scale` to every gradient (sparse ones become dense)."""
    tf = _tf()
    noisy = []
    for gradient, variable in grads_and_vars:
        if gradient is not None:
            gradient = convert_to_tensor(gradient)
            gradient = gradient + tf.truncated_normal(tf.shape(gradient), dtype=gradient.dtype) * scale
        noisy.append((gradient, variable))
    return noisy


def _multiply_gradients(grads_and_vars, multipliers):
    """Scales the gradient of each variable named in `multipliers` (keyed by Variable or op name)."""
    tf = _tf()
    scaled = []
    for gradient, variable in grads_and_vars:
        key = variable if variable in multipliers else variable.op.name
        if gradient is not None and key in multipliers:
            factor = tf.constant(multipliers[key], dtype=_gradient_values(gradient).dtype)
            if isinstance(gradient, IndexedSlices):
                gradient = IndexedSlices(gradient.values * factor, gradient.indices, gradient.dense_shape)
            else:
                gradient = gradient * factor
        scaled.append((gradient, variable))
    return scaled


def _global_norm(grads_and_vars):
    return _tf().global_norm([g for g, _ in grads_and_vars if g is not None])


def optimize_loss(loss, global_step, learning_rate, optimizer, gradient_noise_scale=None,
                  gradient_multipliers=None, clip_gradients=None, learning_rate_decay_fn=None, update_ops=None,
                  variables=None, name=None, summaries=None, colocate_gradients_with_ops=False,
                  increment_global_step=True):
    """`tf.contrib.layers.optimize_loss(loss, global_step, learning_rate, optimizer, ...)`: builds the
    training step for the scalar `loss` in variable scope `name` (default 'OptimizeLoss').

    `optimizer` is a name from OPTIMIZER_CLS_NAMES ('Adagrad', 'Adam', 'Ftrl', 'Momentum' (0.9),
    'RMSProp', 'SGD'), an Optimizer subclass taking the learning rate, an Optimizer instance, or a
    function of the learning rate (of nothing when learning_rate is None) returning one. A float
    learning_rate becomes the variable 'OptimizeLoss/learning_rate'; learning_rate_decay_fn(lr,
    global_step) may replace it. Gradients get, in order: truncated-normal noise times
    gradient_noise_scale, gradient_multipliers ({Variable or name: factor}), clipping (a float: global
    norm; a callable: grads_and_vars -> grads_and_vars). `update_ops` (default: UPDATE_OPS) run before
    the loss is computed; `summaries` picks from OPTIMIZER_SUMMARIES (default loss, learning_rate,
    global_gradient_norm). global_step (default: tf.train.get_global_step()) is incremented unless
    increment_global_step is False. Returns a tensor that applies the update and yields the loss.
    """
    tf = _tf()
    loss = convert_to_tensor(loss)
    if loss.shape.ndims != 0:
        raise ValueError("Expected scalar shape for %s, saw shape: %s." % (loss.name, loss.shape))
    if global_step is None:
        global_step = tf.train.get_global_step()
    else:
        tf.train.assert_global_step(global_step)
    if summaries is None:
        summaries = ["loss", "learning_rate", "global_gradient_norm"]
    for summary_name in summaries:
        if summary_name not in OPTIMIZER_SUMMARIES:
            raise ValueError("Summaries should be one of [%s], you provided %s."
                             % (", ".join(OPTIMIZER_SUMMARIES), summary_name))
    with tf.variable_scope(name, "OptimizeLoss", [loss, global_step]):
        if update_ops is None:
            update_ops = tf.get_collection(GraphKeys.UPDATE_OPS)
        if update_ops:
            with tf.control_dependencies(list(update_ops)):
                loss = tf.identity(loss)
        lr = _learning_rate(learning_rate)
        if lr is not None and learning_rate_decay_fn is not None:
            if global_step is None:
                raise ValueError("global_step is required for learning_rate_decay_fn.")
            lr = learning_rate_decay_fn(lr, global_step)
        if lr is not None and "learning_rate" in summaries:
            tf.summary.scalar("learning_rate", lr)
        opt = _make_optimizer(optimizer, learning_rate, lr)
        if variables is None:
            variables = tf.trainable_variables()
        gradients = opt.compute_gradients(loss, variables,
                                          colocate_gradients_with_ops=colocate_gradients_with_ops)
        if gradient_noise_scale is not None:
            gradients = _add_gradient_noise(gradients, gradient_noise_scale)
        if gradient_multipliers is not None:
            gradients = _multiply_gradients(gradients, gradient_multipliers)
            if not gradients:
                raise ValueError("Empty list of (gradient, var) pairs encountered. This is most likely to be "
                                 "caused by an improper value of gradient_multipliers.")
        norm_summaries = "global_gradient_norm" in summaries or "gradient_norm" in summaries
        if norm_summaries:
            tf.summary.scalar("global_norm/gradient_norm", _global_norm(gradients))
        if isinstance(clip_gradients, float):
            clipped, _ = tf.clip_by_global_norm([g for g, _ in gradients], clip_gradients)
            gradients = list(zip(clipped, [v for _, v in gradients]))
        elif callable(clip_gradients):
            gradients = clip_gradients(gradients)
        elif clip_gradients is not None:
            raise ValueError("Unknown type %s for clip_gradients" % type(clip_gradients))
        if "loss" in summaries:
            tf.summary.scalar("loss", loss)
        for gradient, variable in gradients:
            values = _gradient_values(gradient)
            if values is None:
                continue
            var_name = variable.name.replace(":", "_")
            if "gradients" in summaries:
                tf.summary.histogram("gradients/%s" % var_name, values)
            if "gradient_norm" in summaries:
                tf.summary.scalar("gradient_norm/%s" % var_name, tf.global_norm([values]))
        if clip_gradients is not None and norm_summaries:
            tf.summary.scalar("global_norm/clipped_gradient_norm", _global_norm(gradients))
        grad_updates = opt.apply_gradients(gradients,
                                           global_step=global_step if increment_global_step else None,
                                           name="train")
        with tf.control_dependencies([grad_updates]):
            return tf.identity(loss)
