"""`tf.keras.layers` core layers: Dense, Activation, Dropout and its spatial variants, Flatten, Reshape,
Permute, RepeatVector, Lambda, Masking, ActivityRegularization (TF 1.15's tf.keras, graph mode)."""
import importlib
import types

import numpy as np

import numflow as tf

from ...framework.tensor_shape import TensorShape
from ..engine.base_layer import Layer
from ..engine.input_spec import InputSpec
import numflow.keras.layers._layer_utils as utils

__all__ = ["Masking", "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "Activation",
           "Reshape", "Permute", "Flatten", "RepeatVector", "Lambda", "Dense", "ActivityRegularization", "Identity",
           "EinsumDense", "DenseFeatures"]


def merged_config(layer, base_class, config):
    """`base_class.get_config(layer)` followed by the layer's own `config` entries (Keras' order)."""
    merged = base_class.get_config(layer)
    merged.update(config)
    return merged


class Masking(Layer):
    """`Masking(mask_value=0.)`: marks timesteps whose features all equal `mask_value` as masked (the
    output mask is `any(inputs != mask_value, axis=-1)`) and zeroes them in the output."""

    def __init__(self, mask_value=0., **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.mask_value = mask_value

    def _keep(self, inputs, keepdims):
        return tf.reduce_any(tf.not_equal(inputs, tf.cast(self.mask_value, inputs.dtype)), axis=-1,
                             keepdims=keepdims)

    def compute_mask(self, inputs, mask=None):
        return self._keep(inputs, False)

    def call(self, inputs):
        return inputs * tf.cast(self._keep(inputs, True), inputs.dtype)

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def get_config(self):
        return merged_config(self, Layer, {"mask_value": self.mask_value})


class Dropout(Layer):
    """`Dropout(rate, noise_shape=None, seed=None)`: in training, zeroes each input unit with probability
    `rate` and scales the rest by 1 / (1 - rate); the identity at inference. `noise_shape` (None entries
    take the input's size) shares one keep/drop decision along its size-1 axes. Training is the `training`
    call argument, else the Keras learning phase."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed
        self.supports_masking = True

    def _get_noise_shape(self, inputs):
        if self.noise_shape is None:
            return None
        sizes = utils.static_or_dynamic_shape(inputs)
        resolved = [sizes[i] if value is None else value for i, value in enumerate(self.noise_shape)]
        if all(isinstance(v, (int, np.integer)) for v in resolved):
            return resolved
        return tf.stack([tf.cast(v, tf.int32) for v in resolved])

    def call(self, inputs, training=None):
        if isinstance(self.rate, (int, float)) and self.rate == 0:
            return tf.identity(inputs)

        def dropped():
            return tf.nn.dropout(inputs, noise_shape=self._get_noise_shape(inputs), seed=self.seed,
                                 rate=self.rate)
        return utils.smart_cond(utils.training_value(training), dropped, lambda: tf.identity(inputs))

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def get_config(self):
        return merged_config(self, Layer, {"rate": self.rate, "noise_shape": self.noise_shape,
                                           "seed": self.seed})


class SpatialDropout1D(Dropout):
    """`SpatialDropout1D(rate)`: drops whole feature channels of (batch, steps, channels) inputs."""

    def __init__(self, rate, **kwargs):
        super().__init__(rate, **kwargs)
        self.input_spec = InputSpec(ndim=3)

    def _get_noise_shape(self, inputs):
        sizes = tf.shape(inputs)
        return tf.stack([sizes[0], 1, sizes[2]])


class SpatialDropout2D(Dropout):
    """`SpatialDropout2D(rate, data_format=None)`: drops whole feature maps of 4-D inputs."""

    _rank = 2

    def __init__(self, rate, data_format=None, **kwargs):
        super().__init__(rate, **kwargs)
        self.data_format = utils.normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self._rank + 2)

    def _get_noise_shape(self, inputs):
        sizes = tf.shape(inputs)
        ones = [1] * self._rank
        if self.data_format == "channels_first":
            return tf.stack([sizes[0], sizes[1]] + ones)
        return tf.stack([sizes[0]] + ones + [sizes[self._rank + 1]])

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


class SpatialDropout3D(SpatialDropout2D):
    """`SpatialDropout3D(rate, data_format=None)`: drops whole feature volumes of 5-D inputs."""

    _rank = 3


class Activation(Layer):
    """`Activation(activation)`: applies an activation function (a name such as 'relu' or a callable)."""

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.activation = utils.get_activation(activation)

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def get_config(self):
        return merged_config(self, Layer, {"activation": utils.serialize_activation(self.activation)})


class Reshape(Layer):
    """`Reshape(target_shape)`: reshapes each sample to `target_shape` (the batch axis is kept); one entry
    may be -1, inferred from the sample's size."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)

    def _fix_unknown_dimension(self, input_shape, output_shape):
        output_shape = list(output_shape)
        message = "total size of the new array must be unchanged"
        known, unknown = 1, None
        for index, dim in enumerate(output_shape):
            if dim < 0:
                if unknown is not None:
                    raise ValueError("Can only specify one unknown dimension.")
                unknown = index
            else:
                known *= dim
        original = int(np.prod(input_shape, dtype=np.int64))
        if unknown is not None:
            if known == 0 or original % known != 0:
                raise ValueError(message)
            output_shape[unknown] = original // known
        elif original != known:
            raise ValueError(message)
        return output_shape

    def compute_output_shape(self, input_shape):
        input_shape = utils.shape_list(input_shape)
        if None in input_shape[1:]:
            output = [input_shape[0]] + [None if d == -1 else d for d in self.target_shape]
        else:
            output = [input_shape[0]] + self._fix_unknown_dimension(input_shape[1:], self.target_shape)
        return TensorShape(output)

    def call(self, inputs):
        outputs = tf.reshape(inputs, [tf.shape(inputs)[0]] + list(self.target_shape))
        if inputs.shape.ndims is not None:
            outputs.set_shape(self.compute_output_shape(inputs.shape))
        return outputs

    def get_config(self):
        return merged_config(self, Layer, {"target_shape": self.target_shape})


class Permute(Layer):
    """`Permute(dims)`: permutes the non-batch axes; `dims` is a permutation of 1..rank-1 (1-based)."""

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError("Invalid permutation `dims` for Permute Layer: %s. The set of indices in `dims` "
                             "must be consecutive and start from 1." % (dims,))
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)

    def compute_output_shape(self, input_shape):
        shape = utils.shape_list(input_shape)
        return TensorShape([shape[0]] + [shape[d] for d in self.dims])

    def call(self, inputs):
        return tf.transpose(inputs, perm=(0,) + self.dims)

    def get_config(self):
        return merged_config(self, Layer, {"dims": self.dims})


