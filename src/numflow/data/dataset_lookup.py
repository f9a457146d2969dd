"""`tf.data.experimental.DatasetInitializer`, `table_from_dataset` and `index_table_from_dataset`: lookup
tables whose contents
are the (key, value) elements of a dataset, read when the table's initializer runs.

numflow has no `tf.lookup` namespace yet; the static table here is the part of `tf.lookup.StaticHashTable`
these two functions need (lookup, size, initializer, key/value dtypes, default value). Its contents are a
per-Session resource: keys sorted once at initialization, so a lookup is one vectorised binary search.
"""
import collections
import itertools

import numpy as np

from ..framework import dtypes, errors
from ..framework.graph import GraphKeys, convert_to_tensor, get_default_graph, name_scope
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape
from ..ops.common import make_op, make_tensor
from .dataset_ops import DatasetV1
from .streams import Runtime

HasherSpec = collections.namedtuple("HasherSpec", ["hasher", "key"])
FastHashSpec = HasherSpec("fasthash", None)

_table_counter = itertools.count()


def _tf_name(dtype):
    """A dtype as TF's messages print it."""
    return "<dtype: '%s'>" % dtype.name


def _tables(ctx):
    return ctx.resources.setdefault("dataset_lookup_tables", {})


class DatasetInitializer:
    """`tf.data.experimental.DatasetInitializer(dataset)`: initializes a lookup table with the elements of
    `dataset`, each a (key, value) pair of scalars."""

    def __init__(self, dataset):
        if not isinstance(dataset, DatasetV1):
            raise TypeError("DatasetInitializer expects a tf.data.Dataset, got %r" % (dataset,))
        specs = dataset._specs
        if not isinstance(specs, tuple) or len(specs) != 2 or any(isinstance(s, (tuple, dict)) for s in specs):
            raise ValueError("The dataset given to DatasetInitializer must have (key, value) pairs as "
                             "elements, got elements of types %s" % (dataset.output_types,))
        for role, spec in zip(("keys", "values"), specs):
            if not spec.shape.is_compatible_with([]):
                raise ValueError("The %s of the dataset given to DatasetInitializer must be scalars, got "
                                 "shape %s" % (role, spec.shape))
        self.dataset = dataset
        self._key_dtype, self._value_dtype = specs[0].dtype, specs[1].dtype

    @property
    def key_dtype(self):
        """The dtype of the table's keys (the dataset's first component)."""
        return self._key_dtype

    @property
    def value_dtype(self):
        """The dtype of the table's values (the dataset's second component)."""
        return self._value_dtype

    def initialize(self, table):
        """The op that fills `table` from the dataset (TF's `TableInitializerBase.initialize`)."""
        inputs = self.dataset._all_inputs()
        with name_scope(None, "table_init"):
            return make_op("DatasetTableInitialize", inputs,
                           {"table": table._key, "dataset": self.dataset, "dataset_inputs": inputs},
                           name="InitializeTableFromDataset")


class StaticDatasetTable:
    """A static lookup table (TF's `StaticHashTable`): keys map to values, others to `default_value`;
    its initializer, added to the TABLE_INITIALIZERS collection, must run before a lookup."""

    def __init__(self, initializer, default_value, name=None):
        self._key_dtype, self._value_dtype = initializer.key_dtype, initializer.value_dtype
        self._name = name or "hash_table"
        self._key = ("table:%s:%d" % (self._name, next(_table_counter))).encode()
        with name_scope(None, self._name):
            self._default_value = convert_to_tensor(default_value, dtype=self._value_dtype, name="Const")
            if self._default_value.shape.ndims not in (None, 0):
                raise ValueError("default_value must be a scalar, got shape %s" % self._default_value.shape)
            self._initializer = initializer.initialize(self)
        get_default_graph().add_to_collection(GraphKeys.TABLE_INITIALIZERS, self._initializer)

    @property
    def key_dtype(self):
        return self._key_dtype

    @property
    def value_dtype(self):
        return self._value_dtype

    @property
    def name(self):
        return self._name

    @property
    def default_value(self):
        """The value looked-up keys that are not in the table get."""
        return self._default_value

    @property
    def initializer(self):
        """The op that fills the table."""
        return self._initializer

    init = initializer

    def size(self, name=None):
        """An int64 scalar: the number of entries in the table."""
        return make_tensor("DatasetTableSize", [], {"table": self._key}, name=name or "%s_Size" % self._name)

    def lookup(self, keys, name=None):
        """The values of `keys` (any shape), `default_value` where a key is absent; FailedPreconditionError
        when run before the initializer."""
        keys = convert_to_tensor(keys)
        if keys.dtype is not self._key_dtype:
            raise TypeError("Signature mismatch. Keys must be dtype %s, got %s." % (_tf_name(self._key_dtype),
                                                                                   _tf_name(keys.dtype)))
        return make_tensor("DatasetTableFind", [keys, self._default_value],
                           {"table": self._key, "value_dtype": self._value_dtype},
                           name=name or "%s_Lookup" % self._name)


