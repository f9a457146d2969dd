"""Compiles what one `Session.run` signature needs into a straight-line Python function, once.

A plan is made per (fetched tensors, target ops, fed tensors) and cached by the Session. Compiling:
  1. prune: keep only ops the fetches need, stopping at fed tensors;
  2. order: topological, with variable updates after every read that does not depend on them;
  3. rewrite: constant folding and the other passes in `rewrites.py` (each can be switched off);
  4. generate: one line per op, `v12 = k12(v3, v7)`, compiled with `exec` so that running a plan costs
     one Python call per op and nothing else — no lookups by name, no per-call validation.
A kernel failure is mapped back to its op through the line number of the generated code, and only then
described (see `run_errors`): the success path pays nothing for it.
"""
import heapq
import itertools
import os
import sys

import numpy as np

from .. import backend as backends
from ..framework import errors
from ..framework import traceback_utils
from ..framework.tensor_shape import format_shape
from . import concurrency
from . import run_errors
from . import threads

_PLAN_FILENAME_PREFIX = run_errors.PLAN_FILENAME_PREFIX
_plan_counter = itertools.count()


_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3     # glibc's mallopt parameters
_KEEP_BYTES = 256 << 20
_memory_policy = None


def keep_freed_memory():
    """Asks the C allocator to keep freed arrays of up to 256 MB for reuse instead of returning them to
    the system, once per process, before the first plan runs.

    A step frees and reallocates the same intermediates every time; glibc returns large blocks to the
    kernel, which zeroes fresh pages on the next step. Measured: 6400 minor page faults per LSTM step
    and 4000 per deep-CNN step fell to ~0, their CPU time by 25-30% (as TF's allocator, the process then
    keeps its peak memory). NUMFLOW_KEEP_FREED_MEMORY=0 turns it off. Returns whether it is on."""
    global _memory_policy
    if _memory_policy is None:
        _memory_policy = False
        if os.environ.get("NUMFLOW_KEEP_FREED_MEMORY", "1") not in ("0", "") and sys.platform.startswith("linux"):
            try:
                import ctypes
                mallopt = ctypes.CDLL("libc.so.6").mallopt
            except (OSError, AttributeError):   # not glibc: nothing to tune
                return False
            _memory_policy = bool(mallopt(_M_MMAP_THRESHOLD, _KEEP_BYTES)
                                  and mallopt(_M_TRIM_THRESHOLD, 4 * _KEEP_BYTES))
    return _memory_policy


def check_kernels_enabled():
    """NUMFLOW_CHECK_KERNELS=1 makes every plan verify each kernel's output dtype and shape (tests)."""
    return os.environ.get("NUMFLOW_CHECK_KERNELS", "") not in ("", "0")


def prune(fetch_tensors, target_ops, fed):
    """The ops needed to compute `fetch_tensors` and run `target_ops`, stopping at fed tensors."""
    needed = set()
    stack = [t.op for t in fetch_tensors if t not in fed] + list(target_ops)
    while stack:
        op = stack.pop()
        if op in needed:
            continue
        needed.add(op)
        ref_inputs = op._op_def.ref_inputs
        for index, tensor in enumerate(op._inputs):
            if index not in ref_inputs and tensor not in fed and tensor._op not in needed:
                stack.append(tensor._op)
        # A control input whose outputs are all fed has, in effect, already run (TF1 treats a fed
        # placeholder as a dependency satisfied by the feed).
        stack.extend(c for c in op._control_inputs
                     if c not in needed and not (c._outputs and all(t in fed for t in c._outputs)))
    return needed


