"""tf.read_file, tf.write_file and tf.matching_files against the file system."""
import os

import numpy as np
import pytest

import numflow as tf


def test_write_then_read_file_round_trips_bytes(tmp_path):
    target = str(tmp_path / "nested" / "dir" / "data.bin")
    payload = bytes(range(256)) * 3
    write = tf.write_file(target, payload)
    read = tf.read_file(target)
    assert read.dtype is tf.string and read.shape.as_list() == []
    with tf.Session() as sess:
        assert sess.run(write) is None
        assert sess.run(read) == payload
        with open(target, "rb") as handle:
            assert handle.read() == payload


def test_read_file_reads_anew_each_run(tmp_path):
    target = tmp_path / "changing.txt"
    target.write_bytes(b"first")
    filename = tf.placeholder(tf.string, [])
    read = tf.read_file(filename)
    with tf.Session() as sess:
        assert sess.run(read, {filename: str(target)}) == b"first"
        target.write_bytes(b"second")
        assert sess.run(read, {filename: str(target)}) == b"second"


def test_read_missing_file_is_not_found_naming_it(tmp_path):
    missing = str(tmp_path / "absent.txt")
    read = tf.read_file(missing)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.NotFoundError, match="absent.txt; No such file or directory"):
            sess.run(read)
        # the session stays usable
        assert sess.run(tf.constant(3)) == 3


def test_read_directory_is_an_error_naming_it(tmp_path):
    with tf.Session() as sess:
        with pytest.raises(tf.errors.OpError, match=str(tmp_path)):
            sess.run(tf.read_file(str(tmp_path)))


def test_matching_files_sorted_and_vector_patterns(tmp_path):
    for name in ["b.txt", "a.txt", "c.csv", "d.txt"]:
        (tmp_path / name).write_bytes(b"x")
    txt = tf.matching_files(os.path.join(str(tmp_path), "*.txt"))
    both = tf.matching_files([os.path.join(str(tmp_path), "*.csv"), os.path.join(str(tmp_path), "[ab].txt")])
    none = tf.matching_files(os.path.join(str(tmp_path), "*.png"))
    assert txt.dtype is tf.string and txt.shape.as_list() == [None]
    with tf.Session() as sess:
        expected = [os.path.join(str(tmp_path), n).encode() for n in ["a.txt", "b.txt", "d.txt"]]
        assert list(sess.run(txt)) == expected
        assert list(sess.run(both)) == [os.path.join(str(tmp_path), n).encode() for n in ["a.txt", "b.txt", "c.csv"]]
        empty = sess.run(none)
        assert empty.shape == (0,) and empty.dtype == object


def test_file_ops_reject_non_string_and_non_scalar_inputs():
    with pytest.raises(ValueError, match="requested dtype string for Tensor with dtype int32"):
        tf.read_file(tf.constant(1))
    with pytest.raises(ValueError, match="must be rank 0"):
        tf.read_file(tf.constant(["a", "b"]))
    with pytest.raises(ValueError, match="must be rank 0"):
        tf.write_file("a", tf.constant(["a", "b"]))
    with pytest.raises(ValueError, match="at most rank 1"):
        tf.matching_files(tf.constant([["a"]]))


def test_read_file_of_written_numpy_file_in_one_run(tmp_path):
    target = str(tmp_path / "values.raw")
    values = np.arange(6, dtype=np.int32)
    write = tf.write_file(target, values.tobytes())
    with tf.control_dependencies([write]):
        read = tf.read_file(target)
    with tf.Session() as sess:
        assert np.array_equal(np.frombuffer(sess.run(read), np.int32), values)
