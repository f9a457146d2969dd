"""Bitwise ops on integer tensors: `tf.bitwise.bitwise_and/or/xor`, `invert`, `left_shift`, `right_shift`.

TF accepts the eight integer dtypes (int8..int64, uint8..uint64) and no others. Shift amounts outside
[0, bits) are implementation-defined in TF's documentation; TF's CPU kernel clamps them into that range
(a shift by -1 is a shift by 0, a shift of an int8 by 9 is a shift by 7), and numflow does the same so
results agree. `right_shift` is arithmetic for signed types (the sign bit is copied), as in C++.
None of these ops has a gradient (integer ops), as in TF.
"""
import numpy as np

from ..backend import array_module
from ..framework import dtypes
from ..framework.op_def import register
from .common import BinaryOp, UnaryOp, binary, unary

__all__ = ["bitwise_and", "bitwise_or", "bitwise_xor", "invert", "left_shift", "right_shift"]

BITWISE_DTYPES = (dtypes.int8, dtypes.int16, dtypes.int32, dtypes.int64,
                  dtypes.uint8, dtypes.uint16, dtypes.uint32, dtypes.uint64)


def check_allowed_dtype(tensor, allowed, parameter="x"):
    """TypeError in TF's words unless `tensor`'s dtype is one of `allowed`."""
    if tensor.dtype not in allowed:
        raise TypeError("Value passed to parameter '%s' has DataType %s not in list of allowed values: %s"
                        % (parameter, tensor.dtype.name, ", ".join(d.name for d in allowed)))


class _BitwiseBinary(BinaryOp):
    differentiable = False

    def infer(self, op):
        check_allowed_dtype(op.inputs[0], BITWISE_DTYPES)
        return super().infer(op)


def _clamped_shift(shift):
    """A shift function whose amount is clamped into [0, bits - 1] as TF's kernel does."""
    def shifted(x, y):
        x = array_module(x).asarray(x)     # NumPy scalars become arrays; device arrays stay on their device
        bits = x.dtype.itemsize * 8
        return shift(x, np.clip(y, 0, bits - 1).astype(x.dtype, copy=False)).astype(x.dtype, copy=False)
    return staticmethod(shifted)


@register
class BitwiseAnd(_BitwiseBinary):
    """x & y elementwise, with broadcasting."""
    fn = np.bitwise_and


@register
class BitwiseOr(_BitwiseBinary):
    """x | y elementwise, with broadcasting."""
    fn = np.bitwise_or


@register
class BitwiseXor(_BitwiseBinary):
    """x ^ y elementwise, with broadcasting."""
    fn = np.bitwise_xor


@register
class LeftShift(_BitwiseBinary):
    """x << y elementwise (wrapping in x's width), y clamped into [0, bits)."""
    fn = _clamped_shift(np.left_shift)


@register
class RightShift(_BitwiseBinary):
    """x >> y elementwise (arithmetic for signed x), y clamped into [0, bits)."""
    fn = _clamped_shift(np.right_shift)


@register
class Invert(UnaryOp):
    """~x elementwise: every bit flipped."""
    differentiable = False
    fn = np.invert

    def infer(self, op):
        check_allowed_dtype(op.inputs[0], BITWISE_DTYPES)
        return super().infer(op)


def bitwise_and(x, y, name=None):
    """`tf.bitwise.bitwise_and(x, y)`: elementwise bitwise AND of two integer tensors of one dtype
    (broadcasting)."""
    return binary("BitwiseAnd", x, y, name)


def bitwise_or(x, y, name=None):
    """`tf.bitwise.bitwise_or(x, y)`: elementwise bitwise OR of two integer tensors of one dtype."""
    return binary("BitwiseOr", x, y, name)


def bitwise_xor(x, y, name=None):
    """`tf.bitwise.bitwise_xor(x, y)`: elementwise bitwise XOR of two integer tensors of one dtype."""
    return binary("BitwiseXor", x, y, name)


def invert(x, name=None):
    """`tf.bitwise.invert(x)`: every bit of each element of the integer tensor `x` flipped (~x)."""
    return unary("Invert", x, name)


def left_shift(x, y, name=None):
    """`tf.bitwise.left_shift(x, y)`: x shifted left by y bits elementwise, wrapping within x's dtype.
    Shift amounts outside [0, bits) are clamped into it, as TF's CPU kernel does."""
    return binary("LeftShift", x, y, name)


def right_shift(x, y, name=None):
    """`tf.bitwise.right_shift(x, y)`: x shifted right by y bits elementwise; arithmetic (sign-filling)
    for signed dtypes, logical for unsigned ones. Shift amounts are clamped into [0, bits)."""
    return binary("RightShift", x, y, name)
