"""What `Model.compile` / `fit` / `evaluate` / `predict` share: checking and arranging the user's data
(NumPy arrays, lists and dicts of them) against the model's inputs and outputs, sample and class weights,
batching, resolving losses and metrics by name as TF 1.15's Keras does, and the weighted loss reduction."""
import numpy as np

from ...framework.graph import Tensor

__all__ = ["standardize_input_data", "check_array_lengths", "check_loss_and_target_compatibility",
           "standardize_weights", "make_batches", "slice_arrays", "get_metric_name", "get_metric_function",
           "weighted_loss", "resolve_loss", "batch_size_of", "is_dataset_like"]


def _as_array(value):
    if isinstance(value, Tensor):
        raise ValueError("Keras fits and evaluates NumPy data here; got the symbolic tensor " + str(value) +
                         ". Feed its values, or build the model on it (`Input(tensor=...)`).")
    array = np.asarray(value)
    if array.ndim == 1:
        array = np.expand_dims(array, 1)   # Keras feeds vectors as (samples, 1)
    return array


def standardize_input_data(data, names, shapes=None, check_batch_axis=True, exception_prefix=""):
    """`data` (an array, a list of arrays, or a dict by name) as a list of arrays in the order of
    `names`, each checked against `shapes` (the placeholders' shapes, None for unknown sizes)."""
    if not names:
        if data is not None and hasattr(data, "__len__") and len(data):
            raise ValueError("Error when checking model " + exception_prefix + ": expected no data, but got: " +
                             str(data)[:200])
        return []
    if data is None:
        return [None for _ in names]
    if isinstance(data, dict):
        try:
            arrays = [data[name] for name in names]
        except KeyError as e:
            raise ValueError('No data provided for "' + e.args[0] + '". Need data for each key in: ' +
                             str(names)) from None
    elif isinstance(data, (list, tuple)):
        if isinstance(data[0], (list, tuple)) if data else False:
            arrays = [np.asarray(data)]
        elif len(names) == 1 and data and not hasattr(data[0], "shape"):
            arrays = [np.asarray(data)]
        else:
            arrays = list(data)
    else:
        arrays = [data]
    if len(arrays) != len(names):
        if arrays and hasattr(arrays[0], "shape") and len(arrays) == 1:
            raise ValueError("Error when checking model " + exception_prefix + ": the list of Numpy arrays that "
                             "you are passing to your model is not the size the model expected. Expected to see " +
                             str(len(names)) + " array(s), but instead got the following list of " +
                             str(len(arrays)) + " arrays: " + str(arrays)[:200] + "...")
        raise ValueError("Error when checking model " + exception_prefix + ": the list of Numpy arrays that you "
                         "are passing to your model is not the size the model expected. Expected to see " +
                         str(len(names)) + " array(s), but instead got the following list of " +
                         str(len(arrays)) + " arrays: " + str(arrays)[:200] + "...")
    arrays = [_as_array(a) if a is not None else None for a in arrays]
    if shapes:
        for name, array, shape in zip(names, arrays, shapes):
            if shape is None or array is None:
                continue
            data_shape = array.shape
            if not check_batch_axis:
                data_shape, shape = data_shape[1:], tuple(shape)[1:]
            if len(data_shape) != len(shape):
                raise ValueError("Error when checking " + exception_prefix + ": expected " + name + " to have " +
                                 str(len(tuple(shape) + (() if check_batch_axis else (None,)))) +
                                 " dimensions, but got array with shape " + str(array.shape))
            for dim, reference in zip(data_shape, shape):
                if reference is not None and dim != reference:
                    raise ValueError("Error when checking " + exception_prefix + ": expected " + name +
                                     " to have shape " + str(tuple(shape)) + " but got array with shape " +
                                     str(tuple(data_shape)))
    return arrays


