"""More of `tf.feature_column`: categorical_column_with_vocabulary_file and weighted_categorical_column."""
import collections
import os

from ..framework import dtypes
from ..framework.sparse_tensor import sparse_tensor_to_dense
from ..framework.tensor_shape import TensorShape
from .feature_column import (_CategoricalColumn, _DenseColumn, _IdsAndWeights, _VocabularyListCategoricalColumn,
                             _check_key, _flat_per_example, _lookup_and_combine, _ops, embedding_column)

__all__ = ["categorical_column_with_vocabulary_file", "weighted_categorical_column", "shared_embedding_columns"]


class _VocabularyFileCategoricalColumn(_CategoricalColumn, collections.namedtuple(
        "_VocabularyFileCategoricalColumn", ["key", "vocabulary_file", "vocabulary_size", "num_oov_buckets", "dtype",
                                             "default_value", "vocabulary_list"])):
    """See categorical_column_with_vocabulary_file."""

    @property
    def name(self):
        return self.key

    @property
    def _parse_example_spec(self):
        from ..ops.parsing import VarLenFeature
        return {self.key: VarLenFeature(self.dtype)}

    @property
    def _num_buckets(self):
        return self.vocabulary_size + self.num_oov_buckets

    def _transform_feature(self, builder):
        # The ids are those of a vocabulary list holding the file's lines.
        return _VocabularyListCategoricalColumn._transform_feature(self, builder)


def _read_vocabulary(path, size, key):
    try:
        with open(path, "rb") as handle:
            lines = handle.read().split(b"\n")
    except OSError as error:
        raise ValueError("Cannot read vocabulary_file %s of column %s: %s" % (path, key, error)) from None
    if lines and lines[-1] == b"":
        lines = lines[:-1]
    lines = [line.rstrip(b"\r") for line in lines]
    if size is None:
        size = len(lines)
    if size > len(lines):
        raise ValueError("Invalid vocabulary_size in %s: the file %s has %d lines, fewer than %d"
                         % (key, path, len(lines), size))
    return lines[:size]


def categorical_column_with_vocabulary_file(key, vocabulary_file, vocabulary_size=None, num_oov_buckets=0,
                                            default_value=None, dtype=dtypes.string):
    """`tf.feature_column.categorical_column_with_vocabulary_file(key, vocabulary_file,
    vocabulary_size=None, num_oov_buckets=0, default_value=None, dtype=tf.string)`: the id of a value is
    its line number in the vocabulary file (one entry per line, the first vocabulary_size lines, all by
    default); other values get default_value (-1: none) or one of num_oov_buckets hashed ids after the
    vocabulary. The file is read when the column is made."""
    _check_key(key, "key")
    if not vocabulary_file:
        raise ValueError("Missing vocabulary_file in %s." % key)
    if vocabulary_size is not None and vocabulary_size <= 0:
        raise ValueError("Invalid vocabulary_size in %s." % key)
    if num_oov_buckets < 0:
        raise ValueError("Invalid num_oov_buckets %s in %s." % (num_oov_buckets, key))
    if num_oov_buckets and default_value is not None:
        raise ValueError("Can't specify both num_oov_buckets and default_value in %s." % key)
    dtype = dtypes.as_dtype(dtype)
    if dtype is not dtypes.string and not dtype.is_integer:
        raise ValueError("Invalid dtype %s in %s: the vocabulary is strings or integers." % (dtype.name, key))
    lines = _read_vocabulary(os.fspath(vocabulary_file), vocabulary_size, key)
    if len(set(lines)) != len(lines):
        raise ValueError("Duplicate entries in vocabulary_file %s of column %s" % (vocabulary_file, key))
    if dtype is dtypes.string:
        vocabulary = tuple(lines)
    else:
        try:
            vocabulary = tuple(int(line) for line in lines)
        except ValueError:
            raise ValueError("vocabulary_file %s of integer column %s holds a line that is not an integer"
                             % (vocabulary_file, key)) from None
    return _VocabularyFileCategoricalColumn(key, os.fspath(vocabulary_file), len(vocabulary), int(num_oov_buckets),
                                            dtype, -1 if default_value is None else int(default_value), vocabulary)


class _WeightedCategoricalColumn(_CategoricalColumn, collections.namedtuple(
        "_WeightedCategoricalColumn", ["categorical_column", "weight_feature_key", "dtype"])):
    """See weighted_categorical_column."""

    @property
    def name(self):
        return "%s_weighted_by_%s" % (self.categorical_column.name, self.weight_feature_key)

    @property
    def _parse_example_spec(self):
        from ..ops.parsing import VarLenFeature
        spec = dict(self.categorical_column._parse_example_spec)
        if self.weight_feature_key in spec:
            raise ValueError("Parse config %s already exists for %s." % (spec[self.weight_feature_key],
                                                                        self.weight_feature_key))
        spec[self.weight_feature_key] = VarLenFeature(self.dtype)
        return spec

    @property
    def _num_buckets(self):
        return self.categorical_column._num_buckets

    def _transform_feature(self, builder):
        from ..framework.sparse_tensor import SparseTensor
        array, math_ops = _ops()
        ids = self.categorical_column._get_sparse_tensors(builder).ids
        weights = builder.get(self.weight_feature_key, self)
        if isinstance(weights, SparseTensor):
            weights = sparse_tensor_to_dense(weights, default_value=0)
        if not weights.dtype.is_floating:
            raise ValueError("Bad dtype, expected %s, but got %s." % (self.dtype.name, weights.dtype.name))
        weights = math_ops.cast(_flat_per_example(weights, self.weight_feature_key, self.name), dtypes.float32)
        # An id without a value weighs nothing.
        return _IdsAndWeights(ids, math_ops.where(math_ops.greater_equal(ids, 0), weights, array.zeros_like(weights)))

    def _get_sparse_tensors(self, builder, weight_collections=None, trainable=None):
        return builder.get(self, self)


