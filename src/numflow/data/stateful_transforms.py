"""tf.data.experimental transformations that keep state across elements: `scan`, `take_while`, `unique`,
`assert_cardinality`, `group_by_window`, `group_by_reducer`, `bucket_by_sequence_length`, and `from_list`.

Each is a `DatasetV1` whose stream reads its upstream in chunks and carries its state (the scan state, the
values seen, the open windows) in the stream object, so a re-initialized iterator starts afresh as in TF.
"""
import numpy as np

from ..framework import dtypes, errors
from ..framework.graph import convert_to_tensor
from ..framework.tensor_shape import TensorShape, as_shape
from ..ops.common import make_tensor
from . import structure
from .dataset_ops import DatasetV1, _from_env, _Param, _to_tensors, predicate_runner
from .function import TracedFunction
from .streams import ChunkStream, RowQueue, Stream, row, row_count, take_rows
from .structure import TensorSpec


# --- scan ------------------------------------------------------------------------------------------
def scan(initial_state, scan_func):
    """`dataset.apply(scan(initial_state, scan_func))`: `scan_func(state, element)` returns
    `(new_state, output)`; the dataset yields the outputs while the state threads through the elements."""
    return lambda dataset: _ScanDataset(dataset, initial_state, scan_func)


def _scan_state(result):
    if not (isinstance(result, tuple) and len(result) == 2):
        raise TypeError("The scan function must return a pair comprising the new state and the output value.")
    return result[0]


# Enough re-traces for a state's shapes to settle (each relaxes at least one dimension).
_MAX_TRACES = 8


def _trace_with_stable_state(fn, state_specs, element_specs, transformation, new_state_of):
    """`fn(state, element)` traced until the new state it returns fits the state it was traced with: the
    same structure and dtypes (TypeError otherwise), each shape relaxed to what both allow, as TF
    re-traces. Returns (function, state_specs)."""
    for _ in range(_MAX_TRACES):
        function = TracedFunction(fn, (state_specs, element_specs), transformation)
        new_specs = structure.specs_of(new_state_of(function.result))
        structure.assert_same_structure(state_specs, new_specs, "%s: the new state" % transformation)
        old_flat = structure.flatten(state_specs)
        relaxed = []
        for old, new in zip(old_flat, structure.flatten(new_specs)):
            if old.dtype is not new.dtype:
                raise TypeError("Invalid `%s` function. The element types for the new state must match the "
                                "initial state. Expected %r, got %r." % (transformation, old.dtype, new.dtype))
            relaxed.append(TensorSpec(structure.most_specific_compatible_shape(old.shape, new.shape), old.dtype))
        if all(_same_shape(a.shape, b.shape) for a, b in zip(old_flat, relaxed)):
            return function, state_specs
        state_specs = structure.pack(state_specs, relaxed)
    raise ValueError("%s: the state's shapes did not settle after %d traces" % (transformation, _MAX_TRACES))


def _same_shape(first, second):
    return first.ndims == second.ndims and (first.ndims is None or first.as_list() == second.as_list())


class _ScanDataset(DatasetV1):
    def __init__(self, parent, initial_state, scan_func):
        initial = _to_tensors(structure.lists_to_tuples(initial_state))
        self._initial = structure.flatten(initial)
        state_specs = structure.specs_of(initial)
        function, _ = _trace_with_stable_state(scan_func, state_specs, parent._specs, "scan", _scan_state)
        result = function.result
        self._function = function
        self._state_size = len(self._initial)
        super().__init__(structure.specs_of(result[1]), [parent])

    def _input_tensors(self):
        return self._initial + self._function.captured

    def _stream(self, rt):
        state = [rt.value(t) for t in self._initial]
        return _ScanStream(self._parents[0]._stream(rt), self._function.runner(rt), state, self._state_size,
                           self._np_dtypes())


