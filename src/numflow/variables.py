"""`tf.Variable` and the functions that list and initialize variables."""
import numpy as np

from .framework import dtypes
from .framework.graph import (GraphKeys, Tensor, control_dependencies, convert_to_tensor, get_default_graph,
                              name_scope, register_tensor_conversion_function)
from .framework.tensor_shape import as_shape
from .framework.variable_creator import VariableMeta
from .ops import state
from .ops.common import make_tensor

__all__ = ["Variable", "global_variables", "all_variables", "trainable_variables", "local_variables",
           "model_variables", "moving_average_variables", "global_variables_initializer",
           "initialize_all_variables", "local_variables_initializer", "initialize_local_variables",
           "variables_initializer", "initialize_variables", "report_uninitialized_variables",
           "assert_variables_initialized"]


class Variable(metaclass=VariableMeta):
    """`tf.Variable(initial_value, trainable=True, collections=None, validate_shape=True, name=None,
    dtype=None)`: state that persists across `Session.run` calls, initialized by `initializer`."""

    _through_variable_creators = True     # tf.variable_creator_scope intercepts tf.Variable(...)

    __array_priority__ = 100

    def __init__(self, initial_value=None, trainable=True, collections=None, validate_shape=True,
                 caching_device=None, name=None, variable_def=None, dtype=None, expected_shape=None,
                 import_scope=None, constraint=None, use_resource=None, synchronization=None,
                 aggregation=None, shape=None):
        if initial_value is None:
            raise ValueError("initial_value must be specified.")
        if collections is None:
            collections = [GraphKeys.GLOBAL_VARIABLES]
        collections = list(collections)
        if trainable and GraphKeys.TRAINABLE_VARIABLES not in collections:
            collections.append(GraphKeys.TRAINABLE_VARIABLES)
        self._trainable = trainable
        self._constraint = constraint
        self._save_slice_info = None
        with control_dependencies(None), name_scope(name, "Variable") as scope:
            with name_scope("Initializer"):
                if callable(initial_value):
                    initial_value = initial_value()
                self._initial_value = convert_to_tensor(initial_value, dtype=dtype, name="initial_value") \
                    if not isinstance(initial_value, Tensor) or dtype is None \
                    else _cast_if_needed(initial_value, dtype)
            static_shape = self._initial_value.shape if validate_shape else as_shape(shape)
            if validate_shape and not static_shape.is_fully_defined():
                raise ValueError("initial_value must have a shape specified: %s" % self._initial_value)
            graph = self._initial_value.graph
            self._ref = graph.create_op("VariableV2", [], {"dtype": self._initial_value.dtype,
                                                           "shape": static_shape}, name=scope).outputs[0]
            self._initializer_op = state.assign(self._ref, self._initial_value, validate_shape=validate_shape,
                                                name="Assign").op
            self._snapshot = self._ref
        for key in collections:
            graph.add_to_collection(key, self)

    # --- identity ------------------------------------------------------------------------------
    @property
    def name(self):
        return self._ref.name

    @property
    def op(self):
        return self._ref.op

    @property
    def dtype(self):
        return self._ref.dtype

    @property
    def shape(self):
        return self._ref.shape

    def get_shape(self):
        return self._ref.shape

    def set_shape(self, shape):
        self._ref.set_shape(shape)

    @property
    def graph(self):
        return self._ref.graph

    @property
    def device(self):
        return self._ref.device

    @property
    def trainable(self):
        return self._trainable

    @property
    def constraint(self):
        return self._constraint

    @property
    def initializer(self):
        return self._initializer_op

    @property
    def initial_value(self):
        return self._initial_value

    def _as_graph_element(self):
        return self._ref

    def _as_tensor(self):
        return self._ref

    # --- values --------------------------------------------------------------------------------
    def value(self):
        return self._snapshot

    def read_value(self):
        return make_tensor("Identity", [self._ref], name="read")

    def eval(self, session=None):
        return self._ref.eval(session=session)

    def initialized_value(self):
        """This variable's value, initializing it first if needed (for initial values of others)."""
        from .ops.control import cond
        with control_dependencies(None):
            return cond(is_variable_initialized(self), self.read_value, lambda: self.initial_value)

    def load(self, value, session=None):
        """Assigns `value` (a NumPy value) in `session` without adding ops per call."""
        from .client.session import get_default_session
        session = session or get_default_session()
        if session is None:
            raise ValueError("Either session argument should be provided or default session should be "
                             "established")
        cell = session._state.variable_cell(self._ref.op)
        cell.assign_host_value(np.array(value, dtype=self.dtype.np))

    # --- writes --------------------------------------------------------------------------------
    def assign(self, value, use_locking=False, name=None, read_value=True):
        return state.assign(self._ref, value, name=name)

    def assign_add(self, delta, use_locking=False, name=None, read_value=True):
        return state.assign_add(self._ref, delta, name=name)

    def assign_sub(self, delta, use_locking=False, name=None, read_value=True):
        return state.assign_sub(self._ref, delta, name=name)

    def count_up_to(self, limit):
        raise NotImplementedError("count_up_to is not supported by numflow")

    def to_proto(self, export_scope=None):
        return None

    def __repr__(self):
        return "<tf.Variable '%s' shape=%s dtype=%s_ref>" % (self.name, self.shape, self.dtype.name)

    def __hash__(self):
        return id(self)

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return self is not other

    def __bool__(self):
        return self._ref.__bool__()

    def __iter__(self):
        return self._ref.__iter__()


