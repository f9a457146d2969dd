"""tf.data.experimental, fifth round: `snapshot` (written on the first complete pass, read back after),
checked against the elements the same pipeline gives without it."""
import glob
import gzip
import os

import numpy as np
import pytest

import numflow as tf

E = tf.data.experimental


def _values(dataset, limit=1000):
    """Every element of `dataset` (a one-shot iterator run to OutOfRangeError), in a fresh Session."""
    element = dataset.make_one_shot_iterator().get_next()
    out = []
    with tf.Session() as sess:
        for _ in range(limit):
            try:
                out.append(sess.run(element))
            except tf.errors.OutOfRangeError:
                break
    return out


def _snapshot_files(directory):
    return sorted(glob.glob(os.path.join(str(directory), "*.nfsnapshot")))


def _mixed_dataset():
    words = np.array([b"a", b"", b"\xffbytes", "caf\u00e9".encode(), b"x" * 300], dtype=object)
    return tf.data.Dataset.from_tensor_slices({"word": words, "vec": np.arange(15, dtype=np.float32)
                                               .reshape(5, 3), "flag": np.array([1, 0, 1, 1, 0], bool),
                                               "id": np.arange(5, dtype=np.int64) * 7})


def _assert_same(got, want):
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert sorted(g) == sorted(w)
        for key in w:
            assert np.asarray(g[key]).dtype == np.asarray(w[key]).dtype
            np.testing.assert_array_equal(g[key], w[key])


@pytest.mark.parametrize("compression", ["AUTO", None, "GZIP"])
def test_snapshot_round_trips_every_dtype_and_is_read_back(tmp_path, compression):
    want = _values(_mixed_dataset())
    first = _values(_mixed_dataset().apply(E.snapshot(str(tmp_path), compression=compression)))
    _assert_same(first, want)
    files = _snapshot_files(tmp_path)
    assert len(files) == 1
    with open(files[0], "rb") as f:
        assert (f.read(2) == b"\x1f\x8b") == (compression == "GZIP")
    # A new graph and Session (as a later program) reads the file instead of recomputing.
    with tf.Graph().as_default():
        again = _values(_mixed_dataset().apply(E.snapshot(str(tmp_path), compression=compression)))
    _assert_same(again, want)
    assert _snapshot_files(tmp_path) == files


def test_snapshot_second_pass_reads_the_file_not_the_input(tmp_path):
    calls = []

    def generate():
        calls.append(1)
        yield from ([1.0, 2.0], [3.0], [4.0, 5.0, 6.0])
    dataset = tf.data.Dataset.from_generator(generate, tf.float32, [None]).apply(E.snapshot(str(tmp_path)))
    iterator = dataset.make_initializable_iterator()
    element = iterator.get_next()
    with tf.Session() as sess:
        for _ in range(2):
            sess.run(iterator.initializer)
            got = []
            while True:
                try:
                    got.append(sess.run(element).tolist())
                except tf.errors.OutOfRangeError:
                    break
            assert got == [[1.0, 2.0], [3.0], [4.0, 5.0, 6.0]]
    assert len(calls) == 1


def test_snapshot_after_map_and_batch_has_the_same_elements(tmp_path):
    def pipeline():
        return tf.data.Dataset.range(10).map(lambda x: x * 3).batch(4)
    want = [v.tolist() for v in _values(pipeline())]
    assert want == [[0, 3, 6, 9], [12, 15, 18, 21], [24, 27]]
    for _ in range(2):
        with tf.Graph().as_default():
            assert [v.tolist() for v in _values(pipeline().apply(E.snapshot(str(tmp_path))))] == want
    assert len(_snapshot_files(tmp_path)) == 1


def test_snapshot_of_different_data_or_functions_is_a_different_snapshot(tmp_path):
    path = str(tmp_path)
    assert [int(v) for v in _values(tf.data.Dataset.range(3).apply(E.snapshot(path)))] == [0, 1, 2]
    assert [int(v) for v in _values(tf.data.Dataset.range(5).apply(E.snapshot(path)))] == [0, 1, 2, 3, 4]
    doubled = tf.data.Dataset.range(3).map(lambda x: x * 2)
    tripled = tf.data.Dataset.range(3).map(lambda x: x * 3)
    assert [int(v) for v in _values(doubled.apply(E.snapshot(path)))] == [0, 2, 4]
    assert [int(v) for v in _values(tripled.apply(E.snapshot(path)))] == [0, 3, 6]
    assert len(_snapshot_files(tmp_path)) == 4


def test_snapshot_of_an_unfinished_pass_is_not_kept(tmp_path):
    dataset = tf.data.Dataset.range(100).apply(E.snapshot(str(tmp_path)))
    element = dataset.make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        assert [int(sess.run(element)) for _ in range(3)] == [0, 1, 2]
    del element, dataset, sess
    import gc
    gc.collect()
    assert _snapshot_files(tmp_path) == []
    assert [int(v) for v in _values(tf.data.Dataset.range(100).apply(E.snapshot(str(tmp_path))))] == \
        list(range(100))
    assert len(_snapshot_files(tmp_path)) == 1