class _IdTableWithHashBuckets:
    """A table of ids whose missing keys go to one of `num_oov_buckets` hash buckets after the vocabulary
    (TF's `IdTableWithHashBuckets`, with the fast hash of the key's string form)."""

    def __init__(self, table, num_oov_buckets):
        self._table, self._num_oov_buckets = table, num_oov_buckets

    key_dtype = property(lambda self: self._table.key_dtype)
    value_dtype = property(lambda self: self._table.value_dtype)
    initializer = property(lambda self: self._table.initializer)
    init = initializer
    name = property(lambda self: self._table.name)

    def size(self, name=None):
        """The vocabulary's size plus the number of hash buckets."""
        return self._table.size() + np.int64(self._num_oov_buckets)

    def lookup(self, keys, name=None):
        """Each key's id: its index in the vocabulary, or vocabulary size + its hash bucket."""
        from ..ops.hash_bucket_ops import string_to_hash_bucket_fast
        from ..ops.math import not_equal, where
        from ..ops.string_ops import as_string
        keys = convert_to_tensor(keys)
        with name_scope(name, "hash_table_Lookup"):
            ids = self._table.lookup(keys)
            text = keys if keys.dtype is dtypes.string else as_string(keys)
            buckets = string_to_hash_bucket_fast(text, self._num_oov_buckets) + self._table.size()
            return where(not_equal(ids, self._table.default_value), ids, buckets)


def table_from_dataset(dataset=None, num_oov_buckets=0, vocab_size=None, default_value=None,
                       hasher_spec=FastHashSpec, key_dtype=dtypes.string, name=None):
    """`tf.data.experimental.table_from_dataset(dataset, ...)`: a static table of the (key, value) scalar
    pairs of `dataset`. Other keys get `default_value` (-1 when None, which needs numeric values), or, with
    `num_oov_buckets` > 0, the id table size + their fast-hash bucket. With `vocab_size`, the first
    `vocab_size` pairs are used and the dataset must have at least that many (FailedPreconditionError at
    initialization otherwise). Run `tf.tables_initializer()` (or the table's `initializer`) first."""
    from .stateful_transforms import assert_cardinality
    key_dtype = dtypes.as_dtype(key_dtype)
    if not isinstance(dataset, DatasetV1):
        raise TypeError("table_from_dataset expects a tf.data.Dataset, got %r" % (dataset,))
    initializer = DatasetInitializer(dataset)
    if default_value is None:
        default_value = -1
        if not (initializer.value_dtype.is_integer or initializer.value_dtype.is_floating):
            raise ValueError("`default_value` must be specified when creating a table from a dataset that "
                             "produces values of type %s." % _tf_name(initializer.value_dtype))
    if num_oov_buckets < 0:
        raise ValueError("`num_oov_buckets` must be greater than or equal to 0, got %d." % num_oov_buckets)
    if vocab_size is not None and not hasattr(vocab_size, "op") and vocab_size < 1:
        raise ValueError("`vocab_size` must be greater than 0, got %s." % (vocab_size,))
    if not key_dtype.is_integer and key_dtype is not dtypes.string:
        raise TypeError("`key_dtype` must be either an integer or string type, but got %s" % _tf_name(key_dtype))
    if hasher_spec is not None and getattr(hasher_spec, "hasher", None) != "fasthash":
        raise ValueError("numflow's tables from datasets hash out-of-vocabulary keys with the fast hash only "
                         "(FastHashSpec), got %r" % (hasher_spec,))
    if initializer.key_dtype is not key_dtype:
        raise TypeError("The dataset's keys are %s, key_dtype is %s" % (_tf_name(initializer.key_dtype),
                                                                         _tf_name(key_dtype)))
    if vocab_size is not None:
        initializer = DatasetInitializer(dataset.take(vocab_size).apply(assert_cardinality(vocab_size)))
    with name_scope(name, "string_to_index"):
        table = StaticDatasetTable(initializer, default_value)
    return _IdTableWithHashBuckets(table, num_oov_buckets) if num_oov_buckets else table