class Flatten(Layer):
    """`Flatten(data_format=None)`: flattens each sample to one axis (channels_first inputs are first
    moved to channels_last order, so both formats flatten alike); a rank-1 input becomes (batch, 1)."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = utils.normalize_data_format(data_format)
        self.input_spec = InputSpec(min_ndim=1)

    def call(self, inputs):
        rank = inputs.shape.ndims
        if self.data_format == "channels_first" and rank is not None and rank > 2:
            inputs = tf.transpose(inputs, perm=[0] + list(range(2, rank)) + [1])
        if rank == 1:
            return tf.expand_dims(inputs, 1)
        outputs = tf.reshape(inputs, [tf.shape(inputs)[0], -1])
        if rank is not None:
            outputs.set_shape(self.compute_output_shape(inputs.shape))
        return outputs

    def compute_output_shape(self, input_shape):
        shape = utils.shape_list(input_shape)
        if len(shape) == 1:
            return TensorShape([shape[0], 1])
        rest = shape[1:]
        return TensorShape([shape[0], None if None in rest else int(np.prod(rest, dtype=np.int64))])

    def get_config(self):
        return merged_config(self, Layer, {"data_format": self.data_format})


class RepeatVector(Layer):
    """`RepeatVector(n)`: (batch, features) -> (batch, n, features)."""

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        self.n = n
        self.input_spec = InputSpec(ndim=2)

    def compute_output_shape(self, input_shape):
        shape = utils.shape_list(input_shape)
        return TensorShape([shape[0], self.n, shape[1]])

    def call(self, inputs):
        return tf.tile(tf.expand_dims(inputs, 1), [1, self.n, 1])

    def get_config(self):
        return merged_config(self, Layer, {"n": self.n})


def _callable_config(value, prefix):
    """How Lambda stores a function in its config: its name, 'function' or 'lambda', and its module."""
    if isinstance(value, types.LambdaType) and value.__name__ == "<lambda>":
        kind = "lambda"
    else:
        kind = "function"
    return {prefix: value.__name__, prefix + "_type": kind, "module" if prefix == "function"
            else prefix + "_module": getattr(value, "__module__", None)}


def _resolve_callable(name, kind, module_name, custom_objects, what):
    if kind == "lambda":
        raise ValueError("Cannot deserialize the %s of a Lambda layer made from a Python lambda (%s): numflow "
                         "stores functions by name only. Define it as a named function and pass it in "
                         "`custom_objects`." % (what, name))
    if kind == "raw":
        return name
    from ..utils.generic_utils import _lookup
    found = _lookup(name, None, custom_objects)
    if found is None and module_name:
        try:
            found = getattr(importlib.import_module(module_name), name, None)
        except ImportError:
            found = None
    if found is None:
        raise ValueError("Unknown %s of a Lambda layer: %s (module %s); pass it in `custom_objects`."
                         % (what, name, module_name))
    return found


class Lambda(Layer):
    """`Lambda(function, output_shape=None, mask=None, arguments=None)`: wraps `function(inputs,
    **arguments)` as a layer. `output_shape` (a shape or a function of the input shape) and `mask` (a
    tensor or a function `mask(inputs, previous_mask)`) are optional. Its config stores functions by name
    and module, so only named functions (not lambdas) deserialize."""

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        self.function = function
        self.arguments = arguments or {}
        if mask is not None:
            self.supports_masking = True
        self.mask = mask
        self._output_shape = output_shape

    def call(self, inputs, mask=None, training=None):
        arguments = dict(self.arguments)
        import inspect
        try:
            parameters = inspect.signature(self.function).parameters
        except (TypeError, ValueError):
            parameters = {}
        if "mask" in parameters:
            arguments["mask"] = mask
        if "training" in parameters:
            arguments["training"] = training
        return self.function(inputs, **arguments)

    def compute_mask(self, inputs, mask=None):
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            return Layer.compute_output_shape(self, input_shape)
        if callable(self._output_shape):
            return TensorShape(self._output_shape(input_shape))
        batch = utils.shape_list(input_shape)[0] if not utils.is_shape_list(input_shape) else None
        return TensorShape([batch] + list(self._output_shape))

    def get_config(self):
        config = _callable_config(self.function, "function")
        if self._output_shape is None or not callable(self._output_shape):
            config.update({"output_shape": self._output_shape, "output_shape_type": "raw",
                           "output_shape_module": None})
        else:
            config.update(_callable_config(self._output_shape, "output_shape"))
        config["arguments"] = self.arguments
        return merged_config(self, Layer, config)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        function = _resolve_callable(config.pop("function"), config.pop("function_type", "function"),
                                     config.pop("module", None), custom_objects, "function")
        output_shape = config.pop("output_shape", None)
        kind = config.pop("output_shape_type", "raw")
        module_name = config.pop("output_shape_module", None)
        if output_shape is not None:
            output_shape = _resolve_callable(output_shape, kind, module_name, custom_objects, "output_shape")
            if kind == "raw":
                output_shape = tuple(output_shape)
        return cls(function, output_shape=output_shape, **config)


class Dense(Layer):
    """`Dense(units, activation=None, use_bias=True, kernel_initializer='glorot_uniform',
    bias_initializer='zeros', kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
    kernel_constraint=None, bias_constraint=None)`: `activation(dot(inputs, kernel) + bias)` with kernel
    (input features, units); inputs of rank > 2 are contracted along their last axis."""

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        if "input_shape" not in kwargs and "input_dim" in kwargs:
            kwargs["input_shape"] = (kwargs.pop("input_dim"),)
        super().__init__(activity_regularizer=utils.get_regularizer(activity_regularizer), **kwargs)
        self.units = int(units)
        self.activation = utils.get_activation(activation)
        self.use_bias = use_bias
        self.kernel_initializer = utils.get_initializer(kernel_initializer)
        self.bias_initializer = utils.get_initializer(bias_initializer)
        self.kernel_regularizer = utils.get_regularizer(kernel_regularizer)
        self.bias_regularizer = utils.get_regularizer(bias_regularizer)
        self.kernel_constraint = utils.get_constraint(kernel_constraint)
        self.bias_constraint = utils.get_constraint(bias_constraint)
        self.supports_masking = True
        self.input_spec = InputSpec(min_ndim=2)

    def build(self, input_shape):
        dtype = tf.as_dtype(self.dtype or "float32")
        if not (dtype.is_floating or dtype.is_complex):
            raise TypeError("Unable to build `Dense` layer with non-floating point dtype %s" % (dtype,))
        input_shape = TensorShape(input_shape)
        last = input_shape[-1].value if input_shape.ndims else None
        if last is None:
            raise ValueError("The last dimension of the inputs to `Dense` should be defined. Found `None`.")
        self.input_spec = InputSpec(min_ndim=2, axes={-1: last})
        self.kernel = self.add_weight("kernel", shape=[last, self.units], initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint,
                                      dtype=self.dtype, trainable=True)
        if self.use_bias:
            self.bias = self.add_weight("bias", shape=[self.units], initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint,
                                        dtype=self.dtype, trainable=True)
        else:
            self.bias = None
        self.built = True

    def call(self, inputs):
        inputs = tf.cast(inputs, self.kernel.dtype.base_dtype) if inputs.dtype.base_dtype != \
            self.kernel.dtype.base_dtype else inputs
        rank = inputs.shape.ndims
        if rank is not None and rank > 2:
            outputs = tf.tensordot(inputs, self.kernel, [[rank - 1], [0]])
            outputs.set_shape(inputs.shape[:-1].concatenate([self.units]))
        else:
            outputs = tf.matmul(inputs, self.kernel)
        if self.use_bias:
            outputs = tf.nn.bias_add(outputs, self.bias)
        if self.activation is not None:
            return self.activation(outputs)
        return outputs

    def compute_output_shape(self, input_shape):
        input_shape = TensorShape(input_shape).with_rank_at_least(2)
        if input_shape[-1].value is None:
            raise ValueError("The innermost dimension of input_shape must be defined, but saw: %s"
                             % (input_shape,))
        return input_shape[:-1].concatenate([self.units])

    def get_config(self):
        return merged_config(self, Layer, {
            "units": self.units,
            "activation": utils.serialize_activation(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": utils.serialize_initializer(self.kernel_initializer),
            "bias_initializer": utils.serialize_initializer(self.bias_initializer),
            "kernel_regularizer": utils.serialize_regularizer(self.kernel_regularizer),
            "bias_regularizer": utils.serialize_regularizer(self.bias_regularizer),
            "activity_regularizer": utils.serialize_regularizer(self.activity_regularizer),
            "kernel_constraint": utils.serialize_constraint(self.kernel_constraint),
            "bias_constraint": utils.serialize_constraint(self.bias_constraint)})


class ActivityRegularization(Layer):
    """`ActivityRegularization(l1=0., l2=0.)`: the identity, adding l1 * sum|x| + l2 * sum x^2 of its
    output (divided by the batch size, as TF 1.15) to the layer's losses."""

    def __init__(self, l1=0., l2=0., **kwargs):
        from .. import regularizers
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.supports_masking = True
        self.l1 = l1
        self.l2 = l2

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def get_config(self):
        return merged_config(self, Layer, {"l1": self.l1, "l2": self.l2})


