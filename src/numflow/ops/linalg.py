"""Linear algebra: `tf.eye`, `tf.norm`, `tf.einsum`, `tf.tensordot`, `tf.matrix_inverse`,
`tf.matrix_determinant`, `tf.matrix_diag` / `matrix_diag_part` / `matrix_set_diag`, `tf.diag` /
`diag_part`, `tf.trace` and `tf.cross`, with their gradients.

Each op is one OpDef subclass beside the public function that builds it. `tf.norm`, `tf.trace` and
`tf.tensordot` are compositions (tensordot is an einsum), so their gradients come from their parts.
"""
import builtins
import string

import numpy as np

from ..backend import array_module
from ..framework import dtypes, errors
from ..framework.graph import convert_to_tensor, is_tensor_like, name_scope
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import Dimension, TensorShape, format_shape
from . import array as _array
from . import math as _math
from .common import check_dtype, check_same_dtype, make_tensor
from .control import identity

__all__ = ["eye", "norm", "einsum", "tensordot", "matrix_inverse", "matrix_determinant", "matrix_diag",
           "matrix_diag_part", "matrix_set_diag", "diag", "diag_part", "trace", "cross"]

_FLOATS = (dtypes.float16, dtypes.float32, dtypes.float64)
_LINALG = (dtypes.float32, dtypes.float64, dtypes.complex64, dtypes.complex128)
_NUMERIC = _FLOATS + (dtypes.int8, dtypes.int16, dtypes.int32, dtypes.int64, dtypes.uint8, dtypes.uint16,
                      dtypes.complex64, dtypes.complex128)


def _as_dtype_value(value, dtype):
    """A kernel result as exactly `dtype` (a NumPy scalar for 0-d results on the host; on a device the
    value stays a device array)."""
    if array_module(value) is not np:
        return value.astype(dtype.np, copy=False)
    if np.ndim(value) == 0:
        return dtype.np.type(value)
    return np.asarray(value, dtype=dtype.np)


# --- eye ------------------------------------------------------------------------------------------
@register
class Eye(OpDef):
    """An identity matrix [num_rows, num_columns] (ones on the main diagonal), tiled over `batch_shape`."""

    def infer(self, op):
        rows, cols = op.inputs
        for t, what in ((rows, "num_rows"), (cols, "num_columns")):
            if t.dtype not in (dtypes.int32, dtypes.int64) or t.shape.ndims not in (None, 0):
                raise TypeError("%s must be a scalar integer, got %s of shape %s"
                                % (what, t.dtype.name, format_shape(t.shape)))
        r, c = _array._static_scalar(rows), _array._static_scalar(cols)
        for value, what in ((r, "num_rows"), (c, "num_columns")):
            if value is not None and value < 0:
                raise ValueError("%s must be non-negative, got %d" % (what, value))
        return [(op.attrs["dtype"], TensorShape(list(op.attrs["batch_shape"]) + [r, c]))]

    host_inputs = (0, 1)

    def kernel(self, op, ctx):
        dtype = op.attrs["dtype"].np
        batch = tuple(op.attrs["batch_shape"])
        xp = ctx.xp

        def eye_kernel(rows, cols):
            if rows < 0 or cols < 0:
                raise errors.InvalidArgumentError(None, op, "num_rows and num_columns must be non-negative, "
                                                  "got %d and %d" % (rows, cols))
            matrix = xp.eye(int(rows), int(cols), dtype=dtype)
            return xp.tile(matrix, batch + (1, 1)) if batch else matrix
        return eye_kernel

    differentiable = False


def eye(num_rows, num_columns=None, batch_shape=None, dtype=dtypes.float32, name=None):
    """`tf.eye(num_rows, num_columns=None, batch_shape=None, dtype=tf.float32)`: an identity matrix
    (num_columns defaults to num_rows), tiled over the leading `batch_shape` (a list of ints)."""
    with name_scope(name, "eye"):
        rows = _array._int_tensor(num_rows, "num_rows")
        cols = rows if num_columns is None else _array._int_tensor(num_columns, "num_columns")
        if cols.dtype is not rows.dtype:
            cols = _math.cast(cols, rows.dtype)
        batch = [] if batch_shape is None else [int(d) for d in (batch_shape.as_list() if isinstance(
            batch_shape, TensorShape) else batch_shape)]
        return make_tensor("Eye", [rows, cols], {"batch_shape": builtins.tuple(batch),
                                                 "dtype": dtypes.as_dtype(dtype)}, name="eye")


