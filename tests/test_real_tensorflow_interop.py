"""numflow's files read by real TensorFlow, in a separate interpreter that has it installed.

Set NUMFLOW_TF_PYTHON to a Python with `tensorflow` (e.g. a venv with `pip install tensorflow-cpu`):
TensorFlow is never a dependency of numflow, so without it these tests skip, saying why.
"""
import os
import subprocess

import numpy as np
import pytest

import numflow as tf

TF_PYTHON = os.environ.get("NUMFLOW_TF_PYTHON")
pytestmark = pytest.mark.skipif(not TF_PYTHON, reason="set NUMFLOW_TF_PYTHON to a Python with real TensorFlow")

VALUES = {
    "dense/kernel": np.arange(12).reshape(3, 4).astype(np.float32) / 8,
    "scale64": np.array([1e-3, 2.5, -7.0]),
    "counts": np.array([[1, -2], [3, 4]], np.int32),
    "flags": np.array([True, False, True]),
    "half": np.array([1.5, -0.25], np.float16),
    "empty": np.zeros((0, 3), np.float32),
    "big": ((np.arange(70000) % 97) / 7.0).astype(np.float32),
    "step": np.int64(1234),
}

RESTORE = r"""
import sys, numpy as np, tensorflow.compat.v1 as tf
tf.disable_v2_behavior()
prefix = tf.train.latest_checkpoint(sys.argv[1])
reader = tf.train.NewCheckpointReader(prefix)
shapes, types = reader.get_variable_to_shape_map(), reader.get_variable_to_dtype_map()
variables = [tf.get_variable(name, shape=shapes[name], dtype=types[name]) for name in sorted(shapes)]
with tf.Session() as sess:
    tf.train.Saver().restore(sess, prefix)
    values = sess.run({v.op.name: v for v in variables})
np.savez(sys.argv[2], **{name.replace("/", "__"): value for name, value in values.items()})
"""

EVENTS = r"""
import glob, sys, tensorflow.compat.v1 as tf
for path in glob.glob(sys.argv[1] + "/events.out.tfevents.*"):
    for event in tf.train.summary_iterator(path):
        for value in event.summary.value:
            print(event.step, value.tag, value.simple_value if value.HasField("simple_value") else "histo")
        if event.HasField("graph_def"):
            graph = tf.GraphDef()
            graph.ParseFromString(event.graph_def)
            print("graph", len(graph.node))
"""


def run_tensorflow(script, *args):
    return subprocess.run([TF_PYTHON, "-c", script, *args], capture_output=True, text=True, check=True).stdout


def test_real_tensorflow_restores_a_numflow_checkpoint(tmp_path):
    variables = [tf.Variable(value, name=name) for name, value in VALUES.items()]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        tf.train.Saver(variables).save(sess, str(tmp_path / "model.ckpt"), global_step=7)
    run_tensorflow(RESTORE, str(tmp_path), str(tmp_path / "restored.npz"))
    restored = np.load(tmp_path / "restored.npz", allow_pickle=False)
    for name, value in VALUES.items():
        got = restored[name.replace("/", "__")]
        assert got.dtype == np.asarray(value).dtype and got.shape == np.shape(value), name
        assert np.array_equal(got, value), name


def test_real_tensorflow_reads_numflow_event_files(tmp_path):
    x = tf.placeholder(tf.float32, [])
    tf.summary.scalar("loss", x)
    tf.summary.histogram("weights", tf.random_normal([100]))
    merged = tf.summary.merge_all()
    with tf.Session() as sess:
        writer = tf.summary.FileWriter(str(tmp_path), sess.graph)
        for step in range(3):
            writer.add_summary(sess.run(merged, {x: float(step)}), step)
        writer.close()
    lines = run_tensorflow(EVENTS, str(tmp_path)).splitlines()
    assert ["0 loss 0.0", "1 loss 1.0", "2 loss 2.0"] == [l for l in lines if " loss " in l]
    assert sum(" weights histo" in l for l in lines) == 3
    assert any(l.startswith("graph ") and int(l.split()[1]) > 0 for l in lines)


RUN_CASES = r"""
import sys, numpy as np, tensorflow.compat.v1 as tf
tf.disable_v2_behavior()
sys.path.insert(0, sys.argv[1])
from tf_parity_cases import cases
fetches, feeds = cases(tf)
with tf.Session() as sess:
    values = sess.run(fetches, feeds)
flat = {}
def put(key, value):
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            put("%s_%d" % (key, i), item)
    else:
        flat[key] = np.asarray(value)
for key, value in values.items():
    put(key, value)
np.savez(sys.argv[2], **flat)
"""


def test_ops_and_gradients_agree_with_real_tensorflow(tmp_path):
    from tf_parity_cases import cases
    fetches, feeds = cases(tf)
    with tf.Session() as sess:
        ours = sess.run(fetches, feeds)
    run_tensorflow(RUN_CASES, os.path.dirname(os.path.abspath(__file__)), str(tmp_path / "tf.npz"))
    theirs = np.load(tmp_path / "tf.npz", allow_pickle=False)
    compared = 0
    for key, value in ours.items():
        items = value if isinstance(value, (list, tuple)) else [value]
        for index, item in enumerate(items):
            name = key if not isinstance(value, (list, tuple)) else "%s_%d" % (key, index)
            expected = theirs[name]
            item = np.asarray(item)
            assert item.shape == expected.shape and item.dtype == expected.dtype, name
            np.testing.assert_allclose(item, expected, rtol=1e-4, atol=1e-4, err_msg=name)
            compared += 1
    assert compared == len(theirs.files)


TRAIN_CASES = r"""
import sys, numpy as np, tensorflow.compat.v1 as tf
tf.disable_v2_behavior()
sys.path.insert(0, sys.argv[1])
from tf_parity_cases import training_cases
fetches, steps = training_cases(tf)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for _ in range(5):
        sess.run(steps)
    values = sess.run(fetches)
np.savez(sys.argv[2], **{"%s_%d" % (k, i): np.asarray(v) for k, vs in values.items() for i, v in enumerate(vs)})
"""


def test_optimizers_train_like_real_tensorflow(tmp_path):
    from tf_parity_cases import training_cases
    fetches, steps = training_cases(tf)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(5):
            sess.run(steps)
        ours = sess.run(fetches)
    run_tensorflow(TRAIN_CASES, os.path.dirname(os.path.abspath(__file__)), str(tmp_path / "tf.npz"))
    theirs = np.load(tmp_path / "tf.npz", allow_pickle=False)
    for name, values in ours.items():
        for index, value in enumerate(values):
            np.testing.assert_allclose(value, theirs["%s_%d" % (name, index)], rtol=1e-4, atol=1e-5,
                                       err_msg="%s output %d" % (name, index))
