"""Parity families for the fused LSTM / GRU ops (ops/rnn_block.py): each builds TF's raw ops (numflow's
functions of the same names and keywords) on fixed float32 inputs, with tf.gradients through them and the
Grad ops called directly, in whichever `tf` it is given (see tf_parity.py). TF 2 registers gradients for
BlockLSTM(V2) only, so for LSTMBlockCell and GRUBlockCell the TF side takes TF 1's (contrib's) gradient from
the Grad op's outputs."""
import numpy as np

BATCH, INPUT, CELL, TIME = 3, 2, 4, 5
_rng = np.random.RandomState(42)
X = _rng.uniform(-1, 1, (TIME, BATCH, INPUT)).astype(np.float32)
CS0, H0 = _rng.uniform(-1, 1, (2, BATCH, CELL)).astype(np.float32)
W = _rng.uniform(-0.6, 0.6, (INPUT + CELL, 4 * CELL)).astype(np.float32)
B = _rng.uniform(-0.3, 0.3, 4 * CELL).astype(np.float32)
WCI, WCF, WCO = _rng.uniform(-0.5, 0.5, (3, CELL)).astype(np.float32)
CS_WEIGHTS, H_WEIGHTS = _rng.uniform(0.5, 1.5, (2, TIME, BATCH, CELL)).astype(np.float32)
W_RU = _rng.uniform(-0.6, 0.6, (INPUT + CELL, 2 * CELL)).astype(np.float32)
W_C = _rng.uniform(-0.6, 0.6, (INPUT + CELL, CELL)).astype(np.float32)
B_RU, B_C = _rng.uniform(-0.3, 0.3, 2 * CELL).astype(np.float32), _rng.uniform(-0.3, 0.3, CELL).astype(np.float32)


def _ops(tf):
    """TF's raw ops, or numflow's functions with the same keywords."""
    if not _is_numflow(tf):
        raw = tf.raw_ops
        return {name: getattr(raw, name) for name in ("LSTMBlockCell", "LSTMBlockCellGrad", "BlockLSTM", "BlockLSTMV2",
                                                      "BlockLSTMGrad", "BlockLSTMGradV2", "GRUBlockCell",
                                                      "GRUBlockCellGrad")}
    from numflow.ops import rnn_block
    from numflow.ops.common import make_op

    def grad_op(op_type, names):
        def build(**kwargs):
            attrs = {"use_peephole": kwargs.pop("use_peephole")} if "use_peephole" in kwargs else None
            inputs = [tf.convert_to_tensor(kwargs[name]) for name in names]
            return make_op(op_type, inputs, attrs).outputs
        return build
    lstm = ["x", "cs_prev", "h_prev", "w", "wci", "wcf", "wco", "b"]
    states = ["i", "cs", "f", "o", "ci", "co"]
    return {"LSTMBlockCell": rnn_block.lstm_block_cell, "BlockLSTM": rnn_block.block_lstm,
            "BlockLSTMV2": rnn_block.block_lstm_v2, "GRUBlockCell": rnn_block.gru_block_cell,
            "LSTMBlockCellGrad": grad_op("LSTMBlockCellGrad", lstm + states + ["cs_grad", "h_grad"]),
            "BlockLSTMGrad": grad_op("BlockLSTMGrad", ["seq_len_max"] + lstm + states + ["h", "cs_grad", "h_grad"]),
            "BlockLSTMGradV2": grad_op("BlockLSTMGradV2", ["seq_len_max"] + lstm + states + ["h", "cs_grad",
                                                                                          "h_grad"]),
            "GRUBlockCellGrad": grad_op("GRUBlockCellGrad", ["x", "h_prev", "w_ru", "w_c", "b_ru", "b_c", "r", "u",
                                                             "c", "d_h"])}


def _lstm_params(tf):
    return {"cs_prev": tf.constant(CS0), "h_prev": tf.constant(H0), "w": tf.constant(W), "wci": tf.constant(WCI),
            "wcf": tf.constant(WCF), "wco": tf.constant(WCO), "b": tf.constant(B)}


def lstm_block_cell(tf):
    """Every output with and without peepholes, with a binding cell clip and without, the gradients of cs
    and h (TF's gradient ignores the clip) and LSTMBlockCellGrad's own outputs."""
    ops = _ops(tf)
    out = {}
    for peephole in (False, True):
        for clip in (-1.0, 0.4):
            params = _lstm_params(tf)
            x = tf.constant(X[0])
            states = ops["LSTMBlockCell"](x=x, forget_bias=0.7, cell_clip=clip, use_peephole=peephole, **params)
            key = "%s_%s" % (peephole, clip)
            out["states_" + key] = list(states)
            grad_op = list(ops["LSTMBlockCellGrad"](
                x=x, i=states[0], cs=states[1], f=states[2], o=states[3], ci=states[4], co=states[5],
                cs_grad=tf.constant(CS_WEIGHTS[0]), h_grad=tf.constant(H_WEIGHTS[0]), use_peephole=peephole,
                **params))
            out["grad_op_" + key] = grad_op
            sources = [x] + [params[n] for n in ("cs_prev", "h_prev", "w", "wci", "wcf", "wco", "b")]
            if _is_numflow(tf):
                loss = tf.reduce_sum(states[1] * CS_WEIGHTS[0]) + tf.reduce_sum(states[6] * H_WEIGHTS[0])
                out["grads_" + key] = tf.gradients(loss, sources)
            else:
                out["grads_" + key] = _tf1_lstm_cell_gradient(tf, sources, grad_op)
    return out


