"""`tf.data.Dataset`: a graph-level description of an input pipeline, run by an iterator's ops.

A Dataset is built in a graph like any other TF1 value: its parameters are tensors (a placeholder fed to
an initializable iterator's initializer, say) and its functions are traced graph functions. It holds no
data itself; `make_initializable_iterator()` / `make_one_shot_iterator()` create the ops that, when run,
build the pipeline's streams (`streams.py`) in the Session and pull elements from them.
"""
import numpy as np

from ..framework import dtypes, errors
from ..framework.graph import convert_to_tensor, get_default_graph, is_tensor_like
from ..framework.tensor_shape import TensorShape, as_shape
from ..ops import random as _random
from . import structure
from .function import TracedFunction
from .streams import ChunkStream, EmptyStream, Puller, RowQueue, Stream, row, row_count, take_rows
from .structure import TensorSpec

AUTOTUNE = -1
INFINITE = -1
UNKNOWN = -2


class _Param:
    """A scalar parameter of a dataset: a Python value, or a tensor read when the iterator is initialized."""

    def __init__(self, value, dtype, name):
        self.name = name
        if is_tensor_like(value):
            self.tensor = convert_to_tensor(value, dtype=dtype, name=name)
            if self.tensor.shape.ndims not in (None, 0):
                raise ValueError("%s must be a scalar, got shape %s" % (name, self.tensor.shape))
            self.static = _constant_value(self.tensor)
        else:
            self.tensor = None
            self.static = None if value is None else np.asarray(value, dtype=dtypes.as_dtype(dtype).np).item()

    def tensors(self):
        return [] if self.tensor is None else [self.tensor]

    def value(self, rt):
        return self.static if self.tensor is None else np.asarray(rt.value(self.tensor)).item()


def _constant_value(tensor):
    if tensor.op.type == "Const":
        return np.asarray(tensor.op.attrs["value"]).item()
    return None


