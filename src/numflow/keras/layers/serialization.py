"""`tf.keras.layers.serialize` / `deserialize`: a layer as `{'class_name': ..., 'config': ...}` and back,
looking class names up in every `tf.keras.layers` family (recurrent layers and wrappers included), the
model classes (Model, Sequential, Network), InputLayer and the custom objects in scope.

`enable_v2_dtype_behavior` / `disable_v2_dtype_behavior` switch how a layer without an explicit dtype
picks one (see their docstrings)."""
import importlib

from ..utils.generic_utils import deserialize_keras_object, serialize_keras_object

__all__ = ["serialize", "deserialize", "enable_v2_dtype_behavior", "disable_v2_dtype_behavior"]

_FAMILIES = ("core", "convolutional", "pooling", "normalization", "embeddings", "merge", "advanced_activations",
             "noise", "local", "dense_attention", "attention", "recurrent", "wrappers",
             "convolutional_recurrent", "preprocessing")


class _LayerRegistry(dict):
    """Class name -> layer class, resolved lazily from the family modules and the model classes."""

    def __bool__(self):
        return True

    def get(self, name, default=None):
        if name in self:
            return self[name]
        found = _find_class(name)
        if found is not None:
            self[name] = found
            return found
        return default


def _find_class(name):
    if name in ("Model", "Sequential", "Network", "InputLayer", "Layer", "InputSpec"):
        from ..engine import base_layer, input_layer
        if name == "InputLayer":
            return input_layer.InputLayer
        if name == "Layer":
            return base_layer.Layer
        if name == "InputSpec":
            return base_layer.InputSpec
        models = importlib.import_module("numflow.keras.models")
        return getattr(models, name, None)
    for family in _FAMILIES:
        try:
            module = importlib.import_module("numflow.keras.layers." + family)
        except ModuleNotFoundError as e:
            if e.name != "numflow.keras.layers." + family:
                raise
            continue
        if name in getattr(module, "__all__", ()):
            return getattr(module, name)
    return None


_REGISTRY = _LayerRegistry()


def serialize(layer):
    """`{'class_name': type(layer).__name__, 'config': layer.get_config()}`."""
    return serialize_keras_object(layer)


def deserialize(config, custom_objects=None):
    """The layer (or model) `config` describes, a `serialize` result; `custom_objects` maps extra class
    names (user layers) to classes. ValueError names an unknown class."""
    return deserialize_keras_object(config, module_objects=_REGISTRY, custom_objects=custom_objects,
                                    printable_module_name="layer")


# --- dtype behaviour -------------------------------------------------------------------------------
_V2_DTYPE_BEHAVIOR = [None]


def enable_v2_dtype_behavior():
    """Layers without an explicit dtype use `tf.keras.backend.floatx()` and cast floating inputs to it
    (TF 2's behaviour)."""
    _V2_DTYPE_BEHAVIOR[0] = True


def disable_v2_dtype_behavior():
    """Layers without an explicit dtype take the dtype of their first input (TF 1.x's behaviour, the
    default in graph mode)."""
    _V2_DTYPE_BEHAVIOR[0] = False


def v2_dtype_behavior_enabled():
    """Whether `enable_v2_dtype_behavior` is in force (False by default, as TF 1.15)."""
    return bool(_V2_DTYPE_BEHAVIOR[0])