def _is_numflow(tf):
    return not hasattr(tf, "raw_ops")


def _tf1_lstm_cell_gradient(tf, sources, grad_op):
    """TF 2 registers no gradient for LSTMBlockCell (TF 1 did, in contrib): TF 1's gradient from the Grad op's
    outputs, for the TF side of the comparison."""
    x, cs_prev, h_prev, w = sources[:4]
    cs_prev_grad, dicfo, wci_grad, wcf_grad, wco_grad = grad_op
    xh_grad = tf.matmul(dicfo, w, transpose_b=True)
    w_grad = tf.matmul(tf.concat([x, h_prev], 1), dicfo, transpose_a=True)
    return [xh_grad[:, :INPUT], cs_prev_grad, xh_grad[:, INPUT:], w_grad, wci_grad, wcf_grad, wco_grad,
            tf.reduce_sum(dicfo, 0)]


def _tf1_gru_cell_gradient(tf, inputs, r, grad_op):
    """TF 1's GRUBlockCell gradient (contrib's) from the Grad op's outputs, for the TF side."""
    d_x, d_h_prev, d_c_bar, d_r_bar_u_bar = grad_op
    x, h_prev = inputs["x"], inputs["h_prev"]
    d_w_ru = tf.matmul(tf.concat([x, h_prev], 1), d_r_bar_u_bar, transpose_a=True)
    d_w_c = tf.matmul(tf.concat([x, h_prev * r], 1), d_c_bar, transpose_a=True)
    return [d_x, d_h_prev, d_w_ru, d_w_c, tf.reduce_sum(d_r_bar_u_bar, 0), tf.reduce_sum(d_c_bar, 0)]


def block_lstm(tf):
    """BlockLSTM and BlockLSTMV2 over all steps and over the first 3 (TF leaves i, f, o, ci and co past
    seq_len_max unset, so only the steps before it and the zeroed cs and h are compared), their gradients
    and their Grad ops' outputs."""
    ops = _ops(tf)
    out = {}
    for op_type, attrs in (("BlockLSTM", {"forget_bias": 0.6}), ("BlockLSTMV2", {})):
        for peephole in (False, True):
            for steps in (TIME, 3):
                params = _lstm_params(tf)
                x = tf.constant(X)
                seq_len_max = tf.constant(steps, dtype=tf.int64)
                states = ops[op_type](seq_len_max=seq_len_max, x=x, cell_clip=0.0, use_peephole=peephole,
                                      **dict(params, **attrs))
                key = "%s_%s_%d" % (op_type, peephole, steps)
                out["gates_" + key] = [s[:steps] for s in states]
                out["cs_h_" + key] = [states[1], states[6]]
                grad_type = "BlockLSTMGrad" if op_type == "BlockLSTM" else "BlockLSTMGradV2"
                grad_op = list(ops[grad_type](
                    seq_len_max=seq_len_max, x=x, i=states[0], cs=states[1], f=states[2], o=states[3], ci=states[4],
                    co=states[5], h=states[6], cs_grad=tf.constant(CS_WEIGHTS), h_grad=tf.constant(H_WEIGHTS),
                    use_peephole=peephole, **params))
                out["grad_op_" + key] = grad_op
                loss = tf.reduce_sum(states[1] * CS_WEIGHTS) + tf.reduce_sum(states[6] * H_WEIGHTS)
                sources = [x] + [params[n] for n in ("cs_prev", "h_prev", "w", "wci", "wcf", "wco", "b")]
                if _is_numflow(tf) or op_type == "BlockLSTM":
                    out["grads_" + key] = tf.gradients(loss, sources)
                else:
                    # TF 2.21 registers BlockLSTMV2's gradient as BlockLSTMGrad, whose gates are in V1's order
                    # (i, ci, f, o): wrong for V2's (i, f, ci, o) weights. numflow's gradient is BlockLSTMGradV2's
                    # outputs (checked against finite differences in test_rnn_block.py), compared with TF's op.
                    out["grads_" + key] = grad_op
    return out


def gru_block_cell(tf):
    """GRUBlockCell's outputs, the gradient of h and GRUBlockCellGrad's own outputs."""
    ops = _ops(tf)
    inputs = {"x": tf.constant(X[0]), "h_prev": tf.constant(H0), "w_ru": tf.constant(W_RU), "w_c": tf.constant(W_C),
              "b_ru": tf.constant(B_RU), "b_c": tf.constant(B_C)}
    r, u, c, h = ops["GRUBlockCell"](**inputs)
    grad_op = list(ops["GRUBlockCellGrad"](r=r, u=u, c=c, d_h=tf.constant(H_WEIGHTS[0]), **inputs))
    if _is_numflow(tf):
        grads = tf.gradients(tf.reduce_sum(h * H_WEIGHTS[0]),
                             [inputs[n] for n in ("x", "h_prev", "w_ru", "w_c", "b_ru", "b_c")])
    else:
        grads = _tf1_gru_cell_gradient(tf, inputs, r, grad_op)
    return {"states": [r, u, c, h], "grads": grads, "grad_op": grad_op}
