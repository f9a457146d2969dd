"""`tf.contrib.learn.datasets.base`: CSV loaders, the bundled Iris and Boston data, and downloads.

`Dataset(data, target)` holds one in-memory table; `Datasets(train, validation, test)` is the same
namedtuple type numflow's MNIST loader returns, so `read_data_sets` results compare and unpack alike.
Every CSV is checked while it is read: a header that does not give the row and feature counts, a row
with the wrong number of fields, a value that is not a number of the asked dtype, or a row count that
disagrees with the header is a ValueError naming the file and line (TF1 fails with an IndexError or leaves
rows of zeros).
"""
import collections
import csv
import io
import os
import random
import time

import numpy as np

from ....datasets import mnist as _mnist
from ....platform import gfile

__all__ = ["Dataset", "Datasets", "load_csv_with_header", "load_csv_without_header", "shrink_csv",
           "load_iris", "load_boston", "retry", "urlretrieve_with_retry", "maybe_download",
           "split_into_train_and_test"]

Dataset = collections.namedtuple("Dataset", ["data", "target"])
Datasets = _mnist.Datasets

DATA_DIR = os.path.join(os.path.dirname(__file__), "data")
# The largest download maybe_download accepts: DBpedia's archive (the largest data set these loaders
# fetch) is about 65 MiB.
MAX_DOWNLOAD_BYTES = 256 << 20


def _csv_rows(filename):
    """(line number, fields) of every row of `filename`; NotFoundError when it is missing."""
    with gfile.GFile(filename, "r") as f:
        text = f.read()
    for line_number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        yield line_number, row


def _split_row(filename, line_number, row, target_column):
    """Remove and return the target field of `row` (the rest stay in `row`)."""
    if not -len(row) <= target_column < len(row):
        raise ValueError("%s, line %d: target_column %d is outside the row's %d fields"
                         % (filename, line_number, target_column, len(row)))
    return row.pop(target_column)


def _as_array(filename, line_number, values, dtype, what):
    try:
        return np.asarray(values, dtype=dtype)
    except ValueError as e:
        raise ValueError("%s, line %d: the %s %r are not %s values (%s)"
                         % (filename, line_number, what, values, np.dtype(dtype).name, e)) from None


def load_csv_with_header(filename, target_dtype, features_dtype, target_column=-1):
    """`Dataset(data, target)` from a CSV file whose first row starts with `n_samples,n_features`.

    Each following row holds `n_features` features and one target, the field at `target_column`. `data`
    is a `features_dtype` array [n_samples, n_features], `target` a `target_dtype` vector [n_samples].
    """
    rows = _csv_rows(filename)
    header = next(rows, (1, []))[1]
    try:
        n_samples, n_features = int(header[0]), int(header[1])
        if n_samples < 0 or n_features < 0:
            raise ValueError
    except (IndexError, ValueError):
        raise ValueError("%s, line 1: the header row must start with the number of samples and of features "
                         "(for example '150,4,...'); got %r" % (filename, ",".join(header))) from None
    data = np.zeros((n_samples, n_features), dtype=features_dtype)
    target = np.zeros((n_samples,), dtype=target_dtype)
    count = 0
    for line_number, row in rows:
        if count == n_samples:
            raise ValueError("%s, line %d: more rows than the %d samples the header announces"
                             % (filename, line_number, n_samples))
        target[count] = _as_array(filename, line_number, _split_row(filename, line_number, row, target_column),
                                  target_dtype, "target")
        if len(row) != n_features:
            raise ValueError("%s, line %d: %d features where the header announces %d"
                             % (filename, line_number, len(row), n_features))
        data[count] = _as_array(filename, line_number, row, features_dtype, "features")
        count += 1
    if count != n_samples:
        raise ValueError("%s: %d rows after the header, but it announces %d samples" % (filename, count, n_samples))
    return Dataset(data=data, target=target)


def load_csv_without_header(filename, target_dtype, features_dtype, target_column=-1):
    """`Dataset(data, target)` from a CSV file with no header: every row is features plus one target, the
    field at `target_column` (DBpedia's files: `target_column=0`, `features_dtype=str`)."""
    data, target = [], []
    for line_number, row in _csv_rows(filename):
        target_value = _split_row(filename, line_number, row, target_column)
        if data and len(row) != len(data[0]):
            raise ValueError("%s, line %d: %d features where the rows before have %d"
                             % (filename, line_number, len(row), len(data[0])))
        target.append(_as_array(filename, line_number, target_value, target_dtype, "target"))
        data.append(_as_array(filename, line_number, row, features_dtype, "features"))
    return Dataset(data=np.array(data), target=np.array(target, dtype=target_dtype))


