"""`tf.TensorArray`: a list of same-dtype tensors written and read by index, inside or outside
`tf.while_loop`, with gradients.

numflow's TensorArray is functional: its `flow` tensor carries the whole array, a NumPy array of shape
[size] + element_shape whose rows are the elements, and every write returns a new TensorArray whose flow
is a new array (the old one is never changed). TF1's programs use TensorArrays exactly this way (each
`write` returns the TensorArray to use next), and the representation makes the rest follow from
numflow's existing machinery: a TensorArray is a loop variable of `tf.while_loop` like any tensor, and
the gradient of a flow is an ordinary dense tensor of the same shape, so `tf.gradients` (and the loop's
backpropagation) sum and pass it like any other.

Each element of one array has one shape (TF1 allows `concat`/`split` of elements whose first dimension
differs; numflow does not, and says so with UnimplementedError). A flow value remembers which rows were
written, for TF1's errors on writing an index twice and on reading an index that was never written
while the element shape is unknown; unwritten rows read as zeros once the element shape is known.

Writing stays O(rows written), not O(size): the flow values of one array share a growable `_Storage`
that records, per row, which version of the chain wrote it. A write to the newest version (what a loop
of `ta = ta.write(i, x)` always does) adds its rows in place and returns the next version, a view of
the same storage; older versions still see only their own rows, since a row is never written twice. A
write to an older version (a branch) copies what that version holds into a new storage first.
"""
import threading

import numpy as np

from ..framework import dtypes, errors
from ..framework.graph import Tensor, convert_to_tensor, name_scope
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape
from .common import make_op, make_tensor

__all__ = ["TensorArray"]


class _Storage:
    """The rows shared by a chain of flow values: `data` has room for at least the largest of them, and
    `written_at[i]` is the version that wrote row i (0: none yet). `newest` is the chain's last version,
    the only one a write may extend in place."""

    def __init__(self, data, written_at, newest):
        self.data = data
        self.written_at = written_at
        self.newest = newest
        self.lock = threading.Lock()

    def make_room(self, size):
        """Grow `data` (doubling, so that a loop of n writes copies O(n) rows in all) to hold `size` rows."""
        capacity = self.data.shape[0]
        if size <= capacity:
            return
        capacity = max(size, 2 * capacity)
        data = _zeros((capacity,) + self.data.shape[1:], None, like=self.data)
        data[:self.data.shape[0]] = self.data
        written_at = np.zeros(capacity, np.int64)
        written_at[:self.written_at.shape[0]] = self.written_at
        self.data, self.written_at = data, written_at


class _Buffer(np.ndarray):
    """A flow value: the rows are the elements, a view of its chain's `_Storage` at `version`. `pending`
    is True while nothing has been written to an array whose element shape is unknown (its shape is then
    [size] and it holds no data yet)."""

    # A host object (its rows' bookkeeping lives in Python): plans hand it to ops on any device as it is.
    _numflow_host_only = True

    def __array_finalize__(self, obj):
        self.storage = getattr(obj, "storage", None)
        self.version = getattr(obj, "version", 0)
        self.pending = getattr(obj, "pending", False)

    @property
    def written(self):
        """A bool per row: written by this version or an earlier one."""
        return _written_rows(self, np.arange(self.shape[0]))


def _flow_value(storage, version, size, pending=False):
    out = storage.data[:size].view(_Buffer)
    out.storage, out.version, out.pending = storage, version, pending
    return out


def _new_array(rows, pending=False):
    """Version 0 of a new chain holding `rows`, none of them written yet."""
    return _flow_value(_Storage(rows, np.zeros(rows.shape[0], np.int64), 0), 0, rows.shape[0], pending)


def _written_rows(flow, indices):
    """Whether each of the rows at `indices` (all < flow's size) was written; all True for a plain array."""
    storage = getattr(flow, "storage", None)
    if storage is None:
        return np.ones(np.shape(indices), bool)
    stamps = storage.written_at[indices]
    return (stamps > 0) & (stamps <= flow.version)


