"""tf.nn.rnn_cell / tf.contrib.rnn cells, tf.nn.static_rnn and tf.nn.dynamic_rnn."""
import time

import numpy as np
import pytest

import numflow as tf
from gradcheck import check_gradients


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _np_rnn(xs, h, kernel, bias):
    outs = []
    for x in xs:
        h = np.tanh(np.concatenate([x, h], 1) @ kernel + bias)
        outs.append(h)
    return outs, h


def _np_lstm(xs, c, h, kernel, bias, forget_bias=1.0):
    outs = []
    for x in xs:
        i, j, f, o = np.split(np.concatenate([x, h], 1) @ kernel + bias, 4, axis=1)
        c = c * _sigmoid(f + forget_bias) + _sigmoid(i) * np.tanh(j)
        h = np.tanh(c) * _sigmoid(o)
        outs.append(h)
    return outs, c, h


def _np_gru(xs, h, gk, gb, ck, cb):
    outs = []
    for x in xs:
        r, u = np.split(_sigmoid(np.concatenate([x, h], 1) @ gk + gb), 2, axis=1)
        cand = np.tanh(np.concatenate([x, r * h], 1) @ ck + cb)
        h = u * h + (1 - u) * cand
        outs.append(h)
    return outs, h


def _randomize(sess, variables, seed=0):
    rng = np.random.RandomState(seed)
    values = []
    for v in variables:
        value = rng.uniform(-0.5, 0.5, v.shape.as_list()).astype(np.float32)
        sess.run(v.assign(value))
        values.append(value)
    return values


