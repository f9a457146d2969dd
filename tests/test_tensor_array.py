"""tf.TensorArray: values against NumPy, finite-difference gradients, while_loop use and errors."""
import numpy as np
import pytest

import numflow as tf
from gradcheck import check_gradients, evaluate


def test_write_read_stack_size_concat_values():
    rows = np.arange(12, dtype=np.float32).reshape(3, 2, 2)

    def build(x):
        ta = tf.TensorArray(tf.float32, size=3)
        for i in (2, 0, 1):
            ta = ta.write(i, x[i] * (i + 1))
        assert ta.element_shape.as_list() == [2, 2]
        return [ta.stack(), ta.read(1), ta.size(), ta.concat(), ta.gather([2, 0])]
    stacked, read, size, concat, gathered = evaluate(build, [rows])
    expected = rows * np.array([1, 2, 3], np.float32)[:, None, None]
    np.testing.assert_array_equal(stacked, expected)
    np.testing.assert_array_equal(read, expected[1])
    assert size == 3 and size.dtype == np.int32
    np.testing.assert_array_equal(concat, expected.reshape(6, 2))
    np.testing.assert_array_equal(gathered, expected[[2, 0]])


def test_static_shapes():
    ta = tf.TensorArray(tf.float32, size=4, element_shape=[3])
    assert ta.stack().shape.as_list() == [4, 3]
    ta2 = tf.TensorArray(tf.int32, size=2).write(0, tf.constant([1, 2]))
    assert ta2.read(0).shape.as_list() == [2] and ta2.stack().shape.as_list() == [2, 2]
    assert ta2.concat().shape.as_list() == [4]
    dynamic = tf.TensorArray(tf.float32, size=0, dynamic_size=True).write(0, tf.zeros([5]))
    assert dynamic.stack().shape.as_list() == [None, 5]


def test_unstack_scatter_split_values():
    value = np.random.RandomState(0).randn(4, 3)
    out = evaluate(lambda v: [tf.TensorArray(tf.float64, size=4).unstack(v).read(3),
                              tf.TensorArray(tf.float64, size=5).scatter([4, 1, 0, 2], v).gather([0, 1, 2, 4]),
                              tf.TensorArray(tf.float64, size=2).split(v, [2, 2]).read(1)], [value])
    np.testing.assert_array_equal(out[0], value[3])
    np.testing.assert_array_equal(out[1], value[[2, 1, 3, 0]])
    np.testing.assert_array_equal(out[2], value[2:])


def test_unwritten_elements_read_as_zeros_once_the_shape_is_known():
    ta = tf.TensorArray(tf.float32, size=3, element_shape=[2]).write(1, [1.0, 2.0])
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(ta.stack()), [[0, 0], [1, 2], [0, 0]])
        np.testing.assert_array_equal(sess.run(ta.read(2)), [0, 0])
    ta2 = tf.TensorArray(tf.float32, size=3).write(0, [1.0, 2.0])
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(ta2.read(2)), [0, 0])


def test_dynamic_size_grows():
    ta = tf.TensorArray(tf.float32, size=1, dynamic_size=True)
    ta = ta.write(0, 1.0).write(3, 4.0)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(ta.stack()), [1, 0, 0, 4])
        assert sess.run(ta.size()) == 4
    assert ta.dynamic_size


def test_gradients_of_write_read_stack_gather_concat():
    def build(a, b):
        ta = tf.TensorArray(tf.float64, size=3).write(0, a).write(1, b * b).write(2, a * b)
        return tf.stack([ta.read(0) * 3.0, tf.reduce_sum(ta.stack(), 0), tf.reduce_sum(ta.gather([2, 2]), 0),
                         ta.concat()[2:4]])
    rng = np.random.RandomState(1)
    check_gradients(build, [rng.randn(2), rng.randn(2)])


def test_gradients_of_unstack_scatter_split():
    def build(v):
        a = tf.TensorArray(tf.float64, size=3).unstack(v)
        b = tf.TensorArray(tf.float64, size=4).scatter([3, 0, 1], v * 2.0)
        c = tf.TensorArray(tf.float64, size=3).split(tf.reshape(v, [6, 2]) ** 2, [2, 2, 2])
        return tf.concat([a.read(2), tf.reshape(b.stack(), [-1]), tf.reshape(c.read(1), [-1]), a.concat()], 0)
    check_gradients(build, [np.random.RandomState(2).randn(3, 4)])


def test_gradient_of_a_dynamic_size_array():
    def build(v):
        ta = tf.TensorArray(tf.float64, size=0, dynamic_size=True)
        ta = ta.write(0, v).write(2, tf.sin(v))
        return ta.stack()
    check_gradients(build, [np.random.RandomState(3).randn(3)])


def _scan_graph(inp, w):
    steps = tf.shape(inp)[0]
    ta_in = tf.TensorArray(inp.dtype, size=steps).unstack(inp)
    ta_out = tf.TensorArray(inp.dtype, size=steps)

    def body(t, acc, out):
        acc = tf.tanh(acc * w + ta_in.read(t))
        return t + 1, acc, out.write(t, acc)
    _, last, out = tf.while_loop(lambda t, a, o: t < tf.shape(inp)[0], body,
                                 [tf.constant(0), tf.zeros_like(inp[0]), ta_out])
    return out.stack(), last


def test_inside_while_loop_matches_numpy():
    xs = np.random.RandomState(4).randn(5, 3)
    w = np.array([0.5, -1.0, 2.0])
    stacked, last = evaluate(lambda x, ww: list(_scan_graph(x, ww)), [xs, w])
    acc = np.zeros(3)
    for t in range(5):
        acc = np.tanh(acc * w + xs[t])
        np.testing.assert_allclose(stacked[t], acc)
    np.testing.assert_allclose(last, acc)


