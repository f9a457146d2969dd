"""`tf.ConditionalAccumulator` and `tf.SparseConditionalAccumulator`: gradients aggregated across steps
(or workers), each accumulator a resource of the running Session.

apply_grad adds a gradient unless its local_step is older than the accumulator's global step (a stale
gradient is dropped); take_grad waits until `num_required` gradients were accumulated, returns their mean
(or sum, with reduction_type='SUM'), resets the accumulator and advances its global step by one. The sparse
accumulator averages each row over the gradients that contained that row. Closing the Session cancels a
waiting take_grad (CancelledError).
"""
import threading

import numpy as np

from ..framework import dtypes as _dtypes, errors
from ..framework.graph import convert_to_tensor, name_scope
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape
from .common import make_op, make_tensor
from .data_flow import _op_error, session_resource

__all__ = ["ConditionalAccumulatorBase", "ConditionalAccumulator", "SparseConditionalAccumulator"]


class _AccumulatorState:
    """One accumulator's sum, count and global step in one Session."""

    def __init__(self, name, dtype, shape, reduction, sparse):
        self.name, self.dtype, self.shape, self.reduction, self.sparse = name, dtype, shape, reduction, sparse
        self.condition = threading.Condition()
        self.global_step = 0
        self.cancelled = False
        self.reset()

    def reset(self):
        self.count = 0
        self.total = None                  # dense: the running sum
        self.rows = {}                     # sparse: row index -> (sum of values, contributions)
        self.dense_shape = None

    def session_closed(self):
        with self.condition:
            self.cancelled = True
            self.condition.notify_all()

    def check_shape(self, op, shape):
        if not self.shape.is_compatible_with(TensorShape(list(shape))):
            raise _op_error(errors.InvalidArgumentError, op, "Shape mismatch: expected %s, got %s"
                            % (self.shape, list(shape)))

    def stale(self, local_step):
        return int(local_step) < self.global_step

    def wait_for(self, op, required):
        if required < 1:
            raise _op_error(errors.InvalidArgumentError, op, "Argument num_required must be positive, but was %d"
                            % required)
        while self.count < required:
            if self.cancelled:
                raise _op_error(errors.CancelledError, op, "TakeGrad operation was cancelled")
            self.condition.wait()
        if self.cancelled:
            raise _op_error(errors.CancelledError, op, "TakeGrad operation was cancelled")


def _resource_key(accumulator_op):
    shared = accumulator_op.attrs.get("shared_name")
    return ("accumulator", shared) if shared else ("accumulator", accumulator_op)


def _state(ctx, accumulator_op, sparse):
    attrs = accumulator_op.attrs
    return session_resource(ctx, _resource_key(accumulator_op), lambda: _AccumulatorState(
        attrs.get("shared_name") or accumulator_op.name, attrs["dtype"], attrs["shape"], attrs["reduction_type"],
        sparse))


def cancel_pending_take_grads(session, accumulators):
    """Fails the take_grad calls waiting on `accumulators` in `session` (a tf.Session) with CancelledError,
    as closing the Session does, and every later one there too: for a thread that must end while its
    Session stays open (a queue runner stopped by its Coordinator)."""
    for accumulator in accumulators:
        op = accumulator.accumulator_ref.op
        # Made here when no run has used it yet, so that a take_grad starting later fails too.
        _state(session._state, op, op.type == "SparseConditionalAccumulator").session_closed()


def _accumulator_op(handle):
    if handle.op.type not in ("ConditionalAccumulator", "SparseConditionalAccumulator"):
        raise TypeError("Expected an accumulator handle, got %s (op type %s)" % (handle.name, handle.op.type))
    return handle.op


