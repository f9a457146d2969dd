"""Turns an exception raised while a plan runs into a TF error that names the op and the user's line.

Nothing here runs unless a step failed: the generated plan code carries no bookkeeping. After the fact,
the traceback says which line of the plan failed (hence which op), and the plan function's frame still
holds the values of that op's inputs, so the message can state their shapes, say which dimensions
disagree and which inputs were fed, as TF does and a little more:

    Matrix size-incompatible: In[0]: [2,3], In[1]: [4,5]
    	 [[node mm (defined at user.py:12) = MatMul[transpose_a=false, transpose_b=false](a:0, b:0)]]
    Dimension 1 of In[0] 'a:0' (3) must equal dimension 0 of In[1] 'b:0' (4).
    In[0] 'a:0' was fed an array of shape (2, 3) (float32).
    ...

    Caused by op 'mm', defined at:
      File "user.py", line 12, in <module>
        y = tf.matmul(a, b, name='mm')
"""
import sys

import numpy as np

from ..framework import errors
from ..framework import traceback_utils
from ..framework.dtypes import DType

# The generated code's file name (plan.py compiles each plan under this prefix).
PLAN_FILENAME_PREFIX = "<numflow plan "
# How far back through the graph to look for the feeds an input was computed from.
_ANCESTOR_SEARCH_LIMIT = 500


def add_defined_at(exc, op):
    """Appends "Caused by op ..., defined at:" to an OpError raised on purpose (OutOfRangeError, ...)
    that lacks it; the class and the message's start are kept."""
    op = exc.op if getattr(exc, "op", None) is not None else op
    if op is None or not hasattr(op, "_creation_frames"):
        return exc
    message = exc.message if isinstance(exc.message, str) else str(exc)
    if traceback_utils.has_defined_at(message):
        return exc
    if exc.op is None:
        exc.op = op
    exc.message = "%s\n\n%s" % (message, traceback_utils.defined_at_block(op))
    exc.args = (exc.message,)
    return exc


def inside_another_plan():
    """Whether a plan is running further up this thread's stack (the caller of a nested plan)."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_filename.startswith(PLAN_FILENAME_PREFIX):
            return True
        frame = frame.f_back
    return False


def translate(plan, exc, feed_values, with_defined_at=True):
    """The TF error for `exc`, raised while `plan` ran with `feed_values`; None if no op is to blame.
    `with_defined_at=False` leaves "Caused by op ..." to the plan that runs this one."""
    frame, line = plan_frame(plan, exc)
    if frame is None:
        return None
    op = plan.op_at(frame, line)
    if op is None:
        return None
    fed = dict(zip(plan.feed_tensors, feed_values))
    own_tensors = [t for i, t in enumerate(op._inputs) if i not in op._op_def.ref_inputs]
    values = _input_values(plan, frame, op)
    if op in plan.program.fused:
        op, exc, own_tensors, values = _unfuse(plan, op, exc, values)
    error_class = _ERROR_CLASSES.get(type(exc), errors.InvalidArgumentError)
    summary, details = _describe(op, exc, own_tensors, values)
    lines = [summary, "\t [[node %s%s = %s(%s)]]" % (
        op.name, _location_suffix(op), _signature(op), ", ".join(t.name for t in own_tensors))]
    lines.extend(details)
    lines.extend(_input_lines(own_tensors, values, fed))
    message = "\n".join(lines)
    if with_defined_at:
        message += "\n\n" + traceback_utils.defined_at_block(op)
    return error_class(None, op, message)


_ERROR_CLASSES = {MemoryError: errors.ResourceExhaustedError, NotImplementedError: errors.UnimplementedError}


def plan_frame(plan, exc):
    """The failed plan function's frame and the line that failed (None, None when not in the plan)."""
    frame = line = None
    traceback = exc.__traceback__
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename in plan._line_ops_of:
            frame, line = traceback.tb_frame, traceback.tb_lineno
        traceback = traceback.tb_next
    return frame, line


def _input_values(plan, frame, op):
    """The values `op`'s kernel was called with, read back from the failed plan function's frame."""
    names = plan._var_of
    local_values, global_values = frame.f_locals, frame.f_globals
    values = []
    for tensor in plan.program.inputs_of(op):
        name = names.get(tensor)
        if name in local_values:
            values.append(local_values[name])
        else:
            values.append(global_values.get(name))
    return values


def _unfuse(plan, op, exc, fused_values):
    """A fused step failed: replays the original ops it stands for on the same inputs, so that the error
    names the user's op that failed (say the Add of a fused Add+Relu), not the fusion."""
    program = plan.program
    known = dict(zip(program.fused[op][1], fused_values))
    known.update({program.resolve(t): v for t, v in list(known.items())})
    replaced = []
    stack = [op]
    seen = set()
    while stack and len(seen) < _ANCESTOR_SEARCH_LIMIT:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        replaced.append(current)
        for tensor in current._inputs:
            resolved = program.resolve(tensor)
            if resolved not in known and resolved not in program.constants and resolved._op not in seen:
                stack.append(resolved._op)
    replaced.sort(key=lambda o: o._id)
    for original in replaced:
        tensors = [t for i, t in enumerate(original._inputs) if i not in original._op_def.ref_inputs]
        try:
            inputs = [_known_value(program, known, t) for t in tensors]
        except KeyError:
            break
        try:
            result = original._op_def.kernel(original, program.state)(*inputs)
        except Exception as replayed:  # the original op that fails: it is the one to blame
            return original, replayed, tensors, inputs
        results = (result,) if len(original._outputs) == 1 else result
        for tensor, value in zip(original._outputs, results):
            known[tensor] = value
    return op, exc, list(program.fused[op][1]), fused_values


