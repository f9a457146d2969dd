"""`tf.contrib.layers`: the TF1 contrib layer functions (fully_connected, the convolutions, pooling,
normalizations and GDN, embeddings, repeat/stack, reversible blocks), the regularizers and
initializers, the summaries helpers and `optimize_loss`. (The pre-core feature-column API of
tf.contrib.layers, real_valued_column ... input_from_feature_columns, is not provided: use
tf.feature_column.)

Variables are made with `tf.get_variable` in `tf.variable_scope(scope, default_name=...)` and named as
in TF1 contrib: 'fully_connected/weights', 'Conv/biases', 'Conv2d_transpose/weights', 'LayerNorm/beta'.
Every layer function is decorated with `tf.contrib.framework.add_arg_scope`, honours
`outputs_collections` (recording the layer's scope in the output's `aliases`) and, where it makes
variables, `reuse`, `variables_collections` (a list, or a dict keyed by variable name) and `trainable`.
This module holds the core layers; the others live in the sibling `layers_*` modules and are
re-exported here.
"""
import numbers

from ..framework.graph import GraphKeys, convert_to_tensor, name_scope
from .framework import add_arg_scope
from .layers_common import (FORMATS_2D, RELU, XAVIER, ZEROS, as_list, collect_named_outputs,
                            finish_layer, model_variable, n_tuple, pool_nd, resolve, tf as _tf,
                            variable_collections)

_CORE = ["fully_connected", "convolution", "convolution1d", "convolution2d", "convolution3d", "conv1d",
         "conv2d", "conv3d", "flatten", "batch_norm", "max_pool2d", "avg_pool2d", "dropout",
         "l1_regularizer", "l2_regularizer", "l1_l2_regularizer", "sum_regularizer", "apply_regularization",
         "xavier_initializer", "xavier_initializer_conv2d", "variance_scaling_initializer"]

_INIT_OPS_NAMES = {"xavier_initializer": "xavier_initializer",
                   "xavier_initializer_conv2d": "xavier_initializer_conv2d",
                   "variance_scaling_initializer": "contrib_variance_scaling_initializer"}


# The pre-core feature-column API of tf.contrib.layers, and the tf.feature_column name that replaced each.
_FEATURE_COLUMN_NAMES = {
    "real_valued_column": "numeric_column", "bucketized_column": "bucketized_column",
    "sparse_column_with_hash_bucket": "categorical_column_with_hash_bucket",
    "sparse_column_with_keys": "categorical_column_with_vocabulary_list",
    "sparse_column_with_vocabulary_file": "categorical_column_with_vocabulary_file",
    "sparse_column_with_integerized_feature": "categorical_column_with_identity",
    "weighted_sparse_column": "weighted_categorical_column", "crossed_column": "crossed_column",
    "embedding_column": "embedding_column", "shared_embedding_columns": "shared_embedding_columns",
    "one_hot_column": "indicator_column", "input_from_feature_columns": "input_layer",
    "weighted_sum_from_feature_columns": "linear_model", "create_feature_spec_for_parsing": "make_parse_example_spec",
    "scattered_embedding_column": None, "joint_weighted_sum_from_feature_columns": None,
    "sequence_input_from_feature_columns": None, "parse_feature_columns_from_examples": None,
    "parse_feature_columns_from_sequence_examples": None, "transform_features": None,
    "check_feature_columns": None, "infer_real_valued_columns": None,
    "make_place_holder_tensors_for_base_features": None,
}


def __getattr__(name):
    """The contrib initializers, imported from init_ops when first asked for; a pointer to
    tf.feature_column for the contrib feature-column API, which numflow does not provide."""
    if name in _INIT_OPS_NAMES:
        from .. import init_ops
        target = _INIT_OPS_NAMES[name]
        if not hasattr(init_ops, target) and name == "variance_scaling_initializer":
            target = name
        return getattr(init_ops, target)
    if name in _FEATURE_COLUMN_NAMES:
        replacement = _FEATURE_COLUMN_NAMES[name]
        raise AttributeError("numflow does not provide tf.contrib.layers.%s (the feature-column API that "
                             "preceded tf.feature_column)%s" % (name, "; use tf.feature_column.%s" % replacement
                                                                 if replacement else "; use tf.feature_column"))
    raise AttributeError("module %r has no attribute %r" % (__name__, name))