def test_gradients_through_while_loop_tensor_arrays():
    """The input array is read and the output array written in the loop; the loop's condition also reads
    the input tensor (the gradient must not count the path through the array twice)."""
    rng = np.random.RandomState(5)
    check_gradients(lambda x, w: _scan_graph(x, w)[0], [rng.randn(4, 3), rng.randn(3)])


def test_single_tensor_array_loop_var_and_close():
    ta = tf.TensorArray(tf.int32, size=4)
    result = tf.while_loop(lambda t: t.size() > 99, lambda t: t, ta)
    assert isinstance(result, tf.TensorArray)
    i_ta = tf.while_loop(lambda i, t: i < 4, lambda i, t: (i + 1, t.write(i, i * i)), (0, ta))[1]
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(i_ta.stack()), [0, 1, 4, 9])
        sess.run(i_ta.close())
    assert i_ta.stack().dtype is tf.int32


def test_tensor_array_from_flow_and_identity():
    ta = tf.TensorArray(tf.float32, size=2).unstack(tf.constant([[1.0], [2.0]]))
    again = tf.TensorArray(tf.float32, flow=ta.flow)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(again.read(1)), [2.0])
        np.testing.assert_array_equal(sess.run(ta.identity().stack()), [[1.0], [2.0]])


def test_graph_construction_errors():
    with pytest.raises(ValueError, match="Size must be provided"):
        tf.TensorArray(tf.float32)
    with pytest.raises(ValueError, match="both a flow and size"):
        tf.TensorArray(tf.float32, size=2, flow=tf.zeros([2]))
    with pytest.raises(ValueError, match="TensorArray size must be a scalar"):
        tf.TensorArray(tf.float32, size=[2])
    ta = tf.TensorArray(tf.float32, size=2, element_shape=[3])
    with pytest.raises(ValueError, match="TensorArray dtype is float32 but Op is trying to write dtype int32"):
        ta.write(0, tf.constant([1, 2, 3]))
    with pytest.raises(ValueError, match=r"Inconsistent shapes: saw \(2,\)|Inconsistent shapes: saw \[2\]"):
        ta.write(0, tf.zeros([2]))
    with pytest.raises(ValueError, match="Concat saw a scalar shape"):
        tf.TensorArray(tf.float32, size=2, element_shape=[]).concat()
    with pytest.raises(ValueError, match="handle=.* is not supported"):
        tf.TensorArray(tf.float32, handle=tf.zeros([1]))


@pytest.mark.parametrize("build, message", [
    (lambda: tf.TensorArray(tf.float32, size=2).write(2, 1.0).stack(),
     "Tried to write to index 2 but array is not resizeable and size is: 2"),
    (lambda: tf.TensorArray(tf.float32, size=2).write(0, 1.0).write(0, 2.0).stack(),
     "index 0 because it has already been written to"),
    (lambda: tf.TensorArray(tf.float32, size=2).write(0, 1.0).read(5),
     "Tried to read from index 5 but array size is: 2"),
    (lambda: tf.TensorArray(tf.float32, size=2).read(0),
     "Could not read from TensorArray index 0: it was never written and the element shape is not fully"),
    (lambda: tf.TensorArray(tf.float32, size=2, infer_shape=False).write(0, [1.0]).write(1, [1.0, 2.0]).stack(),
     "value shape is \\[2\\] which is incompatible with the TensorArray's inferred element shape: \\[1\\]"),
    (lambda: tf.TensorArray(tf.float32, size=2).split(tf.zeros([5]), [2, 2]).stack(),
     "Expected sum of lengths to be equal to values.shape\\[0\\]"),
    (lambda: tf.TensorArray(tf.float32, size=3).scatter([0, 0], tf.zeros([2, 1])).stack(),
     "repeat an index"),
    (lambda: tf.TensorArray(tf.float32, size=2).concat(),
     "nothing was written to it and the element shape is not fully defined"),
    (lambda: tf.TensorArray(tf.float32, size=tf.constant(-1) + 0).size(), "size must be >= 0"),
])
def test_run_time_errors(build, message):
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match=message):
            sess.run(build())


def test_split_with_unequal_lengths_is_unimplemented():
    ta = tf.TensorArray(tf.float32, size=2).split(tf.zeros([5]), [2, 3])
    with tf.Session() as sess:
        with pytest.raises(tf.errors.UnimplementedError, match="lengths must all be equal"):
            sess.run(ta.read(0))


def test_dynamic_rnn_over_unknown_time_uses_tensor_arrays():
    x = tf.placeholder(tf.float32, [2, None, 3])
    outputs, _ = tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicRNNCell(4), x, dtype=tf.float32)
    types = {op.type for op in tf.get_default_graph().get_operations()}
    assert {"TensorArrayV3", "TensorArrayScatterV3", "TensorArrayGatherV3"} <= types
    assert outputs.shape.as_list() == [2, None, 4]


def test_second_order_gradients_through_tensor_arrays():
    """The gradient helpers (TensorArrayScatterGrad, TensorArrayClearRows) are differentiable too."""
    def build(v):
        ta = tf.TensorArray(tf.float64, size=0, dynamic_size=True).unstack(v).write(3, v[0] * v[1])
        loss = tf.reduce_sum(ta.stack() ** 3) + tf.reduce_sum(ta.read(1) * ta.read(3))
        return tf.gradients(loss, v)[0]
    check_gradients(build, [np.random.RandomState(6).randn(3, 2)])
