"""tf.train.SyncReplicasOptimizer: gradients of several in-process replicas aggregated through conditional
accumulators and a token queue, applied by the chief's queue runner.

Every test that could block runs its body in a thread with a deadline, so a hang fails instead of
stalling the suite."""
import threading
import time

import numpy as np
import pytest

import numflow as tf

DEADLINE_SECS = 30


def _within_deadline(body, *args):
    """Runs body(*args) in a daemon thread; fails when it has not finished after DEADLINE_SECS."""
    outcome = {}

    def target():
        try:
            outcome["value"] = body(*args)
        except BaseException as e:  # noqa: BLE001 - re-raised in the test's thread
            outcome["error"] = e
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(DEADLINE_SECS)
    assert not thread.is_alive(), "%s still running after %d s: it hangs" % (body.__name__, DEADLINE_SECS)
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def _run_in_threads(sess, fetches, feeds):
    """One thread per feed dict, each running `fetches` once; waits for all of them."""
    errors = []

    def run(feed):
        try:
            sess.run(fetches, feed)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)
    threads = [threading.Thread(target=run, args=(feed,), daemon=True) for feed in feeds]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(DEADLINE_SECS)
    assert not any(t.is_alive() for t in threads) and not errors, errors
    return threads


def _wait_until(condition, what):
    deadline = time.time() + DEADLINE_SECS
    while not condition():
        assert time.time() < deadline, "timed out waiting for " + what
        time.sleep(0.005)


class _Replicas:
    """A linear model `loss = sum(w * x)` (so the gradient is x) trained with a SyncReplicasOptimizer in
    one raw Session, with the chief's hook run by hand on a Coordinator."""

    def __init__(self, replicas_to_aggregate, num_tokens=-1, opt=None, **kwargs):
        self.graph = tf.Graph()
        with self.graph.as_default():
            self.global_step = tf.train.get_or_create_global_step()
            self.w = tf.Variable([0.0, 0.0], name="w")
            self.x = tf.placeholder(tf.float32, [2])
            self.optimizer = tf.train.SyncReplicasOptimizer(opt or tf.train.GradientDescentOptimizer(1.0),
                                                            replicas_to_aggregate, **kwargs)
            self.train = self.optimizer.minimize(tf.reduce_sum(self.w * self.x), global_step=self.global_step)
            self.num_accumulated = self.optimizer._accumulator_list[0].num_accumulated()
            self.hook = self.optimizer.make_session_run_hook(is_chief=True, num_tokens=num_tokens)
            self.hook.begin()
            self.init = [tf.global_variables_initializer(), tf.local_variables_initializer()]
        self.sess = tf.Session(graph=self.graph)
        self.coord = tf.train.Coordinator()
        self.sess.run(self.init)
        self.hook.after_create_session(self.sess, self.coord)

    def step(self, x):
        self.sess.run(self.train, {self.x: x})

    def values(self):
        return self.sess.run([self.w, self.global_step, self.num_accumulated])

    def stop(self):
        """Stops the chief's thread as a MonitoredSession does; returns how long joining took."""
        start = time.time()
        self.coord.request_stop()
        self.coord.join(stop_grace_period_secs=DEADLINE_SECS)  # RuntimeError if a thread is left running
        self.sess.close()
        return time.time() - start


