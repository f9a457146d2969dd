"""The optimizers canned estimators take by name (FTRL-Proximal, the default of LinearClassifier and
LinearRegressor, lives in tf.train)."""
import inspect

from ...train import optimizer as _optimizer
from ...train.optimizers_extra import FtrlOptimizer  # noqa: F401  (kept importable from here)

__all__ = ["FtrlOptimizer", "get_optimizer_instance"]


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
