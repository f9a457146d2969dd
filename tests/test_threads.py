"""BLAS thread control: setting the count, ConfigProto(intra_op_parallelism_threads), the adaptive choice."""
import numpy as np
import pytest

import numflow as tf
from numflow.client import threads

needs_control = pytest.mark.skipif(not threads.available(), reason="no controllable BLAS in this process")


@pytest.fixture
def restore_blas_threads():
    before = threads.blas_threads()
    yield
    if before is not None:
        threads.set_blas_threads(before)


@needs_control
def test_set_and_read_back(restore_blas_threads):
    threads.set_blas_threads(1)
    assert threads.blas_threads() == 1
    threads.set_blas_threads(threads.default_threads())
    assert threads.blas_threads() == threads.default_threads()


@needs_control
def test_limit_restores_previous_count(restore_blas_threads):
    threads.set_blas_threads(threads.default_threads())
    with threads.limit_blas_threads(1):
        assert threads.blas_threads() == 1
    assert threads.blas_threads() == threads.default_threads()


def test_thread_count_must_be_positive():
    with pytest.raises(ValueError, match="at least 1, got 0"):
        threads.set_blas_threads(0)


def test_intra_op_threads_from_config():
    assert threads.intra_op_threads(None) is None
    assert threads.intra_op_threads(tf.ConfigProto()) is None
    assert threads.intra_op_threads(tf.ConfigProto(intra_op_parallelism_threads=0)) is None
    assert threads.intra_op_threads(tf.ConfigProto(intra_op_parallelism_threads=3)) == 3
    assert threads.intra_op_threads({"intra_op_parallelism_threads": 2}) == 2
    with pytest.raises(ValueError, match="intra_op_parallelism_threads must be >= 0, got -1"):
        threads.intra_op_threads({"intra_op_parallelism_threads": -1})


def _blas_threads_seen_inside_run(config):
    """The BLAS thread count a kernel observes while a matmul plan of a Session with `config` runs."""
    seen = []

    def record(value):
        seen.append(threads.blas_threads())
        return value
    x = tf.placeholder(tf.float32, [None, 4])
    product = tf.matmul(x, tf.ones([4, 4]))
    observed = tf.py_func(record, [product], tf.float32)
    with tf.Session(config=config) as sess:
        result = sess.run(observed, {x: np.ones((2, 4), np.float32)})
    np.testing.assert_array_equal(result, np.full((2, 4), 4, np.float32))
    return seen


@needs_control
def test_session_runs_with_its_intra_op_thread_count(restore_blas_threads):
    threads.set_blas_threads(threads.default_threads())
    assert _blas_threads_seen_inside_run(tf.ConfigProto(intra_op_parallelism_threads=1)) == [1]


@needs_control
def test_a_one_thread_session_first_does_not_change_the_default():
    # A fresh process with 2 BLAS threads: a Session fixed at 1 thread runs first; the default (what
    # Sessions without a setting adapt up to) must still be the 2 threads BLAS started with.
    import os
    import subprocess
    import sys
    code = ("import numpy as np, numflow as tf\n"
            "from numflow.client import threads\n"
            "x = tf.placeholder(tf.float32, [2, 2])\n"
            "with tf.Session(config=tf.ConfigProto(intra_op_parallelism_threads=1)) as s:\n"
            "    s.run(tf.matmul(x, x), {x: np.ones((2, 2))})\n"
            "print(threads.default_threads(), threads.blas_threads())\n")
    env = dict(os.environ, OPENBLAS_NUM_THREADS="2", OMP_NUM_THREADS="2")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["2", "1"]


@needs_control
def test_plans_without_blas_ops_are_left_alone():
    x = tf.placeholder(tf.float32)
    with tf.Session() as sess:
        sess.run(x + 1, {x: 1.0})
        plan = next(iter(sess._plans.values()))
    assert plan._threads is None


def test_calls_blas_by_op_type():
    assert threads.calls_blas({"MatMul", "Add"})
    assert threads.calls_blas({"Conv2DBackpropInput"})
    assert not threads.calls_blas({"Add", "Relu", "Placeholder"})


class _ManualClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def _drive(chooser, step_seconds, steps):
    """Runs `steps` steps where a step under setting s takes step_seconds[s]; returns the settings used."""
    used = []
    for _ in range(steps):
        setting = chooser.current
        used.append(setting)
        chooser.record(setting, step_seconds[setting])
    return used


S = threads.Setting
ONE, TWO, CONCURRENT = S(1, False), S(2, False), S(1, True)


