"""tf.train's input producers, batchers and queue runners: the documented TF1 reading loop, epochs,
shuffling with seeds, batching options, errors, and the CSV example."""
import collections
import os
import subprocess
import sys

import numpy as np
import pytest

import numflow as tf
from queue_helpers import no_thread_left  # noqa: F401 - autouse fixture

EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "examples", "csv_queue_runner.py")


def run_until_out_of_range(sess, fetch, max_steps=1000):
    """The documented TF1 loop: runs `fetch` under queue runners until OutOfRangeError; returns the
    values fetched and whether the loop ended with OutOfRangeError."""
    coord = tf.train.Coordinator()
    threads = tf.train.start_queue_runners(sess=sess, coord=coord)
    values, done = [], False
    try:
        while not coord.should_stop() and len(values) < max_steps:
            values.append(sess.run(fetch))
    except tf.errors.OutOfRangeError:
        done = True
    finally:
        coord.request_stop()
    coord.join(threads, stop_grace_period_secs=5)
    return values, done


def initialize(sess):
    sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])


def write_lines(folder, name, lines, header=None):
    path = folder / name
    path.write_text("".join(line + "\n" for line in ([header] if header else []) + lines))
    return str(path)


def test_documented_loop_reads_every_record_exactly_num_epochs_times(tmp_path):
    files = [write_lines(tmp_path, "f%d.csv" % i, ["%d,%d" % (i, j) for j in range(5)], header="a,b")
             for i in range(3)]
    filename_queue = tf.train.string_input_producer(files, num_epochs=3, shuffle=True, seed=3)
    key, value = tf.TextLineReader(skip_header_lines=1).read(filename_queue)
    keys, values = tf.train.batch([key, value], batch_size=4, allow_smaller_final_batch=True)
    assert keys.shape.as_list() == [None]
    with tf.Session() as sess:
        initialize(sess)
        batches, done = run_until_out_of_range(sess, [keys, values])
    assert done
    counts = collections.Counter(v for _, vs in batches for v in vs.tolist())
    assert counts == {("%d,%d" % (i, j)).encode(): 3 for i in range(3) for j in range(5)}
    assert [len(k) for k, _ in batches] == [4] * 11 + [1]


def test_without_local_variables_initializer_the_epoch_counter_fails():
    filename_queue = tf.train.string_input_producer(["a", "b"], num_epochs=1)
    name = filename_queue.dequeue()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized value input_producer/limit_"
                                                                     "epochs/epochs"):
            run_until_out_of_range(sess, name)


def test_string_input_producer_order_and_seeded_shuffle():
    names = ["f%d" % i for i in range(8)]
    plain = tf.train.string_input_producer(names, num_epochs=2, shuffle=False).dequeue()
    shuffled = tf.train.string_input_producer(names, num_epochs=1, seed=7).dequeue()
    with tf.Session() as sess:
        initialize(sess)
        values, done = run_until_out_of_range(sess, plain)
    assert done and [v.decode() for v in values] == names * 2
    orders = []
    for _ in range(2):
        with tf.Session() as sess:
            initialize(sess)
            orders.append(run_until_out_of_range(sess, shuffled)[0])
    assert orders[0] == orders[1] and sorted(orders[0]) == sorted(n.encode() for n in names)
    assert orders[0] != [n.encode() for n in names]


def test_string_input_producer_rejects_empty_input():
    with pytest.raises(ValueError, match="string_input_producer requires a non-null input tensor"):
        tf.train.string_input_producer([])
    empty = tf.placeholder(tf.string, [None])
    tf.train.string_input_producer(empty)
    runner = tf.get_collection(tf.GraphKeys.QUEUE_RUNNERS)[0]
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="string_input_producer requires a non-null"):
            sess.run(runner.enqueue_ops[0], {empty: np.array([], dtype=object)})


def test_errors_in_enqueue_threads_reach_the_coordinator():
    data = tf.placeholder_with_default(tf.constant([1, 2]), [None]) if hasattr(tf, "placeholder_with_default") \
        else tf.constant([1, 2])
    checked = tf.identity(data)
    with tf.control_dependencies([tf.Assert(tf.reduce_all(checked > 5), [checked])]):
        checked = tf.identity(checked)
    produced = tf.train.input_producer(checked, element_shape=[], shuffle=False).dequeue()
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"assertion failed: \[1 2\]"):
            run_until_out_of_range(sess, produced)


