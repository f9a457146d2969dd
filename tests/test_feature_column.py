"""tf.feature_column: each column's values against NumPy, input_layer / linear_model, and the errors."""
import numpy as np
import pytest

import numflow as tf
from numflow.ops.hash_bucket_ops import fingerprint64

fc = tf.feature_column


def run(tensors, init=True):
    with tf.Session() as sess:
        if init:
            sess.run(tf.global_variables_initializer())
        return sess.run(tensors)


@pytest.fixture(autouse=True)
def fresh_graph():
    with tf.Graph().as_default():
        yield


def test_numeric_column_shapes_normalizer_and_dtype():
    features = {"a": tf.constant([1, 2, 3]), "m": tf.constant(np.arange(12, dtype=np.float64).reshape(3, 2, 2))}
    a = fc.numeric_column("a", normalizer_fn=lambda t: t * 2)
    m = fc.numeric_column("m", shape=(2, 2))
    out = fc.input_layer(features, [m, a])   # sorted by name: a, then m
    assert out.dtype == tf.float32 and out.shape.as_list()[1] == 5
    expected = np.concatenate([[[2.], [4.], [6.]], np.arange(12).reshape(3, 4)], axis=1)
    np.testing.assert_array_equal(run(out), expected)
    assert m._parse_example_spec == {"m": tf.FixedLenFeature((2, 2), tf.float32, None)}


def test_numeric_column_errors():
    with pytest.raises(ValueError, match="shape dimensions must be greater than 0"):
        fc.numeric_column("a", shape=(0,))
    with pytest.raises(ValueError, match="dtype must be convertible to float"):
        fc.numeric_column("a", dtype=tf.string)
    with pytest.raises(TypeError, match="normalizer_fn must be a callable"):
        fc.numeric_column("a", normalizer_fn=3)
    with pytest.raises(ValueError, match="default_value"):
        fc.numeric_column("a", shape=(2,), default_value=[1, 2, 3])
    with pytest.raises(ValueError, match=r"Feature b is not in features dictionary \(needed by feature column 'b'\)"):
        fc.input_layer({"a": tf.constant([[1.0]])}, [fc.numeric_column("b")])
    with pytest.raises(ValueError, match=r"Feature a has shape \(\?, 3\).*numeric column 'a' expects shape \(2,\)"):
        fc.input_layer({"a": tf.placeholder(tf.float32, [None, 3])}, [fc.numeric_column("a", shape=(2,))])
    with pytest.raises(ValueError, match="features should be a dictionary"):
        fc.input_layer(tf.constant([1.0]), [fc.numeric_column("a")])
    with pytest.raises(ValueError, match="feature_columns must not be empty"):
        fc.input_layer({"a": tf.constant([1.0])}, [])


def test_bucketized_column_matches_digitize():
    values = np.array([-5.0, 0.0, 0.5, 1.0, 9.9, 10.0, 100.0], np.float32)
    boundaries = [0.0, 1.0, 10.0]
    column = fc.bucketized_column(fc.numeric_column("x"), boundaries)
    out = run(fc.input_layer({"x": tf.constant(values)}, [column]))
    buckets = np.digitize(values, boundaries)
    np.testing.assert_array_equal(out, np.eye(4)[buckets])
    assert column.name == "x_bucketized" and column._num_buckets == 4


def test_bucketized_column_errors():
    with pytest.raises(ValueError, match="boundaries must be a sorted list"):
        fc.bucketized_column(fc.numeric_column("x"), [1.0, 0.0])
    with pytest.raises(ValueError, match="source_column must be a column generated with numeric_column"):
        fc.bucketized_column(fc.categorical_column_with_identity("x", 3), [1.0])


def test_vocabulary_list_indicator_with_missing_and_oov():
    column = fc.categorical_column_with_vocabulary_list("c", ["red", "green", "blue"])
    values = np.array([["red", "blue"], ["green", ""], ["pink", "red"]], object)
    out = run(fc.input_layer({"c": tf.constant(values)}, [fc.indicator_column(column)]))
    np.testing.assert_array_equal(out, [[1, 0, 1], [0, 1, 0], [1, 0, 0]])   # '' and 'pink' count nowhere


def test_vocabulary_list_oov_buckets_and_integers():
    column = fc.categorical_column_with_vocabulary_list("c", ["a", "b"], num_oov_buckets=3)
    out = run(fc.input_layer({"c": tf.constant([["a"], ["zzz"], ["zzz"], ["b"]])}, [fc.indicator_column(column)]))
    assert out.shape == (4, 5)
    np.testing.assert_array_equal(out[[0, 3], :2], [[1, 0], [0, 1]])
    oov = 2 + fingerprint64(b"zzz") % 3
    np.testing.assert_array_equal(out[1], np.eye(5)[oov])
    np.testing.assert_array_equal(out[1], out[2])
    numbers = fc.categorical_column_with_vocabulary_list("n", [10, 20, 30])
    assert numbers.dtype == tf.int64
    out = run(fc.input_layer({"n": tf.constant([30, 10, 99])}, [fc.indicator_column(numbers)]))
    np.testing.assert_array_equal(out, [[0, 0, 1], [1, 0, 0], [0, 0, 0]])


