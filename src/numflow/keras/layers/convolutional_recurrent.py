"""Keras' convolutional recurrent layers: `ConvLSTM2D` (TF 1.15 `tf.keras.layers`), an LSTM whose input
and recurrent transformations are 2-D convolutions, over inputs [samples, time, rows, cols, channels]
(or [samples, time, channels, rows, cols] with data_format='channels_first'), and its 1-D and 3-D
forms `ConvLSTM1D` / `ConvLSTM3D` (added to tf.keras after TF 1.15, same rules one rank down or up).

The kernels keep Keras' layout: kernel [k..., channels, 4 filters], recurrent_kernel
[k..., filters, 4 filters], bias [4 filters], gates i, f, c, o side by side along the last axis.
"""
from ...framework.tensor_shape import TensorShape
from ...ops import array as array_ops
from ...ops import math as math_ops
from ...ops.conv import conv1d, conv2d, conv3d
from ._layer_utils import conv_output_length, normalize_data_format, normalize_padding, normalize_tuple
from .recurrent import RNN, LSTMCell, _apply_mask, _CellLayer, _shape_list

__all__ = ["ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D"]


class ConvLSTMCell(LSTMCell):
    """The step of a convolutional LSTM of rank `_RANK`: an LSTMCell whose matmuls are convolutions —
    the input's with `kernel` (with the layer's strides, padding and dilation) and the previous output's
    with `recurrent_kernel` ('same' padding, stride 1). States [h, c] are feature maps."""

    _RANK = 2
    _SETTINGS_BEFORE = ("kernel_size", "strides", "padding", "data_format", "dilation_rate")

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 activation="tanh", recurrent_activation="hard_sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.,
                 recurrent_dropout=0., **kwargs):
        super().__init__(filters, activation=activation, recurrent_activation=recurrent_activation,
                         use_bias=use_bias, kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
                         unit_forget_bias=unit_forget_bias, kernel_regularizer=kernel_regularizer,
                         recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
                         kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
                         bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout,
                         **kwargs)
        self.kernel_size = normalize_tuple(kernel_size, self._RANK, "kernel_size")
        self.strides = normalize_tuple(strides, self._RANK, "strides")
        self.padding = normalize_padding(padding)
        self.data_format = normalize_data_format(data_format)
        self.dilation_rate = normalize_tuple(dilation_rate, self._RANK, "dilation_rate")
        self._feature_map_shape = None

    @property
    def filters(self):
        return self.units

    @property
    def state_size(self):
        if self._feature_map_shape is None:
            return (self.filters, self.filters)
        return (list(self._feature_map_shape), list(self._feature_map_shape))

    @property
    def output_size(self):
        return self.state_size[0]

    def _channel_axis(self):
        return 1 if self.data_format == "channels_first" else -1

    def output_map_shape(self, step_shape):
        """The [spatial..., filters] (or [filters, spatial...]) of one step's output for a step input of
        `step_shape` [batch, ...]."""
        spatial = step_shape[2:] if self.data_format == "channels_first" else step_shape[1:-1]
        out = [conv_output_length(size, self.kernel_size[i], self.padding, self.strides[i], self.dilation_rate[i])
               for i, size in enumerate(spatial)]
        return [self.filters] + out if self.data_format == "channels_first" else out + [self.filters]

    def build(self, input_shape):
        shape = _shape_list(input_shape)
        channels = shape[self._channel_axis()]
        if channels is None:
            raise ValueError("The channel dimension of the inputs should be defined. Found `None`.")
        width = 4 * self.filters
        self.kernel = self.add_weight(shape=self.kernel_size + (channels, width), name="kernel",
                                      initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(shape=self.kernel_size + (self.filters, width),
                                                name="recurrent_kernel", initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        if self.use_bias:
            self.bias = self.add_weight(shape=(width,), name="bias", initializer=self._bias_initializer(),
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        else:
            self.bias = None
        map_shape = self.output_map_shape(shape)
        if all(d is not None for d in map_shape):
            self._feature_map_shape = map_shape
        self.built = True

    def _conv(self, x, kernel, strides, padding, dilation):
        first = self.data_format == "channels_first"
        padding = padding.upper()
        if self._RANK == 1:
            return conv1d(x, kernel, stride=strides[0], padding=padding, data_format="NCW" if first else "NWC",
                          dilations=dilation[0])
        conv, formats = (conv2d, ("NCHW", "NHWC")) if self._RANK == 2 else (conv3d, ("NCDHW", "NDHWC"))
        expand = (lambda v: [1, 1] + list(v)) if first else (lambda v: [1] + list(v) + [1])
        return conv(x, kernel, strides=expand(strides), padding=padding, data_format=formats[0 if first else 1],
                    dilations=expand(dilation))

    def input_conv(self, x, kernel, bias=None, padding="valid"):
        output = self._conv(x, kernel, self.strides, padding, self.dilation_rate)
        if bias is not None:
            ones = [1] * self._RANK
            shape = [1, -1] + ones if self.data_format == "channels_first" else [1] + ones + [-1]
            output = math_ops.add(output, array_ops.reshape(bias, shape))
        return output

    def recurrent_conv(self, h, kernel):
        return self._conv(h, kernel, (1,) * self._RANK, "same", (1,) * self._RANK)

    def call(self, inputs, states, training=None):
        h_previous, c_previous = states[0], states[1]
        input_masks, recurrent_masks = self._masks(inputs, h_previous, training, 4)
        kernels = array_ops.split(self.kernel, 4, axis=self._RANK + 1)
        recurrent_kernels = array_ops.split(self.recurrent_kernel, 4, axis=self._RANK + 1)
        biases = array_ops.split(self.bias, 4, axis=0) if self.bias is not None else [None] * 4
        z = [math_ops.add(self.input_conv(_apply_mask(inputs, input_masks, k), kernels[k], biases[k], self.padding),
                          self.recurrent_conv(_apply_mask(h_previous, recurrent_masks, k), recurrent_kernels[k]))
             for k in range(4)]
        i = self.recurrent_activation(z[0])
        f = self.recurrent_activation(z[1])
        c = math_ops.add(math_ops.multiply(f, c_previous), math_ops.multiply(i, self.activation(z[2])))
        o = self.recurrent_activation(z[3])
        h = math_ops.multiply(o, self.activation(c))
        return h, [h, c]

    def _config_keys(self):
        keys = super()._config_keys()
        keys = [k for k in keys if k not in ("units", "implementation")]
        return ["filters"] + list(self._SETTINGS_BEFORE) + keys


class ConvLSTM1DCell(ConvLSTMCell):
    """The step of `ConvLSTM1D` (see `ConvLSTMCell`)."""

    _RANK = 1


class ConvLSTM2DCell(ConvLSTMCell):
    """The step of `ConvLSTM2D` (see `ConvLSTMCell`)."""

    _RANK = 2


class ConvLSTM3DCell(ConvLSTMCell):
    """The step of `ConvLSTM3D` (see `ConvLSTMCell`)."""

    _RANK = 3


class ConvRNN(RNN):
    """The RNN layer for a convolutional cell (`ConvRNN2D(cell, return_sequences=False,
    return_state=False, go_backwards=False, stateful=False, unroll=False)` in TF 1.15 for 2-D cells):
    inputs have rank cell rank + 3; its zero states are feature maps of the cell's output size. It cannot
    unroll, and convolutional cells cannot be stacked."""

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, **kwargs):
        if unroll:
            raise TypeError("Unrolling isn't possible with convolutional RNNs.")
        if isinstance(cell, (list, tuple)):
            raise TypeError("It is not possible at the moment to stack convolutional cells.")
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, **kwargs)

    def _input_ndim(self):
        return self.cell._RANK + 3

    def get_initial_state(self, inputs):
        # Zeros the shape of a step's output: a zero kernel convolved over a zero step input gives the
        # right (possibly dynamic) spatial size.
        step = array_ops.zeros_like(inputs[:, 0])
        channels = step.shape[self.cell._channel_axis()].value
        zero_kernel = array_ops.zeros(self.cell.kernel_size + (channels, self.cell.filters), dtype=inputs.dtype)
        state = self.cell.input_conv(step, zero_kernel, padding=self.cell.padding)
        return [state, state]

    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, list) and input_shape and not isinstance(input_shape[0], (int, type(None))):
            input_shape = input_shape[0]
        shape = _shape_list(input_shape)
        map_shape = self.cell.output_map_shape([shape[0]] + shape[2:])
        output = TensorShape(([shape[0], shape[1]] if self.return_sequences else [shape[0]]) + map_shape)
        if not self.return_state:
            return output
        return [output] + [TensorShape([shape[0]] + map_shape)] * 2


