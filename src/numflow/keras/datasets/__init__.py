"""`tf.keras.datasets`: `load_data()` for MNIST, Fashion-MNIST, CIFAR-10/100, Boston housing, IMDB and
Reuters, reading local copies (the Keras cache ~/.keras/datasets, or a path you pass) and downloading
only when no copy is found. Files are validated before use and never unpickled."""
import importlib

_MODULES = ("mnist", "fashion_mnist", "cifar10", "cifar100", "boston_housing", "imdb", "reuters")


def __getattr__(name):
    if name in _MODULES:
        module = importlib.import_module("." + name, __name__)
        globals()[name] = module
        return module
    raise AttributeError("module 'numflow.keras.datasets' has no attribute %r" % name)


def __dir__():
    return sorted(set(globals()) | set(_MODULES))