def _zeros(shape, dtype, like=None):
    """Zeros (b'' for strings) of `dtype`, or of the dtype of the array `like`."""
    if dtype is dtypes.string or (like is not None and like.dtype == object):
        return np.full(shape, b"", dtype=object)
    return np.zeros(shape, dtype=like.dtype if like is not None else dtype.np)


def _element_rows(flow, op, what, element_shape):
    """The rows of `flow` with unwritten rows read as zeros; InvalidArgumentError where TF1 raises one."""
    if getattr(flow, "pending", False):
        if flow.shape[0] == 0:
            if element_shape.is_fully_defined():
                return _zeros([0] + element_shape.as_list(), op.attrs["dtype"])
        raise errors.InvalidArgumentError(
            None, op, "TensorArray: Could not %s from TensorArray: nothing was written to it and the element "
            "shape is not fully defined: %s" % (what, element_shape))
    written = _written_rows(flow, np.arange(flow.shape[0]))
    if written.all():
        return np.asarray(flow)
    data = np.array(flow)
    data[~written] = _zeros((), op.attrs["dtype"])
    return data


def _index_error(op, verb, index, size):
    return errors.InvalidArgumentError(
        None, op, "TensorArray: Tried to %s index %d but array %s size is: %d"
        % (verb, index, "is not resizeable and" if verb == "write to" else "", size))


def _store(op, flow, indices, rows):
    """A new flow value: `flow` with `rows[k]` written at `indices[k]` (growing a dynamic-size array)."""
    indices = np.asarray(indices, dtype=np.int64).reshape(-1)
    size = flow.shape[0]
    if len(np.unique(indices)) != len(indices):
        raise errors.InvalidArgumentError(None, op, "TensorArray: Could not write to TensorArray: indices %s "
                                          "repeat an index" % indices.tolist())
    for index in indices:
        if index < 0 or (index >= size and not op.attrs["dynamic_size"]):
            raise _index_error(op, "write to", int(index), size)
    pending = getattr(flow, "pending", False)
    element_shape = rows.shape[1:]
    if not pending and flow.shape[1:] != element_shape:
        raise errors.InvalidArgumentError(
            None, op, "TensorArray: Could not write to TensorArray index %d because the value shape is %s "
            "which is incompatible with the TensorArray's inferred element shape: %s"
            % (int(indices[0]) if len(indices) else 0, list(element_shape), list(flow.shape[1:])))
    inside = indices[indices < size]
    if not pending and inside.size:
        already = inside[_written_rows(flow, inside)]
        if already.size:
            raise errors.InvalidArgumentError(
                None, op, "TensorArray: Could not write to TensorArray index %d because it has already been "
                "written to." % already[0])
    new_size = max([size] + [int(i) + 1 for i in indices])
    storage = None if pending else getattr(flow, "storage", None)
    if storage is not None:
        with storage.lock:
            if flow.version == storage.newest:
                return _extend(storage, indices, rows, new_size)
    return _extend(_branch(op, flow, pending, element_shape, new_size), indices, rows, new_size)


def _extend(storage, indices, rows, size):
    """The chain's next version, of `size` rows: its newest with `rows` written at `indices`, in place."""
    storage.make_room(size)
    version = storage.newest + 1
    storage.data[indices] = rows
    storage.written_at[indices] = version
    storage.newest = version
    return _flow_value(storage, version, size)


def _branch(op, flow, pending, element_shape, size):
    """A new chain of `size` rows whose version 0 holds what `flow` holds (nothing when pending)."""
    data = _zeros((size,) + element_shape, op.attrs["dtype"])
    written_at = np.zeros(size, np.int64)
    if not pending:
        held = flow.shape[0]
        data[:held] = flow
        written_at[:held] = _written_rows(flow, np.arange(held))
    return _Storage(data, written_at, 0)


