"""`tf.feature_column`: how raw features (a dict of Tensors or SparseTensors) become a model's inputs.

Dense columns (numeric, bucketized, indicator, embedding) become float32 [batch, n] blocks that
`input_layer` concatenates; categorical columns (identity, vocabulary, hash bucket, bucketized) become
ids that `linear_model`, `indicator_column` and `embedding_column` consume.

Internally a categorical column's value is an int64 [batch, n] tensor of ids, n values per example, with
-1 marking "no value" (a missing entry of a SparseTensor input, the ignore value -1 or '' of a dense input,
or an out-of-vocabulary value with default_value -1); every combiner skips those, as TF's sparse ids do.
"""
import collections
import math

import numpy as np

from ..framework import dtypes
from ..framework.graph import Tensor, convert_to_tensor
from ..framework.sparse_tensor import SparseTensor, sparse_tensor_to_dense
from ..framework.tensor_shape import TensorShape
from ..ops.hash_bucket_ops import string_to_hash_bucket_fast

__all__ = ["numeric_column", "bucketized_column", "categorical_column_with_identity",
           "categorical_column_with_vocabulary_list", "categorical_column_with_hash_bucket", "indicator_column",
           "embedding_column", "crossed_column", "input_layer", "linear_model", "make_parse_example_spec"]


def _ops():
    """The op modules, imported when first needed (numflow's package imports this one early)."""
    from ..ops import array, math as math_ops
    return array, math_ops


# --- the lazy feature dictionary -----------------------------------------------------------------
class _LazyBuilder:
    """Transforms each column of a features dict once, caching the result (columns share sources)."""

    def __init__(self, features):
        if not isinstance(features, dict):
            raise ValueError("features should be a dictionary of `Tensor`s. Given type: %s" % type(features))
        self._features = dict(features)
        self._cache = {}

    def get(self, key, column):
        """The transformed value of `key` (a feature name, read for `column`) or of a column."""
        if not isinstance(key, str):
            if key not in self._cache:
                self._cache[key] = key._transform_feature(self)
            return self._cache[key]
        if key not in self._features:
            raise ValueError("Feature %s is not in features dictionary (needed by feature column %r); the "
                             "features have keys %s." % (key, column.name, sorted(self._features)))
        value = self._features[key]
        if isinstance(value, SparseTensor):
            return value
        try:
            return convert_to_tensor(value)
        except (TypeError, ValueError) as exc:
            raise ValueError("Feature %s (for feature column %r) could not be converted to a Tensor: %s"
                             % (key, column.name, exc)) from None


def _check_key(key, what):
    if not isinstance(key, str):
        raise ValueError("%s must be a string. Given: %r" % (what, key))


def _flat_per_example(tensor, key, column_name):
    """`tensor` reshaped to [batch, n]; a scalar per example ([batch]) becomes [batch, 1]."""
    array, _ = _ops()
    if tensor.shape.ndims == 0:
        raise ValueError("Feature %s of column %r must have a batch dimension, got a scalar." % (key, column_name))
    return array.reshape(tensor, [-1, _per_example_size(tensor.shape)] if tensor.shape[1:].is_fully_defined()
                         else [array.shape(tensor)[0], -1])


def _per_example_size(shape):
    size = 1
    for dim in list(shape)[1:]:
        size *= dim.value
    return size


# --- base classes --------------------------------------------------------------------------------
class _FeatureColumn:
    """What every column has: a unique `name` and the parse spec of the raw features it reads."""

    name = None

    @property
    def _parse_example_spec(self):
        raise NotImplementedError

    def _transform_feature(self, builder):
        raise NotImplementedError

    def __lt__(self, other):
        return self.name < other.name

    def __repr__(self):
        return "%s(%s)" % (type(self).__name__, ", ".join("%s=%r" % kv for kv in self._asdict().items()))


class _DenseColumn(_FeatureColumn):
    """A column that becomes a float32 [batch, prod(_variable_shape)] block of input_layer."""

    @property
    def _variable_shape(self):
        raise NotImplementedError

    def _get_dense_tensor(self, builder, weight_collections=None, trainable=None):
        raise NotImplementedError


_IdsAndWeights = collections.namedtuple("_IdsAndWeights", ["ids", "weights"])


class _CategoricalColumn(_FeatureColumn):
    """A column whose value is a set of ids in [0, _num_buckets) per example (see the module docstring)."""

    @property
    def _num_buckets(self):
        raise NotImplementedError

    def _get_sparse_tensors(self, builder, weight_collections=None, trainable=None):
        """(ids int64 [batch, n] with -1 for no value, weights float32 [batch, n] or None)."""
        return _IdsAndWeights(builder.get(self, self), None)