class Identity(Layer):
    """`Identity()`: returns its input unchanged (a placeholder in model definitions); masks pass through."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs):
        return tf.identity(inputs) if not isinstance(inputs, (list, tuple)) else [tf.identity(x) for x in inputs]

    def compute_output_shape(self, input_shape):
        return input_shape if utils.is_shape_list(input_shape) else TensorShape(input_shape)


_EINSUM_FORMS = (("plain", r"^([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)$"),
                 ("left", r"^\.\.\.([a-zA-Z]+),([a-zA-Z]+)->\.\.\.([a-zA-Z]+)$"))


def _einsum_parts(equation):
    """(input spec, kernel spec, output spec, whether '...' leads the input and output)."""
    import re
    for form, pattern in _EINSUM_FORMS:
        match = re.match(pattern, equation)
        if match:
            return match.group(1), match.group(2), match.group(3), form == "left"
    raise ValueError("Invalid einsum equation '%s'. Equations must be in the form [X],[Y]->[Z] or ...[X],[Y]->"
                     "...[Z], where X, Y and Z are strings of letters." % (equation,))


def _einsum_shapes(equation, bias_axes, input_shape, output_shape):
    """(kernel shape, bias shape or None, full output shape) of an EinsumDense layer, with Keras' checks."""
    input_spec, weight_spec, output_spec, elided_left = _einsum_parts(equation)
    input_shape = list(input_shape)
    output_shape = [output_shape] if isinstance(output_shape, int) else list(output_shape)
    if elided_left:
        elided = len(input_shape) - len(input_spec)
        output_shape = input_shape[:elided] + output_shape
        input_shape = input_shape[elided:]
        offset = elided
    else:
        output_shape = input_shape[:1] + output_shape
        offset = 0
    if len(output_shape) - offset != len(output_spec):
        raise ValueError("The output_shape %s does not fit the output spec '%s' of equation '%s'"
                         % (tuple(output_shape[1 if not elided_left else offset:]), output_spec, equation))
    input_map = {dim: i for i, dim in enumerate(input_spec)}
    output_map = {dim: offset + i for i, dim in enumerate(output_spec)}
    for dim in input_spec:
        if dim in output_map:
            out, inp = output_shape[output_map[dim]], input_shape[input_map[dim]]
            if out is not None and inp is not None and out != inp:
                raise ValueError("Input shape and output shape do not match at shared dimension '%s'. Input shape "
                                 "is %s, and output shape is %s." % (dim, inp, out))
            output_shape[output_map[dim]] = inp
    for dim in output_spec:
        if dim not in input_spec and dim not in weight_spec:
            raise ValueError("Dimension '%s' was specified in the output '%s' but has no corresponding dim in the "
                             "input spec '%s' or weight spec '%s'" % (dim, output_spec, input_spec, weight_spec))
    weight_shape = []
    for dim in weight_spec:
        if dim in input_map:
            weight_shape.append(input_shape[input_map[dim]])
        elif dim in output_map:
            weight_shape.append(output_shape[output_map[dim]])
        else:
            raise ValueError("Weight dimension '%s' did not have a match in either the input spec '%s' or the "
                             "output spec '%s'. For this layer, the weight must be fully specified."
                             % (dim, input_spec, output_spec))
    bias_shape = None
    if bias_axes is not None:
        for char in bias_axes:
            if char not in output_spec:
                raise ValueError("Bias dimension '%s' was requested, but is not part of the output spec '%s'"
                                 % (char, output_spec))
        first = min(output_spec.find(char) for char in bias_axes)
        bias_shape = [output_shape[output_map[char]] if char in bias_axes else 1 for char in output_spec[first:]]
    return weight_shape, bias_shape, output_shape


