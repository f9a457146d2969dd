"""Parsing ops: parse_example / parse_single_example, decode_raw, decode_csv, string_to_number."""
import struct

import numpy as np
import pytest

import numflow as tf


def _feature(values):
    """A tf.train.Feature of the list type that fits `values` (bytes, floats or ints)."""
    if isinstance(values, tf.train.Feature):
        return values
    values = list(values)
    if values and isinstance(values[0], bytes):
        return tf.train.Feature(bytes_list=tf.train.BytesList(value=values))
    if values and isinstance(values[0], float):
        return tf.train.Feature(float_list=tf.train.FloatList(value=values))
    return tf.train.Feature(int64_list=tf.train.Int64List(value=values))


def _example(**features):
    return tf.train.Example(features=tf.train.Features(
        feature={k: _feature(v) for k, v in features.items()})).SerializeToString()


def _run(build, feed=None):
    with tf.Session() as sess:
        return sess.run(build, feed)


# --- parse_example -------------------------------------------------------------------------------
RECORDS = [
    _example(label=[3], image=[0.5, 1.5, 2.5, 3.5], tags=[b"a", b"bb"], ids=[7, -8, 2 ** 40]),
    _example(label=[1], image=[1.0, 2.0, 3.0, 4.0], tags=tf.train.Feature(bytes_list=tf.train.BytesList()), ids=[5]),
    _example(label=[4], image=[-1.0, -2.0, -3.0, -4.0], tags=[b"c"]),
]


def test_parse_example_dense_sparse_and_defaults():
    with tf.Graph().as_default():
        serialized = tf.placeholder(tf.string, [3])
        parsed = tf.parse_example(serialized, {
            "label": tf.FixedLenFeature([], tf.int64),
            "image": tf.FixedLenFeature([2, 2], tf.float32),
            "tags": tf.VarLenFeature(tf.string),
            "ids": tf.VarLenFeature(tf.int64),
            "weight": tf.FixedLenFeature([1], tf.float32, default_value=[0.25]),
            "kind": tf.FixedLenFeature([], tf.string, default_value="none"),
        })
        assert parsed["label"].shape.as_list() == [3] and parsed["label"].dtype == tf.int64
        assert parsed["image"].shape.as_list() == [3, 2, 2] and parsed["image"].dtype == tf.float32
        assert parsed["weight"].shape.as_list() == [3, 1]
        assert isinstance(parsed["tags"], tf.SparseTensor) and parsed["tags"].dtype == tf.string
        assert parsed["ids"].indices.shape.as_list() == [None, 2]
        assert parsed["ids"].dense_shape.shape.as_list() == [2]
        out = _run(parsed, {serialized: RECORDS})
    np.testing.assert_array_equal(out["label"], [3, 1, 4])
    assert out["label"].dtype == np.int64
    np.testing.assert_array_equal(out["image"], [[[0.5, 1.5], [2.5, 3.5]], [[1, 2], [3, 4]],
                                                 [[-1, -2], [-3, -4]]])
    np.testing.assert_array_equal(out["weight"], [[0.25]] * 3)
    assert out["kind"].tolist() == [b"none"] * 3
    np.testing.assert_array_equal(out["tags"].indices, [[0, 0], [0, 1], [2, 0]])
    assert out["tags"].values.tolist() == [b"a", b"bb", b"c"]
    np.testing.assert_array_equal(out["tags"].dense_shape, [3, 2])
    np.testing.assert_array_equal(out["ids"].indices, [[0, 0], [0, 1], [0, 2], [1, 0]])
    np.testing.assert_array_equal(out["ids"].values, [7, -8, 2 ** 40, 5])
    np.testing.assert_array_equal(out["ids"].dense_shape, [3, 3])


def test_parse_example_static_batch_and_empty_batch():
    with tf.Graph().as_default():
        parsed = tf.parse_example(tf.constant(RECORDS[:2]), {"label": tf.FixedLenFeature([], tf.int64),
                                                             "ids": tf.VarLenFeature(tf.int64)})
        assert parsed["label"].shape.as_list() == [2]
        np.testing.assert_array_equal(_run(parsed["label"]), [3, 1])
        empty = tf.placeholder(tf.string, [None])
        parsed = tf.parse_example(empty, {"label": tf.FixedLenFeature([2], tf.float32),
                                          "ids": tf.VarLenFeature(tf.int64)})
        out = _run(parsed, {empty: np.zeros(0, dtype=object)})
        assert out["label"].shape == (0, 2) and out["label"].dtype == np.float32
        assert out["ids"].indices.shape == (0, 2)
        np.testing.assert_array_equal(out["ids"].dense_shape, [0, 0])


