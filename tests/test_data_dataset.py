"""tf.data: sources, transformations and iterators, against plain Python/NumPy expectations."""
import collections
import gzip
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import numflow as tf


def drain(element, feed_dict=None, initializer=None, session=None, limit=None):
    """Every value of `element` until OutOfRangeError (at most `limit` of them when given: a guard
    against a dataset that never ends)."""
    own = session is None
    session = session or tf.Session()
    try:
        if initializer is not None:
            session.run(initializer, feed_dict)
        out = []
        while limit is None or len(out) < limit:
            try:
                out.append(session.run(element))
            except tf.errors.OutOfRangeError:
                break
        return out
    finally:
        if own:
            session.close()


def values(dataset, limit=None):
    """Every element of `dataset` through a one-shot iterator, in a fresh Session (see `drain`)."""
    return drain(dataset.make_one_shot_iterator().get_next(), limit=limit)


# --- sources -------------------------------------------------------------------------------------
def test_from_tensor_slices_tuple_values_types_and_shapes():
    x = np.arange(12, dtype=np.float32).reshape(6, 2)
    y = np.arange(6, dtype=np.int64)
    dataset = tf.data.Dataset.from_tensor_slices((x, y))
    assert dataset.output_types == (tf.float32, tf.int64)
    assert dataset.output_shapes[0].as_list() == [2] and dataset.output_shapes[1].as_list() == []
    got = values(dataset)
    assert len(got) == 6
    for i, (a, b) in enumerate(got):
        np.testing.assert_array_equal(a, x[i])
        assert b == y[i] and isinstance(b, np.int64)


def test_from_tensor_slices_dict_and_list_leaf():
    dataset = tf.data.Dataset.from_tensor_slices({"a": [1, 2, 3], "b": np.array([[1.0], [2.0], [3.0]])})
    assert dataset.output_types == {"a": tf.int32, "b": tf.float64}
    got = values(dataset)
    assert [g["a"] for g in got] == [1, 2, 3]
    assert [g["b"].tolist() for g in got] == [[1.0], [2.0], [3.0]]


def test_from_tensor_slices_rejects_mismatched_first_dimension():
    with pytest.raises(ValueError, match="same first dimension"):
        tf.data.Dataset.from_tensor_slices((np.zeros(3), np.zeros(4)))
    with pytest.raises(ValueError, match="rank >= 1"):
        tf.data.Dataset.from_tensor_slices(np.float32(3))


def test_from_tensors_is_one_element():
    dataset = tf.data.Dataset.from_tensors(([1, 2, 3], "text"))
    assert dataset.output_shapes[0].as_list() == [3]
    got = values(dataset)
    assert len(got) == 1
    np.testing.assert_array_equal(got[0][0], [1, 2, 3])
    assert got[0][1] == b"text"


def test_range_like_python():
    for args in [(5,), (2, 7), (10, 0, -3), (0, 10, 4), (3, 3)]:
        got = values(tf.data.Dataset.range(*args))
        assert got == list(range(*args)), args
    assert tf.data.Dataset.range(3).output_types == tf.int64


def test_zip_nested_and_shortest():
    a = tf.data.Dataset.range(5)
    b = tf.data.Dataset.range(10, 13)
    c = tf.data.Dataset.from_tensor_slices(np.arange(8.0).reshape(4, 2))
    got = values(tf.data.Dataset.zip((a, (b, c))))
    assert len(got) == 3
    assert [(x, y) for x, (y, _) in got] == [(0, 10), (1, 11), (2, 12)]
    np.testing.assert_array_equal(got[2][1][1], [4.0, 5.0])


def test_from_generator_values_shapes_and_args():
    def gen(n):
        for i in range(n):
            yield i, [float(i)] * (i % 3)
    dataset = tf.data.Dataset.from_generator(gen, (tf.int32, tf.float32), (tf.TensorShape([]),
                                                                           tf.TensorShape([None])), args=(5,))
    assert dataset.output_shapes[1].as_list() == [None]
    got = values(dataset)
    assert [g[0] for g in got] == [0, 1, 2, 3, 4]
    assert [g[1].tolist() for g in got] == [[], [1.0], [2.0, 2.0], [], [4.0]]


