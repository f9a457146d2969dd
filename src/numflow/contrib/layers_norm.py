"""`tf.contrib.layers` normalizations and per-channel layers: layer_norm, instance_norm, group_norm,
unit_norm and bias_add. Re-exported by `numflow.contrib.layers`."""
from ..framework.graph import convert_to_tensor
from .framework import add_arg_scope
from .layers_common import (FORMATS_2D, check_data_format, collect_named_outputs, model_variable, resolve,
                            tf as _tf, variable_collections)

__all__ = ["layer_norm", "instance_norm", "group_norm", "unit_norm", "bias_add"]

_LAYER_NORM_EPSILON = 1e-12  # TF1 contrib's layer_norm adds this fixed epsilon to the variance


def _known_rank(inputs):
    rank = inputs.shape.ndims
    if rank is None:
        raise ValueError("Inputs %s has undefined rank." % inputs.name)
    return rank


def _beta_gamma(center, scale, params_shape, initializers, dtype, trainable, variables_collections):
    """The optional 'beta' (zeros) and 'gamma' (ones) variables of a normalization layer."""
    tf = _tf()
    initializers = initializers or {}
    beta = gamma = None
    if center:
        beta = model_variable("beta", params_shape, initializers.get("beta", tf.zeros_initializer()), None,
                              trainable, variable_collections(variables_collections, "beta"), dtype)
    if scale:
        gamma = model_variable("gamma", params_shape, initializers.get("gamma", tf.ones_initializer()), None,
                               trainable, variable_collections(variables_collections, "gamma"), dtype)
    return beta, gamma


def _activate(outputs, activation_fn):
    activation_fn = resolve(activation_fn)
    return activation_fn(outputs) if activation_fn is not None else outputs


@add_arg_scope
def layer_norm(inputs, center=True, scale=True, activation_fn=None, reuse=None, variables_collections=None,
               outputs_collections=None, trainable=True, begin_norm_axis=1, begin_params_axis=-1, scope=None):
    """`tf.contrib.layers.layer_norm(inputs, center=True, scale=True, activation_fn=None, ...,
    begin_norm_axis=1, begin_params_axis=-1, scope=None)`: normalizes over the axes
    [begin_norm_axis, rank) (mean 0, variance 1, epsilon 1e-12), then scales by 'LayerNorm/gamma'
    and shifts by 'LayerNorm/beta', both of shape inputs.shape[begin_params_axis:]."""
    tf = _tf()
    with tf.variable_scope(scope, "LayerNorm", [inputs], reuse=reuse) as sc:
        inputs = convert_to_tensor(inputs)
        rank = _known_rank(inputs)
        norm_axis = begin_norm_axis + rank if begin_norm_axis < 0 else begin_norm_axis
        params_axis = begin_params_axis + rank if begin_params_axis < 0 else begin_params_axis
        if norm_axis >= rank or params_axis >= rank:
            raise ValueError("begin_params_axis (%d) and begin_norm_axis (%d) must be < rank(inputs) (%d)"
                             % (begin_params_axis, begin_norm_axis, rank))
        params_shape = inputs.shape[params_axis:]
        if not params_shape.is_fully_defined():
            raise ValueError("Inputs %s: params_shape (%s) must be fully defined." % (inputs.name, params_shape))
        beta, gamma = _beta_gamma(center, scale, params_shape.as_list(), None, inputs.dtype.base_dtype,
                                  trainable, variables_collections)
        mean, variance = tf.nn.moments(inputs, list(range(norm_axis, rank)), keep_dims=True)
        outputs = tf.nn.batch_normalization(inputs, mean, variance, offset=beta, scale=gamma,
                                            variance_epsilon=_LAYER_NORM_EPSILON)
        outputs.set_shape(inputs.shape)
        outputs = _activate(outputs, activation_fn)
        return collect_named_outputs(outputs_collections, sc.name, outputs)


