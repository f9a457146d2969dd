"""tf.keras.layers core, normalization, embedding, merge, advanced-activation and noise layers: values vs
NumPy, gradients vs finite differences (input and weights), learning-phase behaviour, configs, errors."""
import numpy as np
import pytest

import numflow as tf
from test_keras_layers_helpers import check_layer_gradients, config_round_trip, run_layer

L = tf.keras.layers
K = tf.keras.backend
RNG = np.random.RandomState(3)


# --- core ------------------------------------------------------------------------------------------
def test_dense_values_weights_and_higher_rank():
    x = RNG.randn(4, 3).astype(np.float32)
    kernel, bias = RNG.randn(3, 2).astype(np.float32), RNG.randn(2).astype(np.float32)
    layer = L.Dense(2, activation="relu")
    out = run_layer(layer, x, weights=[kernel, bias])
    np.testing.assert_allclose(out, np.maximum(x @ kernel + bias, 0), rtol=1e-5, atol=1e-6)
    assert [w.name for w in layer.weights] == ["dense/kernel:0", "dense/bias:0"]
    assert layer.kernel.shape.as_list() == [3, 2]
    x3 = RNG.randn(2, 5, 3).astype(np.float32)
    layer = L.Dense(2, use_bias=False)
    out = run_layer(layer, x3, weights=[kernel])
    np.testing.assert_allclose(out, x3 @ kernel, rtol=1e-5, atol=1e-6)
    assert layer.compute_output_shape((None, 5, 3)).as_list() == [None, 5, 2]
    assert layer.weights == [layer.kernel]
    check_layer_gradients(lambda: L.Dense(3, activation="tanh", dtype="float64"), RNG.randn(2, 4))
    check_layer_gradients(lambda: L.Dense(2, dtype="float64"), RNG.randn(2, 3, 2))


def test_dense_input_dim_config_and_errors():
    layer = L.Dense(4, input_dim=3, kernel_regularizer=tf.keras.regularizers.l2(0.1), name="d")
    config = layer.get_config()
    assert config["batch_input_shape"] == (None, 3) and config["units"] == 4 and config["name"] == "d"
    assert config["activation"] == "linear"
    assert config["kernel_initializer"]["class_name"] == "GlorotUniform"
    assert config["kernel_regularizer"]["config"]["l2"] == pytest.approx(0.1)
    clone = config_round_trip(layer)
    assert clone.units == 4
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="The last dimension of the inputs to `Dense` should be defined"):
            L.Dense(2)(tf.placeholder(tf.float32, [None, None]))
        with pytest.raises(ValueError, match="expected min_ndim=2, found ndim=1"):
            L.Dense(2)(tf.placeholder(tf.float32, [3]))
        dense = L.Dense(2)
        dense(tf.placeholder(tf.float32, [None, 3]))
        with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 3"):
            dense(tf.placeholder(tf.float32, [None, 4]))
        with pytest.raises(TypeError, match="Keyword argument not understood"):
            L.Dense(2, bogus=1)
    with tf.Graph().as_default():
        layer = L.Dense(2, kernel_regularizer=tf.keras.regularizers.l2(0.5), kernel_initializer="ones")
        layer(tf.placeholder(tf.float32, [None, 3]))
        assert np.isclose(K.get_session().run(layer.losses[0]), 0.5 * 6)


