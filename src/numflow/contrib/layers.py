"""`tf.contrib.layers`: fully_connected, conv2d, flatten, batch_norm, the l1/l2 regularizers, and the
contrib initializers (xavier_initializer, variance_scaling_initializer) re-exported from init_ops.

Variables are made with `tf.get_variable` in `tf.variable_scope(scope, default_name=...)` and named as
in TF1 contrib: 'fully_connected/weights', 'fully_connected/biases', 'Conv/weights', ...
"""
import numbers

from ..framework.graph import GraphKeys, add_to_collections, convert_to_tensor, name_scope

__all__ = ["fully_connected", "conv2d", "convolution2d", "flatten", "batch_norm", "l1_regularizer",
           "l2_regularizer", "l1_l2_regularizer", "sum_regularizer", "apply_regularization",
           "xavier_initializer", "xavier_initializer_conv2d", "variance_scaling_initializer", "max_pool2d",
           "avg_pool2d", "dropout"]

_INIT_OPS_NAMES = {"xavier_initializer": "xavier_initializer",
                   "xavier_initializer_conv2d": "xavier_initializer_conv2d",
                   "variance_scaling_initializer": "contrib_variance_scaling_initializer"}


def __getattr__(name):
    """The contrib initializers, imported from init_ops when first asked for."""
    if name in _INIT_OPS_NAMES:
        from .. import init_ops
        target = _INIT_OPS_NAMES[name]
        if not hasattr(init_ops, target) and name == "variance_scaling_initializer":
            target = name
        return getattr(init_ops, target)
    raise AttributeError("module %r has no attribute %r" % (__name__, name))


def _tf():
    import numflow
    return numflow


def _relu(x):
    return _tf().nn.relu(x)


_DEFAULT = object()


def _collect(collections, value):
    if collections:
        add_to_collections(collections if isinstance(collections, (list, tuple)) else [collections], value)


def _model_variable(name, shape, initializer, regularizer, trainable, collections, dtype):
    tf = _tf()
    names = [GraphKeys.GLOBAL_VARIABLES, GraphKeys.MODEL_VARIABLES]
    if collections:
        names += list(collections if isinstance(collections, (list, tuple)) else [collections])
    return tf.get_variable(name, shape=shape, dtype=dtype, initializer=initializer, regularizer=regularizer,
                           trainable=trainable, collections=names)


def _var_collections(variables_collections, name):
    if isinstance(variables_collections, dict):
        return variables_collections.get(name)
    return variables_collections


def fully_connected(inputs, num_outputs, activation_fn=_DEFAULT, normalizer_fn=None, normalizer_params=None,
                    weights_initializer=None, weights_regularizer=None, biases_initializer=_DEFAULT,
                    biases_regularizer=None, reuse=None, variables_collections=None, outputs_collections=None,
                    trainable=True, scope=None):
    """`tf.contrib.layers.fully_connected(inputs, num_outputs, activation_fn=tf.nn.relu,
    normalizer_fn=None, weights_initializer=xavier_initializer(), weights_regularizer=None,
    biases_initializer=tf.zeros_initializer(), ..., scope=None)`: activation_fn(inputs @ weights +
    biases) with variables 'fully_connected/weights' and 'fully_connected/biases'. Pass
    activation_fn=None for a linear layer, biases_initializer=None for no biases."""
    tf = _tf()
    if activation_fn is _DEFAULT:
        activation_fn = _relu
    if biases_initializer is _DEFAULT:
        biases_initializer = tf.zeros_initializer()
    if weights_initializer is None:
        weights_initializer = __getattr__("xavier_initializer")()
    if not isinstance(num_outputs, numbers.Integral):
        raise ValueError("num_outputs type should be one of [int, long], got %s." % type(num_outputs))
    with tf.variable_scope(scope, "fully_connected", [inputs], reuse=reuse) as sc:
        inputs = convert_to_tensor(inputs)
        shape = inputs.shape
        if shape.ndims is None or shape[-1].value is None:
            raise ValueError("The last dimension of the inputs to `fully_connected` should be defined. "
                             "Found `None`.")
        dtype = inputs.dtype
        weights = _model_variable("weights", [shape[-1].value, num_outputs], weights_initializer,
                                  weights_regularizer, trainable,
                                  _var_collections(variables_collections, "weights"), dtype)
        if shape.ndims > 2:
            flat = tf.reshape(inputs, [-1, shape[-1].value])
            outputs = tf.matmul(flat, weights)
            outputs = tf.reshape(outputs, [-1] + shape.as_list()[1:-1] + [num_outputs]) \
                if all(d is not None for d in shape.as_list()[1:-1]) else outputs
        else:
            outputs = tf.matmul(inputs, weights)
        if normalizer_fn is not None:
            outputs = normalizer_fn(outputs, **(normalizer_params or {}))
        elif biases_initializer is not None:
            biases = _model_variable("biases", [num_outputs], biases_initializer, biases_regularizer,
                                     trainable, _var_collections(variables_collections, "biases"), dtype)
            outputs = tf.nn.bias_add(outputs, biases)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        _collect(outputs_collections, outputs)
        del sc
        return outputs


