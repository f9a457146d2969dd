"""tf.keras.layers EinsumDense, MultiHeadAttention and DenseFeatures: values vs NumPy references, gradients vs finite
differences, weight names, masks, configs and errors."""
import numpy as np
import pytest

import numflow as tf
from test_keras_layers_helpers import check_layer_gradients, config_round_trip, run_layer

L = tf.keras.layers
K = tf.keras.backend
RNG = np.random.RandomState(13)


def test_einsum_dense_values_shapes_and_gradients():
    x = RNG.randn(2, 3, 4).astype(np.float32)
    kernel, bias = RNG.randn(4, 2, 5).astype(np.float32), RNG.randn(2, 5).astype(np.float32)
    layer = L.EinsumDense("abc,cde->abde", (None, 2, 5), bias_axes="de", activation="relu")
    out = run_layer(layer, x, weights=[kernel, bias])
    np.testing.assert_allclose(out, np.maximum(np.einsum("abc,cde->abde", x, kernel) + bias, 0), rtol=1e-5,
                               atol=1e-5)
    assert [w.name for w in layer.weights] == ["einsum_dense/kernel:0", "einsum_dense/bias:0"]
    assert layer.compute_output_shape((None, 3, 4)).as_list() == [None, 3, 2, 5]
    kernel2, bias2 = RNG.randn(4, 6).astype(np.float32), RNG.randn(6).astype(np.float32)
    out = run_layer(L.EinsumDense("...b,bc->...c", 6, bias_axes="c"), x, weights=[kernel2, bias2])
    np.testing.assert_allclose(out, x @ kernel2 + bias2, rtol=1e-5, atol=1e-5)
    layer = L.EinsumDense("abc,cd->abd", (3, 2), bias_axes="b")
    run_layer(layer, x)
    assert layer.bias.shape.as_list() == [3, 1]  # the bias spans the output from its first axis on
    check_layer_gradients(lambda: L.EinsumDense("abc,cd->abd", (None, 2), bias_axes="d", dtype="float64"),
                          RNG.randn(2, 2, 3))
    config = L.EinsumDense("ab,bc->ac", 4, bias_axes="c").get_config()
    assert config["equation"] == "ab,bc->ac" and config["output_shape"] == (4,) and config["bias_axes"] == "c"
    config_round_trip(L.EinsumDense("ab,bc->ac", 4, bias_axes="c"))


def test_einsum_dense_errors():
    with pytest.raises(ValueError, match="Invalid einsum equation"):
        L.EinsumDense("ab,bc", 4)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3, 4])
        with pytest.raises(ValueError, match="Input shape and output shape do not match at shared dimension 'b'"):
            L.EinsumDense("abc,cd->abd", (5, 2))(x)
        with pytest.raises(ValueError, match="Bias dimension 'q' was requested"):
            L.EinsumDense("abc,cd->abd", (3, 2), bias_axes="q")(x)
        with pytest.raises(ValueError, match="Weight dimension 'z' did not have a match"):
            L.EinsumDense("abc,cz->abc", (3, 4))(x)


