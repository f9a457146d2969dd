"""`tf.keras.layers` convolutional layers: Conv1D/2D/3D, their transposes, SeparableConv1D/2D,
DepthwiseConv2D, and the shape layers ZeroPadding, Cropping and UpSampling in 1, 2 and 3 dimensions
(TF 1.15's tf.keras, graph mode). All are built on numflow's `tf.nn` convolution ops."""
import numflow as tf

from ...framework.tensor_shape import TensorShape
from ..engine.base_layer import Layer
from ..engine.input_spec import InputSpec
import numflow.keras.layers._layer_utils as utils
from .core import merged_config

__all__ = ["Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose",
           "SeparableConv1D", "SeparableConv2D", "DepthwiseConv1D", "DepthwiseConv2D", "UpSampling1D",
           "UpSampling2D", "UpSampling3D", "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D", "Cropping1D",
           "Cropping2D", "Cropping3D", "Convolution1D", "Convolution2D", "Convolution3D", "Convolution1DTranspose",
           "Convolution2DTranspose", "Convolution3DTranspose", "SeparableConvolution1D",
           "SeparableConvolution2D"]

_FORMATS = {(1, "channels_last"): "NWC", (1, "channels_first"): "NCW", (2, "channels_last"): "NHWC",
            (2, "channels_first"): "NCHW", (3, "channels_last"): "NDHWC", (3, "channels_first"): "NCDHW"}


def op_data_format(rank, data_format):
    """The `tf.nn` data_format string ('NHWC', 'NCDHW', ...) of a Keras data_format at `rank`."""
    return _FORMATS[(rank, data_format)]


def add_bias(outputs, bias, data_format):
    """outputs + bias along the channel axis (axis 1 for channels_first, the last axis otherwise)."""
    rank = outputs.shape.ndims
    if data_format == "channels_first" and rank != 4:
        return outputs + tf.reshape(bias, [1, -1] + [1] * (rank - 2))
    return tf.nn.bias_add(outputs, bias, data_format="NCHW" if data_format == "channels_first" else "NHWC")


def channel_axis(data_format):
    return 1 if data_format == "channels_first" else -1


def spatial_dims(shape, rank, data_format):
    """The spatial sizes of a shape list (batch, [channels,] spatial..., [channels])."""
    return shape[2:] if data_format == "channels_first" else shape[1:rank + 1]


def with_spatial(shape, spatial, channels, data_format):
    """A full output shape from the batch size, new spatial sizes and a channel count."""
    if data_format == "channels_first":
        return TensorShape([shape[0], channels] + list(spatial))
    return TensorShape([shape[0]] + list(spatial) + [channels])


