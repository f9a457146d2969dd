"""Keras' HDF5 layout, as TF 1.15's tf.keras (Keras 2.2.4-tf) writes and reads it.

A weights file (`model.save_weights('w.h5')`) has root attributes `layer_names` (every layer of the
model, in order), `backend` ('tensorflow') and `keras_version`; one group per layer whose attribute
`weight_names` lists the layer's variables ('dense/kernel:0', ...), each stored as a dataset at
'<layer name>/<weight name>' (so 'dense/dense/kernel:0'). A whole-model file (`model.save('m.h5')`) puts
that under the group `model_weights` and adds the attributes `model_config` (JSON of
`{'class_name', 'config'}`) and `training_config` (JSON of the compile arguments), and a group
`optimizer_weights` holding the optimizer's variables the same way.

Files are untrusted input: every dataset's kind and shape is checked against the variable it is meant
for before anything is read or assigned, and a model is assigned all of its values at once, only after
every check passed, so a bad file raises a clear ValueError (or OSError for an unreadable file) and
leaves the model as it was.

h5py is optional: `pip install 'numflow-tf1[hdf5]'` (or `pip install h5py`).
"""
import json
import logging
import os

import numpy as np

from .. import backend
from . import saving_utils

__all__ = ["save_weights_to_hdf5_group", "load_weights_from_hdf5_group", "load_weights_from_hdf5_group_by_name",
           "save_model_to_hdf5", "load_model_from_hdf5", "save_attributes_to_hdf5_group",
           "load_attributes_from_hdf5_group", "preprocess_weights_for_loading",
           "load_optimizer_weights_from_hdf5_group",
           "save_optimizer_weights_to_hdf5_group", "open_hdf5", "is_hdf5_filepath"]

_log = logging.getLogger("numflow")

# HDF5 refuses object headers (where attributes live) above 64 KiB; longer attributes are split
HDF5_OBJECT_HEADER_LIMIT = 64512
BACKEND_NAME = "tensorflow"


def _h5py():
    try:
        import h5py
    except ImportError as e:
        raise ImportError("Saving and loading Keras models and weights in HDF5 format requires h5py: "
                          "pip install 'numflow-tf1[hdf5]' (or pip install h5py)") from e
    return h5py


def _keras_version():
    from .. import __version__
    return __version__


def is_hdf5_filepath(filepath):
    """True for paths Keras treats as HDF5: ending in '.h5', '.keras' or '.hdf5'."""
    return str(filepath).endswith((".h5", ".keras", ".hdf5"))


def open_hdf5(filepath, mode):
    """`h5py.File(filepath, mode)`, with an OSError naming the file when it is missing or not HDF5
    (e.g. truncated)."""
    h5py = _h5py()
    if mode == "r" and not os.path.exists(str(filepath)):
        raise OSError("Unable to open file %s: no such file" % (filepath,))
    try:
        return h5py.File(str(filepath), mode)
    except OSError as e:
        raise OSError("Unable to open %s as an HDF5 file (it is not one, or it is truncated or corrupt): %s"
                      % (filepath, e)) from e


# --- attributes ------------------------------------------------------------------------------------
def save_attributes_to_hdf5_group(group, name, data):
    """Stores the list `data` as attribute `name` of `group`, split into `name0`, `name1`, ... when it
    would not fit in one HDF5 object header (as Keras does)."""
    bad = [x for x in data if len(x) > HDF5_OBJECT_HEADER_LIMIT]
    if bad:
        raise RuntimeError("The following attributes cannot be saved to HDF5 file because they are larger "
                           "than %d bytes: %s" % (HDF5_OBJECT_HEADER_LIMIT, bad))
    array = np.asarray(data)
    chunks = 1
    split = np.array_split(array, chunks)
    while any(part.nbytes > HDF5_OBJECT_HEADER_LIMIT for part in split):
        chunks += 1
        split = np.array_split(array, chunks)
    if chunks > 1:
        for index, part in enumerate(split):
            group.attrs["%s%d" % (name, index)] = part
    else:
        group.attrs[name] = array


def _as_text(value, what):
    if isinstance(value, bytes):
        try:
            return value.decode("utf8")
        except UnicodeDecodeError:
            raise ValueError("%s is not valid UTF-8: %r" % (what, value[:80]))
    if isinstance(value, str):
        return value
    raise ValueError("%s should be a string, found %r" % (what, value))