def _flow_shape(size, element_shape):
    if element_shape.ndims is None:
        return TensorShape(None)
    return TensorShape([size]).concatenate(element_shape)


def _static_size(flow):
    return flow.shape[0].value if flow.shape.ndims else None


# --- ops -------------------------------------------------------------------------------------------
@register
class TensorArrayV3(OpDef):
    """A new array of `size` unwritten elements (its flow value)."""

    host_only = True    # flow values are NumPy views of a shared host storage that records the written rows
    stateful = True        # each TensorArray is a new object: never merged with an equal-looking one
    differentiable = False

    def infer(self, op):
        element_shape = op.attrs["element_shape"]
        size = op.attrs["static_size"]
        if element_shape.is_fully_defined():
            return [(op.attrs["dtype"], _flow_shape(size, element_shape))]
        return [(op.attrs["dtype"], TensorShape(None))]

    def kernel(self, op, ctx):
        element_shape = op.attrs["element_shape"]
        dtype = op.attrs["dtype"]

        def create(size):
            size = int(size)
            if size < 0:
                raise errors.InvalidArgumentError(None, op, "TensorArray: size must be >= 0, got %d" % size)
            if element_shape.is_fully_defined():
                return _new_array(_zeros([size] + element_shape.as_list(), dtype))
            return _new_array(_zeros([size], dtype), pending=True)
        return create


class _FlowOp(OpDef):
    """An op returning a new flow: its static shape is the array's size and learned element shape."""

    stateful = True
    host_only = True    # flow values are NumPy views of a shared host storage that records the written rows

    def infer(self, op):
        return [(op.attrs["dtype"], _flow_shape(op.attrs["static_size"], op.attrs["element_shape"]))]


@register
class TensorArrayScatterV3(_FlowOp):
    """The array with `value[k]` written at `indices[k]` (write and unstack are scatters too)."""

    def kernel(self, op, ctx):
        def scatter(flow, indices, value):
            value = np.asarray(value)
            if np.ndim(indices) == 0:
                return _store(op, flow, [indices], value[None])
            if value.shape[:1] != np.shape(indices):
                raise errors.InvalidArgumentError(
                    None, op, "TensorArray: Could not scatter: %d indices but the value's first dimension is %s"
                    % (np.size(indices), value.shape[:1]))
            return _store(op, flow, indices, value)
        return scatter

    def grad(self, op, d_flow):
        flow, indices, value = op.inputs
        if d_flow is None:
            return [None, None, None]
        d_value = make_tensor("TensorArrayGatherV3", [d_flow, indices],
                              {"dtype": value.dtype, "element_shape": _row_shape(value, indices)},
                              name="scatter_grad_value")
        d_rest = make_tensor("TensorArrayClearRows", [d_flow, indices, flow], {"dtype": d_flow.dtype},
                             name="scatter_grad_flow")
        return [d_rest, None, d_value]


def _row_shape(value, indices):
    """The shape of one element given a scattered value (its rows) or a written value (itself)."""
    if indices.shape.ndims == 0:
        return value.shape
    return value.shape[1:] if value.shape.ndims else TensorShape(None)


