"""`tf.Session`: maps any nesting of fetches to a cached compiled plan, runs it, pours values back.

The fetch mapping follows TF's own design: the user's structure (lists, tuples, namedtuples, dicts of
Tensors, Operations, Variables or names) is flattened to unique graph elements, one plan computes them,
and a builder rebuilds the structure from the values. Both the builder and the plan are cached, so a
repeated `run` costs a dict lookup, the feed conversions and the plan's own straight-line code.
"""
import contextlib
import threading

import numpy as np

from .. import backend as backends
from .. import config as _config_module
from ..framework.graph import Graph, Operation, Tensor, get_default_graph
from ..framework.tensor_shape import format_shape
from . import threads
from .placement import PlacementPolicy
from .plan import Plan


class _Cell:
    """One variable's storage inside one Session: `value` lives on `backend`, the variable's device."""

    __slots__ = ("value", "backend")

    def __init__(self):
        self.value = None
        self.backend = backends.HOST

    def move_to(self, backend):
        """Keeps the value on `backend` from now on (the plan placing the variable decides)."""
        if backend is not self.backend:
            if self.value is not None:
                self.value = backend.to_device(self.backend.to_host(self.value))
            self.backend = backend

    def host_value(self):
        """The value as a NumPy array (a checkpoint, a Python-side read)."""
        return backends.to_host(self.value)

    def assign_host_value(self, array):
        """Stores a NumPy array as the value, on the variable's device."""
        self.value = self.backend.to_device(array)


class DeviceContext:
    """What a kernel placed on a device sees of its Session: the Session's state, with that device's
    array module as `xp` (see `OpDef.kernel`)."""

    def __init__(self, state, backend):
        self._state = state
        self.backend = backend
        self.xp = backend.xp

    def __getattr__(self, name):
        return getattr(self._state, name)


class SessionState:
    """What kernels may reach of their Session: variable storage and per-op random generators."""

    DEFAULT_GRAPH_SEED = 87654321
    xp = np                    # the host's array module; kernels placed on a device get a DeviceContext
    backend = backends.HOST
    gpus = ()                  # the Session's GPUs (plans that kernels run inside place their ops on them)

    def __init__(self, graph, rewrites=None):
        self._graph = graph
        self.rewrites = rewrites
        self._cells = {}
        self._generators = {}
        self._lock = threading.Lock()
        self.resources = {}
        self._close_callbacks = []
        self._closed = False
        self._device_contexts = {}

    def context_for(self, backend):
        """The `ctx` of kernels placed on `backend`: this state itself on the host."""
        if backend is backends.HOST:
            return self
        context = self._device_contexts.get(backend)
        if context is None:
            context = self._device_contexts.setdefault(backend, DeviceContext(self, backend))
        return context

    def add_close_callback(self, callback):
        """Registers `callback()` to run when the Session closes: resources such as queues use it to wake
        the threads blocked in them (their pending operations are then cancelled, as in TF). On a closed
        state it runs at once."""
        with self._lock:
            if not self._closed:
                self._close_callbacks.append(callback)
                return
        callback()

    def close(self):
        """Runs the close callbacks once."""
        with self._lock:
            self._closed = True
            callbacks, self._close_callbacks = self._close_callbacks, []
        for callback in callbacks:
            callback()

    def variable_cell(self, variable_op):
        cell = self._cells.get(variable_op)
        if cell is None:
            with self._lock:
                cell = self._cells.setdefault(variable_op, _Cell())
        return cell

    def random_generator(self, op):
        """A NumPy Generator for a random op, the same sequence in every Session when seeds are set."""
        generator = self._generators.get(op)
        if generator is None:
            seed, seed2 = op._attrs.get("seed"), op._attrs.get("seed2")
            entropy = None if seed is None and seed2 is None else [int(seed or 0), int(seed2 or 0)]
            with self._lock:
                generator = self._generators.setdefault(op, np.random.default_rng(entropy))
        return generator


