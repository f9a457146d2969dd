"""`tf.estimator.inputs`: input_fns over in-memory data, `numpy_input_fn` and `pandas_input_fn`.

TF1 feeds these through queues; numflow builds the same batches with tf.data (from_tensor_slices ->
shuffle(queue_capacity) -> repeat(num_epochs) -> batch(batch_size)), so the last batch of the last
epoch may be smaller and the end of the data ends training with OutOfRangeError, as in TF.
`num_threads` is accepted and has no effect (one process, NumPy kernels).
"""
import collections

import numpy as np

__all__ = ["numpy_input_fn", "pandas_input_fn"]


def _check_shuffle(shuffle):
    if not isinstance(shuffle, bool):
        raise ValueError("shuffle must be provided and explicitly set as boolean (it is recommended to set it as "
                         "True for training); got %r" % (shuffle,))


def _arrays_input_fn(features, targets, single_feature, single_target, batch_size, num_epochs, shuffle,
                     queue_capacity):
    """An input_fn yielding batches of the dict `features` (a lone tensor when `single_feature`) and of
    `targets` (None: no labels; a lone tensor when `single_target`)."""
    if batch_size is None or batch_size <= 0:
        raise ValueError("batch_size must be a positive integer, got %r" % (batch_size,))
    if num_epochs is not None and num_epochs <= 0:
        raise ValueError("num_epochs must be None or a positive integer, got %r" % (num_epochs,))

    def input_fn():
        from ..data import Dataset
        element = (features, targets) if targets is not None else features
        dataset = Dataset.from_tensor_slices(element)
        if shuffle:
            dataset = dataset.shuffle(queue_capacity)
        dataset = dataset.repeat(num_epochs).batch(batch_size)
        batch = dataset.make_one_shot_iterator().get_next()
        batch_features, batch_targets = batch if targets is not None else (batch, None)
        if single_feature:
            batch_features = batch_features[_SINGLE_KEY]
        if targets is None:
            return batch_features
        if single_target:
            batch_targets = batch_targets[_SINGLE_KEY]
        return batch_features, batch_targets
    return input_fn


_SINGLE_KEY = "__numflow_single__"


def _as_array_dict(value, what):
    """(ordered dict of arrays, whether `value` was a lone array)."""
    if isinstance(value, dict):
        if not value:
            raise ValueError("%s cannot be an empty dict" % what)
        return collections.OrderedDict((key, np.asarray(array)) for key, array in value.items()), False
    if isinstance(value, np.ndarray):
        return collections.OrderedDict([(_SINGLE_KEY, value)]), True
    raise ValueError("%s must be a dict or array; got %s" % (what, type(value).__name__))


def _check_lengths(arrays):
    lengths = {key: (array.shape[0] if array.ndim else None) for key, array in arrays.items()}
    if len(set(lengths.values())) != 1 or None in lengths.values():
        shown = {("x" if key == _SINGLE_KEY else key): length for key, length in lengths.items()}
        raise ValueError("Length of tensors in x and y is mismatched. All elements in x and y must have the same "
                         "length (their first dimension).\nLengths: %s" % shown)


def numpy_input_fn(x, y=None, batch_size=128, num_epochs=1, shuffle=None, queue_capacity=1000, num_threads=1):
    """`tf.estimator.inputs.numpy_input_fn(x, y=None, batch_size=128, num_epochs=1, shuffle=None,
    queue_capacity=1000, num_threads=1)`: an input_fn returning batches of `x` (a dict of NumPy arrays, or
    one array) and `y` (an array, a dict of arrays, or None: features only).

    `shuffle` must be given as a bool (ValueError otherwise); shuffling draws from a buffer of
    `queue_capacity` examples. `num_epochs` None repeats forever. Every array needs the same first
    dimension (ValueError naming the lengths), and a dict y may not reuse a key of x."""
    _check_shuffle(shuffle)
    features, single_feature = _as_array_dict(x, "x")
    targets, single_target = (None, False) if y is None else _as_array_dict(y, "y")
    if targets is not None and not single_target:
        shared = sorted(set(targets) & set(features))
        if shared:
            raise ValueError("%d duplicate keys are found in both x and y: %s" % (len(shared), shared))
    everything = dict(features)
    if targets is not None:
        everything.update({("y" if key == _SINGLE_KEY else key): value for key, value in targets.items()})
    _check_lengths(everything)
    return _arrays_input_fn(dict(features), None if targets is None else dict(targets), single_feature,
                            single_target, batch_size, num_epochs, shuffle, queue_capacity)


def _import_pandas():
    try:
        import pandas
    except ImportError:
        raise ImportError("pandas_input_fn needs pandas: pip install pandas") from None
    return pandas


def pandas_input_fn(x, y=None, batch_size=128, num_epochs=1, shuffle=None, queue_capacity=1000, num_threads=1,
                    target_column="target"):
    """`tf.estimator.inputs.pandas_input_fn(x, y=None, batch_size=128, num_epochs=1, shuffle=None,
    queue_capacity=1000, num_threads=1, target_column='target')`: an input_fn returning batches of the
    columns of DataFrame `x` (a dict keyed by column name) and of `y` (a Series, or a DataFrame giving a
    dict of its columns). x and y must have the same index; `target_column` may not name a column of x.
    pandas is optional: it is imported here (ImportError naming it when absent)."""
    pandas = _import_pandas()
    _check_shuffle(shuffle)
    if not isinstance(x, pandas.DataFrame):
        raise TypeError("x must be a pandas DataFrame; got %s" % type(x).__name__)
    targets = None
    if y is not None:
        if target_column in x:
            raise ValueError("Cannot use name %s for target column: DataFrame already has a column with that "
                             "name: %s" % (target_column, list(x.columns)))
        if not np.array_equal(x.index, y.index):
            raise ValueError("Index for x and y are mismatched.\nIndex for x: %s\nIndex for y: %s\n"
                             % (x.index, y.index))
        if isinstance(y, pandas.DataFrame):
            targets = {str(column): y[column].to_numpy() for column in y.columns}
        else:
            targets = {_SINGLE_KEY: y.to_numpy()}
    features = {str(column): x[column].to_numpy() for column in x.columns}
    features = {key: (value.astype(object) if value.dtype == object else value) for key, value in features.items()}
    return _arrays_input_fn(features, targets, False, targets is not None and _SINGLE_KEY in targets,
                            batch_size, num_epochs, shuffle, queue_capacity)
