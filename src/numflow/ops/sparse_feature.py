"""`tf.io.SparseFeature` (also `tf.SparseFeature`): a sparse feature stored in an Example as separate
index and value lists, parsed by `tf.parse_example` / `tf.parse_single_example` into one SparseTensor.

It is parsed as VarLenFeatures of its index key(s) (int64) and value key, then assembled: the indices
are [batch row,] + the index values, the dense shape [batch,] + `size`, and the values reordered to
row-major order unless `already_sorted`. Index values are not checked against `size` (TF does not
either); an example whose index and value lists differ in length is an InvalidArgumentError at run time.
"""
import collections

from ..framework import dtypes

__all__ = ["SparseFeature"]


class SparseFeature(collections.namedtuple("SparseFeature",
                                           ["index_key", "value_key", "dtype", "size", "already_sorted"])):
    """`tf.io.SparseFeature(index_key, value_key, dtype, size, already_sorted=False)`: `index_key` (a key,
    or a list of keys for several dimensions) holds int64 indices, `value_key` the values of `dtype`;
    `size` (an int, or a list with one per index key) is the dense shape without the batch dimension."""

    def __new__(cls, index_key, value_key, dtype, size, already_sorted=False):
        return super().__new__(cls, index_key, value_key, dtype, size, already_sorted)


def _index_keys_and_sizes(key, feature):
    if isinstance(feature.index_key, str):
        if not isinstance(feature.size, int):
            raise ValueError("SparseFeature %r has one index_key, so size must be an int: %r" % (key, feature.size))
        return [feature.index_key], [feature.size]
    index_keys, sizes = list(feature.index_key), feature.size
    if not isinstance(sizes, (list, tuple)) or len(sizes) != len(index_keys):
        raise TypeError("SparseFeature %r: size must be a list of Python ints, one per index_key, with %d "
                        "index keys; got %r" % (key, len(index_keys), sizes))
    return index_keys, list(sizes)


def split_sparse_features(features):
    """(features with every SparseFeature replaced by the VarLenFeatures it reads, assemble(parsed)):
    `assemble` turns parse_example's result back into one SparseTensor per SparseFeature."""
    from .parsing import VarLenFeature
    sparse_features = {k: f for k, f in (features or {}).items() if isinstance(f, SparseFeature)}
    if not sparse_features:
        return features, lambda parsed: parsed
    plain = {k: f for k, f in features.items() if not isinstance(f, SparseFeature)}
    for key, feature in sparse_features.items():
        index_keys, _ = _index_keys_and_sizes(key, feature)
        for index_key in index_keys:
            _add_var_len(plain, index_key, VarLenFeature(dtypes.int64))
        _add_var_len(plain, feature.value_key, VarLenFeature(dtypes.as_dtype(feature.dtype)))

    def assemble(parsed):
        result = {k: v for k, v in parsed.items() if k in features}
        for key, feature in sparse_features.items():
            result[key] = _assemble_one(key, feature, parsed)
        return result
    return plain, assemble


def _add_var_len(plain, key, feature):
    existing = plain.get(key)
    if existing is not None and existing != feature:
        raise ValueError("Conflicting features for key %r: %s and %s (read by a SparseFeature)"
                         % (key, existing, feature))
    plain[key] = feature


def _assemble_one(key, feature, parsed):
    from ..framework.graph import control_dependencies, name_scope
    from ..framework.sparse_tensor import SparseTensor
    from . import array
    from .control import identity
    from .debug import assert_equal
    from .sparse_ops import sparse_reorder
    index_keys, sizes = _index_keys_and_sizes(key, feature)
    values = parsed[feature.value_key]
    with name_scope("SparseMerge"):
        checks = []
        for index_key in index_keys:
            indices = parsed[index_key]
            message = "Number of elements in indices (%s) and values (%s) of SparseFeature %r do not match" % (
                index_key, feature.value_key, key)
            checks.append(assert_equal(array.shape(indices.indices), array.shape(values.indices), message=message))
            with control_dependencies(checks[-1:]):     # compare positions only once the counts agree
                checks.append(assert_equal(indices.indices, values.indices, message=message))
        with control_dependencies(checks):
            batched = values.indices.shape[1].value == 2
            rows = [values.indices[:, :1]] if batched else []
            batch_size = [values.dense_shape[:1]] if batched else []
            coordinates = array.concat(rows + [array.expand_dims(parsed[k].values, 1) for k in index_keys], axis=1)
            dense_shape = array.concat(batch_size + [_int64_constant(sizes)], axis=0)
            merged = SparseTensor(coordinates, identity(values.values), dense_shape)
        return merged if feature.already_sorted else sparse_reorder(merged)


def _int64_constant(values):
    from .constant import constant
    return constant(values, dtype=dtypes.int64)