def check_array_lengths(inputs, targets, weights=None):
    """All arrays must have the same number of samples (their first dimension)."""
    def lengths(arrays):
        return {len(a) for a in arrays if a is not None}
    x_lengths, y_lengths = lengths(inputs), lengths(targets or [])
    w_lengths = lengths(weights or [])
    if len(x_lengths) > 1:
        raise ValueError("All input arrays (x) should have the same number of samples. Got array shapes: " +
                         str([a.shape for a in inputs]))
    if len(y_lengths) > 1:
        raise ValueError("All target arrays (y) should have the same number of samples. Got array shapes: " +
                         str([a.shape for a in targets if a is not None]))
    if x_lengths and y_lengths and x_lengths != y_lengths:
        raise ValueError("Input arrays should have the same number of samples as target arrays. Found " +
                         str(next(iter(x_lengths))) + " input samples and " + str(next(iter(y_lengths))) +
                         " target samples.")
    if len(w_lengths) > 1:
        raise ValueError("All sample_weight arrays should have the same number of samples. Got array shapes: " +
                         str([w.shape for w in weights if w is not None]))
    if y_lengths and w_lengths and y_lengths != w_lengths:
        raise ValueError("Sample_weight arrays should have the same number of samples as target arrays. Got " +
                         str(next(iter(y_lengths))) + " input samples and " + str(next(iter(w_lengths))) +
                         " target samples.")


def _loss_name(loss):
    fn = getattr(loss, "fn", loss)
    return getattr(fn, "__name__", type(loss).__name__)


_SAME_SHAPE_LOSSES = ("mean_squared_error", "binary_crossentropy", "categorical_crossentropy")


def check_loss_and_target_compatibility(targets, loss_fns, output_shapes):
    """Catches the common mismatch of integer targets with `categorical_crossentropy` and of targets
    whose shape differs from the output for losses that need equal shapes."""
    for y, loss, shape in zip(targets, loss_fns, output_shapes):
        if y is None or loss is None:
            continue
        name = _loss_name(loss)
        if name == "categorical_crossentropy" and y.shape[-1] == 1:
            raise ValueError("You are passing a target array of shape " + str(y.shape) + " while using as loss "
                             "`categorical_crossentropy`. `categorical_crossentropy` expects targets to be binary "
                             "matrices (1s and 0s) of shape (samples, classes). If your targets are integer "
                             "classes, you can convert them to the expected format via:\n```\nfrom keras.utils "
                             "import to_categorical\ny_binary = to_categorical(y_int)\n```\n\nAlternatively, you "
                             "can use the loss function `sparse_categorical_crossentropy` instead, which does "
                             "expect integer targets.")
        if name in _SAME_SHAPE_LOSSES and shape is not None:
            for target_dim, out_dim in zip(y.shape[1:], shape[1:]):
                if out_dim is not None and target_dim != out_dim:
                    raise ValueError("A target array with shape " + str(y.shape) + " was passed for an output "
                                     "of shape " + str(tuple(shape)) + " while using as loss `" + name + "`. This "
                                     "loss expects targets to have the same shape as the output.")


