"""tf.ConditionalAccumulator / SparseConditionalAccumulator (ops/accumulators.py): means and sums of applied
gradients, stale gradients dropped, take_grad waiting for enough gradients, errors."""
import threading
import time

import numpy as np
import pytest

import numflow as tf


def test_dense_mean_sum_and_global_step():
    acc = tf.ConditionalAccumulator(tf.float32, shape=[2], name="acc")
    total = tf.ConditionalAccumulator(tf.float32, shape=[2], reduction_type="SUM")
    grad = tf.placeholder(tf.float32, [2])
    step = tf.placeholder(tf.int64, [])
    apply, apply_sum = acc.apply_grad(grad, local_step=step), total.apply_grad(grad)
    with tf.Session() as sess:
        for value in ([1.0, 2.0], [3.0, 6.0]):
            sess.run([apply, apply_sum], {grad: value, step: 0})
        assert sess.run(acc.num_accumulated()) == 2
        np.testing.assert_allclose(sess.run(acc.take_grad(2)), [2.0, 4.0])
        np.testing.assert_allclose(sess.run(total.take_grad(1)), [4.0, 8.0])
        assert sess.run(acc.num_accumulated()) == 0
        # The take advanced the global step to 1: a gradient from step 0 is stale and dropped.
        sess.run(apply, {grad: [100.0, 100.0], step: 0})
        sess.run(apply, {grad: [5.0, 5.0], step: 1})
        assert sess.run(acc.num_accumulated()) == 1
        sess.run(acc.set_global_step(5))
        sess.run(apply, {grad: [7.0, 7.0], step: 4})
        np.testing.assert_allclose(sess.run(acc.take_grad(1)), [5.0, 5.0])
    assert acc.dtype == tf.float32 and acc.name == "acc" and acc.accumulator_ref.dtype == tf.string


def test_take_grad_waits_for_enough_gradients():
    acc = tf.ConditionalAccumulator(tf.float64, shape=[])
    apply = acc.apply_grad(tf.constant(3.0, tf.float64))
    take = acc.take_grad(2)
    with tf.Session() as sess:
        result = []
        waiter = threading.Thread(target=lambda: result.append(sess.run(take)))
        waiter.start()
        sess.run(apply)
        time.sleep(0.2)
        assert not result              # one gradient of the two required
        sess.run(apply)
        waiter.join(5)
        assert result == [3.0]


def test_sparse_accumulator_averages_rows_over_their_contributions():
    acc = tf.SparseConditionalAccumulator(tf.float32, shape=[4, 2])
    assert isinstance(acc, tf.ConditionalAccumulatorBase) and tf.sparse.SparseConditionalAccumulator is type(acc)
    first = acc.apply_grad([0, 2], [[1.0, 1.0], [2.0, 4.0]], grad_shape=[4, 2])
    second = acc.apply_indexed_slices_grad(tf.IndexedSlices(tf.constant([[3.0, 3.0]]), tf.constant([2], tf.int64),
                                                            tf.constant([4, 2], tf.int64)))
    taken = acc.take_indexed_slices_grad(2)
    with tf.Session() as sess:
        sess.run([first])
        sess.run([second])
        indices, values, shape = sess.run([taken.indices, taken.values, taken.dense_shape])
    assert indices.tolist() == [0, 2] and shape.tolist() == [4, 2]
    np.testing.assert_allclose(values, [[1.0, 1.0], [2.5, 3.5]])      # row 2: the mean of its two rows


def test_accumulator_errors():
    acc = tf.ConditionalAccumulator(tf.float32, shape=[2])
    with pytest.raises(ValueError, match="incompatible"):
        acc.apply_grad(np.zeros(3, np.float32))
    with pytest.raises(ValueError, match="reduction_type must be 'MEAN' or 'SUM'"):
        tf.ConditionalAccumulator(tf.float32, reduction_type="MAX")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="Argument num_required must be positive"):
            sess.run(acc.take_grad(0))
        free = tf.ConditionalAccumulator(tf.float32)
        feed = tf.placeholder(tf.float32)
        sess.run(free.apply_grad(feed), {feed: [1.0, 2.0]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="Shape mismatch"):
            sess.run(free.apply_grad(feed), {feed: [1.0, 2.0, 3.0]})
        sess.run(acc.set_global_step(3))
        with pytest.raises(tf.errors.InvalidArgumentError, match="only moves forward"):
            sess.run(acc.set_global_step(1))


def test_closing_the_session_cancels_a_waiting_take():
    acc = tf.ConditionalAccumulator(tf.float32, shape=[])
    take = acc.take_grad(1)
    sess = tf.Session()
    errors = []

    def wait():
        try:
            sess.run(take)
        except tf.errors.CancelledError as error:
            errors.append(error)
    waiter = threading.Thread(target=wait)
    waiter.start()
    time.sleep(0.2)
    sess.close()
    waiter.join(5)
    assert errors and "cancelled" in str(errors[0])