class Conv(Layer):
    """The N-D convolution layer behind Conv1D/2D/3D: kernel of shape kernel_size + (input channels,
    filters), an optional bias, then `activation`."""

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, trainable=True,
                 name=None, **kwargs):
        super().__init__(trainable=trainable, name=name,
                         activity_regularizer=utils.get_regularizer(activity_regularizer), **kwargs)
        self.rank = rank
        self.filters = int(filters) if filters is not None else None
        self.kernel_size = utils.normalize_tuple(kernel_size, rank, "kernel_size")
        self.strides = utils.normalize_tuple(strides, rank, "strides")
        self.padding = utils.normalize_padding(padding, ("valid", "same", "causal"))
        if self.padding == "causal" and not isinstance(self, (Conv1D, SeparableConv1D)):
            raise ValueError("Causal padding is only supported for `Conv1D` and `SeparableConv1D`.")
        self.data_format = utils.normalize_data_format(data_format)
        self.dilation_rate = utils.normalize_tuple(dilation_rate, rank, "dilation_rate")
        self.activation = utils.get_activation(activation)
        self.use_bias = use_bias
        self.kernel_initializer = utils.get_initializer(kernel_initializer)
        self.bias_initializer = utils.get_initializer(bias_initializer)
        self.kernel_regularizer = utils.get_regularizer(kernel_regularizer)
        self.bias_regularizer = utils.get_regularizer(bias_regularizer)
        self.kernel_constraint = utils.get_constraint(kernel_constraint)
        self.bias_constraint = utils.get_constraint(bias_constraint)
        self.input_spec = InputSpec(ndim=rank + 2)

    def _input_channels(self, input_shape):
        shape = TensorShape(input_shape)
        channels = shape[channel_axis(self.data_format)].value
        if channels is None:
            raise ValueError("The channel dimension of the inputs should be defined. Found `None`.")
        return channels

    def _kernel_shape(self, channels):
        return self.kernel_size + (channels, self.filters)

    def _add_bias_weight(self, size):
        if self.use_bias:
            self.bias = self.add_weight("bias", shape=(size,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint,
                                        trainable=True, dtype=self.dtype)
        else:
            self.bias = None

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        self.kernel = self.add_weight("kernel", shape=self._kernel_shape(channels),
                                      initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint, trainable=True, dtype=self.dtype)
        self._add_bias_weight(self.filters)
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={channel_axis(self.data_format): channels})
        self.built = True

    def _causal_pad(self, inputs):
        left = self.dilation_rate[0] * (self.kernel_size[0] - 1)
        pads = [[0, 0], [0, 0], [left, 0]] if self.data_format == "channels_first" else \
            [[0, 0], [left, 0], [0, 0]]
        return tf.pad(inputs, pads)

    def _convolve(self, inputs):
        padding = self.padding
        if padding == "causal":
            inputs = self._causal_pad(inputs)
            padding = "valid"
        return tf.nn.convolution(inputs, self.kernel, padding=padding.upper(), strides=list(self.strides),
                                 dilation_rate=list(self.dilation_rate),
                                 data_format=op_data_format(self.rank, self.data_format))

    def call(self, inputs):
        outputs = self._convolve(inputs)
        if self.use_bias:
            outputs = add_bias(outputs, self.bias, self.data_format)
        if self.activation is not None:
            return self.activation(outputs)
        return outputs

    def _output_filters(self, input_shape):
        return self.filters

    def compute_output_shape(self, input_shape):
        shape = utils.shape_list(input_shape)
        spatial = [utils.conv_output_length(size, self.kernel_size[i], self.padding, self.strides[i],
                                            self.dilation_rate[i])
                   for i, size in enumerate(spatial_dims(shape, self.rank, self.data_format))]
        return with_spatial(shape, spatial, self._output_filters(shape), self.data_format)

    def _common_config(self):
        return {"strides": self.strides, "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": self.dilation_rate,
                "activation": utils.serialize_activation(self.activation), "use_bias": self.use_bias,
                "bias_initializer": utils.serialize_initializer(self.bias_initializer),
                "bias_regularizer": utils.serialize_regularizer(self.bias_regularizer),
                "activity_regularizer": utils.serialize_regularizer(self.activity_regularizer),
                "bias_constraint": utils.serialize_constraint(self.bias_constraint)}

    def get_config(self):
        config = {"filters": self.filters, "kernel_size": self.kernel_size}
        config.update(self._common_config())
        config.update({"kernel_initializer": utils.serialize_initializer(self.kernel_initializer),
                       "kernel_regularizer": utils.serialize_regularizer(self.kernel_regularizer),
                       "kernel_constraint": utils.serialize_constraint(self.kernel_constraint)})
        return merged_config(self, Layer, config)


class Conv1D(Conv):
    """`Conv1D(filters, kernel_size, strides=1, padding='valid', data_format='channels_last',
    dilation_rate=1, activation=None, use_bias=True, ...)`: temporal convolution of (batch, steps,
    channels) inputs; padding 'causal' pads only the start, so output t never sees inputs after t."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format="channels_last",
                 dilation_rate=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(1, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                         bias_constraint=bias_constraint, **kwargs)


class Conv2D(Conv):
    """`Conv2D(filters, kernel_size, strides=(1, 1), padding='valid', data_format=None,
    dilation_rate=(1, 1), activation=None, use_bias=True, ...)`: 2-D convolution, kernel
    (kh, kw, in, filters)."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(2, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                         bias_constraint=bias_constraint, **kwargs)


class Conv3D(Conv):
    """`Conv3D(filters, kernel_size, strides=(1, 1, 1), padding='valid', data_format=None,
    dilation_rate=(1, 1, 1), ...)`: 3-D convolution, kernel (kd, kh, kw, in, filters)."""

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1, 1), activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(3, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                         bias_constraint=bias_constraint, **kwargs)


