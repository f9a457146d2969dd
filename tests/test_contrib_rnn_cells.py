"""tf.contrib.rnn's own cells and wrappers: TF1's variable names, output and state shapes, one step
against a NumPy re-implementation, and the finite-difference gradient of one step."""
import numpy as np
import pytest

import numflow as tf
from rnn_helpers import check_graph_gradients, randomize, sigmoid

rnn = tf.contrib.rnn


def _layer_norm(x, gamma, beta):
    mean = x.mean(1, keepdims=True)
    variance = ((x - mean) ** 2).mean(1, keepdims=True)
    return (x - mean) / np.sqrt(variance + 1e-12) * gamma + beta


def _relu(x):
    return np.maximum(x, 0)


def _split(x, n):
    return np.split(x, n, axis=-1)


# --- NumPy steps: w maps variable names (without the cell's scope) to values -----------------------
def _np_cifg(w, x, state, peepholes=False, layer_norm=False, proj=False, forget_bias=1.0, kernel="W_0"):
    c, m = state
    gates = np.concatenate([x, m], 1) @ w[kernel]
    if not layer_norm:
        gates = gates + w["B"]
    j, f, o = _split(gates, 3)
    if layer_norm:
        j, f, o = (_layer_norm(g, w[p + "/gamma"], w[p + "/beta"]) for g, p in zip((j, f, o),
                                                                                  ("transform", "forget", "output")))
    f = f + forget_bias + (w["W_F_diag"] * c if peepholes else 0)
    new_c = sigmoid(f) * c + (1 - sigmoid(f)) * np.tanh(j)
    if layer_norm:
        new_c = _layer_norm(new_c, w["state/gamma"], w["state/beta"])
    new_m = sigmoid(o + (w["W_O_diag"] * new_c if peepholes else 0)) * np.tanh(new_c)
    if proj:
        new_m = new_m @ w["W_P_0"]
    return new_m, (new_c, new_m)


def _np_layer_norm_lstm(w, x, state, layer_norm=True, peepholes=True, cell_clip=None, proj=False):
    c, m = state
    gates = np.concatenate([x, m], 1) @ w["kernel"]
    if not layer_norm:
        gates = gates + w["bias"]
    i, j, f, o = _split(gates, 4)
    if layer_norm:
        i, j, f, o = (_layer_norm(g, w[p + "/gamma"], w[p + "/beta"])
                      for g, p in zip((i, j, f, o), ("input", "transform", "forget", "output")))
    if peepholes:
        f, i = f + w["w_f_diag"] * c, i + w["w_i_diag"] * c
    new_c = sigmoid(f + 1.0) * c + sigmoid(i) * np.tanh(j)
    if layer_norm:
        new_c = _layer_norm(new_c, w["state/gamma"], w["state/beta"])
    if cell_clip is not None:
        new_c = np.clip(new_c, -cell_clip, cell_clip)
    new_m = sigmoid(o + (w["w_o_diag"] * new_c if peepholes else 0)) * np.tanh(new_c)
    if proj:
        new_m = new_m @ w["projection/kernel"]
    return new_m, (new_c, new_m)


def _np_nas(w, x, state, proj=False, use_bias=True):
    c, m = state
    mm = _split(m @ w["recurrent_kernel"] + (w["bias"] if use_bias else 0), 8)
    xm = _split(x @ w["kernel"], 8)
    l1 = [sigmoid(xm[0] + mm[0]), _relu(xm[1] + mm[1]), sigmoid(xm[2] + mm[2]), _relu(xm[3] * mm[3]),
          np.tanh(xm[4] + mm[4]), sigmoid(xm[5] + mm[5]), np.tanh(xm[6] + mm[6]), sigmoid(xm[7] + mm[7])]
    l2 = [np.tanh(l1[0] * l1[1]), np.tanh(l1[2] + l1[3]), np.tanh(l1[4] * l1[5]), sigmoid(l1[6] + l1[7])]
    new_c = np.tanh(l2[0] + c) * l2[1]
    new_m = np.tanh(new_c * np.tanh(l2[2] + l2[3]))
    if proj:
        new_m = new_m @ w["projection_weights"]
    return new_m, (new_c, new_m)


def _np_glstm(w, x, state, groups=2, proj=True):
    c, m = state
    x_parts, m_parts = np.split(x, groups, 1), np.split(m, groups, 1)
    pieces = [_split(np.concatenate([xp, mp], 1) @ w["group%d/kernel" % k], 4)
              for k, (xp, mp) in enumerate(zip(x_parts, m_parts))]
    i, j, f, o = (np.concatenate([p[g] for p in pieces], 1) + w["bias_" + "ijfo"[g]] for g in range(4))
    new_c = sigmoid(f + 1.0) * c + sigmoid(i) * np.tanh(j)
    new_m = sigmoid(o) * np.tanh(new_c)
    if proj:
        new_m = new_m @ w["projection/kernel"]
    return new_m, (new_c, new_m)


