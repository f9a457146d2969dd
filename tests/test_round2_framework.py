"""Round 2 framework names: partitioned variables, PriorityQueue, type specs, session tensor handles."""
import numpy as np
import pytest

import numflow as tf


# --- partitioners ------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape,expected", [([10, 4], [4, 1]), ([3, 5], [3, 1]), ([7], [4])])
def test_fixed_size_partitioner_caps_at_the_dimension(shape, expected):
    assert tf.fixed_size_partitioner(4)(tf.TensorShape(shape), dtype=tf.float32) == expected
    assert tf.fixed_size_partitioner(2, axis=len(shape) - 1)(tf.TensorShape(shape), dtype=tf.float32)[-1] == 2


def test_variable_axis_size_partitioner_counts_bytes_per_slice():
    # [10, 4] float32: a row is 16 bytes, so 64 bytes hold 4 rows -> ceil(10 / 4) = 3 shards.
    assert tf.variable_axis_size_partitioner(64)(tf.TensorShape([10, 4]), dtype=tf.float32) == [3, 1]
    # A row larger than the limit still makes one shard per row.
    assert tf.variable_axis_size_partitioner(64)(tf.TensorShape([1000, 100]), tf.float32) == [1000, 1]
    # Strings count bytes_per_string_element (16) each; max_shards caps.
    assert tf.variable_axis_size_partitioner(1000, max_shards=3)(tf.TensorShape([1000, 100]), tf.string) == [3, 1]


def test_min_max_variable_partitioner():
    # 160 bytes / 64 -> 3 slices, below max_partitions 4.
    assert tf.min_max_variable_partitioner(4, min_slice_size=64)(tf.TensorShape([10, 4]), tf.float32) == [3, 1]
    # 800000 bytes / 1000 -> 800, capped at max_partitions 100.
    assert tf.min_max_variable_partitioner(100, min_slice_size=1000)(tf.TensorShape([1000, 100]),
                                                                    tf.float64) == [100, 1]
    assert tf.min_max_variable_partitioner(4, min_slice_size=64)(tf.TensorShape([7]), tf.float32) == [1]


def test_partitioner_errors():
    with pytest.raises(ValueError, match="must be positive.*max_shard_bytes is 0"):
        tf.variable_axis_size_partitioner(0)
    with pytest.raises(ValueError, match="bytes_per_string_element is 0"):
        tf.variable_axis_size_partitioner(10, bytes_per_string_element=0)
    with pytest.raises(ValueError, match="max_shards must be positive"):
        tf.variable_axis_size_partitioner(10, max_shards=0)
    with pytest.raises(ValueError, match="axis must be non-negative"):
        tf.variable_axis_size_partitioner(10, axis=-1)
    with pytest.raises(ValueError, match="shape is not fully defined"):
        tf.variable_axis_size_partitioner(10)(tf.TensorShape([None, 3]), tf.float32)
    with pytest.raises(ValueError, match="Cannot partition variable along axis 5"):
        tf.min_max_variable_partitioner(2, axis=5)(tf.TensorShape([4, 3]), tf.float32)
    with pytest.raises(ValueError, match="max_partitions must be positive"):
        tf.min_max_variable_partitioner(0)
    with pytest.raises(ValueError, match="min_slice_size must be positive"):
        tf.min_max_variable_partitioner(2, min_slice_size=0)


# --- get_variable with a partitioner -----------------------------------------------------------------------
def test_get_variable_with_partitioner_makes_parts_that_act_as_one_tensor():
    with tf.Graph().as_default():
        v = tf.get_variable("w", [5, 3], initializer=tf.constant_initializer(1.5),
                            partitioner=tf.fixed_size_partitioner(2))
        assert [p.name for p in v] == ["w/part_0:0", "w/part_1:0"]
        assert [p.shape.as_list() for p in v] == [[3, 3], [2, 3]]
        assert v.name == "w" and v.shape.as_list() == [5, 3] and v.get_partitions() == [2, 1]
        assert [p.name for p in v.get_variable_list()] == ["w/part_0:0", "w/part_1:0"]
        assert [x.name for x in tf.trainable_variables()] == ["w/part_0:0", "w/part_1:0"]
        doubled = tf.multiply(v, 2.0)
        assert doubled.shape.as_list() == [5, 3]
        new_value = np.arange(15, dtype=np.float32).reshape(5, 3)
        assign = v.assign(new_value)
        with tf.variable_scope("", reuse=True):
            assert tf.get_variable("w", [5, 3], partitioner=tf.fixed_size_partitioner(2)) is v
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            np.testing.assert_array_equal(sess.run(doubled), np.full((5, 3), 3.0, np.float32))
            np.testing.assert_array_equal(sess.run(assign), new_value)
            np.testing.assert_array_equal(sess.run(list(v)[1]), new_value[3:])


