"""`tf.keras.backend`: the session, learning phase and global settings Keras layers and models share,
plus (from `_backend_ops`) the math wrappers TF1 code calls as `K.sum`, `K.dot`, ...

As in TF 1.15's graph mode, Keras runs its graphs in one Session per graph: `get_session()` returns the
default session when one is active (`with tf.Session() as sess:`), else the session given to
`set_session`, else one it creates for the default graph; before returning it, it initializes the
variables that have never been initialized in that session, so a freshly built model can be fit or
evaluated without a `global_variables_initializer` run.
"""
import threading
import weakref

import numpy as np

from ..framework import dtypes
from ..framework.graph import get_default_graph

__all__ = ["get_session", "set_session", "clear_session", "learning_phase", "set_learning_phase",
           "learning_phase_scope", "floatx", "set_floatx", "epsilon", "set_epsilon", "image_data_format",
           "set_image_data_format", "get_uid", "reset_uids", "get_graph", "manual_variable_initialization",
           "get_value", "set_value", "batch_get_value", "batch_set_value", "name_scope", "is_keras_tensor",
           "int_shape", "dtype", "ndim", "variable", "constant", "placeholder", "eval", "function",
           "in_train_phase", "in_test_phase", "unique_object_name", "cast_to_floatx"]

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"
_MANUAL_VAR_INIT = False

_local = threading.local()
# graph -> {'phase': placeholder, 'fixed': value set by set_learning_phase, 'uids': {prefix: count},
#           'session': Session}; weak keys so a discarded graph frees its entries
_graph_state = weakref.WeakKeyDictionary()
_explicit_session = [None]


def _state(graph=None):
    graph = graph or get_default_graph()
    state = _graph_state.get(graph)
    if state is None:
        state = _graph_state[graph] = {"phase": None, "fixed": None, "uids": {}, "session": None,
                                       "initialized": weakref.WeakKeyDictionary()}
    return state


# --- global settings ----------------------------------------------------------------------------
def floatx():
    """The default float type as a string ('float32')."""
    return _FLOATX


def set_floatx(value):
    """Sets the default float type: 'float16', 'float32' or 'float64'."""
    global _FLOATX
    if value not in ("float16", "float32", "float64"):
        raise ValueError("Unknown floatx type: " + str(value))
    _FLOATX = str(value)


def epsilon():
    """The fuzz factor numeric expressions use (1e-7)."""
    return _EPSILON


def set_epsilon(value):
    global _EPSILON
    _EPSILON = float(value)


def image_data_format():
    """'channels_last' or 'channels_first': the default data format of image layers."""
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format):
    global _IMAGE_DATA_FORMAT
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError("Unknown data_format: " + str(data_format))
    _IMAGE_DATA_FORMAT = str(data_format)


def cast_to_floatx(x):
    """`x` as a NumPy array of the default float type."""
    return np.asarray(x, dtype=_FLOATX)


def manual_variable_initialization(value):
    """With True, `get_session()` leaves variable initialization to the user."""
    global _MANUAL_VAR_INIT
    _MANUAL_VAR_INIT = bool(value)


# --- names --------------------------------------------------------------------------------------
def get_uid(prefix=""):
    """1, 2, 3, ... for successive calls with the same prefix in the default graph."""
    uids = _state()["uids"]
    uids[prefix] = uids.get(prefix, 0) + 1
    return uids[prefix]


def reset_uids():
    """Restarts every prefix's count in the default graph."""
    _state()["uids"].clear()


def unique_object_name(prefix, zero_based=True):
    """'dense', 'dense_1', 'dense_2', ...: Keras' per-graph layer and model names."""
    number = get_uid(prefix) - (1 if zero_based else 0)
    return prefix if zero_based and number == 0 else "%s_%d" % (prefix, number)


def get_graph():
    """The graph Keras builds into: the default graph."""
    return get_default_graph()


def name_scope(name):
    from ..framework.graph import name_scope as _name_scope
    return _name_scope(name)


# --- learning phase -----------------------------------------------------------------------------
def learning_phase():
    """The learning phase of the default graph: the value `set_learning_phase` fixed, else a boolean
    placeholder ('keras_learning_phase', default False) that `fit` feeds with True."""
    state = _state()
    if state["fixed"] is not None:
        return state["fixed"]
    if state["phase"] is None:
        from ..framework.graph import control_dependencies, name_scope as _name_scope
        from ..ops.constant import placeholder_with_default
        graph = get_default_graph()
        with graph.as_default(), control_dependencies(None), _name_scope(""):
            state["phase"] = placeholder_with_default(False, shape=(), name="keras_learning_phase")
    return state["phase"]