class DatasetV1(structure.HasElementStructure):
    """`tf.data.Dataset`: a sequence of elements, each a nested structure of tensors."""

    def __init__(self, specs, parents=()):
        self._specs = specs
        self._parents = tuple(parents)
        self._graph = get_default_graph()

    def _flat_specs(self):
        return structure.flatten(self._specs)

    def _np_dtypes(self):
        return [s.dtype.np for s in self._flat_specs()]

    # --- what the iterator's ops need --------------------------------------------------------------
    def _input_tensors(self):
        """The tensors this dataset itself reads (not its parents')."""
        return []

    def _all_inputs(self):
        seen, ordered = set(), []
        for dataset in self._walk():
            for tensor in dataset._input_tensors():
                if tensor not in seen:
                    seen.add(tensor)
                    ordered.append(tensor)
        return ordered

    def _walk(self):
        yield self
        for parent in self._parents:
            yield from parent._walk()

    def _stream(self, rt):
        """A new stream of this dataset's elements, for one pass (one epoch)."""
        raise NotImplementedError

    def _has_functions_reading_state(self):
        return False

    # --- sources -----------------------------------------------------------------------------------
    @staticmethod
    def from_tensors(tensors):
        """A dataset with one element, `tensors` (any nest of tuples/dicts of tensors)."""
        return _TensorsDataset(tensors)

    @staticmethod
    def from_tensor_slices(tensors):
        """A dataset whose elements are the slices of `tensors` along their first dimension."""
        return _TensorSlicesDataset(tensors)

    @staticmethod
    def from_generator(generator, output_types, output_shapes=None, args=None):
        """A dataset of the elements a Python generator yields, converted to `output_types` and checked
        against `output_shapes`; `generator(*args)` is called each time the iterator is initialized."""
        return _GeneratorDataset(generator, output_types, output_shapes, args)

    @staticmethod
    def range(*args):
        """`Dataset.range([start,] stop[, step])`: int64 elements like Python's range."""
        return _RangeDataset(*args)

    @staticmethod
    def zip(datasets):
        """The elements of the given nest of datasets, taken together; ends with the shortest."""
        return _ZipDataset(datasets)

    @staticmethod
    def list_files(file_pattern, shuffle=None, seed=None):
        """A dataset of the file names matching `file_pattern` (a glob, or a list of them), shuffled
        unless `shuffle=False`."""
        from .readers import list_files
        return list_files(file_pattern, shuffle, seed)

    # --- transformations ---------------------------------------------------------------------------
    def map(self, map_func, num_parallel_calls=None):
        """Applies `map_func` (traced once into a graph function) to each element."""
        return _MapDataset(self, map_func)

    def map_with_legacy_function(self, map_func, num_parallel_calls=None):
        return _MapDataset(self, map_func)

    def filter(self, predicate):
        """Keeps the elements for which `predicate` (a traced function returning a scalar bool) holds."""
        return _FilterDataset(self, predicate)

    def filter_with_legacy_function(self, predicate):
        return _FilterDataset(self, predicate)

    def flat_map(self, map_func):
        """Maps each element to a Dataset with `map_func` and flattens the results in order."""
        return _FlatMapDataset(self, map_func)

    def interleave(self, map_func, cycle_length=AUTOTUNE, block_length=1, num_parallel_calls=None):
        """Maps each element to a Dataset and interleaves `cycle_length` of them, `block_length` elements
        from each in turn."""
        return _InterleaveDataset(self, map_func, cycle_length, block_length)

    def batch(self, batch_size, drop_remainder=False):
        """Stacks `batch_size` consecutive elements; the last batch is smaller unless `drop_remainder`."""
        return _BatchDataset(self, batch_size, drop_remainder)

    def padded_batch(self, batch_size, padded_shapes, padding_values=None, drop_remainder=False):
        """Like `batch`, padding each component to `padded_shapes` (None dimensions: the batch's longest)."""
        return _PaddedBatchDataset(self, batch_size, padded_shapes, padding_values, drop_remainder)

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=None):
        """Shuffles with a buffer of `buffer_size` elements: each output is drawn uniformly from the
        buffer and replaced by the next input element."""
        return _ShuffleDataset(self, buffer_size, seed, reshuffle_each_iteration)

    def repeat(self, count=None):
        """Repeats the dataset `count` times (forever when None or -1)."""
        return _RepeatDataset(self, count)

    def take(self, count):
        """At most `count` elements (all when -1)."""
        return _TakeDataset(self, count)

    def skip(self, count):
        """All but the first `count` elements (-1 skips everything)."""
        return _SkipDataset(self, count)

    def prefetch(self, buffer_size):
        """Accepted for speed in TF; numflow's pipelines already produce whole chunks: the same elements."""
        _Param(buffer_size, dtypes.int64, "buffer_size")
        return self

    def cache(self, filename=""):
        """Keeps the elements of the first epoch in memory and replays them in later ones."""
        return _CacheDataset(self, filename)

    def concatenate(self, dataset):
        """This dataset's elements followed by `dataset`'s (compatible types required)."""
        return _ConcatenateDataset(self, dataset)

    def shard(self, num_shards, index):
        """Every `num_shards`-th element starting at `index` (for one of several workers)."""
        return _ShardDataset(self, num_shards, index)

    def enumerate(self, start=0):
        """(index, element) pairs, the index an int64 counting from `start`."""
        return DatasetV1.zip((DatasetV1.range(start, np.iinfo(np.int64).max), self))

    def unbatch(self):
        """Splits each element into the slices along its first dimension (the inverse of `batch`)."""
        return _UnbatchDataset(self)

    def apply(self, transformation_func):
        """`transformation_func(self)`, which must return a Dataset (tf.data.experimental transformations)."""
        result = transformation_func(self)
        if not isinstance(result, DatasetV1):
            raise TypeError("`transformation_func` must return a Dataset. Got %r." % (result,))
        return result

    def with_options(self, options):
        """The same dataset carrying `options` merged into this one's (ValueError when a value set in
        both differs)."""
        from .options import Options
        if not isinstance(options, Options):
            raise TypeError("`options` must be a `tf.data.Options` object, got %r." % (options,))
        return _OptionsDataset(self, self.options().merge(options))

    def options(self):
        """The `tf.data.Options` set on this dataset and the datasets it reads (defaults when none)."""
        from .options import Options
        merged = Options()
        for parent in self._parents:
            merged = merged.merge(parent.options())
        return merged

    def reduce(self, initial_state, reduce_func):
        raise NotImplementedError("Dataset.reduce needs eager execution; use an iterator in TF1 graphs")

    # --- iterators ---------------------------------------------------------------------------------
    def make_one_shot_iterator(self):
        """An iterator that initializes itself on first use (parameters must be fixed in the graph)."""
        from .iterator_ops import make_one_shot_iterator
        return make_one_shot_iterator(self)

    def make_initializable_iterator(self, shared_name=None):
        """An iterator with an `initializer` op to run (again) before reading, e.g. with new feeds."""
        from .iterator_ops import make_initializable_iterator
        return make_initializable_iterator(self, shared_name)

    def __iter__(self):
        raise RuntimeError("dataset.__iter__() is only supported when eager execution is enabled; in a TF1 "
                           "graph use dataset.make_one_shot_iterator().get_next()")

    def __repr__(self):
        return "<%s shapes: %s, types: %s>" % (type(self).__name__.lstrip("_"),
                                                structure._describe(self.output_shapes),
                                                structure._describe(self.output_types))


Dataset = DatasetV1


# --- sources ---------------------------------------------------------------------------------------
def _to_tensors(value):
    """A nest of tuples/dicts with its leaves (lists included) converted to tensors."""
    if isinstance(value, tuple):
        parts = [_to_tensors(x) for x in value]
        return type(value)(*parts) if hasattr(value, "_fields") else tuple(parts)
    if isinstance(value, dict):
        return {k: _to_tensors(v) for k, v in value.items()}
    return convert_to_tensor(value, name="component")


def _from_env(rt, tensors, specs):
    return [np.asarray(rt.value(t), dtype=s.dtype.np) for t, s in zip(tensors, specs)]


class _TensorsDataset(DatasetV1):
    def __init__(self, tensors):
        tensors = _to_tensors(tensors)
        self._tensors = structure.flatten(tensors)
        super().__init__(structure.specs_of(tensors))

    def _input_tensors(self):
        return self._tensors

    def _stream(self, rt):
        values = _from_env(rt, self._tensors, self._flat_specs())
        return ChunkStream([tuple(v[np.newaxis] for v in values)])