def test_dropout_training_and_inference():
    x = np.ones((200, 10), dtype=np.float32)
    out = run_layer(L.Dropout(0.4, seed=3), x, training=True)
    kept = out != 0
    np.testing.assert_allclose(out[kept], 1 / 0.6, rtol=1e-6)
    assert 0.5 < kept.mean() < 0.7
    np.testing.assert_array_equal(run_layer(L.Dropout(0.4), x, training=False), x)
    # noise_shape None entries take the input's size: one decision per row
    out = run_layer(L.Dropout(0.5, noise_shape=(None, 1), seed=1), x, training=True)
    assert all(len(set(row)) == 1 for row in out)
    # default: the learning phase (False unless fed)
    with tf.Graph().as_default():
        inp = tf.placeholder(tf.float32, [None, 10])
        y = L.Dropout(0.5)(inp)
        sess = K.get_session()
        np.testing.assert_array_equal(sess.run(y, {inp: x}), x)
        trained = sess.run(y, {inp: x, K.learning_phase(): True})
        assert (trained == 0).any() and np.allclose(trained[trained != 0], 2.0)
    assert L.Dropout(0.3, noise_shape=(None, 1), seed=2).get_config()["noise_shape"] == (None, 1)
    config_round_trip(L.Dropout(0.3, seed=2))


def test_spatial_dropout_drops_whole_channels():
    x = np.ones((8, 5, 6), dtype=np.float32)
    out = run_layer(L.SpatialDropout1D(0.5), x, training=True)
    for b in range(8):
        for c in range(6):
            assert len(set(out[b, :, c])) == 1
    x4 = np.ones((4, 6, 3, 3), dtype=np.float32)
    out = run_layer(L.SpatialDropout2D(0.5, data_format="channels_first"), x4, training=True)
    assert all(len(np.unique(out[b, c])) == 1 for b in range(4) for c in range(6))
    x5 = np.ones((4, 2, 2, 2, 6), dtype=np.float32)
    out = run_layer(L.SpatialDropout3D(0.5), x5, training=True)
    assert all(len(np.unique(out[b, ..., c])) == 1 for b in range(4) for c in range(6))
    np.testing.assert_array_equal(run_layer(L.SpatialDropout2D(0.5), x4, training=False), x4)
    config_round_trip(L.SpatialDropout2D(0.2, data_format="channels_first"))
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="expected ndim=3, found ndim=2"):
            L.SpatialDropout1D(0.5)(tf.placeholder(tf.float32, [None, 3]))


def test_shape_layers():
    x = RNG.randn(2, 3, 4).astype(np.float32)
    np.testing.assert_array_equal(run_layer(L.Flatten(), x), x.reshape(2, 12))
    np.testing.assert_array_equal(run_layer(L.Flatten(data_format="channels_first"), x),
                                  x.transpose(0, 2, 1).reshape(2, 12))
    np.testing.assert_array_equal(run_layer(L.Reshape((-1, 2)), x), x.reshape(2, 6, 2))
    np.testing.assert_array_equal(run_layer(L.Permute((2, 1)), x), x.transpose(0, 2, 1))
    np.testing.assert_array_equal(run_layer(L.RepeatVector(3), x[:, 0]), np.repeat(x[:, None, 0], 3, axis=1))
    assert L.Reshape((-1, 2)).compute_output_shape((None, 3, 4)).as_list() == [None, 6, 2]
    assert L.Flatten().compute_output_shape((None, 3, 4)).as_list() == [None, 12]
    assert L.Permute((2, 1)).compute_output_shape((None, 3, 4)).as_list() == [None, 4, 3]
    with tf.Graph().as_default():
        out = L.Flatten()(tf.placeholder(tf.float32, [None, 3, 4]))
        assert out.shape.as_list() == [None, 12]
    for layer in [L.Flatten(), L.Reshape((3, 4)), L.Permute((2, 1)), L.RepeatVector(2)]:
        config_round_trip(layer)
    with pytest.raises(ValueError, match="Can only specify one unknown dimension"):
        L.Reshape((-1, -1)).compute_output_shape((None, 3, 4))
    with pytest.raises(ValueError, match="total size of the new array must be unchanged"):
        L.Reshape((5, 2)).compute_output_shape((None, 3, 4))
    with pytest.raises(ValueError, match="Invalid permutation `dims` for Permute Layer"):
        L.Permute((1, 3))
    check_layer_gradients(lambda: L.Permute((2, 1), dtype="float64"), RNG.randn(2, 2, 3))
    check_layer_gradients(lambda: L.Flatten(data_format="channels_first", dtype="float64"), RNG.randn(2, 2, 3))