def test_snapshot_path_may_be_a_fed_tensor(tmp_path):
    path = tf.placeholder(tf.string, [])
    dataset = tf.data.Dataset.range(4).apply(E.snapshot(path))
    iterator = dataset.make_initializable_iterator()
    element = iterator.get_next()
    with tf.Session() as sess:
        sess.run(iterator.initializer, {path: str(tmp_path / "sub")})
        got = [int(sess.run(element)) for _ in range(4)]
        with pytest.raises(tf.errors.OutOfRangeError):
            sess.run(element)
    assert got == [0, 1, 2, 3]
    assert len(_snapshot_files(tmp_path / "sub")) == 1


def _written_snapshot(tmp_path):
    _values(tf.data.Dataset.from_tensor_slices(np.arange(6, dtype=np.int64)).apply(E.snapshot(str(tmp_path))))
    (file,) = _snapshot_files(tmp_path)
    return file


def _read_back(tmp_path):
    return _values(tf.data.Dataset.from_tensor_slices(np.arange(6, dtype=np.int64))
                   .apply(E.snapshot(str(tmp_path))))


def test_snapshot_truncated_file_is_data_loss(tmp_path):
    file = _written_snapshot(tmp_path)
    data = open(file, "rb").read()
    open(file, "wb").write(data[:-12])
    with pytest.raises(tf.errors.DataLossError, match="damaged or foreign: it ends early"):
        _read_back(tmp_path)


def test_snapshot_foreign_file_is_data_loss(tmp_path):
    file = _written_snapshot(tmp_path)
    open(file, "wb").write(b"not a snapshot at all")
    with pytest.raises(tf.errors.DataLossError, match="it is not a numflow snapshot file"):
        _read_back(tmp_path)


def test_snapshot_damaged_gzip_is_data_loss(tmp_path):
    file = _written_snapshot(tmp_path)
    open(file, "wb").write(gzip.compress(open(file, "rb").read())[:30])
    with pytest.raises(tf.errors.DataLossError, match="damaged or foreign"):
        _read_back(tmp_path)


def test_snapshot_wrong_types_in_header_is_data_loss(tmp_path):
    file = _written_snapshot(tmp_path)
    data = open(file, "rb").read()
    open(file, "wb").write(data.replace(b'"int64"', b'"int32"'))
    with pytest.raises(tf.errors.DataLossError, match=r"holds elements of types \['int32'\], the dataset's "
                                                      r"are \['int64'\]"):
        _read_back(tmp_path)


def test_snapshot_chunk_shape_that_does_not_match_is_data_loss(tmp_path):
    file = _written_snapshot(tmp_path)
    data = bytearray(open(file, "rb").read())
    header_end = 8 + 4 + int.from_bytes(data[8:12], "little")
    # The first chunk's first component: its rank (uint32) after the chunk's row count (uint64).
    rank_at = header_end + 8
    data[rank_at:rank_at + 4] = (2).to_bytes(4, "little")
    open(file, "wb").write(bytes(data))
    with pytest.raises(tf.errors.DataLossError, match="does not hold"):
        _read_back(tmp_path)


def test_snapshot_huge_rank_is_data_loss(tmp_path):
    file = _written_snapshot(tmp_path)
    data = bytearray(open(file, "rb").read())
    rank_at = 8 + 4 + int.from_bytes(data[8:12], "little") + 8
    data[rank_at:rank_at + 4] = (10 ** 9).to_bytes(4, "little")
    open(file, "wb").write(bytes(data))
    with pytest.raises(tf.errors.DataLossError, match="claims rank 1000000000"):
        _read_back(tmp_path)


def test_snapshot_unknown_compression_is_a_value_error(tmp_path):
    with pytest.raises(ValueError, match="compression must be one of 'AUTO', 'GZIP', 'SNAPPY' or None, got 'ZLIB'"):
        E.snapshot(str(tmp_path), compression="ZLIB")
    with pytest.raises(ValueError, match="'SNAPPY' is not available in numflow; use 'GZIP'"):
        E.snapshot(str(tmp_path), compression="SNAPPY")


def test_snapshot_shard_and_reader_functions_are_refused(tmp_path):
    with pytest.raises(NotImplementedError, match="reader_func and shard_func"):
        E.snapshot(str(tmp_path), shard_func=lambda x: x % 2)
    with pytest.raises(NotImplementedError, match="reader_func and shard_func"):
        E.snapshot(str(tmp_path), reader_func=lambda datasets: datasets)


def test_snapshot_directory_that_cannot_be_created_is_not_found(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_bytes(b"")
    with pytest.raises(tf.errors.NotFoundError, match="cannot create the directory"):
        _values(tf.data.Dataset.range(2).apply(E.snapshot(str(blocker / "dir"))))
