"""Helpers the Keras saving formats share: where a file may be written, and reading configs written
by newer Keras versions."""
import os

import numpy as np

__all__ = ["may_write", "ask_to_proceed_with_overwrite", "convert_newer_config", "json_default", "is_graph_network"]

# keys that Keras added to serialized objects after 2.2.4 and that describe no constructor argument
_NEWER_METADATA_KEYS = ("module", "registered_name", "build_config", "compile_config", "shared_object_id")
# class names newer Keras writes for classes 2.2.4-tf names differently
_NEWER_CLASS_NAMES = {"Functional": "Model"}
# constructor arguments newer Keras added, which change nothing at their default value: class -> {arg: default}
_NEWER_ARGUMENT_DEFAULTS = {"InputLayer": {"ragged": False, "optional": False}}
for _conv in ("Conv1D", "Conv2D", "Conv3D", "Convolution1D", "Convolution2D", "Convolution3D"):
    _NEWER_ARGUMENT_DEFAULTS[_conv] = {"groups": 1}
for _rnn in ("RNN", "SimpleRNN", "LSTM", "GRU"):
    _NEWER_ARGUMENT_DEFAULTS[_rnn] = {"time_major": False}


def ask_to_proceed_with_overwrite(filepath):
    """Asks on the terminal whether to overwrite `filepath`; True for 'y'."""
    answer = input("[WARNING] %s already exists - overwrite? [y/n]" % (filepath,)).strip().lower()
    while answer not in ("y", "n"):
        answer = input('Enter "y" (overwrite) or "n" (cancel).').strip().lower()
    if answer == "n":
        return False
    print("[TIP] Next time specify overwrite=True!")
    return True


def may_write(filepath, overwrite):
    """Whether to write `filepath` (asking when it exists and not `overwrite`); creates its folder."""
    filepath = str(filepath)
    if not overwrite and os.path.exists(filepath) and not ask_to_proceed_with_overwrite(filepath):
        return False
    folder = os.path.dirname(filepath)
    if folder and not os.path.isdir(folder):
        os.makedirs(folder, exist_ok=True)
    return True


def convert_newer_config(config):
    """`config` (a nest of dicts and lists from a saved model) as Keras 2.2.4-tf reads it: what later
    Keras versions (2.3 to tf_keras 2.x) add is removed (the `module` / `registered_name` / `build_config`
    metadata of each serialized object, new constructor arguments left at their defaults), 'Functional'
    is 'Model' again and InputLayer's `batch_shape` is `batch_input_shape`; 2.2.4-tf configs pass
    through unchanged."""
    if isinstance(config, list):
        return [convert_newer_config(item) for item in config]
    if not isinstance(config, dict):
        return config
    serialized = "class_name" in config and "config" in config
    converted = {key: convert_newer_config(value) for key, value in config.items()
                 if not (serialized and key in _NEWER_METADATA_KEYS)}
    if serialized and converted["class_name"] in _NEWER_CLASS_NAMES:
        converted["class_name"] = _NEWER_CLASS_NAMES[converted["class_name"]]
    defaults = _NEWER_ARGUMENT_DEFAULTS.get(converted["class_name"]) if serialized else None
    if defaults and isinstance(converted["config"], dict):
        inner = dict(converted["config"])
        for key, default in defaults.items():
            if key in inner and inner[key] == default:
                del inner[key]
        if "batch_shape" in inner and "batch_input_shape" not in inner:
            inner["batch_input_shape"] = inner.pop("batch_shape")
        converted["config"] = inner
    return converted


def json_default(obj):
    """JSON for what Keras configs hold besides plain types: NumPy values, TensorShapes, DTypes, types."""
    if hasattr(obj, "get_config"):
        return {"class_name": type(obj).__name__, "config": obj.get_config()}
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    if type(obj).__name__ == "TensorShape":
        return None if obj.dims is None else obj.as_list()
    if type(obj).__name__ == "Dimension":
        return obj.value
    if type(obj).__name__ == "DType":
        return obj.name
    if isinstance(obj, type):
        return obj.__name__
    if callable(obj) and hasattr(obj, "__name__"):
        return obj.__name__
    raise TypeError("Not JSON Serializable: %r" % (obj,))


def is_graph_network(layer):
    """Sequential and functional models, whose children are their numbered layers (a subclassed model's
    children are its attributes, as for any layer)."""
    if any(cls.__name__ == "Sequential" for cls in type(layer).__mro__):
        return True
    return bool(getattr(layer, "_is_graph_network", False))
