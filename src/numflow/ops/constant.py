"""Graph inputs: constants (`tf.constant`) and placeholders (`tf.placeholder`)."""
import numpy as np

from ..framework import dtypes
from ..framework.graph import get_default_graph, numpy_value_dtype
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape, as_shape

__all__ = ["constant", "placeholder", "placeholder_with_default"]


def to_numpy(value, dtype=None):
    """Converts a Python/NumPy value to the array a constant of `dtype` holds, with TF1's dtype rules."""
    if dtype is None:
        dtype = numpy_value_dtype(value)
    dtype = dtypes.as_dtype(dtype)
    if dtype is dtypes.string:
        array = np.asarray(value, dtype=object)
        flat = [v.encode("utf-8") if isinstance(v, str) else v for v in array.reshape(-1)]
        if any(not isinstance(v, bytes) for v in flat):
            raise TypeError("Expected string, got %r" % (value,))
        out = np.empty(len(flat), dtype=object)
        out[:] = flat
        return out.reshape(array.shape)
    source = np.asarray(value)
    if source.dtype.kind in "OSU":
        raise TypeError("Expected %s, got %r of type '%s' instead." % (dtype.name, value, type(value).__name__))
    if dtype.is_integer or dtype.is_bool:
        if (source.dtype.kind == "f" or source.dtype.kind == "c") and source.size:
            if not isinstance(value, np.ndarray) or not np.array_equal(source, np.round(source.real)):
                raise TypeError("Expected %s, got %r of type '%s' instead."
                                % (dtype.name, value, type(value).__name__))
    if dtype.is_bool and source.dtype.kind != "b":
        raise TypeError("Expected bool, got %r of type '%s' instead." % (value, type(value).__name__))
    return np.array(source, dtype=dtype.np)


@register
class Const(OpDef):
    """A value fixed in the graph."""

    returns_shared = True

    def infer(self, op):
        value = op.attrs["value"]
        return [(op.attrs["dtype"], TensorShape(value.shape))]

    def kernel(self, op, ctx):
        value = op.attrs["value"]
        if ctx.xp is not np:       # (string constants never get here: they are host-only by dtype)
            value = ctx.xp.asarray(value)    # copied to the device once, when the plan is compiled
        return lambda: value

    def grad(self, op, *output_grads):
        return []


def constant(value, dtype=None, shape=None, name="Const", verify_shape=False):
    """`tf.constant`: a tensor holding `value`; with `shape`, a scalar fills it and a shorter list is
    padded with its last element, as in TF1."""
    array = to_numpy(value, dtype)
    if shape is not None:
        shape = tuple(as_shape(shape).as_list())
        count = int(np.prod(shape, dtype=np.int64))
        if array.shape != shape:
            if verify_shape:
                raise TypeError("Expected Tensor's shape: %s, got %s." % (shape, array.shape))
            if array.size == 1:
                array = np.full(shape, array.reshape(-1)[0], dtype=array.dtype)
            elif array.size == count:
                array = array.reshape(shape)
            elif 0 < array.size < count and array.ndim <= 1:
                flat = np.concatenate([array.reshape(-1), np.repeat(array.reshape(-1)[-1:], count - array.size)])
                array = flat.reshape(shape)
            else:
                raise ValueError("Too many elements provided. Needed at most %d, but received %d"
                                 % (count, array.size))
    array.setflags(write=False)
    dtype = dtypes.string if array.dtype == object else dtypes.as_dtype(array.dtype)
    return get_default_graph().create_op("Const", [], {"value": array, "dtype": dtype}, name=name).outputs[0]


@register
class Placeholder(OpDef):
    """A value that must be fed at `Session.run`."""

    differentiable = False

    def infer(self, op):
        return [(op.attrs["dtype"], op.attrs["shape"])]

    def kernel(self, op, ctx):
        def unfed():
            from ..framework import errors
            raise errors.InvalidArgumentError(None, op, "You must feed a value for placeholder tensor '%s'"
                                              % op.name)
        return unfed


def placeholder(dtype, shape=None, name=None):
    """`tf.placeholder(dtype, shape=None, name=None)`: a tensor whose value is fed to `Session.run`."""
    dtype = dtypes.as_dtype(dtype)
    return get_default_graph().create_op("Placeholder", [], {"dtype": dtype, "shape": as_shape(shape)},
                                         name=name).outputs[0]


@register
class PlaceholderWithDefault(OpDef):
    """Its input's value unless fed."""

    may_alias_input = True

    def infer(self, op):
        given = op.inputs[0].shape
        shape = op.attrs["shape"]
        if not shape.is_compatible_with(given):
            raise ValueError("Shapes %s and %s are incompatible" % (shape, given))
        return [(op.inputs[0].dtype, shape)]

    def kernel(self, op, ctx):
        return lambda value: value

    def grad(self, op, dy):
        return [dy]


def placeholder_with_default(input, shape, name=None):  # noqa: A002 - TF's argument name
    """`tf.placeholder_with_default(input, shape)`: `input` unless a value is fed."""
    from ..framework.graph import convert_to_tensor
    value = convert_to_tensor(input)
    return get_default_graph().create_op("PlaceholderWithDefault", [value], {"shape": as_shape(shape)},
                                         name=name).outputs[0]