def test_from_generator_bad_element_is_invalid_argument_and_session_survives():
    dataset = tf.data.Dataset.from_generator(lambda: iter([[1, 2], [1, 2, 3]]), tf.int64, tf.TensorShape([2]))
    next_element = dataset.make_initializable_iterator()
    element = next_element.get_next()
    with tf.Session() as session:
        session.run(next_element.initializer)
        assert session.run(element).tolist() == [1, 2]
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"shape \(3,\) where an element of shape \(2,\)"):
            session.run(element)
        assert session.run(tf.constant(2) + 1) == 3
    strings = tf.data.Dataset.from_generator(lambda: iter(["x", 3]), tf.string, tf.TensorShape([]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="could not be converted.*expected type was string"):
        values(strings)


# --- transformations -------------------------------------------------------------------------------
def test_map_vectorised_and_per_element_agree():
    x = np.random.RandomState(0).rand(50, 3).astype(np.float32)
    vectorised = tf.data.Dataset.from_tensor_slices(x).map(lambda v: tf.sqrt(v * 2.0 + 1.0))
    # tf.reduce_sum mixes a row's values: the function must run per element.
    per_element = tf.data.Dataset.from_tensor_slices(x).map(lambda v: tf.sqrt(v * 2.0 + 1.0)
                                                            + 0.0 * tf.reduce_sum(v))
    a = np.stack(values(vectorised.batch(7)) and values(vectorised))
    b = np.stack(values(per_element))
    np.testing.assert_allclose(a, np.sqrt(x * 2 + 1), rtol=1e-6)
    np.testing.assert_allclose(b, a, rtol=1e-6)


def test_map_chooses_row_wise_plan_only_when_safe():
    from numflow.data.function import _row_wise_steps
    x = np.zeros((4, 3), np.float32)
    safe = tf.data.Dataset.from_tensor_slices(x).map(lambda v: tf.reshape(tf.cast(v, tf.float64) / 255.0, [3, 1]))
    unsafe = tf.data.Dataset.from_tensor_slices(x).map(lambda v: v + tf.constant([[1.0], [2.0]]))
    assert _row_wise_steps(safe._function) is not None
    assert _row_wise_steps(unsafe._function) is None
    got = values(unsafe)
    np.testing.assert_array_equal(got[0], np.zeros(3) + [[1.0], [2.0]])


def test_map_tuple_unpacking_dict_and_list_results():
    dataset = tf.data.Dataset.from_tensor_slices(({"img": np.ones((3, 2))}, [0, 1, 2]))
    mapped = dataset.map(lambda features, label: [features["img"] * 2, label * 10])
    assert mapped.output_types == (tf.float64, tf.int32)
    got = values(mapped)
    assert [g[1] for g in got] == [0, 10, 20]
    named = collections.namedtuple("Pair", "a b")
    pairs = tf.data.Dataset.from_tensor_slices(named(np.arange(3), np.arange(3) * 2)).map(lambda p: p.a + p.b)
    assert values(pairs) == [0, 3, 6]


def test_map_captures_placeholder_at_initialization():
    scale = tf.placeholder(tf.float32, [])
    dataset = tf.data.Dataset.range(4).map(lambda i: tf.cast(i, tf.float32) * scale)
    iterator = dataset.make_initializable_iterator()
    element = iterator.get_next()
    with tf.Session() as session:
        assert drain(element, {scale: 2.0}, iterator.initializer, session) == [0.0, 2.0, 4.0, 6.0]
        assert drain(element, {scale: -1.0}, iterator.initializer, session) == [0.0, -1.0, -2.0, -3.0]


def test_map_reads_variable_each_element():
    counter = tf.Variable(0, dtype=tf.int64)
    dataset = tf.data.Dataset.range(3).map(lambda i: i + counter.read_value() if hasattr(counter, "read_value")
                                           else i + counter)
    element = dataset.make_one_shot_iterator().get_next()
    with tf.Session() as session:
        session.run(counter.initializer)
        assert session.run(element) == 0
        session.run(counter.assign(10))
        assert session.run(element) == 11


def test_map_error_names_function_and_element():
    def check_positive(x):
        return tf.py_func(lambda v: v if v >= 0 else (_ for _ in ()).throw(ValueError("negative")), [x], tf.int64)
    dataset = tf.data.Dataset.from_tensor_slices(np.array([3, 1, -2, 4], np.int64)).map(check_positive)
    element = dataset.make_one_shot_iterator().get_next()
    with tf.Session() as session:
        assert session.run(element) == 3
        assert session.run(element) == 1
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"check_positive.*Dataset.map.*element 2"):
            session.run(element)


