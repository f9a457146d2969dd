"""tf.data.experimental, second round: scan, take_while, unique, assert_cardinality, from_list,
group_by_window, group_by_reducer, bucket_by_sequence_length and the Options value classes, each checked
against a plain-Python reference (values as TF 1.15 gives them, checked by hand against real TF)."""
import itertools

import numpy as np
import pytest

import numflow as tf
from test_data_dataset import values

E = tf.data.experimental


def _values(dataset, limit=1000):
    """Every element of `dataset`, at most `limit` (these pipelines could otherwise run forever)."""
    return values(dataset, limit)


def _run_until_error(dataset):
    element = dataset.make_one_shot_iterator().get_next()
    out = []
    with tf.Session() as sess:
        while True:
            out.append(sess.run(element))


# --- scan ------------------------------------------------------------------------------------------
def test_scan_threads_state_like_itertools_accumulate():
    data = [3, 1, 4, 1, 5, 9, 2, 6]
    got = _values(tf.data.Dataset.from_tensor_slices(np.array(data, np.int64))
                  .apply(E.scan(tf.constant(0, tf.int64), lambda s, x: (s + x, s * 10 + x))))
    sums = [0] + list(itertools.accumulate(data))
    assert [int(v) for v in got] == [sums[i] * 10 + x for i, x in enumerate(data)]


def test_scan_nested_state_and_tuple_element_and_captured_tensor():
    scale = tf.constant(2.0)
    dataset = tf.data.Dataset.from_tensor_slices((np.arange(5, dtype=np.float32), np.arange(5, 10)))
    got = _values(dataset.apply(E.scan((tf.constant(0.0), tf.constant(1, tf.int64)),
                                       lambda state, elem: ((state[0] + elem[0] * scale, state[1] * 2),
                                                            {"sum": state[0], "pow": state[1] + elem[1]}))))
    total, power, expect = 0.0, 1, []
    for a, b in zip(range(5), range(5, 10)):
        expect.append((total, power + b))
        total, power = total + a * 2.0, power * 2
    assert [(float(g["sum"]), int(g["pow"])) for g in got] == expect


def test_scan_state_whose_shape_grows_is_retraced_with_an_unknown_dimension():
    dataset = tf.data.Dataset.range(4).apply(
        E.scan(tf.zeros([0], tf.int64), lambda s, x: (tf.concat([s, tf.reshape(x, [1])], 0), tf.reduce_sum(s))))
    assert dataset.output_shapes.as_list() == []
    assert [int(v) for v in _values(dataset)] == [0, 0, 1, 3]


def test_scan_state_dtype_change_is_a_type_error():
    with pytest.raises(TypeError, match="new state must match the initial state. Expected tf.int32, got tf.int64"):
        tf.data.Dataset.range(3).apply(E.scan(tf.constant(0, tf.int32), lambda s, x: (x, s)))


def test_scan_function_must_return_a_pair():
    with pytest.raises(TypeError, match="must return a pair"):
        tf.data.Dataset.range(3).apply(E.scan(tf.constant(0, tf.int64), lambda s, x: s + x))


def test_scan_state_structure_change_is_an_error():
    with pytest.raises((TypeError, ValueError), match="structure"):
        tf.data.Dataset.range(3).apply(E.scan((tf.constant(0, tf.int64), tf.constant(0, tf.int64)),
                                              lambda s, x: (s[0], x)))


# --- take_while ------------------------------------------------------------------------------------
@pytest.mark.parametrize("threshold", [0, 3, 7, 100])
def test_take_while_matches_itertools_takewhile(threshold):
    data = [1, 5, 2, 8, 3, 0, 1]
    got = _values(tf.data.Dataset.from_tensor_slices(np.array(data, np.int64))
                  .apply(E.take_while(lambda x: x < threshold)))
    assert [int(v) for v in got] == list(itertools.takewhile(lambda x: x < threshold, data))


def test_take_while_with_a_non_rowwise_predicate_and_batches():
    data = np.arange(12, dtype=np.int64).reshape(6, 2)
    got = _values(tf.data.Dataset.from_tensor_slices(data).apply(E.take_while(lambda x: tf.reduce_sum(x) < 12)))
    assert [list(g) for g in got] == [list(r) for r in data if r.sum() < 12][:3]


def test_take_while_predicate_must_be_a_bool_scalar():
    with pytest.raises(ValueError, match="must return a `tf.bool` scalar tensor"):
        tf.data.Dataset.range(3).apply(E.take_while(lambda x: x))


# --- unique ----------------------------------------------------------------------------------------
def _first_occurrences(items):
    seen, out = set(), []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


def test_unique_int_and_string_keep_first_occurrences_in_order():
    rng = np.random.RandomState(0)
    ints = rng.randint(0, 7, size=40)
    got = _values(tf.data.Dataset.from_tensor_slices(ints.astype(np.int64)).apply(E.unique()))
    assert [int(v) for v in got] == _first_occurrences(ints.tolist())
    words = [b"a", b"bb", b"a", b"c", b"bb", b""]
    got = _values(tf.data.Dataset.from_tensor_slices(words).apply(E.unique()))
    assert list(got) == _first_occurrences(words)


