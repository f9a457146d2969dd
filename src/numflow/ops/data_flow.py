"""TF1's queues: `tf.FIFOQueue`, `tf.RandomShuffleQueue`, `tf.PaddingFIFOQueue` (and `tf.count_up_to`).

A queue is a resource of the running Session: its elements live in `ctx.resources`, keyed by the queue's
op (or by its `shared_name`), so one graph has independent queues in independent Sessions, as in TF. The
queue's op outputs a handle (`queue_ref`); the enqueue/dequeue/close/size ops take that handle as a ref
input, which the plan never computes: their kernels find the queue's state when the plan is compiled.

Blocking follows TF: a dequeue waits until enough elements are there (or the queue is closed, then
tf.errors.OutOfRangeError), an enqueue waits while the queue is full (tf.errors.CancelledError once it is
closed). Several threads may run these kernels at once (queue runners): every state change happens under
the queue's `threading.Condition`. Closing the Session cancels every pending operation so that no thread
stays blocked on a queue nobody can reach any more.
"""
import collections
import itertools
import threading

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework import errors
from ..framework.graph import convert_to_tensor, name_scope
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape, as_shape, format_shape
from .common import make_op

__all__ = ["QueueBase", "FIFOQueue", "RandomShuffleQueue", "PaddingFIFOQueue", "count_up_to"]

_resource_lock = threading.Lock()


def _op_error(error_class, op, message):
    return error_class(None, op, "%s\n\t [[node %s (op: %s)]]" % (message, op.name, op.type))


def session_resource(ctx, key, create):
    """The resource stored under `key` in the Session `ctx`, made by `create()` the first time (once, even
    when several threads compile plans at the same moment)."""
    resource = ctx.resources.get(key)
    if resource is None:
        with _resource_lock:
            resource = ctx.resources.get(key)
            if resource is None:
                resource = ctx.resources[key] = create()
                if hasattr(resource, "session_closed"):
                    ctx.add_close_callback(resource.session_closed)
    return resource