def test_map_returning_none_is_rejected():
    with pytest.raises(ValueError, match="returned None"):
        tf.data.Dataset.range(3).map(lambda x: None)


def test_filter_vectorised_and_per_element():
    evens = tf.data.Dataset.range(10).filter(lambda x: tf.equal(x % 2, 0))
    assert values(evens) == [0, 2, 4, 6, 8]
    big = tf.data.Dataset.from_tensor_slices(np.arange(12).reshape(6, 2)).filter(
        lambda row: tf.reduce_sum(row) > 10)
    assert [r.tolist() for r in values(big)] == [[6, 7], [8, 9], [10, 11]]
    with pytest.raises(ValueError, match="scalar boolean"):
        tf.data.Dataset.range(3).filter(lambda x: x)


def test_batch_and_drop_remainder_shapes():
    batched = tf.data.Dataset.range(10).batch(4)
    assert batched.output_shapes.as_list() == [None]
    assert [b.tolist() for b in values(batched)] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    dropped = tf.data.Dataset.range(10).batch(4, drop_remainder=True)
    assert dropped.output_shapes.as_list() == [4]
    assert [b.tolist() for b in values(dropped)] == [[0, 1, 2, 3], [4, 5, 6, 7]]


def test_batch_of_different_shapes_is_an_error():
    dataset = tf.data.Dataset.from_generator(lambda: iter([[1], [1, 2]]), tf.int64, [None]).batch(2)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Cannot batch tensors with different shapes"):
        values(dataset)


def test_batch_size_placeholder_and_invalid():
    size = tf.placeholder(tf.int64, [])
    iterator = tf.data.Dataset.range(5).batch(size).make_initializable_iterator()
    element = iterator.get_next()
    with tf.Session() as session:
        assert [b.tolist() for b in drain(element, {size: 2}, iterator.initializer, session)] == \
            [[0, 1], [2, 3], [4]]
        with pytest.raises(tf.errors.InvalidArgumentError, match="batch_size must be greater than zero"):
            session.run(iterator.initializer, {size: 0})


def test_padded_batch():
    dataset = tf.data.Dataset.range(1, 5).map(lambda n: tf.fill([n], n))
    padded = dataset.padded_batch(2, padded_shapes=[None])
    got = [b.tolist() for b in values(padded)]
    assert got == [[[1, 0], [2, 2]], [[3, 3, 3, 0], [4, 4, 4, 4]]]
    fixed = dataset.padded_batch(4, padded_shapes=[5], padding_values=tf.constant(-1, tf.int64))
    assert fixed.output_shapes.as_list() == [None, 5]
    assert values(fixed)[0][0].tolist() == [1, -1, -1, -1, -1]
    too_small = dataset.padded_batch(4, padded_shapes=[2])
    with pytest.raises(tf.errors.InvalidArgumentError, match="pad to a smaller size"):
        values(too_small)


def test_unbatch_inverts_batch():
    dataset = tf.data.Dataset.range(7).batch(3).unbatch()
    assert values(dataset) == list(range(7))
    assert values(tf.data.Dataset.range(7).batch(3).apply(tf.data.experimental.unbatch())) == list(range(7))


