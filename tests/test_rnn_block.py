"""The fused LSTM / GRU ops (ops/rnn_block.py): every output of LSTMBlockCell, BlockLSTM, BlockLSTMV2,
GRUBlockCell and their Grad ops against hand-written NumPy steps (float32 and float64, with and without
peepholes and cell clipping), finite-difference gradients through each forward op, the error paths,
GraphDef export, the contrib cells built on them, the guarded GPU, and real TensorFlow (parity, and TF
running a numflow GraphDef) where NUMFLOW_TF_PYTHON is set."""
import numpy as np
import pytest

import numflow as tf
from gradcheck import check_gradients
from numflow.ops import rnn_block
from numflow.ops.common import make_op
from tf_parity import assert_same, requires_tensorflow, run_both

ICFO, IFCO = (0, 1, 2, 3), (0, 2, 1, 3)
BATCH, INPUT, CELL, TIME = 3, 2, 4, 5


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _lstm_arrays(seed, dtype=np.float64, time=None):
    """x ([time,] batch, input), cs_prev, h_prev, w, wci, wcf, wco, b."""
    rng = np.random.RandomState(seed)
    x_shape = (BATCH, INPUT) if time is None else (time, BATCH, INPUT)
    arrays = [rng.uniform(-1, 1, x_shape), rng.uniform(-1, 1, (BATCH, CELL)), rng.uniform(-1, 1, (BATCH, CELL)),
              rng.uniform(-0.6, 0.6, (INPUT + CELL, 4 * CELL))] + list(rng.uniform(-0.5, 0.5, (3, CELL))) + \
        [rng.uniform(-0.3, 0.3, 4 * CELL)]
    return [a.astype(dtype) for a in arrays]


def np_lstm_step(x, cs_prev, h_prev, w, wci, wcf, wco, b, forget_bias, cell_clip, use_peephole, layout=ICFO):
    """TF's LSTMBlockCell step in plain NumPy: (i, cs, f, o, ci, co, h)."""
    pre = np.concatenate([x, h_prev], 1) @ w + b
    blocks = np.split(pre, 4, axis=1)
    i, ci, f, o = (blocks[k] for k in layout)
    if not use_peephole:
        wci = wcf = wco = np.zeros_like(wci)
    i = sigmoid(i + cs_prev * wci)
    f = sigmoid(f + forget_bias + cs_prev * wcf)
    ci = np.tanh(ci)
    cs = ci * i + cs_prev * f
    if cell_clip > 0:
        cs = np.clip(cs, -cell_clip, cell_clip)
    o = sigmoid(o + cs * wco)
    co = np.tanh(cs)
    return i, cs, f, o, ci, co, co * o


def np_lstm_step_grad(cs_prev, wci, wcf, wco, states, cs_grad, h_grad, use_peephole, layout=ICFO):
    """TF's LSTMBlockCellGrad in plain NumPy: (cs_prev_grad, dicfo, wci_grad, wcf_grad, wco_grad)."""
    i, cs, f, o, ci, co = states
    if not use_peephole:
        wci = wcf = wco = np.zeros_like(wci)
    d_o = o * (1 - o) * h_grad * co
    d_cs = (1 - co ** 2) * h_grad * o + cs_grad + d_o * wco
    d_ci = (1 - ci ** 2) * d_cs * i
    d_f = f * (1 - f) * d_cs * cs_prev
    d_i = i * (1 - i) * d_cs * ci
    blocks = [None] * 4
    for position, grad in zip(layout, (d_i, d_ci, d_f, d_o)):
        blocks[position] = grad
    cs_prev_grad = d_cs * f + d_i * wci + d_f * wcf
    peepholes = [(d_i * cs_prev).sum(0), (d_f * cs_prev).sum(0), (d_o * cs).sum(0)]
    if not use_peephole:
        peepholes = [np.zeros_like(p) for p in peepholes]
    return [cs_prev_grad, np.concatenate(blocks, 1)] + peepholes


def np_block_lstm(seq_len_max, x, cs_prev, h_prev, w, wci, wcf, wco, b, forget_bias, cell_clip, use_peephole,
                  layout=ICFO):
    """BlockLSTM as a loop of NumPy steps; zeros at and past seq_len_max."""
    outputs = [np.zeros(x.shape[:2] + (cs_prev.shape[1],), x.dtype) for _ in range(7)]
    cs, h = cs_prev, h_prev
    for t in range(seq_len_max):
        step = np_lstm_step(x[t], cs, h, w, wci, wcf, wco, b, forget_bias, cell_clip, use_peephole, layout)
        for out, value in zip(outputs, step):
            out[t] = value
        cs, h = step[1], step[6]
    return outputs