def test_partitioned_variable_sliced_from_a_value_and_trained():
    value = np.arange(12, dtype=np.float32).reshape(2, 6)
    with tf.Graph().as_default():
        v = tf.get_variable("v", initializer=value, partitioner=tf.fixed_size_partitioner(3, axis=1))
        assert [p.shape.as_list() for p in v] == [[2, 2]] * 3
        loss = tf.reduce_sum(tf.square(v))
        grads = tf.gradients(loss, list(v))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            got = sess.run(grads)
        np.testing.assert_allclose(np.concatenate(got, axis=1), 2 * value)


def test_get_variable_partition_errors():
    with tf.Graph().as_default():
        tf.get_variable("w", [5, 3], partitioner=tf.fixed_size_partitioner(2))
        with pytest.raises(ValueError, match="Partitioned variable with name w already exists"):
            tf.get_variable("w", [5, 3], partitioner=tf.fixed_size_partitioner(2))
        with pytest.raises(ValueError, match="Can only slice a variable along one dimension"):
            tf.get_variable("w2", [5, 3], partitioner=lambda shape, dtype: [2, 2])
        with pytest.raises(ValueError, match="does not match the Variable's rank"):
            tf.get_variable("w3", [5, 3], partitioner=lambda shape, dtype: [2])
        with pytest.raises(ValueError, match="asked for 6 parts along axis 0"):
            tf.get_variable("w4", [5, 3], partitioner=lambda shape, dtype: [6, 1])
        with pytest.raises(ValueError, match="must be fully defined"):
            tf.get_variable("w5", None, partitioner=lambda shape, dtype: [1, 1])
        with tf.variable_scope("", reuse=True):
            with pytest.raises(ValueError, match="PartitionedVariable nope does not exist"):
                tf.get_variable("nope", [4], partitioner=tf.fixed_size_partitioner(2))
        tf.get_variable("plain", [4])
        with pytest.raises(ValueError, match="unpartitioned version of the variable was found: plain"):
            tf.get_variable("plain", [4], partitioner=tf.fixed_size_partitioner(2))


def test_create_partitioned_variables():
    with tf.Graph().as_default():
        parts = tf.create_partitioned_variables([6, 2], [3, 1], tf.constant_initializer(2.0))
        assert [p.name for p in parts] == ["PartitionedVariable/part_%d:0" % i for i in range(3)]
        with pytest.raises(ValueError, match="must have the length: shape: \\[6, 2\\], slicing: \\[3\\]"):
            tf.create_partitioned_variables([6, 2], [3], tf.constant_initializer(2.0))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for value in sess.run(parts):
                np.testing.assert_array_equal(value, np.full((2, 2), 2.0, np.float32))


def test_partitioned_variable_parts_are_checkpointed_under_their_own_names(tmp_path):
    with tf.Graph().as_default():
        tf.get_variable("w", initializer=np.arange(6, dtype=np.float32), partitioner=tf.fixed_size_partitioner(2))
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            path = saver.save(sess, str(tmp_path / "model"))
    reader = tf.train.load_checkpoint(path)
    np.testing.assert_array_equal(reader.get_tensor("w/part_1"), np.arange(3, 6, dtype=np.float32))