# --- the queue's state inside one Session ---------------------------------------------------------
class _QueueState:
    """The elements of one queue in one Session, and the condition its blocked callers wait on.

    Each element is a tuple with one NumPy array per component. A RandomShuffleQueue takes a uniformly
    random element (the Session's generator for the queue op, so a seeded queue repeats its order)."""

    def __init__(self, kind, resource_name, capacity, component_dtypes, component_shapes,
                 min_after_dequeue=0, rng=None, pad=False):
        self.kind = kind
        self.resource_name = resource_name
        self.capacity = capacity
        self.dtypes = component_dtypes
        self.shapes = component_shapes
        self.min_after_dequeue = min_after_dequeue
        self.rng = rng
        self.pad = pad
        self.condition = threading.Condition()
        self.elements = [] if rng is not None else collections.deque()
        self.closed = False
        self.cancelled = False
        self.enqueue_generation = 0   # bumped by close(cancel_pending_enqueues=True)

    # -- waiting --------------------------------------------------------------------------------
    def _wait(self, op, verb, generation=None):
        """Waits for a change; CancelledError once the Session closed or, for enqueues, when the pending
        enqueues were cancelled meanwhile."""
        self.condition.wait()
        self._check_cancelled(op, verb, generation)

    def _check_cancelled(self, op, verb, generation=None):
        if self.cancelled or (generation is not None and generation != self.enqueue_generation):
            raise _op_error(errors.CancelledError, op, "%s operation was cancelled" % verb)

    def session_closed(self):
        """The Session closed: every pending and later operation is cancelled."""
        with self.condition:
            self.cancelled = True
            self.condition.notify_all()

    # -- enqueue --------------------------------------------------------------------------------
    def _full(self):
        return 0 <= self.capacity <= len(self.elements)

    def enqueue(self, rows, op):
        """Appends the elements `rows` one by one, waiting for room when the queue is full."""
        with self.condition:
            self._check_cancelled(op, "Enqueue")
            if self.closed:
                raise _op_error(errors.CancelledError, op, "%s '%s' is closed." % (self.kind, self.resource_name))
            generation = self.enqueue_generation
            for row in rows:
                while self._full():
                    self._wait(op, "Enqueue", generation)
                self.elements.append(row)
                self.condition.notify_all()

    # -- dequeue --------------------------------------------------------------------------------
    def take(self, count, op, up_to=False):
        """Removes `count` elements (fewer, but at least one, with `up_to` once the queue is closed),
        waiting until they are there; OutOfRangeError when a closed queue has too few."""
        with self.condition:
            while True:
                self._check_cancelled(op, "Dequeue")
                size = len(self.elements)
                if self.closed:
                    # A closed queue no longer keeps min_after_dequeue elements back.
                    if size >= count:
                        break
                    if up_to and size > 0:
                        count = size
                        break
                    raise _op_error(errors.OutOfRangeError, op,
                                    "%s '%s' is closed and has insufficient elements (requested %d, current "
                                    "size %d)" % (self.kind, self.resource_name, count, size))
                if count == 0 or size - count >= self.min_after_dequeue:
                    break
                self._wait(op, "Dequeue")
            taken = [self._pop() for _ in range(count)]
            self.condition.notify_all()
            return taken

    def _pop(self):
        if self.rng is None:
            return self.elements.popleft()
        elements = self.elements
        index = int(self.rng.integers(len(elements)))
        elements[index], elements[-1] = elements[-1], elements[index]
        return elements.pop()

    def close(self, cancel_pending_enqueues):
        with self.condition:
            self.closed = True
            if cancel_pending_enqueues:
                self.enqueue_generation += 1
            self.condition.notify_all()

    def size(self):
        with self.condition:
            return len(self.elements)

    # -- batches --------------------------------------------------------------------------------
    def stack(self, taken):
        """One array per component holding the `taken` elements along a new first axis (padded to the
        batch's largest element with zeros or empty strings in a PaddingFIFOQueue)."""
        batch = []
        for index, (dtype, shape) in enumerate(zip(self.dtypes, self.shapes)):
            parts = [element[index] for element in taken]
            if not parts:
                batch.append(np.zeros((0,) + tuple(shape.as_list()), dtype=dtype.np))
            elif self.pad:
                batch.append(_padded_stack(parts, dtype))
            else:
                batch.append(np.stack(parts))
        return batch


def _padded_stack(parts, dtype):
    """Stacks arrays of one rank, padding each to the largest size of every dimension."""
    target = tuple(max(dims) for dims in zip(*[part.shape for part in parts]))
    fill = b"" if dtype is _dtypes.string else 0
    out = np.full((len(parts),) + target, fill, dtype=dtype.np)
    for position, part in enumerate(parts):
        out[(position,) + tuple(slice(0, d) for d in part.shape)] = part
    return out


# --- ops ------------------------------------------------------------------------------------------
_QUEUE_KINDS = {"FIFOQueueV2": "FIFOQueue", "RandomShuffleQueueV2": "RandomShuffleQueue",
                "PaddingFIFOQueueV2": "PaddingFIFOQueue"}


# Queue kinds defined in other modules (tf.PriorityQueue) keep their elements in their own container: a
# factory per op type of an object with append(element), popleft() and len().
ELEMENT_CONTAINERS = {}


class _QueueOp(OpDef):
    """A queue: outputs its handle, a string naming the queue's resource."""

    stateful = True
    differentiable = False
    foldable = False

    def infer(self, op):
        return [(_dtypes.string, TensorShape([]))]

    def kernel(self, op, ctx):
        state = queue_state(ctx, op)
        handle = np.array(state.resource_name.encode(), dtype=object)
        return lambda: handle


@register
class FIFOQueueV2(_QueueOp):
    """A first-in first-out queue."""


@register
class RandomShuffleQueueV2(_QueueOp):
    """A queue handing out its elements in random order, keeping min_after_dequeue back until closed."""


@register
class PaddingFIFOQueueV2(_QueueOp):
    """A FIFO queue whose dequeue_many pads each component to the batch's largest element."""


