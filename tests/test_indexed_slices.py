"""tf.IndexedSlices: the sparse gradients of gathers and embedding lookups, their aggregation, conversion,
fetching and feeding, clipping, and their sparse application by every optimizer (issue 12)."""
import warnings

import numpy as np
import pytest

import numflow as tf
from numflow.framework import errors
from numflow.framework.indexed_slices import IndexedSlicesValue
from numflow.ops.training_sparse import sparse_apply
from gradcheck import check_gradients
from test_optimizers import REFERENCE


def _dense(values, indices, rows):
    out = np.zeros((rows,) + np.shape(values)[1:], np.asarray(values).dtype)
    np.add.at(out, np.asarray(indices), values)
    return out


# --- the gradient of a gather -----------------------------------------------------------------------------
def test_gather_gradient_is_indexed_slices_of_the_gathered_rows():
    params = np.random.RandomState(0).rand(5, 3)
    indices = np.array([[1, 4], [1, 0]])
    dy = np.random.RandomState(1).rand(2, 2, 3)
    p = tf.placeholder(tf.float64, [5, 3])
    g, = tf.gradients(tf.gather(p, indices), [p], grad_ys=tf.constant(dy))
    assert isinstance(g, tf.IndexedSlices)
    assert g.values.shape.as_list() == [4, 3] and g.indices.shape.as_list() == [4]
    assert g.shape.as_list() == [5, 3] and g.dtype is tf.float64
    with tf.Session() as sess:
        value = sess.run(g, {p: params})
    assert type(value).__name__ == "IndexedSlicesValue"
    np.testing.assert_array_equal(value.values, dy.reshape(4, 3))
    np.testing.assert_array_equal(value.indices, indices.reshape(-1))
    np.testing.assert_array_equal(value.dense_shape, [5, 3])


def test_gather_gradient_with_unknown_shapes_and_vector_params():
    p = tf.placeholder(tf.float32, [None])
    ids = tf.placeholder(tf.int64, None)
    g, = tf.gradients(tf.reduce_sum(tf.gather(p, ids) * 2.0), [p])
    assert isinstance(g, tf.IndexedSlices) and g.shape.as_list() == [None]
    with tf.Session() as sess:
        value = sess.run(g, {p: np.zeros(4, np.float32), ids: np.array([[3, 1], [3, 3]])})
    np.testing.assert_array_equal(value.values, np.full(4, 2.0, np.float32))
    np.testing.assert_array_equal(value.indices, [3, 1, 3, 3])


def test_gather_along_another_axis_has_a_dense_gradient():
    p = tf.placeholder(tf.float32, [2, 3])
    g, = tf.gradients(tf.gather(p, [2, 2], axis=1), [p])
    assert isinstance(g, tf.Tensor)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(g, {p: np.zeros((2, 3))}), [[0, 0, 2], [0, 0, 2]])


def test_gather_gradient_agrees_with_finite_differences():
    rng = np.random.RandomState(2)
    check_gradients(lambda x: tf.gather(x, [3, 0, 3]) * tf.gather(x, [1, 1, 2]), [rng.rand(4, 2)])


# --- aggregation -------------------------------------------------------------------------------------------
def test_sparse_contributions_are_concatenated_and_mixed_ones_densified():
    w = tf.Variable(np.arange(10.0).reshape(5, 2))
    sparse = tf.reduce_sum(tf.gather(w, [1, 3])) + 2.0 * tf.reduce_sum(tf.gather(w, [1]))
    g_sparse, = tf.gradients(sparse, [w])
    assert isinstance(g_sparse, tf.IndexedSlices)
    assert g_sparse.values.shape.as_list() == [3, 2]
    g_mixed, = tf.gradients(sparse + tf.reduce_sum(w * w), [w])
    assert isinstance(g_mixed, tf.Tensor)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        value, mixed, w_value = sess.run([g_sparse, g_mixed, w])
    expected = np.zeros((5, 2))
    expected[1] = 3.0
    expected[3] = 1.0
    np.testing.assert_array_equal(_dense(value.values, value.indices, 5), expected)
    np.testing.assert_array_equal(mixed, expected + 2 * w_value)


