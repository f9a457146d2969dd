"""`tf.keras.layers.BatchNormalization` and `LayerNormalization` (TF 1.15's tf.keras, graph mode)."""
import numflow as tf

from ...framework.tensor_shape import TensorShape
from ..engine.base_layer import Layer
from ..engine.input_spec import InputSpec
import numflow.keras.layers._layer_utils as utils
from .core import merged_config

__all__ = ["BatchNormalization", "LayerNormalization"]


def _normalize_axes(axis, rank, layer_name):
    """`axis` (an int or a list of ints, negatives allowed) as sorted non-negative axes of a rank-`rank`
    input; ValueError for duplicates or axes out of range."""
    axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
    resolved = []
    for a in axes:
        if not isinstance(a, int):
            raise TypeError("Expected an int or a list/tuple of ints for the argument 'axis', but received: %r"
                            % (axis,))
        if a < -rank or a >= rank:
            raise ValueError("Invalid axis: %d (input rank %d) in layer %s" % (a, rank, layer_name))
        resolved.append(a % rank)
    if len(set(resolved)) != len(resolved):
        raise ValueError("Duplicate axis: %s" % (axis,))
    return sorted(resolved)


def _weight_shape(input_shape, axes, layer_name):
    shape = []
    for a in axes:
        size = input_shape[a]
        if size is None:
            raise ValueError("Input has undefined `axis` dimension. Input shape: " + str(input_shape))
        shape.append(size)
    return shape


def _broadcast(value, axes, rank):
    """A weight over `axes` reshaped to broadcast against a rank-`rank` input."""
    if axes == [rank - 1]:
        return value
    shape = [1] * rank
    for a, size in zip(axes, value.shape.as_list()):
        shape[a] = size
    return tf.reshape(value, shape)


