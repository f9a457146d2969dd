"""tf.keras.backend math wrappers (_backend_ops): values vs NumPy, Keras' shape conventions, errors."""
import numpy as np
import pytest

import numflow as tf

K = tf.keras.backend
RNG = np.random.RandomState(0)
X = RNG.randn(2, 3, 4).astype(np.float32)


@pytest.fixture(autouse=True)
def fresh_graph():
    K.clear_session()
    yield
    K.clear_session()


def ev(t):
    return K.get_session().run(t)


@pytest.mark.parametrize("name, reference", [
    ("sum", np.sum), ("mean", np.mean), ("max", np.max), ("min", np.min), ("prod", np.prod), ("std", np.std),
    ("var", np.var), ("logsumexp", lambda x, axis=None, keepdims=False: np.log(np.sum(np.exp(x), axis=axis,
                                                                                     keepdims=keepdims)))])
@pytest.mark.parametrize("axis, keepdims", [(None, False), (1, False), (-1, True), ((0, 2), False)])
def test_reductions(name, reference, axis, keepdims):
    np.testing.assert_allclose(ev(getattr(K, name)(X, axis=axis, keepdims=keepdims)),
                               reference(X.astype(np.float64), axis=axis, keepdims=keepdims), rtol=1e-5, atol=1e-6)


def test_bool_reductions_and_arg():
    b = X > 0
    np.testing.assert_array_equal(ev(K.all(b, axis=1)), b.all(axis=1))
    np.testing.assert_array_equal(ev(K.any(X, axis=0)), (X != 0).any(axis=0))
    np.testing.assert_allclose(ev(K.mean(tf.constant(b), axis=-1)), b.mean(-1), rtol=1e-6)
    np.testing.assert_array_equal(ev(K.argmax(X)), X.argmax(-1))
    np.testing.assert_array_equal(ev(K.argmin(X, axis=1)), X.argmin(1))


@pytest.mark.parametrize("name, reference", [
    ("square", np.square), ("abs", np.abs), ("exp", np.exp), ("sign", np.sign), ("round", np.round),
    ("sin", np.sin), ("cos", np.cos), ("sigmoid", lambda x: 1 / (1 + np.exp(-x))), ("tanh", np.tanh),
    ("softplus", lambda x: np.log1p(np.exp(x))), ("softsign", lambda x: x / (1 + np.abs(x))),
    ("hard_sigmoid", lambda x: np.clip(0.2 * x + 0.5, 0, 1)), ("sqrt", lambda x: np.sqrt(np.maximum(x, 0))),
    ("relu", lambda x: np.maximum(x, 0)), ("elu", lambda x: np.where(x > 0, x, np.expm1(x))),
])
def test_elementwise(name, reference):
    np.testing.assert_allclose(ev(getattr(K, name)(X)), reference(X.astype(np.float64)), rtol=1e-5, atol=1e-6)


def test_comparisons_clip_pow():
    y = RNG.randn(2, 3, 4).astype(np.float32)
    for name, ref in [("equal", np.equal), ("not_equal", np.not_equal), ("greater", np.greater),
                      ("greater_equal", np.greater_equal), ("less", np.less), ("less_equal", np.less_equal),
                      ("maximum", np.maximum), ("minimum", np.minimum)]:
        np.testing.assert_array_equal(ev(getattr(K, name)(X, y)), ref(X, y))
    np.testing.assert_allclose(ev(K.clip(X, -0.5, 0.5)), np.clip(X, -0.5, 0.5))
    np.testing.assert_allclose(ev(K.clip(X, 0.3, 0.1)), np.full_like(X, 0.3))
    np.testing.assert_allclose(ev(K.clip(X, None, 0.2)), np.minimum(X, 0.2))
    np.testing.assert_allclose(ev(K.pow(tf.abs(X), 1.5)), np.abs(X) ** 1.5, rtol=1e-5)
    np.testing.assert_allclose(ev(K.log(tf.abs(X) + 1)), np.log(np.abs(X) + 1), rtol=1e-6)
    np.testing.assert_allclose(ev(K.cumsum(X, axis=1)), np.cumsum(X, axis=1), rtol=1e-6)
    np.testing.assert_allclose(ev(K.cumprod(X, axis=2)), np.cumprod(X, axis=2), rtol=1e-5)
    assert ev(K.cast(X, "int32")).dtype == np.int32


@pytest.mark.parametrize("x_shape, y_shape", [((2, 3), (3, 4)), ((2, 3, 4), (4, 5)), ((3, 4), (2, 4, 5)),
                                              ((2, 3, 4), (6, 4, 5))])