def conv2d(inputs, num_outputs, kernel_size, stride=1, padding="SAME", data_format=None, rate=1,
           activation_fn=_DEFAULT, normalizer_fn=None, normalizer_params=None, weights_initializer=None,
           weights_regularizer=None, biases_initializer=_DEFAULT, biases_regularizer=None, reuse=None,
           variables_collections=None, outputs_collections=None, trainable=True, scope=None):
    """`tf.contrib.layers.conv2d(inputs, num_outputs, kernel_size, stride=1, padding='SAME',
    data_format=None, rate=1, activation_fn=tf.nn.relu, ...)`: a 2-D convolution with variables
    'Conv/weights' [kh, kw, in, num_outputs] and 'Conv/biases'."""
    tf = _tf()
    if activation_fn is _DEFAULT:
        activation_fn = _relu
    if biases_initializer is _DEFAULT:
        biases_initializer = tf.zeros_initializer()
    if weights_initializer is None:
        weights_initializer = __getattr__("xavier_initializer")()
    data_format = data_format or "NHWC"
    if data_format not in ("NHWC", "NCHW"):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else tuple(kernel_size)
    sh, sw = (stride, stride) if isinstance(stride, int) else tuple(stride)
    rh, rw = (rate, rate) if isinstance(rate, int) else tuple(rate)
    with tf.variable_scope(scope, "Conv", [inputs], reuse=reuse):
        inputs = convert_to_tensor(inputs)
        if inputs.shape.ndims != 4:
            raise ValueError("Convolution expects input with rank 4, got %s" % inputs.shape.ndims)
        channels = inputs.shape[3 if data_format == "NHWC" else 1].value
        if channels is None:
            raise ValueError("The channel dimension of the inputs should be defined. Found `None`.")
        weights = _model_variable("weights", [kh, kw, channels, num_outputs], weights_initializer,
                                  weights_regularizer, trainable,
                                  _var_collections(variables_collections, "weights"), inputs.dtype)
        strides = [1, sh, sw, 1] if data_format == "NHWC" else [1, 1, sh, sw]
        dilations = [1, rh, rw, 1] if data_format == "NHWC" else [1, 1, rh, rw]
        outputs = tf.nn.conv2d(inputs, weights, strides, padding.upper(), data_format=data_format,
                               dilations=dilations)
        if normalizer_fn is not None:
            outputs = normalizer_fn(outputs, **(normalizer_params or {}))
        elif biases_initializer is not None:
            biases = _model_variable("biases", [num_outputs], biases_initializer, biases_regularizer,
                                     trainable, _var_collections(variables_collections, "biases"),
                                     inputs.dtype)
            outputs = tf.nn.bias_add(outputs, biases, data_format=data_format)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        _collect(outputs_collections, outputs)
        return outputs


convolution2d = conv2d


