"""tf.data.experimental, fifth round: `snapshot` (written on the first complete pass, read back after),
checked against the elements the same pipeline gives without it."""
import glob
import gzip
import os
import re

import numpy as np
import pytest

import numflow as tf
from test_data_dataset import values

E = tf.data.experimental


def _values(dataset, limit=1000):
    """Every element of `dataset`, at most `limit` (these pipelines could otherwise run forever)."""
    return values(dataset, limit)


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


def test_snapshot_forged_huge_shape_is_data_loss(tmp_path):
    file = _written_snapshot(tmp_path)
    data = bytearray(open(file, "rb").read())
    rank_at = 8 + 4 + int.from_bytes(data[8:12], "little") + 8
    rows = int.from_bytes(data[rank_at - 8:rank_at], "little")
    # A chunk claiming 2**62 scalar elements (row count and shape agree, so only the size check stops it).
    data[rank_at - 8:rank_at] = (1 << 62).to_bytes(8, "little")
    data[rank_at + 4:rank_at + 12] = (1 << 62).to_bytes(8, "little")
    assert rows > 0
    open(file, "wb").write(bytes(data))
    with pytest.raises(tf.errors.DataLossError, match="claims 4611686018427387904 values"):
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


# --- DatasetInitializer / index_table_from_dataset (values checked by hand against TF 2.21's compat.v1) ---
def _run(fetches, init=True):
    with tf.Session() as sess:
        if init:
            sess.run(tf.tables_initializer())
        return sess.run(fetches)


def test_index_table_from_dataset_maps_keys_to_their_positions():
    words = tf.data.Dataset.from_tensor_slices(tf.constant(["b", "a", "c"]))
    table = E.index_table_from_dataset(words, key_dtype=tf.string)
    assert table.key_dtype is tf.string and table.value_dtype is tf.int64
    ids = table.lookup(tf.constant([["a", "b"], ["c", "zz"]]))
    assert ids.shape.as_list() == [2, 2] and ids.dtype is tf.int64
    got, size = _run([ids, table.size()])
    vocabulary = ["b", "a", "c"]
    want = [[vocabulary.index(w) if w in vocabulary else -1 for w in row] for row in [["a", "b"], ["c", "zz"]]]
    assert got.tolist() == want and int(size) == 3


def test_index_table_from_dataset_default_value_and_vocab_size():
    numbers = tf.data.Dataset.from_tensor_slices(tf.constant([10, 20, 30], tf.int64))
    table = E.index_table_from_dataset(numbers, vocab_size=2, default_value=-7, key_dtype=tf.int64)
    got, size = _run([table.lookup(tf.constant([10, 20, 30], tf.int64)), table.size()])
    assert got.tolist() == [0, 1, -7] and int(size) == 2


def test_index_table_from_dataset_short_vocabulary_fails_at_initialization():
    numbers = tf.data.Dataset.from_tensor_slices(tf.constant([10, 20, 30], tf.int64))
    table = E.index_table_from_dataset(numbers, vocab_size=5, key_dtype=tf.int64)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError,
                           match="expected to contain 5 elements but contained only 3 elements"):
            sess.run(table.initializer)


@pytest.mark.parametrize("key_dtype,vocabulary,queries,buckets,tf_ids", [
    (tf.string, ["b", "a", "c"], ["a", "zz", "yy", "xx"], 3, [1, 4, 4, 5]),
    (tf.int64, [10, 20, 30], [20, 7, 99, 12345], 4, [1, 3, 5, 3]),
])
def test_index_table_from_dataset_oov_buckets_hash_the_key_string(key_dtype, vocabulary, queries, buckets, tf_ids):
    dataset = tf.data.Dataset.from_tensor_slices(tf.constant(vocabulary, key_dtype))
    table = E.index_table_from_dataset(dataset, num_oov_buckets=buckets, key_dtype=key_dtype)
    text = [str(q).encode() for q in queries]
    hashed = tf.strings.to_hash_bucket_fast(tf.constant(text), buckets)
    got, size, bucket_values = _run([table.lookup(tf.constant(queries, key_dtype)), table.size(), hashed])
    want = [vocabulary.index(q) if q in vocabulary else len(vocabulary) + int(b)
            for q, b in zip(queries, bucket_values)]
    assert got.tolist() == want and int(size) == len(vocabulary) + buckets
    # Real TF 2.21 gives these ids for the same tables.
    assert got.tolist() == tf_ids