# --- numeric and bucketized ----------------------------------------------------------------------
class _NumericColumn(_DenseColumn, collections.namedtuple(
        "_NumericColumn", ["key", "shape", "default_value", "dtype", "normalizer_fn"])):
    """See numeric_column."""

    @property
    def name(self):
        return self.key

    @property
    def _parse_example_spec(self):
        from ..ops.parsing import FixedLenFeature
        return {self.key: FixedLenFeature(self.shape, self.dtype, self.default_value)}

    @property
    def _variable_shape(self):
        return TensorShape(self.shape)

    def _transform_feature(self, builder):
        _, math_ops = _ops()
        value = builder.get(self.key, self)
        if isinstance(value, SparseTensor):
            raise ValueError("The corresponding Tensor of numerical column must be a Tensor. SparseTensor is not "
                             "supported. key: %s" % self.key)
        if self.normalizer_fn is not None:
            value = self.normalizer_fn(value)
        if not (value.dtype.is_floating or value.dtype.is_integer or value.dtype is dtypes.bool):
            raise ValueError("Feature %s of numeric column %r has dtype %s, which is not numeric."
                             % (self.key, self.name, value.dtype.name))
        expected = int(np.prod(self.shape))
        shape = value.shape
        if shape.ndims is not None and shape[1:].is_fully_defined():
            got = _per_example_size(shape)
            if got != expected:
                raise ValueError("Feature %s has shape %s (%d values per example), but numeric column %r expects "
                                 "shape %s per example (%d values)." % (self.key, shape, got, self.name,
                                                                        self.shape, expected))
        return math_ops.cast(value, dtypes.float32)

    def _get_dense_tensor(self, builder, weight_collections=None, trainable=None):
        return builder.get(self, self)


def numeric_column(key, shape=(1,), default_value=None, dtype=dtypes.float32, normalizer_fn=None):
    """`tf.feature_column.numeric_column(key, shape=(1,), default_value=None, dtype=tf.float32,
    normalizer_fn=None)`: the feature `key` as float32 values of `shape` per example (`normalizer_fn` is
    applied to the raw tensor first). `default_value` is used when parsing Examples that lack the key."""
    _check_key(key, "key")
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    for dim in shape:
        if not isinstance(dim, (int, np.integer)) or dim < 1:
            raise ValueError("shape dimensions must be greater than 0. shape: %s, key: %s" % (shape, key))
    shape = tuple(int(d) for d in shape)
    dtype = dtypes.as_dtype(dtype)
    if not (dtype.is_floating or dtype.is_integer):
        raise ValueError("dtype must be convertible to float. dtype: %s, key: %s" % (dtype, key))
    if default_value is not None:
        array = np.asarray(default_value, dtype=dtype.np)
        if array.shape not in ((), shape):
            raise ValueError("The shape of default_value must be equal to given shape. default_value: %s, shape: "
                             "%s, key: %s" % (default_value, shape, key))
        default_value = tuple(np.broadcast_to(array, shape).ravel().tolist())
    if normalizer_fn is not None and not callable(normalizer_fn):
        raise TypeError("normalizer_fn must be a callable. Given: %r" % (normalizer_fn,))
    return _NumericColumn(key, shape, default_value, dtype, normalizer_fn)


class _BucketizedColumn(_DenseColumn, _CategoricalColumn,
                        collections.namedtuple("_BucketizedColumn", ["source_column", "boundaries"])):
    """See bucketized_column."""

    @property
    def name(self):
        return self.source_column.name + "_bucketized"

    @property
    def _parse_example_spec(self):
        return self.source_column._parse_example_spec

    @property
    def _source_size(self):
        return int(np.prod(self.source_column.shape))

    def _transform_feature(self, builder):
        """Bucket index per source value: how many boundaries are <= the value (0 .. len(boundaries))."""
        array, math_ops = _ops()
        values = _flat_per_example(builder.get(self.source_column, self), self.source_column.key, self.name)
        boundaries = convert_to_tensor(np.asarray(self.boundaries, np.float32))
        above = math_ops.greater_equal(array.expand_dims(values, -1), boundaries)
        return math_ops.reduce_sum(math_ops.cast(above, dtypes.int64), axis=-1)

    @property
    def _variable_shape(self):
        return TensorShape(list(self.source_column.shape) + [len(self.boundaries) + 1])

    def _get_dense_tensor(self, builder, weight_collections=None, trainable=None):
        array, _ = _ops()
        buckets = builder.get(self, self)
        one_hot = array.one_hot(buckets, len(self.boundaries) + 1, dtype=dtypes.float32)
        return array.reshape(one_hot, [-1, self._source_size * (len(self.boundaries) + 1)])

    @property
    def _num_buckets(self):
        return self._source_size * (len(self.boundaries) + 1)

    def _get_sparse_tensors(self, builder, weight_collections=None, trainable=None):
        # Element i of a multi-dimensional source gets its own range of buckets, as in TF.
        buckets = builder.get(self, self)
        offsets = np.arange(self._source_size, dtype=np.int64) * (len(self.boundaries) + 1)
        return _IdsAndWeights(buckets + offsets, None)


