"""`tf.keras.layers` noise layers for regularization: GaussianNoise, GaussianDropout, AlphaDropout
(active only in training: the `training` call argument, else the Keras learning phase)."""
import numpy as np

import numflow as tf

from ...framework.tensor_shape import TensorShape
from ..engine.base_layer import Layer
import numflow.keras.layers._layer_utils as utils
from .core import merged_config

__all__ = ["GaussianNoise", "GaussianDropout", "AlphaDropout"]

# the SELU constants AlphaDropout keeps the activations' mean and variance for
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


class _TrainingNoise(Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def _noised(self, inputs):
        raise NotImplementedError

    def call(self, inputs, training=None):
        if not self._active():
            return tf.identity(inputs)
        return utils.smart_cond(utils.training_value(training), lambda: self._noised(inputs),
                                lambda: tf.identity(inputs))

    def _active(self):
        return True

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)


class GaussianNoise(_TrainingNoise):
    """`GaussianNoise(stddev)`: adds zero-mean Gaussian noise of `stddev` in training."""

    def __init__(self, stddev, **kwargs):
        super().__init__(**kwargs)
        self.stddev = stddev

    def _noised(self, inputs):
        return inputs + tf.random_normal(tf.shape(inputs), mean=0., stddev=self.stddev, dtype=inputs.dtype)

    def get_config(self):
        return merged_config(self, Layer, {"stddev": self.stddev})


class GaussianDropout(_TrainingNoise):
    """`GaussianDropout(rate)`: multiplies by 1-mean Gaussian noise of stddev sqrt(rate / (1 - rate)) in
    training (for 0 < rate < 1; otherwise the identity)."""

    def __init__(self, rate, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate

    def _active(self):
        return 0 < self.rate < 1

    def _noised(self, inputs):
        stddev = np.sqrt(self.rate / (1.0 - self.rate))
        return inputs * tf.random_normal(tf.shape(inputs), mean=1.0, stddev=stddev, dtype=inputs.dtype)

    def get_config(self):
        return merged_config(self, Layer, {"rate": self.rate})


class AlphaDropout(_TrainingNoise):
    """`AlphaDropout(rate, noise_shape=None, seed=None)`: dropout for SELU networks: dropped units are set
    to SELU's negative saturation value, then an affine map restores the inputs' mean and variance."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed

    def _active(self):
        return 0 < self.rate < 1

    def _noised(self, inputs):
        shape = tf.shape(inputs) if self.noise_shape is None else self.noise_shape
        alpha_p = -_SELU_ALPHA * _SELU_SCALE
        kept = tf.cast(tf.greater_equal(tf.random_uniform(shape, seed=self.seed), self.rate), inputs.dtype)
        a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        return a * (inputs * kept + alpha_p * (1 - kept)) + b

    def get_config(self):
        return merged_config(self, Layer, {"rate": self.rate})