class _ScanStream(Stream):
    def __init__(self, upstream, run, state, state_size, np_dtypes):
        self.upstream, self.run, self.state, self.state_size = upstream, run, state, state_size
        self.queue = RowQueue(np_dtypes)
        self.position = 0

    def next_chunk(self, limit):
        while not len(self.queue):
            chunk = self.upstream.next_chunk(limit)
            if chunk is None:
                return None
            for i in range(row_count(chunk)):
                values = self.run(list(self.state) + list(row(chunk, i)), self.position)
                self.state = values[:self.state_size]
                self.queue.append(tuple(values[self.state_size:]))
                self.position += 1
        return self.queue.pop_chunk(limit)


# --- take_while ------------------------------------------------------------------------------------
def take_while(predicate):
    """`dataset.apply(take_while(predicate))`: the elements up to (not including) the first for which
    `predicate` is False."""
    return lambda dataset: _TakeWhileDataset(dataset, predicate)


def _traced_predicate(predicate, specs, transformation):
    function = TracedFunction(predicate, specs, transformation)
    result = function.result
    if not (hasattr(result, "dtype") and result.dtype is dtypes.bool and result.shape.ndims in (0, None)
            and result.shape.is_compatible_with([])):
        raise ValueError("Invalid `predicate`. `predicate` must return a `tf.bool` scalar tensor, but its "
                         "return type is %s." % (structure.specs_of(result),))
    return function


class _TakeWhileDataset(DatasetV1):
    def __init__(self, parent, predicate):
        self._function = _traced_predicate(predicate, parent._specs, "take_while")
        super().__init__(parent._specs, [parent])

    def _input_tensors(self):
        return self._function.captured

    def _stream(self, rt):
        return _TakeWhileStream(self._parents[0]._stream(rt), predicate_runner(self._function, rt))


class _TakeWhileStream(Stream):
    def __init__(self, upstream, keep_rows):
        self.upstream, self.keep_rows = upstream, keep_rows
        self.done = False

    def next_chunk(self, limit):
        if self.done:
            return None
        chunk = self.upstream.next_chunk(limit)
        if chunk is None:
            return None
        keep = self.keep_rows(chunk)
        if keep.all():
            return chunk
        self.done = True
        stop = int(np.argmin(keep))
        return take_rows(chunk, 0, stop) if stop else None


# --- unique ----------------------------------------------------------------------------------------
_UNIQUE_DTYPES = (dtypes.int32, dtypes.int64, dtypes.string)


def unique():
    """`dataset.apply(unique())`: each distinct element once, in order of first appearance (elements
    of one tf.int32, tf.int64 or tf.string component)."""
    return lambda dataset: _UniqueDataset(dataset)


class _UniqueDataset(DatasetV1):
    def __init__(self, parent):
        specs = parent._flat_specs()
        if len(specs) != 1:
            raise TypeError("`tf.data.experimental.unique()` only supports datasets with a single "
                            "component, got %d components." % len(specs))
        if specs[0].dtype not in _UNIQUE_DTYPES:
            raise TypeError("`tf.data.experimental.unique()` does not support type %r -- only `tf.int32`, "
                            "`tf.int64`, and `tf.string` are supported." % specs[0].dtype)
        super().__init__(parent._specs, [parent])

    def _stream(self, rt):
        return _UniqueStream(self._parents[0]._stream(rt))


class _UniqueStream(Stream):
    def __init__(self, upstream):
        self.upstream = upstream
        self.seen = set()

    def next_chunk(self, limit):
        while True:
            chunk = self.upstream.next_chunk(limit)
            if chunk is None:
                return None
            values = chunk[0]
            keep = np.zeros(len(values), dtype=bool)
            for i, value in enumerate(values):
                # The shape is part of the key: [1, 2] and [[1], [2]] are different elements.
                key = (np.shape(value), value.tobytes() if values.dtype != object else tuple(np.ravel(value))) \
                    if np.ndim(value) else value
                if key not in self.seen:
                    self.seen.add(key)
                    keep[i] = True
            if keep.any():
                return (values[keep],)


