"""The rest of `tf.compat`: text/path helpers, Dimension helpers, the Python type tuples TF code tests
values against, and the forward-compatibility horizon."""
import contextlib
import datetime
import numbers
import os
import threading

import numpy as np

from ..framework.tensor_shape import Dimension, TensorShape

__all__ = ["as_str_any", "path_to_str", "dimension_value", "dimension_at_index", "integral_types",
           "real_types", "complex_types", "bytes_or_text_types", "forward_compatible",
           "forward_compatibility_horizon"]

integral_types = (numbers.Integral, np.integer)
real_types = (numbers.Real, np.integer, np.floating)
complex_types = (numbers.Complex, np.number)
bytes_or_text_types = (bytes, str)


def as_str_any(value, encoding="utf-8"):
    """`tf.compat.as_str_any(value)`: bytes decoded as text, anything else as str(value)."""
    if isinstance(value, bytes):
        return value.decode(encoding)
    return str(value)


def path_to_str(path):
    """`tf.compat.path_to_str(path)`: a path-like object (pathlib.Path ...) as its string; other values
    are returned unchanged."""
    if isinstance(path, os.PathLike):
        path = os.fspath(path)
        return path.decode("utf-8") if isinstance(path, bytes) else path
    return path


def dimension_value(dimension):
    """`tf.compat.dimension_value(dimension)`: the int (or None) of a Dimension; ints and None pass
    through, so code works whether shapes hold Dimensions or ints."""
    if isinstance(dimension, Dimension):
        return dimension.value
    return dimension


def dimension_at_index(shape, index):
    """`tf.compat.dimension_at_index(shape, index)`: dimension `index` of a TensorShape (or list) as a
    Dimension; Dimension(None) when the rank is unknown."""
    shape = shape if isinstance(shape, TensorShape) else TensorShape(shape)
    if shape.ndims is None:
        return Dimension(None)
    return shape.dims[index]


_horizon = threading.local()


def forward_compatible(year, month, day):
    """`tf.compat.forward_compatible(year, month, day)`: whether graphs may use forms that consumers
    only understand after that date. numflow writes no such forms, so False, except inside
    `forward_compatibility_horizon(...)`, where it is whether the horizon lies after the date."""
    horizon = getattr(_horizon, "date", None)
    return horizon is not None and horizon > datetime.date(year, month, day)


@contextlib.contextmanager
def forward_compatibility_horizon(year, month, day):
    """`tf.compat.forward_compatibility_horizon(year, month, day)`: a context in which
    forward_compatible() compares dates against this horizon (for testing code paths that depend on it)."""
    previous = getattr(_horizon, "date", None)
    _horizon.date = datetime.date(year, month, day)
    try:
        yield
    finally:
        _horizon.date = previous