def _cast_if_needed(tensor, dtype):
    dtype = dtypes.as_dtype(dtype)
    if tensor.dtype is dtype:
        return tensor
    from .ops.math import cast
    return cast(tensor, dtype)


def _delegate(operator):
    def method(self, *args):
        return getattr(Tensor, operator)(self._ref, *args)
    method.__name__ = operator
    return method


for _operator in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__",
                  "__rtruediv__", "__div__", "__rdiv__", "__floordiv__", "__rfloordiv__", "__mod__",
                  "__rmod__", "__pow__", "__rpow__", "__matmul__", "__rmatmul__", "__neg__", "__abs__",
                  "__lt__", "__le__", "__gt__", "__ge__", "__and__", "__rand__", "__or__", "__ror__",
                  "__xor__", "__rxor__", "__invert__", "__getitem__"):
    setattr(Variable, _operator, _delegate(_operator))


def _variable_to_tensor(variable, dtype=None, name=None):
    if dtype is not None and dtypes.as_dtype(dtype) is not variable.dtype:
        raise ValueError("Incompatible type conversion requested to type '%s' for variable of type '%s'"
                         % (dtypes.as_dtype(dtype).name, variable.dtype.name))
    return variable._ref


register_tensor_conversion_function(Variable, _variable_to_tensor)


# --- collections of variables --------------------------------------------------------------------
def global_variables(scope=None):
    """All variables in the GLOBAL_VARIABLES collection (optionally filtered by name `scope`)."""
    return get_default_graph().get_collection(GraphKeys.GLOBAL_VARIABLES, scope)


def all_variables():
    return global_variables()


def trainable_variables(scope=None):
    """The variables created with trainable=True."""
    return get_default_graph().get_collection(GraphKeys.TRAINABLE_VARIABLES, scope)


def local_variables(scope=None):
    return get_default_graph().get_collection(GraphKeys.LOCAL_VARIABLES, scope)


def model_variables(scope=None):
    return get_default_graph().get_collection(GraphKeys.MODEL_VARIABLES, scope)


def moving_average_variables(scope=None):
    return get_default_graph().get_collection(GraphKeys.MOVING_AVERAGE_VARIABLES, scope)


def variables_initializer(var_list, name="init"):
    """An op that runs the initializers of `var_list` (a no-op when the list is empty)."""
    from .ops.control import group, no_op
    if var_list:
        return group(*[v.initializer for v in var_list], name=name)
    return no_op(name=name)


def initialize_variables(var_list, name="init"):
    return variables_initializer(var_list, name)


def global_variables_initializer():
    """`tf.global_variables_initializer()`: initializes every global variable."""
    return variables_initializer(global_variables())


def initialize_all_variables():
    return global_variables_initializer()


def local_variables_initializer():
    return variables_initializer(local_variables(), name="init")


def initialize_local_variables():
    return local_variables_initializer()


def is_variable_initialized(variable):
    return state.is_variable_initialized(variable)


def report_uninitialized_variables(var_list=None, name="report_uninitialized_variables"):
    """A 1-D string tensor naming the variables not yet initialized in the running Session."""
    from .ops.array import boolean_mask, stack
    from .ops.constant import constant
    from .ops.math import logical_not
    if var_list is None:
        var_list = global_variables() + local_variables()
    with name_scope(name):
        if not var_list:
            return constant(np.array([], dtype=object), dtype=dtypes.string)
        initialized = stack([state.is_variable_initialized(v) for v in var_list])
        names = constant(np.array([v.op.name.encode() for v in var_list], dtype=object), dtype=dtypes.string)
        return boolean_mask(names, logical_not(initialized))


def assert_variables_initialized(var_list=None):
    from .ops.control import no_op
    return no_op()