# --- assert_cardinality ----------------------------------------------------------------------------
def assert_cardinality(expected_cardinality):
    """`dataset.apply(assert_cardinality(n))`: the same elements; FailedPreconditionError as soon as the
    dataset turns out to have more or fewer than `n` elements (INFINITE_CARDINALITY: never ends)."""
    return lambda dataset: _AssertCardinalityDataset(dataset, expected_cardinality)


class _AssertCardinalityDataset(DatasetV1):
    def __init__(self, parent, expected):
        self._expected = _Param(expected, dtypes.int64, "expected_cardinality")
        super().__init__(parent._specs, [parent])

    def _input_tensors(self):
        return self._expected.tensors()

    def _stream(self, rt):
        return _AssertCardinalityStream(self._parents[0]._stream(rt), self._expected.value(rt))


def _elements(count):
    return "an infinite number of elements" if count == -1 else "%d element%s" % (count, "" if count == 1
                                                                                  else "s")


class _AssertCardinalityStream(Stream):
    def __init__(self, upstream, expected):
        self.upstream, self.expected = upstream, expected
        self.count = 0

    def next_chunk(self, limit):
        if self.expected >= 0 and self.count == self.expected:
            # One more read tells whether the dataset really ends here.
            if self.upstream.next_chunk(1) is not None:
                raise errors.FailedPreconditionError(
                    None, None, "Input dataset was expected to contain %s but contained at least %s."
                    % (_elements(self.expected), _elements(self.expected + 1)))
            return None
        want = limit if self.expected < 0 else min(limit, self.expected - self.count)
        chunk = self.upstream.next_chunk(want)
        if chunk is None:
            raise errors.FailedPreconditionError(
                None, None, "Input dataset was expected to contain %s but contained only %s."
                % (_elements(self.expected), _elements(self.count)))
        self.count += row_count(chunk)
        return chunk


# --- from_list -------------------------------------------------------------------------------------
def from_list(elements):
    """`tf.data.experimental.from_list(elements)`: a dataset of the given elements (each a nest of
    tensors of one structure, types and shapes), in order."""
    from ..ops.array import stack
    elements = list(elements)
    if not elements:
        raise ValueError("Invalid `elements`. `elements` should not be empty.")
    converted = [_to_tensors(structure.lists_to_tuples(e)) for e in elements]
    for other in converted[1:]:
        structure.assert_same_structure(converted[0], other, "from_list: the elements")
    columns = zip(*[structure.flatten(e) for e in converted])
    stacked = []
    for column in columns:
        if len({t.dtype for t in column}) != 1:
            raise TypeError("from_list: the elements have different types for one component: %s"
                            % sorted({t.dtype.name for t in column}))
        stacked.append(stack(list(column)))
    return DatasetV1.from_tensor_slices(structure.pack(converted[0], stacked))


def map_and_batch_with_legacy_function(map_func, batch_size, num_parallel_batches=None, drop_remainder=False,
                                       num_parallel_calls=None):
    """`map_and_batch` for a function traced the TF 1.x way (the same tracing in numflow)."""
    from .experimental import map_and_batch
    return map_and_batch(map_func, batch_size, num_parallel_batches, drop_remainder, num_parallel_calls)


# --- group_by_window / group_by_reducer / bucket_by_sequence_length --------------------------------
_KEY_SPEC = TensorSpec(TensorShape([]), dtypes.int64)


