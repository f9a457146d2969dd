"""Array ops: creation (zeros, ones, fill), shape queries, reshaping, slicing, joining and indexing.

Each op is one OpDef subclass (shape/dtype rule, kernel, gradient) beside the public function that
builds it.
"""
import numpy as np

from ..framework import dtypes
from ..framework.graph import Tensor, convert_to_tensor
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape
from .common import make_tensor

__all__ = ["zeros", "ones", "fill", "zeros_like", "ones_like", "shape", "reshape"]


def _static_int_list(tensor):
    """The value of a constant integer vector tensor as a list, or None when only known at run time."""
    if tensor.op.type == "Const":
        return [int(v) for v in np.reshape(tensor.op.attrs["value"], [-1])]
    if tensor.op.type == "Shape" and tensor.op.inputs[0].shape.is_fully_defined():
        return tensor.op.inputs[0].shape.as_list()
    return None


def _shape_tensor(shape):
    """A shape argument (list, TensorShape or int32 tensor) as an int32 tensor."""
    if isinstance(shape, TensorShape):
        shape = shape.as_list()
    if isinstance(shape, (list, tuple)) and any(isinstance(s, Tensor) for s in shape):
        return stack_shape(shape)
    return convert_to_tensor(shape, dtype=dtypes.int32 if not isinstance(shape, Tensor) else None,
                             name="shape")


def stack_shape(parts):
    from .array import stack
    return stack([convert_to_tensor(p, dtype=dtypes.int32) for p in parts])


@register
class Fill(OpDef):
    """A tensor of shape `dims` filled with the scalar `value`."""

    def infer(self, op):
        dims, value = op.inputs
        known = _static_int_list(dims)
        if known is not None:
            shape = TensorShape(known)
        elif dims.shape.ndims == 1 and dims.shape[0].value is not None:
            shape = TensorShape([None] * dims.shape[0].value)
        else:
            shape = TensorShape(None)
        if value.shape.ndims not in (None, 0):
            raise ValueError("value must be a scalar, got shape %s" % value.shape)
        return [(value.dtype, shape)]

    def kernel(self, op, ctx):
        return lambda dims, value: np.full(tuple(dims), value, dtype=op.outputs[0].dtype.np)

    def grad(self, op, dy):
        from .math import reduce_sum
        return [None, reduce_sum(dy)]


def fill(dims, value, name=None):
    """`tf.fill(dims, value)`: a tensor of shape `dims` whose every element is `value`."""
    return make_tensor("Fill", [_shape_tensor(dims), convert_to_tensor(value)], name=name or "Fill")


def zeros(shape, dtype=dtypes.float32, name=None):
    """`tf.zeros(shape, dtype=tf.float32)`: a tensor of zeros."""
    dtype = dtypes.as_dtype(dtype)
    if not isinstance(shape, Tensor) and all(not isinstance(s, Tensor) for s in _as_list(shape)):
        from .constant import constant
        return constant(np.zeros(_as_list(shape), dtype=dtype.np), dtype=dtype, name=name or "zeros")
    return fill(shape, np.zeros((), dtype=dtype.np), name=name or "zeros")


def ones(shape, dtype=dtypes.float32, name=None):
    """`tf.ones(shape, dtype=tf.float32)`: a tensor of ones."""
    dtype = dtypes.as_dtype(dtype)
    if not isinstance(shape, Tensor) and all(not isinstance(s, Tensor) for s in _as_list(shape)):
        from .constant import constant
        return constant(np.ones(_as_list(shape), dtype=dtype.np), dtype=dtype, name=name or "ones")
    return fill(shape, np.ones((), dtype=dtype.np), name=name or "ones")


def _as_list(shape):
    if isinstance(shape, TensorShape):
        return shape.as_list()
    if isinstance(shape, (int, np.integer)):
        return [int(shape)]
    return list(shape)


class _LikeOp(OpDef):
    fill_value = 0
    differentiable = False

    def infer(self, op):
        return [(op.attrs.get("dtype") or op.inputs[0].dtype, op.inputs[0].shape)]

    def kernel(self, op, ctx):
        dtype = op.outputs[0].dtype.np
        value = self.fill_value
        return lambda x: np.full(np.shape(x), value, dtype=dtype)


