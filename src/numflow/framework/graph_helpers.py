"""Top-level `tf` helpers that build no ops of their own: static values, TensorProtos, scopes that TF1
programs open for placement or v2 interop, enum classes, and the v2-behaviour switches."""
import contextlib
import enum
import functools

import numpy as np

from . import dtypes
from .graph import Tensor, get_default_graph, is_tensor_like, name_scope
from .tensor_shape import Dimension, TensorShape, as_shape

__all__ = ["get_static_value", "make_ndarray", "make_tensor_proto", "is_tensor", "broadcast_static_shape",
           "dimension_value", "dimension_at_index", "init_scope", "container", "colocate_with", "op_scope",
           "get_logger", "VariableAggregation", "VariableSynchronization", "enable_control_flow_v2",
           "disable_control_flow_v2", "control_flow_v2_enabled", "enable_resource_variables",
           "disable_resource_variables", "resource_variables_enabled", "enable_tensor_equality",
           "disable_tensor_equality", "enable_v2_tensorshape", "disable_v2_tensorshape",
           "enable_v2_behavior", "py_function", "tables_initializer", "initialize_all_tables", "make_template",
           "assert_integer", "assert_type", "assert_scalar", "assert_rank_in", "assert_near",
           "assert_same_float_dtype", "assert_proper_iterable"]


def get_static_value(tensor, partial=False):
    """`tf.get_static_value(tensor)`: the NumPy value of `tensor` when it is known while the graph is
    built (a constant, the shape, rank or size of a fully defined shape, an identity of one), else None.
    A NumPy value or Python number is returned as an array."""
    if not isinstance(tensor, Tensor):
        if hasattr(tensor, "_as_tensor"):
            return None   # a variable: its value is known only in a Session
        return np.asarray(tensor)
    op = tensor.op
    if op.type == "Const":
        return op.attrs["value"]
    if op.type in ("Identity", "StopGradient"):
        return get_static_value(op.inputs[0], partial)
    source = op.inputs[0].shape if op.inputs else None
    if op.type == "Shape" and source.is_fully_defined():
        return np.array(source.as_list(), dtype=tensor.dtype.np)
    if op.type == "Rank" and source.ndims is not None:
        return np.array(source.ndims, dtype=np.int32)
    if op.type == "Size" and source.is_fully_defined():
        return np.array(source.num_elements(), dtype=tensor.dtype.np)
    return None


def make_tensor_proto(values, dtype=None, shape=None, verify_shape=False, allow_broadcast=False):
    """`tf.make_tensor_proto(values, dtype=None, shape=None, verify_shape=False)`: a TensorProto holding
    `values` (broadcast to `shape` when it has one element, as TF)."""
    from .graph_def import ndarray_to_tensor_proto
    array = np.asarray(values, dtype=object if dtype is not None and dtypes.as_dtype(dtype).name == "string"
                       else (dtypes.as_dtype(dtype).np if dtype is not None else None))
    if array.dtype.kind in "US":
        array = np.vectorize(lambda s: s.encode() if isinstance(s, str) else s, otypes=[object])(array)
    if array.dtype == np.float64 and dtype is None and not isinstance(values, np.ndarray):
        array = array.astype(np.float32)   # TF's default for Python floats
    if shape is not None:
        shape = [int(d) for d in shape]
        if verify_shape and list(array.shape) != shape:
            raise TypeError("Expected Tensor's shape: %s, got %s." % (tuple(shape), array.shape))
        if array.size == 1:
            array = np.full(shape, array.reshape(-1)[0], dtype=array.dtype)
        elif array.size != int(np.prod(shape)):
            raise ValueError("Expected %d elements for shape %s, got %d"
                             % (int(np.prod(shape)), shape, array.size))
        else:
            array = array.reshape(shape)
    return ndarray_to_tensor_proto(array, dtype)


def make_ndarray(tensor):
    """`tf.make_ndarray(tensor_proto)`: the NumPy array a TensorProto holds."""
    from .graph_def import tensor_proto_to_ndarray
    return tensor_proto_to_ndarray(tensor)


def is_tensor(x):
    """`tf.is_tensor(x)`: True for a Tensor, SparseTensor or Variable (anything ops accept as a tensor
    without converting a Python value)."""
    from .sparse_tensor import SparseTensor
    return is_tensor_like(x) or isinstance(x, SparseTensor)