def load_attributes_from_hdf5_group(group, name):
    """The list of strings stored as attribute `name` of `group` (or its chunks `name0`, `name1`, ...)."""
    if name in group.attrs:
        chunks = [group.attrs[name]]
    else:
        chunks = []
        while "%s%d" % (name, len(chunks)) in group.attrs:
            chunks.append(group.attrs["%s%d" % (name, len(chunks))])
        if not chunks:
            raise ValueError("The HDF5 group %r has no attribute %r: this is not a Keras weights file (or it "
                             "is damaged)." % (group.name, name))
    values = []
    for chunk in chunks:
        chunk = np.asarray(chunk)
        if chunk.ndim > 1 or (chunk.size and chunk.dtype.kind not in "SUO"):
            raise ValueError("The attribute %r of HDF5 group %r should be a list of strings, found %s %s"
                             % (name, group.name, chunk.dtype, chunk.shape))
        values += [_as_text(v, "An entry of attribute %r of HDF5 group %r" % (name, group.name))
                   for v in chunk.reshape(-1)]
    return values


def _text_attribute(group, name, default):
    """A string attribute (stored as bytes by Keras 2.2.4, as str by newer Keras), or `default`."""
    if name not in group.attrs:
        return default
    value = group.attrs[name]
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.reshape(-1)[0]
    return _as_text(value, "The attribute %r" % name)


# --- weights ---------------------------------------------------------------------------------------
def _layer_weights(layer):
    """A layer's variables in Keras' saving order: trainable, then non-trainable."""
    return list(layer.trainable_weights) + [w for w in layer.non_trainable_weights
                                            if all(w is not t for t in layer.trainable_weights)]


def _write_datasets(group, names, values):
    for name, value in zip(names, values):
        value = np.asarray(value)
        dataset = group.create_dataset(name, value.shape, dtype=value.dtype)
        if value.shape:
            dataset[:] = value
        else:
            dataset[()] = value


def save_weights_to_hdf5_group(f, layers):
    """Writes the weights of `layers` (a model's `layers`) into the HDF5 group `f` in Keras' layout."""
    save_attributes_to_hdf5_group(f, "layer_names", [layer.name.encode("utf8") for layer in layers])
    f.attrs["backend"] = BACKEND_NAME.encode("utf8")
    f.attrs["keras_version"] = str(_keras_version()).encode("utf8")
    all_weights = [_layer_weights(layer) for layer in layers]
    all_values = backend.batch_get_value([w for weights in all_weights for w in weights])
    position = 0
    for layer, weights in zip(layers, all_weights):
        group = f.create_group(layer.name)
        names = [w.name.encode("utf8") for w in weights]
        save_attributes_to_hdf5_group(group, "weight_names", names)
        _write_datasets(group, [n.decode("utf8") for n in names], all_values[position:position + len(weights)])
        position += len(weights)


def _dataset(group, name):
    """The dataset `name` of `group`, checked to be a numeric array (not a group, string or compound)."""
    h5py = _h5py()
    if isinstance(group.get(name, getlink=True), h5py.ExternalLink):
        raise ValueError("The weight %r of HDF5 group %r is a link to another file, which Keras weight files never "
                         "hold; refusing to follow it." % (name, group.name))
    try:
        item = group[name]
    except (KeyError, ValueError):
        raise ValueError("The weight %r listed in the 'weight_names' of HDF5 group %r is missing from the "
                         "file." % (name, group.name))
    if not isinstance(item, h5py.Dataset):
        raise ValueError("The weight %r of HDF5 group %r is not a dataset." % (name, group.name))
    if item.dtype.kind not in "fiub":
        raise ValueError("The weight %r of HDF5 group %r holds %s values, not numbers." % (name, group.name,
                                                                                            item.dtype))
    return item


def _read_dataset(dataset):
    try:
        return np.asarray(dataset[()])
    except OSError as e:
        raise OSError("Unable to read the weight %r from %s (the file is truncated or corrupt): %s"
                      % (dataset.name, dataset.file.filename, e)) from e


def _saved_weights(group):
    """The datasets of a layer group, in the order of its 'weight_names'."""
    return [_dataset(group, name) for name in load_attributes_from_hdf5_group(group, "weight_names")]


def _layer_group(f, name):
    h5py = _h5py()
    if name not in f or not isinstance(f[name], h5py.Group):
        raise ValueError("The layer %r listed in the 'layer_names' of the weights file has no group in the "
                         "file." % name)
    return f[name]