# --- PriorityQueue --------------------------------------------------------------------------------------
def test_priority_queue_hands_out_smallest_priority_first():
    with tf.Graph().as_default():
        q = tf.PriorityQueue(10, [tf.string], shapes=[[]])
        assert tf.io.PriorityQueue is tf.PriorityQueue
        assert q.dtypes == [tf.int64, tf.string] and [s.as_list() for s in q.shapes] == [[], []]
        assert q.queue_ref.op.type == "PriorityQueueV2" and q.name == "priority_queue"
        fill = q.enqueue_many([[5, 1, 3, 1], [b"a", b"b", b"c", b"d"]])
        one = q.enqueue((2, b"x"))
        first = q.dequeue()
        two = q.dequeue_many(2)
        assert two[0].shape.as_list() == [2] and two[1].dtype == tf.string
        with tf.Session() as sess:
            sess.run(fill)
            sess.run(one)
            assert sess.run(first) == [1, b"b"]
            priorities, values = sess.run(two)
            np.testing.assert_array_equal(priorities, [1, 2])     # equal priorities leave in arrival order
            assert list(values) == [b"d", b"x"]
            assert sess.run(q.size()) == 2
            sess.run(q.close())
            assert sess.run(first) == [3, b"c"]
            with pytest.raises(tf.errors.OutOfRangeError,
                               match="PriorityQueue '.*priority_queue' is closed and has insufficient elements "
                                     "\\(requested 2, current size 1\\)"):
                sess.run(two)
            assert sess.run(first) == [5, b"a"]
            with pytest.raises(tf.errors.OutOfRangeError, match="is closed and has insufficient elements"):
                sess.run(first)


def test_priority_queue_is_shared_and_blocks_like_other_queues():
    import threading
    with tf.Graph().as_default():
        q = tf.PriorityQueue(2, [tf.float32], shapes=[[2]], shared_name="shared_pq")
        same = tf.PriorityQueue(2, [tf.float32], shapes=[[2]], shared_name="shared_pq")
        fill = q.enqueue_many([tf.constant([9, 4, 7], tf.int64), np.arange(6, dtype=np.float32).reshape(3, 2)])
        take = same.dequeue()
        with tf.Session() as sess:
            worker = threading.Thread(target=sess.run, args=(fill,))
            worker.start()          # blocks on the third element until there is room
            worker.join(0.2)
            assert worker.is_alive()
            got = sess.run(take)    # the smallest of the first two (4), then room for 7
            worker.join(5)
            assert not worker.is_alive()
            assert got[0] == 4
            np.testing.assert_array_equal(got[1], [2.0, 3.0])
            assert sess.run(take)[0] == 7 and sess.run(take)[0] == 9


def test_priority_queue_errors():
    with tf.Graph().as_default():
        with pytest.raises(TypeError, match="tf.PriorityQueue needs `shapes`"):
            tf.PriorityQueue(10, [tf.int32])
        with pytest.raises(ValueError, match="same length as dtypes: 2 shapes for 1 dtypes"):
            tf.PriorityQueue(10, [tf.int32], shapes=[[], []])
        q = tf.PriorityQueue(10, [tf.int32], shapes=[[2]])
        with pytest.raises(ValueError, match="incompatible"):
            q.enqueue(([1, 2], [3, 4]))
        with pytest.raises(ValueError, match="Expected 2 components to enqueue"):
            q.enqueue([1])


# --- session tensor handles ------------------------------------------------------------------------------
def test_session_handle_round_trip_and_eval():
    with tf.Graph().as_default():
        variable = tf.Variable([1.0, 2.0])
        handle_tensor = tf.get_session_handle(variable * 10.0)
        assert handle_tensor.dtype == tf.string and handle_tensor.op.type == "GetSessionHandle"
        with tf.Session() as sess:
            sess.run(variable.initializer)
            handle = sess.run(handle_tensor)
            assert type(handle).__name__ == "TensorHandle"
            assert handle.handle.startswith("GetSessionHandle;0;") and str(handle) == handle.handle
            sess.run(variable.assign([5.0, 6.0]))             # the stored value does not follow the variable
            np.testing.assert_array_equal(handle.eval(), [10.0, 20.0])
            holder, value = tf.get_session_tensor(handle.handle, tf.float32)
            np.testing.assert_array_equal(sess.run(value + 1.0, feed_dict={holder: handle.handle}), [11.0, 21.0])
            second = sess.run(handle_tensor)
            assert second.handle != handle.handle
            np.testing.assert_array_equal(second.eval(), [50.0, 60.0])
            deleter_holder, deleter = tf.delete_session_tensor(handle.handle)
            sess.run(deleter, feed_dict={deleter_holder: handle.handle})
            with pytest.raises(tf.errors.InvalidArgumentError, match="is not in the session store"):
                sess.run(value, feed_dict={holder: handle.handle})
            second.delete()
            with pytest.raises(tf.errors.InvalidArgumentError, match="is not in the session store"):
                second.eval()
        with tf.Session() as other:      # each Session has its own store
            with pytest.raises(tf.errors.InvalidArgumentError, match="is not in the session store"):
                other.run(value, feed_dict={holder: handle.handle})