def test_activation_masking_and_activity_regularization():
    x = RNG.randn(2, 3).astype(np.float32)
    np.testing.assert_allclose(run_layer(L.Activation("tanh"), x), np.tanh(x), rtol=1e-6)
    assert L.Activation("relu").get_config()["activation"] == "relu"
    seq = np.array([[[1, 2], [0, 0], [3, 0]]], dtype=np.float32)
    out, mask = run_layer(L.Masking(0.0), seq, fetch_mask=True)
    np.testing.assert_array_equal(mask, [[True, False, True]])
    np.testing.assert_array_equal(out, seq)
    out, mask = run_layer(L.Masking(3.0), seq, fetch_mask=True)
    np.testing.assert_array_equal(mask, [[True, True, True]])
    config_round_trip(L.Masking(2.0))
    with tf.Graph().as_default():
        inp = tf.placeholder(tf.float32, [None, 3])
        layer = L.ActivityRegularization(l1=0.5, l2=0.25)
        out = layer(inp)
        loss = K.get_session().run(layer.losses[0], {inp: x})
    assert np.isclose(loss, (0.5 * np.abs(x).sum() + 0.25 * (x ** 2).sum()) / 2, rtol=1e-5)
    assert L.ActivityRegularization(l1=0.5).get_config()["l1"] == 0.5


def square_plus(x, offset=0.0):
    return x * x + offset


def doubled_shape(input_shape):
    return input_shape


def test_lambda_layer_and_config():
    x = RNG.randn(2, 3).astype(np.float32)
    layer = L.Lambda(square_plus, arguments={"offset": 1.0})
    np.testing.assert_allclose(run_layer(layer, x), x * x + 1, rtol=1e-6)
    config = layer.get_config()
    assert config["function"] == "square_plus" and config["function_type"] == "function"
    clone = L.Lambda.from_config(config)
    assert clone.function is square_plus and clone.arguments == {"offset": 1.0}
    clone = L.Lambda.from_config(L.Lambda(square_plus, output_shape=doubled_shape).get_config())
    assert clone.compute_output_shape((None, 3)).as_list() == [None, 3]
    fixed = L.Lambda(square_plus, output_shape=(5,))
    assert fixed.compute_output_shape((None, 3)).as_list() == [None, 5]
    assert L.Lambda.from_config(fixed.get_config())._output_shape == (5,)
    lam = L.Lambda(lambda t: t + 1)
    np.testing.assert_allclose(run_layer(lam, x), x + 1, rtol=1e-6)
    with pytest.raises(ValueError, match="made from a Python lambda"):
        L.Lambda.from_config(lam.get_config())
    config = dict(layer.get_config(), function="no_such_function")
    with pytest.raises(ValueError, match="Unknown function of a Lambda layer: no_such_function"):
        L.Lambda.from_config(config)
    with tf.Graph().as_default():
        inp = tf.placeholder(tf.float32, [None, 3])
        masked = L.Lambda(square_plus, mask=lambda inputs, mask: tf.greater(inputs[:, 0], 0))(inp)
        assert masked._keras_mask is not None