def _shape_error(index, layer, variable, saved):
    return ValueError('Layer #%d (named "%s"), weight %s has shape %s, but the saved weight has shape %s.'
                      % (index, layer.name, variable.name, tuple(variable.shape.as_list()), tuple(saved.shape)))


def _assign(pairs):
    """Assigns [(variable, numpy value)] in one go, cast to each variable's dtype."""
    backend.batch_set_value([(v, np.asarray(value, dtype=v.dtype.base_dtype.as_numpy_dtype))
                             for v, value in pairs])


def _file_origin(f):
    return (_text_attribute(f, "keras_version", "1"), _text_attribute(f, "backend", None))


def load_weights_from_hdf5_group(f, layers):
    """Loads the weights of `layers` from the HDF5 group `f` by position: the n-th layer that has weights
    takes the weights of the n-th layer of the file that has weights (layer names may differ).

    Raises ValueError when the counts of layers or of weights differ, or a shape differs."""
    origin = _file_origin(f)
    with_weights = [layer for layer in layers if _layer_weights(layer)]
    saved_groups = []
    for name in load_attributes_from_hdf5_group(f, "layer_names"):
        group = _layer_group(f, name)
        if load_attributes_from_hdf5_group(group, "weight_names"):
            saved_groups.append((name, group))
    if len(saved_groups) != len(with_weights):
        raise ValueError("You are trying to load a weight file containing %d layers into a model with %d "
                         "layers." % (len(saved_groups), len(with_weights)))
    pairs = []
    for index, ((name, group), layer) in enumerate(zip(saved_groups, with_weights)):
        variables = _layer_weights(layer)
        datasets = _saved_weights(group)
        if len(datasets) != len(variables):
            raise ValueError('Layer #%d (named "%s" in the current model) was found to correspond to layer %s in '
                             "the save file. However the new layer %s expects %d weights, but the saved weights "
                             "have %d elements." % (index, layer.name, name, layer.name, len(variables),
                                                    len(datasets)))
        unreadable = _unreadable_pair(layer, variables, datasets)
        if unreadable is not None:
            raise _shape_error(index, layer, *unreadable)
        values = _converted_values(layer, datasets, origin)
        for variable, value in zip(variables, values):
            if tuple(np.shape(value)) != tuple(variable.shape.as_list()):
                raise _shape_error(index, layer, variable, np.asarray(value))
            pairs.append((variable, value))
    _assign(pairs)


def _unreadable_pair(layer, variables, datasets):
    """The first (variable, dataset) whose stored shape cannot give the variable's value, or None; checked
    before reading, so a file cannot make us allocate more than the model's size. A recurrent layer may
    hold an old layout (a CuDNN bias is twice as long), converted and checked again after reading."""
    for variable, dataset in zip(variables, datasets):
        expected = tuple(variable.shape.as_list())
        if tuple(dataset.shape) == expected:
            continue
        if _needs_conversion(layer) and int(np.prod(dataset.shape)) <= 2 * int(np.prod(expected)):
            continue
        return variable, dataset
    return None


def _converted_values(layer, datasets, origin):
    """The datasets' values, read and converted from old layouts (`origin`: version and backend)."""
    return preprocess_weights_for_loading(layer, [_read_dataset(d) for d in datasets], *origin)


def load_weights_from_hdf5_group_by_name(f, layers, skip_mismatch=False):
    """Loads weights into the layers of `layers` whose names match layer groups of `f` (layers the file
    does not name keep their values). With `skip_mismatch`, layers whose weight count or shapes differ are
    skipped with a warning instead of raising ValueError."""
    origin = _file_origin(f)
    by_name = {}
    for layer in layers:
        if layer.name:
            by_name.setdefault(layer.name, []).append(layer)
    pairs = []
    for index, name in enumerate(load_attributes_from_hdf5_group(f, "layer_names")):
        targets = by_name.get(name, [])
        if not targets:
            continue
        group = _layer_group(f, name)
        datasets = _saved_weights(group)
        for layer in targets:
            variables = _layer_weights(layer)
            if len(datasets) != len(variables):
                if skip_mismatch:
                    _log.warning("Skipping loading of weights for layer %s due to mismatch in number of weights "
                                 "(%d vs %d).", layer.name, len(variables), len(datasets))
                    continue
                raise ValueError('Layer #%d (named "%s") expects %d weight(s), but the saved weights have %d '
                                 "element(s)." % (index, layer.name, len(variables), len(datasets)))
            mismatched = _unreadable_pair(layer, variables, datasets)
            if mismatched is None:
                values = _converted_values(layer, datasets, origin)
                mismatched = next(((v, np.asarray(x)) for v, x in zip(variables, values)
                                   if tuple(np.shape(x)) != tuple(v.shape.as_list())), None)
            if mismatched is not None:
                if skip_mismatch:
                    _log.warning("Skipping loading of weights for layer %s due to mismatch in shape (%s vs %s).",
                                 layer.name, tuple(mismatched[0].shape.as_list()), tuple(mismatched[1].shape))
                    continue
                raise _shape_error(index, layer, *mismatched)
            pairs += list(zip(variables, values))
    _assign(pairs)


