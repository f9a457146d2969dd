"""Array ops: values against NumPy, static shapes, gradients against finite differences, errors."""
import numpy as np
import pytest

import numflow as tf
from gradcheck import check_gradients, evaluate

RNG = np.random.RandomState(0)


def rand(*shape):
    return RNG.uniform(-1.0, 1.0, size=shape)


def run(tensors, feed=None):
    with tf.Session() as sess:
        return sess.run(tensors, feed)


# --- creation ------------------------------------------------------------------------------------
def test_zeros_and_ones_values_dtypes_and_names():
    z = tf.zeros([2, 3])
    o = tf.ones((2,), dtype="int32")
    s = tf.zeros([], dtype=tf.float64)
    b = tf.ones([2], dtype=tf.bool)
    assert z.dtype == tf.float32 and z.shape.as_list() == [2, 3]
    assert o.dtype == tf.int32 and s.shape.ndims == 0
    zv, ov, sv, bv = run([z, o, s, b])
    np.testing.assert_array_equal(zv, np.zeros([2, 3], np.float32))
    assert zv.dtype == np.float32 and ov.dtype == np.int32 and bv.dtype == np.bool_
    np.testing.assert_array_equal(ov, [1, 1])
    assert sv == 0.0 and bv.all()


def test_zeros_ones_accept_shape_tensors_and_tensorshapes():
    x = tf.placeholder(tf.float32, [None, 3])
    z = tf.zeros(tf.shape(x), dtype="float64")
    o = tf.ones([tf.shape(x)[0], 2])
    t = tf.zeros(tf.TensorShape([2, 2]))
    assert z.dtype == tf.float64 and z.shape.as_list() == [None, 3]
    assert o.shape.as_list() == [None, 2]
    zv, ov, tv = run([z, o, t], {x: np.ones([4, 3], np.float32)})
    assert zv.shape == (4, 3) and zv.dtype == np.float64 and not zv.any()
    assert ov.shape == (4, 2) and ov.dtype == np.float32 and ov.all()
    assert tv.shape == (2, 2)


def test_fill_value_shape_and_gradient():
    dims = tf.placeholder(tf.int32, [2])
    f = tf.fill(dims, 7)
    assert f.dtype == tf.int32 and f.shape.as_list() == [None, None]
    np.testing.assert_array_equal(run(f, {dims: [2, 3]}), np.full([2, 3], 7, np.int32))
    g = tf.fill([2, 3], 1.5)
    assert g.shape.as_list() == [2, 3]
    np.testing.assert_array_equal(run(g), np.full([2, 3], 1.5, np.float32))
    check_gradients(lambda v: tf.fill([2, 3], v), [np.float64(0.3)])


def test_fill_errors():
    with pytest.raises(ValueError, match="value must be a scalar"):
        tf.fill([2], [1.0, 2.0])
    with pytest.raises(ValueError, match="non-negative"):
        tf.fill([2, -1], 1.0)
    with pytest.raises(TypeError, match="integers"):
        tf.fill([2.5], 1.0)


def test_zeros_like_ones_like():
    x = tf.placeholder(tf.float64, [None, 2])
    z = tf.zeros_like(x)
    o = tf.ones_like(x, dtype=tf.int32)
    assert z.dtype == tf.float64 and o.dtype == tf.int32 and o.shape.as_list() == [None, 2]
    zv, ov = run([z, o], {x: np.ones([3, 2])})
    np.testing.assert_array_equal(zv, np.zeros([3, 2]))
    np.testing.assert_array_equal(ov, np.ones([3, 2], np.int32))
    assert ov.dtype == np.int32


# --- shape queries -------------------------------------------------------------------------------
def test_shape_size_rank_shape_n():
    x = tf.placeholder(tf.float32, [None, 3])
    y = tf.placeholder(tf.float32, None)
    s, n, r = tf.shape(x), tf.size(x), tf.rank(x)
    s64 = tf.shape(x, out_type=tf.int64)
    assert s.dtype == tf.int32 and s.shape.as_list() == [2]
    assert tf.shape(y).shape.as_list() == [None]
    assert n.dtype == tf.int32 and n.shape.ndims == 0 and r.dtype == tf.int32
    assert tf.size(x, out_type=tf.int64).dtype == tf.int64
    shapes = tf.shape_n([x, tf.constant([1, 2])])
    value = np.zeros([4, 3], np.float32)
    sv, nv, rv, s64v, (a, b) = run([s, n, r, s64, shapes], {x: value})
    np.testing.assert_array_equal(sv, [4, 3])
    assert sv.dtype == np.int32 and s64v.dtype == np.int64
    assert nv == 12 and rv == 2
    np.testing.assert_array_equal(a, [4, 3])
    np.testing.assert_array_equal(b, [2])


def test_shape_out_type_must_be_integer():
    with pytest.raises(TypeError, match="out_type"):
        tf.shape(tf.constant(1.0), out_type=tf.float32)


# --- reshape -------------------------------------------------------------------------------------
def test_reshape_values_and_minus_one():
    x = rand(2, 3, 4)
    np.testing.assert_array_equal(evaluate(lambda t: tf.reshape(t, [6, -1]), [x]), x.reshape(6, -1))
    t = tf.constant(x)
    assert tf.reshape(t, [-1]).shape.as_list() == [24]
    assert tf.reshape(t, [4, -1, 2]).shape.as_list() == [4, 3, 2]


