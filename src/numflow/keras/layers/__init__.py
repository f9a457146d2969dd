"""`tf.keras.layers`: every layer class and the merge functions, loaded from their family modules on
first use (core, convolutional, pooling, normalization, recurrent, wrappers, ...)."""
import importlib

from ..engine.base_layer import Layer  # noqa: F401
from ..engine.input_layer import Input, InputLayer  # noqa: F401
from ..engine.input_spec import InputSpec  # noqa: F401

# the family modules, in lookup order; each lists its public names in __all__
_FAMILIES = ("core", "convolutional", "pooling", "normalization", "embeddings", "merge", "advanced_activations",
             "noise", "convolutional_recurrent", "recurrent", "wrappers", "local", "attention", "dense_attention",
             "preprocessing", "serialization")


def _family(name):
    try:
        return importlib.import_module("." + name, __name__)
    except ModuleNotFoundError as e:
        if e.name != __name__ + "." + name:
            raise
        return None


def __getattr__(name):
    for family in _FAMILIES:
        module = _family(family)
        if module is not None and name in getattr(module, "__all__", ()):
            value = getattr(module, name)
            globals()[name] = value
            return value
    raise AttributeError("module 'numflow.keras.layers' has no attribute %r" % name)


def __dir__():
    names = set(globals())
    for family in _FAMILIES:
        module = _family(family)
        if module is not None:
            names.update(getattr(module, "__all__", ()))
    return sorted(names)