def test_session_handle_errors():
    with tf.Graph().as_default():
        ints = tf.get_session_handle(tf.constant([1, 2]))
        with pytest.raises(TypeError, match="`data` must be of type Tensor"):
            tf.get_session_handle([1, 2])
        with pytest.raises(TypeError, match="`handle` must be a string handle"):
            tf.get_session_tensor(3, tf.float32)
        with tf.Session() as sess:
            handle = sess.run(ints)
            holder, as_float = tf.get_session_tensor(handle.handle, tf.float32)
            with pytest.raises(tf.errors.InternalError, match="Output 0 of type int32 does not match declared "
                                                              "output type float32"):
                sess.run(as_float, feed_dict={holder: handle.handle})
            deleter_holder, deleter = tf.delete_session_tensor(handle.handle)
            sess.run(deleter, feed_dict={deleter_holder: handle.handle})
            with pytest.raises(tf.errors.InvalidArgumentError, match="Failed to delete a tensor with handle"):
                sess.run(deleter, feed_dict={deleter_holder: handle.handle})


# --- type specs ----------------------------------------------------------------------------------------
def test_tensor_array_spec_compatibility_and_merge():
    partly = tf.TensorArraySpec([2, None], tf.float32)
    full = tf.TensorArraySpec([2, 3], tf.float32)
    assert isinstance(partly, tf.TypeSpec) and partly.value_type is tf.TensorArray
    assert partly.is_compatible_with(full) and partly == tf.TensorArraySpec([2, None], tf.float32)
    assert hash(partly) == hash(tf.TensorArraySpec([2, None], tf.float32)) and partly != full
    assert partly.most_specific_compatible_type(full) == partly
    assert tf.TensorArraySpec([None, 3]).most_specific_compatible_type(full) == tf.TensorArraySpec([None, 3])
    assert not partly.is_compatible_with(tf.TensorArraySpec([2, None], tf.float32, dynamic_size=True))
    assert repr(partly) == "TensorArraySpec(TensorShape([2, None]), tf.float32, False, True)"
    with pytest.raises(ValueError, match="No TypeSpec is compatible with both TensorArraySpec.*tf.int32"):
        partly.most_specific_compatible_type(tf.TensorArraySpec([2, 3], tf.int32))
    with pytest.raises(ValueError, match="No TypeSpec is compatible with both TensorArraySpec.*TensorSpec"):
        partly.most_specific_compatible_type(tf.TensorSpec([2]))
    with tf.Graph().as_default():
        array = tf.TensorArray(tf.float32, size=3, element_shape=[2])
        assert tf.type_spec_from_value(array) == tf.TensorArraySpec([2], tf.float32)


