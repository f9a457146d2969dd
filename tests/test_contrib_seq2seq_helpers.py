"""tf.contrib.seq2seq's custom, inference and scheduled-sampling helpers, and monotonic attention, against
NumPy references and finite differences."""
import numpy as np
import pytest

import numflow as tf
from rnn_helpers import check_graph_gradients, randomize, sigmoid

s2s = tf.contrib.seq2seq


# --- monotonic attention ---------------------------------------------------------------------------
def _np_monotonic(p, previous):
    """Attention by its definition: stop at j having started at i <= j (previous_i) and passed i..j-1."""
    batch, time = p.shape
    out = np.zeros_like(p)
    for b in range(batch):
        for j in range(time):
            q = sum(previous[b, i] * np.prod(1 - p[b, i:j]) for i in range(j + 1))
            out[b, j] = p[b, j] * q
    return out


def test_hardmax_and_safe_cumprod_match_numpy():
    logits = np.array([[1.0, 3.0, 3.0, -1.0], [0.5, -2.0, 0.1, 0.4]], np.float32)
    x = np.random.RandomState(0).uniform(0.1, 1.0, (2, 5))
    with tf.Session() as sess:
        hard, inclusive, exclusive, reverse = sess.run([
            s2s.hardmax(logits), s2s.safe_cumprod(x, axis=1), s2s.safe_cumprod(x, axis=1, exclusive=True),
            s2s.safe_cumprod(x, axis=1, exclusive=True, reverse=True)])
    np.testing.assert_array_equal(hard, [[0, 1, 0, 0], [1, 0, 0, 0]])
    assert hard.dtype == np.float32
    np.testing.assert_allclose(inclusive, np.cumprod(x, 1), rtol=1e-12)
    np.testing.assert_allclose(exclusive, np.cumprod(np.concatenate([np.ones((2, 1)), x[:, :-1]], 1), 1), rtol=1e-12)
    np.testing.assert_allclose(reverse[:, ::-1], np.cumprod(np.concatenate([np.ones((2, 1)), x[:, ::-1][:, :-1]], 1),
                                                            1), rtol=1e-12)
    # A zero factor is clipped to the smallest normal: the gradient stays finite.
    zeros = tf.constant(np.array([[0.0, 0.5, 0.0]]))
    with tf.Session() as sess:
        assert np.isfinite(sess.run(tf.gradients(tf.reduce_sum(s2s.safe_cumprod(zeros, axis=1)), zeros)[0])).all()


@pytest.mark.parametrize("mode", ["recursive", "parallel"])
def test_monotonic_attention_matches_its_definition_and_gradients(mode):
    rng = np.random.RandomState(1)
    p_value = rng.uniform(0.05, 0.9, (3, 5))
    previous_value = rng.dirichlet(np.ones(5), 3)
    p = tf.placeholder(tf.float64, [3, 5])
    previous = tf.placeholder(tf.float64, [3, 5])
    attention = s2s.monotonic_attention(p, previous, mode)
    feed = {p: p_value, previous: previous_value}
    with tf.Session() as sess:
        got = sess.run(attention, feed)
        np.testing.assert_allclose(got, _np_monotonic(p_value, previous_value), rtol=1e-9, atol=1e-12)
        loss = tf.reduce_sum(attention * rng.uniform(0.5, 1.5, (3, 5)))
        check_graph_gradients(loss, [p, previous], feed, sess=sess)


def test_hard_monotonic_attention_picks_the_first_chosen_entry_from_the_previous_one():
    p = np.array([[1, 0, 1, 1, 0], [0, 1, 0, 0, 1], [1, 1, 1, 1, 1]], np.float32)
    previous = np.eye(5, dtype=np.float32)[[1, 2, 4]]
    with tf.Session() as sess:
        got = sess.run(s2s.monotonic_attention(p, previous, "hard"))
    np.testing.assert_array_equal(got, np.eye(5)[[2, 4, 4]])
    np.testing.assert_array_equal(got, _np_monotonic(p, previous))
    with pytest.raises(ValueError, match="mode must be 'recursive', 'parallel', or 'hard'"):
        s2s.monotonic_attention(p, previous, "soft")
    with pytest.raises(ValueError, match="mode must be 'recursive', 'parallel', or 'hard'"):
        s2s.LuongMonotonicAttention(2, tf.zeros([1, 3, 2]), mode="soft")


@pytest.mark.parametrize("kind,mode", [("bahdanau", "parallel"), ("bahdanau_normed", "recursive"),
                                       ("luong", "parallel"), ("luong", "hard")])
