"""Scatters: `tf.scatter_*` and `tf.scatter_nd_*` writing into a variable in place (TF1's ref-variable
semantics, as `tf.assign_add`), `tf.scatter_nd` building a new tensor from zeros, and
`tf.tensor_scatter_nd_*` returning an updated copy of a tensor, with the gradients TF defines.

Row scatters address rows of the variable by `indices` (updates.shape = indices.shape + ref.shape[1:]);
nd scatters address slices by index vectors in the last axis of `indices` (updates.shape =
indices.shape[:-1] + ref.shape[indices.shape[-1]:]). Repeated indices accumulate for add, sub, mul, div,
min and max (NumPy's unbuffered `ufunc.at`); for update the last one wins.
"""
import numpy as np

from .. import backend
from ..framework import dtypes, errors
from ..framework.graph import convert_to_tensor, name_scope
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape, format_shape
from . import array as _array
from . import math as _math
from .common import check_same_dtype, make_tensor
from .state import _ref_of, _uninitialized, _variable_op_of

__all__ = ["scatter_update", "scatter_add", "scatter_sub", "scatter_mul", "scatter_div", "scatter_min",
           "scatter_max", "scatter_nd_update", "scatter_nd_add", "scatter_nd_sub", "scatter_nd",
           "tensor_scatter_nd_update", "tensor_scatter_nd_add", "tensor_scatter_nd_sub", "tensor_scatter_nd_min",
           "tensor_scatter_nd_max", "tensor_scatter_update", "tensor_scatter_add", "tensor_scatter_sub",
           "batch_scatter_update"]

_INDEX = (dtypes.int32, dtypes.int64)


def _invalid(op, message):
    return errors.InvalidArgumentError(None, op, message)


def _check_indices(indices, op_name):
    if indices.dtype not in _INDEX:
        raise TypeError("Value passed to parameter 'indices' of '%s' Op has DataType %s not in list of allowed "
                        "values: int32, int64" % (op_name, indices.dtype.name))


def _row_updates_shape(ref_shape, indices_shape):
    if ref_shape.ndims is None or indices_shape.ndims is None:
        return TensorShape(None)
    return TensorShape(indices_shape.as_list() + ref_shape.as_list()[1:])


def _nd_updates_shape(ref_shape, indices_shape, op_name):
    if ref_shape.ndims is None or indices_shape.ndims is None or indices_shape[-1].value is None:
        return TensorShape(None)
    depth = indices_shape[-1].value
    if depth > ref_shape.ndims:
        raise ValueError("The last dimension of indices (%d) must be <= the rank of the target (%d) for '%s': "
                         "indices shape %s, target shape %s" % (depth, ref_shape.ndims, op_name,
                                                                 format_shape(indices_shape),
                                                                 format_shape(ref_shape)))
    return TensorShape(indices_shape.as_list()[:-1] + ref_shape.as_list()[depth:])


def _check_updates_shape(updates, expected, op_name):
    if updates.shape.ndims == 0:
        return      # a scalar update applies to every addressed element
    if not updates.shape.is_compatible_with(expected):
        raise ValueError("Shapes of updates and target disagree for '%s': updates has shape %s but indices and "
                         "the target need %s" % (op_name, format_shape(updates.shape), format_shape(expected)))


def _row_position(op, indices, bound):
    """The index tuple of the scatter, checked against [0, bound)."""
    flat = indices.reshape(-1)
    bad = (flat < 0) | (flat >= bound)
    if bad.any():
        position = int(np.argmax(bad))
        raise _invalid(op, "indices[%d] = %d is not in [0, %d)" % (position, int(flat[position]), bound))
    return (indices,)


def _nd_position(op, indices, target_shape, xp=np):
    """The index tuple of an nd scatter (one array per addressed axis), checked against the target."""
    depth = indices.shape[-1]
    if depth > len(target_shape):
        raise _invalid(op, "indices.shape[-1] = %d must be <= the rank of the target, %d"
                       % (depth, len(target_shape)))
    bound = xp.asarray(target_shape[:depth], dtype=np.int64)
    bad = ((indices < 0) | (indices >= bound)).any(axis=-1)
    if bad.any():
        where = np.unravel_index(int(np.argmax(bad)), bad.shape)
        raise _invalid(op, "indices[%s] = %s does not index into shape %s"
                       % (",".join(str(w) for w in where), indices[where].tolist(), list(target_shape)))
    return tuple(np.moveaxis(indices, -1, 0))