def bucketized_column(source_column, boundaries):
    """`tf.feature_column.bucketized_column(source_column, boundaries)`: a numeric column's values turned
    into bucket ids: bucket i holds boundaries[i-1] <= x < boundaries[i] (bucket 0 everything below the
    first boundary, the last bucket everything from the last one). Dense: one-hot per value."""
    if not isinstance(source_column, _NumericColumn):
        raise ValueError("source_column must be a column generated with numeric_column(). Given: %r"
                         % (source_column,))
    if len(source_column.shape) > 1:
        raise ValueError("source_column must be one-dimensional column. Given: %r" % (source_column,))
    if not isinstance(boundaries, (list, tuple)) or not boundaries:
        raise ValueError("boundaries must be a sorted list.")
    if any(boundaries[i] >= boundaries[i + 1] for i in range(len(boundaries) - 1)):
        raise ValueError("boundaries must be a sorted list.")
    return _BucketizedColumn(source_column, tuple(float(b) for b in boundaries))


# --- categorical columns -------------------------------------------------------------------------
def _categorical_input(builder, key, column, dtype):
    """The raw feature `key` as a dense [batch, n] tensor, missing entries set to the ignore value
    (-1 for integers, '' for strings), checked against the column's dtype."""
    array, _ = _ops()
    value = builder.get(key, column)
    value_dtype = value.dtype
    compatible = (value_dtype is dtypes.string) == (dtype is dtypes.string) and \
        (dtype is dtypes.string or value_dtype.is_integer)
    if not compatible:
        raise ValueError("Column dtype and SparseTensors dtype must be compatible. key: %s, column dtype: %s, "
                         "tensor dtype: %s" % (key, dtype.name, value_dtype.name))
    ignore = b"" if value_dtype is dtypes.string else -1
    if isinstance(value, SparseTensor):
        dense = sparse_tensor_to_dense(value, default_value=ignore)
        return _flat_per_example(dense, key, column.name), ignore
    return _flat_per_example(value, key, column.name), ignore


def _minus_ones(ids):
    array, _ = _ops()
    return array.fill(array.shape(ids), np.int64(-1))


class _IdentityCategoricalColumn(_CategoricalColumn, collections.namedtuple(
        "_IdentityCategoricalColumn", ["key", "number_buckets", "default_value"])):
    """See categorical_column_with_identity."""

    @property
    def name(self):
        return self.key

    @property
    def _parse_example_spec(self):
        from ..ops.parsing import VarLenFeature
        return {self.key: VarLenFeature(dtypes.int64)}

    @property
    def _num_buckets(self):
        return self.number_buckets

    def _transform_feature(self, builder):
        from ..framework.graph import control_dependencies
        from ..ops.debug import Assert
        array, math_ops = _ops()
        values, ignore = _categorical_input(builder, self.key, self, dtypes.int64)
        ids = math_ops.cast(values, dtypes.int64)
        missing = math_ops.equal(ids, ignore)
        out_of_range = math_ops.logical_and(
            math_ops.logical_not(missing),
            math_ops.logical_or(math_ops.less(ids, 0), math_ops.greater_equal(ids, self.number_buckets)))
        if self.default_value is None:
            check = Assert(math_ops.logical_not(math_ops.reduce_any(out_of_range)),
                           ["Feature %s of categorical_column_with_identity %r has values outside [0, %d):"
                            % (self.key, self.name, self.number_buckets), ids], summarize=10)
            from ..ops.control import identity
            with control_dependencies([check]):
                ids = identity(ids)
            return math_ops.where(missing, _minus_ones(ids), ids)
        replaced = math_ops.where(out_of_range, array.fill(array.shape(ids), np.int64(self.default_value)), ids)
        return math_ops.where(missing, _minus_ones(ids), replaced)


def categorical_column_with_identity(key, num_buckets, default_value=None):
    """`tf.feature_column.categorical_column_with_identity(key, num_buckets, default_value=None)`: integer
    values used as ids directly. Values outside [0, num_buckets) become `default_value`, or fail the run
    (InvalidArgumentError naming the key) when it is None; -1 in a dense input means "no value"."""
    _check_key(key, "key")
    if num_buckets < 1:
        raise ValueError("num_buckets %s < 1, column_name %s" % (num_buckets, key))
    if default_value is not None and not 0 <= default_value < num_buckets:
        raise ValueError("default_value %s not in range [0, %s), column_name %s" % (default_value, num_buckets, key))
    return _IdentityCategoricalColumn(key, int(num_buckets), default_value)