def flatten(inputs, outputs_collections=None, scope=None):
    """`tf.contrib.layers.flatten(inputs)`: [batch, ...] -> [batch, k], keeping the batch dimension."""
    from ..layers import _flatten
    with name_scope(scope, "Flatten", [inputs]):
        outputs = _flatten(inputs)
    _collect(outputs_collections, outputs)
    return outputs


def max_pool2d(inputs, kernel_size, stride=2, padding="VALID", data_format="NHWC", outputs_collections=None,
               scope=None):
    """`tf.contrib.layers.max_pool2d(inputs, kernel_size, stride=2, padding='VALID')`."""
    return _pool(_tf().nn.max_pool, "MaxPool2D", inputs, kernel_size, stride, padding, data_format,
                 outputs_collections, scope)


def avg_pool2d(inputs, kernel_size, stride=2, padding="VALID", data_format="NHWC", outputs_collections=None,
               scope=None):
    """`tf.contrib.layers.avg_pool2d(inputs, kernel_size, stride=2, padding='VALID')`."""
    return _pool(_tf().nn.avg_pool, "AvgPool2D", inputs, kernel_size, stride, padding, data_format,
                 outputs_collections, scope)


def _pool(fn, default, inputs, kernel_size, stride, padding, data_format, outputs_collections, scope):
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else tuple(kernel_size)
    sh, sw = (stride, stride) if isinstance(stride, int) else tuple(stride)
    with name_scope(scope, default, [inputs]):
        if data_format == "NHWC":
            outputs = fn(inputs, [1, kh, kw, 1], [1, sh, sw, 1], padding, data_format=data_format)
        else:
            outputs = fn(inputs, [1, 1, kh, kw], [1, 1, sh, sw], padding, data_format=data_format)
    _collect(outputs_collections, outputs)
    return outputs


def dropout(inputs, keep_prob=0.5, noise_shape=None, is_training=True, outputs_collections=None, scope=None,
            seed=None):
    """`tf.contrib.layers.dropout(inputs, keep_prob=0.5, noise_shape=None, is_training=True)`."""
    from ..layers import dropout as layers_dropout
    with name_scope(scope, "Dropout", [inputs]):
        outputs = layers_dropout(inputs, rate=1 - keep_prob, noise_shape=noise_shape, seed=seed,
                                 training=is_training)
    _collect(outputs_collections, outputs)
    return outputs


def batch_norm(inputs, decay=0.999, center=True, scale=False, epsilon=0.001, activation_fn=None,
               param_initializers=None, param_regularizers=None, updates_collections=GraphKeys.UPDATE_OPS,
               is_training=True, reuse=None, variables_collections=None, outputs_collections=None,
               trainable=True, batch_weights=None, fused=None, data_format="NHWC", zero_debias_moving_mean=False,
               scope=None, renorm=False, renorm_clipping=None, renorm_decay=0.99, adjustment=None):
    """`tf.contrib.layers.batch_norm(inputs, decay=0.999, center=True, scale=False, epsilon=0.001,
    activation_fn=None, is_training=True, ...)`: batch normalization over all axes but the channel one;
    moving-average updates go to `updates_collections` (UPDATE_OPS)."""
    from ..layers import BatchNormalization
    tf = _tf()
    initializers = param_initializers or {}
    regularizers = param_regularizers or {}
    axis = 1 if data_format == "NCHW" else -1
    with tf.variable_scope(scope, "BatchNorm", [inputs], reuse=reuse) as sc:
        layer = BatchNormalization(axis=axis, momentum=decay, epsilon=epsilon, center=center, scale=scale,
                                   beta_initializer=initializers.get("beta"),
                                   gamma_initializer=initializers.get("gamma"),
                                   moving_mean_initializer=initializers.get("moving_mean"),
                                   moving_variance_initializer=initializers.get("moving_variance"),
                                   beta_regularizer=regularizers.get("beta"),
                                   gamma_regularizer=regularizers.get("gamma"), trainable=trainable,
                                   name=sc.name.split("/")[-1], _reuse=True if reuse else None,
                                   _scope=sc)
        before = set(tf.get_collection(GraphKeys.UPDATE_OPS))
        outputs = layer.apply(inputs, training=is_training)
        if updates_collections != GraphKeys.UPDATE_OPS:
            ref = tf.get_collection_ref(GraphKeys.UPDATE_OPS)
            ref[:] = [u for u in ref if u in before]
            if updates_collections is None:
                with tf.control_dependencies(layer.updates):
                    outputs = tf.identity(outputs)
            else:
                for update in layer.updates:
                    tf.add_to_collection(updates_collections, update)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        _collect(outputs_collections, outputs)
        return outputs