def queue_state(ctx, queue_op):
    """The `_QueueState` of `queue_op` (a queue op) in the Session `ctx`."""
    attrs = queue_op.attrs
    shared_name = attrs.get("shared_name")
    key = ("queue", shared_name) if shared_name else ("queue", queue_op)

    def create():
        kind = _QUEUE_KINDS[queue_op.type]
        counter = ctx.resources.setdefault("queue_counter", itertools.count())
        resource_name = shared_name or "_%d_%s" % (next(counter), queue_op.name)
        capacity, minimum = attrs["capacity"], attrs.get("min_after_dequeue", 0)
        if queue_op.type == "RandomShuffleQueueV2" and capacity >= 0 and minimum >= capacity:
            raise _op_error(errors.InvalidArgumentError, queue_op,
                            "min_after_dequeue %d must be < capacity %d" % (minimum, capacity))
        rng = ctx.random_generator(queue_op) if queue_op.type == "RandomShuffleQueueV2" else None
        shapes = attrs["shapes"] or [TensorShape(None)] * len(attrs["dtypes"])
        state = _QueueState(kind, resource_name, capacity, list(attrs["dtypes"]), list(shapes), minimum, rng,
                            pad=queue_op.type == "PaddingFIFOQueueV2")
        if queue_op.type in ELEMENT_CONTAINERS:
            state.elements = ELEMENT_CONTAINERS[queue_op.type]()
        return state

    state = session_resource(ctx, key, create)
    if state.dtypes != list(attrs["dtypes"]) or state.capacity != attrs["capacity"]:
        raise _op_error(errors.InvalidArgumentError, queue_op,
                        "Shared queue '%s' has component types %s and capacity %d, this op asks for %s and %d"
                        % (shared_name, [d.name for d in state.dtypes], state.capacity,
                           [d.name for d in attrs["dtypes"]], attrs["capacity"]))
    return state


def queue_op_of(handle):
    """The queue op whose handle is `handle` (a Tensor); TypeError for anything else."""
    if handle.op.type not in _QUEUE_KINDS:
        raise TypeError("Expected the handle of a queue (the queue_ref of a tf.QueueBase), got %s (op type %s)"
                        % (handle.name, handle.op.type))
    return handle.op


class _QueueAccess(OpDef):
    """An op on a queue: input 0 is the queue's handle, resolved when the plan is compiled."""

    stateful = True
    differentiable = False
    foldable = False
    ref_inputs = (0,)


def _stored(value):
    """A private copy of a component value; fed Python str in a string tensor becomes UTF-8 bytes, the
    representation TF's string tensors have."""
    array = np.array(value)
    if array.dtype == object:
        flat = array.reshape(-1)
        for index, item in enumerate(flat):
            if isinstance(item, str):
                flat[index] = item.encode("utf-8")
    return array


def _row_checker(state, op, component_offset=0):
    """Checks one element's component arrays against the queue's shapes (InvalidArgumentError)."""
    shapes = state.shapes

    def check(values):
        for index, (shape, value) in enumerate(zip(shapes, values)):
            if not shape.is_compatible_with(value.shape[component_offset:]):
                raise _op_error(errors.InvalidArgumentError, op,
                                "Shape mismatch in tuple component %d. Expected %s, got %s"
                                % (index, format_shape(shape), list(value.shape[component_offset:])))
    return check


@register
class QueueEnqueueV2(_QueueAccess):
    """Enqueues one element (a tuple of component tensors)."""

    def infer(self, op):
        return []

    def kernel(self, op, ctx):
        state = queue_state(ctx, queue_op_of(op.inputs[0]))
        check = _row_checker(state, op)

        def enqueue(*values):
            # Copied: the queue must not keep views of buffers (variables) that later steps update.
            row = tuple(_stored(value) for value in values)
            check(row)
            state.enqueue([row], op)
        return enqueue


