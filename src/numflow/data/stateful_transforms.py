"""tf.data.experimental transformations that keep state across elements: `scan`, `take_while`, `unique`,
`assert_cardinality`, `group_by_window`, `group_by_reducer`, `bucket_by_sequence_length`, and `from_list`.

Each is a `DatasetV1` whose stream reads its upstream in chunks and carries its state (the scan state, the
values seen, the open windows) in the stream object, so a re-initialized iterator starts afresh as in TF.
"""
import numpy as np

from ..framework import dtypes, errors
from ..framework.graph import convert_to_tensor
from ..framework.tensor_shape import TensorShape
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


class _ScanDataset(DatasetV1):
    # Enough re-traces for the state's shapes to settle (each relaxes at least one dimension).
    MAX_TRACES = 8

    def __init__(self, parent, initial_state, scan_func):
        initial = _to_tensors(structure.lists_to_tuples(initial_state))
        self._initial = structure.flatten(initial)
        state_specs = structure.specs_of(initial)
        for _ in range(self.MAX_TRACES):
            function = TracedFunction(scan_func, (state_specs, parent._specs), "scan")
            result = function.result
            if not (isinstance(result, tuple) and len(result) == 2):
                raise TypeError("The scan function must return a pair comprising the new state and the "
                                "output value.")
            new_specs = structure.specs_of(result[0])
            structure.assert_same_structure(state_specs, new_specs, "scan(): the new state")
            relaxed = []
            for old, new in zip(structure.flatten(state_specs), structure.flatten(new_specs)):
                if old.dtype is not new.dtype:
                    raise TypeError("Invalid `scan_func`. The element types for the new state must match "
                                    "the initial state. Expected %r, got %r." % (old.dtype, new.dtype))
                relaxed.append(TensorSpec(structure.most_specific_compatible_shape(old.shape, new.shape),
                                          old.dtype))
            if [s.shape.as_list() if s.shape.ndims is not None else None for s in relaxed] == \
                    [s.shape.as_list() if s.shape.ndims is not None else None
                     for s in structure.flatten(state_specs)]:
                break
            state_specs = structure.pack(state_specs, relaxed)
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
