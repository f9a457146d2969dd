"""tf.contrib.rnn's fused cells: LSTMBlockFusedCell, FusedRNNCellAdaptor and TimeReversedFusedRNN against
NumPy LSTM steps, and finite-difference gradients."""
import numpy as np
import pytest

import numflow as tf
from rnn_helpers import check_graph_gradients, np_lstm_step, randomize

rnn = tf.contrib.rnn


def _np_fused_lstm(values, prefix, xs, lengths, c0, h0, peepholes, forget_bias=1.0, reverse=False):
    """Time-major NumPy LSTM: outputs zero past each row's length, final state at its last step; with
    reverse, each row's first `length` steps are read backwards and the outputs put back in place."""
    w = {"kernel": values[prefix + "kernel"], "bias": values[prefix + "bias"]}
    peep = tuple(values[prefix + n] for n in ("w_f_diag", "w_i_diag", "w_o_diag")) if peepholes else None
    time, batch, _ = xs.shape
    outputs = np.zeros((time, batch, h0.shape[1]))
    final_c, final_h = c0.copy(), h0.copy()
    for b in range(batch):
        c, h = c0[b:b + 1], h0[b:b + 1]
        order = list(range(lengths[b]))[::-1] if reverse else list(range(lengths[b]))
        for t in order:
            c, h = np_lstm_step(xs[t, b:b + 1], c, h, w, forget_bias, peep)
            outputs[t, b] = h[0]
        final_c[b], final_h[b] = c[0], h[0]
    return outputs, final_c, final_h


@pytest.mark.parametrize("peepholes", [False, True])
def test_lstm_block_fused_cell_matches_numpy_with_lengths(peepholes):
    rng = np.random.RandomState(0)
    xs = rng.uniform(-1, 1, (4, 3, 2))
    c0, h0 = rng.uniform(-1, 1, (3, 3)), rng.uniform(-1, 1, (3, 3))
    lengths = np.array([4, 2, 0], np.int32)
    x = tf.placeholder(tf.float64, [4, 3, 2])
    c, h = tf.placeholder(tf.float64, [3, 3]), tf.placeholder(tf.float64, [3, 3])
    cell = rnn.LSTMBlockFusedCell(3, forget_bias=0.5, use_peephole=peepholes)
    outputs, state = cell(x, initial_state=(c, h), sequence_length=lengths)
    names = ["lstm_fused_cell/kernel", "lstm_fused_cell/bias"]
    if peepholes:
        names += ["lstm_fused_cell/w_f_diag", "lstm_fused_cell/w_i_diag", "lstm_fused_cell/w_o_diag"]
    assert [v.op.name for v in tf.global_variables()] == names
    assert tf.global_variables()[0].shape.as_list() == [5, 12]
    assert outputs.shape.as_list() == [4, 3, 3] and isinstance(state, rnn.LSTMStateTuple)
    feed = {x: xs, c: c0, h: h0}
    with tf.Session() as sess:
        values = randomize(sess, tf.global_variables(), scale=0.8)
        got, (got_c, got_h) = sess.run([outputs, state], feed)
        want, want_c, want_h = _np_fused_lstm(values, "lstm_fused_cell/", xs, lengths, c0, h0, peepholes, 0.5)
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(got_c, want_c, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(got_h, want_h, rtol=1e-9, atol=1e-12)
        loss = tf.reduce_sum(outputs * rng.uniform(0.5, 1.5, (4, 3, 3))) + tf.reduce_sum(state.c ** 2)
        check_graph_gradients(loss, [x, c, h], feed, sess=sess)


def test_lstm_block_fused_cell_list_inputs_zero_state_and_errors():
    xs = np.random.RandomState(1).uniform(-1, 1, (3, 2, 2)).astype(np.float32)
    cell = rnn.LSTMBlockFusedCell(2)
    outputs, state = cell([tf.constant(x) for x in xs], dtype=tf.float32)
    assert isinstance(outputs, list) and len(outputs) == 3
    with tf.Session() as sess:
        values = randomize(sess, tf.global_variables())
        got, got_state = sess.run([outputs, state])
    want, want_c, want_h = _np_fused_lstm(values, "lstm_fused_cell/", xs.astype(np.float64), [3, 3],
                                          np.zeros((2, 2)), np.zeros((2, 2)), False)
    np.testing.assert_allclose(np.stack(got), want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got_state.h, want_h, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="Either initial_state or dtype needs to be specified"):
        rnn.LSTMBlockFusedCell(2)(tf.constant(xs), scope="other")
    with pytest.raises(ValueError, match="Expecting initial_state to be a tuple with length 2 or None"):
        rnn.LSTMBlockFusedCell(2)(tf.constant(xs), initial_state=(1, 2, 3), scope="other2")
    with pytest.raises(ValueError, match="Shape must be rank 3 but is rank 2"):
        rnn.LSTMBlockFusedCell(2)(tf.constant(xs[0]), dtype=tf.float32, scope="other3")


@pytest.mark.parametrize("use_dynamic_rnn", [False, True])
def test_fused_rnn_cell_adaptor_and_time_reversed(use_dynamic_rnn):
    rng = np.random.RandomState(2)
    xs = rng.uniform(-1, 1, (4, 2, 3))
    lengths = np.array([4, 3], np.int32)
    lstm = rnn.LSTMCell(2, forget_bias=1.0)
    adaptor = rnn.FusedRNNCellAdaptor(lstm, use_dynamic_rnn=use_dynamic_rnn)
    forward, forward_state = adaptor(tf.constant(xs), dtype=tf.float64, sequence_length=lengths)
    backward, backward_state = rnn.TimeReversedFusedRNN(adaptor)(tf.constant(xs), dtype=tf.float64,
                                                                 sequence_length=lengths)
    listed, _ = adaptor([tf.constant(x) for x in xs], dtype=tf.float64)
    assert len(lstm.variables) == 2 and isinstance(listed, list)
    with tf.Session() as sess:
        values = randomize(sess, lstm.variables, seed=3)
        prefix = lstm.variables[0].op.name[:-len("kernel")]
        got_f, got_fs, got_b, got_bs = sess.run([forward, forward_state, backward, backward_state])
        got_list = sess.run(listed)
    zeros = np.zeros((2, 2))
    want_f, want_fc, want_fh = _np_fused_lstm(values, prefix, xs, lengths, zeros, zeros, False)
    want_b, want_bc, want_bh = _np_fused_lstm(values, prefix, xs, lengths, zeros, zeros, False, reverse=True)
    np.testing.assert_allclose(got_f, want_f, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(got_fs.c, want_fc, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(got_b, want_b, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(got_bs.h, want_bh, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(np.stack(got_list), _np_fused_lstm(values, prefix, xs, [4, 4], zeros, zeros, False)[0],
                               rtol=1e-9, atol=1e-12)