def test_dot_nd(x_shape, y_shape):
    x = RNG.randn(*x_shape).astype(np.float32)
    y = RNG.randn(*y_shape).astype(np.float32)
    got = ev(K.dot(tf.constant(x), tf.constant(y)))
    # Keras' N-D dot: x's last axis against y's second-to-last axis (numpy's dot rule).
    np.testing.assert_allclose(got, np.dot(x, y), rtol=1e-5, atol=1e-5)


def test_dot_with_unknown_batch():
    x = tf.placeholder(tf.float32, [None, 3, 4])
    y = RNG.randn(4, 2).astype(np.float32)
    value = RNG.randn(5, 3, 4).astype(np.float32)
    out = K.dot(x, tf.constant(y))
    assert out.shape.as_list() == [None, 3, 2]
    np.testing.assert_allclose(K.get_session().run(out, {x: value}), np.dot(value, y), rtol=1e-5)


@pytest.mark.parametrize("x_shape, y_shape, axes, einsum", [
    ((4, 3), (4, 3), 1, "bi,bi->b"),
    ((4, 3), (4, 3), (1, 1), "bi,bi->b"),
    ((4, 2, 3), (4, 3, 5), None, "bij,bjk->bik"),
    ((4, 2, 3), (4, 5, 3), (2, 2), "bij,bkj->bik"),
    ((4, 3, 2), (4, 3, 5), (1, 1), "bji,bjk->bik"),
    ((4, 2, 3), (4, 3), (2, 1), "bij,bj->bi"),
])
def test_batch_dot(x_shape, y_shape, axes, einsum):
    x = RNG.randn(*x_shape).astype(np.float32)
    y = RNG.randn(*y_shape).astype(np.float32)
    got = ev(K.batch_dot(tf.constant(x), tf.constant(y), axes=axes))
    expected = np.einsum(einsum, x, y)
    if expected.ndim == 1:
        expected = expected[:, None]
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


def test_shape_functions():
    np.testing.assert_array_equal(ev(K.transpose(X)), X.T)
    np.testing.assert_array_equal(ev(K.permute_dimensions(X, (2, 0, 1))), X.transpose(2, 0, 1))
    np.testing.assert_array_equal(ev(K.reshape(X, (4, 6))), X.reshape(4, 6))
    np.testing.assert_array_equal(ev(K.concatenate([X, X], axis=-1)), np.concatenate([X, X], -1))
    np.testing.assert_array_equal(ev(K.stack([X, X], axis=1)), np.stack([X, X], 1))
    np.testing.assert_array_equal(ev(K.expand_dims(X)), X[..., None])
    np.testing.assert_array_equal(ev(K.squeeze(X[:, :1], 1)), X[:, 0])
    np.testing.assert_array_equal(ev(K.tile(X, (1, 2, 1))), np.tile(X, (1, 2, 1)))
    np.testing.assert_array_equal(ev(K.repeat(X[:, 0], 3)), np.repeat(X[:, 0][:, None], 3, axis=1))
    np.testing.assert_array_equal(ev(K.repeat_elements(X, 2, axis=1)), np.repeat(X, 2, axis=1))
    np.testing.assert_array_equal(ev(K.flatten(X)), X.ravel())
    np.testing.assert_array_equal(ev(K.batch_flatten(X)), X.reshape(2, -1))
    np.testing.assert_array_equal(ev(K.reverse(X, 1)), X[:, ::-1])
    np.testing.assert_array_equal(ev(K.arange(2, 8, 2)), np.arange(2, 8, 2))
    np.testing.assert_array_equal(ev(K.gather(X, [1, 0])), X[[1, 0]])
    np.testing.assert_array_equal(ev(K.one_hot(np.array([0, 2]), 3)), np.eye(3)[[0, 2]])
    np.testing.assert_array_equal(ev(K.shape(X)), [2, 3, 4])
    np.testing.assert_array_equal(ev(K.zeros_like(X)), np.zeros_like(X))
    assert K.count_params(tf.constant(X)) == 24
    with pytest.raises(ValueError, match="repeat expects a 2-D tensor"):
        K.repeat(X, 2)


