"""TFRecord files of tf.train.Example protos exchanged with real TensorFlow, in a separate interpreter.

Set NUMFLOW_TF_PYTHON to a Python with `tensorflow` installed; without it these tests skip, saying why.
numflow writes (plain, GZIP, ZLIB) and TensorFlow reads with tf.data.TFRecordDataset +
tf.io.parse_single_example, and the reverse; the serialized Example bytes are compared too.
"""
import json
import os
import subprocess

import numpy as np
import pytest

import numflow as tf

TF_PYTHON = os.environ.get("NUMFLOW_TF_PYTHON")
pytestmark = pytest.mark.skipif(not TF_PYTHON, reason="set NUMFLOW_TF_PYTHON to a Python with real TensorFlow")

ROWS = [
    {"label": 3, "pixels": [0.5, -1.25, 3e-8, 1e30], "ids": [1, -2, 2 ** 62, -2 ** 63], "name": b"cat\x00\xff"},
    {"label": -7, "pixels": [0.0, 1.0, 2.0, 3.0], "ids": [], "name": b""},
    {"label": 2 ** 40, "pixels": [9.5, 8.5, 7.5, 6.5], "ids": [127, 128, 300], "name": b"dog"},
]

# Reads a TFRecord file with real TF and prints, per record, the parsed features and the record's bytes.
TF_READ = r"""
import json, sys
import tensorflow as tf
path, compression = sys.argv[1], sys.argv[2]
spec = {"label": tf.io.FixedLenFeature([], tf.int64), "pixels": tf.io.FixedLenFeature([4], tf.float32),
        "ids": tf.io.VarLenFeature(tf.int64), "name": tf.io.FixedLenFeature([], tf.string)}
out = []
for record in tf.data.TFRecordDataset(path, compression_type=compression):
    parsed = tf.io.parse_single_example(record, spec)
    out.append({"label": int(parsed["label"]), "pixels": parsed["pixels"].numpy().tolist(),
                "ids": parsed["ids"].values.numpy().tolist(),
                "ids_indices": parsed["ids"].indices.numpy().tolist(),
                "name": parsed["name"].numpy().hex(), "record": record.numpy().hex()})
print(json.dumps(out))
"""

# Writes the rows as Examples with real TF (deterministic serialization) and prints the records' bytes.
TF_WRITE = r"""
import json, sys
import tensorflow as tf
path, compression, rows = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
records = []
with tf.io.TFRecordWriter(path, options=tf.io.TFRecordOptions(compression_type=compression)) as writer:
    for row in rows:
        example = tf.train.Example(features=tf.train.Features(feature={
            "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[row["label"]])),
            "pixels": tf.train.Feature(float_list=tf.train.FloatList(value=row["pixels"])),
            "ids": tf.train.Feature(int64_list=tf.train.Int64List(value=row["ids"])),
            "name": tf.train.Feature(bytes_list=tf.train.BytesList(value=[bytes.fromhex(row["name"])]))}))
        data = example.SerializeToString(deterministic=True)
        records.append(data.hex())
        writer.write(data)
print(json.dumps(records))
"""


def run_tensorflow(script, *args):
    result = subprocess.run([TF_PYTHON, "-c", script, *args], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def _numflow_example(row):
    return tf.train.Example(features=tf.train.Features(feature={
        "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[row["label"]])),
        "pixels": tf.train.Feature(float_list=tf.train.FloatList(value=row["pixels"])),
        "ids": tf.train.Feature(int64_list=tf.train.Int64List(value=row["ids"])),
        "name": tf.train.Feature(bytes_list=tf.train.BytesList(value=[row["name"]]))}))


def _float32_list(values):
    return np.asarray(values, dtype=np.float32).tolist()


@pytest.mark.parametrize("compression", ["", "GZIP", "ZLIB"])
def test_tensorflow_reads_numflow_tfrecords_of_examples(tmp_path, compression):
    path = str(tmp_path / "numflow.tfrecord")
    serialized = [_numflow_example(row).SerializeToString() for row in ROWS]
    with tf.python_io.TFRecordWriter(path, tf.python_io.TFRecordOptions(compression)) as writer:
        for data in serialized:
            writer.write(data)
    parsed = run_tensorflow(TF_READ, path, compression)
    assert len(parsed) == len(ROWS)
    for row, data, got in zip(ROWS, serialized, parsed):
        assert got["label"] == row["label"]
        assert got["pixels"] == _float32_list(row["pixels"])
        assert got["ids"] == row["ids"]
        assert got["ids_indices"] == [[i] for i in range(len(row["ids"]))]
        assert bytes.fromhex(got["name"]) == row["name"]
        assert bytes.fromhex(got["record"]) == data


@pytest.mark.parametrize("compression", ["", "GZIP", "ZLIB"])
def test_numflow_reads_and_parses_tensorflow_tfrecords(tmp_path, compression):
    path = str(tmp_path / "tf.tfrecord")
    rows = [dict(row, name=row["name"].hex()) for row in ROWS]
    written = [bytes.fromhex(h) for h in run_tensorflow(TF_WRITE, path, compression, json.dumps(rows))]
    records = list(tf.python_io.tf_record_iterator(path, tf.python_io.TFRecordOptions(compression)))
    assert records == written
    # TF's deterministic serialization and numflow's are the same bytes.
    assert [_numflow_example(row).SerializeToString() for row in ROWS] == written
    assert [tf.train.Example.FromString(r) for r in records] == [_numflow_example(row) for row in ROWS]
    with tf.Graph().as_default():
        parsed = tf.parse_example(records, {
            "label": tf.FixedLenFeature([], tf.int64), "pixels": tf.FixedLenFeature([4], tf.float32),
            "ids": tf.VarLenFeature(tf.int64), "name": tf.FixedLenFeature([], tf.string)})
        with tf.Session() as sess:
            out = sess.run(parsed)
    assert out["label"].tolist() == [row["label"] for row in ROWS]
    assert out["pixels"].tolist() == [_float32_list(row["pixels"]) for row in ROWS]
    assert out["ids"].values.tolist() == [v for row in ROWS for v in row["ids"]]
    assert out["ids"].indices.tolist() == [[i, j] for i, row in enumerate(ROWS) for j in range(len(row["ids"]))]
    assert out["ids"].dense_shape.tolist() == [3, 4]
    assert out["name"].tolist() == [row["name"] for row in ROWS]