class _Fetches:
    """A user's fetch structure, flattened to unique graph elements with a builder to rebuild it."""

    def __init__(self, graph, fetches, session=None):
        self.elements = []
        self._index = {}
        self._session = session
        self.build = self._mapper(graph, fetches)
        self.tensors = [e for e in self.elements if isinstance(e, Tensor)]
        self.ops = [e for e in self.elements if isinstance(e, Operation)]

    def _slot(self, element):
        if element not in self._index:
            self._index[element] = len(self.elements)
            self.elements.append(element)
        return self._index[element]

    def _mapper(self, graph, fetch):
        if fetch is None:
            raise TypeError("Fetch argument None has invalid type <class 'NoneType'>")
        if isinstance(fetch, (list, tuple)):
            builders = [self._mapper(graph, item) for item in fetch]
            if isinstance(fetch, tuple) and hasattr(fetch, "_fields"):
                kind = type(fetch)
                return lambda values: kind(*[b(values) for b in builders])
            kind = type(fetch)
            return lambda values: kind([b(values) for b in builders])
        if isinstance(fetch, dict):
            keys = list(fetch)
            builders = [self._mapper(graph, fetch[k]) for k in keys]
            kind = type(fetch)
            return lambda values: kind(zip(keys, [b(values) for b in builders]))
        as_structure = getattr(type(fetch), "_as_fetch_structure", None)
        if as_structure is not None:    # a SparseTensor: fetched as a SparseTensorValue of its components
            return self._mapper(graph, as_structure(fetch))
        try:
            element = graph.as_graph_element(fetch, allow_tensor=True, allow_operation=True)
        except TypeError:
            raise TypeError("Fetch argument %r has invalid type %r, must be a string or Tensor. (Can not "
                            "convert a %s into a Tensor or Operation.)"
                            % (fetch, type(fetch), type(fetch).__name__)) from None
        except ValueError as exc:
            raise ValueError("Fetch argument %r cannot be interpreted as a Tensor. (%s)" % (fetch, exc)) \
                from None
        except KeyError as exc:
            raise ValueError("Fetch argument %r cannot be interpreted as a Tensor. (%s)"
                             % (fetch, exc.args[0])) from None
        if isinstance(element, Operation):
            self._slot(element)
            return lambda values: None
        slot = self._slot(element)
        if element.op.type == "GetSessionHandle":     # fetched as a TensorHandle bound to this Session
            from ..ops.session_handles import wrap_fetched_handle
            session = self._session
            return lambda values: wrap_fetched_handle(values[slot], element, session)
        return lambda values: values[slot]


def _fetch_cache_key(fetches):
    """A hashable key for common fetch structures (one element, or a flat list/tuple of them)."""
    kind = type(fetches)
    if kind is list or kind is tuple:
        for item in fetches:
            if isinstance(item, (list, tuple, dict)):
                return None
        try:
            return (kind, tuple(fetches))
        except TypeError:
            return None
    if kind is dict:
        return None
    try:
        hash(fetches)
    except TypeError:
        return None
    return fetches


class _DeviceAttributes:
    """An entry of `Session.list_devices()`."""

    __slots__ = ("name", "device_type", "memory_limit_bytes", "incarnation")

    def __init__(self, name, device_type, memory_limit_bytes, incarnation):
        self.name, self.device_type = name, device_type
        self.memory_limit_bytes, self.incarnation = memory_limit_bytes, incarnation

    def __repr__(self):
        return "_DeviceAttributes(%s, %s, %d, %d)" % (self.name, self.device_type, self.memory_limit_bytes,
                                                      self.incarnation)


class _RunSignature:
    """Everything cached for one (fetch structure, feed keys) signature."""

    __slots__ = ("plan", "build", "converters", "element_values")

    def __init__(self, plan, build, converters, element_values):
        self.plan = plan
        self.build = build
        self.converters = converters
        self.element_values = element_values