def test_basic_rnn_cell_matches_numpy():
    xs = np.random.RandomState(1).randn(3, 2, 4).astype(np.float32)
    inputs = [tf.constant(x) for x in xs]
    cell = tf.nn.rnn_cell.BasicRNNCell(5)
    assert cell.state_size == 5 and cell.output_size == 5
    outputs, state = tf.nn.static_rnn(cell, inputs, dtype=tf.float32)
    assert [v.name for v in cell.variables] == ["rnn/basic_rnn_cell/kernel:0", "rnn/basic_rnn_cell/bias:0"]
    assert cell.variables[0].shape.as_list() == [9, 5]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        kernel, bias = _randomize(sess, cell.variables)
        got_outputs, got_state = sess.run([outputs, state])
    want_outputs, want_state = _np_rnn(xs, np.zeros((2, 5), np.float32), kernel, bias)
    np.testing.assert_allclose(got_outputs, want_outputs, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got_state, want_state, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("forget_bias", [1.0, 0.0])
def test_basic_lstm_cell_matches_numpy(forget_bias):
    xs = np.random.RandomState(2).randn(4, 3, 2).astype(np.float32)
    inputs = [tf.constant(x) for x in xs]
    cell = tf.nn.rnn_cell.BasicLSTMCell(3, forget_bias=forget_bias)
    assert cell.state_size == tf.nn.rnn_cell.LSTMStateTuple(3, 3)
    c0 = np.random.RandomState(3).randn(3, 3).astype(np.float32)
    h0 = np.random.RandomState(4).randn(3, 3).astype(np.float32)
    initial = tf.nn.rnn_cell.LSTMStateTuple(tf.constant(c0), tf.constant(h0))
    outputs, state = tf.nn.static_rnn(cell, inputs, initial_state=initial)
    assert isinstance(state, tf.contrib.rnn.LSTMStateTuple)
    assert [v.name for v in tf.trainable_variables()] == ["rnn/basic_lstm_cell/kernel:0",
                                                           "rnn/basic_lstm_cell/bias:0"]
    assert cell.variables[0].shape.as_list() == [2 + 3, 4 * 3]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        kernel, bias = _randomize(sess, cell.variables)
        got_outputs, got_state = sess.run([outputs, state])
    want_outputs, want_c, want_h = _np_lstm(xs, c0, h0, kernel, bias, forget_bias)
    np.testing.assert_allclose(got_outputs, want_outputs, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got_state.c, want_c, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got_state.h, want_h, rtol=1e-5, atol=1e-6)


def test_lstm_state_not_tuple_and_gru_match_numpy():
    xs = np.random.RandomState(5).randn(3, 2, 4).astype(np.float32)
    x = tf.constant(np.transpose(xs, [1, 0, 2]))
    lstm = tf.nn.rnn_cell.BasicLSTMCell(3, state_is_tuple=False)
    assert lstm.state_size == 6
    lstm_out, lstm_state = tf.nn.dynamic_rnn(lstm, x, dtype=tf.float32, scope="lstm")
    gru = tf.contrib.rnn.GRUCell(3)
    gru_out, gru_state = tf.nn.dynamic_rnn(gru, x, dtype=tf.float32, scope="gru")
    assert [v.name for v in gru.variables] == ["gru/gru_cell/gates/kernel:0", "gru/gru_cell/gates/bias:0",
                                               "gru/gru_cell/candidate/kernel:0", "gru/gru_cell/candidate/bias:0"]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        kernel, bias = _randomize(sess, lstm.variables)
        gru_values = _randomize(sess, gru.variables, seed=7)
        lo, ls, go, gs = sess.run([lstm_out, lstm_state, gru_out, gru_state])
    zeros = np.zeros((2, 3), np.float32)
    want, c, h = _np_lstm(xs, zeros, zeros, kernel, bias)
    np.testing.assert_allclose(lo, np.transpose(want, [1, 0, 2]), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ls, np.concatenate([c, h], 1), rtol=1e-5, atol=1e-6)
    want, h = _np_gru(xs, zeros, *gru_values)
    np.testing.assert_allclose(go, np.transpose(want, [1, 0, 2]), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(gs, h, rtol=1e-5, atol=1e-6)


def test_gru_gate_bias_starts_at_one():
    cell = tf.nn.rnn_cell.GRUCell(2)
    cell(tf.zeros([1, 3]), cell.zero_state(1, tf.float32))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(cell.variables[1]), np.ones(4, np.float32))


def test_dynamic_rnn_equals_static_rnn_and_while_loop_path():
    data = np.random.RandomState(6).randn(2, 5, 3).astype(np.float32)
    cell = tf.nn.rnn_cell.BasicLSTMCell(4)
    x = tf.placeholder(tf.float32, [2, 5, 3])
    dyn_out, dyn_state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    assert dyn_out.shape.as_list() == [2, 5, 4]
    # the same cell object reuses its variables in a second (static) unroll and a while_loop unroll
    static_out, static_state = tf.nn.static_rnn(cell, tf.unstack(x, axis=1), dtype=tf.float32)
    unknown = tf.placeholder(tf.float32, [None, None, 3])
    loop_out, loop_state = tf.nn.dynamic_rnn(cell, unknown, dtype=tf.float32)
    tm_out, _ = tf.nn.dynamic_rnn(cell, tf.transpose(x, [1, 0, 2]), dtype=tf.float32, time_major=True)
    assert len(tf.global_variables()) == 2
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        d, s, so, ss, lo, ls, tm = sess.run([dyn_out, dyn_state, static_out, static_state, loop_out, loop_state,
                                             tm_out], {x: data, unknown: data})
    np.testing.assert_allclose(d, np.stack(so, 1), rtol=1e-6)
    np.testing.assert_allclose(d, lo, rtol=1e-6)
    np.testing.assert_allclose(d, np.transpose(tm, [1, 0, 2]), rtol=1e-6)
    for a, b, c in zip(s, ss, ls):
        np.testing.assert_allclose(a, b, rtol=1e-6)
        np.testing.assert_allclose(a, c, rtol=1e-6)


@pytest.mark.parametrize("static_time", [True, False])
def test_dynamic_rnn_sequence_length(static_time):
    data = np.random.RandomState(8).randn(3, 4, 2).astype(np.float32)
    lengths = np.array([4, 2, 0], np.int32)
    cell = tf.nn.rnn_cell.BasicRNNCell(3)
    x = tf.placeholder(tf.float32, [3, 4, 2] if static_time else [None, None, 2])
    out, state = tf.nn.dynamic_rnn(cell, x, sequence_length=lengths, dtype=tf.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        kernel, bias = _randomize(sess, cell.variables)
        got_out, got_state = sess.run([out, state], {x: data})
    for row, length in enumerate(lengths):
        want, _ = _np_rnn(data[row:row + 1, :length].transpose(1, 0, 2), np.zeros((1, 3), np.float32),
                          kernel, bias)
        want = np.array([w[0] for w in want] + [np.zeros(3, np.float32)] * (4 - length))
        np.testing.assert_allclose(got_out[row], want, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(got_state[row], want[length - 1] if length else 0.0, rtol=1e-5, atol=1e-6)


def test_reuse_across_two_calls_and_variable_scope_reuse():
    cell = tf.nn.rnn_cell.BasicLSTMCell(2)
    state = cell.zero_state(3, tf.float32)
    a, state_a = cell(tf.ones([3, 4]), state)
    b, _ = cell(tf.zeros([3, 4]), state_a)
    assert len(tf.trainable_variables()) == 2
    # TF1's pattern: the same graph built twice under variable_scope(reuse=True) shares variables
    def model(inputs, reuse):
        with tf.variable_scope("model", reuse=reuse):
            cell = tf.nn.rnn_cell.BasicRNNCell(2, name="cell")
            return tf.nn.dynamic_rnn(cell, inputs, dtype=tf.float32)[0]
    first = model(tf.ones([1, 2, 4]), None)
    second = model(tf.ones([1, 2, 4]), True)
    names = [v.name for v in tf.trainable_variables()]
    assert names == ["basic_lstm_cell/kernel:0", "basic_lstm_cell/bias:0",
                     "model/rnn/cell/kernel:0", "model/rnn/cell/bias:0"]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        f, s = sess.run([first, second])
    np.testing.assert_array_equal(f, s)


def test_multi_rnn_cell_of_two_lstms():
    data = np.random.RandomState(9).randn(2, 3, 4).astype(np.float32)
    cells = [tf.nn.rnn_cell.BasicLSTMCell(5), tf.nn.rnn_cell.BasicLSTMCell(3)]
    multi = tf.nn.rnn_cell.MultiRNNCell(cells)
    assert multi.state_size == (tf.nn.rnn_cell.LSTMStateTuple(5, 5), tf.nn.rnn_cell.LSTMStateTuple(3, 3))
    assert multi.output_size == 3
    out, state = tf.nn.dynamic_rnn(multi, tf.constant(data), dtype=tf.float32)
    assert out.shape.as_list() == [2, 3, 3]
    assert [v.name for v in tf.trainable_variables()] == [
        "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/kernel:0", "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/bias:0",
        "rnn/multi_rnn_cell/cell_1/basic_lstm_cell/kernel:0", "rnn/multi_rnn_cell/cell_1/basic_lstm_cell/bias:0"]
    assert cells[1].variables[0].shape.as_list() == [5 + 3, 12]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        k0, b0, k1, b1 = _randomize(sess, multi.variables)
        got_out, got_state = sess.run([out, state])
    zeros5, zeros3 = np.zeros((2, 5), np.float32), np.zeros((2, 3), np.float32)
    first, c0, h0 = _np_lstm(data.transpose(1, 0, 2), zeros5, zeros5, k0, b0)
    second, c1, h1 = _np_lstm(first, zeros3, zeros3, k1, b1)
    np.testing.assert_allclose(got_out, np.transpose(second, [1, 0, 2]), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got_state[0].c, c0, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got_state[1].h, h1, rtol=1e-5, atol=1e-6)


def test_dropout_wrapper():
    cell = tf.contrib.rnn.DropoutWrapper(tf.contrib.rnn.BasicRNNCell(50), input_keep_prob=1.0,
                                         output_keep_prob=0.5, seed=1)
    keep = tf.placeholder_with_default(1.0, [])
    identity_cell = tf.contrib.rnn.DropoutWrapper(tf.contrib.rnn.BasicLSTMCell(4), output_keep_prob=keep,
                                                  state_keep_prob=keep)
    x = tf.ones([8, 3, 2])
    out, _ = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32, scope="a")
    plain = tf.nn.dynamic_rnn(identity_cell.wrapped_cell, x, dtype=tf.float32, scope="b")[0]
    wrapped = tf.nn.dynamic_rnn(identity_cell, x, dtype=tf.float32, scope="b")[0]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        value = sess.run(out)
        assert 0.3 < np.mean(value == 0) < 0.7
        np.testing.assert_allclose(*sess.run([plain, wrapped]))
    with pytest.raises(ValueError, match="output_keep_prob"):
        tf.contrib.rnn.DropoutWrapper(cell, output_keep_prob=1.5)


def _constant_getter(getter, name, shape=None, dtype=None, **kwargs):
    # weights as constants so that gradcheck's graphs need no initialization
    seed = sum(map(ord, name)) % 1000
    return tf.constant(np.random.RandomState(seed).uniform(-0.8, 0.8, shape), dtype=dtype)


@pytest.mark.parametrize("cell_class", ["lstm", "gru", "multi"])
def test_gradient_through_dynamic_rnn(cell_class):
    data = np.random.RandomState(10).randn(2, 3, 2)
    initial = np.random.RandomState(11).randn(2, 2)

    def build(x, h0):
        with tf.variable_scope("net", custom_getter=_constant_getter):
            if cell_class == "lstm":
                cell = tf.nn.rnn_cell.BasicLSTMCell(2)
                state = tf.nn.rnn_cell.LSTMStateTuple(h0 * 0.5, h0)
            elif cell_class == "gru":
                cell = tf.nn.rnn_cell.GRUCell(2)
                state = h0
            else:
                cell = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.BasicLSTMCell(2), tf.nn.rnn_cell.GRUCell(2)])
                state = (tf.nn.rnn_cell.LSTMStateTuple(h0, h0), h0)
            out, final = tf.nn.dynamic_rnn(cell, x, initial_state=state, sequence_length=[3, 2])
            return tf.concat([tf.reshape(out, [2, 6])] + _flat(final), 1)
    check_gradients(build, [data, initial])


