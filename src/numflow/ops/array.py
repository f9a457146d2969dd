"""Array ops: creation (zeros, ones, fill), shape queries, reshaping, slicing, joining and indexing.

Each op is one OpDef subclass (shape/dtype rule, kernel, gradient) beside the public function that
builds it. `Tensor.__getitem__` (NumPy-style basic indexing through `strided_slice`) is installed at the
end of this module.
"""
import builtins
import collections
import itertools

import numpy as np

from .. import backend
from ..framework import dtypes, errors
from ..framework.graph import Tensor, convert_to_tensor, is_tensor_like, numpy_value_dtype
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import Dimension, TensorShape, format_shape
from .common import check_same_dtype, make_op, make_tensor

__all__ = ["zeros", "ones", "fill", "zeros_like", "ones_like", "shape", "shape_n", "size", "rank",
           "reshape", "transpose", "matrix_transpose", "invert_permutation", "expand_dims", "squeeze",
           "concat", "stack", "unstack", "split", "tile", "broadcast_to", "gather", "gather_nd", "slice",
           "strided_slice", "pad", "boolean_mask", "reverse", "reverse_v2", "range", "linspace", "lin_space",
           "one_hot", "sequence_mask", "unique", "meshgrid"]

# This module defines `range` and `slice` (TF's names): the builtins are used under these names.
_pyrange = builtins.range
_pyslice = builtins.slice

_INT_DTYPES = (dtypes.int32, dtypes.int64)


# --- what is known statically of integer tensors (shapes, begins, sizes, multiples ...) ------------
def _strided_index(begin, end, strides, masks):
    """The NumPy index tuple of a strided-slice spec; always holds an Ellipsis, so that indexing yields
    an array (a 0-d one when every dimension is shrunk), never a bare scalar."""
    begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_axis_mask = masks
    index = []
    for i in _pyrange(len(begin)):
        bit = 1 << i
        if ellipsis_mask & bit:
            index.append(Ellipsis)
        elif new_axis_mask & bit:
            index.append(None)
        elif shrink_axis_mask & bit:
            index.append(int(begin[i]))
        else:
            stride = int(strides[i])
            if stride == 0:
                raise ValueError("strides[%d] must be non-zero" % i)
            index.append(_pyslice(None if begin_mask & bit else int(begin[i]),
                                  None if end_mask & bit else int(end[i]), stride))
    if Ellipsis not in index:
        index.append(Ellipsis)
    return tuple(index)


_STATIC_LIMIT = 4096  # larger tensors are data, not shapes or indices: not worth tracking statically


def _static_value(tensor):
    """What is known before running of an integer tensor's value: an object array of its shape holding
    ints where known and None elsewhere, or None when not even its shape is known."""
    op = tensor.op
    kind = op.type
    count = tensor.shape.num_elements()
    if count is not None and count > _STATIC_LIMIT:
        return None
    try:
        if kind == "Const":
            value = op.attrs["value"]
            if value.dtype.kind in "iu":
                return value.astype(object)
        elif kind == "Shape":
            known = op.inputs[0].shape
            if known.ndims is not None:
                out = np.empty(known.ndims, dtype=object)
                out[:] = known.as_list()
                return out
        elif kind == "Size":
            return np.array(op.inputs[0].shape.num_elements(), dtype=object)
        elif kind == "Rank":
            return np.array(op.inputs[0].shape.ndims, dtype=object)
        elif kind in ("Identity", "StopGradient") or (kind == "Cast" and op.outputs[0].dtype.is_integer):
            return _static_value(op.inputs[0])
        elif kind == "Pack":
            parts = [_static_value(t) for t in op.inputs]
            if all(p is not None for p in parts):
                return np.stack(parts, axis=op.attrs["axis"])
        elif kind == "ConcatV2":
            parts = [_static_value(t) for t in op.inputs]
            if all(p is not None for p in parts):
                return np.concatenate(parts, axis=op.attrs["axis"])
        elif kind == "StridedSlice":
            base, begin, end, strides = [_static_value(t) for t in op.inputs]
            if base is not None and all(v is not None and v.ndim == 1 and all(e is not None for e in v)
                                        for v in (begin, end, strides)):
                return np.asarray(base[_strided_index(begin, end, strides, _masks(op))], dtype=object)
    except (IndexError, ValueError, TypeError):
        pass
    if tensor.shape.is_fully_defined():
        return np.full(tensor.shape.as_tuple(), None, dtype=object)
    return None


def _static_partial(tensor):
    """An integer vector's elements as a list of ints (known) and None (unknown); None if its length
    is unknown."""
    value = _static_value(tensor)
    if value is None or value.ndim != 1:
        return None
    return [None if v is None else int(v) for v in value]


def _static_int_list(tensor):
    """The value of an integer vector (or scalar, as a 1-element list) tensor as a list when fully
    known before running, else None."""
    value = _static_value(tensor)
    if value is None or value.ndim > 1 or any(v is None for v in value.reshape(-1)):
        return None
    return [int(v) for v in value.reshape(-1)]


def _static_scalar(tensor):
    """The value of a scalar integer tensor when known before running, else None."""
    value = _static_value(tensor)
    if value is None or value.ndim != 0 or value[()] is None:
        return None
    return int(value[()])


def _const_scalar(tensor):
    """The value of a scalar Const (of any numeric dtype) as a NumPy scalar, else None."""
    if tensor.op.type == "Const" and tensor.op.attrs["value"].ndim == 0:
        return tensor.op.attrs["value"][()]
    return None


def _is_const(tensor):
    return tensor.op.type == "Const"


def _int_tensor(value, name):
    """An integer argument (Python ints, a list of ints and scalar tensors, a NumPy array or an
    int32/int64 tensor) as an integer tensor; TypeError for anything else."""
    if is_tensor_like(value):
        tensor = convert_to_tensor(value)
        if tensor.dtype not in _INT_DTYPES:
            raise TypeError("Value passed to parameter '%s' has DataType %s not in list of allowed values: "
                            "int32, int64" % (name, tensor.dtype.name))
        return tensor
    if isinstance(value, TensorShape):
        value = value.as_list()
    if isinstance(value, Dimension):
        value = value.value
    if isinstance(value, (list, tuple)):
        value = [v.value if isinstance(v, Dimension) else v for v in value]
        if any(is_tensor_like(v) for v in value):
            parts = [_int_tensor(v, name) for v in value]
            if any(p.dtype is dtypes.int64 for p in parts):
                from .math import cast
                parts = [cast(p, dtypes.int64) for p in parts]
            return stack(parts, name=name)
    array = np.asarray(value)
    if array.size == 0:
        return convert_to_tensor(array.astype(array.dtype if array.dtype.kind in "iu" else np.int32), name=name)
    if array.dtype.kind not in "iu":
        raise TypeError("Value passed to parameter '%s' must be integers, got %r" % (name, value))
    if not isinstance(value, np.ndarray):
        array = array.astype(numpy_value_dtype(array.tolist()).np)
    return convert_to_tensor(array, name=name)


def _static_axis(axis, name="axis"):
    """An axis argument that must be known when the graph is built (a Python int or a constant)."""
    if isinstance(axis, Dimension):
        axis = axis.value
    if is_tensor_like(axis):
        value = _static_scalar(convert_to_tensor(axis))
        if value is None:
            raise ValueError("'%s' must be known when the graph is built (a Python int or a constant), "
                             "got %s" % (name, axis))
        return value
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (int, np.integer)):
        raise TypeError("'%s' must be an int, got %r" % (name, axis))
    return int(axis)


def _normalize_axis(axis, rank, what="axis"):
    """axis in [-rank, rank) as a non-negative int; ValueError naming the range otherwise."""
    if not -rank <= axis < rank:
        raise ValueError("%s %d is out of range [%d, %d) for a tensor of rank %d" % (what, axis, -rank, rank, rank))
    return axis % rank if rank else axis


def _same_dtype_tensors(values, op_name):
    """Converts a list to tensors of one dtype: Python values take the first tensor's dtype."""
    values = list(values)
    dtype = None
    for v in values:
        if is_tensor_like(v):
            dtype = convert_to_tensor(v).dtype
            break
    else:  # only Python/NumPy values: the dtype TF would give the whole list ([1, 2.0] -> float32)
        try:
            dtype = numpy_value_dtype(values)
        except (TypeError, ValueError):
            dtype = None
    tensors = [convert_to_tensor(v, dtype=None if is_tensor_like(v) else dtype) for v in values]
    for t in tensors[1:]:
        if t.dtype is not tensors[0].dtype:
            raise TypeError("Tensors in list passed to 'values' of '%s' Op have types [%s] that don't all "
                            "match." % (op_name, ", ".join(x.dtype.name for x in tensors)))
    return tensors


def _invalid(op, message):
    return errors.InvalidArgumentError(None, op, message)


# --- creation ------------------------------------------------------------------------------------
def _shape_tensor(shape):
    """A shape argument (list, TensorShape or int32 tensor) as an int32 tensor."""
    return _int_tensor(shape, "shape")


def stack_shape(parts):
    return stack([convert_to_tensor(p, dtype=dtypes.int32) for p in parts])


@register
class Fill(OpDef):
    """A tensor of shape `dims` filled with the scalar `value`."""

    def infer(self, op):
        dims, value = op.inputs
        if dims.shape.ndims not in (None, 1):
            raise ValueError("Shape must be rank 1 but is rank %d: dims must be a vector" % dims.shape.ndims)
        known = _static_partial(dims)
        if known is not None:
            if any(d is not None and d < 0 for d in known):
                raise ValueError("Fill dims must be non-negative, got %s" % known)
            shape = TensorShape(known)
        else:
            shape = TensorShape(None)
        if value.shape.ndims not in (None, 0):
            raise ValueError("value must be a scalar, got shape %s" % format_shape(value.shape))
        return [(value.dtype, shape)]

    host_inputs = (0,)    # dims: a shape

    def kernel(self, op, ctx):
        dtype, xp = op.outputs[0].dtype.np, ctx.xp
        return lambda dims, value: xp.full(tuple(dims), value, dtype=dtype)

    def grad(self, op, dy):
        from .math import reduce_sum
        return [None, reduce_sum(dy)]


def fill(dims, value, name=None):
    """`tf.fill(dims, value)`: a tensor of shape `dims` whose every element is `value`."""
    return make_tensor("Fill", [_shape_tensor(dims), convert_to_tensor(value)], name=name or "Fill")


def _shape_is_static(shape):
    if is_tensor_like(shape):
        return False
    return all(not is_tensor_like(s) for s in _as_list(shape))


def zeros(shape, dtype=dtypes.float32, name=None):
    """`tf.zeros(shape, dtype=tf.float32)`: a tensor of zeros; `shape` is a list, TensorShape or an
    int32 tensor, `dtype` a DType or its name."""
    dtype = dtypes.as_dtype(dtype)
    zero = b"" if dtype is dtypes.string else np.zeros((), dtype=dtype.np)
    if _shape_is_static(shape):
        from .constant import constant
        return constant(zero, dtype=dtype, shape=_as_list(shape), name=name or "zeros")
    return fill(shape, convert_to_tensor(zero, dtype=dtype), name=name or "zeros")


def ones(shape, dtype=dtypes.float32, name=None):
    """`tf.ones(shape, dtype=tf.float32)`: a tensor of ones; `shape` is a list, TensorShape or an
    int32 tensor, `dtype` a DType or its name."""
    dtype = dtypes.as_dtype(dtype)
    one = np.ones((), dtype=dtype.np)
    if _shape_is_static(shape):
        from .constant import constant
        return constant(one, dtype=dtype, shape=_as_list(shape), name=name or "ones")
    return fill(shape, convert_to_tensor(one, dtype=dtype), name=name or "ones")


def _as_list(shape):
    if isinstance(shape, TensorShape):
        return shape.as_list()
    if isinstance(shape, (int, np.integer)):
        return [int(shape)]
    return [int(s) if isinstance(s, (Dimension, np.integer)) else s for s in shape]