def test_unique_vector_elements():
    rows = [[1, 2], [1, 2], [2, 1], [1, 2]]
    got = _values(tf.data.Dataset.from_tensor_slices(np.array(rows, np.int32)).apply(E.unique()))
    assert [list(g) for g in got] == [[1, 2], [2, 1]]


def test_unique_rejects_float_and_several_components():
    with pytest.raises(TypeError, match="does not support type tf.float32"):
        tf.data.Dataset.from_tensor_slices([1.0, 2.0]).apply(E.unique())
    with pytest.raises(TypeError, match="single component"):
        tf.data.Dataset.from_tensor_slices(([1], [2])).apply(E.unique())


# --- assert_cardinality ----------------------------------------------------------------------------
def test_assert_cardinality_passes_elements_when_right():
    assert [int(v) for v in _values(tf.data.Dataset.range(6).apply(E.assert_cardinality(6)))] == list(range(6))


def test_assert_cardinality_too_many_and_too_few():
    with pytest.raises(tf.errors.FailedPreconditionError,
                       match="expected to contain 5 elements but contained at least 6 elements"):
        _run_until_error(tf.data.Dataset.range(10).apply(E.assert_cardinality(5)))
    with pytest.raises(tf.errors.FailedPreconditionError,
                       match="expected to contain 12 elements but contained only 10 elements"):
        _run_until_error(tf.data.Dataset.range(10).apply(E.assert_cardinality(12)))
    with pytest.raises(tf.errors.FailedPreconditionError,
                       match="an infinite number of elements but contained only 3 elements"):
        _run_until_error(tf.data.Dataset.range(3).apply(E.assert_cardinality(E.INFINITE_CARDINALITY)))


def test_assert_cardinality_too_many_fails_after_exactly_n_elements():
    element = tf.data.Dataset.range(10).batch(4).unbatch().apply(E.assert_cardinality(2)) \
        .make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        assert [int(sess.run(element)) for _ in range(2)] == [0, 1]
        with pytest.raises(tf.errors.FailedPreconditionError, match="at least 3 elements"):
            sess.run(element)


# --- from_list -------------------------------------------------------------------------------------
def test_from_list_of_tuples_and_dicts():
    got = _values(E.from_list([(1, "a"), (2, "b")]))
    assert [(int(a), b) for a, b in got] == [(1, b"a"), (2, b"b")]
    got = _values(E.from_list([{"x": [1.0, 2.0]}, {"x": [3.0, 4.0]}]))
    assert [list(g["x"]) for g in got] == [[1.0, 2.0], [3.0, 4.0]]


def test_from_list_errors():
    with pytest.raises(ValueError, match="should not be empty"):
        E.from_list([])
    with pytest.raises(TypeError, match="different types"):
        E.from_list([1, "a"])


# --- options ---------------------------------------------------------------------------------------
def test_options_constants_and_enums_have_tf_values():
    assert E.AUTOTUNE == -1 and E.SHARD_HINT == -1
    assert [p.value for p in E.AutoShardPolicy] == [-1, 0, 1, 2, 3]
    assert [p.name for p in E.ExternalStatePolicy] == ["WARN", "IGNORE", "FAIL"]
    assert E.AutotuneAlgorithm.HILL_CLIMB.value == 1
    assert tf.data.ThreadingOptions is E.ThreadingOptions


def test_with_options_merges_along_the_pipeline_and_keeps_elements():
    first = tf.data.Options()
    first.experimental_threading.private_threadpool_size = 4
    second = tf.data.Options()
    second.experimental_optimization.map_fusion = True
    second.experimental_distribute.auto_shard_policy = E.AutoShardPolicy.DATA
    dataset = tf.data.Dataset.range(5).with_options(first).map(lambda x: x * 2).with_options(second)
    options = dataset.options()
    assert options.experimental_threading.private_threadpool_size == 4
    assert options.experimental_optimization.map_fusion is True
    assert options.experimental_distribute.auto_shard_policy is E.AutoShardPolicy.DATA
    assert tf.data.Dataset.range(3).options() == tf.data.Options()
    assert [int(v) for v in _values(dataset)] == [0, 2, 4, 6, 8]


def test_options_errors():
    options = tf.data.Options()
    with pytest.raises(AttributeError, match="Cannot set the property foo on Options"):
        options.foo = 1
    with pytest.raises(TypeError, match='"private_threadpool_size" must be of type'):
        E.ThreadingOptions().private_threadpool_size = "x"
    a, b = tf.data.Options(), tf.data.Options()
    a.experimental_deterministic = True
    b.experimental_deterministic = False
    with pytest.raises(ValueError, match="Cannot merge incompatible values"):
        tf.data.Dataset.range(2).with_options(a).with_options(b)
    with pytest.raises(TypeError, match="must be a `tf.data.Options` object"):
        tf.data.Dataset.range(2).with_options({"x": 1})


def test_map_and_batch_with_legacy_function():
    got = _values(tf.data.Dataset.range(7).apply(E.map_and_batch_with_legacy_function(lambda x: x * x, 3)))
    assert [list(g) for g in got] == [[0, 1, 4], [9, 16, 25], [36]]