class _ConvTranspose(Conv):
    """Transposed convolution (the gradient of a convolution w.r.t. its input): kernel kernel_size +
    (filters, input channels); `output_padding` adds rows/columns on the far side of each axis."""

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, **kwargs):
        super().__init__(rank, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, **kwargs)
        self.output_padding = output_padding
        if output_padding is not None:
            self.output_padding = utils.normalize_tuple(output_padding, rank, "output_padding")
            for stride, pad in zip(self.strides, self.output_padding):
                if pad >= stride:
                    raise ValueError("Stride " + str(self.strides) + " must be greater than output padding "
                                     + str(self.output_padding))

    def _kernel_shape(self, channels):
        return self.kernel_size + (self.filters, channels)

    def _output_spatial(self, spatial):
        return [utils.deconv_output_length(size, self.kernel_size[i], self.padding,
                                           None if self.output_padding is None else self.output_padding[i],
                                           self.strides[i], self.dilation_rate[i])
                for i, size in enumerate(spatial)]

    def _convolve(self, inputs):
        sizes = utils.static_or_dynamic_shape(inputs)
        spatial = self._output_spatial(spatial_dims(sizes, self.rank, self.data_format))
        out_shape = [sizes[0], self.filters] + spatial if self.data_format == "channels_first" else \
            [sizes[0]] + spatial + [self.filters]
        out_shape = tf.stack([tf.cast(s, tf.int32) for s in out_shape])
        data_format = op_data_format(self.rank, self.data_format)
        if self.rank == 1:
            outputs = tf.nn.conv1d_transpose(inputs, self.kernel, out_shape, list(self.strides),
                                             padding=self.padding.upper(), data_format=data_format,
                                             dilations=list(self.dilation_rate))
        else:
            transpose = tf.nn.conv2d_transpose if self.rank == 2 else tf.nn.conv3d_transpose
            ones = [1]
            strides = ones + list(self.strides) + ones if self.data_format == "channels_last" else \
                ones + ones + list(self.strides)
            dilations = ones + list(self.dilation_rate) + ones if self.data_format == "channels_last" else \
                ones + ones + list(self.dilation_rate)
            outputs = transpose(inputs, self.kernel, out_shape, strides, padding=self.padding.upper(),
                                data_format=data_format, dilations=dilations)
        outputs.set_shape(self.compute_output_shape(inputs.shape))
        return outputs

    def compute_output_shape(self, input_shape):
        shape = utils.shape_list(input_shape)
        return with_spatial(shape, self._output_spatial(spatial_dims(shape, self.rank, self.data_format)),
                            self.filters, self.data_format)

    def get_config(self):
        config = super().get_config()
        config["output_padding"] = self.output_padding
        if self.rank == 3 and self.dilation_rate == (1, 1, 1):
            # TF 1.15's Conv3DTranspose has no dilation_rate argument: keep its config as TF writes it
            config.pop("dilation_rate")
        return config