class _AccumulatorOp(OpDef):
    """An accumulator: outputs its handle (a string naming the resource)."""

    stateful = True
    differentiable = False
    foldable = False
    sparse = False

    def infer(self, op):
        if op.attrs["reduction_type"] not in ("MEAN", "SUM"):
            raise ValueError("reduction_type must be 'MEAN' or 'SUM', got %r" % op.attrs["reduction_type"])
        return [(_dtypes.string, TensorShape([2]))]

    def kernel(self, op, ctx):
        state = _state(ctx, op, self.sparse)
        handle = np.array([b"accumulator", state.name.encode()], dtype=object)
        return lambda: handle


@register
class _DenseAccumulatorOp(_AccumulatorOp):
    """A dense gradient accumulator."""

    type = "ConditionalAccumulator"


@register
class _SparseAccumulatorOp(_AccumulatorOp):
    """A sparse (IndexedSlices) gradient accumulator."""

    type = "SparseConditionalAccumulator"
    sparse = True


class _AccumulatorAccess(OpDef):
    stateful = True
    differentiable = False
    foldable = False
    ref_inputs = (0,)

    def state(self, op, ctx):
        accumulator = _accumulator_op(op.inputs[0])
        return _state(ctx, accumulator, accumulator.type == "SparseConditionalAccumulator")


@register
class AccumulatorNumAccumulated(_AccumulatorAccess):
    """The number of gradients accumulated since the last take."""

    def infer(self, op):
        return [(_dtypes.int32, TensorShape([]))]

    def kernel(self, op, ctx):
        state = self.state(op, ctx)

        def count():
            with state.condition:
                return np.int32(state.count)
        return count


@register
class AccumulatorSetGlobalStep(_AccumulatorAccess):
    """Sets the global step (gradients from older local steps are dropped from then on)."""

    updates_state = True

    def infer(self, op):
        return []

    def kernel(self, op, ctx):
        state = self.state(op, ctx)

        def set_step(step):
            with state.condition:
                if int(step) < state.global_step:
                    raise _op_error(errors.InvalidArgumentError, op, "Cannot set the global step to %d: it is "
                                    "%d already and only moves forward" % (int(step), state.global_step))
                state.global_step = int(step)
        return set_step


@register
class AccumulatorApplyGradient(_AccumulatorAccess):
    """Adds a dense gradient (unless stale)."""

    updates_state = True

    def infer(self, op):
        return []

    def kernel(self, op, ctx):
        state = self.state(op, ctx)

        def apply(local_step, gradient):
            gradient = np.asarray(gradient)
            with state.condition:
                state.check_shape(op, gradient.shape)
                if state.total is not None and state.total.shape != gradient.shape:
                    raise _op_error(errors.InvalidArgumentError, op, "Shape mismatch: expected %s, got %s"
                                    % (list(state.total.shape), list(gradient.shape)))
                if state.stale(local_step):
                    return
                state.total = gradient.astype(np.float64) if state.total is None else state.total + gradient
                state.count += 1
                state.condition.notify_all()
        return apply


@register
class AccumulatorTakeGradient(_AccumulatorAccess):
    """Waits for num_required gradients and returns their mean (or sum)."""

    updates_state = True

    def infer(self, op):
        accumulator = _accumulator_op(op.inputs[0])
        return [(accumulator.attrs["dtype"], accumulator.attrs["shape"])]

    def kernel(self, op, ctx):
        state = self.state(op, ctx)
        dtype = state.dtype.np

        def take(num_required):
            with state.condition:
                state.wait_for(op, int(num_required))
                result = state.total / state.count if state.reduction == "MEAN" else state.total
                state.reset()
                state.global_step += 1
                return np.asarray(result).astype(dtype)
        return take


