"""The programs of tf_parity_rnn.py give the same variable names, values, shapes and dtypes in numflow and
in real TensorFlow (a separate interpreter named by NUMFLOW_TF_PYTHON; skipped without it)."""
import pytest

import tf_parity_rnn
from tf_parity import assert_same, requires_tensorflow, run_both

pytestmark = requires_tensorflow


@pytest.mark.parametrize("family", tf_parity_rnn.FAMILIES)
def test_agrees_with_real_tensorflow(family, tmp_path):
    # TF 2.16+ keeps the TF1 cells in tf_keras: pip install tf_keras into that interpreter.
    ours, theirs = run_both(tf_parity_rnn, family, tmp_path, env={"TF_USE_LEGACY_KERAS": "1"})
    assert list(ours["variable_names"]) == list(theirs["variable_names"])
    assert_same(ours, theirs, lambda dtype: (1e-4, 1e-5))
