"""Graph-mode tf.GradientTape, tf.function and tf.RaggedTensor programs, built with whichever `tf` module
is given (numflow, or real TensorFlow's tf.compat.v1 with v2 behaviour disabled); see tf_parity.py."""
import numpy as np

FAMILIES = ["tape_recorded_ops_only", "tape_variables_and_stop_recording", "tape_jacobians",
            "function_calls", "ragged_conversions", "ragged_factories_and_ops"]

X = np.array([1.0, 2.0, 3.0], np.float32)


def tape_recorded_ops_only(tf):
    x = tf.placeholder(tf.float32, [3])
    before = x * 2.0
    watched_before = x * 5.0
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([x, watched_before])
        y = tf.reduce_sum(x * x) + tf.reduce_sum(before) + tf.reduce_sum(watched_before * watched_before)
        a = x * 3.0
    grads = tape.gradient([y, a], [x, watched_before, a])
    zero = tape.gradient(y, before, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    weighted = tape.gradient(a, x, output_gradients=tf.constant([1.0, 2.0, 3.0]))
    return {"grads": grads, "zero": zero, "weighted": weighted}, {x: X}


def tape_variables_and_stop_recording(tf):
    # Resource variables: TF's tape cannot watch reference variables.
    v = tf.Variable([1.0, 2.0, 3.0], use_resource=True)
    w = tf.Variable(0.5, use_resource=True)
    read_before = v * 1.0
    with tf.GradientTape(persistent=True) as tape:
        p = read_before * v * w
        with tape.stop_recording():
            q = p * p
        loss = tf.reduce_sum(q) + tf.reduce_sum(p)
    with tf.GradientTape() as outer:
        outer.watch(w)
        with tf.GradientTape() as inner:
            inner.watch(w)
            cube = w * w * w
        first = inner.gradient(cube, w)
    return {"grads": tape.gradient(loss, [v, w]), "second": outer.gradient(first, w), "first": first}


def tape_jacobians(tf):
    x = tf.placeholder(tf.float32, [3])
    xb = tf.placeholder(tf.float32, [2, 3])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([x, xb])
        y = tf.stack([x[0] * x[1], tf.sin(x[2])])
        yb = xb * tf.reduce_sum(xb, axis=1, keepdims=True)
    return ({"jacobian": tape.jacobian(y, x), "batch": tape.batch_jacobian(yb, xb)},
            {x: X, xb: np.array([[1, 2, 3], [4, 5, 6]], np.float32)})


def function_calls(tf):
    v = tf.Variable(1.0, use_resource=True)

    @tf.function
    def scale(x, k=2.0):
        return {"scaled": x * k, "pair": (x + k, x - k)}

    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def bump(a):
        v.assign_add(tf.reduce_sum(a))
        return v.read_value() * 10.0

    x = tf.constant([1.0, 2.0])
    concrete = scale.get_concrete_function(tf.TensorSpec([2], tf.float32))
    def parts(result):     # tf_parity flattens lists only
        return [result["scaled"], result["pair"][0], result["pair"][1]]
    return {"scale": parts(scale(x)), "scale3": parts(scale(x, 3.0)), "bump": bump(x),
            "concrete": parts(concrete(x))}


def ragged_conversions(tf):
    rt = tf.RaggedTensor.from_row_splits([1.0, 2.0, 3.0, 4.0, 5.0], [0, 2, 2, 5])
    nested = tf.ragged.constant([[[1, 2], [3]], [], [[4, 5, 6]]])
    sparse = nested.to_sparse()
    return {"dense": rt.to_tensor(default_value=9.0), "nested_dense": nested.to_tensor(),
            "sparse": [sparse.indices, sparse.values, sparse.dense_shape],
            "row2": rt[2], "rows": rt[1:].to_tensor(), "nested0": nested[0].to_tensor(),
            "lengths": rt.row_lengths(), "rowids": rt.value_rowids(), "nrows": rt.nrows(),
            "words": tf.strings.length(tf.strings.split(["a b", "cd", ""], result_type="RaggedTensor").to_tensor())}


def ragged_factories_and_ops(tf):
    t = tf.constant([[1, 2, 0, 0], [3, 0, 4, 0], [0, 0, 0, 0]])
    built = [tf.RaggedTensor.from_tensor(t, padding=0), tf.RaggedTensor.from_tensor(t, lengths=[1, 3, 0]),
             tf.RaggedTensor.from_value_rowids([1, 2, 3], [0, 0, 2], nrows=4),
             tf.RaggedTensor.from_row_lengths([1, 2, 3], [1, 0, 2]),
             tf.ragged.range([0, 2], [3, 7], 2), tf.ragged.range(5, 0, -2),
             tf.ragged.map_flat_values(tf.multiply, tf.ragged.constant([[1, 2], [3]]), 3)]
    out = {"built_%d" % i: [r.flat_values, r.row_splits] for i, r in enumerate(built)}
    out["segments"] = tf.ragged.row_splits_to_segment_ids([0, 2, 2, 5])
    out["splits"] = tf.ragged.segment_ids_to_row_splits([0, 0, 2, 2, 2], num_segments=4)
    return out