def _truncating_divide_at(target, position, updates):
    """target[position] /= updates one element at a time, integer division truncating towards zero as in
    TF's kernels (NumPy's divide.at cannot write integers)."""
    updates = np.broadcast_to(updates, target[position].shape)
    flat_positions = np.ravel_multi_index(position, target.shape[:len(position)]) if len(position) > 1 \
        else position[0]
    rows = target.reshape((-1,) + target.shape[len(position):])
    for where, update in zip(np.asarray(flat_positions).reshape(-1),
                             updates.reshape((-1,) + target.shape[len(position):])):
        if np.any(update == 0):
            raise ZeroDivisionError
        quotient = np.trunc(rows[where] / update)
        rows[where] = quotient.astype(target.dtype)


def _apply(combine, target, position, updates, xp=np):
    if combine is None:
        target[position] = updates
    elif xp is not np:
        _apply_on_device(combine, target, position, updates, xp)
    elif combine is np.divide and target.dtype.kind in "iu":
        _truncating_divide_at(target, position, updates)
    else:
        combine.at(target, position, updates)


def _apply_on_device(combine, target, position, updates, xp):
    """`_apply` on a device's arrays: sums with the device's scatter-add; the other combinations, which
    have no unbuffered device kernel, on a host copy of the addressed slices only (each once), applied
    in the host's order so that the results are the host's, then written back."""
    if combine is np.add:
        backend.scatter_add(target, position, updates)
        return
    if combine is np.subtract:
        backend.scatter_add(target, position, -updates)
        return
    lead, inner = target.shape[:len(position)], target.shape[len(position):]
    flat = (np.ravel_multi_index(position, lead) if len(position) > 1 else position[0]).reshape(-1)
    touched, inverse = xp.unique(flat, return_inverse=True)
    touched_position = xp.unravel_index(touched, lead) if len(position) > 1 else (touched,)
    block = backend.to_host(target[touched_position])
    every_update = np.broadcast_to(updates, position[0].shape + inner)
    _apply(combine, block, (backend.to_host(inverse).reshape(-1),),
           backend.to_host(every_update).reshape((-1,) + inner))
    target[touched_position] = xp.asarray(block)


# --- scatters into a variable ---------------------------------------------------------------------
class _VariableScatter(OpDef):
    """Writes `updates` into the variable's storage at `indices` with `combine` (None: overwrite)."""

    stateful = True
    updates_state = True
    returns_shared = True
    ref_inputs = (0,)
    differentiable = False
    combine = None
    nd = False

    def infer(self, op):
        ref, indices, updates = op.inputs
        check_same_dtype(self.type, ref, updates, "ref", "updates")
        _check_indices(indices, self.type)
        expected = _nd_updates_shape(ref.shape, indices.shape, self.type) if self.nd else \
            _row_updates_shape(ref.shape, indices.shape)
        _check_updates_shape(updates, expected, self.type)
        return [(ref.dtype, ref.shape)]

    def kernel(self, op, ctx):
        variable_op = op.inputs[0].op
        cell = ctx.variable_cell(variable_op)
        combine, nd, xp = type(self).combine, self.nd, ctx.xp

        def scatter(indices, updates):
            current = cell.value
            if current is None:
                raise _uninitialized(variable_op)
            if nd:
                position = _nd_position(op, indices, current.shape, xp)
            else:
                if current.ndim == 0:
                    raise _invalid(op, "Parameter must be at least a vector, got a scalar variable")
                position = _row_position(op, indices, current.shape[0])
            expected = current[position].shape
            if np.ndim(updates) and np.shape(updates) != expected:
                raise _invalid(op, "Shapes of updates and target disagree: updates has shape %s, expected %s"
                               % (list(np.shape(updates)), list(expected)))
            try:
                with np.errstate(divide="ignore", invalid="ignore"):
                    _apply(combine, current, position, updates, xp)
            except ZeroDivisionError:
                raise _invalid(op, "Integer division by zero") from None
            return current
        return scatter


@register
class ScatterUpdate(_VariableScatter):
    """ref[indices] = updates."""


@register
class ScatterAdd(_VariableScatter):
    """ref[indices] += updates."""

    combine = np.add