def test_adaptive_keeps_the_faster_setting():
    chooser = threads.AdaptiveThreads((ONE, TWO), clock=_ManualClock())
    used = _drive(chooser, {ONE: 0.010, TWO: 0.006}, 200)
    assert used[:10] == [ONE] * 5 + [TWO] * 5       # two warm-up and three measured steps of each
    assert chooser.estimate == {ONE: pytest.approx(0.010), TWO: pytest.approx(0.006)}
    assert used[10:].count(ONE) <= len(used[10:]) // 15   # only bounded re-tries of the slower one
    used = _drive(threads.AdaptiveThreads((ONE, TWO)), {ONE: 0.006, TWO: 0.010}, 200)
    assert used[10:].count(TWO) <= len(used[10:]) // 15


def test_estimates_are_mean_step_times():
    # Two threads under load: mostly as fast as ever, now and then 50x slower. A run pays the mean.
    chooser = threads.AdaptiveThreads((ONE, TWO))
    steps = iter([0.010] * 5 + [0.006, 0.006, 0.300] + [0.006] * 50)
    used = []
    for _ in range(20):
        used.append(chooser.current)
        chooser.record(chooser.current, next(steps))
    assert chooser.estimate[TWO] == pytest.approx(0.104)
    assert used[10:] == [ONE] * 10


def test_steps_right_after_multithreaded_blas_are_not_counted():
    chooser = threads.AdaptiveThreads((TWO, ONE))
    used = _drive(chooser, {ONE: 0.010, TWO: 0.006}, 60)
    # TWO's helper threads still spin after it: ONE runs BLAS_SETTLE_SECONDS uncounted, then measures.
    settling_steps = int(round(threads.BLAS_SETTLE_SECONDS / 0.010))
    assert used[:5] == [TWO] * 5
    # (the warm-up steps are among the settling ones)
    assert used[5:5 + settling_steps + 3] == [ONE] * (settling_steps + 3)
    assert chooser.estimate[ONE] == pytest.approx(0.010) and chooser.current == TWO


def test_adaptive_retry_cost_is_bounded_when_threads_become_slow():
    chooser = threads.AdaptiveThreads((ONE, TWO), retry_ratio=20.0)
    _drive(chooser, {ONE: 0.010, TWO: 0.006}, 50)
    assert chooser.current == TWO
    # Another process takes the second core: two threads now wait for it. One such step is enough.
    used = _drive(chooser, {ONE: 0.010, TWO: 0.500}, 2000)
    cost = sum({ONE: 0.010, TWO: 0.500}[s] for s in used)
    assert used[:2] == [TWO, ONE] and used[-1] == ONE
    assert cost <= 1.10 * 0.010 * len(used) + 1.0   # at most ~1/20 spent re-trying, plus the first hits


def test_a_small_hiccup_does_not_switch():
    chooser = threads.AdaptiveThreads((ONE, TWO))
    _drive(chooser, {ONE: 0.010, TWO: 0.006}, 20)
    chooser.record(TWO, 0.030)          # 5x its step once: the mean of its last 8 steps stays below ONE's
    assert chooser.current == TWO and chooser.estimate[TWO] == pytest.approx(0.009)


def test_adaptive_finds_threads_again_when_they_become_fast():
    chooser = threads.AdaptiveThreads((ONE, TWO), retry_ratio=20.0)
    _drive(chooser, {ONE: 0.010, TWO: 0.500}, 100)
    assert chooser.current == ONE
    # TWO is re-tried once ONE has run 20 times what a re-try of TWO cost at its last estimate
    # (4 steps of 0.5 s): within 40 s, 4000 steps here.
    used = _drive(chooser, {ONE: 0.010, TWO: 0.006}, 5000)
    assert used[-200:].count(TWO) >= 180    # its re-tries of ONE take settling steps too


def test_fixed_threads_wins_over_adaptive():
    assert isinstance(threads.controller_for({"MatMul"}, intra_op=1), (threads.FixedThreads, type(None)))
    if threads.available() and threads.default_threads() > 1:
        assert isinstance(threads.controller_for({"MatMul"}), threads.AdaptiveThreads)