# --- group_by_window / group_by_reducer / bucket_by_sequence_length --------------------------------
def _reference_group_by_window(items, key, size_of, reduce_window):
    """Windows emitted when full, the rest in increasing key order at the end (TF's order)."""
    groups, out = {}, []
    for item in items:
        k = key(item)
        groups.setdefault(k, []).append(item)
        if len(groups[k]) == size_of(k):
            out.extend(reduce_window(k, groups.pop(k)))
    for k in sorted(groups):
        out.extend(reduce_window(k, groups[k]))
    return out


@pytest.mark.parametrize("window", [1, 2, 3, 4, 10])
def test_group_by_window_matches_reference(window):
    data = [5, 4, 3, 2, 1, 0, 7, 6, 9, 11, 13]
    got = _values(tf.data.Dataset.from_tensor_slices(np.array(data, np.int64)).apply(
        E.group_by_window(lambda x: x % 3, lambda k, w: w.batch(2), window)))
    expect = _reference_group_by_window(data, lambda x: x % 3, lambda k: window,
                                        lambda k, items: [items[i:i + 2] for i in range(0, len(items), 2)])
    assert [list(g) for g in got] == expect


def test_group_by_window_size_func_and_key_used_in_reduce():
    got = _values(tf.data.Dataset.range(10).apply(E.group_by_window(
        lambda x: x % 3, lambda k, w: w.map(lambda v: v * k).batch(9), window_size_func=lambda k: k + 1)))
    expect = _reference_group_by_window(list(range(10)), lambda x: x % 3, lambda k: k + 1,
                                        lambda k, items: [[v * k for v in items]])
    assert [list(g) for g in got] == expect


def test_group_by_window_errors():
    with pytest.raises(ValueError, match="Either the `window_size` argument or the `window_size_func`"):
        tf.data.Dataset.range(3).apply(E.group_by_window(lambda x: x, lambda k, w: w))
    with pytest.raises(ValueError, match="Either the `window_size` argument"):
        tf.data.Dataset.range(3).apply(E.group_by_window(lambda x: x, lambda k, w: w, 2, lambda k: k))
    with pytest.raises(ValueError, match="`key_func` must return a single tf.int64 scalar"):
        tf.data.Dataset.range(3).apply(E.group_by_window(lambda x: tf.cast(x, tf.int32), lambda k, w: w, 2))
    with pytest.raises(TypeError, match="must return a `Dataset`"):
        tf.data.Dataset.range(3).apply(E.group_by_window(lambda x: x, lambda k, w: k, 2))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Window size must be greater than zero, but got -1"):
        _run_until_error(tf.data.Dataset.range(3).apply(
            E.group_by_window(lambda x: x % 3, lambda k, w: w.batch(4), window_size_func=lambda k: k - 1)))


def test_group_by_reducer_sums_per_key_in_key_order():
    data = np.random.RandomState(1).randint(0, 50, size=30).astype(np.int64)
    reducer = E.Reducer(lambda k: tf.constant(0, tf.int64), lambda s, x: s + x, lambda s: s)
    got = _values(tf.data.Dataset.from_tensor_slices(data).apply(E.group_by_reducer(lambda x: x % 4, reducer)))
    expect = {}
    for x in data.tolist():
        expect[x % 4] = expect.get(x % 4, 0) + x
    assert [int(g) for g in got] == [expect[k] for k in sorted(expect)]


def test_group_by_reducer_tuple_state_and_finalize():
    reducer = E.Reducer(lambda k: (k, tf.constant(0.0)), lambda s, x: (s[0], s[1] + tf.cast(x, tf.float32)),
                        lambda k, s: (k, s * 2))
    got = _values(tf.data.Dataset.range(10).apply(E.group_by_reducer(lambda x: x % 4, reducer)))
    assert [(int(k), float(v)) for k, v in got] == [(k, 2.0 * sum(range(k, 10, 4))) for k in range(4)]


def test_group_by_reducer_errors():
    with pytest.raises(TypeError, match="must be a `tf.data.experimental.Reducer`"):
        E.group_by_reducer(lambda x: x, lambda s, x: s)
    reducer = E.Reducer(lambda k: tf.constant(0, tf.int32), lambda s, x: x, lambda s: s)
    with pytest.raises(TypeError, match="Expected tf.int32, got tf.int64"):
        tf.data.Dataset.range(3).apply(E.group_by_reducer(lambda x: x, reducer))


_LENGTHS = [1, 5, 3, 2, 7, 4, 6, 1, 2, 8]


def _sequences():
    def gen():
        for n in _LENGTHS:
            yield list(range(1, n + 1))
    return tf.data.Dataset.from_generator(gen, tf.int32, tf.TensorShape([None]))


def _reference_buckets(boundaries, sizes, pad_to=None, pad_value=0, drop_remainder=False):
    def bucket(n):
        return sum(n >= b for b in boundaries)

    def batch(k, items):
        out = []
        for i in range(0, len(items), sizes[k]):
            part = items[i:i + sizes[k]]
            if drop_remainder and len(part) < sizes[k]:
                continue
            width = pad_to(k) if pad_to else max(len(p) for p in part)
            out.append([p + [pad_value] * (width - len(p)) for p in part])
        return out
    return _reference_group_by_window([list(range(1, n + 1)) for n in _LENGTHS], lambda s: bucket(len(s)),
                                      lambda k: sizes[k], batch)


