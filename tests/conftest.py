"""Test setup: every kernel's output is checked against its op's static dtype and shape."""
import os
import sys

os.environ.setdefault("NUMFLOW_CHECK_KERNELS", "1")
sys.path.insert(0, os.path.dirname(__file__))

import pytest  # noqa: E402

import numflow as tf  # noqa: E402


def _has_gpu():
    from numflow import backend
    return bool(backend.gpu_backends())


# For tests about a machine without a GPU (what the CPU reports, its device lists): the suite also runs on
# the guarded simulated GPU (NUMFLOW_GPU_BACKEND=guarded), where those answers are different by design.
cpu_only = pytest.mark.skipif(_has_gpu(), reason="describes a process without a GPU; this one has one "
                                                 "(NUMFLOW_GPU_BACKEND)")


@pytest.fixture(autouse=True)
def fresh_default_graph():
    """Each test starts with an empty default graph."""
    tf.reset_default_graph()
    yield