def test_identity_and_cast_pass_the_slices_on_and_other_ops_densify():
    p = tf.placeholder(tf.float32, [4, 2])
    through_cast, = tf.gradients(tf.gather(tf.cast(tf.identity(p), tf.float64), [2]), [p])
    assert isinstance(through_cast, tf.IndexedSlices) and through_cast.dtype is tf.float32
    through_mul, = tf.gradients(tf.gather(p * 3.0, [2]), [p])
    assert isinstance(through_mul, tf.Tensor)
    with tf.Session() as sess:
        cast_value, mul_value = sess.run([through_cast, through_mul], {p: np.ones((4, 2))})
    np.testing.assert_array_equal(_dense(cast_value.values, cast_value.indices, 4), [[0, 0], [0, 0], [1, 1], [0, 0]])
    np.testing.assert_array_equal(mul_value, [[0, 0], [0, 0], [3, 3], [0, 0]])


# --- conversion, fetching, feeding -----------------------------------------------------------------------
def test_convert_to_tensor_sums_repeated_rows():
    slices = tf.IndexedSlices(tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), tf.constant([2, 0, 2]),
                              tf.constant([3, 2]))
    dense = tf.convert_to_tensor(slices)
    assert dense.shape.as_list() == [3, 2] and slices.shape.as_list() == [3, 2]
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(dense), [[3, 4], [0, 0], [6, 8]])
        np.testing.assert_array_equal(sess.run(-slices).values, [[-1, -2], [-3, -4], [-5, -6]])


def test_convert_warns_for_an_unknown_dense_shape_and_errors():
    p = tf.placeholder(tf.float32, [None, 2])
    g, = tf.gradients(tf.gather(p, [0]), [p])
    with pytest.warns(UserWarning, match="Converting sparse IndexedSlices to a dense Tensor of unknown shape"):
        tf.convert_to_tensor(g)
    with warnings.catch_warnings():     # a known dense shape converts silently
        warnings.simplefilter("error")
        tf.convert_to_tensor(tf.IndexedSlices(tf.constant([[1.0]]), tf.constant([0]), tf.constant([2, 1])))
    with pytest.raises(ValueError, match="IndexedSlices without dense_shape"):
        tf.convert_to_tensor(tf.IndexedSlices(tf.constant([1.0]), tf.constant([0])))
    with pytest.raises(ValueError, match="requested dtype float64 for IndexedSlices with dtype float32"):
        tf.convert_to_tensor(g, dtype=tf.float64)


def test_fetch_without_dense_shape_and_feed():
    values = tf.placeholder(tf.float32, [None, 2])
    indices = tf.placeholder(tf.int32, [None])
    no_shape = tf.IndexedSlices(values, indices)
    with_shape = tf.IndexedSlices(values, indices, tf.placeholder(tf.int32, [2]))
    with pytest.warns(UserWarning, match="unknown shape"):
        dense = tf.convert_to_tensor(with_shape)
    with tf.Session() as sess:
        fetched = sess.run(no_shape, {no_shape: (np.ones((1, 2)), [3])})
        assert fetched.dense_shape is None and fetched.indices.tolist() == [3]
        fed = IndexedSlicesValue(np.array([[1.0, 2.0]]), np.array([1]), np.array([3, 2]))
        np.testing.assert_array_equal(sess.run(dense, {with_shape: fed}), [[0, 0], [1, 2], [0, 0]])
        with pytest.raises(TypeError, match="must be an IndexedSlicesValue or a \\(values, indices"):
            sess.run(dense, {with_shape: np.ones(3)})
        with pytest.raises(ValueError, match="Cannot feed a dense_shape for IndexedSlices"):
            sess.run(values, {no_shape: fed})


