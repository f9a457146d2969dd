"""Sparse fused optimizer updates, as TF1's `SparseApply*` training ops: the update of a dense `Apply*` op
applied to the rows `indices` of the variable and its slots only, with `grad` holding one row per index.

Every other row is left as it is: for the optimizers whose dense update moves a row even when its
gradient is zero (Momentum, RMSProp, Adadelta, Ftrl, the proximal ones) this is TF's "lazy" sparse
behaviour, not the dense update with zero rows. Each op reuses its dense op's NumPy update on the
gathered rows, so the arithmetic is the same. Input orders follow TF's ops: the dense op's inputs with
`indices` after `grad`:
  SparseApplyMomentum(var, accum, lr, grad, indices, momentum)               attrs use_nesterov
  SparseApplyAdagrad(var, accum, lr, grad, indices)                          attrs update_slots
  SparseApplyRMSProp(var, ms, mom, lr, rho, momentum, epsilon, grad, indices)
  SparseApplyCenteredRMSProp(var, mg, ms, mom, lr, rho, momentum, epsilon, grad, indices)
  SparseApplyAdadelta(var, accum, accum_update, lr, rho, epsilon, grad, indices)
  SparseApplyFtrl(var, accum, linear, grad, indices, lr, l1, l2, lr_power)
  SparseApplyFtrlV2(var, accum, linear, grad, indices, lr, l1, l2, l2_shrinkage, lr_power)
  SparseApplyProximalGradientDescent(var, alpha, l1, l2, grad, indices)
  SparseApplyProximalAdagrad(var, accum, lr, l1, l2, grad, indices)
  SparseApplyAdagradDA(var, gradient_accumulator, gradient_squared_accumulator, grad, indices, lr, l1, l2,
                       global_step)
"""
import numpy as np

from ..framework import dtypes, errors
from ..framework.graph import convert_to_tensor, is_tensor_like
from ..framework.op_def import register
from ..framework.tensor_shape import format_shape
from . import training, training_extra
from .common import check_same_dtype
from .state import _uninitialized, _variable_op_of

__all__ = []

_INDEX_DTYPES = (dtypes.int32, dtypes.int64)


class _SparseApplyOp(training._ApplyOp):
    """The rows `indices` of the variable and its slots updated by `dense.update`.

    Repeated indices are applied one after another, as TF's kernels do (the optimizers sum them
    first, so that each row gets one update).
    """

    dense = None

    def __init_subclass__(cls, **kwargs):
        dense = cls.dense
        position = next(i for i, name in enumerate(dense.inputs) if name in ("grad", "delta"))
        cls.inputs = dense.inputs[:position] + ("grad", "indices") + dense.inputs[position + 1:]
        cls.refs = dense.refs
        cls.scalars = dense.scalars
        cls.grad_position = position - dense.refs     # among the non-ref inputs the kernel receives
        # A step count is read as a host scalar (it is converted to the variable's dtype).
        cls.host_inputs = tuple(i for i, name in enumerate(cls.inputs) if name == "global_step")
        super().__init_subclass__(**kwargs)

    def infer(self, op):
        if len(op.inputs) != len(self.inputs):
            raise ValueError("%s takes %d inputs (%s), got %d"
                             % (self.type, len(self.inputs), ", ".join(self.inputs), len(op.inputs)))
        var = op.inputs[0]
        named = dict(zip(self.inputs, op.inputs))
        grad, indices = named["grad"], named["indices"]
        for index, (arg, tensor) in enumerate(zip(self.inputs, op.inputs)):
            if index < self.refs:
                _variable_op_of(tensor)
            if arg == "indices":
                if tensor.dtype not in _INDEX_DTYPES:
                    raise TypeError("Value passed to parameter 'indices' of '%s' Op has DataType %s not in list "
                                    "of allowed values: int32, int64" % (self.type, tensor.dtype.name))
                if tensor.shape.ndims not in (None, 1):
                    raise ValueError("indices must be one-dimensional, got shape %s" % format_shape(tensor.shape))
                continue
            if arg == "global_step":
                if tensor.dtype.base_dtype is not dtypes.int64:
                    raise TypeError("Input 'global_step' of '%s' Op has type %s that does not match expected "
                                    "type of int64." % (self.type, tensor.dtype.name))
                continue
            check_same_dtype(self.type, var, tensor, "var", arg)
            if arg in self.scalars:
                if tensor.shape.ndims not in (None, 0):
                    raise ValueError("Shape must be rank 0 but is rank %d for input '%s'" % (tensor.shape.ndims, arg))
            elif arg == "grad":
                if var.shape.ndims is not None and grad.shape.ndims is not None and (
                        grad.shape.ndims != var.shape.ndims or not var.shape[1:].is_compatible_with(grad.shape[1:])):
                    raise ValueError("var and grad do not have the same shape after dimension 0: %s and %s"
                                     % (format_shape(var.shape), format_shape(grad.shape)))
            elif not var.shape.is_compatible_with(tensor.shape):
                raise ValueError("Shapes of 'var' and '%s' must be equal, but are %s and %s"
                                 % (arg, format_shape(var.shape), format_shape(tensor.shape)))
        if grad.shape.ndims and indices.shape.ndims == 1 and \
                not grad.shape[0].is_compatible_with(indices.shape[0]):
            raise ValueError("grad must be the same size as indices in the first dimension: %s and %s"
                             % (format_shape(grad.shape), format_shape(indices.shape)))
        return [(var.dtype, var.shape)]

    def kernel(self, op, ctx):
        variable_ops = [op.inputs[i].op for i in range(self.refs)]
        cells = [ctx.variable_cell(v) for v in variable_ops]
        update = self.dense.update
        one = op.inputs[0].dtype.np.type(1)
        attrs = op.attrs
        grad_at, xp = self.grad_position, ctx.xp

        def storage():
            values = []
            for cell, variable_op in zip(cells, variable_ops):
                if cell.value is None:
                    raise _uninitialized(variable_op)
                values.append(cell.value)
            return values

        def update_rows(refs, rows, args):
            gathered = [ref[rows] for ref in refs]
            update(gathered, args, one, attrs)
            for ref, new_rows in zip(refs, gathered):
                ref[rows] = new_rows

        def sparse_apply(*args):
            refs = storage()
            grad, indices = args[grad_at], xp.asarray(args[grad_at + 1])
            others = list(args[:grad_at]), list(args[grad_at + 2:])
            rows = refs[0].shape[0]
            if grad.shape[:1] != indices.shape:
                raise errors.InvalidArgumentError(
                    None, op, "grad must be the same size as indices in the first dimension: %d vs %d"
                    % (grad.shape[0] if grad.ndim else 0, indices.size))
            bad = (indices < 0) | (indices >= rows)
            if bad.any():
                offset = int(np.argmax(bad))
                raise errors.InvalidArgumentError(None, op, "Index %d at offset %d in indices is out of range"
                                                  % (int(indices[offset]), offset))
            if np.unique(indices).size == indices.size:
                update_rows(refs, indices, others[0] + [grad] + others[1])
            else:
                for offset in range(indices.size):
                    update_rows(refs, indices[offset:offset + 1], others[0] + [grad[offset:offset + 1]] + others[1])
            return refs[0]
        return sparse_apply


