"""tf.FIFOQueue, tf.PaddingFIFOQueue, tf.RandomShuffleQueue and tf.count_up_to: values, blocking, closing,
errors, per-Session state and concurrent use."""
import threading

import numpy as np
import pytest

import numflow as tf
from queue_helpers import Background, no_thread_left, wait_until  # noqa: F401 - autouse fixture


def test_fifo_order_components_and_static_shapes():
    q = tf.FIFOQueue(10, [tf.int32, tf.string], shapes=[[2], []])
    enqueue = q.enqueue(([1, 2], "a"))
    enqueue_many = q.enqueue_many(([[3, 4], [5, 6]], ["b", "c"]))
    one = q.dequeue()
    many = q.dequeue_many(2)
    assert [t.shape.as_list() for t in one] == [[2], []]
    assert [t.shape.as_list() for t in many] == [[2, 2], [2]]
    assert q.dtypes == [tf.int32, tf.string] and q.name == "fifo_queue" and q.names is None
    assert q.queue_ref.dtype == tf.string
    with tf.Session() as sess:
        sess.run(enqueue)
        sess.run(enqueue_many)
        assert sess.run(q.size()) == 3
        ints, text = sess.run(one)
        np.testing.assert_array_equal(ints, [1, 2])
        assert text == b"a"
        ints, text = sess.run(many)
        np.testing.assert_array_equal(ints, [[3, 4], [5, 6]])
        assert text.dtype == object and list(text) == [b"b", b"c"]
        assert sess.run(q.size()) == 0


def test_single_component_dequeue_is_a_tensor_and_dequeue_up_to_shape_is_unknown():
    q = tf.FIFOQueue(5, tf.float32, shapes=[3])
    assert isinstance(q.dequeue(), tf.Tensor)
    assert q.dequeue_up_to(2).shape.as_list() == [None, 3]
    n = tf.placeholder(tf.int32, [])
    assert q.dequeue_many(n).shape.as_list() == [None, 3]


def test_names_make_dict_elements():
    q = tf.FIFOQueue(4, [tf.int32, tf.float32], shapes=[[], []], names=["label", "x"])
    with tf.Session() as sess:
        sess.run(q.enqueue({"x": 1.5, "label": 7}))
        sess.run(q.enqueue_many({"x": [2.5, 3.5], "label": [8, 9]}))
        first = sess.run(q.dequeue())
        assert first == {"label": 7, "x": 1.5}
        rest = sess.run(q.dequeue_many(2))
        np.testing.assert_array_equal(rest["label"], [8, 9])
        np.testing.assert_allclose(rest["x"], [2.5, 3.5])


def test_names_errors():
    named = tf.FIFOQueue(4, [tf.int32], names=["a"])
    plain = tf.FIFOQueue(4, [tf.int32])
    with pytest.raises(ValueError, match="must enqueue a dictionary in a Queue with names"):
        named.enqueue([1])
    with pytest.raises(ValueError, match="Keys in dictionary to enqueue do not match names"):
        named.enqueue({"b": 1})
    with pytest.raises(ValueError, match="Queue must have names to enqueue a dictionary"):
        plain.enqueue({"a": 1})
    with pytest.raises(ValueError, match="same length as the list of dtypes"):
        tf.FIFOQueue(4, [tf.int32, tf.int32], names=["a"])


def test_closed_queue_errors_and_draining():
    q = tf.FIFOQueue(10, tf.int32, shapes=[])
    with tf.Session() as sess:
        sess.run(q.enqueue_many([[1, 2]]))
        assert not sess.run(q.is_closed())
        sess.run(q.close())
        assert sess.run(q.is_closed())
        with pytest.raises(tf.errors.CancelledError, match=r"FIFOQueue '_0_fifo_queue' is closed\."):
            sess.run(q.enqueue(3))
        with pytest.raises(tf.errors.OutOfRangeError,
                           match=r"FIFOQueue '_0_fifo_queue' is closed and has insufficient elements "
                                 r"\(requested 5, current size 2\)"):
            sess.run(q.dequeue_many(5))
        np.testing.assert_array_equal(sess.run(q.dequeue_up_to(5)), [1, 2])
        with pytest.raises(tf.errors.OutOfRangeError, match=r"requested 1, current size 0"):
            sess.run(q.dequeue())
        with pytest.raises(tf.errors.OutOfRangeError, match=r"requested 3, current size 0"):
            sess.run(q.dequeue_up_to(3))


