"""The dataflow graph: `Graph`, `Operation`, `Tensor`, name scopes, collections and the default graph."""
import contextlib
import re
import threading

import numpy as np

from . import dtypes as _dtypes
from . import traceback_utils as _traceback_utils
from .op_def import lookup as _lookup_op_def
from .tensor_shape import as_shape, format_shape


class GraphKeys:
    """Standard collection names, as `tf.GraphKeys`."""

    GLOBAL_VARIABLES = "variables"
    LOCAL_VARIABLES = "local_variables"
    METRIC_VARIABLES = "metric_variables"
    MODEL_VARIABLES = "model_variables"
    TRAINABLE_VARIABLES = "trainable_variables"
    SUMMARIES = "summaries"
    QUEUE_RUNNERS = "queue_runners"
    TABLE_INITIALIZERS = "table_initializer"
    ASSET_FILEPATHS = "asset_filepaths"
    MOVING_AVERAGE_VARIABLES = "moving_average_variables"
    REGULARIZATION_LOSSES = "regularization_losses"
    CONCATENATED_VARIABLES = "concatenated_variables"
    SAVERS = "savers"
    WEIGHTS = "weights"
    BIASES = "biases"
    ACTIVATIONS = "activations"
    UPDATE_OPS = "update_ops"
    LOSSES = "losses"
    INIT_OP = "init_op"
    LOCAL_INIT_OP = "local_init_op"
    READY_OP = "ready_op"
    TRAIN_OP = "train_op"
    GLOBAL_STEP = "global_step"
    EVAL_STEP = "eval_step"
    VARIABLES = GLOBAL_VARIABLES


class Tensor:
    """A symbolic handle to one output of an Operation: static dtype and shape, value computed by a Session.

    TF1 semantics: `==` is identity (tensors are dict keys); `bool(t)` raises TypeError; the arithmetic
    operators build ops (installed by the op family modules through `_override_operator`).
    """

    __array_priority__ = 100  # numpy_array + tensor must call Tensor.__radd__

    def __init__(self, op, value_index, dtype, shape):
        self._op = op
        self._value_index = value_index
        self._dtype = dtype
        self._shape = as_shape(shape)
        self._consumers = []

    @property
    def op(self):
        return self._op

    @property
    def value_index(self):
        return self._value_index

    @property
    def dtype(self):
        return self._dtype

    @property
    def graph(self):
        return self._op._graph

    @property
    def name(self):
        return "%s:%d" % (self._op._name, self._value_index)

    @property
    def device(self):
        return self._op.device

    @property
    def shape(self):
        return self._shape

    def get_shape(self):
        return self._shape

    def set_shape(self, shape):
        """Narrows the static shape; raises ValueError if `shape` is incompatible with what is known."""
        merged = self._shape.merge_with(shape)
        if merged != self._shape:
            self._shape = merged
            self.graph._bump_version()

    def consumers(self):
        return list(self._consumers)

    def eval(self, feed_dict=None, session=None):
        """Runs the default (or given) Session to compute this tensor's value."""
        from ..client.session import _run_with_default_session
        return _run_with_default_session(self, feed_dict, session, "evaluate tensor using `eval()`")

    def __bool__(self):
        raise TypeError("Using a `tf.Tensor` as a Python `bool` is not allowed. Use `if t is not None:` "
                        "instead of `if t:` to test if a tensor is defined, and use TensorFlow ops such "
                        "as tf.cond to execute subgraphs conditioned on the value of a tensor.")

    __nonzero__ = __bool__

    def __iter__(self):
        raise TypeError("'Tensor' object is not iterable in a graph: index it or use tf.unstack.")

    def __len__(self):
        raise TypeError("len is not well defined for symbolic Tensors (%s). Use tf.shape(%s)[0]."
                        % (self.name, self.name))

    def __hash__(self):
        return id(self)

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return self is not other

    def __repr__(self):
        return "<tf.Tensor '%s' shape=%s dtype=%s>" % (self.name, self._shape, self._dtype.name)

    def __str__(self):
        """TF1's `print(tensor)`: Tensor("name:0", shape=(?, 784), dtype=float32[, device=...]); the shape
        is left out when even its rank is unknown."""
        fields = ['"%s"' % self.name]
        if self._shape.ndims is not None:
            fields.append("shape=%s" % (self._shape,))
        fields.append("dtype=%s" % self._dtype.name)
        if self.device:
            fields.append("device=%s" % self.device)
        return "Tensor(%s)" % ", ".join(fields)

    def __array__(self, dtype=None, copy=None):
        raise TypeError("Cannot convert a symbolic Tensor (%s) to a numpy array; run it in a Session."
                        % self.name)

    @classmethod
    def _override_operator(cls, operator, func):
        setattr(cls, operator, func)