def test_shuffle_is_a_permutation_seeded_and_reshuffles():
    dataset = tf.data.Dataset.range(100).shuffle(10, seed=7).repeat(2)
    first = values(dataset)
    again = values(dataset)
    assert first == again                                   # same seed, new iterator: same order
    epoch1, epoch2 = first[:100], first[100:]
    assert sorted(epoch1) == list(range(100)) and sorted(epoch2) == list(range(100))
    assert epoch1 != list(range(100)) and epoch1 != epoch2  # reshuffled each epoch
    same = values(tf.data.Dataset.range(50).shuffle(10, seed=3, reshuffle_each_iteration=False).repeat(2))
    assert same[:50] == same[50:]


def test_shuffle_buffer_bounds_displacement():
    # An element can only come out after at most buffer_size - 1 later ones were read.
    got = values(tf.data.Dataset.range(200).shuffle(5, seed=1))
    for position, value in enumerate(got):
        assert value <= position + 4


def test_shuffle_buffer_larger_than_data_and_variable_shapes():
    got = values(tf.data.Dataset.range(30).shuffle(10 ** 9, seed=2))
    assert sorted(got) == list(range(30))
    ragged = tf.data.Dataset.range(1, 8).map(lambda n: tf.range(n)).shuffle(3, seed=4)
    assert sorted(len(v) for v in values(ragged)) == list(range(1, 8))


def test_shuffle_matches_tf_semantics_reference():
    # The documented algorithm, step by step, with the same uniform draws.
    data = np.arange(40, dtype=np.float32).reshape(20, 2)
    got = np.stack(values(tf.data.Dataset.from_tensor_slices(data).shuffle(6, seed=11).batch(4).unbatch()))
    assert sorted(got[:, 0].tolist()) == data[:, 0].tolist()
    np.testing.assert_array_equal(got[:, 1], got[:, 0] + 1)   # rows stay whole


def test_repeat_take_skip():
    assert values(tf.data.Dataset.range(3).repeat(3)) == [0, 1, 2] * 3
    assert values(tf.data.Dataset.range(3).repeat().take(7)) == [0, 1, 2, 0, 1, 2, 0]
    assert values(tf.data.Dataset.range(10).skip(7)) == [7, 8, 9]
    assert values(tf.data.Dataset.range(10).skip(-1)) == []
    assert values(tf.data.Dataset.range(10).take(-1)) == list(range(10))
    assert values(tf.data.Dataset.range(0).repeat()) == []      # no endless loop on an empty dataset


def test_cache_replays_first_epoch():
    calls = []

    def gen():
        calls.append(1)
        yield from range(4)
    dataset = tf.data.Dataset.from_generator(gen, tf.int64, []).cache().repeat(3)
    assert values(dataset) == [0, 1, 2, 3] * 3
    assert len(calls) == 1


def test_prefetch_concatenate_shard_enumerate():
    assert values(tf.data.Dataset.range(4).prefetch(2)) == [0, 1, 2, 3]
    assert values(tf.data.Dataset.range(3).concatenate(tf.data.Dataset.range(10, 12))) == [0, 1, 2, 10, 11]
    assert values(tf.data.Dataset.range(10).shard(3, 1)) == [1, 4, 7]
    assert values(tf.data.Dataset.range(10, 13).enumerate()) == [(0, 10), (1, 11), (2, 12)]
    with pytest.raises(ValueError, match="Index must be between 0 and 2"):
        tf.data.Dataset.range(10).shard(3, 3)
    with pytest.raises(TypeError, match="different types"):
        tf.data.Dataset.range(3).concatenate(tf.data.Dataset.from_tensor_slices([1.0]))