def _transpose_class(rank, class_name, default_stride):
    default = (1,) * rank if default_stride is None else default_stride

    def __init__(self, filters, kernel_size, strides=default, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=default, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        _ConvTranspose.__init__(self, rank, filters, kernel_size, strides=strides, padding=padding,
                                output_padding=output_padding, data_format=data_format,
                                dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                                kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                                kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                                activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                                bias_constraint=bias_constraint, **kwargs)
    doc = ("`%s(filters, kernel_size, strides=%s, padding='valid', output_padding=None, data_format=None, "
           "dilation_rate=%s, activation=None, use_bias=True, ...)`: transposed %d-D convolution "
           "(deconvolution); kernel kernel_size + (filters, input channels)." % (class_name, default,
                                                                                 default, rank))
    return type(class_name, (_ConvTranspose,), {"__init__": __init__, "__doc__": doc, "__module__": __name__})


Conv1DTranspose = _transpose_class(1, "Conv1DTranspose", 1)
Conv2DTranspose = _transpose_class(2, "Conv2DTranspose", None)
Conv3DTranspose = _transpose_class(3, "Conv3DTranspose", None)


def _expand_1d(inputs, data_format):
    """A 1-D input as a 2-D one with height 1 (channels_first: (b, c, 1, w); else (b, 1, w, c))."""
    return tf.expand_dims(inputs, 2 if data_format == "channels_first" else 1)


def _squeeze_1d(outputs, data_format):
    return tf.squeeze(outputs, [2 if data_format == "channels_first" else 1])


class _SeparableConv(Conv):
    """Depthwise-separable convolution: a depthwise kernel kernel_size + (in, depth_multiplier), then a
    pointwise kernel (1, ..., in * depth_multiplier, filters)."""

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(rank, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                         bias_initializer=bias_initializer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, bias_constraint=bias_constraint, **kwargs)
        self.depth_multiplier = depth_multiplier
        self.depthwise_initializer = utils.get_initializer(depthwise_initializer)
        self.pointwise_initializer = utils.get_initializer(pointwise_initializer)
        self.depthwise_regularizer = utils.get_regularizer(depthwise_regularizer)
        self.pointwise_regularizer = utils.get_regularizer(pointwise_regularizer)
        self.depthwise_constraint = utils.get_constraint(depthwise_constraint)
        self.pointwise_constraint = utils.get_constraint(pointwise_constraint)

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        self.depthwise_kernel = self.add_weight(
            "depthwise_kernel", shape=self.kernel_size + (channels, self.depth_multiplier),
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint, trainable=True, dtype=self.dtype)
        self.pointwise_kernel = self.add_weight(
            "pointwise_kernel", shape=(1,) * self.rank + (self.depth_multiplier * channels, self.filters),
            initializer=self.pointwise_initializer, regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint, trainable=True, dtype=self.dtype)
        self._add_bias_weight(self.filters)
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={channel_axis(self.data_format): channels})
        self.built = True

    def _convolve(self, inputs):
        padding = self.padding
        if padding == "causal":
            inputs = self._causal_pad(inputs)
            padding = "valid"
        depthwise, pointwise = self.depthwise_kernel, self.pointwise_kernel
        strides, dilations = list(self.strides), list(self.dilation_rate)
        if self.rank == 1:
            inputs = _expand_1d(inputs, self.data_format)
            depthwise, pointwise = tf.expand_dims(depthwise, 0), tf.expand_dims(pointwise, 0)
            strides, dilations = [1] + strides, [1] + dilations
        full_strides = [1] + strides + [1] if self.data_format == "channels_last" else [1, 1] + strides
        outputs = tf.nn.separable_conv2d(inputs, depthwise, pointwise, strides=full_strides,
                                         padding=padding.upper(), rate=dilations,
                                         data_format=op_data_format(2, self.data_format))
        return _squeeze_1d(outputs, self.data_format) if self.rank == 1 else outputs

    def get_config(self):
        config = {"filters": self.filters, "kernel_size": self.kernel_size}
        config.update(self._common_config())
        config.update({
            "depth_multiplier": self.depth_multiplier,
            "depthwise_initializer": utils.serialize_initializer(self.depthwise_initializer),
            "pointwise_initializer": utils.serialize_initializer(self.pointwise_initializer),
            "depthwise_regularizer": utils.serialize_regularizer(self.depthwise_regularizer),
            "pointwise_regularizer": utils.serialize_regularizer(self.pointwise_regularizer),
            "depthwise_constraint": utils.serialize_constraint(self.depthwise_constraint),
            "pointwise_constraint": utils.serialize_constraint(self.pointwise_constraint)})
        return merged_config(self, Layer, config)


class SeparableConv1D(_SeparableConv):
    """`SeparableConv1D(filters, kernel_size, strides=1, padding='valid', data_format=None,
    dilation_rate=1, depth_multiplier=1, ...)`: depthwise-separable temporal convolution."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 depth_multiplier=1, **kwargs):
        super().__init__(1, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, depth_multiplier=depth_multiplier, **kwargs)


class SeparableConv2D(_SeparableConv):
    """`SeparableConv2D(filters, kernel_size, strides=(1, 1), padding='valid', data_format=None,
    dilation_rate=(1, 1), depth_multiplier=1, ...)`: depthwise-separable 2-D convolution."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), depth_multiplier=1, **kwargs):
        super().__init__(2, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, depth_multiplier=depth_multiplier, **kwargs)