# --- old layouts -------------------------------------------------------------------------------------
_CUDNN_CLASSES = ("CuDNNLSTM", "CuDNNGRU")


def _needs_conversion(layer):
    return type(layer).__name__ in ("LSTM", "GRU") + _CUDNN_CLASSES or _is_bidirectional(layer)


def _is_bidirectional(layer):
    return type(layer).__name__ == "Bidirectional"


def preprocess_weights_for_loading(layer, weights, original_keras_version=None, original_backend=None):
    """Converts weights saved by a CuDNN recurrent layer for the plain LSTM/GRU (and back), as Keras
    does when loading; other weights pass through unchanged.

    A CuDNNLSTM keeps one bias per gate pair (8 * units, input and recurrent) where LSTM adds them into
    one (4 * units); a CuDNNGRU likewise has 6 * units biases that a GRU with `reset_after=True` keeps as
    (2, 3 * units). Kernels have the same layout in both."""
    if _is_bidirectional(layer):
        half = len(weights) // 2
        return (preprocess_weights_for_loading(layer.forward_layer, weights[:half], original_keras_version,
                                               original_backend) +
                preprocess_weights_for_loading(layer.backward_layer, weights[half:], original_keras_version,
                                               original_backend))
    kind = type(layer).__name__
    if kind not in ("LSTM", "GRU") or len(weights) != 3:
        return weights
    kernel, recurrent_kernel, bias = weights
    units = recurrent_kernel.shape[0] if recurrent_kernel.ndim == 2 else None
    if units is None:
        return weights
    if kind == "LSTM" and bias.shape == (8 * units,):            # saved by CuDNNLSTM
        return [kernel, recurrent_kernel, bias[:4 * units] + bias[4 * units:]]
    if kind == "GRU" and bias.shape == (6 * units,):             # saved by CuDNNGRU
        return [kernel, recurrent_kernel, bias.reshape(2, 3 * units)]
    return weights


# --- optimizer weights -----------------------------------------------------------------------------
def save_optimizer_weights_to_hdf5_group(f, optimizer):
    """Writes the optimizer's variables (`optimizer.weights`) into the group 'optimizer_weights' of `f`."""
    variables = list(getattr(optimizer, "weights", []) or [])
    if not variables:
        return
    group = f.create_group("optimizer_weights")
    names = [v.name.encode("utf8") for v in variables]
    save_attributes_to_hdf5_group(group, "weight_names", names)
    _write_datasets(group, [n.decode("utf8") for n in names], backend.batch_get_value(variables))


def load_optimizer_weights_from_hdf5_group(f):
    """The optimizer's saved values (NumPy arrays), in the order of 'optimizer_weights'/'weight_names'."""
    group = f["optimizer_weights"]
    return [_read_dataset(d) for d in _saved_weights(group)]


# --- whole models ----------------------------------------------------------------------------------
def model_config_json(model):
    """`{'class_name', 'config'}` of `model` as Keras' JSON text."""
    return json.dumps({"class_name": type(model).__name__, "config": model.get_config()},
                      default=saving_utils.json_default)


