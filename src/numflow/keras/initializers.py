"""`tf.keras.initializers`: TF 1.15's Keras initializers.

They are numflow's `tf.initializers` classes (`init_ops`), except that Keras' random ones have smaller
defaults: `RandomNormal` and `TruncatedNormal` stddev 0.05, `RandomUniform` in [-0.05, 0.05).
`get` accepts an initializer, a class or function name ('glorot_uniform', 'he_normal', 'Zeros', ...) or
a `{'class_name', 'config'}` dict; `serialize` gives that dict.
"""
from .. import init_ops
from ..framework import dtypes
from .utils.generic_utils import deserialize_keras_object, serialize_keras_object

__all__ = ["Initializer", "Zeros", "Ones", "Constant", "RandomNormal", "RandomUniform", "TruncatedNormal",
           "VarianceScaling", "Orthogonal", "Identity", "GlorotNormal", "GlorotUniform", "zeros", "ones",
           "constant", "normal", "random_normal", "uniform", "random_uniform", "truncated_normal",
           "variance_scaling", "orthogonal", "identity", "glorot_normal", "glorot_uniform", "he_normal",
           "he_uniform", "lecun_normal", "lecun_uniform", "get", "serialize", "deserialize"]

Initializer = init_ops.Initializer
Zeros = init_ops.Zeros
Ones = init_ops.Ones
Constant = init_ops.Constant
VarianceScaling = init_ops.VarianceScaling
Orthogonal = init_ops.Orthogonal
Identity = init_ops.Identity
GlorotNormal = init_ops.GlorotNormal
GlorotUniform = init_ops.GlorotUniform
he_normal = init_ops.he_normal
he_uniform = init_ops.he_uniform
lecun_normal = init_ops.lecun_normal
lecun_uniform = init_ops.lecun_uniform


class RandomNormal(init_ops.RandomNormal):
    """`tf.keras.initializers.RandomNormal(mean=0.0, stddev=0.05, seed=None, dtype=tf.float32)`."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None, dtype=dtypes.float32):
        super().__init__(mean=mean, stddev=stddev, seed=seed, dtype=dtype)


class RandomUniform(init_ops.RandomUniform):
    """`tf.keras.initializers.RandomUniform(minval=-0.05, maxval=0.05, seed=None, dtype=tf.float32)`."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None, dtype=dtypes.float32):
        super().__init__(minval=minval, maxval=maxval, seed=seed, dtype=dtype)


class TruncatedNormal(init_ops.TruncatedNormal):
    """`tf.keras.initializers.TruncatedNormal(mean=0.0, stddev=0.05, seed=None, dtype=tf.float32)`:
    normal samples re-drawn when more than two standard deviations from the mean."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None, dtype=dtypes.float32):
        super().__init__(mean=mean, stddev=stddev, seed=seed, dtype=dtype)


zeros = Zeros
ones = Ones
constant = Constant
normal = random_normal = RandomNormal
uniform = random_uniform = RandomUniform
truncated_normal = TruncatedNormal
variance_scaling = VarianceScaling
orthogonal = Orthogonal
identity = Identity
glorot_normal = GlorotNormal
glorot_uniform = GlorotUniform

_OBJECTS = {name: globals()[name] for name in __all__ if name not in ("get", "serialize", "deserialize")}


def serialize(initializer):
    """`{'class_name': ..., 'config': ...}` describing `initializer`."""
    return serialize_keras_object(initializer)


def deserialize(config, custom_objects=None):
    """The initializer a `serialize` dict (or a name) describes."""
    return deserialize_keras_object(config, module_objects=_OBJECTS, custom_objects=custom_objects,
                                    printable_module_name="initializer")


def get(identifier):
    """An initializer from an initializer object, a callable, a name ('glorot_uniform', 'Zeros', ...)
    or a config dict; None stays None."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return deserialize({"class_name": identifier, "config": {}})
    if isinstance(identifier, type):
        # A class passed where an instance is expected: its default instance.
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError("Could not interpret initializer identifier: " + str(identifier))