def _feed_converter(tensor):
    """A function that checks and converts one fed value for `tensor` (dtype, static shape).

    As TF1, values are converted with NumPy's casting: floats fed to an integer tensor are truncated
    toward zero. Unlike a bare NumPy cast, values that the integer dtype cannot hold (2**40 for int32,
    -1 for uint8, NaN) are a ValueError naming the tensor, never a silent wrap-around.
    """
    dtype = tensor.dtype.np
    shape = tensor.shape.as_tuple()
    name = tensor.name
    is_string = tensor.dtype.name == "string"
    integer_range = np.iinfo(dtype) if dtype.kind in "iu" else None

    def shape_error(array):
        return ValueError("Cannot feed value of shape %s for Tensor '%s', which has shape '%s'"
                          % (tuple(array.shape), name, format_shape(tensor.shape)))

    def value_error(value, reason):
        text = repr(value)
        if len(text) > 80:
            text = text[:60] + " ... " + text[-15:]
        return ValueError("Cannot feed value %s for Tensor '%s' with dtype %s: %s"
                          % (text, name, tensor.dtype.name, reason))

    def check_integer_range(value, source):
        if source.dtype.kind == "f" and not np.isfinite(source).all():
            raise value_error(value, "NaN and infinity have no integer value")
        low, high = source.min(), source.max()
        if low < integer_range.min or high > integer_range.max:
            values = "%s is" % low if low == high else "values from %s to %s are" % (low, high)
            raise value_error(value, "%s out of range for %s [%d, %d]"
                              % (values, tensor.dtype.name, integer_range.min, integer_range.max))

    def convert_numeric(value):
        try:
            source = np.asarray(value)
        except (TypeError, ValueError) as exc:
            raise value_error(value, exc) from None
        if integer_range is not None and source.dtype.kind in "iuf" and source.dtype != dtype and source.size:
            check_integer_range(value, source)
        try:
            return np.asarray(source, dtype=dtype)
        except OverflowError:
            raise value_error(value, "out of range for %s [%d, %d]"
                              % (tensor.dtype.name, integer_range.min, integer_range.max)
                              if integer_range is not None else "out of range") from None
        except (TypeError, ValueError) as exc:
            raise value_error(value, exc) from None

    def convert(value):
        if type(value) is np.ndarray and value.dtype == dtype:
            array = value
        else:
            if isinstance(value, (Tensor, Operation)) or hasattr(value, "_as_graph_element"):
                raise TypeError("The value of a feed cannot be a tf.Tensor object. Acceptable feed values "
                                "include Python scalars, strings, lists, numpy ndarrays. (fed to '%s')" % name)
            if is_string:
                try:
                    array = np.asarray(value, dtype=object)
                except (TypeError, ValueError) as exc:
                    raise value_error(value, exc) from None
            else:
                array = convert_numeric(value)
        if shape is not None:
            got = array.shape
            if len(got) != len(shape):
                raise shape_error(array)
            for want, have in zip(shape, got):
                if want is not None and want != have:
                    raise shape_error(array)
        return array

    return convert


def _split_composite_feeds(feed_dict):
    """The feeds with each SparseTensor key replaced by its component tensors and their fed parts."""
    split = {}
    for key, value in feed_dict.items():
        splitter = getattr(type(key), "_split_feed", None)
        split.update(splitter(key, value) if splitter is not None else {key: value})
    return split


class BaseSession:
    """Shared machinery of Session and InteractiveSession."""

    def __init__(self, target="", graph=None, config=None):
        self._graph = graph if graph is not None else get_default_graph()
        if not isinstance(self._graph, Graph):
            raise TypeError("graph must be a tf.Graph, but got %s" % type(self._graph))
        self._config = config if isinstance(config, dict) else {}
        self._state = SessionState(self._graph, self._config.get("rewrites"))
        # A Session without a config takes tf.config.threading's settings, as TF's does.
        thread_config = config if config is not None else _config_module.session_config_defaults()
        self._state.intra_op_threads = threads.intra_op_threads(thread_config)
        self._state.inter_op_threads = threads.inter_op_threads(thread_config)
        self._placement = PlacementPolicy.from_config(config)
        self._state.gpus = self._placement.gpus
        self._signatures = {}
        self._plans = {}
        self._lock = threading.RLock()
        self._closed = False
        self._context_stack = []

    @property
    def graph(self):
        return self._graph

    @property
    def graph_def(self):
        return self._graph

    @property
    def sess_str(self):
        return ""

    def list_devices(self):
        """The devices this Session can run ops on: `_DeviceAttributes(name, device_type, memory_limit_bytes,
        incarnation)`, the host's CPU first, then its GPUs."""
        return [_DeviceAttributes(backend.name, backend.device_type,
                                  getattr(backend, "memory_limit_bytes", 268435456), 0)
                for backend in self._placement.devices()]

    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Computes `fetches` (any nesting of Tensors, Operations, Variables, names) given `feed_dict`."""
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        if feed_dict and any(hasattr(type(key), "_split_feed") for key in feed_dict):
            feed_dict = _split_composite_feeds(feed_dict)
        feed_keys = tuple(feed_dict) if feed_dict else ()
        fetch_key = _fetch_cache_key(fetches)
        signature = None
        if fetch_key is not None:
            signature = self._signatures.get((fetch_key, feed_keys, self._graph._version))
        if signature is None:
            signature = self._prepare(fetches, feed_keys, fetch_key)
        if feed_keys:
            converters = signature.converters
            values = [convert(value) for convert, value in zip(converters, feed_dict.values())]
            results = signature.plan(values)
        else:
            results = signature.plan(())
        return signature.build(signature.element_values(results))

    def _prepare(self, fetches, feed_keys, fetch_key):
        graph = self._graph
        mapping = _Fetches(graph, fetches, self)
        feed_tensors = []
        for key in feed_keys:
            try:
                tensor = graph.as_graph_element(key, allow_tensor=True, allow_operation=False)
            except KeyError as exc:
                raise ValueError("Cannot interpret feed_dict key as Tensor: %s" % exc.args[0]) from None
            except TypeError as exc:
                raise TypeError("Cannot interpret feed_dict key as Tensor: %s" % exc) from None
            except ValueError as exc:
                raise ValueError("Cannot interpret feed_dict key as Tensor: %s" % exc) from None
            feed_tensors.append(tensor)
        if len(set(feed_tensors)) != len(feed_tensors):
            raise ValueError("The same tensor is fed twice in feed_dict")
        plan_key = (tuple(mapping.elements), tuple(feed_tensors), graph._version)
        with self._lock:
            plan = self._plans.get(plan_key)
            if plan is None:
                placement = None
                if self._placement.needed_for(graph):
                    placement = self._placement.place(mapping.tensors, mapping.ops, feed_tensors)
                    if not self._placement.gpus:
                        placement = None     # checked and logged; everything runs on the host
                plan = Plan(self._state, mapping.tensors, mapping.ops, feed_tensors, placement)
                self._plans[plan_key] = plan
        positions = [mapping.tensors.index(e) if isinstance(e, Tensor) else None for e in mapping.elements]

        def element_values(results):
            return [None if p is None else results[p] for p in positions]

        signature = _RunSignature(plan, mapping.build, [_feed_converter(t) for t in feed_tensors],
                                  element_values)
        if fetch_key is not None:
            self._signatures[(fetch_key, feed_keys, graph._version)] = signature
        return signature

    def partial_run_setup(self, fetches, feeds=None):
        raise NotImplementedError("partial_run is not supported by numflow")

    def make_callable(self, fetches, feed_list=None, accept_options=False):
        """Returns a function that runs `fetches` with positional values for `feed_list`."""
        feed_list = list(feed_list or [])

        def call(*args, **kwargs):
            return self.run(fetches, dict(zip(feed_list, args)))
        return call

    def close(self):
        """Frees the session's variable values; later `run` calls raise RuntimeError."""
        self._closed = True
        self._signatures.clear()
        self._plans.clear()
        self._state.close()
        self._state = SessionState(self._graph, self._config.get("rewrites"))
        # A run in another thread that passed the closed check just before may still compile a plan
        # against this fresh state: its queues must start cancelled rather than block forever.
        self._state.close()

    def as_default(self):
        """A context manager making this the default session (for `Tensor.eval`, `Operation.run`)."""
        return _default_session(self)

    def __enter__(self):
        graph_context = self._graph.as_default()
        graph_context.__enter__()
        session_context = _default_session(self)
        session_context.__enter__()
        self._context_stack.append((graph_context, session_context))
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        graph_context, session_context = self._context_stack.pop()
        session_context.__exit__(exc_type, exc_value, traceback)
        graph_context.__exit__(exc_type, exc_value, traceback)
        self.close()
        return False