@register
class QueueEnqueueManyV2(_QueueAccess):
    """Enqueues the slices along dimension 0 of its component tensors, one element each."""

    def infer(self, op):
        return []

    def kernel(self, op, ctx):
        state = queue_state(ctx, queue_op_of(op.inputs[0]))
        check = _row_checker(state, op, component_offset=1)

        def enqueue_many(*values):
            values = [_stored(value) for value in values]
            counts = {value.shape[0] if value.ndim else None for value in values}
            if len(counts) != 1 or None in counts:
                raise _op_error(errors.InvalidArgumentError, op,
                                "Expected every component of enqueue_many to have the same first dimension, "
                                "got shapes %s" % [list(v.shape) for v in values])
            check(values)
            # value[i, ...] is an array even for one element of a string vector (value[i] would be bytes).
            rows = [tuple(value[i, ...] for value in values) for i in range(counts.pop())]
            state.enqueue(rows, op)
        return enqueue_many


def _component_signature(op, leading=None):
    """The dequeued components' (dtype, shape): the queue's shapes, after a batch dimension `leading`."""
    queue_op = queue_op_of(op.inputs[0])
    shapes = queue_op.attrs["shapes"] or [TensorShape(None)] * len(queue_op.attrs["dtypes"])
    if leading is False:
        return [(dtype, shape) for dtype, shape in zip(queue_op.attrs["dtypes"], shapes)]
    return [(dtype, TensorShape([leading]).concatenate(shape))
            for dtype, shape in zip(queue_op.attrs["dtypes"], shapes)]


def _kernel_result(components):
    """A kernel returns its only output bare, several as a tuple."""
    return components[0] if len(components) == 1 else tuple(components)


@register
class QueueDequeueV2(_QueueAccess):
    """Dequeues one element."""

    def infer(self, op):
        return _component_signature(op, leading=False)

    def kernel(self, op, ctx):
        state = queue_state(ctx, queue_op_of(op.inputs[0]))

        def dequeue():
            return _kernel_result(state.take(1, op)[0])
        return dequeue


class _DequeueBatch(_QueueAccess):
    """Dequeues `n` elements as a batch along a new first dimension."""

    up_to = False

    def infer(self, op):
        n = op.inputs[1]
        if n.dtype is not _dtypes.int32:
            raise TypeError("Input 'n' of '%s' Op has type %s that does not match expected type of int32."
                            % (self.type, n.dtype.name))
        n.shape.with_rank(0)
        static_n = None
        if n.op.type == "Const" and not self.up_to:
            static_n = int(n.op.attrs["value"])
        return _component_signature(op, leading=static_n)

    def kernel(self, op, ctx):
        queue_op = queue_op_of(op.inputs[0])
        state = queue_state(ctx, queue_op)
        up_to = self.up_to
        if not state.pad and not all(shape.is_fully_defined() for shape in state.shapes):
            message = "%s's DequeueMany and DequeueUpTo require the components to have specified shapes." \
                % state.kind

            def unsupported(n):
                raise _op_error(errors.InvalidArgumentError, op, message)
            return unsupported

        def dequeue_batch(n):
            n = int(n)
            if n < 0:
                raise _op_error(errors.InvalidArgumentError, op, "Dequeue count must be >= 0, got %d" % n)
            return _kernel_result(state.stack(state.take(n, op, up_to=up_to)))
        return dequeue_batch


@register
class QueueDequeueManyV2(_DequeueBatch):
    """Dequeues exactly n elements."""


@register
class QueueDequeueUpToV2(_DequeueBatch):
    """Dequeues n elements, or fewer (at least one) once the queue is closed."""

    up_to = True


@register
class QueueCloseV2(_QueueAccess):
    """Closes the queue, optionally cancelling the enqueues waiting for room."""

    def infer(self, op):
        return []

    def kernel(self, op, ctx):
        state = queue_state(ctx, queue_op_of(op.inputs[0]))
        cancel = bool(op.attrs["cancel_pending_enqueues"])
        return lambda: state.close(cancel)


@register
class QueueSizeV2(_QueueAccess):
    """The number of elements in the queue."""

    def infer(self, op):
        return [(_dtypes.int32, TensorShape([]))]

    def kernel(self, op, ctx):
        state = queue_state(ctx, queue_op_of(op.inputs[0]))
        return lambda: np.int32(state.size())


