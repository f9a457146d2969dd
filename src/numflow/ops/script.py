"""`tf.py_func` / `tf.numpy_function`: a Python function of NumPy values as an op.

The kernel calls the function with the inputs' NumPy values and converts each result with
`np.asarray`; a result whose dtype is not the declared one is an InvalidArgumentError, as in TF1. The ops
have no gradient (TF's NotDifferentiable): `tf.gradients` treats them as constants.
"""
import numpy as np

from ..framework import dtypes, errors
from ..framework.graph import convert_to_tensor
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape
from .common import make_op

__all__ = ["py_func", "numpy_function"]


class _PyFuncBase(OpDef):
    """Calls a Python function of NumPy values; outputs of unknown shape and the declared dtypes."""

    differentiable = False
    host_only = True     # the user's Python function sees NumPy values (as in TF, py_func runs on the CPU)
    may_alias_input = True
    foldable = False

    def infer(self, op):
        return [(dtype, TensorShape(None)) for dtype in op.attrs["Tout"]]

    def kernel(self, op, ctx):
        func = op.attrs["func"]
        touts = op.attrs["Tout"]
        label = op.attrs["token"]

        def convert(index, value):
            result = np.asarray(value)
            expected = touts[index]
            if expected is dtypes.string and result.dtype.kind in "SUO":
                encode = np.vectorize(lambda v: v.encode("utf-8") if isinstance(v, str) else v, otypes=[object])
                return encode(result) if result.ndim else np.array(encode(result)[()], dtype=object)
            if result.dtype != expected.np:
                raise errors.InvalidArgumentError(
                    None, op, "%d-th value returned by %s is %s, but expects %s"
                    % (index, label, dtypes.as_dtype(result.dtype).name if result.dtype.kind not in "SUO"
                       else "string", expected.name))
            return result

        def call(*values):
            results = func(*values)
            if not touts:
                return None
            if len(touts) == 1 and not isinstance(results, (list, tuple)):
                results = [results]
            if not isinstance(results, (list, tuple)) or len(results) != len(touts):
                raise errors.InvalidArgumentError(
                    None, op, "%s returns %s values, but expects %d to return"
                    % (label, len(results) if isinstance(results, (list, tuple)) else 1, len(touts)))
            converted = [convert(i, r) for i, r in enumerate(results)]
            return converted[0] if len(converted) == 1 else tuple(converted)
        return call


@register
class PyFunc(_PyFuncBase):
    """A stateful Python function: never folded, merged or reordered."""

    stateful = True


@register
class PyFuncStateless(_PyFuncBase):
    """A stateless Python function (`stateful=False`): may be merged with identical calls."""


_counter = [0]


def py_func(func, inp, Tout, stateful=True, name=None):  # noqa: N803 - TF's argument name
    """`tf.py_func(func, inp, Tout, stateful=True)`: an op that calls `func` with the NumPy values of the
    tensors in `inp` when run. `Tout` is a dtype (one output tensor) or a list of dtypes (a list of
    tensors); func must return NumPy values of exactly those dtypes (an InvalidArgumentError otherwise,
    e.g. a Python float for tf.float32). The outputs' shapes are unknown; there is no gradient."""
    if not callable(func):
        raise TypeError("func must be callable, got %r" % (func,))
    single = not isinstance(Tout, (list, tuple))
    touts = [dtypes.as_dtype(Tout)] if single else [dtypes.as_dtype(t) for t in Tout]
    inputs = [convert_to_tensor(x) for x in (inp if isinstance(inp, (list, tuple)) else [inp])]
    token = "pyfunc_%d" % _counter[0]
    _counter[0] += 1
    op = make_op("PyFunc" if stateful else "PyFuncStateless", inputs,
                 {"func": func, "Tout": tuple(touts), "token": token}, name=name or "PyFunc")
    if single:
        return op.outputs[0]
    if not touts:
        return op
    return list(op.outputs)


def numpy_function(func, inp, Tout, name=None):  # noqa: N803 - TF's argument name
    """`tf.numpy_function(func, inp, Tout)`: tf.py_func (stateful)."""
    return py_func(func, inp, Tout, stateful=True, name=name)