def symbolic_learning_phase():
    """The learning-phase placeholder of the default graph, even where a fixed value is set."""
    state = _state()
    saved, state["fixed"] = state["fixed"], None
    try:
        return learning_phase()
    finally:
        state["fixed"] = saved


def global_learning_phase_is_set():
    return _state()["fixed"] is not None


def set_learning_phase(value):
    """Fixes the learning phase of the default graph to 0 (test) or 1 (train)."""
    if value not in (0, 1):
        raise ValueError("Expected learning phase to be 0 or 1.")
    _state()["fixed"] = int(value)


class learning_phase_scope:  # noqa: N801 - TF's name
    """`with K.learning_phase_scope(value):` fixes the learning phase inside the block."""

    def __init__(self, value):
        if value not in (0, 1):
            raise ValueError("Expected learning phase to be 0 or 1.")
        self.value = value

    def __enter__(self):
        state = _state()
        self._saved = state["fixed"]
        state["fixed"] = int(self.value)

    def __exit__(self, *exc):
        _state()["fixed"] = self._saved


def in_train_phase(x, alt, training=None):
    """`x` in the training phase, `alt` otherwise; `x`/`alt` may be tensors or callables returning them."""
    from ..framework.graph import Tensor
    if training is None:
        training = learning_phase()
    if isinstance(training, (bool, int, np.integer, np.bool_)):
        chosen = x if training else alt
        return chosen() if callable(chosen) else chosen
    from ..ops.control import cond
    return cond(training, x if callable(x) else (lambda: x), alt if callable(alt) else (lambda: alt)) \
        if isinstance(training, Tensor) else (x() if callable(x) else x)


def in_test_phase(x, alt, training=None):
    """`x` in the test phase, `alt` otherwise."""
    return in_train_phase(alt, x, training=training)


# --- sessions -----------------------------------------------------------------------------------
def set_session(session):
    """Makes Keras run its graphs in `session`."""
    _explicit_session[0] = session
    if session is not None:
        _state(session.graph)["session"] = session


def _current_session():
    from ..client.session import Session, get_default_session
    session = get_default_session()
    if session is not None:
        return session
    graph = get_default_graph()
    explicit = _explicit_session[0]
    if explicit is not None and explicit.graph is graph and not getattr(explicit, "_closed", False):
        return explicit
    state = _state(graph)
    if state["session"] is None or getattr(state["session"], "_closed", False):
        state["session"] = Session(graph=graph)
    return state["session"]


def get_session(op_input_list=()):
    """The Session Keras uses (see the module docstring), with Keras' variables initialized in it."""
    session = _current_session()
    if not _MANUAL_VAR_INIT:
        _initialize_variables(session)
    return session


def _initialize_variables(session):
    """Initializes, in one run, the graph's variables never initialized in `session`."""
    from ..variables import global_variables, local_variables, variables_initializer
    from ..ops.state import is_variable_initialized
    graph = session.graph
    done = _state(graph)["initialized"].setdefault(session, set())
    with graph.as_default():
        candidates = [v for v in global_variables() + local_variables() if v.name not in done]
        if not candidates:
            return
        with name_scope("keras_init_check"):
            checks = [is_variable_initialized(v) for v in candidates]
        flags = session.run(checks)
        missing = [v for v, ok in zip(candidates, flags) if not ok]
        if missing:
            session.run(variables_initializer(missing))
    done.update(v.name for v in candidates)


def clear_session():
    """Forgets Keras' state: a new default graph, new layer names, no Keras session."""
    from ..framework.graph import reset_default_graph
    session = _explicit_session[0]
    _explicit_session[0] = None
    state = _graph_state.get(get_default_graph())
    if state is not None and state["session"] is not None and state["session"] is not session:
        state["session"].close()
    reset_default_graph()


# --- values -------------------------------------------------------------------------------------
def batch_get_value(tensors):
    """The values of a list of variables/tensors, in one Session run."""
    tensors = list(tensors)
    return get_session().run(tensors) if tensors else []


def get_value(x):
    """The value of one variable as a NumPy array."""
    return batch_get_value([x])[0]


def batch_set_value(tuples):
    """Assigns NumPy values to variables: `[(variable, value), ...]`, without adding ops per call."""
    tuples = list(tuples)
    if not tuples:
        return
    session = get_session()
    for variable, value in tuples:
        value = np.asarray(value, dtype=variable.dtype.as_numpy_dtype)
        if tuple(value.shape) != tuple(variable.shape.as_list()):
            raise ValueError("Cannot assign a value of shape %s to variable '%s' of shape %s"
                             % (value.shape, variable.name, variable.shape))
        variable.load(value, session)


