"""`tf.data.experimental`: the transformations TF 1.x scripts apply with `dataset.apply(...)`."""
import numpy as np

from ..framework import dtypes, errors
from ..framework.graph import convert_to_tensor
from ..framework.op_def import OpDef, register
from ..ops.common import make_op
from . import structure
from .dataset_ops import DatasetV1
from .streams import Puller, Runtime, Stream, row
from .options import (AUTOTUNE, SHARD_HINT, AutoShardPolicy, AutotuneAlgorithm, AutotuneOptions,  # noqa: F401
                      DistributeOptions, ExternalStatePolicy, OptimizationOptions, Options, StatsOptions,
                      ThreadingOptions)
from .stateful_transforms import (Reducer, assert_cardinality, bucket_by_sequence_length,  # noqa: F401
                                  from_list, group_by_reducer, group_by_window,
                                  map_and_batch_with_legacy_function, pad_to_cardinality, rejection_resample,
                                  scan, take_while, unique)
from .sources import (RandomDataset, SparseTensorStructure, SqlDataset, TensorArrayStructure,  # noqa: F401
                      TensorStructure, get_structure)
from .sources import DatasetSpec as DatasetStructure  # noqa: F401
from ..framework.type_spec import OptionalSpec as OptionalStructure, TypeSpec as Structure  # noqa: F401
from .writers import TFRecordWriter  # noqa: F401
from .optional_ops import Optional, get_next_as_optional  # noqa: F401
from .readers_experimental import make_batched_features_dataset, make_csv_dataset, parse_example_dataset  # noqa: F401
from .experimental_extra import snapshot  # noqa: F401
from .dataset_lookup import DatasetInitializer, index_table_from_dataset, table_from_dataset  # noqa: F401

INFINITE_CARDINALITY = -1
UNKNOWN_CARDINALITY = -2


def shuffle_and_repeat(buffer_size, count=None, seed=None):
    """`dataset.apply(shuffle_and_repeat(buffer_size, count, seed))`: shuffle, then repeat; each epoch
    is shuffled differently."""
    return lambda dataset: dataset.shuffle(buffer_size, seed).repeat(count)


def map_and_batch(map_func, batch_size, num_parallel_batches=None, drop_remainder=False,
                  num_parallel_calls=None):
    """`dataset.apply(map_and_batch(map_func, batch_size))`: map then batch, fused in TF."""
    return lambda dataset: dataset.map(map_func).batch(batch_size, drop_remainder)


def unbatch():
    """`dataset.apply(unbatch())`: each element's slices along its first dimension."""
    return lambda dataset: dataset.unbatch()


def parallel_interleave(map_func, cycle_length, block_length=1, sloppy=False, buffer_output_elements=None,
                        prefetch_input_elements=None):
    """`dataset.apply(parallel_interleave(map_func, cycle_length))`: `interleave`, in its deterministic
    order (`sloppy` only allowed TF to change the order)."""
    return lambda dataset: dataset.interleave(map_func, cycle_length, block_length)


def enumerate_dataset(start=0):
    """`dataset.apply(enumerate_dataset(start))`: (index, element) pairs."""
    return lambda dataset: dataset.enumerate(start)


def prefetch_to_device(device, buffer_size=None):
    """Accepted: numflow keeps elements in host memory."""
    return lambda dataset: dataset


def copy_to_device(target_device, source_device="/cpu:0"):
    """Accepted: numflow keeps elements in host memory."""
    return lambda dataset: dataset


def Counter(start=0, step=1, dtype=dtypes.int64):  # noqa: N802 - TF's name
    """`tf.data.experimental.Counter(start, step)`: start, start+step, ... without end."""
    from .dataset_ops import _RangeDataset
    stop = np.iinfo(np.int64).max if step > 0 else np.iinfo(np.int64).min
    return _RangeDataset(start, stop, step, output_type=dtype)


def ignore_errors():
    """`dataset.apply(ignore_errors())`: drops the elements whose computation failed (a map function that
    raised on them, a record that could not be parsed) instead of ending the iteration with the error."""
    return lambda dataset: _IgnoreErrorsDataset(dataset)


class _IgnoreErrorsDataset(DatasetV1):
    def __init__(self, parent):
        super().__init__(parent._specs, [parent])

    def _stream(self, rt):
        return _IgnoreErrorsStream(self._parents[0]._stream(rt))


class _IgnoreErrorsStream(Stream):
    def __init__(self, upstream):
        self.upstream = upstream

    def next_chunk(self, limit):
        # One element at a time, so that a failure costs only the element that failed.
        while True:
            try:
                return self.upstream.next_chunk(1)
            except errors.InvalidArgumentError:
                continue


def sample_from_datasets(datasets, weights=None, seed=None):
    """Elements drawn from `datasets` at random, dataset i with probability weights[i] (uniform by
    default); ends when the chosen dataset is exhausted... as TF 1.15 does, skipping exhausted ones."""
    datasets = list(datasets)
    if not datasets:
        raise ValueError("sample_from_datasets needs at least one dataset")
    n = len(datasets)
    weights = np.full(n, 1.0 / n) if weights is None else weights
    return _SampleDataset(datasets, weights, seed)


def choose_from_datasets(datasets, choice_dataset):
    """The element of datasets[i] for each int64 i that `choice_dataset` yields."""
    datasets = list(datasets)
    spec = choice_dataset._flat_specs()
    if len(spec) != 1 or spec[0].dtype is not dtypes.int64 or not spec[0].shape.is_compatible_with([]):
        raise TypeError("`choice_dataset` must be a dataset of scalar tf.int64 tensors.")
    return _ChooseDataset(datasets, choice_dataset, None)