def index_table_from_dataset(dataset=None, num_oov_buckets=0, vocab_size=None, default_value=-1,
                             hasher_spec=FastHashSpec, key_dtype=dtypes.string, name=None):
    """`tf.data.experimental.index_table_from_dataset(dataset, ...)`: a table mapping each element of
    `dataset` (scalar keys) to its position in the dataset, as int64; the other arguments are
    `table_from_dataset`'s."""
    if not isinstance(dataset, DatasetV1):
        raise TypeError("index_table_from_dataset expects a tf.data.Dataset, got %r" % (dataset,))
    pairs = dataset.enumerate().map(lambda index, key: (key, index))
    return table_from_dataset(pairs, num_oov_buckets, vocab_size, default_value, hasher_spec, key_dtype, name)


@register
class DatasetTableInitialize(OpDef):
    """Fills a static table from a dataset of (key, value) pairs; running it again with the same contents
    does nothing, with other contents is a FailedPreconditionError (as TF's initializable tables)."""

    stateful = True
    differentiable = False
    host_only = True     # runs the dataset's Python streams

    def infer(self, op):
        return []

    def kernel(self, op, ctx):
        dataset, key = op.attrs["dataset"], op.attrs["table"]
        inputs = op.attrs["dataset_inputs"]
        key_np, value_np = dataset._np_dtypes()

        def initialize(*values):
            stream = dataset._stream(Runtime(ctx, dict(zip(inputs, values))))
            keys, vals = [], []
            while True:
                chunk = stream.next_chunk(1 << 16)
                if chunk is None:
                    break
                keys.append(chunk[0].reshape(-1))
                vals.append(chunk[1].reshape(-1))
            keys = np.concatenate(keys) if keys else np.zeros(0, key_np)
            vals = np.concatenate(vals) if vals else np.zeros(0, value_np)
            contents = _sorted_contents(op, keys, vals)
            tables = _tables(ctx)
            old = tables.get(key)
            if old is not None and not (len(old[0]) == len(contents[0]) and (old[0] == contents[0]).all()
                                        and (old[1] == contents[1]).all()):
                raise errors.FailedPreconditionError(None, op, "Table was already initialized with different "
                                                     "data.")
            tables[key] = contents
        return initialize


def _sorted_contents(op, keys, values):
    """Keys sorted (stably) with their values; a key given twice with different values is an error."""
    order = np.argsort(keys, kind="stable")
    keys, values = keys[order], values[order]
    if len(keys) > 1:
        repeated = np.flatnonzero(keys[1:] == keys[:-1])
        clash = repeated[values[repeated + 1] != values[repeated]]
        if len(clash):
            at = clash[0]
            raise errors.FailedPreconditionError(
                None, op, "HashTable has different value for same key. Key %s has %s and trying to add value %s"
                % (_show(keys[at]), _show(values[at]), _show(values[at + 1])))
        keep = np.concatenate([[True], keys[1:] != keys[:-1]])
        keys, values = keys[keep], values[keep]
    return keys, values


def _show(value):
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _initialized(ctx, op):
    contents = _tables(ctx).get(op.attrs["table"])
    if contents is None:
        raise errors.FailedPreconditionError(None, op, "Table not initialized.")
    return contents


@register
class DatasetTableFind(OpDef):
    """The values of the keys (input 0) in a static table, the default (input 1) for missing keys."""

    stateful = True      # reads the table, which its initializer may refill
    differentiable = False
    host_only = True     # per-Session table resource; string keys

    def infer(self, op):
        return [(op.attrs["value_dtype"], op.inputs[0].shape)]

    def kernel(self, op, ctx):
        value_np = op.attrs["value_dtype"].np

        def find(keys, default):
            table_keys, table_values = _initialized(ctx, op)
            keys = np.asarray(keys)
            result = np.full(keys.shape, default, dtype=value_np)
            if len(table_keys):
                flat = keys.reshape(-1)
                position = np.minimum(np.searchsorted(table_keys, flat), len(table_keys) - 1)
                found = table_keys[position] == flat
                result.reshape(-1)[found] = table_values[position[found]]
            return result
        return find


@register
class DatasetTableSize(OpDef):
    """The number of entries of a static table, as an int64 scalar."""

    stateful = True
    differentiable = False
    host_only = True     # per-Session table resource

    def infer(self, op):
        return [(dtypes.int64, TensorShape([]))]

    def kernel(self, op, ctx):
        return lambda: np.int64(len(_initialized(ctx, op)[0]))