def test_flat_map_and_interleave_orders():
    flat = tf.data.Dataset.range(1, 4).flat_map(lambda n: tf.data.Dataset.from_tensors(n).repeat(n))
    assert values(flat) == [1, 2, 2, 3, 3, 3]
    inter = tf.data.Dataset.range(1, 5).interleave(lambda n: tf.data.Dataset.from_tensors(n).repeat(6),
                                                   cycle_length=2, block_length=4)
    expected = [1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 3, 3, 4, 4]
    assert values(inter) == expected
    with pytest.raises(TypeError, match="must return a `Dataset`"):
        tf.data.Dataset.range(3).flat_map(lambda n: n)


def test_apply_and_experimental_helpers():
    got = values(tf.data.Dataset.range(5).apply(tf.data.experimental.shuffle_and_repeat(5, 2, seed=1)))
    assert sorted(got) == sorted(list(range(5)) * 2)
    mb = values(tf.data.Dataset.range(5).apply(tf.data.experimental.map_and_batch(lambda x: x * 2, 2)))
    assert [b.tolist() for b in mb] == [[0, 2], [4, 6], [8]]
    with pytest.raises(TypeError, match="must return a Dataset"):
        tf.data.Dataset.range(3).apply(lambda d: 3)
    single = tf.data.experimental.get_single_element(tf.data.Dataset.from_tensors((1, 2.5)))
    with tf.Session() as session:
        assert session.run(single) == (1, 2.5)
    with pytest.raises(tf.errors.InvalidArgumentError, match="more than one element"):
        with tf.Session() as session:
            session.run(tf.data.experimental.get_single_element(tf.data.Dataset.range(2)))
    chosen = tf.data.experimental.choose_from_datasets(
        [tf.data.Dataset.from_tensors(0).repeat(), tf.data.Dataset.from_tensors(1).repeat()],
        tf.data.Dataset.from_tensor_slices(np.array([1, 0, 1, 1], np.int64)))
    assert values(chosen) == [1, 0, 1, 1]
    sampled = values(tf.data.experimental.sample_from_datasets(
        [tf.data.Dataset.range(0, 50), tf.data.Dataset.range(100, 150)], [0.5, 0.5], seed=3))
    assert sorted(sampled) == list(range(0, 50)) + list(range(100, 150))
    counted = values(tf.data.experimental.Counter(5, 2).take(3))
    assert counted == [5, 7, 9]


def test_ignore_errors_drops_failing_elements():
    dataset = tf.data.Dataset.from_tensor_slices(np.array([1.0, 0.0, 2.0])).map(
        lambda x: tf.check_numerics(1.0 / x, "inverse")).apply(tf.data.experimental.ignore_errors())
    assert values(dataset) == [1.0, 0.5]


# --- iterators -----------------------------------------------------------------------------------
def test_get_next_before_initializer_is_failed_precondition():
    iterator = tf.data.Dataset.range(3).make_initializable_iterator()
    element = iterator.get_next()
    with tf.Session() as session:
        with pytest.raises(tf.errors.FailedPreconditionError, match="iterator has not been initialized"):
            session.run(element)
        session.run(iterator.initializer)
        assert session.run(element) == 0


def test_out_of_range_repeats_and_reinitialize_restarts():
    iterator = tf.data.Dataset.range(2).make_initializable_iterator()
    element = iterator.get_next()
    with tf.Session() as session:
        session.run(iterator.initializer)
        assert [session.run(element), session.run(element)] == [0, 1]
        for _ in range(2):
            with pytest.raises(tf.errors.OutOfRangeError, match="End of sequence"):
                session.run(element)
        session.run(iterator.initializer)
        assert session.run(element) == 0


def test_initializable_iterator_with_fed_arrays():
    features = tf.placeholder(tf.float32, [None, 2])
    labels = tf.placeholder(tf.int64, [None])
    dataset = tf.data.Dataset.from_tensor_slices((features, labels)).batch(2)
    iterator = dataset.make_initializable_iterator()
    x, y = iterator.get_next()
    assert x.shape.as_list() == [None, 2]
    with tf.Session() as session:
        got = drain((x, y), {features: np.ones((3, 2)), labels: [4, 5, 6]}, iterator.initializer, session)
    assert [b[1].tolist() for b in got] == [[4, 5], [6]]


