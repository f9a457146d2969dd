"""Initializers: objects called as `init(shape, dtype=None, partition_info=None)` that build a Tensor
holding a variable's initial value (`tf.zeros_initializer`, `tf.glorot_uniform_initializer`, ...).

The class names (`Zeros`, `RandomNormal`, `VarianceScaling`, ...) are the `tf.initializers.*` and
`tf.keras.initializers.*` spellings; the lower-case `*_initializer` names are TF1's top-level aliases.
`xavier_initializer` and the FAN_IN/FAN_OUT/FAN_AVG `variance_scaling_initializer` of `tf.contrib.layers`
live here too, as `xavier_initializer` and `contrib_variance_scaling_initializer`.
"""
import math

import numpy as np

from .framework import dtypes
from .framework.tensor_shape import TensorShape

# The TF1 top-level names (`tf.zeros_initializer`, ...); the classes are `tf.initializers.*`.
__all__ = ["zeros_initializer", "ones_initializer", "constant_initializer", "random_uniform_initializer",
           "random_normal_initializer", "truncated_normal_initializer", "uniform_unit_scaling_initializer",
           "variance_scaling_initializer", "orthogonal_initializer", "glorot_uniform_initializer",
           "glorot_normal_initializer"]


def _as_list(shape):
    if isinstance(shape, TensorShape):
        return shape.as_list()
    if isinstance(shape, (int, np.integer)):
        return [int(shape)]
    return list(shape)


def _assert_float_dtype(dtype):
    dtype = dtypes.as_dtype(dtype)
    if not dtype.is_floating:
        raise ValueError("Expected floating point type, got %s." % dtype)
    return dtype


def _compute_fans(shape):
    """(fan_in, fan_out) of a weight shape: a matrix's rows and columns; for a convolution kernel
    [..., in_channels, out_channels], the channels times the receptive field (product of the rest)."""
    shape = _as_list(shape)
    if len(shape) < 1:
        fan_in = fan_out = 1
    elif len(shape) == 1:
        fan_in = fan_out = shape[0]
    elif len(shape) == 2:
        fan_in, fan_out = shape
    else:
        receptive_field = 1
        for dim in shape[:-2]:
            receptive_field *= dim
        fan_in = shape[-2] * receptive_field
        fan_out = shape[-1] * receptive_field
    return int(fan_in), int(fan_out)


class Initializer:
    """Base class of initializers: `init(shape, dtype=None, partition_info=None)` returns a Tensor."""

    def __call__(self, shape, dtype=None, partition_info=None):
        raise NotImplementedError

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class _Filled(Initializer):
    """All elements one value: `fill` names the tf.zeros / tf.ones function that makes the tensor."""

    fill = None

    def __init__(self, dtype=dtypes.float32):
        self.dtype = dtypes.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        from .ops import array
        return getattr(array, self.fill)(_as_list(shape), dtype or self.dtype)

    def get_config(self):
        return {"dtype": self.dtype.name}


class Zeros(_Filled):
    """`tf.zeros_initializer(dtype=tf.float32)`: all zeros."""

    fill = "zeros"


class Ones(_Filled):
    """`tf.ones_initializer(dtype=tf.float32)`: all ones."""

    fill = "ones"


class Constant(Initializer):
    """`tf.constant_initializer(value=0, dtype=tf.float32, verify_shape=False)`: `value` (a scalar
    fills the shape; a list shorter than the shape is padded with its last element, as `tf.constant`)."""

    def __init__(self, value=0, dtype=dtypes.float32, verify_shape=False):
        if not (np.isscalar(value) or isinstance(value, (list, tuple, np.ndarray))):
            raise TypeError("Invalid type for initial value: %s (expected Python scalar, list or tuple of "
                            "values, or numpy.ndarray)." % type(value))
        self.value = value
        self.dtype = dtypes.as_dtype(dtype)
        self._verify_shape = verify_shape

    def __call__(self, shape, dtype=None, partition_info=None, verify_shape=None):
        from .ops.constant import constant
        if verify_shape is None:
            verify_shape = self._verify_shape
        return constant(self.value, dtype=dtype or self.dtype, shape=_as_list(shape),
                        verify_shape=verify_shape)

    def get_config(self):
        return {"value": self.value, "dtype": self.dtype.name}