# --- normalization ---------------------------------------------------------------------------------
@pytest.mark.parametrize("fused", [None, False])
def test_batch_normalization_training_inference_and_updates(fused):
    x = RNG.randn(6, 3, 2, 4).astype(np.float32) * 2 + 1
    with tf.Graph().as_default():
        inp = tf.placeholder(tf.float32, [None, 3, 2, 4])
        layer = L.BatchNormalization(momentum=0.5, fused=fused)
        out = layer(inp)
        assert [w.name for w in layer.weights] == ["batch_normalization/gamma:0", "batch_normalization/beta:0",
                                                   "batch_normalization/moving_mean:0",
                                                   "batch_normalization/moving_variance:0"]
        assert [w.name for w in layer.trainable_weights] == ["batch_normalization/gamma:0",
                                                             "batch_normalization/beta:0"]
        assert len(layer.updates) == 2
        sess = K.get_session()
        gamma, beta = RNG.rand(4).astype(np.float32) + 0.5, RNG.randn(4).astype(np.float32)
        layer.set_weights([gamma, beta, np.zeros(4), np.ones(4)])
        # inference: the moving statistics (0, 1)
        np.testing.assert_allclose(sess.run(out, {inp: x}), x / np.sqrt(1 + 1e-3) * gamma + beta, rtol=1e-5)
        # training: batch statistics, and the updates move the averages
        trained = sess.run([out] + layer.updates, {inp: x, K.learning_phase(): True})[0]
        mean, var = x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2))
        np.testing.assert_allclose(trained, (x - mean) / np.sqrt(var + 1e-3) * gamma + beta, rtol=1e-4,
                                   atol=1e-5)
        moving_mean, moving_var = sess.run([layer.moving_mean, layer.moving_variance])
        n = 6 * 3 * 2
        expected_var = var * n / (n - 1) if layer.fused else var
        np.testing.assert_allclose(moving_mean, 0.5 * mean, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(moving_var, 0.5 + 0.5 * expected_var, rtol=1e-5)
        # running the updates at inference leaves the averages alone
        sess.run(layer.updates, {inp: x})
        np.testing.assert_allclose(sess.run(layer.moving_mean), moving_mean, rtol=1e-6)
    assert layer.fused == (fused is None)


def test_batch_normalization_axis_gradients_config_and_errors():
    x = RNG.randn(4, 3, 5).astype(np.float32)
    out = run_layer(L.BatchNormalization(axis=1, center=False, scale=False), x, training=True)
    mean, var = x.mean(axis=(0, 2), keepdims=True), x.var(axis=(0, 2), keepdims=True)
    np.testing.assert_allclose(out, (x - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-5)
    check_layer_gradients(lambda: L.BatchNormalization(dtype="float64"), RNG.randn(4, 3),
                          call_kwargs={"training": True}, rtol=1e-4)
    check_layer_gradients(lambda: L.BatchNormalization(axis=1, dtype="float64"), RNG.randn(3, 2, 2, 2),
                          call_kwargs={"training": True}, rtol=1e-4)
    layer = L.BatchNormalization(axis=1, momentum=0.9, epsilon=0.01, beta_regularizer="l2")
    config = layer.get_config()
    assert config["axis"] == 1 and config["momentum"] == 0.9 and config["epsilon"] == 0.01
    assert config["gamma_initializer"]["class_name"] == "Ones"
    assert config["beta_regularizer"]["class_name"] == "L1L2"
    config_round_trip(layer)
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="Invalid axis: 3"):
            L.BatchNormalization(axis=3)(tf.placeholder(tf.float32, [None, 3]))
        with pytest.raises(ValueError, match="fused batch norm only supports axis"):
            L.BatchNormalization(fused=True)(tf.placeholder(tf.float32, [None, 3]))
        with pytest.raises(ValueError, match="Input has undefined `axis` dimension"):
            L.BatchNormalization()(tf.placeholder(tf.float32, [None, None]))
    with pytest.raises(ValueError, match="does not support batch renormalization"):
        L.BatchNormalization(renorm=True)


def test_layer_normalization():
    x = RNG.randn(3, 4, 5).astype(np.float32)
    gamma, beta = RNG.rand(5).astype(np.float32), RNG.randn(5).astype(np.float32)
    out = run_layer(L.LayerNormalization(), x, weights=[gamma, beta])
    mean, var = x.mean(axis=-1, keepdims=True), x.var(axis=-1, keepdims=True)
    np.testing.assert_allclose(out, (x - mean) / np.sqrt(var + 1e-3) * gamma + beta, rtol=1e-4, atol=1e-5)
    layer = L.LayerNormalization(axis=[1, 2])
    out = run_layer(layer, x)
    mean, var = x.mean(axis=(1, 2), keepdims=True), x.var(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(out, (x - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-5)
    assert layer.gamma.shape.as_list() == [4, 5]
    check_layer_gradients(lambda: L.LayerNormalization(dtype="float64"), RNG.randn(2, 4), rtol=1e-4)
    config_round_trip(L.LayerNormalization(axis=1, epsilon=0.1))
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="Duplicate axis"):
            L.LayerNormalization(axis=[1, -1])(tf.placeholder(tf.float32, [None, 3]))


# --- embeddings ------------------------------------------------------------------------------------
def test_embedding_lookup_mask_and_gradient():
    table = RNG.randn(5, 3).astype(np.float32)
    ids = np.array([[0, 1, 4], [2, 2, 0]])
    layer = L.Embedding(5, 3, mask_zero=True, input_length=3)
    out, mask = run_layer(layer, ids, fetch_mask=True, weights=[table])
    np.testing.assert_array_equal(out, table[ids])
    np.testing.assert_array_equal(mask, ids != 0)
    assert layer.embeddings.name == "embedding/embeddings:0"
    assert layer.compute_output_shape((None, 3)).as_list() == [None, 3, 3]
    config = layer.get_config()
    assert config["input_length"] == 3 and config["mask_zero"] and config["batch_input_shape"] == (None, 3)
    assert config["embeddings_initializer"]["class_name"] == "RandomUniform"
    config_round_trip(layer)
    np.testing.assert_array_equal(run_layer(L.Embedding(5, 3), ids.astype(np.float32), weights=[table]),
                                  table[ids])
    with tf.Graph().as_default():
        inp = tf.placeholder(tf.int32, [None, 3])
        emb = L.Embedding(5, 3, dtype="float64")
        out = emb(inp)
        w = RNG.rand(2, 3, 3)
        grad = tf.convert_to_tensor(tf.gradients(tf.reduce_sum(out * w), emb.embeddings)[0])
        value = K.get_session().run(grad, {inp: ids})
    expected = np.zeros((5, 3))
    np.add.at(expected, ids, w)
    np.testing.assert_allclose(value, expected, rtol=1e-10)
    with pytest.raises(ValueError, match='"input_length" is 4, but received input has shape'):
        L.Embedding(5, 3, input_length=4).compute_output_shape((None, 3))
    with pytest.raises(ValueError, match="should be positive"):
        L.Embedding(0, 3)


# --- merge -----------------------------------------------------------------------------------------
def test_merge_layers_values_and_gradients():
    a, b, c = (RNG.randn(3, 4).astype(np.float32) for _ in range(3))
    np.testing.assert_allclose(run_layer(L.Add(), [a, b, c]), a + b + c, rtol=1e-6)
    np.testing.assert_allclose(run_layer(L.Subtract(), [a, b]), a - b, rtol=1e-6)
    np.testing.assert_allclose(run_layer(L.Multiply(), [a, b, c]), a * b * c, rtol=1e-6)
    np.testing.assert_allclose(run_layer(L.Average(), [a, b]), (a + b) / 2, rtol=1e-6)
    np.testing.assert_allclose(run_layer(L.Maximum(), [a, b, c]), np.maximum(np.maximum(a, b), c))
    np.testing.assert_allclose(run_layer(L.Minimum(), [a, b]), np.minimum(a, b))
    np.testing.assert_allclose(run_layer(L.Concatenate(axis=0), [a, b]), np.concatenate([a, b], 0))
    # a lower-rank input gains axes after the batch axis
    a3 = RNG.randn(3, 2, 4).astype(np.float32)
    np.testing.assert_allclose(run_layer(L.Add(), [a3, a]), a3 + a[:, None], rtol=1e-6)
    assert L.Add().compute_output_shape([(None, 2, 4), (None, 4)]).as_list() == [None, 2, 4]
    assert L.Concatenate().compute_output_shape([(None, 2, 4), (None, 2, 3)]).as_list() == [None, 2, 7]
    for cls in (L.Add, L.Subtract, L.Multiply, L.Average, L.Maximum, L.Minimum, L.Concatenate):
        check_layer_gradients(lambda cls=cls: cls(dtype="float64"), [RNG.randn(2, 3), RNG.randn(2, 3)])
    with tf.Graph().as_default():
        x, y = tf.placeholder(tf.float32, [None, 4]), tf.placeholder(tf.float32, [None, 4])
        outputs = [L.add([x, y]), L.subtract([x, y]), L.multiply([x, y]), L.average([x, y]),
                   L.maximum([x, y]), L.minimum([x, y]), L.concatenate([x, y]), L.dot([x, y], axes=1)]
        values = K.get_session().run(outputs, {x: a, y: b})
    expected = [a + b, a - b, a * b, (a + b) / 2, np.maximum(a, b), np.minimum(a, b),
                np.concatenate([a, b], -1), (a * b).sum(1, keepdims=True)]
    for value, want in zip(values, expected):
        np.testing.assert_allclose(value, want, rtol=1e-5, atol=1e-6)


def test_dot_layer():
    a, b = RNG.randn(3, 4, 2).astype(np.float32), RNG.randn(3, 5, 2).astype(np.float32)
    np.testing.assert_allclose(run_layer(L.Dot(axes=2), [a, b]), np.einsum("bik,bjk->bij", a, b), rtol=1e-5)
    c = RNG.randn(3, 4, 5).astype(np.float32)
    np.testing.assert_allclose(run_layer(L.Dot(axes=(1, 1)), [a, c]), np.einsum("bki,bkj->bij", a, c),
                               rtol=1e-5, atol=1e-6)
    x, y = RNG.randn(3, 4).astype(np.float32), RNG.randn(3, 4).astype(np.float32)
    cosine = (x * y).sum(1) / np.linalg.norm(x, axis=1) / np.linalg.norm(y, axis=1)
    np.testing.assert_allclose(run_layer(L.Dot(axes=-1, normalize=True), [x, y])[:, 0], cosine, rtol=1e-5)
    assert L.Dot(axes=2).compute_output_shape([(None, 4, 2), (None, 5, 2)]).as_list() == [None, 4, 5]
    assert L.Dot(axes=1).compute_output_shape([(None, 4), (None, 4)]).as_list() == [None, 1]
    check_layer_gradients(lambda: L.Dot(axes=(1, 2), normalize=True, dtype="float64"),
                          [RNG.randn(2, 3, 2), RNG.randn(2, 4, 3)])
    config = L.Dot(axes=(1, 2), normalize=True).get_config()
    assert config["axes"] == (1, 2) and config["normalize"] is True
    config_round_trip(L.Dot(axes=1))
    config_round_trip(L.Concatenate(axis=1))
    config_round_trip(L.Add(name="adder"))


def test_merge_masks_and_errors():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3, 2])
        masked = L.Masking()(x)
        added = L.Add()([masked, L.Masking()(x * 2)])
        joined = L.Concatenate(axis=1)([masked, x])
        seq = np.array([[[1, 1], [0, 0], [2, 2]]], dtype=np.float32)
        add_mask, join_mask = K.get_session().run([added._keras_mask, joined._keras_mask], {x: seq})
    np.testing.assert_array_equal(add_mask, [[True, False, True]])
    np.testing.assert_array_equal(join_mask, [[True, False, True, True, True, True]])
    with tf.Graph().as_default():
        a, b = tf.placeholder(tf.float32, [None, 3]), tf.placeholder(tf.float32, [None, 4])
        with pytest.raises(ValueError, match="Operands could not be broadcast together with shapes"):
            L.Add()([a, b])
        with pytest.raises(ValueError, match="A merge layer should be called on a list of at least 2 inputs"):
            L.Add()([a])
        with pytest.raises(ValueError, match="A merge layer should be called on a list of inputs"):
            L.Add()(a)
        with pytest.raises(ValueError, match="A `Subtract` layer should be called on exactly 2 inputs"):
            L.Subtract()([a, a, a])
        with pytest.raises(ValueError, match="Can not merge tensors with different batch sizes"):
            L.Add()([tf.placeholder(tf.float32, [2, 3]), tf.placeholder(tf.float32, [5, 3])])
        with pytest.raises(ValueError, match="requires inputs with matching shapes except for the concat axis"):
            L.Concatenate(axis=0)([a, b])
        with pytest.raises(ValueError, match="Dimension incompatibility 3 != 4"):
            L.Dot(axes=1)([a, b])
    with pytest.raises(ValueError, match="Invalid format for `axes` - should contain two elements"):
        L.Dot(axes=(1, 2, 3))


