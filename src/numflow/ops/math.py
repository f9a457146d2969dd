"""Math ops: elementwise arithmetic, comparisons, reductions and matrix products, with their gradients.

Each op is one OpDef subclass (shape/dtype rule, kernel, gradient) beside the public function that
builds it. The Tensor operator overloads (`+ - * / // % ** @`, comparisons, `& | ^ ~`) are installed at
the end of this module.
"""
import builtins
import math as _pymath

import numpy as np

from ..backend import special_function
from ..framework import dtypes, errors
from ..framework.graph import Tensor, convert_to_tensor
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import Dimension, TensorShape, format_shape
from .common import (BinaryOp, UnaryOp, binary, binary_inputs, broadcast_shape, check_dtype, check_same_dtype,
                     make_tensor, sum_to_shape_of, unary)

__all__ = [
    # arithmetic
    "add", "subtract", "multiply", "divide", "truediv", "realdiv", "div", "floordiv", "floor_div",
    "floormod", "mod", "truncatediv", "truncatemod", "div_no_nan", "pow", "negative", "scalar_mul", "add_n",
    "accumulate_n", "squared_difference", "maximum", "minimum", "clip_by_value",
    # elementwise functions
    "square", "sqrt", "rsqrt", "exp", "expm1", "log", "log1p", "abs", "sign", "reciprocal", "floor",
    "ceil", "round", "rint", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "sigmoid",
    "tanh", "erf", "is_nan", "is_inf", "is_finite",
    # casts
    "cast", "to_float", "to_double", "to_int32", "to_int64",
    # comparisons and logic
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal", "logical_and",
    "logical_or", "logical_not", "logical_xor", "where",
    # reductions and scans
    "reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod", "reduce_any", "reduce_all",
    "reduce_logsumexp", "argmax", "argmin", "count_nonzero", "cumsum", "cumprod",
    # matrices
    "matmul",
]

_FLOATS = (dtypes.float16, dtypes.float32, dtypes.float64)
_COMPLEX = (dtypes.complex64, dtypes.complex128)
_INTS = (dtypes.int8, dtypes.int16, dtypes.int32, dtypes.int64, dtypes.uint8, dtypes.uint16, dtypes.uint32,
         dtypes.uint64)
_REAL = _FLOATS + _INTS
_NUMERIC = _REAL + _COMPLEX
_FLOAT_COMPLEX = _FLOATS + _COMPLEX
_BOOL = (dtypes.bool,)
_INDEX = (dtypes.int32, dtypes.int64)


def _zeros_like(t):
    from .array import zeros_like
    return zeros_like(t)


# --- binary arithmetic -----------------------------------------------------------------------------
@register
class Add(BinaryOp):
    """x + y with broadcasting (numbers, or string concatenation)."""

    fn = np.add
    allowed = _NUMERIC + (dtypes.string,)

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
    allowed = _NUMERIC

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
    allowed = _NUMERIC

    def grad(self, op, dz):
        x, y = op.inputs
        if x.dtype.is_complex:
            # TF's convention for complex inputs: the gradient flows through the conjugate.
            from .special_math import conj
            x, y = conj(x), conj(y)
        return [sum_to_shape_of(multiply(dz, y), op.inputs[0]), sum_to_shape_of(multiply(x, dz), op.inputs[1])]


def multiply(x, y, name=None):
    """`tf.multiply(x, y)`: x * y elementwise, with broadcasting."""
    return binary("Mul", x, y, name)


def _int_truncating_divide(x, y):
    """C-style integer division (rounds toward zero), as TF's RealDiv/TruncateDiv on integers."""
    q = np.floor_divide(x, y)
    return q + ((np.multiply(q, y) != x) & ((np.less(x, 0)) != (np.less(y, 0)))).astype(q.dtype)


def _checked_integer_division(op, divide):
    """`divide` for integer inputs, raising InvalidArgumentError("Integer division by zero") as TF does
    where NumPy would silently give 0. Floats keep IEEE results (inf, nan)."""
    def integer_division(x, y):
        if not np.all(y):
            raise errors.InvalidArgumentError(None, op, "Integer division by zero")
        return divide(x, y)
    return integer_division


@register
class RealDiv(BinaryOp):
    """x / y with broadcasting; integers divide toward zero (use truediv for a float result)."""

    allowed = _NUMERIC

    def kernel(self, op, ctx):
        if op.inputs[0].dtype.is_integer:
            return _checked_integer_division(op, _int_truncating_divide)
        return np.true_divide

    def grad(self, op, dz):
        x, y = op.inputs
        return [sum_to_shape_of(realdiv(dz, y), x),
                sum_to_shape_of(multiply(dz, realdiv(realdiv(negative(x), y), y)), y)]


def realdiv(x, y, name=None):
    """`tf.realdiv(x, y)`: x / y elementwise for real types (integers round toward zero)."""
    return binary("RealDiv", x, y, name)


# TF's __truediv__ table: integer inputs are cast to this float type before dividing.
_TRUEDIV_TABLE = {dtypes.uint8: dtypes.float32, dtypes.int8: dtypes.float32, dtypes.uint16: dtypes.float32,
                  dtypes.int16: dtypes.float32, dtypes.int32: dtypes.float64, dtypes.int64: dtypes.float64,
                  dtypes.float16: None, dtypes.float32: None, dtypes.float64: None, dtypes.complex64: None,
                  dtypes.complex128: None}


def truediv(x, y, name=None):
    """`tf.truediv(x, y)`: x / y with Python 3 semantics: integers are first cast to float (int8, int16,
    uint8, uint16 to float32; int32, int64 to float64); both operands must have the same dtype."""
    x, y = binary_inputs(x, y, "truediv")
    try:
        target = _TRUEDIV_TABLE[x.dtype]
    except KeyError:
        raise TypeError("Invalid dtype %r in __truediv__" % (x.dtype,)) from None
    if target is not None:
        x, y = cast(x, target), cast(y, target)
    return make_tensor("RealDiv", [x, y], name=name or "truediv")


def divide(x, y, name=None):
    """`tf.divide(x, y)`: x / y with Python 3 (true division) semantics."""
    return truediv(x, y, name=name)


def div(x, y, name=None):
    """`tf.div(x, y)`: division with Python 2 semantics: floor division for integers, real division for
    floats (deprecated in TF1 in favour of truediv/floordiv)."""
    x, y = binary_inputs(x, y, "div")
    if x.dtype.is_floating or x.dtype.is_complex:
        return make_tensor("RealDiv", [x, y], name=name or "div")
    return make_tensor("FloorDiv", [x, y], name=name or "div")


def _float_floor_divide(x, y):
    return np.floor(np.true_divide(x, y))


@register
class FloorDiv(BinaryOp):
    """floor(x / y) with broadcasting, for integers and floats."""

    allowed = _REAL

    def kernel(self, op, ctx):
        if op.inputs[0].dtype.is_floating:
            return _float_floor_divide
        return _checked_integer_division(op, np.floor_divide)

    def grad(self, op, dz):
        return [None, None]


def floordiv(x, y, name=None):
    """`tf.floordiv(x, y)`: floor(x / y) elementwise (rounds toward -inf, for floats too)."""
    return binary("FloorDiv", x, y, name or "floordiv")


def floor_div(x, y, name=None):
    """`tf.floor_div(x, y)`: the FloorDiv op, same as tf.floordiv."""
    return binary("FloorDiv", x, y, name)


@register
class TruncateDiv(BinaryOp):
    """x / y rounded toward zero (C's integer division), for integers, with broadcasting."""

    allowed = _INTS
    differentiable = False

    def kernel(self, op, ctx):
        return _checked_integer_division(op, _int_truncating_divide)


def truncatediv(x, y, name=None):
    """`tf.truncatediv(x, y)`: x / y for integer types, rounded toward zero (-7 / 2 is -3); a zero
    divisor is an InvalidArgumentError at run time."""
    return binary("TruncateDiv", x, y, name)


class _IntegerCheckedBinaryOp(BinaryOp):
    """A BinaryOp whose integer kernel refuses a zero divisor (InvalidArgumentError, as TF)."""

    def kernel(self, op, ctx):
        if op.inputs[0].dtype.is_integer:
            return _checked_integer_division(op, type(self).fn)
        return type(self).fn


@register
class FloorMod(_IntegerCheckedBinaryOp):
    """x mod y with the sign of y (Python's %), with broadcasting."""

    fn = np.mod
    allowed = _REAL

    def grad(self, op, dz):
        x, y = op.inputs
        return [sum_to_shape_of(dz, x), sum_to_shape_of(multiply(dz, negative(floordiv(x, y))), y)]


def floormod(x, y, name=None):
    """`tf.floormod(x, y)`: the remainder of floor division, with the sign of y (Python's `%`)."""
    return binary("FloorMod", x, y, name)


mod = floormod


@register
class TruncateMod(_IntegerCheckedBinaryOp):
    """x mod y with the sign of x (C's fmod), with broadcasting."""

    fn = np.fmod
    allowed = _REAL

    def grad(self, op, dz):
        return [None, None]


