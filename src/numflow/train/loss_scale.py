"""`tf.train.experimental`'s loss scaling for mixed-precision training: LossScale, FixedLossScale,
DynamicLossScale, MixedPrecisionLossScaleOptimizer, and enable/disable_mixed_precision_graph_rewrite.

A loss scale multiplies the loss before differentiation (so that small float16 gradients do not
underflow) and the optimizer divides the gradients by it again. A dynamic loss scale halves itself
(by `multiplier`) whenever a step produced a non-finite gradient, skipping that step, and grows again
after `increment_period` finite steps in a row. numflow runs on the CPU, where TF's automatic float16
graph rewrite does nothing either; the rewrite functions therefore only wrap the optimizer.
"""
from ..framework import dtypes
from ..framework.graph import control_dependencies, convert_to_tensor, name_scope
from .optimizer import Optimizer

__all__ = ["LossScale", "FixedLossScale", "DynamicLossScale", "MixedPrecisionLossScaleOptimizer",
           "enable_mixed_precision_graph_rewrite", "disable_mixed_precision_graph_rewrite"]


def _tf():
    import numflow
    return numflow


class LossScale:
    """`tf.train.experimental.LossScale`: the base class; `loss_scale()` (calling the object) is the
    current scale, `update(grads)` returns (update op, should_apply_gradients)."""

    def __call__(self):
        raise NotImplementedError("LossScale subclasses define __call__")

    def update(self, grads):
        raise NotImplementedError("LossScale subclasses define update")

    def get_config(self):
        raise NotImplementedError("LossScale subclasses define get_config")

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class FixedLossScale(LossScale):
    """`tf.train.experimental.FixedLossScale(loss_scale_value)`: a constant scale; every step applies."""

    def __init__(self, loss_scale_value):
        if not isinstance(loss_scale_value, (int, float)) or isinstance(loss_scale_value, bool):
            raise ValueError("loss_scale_value must be a Python int or float.")
        if loss_scale_value < 1:
            raise ValueError("loss_scale_value must be at least 1.")
        self._value = float(loss_scale_value)

    def __call__(self):
        return convert_to_tensor(self._value, dtype=dtypes.float32)

    def update(self, grads):
        return _tf().no_op(), True

    def get_config(self):
        return {"loss_scale_value": self._value}

    def __repr__(self):
        return "FixedLossScale(%s)" % self._value


def _all_finite(grads):
    tf = _tf()
    checks = [tf.reduce_all(tf.is_finite(g)) for g in grads if g is not None]
    if not checks:
        return tf.constant(True)
    return tf.reduce_all(tf.stack(checks))


class DynamicLossScale(LossScale):
    """`tf.train.experimental.DynamicLossScale(initial_loss_scale=2**15, increment_period=2000,
    multiplier=2.0)`: a scale kept in variables: divided by `multiplier` (not below 1) after a step with
    a non-finite gradient, multiplied by it after `increment_period` finite steps in a row."""

    def __init__(self, initial_loss_scale=2 ** 15, increment_period=2000, multiplier=2.0):
        tf = _tf()
        self._initial_loss_scale = float(initial_loss_scale)
        self._increment_period = int(increment_period)
        self._multiplier = float(multiplier)
        if self._initial_loss_scale < 1:
            raise ValueError("initial_loss_scale must be at least 1, got %s" % initial_loss_scale)
        if self._increment_period < 1 or self._multiplier <= 1:
            raise ValueError("increment_period must be >= 1 and multiplier > 1, got %s and %s"
                             % (increment_period, multiplier))
        with control_dependencies(None):
            self._current_loss_scale = tf.Variable(self._initial_loss_scale, dtype=tf.float32, trainable=False,
                                                   name="current_loss_scale")
            self._num_good_steps = tf.Variable(0, dtype=tf.int64, trainable=False, name="good_steps")

    @property
    def initial_loss_scale(self):
        return self._initial_loss_scale

    @property
    def increment_period(self):
        return self._increment_period

    @property
    def multiplier(self):
        return self._multiplier

    def __call__(self):
        return self._current_loss_scale.read_value() if hasattr(self._current_loss_scale, "read_value") else \
            _tf().identity(self._current_loss_scale)

    def update(self, grads):
        """(op updating the scale and the good-step count, bool tensor: were all grads finite)."""
        tf = _tf()
        grads = [g for g in (grads if isinstance(grads, (list, tuple)) else [grads])]
        with name_scope(None, "update_loss_scale"):
            finite = _all_finite(grads)
            scale, good = self._current_loss_scale, self._num_good_steps

            def grow_or_count():
                def grow():
                    new_scale = scale * self._multiplier
                    # A scale that would overflow to inf stays as it is.
                    kept = tf.where(tf.is_finite(new_scale), new_scale, scale)
                    return tf.group(tf.assign(scale, kept), tf.assign(good, tf.constant(0, tf.int64)))

                def count():
                    return tf.group(tf.assign_add(good, tf.constant(1, tf.int64)))
                return tf.cond(tf.greater_equal(good + 1, self._increment_period), grow, count)

            def shrink():
                return tf.group(tf.assign(scale, tf.maximum(scale / self._multiplier, 1.0)),
                                tf.assign(good, tf.constant(0, tf.int64)))
            update = tf.cond(finite, grow_or_count, shrink)
            return update, finite

    def get_config(self):
        return {"initial_loss_scale": self._initial_loss_scale, "increment_period": self._increment_period,
                "multiplier": self._multiplier}

    def __repr__(self):
        return "DynamicLossScale(initial_loss_scale=%s, increment_period=%s, multiplier=%s)" % (
            self._initial_loss_scale, self._increment_period, self._multiplier)