def _define(dense):
    """Registers the sparse counterpart 'Sparse' + dense.type of a dense update op class."""
    cls = type("Sparse" + dense.__name__, (_SparseApplyOp,), {
        "dense": dense, "__doc__": "%s on the rows `indices` only: %s" % (dense.__name__, dense.__doc__)})
    return register(cls)


SparseApplyMomentum = _define(training.ApplyMomentum)
SparseApplyAdagrad = _define(training.ApplyAdagrad)
SparseApplyRMSProp = _define(training.ApplyRMSProp)
SparseApplyCenteredRMSProp = _define(training.ApplyCenteredRMSProp)
SparseApplyAdadelta = _define(training.ApplyAdadelta)
SparseApplyFtrl = _define(training_extra.ApplyFtrl)
SparseApplyFtrlV2 = _define(training_extra.ApplyFtrlV2)
SparseApplyProximalGradientDescent = _define(training_extra.ApplyProximalGradientDescent)
SparseApplyProximalAdagrad = _define(training_extra.ApplyProximalAdagrad)
SparseApplyAdagradDA = _define(training_extra.ApplyAdagradDA)


def sparse_apply(op_type, refs, values, name=None, attrs=None):
    """The `op_type` (e.g. 'SparseApplyMomentum') update of the variable and slots `refs`, from `values`
    (the op's other inputs in TF's order, `indices` included); evaluates to the updated variable."""
    index_position = _OP_TYPES[op_type].inputs.index("indices") - len(refs)
    values = list(values)
    values[index_position] = convert_to_tensor(values[index_position], name="indices")
    if op_type == "SparseApplyAdagradDA" and not is_tensor_like(values[-1]):
        values[-1] = convert_to_tensor(values[-1], dtype=dtypes.int64)   # a tensor's dtype is the op's check
    return training._apply(op_type, refs, values, name, attrs)


_OP_TYPES = {cls.__name__: cls for cls in (
    SparseApplyMomentum, SparseApplyAdagrad, SparseApplyRMSProp, SparseApplyCenteredRMSProp, SparseApplyAdadelta,
    SparseApplyFtrl, SparseApplyFtrlV2, SparseApplyProximalGradientDescent, SparseApplyProximalAdagrad,
    SparseApplyAdagradDA)}
