"""String ops: `tf.strings.*` and TF1's top-level string functions (`tf.string_split`, `tf.as_string`,
`tf.substr`, `tf.reduce_join`, `tf.regex_replace`, `tf.string_to_hash_bucket*`, base64...).

String tensors hold `bytes` (NumPy object arrays). Kernels work element by element in Python, which is
what string processing costs anyway; each op keeps TF's op type, attributes and error messages.

Differences from TF, by design or by necessity:
- Regular expressions are RE2 syntax in TF; numflow runs them with Python's `re` (ASCII classes, as RE2's
  `\\w`, `\\d`, `\\s` are), which accepts the common RE2 syntax. Python-only constructs (lookaround,
  backreferences) are accepted where RE2 would reject them, and RE2's `\\pN` classes are not available.
- functions that return a RaggedTensor in TF for inputs of rank >= 1 (`bytes_split`,
  `unicode_decode`, `unicode_split` and their `_with_offsets` forms) return a SparseTensor holding the
  same values (row-major, one row per input string); for a scalar input they return the same dense 1-D
  Tensor as TF. `strings.split(..., result_type="RaggedTensor")` returns a tf.RaggedTensor.
- `unicode_script` uses Unicode character names to find a script (Python has no script property), which
  agrees with ICU for letters of the scripts listed in `_SCRIPT_CODES`; see unicode_script.
"""
import base64
import binascii
import re
import unicodedata

import numpy as np

from ..framework import dtypes, errors
from ..framework.graph import convert_to_tensor, is_tensor_like, name_scope
from ..framework.op_def import OpDef, register
from ..framework.sparse_tensor import SparseTensor
from ..framework.tensor_shape import TensorShape, format_shape
from .array import _static_value
from .common import broadcast_shape, make_op, make_tensor
from .hash_functions import murmur_hash64, siphash24
from .parsing import _as_bytes, _string_input, string_to_number

__all__ = ["as_string", "string_join", "reduce_join", "string_split", "string_strip", "substr", "regex_replace",
           "string_to_hash_bucket", "string_to_hash_bucket_fast", "string_to_hash_bucket_strong",
           "encode_base64", "decode_base64"]


def _invalid(op, message):
    return errors.InvalidArgumentError(None, op, message)


def _check_string(tensor, op_type, parameter="input"):
    """TypeError in TF's words unless `tensor` is a string tensor."""
    if tensor.dtype is not dtypes.string:
        raise TypeError("Input '%s' of '%s' Op has type %s that does not match expected type of string."
                        % (parameter, op_type, tensor.dtype.name))


def _string_array(items, shape):
    """An object array of `shape` holding the bytes values in `items` (row-major)."""
    array = np.empty(len(items), dtype=object)
    array[:] = items
    return array.reshape(shape)


def _elementwise(function):
    """A kernel applying `function(bytes) -> bytes` to every element of a string array."""
    def apply(values):
        values = np.asarray(values, dtype=object)
        return _string_array([function(v) for v in values.reshape(-1).tolist()], values.shape)
    return apply


def _static_int(tensor):
    value = _static_value(tensor)
    return None if value is None else int(np.reshape(value, []))


class _StringUnary(OpDef):
    """A string -> `output_dtype` elementwise op; `transform(op)` returns the per-element function."""

    differentiable = False
    output_dtype = dtypes.string

    def infer(self, op):
        _check_string(op.inputs[0], self.type)
        return [(self.output_dtype, op.inputs[0].shape)]

    def kernel(self, op, ctx):
        return _elementwise(self.transform(op))


# --- AsString ------------------------------------------------------------------------------------
@register
class AsString(OpDef):
    """Each number (or bool) formatted as text, printf-style, as TF's AsString kernel does."""

    differentiable = False

    def infer(self, op):
        x = op.inputs[0]
        if not (x.dtype.is_numeric or x.dtype.is_bool):
            raise TypeError("Value passed to parameter 'input' has DataType %s not in list of allowed values: "
                            "float32, float64, int32, uint8, int16, int8, int64, bool, complex64, complex128"
                            % x.dtype.name)
        return [(dtypes.string, x.shape)]

    def kernel(self, op, ctx):
        dtype = op.inputs[0].dtype
        precision, scientific, shortest = op.attrs["precision"], op.attrs["scientific"], op.attrs["shortest"]
        width, fill = op.attrs["width"], op.attrs["fill"]
        floating = dtype.is_floating or dtype.is_complex
        if len(fill) > 1:
            raise _invalid(op, "Fill string must be one or fewer characters")
        if fill not in ("", " ", "0"):
            raise _invalid(op, 'Fill argument not supported: "%s"' % fill)
        if scientific and shortest:
            raise _invalid(op, "Cannot select both scientific and shortest notation")
        for attr, used in (("precision", precision > -1), ("scientific", scientific), ("shortest", shortest)):
            if used and not floating:
                raise _invalid(op, "%s not supported for datatype %s" % (attr, dtype.name))
        spec = "%" + ("0" if fill == "0" else "") + (str(width) if width > -1 else "")
        if floating:
            spec += ("." + str(precision) if precision > -1 else "") + ("e" if scientific else "g" if shortest
                                                                         else "f")
        elif not dtype.is_bool:
            spec += "d"

        if dtype.is_bool:
            def one(value):
                return (spec + "s") % ("true" if value else "false")
        elif dtype.is_complex:
            def one(value):
                return "(%s,%s)" % (spec % value.real, spec % value.imag)
        else:
            def one(value):
                return spec % value

        def as_string(values):
            values = np.asarray(values)
            return _string_array([one(v).encode("ascii") for v in values.reshape(-1).tolist()], values.shape)
        return as_string


def as_string(input, precision=-1, scientific=False, shortest=False, width=-1, fill="", name=None):  # noqa: A002
    """`tf.as_string(input, precision=-1, scientific=False, shortest=False, width=-1, fill='')`: each
    element of a numeric or bool tensor as a string. Floats print as printf's %f (%e with `scientific`,
    %g with `shortest`) with `precision` digits; `width` pads to that many characters with spaces, or with
    zeros when `fill='0'`. bool prints as "true"/"false", complex as "(re,im)"."""
    x = convert_to_tensor(input, name="input")
    attrs = {"precision": int(precision), "scientific": bool(scientific), "shortest": bool(shortest),
             "width": int(width), "fill": fill.decode() if isinstance(fill, bytes) else str(fill)}
    return make_tensor("AsString", [x], attrs, name=name or "AsString")


# --- StringJoin / ReduceJoin ---------------------------------------------------------------------
@register
class StringJoin(OpDef):
    """The inputs concatenated elementwise with `separator`; scalars broadcast against the others, which
    must all have one shape."""

    differentiable = False

    def infer(self, op):
        shape = TensorShape([])
        for index, tensor in enumerate(op.inputs):
            _check_string(tensor, "StringJoin", "inputs")
            if tensor.shape.ndims == 0:
                continue
            if shape.ndims == 0:
                shape = tensor.shape
            elif not shape.is_compatible_with(tensor.shape):
                raise ValueError("Inputs to StringJoin must be scalars or have one shape, got %s and %s"
                                 % (format_shape(shape), format_shape(tensor.shape)))
            else:
                shape = shape.merge_with(tensor.shape)
        return [(dtypes.string, shape)]

    def kernel(self, op, ctx):
        separator = op.attrs["separator"]

        def string_join(*inputs):
            arrays = [np.asarray(v, dtype=object) for v in inputs]
            shapes = {a.shape for a in arrays if a.ndim}
            if len(shapes) > 1:
                raise _invalid(op, "Input shapes do not match: %s" % " vs. ".join(
                    format_shape(TensorShape(list(s))) for s in sorted(shapes)))
            shape = shapes.pop() if shapes else ()
            columns = [a.reshape(-1).tolist() if a.ndim else [a.item()] * int(np.prod(shape, dtype=np.int64))
                       for a in arrays]
            return _string_array([separator.join(parts) for parts in zip(*columns)], shape)
        return string_join


def string_join(inputs, separator="", name=None):
    """`tf.strings.join(inputs, separator='')` (TF1: `tf.string_join`): the string tensors in `inputs`
    joined elementwise with `separator`; scalar inputs are repeated to the others' (common) shape."""
    tensors = [_string_input(value, "inputs") for value in inputs]
    if not tensors:
        raise ValueError("string_join needs at least one input")
    return make_tensor("StringJoin", tensors, {"separator": _as_bytes(separator)}, name=name or "StringJoin")