def _np_ugrnn(w, x, h):
    g, c = _split(np.concatenate([x, h], 1) @ w["kernel"] + w["bias"], 2)
    gate = sigmoid(g + 1.0)
    new_h = gate * h + (1 - gate) * np.tanh(c)
    return new_h, new_h


def _np_intersection(w, x, h):
    if "in_projection/kernel" in w:
        x = x @ w["in_projection/kernel"] + w["in_projection/bias"]
    gh, hh, gy, y = _split(np.concatenate([x, h], 1) @ w["kernel"] + w["bias"], 4)
    new_h = sigmoid(gh + 1) * h + (1 - sigmoid(gh + 1)) * np.tanh(hh)
    return sigmoid(gy + 1) * x + (1 - sigmoid(gy + 1)) * _relu(y), new_h


def _np_sru(w, x, c):
    x_bar, f, r, x_skip = _split(x @ w["kernel"], 4)
    f, r = _split(sigmoid(np.concatenate([f, r], 1) + w["bias"]), 2)
    new_c = f * c + (1 - f) * x_bar
    return r * np.tanh(new_c) + (1 - r) * x_skip, new_c


def _np_ind_rnn(w, x, h):
    out = np.tanh(x @ w["kernel_w"] + h * w["kernel_u"] + w["bias"])
    return out, out


def _np_indy_gru(w, x, h):
    r, u = _split(sigmoid(x @ w["gates/kernel_w"] + np.tile(h, 2) * w["gates/kernel_u"] + w["gates/bias"]), 2)
    c = np.tanh(x @ w["candidate/kernel"] + r * h * w["candidate/kernel_u"] + w["candidate/bias"])
    new_h = u * h + (1 - u) * c
    return new_h, new_h


def _np_indy_lstm(w, x, state):
    c, h = state
    i, j, f, o = _split(x @ w["kernel_w"] + np.tile(h, 4) * w["kernel_u"] + w["bias"], 4)
    new_c = c * sigmoid(f + 1.0) + sigmoid(i) * np.tanh(j)
    new_h = np.tanh(new_c) * sigmoid(o)
    return new_h, (new_c, new_h)


def _np_basic_lstm(kernel, bias, x, state):
    c, h = state
    i, j, f, o = _split(np.concatenate([x, h], 1) @ kernel + bias, 4)
    new_c = c * sigmoid(f + 1.0) + sigmoid(i) * np.tanh(j)
    return np.tanh(new_c) * sigmoid(o), (new_c, np.tanh(new_c) * sigmoid(o))


def _np_attention_wrapper(w, x, state, attn_length=3, attn_size=2):
    (c, h), attention, window = state
    window = window.reshape(-1, attn_length, attn_size)
    cell_in = np.concatenate([x, attention], 1) @ w["kernel"] + w["bias"]
    cell_out, (new_c, new_h) = _np_basic_lstm(w["basic_lstm_cell/kernel"], w["basic_lstm_cell/bias"], cell_in, (c, h))
    query = np.concatenate([new_c, new_h], 1)
    features = window @ w["attention/attn_w"][0, 0]
    processed = (query @ w["attention/kernel"] + w["attention/bias"])[:, None]
    scores = (w["attention/attn_v"] * np.tanh(features + processed)).sum(2)
    weights = np.exp(scores - scores.max(1, keepdims=True))
    weights /= weights.sum(1, keepdims=True)
    new_attention = (weights[..., None] * window).sum(1)
    output = np.concatenate([cell_out, new_attention], 1) @ w["attn_output_projection/kernel"] + \
        w["attn_output_projection/bias"]
    new_window = np.concatenate([window[:, 1:], output[:, None]], 1).reshape(len(x), -1)
    return output, ((new_c, new_h), new_attention, new_window)


def _np_highway(w, x, h, coupled=True):
    out = np.tanh(np.concatenate([x, h], 1) @ w["basic_rnn_cell/kernel"] + w["basic_rnn_cell/bias"])
    carry = sigmoid(x @ w["carry_w"] + w["carry_b"])
    transform = 1 - carry if coupled else sigmoid(x @ w["transform_w"] + w["transform_b"])
    return x * carry + out * transform, out