# --- partitioned embedding lookups ---------------------------------------------------------------------------
@pytest.mark.parametrize("strategy", ["mod", "div"])
def test_partitioned_lookup_gives_one_indexed_slices_per_shard(strategy):
    rng = np.random.RandomState(3)
    shards = [rng.rand(3, 2), rng.rand(2, 2), rng.rand(2, 2)]
    ids = np.array([[0, 6], [3, 6], [5, 1]])
    dy = rng.rand(3, 2, 2)
    params = [tf.Variable(s) for s in shards]
    out = tf.nn.embedding_lookup(params, ids, partition_strategy=strategy)
    grads = tf.gradients(out, params, grad_ys=tf.constant(dy))
    assert all(isinstance(g, tf.IndexedSlices) for g in grads)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        values = sess.run(grads)
    expected = [np.zeros_like(s) for s in shards]
    bounds = np.cumsum([0, 3, 2, 2])
    for id_, row in zip(ids.reshape(-1), dy.reshape(-1, 2)):
        if strategy == "mod":
            shard, local = id_ % 3, id_ // 3
        else:
            shard = int(np.searchsorted(bounds, id_, side="right") - 1)
            local = id_ - bounds[shard]
        expected[shard][local] += row
    for value, e, s in zip(values, expected, shards):
        np.testing.assert_allclose(_dense(value.values, value.indices, len(s)), e)
        np.testing.assert_array_equal(value.dense_shape, s.shape)


# --- clipping -------------------------------------------------------------------------------------------------
def test_clip_functions_accept_indexed_slices():
    slices = tf.IndexedSlices(tf.constant([[3.0, 0.0], [0.0, 4.0]]), tf.constant([0, 2]), tf.constant([3, 2]))
    dense = tf.constant([[0.0, 12.0]])
    (clipped_slices, clipped_dense), norm = tf.clip_by_global_norm([slices, dense], 6.5)
    assert isinstance(clipped_slices, tf.IndexedSlices) and clipped_slices.indices is slices.indices
    by_norm = tf.clip_by_norm(slices, 1.0)
    by_value = tf.clip_by_value(slices, 0.5, 3.5)
    assert isinstance(by_norm, tf.IndexedSlices) and isinstance(by_value, tf.IndexedSlices)
    with tf.Session() as sess:
        out = sess.run([clipped_slices.values, clipped_dense, norm, tf.global_norm([slices]), by_norm.values,
                        by_value.values])
    np.testing.assert_allclose(out[0], [[1.5, 0.0], [0.0, 2.0]])
    np.testing.assert_allclose(out[1], [[0.0, 6.0]])
    np.testing.assert_allclose(out[2:4], [13.0, 5.0])
    np.testing.assert_allclose(out[4], [[0.6, 0.0], [0.0, 0.8]])
    np.testing.assert_allclose(out[5], [[3.0, 0.5], [0.5, 3.5]])


# --- optimizers -----------------------------------------------------------------------------------------------
_ROWS, _IDS = 6, np.array([4, 1, 4, 2])
_TOUCHED = np.array([1, 2, 4])


def _sparse_training(make, steps, dtype=np.float64, global_step=False):
    """Runs `steps` steps of an optimizer on IndexedSlices gradients (repeated ids) fed each step; returns
    (the variable after each step, the fed gradients, the optimizer, the session's slot values)."""
    rng = np.random.RandomState(4)
    w0 = rng.randn(_ROWS, 3).astype(dtype)
    w = tf.Variable(w0)
    values = tf.placeholder(dtype, [len(_IDS), 3])
    step = tf.train.get_or_create_global_step() if global_step else None
    opt = make(step) if global_step else make()
    train = opt.apply_gradients([(tf.IndexedSlices(values, tf.constant(_IDS), tf.constant([_ROWS, 3])), w)],
                                global_step=step)
    history, fed = [w0], []
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(steps):
            fed.append(rng.randn(len(_IDS), 3).astype(dtype))
            sess.run(train, {values: fed[-1]})
            history.append(sess.run(w))
    return history, fed


@pytest.mark.parametrize("make,reference", REFERENCE)
def test_sparse_updates_match_tf1_formulas(make, reference):
    history, fed = _sparse_training(make, 3)
    step, slots = reference
    lazy = not isinstance(make(), tf.train.AdamOptimizer)   # TF1's sparse Adam moves every row
    rows = _TOUCHED if lazy else np.arange(_ROWS)
    expected = history[0].copy()
    state = {k: np.full(expected.shape, v) for k, v in slots.items()}
    for t, values in enumerate(fed, start=1):
        gradient = _dense(values, _IDS, _ROWS)
        row_state = {k: v[rows] for k, v in state.items()}
        expected[rows] = step(expected[rows], row_state, gradient[rows], t)
        for k in state:
            state[k][rows] = row_state[k]
        np.testing.assert_allclose(history[t], expected, rtol=1e-6, atol=1e-9)