def truncatemod(x, y, name=None):
    """`tf.truncatemod(x, y)`: the remainder of truncating division, with the sign of x (C's fmod)."""
    return binary("TruncateMod", x, y, name)


def _div_no_nan(x, y):
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.true_divide(x, y)
    # A NumPy scalar, not a 0-d array, so that it mixes with device arrays too.
    return np.where(np.equal(y, 0), out.dtype.type(0), out)


@register
class DivNoNan(BinaryOp):
    """x / y, 0 where y is 0."""

    fn = _div_no_nan
    allowed = _FLOAT_COMPLEX

    def grad(self, op, dz):
        x, y = op.inputs
        return [sum_to_shape_of(div_no_nan(dz, y), x),
                sum_to_shape_of(multiply(dz, div_no_nan(div_no_nan(negative(x), y), y)), y)]


def div_no_nan(x, y, name=None):
    """`tf.div_no_nan(x, y)`: x / y, returning 0 wherever y is 0 (floats)."""
    return binary("DivNoNan", x, y, name)


@register
class Pow(BinaryOp):
    """x ** y with broadcasting."""

    fn = np.power
    allowed = _NUMERIC

    def grad(self, op, dz):
        x, y = op.inputs
        z = op.outputs[0]
        gx = multiply(dz, multiply(y, pow(x, subtract(y, 1))))
        from .array import ones_like
        positive = greater(x, 0)
        log_x = where(positive, log(where(positive, x, ones_like(x))), _zeros_like(x))
        gy = multiply(dz, multiply(z, log_x))
        return [sum_to_shape_of(gx, x), sum_to_shape_of(gy, y)]


def pow(x, y, name=None):  # noqa: A001 - TF's name
    """`tf.pow(x, y)`: x ** y elementwise, with broadcasting."""
    return binary("Pow", x, y, name)


@register
class Maximum(BinaryOp):
    """max(x, y) with broadcasting."""

    fn = np.maximum
    allowed = _REAL

    def grad(self, op, dz):
        x, y = op.inputs
        return _select_grads(greater_equal(x, y), dz, x, y)


def _select_grads(x_mask, dz, x, y):
    """Routes dz to x where x_mask holds and to y elsewhere (Maximum/Minimum gradients)."""
    zeros = _zeros_like(dz)
    return [sum_to_shape_of(where(x_mask, dz, zeros), x), sum_to_shape_of(where(x_mask, zeros, dz), y)]


def maximum(x, y, name=None):
    """`tf.maximum(x, y)`: max(x, y) elementwise, with broadcasting."""
    return binary("Maximum", x, y, name)


@register
class Minimum(BinaryOp):
    """min(x, y) with broadcasting."""

    fn = np.minimum
    allowed = _REAL

    def grad(self, op, dz):
        x, y = op.inputs
        return _select_grads(less_equal(x, y), dz, x, y)


def minimum(x, y, name=None):
    """`tf.minimum(x, y)`: min(x, y) elementwise, with broadcasting."""
    return binary("Minimum", x, y, name)


def _squared_difference(x, y):
    d = np.subtract(x, y)
    if type(d) is np.ndarray:
        return np.multiply(d, d, out=d)
    return d * d


@register
class SquaredDifference(BinaryOp):
    """(x - y) ** 2 with broadcasting."""

    fn = _squared_difference
    allowed = _NUMERIC

    def grad(self, op, dz):
        x, y = op.inputs
        g = multiply(dz, multiply(2.0 if x.dtype.is_floating else 2, subtract(x, y)))
        return [sum_to_shape_of(g, x), sum_to_shape_of(negative(g), y)]


def squared_difference(x, y, name=None):
    """`tf.squared_difference(x, y)`: (x - y) * (x - y) elementwise, with broadcasting."""
    return binary("SquaredDifference", x, y, name)


def scalar_mul(scalar, x, name=None):
    """`tf.scalar_mul(scalar, x)`: a scalar times a tensor; ValueError unless `scalar` is 0-D."""
    x = convert_to_tensor(x)
    scalar = convert_to_tensor(scalar, dtype=x.dtype, name="scalar")
    if scalar.shape.ndims != 0:
        raise ValueError("Only scalar multiply works, got shape %s" % (scalar.shape,))
    return multiply(scalar, x, name=name)


@register
class ClipByValue(OpDef):
    """t clipped to [clip_value_min, clip_value_max] (min(t, max) first, then max with min, as TF)."""

    def infer(self, op):
        t, lo, hi = op.inputs
        for other, arg in ((lo, "clip_value_min"), (hi, "clip_value_max")):
            check_same_dtype("ClipByValue", t, other, "t", arg)
        check_dtype(t, _REAL, "ClipByValue")
        shape = broadcast_shape(broadcast_shape(t.shape, lo.shape), hi.shape)
        if not shape.is_compatible_with(t.shape):
            raise ValueError("Clip bounds of shapes %s and %s broadcast t of shape %s to %s; clip_by_value "
                             "must keep t's shape" % (format_shape(lo.shape), format_shape(hi.shape),
                                                      format_shape(t.shape), format_shape(shape)))
        return [(t.dtype, t.shape.merge_with(shape))]

    def kernel(self, op, ctx):
        def clip(t, lo, hi):
            r = np.minimum(t, hi)
            if type(r) is np.ndarray:
                return np.maximum(r, lo, out=r)
            return np.maximum(r, lo)
        return clip

    def grad(self, op, dy):
        t, lo, hi = op.inputs
        below = less(t, lo)
        above = greater(t, hi)
        zeros = _zeros_like(dy)
        return [where(logical_or(below, above), zeros, dy),
                sum_to_shape_of(where(below, dy, zeros), lo),
                sum_to_shape_of(where(above, dy, zeros), hi)]


def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    """`tf.clip_by_value(t, clip_value_min, clip_value_max)`: t with values below the min set to the min
    and above the max set to the max. The bounds are scalars or broadcast to t's shape; the gradient
    flows to t only where it was not clipped. An IndexedSlices gives an IndexedSlices of clipped values."""
    from ..framework.indexed_slices import IndexedSlices
    if isinstance(t, IndexedSlices):
        return IndexedSlices(clip_by_value(t.values, clip_value_min, clip_value_max, name), t.indices, t.dense_shape)
    t = convert_to_tensor(t, name="t")
    lo = convert_to_tensor(clip_value_min, dtype=None if isinstance(clip_value_min, Tensor) else t.dtype,
                           name="clip_value_min")
    hi = convert_to_tensor(clip_value_max, dtype=None if isinstance(clip_value_max, Tensor) else t.dtype,
                           name="clip_value_max")
    return make_tensor("ClipByValue", [t, lo, hi], name=name or "clip_by_value")


# --- unary elementwise -----------------------------------------------------------------------------
@register
class Neg(UnaryOp):
    """-x."""

    fn = np.negative
    allowed = _NUMERIC

    def grad(self, op, dy):
        return [negative(dy)]


def negative(x, name=None):
    """`tf.negative(x)`: -x elementwise."""
    return unary("Neg", x, name)


@register
class Square(UnaryOp):
    """x * x."""

    fn = np.square
    allowed = _NUMERIC

    def grad(self, op, dy):
        return [multiply(dy, multiply(2.0, op.inputs[0]))]


def square(x, name=None):
    """`tf.square(x)`: x * x elementwise."""
    return unary("Square", x, name)


@register
class Sqrt(UnaryOp):
    """The square root of x."""

    fn = np.sqrt
    allowed = _FLOAT_COMPLEX

    def grad(self, op, dy):
        return [realdiv(multiply(dy, 0.5), op.outputs[0])]


def sqrt(x, name=None):
    """`tf.sqrt(x)`: the square root of x elementwise (floats)."""
    return unary("Sqrt", x, name)


def _rsqrt(x):
    r = np.sqrt(x)
    if type(r) is np.ndarray:
        return np.reciprocal(r, out=r)
    return np.reciprocal(r)


@register
class Rsqrt(UnaryOp):
    """1 / sqrt(x)."""

    fn = _rsqrt
    allowed = _FLOAT_COMPLEX

    def grad(self, op, dy):
        y = op.outputs[0]
        return [multiply(multiply(dy, -0.5), multiply(square(y), y))]


def rsqrt(x, name=None):
    """`tf.rsqrt(x)`: 1 / sqrt(x) elementwise (floats)."""
    return unary("Rsqrt", x, name)


@register
class Exp(UnaryOp):
    """e ** x."""

    fn = np.exp
    allowed = _FLOAT_COMPLEX

    def grad(self, op, dy):
        return [multiply(dy, op.outputs[0])]


def exp(x, name=None):
    """`tf.exp(x)`: e ** x elementwise (floats)."""
    return unary("Exp", x, name)


@register
class Expm1(UnaryOp):
    """e ** x - 1, accurate for small x."""

    fn = np.expm1
    allowed = _FLOAT_COMPLEX

    def grad(self, op, dy):
        return [multiply(dy, exp(op.inputs[0]))]