def np_block_lstm_grad(seq_len_max, x, cs_prev, h_prev, w, wci, wcf, wco, b, states, cs_grad, h_grad, use_peephole,
                       layout=ICFO):
    """BlockLSTMGrad as a backward loop of NumPy step gradients."""
    input_size = x.shape[2]
    grads = {"x": np.zeros_like(x), "w": np.zeros_like(w), "b": np.zeros_like(b)}
    peepholes = [np.zeros_like(wci) for _ in range(3)]
    cs_carry, h_carry = np.zeros_like(cs_prev), np.zeros_like(h_prev)
    for t in range(seq_len_max - 1, -1, -1):
        before_cs = cs_prev if t == 0 else states[1][t - 1]
        before_h = h_prev if t == 0 else states[6][t - 1]
        step_states = [s[t] for s in states[:6]]
        cs_carry, dicfo, *step_peepholes = np_lstm_step_grad(before_cs, wci, wcf, wco, step_states,
                                                             cs_grad[t] + cs_carry, h_grad[t] + h_carry,
                                                             use_peephole, layout)
        xh_grad = dicfo @ w.T
        grads["x"][t] = xh_grad[:, :input_size]
        h_carry = xh_grad[:, input_size:]
        grads["w"] += np.concatenate([x[t], before_h], 1).T @ dicfo
        grads["b"] += dicfo.sum(0)
        peepholes = [p + s for p, s in zip(peepholes, step_peepholes)]
    return [grads["x"], cs_carry, h_carry, grads["w"]] + peepholes + [grads["b"]]


def _run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


def _tolerance(dtype):
    return dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-12)


def _assert_all_close(got, want, dtype):
    assert len(got) == len(want)
    for index, (g, w) in enumerate(zip(got, want)):
        assert g.dtype == dtype and g.shape == np.shape(w), (index, g.dtype, g.shape)
        np.testing.assert_allclose(g, w, err_msg="output %d" % index, **_tolerance(dtype))


# --- LSTMBlockCell ------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("use_peephole", [False, True])
@pytest.mark.parametrize("cell_clip", [-1.0, 0.0, 0.3])
def test_lstm_block_cell_outputs_match_numpy(dtype, use_peephole, cell_clip):
    arrays = _lstm_arrays(1, dtype)
    got = _run(rnn_block.lstm_block_cell(*arrays, forget_bias=0.6, cell_clip=cell_clip, use_peephole=use_peephole))
    want = np_lstm_step(*[a.astype(np.float64) for a in arrays], 0.6, cell_clip, use_peephole)
    _assert_all_close(got, want, dtype)
    if cell_clip == 0.3:
        assert np.abs(got[1]).max() == pytest.approx(0.3)        # the clip binds somewhere


def test_lstm_block_cell_default_attrs_are_tfs():
    op = rnn_block.lstm_block_cell(*_lstm_arrays(2, np.float32))[0].op
    assert op.type == "LSTMBlockCell"
    assert (op.attrs["forget_bias"], op.attrs["cell_clip"], op.attrs["use_peephole"]) == (1.0, 3.0, False)
    assert [t.shape.as_list() for t in op.outputs] == [[BATCH, CELL]] * 7


def test_lstm_block_cell_float16():
    arrays = _lstm_arrays(3, np.float16)
    got = _run(rnn_block.lstm_block_cell(*arrays, use_peephole=True))
    want = np_lstm_step(*[a.astype(np.float64) for a in arrays], 1.0, 3.0, True)
    for g, w in zip(got, want):
        assert g.dtype == np.float16
        np.testing.assert_allclose(g.astype(np.float64), w, rtol=2e-2, atol=5e-3)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("use_peephole", [False, True])
def test_lstm_block_cell_grad_op_matches_numpy(dtype, use_peephole):
    arrays = _lstm_arrays(4, dtype)
    rng = np.random.RandomState(5)
    cs_grad, h_grad = rng.uniform(-1, 1, (2, BATCH, CELL)).astype(dtype)
    states = rnn_block.lstm_block_cell(*arrays, forget_bias=0.8, cell_clip=0.5, use_peephole=use_peephole)
    grad_op = make_op("LSTMBlockCellGrad", [tf.constant(a) for a in arrays] + list(states[:6]) +
                      [tf.constant(cs_grad), tf.constant(h_grad)], {"use_peephole": use_peephole})
    got_states, got = _run([states, grad_op.outputs])
    x, cs_prev, h_prev, w, wci, wcf, wco, b = [a.astype(np.float64) for a in arrays]
    want = np_lstm_step_grad(cs_prev, wci, wcf, wco, [s.astype(np.float64) for s in got_states[:6]],
                             cs_grad.astype(np.float64), h_grad.astype(np.float64), use_peephole)
    _assert_all_close(got, want, dtype)
    assert [t.shape.as_list() for t in grad_op.outputs] == [[BATCH, CELL], [BATCH, 4 * CELL], [CELL], [CELL], [CELL]]


@pytest.mark.parametrize("use_peephole", [False, True])
def test_lstm_block_cell_gradients_match_finite_differences(use_peephole):
    def build(*inputs):
        states = rnn_block.lstm_block_cell(*inputs, forget_bias=0.7, cell_clip=10.0, use_peephole=use_peephole)
        return tf.concat([states[1], states[6] * 1.5], 1)
    check_gradients(build, _lstm_arrays(6))


def test_lstm_block_cell_gradient_is_the_grad_ops():
    """tf.gradients builds LSTMBlockCellGrad and reads cs and h only (as TF: the gate outputs carry none)."""
    inputs = [tf.constant(a) for a in _lstm_arrays(7)]
    states = rnn_block.lstm_block_cell(*inputs, use_peephole=True)
    grads = tf.gradients(tf.reduce_sum(states[1]) + tf.reduce_sum(states[0]) + tf.reduce_sum(states[6]), inputs)
    only = tf.gradients(tf.reduce_sum(states[1]) + tf.reduce_sum(states[6]), inputs)
    assert "LSTMBlockCellGrad" in {op.type for op in tf.get_default_graph().get_operations()}
    for with_gates, without in zip(*_run([grads, only])):
        np.testing.assert_array_equal(with_gates, without)