def group_by_window(key_func, reduce_func, window_size=None, window_size_func=None):
    """`dataset.apply(group_by_window(key_func, reduce_func, window_size))`: elements grouped by the
    int64 `key_func(element)`; each time a group holds `window_size` elements (or `window_size_func(key)`)
    `reduce_func(key, window_dataset)` turns them into a dataset whose elements are emitted. At the end of
    the input the unfinished groups are reduced, in increasing key order."""
    if (window_size is None) == (window_size_func is None):
        raise ValueError("Either the `window_size` argument or the `window_size_func` argument must be "
                         "specified.")
    if window_size_func is None:
        size = window_size

        def window_size_func(_):
            return convert_to_tensor(size, dtype=dtypes.int64)
    return lambda dataset: _GroupByWindowDataset(dataset, key_func, reduce_func, window_size_func)


def _traced_int64_scalar(fn, specs, transformation, what):
    function = TracedFunction(fn, specs, transformation)
    result = function.result
    if not (hasattr(result, "dtype") and result.dtype is dtypes.int64 and result.shape.is_compatible_with([])):
        raise ValueError("`%s` must return a single tf.int64 scalar tensor, got %s."
                         % (what, structure.specs_of(result)))
    return function


class _WindowDataset(DatasetV1):
    """The elements of one group, handed to a reduce function: the chunks stored under this object in
    the runtime's values."""

    def _stream(self, rt):
        return ChunkStream(rt.value(self))


def _chunks_of(rows, np_dtypes):
    """Rows (elements) as chunks of consecutive elements of one shape."""
    queue = RowQueue(np_dtypes)
    for element in rows:
        queue.append(element)
    chunks = []
    while len(queue):
        chunks.append(queue.pop_chunk(len(queue)))
    return chunks


class _GroupByWindowDataset(DatasetV1):
    def __init__(self, parent, key_func, reduce_func, window_size_func):
        self._key = _traced_int64_scalar(key_func, parent._specs, "group_by_window", "key_func")
        self._size = _traced_int64_scalar(window_size_func, _KEY_SPEC, "group_by_window", "window_size_func")
        self._window = _WindowDataset(parent._specs)
        window = self._window
        self._reduce = TracedFunction(lambda key: reduce_func(key, window), _KEY_SPEC, "group_by_window",
                                      allow_dataset=True)
        super().__init__(self._reduce.dataset._specs, [parent])

    def _input_tensors(self):
        return self._key.captured + self._size.captured + self._reduce.captured

    def _stream(self, rt):
        return _GroupByWindowStream(self, rt)


class _GroupByWindowStream(Stream):
    def __init__(self, dataset, rt):
        parent = dataset._parents[0]
        self.upstream = parent._stream(rt)
        self.np_dtypes = parent._np_dtypes()
        self.rt, self.window = rt, dataset._window
        self.key_of = dataset._key.runner(rt)
        self.size_of = dataset._size.runner(rt)
        self.reduce = dataset._reduce
        self.reduce_run = dataset._reduce.runner(rt)
        self.groups = {}          # key -> [window size, rows]
        self.output = None        # the stream of the window being emitted
        self.pending = None       # rows read but not yet grouped (after a window filled mid-chunk)
        self.flushing = False
        self.position = 0

    def _emit(self, key, rows):
        values = self.reduce_run([np.int64(key)], self.position)
        inner = self.rt.with_values(dict(zip(self.reduce.output_keys, values)))
        inner.env[self.window] = _chunks_of(rows, self.np_dtypes)
        self.output = self.reduce.dataset._stream(inner)

    def next_chunk(self, limit):
        while True:
            if self.output is not None:
                chunk = self.output.next_chunk(limit)
                if chunk is not None:
                    return chunk
                self.output = None
            if self.flushing:
                if not self.groups:
                    return None
                key = min(self.groups)
                self._emit(key, self.groups.pop(key)[1])
                continue
            chunk, self.pending = (self.pending, None) if self.pending is not None else \
                (self.upstream.next_chunk(limit), None)
            if chunk is None:
                self.flushing = True
                continue
            for i in range(row_count(chunk)):
                element = row(chunk, i)
                key = int(self.key_of(element, self.position)[0])
                self.position += 1
                group = self.groups.get(key)
                if group is None:
                    size = int(self.size_of([np.int64(key)], self.position - 1)[0])
                    if size <= 0:
                        raise errors.InvalidArgumentError(
                            None, None, "Window size must be greater than zero, but got %d." % size)
                    group = self.groups[key] = [size, []]
                group[1].append(element)
                if len(group[1]) == group[0]:
                    del self.groups[key]
                    self._emit(key, group[1])
                    # The rest of this chunk waits: windows come out in the order they fill.
                    if i + 1 < row_count(chunk):
                        self.pending = take_rows(chunk, i + 1, row_count(chunk))
                    break