def test_monotonic_mechanisms_in_attention_wrapper_match_numpy(kind, mode):
    rng = np.random.RandomState(2)
    memory = rng.randn(2, 4, 3).astype(np.float32)
    inputs = rng.randn(2, 2).astype(np.float32)
    if kind.startswith("bahdanau"):
        mechanism = s2s.BahdanauMonotonicAttention(3, tf.constant(memory), memory_sequence_length=[4, 3],
                                                   normalize=kind.endswith("normed"), score_bias_init=-0.5,
                                                   mode=mode)
        scope = "attention_wrapper/bahdanau_monotonic_attention/"
    else:
        mechanism = s2s.LuongMonotonicAttention(3, tf.constant(memory), memory_sequence_length=[4, 3], scale=True,
                                                score_bias_init=0.25, mode=mode)
        scope = "attention_wrapper/luong_monotonic_attention/"
    cell = s2s.AttentionWrapper(tf.nn.rnn_cell.BasicRNNCell(3), mechanism, attention_layer_size=2)
    state = cell.zero_state(2, tf.float32)
    output, next_state = cell(tf.constant(inputs), state)
    names = [v.op.name for v in tf.global_variables()]
    assert scope + "attention_score_bias" in names
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        initial_alignments, bias = sess.run([state.alignments, scope + "attention_score_bias:0"])
        np.testing.assert_array_equal(initial_alignments, np.eye(4)[[0, 0]])
        assert bias == (-0.5 if kind.startswith("bahdanau") else 0.25)
        v = randomize(sess, tf.global_variables(), scale=1.0)
        out, align = sess.run([output, next_state.alignments])
    # The cell reads [inputs, previous attention (zeros)] and its zero state.
    h = np.tanh(np.concatenate([inputs, np.zeros((2, 2)), np.zeros((2, 3))], 1)
                @ v["attention_wrapper/basic_rnn_cell/kernel"] + v["attention_wrapper/basic_rnn_cell/bias"])
    mask = np.arange(4)[None] < np.array([4, 3])[:, None]
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
    score = np.where(mask, score + v[scope + "attention_score_bias"], -np.inf)
    p = (score > 0).astype(np.float64) if mode == "hard" else sigmoid(score)
    alignments = _np_monotonic(p, np.eye(4)[[0, 0]])
    context = np.einsum("bt,btd->bd", alignments, values)
    attention = np.concatenate([h, context], 1) @ v["attention_wrapper/attention_layer/kernel"]
    np.testing.assert_allclose(align, alignments, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out, attention, rtol=1e-5, atol=1e-5)


def test_monotonic_attention_decoder_gradients_match_finite_differences():
    rng = np.random.RandomState(4)
    memory = tf.placeholder(tf.float64, [2, 3, 2])
    inputs = tf.placeholder(tf.float64, [2, 3, 2])
    mechanism = s2s.LuongMonotonicAttention(2, memory, memory_sequence_length=[3, 2], mode="recursive")
    cell = s2s.AttentionWrapper(tf.nn.rnn_cell.GRUCell(2), mechanism, attention_layer_size=2)
    decoder = s2s.BasicDecoder(cell, s2s.TrainingHelper(inputs, [3, 2]), cell.zero_state(2, tf.float64))
    outputs, state, _ = s2s.dynamic_decode(decoder)
    loss = tf.reduce_sum(outputs.rnn_output * tf.constant(rng.uniform(0.5, 1.5, (2, 3, 2)))) + \
        tf.reduce_sum(state.alignments ** 2)
    with tf.Session() as sess:
        values = randomize(sess, tf.global_variables(), scale=0.8)
        feed = {v: values[v.op.name] for v in tf.global_variables()}
        feed[memory] = rng.randn(2, 3, 2)
        feed[inputs] = rng.randn(2, 3, 2)
        check_graph_gradients(loss, [memory, inputs] + tf.global_variables(), feed, sess=sess, rtol=1e-4, atol=1e-6)


# --- helpers ---------------------------------------------------------------------------------------
def _rnn_reference(values, scope, xs_at, steps, batch, units=3):
    """Runs a BasicRNNCell in NumPy where xs_at(t, previous_output) gives step t's input."""
    kernel, bias = values[scope + "basic_rnn_cell/kernel"], values[scope + "basic_rnn_cell/bias"]
    h = np.zeros((batch, units))
    outputs = []
    for t in range(steps):
        h = np.tanh(np.concatenate([xs_at(t, outputs[-1] if outputs else None), h], 1) @ kernel + bias)
        outputs.append(h)
    return np.stack(outputs, 1)


