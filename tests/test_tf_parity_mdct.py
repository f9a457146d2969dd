"""The programs of tf_parity_mdct.py give the same values, shapes and dtypes in numflow and in real TensorFlow
(a separate interpreter named by NUMFLOW_TF_PYTHON; skipped without it)."""
import pytest

import tf_parity_mdct
from tf_parity import assert_same, requires_tensorflow, run_both

pytestmark = requires_tensorflow


@pytest.mark.parametrize("family", tf_parity_mdct.FAMILIES)
def test_agrees_with_real_tensorflow(family, tmp_path):
    ours, theirs = run_both(tf_parity_mdct, family, tmp_path)
    assert_same(ours, theirs, lambda dtype: (1e-4, 1e-4))
