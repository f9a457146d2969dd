"""Rewrite passes over a plan's program, kept apart from the ops; each one can be switched off.

`NUMFLOW_REWRITES` selects them: unset or 'all' runs every pass, 'none' runs none, or a comma list of
names ('constant_folding,cse'). `Session(config={'rewrites': [...]})` overrides it per session.
Every pass must leave every result bit-for-bit identical; the tests run programs both ways.
"""
import os

import numpy as np

PASSES = ("constant_folding", "identity_removal", "cse", "fuse_bias_relu", "fuse_mean_gradient",
          "narrow_bias_add", "dead_code")


class Program:
    """The ops a plan runs, in order, plus what the passes learned: folded constants and aliases."""

    def __init__(self, order, fetch_tensors, fed, state, placement=None):
        self.order = list(order)
        self.placement = placement   # {op: ArrayBackend} on a machine with a GPU, else None (all host)
        self.fetch_tensors = fetch_tensors
        self.fed = fed
        self.state = state
        self.constants = {}      # tensor -> value known at compile time
        self.alias = {}          # tensor -> tensor computing the same value
        self.fused = {}          # op -> (kernel, input tensors) replacing its own (fusion passes)
        self._used = None
        self._shared = None

    def resolve(self, tensor):
        while tensor in self.alias:
            tensor = self.alias[tensor]
        return tensor

    def host_context(self):
        """The kernels' context on the host, where constant folding computes (a plan inside an op placed
        on a device has that device's context as its state)."""
        from .. import backend
        context_for = getattr(self.state, "context_for", None)
        return context_for(backend.HOST) if context_for is not None else self.state

    def kernel_of(self, op):
        if op in self.fused:
            return self.fused[op][0]
        if self.placement is not None:
            return op._op_def.kernel(op, self.state.context_for(self.placement[op]))
        return op._op_def.kernel(op, self.state)

    def indexed_inputs_of(self, op):
        """(index in op.inputs, tensor) for each value the op's kernel reads; the index is None for the
        inputs of a fused kernel."""
        if op in self.fused:
            return [(None, self.resolve(t)) for t in self.fused[op][1]]
        ref_inputs = op._op_def.ref_inputs
        return [(i, self.resolve(t)) for i, t in enumerate(op._inputs) if i not in ref_inputs]

    def inputs_of(self, op):
        if op in self.fused:
            return [self.resolve(t) for t in self.fused[op][1]]
        ref_inputs = op._op_def.ref_inputs
        return [self.resolve(t) for i, t in enumerate(op._inputs) if i not in ref_inputs]

    def is_used(self, tensor):
        if self._used is None:
            used = {self.resolve(t) for t in self.fetch_tensors}
            for op in self.order:
                used.update(self.inputs_of(op))
            self._used = used
        return tensor in self._used

    def shares_storage(self, tensor):
        """Whether the value may be a buffer that outlives the run (constant, variable or view of one)."""
        if self._shared is None:
            shared = set(self.constants)
            for op in self.order:
                op_def = op._op_def
                if op_def.returns_shared or (op_def.may_alias_input
                                             and any(t in shared for t in self.inputs_of(op))):
                    shared.update(op._outputs)
            self._shared = shared
        return self.resolve(tensor) in self._shared


def enabled_passes(requested=None):
    if requested is None:
        requested = os.environ.get("NUMFLOW_REWRITES", "all")
    if isinstance(requested, str):
        requested = PASSES if requested in ("", "all") else () if requested == "none" else \
            tuple(name.strip() for name in requested.split(",") if name.strip())
    unknown = set(requested) - set(PASSES)
    if unknown:
        raise ValueError("Unknown rewrite pass(es) %s; known: %s" % (sorted(unknown), ", ".join(PASSES)))
    return tuple(requested)


def apply_all(program, requested=None):
    passes = enabled_passes(requested)
    fold_literals(program)
    for name in PASSES:
        if name in passes:
            globals()[name](program)


def _is_pure(op):
    op_def = op._op_def
    return not (op_def.stateful or op_def.updates_state or op_def.ref_inputs or op._control_inputs)


