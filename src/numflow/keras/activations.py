"""`tf.keras.activations`: the elementwise activation functions Keras layers take by name
(`Dense(10, activation='relu')`), and `get` / `serialize` / `deserialize` to resolve them.

`serialize` gives a function's name and `deserialize` / `get` accept those names (and the custom
objects in scope), as TF 1.15's Keras does.
"""
import numflow as tf

from .utils.generic_utils import deserialize_keras_object

__all__ = ["softmax", "elu", "selu", "softplus", "softsign", "relu", "tanh", "sigmoid", "hard_sigmoid",
           "exponential", "linear", "get", "serialize", "deserialize"]

# The constants of "Self-Normalizing Neural Networks" (Klambauer et al., 2017).
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def softmax(x, axis=-1):
    """Softmax along `axis`: exp(x) / sum(exp(x)), computed from x - max(x) so large inputs don't
    overflow. Raises ValueError for a 1-D input, as Keras does (a batch axis is expected)."""
    x = tf.convert_to_tensor(x)
    ndim = x.shape.ndims
    if ndim == 2:
        return tf.nn.softmax(x, axis=axis)
    if ndim is not None and ndim < 2:
        raise ValueError("Cannot apply softmax to a tensor that is 1D. Received input: %s" % (x,))
    shifted = tf.exp(x - tf.reduce_max(x, axis=axis, keepdims=True))
    return shifted / tf.reduce_sum(shifted, axis=axis, keepdims=True)


def elu(x, alpha=1.0):
    """Exponential linear unit: x for x > 0, alpha * (exp(x) - 1) otherwise."""
    result = tf.nn.elu(x)
    if alpha == 1:
        return result
    return tf.where(tf.convert_to_tensor(x) > 0, result, alpha * result)


def selu(x):
    """Scaled ELU: scale * elu(x, alpha) with Klambauer et al.'s alpha ~1.6733 and scale ~1.0507."""
    return tf.nn.selu(x)


def softplus(x):
    """log(exp(x) + 1)."""
    return tf.nn.softplus(x)


def softsign(x):
    """x / (abs(x) + 1)."""
    return tf.nn.softsign(x)


def relu(x, alpha=0., max_value=None, threshold=0):
    """Rectified linear unit, Keras' generalised form: x for threshold <= x (capped at `max_value`
    when given), alpha * (x - threshold) below the threshold."""
    from . import _backend_ops
    return _backend_ops.relu(x, alpha=alpha, max_value=max_value, threshold=threshold)


def tanh(x):
    """Hyperbolic tangent."""
    return tf.tanh(x)


def sigmoid(x):
    """1 / (1 + exp(-x))."""
    return tf.sigmoid(x)


def hard_sigmoid(x):
    """A piecewise-linear sigmoid: clip(0.2 * x + 0.5, 0, 1)."""
    from . import _backend_ops
    return _backend_ops.hard_sigmoid(x)


def exponential(x):
    """exp(x)."""
    return tf.exp(x)


def linear(x):
    """The identity: returns `x` unchanged."""
    return x


_ACTIVATIONS = {name: globals()[name] for name in __all__ if name not in ("get", "serialize", "deserialize")}


def serialize(activation):
    """The name of an activation function (or the config of an object with `get_config`)."""
    if hasattr(activation, "get_config"):
        from .utils.generic_utils import serialize_keras_object
        return serialize_keras_object(activation)
    if not hasattr(activation, "__name__"):
        raise ValueError("Cannot serialize activation %r: it has no name" % (activation,))
    return activation.__name__


def deserialize(name, custom_objects=None):
    """The activation function called `name` (a Keras activation or a custom object in scope)."""
    return deserialize_keras_object(name, module_objects=_ACTIVATIONS, custom_objects=custom_objects,
                                    printable_module_name="activation function")


def get(identifier):
    """An activation function from a name, a serialized config or a callable; None gives `linear`."""
    if identifier is None:
        return linear
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError("Could not interpret activation function identifier: %s" % (identifier,))
