"""`tf.sparse.cross` and `tf.sparse.cross_hashed`: per example, every combination of one value from each
input (SparseTensors first, then dense tensors, each group in the given order; the last input varies
fastest), as strings joined by '_X_' or as TF's FarmHash-based 64-bit hashes (FingerprintCat64 chained
from `hash_key` over each value's Fingerprint64, or the integer itself), so that hashed crosses match
TensorFlow's bucket for bucket."""
import numpy as np

from ..framework import dtypes, errors
from ..framework.graph import convert_to_tensor, name_scope
from ..framework.op_def import OpDef, register
from ..framework.sparse_tensor import SparseTensor
from ..framework.tensor_shape import TensorShape
from .common import make_op
from .hash_functions import farmhash_fingerprint64

__all__ = ["sparse_cross", "sparse_cross_hashed"]

_DEFAULT_HASH_KEY = 0xDECAFCAFFE
_MASK64 = (1 << 64) - 1
_MUL = 0xC6A4A7935BD1E995
_INT64_MAX = (1 << 63) - 1


def _shift_mix(value):
    return (value ^ (value >> 47)) & _MASK64


def fingerprint_cat64(first, second):
    """TF's FingerprintCat64: combines two 64-bit fingerprints into one (order matters)."""
    result = first ^ _MUL
    result ^= (_shift_mix((second * _MUL) & _MASK64) * _MUL) & _MASK64
    result = (result * _MUL) & _MASK64
    result = (_shift_mix(result) * _MUL) & _MASK64
    return _shift_mix(result)


def _as_text(value):
    if isinstance(value, bytes):
        return value
    return str(int(value)).encode("ascii")


def _feature_hash(value):
    if isinstance(value, (bytes, str)):
        return farmhash_fingerprint64(value if isinstance(value, bytes) else value.encode("utf-8"))
    return int(value) & _MASK64


@register
class SparseCrossRows(OpDef):
    """Crosses features given as (row ids, values) pairs per input; see the module docstring."""

    differentiable = False

    def infer(self, op):
        hashed = op.attrs["hashed"]
        for values in op.inputs[2::2]:
            if values.dtype not in (dtypes.string, dtypes.int64, dtypes.int32):
                raise TypeError("cross inputs must be string, int32 or int64, got %s" % values.dtype.name)
        return [(dtypes.int64, TensorShape([None, 2])),
                (dtypes.int64 if hashed else dtypes.string, TensorShape([None])), (dtypes.int64, TensorShape([2]))]

    def kernel(self, op, ctx):
        attrs = op.attrs
        hashed, buckets, key, separator = attrs["hashed"], attrs["num_buckets"], attrs["hash_key"], attrs["separator"]
        separator = separator.encode("utf-8")

        def cross(batch_size, *pairs):
            batch = int(batch_size)
            per_input = []
            for rows, values in zip(pairs[0::2], pairs[1::2]):
                rows = np.asarray(rows).reshape(-1)
                values = np.asarray(values).reshape(-1)
                if rows.size and (rows.min() < 0 or rows.max() >= batch):
                    raise errors.InvalidArgumentError(None, op, "cross input rows must be in [0, %d)" % batch)
                grouped = [[] for _ in range(batch)]
                for row, value in zip(rows.tolist(), values.tolist()):
                    grouped[row].append(value)
                per_input.append(grouped)
            indices, out = [], []
            for row in range(batch):
                combos = [[]]
                for grouped in per_input:
                    combos = [combo + [value] for combo in combos for value in grouped[row]]
                for column, combo in enumerate(combos if per_input else []):
                    indices.append((row, column))
                    if hashed:
                        code = key
                        for value in combo:
                            code = fingerprint_cat64(code, _feature_hash(value))
                        out.append(code % buckets if buckets > 0 else code % _INT64_MAX)
                    else:
                        out.append(separator.join(_as_text(v) for v in combo))
            width = max((c for _, c in indices), default=-1) + 1
            index_array = np.asarray(indices, np.int64).reshape(-1, 2)
            if hashed:
                value_array = np.asarray(out, np.int64)
            else:
                value_array = np.empty(len(out), dtype=object)
                value_array[:] = out
            return index_array, value_array, np.asarray([batch, width], np.int64)
        return cross


def _row_pairs(inputs):
    """(row ids, values) per input, SparseTensors first then dense [batch, n] tensors, and the batch size."""
    from .array import expand_dims, range as range_, reshape, shape, tile
    from .math import cast
    sparse = [t for t in inputs if isinstance(t, SparseTensor)]
    dense = [convert_to_tensor(t) for t in inputs if not isinstance(t, SparseTensor)]
    pairs, batch = [], None
    for tensor in sparse:
        if tensor.dense_shape.shape.ndims == 1 and tensor.dense_shape.shape[0].value not in (None, 2):
            raise ValueError("cross takes 2-D SparseTensors [batch, n], got rank %d" % tensor.dense_shape.shape[0].value)
        pairs.append((tensor.indices[:, 0], tensor.values))
        batch = tensor.dense_shape[0] if batch is None else batch
    for tensor in dense:
        if tensor.shape.ndims not in (None, 2):
            raise ValueError("cross takes dense inputs of rank 2 [batch, n], got shape %s" % tensor.shape)
        rows = shape(tensor, out_type=dtypes.int64)
        row_ids = tile(expand_dims(range_(rows[0]), 1), [1, rows[1]])
        pairs.append((reshape(row_ids, [-1]), reshape(tensor, [-1])))
        batch = rows[0] if batch is None else batch
    if not pairs:
        raise ValueError("cross needs at least one input")
    return pairs, cast(batch, dtypes.int64)


def _cross(inputs, hashed, num_buckets, hash_key, separator, name, scope_name):
    if not isinstance(inputs, (list, tuple)):
        raise TypeError("Inputs must be a list")
    with name_scope(name, scope_name, []) as scope:
        pairs, batch = _row_pairs(list(inputs))
        flat = [batch] + [t for pair in pairs for t in pair]
        op = make_op("SparseCrossRows", flat, {"hashed": hashed, "num_buckets": int(num_buckets),
                                               "hash_key": int(hash_key), "separator": separator}, name=scope)
        return SparseTensor(*op.outputs)


def sparse_cross(inputs, name=None, separator=None):
    """`tf.sparse.cross(inputs, separator='_X_')`: a string SparseTensor [batch, n] of every combination
    of one value per input in each example, joined by `separator` (integers written in decimal)."""
    return _cross(inputs, False, 0, 0, "_X_" if separator is None else separator, name, "SparseCross")


def sparse_cross_hashed(inputs, num_buckets=0, hash_key=None, name=None):
    """`tf.sparse.cross_hashed(inputs, num_buckets=0, hash_key=None)`: as cross, each combination
    hashed to an int64 (modulo num_buckets when positive), bit-compatible with TensorFlow's."""
    if int(num_buckets) < 0:
        raise ValueError("num_buckets must be >= 0, got %d" % num_buckets)
    key = _DEFAULT_HASH_KEY if hash_key is None else int(hash_key)
    return _cross(inputs, True, num_buckets, key, "", name, "SparseCrossHashed")