@register
class QueueIsClosedV2(_QueueAccess):
    """Whether the queue is closed."""

    def infer(self, op):
        return [(_dtypes.bool, TensorShape([]))]

    def kernel(self, op, ctx):
        state = queue_state(ctx, queue_op_of(op.inputs[0]))
        return lambda: np.bool_(state.closed)


# --- the Python classes ---------------------------------------------------------------------------
def _as_type_list(dtypes):
    if isinstance(dtypes, (list, tuple)):
        return [_dtypes.as_dtype(d) for d in dtypes]
    return [_dtypes.as_dtype(dtypes)]


def _as_shape_list(shapes, dtypes, unknown_dim_allowed=False):
    """The queue's component shapes (None: unknown), as TF reads the `shapes` argument: one shape given as
    a list of ints stands for the single component."""
    if shapes is None:
        return None
    if isinstance(shapes, TensorShape):
        shapes = [shapes]
    if not isinstance(shapes, (list, tuple)):
        raise TypeError("shapes must be a list of shapes or None, got %r" % (shapes,))
    if all(s is None or isinstance(s, (int, np.integer)) for s in shapes):
        shapes = [shapes]
    shapes = [as_shape(s) for s in shapes]
    if not unknown_dim_allowed and any(not s.is_fully_defined() for s in shapes):
        raise ValueError("All shapes must be fully defined: %s" % shapes)
    return shapes


def _as_name_list(names, dtypes):
    if names is None:
        return None
    if not isinstance(names, (list, tuple)):
        names = [names]
    if len(names) != len(dtypes):
        raise ValueError("List of names must have the same length as the list of dtypes")
    return list(names)