# --- BlockLSTM / BlockLSTMV2 ---------------------------------------------------------------------------
_BLOCK_OPS = [(rnn_block.block_lstm, ICFO, {"forget_bias": 0.6}, 0.6), (rnn_block.block_lstm_v2, IFCO, {}, 0.0)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("use_peephole", [False, True])
@pytest.mark.parametrize("cell_clip", [0.0, 0.4])
@pytest.mark.parametrize("steps", [TIME, 2, 0])
@pytest.mark.parametrize("build, layout, attrs, forget_bias", _BLOCK_OPS)
def test_block_lstm_outputs_match_numpy_steps(dtype, use_peephole, cell_clip, steps, build, layout, attrs,
                                              forget_bias):
    arrays = _lstm_arrays(8, dtype, TIME)
    got = _run(build(steps, *arrays, cell_clip=cell_clip, use_peephole=use_peephole, **attrs))
    want = np_block_lstm(steps, *[a.astype(np.float64) for a in arrays], forget_bias, cell_clip, use_peephole, layout)
    _assert_all_close(got, want, dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("use_peephole", [False, True])
@pytest.mark.parametrize("steps", [TIME, 3, 0])
@pytest.mark.parametrize("build, layout, attrs, forget_bias", _BLOCK_OPS)
def test_block_lstm_grad_ops_match_numpy(dtype, use_peephole, steps, build, layout, attrs, forget_bias):
    arrays = _lstm_arrays(9, dtype, TIME)
    rng = np.random.RandomState(10)
    cs_grad, h_grad = rng.uniform(-1, 1, (2, TIME, BATCH, CELL)).astype(dtype)
    states = build(steps, *arrays, cell_clip=0.5, use_peephole=use_peephole, **attrs)
    grad_type = "BlockLSTMGrad" if layout == ICFO else "BlockLSTMGradV2"
    inputs = [tf.constant(steps, tf.int64)] + [tf.constant(a) for a in arrays] + list(states) + \
        [tf.constant(cs_grad), tf.constant(h_grad)]
    grad_op = make_op(grad_type, inputs, {"use_peephole": use_peephole})
    got_states, got = _run([states, grad_op.outputs])
    as64 = [a.astype(np.float64) for a in arrays]
    want = np_block_lstm_grad(steps, *as64, [s.astype(np.float64) for s in got_states], cs_grad.astype(np.float64),
                              h_grad.astype(np.float64), use_peephole, layout)
    _assert_all_close(got, want, dtype)


@pytest.mark.parametrize("use_peephole", [False, True])
@pytest.mark.parametrize("steps", [TIME, 3])
@pytest.mark.parametrize("build, layout, attrs, forget_bias", _BLOCK_OPS)
def test_block_lstm_gradients_match_finite_differences(use_peephole, steps, build, layout, attrs, forget_bias):
    def loss(*inputs):
        states = build(steps, *inputs, cell_clip=0.0, use_peephole=use_peephole, **attrs)
        return tf.concat([states[1], states[6] * 1.5], 2)
    check_gradients(loss, _lstm_arrays(11, np.float64, TIME))


def test_block_lstm_gradient_builds_its_grad_op_and_none_for_seq_len_max():
    arrays = [tf.constant(a) for a in _lstm_arrays(12, np.float32, TIME)]
    seq_len_max = tf.constant(TIME, tf.int64)
    for build, grad_type in ((rnn_block.block_lstm, "BlockLSTMGrad"), (rnn_block.block_lstm_v2, "BlockLSTMGradV2")):
        states = build(seq_len_max, *arrays)
        grads = tf.gradients(tf.reduce_sum(states[6]), [seq_len_max] + arrays, unconnected_gradients="none")
        assert grads[0] is None and all(g is not None for g in grads[1:])
        assert grads[1].op.type == grad_type


# --- GRUBlockCell ------------------------------------------------------------------------------------
def _gru_arrays(seed, dtype=np.float64):
    """x, h_prev, w_ru, w_c, b_ru, b_c."""
    rng = np.random.RandomState(seed)
    arrays = [rng.uniform(-1, 1, (BATCH, INPUT)), rng.uniform(-1, 1, (BATCH, CELL)),
              rng.uniform(-0.6, 0.6, (INPUT + CELL, 2 * CELL)), rng.uniform(-0.6, 0.6, (INPUT + CELL, CELL)),
              rng.uniform(-0.3, 0.3, 2 * CELL), rng.uniform(-0.3, 0.3, CELL)]
    return [a.astype(dtype) for a in arrays]


def np_gru_step(x, h_prev, w_ru, w_c, b_ru, b_c):
    r, u = np.split(sigmoid(np.concatenate([x, h_prev], 1) @ w_ru + b_ru), 2, axis=1)
    c = np.tanh(np.concatenate([x, r * h_prev], 1) @ w_c + b_c)
    return r, u, c, u * h_prev + (1 - u) * c


def np_gru_step_grad(x, h_prev, w_ru, w_c, r, u, c, d_h):
    """TF's GRUBlockCellGrad in plain NumPy: (d_x, d_h_prev, d_c_bar, d_r_bar_u_bar)."""
    input_size = x.shape[1]
    d_c_bar = d_h * (1 - u) * (1 - c ** 2)
    d_u_bar = d_h * (h_prev - c) * u * (1 - u)
    d_xh_r = d_c_bar @ w_c.T
    d_r_bar = d_xh_r[:, input_size:] * h_prev * r * (1 - r)
    d_ru = np.concatenate([d_r_bar, d_u_bar], 1)
    d_xh = d_ru @ w_ru.T
    d_x = d_xh_r[:, :input_size] + d_xh[:, :input_size]
    d_h_prev = d_xh_r[:, input_size:] * r + d_h * u + d_xh[:, input_size:]
    return d_x, d_h_prev, d_c_bar, d_ru


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gru_block_cell_outputs_and_grad_op_match_numpy(dtype):
    arrays = _gru_arrays(13, dtype)
    d_h = np.random.RandomState(14).uniform(-1, 1, (BATCH, CELL)).astype(dtype)
    states = rnn_block.gru_block_cell(*arrays)
    grad_op = make_op("GRUBlockCellGrad", [tf.constant(a) for a in arrays] + list(states[:3]) + [tf.constant(d_h)])
    got_states, got_grads = _run([states, grad_op.outputs])
    as64 = [a.astype(np.float64) for a in arrays]
    _assert_all_close(got_states, np_gru_step(*as64), dtype)
    x, h_prev, w_ru, w_c = as64[:4]
    want = np_gru_step_grad(x, h_prev, w_ru, w_c, *[s.astype(np.float64) for s in got_states[:3]],
                            d_h.astype(np.float64))
    _assert_all_close(got_grads, want, dtype)
    assert [t.shape.as_list() for t in grad_op.outputs] == [[BATCH, INPUT], [BATCH, CELL], [BATCH, CELL],
                                                            [BATCH, 2 * CELL]]


def test_gru_block_cell_gradients_match_finite_differences():
    check_gradients(lambda *inputs: rnn_block.gru_block_cell(*inputs)[3], _gru_arrays(15))


def test_gru_block_cell_gradient_flows_from_h_only():
    inputs = [tf.constant(a) for a in _gru_arrays(16)]
    r, u, c, h = rnn_block.gru_block_cell(*inputs)
    with_gates = tf.gradients(tf.reduce_sum(h) + tf.reduce_sum(r) + tf.reduce_sum(c), inputs)
    only = tf.gradients(tf.reduce_sum(h), inputs)
    assert "GRUBlockCellGrad" in _op_types()
    for a, b in zip(*_run([with_gates, only])):
        np.testing.assert_array_equal(a, b)


def test_grad_ops_have_no_gradient_of_their_own():
    inputs = [tf.constant(a) for a in _gru_arrays(17)]
    h = rnn_block.gru_block_cell(*inputs)[3]
    first = tf.gradients(tf.reduce_sum(h), inputs[0])[0]
    with pytest.raises(LookupError, match="No gradient defined for operation.*GRUBlockCellGrad"):
        tf.gradients(tf.reduce_sum(first), inputs[0])
    arrays = [tf.constant(a) for a in _lstm_arrays(18, np.float64, TIME)]
    first = tf.gradients(tf.reduce_sum(rnn_block.block_lstm(TIME, *arrays)[6]), arrays[0])[0]
    with pytest.raises(LookupError, match="No gradient defined for operation.*BlockLSTMGrad"):
        tf.gradients(tf.reduce_sum(first), arrays[0])


# --- errors ------------------------------------------------------------------------------------------
def test_dtype_errors():
    arrays = _lstm_arrays(19, np.float32)
    with pytest.raises(TypeError, match="Input 'cs_prev' of 'LSTMBlockCell' Op has type float64 that does not match "
                                        "type float32 of argument 'x'"):
        rnn_block.lstm_block_cell(arrays[0], arrays[1].astype(np.float64), *arrays[2:])
    with pytest.raises(TypeError, match="parameter 'x' has DataType int32 not in list of allowed values: float16, "
                                        "float32, float64"):
        rnn_block.gru_block_cell(*[a.astype(np.int32) for a in _gru_arrays(20)])
    with pytest.raises(TypeError, match="Input 'seq_len_max' of 'BlockLSTM' Op has type int32 that does not match "
                                        "expected type of int64"):
        make_op("BlockLSTM", [tf.constant(2)] + [tf.constant(a) for a in _lstm_arrays(21, np.float32, TIME)],
                {"forget_bias": 1.0, "cell_clip": 0.0, "use_peephole": False})
    with pytest.raises(TypeError, match="Input 'w' of 'BlockLSTMV2' Op has type float64 that does not match"):
        arrays = _lstm_arrays(22, np.float32, TIME)
        rnn_block.block_lstm_v2(TIME, *arrays[:3], arrays[3].astype(np.float64), *arrays[4:])


def test_rank_errors_at_graph_construction():
    arrays = _lstm_arrays(23, np.float32)
    with pytest.raises(ValueError, match=r"Shape must be rank 2 but is rank 1 for '.*' \(op: 'LSTMBlockCell'\) "
                                         r"with input shapes: \[2\], \[3,4\]"):
        rnn_block.lstm_block_cell(arrays[0][0], *arrays[1:])
    with pytest.raises(ValueError, match=r"Shape must be rank 3 but is rank 2 for '.*' \(op: 'BlockLSTM'\)"):
        rnn_block.block_lstm(1, *arrays)
    with pytest.raises(ValueError, match=r"Shape must be rank 1 but is rank 2 for '.*' \(op: 'GRUBlockCell'\)"):
        gru = _gru_arrays(24, np.float32)
        rnn_block.gru_block_cell(*gru[:4], gru[4].reshape(1, -1), gru[5])


def _fed_lstm_cell(arrays):
    """LSTMBlockCell on placeholders of unknown shape, so that the kernel checks shapes at run time."""
    placeholders = [tf.placeholder(tf.float32) for _ in arrays]
    return placeholders, rnn_block.lstm_block_cell(*placeholders)


def test_shape_errors_at_run_time():
    arrays = _lstm_arrays(25, np.float32)
    placeholders, states = _fed_lstm_cell(arrays)
    with tf.Session() as sess:
        bad_w = dict(zip(placeholders, arrays[:3] + [arrays[3][1:]] + arrays[4:]))
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"LSTMBlockCell: w has shape \[5, 16\] but must be \[6, 16\] \(batch_size 3, "
                                 r"input_size 2, cell_size 4\)"):
            sess.run(states[6], bad_w)
        bad_h = dict(zip(placeholders, arrays[:2] + [arrays[2][:2]] + arrays[3:]))
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"h_prev has shape \[2, 4\] but must be \[3, 4\]"):
            sess.run(states[6], bad_h)
        bad_b = dict(zip(placeholders, arrays[:7] + [arrays[7][:5]]))
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"b has shape \[5\] but must be \[16\]"):
            sess.run(states[6], bad_b)
    gru = _gru_arrays(26, np.float32)
    fed = [tf.placeholder(tf.float32) for _ in gru]
    h = rnn_block.gru_block_cell(*fed)[3]
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"GRUBlockCell: w_c has shape \[6, 3\] but must be "
                                                                 r"\[6, 4\]"):
            sess.run(h, dict(zip(fed, gru[:3] + [gru[3][:, :3]] + gru[4:])))


