"""Session tensor handles: `tf.get_session_handle`, `tf.get_session_tensor`, `tf.delete_session_tensor`.

A handle is a string naming a value kept in the Session between runs (in `ctx.resources`, so each Session
has its own store): fetching `get_session_handle(x)` stores x's value and returns a `TensorHandle`;
feeding the handle string to the placeholder of `get_session_tensor` gives the value back in a later run
without copying it through Python feeds; `delete_session_tensor` drops it from the store.
"""
import itertools
import threading

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework import errors
from ..framework.graph import Tensor, name_scope
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape
from .common import make_op
from .constant import placeholder
from .data_flow import _op_error, session_resource

__all__ = ["get_session_handle", "get_session_tensor", "delete_session_tensor", "TensorHandle"]

_DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0"


class _TensorStore:
    """The values a Session keeps for handles, and the counter that makes handle names unique."""

    def __init__(self):
        self.values = {}
        self.ids = itertools.count()
        self.lock = threading.Lock()


def _store(ctx):
    return session_resource(ctx, "session_tensor_store", _TensorStore)


def _handle_of(value):
    handle = value.item() if isinstance(value, np.ndarray) else value
    return handle.decode() if isinstance(handle, bytes) else str(handle)


def _missing(op, handle):
    return _op_error(errors.InvalidArgumentError, op, "The tensor with handle '%s' is not in the session store."
                     % handle)


class _SessionStateOp(OpDef):
    stateful = True
    differentiable = False
    foldable = False


@register
class GetSessionHandle(_SessionStateOp):
    """Stores its input in the Session; outputs the string handle naming it."""

    def infer(self, op):
        return [(_dtypes.string, TensorShape([]))]

    def kernel(self, op, ctx):
        store = _store(ctx)

        def keep(value):
            with store.lock:
                handle = "%s;%d;%s" % (op.name, next(store.ids), _DEVICE)
                # A private copy: the producer's array may be a variable's buffer updated in place later.
                store.values[handle] = np.array(value, copy=True)
            return np.array(handle.encode(), dtype=object)
        return keep


@register
class GetSessionTensor(_SessionStateOp):
    """The value stored under the handle fed as input (attr dtype: its declared type)."""

    def infer(self, op):
        return [(op.attrs["dtype"], TensorShape(None))]

    def kernel(self, op, ctx):
        store = _store(ctx)
        dtype = op.attrs["dtype"]

        def fetch(handle_value):
            handle = _handle_of(handle_value)
            value = store.values.get(handle)
            if value is None:
                raise _missing(op, handle)
            if value.dtype != dtype.np:
                raise _op_error(errors.InternalError, op, "Output 0 of type %s does not match declared output type "
                                "%s for node %s" % (_dtypes.as_dtype(value.dtype).name, dtype.name, op.name))
            return value
        return fetch


@register
class DeleteSessionTensor(_SessionStateOp):
    """Removes the value stored under the handle fed as input."""

    def infer(self, op):
        return []

    def kernel(self, op, ctx):
        store = _store(ctx)

        def delete(handle_value):
            handle = _handle_of(handle_value)
            with store.lock:
                if store.values.pop(handle, None) is None:
                    raise _op_error(errors.InvalidArgumentError, op, "Failed to delete a tensor with handle '%s' "
                                    "in the session store." % handle)
        return delete


class TensorHandle:
    """What `Session.run` returns for a `tf.get_session_handle` tensor: the handle string (`handle`) of a
    value kept in that Session, with `eval()` to fetch the value and `delete()` to drop it."""

    def __init__(self, handle, dtype, session):
        self._handle = handle.decode() if isinstance(handle, bytes) else str(handle)
        self._dtype = _dtypes.as_dtype(dtype)
        self._session = session

    def __str__(self):
        return self._handle

    def __repr__(self):
        return "<TensorHandle '%s' dtype=%s>" % (self._handle, self._dtype.name)

    @property
    def handle(self):
        """The string naming the value in the Session's store (feed it to get_session_tensor)."""
        return self._handle

    def get_raw_handle(self):
        return self._handle

    def _ops(self, kind):
        """(placeholder, op) of `kind` for this dtype, built once per graph and reused."""
        graph = self._session.graph
        cache = graph.__dict__.setdefault("_session_handle_ops", {})
        key = (kind, self._dtype)
        if key not in cache:
            with graph.as_default(), name_scope(None):
                cache[key] = (get_session_tensor(self._handle, self._dtype) if kind == "get"
                              else delete_session_tensor(self._handle))
        return cache[key]

    def eval(self):
        """The value this handle names, fetched from its Session."""
        holder, tensor = self._ops("get")
        return self._session.run(tensor, feed_dict={holder: self._handle})

    def delete(self):
        """Drops the value from its Session's store."""
        holder, deleter = self._ops("delete")
        self._session.run(deleter, feed_dict={holder: self._handle})


def wrap_fetched_handle(value, tensor, session):
    """Session.run's result for a fetched GetSessionHandle tensor: a TensorHandle."""
    return TensorHandle(_handle_of(value), tensor.op.inputs[0].dtype, session)


def get_session_handle(data, name=None):
    """`tf.get_session_handle(data, name=None)`: a string tensor which, when run, keeps `data`'s value in
    the Session; `Session.run` returns it as a `TensorHandle`."""
    if not isinstance(data, Tensor):
        raise TypeError("`data` must be of type Tensor.")
    return make_op("GetSessionHandle", [data], name=name or "GetSessionHandle").outputs[0]


def _handle_placeholder(handle):
    if not isinstance(handle, (str, bytes, TensorHandle)):
        raise TypeError("`handle` must be a string handle (e.g. TensorHandle.handle), got %r" % (handle,))
    return placeholder(_dtypes.string)


def get_session_tensor(handle, dtype, name=None):
    """`tf.get_session_tensor(handle, dtype, name=None)`: `(holder, tensor)`: feed a handle string to the
    string placeholder `holder` and `tensor` is the value of `dtype` stored under it."""
    holder = _handle_placeholder(handle)
    tensor = make_op("GetSessionTensor", [holder], {"dtype": _dtypes.as_dtype(dtype)},
                     name=name or "GetSessionTensor").outputs[0]
    return holder, tensor


def delete_session_tensor(handle, name=None):
    """`tf.delete_session_tensor(handle, name=None)`: `(holder, deleter)`: running the op `deleter` with a
    handle string fed to `holder` removes that value from the Session's store."""
    holder = _handle_placeholder(handle)
    deleter = make_op("DeleteSessionTensor", [holder], name=name or "DeleteSessionTensor")
    return holder, deleter

