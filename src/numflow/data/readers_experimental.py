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


# --- make_csv_dataset ------------------------------------------------------------------------------
# The types a CSV column is inferred as, narrowest first: a column takes the first that fits every value.
_CSV_INFERENCE_ORDER = (dtypes.int32, dtypes.int64, dtypes.float32, dtypes.float64, dtypes.string)


def _fits(text, dtype):
    if dtype is dtypes.string:
        return True
    try:
        if dtype.is_integer:
            value = int(text)
            return dtype.min <= value <= dtype.max
        with np.errstate(over="ignore"):
            return np.asarray(float(text), dtype=dtype.np) < np.inf
    except (ValueError, OverflowError):
        return False


def _csv_rows(path, field_delim, use_quote_delim, compression_type):
    """The rows of one CSV file (lists of strings), as Python's csv module splits them."""
    import csv
    import io
    from .readers import _open
    handle = _open(path, compression_type or "")
    text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
    quoting = csv.QUOTE_MINIMAL if use_quote_delim else csv.QUOTE_NONE
    return text, csv.reader(text, delimiter=field_delim, quoting=quoting)


def _infer_column_names(filenames, field_delim, use_quote_delim, compression_type):
    names = None
    for path in filenames:
        text, rows = _csv_rows(path, field_delim, use_quote_delim, compression_type)
        with text:
            header = next(rows, [])
        if names is None:
            names = header
        elif header != names:
            raise ValueError("All input CSV files should have the same column names in the header row. File "
                             "%s has different column names." % path)
    return names


def _infer_column_types(filenames, columns, field_delim, use_quote_delim, na_value, header, rows_to_read,
                        compression_type):
    """The narrowest type of each selected column that fits its values in the first `rows_to_read` rows
    (all files together); a column with only missing values is a string column."""
    inferred = [None] * len(columns)
    read = 0
    for path in filenames:
        text, rows = _csv_rows(path, field_delim, use_quote_delim, compression_type)
        with text:
            if header:
                next(rows, None)
            for fields in rows:
                if read >= rows_to_read:
                    break
                read += 1
                for k, column in enumerate(columns):
                    value = fields[column] if column < len(fields) else ""
                    if value in ("", na_value):
                        continue
                    start = _CSV_INFERENCE_ORDER.index(inferred[k]) if inferred[k] is not None else 0
                    inferred[k] = next(t for t in _CSV_INFERENCE_ORDER[start:] if _fits(value, t))
        if read >= rows_to_read:
            break
    return [t or dtypes.string for t in inferred]


def make_csv_dataset(file_pattern, batch_size, column_names=None, column_defaults=None, label_name=None,
                     select_columns=None, field_delim=",", use_quote_delim=True, na_value="", header=True,
                     num_epochs=None, shuffle=True, shuffle_buffer_size=10000, shuffle_seed=None,
                     prefetch_buffer_size=None, num_parallel_reads=None, sloppy=False,
                     num_rows_for_inference=100, compression_type=None, ignore_errors=False):
    """Batches of CSV records as ordered dicts {column name: batch of values} (with `label_name`:
    `(features, label)` pairs). Column names come from `column_names` or the files' header row, column
    types from `column_defaults` or, when absent, from the first `num_rows_for_inference` rows (int32,
    int64, float32, float64, string: the narrowest that fits; a missing value reads as 0 or "").
    Files are read in sorted order (their order shuffled when `shuffle`), the records shuffled and
    repeated `num_epochs` times (forever when None, and then the last partial batch is dropped)."""
    import collections
    from ..platform import gfile
    from .experimental import CsvDataset, ignore_errors as ignore_errors_transformation
    patterns = [file_pattern] if isinstance(file_pattern, (str, bytes)) else list(file_pattern)
    filenames = sorted({name for pattern in patterns for name in gfile.Glob(pattern)})
    if not filenames:
        raise ValueError("No files match `file_pattern` %s." % (file_pattern,))
    if column_names is None:
        if not header:
            raise ValueError("Expected `column_names` or `header` arguments. Neither is provided.")
        column_names = _infer_column_names(filenames, field_delim, use_quote_delim, compression_type)
    column_names = list(column_names)
    if len(set(column_names)) != len(column_names):
        duplicates = {n for n in column_names if column_names.count(n) > 1}
        raise ValueError("Either `column_names` argument or CSV header row contains duplicate column names: "
                         "%s." % duplicates)
    if select_columns is not None:
        indices = []
        for column in select_columns:
            if isinstance(column, str):
                if column not in column_names:
                    raise ValueError("Column %s specified in `select_columns` must be of one of the columns: "
                                     "%s." % (column, column_names))
                indices.append(column_names.index(column))
            elif not 0 <= int(column) < len(column_names):
                raise ValueError("Column index %s specified in `select_columns` should be in [0, %d)."
                                 % (column, len(column_names)))
            else:
                indices.append(int(column))
        indices = sorted(set(indices))
        column_names = [column_names[i] for i in indices]
    else:
        indices = None
    if label_name is not None and label_name not in column_names:
        raise ValueError("`label_name` provided must be one of the columns: %s. Received: %s."
                         % (column_names, label_name))
    if column_defaults is None:
        types = _infer_column_types(filenames, indices or list(range(len(column_names))), field_delim,
                                    use_quote_delim, na_value, header, num_rows_for_inference, compression_type)
        column_defaults = [np.array(b"" if t is dtypes.string else 0, dtype=t.np) for t in types]
    elif len(column_defaults) != len(column_names):
        raise ValueError("The number of `column_defaults` (%d) must match the number of selected columns (%d)."
                         % (len(column_defaults), len(column_names)))
    else:
        from ..framework.graph import convert_to_tensor
        # Python numbers take TF's default types (int32, float32), as they would in tf.constant.
        column_defaults = [d if isinstance(d, dtypes.DType) else convert_to_tensor(d) for d in column_defaults]

    def read_file(filename):
        dataset = CsvDataset(filename, column_defaults, compression_type=compression_type, header=header,
                             field_delim=field_delim, use_quote_delim=use_quote_delim, na_value=na_value,
                             select_cols=indices)
        return dataset.apply(ignore_errors_transformation()) if ignore_errors else dataset

    def to_features(*columns):
        features = collections.OrderedDict(zip(column_names, columns))
        if label_name is None:
            return features
        label = features.pop(label_name)
        return features, label

    dataset = DatasetV1.from_tensor_slices(filenames)
    if shuffle:
        dataset = dataset.shuffle(len(filenames), shuffle_seed)
    dataset = dataset.interleave(read_file, cycle_length=num_parallel_reads or 1)
    dataset = _maybe_shuffle_and_repeat(dataset, num_epochs, shuffle, shuffle_buffer_size, shuffle_seed)
    dataset = dataset.batch(batch_size, drop_remainder=num_epochs is None)
    return dataset.map(to_features)