def test_variable_factories_and_updates():
    z, o, e = K.zeros((2, 3)), K.ones((3,), dtype="float64"), K.eye(3)
    assert isinstance(z, tf.Variable) and o.dtype.base_dtype == tf.float64
    np.testing.assert_array_equal(ev(e), np.eye(3))
    np.testing.assert_array_equal(ev(K.update_add(z, np.ones((2, 3), np.float32))), np.ones((2, 3)))
    np.testing.assert_array_equal(ev(K.update_sub(z, np.ones((2, 3), np.float32) * 3)), -2 * np.ones((2, 3)))
    np.testing.assert_array_equal(ev(K.update(z, np.full((2, 3), 5.0, np.float32))), np.full((2, 3), 5.0))
    v = K.random_uniform_variable((100,), -1.0, 1.0, seed=3)
    values = ev(v)
    assert values.min() >= -1 and values.max() < 1 and values.std() > 0.3
    assert ev(K.random_normal((500,), 2.0, 0.5, seed=1)).mean() == pytest.approx(2.0, abs=0.1)
    binomial = ev(K.random_binomial((1000,), p=0.3, seed=2))
    assert set(np.unique(binomial)) <= {0.0, 1.0} and abs(binomial.mean() - 0.3) < 0.05


def test_moving_average_update_is_zero_debiased():
    x = K.variable(np.array([10.0, 10.0]))
    update = K.moving_average_update(x, tf.constant([2.0, 4.0]), 0.9)
    first = ev(update)
    # Zero debiasing: after one step the average is the value itself, whatever x held before.
    np.testing.assert_allclose(first, [2.0, 4.0], rtol=1e-6)
    update2 = K.moving_average_update(x, tf.constant([0.0, 0.0]), 0.9)
    sess = K.get_session()
    np.testing.assert_allclose(sess.run(update2), [0.0, 0.0], atol=1e-6)


def test_switch():
    cond = tf.placeholder(tf.bool, [])
    out = K.switch(cond, lambda: tf.constant(1.0), lambda: tf.constant(2.0))
    sess = K.get_session()
    assert sess.run(out, {cond: True}) == 1.0 and sess.run(out, {cond: False}) == 2.0
    rows = np.array([True, False])
    np.testing.assert_array_equal(ev(K.switch(rows, X, -X)), np.where(rows[:, None, None], X, -X))
    with pytest.raises(ValueError, match="Rank of `condition` should be less than or equal"):
        K.switch(np.ones((2, 3, 4, 1), bool), X, X)


def test_crossentropies_and_normalize():
    probs = np.array([[0.2, 0.7, 0.1], [0.5, 0.25, 0.25]], dtype=np.float32)
    target = np.array([[0., 1., 0.], [1., 0., 0.]], dtype=np.float32)
    np.testing.assert_allclose(ev(K.categorical_crossentropy(target, probs)), -np.log([0.7, 0.5]), rtol=1e-6)
    np.testing.assert_allclose(ev(K.sparse_categorical_crossentropy(np.array([1, 0]), probs)), -np.log([0.7, 0.5]),
                               rtol=1e-6)
    bce = ev(K.binary_crossentropy(target, probs))
    np.testing.assert_allclose(bce, -(target * np.log(probs) + (1 - target) * np.log(1 - probs)), rtol=1e-5)
    np.testing.assert_allclose(ev(K.l2_normalize(X, axis=-1)), X / np.linalg.norm(X, axis=-1, keepdims=True),
                               rtol=1e-5)
    np.testing.assert_allclose(ev(K.softmax(X)), np.exp(X) / np.exp(X).sum(-1, keepdims=True), rtol=1e-5)
    np.testing.assert_array_equal(ev(K.in_top_k(probs, np.array([1, 2]), 1)), [True, False])


def _np_conv2d(x, k, stride=1):
    rows = (x.shape[1] - k.shape[0]) // stride + 1
    cols = (x.shape[2] - k.shape[1]) // stride + 1
    out = np.zeros((x.shape[0], rows, cols, k.shape[3]))
    for i in range(rows):
        for j in range(cols):
            patch = x[:, i * stride:i * stride + k.shape[0], j * stride:j * stride + k.shape[1], :]
            out[:, i, j, :] = np.tensordot(patch, k, axes=([1, 2, 3], [0, 1, 2]))
    return out