@pytest.mark.parametrize("drop_remainder", [False, True])
def test_bucket_by_sequence_length_matches_reference(drop_remainder):
    got = _values(_sequences().apply(E.bucket_by_sequence_length(lambda x: tf.shape(x)[0], [3, 6], [2, 2, 3],
                                                                 drop_remainder=drop_remainder)))
    assert [g.tolist() for g in got] == _reference_buckets([3, 6], [2, 2, 3], drop_remainder=drop_remainder)


def test_bucket_by_sequence_length_pad_to_bucket_boundary_with_padding_value():
    got = _values(_sequences().apply(E.bucket_by_sequence_length(
        lambda x: tf.shape(x)[0], [3, 6, 9], [2, 2, 3, 1], pad_to_bucket_boundary=True, padding_values=-1)))
    boundaries = [3, 6, 9]
    assert [g.tolist() for g in got] == _reference_buckets(boundaries, [2, 2, 3, 1],
                                                           pad_to=lambda k: boundaries[k] - 1, pad_value=-1)


def test_bucket_by_sequence_length_no_padding_batches_equal_lengths():
    def gen():
        for n in [2, 4, 2, 4, 2]:
            yield [n] * n
    dataset = tf.data.Dataset.from_generator(gen, tf.int64, tf.TensorShape([None]))
    got = _values(dataset.apply(E.bucket_by_sequence_length(lambda x: tf.size(x), [3], [2, 2], no_padding=True)))
    assert [g.tolist() for g in got] == [[[2, 2], [2, 2]], [[4] * 4, [4] * 4], [[2, 2]]]


def test_bucket_by_sequence_length_errors():
    length = lambda x: tf.shape(x)[0]  # noqa: E731
    with pytest.raises(ValueError, match=r"len\(bucket_batch_sizes\) must equal len\(bucket_boundaries\) \+ 1"):
        E.bucket_by_sequence_length(length, [3, 6], [2, 2])
    with pytest.raises(ValueError, match="must be sorted"):
        E.bucket_by_sequence_length(length, [6, 3], [2, 2, 2])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"elements must have length < max\(bucket_bound"):
        _run_until_error(_sequences().apply(E.bucket_by_sequence_length(length, [3, 6], [2, 2, 3],
                                                                        pad_to_bucket_boundary=True)))


# --- SqlDataset, RandomDataset, structures ---------------------------------------------------------
@pytest.fixture
def people_db(tmp_path):
    import sqlite3
    path = str(tmp_path / "people.db")
    connection = sqlite3.connect(path)
    connection.execute("create table people(name text, age int, height real)")
    connection.executemany("insert into people values (?, ?, ?)",
                           [("ann", 30, 1.5), ("bob", None, 2.0), ("cy", 7, None)])
    connection.commit()
    connection.close()
    return path


def test_sql_dataset_rows_converted_like_sqlite(people_db):
    import sqlite3
    got = _values(E.SqlDataset("sqlite", people_db, "select name, age, height from people order by name",
                               (tf.string, tf.int32, tf.float64)))
    connection = sqlite3.connect(people_db)
    expect = [(n.encode(), a or 0, h or 0.0) for n, a, h in
              connection.execute("select name, age, height from people order by name")]
    connection.close()
    assert [(n, int(a), float(h)) for n, a, h in got] == expect
    assert got[0][1].dtype == np.int32


def test_sql_dataset_cross_type_reads_and_single_column(people_db):
    got = _values(E.SqlDataset("sqlite", people_db, "select name, age, height from people order by name",
                               (tf.int64, tf.bool, tf.string)))
    # Text read as a number has no leading digits here: 0; a REAL read as text: its decimal form.
    assert [(int(a), bool(b), c) for a, b, c in got] == [(0, True, b"1.5"), (0, False, b"2.0"), (0, True, b"")]
    names = E.SqlDataset("sqlite", people_db, "select name from people where age > 10", tf.string)
    assert names.output_shapes == tf.TensorShape([]) and _values(names) == [b"ann"]


def test_sql_dataset_query_from_a_placeholder(people_db):
    query = tf.placeholder(tf.string, [])
    iterator = E.SqlDataset("sqlite", people_db, query, (tf.string,)).make_initializable_iterator()
    name = iterator.get_next()[0]
    with tf.Session() as sess:
        sess.run(iterator.initializer, {query: "select name from people where name like 'b%'"})
        assert sess.run(name) == b"bob"
        with pytest.raises(tf.errors.OutOfRangeError):
            sess.run(name)


def test_sql_dataset_errors(people_db):
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"The number of columns in query \(2\) must match the number of elements in "
                             r"output_types \(3\)"):
        _run_until_error(E.SqlDataset("sqlite", people_db, "select name, age from people",
                                      (tf.string, tf.int32, tf.float64)))
    with pytest.raises(tf.errors.InvalidArgumentError, match="The database type, mysql, is not supported"):
        _run_until_error(E.SqlDataset("mysql", people_db, "select name from people", (tf.string,)))
    with pytest.raises(tf.errors.UnknownError, match="no such column: nme"):
        _run_until_error(E.SqlDataset("sqlite", people_db, "select nme from people", (tf.string,)))
    with pytest.raises(TypeError, match="does not support output type"):
        E.SqlDataset("sqlite", people_db, "select name from people", (tf.complex64,))


