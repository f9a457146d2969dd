"""Concurrent kernels in a plan (client/concurrency.py): which pairs run at once, the same bits as the
sequential plan, errors still named at their op, and the config that turns them off."""
import threading

import numpy as np
import pytest

import numflow as tf
from numflow.client import concurrency
from numflow.client import threads
from numflow.ops import training as training_ops
from conftest import _has_gpu  # noqa: E402

# Plans with ops placed on a GPU (the suite's guarded-GPU runs) have no concurrent variant: device
# kernels are launches, not host threads.
host_plans = pytest.mark.skipif(_has_gpu(), reason="concurrent variants are built for host-only plans; "
                                                   "this process places ops on a GPU (NUMFLOW_GPU_BACKEND)")

SEQUENTIAL, CONCURRENT = threads.Setting(None, False), threads.Setting(None, True)
# The pairs these tests look for are adjacent once the plan rewrites have run (constant folding takes
# the Shape ops out from between a convolution's two gradients): they ask for the rewrites, so that
# they hold under NUMFLOW_REWRITES=none too. The same-bits checks hold either way.
WITH_REWRITES = {"rewrites": "all"}


def _mlp_graph(width, optimizer=None, batch=None):
    x = tf.placeholder(tf.float32, [batch, width], name="x")
    y = tf.placeholder(tf.float32, [batch, 10], name="y")
    w1 = tf.get_variable("w1", [width, width], initializer=tf.random_normal_initializer(0, 0.05, seed=1))
    w2 = tf.get_variable("w2", [width, width], initializer=tf.random_normal_initializer(0, 0.05, seed=2))
    w3 = tf.get_variable("w3", [width, 10], initializer=tf.random_normal_initializer(0, 0.05, seed=3))
    hidden = tf.nn.relu(tf.matmul(tf.nn.relu(tf.matmul(x, w1)), w2))
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=tf.matmul(hidden, w3)))
    train = (optimizer or tf.train.GradientDescentOptimizer(0.1)).minimize(loss)
    return x, y, loss, train


def _feeds(x, y, batch, width, seed=0):
    rng = np.random.RandomState(seed)
    return {x: rng.randn(batch, width).astype(np.float32),
            y: np.eye(10, dtype=np.float32)[rng.randint(0, 10, batch)]}


@pytest.fixture
def submitted(monkeypatch):
    """The names of the functions handed to the inter-op worker while the test runs."""
    names = []
    submit = concurrency.Worker.submit

    def counting_submit(self, function, *args):
        names.append(getattr(function, "__name__", function))
        return submit(self, function, *args)
    monkeypatch.setattr(concurrency.Worker, "submit", counting_submit)
    return names


def _plan_of(sess):
    return list(sess._plans.values())[-1]


def _run_steps(graph, train, feeds, setting, steps=3):
    """The variables after `steps` training steps from the same initial values, every step under
    `setting` (sequential or concurrent)."""
    config = dict(WITH_REWRITES, intra_op_parallelism_threads=1, inter_op_parallelism_threads=1)
    with tf.Session(graph=graph, config=config) as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train, feeds)      # sequential: one inter-op thread
        plan = _plan_of(sess)
        plan._threads = threads.FixedThreads(setting)
        for _ in range(steps):
            sess.run(train, feeds)
        return sess.run(tf.trainable_variables()), plan


@host_plans
def test_a_layer_gradient_runs_its_two_products_at_once():
    graph = tf.Graph()
    with graph.as_default():
        x, y, _, train = _mlp_graph(256)
        with tf.Session(config=WITH_REWRITES) as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train, _feeds(x, y, 32, 256))
            plan = _plan_of(sess)
    assert plan._concurrent_function is not None
    lines = plan.concurrent_source.splitlines()
    submits = [number for number, line in enumerate(lines, 1) if "= _submit(" in line]
    assert len(submits) == 1
    ops = plan._line_ops_of[plan._filename[:-1] + "-concurrent>"]
    # The middle layer's weight gradient goes to the worker while its input gradient runs here.
    worker_op, here_op = ops[submits[0]], ops[submits[0] + 1]
    assert worker_op.type == here_op.type == "MatMul"
    assert set(worker_op.inputs) & set(here_op.inputs)      # both read the layer's output gradient
    assert not set(worker_op.inputs) & set(here_op.outputs)


@host_plans
def test_small_products_have_no_concurrent_variant():
    graph = tf.Graph()
    with graph.as_default():
        x, y, _, train = _mlp_graph(16)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train, _feeds(x, y, 8, 16))
            assert _plan_of(sess)._concurrent_function is None