def set_value(x, value):
    """Assigns a NumPy value to one variable."""
    batch_set_value([(x, value)])


# --- tensors ------------------------------------------------------------------------------------
def is_keras_tensor(x):
    """True when `x` was produced by a Keras layer or `Input` (it carries Keras history)."""
    from ..framework.graph import Tensor
    if not isinstance(x, Tensor) and not hasattr(x, "_as_graph_element"):
        raise ValueError("Unexpectedly found an instance of type `" + str(type(x)) + "`. "
                         "Expected a symbolic tensor instance.")
    return hasattr(x, "_keras_history")


def int_shape(x):
    """The static shape of `x` as a tuple of ints and None."""
    shape = x.shape if hasattr(x, "shape") else np.shape(x)
    if hasattr(shape, "dims"):
        return None if shape.dims is None else tuple(shape.as_list())
    return tuple(shape)


def ndim(x):
    """The rank of `x`."""
    shape = int_shape(x)
    return None if shape is None else len(shape)


def dtype(x):
    """The dtype of `x` as a string ('float32')."""
    return dtypes.as_dtype(x.dtype).name


def variable(value, dtype=None, name=None, constraint=None):
    """A variable holding `value` (default float type), initialized on its first `get_session`."""
    from ..variables import Variable
    value = np.asarray(value, dtype=dtype or floatx())
    v = Variable(value, dtype=dtypes.as_dtype(value.dtype), name=name, constraint=constraint)
    v._keras_shape = value.shape
    return v


def constant(value, dtype=None, shape=None, name=None):
    from ..ops.constant import constant as _constant
    return _constant(value, dtype=dtype or floatx(), shape=shape, name=name)


def placeholder(shape=None, ndim=None, dtype=None, sparse=False, name=None):
    """A placeholder of `shape` (or of rank `ndim` with unknown sizes), default float type."""
    from ..ops.constant import placeholder as _placeholder
    if shape is None and ndim is not None:
        shape = (None,) * ndim
    return _placeholder(dtype or floatx(), shape=shape, name=name)


def eval(x):  # noqa: A001 - Keras' name
    """The value of `x` in the Keras session."""
    return get_session().run(x)


class Function:
    """`K.function(inputs, outputs, updates)`: a callable that feeds `inputs` and fetches `outputs`
    (running `updates` too) in the Keras session; the learning phase can be one of the inputs."""

    def __init__(self, inputs, outputs, updates=None, name=None, **session_kwargs):
        from ..framework.graph import control_dependencies
        from ..ops.control import group
        self.inputs = list(inputs)
        self._outputs_structure = outputs
        self.outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
        updates = list(updates or [])
        with control_dependencies(self.outputs):
            ops = [u if not isinstance(u, tuple) else u[0].assign(u[1]) for u in updates]
            self.updates_op = group(*[getattr(u, "op", u) for u in ops]) if ops else None
        self.name = name
        self.fetches = list(session_kwargs.pop("fetches", []))
        self.feed_dict = session_kwargs.pop("feed_dict", None) or {}
        if session_kwargs:
            raise ValueError("Invalid argument %s passed to K.function" % sorted(session_kwargs)[0])

    def __call__(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise TypeError("`inputs` to a Keras backend function should be a list or tuple.")
        if len(inputs) != len(self.inputs):
            raise ValueError("Keras backend function expected %d inputs, got %d"
                             % (len(self.inputs), len(inputs)))
        feed = dict(self.feed_dict)
        for tensor, value in zip(self.inputs, inputs):
            feed[tensor] = value
        fetches = self.outputs + self.fetches + ([self.updates_op] if self.updates_op is not None else [])
        results = get_session().run(fetches, feed_dict=feed)
        return results[:len(self.outputs)]


def function(inputs, outputs, updates=None, name=None, **kwargs):
    """`K.function(inputs, outputs, updates=None)`: see `Function`."""
    return Function(inputs, outputs, updates=updates, name=name, **kwargs)



def _import_family(name):
    """Adds the public names of a sibling module (`_backend_ops`: math wrappers; `_backend_rnn`: `rnn`)."""
    import importlib
    try:
        module = importlib.import_module("." + name, __package__)
    except ModuleNotFoundError as e:
        if e.name != __package__ + "." + name:
            raise
        return
    for attribute in module.__all__:
        globals()[attribute] = getattr(module, attribute)
    __all__.extend(module.__all__)


_import_family("_backend_ops")
_import_family("_backend_rnn")