class _TensorSlicesDataset(DatasetV1):
    def __init__(self, tensors):
        tensors = _to_tensors(tensors)
        flat = structure.flatten(tensors)
        first = None
        for tensor in flat:
            if tensor.shape.ndims == 0:
                raise ValueError("Unbatching a tensor is only supported for rank >= 1; from_tensor_slices "
                                 "got the scalar %s" % tensor.name)
            if tensor.shape.ndims is not None:
                dim = tensor.shape[0]
                if first is not None and not first.is_compatible_with(dim):
                    raise ValueError("Dimensions %s and %s are not compatible: the components of "
                                     "from_tensor_slices must have the same first dimension"
                                     % (first, dim))
                if dim.value is not None:
                    first = dim
        self._tensors = flat
        self._length = None if first is None else first.value
        specs = structure.map_structure(
            lambda t: TensorSpec(t.shape[1:] if t.shape.ndims is not None else TensorShape(None), t.dtype),
            tensors)
        super().__init__(specs)

    def _input_tensors(self):
        return self._tensors

    def _stream(self, rt):
        values = _from_env(rt, self._tensors, self._flat_specs())
        lengths = {len(v) for v in values}
        if len(lengths) > 1:
            raise errors.InvalidArgumentError(None, None, "All components of from_tensor_slices must have "
                                              "the same size in the 0th dimension, got %s"
                                              % [len(v) for v in values])
        return ChunkStream([tuple(values)])


class _RangeDataset(DatasetV1):
    def __init__(self, *args, output_type=dtypes.int64):
        if not 1 <= len(args) <= 3:
            raise ValueError("Dataset.range takes 1 to 3 arguments (start, stop, step), got %d" % len(args))
        start, stop, step = (0, args[0], 1) if len(args) == 1 else (args[0], args[1], 1) \
            if len(args) == 2 else args
        self._dtype = dtypes.as_dtype(output_type)
        self._params = [_Param(v, dtypes.int64, n) for v, n in ((start, "start"), (stop, "stop"),
                                                                 (step, "step"))]
        super().__init__(TensorSpec([], self._dtype))

    def _input_tensors(self):
        return [t for p in self._params for t in p.tensors()]

    def _stream(self, rt):
        start, stop, step = (p.value(rt) for p in self._params)
        if step == 0:
            raise errors.InvalidArgumentError(None, None, "step must be a non-zero integer.")
        return _RangeStream(start, stop, step, self._dtype.np)


class _RangeStream(Stream):
    def __init__(self, start, stop, step, dtype):
        self.next, self.stop, self.step, self.dtype = start, stop, step, dtype

    def next_chunk(self, limit):
        remaining = len(range(self.next, self.stop, self.step))
        if remaining <= 0:
            return None
        n = min(limit, remaining)
        values = self.next + self.step * np.arange(n, dtype=np.int64)
        self.next += self.step * n
        return (values.astype(self.dtype, copy=False),)


class _GeneratorDataset(DatasetV1):
    def __init__(self, generator, output_types, output_shapes, args):
        if not callable(generator):
            raise TypeError("`generator` must be callable.")
        types = structure.normalize_types(output_types)
        specs = structure.specs_from(types, None if output_shapes is None
                                     else structure.lists_to_tuples(output_shapes))
        self._generator = generator
        self._args = [] if args is None else [convert_to_tensor(a) for a in args]
        super().__init__(specs)

    def _input_tensors(self):
        return self._args

    def _stream(self, rt):
        args = [rt.value(t) for t in self._args]
        return _GeneratorStream(iter(self._generator(*args)), self._specs, self._np_dtypes())


class _GeneratorStream(Stream):
    def __init__(self, iterator, specs, np_dtypes):
        self.iterator = iterator
        self.specs = specs
        self.flat_specs = structure.flatten(specs)
        self.queue = RowQueue(np_dtypes)
        self.done = False

    def _convert(self, value):
        try:
            leaves = structure.flatten_as(self.specs, value)
        except (TypeError, ValueError) as exc:
            raise errors.InvalidArgumentError(None, None, "`generator` yielded an element that did not match "
                                              "the expected structure %s: %s" % (structure._describe(
                                                  structure.types_of(self.specs)), exc)) from None
        converted = []
        for spec, item in zip(self.flat_specs, leaves):
            try:
                array = np.asarray(item, dtype=spec.dtype.np)
                if spec.dtype.name == "string":
                    array = _as_bytes_array(item)
                elif np.asarray(item).dtype.kind == "f" and spec.dtype.np.kind in "iub" \
                        and not np.array_equal(array, np.asarray(item)):
                    raise ValueError("non-integral values")
            except (TypeError, ValueError) as exc:
                raise errors.InvalidArgumentError(
                    None, None, "TypeError: `generator` yielded an element that could not be converted to the "
                    "expected type. The expected type was %s, but the yielded element was %r (%s)."
                    % (spec.dtype.name, item, exc)) from None
            if not spec.shape.is_compatible_with(array.shape):
                raise errors.InvalidArgumentError(
                    None, None, "`generator` yielded an element of shape %s where an element of shape %s "
                    "was expected." % (_shape_str(array.shape), _shape_str(spec.shape.as_list()
                                                                            if spec.shape.ndims is not None
                                                                            else None)))
            converted.append(array)
        return tuple(converted)

    def next_chunk(self, limit):
        while not self.done and len(self.queue) < limit:
            try:
                value = next(self.iterator)
            except StopIteration:
                self.done = True
                break
            self.queue.append(self._convert(value))
        if not len(self.queue):
            return None
        return self.queue.pop_chunk(limit)


def _as_bytes_array(value):
    array = np.asarray(value, dtype=object)
    flat = array.reshape(-1)
    for i, item in enumerate(flat):
        if isinstance(item, str):
            flat[i] = item.encode("utf-8")
        elif not isinstance(item, bytes):
            raise TypeError("not a string: %r" % (item,))
    return array