class DepthwiseConv2D(Conv):
    """`DepthwiseConv2D(kernel_size, strides=(1, 1), padding='valid', depth_multiplier=1,
    data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True, ...)`: convolves each input
    channel with its own `depth_multiplier` filters; depthwise_kernel (kh, kw, in, depth_multiplier),
    output channels in * depth_multiplier."""

    _rank = 2

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1, data_format=None,
                 dilation_rate=(1, 1), activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(self._rank, None, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                         bias_initializer=bias_initializer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, bias_constraint=bias_constraint, **kwargs)
        self.depth_multiplier = depth_multiplier
        self.depthwise_initializer = utils.get_initializer(depthwise_initializer)
        self.depthwise_regularizer = utils.get_regularizer(depthwise_regularizer)
        self.depthwise_constraint = utils.get_constraint(depthwise_constraint)

    def build(self, input_shape):
        name = type(self).__name__
        channels = TensorShape(input_shape)[channel_axis(self.data_format)].value
        if channels is None:
            raise ValueError("The channel dimension of the inputs to `%s` should be defined. Found `None`."
                             % name)
        self.depthwise_kernel = self.add_weight(
            "depthwise_kernel", shape=self.kernel_size + (channels, self.depth_multiplier),
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint, trainable=True, dtype=self.dtype)
        self._add_bias_weight(channels * self.depth_multiplier)
        self.input_spec = InputSpec(ndim=self._rank + 2, axes={channel_axis(self.data_format): channels})
        self.built = True

    def _convolve(self, inputs):
        kernel, strides, rate = self.depthwise_kernel, list(self.strides), list(self.dilation_rate)
        if self._rank == 1:
            inputs, kernel = _expand_1d(inputs, self.data_format), tf.expand_dims(kernel, 0)
            strides, rate = [1] + strides, [1] + rate
        full_strides = [1] + strides + [1] if self.data_format == "channels_last" else [1, 1] + strides
        outputs = tf.nn.depthwise_conv2d(inputs, kernel, strides=full_strides, padding=self.padding.upper(),
                                         rate=rate, data_format=op_data_format(2, self.data_format))
        return _squeeze_1d(outputs, self.data_format) if self._rank == 1 else outputs

    def _output_filters(self, shape):
        channels = shape[channel_axis(self.data_format)]
        return None if channels is None else channels * self.depth_multiplier

    def get_config(self):
        config = {"kernel_size": self.kernel_size}
        config.update(self._common_config())
        config.update({"depth_multiplier": self.depth_multiplier,
                       "depthwise_initializer": utils.serialize_initializer(self.depthwise_initializer),
                       "depthwise_regularizer": utils.serialize_regularizer(self.depthwise_regularizer),
                       "depthwise_constraint": utils.serialize_constraint(self.depthwise_constraint)})
        return merged_config(self, Layer, config)


class DepthwiseConv1D(DepthwiseConv2D):
    """`DepthwiseConv1D(kernel_size, strides=1, padding='valid', depth_multiplier=1, data_format=None,
    dilation_rate=1, activation=None, use_bias=True, ...)`: per-channel temporal convolution;
    depthwise_kernel (k, in, depth_multiplier)."""

    _rank = 1

    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1, data_format=None,
                 dilation_rate=1, **kwargs):
        super().__init__(kernel_size, strides=strides, padding=padding, depth_multiplier=depth_multiplier,
                         data_format=data_format, dilation_rate=dilation_rate, **kwargs)


# --- shape layers ----------------------------------------------------------------------------------
def _pairs(value, rank, name):
    """2-D/3-D padding or cropping as `rank` (before, after) pairs: an int, `rank` ints, or `rank` pairs."""
    if isinstance(value, int):
        return ((value, value),) * rank
    if not hasattr(value, "__len__"):
        raise ValueError("`%s` should be either an int, a tuple of %d ints, or a tuple of %d tuples of 2 ints. "
                         "Found: %s" % (name, rank, rank, value))
    if len(value) != rank:
        raise ValueError("`%s` should have %d elements. Found: %s" % (name, rank, value))
    pairs = []
    for item in value:
        if isinstance(item, int):
            pairs.append((item, item))
        else:
            pairs.append(utils.normalize_tuple(item, 2, "%d entry of %s" % (len(pairs) + 1, name)))
    return tuple(pairs)


def _pairs_1d(value, name):
    """1-D padding or cropping, an int or (before, after), as one pair."""
    if isinstance(value, int):
        return ((value, value),)
    return (utils.normalize_tuple(value, 2, name),)


