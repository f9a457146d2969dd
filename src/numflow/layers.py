"""`tf.layers`: TF1's functional and object layers (dense, conv2d, pooling, flatten, dropout,
batch_normalization).

A layer opens `tf.variable_scope(name, default_name=<layer kind>)` on its first call and creates its
variables there with `tf.get_variable`, so they are named 'dense/kernel:0', 'dense_1/kernel:0',
'conv2d/bias:0' ...; calling the same layer object again, or a new one with `reuse=True` and the same
name, shares them.
"""
import re

import numpy as np

from .framework import dtypes
from .framework.graph import GraphKeys, Tensor, add_to_collection, convert_to_tensor
from .framework.tensor_shape import TensorShape

__all__ = ["Layer", "Dense", "Conv2D", "MaxPooling2D", "AveragePooling2D", "Flatten", "Dropout",
           "BatchNormalization", "dense", "conv2d", "max_pooling2d", "average_pooling2d", "flatten",
           "dropout", "batch_normalization", "InputSpec"]


def _snake(name):
    first = re.sub("(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", first).lower()


def _tuple(value, n, name):
    if isinstance(value, (int, np.integer)):
        return (int(value),) * n
    try:
        value = tuple(int(v) for v in value)
    except TypeError:
        raise ValueError("The `%s` argument must be a tuple of %d integers. Received: %r" % (name, n, value))
    if len(value) != n:
        raise ValueError("The `%s` argument must be a tuple of %d integers. Received: %r" % (name, n, value))
    return value


def _padding(padding):
    value = padding.lower() if isinstance(padding, str) else padding
    if value not in ("valid", "same"):
        raise ValueError('The `padding` argument must be one of "valid", "same". Received: %s' % (padding,))
    return value.upper()


def _data_format(data_format):
    value = (data_format or "channels_last").lower()
    if value not in ("channels_last", "channels_first"):
        raise ValueError('The `data_format` argument must be one of "channels_first", "channels_last". '
                         'Received: %s' % (data_format,))
    return "NHWC" if value == "channels_last" else "NCHW"


def _get(name):
    import numflow as tf
    return getattr(tf, name)


def _nn():
    from . import nn
    return nn


class InputSpec:
    """The expected rank / last-axis size of a layer's inputs (`tf.layers.InputSpec`)."""

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None, axes=None):
        self.dtype, self.shape, self.ndim = dtype, shape, ndim
        self.max_ndim, self.min_ndim, self.axes = max_ndim, min_ndim, axes or {}


class Layer:
    """`tf.layers.Layer`: a callable that owns variables created in its own variable scope."""

    def __init__(self, trainable=True, name=None, dtype=None, _reuse=None, _scope=None, **kwargs):
        self.trainable = trainable
        self._name_arg = name
        self._base_name = name or _snake(type(self).__name__)
        self._reuse = kwargs.pop("reuse", _reuse)
        self._scope = _scope
        self._dtype = dtypes.as_dtype(dtype) if dtype is not None else None
        self.built = False
        self._trainable_weights = []
        self._non_trainable_weights = []
        self._updates = []
        self._losses = []
        self.input_spec = None
        self.name = self._base_name

    # --- TF1 Layer API ------------------------------------------------------------------------------
    @property
    def dtype(self):
        return self._dtype

    @property
    def scope_name(self):
        if self._scope is None:
            raise ValueError("No name available for layer scope because the layer \"%s\" has not been used "
                             "yet." % self._base_name)
        return self._scope.name

    @property
    def trainable_weights(self):
        return list(self._trainable_weights) if self.trainable else []

    @property
    def non_trainable_weights(self):
        if self.trainable:
            return list(self._non_trainable_weights)
        return list(self._trainable_weights) + list(self._non_trainable_weights)

    @property
    def weights(self):
        return self.trainable_weights + self.non_trainable_weights

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights
    variables = weights

    @property
    def updates(self):
        return list(self._updates)

    @property
    def losses(self):
        return list(self._losses)

    def add_update(self, updates, inputs=None):
        updates = updates if isinstance(updates, (list, tuple)) else [updates]
        for update in updates:
            self._updates.append(update)
            add_to_collection(GraphKeys.UPDATE_OPS, update)

    def add_loss(self, losses, inputs=None):
        self._losses.extend(losses if isinstance(losses, (list, tuple)) else [losses])

    def _set_kernel_and_bias_options(self, activation, use_bias, kernel_initializer, bias_initializer,
                                     kernel_regularizer, bias_regularizer, activity_regularizer,
                                     kernel_constraint, bias_constraint):
        """The options Dense and Conv2D share; the bias starts at zeros unless told otherwise."""
        self.activation = activation
        self.use_bias = use_bias
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer if bias_initializer is not None else \
            _get("zeros_initializer")()
        self.kernel_regularizer = kernel_regularizer
        self.bias_regularizer = bias_regularizer
        self.activity_regularizer = activity_regularizer
        self.kernel_constraint = kernel_constraint
        self.bias_constraint = bias_constraint

    def add_weight(self, name, shape, dtype=None, initializer=None, regularizer=None, trainable=True,
                   constraint=None, **kwargs):
        """Creates (or, reusing, finds) the variable `name` in the layer's scope with tf.get_variable."""
        dtype = dtypes.as_dtype(dtype or self._dtype or dtypes.float32)
        before = len(_get("get_collection")(GraphKeys.REGULARIZATION_LOSSES))
        variable = _get("get_variable")(name, shape=shape, dtype=dtype, initializer=initializer,
                                        regularizer=regularizer, trainable=trainable and self.trainable,
                                        constraint=constraint)
        after = _get("get_collection")(GraphKeys.REGULARIZATION_LOSSES)
        self._losses.extend(after[before:])
        target = self._trainable_weights if trainable else self._non_trainable_weights
        if all(variable is not v for v in target):
            target.append(variable)
        return variable

    def build(self, input_shape):
        self.built = True

    def call(self, inputs, **kwargs):
        return inputs

    def compute_output_shape(self, input_shape):
        raise NotImplementedError

    def __call__(self, inputs, *args, **kwargs):
        variable_scope = _get("variable_scope")
        if self._scope is None:
            if self._reuse:
                context = variable_scope(self._name_arg or self._base_name, reuse=self._reuse)
            else:
                context = variable_scope(self._name_arg, default_name=self._base_name)
        else:
            context = variable_scope(self._scope, reuse=True if self.built else self._reuse)
        with context as scope:
            if self._scope is None:
                self._scope = scope
                self.name = scope.name.split("/")[-1]
            if isinstance(inputs, (list, tuple)):
                inputs = [convert_to_tensor(x) for x in inputs]
                shape = [x.shape for x in inputs]
            else:
                inputs = convert_to_tensor(inputs)
                shape = inputs.shape
                if self._dtype is None:
                    self._dtype = inputs.dtype if inputs.dtype.is_floating else dtypes.float32
            if not self.built:
                self.build(shape)
                self.built = True
            return self.call(inputs, *args, **kwargs)

    def apply(self, inputs, *args, **kwargs):
        return self.__call__(inputs, *args, **kwargs)