def test_parse_single_example():
    with tf.Graph().as_default():
        serialized = tf.placeholder(tf.string, [])
        parsed = tf.parse_single_example(serialized, {
            "label": tf.FixedLenFeature([], tf.int64),
            "image": tf.FixedLenFeature([4], tf.float32),
            "ids": tf.VarLenFeature(tf.int64),
            "steps": tf.FixedLenSequenceFeature([2], tf.float32, allow_missing=True),
            "kind": tf.FixedLenFeature([], tf.string, default_value="none"),
        })
        assert parsed["label"].shape.as_list() == []
        assert parsed["image"].shape.as_list() == [4]
        assert parsed["ids"].indices.shape.as_list() == [None, 1]
        assert parsed["steps"].shape.as_list() == [None, 2]
        out = _run(parsed, {serialized: RECORDS[0]})
        assert out["label"] == 3 and out["label"].shape == ()
        np.testing.assert_array_equal(out["image"], [0.5, 1.5, 2.5, 3.5])
        np.testing.assert_array_equal(out["ids"].indices, [[0], [1], [2]])
        np.testing.assert_array_equal(out["ids"].values, [7, -8, 2 ** 40])
        np.testing.assert_array_equal(out["ids"].dense_shape, [3])
        assert out["steps"].shape == (0, 2)
        assert out["kind"] == b"none" and np.shape(out["kind"]) == ()
        out = _run(parsed["steps"], {serialized: _example(label=[0], image=[0.0] * 4, steps=[1.0, 2.0, 3.0, 4.0])})
        np.testing.assert_array_equal(out, [[1, 2], [3, 4]])
        # Without allow_missing a sequence feature is required.
        strict = tf.parse_single_example(serialized, {"steps": tf.FixedLenSequenceFeature([2], tf.float32)})
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"Key: steps, Index: 0.  Feature: steps \(data type: float\) is required"):
            _run(strict, {serialized: RECORDS[0]})
        with pytest.raises(ValueError, match="Input serialized must be a scalar"):
            tf.parse_single_example(tf.constant(RECORDS), {"label": tf.FixedLenFeature([], tf.int64)})


def test_fixed_len_sequence_feature_pads_to_the_longest():
    records = [_example(seq=[1, 2, 3, 4]), _example(seq=[5, 6]), _example(other=[1])]
    with tf.Graph().as_default():
        parsed = tf.parse_example(tf.constant(records), {
            "seq": tf.FixedLenSequenceFeature([2], tf.int64, allow_missing=True, default_value=-1),
            "words": tf.FixedLenSequenceFeature([], tf.string, allow_missing=True)})
        assert parsed["seq"].shape.as_list() == [3, None, 2]
        out = _run(parsed)
    np.testing.assert_array_equal(out["seq"], [[[1, 2], [3, 4]], [[5, 6], [-1, -1]], [[-1, -1], [-1, -1]]])
    assert out["words"].shape == (3, 0)
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="FixedLenSequenceFeature requires allow_missing to be True"):
            tf.parse_example(tf.constant(records), {"seq": tf.FixedLenSequenceFeature([], tf.int64)})
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"Key: seq, Index: 0.  Number of int64 values is not a multiple of stride. "
                                 r"Values size: 4, stride: 3"):
            _run(tf.parse_example(tf.constant(records), {
                "seq": tf.FixedLenSequenceFeature([3], tf.int64, allow_missing=True)}))


def test_parse_example_matches_a_plain_python_reference_on_random_examples():
    rng = np.random.RandomState(0)
    rows = []
    for _ in range(40):
        rows.append({"f": rng.randn(3).astype(np.float32), "v": rng.randint(-2 ** 40, 2 ** 40, size=rng.randint(0, 6)),
                     "s": [rng.bytes(rng.randint(0, 4)) for _ in range(rng.randint(0, 3))]})
    records = [tf.train.Example(features=tf.train.Features(feature={
        "f": tf.train.Feature(float_list=tf.train.FloatList(value=r["f"].tolist())),
        "v": tf.train.Feature(int64_list=tf.train.Int64List(value=r["v"].tolist())),
        "s": tf.train.Feature(bytes_list=tf.train.BytesList(value=r["s"]))})).SerializeToString() for r in rows]
    with tf.Graph().as_default():
        out = _run(tf.parse_example(tf.constant(records), {"f": tf.FixedLenFeature([3], tf.float32),
                                                           "v": tf.VarLenFeature(tf.int64),
                                                           "s": tf.VarLenFeature(tf.string)}))
    np.testing.assert_array_equal(out["f"], np.stack([r["f"] for r in rows]))
    expected_indices = [[i, j] for i, r in enumerate(rows) for j in range(len(r["v"]))]
    np.testing.assert_array_equal(out["v"].indices.reshape(-1, 2), np.array(expected_indices).reshape(-1, 2))
    np.testing.assert_array_equal(out["v"].values, np.concatenate([r["v"] for r in rows]))
    assert out["v"].dense_shape.tolist() == [40, max(len(r["v"]) for r in rows)]
    assert out["s"].values.tolist() == [b for r in rows for b in r["s"]]