class _ZeroPadding(Layer):
    _rank = 2

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = utils.normalize_data_format(data_format)
        self.padding = _pairs_1d(padding, "padding") if self._rank == 1 else _pairs(padding, self._rank,
                                                                                      "padding")
        self.input_spec = InputSpec(ndim=self._rank + 2)

    def compute_output_shape(self, input_shape):
        shape = utils.shape_list(input_shape)
        spatial = [None if size is None else size + before + after
                   for size, (before, after) in zip(spatial_dims(shape, self._rank, self.data_format),
                                                    self.padding)]
        return with_spatial(shape, spatial, shape[channel_axis(self.data_format)], self.data_format)

    def call(self, inputs):
        pads = [list(p) for p in self.padding]
        full = [[0, 0], [0, 0]] + pads if self.data_format == "channels_first" else [[0, 0]] + pads + [[0, 0]]
        return tf.pad(inputs, full)

    def get_config(self):
        config = {"padding": self.padding[0] if self._rank == 1 else self.padding}
        if self._rank > 1:
            config["data_format"] = self.data_format
        return merged_config(self, Layer, config)


class ZeroPadding1D(_ZeroPadding):
    """`ZeroPadding1D(padding=1)`: zeros before/after the steps of (batch, steps, features) inputs;
    `padding` is an int or (before, after)."""

    _rank = 1

    def __init__(self, padding=1, **kwargs):
        super().__init__(padding=padding, data_format="channels_last", **kwargs)


class ZeroPadding2D(_ZeroPadding):
    """`ZeroPadding2D(padding=(1, 1), data_format=None)`: zero rows and columns around images; `padding`
    is an int, (rows, cols) or ((top, bottom), (left, right))."""

    _rank = 2

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(padding=padding, data_format=data_format, **kwargs)


class ZeroPadding3D(_ZeroPadding):
    """`ZeroPadding3D(padding=(1, 1, 1), data_format=None)`: zeros around volumes (int, 3 ints, or 3
    (before, after) pairs)."""

    _rank = 3

    def __init__(self, padding=(1, 1, 1), data_format=None, **kwargs):
        super().__init__(padding=padding, data_format=data_format, **kwargs)


