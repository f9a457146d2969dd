"""tf.contrib.seq2seq.BeamSearchDecoder against a brute-force NumPy beam search over hypothesis lists."""
import numpy as np
import pytest

import numflow as tf
from rnn_helpers import randomize

s2s = tf.contrib.seq2seq
FLOAT32_MIN = np.finfo(np.float32).min


def _np_log_softmax(x):
    shifted = x - x.max(-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))


def _np_beam_search(step_fn, initial_states, start_token, end_token, beam_width, max_steps, length_penalty):
    """Beam search written over explicit hypotheses (token list, log-probability, finished flag, length,
    cell state); every unfinished hypothesis is extended by every token, a finished one only by the end
    token at no cost. Returns per batch row the per-step (scores, tokens, parents) of each slot and the
    final hypotheses; rows stop together, when all are finished or after max_steps."""
    def score(log_prob, length):
        return log_prob / (((5.0 + length) / 6.0) ** length_penalty if length_penalty else 1.0)

    rows = []
    for state in initial_states:
        hyps = [dict(tokens=[], log_prob=0.0, finished=False, length=0, state=state, last=start_token)]
        records = []
        all_done_at = None
        for t in range(max_steps):
            candidates = []
            for k, hyp in enumerate(hyps):
                new_state, logits = step_fn(hyp["last"], hyp["state"])
                if hyp["finished"]:
                    candidates.append((score(hyp["log_prob"], hyp["length"]), k * 100 + end_token, k, end_token,
                                       hyp["log_prob"], new_state))
                    continue
                log_probs = _np_log_softmax(logits)
                for token, lp in enumerate(log_probs):
                    total = hyp["log_prob"] + lp
                    candidates.append((score(total, hyp["length"] + (token != end_token)), k * 100 + token, k,
                                       token, total, new_state))
            candidates.sort(key=lambda c: (-c[0], c[1]))
            chosen = candidates[:beam_width]
            hyps = [dict(tokens=hyps[k]["tokens"] + [token], log_prob=total,
                         finished=hyps[k]["finished"] or token == end_token,
                         length=hyps[k]["length"] + (not hyps[k]["finished"]), state=new_state, last=token)
                    for _, _, k, token, total, new_state in chosen]
            records.append([(c[0], c[3], c[2]) for c in chosen])
            if all_done_at is None and all(h["finished"] for h in hyps):
                all_done_at = t + 1
        rows.append((records, hyps, all_done_at or max_steps))
    steps = max(done for _, _, done in rows)
    return rows, steps


def _rnn_decoder_graph(batch, vocab, units, beam_width, **kwargs):
    rng = np.random.RandomState(0)
    embedding = rng.randn(vocab, 3).astype(np.float32)
    initial = rng.randn(batch, units).astype(np.float32)
    cell = tf.nn.rnn_cell.BasicRNNCell(units)
    layer = tf.layers.Dense(vocab)
    decoder = s2s.BeamSearchDecoder(cell, tf.constant(embedding), tf.fill([batch], 1), 0,
                                    s2s.tile_batch(tf.constant(initial), beam_width), beam_width,
                                    output_layer=layer, **kwargs)
    return embedding, initial, decoder


def _np_rnn_step(values, embedding):
    kernel, bias = values["decoder/basic_rnn_cell/kernel"], values["decoder/basic_rnn_cell/bias"]
    dense_kernel, dense_bias = values["decoder/dense/kernel"], values["decoder/dense/bias"]

    def step(token, h):
        h = np.tanh(np.concatenate([embedding[token], h]) @ kernel + bias)
        return h, h @ dense_kernel + dense_bias
    return step


def _set_end_token_bias(sess, values, bias):
    dense_bias = [v for v in tf.global_variables() if v.op.name == "decoder/dense/bias"][0]
    values["decoder/dense/bias"] = values["decoder/dense/bias"].copy()
    values["decoder/dense/bias"][0] = bias
    sess.run(dense_bias.assign(values["decoder/dense/bias"]))


@pytest.mark.parametrize("vocab,beam_width,length_penalty,seed", [(6, 3, 0.0, 1), (5, 2, 0.0, 2), (7, 3, 0.8, 3),
                                                                   (6, 2, 1.5, 4)])