def test_input_producer_shape_errors():
    with pytest.raises(ValueError, match="Either `input_tensor` must have a fully defined shape or "
                                         "`element_shape` must be specified"):
        tf.train.input_producer(tf.placeholder(tf.float32, [None, None]))
    with pytest.raises(ValueError, match="at least 1"):
        tf.train.input_producer(tf.constant(1.0))
    queue = tf.train.input_producer(tf.placeholder(tf.float32, [None, None]), element_shape=[3])
    assert queue.shapes == [tf.TensorShape([3])]


def test_limit_epochs_values_and_errors():
    limited = tf.train.limit_epochs(tf.constant([1, 2]), num_epochs=2)
    assert tf.train.limit_epochs(limited, None) is limited
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        np.testing.assert_array_equal(sess.run(limited), [1, 2])
        np.testing.assert_array_equal(sess.run(limited), [1, 2])
        with pytest.raises(tf.errors.OutOfRangeError, match="Reached limit of 2"):
            sess.run(limited)
    with pytest.raises(ValueError, match="num_epochs must be > 0 not 0"):
        tf.train.limit_epochs(tf.constant(1), 0)
    assert [v.op.name for v in tf.local_variables()] == ["limit_epochs/epochs"]


def test_range_and_slice_input_producers():
    numbers = tf.train.range_input_producer(4, num_epochs=1, shuffle=False).dequeue()
    features = np.arange(10, dtype=np.float32).reshape(5, 2)
    labels = np.array([0, 1, 2, 3, 4], dtype=np.int32)
    feature, label = tf.train.slice_input_producer([features, labels], num_epochs=2, seed=5)
    assert feature.shape.as_list() == [2] and label.shape.as_list() == []
    with tf.Session() as sess:
        initialize(sess)
        values, done = run_until_out_of_range(sess, numbers)
        assert done and values == [0, 1, 2, 3]
    with tf.Session() as sess:
        initialize(sess)
        pairs, done = run_until_out_of_range(sess, [feature, label])
    assert done and len(pairs) == 10
    for row, index in pairs:
        np.testing.assert_array_equal(row, features[index])
    assert collections.Counter(int(i) for _, i in pairs) == {i: 2 for i in range(5)}
    with pytest.raises(ValueError, match="Expected at least one tensor in slice_input_producer"):
        tf.train.slice_input_producer([])
    with pytest.raises(ValueError, match="not compatible"):
        tf.train.slice_input_producer([np.zeros(3), np.zeros(4)])


def test_match_filenames_once_is_a_sorted_local_variable(tmp_path):
    for name in ("b.txt", "a.txt", "c.csv"):
        (tmp_path / name).write_text("x")
    matches = tf.train.match_filenames_once(str(tmp_path / "*.txt"))
    assert matches in tf.local_variables() and matches not in tf.global_variables()
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized value matching_filenames"):
            sess.run(matches)
        sess.run(tf.local_variables_initializer())
        assert [os.path.basename(n.decode()) for n in sess.run(matches)] == ["a.txt", "b.txt"]


def test_batch_structures_threads_and_final_batch():
    value = tf.train.range_input_producer(10, num_epochs=1, shuffle=False).dequeue()
    batched = tf.train.batch({"n": value, "pair": [value * 2, tf.cast(value, tf.float32)]}, batch_size=4,
                             num_threads=2, allow_smaller_final_batch=True)
    assert set(batched) == {"n", "pair"} and isinstance(batched["pair"], list)
    with tf.Session() as sess:
        initialize(sess)
        batches, done = run_until_out_of_range(sess, batched)
    assert done and [len(b["n"]) for b in batches] == [4, 4, 2]
    numbers = np.concatenate([b["n"] for b in batches])
    assert sorted(numbers.tolist()) == list(range(10))
    for b in batches:
        np.testing.assert_array_equal(b["pair"][0], b["n"] * 2)
        assert b["pair"][1].dtype == np.float32


def test_batch_without_smaller_final_batch_drops_the_remainder():
    value = tf.train.range_input_producer(10, num_epochs=1, shuffle=False).dequeue()
    batched = tf.train.batch(value, batch_size=4)
    assert isinstance(batched, tf.Tensor) and batched.shape.as_list() == [4]
    with tf.Session() as sess:
        initialize(sess)
        batches, done = run_until_out_of_range(sess, batched)
    assert done and [b.tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7]]