def test_graph_time_dtype_shape_and_arity_errors():
    q = tf.FIFOQueue(4, [tf.int32, tf.float32], shapes=[[2], []])
    with pytest.raises(ValueError, match="Tensor conversion requested dtype int32 for Tensor with dtype float32"):
        q.enqueue([tf.constant([1.0, 2.0]), 1.0])
    with pytest.raises(ValueError, match=r"Shapes \(2,\) and \(3,\) are incompatible"):
        q.enqueue([[1, 2, 3], 1.0])
    with pytest.raises(ValueError, match="Expected 2 components to enqueue"):
        q.enqueue([[1, 2]])
    with pytest.raises(ValueError, match="at least 1"):
        q.enqueue_many([tf.constant(1), tf.constant(1.0)])
    with pytest.raises(ValueError, match=r"Shapes \(2,\) and \(3,\) are incompatible"):
        q.enqueue_many([[[1, 2, 3]], [1.0]])
    with pytest.raises(ValueError, match="are not compatible"):
        q.enqueue_many([[[1, 2], [3, 4]], [1.0]])
    with pytest.raises(TypeError, match="Expected int32"):
        tf.FIFOQueue(4, tf.int32).enqueue("text")


def test_queue_constructor_errors():
    with pytest.raises(ValueError, match="All shapes must be fully defined"):
        tf.FIFOQueue(4, tf.int32, shapes=[[None]])
    with pytest.raises(ValueError, match="Queue shapes must have the same length as dtypes"):
        tf.FIFOQueue(4, [tf.int32, tf.int32], shapes=[[1]])
    with pytest.raises(ValueError, match="Shapes must be provided for all components, but received 2 dtypes "
                                         "and 0 shapes"):
        tf.PaddingFIFOQueue(4, [tf.int32, tf.int32], shapes=None)


def test_run_time_shape_mismatch_and_unshaped_dequeue_many():
    q = tf.FIFOQueue(4, tf.int32, shapes=[[2]])
    value = tf.placeholder(tf.int32, [None])
    rows = tf.placeholder(tf.int32, [None, None])
    unshaped = tf.FIFOQueue(4, tf.int32)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"Shape mismatch in tuple component 0. Expected \[2\], got \[3\]"):
            sess.run(q.enqueue(value), {value: [1, 2, 3]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="Shape mismatch in tuple component 0"):
            sess.run(q.enqueue_many(rows), {rows: [[1, 2, 3]]})
        sess.run(unshaped.enqueue(value), {value: [1, 2, 3]})
        sess.run(unshaped.enqueue(value), {value: [4]})
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match="FIFOQueue's DequeueMany and DequeueUpTo require the components to have "
                                 "specified shapes"):
            sess.run(unshaped.dequeue_many(2))
        # Without shapes, elements of different shapes still dequeue one at a time.
        np.testing.assert_array_equal(sess.run(unshaped.dequeue()), [1, 2, 3])
        np.testing.assert_array_equal(sess.run(unshaped.dequeue()), [4])


def test_enqueue_many_components_must_agree_at_run_time():
    q = tf.FIFOQueue(8, [tf.int32, tf.int32], shapes=[[], []])
    a = tf.placeholder(tf.int32, [None])
    b = tf.placeholder(tf.int32, [None])
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="same first dimension"):
            sess.run(q.enqueue_many([a, b]), {a: [1, 2], b: [1]})