_EXTRA = [
    lambda: tf.train.FtrlOptimizer(0.1, l1_regularization_strength=0.05, l2_regularization_strength=0.1),
    lambda: tf.train.FtrlOptimizer(0.1, learning_rate_power=-0.3, l2_shrinkage_regularization_strength=0.2),
    lambda: tf.train.ProximalGradientDescentOptimizer(0.1, 0.05, 0.1),
    lambda: tf.train.ProximalAdagradOptimizer(0.1, l1_regularization_strength=0.05, l2_regularization_strength=0.1),
]


def _dense_rows_training(make, history, fed, global_step=False):
    """The dense optimizer applied to a variable holding only the touched rows, with the summed gradients:
    what the sparse update must give on those rows."""
    tf.reset_default_graph()
    w = tf.Variable(history[0][_TOUCHED])
    grad = tf.placeholder(w.dtype, [len(_TOUCHED), 3])
    step = tf.train.get_or_create_global_step() if global_step else None
    opt = make(step) if global_step else make()
    train = opt.apply_gradients([(grad, w)], global_step=step)
    out = []
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for values in fed:
            sess.run(train, {grad: _dense(values, _IDS, _ROWS)[_TOUCHED]})
            out.append(sess.run(w))
    return out


@pytest.mark.parametrize("make", _EXTRA)
def test_sparse_regularized_updates_touch_only_their_rows(make):
    history, fed = _sparse_training(make, 3)
    dense_rows = _dense_rows_training(make, history, fed)
    untouched = np.setdiff1d(np.arange(_ROWS), _TOUCHED)
    for t in range(1, 4):
        np.testing.assert_allclose(history[t][_TOUCHED], dense_rows[t - 1], rtol=1e-10)
        np.testing.assert_array_equal(history[t][untouched], history[0][untouched])


def test_sparse_adagrad_da_uses_the_global_step():
    def make(step):
        return tf.train.AdagradDAOptimizer(0.1, step, l1_regularization_strength=0.01, l2_regularization_strength=0.1)
    history, fed = _sparse_training(make, 3, global_step=True)
    dense_rows = _dense_rows_training(make, history, fed, global_step=True)
    for t in range(1, 4):
        np.testing.assert_allclose(history[t][_TOUCHED], dense_rows[t - 1], rtol=1e-10)
    np.testing.assert_array_equal(history[3][[0, 3, 5]], history[0][[0, 3, 5]])


def test_embedding_training_with_minimize_and_float32():
    rng = np.random.RandomState(5)
    table = tf.Variable(rng.randn(10, 4).astype(np.float32))
    ids = tf.constant([[1, 7], [7, 7]])
    loss = tf.reduce_sum(tf.square(tf.nn.embedding_lookup(table, ids) - 1.0))
    opt = tf.train.AdagradOptimizer(0.5)
    grads_and_vars = opt.compute_gradients(loss, gate_gradients=tf.train.Optimizer.GATE_GRAPH)
    assert isinstance(grads_and_vars[0][0], tf.IndexedSlices)
    train = opt.minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        before = sess.run(table)
        losses = [sess.run([train, loss])[1] for _ in range(20)]
        after = sess.run(table)
    assert losses[-1] < 0.2 * losses[0]
    np.testing.assert_array_equal(np.delete(after, [1, 7], axis=0), np.delete(before, [1, 7], axis=0))
    assert after.dtype == np.float32