def training_config(model):
    """The compile arguments of `model` as Keras stores them in 'training_config' (None if not compiled)."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not hasattr(optimizer, "get_config"):
        return None
    return {"optimizer_config": {"class_name": type(optimizer).__name__, "config": optimizer.get_config()},
            "loss": getattr(model, "loss", None),
            "metrics": getattr(model, "_compile_metrics", None),
            "weighted_metrics": getattr(model, "_compile_weighted_metrics", None),
            "sample_weight_mode": getattr(model, "sample_weight_mode", None),
            "loss_weights": getattr(model, "loss_weights", None)}


def save_model_to_hdf5(model, filepath, overwrite=True, include_optimizer=True):
    """Writes `model` (architecture, weights and, when `include_optimizer` and the model is compiled,
    the compile arguments and optimizer state) to the HDF5 file `filepath` or into an open h5py File."""
    h5py = _h5py()
    if not saving_utils.is_graph_network(model):
        raise NotImplementedError("Saving the model to HDF5 format requires the model to be a Functional model or "
                                  "a Sequential model. It does not work for subclassed models, because such models "
                                  "are defined via the body of a Python method, which isn't safely serializable. "
                                  "Use `save_weights` instead.")
    config_json = model_config_json(model)        # before the file is touched, so a failure leaves no file
    config = training_config(model) if include_optimizer else None
    opened = not isinstance(filepath, h5py.File)
    if opened:
        if not saving_utils.may_write(filepath, overwrite):
            return
        f = open_hdf5(filepath, "w")
    else:
        f = filepath
    try:
        f.attrs["keras_version"] = str(_keras_version()).encode("utf8")
        f.attrs["backend"] = BACKEND_NAME.encode("utf8")
        f.attrs["model_config"] = config_json.encode("utf8")
        save_weights_to_hdf5_group(f.create_group("model_weights"), model.layers)
        if config is not None:
            f.attrs["training_config"] = json.dumps(config, default=saving_utils.json_default).encode("utf8")
            save_optimizer_weights_to_hdf5_group(f, model.optimizer)
        f.flush()
    finally:
        if opened:
            f.close()


def _json_attribute(f, name):
    text = _text_attribute(f, name, None)
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError as e:
        raise ValueError("The %r attribute of %s is not valid JSON: %s" % (name, f.filename, e)) from e


def load_model_from_hdf5(filepath, custom_objects=None, compile=True):  # noqa: A002 - Keras' name
    """The model saved in the HDF5 file `filepath` (or open h5py File): rebuilt from 'model_config',
    its weights loaded, and, when `compile` and the file has a 'training_config', compiled again with its
    optimizer state restored."""
    from . import model_config as model_config_lib
    h5py = _h5py()
    opened = not isinstance(filepath, h5py.File)
    f = open_hdf5(filepath, "r") if opened else filepath
    try:
        config = _json_attribute(f, "model_config")
        if config is None:
            raise ValueError("No model found in config file.")
        model = model_config_lib.model_from_config(config, custom_objects=custom_objects)
        if "model_weights" not in f:
            raise ValueError("The model file %s has no 'model_weights' group." % (f.filename,))
        load_weights_from_hdf5_group(f["model_weights"], model.layers)
        if compile:
            train_config = _json_attribute(f, "training_config")
            if train_config is None:
                _log.warning("No training configuration found in save file: the model was *not* compiled. "
                             "Compile it manually.")
                return model
            model.compile(**compile_args_from_training_config(train_config, custom_objects))
            if "optimizer_weights" in f:
                _restore_optimizer(model, load_optimizer_weights_from_hdf5_group(f))
        return model
    finally:
        if opened:
            f.close()


def _restore_optimizer(model, values):
    """Builds the optimizer's slots (by making the training function) and sets their saved values."""
    if hasattr(model, "_make_train_function"):
        model._make_train_function()
    try:
        model.optimizer.set_weights(values)
    except ValueError as e:
        _log.warning("Error in loading the saved optimizer state (%s). As a result, your model is starting with "
                     "a freshly initialized optimizer.", e)


def compile_args_from_training_config(training_config, custom_objects=None):
    """The keyword arguments of `model.compile` that a saved 'training_config' describes."""
    from .. import optimizers
    from ..utils.generic_utils import custom_object_scope
    if "optimizer_config" not in training_config:
        raise ValueError("The training configuration has no 'optimizer_config': %r" % (training_config,))
    with custom_object_scope(custom_objects or {}):
        optimizer = optimizers.deserialize(training_config["optimizer_config"])
    return {"optimizer": optimizer, "loss": training_config.get("loss"),
            "metrics": training_config.get("metrics"),
            "weighted_metrics": training_config.get("weighted_metrics"),
            "loss_weights": training_config.get("loss_weights"),
            "sample_weight_mode": training_config.get("sample_weight_mode")}