def test_custom_helper_reproduces_training_helper():
    xs = np.random.RandomState(5).randn(2, 4, 2).astype(np.float32)
    lengths = np.array([4, 2], np.int32)
    inputs = tf.constant(xs)
    ta = tf.TensorArray(tf.float32, size=4).unstack(tf.transpose(inputs, [1, 0, 2]))
    helper = s2s.CustomHelper(
        initialize_fn=lambda: (tf.equal(0, lengths), ta.read(0)),
        sample_fn=lambda time, outputs, state: tf.argmax(outputs, -1, output_type=tf.int32),
        next_inputs_fn=lambda time, outputs, state, sample_ids: (
            tf.greater_equal(time + 1, lengths), tf.cond(tf.reduce_all(tf.greater_equal(time + 1, lengths)),
                                                         lambda: tf.zeros([2, 2]), lambda: ta.read(time + 1)), state))
    with pytest.raises(ValueError, match="batch_size accessed before initialize was called"):
        helper.batch_size
    cell = tf.nn.rnn_cell.BasicRNNCell(3)
    outputs, _, got_lengths = s2s.dynamic_decode(s2s.BasicDecoder(cell, helper, cell.zero_state(2, tf.float32)))
    assert helper.sample_ids_shape == tf.TensorShape([]) and helper.sample_ids_dtype == tf.int32
    with tf.Session() as sess:
        values = randomize(sess, tf.global_variables(), scale=1.0)
        got, ids, lens = sess.run([outputs.rnn_output, outputs.sample_id, got_lengths])
    want = _rnn_reference(values, "decoder/", lambda t, _: xs[:, t], 4, 2)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(ids, want.argmax(-1))
    np.testing.assert_array_equal(lens, lengths)