class _VocabularyListCategoricalColumn(_CategoricalColumn, collections.namedtuple(
        "_VocabularyListCategoricalColumn", ["key", "vocabulary_list", "dtype", "default_value", "num_oov_buckets"])):
    """See categorical_column_with_vocabulary_list."""

    @property
    def name(self):
        return self.key

    @property
    def _parse_example_spec(self):
        from ..ops.parsing import VarLenFeature
        return {self.key: VarLenFeature(self.dtype)}

    @property
    def _num_buckets(self):
        return len(self.vocabulary_list) + self.num_oov_buckets

    def _transform_feature(self, builder):
        values, ignore = _categorical_input(builder, self.key, self, self.dtype)
        if self.dtype is not dtypes.string:
            values = _ops()[1].cast(values, dtypes.int64)
        ids = vocabulary_lookup(values, self.vocabulary_list, self.default_value, self.num_oov_buckets)
        _, math_ops = _ops()
        return math_ops.where(math_ops.equal(values, ignore), _minus_ones(ids), ids)


def vocabulary_lookup(values, vocabulary, default_value=-1, num_oov_buckets=0):
    """int64 ids of `values` (any shape) in `vocabulary` (a list); a value not in it gets
    len(vocabulary) + hash bucket when num_oov_buckets > 0, else `default_value`."""
    array, math_ops = _ops()
    vocabulary_tensor = convert_to_tensor(np.asarray(vocabulary, dtype=object if values.dtype is dtypes.string
                                                     else values.dtype.np), dtype=values.dtype)
    matches = math_ops.equal(array.expand_dims(values, -1), vocabulary_tensor)
    found = math_ops.reduce_any(matches, axis=-1)
    index = math_ops.argmax(math_ops.cast(matches, dtypes.int32), axis=-1, output_type=dtypes.int64)
    if num_oov_buckets:
        fallback = string_to_hash_bucket_fast(values, num_oov_buckets) + len(vocabulary)
    else:
        fallback = array.fill(array.shape(index), np.int64(default_value))
    return math_ops.where(found, index, fallback)


def _vocabulary_dtype(vocabulary_list, dtype, key):
    is_string = all(isinstance(v, (str, bytes)) for v in vocabulary_list)
    is_int = all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in vocabulary_list)
    if not (is_string or is_int):
        raise ValueError("vocabulary_list must be all strings or all integers, column_name: %s" % key)
    inferred = dtypes.string if is_string else dtypes.int64
    if dtype is None:
        return inferred
    dtype = dtypes.as_dtype(dtype)
    if (dtype is dtypes.string) != is_string or not (dtype is dtypes.string or dtype.is_integer):
        raise ValueError("dtype %s and vocabulary dtype %s do not match, column_name: %s"
                         % (dtype.name, inferred.name, key))
    return dtypes.string if dtype is dtypes.string else dtypes.int64


def categorical_column_with_vocabulary_list(key, vocabulary_list, dtype=None, default_value=-1, num_oov_buckets=0):
    """`tf.feature_column.categorical_column_with_vocabulary_list(key, vocabulary_list, dtype=None,
    default_value=-1, num_oov_buckets=0)`: each value's position in `vocabulary_list` is its id; other
    values get `default_value` (-1: no value) or, with num_oov_buckets, one of that many extra hashed ids
    after the vocabulary. dtype (string or integer) is inferred from the vocabulary."""
    _check_key(key, "key")
    if vocabulary_list is None or len(vocabulary_list) < 1:
        raise ValueError("vocabulary_list %s must be non-empty, column_name: %s" % (vocabulary_list, key))
    vocabulary_list = [v.encode("utf-8") if isinstance(v, str) else v for v in vocabulary_list]
    if len(set(vocabulary_list)) != len(vocabulary_list):
        raise ValueError("Duplicate keys in vocabulary_list %s, column_name: %s" % (vocabulary_list, key))
    if num_oov_buckets < 0:
        raise ValueError("Invalid num_oov_buckets %s in %s." % (num_oov_buckets, key))
    if num_oov_buckets and default_value not in (None, -1):
        raise ValueError("Can't specify both num_oov_buckets and default_value in %s." % key)
    dtype = _vocabulary_dtype(vocabulary_list, dtype, key)
    vocabulary_list = tuple(vocabulary_list if dtype is dtypes.string else (int(v) for v in vocabulary_list))
    return _VocabularyListCategoricalColumn(key, vocabulary_list, dtype,
                                            -1 if default_value is None else int(default_value), int(num_oov_buckets))