class RandomUniform(Initializer):
    """`tf.random_uniform_initializer(minval=0, maxval=None, seed=None, dtype=tf.float32)`: uniform
    samples in [minval, maxval) (maxval 1 for floats)."""

    def __init__(self, minval=0, maxval=None, seed=None, dtype=dtypes.float32):
        self.minval = minval
        self.maxval = maxval
        self.seed = seed
        self.dtype = dtypes.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        from .ops.random import random_uniform
        return random_uniform(_as_list(shape), self.minval, self.maxval, dtype or self.dtype, seed=self.seed)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed, "dtype": self.dtype.name}


class RandomNormal(Initializer):
    """`tf.random_normal_initializer(mean=0.0, stddev=1.0, seed=None, dtype=tf.float32)`."""

    def __init__(self, mean=0.0, stddev=1.0, seed=None, dtype=dtypes.float32):
        self.mean = mean
        self.stddev = stddev
        self.seed = seed
        self.dtype = _assert_float_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        from .ops.random import random_normal
        return random_normal(_as_list(shape), self.mean, self.stddev, dtype or self.dtype, seed=self.seed)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed, "dtype": self.dtype.name}


class TruncatedNormal(Initializer):
    """`tf.truncated_normal_initializer(mean=0.0, stddev=1.0, seed=None, dtype=tf.float32)`: normal
    samples, re-drawn when more than two standard deviations from the mean."""

    def __init__(self, mean=0.0, stddev=1.0, seed=None, dtype=dtypes.float32):
        self.mean = mean
        self.stddev = stddev
        self.seed = seed
        self.dtype = _assert_float_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        from .ops.random import truncated_normal
        return truncated_normal(_as_list(shape), self.mean, self.stddev, dtype or self.dtype, seed=self.seed)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed, "dtype": self.dtype.name}


class UniformUnitScaling(Initializer):
    """`tf.uniform_unit_scaling_initializer(factor=1.0, seed=None, dtype=tf.float32)` (deprecated in
    TF1): uniform in [-sqrt(3 / fan_in) * factor, sqrt(3 / fan_in) * factor]."""

    def __init__(self, factor=1.0, seed=None, dtype=dtypes.float32):
        self.factor = factor
        self.seed = seed
        self.dtype = _assert_float_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        from .ops.random import random_uniform
        shape = _as_list(shape)
        scale_shape = shape if partition_info is None else _as_list(partition_info.full_shape)
        input_size = 1.0
        for dim in scale_shape[:-1]:
            input_size *= float(dim)
        input_size = max(input_size, 1.0)
        limit = math.sqrt(3 / input_size) * self.factor
        return random_uniform(shape, -limit, limit, dtype or self.dtype, seed=self.seed)

    def get_config(self):
        return {"factor": self.factor, "seed": self.seed, "dtype": self.dtype.name}