def test_padding_fifo_queue_pads_numbers_and_strings():
    q = tf.PaddingFIFOQueue(10, [tf.int32, tf.string], shapes=[[None, 2], [None]])
    x = tf.placeholder(tf.int32, [None, 2])
    s = tf.placeholder(tf.string, [None])
    batch = q.dequeue_many(3)
    assert [t.shape.as_list() for t in batch] == [[3, None, 2], [3, None]]
    with tf.Session() as sess:
        for rows, words in [([[1, 1]], ["a"]), ([[2, 2], [3, 3], [4, 4]], ["b", "c"]), (np.zeros((0, 2)), [])]:
            sess.run(q.enqueue([x, s]), {x: rows, s: words})
        numbers, text = sess.run(batch)
        expected = np.zeros((3, 3, 2), np.int32)
        expected[0, :1] = [[1, 1]]
        expected[1] = [[2, 2], [3, 3], [4, 4]]
        np.testing.assert_array_equal(numbers, expected)
        assert text.tolist() == [[b"a", b""], [b"b", b"c"], [b"", b""]]


def test_random_shuffle_queue_seeded_order_repeats_across_sessions():
    q = tf.RandomShuffleQueue(20, 0, tf.int32, shapes=[], seed=42)
    fill = q.enqueue_many([np.arange(10, dtype=np.int32)])
    take = q.dequeue_many(10)
    orders = []
    for _ in range(2):
        with tf.Session() as sess:
            sess.run(fill)
            orders.append(sess.run(take).tolist())
    assert orders[0] == orders[1]
    assert sorted(orders[0]) == list(range(10))
    assert orders[0] != list(range(10))


def test_random_shuffle_queue_keeps_min_after_dequeue_until_closed():
    q = tf.RandomShuffleQueue(10, 3, tf.int32, shapes=[], seed=1)
    with tf.Session() as sess:
        sess.run(q.enqueue_many([[1, 2, 3]]))
        blocked = Background(lambda: sess.run(q.dequeue()))
        assert not blocked.finished_within(0.05)
        sess.run(q.enqueue(4))
        assert blocked.result() in (1, 2, 3, 4)
        sess.run(q.close())
        rest = sess.run(q.dequeue_up_to(10))
        assert len(rest) == 3


def test_random_shuffle_queue_min_after_dequeue_must_be_below_capacity():
    q = tf.RandomShuffleQueue(4, 4, tf.int32, shapes=[])
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="min_after_dequeue 4 must be < capacity 4"):
            sess.run(q.size())


def test_dequeue_blocks_until_an_element_arrives():
    q = tf.FIFOQueue(2, tf.int32, shapes=[])
    with tf.Session() as sess:
        waiting = Background(lambda: sess.run(q.dequeue_many(2)))
        assert not waiting.finished_within(0.05)
        sess.run(q.enqueue(5))
        assert not waiting.finished_within(0.02)
        sess.run(q.enqueue(6))
        np.testing.assert_array_equal(waiting.result(), [5, 6])


def test_enqueue_blocks_while_full_and_close_without_cancel_lets_it_finish():
    q = tf.FIFOQueue(1, tf.int32, shapes=[])
    with tf.Session() as sess:
        sess.run(q.enqueue(1))
        pending = Background(lambda: sess.run(q.enqueue(2)))
        assert not pending.finished_within(0.05)
        sess.run(q.close())
        assert sess.run(q.dequeue()) == 1
        pending.result()
        assert sess.run(q.dequeue()) == 2


def test_close_with_cancel_pending_enqueues_cancels_the_blocked_enqueue():
    q = tf.FIFOQueue(1, tf.int32, shapes=[])
    with tf.Session() as sess:
        sess.run(q.enqueue(1))
        pending = Background(lambda: sess.run(q.enqueue(2)))
        assert not pending.finished_within(0.05)
        sess.run(q.close(cancel_pending_enqueues=True))
        with pytest.raises(tf.errors.CancelledError, match="Enqueue operation was cancelled"):
            pending.result()
        assert sess.run(q.dequeue()) == 1


