"""`tf.keras.layers` pooling layers: Max/Average pooling in 1, 2 and 3 dimensions and their global
versions, with the MaxPool2D / AvgPool2D / GlobalAvgPool2D ... aliases (TF 1.15's tf.keras)."""
import numflow as tf

from ...framework.tensor_shape import TensorShape
from ..engine.base_layer import Layer
from ..engine.input_spec import InputSpec
import numflow.keras.layers._layer_utils as utils
from .convolutional import channel_axis, op_data_format, spatial_dims, with_spatial
from .core import merged_config

__all__ = ["MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D",
           "AveragePooling3D", "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D",
           "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D", "MaxPool1D",
           "MaxPool2D", "MaxPool3D", "AvgPool1D", "AvgPool2D", "AvgPool3D", "GlobalMaxPool1D", "GlobalMaxPool2D",
           "GlobalMaxPool3D", "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalAvgPool3D"]


class Pooling(Layer):
    """N-D max or average pooling over windows `pool_size` moved by `strides` (None: `pool_size`)."""

    _rank = 2
    _mode = "max"

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        if strides is None:
            strides = pool_size
        self.pool_size = utils.normalize_tuple(pool_size, self._rank, "pool_size")
        self.strides = utils.normalize_tuple(strides, self._rank, "strides")
        self.padding = utils.normalize_padding(padding)
        self.data_format = utils.normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self._rank + 2)

    def call(self, inputs):
        rank, data_format = self._rank, self.data_format
        pool_size, strides = list(self.pool_size), list(self.strides)
        if rank == 1:
            # pooled as images of height 1, as Keras does
            inputs = tf.expand_dims(inputs, 2 if data_format == "channels_first" else 1)
            pool_size, strides, rank = [1] + pool_size, [1] + strides, 2
        ksize = [1] + pool_size + [1] if data_format == "channels_last" else [1, 1] + pool_size
        full_strides = [1] + strides + [1] if data_format == "channels_last" else [1, 1] + strides
        if rank == 2:
            pool = tf.nn.max_pool if self._mode == "max" else tf.nn.avg_pool
        else:
            pool = tf.nn.max_pool3d if self._mode == "max" else tf.nn.avg_pool3d
        outputs = pool(inputs, ksize, full_strides, self.padding.upper(),
                       data_format=op_data_format(rank, data_format))
        if self._rank == 1:
            outputs = tf.squeeze(outputs, [2 if data_format == "channels_first" else 1])
        return outputs

    def compute_output_shape(self, input_shape):
        shape = utils.shape_list(input_shape)
        spatial = [utils.conv_output_length(size, self.pool_size[i], self.padding, self.strides[i])
                   for i, size in enumerate(spatial_dims(shape, self._rank, self.data_format))]
        return with_spatial(shape, spatial, shape[channel_axis(self.data_format)], self.data_format)

    def get_config(self):
        config = {"pool_size": self.pool_size, "padding": self.padding, "strides": self.strides,
                  "data_format": self.data_format}
        return merged_config(self, Layer, config)


def _pooling_class(name, rank, mode, default_pool):
    def __init__(self, pool_size=default_pool, strides=None, padding="valid", data_format=None, **kwargs):
        if rank == 1 and data_format is None:
            data_format = "channels_last"
        Pooling.__init__(self, pool_size, strides=strides, padding=padding, data_format=data_format, **kwargs)
    doc = ("`%s(pool_size=%s, strides=None, padding='valid', data_format=None)`: %s pooling over %d-D "
           "windows (strides default to pool_size)." % (name, default_pool, mode, rank))
    return type(name, (Pooling,), {"__init__": __init__, "__doc__": doc, "_rank": rank, "_mode": mode,
                                   "__module__": __name__})


MaxPooling1D = _pooling_class("MaxPooling1D", 1, "max", 2)
MaxPooling2D = _pooling_class("MaxPooling2D", 2, "max", (2, 2))
MaxPooling3D = _pooling_class("MaxPooling3D", 3, "max", (2, 2, 2))
AveragePooling1D = _pooling_class("AveragePooling1D", 1, "average", 2)
AveragePooling2D = _pooling_class("AveragePooling2D", 2, "average", (2, 2))
AveragePooling3D = _pooling_class("AveragePooling3D", 3, "average", (2, 2, 2))


class GlobalPooling(Layer):
    """Max or mean over all spatial axes: (batch, ..., channels) -> (batch, channels)."""

    _rank = 2
    _mode = "max"

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = utils.normalize_data_format(data_format if data_format is not None or self._rank > 1
                                                       else "channels_last")
        self.input_spec = InputSpec(ndim=self._rank + 2)
        self.supports_masking = self._rank == 1 and self._mode == "average"

    def _axes(self):
        return list(range(2, self._rank + 2)) if self.data_format == "channels_first" else \
            list(range(1, self._rank + 1))

    def call(self, inputs, mask=None):
        if self._mode == "max":
            return tf.reduce_max(inputs, axis=self._axes())
        if mask is not None:
            # masked steps count neither in the sum nor in the number of steps
            weights = tf.cast(mask, inputs.dtype)
            weights = tf.expand_dims(weights, 1 if self.data_format == "channels_first" else 2)
            axis = self._axes()
            return tf.reduce_sum(inputs * weights, axis=axis) / tf.reduce_sum(weights, axis=axis)
        return tf.reduce_mean(inputs, axis=self._axes())

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        shape = utils.shape_list(input_shape)
        return TensorShape([shape[0], shape[channel_axis(self.data_format)]])

    def get_config(self):
        return merged_config(self, Layer, {"data_format": self.data_format})


def _global_class(name, rank, mode):
    doc = ("`%s(data_format=None)`: the %s over the %d spatial axes, (batch, channels) out." %
           (name, "maximum" if mode == "max" else "mean", rank))
    if rank == 1 and mode == "average":
        doc += " A mask of the steps (from Masking/Embedding) leaves masked steps out of the mean."
    return type(name, (GlobalPooling,), {"__doc__": doc, "_rank": rank, "_mode": mode, "__module__": __name__})


GlobalMaxPooling1D = _global_class("GlobalMaxPooling1D", 1, "max")
GlobalMaxPooling2D = _global_class("GlobalMaxPooling2D", 2, "max")
GlobalMaxPooling3D = _global_class("GlobalMaxPooling3D", 3, "max")
GlobalAveragePooling1D = _global_class("GlobalAveragePooling1D", 1, "average")
GlobalAveragePooling2D = _global_class("GlobalAveragePooling2D", 2, "average")
GlobalAveragePooling3D = _global_class("GlobalAveragePooling3D", 3, "average")

MaxPool1D, MaxPool2D, MaxPool3D = MaxPooling1D, MaxPooling2D, MaxPooling3D
AvgPool1D, AvgPool2D, AvgPool3D = AveragePooling1D, AveragePooling2D, AveragePooling3D
GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPool3D = GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalMaxPooling3D
GlobalAvgPool1D, GlobalAvgPool2D, GlobalAvgPool3D = (GlobalAveragePooling1D, GlobalAveragePooling2D,
                                                     GlobalAveragePooling3D)