# --- einsum ---------------------------------------------------------------------------------------
def _parse_einsum(equation, shapes):
    """Parses `equation` against the operands' static shapes. Returns (terms, output, dims): each term a
    string of single letters (ellipses replaced by fresh letters, right-aligned as NumPy broadcasts
    them), the output letters, and each letter's static Dimension."""
    if not isinstance(equation, str):
        raise TypeError("equation must be a string, got %r" % (equation,))
    eq = equation.replace(" ", "")
    if eq.count("->") > 1:
        raise ValueError("einsum equation %r has more than one '->'" % equation)
    lhs, arrow, rhs = eq.partition("->")
    raw_terms = lhs.split(",")
    if len(raw_terms) != len(shapes):
        raise ValueError("einsum equation %r names %d operand(s) but %d were given"
                         % (equation, len(raw_terms), len(shapes)))
    for part in raw_terms + ([rhs] if arrow else []):
        rest = part.replace("...", "", 1)
        if any(not (ch.isascii() and ch.isalpha()) for ch in rest):
            raise ValueError("Invalid einsum subscripts %r in equation %r: use letters and at most one "
                             "'...' per term" % (part, equation))
    used = set(ch for ch in eq if ch.isalpha())
    fresh = [ch for ch in string.ascii_letters if ch not in used]
    ellipsis_ranks = []
    for term, shape in zip(raw_terms, shapes):
        named = len(term.replace("...", ""))
        if "..." in term:
            if shape.ndims is None:
                raise ValueError("einsum needs the rank of an operand with '...' (%r) to be known" % term)
            count = shape.ndims - named
            if count < 0:
                raise ValueError("einsum term %r names more dimensions than its operand's shape %s has"
                                 % (term, format_shape(shape)))
            ellipsis_ranks.append(count)
        else:
            if shape.ndims is not None and shape.ndims != named:
                raise ValueError("einsum term %r has %d subscript(s) but its operand has rank %d (shape %s)"
                                 % (term, named, shape.ndims, format_shape(shape)))
            ellipsis_ranks.append(0)
    width = builtins.max(ellipsis_ranks) if ellipsis_ranks else 0
    ell = "".join(fresh[:width])
    terms = [t.replace("...", ell[width - n:]) for t, n in zip(raw_terms, ellipsis_ranks)]
    if arrow:
        if "..." in rhs:
            output = rhs.replace("...", ell)
        else:
            output = rhs
        if len(set(output)) != len(output):
            raise ValueError("einsum output subscripts %r repeat a letter" % rhs)
        missing = [ch for ch in output if not any(ch in t for t in terms)]
        if missing:
            raise ValueError("einsum output subscript(s) %s of %r appear in no input" % (missing, equation))
    else:
        counts = {}
        for term in terms:
            for ch in term:
                counts[ch] = counts.get(ch, 0) + 1
        output = ell + "".join(sorted(ch for ch, n in counts.items() if n == 1 and ch not in ell))
    dims = {}
    for term, shape in zip(terms, shapes):
        if shape.ndims is None:
            continue
        for ch, dim in zip(term, shape):
            known = dims.get(ch)
            if known is None or known.value == 1:
                dims[ch] = dim          # size 1 broadcasts against any size
            elif dim.value is None or dim.value == 1:
                continue
            elif known.value is None:
                dims[ch] = dim
            elif known.value != dim.value:
                raise ValueError("einsum %r: dimension %d of subscript '%s' does not match dimension %d "
                                 "(operand shape %s)" % (equation, dim.value, ch, known.value,
                                                         format_shape(shape)))
    return terms, output, dims


