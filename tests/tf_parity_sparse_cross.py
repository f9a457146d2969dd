"""tf.sparse.cross / cross_hashed built identically with numflow and real TensorFlow (run by
test_tf_parity_sparse_cross.py where NUMFLOW_TF_PYTHON names a Python with TensorFlow)."""
import numpy as np


def cross_cases(tf):
    """String and hashed crosses of sparse and dense string and integer features."""
    a = tf.SparseTensor(np.array([[0, 0], [0, 1], [1, 0], [2, 1]], np.int64), np.array([b"a", b"b", b"c", b"d"]),
                        [3, 2])
    b = tf.constant([[b"x", b"y"], [b"z", b"w"], [b"u", b"v"]])
    c = tf.SparseTensor(np.array([[0, 0], [2, 0], [2, 1]], np.int64), np.array([3, -4, 9], np.int64), [3, 2])
    d = tf.constant([[5], [6], [7]], tf.int64)
    out = {}
    for name, parts in (("ab", [a, b]), ("abc", [a, b, c]), ("cd", [c, d]), ("acd", [a, c, d])):
        crossed = tf.sparse.cross(parts)
        hashed = tf.sparse.cross_hashed(parts)
        bucketed = tf.sparse.cross_hashed(parts, num_buckets=1000, hash_key=123)
        # Strings travel as their FarmHash fingerprints (npz files hold no object arrays).
        out[name] = [crossed.indices, tf.fingerprint(crossed.values), crossed.dense_shape, hashed.values,
                     bucketed.values]
    return out


FAMILIES = ["cross_cases"]