def test_rank_errors_at_run_time():
    """Placeholders of unknown rank: the kernels check the ranks of what is fed."""
    lstm = _lstm_arrays(41, np.float32, TIME)
    fed = [tf.placeholder(tf.float32) for _ in lstm]
    h = rnn_block.block_lstm(TIME, *fed)[6]
    cell = rnn_block.lstm_block_cell(*fed)[6]
    gru = _gru_arrays(42, np.float32)
    gru_fed = [tf.placeholder(tf.float32) for _ in gru]
    gru_h = rnn_block.gru_block_cell(*gru_fed)[3]
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"BlockLSTM: x must have rank 3 and cs_prev rank 2, "
                                                                 r"got shapes \[3, 2\] and \[3, 4\]"):
            sess.run(h, dict(zip(fed, [lstm[0][0]] + lstm[1:])))
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"LSTMBlockCell: x must have rank 2 and cs_prev rank "
                                                                 r"2, got shapes \[5, 3, 2\]"):
            sess.run(cell, dict(zip(fed, lstm)))
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"GRUBlockCell: x and h_prev must be rank 2, got "
                                                                 r"shapes \[3, 2\] and \[4\]"):
            sess.run(gru_h, dict(zip(gru_fed, [gru[0], gru[1][0]] + gru[2:])))


