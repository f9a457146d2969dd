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


# The device the backend tests run on: the guarded simulated GPU, or (on a machine with one, for a
# device session) NUMFLOW_TEST_GPU_BACKEND=cupy, the real GPU through CuPy.
TEST_GPU_BACKEND = os.environ.get("NUMFLOW_TEST_GPU_BACKEND", "guarded")


@pytest.fixture
def guarded_gpu(monkeypatch):
    """One GPU for this test (see TEST_GPU_BACKEND); constant folding off, so that every kernel runs in
    the Session's plan. Yields monkeypatch; the variables are restored and GPUs found afresh after."""
    from numflow import backend
    monkeypatch.setenv("NUMFLOW_GPU_BACKEND", TEST_GPU_BACKEND)
    monkeypatch.setenv("NUMFLOW_GUARDED_GPUS", "1")
    monkeypatch.setenv("NUMFLOW_REWRITES", "none")
    backend.reset_for_tests()
    yield monkeypatch
    backend.reset_for_tests()


@pytest.fixture(autouse=True)
def fresh_default_graph():
    """Each test starts with an empty default graph."""
    tf.reset_default_graph()
    yield