class Operation:
    """A node of the graph: its type, inputs, outputs, attributes and control inputs."""

    def __init__(self, graph, op_def, name, inputs, attrs, control_inputs, device):
        self._graph = graph
        self._op_def = op_def
        self._name = name
        self._inputs = tuple(inputs)
        self._attrs = attrs
        self._control_inputs = list(control_inputs)
        self._device = device
        self._outputs = ()
        self._id = None
        self._creation_frames = ()   # set by Graph.create_op: see traceback_utils.capture

    @property
    def name(self):
        return self._name

    @property
    def traceback(self):
        """Where user code created this op, as TF1's `Operation.traceback`: a list of (filename, line
        number, function name, source line), outermost call first, the creating line last. It covers the
        first frame outside numflow and up to two of its callers."""
        return _traceback_utils.to_traceback(self._creation_frames)

    @property
    def type(self):
        return self._op_def.type

    @property
    def op_def(self):
        return self._op_def

    @property
    def graph(self):
        return self._graph

    @property
    def inputs(self):
        return self._inputs

    @property
    def outputs(self):
        return list(self._outputs)

    @property
    def control_inputs(self):
        return list(self._control_inputs)

    @property
    def device(self):
        return self._device

    @property
    def attrs(self):
        return self._attrs

    @property
    def node_def(self):
        return self

    def get_attr(self, name):
        try:
            return self._attrs[name]
        except KeyError:
            raise ValueError("Operation '%s' has no attr named '%s'." % (self._name, name)) from None

    def values(self):
        return tuple(self._outputs)

    def _add_control_input(self, op):
        self._control_inputs.append(op)
        self._graph._bump_version()

    def run(self, feed_dict=None, session=None):
        """Runs this operation in the default (or given) Session."""
        from ..client.session import _run_with_default_session
        _run_with_default_session(self, feed_dict, session, "execute operation using `run()`")

    def __repr__(self):
        return "<tf.Operation '%s' type=%s>" % (self._name, self.type)


def _explain_construction_error(exc, op):
    """Rewrites the message of a shape/dtype rule's ValueError or TypeError, keeping its class: names the
    op, its type and input shapes in TF's words, then the user's line that tried to create it."""
    if len(exc.args) > 1 or (exc.args and not isinstance(exc.args[0], str)):
        return
    message = str(exc)
    if _traceback_utils.has_defined_at(message):
        return
    if op.name not in message:
        message = ("%s for '%s' (op: '%s') with input shapes: %s."
                   % (message.rstrip("."), op.name, op.type, ", ".join(format_shape(t.shape) for t in op.inputs)))
    frames = op._creation_frames
    if frames:
        message = "%s (defined at %s)\n\nOp '%s' defined at:\n%s" % (
            message, _traceback_utils.short_location(frames), op.name, _traceback_utils.format_frames(frames))
    exc.args = (message,)