def schedule(needed, fed):
    """Topological order of `needed`; among ready ops, variable updates go last, else creation order."""
    predecessors = {}
    successors = {op: [] for op in needed}
    for op in needed:
        ref_inputs = op._op_def.ref_inputs
        preds = {t._op for i, t in enumerate(op._inputs)
                 if i not in ref_inputs and t not in fed and t._op in needed}
        preds.update(c for c in op._control_inputs if c in needed)
        predecessors[op] = len(preds)
        for pred in preds:
            successors[pred].append(op)
    ready_reads, ready_updates = [], []
    for op, count in predecessors.items():
        if count == 0:
            heapq.heappush(ready_updates if op._op_def.updates_state else ready_reads, (op._id, op))
    order = []
    while ready_reads or ready_updates:
        _, op = heapq.heappop(ready_reads if ready_reads else ready_updates)
        order.append(op)
        for succ in successors[op]:
            predecessors[succ] -= 1
            if predecessors[succ] == 0:
                queue = ready_updates if succ._op_def.updates_state else ready_reads
                heapq.heappush(queue, (succ._id, succ))
    if len(order) != len(needed):
        stuck = sorted((op for op in needed if op not in set(order)), key=lambda o: o._id)
        raise errors.InvalidArgumentError(None, stuck[0], "Graph has a cycle through '%s'\n\n%s"
                                          % (stuck[0].name, traceback_utils.defined_at_block(stuck[0])))
    return order