def test_indexed_slices_none_and_optional_specs():
    spec = tf.IndexedSlicesSpec([None, 4], tf.float32)
    assert spec.value_type is tf.IndexedSlices
    assert repr(tf.IndexedSlicesSpec()) == "IndexedSlicesSpec(TensorShape(None), tf.float32, tf.int64, None, " \
                                           "TensorShape([None]))"
    assert spec.is_compatible_with(tf.IndexedSlicesSpec([7, 4]))
    assert not spec.is_compatible_with(tf.IndexedSlicesSpec([7, 4], indices_dtype=tf.int32))
    assert spec.most_specific_compatible_type(tf.IndexedSlicesSpec([7, 4])) == spec
    none = tf.NoneTensorSpec()
    assert none == tf.NoneTensorSpec() and none.is_compatible_with(tf.NoneTensorSpec())
    assert not none.is_compatible_with(tf.TensorSpec([]))
    assert none.value_type is type(None)
    optional = tf.OptionalSpec(tf.TensorSpec([None], tf.int32))
    assert optional.is_compatible_with(tf.OptionalSpec(tf.TensorSpec([3], tf.int32)))
    assert not optional.is_compatible_with(tf.OptionalSpec(tf.TensorSpec([3], tf.int64)))
    assert optional.most_specific_compatible_type(tf.OptionalSpec(tf.TensorSpec([3], tf.int32))) == optional
    assert optional.value_type is tf.data.experimental.Optional
    with tf.Graph().as_default():
        value = tf.data.experimental.Optional.from_value(tf.constant([1, 2, 3]))
        assert tf.type_spec_from_value(value) == tf.OptionalSpec(tf.TensorSpec([3], tf.int32))
        assert optional.is_compatible_with(value)
    with pytest.raises(TypeError, match="abstract"):
        tf.TypeSpec()


def test_type_spec_from_value():
    with tf.Graph().as_default():
        assert tf.type_spec_from_value(tf.constant([1, 2])) == tf.TensorSpec([2], tf.int32)
        assert tf.type_spec_from_value(tf.SparseTensor([[0]], [1.0], [3])) == tf.SparseTensorSpec([3], tf.float32)
        slices = tf.IndexedSlices(tf.zeros([2, 4]), tf.constant([0, 3], tf.int64), tf.constant([5, 4], tf.int64))
        assert tf.type_spec_from_value(slices) == tf.IndexedSlicesSpec([5, 4], tf.float32, tf.int64, tf.int64, [2])
    assert tf.type_spec_from_value(np.array([1.0, 2.0])) == tf.TensorSpec([2], tf.float64)
    assert tf.type_spec_from_value(3) == tf.TensorSpec([], tf.int32)
    assert tf.type_spec_from_value("x") == tf.TensorSpec([], tf.string)
    assert isinstance(tf.TensorSpec([1]), tf.TypeSpec)
    assert tf.TensorSpec([None]).most_specific_compatible_type(tf.TensorSpec([3])) == tf.TensorSpec([None])
    with pytest.raises(TypeError, match="Could not build a TypeSpec for .* of unsupported type"):
        tf.type_spec_from_value(object())


# --- variable_creator_scope ----------------------------------------------------------------------------
def test_variable_creator_scope_intercepts_variables_innermost_first():
    seen = []

    def outer(next_creator, **kwargs):
        seen.append(("outer", kwargs["name"]))
        return next_creator(**kwargs)

    def inner(next_creator, **kwargs):
        seen.append(("inner", kwargs["name"], kwargs["trainable"]))
        kwargs["trainable"] = False
        return next_creator(**kwargs)

    with tf.Graph().as_default():
        with tf.variable_creator_scope(outer):
            with tf.variable_creator_scope(inner):
                made = tf.Variable(1.0, name="a")
                shared = tf.get_variable("b", [2], initializer=tf.zeros_initializer())
        after = tf.Variable(2.0, name="c")
        assert seen == [("inner", "a", True), ("outer", "a"), ("inner", "b", True), ("outer", "b")]
        assert not made.trainable and not shared.trainable and after.trainable
        assert tf.trainable_variables() == [after]
        with tf.variable_creator_scope(lambda next_creator, **kwargs: "replaced"):
            assert tf.Variable(3.0) == "replaced"
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            assert sess.run(made) == 1.0
    with pytest.raises(TypeError, match="variable_creator must be callable"):
        with tf.variable_creator_scope(5):
            pass


# --- SequenceExample parsing -------------------------------------------------------------------------------
def _sequence_example(context_ints, float_steps, word_steps):
    return tf.train.SequenceExample(
        context=tf.train.Features(feature={"a": tf.train.Feature(int64_list=tf.train.Int64List(value=context_ints))}),
        feature_lists=tf.train.FeatureLists(feature_list={
            "t": tf.train.FeatureList(feature=[tf.train.Feature(float_list=tf.train.FloatList(value=step))
                                               for step in float_steps]),
            "w": tf.train.FeatureList(feature=[tf.train.Feature(bytes_list=tf.train.BytesList(value=step))
                                               for step in word_steps])})).SerializeToString()