def _as_loss_scale(loss_scale):
    if isinstance(loss_scale, LossScale):
        return loss_scale
    if loss_scale == "dynamic":
        return DynamicLossScale()
    if isinstance(loss_scale, (int, float)) and not isinstance(loss_scale, bool):
        return FixedLossScale(loss_scale)
    raise ValueError("Invalid value passed to loss_scale. loss_scale must be the string \"dynamic\" (recommended), "
                     "an int, a float, a FixedLossScale, or a DynamicLossScale. Got value: %r" % (loss_scale,))


class MixedPrecisionLossScaleOptimizer(Optimizer):
    """`tf.train.experimental.MixedPrecisionLossScaleOptimizer(opt, loss_scale)`: wraps an Optimizer:
    compute_gradients scales the loss by the loss scale and divides the gradients by it;
    apply_gradients updates the loss scale and applies the gradients only when all are finite."""

    def __init__(self, opt, loss_scale):
        if not isinstance(opt, Optimizer):
            raise ValueError("\"opt\" must be an instance of Optimizer, but got: %s" % type(opt))
        self._optimizer = opt
        self._loss_scale = _as_loss_scale(loss_scale)
        super().__init__(opt._use_locking, opt.get_name())

    @property
    def loss_scale(self):
        return self._loss_scale

    def compute_gradients(self, loss, var_list=None, gate_gradients=Optimizer.GATE_OP, aggregation_method=None,
                          colocate_gradients_with_ops=False, grad_loss=None):
        tf = _tf()
        if callable(loss) and not hasattr(loss, "op"):
            loss = loss()
        loss = convert_to_tensor(loss)
        scale = self._loss_scale()
        scaled_loss = loss * tf.cast(scale, loss.dtype)
        grads_and_vars = self._optimizer.compute_gradients(
            scaled_loss, var_list=var_list, gate_gradients=gate_gradients, aggregation_method=aggregation_method,
            colocate_gradients_with_ops=colocate_gradients_with_ops, grad_loss=grad_loss)
        return [(None if g is None else g / tf.cast(scale, g.dtype), v) for g, v in grads_and_vars]

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        tf = _tf()
        grads_and_vars = list(grads_and_vars)
        update, should_apply = self._loss_scale.update([g for g, _ in grads_and_vars])
        if should_apply is True:
            with control_dependencies([update]):
                return self._optimizer.apply_gradients(grads_and_vars, global_step, name)
        # Non-finite gradients skip the step (and leave global_step as it is), as in TF: the updates are
        # built inside the branch so that they run only when it is taken.
        # The predicate carries the dependency on the scale's update (a control dependency around the
        # branches would make each branch run the update again).
        with control_dependencies([update]):
            should_apply = tf.identity(should_apply)
        return tf.cond(should_apply,
                       lambda: tf.group(self._optimizer.apply_gradients(grads_and_vars, global_step, name)),
                       lambda: tf.no_op())

    def get_slot(self, var, name):
        return self._optimizer.get_slot(var, name)

    def get_slot_names(self):
        return self._optimizer.get_slot_names()

    def variables(self):
        return self._optimizer.variables()


_rewrite_enabled = [False]


def enable_mixed_precision_graph_rewrite(opt, loss_scale="dynamic"):
    """`tf.train.experimental.enable_mixed_precision_graph_rewrite(opt, loss_scale='dynamic')`: returns
    `opt` wrapped in a MixedPrecisionLossScaleOptimizer. TF's automatic float16 rewrite applies to GPU
    ops only, so on numflow's CPU the graph's dtypes stay as written."""
    if isinstance(opt, MixedPrecisionLossScaleOptimizer):
        raise ValueError("\"opt\" must not already be an instance of a MixedPrecisionLossScaleOptimizer. "
                         "enable_mixed_precision_graph_rewrite will wrap it automatically.")
    _rewrite_enabled[0] = True
    return MixedPrecisionLossScaleOptimizer(opt, loss_scale)


def disable_mixed_precision_graph_rewrite():
    """`tf.train.experimental.disable_mixed_precision_graph_rewrite()`: undoes the enable call's flag
    (optimizers already wrapped stay wrapped, as in TF)."""
    _rewrite_enabled[0] = False