def test_batch_enqueue_many_and_dynamic_pad():
    rows = tf.train.limit_epochs(tf.constant([[1, 2], [3, 4], [5, 6]]), num_epochs=1)
    batched = tf.train.batch([rows], batch_size=3, enqueue_many=True)
    assert batched[0].shape.as_list() == [3, 2]
    length = tf.train.range_input_producer(4, num_epochs=1, shuffle=False).dequeue() + 1
    ragged = tf.fill(tf.reshape(length, [1]), length)
    padded = tf.train.batch([ragged], batch_size=2, dynamic_pad=True, name="padded")
    assert padded[0].shape.as_list() == [2, None]
    with tf.Session() as sess:
        initialize(sess)
        many, _ = run_until_out_of_range(sess, batched)
        np.testing.assert_array_equal(many[0][0], [[1, 2], [3, 4], [5, 6]])
    with tf.Session() as sess:
        initialize(sess)
        pads, done = run_until_out_of_range(sess, padded)
    assert done
    np.testing.assert_array_equal(pads[0][0], [[1, 0], [2, 2]])
    np.testing.assert_array_equal(pads[1][0], [[3, 3, 3, 0], [4, 4, 4, 4]])


def test_batch_shape_errors():
    unknown_dim = tf.placeholder(tf.float32, [None])
    with pytest.raises(ValueError, match="All shapes must be fully defined"):
        tf.train.batch([unknown_dim], batch_size=2)
    with pytest.raises(ValueError, match="Cannot infer Tensor's rank"):
        tf.train.batch([tf.placeholder(tf.float32)], batch_size=2)
    with pytest.raises(ValueError, match="Expected at least one tensor in batch"):
        tf.train.batch([], batch_size=2)
    batched = tf.train.batch([unknown_dim], batch_size=2, shapes=[[3]])
    assert batched[0].shape.as_list() == [2, 3]
    with pytest.raises(TypeError, match="Expected types to be consistent"):
        tf.train.batch_join([[tf.constant(1)], [tf.constant(1.0)]], batch_size=2)
    with pytest.raises(ValueError, match=r"Expected 1 tensors in tensors_list\[1\], but got 2"):
        tf.train.batch_join([[tf.constant(1)], [tf.constant(1), tf.constant(2)]], batch_size=2)


def test_shuffle_batch_is_a_seeded_permutation():
    data = tf.train.limit_epochs(tf.constant(np.arange(20, dtype=np.int32)), num_epochs=1)
    batched = tf.train.shuffle_batch([data], batch_size=5, capacity=20, min_after_dequeue=15, seed=11,
                                     enqueue_many=True)
    assert batched[0].shape.as_list() == [5]
    runs = []
    for _ in range(2):
        with tf.Session() as sess:
            initialize(sess)
            batches, done = run_until_out_of_range(sess, batched)
            assert done
            runs.append(np.concatenate([b[0] for b in batches]).tolist())
    assert runs[0] == runs[1]
    assert sorted(runs[0]) == list(range(20)) and runs[0] != list(range(20))
    summaries = [s.op.name for s in tf.get_collection(tf.GraphKeys.SUMMARIES)]
    assert "shuffle_batch/fraction_over_15_of_5_full" in summaries


def two_producers():
    first = tf.train.range_input_producer(6, num_epochs=1, shuffle=False).dequeue()
    second = tf.train.range_input_producer(6, num_epochs=1, shuffle=False).dequeue() + 100
    return first, second


def batches_in_new_graph(build):
    """Runs the pipeline `build()` makes in a graph of its own (start_queue_runners starts every runner
    of a graph, so pipelines sharing producers would share their elements)."""
    with tf.Graph().as_default():
        fetch = build()
        with tf.Session() as sess:
            initialize(sess)
            batches, done = run_until_out_of_range(sess, fetch)
    assert done
    return np.concatenate([b[0] for b in batches]).tolist()


def test_joins_and_maybe_batch():
    expected = list(range(6)) + list(range(100, 106))
    joined = batches_in_new_graph(lambda: tf.train.batch_join([[x] for x in two_producers()], batch_size=4,
                                                               allow_smaller_final_batch=True))
    assert sorted(joined) == expected
    shuffled = batches_in_new_graph(lambda: tf.train.shuffle_batch_join(
        [[x] for x in two_producers()], batch_size=3, capacity=12, min_after_dequeue=2, seed=1,
        allow_smaller_final_batch=True))
    assert sorted(shuffled) == expected

    def keep_even():
        first = tf.train.range_input_producer(6, num_epochs=1, shuffle=False).dequeue()
        return tf.train.maybe_batch([first], keep_input=tf.equal(first % 2, 0), batch_size=2,
                                    allow_smaller_final_batch=True)
    assert batches_in_new_graph(keep_even) == [0, 2, 4]
    with pytest.raises(ValueError, match="must be a scalar when enqueue_many=False"):
        tf.train.maybe_batch([tf.constant(1)], keep_input=[True], batch_size=2)