class _LikeOp(OpDef):
    shape_only = True
    fill_value = 0
    differentiable = False

    def infer(self, op):
        return [(op.attrs.get("dtype") or op.inputs[0].dtype, op.inputs[0].shape)]

    def kernel(self, op, ctx):
        dtype = op.outputs[0].dtype.np
        value = self.fill_value
        # Integer results of shape-only ops are kept on the host wherever the input is (placement's rule).
        xp = np if op.outputs[0].dtype.is_integer else ctx.xp
        return lambda x: xp.full(np.shape(x), value, dtype=dtype)


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


# --- shape queries -------------------------------------------------------------------------------
def _check_out_type(out_type):
    out_type = dtypes.as_dtype(out_type)
    if out_type not in _INT_DTYPES:
        raise TypeError("out_type must be int32 or int64, got %s" % out_type.name)
    return out_type


@register
class Shape(OpDef):
    """The input's dynamic shape as a vector."""

    shape_only = True

    differentiable = False

    def infer(self, op):
        rank = op.inputs[0].shape.ndims
        return [(op.attrs["out_type"], TensorShape([rank]))]

    def kernel(self, op, ctx):
        dtype = op.attrs["out_type"].np
        return lambda x: np.array(np.shape(x), dtype=dtype)


def shape(input, name=None, out_type=dtypes.int32):  # noqa: A002 - TF's argument name
    """`tf.shape(input)`: the dynamic shape of `input` as a 1-D int32 tensor."""
    return make_tensor("Shape", [convert_to_tensor(input)], {"out_type": _check_out_type(out_type)},
                       name=name or "Shape")


def shape_n(input, out_type=dtypes.int32, name=None):  # noqa: A002 - TF's argument name
    """`tf.shape_n(input)`: a list with the dynamic shape of each tensor in the list `input`."""
    return [shape(t, out_type=out_type, name=name or "ShapeN") for t in input]


@register
class Size(OpDef):
    """The number of elements of the input, as a scalar."""

    shape_only = True

    differentiable = False

    def infer(self, op):
        return [(op.attrs["out_type"], TensorShape([]))]

    def kernel(self, op, ctx):
        dtype = op.attrs["out_type"].np
        return lambda x: np.array(np.size(x), dtype=dtype)


def size(input, name=None, out_type=dtypes.int32):  # noqa: A002 - TF's argument name
    """`tf.size(input, out_type=tf.int32)`: the number of elements of `input` as a scalar."""
    return make_tensor("Size", [convert_to_tensor(input)], {"out_type": _check_out_type(out_type)},
                       name=name or "Size")


@register
class Rank(OpDef):
    """The number of dimensions of the input, as an int32 scalar."""

    shape_only = True

    differentiable = False

    def infer(self, op):
        return [(dtypes.int32, TensorShape([]))]

    def kernel(self, op, ctx):
        return lambda x: np.array(np.ndim(x), dtype=np.int32)


def rank(input, name=None):  # noqa: A002 - TF's argument name
    """`tf.rank(input)`: the number of dimensions of `input` as an int32 scalar (not `tf.linalg`'s
    matrix rank)."""
    return make_tensor("Rank", [convert_to_tensor(input)], name=name or "Rank")


# --- reshaping -----------------------------------------------------------------------------------
def _shape_element_of(tensor):
    """(x, i) when `tensor` is `tf.shape(x)[i]`, else None."""
    op = tensor.op
    if op.type != "StridedSlice" or op.inputs[0].op.type != "Shape":
        return None
    begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_axis_mask = _masks(op)
    begin = _static_int_list(op.inputs[1])
    source = op.inputs[0].op.inputs[0]
    if begin is None or len(begin) != 1 or shrink_axis_mask != 1 or ellipsis_mask or new_axis_mask \
            or source.shape.ndims is None or not -source.shape.ndims <= begin[0] < source.shape.ndims:
        return None
    return source, begin[0] % source.shape.ndims


def _product(values):
    total = 1
    for v in values:
        total *= v
    return total