def test_beam_search_matches_brute_force_numpy(vocab, beam_width, length_penalty, seed):
    batch, max_steps = 2, 6
    embedding, initial, decoder = _rnn_decoder_graph(batch, vocab, 4, beam_width,
                                                     length_penalty_weight=length_penalty)
    outputs, state, lengths = s2s.dynamic_decode(decoder, maximum_iterations=max_steps)
    assert isinstance(outputs, s2s.FinalBeamSearchDecoderOutput)
    assert isinstance(state, s2s.BeamSearchDecoderState)
    assert state.lengths.dtype == tf.int64 and outputs.predicted_ids.dtype == tf.int32
    assert outputs.predicted_ids.shape.as_list() == [batch, None, beam_width]
    with tf.Session() as sess:
        values = randomize(sess, tf.global_variables(), seed=seed, scale=1.5)
        _set_end_token_bias(sess, values, 1.0)   # makes the end token likely enough to be met
        got, final = sess.run([outputs, state])
    rows, steps = _np_beam_search(_np_rnn_step(values, embedding), list(initial), 1, 0, beam_width, max_steps,
                                  length_penalty)
    assert got.predicted_ids.shape == (batch, steps, beam_width)
    finished_early = 0
    for b, (records, hyps, _) in enumerate(rows):
        records = records[:steps]
        np.testing.assert_allclose(got.beam_search_decoder_output.scores[b], [[r[0] for r in s] for s in records],
                                   rtol=1e-5, atol=1e-5)
        np.testing.assert_array_equal(got.beam_search_decoder_output.predicted_ids[b],
                                      [[r[1] for r in s] for s in records])
        np.testing.assert_array_equal(got.beam_search_decoder_output.parent_ids[b],
                                      [[r[2] for r in s] for s in records])
        # The final hypotheses after `steps` steps, their whole sequences, lengths and log-probabilities.
        _, final_hyps, _ = _np_beam_search(_np_rnn_step(values, embedding), [initial[b]], 1, 0, beam_width, steps,
                                           length_penalty)[0][0]
        np.testing.assert_array_equal(got.predicted_ids[b], np.array([h["tokens"] for h in final_hyps]).T)
        np.testing.assert_array_equal(final.lengths[b], [h["length"] for h in final_hyps])
        np.testing.assert_allclose(final.log_probs[b], [h["log_prob"] for h in final_hyps], rtol=1e-5)
        np.testing.assert_array_equal(final.finished[b], [h["finished"] for h in final_hyps])
        finished_early += sum(h["finished"] and h["length"] < steps for h in final_hyps)
    assert finished_early > 0, "the case should exercise the end token"


def test_beam_width_one_equals_greedy_decoding():
    batch, vocab = 3, 6
    embedding, initial, decoder = _rnn_decoder_graph(batch, vocab, 4, 1)
    beam_outputs, beam_state, _ = s2s.dynamic_decode(decoder, maximum_iterations=7)
    # The greedy decoder shares the beam decoder's cell and output layer (and so its variables).
    helper = s2s.GreedyEmbeddingHelper(tf.constant(embedding), tf.fill([batch], 1), 0)
    greedy = s2s.BasicDecoder(decoder._cell, helper, tf.constant(initial), output_layer=decoder._output_layer)
    greedy_outputs, _, greedy_lengths = s2s.dynamic_decode(greedy, maximum_iterations=7)
    assert len(tf.global_variables()) == 4
    with tf.Session() as sess:
        values = randomize(sess, tf.global_variables(), seed=5, scale=1.5)
        _set_end_token_bias(sess, values, 1.2)
        ids, lengths, greedy_ids, want_lengths = sess.run(
            [beam_outputs.predicted_ids[:, :, 0], beam_state.lengths[:, 0], greedy_outputs.sample_id, greedy_lengths])
    np.testing.assert_array_equal(lengths, want_lengths)
    assert (want_lengths < 7).any()
    for b, length in enumerate(want_lengths):
        np.testing.assert_array_equal(ids[b, :length], greedy_ids[b, :length])
        assert (ids[b, length:] == 0).all()