# --- regularizers --------------------------------------------------------------------------------
def _check_scale(scale, kind):
    if isinstance(scale, numbers.Integral):
        raise ValueError("scale cannot be an integer: %s" % (scale,))
    if isinstance(scale, numbers.Real):
        if scale < 0.0:
            raise ValueError("Setting a scale less than 0 on a regularizer: %g" % scale)
        return scale == 0.0
    return False


def l2_regularizer(scale, scope=None):
    """`tf.contrib.layers.l2_regularizer(scale)`: a function weights -> scale * tf.nn.l2_loss(weights)
    (sum(w ** 2) / 2); with scale 0 it returns None. Given to get_variable / a layer as a regularizer,
    its loss goes to `tf.GraphKeys.REGULARIZATION_LOSSES`."""
    if _check_scale(scale, "l2"):
        return lambda _: None

    def l2(weights):
        tf = _tf()
        with name_scope(scope, "l2_regularizer", [weights]) as name:
            weights = convert_to_tensor(weights)
            my_scale = convert_to_tensor(scale, dtype=weights.dtype.base_dtype
                                         if hasattr(weights.dtype, "base_dtype") else weights.dtype,
                                         name="scale")
            return tf.multiply(my_scale, tf.nn.l2_loss(weights), name=name)
    return l2


def l1_regularizer(scale, scope=None):
    """`tf.contrib.layers.l1_regularizer(scale)`: a function weights -> scale * sum(|weights|)."""
    if _check_scale(scale, "l1"):
        return lambda _: None

    def l1(weights):
        tf = _tf()
        with name_scope(scope, "l1_regularizer", [weights]) as name:
            weights = convert_to_tensor(weights)
            my_scale = convert_to_tensor(scale, dtype=weights.dtype, name="scale")
            return tf.multiply(my_scale, tf.reduce_sum(tf.abs(weights)), name=name)
    return l1


def l1_l2_regularizer(scale_l1=1.0, scale_l2=1.0, scope=None):
    """`tf.contrib.layers.l1_l2_regularizer(scale_l1=1.0, scale_l2=1.0)`: the sum of both."""
    return sum_regularizer([l1_regularizer(scale_l1), l2_regularizer(scale_l2)], scope=scope)


def sum_regularizer(regularizer_list, scope=None):
    """`tf.contrib.layers.sum_regularizer(regularizer_list)`: the sum of the regularizers' losses."""
    regularizer_list = [r for r in regularizer_list if r]
    if not regularizer_list:
        return None

    def total(weights):
        tf = _tf()
        with name_scope(scope, "sum_regularizer", [weights]) as name:
            losses = [loss for loss in (r(weights) for r in regularizer_list) if loss is not None]
            return tf.add_n(losses, name=name) if losses else None
    return total


def apply_regularization(regularizer, weights_list=None):
    """`tf.contrib.layers.apply_regularization(regularizer, weights_list=None)`: the summed penalty of
    `weights_list` (default: the WEIGHTS collection), also added to REGULARIZATION_LOSSES."""
    tf = _tf()
    if not weights_list:
        weights_list = tf.get_collection(GraphKeys.WEIGHTS)
    if not weights_list:
        raise ValueError("No weights to regularize.")
    with name_scope("get_regularization_penalty", values=weights_list) as scope:
        penalties = [regularizer(w) for w in weights_list]
        penalties = [p for p in penalties if p is not None]
        if not penalties:
            return tf.constant(0.0)
        summed = tf.add_n(penalties, name=scope)
        tf.add_to_collection(GraphKeys.REGULARIZATION_LOSSES, summed)
        return summed
