"""tf.keras.layers.serialize / deserialize over every layer family, custom objects, unknown names, and the
V1/V2 dtype behaviour switches."""
import numpy as np
import pytest

import numflow as tf

L = tf.keras.layers
K = tf.keras.backend


def sample_layers():
    return [L.Dense(3, activation="relu", name="d"), L.Dropout(0.2), L.Flatten(), L.Reshape((2, 3)),
            L.Permute((2, 1)), L.RepeatVector(2), L.Masking(), L.Activation("tanh"),
            L.ActivityRegularization(0.1), L.SpatialDropout2D(0.1), L.Conv2D(2, 3), L.Conv1D(2, 3),
            L.Conv3D(1, 2), L.Conv2DTranspose(2, 3), L.SeparableConv2D(2, 3), L.DepthwiseConv2D(3),
            L.ZeroPadding2D(), L.Cropping2D(), L.UpSampling2D(), L.MaxPooling2D(), L.AveragePooling1D(),
            L.GlobalMaxPooling3D(), L.BatchNormalization(), L.LayerNormalization(), L.Embedding(4, 2),
            L.Add(), L.Concatenate(axis=1), L.Dot(axes=1), L.LeakyReLU(), L.PReLU(), L.ELU(), L.ReLU(6.0),
            L.Softmax(), L.ThresholdedReLU(), L.GaussianNoise(0.1), L.GaussianDropout(0.1),
            L.AlphaDropout(0.1), L.LocallyConnected1D(2, 3), L.LocallyConnected2D(2, 3), L.Attention(),
            L.AdditiveAttention(causal=True), L.Identity(), L.DepthwiseConv1D(3), L.Rescaling(0.5), L.Hashing(3),
            L.CategoryEncoding(3), L.Discretization([0.0, 1.0]), L.Resizing(2, 2), L.CenterCrop(1, 1),
            L.EinsumDense("ab,bc->ac", 3), L.MultiHeadAttention(2, 4)]


def test_serialize_deserialize_every_family():
    for layer in sample_layers():
        config = L.serialize(layer)
        assert config["class_name"] == type(layer).__name__
        clone = L.deserialize(config)
        assert type(clone) is type(layer)
        assert clone.get_config() == layer.get_config()


def test_deserialize_finds_recurrent_models_and_input_layer():
    assert L.deserialize({"class_name": "InputLayer", "config": {"batch_input_shape": (None, 3),
                                                                  "dtype": "float32", "sparse": False,
                                                                  "name": "input_x"}}).name == "input_x"
    lstm = L.LSTM(4)
    clone = L.deserialize(L.serialize(lstm))
    assert type(clone).__name__ == "LSTM" and clone.units == 4
    model = tf.keras.Sequential([L.Dense(2, input_shape=(3,))])
    clone = L.deserialize(L.serialize(model))
    assert type(clone).__name__ == "Sequential" and len(clone.layers) == 1


class Scale(L.Layer):
    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, inputs):
        return inputs * self.factor

    def get_config(self):
        config = super().get_config()
        config["factor"] = self.factor
        return config


def test_custom_objects_and_unknown_names():
    config = L.serialize(Scale(3.0))
    with pytest.raises(ValueError, match="Unknown layer: Scale"):
        L.deserialize(config)
    assert L.deserialize(config, custom_objects={"Scale": Scale}).factor == 3.0
    with tf.keras.utils.custom_object_scope({"Scale": Scale}):
        assert isinstance(L.deserialize(config), Scale)
    with pytest.raises(ValueError, match="Unknown layer: NoSuchLayer"):
        L.deserialize({"class_name": "NoSuchLayer", "config": {}})
    assert {"Dense", "Conv2D", "serialize", "deserialize", "MaxPool2D", "add"} <= set(dir(L))


def test_v2_dtype_behavior_switch():
    x = np.ones((2, 3))
    try:
        L.enable_v2_dtype_behavior()
        with tf.Graph().as_default():
            inp = tf.placeholder(tf.float64, [None, 3])
            layer = L.Dense(2)
            out = layer(inp)
            assert layer.dtype == "float32" and out.dtype == tf.float32
            assert layer.kernel.dtype.base_dtype == tf.float32
            assert K.get_session().run(out, {inp: x}).dtype == np.float32
        L.disable_v2_dtype_behavior()
        with tf.Graph().as_default():
            inp = tf.placeholder(tf.float64, [None, 3])
            layer = L.Dense(2)
            assert layer(inp).dtype == tf.float64 and layer.dtype == "float64"
    finally:
        L.disable_v2_dtype_behavior()
