"""The readers (TextLine, FixedLengthRecord, WholeFile, Identity, TFRecord) over small files written here:
keys, values, counters, reset, read_up_to, per-Session state and errors."""
import gzip
import os
import zlib

import numpy as np
import pytest

import numflow as tf
from queue_helpers import no_thread_left  # noqa: F401 - autouse fixture


def work_queue(sess, names, close=True):
    """A FIFO queue of file names, filled (and closed) in `sess`."""
    q = tf.FIFOQueue(len(names) + 1, tf.string, shapes=[])
    sess.run(q.enqueue_many([[os.fsencode(n) for n in names]]))
    if close:
        sess.run(q.close())
    return q


def read_all(sess, key, value):
    out = []
    while True:
        try:
            out.append(tuple(sess.run([key, value])))
        except tf.errors.OutOfRangeError:
            return out


def test_text_line_reader_keys_values_header_and_line_endings(tmp_path):
    first = tmp_path / "a.csv"
    first.write_bytes(b"h1,h2\n1,2\r\n\n3,4")
    second = tmp_path / "b.csv"
    second.write_bytes(b"h1,h2\n5,6\n")
    empty = tmp_path / "c.csv"
    empty.write_bytes(b"")
    reader = tf.TextLineReader(skip_header_lines=1)
    with tf.Session() as sess:
        q = work_queue(sess, [first, second, empty])
        key, value = reader.read(q)
        assert key.shape.as_list() == [] and value.dtype == tf.string
        records = read_all(sess, key, value)
        assert records == [(b"%s:2" % bytes(first), b"1,2"), (b"%s:3" % bytes(first), b""),
                           (b"%s:4" % bytes(first), b"3,4"), (b"%s:2" % bytes(second), b"5,6")]
        assert sess.run(reader.num_records_produced()) == 4
        assert sess.run(reader.num_work_units_completed()) == 3


def test_end_of_input_is_the_queue_out_of_range_error(tmp_path):
    path = tmp_path / "x.txt"
    path.write_bytes(b"only\n")
    reader = tf.TextLineReader()
    with tf.Session() as sess:
        q = work_queue(sess, [path])
        key, value = reader.read(q)
        assert sess.run(value) == b"only"
        with pytest.raises(tf.errors.OutOfRangeError, match=r"FIFOQueue '_0_fifo_queue' is closed and has "
                                                            r"insufficient elements \(requested 1, current size 0\)"):
            sess.run(value)


def test_read_up_to_crosses_files_and_returns_the_remainder(tmp_path):
    paths = []
    for index in range(2):
        path = tmp_path / ("f%d" % index)
        path.write_bytes(b"".join(b"%d-%d\n" % (index, j) for j in range(3)))
        paths.append(path)
    reader = tf.TextLineReader()
    with tf.Session() as sess:
        q = work_queue(sess, paths)
        keys, values = reader.read_up_to(q, 4)
        assert keys.shape.as_list() == [None]
        assert sess.run(values).tolist() == [b"0-0", b"0-1", b"0-2", b"1-0"]
        assert sess.run(values).tolist() == [b"1-1", b"1-2"]
        with pytest.raises(tf.errors.OutOfRangeError, match="is closed and has insufficient elements"):
            sess.run(values)
        with pytest.raises(tf.errors.InvalidArgumentError, match="num_records must be at least 1, got 0"):
            sess.run(reader.read_up_to(q, 0))


def test_fixed_length_reader_header_footer_and_hop(tmp_path):
    path = tmp_path / "fixed.bin"
    path.write_bytes(b"HH" + b"abcdefghij" + b"FFF")
    with tf.Session() as sess:
        plain = tf.FixedLengthRecordReader(3, header_bytes=2, footer_bytes=3)
        key, value = plain.read(work_queue(sess, [path]))
        # 10 payload bytes: three whole records, the last byte does not make one.
        assert read_all(sess, key, value) == [(b"%s:%d" % (bytes(path), i), v)
                                              for i, v in enumerate([b"abc", b"def", b"ghi"])]
        hopping = tf.FixedLengthRecordReader(4, header_bytes=2, footer_bytes=3, hop_bytes=2)
        key, value = hopping.read(work_queue(sess, [path]))
        assert [v for _, v in read_all(sess, key, value)] == [b"abcd", b"cdef", b"efgh", b"ghij"]


@pytest.mark.parametrize("encoding,compress", [("GZIP", gzip.compress), ("ZLIB", zlib.compress)])
def test_fixed_length_reader_compressed(tmp_path, encoding, compress):
    path = tmp_path / "fixed.z"
    path.write_bytes(compress(b"0123456789"))
    reader = tf.FixedLengthRecordReader(5, encoding=encoding)
    with tf.Session() as sess:
        key, value = reader.read(work_queue(sess, [path]))
        assert [v for _, v in read_all(sess, key, value)] == [b"01234", b"56789"]


