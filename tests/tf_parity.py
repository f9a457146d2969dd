"""Running the same graph-building program in numflow and in real TensorFlow, and comparing the values.

A parity module (tests/tf_parity_*.py) holds functions `family(tf) -> fetches` (a dict of tensors or lists
of tensors), or `(fetches, feeds)`, built with whichever `tf` module it is given, and optionally
`set_weights(tf, sess) -> [variable names]` run after the variable initializers. `run_both` builds and runs
one family here and in the interpreter named by NUMFLOW_TF_PYTHON (TensorFlow is never a dependency), and
returns both flat dicts of NumPy arrays; `assert_same` compares them (names, shapes, dtypes, values).
"""
import os
import subprocess

import numpy as np

TF_PYTHON = os.environ.get("NUMFLOW_TF_PYTHON")
try:                        # this module is also imported by TensorFlow's interpreter, which has no pytest
    import pytest
    requires_tensorflow = pytest.mark.skipif(not TF_PYTHON,
                                             reason="set NUMFLOW_TF_PYTHON to a Python with real TensorFlow")
except ImportError:
    requires_tensorflow = None

_RUN = r"""
import importlib, sys, numpy as np, tensorflow.compat.v1 as tf
tf.disable_v2_behavior()
sys.path.insert(0, sys.argv[1])
import tf_parity
module = importlib.import_module(sys.argv[2])
np.savez(sys.argv[4], **tf_parity.run_family(tf, module, sys.argv[3]))
"""


def flatten(values, flat=None, key=None):
    """{name: array}, lists and tuples unrolled as name_0, name_1, ..."""
    flat = {} if flat is None else flat
    if key is None:
        for name, value in values.items():
            flatten(value, flat, name)
    elif isinstance(values, (list, tuple)):
        for i, item in enumerate(values):
            flatten(item, flat, "%s_%d" % (key, i))
    else:
        flat[key] = np.asarray(values)
    return flat


def run_family(tf, module, family):
    """Builds `module.family(tf)` in a new graph, runs it and returns the flat values (with the variable
    names `set_weights` reports, when the module has it)."""
    with tf.Graph().as_default():
        built = getattr(module, family)(tf)
        fetches, feeds = built if isinstance(built, tuple) else (built, None)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            names = module.set_weights(tf, sess) if hasattr(module, "set_weights") else None
            flat = flatten(sess.run(fetches, feeds))
    if names is not None:
        flat["variable_names"] = np.array(names)
    return flat


def run_both(module, family, tmp_path, env=None):
    """(numflow's values, TensorFlow's values) of one family of a parity module."""
    import numflow as tf
    ours = run_family(tf, module, family)
    out = tmp_path / ("%s.npz" % family)
    done = subprocess.run([TF_PYTHON, "-c", _RUN, os.path.dirname(os.path.abspath(__file__)), module.__name__,
                           family, str(out)], capture_output=True, text=True,
                          env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", **(env or {})))
    assert done.returncode == 0, done.stderr[-3000:]
    return ours, dict(np.load(out, allow_pickle=False))


def assert_same(ours, theirs, tolerance):
    """Same names, shapes and dtypes, and values within `tolerance(dtype)` (NaN equal to NaN)."""
    assert sorted(ours) == sorted(theirs)
    mismatched = []
    for name in sorted(ours):
        mine, expected = ours[name], theirs[name]
        if mine.shape != expected.shape or mine.dtype != expected.dtype:
            mismatched.append("%s: %s %s vs TF %s %s" % (name, mine.dtype, mine.shape, expected.dtype,
                                                       expected.shape))
        elif mine.dtype.kind in "fc":
            rtol, atol = tolerance(mine.dtype)
            if not np.allclose(mine, expected, rtol=rtol, atol=atol, equal_nan=True):
                mismatched.append("%s: max difference %s" % (name, np.nanmax(np.abs(
                    mine.astype(np.complex128) - expected.astype(np.complex128)))))
        elif not np.array_equal(mine, expected):
            mismatched.append("%s: %s vs TF %s" % (name, mine.tolist(), expected.tolist()))
    assert not mismatched, "\n".join(mismatched)
