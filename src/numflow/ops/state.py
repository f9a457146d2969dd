"""Ops on variable storage: the variable itself, assignment, and the initialization test.

A variable's value lives in the running Session (`ctx.variable_cell(op)`), so one graph can hold
different values in different sessions, as in TF1. Writes name the variable through a *ref input*
(input 0), which the plan never reads.
"""
import numpy as np

from ..framework import dtypes, errors
from ..framework.graph import convert_to_tensor
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape
from .common import check_same_dtype, make_tensor

__all__ = ["assign", "assign_add", "assign_sub", "is_variable_initialized"]


def _uninitialized(op):
    return errors.FailedPreconditionError(
        None, op, "Attempting to use uninitialized value %s\n\t [[node %s]]" % (op.name, op.name))


@register
class VariableV2(OpDef):
    """A variable's current value in the running Session."""

    stateful = True
    returns_shared = True

    def infer(self, op):
        return [(op.attrs["dtype"], op.attrs["shape"])]

    def kernel(self, op, ctx):
        cell = ctx.variable_cell(op)

        def read():
            value = cell.value
            if value is None:
                raise _uninitialized(op)
            return value
        return read

    def grad(self, op, *output_grads):
        return []


def _variable_op_of(ref):
    op = ref.op
    if op.type != "VariableV2":
        raise TypeError("'%s' is not a variable: assignment needs a tf.Variable (got op type %s)"
                        % (ref.name, op.type))
    return op


class _AssignBase(OpDef):
    stateful = True
    updates_state = True
    returns_shared = True
    ref_inputs = (0,)
    differentiable = False

    def infer(self, op):
        ref, value = op.inputs
        check_same_dtype(self.type, ref, value, "ref", "value")
        if op.attrs.get("validate_shape", True) and not ref.shape.is_compatible_with(value.shape):
            raise ValueError("Shapes %s and %s are incompatible" % (ref.shape, value.shape))
        shape = ref.shape if op.attrs.get("validate_shape", True) else value.shape
        return [(ref.dtype, shape.merge_with(value.shape) if op.attrs.get("validate_shape", True) else shape)]


@register
class Assign(_AssignBase):
    """Stores a copy of `value` as the variable's value."""

    def kernel(self, op, ctx):
        cell = ctx.variable_cell(op.inputs[0].op)
        dtype = op.inputs[0].dtype.np
        shape = op.inputs[0].shape
        validate = op.attrs.get("validate_shape", True)
        xp = ctx.xp

        def assign(value):
            current = cell.value
            if current is not None and current.shape == np.shape(value):
                # In place, as TF1's ref variables: a read wired before this op sees the new value
                # when its consumer runs after it (control dependencies), the TF1 idiom.
                np.copyto(current, value, casting="unsafe")
                return current
            if validate and not shape.is_compatible_with(np.shape(value)):
                raise errors.InvalidArgumentError(
                    None, op, "Assign requires shapes of both tensors to match. lhs shape= %s rhs shape= %s"
                    % (list(shape.as_list()) if shape.ndims is not None else "?", list(np.shape(value))))
            cell.value = xp.array(value, dtype=dtype)
            return cell.value
        return assign


class _AssignInPlace(_AssignBase):
    """Combines `value` into the variable's storage in place with the ufunc `combine`."""

    combine = None

    def kernel(self, op, ctx):
        cell = ctx.variable_cell(op.inputs[0].op)
        variable_op = op.inputs[0].op
        combine = type(self).combine

        def assign_in_place(value):
            current = cell.value
            if current is None:
                raise _uninitialized(variable_op)
            combine(current, value, out=current)
            return current
        return assign_in_place


@register
class AssignAdd(_AssignInPlace):
    """Adds `value` to the variable in place."""

    combine = np.add


@register
class AssignSub(_AssignInPlace):
    """Subtracts `value` from the variable in place."""

    combine = np.subtract


def _ref_of(ref):
    return ref._ref if hasattr(ref, "_ref") else ref


def _assign(op_type, ref, value, name, attrs=None):
    ref = _ref_of(ref)
    _variable_op_of(ref)
    value = convert_to_tensor(value, dtype=ref.dtype, name="value")
    return make_tensor(op_type, [ref, value], attrs, name=name)


def assign(ref, value, validate_shape=None, use_locking=None, name=None):
    """`tf.assign`: stores `value` in variable `ref`; evaluates to the new value."""
    return _assign("Assign", ref, value, name or "Assign",
                   {"validate_shape": True if validate_shape is None else bool(validate_shape)})


def assign_add(ref, value, use_locking=None, name=None):
    """`tf.assign_add`: adds `value` to variable `ref` in place; evaluates to the new value."""
    return _assign("AssignAdd", ref, value, name or "AssignAdd")


def assign_sub(ref, value, use_locking=None, name=None):
    """`tf.assign_sub`: subtracts `value` from variable `ref` in place; evaluates to the new value."""
    return _assign("AssignSub", ref, value, name or "AssignSub")


@register
class IsVariableInitialized(OpDef):
    """True once the variable has a value in the running Session."""

    stateful = True
    ref_inputs = (0,)
    differentiable = False
    host_only = True        # a flag of the Session's variable cell, not of the value: TF keeps it in host memory

    def infer(self, op):
        return [(dtypes.bool, TensorShape(()))]

    def kernel(self, op, ctx):
        cell = ctx.variable_cell(op.inputs[0].op)
        return lambda: np.bool_(cell.value is not None)


def is_variable_initialized(variable):
    """`tf.is_variable_initialized(variable)`: a scalar bool tensor."""
    ref = _ref_of(variable)
    _variable_op_of(ref)
    return make_tensor("IsVariableInitialized", [ref], name="IsVariableInitialized")
