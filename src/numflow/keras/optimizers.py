"""`tf.keras.optimizers` as TF 1.15 ships them: the OptimizerV2 classes (SGD, RMSprop, Adagrad, Adadelta,
Adam, Adamax, Nadam, Ftrl) in graph mode, plus `TFOptimizer` wrapping a `tf.train.Optimizer`.

An optimizer keeps its hyperparameters (`learning_rate` -- alias `lr` --, `decay`, `beta_1`, ...) as
scalar float32 variables 'Adam/learning_rate:0' created on first use, so callbacks can change them
between steps (`K.set_value(opt.lr, 0.01)`); `iterations` ('Adam/iter:0', int64) counts applied steps and
a positive `decay` divides the learning rate by (1 + decay * iterations); a `learning_rate` given as a
`schedules.LearningRateSchedule` is evaluated at `iterations` every step. Slot variables are named
'<optimizer>/<variable name>/<slot>' ('Adam/dense/kernel/m:0'); `weights` (and `get_weights`) lists
`iterations` then the slots, the order Keras saves them in. After each variable's update, the variable's
`constraint` (if any) is applied. `get_updates(loss, params)` returns the update ops `fit` runs;
`minimize(loss, var_list)` and `apply_gradients(grads_and_vars)` return one op that applies the updates
then increments `iterations`.

Update rules match TF 1.15 (Keras' epsilon 1e-7 defaults): Adam applies epsilon to the uncorrected
sqrt(v) (the fused ApplyAdam op, as tf.train.AdamOptimizer); RMSprop without momentum adds epsilon
after the square root, with momentum inside it (ApplyRMSProp); Adagrad adds epsilon after the root.
"""
import types

import numpy as np

import numflow as tf

from ..framework import dtypes
from ..framework.graph import Tensor, control_dependencies, name_scope
from ..ops import training as training_ops
from ..ops import training_extra
from . import backend
from .utils.generic_utils import deserialize_keras_object, serialize_keras_object

__all__ = ["Optimizer", "OptimizerV2", "SGD", "RMSprop", "Adagrad", "Adadelta", "Adam", "Adamax", "Nadam", "Ftrl",
           "TFOptimizer", "schedules", "get", "serialize", "deserialize"]

_ALLOWED_KWARGS = {"clipnorm", "clipvalue", "lr", "decay"}


def _is_variable(value):
    from ..variables import Variable
    return isinstance(value, Variable)


class LearningRateSchedule:
    """`tf.keras.optimizers.schedules.LearningRateSchedule`: a learning rate that is a function of the
    step. An optimizer given one as `learning_rate` calls it with its `iterations` at every step."""

    def __call__(self, step):
        raise NotImplementedError("Learning rate schedule must override __call__")

    def get_config(self):
        raise NotImplementedError("Learning rate schedule must override get_config")

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class ExponentialDecay(LearningRateSchedule):
    """`ExponentialDecay(initial_learning_rate, decay_steps, decay_rate, staircase=False, name=None)`:
    initial_learning_rate * decay_rate ^ (step / decay_steps), the exponent floored with `staircase`."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name=None):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step):
        return tf.train.exponential_decay(self.initial_learning_rate, step, self.decay_steps, self.decay_rate,
                                          staircase=self.staircase, name=self.name)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class InverseTimeDecay(LearningRateSchedule):
    """`InverseTimeDecay(initial_learning_rate, decay_steps, decay_rate, staircase=False, name=None)`:
    initial_learning_rate / (1 + decay_rate * step / decay_steps)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name=None):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step):
        return tf.train.inverse_time_decay(self.initial_learning_rate, step, self.decay_steps, self.decay_rate,
                                           staircase=self.staircase, name=self.name)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """`PolynomialDecay(initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0,
    cycle=False, name=None)`: from the initial to the end rate along (1 - step / decay_steps) ^ power."""

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0, cycle=False,
                 name=None):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name

    def __call__(self, step):
        return tf.train.polynomial_decay(self.initial_learning_rate, step, self.decay_steps,
                                         end_learning_rate=self.end_learning_rate, power=self.power,
                                         cycle=self.cycle, name=self.name)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "end_learning_rate": self.end_learning_rate, "power": self.power, "cycle": self.cycle,
                "name": self.name}


class PiecewiseConstantDecay(LearningRateSchedule):
    """`PiecewiseConstantDecay(boundaries, values, name=None)`: values[i] while
    boundaries[i - 1] < step <= boundaries[i]."""

    def __init__(self, boundaries, values, name=None):
        if len(boundaries) != len(values) - 1:
            raise ValueError("The length of boundaries should be 1 less than the length of values")
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        step = tf.convert_to_tensor(step)
        # Boundaries follow the step's dtype (the optimizer passes a float step).
        boundaries = [tf.cast(b, step.dtype) for b in self.boundaries]
        return tf.train.piecewise_constant(step, boundaries, self.values, name=self.name)

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