def standardize_weights(y, sample_weight=None, class_weight=None, sample_weight_mode=None):
    """The per-sample (or, with mode 'temporal', per-timestep) weights for targets `y`: `sample_weight`
    times the weight `class_weight` gives each sample's class; ones when neither is given."""
    if sample_weight_mode is not None and sample_weight_mode != "temporal":
        raise ValueError('"sample_weight_mode should be None or "temporal". Found: ' + str(sample_weight_mode))
    if sample_weight_mode == "temporal" and len(y.shape) < 3:
        raise ValueError("Found a sample_weight array for an input with shape " + str(y.shape) + ". Timestep-"
                         "wise sample weighting (use of sample_weight_mode=\"temporal\") is restricted to "
                         "outputs that are at least 3D, i.e. that have a time dimension.")
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight)
        if sample_weight_mode is None and sample_weight.ndim != 1:
            raise ValueError("Found a sample_weight array with shape " + str(sample_weight.shape) + ". In order "
                             "to use timestep-wise sample weights, you should specify sample_weight_mode="
                             "\"temporal\" in compile(). If you just mean to use sample-wise weights, make sure "
                             "your sample_weight array is 1D.")
        if sample_weight_mode == "temporal" and sample_weight.ndim != 2:
            raise ValueError("Found a sample_weight array with shape " + str(sample_weight.shape) + ". In order "
                             "to use timestep-wise sample weighting, you should pass a 2D sample_weight array.")
        if sample_weight.shape[:sample_weight.ndim] != y.shape[:sample_weight.ndim]:
            raise ValueError("Found a sample_weight array with shape " + str(sample_weight.shape) + " for an input "
                             "with shape " + str(y.shape) + ". sample_weight cannot be broadcast.")
    class_sample_weight = None
    if isinstance(class_weight, dict):
        if len(y.shape) > 2:
            raise ValueError("`class_weight` not supported for 3+ dimensional targets.")
        classes = np.argmax(y, axis=1) if y.shape[1] > 1 else np.reshape(y, (y.shape[0],))
        missing = sorted(set(np.unique(classes).tolist()) - set(class_weight))
        if missing:
            raise ValueError("`class_weight` must contain all classes in the data. The classes %s exist in the "
                             "data but not in `class_weight`." % set(missing))
        class_sample_weight = np.asarray([class_weight[c] for c in classes.tolist()], dtype=np.float64)
    elif class_weight is not None:
        raise ValueError("`class_weight` must be a dict mapping classes to weights, got " + str(class_weight))
    if sample_weight is None and class_sample_weight is None:
        shape = y.shape[:2] if sample_weight_mode == "temporal" else y.shape[:1]
        return np.ones(shape, dtype=np.float32)
    if sample_weight is None:
        return class_sample_weight.astype(np.float32)
    if class_sample_weight is not None:
        sample_weight = sample_weight * class_sample_weight.reshape((-1,) + (1,) * (sample_weight.ndim - 1))
    return sample_weight.astype(np.float32)


def make_batches(size, batch_size):
    """[(start, end)] of consecutive batches covering `size` samples."""
    count = int(np.ceil(size / float(batch_size)))
    return [(i * batch_size, min(size, (i + 1) * batch_size)) for i in range(count)]


def slice_arrays(arrays, indices):
    """Each array (None stays None) at `indices` (a slice or an index array)."""
    return [None if a is None else a[indices] for a in arrays]


def batch_size_of(arrays):
    for a in arrays:
        if a is not None:
            return len(a)
    return 0


def is_dataset_like(value):
    """tf.data Datasets and Iterators (read batch by batch in the session)."""
    from ...data import Dataset, Iterator
    return isinstance(value, (Dataset, Iterator))


# --- losses and metrics --------------------------------------------------------------------------------
def resolve_loss(identifier):
    """A Keras loss (function or Loss object) from a name, function or object."""
    if identifier is None:
        return None
    if callable(identifier) and not isinstance(identifier, (str, dict)):
        return identifier
    from .. import losses
    return losses.get(identifier)


def _is_loss_kind(loss, function_name, class_name):
    if loss is None:
        return False
    fn = getattr(loss, "fn", loss)
    return getattr(fn, "__name__", None) == function_name or type(loss).__name__ == class_name


def _is_builtin_loss(loss):
    """True for the losses of `keras.losses` (functions and classes); user-defined ones are not checked."""
    try:
        from .. import losses
    except ImportError:
        return False
    fn = getattr(loss, "fn", loss)
    name = getattr(fn, "__name__", None)
    if name is not None and getattr(losses, name, None) is fn:
        return True
    cls = type(loss)
    return getattr(losses, cls.__name__, None) is cls and not hasattr(loss, "fn")


def expected_target_shape(output, loss):
    """The target shape `fit` checks for `output` (batch axis included): the output's shape for Keras'
    own losses, (..., 1) for sparse categorical crossentropy, None (no check) for user-defined losses."""
    if output.shape.ndims is None:
        return None
    shape = tuple(output.shape.as_list())
    if _is_loss_kind(loss, "sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"):
        return shape[:-1] + (1,)
    return shape if _is_builtin_loss(loss) else None