@register
class ScatterSub(_VariableScatter):
    """ref[indices] -= updates."""

    combine = np.subtract


@register
class ScatterMul(_VariableScatter):
    """ref[indices] *= updates."""

    combine = np.multiply


@register
class ScatterDiv(_VariableScatter):
    """ref[indices] /= updates."""

    combine = np.divide


@register
class ScatterMin(_VariableScatter):
    """ref[indices] = min(ref[indices], updates)."""

    combine = np.minimum


@register
class ScatterMax(_VariableScatter):
    """ref[indices] = max(ref[indices], updates)."""

    combine = np.maximum


@register
class ScatterNdUpdate(_VariableScatter):
    """ref[indices[..., :]] = updates."""

    nd = True


@register
class ScatterNdAdd(_VariableScatter):
    """ref[indices[..., :]] += updates."""

    nd = True
    combine = np.add


@register
class ScatterNdSub(_VariableScatter):
    """ref[indices[..., :]] -= updates."""

    nd = True
    combine = np.subtract


def _variable_scatter(op_type, ref, indices, updates, name):
    ref = _ref_of(ref)
    _variable_op_of(ref)
    indices = convert_to_tensor(indices, name="indices")
    updates = convert_to_tensor(updates, dtype=ref.dtype, name="updates")
    return make_tensor(op_type, [ref, indices, updates], name=name or op_type)


_ROW_DOC = """`tf.%s(ref, indices, updates, use_locking=False)`: %s, in place in the variable `ref`; evaluates
    to the variable's new value. updates.shape = indices.shape + ref.shape[1:] (or a scalar); an index
    outside [0, ref.shape[0]) is an InvalidArgumentError and leaves the variable unchanged."""


def scatter_update(ref, indices, updates, use_locking=True, name=None):
    return _variable_scatter("ScatterUpdate", ref, indices, updates, name)


def scatter_add(ref, indices, updates, use_locking=False, name=None):
    return _variable_scatter("ScatterAdd", ref, indices, updates, name)


def scatter_sub(ref, indices, updates, use_locking=False, name=None):
    return _variable_scatter("ScatterSub", ref, indices, updates, name)


def scatter_mul(ref, indices, updates, use_locking=False, name=None):
    return _variable_scatter("ScatterMul", ref, indices, updates, name)


def scatter_div(ref, indices, updates, use_locking=False, name=None):
    return _variable_scatter("ScatterDiv", ref, indices, updates, name)


def scatter_min(ref, indices, updates, use_locking=False, name=None):
    return _variable_scatter("ScatterMin", ref, indices, updates, name)


def scatter_max(ref, indices, updates, use_locking=False, name=None):
    return _variable_scatter("ScatterMax", ref, indices, updates, name)


for _function, _what in ((scatter_update, "ref[indices] = updates (the last of repeated indices wins)"),
                         (scatter_add, "ref[indices] += updates (repeated indices add up)"),
                         (scatter_sub, "ref[indices] -= updates (repeated indices add up)"),
                         (scatter_mul, "ref[indices] *= updates (repeated indices multiply)"),
                         (scatter_div, "ref[indices] /= updates (repeated indices divide; integers truncate)"),
                         (scatter_min, "ref[indices] = minimum(ref[indices], updates)"),
                         (scatter_max, "ref[indices] = maximum(ref[indices], updates)")):
    _function.__doc__ = _ROW_DOC % (_function.__name__, _what)

_ND_DOC = """`tf.%s(ref, indices, updates, use_locking=...)`: %s, in place in the variable `ref`, where each
    vector along the last axis of `indices` addresses an element or slice; evaluates to the new value.
    updates.shape = indices.shape[:-1] + ref.shape[indices.shape[-1]:]."""


def scatter_nd_update(ref, indices, updates, use_locking=True, name=None):
    return _variable_scatter("ScatterNdUpdate", ref, indices, updates, name)


def scatter_nd_add(ref, indices, updates, use_locking=False, name=None):
    return _variable_scatter("ScatterNdAdd", ref, indices, updates, name)


def scatter_nd_sub(ref, indices, updates, use_locking=False, name=None):
    return _variable_scatter("ScatterNdSub", ref, indices, updates, name)


