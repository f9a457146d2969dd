"""`tf.keras.layers.LocallyConnected1D` / `LocallyConnected2D`: convolutions whose filters are not shared
(one set of weights per output position), in TF 1.15's `implementation=1` and `implementation=2` layouts."""
import numpy as np

import numflow as tf

from ..engine.base_layer import Layer
from ..engine.input_spec import InputSpec
import numflow.keras.layers._layer_utils as utils
from .convolutional import channel_axis, spatial_dims, with_spatial
from .core import merged_config

__all__ = ["LocallyConnected1D", "LocallyConnected2D"]


class _LocallyConnected(Layer):
    """Unshared N-D convolution (N = 1 or 2), padding 'valid': kernel (output positions, prod(kernel_size)
    * input channels, filters); each output position multiplies its flattened input patch by its own
    matrix. Patches flatten in (kernel positions, channels) order for channels_last inputs and in
    (channels, kernel positions) order for channels_first, as Keras' local_conv."""

    _rank = 1

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, implementation=1, **kwargs):
        super().__init__(activity_regularizer=utils.get_regularizer(activity_regularizer), **kwargs)
        self.filters = int(filters)
        self.kernel_size = utils.normalize_tuple(kernel_size, self._rank, "kernel_size")
        self.strides = utils.normalize_tuple(strides, self._rank, "strides")
        self.padding = utils.normalize_padding(padding)
        if self.padding != "valid":
            raise ValueError('Invalid border mode for %s (only "valid" is supported): %s'
                             % (type(self).__name__, padding))
        self.data_format = utils.normalize_data_format(data_format)
        self.activation = utils.get_activation(activation)
        self.use_bias = use_bias
        self.kernel_initializer = utils.get_initializer(kernel_initializer)
        self.bias_initializer = utils.get_initializer(bias_initializer)
        self.kernel_regularizer = utils.get_regularizer(kernel_regularizer)
        self.bias_regularizer = utils.get_regularizer(bias_regularizer)
        self.kernel_constraint = utils.get_constraint(kernel_constraint)
        self.bias_constraint = utils.get_constraint(bias_constraint)
        if implementation not in (1, 2):
            raise ValueError("numflow's %s supports implementation 1 (per-position matrices) and 2 (one masked "
                             "dense kernel); got implementation=%s" % (type(self).__name__, implementation))
        self.implementation = implementation
        self.input_spec = InputSpec(ndim=self._rank + 2)

    def _output_sizes(self, spatial):
        return [utils.conv_output_length(size, self.kernel_size[i], "valid", self.strides[i])
                for i, size in enumerate(spatial)]

    def build(self, input_shape):
        shape = utils.shape_list(input_shape)
        spatial = spatial_dims(shape, self._rank, self.data_format)
        channels = shape[channel_axis(self.data_format)]
        if None in spatial or channels is None:
            raise ValueError("%s requires fully-defined input dimensions (besides the batch): found input "
                             "shape %s" % (type(self).__name__, tuple(shape)))
        self.output_sizes = self._output_sizes(spatial)
        if any(size <= 0 for size in self.output_sizes):
            raise ValueError("%s: kernel_size %s is larger than the input %s" % (type(self).__name__,
                                                                                 self.kernel_size, tuple(shape)))
        if self.implementation == 1:
            positions = int(np.prod(self.output_sizes))
            patch = channels * int(np.prod(self.kernel_size))
            kernel_shape = (positions, patch, self.filters)
        elif self.data_format == "channels_last":
            kernel_shape = tuple(spatial) + (channels,) + tuple(self.output_sizes) + (self.filters,)
        else:
            kernel_shape = (channels,) + tuple(spatial) + (self.filters,) + tuple(self.output_sizes)
        self.kernel = self.add_weight("kernel", shape=kernel_shape, initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        if self.implementation == 2:
            self.kernel_mask = self._window_mask(spatial)
        if self.use_bias:
            self.bias = self.add_weight("bias", shape=tuple(self.output_sizes) + (self.filters,),
                                        initializer=self.bias_initializer, regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        else:
            self.bias = None
        self.input_spec = InputSpec(ndim=self._rank + 2, axes={channel_axis(self.data_format): channels})
        self.built = True

    def _window_mask(self, spatial):
        """1 where input position i lies in the window of output position o (implementation 2), shaped to
        broadcast against the kernel: spatial_in + (1,) + spatial_out + (1,) for channels_last."""
        mask = np.ones(tuple(spatial) + tuple(self.output_sizes), dtype=np.float32)
        for d in range(self._rank):
            inside = np.zeros((spatial[d], self.output_sizes[d]), dtype=np.float32)
            for o in range(self.output_sizes[d]):
                inside[o * self.strides[d]:o * self.strides[d] + self.kernel_size[d], o] = 1
            shape = [1] * (2 * self._rank)
            shape[d], shape[self._rank + d] = spatial[d], self.output_sizes[d]
            mask = mask * inside.reshape(shape)
        spatial_in, spatial_out = mask.shape[:self._rank], mask.shape[self._rank:]
        if self.data_format == "channels_last":
            mask = mask.reshape(spatial_in + (1,) + spatial_out + (1,))
        else:
            mask = mask.reshape((1,) + spatial_in + (1,) + spatial_out)
        return tf.constant(mask, dtype=self.kernel.dtype.base_dtype)

    def _masked_matmul(self, inputs):
        """Implementation 2: the flattened inputs times the window-masked kernel as one matrix."""
        kernel_shape = self.kernel.shape.as_list()
        half = len(kernel_shape) // 2
        kernel = tf.reshape(self.kernel * self.kernel_mask,
                            [int(np.prod(kernel_shape[:half])), int(np.prod(kernel_shape[half:]))])
        outputs = tf.matmul(tf.reshape(inputs, [-1, int(np.prod(kernel_shape[:half]))]), kernel)
        return tf.reshape(outputs, [-1] + kernel_shape[half:])

    def call(self, inputs):
        if self.implementation == 2:
            return self._finish(self._masked_matmul(inputs))
        patches = []
        flat_size = self.kernel.shape.as_list()[1]
        ranges = [range(size) for size in self.output_sizes]
        positions = [(i,) for i in ranges[0]] if self._rank == 1 else \
            [(i, j) for i in ranges[0] for j in ranges[1]]
        for position in positions:
            window = [slice(p * s, p * s + k) for p, s, k in zip(position, self.strides, self.kernel_size)]
            index = [slice(None), slice(None)] + window if self.data_format == "channels_first" else \
                [slice(None)] + window + [slice(None)]
            patches.append(tf.reshape(inputs[tuple(index)], [-1, flat_size]))
        stacked = tf.stack(patches)  # (positions, batch, patch)
        outputs = tf.transpose(tf.matmul(stacked, self.kernel), [1, 0, 2])  # (batch, positions, filters)
        outputs = tf.reshape(outputs, [-1] + list(self.output_sizes) + [self.filters])
        if self.data_format == "channels_first":
            outputs = tf.transpose(outputs, [0, self._rank + 1] + list(range(1, self._rank + 1)))
        return self._finish(outputs)

    def _finish(self, outputs):
        """Bias and activation on the (batch, positions..., filters) or channels_first output."""
        if self.use_bias:
            # the bias is stored as (positions..., filters) in both data formats; for channels_first Keras
            # adds it reshaped (not transposed) to (filters, positions...), and so does numflow, so that
            # weights move between the two unchanged
            bias = self.bias if self.data_format == "channels_last" else \
                tf.reshape(self.bias, [self.filters] + list(self.output_sizes))
            outputs = outputs + bias
        if self.activation is not None:
            outputs = self.activation(outputs)
        return outputs

    def compute_output_shape(self, input_shape):
        shape = utils.shape_list(input_shape)
        return with_spatial(shape, self._output_sizes(spatial_dims(shape, self._rank, self.data_format)),
                            self.filters, self.data_format)

    def get_config(self):
        return merged_config(self, Layer, {
            "filters": self.filters, "kernel_size": self.kernel_size, "strides": self.strides,
            "padding": self.padding, "data_format": self.data_format,
            "activation": utils.serialize_activation(self.activation), "use_bias": self.use_bias,
            "kernel_initializer": utils.serialize_initializer(self.kernel_initializer),
            "bias_initializer": utils.serialize_initializer(self.bias_initializer),
            "kernel_regularizer": utils.serialize_regularizer(self.kernel_regularizer),
            "bias_regularizer": utils.serialize_regularizer(self.bias_regularizer),
            "activity_regularizer": utils.serialize_regularizer(self.activity_regularizer),
            "kernel_constraint": utils.serialize_constraint(self.kernel_constraint),
            "bias_constraint": utils.serialize_constraint(self.bias_constraint),
            "implementation": self.implementation})


class LocallyConnected1D(_LocallyConnected):
    """`LocallyConnected1D(filters, kernel_size, strides=1, padding='valid', data_format=None,
    activation=None, use_bias=True, ..., implementation=1)`: unshared temporal convolution; kernel
    (output_length, kernel_size * input_dim, filters) (implementation 2: (input_length, input_dim,
    output_length, filters), masked to each output's window), bias (output_length, filters)."""

    _rank = 1


class LocallyConnected2D(_LocallyConnected):
    """`LocallyConnected2D(filters, kernel_size, strides=(1, 1), padding='valid', data_format=None, ...,
    implementation=1)`: unshared 2-D convolution; kernel (rows * cols, kh * kw * channels, filters)
    (implementation 2: (height, width, channels, rows, cols, filters), masked), bias
    (rows, cols, filters) in both data formats."""

    _rank = 2

    def __init__(self, filters, kernel_size, strides=(1, 1), **kwargs):
        super().__init__(filters, kernel_size, strides=strides, **kwargs)