def _reduction_axes(axes, rank, op_name):
    """The normalised (non-negative) reduction axes in the order given; ValueError for invalid ones."""
    normalised = []
    for axis in axes:
        if not -rank <= axis < rank:
            raise ValueError("Invalid reduction dimension %d for input with %d dimensions. for '%s'"
                             % (axis, rank, op_name))
        axis %= rank
        if axis in normalised:
            raise ValueError("Duplicate reduction dimension %d for '%s'" % (axis, op_name))
        normalised.append(axis)
    return normalised


@register
class ReduceJoin(OpDef):
    """Joins the strings along `reduction_indices` with `separator`. The first axis listed varies fastest
    in the joined order (TF's order); an empty list reduces nothing."""

    differentiable = False

    def infer(self, op):
        x, axes_tensor = op.inputs
        _check_string(x, "ReduceJoin", "inputs")
        keep_dims = op.attrs["keep_dims"]
        axes = _static_value(axes_tensor)
        if axes is None or x.shape.ndims is None:
            rank = x.shape.ndims if keep_dims else None
            return [(dtypes.string, TensorShape(None if rank is None else [None] * rank))]
        axes = _reduction_axes([int(a) for a in np.reshape(axes, [-1])], x.shape.ndims, op.name)
        if keep_dims:
            dims = [1 if i in axes else d.value for i, d in enumerate(x.shape)]
        else:
            dims = [d.value for i, d in enumerate(x.shape) if i not in axes]
        return [(dtypes.string, TensorShape(dims))]

    def kernel(self, op, ctx):
        keep_dims, separator = op.attrs["keep_dims"], op.attrs["separator"]

        def reduce_join(values, axes):
            values = np.asarray(values, dtype=object)
            try:
                axes = _reduction_axes([int(a) for a in np.reshape(axes, [-1])], values.ndim, op.name)
            except ValueError as exc:
                raise _invalid(op, str(exc)) from None
            kept = [i for i in range(values.ndim) if i not in axes]
            # Reduced axes go last, the first listed innermost, so a row-major walk gives TF's order.
            moved = np.transpose(values, kept + axes[::-1])
            out_shape = [values.shape[i] for i in kept]
            rows = moved.reshape(int(np.prod(out_shape, dtype=np.int64)), -1) if moved.size else \
                np.empty((int(np.prod(out_shape, dtype=np.int64)), 0), dtype=object)
            joined = _string_array([separator.join(row) for row in rows.tolist()], out_shape)
            if keep_dims:
                joined = joined.reshape([1 if i in axes else values.shape[i] for i in range(values.ndim)])
            return joined
        return reduce_join


def reduce_join(inputs, axis=None, keep_dims=False, separator="", name=None, reduction_indices=None,
                keepdims=None):
    """`tf.reduce_join(inputs, axis=None, keep_dims=False, separator='', name=None,
    reduction_indices=None)`: joins a string tensor's elements along `axis` (all axes when None) with
    `separator`. With several axes the first listed varies fastest. `keep_dims` keeps reduced axes as
    size 1."""
    if reduction_indices is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'axis' and 'reduction_indices'.")
        axis = reduction_indices
    if keepdims is not None:
        keep_dims = keepdims
    with name_scope(name, "ReduceJoin", [inputs]):
        x = _string_input(inputs, "inputs")
        if axis is None:
            if x.shape.ndims is None:
                raise ValueError("reduce_join with axis=None needs an input of known rank")
            axis = list(range(x.shape.ndims))[::-1]
        axes = convert_to_tensor(np.reshape(np.asarray(axis, dtype=np.int32), [-1]) if not is_tensor_like(axis)
                                 else axis, dtype=dtypes.int32, name="reduction_indices")
        return make_tensor("ReduceJoin", [x, axes], {"keep_dims": bool(keep_dims),
                                                     "separator": _as_bytes(separator)}, name="ReduceJoin")


# --- splitting -----------------------------------------------------------------------------------
def _tokens_to_sparse(token_lists):
    """(indices [N, 2], values [N], dense_shape [2]) of a list of token lists, one row per list."""
    rows = np.repeat(np.arange(len(token_lists), dtype=np.int64), [len(t) for t in token_lists])
    columns = np.concatenate([np.arange(len(t), dtype=np.int64) for t in token_lists]) if token_lists else \
        np.zeros(0, np.int64)
    values = _string_array([token for tokens in token_lists for token in tokens], -1)
    widest = max((len(t) for t in token_lists), default=0)
    return (np.stack([rows, columns], axis=1).reshape(-1, 2), values,
            np.array([len(token_lists), widest], dtype=np.int64))


class _SplitOp(OpDef):
    """A split of a vector of strings into a SparseTensor: outputs (indices, values, shape)."""

    differentiable = False

    def infer(self, op):
        source, separator = op.inputs
        _check_string(source, self.type)
        if source.shape.ndims is not None and source.shape.ndims != 1:
            raise ValueError("Shape must be rank 1 but is rank %d for '%s' with input shape %s."
                             % (source.shape.ndims, op.name, format_shape(source.shape)))
        if separator.shape.ndims not in (None, 0):
            raise ValueError("Shape must be rank 0 but is rank %d for the separator of '%s'"
                             % (separator.shape.ndims, op.name))
        return [(dtypes.int64, TensorShape([None, 2])), (dtypes.string, TensorShape([None])),
                (dtypes.int64, TensorShape([2]))]

    def kernel(self, op, ctx):
        split = self.splitter(op)

        def split_all(source, separator):
            separator = _as_bytes(np.asarray(separator, dtype=object).item())
            return _tokens_to_sparse([split(_as_bytes(s), separator)
                                      for s in np.asarray(source, dtype=object).reshape(-1).tolist()])
        return split_all


@register
class StringSplit(_SplitOp):
    """TF1's split: every byte of `delimiter` separates tokens (an empty delimiter splits into single
    bytes); `skip_empty` drops empty tokens."""

    def splitter(self, op):
        skip_empty = op.attrs["skip_empty"]

        def split(text, delimiter):
            if not text:
                return []   # TF: an empty string has no tokens, even with skip_empty=False
            if not delimiter:
                return [text[i:i + 1] for i in range(len(text))]
            tokens = re.split(b"[" + re.escape(delimiter) + b"]", text)
            return [t for t in tokens if t] if skip_empty else tokens
        return split


@register
class StringSplitV2(_SplitOp):
    """Python-style split: on the separator string exactly (empty tokens kept), or, when it is empty, on
    runs of ASCII whitespace with leading/trailing whitespace ignored; at most `maxsplit` splits."""

    def splitter(self, op):
        maxsplit = op.attrs["maxsplit"]

        def split(text, separator):
            return text.split(separator or None, maxsplit)
        return split


def _split_input(source, op_name):
    source = _string_input(source, "source")
    _check_string(source, op_name)
    return source


def string_split(source, delimiter=" ", skip_empty=True):
    """`tf.string_split(source, delimiter=' ', skip_empty=True)`: splits each string of the 1-D `source`
    at every byte that occurs in `delimiter` (an empty delimiter splits into single bytes). Returns a
    SparseTensor [len(source), most tokens] whose row i holds the tokens of source[i]; empty tokens are
    dropped when `skip_empty`."""
    with name_scope(None, "StringSplit", [source]):
        source = _split_input(source, "StringSplit")
        delimiter = _string_input(delimiter, "delimiter")
        op = make_op("StringSplit", [source, delimiter], {"skip_empty": bool(skip_empty)}, name="StringSplit")
        return SparseTensor(*op.outputs)


def strings_split(input=None, sep=None, maxsplit=-1, result_type="SparseTensor", source=None,  # noqa: A002
                  name=None):
    """`tf.strings.split(input=None, sep=None, maxsplit=-1, result_type='SparseTensor', source=None)`
    (TF1): splits each string at `sep` (exactly, keeping empty tokens), or at runs of whitespace when
    `sep` is None, at most `maxsplit` times. A scalar input is one row. Returns a SparseTensor, or with
    result_type='RaggedTensor' a RaggedTensor with one row per string."""
    if input is None:
        input = source
    elif source is not None:
        raise ValueError("Cannot specify both 'input' and 'source'.")
    if input is None:
        raise ValueError("strings.split needs an input")
    if result_type not in ("SparseTensor", "RaggedTensor"):
        raise ValueError("result_type must be 'RaggedTensor' or 'SparseTensor', got %r" % (result_type,))
    with name_scope(name, "StringSplit", [input]):
        source = _split_input(input, "StringSplitV2")
        if source.shape.ndims == 0:
            from .array import reshape
            source = reshape(source, [1])
        sep = _string_input(b"" if sep is None else sep, "sep")
        op = make_op("StringSplitV2", [source, sep], {"maxsplit": int(maxsplit)}, name="StringSplitV2")
        if result_type == "RaggedTensor":
            from ..ragged.ragged_tensor import RaggedTensor
            return RaggedTensor.from_sparse(SparseTensor(*op.outputs))
        return SparseTensor(*op.outputs)


