"""The sparsity-inducing TF1 optimizers: FTRL-Proximal, proximal gradient descent and Adagrad, and Adagrad
dual averaging, each one fused update op per variable (`ops/training_extra.py`)."""
from ..framework import dtypes
from .optimizer import Optimizer, sparse_apply

__all__ = ["FtrlOptimizer", "ProximalGradientDescentOptimizer", "ProximalAdagradOptimizer",
           "AdagradDAOptimizer"]


def _require_non_negative(value, what):
    if value < 0.0:
        raise ValueError("%s %f needs to be positive or zero" % (what, value))


class _RegularizedOptimizer(Optimizer):
    """Holds the learning rate and the l1 / l2 regularization strengths every optimizer here takes."""

    def __init__(self, learning_rate, l1_regularization_strength, l2_regularization_strength, use_locking, name):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._l1 = l1_regularization_strength
        self._l2 = l2_regularization_strength

    def _regularized_hypers(self, dtype):
        """(learning rate, l1, l2) as scalar tensors of `dtype`."""
        return (self._hyper("learning_rate", self._learning_rate, dtype),
                self._hyper("l1_regularization_strength", self._l1, dtype),
                self._hyper("l2_regularization_strength", self._l2, dtype))


class FtrlOptimizer(_RegularizedOptimizer):
    """`tf.train.FtrlOptimizer(learning_rate, learning_rate_power=-0.5, initial_accumulator_value=0.1,
    l1_regularization_strength=0.0, l2_regularization_strength=0.0, use_locking=False, name='Ftrl',
    accum_name=None, linear_name=None, l2_shrinkage_regularization_strength=0.0)`: FTRL-Proximal
    (McMahan et al., "Ad Click Prediction: a View from the Trenches").

    Per weight, with g the gradient and p = -learning_rate_power:
        new_accum = accum + g^2
        linear   += g - (new_accum^p - accum^p) / learning_rate * var
        var       = (sign(linear) * l1 - linear) / (new_accum^p / learning_rate + 2 * l2)  if |linear| > l1
                    else 0
    With l2_shrinkage_regularization_strength > 0 the linear term takes g + 2 * l2_shrinkage * var
    (ApplyFtrlV2). The slots are 'accum' (starting at initial_accumulator_value) and 'linear' (zeros).
    """

    def __init__(self, learning_rate, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0, use_locking=False, name="Ftrl",
                 accum_name=None, linear_name=None, l2_shrinkage_regularization_strength=0.0):
        super().__init__(learning_rate, l1_regularization_strength, l2_regularization_strength, use_locking,
                         name)
        _require_non_negative(initial_accumulator_value, "initial_accumulator_value")
        if learning_rate_power > 0.0:
            raise ValueError("learning_rate_power %f needs to be negative or zero" % learning_rate_power)
        _require_non_negative(l1_regularization_strength, "l1_regularization_strength")
        _require_non_negative(l2_regularization_strength, "l2_regularization_strength")
        _require_non_negative(l2_shrinkage_regularization_strength, "l2_shrinkage_regularization_strength")
        self._learning_rate_power = learning_rate_power
        self._initial_accumulator_value = initial_accumulator_value
        self._l2_shrinkage = l2_shrinkage_regularization_strength
        self._accum_name = accum_name
        self._linear_name = linear_name

    def _create_slots(self, var_list):
        for v in var_list:
            self._filled_slot(v, self._initial_accumulator_value, "accum", self._accum_name or self._name)
            self._zeros_slot(v, "linear", self._linear_name or self._name)

    def _apply_dense(self, grad, var):
        from ..ops.training_extra import apply_ftrl, apply_ftrl_v2
        dtype = var.dtype
        lr, l1, l2 = self._regularized_hypers(dtype)
        power = self._hyper("learning_rate_power", self._learning_rate_power, dtype)
        slots = (var, self.get_slot(var, "accum"), self.get_slot(var, "linear"))
        if self._l2_shrinkage <= 0.0:
            return apply_ftrl(*slots, grad, lr, l1, l2, power, use_locking=self._use_locking)
        shrinkage = self._hyper("l2_shrinkage_regularization_strength", self._l2_shrinkage, dtype)
        return apply_ftrl_v2(*slots, grad, lr, l1, l2, shrinkage, power, use_locking=self._use_locking)

    def _apply_sparse(self, grad, var):
        dtype = var.dtype
        lr, l1, l2 = self._regularized_hypers(dtype)
        power = self._hyper("learning_rate_power", self._learning_rate_power, dtype)
        slots = [var, self.get_slot(var, "accum"), self.get_slot(var, "linear")]
        if self._l2_shrinkage <= 0.0:
            return sparse_apply("SparseApplyFtrl", slots, [grad.values, grad.indices, lr, l1, l2, power])
        shrinkage = self._hyper("l2_shrinkage_regularization_strength", self._l2_shrinkage, dtype)
        return sparse_apply("SparseApplyFtrlV2", slots, [grad.values, grad.indices, lr, l1, l2, shrinkage, power])