def get_metric_function(metric, output_shape=None, loss_fn=None):
    """The metric 'accuracy'/'acc' (or 'crossentropy'/'ce') stands for, given the output's shape and
    loss, as TF 1.15 chooses it: binary for one output unit or binary crossentropy, sparse categorical
    with sparse categorical crossentropy, categorical otherwise. Other names go to `metrics.get`."""
    from .. import metrics as metrics_module
    if metric not in ("accuracy", "acc", "crossentropy", "ce"):
        return metrics_module.get(metric)
    binary = _is_loss_kind(loss_fn, "binary_crossentropy", "BinaryCrossentropy")
    sparse = _is_loss_kind(loss_fn, "sparse_categorical_crossentropy", "SparseCategoricalCrossentropy")
    single_unit = output_shape is not None and len(output_shape) and output_shape[-1] == 1
    if metric in ("accuracy", "acc"):
        if single_unit or binary:
            return metrics_module.binary_accuracy
        if sparse:
            return metrics_module.sparse_categorical_accuracy
        return metrics_module.categorical_accuracy
    if single_unit or binary:
        return metrics_module.binary_crossentropy
    if sparse:
        return metrics_module.sparse_categorical_crossentropy
    return metrics_module.categorical_crossentropy


def get_metric_name(metric, weighted=False):
    """The name TF 1.15's graph-mode Keras reports a metric under: 'acc' for 'accuracy' and 'acc', 'ce'
    for 'crossentropy'/'ce', else the metric object's `name` or the function's name; 'weighted_' first
    for weighted metrics."""
    from .. import metrics as metrics_module
    prefix = "weighted_" if weighted else ""
    if metric in ("accuracy", "acc"):
        return prefix + "acc"
    if metric in ("crossentropy", "ce"):
        return prefix + "ce"
    fn = metrics_module.get(metric) if isinstance(metric, str) else metric
    name = getattr(fn, "name", None) if not isinstance(fn, type(get_metric_name)) else None
    return prefix + (name or getattr(fn, "__name__", type(fn).__name__))


def weighted_loss(loss, y_true, y_pred, sample_weight=None, mask=None):
    """The weighted mean loss of one output: the per-sample values of `loss` times the sample weights
    (and the output's mask), summed and divided by the number of values (Keras' sum over batch size),
    or summed when the Loss object's reduction is 'sum'."""
    from ...ops import math as math_ops
    from ...ops.array import size
    if hasattr(loss, "call") and hasattr(loss, "reduction"):
        values = loss.call(y_true, y_pred)
        reduction = getattr(loss, "reduction", "auto")
    else:
        values = loss(y_true, y_pred)
        reduction = "auto"
    if values.dtype.base_dtype != y_pred.dtype.base_dtype:
        values = math_ops.cast(values, y_pred.dtype.base_dtype)
    weights = sample_weight
    if mask is not None:
        mask = math_ops.cast(mask, values.dtype)
        weights = mask if weights is None else _align(weights, mask) * mask
    if weights is not None:
        weights = math_ops.cast(weights, values.dtype)
        weights = _align(weights, values)
        values = values * weights
    total = math_ops.reduce_sum(values)
    if reduction == "sum":
        return total
    count = math_ops.cast(size(values), values.dtype)
    return math_ops.div_no_nan(total, count)


def _align(weights, values):
    """`weights` with trailing unit axes added (or removed) so that it broadcasts against `values`."""
    from ...ops.array import expand_dims, squeeze
    w_rank, v_rank = weights.shape.ndims, values.shape.ndims
    if w_rank is None or v_rank is None:
        return weights
    while w_rank < v_rank:
        weights = expand_dims(weights, -1)
        w_rank += 1
    while w_rank > v_rank and weights.shape.as_list()[-1] == 1:
        weights = squeeze(weights, [-1])
        w_rank -= 1
    return weights