def test_reshape_static_shape_with_unknown_dims():
    x = tf.placeholder(tf.float32, [None, 28, 28, 1])
    assert tf.reshape(x, [-1, 784]).shape.as_list() == [None, 784]
    assert tf.reshape(x, [tf.shape(x)[0], -1]).shape.as_list() == [None, 784]
    assert tf.reshape(x, tf.shape(x)).shape.as_list() == [None, 28, 28, 1]
    dynamic = tf.placeholder(tf.int32, [3])
    assert tf.reshape(x, dynamic).shape.as_list() == [None, None, None]
    assert tf.reshape(x, tf.placeholder(tf.int32)).shape.ndims is None
    out = run(tf.reshape(x, [tf.shape(x)[0], -1]), {x: np.ones([5, 28, 28, 1], np.float32)})
    assert out.shape == (5, 784)


def test_reshape_errors_name_the_sizes():
    t = tf.constant(np.zeros([2, 3]))
    with pytest.raises(ValueError, match="6 elements to shape \\[4\\]"):
        tf.reshape(t, [4])
    with pytest.raises(ValueError, match="6 elements to shape \\[4, -1\\]"):
        tf.reshape(t, [4, -1])
    with pytest.raises(ValueError, match="Only one dimension"):
        tf.reshape(t, [-1, -1])
    p = tf.placeholder(tf.float32, [None])
    r = tf.reshape(p, [2, 2])
    with pytest.raises(tf.errors.InvalidArgumentError, match="reshape"):
        run(r, {p: np.ones(3, np.float32)})


def test_reshape_gradient():
    check_gradients(lambda t: tf.reshape(t, [3, -1]), [rand(2, 3)])


# --- transpose -----------------------------------------------------------------------------------
def test_transpose_values_shapes_and_gradient():
    x = rand(2, 3, 4)
    np.testing.assert_array_equal(evaluate(lambda t: tf.transpose(t), [x]), x.T)
    np.testing.assert_array_equal(evaluate(lambda t: tf.transpose(t, [1, 0, 2]), [x]), x.transpose(1, 0, 2))
    p = tf.placeholder(tf.float32, [None, 5, 7])
    assert tf.transpose(p, [2, 0, 1]).shape.as_list() == [7, None, 5]
    assert tf.transpose(p).shape.as_list() == [7, 5, None]
    assert tf.transpose(tf.placeholder(tf.float32)).shape.ndims is None
    check_gradients(lambda t: tf.transpose(t, [2, 0, 1]), [rand(2, 3, 4)])
    check_gradients(lambda t: tf.transpose(t), [rand(2, 3)])


def test_transpose_dynamic_perm_and_unknown_rank():
    perm = tf.placeholder(tf.int32, [3])
    x = tf.constant(rand(2, 3, 4))
    y = tf.transpose(x, perm)
    assert y.shape.as_list() == [None, None, None]
    p = tf.placeholder(tf.float64)
    grad = tf.gradients(tf.transpose(p, perm) * tf.constant(np.arange(24.0).reshape(4, 2, 3)), p)[0]
    value = rand(2, 3, 4)
    out, g = run([y, grad], {perm: [2, 0, 1], p: value})
    np.testing.assert_array_equal(out, np.transpose(run(x), [2, 0, 1]))
    np.testing.assert_array_equal(g, np.transpose(np.arange(24.0).reshape(4, 2, 3), [1, 2, 0]))
    unknown = tf.transpose(p)
    assert unknown.shape.ndims is None
    np.testing.assert_array_equal(run(unknown, {p: value}), value.T)


def test_transpose_errors():
    x = tf.constant(rand(2, 3))
    with pytest.raises(ValueError, match="Dimension must be 2 but is 3"):
        tf.transpose(x, [0, 1, 2])
    with pytest.raises(ValueError, match="not a permutation"):
        tf.transpose(x, [0, 0])