class Reducer:
    """`tf.data.experimental.Reducer(init_func, reduce_func, finalize_func)`: how `group_by_reducer`
    folds a group: `init_func(key)` gives the initial state, `reduce_func(state, element)` the next one,
    `finalize_func(state)` the group's output element."""

    def __init__(self, init_func, reduce_func, finalize_func):
        self._init_func = init_func
        self._reduce_func = reduce_func
        self._finalize_func = finalize_func

    @property
    def init_func(self):
        return self._init_func

    @property
    def reduce_func(self):
        return self._reduce_func

    @property
    def finalize_func(self):
        return self._finalize_func


def group_by_reducer(key_func, reducer):
    """`dataset.apply(group_by_reducer(key_func, reducer))`: one element per distinct int64
    `key_func(element)`, the group folded by `reducer`, emitted after the input ends in increasing key
    order."""
    if not isinstance(reducer, Reducer):
        raise TypeError("`reducer` must be a `tf.data.experimental.Reducer`, got %r." % (reducer,))
    return lambda dataset: _GroupByReducerDataset(dataset, key_func, reducer)


class _GroupByReducerDataset(DatasetV1):
    def __init__(self, parent, key_func, reducer):
        self._key = _traced_int64_scalar(key_func, parent._specs, "group_by_reducer", "key_func")
        self._init = TracedFunction(reducer.init_func, _KEY_SPEC, "group_by_reducer")
        state_specs = structure.specs_of(self._init.result)
        self._reduce, state_specs = _trace_with_stable_state(reducer.reduce_func, state_specs, parent._specs,
                                                             "group_by_reducer", lambda result: result)
        self._finalize = TracedFunction(reducer.finalize_func, state_specs, "group_by_reducer")
        super().__init__(self._finalize.output_specs, [parent])

    def _input_tensors(self):
        return (self._key.captured + self._init.captured + self._reduce.captured + self._finalize.captured)

    def _stream(self, rt):
        upstream = self._parents[0]._stream(rt)
        key_of, init, reduce = self._key.runner(rt), self._init.runner(rt), self._reduce.runner(rt)
        states, position = {}, 0
        # The whole input is folded before the first output, as in TF.
        while True:
            chunk = upstream.next_chunk(4096)
            if chunk is None:
                break
            for i in range(row_count(chunk)):
                element = row(chunk, i)
                key = int(key_of(element, position)[0])
                state = states.get(key)
                if state is None:
                    state = init([np.int64(key)], position)
                states[key] = reduce(list(state) + list(element), position)
                position += 1
        finalize = self._finalize.runner(rt)
        rows = [tuple(finalize(states[key], position)) for key in sorted(states)]
        return ChunkStream(_chunks_of(rows, self._np_dtypes()))