def fold_literals(program):
    """Const ops are values, not steps: always bound straight into the generated code."""
    kept = []
    for op in program.order:
        if op._op_def.type == "Const" and not op._control_inputs:
            program.constants[op._outputs[0]] = op._attrs["value"]
        else:
            kept.append(op)
    program.order = kept


def constant_folding(program):
    """Computes at compile time every pure op whose inputs are all known, and every op that only
    looks at its inputs' shapes when those are static."""
    kept = []
    host = program.host_context()
    for op in program.order:
        inputs = program.inputs_of(op)
        if not op._outputs:
            values = None
        elif op._op_def.shape_only and _is_pure(op) and all(t.shape.is_fully_defined() for t in inputs):
            values = [np.broadcast_to(np.zeros((), dtype=t.dtype.np), t.shape.as_tuple()) for t in inputs]
        elif _is_pure(op) and op._op_def.foldable and all(t in program.constants for t in inputs):
            values = [program.constants[t] for t in inputs]
        else:
            values = None
        if values is not None:
            try:
                value = op._op_def.kernel(op, host)(*values)
            except Exception:  # left to fail at run time, where the error names the op
                kept.append(op)
                continue
            outputs = op._outputs
            values = (value,) if len(outputs) == 1 else value
            for tensor, folded in zip(outputs, values):
                program.constants[tensor] = folded
        else:
            kept.append(op)
    program.order = kept


def identity_removal(program):
    """Drops Identity/StopGradient (their output is their input) and NoOp (ordering is already fixed).

    An Identity with control inputs (the `tuple`s tf.gradients builds, `with control_dependencies(...):
    tf.identity(x)`) goes too when x comes from a pure op: x's value cannot change while the step runs,
    and the plan's order already runs the control inputs before every reader. An Identity of a variable
    or other stateful value stays, since reading it after its control inputs (an assign) is its point."""
    kept = []
    for op in program.order:
        kind = op._op_def.type
        if kind == "NoOp":
            continue
        if kind in ("Identity", "StopGradient", "Snapshot"):
            source = program.resolve(op._inputs[0])
            if not op._control_inputs or _is_pure(source.op):
                program.alias[op._outputs[0]] = source
                continue
        kept.append(op)
    program.order = kept


def cse(program):
    """Merges pure ops of the same type, attributes and inputs into one."""
    seen = {}
    kept = []
    for op in program.order:
        if _is_pure(op):
            try:
                key = (op._op_def.type, tuple(program.inputs_of(op)),
                       tuple(sorted((k, _hashable(v)) for k, v in op._attrs.items())))
                hash(key)
            except TypeError:
                key = None
            if key is not None:
                first = seen.get(key)
                if first is not None:
                    for mine, theirs in zip(op._outputs, first._outputs):
                        program.alias[mine] = theirs
                    continue
                seen[key] = op
        kept.append(op)
    program.order = kept


def fuse_bias_relu(program):
    """Relu(Add(x, b)) / Relu(BiasAdd(x, b)) as one step that applies the relu in place on the sum's
    fresh buffer: one pass and one allocation fewer, the same bits."""
    readers = {}
    for op in program.order:
        for tensor in program.inputs_of(op):
            readers[tensor] = readers.get(tensor, 0) + 1
    fetched = {program.resolve(t) for t in program.fetch_tensors}
    position = {op: i for i, op in enumerate(program.order)}
    dropped = set()
    for op in program.order:
        if op._op_def.type != "Relu" or op in program.fused:
            continue
        summed = program.resolve(op._inputs[0])
        producer = summed._op
        if (producer not in position or producer in program.fused or not _is_pure(producer)
                or producer._op_def.type not in ("Add", "BiasAdd") or summed in fetched
                or readers.get(summed) != 1 or summed.dtype is not op._outputs[0].dtype):
            continue
        program.fused[op] = (_bias_relu_kernel(program.kernel_of(producer), op._outputs[0].dtype.np),
                             program.inputs_of(producer))
        dropped.add(producer)
    program.order = [op for op in program.order if op not in dropped]


