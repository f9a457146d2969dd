"""tf.contrib.rnn.NTMCell against a NumPy Neural Turing Machine, and finite-difference gradients."""
import numpy as np
import pytest

import numflow as tf
from rnn_helpers import check_graph_gradients, randomize, sigmoid

rnn = tf.contrib.rnn


def _softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _softplus(x):
    return np.log1p(np.exp(x))


def _np_ntm_step(w, x, state, size, dim, reads, writes, reach, clip, first):
    """One NTM step; state = (h, read vectors, addresses, memory) of the previous step."""
    batch = x.shape[0]
    h, read_vectors, addresses, memory = state
    if first:
        read_vectors = [np.tanh(np.repeat(w["initial_read_vector_%d" % i], batch, 0)) for i in range(reads)]
        addresses = [_softmax(np.repeat(w["initial_address_weights_%d" % i], batch, 0)) for i in range(reads + writes)]
        memory = np.repeat(w["memory"][None], batch, 0)
    h = np.tanh(np.concatenate([x] + read_vectors + [h], 1) @ w["basic_rnn_cell/kernel"] + w["basic_rnn_cell/bias"])
    params = np.clip(h @ w["parameters_kernel"] + w["parameters_bias"], -clip, clip)
    per_head = dim + 2 * reach + 4
    new_addresses = []
    for head in range(reads + writes):
        p = params[:, head * per_head:(head + 1) * per_head]
        key, beta, gate = np.tanh(p[:, :dim]), _softplus(p[:, dim]), sigmoid(p[:, dim + 1])
        shift, gamma = _softmax(p[:, dim + 2:dim + 3 + 2 * reach]), _softplus(p[:, -1]) + 1
        cosine = np.einsum("bmd,bd->bm", memory, key) / (
            np.linalg.norm(memory, axis=2) * np.linalg.norm(key, axis=1, keepdims=True) + 1e-8)
        content = np.exp(beta[:, None] * cosine)
        content /= content.sum(1, keepdims=True)
        mixed = gate[:, None] * content + (1 - gate[:, None]) * addresses[head]
        shifted = np.zeros_like(mixed)
        # Circular convolution; the shift weights are for offsets 0, 1, ..., reach, -reach, ..., -1 (contrib's).
        for i in range(size):
            for entry in range(2 * reach + 1):
                offset = entry if entry <= reach else entry - (2 * reach + 1)
                shifted[:, i] += mixed[:, (i - offset) % size] * shift[:, entry]
        sharp = shifted ** gamma[:, None]
        new_addresses.append(sharp / sharp.sum(1, keepdims=True))
    new_reads = [np.einsum("bm,bmd->bd", new_addresses[i], memory) for i in range(reads)]
    rest = params[:, per_head * (reads + writes):]
    for i in range(writes):
        address = new_addresses[reads + i][:, :, None]
        erase = sigmoid(rest[:, 2 * i * dim:(2 * i + 1) * dim])
        add = np.tanh(rest[:, (2 * i + 1) * dim:(2 * i + 2) * dim])
        memory = memory * (1 - address * erase[:, None]) + address * add[:, None]
    output = np.clip(np.concatenate([h] + new_reads, 1) @ w["output_kernel"] + w["output_bias"], -clip, clip)
    return output, (h, new_reads, new_addresses, memory)


def test_ntm_cell_two_steps_match_numpy():
    rng = np.random.RandomState(0)
    size, dim, reads, writes = 5, 3, 2, 1
    xs = rng.uniform(-1, 1, (2, 2, 4))
    cell = rnn.NTMCell(rnn.BasicRNNCell(3), size, dim, reads, writes, shift_range=1, output_dim=2, clip_value=3.0)
    outputs, state = tf.nn.dynamic_rnn(cell, tf.constant(xs), dtype=tf.float64)
    names = [v.op.name[len("rnn/ntm_cell/"):] for v in tf.global_variables()]
    assert names == ["parameters_kernel", "parameters_bias", "output_kernel", "output_bias", "initial_read_vector_0",
                     "initial_read_vector_1", "initial_address_weights_0", "initial_address_weights_1",
                     "initial_address_weights_2", "memory", "basic_rnn_cell/kernel", "basic_rnn_cell/bias"]
    assert cell.total_parameter_num == (dim + 6) * 3 + dim * 2
    assert isinstance(state, rnn.NTMControllerState) and state.M.shape.as_list() == [2, size, dim]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(tf.global_variables()[9]), 1e-6)
        values = randomize(sess, tf.global_variables(), scale=0.8)
        got, got_state = sess.run([outputs, state])
    w = {k[len("rnn/ntm_cell/"):]: v for k, v in values.items()}
    np_state = (np.zeros((2, 3)), None, None, None)
    for t in range(2):
        out, np_state = _np_ntm_step(w, xs[:, t], np_state, size, dim, reads, writes, 1, 3.0, first=t == 0)
        np.testing.assert_allclose(got[:, t], out, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(got_state.M, np_state[3], rtol=1e-9, atol=1e-12)
    for got_w, want_w in zip(got_state.w_list, np_state[2]):
        np.testing.assert_allclose(got_w, want_w, rtol=1e-9, atol=1e-12)
    assert got_state.time == 2


def test_ntm_cell_step_gradient_and_errors():
    rng = np.random.RandomState(1)
    size, dim = 4, 2
    cell = rnn.NTMCell(rnn.GRUCell(3), size, dim, 1, 1, shift_range=1, output_dim=2)
    x = tf.placeholder(tf.float64, [2, 3])
    memory = tf.placeholder(tf.float64, [2, size, dim])
    read = tf.placeholder(tf.float64, [2, dim])
    addresses = [tf.placeholder(tf.float64, [2, size]) for _ in range(2)]
    h = tf.placeholder(tf.float64, [2, 3])
    state = rnn.NTMControllerState(controller_state=h, read_vector_list=[read], w_list=addresses, M=memory,
                                   time=tf.constant(1))
    output, new_state = cell(x, state)
    feed = {x: rng.uniform(-1, 1, (2, 3)), memory: rng.uniform(-1, 1, (2, size, dim)),
            read: rng.uniform(-1, 1, (2, dim)), h: rng.uniform(-1, 1, (2, 3))}
    for a in addresses:
        feed[a] = rng.dirichlet(np.ones(size), 2)
    loss = tf.reduce_sum(output * rng.uniform(0.5, 1.5, (2, 2))) + tf.reduce_sum(new_state.M ** 2)
    with tf.Session() as sess:
        randomize(sess, tf.global_variables(), seed=2, scale=0.5)
        check_graph_gradients(loss, [x, memory, read, h] + addresses, feed, sess=sess, rtol=1e-4, atol=1e-7)
    with pytest.raises(TypeError, match="is not an RNNCell"):
        rnn.NTMCell(object(), 4, 2, 1, 1)