def test_one_shot_iterator_refuses_placeholders():
    value = tf.placeholder(tf.float32, [None])
    with pytest.raises(ValueError, match="make_initializable_iterator"):
        tf.data.Dataset.from_tensor_slices(value).make_one_shot_iterator()


def test_one_shot_iterator_is_per_session():
    element = tf.data.Dataset.range(3).make_one_shot_iterator().get_next()
    with tf.Session() as first:
        assert first.run(element) == 0
        with tf.Session() as second:
            assert second.run(element) == 0
        assert first.run(element) == 1


def test_reinitializable_iterator_from_structure():
    train = tf.data.Dataset.range(100).map(lambda x: tf.cast(x, tf.float32))
    validation = tf.data.Dataset.range(3).map(lambda x: -tf.cast(x, tf.float32))
    iterator = tf.data.Iterator.from_structure(train.output_types, train.output_shapes)
    element = iterator.get_next()
    train_init = iterator.make_initializer(train)
    validation_init = iterator.make_initializer(validation)
    with tf.Session() as session:
        session.run(train_init)
        assert [session.run(element) for _ in range(2)] == [0.0, 1.0]
        assert drain(element, initializer=validation_init, session=session) == [0.0, -1.0, -2.0]
    with pytest.raises(TypeError, match="Expected output types"):
        iterator.make_initializer(tf.data.Dataset.range(3))
    wide = tf.data.Iterator.from_structure(tf.float32, tf.TensorShape([2]))
    with pytest.raises(TypeError, match="output shapes compatible"):
        wide.make_initializer(tf.data.Dataset.from_tensor_slices(np.zeros((2, 3), np.float32)))


def test_feedable_iterator_switches_with_string_handle():
    train = tf.data.Dataset.range(10, 20).repeat()
    test = tf.data.Dataset.range(3)
    handle = tf.placeholder(tf.string, shape=[])
    iterator = tf.data.Iterator.from_string_handle(handle, train.output_types, train.output_shapes)
    element = iterator.get_next()
    train_it = train.make_one_shot_iterator()
    test_it = test.make_initializable_iterator()
    with tf.Session() as session:
        train_handle = session.run(train_it.string_handle())
        test_handle = session.run(test_it.string_handle())
        assert isinstance(train_handle, bytes)
        session.run(test_it.initializer)
        assert session.run(element, {handle: train_handle}) == 10
        assert session.run(element, {handle: test_handle}) == 0
        assert session.run(element, {handle: train_handle}) == 11
    other = tf.data.Iterator.from_string_handle(handle, tf.float32)
    mismatch = other.get_next()
    with tf.Session() as session:
        h = session.run(train_it.string_handle())
        with pytest.raises(tf.errors.InvalidArgumentError, match="do not match"):
            session.run(mismatch, {handle: h})


def test_compat_v1_data_functions_and_iteration_in_graph_mode():
    dataset = tf.data.Dataset.range(3)
    assert tf.compat.v1.data.get_output_types(dataset) == tf.int64
    assert tf.compat.v1.data.get_output_shapes(dataset).as_list() == []
    element = tf.compat.v1.data.make_one_shot_iterator(dataset).get_next()
    with tf.Session() as session:
        assert session.run(element) == 0
    with pytest.raises(RuntimeError, match="eager execution"):
        iter(dataset)


def test_fetched_elements_are_copies():
    data = np.arange(6.0).reshape(3, 2)
    element = tf.data.Dataset.from_tensor_slices(data).make_one_shot_iterator().get_next()
    with tf.Session() as session:
        first = session.run(element)
        first[:] = -1
        reread = tf.data.Dataset.from_tensor_slices(data).batch(3).make_one_shot_iterator().get_next()
        np.testing.assert_array_equal(session.run(reread), np.arange(6.0).reshape(3, 2))