class Graph:
    """A TF1 graph: the operations, their unique names, name scopes, collections and graph-level seed."""

    def __init__(self):
        self._lock = threading.RLock()
        self._ops = []
        self._ops_by_name = {}
        self._names_in_use = {}
        self._collections = {}
        self._version = 0       # bumped by mutations that can change compiled plans
        self.seed = None
        self._finalized = False
        self._scope_state = threading.local()
        self._variable_scope_stores = {}
        self._has_devices = False   # some op was created under a tf.device scope

    # --- per-thread construction state -------------------------------------------------------
    @property
    def _state(self):
        state = self._scope_state
        if not hasattr(state, "name_stack"):
            state.name_stack = ""
            state.control_deps = []
            state.devices = []
        return state

    def get_name_scope(self):
        return self._state.name_stack

    # --- names -------------------------------------------------------------------------------
    def unique_name(self, name, mark_as_used=True):
        """Prefixes the current name scope and adds `_N` so the name is unused ('c', 'c_1', ...)."""
        stack = self._state.name_stack
        if stack:
            name = stack + "/" + name
        key = name.lower()
        count = self._names_in_use.get(key, 0)
        if mark_as_used:
            self._names_in_use[key] = count + 1
        if count > 0:
            base = key
            while key in self._names_in_use:
                key = "%s_%d" % (base, count)
                count += 1
            if mark_as_used:
                self._names_in_use[key] = 1
            name = "%s_%d" % (name, count - 1)
        return name

    @contextlib.contextmanager
    def name_scope(self, name):
        """Opens a name scope; yields its name with a trailing '/'. None or '' resets to the root."""
        state = self._state
        old = state.name_stack
        if not name:
            new = ""
        elif name.endswith("/"):
            new = name[:-1]
        else:
            new = self.unique_name(name)
        state.name_stack = new
        try:
            yield (new + "/") if new else ""
        finally:
            state.name_stack = old

    # --- operations --------------------------------------------------------------------------
    def create_op(self, op_type, inputs, attrs=None, name=None):
        """Adds an operation of the registered `op_type`; its outputs' dtypes and shapes are inferred."""
        op_def = op_type if not isinstance(op_type, str) else _lookup_op_def(op_type)
        if self._finalized:
            raise RuntimeError("Graph is finalized and cannot be modified.")
        for tensor in inputs:
            if not isinstance(tensor, Tensor):
                raise TypeError("Inputs of %s must be Tensors, got %r" % (op_def.type, tensor))
            if tensor._op._graph is not self:
                raise ValueError("Tensor %s must be from the same graph as the other inputs of %s."
                                 % (tensor.name, op_def.type))
        with self._lock:
            name = name or op_def.type
            name = name[:-1] if name.endswith("/") else self.unique_name(name)
            state = self._state
            control = []
            for deps in state.control_deps:
                for dep in deps:
                    if dep not in control:
                        control.append(dep)
            op = Operation(self, op_def, name, inputs, dict(attrs or {}), control, "")
            op._creation_frames = _traceback_utils.capture(op_def)
            overrides = getattr(state, "gradient_overrides", None)
            if overrides and op_def.type in overrides:
                op._gradient_override = overrides[op_def.type]
            try:
                signature = op_def.infer(op)
            except (ValueError, TypeError) as exc:
                _explain_construction_error(exc, op)
                raise
            op._outputs = tuple([Tensor(op, i, dtype, shape) for i, (dtype, shape) in enumerate(signature)])
            if state.devices:
                # After inference: device functions may look at the op's outputs as well as its type.
                op._device = _apply_device_functions(state.devices, op)
                if op._device:
                    self._has_devices = True   # Sessions then check placement when compiling plans
            op._id = len(self._ops)
            self._ops.append(op)
            self._ops_by_name[name] = op
            for tensor in inputs:
                tensor._consumers.append(op)
        return op

    def get_operations(self):
        return list(self._ops)

    def get_operation_by_name(self, name):
        if not isinstance(name, str):
            raise TypeError("Operation names are strings, got %r" % (name,))
        return self.as_graph_element(name, allow_tensor=False, allow_operation=True)

    def get_tensor_by_name(self, name):
        if not isinstance(name, str):
            raise TypeError("Tensor names are strings, got %r" % (name,))
        return self.as_graph_element(name, allow_tensor=True, allow_operation=False)

    def as_graph_element(self, obj, allow_tensor=True, allow_operation=True):
        """Resolves a Tensor, Operation, Variable or name ('op' / 'op:0') to an element of this graph."""
        if hasattr(obj, "_as_graph_element"):
            obj = obj._as_graph_element()
        if isinstance(obj, str):
            if ":" in obj:
                if not allow_tensor:
                    raise ValueError("Name '%s' appears to refer to a Tensor, not an Operation." % obj)
                op_name, _, index = obj.rpartition(":")
                op = self._ops_by_name.get(op_name)
                if op is None:
                    raise KeyError("The name '%s' refers to a Tensor which does not exist. The operation, "
                                   "'%s', does not exist in the graph." % (obj, op_name))
                try:
                    return op._outputs[int(index)]
                except (ValueError, IndexError):
                    raise KeyError("The name '%s' refers to a Tensor which does not exist. The operation, "
                                   "'%s', exists but only has %d outputs."
                                   % (obj, op_name, len(op._outputs))) from None
            op = self._ops_by_name.get(obj)
            if op is None:
                raise KeyError("The name '%s' refers to an Operation not in the graph." % obj)
            if not allow_operation:
                raise ValueError("The name '%s' looks like an (invalid) Operation name, not a Tensor. "
                                 "Tensor names must be of the form \"<op_name>:<output_index>\"." % obj)
            return op
        if isinstance(obj, Tensor) and allow_tensor:
            if obj.graph is not self:
                raise ValueError("Tensor %s is not an element of this graph." % obj.name)
            return obj
        if isinstance(obj, Operation) and allow_operation:
            if obj.graph is not self:
                raise ValueError("Operation %s is not an element of this graph." % obj.name)
            return obj
        raise TypeError("Can not convert a %s into a %s." % (
            type(obj).__name__, "/".join(n for n, ok in (("Tensor", allow_tensor),
                                                         ("Operation", allow_operation)) if ok)))

    # --- collections -------------------------------------------------------------------------
    def add_to_collection(self, name, value):
        self._collections.setdefault(name, []).append(value)

    def add_to_collections(self, names, value):
        names = (names,) if isinstance(names, str) else set(names)
        for name in names:
            self.add_to_collection(name, value)

    def get_collection_ref(self, name):
        return self._collections.setdefault(name, [])

    def get_collection(self, name, scope=None):
        """A copy of collection `name`; with `scope`, only items whose name matches it from the start."""
        items = self._collections.get(name, [])
        if scope is None:
            return list(items)
        pattern = re.compile(scope)
        return [item for item in items
                if getattr(item, "name", None) is not None and pattern.match(item.name)]

    def get_all_collection_keys(self):
        return [k for k, v in self._collections.items() if v]

    def clear_collection(self, name):
        self._collections.pop(name, None)

    # --- construction contexts ---------------------------------------------------------------
    @contextlib.contextmanager
    def control_dependencies(self, control_inputs):
        """Ops created inside run after `control_inputs`; None clears the enclosing dependencies."""
        state = self._state
        if control_inputs is None:
            saved, state.control_deps = state.control_deps, []
            try:
                yield
            finally:
                state.control_deps = saved
            return
        ops = []
        for item in control_inputs:
            if callable(getattr(item, "_as_graph_element", None)):
                item = item._as_graph_element()
            if isinstance(item, Tensor):
                item = item.op
            if not isinstance(item, Operation):
                raise TypeError("Control input must be an Operation, a Tensor or a Variable: %r" % (item,))
            ops.append(item)
        state.control_deps.append(ops)
        try:
            yield
        finally:
            state.control_deps.pop()

    @contextlib.contextmanager
    def device(self, device_name_or_function):
        """`with g.device(d):` the ops created inside get device `d`, merged with the enclosing scopes'
        (the inner scope's fields win): `d` is a device string, a `tf.DeviceSpec`, a function of the op
        returning one (`tf.train.replica_device_setter`), '' (no change) or None (clears the enclosing
        scopes). Placement itself happens when a Session compiles a plan."""
        from .device_spec import device_function_of
        state = self._state
        state.devices.append(device_function_of(device_name_or_function))
        try:
            yield
        finally:
            state.devices.pop()

    @contextlib.contextmanager
    def gradient_override_map(self, op_type_map):
        """`Graph.gradient_override_map({"OpType": "GradientName"})`: ops of those types created inside
        take their gradient from the function registered with `tf.RegisterGradient("GradientName")`."""
        if not isinstance(op_type_map, dict):
            raise TypeError("op_type_map must be a dictionary mapping strings to strings")
        for op_type, gradient_name in op_type_map.items():
            if not (isinstance(op_type, str) and isinstance(gradient_name, str)):
                raise TypeError("op_type_map must be a dictionary mapping strings to strings")
        state = self._state
        old = getattr(state, "gradient_overrides", None)
        state.gradient_overrides = dict(old or {}, **op_type_map)
        try:
            yield
        finally:
            state.gradient_overrides = old

    @contextlib.contextmanager
    def as_default(self):
        _default_graph_stack().append(self)
        try:
            yield self
        finally:
            _default_graph_stack().pop()

    def finalize(self):
        self._finalized = True

    def as_graph_def(self, from_version=None, add_shapes=False):
        """This graph as a TensorFlow `GraphDef` protocol buffer (see framework/graph_def.py); with
        `add_shapes`, each node carries its outputs' static shapes in '_output_shapes'. `from_version`
        keeps only the ops added after the graph had that many ops."""
        from .graph_def import graph_to_graph_def
        ops = None if from_version is None else self._ops[int(from_version):]
        return graph_to_graph_def(self, add_shapes=add_shapes, ops=ops)

    @property
    def finalized(self):
        return self._finalized

    @property
    def version(self):
        return len(self._ops)

    def _bump_version(self):
        self._version += 1

    def is_feedable(self, tensor):
        return True

    def is_fetchable(self, tensor_or_op):
        return True


