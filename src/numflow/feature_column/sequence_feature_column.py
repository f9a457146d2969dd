"""Sequence feature columns: `tf.feature_column.sequence_numeric_column`,
`sequence_categorical_column_with_{identity,hash_bucket,vocabulary_list,vocabulary_file}`, and
`tf.contrib.feature_column.sequence_input_layer`, which turns them into a [batch, max steps, width] input for
an RNN plus each example's sequence length.

A sequence feature is a SparseTensor [batch, steps] (a numeric column with shape d: [batch, steps * d]); an
example's length is one past its last present step. A categorical sequence column holds one id per step,
wrapped by `embedding_column` (an embedding per step) or `indicator_column` (a one-hot per step); steps past
an example's end give zeros. `input_layer` refuses these columns, as TF's does: they have a time axis.
"""
import collections

import numpy as np

from ..framework import dtypes
from ..framework.sparse_tensor import SparseTensor, sparse_tensor_to_dense
from ..framework.tensor_shape import TensorShape
from . import feature_column as fc
from .feature_column_extra import categorical_column_with_vocabulary_file

__all__ = ["sequence_numeric_column", "sequence_categorical_column_with_identity",
           "sequence_categorical_column_with_hash_bucket", "sequence_categorical_column_with_vocabulary_list",
           "sequence_categorical_column_with_vocabulary_file", "sequence_input_layer"]


def _sequence_input(builder, key, column):
    value = builder.get(key, column)
    if not isinstance(value, SparseTensor):
        raise ValueError("A sequence feature column needs a SparseTensor input: feature %s of column %r is a dense "
                         "Tensor." % (key, column.name))
    return value


def _sequence_length(sparse, elements_per_step):
    """int64 [batch]: one past each example's last present step (0 for an empty example)."""
    from ..ops.segment_ops import unsorted_segment_max
    _, math_ops = fc._ops()
    rows = sparse.indices[:, 0]
    ends = sparse.indices[:, 1] + 1
    batch = math_ops.cast(sparse.dense_shape[0], dtypes.int32)
    longest = math_ops.maximum(unsorted_segment_max(ends, rows, batch), np.int64(0))
    if elements_per_step == 1:
        return longest
    return (longest + (elements_per_step - 1)) // elements_per_step


class _SequenceNumericColumn(fc._FeatureColumn, collections.namedtuple(
        "_SequenceNumericColumn", ["key", "shape", "default_value", "dtype", "normalizer_fn"])):
    """See sequence_numeric_column."""

    @property
    def name(self):
        return self.key

    @property
    def _parse_example_spec(self):
        from ..ops.parsing import VarLenFeature
        return {self.key: VarLenFeature(self.dtype)}

    @property
    def _variable_shape(self):
        return TensorShape(self.shape)

    def _transform_feature(self, builder):
        return _sequence_input(builder, self.key, self)

    def _get_sequence_dense_tensor(self, builder, weight_collections=None, trainable=None):
        array, math_ops = fc._ops()
        sparse = builder.get(self, self)
        dense = sparse_tensor_to_dense(sparse, default_value=np.asarray(self.default_value, sparse.dtype.np))
        if self.normalizer_fn is not None:
            dense = self.normalizer_fn(dense)
        width = int(np.prod(self.shape))
        values = array.reshape(math_ops.cast(dense, dtypes.float32), [array.shape(dense)[0], -1, width])
        return values, _sequence_length(sparse, width)


def sequence_numeric_column(key, shape=(1,), default_value=0., dtype=dtypes.float32, normalizer_fn=None):
    """`tf.feature_column.sequence_numeric_column(key, shape=(1,), default_value=0., dtype=tf.float32,
    normalizer_fn=None)`: a numeric value of `shape` per step of a sequence; missing values read as
    `default_value`."""
    fc._check_key(key, "key")
    shape = tuple(int(d) for d in (shape if isinstance(shape, (list, tuple)) else (shape,)))
    if any(d < 1 for d in shape):
        raise ValueError("shape dimensions must be greater than 0. shape: %s, key: %s" % (shape, key))
    dtype = dtypes.as_dtype(dtype)
    if not (dtype.is_integer or dtype.is_floating):
        raise ValueError("dtype must be convertible to float. dtype: %s, key: %s" % (dtype, key))
    if normalizer_fn is not None and not callable(normalizer_fn):
        raise TypeError("normalizer_fn must be a callable. Given: %s" % (normalizer_fn,))
    return _SequenceNumericColumn(key, shape, default_value, dtype, normalizer_fn)


class _SequenceCategoricalColumn(fc._CategoricalColumn, collections.namedtuple(
        "_SequenceCategoricalColumn", ["categorical_column"])):
    """A categorical column with one id per step (see the sequence_categorical_column_with_* functions)."""

    _is_sequence = True

    @property
    def name(self):
        return self.categorical_column.name

    @property
    def _parse_example_spec(self):
        return self.categorical_column._parse_example_spec

    @property
    def _num_buckets(self):
        return self.categorical_column._num_buckets

    def _transform_feature(self, builder):
        sparse = _sequence_input(builder, self.categorical_column.key, self)
        if sparse.shape.ndims not in (None, 2):
            raise ValueError("Feature %s of sequence column %r must be a SparseTensor [batch, steps] (one id per "
                             "step), got rank %d." % (self.categorical_column.key, self.name, sparse.shape.ndims))
        return builder.get(self.categorical_column, self)

    def _get_sparse_tensors(self, builder, weight_collections=None, trainable=None):
        return fc._IdsAndWeights(builder.get(self, self), None)

    def _sequence_length(self, builder):
        return _sequence_length(_sequence_input(builder, self.categorical_column.key, self), 1)