def _plain_and_synchronised_trajectories(make_optimizer, steps):
    feeds = [np.array([1.0, -2.0]) * (i + 1) for i in range(steps)]
    plain = []
    with tf.Graph().as_default():
        global_step = tf.train.get_or_create_global_step()
        w = tf.Variable([0.5, 0.0])
        x = tf.placeholder(tf.float32, [2])
        train = make_optimizer().minimize(tf.reduce_sum(w * w * x), global_step=global_step)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for feed in feeds:
                sess.run(train, {x: feed})
                plain.append(sess.run([w, global_step]))
    synchronised = []
    with tf.Graph().as_default():
        global_step = tf.train.get_or_create_global_step()
        w = tf.Variable([0.5, 0.0])
        x = tf.placeholder(tf.float32, [2])
        optimizer = tf.train.SyncReplicasOptimizer(make_optimizer(), 1)
        train = optimizer.minimize(tf.reduce_sum(w * w * x), global_step=global_step)
        hook = optimizer.make_session_run_hook(is_chief=True, num_tokens=0)
        with tf.train.MonitoredTrainingSession(hooks=[hook]) as sess:
            for feed in feeds:
                sess.run(train, {x: feed})
                synchronised.append(sess.run([w, global_step]))
    return plain, synchronised


@pytest.mark.parametrize("make_optimizer", [lambda: tf.train.GradientDescentOptimizer(0.1),
                                            lambda: tf.train.MomentumOptimizer(0.1, 0.9)])
def test_one_replica_equals_the_plain_optimizer(make_optimizer):
    plain, synchronised = _within_deadline(_plain_and_synchronised_trajectories, make_optimizer, 5)
    for (plain_w, plain_step), (sync_w, sync_step) in zip(plain, synchronised):
        np.testing.assert_allclose(sync_w, plain_w, rtol=1e-6)
        assert sync_step == plain_step
    assert [step for _, step in synchronised] == [1, 2, 3, 4, 5]


def _two_replicas_average_once_per_two_contributions():
    replicas = _Replicas(2, num_tokens=0)
    first = threading.Thread(target=replicas.step, args=([1.0, 1.0],), daemon=True)
    first.start()
    _wait_until(lambda: replicas.values()[2] == 1, "the first contribution")
    time.sleep(0.05)
    w, step, _ = replicas.values()
    assert first.is_alive() and step == 0  # one contribution: nothing applied, the replica waits
    np.testing.assert_array_equal(w, [0.0, 0.0])
    _run_in_threads(replicas.sess, replicas.train, [{replicas.x: [3.0, 1.0]}])
    first.join(DEADLINE_SECS)
    assert not first.is_alive()
    w, step, accumulated = replicas.values()
    np.testing.assert_allclose(w, [-2.0, -1.0])  # minus the mean of [1, 1] and [3, 1]
    assert step == 1 and accumulated == 0
    _run_in_threads(replicas.sess, replicas.train, [{replicas.x: [0.0, 1.0]}, {replicas.x: [2.0, 3.0]}])
    w, step, _ = replicas.values()
    np.testing.assert_allclose(w, [-3.0, -3.0])
    assert step == 2
    assert replicas.stop() < 5


def test_two_replicas_apply_the_mean_once_per_two_contributions():
    _within_deadline(_two_replicas_average_once_per_two_contributions)


def _stale_gradients_are_dropped():
    replicas = _Replicas(2)  # two initial tokens: the replica may run one step ahead of the update
    replicas.step([1.0, 0.0])
    replicas.step([3.0, 2.0])
    _wait_until(lambda: replicas.values()[1] == 1, "the first update")
    np.testing.assert_allclose(replicas.values()[0], [-2.0, -1.0])
    # This gradient was computed at local step 0, before the first update: stale, dropped.
    replicas.step([100.0, 100.0])
    w, step, accumulated = replicas.values()
    assert step == 1 and accumulated == 0
    np.testing.assert_allclose(w, [-2.0, -1.0])
    replicas.step([0.0, 4.0])   # local step 1 now: counted
    assert replicas.values()[2] == 1
    replicas.step([2.0, 0.0])   # the second one triggers the update; this run waits for its token
    w, step, accumulated = replicas.values()
    np.testing.assert_allclose(w, [-3.0, -3.0])
    assert step == 2 and accumulated == 0
    assert replicas.stop() < 5


def test_stale_gradients_are_dropped_and_global_step_counts_updates():
    _within_deadline(_stale_gradients_are_dropped)