# --- elementwise transforms ----------------------------------------------------------------------
@register
class StringStrip(_StringUnary):
    """Leading and trailing ASCII whitespace removed."""

    def transform(self, op):
        return bytes.strip


def string_strip(input, name=None):  # noqa: A002
    """`tf.strings.strip(input)` (TF1 `tf.string_strip`): each string without leading and trailing
    whitespace."""
    return make_tensor("StringStrip", [_string_input(input, "input")], name=name or "StringStrip")


def _utf8_length(text):
    # Every UTF-8 character has exactly one byte that is not a continuation byte (10xxxxxx).
    return sum(1 for byte in text if byte & 0xC0 != 0x80)


@register
class StringLength(_StringUnary):
    """int32 length of each string in bytes ('BYTE') or UTF-8 characters ('UTF8_CHAR')."""

    output_dtype = dtypes.int32

    def kernel(self, op, ctx):
        count = len if op.attrs["unit"] == "BYTE" else _utf8_length

        def string_length(values):
            values = np.asarray(values, dtype=object)
            return np.array([count(v) for v in values.reshape(-1).tolist()], dtype=np.int32).reshape(values.shape)
        return string_length


_UNITS = ("BYTE", "UTF8_CHAR")


def _check_unit(unit):
    if unit not in _UNITS:
        raise ValueError("Attr 'unit' of op has value '%s' not in list of allowed values: \"BYTE\", "
                         "\"UTF8_CHAR\"" % (unit,))
    return unit


def string_length(input, name=None, unit="BYTE"):  # noqa: A002
    """`tf.strings.length(input, name=None, unit='BYTE')`: int32 length of each string, in bytes or (with
    unit='UTF8_CHAR') in UTF-8 characters."""
    return make_tensor("StringLength", [_string_input(input, "input")], {"unit": _check_unit(unit)},
                       name=name or "StringLength")


def _case_transform(ascii_method, text_method):
    def transform(self, op):
        encoding = op.attrs["encoding"]
        if not encoding:
            return ascii_method
        return lambda value: text_method(value.decode(encoding, "surrogateescape")).encode(encoding,
                                                                                            "surrogateescape")
    return transform


@register
class StringLower(_StringUnary):
    """Lower-cased strings: ASCII letters only with encoding '', all letters with 'utf-8'."""
    transform = _case_transform(bytes.lower, str.lower)


@register
class StringUpper(_StringUnary):
    """Upper-cased strings: ASCII letters only with encoding '', all letters with 'utf-8'."""
    transform = _case_transform(bytes.upper, str.upper)


def _encoding_attr(encoding):
    encoding = (encoding or "").lower()
    if encoding not in ("", "utf-8", "utf8"):
        raise ValueError("encoding must be '' or 'utf-8', got %r" % (encoding,))
    return "utf-8" if encoding else ""


def lower(input, encoding="", name=None):  # noqa: A002
    """`tf.strings.lower(input, encoding='')`: ASCII letters lower-cased; with encoding='utf-8' every
    letter (Python's Unicode case mapping)."""
    return make_tensor("StringLower", [_string_input(input, "input")], {"encoding": _encoding_attr(encoding)},
                       name=name or "StringLower")


def upper(input, encoding="", name=None):  # noqa: A002
    """`tf.strings.upper(input, encoding='')`: ASCII letters upper-cased; with encoding='utf-8' every
    letter (Python's Unicode case mapping)."""
    return make_tensor("StringUpper", [_string_input(input, "input")], {"encoding": _encoding_attr(encoding)},
                       name=name or "StringUpper")


# --- Substr --------------------------------------------------------------------------------------
def _char_starts(text):
    """Byte offsets of each UTF-8 character of `text`, plus len(text) at the end."""
    return [i for i, byte in enumerate(text) if byte & 0xC0 != 0x80] + [len(text)]


@register
class Substr(OpDef):
    """input[pos:pos + len] elementwise; pos < 0 counts from the end, len < 0 means to the end. `pos`
    and `len` broadcast against `input`; a pos outside the string is an InvalidArgumentError."""

    differentiable = False

    def infer(self, op):
        x, pos, length = op.inputs
        _check_string(x, "Substr")
        if not pos.dtype.is_integer or pos.dtype is not length.dtype:
            raise TypeError("pos and len of Substr must be int32 or int64 of one dtype, got %s and %s"
                            % (pos.dtype.name, length.dtype.name))
        if not pos.shape.is_compatible_with(length.shape):
            raise ValueError("Shapes of pos %s and len %s of Substr must be equal"
                             % (format_shape(pos.shape), format_shape(length.shape)))
        return [(dtypes.string, broadcast_shape(x.shape, pos.shape))]

    def kernel(self, op, ctx):
        by_char = op.attrs["unit"] == "UTF8_CHAR"

        def substr(values, pos, length):
            values, pos, length = np.broadcast_arrays(np.asarray(values, dtype=object), pos, length)
            out = []
            for index, (text, start, size) in enumerate(zip(values.reshape(-1).tolist(), pos.reshape(-1).tolist(),
                                                            length.reshape(-1).tolist())):
                starts = _char_starts(text) if by_char else None
                count = len(starts) - 1 if by_char else len(text)
                if not -count <= start <= count:
                    raise _invalid(op, "pos %d out of range for string b'%s' at index %d"
                                   % (start, text.decode("latin-1"), index))
                start = start + count if start < 0 else start
                stop = count if size < 0 else min(count, start + size)
                out.append(text[starts[start]:starts[stop]] if by_char else text[start:stop])
            return _string_array(out, values.shape)
        return substr


def substr(input, pos, len, name=None, unit="BYTE"):  # noqa: A002 - TF's argument names
    """`tf.strings.substr(input, pos, len, name=None, unit='BYTE')` (TF1 `tf.substr`): the substring of
    `len` bytes (or UTF-8 characters) starting at `pos` of each string. `pos` may be negative (counted
    from the end); a substring running past the end stops there. `pos` and `len` have one shape that
    broadcasts against `input`."""
    with name_scope(name, "Substr", [input, pos, len]):
        x = _string_input(input, "input")
        pos = convert_to_tensor(pos, name="pos")
        length = convert_to_tensor(len, dtype=pos.dtype, name="len")
        return make_tensor("Substr", [x, pos, length], {"unit": _check_unit(unit)}, name="Substr")


# --- regular expressions -------------------------------------------------------------------------
def _compile(op, pattern, cache):
    """`pattern` (bytes) compiled in Python's `re` (text mode, ASCII classes like RE2); cached per op."""
    compiled = cache.get(pattern)
    if compiled is None:
        text = pattern.decode("utf-8", "surrogateescape")
        try:
            compiled = re.compile(text, re.ASCII)
        except re.error as exc:
            raise _invalid(op, "Invalid pattern: %s, error: %s" % (text, exc)) from None
        cache[pattern] = compiled
    return compiled


_REWRITE_GROUP = re.compile(r"\\(\d|\\)")


def _rewrite_function(rewrite, group_count):
    """The replacement function of an RE2 rewrite string (\\0..\\9 name groups, \\\\ a backslash), or
    None when it names a group the pattern does not have (RE2 then leaves the string unchanged)."""
    parts, last = [], 0
    for match in _REWRITE_GROUP.finditer(rewrite):
        parts.append(rewrite[last:match.start()])
        token = match.group(1)
        if token == "\\":
            parts.append("\\")
        elif int(token) > group_count:
            return None
        else:
            parts.append(int(token))
        last = match.end()
    parts.append(rewrite[last:])

    def replace(match):
        return "".join(p if isinstance(p, str) else (match.group(p) or "") for p in parts)
    return replace