def test_parse_example_errors_name_key_and_index_and_session_survives():
    with tf.Graph().as_default():
        serialized = tf.placeholder(tf.string, [None])
        names = tf.placeholder(tf.string, [None])
        required = tf.parse_example(serialized, {"label": tf.FixedLenFeature([], tf.int64)})
        wrong_type = tf.parse_example(serialized, {"image": tf.FixedLenFeature([4], tf.int64)})
        wrong_count = tf.parse_example(serialized, {"image": tf.FixedLenFeature([3], tf.float32)})
        sparse_type = tf.parse_example(serialized, {"tags": tf.VarLenFeature(tf.float32)})
        named = tf.parse_example(serialized, {"label": tf.FixedLenFeature([], tf.int64)}, example_names=names)
        with tf.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError,
                               match=r"Name: <unknown>, Key: label, Index: 1.  Feature: label \(data type: int64\) "
                                     r"is required but could not be found."):
                sess.run(required, {serialized: [RECORDS[0], _example(other=[1])]})
            with pytest.raises(tf.errors.InvalidArgumentError,
                               match=r"Key: image, Index: 0.  Data types don't match. Data type: float but "
                                     r"expected type: int64"):
                sess.run(wrong_type, {serialized: RECORDS})
            with pytest.raises(tf.errors.InvalidArgumentError,
                               match=r"Key: image, Index: 0.  Number of float values != expected.  Values size: 4 "
                                     r"but output shape: \[3\]"):
                sess.run(wrong_count, {serialized: RECORDS})
            with pytest.raises(tf.errors.InvalidArgumentError, match=r"Key: tags, Index: 0.  Data types don't match"):
                sess.run(sparse_type, {serialized: RECORDS})
            with pytest.raises(tf.errors.InvalidArgumentError,
                               match=r"Index: 2.  Could not parse example input"):
                sess.run(required, {serialized: [RECORDS[0], RECORDS[1], b"\x0a\x09garbage"]})
            with pytest.raises(tf.errors.InvalidArgumentError, match=r"Name: second, Key: label, Index: 1."):
                sess.run(named, {serialized: [RECORDS[0], _example(x=[1])], names: ["first", "second"]})
            with pytest.raises(tf.errors.InvalidArgumentError, match="names has 1 elements but serialized has 2"):
                sess.run(named, {serialized: [RECORDS[0], RECORDS[1]], names: ["first"]})
            # The session keeps working after the errors.
            np.testing.assert_array_equal(sess.run(required, {serialized: RECORDS})["label"], [3, 1, 4])


def test_feature_configuration_errors():
    with tf.Graph().as_default():
        records = tf.constant(RECORDS)
        with pytest.raises(ValueError, match="Missing: features was"):
            tf.parse_example(records, {})
        with pytest.raises(ValueError, match="Unsupported dtype int32 for feature 'x'"):
            tf.parse_example(records, {"x": tf.FixedLenFeature([], tf.int32)})
        with pytest.raises(ValueError, match="need to be known"):
            tf.parse_example(records, {"x": tf.FixedLenFeature([None], tf.float32)})
        with pytest.raises(ValueError, match="default_value of feature 'x' must have the feature's shape"):
            tf.parse_example(records, {"x": tf.FixedLenFeature([3], tf.float32, default_value=[1.0, 2.0])})
        with pytest.raises(ValueError, match="Invalid feature x:"):
            tf.parse_example(records, {"x": tf.float32})
        with pytest.raises(ValueError, match="must have rank 1"):
            tf.parse_example(tf.constant(RECORDS[0]), {"label": tf.FixedLenFeature([], tf.int64)})