def test_random_dataset_is_seeded_uniform_int64():
    first = _values(E.RandomDataset(seed=7).take(2000))
    again = _values(E.RandomDataset(seed=7).take(2000))
    other = _values(E.RandomDataset(seed=8).take(2000))
    values = np.array(first)
    assert values.dtype == np.int64 and first == again and first != other
    assert values.min() >= 0 and values.max() < 2 ** 32
    # A uniform draw over [0, 2**32): mean within 5 standard errors of 2**31.
    assert abs(values.mean() - 2 ** 31) < 5 * (2 ** 32 / np.sqrt(12)) / np.sqrt(len(values))


def test_get_structure_and_structure_constructors():
    dataset = tf.data.Dataset.from_tensor_slices((np.zeros([3, 2], np.float32), np.arange(3)))
    spec = E.get_structure(dataset)
    assert spec == (tf.TensorSpec([2], tf.float32), tf.TensorSpec([], tf.int64))
    assert E.get_structure(dataset.make_one_shot_iterator()) == spec
    assert E.TensorStructure(tf.int32, [2]) == tf.TensorSpec([2], tf.int32)
    sparse = E.SparseTensorStructure(tf.float32, [None, 3])
    assert sparse.dtype == tf.float32 and sparse.shape.as_list() == [None, 3]
    with pytest.raises(TypeError, match="must be a `tf.data.Dataset` or tf.data.Iterator object"):
        E.get_structure([1, 2])


# --- TFRecordWriter --------------------------------------------------------------------------------
@pytest.mark.parametrize("compression", [None, "ZLIB", "GZIP"])
def test_tfrecord_writer_round_trips_through_tfrecord_dataset(tmp_path, compression):
    path = str(tmp_path / "out.tfrecord")
    records = [("record %d" % i).encode() * (i % 5) for i in range(300)]
    write = E.TFRecordWriter(path, compression).write(
        tf.data.Dataset.from_tensor_slices(np.array(records, dtype=object)).map(lambda r: r))
    with tf.Session() as sess:
        assert sess.run(write) is None
    assert _values(tf.data.TFRecordDataset(path, compression_type=compression)) == records
    assert list(tf.python_io.tf_record_iterator(path, tf.python_io.TFRecordOptions(compression))) == records


def test_tfrecord_writer_file_name_from_a_placeholder(tmp_path):
    name = tf.placeholder(tf.string, [])
    write = E.TFRecordWriter(name).write(tf.data.Dataset.from_tensor_slices([b"a", b"b"]))
    with tf.Session() as sess:
        sess.run(write, {name: str(tmp_path / "x.tfrecord")})
    assert _values(tf.data.TFRecordDataset(str(tmp_path / "x.tfrecord"))) == [b"a", b"b"]


def test_tfrecord_writer_errors(tmp_path):
    writer = E.TFRecordWriter(str(tmp_path / "y.tfrecord"))
    with pytest.raises(TypeError, match="must produce scalar `DT_STRING` tensors"):
        writer.write(tf.data.Dataset.range(3))
    with pytest.raises(TypeError, match="must be a `tf.data.Dataset` object"):
        writer.write([b"a"])
    bad = E.TFRecordWriter(str(tmp_path / "y.tfrecord"), "LZ4").write(tf.data.Dataset.from_tensors(b"a"))
    missing = E.TFRecordWriter(str(tmp_path / "no" / "dir" / "z")).write(tf.data.Dataset.from_tensors(b"a"))
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="Unsupported compression_type: 'LZ4'"):
            sess.run(bad)
        with pytest.raises(tf.errors.NotFoundError, match="No such file or directory"):
            sess.run(missing)


# --- parse_example_dataset, make_batched_features_dataset ------------------------------------------
def _example(index):
    feature = {"x": tf.train.Feature(float_list=tf.train.FloatList(value=[index, index / 2.0])),
               "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[index % 3]))}
    if index % 2:
        feature["name"] = tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"n%d" % index]))
    return tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString()


_FEATURES = {"x": tf.io.FixedLenFeature([2], tf.float32), "label": tf.io.FixedLenFeature([], tf.int64),
             "name": tf.io.FixedLenFeature([], tf.string, default_value="none")}


def _reference_example(index):
    return {"x": [index, index / 2.0], "label": index % 3,
            "name": b"n%d" % index if index % 2 else b"none"}


def test_parse_example_dataset_parses_batches_of_examples():
    serialized = np.array([_example(i) for i in range(7)], dtype=object)
    got = _values(tf.data.Dataset.from_tensor_slices(serialized).batch(3)
                  .apply(E.parse_example_dataset(_FEATURES)))
    assert len(got) == 3
    flat = [{k: (v[i].tolist() if k == "x" else v[i]) for k, v in batch.items()}
            for batch in got for i in range(len(batch["label"]))]
    assert flat == [_reference_example(i) for i in range(7)]


def test_parse_example_dataset_errors():
    with pytest.raises(TypeError, match="dataset of vectors of strings"):
        tf.data.Dataset.range(3).apply(E.parse_example_dataset(_FEATURES))
    with pytest.raises(ValueError, match="`features` is required"):
        E.parse_example_dataset(None)
    with pytest.raises(TypeError, match="dense tensors"):
        tf.data.Dataset.from_tensors([_example(1)]).apply(
            E.parse_example_dataset({"x": tf.io.VarLenFeature(tf.float32)}))