def _decode_text(value):
    return _as_bytes(value).decode("utf-8", "surrogateescape")


@register
class RegexReplace(OpDef):
    """Matches of `pattern` in each string replaced by `rewrite` (all of them, or the first when
    replace_global is False)."""

    differentiable = False

    def infer(self, op):
        for tensor, name in zip(op.inputs, ("input", "pattern", "rewrite")):
            _check_string(tensor, "RegexReplace", name)
        return [(dtypes.string, op.inputs[0].shape)]

    def kernel(self, op, ctx):
        count = 0 if op.attrs["replace_global"] else 1
        cache = {}

        def regex_replace(values, pattern, rewrite):
            compiled = _compile(op, _as_bytes(np.asarray(pattern, dtype=object).item()), cache)
            replace = _rewrite_function(_decode_text(np.asarray(rewrite, dtype=object).item()), compiled.groups)
            values = np.asarray(values, dtype=object)
            if replace is None:
                return values.copy()
            return _string_array([compiled.sub(replace, _decode_text(v), count).encode("utf-8", "surrogateescape")
                                  for v in values.reshape(-1).tolist()], values.shape)
        return regex_replace


def regex_replace(input, pattern, rewrite, replace_global=True, name=None):  # noqa: A002
    """`tf.strings.regex_replace(input, pattern, rewrite, replace_global=True)`: replaces matches of the
    regular expression `pattern` in each string with `rewrite`, where \\0 is the whole match and \\1..\\9
    the groups. Only the first match is replaced when `replace_global` is False."""
    with name_scope(name, "RegexReplace", [input, pattern, rewrite]):
        inputs = [_string_input(input, "input"), _string_input(pattern, "pattern"),
                  _string_input(rewrite, "rewrite")]
        return make_tensor("RegexReplace", inputs, {"replace_global": bool(replace_global)}, name="RegexReplace")


@register
class RegexFullMatch(OpDef):
    """bool: whether each whole string matches `pattern`."""

    differentiable = False

    def infer(self, op):
        _check_string(op.inputs[0], "RegexFullMatch")
        _check_string(op.inputs[1], "RegexFullMatch", "pattern")
        return [(dtypes.bool, op.inputs[0].shape)]

    def kernel(self, op, ctx):
        cache = {}

        def regex_full_match(values, pattern):
            compiled = _compile(op, _as_bytes(np.asarray(pattern, dtype=object).item()), cache)
            values = np.asarray(values, dtype=object)
            return np.array([compiled.fullmatch(_decode_text(v)) is not None for v in values.reshape(-1).tolist()],
                            dtype=bool).reshape(values.shape)
        return regex_full_match


def regex_full_match(input, pattern, name=None):  # noqa: A002
    """`tf.strings.regex_full_match(input, pattern)`: bool tensor, True where the whole string matches the
    regular expression `pattern`."""
    with name_scope(name, "RegexFullMatch", [input, pattern]):
        return make_tensor("RegexFullMatch", [_string_input(input, "input"), _string_input(pattern, "pattern")],
                           name="RegexFullMatch")


# --- hash buckets --------------------------------------------------------------------------------
class _HashBucketOp(_StringUnary):
    """int64 hash(string) mod num_buckets; each distinct string of a batch is hashed once."""

    output_dtype = dtypes.int64

    def kernel(self, op, ctx):
        num_buckets, hash_function = op.attrs["num_buckets"], self.hash_function(op)

        def hash_bucket(values):
            values = np.asarray(values, dtype=object)
            unique, inverse = np.unique(values.reshape(-1), return_inverse=True)
            buckets = np.array([hash_function(_as_bytes(v)) % num_buckets for v in unique.tolist()],
                               dtype=np.int64)
            return buckets[inverse].reshape(values.shape)
        return hash_bucket


@register
class StringToHashBucket(_HashBucketOp):
    """TF's legacy hash bucket: MurmurHash64A (seed 0xDECAFCAFFE) of each string mod num_buckets."""

    def hash_function(self, op):
        return murmur_hash64


@register
class StringToHashBucketStrong(_HashBucketOp):
    """SipHash-2-4 under the 128-bit `key` of each string mod num_buckets."""

    def hash_function(self, op):
        # The int64 attribute values are the bits of the unsigned 64-bit key words.
        key0, key1 = (k & 0xFFFFFFFFFFFFFFFF for k in op.attrs["key"])
        return lambda data: siphash24(key0, key1, data)


def _num_buckets(num_buckets, op_type):
    num_buckets = int(num_buckets)
    if num_buckets < 1:
        raise ValueError("Attr 'num_buckets' of '%s' Op passed %d less than minimum 1." % (op_type, num_buckets))
    return num_buckets


def string_to_hash_bucket(string_tensor, num_buckets, name=None, input=None):  # noqa: A002
    """`tf.string_to_hash_bucket(string_tensor, num_buckets)` (`tf.strings.to_hash_bucket`): each string
    hashed to an int64 bucket in [0, num_buckets) with TF's legacy hash (the same buckets as TF)."""
    string_tensor = input if string_tensor is None else string_tensor
    return make_tensor("StringToHashBucket", [_string_input(string_tensor, "string_tensor")],
                       {"num_buckets": _num_buckets(num_buckets, "StringToHashBucket")},
                       name=name or "StringToHashBucket")


def string_to_hash_bucket_fast(input, num_buckets, name=None):  # noqa: A002
    """`tf.strings.to_hash_bucket_fast(input, num_buckets)`: each string hashed to an int64 bucket in
    [0, num_buckets) by its FarmHash Fingerprint64 (TF's buckets: see ops/hash_functions.py). The op is
    the StringToHashBucketFast the feature columns also use."""
    from .hash_bucket_ops import string_to_hash_bucket_fast as hash_bucket_fast
    x = _string_input(input, "input")
    _check_string(x, "StringToHashBucketFast")
    return hash_bucket_fast(x, _num_buckets(num_buckets, "StringToHashBucketFast"), name=name)


def string_to_hash_bucket_strong(input, num_buckets, key, name=None):  # noqa: A002
    """`tf.strings.to_hash_bucket_strong(input, num_buckets, key)`: each string hashed to an int64 bucket
    in [0, num_buckets) with SipHash-2-4 keyed by `key`, a list of two int64 (read as the bits of
    unsigned 64-bit words); without the key, an adversary cannot predict the buckets."""
    key = [int(k) for k in key]
    if len(key) != 2:
        raise ValueError("Key must have 2 elements")
    if any(not -(1 << 63) <= k < 1 << 63 for k in key):
        raise ValueError("Value out of range: the key's elements are int64, got %r" % (key,))
    return make_tensor("StringToHashBucketStrong", [_string_input(input, "input")],
                       {"num_buckets": _num_buckets(num_buckets, "StringToHashBucketStrong"), "key": key},
                       name=name or "StringToHashBucketStrong")


# --- base64 --------------------------------------------------------------------------------------
@register
class EncodeBase64(_StringUnary):
    """Web-safe base64 (- and _ for + and /) of each string, '='-padded only when `pad`."""

    def transform(self, op):
        pad = op.attrs["pad"]

        def encode(value):
            encoded = base64.urlsafe_b64encode(value)
            return encoded if pad else encoded.rstrip(b"=")
        return encode


@register
class DecodeBase64(_StringUnary):
    """The bytes of each web-safe base64 string, with or without '=' padding."""

    def transform(self, op):
        def decode(value):
            body = value.rstrip(b"=")
            if len(body) % 4 == 1:
                raise _invalid(op, "Base64 string's length cannot be mod 4 = 1: %s" % body.decode("latin-1"))
            if re.search(rb"[^A-Za-z0-9_\-]", body):
                raise _invalid(op, "Invalid character found in base64.")
            try:
                return base64.urlsafe_b64decode(body + b"=" * (-len(body) % 4))
            except (binascii.Error, ValueError) as exc:
                raise _invalid(op, "Invalid base64 string: %s" % exc) from None
        return decode


def encode_base64(input, pad=False, name=None):  # noqa: A002
    """`tf.io.encode_base64(input, pad=False)`: each string in web-safe base64 ('-' and '_' instead of
    '+' and '/'), with '=' padding only when `pad`."""
    return make_tensor("EncodeBase64", [_string_input(input, "input")], {"pad": bool(pad)},
                       name=name or "EncodeBase64")