@register
class Einsum(OpDef):
    """A sum of products over the subscripts of `equation`, as NumPy's einsum."""

    def infer(self, op):
        first = op.inputs[0]
        for t in op.inputs[1:]:
            if t.dtype is not first.dtype:
                raise TypeError("einsum operands must share one dtype: %s vs %s"
                                % (first.dtype.name, t.dtype.name))
        check_dtype(first, _NUMERIC, "Einsum")
        terms, output, dims = _parse_einsum(op.attrs["equation"], [t.shape for t in op.inputs])
        return [(first.dtype, TensorShape([dims.get(ch, Dimension(None)) for ch in output]))]

    def kernel(self, op, ctx):
        terms, output, _ = _parse_einsum(op.attrs["equation"], [t.shape for t in op.inputs])
        canonical = ",".join(terms) + "->" + output
        dtype = op.outputs[0].dtype
        optimize = len(terms) > 1

        def einsum_kernel(*values):
            return _as_dtype_value(np.einsum(canonical, *values, optimize=optimize), dtype)
        return einsum_kernel

    def grad(self, op, dy):
        """Each operand's gradient is an einsum of dy with the other operands; subscripts only that operand
        has (summed over, or broadcast from size 1) are restored by broadcasting."""
        terms, output, dims = _parse_einsum(op.attrs["equation"], [t.shape for t in op.inputs])
        grads = []
        for i, (x, term) in enumerate(zip(op.inputs, terms)):
            if len(set(term)) != len(term):
                raise LookupError("No gradient for einsum %r: operand %d repeats a subscript (%r)"
                                  % (op.attrs["equation"], i, term))
            others = [terms[j] for j in range(len(terms)) if j != i]
            shape = x.shape
            keep = []
            for position, ch in enumerate(term):
                size_one = shape.ndims is not None and shape[position].value == 1 and \
                    (dims.get(ch) is None or dims[ch].value != 1)
                if not size_one and (ch in output or any(ch in t for t in others)):
                    keep.append(ch)
            target = "".join(keep)
            equation = ",".join([output] + others) + "->" + target
            operands = [dy] + [op.inputs[j] for j in range(len(terms)) if j != i]
            g = make_tensor("Einsum", operands, {"equation": equation}, name="einsum_grad")
            for position, ch in enumerate(term):
                if ch not in keep:
                    g = _array.expand_dims(g, position)
            # g's dimensions now equal x's or are 1 (subscripts x alone has, or that another operand
            # broadcast from size 1): broadcasting restores x's shape.
            if not (g.shape.is_fully_defined() and g.shape == shape):
                g = _array.broadcast_to_shape_of(g, x)
            grads.append(g)
        return grads


def einsum(equation, *inputs, **kwargs):
    """`tf.einsum(equation, *inputs)`: the sum of products NumPy's `einsum` computes for `equation`
    ('ij,jk->ik', 'bij,bjk->bik', '...ij->...ji', 'ii->i', implicit outputs like 'ij,jk'); size-1
    dimensions broadcast. Differentiable (except through a subscript repeated within one operand)."""
    name = kwargs.pop("name", None)
    kwargs.pop("optimize", None)
    if kwargs:
        raise TypeError("Unknown keyword arguments: " + ", ".join(sorted(kwargs)))
    if len(inputs) == 1 and isinstance(inputs[0], (list, builtins.tuple)):
        inputs = inputs[0]
    if not inputs:
        raise ValueError("einsum needs at least one operand")
    tensors = [convert_to_tensor(x) for x in inputs]
    return make_tensor("Einsum", tensors, {"equation": equation.replace(" ", "")}, name=name or "einsum")


