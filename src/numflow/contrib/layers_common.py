"""Helpers shared by the `tf.contrib.layers` modules: variable creation in TF1 contrib's collections,
named outputs collections (with the `aliases` slim's end-point dicts read), argument normalisation, and
the bias / normalizer / activation tail every weight layer ends with."""
import numbers

from ..framework.graph import GraphKeys, add_to_collections, convert_to_tensor, name_scope


class _DefaultArgument:
    """A keyword default that stands for a value built on first use (TF1 writes these defaults as
    `activation_fn=nn.relu`, `biases_initializer=init_ops.zeros_initializer()`); its repr says which."""

    def __init__(self, description):
        self._description = description

    def __repr__(self):
        return self._description


RELU = _DefaultArgument("tf.nn.relu")
ZEROS = _DefaultArgument("tf.zeros_initializer()")
XAVIER = _DefaultArgument("tf.contrib.layers.xavier_initializer()")
ONES = _DefaultArgument("tf.ones_initializer()")


def tf():
    """The numflow package; imported late because contrib loads while numflow itself is loading."""
    import numflow
    return numflow


def resolve(value):
    """The concrete value of a keyword default (RELU, ZEROS, XAVIER, ONES), or `value` itself."""
    if value is RELU:
        return tf().nn.relu
    if value is ZEROS:
        return tf().zeros_initializer()
    if value is ONES:
        return tf().ones_initializer()
    if value is XAVIER:
        from .. import init_ops
        return init_ops.xavier_initializer()
    return value


def as_list(collections):
    """`None` / one name / a list of names -> a list of collection names."""
    if not collections:
        return []
    return list(collections) if isinstance(collections, (list, tuple)) else [collections]


def collect_named_outputs(collections, alias, outputs):
    """Adds `outputs` to `collections` and records `alias` (a scope name, trailing '/' dropped) in
    `outputs.aliases`, as TF1's layers do so slim can map end points by scope."""
    if collections:
        alias = alias[:-1] if alias.endswith("/") else alias
        aliases = list(getattr(outputs, "aliases", []))
        aliases.append(alias)
        outputs.aliases = aliases
        add_to_collections(as_list(collections), outputs)
    return outputs


def variable_collections(variables_collections, name):
    """The collections for the variable `name`: a dict maps names to collections, a list applies to
    every variable."""
    if isinstance(variables_collections, dict):
        return variables_collections.get(name)
    return variables_collections


def model_variable(name, shape, initializer, regularizer, trainable, collections, dtype):
    """`tf.contrib.framework.model_variable`: a get_variable that is also in MODEL_VARIABLES and in
    the extra `collections`."""
    names = [GraphKeys.GLOBAL_VARIABLES, GraphKeys.MODEL_VARIABLES] + as_list(collections)
    return tf().get_variable(name, shape=shape, dtype=dtype, initializer=initializer,
                             regularizer=regularizer, trainable=trainable, collections=names)


def n_tuple(value, n, what):
    """An int or a length-`n` sequence of ints -> a tuple of `n` ints (TF's kernel_size / stride /
    rate arguments)."""
    if isinstance(value, numbers.Integral):
        return (int(value),) * n
    try:
        values = tuple(int(v) for v in value)
    except TypeError:
        raise ValueError("The `%s` argument must be a tuple of %d integers. Received: %r" % (what, n, value))
    if len(values) != n:
        raise ValueError("The `%s` argument must be a tuple of %d integers. Received: %r" % (what, n, value))
    return values


FORMATS_2D = ("NCHW", "NHWC")
FORMATS_3D = ("NCDHW", "NDHWC")


def check_data_format(data_format, allowed):
    """ValueError in TF1 contrib's words unless `data_format` is one of `allowed` (channels first, last)."""
    if data_format not in allowed:
        raise ValueError("data_format has to be either %s." % " or ".join(allowed))


def known_channels(inputs, axis, layer):
    """The static size of `inputs`' channel axis; ValueError when it is unknown."""
    channels = inputs.shape[axis].value
    if channels is None:
        raise ValueError("The channel dimension of the inputs to `%s` should be defined. Found `None`."
                         % layer)
    return channels


def finish_layer(outputs, num_outputs, normalizer_fn, normalizer_params, biases_initializer,
                 biases_regularizer, trainable, variables_collections, activation_fn, data_format=None):
    """The common tail of a weight layer: normalizer_fn (instead of biases) or a 'biases' variable,
    then activation_fn."""
    if normalizer_fn is not None:
        outputs = normalizer_fn(outputs, **(normalizer_params or {}))
    else:
        biases_initializer = resolve(biases_initializer)
        if biases_initializer is not None:
            biases = model_variable("biases", [num_outputs], biases_initializer, biases_regularizer,
                                    trainable, variable_collections(variables_collections, "biases"),
                                    outputs.dtype.base_dtype)
            channels_first = data_format is not None and data_format.startswith("NC")
            outputs = tf().nn.bias_add(outputs, biases, data_format="NCHW" if channels_first else "NHWC")
    activation_fn = resolve(activation_fn)
    if activation_fn is not None:
        outputs = activation_fn(outputs)
    return outputs


def pool_nd(fn, default_name, inputs, kernel_size, stride, padding, data_format, formats, outputs_collections,
            scope):
    """max/avg pooling (`fn`, e.g. tf.nn.max_pool) over the spatial dims of `data_format`, which must be
    one of `formats`, with TF1 contrib's int-or-tuple kernel_size and stride."""
    check_data_format(data_format, formats)
    spatial = len(data_format) - 2
    kernel = n_tuple(kernel_size, spatial, "kernel_size")
    strides = n_tuple(stride, spatial, "strides")
    channels_first = data_format.startswith("NC")
    with name_scope(scope, default_name, [inputs]) as sc:
        inputs = convert_to_tensor(inputs)
        if inputs.shape.ndims is not None and inputs.shape.ndims != spatial + 2:
            raise ValueError("Input %s must be %d-D, got shape %s." % (inputs.name, spatial + 2,
                                                                      inputs.shape))
        if channels_first:
            ksize, step = [1, 1] + list(kernel), [1, 1] + list(strides)
        else:
            ksize, step = [1] + list(kernel) + [1], [1] + list(strides) + [1]
        outputs = fn(inputs, ksize, step, padding.upper(), data_format=data_format)
    return collect_named_outputs(outputs_collections, sc, outputs)