ConvRNN2D = ConvRNN


class ConvLSTM1D(_CellLayer, ConvRNN):
    """`tf.keras.layers.ConvLSTM1D(filters, kernel_size, strides=1, padding='valid', data_format=None,
    dilation_rate=1, ...)`: as `ConvLSTM2D` over [samples, time, steps, channels] (channels_first:
    [samples, time, channels, steps]); kernel [k, channels, 4 filters]."""

    _CELL = ConvLSTM1DCell

    def __init__(self, filters, kernel_size, **kwargs):
        super().__init__(filters, kernel_size=kernel_size, **kwargs)


class ConvLSTM2D(_CellLayer, ConvRNN):
    """`tf.keras.layers.ConvLSTM2D(filters, kernel_size, strides=(1, 1), padding='valid',
    data_format=None, dilation_rate=(1, 1), activation='tanh', recurrent_activation='hard_sigmoid',
    use_bias=True, kernel_initializer='glorot_uniform', recurrent_initializer='orthogonal',
    bias_initializer='zeros', unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
    bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
    bias_constraint=None, return_sequences=False, go_backwards=False, stateful=False, dropout=0.,
    recurrent_dropout=0.)`: a convolutional LSTM over [samples, time, rows, cols, channels]
    ([samples, time, channels, rows, cols] with channels_first). The output is the last step's feature
    map [samples, rows', cols', filters], or all of them with `return_sequences`. Weights
    'conv_lst_m2d/kernel:0' [kh, kw, channels, 4 filters], 'conv_lst_m2d/recurrent_kernel:0'
    [kh, kw, filters, 4 filters], 'conv_lst_m2d/bias:0' [4 filters]."""

    _CELL = ConvLSTM2DCell

    def __init__(self, filters, kernel_size, **kwargs):
        super().__init__(filters, kernel_size=kernel_size, **kwargs)


class ConvLSTM3D(_CellLayer, ConvRNN):
    """`tf.keras.layers.ConvLSTM3D(filters, kernel_size, strides=(1, 1, 1), padding='valid',
    data_format=None, dilation_rate=(1, 1, 1), ...)`: as `ConvLSTM2D` over
    [samples, time, depth, rows, cols, channels] (channels_first: [samples, time, channels, depth, rows,
    cols]); kernel [kd, kh, kw, channels, 4 filters]."""

    _CELL = ConvLSTM3DCell

    def __init__(self, filters, kernel_size, **kwargs):
        super().__init__(filters, kernel_size=kernel_size, **kwargs)