def _write_example_files(tmp_path, files=2, per_file=5):
    paths = []
    for f in range(files):
        path = str(tmp_path / ("part-%d.tfrecord" % f))
        with tf.python_io.TFRecordWriter(path) as writer:
            for i in range(per_file):
                writer.write(_example(f * per_file + i))
        paths.append(path)
    return paths


def test_make_batched_features_dataset_in_file_order_with_label(tmp_path):
    _write_example_files(tmp_path)
    dataset = E.make_batched_features_dataset(str(tmp_path / "part-*.tfrecord"), 4, _FEATURES,
                                              label_key="label", num_epochs=1, shuffle=False)
    got = _values(dataset)
    assert [len(labels) for _, labels in got] == [4, 4, 2]
    expect = [_reference_example(i) for i in range(10)]
    assert [int(v) for _, labels in got for v in labels] == [e["label"] for e in expect]
    assert [x.tolist() for features, _ in got for x in features["x"]] == [e["x"] for e in expect]
    assert all(sorted(features) == ["name", "x"] for features, _ in got)


def test_make_batched_features_dataset_shuffled_repeated_drop_final(tmp_path):
    _write_example_files(tmp_path)
    dataset = E.make_batched_features_dataset(str(tmp_path / "*.tfrecord"), 4, _FEATURES, num_epochs=2,
                                              shuffle_seed=3, drop_final_batch=True)
    got = _values(dataset)
    assert [len(b["label"]) for b in got] == [4] * 5
    assert sorted(x[0] for b in got for x in b["x"].tolist()) == sorted(list(range(10)) * 2)


def test_make_batched_features_dataset_label_key_must_be_a_feature(tmp_path):
    with pytest.raises(ValueError, match="The `label_key` provided \\('y'\\) must be one of the `features`"):
        E.make_batched_features_dataset(str(tmp_path / "*.tfrecord"), 4, _FEATURES, label_key="y")


# --- make_csv_dataset ------------------------------------------------------------------------------
@pytest.fixture
def csv_files(tmp_path):
    first = tmp_path / "a1.csv"
    first.write_text('a,b,c,d\n1,2.5,x,3000000000\n2,,y,4\n,3.5,"z,q",5\n')
    second = tmp_path / "a2.csv"
    second.write_text("a,b,c,d\n7,1e40,w,6\n")
    return str(first), str(second)


def _csv_reference(paths):
    """The records of the CSV files with Python's csv module; missing numbers read as 0."""
    import csv
    rows = []
    for path in paths:
        with open(path, newline="") as handle:
            rows.extend(list(csv.reader(handle))[1:])
    return rows


def test_make_csv_dataset_infers_names_and_types_in_file_order(csv_files):
    first, _ = csv_files
    dataset = E.make_csv_dataset(first, 2, shuffle=False, num_epochs=1)
    assert list(dataset.output_types.items()) == [("a", tf.int32), ("b", tf.float32), ("c", tf.string),
                                                  ("d", tf.int64)]
    got = _values(dataset)
    assert [list(batch) for batch in got] == [["a", "b", "c", "d"]] * 2
    rows = [[int(a[i]), float(b[i]), c[i].decode(), int(d[i])] for batch in got
            for a, b, c, d in [batch.values()] for i in range(len(a))]
    expect = [[int(a or 0), float(b or 0), c, int(d)] for a, b, c, d in _csv_reference([first])]
    assert rows == expect


def test_make_csv_dataset_inference_spans_files_label_and_select(csv_files):
    got = _values(E.make_csv_dataset(list(csv_files), 3, shuffle=False, num_epochs=1))
    # 1e40 does not fit float32: the column is float64.
    assert got[0]["b"].dtype == np.float64 and got[1]["b"].tolist() == [1e40]
    dataset = E.make_csv_dataset(list(csv_files), 3, shuffle=False, num_epochs=1, label_name="a",
                                 select_columns=["c", "a"])
    got = _values(dataset)
    assert [(list(f), lab.tolist()) for f, lab in got] == [(["c"], [1, 2, 0]), (["c"], [7])]
    assert [v for f, _ in got for v in f["c"]] == [r[2].encode() for r in _csv_reference(csv_files)]


def test_make_csv_dataset_given_defaults_repeat_and_shuffle(csv_files):
    first, _ = csv_files
    dataset = E.make_csv_dataset(first, 2, column_defaults=[-1, -1.0, "", tf.int64], shuffle=True,
                                 shuffle_seed=5)
    assert dataset.output_shapes["a"].as_list() == [2]      # num_epochs=None: partial batches dropped
    values = _values(dataset.take(6))
    assert all(b["a"].dtype == np.int32 and b["b"].dtype == np.float32 for b in values)
    counts = np.unique(np.concatenate([b["d"] for b in values]), return_counts=True)
    assert counts[0].tolist() == [4, 5, 3000000000] and counts[1].tolist() == [4, 4, 4]
    assert -1 in np.concatenate([b["a"] for b in values]) and -1.0 in np.concatenate([b["b"] for b in values])


