"""`tf.keras.layers` activation layers with parameters: LeakyReLU, PReLU, ELU, ThresholdedReLU,
Softmax, ReLU (TF 1.15's tf.keras)."""
import numpy as np

import numflow as tf

from ...framework.tensor_shape import TensorShape
from ..engine.base_layer import Layer
from ..engine.input_spec import InputSpec
import numflow.keras.layers._layer_utils as utils
from .core import merged_config

__all__ = ["LeakyReLU", "PReLU", "ELU", "ThresholdedReLU", "Softmax", "ReLU"]


class _Elementwise(Layer):
    """An activation layer: same shape out, masks pass through."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)


class LeakyReLU(_Elementwise):
    """`LeakyReLU(alpha=0.3)`: x for x >= 0, alpha * x otherwise."""

    def __init__(self, alpha=0.3, **kwargs):
        super().__init__(**kwargs)
        self.alpha = float(alpha)

    def call(self, inputs):
        return tf.nn.leaky_relu(inputs, alpha=self.alpha)

    def get_config(self):
        return merged_config(self, Layer, {"alpha": self.alpha})


class PReLU(_Elementwise):
    """`PReLU(alpha_initializer='zeros', alpha_regularizer=None, alpha_constraint=None, shared_axes=None)`:
    x for x >= 0, alpha * x otherwise, with a learned `alpha` per input unit (input_shape[1:]); axes in
    `shared_axes` (1-based, e.g. [1, 2] for images) share one alpha."""

    def __init__(self, alpha_initializer="zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.alpha_initializer = utils.get_initializer(alpha_initializer)
        self.alpha_regularizer = utils.get_regularizer(alpha_regularizer)
        self.alpha_constraint = utils.get_constraint(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif isinstance(shared_axes, (list, tuple)):
            self.shared_axes = list(shared_axes)
        else:
            self.shared_axes = [shared_axes]

    def build(self, input_shape):
        shape = utils.shape_list(input_shape)
        param_shape = list(shape[1:])
        for axis in self.shared_axes or []:
            if not 1 <= axis < len(shape):
                raise ValueError("PReLU shared_axes must be input axes in 1..%d, got %s"
                                 % (len(shape) - 1, self.shared_axes))
            param_shape[axis - 1] = 1
        if None in param_shape:
            raise ValueError("PReLU needs every non-shared input axis defined, got input shape %s" % (shape,))
        self.alpha = self.add_weight("alpha", shape=param_shape, initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer, constraint=self.alpha_constraint)
        axes = {i: shape[i] for i in range(1, len(shape)) if i not in (self.shared_axes or [])}
        self.input_spec = InputSpec(ndim=len(shape), axes=axes)
        self.built = True

    def call(self, inputs):
        return tf.nn.relu(inputs) - self.alpha * tf.nn.relu(-inputs)

    def get_config(self):
        return merged_config(self, Layer, {
            "alpha_initializer": utils.serialize_initializer(self.alpha_initializer),
            "alpha_regularizer": utils.serialize_regularizer(self.alpha_regularizer),
            "alpha_constraint": utils.serialize_constraint(self.alpha_constraint),
            "shared_axes": self.shared_axes})


class ELU(_Elementwise):
    """`ELU(alpha=1.0)`: x for x > 0, alpha * (exp(x) - 1) otherwise."""

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = float(alpha)

    def call(self, inputs):
        elu = tf.nn.elu(inputs)
        if self.alpha == 1:
            return elu
        return tf.where(inputs > 0, elu, self.alpha * elu)

    def get_config(self):
        return merged_config(self, Layer, {"alpha": self.alpha})


class ThresholdedReLU(_Elementwise):
    """`ThresholdedReLU(theta=1.0)`: x where x > theta, 0 elsewhere."""

    def __init__(self, theta=1.0, **kwargs):
        super().__init__(**kwargs)
        self.theta = float(np.float32(theta))  # Keras keeps theta as a floatx scalar

    def call(self, inputs):
        return inputs * tf.cast(tf.greater(inputs, tf.cast(self.theta, inputs.dtype)), inputs.dtype)

    def get_config(self):
        return merged_config(self, Layer, {"theta": self.theta})


class Softmax(_Elementwise):
    """`Softmax(axis=-1)`: exp(x) / sum(exp(x)) along `axis`."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs):
        return tf.nn.softmax(inputs, axis=self.axis)

    def get_config(self):
        return merged_config(self, Layer, {"axis": self.axis})


class ReLU(_Elementwise):
    """`ReLU(max_value=None, negative_slope=0, threshold=0)`: max_value for x >= max_value, x for
    threshold <= x < max_value, negative_slope * (x - threshold) otherwise."""

    def __init__(self, max_value=None, negative_slope=0, threshold=0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0.:
            raise ValueError("max_value of Relu layer cannot be negative value: " + str(max_value))
        if negative_slope < 0.:
            raise ValueError("negative_slope of Relu layer cannot be negative value: " + str(negative_slope))
        if threshold is None:
            raise ValueError("threshold of Relu layer cannot be None. Required a float")
        self.max_value = None if max_value is None else float(max_value)
        self.negative_slope = float(negative_slope)
        self.threshold = float(threshold)

    def call(self, inputs):
        dtype = inputs.dtype.base_dtype
        if self.negative_slope == 0 and self.threshold == 0:
            outputs = tf.nn.relu(inputs)
        else:
            threshold = tf.cast(self.threshold, dtype)
            outputs = tf.where(inputs >= threshold, inputs,
                               tf.cast(self.negative_slope, dtype) * (inputs - threshold))
        if self.max_value is not None:
            outputs = tf.minimum(outputs, tf.cast(self.max_value, dtype))
        return outputs

    def get_config(self):
        return merged_config(self, Layer, {"max_value": self.max_value, "negative_slope": self.negative_slope,
                                           "threshold": self.threshold})
