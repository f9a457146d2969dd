"""`tf.test`: device queries (GPUs are those of numflow's array backends) and a small `tf.test.TestCase`."""
import os as _os
import tempfile as _tempfile
import unittest as _unittest
from contextlib import contextmanager as _contextmanager

import numpy as _np

__all__ = ["is_gpu_available", "gpu_device_name", "is_built_with_cuda", "is_built_with_gpu_support",
           "is_built_with_rocm", "is_built_with_xla", "TestCase", "main", "get_temp_dir", "mock", "Benchmark",
           "compute_gradient", "compute_gradient_error", "assert_equal_graph_def", "test_src_dir_path"]


def _gpu_backends():
    from .. import backend
    return backend.gpu_backends()


def is_gpu_available(cuda_only=False, min_cuda_compute_capability=None):
    """Whether numflow has a GPU to place ops on (CuPy installed and a GPU present, or the guarded test
    device)."""
    return bool(_gpu_backends())


def gpu_device_name():
    """'/device:GPU:0' when there is a GPU, else ''."""
    return "/device:GPU:0" if _gpu_backends() else ""


def is_built_with_cuda():
    """Whether the CUDA (CuPy) backend is usable here: a GPU backend was found."""
    return bool(_gpu_backends())


def is_built_with_gpu_support():
    """Whether numflow can run ops on a GPU here."""
    return bool(_gpu_backends())


def is_built_with_rocm():
    """False: numflow has no ROCm build."""
    return False


def is_built_with_xla():
    """False: numflow has no XLA compiler."""
    return False


def test_src_dir_path(relative_path):
    """The absolute path of `relative_path` inside the installed numflow package (TF: inside its source
    tree)."""
    return _os.path.join(_os.path.dirname(_os.path.dirname(_os.path.abspath(__file__))), relative_path)


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

    def assertAllCloseAccordingToType(self, a, b, rtol=1e-6, atol=1e-6, float_rtol=1e-6, float_atol=1e-6,  # noqa: N802
                                      half_rtol=1e-3, half_atol=1e-3, msg=None):
        """assertAllClose with the tolerance loosened to the widest of the given one and the one for the
        dtype of `a` or `b` (float32 / float16)."""
        dtypes = {_np.asarray(a).dtype, _np.asarray(b).dtype}
        if _np.float32 in dtypes:
            rtol, atol = max(rtol, float_rtol), max(atol, float_atol)
        if _np.float16 in dtypes:
            rtol, atol = max(rtol, half_rtol), max(atol, half_atol)
        self.assertAllClose(a, b, rtol=rtol, atol=atol, msg=msg)

    def assertNotAllClose(self, a, b, rtol=1e-6, atol=1e-6, msg=None):  # noqa: N802
        if _np.allclose(_np.asarray(a), _np.asarray(b), rtol=rtol, atol=atol):
            raise AssertionError(msg or "The two values are close at all elements")

    def _assert_all(self, a, holds, what, msg):
        a = _np.asarray(a)
        failing = _np.argwhere(~holds(a))
        if failing.size:
            raise AssertionError(msg or "%s fails at indices %s of %s" % (what, failing.tolist()[:10], a))

    def assertAllGreater(self, a, comparison_target):  # noqa: N802
        self._assert_all(a, lambda v: v > comparison_target, "> %r" % (comparison_target,), None)

    def assertAllGreaterEqual(self, a, comparison_target):  # noqa: N802
        self._assert_all(a, lambda v: v >= comparison_target, ">= %r" % (comparison_target,), None)

    def assertAllLess(self, a, comparison_target):  # noqa: N802
        self._assert_all(a, lambda v: v < comparison_target, "< %r" % (comparison_target,), None)

    def assertAllLessEqual(self, a, comparison_target):  # noqa: N802
        self._assert_all(a, lambda v: v <= comparison_target, "<= %r" % (comparison_target,), None)

    def assertAllInRange(self, target, lower_bound, upper_bound, open_lower_bound=False,  # noqa: N802
                         open_upper_bound=False):
        """Every element of `target` lies in [lower_bound, upper_bound] (open ends on request)."""
        def inside(v):
            above = v > lower_bound if open_lower_bound else v >= lower_bound
            below = v < upper_bound if open_upper_bound else v <= upper_bound
            return above & below
        self._assert_all(target, inside, "range %s%r, %r%s" % ("(" if open_lower_bound else "[", lower_bound,
                                                                upper_bound, ")" if open_upper_bound else "]"),
                         None)

    def assertArrayNear(self, farray1, farray2, err, msg=None):  # noqa: N802
        """Lists of numbers of the same length, each pair within `err`."""
        self.assertEqual(len(farray1), len(farray2), msg)
        for f1, f2 in zip(farray1, farray2):
            self.assertNear(float(f1), float(f2), err, msg)

    def assertDTypeEqual(self, target, expected_dtype):  # noqa: N802
        """Every element of `target` (an array or nested lists) has the NumPy dtype `expected_dtype`."""
        from ..framework import dtypes
        expected = dtypes.as_dtype(expected_dtype).as_numpy_dtype
        for value in (target if isinstance(target, list) else [target]):
            self.assertEqual(_np.asarray(value).dtype, _np.dtype(expected))

    def assertProtoEquals(self, expected_message_maybe_ascii, message, msg=None):  # noqa: N802
        """Two messages equal, the expected one possibly given as protobuf text format."""
        expected = expected_message_maybe_ascii
        if isinstance(expected, str):
            from ..io.graph_proto import Parse
            expected = Parse(expected, type(message)())
        self.assertEqual(expected.SerializeToString(), message.SerializeToString(), msg)

    @_contextmanager
    def assertRaisesWithPredicateMatch(self, exception_type, expected_err_re_or_predicate):  # noqa: N802
        """The block raises `exception_type` whose message matches the regex (or satisfies the predicate)."""
        import re
        try:
            yield
        except exception_type as error:
            predicate = expected_err_re_or_predicate
            matched = predicate(error) if callable(predicate) else re.search(predicate, str(error))
            if not matched:
                raise AssertionError("Exception of type %s: %s does not match %r"
                                     % (type(error).__name__, error, predicate)) from error
        else:
            raise AssertionError("%s not raised" % exception_type.__name__)

    def assertRaisesOpError(self, expected_err_re_or_predicate):  # noqa: N802
        """The block raises a tf.errors.OpError matching the regex or predicate."""
        from ..framework.errors import OpError
        return self.assertRaisesWithPredicateMatch(OpError, expected_err_re_or_predicate)


