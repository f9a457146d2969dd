"""`tf.contrib.layers` convolution variants and pooling beyond 2-D: conv2d_transpose / conv3d_transpose,
separable_conv2d (depthwise only when num_outputs is None), conv2d_in_plane, max_pool3d / avg_pool3d
and the N-D `pool`. Re-exported by `numflow.contrib.layers`."""
from ..framework.graph import convert_to_tensor, name_scope
from .framework import add_arg_scope
from .layers_common import (FORMATS_2D, FORMATS_3D, RELU, XAVIER, ZEROS, check_data_format,
                            collect_named_outputs, finish_layer, known_channels,
                            model_variable, n_tuple, pool_nd, resolve, tf as _tf, variable_collections)

__all__ = ["conv2d_transpose", "convolution2d_transpose", "conv3d_transpose", "convolution3d_transpose",
           "separable_conv2d", "separable_convolution2d", "conv2d_in_plane", "convolution2d_in_plane",
           "max_pool3d", "avg_pool3d", "pool"]


def _deconv_length(length, kernel, stride, padding):
    """The spatial size a transposed convolution produces (None when `length` is unknown)."""
    if length is None:
        return None
    if padding == "VALID":
        return length * stride + max(kernel - stride, 0)
    return length * stride


def _transposed_convolution(spatial, default_scope, inputs, num_outputs, kernel_size, stride, padding,
                            data_format, activation_fn, normalizer_fn, normalizer_params,
                            weights_initializer, weights_regularizer, biases_initializer,
                            biases_regularizer, reuse, variables_collections, outputs_collections,
                            trainable, scope):
    """conv{2,3}d_transpose: weights [*kernel_size, num_outputs, in_channels] in scope `default_scope`."""
    tf = _tf()
    first, last = FORMATS_2D if spatial == 2 else FORMATS_3D
    check_data_format(data_format, (first, last))
    padding = padding.upper()
    kernel = n_tuple(kernel_size, spatial, "kernel_size")
    strides = n_tuple(stride, spatial, "strides")
    channels_first = data_format == first
    with tf.variable_scope(scope, default_scope, [inputs], reuse=reuse) as sc:
        inputs = convert_to_tensor(inputs)
        if inputs.shape.ndims != spatial + 2:
            raise ValueError("Inputs should have rank %d. Received input shape: %s"
                             % (spatial + 2, inputs.shape))
        channel_axis = 1 if channels_first else spatial + 1
        channels = known_channels(inputs, channel_axis, default_scope.lower())
        weights = model_variable("weights", list(kernel) + [num_outputs, channels],
                                 resolve(weights_initializer), weights_regularizer, trainable,
                                 variable_collections(variables_collections, "weights"),
                                 inputs.dtype.base_dtype)
        first_spatial = 2 if channels_first else 1
        dynamic_shape = tf.shape(inputs)
        static_sizes, size_tensors = [], []
        for i in range(spatial):
            static = _deconv_length(inputs.shape[first_spatial + i].value, kernel[i], strides[i], padding)
            static_sizes.append(static)
            if static is not None:
                size_tensors.append(tf.constant(static, tf.int32))
            else:
                length = dynamic_shape[first_spatial + i] * strides[i]
                if padding == "VALID":
                    length += max(kernel[i] - strides[i], 0)
                size_tensors.append(length)
        batch = dynamic_shape[0]
        channel_size = tf.constant(num_outputs, tf.int32)
        parts = [batch, channel_size] + size_tensors if channels_first else \
            [batch] + size_tensors + [channel_size]
        output_shape = tf.stack(parts)
        step = [1, 1] + list(strides) if channels_first else [1] + list(strides) + [1]
        transpose = tf.nn.conv2d_transpose if spatial == 2 else tf.nn.conv3d_transpose
        outputs = transpose(inputs, weights, output_shape, step, padding=padding, data_format=data_format)
        static_shape = [inputs.shape[0].value, num_outputs] + static_sizes if channels_first else \
            [inputs.shape[0].value] + static_sizes + [num_outputs]
        outputs.set_shape(static_shape)
        outputs = finish_layer(outputs, num_outputs, normalizer_fn, normalizer_params, biases_initializer,
                               biases_regularizer, trainable, variables_collections, activation_fn,
                               data_format)
        return collect_named_outputs(outputs_collections, sc.name, outputs)


