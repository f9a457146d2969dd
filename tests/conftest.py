"""Test setup: every kernel's output is checked against its op's static dtype and shape."""
import os
import sys

os.environ.setdefault("NUMFLOW_CHECK_KERNELS", "1")
sys.path.insert(0, os.path.dirname(__file__))

import pytest  # noqa: E402

import numflow as tf  # noqa: E402


@pytest.fixture(autouse=True)
def fresh_default_graph():
    """Each test starts with an empty default graph."""
    tf.reset_default_graph()
    yield