def decode_base64(input, name=None):  # noqa: A002
    """`tf.io.decode_base64(input)`: the bytes each web-safe base64 string encodes (padding optional);
    an invalid string is an InvalidArgumentError."""
    return make_tensor("DecodeBase64", [_string_input(input, "input")], name=name or "DecodeBase64")


# --- StringFormat --------------------------------------------------------------------------------
def _shortest_float_text(value, digits, max_digits, np_type):
    """printf %g with `digits` significant digits, or `max_digits` when that does not read back as the
    same value (how TF prints floats in tensor summaries)."""
    text = "%.*g" % (digits, value)
    if np_type(float(text)) != np_type(value) and not np.isnan(value):
        text = "%.*g" % (max_digits, value)
    return text


def _element_text(dtype):
    if dtype is dtypes.string:
        return lambda v: '"%s"' % _as_bytes(v).decode("utf-8", "replace")
    if dtype.is_bool:
        return lambda v: "1" if v else "0"
    if dtype is dtypes.float64:
        return lambda v: _shortest_float_text(v, 15, 17, np.float64)
    if dtype.is_floating:
        return lambda v: _shortest_float_text(float(v), 6, 9, np.float32)
    if dtype.is_complex:
        return lambda v: "(%s,%s)" % (_shortest_float_text(v.real, 6, 9, np.float32),
                                      _shortest_float_text(v.imag, 6, 9, np.float32))
    return lambda v: "%d" % v


def _summarize(array, summarize, element_text):
    """A tensor as TF prints it: nested brackets, a blank line per level between blocks, and at most
    `summarize` leading and trailing entries per dimension with '...' between (-1: everything)."""
    if array.ndim == 0:
        return element_text(array.item())

    def kept_indices(count):
        if summarize < 0 or count <= 2 * summarize:
            return list(range(count)), None
        return list(range(summarize)) + list(range(count - summarize, count)), summarize

    def render(sub, depth):
        indices, gap = kept_indices(sub.shape[0])
        if sub.ndim == 1:
            items = [element_text(sub[i]) for i in indices]
            if gap is not None:
                items.insert(gap, "...")
            return "[" + " ".join(items) + "]"
        items = [render(sub[i], depth + 1) for i in indices]
        if gap is not None:
            items.insert(gap, "...")
        separator = "\n" * (sub.ndim - 1) + " " * (depth + 1)
        return "[" + separator.join(items) + "]"
    return render(array, 0)


@register
class StringFormat(OpDef):
    """A scalar string: `template` with each `placeholder` replaced by the next input printed as TF
    prints tensors (at most `summarize` entries per dimension at each end)."""

    differentiable = False

    def infer(self, op):
        return [(dtypes.string, TensorShape([]))]

    def kernel(self, op, ctx):
        pieces = op.attrs["template"].split(op.attrs["placeholder"])
        summarize = op.attrs["summarize"]
        printers = [_element_text(t.dtype) for t in op.inputs]

        def string_format(*values):
            texts = [_summarize(np.asarray(v), summarize, printer) for v, printer in zip(values, printers)]
            out = pieces[0] + "".join(text + piece for text, piece in zip(texts, pieces[1:]))
            return np.array(out.encode("utf-8"), dtype=object)
        return string_format


def string_format(template, inputs, placeholder="{}", summarize=3, name=None):
    """`tf.strings.format(template, inputs, placeholder='{}', summarize=3)`: a scalar string tensor,
    `template` with each `placeholder` replaced by one of `inputs` (a tensor or a list of them) printed
    as TF prints tensors: summarize entries at each end of every dimension (-1 for all)."""
    if isinstance(inputs, (list, tuple)):
        values = list(inputs)
    else:
        values = [inputs]
    template = template.decode("utf-8") if isinstance(template, bytes) else template
    expected = template.count(placeholder)
    if expected != len(values):
        raise ValueError("The template expects %d tensors, but the inputs only has %d. Please ensure the number "
                         "of placeholders in template matches inputs length." % (expected, len(values)))
    with name_scope(name, "StringFormat", values):
        tensors = [convert_to_tensor(v, name="inputs") for v in values]
        return make_tensor("StringFormat", tensors, {"template": template, "placeholder": placeholder,
                                                     "summarize": int(summarize)}, name="StringFormat")


# --- UnsortedSegmentJoin -------------------------------------------------------------------------
@register
class UnsortedSegmentJoin(OpDef):
    """Output[i] joins (with `separator`, in input order) the input slices whose segment id is i; the
    output has num_segments rows and the input's trailing shape. Ids must be in [0, num_segments)."""

    differentiable = False

    def infer(self, op):
        values, segment_ids, num_segments = op.inputs
        _check_string(values, "UnsortedSegmentJoin", "inputs")
        if not segment_ids.dtype.is_integer:
            raise TypeError("segment_ids must be int32 or int64, got %s" % segment_ids.dtype.name)
        id_rank = segment_ids.shape.ndims
        if values.shape.ndims is None or id_rank is None:
            return [(dtypes.string, TensorShape(None))]
        if not TensorShape(list(values.shape)[:id_rank]).is_compatible_with(segment_ids.shape):
            raise ValueError("segment_ids.shape %s must be a prefix of inputs.shape %s"
                             % (format_shape(segment_ids.shape), format_shape(values.shape)))
        return [(dtypes.string, TensorShape([_static_int(num_segments)] + list(values.shape)[id_rank:]))]

    def kernel(self, op, ctx):
        separator = op.attrs["separator"]

        def unsorted_segment_join(values, segment_ids, num_segments):
            values, segment_ids = np.asarray(values, dtype=object), np.asarray(segment_ids)
            num_segments = int(num_segments)
            if values.shape[:segment_ids.ndim] != segment_ids.shape:
                raise _invalid(op, "segment_ids.shape = [%s] is not a prefix of inputs.shape = [%s]"
                               % (",".join(map(str, segment_ids.shape)), ",".join(map(str, values.shape))))
            ids = segment_ids.reshape(-1)
            if ids.size and (ids.min() < 0 or ids.max() >= num_segments):
                raise _invalid(op, "segment_ids are not allowed to exceed num_segments or to have negative values.")
            inner = values.shape[segment_ids.ndim:]
            slices = values.reshape((ids.size,) + inner)
            cells = int(np.prod(inner, dtype=np.int64))
            parts = [[[] for _ in range(cells)] for _ in range(num_segments)]
            for segment, piece in zip(ids.tolist(), slices.reshape(ids.size, cells).tolist()):
                for cell, text in zip(parts[segment], piece):
                    cell.append(text)
            return _string_array([separator.join(cell) for row in parts for cell in row], (num_segments,) + inner)
        return unsorted_segment_join


def unsorted_segment_join(inputs, segment_ids, num_segments, separator="", name=None):
    """`tf.strings.unsorted_segment_join(inputs, segment_ids, num_segments, separator='')`: for each
    segment i in [0, num_segments), the slices of `inputs` whose id in `segment_ids` (a prefix of
    inputs' shape) is i, joined elementwise with `separator` in input order ('' for empty segments)."""
    with name_scope(name, "UnsortedSegmentJoin", [inputs, segment_ids, num_segments]):
        values = _string_input(inputs, "inputs")
        ids = convert_to_tensor(segment_ids, name="segment_ids")
        count = convert_to_tensor(num_segments, dtype=dtypes.int32 if not is_tensor_like(num_segments) else None,
                                  name="num_segments")
        return make_tensor("UnsortedSegmentJoin", [values, ids, count], {"separator": _as_bytes(separator)},
                           name="UnsortedSegmentJoin")


# --- StringNGrams --------------------------------------------------------------------------------
def _ngrams_of_row(tokens, widths, separator, left, right, pad_width, preserve_short):
    out = []
    for width in widths:
        pad = width - 1 if pad_width < 0 else min(pad_width, width - 1)
        padded = [left] * pad + tokens + [right] * pad
        out.extend(separator.join(padded[i:i + width]) for i in range(len(padded) - width + 1))
    if not out and preserve_short and tokens:
        pad = max(widths) - 1 if pad_width < 0 else pad_width
        out.append(separator.join([left] * pad + tokens + [right] * pad))
    return out