def test_inference_helper_feeds_back_its_samples_until_end_fn():
    cell = tf.nn.rnn_cell.BasicRNNCell(2)
    start = np.array([[0.5, -0.5], [0.1, 0.9], [-0.3, 0.2]], np.float32)
    helper = s2s.InferenceHelper(sample_fn=lambda outputs: outputs * 2.0, sample_shape=[2], sample_dtype=tf.float32,
                                 start_inputs=start, end_fn=lambda sample_ids: sample_ids[:, 0] > 0.8,
                                 next_inputs_fn=lambda sample_ids: sample_ids - 0.1)
    outputs, _, lengths = s2s.dynamic_decode(s2s.BasicDecoder(cell, helper, cell.zero_state(3, tf.float32)),
                                             maximum_iterations=6)
    with tf.Session() as sess:
        values = randomize(sess, tf.global_variables(), seed=3, scale=1.5)
        got, ids, lens = sess.run([outputs.rnn_output, outputs.sample_id, lengths])
    kernel, bias = values["decoder/basic_rnn_cell/kernel"], values["decoder/basic_rnn_cell/bias"]
    h, x = np.zeros((3, 2)), start
    finished, want_lengths = np.zeros(3, bool), np.zeros(3, int)
    for t in range(got.shape[1]):
        h = np.tanh(np.concatenate([x, h], 1) @ kernel + bias)
        np.testing.assert_allclose(got[:, t], h, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(ids[:, t], 2 * h, rtol=1e-5, atol=1e-6)
        want_lengths[~finished] = t + 1
        finished |= 2 * h[:, 0] > 0.8
        x = 2 * h - 0.1
    assert got.shape[1] == 6 or finished.all()
    np.testing.assert_array_equal(lens, want_lengths)


@pytest.mark.parametrize("probability", [0.0, 1.0])
def test_scheduled_embedding_training_helper(probability):
    rng = np.random.RandomState(6)
    embedding = rng.randn(5, 2).astype(np.float32)
    xs = rng.randn(2, 4, 2).astype(np.float32)
    cell = tf.nn.rnn_cell.BasicRNNCell(3)
    helper = s2s.ScheduledEmbeddingTrainingHelper(tf.constant(xs), [4, 3], tf.constant(embedding), probability,
                                                  seed=1, scheduling_seed=2)
    layer = tf.layers.Dense(5, use_bias=False)
    outputs, _, _ = s2s.dynamic_decode(s2s.BasicDecoder(cell, helper, cell.zero_state(2, tf.float32),
                                                        output_layer=layer))
    with tf.Session() as sess:
        values = randomize(sess, tf.global_variables(), seed=7, scale=1.0)
        logits, ids = sess.run([outputs.rnn_output, outputs.sample_id])
    if probability == 0.0:
        assert (ids == -1).all()
        def inputs_at(t, _):
            return xs[:, t]
    else:
        assert ((ids >= 0) & (ids < 5)).all()
        def inputs_at(t, _):
            return xs[:, 0] if t == 0 else embedding[ids[:, t - 1]]
    hidden = _rnn_reference(values, "decoder/", inputs_at, 4, 2)
    np.testing.assert_allclose(logits, hidden @ values["decoder/dense/kernel"], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("probability", [0.0, 1.0])
def test_scheduled_output_training_helper_with_auxiliary_inputs(probability):
    rng = np.random.RandomState(8)
    xs = rng.randn(2, 4, 3).astype(np.float32)
    aux = rng.randn(2, 4, 1).astype(np.float32)
    cell = tf.nn.rnn_cell.BasicRNNCell(3)
    helper = s2s.ScheduledOutputTrainingHelper(tf.constant(xs), [4, 4], probability, seed=3,
                                               next_inputs_fn=lambda out: out * 0.5,
                                               auxiliary_inputs=tf.constant(aux))
    outputs, _, _ = s2s.dynamic_decode(s2s.BasicDecoder(cell, helper, cell.zero_state(2, tf.float32)))
    with tf.Session() as sess:
        values = randomize(sess, tf.global_variables(), seed=9, scale=1.0)
        got, ids = sess.run([outputs.rnn_output, outputs.sample_id])
    assert ids.dtype == np.int32
    np.testing.assert_array_equal(ids, np.full((2, 4), int(probability)))

    def inputs_at(t, previous):
        if t == 0 or probability == 0.0:
            return np.concatenate([xs[:, t], aux[:, t]], 1)
        return np.concatenate([previous * 0.5, aux[:, t]], 1)
    np.testing.assert_allclose(got, _rnn_reference(values, "decoder/", inputs_at, 4, 2), rtol=1e-5, atol=1e-6)


def test_scheduled_helpers_reject_a_matrix_probability():
    with pytest.raises(ValueError, match="sampling_probability must be either a scalar or a vector"):
        s2s.ScheduledEmbeddingTrainingHelper(tf.zeros([1, 2, 2]), [2], tf.zeros([3, 2]), [[0.5]])
    with pytest.raises(ValueError, match="sampling_probability must be either a scalar or a vector"):
        s2s.ScheduledOutputTrainingHelper(tf.zeros([1, 2, 2]), [2], [[0.5]])


# --- AttentionWrapper with several mechanisms ------------------------------------------------------
def test_attention_wrapper_with_two_mechanisms_matches_numpy():
    rng = np.random.RandomState(10)
    memory = rng.randn(2, 4, 3).astype(np.float32)
    inputs = rng.randn(2, 2).astype(np.float32)
    first = s2s.LuongAttention(3, tf.constant(memory), memory_sequence_length=[4, 2])
    second = s2s.LuongAttention(3, tf.constant(memory[:, :3]), scale=True)
    cell = s2s.AttentionWrapper(tf.nn.rnn_cell.BasicRNNCell(3), [first, second], attention_layer_size=[2, 1],
                                alignment_history=True)
    assert cell.output_size == 3 and cell.state_size.alignments == (4, 3)
    state = cell.zero_state(2, tf.float32)
    assert isinstance(state.alignments, tuple) and len(state.alignment_history) == 2
    output, next_state = cell(tf.constant(inputs), state)
    names = [v.op.name for v in tf.global_variables()]
    assert names == ["memory_layer/kernel", "memory_layer_1/kernel", "attention_wrapper/basic_rnn_cell/kernel",
                     "attention_wrapper/basic_rnn_cell/bias", "attention_wrapper/attention_layer/kernel",
                     "attention_wrapper/luong_attention_1/attention_g", "attention_wrapper/attention_layer_1/kernel"]
    with tf.Session() as sess:
        v = randomize(sess, tf.global_variables(), scale=1.0)
        out, (align_a, align_b), history = sess.run([output, next_state.alignments,
                                                     next_state.alignment_history[1].stack()])
    h = np.tanh(np.concatenate([inputs, np.zeros((2, 3)), np.zeros((2, 3))], 1)
                @ v["attention_wrapper/basic_rnn_cell/kernel"] + v["attention_wrapper/basic_rnn_cell/bias"])
    mask = np.arange(4)[None] < np.array([4, 2])[:, None]
    values_a = memory * mask[..., None]
    keys_a, keys_b = values_a @ v["memory_layer/kernel"], memory[:, :3] @ v["memory_layer_1/kernel"]
    want_a = _softmax(np.where(mask, np.einsum("bd,btd->bt", h, keys_a), -np.inf))
    want_b = _softmax(v["attention_wrapper/luong_attention_1/attention_g"] * np.einsum("bd,btd->bt", h, keys_b))
    attention_a = np.concatenate([h, np.einsum("bt,btd->bd", want_a, values_a)], 1) @ \
        v["attention_wrapper/attention_layer/kernel"]
    attention_b = np.concatenate([h, np.einsum("bt,btd->bd", want_b, memory[:, :3])], 1) @ \
        v["attention_wrapper/attention_layer_1/kernel"]
    np.testing.assert_allclose(align_a, want_a, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(align_b, want_b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(history[0], want_b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out, np.concatenate([attention_a, attention_b], 1), rtol=1e-5, atol=1e-5)


def _softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def test_attention_wrapper_custom_attention_fn_and_errors():
    memory = tf.constant(np.random.RandomState(11).randn(2, 3, 2).astype(np.float32))
    mechanism = s2s.LuongAttention(2, memory)
    calls = []

    def attention_fn(mechanism, cell_output, attention_state, attention_layer):
        calls.append(attention_layer)
        alignments, next_state = mechanism(cell_output, attention_state)
        return tf.ones_like(cell_output) * 2.0, alignments, next_state
    cell = s2s.AttentionWrapper(tf.nn.rnn_cell.BasicRNNCell(2), mechanism, attention_fn=attention_fn)
    output, _ = cell(tf.zeros([2, 1]), cell.zero_state(2, tf.float32))
    assert calls == [None]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(output), 2.0)
    with pytest.raises(ValueError, match="must contain exactly one integer per attention_mechanism, saw: 1 vs 2"):
        s2s.AttentionWrapper(tf.nn.rnn_cell.BasicRNNCell(2), [mechanism, mechanism], attention_layer_size=[3])
    with pytest.raises(ValueError, match="Only one of attention_layer_size and attention_layer should be set"):
        s2s.AttentionWrapper(tf.nn.rnn_cell.BasicRNNCell(2), mechanism, attention_layer_size=3,
                             attention_layer=tf.layers.Dense(3))
    with pytest.raises(TypeError, match="attention_mechanism must be an AttentionMechanism"):
        s2s.AttentionWrapper(tf.nn.rnn_cell.BasicRNNCell(2), [mechanism, object()])


def test_beam_search_with_two_mechanisms_and_coverage_penalty():
    beam_width, batch = 2, 2
    rng = np.random.RandomState(12)
    memory = s2s.tile_batch(tf.constant(rng.randn(batch, 4, 3).astype(np.float32)), beam_width)
    lengths = s2s.tile_batch(tf.constant([4, 2]), beam_width)
    mechanisms = [s2s.BahdanauAttention(3, memory, memory_sequence_length=lengths),
                  s2s.LuongAttention(3, memory, memory_sequence_length=lengths)]
    cell = s2s.AttentionWrapper(tf.nn.rnn_cell.GRUCell(3), mechanisms, attention_layer_size=[2, 2],
                                alignment_history=True)
    decoder = s2s.BeamSearchDecoder(cell, tf.constant(rng.randn(5, 2).astype(np.float32)), [1, 1], 0,
                                    cell.zero_state(batch * beam_width, tf.float32), beam_width,
                                    output_layer=tf.layers.Dense(5), coverage_penalty_weight=0.3)
    outputs, state, _ = s2s.dynamic_decode(decoder, maximum_iterations=4)
    histories = state.cell_state.alignment_history
    assert isinstance(histories, tuple) and all(isinstance(h, tf.Tensor) for h in histories)
    with tf.Session() as sess:
        randomize(sess, tf.global_variables(), seed=13, scale=1.0)
        accumulated, beam_lengths, first, second = sess.run([state.accumulated_attention_probs, state.lengths,
                                                             histories[0], histories[1]])
    # The coverage accumulates the mean of both mechanisms' alignments over the unfinished steps.
    np.testing.assert_allclose(accumulated.sum(-1), beam_lengths, rtol=1e-5)
    assert first.shape == second.shape == (first.shape[0], batch * beam_width, 4)
    assert (accumulated[1, :, 2:] == 0).all()


def test_attention_wrapper_attention_layer_list_must_match_the_mechanisms():
    mechanism = s2s.LuongAttention(2, tf.zeros([1, 3, 2]))
    with pytest.raises(ValueError, match="attention_layer must contain exactly one layer per attention_mechanism, "
                                         "saw: 1 vs 2"):
        s2s.AttentionWrapper(tf.nn.rnn_cell.BasicRNNCell(2), [mechanism, mechanism],
                             attention_layer=[tf.layers.Dense(2)])
