"""tf.test: TestCase's assertions and sessions, compute_gradient(_error), assert_equal_graph_def, Benchmark
and the build queries."""
import numpy as np
import pytest

import numflow as tf
from conftest import cpu_only  # noqa: E402


class _Case(tf.test.TestCase):
    def runTest(self):  # noqa: N802 - unittest's name
        pass


@pytest.fixture
def case():
    test = _Case()
    test.setUp()
    return test


def test_session_runs_the_default_graph_and_is_default(case):
    x = tf.constant(3.0) * 2
    with case.cached_session() as sess:
        assert tf.get_default_session() is sess
        assert case.evaluate(x) == 6.0
    assert case.evaluate({"x": x}) == {"x": 6.0}


def test_value_assertions_pass_and_fail(case):
    case.assertAllClose([1.0, 2.0], np.array([1.0, 2.0 + 1e-8]))
    with pytest.raises(AssertionError):
        case.assertAllClose([1.0], [1.1])
    case.assertAllCloseAccordingToType(np.float32([1.0]), np.float32([1.0 + 1e-7]))
    case.assertNotAllClose([1.0], [2.0])
    with pytest.raises(AssertionError, match="close at all elements"):
        case.assertNotAllClose([1.0], [1.0])
    case.assertAllEqual([[1, 2]], np.array([[1, 2]]))
    with pytest.raises(AssertionError, match="shapes differ"):
        case.assertAllEqual([1, 2], [[1, 2]])
    case.assertArrayNear([1.0, 2.0], [1.05, 1.95], 0.1)
    with pytest.raises(AssertionError):
        case.assertArrayNear([1.0, 2.0], [1.0, 2.5], 0.1)
    case.assertNear(1.0, 1.001, 0.01)


def test_comparison_assertions_name_failing_indices(case):
    case.assertAllGreater([2, 3], 1)
    case.assertAllGreaterEqual([1, 3], 1)
    case.assertAllLess([0, -1], 1)
    case.assertAllLessEqual([1, 0], 1)
    with pytest.raises(AssertionError, match=r"> 2 fails at indices \[\[0\]\]"):
        case.assertAllGreater([2, 3], 2)
    with pytest.raises(AssertionError, match=r"< 3 fails at indices \[\[1\]\]"):
        case.assertAllLess([2, 3], 3)
    case.assertAllInRange([0.0, 0.5, 1.0], 0.0, 1.0)
    with pytest.raises(AssertionError, match=r"range \(0.0, 1.0\] fails at indices \[\[0\]\]"):
        case.assertAllInRange([0.0, 0.5, 1.0], 0.0, 1.0, open_lower_bound=True)


def test_shape_and_dtype_assertions(case):
    case.assertShapeEqual(np.zeros((2, 3)), tf.zeros([2, 3]))
    with pytest.raises(AssertionError):
        case.assertShapeEqual(np.zeros((3, 2)), tf.zeros([2, 3]))
    case.assertDTypeEqual(np.zeros(2, np.float32), tf.float32)
    with pytest.raises(AssertionError):
        case.assertDTypeEqual(np.zeros(2, np.float64), np.float32)


def test_assert_raises_op_error_matches_the_message(case):
    x = tf.placeholder(tf.float32)
    check = tf.assert_positive(x, message="need positive")
    with case.session() as sess:
        with case.assertRaisesOpError("need positive"):
            sess.run(check, {x: -1.0})
        with pytest.raises(AssertionError, match="does not match"):
            with case.assertRaisesOpError("something else"):
                sess.run(check, {x: -1.0})
        with pytest.raises(AssertionError, match="OpError not raised"):
            with case.assertRaisesOpError("need positive"):
                sess.run(check, {x: 1.0})


def test_assert_proto_equals_accepts_text(case):
    graph_def = tf.GraphDef()
    graph_def.node.add(name="a", op="NoOp")
    case.assertProtoEquals('node { name: "a" op: "NoOp" }', graph_def)
    with pytest.raises(AssertionError):
        case.assertProtoEquals('node { name: "b" op: "NoOp" }', graph_def)


def test_temp_dir_is_per_test_and_exists(case):
    import os
    assert os.path.isdir(case.get_temp_dir()) and case.get_temp_dir().startswith(tf.test.get_temp_dir())


