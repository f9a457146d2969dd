"""tf.keras.layers preprocessing layers (Rescaling, CenterCrop, Resizing, Normalization, Discretization,
CategoryEncoding, Hashing), Identity and DepthwiseConv1D: values vs NumPy, adapt, configs, errors."""
import numpy as np
import pytest

import numflow as tf
from test_keras_layers_helpers import check_layer_gradients, config_round_trip, run_layer

L = tf.keras.layers
K = tf.keras.backend
RNG = np.random.RandomState(5)


def test_rescaling_center_crop_and_identity():
    x = RNG.randint(0, 256, size=(2, 5, 6, 3)).astype(np.uint8)
    out = run_layer(L.Rescaling(1 / 255.0, offset=-0.5), x)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, x / 255.0 - 0.5, rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(run_layer(L.CenterCrop(3, 2), x), x[:, 1:4, 2:4])
    np.testing.assert_array_equal(run_layer(L.CenterCrop(4, 4), x[0:1]), x[0:1, 0:4, 1:5])
    with tf.Graph().as_default():
        image = tf.placeholder(tf.float32, [None, None, 3])
        cropped = L.CenterCrop(2, 2)(image)
        assert cropped.shape.as_list() == [2, 2, 3]
        sess = K.get_session()
        np.testing.assert_array_equal(sess.run(cropped, {image: x[0]}), x[0, 1:3, 2:4])
        with pytest.raises(tf.errors.InvalidArgumentError, match="the input height is smaller than the target"):
            sess.run(cropped, {image: np.zeros((1, 4, 3))})
        with pytest.raises(ValueError, match="the input width 6 is smaller than the target width 7"):
            L.CenterCrop(2, 7)(tf.placeholder(tf.float32, [None, 5, 6, 3]))
    y = RNG.randn(2, 3).astype(np.float32)
    np.testing.assert_array_equal(run_layer(L.Identity(), y), y)
    for layer in [L.Rescaling(0.5, 1.0), L.CenterCrop(2, 3), L.Identity()]:
        config_round_trip(layer)


def test_resizing():
    x = RNG.rand(1, 4, 6, 2).astype(np.float32)
    out = run_layer(L.Resizing(2, 3, interpolation="nearest"), x)
    np.testing.assert_array_equal(out, x[:, 1::2, 1::2])  # half-pixel centers: rows 1, 3 and columns 1, 3, 5
    out = run_layer(L.Resizing(2, 3), x)
    np.testing.assert_allclose(out, x.reshape(1, 2, 2, 3, 2, 2).mean(axis=(2, 4)), rtol=1e-5)
    out = run_layer(L.Resizing(4, 4, interpolation="nearest", crop_to_aspect_ratio=True), x)
    np.testing.assert_array_equal(out, x[:, :, 1:5])
    assert run_layer(L.Resizing(8, 9, interpolation="bicubic"), x).shape == (1, 8, 9, 2)
    assert L.Resizing(8, 9).compute_output_shape((None, 4, 6, 2)).as_list() == [None, 8, 9, 2]
    config_round_trip(L.Resizing(3, 4, interpolation="area"))
    with pytest.raises(ValueError, match="`interpolation` must be one of"):
        L.Resizing(2, 2, interpolation="lanczos9")


def test_normalization_given_and_adapted():
    data = RNG.randn(50, 3).astype(np.float32) * [1, 2, 3] + [0, 1, -1]
    layer = L.Normalization(mean=[0.0, 1.0, -1.0], variance=[1.0, 4.0, 9.0])
    out = run_layer(layer, data)
    np.testing.assert_allclose(out, (data - [0, 1, -1]) / np.array([1, 2, 3]), rtol=1e-5, atol=1e-6)
    with tf.Graph().as_default():
        layer = L.Normalization(axis=-1)
        layer.adapt(data)
        inp = tf.placeholder(tf.float32, [None, 3])
        out = layer(inp)
        value = K.get_session().run(out, {inp: data})
        assert [w.name for w in layer.weights] == ["normalization/mean:0", "normalization/variance:0",
                                                   "normalization/count:0"]
    np.testing.assert_allclose(value.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(value.std(axis=0), 1, rtol=1e-4)
    images = RNG.rand(4, 2, 2, 3).astype(np.float32)
    with tf.Graph().as_default():
        layer = L.Normalization(axis=None)
        layer.adapt(images)
        inp = tf.placeholder(tf.float32, [None, 2, 2, 3])
        value = K.get_session().run(layer(inp), {inp: images})
    np.testing.assert_allclose(value, (images - images.mean()) / images.std(), rtol=1e-4, atol=1e-5)
    check_layer_gradients(lambda: L.Normalization(mean=0.5, variance=4.0, dtype="float64"), RNG.randn(2, 3))
    config_round_trip(L.Normalization(axis=(1, 2)))
    with pytest.raises(ValueError, match="both `mean` and `variance` must be set"):
        L.Normalization(mean=1.0)
    with pytest.raises(ValueError, match="The argument 'axis' may not be 0"):
        L.Normalization(axis=0)
    with pytest.raises(TypeError, match="takes NumPy data"):
        L.Normalization().adapt(object())


def test_discretization():
    x = np.array([[-1.5, 0.0, 0.2], [1.0, 2.5, 9.0]], dtype=np.float32)
    layer = L.Discretization(bin_boundaries=[0.0, 1.0, 2.5])
    out = run_layer(layer, x)
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out, np.searchsorted([0.0, 1.0, 2.5], x, side="right"))
    np.testing.assert_array_equal(out, [[0, 1, 1], [2, 3, 3]])
    config_round_trip(layer)
    adapted = L.Discretization(num_bins=4)
    adapted.adapt(np.arange(100, dtype=np.float32))
    np.testing.assert_allclose(adapted.bin_boundaries, np.quantile(np.arange(100), [0.25, 0.5, 0.75]))
    with pytest.raises(ValueError, match="Both `num_bins` and `bin_boundaries` should not be set"):
        L.Discretization(bin_boundaries=[1.0], num_bins=2)
    with pytest.raises(ValueError, match="`bin_boundaries` must be sorted"):
        L.Discretization(bin_boundaries=[2.0, 1.0])