class Plan:
    """A compiled `Session.run` signature: call it with the fed values, get the fetched values."""

    def __init__(self, state, fetch_tensors, target_ops, feed_tensors, placement=None, values_on=None):
        """`placement`: {op: ArrayBackend} when the plan uses a device (else everything runs on the host);
        `values_on`: where the fed values arrive and the fetched ones are returned (the host, except for
        the branch and body plans of a control-flow op placed on a device)."""
        from . import rewrites as rewrite_passes
        keep_freed_memory()
        self.fetch_tensors = list(fetch_tensors)
        self.feed_tensors = list(feed_tensors)
        fed = set(feed_tensors)
        needed = prune(self.fetch_tensors, target_ops, fed)
        self._check_feeds_reach_placeholders(needed, fed)
        order = schedule(needed, fed)
        program = rewrite_passes.Program(order, self.fetch_tensors, fed, state, placement)
        rewrite_passes.apply_all(program, state.rewrites)
        self.program = program
        if placement is not None:
            # A variable's value lives where its VariableV2 op is placed (placement includes the
            # variables that the plan's ops write).
            for op, device in placement.items():
                if op._op_def.type in VARIABLE_OPS:
                    state.variable_cell(op).move_to(device)
        self._values_on = values_on or backends.HOST
        self._function, self._line_ops = self._generate(program, state)
        self._functions = {False: self._function, True: self._concurrent_function}   # by Setting.concurrent
        self._threads = threads.controller_for({op._op_def.type for op in program.order},
                                               getattr(state, "intra_op_threads", None),
                                               getattr(state, "inter_op_threads", None),
                                               self._concurrent_function is not None)

    @staticmethod
    def _check_feeds_reach_placeholders(needed, fed):
        for op in sorted(needed, key=lambda o: o._id):
            if op._op_def.type == "Placeholder" and op._outputs[0] not in fed:
                tensor = op._outputs[0]
                raise errors.InvalidArgumentError(
                    None, op, "You must feed a value for placeholder tensor '%s' with dtype %s%s\n\n%s"
                    % (op.name, tensor.dtype.name,
                       "" if tensor.shape.ndims is None else " and shape %s" % format_shape(tensor.shape),
                       traceback_utils.defined_at_block(op)))

    def _generate(self, program, state):
        namespace = {"_np": np, "_ndarray": np.ndarray}
        lines = ["def _plan(%s):" % ", ".join("f%d" % i for i in range(len(self.feed_tensors)))]
        line_ops = {}
        var_of = {}
        for index, tensor in enumerate(self.feed_tensors):
            var_of[tensor] = "f%d" % index
        for tensor, value in program.constants.items():
            name = "c%d_%d" % (tensor._op._id, tensor._value_index)
            namespace[name] = value
            var_of.setdefault(tensor, name)
        fetched = {program.resolve(t) for t in self.fetch_tensors}
        check = check_kernels_enabled()
        if check:
            namespace["_check"] = _check_output
        # Free each intermediate after its last reader, as hand-written code would: peak memory then
        # follows what is live, not everything the step ever computed.
        last_reader = {}
        for position, op in enumerate(program.order):
            for tensor in program.inputs_of(op):
                last_reader[tensor] = position
        dying = {}
        computed = set(program.order)
        for tensor, position in last_reader.items():
            if tensor not in fetched and tensor._op in computed:
                dying.setdefault(position, []).append(tensor)
        placement = program.placement
        calls = [] if placement is None else None   # op statements, for the concurrent variant
        devices = _ValueLocations(namespace, var_of, lines)
        for tensor in self.feed_tensors:
            devices.produced(tensor, self._values_on)
        for position, op in enumerate(program.order):
            kernel = program.kernel_of(op)
            kname = "k%d" % op._id
            namespace[kname] = kernel
            device = placement[op] if placement is not None else None
            if placement is None:
                args = ", ".join(var_of[t] for t in program.inputs_of(op))
            else:
                devices.activate(device)
                args = ", ".join(devices.argument(t, _wanted_location(op, index, device))
                                 for index, t in program.indexed_inputs_of(op))
            outputs = op._outputs
            used = [t for t in outputs if program.is_used(t)]
            if len(outputs) == 1:
                target = "v%d_0" % op._id if used else "_"
            elif not used:
                target = "_"
            else:
                target = ", ".join(("v%d_%d" % (op._id, t._value_index)) if t in used else "_" for t in outputs)
            line_ops[len(lines) + 1] = op
            if calls is not None:
                calls.append(concurrency.OpCall(op, len(lines), target, kname, args.split(", ") if args else []))
            lines.append("    %s = %s(%s)" % (target, kname, args))
            output_location = None if device is None else _output_location(op, device)
            for tensor in used:
                var_of[tensor] = "v%d_%d" % (op._id, tensor._value_index)
                devices.produced(tensor, output_location)
                if tensor in fetched and program.shares_storage(tensor):
                    # Copied when produced: a later in-place update must not reach the fetched value.
                    if output_location in (None, backends.HOST):
                        lines.append("    %s = _np.array(%s)" % (var_of[tensor], var_of[tensor]))
                    elif self._values_on is backends.HOST:
                        devices.argument(tensor, backends.HOST)     # the host copy the plan returns
                    else:
                        copy = "_copy%d" % output_location.index
                        namespace[copy] = output_location.xp.array
                        lines.append("    %s = %s(%s)" % (var_of[tensor], copy, var_of[tensor]))
                if check:
                    namespace["t%d_%d" % (op._id, tensor._value_index)] = tensor
                    namespace["b%d" % op._id] = output_location or backends.HOST
                    line_ops[len(lines) + 1] = op
                    lines.append("    _check(t%d_%d, %s, b%d)" % (op._id, tensor._value_index, var_of[tensor], op._id))
            released = sorted({var_of[t] for t in dying.get(position, ()) if t in var_of and var_of[t][0] == "v"}
                              | set(devices.released(dying.get(position, ()))))
            if released:
                lines.append("    del %s" % ", ".join(released))
        results = []
        for tensor in self.fetch_tensors:
            resolved = program.resolve(tensor)
            expr = var_of[resolved]
            if self._values_on is not backends.HOST:
                expr = devices.argument(resolved, self._values_on, inline=True)
            elif resolved in program.constants:
                expr = "_np.array(%s)" % expr
            elif devices.on_device(resolved):
                expr = devices.argument(resolved, backends.HOST, inline=True)   # or the copy made earlier
            if tensor.shape.ndims != 0 and tensor.shape.ndims is not None:
                results.append(expr)
            else:
                results.append("_scalar(%s)" % expr)
        namespace["_scalar"] = _to_numpy_scalar
        lines.append("    return (%s%s)" % (", ".join(results), "," if len(results) == 1 else ""))
        source = "\n".join(lines) + "\n"
        filename = "%s%d>" % (_PLAN_FILENAME_PREFIX, next(_plan_counter))
        exec(compile(source, filename, "exec"), namespace)
        self.source = source
        self._filename = filename
        self._line_ops_of = {filename: line_ops}
        self._var_of = var_of   # read only when a step fails, to find the failed op's input values
        function = namespace["_plan"]
        self._concurrent_function = None
        variant = self._concurrent_variant(lines, line_ops, calls, program) if calls else None
        if variant is not None:
            concurrent_lines, concurrent_ops, split_kernels = variant
            concurrent_filename = filename[:-1] + "-concurrent>"
            namespace = dict(namespace, _submit=concurrency.submit, **split_kernels)
            exec(compile("\n".join(concurrent_lines) + "\n", concurrent_filename, "exec"), namespace)
            self._concurrent_function = namespace["_plan"]
            self._line_ops_of[concurrent_filename] = {n + 1: op for n, op in concurrent_ops.items()}
            self.concurrent_source = "\n".join(concurrent_lines) + "\n"
        return function, line_ops

    @staticmethod
    def _concurrent_variant(lines, line_ops, calls, program):
        """(lines, {0-based line: op}, {kernel name: kernel}) of the plan's concurrent variant: pairs of
        independent heavy kernels run at once, and the other kernels that can split their own work
        replaced by their concurrent versions; None when there is nothing to run at once."""
        submit = concurrency.submit
        pairs = concurrency.independent_pairs(calls)
        paired = {call.op for pair in pairs for call in pair}
        split_kernels = {}
        for call in calls:
            if call.op not in program.fused and call.op not in paired:
                kernel = call.op._op_def.concurrent_kernel(call.op, program.state, submit)
                if kernel is not None:
                    split_kernels[call.kernel] = kernel
        if not pairs and not split_kernels:
            return None
        return concurrency.concurrent_source(lines, {n - 1: op for n, op in line_ops.items()}, pairs) + \
            (split_kernels,)

    def op_at(self, frame, line):
        """The op whose statement is at `line` of the plan function (sequential or concurrent) running
        in `frame`; None for a line of no op."""
        return self._line_ops_of[frame.f_code.co_filename].get(line)

    def __call__(self, feed_values):
        try:
            if self._threads is None:
                return self._function(*feed_values)
            return self._threads(self._functions, feed_values)
        except errors.OpError as exc:
            # Raised on purpose by a kernel (end of input, uninitialized value...): same class and text,
            # plus where the op was defined, unless a plan running this one will add it (a tf.data
            # function's plan: its caller adds context to the message first).
            if not run_errors.inside_another_plan():
                frame, line = run_errors.plan_frame(self, exc)
                run_errors.add_defined_at(exc, self.op_at(frame, line) if frame is not None else None)
            raise
        except Exception as exc:
            error = run_errors.translate(self, exc, feed_values, not run_errors.inside_another_plan())
            if error is None:
                raise
            raise error from exc