def tensordot(a, b, axes, name=None):
    """`tf.tensordot(a, b, axes)`: sums the products of a's and b's elements over the given axes. `axes`
    is an int N (the last N axes of a with the first N of b), or a pair of axis lists (or ints). The
    result has a's free axes then b's. Needs both ranks to be known."""
    with name_scope(name, "Tensordot", [a, b]):
        a = convert_to_tensor(a, name="a")
        b = convert_to_tensor(b, name="b", dtype=a.dtype if not is_tensor_like(b) else None)
        ra, rb = a.shape.ndims, b.shape.ndims
        if ra is None or rb is None:
            raise ValueError("tensordot needs the ranks of a and b to be known, got shapes %s and %s"
                             % (format_shape(a.shape), format_shape(b.shape)))
        if isinstance(axes, (int, np.integer)) or (is_tensor_like(axes) and
                                                  convert_to_tensor(axes).shape.ndims == 0):
            n = _array._static_axis(axes, "axes")
            if n < 0:
                raise ValueError("'axes' must be at least 0.")
            if n > ra or n > rb:
                raise ValueError("'axes' must not be larger than the number of dimensions of tensor %s."
                                 % (a if n > ra else b))
            a_axes, b_axes = list(range(ra - n, ra)), list(range(n))
        else:
            if is_tensor_like(axes):
                axes = _array._static_value(convert_to_tensor(axes))
                if axes is None:
                    raise ValueError("tensordot's axes must be known when the graph is built")
                axes = axes.tolist()
            if not isinstance(axes, (list, builtins.tuple, np.ndarray)) or len(axes) != 2:
                raise ValueError("'axes' must be an integer or have length 2.")
            a_axes, b_axes = axes
            a_axes = [int(a_axes)] if np.ndim(a_axes) == 0 else [int(x) for x in a_axes]
            b_axes = [int(b_axes)] if np.ndim(b_axes) == 0 else [int(x) for x in b_axes]
            if len(a_axes) != len(b_axes):
                raise ValueError("Different number of contraction axes 'a' and 'b', %d != %d."
                                 % (len(a_axes), len(b_axes)))
            a_axes = [_array._normalize_axis(x, ra, "axes[0] entry") for x in a_axes]
            b_axes = [_array._normalize_axis(x, rb, "axes[1] entry") for x in b_axes]
        letters = iter(string.ascii_letters)
        a_term = [next(letters) for _ in range(ra)]
        b_term = [None] * rb
        for i, j in zip(a_axes, b_axes):
            if b_term[j] is not None:
                raise ValueError("tensordot's axes for b repeat axis %d" % j)
            b_term[j] = a_term[i]
        b_term = [ch if ch is not None else next(letters) for ch in b_term]
        out = [ch for k, ch in enumerate(a_term) if k not in a_axes] + \
            [ch for k, ch in enumerate(b_term) if k not in b_axes]
        equation = "%s,%s->%s" % ("".join(a_term), "".join(b_term), "".join(out))
        return einsum(equation, a, b, name="Tensordot")


# --- inverse and determinant ----------------------------------------------------------------------
def _square_matrices(x, op_name):
    check_dtype(x, _LINALG, op_name)
    shape = x.shape
    if shape.ndims is not None:
        if shape.ndims < 2:
            raise ValueError("Shape must be at least rank 2 but is rank %d for '%s' (input shape %s)"
                             % (shape.ndims, op_name, format_shape(shape)))
        if not shape[-1].is_compatible_with(shape[-2]):
            raise ValueError("Dimensions must be equal, but are %s and %s for '%s': input shape %s is not "
                             "a (batch of) square matrices" % (shape[-2], shape[-1], op_name,
                                                                format_shape(shape)))
    return shape


@register
class MatrixInverse(OpDef):
    """The inverse of each square matrix in the last two axes (of its adjoint with `adjoint`)."""

    def infer(self, op):
        x = op.inputs[0]
        return [(x.dtype, _square_matrices(x, "MatrixInverse"))]

    def kernel(self, op, ctx):
        adjoint = op.attrs["adjoint"]
        dtype = op.inputs[0].dtype.np

        def inverse(x):
            if adjoint:
                x = np.conj(np.swapaxes(x, -1, -2))
            try:
                result = np.linalg.inv(x)
            except np.linalg.LinAlgError:
                raise errors.InvalidArgumentError(None, op, "Input is not invertible.") from None
            return result.astype(dtype, copy=False)
        return inverse

    def grad(self, op, dy):
        inverse = op.outputs[0]
        if op.attrs["adjoint"]:
            return [-_math.matmul(inverse, _math.matmul(dy, inverse, adjoint_a=True))]
        return [-_math.matmul(inverse, _math.matmul(dy, inverse, adjoint_b=True), adjoint_a=True)]


def matrix_inverse(input, adjoint=False, name=None):  # noqa: A002 - TF's argument name
    """`tf.matrix_inverse(input, adjoint=False)` (`tf.linalg.inv`): the inverse of each matrix in the last
    two axes; InvalidArgumentError 'Input is not invertible.' when one is singular."""
    return make_tensor("MatrixInverse", [convert_to_tensor(input)], {"adjoint": builtins.bool(adjoint)},
                       name=name or "MatrixInverse")


@register
class MatrixDeterminant(OpDef):
    """The determinant of each square matrix in the last two axes."""

    def infer(self, op):
        x = op.inputs[0]
        shape = _square_matrices(x, "MatrixDeterminant")
        return [(x.dtype, TensorShape(None) if shape.ndims is None else shape[:-2])]

    def kernel(self, op, ctx):
        dtype = op.outputs[0].dtype
        return lambda x: _as_dtype_value(np.linalg.det(x), dtype)

    def grad(self, op, dy):
        x = op.inputs[0]
        scale = _array.expand_dims(_array.expand_dims(dy * op.outputs[0], -1), -1)
        return [scale * matrix_inverse(x, adjoint=True)]


