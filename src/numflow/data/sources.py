"""tf.data.experimental sources and structure helpers: `SqlDataset` (SQLite through Python's sqlite3),
`RandomDataset`, `get_structure` and the TF 1.x `*Structure` constructors of element types."""
import re

import numpy as np

from ..framework import dtypes, errors
from ..framework.tensor_shape import TensorShape
from . import structure
from .dataset_ops import DatasetV1, _Param
from .streams import RowQueue, Stream
from .structure import TensorSpec

_SUPPORTED_SQL_DTYPES = (dtypes.string, dtypes.bool, dtypes.int8, dtypes.int16, dtypes.int32, dtypes.int64,
                         dtypes.uint8, dtypes.uint16, dtypes.uint32, dtypes.uint64, dtypes.float32,
                         dtypes.float64)


def SqlDataset(driver_name, data_source_name, query, output_types):  # noqa: N802 - TF's name
    """`tf.data.experimental.SqlDataset(driver_name, data_source_name, query, output_types)`: one element
    per row of `query`'s result, its columns converted to `output_types` (a tuple of DTypes, or one DType
    for a one-column query) as SQLite's own column readers convert them (NULL: 0 or ""; a number read as
    text: its decimal form; text read as a number: its leading number, else 0). `driver_name` must be
    "sqlite"; the query runs when the iterator is initialized."""
    return _SqlDataset(driver_name, data_source_name, query, output_types)


class _SqlDataset(DatasetV1):
    def __init__(self, driver_name, data_source_name, query, output_types):
        types = structure.normalize_types(output_types)
        for dtype in structure.flatten(types):
            if dtype not in _SUPPORTED_SQL_DTYPES:
                raise TypeError("SqlDataset does not support output type %r" % (dtype,))
        self._driver = _Param(driver_name, dtypes.string, "driver_name")
        self._source = _Param(data_source_name, dtypes.string, "data_source_name")
        self._query = _Param(query, dtypes.string, "query")
        super().__init__(structure.map_structure(lambda d: TensorSpec([], d), types))

    def _input_tensors(self):
        return self._driver.tensors() + self._source.tensors() + self._query.tensors()

    def _stream(self, rt):
        import sqlite3
        driver = _text(self._driver.value(rt))
        if driver != "sqlite":
            raise errors.InvalidArgumentError(
                None, None, "The database type, %s, is not supported by SqlDataset. The set of supported "
                "databases is: {'sqlite'}." % driver)
        query = _text(self._query.value(rt))
        try:
            connection = sqlite3.connect(_text(self._source.value(rt)))
            cursor = connection.execute(query)
        except sqlite3.Error as exc:
            raise errors.UnknownError(None, None, "Prepare() failed: %s: %s" % (exc, query)) from exc
        columns = len(cursor.description or ())
        specs = self._flat_specs()
        if columns != len(specs):
            connection.close()
            raise errors.InvalidArgumentError(
                None, None, "The number of columns in query (%d) must match the number of elements in "
                "output_types (%d)." % (columns, len(specs)))
        return _SqlStream(connection, cursor, specs, self._np_dtypes())


def _text(value):
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


class _SqlStream(Stream):
    def __init__(self, connection, cursor, specs, np_dtypes):
        self.connection, self.cursor = connection, cursor
        self.converters = [_sql_converter(s.dtype) for s in specs]
        self.np_dtypes = np_dtypes

    def next_chunk(self, limit):
        if self.cursor is None:
            return None
        import sqlite3
        try:
            rows = self.cursor.fetchmany(limit)
        except sqlite3.Error as exc:
            raise errors.UnknownError(None, None, "Step() failed: %s" % exc) from exc
        if not rows:
            self.connection.close()
            self.cursor = None
            return None
        queue = RowQueue(self.np_dtypes)
        for sql_row in rows:
            queue.append(tuple(convert(value) for convert, value in zip(self.converters, sql_row)))
        return queue.pop_chunk(len(rows))


