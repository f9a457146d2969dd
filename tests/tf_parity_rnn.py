"""Recurrent nets built identically with numflow and real TensorFlow (tf.compat.v1); run by
test_tf_parity_rnn.py where NUMFLOW_TF_PYTHON names a Python with TensorFlow. Every variable gets the
same deterministic value by name (set_weights), so outputs, states and gradients must agree."""
import numpy as np

rng = np.random.RandomState(7)
X = rng.randn(2, 4, 3).astype(np.float32)
LENGTHS = np.array([4, 2], np.int32)
FAMILIES = ["lstm_cases", "bidirectional_cases", "tensor_array_cases"]


def set_weights(tf, sess):
    """Assigns each variable a value depending only on its shape and position in the sorted names."""
    names = []
    for index, v in enumerate(sorted(tf.global_variables(), key=lambda v: v.name)):
        shape = v.shape.as_list()
        value = 0.6 * np.sin(np.arange(int(np.prod(shape))) * 0.37 + index).reshape(shape).astype(np.float32)
        sess.run(v.assign(value))
        names.append(v.op.name)
    return names


def lstm_cases(tf):
    x = tf.constant(X)
    out = {}
    cell = tf.nn.rnn_cell.LSTMCell(5, use_peepholes=True, cell_clip=0.5, num_proj=3, proj_clip=0.4, forget_bias=0.7)
    outputs, state = tf.nn.dynamic_rnn(cell, x, sequence_length=LENGTHS, dtype=tf.float32, scope="peep")
    out["lstm"] = [outputs, state.c, state.h]
    out["lstm_grad"] = tf.gradients(tf.reduce_sum(outputs ** 2), [x] + tf.trainable_variables())
    plain = tf.nn.rnn_cell.LSTMCell(4, state_is_tuple=False)
    o2, s2 = tf.nn.dynamic_rnn(plain, x, dtype=tf.float32, scope="plain")
    out["lstm_concat_state"] = [o2, s2]
    res = tf.nn.rnn_cell.ResidualWrapper(tf.nn.rnn_cell.GRUCell(3))
    o3, _ = tf.nn.dynamic_rnn(res, x, dtype=tf.float32, scope="residual")
    out["residual"] = o3
    return out


def bidirectional_cases(tf):
    x = tf.constant(X)
    out = {}
    (fw, bw), (sf, sb) = tf.nn.bidirectional_dynamic_rnn(
        tf.nn.rnn_cell.LSTMCell(3), tf.nn.rnn_cell.GRUCell(2), x, sequence_length=LENGTHS, dtype=tf.float32)
    out["bidi"] = [fw, bw, sf.c, sf.h, sb]
    out["bidi_grad"] = tf.gradients(tf.reduce_sum(fw) + tf.reduce_sum(bw ** 2), x)
    outputs, s_fw, s_bw = tf.nn.static_bidirectional_rnn(
        tf.nn.rnn_cell.BasicRNNCell(2), tf.nn.rnn_cell.BasicRNNCell(2), tf.unstack(x, axis=1),
        sequence_length=LENGTHS, dtype=tf.float32, scope="static_bidi")
    out["static_bidi"] = outputs + [s_fw, s_bw]
    return out


def tensor_array_cases(tf):
    x = tf.constant(X[0])
    out = {}
    ta_in = tf.TensorArray(tf.float32, size=4).unstack(x)
    ta_out = tf.TensorArray(tf.float32, size=4, clear_after_read=False)

    def body(t, acc, ta):
        acc = tf.tanh(acc * 0.5 + ta_in.read(t))
        return t + 1, acc, ta.write(t, acc * 2.0)
    _, last, ta_out = tf.while_loop(lambda t, a, o: t < 4, body, [tf.constant(0), tf.zeros([3]), ta_out])
    stacked = ta_out.stack()
    out["ta_loop"] = [stacked, last, ta_out.size(), ta_out.concat()]
    out["ta_loop_grad"] = tf.gradients(tf.reduce_sum(stacked ** 2), x)
    direct = tf.TensorArray(tf.float32, size=3, clear_after_read=False).write(0, x[0]).write(1, x[1] * 3.0).write(2, x[2])
    out["ta_direct"] = [direct.stack(), direct.gather([2, 0]), direct.read(1)]
    out["ta_direct_grad"] = tf.gradients(tf.reduce_sum(direct.gather([1, 1]) * direct.read(2)), x)
    return out