def _activation(outputs, activation):
    return activation(outputs) if activation is not None else outputs


class Dense(Layer):
    """`tf.layers.Dense(units, activation=None, use_bias=True, kernel_initializer=None, ...)`:
    outputs = activation(inputs @ kernel + bias)."""

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer=None,
                 bias_initializer=None, kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, trainable=True,
                 name=None, **kwargs):
        super().__init__(trainable=trainable, name=name, **kwargs)
        if int(units) <= 0:
            raise ValueError("units must be a positive integer, got %r" % (units,))
        self.units = int(units)
        self._set_kernel_and_bias_options(activation, use_bias, kernel_initializer, bias_initializer,
                                          kernel_regularizer, bias_regularizer, activity_regularizer,
                                          kernel_constraint, bias_constraint)

    def build(self, input_shape):
        input_shape = TensorShape(input_shape)
        if input_shape.ndims is None or input_shape[-1].value is None:
            raise ValueError("The last dimension of the inputs to `Dense` should be defined. Found `None`.")
        self.kernel = self.add_weight("kernel", [input_shape[-1].value, self.units],
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.bias = self.add_weight("bias", [self.units], initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None
        self.built = True

    def call(self, inputs):
        matmul, reshape = _get("matmul"), _get("reshape")
        rank = inputs.shape.ndims
        if rank is not None and rank > 2:
            dims = inputs.shape.as_list()
            flat = reshape(inputs, [-1, dims[-1]])
            outputs = matmul(flat, self.kernel)
            if all(d is not None for d in dims[1:-1]):
                outputs = reshape(outputs, [-1] + dims[1:-1] + [self.units])
            else:
                outputs = reshape(outputs, _get("concat")([_get("shape")(inputs)[:-1], [self.units]], 0))
        else:
            outputs = matmul(inputs, self.kernel)
        if self.use_bias:
            outputs = _nn().bias_add(outputs, self.bias)
        outputs = _activation(outputs, self.activation)
        if self.activity_regularizer is not None:
            self.add_loss(self.activity_regularizer(outputs))
        return outputs

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)[:-1].concatenate([self.units])


def dense(inputs, units, activation=None, use_bias=True, kernel_initializer=None, bias_initializer=None,
          kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
          bias_constraint=None, trainable=True, name=None, reuse=None):
    """`tf.layers.dense(inputs, units, activation=None, use_bias=True, kernel_initializer=None,
    bias_initializer=tf.zeros_initializer(), kernel_regularizer=None, ..., trainable=True, name=None,
    reuse=None)`: a fully connected layer, `activation(inputs @ kernel + bias)`. The kernel defaults to
    glorot_uniform (get_variable's default); variables 'dense/kernel' and 'dense/bias'."""
    layer = Dense(units, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                  bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                  bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                  kernel_constraint=kernel_constraint, bias_constraint=bias_constraint, trainable=trainable,
                  name=name, _reuse=reuse)
    return layer.apply(inputs)


class Conv2D(Layer):
    """`tf.layers.Conv2D(filters, kernel_size, strides=(1, 1), padding='valid', ...)`."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format="channels_last",
                 dilation_rate=(1, 1), activation=None, use_bias=True, kernel_initializer=None,
                 bias_initializer=None, kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, trainable=True,
                 name=None, **kwargs):
        super().__init__(trainable=trainable, name=name, **kwargs)
        self.filters = int(filters)
        self.kernel_size = _tuple(kernel_size, 2, "kernel_size")
        self.strides = _tuple(strides, 2, "strides")
        self.padding = _padding(padding)
        self.data_format = _data_format(data_format)
        self.dilation_rate = _tuple(dilation_rate, 2, "dilation_rate")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError("strides > 1 not supported in conjunction with dilation_rate > 1")
        self._set_kernel_and_bias_options(activation, use_bias, kernel_initializer, bias_initializer,
                                          kernel_regularizer, bias_regularizer, activity_regularizer,
                                          kernel_constraint, bias_constraint)

    def build(self, input_shape):
        input_shape = TensorShape(input_shape)
        if input_shape.ndims != 4:
            raise ValueError("Input 0 of layer %s is incompatible with the layer: expected ndim=4, found "
                             "ndim=%s. Full shape received: %s" % (self.name, input_shape.ndims, input_shape))
        axis = 3 if self.data_format == "NHWC" else 1
        channels = input_shape[axis].value
        if channels is None:
            raise ValueError("The channel dimension of the inputs should be defined. Found `None`.")
        self.kernel = self.add_weight("kernel", list(self.kernel_size) + [channels, self.filters],
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.bias = self.add_weight("bias", [self.filters], initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None
        self.built = True

    def call(self, inputs):
        nn = _nn()
        s = [1, self.strides[0], self.strides[1], 1] if self.data_format == "NHWC" else \
            [1, 1, self.strides[0], self.strides[1]]
        d = [1, self.dilation_rate[0], self.dilation_rate[1], 1] if self.data_format == "NHWC" else \
            [1, 1, self.dilation_rate[0], self.dilation_rate[1]]
        outputs = nn.conv2d(inputs, self.kernel, strides=s, padding=self.padding,
                            data_format=self.data_format, dilations=d, name="Conv2D")
        if self.use_bias:
            outputs = nn.bias_add(outputs, self.bias, data_format=self.data_format)
        outputs = _activation(outputs, self.activation)
        if self.activity_regularizer is not None:
            self.add_loss(self.activity_regularizer(outputs))
        return outputs


def conv2d(inputs, filters, kernel_size, strides=(1, 1), padding="valid", data_format="channels_last",
           dilation_rate=(1, 1), activation=None, use_bias=True, kernel_initializer=None,
           bias_initializer=None, kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
           kernel_constraint=None, bias_constraint=None, trainable=True, name=None, reuse=None):
    """`tf.layers.conv2d(inputs, filters, kernel_size, strides=(1, 1), padding='valid',
    data_format='channels_last', dilation_rate=(1, 1), activation=None, use_bias=True, ...)`: a 2-D
    convolution layer with a [kh, kw, in, filters] 'kernel' and a 'bias' in scope 'conv2d'."""
    layer = Conv2D(filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                   dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                   kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                   kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                   activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                   bias_constraint=bias_constraint, trainable=trainable, name=name, _reuse=reuse)
    return layer.apply(inputs)


class _Pooling2D(Layer):
    _op = None

    def __init__(self, pool_size, strides, padding="valid", data_format="channels_last", name=None,
                 **kwargs):
        super().__init__(name=name, **kwargs)
        self.pool_size = _tuple(pool_size, 2, "pool_size")
        self.strides = _tuple(strides, 2, "strides")
        self.padding = _padding(padding)
        self.data_format = _data_format(data_format)

    def call(self, inputs):
        if self.data_format == "NHWC":
            ksize = [1, self.pool_size[0], self.pool_size[1], 1]
            strides = [1, self.strides[0], self.strides[1], 1]
        else:
            ksize = [1, 1, self.pool_size[0], self.pool_size[1]]
            strides = [1, 1, self.strides[0], self.strides[1]]
        return getattr(_nn(), self._op)(inputs, ksize, strides, self.padding, data_format=self.data_format)


class MaxPooling2D(_Pooling2D):
    """`tf.layers.MaxPooling2D(pool_size, strides, padding='valid', data_format='channels_last')`."""

    _op = "max_pool"


class AveragePooling2D(_Pooling2D):
    """`tf.layers.AveragePooling2D(pool_size, strides, padding='valid', data_format='channels_last')`."""

    _op = "avg_pool"


def max_pooling2d(inputs, pool_size, strides, padding="valid", data_format="channels_last", name=None):
    """`tf.layers.max_pooling2d(inputs, pool_size, strides, padding='valid', data_format='channels_last',
    name=None)`: 2-D max pooling."""
    return MaxPooling2D(pool_size, strides, padding=padding, data_format=data_format, name=name).apply(inputs)


def average_pooling2d(inputs, pool_size, strides, padding="valid", data_format="channels_last", name=None):
    """`tf.layers.average_pooling2d(inputs, pool_size, strides, padding='valid', ...)`: 2-D average
    pooling ('same' border windows average only their elements inside the input)."""
    return AveragePooling2D(pool_size, strides, padding=padding, data_format=data_format,
                            name=name).apply(inputs)


def _flatten(inputs, data_format="NHWC"):
    reshape = _get("reshape")
    inputs = convert_to_tensor(inputs)
    shape = inputs.shape
    if shape.ndims is not None and shape.ndims > 2 and data_format == "NCHW":
        inputs = _get("transpose")(inputs, [0] + list(range(2, shape.ndims)) + [1])
        shape = inputs.shape
    if shape.ndims is not None and all(d is not None for d in shape.as_list()[1:]):
        return reshape(inputs, [-1, int(np.prod(shape.as_list()[1:], dtype=np.int64))])
    if shape.ndims is not None and shape.as_list()[0] is not None:
        return reshape(inputs, [shape.as_list()[0], -1])
    return reshape(inputs, _get("stack")([_get("shape")(inputs)[0], -1]))


class Flatten(Layer):
    """`tf.layers.Flatten(data_format='channels_last')`: [batch, ...] -> [batch, product of the rest]."""

    def __init__(self, data_format="channels_last", name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.data_format = _data_format(data_format)

    def call(self, inputs):
        return _flatten(inputs, self.data_format)


def flatten(inputs, name=None, data_format="channels_last"):
    """`tf.layers.flatten(inputs, name=None, data_format='channels_last')`: reshapes to [batch, -1],
    keeping the static size ([None, 3136] for [None, 7, 7, 64])."""
    return Flatten(data_format=data_format, name=name).apply(inputs)


def _is_static_bool(value):
    return isinstance(value, (bool, np.bool_)) or value is None


def _static_value(tensor):
    """A constant tensor's Python value, else None."""
    if isinstance(tensor, Tensor) and tensor.op.type == "Const":
        return tensor.op.attrs["value"].item()
    return None


class Dropout(Layer):
    """`tf.layers.Dropout(rate=0.5, noise_shape=None, seed=None)`; call with `training=`."""

    def __init__(self, rate=0.5, noise_shape=None, seed=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed

    def call(self, inputs, training=False):
        if not _is_static_bool(training):
            training = convert_to_tensor(training)
            known = _static_value(training)
            if known is not None:
                training = bool(known)
        identity = _get("identity")
        if _is_static_bool(training):
            if not training:
                return identity(inputs)
            return _nn().dropout(inputs, rate=self.rate, noise_shape=self.noise_shape, seed=self.seed)
        dropped = _nn().dropout(inputs, rate=self.rate, noise_shape=self.noise_shape, seed=self.seed)
        if dropped.op.type == "Identity":   # rate 0
            return dropped
        return _get("where")(training, dropped, inputs)


def dropout(inputs, rate=0.5, noise_shape=None, seed=None, training=False, name=None):
    """`tf.layers.dropout(inputs, rate=0.5, noise_shape=None, seed=None, training=False, name=None)`:
    with `training` (a Python bool or a scalar bool tensor) each element is dropped with probability
    `rate` and the rest scaled by 1 / (1 - rate); otherwise the inputs pass unchanged."""
    return Dropout(rate=rate, noise_shape=noise_shape, seed=seed, name=name).apply(inputs, training=training)


class BatchNormalization(Layer):
    """`tf.layers.BatchNormalization(axis=-1, momentum=0.99, epsilon=0.001, center=True, scale=True, ...)`.

    Training normalizes with the batch's mean and (biased) variance and adds the moving-average updates
    of 'moving_mean' / 'moving_variance' to `tf.GraphKeys.UPDATE_OPS`; inference uses the moving ones.
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer=None, gamma_initializer=None, moving_mean_initializer=None,
                 moving_variance_initializer=None, beta_regularizer=None, gamma_regularizer=None,
                 beta_constraint=None, gamma_constraint=None, renorm=False, renorm_clipping=None,
                 renorm_momentum=0.99, fused=None, trainable=True, virtual_batch_size=None,
                 adjustment=None, name=None, **kwargs):
        super().__init__(trainable=trainable, name=name, **kwargs)
        if renorm:
            raise NotImplementedError("batch renormalization is not supported by numflow")
        if virtual_batch_size is not None or adjustment is not None:
            raise NotImplementedError("virtual_batch_size and adjustment are not supported by numflow")
        self.axis = axis
        self.momentum = momentum
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.beta_initializer = beta_initializer or _get("zeros_initializer")()
        self.gamma_initializer = gamma_initializer or _get("ones_initializer")()
        self.moving_mean_initializer = moving_mean_initializer or _get("zeros_initializer")()
        self.moving_variance_initializer = moving_variance_initializer or _get("ones_initializer")()
        self.beta_regularizer = beta_regularizer
        self.gamma_regularizer = gamma_regularizer
        self.beta_constraint = beta_constraint
        self.gamma_constraint = gamma_constraint
        self.fused = fused

    def build(self, input_shape):
        input_shape = TensorShape(input_shape)
        rank = input_shape.ndims
        if rank is None:
            raise ValueError("Input has undefined rank: %s" % input_shape)
        axes = self.axis if isinstance(self.axis, (list, tuple)) else [self.axis]
        axes = [a + rank if a < 0 else a for a in axes]
        for a in axes:
            if a < 0 or a >= rank:
                raise ValueError("Invalid axis: %d" % a)
            if input_shape[a].value is None:
                raise ValueError("Input has undefined `axis` dimension. Input shape: %s" % input_shape)
        self._axes = axes
        self._reduction_axes = [i for i in range(rank) if i not in axes]
        param_shape = [input_shape[a].value for a in axes]
        if len(axes) == 1:
            self._broadcast = None if axes[0] == rank - 1 else \
                [1 if i != axes[0] else input_shape[i].value for i in range(rank)]
        else:
            self._broadcast = [input_shape[i].value if i in axes else 1 for i in range(rank)]
        dtype = self._dtype if self._dtype is not None and self._dtype.is_floating else dtypes.float32
        if dtype is dtypes.float16:
            dtype = dtypes.float32
        self.gamma = self.add_weight("gamma", param_shape, dtype=dtype, initializer=self.gamma_initializer,
                                     regularizer=self.gamma_regularizer,
                                     constraint=self.gamma_constraint) if self.scale else None
        self.beta = self.add_weight("beta", param_shape, dtype=dtype, initializer=self.beta_initializer,
                                    regularizer=self.beta_regularizer,
                                    constraint=self.beta_constraint) if self.center else None
        self.moving_mean = self.add_weight("moving_mean", param_shape, dtype=dtype,
                                           initializer=self.moving_mean_initializer, trainable=False)
        self.moving_variance = self.add_weight("moving_variance", param_shape, dtype=dtype,
                                               initializer=self.moving_variance_initializer, trainable=False)
        self.built = True

    def _shaped(self, value):
        if value is None or self._broadcast is None:
            return value
        return _get("reshape")(value, self._broadcast)

    def call(self, inputs, training=False):
        nn = _nn()
        if not _is_static_bool(training):
            training = convert_to_tensor(training)
            known = _static_value(training)
            if known is not None:
                training = bool(known)
        moving_mean = convert_to_tensor(self.moving_mean)
        moving_variance = convert_to_tensor(self.moving_variance)
        if _is_static_bool(training) and not training:
            mean, variance = moving_mean, moving_variance
        else:
            batch_mean, batch_variance = nn.moments(inputs, self._reduction_axes)
            if _is_static_bool(training):
                mean, variance, flag = batch_mean, batch_variance, None
            else:
                where = _get("where")
                mean = where(training, batch_mean, moving_mean)
                variance = where(training, batch_variance, moving_variance)
                flag = _get("cast")(training, batch_mean.dtype)
            decay = 1.0 - self.momentum
            with _get("name_scope")("AssignMovingAvg"):
                delta = (moving_mean - _get("stop_gradient")(batch_mean)) * decay
                update_mean = _get("assign_sub")(self.moving_mean, delta if flag is None else delta * flag)
            with _get("name_scope")("AssignMovingAvg_1"):
                delta = (moving_variance - _get("stop_gradient")(batch_variance)) * decay
                update_var = _get("assign_sub")(self.moving_variance, delta if flag is None else delta * flag)
            self.add_update([update_mean, update_var])
        return nn.batch_normalization(inputs, self._shaped(mean), self._shaped(variance),
                                      self._shaped(self.beta), self._shaped(self.gamma), self.epsilon)


def batch_normalization(inputs, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                        beta_initializer=None, gamma_initializer=None, moving_mean_initializer=None,
                        moving_variance_initializer=None, beta_regularizer=None, gamma_regularizer=None,
                        beta_constraint=None, gamma_constraint=None, training=False, trainable=True,
                        name=None, reuse=None, renorm=False, renorm_clipping=None, renorm_momentum=0.99,
                        fused=None, virtual_batch_size=None, adjustment=None):
    """`tf.layers.batch_normalization(inputs, axis=-1, momentum=0.99, epsilon=0.001, center=True,
    scale=True, training=False, ...)`: normalizes over all axes but `axis`. With `training` (a bool or a
    bool tensor) the batch statistics are used and the moving-average updates
    (moving = moving * momentum + batch * (1 - momentum)) go to `tf.GraphKeys.UPDATE_OPS`, to be run
    with the train op; otherwise 'moving_mean' and 'moving_variance' are used."""
    layer = BatchNormalization(axis=axis, momentum=momentum, epsilon=epsilon, center=center, scale=scale,
                               beta_initializer=beta_initializer, gamma_initializer=gamma_initializer,
                               moving_mean_initializer=moving_mean_initializer,
                               moving_variance_initializer=moving_variance_initializer,
                               beta_regularizer=beta_regularizer, gamma_regularizer=gamma_regularizer,
                               beta_constraint=beta_constraint, gamma_constraint=gamma_constraint,
                               renorm=renorm, renorm_clipping=renorm_clipping,
                               renorm_momentum=renorm_momentum, fused=fused, trainable=trainable,
                               virtual_batch_size=virtual_batch_size, adjustment=adjustment, name=name,
                               _reuse=reuse)
    return layer.apply(inputs, training=training)



# =====================================================================================================
# 1-D and 3-D convolutions, transposed and separable convolutions, 1-D and 3-D pooling.
# =====================================================================================================
__all__ += ["Conv1D", "Conv3D", "Conv2DTranspose", "Conv3DTranspose", "SeparableConv1D", "SeparableConv2D",
            "MaxPooling1D", "MaxPooling3D", "AveragePooling1D", "AveragePooling3D", "conv1d", "conv3d",
            "conv2d_transpose", "conv3d_transpose", "separable_conv1d", "separable_conv2d", "max_pooling1d",
            "max_pooling3d", "average_pooling1d", "average_pooling3d"]

_FORMATS = {1: ("NWC", "NCW"), 2: ("NHWC", "NCHW"), 3: ("NDHWC", "NCDHW")}


def _format_n(data_format, rank):
    """The op data_format of a rank-`rank` layer's 'channels_last' / 'channels_first'."""
    return _FORMATS[rank][0 if _data_format(data_format) == "NHWC" else 1]


def _full_list(values, channels_first):
    """Per-spatial values as an op's list with ones for batch and channels."""
    return [1, 1] + list(values) if channels_first else [1] + list(values) + [1]


class _ConvND(Layer):
    """Shared options and variables of the N-d convolution layers (kernel [*kernel_size, in, filters])."""

    rank = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format="channels_last",
                 dilation_rate=1, activation=None, use_bias=True, kernel_initializer=None, bias_initializer=None,
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, trainable=True, name=None, **kwargs):
        super().__init__(trainable=trainable, name=name, **kwargs)
        self.filters = int(filters)
        if self.filters <= 0:
            raise ValueError("filters must be a positive integer, got %r" % (filters,))
        self.kernel_size = _tuple(kernel_size, self.rank, "kernel_size")
        self.strides = _tuple(strides, self.rank, "strides")
        self.padding = _padding(padding)
        self.data_format = _format_n(data_format, self.rank)
        self.channels_first = self.data_format.startswith("NC")
        self.dilation_rate = _tuple(dilation_rate, self.rank, "dilation_rate")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError("strides > 1 not supported in conjunction with dilation_rate > 1")
        self._set_kernel_and_bias_options(activation, use_bias, kernel_initializer, bias_initializer,
                                          kernel_regularizer, bias_regularizer, activity_regularizer,
                                          kernel_constraint, bias_constraint)

    def _channels(self, input_shape):
        input_shape = TensorShape(input_shape)
        if input_shape.ndims != self.rank + 2:
            raise ValueError("Input 0 of layer %s is incompatible with the layer: expected ndim=%d, found "
                             "ndim=%s. Full shape received: %s"
                             % (self.name, self.rank + 2, input_shape.ndims, input_shape))
        channels = input_shape[1 if self.channels_first else -1].value
        if channels is None:
            raise ValueError("The channel dimension of the inputs should be defined. Found `None`.")
        return channels

    def _kernel_shape(self, channels):
        return list(self.kernel_size) + [channels, self.filters]

    def build(self, input_shape):
        channels = self._channels(input_shape)
        self.kernel = self.add_weight("kernel", self._kernel_shape(channels), initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self._add_bias()
        self.built = True

    def _add_bias(self):
        self.bias = self.add_weight("bias", [self.filters], initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None

    def _convolve(self, inputs):
        return _nn().convolution(inputs, self.kernel, self.padding, strides=self.strides,
                                 dilation_rate=self.dilation_rate, data_format=self.data_format)

    def _finish(self, outputs):
        if self.use_bias:
            if self.rank == 2:
                outputs = _nn().bias_add(outputs, self.bias, data_format=self.data_format)
            elif self.channels_first:
                outputs = outputs + _get("reshape")(self.bias, [self.filters] + [1] * self.rank)
            else:
                outputs = _nn().bias_add(outputs, self.bias)
        outputs = _activation(outputs, self.activation)
        if self.activity_regularizer is not None:
            self.add_loss(self.activity_regularizer(outputs))
        return outputs

    def call(self, inputs):
        return self._finish(self._convolve(inputs))


class Conv1D(_ConvND):
    """`tf.layers.Conv1D(filters, kernel_size, strides=1, padding='valid', data_format='channels_last',
    dilation_rate=1, activation=None, use_bias=True, ...)`: a 1-D convolution layer, kernel
    [kernel_size, in_channels, filters]."""

    rank = 1


class Conv3D(_ConvND):
    """`tf.layers.Conv3D(filters, kernel_size, strides=(1, 1, 1), padding='valid', ...)`: a 3-D
    convolution layer, kernel [kd, kh, kw, in_channels, filters]."""

    rank = 3


def _deconv_length(size, kernel, stride, padding):
    """The spatial size a transposed convolution produces ('SAME': size * stride; 'VALID':
    size * stride + max(kernel - stride, 0))."""
    if padding == "SAME":
        return size * stride
    return size * stride + max(kernel - stride, 0)


class _ConvTransposeND(_ConvND):
    """Transposed convolution layers: kernel [*kernel_size, filters, in_channels]."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format="channels_last", **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding, data_format=data_format, **kwargs)

    def _kernel_shape(self, channels):
        return list(self.kernel_size) + [self.filters, channels]

    def _convolve(self, inputs):
        dims = inputs.shape.as_list()
        dynamic = _get("shape")(inputs)
        spatial_axes = range(2, 2 + self.rank) if self.channels_first else range(1, 1 + self.rank)
        sizes = []
        for axis, k, s in zip(spatial_axes, self.kernel_size, self.strides):
            size = dims[axis] if dims[axis] is not None else dynamic[axis]
            sizes.append(_deconv_length(size, k, s, self.padding))
        batch = dims[0] if dims[0] is not None else dynamic[0]
        shape = [batch, self.filters] + sizes if self.channels_first else [batch] + sizes + [self.filters]
        if any(isinstance(v, Tensor) for v in shape):
            shape = _get("stack")([convert_to_tensor(v, dtype=dtypes.int32) for v in shape])
        return _nn().conv_transpose(inputs, self.kernel, shape, _full_list(self.strides, self.channels_first),
                                    padding=self.padding, data_format=self.data_format)


class Conv2DTranspose(_ConvTransposeND):
    """`tf.layers.Conv2DTranspose(filters, kernel_size, strides=(1, 1), padding='valid', ...)`: the
    transpose of Conv2D ('deconvolution'); kernel [kh, kw, filters, in_channels]; the output is
    input * stride ('same') or input * stride + max(kernel - stride, 0) ('valid') per spatial dim."""

    rank = 2


class Conv3DTranspose(_ConvTransposeND):
    """`tf.layers.Conv3DTranspose(filters, kernel_size, strides=(1, 1, 1), padding='valid', ...)`: the
    transpose of Conv3D; kernel [kd, kh, kw, filters, in_channels]."""

    rank = 3


class _SeparableConvND(_ConvND):
    """Depthwise then pointwise convolution: 'depthwise_kernel' [*kernel_size, in, depth_multiplier]
    and 'pointwise_kernel' [1, ..., in * depth_multiplier, filters]."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format="channels_last",
                 dilation_rate=1, depth_multiplier=1, activation=None, use_bias=True, depthwise_initializer=None,
                 pointwise_initializer=None, bias_initializer=None, depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None, trainable=True,
                 name=None, **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                         bias_initializer=bias_initializer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, bias_constraint=bias_constraint,
                         trainable=trainable, name=name, **kwargs)
        self.depth_multiplier = int(depth_multiplier)
        self.depthwise_initializer, self.pointwise_initializer = depthwise_initializer, pointwise_initializer
        self.depthwise_regularizer, self.pointwise_regularizer = depthwise_regularizer, pointwise_regularizer
        self.depthwise_constraint, self.pointwise_constraint = depthwise_constraint, pointwise_constraint

    def build(self, input_shape):
        channels = self._channels(input_shape)
        self.depthwise_kernel = self.add_weight(
            "depthwise_kernel", list(self.kernel_size) + [channels, self.depth_multiplier],
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint)
        self.pointwise_kernel = self.add_weight(
            "pointwise_kernel", [1] * self.rank + [channels * self.depth_multiplier, self.filters],
            initializer=self.pointwise_initializer, regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint)
        self._add_bias()
        self.built = True

    def _convolve(self, inputs):
        nn = _nn()
        if self.rank == 2:
            return nn.separable_conv2d(inputs, self.depthwise_kernel, self.pointwise_kernel,
                                       _full_list(self.strides, self.channels_first), self.padding,
                                       rate=self.dilation_rate, data_format=self.data_format)
        # 1-D: a height-1 image, as TF builds it.
        axis = 2 if self.channels_first else 1
        expand = _get("expand_dims")
        outputs = nn.separable_conv2d(expand(inputs, axis), expand(self.depthwise_kernel, 0),
                                      expand(self.pointwise_kernel, 0),
                                      _full_list((1,) + self.strides, self.channels_first), self.padding,
                                      rate=(1,) + self.dilation_rate,
                                      data_format="NCHW" if self.channels_first else "NHWC")
        return _get("squeeze")(outputs, [axis])


class SeparableConv1D(_SeparableConvND):
    """`tf.layers.SeparableConv1D(filters, kernel_size, strides=1, padding='valid', ...,
    depth_multiplier=1, ...)`: a depthwise 1-D convolution followed by a pointwise one."""

    rank = 1


class SeparableConv2D(_SeparableConvND):
    """`tf.layers.SeparableConv2D(filters, kernel_size, strides=(1, 1), padding='valid', ...,
    depth_multiplier=1, ...)`: a depthwise 2-D convolution followed by a 1x1 convolution."""

    rank = 2


def _conv_layer(cls, inputs, filters, kernel_size, reuse, **options):
    """Builds a `cls` layer (reusing variables when `reuse`) and applies it to `inputs`."""
    return cls(filters, kernel_size, _reuse=reuse, **options).apply(inputs)


def conv1d(inputs, filters, kernel_size, strides=1, padding="valid", data_format="channels_last", dilation_rate=1,
           activation=None, use_bias=True, kernel_initializer=None, bias_initializer=None, kernel_regularizer=None,
           bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
           trainable=True, name=None, reuse=None):
    """`tf.layers.conv1d(inputs, filters, kernel_size, strides=1, padding='valid', ...)`: a 1-D
    convolution layer ('conv1d/kernel' [kernel_size, in, filters], 'conv1d/bias')."""
    return _conv_layer(Conv1D, inputs, filters, kernel_size, reuse, **_options(locals()))


def conv3d(inputs, filters, kernel_size, strides=(1, 1, 1), padding="valid", data_format="channels_last",
           dilation_rate=(1, 1, 1), activation=None, use_bias=True, kernel_initializer=None, bias_initializer=None,
           kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
           bias_constraint=None, trainable=True, name=None, reuse=None):
    """`tf.layers.conv3d(inputs, filters, kernel_size, strides=(1, 1, 1), padding='valid', ...)`: a 3-D
    convolution layer ('conv3d/kernel' [kd, kh, kw, in, filters], 'conv3d/bias')."""
    return _conv_layer(Conv3D, inputs, filters, kernel_size, reuse, **_options(locals()))


def conv2d_transpose(inputs, filters, kernel_size, strides=(1, 1), padding="valid", data_format="channels_last",
                     activation=None, use_bias=True, kernel_initializer=None, bias_initializer=None,
                     kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                     kernel_constraint=None, bias_constraint=None, trainable=True, name=None, reuse=None):
    """`tf.layers.conv2d_transpose(inputs, filters, kernel_size, strides=(1, 1), padding='valid', ...)`:
    a transposed 2-D convolution layer ('conv2d_transpose/kernel' [kh, kw, filters, in])."""
    return _conv_layer(Conv2DTranspose, inputs, filters, kernel_size, reuse, **_options(locals()))


def conv3d_transpose(inputs, filters, kernel_size, strides=(1, 1, 1), padding="valid",
                     data_format="channels_last", activation=None, use_bias=True, kernel_initializer=None,
                     bias_initializer=None, kernel_regularizer=None, bias_regularizer=None,
                     activity_regularizer=None, kernel_constraint=None, bias_constraint=None, trainable=True,
                     name=None, reuse=None):
    """`tf.layers.conv3d_transpose(inputs, filters, kernel_size, strides=(1, 1, 1), padding='valid',
    ...)`: a transposed 3-D convolution layer."""
    return _conv_layer(Conv3DTranspose, inputs, filters, kernel_size, reuse, **_options(locals()))


def separable_conv1d(inputs, filters, kernel_size, strides=1, padding="valid", data_format="channels_last",
                     dilation_rate=1, depth_multiplier=1, activation=None, use_bias=True, depthwise_initializer=None,
                     pointwise_initializer=None, bias_initializer=None, depthwise_regularizer=None,
                     pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                     depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None, trainable=True,
                     name=None, reuse=None):
    """`tf.layers.separable_conv1d(inputs, filters, kernel_size, strides=1, padding='valid', ...,
    depth_multiplier=1, ...)`: a depthwise-separable 1-D convolution layer."""
    return _conv_layer(SeparableConv1D, inputs, filters, kernel_size, reuse, **_options(locals()))


def separable_conv2d(inputs, filters, kernel_size, strides=(1, 1), padding="valid", data_format="channels_last",
                     dilation_rate=(1, 1), depth_multiplier=1, activation=None, use_bias=True,
                     depthwise_initializer=None, pointwise_initializer=None, bias_initializer=None,
                     depthwise_regularizer=None, pointwise_regularizer=None, bias_regularizer=None,
                     activity_regularizer=None, depthwise_constraint=None, pointwise_constraint=None,
                     bias_constraint=None, trainable=True, name=None, reuse=None):
    """`tf.layers.separable_conv2d(inputs, filters, kernel_size, strides=(1, 1), padding='valid', ...,
    depth_multiplier=1, ...)`: a depthwise-separable 2-D convolution layer."""
    return _conv_layer(SeparableConv2D, inputs, filters, kernel_size, reuse, **_options(locals()))


def _options(arguments):
    """A functional form's arguments as the layer constructor's keywords."""
    return {k: v for k, v in arguments.items() if k not in ("inputs", "filters", "kernel_size", "reuse")}


class _PoolingND(Layer):
    """1-D and 3-D pooling layers over the spatial dimensions."""

    rank = 1
    _kind = "MAX"

    def __init__(self, pool_size, strides, padding="valid", data_format="channels_last", name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.pool_size = _tuple(pool_size, self.rank, "pool_size")
        self.strides = _tuple(strides, self.rank, "strides")
        self.padding = _padding(padding)
        self.data_format = _format_n(data_format, self.rank)

    def call(self, inputs):
        first = self.data_format.startswith("NC")
        pool = _nn().max_pool_v2 if self._kind == "MAX" else _nn().avg_pool_v2
        return pool(inputs, _full_list(self.pool_size, first), _full_list(self.strides, first), self.padding,
                    data_format=self.data_format)


class MaxPooling1D(_PoolingND):
    """`tf.layers.MaxPooling1D(pool_size, strides, padding='valid', data_format='channels_last')`."""


class AveragePooling1D(_PoolingND):
    """`tf.layers.AveragePooling1D(pool_size, strides, padding='valid', data_format='channels_last')`."""

    _kind = "AVG"


class MaxPooling3D(_PoolingND):
    """`tf.layers.MaxPooling3D(pool_size, strides, padding='valid', data_format='channels_last')`."""

    rank = 3


class AveragePooling3D(_PoolingND):
    """`tf.layers.AveragePooling3D(pool_size, strides, padding='valid', data_format='channels_last')`."""

    rank = 3
    _kind = "AVG"


def max_pooling1d(inputs, pool_size, strides, padding="valid", data_format="channels_last", name=None):
    """`tf.layers.max_pooling1d(inputs, pool_size, strides, padding='valid', ...)`: 1-D max pooling."""
    return MaxPooling1D(pool_size, strides, padding=padding, data_format=data_format, name=name).apply(inputs)


def average_pooling1d(inputs, pool_size, strides, padding="valid", data_format="channels_last", name=None):
    """`tf.layers.average_pooling1d(inputs, pool_size, strides, padding='valid', ...)`: 1-D average
    pooling."""
    return AveragePooling1D(pool_size, strides, padding=padding, data_format=data_format,
                            name=name).apply(inputs)


def max_pooling3d(inputs, pool_size, strides, padding="valid", data_format="channels_last", name=None):
    """`tf.layers.max_pooling3d(inputs, pool_size, strides, padding='valid', ...)`: 3-D max pooling."""
    return MaxPooling3D(pool_size, strides, padding=padding, data_format=data_format, name=name).apply(inputs)


def average_pooling3d(inputs, pool_size, strides, padding="valid", data_format="channels_last", name=None):
    """`tf.layers.average_pooling3d(inputs, pool_size, strides, padding='valid', ...)`: 3-D average
    pooling."""
    return AveragePooling3D(pool_size, strides, padding=padding, data_format=data_format,
                            name=name).apply(inputs)