class ProximalGradientDescentOptimizer(_RegularizedOptimizer):
    """`tf.train.ProximalGradientDescentOptimizer(learning_rate, l1_regularization_strength=0.0,
    l2_regularization_strength=0.0, use_locking=False, name='ProximalGradientDescent')`:

    prox_v = var - learning_rate * grad;
    var = sign(prox_v) * max(|prox_v| - learning_rate * l1, 0) / (1 + learning_rate * l2).
    """

    def __init__(self, learning_rate, l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 use_locking=False, name="ProximalGradientDescent"):
        super().__init__(learning_rate, l1_regularization_strength, l2_regularization_strength, use_locking,
                         name)

    def _apply_dense(self, grad, var):
        from ..ops.training_extra import apply_proximal_gradient_descent
        lr, l1, l2 = self._regularized_hypers(var.dtype)
        return apply_proximal_gradient_descent(var, lr, l1, l2, grad, use_locking=self._use_locking)

    def _apply_sparse(self, grad, var):
        return sparse_apply("SparseApplyProximalGradientDescent", [var],
                            list(self._regularized_hypers(var.dtype)) + [grad.values, grad.indices])


def _require_positive_accumulator(value, what):
    if value <= 0.0:
        raise ValueError("%s must be positive: %s" % (what, value))


class ProximalAdagradOptimizer(_RegularizedOptimizer):
    """`tf.train.ProximalAdagradOptimizer(learning_rate, initial_accumulator_value=0.1,
    l1_regularization_strength=0.0, l2_regularization_strength=0.0, use_locking=False,
    name='ProximalAdagrad')`:

    accumulator += grad^2; lr_t = learning_rate / sqrt(accumulator); prox_v = var - lr_t * grad;
    var = sign(prox_v) * max(|prox_v| - lr_t * l1, 0) / (1 + lr_t * l2). The slot is 'accumulator'.
    """

    def __init__(self, learning_rate, initial_accumulator_value=0.1, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0, use_locking=False, name="ProximalAdagrad"):
        _require_positive_accumulator(initial_accumulator_value, "initial_accumulator_value")
        super().__init__(learning_rate, l1_regularization_strength, l2_regularization_strength, use_locking,
                         name)
        self._initial_accumulator_value = initial_accumulator_value

    def _create_slots(self, var_list):
        for v in var_list:
            self._filled_slot(v, self._initial_accumulator_value, "accumulator", self._name)

    def _apply_dense(self, grad, var):
        from ..ops.training_extra import apply_proximal_adagrad
        lr, l1, l2 = self._regularized_hypers(var.dtype)
        return apply_proximal_adagrad(var, self.get_slot(var, "accumulator"), lr, l1, l2, grad,
                                      use_locking=self._use_locking)

    def _apply_sparse(self, grad, var):
        return sparse_apply("SparseApplyProximalAdagrad", [var, self.get_slot(var, "accumulator")],
                            list(self._regularized_hypers(var.dtype)) + [grad.values, grad.indices])


class AdagradDAOptimizer(_RegularizedOptimizer):
    """`tf.train.AdagradDAOptimizer(learning_rate, global_step, initial_gradient_squared_accumulator_value=0.1,
    l1_regularization_strength=0.0, l2_regularization_strength=0.0, use_locking=False, name='AdagradDA')`:
    Adagrad dual averaging (Duchi et al.), for sparse linear models.

    With g the sum of the gradients so far ('gradient_accumulator'), gg the sum of their squares
    ('gradient_squared_accumulator', starting at initial_gradient_squared_accumulator_value) and t the
    value of `global_step` before this step plus one:
        var = -learning_rate * sign(g) * max(|g| - l1 * t, 0) / (l2 * t * learning_rate + sqrt(gg)).
    `global_step` is required: pass the same variable to `minimize` so that t advances.
    """

    def __init__(self, learning_rate, global_step, initial_gradient_squared_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0, use_locking=False,
                 name="AdagradDA"):
        _require_positive_accumulator(initial_gradient_squared_accumulator_value,
                                      "initial_gradient_squared_accumulator_value")
        super().__init__(learning_rate, l1_regularization_strength, l2_regularization_strength, use_locking,
                         name)
        self._initial_gradient_squared_accumulator_value = initial_gradient_squared_accumulator_value
        self._global_step = global_step
        self._step_count = None

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "gradient_accumulator", self._name)
            self._filled_slot(v, self._initial_gradient_squared_accumulator_value,
                              "gradient_squared_accumulator", self._name)

    def _prepare(self):
        from ..framework.graph import convert_to_tensor
        from ..ops.control import identity
        from ..ops.math import cast
        # Read once per step, before any update increments it: every variable sees the same count.
        step = convert_to_tensor(self._global_step)
        if step.dtype.base_dtype is not dtypes.int64:
            step = cast(step, dtypes.int64)
        self._step_count = identity(step) + 1

    def _apply_dense(self, grad, var):
        from ..ops.training_extra import apply_adagrad_da
        lr, l1, l2 = self._regularized_hypers(var.dtype)
        return apply_adagrad_da(var, self.get_slot(var, "gradient_accumulator"),
                                self.get_slot(var, "gradient_squared_accumulator"), grad, lr, l1, l2,
                                self._step_count, use_locking=self._use_locking)

    def _apply_sparse(self, grad, var):
        lr, l1, l2 = self._regularized_hypers(var.dtype)
        return sparse_apply("SparseApplyAdagradDA", [var, self.get_slot(var, "gradient_accumulator"),
                                                     self.get_slot(var, "gradient_squared_accumulator")],
                            [grad.values, grad.indices, lr, l1, l2, self._step_count])