def _shape_str(shape):
    if shape is None:
        return "<unknown>"
    return "(%s)" % ", ".join("None" if d is None else str(d) for d in shape) if len(shape) != 1 \
        else "(%s,)" % ("None" if shape[0] is None else shape[0])


class _ZipDataset(DatasetV1):
    def __init__(self, datasets):
        datasets = structure.lists_to_tuples(datasets)
        flat = structure.flatten(datasets)
        for d in flat:
            if not isinstance(d, DatasetV1):
                raise TypeError("The argument to `Dataset.zip()` must be a (nested) structure of `Dataset` "
                                "objects, got %r" % (d,))
        self._structure = datasets
        self._datasets = flat
        super().__init__(structure.pack(datasets, [d._specs for d in flat]), flat)

    def _stream(self, rt):
        return _ZipStream([Puller(d._stream(rt)) for d in self._datasets])


class _ZipStream(Stream):
    def __init__(self, pullers):
        self.pullers = pullers

    def next_chunk(self, limit):
        first = self.pullers[0].take(limit)
        if first is None:
            return None
        n = row_count(first)
        parts = [first]
        for puller in self.pullers[1:]:
            part = puller.take(n)
            if part is None:
                return None
            if row_count(part) < n:
                n = row_count(part)
            parts.append(part)
        return tuple(c[:n] for part in parts for c in part)


# --- transformations -------------------------------------------------------------------------------
class _MapDataset(DatasetV1):
    def __init__(self, parent, map_func):
        self._function = TracedFunction(map_func, parent._specs, "Dataset.map")
        super().__init__(self._function.output_specs, [parent])

    def _input_tensors(self):
        return self._function.captured

    def _stream(self, rt):
        parent = self._parents[0]
        return _MapStream(parent._stream(rt), self._function, rt, self._np_dtypes())


class _MapStream(Stream):
    # Rows per chunk when the function runs per element: small enough that a pipeline's first element
    # does not wait for many others.
    PER_ELEMENT_CHUNK = 16

    def __init__(self, upstream, function, rt, np_dtypes):
        self.upstream = upstream
        self.chunk_fn = function.chunk_runner(rt)
        self.element_fn = function.runner(rt) if self.chunk_fn is None else None
        self.queue = RowQueue(np_dtypes)
        self.position = 0

    def next_chunk(self, limit):
        if self.chunk_fn is not None:
            chunk = self.upstream.next_chunk(limit)
            if chunk is None:
                return None
            self.position += row_count(chunk)
            return tuple(self.chunk_fn(chunk))
        while not len(self.queue):
            chunk = self.upstream.next_chunk(min(limit, self.PER_ELEMENT_CHUNK))
            if chunk is None:
                return None
            for i in range(row_count(chunk)):
                self.queue.append(tuple(self.element_fn(row(chunk, i), self.position)))
                self.position += 1
        return self.queue.pop_chunk(limit)


class _FilterDataset(DatasetV1):
    def __init__(self, parent, predicate):
        function = TracedFunction(predicate, parent._specs, "Dataset.filter")
        result = function.result
        if not (hasattr(result, "dtype") and result.dtype is dtypes.bool and result.shape.ndims in (0, None)
                and result.shape.is_compatible_with([])):
            raise ValueError("`predicate` return type must be convertible to a scalar boolean tensor. Was %s."
                             % (result,))
        self._function = function
        super().__init__(parent._specs, [parent])

    def _input_tensors(self):
        return self._function.captured

    def _stream(self, rt):
        return _FilterStream(self._parents[0]._stream(rt), self._function, rt)


class _FilterStream(Stream):
    def __init__(self, upstream, function, rt):
        self.upstream = upstream
        self.keep_rows = predicate_runner(function, rt)

    def next_chunk(self, limit):
        while True:
            chunk = self.upstream.next_chunk(limit)
            if chunk is None:
                return None
            keep = self.keep_rows(chunk)
            if keep.all():
                return chunk
            if keep.any():
                return tuple(c[keep] for c in chunk)


def predicate_runner(function, rt):
    """chunk -> bool array, one per row: a traced scalar-bool function on each element of the chunk
    (on the whole chunk at once when its body acts row by row)."""
    values_of = scalar_runner(function, rt)
    return lambda chunk: np.asarray(values_of(chunk), dtype=bool)


def scalar_runner(function, rt):
    """chunk -> array of a traced scalar function's value on each element of the chunk (on the whole
    chunk at once when its body acts row by row)."""
    chunk_fn = function.chunk_runner(rt)
    element_fn = function.runner(rt) if chunk_fn is None else None
    position = [0]

    def values_of(chunk):
        n = row_count(chunk)
        if chunk_fn is not None:
            values = np.asarray(chunk_fn(chunk)[0]).reshape(n)
        else:
            values = np.array([element_fn(row(chunk, i), position[0] + i)[0] for i in range(n)])
        position[0] += n
        return values
    return values_of


def _dataset_function_stream(function, rt, run, element, position):
    """The stream of the Dataset that `function` returns for one input element."""
    values = run(element, position)
    inner_rt = rt.with_values(dict(zip(function.output_keys, values)))
    return function.dataset._stream(inner_rt)


class _FlatMapDataset(DatasetV1):
    def __init__(self, parent, map_func, transformation="Dataset.flat_map"):
        self._function = TracedFunction(map_func, parent._specs, transformation, allow_dataset=True)
        super().__init__(self._function.dataset._specs, [parent])

    def _input_tensors(self):
        return self._function.captured

    def _stream(self, rt):
        return _FlatMapStream(self._parents[0]._stream(rt), self._function, rt)


