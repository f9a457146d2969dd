"""`tf.keras.layers.Embedding` (TF 1.15's tf.keras, graph mode)."""
import numflow as tf

from ...framework.tensor_shape import TensorShape
from ..engine.base_layer import Layer
import numflow.keras.layers._layer_utils as utils
from .core import merged_config

__all__ = ["Embedding"]


class Embedding(Layer):
    """`Embedding(input_dim, output_dim, embeddings_initializer='uniform', embeddings_regularizer=None,
    activity_regularizer=None, embeddings_constraint=None, mask_zero=False, input_length=None)`:
    looks up rows of an `embeddings` matrix (input_dim, output_dim) for integer indices; (batch, ...) ->
    (batch, ..., output_dim). With `mask_zero` index 0 is padding: the output mask is `inputs != 0` (so
    `input_dim` must count it). `input_length` fixes the sequence length (needed before Flatten/Dense)."""

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform", embeddings_regularizer=None,
                 activity_regularizer=None, embeddings_constraint=None, mask_zero=False, input_length=None,
                 **kwargs):
        if "input_shape" not in kwargs and "batch_input_shape" not in kwargs:
            kwargs["input_shape"] = (input_length,) if input_length is not None else (None,)
        dtype = kwargs.pop("dtype", None) or "float32"
        super().__init__(dtype=dtype, activity_regularizer=utils.get_regularizer(activity_regularizer), **kwargs)
        if int(input_dim) <= 0 or int(output_dim) <= 0:
            raise ValueError("Both `input_dim` and `output_dim` should be positive, found input_dim %s and "
                             "output_dim %s" % (input_dim, output_dim))
        self.input_dim = int(input_dim)
        self.output_dim = int(output_dim)
        self.embeddings_initializer = utils.get_initializer(embeddings_initializer)
        self.embeddings_regularizer = utils.get_regularizer(embeddings_regularizer)
        self.embeddings_constraint = utils.get_constraint(embeddings_constraint)
        self.mask_zero = mask_zero
        self.supports_masking = mask_zero
        self.input_length = input_length

    def build(self, input_shape):
        self.embeddings = self.add_weight("embeddings", shape=(self.input_dim, self.output_dim),
                                          initializer=self.embeddings_initializer,
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint, dtype=self.dtype)
        self.built = True

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return tf.not_equal(inputs, tf.zeros([], inputs.dtype))

    def compute_output_shape(self, input_shape):
        shape = utils.shape_list(input_shape)
        if self.input_length is None:
            return TensorShape(shape + [self.output_dim])
        lengths = list(self.input_length) if isinstance(self.input_length, (list, tuple)) else \
            [self.input_length]
        if len(lengths) != len(shape) - 1:
            raise ValueError('"input_length" is %s, but received input has shape %s' % (self.input_length,
                                                                                       tuple(shape)))
        for index, (expected, actual) in enumerate(zip(lengths, shape[1:])):
            if expected is not None and actual is not None and expected != actual:
                raise ValueError('"input_length" is %s, but received input has shape %s'
                                 % (self.input_length, tuple(shape)))
            if expected is None:
                lengths[index] = actual
        return TensorShape([shape[0]] + lengths + [self.output_dim])

    def call(self, inputs):
        if inputs.dtype.base_dtype not in (tf.int32, tf.int64):
            inputs = tf.cast(inputs, tf.int32)
        return tf.nn.embedding_lookup(self.embeddings, inputs)

    def get_config(self):
        return merged_config(self, Layer, {
            "input_dim": self.input_dim, "output_dim": self.output_dim,
            "embeddings_initializer": utils.serialize_initializer(self.embeddings_initializer),
            "embeddings_regularizer": utils.serialize_regularizer(self.embeddings_regularizer),
            "activity_regularizer": utils.serialize_regularizer(self.activity_regularizer),
            "embeddings_constraint": utils.serialize_constraint(self.embeddings_constraint),
            "mask_zero": self.mask_zero, "input_length": self.input_length})