def bucket_by_sequence_length(element_length_func, bucket_boundaries, bucket_batch_sizes, padded_shapes=None,
                              padding_values=None, pad_to_bucket_boundary=False, no_padding=False,
                              drop_remainder=False):
    """`dataset.apply(bucket_by_sequence_length(...))`: elements put in buckets by the int32 length
    `element_length_func(element)` (bucket i holds boundaries[i-1] <= length < boundaries[i]) and batched
    `bucket_batch_sizes[i]` at a time, padded to the batch's longest (to boundary - 1 with
    `pad_to_bucket_boundary`) unless `no_padding`."""
    boundaries = list(bucket_boundaries)
    sizes = list(bucket_batch_sizes)
    if len(sizes) != len(boundaries) + 1:
        raise ValueError("len(bucket_batch_sizes) must equal len(bucket_boundaries) + 1")
    if boundaries != sorted(boundaries):
        raise ValueError("bucket_boundaries must be sorted in increasing order, got %r" % (boundaries,))
    if pad_to_bucket_boundary and no_padding:
        raise ValueError("pad_to_bucket_boundary and no_padding cannot both be True.")
    from ..ops import array, math as math_ops
    from ..ops.constant import constant

    def bucket_of(*element):
        length = convert_to_tensor(element_length_func(*element))
        above = math_ops.greater_equal(math_ops.cast(length, dtypes.int64),
                                       constant(np.asarray(boundaries, np.int64)))
        return math_ops.reduce_sum(math_ops.cast(above, dtypes.int64))

    def batch_size_of(bucket):
        return array.gather(constant(np.asarray(sizes, np.int64)), bucket)

    def batch_bucket(bucket, window):
        size = batch_size_of(bucket)
        if no_padding:
            return window.batch(size, drop_remainder=drop_remainder)
        shapes = padded_shapes
        if shapes is None:
            shapes = structure.map_structure(lambda s: TensorShape([None] * s.shape.ndims), window._specs)
        batched = window.padded_batch(size, shapes, padding_values, drop_remainder=drop_remainder)
        if not pad_to_bucket_boundary:
            return batched
        target = math_ops.cast(array.gather(constant(np.asarray(boundaries + [1], np.int64)) - 1, bucket),
                               dtypes.int32)
        flat_shapes = [as_shape(s) for s in structure.flatten(structure.lists_to_tuples(shapes))] \
            if isinstance(window._specs, (tuple, dict)) else [as_shape(shapes)]

        pad_values = [0] * len(flat_shapes) if padding_values is None else \
            structure.flatten(structure.lists_to_tuples(padding_values))

        def pad_to_boundary(*args):
            element = args if len(args) > 1 else args[0]
            flat = [_pad_unknown_dims(part, shape, target, value)
                    for part, shape, value in zip(structure.flatten(element), flat_shapes, pad_values)]
            return structure.pack(element, flat)
        return batched.map(pad_to_boundary)

    def transformation(dataset):
        if pad_to_bucket_boundary:
            dataset = _LengthCheckDataset(dataset, element_length_func, boundaries[-1] if boundaries else None)
        return dataset.apply(group_by_window(bucket_of, batch_bucket, window_size_func=batch_size_of))
    return transformation


def _pad_unknown_dims(batch, shape, target, value):
    """`batch` (a padded batch) padded with `value` so that every dimension `shape` leaves unknown has size
    `target`."""
    from ..ops import array
    if not any(d.value is None for d in shape.dims):
        return batch
    actual = array.shape(batch, out_type=dtypes.int32)
    pads = [[0, 0]]
    for axis, dim in enumerate(shape.dims, 1):
        pads.append([0, target - actual[axis]] if dim.value is None else [0, 0])
    return array.pad(batch, array.stack([array.stack(p) for p in pads]), constant_values=value)


class _LengthCheckDataset(DatasetV1):
    """The same elements; InvalidArgumentError at an element whose length is not below the last bucket
    boundary (with `pad_to_bucket_boundary` no bucket could hold it)."""

    def __init__(self, parent, element_length_func, limit):
        from ..ops import math as math_ops

        def fits(*element):
            length = convert_to_tensor(element_length_func(*element))
            return math_ops.less(math_ops.cast(length, dtypes.int64), np.int64(limit))
        self._function = _traced_predicate(fits, parent._specs, "bucket_by_sequence_length")
        super().__init__(parent._specs, [parent])

    def _input_tensors(self):
        return self._function.captured

    def _stream(self, rt):
        return _LengthCheckStream(self._parents[0]._stream(rt), predicate_runner(self._function, rt))