def weighted_categorical_column(categorical_column, weight_feature_key, dtype=dtypes.float32):
    """`tf.feature_column.weighted_categorical_column(categorical_column, weight_feature_key,
    dtype=tf.float32)`: the ids of `categorical_column` with a weight each, read from the feature
    weight_feature_key (same positions as the ids); embedding and linear columns then sum weighted
    rows."""
    if not isinstance(categorical_column, _CategoricalColumn):
        raise ValueError("categorical_column must be a categorical column. Given: %r" % (categorical_column,))
    dtype = dtypes.as_dtype(dtype)
    if not dtype.is_floating:
        raise ValueError("dtype %s is not convertible to float." % dtype.name)
    _check_key(weight_feature_key, "weight_feature_key")
    return _WeightedCategoricalColumn(categorical_column, weight_feature_key, dtype)


class _SharedEmbeddingColumn(_DenseColumn, collections.namedtuple(
        "_SharedEmbeddingColumn", ["categorical_column", "dimension", "combiner", "initializer",
                                   "shared_embedding_collection_name", "ckpt_to_load_from", "tensor_name_in_ckpt",
                                   "max_norm", "trainable"])):
    """See shared_embedding_columns."""

    @property
    def name(self):
        return self.categorical_column.name + "_shared_embedding"

    @property
    def _parse_example_spec(self):
        return self.categorical_column._parse_example_spec

    @property
    def _variable_shape(self):
        return TensorShape([self.dimension])

    def _transform_feature(self, builder):
        return self.categorical_column._get_sparse_tensors(builder)

    def _get_dense_tensor(self, builder, weight_collections=None, trainable=None):
        from ..framework.graph import get_default_graph
        from ..variable_scope import get_variable
        ids, weights = builder.get(self, self)
        graph = get_default_graph()
        shared = graph.get_collection(self.shared_embedding_collection_name)
        shape = [self.categorical_column._num_buckets, self.dimension]
        if shared:
            # The first column of the group to be built made the variable; the others reuse it.
            embedding_weights = shared[0]
            if embedding_weights.shape.as_list() != shape:
                raise ValueError("Shared embedding collection %s holds a variable of shape %s, this column needs %s"
                                 % (self.shared_embedding_collection_name, embedding_weights.shape, shape))
        else:
            embedding_weights = get_variable(
                "embedding_weights", shape=shape, dtype=dtypes.float32, initializer=self.initializer,
                trainable=self.trainable and (trainable is not False), collections=weight_collections)
            graph.add_to_collection(self.shared_embedding_collection_name, embedding_weights)
            if self.ckpt_to_load_from is not None:
                from ..train.checkpoint_utils import init_from_checkpoint
                init_from_checkpoint(self.ckpt_to_load_from, {self.tensor_name_in_ckpt: embedding_weights})
        return _lookup_and_combine(embedding_weights, ids, weights, self.combiner, self.max_norm)


def shared_embedding_columns(categorical_columns, dimension, combiner="mean", initializer=None,
                             shared_embedding_collection_name=None, ckpt_to_load_from=None, tensor_name_in_ckpt=None,
                             max_norm=None, trainable=True):
    """`tf.feature_column.shared_embedding_columns(categorical_columns, dimension, combiner='mean', ...)`:
    one embedding column per categorical column, all looking up rows of one shared 'embedding_weights'
    variable [num_buckets, dimension] (the columns must have the same number of buckets). The variable is
    kept in the graph collection shared_embedding_collection_name (default: the sorted column names joined
    by '_' plus '_shared_embedding')."""
    template = embedding_column(categorical_columns[0] if categorical_columns else None, dimension, combiner,
                                initializer, ckpt_to_load_from, tensor_name_in_ckpt, max_norm, trainable) \
        if categorical_columns else None
    if not categorical_columns:
        raise ValueError("categorical_columns must be a non-empty list of categorical columns.")
    buckets = {column._num_buckets for column in categorical_columns if isinstance(column, _CategoricalColumn)}
    if len(buckets) != 1 or not all(isinstance(c, _CategoricalColumn) for c in categorical_columns):
        raise ValueError("To use shared_embedding_column, all categorical_columns must have the same number of "
                         "buckets (and be categorical columns). Given: %s" % (list(categorical_columns),))
    name = shared_embedding_collection_name or \
        "_".join(sorted(column.name for column in categorical_columns)) + "_shared_embedding"
    return [_SharedEmbeddingColumn(column, template.dimension, template.combiner, template.initializer, name,
                                   template.ckpt_to_load_from, template.tensor_name_in_ckpt, template.max_norm,
                                   template.trainable) for column in categorical_columns]