class _HashedCategoricalColumn(_CategoricalColumn, collections.namedtuple(
        "_HashedCategoricalColumn", ["key", "hash_bucket_size", "dtype"])):
    """See categorical_column_with_hash_bucket."""

    @property
    def name(self):
        return self.key

    @property
    def _parse_example_spec(self):
        from ..ops.parsing import VarLenFeature
        return {self.key: VarLenFeature(self.dtype)}

    @property
    def _num_buckets(self):
        return self.hash_bucket_size

    def _transform_feature(self, builder):
        _, math_ops = _ops()
        values, ignore = _categorical_input(builder, self.key, self, self.dtype)
        ids = string_to_hash_bucket_fast(values, self.hash_bucket_size)
        return math_ops.where(math_ops.equal(values, ignore), _minus_ones(ids), ids)


def categorical_column_with_hash_bucket(key, hash_bucket_size, dtype=dtypes.string):
    """`tf.feature_column.categorical_column_with_hash_bucket(key, hash_bucket_size, dtype=tf.string)`:
    ids = Fingerprint64(value) mod hash_bucket_size (integers are hashed as their decimal text), TF's
    FarmHash: a value lands in the same bucket as with TensorFlow."""
    _check_key(key, "key")
    if hash_bucket_size is None or hash_bucket_size < 1:
        raise ValueError("hash_bucket_size must be at least 1. hash_bucket_size: %s, key: %s"
                         % (hash_bucket_size, key))
    dtype = dtypes.as_dtype(dtype)
    if dtype is not dtypes.string and not dtype.is_integer:
        raise ValueError("dtype must be string or integer. dtype: %s, column_name: %s" % (dtype, key))
    return _HashedCategoricalColumn(key, int(hash_bucket_size), dtype)


class _CrossedColumn(_CategoricalColumn, collections.namedtuple(
        "_CrossedColumn", ["keys", "hash_bucket_size", "hash_key"])):
    """See crossed_column."""

    @property
    def name(self):
        return "_X_".join(key if isinstance(key, str) else key.name for key in sorted(
            self.keys, key=lambda k: k if isinstance(k, str) else k.name))

    @property
    def _parse_example_spec(self):
        from ..ops.parsing import VarLenFeature
        spec = {}
        for key in self.keys:
            spec.update({key: VarLenFeature(dtypes.string)} if isinstance(key, str) else key._parse_example_spec)
        return spec

    @property
    def _num_buckets(self):
        return self.hash_bucket_size

    def _parts(self, builder):
        """Per input: a string [batch, n] tensor of its values' text and a bool [batch, n] 'has value'."""
        _, math_ops = _ops()
        parts = []
        for key in self.keys:
            if isinstance(key, str):
                values, ignore = _categorical_input(builder, key, self, dtypes.string)
                parts.append((values, math_ops.not_equal(values, ignore)))
            else:
                ids = key._get_sparse_tensors(builder).ids
                parts.append((ids, math_ops.greater_equal(ids, 0)))
        return parts

    def _transform_feature(self, builder):
        """Every combination of one value per input (a cartesian product per example) hashed together."""
        array, math_ops = _ops()
        parts = self._parts(builder)
        combined_hash, combined_valid = None, None
        for values, valid in parts:
            hashed = string_to_hash_bucket_fast(values, _CROSS_MODULUS)
            if combined_hash is None:
                combined_hash, combined_valid = hashed, valid
                continue
            # [batch, a] x [batch, b] -> [batch, a * b]
            mixed = array.expand_dims(combined_hash * _CROSS_MULTIPLIER, -1) + array.expand_dims(hashed, 1)
            combined_hash = array.reshape(math_ops.floormod(mixed + self.hash_key, _CROSS_MODULUS),
                                          [array.shape(values)[0], -1])
            both = math_ops.logical_and(array.expand_dims(combined_valid, -1), array.expand_dims(valid, 1))
            combined_valid = array.reshape(both, [array.shape(values)[0], -1])
        ids = math_ops.floormod(combined_hash, self.hash_bucket_size)
        return math_ops.where(combined_valid, ids, _minus_ones(ids))


# Mixing constants of the cross hash: keep intermediate products below 2**63.
_CROSS_MODULUS = 2 ** 31 - 1
_CROSS_MULTIPLIER = 1000003