def test_dataset_initializer_pairs_feed_a_static_table():
    from numflow.data.dataset_lookup import StaticDatasetTable
    pairs = tf.data.Dataset.from_tensor_slices((tf.constant([3, 1, 2], tf.int64), tf.constant([30., 10., 20.])))
    initializer = E.DatasetInitializer(pairs)
    assert initializer.key_dtype is tf.int64 and initializer.value_dtype is tf.float32
    table = StaticDatasetTable(initializer, -1.0)
    looked_up = table.lookup(tf.constant([[1, 2], [5, 3]], tf.int64))
    with tf.Session() as sess:
        sess.run(table.initializer)
        assert sess.run(looked_up).tolist() == [[10.0, 20.0], [-1.0, 30.0]]
        sess.run(table.initializer)       # the same contents again: allowed
        assert int(sess.run(table.size())) == 3


def test_dataset_initializer_string_values_and_repeated_equal_pairs():
    from numflow.data.dataset_lookup import StaticDatasetTable
    pairs = tf.data.Dataset.from_tensor_slices((tf.constant([1, 1, 4], tf.int64), tf.constant(["x", "x", "y"])))
    table = StaticDatasetTable(E.DatasetInitializer(pairs), "none")
    got, size = _run([table.lookup(tf.constant([4, 1, 0], tf.int64)), table.size()])
    assert got.tolist() == [b"y", b"x", b"none"] and int(size) == 2


def test_dataset_initializer_empty_dataset_gives_an_empty_table():
    from numflow.data.dataset_lookup import StaticDatasetTable
    pairs = tf.data.Dataset.from_tensor_slices((tf.zeros([0], tf.int64), tf.zeros([0], tf.int64)))
    table = StaticDatasetTable(E.DatasetInitializer(pairs), 5)
    got, size = _run([table.lookup(tf.constant([1, 2], tf.int64)), table.size()])
    assert got.tolist() == [5, 5] and int(size) == 0


def test_dataset_initializer_different_values_for_one_key_is_an_error():
    from numflow.data.dataset_lookup import StaticDatasetTable
    pairs = tf.data.Dataset.from_tensor_slices((tf.constant(["a", "b", "a"]), tf.constant([1, 2, 3], tf.int64)))
    table = StaticDatasetTable(E.DatasetInitializer(pairs), -1)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError,
                           match="HashTable has different value for same key. Key a has 1 and trying to add value 3"):
            sess.run(table.initializer)


def test_table_reinitialized_with_other_data_is_an_error():
    from numflow.data.dataset_lookup import StaticDatasetTable
    size = tf.placeholder(tf.int64, [])
    pairs = tf.data.Dataset.range(size).map(lambda x: (x, x * 2))
    table = StaticDatasetTable(E.DatasetInitializer(pairs), -1)
    with tf.Session() as sess:
        sess.run(table.initializer, {size: 3})
        assert sess.run(table.lookup(tf.constant([2, 3], tf.int64))).tolist() == [4, -1]
        with pytest.raises(tf.errors.FailedPreconditionError, match="already initialized with different data"):
            sess.run(table.initializer, {size: 4})


def test_lookup_before_initialization_is_failed_precondition():
    words = tf.data.Dataset.from_tensor_slices(tf.constant(["b", "a"]))
    table = E.index_table_from_dataset(words)
    with pytest.raises(tf.errors.FailedPreconditionError, match="Table not initialized."):
        _run(table.lookup(tf.constant(["a"])), init=False)
    with pytest.raises(tf.errors.FailedPreconditionError, match="Table not initialized."):
        _run(table.size(), init=False)


