"""TFRecordDataset: streaming records, parsing Examples in `map`, bad files."""
import numpy as np
import pytest

import numflow as tf
from test_data_dataset import values


def write_examples(path, count, options=None):
    with tf.python_io.TFRecordWriter(str(path), options) as writer:
        for i in range(count):
            example = tf.train.Example(features=tf.train.Features(feature={
                "image": tf.train.Feature(float_list=tf.train.FloatList(value=[i, i + 0.5, i + 1.0])),
                "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[i % 10])),
                "name": tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"item%d" % i])),
            }))
            writer.write(example.SerializeToString())
    return str(path)


FEATURES = {"image": tf.FixedLenFeature([3], tf.float32), "label": tf.FixedLenFeature([], tf.int64),
            "name": tf.FixedLenFeature([], tf.string)}


def test_tfrecord_dataset_parse_single_example_in_map(tmp_path):
    path = write_examples(tmp_path / "data.tfrecord", 25)
    dataset = tf.data.TFRecordDataset(path).map(lambda r: tf.parse_single_example(r, FEATURES)).batch(10)
    assert dataset.output_shapes["image"].as_list() == [None, 3]
    batches = values(dataset)
    assert [len(b["label"]) for b in batches] == [10, 10, 5]
    images = np.concatenate([b["image"] for b in batches])
    np.testing.assert_allclose(images[:, 0], np.arange(25))
    assert batches[2]["name"].tolist() == [b"item%d" % i for i in range(20, 25)]


def test_tfrecord_dataset_batch_then_parse_example(tmp_path):
    first = write_examples(tmp_path / "a.tfrecord", 7)
    second = write_examples(tmp_path / "b.tfrecord.gz", 5, tf.python_io.TFRecordOptions("GZIP"))
    plain = tf.data.TFRecordDataset([first]).batch(4).map(lambda r: tf.parse_example(r, FEATURES))
    assert [b["label"].tolist() for b in values(plain)] == [[0, 1, 2, 3], [4, 5, 6]]
    gz = values(tf.data.TFRecordDataset(second, compression_type="GZIP"))
    assert len(gz) == 5
    names = tf.placeholder(tf.string, [None])
    iterator = tf.data.TFRecordDataset(names).make_initializable_iterator()
    with tf.Session() as session:
        session.run(iterator.initializer, {names: [first, first]})
        count = 0
        try:
            while True:
                session.run(iterator.get_next())
                count += 1
        except tf.errors.OutOfRangeError:
            pass
    assert count == 14


def test_tfrecord_dataset_corrupt_file_is_data_loss_naming_file(tmp_path):
    path = write_examples(tmp_path / "bad.tfrecord", 3)
    data = bytearray(open(path, "rb").read())
    data[-7] ^= 0xFF                     # inside the last record's data
    open(path, "wb").write(bytes(data))
    element = tf.data.TFRecordDataset(path).make_one_shot_iterator().get_next()
    with tf.Session() as session:
        session.run(element)
        session.run(element)
        with pytest.raises(tf.errors.DataLossError, match="bad.tfrecord"):
            session.run(element)
        assert session.run(tf.constant(1)) == 1
    truncated = tmp_path / "short.tfrecord"
    truncated.write_bytes(open(write_examples(tmp_path / "ok.tfrecord", 2), "rb").read()[:-3])
    with pytest.raises(tf.errors.DataLossError, match="short.tfrecord"):
        values(tf.data.TFRecordDataset(str(truncated)))


def test_missing_required_feature_in_map_names_key_and_element(tmp_path):
    path = write_examples(tmp_path / "data.tfrecord", 2)
    wanted = dict(FEATURES, weight=tf.FixedLenFeature([], tf.float32))
    dataset = tf.data.TFRecordDataset(path).map(lambda r: tf.parse_single_example(r, wanted))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"(?s)Key: weight.*on input element 0"):
        values(dataset)


def test_csv_through_text_line_dataset_and_decode_csv(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text("x,y,label\n1.5,2,a\n3.0,,b\n")
    dataset = tf.data.TextLineDataset(str(path)).skip(1).map(
        lambda line: tf.decode_csv(line, [[0.0], [-1], [""]]))
    got = values(dataset)
    assert got == [(1.5, 2, b"a"), (3.0, -1, b"b")]
    csv = values(tf.data.experimental.CsvDataset(str(path), [tf.float32, [0], tf.string], header=True))
    assert [r[1] for r in csv] == [2, 0]
    bad = tmp_path / "bad.csv"
    bad.write_text("1,2\n1,2,3\n")
    with pytest.raises(tf.errors.InvalidArgumentError, match="element 1"):
        values(tf.data.TextLineDataset(str(bad)).map(lambda line: tf.decode_csv(line, [[0], [0]])))
