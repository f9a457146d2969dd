"""tf.contrib.layers helpers: one_hot_encoding, the embedding helpers, linear / relu / legacy_fully_connected,
maxout, repeat / stack, softmax, spatial_softmax, images_to_sequence / sequence_to_images, scale_gradient,
dense_to_sparse; and how every layer plays with arg_scope, outputs_collections (aliases),
variables_collections, trainable and reuse."""
import numpy as np
import pytest

import numflow as tf

layers = tf.contrib.layers
arg_scope = tf.contrib.framework.arg_scope
RNG = np.random.RandomState(5)


def _run(outputs, feed=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(outputs, feed)


def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def test_all_names_exist_and_layers_take_arg_scope():
    for name in layers.__all__:
        assert hasattr(layers, name), name
    scoped = ["fully_connected", "convolution", "convolution1d", "convolution2d", "convolution3d", "conv2d",
              "conv2d_transpose", "conv3d_transpose", "separable_conv2d", "conv2d_in_plane", "flatten",
              "max_pool2d", "avg_pool2d", "max_pool3d", "avg_pool3d", "pool", "dropout", "batch_norm",
              "layer_norm", "instance_norm", "group_norm", "unit_norm", "bias_add", "one_hot_encoding",
              "maxout", "softmax", "spatial_softmax", "images_to_sequence",
              "sequence_to_images", "dense_to_sparse"]
    for name in scoped:
        assert tf.contrib.framework.has_arg_scope(getattr(layers, name)), name
    assert not tf.contrib.framework.has_arg_scope(layers.repeat)   # they take the layer, as in TF1
    assert set(layers.OPTIMIZER_CLS_NAMES) == {"Adagrad", "Adam", "Ftrl", "Momentum", "RMSProp", "SGD"}


def test_feature_column_api_names_its_replacement():
    with pytest.raises(AttributeError, match=r"does not provide tf.contrib.layers.real_valued_column .*; use "
                                             r"tf.feature_column.numeric_column"):
        layers.real_valued_column  # noqa: B018
    with pytest.raises(AttributeError, match=r"tf.contrib.layers.transform_features .*; use tf.feature_column$"):
        layers.transform_features  # noqa: B018
    for name, replacement in layers._FEATURE_COLUMN_NAMES.items():
        assert replacement is None or hasattr(tf.feature_column, replacement), replacement


def test_arg_scope_sets_defaults_explicit_arguments_win_and_outputs_collections_alias():
    x = RNG.randn(2, 4, 4, 3)
    with tf.Graph().as_default():
        with arg_scope([layers.conv2d, layers.fully_connected, layers.conv2d_transpose], activation_fn=None,
                       weights_initializer=tf.ones_initializer(), outputs_collections="end_points"):
            conv = layers.conv2d(tf.constant(x), 2, 1, scope="c")
            with arg_scope([layers.fully_connected], biases_initializer=tf.constant_initializer(1.0)):
                dense = layers.fully_connected(layers.flatten(conv), 3, activation_fn=tf.nn.relu)
            deconv = layers.conv2d_transpose(conv, 1, 2, stride=2)
        outside = layers.fully_connected(tf.constant(x[:, 0, 0]), 2)
        end_points = tf.get_collection("end_points")
        values = _run([conv, dense, deconv, outside])
        init_outside = _run(tf.global_variables("fully_connected_1"))
    assert end_points == [conv, dense, deconv]
    assert conv.aliases == ["c"] and dense.aliases == ["fully_connected"] and deconv.aliases == ["Conv2d_transpose"]
    np.testing.assert_allclose(values[0], np.repeat(x.sum(-1, keepdims=True), 2, -1), rtol=1e-10)
    np.testing.assert_allclose(values[1], np.maximum(values[0].reshape(2, -1).sum(1, keepdims=True) + 1, 0)
                               * np.ones(3), rtol=1e-10)
    assert values[2].shape == (2, 8, 8, 1)
    assert not np.allclose(init_outside[0], 1.0)    # the scope's initializer does not leak outside
    with pytest.raises(ValueError, match="is not decorated with @add_arg_scope"):
        with arg_scope([layers.linear], activation_fn=None):
            pass


def test_variables_collections_trainable_and_reuse():
    with tf.Graph().as_default():
        x = tf.zeros([2, 4, 4, 3])
        layers.conv2d_transpose(x, 2, 3, scope="up", variables_collections=["mine"], trainable=False)
        layers.conv2d_transpose(x, 2, 3, scope="up", reuse=True)
        layers.separable_conv2d(x, 4, 3, variables_collections={"weights": ["w"], "biases": ["b"]})
        layers.layer_norm(x, variables_collections={"gamma": "g"})
        assert [v.op.name for v in tf.get_collection("mine")] == ["up/weights", "up/biases"]
        assert [v.op.name for v in tf.get_collection("w")] == ["SeparableConv2d/depthwise_weights",
                                                               "SeparableConv2d/pointwise_weights"]
        assert [v.op.name for v in tf.get_collection("b")] == ["SeparableConv2d/biases"]
        assert [v.op.name for v in tf.get_collection("g")] == ["LayerNorm/gamma"]
        assert not [v for v in tf.trainable_variables() if v.op.name.startswith("up/")]
        assert len(tf.global_variables("up")) == 2
        assert len(tf.model_variables()) == 7
        with pytest.raises(ValueError, match="already exists"):
            layers.conv2d_transpose(x, 2, 3, scope="up")


def test_fully_connected_rank_errors_and_higher_rank_inputs():
    x = RNG.randn(2, 3, 4)
    w = RNG.randn(4, 5)
    with tf.Graph().as_default():
        out = layers.fully_connected(tf.placeholder_with_default(x, [None, 3, 4]), 5,
                                     weights_initializer=tf.constant_initializer(w))
        assert out.shape.as_list() == [None, 3, 5]
        np.testing.assert_allclose(_run(out), np.maximum(x @ w, 0), rtol=1e-10)
        with pytest.raises(ValueError, match="must be at least 2-D, got shape"):
            layers.fully_connected(tf.zeros([3]), 2)
        with pytest.raises(ValueError, match="The last dimension of the inputs to `fully_connected` should be "
                                             "defined. Found `None`."):
            layers.fully_connected(tf.placeholder(tf.float32, [2, None]), 2)
        with pytest.raises(ValueError, match="num_outputs type should be one of"):
            layers.fully_connected(tf.zeros([2, 3]), 2.0)


def test_one_hot_encoding():
    with tf.Graph().as_default():
        out = layers.one_hot_encoding(tf.constant([2, 0, 3]), 4, on_value=5.0, off_value=-1.0,
                                      outputs_collections="oh")
        assert out.dtype == tf.float32 and out.op.name.startswith("OneHotEncoding/")
        assert tf.get_collection("oh") == [out] and out.aliases == ["OneHotEncoding"]
        value = _run(out)
    expected = np.full((3, 4), -1.0)
    expected[[0, 1, 2], [2, 0, 3]] = 5.0
    np.testing.assert_array_equal(value, expected)


def test_embedding_lookup_unique_and_embed_sequence():
    params = RNG.randn(6, 3)
    ids = np.array([[1, 4, 1], [5, 1, 0]])
    with tf.Graph().as_default():
        looked = layers.embedding_lookup_unique(tf.constant(params), tf.constant(ids))
        parted = layers.embedding_lookup_unique([tf.constant(params[0::2]), tf.constant(params[1::2])],
                                                tf.constant(ids))
        assert looked.shape.as_list() == [2, 3, 3]
        table = RNG.randn(7, 2)
        embedded = layers.embed_sequence(tf.constant(ids), vocab_size=7, embed_dim=2,
                                         initializer=tf.constant_initializer(table))
        again = layers.embed_sequence(tf.constant(ids), unique=True, scope="EmbedSequence", reuse=True)
        names = {v.op.name: v.shape.as_list() for v in tf.global_variables()}
        values = _run([looked, parted, embedded, again])
        with pytest.raises(ValueError, match="Must specify vocab size and embedding dimension when not reusing. "
                                             "Got vocab_size=7 and embed_dim=None"):
            layers.embed_sequence(tf.constant(ids), vocab_size=7)
    assert names == {"EmbedSequence/embeddings": [7, 2]}
    np.testing.assert_allclose(values[0], params[ids])
    np.testing.assert_allclose(values[1], params[ids])   # 'mod' partitioning: id i lives in part i % 2
    np.testing.assert_allclose(values[2], table[ids], rtol=1e-6)
    np.testing.assert_allclose(values[3], table[ids], rtol=1e-6)


def test_safe_embedding_lookup_sparse_defaults_to_mean():
    params = RNG.randn(4, 2)
    with tf.Graph().as_default():
        ids = tf.SparseTensor([[0, 0], [0, 1], [1, 0], [2, 0]], tf.constant([1, 3, -1, 2], tf.int64), [4, 2])
        out = layers.safe_embedding_lookup_sparse(tf.constant(params), ids)
        value = _run(out)
    np.testing.assert_allclose(value, [(params[1] + params[3]) / 2, [0, 0], params[2], [0, 0]], rtol=1e-10)


def test_bow_encoder_sparse_and_dense():
    table = RNG.randn(5, 3)
    ids = np.array([[1, 2, -1], [-1, -1, -1], [4, 4, 0]])
    with tf.Graph().as_default():
        sparse = layers.bow_encoder(tf.constant(ids), 5, 3, initializer=tf.constant_initializer(table))
        dense = layers.bow_encoder(tf.constant(np.maximum(ids, 0)), 5, 3, sparse_lookup=False, scope="bow_encoder",
                                   reuse=True)
        names = {v.op.name: v.shape.as_list() for v in tf.global_variables()}
        got_sparse, got_dense = _run([sparse, dense])
        with pytest.raises(TypeError, match="ids are expected to be dense Tensor"):
            layers.bow_encoder(tf.SparseTensor([[0, 0]], [1], [1, 1]), 5, 3, sparse_lookup=False)
    assert names == {"bow_encoder/embeddings": [5, 3]}
    expected = [(table[1] + table[2]) / 2, table[0], (2 * table[4] + table[0]) / 3]
    np.testing.assert_allclose(got_sparse, expected, rtol=1e-6)
    np.testing.assert_allclose(got_dense, table[np.maximum(ids, 0)].mean(1), rtol=1e-6)


def test_linear_relu_and_legacy_fully_connected():
    x = RNG.randn(2, 3, 4)
    w = RNG.randn(4, 2)
    with tf.Graph().as_default():
        lin = layers.linear(tf.constant(x), 2, weights_initializer=tf.constant_initializer(w),
                            biases_initializer=tf.constant_initializer(-0.5))
        rel = layers.relu(tf.constant(x), 2, weights_initializer=tf.constant_initializer(w), scope="r")
        exp = layers.elu(tf.constant(x), 2, weights_initializer=tf.constant_initializer(w), scope="e")
        legacy = layers.legacy_fully_connected(tf.constant(x), 2, weight_init=tf.constant_initializer(w),
                                               bias_init=tf.constant_initializer(0.25), activation_fn=tf.nn.relu)
        legacy_lin = layers.legacy_linear(tf.constant(x[:, 0]), 2, bias_init=None, name="ll")
        assert [v.op.name for v in tf.get_collection(tf.GraphKeys.WEIGHTS)] == ["fully_connected_1/weights",
                                                                                  "ll/weights"]
        assert [v.op.name for v in tf.get_collection(tf.GraphKeys.BIASES)] == ["fully_connected_1/bias"]
        assert tf.get_collection(tf.GraphKeys.ACTIVATIONS) == [legacy, legacy_lin]
        names = sorted(v.op.name for v in tf.global_variables())
        values = _run([lin, rel, legacy, exp])
        with pytest.raises(ValueError, match="rank of x must be at least 2 not: 1"):
            layers.legacy_fully_connected(tf.zeros([3]), 2)
        with pytest.raises(ValueError, match="last dimension of x must be known but is None"):
            layers.legacy_fully_connected(tf.placeholder(tf.float32, [2, None]), 2)
        with pytest.raises(ValueError, match="dims of x must be known but is None"):
            layers.legacy_fully_connected(tf.placeholder(tf.float32), 2)
    assert names == ["e/biases", "e/weights", "fully_connected/biases", "fully_connected/weights",
                     "fully_connected_1/bias", "fully_connected_1/weights", "ll/weights", "r/biases", "r/weights"]
    np.testing.assert_allclose(values[0], x @ w - 0.5, rtol=1e-10)
    np.testing.assert_allclose(values[1], np.maximum(x @ w, 0), rtol=1e-10)
    np.testing.assert_allclose(values[2], np.maximum(x @ w + 0.25, 0), rtol=1e-10)
    h = x @ w
    np.testing.assert_allclose(values[3], np.where(h > 0, h, np.expm1(np.minimum(h, 0))), rtol=1e-10)


def test_maxout_matches_numpy_and_errors():
    x = RNG.randn(2, 3, 6)
    with tf.Graph().as_default():
        last = layers.maxout(tf.placeholder_with_default(x, [None, 3, 6]), 2)
        middle = layers.maxout(tf.constant(x.transpose(0, 2, 1)), 3, axis=1)
        assert last.shape.as_list() == [None, 3, 2]
        got_last, got_middle = _run([last, middle])
        with pytest.raises(ValueError, match=r"number of features\(6\) is not a multiple of num_units\(4\)"):
            layers.maxout(tf.constant(x), 4)
    np.testing.assert_allclose(got_last, x.reshape(2, 3, 2, 3).max(-1))
    # TF1's reshape puts num_units at `axis` and the group size last, in memory order
    np.testing.assert_allclose(got_middle, x.transpose(0, 2, 1).reshape(2, 3, 3, 2).max(-1))


def test_repeat_and_stack_scopes():
    with tf.Graph().as_default():
        x = tf.zeros([1, 5, 5, 2])
        out = layers.repeat(x, 3, layers.conv2d, 4, [3, 3], scope="conv1")
        default = layers.repeat(x, 2, layers.max_pool2d, [1, 1], stride=1)
        stacked = layers.stack(tf.zeros([2, 3]), layers.fully_connected, [5, 7], scope="fc")
        tupled = layers.stack(x, layers.conv2d, [(8, [3, 3]), (6, [1, 1], 2)])
        layers.repeat(tf.zeros([2, 3]), 2, layers.linear, 3, scope="lin")
        layers.stack(tf.zeros([2, 3]), layers.elu, [4])
        names = {v.op.name: v.shape.as_list() for v in tf.global_variables() if v.op.name.endswith("weights")}
        with pytest.raises(ValueError, match="stack_args need to be a list or tuple"):
            layers.stack(x, layers.conv2d, 8)
    assert out.shape.as_list() == [1, 5, 5, 4] and stacked.shape.as_list() == [2, 7]
    assert tupled.shape.as_list() == [1, 3, 3, 6]
    assert default.op.name.startswith("Repeat/max_pool2d_2/")
    assert names == {"conv1/conv1_1/weights": [3, 3, 2, 4], "conv1/conv1_2/weights": [3, 3, 4, 4],
                     "conv1/conv1_3/weights": [3, 3, 4, 4], "fc/fc_1/weights": [3, 5], "fc/fc_2/weights": [5, 7],
                     "Stack/convolution2d_1/weights": [3, 3, 2, 8], "Stack/convolution2d_2/weights": [1, 1, 8, 6],
                     # the fully_connected aliases name their scopes as TF's functools.partial objects do
                     "lin/lin_1/weights": [3, 3], "lin/lin_2/weights": [3, 3],
                     "Stack_1/fully_connected_1/weights": [3, 4]}


def test_softmax_any_rank_and_errors():
    x = RNG.randn(2, 3, 4)
    with tf.Graph().as_default():
        out = layers.softmax(tf.placeholder_with_default(x, [None, 3, 4]))
        assert out.shape.as_list() == [None, 3, 4]
        np.testing.assert_allclose(_run(out), _softmax(x), rtol=1e-10)
        with pytest.raises(ValueError, match="rank of shape must be at least 2 not: 1"):
            layers.softmax(tf.zeros([3]))
        with pytest.raises(ValueError, match="last dimension shape must be known but is None"):
            layers.softmax(tf.placeholder(tf.float32, [2, None]))
        with pytest.raises(ValueError, match="dims of shape must be known but is None"):
            layers.softmax(tf.placeholder(tf.float32))


@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
def test_spatial_softmax_matches_numpy(data_format):
    features = RNG.randn(2, 3, 4, 2).astype(np.float32)     # NHWC
    fed = features if data_format == "NHWC" else features.transpose(0, 3, 1, 2)
    with tf.Graph().as_default():
        out = layers.spatial_softmax(tf.constant(fed), temperature=0.5, data_format=data_format)
        names = {v.op.name: v.shape.as_list() for v in tf.trainable_variables()}
        value = _run(out)
        with pytest.raises(ValueError, match="num_channels dimension of the inputs to `spatial_softmax`"):
            layers.spatial_softmax(tf.placeholder(tf.float32, [1, 2, 2, None]))
    assert names == {"temperature": []}
    rows, cols = np.meshgrid(np.linspace(-1, 1, 3), np.linspace(-1, 1, 4), indexing="ij")
    expected = []
    for b in range(2):
        keypoints = []
        for c in range(2):
            attention = _softmax(features[b, :, :, c].reshape(-1) / 0.5)
            keypoints += [np.sum(rows.reshape(-1) * attention), np.sum(cols.reshape(-1) * attention)]
        expected.append(keypoints)
    np.testing.assert_allclose(value, expected, rtol=1e-5, atol=1e-6)


def test_spatial_softmax_gradient_matches_finite_differences():
    features = RNG.randn(1, 2, 3, 2)
    weights = RNG.uniform(0.5, 1.5, size=(1, 4))
    with tf.Graph().as_default():
        inputs = tf.placeholder(tf.float32, features.shape)
        loss = tf.reduce_sum(layers.spatial_softmax(inputs, temperature=0.7) * weights)
        temperature = tf.trainable_variables()[0]
        grads = tf.gradients(loss, [inputs, temperature])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            got_input, got_temperature = sess.run(grads, {inputs: features})
            delta, numeric = 1e-2, np.zeros_like(features)
            for position in np.ndindex(*features.shape):
                plus, minus = features.copy(), features.copy()
                plus[position] += delta
                minus[position] -= delta
                numeric[position] = (sess.run(loss, {inputs: plus}) - sess.run(loss, {inputs: minus})) / (2 * delta)
            sess.run(temperature.assign(0.7 + delta))
            up = sess.run(loss, {inputs: features})
            sess.run(temperature.assign(0.7 - delta))
            down = sess.run(loss, {inputs: features})
    np.testing.assert_allclose(got_input, numeric, rtol=2e-3, atol=2e-4)   # float32: the layer's dtype
    np.testing.assert_allclose(got_temperature, (up - down) / (2 * delta), rtol=2e-3, atol=2e-4)


def test_images_to_sequence_and_back():
    images = RNG.randn(2, 3, 4, 5)
    with tf.Graph().as_default():
        sequence = layers.images_to_sequence(tf.constant(images))
        back = layers.sequence_to_images(sequence, 3)
        channels_first = layers.sequence_to_images(sequence, 3, output_data_format="channels_first")
        assert sequence.shape.as_list() == [4, 6, 5] and back.shape.as_list() == [2, 3, 4, 5]
        got_sequence, got_back, got_first = _run([sequence, back, channels_first])
        with pytest.raises(ValueError, match="supports data_format 'NHWC' only"):
            layers.images_to_sequence(tf.constant(images), data_format="NCHW")
    np.testing.assert_array_equal(got_sequence, images.transpose(2, 0, 1, 3).reshape(4, 6, 5))
    np.testing.assert_array_equal(got_back, images)
    np.testing.assert_array_equal(got_first, images.transpose(0, 3, 1, 2))


@pytest.mark.parametrize("multiplier", [-1.0, 0.25])
def test_scale_gradient_scales_only_the_gradient(multiplier):
    x = RNG.randn(3, 2)
    weights = RNG.randn(3, 2)
    with tf.Graph().as_default():
        inputs = tf.constant(x)
        scaled = layers.scale_gradient(inputs, multiplier)
        grad, = tf.gradients(tf.reduce_sum(tf.constant(weights) * tf.square(scaled)), [inputs])
        value, got_grad = _run([scaled, grad])
    np.testing.assert_array_equal(value, x)
    np.testing.assert_allclose(got_grad, multiplier * 2 * weights * x, rtol=1e-12)


def test_dense_to_sparse():
    dense = np.array([[3, 0, 0], [0, 5, 2]], np.int32)
    with tf.Graph().as_default():
        sparse = layers.dense_to_sparse(tf.constant(dense))
        eos = layers.dense_to_sparse(tf.constant(dense), eos_token=5)
        value, value_eos = _run([sparse, eos])
    np.testing.assert_array_equal(value.indices, [[0, 0], [1, 1], [1, 2]])
    np.testing.assert_array_equal(value.values, [3, 5, 2])
    np.testing.assert_array_equal(value.dense_shape, [2, 3])
    np.testing.assert_array_equal(value_eos.values, [3, 0, 0, 0, 2])