class Session(BaseSession):
    """`tf.Session(target='', graph=None, config=None)`: runs a graph's ops; a context manager."""

    @staticmethod
    def reset(target, containers=None, config=None):
        pass


class InteractiveSession(BaseSession):
    """A Session that installs itself as the default session (and its graph as default) on creation."""

    def __init__(self, target="", graph=None, config=None):
        super().__init__(target, graph, config)
        self._graph_context = self._graph.as_default()
        self._graph_context.__enter__()
        self._session_context = _default_session(self)
        self._session_context.__enter__()
        self._default_installed = True

    def close(self):
        super().close()
        if getattr(self, "_default_installed", False):
            self._default_installed = False
            _discard_default_session(self)
            self._graph_context.__exit__(None, None, None)


# --- the default session -------------------------------------------------------------------------
_session_state = threading.local()


def _session_stack():
    stack = getattr(_session_state, "stack", None)
    if stack is None:
        stack = _session_state.stack = []
    return stack


@contextlib.contextmanager
def _default_session(session):
    stack = _session_stack()
    stack.append(session)
    try:
        yield session
    finally:
        if session in stack:
            del stack[len(stack) - 1 - stack[::-1].index(session)]


def _discard_default_session(session):
    stack = _session_stack()
    if session in stack:
        stack.remove(session)


def get_default_session():
    """The innermost default session of this thread, or None."""
    stack = _session_stack()
    return stack[-1] if stack else None


def _run_with_default_session(element, feed_dict, session, what):
    if session is None:
        session = get_default_session()
        if session is None:
            raise ValueError("Cannot %s: No default session is registered. Use `with sess.as_default()` "
                             "or pass an explicit session to `%s(session=sess)`"
                             % (what, "eval" if "eval" in what else "run"))
    if session.graph is not element.graph:
        raise ValueError("Cannot use the given session to %s: the %s's graph is different from the "
                         "session's graph." % (what, "tensor" if isinstance(element, Tensor) else "operation"))
    return session.run(element, feed_dict)

