"""Debugging ops: `tf.Print`, `tf.print`, `tf.Assert` and the `tf.assert_*` family, `tf.check_numerics`
and `tf.verify_tensor_all_finite`.

Print, Assert and CheckNumerics are stateful ops: no rewrite folds, merges or drops them, so they act
each time a run reaches them (Assert through `tf.control_dependencies`, the others through their output).
"""
import sys

import numpy as np

from ..framework import dtypes, errors
from ..framework.graph import Operation, Tensor, convert_to_tensor, is_tensor_like, name_scope
from ..framework.op_def import OpDef, register
from . import array as _array
from . import math as _math
from .common import make_op, make_tensor
from .control import no_op

__all__ = ["check_pinned", "Print", "print", "Assert", "assert_equal", "assert_none_equal", "assert_greater",
           "assert_greater_equal", "assert_less", "assert_less_equal", "assert_positive", "assert_negative",
           "assert_non_negative", "assert_non_positive", "assert_rank", "assert_rank_at_least",
           "check_numerics", "verify_tensor_all_finite"]

def _summarize(value, summarize):
    """A value as TF's Tensor::SummarizeValue shows it: the first `summarize` elements, nested in
    brackets for rank > 1 ('1 2 3...', '[1 2][3 4]')."""
    array = np.asarray(value)
    limit = array.size if summarize is None or summarize < 0 else summarize

    def scalar(v):
        if isinstance(v, bytes):
            return v.decode("utf-8", "replace")
        if isinstance(v, (bool, np.bool_)):
            return "1" if v else "0"
        if isinstance(v, (float, np.floating)):
            return np.format_float_positional(v, trim="-") if np.isfinite(v) else str(v)
        return str(v.item() if isinstance(v, np.generic) else v)

    if array.ndim == 0:
        return scalar(array[()])
    flat = array.reshape(-1)
    count = [0]

    def render(sub):
        if sub.ndim == 1:
            parts = []
            for v in sub:
                if count[0] >= limit:
                    return " ".join(parts) + "...", True
                parts.append(scalar(v))
                count[0] += 1
            return " ".join(parts), False
        pieces = []
        for row in sub:
            if count[0] >= limit:
                return "".join(pieces) + "...", True
            text, cut = render(row)
            pieces.append("[" + text + "]")
            if cut:
                return "".join(pieces) + "...", True
        return "".join(pieces), False

    if flat.size == 0:
        return ""
    return render(array)[0]


@register
class PrintOp(OpDef):
    """Its first input, unchanged; prints the message and the `data` inputs to stderr when run."""

    host_only = True     # formats the values as text on the host
    type = "Print"  # the class is not named Print: tf.Print is the function below

    stateful = True
    may_alias_input = True

    def infer(self, op):
        return [(op.inputs[0].dtype, op.inputs[0].shape)]

    def kernel(self, op, ctx):
        message = op.attrs["message"]
        first_n = op.attrs["first_n"]
        summarize = op.attrs["summarize"]
        counts = ctx.resources.setdefault("print_counts", {})

        def print_kernel(value, *data):
            done = counts.get(op, 0)
            if first_n is None or first_n < 0 or done < first_n:
                counts[op] = done + 1
                text = message + "".join("[%s]" % _summarize(d, summarize) for d in data)
                sys.stderr.write(text + "\n")
                sys.stderr.flush()
            return value
        return print_kernel

    def grad(self, op, dy):
        return [dy] + [None] * (len(op.inputs) - 1)


def Print(input_, data, message=None, first_n=None, summarize=None, name=None):  # noqa: N802 - TF's name
    """`tf.Print(input_, data, message=None, first_n=None, summarize=None)`: an identity of `input_` that,
    when run, prints `message` followed by each tensor of `data` (its first `summarize` elements, 3 by
    default) to stderr; `first_n` limits how many runs print. Gradients pass through to `input_`."""
    input_ = convert_to_tensor(input_)
    data = [convert_to_tensor(d) for d in (data if isinstance(data, (list, tuple)) else [data])]
    return make_tensor("Print", [input_] + data,
                       {"message": "" if message is None else str(message),
                        "first_n": -1 if first_n is None else int(first_n),
                        "summarize": 3 if summarize is None else int(summarize)}, name=name or "Print")