def _np_conv_same(x, kernel):
    """'SAME' stride-1 convolution of x [batch, spatial..., in] with kernel [k..., in, out]."""
    spatial = x.shape[1:-1]
    ks = kernel.shape[:-2]
    pads = [(0, 0)] + [((k - 1) // 2, k - 1 - (k - 1) // 2) for k in ks] + [(0, 0)]
    padded = np.pad(x, pads)
    out = np.zeros(x.shape[:-1] + (kernel.shape[-1],))
    for offset in np.ndindex(*ks):
        window = padded[(slice(None),) + tuple(slice(o, o + s) for o, s in zip(offset, spatial)) + (slice(None),)]
        out += window @ kernel[offset]
    return out


def _np_conv_lstm(w, x, state, skip=False):
    c, h = state
    gates = _np_conv_same(np.concatenate([x, h], -1), w["kernel"]) + w["biases"]
    i, j, f, o = _split(gates, 4)
    new_c = sigmoid(f + 1.0) * c + sigmoid(i) * np.tanh(j)
    new_h = np.tanh(new_c) * sigmoid(o)
    return (np.concatenate([new_h, x], -1) if skip else new_h), (new_c, new_h)


def _np_minimal(w, x, h):
    depth = x.shape[1]
    z = np.tanh(x @ w["kernel"][:depth])
    u = sigmoid(np.concatenate([z, h], 1) @ w["kernel"][depth:] + w["bias"])
    new_h = u * h + (1 - u) * z
    return new_h, new_h


def _np_cfn(w, x, h):
    n = h.shape[1]
    theta, eta = _split(sigmoid(h @ w["recurrent_kernel"] + x @ w["kernel"][:, :2 * n] + w["bias"]), 2)
    new_h = theta * np.tanh(h) + (1 - eta) * np.tanh(x @ w["kernel"][:, 2 * n:])
    return new_h, new_h


def _np_weight_norm(kernel, gains, widths):
    blocks, start = [], 0
    for gain, width in zip(gains, widths):
        block = kernel[start:start + width]
        blocks.append(block / np.sqrt(np.maximum((block ** 2).sum(0), 1e-12)) * gain)
        start += width
    return np.concatenate(blocks)


def _np_weight_norm_lstm(w, x, state):
    c, h = state
    p = "wn_lstm_cell/"
    kernel = _np_weight_norm(w[p + "kernel"], [w[p + "norm_0"], w[p + "norm_1"]], [x.shape[1], h.shape[1]])
    i, j, f, o = _split(np.concatenate([x, h], 1) @ kernel + w[p + "bias"], 4)
    new_c = c * sigmoid(f + 1 + w[p + "w_f_diag"] * c) + sigmoid(i + w[p + "w_i_diag"] * c) * np.tanh(j)
    new_h = sigmoid(o + w[p + "w_o_diag"] * new_c) * np.tanh(new_c)
    new_h = new_h @ _np_weight_norm(w[p + "projection/kernel"], [w[p + "projection/norm_0"]], [new_c.shape[1]])
    return new_h, (new_c, new_h)


# --- the cases -------------------------------------------------------------------------------------
CASES = {
    "cifg": (lambda: rnn.CoupledInputForgetGateLSTMCell(3), 2, _np_cifg,
             ["W_0", "B"]),
    "cifg_peep_proj_ln_shards": (
        lambda: rnn.CoupledInputForgetGateLSTMCell(3, use_peepholes=True, num_proj=2, layer_norm=True,
                                                   num_unit_shards=2),
        2, lambda w, x, s: _np_cifg({**w, "W": np.concatenate([w["W_0"], w["W_1"]])}, x, s, peepholes=True,
                                    layer_norm=True, proj=True, kernel="W"),
        ["W_0", "W_1", "B", "transform/gamma", "transform/beta", "forget/gamma", "forget/beta", "output/gamma",
         "output/beta", "W_F_diag", "W_O_diag", "state/gamma", "state/beta", "W_P_0"]),
    "layer_norm_lstm": (lambda: rnn.LayerNormLSTMCell(3, use_peepholes=True, layer_norm=True, num_proj=2),
                        2, lambda w, x, s: _np_layer_norm_lstm(w, x, s, proj=True),
                        ["kernel", "bias", "input/gamma", "input/beta", "transform/gamma", "transform/beta",
                         "forget/gamma", "forget/beta", "output/gamma", "output/beta", "w_f_diag", "w_i_diag",
                         "w_o_diag", "state/gamma", "state/beta", "projection/kernel"]),
    "layer_norm_lstm_plain_clip": (lambda: rnn.LayerNormLSTMCell(3, cell_clip=0.3), 2,
                                   lambda w, x, s: _np_layer_norm_lstm(w, x, s, False, False, 0.3),
                                   ["kernel", "bias"]),
    "nas": (lambda: rnn.NASCell(3, use_bias=True), 2, _np_nas, ["recurrent_kernel", "kernel", "bias"]),
    "nas_proj": (lambda: rnn.NASCell(3, num_proj=2), 2, lambda w, x, s: _np_nas(w, x, s, True, False),
                 ["recurrent_kernel", "kernel", "projection_weights"]),
    "glstm": (lambda: rnn.GLSTMCell(4, num_proj=2, number_of_groups=2), 4, _np_glstm,
              ["group0/kernel", "group1/kernel", "bias_i", "bias_j", "bias_f", "bias_o", "projection/kernel"]),
    "ugrnn": (lambda: rnn.UGRNNCell(3), 2, _np_ugrnn, ["kernel", "bias"]),
    "intersection": (lambda: rnn.IntersectionRNNCell(3, num_in_proj=3), 2, _np_intersection,
                     ["in_projection/kernel", "in_projection/bias", "kernel", "bias"]),
    "sru": (lambda: rnn.SRUCell(3), 2, _np_sru, ["kernel", "bias"]),
    "ind_rnn": (lambda: rnn.IndRNNCell(3), 2, _np_ind_rnn, ["kernel_w", "kernel_u", "bias"]),
    "indy_gru": (lambda: rnn.IndyGRUCell(3), 2, _np_indy_gru,
                 ["gates/kernel_w", "gates/kernel_u", "gates/bias", "candidate/kernel", "candidate/kernel_u",
                  "candidate/bias"]),
    "indy_lstm": (lambda: rnn.IndyLSTMCell(3), 2, _np_indy_lstm, ["kernel_w", "kernel_u", "bias"]),
    "attention_wrapper": (lambda: rnn.AttentionCellWrapper(rnn.BasicLSTMCell(3), attn_length=3, attn_size=2,
                                                           attn_vec_size=4), 2, _np_attention_wrapper,
                          ["kernel", "bias", "basic_lstm_cell/kernel", "basic_lstm_cell/bias", "attention/attn_w",
                           "attention/attn_v", "attention/kernel", "attention/bias", "attn_output_projection/kernel",
                           "attn_output_projection/bias"]),
    "minimal": (lambda: rnn.MinimalRNNCell(3), 2, _np_minimal, ["kernel", "bias"]),
    "cfn": (lambda: rnn.CFNCell(3), 2, _np_cfn, ["kernel", "recurrent_kernel", "bias"]),
    "weight_norm_lstm": (lambda: rnn.WeightNormLSTMCell(3, use_peepholes=True, num_proj=2), 2, _np_weight_norm_lstm,
                         ["wn_lstm_cell/" + n for n in ("kernel", "norm_0", "norm_1", "bias", "w_f_diag", "w_i_diag",
                                                        "w_o_diag", "projection/kernel", "projection/norm_0")]),
}
SCOPES = {"minimal": "minimal_rnn_cell", "cfn": "cfn_cell", "weight_norm_lstm": "wn_lstm_cell",
          "cifg": "coupled_input_forget_gate_lstm_cell",
          "cifg_peep_proj_ln_shards": "coupled_input_forget_gate_lstm_cell",
          "layer_norm_lstm": "layer_norm_lstm_cell", "layer_norm_lstm_plain_clip": "layer_norm_lstm_cell",
          "nas": "nas_cell", "nas_proj": "nas_cell", "glstm": "glstm_cell", "ugrnn": "ugrnn_cell",
          "intersection": "intersection_rnn_cell", "sru": "sru_cell", "ind_rnn": "ind_rnn_cell",
          "indy_gru": "indy_gru_cell", "indy_lstm": "indy_lstm_cell", "attention_wrapper": "attention_cell_wrapper"}


def _random_state(rng, size, batch):
    if isinstance(size, (tuple, list)):
        return type(size)(*[_random_state(rng, s, batch) for s in size]) if hasattr(size, "_fields") else \
            tuple(_random_state(rng, s, batch) for s in size)
    return rng.uniform(-1, 1, (batch, int(size)))


def _placeholders(values, dtype):
    if isinstance(values, tuple):
        items = [_placeholders(v, dtype) for v in values]
        return type(values)(*items) if hasattr(values, "_fields") else tuple(items)
    return tf.placeholder(dtype, values.shape)


def _pairs(placeholders, values):
    if isinstance(placeholders, tuple):
        return [pair for p, v in zip(placeholders, values) for pair in _pairs(p, v)]
    return [(placeholders, values)]


def _plain(state):
    """A state nest as plain nested tuples, for comparing with the NumPy references."""
    return tuple(_plain(s) for s in state) if isinstance(state, tuple) else state


def _one_step(case, dtype, seed=0):
    factory, depth, _, _ = CASES[case]
    rng = np.random.RandomState(seed)
    cell = factory()
    x_value = rng.uniform(-1, 1, (3, depth))
    state_value = _random_state(rng, cell.state_size, 3)
    x = tf.placeholder(dtype, [3, depth])
    state = _placeholders(state_value, dtype)
    output, new_state = cell(x, state)
    feed = dict([(x, x_value)] + _pairs(state, state_value))
    return cell, output, new_state, feed, (x_value, state_value), x, state


@pytest.mark.parametrize("case", sorted(CASES))
def test_cell_variables_shapes_and_one_step_match_numpy(case):
    cell, output, new_state, feed, (x_value, state_value), _, _ = _one_step(case, tf.float64)
    scope = SCOPES[case]
    assert [v.op.name for v in tf.global_variables()] == [scope + "/" + n for n in CASES[case][3]]
    assert [v.op.name for v in cell.variables] == [scope + "/" + n for n in CASES[case][3]]
    assert output.shape.as_list() == [3, cell.output_size]
    with tf.Session() as sess:
        values = randomize(sess, tf.global_variables(), seed=1, scale=0.8)
        got_output, got_state = sess.run([output, new_state], feed)
    w = {name[len(scope) + 1:]: value for name, value in values.items()}
    want_output, want_state = CASES[case][2](w, x_value, state_value)
    np.testing.assert_allclose(got_output, want_output, rtol=1e-9, atol=1e-12)
    for got, want in zip(_flatten(_plain(got_state)), _flatten(want_state)):
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
    assert [s.shape[1] for s in _flatten(_plain(got_state))] == [int(n) for n in _flatten(_plain(cell.state_size))]


def _flatten(nest):
    if isinstance(nest, tuple):
        return [leaf for item in nest for leaf in _flatten(item)]
    return [nest]


@pytest.mark.parametrize("case", sorted(CASES))
def test_cell_step_gradient_matches_finite_differences(case):
    _, output, new_state, feed, _, x, state = _one_step(case, tf.float64, seed=2)
    weights = np.random.RandomState(3).uniform(0.5, 1.5, output.shape.as_list())
    loss = tf.reduce_sum(output * weights) + tf.add_n([tf.reduce_sum(s ** 2) for s in _flatten(_plain(new_state))])
    with tf.Session() as sess:
        randomize(sess, tf.global_variables(), seed=4, scale=0.8)
        check_graph_gradients(loss, [x] + _flatten(_plain(state)), feed, sess=sess, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("coupled", [True, False])
def test_highway_wrapper_variables_value_and_gradient(coupled):
    rng = np.random.RandomState(5)
    xs = rng.uniform(-1, 1, (2, 3, 3))
    x = tf.placeholder(tf.float64, [2, 3, 3])
    cell = rnn.HighwayWrapper(rnn.BasicRNNCell(3), couple_carry_transform_gates=coupled, carry_bias_init=0.5)
    outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float64)
    names = ["rnn/basic_rnn_cell/kernel", "rnn/basic_rnn_cell/bias", "rnn/carry_w", "rnn/carry_b"]
    if not coupled:
        names += ["rnn/transform_w", "rnn/transform_b"]
    assert [v.op.name for v in tf.global_variables()] == names
    assert [v.op.name for v in cell.variables] == names
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        carry_b = sess.run(tf.global_variables()[3])
        np.testing.assert_array_equal(carry_b, 0.5)
        if not coupled:
            np.testing.assert_array_equal(sess.run(tf.global_variables()[5]), -0.5)
        values = randomize(sess, tf.global_variables(), seed=6, scale=0.8)
        got, got_state = sess.run([outputs, state], {x: xs})
        w = {name[len("rnn/"):]: value for name, value in values.items()}
        h = np.zeros((2, 3))
        for t in range(3):
            out, h = _np_highway(w, xs[:, t], h, coupled)
            np.testing.assert_allclose(got[:, t], out, rtol=1e-9)
        np.testing.assert_allclose(got_state, h, rtol=1e-9)
        loss = tf.reduce_sum(outputs * rng.uniform(0.5, 1.5, (2, 3, 3)))
        check_graph_gradients(loss, [x], {x: xs}, sess=sess)
    with pytest.raises(ValueError, match="must match its input shape"):
        with tf.variable_scope("other"):
            rnn.HighwayWrapper(rnn.BasicRNNCell(2))(tf.zeros([1, 3]), tf.zeros([1, 2]))


@pytest.mark.parametrize("ndims,skip", [(1, False), (2, False), (2, True), (3, False)])
def test_conv_lstm_cell_one_step_and_gradient(ndims, skip):
    rng = np.random.RandomState(7)
    spatial = [4, 3, 2][:ndims]
    kernel = [3, 2, 1][:ndims]
    cls = {1: rnn.Conv1DLSTMCell, 2: rnn.Conv2DLSTMCell, 3: rnn.Conv3DLSTMCell}[ndims]
    cell = cls(input_shape=spatial + [2], output_channels=3, kernel_shape=kernel, skip_connection=skip)
    scope = "conv_%dd_lstm_cell" % ndims
    assert cell.state_size.c.as_list() == spatial + [3]
    assert cell.output_size.as_list() == spatial + [3 + (2 if skip else 0)]
    x_value = rng.uniform(-1, 1, [2] + spatial + [2])
    c_value, h_value = (rng.uniform(-1, 1, [2] + spatial + [3]) for _ in range(2))
    x = tf.placeholder(tf.float64, x_value.shape)
    c, h = tf.placeholder(tf.float64, c_value.shape), tf.placeholder(tf.float64, h_value.shape)
    output, (new_c, new_h) = cell(x, rnn.LSTMStateTuple(c, h))
    # A second step from the first one's state: the state keeps its size with skip_connection too.
    output2, _ = cell(x, rnn.LSTMStateTuple(new_c, new_h))
    assert [v.op.name for v in tf.global_variables()] == [scope + "/kernel", scope + "/biases"]
    assert tf.global_variables()[0].shape.as_list() == kernel + [5, 12]
    assert output.shape.as_list() == [2] + cell.output_size.as_list()
    zero = cell.zero_state(2, tf.float64)
    assert zero.h.shape.as_list() == [2] + spatial + [3]
    feed = {x: x_value, c: c_value, h: h_value}
    with tf.Session() as sess:
        values = randomize(sess, tf.global_variables(), seed=8, scale=0.5)
        got, got_c, got_h, got2 = sess.run([output, new_c, new_h, output2], feed)
        w = {name[len(scope) + 1:]: value for name, value in values.items()}
        want, (want_c, want_h) = _np_conv_lstm(w, x_value, (c_value, h_value), skip)
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(got_c, want_c, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(got_h, want_h, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(got2, _np_conv_lstm(w, x_value, (want_c, want_h), skip)[0], rtol=1e-9)
        loss = tf.reduce_sum(output * rng.uniform(0.5, 1.5, got.shape)) + tf.reduce_sum(new_c ** 2)
        check_graph_gradients(loss, [x, c, h], feed, sess=sess)


def test_contrib_cells_in_dynamic_rnn_take_the_rnn_scope():
    xs = np.random.RandomState(9).uniform(-1, 1, (2, 4, 3)).astype(np.float32)
    outputs, state = tf.nn.dynamic_rnn(rnn.NASCell(3), tf.constant(xs), dtype=tf.float32)
    with tf.variable_scope("second"):
        attn_outputs, attn_state = tf.nn.dynamic_rnn(
            rnn.AttentionCellWrapper(rnn.GRUCell(3), attn_length=2), tf.constant(xs), dtype=tf.float32)
    names = [v.op.name for v in tf.global_variables()]
    assert names[:2] == ["rnn/nas_cell/recurrent_kernel", "rnn/nas_cell/kernel"]
    assert "second/rnn/attention_cell_wrapper/gru_cell/gates/kernel" in names
    assert attn_state[2].shape.as_list() == [2, 6] and attn_outputs.shape.as_list() == [2, 4, 3]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out, final = sess.run([outputs, state])
        assert out.shape == (2, 4, 3) and final.c.shape == (2, 3)
        np.testing.assert_allclose(out[:, -1], final.h, rtol=1e-6)
        window = sess.run([attn_outputs, attn_state[2]])
        # The window holds the last two outputs, oldest first.
        np.testing.assert_allclose(window[1], window[0][:, 2:].reshape(2, 6), rtol=1e-6)


def test_contrib_cell_errors():
    with pytest.raises(ValueError, match="Must have input size == output size for Intersection RNN"):
        rnn.IntersectionRNNCell(3)(tf.zeros([1, 2]), tf.zeros([1, 3]))
    with pytest.raises(ValueError, match="attn_length should be greater than zero"):
        rnn.AttentionCellWrapper(rnn.GRUCell(2), 0)
    with pytest.raises(ValueError, match="Cell returns tuple of states, but the flag state_is_tuple is not set"):
        rnn.AttentionCellWrapper(rnn.BasicLSTMCell(2), 2, state_is_tuple=False)
    with pytest.raises(TypeError, match="is not an RNNCell"):
        rnn.AttentionCellWrapper(object(), 2)
    with pytest.raises(ValueError, match="num_units must be divisible by number_of_groups"):
        rnn.GLSTMCell(3, number_of_groups=2)
    with pytest.raises(ValueError, match="num_proj must be divisible by number_of_groups"):
        rnn.GLSTMCell(4, num_proj=3, number_of_groups=2)
    with pytest.raises(ValueError, match=r"input size \(3\) must be divisible by number_of_groups \(2\)"):
        rnn.GLSTMCell(4, number_of_groups=2)(tf.zeros([1, 3]), rnn.LSTMStateTuple(tf.zeros([1, 4]), tf.zeros([1, 4])))
    with pytest.raises(ValueError, match=r"Invalid input_shape \[4, 2\] for conv_ndims=2"):
        rnn.ConvLSTMCell(2, [4, 2], 3, [3, 3])
    with pytest.raises(ValueError, match="ConvLSTMCell expects inputs of shape"):
        cell = rnn.Conv1DLSTMCell(input_shape=[4, 2], output_channels=3, kernel_shape=[3])
        cell(tf.zeros([1, 5, 2]), cell.zero_state(1, tf.float32))
    with pytest.raises(ValueError, match="Too many shards"):
        rnn.CoupledInputForgetGateLSTMCell(2, num_proj=1, num_proj_shards=3)(
            tf.zeros([1, 2]), rnn.LSTMStateTuple(tf.zeros([1, 2]), tf.zeros([1, 1])))


def test_cifg_concatenated_state_equals_tuple_state():
    rng = np.random.RandomState(10)
    x_value, c_value, m_value = (rng.uniform(-1, 1, (2, 3)) for _ in range(3))
    with tf.variable_scope("a"):
        tuple_cell = rnn.CoupledInputForgetGateLSTMCell(3)
        out_a, state_a = tuple_cell(tf.constant(x_value),
                                    rnn.LSTMStateTuple(tf.constant(c_value), tf.constant(m_value)))
    with tf.variable_scope("a", reuse=True):
        flat_cell = rnn.CoupledInputForgetGateLSTMCell(3, state_is_tuple=False)
        out_b, state_b = flat_cell(tf.constant(x_value), tf.constant(np.concatenate([c_value, m_value], 1)))
    assert flat_cell.state_size == 6 and state_b.shape.as_list() == [2, 6]
    with tf.Session() as sess:
        randomize(sess, tf.global_variables(), seed=11)
        a, sa, b, sb = sess.run([out_a, state_a, out_b, state_b])
    np.testing.assert_allclose(a, b, rtol=1e-12)
    np.testing.assert_allclose(np.concatenate(sa, 1), sb, rtol=1e-12)


def _np_phased(w, t, x, state, leak=0.001, peepholes=False):
    c, h = state
    gate_in = np.concatenate([x, h] + ([c] if peepholes else []), 1)
    i, f = _split(sigmoid(gate_in @ w["mask_gates/kernel"] + w["mask_gates/bias"]), 2)
    new_c = c * f + i * np.tanh(np.concatenate([x, h], 1) @ w["new_input/kernel"] + w["new_input/bias"])
    out_in = np.concatenate([x, h] + ([new_c] if peepholes else []), 1)
    new_h = np.tanh(new_c) * sigmoid(out_in @ w["output_gate/kernel"] + w["output_gate/bias"])
    ratio = np.mod(t - w["phase"], w["period"]) / w["period"]
    on = w["ratio_on"]
    k = np.where(ratio < 0.5 * on, 2 * ratio / on, np.where(ratio < on, 2 - 2 * ratio / on, leak * ratio))
    return k * new_h + (1 - k) * h, (k * new_c + (1 - k) * c, k * new_h + (1 - k) * h)


@pytest.mark.parametrize("peepholes", [False, True])
def test_phased_lstm_cell_step_initial_values_and_gradient(peepholes):
    rng = np.random.RandomState(12)
    cell = rnn.PhasedLSTMCell(4, use_peepholes=peepholes, ratio_on=0.3, trainable_ratio_on=False,
                              period_init_min=2.0, period_init_max=8.0)
    t_value = rng.uniform(0, 20, (3, 1))
    x_value, c_value, h_value = rng.uniform(-1, 1, (3, 2)), rng.uniform(-1, 1, (3, 4)), rng.uniform(-1, 1, (3, 4))
    t, x = tf.placeholder(tf.float64, [3, 1]), tf.placeholder(tf.float64, [3, 2])
    c, h = tf.placeholder(tf.float64, [3, 4]), tf.placeholder(tf.float64, [3, 4])
    output, state = cell((t, x), rnn.LSTMStateTuple(c, h))
    scope = "phased_lstm_cell/"
    names = ["mask_gates/kernel", "mask_gates/bias", "new_input/kernel", "new_input/bias", "output_gate/kernel",
             "output_gate/bias", "period", "phase", "ratio_on"]
    assert [v.op.name for v in tf.global_variables()] == [scope + n for n in names]
    assert [v.op.name for v in tf.trainable_variables()] == [scope + n for n in names[:-1]]
    assert tf.global_variables()[0].shape.as_list() == [2 + 4 + (4 if peepholes else 0), 8]
    feed = {t: t_value, x: x_value, c: c_value, h: h_value}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        period, phase, ratio_on = sess.run(tf.global_variables()[6:])
        assert ((period >= 2.0) & (period <= 8.0)).all() and ((phase >= 0) & (phase < period)).all()
        np.testing.assert_array_equal(ratio_on, 0.3)
        values = randomize(sess, tf.global_variables()[:6], seed=13, scale=0.8)
        w = {name[len(scope):]: value for name, value in values.items()}
        w.update(period=period, phase=phase, ratio_on=ratio_on)
        got, (got_c, got_h) = sess.run([output, state], feed)
        want, (want_c, want_h) = _np_phased(w, t_value, x_value, (c_value, h_value), peepholes=peepholes)
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(got_c, want_c, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(got_h, want_h, rtol=1e-9, atol=1e-12)
        loss = tf.reduce_sum(output * rng.uniform(0.5, 1.5, (3, 4))) + tf.reduce_sum(state.c ** 2)
        check_graph_gradients(loss, [x, c, h, t], feed, sess=sess)
    with pytest.raises(ValueError, match="expects inputs to be a pair"):
        cell(x, rnn.LSTMStateTuple(c, h))


def test_embedding_wrapper_compiled_wrapper_and_time_helpers():
    ids = np.array([3, 0, 4], np.int32)
    h_value = np.random.RandomState(14).uniform(-1, 1, (3, 2))
    cell = rnn.CompiledWrapper(rnn.EmbeddingWrapper(rnn.BasicRNNCell(2), embedding_classes=5, embedding_size=3))
    output, state = cell(tf.constant(ids[:, None]), tf.constant(h_value))
    names = ["embedding_wrapper/embedding", "embedding_wrapper/basic_rnn_cell/kernel",
             "embedding_wrapper/basic_rnn_cell/bias"]
    assert [v.op.name for v in tf.global_variables()] == names and [v.op.name for v in cell.variables] == names
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert np.abs(sess.run(tf.global_variables()[0])).max() <= np.sqrt(3.0)
        values = randomize(sess, tf.global_variables(), seed=15)
        got = sess.run(output)
    embedded = values[names[0]][ids]
    want = np.tanh(np.concatenate([embedded, h_value], 1) @ values[names[1]] + values[names[2]])
    np.testing.assert_allclose(got, want, rtol=1e-5)
    with pytest.raises(ValueError, match="Both embedding_classes and embedding_size must be > 0"):
        rnn.EmbeddingWrapper(rnn.BasicRNNCell(2), 0, 3)
    with pytest.raises(TypeError, match="The parameter cell is not RNNCell"):
        rnn.EmbeddingWrapper(object(), 2, 3)

    x = np.arange(24.0).reshape(2, 3, 4)
    dynamic = tf.placeholder(tf.float64)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(rnn.transpose_batch_time(x)), x.transpose(1, 0, 2))
        np.testing.assert_array_equal(sess.run(rnn.transpose_batch_time(dynamic), {dynamic: x}), x.transpose(1, 0, 2))
        np.testing.assert_array_equal(sess.run(rnn.transpose_batch_time(x[0, 0])), x[0, 0])
        assert rnn.best_effort_input_batch_size([tf.constant(x)]) == 3
        unknown = tf.placeholder(tf.float64, [None, None, 4])
        assert sess.run(rnn.best_effort_input_batch_size([unknown]), {unknown: x}) == 3
    with pytest.raises(ValueError, match="to have rank at least 2"):
        rnn.best_effort_input_batch_size([tf.constant([1.0])])