@add_arg_scope
def conv2d_transpose(inputs, num_outputs, kernel_size, stride=1, padding="SAME", data_format="NHWC",
                     activation_fn=RELU, normalizer_fn=None, normalizer_params=None,
                     weights_initializer=XAVIER, weights_regularizer=None, biases_initializer=ZEROS,
                     biases_regularizer=None, reuse=None, variables_collections=None, outputs_collections=None,
                     trainable=True, scope=None):
    """`tf.contrib.layers.conv2d_transpose(inputs, num_outputs, kernel_size, stride=1, padding='SAME',
    data_format='NHWC', activation_fn=tf.nn.relu, ...)`: a transposed ("deconvolution") 2-D
    convolution with variables 'Conv2d_transpose/weights' [kh, kw, num_outputs, in_channels] and
    'Conv2d_transpose/biases'. Each spatial size becomes size * stride ('SAME') or
    size * stride + max(kernel - stride, 0) ('VALID')."""
    return _transposed_convolution(2, "Conv2d_transpose", inputs, num_outputs, kernel_size, stride, padding,
                                   data_format, activation_fn, normalizer_fn, normalizer_params,
                                   weights_initializer, weights_regularizer, biases_initializer,
                                   biases_regularizer, reuse, variables_collections, outputs_collections,
                                   trainable, scope)


@add_arg_scope
def conv3d_transpose(inputs, num_outputs, kernel_size, stride=1, padding="SAME", data_format="NDHWC",
                     activation_fn=RELU, normalizer_fn=None, normalizer_params=None,
                     weights_initializer=XAVIER, weights_regularizer=None, biases_initializer=ZEROS,
                     biases_regularizer=None, reuse=None, variables_collections=None, outputs_collections=None,
                     trainable=True, scope=None):
    """`tf.contrib.layers.conv3d_transpose(inputs, num_outputs, kernel_size, stride=1, padding='SAME',
    data_format='NDHWC', activation_fn=tf.nn.relu, ...)`: the 3-D transposed convolution, variables
    'Conv3d_transpose/weights' [kd, kh, kw, num_outputs, in_channels] and 'Conv3d_transpose/biases'."""
    return _transposed_convolution(3, "Conv3d_transpose", inputs, num_outputs, kernel_size, stride, padding,
                                   data_format, activation_fn, normalizer_fn, normalizer_params,
                                   weights_initializer, weights_regularizer, biases_initializer,
                                   biases_regularizer, reuse, variables_collections, outputs_collections,
                                   trainable, scope)


convolution2d_transpose = conv2d_transpose
convolution3d_transpose = conv3d_transpose


@add_arg_scope
def separable_conv2d(inputs, num_outputs, kernel_size, depth_multiplier=1, stride=1, padding="SAME",
                     data_format="NHWC", rate=1, activation_fn=RELU, normalizer_fn=None, normalizer_params=None,
                     weights_initializer=XAVIER, pointwise_initializer=None, weights_regularizer=None,
                     biases_initializer=ZEROS, biases_regularizer=None, reuse=None, variables_collections=None,
                     outputs_collections=None, trainable=True, scope=None):
    """`tf.contrib.layers.separable_conv2d(inputs, num_outputs, kernel_size, depth_multiplier=1,
    stride=1, padding='SAME', data_format='NHWC', rate=1, activation_fn=tf.nn.relu, ...)`: a depthwise
    convolution ('SeparableConv2d/depthwise_weights' [kh, kw, in, depth_multiplier]) followed by a
    1x1 pointwise one ('SeparableConv2d/pointwise_weights' [1, 1, in * depth_multiplier,
    num_outputs]). With num_outputs=None only the depthwise step runs and the biases have
    in * depth_multiplier entries. pointwise_initializer defaults to weights_initializer."""
    tf = _tf()
    check_data_format(data_format, FORMATS_2D)
    kernel = n_tuple(kernel_size, 2, "kernel_size")
    sh, sw = n_tuple(stride, 2, "strides")
    rates = n_tuple(rate, 2, "dilation_rate")
    channels_first = data_format == "NCHW"
    with tf.variable_scope(scope, "SeparableConv2d", [inputs], reuse=reuse) as sc:
        inputs = convert_to_tensor(inputs)
        if inputs.shape.ndims != 4:
            raise ValueError("Inputs should have rank 4. Received input shape: %s" % (inputs.shape,))
        channels = known_channels(inputs, 1 if channels_first else 3, "separable_conv2d")
        dtype = inputs.dtype.base_dtype
        weights_initializer = resolve(weights_initializer)
        weights_collections = variable_collections(variables_collections, "weights")
        depthwise = model_variable("depthwise_weights", list(kernel) + [channels, depth_multiplier],
                                   weights_initializer, weights_regularizer, trainable, weights_collections,
                                   dtype)
        strides = [1, 1, sh, sw] if channels_first else [1, sh, sw, 1]
        if num_outputs is not None:
            pointwise = model_variable("pointwise_weights", [1, 1, channels * depth_multiplier, num_outputs],
                                       resolve(pointwise_initializer) or weights_initializer,
                                       weights_regularizer, trainable, weights_collections, dtype)
            outputs = tf.nn.separable_conv2d(inputs, depthwise, pointwise, strides, padding.upper(),
                                             rate=list(rates), data_format=data_format)
            out_channels = num_outputs
        else:
            outputs = tf.nn.depthwise_conv2d(inputs, depthwise, strides, padding.upper(), rate=list(rates),
                                             data_format=data_format)
            out_channels = channels * depth_multiplier
        outputs = finish_layer(outputs, out_channels, normalizer_fn, normalizer_params, biases_initializer,
                               biases_regularizer, trainable, variables_collections, activation_fn,
                               data_format)
        return collect_named_outputs(outputs_collections, sc.name, outputs)