_FIRST = _sequence_example([1, 2], [[1.5, 2.5], [3.0, 4.0]], [[b"x"], [b"y", b"z"], []])
_SECOND = _sequence_example([7, 8], [[5.0, 6.0]], [[b"q"]])
_CONTEXT = {"a": tf.FixedLenFeature([2], tf.int64), "c": tf.FixedLenFeature([], tf.float32, default_value=0.5),
            "v": tf.VarLenFeature(tf.int64)}
_SEQUENCE = {"t": tf.FixedLenSequenceFeature([2], tf.float32), "w": tf.VarLenFeature(tf.string),
             "m": tf.FixedLenSequenceFeature([], tf.int64, allow_missing=True)}


def test_parse_single_sequence_example():
    # Expected values as TF 2.21's tf.compat.v1 parses the same protos.
    assert tf.parse_single_sequence_example is tf.io.parse_single_sequence_example
    with tf.Graph().as_default():
        context, sequence = tf.io.parse_single_sequence_example(_FIRST, _CONTEXT, _SEQUENCE)
        assert sequence["t"].shape.as_list() == [None, 2] and context["a"].shape.as_list() == [2]
        with tf.Session() as sess:
            context, sequence = sess.run([context, sequence])
    np.testing.assert_array_equal(context["a"], [1, 2])
    assert context["c"] == np.float32(0.5)
    assert context["v"].indices.shape == (0, 1) and list(context["v"].dense_shape) == [0]
    np.testing.assert_array_equal(sequence["t"], np.array([[1.5, 2.5], [3.0, 4.0]], np.float32))
    np.testing.assert_array_equal(sequence["w"].indices, [[0, 0], [1, 0], [1, 1]])
    assert list(sequence["w"].values) == [b"x", b"y", b"z"] and list(sequence["w"].dense_shape) == [3, 2]
    assert sequence["m"].shape == (0,) and sequence["m"].dtype == np.int64


def test_parse_sequence_example_batch_pads_and_counts():
    with tf.Graph().as_default():
        context, sequence, lengths = tf.io.parse_sequence_example([_FIRST, _SECOND], _CONTEXT, _SEQUENCE)
        assert sequence["t"].shape.as_list() == [2, None, 2] and sequence["w"].indices.shape.as_list() == [None, 3]
        with tf.Session() as sess:
            context, sequence, lengths = sess.run([context, sequence, lengths])
    np.testing.assert_array_equal(context["a"], [[1, 2], [7, 8]])
    np.testing.assert_array_equal(context["c"], [0.5, 0.5])
    assert list(context["v"].dense_shape) == [2, 0]
    np.testing.assert_array_equal(sequence["t"], np.array([[[1.5, 2.5], [3, 4]], [[5, 6], [0, 0]]], np.float32))
    np.testing.assert_array_equal(sequence["w"].indices, [[0, 0, 0], [0, 1, 0], [0, 1, 1], [1, 0, 0]])
    assert list(sequence["w"].dense_shape) == [2, 3, 2]
    assert sequence["m"].shape == (2, 0)
    np.testing.assert_array_equal(lengths["t"], [2, 1])
    np.testing.assert_array_equal(lengths["m"], [0, 0])