def shrink_csv(filename, ratio):
    """Write every `ratio`-th row of `filename` (starting with the first) to the same name with `_small`
    before its first dot (`train.csv` -> `train_small.csv`)."""
    if int(ratio) < 1:
        raise ValueError("ratio must be a positive integer; got %r" % (ratio,))
    folder, base = os.path.split(filename)
    small_name = os.path.join(folder, base.replace(".", "_small.", 1))
    kept = [row for i, (_, row) in enumerate(_csv_rows(filename)) if i % int(ratio) == 0]
    with gfile.GFile(small_name, "w") as out:
        csv.writer(out, lineterminator="\n").writerows(kept)


def load_iris(data_path=None):
    """Fisher's Iris data as `Dataset(data float64 [150, 4], target int64 [150])`, from the copy shipped
    with numflow unless `data_path` names another file in the same layout."""
    return load_csv_with_header(data_path or os.path.join(DATA_DIR, "iris.csv"),
                                target_dtype=np.int64, features_dtype=np.float64)


def load_boston(data_path=None):
    """The Boston housing data as `Dataset(data float64 [506, 13], target float64 [506])` (median house
    value), from the copy shipped with numflow unless `data_path` names another file."""
    return load_csv_with_header(data_path or os.path.join(DATA_DIR, "boston_house_prices.csv"),
                                target_dtype=np.float64, features_dtype=np.float64)


def retry(initial_delay, max_delay, factor=2.0, jitter=0.25, is_retriable=None):
    """A decorator that calls the function again after a failure, waiting `initial_delay` seconds, then
    `factor` times longer each time while the delay stays within `max_delay`, each wait scaled by a random
    factor in [1 - jitter, 1 + jitter]. Only exceptions for which `is_retriable(e)` holds are retried
    (with no `is_retriable`, every exception is, at once); the final attempt's exception propagates."""
    if factor < 1:
        raise ValueError("factor must be >= 1; was %f" % (factor,))
    if jitter >= 1:
        raise ValueError("jitter must be < 1; was %f" % (jitter,))

    def delays():
        delay = initial_delay
        while delay <= max_delay:
            yield delay * random.uniform(1 - jitter, 1 + jitter)
            delay *= factor

    def decorate(fn):
        def call_with_retries(*args, **kwargs):
            for delay in delays():
                try:
                    return fn(*args, **kwargs)
                except Exception as e:  # noqa: BLE001 - is_retriable decides
                    if is_retriable is None:
                        continue
                    if not is_retriable(e):
                        raise
                    time.sleep(delay)
            return fn(*args, **kwargs)
        call_with_retries.__name__ = getattr(fn, "__name__", "call_with_retries")
        call_with_retries.__doc__ = fn.__doc__
        return call_with_retries
    return decorate


_CONNECTION_TIMED_OUT = 110  # errno ETIMEDOUT: the one failure a later attempt may well not repeat


def _is_retriable(e):
    return isinstance(e, OSError) and e.errno == _CONNECTION_TIMED_OUT


@retry(initial_delay=1.0, max_delay=16.0, is_retriable=_is_retriable)
def urlretrieve_with_retry(url, filename):
    """Download `url` into `filename`, retrying a connection that timed out."""
    _mnist._download(url, filename, max_bytes=MAX_DOWNLOAD_BYTES)


def maybe_download(filename, work_directory, source_url):
    """The path of `filename` in `work_directory`, downloading it from `source_url` first when it is not
    there (creating the folder). Setting NUMFLOW_NO_DOWNLOAD turns downloads off: a missing file is then a
    NotFoundError naming the URL to fetch it from by hand."""
    filepath = os.path.join(work_directory, filename)
    if gfile.Exists(filepath):
        return filepath
    if os.environ.get("NUMFLOW_NO_DOWNLOAD"):
        raise gfile._NotFoundError(None, None, "%s is missing and downloading is switched off "
                                   "(NUMFLOW_NO_DOWNLOAD is set): download %s and save it there"
                                   % (filepath, source_url))
    gfile.MakeDirs(work_directory)
    urlretrieve_with_retry(source_url, filepath)
    return filepath


def split_into_train_and_test(dataset, test_ratio=0.3, shuffle=False):
    """(train, test) `Dataset`s: the first `1 - test_ratio` of the rows (after a shuffle with NumPy's
    global generator when `shuffle`) and the rest."""
    if not 0 <= test_ratio <= 1:
        raise ValueError("The test_ratio value is out of bounds: %s" % test_ratio)
    data, target = dataset.data, dataset.target
    n_train = int(data.shape[0] * (1.0 - test_ratio))
    if shuffle:
        order = np.random.permutation(data.shape[0])
        data, target = data[order], target[order]
    return (Dataset(data=data[:n_train], target=target[:n_train]),
            Dataset(data=data[n_train:], target=target[n_train:]))