separable_convolution2d = separable_conv2d


@add_arg_scope
def conv2d_in_plane(inputs, kernel_size, stride=1, padding="SAME", activation_fn=RELU, normalizer_fn=None,
                    normalizer_params=None, weights_initializer=XAVIER, weights_regularizer=None,
                    biases_initializer=ZEROS, biases_regularizer=None, reuse=None, variables_collections=None,
                    outputs_collections=None, trainable=True, scope=None):
    """`tf.contrib.layers.conv2d_in_plane(inputs, kernel_size, stride=1, padding='SAME', ...)`: one
    [kh, kw] filter ('ConvInPlane/weights' [kh, kw, 1, 1]) applied to every channel of an NHWC input
    separately; 'ConvInPlane/biases' has one entry per channel."""
    tf = _tf()
    kernel = n_tuple(kernel_size, 2, "kernel_size")
    sh, sw = n_tuple(stride, 2, "strides")
    with tf.variable_scope(scope, "ConvInPlane", [inputs], reuse=reuse) as sc:
        inputs = convert_to_tensor(inputs)
        if inputs.shape.ndims != 4:
            raise ValueError("Inputs should have rank 4. Received input shape: %s" % (inputs.shape,))
        channels = known_channels(inputs, 3, "conv2d_in_plane")
        weights = model_variable("weights", list(kernel) + [1, 1], resolve(weights_initializer),
                                 weights_regularizer, trainable,
                                 variable_collections(variables_collections, "weights"),
                                 inputs.dtype.base_dtype)
        per_channel = tf.tile(weights, [1, 1, channels, 1])
        outputs = tf.nn.depthwise_conv2d(inputs, per_channel, [1, sh, sw, 1], padding.upper())
        outputs = finish_layer(outputs, channels, normalizer_fn, normalizer_params, biases_initializer,
                               biases_regularizer, trainable, variables_collections, activation_fn)
        return collect_named_outputs(outputs_collections, sc.name, outputs)


convolution2d_in_plane = conv2d_in_plane


@add_arg_scope
def max_pool3d(inputs, kernel_size, stride=2, padding="VALID", data_format="NDHWC", outputs_collections=None,
               scope=None):
    """`tf.contrib.layers.max_pool3d(inputs, kernel_size, stride=2, padding='VALID',
    data_format='NDHWC')`: 3-D max pooling (name scope 'MaxPool3D')."""
    return pool_nd(_tf().nn.max_pool3d, "MaxPool3D", inputs, kernel_size, stride, padding, data_format, FORMATS_3D,
                   outputs_collections, scope)


@add_arg_scope
def avg_pool3d(inputs, kernel_size, stride=2, padding="VALID", data_format="NDHWC", outputs_collections=None,
               scope=None):
    """`tf.contrib.layers.avg_pool3d(inputs, kernel_size, stride=2, padding='VALID',
    data_format='NDHWC')`: 3-D average pooling (name scope 'AvgPool3D')."""
    return pool_nd(_tf().nn.avg_pool3d, "AvgPool3D", inputs, kernel_size, stride, padding, data_format, FORMATS_3D,
                   outputs_collections, scope)


@add_arg_scope
def pool(inputs, kernel_size, pooling_type, padding="VALID", data_format=None, dilation_rate=1, stride=1,
         outputs_collections=None, scope=None):
    """`tf.contrib.layers.pool(inputs, kernel_size, pooling_type, padding='VALID', data_format=None,
    dilation_rate=1, stride=1)`: N-D 'MAX' or 'AVG' pooling through `tf.nn.pool` (N = rank - 2), in
    name scope '<pooling_type>_pool'."""
    with name_scope(scope, "%s_pool" % pooling_type.lower(), [inputs]) as sc:
        inputs = convert_to_tensor(inputs)
        rank = inputs.shape.ndims
        if rank is None:
            raise ValueError("Rank of inputs must be known")
        if rank < 3:
            raise ValueError("Rank of inputs must be >= 3")
        spatial = rank - 2
        outputs = _tf().nn.pool(inputs, list(n_tuple(kernel_size, spatial, "kernel_size")), pooling_type,
                                padding.upper(), dilation_rate=list(n_tuple(dilation_rate, spatial,
                                                                            "dilation_rate")),
                                strides=list(n_tuple(stride, spatial, "strides")), data_format=data_format)
    return collect_named_outputs(outputs_collections, sc, outputs)