for _function, _what in ((scatter_nd_update, "ref[index] = update"), (scatter_nd_add, "ref[index] += update"),
                         (scatter_nd_sub, "ref[index] -= update")):
    _function.__doc__ = _ND_DOC % (_function.__name__, _what)


def batch_scatter_update(ref, indices, updates, use_locking=True, name=None):
    """`tf.batch_scatter_update(ref, indices, updates)`: for every batch position b (all but the last
    axis of indices), ref[b, indices[b, i]] = updates[b, i] in place; built on scatter_nd_update."""
    with name_scope(name, "BatchScatterUpdate", [ref, indices, updates]):
        variable = _ref_of(ref)
        indices = convert_to_tensor(indices, name="indices")
        batch_rank = indices.shape.ndims
        if batch_rank is None:
            raise ValueError("batch_scatter_update needs indices of known rank")
        grids = _array.meshgrid(*[_math.cast(_array.range(_array.shape(indices)[axis]), indices.dtype)
                                  for axis in range(batch_rank - 1)] +
                                [_math.cast(_array.range(_array.shape(indices)[-1]), indices.dtype)],
                                indexing="ij") if batch_rank > 1 else []
        parts = [g for g in grids[:-1]] + [indices]
        nd_indices = _array.stack(parts, axis=-1) if len(parts) > 1 else _array.expand_dims(indices, -1)
        return scatter_nd_update(variable, nd_indices, updates, use_locking=use_locking)


# --- scatters that build new tensors ---------------------------------------------------------------
def _scatter_into(op, target, indices, updates, combine, xp):
    position = _nd_position(op, indices, target.shape, xp)
    expected = target[position].shape
    if np.ndim(updates) and np.shape(updates) != expected:
        raise _invalid(op, "Shapes of updates and target disagree: updates has shape %s, expected %s"
                       % (list(np.shape(updates)), list(expected)))
    _apply(combine, target, position, updates, xp)
    return target


@register
class ScatterNd(OpDef):
    """Zeros of `shape` with `updates` added at the index vectors of `indices`."""

    def infer(self, op):
        indices, updates, shape = op.inputs
        _check_indices(indices, "ScatterNd")
        if shape.dtype is not indices.dtype:
            raise TypeError("shape must have the dtype of indices (%s), got %s"
                            % (indices.dtype.name, shape.dtype.name))
        known = _array._static_partial(shape)
        out_shape = TensorShape(known)
        _check_updates_shape(updates, _nd_updates_shape(out_shape, indices.shape, "ScatterNd"), "ScatterNd")
        return [(updates.dtype, out_shape)]

    host_inputs = (2,)    # the result's shape

    def kernel(self, op, ctx):
        xp = ctx.xp

        def scatter_nd_(indices, updates, shape):
            if (np.asarray(shape) < 0).any():
                raise _invalid(op, "Dimensions of shape must be non-negative, got %s" % list(shape))
            target = xp.zeros(tuple(int(d) for d in shape), dtype=updates.dtype)
            return _scatter_into(op, target, indices, updates, np.add, xp)
        return scatter_nd_

    def grad(self, op, dy):
        indices = op.inputs[0]
        return [None, _array.gather_nd(dy, indices), None]


def scatter_nd(indices, updates, shape, name=None):
    """`tf.scatter_nd(indices, updates, shape)`: a tensor of `shape`, zero except at the slices addressed
    by the index vectors in the last axis of `indices`, which hold `updates` (repeated indices add up)."""
    indices = convert_to_tensor(indices, name="indices")
    updates = convert_to_tensor(updates, name="updates")
    shape = _array._int_tensor(shape, "shape")
    if shape.dtype is not indices.dtype:
        shape = _math.cast(shape, indices.dtype)
    return make_tensor("ScatterNd", [indices, updates, shape], name=name or "ScatterNd")


class _TensorScatter(OpDef):
    """A copy of `tensor` with `updates` combined in at the index vectors of `indices`."""

    combine = None

    def infer(self, op):
        tensor, indices, updates = op.inputs
        check_same_dtype(self.type, tensor, updates, "tensor", "updates")
        _check_indices(indices, self.type)
        _check_updates_shape(updates, _nd_updates_shape(tensor.shape, indices.shape, self.type), self.type)
        return [(tensor.dtype, tensor.shape)]

    def kernel(self, op, ctx):
        combine, xp = type(self).combine, ctx.xp
        return lambda tensor, indices, updates: _scatter_into(op, xp.array(tensor, copy=True), indices, updates,
                                                              combine, xp)