VARIABLE_OPS = ("VariableV2", "Variable")    # ops whose value is a Session's variable cell


def _wanted_location(op, index, device):
    """Where the op placed on `device` reads its input `index` (of `op.inputs`; None for a fused
    kernel's): the host for host ops and HostMemory inputs, wherever the value already is for
    Shape/Size/Rank, else the op's device."""
    from .placement import reads_only_shapes
    if device is backends.HOST or index in op._op_def.host_inputs:
        return backends.HOST
    if reads_only_shapes(op):
        return None
    return device


def _output_location(op, device):
    from .placement import reads_only_shapes
    return backends.HOST if reads_only_shapes(op) else device


class _ValueLocations:
    """Where each value of a plan on several devices lives, and the copies between them: one per value
    and device, made where first needed (constants: once, when the plan is compiled)."""

    def __init__(self, namespace, var_of, lines):
        self._namespace = namespace
        self._var_of = var_of
        self._lines = lines
        self._location = {}        # tensor -> backend, for values on a device
        self._copies = {}          # (tensor, backend) -> variable name of the copy
        self._active = None

    def activate(self, device):
        """Makes `device` current before its kernels when the plan moves between GPUs."""
        if device is backends.HOST or device is self._active:
            return
        self._active = device
        name = "_act%d" % device.index
        self._namespace[name] = device.activate
        self._lines.append("    %s()" % name)

    def produced(self, tensor, location):
        if location is not None and location is not backends.HOST:
            self._location[tensor] = location

    def on_device(self, tensor):
        return tensor in self._location

    def argument(self, tensor, wanted, inline=False):
        """The expression reading `tensor` on `wanted` (None: wherever it is), adding a copy if needed."""
        name = self._var_of[tensor]
        here = self._location.get(tensor, backends.HOST)
        if wanted is None or wanted is here:
            return name
        key = (tensor, wanted)
        if key in self._copies:
            return self._copies[key]
        if wanted is backends.HOST:
            convert = "_to_host%d" % here.index
            self._namespace[convert] = here.to_host
        else:
            convert = "_to_dev%d" % wanted.index
            self._namespace[convert] = wanted.to_device
        if inline:
            if name[0] == "c":
                literal = "%s_%s%d" % (name, "h" if wanted is backends.HOST else "d", wanted.index)
                self._namespace[literal] = wanted.to_device(self._namespace[name])
                return literal
            return "%s(%s)" % (convert, name)
        copy = "%s_%s%d" % (name, "h" if wanted is backends.HOST else "d", wanted.index)
        if name[0] == "c":     # a literal: copied once, now
            self._namespace[copy] = wanted.to_device(self._namespace[name])
        else:
            self._lines.append("    %s = %s(%s)" % (copy, convert, name))
        self._copies[key] = copy
        return copy

    def released(self, tensors):
        """The copies of values that die here."""
        if not self._copies:
            return ()
        return [copy for (tensor, _), copy in self._copies.items() if tensor in tensors and copy[0] == "v"]