@register
class Reshape(OpDef):
    """The input's values in a new shape (one dimension may be -1)."""

    may_alias_input = True

    def infer(self, op):
        x, target = op.inputs
        if target.shape.ndims not in (None, 1):
            raise ValueError("Shape must be rank 1 but is rank %d: the new shape must be a vector"
                             % target.shape.ndims)
        known = _static_partial(target)
        if known is None:
            return [(x.dtype, TensorShape(None))]
        if known.count(-1) > 1:
            raise ValueError("Only one dimension of a reshape may be -1, got %s" % known)
        if any(d is not None and d < -1 for d in known):
            raise ValueError("Reshape sizes must be non-negative or -1, got %s" % known)
        total = x.shape.num_elements()
        unknown = [i for i, d in enumerate(known) if d is None]
        rest = _product(d for d in known if d is not None and d != -1)
        if unknown:
            if -1 in known:
                inferred = self._pass_through(x, target, unknown, rest)
                known = [inferred if d == -1 else d for d in known]
        elif -1 in known:
            if total is not None:
                if rest == 0 or total % rest:
                    raise ValueError("Cannot reshape a tensor with %d elements to shape %s" % (total, known))
                known = [total // rest if d == -1 else d for d in known]
            else:
                known = [None if d == -1 else d for d in known]
        elif total is not None and total != rest:
            raise ValueError("Cannot reshape a tensor with %d elements to shape %s (%d elements)"
                             % (total, known, rest))
        return [(x.dtype, TensorShape(known))]

    @staticmethod
    def _pass_through(x, target, unknown, rest):
        """The -1 entry when each unknown entry is `tf.shape(x)[i]` for exactly x's unknown dims
        (`tf.reshape(x, [tf.shape(x)[0], -1])`), else None."""
        if target.op.type != "Pack" or x.shape.ndims is None:
            return None
        dims = x.shape.as_list()
        used = set()
        for i in unknown:
            source = _shape_element_of(target.op.inputs[i])
            if source is None or source[0] is not x or dims[source[1]] is not None or source[1] in used:
                return None
            used.add(source[1])
        if used != {i for i, d in enumerate(dims) if d is None}:
            return None
        known_product = _product(d for d in dims if d is not None)
        if rest == 0 or known_product % rest:
            raise ValueError("Cannot reshape a tensor with %d known elements per unknown dimension to "
                             "a shape with %d" % (known_product, rest))
        return known_product // rest

    host_inputs = (1,)    # the new shape

    def kernel(self, op, ctx):
        if ctx.xp is np:
            return lambda x, target: np.reshape(x, target)
        return lambda x, target: x.reshape(tuple(target.tolist()))

    def grad(self, op, dy):
        return [reshape(dy, shape(op.inputs[0])), None]


def reshape(tensor, shape, name=None):  # noqa: F811 - TF's argument name
    """`tf.reshape(tensor, shape)`: the same values in `shape`; one entry may be -1, inferred from the
    number of elements."""
    return make_tensor("Reshape", [convert_to_tensor(tensor), _shape_tensor(shape)], name=name or "Reshape")


@register
class BroadcastToShapeOf(OpDef):
    """x broadcast to the shape of `like` (the gradient of SumToShapeOf)."""

    def infer(self, op):
        return [(op.inputs[0].dtype, op.inputs[1].shape)]

    def kernel(self, op, ctx):
        return lambda x, like: np.broadcast_to(x, np.shape(like)).copy()

    def grad(self, op, dy):
        from .common import sum_to_shape_of
        return [sum_to_shape_of(dy, op.inputs[0]), None]


def broadcast_to_shape_of(x, like):
    return make_tensor("BroadcastToShapeOf", [x, like], name="BroadcastTo")


@register
class Transpose(OpDef):
    """The input with its dimensions permuted by `perm` (reversed when there is no perm input)."""

    may_alias_input = True

    def infer(self, op):
        x = op.inputs[0]
        rank = x.shape.ndims
        if len(op.inputs) == 1:
            return [(x.dtype, TensorShape(None if rank is None else x.shape.as_list()[::-1]))]
        perm = op.inputs[1]
        if perm.shape.ndims not in (None, 1):
            raise ValueError("Shape must be rank 1 but is rank %d: perm must be a vector" % perm.shape.ndims)
        known = _static_partial(perm)
        if known is None:
            return [(x.dtype, TensorShape(None if rank is None else [None] * rank))]
        if rank is not None and len(known) != rank:
            raise ValueError("Dimension must be %d but is %d: perm %s does not match the input's rank"
                             % (rank, len(known), known))
        if any(p is None for p in known):
            return [(x.dtype, TensorShape([None] * len(known)))]
        if sorted(known) != list(_pyrange(len(known))):
            raise ValueError("perm %s is not a permutation of [0, ..., %d]" % (known, len(known) - 1))
        dims = x.shape.as_list() if rank is not None else [None] * len(known)
        return [(x.dtype, TensorShape([dims[p] for p in known]))]

    host_inputs = (1,)    # perm

    def kernel(self, op, ctx):
        if len(op.inputs) == 1:
            return np.transpose
        if _is_const(op.inputs[1]):
            perm = tuple(_static_int_list(op.inputs[1]))
            return lambda x, p: np.transpose(x, perm)
        if ctx.xp is np:
            return lambda x, p: np.transpose(x, p)
        return lambda x, p: np.transpose(x, tuple(p.tolist()))

    def grad(self, op, dy):
        if len(op.inputs) == 1:
            return [transpose(dy)]
        perm = op.inputs[1]
        known = _static_int_list(perm)
        inverse = [int(i) for i in np.argsort(known)] if known is not None else invert_permutation(perm)
        return [transpose(dy, inverse), None]


def transpose(a, perm=None, name="transpose", conjugate=False):
    """`tf.transpose(a, perm=None)`: `a` with dimension i of the output being dimension perm[i] of the
    input; by default the dimensions are reversed (a matrix transpose for rank 2)."""
    a = convert_to_tensor(a)
    if perm is None:
        inputs = [a] if a.shape.ndims is None else \
            [a, _int_tensor(list(_pyrange(a.shape.ndims - 1, -1, -1)), "perm")]
    else:
        inputs = [a, _int_tensor(perm, "perm")]
    out = make_tensor("Transpose", inputs, name=name or "transpose")
    if conjugate and a.dtype.is_complex:
        from .special_math import conj
        out = conj(out)
    return out


def matrix_transpose(a, name="matrix_transpose", conjugate=False):
    """`tf.linalg.matrix_transpose(a)`: transposes the last two dimensions of `a` (rank >= 2)."""
    a = convert_to_tensor(a)
    rank_ = a.shape.ndims
    if rank_ is None:
        raise ValueError("matrix_transpose needs the rank of its argument to be known, got shape %s"
                         % format_shape(a.shape))
    if rank_ < 2:
        raise ValueError("Argument 'a' should be a (batch) matrix, with rank >= 2.  Found: %s"
                         % format_shape(a.shape))
    perm = list(_pyrange(rank_ - 2)) + [rank_ - 1, rank_ - 2]
    return transpose(a, perm, name=name, conjugate=conjugate)


@register
class InvertPermutation(OpDef):
    """y[x[i]] = i for a permutation vector x."""

    differentiable = False

    def infer(self, op):
        x = op.inputs[0]
        if x.dtype not in _INT_DTYPES:
            raise TypeError("invert_permutation expects int32 or int64, got %s" % x.dtype.name)
        if x.shape.ndims not in (None, 1):
            raise ValueError("Shape must be rank 1 but is rank %d" % x.shape.ndims)
        return [(x.dtype, x.shape if x.shape.ndims is not None else TensorShape([None]))]

    def kernel(self, op, ctx):
        xp = ctx.xp

        def invert(x):
            n = x.shape[0]
            if n and not np.array_equal(np.sort(x), xp.arange(n)):
                raise _invalid(op, "%s is not a permutation of [0, ..., %d]" % (x.tolist(), n - 1))
            out = np.empty_like(x)
            out[x] = xp.arange(n, dtype=x.dtype)
            return out
        return invert


def invert_permutation(x, name=None):
    """`tf.invert_permutation(x)`: the inverse of the permutation vector `x` (y[x[i]] = i)."""
    return make_tensor("InvertPermutation", [convert_to_tensor(x)], name=name or "InvertPermutation")


@register
class ExpandDims(OpDef):
    """The input with a dimension of size 1 inserted at `axis`."""

    may_alias_input = True

    def infer(self, op):
        x = op.inputs[0]
        axis = op.attrs["axis"]
        if x.shape.ndims is None:
            return [(x.dtype, TensorShape(None))]
        rank_ = x.shape.ndims
        if not -rank_ - 1 <= axis <= rank_:
            raise ValueError("Tried to expand dim index %d for tensor with %d dimensions." % (axis, rank_))
        dims = x.shape.as_list()
        position = axis if axis >= 0 else axis + rank_ + 1
        return [(x.dtype, TensorShape(dims[:position] + [1] + dims[position:]))]

    def kernel(self, op, ctx):
        axis = op.attrs["axis"]
        return lambda x: np.expand_dims(x, axis)

    def grad(self, op, dy):
        return [reshape(dy, shape(op.inputs[0]))]


def expand_dims(input, axis=None, name=None, dim=None):  # noqa: A002 - TF's argument name
    """`tf.expand_dims(input, axis)`: `input` with a size-1 dimension inserted at `axis` (negative
    counts from the end: -1 appends). `dim` is the deprecated name of `axis`."""
    if dim is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'axis' and 'dim'")
        axis = dim
    if axis is None:
        raise ValueError("Must specify an axis argument to tf.expand_dims()")
    return make_tensor("ExpandDims", [convert_to_tensor(input)], {"axis": _static_axis(axis)},
                       name=name or "ExpandDims")


@register
class Squeeze(OpDef):
    """The input without the size-1 dimensions listed in `squeeze_dims` (all of them if empty)."""

    may_alias_input = True

    def infer(self, op):
        x = op.inputs[0]
        axes = op.attrs["squeeze_dims"]
        if x.shape.ndims is None:
            return [(x.dtype, TensorShape(None))]
        dims = x.shape.as_list()
        rank_ = len(dims)
        if not axes:
            if any(d is None for d in dims):
                return [(x.dtype, TensorShape(None))]
            return [(x.dtype, TensorShape([d for d in dims if d != 1]))]
        drop = set()
        for axis in axes:
            if not -rank_ <= axis < rank_:
                raise ValueError("Tried to squeeze dim index %d for tensor with %d dimensions." % (axis, rank_))
            axis %= rank_
            if dims[axis] is not None and dims[axis] != 1:
                raise ValueError("Can not squeeze dim[%d], expected a dimension of 1, got %d"
                                 % (axis, dims[axis]))
            drop.add(axis)
        return [(x.dtype, TensorShape([d for i, d in enumerate(dims) if i not in drop]))]

    def kernel(self, op, ctx):
        axes = op.attrs["squeeze_dims"]
        if not axes:
            return np.squeeze
        return lambda x: np.squeeze(x, axis=axes)

    def grad(self, op, dy):
        return [reshape(dy, shape(op.inputs[0]))]


def squeeze(input, axis=None, name=None, squeeze_dims=None):  # noqa: A002 - TF's argument name
    """`tf.squeeze(input, axis=None)`: `input` without its size-1 dimensions, or only those in `axis`
    (an int or list). `squeeze_dims` is the deprecated name of `axis`."""
    if squeeze_dims is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'squeeze_dims' and 'axis'")
        axis = squeeze_dims
    if axis is None:
        axes = ()
    elif isinstance(axis, (list, tuple)):
        axes = tuple(_static_axis(a) for a in axis)
    else:
        axes = (_static_axis(axis),)
    return make_tensor("Squeeze", [convert_to_tensor(input)], {"squeeze_dims": axes}, name=name or "Squeeze")


# --- joining and splitting -----------------------------------------------------------------------
def _merge_shapes(shapes, what):
    """The merge of static shapes, with TF's message naming the two that disagree."""
    merged = TensorShape(None)
    for index, s in enumerate(shapes):
        if merged.ndims is not None and s.ndims is not None and merged.ndims != s.ndims:
            raise ValueError("Shapes must be equal rank, but are %d and %d; From merging shape %d with "
                             "other shapes in %s" % (merged.ndims, s.ndims, index, what))
        if not merged.is_compatible_with(s):
            for i, (a, b) in enumerate(zip(merged, s)):
                if not a.is_compatible_with(b):
                    raise ValueError("Dimension %d in both shapes must be equal, but are %s and %s. Shapes "
                                     "are %s and %s. From merging shape %d with other shapes in %s"
                                     % (i, a, b, format_shape(merged), format_shape(s), index, what))
        merged = merged.merge_with(s)
    return merged


@register
class ConcatV2(OpDef):
    """The inputs joined along `axis` (an attribute)."""

    def infer(self, op):
        values = op.inputs
        axis = op.attrs["axis"]
        rank_ = None
        for v in values:
            if v.dtype is not values[0].dtype:
                raise TypeError("Tensors in list passed to 'values' of 'ConcatV2' Op have types [%s] that "
                                "don't all match." % ", ".join(t.dtype.name for t in values))
            if v.shape.ndims is not None:
                if rank_ is None:
                    rank_ = v.shape.ndims
                elif v.shape.ndims != rank_:
                    raise ValueError("Shape must be rank %d but is rank %d: all inputs of concat must "
                                     "have the same rank" % (rank_, v.shape.ndims))
        if rank_ is None:
            return [(values[0].dtype, TensorShape(None))]
        if rank_ == 0:
            raise ValueError("Can't concatenate scalars (use tf.stack instead)")
        if not -rank_ <= axis < rank_:
            raise ValueError("Expected concatenating dimensions in the range [%d, %d), but got %d"
                             % (-rank_, rank_, axis))
        axis %= rank_
        known = [v.shape for v in values if v.shape.ndims is not None]
        rest = _merge_shapes([TensorShape(s.as_list()[:axis] + [None] + s.as_list()[axis + 1:]) for s in known],
                             "concat").as_list()
        total = 0
        for v in values:
            d = v.shape[axis].value if v.shape.ndims is not None else None
            total = None if d is None or total is None else total + d
        rest[axis] = total
        return [(values[0].dtype, TensorShape(rest))]

    def kernel(self, op, ctx):
        axis = op.attrs["axis"]
        return lambda *values: np.concatenate(values, axis=axis)

    def grad(self, op, dy):
        parts = make_op("ConcatGrad", [dy] + list(op.inputs), {"axis": op.attrs["axis"]}).outputs
        return list(parts)


@register
class ConcatGrad(OpDef):
    """The gradient of ConcatV2: dy split along `axis` into the sizes of the concatenated values."""

    may_alias_input = True

    def infer(self, op):
        dy = op.inputs[0]
        return [(dy.dtype, v.shape) for v in op.inputs[1:]]

    def kernel(self, op, ctx):
        axis = op.attrs["axis"]

        def split_like(dy, *values):
            a = axis % dy.ndim
            return tuple(np.split(dy, list(itertools.accumulate(v.shape[a] for v in values[:-1])), axis=a))
        return split_like

    def grad(self, op, *dys):
        return [concat(list(dys), op.attrs["axis"])] + [None] * (len(op.inputs) - 1)


def concat(values, axis, name="concat"):
    """`tf.concat(values, axis)`: the tensors in `values` joined along dimension `axis`; every other
    dimension must agree."""
    if not isinstance(values, (list, tuple)):
        values = [values]
    if not values:
        raise ValueError("concat needs at least one value")
    axis = _static_axis(axis)
    values = _same_dtype_tensors(values, "ConcatV2")
    if len(values) == 1:
        from .control import identity
        rank_ = values[0].shape.ndims
        if rank_ is not None and not -rank_ <= axis < max(rank_, 1):
            raise ValueError("Expected concatenating dimensions in the range [%d, %d), but got %d"
                             % (-rank_, rank_, axis))
        return identity(values[0], name=name)
    return make_tensor("ConcatV2", values, {"axis": axis}, name=name or "concat")


@register
class Pack(OpDef):
    """The inputs (all of one shape) stacked along a new dimension `axis`."""

    def infer(self, op):
        values = op.inputs
        for v in values:
            if v.dtype is not values[0].dtype:
                raise TypeError("Tensors in list passed to 'values' of 'Pack' Op have types [%s] that "
                                "don't all match." % ", ".join(t.dtype.name for t in values))
        merged = _merge_shapes([v.shape for v in values], "stack")
        if merged.ndims is None:
            return [(values[0].dtype, TensorShape(None))]
        axis = op.attrs["axis"]
        rank_ = merged.ndims + 1
        if not -rank_ <= axis < rank_:
            raise ValueError("axis = %d not in [%d, %d)" % (axis, -rank_, rank_))
        axis %= rank_
        dims = merged.as_list()
        return [(values[0].dtype, TensorShape(dims[:axis] + [len(values)] + dims[axis:]))]

    def kernel(self, op, ctx):
        axis = op.attrs["axis"]
        return lambda *values: np.stack(values, axis=axis)

    def grad(self, op, dy):
        return unstack(dy, num=len(op.inputs), axis=op.attrs["axis"])


def stack(values, axis=0, name="stack"):
    """`tf.stack(values, axis=0)`: the tensors in `values` (all of one shape) stacked along a new
    dimension `axis`, in [-(R+1), R+1)."""
    if isinstance(values, Tensor) or not isinstance(values, (list, tuple)):
        raise TypeError("stack expects a list of tensors, got %r" % (values,))
    if not values:
        raise ValueError("stack needs at least one value")
    axis = _static_axis(axis)
    values = _same_dtype_tensors(values, "Pack")
    return make_tensor("Pack", values, {"axis": axis}, name=name or "stack")


@register
class Unpack(OpDef):
    """The input split along `axis` into `num` tensors of one rank less."""

    may_alias_input = True

    def infer(self, op):
        x = op.inputs[0]
        num, axis = op.attrs["num"], op.attrs["axis"]
        if x.shape.ndims is None:
            return [(x.dtype, TensorShape(None))] * num
        dims = x.shape.as_list()
        if dims[axis] is not None and dims[axis] != num:
            raise ValueError("Dimension must be %d but is %d: cannot unstack %d values from shape %s"
                             % (num, dims[axis], num, format_shape(x.shape)))
        return [(x.dtype, TensorShape(dims[:axis] + dims[axis + 1:]))] * num

    def kernel(self, op, ctx):
        num, axis = op.attrs["num"], op.attrs["axis"]
        indices = [(_pyslice(None),) * axis + (i, Ellipsis) for i in _pyrange(num)]

        def unpack(x):
            if x.shape[axis] != num:
                raise _invalid(op, "Input shape axis %d must equal %d, got shape %s"
                               % (axis, num, list(x.shape)))
            return tuple(x[index] for index in indices)
        if num == 1:
            return lambda x: unpack(x)[0]
        return unpack

    def grad(self, op, *dys):
        return [stack(list(dys), axis=op.attrs["axis"])]


def unstack(value, num=None, axis=0, name="unstack"):
    """`tf.unstack(value, num=None, axis=0)`: the list of tensors along dimension `axis` of `value`;
    `num` defaults to that dimension's static size."""
    value = convert_to_tensor(value)
    axis = _static_axis(axis)
    rank_ = value.shape.ndims
    if rank_ is not None:
        if not -rank_ <= axis < rank_:
            raise ValueError("axis = %d not in [%d, %d)" % (axis, -rank_, rank_))
        axis %= rank_
    elif axis < 0:
        raise ValueError("Cannot unstack along a negative axis of a tensor of unknown rank")
    if num is None:
        if rank_ is None or value.shape[axis].value is None:
            raise ValueError("Cannot infer num from shape %s" % format_shape(value.shape))
        num = value.shape[axis].value
    if num == 0:
        return []
    return list(make_op("Unpack", [value], {"num": int(num), "axis": axis}, name=name or "unstack").outputs)


@register
class Split(OpDef):
    """The input cut along `axis` into `num` equal parts or into parts of the given `sizes` (one of
    them may be -1, the rest)."""

    may_alias_input = True

    def infer(self, op):
        x = op.inputs[0]
        axis, num, sizes = op.attrs["axis"], op.attrs["num"], op.attrs["sizes"]
        count = num if sizes is None else len(sizes)
        if x.shape.ndims is None:
            return [(x.dtype, TensorShape(None))] * count
        rank_ = x.shape.ndims
        if not -rank_ <= axis < rank_:
            raise ValueError("Split dimension %d is out of range [%d, %d)" % (axis, -rank_, rank_))
        axis %= rank_
        dims = x.shape.as_list()
        n = dims[axis]
        if sizes is None:
            if n is not None and n % num:
                raise ValueError("Dimension size must be evenly divisible by %d but is %d" % (num, n))
            parts = [None if n is None else n // num] * num
        else:
            if sizes.count(-1) > 1:
                raise ValueError("Only one size of split may be -1, got %s" % list(sizes))
            if any(s < -1 for s in sizes):
                raise ValueError("Split sizes must be non-negative or -1, got %s" % list(sizes))
            known = sum(s for s in sizes if s != -1)
            if n is not None and (known > n or (-1 not in sizes and known != n)):
                raise ValueError("Determined shape must either match input shape along split_dim exactly "
                                 "if fully specified, or be less than the size of the input along split_dim "
                                 "if not fully specified.  Got: %d and sizes %s" % (n, list(sizes)))
            parts = [(None if n is None else n - known) if s == -1 else s for s in sizes]
        return [(x.dtype, TensorShape(dims[:axis] + [p] + dims[axis + 1:])) for p in parts]

    def kernel(self, op, ctx):
        axis, num, sizes = op.attrs["axis"], op.attrs["num"], op.attrs["sizes"]

        def split_equal(x):
            if x.shape[axis] % num:
                raise _invalid(op, "Number of ways to split should evenly divide the split dimension, but "
                               "got split_dim %d (size = %d) and num_split %d" % (axis, x.shape[axis], num))
            return tuple(np.split(x, num, axis=axis))

        def split_sizes(x):
            n = x.shape[axis]
            known = sum(s for s in sizes if s != -1)
            if known > n or (-1 not in sizes and known != n):
                raise _invalid(op, "Determined shape must either match input shape along split_dim exactly "
                               "if fully specified, or be less than the size of the input along split_dim "
                               "if not fully specified.  Got: %d and sizes %s" % (n, list(sizes)))
            resolved = [n - known if s == -1 else s for s in sizes]
            return tuple(np.split(x, list(itertools.accumulate(resolved[:-1])), axis=axis))
        fn = split_equal if sizes is None else split_sizes
        if (num if sizes is None else len(sizes)) == 1:
            return lambda x: fn(x)[0]
        return fn

    def grad(self, op, *dys):
        return [concat(list(dys), op.attrs["axis"])]


def split(value, num_or_size_splits, axis=0, num=None, name="split"):
    """`tf.split(value, num_or_size_splits, axis=0)`: a list of tensors cut from `value` along `axis`:
    an int gives that many equal parts, a list gives parts of those sizes (one may be -1)."""
    value = convert_to_tensor(value)
    axis = _static_axis(axis)
    rank_ = value.shape.ndims
    if rank_ is not None:
        if not -rank_ <= axis < rank_:
            raise ValueError("Split dimension %d is out of range [%d, %d) for input of shape %s"
                             % (axis, -rank_, rank_, format_shape(value.shape)))
        axis %= rank_
    elif axis < 0:
        raise ValueError("Cannot split along a negative axis of a tensor of unknown rank")
    if is_tensor_like(num_or_size_splits):
        splits = _static_value(convert_to_tensor(num_or_size_splits))
        if splits is None or any(v is None for v in splits.reshape(-1)):
            raise ValueError("num_or_size_splits must be known when the graph is built, got %s"
                             % (num_or_size_splits,))
        num_or_size_splits = int(splits) if splits.ndim == 0 else [int(v) for v in splits]
    if isinstance(num_or_size_splits, (int, np.integer)) and not isinstance(num_or_size_splits, bool):
        count = int(num_or_size_splits)
        if count < 1:
            raise ValueError("num_or_size_splits must be >= 1, got %d" % count)
        attrs = {"axis": axis, "num": count, "sizes": None}
    else:
        sizes = tuple(int(s) for s in num_or_size_splits)
        if not sizes:
            raise ValueError("num_or_size_splits must not be empty")
        if num is not None and num != len(sizes):
            raise ValueError("num = %d does not match the %d sizes given" % (num, len(sizes)))
        attrs = {"axis": axis, "num": len(sizes), "sizes": sizes}
    return list(make_op("Split", [value], attrs, name=name or "split").outputs)


# --- tiling and broadcasting ---------------------------------------------------------------------
@register
class Tile(OpDef):
    """The input repeated `multiples[i]` times along each dimension i."""

    def infer(self, op):
        x, multiples = op.inputs
        if multiples.shape.ndims not in (None, 1):
            raise ValueError("Shape must be rank 1 but is rank %d: multiples must be a vector"
                             % multiples.shape.ndims)
        known = _static_partial(multiples)
        rank_ = x.shape.ndims
        if known is not None and rank_ is not None and len(known) != rank_:
            raise ValueError("Shape must be rank %d but is rank %d: multiples must have one entry per "
                             "dimension of the input (length %d for shape %s)"
                             % (rank_, len(known), rank_, format_shape(x.shape)))
        if known is None:
            return [(x.dtype, TensorShape(None if rank_ is None else [None] * rank_))]
        if any(m is not None and m < 0 for m in known):
            raise ValueError("Expected multiples to be non-negative, got %s" % known)
        dims = x.shape.as_list() if rank_ is not None else [None] * len(known)
        return [(x.dtype, TensorShape([None if d is None or m is None else d * m for d, m in zip(dims, known)]))]

    host_inputs = (1,)    # multiples

    def kernel(self, op, ctx):
        if ctx.xp is np:
            return lambda x, multiples: np.tile(x, multiples)
        return lambda x, multiples: np.tile(x, tuple(multiples.tolist()))

    def grad(self, op, dy):
        x, multiples = op.inputs
        return [make_tensor("TileGrad", [dy, multiples], {"shape": x.shape}), None]


@register
class TileGrad(OpDef):
    """The gradient of Tile: dy summed over the copies."""

    def infer(self, op):
        return [(op.inputs[0].dtype, op.attrs["shape"])]

    host_inputs = (1,)    # multiples

    def kernel(self, op, ctx):
        xp = ctx.xp

        def tile_grad(dy, multiples):
            split_shape = []
            for m, d in zip(multiples, dy.shape):
                split_shape += [int(m), d // int(m) if m else 0]
            return xp.asarray(np.reshape(dy, split_shape).sum(axis=tuple(_pyrange(0, 2 * dy.ndim, 2)),
                                                              dtype=dy.dtype))
        return tile_grad

    def grad(self, op, ddx):
        return [tile(ddx, op.inputs[1]), None]


def tile(input, multiples, name=None):  # noqa: A002 - TF's argument name
    """`tf.tile(input, multiples)`: `input` repeated multiples[i] times along dimension i; `multiples`
    has one entry per dimension."""
    return make_tensor("Tile", [convert_to_tensor(input), _int_tensor(multiples, "multiples")],
                       name=name or "Tile")


@register
class BroadcastTo(OpDef):
    """The input broadcast (NumPy rules) to the shape given as the second input."""

    def infer(self, op):
        x, target = op.inputs
        known = _static_partial(target)
        if known is None:
            return [(x.dtype, TensorShape(None))]
        if any(d is not None and d < 0 for d in known):
            raise ValueError("broadcast_to shape must be non-negative, got %s" % known)
        if x.shape.ndims is None:
            return [(x.dtype, TensorShape(known))]
        dims = x.shape.as_list()
        if len(dims) > len(known):
            raise ValueError("Unable to broadcast tensor of shape %s to tensor of shape %s: the target has "
                             "lower rank" % (format_shape(x.shape), known))
        dims = [1] * (len(known) - len(dims)) + dims
        out = []
        for d, t in zip(dims, known):
            if t is None:
                out.append(d if d is not None and d != 1 else None)
            elif d is not None and d != 1 and d != t:
                raise ValueError("Unable to broadcast tensor of shape %s to tensor of shape %s"
                                 % (format_shape(x.shape), format_shape(TensorShape(known))))
            else:
                out.append(t)
        return [(x.dtype, TensorShape(out))]

    host_inputs = (1,)    # the target shape

    def kernel(self, op, ctx):
        return lambda x, target: np.broadcast_to(x, tuple(target)).copy()

    def grad(self, op, dy):
        from .common import sum_to_shape_of
        return [sum_to_shape_of(dy, op.inputs[0]), None]


def broadcast_to(input, shape, name=None):  # noqa: A002 - TF's argument name
    """`tf.broadcast_to(input, shape)`: `input` broadcast to `shape` with NumPy's rules (dimensions
    of size 1 are repeated, missing leading dimensions added)."""
    return make_tensor("BroadcastTo", [convert_to_tensor(input), _shape_tensor(shape)],
                       name=name or "BroadcastTo")


# --- gathering -----------------------------------------------------------------------------------
def _check_indices_dtype(indices, op_name):
    if indices.dtype not in _INT_DTYPES:
        raise TypeError("Value passed to parameter 'indices' of '%s' Op has DataType %s not in list of "
                        "allowed values: int32, int64" % (op_name, indices.dtype.name))


@register
class GatherV2(OpDef):
    """Slices of `params` along `axis` at `indices`: params[:axis] + indices.shape + params[axis+1:]."""

    def infer(self, op):
        params, indices = op.inputs
        _check_indices_dtype(indices, "GatherV2")
        axis = op.attrs["axis"]
        if params.shape.ndims is None or indices.shape.ndims is None:
            return [(params.dtype, TensorShape(None))]
        dims = params.shape.as_list()
        if not -len(dims) <= axis < len(dims):
            raise ValueError("Shape must be at least rank %d but is rank %d: axis %d is out of range for "
                             "params of shape %s" % ((axis + 1 if axis >= 0 else -axis), len(dims), axis,
                                                     format_shape(params.shape)))
        axis %= len(dims)
        return [(params.dtype, TensorShape(dims[:axis] + indices.shape.as_list() + dims[axis + 1:]))]

    def kernel(self, op, ctx):
        axis, xp = op.attrs["axis"], ctx.xp

        def gather_(params, indices):
            n = params.shape[axis]
            if indices.size:
                bad = (indices < 0) | (indices >= n)
                if bad.any():
                    position = np.unravel_index(int(np.argmax(bad)), indices.shape)
                    raise _invalid(op, "indices[%s] = %d is not in [0, %d)"
                                   % (",".join(str(p) for p in position), int(indices[position]), n))
            out = np.take(params, indices, axis=axis)
            return out if type(out) is np.ndarray else xp.asarray(out, dtype=params.dtype)
        return gather_

    def grad(self, op, dy):
        params, indices = op.inputs
        if op.attrs["axis"] == 0:
            return [_gathered_rows_gradient(params, indices, dy), None]
        return [make_tensor("GatherGrad", [dy, indices, shape(params)], {"axis": op.attrs["axis"]}), None]


def _gathered_rows_gradient(params, indices, dy):
    """The gradient of gathering rows of `params`: an IndexedSlices holding dy's slices (one per index,
    flattened) at those rows, rather than a dense tensor the size of `params` that is mostly zeros."""
    from ..framework.indexed_slices import IndexedSlices
    count = indices.shape.num_elements() if indices.shape.is_fully_defined() else size(indices)
    params_shape = shape(params)
    row_shape = params.shape[1:] if params.shape.ndims is not None else None
    if row_shape is not None and row_shape.is_fully_defined() and isinstance(count, int):
        values_shape = [count] + row_shape.as_list()
    else:
        values_shape = concat([reshape(count, [1]), params_shape[1:]], 0)
    return IndexedSlices(reshape(dy, values_shape), reshape(indices, [-1]), params_shape)


@register
class GatherGrad(OpDef):
    """The gradient of GatherV2: dy added at `indices` along `axis` into zeros of the params' shape."""

    def infer(self, op):
        dy, indices, like = op.inputs
        known = _static_partial(like)
        return [(dy.dtype, TensorShape(known))]

    host_inputs = (2,)    # the params' shape

    def kernel(self, op, ctx):
        axis, xp = op.attrs["axis"], ctx.xp

        def scatter_add(dy, indices, params_shape):
            out = xp.zeros(tuple(params_shape), dtype=dy.dtype)
            backend.scatter_add(out, (_pyslice(None),) * (axis % out.ndim) + (indices,), dy)
            return out
        return scatter_add

    def grad(self, op, ddx):
        return [gather(ddx, op.inputs[1], axis=op.attrs["axis"]), None, None]


def gather(params, indices, validate_indices=None, name=None, axis=None, batch_dims=0):
    """`tf.gather(params, indices, axis=0)`: the slices of `params` along `axis` at `indices`; the
    result has shape params.shape[:axis] + indices.shape + params.shape[axis+1:]. An index outside
    [0, params.shape[axis]) is an InvalidArgumentError when run."""
    if batch_dims != 0:
        raise NotImplementedError("numflow's gather supports batch_dims=0 only, got %r" % (batch_dims,))
    params = convert_to_tensor(params)
    indices = _int_tensor(indices, "indices")
    axis = 0 if axis is None else _static_axis(axis)
    if axis < 0 and params.shape.ndims is None:
        raise ValueError("gather along a negative axis needs params of known rank")
    return make_tensor("GatherV2", [params, indices], {"axis": axis}, name=name or "GatherV2")


@register
class GatherNd(OpDef):
    """params indexed by the vectors along the last dimension of `indices`."""

    def infer(self, op):
        params, indices = op.inputs
        _check_indices_dtype(indices, "GatherNd")
        if indices.shape.ndims == 0:
            raise ValueError("Shape must be at least rank 1 but is rank 0: indices must be at least a vector, got a "
                             "scalar")
        if params.shape.ndims is None or indices.shape.ndims is None or indices.shape[-1].value is None:
            return [(params.dtype, TensorShape(None))]
        depth = indices.shape[-1].value
        if depth > params.shape.ndims:
            raise ValueError("indices.shape[-1] must be <= params.rank, but saw indices shape: %s and params "
                             "shape: %s" % (format_shape(indices.shape), format_shape(params.shape)))
        return [(params.dtype, TensorShape(indices.shape.as_list()[:-1] + params.shape.as_list()[depth:]))]

    def kernel(self, op, ctx):
        xp = ctx.xp

        def gather_nd_(params, indices):
            if params.ndim == 0:
                raise _invalid(op, "params must be at least a vector")
            depth = indices.shape[-1]
            if depth == 0:  # empty index vectors select all of params, once per index vector
                return xp.broadcast_to(params, indices.shape[:-1] + params.shape).copy()
            bound = xp.asarray(params.shape[:depth])
            if indices.size and ((indices < 0) | (indices >= bound)).any():
                bad = np.argwhere(((indices < 0) | (indices >= bound)).any(axis=-1))[0].tolist()
                raise _invalid(op, "indices[%s] = %s does not index into param shape %s"
                               % (",".join(str(b) for b in bad), indices[tuple(bad)].tolist(),
                                  list(params.shape)))
            out = params[tuple(np.moveaxis(indices, -1, 0))]
            return out if type(out) is np.ndarray else xp.asarray(out, dtype=params.dtype)
        return gather_nd_

    def grad(self, op, dy):
        params, indices = op.inputs
        return [make_tensor("GatherNdGrad", [dy, indices, shape(params)]), None]


@register
class GatherNdGrad(OpDef):
    """The gradient of GatherNd: dy added at the gathered positions into zeros of the params' shape."""

    def infer(self, op):
        dy, indices, like = op.inputs
        return [(dy.dtype, TensorShape(_static_partial(like)))]

    host_inputs = (2,)    # the params' shape

    def kernel(self, op, ctx):
        xp = ctx.xp

        def scatter_nd_add(dy, indices, params_shape):
            if indices.shape[-1] == 0:  # every index vector selected all of params
                copies = int(np.prod(indices.shape[:-1]))
                return dy.reshape((copies,) + tuple(params_shape)).sum(axis=0, dtype=dy.dtype)
            out = xp.zeros(tuple(params_shape), dtype=dy.dtype)
            backend.scatter_add(out, tuple(np.moveaxis(indices, -1, 0)), dy)
            return out
        return scatter_nd_add

    def grad(self, op, ddx):
        return [gather_nd(ddx, op.inputs[1]), None, None]


def gather_nd(params, indices, name=None, batch_dims=0):
    """`tf.gather_nd(params, indices)`: slices of `params` at the index vectors in the last dimension
    of `indices`; the result has shape indices.shape[:-1] + params.shape[indices.shape[-1]:]."""
    if batch_dims != 0:
        raise NotImplementedError("numflow's gather_nd supports batch_dims=0 only, got %r" % (batch_dims,))
    return make_tensor("GatherNd", [convert_to_tensor(params), _int_tensor(indices, "indices")],
                       name=name or "GatherNd")


# --- slicing -------------------------------------------------------------------------------------
@register
class Slice(OpDef):
    """input[begin[i] : begin[i] + size[i]] in every dimension (size -1: to the end)."""

    may_alias_input = True

    def infer(self, op):
        x, begin, size_ = op.inputs
        for name_, t in (("begin", begin), ("size", size_)):
            if t.shape.ndims not in (None, 1):
                raise ValueError("Shape must be rank 1 but is rank %d: %s must be a vector" % (t.shape.ndims, name_))
        b, s = _static_partial(begin), _static_partial(size_)
        rank_ = x.shape.ndims
        n = rank_ if rank_ is not None else (len(b) if b is not None else (len(s) if s is not None else None))
        if n is None:
            return [(x.dtype, TensorShape(None))]
        for name_, v in (("begin", b), ("size", s)):
            if v is not None and len(v) != n:
                raise ValueError("Length of %s (%d) must match the rank of the input (%d): shape %s"
                                 % (name_, len(v), n, format_shape(x.shape)))
        b = b or [None] * n
        s = s or [None] * n
        dims = x.shape.as_list() if rank_ is not None else [None] * n
        out = []
        for i, (d, bi, si) in enumerate(zip(dims, b, s)):
            if bi is not None and (bi < 0 or (d is not None and bi > d)):
                raise ValueError("Expected begin[%d] in [0, %s], but got %d" % (i, "?" if d is None else d, bi))
            if si is not None and si < -1:
                raise ValueError("Expected size[%d] in [-1, ...], but got %d" % (i, si))
            if si is not None and si != -1:
                if d is not None and bi is not None and bi + si > d:
                    raise ValueError("Expected size[%d] in [0, %d], but got %d" % (i, d - bi, si))
                out.append(si)
            elif si == -1 and d is not None and bi is not None:
                out.append(d - bi)
            else:
                out.append(None)
        return [(x.dtype, TensorShape(out))]

    host_inputs = (1, 2)    # begin, size

    def kernel(self, op, ctx):
        x, begin, size_ = op.inputs

        def index_of(b, s, dims):
            index = []
            for i, (bi, si, d) in enumerate(zip(b, s, dims)):
                bi, si = int(bi), int(si)
                end = d if si == -1 else bi + si
                if bi < 0 or bi > d or end > d or end < bi:
                    raise _invalid(op, "Expected begin[%d] in [0, %d] and size[%d] in [0, %d], but got %d and %d"
                                   % (i, d, i, d - max(bi, 0), bi, si))
                index.append(_pyslice(bi, end))
            return tuple(index) + (Ellipsis,)

        if _is_const(begin) and _is_const(size_) and x.shape.is_fully_defined():
            fixed = index_of(_static_int_list(begin), _static_int_list(size_), x.shape.as_list())
            return lambda x, b, s: x[fixed]

        def slice_(x, b, s):
            if len(b) != x.ndim or len(s) != x.ndim:
                raise _invalid(op, "Expected begin and size arguments to be 1-D tensors of size %d, but got "
                               "shapes %s and %s instead." % (x.ndim, list(b.shape), list(s.shape)))
            return x[index_of(b, s, x.shape)]
        return slice_

    def grad(self, op, dy):
        x, begin, size_ = op.inputs
        return [make_tensor("SliceGrad", [dy, begin, shape(x)]), None, None]


@register
class SliceGrad(OpDef):
    """The gradient of Slice: dy placed at `begin` in zeros of the input's shape."""

    def infer(self, op):
        dy, begin, like = op.inputs
        return [(dy.dtype, TensorShape(_static_partial(like)))]

    host_inputs = (1, 2)    # begin, the input's shape

    def kernel(self, op, ctx):
        xp = ctx.xp

        def place(dy, begin, like):
            out = xp.zeros(tuple(like), dtype=dy.dtype)
            out[tuple(_pyslice(int(b), int(b) + n) for b, n in zip(begin, dy.shape))] = dy
            return out
        return place

    def grad(self, op, ddx):
        dy, begin, like = op.inputs
        return [slice(ddx, begin, shape(dy)), None, None]


def slice(input_, begin, size, name=None):  # noqa: A001 - TF's name
    """`tf.slice(input_, begin, size)`: the part of `input_` starting at `begin` with extent `size` in
    each dimension; a size of -1 takes everything to the end of that dimension."""
    return make_tensor("Slice", [convert_to_tensor(input_), _int_tensor(begin, "begin"),
                                 _int_tensor(size, "size")], name=name or "Slice")


_MASK_NAMES = ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")


def _masks(op):
    return tuple(op.attrs[name] for name in _MASK_NAMES)


def _strided_slice_shape(x_shape, begin, end, strides, masks):
    """The static shape of a strided slice from partially known begin/end/strides (None: unknown)."""
    begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_axis_mask = masks
    count = len(begin)
    if bin(ellipsis_mask).count("1") > 1:
        raise ValueError("Multiple ellipses in slice spec not allowed")
    for i in _pyrange(count):
        bit = 1 << i
        if not (ellipsis_mask & bit or new_axis_mask & bit) and strides[i] == 0:
            raise ValueError("strides[%d] must be non-zero" % i)
    if x_shape.ndims is None:
        return TensorShape(None)
    dims = x_shape.as_list()
    rank_ = len(dims)
    consuming = sum(1 for i in _pyrange(count) if not (ellipsis_mask & (1 << i) or new_axis_mask & (1 << i)))
    if consuming > rank_:
        raise ValueError("Index out of range using input dim %d; input has only %d dims" % (consuming - 1, rank_))
    out = []
    d = 0
    for i in _pyrange(count):
        bit = 1 << i
        if ellipsis_mask & bit:
            take = rank_ - consuming
            out.extend(dims[d:d + take])
            d += take
        elif new_axis_mask & bit:
            out.append(1)
        elif shrink_axis_mask & bit:
            n, b = dims[d], begin[i]
            if n is not None and b is not None and not -n <= b < n:
                raise ValueError("slice index %d of dimension %d out of bounds." % (b, d))
            d += 1
        else:
            n, s = dims[d], strides[i]
            b = 0 if begin_mask & bit else begin[i]
            e = 0 if end_mask & bit else end[i]
            if n is None or s is None or b is None or e is None:
                out.append(None)
            else:
                out.append(len(_pyrange(*_pyslice(None if begin_mask & bit else b,
                                                  None if end_mask & bit else e, s).indices(n))))
            d += 1
    out.extend(dims[d:])
    return TensorShape(out)


@register
class StridedSlice(OpDef):
    """input[begin:end:strides] in each dimension with TF's masks for omitted bounds, `...`, new axes
    and dimensions indexed by a single integer."""

    may_alias_input = True

    def infer(self, op):
        x, begin, end, strides = op.inputs
        for t in (begin, end, strides):
            if t.shape.ndims not in (None, 1):
                raise ValueError("Shape must be rank 1 but is rank %d: begin, end and strides must be vectors"
                                 % t.shape.ndims)
        parts = [_static_partial(t) for t in (begin, end, strides)]
        lengths = {len(p) for p in parts if p is not None}
        if len(lengths) > 1:
            raise ValueError("Expected begin, end, and strides to be 1D equal size tensors, but got shapes %s"
                             % ", ".join(format_shape(t.shape) for t in (begin, end, strides)))
        if not lengths:
            return [(x.dtype, TensorShape(None))]
        count = lengths.pop()
        parts = [p if p is not None else [None] * count for p in parts]
        return [(x.dtype, _strided_slice_shape(x.shape, parts[0], parts[1], parts[2], _masks(op)))]

    host_inputs = (1, 2, 3)    # begin, end, strides

    def kernel(self, op, ctx):
        masks = _masks(op)
        x, begin, end, strides = op.inputs

        def take(x, index):
            try:
                return x[index]
            except IndexError as exc:
                raise _invalid(op, "slice index out of bounds: %s (input shape %s)" % (exc, list(x.shape))) \
                    from None

        if all(_is_const(t) for t in (begin, end, strides)):
            fixed = _strided_index(_static_int_list(begin), _static_int_list(end), _static_int_list(strides),
                                   masks)
            return lambda x, b, e, s: take(x, fixed)

        def strided_slice_(x, b, e, s):
            try:
                index = _strided_index(b, e, s, masks)
            except ValueError as exc:
                raise _invalid(op, str(exc)) from None
            return take(x, index)
        return strided_slice_

    def grad(self, op, dy):
        x, begin, end, strides = op.inputs
        return [make_tensor("StridedSliceGrad", [dy, shape(x), begin, end, strides], dict(op.attrs)),
                None, None, None]


@register
class StridedSliceGrad(OpDef):
    """The gradient of StridedSlice: dy placed where the slice came from, in zeros of the input's shape."""

    def infer(self, op):
        return [(op.inputs[0].dtype, TensorShape(_static_partial(op.inputs[1])))]

    host_inputs = (1, 2, 3, 4)    # the input's shape, begin, end, strides

    def kernel(self, op, ctx):
        masks, xp = _masks(op), ctx.xp

        def place(dy, like, b, e, s):
            out = xp.zeros(tuple(like), dtype=dy.dtype)
            out[_strided_index(b, e, s, masks)] = dy
            return out
        return place

    def grad(self, op, ddx):
        dy, like, begin, end, strides = op.inputs
        return [make_tensor("StridedSlice", [ddx, begin, end, strides], dict(op.attrs)), None, None, None, None]


def strided_slice(input_, begin, end, strides=None, begin_mask=0, end_mask=0, ellipsis_mask=0,
                  new_axis_mask=0, shrink_axis_mask=0, var=None, name=None):
    """`tf.strided_slice(input_, begin, end, strides=None, ...)`: input_[begin:end:strides], one entry
    per index; bit i of begin_mask/end_mask ignores begin[i]/end[i] (the full range), of ellipsis_mask
    makes entry i `...`, of new_axis_mask inserts a size-1 dimension, of shrink_axis_mask takes the
    single index begin[i] and drops that dimension."""
    begin = _int_tensor(begin, "begin")
    end = _int_tensor(end, "end")
    if strides is None:
        known = _static_value(begin)
        strides = convert_to_tensor(np.ones(known.shape, begin.dtype.np)) if known is not None else ones_like(begin)
    strides = _int_tensor(strides, "strides")
    attrs = {"begin_mask": int(begin_mask), "end_mask": int(end_mask), "ellipsis_mask": int(ellipsis_mask),
             "new_axis_mask": int(new_axis_mask), "shrink_axis_mask": int(shrink_axis_mask)}
    return make_tensor("StridedSlice", [convert_to_tensor(input_), begin, end, strides], attrs,
                       name=name or "StridedSlice")


_INDEX_ERROR = ("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar tf.int32/"
                "tf.int64 tensors are valid indices, got %r")


def _index_part(value):
    """One bound of an index: a Python int or a scalar integer tensor."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(_INDEX_ERROR % (value,))
    if isinstance(value, (int, np.integer)):
        return int(value)
    if is_tensor_like(value):
        tensor = convert_to_tensor(value)
        if tensor.dtype not in _INT_DTYPES or tensor.shape.ndims not in (None, 0):
            raise TypeError(_INDEX_ERROR % (tensor,))
        return tensor
    raise TypeError(_INDEX_ERROR % (value,))


def _index_vector(parts, name):
    if not any(isinstance(p, Tensor) for p in parts):
        return convert_to_tensor(np.array(parts, dtype=np.int32 if all(
            np.iinfo(np.int32).min <= p <= np.iinfo(np.int32).max for p in parts) else np.int64), name=name)
    wide = any(isinstance(p, Tensor) and p.dtype is dtypes.int64 for p in parts)
    dtype = dtypes.int64 if wide else dtypes.int32
    converted = []
    for p in parts:
        if isinstance(p, Tensor):
            if p.dtype is not dtype:
                from .math import cast
                p = cast(p, dtype)
            converted.append(p)
        else:
            converted.append(convert_to_tensor(np.array(p, dtype=dtype.np)))
    return stack(converted, name=name)


def _slice_helper(tensor, slice_spec, var=None):
    """`tensor[slice_spec]`: NumPy basic indexing (ints, slices with steps, `...`, tf.newaxis, scalar
    integer tensors) as one strided_slice."""
    if not isinstance(slice_spec, tuple):
        slice_spec = (slice_spec,)
    begin, end, strides = [], [], []
    masks = dict.fromkeys(_MASK_NAMES, 0)
    for index, spec in enumerate(slice_spec):
        bit = 1 << index
        if isinstance(spec, _pyslice):
            if spec.start is None:
                masks["begin_mask"] |= bit
                begin.append(0)
            else:
                begin.append(_index_part(spec.start))
            if spec.stop is None:
                masks["end_mask"] |= bit
                end.append(0)
            else:
                end.append(_index_part(spec.stop))
            strides.append(1 if spec.step is None else _index_part(spec.step))
        elif spec is Ellipsis:
            masks["ellipsis_mask"] |= bit
            begin.append(0)
            end.append(0)
            strides.append(1)
        elif spec is None:
            masks["new_axis_mask"] |= bit
            begin.append(0)
            end.append(0)
            strides.append(1)
        else:
            part = _index_part(spec)
            masks["shrink_axis_mask"] |= bit
            begin.append(part)
            end.append(part + 1 if isinstance(part, int) else 0)
            strides.append(1)
    tensor = convert_to_tensor(tensor)
    name = "strided_slice"
    return strided_slice(tensor, _index_vector(begin, "stack"), _index_vector(end, "stack"),
                         _index_vector(strides, "stack"), var=var, name=name, **masks)


Tensor._override_operator("__getitem__", _slice_helper)


# --- padding -------------------------------------------------------------------------------------
def _pad_shape(op, x, paddings, mode):
    """The static output shape of a pad, checking `paddings` against the input where known."""
    if paddings.shape.ndims not in (None, 2) or (paddings.shape.ndims == 2 and
                                                 paddings.shape[1].value not in (None, 2)):
        raise ValueError("paddings must be a matrix with 2 columns, got shape %s" % format_shape(paddings.shape))
    rank_ = x.shape.ndims
    if rank_ is not None and paddings.shape.ndims == 2 and paddings.shape[0].value not in (None, rank_):
        raise ValueError("The first dimension of paddings must be the rank of inputs[%d,2], got paddings "
                         "of shape %s for an input of shape %s" % (rank_, format_shape(paddings.shape),
                                                                   format_shape(x.shape)))
    known = _static_value(paddings)
    if known is None or known.ndim != 2:
        n = rank_ if rank_ is not None else (paddings.shape[0].value if paddings.shape.ndims == 2 else None)
        return TensorShape(None if n is None else [None] * n)
    dims = x.shape.as_list() if rank_ is not None else [None] * known.shape[0]
    out = []
    for i, (d, (before, after)) in enumerate(zip(dims, known)):
        for p in (before, after):
            if p is not None and p < 0:
                raise ValueError("Paddings must be non-negative, got %s" % known.tolist())
            if p is not None and d is not None:
                if mode == "REFLECT" and p >= d:
                    raise ValueError("paddings must be less than the dimension size: %d, %d not less than %d"
                                     % (before, after, d))
                if mode == "SYMMETRIC" and p > d:
                    raise ValueError("paddings must be no greater than the dimension size: %d, %d greater "
                                     "than %d" % (before, after, d))
        out.append(None if d is None or before is None or after is None else d + before + after)
    return TensorShape(out)


@register
class PadV2(OpDef):
    """The input with paddings[i] = [before, after] elements of `constant_values` added around
    dimension i."""

    def infer(self, op):
        x, paddings, value = op.inputs
        if value.shape.ndims not in (None, 0):
            raise ValueError("constant_values must be a scalar, got shape %s" % format_shape(value.shape))
        return [(x.dtype, _pad_shape(op, x, paddings, "CONSTANT"))]

    host_inputs = (1, 2)    # paddings; the fill value, a scalar NumPy's pad takes on either device

    def kernel(self, op, ctx):
        if ctx.xp is np:
            return lambda x, paddings, value: np.pad(x, paddings, mode="constant", constant_values=value)
        return lambda x, paddings, value: np.pad(x, paddings.tolist(), mode="constant", constant_values=value[()])

    def grad(self, op, dy):
        x, paddings, value = op.inputs
        begin = strided_slice(paddings, [0, 0], [0, 1], [1, 1], begin_mask=1, end_mask=1, shrink_axis_mask=2)
        return [slice(dy, begin, shape(x)), None, None]


@register
class MirrorPad(OpDef):
    """The input padded with its own reflection: REFLECT leaves out the edge, SYMMETRIC repeats it."""

    def infer(self, op):
        x, paddings = op.inputs
        return [(x.dtype, _pad_shape(op, x, paddings, op.attrs["mode"]))]

    host_inputs = (1,)    # paddings

    def kernel(self, op, ctx):
        mode = op.attrs["mode"]
        numpy_mode = mode.lower()
        limit = 0 if mode == "REFLECT" else 1

        def mirror_pad(x, paddings):
            for i, (d, (before, after)) in enumerate(zip(x.shape, paddings)):
                if max(before, after) > d - 1 + limit or min(before, after) < 0:
                    raise _invalid(op, "paddings must be in [0, %d] for dimension %d of size %d in %s mode, "
                                   "got %d, %d" % (d - 1 + limit, i, d, mode, before, after))
            return np.pad(x, paddings.tolist(), mode=numpy_mode)
        return mirror_pad

    def grad(self, op, dy):
        return [make_tensor("MirrorPadGrad", [dy, op.inputs[1]], {"mode": op.attrs["mode"]}), None]


@register
class MirrorPadGrad(OpDef):
    """The gradient of MirrorPad: each reflected element's gradient folded back onto its source."""

    def infer(self, op):
        dy, paddings = op.inputs
        known = _static_value(paddings)
        if dy.shape.ndims is None or known is None or known.ndim != 2:
            return [(dy.dtype, TensorShape(None if dy.shape.ndims is None else [None] * dy.shape.ndims))]
        return [(dy.dtype, TensorShape([None if d is None or a is None or b is None else d - a - b
                                        for d, (a, b) in zip(dy.shape.as_list(), known)]))]

    host_inputs = (1,)    # paddings

    def kernel(self, op, ctx):
        offset = 1 if op.attrs["mode"] == "REFLECT" else 0

        def fold(dy, paddings):
            g = dy
            for axis, (before, after) in enumerate(paddings):
                before, after = int(before), int(after)
                if not before and not after:
                    continue
                lead = (_pyslice(None),) * axis
                total = g.shape[axis]
                n = total - before - after
                core = g[lead + (_pyslice(before, before + n),)].copy()
                if before:
                    core[lead + (_pyslice(offset, offset + before),)] += np.flip(
                        g[lead + (_pyslice(0, before),)], axis)
                if after:
                    core[lead + (_pyslice(n - offset - after, n - offset),)] += np.flip(
                        g[lead + (_pyslice(total - after, total),)], axis)
                g = core
            return g if g is not dy else dy.copy()
        return fold

    def grad(self, op, ddx):
        return [make_tensor("MirrorPad", [ddx, op.inputs[1]], {"mode": op.attrs["mode"]}), None]


def pad(tensor, paddings, mode="CONSTANT", name=None, constant_values=0):  # noqa: A002
    """`tf.pad(tensor, paddings, mode='CONSTANT', constant_values=0)`: `tensor` with paddings[i] =
    [before, after] elements added around dimension i. CONSTANT fills with `constant_values`, REFLECT
    mirrors without repeating the edge (paddings < size), SYMMETRIC mirrors with it (paddings <= size).
    The mode is case-insensitive."""
    tensor = convert_to_tensor(tensor)
    paddings = _int_tensor(paddings, "paddings")
    mode_ = str(mode).upper()
    if mode_ == "CONSTANT":
        value = convert_to_tensor(constant_values, dtype=None if is_tensor_like(constant_values) else tensor.dtype)
        if value.dtype is not tensor.dtype:
            raise TypeError("constant_values has dtype %s, the padded tensor %s" % (value.dtype.name,
                                                                                     tensor.dtype.name))
        return make_tensor("PadV2", [tensor, paddings, value], name=name or "Pad")
    if mode_ in ("REFLECT", "SYMMETRIC"):
        return make_tensor("MirrorPad", [tensor, paddings], {"mode": mode_}, name=name or "MirrorPad")
    raise ValueError("Unknown padding mode: %s" % (mode,))


# --- masking and reversing -----------------------------------------------------------------------
@register
class BooleanMask(OpDef):
    """The elements (or slices) of the input where the boolean mask, laid over dimensions
    [axis, axis + mask rank), is True, flattened into one dimension."""

    def infer(self, op):
        x, mask = op.inputs
        axis = op.attrs["axis"]
        if mask.dtype is not dtypes.bool:
            raise TypeError("mask must be a bool tensor, got %s" % mask.dtype.name)
        k = mask.shape.ndims
        if x.shape.ndims is None:
            return [(x.dtype, TensorShape(None))]
        dims = x.shape.as_list()
        if axis + k > len(dims):
            raise ValueError("Shapes %s and %s are incompatible: the mask has more dimensions than the tensor "
                             "from axis %d" % (format_shape(x.shape), format_shape(mask.shape), axis))
        if not TensorShape(dims[axis:axis + k]).is_compatible_with(mask.shape):
            raise ValueError("Shapes %s and %s are incompatible" % (format_shape(TensorShape(dims[axis:axis + k])),
                                                                    format_shape(mask.shape)))
        count = None
        if mask.op.type == "Const":
            count = int(np.count_nonzero(mask.op.attrs["value"]))
        return [(x.dtype, TensorShape(dims[:axis] + [count] + dims[axis + k:]))]

    def kernel(self, op, ctx):
        lead = (_pyslice(None),) * op.attrs["axis"]

        def boolean_mask_(x, mask):
            if x.shape[len(lead):len(lead) + mask.ndim] != mask.shape:
                raise _invalid(op, "mask of shape %s does not match dimensions %d to %d of the tensor's "
                               "shape %s" % (list(mask.shape), len(lead), len(lead) + mask.ndim - 1,
                                             list(x.shape)))
            return x[lead + (mask,)]
        return boolean_mask_

    def grad(self, op, dy):
        x, mask = op.inputs
        return [make_tensor("BooleanMaskGrad", [dy, mask, shape(x)], {"axis": op.attrs["axis"]}), None]


@register
class BooleanMaskGrad(OpDef):
    """The gradient of BooleanMask: dy placed where the mask is True, in zeros of the input's shape."""

    def infer(self, op):
        return [(op.inputs[0].dtype, TensorShape(_static_partial(op.inputs[2])))]

    host_inputs = (2,)    # the input's shape

    def kernel(self, op, ctx):
        lead, xp = (_pyslice(None),) * op.attrs["axis"], ctx.xp

        def place(dy, mask, like):
            out = xp.zeros(tuple(like), dtype=dy.dtype)
            out[lead + (mask,)] = dy
            return out
        return place

    def grad(self, op, ddx):
        return [make_tensor("BooleanMask", [ddx, op.inputs[1]], {"axis": op.attrs["axis"]}), None, None]


def boolean_mask(tensor, mask, name="boolean_mask", axis=None):
    """`tf.boolean_mask(tensor, mask, axis=None)`: the entries of `tensor` where the boolean `mask`
    (laid over dimensions axis .. axis + rank(mask) - 1, axis 0 by default) is True, as one dimension
    in row-major order."""
    tensor = convert_to_tensor(tensor)
    mask = convert_to_tensor(mask)
    k = mask.shape.ndims
    if k is None:
        raise ValueError("Number of mask dimensions must be specified, even if some dimensions are None.  "
                         "E.g. shape=[None] is ok, but shape=None is not.")
    if k == 0:
        raise ValueError("mask cannot be scalar.")
    axis = 0 if axis is None else _static_axis(axis)
    if axis < 0:
        if tensor.shape.ndims is None:
            raise ValueError("boolean_mask along a negative axis needs a tensor of known rank")
        axis += tensor.shape.ndims
    return make_tensor("BooleanMask", [tensor, mask], {"axis": axis}, name=name or "boolean_mask")


@register
class ReverseV2(OpDef):
    """The input with the order of elements reversed along each of `axis`."""

    may_alias_input = True

    def infer(self, op):
        x = op.inputs[0]
        axes = op.attrs["axis"]
        if x.shape.ndims is not None:
            rank_ = x.shape.ndims
            seen = set()
            for index, a in enumerate(axes):
                if not -rank_ <= a < rank_:
                    raise ValueError("'axis'[%d] = %d is out of valid range [%d, %d)" % (index, a, -rank_, rank_))
                if a % rank_ in seen:
                    raise ValueError("axis %d specified more than once" % (a % rank_))
                seen.add(a % rank_)
        return [(x.dtype, x.shape)]

    def kernel(self, op, ctx):
        axes = op.attrs["axis"]
        if not axes:
            return lambda x: x
        return lambda x: np.flip(x, axes)

    def grad(self, op, dy):
        return [reverse(dy, list(op.attrs["axis"]))]


def reverse(tensor, axis, name=None):
    """`tf.reverse(tensor, axis)`: `tensor` with its elements in reverse order along each dimension in
    the list `axis`."""
    if isinstance(axis, (int, np.integer)) or (is_tensor_like(axis) and convert_to_tensor(axis).shape.ndims == 0):
        axis = [axis]
    if is_tensor_like(axis):
        known = _static_int_list(convert_to_tensor(axis))
        if known is None:
            raise ValueError("reverse's axis must be known when the graph is built, got %s" % (axis,))
        axis = known
    axes = tuple(_static_axis(a) for a in axis)
    return make_tensor("ReverseV2", [convert_to_tensor(tensor)], {"axis": axes}, name=name or "ReverseV2")


reverse_v2 = reverse


# --- sequences -----------------------------------------------------------------------------------
def _range_size(start, limit, delta, np_dtype):
    if np.dtype(np_dtype).kind in "iu":
        return max(0, (abs(int(limit) - int(start)) + abs(int(delta)) - 1) // abs(int(delta))
                   if (limit - start) * delta > 0 else 0)
    start, limit, delta = (np.asarray(v, dtype=np_dtype) for v in (start, limit, delta))
    return max(0, int(np.ceil(np.abs((limit - start) / delta))))


def _range_error(start, limit, delta):
    if delta == 0:
        return "Requires delta != 0: %s" % delta
    if delta > 0 and start > limit:
        return "Requires start <= limit when delta > 0: %s/%s" % (start, limit)
    if delta < 0 and start < limit:
        return "Requires start >= limit when delta < 0: %s/%s" % (start, limit)
    return None


@register
class Range(OpDef):
    """The numbers start, start + delta, ... up to but excluding limit."""

    differentiable = False

    def infer(self, op):
        for t in op.inputs:
            if t.shape.ndims not in (None, 0):
                raise ValueError("Shape must be rank 0 but is rank %d: start, limit and delta must be scalars"
                                 % t.shape.ndims)
        dtype = op.inputs[0].dtype
        values = [_const_scalar(t) for t in op.inputs]
        if any(v is None for v in values):
            return [(dtype, TensorShape([None]))]
        message = _range_error(*values)
        if message:
            raise ValueError(message)
        return [(dtype, TensorShape([_range_size(*values, dtype.np)]))]

    host_inputs = (0, 1, 2)    # start, limit, delta: the length is computed from them

    def kernel(self, op, ctx):
        dtype, xp = op.outputs[0].dtype.np, ctx.xp

        def range_(start, limit, delta):
            message = _range_error(start, limit, delta)
            if message:
                raise _invalid(op, message)
            n = _range_size(start, limit, delta, dtype)
            return (xp.arange(n, dtype=dtype) * xp.asarray(delta, dtype) + xp.asarray(start, dtype)).astype(
                dtype, copy=False)
        return range_


_RANGE_DTYPES = (dtypes.int32, dtypes.int64, dtypes.float32, dtypes.float64)


def range(start, limit=None, delta=1, dtype=None, name="range"):  # noqa: A001 - TF's name
    """`tf.range(start, limit=None, delta=1, dtype=None)`: the 1-D sequence start, start + delta, ...
    excluding `limit` (`tf.range(n)` is 0 .. n-1). Without `dtype` the widest of the arguments' dtypes
    in (int32, int64, float32, float64) is used: Python ints give int32, floats float32."""
    if limit is None:
        start, limit = 0, start
    args = [start, limit, delta]
    inferred = [convert_to_tensor(a).dtype if is_tensor_like(a) else numpy_value_dtype(a) for a in args]
    if dtype is None:
        for d in inferred:
            if d not in _RANGE_DTYPES:
                raise TypeError("range expects int32, int64, float32 or float64 arguments, got %s" % d.name)
        dtype = max(inferred, key=_RANGE_DTYPES.index)
    dtype = dtypes.as_dtype(dtype)
    tensors = []
    for a in args:
        if is_tensor_like(a):
            a = convert_to_tensor(a)
            if a.dtype is not dtype:
                from .math import cast
                a = cast(a, dtype)
            tensors.append(a)
        else:
            tensors.append(convert_to_tensor(np.asarray(a).astype(dtype.np)))
    return make_tensor("Range", tensors, name=name or "range")


@register
class LinSpace(OpDef):
    """`num` evenly spaced values from start to stop, both included."""

    differentiable = False

    def infer(self, op):
        start, stop, num = op.inputs
        if not start.dtype.is_floating:
            raise TypeError("lin_space expects floating point start and stop, got %s" % start.dtype.name)
        check_same_dtype("LinSpace", start, stop, "start", "stop")
        if num.dtype not in _INT_DTYPES:
            raise TypeError("num must be int32 or int64, got %s" % num.dtype.name)
        for t in op.inputs:
            if t.shape.ndims not in (None, 0):
                raise ValueError("Shape must be rank 0 but is rank %d: start, stop and num must be scalars"
                                 % t.shape.ndims)
        count = _static_scalar(num)
        if count is not None and count <= 0:
            raise ValueError("Requires num > 0: %d" % count)
        return [(start.dtype, TensorShape([count]))]

    host_inputs = (0, 1, 2)    # start, stop, num: scalars

    def kernel(self, op, ctx):
        dtype, xp = op.outputs[0].dtype.np, ctx.xp

        def lin_space_(start, stop, num):
            if num <= 0:
                raise _invalid(op, "Requires num > 0: %d" % num)
            return xp.linspace(start, stop, int(num)).astype(dtype, copy=False)
        return lin_space_


def lin_space(start, stop, num, name=None):
    """`tf.lin_space(start, stop, num)` (`tf.linspace`): `num` evenly spaced values from `start` to
    `stop`, both included; start and stop are float32/float64 scalars of one dtype."""
    start_t = convert_to_tensor(start, dtype=None if is_tensor_like(start) or not is_tensor_like(stop)
                                else convert_to_tensor(stop).dtype)
    stop_t = convert_to_tensor(stop, dtype=None if is_tensor_like(stop) else start_t.dtype)
    return make_tensor("LinSpace", [start_t, stop_t, _int_tensor(num, "num")], name=name or "LinSpace")


linspace = lin_space


@register
class OneHot(OpDef):
    """on_value where indices equals the position along the new `axis` of size depth, else off_value."""

    differentiable = False

    def infer(self, op):
        indices, depth, on_value, off_value = op.inputs
        if indices.dtype not in (dtypes.uint8, dtypes.int32, dtypes.int64):
            raise TypeError("Value passed to parameter 'indices' has DataType %s not in list of allowed "
                            "values: uint8, int32, int64" % indices.dtype.name)
        axis = op.attrs["axis"]
        depth_ = _static_scalar(depth)
        if depth_ is not None and depth_ < 0:
            raise ValueError("depth must be non-negative, got: %d" % depth_)
        if indices.shape.ndims is None:
            return [(on_value.dtype, TensorShape(None))]
        dims = indices.shape.as_list()
        if not -1 <= axis <= len(dims):
            raise ValueError("Expected axis to be -1 or between [0, %d).  But received: %d" % (len(dims) + 1, axis))
        position = len(dims) if axis == -1 else axis
        return [(on_value.dtype, TensorShape(dims[:position] + [depth_] + dims[position:]))]

    host_inputs = (1,)    # depth

    def kernel(self, op, ctx):
        axis, xp = op.attrs["axis"], ctx.xp
        dtype = op.outputs[0].dtype.np

        def one_hot_(indices, depth, on_value, off_value):
            position = indices.ndim if axis == -1 else axis
            classes = xp.arange(int(depth)).reshape((int(depth),) + (1,) * (indices.ndim - position))
            hot = np.expand_dims(indices, position) == classes
            return np.where(hot, on_value, off_value).astype(dtype, copy=False)
        return one_hot_


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None):
    """`tf.one_hot(indices, depth, on_value=1, off_value=0, axis=-1, dtype=tf.float32)`: a one-hot
    encoding with a new dimension of size `depth` at `axis`; indices outside [0, depth) give all
    off_value. The dtype is `dtype`, else that of on_value/off_value, else float32."""
    indices = _int_tensor(indices, "indices") if not is_tensor_like(indices) else convert_to_tensor(indices)
    on_t = convert_to_tensor(on_value) if is_tensor_like(on_value) else None
    off_t = convert_to_tensor(off_value) if is_tensor_like(off_value) else None
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
        for label, t in (("on_value", on_t), ("off_value", off_t)):
            if t is not None and t.dtype is not dtype:
                raise TypeError("dtype %s of %s does not match dtype parameter %s" % (t.dtype.name, label, dtype.name))
    elif on_t is not None and off_t is not None and on_t.dtype is not off_t.dtype:
        raise TypeError("dtype %s of on_value does not match dtype %s of off_value"
                        % (on_t.dtype.name, off_t.dtype.name))
    if dtype is None:
        if on_t is not None:
            dtype = on_t.dtype
        elif off_t is not None:
            dtype = off_t.dtype
        elif on_value is not None:
            dtype = numpy_value_dtype(on_value)
        elif off_value is not None:
            dtype = numpy_value_dtype(off_value)
        else:
            dtype = dtypes.float32
    if on_t is None:
        on_t = convert_to_tensor(np.asarray(1 if on_value is None else on_value).astype(dtype.np), name="on_value")
    if off_t is None:
        off_t = convert_to_tensor(np.asarray(0 if off_value is None else off_value).astype(dtype.np),
                                  name="off_value")
    if on_t.dtype is not off_t.dtype:
        raise TypeError("dtype %s of on_value does not match dtype %s of off_value"
                        % (on_t.dtype.name, off_t.dtype.name))
    axis = -1 if axis is None else _static_axis(axis)
    return make_tensor("OneHot", [indices, _int_tensor(depth, "depth"), on_t, off_t], {"axis": axis},
                       name=name or "one_hot")


@register
class SequenceMask(OpDef):
    """mask[i..., j] = j < lengths[i...], for j < maxlen (the largest length when not given)."""

    differentiable = False

    def infer(self, op):
        lengths = op.inputs[0]
        if lengths.dtype not in _INT_DTYPES:
            raise TypeError("lengths must be int32 or int64, got %s" % lengths.dtype.name)
        maxlen = _static_scalar(op.inputs[1]) if len(op.inputs) > 1 else None
        if len(op.inputs) > 1 and op.inputs[1].shape.ndims not in (None, 0):
            raise ValueError("maxlen must be scalar for sequence_mask, got shape %s"
                             % format_shape(op.inputs[1].shape))
        if lengths.shape.ndims is None:
            return [(op.attrs["dtype"], TensorShape(None))]
        return [(op.attrs["dtype"], TensorShape(lengths.shape.as_list() + [maxlen]))]

    host_inputs = (1,)    # maxlen

    def kernel(self, op, ctx):
        dtype, xp = op.attrs["dtype"].np, ctx.xp

        def sequence_mask_(lengths, maxlen=None):
            if maxlen is None:
                maxlen = int(lengths.max()) if lengths.size else 0
            return (xp.arange(max(int(maxlen), 0)) < np.expand_dims(lengths, -1)).astype(dtype, copy=False)
        return sequence_mask_


def sequence_mask(lengths, maxlen=None, dtype=dtypes.bool, name=None):
    """`tf.sequence_mask(lengths, maxlen=None, dtype=tf.bool)`: mask[i, j] = j < lengths[i], with a
    last dimension of size `maxlen` (max(lengths) by default)."""
    inputs = [_int_tensor(lengths, "lengths")]
    if maxlen is not None:
        inputs.append(_int_tensor(maxlen, "maxlen"))
    return make_tensor("SequenceMask", inputs, {"dtype": dtypes.as_dtype(dtype)}, name=name or "SequenceMask")


@register
class Unique(OpDef):
    """The distinct elements of a vector in order of first appearance, and each element's position in
    that list."""

    differentiable = False

    def infer(self, op):
        x = op.inputs[0]
        if x.shape.ndims not in (None, 1):
            raise ValueError("unique expects a 1-D vector, got shape %s" % format_shape(x.shape))
        return [(x.dtype, TensorShape([None])), (op.attrs["out_idx"], x.shape.merge_with(TensorShape([None])))]

    def kernel(self, op, ctx):
        out_idx, xp = op.attrs["out_idx"].np, ctx.xp

        def unique_(x):
            values, first, inverse = np.unique(x, return_index=True, return_inverse=True)
            order = np.argsort(first, kind="stable")
            position = np.empty_like(order)
            position[order] = xp.arange(len(order))
            return values[order], position[inverse.reshape(-1)].astype(out_idx, copy=False)
        return unique_


_Unique = collections.namedtuple("Unique", ["y", "idx"])


def unique(x, out_idx=dtypes.int32, name=None):
    """`tf.unique(x, out_idx=tf.int32)`: (y, idx): the distinct elements of the vector `x` in order of
    first appearance, and for each element of x its index in y."""
    y, idx = make_op("Unique", [convert_to_tensor(x)], {"out_idx": _check_out_type(out_idx)},
                     name=name or "Unique").outputs
    return _Unique(y, idx)


def meshgrid(*args, **kwargs):
    """`tf.meshgrid(*args, indexing='xy')`: N-D coordinate arrays from N 1-D coordinate vectors;
    'xy' (Cartesian) swaps the first two output dimensions, 'ij' (matrix) does not."""
    indexing = kwargs.pop("indexing", "xy")
    name = kwargs.pop("name", "meshgrid")
    if kwargs:
        raise TypeError("Invalid keyword arguments: %s" % ", ".join(sorted(kwargs)))
    if indexing not in ("xy", "ij"):
        raise ValueError("indexing parameter must be either 'xy' or 'ij'")
    tensors = [reshape(convert_to_tensor(a), [-1]) for a in args]
    count = len(tensors)
    order = list(_pyrange(count))
    if indexing == "xy" and count > 1:
        order[0], order[1] = 1, 0
    sizes = [size(t) for t in tensors]
    target = [sizes[order[i]] for i in _pyrange(count)]
    outputs = []
    for i, t in enumerate(tensors):
        position = order.index(i)
        outputs.append(broadcast_to(reshape(t, [-1 if j == position else 1 for j in _pyrange(count)]), target,
                                    name=name))
    return outputs


# --- space_to_depth / depth_to_space -------------------------------------------------------------
class _BlockRearrange(OpDef):
    """Moves block_size x block_size spatial blocks of an NHWC tensor into (or out of) its channels."""

    to_depth = True

    def infer(self, op):
        x = op.inputs[0]
        block = op.attrs["block_size"]
        if x.shape.ndims is None:
            return [(x.dtype, TensorShape([None] * 4))]
        if x.shape.ndims != 4:
            raise ValueError("Shape must be rank 4 but is rank %d" % x.shape.ndims)
        n, h, w, c = x.shape.as_list()
        if self.to_depth:
            for d in (h, w):
                if d is not None and d % block:
                    raise ValueError("Dimension size must be evenly divisible by %d but is %d" % (block, d))
            out = [n, None if h is None else h // block, None if w is None else w // block,
                   None if c is None else c * block * block]
        else:
            if c is not None and c % (block * block):
                raise ValueError("Dimension size must be evenly divisible by %d but is %d" % (block * block, c))
            out = [n, None if h is None else h * block, None if w is None else w * block,
                   None if c is None else c // (block * block)]
        return [(x.dtype, TensorShape(out))]

    def kernel(self, op, ctx):
        block = op.attrs["block_size"]
        to_depth = self.to_depth

        def rearrange(x):
            n, h, w, c = x.shape
            if to_depth:
                if h % block or w % block:
                    raise _invalid(op, "Image height %d and width %d must be divisible by block_size %d"
                                   % (h, w, block))
                y = x.reshape(n, h // block, block, w // block, block, c).transpose(0, 1, 3, 2, 4, 5)
                return y.reshape(n, h // block, w // block, c * block * block)
            if c % (block * block):
                raise _invalid(op, "Input depth %d must be divisible by block_size * block_size = %d"
                               % (c, block * block))
            y = x.reshape(n, h, w, block, block, c // (block * block)).transpose(0, 1, 3, 2, 4, 5)
            return y.reshape(n, h * block, w * block, c // (block * block))
        return rearrange

    def grad(self, op, dy):
        other = "DepthToSpace" if self.to_depth else "SpaceToDepth"
        return [make_tensor(other, [dy], dict(op.attrs))]


@register
class SpaceToDepth(_BlockRearrange):
    """[N, H, W, C] -> [N, H/b, W/b, C*b*b]."""

    to_depth = True


@register
class DepthToSpace(_BlockRearrange):
    """[N, H, W, C] -> [N, H*b, W*b, C/(b*b)]."""

    to_depth = False


def _block_op(op_type, input, block_size, name, data_format):  # noqa: A002
    if data_format != "NHWC":
        raise ValueError("numflow supports data_format='NHWC' only, got %r" % (data_format,))
    block_size = _static_axis(block_size, "block_size")
    if block_size < 2:
        raise ValueError("Value for attr 'block_size' of %d must be at least minimum 2" % block_size)
    return make_tensor(op_type, [convert_to_tensor(input)], {"block_size": block_size}, name=name or op_type)


def space_to_depth(input, block_size, name=None, data_format="NHWC"):  # noqa: A002 - TF's argument name
    """`tf.space_to_depth(input, block_size)`: each block_size x block_size block of an NHWC tensor
    moved into the channel dimension: [N, H, W, C] -> [N, H/b, W/b, C*b*b]."""
    return _block_op("SpaceToDepth", input, block_size, name, data_format)


def depth_to_space(input, block_size, name=None, data_format="NHWC"):  # noqa: A002 - TF's argument name
    """`tf.depth_to_space(input, block_size)`: the inverse of space_to_depth: [N, H, W, C] ->
    [N, H*b, W*b, C/(b*b)], channel (i*b + j)*C' + c going to offset (i, j) of each block."""
    return _block_op("DepthToSpace", input, block_size, name, data_format)


__all__ += ["space_to_depth", "depth_to_space"]