@register
class TensorArrayGatherV3(OpDef):
    """The elements at `indices` stacked (a scalar index: the element itself, TF's read)."""

    host_only = True    # flow values are NumPy views of a shared host storage that records the written rows

    def infer(self, op):
        indices = op.inputs[1]
        element_shape = op.attrs["element_shape"]
        if indices.shape.ndims == 0:
            return [(op.attrs["dtype"], element_shape)]
        if element_shape.ndims is None or indices.shape.ndims is None:
            return [(op.attrs["dtype"], TensorShape(None))]
        return [(op.attrs["dtype"], indices.shape.concatenate(element_shape))]

    def kernel(self, op, ctx):
        element_shape = op.attrs["element_shape"]

        def gather(flow, indices):
            size = flow.shape[0]
            flat = np.asarray(indices).reshape(-1)
            for index in flat:
                if index < 0 or index >= size:
                    raise errors.InvalidArgumentError(
                        None, op, "TensorArray: Tried to read from index %d but array size is: %d" % (index, size))
            pending = getattr(flow, "pending", False)
            written = None if pending else _written_rows(flow, flat)
            if pending or (not written.all() and flow.ndim == 1 and not element_shape.is_fully_defined()):
                missing = [int(i) for k, i in enumerate(flat) if pending or not written[k]]
                raise errors.InvalidArgumentError(
                    None, op, "TensorArray: Could not read from TensorArray index %d: it was never written and "
                    "the element shape is not fully defined: %s" % (missing[0], element_shape))
            rows = np.array(np.asarray(flow)[np.asarray(indices)])
            if not written.all():
                rows[~written.reshape(np.shape(indices))] = _zeros((), op.attrs["dtype"])
            return rows
        return gather

    def grad(self, op, dy):
        flow, indices = op.inputs
        return [make_tensor("TensorArrayScatterGrad", [flow, indices, dy], {"dtype": dy.dtype},
                            name="gather_grad"), None]


@register
class TensorArrayConcatV3(OpDef):
    """All elements joined along their first dimension, and each element's length (int64)."""

    host_only = True    # flow values are NumPy views of a shared host storage that records the written rows

    def infer(self, op):
        element_shape = op.attrs["element_shape"]
        lengths = TensorShape([op.attrs["static_size"]])
        if element_shape.ndims is None:
            return [(op.attrs["dtype"], TensorShape(None)), (dtypes.int64, lengths)]
        if element_shape.ndims == 0:
            raise ValueError("Concat saw a scalar shape, but requires rank >= 1 elements")
        size, first = op.attrs["static_size"], element_shape[0].value
        joined = size * first if size is not None and first is not None else None
        return [(op.attrs["dtype"], TensorShape([joined]).concatenate(element_shape[1:])),
                (dtypes.int64, lengths)]

    def kernel(self, op, ctx):
        element_shape = op.attrs["element_shape"]

        def concat(flow):
            rows = _element_rows(flow, op, "concat", element_shape)
            if rows.ndim < 2:
                raise errors.InvalidArgumentError(
                    None, op, "TensorArray: Concat saw a scalar shape at index 0, but requires at least vectors")
            lengths = np.full(rows.shape[0], rows.shape[1], dtype=np.int64)
            return rows.reshape((-1,) + rows.shape[2:]), lengths
        return concat

    def grad(self, op, d_value, d_lengths):
        from .array import reshape, shape
        if d_value is None:
            return [None]
        return [reshape(d_value, shape(op.inputs[0]))]


@register
class TensorArraySplitV3(_FlowOp):
    """The array with `value` cut along its first dimension into elements of the given `lengths`."""

    def kernel(self, op, ctx):
        def split(flow, value, lengths):
            value = np.asarray(value)
            lengths = np.asarray(lengths).reshape(-1)
            if value.ndim < 1 or int(np.sum(lengths)) != value.shape[0] or (lengths < 0).any():
                raise errors.InvalidArgumentError(
                    None, op, "TensorArray: Expected sum of lengths to be equal to values.shape[0], but sum of "
                    "lengths is %d and value's shape is: %s" % (int(np.sum(lengths)), list(value.shape)))
            if len(lengths) and (lengths != lengths[0]).any():
                raise errors.UnimplementedError(
                    None, op, "TensorArray.split: numflow's TensorArray holds elements of one shape, so the "
                    "lengths must all be equal, got %s" % lengths.tolist())
            count = len(lengths)
            rows = value.reshape((count, int(lengths[0]) if count else 0) + value.shape[1:])
            return _store(op, flow, np.arange(count), rows)
        return split

    def grad(self, op, d_flow):
        from .array import reshape, shape
        flow, value, lengths = op.inputs
        if d_flow is None:
            return [None, None, None]
        indices = _range_of(lengths)
        rows = make_tensor("TensorArrayGatherV3", [d_flow, indices],
                           {"dtype": value.dtype, "element_shape": TensorShape(None)}, name="split_grad_value")
        d_rest = make_tensor("TensorArrayClearRows", [d_flow, indices, flow], {"dtype": d_flow.dtype},
                             name="split_grad_flow")
        return [d_rest, reshape(rows, shape(value)), None]