def test_parse_example_from_a_tfrecord_file(tmp_path):
    path = str(tmp_path / "data.tfrecord")
    with tf.python_io.TFRecordWriter(path, "GZIP") as writer:
        for record in RECORDS:
            writer.write(record)
    records = list(tf.python_io.tf_record_iterator(path, "GZIP"))
    with tf.Graph().as_default():
        out = _run(tf.parse_example(records, {"label": tf.FixedLenFeature([], tf.int64)}))
    np.testing.assert_array_equal(out["label"], [3, 1, 4])


# --- decode_raw ----------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [tf.uint8, tf.int16, tf.int32, tf.int64, tf.float32, tf.float64, tf.float16])
def test_decode_raw_matches_numpy(dtype):
    rng = np.random.RandomState(1)
    arrays = (rng.randn(2, 3, 5) * 100).astype(dtype.np)
    data = np.array([[a.tobytes() for a in row] for row in arrays], dtype=object)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.string, [2, None])
        decoded = tf.decode_raw(x, dtype)
        assert decoded.shape.as_list() == [2, None, None] and decoded.dtype == dtype
        big = tf.decode_raw(x, dtype, little_endian=False)
        with tf.Session() as sess:
            out, out_big = sess.run([decoded, big], {x: data})
    np.testing.assert_array_equal(out, arrays)
    assert out.dtype == dtype.np
    np.testing.assert_array_equal(out_big, arrays.astype(arrays.dtype.newbyteorder(">")).view(arrays.dtype)
                                  if np.dtype(dtype.np).itemsize == 1 else
                                  np.frombuffer(arrays.tobytes(), dtype=arrays.dtype.newbyteorder(">"))
                                  .reshape(arrays.shape))


def test_decode_raw_scalar_and_errors():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.string)
        decoded = tf.decode_raw(x, tf.int32)
        with tf.Session() as sess:
            np.testing.assert_array_equal(sess.run(decoded, {x: struct.pack("<2i", 5, -6)}), [5, -6])
            with pytest.raises(tf.errors.InvalidArgumentError,
                               match="requires input strings to all be the same size, but element 1 has size 8 != 4"):
                sess.run(decoded, {x: [b"\0" * 4, b"\0" * 8]})
            with pytest.raises(tf.errors.InvalidArgumentError,
                               match="Input to DecodeRaw has length 5 that is not a multiple of 4, the size of int32"):
                sess.run(decoded, {x: [b"12345"]})
        with pytest.raises(TypeError, match="DataType string not in list of allowed values"):
            tf.decode_raw(x, tf.string)
        with pytest.raises(TypeError, match="Input 'bytes' of 'DecodeRaw' Op has type float32"):
            tf.decode_raw(tf.constant([1.0]), tf.uint8)


# --- string_to_number ----------------------------------------------------------------------------
def test_string_to_number():
    with tf.Graph().as_default():
        strings = tf.constant([["1.5", "-2e3"], [" 7", "inf"]])
        floats = tf.string_to_number(strings)
        doubles = tf.string_to_number(strings, out_type=tf.float64)
        ints = tf.string_to_number(tf.constant(["12", "-3", "+4"]), out_type=tf.int32)
        int64s = tf.string_to_number(tf.constant(["9007199254740993"]), out_type=tf.int64)
        assert floats.dtype == tf.float32 and floats.shape.as_list() == [2, 2]
        with tf.Session() as sess:
            f, d, i, i64 = sess.run([floats, doubles, ints, int64s])
            np.testing.assert_array_equal(f, np.array([[1.5, -2000.0], [7.0, np.inf]], dtype=np.float32))
            assert d.dtype == np.float64 and i.dtype == np.int32 and i64.dtype == np.int64
            np.testing.assert_array_equal(i, [12, -3, 4])
            assert i64[0] == 9007199254740993
            for text, out_type in (("1.5", tf.int32), ("abc", tf.float32), ("3000000000", tf.int32), ("1_0", tf.int64)):
                with pytest.raises(tf.errors.InvalidArgumentError,
                                   match="StringToNumberOp could not correctly convert string: %s" % text):
                    sess.run(tf.string_to_number(tf.constant([text]), out_type=out_type))
        with pytest.raises(TypeError, match="DataType string not in list of allowed values"):
            tf.string_to_number(strings, out_type=tf.string)