def _sparse_gradients_average_per_row():
    with tf.Graph().as_default():
        global_step = tf.train.get_or_create_global_step()
        table = tf.Variable(np.zeros((4, 2), np.float32))
        ids = tf.placeholder(tf.int32, [2])
        scale = tf.placeholder(tf.float32, [])
        optimizer = tf.train.SyncReplicasOptimizer(tf.train.GradientDescentOptimizer(1.0), 2)
        train = optimizer.minimize(scale * tf.reduce_sum(tf.gather(table, ids)), global_step=global_step)
        assert isinstance(optimizer._accumulator_list[0], tf.SparseConditionalAccumulator)
        hook = optimizer.make_session_run_hook(is_chief=True, num_tokens=0)
        with tf.train.MonitoredTrainingSession(hooks=[hook]) as sess:
            _run_in_threads(sess, train, [{ids: [0, 1], scale: 2.0}, {ids: [1, 2], scale: 4.0}])
            # Each row is averaged over the gradients that held it, as TF's sparse accumulator does.
            np.testing.assert_allclose(sess.run(table), [[-2, -2], [-3, -3], [-4, -4], [0, 0]])
            assert sess.run(global_step) == 1


def test_sparse_gradients_use_a_sparse_accumulator():
    _within_deadline(_sparse_gradients_average_per_row)


def _variable_averages_follow_each_update():
    with tf.Graph().as_default():
        global_step = tf.train.get_or_create_global_step()
        w = tf.Variable([0.0, 0.0])
        x = tf.placeholder(tf.float32, [2])
        averages = tf.train.ExponentialMovingAverage(0.5)
        optimizer = tf.train.SyncReplicasOptimizer(tf.train.GradientDescentOptimizer(1.0), 1,
                                                   variable_averages=averages, variables_to_average=[w])
        train = optimizer.minimize(tf.reduce_sum(w * x), global_step=global_step)
        hook = optimizer.make_session_run_hook(is_chief=True, num_tokens=0)
        with tf.train.MonitoredTrainingSession(hooks=[hook]) as sess:
            sess.run(train, {x: [2.0, 4.0]})
            # The update is applied before its token is issued; the averages right after the token, so
            # wait for the chief's thread to finish them.
            _wait_until(lambda: sess.run(averages.average(w))[0] != 0.0, "the moving average")
            np.testing.assert_allclose(sess.run(w), [-2.0, -4.0])
            np.testing.assert_allclose(sess.run(averages.average(w)), [-1.0, -2.0])  # 0.5 * 0 + 0.5 * w


def test_variable_averages_are_updated_by_the_chief():
    _within_deadline(_variable_averages_follow_each_update)


def _monitored_session_closes_promptly():
    with tf.Graph().as_default():
        global_step = tf.train.get_or_create_global_step()
        w = tf.Variable([0.0, 0.0])
        x = tf.placeholder(tf.float32, [2])
        optimizer = tf.train.SyncReplicasOptimizer(tf.train.AdamOptimizer(0.1), 2)
        train = optimizer.minimize(tf.reduce_sum(w * x), global_step=global_step)
        hooks = [optimizer.make_session_run_hook(is_chief=True), tf.train.StopAtStepHook(last_step=3)]
        steps = 0
        with tf.train.MonitoredTrainingSession(hooks=hooks) as sess:
            while not sess.should_stop():
                sess.run(train, {x: [1.0, 2.0]})
                steps += 1
            closing = time.time()
        closed_after = time.time() - closing
        # The chief's thread was waiting for gradients for the fourth update when the session closed.
        assert closed_after < 5, "closing took %.1f s" % closed_after
        assert steps >= 6


def test_monitored_training_session_ends_cleanly():
    _within_deadline(_monitored_session_closes_promptly)


