"""The optimizers canned estimators take by name, and the FTRL-Proximal optimizer LinearClassifier and
LinearRegressor use by default."""
import inspect

from ...train import optimizer as _optimizer

__all__ = ["FtrlOptimizer", "get_optimizer_instance"]


class FtrlOptimizer(_optimizer.Optimizer):
    """`tf.train.FtrlOptimizer(learning_rate, learning_rate_power=-0.5, initial_accumulator_value=0.1,
    l1_regularization_strength=0.0, l2_regularization_strength=0.0)`: FTRL-Proximal (McMahan et al.).

    Per weight, with g the gradient and p = -learning_rate_power:
        new_accum = accum + g^2
        linear   += g - (new_accum^p - accum^p) / learning_rate * var
        var       = (sign(linear) * l1 - linear) / (new_accum^p / learning_rate + 2 * l2)  if |linear| > l1
                    else 0
    Built from elementwise ops and assignments (numflow has no fused ApplyFtrl kernel)."""

    def __init__(self, learning_rate, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0, use_locking=False, name="Ftrl",
                 accum_name=None, linear_name=None, l2_shrinkage_regularization_strength=0.0):
        super().__init__(use_locking, name)
        if initial_accumulator_value < 0.0:
            raise ValueError("initial_accumulator_value %f needs to be positive or zero" % initial_accumulator_value)
        if learning_rate_power > 0.0:
            raise ValueError("learning_rate_power %f needs to be negative or zero" % learning_rate_power)
        if l1_regularization_strength < 0.0:
            raise ValueError("l1_regularization_strength %f needs to be positive or zero" % l1_regularization_strength)
        if l2_regularization_strength < 0.0:
            raise ValueError("l2_regularization_strength %f needs to be positive or zero" % l2_regularization_strength)
        if l2_shrinkage_regularization_strength:
            raise NotImplementedError("FtrlOptimizer: l2_shrinkage_regularization_strength is not supported by numflow")
        self._learning_rate = learning_rate
        self._learning_rate_power = learning_rate_power
        self._initial_accumulator_value = initial_accumulator_value
        self._l1 = l1_regularization_strength
        self._l2 = l2_regularization_strength
        self._accum_name = accum_name
        self._linear_name = linear_name

    def _create_slots(self, var_list):
        for v in var_list:
            self._filled_slot(v, self._initial_accumulator_value, "accum", self._accum_name or self._name)
            self._zeros_slot(v, "linear", self._linear_name or self._name)

    def _apply_dense(self, grad, var):
        from ...framework.graph import control_dependencies
        from ...ops import math as m
        from ...ops.array import zeros_like
        from ...ops.control import group
        from ...ops.state import assign
        accum, linear = self.get_slot(var, "accum"), self.get_slot(var, "linear")
        lr = self._hyper("learning_rate", self._learning_rate, var.dtype)
        power = -self._learning_rate_power
        accum_value, linear_value, var_value = accum._as_tensor(), linear._as_tensor(), var._as_tensor()
        new_accum = accum_value + grad * grad
        new_linear = linear_value + grad - (m.pow(new_accum, power) - m.pow(accum_value, power)) / lr * var_value
        quadratic = m.pow(new_accum, power) / lr + 2.0 * self._l2
        shrunk = (m.sign(new_linear) * self._l1 - new_linear) / quadratic
        new_var = m.where(m.greater(m.abs(new_linear), self._l1), shrunk, zeros_like(shrunk))
        # Every new value is computed from the old ones before any of them is written.
        with control_dependencies([new_var, new_linear, new_accum]):
            return group(assign(var, new_var, use_locking=self._use_locking),
                         assign(linear, new_linear, use_locking=self._use_locking),
                         assign(accum, new_accum, use_locking=self._use_locking))


_OPTIMIZER_CLASSES = {
    "Adagrad": lambda lr: _optimizer.AdagradOptimizer(learning_rate=lr),
    "Adam": lambda lr: _optimizer.AdamOptimizer(learning_rate=lr),
    "Ftrl": lambda lr: FtrlOptimizer(learning_rate=lr),
    "RMSProp": lambda lr: _optimizer.RMSPropOptimizer(learning_rate=lr),
    "SGD": lambda lr: _optimizer.GradientDescentOptimizer(learning_rate=lr),
}


def get_optimizer_instance(opt, learning_rate=None):
    """An Optimizer from `opt`: a name ('Adagrad', 'Adam', 'Ftrl', 'RMSProp', 'SGD', built with
    `learning_rate`), an Optimizer instance, or a callable returning one."""
    if isinstance(opt, str):
        if opt in _OPTIMIZER_CLASSES:
            if not learning_rate:
                raise ValueError("learning_rate must be specified when opt is string.")
            return _OPTIMIZER_CLASSES[opt](learning_rate)
        raise ValueError("Unsupported optimizer name: %s. Supported names are: %s"
                         % (opt, tuple(sorted(_OPTIMIZER_CLASSES))))
    if callable(opt) and not isinstance(opt, _optimizer.Optimizer) and not inspect.isclass(opt):
        opt = opt()
    if not isinstance(opt, _optimizer.Optimizer):
        raise ValueError("The given object is not an Optimizer instance. Given: %r" % (opt,))
    return opt