def expm1(x, name=None):
    """`tf.expm1(x)`: exp(x) - 1 elementwise (floats), accurate near 0."""
    return unary("Expm1", x, name)


@register
class Log(UnaryOp):
    """The natural logarithm of x."""

    fn = np.log
    allowed = _FLOAT_COMPLEX

    def grad(self, op, dy):
        return [multiply(dy, reciprocal(op.inputs[0]))]


def log(x, name=None):
    """`tf.log(x)`: the natural logarithm of x elementwise (floats)."""
    return unary("Log", x, name)


@register
class Log1p(UnaryOp):
    """log(1 + x), accurate for small x."""

    fn = np.log1p
    allowed = _FLOAT_COMPLEX

    def grad(self, op, dy):
        return [multiply(dy, reciprocal(add(1.0, op.inputs[0])))]


def log1p(x, name=None):
    """`tf.log1p(x)`: log(1 + x) elementwise (floats), accurate near 0."""
    return unary("Log1p", x, name)


@register
class Abs(UnaryOp):
    """|x|."""

    fn = np.absolute
    allowed = _REAL

    def grad(self, op, dy):
        return [multiply(dy, sign(op.inputs[0]))]


def abs(x, name=None):  # noqa: A001 - TF's name
    """`tf.abs(x)`: the absolute value of x elementwise (the real magnitude for complex x)."""
    x = convert_to_tensor(x, name="x")
    if x.dtype.is_complex:
        from .special_math import complex_abs
        return complex_abs(x, name)
    return unary("Abs", x, name)


@register
class Sign(UnaryOp):
    """-1, 0 or 1 as x is negative, zero or positive."""

    fn = np.sign
    allowed = _REAL

    def grad(self, op, dy):
        return [_zeros_like(op.inputs[0])]


def sign(x, name=None):
    """`tf.sign(x)`: -1 where x < 0, 0 where x == 0, 1 where x > 0."""
    return unary("Sign", x, name)


@register
class Reciprocal(UnaryOp):
    """1 / x."""

    fn = np.reciprocal
    allowed = _NUMERIC

    def grad(self, op, dy):
        return [multiply(negative(dy), square(op.outputs[0]))]


def reciprocal(x, name=None):
    """`tf.reciprocal(x)`: 1 / x elementwise."""
    return unary("Reciprocal", x, name)


class _RoundingOp(UnaryOp):
    """Rounding has zero gradient almost everywhere; TF returns no gradient for it."""

    allowed = _FLOATS

    def grad(self, op, dy):
        return [None]


@register
class Floor(_RoundingOp):
    """The largest integer not greater than x."""

    fn = np.floor


def floor(x, name=None):
    """`tf.floor(x)`: the largest integral value not greater than x (floats)."""
    return unary("Floor", x, name)


@register
class Ceil(_RoundingOp):
    """The smallest integer not less than x."""

    fn = np.ceil


def ceil(x, name=None):
    """`tf.ceil(x)`: the smallest integral value not less than x (floats)."""
    return unary("Ceil", x, name)


@register
class Round(_RoundingOp):
    """x rounded to the nearest integer, half to even (banker's rounding); integers unchanged."""

    allowed = _REAL

    def kernel(self, op, ctx):
        return np.rint if op.inputs[0].dtype.is_floating else np.positive


def round(x, name=None):  # noqa: A001 - TF's name
    """`tf.round(x)`: x rounded to the nearest integer, halves to even ("banker's rounding")."""
    return unary("Round", x, name)


@register
class Rint(_RoundingOp):
    """x rounded to the nearest integer, half to even."""

    fn = np.rint


def rint(x, name=None):
    """`tf.rint(x)`: the integer closest to x, halves to even (floats)."""
    return unary("Rint", x, name)


@register
class Sin(UnaryOp):
    """sin(x)."""

    fn = np.sin
    allowed = _FLOAT_COMPLEX

    def grad(self, op, dy):
        return [multiply(dy, cos(op.inputs[0]))]


def sin(x, name=None):
    """`tf.sin(x)`: the sine of x elementwise."""
    return unary("Sin", x, name)


@register
class Cos(UnaryOp):
    """cos(x)."""

    fn = np.cos
    allowed = _FLOAT_COMPLEX

    def grad(self, op, dy):
        return [negative(multiply(dy, sin(op.inputs[0])))]


def cos(x, name=None):
    """`tf.cos(x)`: the cosine of x elementwise."""
    return unary("Cos", x, name)


@register
class Tan(UnaryOp):
    """tan(x)."""

    fn = np.tan
    allowed = _FLOAT_COMPLEX

    def grad(self, op, dy):
        return [multiply(dy, square(reciprocal(cos(op.inputs[0]))))]


def tan(x, name=None):
    """`tf.tan(x)`: the tangent of x elementwise."""
    return unary("Tan", x, name)


@register
class Asin(UnaryOp):
    """arcsin(x)."""

    fn = np.arcsin
    allowed = _FLOAT_COMPLEX

    def grad(self, op, dy):
        return [multiply(dy, rsqrt(subtract(1.0, square(op.inputs[0]))))]


def asin(x, name=None):
    """`tf.asin(x)`: the inverse sine of x elementwise."""
    return unary("Asin", x, name)


@register
class Acos(UnaryOp):
    """arccos(x)."""

    fn = np.arccos
    allowed = _FLOAT_COMPLEX

    def grad(self, op, dy):
        return [negative(multiply(dy, rsqrt(subtract(1.0, square(op.inputs[0])))))]


def acos(x, name=None):
    """`tf.acos(x)`: the inverse cosine of x elementwise."""
    return unary("Acos", x, name)


@register
class Atan(UnaryOp):
    """arctan(x)."""

    fn = np.arctan
    allowed = _FLOAT_COMPLEX

    def grad(self, op, dy):
        return [realdiv(dy, add(1.0, square(op.inputs[0])))]


def atan(x, name=None):
    """`tf.atan(x)`: the inverse tangent of x elementwise."""
    return unary("Atan", x, name)


@register
class Sinh(UnaryOp):
    """sinh(x)."""

    fn = np.sinh
    allowed = _FLOAT_COMPLEX

    def grad(self, op, dy):
        return [multiply(dy, cosh(op.inputs[0]))]


def sinh(x, name=None):
    """`tf.sinh(x)`: the hyperbolic sine of x elementwise."""
    return unary("Sinh", x, name)


@register
class Cosh(UnaryOp):
    """cosh(x)."""

    fn = np.cosh
    allowed = _FLOAT_COMPLEX

    def grad(self, op, dy):
        return [multiply(dy, sinh(op.inputs[0]))]


def cosh(x, name=None):
    """`tf.cosh(x)`: the hyperbolic cosine of x elementwise."""
    return unary("Cosh", x, name)


# exp(-x) overflows to inf for x below about -88 (float32), which gives the right 0: errstate silences
# only that. As a decorator it costs half of what a with-block does per call (0.7 against 1.7 us measured,
# and the LSTM calls Sigmoid 84 times a step).
@np.errstate(over="ignore")
def _sigmoid(x):
    # Four passes over one buffer.
    e = np.negative(x)
    if type(e) is not np.ndarray:     # scalars and device arrays: fresh results
        return np.reciprocal(np.exp(e) + 1)
    np.exp(e, out=e)
    e += 1
    if e.dtype.kind == "c":
        return np.reciprocal(e, out=e)
    # 1 / e rounds exactly as reciprocal(e) does, and NumPy's division loop is the faster one (SIMD).
    return np.divide(1, e, out=e)


def _activation_gradient(op_type, op, dy):
    """TF's fused gradient op `op_type` (SigmoidGrad, TanhGrad: y, dy -> dx) of the activation `op`, one
    kernel and one buffer; complex values keep their elementwise graph (see the callers)."""
    from . import tf_compat_ops  # noqa: F401  (registers the gradient ops)
    return make_tensor(op_type, [op.outputs[0], dy], name=op_type)


@register
class Sigmoid(UnaryOp):
    """1 / (1 + exp(-x))."""

    fn = _sigmoid
    allowed = _FLOAT_COMPLEX

    def grad(self, op, dy):
        y = op.outputs[0]
        if y.dtype.is_complex:
            return [multiply(dy, multiply(y, subtract(1.0, y)))]
        return [_activation_gradient("SigmoidGrad", op, dy)]


def sigmoid(x, name=None):
    """`tf.sigmoid(x)`: 1 / (1 + exp(-x)) elementwise (floats)."""
    return unary("Sigmoid", x, name)


@register
class Tanh(UnaryOp):
    """tanh(x)."""

    fn = np.tanh
    allowed = _FLOAT_COMPLEX

    def grad(self, op, dy):
        y = op.outputs[0]
        if y.dtype.is_complex:
            return [multiply(dy, subtract(1.0, square(y)))]
        return [_activation_gradient("TanhGrad", op, dy)]


def tanh(x, name=None):
    """`tf.tanh(x)`: the hyperbolic tangent of x elementwise (floats)."""
    return unary("Tanh", x, name)


_erf_object = np.frompyfunc(_pymath.erf, 1, 1)