@add_arg_scope
def fully_connected(inputs, num_outputs, activation_fn=RELU, normalizer_fn=None, normalizer_params=None,
                    weights_initializer=XAVIER, weights_regularizer=None, biases_initializer=ZEROS,
                    biases_regularizer=None, reuse=None, variables_collections=None, outputs_collections=None,
                    trainable=True, scope=None):
    """`tf.contrib.layers.fully_connected(inputs, num_outputs, activation_fn=tf.nn.relu,
    normalizer_fn=None, weights_initializer=xavier_initializer(), weights_regularizer=None,
    biases_initializer=tf.zeros_initializer(), ..., scope=None)`: activation_fn(inputs @ weights +
    biases) with variables 'fully_connected/weights' and 'fully_connected/biases'. Pass
    activation_fn=None for a linear layer, biases_initializer=None for no biases; inputs of rank > 2
    are multiplied along their last axis."""
    tf = _tf()
    if not isinstance(num_outputs, numbers.Integral):
        raise ValueError("num_outputs type should be one of [int, long], got %s." % type(num_outputs))
    with tf.variable_scope(scope, "fully_connected", [inputs], reuse=reuse) as sc:
        inputs = convert_to_tensor(inputs)
        shape = inputs.shape
        if shape.ndims is not None and shape.ndims < 2:
            raise ValueError("Input %s must be at least 2-D, got shape %s." % (inputs.name, shape))
        if shape.ndims is None or shape[-1].value is None:
            raise ValueError("The last dimension of the inputs to `fully_connected` should be defined. "
                             "Found `None`.")
        weights = model_variable("weights", [shape[-1].value, num_outputs], resolve(weights_initializer),
                                 weights_regularizer, trainable,
                                 variable_collections(variables_collections, "weights"),
                                 inputs.dtype.base_dtype)
        if shape.ndims > 2:
            outputs = tf.tensordot(inputs, weights, [[shape.ndims - 1], [0]])
        else:
            outputs = tf.matmul(inputs, weights)
        outputs = finish_layer(outputs, num_outputs, normalizer_fn, normalizer_params, biases_initializer,
                               biases_regularizer, trainable, variables_collections, activation_fn)
        return collect_named_outputs(outputs_collections, sc.name, outputs)


# --- convolutions -----------------------------------------------------------------------------------
_CONV_DATA_FORMATS = (None, "NWC", "NCW", "NHWC", "NCHW", "NDHWC", "NCDHW")
_CHANNELS_LAST = {1: "NWC", 2: "NHWC", 3: "NDHWC"}
_CHANNELS_FIRST = {1: "NCW", 2: "NCHW", 3: "NCDHW"}


def conv_input(inputs, conv_dims, data_format, layer):
    """Checks a convolution's input: returns (tensor, spatial dims, full data format, channels)."""
    inputs = convert_to_tensor(inputs)
    rank = inputs.shape.ndims
    if conv_dims is not None and rank != conv_dims + 2:
        raise ValueError("Convolution expects input with rank %d, got %s" % (conv_dims + 2, rank))
    if rank not in (3, 4, 5):
        raise ValueError("Convolution not supported for input with rank %s" % (rank,))
    spatial = rank - 2
    channels_first = data_format is not None and data_format.startswith("NC")
    full_format = (_CHANNELS_FIRST if channels_first else _CHANNELS_LAST)[spatial]
    if data_format is not None and data_format != full_format:
        raise ValueError("data_format %r does not fit a rank-%d input; expected %r or %r."
                         % (data_format, rank, _CHANNELS_LAST[spatial], _CHANNELS_FIRST[spatial]))
    channels = inputs.shape[1 if channels_first else -1].value
    if channels is None:
        raise ValueError("The channel dimension of the inputs to `%s` should be defined. Found `None`."
                         % layer)
    return inputs, spatial, full_format, channels