def test_make_csv_dataset_errors(csv_files, tmp_path):
    first, _ = csv_files
    other = tmp_path / "other.csv"
    other.write_text("a,b,e\n1,2,3\n")
    with pytest.raises(ValueError, match="should have the same column names in the header row"):
        E.make_csv_dataset([first, str(other)], 3)
    with pytest.raises(ValueError, match="No files match `file_pattern`"):
        E.make_csv_dataset(str(tmp_path / "none*.csv"), 3)
    with pytest.raises(ValueError, match="Expected `column_names` or `header` arguments"):
        E.make_csv_dataset(first, 3, header=False)
    with pytest.raises(ValueError, match="`label_name` provided must be one of the columns"):
        E.make_csv_dataset(first, 3, label_name="zz")
    with pytest.raises(ValueError, match="contains duplicate column names: {'a'}"):
        E.make_csv_dataset(first, 3, column_names=["a", "a", "b", "c"])
    with pytest.raises(ValueError, match="Column q specified in `select_columns`"):
        E.make_csv_dataset(first, 3, select_columns=["q"])
    with pytest.raises(ValueError, match=r"Column index 9 specified in `select_columns` should be in \[0, 4\)"):
        E.make_csv_dataset(first, 3, select_columns=[9])
    with pytest.raises(ValueError, match=r"number of `column_defaults` \(2\) must match"):
        E.make_csv_dataset(first, 3, column_defaults=[0, 0])
    bad = E.make_csv_dataset(first, 3, column_defaults=[tf.int32, 0.0, "", tf.int64], shuffle=False, num_epochs=1)
    with pytest.raises(tf.errors.InvalidArgumentError, match="required"):
        _run_until_error(bad)
    skipped = E.make_csv_dataset(first, 3, column_defaults=[tf.int32, 0.0, "", tf.int64], shuffle=False, num_epochs=1,
                                 ignore_errors=True)
    assert [b["a"].tolist() for b in _values(skipped)] == [[1, 2]]


# --- Optional, get_next_as_optional ----------------------------------------------------------------
def test_get_next_as_optional_reads_to_the_end_without_raising():
    dataset = tf.data.Dataset.from_tensor_slices((np.arange(3), np.array([b"a", b"b", b"c"], dtype=object)))
    iterator = dataset.make_initializable_iterator()
    optional = E.get_next_as_optional(iterator)
    assert optional.element_spec == (tf.TensorSpec([], tf.int64), tf.TensorSpec([], tf.string))
    has_value = optional.has_value()
    value = optional.get_value()
    with tf.Session() as sess:
        sess.run(iterator.initializer)
        seen = []
        for _ in range(3):
            # has_value and get_value of one run read the same element.
            flag, (number, text) = sess.run([optional.has_value(), value])
            seen.append((bool(flag), int(number), text))
        assert seen == [(True,) + e for e in zip(range(3), [b"a", b"b", b"c"])]
        assert not sess.run(has_value)
        with pytest.raises(tf.errors.InvalidArgumentError, match="The optional does not have a value"):
            sess.run(value)


def test_optional_from_value_and_empty():
    full = E.Optional.from_value({"x": tf.constant([1.0, 2.0]), "n": 3})
    empty = E.Optional.empty(full.element_spec)
    with tf.Session() as sess:
        assert sess.run(full.has_value()) and not sess.run(empty.has_value())
        value = sess.run(full.get_value())
        assert value["x"].tolist() == [1.0, 2.0] and int(value["n"]) == 3
        with pytest.raises(tf.errors.InvalidArgumentError, match="The optional does not have a value"):
            sess.run(empty.get_value())
    assert E.Optional.none_from_structure(tf.TensorSpec([None, 2], tf.int32)).get_value().shape.as_list() \
        == [None, 2]


def test_get_next_as_optional_of_variable_length_elements_at_the_end():
    def gen():
        yield [1, 2, 3]
    iterator = tf.data.Dataset.from_generator(gen, tf.int32, tf.TensorShape([None])).make_one_shot_iterator()
    optional = E.get_next_as_optional(iterator)
    with tf.Session() as sess:
        flag, value = sess.run([optional.has_value(), optional._components[0]])
        assert flag and value.tolist() == [1, 2, 3]
        flag, value = sess.run([optional.has_value(), optional._components[0]])
        assert not flag and value.shape == (0,)


# --- rejection_resample ----------------------------------------------------------------------------
def _class_data(size=20000, probabilities=(0.5, 0.3, 0.2), seed=0):
    return np.random.RandomState(seed).choice(len(probabilities), size=size, p=probabilities).astype(np.int64)


@pytest.mark.parametrize("known_initial", [True, False])
def test_rejection_resample_moves_classes_to_the_target(known_initial):
    data = _class_data()
    target = [0.2, 0.3, 0.5]
    resample = E.rejection_resample(lambda x: tf.cast(x % 3, tf.int32), target,
                                    initial_dist=[0.5, 0.3, 0.2] if known_initial else None, seed=4)
    got = _values(tf.data.Dataset.from_tensor_slices(data).apply(resample), limit=30000)
    classes = np.array([int(c) for c, _ in got])
    assert (classes == np.array([int(e) for _, e in got]) % 3).all()
    assert got[0][0].dtype == np.int32
    frequencies = np.bincount(classes, minlength=3) / len(classes)
    # Standard error of a frequency here is below 0.006: 0.03 is about five of them.
    assert np.abs(frequencies - target).max() < 0.03