@register
class StringNGrams(OpDef):
    """The n-grams of each row of `data` (rows given by `data_splits`): outputs (ngrams, ngrams_splits),
    the n-grams of every width in `ngram_widths` in turn, each row padded with `pad_width` pad values."""

    differentiable = False

    def infer(self, op):
        data, splits = op.inputs
        _check_string(data, "StringNGrams", "data")
        return [(dtypes.string, TensorShape([None])), (splits.dtype, splits.shape)]

    def kernel(self, op, ctx):
        attrs = op.attrs
        widths, separator = attrs["ngram_widths"], attrs["separator"]
        left, right, pad_width, preserve = (attrs["left_pad"], attrs["right_pad"], attrs["pad_width"],
                                            attrs["preserve_short_sequences"])

        def string_ngrams(data, splits):
            tokens = np.asarray(data, dtype=object).tolist()
            splits = np.asarray(splits)
            rows = [_ngrams_of_row(tokens[start:stop], widths, separator, left, right, pad_width, preserve)
                    for start, stop in zip(splits[:-1].tolist(), splits[1:].tolist())]
            out_splits = np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype(splits.dtype)
            return _string_array([g for r in rows for g in r], -1), out_splits
        return string_ngrams


def ngrams(data, ngram_width, separator=" ", pad_values=None, padding_width=None,
           preserve_short_sequences=False, name=None):
    """`tf.strings.ngrams(data, ngram_width, separator=' ', pad_values=None, padding_width=None,
    preserve_short_sequences=False)`: the n-grams of the last dimension of the string tensor `data`,
    joined with `separator`, for one width or a sequence of widths (in that order). `pad_values` (one
    string, or a (left, right) pair) pads each row by `padding_width` (default width - 1) on both sides;
    `preserve_short_sequences` makes one n-gram of a row too short for any. Dense input gives a dense
    result [..., number of n-grams]."""
    widths = [int(ngram_width)] if np.ndim(ngram_width) == 0 else [int(w) for w in ngram_width]
    if any(w <= 0 for w in widths):
        raise ValueError("All ngram_widths must be greater than 0. Got %s" % (ngram_width,))
    if pad_values is None:
        left = right = b""
        pad_width = 0
    else:
        if isinstance(pad_values, (tuple, list)):
            if len(pad_values) != 2:
                raise ValueError("pad_values must be a string, tuple or list of 2 strings.")
            left, right = (_as_bytes(v) for v in pad_values)
        elif isinstance(pad_values, (str, bytes)):
            left = right = _as_bytes(pad_values)
        else:
            raise ValueError("pad_values must be a string, tuple or list of 2 strings.")
        if padding_width is not None and int(padding_width) <= 0:
            raise ValueError("padding_width must be greater than 0.")
        pad_width = -1 if padding_width is None else int(padding_width)
    from .array import concat, reshape, shape as shape_of
    with name_scope(name, "StringNGrams", [data]):
        x = _string_input(data, "data")
        _check_string(x, "StringNGrams", "data")
        if x.shape.ndims is None or x.shape.ndims == 0:
            raise ValueError("ngrams needs data of known rank >= 1, got shape %s" % format_shape(x.shape))
        flat = reshape(x, [-1])
        splits = _dense_splits(x)
        op = make_op("StringNGrams", [flat, splits],
                     {"ngram_widths": widths, "separator": _as_bytes(separator), "left_pad": left, "right_pad": right,
                      "pad_width": pad_width, "preserve_short_sequences": bool(preserve_short_sequences)},
                     name="StringNGrams")
        if x.shape.ndims == 1:
            return op.outputs[0]
        return reshape(op.outputs[0], concat([shape_of(x)[:-1], [-1]], 0))


@register
class DenseRowSplits(OpDef):
    """int64 row splits [0, n, 2n, ..., rows * n] of a dense tensor read as rows of its last dimension
    (numflow's bridge from dense tensors to the row-split ops)."""

    differentiable = False

    def infer(self, op):
        x = op.inputs[0]
        rows = x.shape[:-1].num_elements() if x.shape.ndims else None
        return [(dtypes.int64, TensorShape([None if rows is None else rows + 1]))]

    def kernel(self, op, ctx):
        def dense_row_splits(x):
            shape = np.shape(x)
            rows = int(np.prod(shape[:-1], dtype=np.int64))
            return np.arange(rows + 1, dtype=np.int64) * shape[-1]
        return dense_row_splits


def _dense_splits(x):
    return make_tensor("DenseRowSplits", [x], name="RowSplits")


# --- Unicode -------------------------------------------------------------------------------------
_CODECS = {"UTF-8": "utf-8", "UTF-16-BE": "utf-16-be", "UTF-32-BE": "utf-32-be"}
_ERRORS = ("strict", "replace", "ignore")


def _codec(encoding, argument):
    if encoding is None:
        raise ValueError("%s is required" % argument)
    name = encoding.decode() if isinstance(encoding, bytes) else str(encoding)
    codec = _CODECS.get(name.upper())
    if codec is None:
        raise ValueError("%s must be one of %s, got %r" % (argument, ", ".join(_CODECS), name))
    return codec


def _check_errors(value):
    if value not in _ERRORS:
        raise ValueError("errors must be 'strict', 'replace' or 'ignore', got %r" % (value,))
    return value


def _unit_size(codec):
    return {"utf-8": 1, "utf-16-be": 2, "utf-32-be": 4}[codec]


def _decode_code_points(op, data, codec, errors_mode, replacement, replace_control):
    """[(code point, byte offset)] of one encoded string under TF's error handling: malformed input is
    an error ('strict'), dropped ('ignore') or one `replacement` per malformed sequence ('replace');
    C0 control characters are replaced (dropped under 'ignore') when `replace_control`."""
    out, at = [], 0
    while at < len(data):
        char, size = _decode_one(data, at, codec)
        if char is None:
            if errors_mode == "strict":
                raise _invalid(op, "Invalid formatting on input string")
            if errors_mode == "replace":
                out.append((replacement, at))
        elif replace_control and char < 0x20:
            if errors_mode == "strict":
                raise _invalid(op, "Invalid formatting on input string")
            if errors_mode == "replace":
                out.append((replacement, at))
        else:
            out.append((char, at))
        at += size
    return out


def _decode_one(data, at, codec):
    """(code point, bytes used) of the character at `at`, or (None, bytes to skip) when malformed."""
    unit = _unit_size(codec)
    if codec != "utf-8":
        for size in ((unit, unit * 2) if codec == "utf-16-be" else (unit,)):
            chunk = data[at:at + size]
            try:
                text = chunk.decode(codec)
            except UnicodeDecodeError:
                continue
            if len(text) == 1:
                return ord(text), size
        return None, min(unit, len(data) - at)
    lead = data[at]
    size = 1 if lead < 0x80 else 2 if 0xC2 <= lead < 0xE0 else 3 if 0xE0 <= lead < 0xF0 else \
        4 if 0xF0 <= lead < 0xF5 else 0
    if size == 0:
        return None, 1
    try:
        return ord(data[at:at + size].decode("utf-8")), size
    except UnicodeDecodeError as exc:
        # One replacement for the longest valid prefix of a sequence, as ICU does.
        return None, max(1, exc.end - exc.start if exc.start == 0 else exc.start)


@register
class UnicodeDecodeWithOffsets(OpDef):
    """Each string decoded to int32 code points: outputs (row_splits int64 [n + 1], char_values int32,
    char_to_byte_starts int64), one row per string of the flattened input."""

    differentiable = False
    with_offsets = True

    def infer(self, op):
        x = op.inputs[0]
        _check_string(x, self.type)
        rows = x.shape.num_elements()
        outputs = [(dtypes.int64, TensorShape([None if rows is None else rows + 1])),
                   (dtypes.int32, TensorShape([None]))]
        return outputs + ([(dtypes.int64, TensorShape([None]))] if self.with_offsets else [])

    def kernel(self, op, ctx):
        attrs = op.attrs
        codec, errors_mode = attrs["input_encoding"], attrs["errors"]
        replacement, replace_control = attrs["replacement_char"], attrs["replace_control_characters"]
        with_offsets = self.with_offsets

        def unicode_decode(values):
            rows = [_decode_code_points(op, _as_bytes(v), codec, errors_mode, replacement, replace_control)
                    for v in np.asarray(values, dtype=object).reshape(-1).tolist()]
            splits = np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype(np.int64)
            chars = np.array([c for r in rows for c, _ in r], dtype=np.int32)
            if not with_offsets:
                return splits, chars
            return splits, chars, np.array([o for r in rows for _, o in r], dtype=np.int64)
        return unicode_decode


