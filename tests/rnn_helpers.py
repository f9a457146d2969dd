"""Shared helpers of the recurrent-net tests: NumPy reference cells and a finite-difference check of a
whole graph's gradient with respect to fed tensors and variables."""
import numpy as np

import numflow as tf


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def np_lstm_step(x, c, m, w, forget_bias=1.0, peepholes=None, cell_clip=None, projection=None, proj_clip=None):
    """One step of TF1's LSTMCell in NumPy: w = {'kernel', 'bias'}; peepholes = (w_f, w_i, w_o)."""
    i, j, f, o = np.split(np.concatenate([x, m], 1) @ w["kernel"] + w["bias"], 4, axis=1)
    f = f + forget_bias
    if peepholes is not None:
        f = f + peepholes[0] * c
        i = i + peepholes[1] * c
    new_c = sigmoid(f) * c + sigmoid(i) * np.tanh(j)
    if cell_clip is not None:
        new_c = np.clip(new_c, -cell_clip, cell_clip)
    if peepholes is not None:
        o = o + peepholes[2] * new_c
    new_m = sigmoid(o) * np.tanh(new_c)
    if projection is not None:
        new_m = new_m @ projection
        if proj_clip is not None:
            new_m = np.clip(new_m, -proj_clip, proj_clip)
    return new_c, new_m


def randomize(sess, variables, seed=0, scale=0.5):
    """Assigns uniform random values to `variables`; returns {variable name: value}."""
    rng = np.random.RandomState(seed)
    values = {}
    for v in variables:
        value = rng.uniform(-scale, scale, v.shape.as_list()).astype(v.dtype.base_dtype.np)
        sess.run(v.assign(value))
        values[v.op.name] = value
    return values


def check_graph_gradients(loss, sources, feed, delta=1e-6, rtol=1e-5, atol=1e-7, sess=None):
    """Asserts tf.gradients(loss, sources) matches central finite differences of `loss` (float64),
    where every source (placeholder or variable) gets its value from `feed`. Variables are assigned
    rather than fed: a while_loop reads them inside its body."""
    grads = tf.gradients(loss, sources)
    assert all(g is not None for g in grads), grads
    sess = sess or tf.get_default_session()
    setters = {}
    for source in sources:
        if source.op.type == "VariableV2":
            value = tf.placeholder(source.dtype.base_dtype, source.shape)
            setters[source] = (value, tf.assign(source, value))

    def set_value(source, value):
        if source in setters:
            sess.run(setters[source][1], {setters[source][0]: value})

    placeholders_feed = {k: v for k, v in feed.items() if k not in setters}
    for source in setters:
        set_value(source, feed[source])
    symbolic = sess.run(grads, placeholders_feed)
    for source, grad in zip(sources, symbolic):
        base = np.array(feed[source], dtype=np.float64)
        numeric = np.zeros_like(base)
        for position in np.ndindex(*base.shape):
            values = []
            for sign in (1, -1):
                moved = base.copy()
                moved[position] += sign * delta
                if source in setters:
                    set_value(source, moved)
                    values.append(sess.run(loss, placeholders_feed))
                else:
                    values.append(sess.run(loss, {**placeholders_feed, source: moved}))
            numeric[position] = (values[0] - values[1]) / (2 * delta)
        set_value(source, base)
        np.testing.assert_allclose(grad, numeric, rtol=rtol, atol=atol, err_msg=source.name)