def test_rejection_resample_keeps_order_and_drops_by_class():
    data = np.array([0, 1, 0, 1, 1, 0, 1, 1], np.int64)
    # Class 0 is always kept (the largest target/initial ratio), class 1 never (target 0).
    got = _values(tf.data.Dataset.from_tensor_slices(np.arange(8)).apply(
        E.rejection_resample(lambda i: tf.cast(tf.gather(data, i), tf.int32), [1.0, 0.0], [0.5, 0.5], seed=1)))
    assert [(int(c), int(e)) for c, e in got] == [(0, 0), (0, 2), (0, 5)]


def test_rejection_resample_errors():
    with pytest.raises(ValueError, match="`class_func` must return a scalar tf.int32"):
        tf.data.Dataset.range(3).apply(E.rejection_resample(lambda x: tf.cast(x, tf.float32), [0.5, 0.5]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="class_func returned 2, outside \\[0, 2\\)"):
        _run_until_error(tf.data.Dataset.range(3).apply(E.rejection_resample(lambda x: x, [0.5, 0.5], seed=1)))
    with pytest.raises(tf.errors.InvalidArgumentError, match="target_dist must be a vector of non-negative"):
        _run_until_error(tf.data.Dataset.range(3).apply(E.rejection_resample(lambda x: x % 2, [-0.5, 0.5])))
    with pytest.raises(tf.errors.InvalidArgumentError, match="initial_dist has 3 classes, target_dist 2"):
        _run_until_error(tf.data.Dataset.range(3).apply(
            E.rejection_resample(lambda x: x % 2, [0.5, 0.5], [0.2, 0.3, 0.5])))


def test_structure_classes_are_the_type_specs():
    dataset = tf.data.Dataset.range(3).map(lambda x: (x, tf.cast(x, tf.float32)))
    spec = E.DatasetStructure.from_value(dataset)
    assert spec is not None and tf.data.DatasetSpec is E.DatasetStructure
    assert spec == E.DatasetStructure((tf.TensorSpec([], tf.int64), tf.TensorSpec([], tf.float32)))
    assert spec.value_type is tf.data.Dataset and spec.is_compatible_with(dataset)
    assert not spec.is_compatible_with(tf.data.Dataset.range(3))
    assert isinstance(spec, E.Structure) and isinstance(E.TensorStructure(tf.int32, []), E.Structure)
    array_spec = E.TensorArrayStructure(tf.float32, [2], True)
    assert array_spec == tf.TensorArraySpec([2], tf.float32, True, True)
    optional = E.Optional.from_value(tf.constant(1))
    assert E.OptionalStructure.from_value(optional) == E.OptionalStructure(tf.TensorSpec([], tf.int32))
    with pytest.raises(ValueError, match="Expected a tf.data.Dataset"):
        E.DatasetStructure.from_value(3)


# --- pad_to_cardinality ----------------------------------------------------------------------------
def test_pad_to_cardinality_appends_zero_elements_with_a_false_mask():
    dataset = tf.data.Dataset.from_tensor_slices({"a": [1, 2], "b": [[1.0, 2.0], [3.0, 4.0]],
                                                  "s": [b"x", b"y"]}).apply(E.pad_to_cardinality(4))
    got = _values(dataset)
    assert [(int(g["a"]), g["b"].tolist(), g["s"], bool(g["valid"])) for g in got] == [
        (1, [1.0, 2.0], b"x", True), (2, [3.0, 4.0], b"y", True), (0, [0.0, 0.0], b"", False),
        (0, [0.0, 0.0], b"", False)]
    assert dataset.output_types["valid"] == tf.bool


def test_pad_to_cardinality_mask_key_replaces_an_entry_and_exact_size():
    got = _values(tf.data.Dataset.from_tensor_slices({"a": [5, 6]}).apply(E.pad_to_cardinality(2, "a")))
    assert [bool(g["a"]) for g in got] == [True, True]
    got = _values(tf.data.Dataset.from_tensor_slices({"a": [5, 6]}).apply(E.pad_to_cardinality(3, "m")))
    assert [(int(g["a"]), bool(g["m"])) for g in got] == [(5, True), (6, True), (0, False)]


def test_pad_to_cardinality_errors():
    with pytest.raises(ValueError, match="requires its input dataset to be a dictionary"):
        tf.data.Dataset.range(3).apply(E.pad_to_cardinality(4))
    with pytest.raises(ValueError, match="needs fully defined element shapes"):
        tf.data.Dataset.from_tensor_slices({"a": [[1, 2]]}).batch(2).apply(E.pad_to_cardinality(4))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"more than the requested cardinality \(1\)"):
        _run_until_error(tf.data.Dataset.from_tensor_slices({"a": [1, 2]}).apply(E.pad_to_cardinality(1)))


def test_group_by_window_many_windows_in_one_chunk():
    # 5000 windows filled from chunks of up to 4096 rows: each chunk is resumed after every window.
    got = _values(tf.data.Dataset.range(5000).apply(E.group_by_window(lambda x: x % 2, lambda k, w: w.batch(1), 1)),
                  limit=6000)
    assert [int(g[0]) for g in got] == list(range(5000))