@register
class Erf(UnaryOp):
    """The Gauss error function of x."""

    allowed = _FLOATS

    def kernel(self, op, ctx):
        dtype = op.outputs[0].dtype.np
        return special_function(ctx.xp, "erf", lambda x: np.asarray(_erf_object(x), dtype=dtype))

    def grad(self, op, dy):
        x = op.inputs[0]
        return [multiply(dy, multiply(2.0 / _pymath.sqrt(_pymath.pi), exp(negative(square(x)))))]


def erf(x, name=None):
    """`tf.erf(x)`: the Gauss error function of x elementwise (floats)."""
    return unary("Erf", x, name)


class _Predicate(UnaryOp):
    """An elementwise float test returning bool."""

    allowed = _FLOATS
    differentiable = False

    def infer(self, op):
        check_dtype(op.inputs[0], self.allowed, self.type)
        return [(dtypes.bool, op.inputs[0].shape)]


@register
class IsNan(_Predicate):
    """Whether x is NaN."""

    fn = np.isnan


def is_nan(x, name=None):
    """`tf.is_nan(x)`: True where x is NaN."""
    return unary("IsNan", x, name)


@register
class IsInf(_Predicate):
    """Whether x is +-inf."""

    fn = np.isinf


def is_inf(x, name=None):
    """`tf.is_inf(x)`: True where x is +inf or -inf."""
    return unary("IsInf", x, name)


@register
class IsFinite(_Predicate):
    """Whether x is neither inf nor NaN."""

    fn = np.isfinite


def is_finite(x, name=None):
    """`tf.is_finite(x)`: True where x is neither infinite nor NaN."""
    return unary("IsFinite", x, name)


# --- casts -----------------------------------------------------------------------------------------
@register
class Cast(OpDef):
    """x converted to another dtype."""

    def infer(self, op):
        return [(op.attrs["DstT"], op.inputs[0].shape)]

    def kernel(self, op, ctx):
        target = op.attrs["DstT"].np
        xp = ctx.xp
        return lambda x: xp.asarray(x).astype(target)

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


def to_float(x, name="ToFloat"):
    """`tf.to_float(x)`: cast(x, tf.float32) (deprecated in TF1)."""
    return cast(x, dtypes.float32, name=name)


def to_double(x, name="ToDouble"):
    """`tf.to_double(x)`: cast(x, tf.float64) (deprecated in TF1)."""
    return cast(x, dtypes.float64, name=name)


def to_int32(x, name="ToInt32"):
    """`tf.to_int32(x)`: cast(x, tf.int32) (deprecated in TF1)."""
    return cast(x, dtypes.int32, name=name)


def to_int64(x, name="ToInt64"):
    """`tf.to_int64(x)`: cast(x, tf.int64) (deprecated in TF1)."""
    return cast(x, dtypes.int64, name=name)


# --- comparisons and logic -------------------------------------------------------------------------
class _Comparison(BinaryOp):
    """An elementwise comparison with broadcasting; the result is bool."""

    output_dtype = dtypes.bool
    allowed = _REAL
    differentiable = False


@register
class Equal(_Comparison):
    """x == y."""

    fn = np.equal
    allowed = None


def equal(x, y, name=None):
    """`tf.equal(x, y)`: the truth value of x == y elementwise, with broadcasting."""
    return binary("Equal", x, y, name)


@register
class NotEqual(_Comparison):
    """x != y."""

    fn = np.not_equal
    allowed = None


def not_equal(x, y, name=None):
    """`tf.not_equal(x, y)`: the truth value of x != y elementwise, with broadcasting."""
    return binary("NotEqual", x, y, name)


@register
class Less(_Comparison):
    """x < y."""

    fn = np.less


def less(x, y, name=None):
    """`tf.less(x, y)`: the truth value of x < y elementwise, with broadcasting."""
    return binary("Less", x, y, name)


@register
class LessEqual(_Comparison):
    """x <= y."""

    fn = np.less_equal


def less_equal(x, y, name=None):
    """`tf.less_equal(x, y)`: the truth value of x <= y elementwise, with broadcasting."""
    return binary("LessEqual", x, y, name)


@register
class Greater(_Comparison):
    """x > y."""

    fn = np.greater


def greater(x, y, name=None):
    """`tf.greater(x, y)`: the truth value of x > y elementwise, with broadcasting."""
    return binary("Greater", x, y, name)


@register
class GreaterEqual(_Comparison):
    """x >= y."""

    fn = np.greater_equal


def greater_equal(x, y, name=None):
    """`tf.greater_equal(x, y)`: the truth value of x >= y elementwise, with broadcasting."""
    return binary("GreaterEqual", x, y, name)


@register
class LogicalAnd(_Comparison):
    """x AND y on bools."""

    fn = np.logical_and
    allowed = _BOOL


def logical_and(x, y, name=None):
    """`tf.logical_and(x, y)`: x AND y elementwise on bool tensors, with broadcasting."""
    return binary("LogicalAnd", x, y, name)


@register
class LogicalOr(_Comparison):
    """x OR y on bools."""

    fn = np.logical_or
    allowed = _BOOL


def logical_or(x, y, name=None):
    """`tf.logical_or(x, y)`: x OR y elementwise on bool tensors, with broadcasting."""
    return binary("LogicalOr", x, y, name)


@register
class LogicalXor(_Comparison):
    """x XOR y on bools."""

    fn = np.logical_xor
    allowed = _BOOL


def logical_xor(x, y, name="LogicalXor"):
    """`tf.logical_xor(x, y)`: x XOR y elementwise on bool tensors, with broadcasting."""
    return binary("LogicalXor", x, y, name)


@register
class LogicalNot(UnaryOp):
    """NOT x on bools."""

    fn = np.logical_not
    allowed = _BOOL
    differentiable = False


def logical_not(x, name=None):
    """`tf.logical_not(x)`: NOT x elementwise on a bool tensor."""
    return unary("LogicalNot", x, name)


@register
class Select(OpDef):
    """Elements of x where condition holds, else of y; a vector condition selects rows."""

    def infer(self, op):
        c, x, y = op.inputs
        if c.dtype is not dtypes.bool:
            raise TypeError("Input 'condition' of 'Select' Op has type %s that does not match expected type "
                            "of bool." % c.dtype.name)
        check_same_dtype("Select", x, y, "t", "e")
        if not x.shape.is_compatible_with(y.shape):
            raise ValueError("Shapes %s and %s of x and y must be equal" % (format_shape(x.shape),
                                                                              format_shape(y.shape)))
        shape = x.shape.merge_with(y.shape)
        cr, xr = c.shape.ndims, shape.ndims
        if cr is not None and xr is not None and cr != 0:
            if cr == xr:
                if not c.shape.is_compatible_with(shape):
                    raise ValueError("Shapes %s of condition and %s of x must be equal"
                                     % (format_shape(c.shape), format_shape(shape)))
                shape = shape.merge_with(c.shape)
            elif cr == 1:
                if not c.shape[0].is_compatible_with(shape[0]):
                    raise ValueError("A vector condition of shape %s must match the first dimension of x, "
                                     "shape %s" % (format_shape(c.shape), format_shape(shape)))
                shape = TensorShape([shape[0].merge_with(c.shape[0])] + list(shape)[1:])
            else:
                raise ValueError("condition of shape %s must be a scalar, a vector of x's first dimension or "
                                 "of x's shape %s" % (format_shape(c.shape), format_shape(shape)))
        return [(x.dtype, shape)]

    def kernel(self, op, ctx):
        c, x, _ = op.inputs
        cr, xr = c.shape.ndims, x.shape.ndims
        if cr is not None and xr is not None and (cr == xr or cr == 0):
            return np.where
        xp = ctx.xp

        def select(cond, a, b):
            cond = xp.asarray(cond)
            if cond.ndim == 1 and np.ndim(a) > 1:
                cond = cond.reshape((-1,) + (1,) * (np.ndim(a) - 1))
            return np.where(cond, a, b)
        return select

    def grad(self, op, dz):
        c = op.inputs[0]
        zeros = _zeros_like(dz)
        return [None, where(c, dz, zeros), where(c, zeros, dz)]


@register
class Where(OpDef):
    """The coordinates of the true (non-zero) elements of the input, one row each."""

    differentiable = False

    def infer(self, op):
        rank = op.inputs[0].shape.ndims
        return [(dtypes.int64, TensorShape([None, rank]) if rank is not None else TensorShape([None, None]))]

    def kernel(self, op, ctx):
        return lambda c: np.argwhere(c).astype(np.int64, copy=False)


def where(condition, x=None, y=None, name=None):
    """`tf.where(condition, x=None, y=None)` (TF1 semantics).

    With x and y (same shape and dtype): elements of x where `condition` is True, else of y; `condition`
    has x's shape, or is a vector selecting whole rows (its length is x's first dimension), or a scalar.
    With neither: the int64 coordinates [N, rank(condition)] of the True elements, in row-major order.
    """
    if x is None and y is None:
        return make_tensor("Where", [convert_to_tensor(condition, name="condition")], name=name or "Where")
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    condition = convert_to_tensor(condition, name="condition")
    x, y = binary_inputs(x, y, "Select", "t", "e")
    return make_tensor("Select", [condition, x, y], name=name or "Select")