def matrix_determinant(input, name=None):  # noqa: A002 - TF's argument name
    """`tf.matrix_determinant(input)` (`tf.linalg.det`): the determinant of each matrix in the last two
    axes."""
    return make_tensor("MatrixDeterminant", [convert_to_tensor(input)], name=name or "MatrixDeterminant")


# --- diagonals ------------------------------------------------------------------------------------
@register
class MatrixDiag(OpDef):
    """Batched diagonal matrices [..., n, n] whose diagonals are the input's last axis [..., n]."""

    def infer(self, op):
        d = op.inputs[0]
        if d.shape.ndims is None:
            return [(d.dtype, TensorShape(None))]
        if d.shape.ndims < 1:
            raise ValueError("Shape must be at least rank 1 but is rank 0 for 'MatrixDiag'")
        return [(d.dtype, d.shape.concatenate([d.shape[-1]]))]

    def kernel(self, op, ctx):
        xp = ctx.xp

        def matrix_diag_kernel(d):
            n = d.shape[-1]
            out = xp.zeros(d.shape + (n,), d.dtype)
            index = xp.arange(n)
            out[..., index, index] = d
            return out
        return matrix_diag_kernel

    def grad(self, op, dy):
        return [matrix_diag_part(dy)]


def matrix_diag(diagonal, name=None):
    """`tf.matrix_diag(diagonal)` (`tf.linalg.diag`): a batch of diagonal matrices [..., n, n] with the
    given [..., n] diagonals."""
    return make_tensor("MatrixDiag", [convert_to_tensor(diagonal)], name=name or "MatrixDiag")


def _diag_part_shape(shape):
    if shape.ndims is None:
        return TensorShape(None)
    m, n = shape[-2].value, shape[-1].value
    k = None if m is None or n is None else builtins.min(m, n)
    return shape[:-2].concatenate([k])


@register
class MatrixDiagPart(OpDef):
    """The main diagonals [..., min(m, n)] of the matrices [..., m, n] in the last two axes."""

    may_alias_input = False

    def infer(self, op):
        x = op.inputs[0]
        if x.shape.ndims is not None and x.shape.ndims < 2:
            raise ValueError("Shape must be at least rank 2 but is rank %d for 'MatrixDiagPart'"
                             % x.shape.ndims)
        return [(x.dtype, _diag_part_shape(x.shape))]

    def kernel(self, op, ctx):
        return lambda x: np.diagonal(x, axis1=-2, axis2=-1).copy()

    def grad(self, op, dy):
        return [matrix_set_diag(_array.zeros_like(op.inputs[0]), dy)]


def matrix_diag_part(input, name=None):  # noqa: A002 - TF's argument name
    """`tf.matrix_diag_part(input)` (`tf.linalg.diag_part`): the main diagonal of each matrix in the last
    two axes."""
    return make_tensor("MatrixDiagPart", [convert_to_tensor(input)], name=name or "MatrixDiagPart")


@register
class MatrixSetDiag(OpDef):
    """The matrices [..., m, n] with their main diagonals replaced by `diagonal` [..., min(m, n)]."""

    def infer(self, op):
        x, d = op.inputs
        check_same_dtype("MatrixSetDiag", x, d, "input", "diagonal")
        if x.shape.ndims is not None and x.shape.ndims < 2:
            raise ValueError("Shape must be at least rank 2 but is rank %d for 'MatrixSetDiag'" % x.shape.ndims)
        expected = _diag_part_shape(x.shape)
        if not expected.is_compatible_with(d.shape):
            raise ValueError("diagonal of shape %s does not match input of shape %s (expected %s)"
                             % (format_shape(d.shape), format_shape(x.shape), format_shape(expected)))
        return [(x.dtype, x.shape)]

    def kernel(self, op, ctx):
        xp = ctx.xp

        def set_diag(x, d):
            out = x.copy()
            index = xp.arange(builtins.min(x.shape[-2], x.shape[-1]))
            out[..., index, index] = d
            return out
        return set_diag

    def grad(self, op, dy):
        x, d = op.inputs
        return [matrix_set_diag(dy, _array.zeros_like(d)), matrix_diag_part(dy)]


