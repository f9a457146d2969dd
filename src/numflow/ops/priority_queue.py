"""`tf.PriorityQueue`: a queue whose first component is an int64 scalar priority; dequeues hand out the
elements with the smallest priority first (elements of equal priority in the order they came).

It is one of the queues of `data_flow.py` (same enqueue/dequeue/close ops, blocking and
tf.errors.OutOfRangeError once closed); only the container of its elements differs: a heap.
"""
import heapq
import itertools

from ..framework import dtypes as _dtypes
from ..framework.op_def import register
from ..framework.tensor_shape import TensorShape
from . import data_flow
from .data_flow import QueueBase, _as_shape_list, _as_type_list, _make_queue, _QueueOp

__all__ = ["PriorityQueue"]


class _PriorityElements:
    """A heap of queue elements keyed by (priority, arrival), with the deque methods the queue uses."""

    def __init__(self):
        self._heap = []
        self._arrival = itertools.count()

    def append(self, element):
        heapq.heappush(self._heap, (int(element[0]), next(self._arrival), element))

    def popleft(self):
        return heapq.heappop(self._heap)[2]

    def __len__(self):
        return len(self._heap)


@register
class PriorityQueueV2(_QueueOp):
    """A queue handing out the element with the smallest int64 priority (component 0) first."""


data_flow._QUEUE_KINDS["PriorityQueueV2"] = "PriorityQueue"
data_flow.ELEMENT_CONTAINERS["PriorityQueueV2"] = _PriorityElements


class PriorityQueue(QueueBase):
    """`tf.PriorityQueue(capacity, types, shapes=None, names=None, shared_name=None, name='priority_queue')`:
    elements are (priority, *components) with an int64 scalar priority first; `dtypes`/`shapes` of the
    queue are `[tf.int64] + types` and `[()] + shapes`. `shapes` (fully defined, one per type) is
    required, as in TF, whose op has no default for it. `names`, when given, name every component,
    the priority included."""

    def __init__(self, capacity, types, shapes=None, names=None, shared_name=None, name="priority_queue"):
        types = _as_type_list(types)
        if shapes is None:
            raise TypeError("tf.PriorityQueue needs `shapes`: one fully defined shape per component of "
                            "`types` (got None)")
        shapes = _as_shape_list(shapes, types)
        if len(shapes) != len(types):
            raise ValueError("Queue shapes must have the same length as dtypes: %d shapes for %d dtypes"
                             % (len(shapes), len(types)))
        super().__init__(*_make_queue("PriorityQueueV2", capacity, [_dtypes.int64] + types,
                                      [TensorShape([])] + shapes, names, shared_name, name))