def test_training_from_dataset_reaches_same_weights_as_feed_dict():
    rng = np.random.RandomState(0)
    x = rng.randn(64, 3).astype(np.float32)
    y = (x @ np.array([[1.0], [-2.0], [0.5]], np.float32)).astype(np.float32)

    def train(use_dataset):
        tf.reset_default_graph()
        if use_dataset:
            bx, by = tf.data.Dataset.from_tensor_slices((x, y)).batch(16).repeat(3).make_one_shot_iterator() \
                .get_next()
        else:
            bx = tf.placeholder(tf.float32, [None, 3])
            by = tf.placeholder(tf.float32, [None, 1])
        w = tf.Variable(tf.zeros([3, 1]))
        loss = tf.reduce_mean(tf.square(tf.matmul(bx, w) - by))
        step = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
        with tf.Session() as session:
            session.run(tf.global_variables_initializer())
            for epoch in range(3):
                for i in range(0, 64, 16):
                    session.run(step, None if use_dataset else {bx: x[i:i + 16], by: y[i:i + 16]})
            if use_dataset:
                with pytest.raises(tf.errors.OutOfRangeError):
                    session.run(step)
            return session.run(w)
    np.testing.assert_allclose(train(True), train(False), rtol=1e-6)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(0, 30), size=st.integers(1, 7), drop=st.booleans(), shuffle=st.integers(0, 12))
