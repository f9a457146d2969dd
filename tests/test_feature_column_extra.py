"""tf.feature_column.categorical_column_with_vocabulary_file and weighted_categorical_column
(feature_column/feature_column_extra.py): ids by line number, weighted indicator and embedding sums."""
import numpy as np
import pytest

import numflow as tf

fc = tf.feature_column


def run(fetches):
    with tf.Session() as sess:
        sess.run([tf.global_variables_initializer(), tf.tables_initializer()])
        return sess.run(fetches)


def vocabulary(tmp_path, lines, name="vocab.txt"):
    path = tmp_path / name
    path.write_text("".join(line + "\n" for line in lines))
    return str(path)


def test_vocabulary_file_ids_are_line_numbers(tmp_path):
    path = vocabulary(tmp_path, ["apple", "banana", "cherry", "date"])
    column = fc.categorical_column_with_vocabulary_file("fruit", path, vocabulary_size=3, default_value=0)
    assert column._num_buckets == 3 and column.name == "fruit" and column.vocabulary_file == path
    features = {"fruit": tf.constant([["cherry"], ["date"], ["banana"]])}
    dense = run(fc.input_layer(features, [fc.indicator_column(column)]))
    # 'date' is past vocabulary_size: the default id 0.
    np.testing.assert_array_equal(dense, [[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    numbers = fc.categorical_column_with_vocabulary_file("n", vocabulary(tmp_path, ["10", "20"], "numbers.txt"), dtype=tf.int64,
                                                         num_oov_buckets=1)
    dense = run(fc.input_layer({"n": tf.constant([[20], [10], [7]], tf.int64)}, [fc.indicator_column(numbers)]))
    np.testing.assert_array_equal(dense, [[0, 1, 0], [1, 0, 0], [0, 0, 1]])
    assert fc.make_parse_example_spec([column])["fruit"].dtype == tf.string


def test_vocabulary_file_errors(tmp_path):
    path = vocabulary(tmp_path, ["a", "b"])
    with pytest.raises(ValueError, match="Missing vocabulary_file in c"):
        fc.categorical_column_with_vocabulary_file("c", "")
    with pytest.raises(ValueError, match="Invalid vocabulary_size in c"):
        fc.categorical_column_with_vocabulary_file("c", path, vocabulary_size=3)
    with pytest.raises(ValueError, match="Can't specify both num_oov_buckets and default_value"):
        fc.categorical_column_with_vocabulary_file("c", path, num_oov_buckets=1, default_value=0)
    with pytest.raises(ValueError, match="Cannot read vocabulary_file"):
        fc.categorical_column_with_vocabulary_file("c", str(tmp_path / "missing.txt"))
    with pytest.raises(ValueError, match="Duplicate entries"):
        fc.categorical_column_with_vocabulary_file("c", vocabulary(tmp_path, ["a", "a"], "twice.txt"))
    with pytest.raises(ValueError, match="holds a line that is not an integer"):
        fc.categorical_column_with_vocabulary_file("c", path, dtype=tf.int32)


def weighted_features():
    ids = tf.SparseTensor([[0, 0], [0, 1], [1, 0]], np.array([1, 3, 2], np.int64), [2, 2])
    weights = tf.SparseTensor([[0, 0], [0, 1], [1, 0]], np.array([0.5, 2.0, 3.0], np.float32), [2, 2])
    return {"id": ids, "wt": weights}


def test_weighted_indicator_and_embedding():
    weighted = fc.weighted_categorical_column(fc.categorical_column_with_identity("id", 4), "wt")
    assert weighted.name == "id_weighted_by_wt" and weighted._num_buckets == 4
    assert set(fc.make_parse_example_spec([weighted])) == {"id", "wt"}
    table = np.arange(12, dtype=np.float32).reshape(4, 3)
    embedded = fc.embedding_column(weighted, 3, combiner="sum", initializer=tf.constant_initializer(table))
    indicator, embedding = run([fc.input_layer(weighted_features(), [fc.indicator_column(weighted)]),
                                fc.input_layer(weighted_features(), [embedded])])
    np.testing.assert_allclose(indicator, [[0, 0.5, 0, 2.0], [0, 0, 3.0, 0]])
    np.testing.assert_allclose(embedding, [0.5 * table[1] + 2.0 * table[3], 3.0 * table[2]])


def test_weighted_column_errors():
    identity = fc.categorical_column_with_identity("id", 4)
    with pytest.raises(ValueError, match="must be a categorical column"):
        fc.weighted_categorical_column(fc.numeric_column("x"), "wt")
    with pytest.raises(ValueError, match="is not convertible to float"):
        fc.weighted_categorical_column(identity, "wt", dtype=tf.int32)
    with pytest.raises(ValueError, match="Parse config .* already exists for id"):
        fc.make_parse_example_spec([fc.weighted_categorical_column(identity, "id")])
    features = dict(weighted_features(), wt=tf.SparseTensor([[0, 0]], np.array([1], np.int64), [2, 2]))
    with pytest.raises(ValueError, match="Bad dtype, expected float32, but got int64"):
        fc.input_layer(features, [fc.indicator_column(fc.weighted_categorical_column(identity, "wt"))])


def test_shared_embedding_columns_share_one_variable():
    a, b = fc.categorical_column_with_identity("a", 5), fc.categorical_column_with_identity("b", 5)
    table = np.arange(15, dtype=np.float32).reshape(5, 3)
    columns = fc.shared_embedding_columns([a, b], 3, initializer=tf.constant_initializer(table))
    assert [c.name for c in columns] == ["a_shared_embedding", "b_shared_embedding"]
    assert columns[0].shared_embedding_collection_name == "a_b_shared_embedding"
    features = {"a": tf.constant([[1], [2]], tf.int64), "b": tf.constant([[4], [0]], tf.int64)}
    dense = fc.input_layer(features, columns)
    assert len(tf.global_variables()) == 1
    np.testing.assert_allclose(run(dense), np.concatenate([table[[1, 2]], table[[4, 0]]], axis=1))
    with pytest.raises(ValueError, match="must have the same number of buckets"):
        fc.shared_embedding_columns([a, fc.categorical_column_with_identity("c", 6)], 3)
    with pytest.raises(ValueError, match="non-empty list"):
        fc.shared_embedding_columns([], 3)