def matrix_set_diag(input, diagonal, name=None):  # noqa: A002 - TF's argument name
    """`tf.matrix_set_diag(input, diagonal)` (`tf.linalg.set_diag`): `input` with the main diagonal of each
    matrix replaced by `diagonal`."""
    x = convert_to_tensor(input)
    return make_tensor("MatrixSetDiag", [x, convert_to_tensor(diagonal, dtype=x.dtype if not is_tensor_like(
        diagonal) else None)], name=name or "MatrixSetDiag")


@register
class Diag(OpDef):
    """A tensor of rank 2k with the rank-k input on its diagonal: out[i..., i...] = input[i...]."""

    def infer(self, op):
        d = op.inputs[0]
        if d.shape.ndims == 0:
            raise ValueError("Input must be at least rank 1 for 'Diag', got a scalar")
        return [(d.dtype, TensorShape(None) if d.shape.ndims is None else d.shape.concatenate(d.shape))]

    def kernel(self, op, ctx):
        return lambda d: np.diag(np.reshape(d, -1)).reshape(d.shape + d.shape)

    def grad(self, op, dy):
        return [diag_part(dy)]


def diag(diagonal, name=None):
    """`tf.diag(diagonal)`: a rank-2k tensor with the rank-k `diagonal` on its diagonal (a diagonal matrix
    for a vector)."""
    return make_tensor("Diag", [convert_to_tensor(diagonal)], name=name or "Diag")


@register
class DiagPart(OpDef):
    """The diagonal of a rank-2k tensor of shape [d..., d...]: out[i...] = input[i..., i...]."""

    def infer(self, op):
        x = op.inputs[0]
        rank = x.shape.ndims
        if rank is None:
            return [(x.dtype, TensorShape(None))]
        if rank == 0 or rank % 2:
            raise ValueError("Input must have even rank (2k, k > 0) for 'DiagPart', got shape %s"
                             % format_shape(x.shape))
        half = rank // 2
        first, second = x.shape[:half], x.shape[half:]
        if not first.is_compatible_with(second):
            raise ValueError("Invalid shape %s for 'DiagPart': its first half %s must equal its second half %s"
                             % (format_shape(x.shape), format_shape(first), format_shape(second)))
        return [(x.dtype, first.merge_with(second))]

    def kernel(self, op, ctx):
        def diag_part_kernel(x):
            half = x.ndim // 2
            if x.shape[:half] != x.shape[half:]:
                raise errors.InvalidArgumentError(None, op, "Invalid shape %s for DiagPart" % (x.shape,))
            size = int(np.prod(x.shape[:half], dtype=np.int64))
            return np.diagonal(np.reshape(x, (size, size))).reshape(x.shape[:half]).copy()
        return diag_part_kernel

    def grad(self, op, dy):
        return [diag(dy)]


def diag_part(input, name=None):  # noqa: A002 - TF's argument name
    """`tf.diag_part(input)`: the diagonal of a rank-2k tensor (the inverse of `tf.diag`)."""
    return make_tensor("DiagPart", [convert_to_tensor(input)], name=name or "DiagPart")