class _ChooseDataset(DatasetV1):
    def __init__(self, datasets, choice, weights_tensor):
        first = datasets[0]
        for other in datasets[1:]:
            structure.assert_same_structure(first._specs, other._specs, "choose_from_datasets")
            if [s.dtype for s in other._flat_specs()] != [s.dtype for s in first._flat_specs()]:
                raise TypeError("All datasets must have the same type, got %s and %s"
                                % (first.output_types, other.output_types))
        specs = []
        for k, spec in enumerate(first._flat_specs()):
            shape = spec.shape
            for other in datasets[1:]:
                shape = structure.most_specific_compatible_shape(shape, other._flat_specs()[k].shape)
            specs.append(structure.TensorSpec(shape, spec.dtype))
        self._datasets = datasets
        self._choice = choice
        parents = list(datasets) + ([choice] if choice is not None else [])
        super().__init__(structure.pack(first._specs, specs), parents)

    def _choices(self, rt):
        return self._choice._stream(rt)

    def _stream(self, rt):
        return _ChooseStream([Puller(d._stream(rt)) for d in self._datasets], self._choices(rt))


class _ChooseStream(Stream):
    def __init__(self, pullers, choices):
        self.pullers = pullers
        self.choices = choices
        self.done = [False] * len(pullers)

    def next_chunk(self, limit):
        while not all(self.done):
            chunk = self.choices.next_chunk(1)
            if chunk is None:
                return None
            index = int(chunk[0][0])
            if not 0 <= index < len(self.pullers):
                raise errors.InvalidArgumentError(None, None, "choice_dataset produced %d, outside [0, %d)"
                                                  % (index, len(self.pullers)))
            if self.done[index]:
                continue
            element = self.pullers[index].take(1)
            if element is None:
                self.done[index] = True
                continue
            return element
        return None


class _SampleDataset(_ChooseDataset):
    def __init__(self, datasets, weights, seed):
        from ..ops import random as _random
        weights = np.asarray(weights, dtype=np.float64)
        if weights.shape != (len(datasets),) or (weights < 0).any() or weights.sum() <= 0:
            raise ValueError("weights must be %d non-negative numbers with a positive sum, got %r"
                             % (len(datasets), weights))
        self._weights = weights / weights.sum()
        seed1, seed2 = _random.get_seed(seed)
        self._seeds = None if seed1 is None else [seed1, seed2]
        super().__init__(datasets, None, None)

    def _choices(self, rt):
        generator = np.random.default_rng(self._seeds)
        weights = self._weights
        return _RandomChoices(generator, weights)


class _RandomChoices(Stream):
    def __init__(self, generator, weights):
        self.generator, self.weights = generator, weights

    def next_chunk(self, limit):
        return (np.asarray([self.generator.choice(len(self.weights), p=self.weights)], dtype=np.int64),)


@register
class DatasetToSingleElement(OpDef):
    """The only element of a dataset; InvalidArgumentError when it has none or more than one."""

    stateful = True
    differentiable = False
    returns_shared = True
    host_only = True     # runs the dataset's Python iterator

    def infer(self, op):
        return [(s.dtype, s.shape) for s in op.attrs["dataset"]._flat_specs()]

    def kernel(self, op, ctx):
        dataset = op.attrs["dataset"]
        inputs = op.attrs["dataset_inputs"]

        def single(*values):
            stream = dataset._stream(Runtime(ctx, dict(zip(inputs, values))))
            first = stream.next_chunk(1)
            if first is None:
                raise errors.InvalidArgumentError(None, op, "Dataset was empty.")
            if stream.next_chunk(1) is not None:
                raise errors.InvalidArgumentError(None, op, "Dataset had more than one element.")
            element = row(first, 0)
            return element[0] if len(element) == 1 else element
        return single


def get_single_element(dataset):
    """`tf.data.experimental.get_single_element(dataset)`: the tensors of a dataset's only element."""
    if not isinstance(dataset, DatasetV1):
        raise TypeError("`dataset` must be a `tf.data.Dataset` object.")
    inputs = dataset._all_inputs()
    op = make_op("DatasetToSingleElement", inputs, {"dataset": dataset, "dataset_inputs": inputs},
                 name="DatasetToSingleElement")
    return structure.pack(dataset._specs, op.outputs)


def CsvDataset(filenames, record_defaults, compression_type=None, buffer_size=None, header=False,  # noqa: N802
               field_delim=",", use_quote_delim=True, na_value="", select_cols=None):
    """`tf.data.experimental.CsvDataset(filenames, record_defaults, ...)`: the parsed rows of CSV files,
    one tuple of scalars per line (the first line of each file skipped when `header`)."""
    from ..ops.parsing import decode_csv
    from .readers import TextLineDatasetV1
    from ..ops.array import reshape
    from ..ops.constant import constant
    files = DatasetV1.from_tensor_slices(reshape(convert_to_tensor(filenames, dtype=dtypes.string), [-1]))
    lines = files.flat_map(lambda f: TextLineDatasetV1(f, compression_type).skip(1 if header else 0))

    # A dtype instead of a default marks a required column, as an empty default does for decode_csv.
    defaults = [constant([], dtype=d) if isinstance(d, dtypes.DType) else d for d in record_defaults]

    def parse(line):
        return tuple(decode_csv(line, defaults, field_delim=field_delim, use_quote_delim=use_quote_delim,
                                na_value=na_value, select_cols=select_cols))
    return lines.map(parse)


def cardinality(dataset):
    """`tf.data.experimental.cardinality(dataset)`: numflow does not track it (UNKNOWN_CARDINALITY)."""
    return convert_to_tensor(np.int64(UNKNOWN_CARDINALITY))