@register
class SparseAccumulatorApplyGradient(_AccumulatorAccess):
    """Adds a sparse gradient (indices, values, dense shape), unless stale."""

    updates_state = True

    def infer(self, op):
        return []

    def kernel(self, op, ctx):
        state = self.state(op, ctx)

        def apply(local_step, indices, values, shape):
            indices, values = np.asarray(indices).reshape(-1), np.asarray(values)
            if values.shape[:1] != indices.shape:
                raise _op_error(errors.InvalidArgumentError, op, "indices and values must have one length, got %d "
                                "and %s" % (indices.size, list(values.shape)))
            shape = [int(d) for d in np.asarray(shape).reshape(-1)]
            with state.condition:
                if shape:
                    state.check_shape(op, shape)
                state.check_shape(op, [None] + list(values.shape[1:]))
                if state.stale(local_step):
                    return
                for index, row in zip(indices.tolist(), values):
                    total, contributions = state.rows.get(index, (0.0, 0))
                    state.rows[index] = (total + row.astype(np.float64), contributions + 1)
                if shape:
                    state.dense_shape = shape
                state.count += 1
                state.condition.notify_all()
        return apply


@register
class SparseAccumulatorTakeGradient(_AccumulatorAccess):
    """Waits for num_required sparse gradients; returns (indices, values, shape), each row averaged over the
    gradients that had it (or summed)."""

    updates_state = True

    def infer(self, op):
        accumulator = _accumulator_op(op.inputs[0])
        shape = accumulator.attrs["shape"]
        row = TensorShape(None) if shape.ndims is None else TensorShape([None] + shape.as_list()[1:])
        return [(_dtypes.int64, TensorShape([None])), (accumulator.attrs["dtype"], row),
                (_dtypes.int64, TensorShape([None]))]

    def kernel(self, op, ctx):
        state = self.state(op, ctx)
        dtype = state.dtype.np

        def take(num_required):
            with state.condition:
                state.wait_for(op, int(num_required))
                order = sorted(state.rows)
                rows = [state.rows[i][0] / (state.rows[i][1] if state.reduction == "MEAN" else 1) for i in order]
                row_shape = list(state.shape.as_list()[1:]) if state.shape.ndims else []
                values = np.asarray(rows, dtype) if rows else np.zeros([0] + [d or 0 for d in row_shape], dtype)
                dense_shape = np.asarray(state.dense_shape or [], np.int64)
                state.reset()
                state.global_step += 1
                return np.asarray(order, np.int64), values, dense_shape
        return take


class ConditionalAccumulatorBase:
    """`tf.ConditionalAccumulatorBase(dtype, shape, accumulator_ref)`: what both accumulators share: the
    handle, num_accumulated and set_global_step."""

    def __init__(self, dtype, shape, accumulator_ref):
        self._dtype = _dtypes.as_dtype(dtype)
        self._shape = TensorShape(shape)
        self._accumulator_ref = accumulator_ref
        self._name = accumulator_ref.op.name.split("/")[-1]

    @property
    def accumulator_ref(self):
        return self._accumulator_ref

    @property
    def name(self):
        return self._name

    @property
    def dtype(self):
        return self._dtype

    def num_accumulated(self, name=None):
        """int32 scalar: gradients accumulated since the last take_grad."""
        return make_tensor("AccumulatorNumAccumulated", [self._accumulator_ref], name=name or "num_accumulated")

    def set_global_step(self, new_global_step, name=None):
        """An op setting the accumulator's global step; gradients of older local steps are dropped."""
        step = convert_to_tensor(new_global_step, dtype=_dtypes.int64, name="new_global_step")
        return make_op("AccumulatorSetGlobalStep", [self._accumulator_ref, step], name=name or "SetGlobalStep")


def _as_int64(value, name):
    """`value` as an int64 tensor; int32 tensors (gather's gradient indices, an int32 step) are cast, as TF
    casts them."""
    tensor = convert_to_tensor(value, dtype=None if hasattr(value, "dtype") else _dtypes.int64, name=name)
    if tensor.dtype.base_dtype is _dtypes.int32:
        from .math import cast
        return cast(tensor, _dtypes.int64, name=name)
    return convert_to_tensor(tensor, dtype=_dtypes.int64, name=name)


