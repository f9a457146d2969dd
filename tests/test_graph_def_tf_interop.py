"""numflow's GraphDefs read by real TensorFlow: an MLP and a CNN, written whole and frozen, give TF numflow's
outputs to 1e-5, and the training graph trains in TF as in numflow.

Set NUMFLOW_TF_PYTHON to a Python with `tensorflow` (e.g. a venv with `pip install tensorflow-cpu`);
TensorFlow is never a dependency of numflow, so without it these tests skip, saying why. The reading
direction (graphs TF wrote, read by numflow) runs everywhere from tests/fixtures/graphs.
"""
import json
import os
import subprocess

import numpy as np
import pytest

import numflow as tf

TF_PYTHON = os.environ.get("NUMFLOW_TF_PYTHON")
pytestmark = pytest.mark.skipif(not TF_PYTHON, reason="set NUMFLOW_TF_PYTHON to a Python with real TensorFlow")

# Runs in TF's interpreter: imports a GraphDef file, feeds .npy inputs, prints the fetched values as JSON.
TF_RUNNER = r"""
import json, sys
import numpy as np
import tensorflow as tf
v1 = tf.compat.v1
v1.disable_eager_execution()
path, spec = sys.argv[1], json.loads(sys.argv[2])
graph_def = v1.GraphDef()
data = open(path, "rb").read()
if path.endswith(".pbtxt"):
    from google.protobuf import text_format
    text_format.Parse(data.decode(), graph_def)
else:
    graph_def.ParseFromString(data)
graph = tf.Graph()
with graph.as_default():
    v1.import_graph_def(graph_def, name="")
out = {}
with v1.Session(graph=graph) as sess:
    feed = {name: np.load(file, allow_pickle=False) for name, file in spec["feed"].items()}
    for op in spec.get("init", []):
        sess.run(op)
    for step in spec.get("steps", []):
        sess.run(step, feed)
    for name in spec["fetch"]:
        out[name] = np.asarray(sess.run(name, feed)).tolist()
print(json.dumps(out))
"""


def run_in_tensorflow(path, feed, fetch, init=(), steps=()):
    folder = os.path.dirname(path)
    files = {}
    for i, (name, value) in enumerate(feed.items()):
        files[name] = os.path.join(folder, "feed%d.npy" % i)
        np.save(files[name], value, allow_pickle=False)
    spec = json.dumps({"feed": files, "fetch": list(fetch), "init": list(init), "steps": list(steps)})
    result = subprocess.run([TF_PYTHON, "-c", TF_RUNNER, path, spec], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    return {k: np.array(v) for k, v in json.loads(result.stdout.strip().splitlines()[-1]).items()}


def _mlp():
    rng = np.random.RandomState(3)
    x = tf.placeholder(tf.float32, [None, 5], name="x")
    labels = tf.placeholder(tf.float32, [None, 3], name="labels")
    w1 = tf.Variable(rng.randn(5, 8).astype(np.float32) * 0.5, name="w1")
    b1 = tf.Variable(rng.randn(8).astype(np.float32) * 0.1, name="b1")
    w2 = tf.Variable(rng.randn(8, 3).astype(np.float32) * 0.5, name="w2")
    hidden = tf.nn.relu(tf.matmul(x, w1) + b1)
    logits = tf.matmul(tf.tanh(hidden), w2, name="logits")
    tf.nn.softmax(logits, name="y")
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits), name="loss")
    # GATE_GRAPH: every gradient is computed before any variable changes. numflow's plans order reads before
    # writes by themselves; TF's executor needs the control dependencies (numflow's GATE_OP adds none, so
    # a GATE_OP graph can race in TF when an update lands before a backward read of the same variable).
    tf.train.AdamOptimizer(0.05).minimize(loss, name="train", gate_gradients=tf.train.Optimizer.GATE_GRAPH)
    tf.global_variables_initializer()
    feed = {"x:0": rng.rand(6, 5).astype(np.float32), "labels:0": np.eye(3, dtype=np.float32)[[0, 1, 2, 2, 1, 0]]}
    return feed


def _cnn():
    rng = np.random.RandomState(4)
    x = tf.placeholder(tf.float32, [None, 28, 28, 1], name="x")
    w1 = tf.Variable(rng.randn(5, 5, 1, 4).astype(np.float32) * 0.3, name="conv1")
    b1 = tf.Variable(rng.randn(4).astype(np.float32) * 0.1, name="bias1")
    h = tf.nn.max_pool(tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, w1, [1, 1, 1, 1], "SAME"), b1)),
                       [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
    w2 = tf.Variable(rng.randn(3, 3, 4, 8).astype(np.float32) * 0.3, name="conv2")
    h = tf.nn.avg_pool(tf.nn.relu(tf.nn.conv2d(h, w2, [1, 2, 2, 1], "VALID")), [1, 2, 2, 1], [1, 1, 1, 1], "VALID")
    flat = tf.reshape(h, [-1, 5 * 5 * 8])
    dense = tf.Variable(rng.randn(200, 10).astype(np.float32) * 0.1, name="dense")
    logits = tf.matmul(flat, dense)
    tf.nn.softmax(logits, name="probabilities")
    tf.argmax(logits, 1, name="prediction")
    tf.global_variables_initializer()
    return {"x:0": rng.rand(3, 28, 28, 1).astype(np.float32)}


@pytest.mark.parametrize("build, outputs", [(_mlp, ["y"]), (_cnn, ["probabilities", "prediction"])])
@pytest.mark.parametrize("as_text", [False, True])
def test_tensorflow_runs_numflow_frozen_graphs(tmp_path, build, outputs, as_text):
    graph = tf.Graph()
    with graph.as_default():
        feed = build()
    feed = {k: v for k, v in feed.items() if k == "x:0"}
    fetch = [name + ":0" for name in outputs]
    with tf.Session(graph=graph) as sess:
        sess.run("init")
        expected = sess.run(fetch, feed)
        frozen = tf.graph_util.convert_variables_to_constants(sess, graph.as_graph_def(), outputs)
    frozen = tf.graph_util.remove_training_nodes(frozen)
    path = tf.train.write_graph(frozen, str(tmp_path), "frozen.pbtxt" if as_text else "frozen.pb", as_text=as_text)
    got = run_in_tensorflow(path, feed, fetch)
    for name, value in zip(fetch, expected):
        np.testing.assert_allclose(got[name], value, rtol=1e-5, atol=1e-5, err_msg=name)


def test_tensorflow_trains_numflow_training_graph_like_numflow(tmp_path):
    graph = tf.Graph()
    with graph.as_default():
        feed = _mlp()
    with tf.Session(graph=graph) as sess:
        sess.run("init")
        for _ in range(3):
            sess.run("train", feed)
        expected = sess.run(["loss:0", "y:0"], feed)
    path = tf.train.write_graph(graph, str(tmp_path), "train.pb", as_text=False)
    got = run_in_tensorflow(path, feed, ["loss:0", "y:0"], init=["init"], steps=["train"] * 3)
    np.testing.assert_allclose(got["loss:0"], expected[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got["y:0"], expected[1], rtol=1e-5, atol=1e-6)