@add_arg_scope
def instance_norm(inputs, center=True, scale=True, epsilon=1e-6, activation_fn=None, param_initializers=None,
                  reuse=None, variables_collections=None, outputs_collections=None, trainable=True,
                  data_format="NHWC", scope=None):
    """`tf.contrib.layers.instance_norm(inputs, center=True, scale=True, epsilon=1e-6,
    activation_fn=None, param_initializers=None, ..., data_format='NHWC', scope=None)`: normalizes each
    example's each channel over its spatial axes, then applies the per-channel 'InstanceNorm/gamma'
    and 'InstanceNorm/beta'."""
    tf = _tf()
    inputs = convert_to_tensor(inputs)
    rank = _known_rank(inputs)
    check_data_format(data_format, FORMATS_2D)
    with tf.variable_scope(scope, "InstanceNorm", [inputs], reuse=reuse) as sc:
        channel_axis = 1 if data_format == "NCHW" else rank - 1
        params_shape = inputs.shape[channel_axis:channel_axis + 1]
        if not params_shape.is_fully_defined():
            raise ValueError("Inputs %s has undefined channels dimension %s." % (inputs.name, params_shape))
        beta, gamma = _beta_gamma(center, scale, params_shape.as_list(), param_initializers,
                                  inputs.dtype.base_dtype, trainable, variables_collections)
        if data_format == "NCHW":
            broadcast = [params_shape[0].value] + [1] * (rank - 2)
            beta = tf.reshape(beta, broadcast) if beta is not None else None
            gamma = tf.reshape(gamma, broadcast) if gamma is not None else None
        moments_axes = [a for a in range(1, rank) if a != channel_axis]
        mean, variance = tf.nn.moments(inputs, moments_axes, keep_dims=True)
        outputs = tf.nn.batch_normalization(inputs, mean, variance, beta, gamma, epsilon)
        outputs = _activate(outputs, activation_fn)
        return collect_named_outputs(outputs_collections, sc.name, outputs)


@add_arg_scope
def group_norm(inputs, groups=32, channels_axis=-1, reduction_axes=(-3, -2), center=True, scale=True,
               epsilon=1e-6, activation_fn=None, param_initializers=None, reuse=None, variables_collections=None,
               outputs_collections=None, trainable=True, scope=None, mean_close_to_zero=False):
    """`tf.contrib.layers.group_norm(inputs, groups=32, channels_axis=-1, reduction_axes=(-3, -2),
    center=True, scale=True, epsilon=1e-6, ..., mean_close_to_zero=False)`: splits the channels into
    `groups` and normalizes each group over its channels and `reduction_axes`, then applies the
    per-channel 'GroupNorm/gamma' and 'GroupNorm/beta'. mean_close_to_zero selects the one-pass
    variance E[x^2] - E[x]^2."""
    tf = _tf()
    inputs = convert_to_tensor(inputs)
    rank = _known_rank(inputs)
    if channels_axis < 0:
        channels_axis += rank
    channels = inputs.shape[channels_axis].value if 0 <= channels_axis < rank else None
    if channels is None:
        raise ValueError("Inputs %s has undefined channel dimension: %d." % (inputs.name, channels_axis))
    reduction_axes = [a + rank if a < 0 else a for a in reduction_axes]
    for axis in reduction_axes:
        if axis >= rank or axis < 0:
            raise ValueError("Axis is out of bounds.")
        if inputs.shape[axis].value is None:
            raise ValueError("Inputs %s has undefined dimensions %d." % (inputs.name, axis))
        if axis == channels_axis:
            raise ValueError("reduction_axis must be mutually exclusive with channels_axis")
    if groups > channels:
        raise ValueError("Invalid groups %d for %d channels." % (groups, channels))
    if channels % groups != 0:
        raise ValueError("%d channels is not commensurate with %d groups." % (channels, groups))
    per_group = channels // groups
    dynamic_shape = tf.shape(inputs)
    grouped_shape = tf.concat([dynamic_shape[:channels_axis], [groups, per_group],
                               dynamic_shape[channels_axis + 1:]], 0)
    grouped = tf.reshape(inputs, grouped_shape)
    # an axis after the channel one moves right by one once the channels are split in two
    moments_axes = [channels_axis + 1] + [a + 1 if a > channels_axis else a for a in reduction_axes]
    broadcast = [1] * channels_axis + [groups, per_group] + [1] * (rank - channels_axis - 1)
    with tf.variable_scope(scope, "GroupNorm", [inputs], reuse=reuse) as sc:
        beta, gamma = _beta_gamma(center, scale, [channels], param_initializers, inputs.dtype.base_dtype,
                                  trainable, variables_collections)
        if mean_close_to_zero:
            mean = tf.reduce_mean(grouped, moments_axes, keepdims=True)
            variance = tf.reduce_mean(tf.square(grouped), moments_axes, keepdims=True) - tf.square(mean)
        else:
            mean, variance = tf.nn.moments(grouped, moments_axes, keep_dims=True)
        gain = tf.rsqrt(variance + epsilon)
        offset = -mean * gain
        if gamma is not None:
            gamma = tf.reshape(gamma, broadcast)
            gain, offset = gain * gamma, offset * gamma
        if beta is not None:
            offset = offset + tf.reshape(beta, broadcast)
        outputs = tf.reshape(grouped * gain + offset, dynamic_shape)
        outputs.set_shape(inputs.shape)
        outputs = _activate(outputs, activation_fn)
        return collect_named_outputs(outputs_collections, sc.name, outputs)