def test_seq_len_max_errors_at_run_time():
    arrays = _lstm_arrays(27, np.float32, TIME)
    seq_len_max = tf.placeholder(tf.int64)
    h = rnn_block.block_lstm(seq_len_max, *arrays)[6]
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"BlockLSTM: seq_len_max = 6 is not in \[0, 5\]"):
            sess.run(h, {seq_len_max: TIME + 1})
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"seq_len_max = -1 is not in \[0, 5\]"):
            sess.run(h, {seq_len_max: -1})
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"seq_len_max must be a scalar, got shape \[2\]"):
            sess.run(h, {seq_len_max: [1, 2]})
        assert np.abs(sess.run(h, {seq_len_max: 2})[2:]).max() == 0


# --- GraphDef ----------------------------------------------------------------------------------------
def test_graph_def_exports_tf_op_names_and_attrs_and_reads_back():
    arrays = _lstm_arrays(28, np.float32, TIME)
    x = tf.placeholder(tf.float32, [TIME, BATCH, INPUT], name="x")
    consts = [tf.constant(a) for a in arrays[1:]]
    states = rnn_block.block_lstm(3, x, *consts, forget_bias=0.5, cell_clip=0.7, use_peephole=True, name="block")
    v2 = rnn_block.block_lstm_v2(TIME, x, *consts, name="block_v2")
    cell = rnn_block.lstm_block_cell(x[0], *consts, cell_clip=-1.0, name="cell")
    gru_consts = [tf.constant(a.astype(np.float32)) for a in _gru_arrays(29)[1:]]
    gru = rnn_block.gru_block_cell(x[0], *gru_consts, name="gru")
    loss = tf.add_n([tf.reduce_sum(states[6]), tf.reduce_sum(v2[1]), tf.reduce_sum(cell[6]), tf.reduce_sum(gru[3])])
    tf.identity(tf.gradients(loss, x)[0], name="x_grad")
    graph_def = tf.get_default_graph().as_graph_def()
    nodes = {node.name: node for node in graph_def.node}
    assert nodes["block"].op == "BlockLSTM" and nodes["block_v2"].op == "BlockLSTMV2"
    assert nodes["cell"].op == "LSTMBlockCell" and nodes["gru"].op == "GRUBlockCell"
    block = nodes["block"]
    assert (block.attr["forget_bias"].f, block.attr["cell_clip"].f, block.attr["use_peephole"].b) == (0.5, 0.7, True)
    assert block.attr["T"].type == tf.float32.as_datatype_enum
    assert "forget_bias" not in nodes["block_v2"].attr
    grad_types = {"BlockLSTMGrad", "BlockLSTMGradV2", "LSTMBlockCellGrad", "GRUBlockCellGrad"}
    assert grad_types <= {n.op for n in graph_def.node}
    feed = np.random.RandomState(30).uniform(-1, 1, (TIME, BATCH, INPUT)).astype(np.float32)
    want = _run(["x_grad:0", "block:6", "gru:3"], {"x:0": feed})
    with tf.Graph().as_default():
        tf.import_graph_def(graph_def, name="")
        assert tf.get_default_graph().get_operation_by_name("block").attrs["cell_clip"] == pytest.approx(0.7)
        got = _run(["x_grad:0", "block:6", "gru:3"], {"x:0": feed})
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)