def trace(x, name=None):
    """`tf.trace(x)` (`tf.linalg.trace`): the sum of each matrix's main diagonal in the last two axes."""
    with name_scope(name, "Trace", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        return _math.reduce_sum(matrix_diag_part(x), axis=-1, name=scope)


# --- cross product ---------------------------------------------------------------------------------
@register
class Cross(OpDef):
    """The cross product of 3-vectors along the last axis of two same-shape tensors."""

    def infer(self, op):
        a, b = op.inputs
        check_same_dtype("Cross", a, b, "a", "b")
        check_dtype(a, _NUMERIC, "Cross")
        if not a.shape.is_compatible_with(b.shape):
            raise ValueError("Cross needs a and b of the same shape, got %s and %s"
                             % (format_shape(a.shape), format_shape(b.shape)))
        shape = a.shape.merge_with(b.shape)
        if shape.ndims is not None and (shape.ndims == 0 or shape[-1].value not in (None, 3)):
            raise ValueError("Cross needs an innermost dimension of 3, got shape %s" % format_shape(shape))
        return [(a.dtype, shape)]

    def kernel(self, op, ctx):
        return np.cross

    def grad(self, op, dy):
        a, b = op.inputs
        return [cross(b, dy), cross(dy, a)]


def cross(a, b, name=None):
    """`tf.cross(a, b)` (`tf.linalg.cross`): the pairwise cross product of 3-vectors in the last axis."""
    a = convert_to_tensor(a, name="a")
    b = convert_to_tensor(b, name="b", dtype=None if is_tensor_like(b) else a.dtype)
    return make_tensor("Cross", [a, b], name=name or "Cross")


# --- norms ----------------------------------------------------------------------------------------
_MATRIX_ORDS = ("euclidean", "fro", 1, np.inf)


def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None, keep_dims=None):  # noqa: A002
    """`tf.norm(tensor, ord='euclidean', axis=None, keepdims=None)`.

    With `axis` None the tensor is taken as one vector; an int axis gives vector norms along it; a pair of
    axes gives matrix norms over them. Vector ords: 'euclidean' (= 2), 1, np.inf or any p > 0. Matrix
    ords: 'euclidean' / 'fro' (Frobenius), 1 (max column sum), np.inf (max row sum); numflow has no
    spectral (ord=2) matrix norm."""
    if keep_dims is not None:
        if keepdims is not None:
            raise ValueError("Cannot specify both 'keep_dims' and 'keepdims'")
        keepdims = keep_dims
    keepdims = builtins.bool(keepdims)
    if axis is None:
        is_matrix = False
    elif isinstance(axis, (list, builtins.tuple)):
        if len(axis) == 2 and all(isinstance(a, (int, np.integer)) for a in axis) and axis[0] != axis[1]:
            is_matrix = True
        elif len(axis) == 1 and isinstance(axis[0], (int, np.integer)):
            is_matrix, axis = False, int(axis[0])
        else:
            raise ValueError("'axis' must be None, an integer, or a tuple of 2 unique integers, got %s"
                             % (axis,))
    elif isinstance(axis, (int, np.integer)) and not isinstance(axis, (bool, np.bool_)):
        is_matrix = False
        axis = int(axis)
    else:
        raise ValueError("'axis' must be None, an integer, or a tuple of 2 unique integers, got %s" % (axis,))
    if is_matrix:
        if not any(ord == o for o in _MATRIX_ORDS if isinstance(o, str) == isinstance(ord, str)):
            raise ValueError("'ord' must be a supported matrix norm in %s, got %s" % (list(_MATRIX_ORDS), ord))
    else:
        ok = ord == "euclidean" or (not isinstance(ord, str) and isinstance(ord, (int, float, np.number))
                                    and not isinstance(ord, (bool, np.bool_)) and ord > 0)
        if not ok:
            raise ValueError("'ord' must be a supported vector norm, got %s" % (ord,))
    with name_scope(name, "norm", [tensor]):
        x = convert_to_tensor(tensor)
        rank = x.shape.ndims
        if is_matrix:
            if rank is None:
                raise ValueError("tf.norm over a pair of axes needs the tensor's rank to be known")
            axes = [_array._normalize_axis(int(a), rank) for a in axis]
            if axes[0] == axes[1]:
                raise ValueError("'axis' must be None, an integer, or a tuple of 2 unique integers, got %s"
                                 % (axis,))
            if ord in ("euclidean", "fro"):
                result = _math.sqrt(_math.reduce_sum(_abs_squared(x), axes, keepdims=True))
            else:
                rows, cols = axes if ord == 1 else axes[::-1]
                sums = _math.reduce_sum(_math.abs(x), rows, keepdims=True)
                result = _math.reduce_max(sums, cols, keepdims=True)
        else:
            axes = None if axis is None else [axis]
            if ord == "euclidean" or (not isinstance(ord, str) and ord == 2):
                result = _math.sqrt(_math.reduce_sum(_abs_squared(x), axes, keepdims=True))
            elif not isinstance(ord, str) and ord == 1:
                result = _math.reduce_sum(_math.abs(x), axes, keepdims=True)
            elif not isinstance(ord, str) and ord == np.inf:
                result = _math.reduce_max(_math.abs(x), axes, keepdims=True)
            else:
                p = convert_to_tensor(np.asarray(ord, dtype=x.dtype.np), name="ord")
                total = _math.reduce_sum(_math.pow(_math.abs(x), p), axes, keepdims=True)
                result = _math.pow(total, _math.reciprocal(p))
        if not keepdims:
            if axis is None:
                result = _array.reshape(result, [])
            else:
                squeeze = axes if is_matrix else [axis]
                result = _array.squeeze(result, squeeze)
        return identity(result, name="norm")


def _abs_squared(x):
    if x.dtype.is_complex:
        raise TypeError("numflow's tf.norm supports real tensors, got %s" % x.dtype.name)
    return x * x
