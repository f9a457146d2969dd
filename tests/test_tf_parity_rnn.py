"""The programs of tf_parity_rnn.py give the same variable names, values, shapes and dtypes in numflow and
in real TensorFlow (a separate interpreter named by NUMFLOW_TF_PYTHON; skipped without it)."""
import os
import subprocess

import numpy as np
import pytest

import numflow as tf
import tf_parity_rnn

TF_PYTHON = os.environ.get("NUMFLOW_TF_PYTHON")
pytestmark = pytest.mark.skipif(not TF_PYTHON, reason="set NUMFLOW_TF_PYTHON to a Python with real TensorFlow")

RUN = r"""
import sys, numpy as np, tensorflow.compat.v1 as tf
tf.disable_v2_behavior()
sys.path.insert(0, sys.argv[1])
import tf_parity_rnn as cases
fetches = getattr(cases, sys.argv[3])(tf)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    names = cases.set_weights(tf, sess)
    values = sess.run(fetches)
flat = {"variable_names": np.array(names)}
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


def flatten(values, names):
    flat = {"variable_names": np.array(names)}

    def put(key, value):
        if isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                put("%s_%d" % (key, i), item)
        else:
            flat[key] = np.asarray(value)
    for key, value in values.items():
        put(key, value)
    return flat


@pytest.mark.parametrize("family", tf_parity_rnn.FAMILIES)
def test_agrees_with_real_tensorflow(family, tmp_path):
    with tf.Graph().as_default():
        fetches = getattr(tf_parity_rnn, family)(tf)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            names = tf_parity_rnn.set_weights(tf, sess)
            ours = flatten(sess.run(fetches), names)
    # TF 2.16+ keeps the TF1 cells in tf_keras: pip install tf_keras into that interpreter.
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", TF_USE_LEGACY_KERAS="1")
    done = subprocess.run([TF_PYTHON, "-c", RUN, os.path.dirname(os.path.abspath(__file__)),
                           str(tmp_path / "tf.npz"), family], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    theirs = np.load(tmp_path / "tf.npz", allow_pickle=False)
    assert sorted(ours) == sorted(theirs.files)
    assert list(ours["variable_names"]) == list(theirs["variable_names"])
    for name, value in ours.items():
        if name == "variable_names":
            continue
        expected = theirs[name]
        assert value.shape == expected.shape, (name, value.shape, expected.shape)
        assert value.dtype == expected.dtype, (name, value.dtype, expected.dtype)
        np.testing.assert_allclose(value, expected, rtol=1e-4, atol=1e-5, err_msg=name)