_LEADING_INT = re.compile(rb"\s*[-+]?\d+")
_LEADING_FLOAT = re.compile(rb"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def _leading_number(value, pattern, kind):
    """A SQLite text or blob read as a number: its leading number, 0 when it has none."""
    raw = value.encode("utf-8") if isinstance(value, str) else bytes(value)
    match = pattern.match(raw)
    return kind(match.group(0)) if match else kind(0)


def _sql_converter(dtype):
    if dtype is dtypes.string:
        def convert(value):
            if value is None:
                return b""
            if isinstance(value, bytes):
                return value
            return (value if isinstance(value, str) else repr(value)).encode("utf-8")
        return convert
    integral = dtype.is_integer or dtype is dtypes.bool
    kind = int if integral else float
    pattern = _LEADING_INT if integral else _LEADING_FLOAT

    def convert_number(value):
        if value is None:
            number = kind(0)
        elif isinstance(value, (str, bytes)):
            number = _leading_number(value, pattern, kind)
        else:
            number = kind(value)
        return bool(number) if dtype is dtypes.bool else number
    return convert_number


def RandomDataset(seed=None):  # noqa: N802 - TF's name
    """`tf.data.experimental.RandomDataset(seed=None)`: an endless dataset of pseudorandom int64 scalars,
    uniform in [0, 2**32); the same sequence for the same graph-level and op seeds."""
    return _RandomDataset(seed)


class _RandomDataset(DatasetV1):
    def __init__(self, seed):
        from ..ops import random as _random
        seed1, seed2 = _random.get_seed(seed)
        self._seeds = None if seed1 is None else [seed1, seed2]
        super().__init__(TensorSpec([], dtypes.int64))

    def _stream(self, rt):
        return _RandomStream(np.random.default_rng(self._seeds))


class _RandomStream(Stream):
    def __init__(self, generator):
        self.generator = generator

    def next_chunk(self, limit):
        return (self.generator.integers(0, 1 << 32, size=limit, dtype=np.int64),)


def get_structure(dataset_or_iterator):
    """`tf.data.experimental.get_structure(dataset_or_iterator)`: the nest of `tf.TensorSpec`s of its
    elements."""
    if isinstance(dataset_or_iterator, structure.HasElementStructure):
        return dataset_or_iterator.element_spec
    raise TypeError("`dataset_or_iterator` must be a `tf.data.Dataset` or tf.data.Iterator object, but got "
                    "%s." % type(dataset_or_iterator))


def TensorStructure(dtype, shape):  # noqa: N802 - TF's name
    """`tf.data.experimental.TensorStructure(dtype, shape)`: the `tf.TensorSpec(shape, dtype)` of a dense
    element component."""
    return TensorSpec(TensorShape(shape), dtype)


def SparseTensorStructure(dtype, shape):  # noqa: N802 - TF's name
    """`tf.data.experimental.SparseTensorStructure(dtype, shape)`: `tf.SparseTensorSpec(shape, dtype)`."""
    from ..ops.sparse_ops import SparseTensorSpec
    return SparseTensorSpec(shape, dtype)


def _type_spec_base():
    from ..framework.type_spec import TypeSpec
    return TypeSpec


class DatasetSpec(_type_spec_base()):
    """`tf.data.DatasetSpec(element_spec, dataset_shape=())`: the type of a Dataset, the nest of specs of
    its elements (`tf.data.experimental.DatasetStructure` in TF 1.x)."""

    def __init__(self, element_spec, dataset_shape=()):
        self._element_spec = element_spec
        self._dataset_shape = TensorShape(dataset_shape)

    @property
    def value_type(self):
        return DatasetV1

    @property
    def element_spec(self):
        return self._element_spec

    def _serialize(self):
        return (self._element_spec, self._dataset_shape)

    def __eq__(self, other):
        # Element specs are nests (tuples, dicts) of specs: compared as nests.
        return type(other) is DatasetSpec and self._element_spec == other._element_spec and \
            self._dataset_shape.as_list() == other._dataset_shape.as_list()

    def __hash__(self):
        return hash(("DatasetSpec", repr(self._element_spec)))

    def is_compatible_with(self, spec_or_value):
        other = DatasetSpec.from_value(spec_or_value) if isinstance(spec_or_value, DatasetV1) else spec_or_value
        if type(other) is not DatasetSpec:
            return False
        try:
            structure.assert_same_structure(self._element_spec, other._element_spec, "DatasetSpec")
        except (TypeError, ValueError):
            return False
        return all(a.is_compatible_with(b) for a, b in zip(structure.flatten(self._element_spec),
                                                           structure.flatten(other._element_spec)))

    @staticmethod
    def from_value(value):
        """The spec of the Dataset `value`."""
        if not isinstance(value, DatasetV1):
            raise ValueError("Expected a tf.data.Dataset, but saw: %s" % type(value))
        return DatasetSpec(value.element_spec)


def TensorArrayStructure(dtype, element_shape, dynamic_size, infer_shape=True):  # noqa: N802 - TF's name
    """`tf.data.experimental.TensorArrayStructure(dtype, element_shape, dynamic_size, infer_shape)`:
    `tf.TensorArraySpec(element_shape, dtype, dynamic_size, infer_shape)`."""
    from ..framework.type_spec import TensorArraySpec
    return TensorArraySpec(element_shape, dtype, dynamic_size, infer_shape)
