"""The optimizers of tf_parity_optimizers_extra.py leave the same weights, slots and slot names after five
steps in numflow and in real TensorFlow (a separate interpreter named by NUMFLOW_TF_PYTHON; skipped
without it)."""
import pytest

import tf_parity_optimizers_extra
from tf_parity import assert_same, requires_tensorflow, run_both

pytestmark = requires_tensorflow


@pytest.mark.parametrize("family", tf_parity_optimizers_extra.FAMILIES)
def test_agrees_with_real_tensorflow(family, tmp_path):
    ours, theirs = run_both(tf_parity_optimizers_extra, family, tmp_path)
    assert_same(ours, theirs, lambda dtype: (1e-6, 1e-6))