def crossed_column(keys, hash_bucket_size, hash_key=None):
    """`tf.feature_column.crossed_column(keys, hash_bucket_size, hash_key=None)`: every combination of
    the values of `keys` (feature names of string features, or categorical columns other than hashed
    ones) hashed to one of `hash_bucket_size` ids. numflow's cross hash differs from TF's FarmHash-based
    one (deterministic, not bucket-compatible)."""
    if not hash_bucket_size or hash_bucket_size < 1:
        raise ValueError("hash_bucket_size must be > 1. hash_bucket_size: %s" % hash_bucket_size)
    if not keys or len(keys) < 2:
        raise ValueError("keys must be a list with length > 1. Given: %s" % (keys,))
    for key in keys:
        if not isinstance(key, (str, _CategoricalColumn)):
            raise ValueError("Unsupported key type. All keys must be either string, or categorical column except "
                             "_HashedCategoricalColumn. Given: %r" % (key,))
        if isinstance(key, _HashedCategoricalColumn):
            raise ValueError("categorical_column_with_hash_bucket is not supported for crossing. Hashing before "
                             "crossing will increase probability of collision. Instead, use the feature name as a "
                             "string. Given: %r" % (key,))
    return _CrossedColumn(tuple(keys), int(hash_bucket_size), int(hash_key or 0))


# --- dense columns over categorical ones ---------------------------------------------------------
def _require_categorical(column, what):
    if not isinstance(column, _CategoricalColumn):
        raise ValueError("%s must be a categorical column (categorical_column_with_*, bucketized_column or "
                         "crossed_column). Given: %r" % (what, column))


class _IndicatorColumn(_DenseColumn, collections.namedtuple("_IndicatorColumn", ["categorical_column"])):
    """See indicator_column."""

    @property
    def name(self):
        return self.categorical_column.name + "_indicator"

    @property
    def _parse_example_spec(self):
        return self.categorical_column._parse_example_spec

    @property
    def _variable_shape(self):
        return TensorShape([self.categorical_column._num_buckets])

    def _transform_feature(self, builder):
        _refuse_sequence(self, "indicator_column")
        array, math_ops = _ops()
        ids, weights = self.categorical_column._get_sparse_tensors(builder)
        one_hot = array.one_hot(ids, self.categorical_column._num_buckets, dtype=dtypes.float32)  # -1: zeros
        if weights is not None:
            one_hot = one_hot * array.expand_dims(weights, -1)
        return math_ops.reduce_sum(one_hot, axis=1)

    def _get_dense_tensor(self, builder, weight_collections=None, trainable=None):
        return builder.get(self, self)


def _refuse_sequence(column, function):
    """A column over a sequence categorical column has a time axis that input_layer would silently sum away."""
    if getattr(column.categorical_column, "_is_sequence", False):
        raise ValueError("In %s: %s. categorical_column must not be of type _SequenceCategoricalColumn. Suggested "
                         "fix A: If you wish to use input_layer, use a non-sequence categorical_column_with_*. "
                         "Suggested fix B: If you wish to create sequence input, use sequence_input_layer instead "
                         "of input_layer." % (function, column.name))


def indicator_column(categorical_column):
    """`tf.feature_column.indicator_column(categorical_column)`: a multi-hot float32 [batch, num_buckets]
    block: the count of each id in the example (one-hot for a single value; all zeros for none)."""
    _require_categorical(categorical_column, "categorical_column")
    return _IndicatorColumn(categorical_column)


def _combine(values, ids, weights, combiner):
    """Per example, the `combiner` ('sum', 'mean', 'sqrtn') of the rows `values` [batch, n, d] whose ids are
    valid (>= 0), weighted by `weights` [batch, n]; an example without ids gives zeros."""
    array, math_ops = _ops()
    valid = math_ops.cast(math_ops.greater_equal(ids, 0), dtypes.float32)
    if weights is not None:
        valid = valid * weights
    summed = math_ops.reduce_sum(values * array.expand_dims(valid, -1), axis=1)
    if combiner == "sum":
        return summed
    if combiner == "mean":
        total = math_ops.reduce_sum(valid, axis=1, keepdims=True)
    else:
        total = math_ops.sqrt(math_ops.reduce_sum(valid * valid, axis=1, keepdims=True))
    return math_ops.div_no_nan(summed, total)


def _lookup_and_combine(params, ids, weights, combiner, max_norm=None):
    """The rows of `params` at the valid ids, combined per example (see _combine)."""
    from ..ops.nn import embedding_lookup
    _, math_ops = _ops()
    rows = embedding_lookup(params, math_ops.maximum(ids, 0), max_norm=max_norm)
    return _combine(rows, ids, weights, combiner)


_COMBINERS = ("mean", "sqrtn", "sum")