def test_fixed_length_reader_argument_errors():
    with pytest.raises(ValueError, match="record_bytes must be > 0, got 0"):
        tf.FixedLengthRecordReader(0)
    with pytest.raises(ValueError, match="hop_bytes must be >= 0, got -1"):
        tf.FixedLengthRecordReader(2, hop_bytes=-1)
    with pytest.raises(ValueError, match="encoding must be"):
        tf.FixedLengthRecordReader(2, encoding="bz2")


def test_fixed_length_reader_corrupt_compressed_file_is_data_loss(tmp_path):
    path = tmp_path / "bad.gz"
    path.write_bytes(b"not gzip at all")
    reader = tf.FixedLengthRecordReader(2, encoding="GZIP")
    with tf.Session() as sess:
        key, value = reader.read(work_queue(sess, [path]))
        with pytest.raises(tf.errors.DataLossError, match="corrupted GZIP data"):
            sess.run(value)


def test_whole_file_and_identity_readers(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_bytes(b"\x00\x01binary")
    b.write_bytes(b"")
    with tf.Session() as sess:
        key, value = tf.WholeFileReader().read(work_queue(sess, [a, b]))
        assert read_all(sess, key, value) == [(bytes(a), b"\x00\x01binary"), (bytes(b), b"")]
        identity = tf.IdentityReader()
        key, value = identity.read(work_queue(sess, ["w1", "w2"]))
        assert read_all(sess, key, value) == [(b"w1", b"w1"), (b"w2", b"w2")]
        assert sess.run(identity.num_work_units_completed()) == 2


def test_missing_file_is_not_found_and_reading_goes_on(tmp_path):
    good = tmp_path / "good.txt"
    good.write_bytes(b"line\n")
    reader = tf.TextLineReader()
    with tf.Session() as sess:
        key, value = reader.read(work_queue(sess, [tmp_path / "missing.txt", good]))
        with pytest.raises(tf.errors.NotFoundError, match="missing.txt; No such file or directory"):
            sess.run(value)
        assert sess.run(value) == b"line"


def test_reset_and_per_session_state(tmp_path):
    path = tmp_path / "lines"
    path.write_bytes(b"a\nb\nc\n")
    reader = tf.TextLineReader()
    q = tf.FIFOQueue(4, tf.string, shapes=[])
    fill = q.enqueue([os.fsencode(path)])
    key, value = reader.read(q)
    produced = reader.num_records_produced()
    with tf.Session() as first, tf.Session() as second:
        first.run(fill)
        second.run(fill)
        assert first.run(value) == b"a"
        assert second.run(value) == b"a"
        assert first.run(value) == b"b"
        assert (first.run(produced), second.run(produced)) == (2, 1)
        first.run(reader.reset())
        assert first.run(produced) == 0
        first.run(fill)
        assert first.run(value) == b"a"


def test_reader_queue_must_hold_strings_and_handles_are_checked():
    numbers = tf.FIFOQueue(2, tf.int32, shapes=[])
    reader = tf.TextLineReader()
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="work queue must hold single strings"):
            sess.run(reader.read(numbers))
    with pytest.raises(TypeError, match="Expected the handle of a queue"):
        reader.read(tf.constant("not a queue"))
    with pytest.raises(ValueError, match="skip_header_lines must be >= 0"):
        tf.TextLineReader(skip_header_lines=-1)


def test_read_accepts_a_queue_ref(tmp_path):
    reader = tf.IdentityReader()
    with tf.Session() as sess:
        q = work_queue(sess, ["unit"])
        key, value = reader.read(q.queue_ref)
        assert sess.run(value) == b"unit"


@pytest.mark.parametrize("compression", ["", "GZIP", "ZLIB"])
def test_tfrecord_reader_keys_are_offsets(tmp_path, compression):
    path = str(tmp_path / "data.tfrecord")
    payloads = [b"first", b"", b"third record"]
    options = tf.python_io.TFRecordOptions(compression) if compression else None
    with tf.python_io.TFRecordWriter(path, options) as writer:
        for payload in payloads:
            writer.write(payload)
    reader = tf.TFRecordReader(options=options)
    with tf.Session() as sess:
        key, value = reader.read(work_queue(sess, [path]))
        records = read_all(sess, key, value)
    offsets = np.cumsum([0] + [len(p) + 16 for p in payloads[:-1]])
    assert records == [(b"%s:%d" % (path.encode(), o), p) for o, p in zip(offsets, payloads)]


def test_tfrecord_reader_corrupt_record_is_data_loss(tmp_path):
    path = tmp_path / "bad.tfrecord"
    with tf.python_io.TFRecordWriter(str(path)) as writer:
        writer.write(b"payload")
    data = bytearray(path.read_bytes())
    data[14] ^= 0xFF
    path.write_bytes(bytes(data))
    with tf.Session() as sess:
        key, value = tf.TFRecordReader().read(work_queue(sess, [path]))
        with pytest.raises(tf.errors.DataLossError, match="corrupted record 0"):
            sess.run(value)