def _make_accumulator(op_type, dtype, shape, shared_name, name, reduction_type):
    with name_scope(None, name) as scope:
        return make_tensor(op_type, [], {"dtype": _dtypes.as_dtype(dtype), "shape": TensorShape(shape),
                                         "shared_name": shared_name or "", "reduction_type": reduction_type},
                           name=scope)


class ConditionalAccumulator(ConditionalAccumulatorBase):
    """`tf.ConditionalAccumulator(dtype, shape=None, shared_name=None, name='conditional_accumulator',
    reduction_type='MEAN')`: accumulates dense gradients; see the module docstring."""

    def __init__(self, dtype, shape=None, shared_name=None, name="conditional_accumulator", reduction_type="MEAN"):
        ref = _make_accumulator("ConditionalAccumulator", dtype, shape, shared_name, name, reduction_type)
        super().__init__(dtype, shape, ref)

    def apply_grad(self, grad, local_step=0, name=None):
        """An op adding `grad` (dropped when local_step is older than the global step)."""
        grad = convert_to_tensor(grad, dtype=self._dtype, name="grad")
        if not self._shape.is_compatible_with(grad.shape):
            raise ValueError("Shapes %s and %s are incompatible" % (self._shape, grad.shape))
        step = _as_int64(local_step, "local_step")
        return make_op("AccumulatorApplyGradient", [self._accumulator_ref, step, grad], name=name or "AccumulatorApplyGradient")

    def take_grad(self, num_required, name=None):
        """The mean (or sum) of the accumulated gradients once at least num_required were applied; resets
        the accumulator and advances its global step."""
        required = convert_to_tensor(num_required, dtype=_dtypes.int32, name="num_required")
        return make_tensor("AccumulatorTakeGradient", [self._accumulator_ref, required],
                           name=name or "AccumulatorTakeGradient")


class SparseConditionalAccumulator(ConditionalAccumulatorBase):
    """`tf.SparseConditionalAccumulator(dtype, shape=None, shared_name=None,
    name='sparse_conditional_accumulator', reduction_type='MEAN')`: accumulates IndexedSlices gradients."""

    def __init__(self, dtype, shape=None, shared_name=None, name="sparse_conditional_accumulator",
                 reduction_type="MEAN"):
        ref = _make_accumulator("SparseConditionalAccumulator", dtype, shape, shared_name, name, reduction_type)
        super().__init__(dtype, shape, ref)

    def apply_grad(self, grad_indices, grad_values, grad_shape=None, local_step=0, name=None):
        """An op adding a sparse gradient given as indices [n], values [n, ...] and the dense shape."""
        indices = _as_int64(grad_indices, "grad_indices")
        values = convert_to_tensor(grad_values, dtype=self._dtype, name="grad_values")
        shape = _as_int64([] if grad_shape is None else grad_shape, "grad_shape")
        step = _as_int64(local_step, "local_step")
        return make_op("SparseAccumulatorApplyGradient", [self._accumulator_ref, step, indices, values, shape],
                       name=name or "SparseAccumulatorApplyGradient")

    def apply_indexed_slices_grad(self, grad, local_step=0, name=None):
        """apply_grad of an IndexedSlices."""
        return self.apply_grad(grad.indices, grad.values, grad.dense_shape, local_step, name)

    def take_grad(self, num_required, name=None):
        """(indices, values, shape) of the averaged (or summed) sparse gradient; see take_indexed_slices_grad."""
        required = convert_to_tensor(num_required, dtype=_dtypes.int32, name="num_required")
        return tuple(make_op("SparseAccumulatorTakeGradient", [self._accumulator_ref, required],
                             name=name or "SparseAccumulatorTakeGradient").outputs)

    def take_indexed_slices_grad(self, num_required, name=None):
        """The averaged (or summed) sparse gradient as an IndexedSlices."""
        from ..framework.indexed_slices import IndexedSlices
        indices, values, shape = self.take_grad(num_required, name)
        return IndexedSlices(values, indices, shape)