# --- the contrib cells ---------------------------------------------------------------------------------
def _op_types():
    return {op.type for op in tf.get_default_graph().get_operations()}


def test_contrib_cells_build_the_fused_ops_with_lstmcell_and_grucell_variables():
    xs = np.random.RandomState(31).uniform(-1, 1, (TIME, BATCH, INPUT)).astype(np.float32)
    inputs = tf.constant(xs)
    block = tf.contrib.rnn.LSTMBlockCell(CELL, use_peephole=True, cell_clip=0.5)
    block_out, _ = tf.nn.static_rnn(block, tf.unstack(inputs), dtype=tf.float32, scope="block")
    plain = tf.nn.rnn_cell.LSTMCell(CELL, use_peepholes=True, cell_clip=0.5)
    plain_out, _ = tf.nn.static_rnn(plain, tf.unstack(inputs), dtype=tf.float32, scope="plain")
    gru = tf.contrib.rnn.GRUBlockCellV2(CELL)
    gru_out, _ = tf.nn.dynamic_rnn(gru, inputs, dtype=tf.float32, time_major=True, scope="gru")
    gru_plain = tf.nn.rnn_cell.GRUCell(CELL)
    gru_plain_out, _ = tf.nn.dynamic_rnn(gru_plain, inputs, dtype=tf.float32, time_major=True, scope="gru_plain")
    fused = tf.contrib.rnn.LSTMBlockFusedCell(CELL, use_peephole=True, cell_clip=0.5)
    fused_out, fused_state = fused(inputs, dtype=tf.float32, scope="fused")
    assert {"LSTMBlockCell", "GRUBlockCell", "BlockLSTM"} <= _op_types()
    assert [v.op.name for v in block.variables] == ["block/lstm_cell/kernel", "block/lstm_cell/bias",
                                                    "block/lstm_cell/w_f_diag", "block/lstm_cell/w_i_diag",
                                                    "block/lstm_cell/w_o_diag"]
    assert [v.op.name for v in gru.variables] == ["gru/gru_cell/gates/kernel", "gru/gru_cell/gates/bias",
                                                  "gru/gru_cell/candidate/kernel", "gru/gru_cell/candidate/bias"]
    assert [v.op.name for v in fused.variables] == ["fused/kernel", "fused/bias", "fused/w_f_diag", "fused/w_i_diag",
                                                    "fused/w_o_diag"]
    loss = tf.reduce_sum(fused_out) + tf.reduce_sum(block_out[-1]) + tf.reduce_sum(gru_out)
    grads = tf.gradients(loss, block.variables + gru.variables + fused.variables)
    assert all(g is not None for g in grads)
    assert {"LSTMBlockCellGrad", "GRUBlockCellGrad", "BlockLSTMGrad"} <= _op_types()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for fused_var, block_var, plain_var in zip(fused.variables, block.variables, plain.variables):
            sess.run([fused_var.assign(block_var), plain_var.assign(block_var)])
        for a, b in zip(gru.variables, gru_plain.variables):
            sess.run(b.assign(a))
        got = sess.run([block_out, plain_out, gru_out, gru_plain_out, fused_out, fused_state.h])
    np.testing.assert_allclose(got[0], got[1], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[2], got[3], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[4], np.stack(got[1]), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[5], got[1][-1], rtol=1e-5, atol=1e-6)