_SCHEDULES = {"ExponentialDecay": ExponentialDecay, "InverseTimeDecay": InverseTimeDecay,
              "PolynomialDecay": PolynomialDecay, "PiecewiseConstantDecay": PiecewiseConstantDecay}


def serialize_schedule(schedule):
    """`{'class_name', 'config'}` of a learning-rate schedule."""
    return serialize_keras_object(schedule)


def deserialize_schedule(config, custom_objects=None):
    """The learning-rate schedule a `serialize` dict describes."""
    return deserialize_keras_object(config, module_objects=_SCHEDULES, custom_objects=custom_objects,
                                    printable_module_name="decay")


schedules = types.SimpleNamespace(
    LearningRateSchedule=LearningRateSchedule, ExponentialDecay=ExponentialDecay, InverseTimeDecay=InverseTimeDecay,
    PolynomialDecay=PolynomialDecay, PiecewiseConstantDecay=PiecewiseConstantDecay, serialize=serialize_schedule,
    deserialize=deserialize_schedule)


class OptimizerV2:
    """`tf.keras.optimizers.Optimizer(name, **kwargs)`: the base class of Keras optimizers.

    Keyword arguments every optimizer accepts: `clipnorm` (clip each gradient to this L2 norm),
    `clipvalue` (clip each gradient elementwise to [-clipvalue, clipvalue]), `lr` (the old name of
    `learning_rate`), `decay` (learning-rate decay per iteration). Subclasses set their hyperparameters
    with `_set_hyper`, create slots in `_create_slots(var_list)` with `add_slot`, and build each
    variable's update in `_resource_apply_dense(grad, var)`.
    """

    def __init__(self, name, **kwargs):
        for key in kwargs:
            if key not in _ALLOWED_KWARGS:
                raise TypeError("Unexpected keyword argument passed to optimizer: " + str(key))
            if kwargs[key] < 0:
                raise ValueError("Expected {} >= 0, received: {}".format(key, kwargs[key]))
        self._use_locking = True
        self._name = name
        self._hyper = {}
        self._slots = {}          # variable name -> {slot name: slot variable}
        self._slot_names = []
        self._weights = []
        self._iterations = None
        self._hypers_created = False
        decay = kwargs.pop("decay", 0.0)
        if decay < 0.:
            raise ValueError("decay cannot be less than 0: {}".format(decay))
        self._initial_decay = decay
        if "clipnorm" in kwargs:
            self.clipnorm = kwargs.pop("clipnorm")
        if "clipvalue" in kwargs:
            self.clipvalue = kwargs.pop("clipvalue")

    # --- hyperparameters ----------------------------------------------------------------------
    def _set_hyper(self, name, value):
        """Sets hyperparameter `name`: before its variable exists, the Python value it will start from;
        after, a new value of the variable (a tensor or callable replaces it)."""
        current = self._hyper.get(name)
        if name in self._hyper and _is_variable(current) and not (callable(value) or isinstance(value, Tensor)):
            backend.set_value(current, value)
        else:
            self._hyper[name] = value

    def _get_hyper(self, name, dtype=None):
        if not self._hypers_created:
            self._create_hypers()
        value = self._hyper[name]
        if isinstance(value, LearningRateSchedule):
            return value
        if callable(value) and not _is_variable(value):
            value = value()
        if dtype is not None:
            return tf.cast(value, dtype)
        return value

    def _create_hypers(self):
        if self._hypers_created:
            return
        with control_dependencies(None), name_scope(self._name + "/"):
            for name, value in sorted(self._hyper.items()):
                if isinstance(value, Tensor) or callable(value):
                    continue
                self._hyper[name] = tf.Variable(np.asarray(value, dtype=backend.floatx()), name=name,
                                                trainable=False, dtype=backend.floatx())
        self._hypers_created = True

    def _serialize_hyperparameter(self, name):
        value = self._hyper[name]
        if isinstance(value, LearningRateSchedule):
            return serialize_schedule(value)
        if callable(value) and not _is_variable(value):
            return value()
        if _is_variable(value) or isinstance(value, Tensor):
            return backend.get_value(value)
        return value

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if name == "lr":
            name = "learning_rate"
        hyper = self.__dict__.get("_hyper", {})
        if name in hyper:
            return self._get_hyper(name)
        raise AttributeError("'%s' object has no attribute '%s'" % (type(self).__name__, name))

    def __setattr__(self, name, value):
        if name == "lr":
            name = "learning_rate"
        if "_hyper" in self.__dict__ and name in self._hyper:
            self._set_hyper(name, value)
        else:
            object.__setattr__(self, name, value)

    def _decayed_lr(self, dtype):
        """The learning rate of this step: learning_rate / (1 + decay * iterations) with a decay."""
        learning_rate = self._get_hyper("learning_rate", dtype)
        if isinstance(learning_rate, LearningRateSchedule):
            learning_rate = tf.cast(learning_rate(tf.cast(self.iterations, dtype)), dtype)
        if self._initial_decay > 0.:
            step = tf.cast(self.iterations, dtype)
            learning_rate = learning_rate / (1. + self._get_hyper("decay", dtype) * step)
        return learning_rate

    # --- variables ----------------------------------------------------------------------------
    @property
    def iterations(self):
        """The int64 variable counting applied steps ('<name>/iter')."""
        if self._iterations is None:
            with control_dependencies(None), name_scope(self._name + "/"):
                self._iterations = tf.Variable(np.int64(0), name="iter", trainable=False, dtype=dtypes.int64)
            self._weights.insert(0, self._iterations)
        return self._iterations

    @iterations.setter
    def iterations(self, variable):
        if self._iterations is not None:
            raise RuntimeError("Cannot set `iterations` to a new Variable after the Optimizer weights have "
                               "been created")
        self._iterations = variable
        self._weights.insert(0, variable)

    def add_slot(self, var, slot_name, initializer="zeros"):
        """The slot `slot_name` of `var` ('<optimizer>/<var>/<slot_name>'), created on first request."""
        slots = self._slots.setdefault(var.op.name, {})
        if slot_name not in self._slot_names:
            self._slot_names.append(slot_name)
        if slot_name not in slots:
            from . import initializers
            init = initializers.get(initializer)
            shape = var.shape.as_list()
            dtype = var.dtype.base_dtype
            with control_dependencies(None), name_scope("%s/%s/" % (self._name, var.op.name)):
                slot = tf.Variable(lambda: init(shape, dtype=dtype), name=slot_name, trainable=False, dtype=dtype)
            slots[slot_name] = slot
            self._weights.append(slot)
        return slots[slot_name]

    def add_weight(self, name, shape, dtype=None, initializer="zeros", trainable=None):
        """A non-slot optimizer variable '<optimizer>/<name>' (Nadam's momentum cache)."""
        from . import initializers
        init = initializers.get(initializer)
        dtype = dtypes.as_dtype(dtype or backend.floatx())
        with control_dependencies(None), name_scope(self._name + "/"):
            variable = tf.Variable(lambda: init(list(shape), dtype=dtype), name=name, trainable=bool(trainable),
                                   dtype=dtype)
        self._weights.append(variable)
        return variable

    def get_slot(self, var, slot_name):
        """The slot variable `slot_name` of `var`; KeyError naming the slots it has."""
        slots = self._slots.get(var.op.name, {})
        if slot_name not in slots:
            raise KeyError("Slot %r not found for variable %s; slots: %s" % (slot_name, var.name, sorted(slots)))
        return slots[slot_name]

    def get_slot_names(self):
        """The names of the slots this optimizer has created ('m', 'v', ...)."""
        return list(self._slot_names)

    @property
    def weights(self):
        """`iterations` and the slot variables, in creation order."""
        return list(self._weights)

    def variables(self):
        """The optimizer's variables (as `weights`)."""
        return list(self._weights)

    def get_weights(self):
        """The values of `weights` as NumPy arrays."""
        return backend.batch_get_value(self._weights)

    def set_weights(self, weights):
        """Sets `weights` from NumPy arrays of the same count and shapes."""
        params = self._weights
        if len(params) != len(weights):
            raise ValueError("You called `set_weights(weights)` on optimizer " + self._name + " with a  weight "
                             "list of length " + str(len(weights)) + ", but the optimizer was expecting " +
                             str(len(params)) + " weights. Provided weights: " + str(weights)[:50] + "...")
        pairs = []
        for param, value in zip(params, weights):
            value = np.asarray(value)
            if tuple(param.shape.as_list()) != value.shape:
                raise ValueError("Optimizer weight shape " + str(tuple(param.shape.as_list())) +
                                 " not compatible with provided weight shape " + str(value.shape))
            pairs.append((param, value))
        backend.batch_set_value(pairs)

    # --- gradients and updates ----------------------------------------------------------------
    def _clip(self, grads):
        if hasattr(self, "clipnorm"):
            grads = [None if g is None else tf.clip_by_norm(g, self.clipnorm) for g in grads]
        if hasattr(self, "clipvalue"):
            grads = [None if g is None else tf.clip_by_value(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    def get_gradients(self, loss, params):
        """d loss / d params, clipped by `clipnorm` / `clipvalue`. ValueError names a parameter without
        a gradient."""
        params = list(params)
        with name_scope(self._name + "/gradients"):
            grads = tf.gradients(loss, params)
            for grad, param in zip(grads, params):
                if grad is None:
                    raise ValueError("Variable {} has `None` for gradient. Please make sure that all of your ops "
                                     "have a gradient defined (i.e. are differentiable). Common ops without "
                                     "gradient: K.argmax, K.round, K.eval.".format(param))
            return self._clip(grads)

    def get_updates(self, loss, params):
        """The update ops of one training step on `params` (what Keras' `fit` runs)."""
        grads = self.get_gradients(loss, params)
        return [self.apply_gradients(list(zip(grads, params)))]

    def _compute_gradients(self, loss, var_list, grad_loss=None):
        if callable(loss) and not isinstance(loss, Tensor):
            loss = loss()
        if callable(var_list):
            var_list = var_list()
        var_list = list(var_list)
        grads = tf.gradients(loss, var_list, grad_ys=grad_loss)
        return list(zip(self._clip(grads), var_list))

    def minimize(self, loss, var_list, grad_loss=None, name=None):
        """compute the gradients of `loss` (a tensor or a callable) for `var_list` and apply them."""
        return self.apply_gradients(self._compute_gradients(loss, var_list, grad_loss), name=name)

    def apply_gradients(self, grads_and_vars, name=None):
        """Applies [(gradient, variable)] (variables without a gradient are skipped), then the
        variables' constraints, then increments `iterations`; returns that op."""
        grads_and_vars = [(g, v) for g, v in grads_and_vars]
        filtered = [(g, v) for g, v in grads_and_vars if g is not None]
        if not filtered:
            raise ValueError("No gradients provided for any variable: %s." % ([v.name for _, v in grads_and_vars],))
        graph = filtered[0][1].graph
        with graph.as_default():
            var_list = [v for _, v in filtered]
            iterations = self.iterations
            self._create_hypers()
            self._create_slots(var_list)
            update_ops = []
            with name_scope(name or self._name):
                self._prepare(var_list)
                for grad, var in filtered:
                    grad = tf.convert_to_tensor(grad)
                    with name_scope("update_" + var.op.name.replace("/", "_")):
                        update = self._resource_apply_dense(grad, var)
                        if getattr(var, "constraint", None) is not None:
                            with control_dependencies([update]):
                                update = tf.assign(var, var.constraint(var))
                        update_ops.append(update)
                finish = self._finish(update_ops)
                with control_dependencies(update_ops + finish):
                    return tf.assign_add(iterations, np.int64(1)).op

    def _create_slots(self, var_list):
        pass

    def _prepare(self, var_list):
        pass

    def _finish(self, update_ops):
        """Ops to run once after every variable's update (before `iterations` moves on)."""
        return []

    def _resource_apply_dense(self, grad, var):
        raise NotImplementedError("Must be implemented in subclasses.")

    # --- configuration ------------------------------------------------------------------------
    def get_config(self):
        config = {"name": self._name}
        if hasattr(self, "clipnorm"):
            config["clipnorm"] = self.clipnorm
        if hasattr(self, "clipvalue"):
            config["clipvalue"] = self.clipvalue
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        if "lr" in config:
            config["learning_rate"] = config.pop("lr")
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = deserialize_schedule(config["learning_rate"], custom_objects=custom_objects)
        return cls(**config)

    def _base_config(self, *hypers):
        config = {"name": self._name, "learning_rate": self._serialize_hyperparameter("learning_rate"),
                  "decay": self._serialize_hyperparameter("decay")}
        config.update({h: self._serialize_hyperparameter(h) for h in hypers})
        base = OptimizerV2.get_config(self)
        base.update(config)
        return base


Optimizer = OptimizerV2


def _step(optimizer, dtype):
    """The 1-based number of the step being applied, as `dtype`."""
    return tf.cast(optimizer.iterations + 1, dtype)


class SGD(OptimizerV2):
    """`SGD(learning_rate=0.01, momentum=0.0, nesterov=False, name='SGD', **kwargs)`.

    Without momentum: var -= lr * grad. With momentum: velocity = momentum * velocity - lr * grad;
    var += velocity (Nesterov: var += momentum * velocity - lr * grad).
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, name="SGD", **kwargs):
        super().__init__(name, **kwargs)
        self._set_hyper("learning_rate", kwargs.get("lr", learning_rate))
        self._set_hyper("decay", self._initial_decay)
        if isinstance(momentum, (int, float)) and (momentum < 0 or momentum > 1):
            raise ValueError("`momentum` must be between [0, 1].")
        self._momentum = callable(momentum) or isinstance(momentum, Tensor) or momentum > 0
        self._set_hyper("momentum", momentum)
        self.nesterov = nesterov

    def _create_slots(self, var_list):
        if self._momentum:
            for var in var_list:
                self.add_slot(var, "momentum")

    def _resource_apply_dense(self, grad, var):
        dtype = var.dtype.base_dtype
        lr = self._decayed_lr(dtype)
        if not self._momentum:
            return training_ops.apply_gradient_descent(var, lr, grad)
        momentum = self._get_hyper("momentum", dtype)
        velocity = self.get_slot(var, "momentum")
        new_velocity = tf.assign(velocity, momentum * velocity - lr * grad)
        if self.nesterov:
            return tf.assign_add(var, momentum * new_velocity - lr * grad)
        return tf.assign_add(var, new_velocity)

    def get_config(self):
        config = self._base_config("momentum")
        config["nesterov"] = self.nesterov
        return config


class RMSprop(OptimizerV2):
    """`RMSprop(learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-07, centered=False,
    name='RMSprop', **kwargs)`.

    rms = rho * rms + (1 - rho) * grad^2 (centered: minus the square of mg, the running mean gradient);
    without momentum var -= lr * grad / (sqrt(rms) + epsilon); with momentum
    mom = momentum * mom + lr * grad / sqrt(rms + epsilon), var -= mom.
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False,
                 name="RMSprop", **kwargs):
        super().__init__(name, **kwargs)
        self._set_hyper("learning_rate", kwargs.get("lr", learning_rate))
        self._set_hyper("decay", self._initial_decay)
        self._set_hyper("rho", rho)
        self._momentum = callable(momentum) or isinstance(momentum, Tensor) or momentum > 0
        if isinstance(momentum, (int, float)) and (momentum < 0 or momentum > 1):
            raise ValueError("`momentum` must be between [0, 1].")
        self._set_hyper("momentum", momentum)
        self.epsilon = epsilon or backend.epsilon()
        self.centered = centered

    def _create_slots(self, var_list):
        for var in var_list:
            self.add_slot(var, "rms")
        if self._momentum:
            for var in var_list:
                self.add_slot(var, "momentum")
        if self.centered:
            for var in var_list:
                self.add_slot(var, "mg")

    def _resource_apply_dense(self, grad, var):
        dtype = var.dtype.base_dtype
        lr = self._decayed_lr(dtype)
        rho = self._get_hyper("rho", dtype)
        epsilon = tf.constant(self.epsilon, dtype=dtype)
        rms = self.get_slot(var, "rms")
        if self._momentum:
            momentum = self._get_hyper("momentum", dtype)
            mom = self.get_slot(var, "momentum")
            if self.centered:
                return training_ops.apply_centered_rms_prop(var, self.get_slot(var, "mg"), rms, mom, lr, rho,
                                                            momentum, epsilon, grad)
            return training_ops.apply_rms_prop(var, rms, mom, lr, rho, momentum, epsilon, grad)
        new_rms = tf.assign(rms, rho * rms + (1. - rho) * tf.square(grad))
        denominator = new_rms
        if self.centered:
            mg = self.get_slot(var, "mg")
            new_mg = tf.assign(mg, rho * mg + (1. - rho) * grad)
            denominator = new_rms - tf.square(new_mg)
        return tf.assign_sub(var, lr * grad / (tf.sqrt(denominator) + epsilon))

    def get_config(self):
        config = self._base_config("rho", "momentum")
        config.update({"epsilon": self.epsilon, "centered": self.centered})
        return config


class Adagrad(OptimizerV2):
    """`Adagrad(learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-07, name='Adagrad',
    **kwargs)`: accumulator += grad^2; var -= lr * grad / (sqrt(accumulator) + epsilon)."""

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, name="Adagrad", **kwargs):
        if initial_accumulator_value < 0.0:
            raise ValueError("initial_accumulator_value must be non-negative: %s" % initial_accumulator_value)
        if epsilon is None:
            epsilon = backend.epsilon()
        super().__init__(name, **kwargs)
        self._set_hyper("learning_rate", kwargs.get("lr", learning_rate))
        self._set_hyper("decay", self._initial_decay)
        self._initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def _create_slots(self, var_list):
        from . import initializers
        for var in var_list:
            self.add_slot(var, "accumulator", initializers.Constant(self._initial_accumulator_value))

    def _resource_apply_dense(self, grad, var):
        dtype = var.dtype.base_dtype
        lr = self._decayed_lr(dtype)
        accumulator = self.get_slot(var, "accumulator")
        new_accumulator = tf.assign_add(accumulator, tf.square(grad))
        return tf.assign_sub(var, lr * grad / (tf.sqrt(new_accumulator) + tf.constant(self.epsilon, dtype=dtype)))

    def get_config(self):
        config = self._base_config()
        config.update({"initial_accumulator_value": self._initial_accumulator_value, "epsilon": self.epsilon})
        return config


