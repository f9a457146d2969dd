"""Small models and recording hooks shared by the MonitoredSession, hook and Supervisor tests."""
import collections
import os

import numpy as np

import numflow as tf

Model = collections.namedtuple("Model", "x y w b loss train_op global_step")


def linear_regression(optimizer=None, summaries=True):
    """y = x.w + b fitted by `optimizer` (Adam 0.05: it has slots, so resuming must restore them too);
    the training op increments the global step."""
    global_step = tf.train.get_or_create_global_step()
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    y = tf.placeholder(tf.float32, [None], name="y")
    w = tf.Variable(np.zeros(3, np.float32), name="w")
    b = tf.Variable(np.float32(0.0), name="b")
    prediction = tf.reduce_sum(x * w, axis=1) + b
    loss = tf.reduce_mean(tf.square(prediction - y))
    if summaries:
        tf.summary.scalar("loss", loss)
    optimizer = optimizer or tf.train.AdamOptimizer(0.05)
    train_op = optimizer.minimize(loss, global_step=global_step)
    return Model(x, y, w, b, loss, train_op, global_step)


def batch_for_step(step, size=8):
    """The deterministic batch (x, y) of training step `step`: the same in every run."""
    rng = np.random.RandomState(1000 + int(step))
    x = rng.randn(size, 3).astype(np.float32)
    y = (x @ np.array([1.5, -2.0, 0.5], np.float32) + 0.25).astype(np.float32)
    return x, y


def feed_for_step(model, step):
    x, y = batch_for_step(step)
    return {model.x: x, model.y: y}


class RecordingHook(tf.train.SessionRunHook):
    """Records every call it gets, with the global step it fetched."""

    def __init__(self, fetches=None):
        self.calls = []
        self.fetches = fetches
        self.results = []
        self.graph_finalized_at = {}

    def begin(self):
        self.calls.append("begin")
        self.graph_finalized_at["begin"] = tf.get_default_graph().finalized

    def after_create_session(self, session, coord):
        self.calls.append("after_create_session")
        self.graph_finalized_at["after_create_session"] = session.graph.finalized
        self.coord = coord

    def before_run(self, run_context):
        self.calls.append("before_run")
        return tf.train.SessionRunArgs(self.fetches) if self.fetches is not None else None

    def after_run(self, run_context, run_values):
        self.calls.append("after_run")
        self.results.append(run_values.results)

    def end(self, session):
        self.calls.append("end")

    def count(self, name):
        return self.calls.count(name)


def events_in(folder):
    """Every Event of every event file in `folder`, in file order."""
    out = []
    for name in sorted(os.listdir(folder)):
        if name.startswith("events.out.tfevents"):
            out.extend(tf.summary.summary_iterator(os.path.join(folder, name)))
    return out


def summary_steps(events, tag):
    """The steps at which a summary with `tag` was written."""
    return [event.step for event in events if event.HasField("summary")
            and any(value.tag == tag for value in event.summary.value)]


def session_log_steps(events, status):
    return [event.step for event in events if event.HasField("session_log") and event.session_log.status == status]


def checkpoint_steps(folder):
    """The global steps of the complete checkpoints (index + data) in `folder`, sorted."""
    steps = set()
    for name in os.listdir(folder):
        if name.startswith("model.ckpt-") and name.endswith(".index"):
            prefix = name[:-len(".index")]
            if os.path.exists(os.path.join(folder, prefix + ".data-00000-of-00001")):
                steps.add(int(prefix.rsplit("-", 1)[1]))
    return sorted(steps)
