"""tf.nn.fractional_max_pool / fractional_avg_pool (ops/fractional_pool.py): region boundaries obey the
paper's rules, pooled values match NumPy over the returned regions, gradients match finite differences."""
import numpy as np
import pytest

import numflow as tf
from gradcheck import check_gradients


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


def reference_pool(value, rows, cols, overlapping, reduce):
    out = np.zeros((value.shape[0], len(rows) - 1, len(cols) - 1, value.shape[3]))
    for i in range(len(rows) - 1):
        r1 = min(rows[i + 1] + (1 if overlapping else 0), value.shape[1])
        for j in range(len(cols) - 1):
            c1 = min(cols[j + 1] + (1 if overlapping else 0), value.shape[2])
            out[:, i, j] = reduce(value[:, rows[i]:r1, cols[j]:c1], axis=(1, 2))
    return out


@pytest.mark.parametrize("pseudo_random", [False, True])
@pytest.mark.parametrize("overlapping", [False, True])
def test_fractional_pools_match_numpy_over_their_regions(pseudo_random, overlapping):
    value = np.random.RandomState(0).randn(2, 11, 13, 3)
    ratio = [1.0, 1.44, 1.73, 1.0]
    max_out, max_rows, max_cols = tf.nn.fractional_max_pool(value, ratio, pseudo_random, overlapping, seed=4)
    avg_out, avg_rows, avg_cols = tf.nn.fractional_avg_pool(value, ratio, pseudo_random, overlapping, seed=4)
    assert max_out.shape.as_list() == [2, 7, 7, 3] and max_rows.shape.as_list() == [8]
    assert max_rows.dtype == tf.int64
    for _ in range(3):
        got = run([max_out, max_rows, max_cols, avg_out, avg_rows, avg_cols])
        for rows, cols, size_r, size_c in [(got[1], got[2], 11, 13), (got[4], got[5], 11, 13)]:
            assert rows[0] == 0 and rows[-1] == size_r and cols[0] == 0 and cols[-1] == size_c
            assert set(np.diff(rows)) <= {1, 2} and set(np.diff(cols)) <= {1, 2}
        np.testing.assert_allclose(got[0], reference_pool(value, got[1], got[2], overlapping, np.max))
        np.testing.assert_allclose(got[3], reference_pool(value, got[4], got[5], overlapping, np.mean))


def test_regions_vary_between_runs_unless_deterministic():
    value = np.random.RandomState(1).randn(1, 20, 20, 1).astype(np.float32)
    _, rows, _ = tf.nn.fractional_max_pool(value, [1.0, 1.5, 1.5, 1.0])
    _, fixed_rows, _ = tf.nn.fractional_max_pool(value, [1.0, 1.5, 1.5, 1.0], deterministic=True, seed=3)
    with tf.Session() as sess:
        drawn = {tuple(sess.run(rows)) for _ in range(12)}
        fixed = {tuple(sess.run(fixed_rows)) for _ in range(5)}
    assert len(drawn) > 1 and len(fixed) == 1
    with tf.Session() as sess:     # the same seeds give the same regions in another Session
        assert {tuple(sess.run(fixed_rows))} == fixed


def test_integer_average_truncates():
    value = np.arange(16, dtype=np.int32).reshape(1, 4, 4, 1)
    out, rows, cols = run(tf.nn.fractional_avg_pool(value, [1.0, 2.0, 2.0, 1.0]))
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out[0, :, :, 0], [[2, 4], [10, 12]])     # (0+1+4+5)//4 = 2 ...


@pytest.mark.parametrize("op_name", ["fractional_max_pool", "fractional_avg_pool"])
@pytest.mark.parametrize("overlapping", [False, True])
def test_fractional_pool_gradients(op_name, overlapping):
    value = np.random.RandomState(2).permutation(5 * 6).reshape(1, 5, 6, 1) / 7.0
    pool = getattr(tf.nn, op_name)
    check_gradients(lambda x: pool(x, [1.0, 1.4, 1.6, 1.0], pseudo_random=True, overlapping=overlapping,
                                   deterministic=True, seed=5)[0], [value])


def test_fractional_pool_errors():
    value = np.zeros((1, 4, 4, 1), np.float32)
    with pytest.raises(ValueError, match="Only pooling on rows and cols is supported"):
        tf.nn.fractional_max_pool(value, [2.0, 1.5, 1.5, 1.0])
    with pytest.raises(ValueError, match="pooling_ratio cannot be smaller than 1"):
        tf.nn.fractional_avg_pool(value, [1.0, 0.5, 1.5, 1.0])
    with pytest.raises(ValueError, match="leaves no output rows"):
        tf.nn.fractional_max_pool(value, [1.0, 5.0, 1.5, 1.0])
    fed = tf.placeholder(tf.float32, [1, None, None, 1])
    with pytest.raises(tf.errors.InvalidArgumentError, match="the input is too small"):
        run(tf.nn.fractional_max_pool(fed, [1.0, 3.0, 1.5, 1.0])[0], {fed: np.zeros((1, 2, 4, 1))})
    with pytest.raises(TypeError, match="DataType bool not in list"):
        tf.nn.fractional_max_pool(np.zeros((1, 4, 4, 1), bool), [1.0, 1.5, 1.5, 1.0])


def test_fractional_pool_grad_ops_check_their_sequences():
    from numflow.ops.common import make_tensor
    dy = tf.constant(np.ones((1, 2, 2, 1), np.float32))
    bad = make_tensor("FractionalAvgPoolGrad", [tf.constant(np.array([1, 4, 4, 1], np.int64)), dy,
                                                tf.constant(np.array([0, 3, 2], np.int64)),
                                                tf.constant(np.array([0, 2, 4], np.int64))], {"overlapping": False})
    with pytest.raises(tf.errors.InvalidArgumentError, match="row_pooling_sequence must be increasing"):
        run(bad)


def test_fractional_pool_graph_def_round_trip():
    from numflow.framework.graph_def import graph_to_graph_def
    value = np.random.RandomState(3).randn(1, 6, 7, 2).astype(np.float32)
    graph = tf.Graph()
    with graph.as_default():
        x = tf.constant(value)
        out, rows, cols = tf.nn.fractional_max_pool(x, [1.0, 1.5, 1.5, 1.0], deterministic=True, seed=2, seed2=9)
        avg = tf.nn.fractional_avg_pool(x, [1.0, 1.5, 1.5, 1.0], deterministic=True, seed=2, seed2=9)[0]
        grads = tf.gradients(tf.reduce_sum(out ** 2) + tf.reduce_sum(avg), x)[0]
    graph_def = graph_to_graph_def(graph)
    assert {"FractionalMaxPool", "FractionalAvgPool", "FractionalMaxPoolGrad", "FractionalAvgPoolGrad"} <= \
        {node.op for node in graph_def.node}
    imported = tf.Graph()
    with imported.as_default():
        tf.import_graph_def(graph_def, name="")
    with tf.Session(graph=graph) as sess:
        expected = sess.run([out.name, grads.name])
    with tf.Session(graph=imported) as sess:
        got = sess.run([out.name, grads.name])
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-6)
