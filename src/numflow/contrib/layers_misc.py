"""`tf.contrib.layers` helpers beyond convolutions and normalizations: one_hot_encoding, the embedding
helpers (embed_sequence, bow_encoder, embedding_lookup_unique, safe_embedding_lookup_sparse),
linear / relu / relu6 / elu, legacy_fully_connected, maxout, repeat / stack, softmax, spatial_softmax,
images_to_sequence / sequence_to_images, scale_gradient and dense_to_sparse. Re-exported by
`numflow.contrib.layers`."""
import functools

from ..framework.graph import GraphKeys, add_to_collections, convert_to_tensor, name_scope
from .framework import add_arg_scope
from .layers_common import (XAVIER, ZEROS, as_list, collect_named_outputs, model_variable, resolve, tf as _tf,
                            variable_collections)

__all__ = ["one_hot_encoding", "embed_sequence", "embedding_lookup_unique", "safe_embedding_lookup_sparse",
           "linear", "relu", "relu6", "elu", "legacy_fully_connected", "legacy_linear", "legacy_relu", "maxout",
           "repeat", "stack", "softmax", "spatial_softmax", "images_to_sequence", "sequence_to_images",
           "scale_gradient", "dense_to_sparse", "bow_encoder"]


def _fully_connected():
    from .layers import fully_connected
    return fully_connected


def _relu(features):
    return _tf().nn.relu(features)


def _relu6(features):
    return _tf().nn.relu6(features)


def _elu(features):
    return _tf().nn.elu(features)


@add_arg_scope
def one_hot_encoding(labels, num_classes, on_value=1.0, off_value=0.0, outputs_collections=None, scope=None):
    """`tf.contrib.layers.one_hot_encoding(labels, num_classes, on_value=1.0, off_value=0.0)`: the
    one-hot rows of integer `labels` (shape labels.shape + [num_classes], float32 by default)."""
    tf = _tf()
    with name_scope(scope, "OneHotEncoding", [labels, num_classes]) as sc:
        labels = convert_to_tensor(labels)
        if labels.dtype == tf.int32:
            labels = tf.cast(labels, tf.int64)
        outputs = tf.one_hot(labels, num_classes, on_value=on_value, off_value=off_value)
    return collect_named_outputs(outputs_collections, sc, outputs)


def embedding_lookup_unique(params, ids, partition_strategy="mod", name=None):
    """`tf.contrib.layers.embedding_lookup_unique(params, ids, partition_strategy='mod')`:
    tf.nn.embedding_lookup that gathers each distinct id once and expands the rows back, for ids of
    any shape; the result has shape ids.shape + params.shape[1:]."""
    tf = _tf()
    with name_scope(name, "EmbeddingLookupUnique", [params, ids]):
        ids = convert_to_tensor(ids)
        ids_shape = tf.shape(ids)
        unique_ids, positions = tf.unique(tf.reshape(ids, [-1]))
        unique_rows = tf.nn.embedding_lookup(params, unique_ids, partition_strategy=partition_strategy)
        rows = tf.gather(unique_rows, positions)
        embeds = tf.reshape(rows, tf.concat([ids_shape, tf.shape(unique_rows)[1:]], 0))
        embeds.set_shape(ids.shape.concatenate(unique_rows.shape[1:]))
        return embeds


def safe_embedding_lookup_sparse(embedding_weights, sparse_ids, sparse_weights=None, combiner=None,
                                 default_id=None, name=None, partition_strategy="div", max_norm=None):
    """`tf.contrib.layers.safe_embedding_lookup_sparse(embedding_weights, sparse_ids,
    sparse_weights=None, combiner=None, default_id=None, ...)`: tf.nn.safe_embedding_lookup_sparse
    (invalid ids and empty rows give `default_id`'s row or zeros); combiner None means 'mean'."""
    return _tf().nn.safe_embedding_lookup_sparse(embedding_weights, sparse_ids, sparse_weights=sparse_weights,
                                                 combiner=combiner or "mean", default_id=default_id, name=name,
                                                 partition_strategy=partition_strategy, max_norm=max_norm)