# --- the default graph ---------------------------------------------------------------------------
_global_default_graph = [Graph()]
_thread_state = threading.local()


def _apply_device_functions(device_stack, op):
    """The device of `op` under the `tf.device` scopes in `device_stack`, innermost applied first; each
    outer function sees the device chosen so far (TF's order). None stops at a `tf.device(None)` scope."""
    from .device_spec import canonical_name
    for entry in reversed(device_stack):
        if entry is None:
            break
        if entry == "":
            continue
        chosen = entry(op)
        op._device = canonical_name(chosen) if chosen else ""
    return op._device


def _default_graph_stack():
    stack = getattr(_thread_state, "stack", None)
    if stack is None:
        stack = _thread_state.stack = []
    return stack


def get_default_graph():
    """The graph new ops go to: the innermost `as_default()` graph, else the global default graph."""
    stack = _default_graph_stack()
    return stack[-1] if stack else _global_default_graph[0]


def reset_default_graph():
    """Replaces the global default graph with a new, empty one."""
    if _default_graph_stack():
        raise AssertionError("Do not use tf.reset_default_graph() to clear nested graphs. If you need a "
                             "cleared graph, exit the nesting and create a new graph.")
    _global_default_graph[0] = Graph()


def _graph_of(values):
    for value in values or ():
        if isinstance(value, (Tensor, Operation)):
            return value.graph
        graph = getattr(value, "graph", None)
        if isinstance(graph, Graph):
            return graph
    return get_default_graph()