class _EmbeddingColumn(_DenseColumn, collections.namedtuple(
        "_EmbeddingColumn", ["categorical_column", "dimension", "combiner", "initializer", "ckpt_to_load_from",
                             "tensor_name_in_ckpt", "max_norm", "trainable"])):
    """See embedding_column."""

    @property
    def name(self):
        return self.categorical_column.name + "_embedding"

    @property
    def _parse_example_spec(self):
        return self.categorical_column._parse_example_spec

    @property
    def _variable_shape(self):
        return TensorShape([self.dimension])

    def _transform_feature(self, builder):
        return self.categorical_column._get_sparse_tensors(builder)

    def _embedding_weights(self, weight_collections=None, trainable=None):
        """The [num_buckets, dimension] variable 'embedding_weights' (also used per step by
        sequence_input_layer)."""
        from ..variable_scope import get_variable
        embedding_weights = get_variable(
            "embedding_weights", shape=[self.categorical_column._num_buckets, self.dimension], dtype=dtypes.float32,
            initializer=self.initializer, trainable=self.trainable and (trainable is not False),
            collections=weight_collections)
        if self.ckpt_to_load_from is not None:
            from ..train.checkpoint_utils import init_from_checkpoint
            init_from_checkpoint(self.ckpt_to_load_from, {self.tensor_name_in_ckpt: embedding_weights})
        return embedding_weights

    def _get_dense_tensor(self, builder, weight_collections=None, trainable=None):
        _refuse_sequence(self, "embedding_column")
        ids, weights = builder.get(self, self)
        embedding_weights = self._embedding_weights(weight_collections, trainable)
        return _lookup_and_combine(embedding_weights, ids, weights, self.combiner, self.max_norm)


def embedding_column(categorical_column, dimension, combiner="mean", initializer=None, ckpt_to_load_from=None,
                     tensor_name_in_ckpt=None, max_norm=None, trainable=True):
    """`tf.feature_column.embedding_column(categorical_column, dimension, combiner='mean',
    initializer=None, ckpt_to_load_from=None, tensor_name_in_ckpt=None, max_norm=None, trainable=True)`:
    a learned float32 [batch, dimension] block: the rows of the variable 'embedding_weights'
    [num_buckets, dimension] at the example's ids, combined by 'mean' (default), 'sqrtn' or 'sum'.
    The default initializer is a truncated normal with stddev 1/sqrt(dimension)."""
    _require_categorical(categorical_column, "categorical_column")
    if dimension is None or dimension < 1:
        raise ValueError("Invalid dimension %s." % dimension)
    if (ckpt_to_load_from is None) != (tensor_name_in_ckpt is None):
        raise ValueError("Must specify both `ckpt_to_load_from` and `tensor_name_in_ckpt` or none of them.")
    if combiner not in _COMBINERS:
        raise ValueError("combiner must be one of %s, got %r." % (list(_COMBINERS), combiner))
    if initializer is not None and not callable(initializer):
        raise ValueError("initializer must be callable if specified. Embedding of column_name: %s"
                         % categorical_column.name)
    if initializer is None:
        from ..init_ops import truncated_normal_initializer
        initializer = truncated_normal_initializer(mean=0.0, stddev=1 / math.sqrt(dimension))
    return _EmbeddingColumn(categorical_column, int(dimension), combiner, initializer, ckpt_to_load_from,
                            tensor_name_in_ckpt, max_norm, trainable)


# --- building the model's inputs -----------------------------------------------------------------
def _check_columns(feature_columns, allowed, message):
    if isinstance(feature_columns, _FeatureColumn):
        feature_columns = [feature_columns]
    if isinstance(feature_columns, dict):
        raise ValueError("Expected feature_columns to be iterable, found dict.")
    feature_columns = list(feature_columns or [])
    if not feature_columns:
        raise ValueError("feature_columns must not be empty.")
    names = {}
    for column in feature_columns:
        if not isinstance(column, allowed):
            raise ValueError(message % (column,))
        if column.name in names:
            raise ValueError("Duplicate feature column name found for columns: %r and %r. This usually means that "
                             "these columns refer to same base feature. Either one must be discarded or a duplicated "
                             "but renamed item must be inserted in features dict." % (names[column.name], column))
        names[column.name] = column
    return sorted(feature_columns, key=lambda c: c.name)


