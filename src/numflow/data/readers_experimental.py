"""tf.data.experimental's ready-made input pipelines: `parse_example_dataset`,
`make_batched_features_dataset` and `make_csv_dataset`, composed from numflow's datasets as TF composes
them (list the files, read them interleaved, shuffle and repeat, batch, parse)."""
import numpy as np

from ..framework import dtypes
from . import structure
from .dataset_ops import DatasetV1


def parse_example_dataset(features, num_parallel_calls=1, deterministic=None):
    """`dataset.apply(parse_example_dataset(features))`: each element, a vector of serialized `Example`
    protos, parsed into a dict of dense tensors as `tf.io.parse_example(batch, features)` would."""
    if features is None:
        raise ValueError("Argument `features` is required, but not specified.")

    def transformation(dataset):
        specs = dataset._flat_specs()
        if len(specs) != 1 or specs[0].dtype is not dtypes.string or not specs[0].shape.is_compatible_with([None]):
            raise TypeError("Input dataset should be a dataset of vectors of strings")
        from ..ops.parsing import parse_example
        return dataset.map(lambda serialized: parse_example(serialized, features))
    return transformation


def _maybe_shuffle_and_repeat(dataset, num_epochs, shuffle, shuffle_buffer_size, shuffle_seed):
    if shuffle:
        dataset = dataset.shuffle(shuffle_buffer_size, shuffle_seed)
    if num_epochs != 1:
        dataset = dataset.repeat(num_epochs)
    return dataset


def make_batched_features_dataset(file_pattern, batch_size, features, reader=None, label_key=None,
                                  reader_args=None, num_epochs=None, shuffle=True, shuffle_buffer_size=10000,
                                  shuffle_seed=None, prefetch_buffer_size=None, reader_num_threads=None,
                                  parser_num_threads=None, sloppy_ordering=False, drop_final_batch=False):
    """Batches of parsed `Example` features read from the files matching `file_pattern` (TFRecord files
    unless `reader` says otherwise): files listed (shuffled when `shuffle`), read, elements shuffled and
    repeated `num_epochs` times (forever when None), batched and parsed with `features`; with `label_key`
    each element is `(features_without_label, label)`."""
    from .readers import TFRecordDatasetV1
    if label_key is not None and label_key not in features:
        raise ValueError("The `label_key` provided (%r) must be one of the `features` keys." % (label_key,))
    reader = TFRecordDatasetV1 if reader is None else reader
    reader_args = list(reader_args or [])
    files = DatasetV1.list_files(file_pattern, shuffle=shuffle, seed=shuffle_seed)
    dataset = files.interleave(lambda filename: reader(filename, *reader_args), cycle_length=reader_num_threads or 1)
    if dataset.output_types == (dtypes.string, dtypes.string):
        # Readers of (key, value) records: the value is the Example.
        dataset = dataset.map(lambda _, value: value)
    dataset = _maybe_shuffle_and_repeat(dataset, num_epochs, shuffle, shuffle_buffer_size, shuffle_seed)
    dataset = dataset.batch(batch_size, drop_remainder=drop_final_batch)
    dataset = dataset.apply(parse_example_dataset(features))
    if label_key is not None:
        dataset = dataset.map(lambda parsed: (parsed, parsed.pop(label_key)))
    return dataset