# --- decode_csv ----------------------------------------------------------------------------------
def test_decode_csv_types_defaults_and_quotes():
    with tf.Graph().as_default():
        lines = tf.constant(['1,"a, ""quoted"" b",2.5,10', '2,,,', '-3,plain,1e-3,-7'])
        a, b, c, d = tf.decode_csv(lines, [[0], ["none"], [0.5], tf.constant([99], tf.int64)])
        assert [t.dtype for t in (a, b, c, d)] == [tf.int32, tf.string, tf.float32, tf.int64]
        assert a.shape.as_list() == [3]
        out = _run([a, b, c, d])
    np.testing.assert_array_equal(out[0], [1, 2, -3])
    assert out[1].tolist() == [b'a, "quoted" b', b"none", b"plain"]
    np.testing.assert_array_equal(out[2], np.array([2.5, 0.5, 1e-3], dtype=np.float32))
    np.testing.assert_array_equal(out[3], [10, 99, -7])


def test_decode_csv_delimiter_na_value_select_cols_and_shape():
    with tf.Graph().as_default():
        lines = tf.constant([["x|1|NA|p"], ["y|2|3.5|q"]])
        first, third = tf.decode_csv(lines, [[""], [0.0]], field_delim="|", na_value="NA", select_cols=[0, 2])
        assert first.shape.as_list() == [2, 1]
        no_quotes = tf.decode_csv(tf.constant(['a"b,c']), [[""], [""]], use_quote_delim=False)
        out = _run([first, third, no_quotes])
    assert out[0].tolist() == [[b"x"], [b"y"]]
    np.testing.assert_array_equal(out[1], [[0.0], [3.5]])
    assert out[2][0].tolist() == [b'a"b'] and out[2][1].tolist() == [b"c"]


@pytest.mark.parametrize("line,defaults,message", [
    ("1,2", [[0], [0], [0]], r"Expect 3 fields but have 2 in record 0"),
    ("1,2,3,4", [[0], [0], [0]], r"Expect 3 fields but have 4 in record 0"),
    ("1,,3", [[0], [], [0]], r"Field 1 is required but missing in record 0!"),
    ("1,x,3", [[0], [0], [0]], r"Field 1 in record 0 is not a valid int32: x"),
    ("1,2.5,3", [[0], "required int64", [0]], r"Field 1 in record 0 is not a valid int64: 2.5"),
    ("1,abc,3", [[0], [0.0], [0]], r"Field 1 in record 0 is not a valid float: abc"),
    ('1,"ab"c,3', [[0], [""], [0]], r"Quote inside a string has to be escaped by another quote in record 0"),
    ('1,"abc,3', [[0], [""], [0]], r"Quoted field has to end with quote followed by delim or end in record 0"),
    ('1,a"b,3', [[0], [""], [0]], r"Unquoted fields cannot have quotes inside in record 0"),
])
def test_decode_csv_malformed_records(line, defaults, message):
    with tf.Graph().as_default():
        lines = tf.placeholder(tf.string, [None])
        defaults = [tf.constant([], tf.int64) if d == "required int64" else d for d in defaults]
        columns = tf.decode_csv(lines, defaults)
        with tf.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError, match=message):
                sess.run(columns, {lines: [line]})
            # The same session parses good lines afterwards; errors name the failing record's index.
            good = ",".join(["1"] * len(defaults))
            assert [int(c[0]) for c in sess.run(columns, {lines: [good]})] == [1] * len(defaults)
            with pytest.raises(tf.errors.InvalidArgumentError, match=message.replace("record 0", "record 1")):
                sess.run(columns, {lines: [good, line]})


def test_decode_csv_argument_errors():
    with tf.Graph().as_default():
        lines = tf.constant(["1,2"])
        with pytest.raises(ValueError, match="field_delim should be only 1 char"):
            tf.decode_csv(lines, [[0], [0]], field_delim="::")
        with pytest.raises(ValueError, match="Length of select_cols \\(1\\) and record_defaults \\(2\\) should match"):
            tf.decode_csv(lines, [[0], [0]], select_cols=[1])
        with pytest.raises(ValueError, match="select_cols is not strictly increasing"):
            tf.decode_csv(lines, [[0], [0]], select_cols=[1, 0])
        with pytest.raises(TypeError, match=r"record_defaults\[0\] has DataType bool"):
            tf.decode_csv(lines, [[True], [0]])
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"record_defaults\[1\] must be 0 or 1"):
            _run(tf.decode_csv(lines, [[0], [0, 1]]))
        with pytest.raises(tf.errors.InvalidArgumentError, match="Expect at least 4 fields but have 2 in record 0"):
            _run(tf.decode_csv(lines, [[0], [0]], select_cols=[0, 3]))
