"""`tf.keras.preprocessing`: `sequence` (padding, time-series batches, skip-grams), `text` (tokenizing)
and `image` (loading, augmenting and batching images; Pillow for files)."""
import importlib

_MODULES = ("sequence", "text", "image")


def __getattr__(name):
    if name in _MODULES:
        module = importlib.import_module("." + name, __name__)
        globals()[name] = module
        return module
    raise AttributeError("module 'numflow.keras.preprocessing' has no attribute %r" % name)


def __dir__():
    return sorted(set(globals()) | set(_MODULES))
