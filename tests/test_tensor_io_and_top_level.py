"""tf.io.serialize_tensor / parse_tensor / decode_compressed (ops/tensor_io_ops.py) and the small top-level
helpers (framework/top_level_extra.py), tf.initializers.tables_initializer, tf.logging.TaskLevelStatusMessage."""
import gzip
import zlib

import numpy as np
import pytest

import numflow as tf
from gradcheck import check_gradients


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


# A TensorProto TensorFlow wrote: tf.io.serialize_tensor(tf.constant([[1.5, 2.5]])).
TF_SERIALIZED = bytes.fromhex("08011208120208011202080222080000c03f00002040")


@pytest.mark.parametrize("value", [np.arange(6, dtype=np.int64).reshape(2, 3), np.float32(2.5),
                                   np.array([b"ab", b"", b"c"], dtype=object), np.zeros((0, 3), np.float64),
                                   np.array([[True, False]])])
def test_serialize_parse_round_trip(value):
    dtype = tf.string if value.dtype == object else tf.as_dtype(value.dtype)
    serialized = tf.serialize_tensor(tf.constant(value, dtype=dtype))
    assert serialized.shape.as_list() == [] and serialized.dtype == tf.string
    parsed = tf.io.parse_tensor(serialized, dtype)
    got = run(parsed)
    assert got.shape == np.shape(value) and got.tolist() == np.asarray(value).tolist()


def test_parse_tensor_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Type mismatch between parsed tensor \(int64\) and "
                                                             r"dtype \(float32\)"):
        run(tf.parse_tensor(tf.serialize_tensor(tf.constant([1], tf.int64)), tf.float32))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Could not parse `serialized` as TensorProto"):
        run(tf.io.parse_tensor(b"\xff\xff\xff", tf.float32))


def test_parse_tensor_reads_a_tensorflow_tensor_proto():
    np.testing.assert_array_equal(run(tf.parse_tensor(TF_SERIALIZED, tf.float32)), [[1.5, 2.5]])


def test_decode_compressed():
    data = np.array([[zlib.compress(b"hello"), zlib.compress(b"")]], dtype=object)
    got = run(tf.io.decode_compressed(data, "ZLIB"))
    assert got.shape == (1, 2) and got.tolist() == [[b"hello", b""]]
    assert run(tf.decode_compressed([gzip.compress(b"gz")], compression_type="GZIP")).tolist() == [b"gz"]
    assert run(tf.io.decode_compressed([b"plain"])).tolist() == [b"plain"]
    with pytest.raises(tf.errors.DataLossError, match="ZLIB data is corrupt or truncated"):
        run(tf.io.decode_compressed([zlib.compress(b"hello")[:-3]], "ZLIB"))
    with pytest.raises(ValueError, match="compression_type must be"):
        tf.io.decode_compressed([b"x"], "BZIP2")


def test_top_level_helpers():
    x = tf.constant([1.0])
    assert tf.is_numeric_tensor(x) and not tf.is_numeric_tensor(tf.constant([True]))
    assert not tf.is_numeric_tensor(np.ones(2)) and tf.is_symbolic_tensor(x) and not tf.is_symbolic_tensor(1.0)
    assert tf.executing_eagerly_outside_functions() is False
    assert tf.GRAPH_DEF_VERSION == 134 and tf.GRAPH_DEF_VERSION_MIN_CONSUMER == 0
    assert tf.GRAPH_DEF_VERSION_MIN_PRODUCER == 0
    assert run(tf.guarantee_const(x)).tolist() == [1.0]
    assert tf.get_seed is tf.random.get_seed
    assert tf.initializers.tables_initializer is tf.tables_initializer
    # grad_pass_through: the forward value of round, the gradient of the identity.
    v = tf.constant([1.3, 2.7])
    rounded = tf.grad_pass_through(tf.round)(v)
    value, grad = run([rounded, tf.gradients(tf.reduce_sum(rounded * [2.0, 3.0]), v)[0]])
    assert value.tolist() == [1.0, 3.0] and grad.tolist() == [2.0, 3.0]
    check_gradients(lambda t: tf.recompute_grad(lambda u: tf.sin(u) * u)(t), [np.array([0.3, -1.2])])


def test_task_level_status_message_logs_at_error_level(monkeypatch):
    logged = []
    monkeypatch.setattr(tf.logging, "error", lambda msg, *args, **kwargs: logged.append(msg))
    import numflow.platform.tf_logging as tf_logging
    monkeypatch.setattr(tf_logging, "error", lambda msg, *args, **kwargs: logged.append(msg))
    tf.logging.TaskLevelStatusMessage("task 3 is done")
    assert logged == ["task 3 is done"]