@register
class PrintV2(OpDef):
    """Prints its inputs formatted into a template to a stream when run; no outputs."""

    host_only = True     # formats the values as text on the host
    stateful = True
    differentiable = False

    def infer(self, op):
        return []

    def kernel(self, op, ctx):
        template = op.attrs["template"]
        stream = op.attrs["stream"]
        summarize = op.attrs["summarize"]
        sep, end = op.attrs["sep"], op.attrs["end"]

        def format_value(value):
            array = np.asarray(value)
            if array.dtype.kind in "SO" and array.ndim == 0:
                item = array[()]
                return item.decode("utf-8", "replace") if isinstance(item, bytes) else str(item)
            if summarize is None or summarize < 0:
                return np.array2string(array, separator=" ", threshold=sys.maxsize)
            return np.array2string(array, separator=" ", threshold=summarize * 2, edgeitems=summarize)

        def print_v2(*values):
            values = iter(values)
            parts = [format_value(next(values)) if piece is None else piece for piece in template]
            target = {"stdout": sys.stdout, "stderr": sys.stderr}.get(stream, stream) \
                if isinstance(stream, str) else stream
            if isinstance(target, str):
                with open(target[len("file://"):] if target.startswith("file://") else target, "a") as f:
                    f.write(sep.join(parts) + end)
            else:
                target.write(sep.join(parts) + end)
                target.flush()
        return print_v2


def print(*inputs, **kwargs):  # noqa: A001 - TF's name
    """`tf.print(*inputs, output_stream=sys.stderr, summarize=3, sep=' ', end='\\n')`: an op that prints
    the inputs (tensors shown like NumPy arrays, other values with str) when run; returns the op (run it
    or use it in tf.control_dependencies). output_stream: sys.stdout, sys.stderr, 'stdout', 'stderr' or
    'file://path'."""
    stream = kwargs.pop("output_stream", None)
    summarize = kwargs.pop("summarize", 3)
    sep = kwargs.pop("sep", " ")
    end = kwargs.pop("end", "\n")
    name = kwargs.pop("name", None)
    if kwargs:
        raise ValueError("Unrecognized keyword arguments for tf.print: %s" % sorted(kwargs))
    if stream is None:
        stream = "stderr"
    elif stream is sys.stdout:
        stream = "stdout"
    elif stream is sys.stderr:
        stream = "stderr"
    elif isinstance(stream, str) and stream not in ("stdout", "stderr") and not stream.startswith("file://"):
        raise ValueError("Unsupported output stream or logging level %r" % stream)
    template, tensors = [], []
    for item in inputs:
        if isinstance(item, Operation):
            raise TypeError("tf.print cannot print an Operation: %s" % item.name)
        if is_tensor_like(item):
            tensors.append(convert_to_tensor(item))
            template.append(None)
        else:
            template.append(str(item))
    return make_op("PrintV2", tensors, {"template": tuple(template), "stream": stream,
                                        "summarize": None if summarize is None else int(summarize),
                                        "sep": sep, "end": end}, name=name or "PrintV2")


# --- assertions -----------------------------------------------------------------------------------
@register
class AssertOp(OpDef):
    """Raises InvalidArgumentError with its data inputs summarized when its condition is false."""

    type = "Assert"  # the class is not named Assert: tf.Assert is the function below

    stateful = True
    differentiable = False

    def infer(self, op):
        c = op.inputs[0]
        if c.dtype is not dtypes.bool:
            raise TypeError("Input 'condition' of 'Assert' Op has type %s that does not match expected type "
                            "of bool." % c.dtype.name)
        if c.shape.ndims not in (None, 0):
            raise ValueError("Shape must be rank 0 but is rank %d for 'Assert' (condition shape %s)"
                             % (c.shape.ndims, c.shape))
        return []

    def kernel(self, op, ctx):
        summarize = op.attrs["summarize"]

        def assert_kernel(condition, *data):
            if not bool(condition):
                parts = ["[%s]" % _summarize(d, summarize) for d in data]
                raise errors.InvalidArgumentError(None, op, "assertion failed: " + " ".join(parts))
        return assert_kernel


def Assert(condition, data, summarize=None, name=None):  # noqa: N802 - TF's name
    """`tf.Assert(condition, data, summarize=None)`: an op that raises tf.errors.InvalidArgumentError
    ('assertion failed: [data0] [data1] ...', each tensor's first `summarize` elements, 3 by default) when
    the scalar bool `condition` is false at run time. Returns the Operation (use it in
    tf.control_dependencies)."""
    with name_scope(name, "Assert", [condition]):
        condition = convert_to_tensor(condition, name="Condition")
        data = [convert_to_tensor(d) for d in (data if isinstance(data, (list, tuple)) else [data])]
        return make_op("Assert", [condition] + data,
                       {"summarize": 3 if summarize is None else int(summarize)}, name="Assert")


def _static_value(tensor):
    if tensor.op.type == "Const":
        return tensor.op.attrs["value"]
    return None