# --- reductions ------------------------------------------------------------------------------------
_ALL = "all"


def _const_value(tensor):
    if tensor.op.type == "Const":
        return tensor.op.attrs["value"]
    return None


def _static_axes(op, index=1):
    """The reduction axes of `op` (its input `index`): _ALL, a list of ints, or None when not constant."""
    if len(op.inputs) <= index:
        return _ALL
    value = _const_value(op.inputs[index])
    return None if value is None else [int(v) for v in np.reshape(value, [-1])]


def _check_axes(axes, rank):
    """Normalizes static axes against a known rank; ValueError for one out of range."""
    out = []
    for a in axes:
        if not -rank <= a < rank:
            raise ValueError("Invalid reduction dimension %d for input with %d dimensions." % (a, rank))
        a = a % rank
        if a not in out:
            out.append(a)
    return tuple(sorted(out))


def _reduced_shape(shape, axes, keep_dims):
    rank = shape.ndims
    if rank is None:
        return TensorShape([]) if axes is _ALL and not keep_dims else TensorShape(None)
    if axes is None:
        return TensorShape([None] * rank) if keep_dims else TensorShape(None)
    axes = tuple(range(rank)) if axes is _ALL else _check_axes(axes, rank)
    dims = []
    for i, d in enumerate(shape):
        if i in axes:
            if keep_dims:
                dims.append(Dimension(1))
        else:
            dims.append(d)
    return TensorShape(dims)


def _runtime_axes(a, ndim):
    return tuple(sorted({int(v) % ndim if ndim else int(v) for v in np.reshape(a, [-1])}))


# The device module's reduction for each ufunc that the reductions use: CuPy arrays reduce through
# cupy.sum/prod/max/... (not every CuPy release routes `ufunc.reduce` to the device).
_DEVICE_REDUCTIONS = {"add": "sum", "multiply": "prod", "maximum": "max", "minimum": "min", "logical_or": "any",
                      "logical_and": "all"}


def reduce_function(xp, ufunc):
    """`ufunc.reduce` for arrays of the array module `xp`, called as reduce(x, axes, dtype, out, keepdims)
    (out unused): NumPy's own on the host, the device module's sum/prod/max/min/any/all on a device, with
    the same dtype rule (an int32 sum stays int32 when dtype is passed)."""
    if xp is np:
        return ufunc.reduce
    function = getattr(xp, _DEVICE_REDUCTIONS[ufunc.__name__])
    if ufunc is np.add or ufunc is np.multiply:
        return lambda x, axes=None, dtype=None, out=None, keepdims=False: function(x, axes, dtype, keepdims=keepdims)
    return lambda x, axes=None, dtype=None, out=None, keepdims=False: function(x, axes, keepdims=keepdims)


def _kept_shape(shape, axes):
    return tuple(1 if i in axes else d for i, d in enumerate(shape))


def _count(shape, axes):
    n = 1
    for i in axes:
        n *= shape[i]
    return n


class _Reduction(OpDef):
    """Reduces input 0 over the axes in input 1 (all axes when there is no input 1); attr keep_dims."""

    allowed = _REAL
    host_inputs = (1,)      # the axes: Python ints for the kernel, as TF's HostMemory

    def infer(self, op):
        x = op.inputs[0]
        check_dtype(x, self.allowed, self.type)
        if len(op.inputs) > 1 and op.inputs[1].dtype not in _INDEX:
            raise TypeError("Value passed to parameter 'reduction_indices' of op '%s' has DataType %s not "
                            "in the allowed list [int32, int64]" % (self.type, op.inputs[1].dtype.name))
        return [(self.output_dtype(x.dtype), _reduced_shape(x.shape, _static_axes(op), op.attrs["keep_dims"]))]

    def output_dtype(self, dtype):
        return dtype

    def reducer(self, op, xp):
        """f(x, axes) -> the reduced value, axes a normalized tuple or None for all; x an array of `xp`."""
        raise NotImplementedError

    def kernel(self, op, ctx):
        f = self.reducer(op, ctx.xp)
        if len(op.inputs) == 1:
            return lambda x: f(x, None)
        axes = _static_axes(op)
        rank = op.inputs[0].shape.ndims
        if axes is not None and rank is not None:
            axes = _check_axes(axes, rank)
            return lambda x, a: f(x, axes)
        return lambda x, a: f(x, _runtime_axes(a, np.ndim(x)))


class _UfuncReduction(_Reduction):
    """A reduction that is one NumPy ufunc's reduce; the kernel calls it directly."""

    ufunc = None
    pass_dtype = True   # reduce in the output dtype (np.add.reduce would widen int32 to int64)

    def kernel(self, op, ctx):
        reduce = reduce_function(ctx.xp, type(self).ufunc)
        dtype = op.outputs[0].dtype.np if self.pass_dtype else None
        keep = op.attrs["keep_dims"]
        if len(op.inputs) == 1:
            return lambda x: reduce(x, None, dtype, None, keep)
        axes = _static_axes(op)
        rank = op.inputs[0].shape.ndims
        if axes is not None and rank is not None:
            axes = _check_axes(axes, rank)
            return lambda x, a: reduce(x, axes, dtype, None, keep)
        return lambda x, a: reduce(x, _runtime_axes(a, np.ndim(x)), dtype, None, keep)


def _axes_of(op):
    return op.inputs[1] if len(op.inputs) > 1 else None


def _reduce(op_type, x, axes, keep_dims, name=None):
    """Builds reduction `op_type` over the axes tensor `axes` (None: all axes)."""
    inputs = [x] if axes is None else [x, axes]
    return make_tensor(op_type, inputs, {"keep_dims": builtins.bool(keep_dims)}, name=name)


def _broadcast_reduced(dy, x, axes, keep_dims, mean=False):
    inputs = [dy, x] if axes is None else [dy, x, axes]
    return make_tensor("BroadcastReduced", inputs, {"keep_dims": builtins.bool(keep_dims), "mean": mean})


@register
class BroadcastReduced(OpDef):
    """A reduction's output (input 0) spread back over the reduced axes of x (input 1), divided by the
    number of reduced elements when attr `mean`: the gradient of Sum and Mean."""

    host_inputs = (2,)      # the reduced axes

    def infer(self, op):
        return [(op.inputs[0].dtype, op.inputs[1].shape)]

    def kernel(self, op, ctx):
        mean = op.attrs["mean"]
        dtype = op.outputs[0].dtype.np
        scalar = dtype.type
        x = op.inputs[1]
        axes = _static_axes(op, 2)
        xp = ctx.xp

        def spread(dy, shape, axes):
            if mean:
                dy = np.true_divide(dy, scalar(_count(shape, axes)))
            out = xp.empty(shape, dtype)
            out[...] = np.reshape(dy, _kept_shape(shape, axes))
            return out

        if axes is not None and x.shape.is_fully_defined():
            shape = tuple(x.shape.as_list())
            axes = tuple(range(len(shape))) if axes is _ALL else _check_axes(axes, len(shape))
            kept = _kept_shape(shape, axes)
            count = scalar(_count(shape, axes))

            def spread_static(dy, x, a=None):
                if mean:
                    dy = np.true_divide(dy, count)
                out = xp.empty(shape, dtype)
                out[...] = np.reshape(dy, kept)
                return out
            return spread_static
        if axes is _ALL:
            def spread_all(dy, x):
                # Every axis reduced: dy is a scalar that fills the whole gradient.
                shape = np.shape(x)
                if mean:
                    dy = np.true_divide(dy, scalar(_count(shape, range(len(shape)))))
                out = xp.empty(shape, dtype)
                out[...] = dy
                return out
            return spread_all
        return lambda dy, x, a: spread(dy, np.shape(x), _runtime_axes(a, np.ndim(x)))

    def grad(self, op, g):
        axes = op.inputs[2] if len(op.inputs) > 2 else None
        reduced = _reduce("Mean" if op.attrs["mean"] else "Sum", g, axes, op.attrs["keep_dims"])
        return [reduced, None] + ([None] if axes is not None else [])


def _no_axis_grad(op, dx):
    return [dx] + [None] * (len(op.inputs) - 1)


@register
class Sum(_UfuncReduction):
    """The sum over the given axes; the dtype is kept (int32 sums stay int32)."""

    allowed = _NUMERIC
    ufunc = np.add

    def grad(self, op, dy):
        return _no_axis_grad(op, _broadcast_reduced(dy, op.inputs[0], _axes_of(op), op.attrs["keep_dims"]))


@register
class Prod(_UfuncReduction):
    """The product over the given axes."""

    allowed = _NUMERIC
    ufunc = np.multiply

    def grad(self, op, dy):
        axes = _axes_of(op)
        inputs = [op.inputs[0], dy] + ([axes] if axes is not None else [])
        return _no_axis_grad(op, make_tensor("ProdGrad", inputs, {"keep_dims": op.attrs["keep_dims"]}))


