"""Shared checks for the Keras layer tests: run a layer on NumPy inputs, compare its gradients (input and
weights) with central finite differences in float64, round-trip its config."""
import numpy as np

import numflow as tf


def keras():
    return tf.keras


def run_layer(layer, inputs, training=None, fetch_mask=False, weights=None):
    """Calls `layer` on placeholders fed with `inputs` (an array or a list) in a fresh graph; returns the
    output value(s) (and the output mask when `fetch_mask`)."""
    K = tf.keras.backend
    with tf.Graph().as_default():
        arrays = inputs if isinstance(inputs, list) else [inputs]
        placeholders = [tf.placeholder(tf.as_dtype(np.asarray(a).dtype), [None] + list(np.shape(a)[1:]))
                        for a in arrays]
        call_kwargs = {} if training is None else {"training": training}
        outputs = layer(placeholders if isinstance(inputs, list) else placeholders[0], **call_kwargs)
        if weights is not None:
            layer.set_weights(weights)
        fetches = outputs
        if fetch_mask:
            fetches = [outputs, outputs._keras_mask]
        session = K.get_session()
        values = session.run(fetches, dict(zip(placeholders, arrays)))
        return values


def check_layer_gradients(make_layer, inputs, rtol=1e-5, atol=1e-6, delta=1e-6, seed=0, weight_values=None,
                          call_kwargs=None):
    """tf.gradients of sum(layer(x) * w) w.r.t. every input and every trainable weight of a float64 layer
    vs central differences."""
    K = tf.keras.backend
    arrays = [np.asarray(a, dtype=np.float64) for a in (inputs if isinstance(inputs, list) else [inputs])]
    with tf.Graph().as_default():
        placeholders = [tf.placeholder(tf.float64, a.shape) for a in arrays]
        layer = make_layer()
        out = layer(placeholders if isinstance(inputs, list) else placeholders[0], **(call_kwargs or {}))
        session = K.get_session()
        if weight_values is not None:
            layer.set_weights(weight_values)
        variables = layer.trainable_weights
        feed = dict(zip(placeholders, arrays))
        out_value = session.run(out, feed)
        w = np.random.RandomState(seed).uniform(0.5, 1.5, size=np.shape(out_value))
        loss = tf.reduce_sum(out * tf.constant(w))
        grads = tf.gradients(loss, placeholders + variables)
        assert all(g is not None for g in grads), "no gradient for some input or weight: %s" % grads
        symbolic = session.run(grads, feed)
        values = [v for v in session.run(variables)]

        def numeric(index, array, assign):
            grad = np.zeros_like(array)
            for position in np.ndindex(*array.shape):
                original = array[position]
                array[position] = original + delta
                assign(array)
                plus = session.run(loss, feed)
                array[position] = original - delta
                assign(array)
                minus = session.run(loss, feed)
                array[position] = original
                assign(array)
                grad[position] = (plus - minus) / (2 * delta)
            return grad

        expected = []
        for index, array in enumerate(arrays):
            def assign(value, index=index):
                feed[placeholders[index]] = value
            expected.append(numeric(index, array.copy(), assign))
        for variable, value in zip(variables, values):
            def assign(value, variable=variable):
                variable.load(value, session)
            expected.append(numeric(0, np.array(value, dtype=np.float64), assign))
        for index, (a, e) in enumerate(zip(symbolic, expected)):
            a = np.asarray(a.values if hasattr(a, "values") and hasattr(a, "indices") else a)
            np.testing.assert_allclose(a, e, rtol=rtol, atol=atol, err_msg="gradient %d" % index)


def config_round_trip(layer):
    """A layer rebuilt from `layer.get_config()` (through `tf.keras.layers.deserialize`) whose config
    equals the original's."""
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    return clone
