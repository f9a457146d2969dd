"""The sparse gradients and sparse optimizer updates of tf_parity_indexed_slices.py agree with real TensorFlow
(a separate interpreter named by NUMFLOW_TF_PYTHON; skipped without it)."""
import pytest

import tf_parity_indexed_slices
from tf_parity import assert_same, requires_tensorflow, run_both

pytestmark = requires_tensorflow


@pytest.mark.parametrize("family", tf_parity_indexed_slices.FAMILIES)
def test_gradients_agree_with_real_tensorflow(family, tmp_path):
    ours, theirs = run_both(tf_parity_indexed_slices, family, tmp_path)
    assert_same(ours, theirs, lambda dtype: (1e-6, 1e-6))


@pytest.mark.parametrize("family", tf_parity_indexed_slices.OPTIMIZER_FAMILIES)
def test_sparse_updates_agree_with_real_tensorflow(family, tmp_path):
    ours, theirs = run_both(tf_parity_indexed_slices, family, tmp_path)
    assert_same(ours, theirs, lambda dtype: (1e-6, 1e-6))
