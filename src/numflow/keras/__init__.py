"""`tf.keras` as TF 1.15 shipped it, in graph mode, on numflow's graph, variables and Session.

Layers create ordinary graph variables (seen by `tf.train` optimizers and `tf.train.Saver`); models
(`Sequential`, functional `Model(inputs, outputs)`, subclassed `Model`) compile into graph ops and run
in the Keras session (`tf.keras.backend.get_session()`). Submodules load on first use.
"""
import importlib

_SUBMODULES = ("activations", "applications", "backend", "callbacks", "constraints", "datasets", "estimator",
               "initializers", "layers", "losses", "metrics", "mixed_precision", "models", "optimizers",
               "preprocessing", "regularizers", "utils", "wrappers", "experimental")
_NAMES = {"Input": ("engine.input_layer", "Input"), "Model": ("models", "Model"),
          "Sequential": ("models", "Sequential")}

__version__ = "2.2.4-tf"  # the Keras API level TF 1.15's tf.keras reports


def __getattr__(name):
    if name in _SUBMODULES:
        module = importlib.import_module("." + name, __name__)
        globals()[name] = module
        return module
    if name in _NAMES:
        module_name, attribute = _NAMES[name]
        value = getattr(importlib.import_module("." + module_name, __name__), attribute)
        globals()[name] = value
        return value
    raise AttributeError("module 'numflow.keras' has no attribute %r" % name)


def __dir__():
    return sorted(set(globals()) | set(_SUBMODULES) | set(_NAMES))