def test_vocabulary_list_errors():
    with pytest.raises(ValueError, match="must be non-empty"):
        fc.categorical_column_with_vocabulary_list("c", [])
    with pytest.raises(ValueError, match="Duplicate keys in vocabulary_list"):
        fc.categorical_column_with_vocabulary_list("c", ["a", "a"])
    with pytest.raises(ValueError, match="Can't specify both num_oov_buckets and default_value"):
        fc.categorical_column_with_vocabulary_list("c", ["a"], default_value=0, num_oov_buckets=1)
    column = fc.categorical_column_with_vocabulary_list("c", ["a"])
    with pytest.raises(ValueError, match="Column dtype and SparseTensors dtype must be compatible. key: c"):
        fc.input_layer({"c": tf.constant([1, 2])}, [fc.indicator_column(column)])


def test_identity_column_default_value_and_out_of_range_error():
    column = fc.categorical_column_with_identity("i", 4, default_value=3)
    out = run(fc.input_layer({"i": tf.constant([[0], [7], [-1]])}, [fc.indicator_column(column)]))
    np.testing.assert_array_equal(out, [[1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 0, 0]])
    strict = fc.input_layer({"i": tf.constant([[0], [7]])},
                            [fc.indicator_column(fc.categorical_column_with_identity("i", 4))])
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Feature i of categorical_column_with_identity.*\[0, 4\)"):
        run(strict)
    with pytest.raises(ValueError, match="default_value 5 not in range"):
        fc.categorical_column_with_identity("i", 4, default_value=5)


def test_hash_bucket_is_deterministic_and_in_range():
    words = np.array(["apple", "kiwi", "apple", "fig", "x" * 50], object)
    column = fc.categorical_column_with_hash_bucket("w", 7)
    ids = column._get_sparse_tensors(fc.feature_column._LazyBuilder({"w": tf.constant(words)})).ids
    first = run(ids, init=False)
    expected = np.array([[fingerprint64(w.encode()) % 7] for w in words])
    np.testing.assert_array_equal(first, expected)
    np.testing.assert_array_equal(run(ids, init=False), first)           # a new Session: the same buckets
    numbers = fc.categorical_column_with_hash_bucket("n", 5, dtype=tf.int64)
    ids = numbers._get_sparse_tensors(fc.feature_column._LazyBuilder({"n": tf.constant([12, -1])})).ids
    np.testing.assert_array_equal(run(ids, init=False), [[fingerprint64(b"12") % 5], [-1]])
    with pytest.raises(ValueError, match="hash_bucket_size must be at least 1"):
        fc.categorical_column_with_hash_bucket("w", 0)


def test_string_to_hash_bucket_fast_op_values():
    from numflow.ops.hash_bucket_ops import string_to_hash_bucket_fast
    strings = np.array([["a", "bb"], ["", "a"]], object)
    out = run(string_to_hash_bucket_fast(tf.constant(strings), 1000), init=False)
    assert out.dtype == np.int64 and out.shape == (2, 2)
    np.testing.assert_array_equal(out, [[fingerprint64(s.encode()) % 1000 for s in row] for row in strings])
    with pytest.raises(TypeError, match="StringToHashBucketFast takes strings"):
        string_to_hash_bucket_fast(tf.constant([1.5]), 3)


@pytest.mark.parametrize("combiner", ["mean", "sum", "sqrtn"])
def test_embedding_column_combiners_against_numpy(combiner):
    table = np.arange(15, dtype=np.float32).reshape(5, 3)
    ids = np.array([[0, 2, -1], [4, -1, -1], [-1, -1, -1], [1, 1, 3]])
    column = fc.embedding_column(fc.categorical_column_with_identity("i", 5), 3, combiner=combiner,
                                 initializer=tf.constant_initializer(table))
    out = run(fc.input_layer({"i": tf.constant(ids)}, [column]))
    expected = []
    for row in ids:
        rows = table[row[row >= 0]]
        if not len(rows):
            expected.append(np.zeros(3))
        elif combiner == "sum":
            expected.append(rows.sum(0))
        elif combiner == "mean":
            expected.append(rows.mean(0))
        else:
            expected.append(rows.sum(0) / np.sqrt(len(rows)))
    np.testing.assert_allclose(out, expected, rtol=1e-6)
    assert [v.op.name for v in tf.global_variables()] == ["input_layer/i_embedding/embedding_weights"]


