"""String, set and bitwise ops against real TensorFlow (programs in tf_parity_strings.py).

Set NUMFLOW_TF_PYTHON to a Python with `tensorflow`; without it the test skips, saying why. Values
travel as JSON (strings hex-encoded) because string arrays cannot be saved without pickling.
"""
import json
import os
import subprocess

import numpy as np
import pytest

import numflow as tf

TF_PYTHON = os.environ.get("NUMFLOW_TF_PYTHON")
pytestmark = pytest.mark.skipif(not TF_PYTHON, reason="set NUMFLOW_TF_PYTHON to a Python with real TensorFlow")

FLATTEN = r'''
import numpy as np
def encode(value):
    array = np.asarray(value)
    if array.dtype == object or array.dtype.kind == "S":
        data = [bytes(v).hex() for v in array.reshape(-1).tolist()]
        return {"dtype": "string", "shape": list(array.shape), "data": data}
    return {"dtype": array.dtype.name, "shape": list(array.shape), "data": array.reshape(-1).tolist()}
def flatten(values):
    flat = {}
    def put(key, value):
        if hasattr(value, "indices") and hasattr(value, "dense_shape"):
            for part in ("indices", "values", "dense_shape"):
                flat["%s.%s" % (key, part)] = encode(getattr(value, part))
        elif isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                put("%s_%d" % (key, i), item)
        else:
            flat[key] = encode(value)
    for key, value in values.items():
        put(key, value)
    return flat
'''

RUN = FLATTEN + r'''
import json, sys, tensorflow.compat.v1 as tf
tf.disable_v2_behavior()
sys.path.insert(0, sys.argv[1])
from tf_parity_strings import cases
fetches, feeds = cases(tf)
with tf.Session() as sess:
    values = sess.run(fetches, feeds)
json.dump(flatten(values), open(sys.argv[2], "w"))
'''

# Every case is comparable (the fast hash is TF's FarmHash Fingerprint64).
KNOWN_DIFFERENT = set()


def test_string_set_and_bitwise_ops_agree_with_real_tensorflow(tmp_path):
    from tf_parity_strings import cases
    namespace = {}
    exec(FLATTEN, namespace)
    fetches, feeds = cases(tf)
    with tf.Session() as sess:
        ours = namespace["flatten"](sess.run(fetches, feeds))
    subprocess.run([TF_PYTHON, "-c", RUN, os.path.dirname(os.path.abspath(__file__)), str(tmp_path / "tf.json")],
                   capture_output=True, text=True, check=True)
    theirs = json.load(open(tmp_path / "tf.json"))
    assert sorted(ours) == sorted(theirs)
    mismatches = []
    for key in sorted(theirs):
        if key.split(".")[0].rsplit("_", 1)[0] in KNOWN_DIFFERENT or key.split(".")[0] in KNOWN_DIFFERENT:
            continue
        if ours[key] != theirs[key]:
            mismatches.append("%s: numflow %s, TensorFlow %s" % (key, ours[key], theirs[key]))
    assert not mismatches, "\n".join(mismatches)
    assert np.asarray(ours["hash_0"]["data"]).size == len(np.asarray(theirs["hash_0"]["data"]))
