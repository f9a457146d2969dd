"""tf.contrib.seq2seq against NumPy references and finite differences."""
import numpy as np
import pytest

import numflow as tf
from rnn_helpers import check_graph_gradients, randomize

s2s = tf.contrib.seq2seq


def _np_xent(logits, targets):
    shifted = logits - logits.max(-1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))
    return -np.take_along_axis(logp, targets[..., None], -1)[..., 0]


@pytest.mark.parametrize("flags", [
    dict(), dict(average_across_timesteps=False), dict(average_across_batch=False),
    dict(average_across_timesteps=False, average_across_batch=False),
    dict(average_across_timesteps=False, average_across_batch=False, sum_over_timesteps=True, sum_over_batch=True),
    dict(average_across_timesteps=False, sum_over_timesteps=True),
])
def test_sequence_loss_matches_numpy(flags):
    rng = np.random.RandomState(0)
    logits = rng.randn(2, 3, 4).astype(np.float32)
    targets = rng.randint(0, 4, (2, 3)).astype(np.int32)
    weights = np.array([[1, 1, 0], [1, 0.5, 0]], np.float32)
    with tf.Session() as sess:
        got = sess.run(s2s.sequence_loss(tf.constant(logits), tf.constant(targets), tf.constant(weights), **flags))
    xent = _np_xent(logits, targets) * weights
    avg_t = flags.get("average_across_timesteps", True)
    avg_b = flags.get("average_across_batch", True)
    sum_t, sum_b = flags.get("sum_over_timesteps", False), flags.get("sum_over_batch", False)
    axes = tuple(a for a, f in ((0, avg_b or sum_b), (1, avg_t or sum_t)) if f)
    if not axes:
        want = xent
    elif (avg_t or avg_b) and not (sum_t or sum_b):
        total = weights.sum(axes)
    else:
        total = np.count_nonzero(weights, axis=axes).astype(np.float32)
    if axes:   # div_no_nan: a zero total gives 0
        want = np.divide(xent.sum(axes), total, out=np.zeros_like(xent.sum(axes)), where=total != 0)
    np.testing.assert_allclose(got, want, rtol=1e-5)


def test_sequence_loss_errors():
    l3, t2 = tf.zeros([2, 3, 4]), tf.zeros([2, 3], tf.int32)
    with pytest.raises(ValueError, match="Logits must be a"):
        s2s.sequence_loss(tf.zeros([2, 3]), t2, tf.ones([2, 3]))
    with pytest.raises(ValueError, match="Targets must be a"):
        s2s.sequence_loss(l3, tf.zeros([2], tf.int32), tf.ones([2, 3]))
    with pytest.raises(ValueError, match="Weights must be a"):
        s2s.sequence_loss(l3, t2, tf.ones([2]))
    with pytest.raises(ValueError, match="average_across_timesteps and sum_over_timesteps cannot"):
        s2s.sequence_loss(l3, t2, tf.ones([2, 3]), sum_over_timesteps=True)


def test_tile_batch_repeats_each_row():
    x = np.arange(6).reshape(2, 3)
    with tf.Session() as sess:
        tiled, (a, b) = sess.run([s2s.tile_batch(tf.constant(x), 3),
                                  s2s.tile_batch((tf.constant([1.0, 2.0]), tf.zeros([2, 1, 2])), 2)])
    np.testing.assert_array_equal(tiled, np.repeat(x, 3, axis=0))
    np.testing.assert_array_equal(a, [1, 1, 2, 2])
    assert b.shape == (4, 1, 2)
    assert s2s.tile_batch(tf.zeros([2, 5]), 3).shape.as_list() == [6, 5]


def _np_gather_tree(step_ids, parents, lengths, end):
    out = np.full_like(step_ids, end)
    for b in range(step_ids.shape[1]):
        for k in range(step_ids.shape[2]):
            parent = k
            for t in range(lengths[b] - 1, -1, -1):
                out[t, b, k] = step_ids[t, b, parent]
                parent = parents[t, b, parent]
            seq = out[:lengths[b], b, k]
            hits = np.flatnonzero(seq == end)
            if len(hits):
                out[hits[0] + 1:lengths[b], b, k] = end
    return out


