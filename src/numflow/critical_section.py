"""`tf.CriticalSection`: runs functions of the graph serially with respect to each other.

`CriticalSection.execute(fn)` traces `fn`'s ops into one op (as `tf.cond` traces a branch) whose kernel
runs them, as a sub-plan, while holding the section's lock in the Session (`ctx.resources`). So two
executions of one section never interleave, whether in one `Session.run` or in concurrent ones from
several threads, and an error inside `fn` releases the lock with the op's failure.
"""
import threading

import numpy as np

from .framework import dtypes
from .framework.graph import Operation, Tensor, control_dependencies, name_scope
from .framework.op_def import OpDef, register
from .framework.tensor_shape import TensorShape
from .ops.common import make_op
from .ops.control import _branch_outputs, _null, _pack, _Signature, _subplan, _trace, _Trace
from .ops.data_flow import session_resource

__all__ = ["CriticalSection"]

_building = threading.local()    # the sections whose `fn` is being traced in this thread


@register
class MutexV2(OpDef):
    """A CriticalSection's lock; outputs its name (a string handle)."""

    stateful = True
    differentiable = False
    foldable = False

    def infer(self, op):
        return [(dtypes.string, TensorShape([]))]

    def kernel(self, op, ctx):
        handle = np.array((op.attrs["shared_name"] or op.name).encode(), dtype=object)
        return lambda: handle


def _section_lock(ctx, mutex_op):
    shared_name = mutex_op.attrs["shared_name"]
    key = ("critical_section", shared_name) if shared_name else ("critical_section", mutex_op)
    return session_resource(ctx, key, threading.Lock)


@register
class CriticalSectionExecute(OpDef):
    """Runs the traced function's ops holding the section's lock; outputs the function's results."""

    stateful = True
    differentiable = False

    def infer(self, op):
        return [(s.dtype, s.shape) for s in op.attrs["output_signature"]]

    def kernel(self, op, ctx):
        trace = op.attrs["trace"]
        fetches = [t for t in trace.outputs if isinstance(t, Tensor)]
        targets = [t for t in trace.outputs if isinstance(t, Operation)]
        body = _subplan(ctx, op, "body", fetches, targets, op.attrs["captured"])
        lock = _section_lock(ctx, op.attrs["mutex"])
        single = len(op._outputs) == 1

        def run_serially(*values):
            with lock:
                result = body(values)
            if not op._outputs:
                return None
            return result[0] if single else tuple(result)
        return run_serially


class CriticalSection:
    """`tf.CriticalSection(name=None, shared_name=None, critical_section_def=None, import_scope=None)`:
    a lock in the graph; `execute(fn)` runs fn's ops while holding it, so executions of one section
    happen one at a time. Sections with the same `shared_name` share their lock within a Session."""

    def __init__(self, name=None, shared_name=None, critical_section_def=None, import_scope=None):
        if critical_section_def is not None:
            raise ValueError("numflow does not serialize CriticalSections: critical_section_def is not supported")
        self._handle = make_op("MutexV2", [], {"shared_name": shared_name or ""},
                               name=name or "CriticalSection").outputs[0]
        self._name = self._handle.op.name

    @property
    def name(self):
        return self._name

    def execute(self, fn, exclusive_resource_access=True, name=None):
        """`execute(fn, exclusive_resource_access=True, name=None)`: the results of `fn()` (a structure
        of tensors, or an op), computed while holding this section's lock. ValueError when called from
        within `fn` of the same section (it would deadlock), and, with `exclusive_resource_access`, when a
        variable `fn` uses is also used by another section's execution that asked for exclusive access
        (or when this one does)."""
        stack = _building.__dict__.setdefault("stack", [])
        if self in stack:
            raise ValueError("Attempting to lock a CriticalSection in which we are already running. This is "
                             "illegal and may cause deadlocks.")
        with name_scope(name, "critical_section_execute"):
            stack.append(self)
            try:
                graph, start, _, result = _trace(fn)
            finally:
                stack.pop()
            outputs = _branch_outputs(result)
            trace = _Trace(graph, start, len(graph._ops), outputs)
            self._check_resources(graph, trace.variables, exclusive_resource_access)
            signature = [_Signature(t.dtype, t.shape) for t in outputs if isinstance(t, Tensor)]
            with control_dependencies(trace.control) if trace.control else _null():
                op = make_op("CriticalSectionExecute", list(trace.captured),
                             {"trace": trace, "captured": list(trace.captured), "mutex": self._handle.op,
                              "output_signature": signature, "implicit_inputs": trace.variables},
                             name="Execute")
        produced = iter(op.outputs)
        flat = [next(produced) if isinstance(item, Tensor) else (op if isinstance(item, Operation) else None)
                for item in outputs]
        if not isinstance(result, (list, tuple, dict)):
            return flat[0] if flat else op
        return _pack(result, flat)

    def _check_resources(self, graph, variables, exclusive):
        """TF's rule: a variable may be used by executions of several sections only when none of them
        asked for exclusive access."""
        executions = graph.__dict__.setdefault("_critical_section_executions", [])
        used = set(variables)
        for section, other_variables, other_exclusive in executions:
            if section is self or not (exclusive or other_exclusive):
                continue
            shared = sorted(t.op.name for t in used & other_variables)
            if shared:
                raise ValueError("This execution would access resources: %s. Either this lock (CriticalSection: "
                                 "%s) or lock (CriticalSection: %s) requested exclusive resource access of this "
                                 "resource. Did you mean to call execute with keyword argument "
                                 "exclusive_resource_access=False?" % (shared, self._name, section.name))
        executions.append((self, used, exclusive))