def test_category_encoding():
    ids = np.array([[0, 2, 2], [3, 3, 1]])
    np.testing.assert_array_equal(run_layer(L.CategoryEncoding(4), ids), [[1, 0, 1, 0], [0, 1, 0, 1]])
    np.testing.assert_array_equal(run_layer(L.CategoryEncoding(4, output_mode="count"), ids),
                                  [[1, 0, 2, 0], [0, 1, 0, 2]])
    np.testing.assert_array_equal(run_layer(L.CategoryEncoding(4, output_mode="one_hot"), np.array([1, 3])),
                                  np.eye(4)[[1, 3]])
    np.testing.assert_array_equal(run_layer(L.CategoryEncoding(3), np.array([2, 0])), [[0, 0, 1], [1, 0, 0]])
    config_round_trip(L.CategoryEncoding(5, output_mode="count"))
    with tf.Graph().as_default():
        inp = tf.placeholder(tf.int32, [None, 3])
        out = L.CategoryEncoding(4)(inp)
        with pytest.raises(tf.errors.InvalidArgumentError, match="Input values must be in the range"):
            K.get_session().run(out, {inp: np.array([[0, 4, 1]])})
    with pytest.raises(ValueError, match="Unknown arg for output_mode"):
        L.CategoryEncoding(3, output_mode="tf_idf")
    with pytest.raises(ValueError, match="num_tokens must be set"):
        L.CategoryEncoding()


def test_hashing_matches_farmhash_buckets():
    words = np.array([[b"cat", b"dog"], [b"", b"fish"]], dtype=object)
    with tf.Graph().as_default():
        inp = tf.placeholder(tf.string, [None, 2])
        plain = L.Hashing(7)(inp)
        masked = L.Hashing(7, mask_value="")(inp)
        salted = L.Hashing(7, salt=[3, 4])(inp)
        ints = tf.placeholder(tf.int64, [None])
        from_ints = L.Hashing(5)(ints)
        expected_plain = tf.strings.to_hash_bucket_fast(inp, 7)
        expected_masked = tf.strings.to_hash_bucket_fast(inp, 6) + 1
        expected_salted = tf.strings.to_hash_bucket_strong(inp, 7, [3, 4])
        expected_ints = tf.strings.to_hash_bucket_fast(tf.as_string(ints), 5)
        sess = K.get_session()
        values = sess.run([plain, masked, salted, expected_plain, expected_masked, expected_salted],
                          {inp: words})
        int_values = sess.run([from_ints, expected_ints], {ints: np.array([1, 20, 300])})
    np.testing.assert_array_equal(values[0], values[3])
    np.testing.assert_array_equal(values[1], np.where(words == b"", 0, values[4]))
    np.testing.assert_array_equal(values[2], values[5])
    np.testing.assert_array_equal(int_values[0], int_values[1])
    assert values[0].dtype == np.int64 and values[0].max() < 7
    config_round_trip(L.Hashing(9, mask_value="", salt=3))
    with pytest.raises(ValueError, match="cannot be `None` or non-positive"):
        L.Hashing(0)
    with pytest.raises(ValueError, match="can only be a tuple of size 2 integers"):
        L.Hashing(3, salt=[1, 2, 3])


def test_depthwise_conv1d():
    x = RNG.randn(2, 6, 3).astype(np.float32)
    kernel, bias = RNG.randn(3, 3, 2).astype(np.float32), RNG.randn(6).astype(np.float32)
    layer = L.DepthwiseConv1D(3, strides=2, depth_multiplier=2)
    out = run_layer(layer, x, weights=[kernel, bias])
    expected = np.zeros((2, 2, 6))
    for t in range(2):
        window = x[:, 2 * t:2 * t + 3]  # (batch, k, channels)
        expected[:, t] = np.einsum("bkc,kcm->bcm", window, kernel).reshape(2, 6)
    np.testing.assert_allclose(out, expected + bias, rtol=1e-5, atol=1e-5)
    assert layer.depthwise_kernel.shape.as_list() == [3, 3, 2]
    assert layer.compute_output_shape((None, 6, 3)).as_list() == [None, 2, 6]
    check_layer_gradients(lambda: L.DepthwiseConv1D(2, padding="same", dtype="float64"), RNG.randn(1, 4, 2))
    config_round_trip(layer)
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="expected ndim=3, found ndim=4"):
            L.DepthwiseConv1D(3)(tf.placeholder(tf.float32, [None, 5, 5, 2]))
