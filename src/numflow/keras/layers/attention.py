"""`tf.keras.layers.MultiHeadAttention` (newer than TF 1.15; Keras 2's layer and weight layout) built from
EinsumDense projections."""
import math

import numflow as tf

from ...framework.tensor_shape import TensorShape
from ..engine.base_layer import Layer
import numflow.keras.layers._layer_utils as utils
from .core import EinsumDense, merged_config

__all__ = ["MultiHeadAttention"]


class MultiHeadAttention(Layer):
    """`MultiHeadAttention(num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True, output_shape=None,
    attention_axes=None, kernel_initializer='glorot_uniform', bias_initializer='zeros', ...)`.

    Called as `layer(query, value, key=None, attention_mask=None, return_attention_scores=False,
    training=None)` on (batch, T, dim) query and (batch, S, dim) value/key tensors: the query, key and
    value are projected to `num_heads` heads (EinsumDense sub-layers 'query', 'key', 'value'), each head
    attends with softmax(q . k / sqrt(key_dim)) (masked where `attention_mask` (batch, T, S) is False;
    dropout on the weights in training), and the heads are projected back ('attention_output') to
    `output_shape` (default: the query's last size). numflow supports attention over the sequence axis
    only (attention_axes None or (1,))."""

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True, output_shape=None,
                 attention_axes=None, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=utils.get_regularizer(activity_regularizer), **kwargs)
        self.num_heads = int(num_heads)
        self.key_dim = int(key_dim)
        self.value_dim = int(value_dim) if value_dim is not None else self.key_dim
        self.dropout = dropout
        self.use_bias = use_bias
        self.partial_output_shape = output_shape
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        if attention_axes is not None and tuple(attention_axes) not in ((1,), (-2,)):
            raise ValueError("numflow's MultiHeadAttention attends over the sequence axis only "
                             "(attention_axes None or (1,)); got %s" % (attention_axes,))
        self.attention_axes = None if attention_axes is None else tuple(attention_axes)
        self.kernel_initializer = utils.get_initializer(kernel_initializer)
        self.bias_initializer = utils.get_initializer(bias_initializer)
        self.kernel_regularizer = utils.get_regularizer(kernel_regularizer)
        self.bias_regularizer = utils.get_regularizer(bias_regularizer)
        self.kernel_constraint = utils.get_constraint(kernel_constraint)
        self.bias_constraint = utils.get_constraint(bias_constraint)
        self.supports_masking = True

    def _dense(self, equation, output_shape, bias_axes, name):
        return EinsumDense(equation, output_shape, bias_axes=bias_axes if self.use_bias else None, name=name,
                           kernel_initializer=self.kernel_initializer, bias_initializer=self.bias_initializer,
                           kernel_regularizer=self.kernel_regularizer, bias_regularizer=self.bias_regularizer,
                           kernel_constraint=self.kernel_constraint, bias_constraint=self.bias_constraint,
                           dtype=self.dtype)

    def __call__(self, query, value=None, key=None, **kwargs):
        if value is None:
            if isinstance(query, (list, tuple)) and 2 <= len(query) <= 3:
                return super().__call__(list(query), **kwargs)
            raise ValueError("MultiHeadAttention is called as layer(query, value, key=None, ...); no value given.")
        return super().__call__([query, value] + ([key] if key is not None else []), **kwargs)

    def build(self, input_shape):
        shapes = [TensorShape(s) for s in input_shape]
        for shape in shapes:
            if shape.ndims != 3:
                raise ValueError("numflow's MultiHeadAttention takes (batch, steps, features) query/value/key "
                                 "tensors; got shapes %s" % ([s.as_list() for s in shapes],))
        query_dim = shapes[0][-1].value
        output_dim = self.partial_output_shape if self.partial_output_shape is not None else query_dim
        self.query_dense = self._dense("abc,cde->abde", [None, self.num_heads, self.key_dim], "de", "query")
        self.key_dense = self._dense("abc,cde->abde", [None, self.num_heads, self.key_dim], "de", "key")
        self.value_dense = self._dense("abc,cde->abde", [None, self.num_heads, self.value_dim], "de", "value")
        output_shape = [None] + (list(output_dim) if isinstance(output_dim, (list, tuple)) else [output_dim])
        if len(output_shape) != 2:
            raise ValueError("numflow's MultiHeadAttention takes an int `output_shape`; got %s"
                             % (self.partial_output_shape,))
        self.output_dense = self._dense("abcd,cde->abe", output_shape, "e", "attention_output")
        self.built = True

    def call(self, inputs, attention_mask=None, return_attention_scores=False, training=None):
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        query = self.query_dense(query)  # (batch, T, heads, key_dim)
        key = self.key_dense(key)  # (batch, S, heads, key_dim)
        value = self.value_dense(value)  # (batch, S, heads, value_dim)
        query = query * tf.cast(1.0 / math.sqrt(float(self.key_dim)), query.dtype)
        scores = tf.einsum("aecd,abcd->acbe", key, query)  # (batch, heads, T, S)
        if attention_mask is not None:
            keep = tf.expand_dims(tf.cast(attention_mask, scores.dtype), 1)
            scores = scores + (1.0 - keep) * tf.cast(-1e9, scores.dtype)
        weights = tf.nn.softmax(scores, axis=-1)
        dropped = weights
        if self.dropout:
            dropped = utils.smart_cond(utils.training_value(training),
                                       lambda: tf.nn.dropout(weights, rate=self.dropout),
                                       lambda: tf.identity(weights))
        attended = tf.einsum("acbe,aecd->abcd", dropped, value)  # (batch, T, heads, value_dim)
        outputs = self.output_dense(attended)
        if return_attention_scores:
            return [outputs, weights]
        return outputs

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        query = TensorShape(input_shape[0]).as_list()
        last = self.partial_output_shape if self.partial_output_shape is not None else query[-1]
        return TensorShape(query[:-1] + [last])

    def get_config(self):
        return merged_config(self, Layer, {
            "num_heads": self.num_heads, "key_dim": self.key_dim, "value_dim": self.value_dim,
            "dropout": self.dropout, "use_bias": self.use_bias, "output_shape": self.partial_output_shape,
            "attention_axes": self.attention_axes,
            "kernel_initializer": utils.serialize_initializer(self.kernel_initializer),
            "bias_initializer": utils.serialize_initializer(self.bias_initializer),
            "kernel_regularizer": utils.serialize_regularizer(self.kernel_regularizer),
            "bias_regularizer": utils.serialize_regularizer(self.bias_regularizer),
            "activity_regularizer": utils.serialize_regularizer(self.activity_regularizer),
            "kernel_constraint": utils.serialize_constraint(self.kernel_constraint),
            "bias_constraint": utils.serialize_constraint(self.bias_constraint)})