class BatchNormalization(Layer):
    """`BatchNormalization(axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
    beta_initializer='zeros', gamma_initializer='ones', moving_mean_initializer='zeros',
    moving_variance_initializer='ones', beta_regularizer=None, gamma_regularizer=None,
    beta_constraint=None, gamma_constraint=None, renorm=False, renorm_clipping=None,
    renorm_momentum=0.99, fused=None, trainable=True, virtual_batch_size=None, adjustment=None)`.

    Normalizes `axis` (the features) with the batch's mean and variance in training, with the moving
    averages at inference; `gamma` scales and `beta` shifts the result. Training is the `training`
    argument of the call, else the Keras learning phase. The moving averages are updated by ops in
    `layer.updates` (which `fit` runs): moving = moving * momentum + batch * (1 - momentum). As in TF
    1.15, the fused form (the default for 4-D inputs normalized along axis 1 or 3) feeds the moving
    variance with the unbiased (n / (n - 1)) batch variance, the unfused form with the biased one; the
    outputs are the same. Batch renormalization, virtual batches and `adjustment` are not supported
    (ValueError)."""

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", moving_mean_initializer="zeros",
                 moving_variance_initializer="ones", beta_regularizer=None, gamma_regularizer=None,
                 beta_constraint=None, gamma_constraint=None, renorm=False, renorm_clipping=None,
                 renorm_momentum=0.99, fused=None, trainable=True, virtual_batch_size=None, adjustment=None,
                 name=None, **kwargs):
        super().__init__(name=name, trainable=trainable, **kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError("axis must be int or list, type given: %s" % type(axis))
        if renorm or virtual_batch_size is not None or adjustment is not None:
            raise ValueError("numflow's BatchNormalization does not support batch renormalization, "
                             "virtual_batch_size or adjustment")
        self.momentum = momentum
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.beta_initializer = utils.get_initializer(beta_initializer)
        self.gamma_initializer = utils.get_initializer(gamma_initializer)
        self.moving_mean_initializer = utils.get_initializer(moving_mean_initializer)
        self.moving_variance_initializer = utils.get_initializer(moving_variance_initializer)
        self.beta_regularizer = utils.get_regularizer(beta_regularizer)
        self.gamma_regularizer = utils.get_regularizer(gamma_regularizer)
        self.beta_constraint = utils.get_constraint(beta_constraint)
        self.gamma_constraint = utils.get_constraint(gamma_constraint)
        self.renorm = renorm
        self.virtual_batch_size = virtual_batch_size
        self.adjustment = adjustment
        self.fused = fused
        self.supports_masking = True

    def build(self, input_shape):
        input_shape = TensorShape(input_shape)
        if input_shape.ndims is None:
            raise ValueError("Input has undefined rank:", input_shape)
        rank = input_shape.ndims
        self.axis = _normalize_axes(self.axis, rank, self.name)
        shape = input_shape.as_list()
        param_shape = _weight_shape(shape, self.axis, self.name)
        fusable = rank == 4 and self.axis in ([1], [3])
        if self.fused is None:
            self.fused = fusable
        elif self.fused and not fusable:
            raise ValueError("Unsupported axis, fused batch norm only supports axis == [1] or axis == [3]")
        self.input_spec = InputSpec(ndim=rank, axes={a: shape[a] for a in self.axis})
        param_dtype = "float32" if self.dtype in ("float16", "bfloat16") else self.dtype
        if self.scale:
            self.gamma = self.add_weight("gamma", shape=param_shape, dtype=param_dtype,
                                         initializer=self.gamma_initializer, regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint, trainable=True)
        else:
            self.gamma = None
        if self.center:
            self.beta = self.add_weight("beta", shape=param_shape, dtype=param_dtype,
                                        initializer=self.beta_initializer, regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint, trainable=True)
        else:
            self.beta = None
        self.moving_mean = self.add_weight("moving_mean", shape=param_shape, dtype=param_dtype,
                                           initializer=self.moving_mean_initializer, trainable=False)
        self.moving_variance = self.add_weight("moving_variance", shape=param_shape, dtype=param_dtype,
                                               initializer=self.moving_variance_initializer, trainable=False)
        self.built = True

    def _moving_update(self, variable, value):
        """variable -= (variable - value) * (1 - momentum); `value` is the variable itself outside training,
        so the update then changes nothing."""
        with tf.name_scope("AssignMovingAvg"):
            decay = tf.cast(1.0 - self.momentum, variable.dtype.base_dtype)
            return tf.assign_sub(variable, (variable - value) * decay)

    def call(self, inputs, training=None):
        training = utils.training_value(training)
        rank = inputs.shape.ndims
        reduction_axes = [a for a in range(rank) if a not in self.axis]
        gamma = self.gamma if self.gamma is not None else tf.ones_like(self.moving_mean)
        beta = self.beta if self.beta is not None else tf.zeros_like(self.moving_mean)

        def batch_stats():
            # the batch moments are computed only on the training branch
            mean, variance = tf.nn.moments(tf.cast(inputs, self.moving_mean.dtype.base_dtype), reduction_axes)
            if not self.fused:
                return mean, variance, variance
            # the fused kernel's running variance is the unbiased sample variance
            count = tf.cast(tf.reduce_prod(tf.gather(tf.shape(inputs), reduction_axes)), variance.dtype)
            return mean, variance, variance * count / tf.maximum(count - 1.0, 1.0)

        def moving_stats():
            moving_variance = tf.identity(self.moving_variance)
            return tf.identity(self.moving_mean), moving_variance, moving_variance

        use_mean, use_variance, update_variance = utils.smart_cond(training, batch_stats, moving_stats)
        if not isinstance(training, (bool, int)) or training:
            # a statically-false training flag adds no update, as TF 1.15
            self.add_update([self._moving_update(self.moving_mean, use_mean),
                             self._moving_update(self.moving_variance, update_variance)])
        outputs = tf.nn.batch_normalization(
            tf.cast(inputs, use_mean.dtype), _broadcast(use_mean, self.axis, rank),
            _broadcast(use_variance, self.axis, rank), _broadcast(beta, self.axis, rank),
            _broadcast(gamma, self.axis, rank), self.epsilon)
        outputs = tf.cast(outputs, inputs.dtype)
        outputs.set_shape(inputs.shape)
        return outputs

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def get_config(self):
        config = {
            "axis": self.axis, "momentum": self.momentum, "epsilon": self.epsilon, "center": self.center,
            "scale": self.scale,
            "beta_initializer": utils.serialize_initializer(self.beta_initializer),
            "gamma_initializer": utils.serialize_initializer(self.gamma_initializer),
            "moving_mean_initializer": utils.serialize_initializer(self.moving_mean_initializer),
            "moving_variance_initializer": utils.serialize_initializer(self.moving_variance_initializer),
            "beta_regularizer": utils.serialize_regularizer(self.beta_regularizer),
            "gamma_regularizer": utils.serialize_regularizer(self.gamma_regularizer),
            "beta_constraint": utils.serialize_constraint(self.beta_constraint),
            "gamma_constraint": utils.serialize_constraint(self.gamma_constraint)}
        return merged_config(self, Layer, config)


class LayerNormalization(Layer):
    """`LayerNormalization(axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer='zeros',
    gamma_initializer='ones', beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
    gamma_constraint=None)`: normalizes each sample over `axis` with its own mean and variance, then
    scales by `gamma` and shifts by `beta` (weights over `axis`)."""

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, trainable=True, name=None, **kwargs):
        super().__init__(name=name, trainable=trainable, **kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError("Expected an int or a list/tuple of ints for the argument 'axis', but received: %r"
                            % (axis,))
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.beta_initializer = utils.get_initializer(beta_initializer)
        self.gamma_initializer = utils.get_initializer(gamma_initializer)
        self.beta_regularizer = utils.get_regularizer(beta_regularizer)
        self.gamma_regularizer = utils.get_regularizer(gamma_regularizer)
        self.beta_constraint = utils.get_constraint(beta_constraint)
        self.gamma_constraint = utils.get_constraint(gamma_constraint)
        self.supports_masking = True

    def build(self, input_shape):
        shape = utils.shape_list(input_shape)
        self.axis = _normalize_axes(self.axis, len(shape), self.name)
        param_shape = _weight_shape(shape, self.axis, self.name)
        self.gamma = self.add_weight("gamma", shape=param_shape, initializer=self.gamma_initializer,
                                     regularizer=self.gamma_regularizer, constraint=self.gamma_constraint,
                                     trainable=True) if self.scale else None
        self.beta = self.add_weight("beta", shape=param_shape, initializer=self.beta_initializer,
                                    regularizer=self.beta_regularizer, constraint=self.beta_constraint,
                                    trainable=True) if self.center else None
        self.built = True

    def call(self, inputs):
        rank = inputs.shape.ndims
        mean, variance = tf.nn.moments(inputs, self.axis, keep_dims=True)
        scale = _broadcast(self.gamma, self.axis, rank) if self.gamma is not None else None
        offset = _broadcast(self.beta, self.axis, rank) if self.beta is not None else None
        outputs = tf.nn.batch_normalization(inputs, mean, variance, offset, scale, self.epsilon)
        outputs.set_shape(inputs.shape)
        return outputs

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def get_config(self):
        config = {"axis": self.axis, "epsilon": self.epsilon, "center": self.center, "scale": self.scale,
                  "beta_initializer": utils.serialize_initializer(self.beta_initializer),
                  "gamma_initializer": utils.serialize_initializer(self.gamma_initializer),
                  "beta_regularizer": utils.serialize_regularizer(self.beta_regularizer),
                  "gamma_regularizer": utils.serialize_regularizer(self.gamma_regularizer),
                  "beta_constraint": utils.serialize_constraint(self.beta_constraint),
                  "gamma_constraint": utils.serialize_constraint(self.gamma_constraint)}
        return merged_config(self, Layer, config)