# --- advanced activations --------------------------------------------------------------------------
def test_advanced_activations():
    x = np.array([[-3.0, -1.0, -0.2, 0.0, 0.5, 1.5, 7.0]], dtype=np.float32)
    np.testing.assert_allclose(run_layer(L.LeakyReLU(), x), np.where(x >= 0, x, 0.3 * x), rtol=1e-6)
    np.testing.assert_allclose(run_layer(L.ELU(alpha=0.5), x), np.where(x > 0, x, 0.5 * (np.exp(x) - 1)),
                               rtol=1e-6)
    np.testing.assert_allclose(run_layer(L.ThresholdedReLU(theta=0.5), x), np.where(x > 0.5, x, 0))
    np.testing.assert_allclose(run_layer(L.Softmax(), x), np.exp(x) / np.exp(x).sum(), rtol=1e-6)
    np.testing.assert_allclose(run_layer(L.ReLU(), x), np.maximum(x, 0))
    relu = L.ReLU(max_value=6.0, negative_slope=0.1, threshold=1.0)
    np.testing.assert_allclose(run_layer(relu, x), np.where(x >= 6, 6, np.where(x >= 1, x, 0.1 * (x - 1))),
                               rtol=1e-6)
    x3 = RNG.randn(2, 3, 4).astype(np.float32)
    np.testing.assert_allclose(run_layer(L.Softmax(axis=1), x3), np.exp(x3) / np.exp(x3).sum(1, keepdims=True),
                               rtol=1e-5)
    alpha = RNG.rand(1, 4).astype(np.float32)
    layer = L.PReLU(shared_axes=[1])
    np.testing.assert_allclose(run_layer(layer, x3, weights=[alpha]), np.where(x3 >= 0, x3, alpha * x3),
                               rtol=1e-6)
    assert layer.alpha.shape.as_list() == [1, 4] and layer.alpha.name == "p_re_lu/alpha:0"
    for make in [lambda: L.LeakyReLU(0.2, dtype="float64"), lambda: L.ELU(0.7, dtype="float64"),
                 lambda: L.Softmax(dtype="float64"), lambda: L.ReLU(6.0, 0.1, 0.5, dtype="float64"),
                 lambda: L.PReLU(alpha_initializer="ones", dtype="float64"),
                 lambda: L.ThresholdedReLU(0.3, dtype="float64")]:
        check_layer_gradients(make, RNG.randn(2, 3) * 2)
    for layer in [L.LeakyReLU(0.1), L.ELU(0.5), L.ThresholdedReLU(2.0), L.Softmax(axis=1),
                  L.ReLU(max_value=6.0, negative_slope=0.1), L.PReLU(shared_axes=[1, 2])]:
        config_round_trip(layer)
    assert L.PReLU(shared_axes=1).get_config()["shared_axes"] == [1]
    with pytest.raises(ValueError, match="max_value of Relu layer cannot be negative value"):
        L.ReLU(max_value=-1)
    with pytest.raises(ValueError, match="negative_slope of Relu layer cannot be negative value"):
        L.ReLU(negative_slope=-0.1)
    with pytest.raises(ValueError, match="threshold of Relu layer cannot be None"):
        L.ReLU(threshold=None)