def np_softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def test_multi_head_attention_against_numpy():
    q, v = RNG.randn(2, 3, 4).astype(np.float32), RNG.randn(2, 5, 6).astype(np.float32)
    mask = RNG.rand(2, 3, 5) > 0.3
    mask[:, :, 0] = True
    with tf.Graph().as_default():
        qp, vp = tf.placeholder(tf.float32, [None, 3, 4]), tf.placeholder(tf.float32, [None, 5, 6])
        mp = tf.placeholder(tf.bool, [None, 3, 5])
        layer = L.MultiHeadAttention(num_heads=2, key_dim=3, value_dim=2, output_shape=7)
        out, scores = layer(qp, vp, attention_mask=mp, return_attention_scores=True)
        assert [w.name.split("/", 1)[1] for w in layer.weights] == [
            "query/kernel:0", "query/bias:0", "key/kernel:0", "key/bias:0", "value/kernel:0", "value/bias:0",
            "attention_output/kernel:0", "attention_output/bias:0"]
        weights = [RNG.randn(*w.shape.as_list()).astype(np.float32) for w in layer.weights]
        layer.set_weights(weights)
        got, got_scores = K.get_session().run([out, scores], {qp: q, vp: v, mp: mask})
        assert out.shape.as_list() == [None, 3, 7]
    wq, bq, wk, bk, wv, bv, wo, bo = weights
    query = (np.einsum("btd,dhk->bthk", q, wq) + bq) / np.sqrt(3)
    key = np.einsum("bsd,dhk->bshk", v, wk) + bk
    value = np.einsum("bsd,dhk->bshk", v, wv) + bv
    logits = np.einsum("bthk,bshk->bhts", query, key)
    logits = np.where(mask[:, None], logits, -np.inf)
    probs = np_softmax(logits)
    expected = np.einsum("bhts,bshk->bthk", probs, value)
    expected = np.einsum("bthk,hko->bto", expected, wo) + bo
    np.testing.assert_allclose(got_scores, probs, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


def test_multi_head_attention_gradients_dropout_config_and_errors():
    check_layer_gradients(lambda: _SelfAttention(), RNG.randn(2, 3, 4), rtol=1e-4)
    x = np.ones((2, 3, 4), dtype=np.float32)
    with tf.Graph().as_default():
        inp = tf.placeholder(tf.float32, [None, 3, 4])
        layer = L.MultiHeadAttention(2, 2, dropout=0.5)
        out = layer(inp, inp)
        sess = K.get_session()
        np.testing.assert_array_equal(sess.run(out, {inp: x}), sess.run(out, {inp: x}))
    config = L.MultiHeadAttention(4, 8, value_dim=2, dropout=0.1, output_shape=3).get_config()
    assert (config["num_heads"], config["key_dim"], config["value_dim"], config["output_shape"]) == (4, 8, 2, 3)
    config_round_trip(L.MultiHeadAttention(4, 8))
    with pytest.raises(ValueError, match="attends over the sequence axis only"):
        L.MultiHeadAttention(2, 2, attention_axes=(2, 3))
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="no value given"):
            L.MultiHeadAttention(2, 2)(tf.placeholder(tf.float32, [None, 3, 4]))
        with pytest.raises(ValueError, match=r"takes \(batch, steps, features\)"):
            image = tf.placeholder(tf.float32, [None, 3, 3, 4])
            L.MultiHeadAttention(2, 2)(image, image)


class _SelfAttention(L.Layer):
    """Self-attention of one float64 input, so the shared gradient helper can drive it."""

    def __init__(self):
        super().__init__(dtype="float64")
        self.attention = L.MultiHeadAttention(2, 2, value_dim=3, dtype="float64")

    def call(self, inputs):
        return self.attention(inputs, inputs)


def test_dense_features_from_feature_columns():
    fc = tf.feature_column
    age = fc.numeric_column("age")
    color = fc.categorical_column_with_vocabulary_list("color", ["red", "green", "blue"])
    columns = [age, fc.indicator_column(color), fc.embedding_column(color, 2)]
    features_value = {"age": np.array([[30.0], [40.0]], dtype=np.float32),
                      "color": np.array([[b"green"], [b"blue"]], dtype=object)}
    with tf.Graph().as_default():
        features = {"age": tf.placeholder(tf.float32, [None, 1]), "color": tf.placeholder(tf.string, [None, 1])}
        layer = L.DenseFeatures(columns)
        out = layer(features)
        again = layer(features)  # a second call shares the variables
        assert [w.name for w in layer.weights] == ["dense_features/color_embedding/embedding_weights:0"]
        table = RNG.randn(3, 2).astype(np.float32)
        layer.set_weights([table])
        feed = {features[k]: v for k, v in features_value.items()}
        value, value_again = K.get_session().run([out, again], feed)
    # columns sorted by name: age, color_embedding, color_indicator
    expected = np.concatenate([[[30.0], [40.0]], table[[1, 2]], np.eye(3)[[1, 2]]], axis=1)
    np.testing.assert_allclose(value, expected, rtol=1e-6)
    np.testing.assert_allclose(value_again, expected, rtol=1e-6)
    assert layer.compute_output_shape({"age": (None, 1)}).as_list() == [None, 6]
    with pytest.raises(NotImplementedError, match="DenseFeatures cannot be serialized"):
        layer.get_config()
    with pytest.raises(ValueError, match="Items of feature_columns must be a _DenseColumn"):
        L.DenseFeatures([color])
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="We expected a dictionary here"):
            L.DenseFeatures([age])(tf.placeholder(tf.float32, [None, 1]))
