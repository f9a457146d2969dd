"""Memory across steps: freed intermediates are reused by the allocator, fetched values stay intact."""
import os
import subprocess
import sys

import numpy as np
import pytest

import numflow as tf
from numflow.client import plan

linux_glibc = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")


def _recurrent_step():
    """An unrolled LSTM-like step with its gradient: hundreds of 64-256 KB intermediates per step, the
    sizes glibc hands back to the kernel when freed (measured: ~3300 page faults per step without
    keeping freed memory)."""
    x = tf.placeholder(tf.float32, [None, 28, 28])
    w = tf.Variable(tf.fill([28 + 128, 512], 0.01))
    h = c = tf.zeros([128, 128])
    for x_t in tf.unstack(x, axis=1):
        i, j, f, o = tf.split(tf.matmul(tf.concat([x_t, h], 1), w), 4, axis=1)
        c = c * tf.sigmoid(f) + tf.sigmoid(i) * tf.tanh(j)
        h = tf.tanh(c) * tf.sigmoid(o)
    grad = tf.gradients(tf.reduce_sum(h), w)[0]
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    feed = {x: np.ones((128, 28, 28), np.float32)}
    return lambda: sess.run(grad, feed), sess


_FAULTS_PER_STEP = """
import resource, sys
sys.path.insert(0, %r)
import test_memory_plan
step, sess = test_memory_plan._recurrent_step()
for _ in range(4):
    step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(5):
    step()
print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 5)
""" % os.path.dirname(os.path.abspath(__file__))


def _faults_per_step(keep):
    # A fresh process: a long test session's heap layout (what else it mapped) is not a program's.
    env = dict(os.environ, NUMFLOW_KEEP_FREED_MEMORY=keep)
    out = subprocess.run([sys.executable, "-c", _FAULTS_PER_STEP], env=env, capture_output=True, text=True,
                         check=True)
    return float(out.stdout.strip().splitlines()[-1])


@linux_glibc
def test_steps_reuse_freed_memory_instead_of_fresh_pages():
    kept, returned = _faults_per_step("1"), _faults_per_step("0")
    assert kept < 300 and kept * 5 < returned, (kept, returned)


def test_fetched_values_are_never_overwritten_by_later_steps():
    x = tf.placeholder(tf.float32, [None, 300])
    hidden = tf.nn.relu(x * 3.0 - 1.0)
    total = tf.reduce_sum(hidden, axis=1)
    rng = np.random.RandomState(1)
    feeds = [rng.standard_normal((500, 300)).astype(np.float32) for _ in range(3)]
    with tf.Session() as sess:
        fetched = [sess.run([hidden, total], {x: value}) for value in feeds]
    for value, (got_hidden, got_total) in zip(feeds, fetched):
        expected = np.maximum(value * np.float32(3) - np.float32(1), 0)
        np.testing.assert_array_equal(got_hidden, expected)
        np.testing.assert_allclose(got_total, expected.sum(axis=1), rtol=1e-5)


@linux_glibc
def test_keeping_freed_memory_can_be_turned_off():
    code = ("import numflow.client.plan as p; print(p.keep_freed_memory())")
    env = dict(os.environ, NUMFLOW_KEEP_FREED_MEMORY="0")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    env["NUMFLOW_KEEP_FREED_MEMORY"] = "1"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