def _known_value(program, known, tensor):
    resolved = program.resolve(tensor)
    if resolved in known:
        return known[resolved]
    if resolved in program.constants:
        return program.constants[resolved]
    return known[tensor]


def _location_suffix(op):
    location = traceback_utils.short_location(getattr(op, "_creation_frames", ()))
    return " (defined at %s)" % location if location else ""


def _signature(op):
    """'MatMul[transpose_a=false, transpose_b=false]': the op type and its small attributes."""
    shown = []
    for key in sorted(op._attrs):
        value = op._attrs[key]
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, (int, float, str)):
            text = repr(value) if isinstance(value, str) else str(value)
        elif isinstance(value, DType):
            text = value.name
        else:
            continue
        if len(text) <= 40:
            shown.append("%s=%s" % (key, text))
    return "%s[%s]" % (op.type, ", ".join(shown)) if shown else op.type


def _shape_of(value):
    return tuple(np.shape(value)) if value is not None else None


def _tf_shape(shape):
    return "[%s]" % ",".join(str(d) for d in shape)


def _describe(op, exc, tensors, values):
    """The first line in TF's words and extra lines that pin the disagreement down."""
    shapes = [_shape_of(v) for v in values]
    if op.type in ("MatMul", "BatchMatMul", "BatchMatMulV2") and len(values) == 2 and None not in shapes:
        described = _describe_matmul(op, tensors, shapes)
        if described is not None:
            return described
    if isinstance(exc, ValueError) and "broadcast" in str(exc) and len(values) >= 2 and None not in shapes:
        described = _describe_broadcast(tensors, shapes)
        if described is not None:
            return described
    if isinstance(exc, MemoryError):
        return ("OOM when allocating the output of %s from inputs of shapes %s"
                % (op.type, ", ".join(_tf_shape(s) for s in shapes if s is not None)), [])
    return "%s: %s" % (type(exc).__name__, exc), []


def _describe_matmul(op, tensors, shapes):
    if len(shapes[0]) < 2 or len(shapes[1]) < 2:
        return None
    if op.type == "MatMul":
        flags = ("transpose_a", "transpose_b")
    else:
        flags = ("adj_x", "adj_y")
    first_t, second_t = (bool(op._attrs.get(flag, False)) for flag in flags)
    first_axis = len(shapes[0]) - (2 if first_t else 1)
    second_axis = len(shapes[1]) - (1 if second_t else 2)
    inner_first, inner_second = shapes[0][first_axis], shapes[1][second_axis]
    if inner_first == inner_second:
        return None
    summary = "Matrix size-incompatible: In[0]: %s, In[1]: %s" % (_tf_shape(shapes[0]), _tf_shape(shapes[1]))
    detail = ("Dimension %d of In[0] '%s' (%d) must equal dimension %d of In[1] '%s' (%d): they are the "
              "inner dimensions of the product (%s=%s, %s=%s)."
              % (first_axis, tensors[0].name, inner_first, second_axis, tensors[1].name, inner_second,
                 flags[0], first_t, flags[1], second_t))
    return summary, [detail]


def _describe_broadcast(tensors, shapes):
    try:
        np.broadcast_shapes(*shapes)
        return None   # the inputs do broadcast: the failure is inside the kernel, described generically
    except ValueError:
        pass
    rank = max(len(s) for s in shapes)
    for back in range(1, rank + 1):
        sizes = [(i, len(s) - back, s[-back]) for i, s in enumerate(shapes) if len(s) >= back and s[-back] != 1]
        distinct = {size for _, _, size in sizes}
        if len(distinct) > 1:
            (i, axis_i, size_i), (j, axis_j, size_j) = sizes[0], next(e for e in sizes if e[2] != sizes[0][2])
            summary = "Incompatible shapes: %s" % " vs. ".join(_tf_shape(s) for s in shapes)
            detail = ("Dimension %d of In[%d] '%s' (%d) and dimension %d of In[%d] '%s' (%d) disagree: "
                      "broadcasting aligns shapes at their last dimension and each pair of sizes must be "
                      "equal or one of them 1."
                      % (axis_i, i, tensors[i].name, size_i, axis_j, j, tensors[j].name, size_j))
            return summary, [detail]
    return None


def _input_lines(tensors, values, fed):
    """One line per input: its dtype and shape, and the feed it is or was computed from."""
    lines = []
    for index, (tensor, value) in enumerate(zip(tensors, values)):
        shape = _shape_of(value)
        described = "In[%d] '%s' (%s)" % (index, tensor.name, tensor.dtype.name)
        if tensor in fed:
            lines.append("%s was fed an array of shape %s." % (described, _shape_of(fed[tensor])))
            continue
        feeds = _ancestor_feeds(tensor, fed)
        text = "%s has shape %s" % (described, _tf_shape(shape) if shape is not None else "unknown")
        if feeds:
            text += ", computed from %s" % ", ".join(
                "fed '%s' (an array of shape %s)" % (t.name, _shape_of(v)) for t, v in feeds)
        lines.append(text + ".")
    return lines


def _ancestor_feeds(tensor, fed):
    if not fed:
        return []
    found = []
    seen = set()
    stack = [tensor]
    while stack and len(seen) < _ANCESTOR_SEARCH_LIMIT:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        if current in fed:
            found.append((current, fed[current]))
            continue
        stack.extend(current._op._inputs)
    found.sort(key=lambda item: item[0]._op._id)
    return found