@register
class ZerosLike(_LikeOp):
    """Zeros of the input's shape."""

    fill_value = 0


@register
class OnesLike(_LikeOp):
    """Ones of the input's shape."""

    fill_value = 1


def zeros_like(tensor, dtype=None, name=None, optimize=True):
    """`tf.zeros_like(tensor, dtype=None)`: zeros with the shape of `tensor`."""
    tensor = convert_to_tensor(tensor)
    return make_tensor("ZerosLike", [tensor], {"dtype": dtypes.as_dtype(dtype) if dtype else None},
                       name=name or "zeros_like")


def ones_like(tensor, dtype=None, name=None, optimize=True):
    """`tf.ones_like(tensor, dtype=None)`: ones with the shape of `tensor`."""
    tensor = convert_to_tensor(tensor)
    return make_tensor("OnesLike", [tensor], {"dtype": dtypes.as_dtype(dtype) if dtype else None},
                       name=name or "ones_like")


@register
class Shape(OpDef):
    """The input's dynamic shape as a vector."""

    differentiable = False

    def infer(self, op):
        rank = op.inputs[0].shape.ndims
        return [(op.attrs["out_type"], TensorShape([rank]))]

    def kernel(self, op, ctx):
        dtype = op.attrs["out_type"].np
        return lambda x: np.array(np.shape(x), dtype=dtype)


def shape(input, name=None, out_type=dtypes.int32):  # noqa: A002 - TF's argument name
    """`tf.shape(input)`: the dynamic shape of `input` as a 1-D int32 tensor."""
    return make_tensor("Shape", [convert_to_tensor(input)], {"out_type": dtypes.as_dtype(out_type)},
                       name=name or "Shape")


@register
class Reshape(OpDef):
    """The input's values in a new shape (one dimension may be -1)."""

    may_alias_input = True

    def infer(self, op):
        x, target = op.inputs
        known = _static_int_list(target)
        if known is None:
            rank = target.shape[0].value if target.shape.ndims == 1 else None
            return [(x.dtype, TensorShape(None if rank is None else [None] * rank))]
        if known.count(-1) > 1:
            raise ValueError("Only one dimension of a reshape may be -1, got %s" % known)
        total = x.shape.num_elements()
        if -1 in known:
            rest = int(np.prod([d for d in known if d != -1]))
            if total is not None:
                if rest == 0 or total % rest:
                    raise ValueError("Cannot reshape a tensor with %d elements to shape %s" % (total, known))
                known = [total // rest if d == -1 else d for d in known]
            else:
                known = [None if d == -1 else d for d in known]
        elif total is not None and total != int(np.prod(known)):
            raise ValueError("Cannot reshape a tensor with %d elements to shape %s (%d elements)"
                             % (total, known, int(np.prod(known))))
        return [(x.dtype, TensorShape(known))]

    def kernel(self, op, ctx):
        return lambda x, target: np.reshape(x, target)

    def grad(self, op, dy):
        return [reshape(dy, shape(op.inputs[0])), None]


def reshape(tensor, shape, name=None):  # noqa: F811 - TF's argument name
    """`tf.reshape(tensor, shape)`: the same values in `shape`; one entry may be -1."""
    return make_tensor("Reshape", [convert_to_tensor(tensor), _shape_tensor(shape)], name=name or "Reshape")


@register
class BroadcastToShapeOf(OpDef):
    """x broadcast to the shape of `like` (the gradient of SumToShapeOf)."""

    def infer(self, op):
        return [(op.inputs[0].dtype, op.inputs[1].shape)]

    def kernel(self, op, ctx):
        return lambda x, like: np.array(np.broadcast_to(x, np.shape(like)))

    def grad(self, op, dy):
        from .common import sum_to_shape_of
        return [sum_to_shape_of(dy, op.inputs[0]), None]


def broadcast_to_shape_of(x, like):
    return make_tensor("BroadcastToShapeOf", [x, like], name="BroadcastTo")
