"""`tf.contrib.layers.GDN` / `gdn`: generalized divisive normalization (Ballé, Laparra, Simoncelli),
y[i] = x[i] / sqrt(beta[i] + sum_j gamma[j, i] * x[j] ** 2) over the channel axis (IGDN multiplies
instead). Re-exported by `numflow.contrib.layers`."""
import math

import numpy as np

from ..framework.graph import convert_to_tensor
from ..framework.tensor_shape import TensorShape
from ..layers import Layer
from .layers_common import tf as _tf

__all__ = ["GDN", "gdn"]


def _lower_bound(values, bound):
    """max(values, bound) whose gradient still flows where it would move `values` up from below the
    bound (so a parameter stuck under its bound can recover), and is zero where it would push further
    down."""
    tf = _tf()

    @tf.custom_gradient
    def bounded(x):
        limit = tf.constant(bound, x.dtype)

        def grad(dy):
            passes = tf.logical_or(tf.greater_equal(x, limit), tf.less(dy, 0))
            return dy * tf.cast(passes, dy.dtype)
        return tf.maximum(x, limit), grad

    # through an identity: custom_gradient treats a variable's own value tensor as a captured variable
    return bounded(tf.identity(values))


class GDN(Layer):
    """`tf.contrib.layers.GDN(inverse=False, beta_min=1e-6, gamma_init=0.1, reparam_offset=2 ** -18,
    data_format='channels_last', activity_regularizer=None, trainable=True, name=None)`: the GDN
    layer (IGDN with inverse=True). beta and gamma are stored reparameterized, as the variables
    'reparam_beta' [C] and 'reparam_gamma' [C, C]: beta = max(reparam_beta, sqrt(beta_min + p)) ** 2 - p
    and gamma = max(reparam_gamma, reparam_offset) ** 2 - p with p = reparam_offset ** 2, so beta stays
    >= beta_min and gamma >= 0. Initially beta = 1 and gamma = gamma_init * identity. Inputs have
    rank >= 3 and a known channel dimension (last, or 1 with 'channels_first')."""

    def __init__(self, inverse=False, beta_min=1e-6, gamma_init=.1, reparam_offset=2 ** -18,
                 data_format="channels_last", activity_regularizer=None, trainable=True, name=None, **kwargs):
        super().__init__(trainable=trainable, name=name, **kwargs)
        if data_format not in ("channels_first", "channels_last"):
            raise ValueError('The `data_format` argument must be one of "channels_first", "channels_last". '
                             "Received: %s" % (data_format,))
        self.inverse = inverse
        self._beta_min = beta_min
        self._gamma_init = gamma_init
        self._reparam_offset = reparam_offset
        self.data_format = data_format
        self.activity_regularizer = activity_regularizer
        self._channel_axis = 1 if data_format == "channels_first" else -1
        self._pedestal = reparam_offset ** 2
        self._beta_bound = math.sqrt(beta_min + self._pedestal)
        self._gamma_bound = reparam_offset

    def build(self, input_shape):
        tf = _tf()
        input_shape = TensorShape(input_shape)
        if input_shape.ndims is None or input_shape.ndims < 3:
            raise ValueError("Input 0 of layer %s is incompatible with the layer: expected min_ndim=3, found "
                             "ndim=%s." % (self.name, input_shape.ndims))
        channels = input_shape[self._channel_axis].value
        if channels is None:
            raise ValueError("The channel dimension of the inputs to `GDN` must be defined.")
        self._rank = input_shape.ndims
        identity = np.sqrt(self._gamma_init * np.eye(channels) + self._pedestal)
        self.beta = self.add_weight("reparam_beta", [channels],
                                    initializer=tf.constant_initializer(math.sqrt(1.0 + self._pedestal)))
        self.gamma = self.add_weight("reparam_gamma", [channels, channels],
                                     initializer=tf.constant_initializer(identity))
        self.built = True

    def call(self, inputs):
        tf = _tf()
        inputs = convert_to_tensor(inputs)
        if inputs.shape.ndims != self._rank:
            raise ValueError("Input 0 of layer %s is incompatible with the layer: expected ndim=%d, found ndim=%s."
                             % (self.name, self._rank, inputs.shape.ndims))
        beta = tf.square(_lower_bound(self.beta, self._beta_bound)) - self._pedestal
        gamma = tf.square(_lower_bound(self.gamma, self._gamma_bound)) - self._pedestal
        channel_axis = self._channel_axis % self._rank
        # norm_pool[.., i, ..] = beta[i] + sum_j gamma[j, i] * x[.., j, ..] ** 2: a 1x1 convolution
        mixed = tf.tensordot(tf.square(inputs), gamma, [[channel_axis], [0]])
        if channel_axis != self._rank - 1:
            order = list(range(self._rank - 1))
            order.insert(channel_axis, self._rank - 1)
            mixed = tf.transpose(mixed, order)
        broadcast = [1] * self._rank
        broadcast[channel_axis] = -1
        norm_pool = mixed + tf.reshape(beta, broadcast)
        outputs = inputs * (tf.sqrt(norm_pool) if self.inverse else tf.rsqrt(norm_pool))
        outputs.set_shape(inputs.shape)
        if self.activity_regularizer is not None:
            self.add_loss(self.activity_regularizer(outputs))
        return outputs

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)


def gdn(inputs, inverse=False, beta_min=1e-6, gamma_init=.1, reparam_offset=2 ** -18, data_format="channels_last",
        activity_regularizer=None, trainable=True, name=None, reuse=None):
    """`tf.contrib.layers.gdn(inputs, inverse=False, beta_min=1e-6, gamma_init=0.1,
    reparam_offset=2 ** -18, data_format='channels_last', ..., name=None, reuse=None)`: applies a GDN
    layer (variables 'gdn/reparam_beta', 'gdn/reparam_gamma', or under `name`)."""
    inputs = convert_to_tensor(inputs)
    layer = GDN(inverse=inverse, beta_min=beta_min, gamma_init=gamma_init, reparam_offset=reparam_offset,
                data_format=data_format, activity_regularizer=activity_regularizer, trainable=trainable,
                name=name, dtype=inputs.dtype.base_dtype, _reuse=reuse)
    return layer.apply(inputs)
