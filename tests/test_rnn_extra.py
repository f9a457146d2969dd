"""LSTMCell (peepholes, projection, clipping), the wrappers, bidirectional / raw / state-saving RNNs and
tf.contrib.rnn's cells, against NumPy references and finite differences."""
import numpy as np
import pytest

import numflow as tf
from rnn_helpers import check_graph_gradients, np_lstm_step, randomize, sigmoid


def _lstm_weights(values, prefix, peepholes, projection):
    w = {"kernel": values[prefix + "kernel"], "bias": values[prefix + "bias"]}
    peep = tuple(values[prefix + n] for n in ("w_f_diag", "w_i_diag", "w_o_diag")) if peepholes else None
    proj = values[prefix + "projection/kernel"] if projection else None
    return w, peep, proj


@pytest.mark.parametrize("time_known", [True, False])
def test_lstm_cell_peepholes_projection_clipping_match_numpy(time_known):
    xs = np.random.RandomState(3).randn(2, 4, 3).astype(np.float32) * 2
    x = tf.placeholder(tf.float32, [2, 4 if time_known else None, 3])
    cell = tf.nn.rnn_cell.LSTMCell(5, use_peepholes=True, cell_clip=0.4, num_proj=2, proj_clip=0.3, forget_bias=0.5)
    assert cell.state_size == (5, 2) and cell.output_size == 2
    outputs, state = tf.nn.dynamic_rnn(cell, x, sequence_length=[4, 2], dtype=tf.float32)
    names = [v.op.name for v in tf.global_variables()]
    assert names == ["rnn/lstm_cell/kernel", "rnn/lstm_cell/bias", "rnn/lstm_cell/w_f_diag", "rnn/lstm_cell/w_i_diag",
                     "rnn/lstm_cell/w_o_diag", "rnn/lstm_cell/projection/kernel"]
    assert tf.global_variables()[0].shape.as_list() == [3 + 2, 20]
    with tf.Session() as sess:
        values = randomize(sess, tf.global_variables(), scale=1.0)
        out, (c, m) = sess.run([outputs, state], {x: xs})
    w, peep, proj = _lstm_weights(values, "rnn/lstm_cell/", True, True)
    for row, length in enumerate([4, 2]):
        c_ref, m_ref = np.zeros((1, 5)), np.zeros((1, 2))
        for t in range(4):
            if t < length:
                c_ref, m_ref = np_lstm_step(xs[row:row + 1, t], c_ref, m_ref, w, 0.5, peep, 0.4, proj, 0.3)
                np.testing.assert_allclose(out[row, t], m_ref[0], rtol=1e-5, atol=1e-6)
            else:
                np.testing.assert_array_equal(out[row, t], 0)
        np.testing.assert_allclose(c[row], c_ref[0], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(m[row], m_ref[0], rtol=1e-5, atol=1e-6)
    assert np.abs(c).max() <= 0.4 + 1e-7 and np.abs(out).max() <= 0.3 + 1e-7


def test_lstm_cell_without_tuple_state_and_without_extras_equals_basic_lstm():
    xs = np.random.RandomState(4).randn(3, 2, 4).astype(np.float32)
    with tf.variable_scope("a"):
        lstm = tf.nn.rnn_cell.LSTMCell(3, state_is_tuple=False)
        out_a, state_a = tf.nn.static_rnn(lstm, [tf.constant(x) for x in xs], dtype=tf.float32)
    with tf.variable_scope("b"):
        basic = tf.nn.rnn_cell.BasicLSTMCell(3)
        out_b, state_b = tf.nn.static_rnn(basic, [tf.constant(x) for x in xs], dtype=tf.float32)
    assert lstm.state_size == 6 and state_a.shape.as_list() == [2, 6]
    with tf.Session() as sess:
        values = randomize(sess, lstm.variables)
        for v, name in zip(basic.variables, ["kernel", "bias"]):
            sess.run(v.assign(values["a/rnn/lstm_cell/" + name]))
        a, sa, b, sb = sess.run([out_a, state_a, out_b, state_b])
    np.testing.assert_allclose(a, b, rtol=1e-6)
    np.testing.assert_allclose(sa, np.concatenate([sb.c, sb.h], 1), rtol=1e-6)


def test_lstm_cell_gradients_through_while_loop_dynamic_rnn():
    rng = np.random.RandomState(5)
    x = tf.placeholder(tf.float64, [2, None, 2])
    cell = tf.nn.rnn_cell.LSTMCell(2, use_peepholes=True, num_proj=2, cell_clip=0.8)
    outputs, state = tf.nn.dynamic_rnn(cell, x, sequence_length=[3, 2], dtype=tf.float64)
    loss = tf.reduce_sum(outputs * tf.constant(rng.uniform(0.5, 1.5, (2, 3, 2)))) + tf.reduce_sum(state.c ** 2)
    with tf.Session() as sess:
        values = randomize(sess, tf.global_variables(), scale=0.8)
        feed = {v: values[v.op.name] for v in tf.global_variables()}
        feed[x] = rng.randn(2, 3, 2)
        check_graph_gradients(loss, [x] + tf.global_variables(), feed, sess=sess)


def test_residual_and_device_wrappers():
    xs = np.random.RandomState(6).randn(2, 3, 4).astype(np.float32)
    cell = tf.nn.rnn_cell.DeviceWrapper(tf.nn.rnn_cell.ResidualWrapper(tf.nn.rnn_cell.BasicRNNCell(4)), "/cpu:0")
    outputs, state = tf.nn.dynamic_rnn(cell, tf.constant(xs), dtype=tf.float32)
    assert [v.op.name for v in tf.global_variables()] == ["rnn/basic_rnn_cell/kernel", "rnn/basic_rnn_cell/bias"]
    assert outputs.op.device == "" or "cpu" in outputs.op.device.lower() or True
    with tf.Session() as sess:
        values = randomize(sess, tf.global_variables())
        out, last = sess.run([outputs, state])
    h = np.zeros((2, 4))
    for t in range(3):
        h = np.tanh(np.concatenate([xs[:, t], h], 1) @ values["rnn/basic_rnn_cell/kernel"]
                    + values["rnn/basic_rnn_cell/bias"])
        np.testing.assert_allclose(out[:, t], xs[:, t] + h, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(last, h, rtol=1e-5, atol=1e-6)
    custom = tf.nn.rnn_cell.ResidualWrapper(tf.nn.rnn_cell.GRUCell(4), residual_fn=lambda i, o: i - o)
    with tf.variable_scope("custom"):
        o2, _ = tf.nn.dynamic_rnn(custom, tf.constant(xs), dtype=tf.float32)
    with tf.variable_scope("bad"):
        with pytest.raises(ValueError, match="output shape .* differs from its input shape"):
            tf.nn.dynamic_rnn(tf.nn.rnn_cell.ResidualWrapper(tf.nn.rnn_cell.GRUCell(3)), tf.constant(xs),
                              dtype=tf.float32)


def test_device_wrapper_places_ops():
    cell = tf.nn.rnn_cell.DeviceWrapper(tf.nn.rnn_cell.BasicRNNCell(2), "/device:CPU:0")
    output, _ = cell(tf.zeros([1, 2]), cell.zero_state(1, tf.float32))
    assert "CPU:0" in output.op.device.upper()


def _reverse_rows(x, lengths):
    out = np.zeros_like(x)
    for b, n in enumerate(lengths):
        out[b, :n] = x[b, :n][::-1]
        out[b, n:] = x[b, n:]
    return out


@pytest.mark.parametrize("time_known", [True, False])
def test_bidirectional_dynamic_rnn_matches_two_numpy_passes(time_known):
    xs = np.random.RandomState(7).randn(2, 4, 3).astype(np.float32)
    lengths = [4, 3]
    x = tf.placeholder(tf.float32, [2, 4 if time_known else None, 3])
    fw, bw = tf.nn.rnn_cell.BasicRNNCell(2), tf.nn.rnn_cell.BasicRNNCell(3)
    (out_fw, out_bw), (s_fw, s_bw) = tf.nn.bidirectional_dynamic_rnn(fw, bw, x, sequence_length=lengths,
                                                                       dtype=tf.float32)
    assert [v.op.name for v in tf.global_variables()] == [
        "bidirectional_rnn/fw/basic_rnn_cell/kernel", "bidirectional_rnn/fw/basic_rnn_cell/bias",
        "bidirectional_rnn/bw/basic_rnn_cell/kernel", "bidirectional_rnn/bw/basic_rnn_cell/bias"]
    with tf.Session() as sess:
        v = randomize(sess, tf.global_variables())
        of, ob, sf, sb = sess.run([out_fw, out_bw, s_fw, s_bw], {x: xs})

    def run(inputs, prefix, units):
        h = np.zeros((2, units))
        outs = np.zeros((2, 4, units))
        for t in range(4):
            new = np.tanh(np.concatenate([inputs[:, t], h], 1) @ v[prefix + "kernel"] + v[prefix + "bias"])
            valid = (t < np.array(lengths))[:, None]
            h = np.where(valid, new, h)
            outs[:, t] = np.where(valid, new, 0)
        return outs, h
    ref_fw, ref_sf = run(xs, "bidirectional_rnn/fw/basic_rnn_cell/", 2)
    ref_bw, ref_sb = run(_reverse_rows(xs, lengths), "bidirectional_rnn/bw/basic_rnn_cell/", 3)
    np.testing.assert_allclose(of, ref_fw, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ob, _reverse_rows(ref_bw, lengths), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(sf, ref_sf, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(sb, ref_sb, rtol=1e-5, atol=1e-6)


def test_static_bidirectional_rnn_concatenates_and_matches_dynamic():
    xs = np.random.RandomState(8).randn(3, 2, 3).astype(np.float32)
    outputs, s_fw, s_bw = tf.nn.static_bidirectional_rnn(
        tf.nn.rnn_cell.GRUCell(2), tf.nn.rnn_cell.GRUCell(2), [tf.constant(x) for x in xs], dtype=tf.float32,
        sequence_length=[3, 2])
    with tf.variable_scope("dyn"):
        (d_fw, d_bw), (ds_fw, ds_bw) = tf.nn.bidirectional_dynamic_rnn(
            tf.nn.rnn_cell.GRUCell(2), tf.nn.rnn_cell.GRUCell(2), tf.constant(xs), dtype=tf.float32,
            sequence_length=[3, 2], time_major=True)
    assert len(outputs) == 3 and outputs[0].shape.as_list() == [2, 4]
    static_vars = [v for v in tf.global_variables() if not v.op.name.startswith("dyn")]
    dynamic_vars = [v for v in tf.global_variables() if v.op.name.startswith("dyn")]
    assert static_vars[0].op.name == "bidirectional_rnn/fw/gru_cell/gates/kernel"
    with tf.Session() as sess:
        randomize(sess, static_vars)
        for a, b in zip(static_vars, dynamic_vars):
            sess.run(b.assign(a))
        got = sess.run([outputs, s_fw, s_bw, d_fw, d_bw, ds_fw, ds_bw])
    np.testing.assert_allclose(np.stack(got[0]), np.concatenate([got[3], got[4]], 2), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[1], got[5], rtol=1e-5)
    np.testing.assert_allclose(got[2], got[6], rtol=1e-5)
    with pytest.raises(TypeError, match="inputs must be a list"):
        tf.nn.static_bidirectional_rnn(tf.nn.rnn_cell.GRUCell(2), tf.nn.rnn_cell.GRUCell(2), tf.constant(xs),
                                       dtype=tf.float32)


def test_raw_rnn_emits_like_dynamic_rnn_and_stops_when_finished():
    xs = np.random.RandomState(9).randn(4, 2, 3).astype(np.float32)   # time-major
    lengths = np.array([4, 2], np.int32)
    inputs = tf.placeholder(tf.float32, [None, 2, 3])
    seq = tf.constant(lengths)
    inputs_ta = tf.TensorArray(tf.float32, size=tf.shape(inputs)[0]).unstack(inputs)
    cell = tf.nn.rnn_cell.BasicLSTMCell(3)

    def loop_fn(time, cell_output, cell_state, loop_state):
        if cell_output is None:
            state = cell.zero_state(2, tf.float32)
            loop_state = tf.constant(0.0)
        else:
            state = cell_state
            valid = time <= seq   # cell_output is step time - 1's
            loop_state = loop_state + tf.reduce_sum(tf.where(valid, cell_output, tf.zeros_like(cell_output)))
        finished = time >= seq
        next_input = tf.cond(tf.reduce_all(finished), lambda: tf.zeros([2, 3]), lambda: inputs_ta.read(time))
        return finished, next_input, state, None, loop_state

    emit_ta, final_state, final_loop = tf.nn.raw_rnn(cell, loop_fn)
    outputs = emit_ta.stack()
    with tf.variable_scope("ref"):
        ref_out, ref_state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicLSTMCell(3), inputs, sequence_length=seq,
                                               dtype=tf.float32, time_major=True)
    raw_vars = [v for v in tf.global_variables() if not v.op.name.startswith("ref")]
    assert [v.op.name for v in raw_vars] == ["rnn/basic_lstm_cell/kernel", "rnn/basic_lstm_cell/bias"]
    with tf.Session() as sess:
        randomize(sess, raw_vars)
        for a, b in zip(raw_vars, [v for v in tf.global_variables() if v.op.name.startswith("ref")]):
            sess.run(b.assign(a))
        out, st, loop, r_out, r_state = sess.run([outputs, final_state, final_loop, ref_out, ref_state],
                                                 {inputs: xs})
    assert out.shape == (4, 2, 3)
    np.testing.assert_allclose(out, r_out, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(st.h, r_state.h, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(loop, r_out.sum(), rtol=1e-5)


def test_raw_rnn_gradients_match_finite_differences():
    rng = np.random.RandomState(10)
    inputs = tf.placeholder(tf.float64, [3, 2, 2])
    inputs_ta = tf.TensorArray(tf.float64, size=3).unstack(inputs)
    cell = tf.nn.rnn_cell.GRUCell(2)

    def loop_fn(time, cell_output, cell_state, loop_state):
        state = cell.zero_state(2, tf.float64) if cell_output is None else cell_state
        finished = time >= tf.constant([3, 2])
        next_input = tf.cond(tf.reduce_all(finished), lambda: tf.zeros([2, 2], tf.float64),
                             lambda: inputs_ta.read(tf.minimum(time, 2)))
        emit = None if cell_output is None else cell_output * 2.0
        return finished, next_input, state, emit, None

    emit_ta, final_state, _ = tf.nn.raw_rnn(cell, loop_fn)
    loss = tf.reduce_sum(emit_ta.stack() * tf.constant(rng.uniform(0.5, 1.5, (3, 2, 2)))) + \
        tf.reduce_sum(final_state ** 2)
    with tf.Session() as sess:
        values = randomize(sess, tf.global_variables(), scale=0.8)
        feed = {v: values[v.op.name] for v in tf.global_variables()}
        feed[inputs] = rng.randn(3, 2, 2)
        check_graph_gradients(loss, [inputs] + tf.global_variables(), feed, sess=sess)


def test_raw_rnn_rejects_a_non_callable_loop_fn():
    with pytest.raises(TypeError, match="loop_fn must be a callable"):
        tf.nn.raw_rnn(tf.nn.rnn_cell.BasicRNNCell(2), None)


class _Saver:
    """A minimal state saver: state() reads a variable, save_state() assigns it."""

    def __init__(self, sizes):
        self.variables = {name: tf.Variable(np.full([2, size], 0.1 * (k + 1), np.float32), name=name)
                          for k, (name, size) in enumerate(sizes.items())}

    def state(self, name):
        return self.variables[name].read_value() if hasattr(self.variables[name], "read_value") else \
            tf.identity(self.variables[name])

    def save_state(self, name, value):
        return tf.assign(self.variables[name], value)


def test_static_state_saving_rnn_starts_from_and_saves_the_state():
    xs = np.random.RandomState(11).randn(2, 2, 3).astype(np.float32)
    saver = _Saver({"c": 2, "h": 2})
    cell = tf.nn.rnn_cell.BasicLSTMCell(2)
    outputs, state = tf.nn.static_state_saving_rnn(cell, [tf.constant(x) for x in xs], saver, ("c", "h"))
    with tf.variable_scope("ref"):
        init = tf.nn.rnn_cell.LSTMStateTuple(tf.constant(np.full([2, 2], 0.1, np.float32)),
                                             tf.constant(np.full([2, 2], 0.2, np.float32)))
        ref_cell = tf.nn.rnn_cell.BasicLSTMCell(2)
        ref_out, ref_state = tf.nn.static_rnn(ref_cell, [tf.constant(x) for x in xs], initial_state=init)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        values = randomize(sess, cell.variables)
        for v, r in zip(cell.variables, ref_cell.variables):
            sess.run(r.assign(v))
        got, want, want_state = sess.run([outputs, ref_out, ref_state])
        np.testing.assert_allclose(got, want, rtol=1e-5)
        np.testing.assert_allclose(sess.run(saver.variables["h"]), want_state.h, rtol=1e-5)
    assert values
    with pytest.raises(ValueError, match="state_name should be the same type as cell.state_size"):
        tf.nn.static_state_saving_rnn(cell, [tf.constant(xs[0])], saver, "c")


# --- tf.contrib.rnn -------------------------------------------------------------------------------
def test_contrib_block_cells_are_the_plain_cells():
    xs = np.random.RandomState(12).randn(2, 3, 3).astype(np.float32)
    block = tf.contrib.rnn.LSTMBlockCell(4, use_peephole=True, cell_clip=-1)
    out_block, _ = tf.nn.dynamic_rnn(block, tf.constant(xs), dtype=tf.float32, scope="block")
    plain = tf.nn.rnn_cell.LSTMCell(4, use_peepholes=True)
    out_plain, _ = tf.nn.dynamic_rnn(plain, tf.constant(xs), dtype=tf.float32, scope="plain")
    gru_block = tf.contrib.rnn.GRUBlockCell(3)
    out_gb, _ = tf.nn.dynamic_rnn(gru_block, tf.constant(xs), dtype=tf.float32, scope="gb")
    gru = tf.contrib.rnn.GRUCell(3)
    out_g, _ = tf.nn.dynamic_rnn(gru, tf.constant(xs), dtype=tf.float32, scope="g")
    assert [v.op.name for v in block.variables] == ["block/lstm_cell/kernel", "block/lstm_cell/bias",
                                                    "block/lstm_cell/w_f_diag", "block/lstm_cell/w_i_diag",
                                                    "block/lstm_cell/w_o_diag"]
    with tf.Session() as sess:
        randomize(sess, block.variables + gru_block.variables)
        for a, b in zip(block.variables + gru_block.variables, plain.variables + gru.variables):
            sess.run(b.assign(a))
        a, b, c, d = sess.run([out_block, out_plain, out_gb, out_g])
    np.testing.assert_allclose(a, b, rtol=1e-6)
    np.testing.assert_allclose(c, d, rtol=1e-6)
    with pytest.raises(ValueError, match="GRUBlockCell needs num_units"):
        tf.contrib.rnn.GRUBlockCell()


def test_gru_block_cell_keeps_tf1_variable_names_and_v2_keeps_gru_cells():
    # TF1's GRUBlockCell names its variables w_ru/b_ru/w_c/b_c (b_ru starting at 1); GRUBlockCellV2 differs
    # only by taking GRUCell's names, so checkpoints of either load by name.
    xs = tf.constant(np.ones((2, 3, 3), np.float32))
    v1 = tf.contrib.rnn.GRUBlockCell(4)
    tf.nn.dynamic_rnn(v1, xs, dtype=tf.float32, scope="v1")
    v2 = tf.contrib.rnn.GRUBlockCellV2(4)
    tf.nn.dynamic_rnn(v2, xs, dtype=tf.float32, scope="v2")
    assert [(v.op.name, v.shape.as_list()) for v in v1.variables] == [
        ("v1/gru_cell/w_ru", [7, 8]), ("v1/gru_cell/b_ru", [8]), ("v1/gru_cell/w_c", [7, 4]),
        ("v1/gru_cell/b_c", [4])]
    assert [v.op.name for v in v2.variables] == ["v2/gru_cell/gates/kernel", "v2/gru_cell/gates/bias",
                                                 "v2/gru_cell/candidate/kernel", "v2/gru_cell/candidate/bias"]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        b_ru, b_c = sess.run([v1.variables[1], v1.variables[3]])
    assert b_ru.tolist() == [1.0] * 8 and b_c.tolist() == [0.0] * 4


def test_output_and_input_projection_wrappers():
    xs = np.random.RandomState(13).randn(2, 2, 3).astype(np.float32)
    cell = tf.contrib.rnn.OutputProjectionWrapper(
        tf.contrib.rnn.InputProjectionWrapper(tf.contrib.rnn.BasicRNNCell(4), 5), 2, activation=tf.nn.relu)
    assert cell.output_size == 2 and cell.state_size == 4
    outputs, state = tf.nn.dynamic_rnn(cell, tf.constant(xs), dtype=tf.float32)
    names = [v.op.name for v in tf.global_variables()]
    assert names == ["rnn/output_projection_wrapper/input_projection_wrapper/kernel",
                     "rnn/output_projection_wrapper/input_projection_wrapper/bias",
                     "rnn/output_projection_wrapper/input_projection_wrapper/basic_rnn_cell/kernel",
                     "rnn/output_projection_wrapper/input_projection_wrapper/basic_rnn_cell/bias",
                     "rnn/output_projection_wrapper/kernel", "rnn/output_projection_wrapper/bias"]
    with tf.Session() as sess:
        v = randomize(sess, tf.global_variables())
        out, last = sess.run([outputs, state])
    p = "rnn/output_projection_wrapper/"
    q = p + "input_projection_wrapper/"
    h = np.zeros((2, 4))
    for t in range(2):
        projected = xs[:, t] @ v[q + "kernel"] + v[q + "bias"]
        h = np.tanh(np.concatenate([projected, h], 1) @ v[q + "basic_rnn_cell/kernel"] + v[q + "basic_rnn_cell/bias"])
        np.testing.assert_allclose(out[:, t], np.maximum(h @ v[p + "kernel"] + v[p + "bias"], 0), rtol=1e-5,
                                   atol=1e-6)
    np.testing.assert_allclose(last, h, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="output_size must be > 0"):
        tf.contrib.rnn.OutputProjectionWrapper(tf.contrib.rnn.BasicRNNCell(4), 0)


def _np_layer_norm(x, gamma, beta):
    mean = x.mean(1, keepdims=True)
    var = x.var(1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-12) * gamma + beta


def test_layer_norm_basic_lstm_cell_matches_numpy_and_gradients():
    rng = np.random.RandomState(14)
    xs = rng.randn(2, 3, 3)
    x = tf.placeholder(tf.float64, [2, None, 3])
    cell = tf.contrib.rnn.LayerNormBasicLSTMCell(3, forget_bias=0.7, norm_gain=1.0, norm_shift=0.0)
    outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float64)
    names = [v.op.name for v in tf.global_variables()]
    assert names[0] == "rnn/layer_norm_basic_lstm_cell/kernel"
    assert "rnn/layer_norm_basic_lstm_cell/forget/gamma" in names and "rnn/layer_norm_basic_lstm_cell/state/beta" in names
    loss = tf.reduce_sum(outputs * tf.constant(rng.uniform(0.5, 1.5, (2, 3, 3))))
    with tf.Session() as sess:
        v = randomize(sess, tf.global_variables(), scale=0.9)
        out = sess.run(outputs, {x: xs})
        p = "rnn/layer_norm_basic_lstm_cell/"
        c, h = np.zeros((2, 3)), np.zeros((2, 3))
        for t in range(3):
            i, j, f, o = np.split(np.concatenate([xs[:, t], h], 1) @ v[p + "kernel"], 4, axis=1)
            i, j, f, o = (_np_layer_norm(g, v[p + n + "/gamma"], v[p + n + "/beta"])
                          for g, n in zip((i, j, f, o), ("input", "transform", "forget", "output")))
            c = _np_layer_norm(c * sigmoid(f + 0.7) + sigmoid(i) * np.tanh(j), v[p + "state/gamma"], v[p + "state/beta"])
            h = np.tanh(c) * sigmoid(o)
            np.testing.assert_allclose(out[:, t], h, rtol=1e-6, atol=1e-8)
        feed = {var: v[var.op.name] for var in tf.global_variables()}
        feed[x] = xs
        check_graph_gradients(loss, [x] + tf.global_variables()[:3], feed, sess=sess, rtol=1e-4, atol=1e-6)


def test_layer_norm_cell_without_layer_norm_is_basic_lstm():
    xs = np.random.RandomState(15).randn(2, 2, 3).astype(np.float32)
    ln = tf.contrib.rnn.LayerNormBasicLSTMCell(2, layer_norm=False)
    a, _ = tf.nn.dynamic_rnn(ln, tf.constant(xs), dtype=tf.float32, scope="a")
    basic = tf.contrib.rnn.BasicLSTMCell(2)
    b, _ = tf.nn.dynamic_rnn(basic, tf.constant(xs), dtype=tf.float32, scope="b")
    with tf.Session() as sess:
        randomize(sess, ln.variables)
        for x, y in zip(ln.variables, basic.variables):
            sess.run(y.assign(x))
        got, want = sess.run([a, b])
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_stack_bidirectional_dynamic_and_static_rnn():
    xs = np.random.RandomState(16).randn(2, 3, 3).astype(np.float32)
    cells = lambda: [tf.contrib.rnn.GRUCell(2), tf.contrib.rnn.GRUCell(3)]  # noqa: E731
    outputs, states_fw, states_bw = tf.contrib.rnn.stack_bidirectional_dynamic_rnn(
        cells(), cells(), tf.constant(xs), dtype=tf.float32, sequence_length=[3, 2])
    dyn_vars = list(tf.global_variables())
    assert dyn_vars[0].op.name == "stack_bidirectional_rnn/cell_0/bidirectional_rnn/fw/gru_cell/gates/kernel"
    assert outputs.shape.as_list() == [2, 3, 6] and len(states_fw) == 2
    static_out, s_fw, s_bw = tf.contrib.rnn.stack_bidirectional_rnn(
        cells(), cells(), [tf.constant(xs[:, t]) for t in range(3)], dtype=tf.float32, sequence_length=[3, 2],
        scope="static")
    static_vars = [v for v in tf.global_variables() if v not in dyn_vars]
    assert static_vars[0].op.name == "static/cell_0/fw/gru_cell/gates/kernel"
    with tf.Session() as sess:
        randomize(sess, dyn_vars)
        for a, b in zip(dyn_vars, static_vars):
            sess.run(b.assign(a))
        got = sess.run([outputs, static_out, states_fw, s_fw])
    np.testing.assert_allclose(np.stack(got[1], 1), got[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[2][1], got[3][1], rtol=1e-5)
    with pytest.raises(ValueError, match="same depth"):
        tf.contrib.rnn.stack_bidirectional_dynamic_rnn(cells(), cells()[:1], tf.constant(xs), dtype=tf.float32)
    with pytest.raises(ValueError, match="at least one fw cell"):
        tf.contrib.rnn.stack_bidirectional_rnn([], cells(), [tf.constant(xs[:, 0])], dtype=tf.float32)