def broadcast_static_shape(shape_x, shape_y):
    """`tf.broadcast_static_shape(shape_x, shape_y)`: the TensorShape of broadcasting the two; ValueError
    when they are incompatible."""
    from ..ops.common import broadcast_shape
    try:
        return broadcast_shape(as_shape(shape_x), as_shape(shape_y))
    except ValueError:
        raise ValueError("Incompatible shapes for broadcasting: %s and %s" % (shape_x, shape_y)) from None


def dimension_value(dimension):
    """`tf.dimension_value(dimension)`: a Dimension's int value (None when unknown); ints pass through."""
    return dimension.value if isinstance(dimension, Dimension) else dimension


def dimension_at_index(shape, index):
    """`tf.dimension_at_index(shape, index)`: the Dimension at `index` of `shape` (unknown when the rank
    is unknown)."""
    shape = as_shape(shape)
    if shape.ndims is None:
        return Dimension(None)
    return shape[index]


@contextlib.contextmanager
def init_scope():
    """`tf.init_scope()`: lifts construction out of any control-dependency scope (TF1 graph mode);
    variables' initializers built inside do not wait on the surrounding control dependencies."""
    state = get_default_graph()._state
    saved = state.control_deps
    state.control_deps = []
    try:
        yield
    finally:
        state.control_deps = saved


@contextlib.contextmanager
def container(container_name):
    """`tf.container(name)`: names the resource container of stateful ops built inside. numflow keeps
    each Session's state in one place, so the name only needs to be a string."""
    if not isinstance(container_name, str):
        raise TypeError("container_name must be a string, got %r" % (container_name,))
    yield container_name


@contextlib.contextmanager
def colocate_with(op, ignore_existing=False):
    """`tf.colocate_with(op)`: ops built inside run on op's device; numflow runs every op in one process,
    so only `op` is checked to be a graph element."""
    if op is not None and not (is_tensor_like(op) or hasattr(op, "node_def")):
        raise TypeError("colocate_with expects a Tensor or Operation, got %r" % (op,))
    yield


@contextlib.contextmanager
def op_scope(values, name, default_name=None):
    """`tf.op_scope(values, name, default_name=None)`: the deprecated argument order of tf.name_scope."""
    with name_scope(name, default_name, values) as scope:
        yield scope


def get_logger():
    """`tf.get_logger()`: the Python logger of tf.logging."""
    from ..platform.tf_logging import get_logger as logger
    return logger()


class VariableAggregation(enum.Enum):
    """`tf.VariableAggregation`: how a distributed variable's per-replica updates are combined."""

    NONE = 0
    SUM = 1
    MEAN = 2
    ONLY_FIRST_REPLICA = 3
    ONLY_FIRST_TOWER = 3


class VariableSynchronization(enum.Enum):
    """`tf.VariableSynchronization`: when a distributed variable's replicas are synchronized."""

    AUTO = 0
    NONE = 1
    ON_WRITE = 2
    ON_READ = 3


# TF1 programs flip these to opt into pieces of TF2 behaviour. numflow implements the TF1 graph model
# once; the switches are accepted and remembered so that code testing them sees what it set.
_SWITCHES = {"control_flow_v2": False, "resource_variables": False}


def enable_control_flow_v2():
    """`tf.enable_control_flow_v2()`: accepted; numflow's tf.cond / tf.while_loop are the same either way."""
    _SWITCHES["control_flow_v2"] = True


def disable_control_flow_v2():
    """`tf.disable_control_flow_v2()`: accepted; see enable_control_flow_v2."""
    _SWITCHES["control_flow_v2"] = False


def control_flow_v2_enabled():
    """`tf.control_flow_v2_enabled()`: what enable_/disable_control_flow_v2 last set."""
    return _SWITCHES["control_flow_v2"]


def enable_resource_variables():
    """`tf.enable_resource_variables()`: accepted; numflow variables behave the same either way."""
    _SWITCHES["resource_variables"] = True


def disable_resource_variables():
    """`tf.disable_resource_variables()`: accepted; see enable_resource_variables."""
    _SWITCHES["resource_variables"] = False


