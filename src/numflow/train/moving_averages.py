"""`tf.train.ExponentialMovingAverage`: shadow variables that track moving averages of variables (or
tensors), with TF1's names ('v/ExponentialMovingAverage') so that checkpoints and `variables_to_restore`
line up with TF programs."""
from ..framework import dtypes
from ..framework.graph import GraphKeys, Tensor, add_to_collection, control_dependencies, convert_to_tensor, \
    name_scope

__all__ = ["ExponentialMovingAverage"]

_FLOAT_DTYPES = (dtypes.float16, dtypes.float32, dtypes.float64)


def _is_variable(value):
    from ..variables import Variable
    return isinstance(value, Variable)


def _shadow_variable(primary, initial_value, name, dtype, validate_shape=None):
    """A non-trainable global Variable named '<primary op name>/<name>' at the root name scope."""
    from ..variables import Variable
    graph = primary.graph
    if validate_shape is None:
        validate_shape = primary.shape.is_fully_defined()
    with graph.as_default(), graph.name_scope(""), control_dependencies(None):
        return Variable(initial_value, trainable=False, name=primary.op.name + "/" + name, dtype=dtype,
                        validate_shape=validate_shape)


class ExponentialMovingAverage:
    """`tf.train.ExponentialMovingAverage(decay, num_updates=None, zero_debias=False,
    name='ExponentialMovingAverage')`.

    `apply(var_list)` creates for each variable a shadow variable 'var/<name>' (non-trainable, initialized
    to the variable's value) and returns an op that updates every shadow:
    shadow -= (1 - decay) * (shadow - var). With `num_updates` the decay is
    min(decay, (1 + num_updates) / (10 + num_updates)). Tensors (not variables) get zero-initialized
    shadows, which `zero_debias` corrects for startup bias as in TF."""

    def __init__(self, decay, num_updates=None, zero_debias=False, name="ExponentialMovingAverage"):
        self._decay = decay
        self._num_updates = num_updates
        self._zero_debias = zero_debias
        self._name = name
        self._averages = {}

    @property
    def name(self):
        return self._name

    def apply(self, var_list=None):
        """Creates the shadow variables of `var_list` (the trainable variables by default) and returns the
        op that updates them all. TypeError for a non-float variable, ValueError for one already
        averaged."""
        from ..variables import trainable_variables
        if var_list is None:
            var_list = trainable_variables()
        var_list = list(var_list)
        zero_debiased = set()
        for var in var_list:
            if var.dtype.base_dtype not in _FLOAT_DTYPES:
                raise TypeError("The variables must be half, float, or double: %s" % var.name)
            if var in self._averages:
                raise ValueError("Moving average already computed for: %s" % var.name)
            if _is_variable(var):
                avg = _shadow_variable(var, var.initialized_value, self._name, var.dtype)
            else:
                tensor = convert_to_tensor(var)
                from ..ops.array import zeros, zeros_like
                if tensor.shape.is_fully_defined():
                    initial = lambda t=tensor: zeros(t.shape.as_list(), dtype=t.dtype)  # noqa: E731
                else:
                    initial = lambda t=tensor: zeros_like(t)  # noqa: E731
                avg = _shadow_variable(tensor, initial, self._name, tensor.dtype)
                if self._zero_debias:
                    zero_debiased.add(avg)
            self._averages[var] = avg
            add_to_collection(GraphKeys.MOVING_AVERAGE_VARIABLES, var)
        from ..ops.control import group
        from ..ops.math import cast, minimum
        with name_scope(self._name) as scope:
            decay = convert_to_tensor(self._decay, dtype=dtypes.float32, name="decay") \
                if not isinstance(self._decay, Tensor) else cast(self._decay, dtypes.float32)
            if self._num_updates is not None:
                num_updates = cast(convert_to_tensor(self._num_updates), dtypes.float32, name="num_updates")
                decay = minimum(decay, (1.0 + num_updates) / (10.0 + num_updates))
            updates = [self._update(self._averages[var], var, decay, self._averages[var] in zero_debiased)
                       for var in var_list]
            return group(*updates, name=scope)

    def _update(self, average, value, decay, zero_debias):
        from ..ops.math import cast
        with name_scope(None, "AssignMovingAvg", [average, value, decay]):
            decay = decay if decay.dtype is average.dtype.base_dtype else cast(decay, average.dtype.base_dtype)
            value = convert_to_tensor(value)
            if zero_debias:
                return self._zero_debias_update(average, value, decay)
            return average.assign_sub((average - value) * (1.0 - decay))

    def _zero_debias_update(self, average, value, decay):
        """TF's zero-debiasing: a biased average plus a step count; the shadow gets biased / (1 - decay^t)."""
        from ..ops.array import zeros, zeros_like
        from ..ops.math import pow as _pow
        shape = average.shape
        with name_scope(None, average.op.name.split("/")[-1] + "_debias"):
            biased = _shadow_variable(
                average,
                (lambda: zeros(shape.as_list(), dtype=average.dtype)) if shape.is_fully_defined() else
                (lambda: zeros_like(value)), "biased", average.dtype)
            local_step = _shadow_variable(average, lambda: zeros([], dtype=average.dtype), "local_step",
                                          average.dtype, validate_shape=True)
            new_biased = biased.assign_sub((biased - value) * (1.0 - decay))
            step = local_step.assign_add(1.0)
            unbiased = new_biased / (1.0 - _pow(decay, step))
            return average.assign(unbiased)

    def average(self, var):
        """The shadow variable of `var`, or None if it has none."""
        return self._averages.get(var)

    def average_name(self, var):
        """The name of `var`'s shadow variable ('<var op name>/<name>'), for checkpoints."""
        if var in self._averages:
            return self._averages[var].op.name
        return var.op.name + "/" + self._name

    def variables_to_restore(self, moving_avg_variables=None):
        """A {checkpoint name: variable} map that restores each averaged variable from its moving
        average, and every other global variable from its own name."""
        from ..variables import global_variables, moving_average_variables, trainable_variables
        if moving_avg_variables is None:
            moving_avg_variables = list(trainable_variables()) + list(moving_average_variables())
        unique = []
        for v in moving_avg_variables:
            if v not in unique:
                unique.append(v)
        name_map = {}
        for v in unique:
            name_map[self.average_name(v)] = v
        averaged_names = {v.name for v in unique}
        for v in global_variables():
            if v.name not in averaged_names and v.op.name not in name_map:
                name_map[v.op.name] = v
        return name_map