def embed_sequence(ids, vocab_size=None, embed_dim=None, unique=False, initializer=None, regularizer=None,
                   trainable=True, scope=None, reuse=None):
    """`tf.contrib.layers.embed_sequence(ids, vocab_size=None, embed_dim=None, unique=False,
    initializer=None, regularizer=None, trainable=True, scope=None, reuse=None)`: looks `ids`
    [batch, time] up in the variable 'EmbedSequence/embeddings' [vocab_size, embed_dim] (through
    embedding_lookup_unique when `unique`); with reuse the sizes may be omitted."""
    tf = _tf()
    if not (reuse or (vocab_size and embed_dim)):
        raise ValueError("Must specify vocab size and embedding dimension when not reusing. Got vocab_size=%s "
                         "and embed_dim=%s" % (vocab_size, embed_dim))
    with tf.variable_scope(scope, "EmbedSequence", [ids], reuse=reuse):
        shape = None if vocab_size is None or embed_dim is None else [vocab_size, embed_dim]
        embeddings = model_variable("embeddings", shape, initializer, regularizer, trainable, None, tf.float32)
        if unique:
            return embedding_lookup_unique(embeddings, ids)
        return tf.nn.embedding_lookup(embeddings, ids)


def bow_encoder(ids, vocab_size, embed_dim, sparse_lookup=True, initializer=None, regularizer=None,
                trainable=True, scope=None, reuse=None):
    """`tf.contrib.layers.bow_encoder(ids, vocab_size, embed_dim, sparse_lookup=True, ...)`: the mean
    of the embeddings ('bow_encoder/embeddings' [vocab_size, embed_dim]) of each row of `ids`
    [batch, length], giving [batch, embed_dim]. With sparse_lookup, dense ids equal to -1 are
    missing and a row with none left gets embedding 0; otherwise every id counts."""
    tf = _tf()
    with tf.variable_scope(scope, "bow_encoder", [ids], reuse=reuse):
        embeddings = model_variable("embeddings", [vocab_size, embed_dim], initializer, regularizer, trainable,
                                    None, tf.float32)
        if sparse_lookup:
            if not isinstance(ids, tf.SparseTensor):
                ids = convert_to_tensor(ids)
                present = tf.where(tf.not_equal(ids, tf.constant(-1, ids.dtype)))
                ids = tf.SparseTensor(present, tf.gather_nd(ids, present), tf.shape(ids, out_type=tf.int64))
            return tf.nn.safe_embedding_lookup_sparse([embeddings], ids, combiner="mean", default_id=0)
        if isinstance(ids, tf.SparseTensor):
            raise TypeError("ids are expected to be dense Tensor, got: %s" % (ids,))
        return tf.reduce_mean(tf.nn.embedding_lookup(embeddings, ids), axis=1)


def _partial_fully_connected(activation_fn, public_name):
    def layer(inputs, num_outputs, **kwargs):
        kwargs.setdefault("activation_fn", activation_fn)
        return _fully_connected()(inputs, num_outputs, **kwargs)
    layer.__name__ = layer.__qualname__ = public_name
    layer.__doc__ = ("`tf.contrib.layers.%s(inputs, num_outputs, ...)`: fully_connected with "
                     "activation_fn=%s (variables 'fully_connected/weights', 'fully_connected/biases')."
                     % (public_name, "None" if activation_fn is None else "tf.nn." + public_name))
    # TF's aliases are functools.partial objects of fully_connected, so repeat/stack name their
    # scopes after fully_connected
    layer.repeat_scope_name = "fully_connected"
    return layer


linear = _partial_fully_connected(None, "linear")
relu = _partial_fully_connected(_relu, "relu")
relu6 = _partial_fully_connected(_relu6, "relu6")
elu = _partial_fully_connected(_elu, "elu")


def _rank_and_last_dim(tensor, what, last_what):
    """The static rank (>= 2) and last dimension of `tensor`; ValueError in TF1's words otherwise
    ('dims of <what> ...', 'rank of <what> ...', 'last dimension <last_what> ...')."""
    rank = tensor.shape.ndims
    if rank is None:
        raise ValueError("dims of %s must be known but is None" % what)
    if rank < 2:
        raise ValueError("rank of %s must be at least 2 not: %d" % (what, rank))
    last_dim = tensor.shape[-1].value
    if last_dim is None:
        raise ValueError("last dimension %s must be known but is None" % last_what)
    return rank, last_dim