def test_compute_gradient_matches_the_analytic_jacobian():
    x = tf.placeholder(tf.float64, [2, 2])
    y = tf.matmul(x, x)
    x0 = np.array([[1.0, 2.0], [3.0, -1.0]])
    with tf.Session():
        theoretical, numerical = tf.test.compute_gradient(x, [2, 2], y, [2, 2], x_init_value=x0)
        error = tf.test.compute_gradient_error(x, [2, 2], y, [2, 2], x_init_value=x0)
    # d(XX)_{kl}/dX_{ij} = delta_ki X_jl + X_ki delta_lj
    expected = np.zeros((4, 4))
    for i, j, k, l in np.ndindex(2, 2, 2, 2):
        expected[i * 2 + j, k * 2 + l] = (i == k) * x0[j, l] + (l == j) * x0[k, i]
    np.testing.assert_allclose(theoretical, expected)
    np.testing.assert_allclose(numerical, expected, atol=1e-8)
    assert error < 1e-8


def test_compute_gradient_error_detects_a_wrong_gradient_and_takes_lists():
    x = tf.placeholder(tf.float64, [3])
    z = tf.placeholder(tf.float64, [3])
    y = tf.stop_gradient(x) * 2 + z * 3
    with tf.Session():
        pairs = tf.test.compute_gradient([x, z], [[3], [3]], y, [3], x_init_value=[np.ones(3), np.ones(3)])
        assert tf.test.compute_gradient_error(x, [3], y, [3], x_init_value=np.ones(3),
                                                 extra_feed_dict={z: np.ones(3)}) == pytest.approx(2.0)
    np.testing.assert_allclose(pairs[1][0], 3 * np.eye(3))
    np.testing.assert_allclose(pairs[0][0], np.zeros((3, 3)))
    np.testing.assert_allclose(pairs[0][1], 2 * np.eye(3), atol=1e-8)


def test_compute_gradient_errors():
    x = tf.placeholder(tf.float64, [2])
    with pytest.raises(ValueError, match="needs a default session"):
        tf.test.compute_gradient(x, [2], x * 2, [2])
    with tf.Session():
        with pytest.raises(ValueError, match=r"x_init_value has shape \(3,\) but x_shape is \(2,\)"):
            tf.test.compute_gradient(x, [2], x * 2, [2], x_init_value=np.ones(3))


def test_assert_equal_graph_def_ignores_node_order():
    first, second = tf.Graph(), tf.Graph()
    with first.as_default():
        tf.constant(1.0, name="a")
        tf.constant(2.0, name="b")
    with second.as_default():
        tf.constant(2.0, name="b")
        tf.constant(1.0, name="a")
    tf.test.assert_equal_graph_def(first.as_graph_def(), second.as_graph_def())
    with second.as_default():
        tf.constant(3.0, name="c")
    with pytest.raises(AssertionError, match=r"only in expected \['c'\]"):
        tf.test.assert_equal_graph_def(first.as_graph_def(), second.as_graph_def())
    with pytest.raises(TypeError, match="Expected tf.GraphDef for actual, got Graph"):
        tf.test.assert_equal_graph_def(first, second.as_graph_def())
    third = tf.Graph()
    with third.as_default():
        tf.constant(5.0, name="a")
        tf.constant(2.0, name="b")
    with pytest.raises(AssertionError, match="Graph node 'a' differs"):
        tf.test.assert_equal_graph_def(third.as_graph_def(), first.as_graph_def())


def test_benchmark_times_an_op(capsys):
    class Bench(tf.test.Benchmark):
        pass
    bench = Bench()
    with tf.Session() as sess:
        result = bench.run_op_benchmark(sess, tf.constant(1.0) + 1, min_iters=3, name="add")
    assert result["iters"] == 3 and result["wall_time"] >= 0
    assert bench.reported[0]["name"] == "add"
    assert "benchmark add: iters=3" in capsys.readouterr().out


@cpu_only
def test_build_queries():
    assert not tf.test.is_built_with_cuda() and not tf.test.is_built_with_rocm()
    assert not tf.test.is_built_with_xla() and not tf.test.is_gpu_available()
    assert tf.test.gpu_device_name() == ""
    assert tf.test.test_src_dir_path("platform/test.py").endswith("numflow/platform/test.py")


def test_random_namespace_has_the_candidate_samplers_of_tf_nn():
    for name in ("uniform_candidate_sampler", "log_uniform_candidate_sampler", "learned_unigram_candidate_sampler",
                 "fixed_unigram_candidate_sampler", "all_candidate_sampler"):
        assert getattr(tf.random, name) is getattr(tf.nn, name)
    sampled, _, _ = tf.random.uniform_candidate_sampler(tf.constant([[1]], tf.int64), 1, 4, True, 4, seed=3)
    with tf.Session() as sess:
        assert sorted(sess.run(sampled).tolist()) == [0, 1, 2, 3]


def test_mock_is_unittest_mock_loaded_on_first_use():
    import subprocess
    import sys
    code = ("import sys, numflow as tf; assert 'unittest.mock' not in sys.modules; "
            "import unittest.mock; assert tf.test.mock is unittest.mock")
    subprocess.run([sys.executable, "-c", code], check=True)