class QueueBase:
    """`tf.QueueBase`: the operations of every queue (enqueue, dequeue, close, size) built as ops on the
    queue's handle `queue_ref`. Elements are tuples of tensors with the queue's `dtypes` (and `shapes`
    when given); with `names`, elements are dicts keyed by those names."""

    def __init__(self, dtypes, shapes, names, queue_ref):
        self._dtypes = list(dtypes)
        self._shapes = list(shapes) if shapes is not None else [TensorShape(None)] * len(self._dtypes)
        self._names = list(names) if names is not None else None
        self._queue_ref = queue_ref
        self._name = queue_ref.op.name.split("/")[-1]

    @property
    def queue_ref(self):
        return self._queue_ref

    @property
    def name(self):
        return self._queue_ref.op.name

    @property
    def dtypes(self):
        return self._dtypes

    @property
    def shapes(self):
        return self._shapes

    @property
    def names(self):
        return self._names

    def _check_enqueue_values(self, vals):
        """The components of `vals` in the queue's order: a dict (queues with names), or a tensor, list
        or tuple of tensors (queues without)."""
        if isinstance(vals, dict):
            if not self._names:
                raise ValueError("Queue must have names to enqueue a dictionary")
            if sorted(self._names) != sorted(vals.keys()):
                raise ValueError("Keys in dictionary to enqueue do not match names of Queue.  Dictionary: (%s), "
                                 "Queue: (%s)" % (sorted(vals.keys()), sorted(self._names)))
            vals = [vals[k] for k in self._names]
        else:
            if self._names:
                raise ValueError("You must enqueue a dictionary in a Queue with names")
            if not isinstance(vals, (list, tuple)):
                vals = [vals]
        if len(vals) != len(self._dtypes):
            raise ValueError("Expected %d components to enqueue (the queue's dtypes %s), got %d"
                             % (len(self._dtypes), [d.name for d in self._dtypes], len(vals)))
        return [convert_to_tensor(v, dtype=dtype, name="component_%d" % i)
                for i, (v, dtype) in enumerate(zip(vals, self._dtypes))]

    def enqueue(self, vals, name=None):
        """Enqueues one element `vals`; the op waits while the queue is full and fails with
        tf.errors.CancelledError once it is closed."""
        with name_scope(name, "%s_enqueue" % self._name) as scope:
            tensors = self._check_enqueue_values(vals)
            for tensor, shape in zip(tensors, self._shapes):
                shape.assert_is_compatible_with(tensor.shape)
            return make_op("QueueEnqueueV2", [self._queue_ref] + tensors, name=scope)

    def enqueue_many(self, vals, name=None):
        """Enqueues each slice along dimension 0 of the tensors `vals` as one element."""
        with name_scope(name, "%s_EnqueueMany" % self._name) as scope:
            tensors = self._check_enqueue_values(vals)
            batch = TensorShape(None)
            for tensor, shape in zip(tensors, self._shapes):
                known = tensor.shape.with_rank_at_least(1)
                if known.ndims is not None:
                    batch = batch.merge_with(TensorShape(known.dims[:1]))
                    shape.assert_is_compatible_with(TensorShape(known.dims[1:]))
            return make_op("QueueEnqueueManyV2", [self._queue_ref] + tensors, name=scope)

    def _dequeued(self, op):
        tensors = op.outputs
        if self._names:
            return dict(zip(self._names, tensors))
        return tensors[0] if len(tensors) == 1 else tensors

    def dequeue(self, name=None):
        """Dequeues one element: a tensor (one component), a list, or a dict (queues with names). The op
        waits for an element; tf.errors.OutOfRangeError when the queue is closed and empty."""
        op = make_op("QueueDequeueV2", [self._queue_ref], {"component_types": self._dtypes},
                     name=name or "%s_Dequeue" % self._name)
        return self._dequeued(op)

    def _dequeue_batch(self, op_type, n, name, default_name):
        name = name or "%s_%s" % (self._name, default_name)
        with name_scope(name) as scope:
            n = convert_to_tensor(n, dtype=_dtypes.int32, name="n")
            op = make_op(op_type, [self._queue_ref, n], {"component_types": self._dtypes}, name=scope)
        return self._dequeued(op)

    def dequeue_many(self, n, name=None):
        """Dequeues `n` elements concatenated along a new first dimension of size n. Waits for n elements;
        tf.errors.OutOfRangeError if the queue is closed with fewer."""
        return self._dequeue_batch("QueueDequeueManyV2", n, name, "DequeueMany")

    def dequeue_up_to(self, n, name=None):
        """Like dequeue_many, but once the queue is closed returns the (fewer than n, at least one)
        elements left; the first dimension is statically unknown."""
        return self._dequeue_batch("QueueDequeueUpToV2", n, name, "DequeueUpTo")

    def close(self, cancel_pending_enqueues=False, name=None):
        """Closes the queue: later enqueues fail, dequeues drain what is left. With
        `cancel_pending_enqueues`, the enqueues waiting for room fail with tf.errors.CancelledError."""
        return make_op("QueueCloseV2", [self._queue_ref],
                       {"cancel_pending_enqueues": bool(cancel_pending_enqueues)},
                       name=name or "%s_Close" % self._name)

    def is_closed(self, name=None):
        """A scalar bool: whether the queue is closed."""
        return make_op("QueueIsClosedV2", [self._queue_ref], name=name or "%s_IsClosed" % self._name).outputs[0]

    def size(self, name=None):
        """A scalar int32: the number of elements in the queue."""
        return make_op("QueueSizeV2", [self._queue_ref], name=name or "%s_Size" % self._name).outputs[0]


def _make_queue(op_type, capacity, dtypes, shapes, names, shared_name, name, extra_attrs=None,
                unknown_dim_allowed=False):
    dtypes = _as_type_list(dtypes)
    shapes = _as_shape_list(shapes, dtypes, unknown_dim_allowed)
    if shapes is not None and len(shapes) != len(dtypes):
        raise ValueError("Queue shapes must have the same length as dtypes: %d shapes for %d dtypes"
                         % (len(shapes), len(dtypes)))
    names = _as_name_list(names, dtypes)
    attrs = {"capacity": int(capacity), "dtypes": dtypes, "shapes": shapes, "shared_name": shared_name or ""}
    attrs.update(extra_attrs or {})
    queue_ref = make_op(op_type, [], attrs, name=name).outputs[0]
    return dtypes, shapes, names, queue_ref