class Adadelta(OptimizerV2):
    """`Adadelta(learning_rate=0.001, rho=0.95, epsilon=1e-07, name='Adadelta', **kwargs)`: the fused
    ApplyAdadelta update with slots 'accum_grad' and 'accum_var'."""

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, name="Adadelta", **kwargs):
        super().__init__(name, **kwargs)
        self._set_hyper("learning_rate", kwargs.get("lr", learning_rate))
        self._set_hyper("decay", self._initial_decay)
        self._set_hyper("rho", rho)
        self.epsilon = epsilon or backend.epsilon()

    def _create_slots(self, var_list):
        for var in var_list:
            self.add_slot(var, "accum_grad")
        for var in var_list:
            self.add_slot(var, "accum_var")

    def _resource_apply_dense(self, grad, var):
        dtype = var.dtype.base_dtype
        return training_ops.apply_adadelta(var, self.get_slot(var, "accum_grad"), self.get_slot(var, "accum_var"),
                                           self._decayed_lr(dtype), self._get_hyper("rho", dtype),
                                           tf.constant(self.epsilon, dtype=dtype), grad)

    def get_config(self):
        config = self._base_config("rho")
        config["epsilon"] = self.epsilon
        return config


class Adam(OptimizerV2):
    """`Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07, amsgrad=False, name='Adam',
    **kwargs)`.

    m = beta_1 * m + (1 - beta_1) * grad; v = beta_2 * v + (1 - beta_2) * grad^2;
    var -= lr * sqrt(1 - beta_2^t) / (1 - beta_1^t) * m / (sqrt(v) + epsilon) -- the fused ApplyAdam op.
    With `amsgrad`, sqrt(v) is replaced by sqrt(vhat), vhat the running maximum of v.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, name="Adam",
                 **kwargs):
        super().__init__(name, **kwargs)
        self._set_hyper("learning_rate", kwargs.get("lr", learning_rate))
        self._set_hyper("decay", self._initial_decay)
        self._set_hyper("beta_1", beta_1)
        self._set_hyper("beta_2", beta_2)
        self.epsilon = epsilon or backend.epsilon()
        self.amsgrad = amsgrad

    def _create_slots(self, var_list):
        for var in var_list:
            self.add_slot(var, "m")
        for var in var_list:
            self.add_slot(var, "v")
        if self.amsgrad:
            for var in var_list:
                self.add_slot(var, "vhat")

    def _resource_apply_dense(self, grad, var):
        dtype = var.dtype.base_dtype
        lr = self._decayed_lr(dtype)
        beta_1 = self._get_hyper("beta_1", dtype)
        beta_2 = self._get_hyper("beta_2", dtype)
        step = _step(self, dtype)
        beta_1_power = tf.pow(beta_1, step)
        beta_2_power = tf.pow(beta_2, step)
        epsilon = tf.constant(self.epsilon, dtype=dtype)
        m, v = self.get_slot(var, "m"), self.get_slot(var, "v")
        if not self.amsgrad:
            return training_ops.apply_adam(var, m, v, beta_1_power, beta_2_power, lr, beta_1, beta_2, epsilon, grad)
        new_m = tf.assign(m, beta_1 * m + (1. - beta_1) * grad)
        new_v = tf.assign(v, beta_2 * v + (1. - beta_2) * tf.square(grad))
        vhat = self.get_slot(var, "vhat")
        new_vhat = tf.assign(vhat, tf.maximum(vhat, new_v))
        corrected_lr = lr * tf.sqrt(1. - beta_2_power) / (1. - beta_1_power)
        return tf.assign_sub(var, corrected_lr * new_m / (tf.sqrt(new_vhat) + epsilon))

    def get_config(self):
        config = self._base_config("beta_1", "beta_2")
        config.update({"epsilon": self.epsilon, "amsgrad": self.amsgrad})
        return config


class Adamax(OptimizerV2):
    """`Adamax(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07, name='Adamax', **kwargs)`:
    m = beta_1 * m + (1 - beta_1) * grad; v = max(beta_2 * v, |grad|);
    var -= lr / (1 - beta_1^t) * m / (v + epsilon)."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, name="Adamax", **kwargs):
        super().__init__(name, **kwargs)
        self._set_hyper("learning_rate", kwargs.get("lr", learning_rate))
        self._set_hyper("decay", self._initial_decay)
        self._set_hyper("beta_1", beta_1)
        self._set_hyper("beta_2", beta_2)
        self.epsilon = epsilon or backend.epsilon()

    def _create_slots(self, var_list):
        for var in var_list:
            self.add_slot(var, "m")
        for var in var_list:
            self.add_slot(var, "v")

    def _resource_apply_dense(self, grad, var):
        dtype = var.dtype.base_dtype
        lr = self._decayed_lr(dtype)
        beta_1 = self._get_hyper("beta_1", dtype)
        beta_2 = self._get_hyper("beta_2", dtype)
        beta_1_power = tf.pow(beta_1, _step(self, dtype))
        m, v = self.get_slot(var, "m"), self.get_slot(var, "v")
        new_m = tf.assign(m, beta_1 * m + (1. - beta_1) * grad)
        new_v = tf.assign(v, tf.maximum(beta_2 * v, tf.abs(grad)))
        return tf.assign_sub(var, lr / (1. - beta_1_power) * new_m / (new_v + tf.constant(self.epsilon, dtype=dtype)))

    def get_config(self):
        config = self._base_config("beta_1", "beta_2")
        config["epsilon"] = self.epsilon
        return config