class EinsumDense(Layer):
    """`EinsumDense(equation, output_shape, activation=None, bias_axes=None, kernel_initializer=
    'glorot_uniform', bias_initializer='zeros', kernel_regularizer=None, bias_regularizer=None,
    activity_regularizer=None, kernel_constraint=None, bias_constraint=None)`: a dense layer written as
    `tf.einsum(equation, inputs, kernel)`, e.g. 'abc,cd->abd'; the kernel's sizes come from the input and
    `output_shape` (the output without its batch axis; None entries are taken from the input), and
    `bias_axes` names the output axes the bias varies along. '...' may lead the input and output specs."""

    def __init__(self, equation, output_shape, activation=None, bias_axes=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=utils.get_regularizer(activity_regularizer), **kwargs)
        _einsum_parts(equation)
        self.equation = equation
        self.partial_output_shape = (output_shape,) if isinstance(output_shape, int) else tuple(output_shape)
        self.bias_axes = bias_axes
        self.activation = utils.get_activation(activation)
        self.kernel_initializer = utils.get_initializer(kernel_initializer)
        self.bias_initializer = utils.get_initializer(bias_initializer)
        self.kernel_regularizer = utils.get_regularizer(kernel_regularizer)
        self.bias_regularizer = utils.get_regularizer(bias_regularizer)
        self.kernel_constraint = utils.get_constraint(kernel_constraint)
        self.bias_constraint = utils.get_constraint(bias_constraint)

    def build(self, input_shape):
        shape = utils.shape_list(input_shape)
        kernel_shape, bias_shape, self.full_output_shape = _einsum_shapes(
            self.equation, self.bias_axes, shape, self.partial_output_shape)
        self.kernel = self.add_weight("kernel", shape=kernel_shape, initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.bias = None if bias_shape is None else self.add_weight(
            "bias", shape=bias_shape, initializer=self.bias_initializer, regularizer=self.bias_regularizer,
            constraint=self.bias_constraint)
        self.built = True

    def call(self, inputs):
        outputs = tf.einsum(self.equation, inputs, self.kernel)
        if self.bias is not None:
            outputs = outputs + self.bias
        if self.activation is not None:
            outputs = self.activation(outputs)
        return outputs

    def compute_output_shape(self, input_shape):
        return TensorShape(_einsum_shapes(self.equation, self.bias_axes, utils.shape_list(input_shape),
                                          self.partial_output_shape)[2])

    def get_config(self):
        return merged_config(self, Layer, {
            "output_shape": self.partial_output_shape, "equation": self.equation,
            "activation": utils.serialize_activation(self.activation), "bias_axes": self.bias_axes,
            "kernel_initializer": utils.serialize_initializer(self.kernel_initializer),
            "bias_initializer": utils.serialize_initializer(self.bias_initializer),
            "kernel_regularizer": utils.serialize_regularizer(self.kernel_regularizer),
            "bias_regularizer": utils.serialize_regularizer(self.bias_regularizer),
            "activity_regularizer": utils.serialize_regularizer(self.activity_regularizer),
            "kernel_constraint": utils.serialize_constraint(self.kernel_constraint),
            "bias_constraint": utils.serialize_constraint(self.bias_constraint)})


class DenseFeatures(Layer):
    """`DenseFeatures(feature_columns, trainable=True, name=None)`: the dense input of a model from a dict of
    features: each dense feature column's block (numeric, bucketized, indicator, embedding, ...),
    columns sorted by name and concatenated, as `tf.feature_column.input_layer`. The columns' variables
    (e.g. 'dense_features/<column>_embedding/embedding_weights') are the layer's weights. Its config
    cannot be serialized (numflow has no feature-column serialization): `get_config` raises
    NotImplementedError."""

    def __init__(self, feature_columns, trainable=True, name=None, **kwargs):
        super().__init__(trainable=trainable, name=name, **kwargs)
        from ...feature_column import feature_column as fc
        self._feature_columns = fc._check_columns(
            feature_columns, fc._DenseColumn,
            "Items of feature_columns must be a _DenseColumn. You can wrap a categorical column with an "
            "embedding_column or indicator_column. Given: %r")

    def call(self, features, cols_to_output_tensors=None):
        from ...feature_column import feature_column as fc
        from ...framework.graph import GraphKeys, get_default_graph
        from ...variable_scope import AUTO_REUSE, variable_scope
        if not isinstance(features, dict):
            raise ValueError("We expected a dictionary here. Instead we got: %r" % (features,))
        builder = fc._LazyBuilder(features)
        outputs = []
        with variable_scope(self.name, reuse=AUTO_REUSE) as scope:
            for column in self._feature_columns:
                with variable_scope(column.name):
                    tensor = column._get_dense_tensor(builder, trainable=self.trainable)
                    width = int(column._variable_shape.num_elements())
                    output = tf.reshape(tensor, [-1, width])
                    outputs.append(output)
                    if cols_to_output_tensors is not None:
                        cols_to_output_tensors[column] = output
            prefix = scope.name + "/"
        known = {id(v) for v in self._trainable_weights + self._non_trainable_weights}
        graph = get_default_graph()
        trainable = {id(v) for v in graph.get_collection(GraphKeys.TRAINABLE_VARIABLES)}
        for variable in graph.get_collection(GraphKeys.GLOBAL_VARIABLES):
            if variable.op.name.startswith(prefix) and id(variable) not in known:
                (self._trainable_weights if id(variable) in trainable else self._non_trainable_weights).append(variable)
        return tf.concat(outputs, axis=1)

    def compute_output_shape(self, input_shape):
        batch = None
        for shape in (input_shape.values() if isinstance(input_shape, dict) else []):
            dims = TensorShape(shape)
            if dims.ndims:
                batch = dims[0].value
                break
        width = sum(int(c._variable_shape.num_elements()) for c in self._feature_columns)
        return TensorShape([batch, width])

    def get_config(self):
        raise NotImplementedError("DenseFeatures cannot be serialized in numflow: it has no feature-column "
                                  "serialization. Rebuild the layer from its columns instead.")
