"""Math ops: elementwise arithmetic, comparisons, reductions and matrix products, with their gradients.

Each op is one OpDef subclass (shape/dtype rule, kernel, gradient) beside the public function that
builds it. The Tensor operator overloads (`+ - * / // % ** @`, comparisons, `& | ~`) are installed at
the end of this module.
"""
import numpy as np

from ..framework import dtypes
from ..framework.graph import Tensor, convert_to_tensor
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape
from .common import BinaryOp, UnaryOp, binary, binary_inputs, make_tensor, sum_to_shape_of, unary

__all__ = ["add", "subtract", "multiply", "matmul", "add_n", "cast"]


@register
class Add(BinaryOp):
    """x + y with broadcasting."""

    fn = np.add

    def grad(self, op, dz):
        x, y = op.inputs
        return [sum_to_shape_of(dz, x), sum_to_shape_of(dz, y)]


def add(x, y, name=None):
    """`tf.add(x, y)`: x + y elementwise, with broadcasting."""
    return binary("Add", x, y, name)


@register
class Sub(BinaryOp):
    """x - y with broadcasting."""

    fn = np.subtract

    def grad(self, op, dz):
        x, y = op.inputs
        return [sum_to_shape_of(dz, x), sum_to_shape_of(negative(dz), y)]


def subtract(x, y, name=None):
    """`tf.subtract(x, y)`: x - y elementwise, with broadcasting."""
    return binary("Sub", x, y, name)


@register
class Mul(BinaryOp):
    """x * y with broadcasting."""

    fn = np.multiply

    def grad(self, op, dz):
        x, y = op.inputs
        return [sum_to_shape_of(multiply(dz, y), x), sum_to_shape_of(multiply(x, dz), y)]


def multiply(x, y, name=None):
    """`tf.multiply(x, y)`: x * y elementwise, with broadcasting."""
    return binary("Mul", x, y, name)


@register
class Neg(UnaryOp):
    """-x."""

    fn = np.negative

    def grad(self, op, dy):
        return [negative(dy)]


def negative(x, name=None):
    """`tf.negative(x)`: -x elementwise."""
    return unary("Neg", x, name)


@register
class MatMul(OpDef):
    """A matrix product of two rank-2 tensors, optionally transposing either."""

    def infer(self, op):
        a, b = op.inputs
        ta, tb = op.attrs["transpose_a"], op.attrs["transpose_b"]
        if a.dtype is not b.dtype:
            raise TypeError("Input 'b' of 'MatMul' Op has type %s that does not match type %s of argument "
                            "'a'." % (b.dtype.name, a.dtype.name))
        sa, sb = a.shape.with_rank(2) if a.shape.ndims is not None else TensorShape([None, None]), \
            b.shape.with_rank(2) if b.shape.ndims is not None else TensorShape([None, None])
        m, ka = (sa[1], sa[0]) if ta else (sa[0], sa[1])
        kb, n = (sb[1], sb[0]) if tb else (sb[0], sb[1])
        if not ka.is_compatible_with(kb):
            raise ValueError("Dimensions must be equal, but are %s and %s" % (ka, kb))
        return [(a.dtype, TensorShape([m, n]))]

    def kernel(self, op, ctx):
        ta, tb = op.attrs["transpose_a"], op.attrs["transpose_b"]
        if not ta and not tb:
            return np.matmul
        if ta and not tb:
            return lambda a, b: np.matmul(a.T, b)
        if tb and not ta:
            return lambda a, b: np.matmul(a, b.T)
        return lambda a, b: np.matmul(a.T, b.T)

    def grad(self, op, dz):
        a, b = op.inputs
        ta, tb = op.attrs["transpose_a"], op.attrs["transpose_b"]
        if not ta and not tb:
            return [matmul(dz, b, transpose_b=True), matmul(a, dz, transpose_a=True)]
        if not ta and tb:
            return [matmul(dz, b), matmul(dz, a, transpose_a=True)]
        if ta and not tb:
            return [matmul(b, dz, transpose_b=True), matmul(a, dz)]
        return [matmul(b, dz, transpose_a=True, transpose_b=True),
                matmul(dz, a, transpose_a=True, transpose_b=True)]


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, name=None):
    """`tf.matmul(a, b, transpose_a=False, transpose_b=False)`: the matrix product of rank-2 tensors."""
    a, b = binary_inputs(a, b, "MatMul", "a", "b")
    return make_tensor("MatMul", [a, b], {"transpose_a": bool(transpose_a or adjoint_a),
                                          "transpose_b": bool(transpose_b or adjoint_b)}, name=name)


@register
class AddN(OpDef):
    """The sum of a list of same-shape tensors."""

    def infer(self, op):
        first = op.inputs[0]
        shape = first.shape
        for t in op.inputs[1:]:
            if t.dtype is not first.dtype:
                raise TypeError("AddN inputs must share one dtype: %s vs %s" % (first.dtype.name, t.dtype.name))
            shape = shape.merge_with(t.shape)
        return [(first.dtype, shape)]

    def kernel(self, op, ctx):
        def add_all(*values):
            total = np.add(values[0], values[1]) if len(values) > 1 else np.array(values[0])
            for value in values[2:]:
                total += value
            return total
        return add_all

    def grad(self, op, dz):
        return [dz] * len(op.inputs)


def add_n(inputs, name=None):
    """`tf.add_n(inputs)`: the elementwise sum of a list of tensors of the same shape and dtype."""
    inputs = [convert_to_tensor(t) for t in inputs]
    if not inputs:
        raise ValueError("inputs must be a non-empty list of Tensors")
    return make_tensor("AddN", inputs, name=name or "AddN")


@register
class Cast(OpDef):
    """x converted to another dtype."""

    def infer(self, op):
        return [(op.attrs["DstT"], op.inputs[0].shape)]

    def kernel(self, op, ctx):
        target = op.attrs["DstT"].np
        return lambda x: np.asarray(x).astype(target)

    def grad(self, op, dy):
        source = op.inputs[0].dtype
        if source.is_floating and op.attrs["DstT"].is_floating:
            return [cast(dy, source)]
        return [None]


def cast(x, dtype, name=None):
    """`tf.cast(x, dtype)`: x converted elementwise to `dtype` (floats to ints truncate toward zero)."""
    x = convert_to_tensor(x)
    dtype = dtypes.as_dtype(dtype)
    if x.dtype is dtype:
        return x
    return make_tensor("Cast", [x], {"DstT": dtype}, name=name or "Cast")


# --- Tensor operator overloads -------------------------------------------------------------------
def _binary_overload(fn):
    def forward(x, y):
        return fn(x, y)

    def reverse(y, x):
        return fn(x, y)
    return forward, reverse


for _name, _fn in (("add", add), ("sub", subtract), ("mul", multiply), ("matmul", matmul)):
    _forward, _reverse = _binary_overload(_fn)
    Tensor._override_operator("__%s__" % _name, _forward)
    Tensor._override_operator("__r%s__" % _name, _reverse)
Tensor._override_operator("__neg__", lambda x: negative(x))