class _FlatMapStream(Stream):
    def __init__(self, upstream, function, rt):
        self.upstream = upstream
        self.function = function
        self.rt = rt
        self.run = function.runner(rt)
        self.inner = None
        self.position = 0

    def next_chunk(self, limit):
        while True:
            if self.inner is not None:
                chunk = self.inner.next_chunk(limit)
                if chunk is not None:
                    return chunk
                self.inner = None
            source = self.upstream.next_chunk(1)
            if source is None:
                return None
            self.inner = _dataset_function_stream(self.function, self.rt, self.run, row(source, 0),
                                                  self.position)
            self.position += 1


class _InterleaveDataset(_FlatMapDataset):
    def __init__(self, parent, map_func, cycle_length, block_length):
        super().__init__(parent, map_func, "Dataset.interleave")
        self._cycle = _Param(cycle_length, dtypes.int64, "cycle_length")
        self._block = _Param(block_length, dtypes.int64, "block_length")

    def _input_tensors(self):
        return self._function.captured + self._cycle.tensors() + self._block.tensors()

    def _stream(self, rt):
        cycle = self._cycle.value(rt)
        if cycle == AUTOTUNE:
            cycle = 2
        block = self._block.value(rt)
        if cycle < 1 or block < 1:
            raise errors.InvalidArgumentError(None, None, "cycle_length and block_length must be positive, "
                                              "got %d and %d" % (cycle, block))
        return _InterleaveStream(self._parents[0]._stream(rt), self._function, rt, cycle, block)


class _InterleaveStream(_FlatMapStream):
    """Round robin over up to `cycle` open inner streams, `block` elements from each in turn; an exhausted
    one is replaced, in its place, by the stream of the next input element."""

    def __init__(self, upstream, function, rt, cycle, block):
        super().__init__(upstream, function, rt)
        self.block = block
        self.slots = [None] * cycle
        self.slot = 0
        self.taken = 0
        self.exhausted = False

    def _open(self):
        if self.exhausted:
            return None
        source = self.upstream.next_chunk(1)
        if source is None:
            self.exhausted = True
            return None
        stream = _dataset_function_stream(self.function, self.rt, self.run, row(source, 0), self.position)
        self.position += 1
        return stream

    def next_chunk(self, limit):
        while True:
            if self.exhausted and all(s is None for s in self.slots):
                return None
            stream = self.slots[self.slot]
            if stream is None and not self.exhausted:
                stream = self.slots[self.slot] = self._open()
            if stream is not None:
                chunk = stream.next_chunk(min(limit, self.block - self.taken))
                if chunk is not None:
                    self.taken += row_count(chunk)
                    if self.taken >= self.block:
                        self._advance()
                    return chunk
                self.slots[self.slot] = None    # refilled from the next input element on its next turn
            self._advance()

    def _advance(self):
        self.taken = 0
        self.slot = (self.slot + 1) % len(self.slots)


class _BatchDataset(DatasetV1):
    def __init__(self, parent, batch_size, drop_remainder):
        self._size = _Param(batch_size, dtypes.int64, "batch_size")
        self._drop = _Param(drop_remainder, dtypes.bool, "drop_remainder")
        static = self._size.static if self._drop.static else None
        specs = structure.map_structure(lambda s: TensorSpec(TensorShape([static]).concatenate(s.shape),
                                                             s.dtype), parent._specs)
        super().__init__(specs, [parent])

    def _input_tensors(self):
        return self._size.tensors() + self._drop.tensors()

    def _stream(self, rt):
        size = _positive(self._size.value(rt), "batch_size")
        return _BatchStream(Puller(self._parents[0]._stream(rt)), size, bool(self._drop.value(rt)))


def _positive(value, name):
    if value <= 0:
        raise errors.InvalidArgumentError(None, None, "%s must be greater than zero, got %d" % (name, value))
    return value


class _BatchStream(Stream):
    def __init__(self, puller, size, drop_remainder):
        self.puller, self.size, self.drop_remainder = puller, size, drop_remainder

    def next_chunk(self, limit):
        chunk = self.puller.take(self.size)
        if chunk is None or (self.drop_remainder and row_count(chunk) < self.size):
            return None
        return tuple(c[np.newaxis] for c in chunk)


class _PaddedBatchDataset(DatasetV1):
    def __init__(self, parent, batch_size, padded_shapes, padding_values, drop_remainder):
        self._size = _Param(batch_size, dtypes.int64, "batch_size")
        self._drop = _Param(drop_remainder, dtypes.bool, "drop_remainder")
        padded = structure._shapes_like(parent._specs, structure.lists_to_tuples(padded_shapes)) \
            if isinstance(parent._specs, (tuple, dict)) else as_shape(padded_shapes)
        flat_padded = structure.flatten(padded)
        flat_specs = parent._flat_specs()
        for spec, shape in zip(flat_specs, flat_padded):
            if not shape.is_compatible_with(spec.shape) and not (
                    shape.ndims == spec.shape.ndims and all(p.value is None or s.value is None or p.value >= s.value
                                                            for p, s in zip(shape.dims, spec.shape.dims))):
                raise ValueError("The padded shape %s is not compatible with the corresponding input "
                                 "component shape %s." % (shape, spec.shape))
        if padding_values is None:
            pads = [b"" if s.dtype.name == "string" else 0 for s in flat_specs]
        else:
            given = structure.flatten(structure.lists_to_tuples(padding_values))
            if len(given) != len(flat_specs):
                raise ValueError("padding_values must have the structure of the dataset's elements")
            pads = [_constant_or_value(v) for v in given]
        self._padded = flat_padded
        self._pads = pads
        static = self._size.static if self._drop.static else None
        specs = [TensorSpec(TensorShape([static]).concatenate(shape), s.dtype)
                 for s, shape in zip(flat_specs, flat_padded)]
        super().__init__(structure.pack(parent._specs, specs), [parent])

    def _input_tensors(self):
        return self._size.tensors() + self._drop.tensors()

    def _stream(self, rt):
        size = _positive(self._size.value(rt), "batch_size")
        return _PaddedBatchStream(Puller(self._parents[0]._stream(rt)), size, bool(self._drop.value(rt)),
                                  self._padded, self._pads, self._np_dtypes())