@add_arg_scope
def unit_norm(inputs, dim, epsilon=1e-7, scope=None):
    """`tf.contrib.layers.unit_norm(inputs, dim, epsilon=1e-7, scope=None)`: inputs divided by
    sqrt(epsilon + sum(inputs ** 2 along dim)), so slices along `dim` have (nearly) unit L2 norm."""
    tf = _tf()
    with tf.variable_scope(scope, "UnitNorm", [inputs]):
        inputs = convert_to_tensor(inputs)
        rank = inputs.shape.ndims
        if rank is None:
            raise ValueError("Inputs must have a defined rank.")
        if dim < 0 or dim >= rank:
            raise ValueError("dim must be positive but smaller than the input rank.")
        lengths = tf.sqrt(epsilon + tf.reduce_sum(tf.square(inputs), dim, keepdims=True))
        return tf.div(inputs, lengths)


@add_arg_scope
def bias_add(inputs, activation_fn=None, initializer=None, regularizer=None, reuse=None,
             variables_collections=None, outputs_collections=None, trainable=True, data_format="NHWC",
             scope=None):
    """`tf.contrib.layers.bias_add(inputs, activation_fn=None, initializer=tf.zeros_initializer(),
    regularizer=None, ..., data_format='NHWC', scope=None)`: adds the per-channel variable
    'BiasAdd/biases' (channel axis 1 for 'NCHW', the last otherwise), then activation_fn."""
    tf = _tf()
    check_data_format(data_format, FORMATS_2D)
    with tf.variable_scope(scope, "BiasAdd", [inputs], reuse=reuse) as sc:
        inputs = convert_to_tensor(inputs)
        rank = inputs.shape.ndims
        if rank is None:
            raise ValueError("Dims of shape must be known but is None")
        if rank == 2 and data_format == "NCHW":
            raise ValueError("Data format NCHW only supports 4D Tensor")
        num_features = inputs.shape[1 if data_format == "NCHW" else -1].value
        if num_features is None:
            raise ValueError("`C` dimension must be known but is None")
        biases = model_variable("biases", [num_features], initializer or tf.zeros_initializer(), regularizer,
                                trainable, variable_collections(variables_collections, "biases"),
                                inputs.dtype.base_dtype)
        outputs = tf.nn.bias_add(inputs, biases, data_format=data_format)
        outputs = _activate(outputs, activation_fn)
        return collect_named_outputs(outputs_collections, sc.name, outputs)