def _to_numpy_scalar(value):
    """TF returns 0-d results as NumPy scalars (and bytes for strings), never as 0-d arrays."""
    if type(value) is np.ndarray and value.ndim == 0:
        return value[()]
    return value


def _check_output(tensor, value, location=backends.HOST):
    if location is not backends.HOST and not backends.stays_on_host(value):
        if type(value) is not location.array_type:
            raise TypeError("kernel of %s placed on %s returned %s, not an array of that device (host-only "
                            "kernel? declare host_only, or create arrays with ctx.xp)"
                            % (tensor.name, location.name, type(value).__name__))
        dtype, shape = value.dtype, value.shape
    elif backends.is_device_array(value):
        raise TypeError("kernel of %s placed on the host returned a device array" % tensor.name)
    elif isinstance(value, np.ndarray):
        dtype, shape = value.dtype, value.shape
    elif isinstance(value, np.generic):
        dtype, shape = value.dtype, ()
    else:
        raise TypeError("kernel of %s returned %s, not a NumPy value" % (tensor.name, type(value).__name__))
    expected = tensor.dtype.np
    if dtype != expected:
        raise TypeError("kernel of %s returned dtype %s, its static dtype is %s"
                        % (tensor.name, dtype, tensor.dtype.name))
    if not tensor.shape.is_compatible_with(shape):
        raise ValueError("kernel of %s returned shape %s, its static shape is %s"
                         % (tensor.name, shape, tensor.shape))


def isplan_frame(filename):
    return filename.startswith(_PLAN_FILENAME_PREFIX)