class VarianceScaling(Initializer):
    """`tf.variance_scaling_initializer(scale=1.0, mode='fan_in', distribution='truncated_normal',
    seed=None, dtype=tf.float32)`: samples whose variance is scale / n, n being fan_in, fan_out or their
    average. 'truncated_normal' (and its old name 'normal') draws a normal truncated at 2 stddev, scaled
    so the variance is exact; 'untruncated_normal' a plain normal; 'uniform' U[-sqrt(3 scale / n), +]."""

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 dtype=dtypes.float32):
        if scale <= 0.:
            raise ValueError("`scale` must be positive float.")
        if mode not in {"fan_in", "fan_out", "fan_avg"}:
            raise ValueError("Invalid `mode` argument: %s" % mode)
        distribution = distribution.lower()
        if distribution not in {"normal", "uniform", "truncated_normal", "untruncated_normal"}:
            raise ValueError("Invalid `distribution` argument: %s" % distribution)
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.seed = seed
        self.dtype = _assert_float_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        from .ops.random import random_normal, random_uniform, truncated_normal
        shape = _as_list(shape)
        dtype = _assert_float_dtype(dtype or self.dtype)
        scale_shape = shape if partition_info is None else _as_list(partition_info.full_shape)
        fan_in, fan_out = _compute_fans(scale_shape)
        scale = self.scale
        if self.mode == "fan_in":
            scale /= max(1., fan_in)
        elif self.mode == "fan_out":
            scale /= max(1., fan_out)
        else:
            scale /= max(1., (fan_in + fan_out) / 2.)
        if self.distribution in ("normal", "truncated_normal"):
            # 0.8796...: the standard deviation of a standard normal truncated to [-2, 2].
            stddev = math.sqrt(scale) / .87962566103423978
            return truncated_normal(shape, 0.0, stddev, dtype, seed=self.seed)
        if self.distribution == "untruncated_normal":
            return random_normal(shape, 0.0, math.sqrt(scale), dtype, seed=self.seed)
        limit = math.sqrt(3.0 * scale)
        return random_uniform(shape, -limit, limit, dtype, seed=self.seed)

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution, "seed": self.seed,
                "dtype": self.dtype.name}


class Orthogonal(Initializer):
    """`tf.orthogonal_initializer(gain=1.0, seed=None, dtype=tf.float32)`: a (semi-)orthogonal matrix,
    the shape's leading dimensions flattened into rows, multiplied by `gain`."""

    def __init__(self, gain=1.0, seed=None, dtype=dtypes.float32):
        self.gain = gain
        self.seed = seed
        self.dtype = _assert_float_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        from .ops.random import random_orthogonal
        shape = _as_list(shape)
        if len(shape) < 2:
            raise ValueError("The tensor to initialize must be at least two-dimensional")
        return random_orthogonal(shape, self.gain, _assert_float_dtype(dtype or self.dtype), seed=self.seed)

    def get_config(self):
        return {"gain": self.gain, "seed": self.seed, "dtype": self.dtype.name}


class Identity(Initializer):
    """`tf.initializers.identity(gain=1.0, dtype=tf.float32)`: `gain` times the identity matrix (2-D)."""

    def __init__(self, gain=1.0, dtype=dtypes.float32):
        self.gain = gain
        self.dtype = _assert_float_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        from .ops.constant import constant
        full_shape = _as_list(shape) if partition_info is None else _as_list(partition_info.full_shape)
        if len(full_shape) != 2:
            raise ValueError("Identity matrix initializer can only be used for 2D matrices.")
        dtype = _assert_float_dtype(dtype or self.dtype)
        return constant(self.gain * np.eye(*full_shape), dtype=dtype)

    def get_config(self):
        return {"gain": self.gain, "dtype": self.dtype.name}


class GlorotUniform(VarianceScaling):
    """`tf.glorot_uniform_initializer(seed=None, dtype=tf.float32)` (Xavier uniform): uniform in
    [-limit, limit] with limit = sqrt(6 / (fan_in + fan_out))."""

    def __init__(self, seed=None, dtype=dtypes.float32):
        super().__init__(scale=1.0, mode="fan_avg", distribution="uniform", seed=seed, dtype=dtype)

    def get_config(self):
        return {"seed": self.seed, "dtype": self.dtype.name}


class GlorotNormal(VarianceScaling):
    """`tf.glorot_normal_initializer(seed=None, dtype=tf.float32)` (Xavier normal): a truncated normal
    with variance 2 / (fan_in + fan_out)."""

    def __init__(self, seed=None, dtype=dtypes.float32):
        super().__init__(scale=1.0, mode="fan_avg", distribution="truncated_normal", seed=seed, dtype=dtype)

    def get_config(self):
        return {"seed": self.seed, "dtype": self.dtype.name}


def he_normal(seed=None):
    """`tf.initializers.he_normal(seed=None)`: truncated normal with variance 2 / fan_in."""
    return VarianceScaling(scale=2., mode="fan_in", distribution="truncated_normal", seed=seed)