@register
class UnicodeDecode(UnicodeDecodeWithOffsets):
    """UnicodeDecodeWithOffsets without the offsets."""
    with_offsets = False


@register
class RowSplitsToSparse(OpDef):
    """The (indices, dense_shape) of a SparseTensor holding rows given by int64 row_splits, one row per
    element of a dense tensor of shape `outer_shape` (numflow's stand-in for TF's ragged results)."""

    differentiable = False

    def infer(self, op):
        splits, outer_shape = op.inputs
        rank = outer_shape.shape[0].value
        return [(dtypes.int64, TensorShape([None, None if rank is None else rank + 1])),
                (dtypes.int64, TensorShape([None if rank is None else rank + 1]))]

    def kernel(self, op, ctx):
        def row_splits_to_sparse(splits, outer_shape):
            lengths = np.diff(np.asarray(splits, dtype=np.int64))
            outer_shape = [int(d) for d in outer_shape]
            rows = np.repeat(np.arange(lengths.size, dtype=np.int64), lengths)
            positions = np.arange(rows.size, dtype=np.int64) - np.repeat(np.asarray(splits[:-1], np.int64), lengths)
            outer = np.stack(np.unravel_index(rows, outer_shape), axis=1) if outer_shape else \
                np.zeros((rows.size, 0), np.int64)
            indices = np.concatenate([outer.astype(np.int64), positions[:, None]], axis=1)
            widest = int(lengths.max()) if lengths.size else 0
            return indices.reshape(-1, len(outer_shape) + 1), np.array(outer_shape + [widest], dtype=np.int64)
        return row_splits_to_sparse


def _rows_result(x, splits, values_list):
    """TF's ragged result of a row-producing op: the dense values for a scalar input, else SparseTensors
    (numflow has no RaggedTensor) with one row per element of `x`."""
    if x.shape.ndims == 0:
        return values_list
    from .array import shape as shape_of
    indices, dense_shape = make_op("RowSplitsToSparse", [splits, shape_of(x, out_type=dtypes.int64)],
                                   name="RowSplitsToSparse").outputs
    return [SparseTensor(indices, values, dense_shape) for values in values_list]


def _decode_attrs(input_encoding, errors_mode, replacement_char, replace_control_characters):
    return {"input_encoding": _codec(input_encoding, "input_encoding"), "errors": _check_errors(errors_mode),
            "replacement_char": int(replacement_char),
            "replace_control_characters": bool(replace_control_characters)}


def _decode(input, input_encoding, errors, replacement_char, replace_control_characters,  # noqa: A002
            with_offsets, name):
    attrs = _decode_attrs(input_encoding, errors, replacement_char, replace_control_characters)
    with name_scope(name, "UnicodeDecode", [input]):
        x = _string_input(input, "input")
        _check_string(x, "UnicodeDecode")
        op_type = "UnicodeDecodeWithOffsets" if with_offsets else "UnicodeDecode"
        outputs = make_op(op_type, [x], attrs, name=op_type).outputs
        return x, outputs[0], list(outputs[1:])


def unicode_decode(input, input_encoding, errors="replace", replacement_char=65533,  # noqa: A002
                   replace_control_characters=False, name=None):
    """`tf.strings.unicode_decode(input, input_encoding, errors='replace', replacement_char=65533,
    replace_control_characters=False)`: the int32 code points of each string (encodings UTF-8,
    UTF-16-BE, UTF-32-BE). Malformed input raises ('strict'), is skipped ('ignore') or becomes
    `replacement_char` ('replace'). A scalar gives a 1-D Tensor; a tensor of rank >= 1 a SparseTensor
    with one row per string (TF: a RaggedTensor)."""
    x, splits, values = _decode(input, input_encoding, errors, replacement_char, replace_control_characters,
                                False, name)
    return _rows_result(x, splits, values)[0]


def unicode_decode_with_offsets(input, input_encoding, errors="replace", replacement_char=65533,  # noqa: A002
                                replace_control_characters=False, name=None):
    """`tf.strings.unicode_decode_with_offsets(...)`: (code points, byte offset where each starts), as
    unicode_decode (offsets int64)."""
    x, splits, values = _decode(input, input_encoding, errors, replacement_char, replace_control_characters,
                                True, name)
    return tuple(_rows_result(x, splits, values))


@register
class UnicodeEncode(OpDef):
    """Rows of int32 code points (flat values and int64 row_splits) encoded to one string each."""

    differentiable = False

    def infer(self, op):
        values, splits = op.inputs
        if values.dtype is not dtypes.int32:
            raise TypeError("Input 'input_values' of 'UnicodeEncode' Op has type %s that does not match expected "
                            "type of int32." % values.dtype.name)
        rows = splits.shape[0].value if splits.shape.ndims == 1 else None
        return [(dtypes.string, TensorShape([None if rows is None else rows - 1]))]

    def kernel(self, op, ctx):
        codec, errors_mode = op.attrs["output_encoding"], op.attrs["errors"]
        replacement = op.attrs["replacement_char"]

        def encode_char(point):
            if 0 <= point <= 0x10FFFF and not 0xD800 <= point <= 0xDFFF:
                return chr(point)
            if errors_mode == "strict":
                raise _invalid(op, "Code point is out of range for Unicode, or is a surrogate.")
            return chr(replacement) if errors_mode == "replace" else ""

        def unicode_encode(values, splits):
            points = np.asarray(values).tolist()
            splits = np.asarray(splits).tolist()
            return _string_array(["".join(encode_char(p) for p in points[start:stop]).encode(codec)
                                  for start, stop in zip(splits[:-1], splits[1:])], -1)
        return unicode_encode


def unicode_encode(input, output_encoding, errors="replace", replacement_char=65533, name=None):  # noqa: A002
    """`tf.strings.unicode_encode(input, output_encoding, errors='replace', replacement_char=65533)`:
    the int32 code points along the last dimension of `input` encoded as one string each (the result has
    input's shape without its last dimension). Invalid code points (negative, above 0x10FFFF, surrogates)
    raise ('strict'), are dropped ('ignore') or become `replacement_char` ('replace')."""
    attrs = {"output_encoding": _codec(output_encoding, "output_encoding"), "errors": _check_errors(errors),
             "replacement_char": int(replacement_char)}
    from .array import reshape, shape as shape_of
    with name_scope(name, "UnicodeEncode", [input]):
        if isinstance(input, SparseTensor):
            raise TypeError("unicode_encode takes a dense int32 Tensor of code points (numflow has no "
                            "RaggedTensor)")
        x = convert_to_tensor(input, dtype=dtypes.int32, name="input")
        if x.shape.ndims == 0:
            raise ValueError("unicode_encode needs input of rank >= 1, got a scalar")
        encoded = make_tensor("UnicodeEncode", [reshape(x, [-1]), _dense_splits(x)], attrs, name="UnicodeEncode")
        if x.shape.ndims == 1:
            return reshape(encoded, [])
        return reshape(encoded, shape_of(x)[:-1])


@register
class UnicodeTranscode(_StringUnary):
    """Each string decoded from `input_encoding` and re-encoded in `output_encoding`, with the decoding
    error rules of UnicodeDecode."""

    def transform(self, op):
        attrs = op.attrs
        source, target = attrs["input_encoding"], attrs["output_encoding"]

        def transcode(value):
            points = _decode_code_points(op, value, source, attrs["errors"], attrs["replacement_char"],
                                         attrs["replace_control_characters"])
            return "".join(chr(p) for p, _ in points).encode(target, "surrogatepass")
        return transcode


def unicode_transcode(input, input_encoding, output_encoding, errors="replace", replacement_char=65533,  # noqa: A002
                      replace_control_characters=False, name=None):
    """`tf.strings.unicode_transcode(input, input_encoding, output_encoding, errors='replace',
    replacement_char=65533, replace_control_characters=False)`: each string re-encoded from
    `input_encoding` to `output_encoding` (UTF-8, UTF-16-BE, UTF-32-BE)."""
    attrs = _decode_attrs(input_encoding, errors, replacement_char, replace_control_characters)
    attrs["output_encoding"] = _codec(output_encoding, "output_encoding")
    return make_tensor("UnicodeTranscode", [_string_input(input, "input")], attrs, name=name or "UnicodeTranscode")


