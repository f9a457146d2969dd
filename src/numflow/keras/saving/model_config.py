"""`tf.keras.models.model_from_config / model_from_json / model_from_yaml`: a model (or layer) rebuilt,
with fresh weights, from the architecture `get_config()` / `to_json()` / `to_yaml()` described."""
import json

from ..utils.generic_utils import deserialize_keras_object
from .saving_utils import convert_newer_config, json_default

__all__ = ["model_from_config", "model_from_json", "model_from_yaml", "model_to_json", "model_to_yaml"]


def _keras_classes():
    """Every class a saved config may name: the layers of `tf.keras.layers` and the model classes."""
    from .. import layers
    from ..engine.input_layer import InputLayer
    classes = {"InputLayer": InputLayer}
    for name in dir(layers):
        value = getattr(layers, name, None)
        if isinstance(value, type):
            classes[name] = value
    from .. import models
    classes.update(Model=models.Model, Sequential=models.Sequential, Network=models.Network)
    return classes


def model_from_config(config, custom_objects=None):
    """The model (or layer) a `{'class_name': ..., 'config': ...}` dictionary describes.

    `custom_objects` maps names of custom layers, functions, ... to the objects; a name neither it nor
    Keras knows raises ValueError ('Unknown layer: ...')."""
    if isinstance(config, list):
        raise TypeError("`model_from_config` expects a dictionary, not a list. Maybe you meant to use "
                        "`Sequential.from_config(config)`?")
    if not isinstance(config, dict):
        raise TypeError("`model_from_config` expects a dictionary, got %s" % (type(config).__name__,))
    return deserialize_keras_object(convert_newer_config(config), module_objects=_keras_classes(),
                                    custom_objects=custom_objects, printable_module_name="layer")


def model_from_json(json_string, custom_objects=None):
    """The model `model.to_json()` described (a JSON string of `{'class_name', 'config'}`)."""
    try:
        config = json.loads(json_string)
    except (TypeError, ValueError) as e:
        raise ValueError("model_from_json expects a JSON string of a model config: %s" % (e,)) from e
    return model_from_config(config, custom_objects=custom_objects)


def _yaml():
    try:
        import yaml
    except ImportError as e:
        raise ImportError("Requires yaml module installed (`pip install pyyaml`) to read or write models as "
                          "YAML.") from e
    return yaml


def model_from_yaml(yaml_string, custom_objects=None):
    """The model `model.to_yaml()` described. Needs PyYAML; the text is read with `yaml.safe_load` (plain
    data only, never arbitrary Python objects)."""
    yaml = _yaml()
    try:
        config = yaml.safe_load(yaml_string)
    except yaml.YAMLError as e:
        raise ValueError("model_from_yaml expects a YAML document of a model config: %s" % (e,)) from e
    return model_from_config(config, custom_objects=custom_objects)


def _plain(config):
    """`config` as plain JSON data (tuples become lists, NumPy scalars numbers, ...)."""
    return json.loads(json.dumps(config, default=json_default))


def model_to_json(model, **kwargs):
    """`model.to_json(**kwargs)`: `{'class_name', 'config', 'keras_version', 'backend'}` as JSON text
    (`kwargs` go to `json.dumps`)."""
    return json.dumps(_updated_config(model), default=json_default, **kwargs)


def model_to_yaml(model, **kwargs):
    """`model.to_yaml(**kwargs)`: the same dictionary as `to_json`, as YAML (`kwargs` go to `yaml.dump`)."""
    return _yaml().dump(_plain(_updated_config(model)), **kwargs)


def _updated_config(model):
    from .. import __version__
    return {"class_name": type(model).__name__, "config": model.get_config(), "keras_version": __version__,
            "backend": "tensorflow"}