def he_uniform(seed=None):
    """`tf.initializers.he_uniform(seed=None)`: uniform in [-sqrt(6 / fan_in), sqrt(6 / fan_in)]."""
    return VarianceScaling(scale=2., mode="fan_in", distribution="uniform", seed=seed)


def lecun_normal(seed=None):
    """`tf.initializers.lecun_normal(seed=None)`: truncated normal with variance 1 / fan_in."""
    return VarianceScaling(scale=1., mode="fan_in", distribution="truncated_normal", seed=seed)


def lecun_uniform(seed=None):
    """`tf.initializers.lecun_uniform(seed=None)`: uniform in [-sqrt(3 / fan_in), sqrt(3 / fan_in)]."""
    return VarianceScaling(scale=1., mode="fan_in", distribution="uniform", seed=seed)


zeros_initializer = Zeros
ones_initializer = Ones
constant_initializer = Constant
random_uniform_initializer = RandomUniform
random_normal_initializer = RandomNormal
truncated_normal_initializer = TruncatedNormal
uniform_unit_scaling_initializer = UniformUnitScaling
variance_scaling_initializer = VarianceScaling
orthogonal_initializer = Orthogonal
identity_initializer = Identity
glorot_uniform_initializer = GlorotUniform
glorot_normal_initializer = GlorotNormal


# --- tf.contrib.layers initializers --------------------------------------------------------------
def contrib_variance_scaling_initializer(factor=2.0, mode="FAN_IN", uniform=False, seed=None,
                                         dtype=dtypes.float32):
    """`tf.contrib.layers.variance_scaling_initializer(factor=2.0, mode='FAN_IN', uniform=False,
    seed=None, dtype=tf.float32)`: variance factor / n with n = fan_in, fan_out or their average, the
    fans taken as TF's contrib does (the last two dimensions times the product of the others). Uniform
    draws from [-sqrt(3 factor / n), +]; otherwise a normal truncated at 2 stddev, stddev
    sqrt(1.3 factor / n)."""
    dtype = dtypes.as_dtype(dtype)
    if not dtype.is_floating:
        raise TypeError("Cannot create initializer for non-floating point type.")
    if mode not in ["FAN_IN", "FAN_OUT", "FAN_AVG"]:
        raise TypeError("Unknown mode %s [FAN_IN, FAN_OUT, FAN_AVG]" % mode)
    default_dtype = dtype

    def _initializer(shape, dtype=default_dtype, partition_info=None):
        from .ops.random import random_uniform, truncated_normal
        dtype = dtypes.as_dtype(dtype or default_dtype)
        if not dtype.is_floating:
            raise TypeError("Cannot create initializer for non-floating point type.")
        shape = _as_list(shape)
        scale_shape = shape if partition_info is None else _as_list(partition_info.full_shape)
        if scale_shape:
            fan_in = float(scale_shape[-2]) if len(scale_shape) > 1 else float(scale_shape[-1])
            fan_out = float(scale_shape[-1])
        else:
            fan_in = fan_out = 1.0
        for dim in scale_shape[:-2]:
            fan_in *= float(dim)
            fan_out *= float(dim)
        if mode == "FAN_IN":
            n = fan_in
        elif mode == "FAN_OUT":
            n = fan_out
        else:
            n = (fan_in + fan_out) / 2.0
        if uniform:
            limit = math.sqrt(3.0 * factor / n)
            return random_uniform(shape, -limit, limit, dtype, seed=seed)
        return truncated_normal(shape, 0.0, math.sqrt(1.3 * factor / n), dtype, seed=seed)
    return _initializer


def xavier_initializer(uniform=True, seed=None, dtype=dtypes.float32):
    """`tf.contrib.layers.xavier_initializer(uniform=True, seed=None, dtype=tf.float32)`: Glorot's
    initializer, variance 2 / (fan_in + fan_out) (for conv kernels the fans include the receptive
    field); uniform or truncated normal."""
    return contrib_variance_scaling_initializer(factor=1.0, mode="FAN_AVG", uniform=uniform, seed=seed,
                                                dtype=dtype)


xavier_initializer_conv2d = xavier_initializer