def test_gather_tree_follows_parents_and_pads_with_end_token():
    step_ids = np.array([[[2, 5, 3]], [[6, 7, 8]], [[9, 10, 11]]], np.int32).repeat(2, 1)
    parents = np.array([[[0, 0, 0]], [[0, 1, 1]], [[2, 1, 2]]], np.int32).repeat(2, 1)
    step_ids[1, 1, 2] = 1          # the end token in batch 1's beam 2
    lengths = np.array([3, 3], np.int32)
    with tf.Session() as sess:
        got = sess.run(s2s.gather_tree(step_ids, parents, lengths, end_token=1))
    np.testing.assert_array_equal(got, _np_gather_tree(step_ids, parents, lengths, 1))
    np.testing.assert_array_equal(got[:, 0, 0], [5, 8, 9])   # hand-traced: beam 0 <- parent 2 <- parent 1
    with tf.Session() as sess:
        short = sess.run(s2s.gather_tree(step_ids, parents, [1, 0], end_token=1))
    np.testing.assert_array_equal(short[0, 0], step_ids[0, 0])
    assert (short[1:, 0] == 1).all() and (short[:, 1] == 1).all()
    with pytest.raises(ValueError, match="step_ids must be a rank-3"):
        s2s.gather_tree(np.zeros([2, 2], np.int32), np.zeros([2, 2], np.int32), [1, 1], 0)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="parent id 7 out of range"):
            sess.run(s2s.gather_tree(step_ids, np.full_like(parents, 7), lengths, 1))


