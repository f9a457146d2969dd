"""slim's input side: Dataset + TFExampleDecoder + DatasetDataProvider over TFRecord files, the
parallel reader, prefetch_queue and slim.queues.QueueRunners; values checked against what was written."""
import numpy as np
import pytest

import numflow as tf
from numflow.framework import errors

slim = tf.contrib.slim
decoder_lib = slim.tfexample_decoder


def int64_feature(values):
    return tf.train.Feature(int64_list=tf.train.Int64List(value=list(values)))


def float_feature(values):
    return tf.train.Feature(float_list=tf.train.FloatList(value=list(values)))


def bytes_feature(value):
    return tf.train.Feature(bytes_list=tf.train.BytesList(value=[value]))


def image_of(index):
    return (np.arange(6, dtype=np.uint8).reshape(2, 3, 1) + 10 * index).astype(np.uint8)


def example_of(index):
    """Record `index`: a raw 2x3x1 image, its label, `index + 1` boxes and a VarLen vector of 4 values."""
    boxes = np.arange(4 * (index + 1), dtype=np.float32).reshape(index + 1, 4) / 100.0
    return tf.train.Example(features=tf.train.Features(feature={
        "image/encoded": bytes_feature(image_of(index).tobytes()),
        "image/format": bytes_feature(b"raw"),
        "image/class/label": int64_feature([index]),
        "image/object/bbox/ymin": float_feature(boxes[:, 0]),
        "image/object/bbox/xmin": float_feature(boxes[:, 1]),
        "image/object/bbox/ymax": float_feature(boxes[:, 2]),
        "image/object/bbox/xmax": float_feature(boxes[:, 3]),
        "matrix": float_feature([index, index + 1, index + 2, index + 3]),
        "matrix/shape": int64_feature([2, 2]),
    })), boxes


KEYS_TO_FEATURES = {
    "image/encoded": tf.FixedLenFeature((), tf.string, default_value=""),
    "image/format": tf.FixedLenFeature((), tf.string, default_value="raw"),
    "image/class/label": tf.FixedLenFeature([], tf.int64),
    "image/object/bbox/ymin": tf.VarLenFeature(tf.float32),
    "image/object/bbox/xmin": tf.VarLenFeature(tf.float32),
    "image/object/bbox/ymax": tf.VarLenFeature(tf.float32),
    "image/object/bbox/xmax": tf.VarLenFeature(tf.float32),
    "matrix": tf.VarLenFeature(tf.float32),
    "matrix/shape": tf.FixedLenFeature([2], tf.int64),
}


def make_decoder():
    return decoder_lib.TFExampleDecoder(KEYS_TO_FEATURES, {
        "image": decoder_lib.Image(shape=[2, 3, 1], channels=1),
        "label": decoder_lib.Tensor("image/class/label"),
        "boxes": decoder_lib.BoundingBox(prefix="image/object/bbox/"),
        "matrix": decoder_lib.Tensor("matrix", shape_keys="matrix/shape"),
    })


@pytest.fixture(scope="module")
def record_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("slim_records")
    paths = []
    for shard in range(2):
        path = str(folder / ("train-%d.tfrecord" % shard))
        with tf.python_io.TFRecordWriter(path) as writer:
            for index in range(5 * shard, 5 * shard + 5):
                writer.write(example_of(index)[0].SerializeToString())
        paths.append(path)
    return str(folder), paths


def make_dataset(pattern):
    return slim.dataset.Dataset(data_sources=pattern, reader=tf.TFRecordReader, decoder=make_decoder(),
                                num_samples=10, items_to_descriptions={"image": "a 2x3 image"}, num_classes=10)


def read_all(fetches):
    """Runs `fetches` until the input ends, under slim.queues.QueueRunners."""
    results = []
    with tf.Session() as sess:
        sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
        with slim.queues.QueueRunners(sess):
            while True:
                try:
                    results.append(sess.run(fetches))
                except errors.OutOfRangeError:
                    return results