class Benchmark:
    """`tf.test.Benchmark`: the base of benchmark classes; `report_benchmark` records (and prints) one
    result, `run_op_benchmark` times repeated Session runs of an op."""

    def report_benchmark(self, iters=None, cpu_time=None, wall_time=None, throughput=None, extras=None,
                         name=None, metrics=None):
        entry = {"name": name or type(self).__name__, "iters": iters, "cpu_time": cpu_time,
                 "wall_time": wall_time, "throughput": throughput, "extras": extras or {},
                 "metrics": metrics or []}
        self.__dict__.setdefault("reported", []).append(entry)
        print("benchmark %(name)s: iters=%(iters)s wall_time=%(wall_time)s" % entry)

    def run_op_benchmark(self, sess, op_or_tensor, feed_dict=None, burn_iters=2, min_iters=10,
                         store_trace=False, store_memory_usage=True, name=None, extras=None, mintime=0):
        """Runs `op_or_tensor` burn_iters times, then min_iters timed times; reports and returns
        {'iters', 'wall_time' (median seconds per run), 'extras'}."""
        import time
        for _ in range(burn_iters):
            sess.run(op_or_tensor, feed_dict=feed_dict)
        times = []
        for _ in range(min_iters):
            start = time.time()
            sess.run(op_or_tensor, feed_dict=feed_dict)
            times.append(time.time() - start)
        wall_time = float(_np.median(times))
        self.report_benchmark(iters=min_iters, wall_time=wall_time, extras=extras, name=name)
        return {"iters": min_iters, "wall_time": wall_time, "extras": extras or {}}


def _flat_size(shape):
    return int(_np.prod(shape, dtype=_np.int64))


def _jacobians(x, x_shape, x_data, y, y_shape, delta, extra_feed_dict):
    """(theoretical, numerical) Jacobians of y with respect to x, both [x_size, y_size]."""
    from .. import get_default_session
    from ..gradients import dense_gradients as gradients
    sess = get_default_session()
    if sess is None:
        raise ValueError("compute_gradient needs a default session: use it inside `with tf.Session():`")
    x_size, y_size = _flat_size(x_shape), _flat_size(y_shape)
    feeds = dict(extra_feed_dict or {})
    dtype = y.dtype.as_numpy_dtype
    theoretical = _np.zeros((x_size, y_size), dtype)
    from ..ops.constant import placeholder
    dy = placeholder(y.dtype, shape=y_shape)
    grad, = gradients(y, x, grad_ys=dy)
    one_hot = _np.zeros(y_size, dtype)
    for j in range(y_size):
        one_hot[:] = 0
        one_hot[j] = 1
        feeds.update({x: x_data, dy: one_hot.reshape(y_shape)})
        value = sess.run(grad, feeds) if grad is not None else _np.zeros(x_shape)
        theoretical[:, j] = _np.asarray(value).ravel()
    numerical = _np.zeros((x_size, y_size), dtype)
    flat = x_data.ravel().copy()
    for i in range(x_size):
        original = flat[i]
        flat[i] = original + delta
        feeds[x] = flat.reshape(x_shape)
        above = _np.asarray(sess.run(y, feeds)).ravel()
        flat[i] = original - delta
        feeds[x] = flat.reshape(x_shape)
        below = _np.asarray(sess.run(y, feeds)).ravel()
        flat[i] = original
        numerical[i, :] = (above - below) / (2 * delta)
    return theoretical, numerical