def _constant_or_value(value):
    if is_tensor_like(value):
        tensor = convert_to_tensor(value)
        if tensor.op.type != "Const":
            raise ValueError("padding_values must be constants in numflow, got %s" % tensor.name)
        return tensor.op.attrs["value"]
    return value


class _PaddedBatchStream(Stream):
    def __init__(self, puller, size, drop_remainder, padded, pads, np_dtypes):
        self.puller, self.size, self.drop_remainder = puller, size, drop_remainder
        self.padded, self.pads, self.np_dtypes = padded, pads, np_dtypes

    def next_chunk(self, limit):
        chunks = self.puller.take_list(self.size)
        rows = [row(c, i) for c in chunks for i in range(row_count(c))]
        if not rows or (self.drop_remainder and len(rows) < self.size):
            return None
        out = []
        for k, (shape, pad, dtype) in enumerate(zip(self.padded, self.pads, self.np_dtypes)):
            parts = [np.asarray(r[k]) for r in rows]
            ranks = {p.ndim for p in parts}
            if ranks != {shape.ndims}:
                raise errors.InvalidArgumentError(None, None, "padded_batch: component %d has rank %s, the "
                                                  "padded shape %s has rank %d" % (k, sorted(ranks), shape,
                                                                                   shape.ndims))
            target = []
            for axis, dim in enumerate(shape.dims):
                longest = max(p.shape[axis] for p in parts)
                if dim.value is not None and longest > dim.value:
                    raise errors.InvalidArgumentError(
                        None, None, "Attempted to pad to a smaller size than the input element: component %d "
                        "has size %d in dimension %d, the padded shape allows %d" % (k, longest, axis, dim.value))
                target.append(longest if dim.value is None else dim.value)
            batch = np.full([len(parts)] + target, pad, dtype=dtype)
            for i, part in enumerate(parts):
                batch[(i,) + tuple(slice(0, n) for n in part.shape)] = part
            out.append(batch[np.newaxis])
        return tuple(out)


class _UnbatchDataset(DatasetV1):
    def __init__(self, parent):
        for spec in parent._flat_specs():
            if spec.shape.ndims == 0:
                raise ValueError("Cannot unbatch an input with scalar components.")
        specs = structure.map_structure(
            lambda s: TensorSpec(s.shape[1:] if s.shape.ndims is not None else TensorShape(None), s.dtype),
            parent._specs)
        super().__init__(specs, [parent])

    def _stream(self, rt):
        return _UnbatchStream(self._parents[0]._stream(rt))


class _UnbatchStream(Stream):
    def __init__(self, upstream):
        self.upstream = upstream
        self.current = None
        self.offset = 0

    def next_chunk(self, limit):
        while self.current is None or self.offset >= row_count(self.current):
            chunk = self.upstream.next_chunk(1)
            if chunk is None:
                return None
            element = row(chunk, 0)
            if len({len(c) for c in element}) > 1:
                raise errors.InvalidArgumentError(None, None, "Input element must have the same batch size in "
                                                  "each component, got %s" % [len(c) for c in element])
            self.current, self.offset = element, 0
        stop = min(row_count(self.current), self.offset + limit)
        part = take_rows(self.current, self.offset, stop)
        self.offset = stop
        return part


class _ShuffleDataset(DatasetV1):
    def __init__(self, parent, buffer_size, seed, reshuffle_each_iteration):
        self._buffer = _Param(buffer_size, dtypes.int64, "buffer_size")
        seed1, seed2 = _random.get_seed(seed if not is_tensor_like(seed) else _constant_value(seed))
        self._seeds = None if seed1 is None else (seed1, seed2)
        self._reshuffle = True if reshuffle_each_iteration is None else bool(reshuffle_each_iteration)
        super().__init__(parent._specs, [parent])

    def _input_tensors(self):
        return self._buffer.tensors()

    def _generator(self, rt):
        """One generator per initialized iterator, kept across epochs unless each epoch must repeat the
        first one's order."""
        entropy = rt.state.get((self, "entropy"))
        if entropy is None:
            entropy = rt.state[(self, "entropy")] = list(self._seeds) if self._seeds is not None else \
                int(np.random.SeedSequence().entropy % (2 ** 63))
        if not self._reshuffle:
            return np.random.default_rng(entropy)
        generator = rt.state.get((self, "generator"))
        if generator is None:
            generator = rt.state[(self, "generator")] = np.random.default_rng(entropy)
        return generator

    def _stream(self, rt):
        size = _positive(self._buffer.value(rt), "buffer_size")
        return _ShuffleStream(Puller(self._parents[0]._stream(rt)), size, self._generator(rt),
                              self._flat_specs())