class _LengthCheckStream(Stream):
    def __init__(self, upstream, fits):
        self.upstream, self.fits = upstream, fits

    def next_chunk(self, limit):
        chunk = self.upstream.next_chunk(limit)
        if chunk is not None and not self.fits(chunk).all():
            raise errors.InvalidArgumentError(None, None, "When pad_to_bucket_boundary=True, elements must "
                                              "have length < max(bucket_boundaries).")
        return chunk


# --- rejection_resample ----------------------------------------------------------------------------
def rejection_resample(class_func, target_dist, initial_dist=None, seed=None):
    """`dataset.apply(rejection_resample(class_func, target_dist))`: `(class, element)` pairs whose
    classes follow `target_dist`, by keeping each element of class c with probability
    (target[c] / initial[c]) / max over classes of that ratio. `initial_dist` is the input's class
    distribution; when None it is estimated from the classes seen so far."""
    return lambda dataset: _RejectionResampleDataset(dataset, class_func, target_dist, initial_dist, seed)


class _RejectionResampleDataset(DatasetV1):
    def __init__(self, parent, class_func, target_dist, initial_dist, seed):
        from ..ops import random as _random
        function = TracedFunction(class_func, parent._specs, "rejection_resample")
        result = function.result
        if not (hasattr(result, "dtype") and result.dtype in (dtypes.int32, dtypes.int64)
                and result.shape.is_compatible_with([])):
            raise ValueError("`class_func` must return a scalar tf.int32 (or tf.int64) class, got %s."
                             % (structure.specs_of(result),))
        self._function = function
        self._target = convert_to_tensor(target_dist, name="target_dist")
        self._initial = None if initial_dist is None else convert_to_tensor(initial_dist, name="initial_dist")
        seed1, seed2 = _random.get_seed(seed)
        self._seeds = None if seed1 is None else [seed1, seed2]
        super().__init__((TensorSpec([], result.dtype), parent._specs), [parent])

    def _input_tensors(self):
        return [self._target] + ([] if self._initial is None else [self._initial]) + self._function.captured

    def _stream(self, rt):
        from .dataset_ops import scalar_runner
        target = _distribution(rt.value(self._target), "target_dist")
        initial = None if self._initial is None else _distribution(rt.value(self._initial), "initial_dist")
        if initial is not None and initial.shape != target.shape:
            raise errors.InvalidArgumentError(None, None, "initial_dist has %d classes, target_dist %d"
                                              % (len(initial), len(target)))
        return _RejectionStream(self._parents[0]._stream(rt), scalar_runner(self._function, rt), target,
                                initial, np.random.default_rng(self._seeds), self._flat_specs()[0].dtype.np)


def _distribution(value, name):
    dist = np.asarray(value, dtype=np.float64)
    if dist.ndim != 1 or (dist < 0).any() or not dist.sum() > 0:
        raise errors.InvalidArgumentError(None, None, "%s must be a vector of non-negative probabilities with a "
                                          "positive sum, got %r" % (name, dist.tolist()))
    return dist / dist.sum()