def test_end_token_pads_finished_beams_and_lengths_count_it():
    # Logits that always favour token 2, then the end token 0 once step 2 is reached, via a cell whose
    # output does not depend on its inputs: a counter in the state.
    class CountingCell(tf.nn.rnn_cell.RNNCell):
        state_size = 1
        output_size = 4

        def call(self, inputs, state):
            step = state + 1.0
            logits = tf.concat([3.0 * tf.cast(step >= 2.0, tf.float32) - 1.0, tf.zeros_like(step),
                                tf.ones_like(step), tf.zeros_like(step) - 0.5], 1)
            return logits, step

    decoder = s2s.BeamSearchDecoder(CountingCell(), lambda ids: tf.one_hot(ids, 3), [1, 1], 0,
                                    tf.zeros([4, 1]), beam_width=2)
    outputs, state, dynamic_lengths = s2s.dynamic_decode(decoder, maximum_iterations=10)
    with tf.Session() as sess:
        ids, lengths, finished, scores, raw_lengths = sess.run(
            [outputs.predicted_ids, state.lengths, state.finished, outputs.beam_search_decoder_output.scores,
             dynamic_lengths])
    log_p = _np_log_softmax(np.array([[-1.0, 0, 1, -0.5], [2.0, 0, 1, -0.5]]))
    # Step 1 takes tokens 2 and 1; step 2 ends the best beam (2, 0) and keeps (2, 2); step 3 ends that one.
    np.testing.assert_array_equal(ids[0], [[2, 2], [0, 2], [0, 0]])
    np.testing.assert_array_equal(lengths, [[2, 3], [2, 3]])
    assert finished.all() and ids.shape == (2, 3, 2)
    np.testing.assert_allclose(scores[0, 0], [log_p[0, 2], log_p[0, 1]], rtol=1e-6)
    np.testing.assert_allclose(scores[0, 2], [log_p[0, 2] + log_p[1, 0], log_p[0, 2] + log_p[1, 2] + log_p[1, 0]],
                               rtol=1e-6)
    # dynamic_decode's own lengths count the steps each slot was unfinished (beam 1 starts finished).
    np.testing.assert_array_equal(raw_lengths, [[2, 3], [2, 3]])


def _attention_beam_graph(beam_width, alignment_history=True, coverage=0.0, reorder=True, cell=None, layer=None):
    rng = np.random.RandomState(7)
    batch, memory_time = 2, 5
    memory = tf.constant(rng.randn(batch, memory_time, 4).astype(np.float32))
    encoder_state = tf.nn.rnn_cell.LSTMStateTuple(*[tf.constant(rng.randn(batch, 3).astype(np.float32))] * 2)
    tiled_memory = s2s.tile_batch(memory, beam_width)
    tiled_lengths = s2s.tile_batch(tf.constant([5, 3]), beam_width)
    if cell is None:
        mechanism = s2s.BahdanauAttention(3, tiled_memory, memory_sequence_length=tiled_lengths)
        cell = s2s.AttentionWrapper(tf.nn.rnn_cell.LSTMCell(3), mechanism, attention_layer_size=3,
                                    alignment_history=alignment_history)
    initial = cell.zero_state(batch * beam_width, tf.float32).clone(cell_state=s2s.tile_batch(encoder_state,
                                                                                               beam_width))
    decoder = s2s.BeamSearchDecoder(cell, tf.constant(rng.randn(6, 2).astype(np.float32)), [1, 1], 0, initial,
                                    beam_width, output_layer=layer or tf.layers.Dense(6),
                                    coverage_penalty_weight=coverage, reorder_tensor_arrays=reorder)
    return cell, decoder


def test_beam_search_with_attention_wrapper_reorders_alignment_history():
    beam_width = 3
    cell, decoder = _attention_beam_graph(beam_width)
    outputs, state, _ = s2s.dynamic_decode(decoder, maximum_iterations=5)
    _, plain = _attention_beam_graph(beam_width, reorder=False, cell=cell, layer=decoder._output_layer)
    plain_outputs, plain_state, _ = s2s.dynamic_decode(plain, maximum_iterations=5)
    assert isinstance(state.cell_state, s2s.AttentionWrapperState)
    history = state.cell_state.alignment_history
    assert isinstance(history, tf.Tensor) and history.shape.as_list() == [None, 6, 5]
    assert isinstance(plain_state.cell_state.alignment_history, tf.TensorArray)
    with tf.Session() as sess:
        randomize(sess, tf.global_variables(), seed=8, scale=1.0)
        got, sorted_history, unsorted, parents, lengths, plain_ids = sess.run(
            [outputs.predicted_ids, history, plain_state.cell_state.alignment_history.stack(),
             outputs.beam_search_decoder_output.parent_ids, state.lengths, plain_outputs.predicted_ids])
    np.testing.assert_array_equal(got, plain_ids)
    steps = got.shape[1]
    assert sorted_history.shape == unsorted.shape == (steps, 6, 5)
    # Memory positions past batch 1's length get no attention; every alignment sums to 1.
    np.testing.assert_allclose(unsorted.sum(-1), 1.0, rtol=1e-5)
    assert (unsorted[:, beam_width:, 3:] == 0).all()
    for b in range(2):
        for k in range(beam_width):
            beam = k
            for t in range(lengths[b].max() - 1, -1, -1):
                if t < lengths[b, k]:
                    np.testing.assert_allclose(sorted_history[t, b * beam_width + k],
                                               unsorted[t, b * beam_width + beam], rtol=1e-6)
                    beam = parents[b, t, beam]
                else:
                    np.testing.assert_allclose(sorted_history[t, b * beam_width + k],
                                               unsorted[t, b * beam_width + k], rtol=1e-6)
                    beam = parents[b, t, beam]