# --- noise -----------------------------------------------------------------------------------------
def test_noise_layers():
    # 100000 samples: the mean checks below sit 5 standard errors wide, so an unseeded run cannot fail
    # them by chance (at 20000 samples GaussianDropout's missed about one run in 30).
    x = np.ones((2000, 50), dtype=np.float32)
    for layer in [L.GaussianNoise(0.5), L.GaussianDropout(0.3), L.AlphaDropout(0.2)]:
        np.testing.assert_array_equal(run_layer(layer, x, training=False), x)
        config_round_trip(layer)
    noisy = run_layer(L.GaussianNoise(0.5), x, training=True)
    assert abs((noisy - 1).mean()) < 0.01 and abs((noisy - 1).std() - 0.5) < 0.01
    dropped = run_layer(L.GaussianDropout(0.3), x, training=True)
    assert abs(dropped.mean() - 1) < 0.01 and abs(dropped.std() - np.sqrt(0.3 / 0.7)) < 0.01
    selu_like = RNG.randn(400, 50).astype(np.float32)
    alpha = run_layer(L.AlphaDropout(0.2, seed=1), selu_like, training=True)
    # AlphaDropout keeps zero mean and unit variance of normalized inputs
    assert abs(alpha.mean()) < 0.02 and abs(alpha.std() - 1) < 0.02
    alpha_p = -1.6732632423543772 * 1.0507009873554805
    a = ((1 - 0.2) * (1 + 0.2 * alpha_p ** 2)) ** -0.5
    dropped_value = a * alpha_p + (-a * alpha_p * 0.2)
    fraction = np.isclose(alpha, dropped_value, atol=1e-6).mean()
    assert 0.17 < fraction < 0.23
    with tf.Graph().as_default():
        inp = tf.placeholder(tf.float32, [None, 50])
        out = L.GaussianNoise(1.0)(inp)
        sess = K.get_session()
        np.testing.assert_array_equal(sess.run(out, {inp: x}), x)
        assert not np.allclose(sess.run(out, {inp: x, K.learning_phase(): True}), x)