def _stopping_wakes_a_replica_waiting_for_its_token():
    replicas = _Replicas(2, num_tokens=0)
    outcome = []

    def replica():
        try:
            replicas.step([1.0, 1.0])
        except tf.errors.OpError as e:
            outcome.append(e)
    waiting = threading.Thread(target=replica, daemon=True)
    waiting.start()
    _wait_until(lambda: replicas.values()[2] == 1, "the contribution")
    assert replicas.stop() < 5
    waiting.join(DEADLINE_SECS)
    assert not waiting.is_alive()
    # The token queue was closed while the replica waited on it (or the Session closed under it).
    assert len(outcome) == 1 and isinstance(outcome[0], (tf.errors.OutOfRangeError, tf.errors.CancelledError))


def test_stopping_the_coordinator_wakes_a_waiting_replica():
    _within_deadline(_stopping_wakes_a_replica_waiting_for_its_token)


def test_api_and_errors():
    with tf.Graph().as_default():
        optimizer = tf.train.SyncReplicasOptimizer(tf.train.AdamOptimizer(), 2)
        with pytest.raises(ValueError, match=r"Should be called after apply_gradients\(\)"):
            optimizer.get_chief_queue_runner()
        with pytest.raises(ValueError, match=r"get_init_tokens_op\(\) should be called after apply_gradients"):
            optimizer.get_init_tokens_op()
        with pytest.raises(ValueError, match="apply_gradient should be called before using the hook"):
            optimizer.make_session_run_hook(True).begin()
        w = tf.Variable(1.0)
        with pytest.raises(ValueError, match="Global step is required to check staleness"):
            optimizer.apply_gradients([(tf.constant(1.0), w)])
        with pytest.raises(ValueError, match="Must supply at least one variable"):
            optimizer.apply_gradients([], global_step=tf.train.get_or_create_global_step())
        with pytest.raises(ValueError, match="must be positive; got 0 and 0"):
            tf.train.SyncReplicasOptimizer(tf.train.AdamOptimizer(), 0)
    with tf.Graph().as_default():
        global_step = tf.train.get_or_create_global_step()
        w = tf.Variable(1.0)
        optimizer = tf.train.SyncReplicasOptimizer(tf.train.AdamOptimizer(), 3, total_num_replicas=1)
        grads_and_vars = optimizer.compute_gradients(w * w)
        assert [v for _, v in grads_and_vars] == [w]
        optimizer.apply_gradients(grads_and_vars, global_step=global_step)
        assert optimizer.get_slot(w, "m") is not None and optimizer.get_slot_names() == ["m", "v"]
        assert set(optimizer.variables()) == set(optimizer._opt.variables())
        assert isinstance(optimizer.get_chief_queue_runner(), tf.train.QueueRunner)
        with pytest.raises(ValueError, match=r"Too few tokens to finish the first step: 1 \(given\) vs 2 \(needed\)"):
            optimizer.get_init_tokens_op(1)
        assert optimizer.get_init_tokens_op(2).type == "QueueEnqueueManyV2"
        local_steps = [v for v in tf.local_variables() if "sync_rep_local_step" in v.name]
        assert len(local_steps) == 1 and local_steps[0].dtype.base_dtype == tf.int64
        worker_hook = optimizer.make_session_run_hook(is_chief=False)
        worker_hook.begin()
        assert worker_hook._q_runner is None and worker_hook._local_init_op is optimizer.local_step_init_op


def test_hook_refuses_an_uninitialised_model():
    with tf.Graph().as_default():
        global_step = tf.train.get_or_create_global_step()
        w = tf.Variable(1.0, name="weights")
        optimizer = tf.train.SyncReplicasOptimizer(tf.train.GradientDescentOptimizer(0.1), 1)
        optimizer.minimize(w * w, global_step=global_step)
        hook = optimizer.make_session_run_hook(is_chief=True)
        hook.begin()
        with tf.Session() as sess:
            with pytest.raises(RuntimeError, match="Init operations did not make model ready for "
                                                   "SyncReplicasOptimizer local_init.*weights"):
                hook.after_create_session(sess, tf.train.Coordinator())