def resource_variables_enabled():
    """`tf.resource_variables_enabled()`: what enable_/disable_resource_variables last set."""
    return _SWITCHES["resource_variables"]


def enable_tensor_equality():
    """`tf.enable_tensor_equality()`: not supported: numflow Tensors compare by identity (TF1), as
    graphs, collections and feed dicts use them as keys."""
    raise NotImplementedError("numflow keeps TF1's Tensor equality by identity; tf.enable_tensor_equality "
                              "(TF2's elementwise ==) is not supported")


def disable_tensor_equality():
    """`tf.disable_tensor_equality()`: Tensors compare by identity, which numflow always does."""


def enable_v2_tensorshape():
    """`tf.enable_v2_tensorshape()`: not supported: numflow's TensorShape holds Dimensions (TF1)."""
    raise NotImplementedError("numflow's TensorShape keeps TF1's Dimension objects; "
                              "tf.enable_v2_tensorshape is not supported")


def disable_v2_tensorshape():
    """`tf.disable_v2_tensorshape()`: TensorShape holds Dimensions, which numflow always does."""


def enable_v2_behavior():
    """`tf.enable_v2_behavior()`: not supported: numflow runs TF1's graph-and-Session model only."""
    raise NotImplementedError("numflow implements TensorFlow 1.x graphs and Sessions; "
                              "tf.enable_v2_behavior (eager execution) is not supported")


# --- tf.py_function ---------------------------------------------------------------------------------
class _EagerValue(np.ndarray):
    """A NumPy array that also answers `.numpy()`, as the eager tensors tf.py_function's func receives."""

    def numpy(self):
        return np.asarray(self)


def py_function(func, inp, Tout, name=None):  # noqa: N803 - TF's argument name
    """`tf.py_function(func, inp, Tout)`: an op that calls `func` with its inputs' values, each an array
    with a `.numpy()` method as TF's eager tensors have. Its results are converted to the dtypes in
    `Tout` (Python numbers and lists included). numflow gives it no gradient."""
    from ..ops.script import py_func
    if not callable(func):
        raise TypeError("func must be callable, got %r" % (func,))
    single = not isinstance(Tout, (list, tuple))
    targets = [dtypes.as_dtype(Tout)] if single else [dtypes.as_dtype(t) for t in Tout]

    def as_target(value, dtype):
        value = value.numpy() if hasattr(value, "numpy") else value
        if dtype is dtypes.string:
            return np.asarray(value, dtype=object)
        array = np.asarray(value)
        if array.dtype.kind in "fc" and not (dtype.is_floating or dtype.is_complex):
            raise TypeError("py_function's func returned %s values for a %s output" % (array.dtype, dtype.name))
        return array.astype(dtype.np, copy=False)

    def call(*values):
        result = func(*[v.view(_EagerValue) if isinstance(v, np.ndarray) else
                        np.asarray(v).view(_EagerValue) for v in values])
        if single:
            return as_target(result, targets[0])
        results = [] if result is None else (list(result) if isinstance(result, (list, tuple)) else [result])
        if len(results) != len(targets):
            raise ValueError("py_function's func returned %d values for %d outputs in Tout"
                             % (len(results), len(targets)))
        return [as_target(r, t) for r, t in zip(results, targets)]
    return py_func(call, inp, targets[0] if single else targets, stateful=True, name=name or "EagerPyFunc")


# --- tables ------------------------------------------------------------------------------------------
def tables_initializer(name="init_all_tables"):
    """`tf.tables_initializer()`: one op that runs the initializers of every lookup table of the graph
    (its TABLE_INITIALIZERS collection); a no-op when there is none."""
    from ..ops.control import group
    from .graph import GraphKeys
    initializers = get_default_graph().get_collection(GraphKeys.TABLE_INITIALIZERS)
    return group(*initializers, name=name)


def initialize_all_tables(name="init_all_tables"):
    """`tf.initialize_all_tables()`: the deprecated name of tf.tables_initializer."""
    return tables_initializer(name)