def test_convolutions_and_pooling_in_both_formats():
    x = RNG.randn(2, 5, 6, 3).astype(np.float32)
    k = RNG.randn(3, 2, 3, 4).astype(np.float32)
    expected = _np_conv2d(x, k)
    np.testing.assert_allclose(ev(K.conv2d(x, k, data_format="channels_last")), expected, rtol=1e-4, atol=1e-5)
    first = ev(K.conv2d(x.transpose(0, 3, 1, 2), k, data_format="channels_first"))
    np.testing.assert_allclose(first, expected.transpose(0, 3, 1, 2), rtol=1e-4, atol=1e-5)
    pooled = ev(K.pool2d(x, (2, 2), strides=(2, 2), pool_mode="max"))
    np.testing.assert_allclose(pooled, x[:, :4, :6].reshape(2, 2, 2, 3, 2, 3).max(axis=(2, 4)))
    avg = ev(K.pool2d(x.transpose(0, 3, 1, 2), (2, 2), strides=(2, 2), data_format="channels_first", pool_mode="avg"))
    np.testing.assert_allclose(avg, x[:, :4, :6].reshape(2, 2, 2, 3, 2, 3).mean(axis=(2, 4)).transpose(0, 3, 1, 2),
                               rtol=1e-5)
    seq = RNG.randn(2, 7, 3).astype(np.float32)
    k1 = RNG.randn(3, 3, 2).astype(np.float32)
    causal = ev(K.conv1d(seq, k1, padding="causal"))
    padded = np.concatenate([np.zeros((2, 2, 3), np.float32), seq], axis=1)
    np.testing.assert_allclose(causal, _np_conv2d(padded[:, :, None], k1[:, None])[:, :, 0], rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match="Invalid pool_mode: median"):
        K.pool2d(x, (2, 2), pool_mode="median")
    with pytest.raises(ValueError, match="Unknown padding: full"):
        K.conv2d(x, k, padding="full")
    with pytest.raises(ValueError, match="Unknown data_format: nhwc"):
        K.conv2d(x, k, data_format="nhwc")


def test_bias_add_padding_resize():
    x = RNG.randn(2, 3, 4, 5).astype(np.float32)
    bias = RNG.randn(5).astype(np.float32)
    np.testing.assert_allclose(ev(K.bias_add(x, bias)), x + bias, rtol=1e-6)
    np.testing.assert_allclose(ev(K.bias_add(x, bias[:3], data_format="channels_first")),
                               x + bias[:3][None, :, None, None], rtol=1e-6)
    with pytest.raises(ValueError, match="Unexpected bias dimensions 2"):
        K.bias_add(x, np.ones((5, 1), np.float32))
    np.testing.assert_array_equal(ev(K.spatial_2d_padding(x, ((1, 0), (2, 1)))),
                                  np.pad(x, [(0, 0), (1, 0), (2, 1), (0, 0)]))
    np.testing.assert_array_equal(ev(K.temporal_padding(x[:, 0], (2, 3))), np.pad(x[:, 0], [(0, 0), (2, 3), (0, 0)]))
    np.testing.assert_array_equal(ev(K.spatial_3d_padding(x[..., None], ((1, 1), (0, 1), (1, 0)),
                                                          data_format="channels_last")),
                                  np.pad(x[..., None], [(0, 0), (1, 1), (0, 1), (1, 0), (0, 0)]))
    up = ev(K.resize_images(x, 2, 3, "channels_last"))
    np.testing.assert_array_equal(up, x.repeat(2, axis=1).repeat(3, axis=2))
    with pytest.raises(ValueError, match="interpolation should be one of"):
        K.resize_images(x, 2, 2, "channels_last", interpolation="cubic")


def test_dropout_gradients_control():
    ones = np.ones((200, 50), np.float32)
    dropped = ev(K.dropout(ones, 0.4, seed=1))
    assert set(np.unique(dropped)) <= {0.0, np.float32(1 / 0.6)}
    assert abs((dropped == 0).mean() - 0.4) < 0.03
    w = K.variable(np.array([1.0, 2.0]))
    grad, = K.gradients(K.sum(K.square(w)), [w])
    np.testing.assert_allclose(ev(grad), [2.0, 4.0])
    stopped, = K.gradients(K.sum(K.stop_gradient(w) * w), [w])
    np.testing.assert_allclose(ev(stopped), [1.0, 2.0])
    np.testing.assert_allclose(ev(K.map_fn(lambda r: r * 2, tf.constant(X))), X * 2)
    np.testing.assert_allclose(ev(K.foldl(lambda a, r: a + r, tf.constant(X[0]))), X[0].sum(0), rtol=1e-6)
    np.testing.assert_allclose(ev(K.foldr(lambda a, r: a + r, tf.constant(X[0]))), X[0].sum(0), rtol=1e-6)
    np.testing.assert_array_equal(ev(K.print_tensor(tf.constant([1.0]), "value:")), [1.0])