def _bias_relu_kernel(add, dtype):
    zero = dtype.type(0)

    def bias_relu(x, b):
        total = add(x, b)
        if type(total) is np.ndarray:
            return np.maximum(total, zero, out=total)
        return np.maximum(total, zero)
    return bias_relu


def _reader_counts(program):
    readers = {}
    for op in program.order:
        for tensor in program.inputs_of(op):
            readers[tensor] = readers.get(tensor, 0) + 1
    return readers


def fuse_mean_gradient(program):
    """ScaleAlongAxis(BroadcastReduced(dy, x), t) for the gradient of a mean over every axis: the spread
    gradient is one value, dy / x.size, so t is scaled by it directly; no array of copies is built.
    Multiplying by the same value element by element gives the same bits."""
    readers = _reader_counts(program)
    fetched = {program.resolve(t) for t in program.fetch_tensors}
    position = {op: i for i, op in enumerate(program.order)}
    dropped = set()
    for op in program.order:
        if op._op_def.type != "ScaleAlongAxis" or op in program.fused:
            continue
        spread_tensor, scaled = program.inputs_of(op)
        spread = spread_tensor._op
        if (spread not in position or spread in program.fused or spread._op_def.type != "BroadcastReduced"
                or len(spread._inputs) != 2 or not spread._attrs["mean"] or spread._attrs["keep_dims"]
                or spread_tensor in fetched or readers.get(spread_tensor) != 1
                or spread_tensor.dtype is not op._outputs[0].dtype):
            continue
        dy, reduced = program.inputs_of(spread)
        program.fused[op] = (_mean_gradient_kernel(op._outputs[0].dtype.np), [dy, reduced, scaled])
        dropped.add(spread)
    program.order = [op for op in program.order if op not in dropped]


def _mean_gradient_kernel(dtype):
    scalar = dtype.type

    def scale_by_mean_gradient(dy, reduced, scaled):
        return np.multiply(scaled, np.true_divide(dy, scalar(np.size(reduced))))
    return scale_by_mean_gradient


_NARROW_BIAS = 4   # measured: column by column wins up to 4 channels, loses from 8 on


def narrow_bias_add(program):
    """x + b with x (rows, c) and b (c,), c <= 4: one add per column instead of NumPy's broadcast loop,
    which runs c elements at a time (29 us against 8 for 10000 rows and c = 2); the same bits."""
    for op in program.order:
        kind = op._op_def.type
        if kind not in ("Add", "BiasAdd") or op in program.fused or not _is_pure(op):
            continue
        if kind == "BiasAdd" and op._attrs.get("channel_axis") != -1:
            continue
        x, b = program.inputs_of(op)
        out = op._outputs[0]
        if (x.shape.ndims != 2 or b.shape.ndims != 1 or not b.shape.is_fully_defined()
                or x.shape[1].value != b.shape[0].value or not 2 <= b.shape[0].value <= _NARROW_BIAS
                or x.dtype is not out.dtype or b.dtype is not out.dtype or not out.dtype.is_floating):
            continue
        program.fused[op] = (_narrow_bias_add_kernel(program.kernel_of(op)), [x, b])


def _narrow_bias_add_kernel(add):
    def narrow_add(x, b):
        if type(x) is not np.ndarray or x.ndim != 2 or type(b) is not np.ndarray:
            return add(x, b)
        out = np.empty(x.shape, np.result_type(x, b))
        for column in range(x.shape[1]):
            np.add(x[:, column], b[column], out=out[:, column])
        return out
    return narrow_add


def dead_code(program):
    """Drops pure ops whose outputs nothing reads (left behind by folding, say)."""
    used = {program.resolve(t) for t in program.fetch_tensors}
    kept = []
    for op in reversed(program.order):
        if _is_pure(op) and not any(t in used for t in op._outputs):
            continue
        kept.append(op)
        used.update(program.inputs_of(op))
    kept.reverse()
    program.order = kept


def _hashable(value):
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    if hasattr(value, "shape") and hasattr(value, "tobytes"):
        return ("array", str(value.dtype), value.shape, value.tobytes())
    return value