def test_coverage_penalty_accumulates_attention_of_unfinished_beams():
    beam_width = 2
    _, decoder = _attention_beam_graph(beam_width, alignment_history=False, coverage=0.5)
    outputs, state, _ = s2s.dynamic_decode(decoder, maximum_iterations=4)
    assert state.accumulated_attention_probs.shape.as_list() == [2, beam_width, 5]
    with tf.Session() as sess:
        randomize(sess, tf.global_variables(), seed=9, scale=1.0)
        accumulated, lengths = sess.run([state.accumulated_attention_probs, state.lengths])
    # Each unfinished step adds one alignment (summing to 1): the total is the beam's length.
    np.testing.assert_allclose(accumulated.sum(-1), lengths, rtol=1e-5)
    assert (accumulated[1, :, 3:] == 0).all()


def test_beam_search_decoder_errors():
    cell = tf.nn.rnn_cell.BasicRNNCell(2)
    state = tf.zeros([4, 2])
    embedding = tf.zeros([3, 2])
    with pytest.raises(TypeError, match="cell must be an RNNCell"):
        s2s.BeamSearchDecoder(object(), embedding, [0, 0], 1, state, 2)
    with pytest.raises(TypeError, match="output_layer must be a Layer"):
        s2s.BeamSearchDecoder(cell, embedding, [0, 0], 1, state, 2, output_layer=lambda x: x)
    with pytest.raises(ValueError, match="start_tokens must be a vector"):
        s2s.BeamSearchDecoder(cell, embedding, 0, 1, state, 2)
    with pytest.raises(ValueError, match="end_token must be a scalar"):
        s2s.BeamSearchDecoder(cell, embedding, [0, 0], [1], state, 2)
    with pytest.raises(ValueError, match="Perhaps you forgot to create a zero_state with batch_size=encoder_batch"):
        s2s.BeamSearchDecoder(cell, embedding, [0, 0], 1, tf.zeros([2, 2]), 2)
    with pytest.raises(ValueError, match="coverage_penalty_weight must be 0.0 if no cell is attentional"):
        s2s.BeamSearchDecoder(cell, embedding, [0, 0], 1, state, 2, coverage_penalty_weight=0.3).initialize()
    with pytest.raises(ValueError, match="beam_width must be a positive integer"):
        s2s.BeamSearchDecoder(cell, embedding, [0, 0], 1, state, 0)


def test_beam_search_penalty_and_rank_errors():
    cell = tf.nn.rnn_cell.BasicRNNCell(2)
    embedding = tf.zeros([3, 2])
    with pytest.raises(ValueError, match="to have known rank, but ndims == None"):
        s2s.BeamSearchDecoder(cell, embedding, [0, 0], 1, tf.placeholder(tf.float32), 2)
    decoder = s2s.BeamSearchDecoder(cell, embedding, [0, 0], 1, tf.zeros([4, 2]), 2, length_penalty_weight=[0.5, 1.0])
    with pytest.raises(ValueError, match="length_penalty_weight must be a scalar"):
        s2s.dynamic_decode(decoder, maximum_iterations=2)
    memory = s2s.tile_batch(tf.zeros([2, 3, 2]), 2)
    attention_cell = s2s.AttentionWrapper(tf.nn.rnn_cell.BasicRNNCell(2), s2s.LuongAttention(2, memory))
    with tf.variable_scope("second"):
        decoder = s2s.BeamSearchDecoder(attention_cell, embedding, [0, 0], 1, attention_cell.zero_state(4, tf.float32),
                                        2, coverage_penalty_weight=[0.5])
        with pytest.raises(ValueError, match="coverage_penalty_weight should be a scalar"):
            s2s.dynamic_decode(decoder, maximum_iterations=2)