@add_arg_scope
def convolution(inputs, num_outputs, kernel_size, stride=1, padding="SAME", data_format=None, rate=1,
                activation_fn=RELU, normalizer_fn=None, normalizer_params=None, weights_initializer=XAVIER,
                weights_regularizer=None, biases_initializer=ZEROS, biases_regularizer=None, reuse=None,
                variables_collections=None, outputs_collections=None, trainable=True, scope=None,
                conv_dims=None):
    """`tf.contrib.layers.convolution(inputs, num_outputs, kernel_size, stride=1, padding='SAME',
    data_format=None, rate=1, activation_fn=tf.nn.relu, ..., scope=None, conv_dims=None)`: an N-D
    convolution (N = rank(inputs) - 2, or `conv_dims`) with variables 'Conv/weights'
    [*kernel_size, in_channels, num_outputs] and 'Conv/biases'; `rate` > 1 makes it atrous.
    data_format is None / 'NWC' / 'NHWC' / 'NDHWC' (channels last) or 'NCW' / 'NCHW' / 'NCDHW'."""
    tf = _tf()
    if data_format not in _CONV_DATA_FORMATS:
        raise ValueError("Invalid data_format: %r" % (data_format,))
    with tf.variable_scope(scope, "Conv", [inputs], reuse=reuse) as sc:
        inputs, spatial, full_format, channels = conv_input(inputs, conv_dims, data_format, "convolution")
        kernel = n_tuple(kernel_size, spatial, "kernel_size")
        strides = n_tuple(stride, spatial, "strides")
        rates = n_tuple(rate, spatial, "dilation_rate")
        if any(s > 1 for s in strides) and any(r > 1 for r in rates):
            raise ValueError("strides > 1 not supported in conjunction with dilation_rate > 1")
        weights = model_variable("weights", list(kernel) + [channels, num_outputs],
                                 resolve(weights_initializer), weights_regularizer, trainable,
                                 variable_collections(variables_collections, "weights"),
                                 inputs.dtype.base_dtype)
        outputs = tf.nn.convolution(inputs, weights, padding.upper(), strides=list(strides),
                                    dilation_rate=list(rates), data_format=full_format)
        outputs = finish_layer(outputs, num_outputs, normalizer_fn, normalizer_params, biases_initializer,
                               biases_regularizer, trainable, variables_collections, activation_fn,
                               full_format)
        return collect_named_outputs(outputs_collections, sc.name, outputs)


def _fixed_rank_convolution(conv_dims, public_name):
    def fixed(inputs, num_outputs, kernel_size, stride=1, padding="SAME", data_format=None, rate=1,
              activation_fn=RELU, normalizer_fn=None, normalizer_params=None, weights_initializer=XAVIER,
              weights_regularizer=None, biases_initializer=ZEROS, biases_regularizer=None, reuse=None,
              variables_collections=None, outputs_collections=None, trainable=True, scope=None):
        return convolution(inputs, num_outputs, kernel_size, stride=stride, padding=padding,
                           data_format=data_format, rate=rate, activation_fn=activation_fn,
                           normalizer_fn=normalizer_fn, normalizer_params=normalizer_params,
                           weights_initializer=weights_initializer, weights_regularizer=weights_regularizer,
                           biases_initializer=biases_initializer, biases_regularizer=biases_regularizer,
                           reuse=reuse, variables_collections=variables_collections,
                           outputs_collections=outputs_collections, trainable=trainable, scope=scope,
                           conv_dims=conv_dims)
    # named before decorating: add_arg_scope keys its defaults by the function's module and name
    fixed.__name__ = fixed.__qualname__ = public_name
    fixed.__doc__ = ("`tf.contrib.layers.%s(inputs, num_outputs, kernel_size, ...)`: `convolution` for "
                     "rank-%d inputs only (ValueError otherwise); variables 'Conv/weights', 'Conv/biases'."
                     % (public_name, conv_dims + 2))
    return add_arg_scope(fixed)


convolution1d = _fixed_rank_convolution(1, "convolution1d")
convolution2d = _fixed_rank_convolution(2, "convolution2d")
convolution3d = _fixed_rank_convolution(3, "convolution3d")
conv1d = convolution1d
conv2d = convolution2d
conv3d = convolution3d


# --- flatten, pooling, dropout ------------------------------------------------------------------
@add_arg_scope
def flatten(inputs, outputs_collections=None, scope=None):
    """`tf.contrib.layers.flatten(inputs)`: [batch, ...] -> [batch, k], keeping the batch dimension."""
    from ..layers import _flatten
    with name_scope(scope, "Flatten", [inputs]) as sc:
        outputs = _flatten(inputs)
    return collect_named_outputs(outputs_collections, sc, outputs)