@register
class CharRowsFromCodePoints(OpDef):
    """Each decoded character's bytes in UTF-8 given the input strings, row_splits and byte offsets:
    the string values of unicode_split (numflow's way to cut strings at decoded character starts)."""

    differentiable = False

    def infer(self, op):
        return [(dtypes.string, TensorShape([None]))]

    def kernel(self, op, ctx):
        def char_pieces(values, splits, offsets):
            texts = [_as_bytes(v) for v in np.asarray(values, dtype=object).reshape(-1).tolist()]
            splits, offsets = np.asarray(splits).tolist(), np.asarray(offsets).tolist()
            pieces = []
            for text, start, stop in zip(texts, splits[:-1], splits[1:]):
                bounds = offsets[start:stop] + [len(text)]
                pieces.extend(text[a:b] for a, b in zip(bounds[:-1], bounds[1:]))
            return _string_array(pieces, -1)
        return char_pieces


def _split_chars(input, input_encoding, errors, replacement_char, name):  # noqa: A002
    x, splits, (chars, offsets) = _decode(input, input_encoding, errors, replacement_char, False, True, name)
    with name_scope(name, "UnicodeSplit", [x]):
        if _codec(input_encoding, "input_encoding") == "utf-8" and errors != "ignore":
            pieces = make_tensor("CharRowsFromCodePoints", [x, splits, offsets], name="CharPieces")
        else:
            # Other encodings: each character re-encoded on its own, as TF does.
            from .array import reshape
            pieces = make_tensor("UnicodeEncode", [chars, _dense_splits(reshape(chars, [-1, 1]))],
                                 {"output_encoding": _codec(input_encoding, "input_encoding"), "errors": "replace",
                                  "replacement_char": int(replacement_char)}, name="CharPieces")
        return x, splits, pieces, offsets


def unicode_split(input, input_encoding, errors="replace", replacement_char=65533, name=None):  # noqa: A002
    """`tf.strings.unicode_split(input, input_encoding, errors='replace', replacement_char=65533)`: each
    string split into its characters (each a string). A scalar gives a 1-D Tensor; rank >= 1 a
    SparseTensor with one row per string (TF: a RaggedTensor)."""
    x, splits, pieces, _ = _split_chars(input, input_encoding, errors, replacement_char, name)
    return _rows_result(x, splits, [pieces])[0]


def unicode_split_with_offsets(input, input_encoding, errors="replace", replacement_char=65533,  # noqa: A002
                               name=None):
    """`tf.strings.unicode_split_with_offsets(...)`: (characters, byte offset where each starts), as
    unicode_split."""
    x, splits, pieces, offsets = _split_chars(input, input_encoding, errors, replacement_char, name)
    return tuple(_rows_result(x, splits, [pieces, offsets]))


def bytes_split(input, name=None):  # noqa: A002
    """`tf.strings.bytes_split(input)`: each string split into single bytes. A scalar gives a 1-D Tensor;
    rank >= 1 a SparseTensor with one row per string (TF: a RaggedTensor)."""
    from .array import reshape
    with name_scope(name, "BytesSplit", [input]):
        x = _string_input(input, "input")
        _check_string(x, "BytesSplit")
        flat = reshape(x, [-1])
        op = make_op("StringSplit", [flat, convert_to_tensor(b"", dtype=dtypes.string)], {"skip_empty": False},
                     name="StringSplit")
        if x.shape.ndims == 0:
            return op.outputs[1]
        return SparseTensor(*op.outputs) if x.shape.ndims == 1 else _bytes_rows(x, op)


def _bytes_rows(x, split_op):
    from .array import shape as shape_of
    splits = make_tensor("SparseRowSplits", [split_op.outputs[0], split_op.outputs[2]], name="RowSplits")
    indices, dense_shape = make_op("RowSplitsToSparse", [splits, shape_of(x, out_type=dtypes.int64)],
                                   name="RowSplitsToSparse").outputs
    return SparseTensor(indices, split_op.outputs[1], dense_shape)


@register
class SparseRowSplits(OpDef):
    """int64 row_splits of a rank-2 SparseTensor whose rows are filled from column 0 (a split result)."""

    differentiable = False

    def infer(self, op):
        return [(dtypes.int64, TensorShape([None]))]

    def kernel(self, op, ctx):
        def sparse_row_splits(indices, dense_shape):
            counts = np.bincount(np.asarray(indices)[:, 0], minlength=int(dense_shape[0]))
            return np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        return sparse_row_splits


# --- UnicodeScript -------------------------------------------------------------------------------
# ICU's UScriptCode numbers of the scripts recognised from character names (the first words of a
# Unicode character name name its script for these).
_SCRIPT_CODES = {
    "ARABIC": 2, "ARMENIAN": 3, "BENGALI": 4, "BOPOMOFO": 5, "CHEROKEE": 6, "COPTIC": 7, "CYRILLIC": 8,
    "DESERET": 9, "DEVANAGARI": 10, "ETHIOPIC": 11, "GEORGIAN": 12, "GOTHIC": 13, "GREEK": 14, "GUJARATI": 15,
    "GURMUKHI": 16, "CJK": 17, "HANGUL": 18, "HEBREW": 19, "HIRAGANA": 20, "KANNADA": 21, "KATAKANA": 22,
    "KHMER": 23, "LAO": 24, "LATIN": 25, "MALAYALAM": 26, "MONGOLIAN": 27, "MYANMAR": 28, "OGHAM": 29,
    "OLD ITALIC": 30, "ORIYA": 31, "RUNIC": 32, "SINHALA": 33, "SYRIAC": 34, "TAMIL": 35, "TELUGU": 36,
    "THAANA": 37, "THAI": 38, "TIBETAN": 39, "CANADIAN SYLLABICS": 40, "YI": 41, "TAGALOG": 42, "HANUNOO": 43,
    "BUHID": 44, "TAGBANWA": 45, "BRAILLE": 46, "CYPRIOT": 47, "LIMBU": 48, "LINEAR B": 49, "OSMANYA": 50,
    "SHAVIAN": 51, "TAI LE": 52, "UGARITIC": 53, "BUGINESE": 55, "GLAGOLITIC": 56, "KHAROSHTHI": 57,
    "SYLOTI NAGRI": 58, "NEW TAI LUE": 59, "TIFINAGH": 60, "OLD PERSIAN": 61, "BALINESE": 62, "NKO": 87,
}
_COMMON, _INHERITED, _UNKNOWN = 0, 1, 103


def _script_of(point):
    if not 0 <= point <= 0x10FFFF:
        return -1
    char = chr(point)
    category = unicodedata.category(char)
    if category in ("Mn", "Me"):
        return _INHERITED
    name = unicodedata.name(char, "")
    if category == "Cn" or (not name and category not in ("Cc", "Cs", "Co")):
        return _UNKNOWN
    for words in (" ".join(name.split()[:2]), name.split(" ")[0] if name else ""):
        if words in _SCRIPT_CODES:
            return _SCRIPT_CODES[words]
    if name.startswith("CJK UNIFIED") or name.startswith("CJK COMPATIBILITY IDEOGRAPH"):
        return _SCRIPT_CODES["CJK"]
    return _COMMON


@register
class UnicodeScript(OpDef):
    """int32 ICU script code of each int32 code point (-1 for invalid code points)."""

    differentiable = False

    def infer(self, op):
        x = op.inputs[0]
        if x.dtype is not dtypes.int32:
            raise TypeError("Input 'input' of 'UnicodeScript' Op has type %s that does not match expected type of "
                            "int32." % x.dtype.name)
        return [(dtypes.int32, x.shape)]

    def kernel(self, op, ctx):
        def unicode_script(values):
            values = np.asarray(values)
            return np.array([_script_of(p) for p in values.reshape(-1).tolist()],
                            dtype=np.int32).reshape(values.shape)
        return unicode_script


def unicode_script(input, name=None):  # noqa: A002
    """`tf.strings.unicode_script(input)`: the ICU script code (UScriptCode: 0 Common, 1 Inherited,
    8 Cyrillic, 14 Greek, 17 Han, 25 Latin, ...) of each int32 code point; -1 for invalid ones. numflow
    derives the script from the character's Unicode name, exact for letters of the scripts in
    _SCRIPT_CODES; characters of other scripts read as Common (0)."""
    x = convert_to_tensor(input, name="input") if is_tensor_like(input) else \
        convert_to_tensor(input, dtype=dtypes.int32, name="input")
    return make_tensor("UnicodeScript", [x],
                       name=name or "UnicodeScript")


to_number = string_to_number