class _ShuffleStream(Stream):
    """TF's shuffle buffer: an output is drawn uniformly from the buffer and its slot refilled with the next
    input element; once the input ends, the rows left come out in uniformly random order. With static
    element shapes the rows live in preallocated arrays and a chunk of draws is resolved with a few
    vectorised index operations and one gather; elements of varying shapes live in a list, one at a time."""

    def __init__(self, puller, size, generator, specs):
        self.puller, self.size, self.generator = puller, size, generator
        self.fixed = all(s.shape.is_fully_defined() for s in specs)
        self.specs = specs
        self.store = None
        self.fill = 0
        self.upstream_done = False
        self.drain = None           # the order of the rows left once the input has ended
        self.drained = 0

    def _fill_buffer(self):
        while self.fill < self.size and not self.upstream_done:
            chunks = self.puller.take_list(min(self.size - self.fill, 4096))
            if not chunks:
                self.upstream_done = True
                break
            for chunk in chunks:
                n = row_count(chunk)
                if self.fixed:
                    self._reserve(chunk, self.fill + n)
                    for buffer, c in zip(self.store, chunk):
                        buffer[self.fill:self.fill + n] = c
                else:
                    if self.store is None:
                        self.store = []
                    self.store.extend(row(chunk, i) for i in range(n))
                self.fill += n

    def _reserve(self, chunk, rows):
        """Grows the buffer arrays to hold `rows` rows (a buffer_size far above the data's size costs
        only what is filled)."""
        capacity = 0 if self.store is None else len(self.store[0])
        if rows <= capacity:
            return
        capacity = max(rows, min(max(2 * capacity, 1024), self.size + 1024))
        grown = [np.empty((capacity,) + c.shape[1:], dtype=c.dtype) for c in chunk]
        if self.store is not None:
            for new, old in zip(grown, self.store):
                new[:self.fill] = old[:self.fill]
        self.store = grown

    def next_chunk(self, limit):
        self._fill_buffer()
        if self.fill == 0:
            return None
        if not self.fixed:
            return self._next_element()
        if self.drain is not None:
            return self._drain(limit)
        incoming = None if self.upstream_done else self.puller.take(limit)
        if incoming is None:
            self.upstream_done = True
            # With no more input, each draw picks uniformly among the rows left: the rest of the buffer
            # comes out as a uniformly random permutation, drawn once.
            self.drain = self.generator.permutation(self.fill)
            return self._drain(limit)
        arrivals = row_count(incoming)
        size = self.fill
        # Arriving rows wait in the rows after the buffer's, so one gather serves every draw.
        self._reserve(incoming, size + arrivals)
        for buffer, column in zip(self.store, incoming):
            buffer[size:size + arrivals] = column
        draws = (self.generator.random(arrivals) * size).astype(np.int64)
        # Draw i takes slot draws[i], which then holds arriving row i: it outputs the row that the latest
        # earlier draw of the same slot put there, or the slot's own row if none did.
        order = np.argsort(draws, kind="stable")
        ranked = draws[order]
        repeat = np.empty(arrivals, dtype=bool)
        repeat[0] = False
        np.equal(ranked[1:], ranked[:-1], out=repeat[1:])
        previous = np.empty(arrivals, dtype=np.int64)
        previous[0] = 0
        previous[1:] = order[:-1]
        chosen = np.empty(arrivals, dtype=np.int64)
        chosen[order] = np.where(repeat, size + previous, ranked)
        output = tuple(buffer[chosen] for buffer in self.store)
        last = np.ones(arrivals, dtype=bool)          # the last draw of each slot decides what it holds
        last[:-1] = ranked[1:] != ranked[:-1]
        targets, sources = ranked[last], size + order[last]
        for buffer in self.store:
            buffer[targets] = buffer[sources]
        return output

    def _drain(self, limit):
        position = self.drained
        if position >= len(self.drain):
            self.fill = 0
            return None
        rows = self.drain[position:position + limit]
        self.drained = position + len(rows)
        return tuple(buffer[rows] for buffer in self.store)

    def _next_element(self):
        """One element, for elements whose shapes vary (they cannot share a chunk)."""
        j = int(self.generator.random() * self.fill)
        chosen = self.store[j]
        incoming = None if self.upstream_done else self.puller.take(1)
        if incoming is None:
            self.upstream_done = True
            self.fill -= 1
            self.store[j] = self.store[self.fill]
            self.store.pop()
        else:
            self.store[j] = row(incoming, 0)
        return tuple(np.asarray(c)[np.newaxis] for c in chosen)


class _Chain(Stream):
    def __init__(self, streams):
        self.streams = list(streams)

    def next_chunk(self, limit):
        while self.streams:
            chunk = self.streams[0].next_chunk(limit)
            if chunk is not None:
                return chunk
            self.streams.pop(0)
        return None


class _OptionsDataset(DatasetV1):
    """A dataset with options attached: the same elements."""

    def __init__(self, parent, options):
        self._options = options
        super().__init__(parent._specs, [parent])

    def options(self):
        return self._options

    def _stream(self, rt):
        return self._parents[0]._stream(rt)


class _CountDataset(DatasetV1):
    """A transformation of one dataset by an element count (repeat, take, skip)."""

    def __init__(self, parent, count):
        self._count = _Param(count, dtypes.int64, "count")
        super().__init__(parent._specs, [parent])

    def _input_tensors(self):
        return self._count.tensors()


class _RepeatDataset(_CountDataset):
    def __init__(self, parent, count):
        super().__init__(parent, -1 if count is None else count)

    def _stream(self, rt):
        return _RepeatStream(self._parents[0], rt, self._count.value(rt))


