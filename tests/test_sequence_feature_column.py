"""Sequence feature columns and tf.contrib.feature_column.sequence_input_layer."""
import numpy as np
import pytest

import numflow as tf


def _ids():
    # example 0: steps [1, 2]; example 1: [0]; example 2: [3, 3, 1]
    return tf.SparseTensor(indices=[[0, 0], [0, 1], [1, 0], [2, 0], [2, 1], [2, 2]], values=[1, 2, 0, 3, 3, 1],
                           dense_shape=[3, 3])


def _numbers():
    # shape (2,) per step: example 0 two steps, example 1 one step, example 2 three steps
    indices = [[0, j] for j in range(4)] + [[1, 0], [1, 1]] + [[2, j] for j in range(6)]
    return tf.SparseTensor(indices=indices, values=np.arange(12, dtype=np.float32), dense_shape=[3, 6])


def test_sequence_input_layer_embeds_one_hots_and_reads_numbers_per_step():
    with tf.Graph().as_default():
        ids = tf.feature_column.sequence_categorical_column_with_identity("ids", 4)
        numbers = tf.feature_column.sequence_numeric_column("num", shape=(2,), normalizer_fn=lambda x: x * 10)
        columns = [tf.feature_column.embedding_column(ids, 3), numbers, tf.feature_column.indicator_column(ids)]
        values, lengths = tf.contrib.feature_column.sequence_input_layer({"ids": _ids(), "num": _numbers()}, columns)
        assert values.shape.as_list() == [3, 3, 9] and lengths.dtype == tf.int64
        (weights,) = tf.global_variables()
        assert weights.name == "sequence_input_layer/ids_embedding/embedding_weights:0"
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            got, got_lengths, table = sess.run([values, lengths, weights])
    np.testing.assert_array_equal(got_lengths, [2, 1, 3])
    steps = [[1, 2], [0], [3, 3, 1]]
    numbers_per_example = [np.arange(0, 4), np.arange(4, 6), np.arange(6, 12)]
    for example, (example_ids, example_numbers) in enumerate(zip(steps, numbers_per_example)):
        expected = np.zeros([3, 9], np.float32)
        for step, id_ in enumerate(example_ids):
            expected[step, :3] = table[id_]
            expected[step, 3 + id_] = 1.0
        expected[:len(example_ids), 7:] = example_numbers.reshape(-1, 2) * 10
        np.testing.assert_allclose(got[example], expected, rtol=1e-6)


def test_sequence_categorical_columns_of_every_kind(tmp_path):
    vocabulary_file = tmp_path / "vocab.txt"
    vocabulary_file.write_text("a\nb\nc\n")
    columns = {
        "list": tf.feature_column.sequence_categorical_column_with_vocabulary_list("w", ["a", "b", "c"]),
        "file": tf.feature_column.sequence_categorical_column_with_vocabulary_file("w", str(vocabulary_file), 3),
        "hash": tf.feature_column.sequence_categorical_column_with_hash_bucket("w", 5),
    }
    for kind, column in columns.items():
        assert column.name == "w" and column._num_buckets == (5 if kind == "hash" else 3)
        with tf.Graph().as_default():
            words = tf.SparseTensor(indices=[[0, 0], [0, 1], [1, 0]], values=[b"c", b"zz", b"a"], dense_shape=[2, 2])
            values, lengths = tf.contrib.feature_column.sequence_input_layer(
                {"w": words}, [tf.feature_column.indicator_column(column)])
            with tf.Session() as sess:
                got, got_lengths = sess.run([values, lengths])
        np.testing.assert_array_equal(got_lengths, [2, 1])
        if kind != "hash":
            np.testing.assert_array_equal(got, [[[0, 0, 1], [0, 0, 0]], [[1, 0, 0], [0, 0, 0]]])
        else:
            assert got.sum() == 3 and got[0, 1].sum() == 1    # a hashed word always has a bucket


def test_parse_spec_and_sequence_columns_refused_by_input_layer():
    ids = tf.feature_column.sequence_categorical_column_with_identity("ids", 4)
    numbers = tf.feature_column.sequence_numeric_column("num")
    spec = tf.feature_column.make_parse_example_spec([ids, numbers])
    assert spec["ids"].dtype == tf.int64 and spec["num"].dtype == tf.float32
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="categorical_column must not be of type _SequenceCategoricalColumn"):
            tf.feature_column.input_layer({"ids": _ids()}, [tf.feature_column.embedding_column(ids, 2)])
        with pytest.raises(ValueError, match="Items of feature_columns must be a _DenseColumn"):
            tf.feature_column.input_layer({"num": _numbers()}, [numbers])


def test_sequence_column_errors():
    with pytest.raises(ValueError, match="shape dimensions must be greater than 0"):
        tf.feature_column.sequence_numeric_column("x", shape=(0,))
    with pytest.raises(TypeError, match="normalizer_fn must be a callable"):
        tf.feature_column.sequence_numeric_column("x", normalizer_fn=3)
    with pytest.raises(ValueError, match="num_buckets 0 < 1"):
        tf.feature_column.sequence_categorical_column_with_identity("x", 0)
    ids = tf.feature_column.sequence_categorical_column_with_identity("ids", 4)
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="needs a SparseTensor input: feature ids"):
            tf.contrib.feature_column.sequence_input_layer({"ids": tf.constant([[1, 2]])},
                                                           [tf.feature_column.indicator_column(ids)])
        with pytest.raises(ValueError, match="All feature_columns must be sequence dense columns"):
            tf.contrib.feature_column.sequence_input_layer({"n": tf.constant([[1.0]])},
                                                           [tf.feature_column.numeric_column("n")])
        short = tf.SparseTensor(indices=[[0, 0], [1, 0], [2, 0]], values=[1, 1, 1], dense_shape=[3, 3])
        numbers = tf.feature_column.sequence_numeric_column("num", shape=(2,))
        values, lengths = tf.contrib.feature_column.sequence_input_layer(
            {"ids": short, "num": _numbers()}, [tf.feature_column.indicator_column(ids), numbers])
        with tf.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError, match="must have the same sequence length"):
                sess.run(lengths)
