"""Special functions, segments, scatters, decompositions and tf.signal against real TensorFlow (programs
in tf_parity_math_extra.py). Set NUMFLOW_TF_PYTHON to a Python with `tensorflow`; without it this skips."""
import os
import subprocess

import numpy as np
import pytest

import numflow as tf

TF_PYTHON = os.environ.get("NUMFLOW_TF_PYTHON")
pytestmark = pytest.mark.skipif(not TF_PYTHON, reason="set NUMFLOW_TF_PYTHON to a Python with real TensorFlow")

RUN = r"""
import sys, numpy as np, tensorflow.compat.v1 as tf
tf.disable_v2_behavior()
sys.path.insert(0, sys.argv[1])
from tf_parity_math_extra import cases
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


def _flatten(values):
    flat = {}

    def put(key, value):
        if isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                put("%s_%d" % (key, i), item)
        else:
            flat[key] = np.asarray(value)
    for key, value in values.items():
        put(key, value)
    return flat


def test_math_extra_agrees_with_real_tensorflow(tmp_path):
    from tf_parity_math_extra import cases
    fetches, feeds = cases(tf)
    with tf.Session() as sess:
        ours = _flatten(sess.run(fetches, feeds))
    subprocess.run([TF_PYTHON, "-c", RUN, os.path.dirname(os.path.abspath(__file__)), str(tmp_path / "tf.npz")],
                   capture_output=True, text=True, check=True)
    theirs = np.load(tmp_path / "tf.npz", allow_pickle=False)
    assert sorted(theirs.files) == sorted(ours)
    mismatched = []
    for name in sorted(ours):
        mine, expected = ours[name], theirs[name]
        if mine.shape != expected.shape or mine.dtype != expected.dtype:
            mismatched.append("%s: %s %s vs TF %s %s" % (name, mine.dtype, mine.shape, expected.dtype, expected.shape))
            continue
        tolerance = 2e-3 if mine.dtype in (np.float32, np.complex64) else 1e-7
        if not np.allclose(mine, expected, rtol=tolerance, atol=tolerance, equal_nan=True):
            mismatched.append("%s: max difference %s" % (name, np.nanmax(np.abs(mine.astype(np.float64) -
                                                                               expected.astype(np.float64)))))
    assert not mismatched, "\n".join(mismatched)