def test_parse_sequence_example_errors():
    parse = tf.io.parse_single_sequence_example
    with pytest.raises(ValueError, match="Both context_features and sequence_features are None"):
        parse(_FIRST)
    with pytest.raises(ValueError, match="Unsupported FixedLenSequenceFeature .* for key 'a'"):
        parse(_FIRST, {"a": tf.FixedLenSequenceFeature([2], tf.int64)})
    with pytest.raises(ValueError, match="Unsupported FixedLenFeature .* for key 'a'"):
        parse(_FIRST, None, {"a": tf.FixedLenFeature([2], tf.int64)})
    cases = [
        (lambda: parse(_FIRST, {"zz": tf.FixedLenFeature([], tf.int64)}),
         "Feature: zz \\(data type: int64\\) is required but could not be found"),
        (lambda: parse(_FIRST, None, {"zz": tf.FixedLenSequenceFeature([], tf.int64)}),
         "Feature list 'zz' is required but could not be found"),
        (lambda: parse(_FIRST, None, {"t": tf.FixedLenSequenceFeature([3], tf.float32)}),
         "Feature list 't' has an unexpected number of values.  Total values size: 4 is not consistent with "
         "output shape: \\[\\?,3\\]"),
        (lambda: parse(_FIRST, None, {"t": tf.FixedLenSequenceFeature([2], tf.int64)}),
         "Feature list: t, Index: 0.  Data types don't match. Expected type: int64"),
        (lambda: parse(_FIRST, {"a": tf.FixedLenFeature([], tf.string)}),
         "Feature: a.  Data types don't match. Expected type: string"),
        (lambda: parse(_FIRST, {"a": tf.FixedLenFeature([3], tf.int64)}),
         "Number of int64 values != expected.  values size: 2 but output shape: \\[3\\]"),
        (lambda: parse(b"\xff\xff", None, {"t": tf.FixedLenSequenceFeature([2], tf.float32)}),
         "Invalid protocol message input"),
    ]
    for build, message in cases:
        with tf.Graph().as_default():
            parsed = build()
            with tf.Session() as sess:
                with pytest.raises(tf.errors.InvalidArgumentError, match=message):
                    sess.run(parsed)


# --- SparseFeature -----------------------------------------------------------------------------------------
def _indexed_example(indices, values):
    return tf.train.Example(features=tf.train.Features(feature={
        "ix": tf.train.Feature(int64_list=tf.train.Int64List(value=indices)),
        "v": tf.train.Feature(float_list=tf.train.FloatList(value=values))})).SerializeToString()


def test_sparse_feature_in_parse_example_and_parse_single_example():
    # Expected values as TF 2.21's tf.compat.v1 parses the same protos (indices reordered row-major).
    assert tf.SparseFeature is tf.io.SparseFeature
    feature = tf.io.SparseFeature("ix", "v", tf.float32, 10)
    assert feature.already_sorted is False
    with tf.Graph().as_default():
        batch = tf.parse_example([_indexed_example([3, 1], [1.0, 2.0]), _indexed_example([5], [7.0])],
                                 {"sp": feature})
        single = tf.parse_single_example(_indexed_example([3, 1], [1.0, 2.0]), {"sp": feature})
        two_dims = tf.parse_example([_indexed_example([3, 1], [1.0, 2.0])],
                                    {"sp": tf.io.SparseFeature(["ix", "ix"], "v", tf.float32, [10, 10])})
        with tf.Session() as sess:
            batch, single, two_dims = sess.run([batch["sp"], single["sp"], two_dims["sp"]])
    np.testing.assert_array_equal(batch.indices, [[0, 1], [0, 3], [1, 5]])
    np.testing.assert_array_equal(batch.values, [2.0, 1.0, 7.0])
    np.testing.assert_array_equal(batch.dense_shape, [2, 10])
    np.testing.assert_array_equal(single.indices, [[1], [3]])
    np.testing.assert_array_equal(single.dense_shape, [10])
    np.testing.assert_array_equal(two_dims.indices, [[0, 1, 1], [0, 3, 3]])
    np.testing.assert_array_equal(two_dims.dense_shape, [1, 10, 10])


def test_sparse_feature_errors():
    with tf.Graph().as_default():
        mismatched = tf.parse_example([_indexed_example([3, 1], [1.0])],
                                      {"sp": tf.io.SparseFeature("ix", "v", tf.float32, 10)})
        with tf.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError,
                               match="Number of elements in indices \\(ix\\) and values \\(v\\) of SparseFeature "
                                     "'sp' do not match"):
                sess.run(mismatched["sp"].values)
        with pytest.raises(TypeError, match="size must be a list of Python ints, one per index_key"):
            tf.parse_example([_indexed_example([1], [1.0])],
                             {"sp": tf.io.SparseFeature(["ix", "ix"], "v", tf.float32, 10)})
        with pytest.raises(ValueError, match="Conflicting features for key 'v'"):
            tf.parse_example([_indexed_example([1], [1.0])],
                             {"sp": tf.io.SparseFeature("ix", "v", tf.float32, 10), "v": tf.VarLenFeature(tf.int64)})