def test_lookup_with_keys_of_another_dtype_is_a_type_error():
    table = E.index_table_from_dataset(tf.data.Dataset.from_tensor_slices(tf.constant([1, 2], tf.int64)),
                                       key_dtype=tf.int64)
    message = "Signature mismatch. Keys must be dtype <dtype: 'int64'>, got <dtype: 'string'>."
    with pytest.raises(TypeError, match=re.escape(message)):
        table.lookup(tf.constant(["a"]))


def test_index_table_from_dataset_argument_errors():
    numbers = tf.data.Dataset.from_tensor_slices(tf.constant([1, 2], tf.int64))
    with pytest.raises(ValueError, match="`num_oov_buckets` must be greater than or equal to 0, got -1."):
        E.index_table_from_dataset(numbers, num_oov_buckets=-1, key_dtype=tf.int64)
    with pytest.raises(ValueError, match="`vocab_size` must be greater than 0, got 0."):
        E.index_table_from_dataset(numbers, vocab_size=0, key_dtype=tf.int64)
    message = "`key_dtype` must be either an integer or string type, but got <dtype: 'float32'>"
    with pytest.raises(TypeError, match=re.escape(message)):
        E.index_table_from_dataset(numbers, key_dtype=tf.float32)
    with pytest.raises(TypeError, match="The dataset's keys are <dtype: 'int64'>, key_dtype is <dtype: 'string'>"):
        E.index_table_from_dataset(numbers)
    with pytest.raises(ValueError, match="fast hash only"):
        E.index_table_from_dataset(numbers, key_dtype=tf.int64, hasher_spec=("stronghash", [1, 2]))
    with pytest.raises(TypeError, match="expects a tf.data.Dataset"):
        E.index_table_from_dataset([1, 2], key_dtype=tf.int64)


def test_dataset_initializer_needs_scalar_pairs():
    with pytest.raises(ValueError, match=r"must have \(key, value\) pairs as elements"):
        E.DatasetInitializer(tf.data.Dataset.range(3))
    with pytest.raises(ValueError, match="The values of the dataset given to DatasetInitializer must be scalars"):
        E.DatasetInitializer(tf.data.Dataset.from_tensor_slices((np.arange(2), np.zeros((2, 3)))))
    with pytest.raises(TypeError, match="expects a tf.data.Dataset"):
        E.DatasetInitializer(None)


def test_table_from_dataset_pairs_with_oov_buckets_and_default():
    pairs = tf.data.Dataset.from_tensor_slices((tf.constant(["x", "y"]), tf.constant([7, 9], tf.int64)))
    table = E.table_from_dataset(pairs)
    assert table.value_dtype is tf.int64
    with_buckets = E.table_from_dataset(pairs, num_oov_buckets=2)
    queries = ["y", "q", "x"]
    hashed = tf.strings.to_hash_bucket_fast(tf.constant(queries), 2)
    got, got_buckets, size, bucket_values = _run([table.lookup(tf.constant(queries)),
                                                  with_buckets.lookup(tf.constant(queries)),
                                                  with_buckets.size(), hashed])
    assert got.tolist() == [9, -1, 7]
    assert got_buckets.tolist() == [9, 2 + int(bucket_values[1]), 7] and int(size) == 4
    assert got_buckets.tolist() == [9, 3, 7]       # real TF 2.21's ids for the same table
    floats = tf.data.Dataset.from_tensor_slices((tf.constant([1, 2], tf.int64), tf.constant([0.5, 1.5])))
    assert _run(E.table_from_dataset(floats, key_dtype=tf.int64, default_value=-2.0)
                .lookup(tf.constant([2, 3], tf.int64))).tolist() == [1.5, -2.0]


def test_table_from_dataset_string_values_need_a_default():
    pairs = tf.data.Dataset.from_tensor_slices((tf.constant(["x"]), tf.constant(["v"])))
    with pytest.raises(ValueError, match=re.escape("`default_value` must be specified when creating a table "
                                                   "from a dataset that produces values of type <dtype: 'string'>.")):
        E.table_from_dataset(pairs)
    with pytest.raises(TypeError, match="table_from_dataset expects a tf.data.Dataset"):
        E.table_from_dataset(None)