def test_lstm_block_fused_cell_with_unknown_time_and_lengths():
    xs = np.random.RandomState(32).uniform(-1, 1, (TIME, BATCH, INPUT))
    x = tf.placeholder(tf.float64, [None, BATCH, INPUT])
    lengths = tf.placeholder(tf.int32, [BATCH])
    cell = tf.contrib.rnn.LSTMBlockFusedCell(CELL, forget_bias=0.3)
    outputs, state = cell(x, dtype=tf.float64, sequence_length=lengths)
    block = [op for op in tf.get_default_graph().get_operations() if op.type == "BlockLSTM"][0]
    assert block.attrs["cell_clip"] == -1.0 and block.attrs["forget_bias"] == pytest.approx(0.3)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        kernel, bias = sess.run(cell.variables)
        got, got_state = sess.run([outputs, state], {x: xs, lengths: [3, 1, 2]})
    zeros = np.zeros(4)
    want = np_block_lstm(3, xs, np.zeros((BATCH, CELL)), np.zeros((BATCH, CELL)), kernel, zeros, zeros, zeros, bias,
                         0.3, 0.0, False)
    mask = (np.arange(TIME)[:, None] < np.array([3, 1, 2]))[:, :, None]
    np.testing.assert_allclose(got, want[6] * mask, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got_state.c, want[1][[2, 0, 1], np.arange(BATCH)], rtol=1e-10)


# --- the guarded GPU -------------------------------------------------------------------------------------
def test_fused_ops_and_gradients_on_the_gpu_equal_the_cpu(guarded_gpu, capsys):
    from test_backend_nn_kernels import _run_on

    def build():
        lstm = [tf.constant(a) for a in _lstm_arrays(33, np.float32, TIME)]
        cell = [tf.constant(a) for a in _lstm_arrays(34, np.float32)]
        gru = [tf.constant(a) for a in _gru_arrays(35, np.float32)]
        with tf.device("/gpu:0"):
            block = rnn_block.block_lstm(3, *lstm, use_peephole=True, cell_clip=0.5)
            block_v2 = rnn_block.block_lstm_v2(TIME, *lstm, use_peephole=True)
            step = rnn_block.lstm_block_cell(*cell, use_peephole=True)
            gru_step = rnn_block.gru_block_cell(*gru)
            loss = tf.add_n([tf.reduce_sum(block[6]), tf.reduce_sum(block_v2[1] * 0.5), tf.reduce_sum(step[6]),
                             tf.reduce_sum(step[1]), tf.reduce_sum(gru_step[3])])
            grads = tf.gradients(loss, lstm + cell + gru)
        return {"block": list(block), "block_v2": list(block_v2), "step": list(step), "gru": list(gru_step),
                "grads": grads}, None
    on_gpu, placed = _run_on(guarded_gpu, True, build, capsys)
    on_cpu, _ = _run_on(guarded_gpu, False, build, capsys)
    for op_type in ("BlockLSTM", "BlockLSTMGrad", "BlockLSTMV2", "BlockLSTMGradV2", "LSTMBlockCell",
                    "LSTMBlockCellGrad", "GRUBlockCell", "GRUBlockCellGrad"):
        assert placed[op_type].endswith("GPU:0"), (op_type, placed[op_type])
    for key in on_cpu:
        for gpu_value, cpu_value in zip(on_gpu[key], on_cpu[key]):
            assert type(gpu_value) is np.ndarray and gpu_value.dtype == cpu_value.dtype
            np.testing.assert_allclose(gpu_value, cpu_value, rtol=1e-5, atol=1e-6, err_msg=key)


# --- real TensorFlow ---------------------------------------------------------------------------------
@requires_tensorflow
@pytest.mark.parametrize("family", ["lstm_block_cell", "block_lstm", "gru_block_cell"])
def test_fused_ops_match_tensorflow(tmp_path, family):
    import tf_parity_rnn_block
    ours, theirs = run_both(tf_parity_rnn_block, family, tmp_path)
    assert_same(ours, theirs, lambda dtype: (2e-5, 2e-6))


@requires_tensorflow
def test_tensorflow_runs_a_numflow_graph_of_the_fused_ops(tmp_path):
    from test_graph_def_tf_interop import run_in_tensorflow
    rng = np.random.RandomState(36)
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [TIME, BATCH, INPUT], name="x")
        with tf.variable_scope("model", initializer=tf.random_uniform_initializer(-0.5, 0.5, seed=3)):
            fused_out, _ = tf.contrib.rnn.LSTMBlockFusedCell(CELL, use_peephole=True)(x, dtype=tf.float32,
                                                                                     sequence_length=[5, 2, 4])
            block_out, _ = tf.nn.static_rnn(tf.contrib.rnn.LSTMBlockCell(CELL, cell_clip=0.8), tf.unstack(x),
                                            dtype=tf.float32, scope="block")
            gru_out, _ = tf.nn.static_rnn(tf.contrib.rnn.GRUBlockCell(CELL), tf.unstack(x), dtype=tf.float32,
                                          scope="gru")
        loss = tf.identity(tf.reduce_sum(fused_out ** 2) + tf.reduce_sum(block_out[-1]) + tf.reduce_sum(gru_out[-1]),
                           name="loss")
        for index, grad in enumerate(tf.gradients(loss, tf.trainable_variables() + [x])):
            tf.identity(grad, name="grad_%d" % index)
        outputs = ["loss"] + ["grad_%d" % i for i in range(len(tf.trainable_variables()) + 1)]
        feed = {"x:0": rng.uniform(-1, 1, (TIME, BATCH, INPUT)).astype(np.float32)}
        with tf.Session(graph=graph) as sess:
            sess.run(tf.global_variables_initializer())
            expected = sess.run([name + ":0" for name in outputs], feed)
            frozen = tf.graph_util.convert_variables_to_constants(sess, graph.as_graph_def(), outputs)
    assert {"BlockLSTM", "BlockLSTMGrad", "LSTMBlockCell", "LSTMBlockCellGrad", "GRUBlockCell",
            "GRUBlockCellGrad"} <= {node.op for node in frozen.node}
    path = tf.train.write_graph(frozen, str(tmp_path), "fused.pb", as_text=False)
    got = run_in_tensorflow(path, feed, [name + ":0" for name in outputs])
    for name, value in zip(outputs, expected):
        np.testing.assert_allclose(got[name + ":0"], value, rtol=2e-5, atol=2e-5, err_msg=name)