def legacy_fully_connected(x, num_output_units, activation_fn=None, weight_init=XAVIER, bias_init=ZEROS,
                           name=None, weight_collections=(GraphKeys.WEIGHTS,),
                           bias_collections=(GraphKeys.BIASES,), output_collections=(GraphKeys.ACTIVATIONS,),
                           trainable=True, weight_regularizer=None, bias_regularizer=None):
    """`tf.contrib.layers.legacy_fully_connected(x, num_output_units, activation_fn=None,
    weight_init=xavier_initializer(), bias_init=tf.zeros_initializer(), name=None,
    weight_collections=(WEIGHTS,), bias_collections=(BIASES,), output_collections=(ACTIVATIONS,), ...)`:
    the older dense layer, variables 'fully_connected/weights' and 'fully_connected/bias' (none when
    bias_init is None); the output joins `output_collections`."""
    tf = _tf()
    with tf.variable_scope(name, "fully_connected", [x]):
        x = convert_to_tensor(x)
        dims, num_input_units = _rank_and_last_dim(x, "x", "of x")
        dtype = x.dtype.base_dtype
        weights = tf.get_variable("weights", shape=[num_input_units, num_output_units], dtype=dtype,
                                  initializer=resolve(weight_init), regularizer=weight_regularizer,
                                  trainable=trainable,
                                  collections=[GraphKeys.GLOBAL_VARIABLES] + as_list(weight_collections))
        y = tf.tensordot(x, weights, [[dims - 1], [0]]) if dims > 2 else tf.matmul(x, weights)
        bias_init = resolve(bias_init)
        if bias_init is not None:
            bias = tf.get_variable("bias", shape=[num_output_units], dtype=dtype, initializer=bias_init,
                                   regularizer=bias_regularizer, trainable=trainable,
                                   collections=[GraphKeys.GLOBAL_VARIABLES] + as_list(bias_collections))
            y = tf.nn.bias_add(y, bias)
        if activation_fn is not None:
            y = activation_fn(y)
        add_to_collections(as_list(output_collections), y)
        return y


legacy_linear = functools.partial(legacy_fully_connected, activation_fn=None)
legacy_relu = functools.partial(legacy_fully_connected, activation_fn=_relu)