def _range_of(vector):
    from .array import range as _range, size
    return _range(size(vector))


@register
class TensorArraySizeV3(OpDef):
    """The number of elements (int32 scalar)."""

    host_only = True    # flow values are NumPy views of a shared host storage that records the written rows
    differentiable = False

    def infer(self, op):
        return [(dtypes.int32, TensorShape([]))]

    def kernel(self, op, ctx):
        return lambda flow: np.int32(np.shape(flow)[0])


# Gradient helpers: they turn the gradient of what was read into the gradient of the flow, and back.
@register
class TensorArrayScatterGrad(OpDef):
    """Zeros shaped like `flow` with `dy`'s rows added at `indices` (the gradient of gather/read)."""

    host_only = True    # flow values are NumPy views of a shared host storage that records the written rows

    def infer(self, op):
        return [(op.attrs["dtype"], op.inputs[0].shape)]

    def kernel(self, op, ctx):
        def scatter_grad(flow, indices, dy):
            out = np.zeros(np.shape(flow), dtype=op.attrs["dtype"].np)
            if np.ndim(indices) == 0:
                out[indices] += dy
            else:
                np.add.at(out, np.asarray(indices), dy)
            return out
        return scatter_grad

    def grad(self, op, d_out):
        flow, indices, dy = op.inputs
        return [None, None, make_tensor("TensorArrayGatherV3", [d_out, indices],
                                        {"dtype": dy.dtype, "element_shape": _row_shape(dy, indices)})]


@register
class TensorArrayClearRows(OpDef):
    """`d_flow` with the rows at `indices` zeroed, cut to `flow`'s size (the gradient a write passes to
    the array it wrote into: what it overwrote had no effect)."""

    host_only = True    # flow values are NumPy views of a shared host storage that records the written rows

    def infer(self, op):
        return [(op.attrs["dtype"], op.inputs[2].shape)]

    def kernel(self, op, ctx):
        def clear(d_flow, indices, flow):
            if getattr(flow, "pending", False):
                return np.zeros(np.shape(flow), dtype=op.attrs["dtype"].np)
            out = np.array(np.asarray(d_flow)[:np.shape(flow)[0]])
            flat = np.asarray(indices).reshape(-1)
            out[flat[flat < out.shape[0]]] = 0
            return out
        return clear

    def grad(self, op, d_out):
        d_flow, indices, flow = op.inputs
        from .array import pad, shape
        from .math import subtract
        # Rows past flow's size were cut: pad them back as zeros.
        extra = subtract(shape(d_flow)[0], shape(d_out)[0])
        rank = d_flow.shape.ndims
        if rank is None:
            return [None, None, None]
        from .array import stack, zeros
        paddings = stack([stack([0, extra])] + [zeros([2], dtypes.int32)] * (rank - 1))
        cleared = make_tensor("TensorArrayClearRows", [d_out, indices, d_out], {"dtype": d_out.dtype})
        return [pad(cleared, paddings), None, None]