# --- tf.make_template --------------------------------------------------------------------------------
class Template:
    """A function whose variables are created on its first call and shared by every later call (see
    tf.make_template)."""

    def __init__(self, name, func, create_scope_now=False, unique_name=None, custom_getter=None):
        from ..variable_scope import variable_scope
        self._name = name
        self._func = func
        self._unique_name = unique_name
        self._custom_getter = custom_getter
        self._variable_scope = None
        self._variables_created = False
        if create_scope_now:
            with variable_scope(unique_name, default_name=name, custom_getter=custom_getter) as scope:
                self._variable_scope = scope

    def __call__(self, *args, **kwargs):
        from ..variable_scope import variable_scope
        from ..variables import trainable_variables
        if self._variables_created:
            with variable_scope(self._variable_scope, reuse=True):
                before = len(trainable_variables())
                result = self._func(*args, **kwargs)
            if len(trainable_variables()) > before:
                raise ValueError("Trainable variable created when calling a template after the first time, "
                                 "perhaps you used tf.Variable when you meant tf.get_variable: %s"
                                 % trainable_variables()[before:])
            return result
        scope = self._variable_scope if self._variable_scope is not None else self._unique_name
        with variable_scope(scope, default_name=None if scope is not None else self._name,
                            custom_getter=self._custom_getter) as opened:
            self._variable_scope = opened
            result = self._func(*args, **kwargs)
        self._variables_created = True
        return result

    @property
    def name(self):
        return self._name

    @property
    def variable_scope(self):
        return self._variable_scope

    @property
    def variable_scope_name(self):
        return self._variable_scope.name if self._variable_scope is not None else None

    def _collection(self, key):
        if self._variable_scope is None:
            return []
        return get_default_graph().get_collection(key, self._variable_scope.name + "/")

    @property
    def variables(self):
        return self.global_variables + self.local_variables

    @property
    def global_variables(self):
        return self._collection("variables")

    @property
    def trainable_variables(self):
        return self._collection("trainable_variables")

    @property
    def local_variables(self):
        return self._collection("local_variables")


def make_template(name_, func_, create_scope_now_=False, unique_name_=None, custom_getter_=None, **kwargs):
    """`tf.make_template(name_, func_, create_scope_now_=False, unique_name_=None, **kwargs)`: wraps
    func_ so that its tf.get_variable calls create variables on the first call (in a variable scope
    made unique from name_, or named unique_name_) and reuse them on every later call. `kwargs` are
    bound into func_. A later call that creates a new trainable variable is a ValueError."""
    if kwargs:
        func_ = functools.partial(func_, **kwargs)
    return Template(name_, func_, create_scope_now_, unique_name_, custom_getter_)


# --- assertions ---------------------------------------------------------------------------------------
def _message_prefix(message):
    return "%s  " % message if message else ""


def _static_tensor(x, name="x"):
    from .graph import convert_to_tensor
    return convert_to_tensor(x, name=name)


def assert_integer(x, message=None, name=None):
    """`tf.assert_integer(x)`: TypeError at graph construction unless x has an integer dtype; returns a
    no-op."""
    from ..ops.control import no_op
    with name_scope(name, "assert_integer", [x]):
        x = _static_tensor(x)
        if not x.dtype.is_integer:
            raise TypeError("%sExpected \"x\" to be integer type.  Found: %s of dtype %s"
                            % (_message_prefix(message), x.name, x.dtype.name))
        return no_op("statically_determined_was_integer")


def assert_type(tensor, tf_type, message=None, name=None):
    """`tf.assert_type(tensor, tf_type)`: TypeError at graph construction unless tensor's dtype is
    tf_type; returns a no-op."""
    from ..ops.control import no_op
    tf_type = dtypes.as_dtype(tf_type)
    with name_scope(name, "assert_type", [tensor]):
        tensor = _static_tensor(tensor, "tensor")
        if tensor.dtype is not tf_type:
            raise TypeError("%s%s must be of type %s; got %s" % (_message_prefix(message), tensor.name,
                                                                 tf_type.name, tensor.dtype.name))
        return no_op("statically_determined_correct_type")


def assert_scalar(tensor, name=None, message=None):
    """`tf.assert_scalar(tensor)`: ValueError at graph construction unless tensor has rank 0 (a rank
    unknown until run time is a ValueError too); returns the tensor."""
    with name_scope(name, "assert_scalar", [tensor]):
        tensor = _static_tensor(tensor, "tensor")
        if tensor.shape.ndims != 0:
            raise ValueError("%sExpected scalar shape for %s, saw shape: %s."
                             % (_message_prefix(message), tensor.name, tensor.shape))
        return tensor