def test_dataset_data_provider_decodes_every_record_in_order(record_files):
    folder, paths = record_files
    with tf.Graph().as_default():
        dataset = make_dataset(folder + "/train-*.tfrecord")
        assert dataset.num_classes == 10 and dataset.num_samples == 10
        provider = slim.dataset_data_provider.DatasetDataProvider(dataset, shuffle=False, num_epochs=1)
        assert sorted(provider.list_items()) == ["boxes", "image", "label", "matrix", "record_key"]
        assert provider.num_samples() == 10
        image, label, boxes, matrix, key = provider.get(["image", "label", "boxes", "matrix", "record_key"])
        assert image.shape.as_list() == [2, 3, 1] and image.dtype == tf.uint8
        records = read_all([image, label, boxes, matrix, key])
    assert [record[1] for record in records] == list(range(10))
    for index, (got_image, _, got_boxes, got_matrix, got_key) in enumerate(records):
        np.testing.assert_array_equal(got_image, image_of(index))
        np.testing.assert_allclose(got_boxes, example_of(index)[1], rtol=1e-6)
        np.testing.assert_array_equal(got_matrix, [[index, index + 1], [index + 2, index + 3]])
        assert got_key.decode().startswith(paths[index // 5] + ":")


def test_shuffled_parallel_readers_yield_each_record_once_per_epoch(record_files):
    folder, _ = record_files
    with tf.Graph().as_default():
        provider = slim.dataset_data_provider.DatasetDataProvider(
            make_dataset([folder + "/train-0.tfrecord", folder + "/train-1.tfrecord"]), num_readers=2,
            shuffle=True, num_epochs=2, common_queue_capacity=8, common_queue_min=2, seed=3)
        label, = provider.get(["label"])
        labels = [record[0] for record in read_all([label])]
    assert sorted(labels) == sorted(list(range(10)) * 2)


def test_prefetch_queue_and_single_pass_read(record_files):
    _, paths = record_files
    with tf.Graph().as_default():
        _, serialized = slim.parallel_reader.single_pass_read(paths, tf.TFRecordReader)
        image, label = make_decoder().decode(serialized, ["image", "label"])
        images, labels = tf.train.batch([image, label], batch_size=5)
        by_name = slim.prefetch_queue.prefetch_queue({"images": images, "labels": labels}, capacity=2)
        batch = by_name.dequeue()
        assert batch["images"].shape.as_list() == [5, 2, 3, 1]
        batches = read_all(batch)
    assert [list(got["labels"]) for got in batches] == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
    np.testing.assert_array_equal(batches[1]["images"][0], image_of(5))


def test_decoder_handlers_on_a_single_record():
    example, boxes = example_of(2)

    class VocabularyTable:
        """A stand-in lookup table: the index of each string in a fixed vocabulary."""

        def lookup(self, keys):
            return tf.argmax(tf.cast(tf.equal(tf.expand_dims(keys, -1), ["png", "raw", "jpeg"]), tf.int32), -1)

    decoder = decoder_lib.TFExampleDecoder(KEYS_TO_FEATURES, {
        "format_id": decoder_lib.LookupTensor("image/format", VocabularyTable()),
        "double_label": decoder_lib.ItemHandlerCallback(["image/class/label"],
                                                        lambda tensors: 2 * tensors["image/class/label"]),
        "ymin_or_label": decoder_lib.BackupHandler(decoder_lib.Tensor("image/object/bbox/ymin"),
                                                   decoder_lib.Tensor("matrix")),
        "boxes": decoder_lib.BoundingBox(keys=["ymin", "xmin", "ymax", "xmax"], prefix="image/object/bbox/"),
    })
    empty_boxes = tf.train.Example(features=tf.train.Features(feature={
        "image/class/label": int64_feature([1]), "matrix": float_feature([7.0, 8.0]),
        "matrix/shape": int64_feature([1, 2])}))
    with tf.Graph().as_default():
        items = decoder.decode(tf.constant(example.SerializeToString()))
        backup = decoder.decode(tf.constant(empty_boxes.SerializeToString()), ["ymin_or_label"])
        with tf.Session() as sess:
            format_id, double_label, ymin, got_boxes = sess.run(items)
            got_backup, = sess.run(backup)
    assert format_id == 1 and double_label == 4
    np.testing.assert_allclose(ymin, boxes[:, 0], rtol=1e-6)
    np.testing.assert_allclose(got_boxes, boxes, rtol=1e-6)
    np.testing.assert_array_equal(got_backup, [7.0, 8.0])


def test_image_handler_decodes_png_buffers_and_repeated_images():
    pytest.importorskip("PIL")
    pixels = np.arange(12, dtype=np.uint8).reshape(2, 2, 3) * 20
    with tf.Graph().as_default():
        png = tf.image.encode_png(tf.constant(pixels))
        with tf.Session() as sess:
            encoded = sess.run(png)
    single = tf.train.Example(features=tf.train.Features(feature={
        "image/encoded": bytes_feature(encoded), "image/format": bytes_feature(b"png")}))
    repeated = tf.train.Example(features=tf.train.Features(feature={
        "image/encoded": tf.train.Feature(bytes_list=tf.train.BytesList(value=[encoded, encoded])),
        "image/format": bytes_feature(b"png")}))
    with tf.Graph().as_default():
        decoded, = decoder_lib.TFExampleDecoder(
            {"image/encoded": tf.FixedLenFeature((), tf.string), "image/format": tf.FixedLenFeature((), tf.string)},
            {"image": decoder_lib.Image()}).decode(tf.constant(single.SerializeToString()))
        assert decoded.shape.as_list() == [None, None, 3]
        stacked, = decoder_lib.TFExampleDecoder(
            {"image/encoded": tf.FixedLenFeature((2,), tf.string), "image/format": tf.FixedLenFeature((), tf.string)},
            {"image": decoder_lib.Image(shape=[2, 2, 3], repeated=True)}).decode(
                tf.constant(repeated.SerializeToString()))
        with tf.Session() as sess:
            got, got_stacked = sess.run([decoded, stacked])
    np.testing.assert_array_equal(got, pixels)
    np.testing.assert_array_equal(got_stacked, np.stack([pixels, pixels]))


# --- error paths -----------------------------------------------------------------------------------
def test_data_error_paths(record_files, tmp_path):
    folder, _ = record_files
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="No data files found in"):
            slim.parallel_reader.get_data_files(str(tmp_path / "nothing-*.tfrecord"))
        with pytest.raises(ValueError, match="num_readers must be >= 1, got 0"):
            slim.parallel_reader.ParallelReader(tf.TFRecordReader, tf.FIFOQueue(4, [tf.string, tf.string]),
                                                num_readers=0)
        with pytest.raises(ValueError, match="Cannot specify both shape_keys and shape parameters"):
            decoder_lib.Tensor("matrix", shape_keys="matrix/shape", shape=[2, 2])
        with pytest.raises(ValueError, match="BoundingBox expects 4 keys but got 2"):
            decoder_lib.BoundingBox(keys=["ymin", "xmin"])
        with pytest.raises(TypeError, match="must be ItemHandlers, got Tensor and str"):
            decoder_lib.BackupHandler(decoder_lib.Tensor("matrix"), "matrix")
        with pytest.raises(ValueError, match="prefetch_queue needs at least one tensor"):
            slim.prefetch_queue.prefetch_queue([])
        decoder = make_decoder()
        with pytest.raises(KeyError, match="'mask' is not an item of this decoder"):
            decoder.decode(tf.constant(b""), ["mask"])
        bad = decoder_lib.TFExampleDecoder(KEYS_TO_FEATURES, {"x": decoder_lib.Tensor("image/width")})
        with pytest.raises(KeyError, match=r"needs features \['image/width'\]"):
            bad.decode(tf.constant(b""))
        dataset = make_dataset(folder + "/train-*.tfrecord")
        with pytest.raises(ValueError, match="`record_key` cannot also be used for a dataset item: label"):
            slim.dataset_data_provider.DatasetDataProvider(dataset, record_key="label")
        provider = slim.dataset_data_provider.DatasetDataProvider(dataset, shuffle=False)
        with pytest.raises(ValueError, match=r"Items \['mask'\] are not provided"):
            provider.get(["image", "mask"])
    with pytest.raises(NotImplementedError, match="does not implement decode"):
        slim.data_decoder.DataDecoder().decode(None, None)


def test_raw_image_without_shape_is_an_invalid_argument_at_run_time():
    example, _ = example_of(0)
    with tf.Graph().as_default():
        image, = decoder_lib.TFExampleDecoder(KEYS_TO_FEATURES, {"image": decoder_lib.Image(channels=1)}).decode(
            tf.constant(example.SerializeToString()))
        with tf.Session() as sess:
            with pytest.raises(errors.InvalidArgumentError, match=r"Expected image \(JPEG, PNG, GIF, or BMP\), got "
                                                                  "unknown format"):
                sess.run(image)