def test_adaptive_chooses_among_three_settings():
    chooser = threads.AdaptiveThreads((CONCURRENT, ONE, TWO), retry_ratio=20.0, clock=_ManualClock())
    times = {CONCURRENT: 0.008, TWO: 0.006, ONE: 0.010}
    used = _drive(chooser, times, 3000)
    assert used[:15] == [CONCURRENT] * 5 + [ONE] * 5 + [TWO] * 5
    assert used[-100:].count(TWO) >= 90
    cost = sum(times[s] for s in used[15:])
    assert cost <= 1.15 * 0.006 * len(used[15:])     # each slower setting re-tried at a bounded cost
    # The other core gets busy: multi-threaded BLAS collapses, the concurrent plan does not.
    times = {CONCURRENT: 0.0105, TWO: 0.300, ONE: 0.010}
    used = _drive(chooser, times, 3000)
    assert used[-200:].count(ONE) >= 180
    cost = sum(times[s] for s in used)
    assert cost <= 1.15 * 0.010 * len(used) + 0.6


@pytest.mark.skipif(not threads.available(), reason="no controllable BLAS in this process")
def test_controller_settings_follow_the_config(monkeypatch):
    monkeypatch.setattr(threads, "default_threads", lambda: 2)
    Setting = threads.Setting
    default = threads.controller_for({"MatMul"}, has_concurrent=True)
    assert default.settings == (Setting(1, True), Setting(1, False), Setting(2, False))
    assert threads.controller_for({"MatMul"}).settings == (Setting(1, False), Setting(2, False))
    # inter_op_parallelism_threads=1 is TF's one inter-op thread: kernels never run at the same time.
    assert threads.controller_for({"MatMul"}, inter_op=1, has_concurrent=True).settings == \
        (Setting(1, False), Setting(2, False))
    one = threads.controller_for({"MatMul"}, intra_op=1, has_concurrent=True)
    assert one.settings == (Setting(1, True), Setting(1, False))
    fixed = threads.controller_for({"MatMul"}, intra_op=1, inter_op=1, has_concurrent=True)
    assert isinstance(fixed, threads.FixedThreads) and fixed.setting == Setting(1, False)
    # Concurrent kernels run with one BLAS thread only: a fixed larger count rules them out.
    two = threads.controller_for({"MatMul"}, intra_op=2, has_concurrent=True)
    assert isinstance(two, threads.FixedThreads) and two.setting == Setting(2, False)
    # One core for this process (OPENBLAS_NUM_THREADS=1, or a Horovod rank's share): no second thread.
    monkeypatch.setattr(threads, "default_threads", lambda: 1)
    assert threads.controller_for({"MatMul"}, has_concurrent=True) is None
    # ... unless the config asks for inter-op threads.
    assert threads.controller_for({"MatMul"}, inter_op=2, has_concurrent=True).settings == \
        (Setting(1, True), Setting(None, False))


def test_inter_op_threads_from_config():
    assert threads.inter_op_threads(None) is None
    assert threads.inter_op_threads(tf.ConfigProto(inter_op_parallelism_threads=0)) is None
    assert threads.inter_op_threads(tf.ConfigProto(inter_op_parallelism_threads=1)) == 1
    with pytest.raises(ValueError, match="inter_op_parallelism_threads must be >= 0, got -2"):
        threads.inter_op_threads({"inter_op_parallelism_threads": -2})


def test_session_without_config_takes_tf_config_threading(restore_blas_threads):
    before = (tf.config.threading.get_intra_op_parallelism_threads(),
              tf.config.threading.get_inter_op_parallelism_threads())
    try:
        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(1)
        with tf.Session() as sess:
            assert sess._state.intra_op_threads == 1 and sess._state.inter_op_threads == 1
    finally:
        tf.config.threading.set_intra_op_parallelism_threads(before[0])
        tf.config.threading.set_inter_op_parallelism_threads(before[1])
    with tf.Session() as sess:
        assert sess._state.intra_op_threads == (before[0] or None)


def test_retry_cadence_follows_what_retries_really_cost():
    # Two threads under load: a re-try's first steps are slow (the other process has the core), its
    # measured steps fast. The cadence must follow the 0.25 s each re-try really costs, not 4 x 0.006 s.
    chooser = threads.AdaptiveThreads((ONE, TWO), retry_ratio=20.0)
    _drive(chooser, {ONE: 0.010, TWO: 0.500}, 100)
    spent = {ONE: 0.0, TWO: 0.0}
    steps_of_try = []
    for _ in range(20000):
        setting = chooser.current
        steps_of_try = steps_of_try + [setting] if setting == TWO else []
        seconds = 0.010 if setting == ONE else (0.200 if len(steps_of_try) <= 1 else 0.012)
        spent[setting] += seconds
        chooser.record(setting, seconds)
    assert spent[TWO] <= spent[ONE] / 20 * 1.5