class FIFOQueue(QueueBase):
    """`tf.FIFOQueue(capacity, dtypes, shapes=None, names=None, shared_name=None, name='fifo_queue')`: a
    queue of at most `capacity` elements handed out in first-in first-out order. `shapes` (fully
    defined) fixes each component's shape and is needed by dequeue_many/dequeue_up_to."""

    def __init__(self, capacity, dtypes, shapes=None, names=None, shared_name=None, name="fifo_queue"):
        super().__init__(*_make_queue("FIFOQueueV2", capacity, dtypes, shapes, names, shared_name, name))


class PaddingFIFOQueue(QueueBase):
    """`tf.PaddingFIFOQueue(capacity, dtypes, shapes, names=None, shared_name=None,
    name='padding_fifo_queue')`: a FIFOQueue whose `shapes` (required) may have None dimensions;
    dequeue_many pads every element of the batch to the largest one with zeros (empty strings)."""

    def __init__(self, capacity, dtypes, shapes, names=None, shared_name=None, name="padding_fifo_queue"):
        type_list = _as_type_list(dtypes)
        shape_list = _as_shape_list(shapes, type_list, unknown_dim_allowed=True) or []
        if len(shape_list) != len(type_list):
            raise ValueError("Shapes must be provided for all components, but received %d dtypes and %d shapes."
                             % (len(type_list), len(shape_list)))
        super().__init__(*_make_queue("PaddingFIFOQueueV2", capacity, dtypes, shapes, names, shared_name, name,
                                      unknown_dim_allowed=True))


class RandomShuffleQueue(QueueBase):
    """`tf.RandomShuffleQueue(capacity, min_after_dequeue, dtypes, shapes=None, names=None, seed=None,
    shared_name=None, name='random_shuffle_queue')`: dequeues take uniformly random elements, and wait
    while fewer than `min_after_dequeue` would stay behind (not once the queue is closed). With `seed`
    (or a graph seed), every Session draws the same order."""

    def __init__(self, capacity, min_after_dequeue, dtypes, shapes=None, names=None, seed=None,
                 shared_name=None, name="random_shuffle_queue"):
        from .random import get_seed
        seed1, seed2 = get_seed(seed)
        super().__init__(*_make_queue("RandomShuffleQueueV2", capacity, dtypes, shapes, names, shared_name,
                                      name, {"min_after_dequeue": int(min_after_dequeue), "seed": seed1,
                                             "seed2": seed2}))


# --- count_up_to ------------------------------------------------------------------------------------
_count_lock = threading.Lock()


@register
class CountUpTo(OpDef):
    """Increments an integer variable unless it reached `limit`; outputs the value before."""

    stateful = True
    updates_state = True
    differentiable = False
    ref_inputs = (0,)

    def infer(self, op):
        ref = op.inputs[0]
        if ref.dtype not in (_dtypes.int32, _dtypes.int64):
            raise TypeError("Input 'ref' of 'CountUpTo' Op has type %s that is not in the allowed list "
                            "int32, int64" % ref.dtype.name)
        ref.shape.with_rank(0)
        return [(ref.dtype, TensorShape([]))]

    def kernel(self, op, ctx):
        from .state import _uninitialized
        variable_op = op.inputs[0].op
        cell = ctx.variable_cell(variable_op)
        limit = op.attrs["limit"]

        def count_up_to():
            # Queue runner threads count epochs concurrently: read, test and increment as one step.
            with _count_lock:
                current = cell.value
                if current is None:
                    raise _uninitialized(variable_op)
                before = current.copy()
                if before >= limit:
                    raise _op_error(errors.OutOfRangeError, op, "Reached limit of %d" % limit)
                current += 1
            return before
        return count_up_to


def count_up_to(ref, limit, name=None):
    """`tf.count_up_to(ref, limit)`: increments the integer scalar variable `ref` and returns its value
    before the increment; tf.errors.OutOfRangeError ('Reached limit of N') once it reached `limit`."""
    ref = ref._ref if hasattr(ref, "_ref") else ref
    if ref.op.type != "VariableV2":
        raise TypeError("'%s' is not a variable: count_up_to needs a tf.Variable (got op type %s)"
                        % (ref.name, ref.op.type))
    return make_op("CountUpTo", [ref], {"limit": int(limit)}, name=name or "CountUpTo").outputs[0]