@host_plans
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_concurrent_steps_give_the_same_bits_as_sequential_ones(optimizer):
    graph = tf.Graph()
    with graph.as_default():
        # 1024x1024 weights: Adam's update of them is split in halves too (SPLIT_THRESHOLD elements).
        assert 1024 * 1024 >= training_ops.SPLIT_THRESHOLD
        make = tf.train.AdamOptimizer(1e-3) if optimizer == "adam" else tf.train.GradientDescentOptimizer(0.1)
        x, y, _, train = _mlp_graph(1024, make)
    feeds = _feeds(x, y, 64, 1024)
    sequential, _ = _run_steps(graph, train, feeds, SEQUENTIAL)
    concurrent, plan = _run_steps(graph, train, feeds, CONCURRENT)
    assert "_submit(" in plan.concurrent_source
    for before, after in zip(sequential, concurrent):
        np.testing.assert_array_equal(before, after)
    assert not np.array_equal(sequential[0], _initial_w1(graph))     # the steps did train


def _initial_w1(graph):
    with tf.Session(graph=graph) as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(tf.trainable_variables()[0])


@host_plans
@pytest.mark.parametrize("algorithm", ["", "im2col", "winograd"])
def test_convolutions_run_at_once_with_the_same_bits(algorithm, monkeypatch, submitted):
    monkeypatch.setenv("NUMFLOW_CONV_ALGORITHM", algorithm)
    graph = tf.Graph()
    with graph.as_default():
        images = tf.placeholder(tf.float32, [None, 28, 28, 4])
        f1 = tf.get_variable("f1", [5, 5, 4, 16], initializer=tf.random_normal_initializer(0, 0.1, seed=3))
        f2 = tf.get_variable("f2", [5, 5, 16, 16], initializer=tf.random_normal_initializer(0, 0.1, seed=4))
        hidden = tf.nn.relu(tf.nn.conv2d(images, f1, [1, 1, 1, 1], "SAME"))
        out = tf.nn.conv2d(hidden, f2, [1, 1, 1, 1], "SAME")
        train = tf.train.GradientDescentOptimizer(0.01).minimize(tf.reduce_mean(out * out))
    feeds = {images: np.random.RandomState(5).randn(40, 28, 28, 4).astype(np.float32)}
    sequential, _ = _run_steps(graph, train, feeds, SEQUENTIAL)
    assert not submitted
    concurrent, plan = _run_steps(graph, train, feeds, CONCURRENT)
    # conv2's input and filter gradients run as a pair; both forward convolutions spread their batch tiles.
    assert len([line for line in plan.concurrent_source.splitlines() if "_submit(" in line]) == 1
    assert submitted.count("run_ranges") >= 2 * 3
    for before, after in zip(sequential, concurrent):
        assert np.isfinite(before).all()
        np.testing.assert_array_equal(before, after)


def test_a_task_submitted_from_the_worker_runs_there_at_once():
    worker = concurrency.worker()
    inner = worker.submit(lambda: worker.submit(np.multiply, 6, 7).result())
    assert inner.result() == 42


@host_plans
def test_a_failure_on_the_worker_is_reported_at_its_op():
    a = tf.placeholder(tf.float32, [None, 256], name="a")
    b = tf.placeholder(tf.float32, [None, None], name="b")
    weights = tf.ones([256, 256])
    first = tf.matmul(a, weights, name="first")
    second = tf.matmul(b, weights, name="second")
    with tf.Session(config=dict(WITH_REWRITES, intra_op_parallelism_threads=1)) as sess:
        good = {a: np.ones((2, 256), np.float32), b: np.ones((2, 256), np.float32)}
        sess.run([first, second], good)
        plan = _plan_of(sess)
        assert "_submit(" in plan.concurrent_source
        plan._threads = threads.FixedThreads(CONCURRENT)
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"(?s)Matrix size-incompatible.*node second"):
            sess.run([first, second], {a: np.ones((2, 256), np.float32), b: np.ones((2, 7), np.float32)})
        np.testing.assert_array_equal(sess.run(second, good), np.full((2, 256), 256, np.float32))


