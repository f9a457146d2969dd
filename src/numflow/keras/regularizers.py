"""`tf.keras.regularizers`: penalties on weights that layers add to their `losses`
(`Dense(4, kernel_regularizer=tf.keras.regularizers.l2(0.01))`)."""
import numpy as np

import numflow as tf

from .utils.generic_utils import deserialize_keras_object, serialize_keras_object

__all__ = ["Regularizer", "L1L2", "l1", "l2", "l1_l2", "get", "serialize", "deserialize"]


class Regularizer:
    """Base class of regularizers: `regularizer(weight)` returns a scalar loss tensor."""

    def __call__(self, x):
        return 0.

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class L1L2(Regularizer):
    """`L1L2(l1=0., l2=0.)`: l1 * sum(abs(x)) + l2 * sum(square(x)). The factors are kept as float32,
    as Keras does, so `get_config` reports their float32 values."""

    def __init__(self, l1=0., l2=0.):
        self.l1 = np.float32(l1)
        self.l2 = np.float32(l2)

    def __call__(self, x):
        from . import backend
        if not self.l1 and not self.l2:
            return backend.constant(0.)
        regularization = 0.
        if self.l1:
            regularization += self.l1 * tf.reduce_sum(tf.abs(x))
        if self.l2:
            regularization += self.l2 * tf.reduce_sum(tf.square(x))
        return regularization

    def get_config(self):
        return {"l1": float(self.l1), "l2": float(self.l2)}


def l1(l=0.01):  # noqa: E741 - Keras' argument name
    """An L1 penalty: `l * sum(abs(x))`."""
    return L1L2(l1=l)


def l2(l=0.01):  # noqa: E741 - Keras' argument name
    """An L2 penalty: `l * sum(square(x))`."""
    return L1L2(l2=l)


def l1_l2(l1=0.01, l2=0.01):  # noqa: F811 - Keras' argument names
    """Both penalties: `l1 * sum(abs(x)) + l2 * sum(square(x))`."""
    return L1L2(l1=l1, l2=l2)


_OBJECTS = {"Regularizer": Regularizer, "L1L2": L1L2, "l1": l1, "l2": l2, "l1_l2": l1_l2}


def serialize(regularizer):
    """`{'class_name': 'L1L2', 'config': {'l1': ..., 'l2': ...}}` for a regularizer."""
    return serialize_keras_object(regularizer)


def deserialize(config, custom_objects=None):
    """The regularizer a `serialize` dict or a name ('l2', 'l1_l2', ...) describes."""
    return deserialize_keras_object(config, module_objects=_OBJECTS, custom_objects=custom_objects,
                                    printable_module_name="regularizer")


def get(identifier):
    """A regularizer from a regularizer or callable, a name ('l1', 'l2', 'l1_l2') or a config dict;
    None stays None."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return deserialize({"class_name": identifier, "config": {}})
    if callable(identifier):
        return identifier
    raise ValueError("Could not interpret regularizer identifier: " + str(identifier))