def test_training_helper_basic_decoder_equals_dynamic_rnn_with_projection():
    rng = np.random.RandomState(1)
    inputs = rng.randn(2, 4, 3).astype(np.float32)
    lengths = np.array([4, 2], np.int32)
    cell = tf.nn.rnn_cell.GRUCell(3)
    layer = tf.layers.Dense(5)
    decoder = s2s.BasicDecoder(cell, s2s.TrainingHelper(tf.constant(inputs), lengths),
                               cell.zero_state(2, tf.float32), output_layer=layer)
    outputs, state, out_lengths = s2s.dynamic_decode(decoder, impute_finished=True)
    names = [v.op.name for v in tf.global_variables()]
    assert names == ["decoder/gru_cell/gates/kernel", "decoder/gru_cell/gates/bias", "decoder/gru_cell/candidate/kernel",
                     "decoder/gru_cell/candidate/bias", "decoder/dense/kernel", "decoder/dense/bias"]
    ref_out, ref_state = tf.nn.dynamic_rnn(cell, tf.constant(inputs), sequence_length=lengths, dtype=tf.float32)
    with tf.Session() as sess:
        randomize(sess, tf.global_variables())
        got, st, lens, r_out, r_state, kernel, bias = sess.run(
            [outputs, state, out_lengths, ref_out, ref_state] + tf.global_variables()[4:])
    np.testing.assert_array_equal(lens, lengths)
    assert got.rnn_output.shape == (2, 4, 5)
    logits = r_out @ kernel + bias
    valid = (np.arange(4)[None] < lengths[:, None])[..., None]
    np.testing.assert_allclose(got.rnn_output, np.where(valid, logits, 0), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(got.sample_id[valid[..., 0]], logits.argmax(-1)[valid[..., 0]])
    np.testing.assert_allclose(st, r_state, rtol=1e-5, atol=1e-6)


def test_greedy_embedding_helper_decodes_like_a_numpy_loop():
    rng = np.random.RandomState(2)
    embedding = rng.randn(6, 3).astype(np.float32)
    cell = tf.nn.rnn_cell.BasicRNNCell(4)
    layer = tf.layers.Dense(6, use_bias=False)
    helper = s2s.GreedyEmbeddingHelper(tf.constant(embedding), tf.fill([3], 1), end_token=0)
    decoder = s2s.BasicDecoder(cell, helper, cell.zero_state(3, tf.float32), output_layer=layer)
    outputs, _, lengths = s2s.dynamic_decode(decoder, maximum_iterations=5)
    with tf.Session() as sess:
        v = randomize(sess, tf.global_variables(), scale=1.5)
        ids, lens = sess.run([outputs.sample_id, lengths])
    kernel, bias, proj = (v["decoder/basic_rnn_cell/kernel"], v["decoder/basic_rnn_cell/bias"], v["decoder/dense/kernel"])
    h = np.zeros((3, 4))
    x = embedding[[1, 1, 1]]
    finished = np.zeros(3, bool)
    want_ids, want_lens = [], np.zeros(3, int)
    for t in range(5):
        h = np.tanh(np.concatenate([x, h], 1) @ kernel + bias)
        sample = (h @ proj).argmax(1)
        want_ids.append(sample)
        want_lens[~finished] = t + 1
        finished |= sample == 0
        x = embedding[sample]
        if finished.all():
            break
    np.testing.assert_array_equal(ids, np.stack(want_ids, 1))
    np.testing.assert_array_equal(lens, want_lens)


def test_sample_embedding_helper_draws_valid_ids():
    cell = tf.nn.rnn_cell.BasicRNNCell(3)
    helper = s2s.SampleEmbeddingHelper(tf.ones([4, 2]), tf.fill([2], 1), end_token=3, softmax_temperature=0.5,
                                       seed=1)
    decoder = s2s.BasicDecoder(cell, helper, cell.zero_state(2, tf.float32), output_layer=tf.layers.Dense(4))
    outputs, _, _ = s2s.dynamic_decode(decoder, maximum_iterations=4)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        ids = sess.run(outputs.sample_id)
    assert ids.shape[0] == 2 and ((ids >= 0) & (ids < 4)).all()


def _np_softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


@pytest.mark.parametrize("kind", ["bahdanau", "bahdanau_normed", "luong_scaled"])
def test_attention_wrapper_step_matches_numpy(kind):
    rng = np.random.RandomState(3)
    memory = rng.randn(2, 4, 3).astype(np.float32)
    inputs = rng.randn(2, 2).astype(np.float32)
    if kind.startswith("bahdanau"):
        mechanism = s2s.BahdanauAttention(3, tf.constant(memory), memory_sequence_length=[4, 2],
                                          normalize=kind.endswith("normed"))
    else:
        mechanism = s2s.LuongAttention(3, tf.constant(memory), memory_sequence_length=[4, 2], scale=True)
    cell = s2s.AttentionWrapper(tf.nn.rnn_cell.BasicRNNCell(3), mechanism, attention_layer_size=2)
    state = cell.zero_state(2, tf.float32)
    output, next_state = cell(tf.constant(inputs), state)
    scope = "attention_wrapper/" + ("bahdanau_attention/" if kind.startswith("bahdanau") else "luong_attention/")
    with tf.Session() as sess:
        v = randomize(sess, tf.global_variables(), scale=1.0)
        out, align = sess.run([output, next_state.alignments])
    h = np.tanh(np.concatenate([inputs, np.zeros((2, 2)), np.zeros((2, 3))], 1) @ v["attention_wrapper/basic_rnn_cell/kernel"]
                + v["attention_wrapper/basic_rnn_cell/bias"])
    mask = np.arange(4)[None] < np.array([4, 2])[:, None]
    values = memory * mask[..., None]
    keys = values @ v["memory_layer/kernel"]
    if kind.startswith("bahdanau"):
        query = (h @ v[scope + "query_layer/kernel"])[:, None]
        att_v = v[scope + "attention_v"]
        if kind.endswith("normed"):
            att_v = v[scope + "attention_g"] * att_v / np.sqrt((att_v ** 2).sum())
            score = (att_v * np.tanh(keys + query + v[scope + "attention_b"])).sum(2)
        else:
            score = (att_v * np.tanh(keys + query)).sum(2)
    else:
        score = v[scope + "attention_g"] * np.einsum("bd,btd->bt", h, keys)
    alignments = _np_softmax(np.where(mask, score, -np.inf))
    context = np.einsum("bt,btd->bd", alignments, values)
    attention = np.concatenate([h, context], 1) @ v["attention_wrapper/attention_layer/kernel"]
    np.testing.assert_allclose(align, alignments, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out, attention, rtol=1e-5, atol=1e-6)


def test_attention_decoder_gradients_match_finite_differences():
    rng = np.random.RandomState(4)
    memory = tf.placeholder(tf.float64, [2, 3, 2])
    inputs = tf.placeholder(tf.float64, [2, 3, 2])
    mechanism = s2s.LuongAttention(2, memory, memory_sequence_length=[3, 2])
    cell = s2s.AttentionWrapper(tf.nn.rnn_cell.GRUCell(2), mechanism, attention_layer_size=2, alignment_history=True)
    decoder = s2s.BasicDecoder(cell, s2s.TrainingHelper(inputs, [3, 2]), cell.zero_state(2, tf.float64))
    outputs, state, _ = s2s.dynamic_decode(decoder)
    loss = tf.reduce_sum(outputs.rnn_output * tf.constant(rng.uniform(0.5, 1.5, (2, 3, 2)))) + \
        tf.reduce_sum(state.alignment_history.stack() ** 2)
    with tf.Session() as sess:
        values = randomize(sess, tf.global_variables(), scale=0.8)
        feed = {v: values[v.op.name] for v in tf.global_variables()}
        feed[memory] = rng.randn(2, 3, 2)
        feed[inputs] = rng.randn(2, 3, 2)
        check_graph_gradients(loss, [memory, inputs] + tf.global_variables(), feed, sess=sess, rtol=1e-4, atol=1e-6)


def test_decoder_and_wrapper_type_errors():
    cell = tf.nn.rnn_cell.BasicRNNCell(2)
    with pytest.raises(TypeError, match="helper must be a Helper"):
        s2s.BasicDecoder(cell, object(), cell.zero_state(1, tf.float32))
    with pytest.raises(TypeError, match="Expected decoder to be type Decoder"):
        s2s.dynamic_decode(object())
    with pytest.raises(TypeError, match="attention_mechanism must be an AttentionMechanism"):
        s2s.AttentionWrapper(cell, object())
    with pytest.raises(ValueError, match="memory must be a \\[batch_size, max_time, depth\\]"):
        s2s.LuongAttention(2, tf.zeros([2, 3]))