@host_plans
def test_inter_op_parallelism_one_keeps_plans_sequential():
    graph = tf.Graph()
    with graph.as_default():
        x, y, _, train = _mlp_graph(256)
    config = dict(WITH_REWRITES, inter_op_parallelism_threads=1)
    with tf.Session(graph=graph, config=config) as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train, _feeds(x, y, 32, 256))
        plan = _plan_of(sess)
        assert plan._concurrent_function is not None
        controller = plan._threads
        settings = getattr(controller, "settings", None) or ([controller.setting] if controller else [])
        assert not any(setting.concurrent for setting in settings)


@host_plans
def test_sessions_in_several_threads_share_the_worker():
    graph = tf.Graph()
    with graph.as_default():
        x, y, loss, train = _mlp_graph(512)
    feeds = _feeds(x, y, 64, 512)
    expected, _ = _run_steps(graph, train, feeds, SEQUENTIAL, steps=5)
    results, failures = [None] * 3, []

    def train_in_thread(index):
        try:
            results[index], _ = _run_steps(graph, train, feeds, CONCURRENT, steps=5)
        except Exception as exc:    # reported by the main thread
            failures.append(exc)
    workers = [threading.Thread(target=train_in_thread, args=(i,)) for i in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not failures
    for result in results:
        for want, got in zip(expected, result):
            np.testing.assert_array_equal(want, got)


def test_worker_tasks_return_and_raise():
    worker = concurrency.worker()
    assert worker.submit(np.add, 2, 3).result() == 5

    def fails():
        raise ValueError("from the worker")
    with pytest.raises(ValueError, match="from the worker"):
        worker.submit(fails).result()


@pytest.mark.parametrize("size", [4 * training_ops.CHUNK_ELEMENTS + 3, 1 << 20, (1 << 20) + 12345])
def test_update_halves_equal_the_chunked_update(size):
    rng = np.random.RandomState(size % 97)
    update = training_ops.ApplyAdam.update
    refs = [rng.randn(size).astype(np.float32), np.abs(rng.randn(size)).astype(np.float32),
            np.abs(rng.randn(size)).astype(np.float32)]
    args = [np.float32(0.9), np.float32(0.999), np.float32(1e-3), np.float32(0.9), np.float32(0.999),
            np.float32(1e-8), rng.randn(size).astype(np.float32)]
    expected = [r.copy() for r in refs]
    training_ops._update_in_chunks(update, expected, args, np.float32(1), {})
    training_ops._update_halves_at_once(concurrency.worker().submit, update, refs, args, np.float32(1), {})
    for want, got in zip(expected, refs):
        np.testing.assert_array_equal(want, got)


def test_heavy_ops_are_pure_products_and_convolutions():
    with tf.Graph().as_default():
        big = tf.matmul(tf.placeholder(tf.float32, [None, 512]), tf.ones([512, 256]))
        small = tf.matmul(tf.placeholder(tf.float32, [None, 8]), tf.ones([8, 8]))
        conv = tf.nn.conv2d(tf.placeholder(tf.float32, [None, 4, 4, 1]), tf.ones([2, 2, 1, 1]), [1, 1, 1, 1], "SAME")
        added = big + 1.0
        assert concurrency.is_heavy(big.op)
        assert not concurrency.is_heavy(small.op)
        assert concurrency.is_heavy(conv.op)
        assert not concurrency.is_heavy(added.op)


@host_plans
@pytest.mark.parametrize("batch", [20, 84])     # 84 images: past MaxPool's staging size too (8 MB)
def test_pools_spread_their_images_with_the_same_bits(batch, submitted):
    graph = tf.Graph()
    with graph.as_default():
        images = tf.placeholder(tf.float32, [None, 28, 28, 32])
        scale = tf.get_variable("scale", [32], initializer=tf.random_normal_initializer(1, 0.1, seed=6))
        pooled = tf.nn.max_pool(images * scale, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
        train = tf.train.GradientDescentOptimizer(0.01).minimize(tf.reduce_mean(pooled * pooled))
    # Integers in a small range: many ties, where the first maximum of a window takes the gradient.
    values = np.random.RandomState(7).randint(0, 4, (batch, 28, 28, 32)).astype(np.float32)
    sequential, _ = _run_steps(graph, train, {images: values}, SEQUENTIAL)
    assert not submitted
    concurrent, _ = _run_steps(graph, train, {images: values}, CONCURRENT)
    assert submitted.count("gradient_tiles") == 3
    assert submitted.count("pool_halves" if batch * 28 * 28 * 32 * 4 < (8 << 20) else "pool_tiles") == 3
    for before, after in zip(sequential, concurrent):
        np.testing.assert_array_equal(before, after)