# --- nondifferentiable_batch_function ---------------------------------------------------------------------
def test_nondifferentiable_batch_function_computes_each_batch_without_gradient():
    @tf.nondifferentiable_batch_function(1, 10, 100000)
    def affine(a, b):
        return a * 2.0 + b

    @tf.nondifferentiable_batch_function(1, 10, 100000, allowed_batch_sizes=[2, 10])
    def pair(a):
        return a, a * 3.0

    with tf.Graph().as_default():
        x = tf.constant([[1.0], [2.0]])
        y = tf.constant([[3.0], [4.0]])
        out = affine(x, y)
        first, tripled = pair(x)
        assert tf.gradients(out, x) == [None]
        with tf.Session() as sess:
            got, (same, three) = sess.run([out, (first, tripled)])
        np.testing.assert_array_equal(got, [[5.0], [8.0]])
        np.testing.assert_array_equal(three, [[3.0], [6.0]])
        with pytest.raises(ValueError, match="supposed to be Tensors; found 1.0"):
            affine(1.0, 2.0)
    with pytest.raises(ValueError, match="monotonically increasing"):
        tf.nondifferentiable_batch_function(1, 10, 100000, allowed_batch_sizes=[5, 3])
    with pytest.raises(ValueError, match="final entry in allowed_batch_sizes must equal max_batch_size"):
        tf.nondifferentiable_batch_function(1, 10, 100000, allowed_batch_sizes=[3, 5])


# --- CriticalSection -----------------------------------------------------------------------------------
def test_critical_section_runs_executions_one_at_a_time():
    import threading
    import time
    inside = []
    overlaps = []

    def enter_and_leave(x):
        inside.append(1)
        if len(inside) > 1:
            overlaps.append(len(inside))
        time.sleep(0.002)
        inside.pop()
        return x

    with tf.Graph().as_default():
        section = tf.CriticalSection(name="section")
        counter = tf.Variable(0.0)

        def increment():
            seen = tf.py_func(enter_and_leave, [counter.read_value()], tf.float32)
            with tf.control_dependencies([seen]):
                return counter.assign(tf.reshape(seen, []) + 1.0)
        step = section.execute(increment)
        assert step.dtype == tf.float32 and section.name == "section"
        with tf.Session() as sess:
            sess.run(counter.initializer)
            workers = [threading.Thread(target=lambda: [sess.run(step) for _ in range(25)]) for _ in range(4)]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
            assert sess.run(counter) == 100.0      # no lost update: every read-modify-write was alone
        assert not overlaps


def test_critical_section_errors():
    with tf.Graph().as_default():
        section = tf.CriticalSection()
        with pytest.raises(ValueError, match="Attempting to lock a CriticalSection in which we are already running"):
            section.execute(lambda: section.execute(lambda: tf.constant(1.0)))
        shared = tf.Variable(1.0)
        section.execute(lambda: shared + 1.0)
        other = tf.CriticalSection()
        with pytest.raises(ValueError, match="requested exclusive resource access of this resource"):
            other.execute(lambda: shared * 2.0)
        relaxed = tf.CriticalSection()
        reader = tf.CriticalSection()
        readonly = tf.Variable(2.0)
        relaxed.execute(lambda: readonly + 0.0, exclusive_resource_access=False)
        doubled = reader.execute(lambda: readonly * 2.0, exclusive_resource_access=False)
        # An error inside fn fails the run and releases the lock: the next run gets it.
        flag = tf.placeholder(tf.bool, [])
        checked = section.execute(lambda: tf.Assert(flag, [flag]))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            assert sess.run(doubled) == 4.0
            with pytest.raises(tf.errors.InvalidArgumentError, match="assertion failed"):
                sess.run(checked, feed_dict={flag: False})
            sess.run(checked, feed_dict={flag: True})