@register
class ProdGrad(OpDef):
    """The gradient of Prod: dy times the product of the other reduced elements (exact with zeros)."""

    host_inputs = (2,)      # the reduced axes

    def infer(self, op):
        return [(op.inputs[0].dtype, op.inputs[0].shape)]

    def kernel(self, op, ctx):
        xp = ctx.xp

        def prod_grad(x, dy, a=None):
            x = xp.asarray(x)
            shape = x.shape
            axes = tuple(range(x.ndim)) if a is None else _runtime_axes(a, x.ndim)
            other = [i for i in range(x.ndim) if i not in axes]
            perm = other + list(axes)
            moved = np.transpose(x, perm)
            n = _count(shape, axes)
            flat = moved.reshape(moved.shape[:len(other)] + (n,))
            left = np.ones_like(flat)
            right = np.ones_like(flat)
            if n > 1:
                np.cumprod(flat[..., :-1], axis=-1, out=left[..., 1:])
                right[..., :-1] = np.cumprod(flat[..., :0:-1], axis=-1)[..., ::-1]
            np.multiply(left, right, out=left)
            # The inverse permutation as Python ints: a host array cannot index device arrays.
            grad = np.transpose(left.reshape(moved.shape), tuple(int(i) for i in np.argsort(perm)))
            return np.multiply(grad, np.reshape(dy, _kept_shape(shape, axes)))
        return prod_grad


class _MinMax(_UfuncReduction):
    def grad(self, op, dy):
        x, y = op.inputs[0], op.outputs[0]
        axes, keep = _axes_of(op), op.attrs["keep_dims"]
        hits = cast(equal(x, _broadcast_reduced(y, x, axes, keep)), dy.dtype)
        share = realdiv(dy, _reduce("Sum", hits, axes, keep))
        return _no_axis_grad(op, multiply(hits, _broadcast_reduced(share, x, axes, keep)))


@register
class Max(_MinMax):
    """The maximum over the given axes; the gradient is shared equally among tied maxima."""

    ufunc = np.maximum
    pass_dtype = False


@register
class Min(_MinMax):
    """The minimum over the given axes; the gradient is shared equally among tied minima."""

    ufunc = np.minimum
    pass_dtype = False


@register
class Mean(_Reduction):
    """The mean over the given axes; integer means round toward zero, as TF."""

    allowed = _NUMERIC

    def kernel(self, op, ctx):
        dtype, keep = op.outputs[0].dtype.np, op.attrs["keep_dims"]
        shape = op.inputs[0].shape.as_tuple()
        axes = _static_axes(op)
        if axes is not None and shape is not None and dtype.kind == "f" and dtype != np.float16:
            axes = tuple(range(len(shape))) if axes is _ALL else _check_axes(axes, len(shape))
            if all(shape[i] is not None for i in axes):
                # The count is static: one reduce and one divide per call.
                count = dtype.type(_count(shape, axes))
                reduce = reduce_function(ctx.xp, np.add)
                if len(op.inputs) == 1:
                    return lambda x: reduce(x, None, dtype, None, keep) / count
                return lambda x, a: reduce(x, axes, dtype, None, keep) / count
        return super().kernel(op, ctx)

    def reducer(self, op, xp):
        dtype, keep = op.outputs[0].dtype.np, op.attrs["keep_dims"]
        scalar = dtype.type
        reduce = reduce_function(xp, np.add)
        if dtype.kind in "iu":
            def int_mean(x, axes):
                total = reduce(x, axes, dtype, None, keep)
                n = scalar(_count(np.shape(x), range(np.ndim(x)) if axes is None else axes))
                q = total // n
                return q + ((q * n != total) & (total < 0)).astype(dtype)
            return int_mean
        accumulate = np.dtype(np.float32) if dtype == np.float16 else dtype

        def mean(x, axes):
            n = _count(np.shape(x), range(np.ndim(x)) if axes is None else axes)
            total = reduce(x, axes, accumulate, None, keep)
            return (total / accumulate.type(n)).astype(dtype, copy=False)
        return mean

    def grad(self, op, dy):
        return _no_axis_grad(op, _broadcast_reduced(dy, op.inputs[0], _axes_of(op), op.attrs["keep_dims"],
                                                    mean=True))


class _BoolReduction(_UfuncReduction):
    allowed = _BOOL
    differentiable = False


@register
class Any(_BoolReduction):
    """Logical OR over the given axes."""

    ufunc = np.logical_or
    pass_dtype = False


@register
class All(_BoolReduction):
    """Logical AND over the given axes."""

    ufunc = np.logical_and
    pass_dtype = False


@register
class ReduceLogSumExp(_Reduction):
    """log(sum(exp(x))) over the given axes, computed stably by subtracting the maximum."""

    allowed = _FLOATS

    def reducer(self, op, xp):
        keep = op.attrs["keep_dims"]
        zero = op.outputs[0].dtype.np.type(0)
        add_reduce, maximum_reduce = reduce_function(xp, np.add), reduce_function(xp, np.maximum)

        def logsumexp(x, axes):
            top = maximum_reduce(x, axes, None, None, True)
            top = np.where(np.isfinite(top), top, zero)
            total = add_reduce(np.exp(np.subtract(x, top)), axes, None, None, keep)
            with np.errstate(divide="ignore"):
                out = np.log(total)
            return np.add(out, top if keep else np.reshape(top, np.shape(out)))
        return logsumexp

    def grad(self, op, dy):
        x, y = op.inputs[0], op.outputs[0]
        axes, keep = _axes_of(op), op.attrs["keep_dims"]
        weights = exp(subtract(x, _broadcast_reduced(y, x, axes, keep)))
        return _no_axis_grad(op, multiply(_broadcast_reduced(dy, x, axes, keep), weights))


def _reduction_args(axis, reduction_indices, keepdims, keep_dims):
    if reduction_indices is not None:
        if axis is not None:
            raise ValueError("Can not specify both 'axis' and 'reduction_indices'.")
        axis = reduction_indices
    if keep_dims is not None:
        if keepdims is not None:
            raise ValueError("Can not specify both 'keepdims' and 'keep_dims'.")
        keepdims = keep_dims
    return axis, builtins.bool(keepdims) if keepdims is not None else False


def _axis_tensor(axis):
    if axis is None:
        return None
    if isinstance(axis, Tensor) or hasattr(axis, "_as_tensor"):
        return convert_to_tensor(axis)
    value = np.asarray(axis)
    if value.size == 0:
        value = value.astype(np.int32)
    if value.dtype.kind not in "iu":
        raise TypeError("axis must be an int or a list of ints, got %r" % (axis,))
    return convert_to_tensor(value.astype(np.int32) if value.dtype != np.int64 else value,
                             name="reduction_indices")


def _make_reduction(op_type, default_name, input_tensor, axis, keepdims, name, reduction_indices, keep_dims):
    axis, keep = _reduction_args(axis, reduction_indices, keepdims, keep_dims)
    x = convert_to_tensor(input_tensor, name="input_tensor")
    return _reduce(op_type, x, _axis_tensor(axis), keep, name=name or default_name)