class _Cropping(Layer):
    _rank = 2

    def __init__(self, cropping, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = utils.normalize_data_format(data_format)
        self.cropping = _pairs_1d(cropping, "cropping") if self._rank == 1 else _pairs(cropping, self._rank,
                                                                                         "cropping")
        if any(c < 0 for pair in self.cropping for c in pair):
            raise ValueError("`cropping` must not be negative. Found: " + str(cropping))
        self.input_spec = InputSpec(ndim=self._rank + 2)

    def compute_output_shape(self, input_shape):
        shape = utils.shape_list(input_shape)
        spatial = []
        for size, (before, after) in zip(spatial_dims(shape, self._rank, self.data_format), self.cropping):
            if size is not None and size - before - after <= 0:
                raise ValueError("Argument `cropping` %s removes every element of an axis of size %d (input "
                                 "shape %s)" % (self.cropping, size, shape))
            spatial.append(None if size is None else size - before - after)
        return with_spatial(shape, spatial, shape[channel_axis(self.data_format)], self.data_format)

    def call(self, inputs):
        if inputs.shape.ndims is not None:
            self.compute_output_shape(inputs.shape)
        slices = [slice(before, -after if after else None) for before, after in self.cropping]
        index = [slice(None), slice(None)] + slices if self.data_format == "channels_first" else \
            [slice(None)] + slices + [slice(None)]
        return inputs[tuple(index)]

    def get_config(self):
        config = {"cropping": self.cropping[0] if self._rank == 1 else self.cropping}
        if self._rank > 1:
            config["data_format"] = self.data_format
        return merged_config(self, Layer, config)


class Cropping1D(_Cropping):
    """`Cropping1D(cropping=(1, 1))`: drops steps at the start/end of (batch, steps, features) inputs."""

    _rank = 1

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(cropping, data_format="channels_last", **kwargs)


class Cropping2D(_Cropping):
    """`Cropping2D(cropping=((0, 0), (0, 0)), data_format=None)`: drops rows/columns at image edges."""

    _rank = 2

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(cropping, data_format=data_format, **kwargs)


class Cropping3D(_Cropping):
    """`Cropping3D(cropping=((1, 1), (1, 1), (1, 1)), data_format=None)`: crops volumes."""

    _rank = 3

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(cropping, data_format=data_format, **kwargs)


def repeat_elements(x, repeats, axis):
    """Each slice of `x` along `axis` repeated `repeats` times in place ([a, b] -> [a, a, b, b])."""
    if repeats == 1:
        return x
    static = x.shape.as_list()
    sizes = utils.static_or_dynamic_shape(x)
    expanded = tf.expand_dims(x, axis + 1)
    multiples = [1] * (len(static) + 1)
    multiples[axis + 1] = repeats
    tiled = tf.tile(expanded, multiples)
    new_sizes = list(sizes)
    new_sizes[axis] = sizes[axis] * repeats
    if any(not isinstance(s, int) for s in new_sizes):
        new_sizes = tf.stack([tf.cast(s, tf.int32) for s in new_sizes])
    outputs = tf.reshape(tiled, new_sizes)
    static[axis] = None if static[axis] is None else static[axis] * repeats
    outputs.set_shape(static)
    return outputs


class _UpSampling(Layer):
    _rank = 2

    def __init__(self, size, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = utils.normalize_data_format(data_format)
        self.size = utils.normalize_tuple(size, self._rank, "size")
        self.input_spec = InputSpec(ndim=self._rank + 2)

    def compute_output_shape(self, input_shape):
        shape = utils.shape_list(input_shape)
        spatial = [None if s is None else s * k
                   for s, k in zip(spatial_dims(shape, self._rank, self.data_format), self.size)]
        return with_spatial(shape, spatial, shape[channel_axis(self.data_format)], self.data_format)

    def call(self, inputs):
        first = 2 if self.data_format == "channels_first" else 1
        outputs = inputs
        for offset, factor in enumerate(self.size):
            outputs = repeat_elements(outputs, factor, first + offset)
        return outputs

    def get_config(self):
        config = {"size": self.size[0] if self._rank == 1 else self.size}
        if self._rank > 1:
            config["data_format"] = self.data_format
        return merged_config(self, Layer, config)


class UpSampling1D(_UpSampling):
    """`UpSampling1D(size=2)`: repeats each step `size` times."""

    _rank = 1

    def __init__(self, size=2, **kwargs):
        super().__init__(size, data_format="channels_last", **kwargs)


class UpSampling2D(_UpSampling):
    """`UpSampling2D(size=(2, 2), data_format=None, interpolation='nearest')`: enlarges images by the
    integer factors `size`, repeating pixels ('nearest') or interpolating ('bilinear', half-pixel
    centers as `tf.image.resize` v2)."""

    _rank = 2

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(size, data_format=data_format, **kwargs)
        if interpolation not in ("nearest", "bilinear"):
            raise ValueError("`interpolation` argument should be one of `\"nearest\"` or `\"bilinear\"`.")
        self.interpolation = interpolation

    def call(self, inputs):
        if self.interpolation == "nearest":
            return super().call(inputs)
        images = inputs if self.data_format == "channels_last" else tf.transpose(inputs, [0, 2, 3, 1])
        sizes = utils.static_or_dynamic_shape(images)
        new_size = [sizes[1] * self.size[0], sizes[2] * self.size[1]]
        if any(not isinstance(s, int) for s in new_size):
            new_size = tf.stack([tf.cast(s, tf.int32) for s in new_size])
        outputs = tf.image.resize_bilinear(images, new_size, half_pixel_centers=True)
        outputs = tf.cast(outputs, inputs.dtype)
        if self.data_format == "channels_first":
            outputs = tf.transpose(outputs, [0, 3, 1, 2])
        outputs.set_shape(self.compute_output_shape(inputs.shape))
        return outputs

    def get_config(self):
        config = super().get_config()
        config["interpolation"] = self.interpolation
        return config


class UpSampling3D(_UpSampling):
    """`UpSampling3D(size=(2, 2, 2), data_format=None)`: repeats voxels along each spatial axis."""

    _rank = 3

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(size, data_format=data_format, **kwargs)


Convolution1D = Conv1D
Convolution2D = Conv2D
Convolution3D = Conv3D
Convolution1DTranspose = Conv1DTranspose
Convolution2DTranspose = Conv2DTranspose
Convolution3DTranspose = Conv3DTranspose
SeparableConvolution1D = SeparableConv1D
SeparableConvolution2D = SeparableConv2D