def _binary_assert(symbol, compare, x, y, data, summarize, message, name, default_name):
    with name_scope(name, default_name, [x, y]):
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, name="y", dtype=None if is_tensor_like(y) else x.dtype)
        if data is None:
            data = [message or "", "Condition x %s y did not hold element-wise:" % symbol,
                    "x (%s) = " % x.name, x, "y (%s) = " % y.name, y]
            if not message:
                data = data[1:]
        elif message is not None:
            data = [message] + list(data)
        static_x, static_y = _static_value(x), _static_value(y)
        if static_x is not None and static_y is not None:
            if not np.all(compare(static_x, static_y)):
                lines = [str(d) if not isinstance(d, Tensor) else _summarize(
                    _static_value(d) if _static_value(d) is not None else d.name, summarize or 3) for d in data]
                raise errors.InvalidArgumentError(None, None, "\n".join(lines))
        condition = _math.reduce_all(_tf_compare(symbol, x, y))
        return Assert(condition, data, summarize=summarize)


def _tf_compare(symbol, x, y):
    return {"==": _math.equal, "!=": _math.not_equal, ">": _math.greater, ">=": _math.greater_equal,
            "<": _math.less, "<=": _math.less_equal}[symbol](x, y)


def assert_equal(x, y, data=None, summarize=None, message=None, name=None):
    """`tf.assert_equal(x, y)`: an Assert op that x == y element-wise (with broadcasting); constant
    inputs that differ raise InvalidArgumentError when the graph is built, as TF does."""
    return _binary_assert("==", np.equal, x, y, data, summarize, message, name, "assert_equal")


def assert_none_equal(x, y, data=None, summarize=None, message=None, name=None):
    """`tf.assert_none_equal(x, y)`: an Assert op that x != y element-wise."""
    return _binary_assert("!=", np.not_equal, x, y, data, summarize, message, name, "assert_none_equal")


def assert_greater(x, y, data=None, summarize=None, message=None, name=None):
    """`tf.assert_greater(x, y)`: an Assert op that x > y element-wise."""
    return _binary_assert(">", np.greater, x, y, data, summarize, message, name, "assert_greater")


def assert_greater_equal(x, y, data=None, summarize=None, message=None, name=None):
    """`tf.assert_greater_equal(x, y)`: an Assert op that x >= y element-wise."""
    return _binary_assert(">=", np.greater_equal, x, y, data, summarize, message, name, "assert_greater_equal")


def assert_less(x, y, data=None, summarize=None, message=None, name=None):
    """`tf.assert_less(x, y)`: an Assert op that x < y element-wise."""
    return _binary_assert("<", np.less, x, y, data, summarize, message, name, "assert_less")


def assert_less_equal(x, y, data=None, summarize=None, message=None, name=None):
    """`tf.assert_less_equal(x, y)`: an Assert op that x <= y element-wise."""
    return _binary_assert("<=", np.less_equal, x, y, data, summarize, message, name, "assert_less_equal")


def _sign_assert(symbol, compare, x, data, summarize, message, name, default_name):
    with name_scope(name, default_name, [x]):
        x = convert_to_tensor(x, name="x")
        if data is None:
            data = ["Condition x %s 0 did not hold element-wise:" % symbol, "x (%s) = " % x.name, x]
            if message:
                data = [message] + data
        elif message is not None:
            data = [message] + list(data)
        zero = convert_to_tensor(np.zeros((), x.dtype.np), name="zero")
        return _binary_assert(symbol, compare, x, zero, data, summarize, None, None, default_name)


def assert_positive(x, data=None, summarize=None, message=None, name=None):
    """`tf.assert_positive(x)`: an Assert op that x > 0 element-wise."""
    return _sign_assert(">", np.greater, x, data, summarize, message, name, "assert_positive")


def assert_negative(x, data=None, summarize=None, message=None, name=None):
    """`tf.assert_negative(x)`: an Assert op that x < 0 element-wise."""
    return _sign_assert("<", np.less, x, data, summarize, message, name, "assert_negative")


def assert_non_negative(x, data=None, summarize=None, message=None, name=None):
    """`tf.assert_non_negative(x)`: an Assert op that x >= 0 element-wise."""
    return _sign_assert(">=", np.greater_equal, x, data, summarize, message, name, "assert_non_negative")


def assert_non_positive(x, data=None, summarize=None, message=None, name=None):
    """`tf.assert_non_positive(x)`: an Assert op that x <= 0 element-wise."""
    return _sign_assert("<=", np.less_equal, x, data, summarize, message, name, "assert_non_positive")