# --- the TensorArray object ------------------------------------------------------------------------
class TensorArray:
    """`tf.TensorArray(dtype, size=None, dynamic_size=None, clear_after_read=None, tensor_array_name=None,
    handle=None, flow=None, infer_shape=True, element_shape=None, colocate_with_first_write_call=True,
    name=None)`: a list of `size` tensors of `dtype`, written once each and read by index.

    `write`, `scatter`, `unstack` and `split` return a new TensorArray (use it, as in TF1); `read`,
    `gather`, `stack` and `concat` return tensors. With `dynamic_size=True` writes past the end grow the
    array. With `infer_shape=True` (default) every element must have the shape of the first one written
    (or `element_shape`). Everything is differentiable: the gradient reaches the written values.
    `clear_after_read` is accepted; numflow never frees an element on read, so a second read of one
    index returns the value again where TF1 would raise.
    """

    def __init__(self, dtype, size=None, dynamic_size=None, clear_after_read=None, tensor_array_name=None,
                 handle=None, flow=None, infer_shape=True, element_shape=None,
                 colocate_with_first_write_call=True, name=None):
        if handle is not None:
            raise ValueError("TensorArray(handle=...) is not supported: numflow's TensorArray is its flow; "
                             "pass flow= instead")
        if flow is None and size is None:
            raise ValueError("Size must be provided if handle is not provided")
        if flow is not None and size is not None:
            raise ValueError("Cannot provide both a flow and size at the same time")
        self._dtype = dtypes.as_dtype(dtype)
        self._dynamic_size = bool(dynamic_size)
        self._clear_after_read = True if clear_after_read is None else bool(clear_after_read)
        self._infer_shape = infer_shape
        # One list shared by every TensorArray derived from this one: the element shape learned so far.
        self._shape_cell = [TensorShape(element_shape)]
        if flow is not None:
            self._flow = convert_to_tensor(flow)
            self._static_size = _static_size(self._flow)
            if self._flow.shape.ndims:
                self._shape_cell[0] = self._shape_cell[0].merge_with(self._flow.shape[1:])
            return
        with name_scope(name, "TensorArray"):
            size = convert_to_tensor(size, dtype=dtypes.int32, name="size")
            if size.shape.ndims not in (None, 0):
                raise ValueError("TensorArray size must be a scalar, got shape %s" % size.shape)
            static = _constant_value(size)
            self._static_size = None if self._dynamic_size else static
            self._flow = make_tensor("TensorArrayV3", [size],
                                     {"dtype": self._dtype, "element_shape": self._shape_cell[0],
                                      "static_size": self._static_size},
                                     name=tensor_array_name or "TensorArrayV3")

    def _derive(self, flow):
        out = TensorArray.__new__(TensorArray)
        out.__dict__.update(self.__dict__)
        out._flow = flow
        return out

    # while_loop / cond carry a TensorArray as its flow tensor.
    def _to_flow(self):
        return self._flow

    def _from_flow(self, flow):
        return self._derive(flow)

    @property
    def flow(self):
        """The tensor holding the array (numflow's flow is the array itself)."""
        return self._flow

    handle = flow

    @property
    def dtype(self):
        return self._dtype

    @property
    def dynamic_size(self):
        return self._dynamic_size

    @property
    def element_shape(self):
        """The element shape known so far (from `element_shape` and the writes)."""
        return self._shape_cell[0]

    def _merge_shape(self, shape):
        if not self._infer_shape:
            return
        current = self._shape_cell[0]
        if not current.is_compatible_with(shape):
            raise ValueError("Inconsistent shapes: saw %s but expected %s (and infer_shape=True)"
                             % (shape, current))
        self._shape_cell[0] = current.merge_with(shape)

    def _value(self, value, what):
        if isinstance(value, Tensor) and value.dtype is not self._dtype:
            raise ValueError("TensorArray dtype is %s but Op is trying to %s dtype %s"
                             % (self._dtype.name, what, value.dtype.name))
        return convert_to_tensor(value, dtype=self._dtype)

    def _attrs(self):
        return {"dtype": self._dtype, "element_shape": self._shape_cell[0], "static_size": self._static_size,
                "dynamic_size": self._dynamic_size}

    def identity(self):
        """A TensorArray whose flow is an identity of this one's (for control dependencies)."""
        from .control import identity
        return self._derive(identity(self._flow))

    def write(self, index, value, name=None):
        """Writes `value` at `index`; returns the new TensorArray."""
        with name_scope(name, "TensorArrayWrite"):
            value = self._value(value, "write")
            index = convert_to_tensor(index, dtype=dtypes.int32, name="index")
            self._merge_shape(value.shape)
            return self._derive(make_tensor("TensorArrayScatterV3", [self._flow, index, value], self._attrs(),
                                            name="TensorArrayWriteV3"))

    def scatter(self, indices, value, name=None):
        """Writes `value[k]` at `indices[k]`; returns the new TensorArray."""
        with name_scope(name, "TensorArrayScatter"):
            value = self._value(value, "scatter")
            indices = convert_to_tensor(indices, dtype=dtypes.int32, name="indices")
            if value.shape.ndims is not None:
                self._merge_shape(value.shape[1:])
            return self._derive(make_tensor("TensorArrayScatterV3", [self._flow, indices, value],
                                            self._attrs(), name="TensorArrayScatterV3"))

    def unstack(self, value, name=None):
        """Writes the rows of `value` (along its first dimension) as elements 0, 1, ...; returns the new
        TensorArray."""
        from .array import range as _range, shape
        with name_scope(name, "TensorArrayUnstack"):
            value = self._value(value, "unstack")
            return self.scatter(_range(shape(value)[0]), value)

    def split(self, value, lengths, name=None):
        """Cuts `value` along its first dimension into elements of `lengths`; returns the new TensorArray.
        numflow needs all lengths equal (UnimplementedError otherwise)."""
        with name_scope(name, "TensorArraySplit"):
            value = self._value(value, "split")
            lengths = convert_to_tensor(lengths, dtype=dtypes.int64, name="lengths")
            if value.shape.ndims is not None:
                static = _constant_value(lengths)
                first = static[0] if static is not None and len(static) and (static == static[0]).all() else None
                self._merge_shape(TensorShape([first]).concatenate(value.shape[1:]))
            return self._derive(make_tensor("TensorArraySplitV3", [self._flow, value, lengths], self._attrs(),
                                            name="TensorArraySplitV3"))

    def read(self, index, name=None):
        """The element at `index`."""
        index = convert_to_tensor(index, dtype=dtypes.int32, name="index")
        return make_tensor("TensorArrayGatherV3", [self._flow, index], self._attrs(),
                           name=name or "TensorArrayReadV3")

    def gather(self, indices, name=None):
        """The elements at `indices`, stacked into one tensor."""
        indices = convert_to_tensor(indices, dtype=dtypes.int32, name="indices")
        return make_tensor("TensorArrayGatherV3", [self._flow, indices], self._attrs(),
                           name=name or "TensorArrayGatherV3")

    def stack(self, name=None):
        """All elements stacked into one tensor [size] + element_shape."""
        from .array import range as _range
        with name_scope(name, "TensorArrayStack"):
            out = self.gather(_range(self.size()))
            if self._static_size is not None and out.shape.ndims is not None:
                out.set_shape(TensorShape([self._static_size]).concatenate(out.shape[1:]))
            return out

    def concat(self, name=None):
        """All elements joined along their first dimension."""
        op = make_op("TensorArrayConcatV3", [self._flow], self._attrs(), name=name or "TensorArrayConcatV3")
        return op.outputs[0]

    def size(self, name=None):
        """The number of elements (an int32 scalar tensor)."""
        return make_tensor("TensorArraySizeV3", [self._flow], {}, name=name or "TensorArraySizeV3")

    def close(self, name=None):
        """An op that closes the array (numflow frees nothing: flows are ordinary values)."""
        from .control import no_op
        return no_op(name=name or "TensorArrayCloseV3")


def _constant_value(tensor):
    """The value of a tensor built from constants only, else None."""
    if tensor.op.type == "Const":
        value = tensor.op.attrs.get("value")
        return None if value is None else np.asarray(value)
    return None