def test_layers_in_a_trained_sequential_model():
    rng = np.random.RandomState(0)
    x = rng.rand(32, 6, 6, 1).astype(np.float32)
    y = (x.mean(axis=(1, 2, 3)) > 0.5).astype(np.int32)
    model = tf.keras.Sequential([L.Conv2D(3, 3, input_shape=(6, 6, 1)), L.BatchNormalization(),
                                 L.MaxPooling2D(), L.Dropout(0.2), L.Flatten(), L.Dense(2, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    bn = model.layers[1]
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    # fit ran the moving-average updates; inference uses them
    moving_mean, moving_var = K.batch_get_value([bn.moving_mean, bn.moving_variance])
    assert np.all(moving_mean != 0) and np.all(moving_var != 1)
    gamma, beta = K.batch_get_value([bn.gamma, bn.beta])
    features = K.function([model.input], [model.layers[0].output])([x])[0]
    normalized = K.function([model.input], [bn.output])([x])[0]
    np.testing.assert_allclose(normalized, (features - moving_mean) / np.sqrt(moving_var + 1e-3) * gamma + beta,
                               rtol=1e-4, atol=1e-5)
    clone = tf.keras.Sequential.from_config(model.get_config())
    assert [layer.get_config() for layer in clone.layers][1:] == [layer.get_config() for layer in model.layers][1:]