def sequence_categorical_column_with_identity(key, num_buckets, default_value=None):
    """`tf.feature_column.sequence_categorical_column_with_identity(key, num_buckets, default_value=None)`:
    categorical_column_with_identity over the steps of a sequence."""
    return _SequenceCategoricalColumn(fc.categorical_column_with_identity(key, num_buckets, default_value))


def sequence_categorical_column_with_hash_bucket(key, hash_bucket_size, dtype=dtypes.string):
    """`tf.feature_column.sequence_categorical_column_with_hash_bucket(key, hash_bucket_size, dtype=tf.string)`:
    categorical_column_with_hash_bucket over the steps of a sequence."""
    return _SequenceCategoricalColumn(fc.categorical_column_with_hash_bucket(key, hash_bucket_size, dtype))


def sequence_categorical_column_with_vocabulary_list(key, vocabulary_list, dtype=None, default_value=-1,
                                                     num_oov_buckets=0):
    """`tf.feature_column.sequence_categorical_column_with_vocabulary_list(key, vocabulary_list, dtype=None,
    default_value=-1, num_oov_buckets=0)`: categorical_column_with_vocabulary_list over the steps of a
    sequence."""
    return _SequenceCategoricalColumn(fc.categorical_column_with_vocabulary_list(
        key, vocabulary_list, dtype, default_value, num_oov_buckets))


def sequence_categorical_column_with_vocabulary_file(key, vocabulary_file, vocabulary_size=None, num_oov_buckets=0,
                                                     default_value=None, dtype=dtypes.string):
    """`tf.feature_column.sequence_categorical_column_with_vocabulary_file(key, vocabulary_file,
    vocabulary_size=None, num_oov_buckets=0, default_value=None, dtype=tf.string)`:
    categorical_column_with_vocabulary_file over the steps of a sequence."""
    return _SequenceCategoricalColumn(categorical_column_with_vocabulary_file(
        key, vocabulary_file, vocabulary_size, num_oov_buckets, default_value, dtype))


def _sequence_dense(column, builder, weight_collections, trainable):
    """(float32 [batch, steps, width], int64 [batch] lengths) of one column of sequence_input_layer."""
    array, math_ops = fc._ops()
    if isinstance(column, _SequenceNumericColumn):
        return column._get_sequence_dense_tensor(builder, weight_collections, trainable)
    categorical = column.categorical_column
    ids = builder.get(categorical, categorical)
    present = array.expand_dims(math_ops.cast(math_ops.greater_equal(ids, 0), dtypes.float32), -1)
    if isinstance(column, fc._EmbeddingColumn):
        from ..ops.nn import embedding_lookup
        weights = column._embedding_weights(weight_collections, trainable)
        values = embedding_lookup(weights, math_ops.maximum(ids, 0), max_norm=column.max_norm) * present
    else:
        values = array.one_hot(ids, categorical._num_buckets, dtype=dtypes.float32)
    return values, categorical._sequence_length(builder)


def _is_sequence_column(column):
    if isinstance(column, _SequenceNumericColumn):
        return True
    return isinstance(column, (fc._EmbeddingColumn, fc._IndicatorColumn)) and \
        isinstance(column.categorical_column, _SequenceCategoricalColumn)


def sequence_input_layer(features, feature_columns, weight_collections=None, trainable=True):
    """`tf.contrib.feature_column.sequence_input_layer(features, feature_columns, weight_collections=None,
    trainable=True)`: (float32 [batch, max steps, total width], int64 [batch] sequence lengths) from
    sequence_numeric_column and embedding/indicator columns of sequence categorical columns, columns sorted by
    name, in variable scope 'sequence_input_layer'. Every column must give each example the same length (an
    InvalidArgumentError at run time otherwise)."""
    from ..framework.graph import control_dependencies
    from ..ops.control import identity
    from ..ops.debug import assert_equal
    from ..variable_scope import variable_scope
    columns = fc._check_columns(feature_columns, fc._FeatureColumn, "%r")
    for column in columns:
        if not _is_sequence_column(column):
            raise ValueError("All feature_columns must be sequence dense columns: sequence_numeric_column, or an "
                             "embedding_column or indicator_column of a sequence_categorical_column_*. Given: %r"
                             % (column,))
    builder = fc._LazyBuilder(features)
    array, _ = fc._ops()
    with variable_scope(None, default_name="sequence_input_layer"):
        outputs, lengths = [], []
        for column in columns:
            with variable_scope(None, default_name=column.name):
                values, length = _sequence_dense(column, builder, weight_collections, trainable)
                width = int(column._variable_shape.num_elements())
                outputs.append(array.reshape(values, [array.shape(values)[0], array.shape(values)[1], width]))
                lengths.append(length)
        checks = [assert_equal(lengths[0], other, message="All feature_columns must have the same sequence length")
                  for other in lengths[1:]]
        with control_dependencies(checks):
            sequence_length = identity(lengths[0], name="sequence_length")
        return array.concat(outputs, axis=-1), sequence_length
