"""Building blocks shared by the op families: dtype reconciliation, broadcasting, gradient reduction."""
import numpy as np

from ..framework.graph import Tensor, convert_to_tensor, get_default_graph, is_tensor_like
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import Dimension, TensorShape, format_shape


def make_op(op_type, inputs, attrs=None, name=None):
    """Creates an op in the inputs' graph (or the default graph) and returns the Operation."""
    graph = inputs[0].graph if inputs else get_default_graph()
    return graph.create_op(op_type, inputs, attrs, name)


def make_tensor(op_type, inputs, attrs=None, name=None):
    """Like make_op, returning the op's single output Tensor."""
    return make_op(op_type, inputs, attrs, name).outputs[0]


def binary_inputs(x, y, op_name, x_name="x", y_name="y"):
    """Converts two operands to Tensors of one dtype: a Python value takes the other operand's dtype;
    two tensors of different dtypes are a TypeError naming both."""
    x_is = is_tensor_like(x)
    y_is = is_tensor_like(y)
    if x_is and not y_is:
        x = convert_to_tensor(x)
        y = convert_to_tensor(y, dtype=x.dtype, name=y_name)
    elif y_is and not x_is:
        y = convert_to_tensor(y)
        x = convert_to_tensor(x, dtype=y.dtype, name=x_name)
    else:
        x = convert_to_tensor(x, name=x_name)
        y = convert_to_tensor(y, dtype=None, name=y_name)
    check_same_dtype(op_name, x, y, x_name, y_name)
    return x, y


def check_same_dtype(op_type, first, second, first_name="x", second_name="y"):
    """TypeError, in TF's words, unless the two inputs of `op_type` have one dtype."""
    if first.dtype is not second.dtype:
        raise TypeError("Input '%s' of '%s' Op has type %s that does not match type %s of argument '%s'."
                        % (second_name, op_type, second.dtype.name, first.dtype.name, first_name))


def broadcast_shape(a, b):
    """The static shape of broadcasting shapes a and b; ValueError naming both when they cannot."""
    if a.ndims is None or b.ndims is None:
        return TensorShape(None)
    da, db = list(a), list(b)
    rank = max(len(da), len(db))
    da = [Dimension(1)] * (rank - len(da)) + da
    db = [Dimension(1)] * (rank - len(db)) + db
    out = []
    for x, y in zip(da, db):
        xv, yv = x.value, y.value
        if xv == 1:
            out.append(y)
        elif yv == 1:
            out.append(x)
        elif xv is None or yv is None:
            out.append(Dimension(xv if yv is None else yv) if (xv is None) != (yv is None) else Dimension(None))
        elif xv == yv:
            out.append(x)
        else:
            raise ValueError("Dimensions must be equal, but are %d and %d. Shapes %s and %s cannot be "
                             "broadcast together" % (xv, yv, format_shape(a), format_shape(b)))
    return TensorShape(out)


def check_dtype(tensor, allowed, op_name):
    """TypeError unless tensor.dtype is one of `allowed` (a predicate name such as 'is_floating' or DTypes)."""
    dtype = tensor.dtype
    if isinstance(allowed, str):
        ok = getattr(dtype, allowed)
    else:
        ok = dtype in allowed
    if not ok:
        raise TypeError("Value passed to parameter 'x' of op '%s' has DataType %s not in the allowed list"
                        % (op_name, dtype.name))


class UnaryOp(OpDef):
    """An elementwise op of one input with the same dtype and shape; `fn` is its NumPy function."""

    fn = None
    allowed = None   # None: any numeric dtype; else a predicate name or DTypes

    def infer(self, op):
        x = op.inputs[0]
        if self.allowed is not None:
            check_dtype(x, self.allowed, self.type)
        return [(x.dtype, x.shape)]

    def kernel(self, op, ctx):
        return type(self).fn


class BinaryOp(OpDef):
    """An elementwise op of two same-dtype inputs with NumPy broadcasting; `fn` is its NumPy function."""

    fn = None
    allowed = None
    output_dtype = None  # None: the inputs' dtype

    def infer(self, op):
        x, y = op.inputs
        check_same_dtype(self.type, x, y)
        if self.allowed is not None:
            check_dtype(x, self.allowed, self.type)
        return [(self.output_dtype or x.dtype, broadcast_shape(x.shape, y.shape))]

    def kernel(self, op, ctx):
        return type(self).fn


def unary(op_type, x, name=None):
    return make_tensor(op_type, [convert_to_tensor(x, name="x")], name=name)


def binary(op_type, x, y, name=None):
    x, y = binary_inputs(x, y, op_type)
    return make_tensor(op_type, [x, y], name=name)


# --- reducing a broadcast gradient back to an input's shape --------------------------------------
@register
class SumToShapeOf(OpDef):
    """grad summed over the axes along which `like` was broadcast, reshaped to `like`'s shape."""

    def infer(self, op):
        grad, like = op.inputs
        return [(grad.dtype, like.shape)]

    def kernel(self, op, ctx):
        grad_shape, like_shape = op.inputs[0].shape, op.inputs[1].shape
        if grad_shape.ndims is not None and like_shape.is_fully_defined():
            # The axes are known statically: resolve them once, not per call.
            target = tuple(like_shape.as_list())
            lead = grad_shape.ndims - len(target)
            axes = tuple(range(lead)) + tuple(lead + i for i, d in enumerate(target)
                                              if d == 1 and grad_shape[lead + i].value != 1)
            from .reduce_kernels import add_reduce
            if ctx.xp is not np:
                # Device arrays: the device module's sum (add_reduce's shortcuts are NumPy's own).
                xp, dtype = ctx.xp, op.outputs[0].dtype.np

                def add_reduce(grad, axes, out_dtype=None, keepdims=False):
                    return xp.sum(grad, axes, dtype, keepdims=keepdims)
            if not axes:
                return lambda grad, like: np.reshape(grad, target)
            if lead == len(axes):
                return lambda grad, like: add_reduce(grad, axes)
            if lead == 0:
                return lambda grad, like: add_reduce(grad, axes, None, True)
            return lambda grad, like: add_reduce(grad, axes).reshape(target)

        def sum_to(grad, like):
            shape = np.shape(like)
            if np.shape(grad) == shape:
                return grad
            lead = np.ndim(grad) - len(shape)
            axes = tuple(range(lead)) + tuple(lead + i for i, d in enumerate(shape)
                                              if d == 1 and np.shape(grad)[lead + i] != 1)
            return np.sum(grad, axis=axes, keepdims=False).reshape(shape) if axes else \
                np.reshape(grad, shape)
        return sum_to

    def grad(self, op, dy):
        from .array import broadcast_to_shape_of
        grad, like = op.inputs
        return [broadcast_to_shape_of(dy, grad), None]


def sum_to_shape_of(grad, like):
    """Undoes broadcasting in a gradient: statically a no-op when the shapes already agree."""
    if grad is None:
        return None
    if grad.shape.is_fully_defined() and grad.shape == like.shape:
        return grad
    return make_tensor("SumToShapeOf", [grad, like], name="SumToShape")


def is_tensor(value):
    return isinstance(value, Tensor)
