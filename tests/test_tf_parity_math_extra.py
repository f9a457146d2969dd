"""Special functions, segments, scatters, decompositions and tf.signal against real TensorFlow (programs
in tf_parity_math_extra.py). Set NUMFLOW_TF_PYTHON to a Python with `tensorflow`; without it this skips."""
import numpy as np

import tf_parity_math_extra
from tf_parity import assert_same, requires_tensorflow, run_both

pytestmark = requires_tensorflow


def test_math_extra_agrees_with_real_tensorflow(tmp_path):
    ours, theirs = run_both(tf_parity_math_extra, "cases", tmp_path)
    assert_same(ours, theirs, lambda dtype: (2e-3, 2e-3) if dtype in (np.float32, np.complex64) else (1e-7, 1e-7))