def test_matrix_transpose_and_invert_permutation():
    x = rand(2, 3, 4)
    out = evaluate(lambda t: tf.matrix_transpose(t), [x])
    np.testing.assert_array_equal(out, np.swapaxes(x, -1, -2))
    with pytest.raises(ValueError, match="rank >= 2"):
        tf.matrix_transpose(tf.constant([1.0]))
    inv = tf.invert_permutation(tf.constant([2, 0, 3, 1]))
    np.testing.assert_array_equal(run(inv), [1, 3, 0, 2])
    bad = tf.invert_permutation(tf.placeholder(tf.int32, [3]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="not a permutation"):
        run(bad, {bad.op.inputs[0]: [0, 0, 1]})


# --- expand_dims / squeeze -----------------------------------------------------------------------
def test_expand_dims():
    x = rand(2, 3)
    for axis in (0, 1, 2, -1, -3):
        np.testing.assert_array_equal(evaluate(lambda t: tf.expand_dims(t, axis), [x]), np.expand_dims(x, axis))
    p = tf.placeholder(tf.float32, [None, 3])
    assert tf.expand_dims(p, -1).shape.as_list() == [None, 3, 1]
    assert tf.expand_dims(p, dim=0).shape.as_list() == [1, None, 3]
    check_gradients(lambda t: tf.expand_dims(t, 1), [rand(2, 3)])


def test_expand_dims_errors():
    x = tf.constant(rand(2, 3))
    with pytest.raises(ValueError, match="Tried to expand dim index 3 for tensor with 2 dimensions"):
        tf.expand_dims(x, 3)
    with pytest.raises(ValueError, match="Must specify an axis"):
        tf.expand_dims(x)
    with pytest.raises(ValueError, match="both"):
        tf.expand_dims(x, 0, dim=0)


def test_squeeze():
    x = rand(1, 3, 1, 2)
    np.testing.assert_array_equal(evaluate(lambda t: tf.squeeze(t), [x]), np.squeeze(x))
    np.testing.assert_array_equal(evaluate(lambda t: tf.squeeze(t, [2]), [x]), np.squeeze(x, 2))
    np.testing.assert_array_equal(evaluate(lambda t: tf.squeeze(t, squeeze_dims=[-2, 0]), [x]), x.reshape(3, 2))
    p = tf.placeholder(tf.float32, [None, 1, 3])
    assert tf.squeeze(p, [1]).shape.as_list() == [None, 3]
    assert tf.squeeze(p).shape.ndims is None
    assert tf.squeeze(tf.constant(x)).shape.as_list() == [3, 2]
    check_gradients(lambda t: tf.squeeze(t, 0), [rand(1, 3)])


def test_squeeze_errors():
    x = tf.constant(rand(1, 3))
    with pytest.raises(ValueError, match="Can not squeeze dim\\[1\\], expected a dimension of 1, got 3"):
        tf.squeeze(x, [1])
    with pytest.raises(ValueError, match="Tried to squeeze dim index 2"):
        tf.squeeze(x, [2])
    with pytest.raises(ValueError, match="both"):
        tf.squeeze(x, 0, squeeze_dims=[0])


# --- concat / stack / unstack / split ------------------------------------------------------------
def test_concat_values_shapes_and_gradient():
    a, b = rand(2, 3), rand(2, 1)
    np.testing.assert_array_equal(evaluate(lambda x, y: tf.concat([x, y], 1), [a, b]),
                                  np.concatenate([a, b], 1))
    np.testing.assert_array_equal(evaluate(lambda x, y: tf.concat([x, y], -1), [a, b]),
                                  np.concatenate([a, b], 1))
    p = tf.placeholder(tf.float32, [None, 3])
    q = tf.placeholder(tf.float32, [2, None])
    assert tf.concat([p, q], 0).shape.as_list() == [None, 3]
    assert tf.concat([p, q], 1).shape.as_list() == [2, None]
    assert tf.concat([p, tf.ones([4, 3])], 0).shape.as_list() == [None, 3]
    check_gradients(lambda x, y: tf.concat([x, y, x], 1), [rand(2, 3), rand(2, 2)])
    single = tf.concat([p], 0)
    assert single.op.type == "Identity"


def test_concat_gradient_with_unknown_sizes():
    p = tf.placeholder(tf.float64, [None, 2])
    q = tf.placeholder(tf.float64, [None, 2])
    out = tf.concat([p, q], 0)
    gp, gq = tf.gradients(out * tf.constant(np.arange(10.0).reshape(5, 2)), [p, q])
    gpv, gqv = run([gp, gq], {p: np.ones([2, 2]), q: np.ones([3, 2])})
    np.testing.assert_array_equal(gpv, np.arange(4.0).reshape(2, 2))
    np.testing.assert_array_equal(gqv, np.arange(4.0, 10.0).reshape(3, 2))


def test_concat_errors():
    a, b = tf.constant(rand(2, 3)), tf.constant(rand(3, 3))
    with pytest.raises(ValueError, match="Dimension 1 in both shapes must be equal, but are 3 and 2"):
        tf.concat([a, tf.constant(rand(2, 2))], 0)
    with pytest.raises(ValueError, match="Shape must be rank 2 but is rank 1"):
        tf.concat([a, tf.constant(np.array([1.0]))], 0)
    with pytest.raises(ValueError, match="range \\[-2, 2\\), but got 2"):
        tf.concat([a, b], 2)
    with pytest.raises(TypeError, match="don't all match"):
        tf.concat([a, tf.constant([[1, 2, 3]])], 0)
    assert tf.concat([a, b], 0).shape.as_list() == [5, 3]


def test_stack_and_unstack():
    xs = [rand(2, 3) for _ in range(4)]
    for axis in (0, 1, 2, -1):
        np.testing.assert_array_equal(evaluate(lambda *t: tf.stack(list(t), axis), xs), np.stack(xs, axis))
    x = rand(3, 4)
    parts = evaluate(lambda t: tf.unstack(t, axis=1), [x])
    assert len(parts) == 4
    for i, part in enumerate(parts):
        np.testing.assert_array_equal(part, x[:, i])
    scalars = evaluate(lambda t: tf.unstack(t), [np.array([1.0, 2.0])])
    assert scalars == [1.0, 2.0]
    p = tf.placeholder(tf.float32, [None, 3])
    assert tf.stack([p, p], 1).shape.as_list() == [None, 2, 3]
    assert [t.shape.as_list() for t in tf.unstack(p, axis=1)] == [[None]] * 3
    assert tf.stack([1, 2, tf.constant(3)]).dtype == tf.int32


def test_stack_unstack_gradients():
    check_gradients(lambda x, y: tf.stack([x, y], axis=1), [rand(2, 3), rand(2, 3)])
    check_gradients(lambda x: tf.unstack(x, axis=1)[1] * 2.0, [rand(2, 3)])
    check_gradients(lambda x: tf.add_n(tf.unstack(x)), [rand(3, 2)])


def test_stack_unstack_errors():
    with pytest.raises(ValueError, match="Dimension 0 in both shapes must be equal, but are 2 and 3"):
        tf.stack([tf.constant([1.0, 2.0]), tf.constant([1.0, 2.0, 3.0])])
    with pytest.raises(ValueError, match="Shapes must be equal rank"):
        tf.stack([tf.constant([1.0, 2.0]), tf.constant(1.0)])
    with pytest.raises(ValueError, match="axis = 3 not in \\[-2, 2\\)"):
        tf.stack([tf.constant([1.0]), tf.constant([2.0])], axis=3)
    with pytest.raises(ValueError, match="Cannot infer num from shape \\[\\?,3\\]"):
        tf.unstack(tf.placeholder(tf.float32, [None, 3]))
    with pytest.raises(ValueError, match="Dimension must be 4 but is 3"):
        tf.unstack(tf.constant(rand(3, 2)), num=4)
    p = tf.placeholder(tf.float32, [None])
    parts = tf.unstack(p, num=2)
    with pytest.raises(tf.errors.InvalidArgumentError, match="must equal 2"):
        run(parts, {p: np.ones(3, np.float32)})


def test_split():
    x = rand(6, 4)
    parts = evaluate(lambda t: tf.split(t, 3), [x])
    for got, want in zip(parts, np.split(x, 3)):
        np.testing.assert_array_equal(got, want)
    parts = evaluate(lambda t: tf.split(t, [1, -1, 2], axis=1), [x])
    for got, want in zip(parts, np.split(x, [1, 2], axis=1)):
        np.testing.assert_array_equal(got, want)
    p = tf.placeholder(tf.float32, [None, 4])
    assert [t.shape.as_list() for t in tf.split(p, [1, -1], 1)] == [[None, 1], [None, 3]]
    assert [t.shape.as_list() for t in tf.split(p, 2)] == [[None, 4], [None, 4]]
    assert [t.shape.as_list() for t in tf.split(p, [2, -1])] == [[2, 4], [None, 4]]
    one = tf.split(p, 1, axis=1)
    assert len(one) == 1 and one[0].shape.as_list() == [None, 4]
    check_gradients(lambda t: tf.split(t, [1, -1], axis=1)[1] * 3.0, [rand(2, 4)])
    check_gradients(lambda t: tf.concat(tf.split(t, 2)[::-1], 0), [rand(4, 2)])


def test_split_errors():
    x = tf.constant(rand(5, 2))
    with pytest.raises(ValueError, match="evenly divisible by 2 but is 5"):
        tf.split(x, 2)
    with pytest.raises(ValueError, match="Determined shape must either match"):
        tf.split(x, [2, 2])
    with pytest.raises(ValueError, match="Determined shape must either match"):
        tf.split(x, [4, 2, -1])
    with pytest.raises(ValueError, match="out of range"):
        tf.split(x, 2, axis=2)
    p = tf.placeholder(tf.float32, [None])
    parts = tf.split(p, 2)
    with pytest.raises(tf.errors.InvalidArgumentError, match="evenly divide"):
        run(parts, {p: np.ones(3, np.float32)})
    parts = tf.split(p, [1, 1])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Determined shape"):
        run(parts, {p: np.ones(3, np.float32)})


# --- tile / broadcast_to -------------------------------------------------------------------------
def test_tile():
    x = rand(2, 3)
    np.testing.assert_array_equal(evaluate(lambda t: tf.tile(t, [2, 3]), [x]), np.tile(x, [2, 3]))
    p = tf.placeholder(tf.float32, [None, 3])
    assert tf.tile(p, [2, 2]).shape.as_list() == [None, 6]
    assert tf.tile(p, tf.placeholder(tf.int32, [2])).shape.as_list() == [None, None]
    check_gradients(lambda t: tf.tile(t, [3, 2]), [rand(2, 3)])
    check_gradients(lambda t: tf.tile(t, [1, 1, 2]), [rand(2, 1, 3)])
    with pytest.raises(ValueError, match="multiples must have one entry per dimension"):
        tf.tile(tf.constant(x), [2])


def test_broadcast_to():
    x = rand(3, 1)
    np.testing.assert_array_equal(evaluate(lambda t: tf.broadcast_to(t, [2, 3, 4]), [x]),
                                  np.broadcast_to(x, [2, 3, 4]))
    p = tf.placeholder(tf.float32, [None, 1])
    assert tf.broadcast_to(p, [5, 4]).shape.as_list() == [5, 4]
    shape_ = tf.placeholder(tf.int32, [2])
    assert tf.broadcast_to(tf.constant(x), shape_).shape.as_list() == [3, None]
    check_gradients(lambda t: tf.broadcast_to(t, [2, 3, 4]), [rand(3, 1)])
    with pytest.raises(ValueError, match="Unable to broadcast tensor of shape \\[3,1\\]"):
        tf.broadcast_to(tf.constant(x), [4, 2])
    out = tf.broadcast_to(p, [2, 2])
    with pytest.raises(tf.errors.InvalidArgumentError):
        run(out, {p: np.ones([3, 1], np.float32)})


# --- gather / gather_nd --------------------------------------------------------------------------
def test_gather_values_and_shapes():
    params = rand(5, 3)
    indices = np.array([[0, 4], [2, 2]], np.int32)
    np.testing.assert_array_equal(evaluate(lambda p: tf.gather(p, indices), [params]), params[indices])
    np.testing.assert_array_equal(evaluate(lambda p: tf.gather(p, [2, 0], axis=1), [params]), params[:, [2, 0]])
    np.testing.assert_array_equal(evaluate(lambda p: tf.gather(p, 1, axis=-1), [params]), params[:, 1])
    scalar = evaluate(lambda p: tf.gather(p, 3), [np.arange(5.0)])
    assert scalar == 3.0
    p = tf.placeholder(tf.float32, [None, 7])
    i = tf.placeholder(tf.int64, [None, 2])
    assert tf.gather(p, i).shape.as_list() == [None, 2, 7]
    assert tf.gather(p, i, axis=1).shape.as_list() == [None, None, 2]
    words = tf.gather(tf.constant(["a", "b", "c"]), [2, 0])
    assert list(run(words)) == [b"c", b"a"]


def test_gather_gradients_with_repeated_indices():
    check_gradients(lambda p: tf.gather(p, [0, 2, 2, 0]), [rand(3, 2)])
    check_gradients(lambda p: tf.gather(p, [[1, 1], [0, 2]], axis=1), [rand(2, 3, 2)])
    check_gradients(lambda p: tf.gather(p, [1, 0, 1], axis=-1), [rand(2, 2)])


def test_gather_errors():
    params = tf.constant(rand(3, 2))
    with pytest.raises(TypeError, match="indices"):
        tf.gather(params, tf.constant([0.0]))
    with pytest.raises(ValueError, match="axis 2 is out of range"):
        tf.gather(params, [0], axis=2)
    i = tf.placeholder(tf.int32, [None])
    out = tf.gather(params, i)
    with pytest.raises(tf.errors.InvalidArgumentError, match="indices\\[1\\] = 3 is not in \\[0, 3\\)"):
        run(out, {i: [0, 3]})
    with pytest.raises(tf.errors.InvalidArgumentError, match="indices\\[0\\] = -1 is not in \\[0, 3\\)"):
        run(out, {i: [-1]})


def test_gather_nd():
    params = rand(3, 4, 2)
    indices = np.array([[0, 1], [2, 3]], np.int32)
    np.testing.assert_array_equal(evaluate(lambda p: tf.gather_nd(p, indices), [params]),
                                  params[[0, 2], [1, 3]])
    full = np.array([[0, 1, 1], [2, 0, 0]], np.int32)
    np.testing.assert_array_equal(evaluate(lambda p: tf.gather_nd(p, full), [params]), params[[0, 2], [1, 0], [1, 0]])
    assert tf.gather_nd(tf.constant(params), [[1]]).shape.as_list() == [1, 4, 2]
    check_gradients(lambda p: tf.gather_nd(p, [[0, 1], [0, 1], [2, 0]]), [rand(3, 2, 2)])
    with pytest.raises(ValueError, match="must be <= params.rank"):
        tf.gather_nd(tf.constant(rand(2, 2)), [[0, 0, 0]])
    i = tf.placeholder(tf.int32, [None, 2])
    out = tf.gather_nd(tf.constant(params), i)
    with pytest.raises(tf.errors.InvalidArgumentError, match="does not index into param shape"):
        run(out, {i: [[0, 4]]})


# --- slice ---------------------------------------------------------------------------------------
def test_slice_values_and_shapes():
    x = rand(4, 5, 3)
    np.testing.assert_array_equal(evaluate(lambda t: tf.slice(t, [1, 0, 1], [2, -1, 1]), [x]), x[1:3, :, 1:2])
    p = tf.placeholder(tf.float32, [None, 5])
    assert tf.slice(p, [1, 2], [-1, 3]).shape.as_list() == [None, 3]
    assert tf.slice(p, [1, 2], [2, -1]).shape.as_list() == [2, 3]
    begin = tf.placeholder(tf.int32, [2])
    assert tf.slice(p, begin, [2, 2]).shape.as_list() == [2, 2]
    assert tf.slice(p, begin, [2, -1]).shape.as_list() == [2, None]
    out = run(tf.slice(p, begin, [-1, 2]), {p: np.arange(15, dtype=np.float32).reshape(3, 5), begin: [1, 3]})
    np.testing.assert_array_equal(out, np.arange(15, dtype=np.float32).reshape(3, 5)[1:, 3:5])


def test_slice_gradients():
    check_gradients(lambda t: tf.slice(t, [1, 0], [2, -1]), [rand(4, 3)])
    p = tf.placeholder(tf.float64, [None, 3])
    begin = tf.placeholder(tf.int32, [2])
    g = tf.gradients(tf.slice(p, begin, [1, 2]), p)[0]
    expected = np.zeros([3, 3])
    expected[2, 1:3] = 1.0
    np.testing.assert_array_equal(run(g, {p: np.ones([3, 3]), begin: [2, 1]}), expected)


def test_slice_errors():
    x = tf.constant(rand(2, 3))
    with pytest.raises(ValueError, match="Expected size\\[1\\] in \\[0, 2\\], but got 3"):
        tf.slice(x, [0, 1], [1, 3])
    with pytest.raises(ValueError, match="Expected begin\\[0\\] in \\[0, 2\\], but got 3"):
        tf.slice(x, [3, 0], [-1, -1])
    with pytest.raises(ValueError, match="Length of begin"):
        tf.slice(x, [0], [1])
    begin = tf.placeholder(tf.int32, [2])
    out = tf.slice(x, begin, [2, 2])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Expected begin"):
        run(out, {begin: [1, 0]})


# --- strided_slice (the op; Python indexing is in test_indexing.py) ------------------------------
def test_strided_slice_op_with_masks():
    x = rand(4, 5, 6)
    out = evaluate(lambda t: tf.strided_slice(t, [1, 0, 0], [3, 0, 0], [1, 1, 2], begin_mask=6, end_mask=6), [x])
    np.testing.assert_array_equal(out, x[1:3, :, ::2])
    out = evaluate(lambda t: tf.strided_slice(t, [0, 2], [0, 0], [1, 1], ellipsis_mask=1, shrink_axis_mask=2), [x])
    np.testing.assert_array_equal(out, x[..., 2])
    out = evaluate(lambda t: tf.strided_slice(t, [0, 1], [0, 2], new_axis_mask=1), [x])
    np.testing.assert_array_equal(out, x[None, 1:2])
    check_gradients(lambda t: tf.strided_slice(t, [3, 1], [0, 0], [-2, 1], end_mask=3), [rand(4, 3)])


def test_strided_slice_errors():
    x = tf.constant(rand(3, 3))
    with pytest.raises(ValueError, match="strides\\[0\\] must be non-zero"):
        tf.strided_slice(x, [0], [1], [0])
    with pytest.raises(ValueError, match="equal size"):
        tf.strided_slice(x, [0, 0], [1], [1])
    with pytest.raises(ValueError, match="Multiple ellipses"):
        tf.strided_slice(x, [0, 0], [0, 0], [1, 1], ellipsis_mask=3)


# --- pad -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["CONSTANT", "reflect", "Symmetric"])
def test_pad_values_and_gradients(mode):
    x = rand(3, 4)
    paddings = [[1, 2], [2, 1]]
    out = evaluate(lambda t: tf.pad(t, paddings, mode), [x])
    np.testing.assert_array_equal(out, np.pad(x, paddings, mode=mode.lower()))
    check_gradients(lambda t: tf.pad(t, paddings, mode), [x])
    check_gradients(lambda t: tf.pad(t, [[0, 0], [3, 0]], mode), [rand(2, 4)])


def test_pad_constant_values_and_shapes():
    x = np.arange(6, dtype=np.int32).reshape(2, 3)
    out = run(tf.pad(tf.constant(x), [[0, 1], [1, 0]], constant_values=9))
    np.testing.assert_array_equal(out, np.pad(x, [[0, 1], [1, 0]], constant_values=9))
    assert out.dtype == np.int32
    p = tf.placeholder(tf.float32, [None, 3])
    assert tf.pad(p, [[1, 1], [2, 2]]).shape.as_list() == [None, 7]
    assert tf.pad(p, tf.placeholder(tf.int32, [2, 2])).shape.as_list() == [None, None]
    paddings = tf.placeholder(tf.int32, [2, 2])
    g = tf.gradients(tf.pad(tf.cast(p, tf.float64), paddings) * 2.0, p)
    assert g[0] is not None


def test_pad_errors():
    x = tf.constant(rand(2, 3))
    with pytest.raises(ValueError, match="Unknown padding mode: WRAP"):
        tf.pad(x, [[1, 1], [1, 1]], "WRAP")
    with pytest.raises(ValueError, match="paddings must be less than the dimension size: 2, 0 not less than 2"):
        tf.pad(x, [[2, 0], [0, 0]], "REFLECT")
    with pytest.raises(ValueError, match="no greater than the dimension size"):
        tf.pad(x, [[3, 0], [0, 0]], "SYMMETRIC")
    with pytest.raises(ValueError, match="first dimension of paddings must be the rank"):
        tf.pad(x, [[1, 1]])
    with pytest.raises(ValueError, match="non-negative"):
        tf.pad(x, [[-1, 1], [0, 0]])
    p = tf.placeholder(tf.float32, [None])
    out = tf.pad(p, [[2, 2]], "REFLECT")
    with pytest.raises(tf.errors.InvalidArgumentError, match="paddings must be in"):
        run(out, {p: np.ones(2, np.float32)})


# --- boolean_mask / reverse ----------------------------------------------------------------------
def test_boolean_mask():
    x = rand(3, 4, 2)
    mask = np.array([True, False, True])
    np.testing.assert_array_equal(evaluate(lambda t: tf.boolean_mask(t, mask), [x]), x[mask])
    mask2 = RNG.uniform(size=[4, 2]) > 0.5
    np.testing.assert_array_equal(evaluate(lambda t: tf.boolean_mask(t, mask2, axis=1), [x]), x[:, mask2])
    p = tf.placeholder(tf.float32, [None, 4])
    m = tf.placeholder(tf.bool, [None])
    assert tf.boolean_mask(p, m).shape.as_list() == [None, 4]
    assert tf.boolean_mask(tf.constant(x), mask).shape.as_list() == [2, 4, 2]
    check_gradients(lambda t: tf.boolean_mask(t, mask), [rand(3, 2)])
    check_gradients(lambda t: tf.boolean_mask(t, mask2, axis=1), [rand(2, 4, 2)])


def test_boolean_mask_errors():
    x = tf.constant(rand(3, 2))
    with pytest.raises(ValueError, match="mask cannot be scalar"):
        tf.boolean_mask(x, True)
    with pytest.raises(ValueError, match="Number of mask dimensions must be specified"):
        tf.boolean_mask(x, tf.placeholder(tf.bool))
    with pytest.raises(ValueError, match="incompatible"):
        tf.boolean_mask(x, [True, False])
    with pytest.raises(TypeError, match="bool"):
        tf.boolean_mask(x, [1, 0, 1])
    m = tf.placeholder(tf.bool, [None])
    out = tf.boolean_mask(x, m)
    with pytest.raises(tf.errors.InvalidArgumentError, match="does not match"):
        run(out, {m: [True, False]})


def test_reverse():
    x = rand(2, 3, 4)
    np.testing.assert_array_equal(evaluate(lambda t: tf.reverse(t, [1]), [x]), x[:, ::-1])
    np.testing.assert_array_equal(evaluate(lambda t: tf.reverse_v2(t, [0, -1]), [x]), x[::-1, :, ::-1])
    np.testing.assert_array_equal(evaluate(lambda t: tf.reverse(t, []), [x]), x)
    check_gradients(lambda t: tf.reverse(t, [0, 2]), [rand(2, 2, 3)])
    with pytest.raises(ValueError, match="specified more than once"):
        tf.reverse(tf.constant(x), [1, -2])
    with pytest.raises(ValueError, match="out of valid range"):
        tf.reverse(tf.constant(x), [3])


# --- range / linspace / one_hot / sequence_mask / unique / meshgrid ------------------------------
def test_range_values_and_dtypes():
    cases = [((5,), {}, np.arange(5)), ((2, 9, 3), {}, np.arange(2, 9, 3)), ((5, 1, -2), {}, np.arange(5, 1, -2)),
             ((0.0, 1.0, 0.25), {}, np.arange(0, 1, 0.25)), ((3,), {"dtype": tf.float64}, np.arange(3.0)),
             ((1, 2.5), {}, np.arange(1, 2.5)), ((3, 3), {}, np.arange(0))]
    for args, kwargs, expected in cases:
        r = tf.range(*args, **kwargs)
        value = run(r)
        np.testing.assert_allclose(value, expected)
        assert value.dtype == r.dtype.as_numpy_dtype
        assert r.shape.as_list() == [len(expected)]
    assert tf.range(5).dtype == tf.int32
    assert tf.range(0.5).dtype == tf.float32
    assert tf.range(tf.constant(3, tf.int64)).dtype == tf.int64
    n = tf.placeholder(tf.int32, [])
    r = tf.range(n)
    assert r.shape.as_list() == [None]
    np.testing.assert_array_equal(run(r, {n: 4}), np.arange(4))


def test_range_errors():
    with pytest.raises(ValueError, match="Requires delta != 0"):
        tf.range(0, 5, 0)
    with pytest.raises(ValueError, match="Requires start <= limit when delta > 0: 5/1"):
        tf.range(5, 1)
    n = tf.placeholder(tf.int32, [])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Requires start >= limit when delta < 0"):
        run(tf.range(0, n, -1), {n: 3})


def test_linspace():
    out = tf.linspace(0.0, 1.0, 5)
    assert out.dtype == tf.float32 and out.shape.as_list() == [5]
    np.testing.assert_allclose(run(out), np.linspace(0, 1, 5))
    out64 = tf.lin_space(tf.constant(-1.0, tf.float64), 1.0, 3)
    assert out64.dtype == tf.float64
    np.testing.assert_allclose(run(out64), [-1.0, 0.0, 1.0])
    with pytest.raises(ValueError, match="Requires num > 0"):
        tf.linspace(0.0, 1.0, 0)
    with pytest.raises(TypeError, match="floating"):
        tf.linspace(tf.constant(0), tf.constant(1), 3)


def test_one_hot():
    indices = np.array([0, 2, -1, 1])
    out = tf.one_hot(indices, 3)
    assert out.dtype == tf.float32 and out.shape.as_list() == [4, 3]
    np.testing.assert_array_equal(run(out), np.eye(3, dtype=np.float32)[[0, 2, 0, 1]] * [[1], [1], [0], [1]])
    out0 = tf.one_hot(indices, 3, axis=0)
    assert out0.shape.as_list() == [3, 4]
    np.testing.assert_array_equal(run(out0), run(out).T)
    custom = tf.one_hot([[1, 0]], 2, on_value=5, off_value=-1)
    assert custom.dtype == tf.int32 and custom.shape.as_list() == [1, 2, 2]
    np.testing.assert_array_equal(run(custom), [[[-1, 5], [5, -1]]])
    assert tf.one_hot([1], 2, dtype=tf.float64).dtype == tf.float64
    assert tf.one_hot([1], 2, on_value=2.0, dtype="float64").dtype == tf.float64
    middle = tf.one_hot(np.array([[0, 1], [1, 1]]), 2, axis=1)
    expected = np.stack([np.eye(2)[[0, 1]], np.eye(2)[[1, 1]]]).transpose(0, 2, 1)
    np.testing.assert_array_equal(run(middle), expected)
    p = tf.placeholder(tf.int64, [None])
    assert tf.one_hot(p, 10).shape.as_list() == [None, 10]


def test_one_hot_errors():
    with pytest.raises(TypeError, match="does not match dtype parameter"):
        tf.one_hot([0], 2, on_value=tf.constant(1.0), dtype=tf.float64)
    with pytest.raises(TypeError, match="of on_value does not match dtype float32 of off_value"):
        tf.one_hot([0], 2, on_value=tf.constant(1), off_value=tf.constant(0.0))
    with pytest.raises(TypeError, match="indices"):
        tf.one_hot(tf.constant([0.0]), 2)
    with pytest.raises(ValueError, match="Expected axis to be -1 or between"):
        tf.one_hot([0], 2, axis=3)


def test_sequence_mask():
    lengths = np.array([1, 3, 0])
    out = tf.sequence_mask(lengths, 4)
    assert out.dtype == tf.bool and out.shape.as_list() == [3, 4]
    np.testing.assert_array_equal(run(out), np.arange(4) < lengths[:, None])
    floats = tf.sequence_mask(tf.constant(lengths), dtype=tf.float32)
    assert floats.shape.as_list() == [3, None]
    np.testing.assert_array_equal(run(floats), (np.arange(3) < lengths[:, None]).astype(np.float32))


def test_unique():
    y, idx = tf.unique(tf.constant([4, 1, 4, 2, 1, 7]))
    assert y.shape.as_list() == [None] and idx.shape.as_list() == [6] and idx.dtype == tf.int32
    yv, iv = run([y, idx])
    np.testing.assert_array_equal(yv, [4, 1, 2, 7])
    np.testing.assert_array_equal(iv, [0, 1, 0, 2, 1, 3])
    assert tf.unique(tf.constant([1.0]), out_idx=tf.int64).idx.dtype == tf.int64
    with pytest.raises(ValueError, match="1-D"):
        tf.unique(tf.constant([[1]]))


def test_meshgrid():
    x, y, z = np.arange(3.0), np.arange(2.0) + 10, np.arange(4.0) - 5
    for indexing in ("xy", "ij"):
        got = evaluate(lambda a, b, c: tf.meshgrid(a, b, c, indexing=indexing), [x, y, z])
        for g, w in zip(got, np.meshgrid(x, y, z, indexing=indexing)):
            np.testing.assert_array_equal(g, w)
    outs = tf.meshgrid(tf.constant(x), tf.constant(y))
    assert [o.shape.as_list() for o in outs] == [[2, 3], [2, 3]]
    check_gradients(lambda a, b: tf.meshgrid(a, b)[0] * tf.meshgrid(a, b)[1], [x, y])
    with pytest.raises(ValueError, match="indexing"):
        tf.meshgrid(x, y, indexing="yx")


def _space_to_depth_reference(x, b):
    n, h, w, c = x.shape
    return x.reshape(n, h // b, b, w // b, b, c).transpose(0, 1, 3, 2, 4, 5).reshape(n, h // b, w // b, b * b * c)


def test_space_to_depth_and_depth_to_space():
    x = np.arange(2 * 4 * 6 * 3, dtype=np.float64).reshape(2, 4, 6, 3)
    out = evaluate(lambda t: tf.space_to_depth(t, 2), [x])
    np.testing.assert_array_equal(out, _space_to_depth_reference(x, 2))
    # TF's documented example: [1, 2, 2, 1] -> [1, 1, 1, 4] holding [1, 2, 3, 4]
    small = np.array([[[[1], [2]], [[3], [4]]]], np.float32)
    np.testing.assert_array_equal(evaluate(lambda t: tf.space_to_depth(t, 2), [small]), [[[[1, 2, 3, 4]]]])
    np.testing.assert_array_equal(evaluate(lambda t: tf.nn.depth_to_space(t, 2), [out]), x)
    p = tf.placeholder(tf.float32, [None, 4, 6, 3])
    assert tf.space_to_depth(p, 2).shape.as_list() == [None, 2, 3, 12]
    assert tf.depth_to_space(tf.space_to_depth(p, 2), 2).shape.as_list() == [None, 4, 6, 3]
    check_gradients(lambda t: tf.space_to_depth(t, 2), [rand(1, 2, 4, 2)])
    check_gradients(lambda t: tf.depth_to_space(t, 2), [rand(1, 1, 2, 8)])
    with pytest.raises(ValueError, match="evenly divisible by 2 but is 5"):
        tf.space_to_depth(tf.placeholder(tf.float32, [1, 5, 4, 1]), 2)
    with pytest.raises(ValueError, match="evenly divisible by 4 but is 3"):
        tf.depth_to_space(tf.placeholder(tf.float32, [1, 2, 2, 3]), 2)
    with pytest.raises(ValueError, match="at least minimum 2"):
        tf.space_to_depth(p, 1)


def test_stack_of_python_values_takes_the_list_dtype():
    out = tf.stack([1, 2.5])
    assert out.dtype == tf.float32
    np.testing.assert_array_equal(run(out), np.array([1, 2.5], np.float32))