def _rank_assert(x, rank, message, name, default_name, at_least):
    with name_scope(name, default_name, [x]):
        x = convert_to_tensor(x, name="x")
        if is_tensor_like(rank):
            rank_tensor = convert_to_tensor(rank, name="rank")
            static = _array._static_scalar(rank_tensor) if rank_tensor.dtype.is_integer else None
            if rank_tensor.shape.ndims not in (None, 0):
                raise ValueError("Rank must be a scalar, got shape %s" % rank_tensor.shape)
        else:
            static, rank_tensor = int(rank), None
        relation = "at least rank" if at_least else "rank"
        prefix = (message + ".  ") if message else ""
        if static is not None and x.shape.ndims is not None:
            actual = x.shape.ndims
            if (actual < static) if at_least else (actual != static):
                raise ValueError("%sTensor %s must have %s %d.  Received rank %d, shape %s"
                                 % (prefix, x.name, relation, static, actual, x.shape))
            return no_op(name="static_checks_determined_all_ok")
        if rank_tensor is None:
            rank_tensor = convert_to_tensor(static, dtype=dtypes.int32, name="rank")
        actual = _array.rank(x)
        if rank_tensor.dtype is not actual.dtype:
            rank_tensor = _math.cast(rank_tensor, actual.dtype)
        condition = _math.greater_equal(actual, rank_tensor) if at_least else _math.equal(actual, rank_tensor)
        data = [prefix + "Tensor %s must have %s" % (x.name, relation), rank_tensor, "Received shape: ",
                _array.shape(x)]
        return Assert(condition, data)


def assert_rank(x, rank, data=None, summarize=None, message=None, name=None):
    """`tf.assert_rank(x, rank)`: checks x's rank: a ValueError when the graph is built if both ranks are
    known (then returns a no-op), else an Assert op that checks it when run."""
    return _rank_assert(x, rank, message, name, "assert_rank", False)


def assert_rank_at_least(x, rank, data=None, summarize=None, message=None, name=None):
    """`tf.assert_rank_at_least(x, rank)`: like assert_rank, for rank(x) >= rank."""
    return _rank_assert(x, rank, message, name, "assert_rank_at_least", True)


# --- numerics -------------------------------------------------------------------------------------
@register
class CheckNumerics(OpDef):
    """Its input, unchanged; InvalidArgumentError naming `message` if it holds a NaN or an infinity."""

    stateful = True
    may_alias_input = True

    def infer(self, op):
        x = op.inputs[0]
        if not x.dtype.is_floating:
            raise TypeError("Value passed to parameter 'tensor' of op 'CheckNumerics' has DataType %s not in "
                            "list of allowed values: float16, float32, float64" % x.dtype.name)
        return [(x.dtype, x.shape)]

    def kernel(self, op, ctx):
        message = op.attrs["message"]

        def check(x):
            if not np.all(np.isfinite(x)):
                nan, inf = bool(np.any(np.isnan(x))), bool(np.any(np.isinf(x)))
                what = "Inf and NaN" if nan and inf else ("NaN" if nan else "Inf")
                raise errors.InvalidArgumentError(None, op, "%s : Tensor had %s values" % (message, what))
            return x
        return check

    def grad(self, op, dy):
        return [check_numerics(dy, "Not a number (NaN) or infinity (Inf) values detected in gradient. "
                               + op.attrs["message"])]


def check_numerics(tensor, message, name=None):
    """`tf.check_numerics(tensor, message)`: `tensor` unchanged, or InvalidArgumentError
    '<message> : Tensor had NaN values' (Inf, Inf and NaN) when run on non-finite values."""
    return make_tensor("CheckNumerics", [convert_to_tensor(tensor)], {"message": str(message)},
                       name=name or "CheckNumerics")


@register
class CheckPinned(OpDef):
    """Its input, when it lies in host memory pinned for a GPU. numflow, like a TensorFlow built without
    CUDA, has no pinned memory: running it is a FailedPreconditionError, as TF documents for such builds."""

    stateful = True
    differentiable = False

    def infer(self, op):
        return [(op.inputs[0].dtype, op.inputs[0].shape)]

    def kernel(self, op, ctx):
        def check(x):
            raise errors.FailedPreconditionError(
                None, op, "check_pinned needs TensorFlow built with CUDA: numflow keeps every tensor in "
                "ordinary host memory, none of it pinned for a GPU")
        return check


def check_pinned(tensor, name=None):
    """`tf.check_pinned(tensor)`: `tensor` when it is in host memory pinned for a GPU; when run here it
    raises FailedPreconditionError, TF's answer where it is not built with CUDA."""
    return make_tensor("CheckPinned", [convert_to_tensor(tensor)], {}, name=name or "CheckPinned")


def verify_tensor_all_finite(t, msg, name=None):
    """`tf.verify_tensor_all_finite(t, msg)`: `t`, checked by check_numerics with message `msg`."""
    with name_scope(name, "VerifyFinite", [t]):
        return check_numerics(t, msg)
