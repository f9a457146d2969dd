"""`tf.test`: device queries (numflow runs on the CPU only) and a small `tf.test.TestCase`."""
import os as _os
import tempfile as _tempfile
import unittest as _unittest
from contextlib import contextmanager as _contextmanager
from unittest import mock  # noqa: F401  (tf.test.mock)

import numpy as _np

__all__ = ["is_gpu_available", "gpu_device_name", "is_built_with_cuda", "is_built_with_gpu_support",
           "TestCase", "main", "get_temp_dir", "mock"]


def is_gpu_available(cuda_only=False, min_cuda_compute_capability=None):
    """Always False: numflow computes with NumPy on the CPU."""
    return False


def gpu_device_name():
    """'' : there is no GPU device."""
    return ""


def is_built_with_cuda():
    return False


def is_built_with_gpu_support():
    return False


def get_temp_dir():
    """A temporary folder for test files (one per process)."""
    global _temp_dir
    if _temp_dir is None:
        _temp_dir = _tempfile.mkdtemp(prefix="numflow_test_")
    return _temp_dir


_temp_dir = None


def main(argv=None):
    """Run the tests of the `__main__` module, as `tf.test.main()` does."""
    return _unittest.main(argv=argv)


class TestCase(_unittest.TestCase):
    """`tf.test.TestCase`: unittest with a fresh default graph per test, sessions and array assertions."""

    def setUp(self):
        from .. import reset_default_graph
        super().setUp()
        reset_default_graph()

    def get_temp_dir(self):
        path = _os.path.join(get_temp_dir(), self.id())
        _os.makedirs(path, exist_ok=True)
        return path

    @_contextmanager
    def session(self, graph=None, config=None):
        """A Session on `graph` (the default graph) that is also the default session inside the block."""
        from .. import Session, get_default_graph
        graph = graph or get_default_graph()
        with graph.as_default(), Session(graph=graph, config=config) as sess:
            yield sess

    cached_session = session
    test_session = session

    def evaluate(self, tensors):
        """Run `tensors` (any fetch structure) in the default session, or a new one on the default graph."""
        from .. import Session, get_default_session
        sess = get_default_session()
        if sess is not None:
            return sess.run(tensors)
        with Session() as sess:
            return sess.run(tensors)

    def assertAllClose(self, a, b, rtol=1e-6, atol=1e-6, msg=None):  # noqa: N802
        _np.testing.assert_allclose(_np.asarray(a), _np.asarray(b), rtol=rtol, atol=atol, err_msg=msg or "")

    def assertAllEqual(self, a, b, msg=None):  # noqa: N802
        a, b = _np.asarray(a), _np.asarray(b)
        self.assertEqual(a.shape, b.shape, msg or "shapes differ: %s vs %s" % (a.shape, b.shape))
        _np.testing.assert_array_equal(a, b, err_msg=msg or "")

    def assertNear(self, f1, f2, err, msg=None):  # noqa: N802
        self.assertTrue(abs(f1 - f2) <= err, msg or "%r != %r +/- %r" % (f1, f2, err))

    def assertShapeEqual(self, np_array, tf_tensor, msg=None):  # noqa: N802
        self.assertEqual(list(_np.shape(np_array)), tf_tensor.get_shape().as_list(), msg)