def test_maybe_batch_vector_keep_input_with_enqueue_many():
    rows = tf.train.limit_epochs(tf.constant([1, 2, 3, 4]), num_epochs=1)
    kept = tf.train.maybe_batch([rows], keep_input=tf.constant([True, False, True, False]), batch_size=2,
                                enqueue_many=True)
    with tf.Session() as sess:
        initialize(sess)
        batches, done = run_until_out_of_range(sess, kept)
    assert done and [b[0].tolist() for b in batches] == [[1, 3]]


def test_queue_runner_api_and_errors():
    q = tf.FIFOQueue(4, tf.int32, shapes=[])
    enqueue = q.enqueue(1)
    runner = tf.train.QueueRunner(q, [enqueue])
    assert runner.queue is q and runner.enqueue_ops == [enqueue] and runner.name == "fifo_queue"
    assert runner.queue_closed_exception_types == (tf.errors.OutOfRangeError,)
    assert runner.close_op.type == "QueueCloseV2" and runner.cancel_op.get_attr("cancel_pending_enqueues")
    with pytest.raises(ValueError, match="Must provide queue and enqueue_ops"):
        tf.train.QueueRunner(q, [])
    with pytest.raises(TypeError, match="must be a tuple of tf.error types"):
        tf.train.QueueRunner(q, [enqueue], queue_closed_exception_types=(ValueError,))
    tf.train.add_queue_runner(runner)
    assert tf.get_collection(tf.GraphKeys.QUEUE_RUNNERS) == [runner]
    with pytest.raises(ValueError, match="No default session is registered"):
        tf.train.start_queue_runners()
    with pytest.raises(TypeError, match="sess must be a `tf.Session` object"):
        tf.train.start_queue_runners(sess=object())
    with tf.Session() as sess:
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess=sess, coord=coord)
        assert len(threads) == 2 and all(t.daemon for t in threads)
        assert runner.create_threads(sess, coord=coord) == []
        assert [sess.run(q.dequeue()) for _ in range(3)] == [1, 1, 1]
        coord.request_stop()
        coord.join(threads, stop_grace_period_secs=5)
        assert sess.run(q.is_closed())


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_queue_runner_without_coordinator_keeps_its_exceptions():
    q = tf.FIFOQueue(4, tf.int32, shapes=[])
    bad = tf.placeholder(tf.int32, [])
    runner = tf.train.QueueRunner(q, [q.enqueue(bad)])
    with tf.Session() as sess:
        (thread,) = runner.create_threads(sess, start=True)
        thread.join(5)
        assert not thread.is_alive()
    assert len(runner.exceptions_raised) == 1
    assert isinstance(runner.exceptions_raised[0], tf.errors.InvalidArgumentError)
    assert "You must feed a value for placeholder tensor" in str(runner.exceptions_raised[0])


def test_closing_the_session_ends_blocked_runner_threads():
    """The producer fills its queue and blocks; closing the Session (without a stop request) ends it."""
    tf.train.range_input_producer(1000, capacity=4)
    sess = tf.Session()
    coord = tf.train.Coordinator()
    threads = tf.train.start_queue_runners(sess=sess, coord=coord)
    sess.close()
    for thread in threads:
        thread.join(5)
    assert not any(t.is_alive() for t in threads)
    coord.request_stop()
    coord.join(threads)


def test_csv_queue_runner_example_trains_and_ends_by_out_of_range(tmp_path):
    rng = np.random.default_rng(0)
    rows = ["x1,x2,label"]
    for label, center in enumerate([(0.0, 2.0), (2.0, -1.0), (-2.0, -1.0)]):
        for point in rng.normal(center, 0.4, size=(30, 2)):
            rows.append("%.4f,%.4f,%d" % (point[0], point[1], label))
    csv = tmp_path / "points.csv"
    csv.write_text("\n".join(rows) + "\n")
    out = subprocess.run([sys.executable, EXAMPLE, "--csv", str(csv), "--epochs", "3", "--batch-size", "10"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Done: the input ran out after 3 epoch(s)" in out.stdout
    assert "trained 27 steps on 270 examples" in out.stdout
    accuracy = float(out.stdout.strip().splitlines()[-1].rsplit(" ", 1)[1])
    assert accuracy > 0.9