def test_batch_property_matches_python(n, size, drop, shuffle):
    tf.reset_default_graph()
    dataset = tf.data.Dataset.range(n)
    if shuffle:
        dataset = dataset.shuffle(shuffle, seed=5)
    got = [b.tolist() for b in values(dataset.batch(size, drop_remainder=drop))]
    flat = [v for b in got for v in b]
    assert sorted(flat) == list(range(n if not drop else n - n % size))[:len(flat)] or drop
    expected_sizes = [size] * (n // size) + ([] if drop or n % size == 0 else [n % size])
    assert [len(b) for b in got] == expected_sizes
    if not shuffle:
        assert flat == list(range(len(flat)))


# --- file datasets -----------------------------------------------------------------------------------
def test_text_line_dataset_lines_crlf_multiple_files_and_compression(tmp_path):
    first = tmp_path / "a.txt"
    first.write_bytes(b"one\r\ntwo\nthree")
    second = tmp_path / "b.txt.gz"
    with gzip.open(second, "wb") as handle:
        handle.write(b"four\nfive\n")
    third = tmp_path / "c.z"
    third.write_bytes(zlib.compress(b"six\n"))
    plain = values(tf.data.TextLineDataset([str(first)]))
    assert plain == [b"one", b"two", b"three"]
    assert values(tf.data.TextLineDataset(str(second), compression_type="GZIP")) == [b"four", b"five"]
    assert values(tf.data.TextLineDataset(str(third), compression_type="ZLIB")) == [b"six"]
    names = tf.data.Dataset.from_tensor_slices([str(first), str(first)])
    assert len(values(names.flat_map(tf.data.TextLineDataset))) == 6


def test_text_line_dataset_streams_large_file_and_missing_file(tmp_path):
    path = tmp_path / "big.txt"
    lines = [("line %d" % i).encode() * 3 for i in range(60000)]
    path.write_bytes(b"\n".join(lines) + b"\n")
    got = values(tf.data.TextLineDataset(str(path)).batch(5000))
    assert sum(len(b) for b in got) == 60000 and got[-1][-1] == lines[-1]
    filename = tf.placeholder(tf.string, [])
    iterator = tf.data.TextLineDataset(filename).make_initializable_iterator()
    with tf.Session() as session:
        with pytest.raises(tf.errors.NotFoundError, match="missing.txt"):
            session.run(iterator.initializer, {filename: str(tmp_path / "missing.txt")})
            session.run(iterator.get_next())
        session.run(iterator.initializer, {filename: str(path)})
        assert session.run(iterator.get_next()) == lines[0]


def test_fixed_length_record_dataset(tmp_path):
    path = tmp_path / "records.bin"
    path.write_bytes(b"HDR" + bytes(range(12)) + b"FT")
    got = values(tf.data.FixedLengthRecordDataset(str(path), 4, header_bytes=3, footer_bytes=2))
    assert got == [bytes(range(0, 4)), bytes(range(4, 8)), bytes(range(8, 12))]
    decoded = values(tf.data.FixedLengthRecordDataset(str(path), 4, 3, 2).map(
        lambda r: tf.decode_raw(r, tf.uint8)))
    assert decoded[1].tolist() == [4, 5, 6, 7]
    with pytest.raises(tf.errors.InvalidArgumentError, match="not an exact multiple of the record length"):
        values(tf.data.FixedLengthRecordDataset(str(path), 5, header_bytes=3, footer_bytes=2))


def test_list_files_sorted_or_shuffled(tmp_path):
    for name in ["b.csv", "a.csv", "c.csv", "skip.txt"]:
        (tmp_path / name).write_text("x")
    pattern = str(tmp_path / "*.csv")
    assert values(tf.data.Dataset.list_files(pattern, shuffle=False)) == \
        [str(tmp_path / n).encode() for n in ["a.csv", "b.csv", "c.csv"]]
    assert sorted(values(tf.data.Dataset.list_files(pattern, seed=1))) == \
        [str(tmp_path / n).encode() for n in ["a.csv", "b.csv", "c.csv"]]
    with pytest.raises(tf.errors.InvalidArgumentError, match="match at least one file"):
        values(tf.data.Dataset.list_files(str(tmp_path / "*.nothing")))


def _reference_shuffle_positions(n, buffer, runs, rng):
    """Mean output position of each value under TF's documented buffer algorithm, by simulation."""
    totals = np.zeros(n)
    for _ in range(runs):
        source = iter(range(n))
        slots = [next(source) for _ in range(min(buffer, n))]
        out = []
        while slots:
            j = rng.randint(len(slots))
            out.append(slots[j])
            nxt = next(source, None)
            if nxt is None:
                slots[j] = slots[-1]
                slots.pop()
            else:
                slots[j] = nxt
        totals += np.argsort(out)          # the position of each value
    return totals / runs


def test_shuffle_chunked_draws_have_tf_distribution():
    n, buffer, epochs = 12, 4, 1500
    dataset = tf.data.Dataset.range(n).shuffle(buffer, seed=9).repeat(epochs).batch(n)   # chunks of n draws
    element = dataset.make_one_shot_iterator().get_next()
    with tf.Session() as session:
        runs = np.stack([session.run(element) for _ in range(epochs)])
    assert all(sorted(r) == list(range(n)) for r in runs)
    first_counts = np.bincount(runs[:, 0], minlength=n)
    assert first_counts[buffer:].sum() == 0
    assert np.all(np.abs(first_counts[:buffer] - epochs / buffer) < 5 * np.sqrt(epochs / buffer))
    positions = np.argsort(runs, axis=1).mean(axis=0)
    expected = _reference_shuffle_positions(n, buffer, 4000, np.random.RandomState(0))
    np.testing.assert_allclose(positions, expected, atol=0.25)


def test_map_returning_sparse_tensor_names_the_conversion():
    with pytest.raises(TypeError, match="tf.sparse.to_dense"):
        tf.data.Dataset.range(3).map(lambda i: tf.SparseTensor([[0]], tf.reshape(i, [1]), [4]))


def test_iterator_narrower_than_its_dataset_checks_each_element():
    ragged = tf.data.Dataset.from_generator(lambda: iter([[1, 2], [1, 2, 3]]), tf.int64, tf.TensorShape([None]))
    iterator = tf.data.Iterator.from_structure(tf.int64, tf.TensorShape([2]))
    element = iterator.get_next()
    with tf.Session() as session:
        session.run(iterator.make_initializer(ragged))
        assert session.run(element).tolist() == [1, 2]
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"element of shape \[3\] where its output shape"):
            session.run(element)
