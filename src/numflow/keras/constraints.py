"""`tf.keras.constraints`: projections Keras optimizers apply to a weight after each update
(`Dense(4, kernel_constraint=tf.keras.constraints.max_norm(2.))`)."""
import numpy as np

import numflow as tf

from .utils.generic_utils import deserialize_keras_object, serialize_keras_object

__all__ = ["Constraint", "MaxNorm", "NonNeg", "UnitNorm", "MinMaxNorm", "RadialConstraint", "max_norm",
           "non_neg", "unit_norm", "min_max_norm", "radial_constraint", "maxnorm", "nonneg", "unitnorm",
           "get", "serialize", "deserialize"]


def _epsilon():
    from . import backend
    return backend.epsilon()


def _norms(w, axis):
    return tf.sqrt(tf.reduce_sum(tf.square(w), axis=axis, keepdims=True))


class Constraint:
    """Base class of constraints: `constraint(w)` returns the projected weight tensor."""

    def __call__(self, w):
        return w

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class MaxNorm(Constraint):
    """`MaxNorm(max_value=2, axis=0)`: rescales the slices along `axis` whose L2 norm exceeds
    `max_value` down to that norm (axis 0 of a Dense kernel: each unit's incoming weights)."""

    def __init__(self, max_value=2, axis=0):
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = tf.clip_by_value(norms, 0, self.max_value)
        return w * (desired / (_epsilon() + norms))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Sets negative weights to zero."""

    def __call__(self, w):
        return w * tf.cast(tf.greater_equal(w, 0.), w.dtype)


class UnitNorm(Constraint):
    """`UnitNorm(axis=0)`: divides the slices along `axis` by their L2 norm."""

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        return w / (_epsilon() + _norms(w, self.axis))

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """`MinMaxNorm(min_value=0.0, max_value=1.0, rate=1.0, axis=0)`: moves each slice's L2 norm towards
    [min_value, max_value]: new norm = rate * clip(norm) + (1 - rate) * norm."""

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = self.rate * tf.clip_by_value(norms, self.min_value, self.max_value) + (1 - self.rate) * norms
        return w * (desired / (_epsilon() + norms))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


def radial_source_indices(size):
    """For a square kernel of side `size`, the flat index (row * size + col) each position copies
    under RadialConstraint, following TF 1.15's construction: the innermost square (1x1 for odd
    sizes, 2x2 for even) takes the value at (start - 1, start - 1), start = size // 2, and each ring
    around it the value at the diagonal position (start + i, start + i) of the pad step i that made it
    (i from 0 for odd sizes, from 1 for even ones)."""
    start = size // 2
    centre = (size - 1) / 2.0
    rows, cols = np.indices((size, size))
    # Ring number: Chebyshev distance from the centre, rounded up (the innermost square is ring 0 for
    # odd sizes and ring 1 for even ones, whose centre falls between positions).
    ring = np.ceil(np.maximum(np.abs(rows - centre), np.abs(cols - centre))).astype(np.int64)
    innermost = size % 2 == 0
    diagonal = np.where(ring == innermost, start - 1, start + ring - 1)
    return diagonal * size + diagonal


class RadialConstraint(Constraint):
    """Makes each 2-D slice of a rank-4 convolution kernel (height, width, channels, filters) radially
    symmetric: every ring of positions around the centre holds one value (see `radial_source_indices`
    for which one). Needs a square kernel of known shape."""

    def __call__(self, w):
        shape = w.shape
        if shape.ndims is None or shape.ndims != 4:
            raise ValueError("The weight tensor must be of rank 4, but is of shape: %s" % (shape,))
        height, width, channels, filters = shape.as_list()
        if height is None or height != width:
            raise ValueError("RadialConstraint needs a square kernel of known size, got shape %s" % (shape,))
        if height < 2:
            raise ValueError("RadialConstraint needs a kernel of at least 2x2, got shape %s" % (shape,))
        flat = tf.reshape(w, [height * width, channels * filters])
        symmetric = tf.gather(flat, radial_source_indices(height).reshape(-1))
        return tf.reshape(symmetric, [height, width, channels, filters])


max_norm = maxnorm = MaxNorm
non_neg = nonneg = NonNeg
unit_norm = unitnorm = UnitNorm
min_max_norm = MinMaxNorm
radial_constraint = RadialConstraint

_OBJECTS = {name: globals()[name] for name in __all__ if name not in ("get", "serialize", "deserialize")}


def serialize(constraint):
    """`{'class_name': ..., 'config': ...}` describing `constraint`."""
    return serialize_keras_object(constraint)


def deserialize(config, custom_objects=None):
    """The constraint a `serialize` dict or a name ('max_norm', 'NonNeg', ...) describes."""
    return deserialize_keras_object(config, module_objects=_OBJECTS, custom_objects=custom_objects,
                                    printable_module_name="constraint")


def get(identifier):
    """A constraint from a constraint or callable, a name or a config dict; None stays None."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return deserialize({"class_name": identifier, "config": {}})
    if callable(identifier):
        return identifier
    raise ValueError("Could not interpret constraint identifier: " + str(identifier))
