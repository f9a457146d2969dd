"""`tf.keras.layers.Attention` (dot-product, Luong-style) and `AdditiveAttention` (Bahdanau-style), as
TF 1.15's tf.keras.layers.dense_attention."""
import numflow as tf

from ...framework.tensor_shape import TensorShape
from ..engine.base_layer import Layer
from .core import merged_config

__all__ = ["Attention", "AdditiveAttention"]


class BaseDenseAttention(Layer):
    """Attention over `[query, value]` or `[query, value, key]` (key defaults to value), shapes
    (batch, Tq, dim), (batch, Tv, dim), (batch, Tv, dim): softmax over Tv of the scores, times value.
    `mask=[query_mask, value_mask]`: masked values get no weight, masked query steps give zeros (and the
    output mask is the query mask). `causal=True` lets query step i see value steps <= i only."""

    def __init__(self, causal=False, **kwargs):
        super().__init__(**kwargs)
        self.causal = causal
        self.supports_masking = True

    def _calculate_scores(self, query, key):
        raise NotImplementedError

    @staticmethod
    def _validate(inputs, mask):
        class_name = "Attention layer"
        if not isinstance(inputs, (list, tuple)):
            raise ValueError("%s must be called on a list of inputs, namely [query, value] or "
                             "[query, value, key]." % class_name)
        if len(inputs) < 2 or len(inputs) > 3:
            raise ValueError("%s accepts inputs list of length 2 or 3, namely [query, value] or "
                             "[query, value, key]. Given length: %d" % (class_name, len(inputs)))
        if mask is not None:
            if not isinstance(mask, (list, tuple)):
                raise ValueError("%s mask must be a list, namely [query_mask, value_mask]." % class_name)
            if len(mask) != 2:
                raise ValueError("%s mask must be a list of length 2, namely [query_mask, value_mask]. "
                                 "Given length: %d" % (class_name, len(mask)))

    def call(self, inputs, mask=None):
        self._validate(inputs, mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        query_mask = mask[0] if mask is not None else None
        value_mask = mask[1] if mask is not None else None
        scores = self._calculate_scores(query, key)
        dtype = scores.dtype.base_dtype
        keep = None
        if value_mask is not None:
            keep = tf.expand_dims(tf.cast(value_mask, dtype), -2)  # (batch, 1, Tv)
        if self.causal:
            steps_q, steps_v = tf.shape(scores)[-2], tf.shape(scores)[-1]
            rows = tf.expand_dims(tf.range(steps_q), -1)
            cols = tf.expand_dims(tf.range(steps_v), 0)
            causal = tf.expand_dims(tf.cast(tf.greater_equal(rows, cols), dtype), 0)
            keep = causal if keep is None else keep * causal
        if keep is not None:
            scores = scores - 1e9 * (1.0 - keep)
        weights = tf.nn.softmax(scores)
        result = tf.matmul(weights, value)
        if query_mask is not None:
            result = result * tf.expand_dims(tf.cast(query_mask, result.dtype), -1)
        return result

    def compute_mask(self, inputs, mask=None):
        self._validate(inputs, mask)
        if mask is None or mask[0] is None:
            return None
        return tf.convert_to_tensor(mask[0])

    def compute_output_shape(self, input_shape):
        query, value = TensorShape(input_shape[0]), TensorShape(input_shape[1])
        return query[:-1].concatenate(value[-1:])

    def get_config(self):
        return merged_config(self, Layer, {"causal": self.causal})


class Attention(BaseDenseAttention):
    """`Attention(use_scale=False, causal=False)`: scores = query . key^T (times a learned scalar `scale`,
    initialized to 1, when `use_scale`)."""

    def __init__(self, use_scale=False, **kwargs):
        super().__init__(**kwargs)
        self.use_scale = use_scale

    def build(self, input_shape):
        self.scale = self.add_weight("scale", shape=(), initializer="ones", trainable=True) \
            if self.use_scale else None
        self.built = True

    def _calculate_scores(self, query, key):
        scores = tf.matmul(query, key, transpose_b=True)
        if self.scale is not None:
            scores = scores * self.scale
        return scores

    def get_config(self):
        config = super().get_config()
        config["use_scale"] = self.use_scale
        return config


class AdditiveAttention(BaseDenseAttention):
    """`AdditiveAttention(use_scale=True, causal=False)`: scores = sum(scale * tanh(query_i + key_j)) over
    the features, with a learned `scale` vector (dim,) when `use_scale`."""

    def __init__(self, use_scale=True, **kwargs):
        super().__init__(**kwargs)
        self.use_scale = use_scale

    def build(self, input_shape):
        dim = TensorShape(input_shape[1])[-1].value
        if self.use_scale:
            if dim is None:
                raise ValueError("The last dimension of the value input to AdditiveAttention should be "
                                 "defined. Found `None`.")
            self.scale = self.add_weight("scale", shape=[dim], initializer="glorot_uniform", trainable=True)
        else:
            self.scale = None
        self.built = True

    def _calculate_scores(self, query, key):
        summed = tf.tanh(tf.expand_dims(query, -2) + tf.expand_dims(key, -3))  # (batch, Tq, Tv, dim)
        if self.scale is not None:
            summed = summed * self.scale
        return tf.reduce_sum(summed, axis=-1)

    def get_config(self):
        config = super().get_config()
        config["use_scale"] = self.use_scale
        return config
