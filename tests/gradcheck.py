"""Shared checks for op tests: values against NumPy, gradients against central finite differences."""
import numpy as np

import numflow as tf


def evaluate(build, inputs, dtype=None):
    """Runs build(*placeholders) with `inputs` fed; returns the value(s) it builds."""
    graph = tf.Graph()
    with graph.as_default():
        placeholders = [tf.placeholder(tf.as_dtype(np.asarray(x).dtype if dtype is None else dtype),
                                       np.shape(x)) for x in inputs]
        out = build(*placeholders)
        with tf.Session(graph=graph) as sess:
            return sess.run(out, dict(zip(placeholders, inputs)))


def numeric_gradients(build, inputs, weights, delta=1e-6):
    """Central finite differences of sum(build(*inputs) * weights) for each float64 input."""
    graph = tf.Graph()
    with graph.as_default():
        placeholders = [tf.placeholder(tf.float64, np.shape(x)) for x in inputs]
        out = build(*placeholders)
        with tf.Session(graph=graph) as sess:
            def loss(values):
                return float(np.sum(sess.run(out, dict(zip(placeholders, values))) * weights))
            grads = []
            for index, x in enumerate(inputs):
                grad = np.zeros_like(x, dtype=np.float64)
                for position in np.ndindex(*np.shape(x)):
                    plus = [np.array(v, dtype=np.float64, copy=True) for v in inputs]
                    minus = [np.array(v, dtype=np.float64, copy=True) for v in inputs]
                    plus[index][position] += delta
                    minus[index][position] -= delta
                    grad[position] = (loss(plus) - loss(minus)) / (2 * delta)
                grads.append(grad)
            return grads


def symbolic_gradients(build, inputs, weights):
    """tf.gradients of sum(build(*inputs) * weights) with respect to each input."""
    graph = tf.Graph()
    with graph.as_default():
        placeholders = [tf.placeholder(tf.float64, np.shape(x)) for x in inputs]
        out = build(*placeholders)
        grads = tf.gradients(out, placeholders, grad_ys=tf.constant(np.asarray(weights, dtype=np.float64)))
        # Gathers' gradients are IndexedSlices: compared with finite differences as dense tensors.
        grads = [tf.convert_to_tensor(g) if isinstance(g, tf.IndexedSlices) else g for g in grads]
        assert all(g is not None for g in grads), "an input got no gradient: %s" % grads
        with tf.Session(graph=graph) as sess:
            return sess.run(grads, dict(zip(placeholders, inputs)))


def check_gradients(build, inputs, rtol=1e-5, atol=1e-7, delta=1e-6, seed=0):
    """Asserts tf.gradients agrees with finite differences (float64) for every input of `build`."""
    inputs = [np.asarray(x, dtype=np.float64) for x in inputs]
    out_value = evaluate(build, inputs)
    weights = np.random.RandomState(seed).uniform(0.5, 1.5, size=np.shape(out_value))
    expected = numeric_gradients(build, inputs, weights, delta)
    actual = symbolic_gradients(build, inputs, weights)
    for index, (a, e) in enumerate(zip(actual, expected)):
        assert np.shape(a) == np.shape(e), "input %d: gradient shape %s != %s" % (index, np.shape(a), np.shape(e))
        np.testing.assert_allclose(a, e, rtol=rtol, atol=atol, err_msg="gradient of input %d" % index)