@add_arg_scope
def max_pool2d(inputs, kernel_size, stride=2, padding="VALID", data_format="NHWC", outputs_collections=None,
               scope=None):
    """`tf.contrib.layers.max_pool2d(inputs, kernel_size, stride=2, padding='VALID',
    data_format='NHWC')`: 2-D max pooling (name scope 'MaxPool2D')."""
    return pool_nd(_tf().nn.max_pool, "MaxPool2D", inputs, kernel_size, stride, padding, data_format, FORMATS_2D,
                   outputs_collections, scope)


@add_arg_scope
def avg_pool2d(inputs, kernel_size, stride=2, padding="VALID", data_format="NHWC", outputs_collections=None,
               scope=None):
    """`tf.contrib.layers.avg_pool2d(inputs, kernel_size, stride=2, padding='VALID',
    data_format='NHWC')`: 2-D average pooling (name scope 'AvgPool2D')."""
    return pool_nd(_tf().nn.avg_pool, "AvgPool2D", inputs, kernel_size, stride, padding, data_format, FORMATS_2D,
                   outputs_collections, scope)


@add_arg_scope
def dropout(inputs, keep_prob=0.5, noise_shape=None, is_training=True, outputs_collections=None, scope=None,
            seed=None):
    """`tf.contrib.layers.dropout(inputs, keep_prob=0.5, noise_shape=None, is_training=True)`: with
    is_training, zeroes each element with probability 1 - keep_prob and scales the rest by
    1 / keep_prob; otherwise the identity."""
    from ..layers import dropout as layers_dropout
    with name_scope(scope, "Dropout", [inputs]) as sc:
        outputs = layers_dropout(inputs, rate=1 - keep_prob, noise_shape=noise_shape, seed=seed,
                                 training=is_training)
    return collect_named_outputs(outputs_collections, sc, outputs)


@add_arg_scope
def batch_norm(inputs, decay=0.999, center=True, scale=False, epsilon=0.001, activation_fn=None,
               param_initializers=None, param_regularizers=None, updates_collections=GraphKeys.UPDATE_OPS,
               is_training=True, reuse=None, variables_collections=None, outputs_collections=None,
               trainable=True, batch_weights=None, fused=None, data_format="NHWC", zero_debias_moving_mean=False,
               scope=None, renorm=False, renorm_clipping=None, renorm_decay=0.99, adjustment=None):
    """`tf.contrib.layers.batch_norm(inputs, decay=0.999, center=True, scale=False, epsilon=0.001,
    activation_fn=None, is_training=True, ...)`: batch normalization over all axes but the channel one;
    moving-average updates go to `updates_collections` (UPDATE_OPS), or run with the output when it is
    None."""
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
        _add_variables_to_collections(layer, variables_collections)
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
        return collect_named_outputs(outputs_collections, sc.name, outputs)


def _add_variables_to_collections(layer, variables_collections):
    """batch_norm's variables also join MODEL_VARIABLES and the collections asked for, by short name."""
    from ..framework.graph import add_to_collections
    tf = _tf()
    for variable in layer.variables:
        short_name = variable.op.name.split("/")[-1]
        names = [GraphKeys.MODEL_VARIABLES] + as_list(variable_collections(variables_collections,
                                                                           short_name))
        for name in names:
            if variable not in tf.get_collection(name):
                add_to_collections([name], variable)


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


# --- the sibling modules' layers, re-exported under tf.contrib.layers ---------------------------------
from . import (layers_conv, layers_gdn, layers_misc, layers_norm, layers_optimizers, layers_rev,  # noqa: E402
               layers_summaries)

_SIBLINGS = (layers_conv, layers_norm, layers_gdn, layers_misc, layers_rev, layers_summaries, layers_optimizers)
globals().update({name: getattr(module, name) for module in _SIBLINGS for name in module.__all__})
summaries = layers_summaries  # tf.contrib.layers.summaries, the module TF1 also exposes

__all__ = _CORE + [name for module in _SIBLINGS for name in module.__all__]