class _RepeatStream(Stream):
    def __init__(self, dataset, rt, count):
        self.dataset, self.rt, self.count = dataset, rt, count
        self.epoch = 0
        self.current = None if count == 0 else dataset._stream(rt)
        self.rows_this_epoch = 0

    def next_chunk(self, limit):
        while self.current is not None:
            chunk = self.current.next_chunk(limit)
            if chunk is not None:
                self.rows_this_epoch += row_count(chunk)
                return chunk
            self.epoch += 1
            if (0 <= self.count <= self.epoch) or self.rows_this_epoch == 0:
                self.current = None     # done, or an empty dataset that would repeat forever
                break
            self.rows_this_epoch = 0
            self.current = self.dataset._stream(self.rt)
        return None


class _TakeDataset(_CountDataset):
    def _stream(self, rt):
        return _TakeStream(self._parents[0]._stream(rt), self._count.value(rt))


class _TakeStream(Stream):
    def __init__(self, upstream, count):
        self.upstream, self.left = upstream, count

    def next_chunk(self, limit):
        if self.left == 0:
            return None
        chunk = self.upstream.next_chunk(limit if self.left < 0 else min(limit, self.left))
        if chunk is not None and self.left > 0:
            self.left -= row_count(chunk)
        return chunk


class _SkipDataset(_CountDataset):
    def _stream(self, rt):
        upstream = self._parents[0]._stream(rt)
        count = self._count.value(rt)
        if count < 0:
            return EmptyStream()
        while count > 0:
            chunk = upstream.next_chunk(min(count, 4096))
            if chunk is None:
                break
            count -= row_count(chunk)
        return upstream


class _CacheDataset(DatasetV1):
    def __init__(self, parent, filename):
        self._filename = _Param(filename, dtypes.string, "filename")
        super().__init__(parent._specs, [parent])

    def _input_tensors(self):
        return self._filename.tensors()

    def _stream(self, rt):
        record = rt.state.get((self, "cache"))
        if record is not None and record["complete"]:
            return ChunkStream(record["chunks"])
        record = rt.state[(self, "cache")] = {"chunks": [], "complete": False}
        return _RecordingStream(self._parents[0]._stream(rt), record)


class _RecordingStream(Stream):
    def __init__(self, upstream, record):
        self.upstream, self.record = upstream, record

    def next_chunk(self, limit):
        chunk = self.upstream.next_chunk(limit)
        if chunk is None:
            self.record["complete"] = True
        else:
            self.record["chunks"].append(chunk)
        return chunk


class _ConcatenateDataset(DatasetV1):
    def __init__(self, first, second):
        if not isinstance(second, DatasetV1):
            raise TypeError("concatenate expects a Dataset, got %r" % (second,))
        structure.assert_same_structure(first._specs, second._specs, "Dataset.concatenate")
        specs = []
        for a, b in zip(first._flat_specs(), second._flat_specs()):
            if a.dtype is not b.dtype:
                raise TypeError("Dataset.concatenate: the datasets have different types %s and %s"
                                % (a.dtype.name, b.dtype.name))
            specs.append(TensorSpec(structure.most_specific_compatible_shape(a.shape, b.shape), a.dtype))
        super().__init__(structure.pack(first._specs, specs), [first, second])

    def _stream(self, rt):
        return _Chain([self._parents[0]._stream(rt), _Lazy(self._parents[1], rt)])


class _Lazy(Stream):
    """A dataset's stream, built when first read (the second half of `concatenate`)."""

    def __init__(self, dataset, rt):
        self.dataset, self.rt, self.stream = dataset, rt, None

    def next_chunk(self, limit):
        if self.stream is None:
            self.stream = self.dataset._stream(self.rt)
        return self.stream.next_chunk(limit)


class _ShardDataset(DatasetV1):
    def __init__(self, parent, num_shards, index):
        self._num = _Param(num_shards, dtypes.int64, "num_shards")
        self._index = _Param(index, dtypes.int64, "index")
        if self._num.static is not None and self._index.static is not None:
            _check_shard(self._num.static, self._index.static, ValueError)
        super().__init__(parent._specs, [parent])

    def _input_tensors(self):
        return self._num.tensors() + self._index.tensors()

    def _stream(self, rt):
        num, index = self._num.value(rt), self._index.value(rt)
        _check_shard(num, index, lambda message: errors.InvalidArgumentError(None, None, message))
        return _ShardStream(self._parents[0]._stream(rt), num, index)


def _check_shard(num, index, error):
    if num <= 0:
        raise error("Number of shards must be greater than zero (got %d)." % num)
    if not 0 <= index < num:
        raise error("Index must be between 0 and %d (currently index = %d)." % (num - 1, index))


class _ShardStream(Stream):
    def __init__(self, upstream, num, index):
        self.upstream, self.num, self.index = upstream, num, index
        self.position = 0

    def next_chunk(self, limit):
        while True:
            chunk = self.upstream.next_chunk(limit * self.num)
            if chunk is None:
                return None
            n = row_count(chunk)
            first = (self.index - self.position) % self.num
            self.position += n
            if first < n:
                return tuple(c[first::self.num] for c in chunk)


def get_legacy_output_types(dataset):
    """`tf.data.get_output_types(dataset)` (`tf.compat.v1.data.get_output_types`)."""
    return dataset.output_types


def get_legacy_output_shapes(dataset):
    """`tf.data.get_output_shapes(dataset)`."""
    return dataset.output_shapes


def get_legacy_output_classes(dataset):
    """`tf.data.get_output_classes(dataset)`."""
    return dataset.output_classes


