"""tf.nn breadth: space_to_batch family, dilation2d / erosion2d, weighted_moments, batch norm with global
normalization, small helpers, label sequences, sparse embedding lookups, candidate samplers and sampled
losses. Values against NumPy, gradients against finite differences, errors by class and message."""
import itertools

import numpy as np
import pytest

import numflow as tf
from gradcheck import check_gradients, evaluate
from numflow.framework import errors

RNG = np.random.RandomState(11)


# --- space_to_batch ------------------------------------------------------------------------------
def ref_space_to_batch(x, block, paddings):
    """out[(i * b1 + j) * batch + n, p, q] = padded[n, p * b0 + i, q * b1 + j] for 2 spatial dims."""
    padded = np.pad(x, [(0, 0)] + [tuple(p) for p in paddings] + [(0, 0)] * (x.ndim - 3))
    n, h, w = padded.shape[:3]
    out = np.zeros((n * block[0] * block[1], h // block[0], w // block[1]) + x.shape[3:])
    for i, j, b, p, q in itertools.product(range(block[0]), range(block[1]), range(n), range(h // block[0]),
                                           range(w // block[1])):
        out[(i * block[1] + j) * n + b, p, q] = padded[b, p * block[0] + i, q * block[1] + j]
    return out


@pytest.mark.parametrize("block,paddings", [([2, 2], [[0, 0], [0, 1]]), ([2, 3], [[1, 1], [0, 1]]),
                                            ([1, 2], [[0, 0], [1, 0]])])
def test_space_to_batch_nd_and_inverse(block, paddings):
    x = RNG.randn(2, 4, 5, 3)
    got = evaluate(lambda a: tf.space_to_batch_nd(a, block, paddings), [x])
    np.testing.assert_allclose(got, ref_space_to_batch(x, block, paddings))
    back = evaluate(lambda a: tf.batch_to_space_nd(a, block, paddings), [got])
    np.testing.assert_allclose(back, x)
    check_gradients(lambda a: tf.space_to_batch_nd(a, block, paddings), [x[:1, :, :, :1]])
    check_gradients(lambda a: tf.batch_to_space_nd(a, block, paddings), [got[:, :, :, :1]])


def test_space_to_batch_square_block_forms_and_static_shapes():
    x = RNG.randn(1, 4, 6, 1)
    np.testing.assert_allclose(evaluate(lambda a: tf.space_to_batch(a, [[0, 0], [1, 1]], 2), [x]),
                               ref_space_to_batch(x, [2, 2], [[0, 0], [1, 1]]))
    np.testing.assert_allclose(evaluate(lambda a: tf.nn.space_to_batch(a, [[0, 0], [0, 0]], block_size=2), [x]),
                               ref_space_to_batch(x, [2, 2], [[0, 0], [0, 0]]))
    y = ref_space_to_batch(x, [2, 2], [[0, 0], [1, 1]])
    np.testing.assert_allclose(evaluate(lambda a: tf.batch_to_space(a, [[0, 0], [1, 1]], 2), [y]), x)
    with tf.Graph().as_default():
        s = tf.space_to_batch_nd(tf.zeros([3, 5, 7, 2]), [2, 3], [[1, 0], [1, 1]])
        assert s.shape.as_list() == [18, 3, 3, 2]
        b = tf.batch_to_space_nd(tf.zeros([18, 3, 3, 2]), [2, 3], [[1, 0], [1, 1]])
        assert b.shape.as_list() == [3, 5, 7, 2]
        paddings, crops = tf.required_space_to_batch_paddings([7, 8], [2, 3], [[1, 1], [0, 2]])
        with tf.Session() as sess:
            assert sess.run(paddings).tolist() == [[1, 2], [0, 4]]     # 9 -> 10, 10 -> 12
            assert sess.run(crops).tolist() == [[0, 1], [0, 2]]
            shape = tf.placeholder(tf.int32, [2])
            dynamic = tf.required_space_to_batch_paddings(shape, [2, 3])
            got = sess.run(dynamic, {shape: [7, 8]})
            assert got[0].tolist() == [[0, 1], [0, 1]] and got[1].tolist() == [[0, 1], [0, 1]]


def test_space_to_batch_errors():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match=r"padded_shape\[0\]=5 is not divisible by block_shape\[0\]=2"):
            tf.space_to_batch_nd(tf.zeros([1, 5, 4, 1]), [2, 2], [[0, 0], [0, 0]])
        with pytest.raises(ValueError, match=r"paddings must have shape \[2, 2\]"):
            tf.space_to_batch_nd(tf.zeros([1, 4, 4, 1]), [2, 2], [[0, 0]])
        with pytest.raises(ValueError, match="paddings must be non-negative"):
            tf.space_to_batch_nd(tf.zeros([1, 4, 4, 1]), [2, 2], [[0, -2], [0, 0]])
        with pytest.raises(ValueError, match="evenly divisible by 4 but is 6"):
            tf.batch_to_space_nd(tf.zeros([6, 2, 2, 1]), [2, 2], [[0, 0], [0, 0]])
        with pytest.raises(ValueError, match="block_size should be > 1"):
            tf.space_to_batch(tf.zeros([1, 4, 4, 1]), [[0, 0], [0, 0]], 1)
        x = tf.placeholder(tf.float32, [None, None, None, 1])
        y = tf.space_to_batch_nd(x, [2, 2], [[0, 0], [0, 0]])
        z = tf.batch_to_space_nd(x, [2, 2], [[0, 0], [0, 0]])
        with tf.Session() as sess:
            with pytest.raises(errors.InvalidArgumentError, match="is not divisible by block_shape"):
                sess.run(y, {x: np.zeros((1, 3, 4, 1))})
            with pytest.raises(errors.InvalidArgumentError, match="is not divisible by product of block sizes"):
                sess.run(z, {x: np.zeros((3, 3, 4, 1))})


def test_with_space_to_batch_gives_dilated_convolution():
    from test_conv import ref_conv
    x, f = RNG.randn(1, 7, 9, 2), RNG.randn(3, 2, 2, 3)
    for padding in ("SAME", "VALID"):
        got = evaluate(lambda a, b: tf.nn.with_space_to_batch(
            a, [2, 3], padding, lambda t, n, p: tf.nn.conv2d(t, b, [1, 1, 1, 1], p), filter_shape=[3, 2]), [x, f])
        np.testing.assert_allclose(got, ref_conv(x, f, (1, 1), padding, (2, 3)), rtol=1e-10)
    with pytest.raises(ValueError, match="filter_shape must be specified for SAME padding"):
        tf.nn.with_space_to_batch(tf.zeros([1, 4, 4, 1]), [2, 2], "SAME", lambda t, n, p: t)
    with pytest.raises(ValueError, match="dilation_rate must be positive"):
        tf.nn.with_space_to_batch(tf.zeros([1, 4, 4, 1]), [0, 2], "VALID", lambda t, n, p: t)


# --- morphology ------------------------------------------------------------------------------------
def ref_dilation(x, f, strides, rates, padding):
    from test_conv import pads_for
    n, h, w, c = x.shape
    kh, kw, _ = f.shape
    oh, pt, _ = pads_for(padding, h, kh, strides[0], rates[0], 0)
    ow, pl, _ = pads_for(padding, w, kw, strides[1], rates[1], 1)
    y = np.full((n, oh, ow, c), -np.inf)
    for r, q, i, j in itertools.product(range(oh), range(ow), range(kh), range(kw)):
        hi, wi = r * strides[0] - pt + i * rates[0], q * strides[1] - pl + j * rates[1]
        if 0 <= hi < h and 0 <= wi < w:
            y[:, r, q] = np.maximum(y[:, r, q], x[:, hi, wi] + f[i, j])
    return y


@pytest.mark.parametrize("strides,rates,padding", [((1, 1), (1, 1), "SAME"), ((2, 1), (1, 2), "VALID"),
                                                   ((1, 2), (2, 1), "SAME")])
def test_dilation2d_and_erosion2d(strides, rates, padding):
    x, f = RNG.randn(2, 6, 7, 2), RNG.randn(3, 2, 2)
    s4, r4 = [1, *strides, 1], [1, *rates, 1]
    np.testing.assert_allclose(evaluate(lambda a, b: tf.nn.dilation2d(a, b, s4, r4, padding), [x, f]),
                               ref_dilation(x, f, strides, rates, padding))
    eroded = -ref_dilation(-x, f[::-1, ::-1], strides, rates, padding)
    np.testing.assert_allclose(evaluate(lambda a, b: tf.nn.erosion2d(a, b, s4, r4, padding), [x, f]), eroded)
    check_gradients(lambda a, b: tf.nn.dilation2d(a, b, s4, r4, padding), [x[:1], f])
    check_gradients(lambda a, b: tf.nn.erosion2d(a, b, s4, r4, padding), [x[:1], f])


def test_dilation2d_errors():
    with tf.Graph().as_default():
        x = tf.zeros([1, 4, 4, 2])
        with pytest.raises(ValueError, match="input depth 2 does not match filter depth 3"):
            tf.nn.dilation2d(x, tf.zeros([2, 2, 3]), [1, 1, 1, 1], [1, 1, 1, 1], "SAME")
        with pytest.raises(ValueError, match="filter must be rank 3"):
            tf.nn.dilation2d(x, tf.zeros([2, 2, 2, 1]), [1, 1, 1, 1], [1, 1, 1, 1], "SAME")
        with pytest.raises(ValueError, match=r"strides must be \[1, stride_height, stride_width, 1\]"):
            tf.nn.dilation2d(x, tf.zeros([2, 2, 2]), [2, 1, 1, 1], [1, 1, 1, 1], "SAME")
        with pytest.raises(ValueError, match=r"rates must be \[1, rate_height, rate_width, 1\]"):
            tf.nn.dilation2d(x, tf.zeros([2, 2, 2]), [1, 1, 1, 1], [1, 1], "SAME")


# --- moments, batch norm, small helpers ----------------------------------------------------------------
@pytest.mark.parametrize("axes,keep", [([0, 1, 2], False), ([1], True), ([0], False)])
def test_weighted_moments(axes, keep):
    x = RNG.randn(3, 4, 2)
    w = RNG.uniform(0.5, 2.0, size=(3, 4, 1))
    mean, var = evaluate(lambda a, b: tf.nn.weighted_moments(a, axes, b, keep_dims=keep), [x, w])
    wb = np.broadcast_to(w, x.shape)
    want_mean = np.sum(wb * x, axis=tuple(axes), keepdims=True) / np.sum(wb, axis=tuple(axes), keepdims=True)
    want_var = np.sum(wb * (x - want_mean) ** 2, axis=tuple(axes), keepdims=True) / \
        np.sum(wb, axis=tuple(axes), keepdims=True)
    if not keep:
        want_mean, want_var = np.squeeze(want_mean, tuple(axes)), np.squeeze(want_var, tuple(axes))
    np.testing.assert_allclose(mean, want_mean)
    np.testing.assert_allclose(var, want_var)
    check_gradients(lambda a, b: tf.add_n([tf.reduce_sum(m) for m in tf.nn.weighted_moments(a, axes, b)]),
                    [x, w])
    with pytest.raises(ValueError, match="Cannot specify both 'keep_dims' and 'keepdims'"):
        tf.nn.weighted_moments(tf.zeros([2]), [0], tf.ones([2]), keep_dims=True, keepdims=True)


def test_weighted_moments_float16_works_in_float32():
    x = RNG.randn(50).astype(np.float16)
    mean, var = evaluate(lambda a: tf.nn.weighted_moments(a, [0], tf.ones([50], tf.float16)), [x])
    assert mean.dtype == np.float16
    np.testing.assert_allclose(mean, x.astype(np.float32).mean(), rtol=1e-2, atol=1e-3)


@pytest.mark.parametrize("scale_after", [True, False])
def test_batch_norm_with_global_normalization(scale_after):
    x = RNG.randn(2, 3, 4)
    m, v, beta, gamma = RNG.randn(4), RNG.uniform(0.5, 2, 4), RNG.randn(4), RNG.randn(4)
    got = evaluate(lambda *t: tf.nn.batch_norm_with_global_normalization(*t, 0.01, scale_after),
                   [x, m, v, beta, gamma])
    want = (x - m) / np.sqrt(v + 0.01) * (gamma if scale_after else 1) + beta
    np.testing.assert_allclose(got, want)
    if scale_after:
        check_gradients(lambda *t: tf.nn.batch_norm_with_global_normalization(*t, 0.01, True),
                        [x, m, v, beta, gamma])
    else:   # gamma is unused
        check_gradients(lambda *t: tf.nn.batch_norm_with_global_normalization(*t, gamma, 0.01, False),
                        [x, m, v, beta])
    with pytest.raises(ValueError, match="variance_epsilon and scale_after_normalization are required"):
        tf.nn.batch_norm_with_global_normalization(x, m, v, beta, gamma)


@pytest.mark.parametrize("beta", [1.0, 0.5])
def test_silu(beta):
    x = RNG.randn(3, 4)
    np.testing.assert_allclose(evaluate(lambda a: tf.nn.silu(a, beta=beta), [x]), x / (1 + np.exp(-beta * x)))
    check_gradients(lambda a: tf.nn.silu(a, beta=beta), [x])


def test_compute_average_loss_and_scale_regularization_loss():
    losses = np.array([1.0, 2.0, 3.0, 4.0])
    assert evaluate(lambda a: tf.nn.compute_average_loss(a), [losses]) == pytest.approx(2.5)
    assert evaluate(lambda a, w: tf.nn.compute_average_loss(a, sample_weight=w),
                    [losses, np.array([1.0, 0.0, 1.0, 2.0])]) == pytest.approx(3.0)
    assert evaluate(lambda a: tf.nn.compute_average_loss(a, global_batch_size=8), [losses]) == pytest.approx(1.25)
    check_gradients(lambda a: tf.nn.compute_average_loss(a, global_batch_size=3), [losses])
    assert evaluate(lambda a, b: tf.nn.scale_regularization_loss([a, b]),
                    [np.float64(1.5), np.float64(2.0)]) == pytest.approx(3.5)
    assert evaluate(lambda a: tf.nn.scale_regularization_loss(a), [np.float64(1.5)]) == pytest.approx(1.5)
    with pytest.raises(ValueError, match="Expected a tensor with at least rank 1"):
        tf.nn.compute_average_loss(tf.constant(1.0))


def test_approx_max_k_and_min_k_are_exact():
    x = RNG.randn(4, 6)
    values, indices = evaluate(lambda a: tf.nn.approx_max_k(a, 2), [x])
    np.testing.assert_array_equal(indices, np.argsort(-x, axis=1)[:, :2])
    np.testing.assert_allclose(values, -np.sort(-x, axis=1)[:, :2])
    values, indices = evaluate(lambda a: tf.nn.approx_min_k(a, 3, reduction_dimension=0), [x])
    np.testing.assert_array_equal(indices, np.argsort(x, axis=0)[:3])
    np.testing.assert_allclose(values, np.sort(x, axis=0)[:3])


def test_collapse_repeated_and_ctc_unique_labels():
    labels = np.array([[1, 1, 2, 2, 3, 0], [4, 4, 4, 5, 5, 5], [7, 7, 7, 7, 7, 7]], np.int32)
    collapsed, lengths = evaluate(lambda a, n: tf.nn.collapse_repeated(a, n),
                                  [labels, np.array([6, 4, 2], np.int32)])
    np.testing.assert_array_equal(collapsed, [[1, 2, 3, 0], [4, 5, 0, 0], [7, 0, 0, 0]])
    np.testing.assert_array_equal(lengths, [4, 2, 1])
    unique, index = evaluate(lambda a: tf.nn.ctc_unique_labels(a), [np.array([[3, 1, 3, 0, 0], [2, 2, 5, 2, 0]])])
    np.testing.assert_array_equal(unique, [[3, 1, 0, 0, 0], [2, 5, 0, 0, 0]])
    np.testing.assert_array_equal(index, [[0, 1, 0, 2, 2], [0, 0, 1, 0, 2]])
    assert unique.dtype == np.int64 and index.dtype == np.int32
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match=r"labels must be a matrix \[batch_size, max_seq_length\]"):
            tf.nn.collapse_repeated(tf.zeros([3], tf.int32), [3])
        with pytest.raises(ValueError, match=r"labels must be a matrix \[batch_size, max_label_length\]"):
            tf.nn.ctc_unique_labels(tf.zeros([3], tf.int32))
        out = tf.nn.collapse_repeated(tf.constant(labels), tf.constant([6, 7, 2]))
        with tf.Session() as sess:
            with pytest.raises(errors.InvalidArgumentError, match=r"seq_length must be a vector of lengths in \[0, 6\]"):
                sess.run(out)


# --- sparse embedding lookups ----------------------------------------------------------------------------
ROWS = [[0, 0], [0, 1], [1, 0], [3, 0], [3, 1], [3, 2]]
IDS = [1, 3, 9, 2, 2, 0]
WEIGHTS = [1.0, 2.0, 0.5, 1.0, 3.0, 2.0]


def ref_lookup_sparse(table, combiner, weights=None):
    weights = np.ones(len(IDS)) if weights is None else np.asarray(weights)
    out = np.zeros((4, table.shape[1]))
    for row in range(4):
        members = [k for k, (r, _) in enumerate(ROWS) if r == row]
        if not members:
            continue
        total = sum(weights[k] * table[IDS[k]] for k in members)
        scale = {"sum": 1.0, "mean": sum(weights[k] for k in members),
                 "sqrtn": np.sqrt(sum(weights[k] ** 2 for k in members))}[combiner]
        out[row] = total / scale
    return out


def sparse(values, dtype=None):
    return tf.SparseTensor(tf.constant(ROWS, tf.int64), tf.constant(values, dtype), tf.constant([5, 3], tf.int64))


@pytest.mark.parametrize("combiner", ["sum", "mean", "sqrtn"])
@pytest.mark.parametrize("weighted", [False, True])
def test_embedding_lookup_sparse(combiner, weighted):
    table = RNG.randn(10, 3)

    def build(params):
        return tf.nn.embedding_lookup_sparse(params, sparse(IDS, tf.int64),
                                             sparse(WEIGHTS, tf.float64) if weighted else None, combiner=combiner)
    np.testing.assert_allclose(evaluate(build, [table]),
                               ref_lookup_sparse(table, combiner, WEIGHTS if weighted else None))
    check_gradients(build, [table])


def test_embedding_lookup_sparse_over_shards_and_errors():
    table = RNG.randn(10, 3)

    def build(a, b, c):
        return tf.nn.embedding_lookup_sparse([a, b, c], sparse(IDS, tf.int64), None, partition_strategy="div")
    np.testing.assert_allclose(evaluate(build, [table[:4], table[4:7], table[7:]]), ref_lookup_sparse(table, "mean"))
    with pytest.raises(TypeError, match="sp_ids must be SparseTensor"):
        tf.nn.embedding_lookup_sparse(tf.zeros([3, 2]), tf.constant([1]), None)
    with pytest.raises(TypeError, match="sp_weights must be either None or SparseTensor"):
        tf.nn.embedding_lookup_sparse(tf.zeros([3, 2]), sparse(IDS, tf.int64), tf.constant([1.0]))
    with pytest.raises(ValueError, match="combiner must be one of 'mean', 'sqrtn' or 'sum'"):
        tf.nn.embedding_lookup_sparse(tf.zeros([3, 2]), sparse(IDS, tf.int64), None, combiner="max")


def test_safe_embedding_lookup_sparse():
    table = RNG.randn(10, 3)
    with tf.Graph().as_default():
        ids = tf.SparseTensor(tf.constant([[0, 0], [0, 1], [2, 0], [2, 1]], tf.int64),
                              tf.constant([1, -1, 4, 6], tf.int64), tf.constant([4, 2], tf.int64))
        weights = tf.SparseTensor(ids.indices, tf.constant([1.0, 1.0, 2.0, -1.0], tf.float64), ids.dense_shape)
        plain = tf.nn.safe_embedding_lookup_sparse(tf.constant(table), ids)
        weighted = tf.nn.safe_embedding_lookup_sparse(tf.constant(table), ids, weights, default_id=3)
        deep = tf.nn.safe_embedding_lookup_sparse(
            tf.constant(table), tf.SparseTensor(tf.constant([[0, 1, 0], [1, 0, 1]], tf.int64),
                                                tf.constant([2, 5], tf.int64), tf.constant([2, 2, 2], tf.int64)),
            combiner="sum")
        with tf.Session() as sess:
            got_plain, got_weighted, got_deep = sess.run([plain, weighted, deep])
        with pytest.raises(TypeError, match="sparse_ids must be SparseTensor"):
            tf.nn.safe_embedding_lookup_sparse(tf.constant(table), tf.constant([1]))
        with pytest.raises(ValueError, match="Missing embedding_weights"):
            tf.nn.safe_embedding_lookup_sparse([], ids)
    # Id -1 and weight -1 are dropped; rows left empty get zeros, or default_id's embedding.
    np.testing.assert_allclose(got_plain, [table[1], np.zeros(3), (table[4] + table[6]) / 2, np.zeros(3)])
    np.testing.assert_allclose(got_weighted, [table[1], table[3], table[4], table[3]])
    np.testing.assert_allclose(got_deep, [[np.zeros(3), table[2]], [table[5], np.zeros(3)]])


# --- candidate samplers -----------------------------------------------------------------------------------
TRUE = np.array([[1, 4], [3, 0], [6, 6]], np.int64)


def run_sampler(build, runs=1, feed=TRUE):
    with tf.Graph().as_default():
        classes = tf.placeholder(tf.int64, [None, feed.shape[1]])
        out = build(classes)
        with tf.Session() as sess:
            return [sess.run(out, {classes: feed}) for _ in range(runs)]


def check_expected_counts(result, probability, num_sampled, unique):
    sampled, true_count, sampled_count = result
    assert sampled.dtype == np.int64 and true_count.dtype == np.float32 and sampled_count.dtype == np.float32
    assert sampled.shape == (num_sampled,) and true_count.shape == TRUE.shape
    if not unique:
        np.testing.assert_allclose(true_count, probability(TRUE) * num_sampled, rtol=1e-6)
        np.testing.assert_allclose(sampled_count, probability(sampled) * num_sampled, rtol=1e-6)
        return
    assert len(set(sampled.tolist())) == num_sampled
    # Every count is 1 - (1 - p) ** tries for one whole number of tries >= num_sampled.
    p = probability(sampled)
    tries = np.log1p(-sampled_count.astype(np.float64)) / np.log1p(-p)
    assert np.allclose(tries, np.round(tries[0]), rtol=1e-3) and round(tries[0]) >= num_sampled
    np.testing.assert_allclose(true_count, 1 - (1 - probability(TRUE)) ** round(tries[0]), rtol=1e-4)


@pytest.mark.parametrize("unique", [False, True])
def test_uniform_and_log_uniform_samplers(unique):
    result, = run_sampler(lambda c: tf.nn.uniform_candidate_sampler(c, 2, 6, unique, 20, seed=3))
    assert result[0].min() >= 0 and result[0].max() < 20
    check_expected_counts(result, lambda ids: np.full(np.shape(ids), 1 / 20), 6, unique)
    result, = run_sampler(lambda c: tf.nn.log_uniform_candidate_sampler(c, 2, 6, unique, 20, seed=3))
    assert result[0].min() >= 0 and result[0].max() < 20
    check_expected_counts(result, lambda ids: (np.log(np.asarray(ids) + 2.0) - np.log(np.asarray(ids) + 1.0))
                          / np.log(21), 6, unique)


def test_log_uniform_sampler_follows_its_distribution_and_seeds_repeat():
    draws = run_sampler(lambda c: tf.nn.log_uniform_candidate_sampler(c, 2, 500, False, 10, seed=5), runs=20)
    counts = np.bincount(np.concatenate([d[0] for d in draws]), minlength=10) / 10000.0
    p = (np.log(np.arange(10) + 2.0) - np.log(np.arange(10) + 1.0)) / np.log(11)
    np.testing.assert_allclose(counts, p, atol=0.015)
    again = run_sampler(lambda c: tf.nn.log_uniform_candidate_sampler(c, 2, 500, False, 10, seed=5), runs=1)
    np.testing.assert_array_equal(again[0][0], draws[0][0])


def test_fixed_unigram_sampler(tmp_path):
    unigrams = [0.0, 1.0, 4.0, 2.0, 1.0, 0.0, 2.0, 0.0]
    draws = run_sampler(lambda c: tf.nn.fixed_unigram_candidate_sampler(
        c, 2, 400, False, 10, distortion=0.5, num_reserved_ids=2, unigrams=unigrams, seed=1), runs=10)
    weights = np.array([0, 0] + unigrams) ** 0.5
    p = weights / weights.sum()
    counts = np.bincount(np.concatenate([d[0] for d in draws]), minlength=10) / 4000.0
    np.testing.assert_allclose(counts, p, atol=0.03)
    assert counts[0] == counts[1] == counts[2] == 0
    check_expected_counts(draws[0], lambda ids: p[np.asarray(ids)], 400, False)
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("a,1\nb,3\n\nc,0\nd,4\n")
    sampled, = run_sampler(lambda c: tf.nn.fixed_unigram_candidate_sampler(c, 2, 3, True, 8, vocab_file=str(vocab),
                                                                           num_reserved_ids=4, seed=2))
    assert set(sampled[0].tolist()) == {4, 5, 7}
    sharded, = run_sampler(lambda c: tf.nn.fixed_unigram_candidate_sampler(
        c, 2, 50, False, 10, unigrams=[1.0] * 10, num_shards=2, shard=1, seed=2))
    assert np.all(sharded[0] % 2 == 1)
    with pytest.raises(ValueError, match=r"Mismatch between vocabulary size \(8\) \+ num_reserved_ids \(0\) and "
                                         r"range_max \(10\)"):
        tf.nn.fixed_unigram_candidate_sampler(TRUE, 2, 3, False, 10, unigrams=unigrams)
    with pytest.raises(ValueError, match="Exactly one of vocab_file and unigrams must be given"):
        tf.nn.fixed_unigram_candidate_sampler(TRUE, 2, 3, False, 10)
    bad = tmp_path / "bad.txt"
    bad.write_text("a,1\nb,x\n")
    with pytest.raises(ValueError, match="bad.txt:2: the last field of a vocabulary line must be a count"):
        tf.nn.fixed_unigram_candidate_sampler(TRUE, 2, 3, False, 2, vocab_file=str(bad))


def test_learned_unigram_sampler_learns_the_true_classes():
    feed = np.full((50, 2), 3, np.int64)
    draws = run_sampler(lambda c: tf.nn.learned_unigram_candidate_sampler(c, 2, 200, False, 8, seed=4),
                        runs=6, feed=feed)
    first = np.mean(draws[0][0] == 3)
    last = np.mean(draws[-1][0] == 3)
    assert first < 0.3 and last > 0.9      # uniform at first, then 3 dominates (500 of ~508 counts)
    np.testing.assert_allclose(draws[0][1], np.full((50, 2), 200 / 8), rtol=1e-6)


def test_all_candidate_sampler_and_accidental_hits():
    result, = run_sampler(lambda c: tf.nn.all_candidate_sampler(c, 2, 8, True))
    np.testing.assert_array_equal(result[0], np.arange(8))
    np.testing.assert_array_equal(result[1], np.ones((3, 2)))
    np.testing.assert_array_equal(result[2], np.ones(8))
    rows, ids, weights = evaluate(lambda t, s: tf.nn.compute_accidental_hits(t, s, 2),
                                  [TRUE, np.array([4, 2, 6, 0, 9], np.int64)])
    np.testing.assert_array_equal(rows, [0, 1, 2, 2])
    np.testing.assert_array_equal(ids, [0, 3, 2, 2])      # row 2 holds class 6 twice: listed twice
    assert weights.dtype == np.float32 and np.all(weights == -np.finfo(np.float32).max)


def test_sampler_errors():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="true_classes must have num_true=3 columns"):
            tf.nn.uniform_candidate_sampler(TRUE, 3, 2, False, 10)
        with pytest.raises(ValueError, match="num_true, num_sampled and range_max must be positive"):
            tf.nn.uniform_candidate_sampler(TRUE, 2, 0, False, 10)
        too_many = tf.nn.uniform_candidate_sampler(TRUE, 2, 11, True, 10)
        outside = tf.nn.log_uniform_candidate_sampler(TRUE, 2, 2, False, 5)
        with tf.Session() as sess:
            with pytest.raises(errors.InvalidArgumentError, match="Sampler's range is too small"):
                sess.run(too_many)
            with pytest.raises(errors.InvalidArgumentError, match=r"`true_candidate` out of range \[0, 5\), received 6"):
                sess.run(outside)


# --- sampled losses ----------------------------------------------------------------------------------------
SAMPLED = np.array([4, 2, 7, 0, 9], np.int64)
TRUE_COUNT = np.array([[0.5, 0.25], [0.3, 0.6], [0.2, 0.2]])
SAMPLED_COUNT = np.array([0.25, 0.4, 0.1, 0.6, 0.05])


def ref_sampled_logits(table, biases, inputs, labels, remove_hits):
    true_logits = np.einsum("bd,btd->bt", inputs, table[labels]) + biases[labels] - np.log(TRUE_COUNT[:, :labels.shape[1]])
    sampled_logits = inputs @ table[SAMPLED].T + biases[SAMPLED] - np.log(SAMPLED_COUNT)
    if remove_hits:
        sampled_logits = sampled_logits + np.where((labels[:, :, None] == SAMPLED).any(1),
                                                   -np.finfo(np.float32).max, 0.0)
    return np.concatenate([true_logits, sampled_logits], 1), labels.shape[1]


def sampled_values(num_true=2):
    return (tf.constant(SAMPLED), tf.constant(TRUE_COUNT[:, :num_true], tf.float32), tf.constant(SAMPLED_COUNT,
                                                                                                tf.float32))


@pytest.mark.parametrize("remove_hits", [False, True])
def test_nce_loss(remove_hits):
    table, biases, inputs = RNG.randn(10, 4), RNG.randn(10), RNG.randn(3, 4)

    def build(w, b, x):
        return tf.nn.nce_loss(w, b, TRUE, x, 5, 10, num_true=2, sampled_values=sampled_values(),
                              remove_accidental_hits=remove_hits)
    logits, num_true = ref_sampled_logits(table, biases, inputs, TRUE, remove_hits)
    labels = np.concatenate([np.full((3, 2), 0.5), np.zeros((3, 5))], 1)
    want = (np.maximum(logits, 0) - logits * labels + np.log1p(np.exp(-np.abs(logits)))).sum(1)
    np.testing.assert_allclose(evaluate(build, [table, biases, inputs]), want, rtol=1e-6)
    if not remove_hits:
        check_gradients(build, [table, biases, inputs])


@pytest.mark.parametrize("num_true,remove_hits", [(1, True), (2, False), (2, True)])
def test_sampled_softmax_loss(num_true, remove_hits):
    table, biases, inputs = RNG.randn(10, 4), RNG.randn(10), RNG.randn(3, 4)
    labels = TRUE[:, :num_true]

    def build(w, b, x):
        return tf.nn.sampled_softmax_loss([w[:5], w[5:]], b, labels, x, 5, 10, num_true=num_true,
                                          sampled_values=sampled_values(num_true),
                                          remove_accidental_hits=remove_hits, partition_strategy="div")
    logits, _ = ref_sampled_logits(table, biases, inputs, labels, remove_hits)
    targets = np.concatenate([np.full((3, num_true), 1.0 / num_true), np.zeros((3, 5))], 1)
    shifted = logits - logits.max(1, keepdims=True)
    log_softmax = shifted - np.log(np.exp(shifted).sum(1, keepdims=True))
    np.testing.assert_allclose(evaluate(build, [table, biases, inputs]), -(targets * log_softmax).sum(1),
                               rtol=1e-6)
    check_gradients(build, [table, biases, inputs])


def test_sampled_losses_with_their_default_sampler_train():
    with tf.Graph().as_default():
        tf.set_random_seed(0)
        weights = tf.Variable(RNG.randn(50, 8).astype(np.float32) * 0.1)
        biases = tf.Variable(np.zeros(50, np.float32))
        inputs = tf.constant(RNG.randn(16, 8).astype(np.float32))
        labels = tf.constant((np.arange(16) % 5)[:, None], tf.int64)
        nce = tf.reduce_mean(tf.nn.nce_loss(weights, biases, labels, inputs, 10, 50))
        ssm = tf.reduce_mean(tf.nn.sampled_softmax_loss(weights, biases, labels, inputs, 10, 50))
        assert nce.shape.as_list() == [] and ssm.shape.as_list() == []
        step = tf.train.GradientDescentOptimizer(0.5).minimize(nce + ssm)
        full = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=labels[:, 0], logits=tf.matmul(inputs, weights, transpose_b=True) + biases))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            before = sess.run(full)
            for _ in range(60):
                sess.run(step)
            assert sess.run(full) < before * 0.7
