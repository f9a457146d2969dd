"""Argument normalization, shape arithmetic and (de)serialization helpers the Keras layer families share."""
import numpy as np

from ...framework.graph import Tensor
from ...framework.tensor_shape import TensorShape


def normalize_tuple(value, n, name):
    """`value` (an int or an iterable of `n` ints) as a tuple of `n` ints; ValueError in Keras' words."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return (int(value),) * n
    message = ("The `" + name + "` argument must be a tuple of " + str(n) + " integers. Received: " + str(value))
    try:
        values = tuple(value)
    except TypeError:
        raise ValueError(message)
    if len(values) != n:
        raise ValueError(message)
    result = []
    for single in values:
        if not isinstance(single, (int, np.integer)) or isinstance(single, bool):
            raise ValueError(message + " including element " + str(single) + " of type " + str(type(single)))
        result.append(int(single))
    return tuple(result)


def normalize_data_format(value):
    """'channels_last' / 'channels_first' (None means the backend's image_data_format())."""
    from .. import backend
    if value is None:
        value = backend.image_data_format()
    data_format = value.lower() if isinstance(value, str) else value
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError('The `data_format` argument must be one of "channels_first", "channels_last". '
                         "Received: " + str(value))
    return data_format


def normalize_padding(value, allowed=("valid", "same")):
    """'valid' / 'same' (or 'causal' where `allowed` has it), case-insensitive."""
    padding = value.lower() if isinstance(value, str) else value
    if padding not in allowed:
        raise ValueError("The `padding` argument must be one of " + ", ".join('"%s"' % a for a in allowed)
                         + ". Received: " + str(value))
    return padding


def conv_output_length(length, filter_size, padding, stride, dilation=1):
    """The output length of a convolution or pooling along one axis (None stays None)."""
    if length is None:
        return None
    dilated = filter_size + (filter_size - 1) * (dilation - 1)
    if padding in ("same", "causal"):
        out = length
    elif padding == "valid":
        out = length - dilated + 1
    else:  # 'full'
        out = length + dilated - 1
    return (out + stride - 1) // stride


def deconv_output_length(length, filter_size, padding, output_padding=None, stride=1, dilation=1):
    """The output length of a transposed convolution along one axis (None stays None)."""
    if length is None:
        return None
    dilated = filter_size + (filter_size - 1) * (dilation - 1)
    if output_padding is None:
        if padding == "valid":
            return length * stride + max(dilated - stride, 0)
        if padding == "full":
            return length * stride - (stride + dilated - 2)
        return length * stride
    pad = {"same": dilated // 2, "valid": 0, "full": dilated - 1}[padding]
    return (length - 1) * stride + dilated - 2 * pad + output_padding


def shape_list(input_shape):
    """A TensorShape / tuple / list as a list of ints and None."""
    shape = TensorShape(input_shape)
    if shape.dims is None:
        raise ValueError("The layer needs an input of known rank, got shape " + str(input_shape))
    return shape.as_list()


def is_shape_list(input_shape):
    """True when `input_shape` is a list of shapes (the input of a multi-input layer)."""
    return isinstance(input_shape, (list, tuple)) and len(input_shape) > 0 and \
        all(isinstance(s, (list, tuple, TensorShape)) or s is None for s in input_shape) and \
        not all(s is None for s in input_shape)


def smart_cond(training, true_fn, false_fn):
    """`true_fn()` or `false_fn()` when `training` is a Python value, else a `tf.cond` on the tensor."""
    from ...ops.control import cond
    if isinstance(training, Tensor):
        return cond(training, true_fn, false_fn)
    return true_fn() if bool(training) else false_fn()


def training_value(training):
    """The `training` argument of a call, or the Keras learning phase when None."""
    from .. import backend
    return backend.learning_phase() if training is None else training


# --- (de)serialization of the callables and objects layers take -----------------------------------
def get_activation(identifier):
    from .. import activations
    return activations.get(identifier)


def serialize_activation(activation):
    from .. import activations
    return activations.serialize(activation)


def get_initializer(identifier):
    from .. import initializers
    return initializers.get(identifier)


def serialize_initializer(initializer):
    from .. import initializers
    return initializers.serialize(initializer)


def get_regularizer(identifier):
    from .. import regularizers
    return regularizers.get(identifier)


def serialize_regularizer(regularizer):
    from .. import regularizers
    return None if regularizer is None else regularizers.serialize(regularizer)


def get_constraint(identifier):
    from .. import constraints
    return constraints.get(identifier)


def serialize_constraint(constraint):
    from .. import constraints
    return None if constraint is None else constraints.serialize(constraint)


def static_or_dynamic_shape(tensor):
    """The shape of `tensor` as a list: static sizes where known, scalar tensors elsewhere."""
    from ...ops.array import shape as dynamic_shape
    static = tensor.shape.as_list()
    dynamic = None
    sizes = []
    for index, size in enumerate(static):
        if size is None:
            if dynamic is None:
                dynamic = dynamic_shape(tensor)
            sizes.append(dynamic[index])
        else:
            sizes.append(size)
    return sizes