def test_lstm_block_cell_gradient_with_unknown_input_size():
    arrays = _lstm_arrays(37)
    known = [tf.constant(a) for a in arrays]
    x = tf.placeholder(tf.float64, [None, None])
    static = tf.gradients(tf.reduce_sum(rnn_block.lstm_block_cell(*known)[6]), [known[0], known[2]])
    dynamic = tf.gradients(tf.reduce_sum(rnn_block.lstm_block_cell(x, *known[1:])[6]), [x, known[2]])
    assert dynamic[0].shape.as_list() == [None, None]
    for a, b in zip(*_run([static, dynamic], {x: arrays[0]})):
        np.testing.assert_allclose(a, b, rtol=1e-12)


@pytest.mark.parametrize("cell_class", ["LSTMBlockCell", "GRUBlockCell"])
def test_contrib_block_cells_train_through_dynamic_rnn(cell_class):
    from rnn_helpers import check_graph_gradients, randomize
    xs = np.random.RandomState(38).uniform(-1, 1, (BATCH, 3, INPUT))
    x = tf.placeholder(tf.float64, [BATCH, 3, INPUT])
    cell = getattr(tf.contrib.rnn, cell_class)(CELL)
    outputs, _ = tf.nn.dynamic_rnn(cell, x, dtype=tf.float64)
    loss = tf.reduce_sum(outputs * np.random.RandomState(39).uniform(0.5, 1.5, (BATCH, 3, CELL)))
    assert cell_class in _op_types()
    with tf.Session() as sess:
        values = randomize(sess, cell.variables, seed=40)
        feed = {x: xs}
        feed.update({v: values[v.op.name] for v in cell.variables})
        check_graph_gradients(loss, [x] + cell.variables, feed, sess=sess)


_TF_WRITES_FUSED_GRAPH = r"""
import sys, numpy as np, tensorflow.compat.v1 as tf
tf.disable_v2_behavior()
sys.path.insert(0, sys.argv[1])
import tf_parity_rnn_block as p
raw = tf.raw_ops
with tf.Graph().as_default() as graph:
    x = tf.placeholder(tf.float32, [p.TIME, p.BATCH, p.INPUT], name="x")
    params = dict(cs_prev=tf.constant(p.CS0), h_prev=tf.constant(p.H0), w=tf.constant(p.W), wci=tf.constant(p.WCI),
                  wcf=tf.constant(p.WCF), wco=tf.constant(p.WCO), b=tf.constant(p.B))
    block = raw.BlockLSTM(seq_len_max=tf.constant(4, tf.int64), x=x, forget_bias=0.5, cell_clip=0.8,
                          use_peephole=True, name="block", **params)
    tf.identity(tf.gradients(tf.reduce_sum(block[6] * p.H_WEIGHTS), x)[0], name="x_grad")
    cell = raw.LSTMBlockCell(x=x[0], cell_clip=-1.0, name="cell", **params)
    gru = raw.GRUBlockCell(x=x[0], h_prev=tf.constant(p.H0), w_ru=tf.constant(p.W_RU), w_c=tf.constant(p.W_C),
                           b_ru=tf.constant(p.B_RU), b_c=tf.constant(p.B_C), name="gru")
    fetches = ["block:1", "block:6", "x_grad:0", "cell:6", "gru:3"]
    with tf.Session() as sess:
        values = sess.run(fetches, {x: p.X})
open(sys.argv[2], "wb").write(graph.as_graph_def().SerializeToString())
np.savez(sys.argv[3], **{name.replace(":", "_"): v for name, v in zip(fetches, values)})
"""


@requires_tensorflow
def test_numflow_runs_a_tensorflow_graph_of_the_fused_ops(tmp_path):
    import os
    import subprocess
    import tf_parity_rnn_block as parity
    from tf_parity import TF_PYTHON
    graph_path, values_path = tmp_path / "fused.pb", tmp_path / "values.npz"
    done = subprocess.run([TF_PYTHON, "-c", _TF_WRITES_FUSED_GRAPH, os.path.dirname(os.path.abspath(__file__)),
                           str(graph_path), str(values_path)], capture_output=True, text=True,
                          env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    assert done.returncode == 0, done.stderr[-3000:]
    expected = dict(np.load(values_path, allow_pickle=False))
    graph_def = tf.GraphDef.FromString(graph_path.read_bytes())
    tf.import_graph_def(graph_def, name="")
    assert tf.get_default_graph().get_operation_by_name("block").attrs["forget_bias"] == pytest.approx(0.5)
    names = ["block:1", "block:6", "x_grad:0", "cell:6", "gru:3"]
    got = _run(names, {"x:0": parity.X})
    for name, value in zip(names, got):
        np.testing.assert_allclose(value, expected[name.replace(":", "_")], rtol=2e-5, atol=2e-6, err_msg=name)