def assert_rank_in(x, ranks, data=None, summarize=None, message=None, name=None):
    """`tf.assert_rank_in(x, ranks)`: checks that x's rank is one of `ranks`: a ValueError at graph
    construction when the rank is known, else an Assert op raising InvalidArgumentError at run time."""
    from ..ops.array import rank as dynamic_rank, shape
    from ..ops.control import no_op
    from ..ops.debug import Assert
    from ..ops.math import equal, reduce_any
    with name_scope(name, "assert_rank_in", [x]):
        x = _static_tensor(x)
        ranks = [int(r) for r in ranks]
        if x.shape.ndims is not None:
            if x.shape.ndims not in ranks:
                raise ValueError("%sTensor %s must have rank in %s.  Received rank %d, shape %s"
                                 % (_message_prefix(message), x.name, tuple(ranks), x.shape.ndims, x.shape))
            return no_op("static_checks_determined_all_ok")
        condition = reduce_any(equal(dynamic_rank(x), np.array(ranks, dtype=np.int32)))
        data = list(data) if data is not None else [
            message or "", "Tensor %s must have rank in" % x.name, str(tuple(ranks)), "Received shape: ",
            shape(x)]
        return Assert(condition, data, summarize=summarize)


def assert_near(x, y, rtol=None, atol=None, data=None, summarize=None, message=None, name=None):
    """`tf.assert_near(x, y, rtol=None, atol=None)`: an Assert op that |x - y| <= atol + rtol * |y|
    element-wise (defaults: 10 * the dtype's epsilon for both); raises InvalidArgumentError at run time."""
    from .graph import convert_to_tensor
    from ..ops.debug import Assert
    from ..ops.math import abs as tf_abs, less_equal, reduce_all
    with name_scope(name, "assert_near", [x, y]):
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, name="y", dtype=x.dtype)
        epsilon = np.finfo(x.dtype.real_dtype.np if x.dtype.is_complex else x.dtype.np).eps \
            if (x.dtype.is_floating or x.dtype.is_complex) else 0
        rtol = convert_to_tensor(10 * epsilon if rtol is None else rtol, dtype=x.dtype.real_dtype, name="rtol")
        atol = convert_to_tensor(10 * epsilon if atol is None else atol, dtype=x.dtype.real_dtype, name="atol")
        condition = reduce_all(less_equal(tf_abs(x - y), atol + rtol * tf_abs(y)))
        if data is None:
            data = [message or "", "x and y not equal to tolerance rtol = ", rtol, ", atol = ", atol,
                    "x (%s) = " % x.name, x, "y (%s) = " % y.name, y]
        return Assert(condition, data, summarize=summarize)


def assert_same_float_dtype(tensors=None, dtype=None):
    """`tf.assert_same_float_dtype(tensors=None, dtype=None)`: the one floating dtype of `tensors` (and
    `dtype`), float32 when there is none; ValueError when they differ or one is not floating."""
    found = dtypes.as_dtype(dtype) if dtype is not None else None
    for tensor in tensors or ():
        current = tensor.dtype.base_dtype if hasattr(tensor.dtype, "base_dtype") else tensor.dtype
        if found is None:
            found = current
        elif current is not found:
            raise ValueError("%s, type=%s: expected type %s." % (tensor.name, current.name, found.name))
    if found is None:
        return dtypes.float32
    if not found.is_floating:
        raise ValueError("Expected floating point type, got %s." % found.name)
    return found


def assert_proper_iterable(values):
    """`tf.assert_proper_iterable(values)`: TypeError unless values is an iterable that is neither a
    Tensor, an ndarray nor a string (which are iterable but almost never meant as a collection)."""
    if isinstance(values, (Tensor, np.ndarray, str, bytes)) or hasattr(values, "_as_tensor"):
        raise TypeError("Expected argument \"values\" to be a \"proper\" iterable.  Found: %s" % type(values))
    if not hasattr(values, "__iter__"):
        raise TypeError("Expected argument \"values\" to be iterable.  Found: %s" % type(values))
