"""tf.contrib.rnn's TimeFreqLSTMCell, GridLSTMCell and BidirectionalGridLSTMCell: TF1's variable names,
one step against a NumPy re-implementation, and finite-difference gradients."""
import numpy as np
import pytest

import numflow as tf
from rnn_helpers import check_graph_gradients, randomize, sigmoid

rnn = tf.contrib.rnn


def _windows(x, feature_size, skip, count, start=0):
    return [x[:, start + k * skip:start + k * skip + feature_size] for k in range(count)]


def _np_time_freq(w, x, state, n, feature_size, skip, peepholes):
    windows = _windows(x, feature_size, skip, (x.shape[1] - feature_size) // skip + 1)
    m_freq = np.zeros((x.shape[0], n))
    states, outputs = [], []
    for k, window in enumerate(windows):
        c_prev, m_prev = state[:, 2 * k * n:(2 * k + 1) * n], state[:, (2 * k + 1) * n:(2 * k + 2) * n]
        i, j, f, o = np.split(np.concatenate([window, m_prev, m_freq], 1) @ w["W_0"] + w["B"], 4, 1)
        if peepholes:
            f, i = f + w["W_F_diag"] * c_prev, i + w["W_I_diag"] * c_prev
        c = sigmoid(f + 1.0) * c_prev + sigmoid(i) * np.tanh(j)
        m = sigmoid(o + (w["W_O_diag"] * c if peepholes else 0)) * np.tanh(c)
        m_freq = m
        states += [c, m]
        outputs.append(m)
    return np.concatenate(outputs, 1), np.concatenate(states, 1)


def _np_grid_block(w, windows, block, time_states, n, peepholes, share, couple, prefix=""):
    """One block of the grid: time_states[k] = (c, m) of window k; returns outputs and new states."""
    gates = 3 if couple else 4
    zeros = np.zeros((windows[0].shape[0], n))
    m_freq, c_freq = zeros, zeros
    outputs, states = [], []

    def split(matrix):
        parts = np.split(matrix, gates, 1)
        return (parts[0], parts[1], None, parts[2]) if couple else tuple(parts)

    def peep(gate, direction, first, second):
        if not peepholes:
            return 0.0
        return w["%sW_%s_diag_%sf_%d" % (prefix, gate, direction, block)] * first + \
            w["%sW_%s_diag_%st_%d" % (prefix, gate, direction, block)] * second

    for k, window in enumerate(windows):
        c_time_prev, m_time_prev = time_states[k]
        inputs = np.concatenate([window, m_time_prev, m_freq], 1)
        i_f, j_f, f_f, o_f = split(inputs @ w["%sW_f_%d_0" % (prefix, block)] + w["%sB_f_%d" % (prefix, block)])
        if share:
            i_t, j_t, f_t, o_t = i_f, j_f, f_f, o_f
        else:
            i_t, j_t, f_t, o_t = split(inputs @ w["%sW_t_%d_0" % (prefix, block)] + w["%sB_t_%d" % (prefix, block)])
        time_dir = "freq" if share else "time"
        new_c = []
        for i, j, f, c_prev, direction in ((i_f, j_f, f_f, c_freq, "freq"), (i_t, j_t, f_t, c_time_prev, time_dir)):
            ig = sigmoid(i + peep("I", direction, c_freq, c_time_prev))
            fg = 1 - ig if couple else sigmoid(f + 1.0 + peep("F", direction, c_freq, c_time_prev))
            new_c.append(fg * c_prev + ig * np.tanh(j))
        c_f, c_t = new_c
        m_f = sigmoid(o_f + peep("O", "freq", c_f, c_t)) * np.tanh(c_f)
        m_t = sigmoid(o_t + peep("O", time_dir, c_f, c_t)) * np.tanh(c_t)
        m_freq, c_freq = m_f, c_f
        states += [c_t, m_t]
        outputs += [m_t, m_f]
    return outputs, states


def _state_values(rng, size, batch):
    return type(size)(*[rng.uniform(-1, 1, (batch, s)) for s in size])


def test_time_freq_lstm_cell_matches_numpy():
    rng = np.random.RandomState(0)
    n, feature_size, skip = 2, 3, 2
    cell = rnn.TimeFreqLSTMCell(n, use_peepholes=True, feature_size=feature_size, frequency_skip=skip)
    assert cell.state_size == 2 * n and cell.output_size == n
    x_value = rng.uniform(-1, 1, (3, 7))               # windows at 0, 2, 4: three of them
    state_value = rng.uniform(-1, 1, (3, 2 * n * 3))
    x, state = tf.placeholder(tf.float64, x_value.shape), tf.placeholder(tf.float64, state_value.shape)
    output, new_state = cell(x, state)
    scope = "time_freq_lstm_cell/"
    assert [v.op.name for v in tf.global_variables()] == [scope + n_ for n_ in ("W_0", "B", "W_F_diag", "W_I_diag",
                                                                                 "W_O_diag")]
    assert tf.global_variables()[0].shape.as_list() == [feature_size + 2 * n, 4 * n]
    feed = {x: x_value, state: state_value}
    with tf.Session() as sess:
        values = randomize(sess, tf.global_variables(), scale=0.8)
        got, got_state = sess.run([output, new_state], feed)
        w = {k[len(scope):]: v for k, v in values.items()}
        want, want_state = _np_time_freq(w, x_value, state_value, n, feature_size, skip, True)
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(got_state, want_state, rtol=1e-9, atol=1e-12)
        loss = tf.reduce_sum(output * rng.uniform(0.5, 1.5, got.shape)) + tf.reduce_sum(new_state ** 2)
        check_graph_gradients(loss, [x, state], feed, sess=sess)


@pytest.mark.parametrize("peepholes,share,couple", [(False, False, False), (True, False, False),
                                                    (True, True, False), (True, False, True)])
def test_grid_lstm_cell_matches_numpy(peepholes, share, couple):
    rng = np.random.RandomState(1)
    n = 2
    cell = rnn.GridLSTMCell(n, use_peepholes=peepholes, share_time_frequency_weights=share,
                            couple_input_forget_gates=couple, feature_size=2, frequency_skip=1,
                            num_frequency_blocks=[2, 1], start_freqindex_list=[0, 3], end_freqindex_list=[3, 5])
    assert cell.output_size == 2 * n * 3
    assert cell.state_size._fields[:4] == ("state_f00_b00_c", "state_f00_b00_m", "state_f01_b00_c", "state_f01_b00_m")
    assert cell.state_size._fields[4:] == ("state_f00_b01_c", "state_f00_b01_m")
    x_value = rng.uniform(-1, 1, (3, 5))
    state_value = _state_values(rng, cell.state_size, 3)
    x = tf.placeholder(tf.float64, x_value.shape)
    state = type(cell.state_size)(*[tf.placeholder(tf.float64, (3, n)) for _ in state_value])
    output, new_state = cell(x, state)
    names = [v.op.name[len("grid_lstm_cell/"):] for v in tf.global_variables()]
    expected = ["W_f_0_0", "B_f_0"] + ([] if share else ["W_t_0_0", "B_t_0"])
    assert names[:len(expected)] == expected
    if peepholes:
        assert ("W_F_diag_freqf_0" in names) == (not couple) and ("W_I_diag_timet_1" in names) == (not share)
    feed = dict(zip([x] + list(state), [x_value] + list(state_value)))
    with tf.Session() as sess:
        values = randomize(sess, tf.global_variables(), scale=0.8)
        got, got_state = sess.run([output, new_state], feed)
        w = {k[len("grid_lstm_cell/"):]: v for k, v in values.items()}
        outputs, states = [], []
        pairs = list(zip(state_value[::2], state_value[1::2]))
        for block, (start, count) in enumerate([(0, 2), (3, 1)]):
            offset = 0 if block == 0 else 2
            o, s = _np_grid_block(w, _windows(x_value, 2, 1, count, start), block, pairs[offset:offset + count], n,
                                  peepholes, share, couple)
            outputs += o
            states += s
        np.testing.assert_allclose(got, np.concatenate(outputs, 1), rtol=1e-9, atol=1e-12)
        for g, want in zip(got_state, states):
            np.testing.assert_allclose(g, want, rtol=1e-9, atol=1e-12)
        loss = tf.reduce_sum(output * rng.uniform(0.5, 1.5, got.shape)) + tf.reduce_sum(new_state[0] ** 2)
        check_graph_gradients(loss, [x, state[0], state[3]], feed, sess=sess)


def test_bidirectional_grid_lstm_cell_matches_numpy_and_runs_in_dynamic_rnn():
    rng = np.random.RandomState(2)
    n = 2
    cell = rnn.BidirectionalGridLSTMCell(n, use_peepholes=True, feature_size=2, frequency_skip=2,
                                         num_frequency_blocks=[2], backward_slice_offset=1)
    assert cell.output_size == 2 * n * 2 * 2 and len(cell.state_size) == 2 * 2 * 2
    assert cell.state_size._fields[0] == "fwd_state_f00_b00_c" and cell.state_size._fields[4] == "bwd_state_f00_b00_c"
    x_value = rng.uniform(-1, 1, (3, 4))
    state_value = _state_values(rng, cell.state_size, 3)
    x = tf.placeholder(tf.float64, x_value.shape)
    state = type(cell.state_size)(*[tf.placeholder(tf.float64, (3, n)) for _ in state_value])
    output, new_state = cell(x, state)
    names = [v.op.name for v in tf.global_variables()]
    assert names[:2] == ["bidirectional_grid_lstm_cell/fwd/W_f_0_0", "bidirectional_grid_lstm_cell/fwd/B_f_0"]
    assert "bidirectional_grid_lstm_cell/bwd/W_O_diag_timet_0" in names
    feed = dict(zip([x] + list(state), [x_value] + list(state_value)))
    with tf.Session() as sess:
        values = randomize(sess, tf.global_variables(), scale=0.8)
        got, got_state = sess.run([output, new_state], feed)
    w = {k[len("bidirectional_grid_lstm_cell/"):]: v for k, v in values.items()}
    pairs = list(zip(state_value[::2], state_value[1::2]))
    fwd_out, fwd_states = _np_grid_block(w, _windows(x_value, 2, 2, 2), 0, pairs[:2], n, True, False, False, "fwd/")
    padded = np.pad(x_value, [(0, 0), (0, 1)])
    bwd_out, bwd_states = _np_grid_block(w, _windows(padded, 2, 2, 2, 1)[::-1], 0, pairs[2:], n, True, False, False,
                                         "bwd/")
    np.testing.assert_allclose(got, np.concatenate(fwd_out + bwd_out, 1), rtol=1e-9, atol=1e-12)
    for g, want in zip(got_state, fwd_states + bwd_states):
        np.testing.assert_allclose(g, want, rtol=1e-9, atol=1e-12)
    with tf.variable_scope("seq"):
        outputs, final = tf.nn.dynamic_rnn(rnn.GridLSTMCell(2, feature_size=2, frequency_skip=1,
                                                            num_frequency_blocks=[3]),
                                           tf.constant(rng.uniform(-1, 1, (2, 3, 4))), dtype=tf.float64)
    assert outputs.shape.as_list() == [2, 3, 12] and len(final) == 6


def test_grid_lstm_errors():
    with pytest.raises(ValueError, match="Must specify num_frequency_blocks"):
        rnn.GridLSTMCell(2)
    cell = rnn.GridLSTMCell(2, feature_size=2, frequency_skip=1, num_frequency_blocks=[2])
    with pytest.raises(ValueError, match="Invalid num_frequency_blocks, requires 2 but gets 3"):
        cell(tf.zeros([1, 4]), cell.zero_state(1, tf.float32))
    cell = rnn.GridLSTMCell(2, feature_size=2, frequency_skip=1, num_frequency_blocks=[2, 1])
    with pytest.raises(ValueError, match="Length of num_frequency_blocks is not 1, but instead is 2"):
        with tf.variable_scope("b"):
            cell(tf.zeros([1, 3]), cell.zero_state(1, tf.float32))


def test_remaining_contrib_rnn_error_paths():
    grid = rnn.GridLSTMCell(2, feature_size=2, frequency_skip=1, num_frequency_blocks=[1, 1],
                            start_freqindex_list=[0], end_freqindex_list=[2, 4])
    with pytest.raises(ValueError, match="Length of start and end freqindex_list does not match 1 2"):
        grid(tf.zeros([1, 4]), grid.zero_state(1, tf.float32))
    grid = rnn.GridLSTMCell(2, feature_size=2, frequency_skip=1, num_frequency_blocks=[1],
                            start_freqindex_list=[0, 2], end_freqindex_list=[2, 4])
    with pytest.raises(ValueError, match="Length of num_frequency_blocks is not equal to start_freqindex_list 1 2"):
        with tf.variable_scope("second"):
            grid(tf.zeros([1, 4]), grid.zero_state(1, tf.float32))
    with pytest.raises(ValueError, match=r"kernel_shape \[3\] must have conv_ndims=2 entries"):
        rnn.ConvLSTMCell(2, [4, 4, 1], 3, [3])
    phased = rnn.PhasedLSTMCell(2)
    with pytest.raises(ValueError, match="features of PhasedLSTMCell must be \\[batch, depth\\] with a known depth"):
        phased((tf.zeros([1, 1]), tf.placeholder(tf.float32, [1, None])), phased.zero_state(1, tf.float32))