@add_arg_scope
def maxout(inputs, num_units, axis=-1, scope=None):
    """`tf.contrib.layers.maxout(inputs, num_units, axis=-1, scope=None)`: splits the `axis` features
    into `num_units` groups of consecutive entries and keeps each group's maximum. As in TF1, the
    reshape puts `num_units` at `axis` and the group size last, so for an axis other than the last the
    groups follow memory order."""
    tf = _tf()
    with tf.variable_scope(scope, "MaxOut", [inputs]):
        inputs = convert_to_tensor(inputs)
        shape = inputs.shape.as_list()
        num_channels = shape[axis]
        if num_channels is None:
            raise ValueError("The `axis` dimension of the inputs to `maxout` should be defined. Found `None`.")
        if num_channels % num_units:
            raise ValueError("number of features({}) is not a multiple of num_units({})"
                             .format(num_channels, num_units))
        shape[axis] = num_units
        shape.append(num_channels // num_units)
        if any(d is None for d in shape):
            dynamic = tf.shape(inputs)
            shape = [dynamic[i] if d is None else d for i, d in enumerate(shape)]
            shape = tf.stack(shape)
        return tf.reduce_max(tf.reshape(inputs, shape), -1)


def _layer_name(layer, fallback):
    if hasattr(layer, "repeat_scope_name"):
        return layer.repeat_scope_name
    if hasattr(layer, "__name__"):
        return layer.__name__
    if hasattr(layer, "func") and hasattr(layer.func, "__name__"):
        return layer.func.__name__
    return fallback


def repeat(inputs, repetitions, layer, *args, **kwargs):
    """`tf.contrib.layers.repeat(inputs, repetitions, layer, *args, **kwargs)`: applies `layer`
    `repetitions` times, each call in scope '<scope>_<i>' (scope defaults to the layer's name) inside
    variable scope `scope` (default 'Repeat'): repeat(x, 2, conv2d, 64, [3, 3], scope='conv1') makes
    'conv1/conv1_1/weights' and 'conv1/conv1_2/weights'."""
    tf = _tf()
    scope = kwargs.pop("scope", None)
    with tf.variable_scope(scope, "Repeat", [inputs]):
        outputs = convert_to_tensor(inputs)
        prefix = scope if scope is not None else _layer_name(layer, "repeat")
        for i in range(repetitions):
            kwargs["scope"] = "%s_%d" % (prefix, i + 1)
            outputs = layer(outputs, *args, **kwargs)
        return outputs


def stack(inputs, layer, stack_args, **kwargs):
    """`tf.contrib.layers.stack(inputs, layer, stack_args, **kwargs)`: applies `layer` once per entry
    of `stack_args` (a tuple entry is unpacked as positional arguments), each call in scope
    '<scope>_<i>' inside variable scope `scope` (default 'Stack'): stack(x, fully_connected,
    [32, 64], scope='fc') makes 'fc/fc_1/weights' [.., 32] and 'fc/fc_2/weights' [32, 64]."""
    tf = _tf()
    scope = kwargs.pop("scope", None)
    if not isinstance(stack_args, (list, tuple)):
        raise ValueError("stack_args need to be a list or tuple")
    with tf.variable_scope(scope, "Stack", [inputs]):
        outputs = convert_to_tensor(inputs)
        prefix = scope if scope is not None else _layer_name(layer, "stack")
        for i, layer_args in enumerate(stack_args):
            kwargs["scope"] = "%s_%d" % (prefix, i + 1)
            positional = layer_args if isinstance(layer_args, tuple) else (layer_args,)
            outputs = layer(outputs, *positional, **kwargs)
        return outputs


@add_arg_scope
def softmax(logits, scope=None):
    """`tf.contrib.layers.softmax(logits, scope=None)`: softmax over the last axis of logits of any
    rank >= 2 (whose last dimension must be known)."""
    tf = _tf()
    with tf.variable_scope(scope, "softmax", [logits]):
        logits = convert_to_tensor(logits)
        _, num_logits = _rank_and_last_dim(logits, "shape", "shape")
        predictions = tf.nn.softmax(tf.reshape(logits, [-1, num_logits]))
        predictions = tf.reshape(predictions, tf.shape(logits))
        predictions.set_shape(logits.shape)
        return predictions


@add_arg_scope
def spatial_softmax(features, temperature=None, name=None, variables_collections=None, trainable=True,
                    data_format="NHWC"):
    """`tf.contrib.layers.spatial_softmax(features, temperature=None, name=None, ...,
    data_format='NHWC')`: for each channel, a softmax over the H*W positions of features / temperature
    and the expected position under it, with coordinates in [-1, 1] (the first of each pair follows
    the height axis, the second the width axis). Returns [batch, 2 * channels]. The scalar variable
    'temperature' (1.0 unless given) is trainable when `trainable`."""
    tf = _tf()
    with name_scope(name, "spatial_softmax", [features]):
        features = convert_to_tensor(features)
        dynamic = tf.shape(features)
        if data_format == "NCHW":
            height, width, num_channels = dynamic[2], dynamic[3], features.shape[1].value
        else:
            height, width, num_channels = dynamic[1], dynamic[2], features.shape[3].value
        if num_channels is None:
            raise ValueError("The num_channels dimension of the inputs to `spatial_softmax` should be defined. "
                             "Found `None`.")
        with name_scope("spatial_softmax_op", values=[features]):
            row_coordinate, column_coordinate = tf.meshgrid(tf.lin_space(-1.0, 1.0, height),
                                                            tf.lin_space(-1.0, 1.0, width), indexing="ij")
            row_coordinate = tf.reshape(row_coordinate, [height * width])
            column_coordinate = tf.reshape(column_coordinate, [height * width])
            initializer = tf.ones_initializer() if temperature is None else \
                tf.constant_initializer(temperature)
            collections = variable_collections(variables_collections, "temperature") if trainable else None
            temperature = model_variable("temperature", (), initializer, None, trainable, collections,
                                         tf.float32)
            if data_format == "NCHW":
                per_channel = tf.reshape(features, [-1, height * width])
            else:
                per_channel = tf.reshape(tf.transpose(features, [0, 3, 1, 2]), [-1, height * width])
            attention = tf.nn.softmax(per_channel / temperature)
            expected_row = tf.reduce_sum(row_coordinate * attention, [1], keepdims=True)
            expected_column = tf.reduce_sum(column_coordinate * attention, [1], keepdims=True)
            keypoints = tf.reshape(tf.concat([expected_row, expected_column], 1), [-1, num_channels * 2])
            keypoints.set_shape([None, num_channels * 2])
            return keypoints


@add_arg_scope
def images_to_sequence(inputs, data_format="NHWC", outputs_collections=None, scope=None):
    """`tf.contrib.layers.images_to_sequence(inputs, data_format='NHWC')`: [batch, height, width,
    depth] -> [width, batch * height, depth], each image row a sequence over the width (time major)."""
    tf = _tf()
    if data_format != "NHWC":
        raise ValueError("images_to_sequence supports data_format 'NHWC' only, got %r." % (data_format,))
    with name_scope(scope, "ImagesToSequence", [inputs]) as sc:
        inputs = convert_to_tensor(inputs)
        if inputs.shape.ndims != 4:
            raise ValueError("Input %s must be 4-D, got shape %s." % (inputs.name, inputs.shape))
        dynamic = tf.shape(inputs)
        transposed = tf.transpose(inputs, [2, 0, 1, 3])
        outputs = tf.reshape(transposed, tf.stack([dynamic[2], dynamic[0] * dynamic[1], dynamic[3]]))
        batch, height, width, depth = inputs.shape.as_list()
        outputs.set_shape([width, batch * height if batch is not None and height is not None else None,
                           depth])
    return collect_named_outputs(outputs_collections, sc, outputs)


@add_arg_scope
def sequence_to_images(inputs, height, output_data_format="channels_last", outputs_collections=None,
                       scope=None):
    """`tf.contrib.layers.sequence_to_images(inputs, height, output_data_format='channels_last')`:
    the inverse of images_to_sequence, [width, batch * height, depth] -> [batch, height, width, depth]
    ([batch, depth, height, width] for 'channels_first')."""
    tf = _tf()
    with name_scope(scope, "SequenceToImages", [inputs]) as sc:
        inputs = convert_to_tensor(inputs)
        if inputs.shape.ndims != 3:
            raise ValueError("Input %s must be 3-D, got shape %s." % (inputs.name, inputs.shape))
        width, num_rows, depth = inputs.shape.as_list()
        dynamic = tf.shape(inputs)
        batches = -1 if num_rows is None else num_rows // height
        reshaped = tf.reshape(inputs, tf.stack([dynamic[0], batches, height, dynamic[2]]))
        if output_data_format == "channels_first":
            outputs = tf.transpose(reshaped, [1, 3, 2, 0])
        else:
            outputs = tf.transpose(reshaped, [1, 2, 0, 3])
        if output_data_format == "channels_first":
            outputs.set_shape([None if batches == -1 else batches, depth, height, width])
        else:
            outputs.set_shape([None if batches == -1 else batches, height, width, depth])
    return collect_named_outputs(outputs_collections, sc, outputs)


def scale_gradient(inputs, gradient_multiplier):
    """`tf.contrib.layers.scale_gradient(inputs, gradient_multiplier)`: the identity in the forward
    pass; the gradient flowing back through it is multiplied by `gradient_multiplier` (a float or a
    scalar tensor), e.g. -1.0 for a gradient-reversal layer."""
    tf = _tf()

    @tf.custom_gradient
    def scaled(x):
        def grad(dy):
            return dy * tf.cast(gradient_multiplier, dy.dtype)
        return tf.identity(x), grad

    return scaled(convert_to_tensor(inputs))


@add_arg_scope
def dense_to_sparse(tensor, eos_token=0, outputs_collections=None, scope=None):
    """`tf.contrib.layers.dense_to_sparse(tensor, eos_token=0)`: a SparseTensor of the entries of
    `tensor` that differ from `eos_token` (dense_shape = tensor's shape, int64)."""
    tf = _tf()
    with name_scope(scope, "dense_to_sparse", [tensor]) as sc:
        tensor = convert_to_tensor(tensor)
        indices = tf.where(tf.not_equal(tensor, tf.constant(eos_token, tensor.dtype)))
        values = tf.gather_nd(tensor, indices)
        outputs = tf.SparseTensor(indices, values, tf.shape(tensor, out_type=tf.int64))
    return collect_named_outputs(outputs_collections, sc, outputs)
