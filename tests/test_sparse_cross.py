"""tf.sparse.cross / cross_hashed (ops/sparse_cross.py): combinations per example in TF's order, strings
joined by the separator, hashes by TF's FingerprintCat64 chain (also checked against real TF in
tf_parity_sparse_cross.py)."""
import numpy as np
import pytest

import numflow as tf
from numflow.ops.hash_functions import farmhash_fingerprint64


def run(fetches):
    with tf.Session() as sess:
        return sess.run(fetches)


def inputs():
    a = tf.sparse.from_dense(tf.constant([[b"a", b"b"], [b"c", b""]]))
    b = tf.constant([[b"x", b"y"], [b"z", b"w"]])
    c = tf.sparse.from_dense(tf.constant([[3, 0], [0, 0]], tf.int64))
    return a, b, c


def test_cross_strings_in_tf_order():
    a, b, c = inputs()
    crossed = run(tf.sparse.cross([a, b]))
    assert crossed.indices.tolist() == [[0, 0], [0, 1], [0, 2], [0, 3], [1, 0], [1, 1]]
    assert crossed.values.tolist() == [b"a_X_x", b"a_X_y", b"b_X_x", b"b_X_y", b"c_X_z", b"c_X_w"]
    assert crossed.dense_shape.tolist() == [2, 4]
    # SparseTensors come before dense inputs; integers are written in decimal; row 1 of c is empty.
    crossed = run(tf.sparse.cross([a, b, c], separator="+"))
    assert crossed.values.tolist() == [b"a+3+x", b"a+3+y", b"b+3+x", b"b+3+y"]
    assert crossed.indices[:, 0].tolist() == [0, 0, 0, 0]


def reference_hash(values, key):
    mask, mul = (1 << 64) - 1, 0xC6A4A7935BD1E995

    def shift_mix(v):
        return v ^ (v >> 47)
    code = key
    for value in values:
        second = farmhash_fingerprint64(value) if isinstance(value, bytes) else value
        result = code ^ mul
        result ^= (shift_mix((second * mul) & mask) * mul) & mask
        result = (result * mul) & mask
        result = (shift_mix(result) * mul) & mask
        code = shift_mix(result)
    return code


def test_cross_hashed_chains_fingerprints():
    a, b, c = inputs()
    pairs = [(b"a", b"x"), (b"a", b"y"), (b"b", b"x"), (b"b", b"y"), (b"c", b"z"), (b"c", b"w")]
    got = run(tf.sparse.cross_hashed([a, b]))
    assert got.values.dtype == np.int64
    assert got.values.tolist() == [reference_hash(p, 0xDECAFCAFFE) % (2 ** 63 - 1) for p in pairs]
    bucketed = run(tf.sparse.cross_hashed([a, b], num_buckets=100, hash_key=7))
    assert bucketed.values.tolist() == [reference_hash(p, 7) % 100 for p in pairs]
    ints = run(tf.sparse.cross_hashed([c, tf.constant([[5], [6]], tf.int64)]))
    assert ints.values.tolist() == [reference_hash([3, 5], 0xDECAFCAFFE) % (2 ** 63 - 1)]


def test_cross_errors():
    with pytest.raises(TypeError, match="Inputs must be a list"):
        tf.sparse.cross(tf.constant([["a"]]))
    with pytest.raises(ValueError, match="cross needs at least one input"):
        tf.sparse.cross([])
    with pytest.raises(ValueError, match="num_buckets must be >= 0"):
        tf.sparse.cross_hashed([tf.constant([["a"]])], num_buckets=-1)
    with pytest.raises(TypeError, match="cross inputs must be string, int32 or int64"):
        tf.sparse.cross([tf.constant([[1.5]])])
    with pytest.raises(ValueError, match="dense inputs of rank 2"):
        tf.sparse.cross([tf.constant(["a"])])