@contextlib.contextmanager
def name_scope(name, default_name=None, values=None):
    """`tf.name_scope(name, default_name=None, values=None)`: yields the scope name ending in '/'."""
    graph = _graph_of(values)
    name = default_name if name is None else name
    if name is None and default_name is None and values is not None:
        raise ValueError("At least one of name (%s) and default_name (%s) must be provided."
                         % (name, default_name))
    if values is not None:
        with graph.as_default(), graph.name_scope(name) as scope:
            yield scope
    else:
        with graph.name_scope(name) as scope:
            yield scope


def control_dependencies(control_inputs):
    return get_default_graph().control_dependencies(control_inputs)


def device(device_name_or_function):
    """`tf.device(device_name_or_function)`: see `Graph.device`."""
    return get_default_graph().device(device_name_or_function)


def get_name_scope():
    return get_default_graph().get_name_scope()


def add_to_collection(name, value):
    get_default_graph().add_to_collection(name, value)


def add_to_collections(names, value):
    get_default_graph().add_to_collections(names, value)


def get_collection(key, scope=None):
    return get_default_graph().get_collection(key, scope)


def get_collection_ref(key):
    return get_default_graph().get_collection_ref(key)


# --- conversion to tensors -----------------------------------------------------------------------
_conversion_functions = []


def register_tensor_conversion_function(base_type, conversion_func, priority=100):
    """Lets objects of `base_type` be used where a Tensor is expected (Variables register themselves)."""
    _conversion_functions.append((priority, base_type, conversion_func))
    _conversion_functions.sort(key=lambda entry: entry[0])


def convert_to_tensor(value, dtype=None, name=None, preferred_dtype=None, dtype_hint=None):
    """Returns `value` as a Tensor: Tensors pass through (dtype checked), other values become constants."""
    if dtype is not None:
        dtype = _dtypes.as_dtype(dtype)
    if isinstance(value, Tensor):
        if dtype is not None and value.dtype is not dtype:
            raise ValueError("Tensor conversion requested dtype %s for Tensor with dtype %s: %r"
                             % (dtype.name, value.dtype.name, value))
        return value
    for _, base_type, func in _conversion_functions:
        if isinstance(value, base_type):
            return func(value, dtype=dtype, name=name)
    from ..ops.constant import constant
    hint = preferred_dtype or dtype_hint
    if dtype is None and hint is not None:
        try:
            return constant(value, dtype=hint, name=name)
        except (TypeError, ValueError):
            pass
    return constant(value, dtype=dtype, name=name)


def is_tensor_like(value):
    return isinstance(value, Tensor) or any(isinstance(value, t) for _, t, _ in _conversion_functions)


def numpy_value_dtype(value):
    """The DType TF1 gives a Python or NumPy value: int -> int32, float -> float32, arrays keep theirs."""
    if isinstance(value, np.ndarray) or isinstance(value, np.generic):
        return _dtypes.as_dtype(value.dtype)
    array = np.asarray(value)
    kind = array.dtype.kind
    if kind == "f":
        return _dtypes.float32
    if kind in "iu":
        if array.size and (array.max() > np.iinfo(np.int32).max or array.min() < np.iinfo(np.int32).min):
            return _dtypes.int64
        return _dtypes.int32
    if kind == "b":
        return _dtypes.bool
    if kind == "c":
        return _dtypes.complex128
    if kind in "SUO":
        return _dtypes.string
    raise TypeError("Cannot convert %r to a Tensor" % (value,))