def test_embedding_column_errors_and_default_initializer():
    base = fc.categorical_column_with_identity("i", 100)
    with pytest.raises(ValueError, match="Invalid dimension 0"):
        fc.embedding_column(base, 0)
    with pytest.raises(ValueError, match="Must specify both `ckpt_to_load_from` and `tensor_name_in_ckpt`"):
        fc.embedding_column(base, 2, ckpt_to_load_from="/x")
    with pytest.raises(ValueError, match="must be a categorical column"):
        fc.embedding_column(fc.numeric_column("x"), 2)
    with pytest.raises(ValueError, match="Items of feature_columns must be a _DenseColumn"):
        fc.input_layer({"i": tf.constant([1])}, [base])
    tf.set_random_seed(0)
    fc.input_layer({"i": tf.constant([1])}, [fc.embedding_column(base, 16)])
    weights = run(tf.global_variables()[0])
    # a normal of stddev 1/sqrt(16) cut at two stddevs: its standard deviation is 0.88 of that
    assert weights.shape == (100, 16) and abs(weights.std() - 0.88 * 0.25) < 0.02 and np.abs(weights).max() <= 0.5


def test_sparse_tensor_input_for_categorical_columns():
    sparse = tf.SparseTensor(indices=[[0, 0], [0, 1], [2, 0]], values=["b", "a", "b"], dense_shape=[3, 2])
    column = fc.categorical_column_with_vocabulary_list("c", ["a", "b"])
    out = run(fc.input_layer({"c": sparse}, [fc.indicator_column(column)]))
    np.testing.assert_array_equal(out, [[1, 1], [0, 0], [0, 1]])
    with pytest.raises(ValueError, match="SparseTensor is not supported. key: c"):
        fc.input_layer({"c": sparse}, [fc.numeric_column("c")])


def test_crossed_column_counts_every_pair():
    crossed = fc.crossed_column(["a", fc.categorical_column_with_identity("b", 3)], 1000)
    assert crossed.name == "a_X_b"
    out = run(fc.input_layer({"a": tf.constant([["x", "y"], ["x", ""]]), "b": tf.constant([[0, 1], [2, -1]])},
                             [fc.indicator_column(crossed)]))
    assert out.sum(axis=1).tolist() == [4.0, 1.0]
    with pytest.raises(ValueError, match="categorical_column_with_hash_bucket is not supported for crossing"):
        fc.crossed_column(["a", fc.categorical_column_with_hash_bucket("b", 3)], 10)


def test_input_layer_sorts_columns_by_name():
    features = {"b": tf.constant([[2.0]]), "a": tf.constant([[1.0]]), "c": tf.constant([[3.0]])}
    out = fc.input_layer(features, [fc.numeric_column("c"), fc.numeric_column("a"), fc.numeric_column("b")])
    np.testing.assert_array_equal(run(out), [[1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match="Duplicate feature column name found"):
        fc.input_layer(features, [fc.numeric_column("a"), fc.numeric_column("a")])


@pytest.mark.parametrize("sparse_combiner", ["sum", "mean", "sqrtn"])
def test_linear_model_against_numpy(sparse_combiner):
    features = {"x": tf.constant([[1.0, 2.0], [3.0, -1.0]]), "c": tf.constant([["a", "b"], ["b", ""]])}
    cols_to_vars = {}
    out = fc.linear_model(features, [fc.numeric_column("x", shape=(2,)),
                                     fc.categorical_column_with_vocabulary_list("c", ["a", "b"])],
                          units=2, sparse_combiner=sparse_combiner, cols_to_vars=cols_to_vars)
    names = sorted(v.op.name for v in tf.global_variables())
    assert names == ["linear_model/bias_weights", "linear_model/c/weights", "linear_model/x/weights"]
    wx, wc, bias = (np.array([[1., 2.], [3., 4.]]), np.array([[10., 20.], [30., 40.]]), np.array([0.5, -0.5]))
    variables = {v.op.name: v for v in tf.global_variables()}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert not sess.run(out).any()                  # every weight starts at zero
        for name, value in (("x/weights", wx), ("c/weights", wc), ("bias_weights", bias)):
            sess.run(variables["linear_model/" + name].assign(value))
        got = sess.run(out)
    sums = np.array([wc[0] + wc[1], wc[1]])
    counts = np.array([[2.0], [1.0]])
    categorical = {"sum": sums, "mean": sums / counts, "sqrtn": sums / np.sqrt(counts)}[sparse_combiner]
    np.testing.assert_allclose(got, np.array([[1., 2.], [3., -1.]]) @ wx + categorical + bias, rtol=1e-6)


def test_make_parse_example_spec():
    columns = [fc.numeric_column("n", shape=(2,), default_value=0.0),
               fc.embedding_column(fc.categorical_column_with_vocabulary_list("c", ["a"]), 2),
               fc.bucketized_column(fc.numeric_column("n", shape=(2,), default_value=0.0), [1.0])]
    spec = fc.make_parse_example_spec(columns)
    assert spec == {"n": tf.FixedLenFeature((2,), tf.float32, (0.0, 0.0)), "c": tf.VarLenFeature(tf.string)}
    with pytest.raises(ValueError, match="feature_columns contain different parse_spec for key n"):
        fc.make_parse_example_spec([fc.numeric_column("n"), fc.categorical_column_with_identity("n", 2)])