class Nadam(OptimizerV2):
    """`Nadam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07, name='Nadam', **kwargs)`:
    Adam with Nesterov momentum (Dozat, 2015), its momentum warming up by the schedule
    mu_t = beta_1 * (1 - 0.5 * 0.96^(decay * t)); the product of the mu's is the non-slot variable
    'Nadam/momentum_cache'. Here `decay` (default 0.004; `schedule_decay` is its old Keras name) only
    shapes that schedule: the learning rate is not decayed, as in TF 1.15."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, name="Nadam", **kwargs):
        kwargs["decay"] = kwargs.pop("schedule_decay", kwargs.get("decay", 0.004))
        if isinstance(kwargs.get("lr", learning_rate), LearningRateSchedule):
            raise ValueError("The Nadam optimizer does not support tf.keras.optimizers.LearningRateSchedules as the "
                             "learning rate.")
        super().__init__(name, **kwargs)
        self._set_hyper("learning_rate", kwargs.get("lr", learning_rate))
        self._set_hyper("decay", self._initial_decay)
        self._set_hyper("beta_1", beta_1)
        self._set_hyper("beta_2", beta_2)
        self.epsilon = epsilon or backend.epsilon()
        self._m_cache = None

    def _create_slots(self, var_list):
        dtype = var_list[0].dtype.base_dtype
        if self._m_cache is None:
            self._m_cache = self.add_weight("momentum_cache", shape=[], dtype=dtype, initializer="ones")
        for var in var_list:
            self.add_slot(var, "m")
        for var in var_list:
            self.add_slot(var, "v")

    def _momentum_at(self, step, dtype):
        beta_1 = self._get_hyper("beta_1", dtype)
        return beta_1 * (1. - 0.5 * tf.pow(tf.constant(0.96, dtype=dtype), self._initial_decay * step))

    def _prepare(self, var_list):
        dtype = self._m_cache.dtype.base_dtype
        step = _step(self, dtype)
        # Every variable of this step uses the same schedule product; it is read once, before any update.
        self._m_schedule_new = tf.identity(self._m_cache) * self._momentum_at(step, dtype)

    def _finish(self, update_ops):
        with control_dependencies(update_ops):
            return [tf.assign(self._m_cache, self._m_schedule_new).op]

    def _resource_apply_dense(self, grad, var):
        dtype = var.dtype.base_dtype
        lr = self._get_hyper("learning_rate", dtype)
        beta_1 = self._get_hyper("beta_1", dtype)
        beta_2 = self._get_hyper("beta_2", dtype)
        step = _step(self, dtype)
        momentum_t = self._momentum_at(step, dtype)
        momentum_next = self._momentum_at(step + 1., dtype)
        m_schedule_new = tf.cast(self._m_schedule_new, dtype)
        m_schedule_next = m_schedule_new * momentum_next
        m, v = self.get_slot(var, "m"), self.get_slot(var, "v")
        g_prime = grad / (1. - m_schedule_new)
        new_m = tf.assign(m, beta_1 * m + (1. - beta_1) * grad)
        m_prime = new_m / (1. - m_schedule_next)
        new_v = tf.assign(v, beta_2 * v + (1. - beta_2) * tf.square(grad))
        v_prime = new_v / (1. - tf.pow(beta_2, step))
        m_bar = (1. - momentum_t) * g_prime + momentum_next * m_prime
        return tf.assign_sub(var, lr * m_bar / (tf.sqrt(v_prime) + tf.constant(self.epsilon, dtype=dtype)))

    def get_config(self):
        config = self._base_config("beta_1", "beta_2")
        config["epsilon"] = self.epsilon
        return config


class Ftrl(OptimizerV2):
    """`Ftrl(learning_rate=0.001, learning_rate_power=-0.5, initial_accumulator_value=0.1,
    l1_regularization_strength=0.0, l2_regularization_strength=0.0, name='Ftrl',
    l2_shrinkage_regularization_strength=0.0, **kwargs)`: the FTRL-Proximal update (the fused
    ApplyFtrl / ApplyFtrlV2 ops) with slots 'accumulator' and 'linear'."""

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0, name="Ftrl",
                 l2_shrinkage_regularization_strength=0.0, **kwargs):
        super().__init__(name, **kwargs)
        if initial_accumulator_value < 0.0:
            raise ValueError("initial_accumulator_value %f needs to be positive or zero" % initial_accumulator_value)
        if learning_rate_power > 0.0:
            raise ValueError("learning_rate_power %f needs to be negative or zero" % learning_rate_power)
        if l1_regularization_strength < 0.0:
            raise ValueError("l1_regularization_strength %f needs to be positive or zero" % l1_regularization_strength)
        if l2_regularization_strength < 0.0:
            raise ValueError("l2_regularization_strength %f needs to be positive or zero" % l2_regularization_strength)
        if l2_shrinkage_regularization_strength < 0.0:
            raise ValueError("l2_shrinkage_regularization_strength %f needs to be positive or zero"
                             % l2_shrinkage_regularization_strength)
        self._set_hyper("learning_rate", kwargs.get("lr", learning_rate))
        self._set_hyper("decay", self._initial_decay)
        self._set_hyper("learning_rate_power", learning_rate_power)
        self._set_hyper("l1_regularization_strength", l1_regularization_strength)
        self._set_hyper("l2_regularization_strength", l2_regularization_strength)
        self._initial_accumulator_value = initial_accumulator_value
        self._l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength

    def _create_slots(self, var_list):
        from . import initializers
        for var in var_list:
            self.add_slot(var, "accumulator", initializers.Constant(self._initial_accumulator_value))
            self.add_slot(var, "linear")

    def _resource_apply_dense(self, grad, var):
        dtype = var.dtype.base_dtype
        lr = self._decayed_lr(dtype)
        power = self._get_hyper("learning_rate_power", dtype)
        l1 = self._get_hyper("l1_regularization_strength", dtype)
        l2 = self._get_hyper("l2_regularization_strength", dtype)
        accumulator, linear = self.get_slot(var, "accumulator"), self.get_slot(var, "linear")
        if self._l2_shrinkage_regularization_strength <= 0.0:
            return training_extra.apply_ftrl(var, accumulator, linear, grad, lr, l1, l2, power)
        shrinkage = tf.constant(self._l2_shrinkage_regularization_strength, dtype=dtype)
        return training_extra.apply_ftrl_v2(var, accumulator, linear, grad, lr, l1, l2, shrinkage, power)

    def get_config(self):
        config = self._base_config("learning_rate_power", "l1_regularization_strength",
                                   "l2_regularization_strength")
        config.update({"initial_accumulator_value": self._initial_accumulator_value,
                       "l2_shrinkage_regularization_strength": self._l2_shrinkage_regularization_strength})
        return config


class TFOptimizer:
    """A `tf.train.Optimizer` used where Keras expects an optimizer (`model.compile(optimizer=
    tf.train.AdamOptimizer())`): its updates increment `iterations` ('TFOptimizer/iterations') as the
    global step. It has no Keras config or weights of its own."""

    def __init__(self, optimizer, iterations=None):
        self.optimizer = optimizer
        if iterations is None:
            with control_dependencies(None), name_scope("TFOptimizer/"):
                iterations = tf.Variable(np.int64(0), name="iterations", trainable=False, dtype=dtypes.int64)
        self.iterations = iterations

    def get_gradients(self, loss, params):
        """d loss / d params."""
        return tf.gradients(loss, list(params))

    def get_updates(self, loss, params):
        """[the wrapped optimizer's train op], incrementing `iterations`."""
        grads_and_vars = self.optimizer.compute_gradients(loss, list(params))
        return [self.optimizer.apply_gradients(grads_and_vars, global_step=self.iterations)]

    def apply_gradients(self, grads_and_vars, name=None):
        """The wrapped optimizer's apply_gradients, incrementing `iterations`."""
        return self.optimizer.apply_gradients(grads_and_vars, global_step=self.iterations, name=name)

    def minimize(self, loss, var_list=None, grad_loss=None, name=None):
        """The wrapped optimizer's minimize, incrementing `iterations`."""
        return self.optimizer.minimize(loss, global_step=self.iterations, var_list=var_list, grad_loss=grad_loss,
                                       name=name)

    @property
    def weights(self):
        raise NotImplementedError("TFOptimizer does not expose its weights: it wraps a tf.train optimizer.")

    def get_config(self):
        raise NotImplementedError("TFOptimizer cannot be serialized: it wraps a tf.train optimizer.")

    def from_config(self, config):
        raise NotImplementedError("TFOptimizer cannot be deserialized.")


_BY_NAME = {"adadelta": Adadelta, "adagrad": Adagrad, "adam": Adam, "adamax": Adamax, "nadam": Nadam,
            "rmsprop": RMSprop, "sgd": SGD, "ftrl": Ftrl}


def serialize(optimizer):
    """`{'class_name': 'Adam', 'config': {...}}`."""
    return serialize_keras_object(optimizer)


def deserialize(config, custom_objects=None):
    """The optimizer a `serialize` dict describes; class names match case-insensitively ('adam')."""
    if isinstance(config, dict) and str(config.get("class_name", "")).lower() in _BY_NAME:
        config = dict(config, class_name=config["class_name"].lower())
    return deserialize_keras_object(config, module_objects=_BY_NAME, custom_objects=custom_objects,
                                    printable_module_name="optimizer")


def get(identifier):
    """An optimizer from an optimizer, a `tf.train.Optimizer` (wrapped in a `TFOptimizer`), a name
    ('sgd', 'adam', 'rmsprop', ... with default settings) or a config dict."""
    from ..train.optimizer import Optimizer as TrainOptimizer
    if isinstance(identifier, (OptimizerV2, TFOptimizer)):
        return identifier
    if isinstance(identifier, TrainOptimizer):
        return TFOptimizer(identifier)
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return deserialize({"class_name": identifier, "config": {}})
    raise ValueError("Could not interpret optimizer identifier: %s" % (identifier,))