def test_closing_the_session_cancels_blocked_dequeues():
    q = tf.FIFOQueue(1, tf.int32, shapes=[])
    sess = tf.Session()
    waiting = Background(lambda: sess.run(q.dequeue()))
    assert not waiting.finished_within(0.05)
    sess.close()
    with pytest.raises(tf.errors.CancelledError, match="Dequeue operation was cancelled"):
        waiting.result()


def test_each_session_has_its_own_queue_and_shared_name_shares_within_one():
    q = tf.FIFOQueue(5, tf.int32, shapes=[])
    first = tf.FIFOQueue(5, tf.int32, shapes=[], shared_name="common")
    second = tf.FIFOQueue(5, tf.int32, shapes=[], shared_name="common", name="other")
    with tf.Session() as a, tf.Session() as b:
        a.run(q.enqueue(1))
        assert a.run(q.size()) == 1 and b.run(q.size()) == 0
        a.run(first.enqueue(7))
        assert a.run(second.dequeue()) == 7
    mismatched = tf.FIFOQueue(6, tf.int32, shapes=[], shared_name="common", name="third")
    with tf.Session() as sess:
        sess.run(first.size())
        with pytest.raises(tf.errors.InvalidArgumentError, match="Shared queue 'common'"):
            sess.run(mismatched.size())


def test_concurrent_enqueues_and_dequeues_lose_nothing():
    q = tf.FIFOQueue(3, tf.int32, shapes=[])
    value = tf.placeholder(tf.int32, [])
    enqueue = q.enqueue(value)
    dequeue = q.dequeue()
    with tf.Session() as sess:
        producers = [Background(lambda start=start: [sess.run(enqueue, {value: start + i}) for i in range(25)])
                     for start in (0, 100, 200, 300)]
        got = [sess.run(dequeue) for _ in range(100)]
        for producer in producers:
            producer.result()
    assert sorted(got) == sorted(start + i for start in (0, 100, 200, 300) for i in range(25))
    # Each producer's own values keep their order in a FIFO queue.
    for start in (0, 100, 200, 300):
        mine = [g for g in got if start <= g < start + 25]
        assert mine == sorted(mine)


def test_enqueued_values_are_copies_of_variables():
    v = tf.Variable([1, 2])
    q = tf.FIFOQueue(2, tf.int32, shapes=[2])
    enqueue = q.enqueue(v)
    bump = tf.assign_add(v, [10, 10])
    with tf.Session() as sess:
        sess.run(v.initializer)
        sess.run(enqueue)
        sess.run(bump)
        np.testing.assert_array_equal(sess.run(q.dequeue()), [1, 2])


def test_count_up_to_values_limit_and_uninitialized():
    counter = tf.Variable(0, dtype=tf.int64)
    step = tf.count_up_to(counter, 2)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized"):
            sess.run(step)
        sess.run(counter.initializer)
        assert [sess.run(step), sess.run(step)] == [0, 1]
        with pytest.raises(tf.errors.OutOfRangeError, match="Reached limit of 2"):
            sess.run(step)
        assert sess.run(counter) == 2
    with pytest.raises(TypeError, match="not a variable"):
        tf.count_up_to(tf.constant(1), 3)
    with pytest.raises(TypeError, match="int32, int64"):
        tf.count_up_to(tf.Variable(0.0), 3)


def test_queue_runner_threads_survive_nothing_after_session_close():
    """A runner left without a coordinator still ends when its Session closes."""
    q = tf.FIFOQueue(2, tf.int32, shapes=[])
    runner = tf.train.QueueRunner(q, [q.enqueue(1)] * 2)
    sess = tf.Session()
    threads = runner.create_threads(sess, start=True)
    assert len(threads) == 2
    assert wait_until(lambda: sess.run(q.size()) == 2)
    sess.close()
    for thread in threads:
        thread.join(2.0)
    assert not any(t.is_alive() for t in threads)
    assert runner.exceptions_raised == []


def test_no_queue_thread_is_left_running():
    names = [t.name for t in threading.enumerate()]
    assert not [n for n in names if n.startswith("QueueRunnerThread") or n == "test-background"], names