def input_layer(features, feature_columns, weight_collections=None, trainable=True, cols_to_vars=None,
                cols_to_output_tensors=None):
    """`tf.feature_column.input_layer(features, feature_columns, weight_collections=None, trainable=True,
    cols_to_vars=None, cols_to_output_tensors=None)`: the float32 [batch, total width] tensor made of
    each dense column's block, columns sorted by name (as TF does), in variable scope 'input_layer'
    (an embedding's variable is 'input_layer/<column name>/embedding_weights')."""
    from ..variable_scope import variable_scope
    columns = _check_columns(feature_columns, _DenseColumn,
                             "Items of feature_columns must be a _DenseColumn. You can wrap a categorical column "
                             "with an embedding_column or indicator_column. Given: %r")
    builder = _LazyBuilder(features)
    array, _ = _ops()
    with variable_scope(None, default_name="input_layer", values=list(builder._features.values())
                        if all(isinstance(v, Tensor) for v in builder._features.values()) else None):
        outputs = []
        for column in columns:
            with variable_scope(None, default_name=column.name) as scope:
                tensor = column._get_dense_tensor(builder, weight_collections=weight_collections,
                                                  trainable=trainable)
                width = int(column._variable_shape.num_elements())
                output = array.reshape(tensor, [-1, width])
                outputs.append(output)
                if cols_to_vars is not None:
                    cols_to_vars[column] = _variables_in(scope.name)
                if cols_to_output_tensors is not None:
                    cols_to_output_tensors[column] = output
        return array.concat(outputs, axis=1)


def _variables_in(scope_name):
    from ..framework.graph import GraphKeys, get_default_graph
    prefix = scope_name + "/"
    return [v for v in get_default_graph().get_collection(GraphKeys.GLOBAL_VARIABLES) if v.op.name.startswith(prefix)]


def linear_model(features, feature_columns, units=1, sparse_combiner="sum", weight_collections=None, trainable=True,
                 cols_to_vars=None):
    """`tf.feature_column.linear_model(features, feature_columns, units=1, sparse_combiner='sum',
    weight_collections=None, trainable=True, cols_to_vars=None)`: the float32 [batch, units] sum of
    each column's weighted contribution plus a bias. A dense column multiplies its block by
    'linear_model/<column>/weights' [width, units]; a categorical column adds the rows of its weights
    [num_buckets, units] at its ids, combined by `sparse_combiner` ('sum', 'mean' or 'sqrtn'). The bias
    is 'linear_model/bias_weights' [units]. All weights start at zero."""
    from ..init_ops import zeros_initializer
    from ..variable_scope import get_variable, variable_scope
    if sparse_combiner not in _COMBINERS:
        raise ValueError("sparse_combiner must be one of %s, got %r." % (list(_COMBINERS), sparse_combiner))
    columns = _check_columns(feature_columns, (_DenseColumn, _CategoricalColumn),
                             "Items of feature_columns must be either a _DenseColumn or _CategoricalColumn. "
                             "Given: %r")
    builder = _LazyBuilder(features)
    array, math_ops = _ops()
    with variable_scope(None, default_name="linear_model"):
        weighted_sums = []
        for column in columns:
            with variable_scope(None, default_name=column.name) as scope:
                if isinstance(column, _CategoricalColumn):
                    weights = get_variable("weights", shape=[column._num_buckets, units], dtype=dtypes.float32,
                                           initializer=zeros_initializer(), trainable=trainable,
                                           collections=weight_collections)
                    ids, id_weights = column._get_sparse_tensors(builder)
                    weighted_sums.append(_lookup_and_combine(weights, ids, id_weights, sparse_combiner))
                else:
                    width = int(column._variable_shape.num_elements())
                    weights = get_variable("weights", shape=[width, units], dtype=dtypes.float32,
                                           initializer=zeros_initializer(), trainable=trainable,
                                           collections=weight_collections)
                    tensor = array.reshape(column._get_dense_tensor(builder), [-1, width])
                    weighted_sums.append(math_ops.matmul(tensor, weights))
                if cols_to_vars is not None:
                    cols_to_vars[column] = _variables_in(scope.name)
        bias = get_variable("bias_weights", shape=[units], dtype=dtypes.float32, initializer=zeros_initializer(),
                            trainable=trainable, collections=weight_collections)
        if cols_to_vars is not None:
            cols_to_vars["bias"] = [bias]
        return math_ops.add_n(weighted_sums) + bias if len(weighted_sums) > 1 else weighted_sums[0] + bias


def make_parse_example_spec(feature_columns):
    """`tf.feature_column.make_parse_example_spec(feature_columns)`: the dict {key: FixedLenFeature or
    VarLenFeature} that tf.parse_example needs to produce the features these columns read; ValueError
    when two columns need different specs for one key."""
    spec = {}
    for column in feature_columns:
        if not isinstance(column, _FeatureColumn):
            raise ValueError("All feature_columns must be _FeatureColumn instances. Given: %r" % (column,))
        for key, value in column._parse_example_spec.items():
            if key in spec and spec[key] != value:
                raise ValueError("feature_columns contain different parse_spec for key %s. Given %s and %s"
                                 % (key, value, spec[key]))
        spec.update(column._parse_example_spec)
    return spec