def _acceptance(initial, target):
    """P(keep | class): target/initial scaled so the most under-represented class is always kept."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(initial > 0, target / initial, 0.0)
    return ratio / ratio.max() if ratio.max() > 0 else ratio


class _RejectionStream(Stream):
    def __init__(self, upstream, classes_of, target, initial, generator, class_dtype):
        self.upstream, self.classes_of, self.target = upstream, classes_of, target
        self.generator, self.class_dtype = generator, class_dtype
        self.counts = np.zeros(len(target)) if initial is None else None
        self.accept = None if initial is None else _acceptance(initial, target)

    def next_chunk(self, limit):
        while True:
            chunk = self.upstream.next_chunk(limit)
            if chunk is None:
                return None
            classes = self.classes_of(chunk).astype(np.int64)
            bad = (classes < 0) | (classes >= len(self.target))
            if bad.any():
                raise errors.InvalidArgumentError(None, None, "class_func returned %d, outside [0, %d)"
                                                  % (classes[bad][0], len(self.target)))
            if self.accept is not None:
                probabilities = self.accept[classes]
            else:
                # The estimate each element is judged by includes it and every earlier element.
                probabilities = np.empty(len(classes))
                for i, c in enumerate(classes):
                    self.counts[c] += 1
                    probabilities[i] = _acceptance(self.counts / self.counts.sum(), self.target)[c]
            keep = self.generator.random(len(classes)) < probabilities
            if keep.any():
                return (classes[keep].astype(self.class_dtype),) + tuple(c[keep] for c in chunk)


# --- pad_to_cardinality ----------------------------------------------------------------------------
def pad_to_cardinality(cardinality, mask_key="valid"):
    """`dataset.apply(pad_to_cardinality(n, mask_key))`: a dataset of dicts padded to exactly `n`
    elements: each element gains a bool `mask_key` entry, True for the input's elements, False for the
    all-zero padding elements after them. InvalidArgumentError when the input has more than `n`."""
    return lambda dataset: _PadToCardinalityDataset(dataset, cardinality, mask_key)


class _PadToCardinalityDataset(DatasetV1):
    def __init__(self, parent, cardinality, mask_key):
        if not isinstance(parent._specs, dict):
            raise ValueError("`pad_to_cardinality` requires its input dataset to be a dictionary.")
        for name, spec in parent._specs.items():
            if not spec.shape.is_fully_defined():
                raise ValueError("`pad_to_cardinality` needs fully defined element shapes to build its padding; "
                                 "component %r has shape %s." % (name, spec.shape))
        self._cardinality = _Param(cardinality, dtypes.int64, "cardinality")
        specs = dict(parent._specs)
        specs[mask_key] = TensorSpec([], dtypes.bool)
        self._mask_key = mask_key
        super().__init__(specs, [parent])

    def _input_tensors(self):
        return self._cardinality.tensors()

    def _stream(self, rt):
        parent = self._parents[0]
        keys = sorted(self._specs)
        parent_keys = sorted(parent._specs)
        # Where each of this dataset's flat components comes from in the parent's chunk (None: the mask).
        sources = [parent_keys.index(k) if k in parent._specs and k != self._mask_key else None for k in keys]
        padding = tuple(np.zeros([1] + s.shape.as_list(), dtype=s.dtype.np) if s.dtype is not dtypes.string
                        else np.full([1] + s.shape.as_list(), b"", dtype=object) for s in self._flat_specs())
        return _PadToCardinalityStream(parent._stream(rt), self._cardinality.value(rt), sources, padding)


class _PadToCardinalityStream(Stream):
    def __init__(self, upstream, cardinality, sources, padding):
        self.upstream, self.cardinality, self.sources, self.padding = upstream, cardinality, sources, padding
        self.count = 0
        self.exhausted = False

    def next_chunk(self, limit):
        if self.count >= self.cardinality and self.exhausted:
            return None
        if not self.exhausted:
            chunk = self.upstream.next_chunk(limit)
            if chunk is not None:
                n = row_count(chunk)
                if self.count + n > self.cardinality:
                    raise errors.InvalidArgumentError(
                        None, None, "pad_to_cardinality: the input dataset has more than the requested "
                        "cardinality (%d) elements." % self.cardinality)
                self.count += n
                return tuple(np.ones(n, dtype=bool) if s is None else chunk[s] for s in self.sources)
            self.exhausted = True
        rows = min(limit, self.cardinality - self.count)
        if rows <= 0:
            return None
        self.count += rows
        return tuple(np.repeat(p, rows, axis=0) if s is not None else np.zeros(rows, dtype=bool)
                     for s, p in zip(self.sources, self.padding))