def _flat(structure):
    if isinstance(structure, (tuple, list)):
        return [t for s in structure for t in _flat(s)]
    return [structure]


def test_gradient_through_while_loop_rnn():
    data = np.random.RandomState(12).randn(2, 3, 2)

    def build(x):
        with tf.variable_scope("net", custom_getter=_constant_getter):
            unknown = tf.placeholder_with_default(x, [None, None, 2])
            out, state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicLSTMCell(2), unknown, dtype=tf.float64)
            return tf.concat([tf.reshape(out, [2, 6]), state.c], 1)
    check_gradients(build, [data])


def test_sequence_sign_classification_trains():
    start = time.time()
    rng = np.random.RandomState(0)
    data = rng.randn(256, 6, 1).astype(np.float32)
    labels = (data.sum(axis=(1, 2)) > 0).astype(np.int32)
    x = tf.placeholder(tf.float32, [None, 6, 1])
    y = tf.placeholder(tf.int32, [None])
    tf.set_random_seed(1)
    cell = tf.contrib.rnn.BasicLSTMCell(8)
    _, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    w = tf.get_variable("w", [8, 2])
    b = tf.get_variable("b", [2], initializer=tf.zeros_initializer())
    logits = tf.matmul(state.h, w) + b
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    train = tf.train.AdamOptimizer(0.03).minimize(loss)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.cast(tf.argmax(logits, 1), tf.int32), y), tf.float32))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(300):
            sess.run(train, {x: data, y: labels})
        acc = sess.run(accuracy, {x: data, y: labels})
    assert acc > 0.95, acc
    assert time.time() - start < 10


def test_errors():
    cell = tf.nn.rnn_cell.BasicLSTMCell(2)
    with pytest.raises(ValueError, match=r"rank-3.*\(4, 3\)"):
        tf.nn.dynamic_rnn(cell, tf.zeros([4, 3]), dtype=tf.float32)
    with pytest.raises(ValueError, match="dtype must be specified"):
        tf.nn.dynamic_rnn(cell, tf.zeros([4, 3, 2]))
    with pytest.raises(TypeError, match="sequence"):
        tf.nn.static_rnn(cell, tf.zeros([4, 3]), dtype=tf.float32)
    with pytest.raises(ValueError, match="tuple of length 2"):
        multi = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.BasicRNNCell(2), tf.nn.rnn_cell.BasicRNNCell(2)])
        multi(tf.zeros([1, 2]), tf.zeros([1, 2]))