@register
class TensorScatterUpdate(_TensorScatter):
    """tensor with tensor[index] = update."""

    def grad(self, op, dy):
        tensor, indices, updates = op.inputs
        cleared = tensor_scatter_nd_update(dy, indices, _array.zeros_like(updates))
        return [cleared, None, _array.gather_nd(dy, indices)]


@register
class TensorScatterAdd(_TensorScatter):
    """tensor with tensor[index] += update."""

    combine = np.add

    def grad(self, op, dy):
        return [dy, None, _array.gather_nd(dy, op.inputs[1])]


@register
class TensorScatterSub(_TensorScatter):
    """tensor with tensor[index] -= update."""

    combine = np.subtract

    def grad(self, op, dy):
        return [dy, None, -_array.gather_nd(dy, op.inputs[1])]


def _extremum_scatter_grad(op, dy):
    """The gradient of tensor_scatter_nd_max/min: shared equally among the tensor element and the updates
    that equal the result."""
    tensor, indices, updates = op.inputs
    output = op.outputs[0]
    tensor_chosen = _math.cast(_math.equal(tensor, output), dy.dtype)
    updates_chosen = _math.cast(_math.equal(updates, _array.gather_nd(output, indices)), dy.dtype)
    chosen_count = tensor_chosen + scatter_nd(indices, updates_chosen, _array.shape(tensor, out_type=indices.dtype))
    share = _math.div_no_nan(dy, chosen_count)
    return [tensor_chosen * share, None, updates_chosen * _array.gather_nd(share, indices)]


@register
class TensorScatterMax(_TensorScatter):
    """tensor with tensor[index] = max(tensor[index], update)."""

    combine = np.maximum

    def grad(self, op, dy):
        return _extremum_scatter_grad(op, dy)


@register
class TensorScatterMin(_TensorScatter):
    """tensor with tensor[index] = min(tensor[index], update)."""

    combine = np.minimum

    def grad(self, op, dy):
        return _extremum_scatter_grad(op, dy)


def _tensor_scatter(op_type, tensor, indices, updates, name):
    tensor = convert_to_tensor(tensor, name="tensor")
    indices = convert_to_tensor(indices, name="indices")
    updates = convert_to_tensor(updates, dtype=tensor.dtype, name="updates")
    return make_tensor(op_type, [tensor, indices, updates], name=name or op_type)


_TENSOR_DOC = """`tf.%s(tensor, indices, updates)`: a copy of `tensor` with %s at the slices addressed by
    the index vectors in the last axis of `indices` (updates.shape = indices.shape[:-1] +
    tensor.shape[indices.shape[-1]:]); `tensor` itself is unchanged."""


def tensor_scatter_nd_update(tensor, indices, updates, name=None):
    return _tensor_scatter("TensorScatterUpdate", tensor, indices, updates, name)


def tensor_scatter_nd_add(tensor, indices, updates, name=None):
    return _tensor_scatter("TensorScatterAdd", tensor, indices, updates, name)


def tensor_scatter_nd_sub(tensor, indices, updates, name=None):
    return _tensor_scatter("TensorScatterSub", tensor, indices, updates, name)


def tensor_scatter_nd_max(tensor, indices, updates, name=None):
    return _tensor_scatter("TensorScatterMax", tensor, indices, updates, name)


def tensor_scatter_nd_min(tensor, indices, updates, name=None):
    return _tensor_scatter("TensorScatterMin", tensor, indices, updates, name)


for _function, _what in ((tensor_scatter_nd_update, "`updates` written (the last of repeated indices wins)"),
                         (tensor_scatter_nd_add, "`updates` added (repeated indices add up)"),
                         (tensor_scatter_nd_sub, "`updates` subtracted (repeated indices add up)"),
                         (tensor_scatter_nd_max, "the maximum of the element and `updates`"),
                         (tensor_scatter_nd_min, "the minimum of the element and `updates`")):
    _function.__doc__ = _TENSOR_DOC % (_function.__name__, _what)

tensor_scatter_update = tensor_scatter_nd_update     # TF1's shorter names of the same ops
tensor_scatter_add = tensor_scatter_nd_add
tensor_scatter_sub = tensor_scatter_nd_sub