# --- the SparseApply ops ---------------------------------------------------------------------------------------
def test_repeated_indices_are_applied_one_after_another():
    accum0 = np.full((3, 2), 0.5)
    var = tf.Variable(np.ones((3, 2)))
    accum = tf.Variable(accum0)
    grad = np.array([[1.0, 2.0], [3.0, 1.0]])
    update = sparse_apply("SparseApplyAdagrad", [var, accum], [np.float64(0.1), grad, np.array([2, 2])],
                          attrs={"update_slots": True})
    assert update.op.type == "SparseApplyAdagrad"
    w, a = np.ones((3, 2)), accum0.copy()
    for row in grad:
        a[2] += row * row
        w[2] -= 0.1 * row / np.sqrt(a[2])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_allclose(sess.run(update), w)
        np.testing.assert_allclose(sess.run(accum), a)


def test_sparse_apply_errors():
    var = tf.Variable(np.ones((3, 2), np.float32))
    accum = tf.Variable(np.ones((3, 2), np.float32))
    lr = np.float32(0.1)
    with pytest.raises(TypeError, match="'indices' of 'SparseApplyAdagrad' Op has DataType float32"):
        sparse_apply("SparseApplyAdagrad", [var, accum], [lr, np.ones((1, 2), np.float32), tf.constant([0.0])])
    with pytest.raises(ValueError, match="grad must be the same size as indices in the first dimension"):
        sparse_apply("SparseApplyAdagrad", [var, accum], [lr, np.ones((2, 2), np.float32), [0, 1, 2]])
    with pytest.raises(ValueError, match="var and grad do not have the same shape after dimension 0"):
        sparse_apply("SparseApplyAdagrad", [var, accum], [lr, np.ones((1, 3), np.float32), [0]])
    with pytest.raises(ValueError, match="indices must be one-dimensional"):
        sparse_apply("SparseApplyAdagrad", [var, accum], [lr, np.ones((1, 2), np.float32), [[0]]])
    with pytest.raises(TypeError, match="'global_step' of 'SparseApplyAdagradDA' Op has type int32"):
        sparse_apply("SparseApplyAdagradDA", [var, accum, accum],
                     [np.ones((1, 2), np.float32), [0], lr, lr, lr, tf.constant(1)])
    out_of_range = sparse_apply("SparseApplyAdagrad", [var, accum], [lr, np.ones((2, 2), np.float32), [1, 7]])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        with pytest.raises(errors.InvalidArgumentError, match="Index 7 at offset 1 in indices is out of range"):
            sess.run(out_of_range)


def test_sparse_updates_export_as_tf_ops():
    from numflow.framework.graph_def import graph_to_graph_def
    table = tf.Variable(np.ones((4, 2), np.float32))
    tf.train.MomentumOptimizer(0.1, 0.9, use_nesterov=True).minimize(tf.reduce_sum(tf.gather(table, [1, 1])))
    nodes = [n for n in graph_to_graph_def(tf.get_default_graph()).node if n.op == "SparseApplyMomentum"]
    assert len(nodes) == 1
    node = nodes[0]
    assert node.attr["use_nesterov"].b and node.attr["T"].type == tf.float32.as_datatype_enum
    assert node.attr["Tindices"].type == tf.int32.as_datatype_enum


def test_horovod_distributed_optimizer_applies_allgathered_slices():
    import numflow.horovod as hvd
    hvd.init()

    def train(wrap):
        tf.reset_default_graph()
        table = tf.Variable(np.arange(12.0, dtype=np.float32).reshape(6, 2) / 10.0)
        loss = tf.reduce_sum(tf.square(tf.nn.embedding_lookup(table, [1, 4, 1])))
        opt = wrap(tf.train.AdagradOptimizer(0.3))
        grad, _ = opt.compute_gradients(loss)[0]
        step = opt.minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(3):
                sess.run(step)
            return isinstance(grad, tf.IndexedSlices), sess.run(table)

    plain_sparse, plain = train(lambda opt: opt)
    wrapped_sparse, wrapped = train(hvd.DistributedOptimizer)
    assert plain_sparse and wrapped_sparse
    np.testing.assert_allclose(wrapped, plain, rtol=1e-6)
    np.testing.assert_array_equal(wrapped[[0, 2, 3, 5]], np.arange(12.0, dtype=np.float32).reshape(6, 2)[[0, 2, 3, 5]]
                                  / 10.0)