def reduce_sum(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None, keep_dims=None):
    """`tf.reduce_sum(input_tensor, axis=None, keepdims=None)`: the sum of elements across `axis` (an int,
    a list of ints, negative counting from the end, or a Tensor; None reduces all). The dtype is kept."""
    return _make_reduction("Sum", "Sum", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_mean(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None, keep_dims=None):
    """`tf.reduce_mean(input_tensor, axis=None, keepdims=None)`: the mean of elements across `axis`;
    integer inputs give an integer mean (rounded toward zero)."""
    return _make_reduction("Mean", "Mean", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_max(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None, keep_dims=None):
    """`tf.reduce_max(input_tensor, axis=None, keepdims=None)`: the maximum of elements across `axis`."""
    return _make_reduction("Max", "Max", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_min(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None, keep_dims=None):
    """`tf.reduce_min(input_tensor, axis=None, keepdims=None)`: the minimum of elements across `axis`."""
    return _make_reduction("Min", "Min", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_prod(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None, keep_dims=None):
    """`tf.reduce_prod(input_tensor, axis=None, keepdims=None)`: the product of elements across `axis`."""
    return _make_reduction("Prod", "Prod", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_any(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None, keep_dims=None):
    """`tf.reduce_any(input_tensor, axis=None, keepdims=None)`: logical OR across `axis` (bool input)."""
    return _make_reduction("Any", "Any", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_all(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None, keep_dims=None):
    """`tf.reduce_all(input_tensor, axis=None, keepdims=None)`: logical AND across `axis` (bool input)."""
    return _make_reduction("All", "All", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_logsumexp(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
                     keep_dims=None):
    """`tf.reduce_logsumexp(input_tensor, axis=None, keepdims=None)`: log(sum(exp(x))) across `axis`,
    computed without overflow (the maximum is subtracted first)."""
    return _make_reduction("ReduceLogSumExp", "ReduceLogSumExp", input_tensor, axis, keepdims, name,
                           reduction_indices, keep_dims)


def reduce_variance(input_tensor, axis=None, keepdims=False, name=None):
    """`tf.math.reduce_variance(input_tensor, axis=None, keepdims=False)`: the population variance."""
    x = convert_to_tensor(input_tensor, name="input_tensor")
    mean = reduce_mean(x, axis, keepdims=True)
    return reduce_mean(squared_difference(x, mean), axis, keepdims=keepdims, name=name or "reduce_variance")


def reduce_std(input_tensor, axis=None, keepdims=False, name=None):
    """`tf.math.reduce_std(input_tensor, axis=None, keepdims=False)`: the population standard deviation."""
    return sqrt(reduce_variance(input_tensor, axis, keepdims), name=name or "reduce_std")


def reduce_euclidean_norm(input_tensor, axis=None, keepdims=False, name=None):
    """`tf.math.reduce_euclidean_norm(input_tensor, axis=None, keepdims=False)`: sqrt(sum(x ** 2))."""
    x = convert_to_tensor(input_tensor, name="input_tensor")
    return sqrt(reduce_sum(square(x), axis, keepdims=keepdims), name=name or "reduce_euclidean_norm")


def count_nonzero(input_tensor, axis=None, keepdims=None, dtype=dtypes.int64, name=None,
                  reduction_indices=None, keep_dims=None):
    """`tf.count_nonzero(input_tensor, axis=None, keepdims=None, dtype=tf.int64)`: the number of non-zero
    (for bool: True) elements across `axis`, as `dtype`."""
    axis, keep = _reduction_args(axis, reduction_indices, keepdims, keep_dims)
    x = convert_to_tensor(input_tensor, name="input_tensor")
    zero = convert_to_tensor(np.zeros((), x.dtype.np), name="zero")
    nonzero = cast(not_equal(x, zero), dtypes.int64)
    return cast(_reduce("Sum", nonzero, _axis_tensor(axis), keep), dtype, name=name or "count_nonzero")


# --- argmax / argmin -------------------------------------------------------------------------------
class _ArgReduction(OpDef):
    """argmax/argmin: NaN is skipped, as TF's kernel does (its comparisons are false for NaN), so the
    result is the first largest/smallest number; a slice of only NaN (or of only the extreme value that
    NaN stands for) gives 0."""

    differentiable = False
    np_fn = None
    nan_stand_in = None   # the value NaN is replaced by so that it never wins
    host_inputs = (1,)    # the axis

    def infer(self, op):
        x, axis = op.inputs
        check_dtype(x, _REAL + _BOOL, self.type)
        out = op.attrs["output_type"]
        if out not in _INDEX:
            raise TypeError("output_type must be int32 or int64, got %s" % out.name)
        if axis.shape.ndims not in (None, 0):
            raise ValueError("dimension must be a scalar, got shape %s" % format_shape(axis.shape))
        rank = x.shape.ndims
        if rank is None:
            return [(out, TensorShape(None))]
        value = _const_value(axis)
        if value is None:
            return [(out, TensorShape([None] * builtins.max(rank - 1, 0)))]
        a = int(value)
        if not -rank <= a < rank:
            raise ValueError("Invalid dimension %d: expected axis in [%d, %d) for input of shape %s"
                             % (a, -rank, rank, format_shape(x.shape)))
        a %= rank
        return [(out, TensorShape([d for i, d in enumerate(x.shape) if i != a]))]

    def kernel(self, op, ctx):
        fn = type(self).np_fn
        out = op.attrs["output_type"].np
        if op.inputs[0].dtype.is_floating:
            fn = self._skipping_nan(fn)
        if out == np.dtype(np.intp):
            return lambda x, a: fn(x, int(a))
        xp = ctx.xp
        return lambda x, a: xp.asarray(fn(x, int(a))).astype(out)

    def _skipping_nan(self, fn):
        stand_in = self.nan_stand_in

        def arg_reduce(x, axis):
            # NumPy returns the first NaN's index: only then (checked on the picked values, not the
            # whole input) is the input rescanned with NaN replaced.
            index = fn(x, axis)
            picked = np.take_along_axis(x, np.expand_dims(index, axis), axis)
            if np.isnan(picked).any():
                index = fn(np.where(np.isnan(x), stand_in, x), axis)
            return index
        return arg_reduce


@register
class ArgMax(_ArgReduction):
    """The index of the largest value along an axis (the first one among ties; NaN skipped)."""

    np_fn = np.argmax
    nan_stand_in = -np.inf


@register
class ArgMin(_ArgReduction):
    """The index of the smallest value along an axis (the first one among ties; NaN skipped)."""

    np_fn = np.argmin
    nan_stand_in = np.inf


def _arg_reduction(op_type, input, axis, name, dimension, output_type):  # noqa: A002
    if dimension is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'axis' and 'dimension'")
        axis = dimension
    if axis is None:
        axis = 0
    x = convert_to_tensor(input, name="input")
    axis = convert_to_tensor(axis, dtype=None if isinstance(axis, Tensor) else dtypes.int32, name="dimension")
    return make_tensor(op_type, [x, axis], {"output_type": dtypes.as_dtype(output_type)}, name=name or op_type)


def argmax(input, axis=None, name=None, dimension=None, output_type=dtypes.int64):  # noqa: A002
    """`tf.argmax(input, axis=None, dimension=None, output_type=tf.int64)`: the index of the largest value
    along `axis` (default 0); ties give the smallest index. NaN is skipped, as in TF."""
    return _arg_reduction("ArgMax", input, axis, name, dimension, output_type)


def argmin(input, axis=None, name=None, dimension=None, output_type=dtypes.int64):  # noqa: A002
    """`tf.argmin(input, axis=None, dimension=None, output_type=tf.int64)`: the index of the smallest value
    along `axis` (default 0); ties give the smallest index. NaN is skipped, as in TF."""
    return _arg_reduction("ArgMin", input, axis, name, dimension, output_type)


# --- scans -----------------------------------------------------------------------------------------
class _Scan(OpDef):
    """A cumulative op along a scalar axis (input 1), with attrs exclusive and reverse."""

    np_fn = None
    identity = 0
    host_inputs = (1,)    # the axis

    def infer(self, op):
        x, axis = op.inputs
        check_dtype(x, _NUMERIC, self.type)
        if axis.dtype not in _INDEX:
            raise TypeError("axis of %s must be int32 or int64, got %s" % (self.type, axis.dtype.name))
        value = _const_value(axis)
        rank = x.shape.ndims
        if value is not None and rank is not None and not -rank <= int(value) < rank:
            raise ValueError("axis %d is out of range for input of rank %d" % (int(value), rank))
        return [(x.dtype, x.shape)]

    def kernel(self, op, ctx):
        fn = type(self).np_fn
        dtype = op.outputs[0].dtype.np
        exclusive, reverse = op.attrs["exclusive"], op.attrs["reverse"]
        identity = self.identity

        def scan(x, axis):
            axis = int(axis) % builtins.max(np.ndim(x), 1)
            if reverse:
                x = np.flip(x, axis)
            out = fn(x, axis=axis, dtype=dtype)
            if exclusive:
                shifted = np.empty_like(out)
                index = [slice(None)] * out.ndim
                index[axis] = slice(0, 1)
                shifted[tuple(index)] = identity
                index[axis] = slice(1, None)
                source = [slice(None)] * out.ndim
                source[axis] = slice(0, -1)
                shifted[tuple(index)] = out[tuple(source)]
                out = shifted
            return np.flip(out, axis) if reverse else out
        return scan


@register
class Cumsum(_Scan):
    """The running sum along an axis."""

    np_fn = np.cumsum

    def grad(self, op, dy):
        return [cumsum(dy, op.inputs[1], exclusive=op.attrs["exclusive"], reverse=not op.attrs["reverse"]),
                None]


@register
class Cumprod(_Scan):
    """The running product along an axis."""

    np_fn = np.cumprod
    identity = 1

    def grad(self, op, dy):
        x, axis = op.inputs
        exclusive, reverse = op.attrs["exclusive"], op.attrs["reverse"]
        prod = op.outputs[0]
        out = cumsum(multiply(prod, dy), axis, exclusive=exclusive, reverse=not reverse)
        return [realdiv(out, x), None]


def _scan(op_type, x, axis, exclusive, reverse, name):
    x = convert_to_tensor(x, name="x")
    axis = convert_to_tensor(axis, dtype=None if isinstance(axis, Tensor) else dtypes.int32, name="axis")
    return make_tensor(op_type, [x, axis], {"exclusive": builtins.bool(exclusive),
                                            "reverse": builtins.bool(reverse)}, name=name or op_type)


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    """`tf.cumsum(x, axis=0, exclusive=False, reverse=False)`: the cumulative sum along `axis`;
    `exclusive` leaves out each element itself, `reverse` sums from the end."""
    return _scan("Cumsum", x, axis, exclusive, reverse, name)


def cumprod(x, axis=0, exclusive=False, reverse=False, name=None):
    """`tf.cumprod(x, axis=0, exclusive=False, reverse=False)`: the cumulative product along `axis`."""
    return _scan("Cumprod", x, axis, exclusive, reverse, name)


# --- matrix products -------------------------------------------------------------------------------
def _matrix_dims(shape, transposed):
    rows, cols = shape[-2], shape[-1]
    return (cols, rows) if transposed else (rows, cols)


@register
class MatMul(OpDef):
    """A matrix product of two rank-2 tensors, optionally transposing either."""

    def infer(self, op):
        a, b = op.inputs
        ta, tb = op.attrs["transpose_a"], op.attrs["transpose_b"]
        check_same_dtype("MatMul", a, b, "a", "b")
        check_dtype(a, _NUMERIC, "MatMul")
        for t in (a, b):
            if t.shape.ndims not in (None, 2):
                raise ValueError("Shape must be rank 2 but is rank %d; shapes %s and %s"
                                 % (t.shape.ndims, format_shape(a.shape), format_shape(b.shape)))
        sa, sb = a.shape.with_rank(2), b.shape.with_rank(2)
        m, ka = _matrix_dims(sa, ta)
        kb, n = _matrix_dims(sb, tb)
        if not ka.is_compatible_with(kb):
            raise ValueError("Dimensions must be equal, but are %s and %s; shapes %s and %s"
                             % (ka, kb, format_shape(a.shape), format_shape(b.shape)))
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


@register
class BatchMatMulV2(OpDef):
    """Matrix products over the last two axes of rank >= 2 tensors; leading (batch) axes broadcast."""

    def infer(self, op):
        a, b = op.inputs
        ta, tb = op.attrs["adj_x"], op.attrs["adj_y"]
        check_same_dtype("BatchMatMulV2", a, b)
        check_dtype(a, _NUMERIC, "BatchMatMulV2")
        for t in (a, b):
            if t.shape.ndims is not None and t.shape.ndims < 2:
                raise ValueError("Shape must be at least rank 2 but is rank %d; shapes %s and %s"
                                 % (t.shape.ndims, format_shape(a.shape), format_shape(b.shape)))
        if a.shape.ndims is None or b.shape.ndims is None:
            return [(a.dtype, TensorShape(None))]
        m, ka = _matrix_dims(a.shape, ta)
        kb, n = _matrix_dims(b.shape, tb)
        if not ka.is_compatible_with(kb):
            raise ValueError("Dimensions must be equal, but are %s and %s; shapes %s and %s"
                             % (ka, kb, format_shape(a.shape), format_shape(b.shape)))
        try:
            batch = broadcast_shape(a.shape[:-2], b.shape[:-2])
        except ValueError:
            raise ValueError("Batch dimensions of shapes %s and %s cannot be broadcast together"
                             % (format_shape(a.shape), format_shape(b.shape))) from None
        return [(a.dtype, batch.concatenate([m, n]))]

    def kernel(self, op, ctx):
        ta, tb = op.attrs["adj_x"], op.attrs["adj_y"]
        swap = np.swapaxes
        if not ta and not tb:
            return np.matmul
        if ta and not tb:
            return lambda a, b: np.matmul(swap(a, -1, -2), b)
        if tb and not ta:
            return lambda a, b: np.matmul(a, swap(b, -1, -2))
        return lambda a, b: np.matmul(swap(a, -1, -2), swap(b, -1, -2))

    def grad(self, op, dz):
        a, b = op.inputs
        ta, tb = op.attrs["adj_x"], op.attrs["adj_y"]
        if not ta and not tb:
            ga, gb = _batch_matmul(dz, b, False, True), _batch_matmul(a, dz, True, False)
        elif not ta and tb:
            ga, gb = _batch_matmul(dz, b, False, False), _batch_matmul(dz, a, True, False)
        elif ta and not tb:
            ga, gb = _batch_matmul(b, dz, False, True), _batch_matmul(a, dz, False, False)
        else:
            ga, gb = _batch_matmul(b, dz, True, True), _batch_matmul(dz, a, True, True)
        return [sum_to_shape_of(ga, a), sum_to_shape_of(gb, b)]


def _batch_matmul(a, b, adj_x, adj_y, name=None):
    return make_tensor("BatchMatMulV2", [a, b], {"adj_x": builtins.bool(adj_x), "adj_y": builtins.bool(adj_y)},
                       name=name or "MatMul")


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, name=None):
    """`tf.matmul(a, b, transpose_a=False, transpose_b=False)`: the matrix product a @ b.

    Rank-2 inputs give a MatMul; inputs of rank > 2 multiply the matrices in their last two axes, the
    leading (batch) axes broadcasting against each other. `adjoint_*` equals `transpose_*` for real types.
    """
    if (transpose_a and adjoint_a) or (transpose_b and adjoint_b):
        raise ValueError("Only one of transpose_a and adjoint_a (transpose_b and adjoint_b) can be True.")
    a, b = binary_inputs(a, b, "MatMul", "a", "b")
    ta, tb = builtins.bool(transpose_a or adjoint_a), builtins.bool(transpose_b or adjoint_b)
    ra, rb = a.shape.ndims, b.shape.ndims
    if ra is None or rb is None or ra > 2 or rb > 2:
        return _batch_matmul(a, b, ta, tb, name=name)
    return make_tensor("MatMul", [a, b], {"transpose_a": ta, "transpose_b": tb}, name=name)


# --- sums of lists ---------------------------------------------------------------------------------
@register
class AddN(OpDef):
    """The sum of a list of same-shape tensors."""

    def infer(self, op):
        first = op.inputs[0]
        shape = first.shape
        for t in op.inputs[1:]:
            if t.dtype is not first.dtype:
                raise TypeError("AddN inputs must share one dtype: %s vs %s" % (first.dtype.name, t.dtype.name))
            if not shape.is_compatible_with(t.shape):
                raise ValueError("AddN inputs must have the same shape: %s vs %s"
                                 % (format_shape(shape), format_shape(t.shape)))
            shape = shape.merge_with(t.shape)
        return [(first.dtype, shape)]

    def kernel(self, op, ctx):
        xp = ctx.xp

        def add_all(*values):
            total = np.add(values[0], values[1]) if len(values) > 1 else xp.array(values[0])
            for value in values[2:]:
                total += value
            return total
        return add_all

    def grad(self, op, dz):
        return [dz] * len(op.inputs)


def add_n(inputs, name=None):
    """`tf.add_n(inputs)`: the elementwise sum of a list of tensors of the same shape and dtype."""
    if isinstance(inputs, Tensor):
        inputs = [inputs]
    inputs = [convert_to_tensor(t) for t in inputs]
    if not inputs:
        raise ValueError("inputs must be a non-empty list of Tensors")
    return make_tensor("AddN", inputs, name=name or "AddN")


def accumulate_n(inputs, shape=None, tensor_dtype=None, name=None):
    """`tf.accumulate_n(inputs, shape=None, tensor_dtype=None)`: the elementwise sum of a list of tensors
    (same as add_n here; `shape` and `tensor_dtype` are checked when given)."""
    inputs = [convert_to_tensor(t) for t in inputs]
    if not inputs:
        raise ValueError("inputs must be a non-empty list of Tensors")
    if tensor_dtype is not None and any(t.dtype is not dtypes.as_dtype(tensor_dtype) for t in inputs):
        raise TypeError("inputs must all have dtype %s" % dtypes.as_dtype(tensor_dtype).name)
    if shape is not None and any(not t.shape.is_compatible_with(shape) for t in inputs):
        raise ValueError("inputs must all have shape %s" % (TensorShape(shape),))
    return add_n(inputs, name=name or "AccumulateN")


# --- Tensor operator overloads -------------------------------------------------------------------
def _binary_overload(fn, name=None):
    """(x OP y, y rOP x) calling fn; `name` is the op's default name, as TF1 gives it (`a + b` is 'add')."""
    kwargs = {} if name is None else {"name": name}

    def forward(x, y):
        return fn(x, y, **kwargs)

    def reverse(y, x):
        return fn(x, y, **kwargs)
    return forward, reverse


# TF1 names an operator's op after the Python operator ('add', 'sub', 'mul', 'matmul', 'pow', 'and'...),
# while the functions keep the op type's name (tf.add -> 'Add'): `get_tensor_by_name('add:0')` relies on it
for _name, _fn in (("add", add), ("sub", subtract), ("mul", multiply), ("matmul", matmul),
                   ("truediv", truediv), ("div", div), ("floordiv", floordiv), ("mod", floormod),
                   ("pow", pow), ("and", logical_and), ("or", logical_or), ("xor", logical_xor)):
    _forward, _reverse = _binary_overload(_fn, _name)
    Tensor._override_operator("__%s__" % _name, _forward)
    Tensor._override_operator("__r%s__" % _name, _reverse)
for _name, _fn in (("lt", less), ("le", less_equal), ("gt", greater), ("ge", greater_equal)):
    Tensor._override_operator("__%s__" % _name, _binary_overload(_fn)[0])
Tensor._override_operator("__neg__", lambda x: negative(x))
Tensor._override_operator("__abs__", lambda x: abs(x))
Tensor._override_operator("__invert__", lambda x: logical_not(x))
del _name, _fn, _forward, _reverse