def compute_gradient(x, x_shape, y, y_shape, x_init_value=None, delta=1e-3, init_targets=None,
                     extra_feed_dict=None):
    """`tf.test.compute_gradient`: the theoretical (from tf.gradients) and numerical (central differences of
    step `delta`) Jacobians of `y` with respect to `x`, each [size of x, size of y], run in the default
    session. `x` may be a list (with a list of shapes and init values): then a list of pairs, every other
    x fed its init value while one varies. `x` is fed
    `x_init_value`, or uniform random values in [0, 1)."""
    from .. import get_default_session
    if init_targets is not None:
        get_default_session().run(init_targets)
    if isinstance(x, (list, tuple)):
        inits = x_init_value if x_init_value is not None else [None] * len(x)
        # The other inputs keep their given values while one is perturbed (placeholders need them).
        feeds = dict(extra_feed_dict or {})
        feeds.update({xi: vi for xi, vi in zip(x, inits) if vi is not None})
        return [compute_gradient(xi, si, y, y_shape, vi, delta, None, feeds)
                for xi, si, vi in zip(x, x_shape, inits)]
    dtype = x.dtype.as_numpy_dtype
    if x_init_value is None:
        x_data = _np.random.random_sample(x_shape).astype(dtype)
    else:
        x_data = _np.asarray(x_init_value, dtype)
        if x_data.shape != tuple(x_shape):
            raise ValueError("x_init_value has shape %s but x_shape is %s" % (x_data.shape, tuple(x_shape)))
    return _jacobians(x, tuple(x_shape), x_data, y, tuple(y_shape), delta, extra_feed_dict)


def compute_gradient_error(x, x_shape, y, y_shape, x_init_value=None, delta=1e-3, init_targets=None,
                           extra_feed_dict=None):
    """`tf.test.compute_gradient_error`: the largest absolute difference between the theoretical and the
    numerical Jacobian (over every x when `x` is a list)."""
    result = compute_gradient(x, x_shape, y, y_shape, x_init_value, delta, init_targets, extra_feed_dict)
    pairs = result if isinstance(result, list) else [result]
    return max(float(_np.max(_np.abs(t - n))) if t.size else 0.0 for t, n in pairs)


def assert_equal_graph_def(actual, expected, checkpoint_v2=False, hash_table_shared_name=False):
    """`tf.test.assert_equal_graph_def`: the two GraphDefs hold the same nodes (compared by name, in any
    order); raises AssertionError naming the first difference, TypeError for non-GraphDefs."""
    from ..io.graph_proto import GraphDef
    for what, value in (("actual", actual), ("expected", expected)):
        if not isinstance(value, GraphDef):
            raise TypeError("Expected tf.GraphDef for %s, got %s" % (what, type(value).__name__))
    actual_nodes = {n.name: n for n in actual.node}
    expected_nodes = {n.name: n for n in expected.node}
    if set(actual_nodes) != set(expected_nodes):
        raise AssertionError("Graph nodes differ: only in actual %s; only in expected %s"
                             % (sorted(set(actual_nodes) - set(expected_nodes)),
                                sorted(set(expected_nodes) - set(actual_nodes))))
    for name in sorted(actual_nodes):
        if actual_nodes[name].SerializeToString() != expected_nodes[name].SerializeToString():
            raise AssertionError("Graph node %r differs:\n%s\nvs expected\n%s"
                                 % (name, actual_nodes[name], expected_nodes[name]))


from .test_extra import *  # noqa: E402,F401,F403 - StubOutForTesting, benchmark_config, ... (issue 12)
from .test_extra import __all__ as _extra_all  # noqa: E402
__all__ += list(_extra_all)


def __getattr__(name):
    # tf.test.mock is unittest.mock, imported on first use: it pulls in asyncio, a fifth of import numflow
    if name == "mock":
        from unittest import mock
        globals()["mock"] = mock
        return mock
    raise AttributeError("module %r has no attribute %r" % (__name__, name))