def test_relu_gradient():
    from gradcheck import check_gradients
    x = np.array([-1.5, -0.3, 0.4, 2.2, 7.0])
    check_gradients(lambda t: K.relu(t, alpha=0.1, max_value=6.0), [x])
    check_gradients(lambda t: K.dot(t, tf.constant(np.arange(10.0).reshape(5, 2))), [x.reshape(1, 5)])


def test_ctc_functions():
    probs = np.array([[[0.6, 0.1, 0.3], [0.2, 0.5, 0.3]],
                      [[0.1, 0.2, 0.7], [0.1, 0.8, 0.1]]], np.float32)   # classes a, b and the blank last
    labels = np.array([[0, 5], [1, 1]])
    loss = K.ctc_batch_cost(labels, probs, np.array([[2], [2]]), np.array([[1], [1]]))
    sparse = K.ctc_label_dense_to_sparse(labels, np.array([1, 2]))
    decoded, log_prob = K.ctc_decode(probs, np.array([2, 2]))
    sess = K.get_session()
    # Paths of "a" over two steps: a-blank, blank-a, a-a (and the same for "b").
    expected = [-np.log(0.6 * 0.3 + 0.3 * 0.2 + 0.6 * 0.2), -np.log(0.2 * 0.1 + 0.7 * 0.8 + 0.2 * 0.8)]
    np.testing.assert_allclose(sess.run(loss)[:, 0], expected, rtol=1e-5)
    value = sess.run(sparse)
    np.testing.assert_array_equal(value.indices, [[0, 0], [1, 0], [1, 1]])
    np.testing.assert_array_equal(value.values, [0, 1, 1])
    dense, = sess.run(decoded)
    np.testing.assert_array_equal(dense, [[0, 1], [1, -1]])
    # TF's greedy decoder reports minus the summed log probabilities of the best path.
    np.testing.assert_allclose(sess.run(log_prob)[:, 0], -np.log([0.6 * 0.5, 0.7 * 0.8]), rtol=1e-5)


def test_separable_and_local_convolutions():
    x = RNG.randn(2, 6, 3).astype(np.float32)
    depthwise = RNG.randn(3, 3, 2).astype(np.float32)
    pointwise = RNG.randn(1, 6, 4).astype(np.float32)
    got = ev(K.separable_conv1d(x, depthwise, pointwise))
    depth_out = np.stack([np.stack([np.einsum("bkc,kc->bc", x[:, i:i + 3], depthwise[:, :, m]) for m in range(2)],
                                   axis=-1).reshape(2, 6) for i in range(4)], axis=1)
    np.testing.assert_allclose(got, depth_out @ pointwise[0], rtol=1e-4, atol=1e-5)
    kernel1 = RNG.randn(2, 2 * 3, 4).astype(np.float32)      # output length 2 (kernel 2, stride 3)
    local1 = ev(K.local_conv1d(x, kernel1, (2,), (3,)))
    expected1 = np.stack([x[:, 3 * i:3 * i + 2].reshape(2, -1) @ kernel1[i] for i in range(2)], axis=1)
    np.testing.assert_allclose(local1, expected1, rtol=1e-5, atol=1e-5)
    image = RNG.randn(2, 4, 5, 3).astype(np.float32)
    kernel2 = RNG.randn(3 * 2, 2 * 2 * 3, 4).astype(np.float32)   # 3x2 positions of 2x2 windows, stride (1, 2)
    local2 = ev(K.local_conv2d(image, kernel2, (2, 2), (1, 2), (3, 2)))
    expected2 = np.zeros((2, 3, 2, 4))
    for r in range(3):
        for c in range(2):
            expected2[:, r, c] = image[:, r:r + 2, 2 * c:2 * c + 2].reshape(2, -1) @ kernel2[r * 2 + c]
    np.testing.assert_allclose(local2, expected2, rtol=1e-4, atol=1e-5)
    first = ev(K.local_conv2d(image.transpose(0, 3, 1, 2), kernel2, (2, 2), (1, 2), (3, 2),
                              data_format="channels_first"))
    np.testing.assert_allclose(first, expected2.transpose(0, 3, 1, 2), rtol=1e-4, atol=1e-5)
    volume = RNG.randn(1, 2, 2, 2, 1).astype(np.float32)
    np.testing.assert_array_equal(ev(K.resize_volumes(volume, 2, 1, 3, "channels_last")),
                                  volume.repeat(2, 1).repeat(3, 3))
