"""tf.summary ops and FileWriter: event files in TensorBoard's format, read back with numflow's reader and,
when installed, with TensorBoard's own."""
import glob
import os
import struct
import zlib

import numpy as np
import pytest

import numflow as tf
from numflow.io import events, wire


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


def _event_file(logdir):
    files = glob.glob(os.path.join(str(logdir), "events.out.tfevents.*"))
    assert len(files) == 1, files
    return files[0]


def _decode_png(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        assert struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0] == zlib.crc32(kind + body)
        chunks[kind] = chunks.get(kind, b"") + body
        pos += 12 + length
    width, height, depth, color = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    channels = {0: 1, 4: 2, 2: 3, 6: 4}[color]
    raw = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), np.uint8).reshape(height, 1 + width * channels)
    assert not raw[:, 0].any()
    return raw[:, 1:].reshape(height, width, channels)


def _build_and_log(logdir):
    x = tf.placeholder(tf.float32, [None, 2, 3, 1], name="x")
    tf.summary.scalar("loss", tf.constant(0.25))
    tf.summary.scalar("zero", tf.constant(0, tf.int32), family="fam")
    tf.summary.histogram("weights", tf.constant(np.array([-1.0, 0.0, 0.5, 0.5, 3.0])))
    tf.summary.image("pictures", x, max_outputs=2)
    tf.summary.text("notes", tf.constant(["hello", "world"]))
    merged = tf.summary.merge_all()
    writer = tf.summary.FileWriter(str(logdir), tf.get_default_graph())
    images = np.linspace(0, 1, 18, dtype=np.float32).reshape(3, 2, 3, 1)
    with tf.Session() as sess:
        for step in range(3):
            writer.add_summary(sess.run(merged, {x: images}), global_step=step)
    writer.close()


def test_event_file_contents_with_numflow_reader(tmp_path):
    _build_and_log(tmp_path)
    path = _event_file(tmp_path)
    assert "events.out.tfevents." in os.path.basename(path)
    evs = list(tf.summary.summary_iterator(path))
    assert evs[0].file_version == "brain.Event:2"
    assert evs[1].graph_def and evs[1].WhichOneof("what") == "graph_def"
    summaries = [e for e in evs if e.HasField("summary")]
    assert [e.step for e in summaries] == [0, 1, 2]
    values = {v.tag: v for v in summaries[0].summary.value}
    assert sorted(values) == ["fam/fam/zero", "loss", "notes", "pictures/image/0", "pictures/image/1",
                              "weights"]
    assert values["loss"].simple_value == 0.25
    assert values["fam/fam/zero"].HasField("simple_value") and values["fam/fam/zero"].simple_value == 0.0
    histo = values["weights"].histo
    assert (histo.min, histo.max, histo.num, histo.sum, histo.sum_squares) == (-1.0, 3.0, 5.0, 3.0, 10.5)
    assert sum(histo.bucket) == 5 and len(histo.bucket) == len(histo.bucket_limit)
    assert list(histo.bucket_limit) == sorted(histo.bucket_limit)
    picture = values["pictures/image/0"].image
    assert (picture.height, picture.width, picture.colorspace) == (2, 3, 1)
    pixels = _decode_png(picture.encoded_image_string)
    expected = (np.linspace(0, 1, 18, dtype=np.float32)[:6] * (255.0 / np.float32(5 / 17))).astype(np.uint8)
    np.testing.assert_array_equal(pixels.reshape(-1), np.clip(expected, 0, 255))
    notes = values["notes"]
    assert notes.metadata.plugin_data.plugin_name == "text"
    assert notes.tensor.string_val == [b"hello", b"world"]
    assert [d.size for d in notes.tensor.tensor_shape.dim] == [2]
    # the plugin metadata is written with the first occurrence of a tag only
    assert not summaries[1].summary.value[[v.tag for v in summaries[1].summary.value].index("notes")] \
        .HasField("metadata")


def test_event_files_read_by_tensorboard(tmp_path):
    pytest.importorskip("tensorboard", reason="tensorboard is not installed (pip install tensorboard)")
    from tensorboard.backend.event_processing import event_accumulator, event_file_loader
    from tensorboard.compat.proto import graph_pb2
    _build_and_log(tmp_path)
    loaded = list(event_file_loader.LegacyEventFileLoader(_event_file(tmp_path)).Load())
    assert loaded[0].file_version == "brain.Event:2"
    acc = event_accumulator.EventAccumulator(str(tmp_path), size_guidance={"images": 0, "scalars": 0})
    acc.Reload()
    tags = acc.Tags()
    assert sorted(tags["scalars"]) == ["fam/fam/zero", "loss"]
    assert tags["histograms"] == ["weights"]
    assert sorted(tags["images"]) == ["pictures/image/0", "pictures/image/1"]
    assert [(s.step, s.value) for s in acc.Scalars("loss")] == [(0, 0.25), (1, 0.25), (2, 0.25)]
    assert acc.Histograms("weights")[0].histogram_value.num == 5
    assert acc.Images("pictures/image/1")[0].width == 3
    graph = acc.Graph()
    assert isinstance(graph, graph_pb2.GraphDef)
    nodes = {n.name: n for n in graph.node}
    assert nodes["x"].op == "Placeholder"
    assert nodes["loss"].op == "ScalarSummary" and list(nodes["loss"].input) == ["Const"]
    assert nodes["loss"].attr["tag"].s == b"loss"
    assert nodes["x"].attr["_output_shapes"].list.shape[0].dim[0].size == -1


def test_graph_def_control_inputs_and_attrs(tmp_path):
    pb = pytest.importorskip("tensorboard.compat.proto.graph_pb2",
                             reason="tensorboard is not installed (pip install tensorboard)")
    a = tf.constant([1.0, 2.0], name="a")
    with tf.control_dependencies([a]):
        b = tf.identity(tf.constant(3.0, name="c"), name="b")
    graph = pb.GraphDef.FromString(events.graph_def_bytes(tf.get_default_graph()))
    nodes = {n.name: n for n in graph.node}
    assert list(nodes["b"].input) == ["c", "^a"]
    assert nodes["a"].attr["dtype"].type == 1
    assert np.frombuffer(nodes["a"].attr["value"].tensor.tensor_content, np.float32).tolist() == [1.0, 2.0]
    assert b is not None


def test_summary_names_tags_and_collections():
    s1 = tf.summary.scalar("loss", 1.0)
    s2 = tf.summary.scalar("loss", 2.0)
    s3 = tf.summary.scalar("bad name!", 3.0, collections=["mine"])
    assert (s1.op.name, s2.op.name) == ("loss", "loss_1")
    assert s3.op.name == "bad_name_"
    assert tf.get_collection(tf.GraphKeys.SUMMARIES) == [s1, s2]
    assert tf.get_collection("mine") == [s3]
    with tf.name_scope("train"):
        s4 = tf.summary.scalar("acc", 0.5, collections=[])
    with tf.Session() as sess:
        got = tf.summary.Summary.FromString(sess.run(s4))
    assert got.value[0].tag == "train/acc"
    assert s1.dtype is tf.string and s1.shape.ndims == 0
    assert tf.summary.merge_all("empty collection") is None


def test_summary_errors():
    with pytest.raises(ValueError, match="Shape must be rank 0 but is rank 1"):
        tf.summary.scalar("v", [1.0, 2.0])
    with pytest.raises(ValueError, match="Shape must be rank 4 but is rank 2"):
        tf.summary.image("im", np.zeros((2, 2), np.float32))
    with pytest.raises(ValueError, match="last dim 1, 3, or 4"):
        tf.summary.image("im", np.zeros((1, 2, 2, 5), np.float32))
    with pytest.raises(ValueError, match="Expected tensor .* to have dtype string, got float32"):
        tf.summary.text("t", 1.0)
    with pytest.raises(TypeError, match="DataType string not in list"):
        tf.summary.histogram("h", tf.constant("x"))
    nan = tf.placeholder(tf.float32, [None])
    h = tf.summary.histogram("h", nan)
    a = tf.summary.scalar("same", 1.0)
    b = tf.summary.scalar("same", 2.0)
    from numflow.framework.graph import get_default_graph
    dup = get_default_graph().create_op("MergeSummary", [a, a], {}, name="dup").outputs[0]
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="Nan in summary histogram for: h"):
            sess.run(h, {nan: [1.0, np.nan]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="Duplicate tag same found in summary inputs"):
            sess.run(dup)
        merged = tf.Session().run(tf.summary.merge([a, b]))
    assert [v.tag for v in tf.summary.Summary.FromString(merged).value] == ["same", "same_1"]


def test_file_writer_api(tmp_path):
    writer = tf.summary.FileWriter(str(tmp_path / "logs"), max_queue=100, flush_secs=1000,
                                   filename_suffix=".v1")
    assert writer.get_logdir() == str(tmp_path / "logs")
    assert writer.event_file.endswith(".v1")
    summary = tf.summary.Summary(value=[tf.summary.Summary.Value(tag="manual", simple_value=2.5)])
    writer.add_summary(summary, 10)
    writer.add_summary(summary.SerializeToString(), np.int64(11))
    writer.add_session_log(tf.summary.SessionLog(status=tf.summary.SessionLog.START), 12)
    writer.flush()
    evs = list(tf.summary.summary_iterator(writer.event_file))
    assert [(e.step, e.WhichOneof("what")) for e in evs] == [(0, "file_version"), (10, "summary"),
                                                             (11, "summary"), (12, "session_log")]
    writer.close()
    writer.add_summary(summary, 13)     # dropped after close, as TF does
    assert len(list(tf.summary.summary_iterator(writer.event_file))) == 4
    with pytest.raises(TypeError, match="add_summary expects a Summary or its serialized bytes"):
        writer.add_summary(3.0)
    with pytest.raises(ValueError, match="could not parse the serialized Summary"):
        writer.add_summary(b"\xff\xff\xff")
    with tf.summary.FileWriter(str(tmp_path / "ctx")) as second:
        second.add_summary(summary, 1)
    assert len(list(tf.summary.summary_iterator(second.event_file))) == 2


def test_corrupted_event_file_is_data_loss(tmp_path):
    writer = tf.summary.FileWriter(str(tmp_path))
    writer.add_summary(tf.summary.Summary(value=[tf.summary.Summary.Value(tag="t", simple_value=1.0)]), 1)
    writer.close()
    path = _event_file(tmp_path)
    data = bytearray(open(path, "rb").read())
    data[-6] ^= 0xFF
    open(path, "wb").write(bytes(data))
    with pytest.raises(tf.errors.DataLossError, match=r"corrupted record 1 .*events\.out\.tfevents"):
        list(tf.summary.summary_iterator(path))


def test_uint8_and_rgba_images_and_png():
    from numflow.summary import encode_png
    rgba = np.random.default_rng(0).integers(0, 256, (5, 7, 4), dtype=np.uint8)
    np.testing.assert_array_equal(_decode_png(encode_png(rgba)), rgba)
    x = tf.constant(np.stack([rgba, rgba]))
    s = tf.summary.image("rgba", x, max_outputs=1)
    signed = tf.summary.image("signed", tf.constant(np.array([-1.0, 0.0, 0.5, np.inf], np.float32)
                                                   .reshape(1, 2, 2, 1)), max_outputs=1)
    with tf.Session() as sess:
        value = tf.summary.Summary.FromString(sess.run(s)).value
        assert [v.tag for v in value] == ["rgba/image"]
        np.testing.assert_array_equal(_decode_png(value[0].image.encoded_image_string), rgba)
        pixels = _decode_png(tf.summary.Summary.FromString(sess.run(signed)).value[0].image.encoded_image_string)
    assert pixels.reshape(-1).tolist() == [1, 128, 191, 255]


def _three_event_file(tmp_path):
    writer = tf.summary.FileWriter(str(tmp_path))
    for step in (1, 2):
        writer.add_summary(tf.summary.Summary(value=[tf.summary.Summary.Value(tag="t", simple_value=step)]), step)
    writer.close()
    return _event_file(tmp_path)


def test_summary_iterator_stops_at_an_incomplete_last_record(tmp_path):
    path = _three_event_file(tmp_path)
    data = open(path, "rb").read()
    records = list(events.read_records(path))
    complete = sum(len(events.encode_record(record)) for record in records[:-1])
    assert len(data) - complete == len(events.encode_record(records[-1]))
    for cut in range(complete + 1, len(data)):      # the last record cut anywhere: header, data or footer
        with open(path, "wb") as handle:
            handle.write(data[:cut])
        steps = [event.step for event in tf.summary.summary_iterator(path)]
        assert steps == [0, 1], cut
    with open(path, "wb") as handle:
        handle.write(data)
    assert [event.step for event in tf.summary.summary_iterator(path)] == [0, 1, 2]
    # A complete record with a bad checksum is still data loss, as in TensorFlow.
    with open(path, "wb") as handle:
        handle.write(data[:complete + 14] + bytes([data[complete + 14] ^ 1]) + data[complete + 15:])
    with pytest.raises(tf.errors.DataLossError, match=r"corrupted record 2 .*events\.out\.tfevents.*data checksum"):
        list(tf.summary.summary_iterator(path))


def test_summary_iterator_record_with_a_wrong_wire_type_is_data_loss(tmp_path):
    path = str(tmp_path / "events.out.tfevents.1.bad")
    # Event.wall_time (field 1, a double) sent as a varint; Summary.Value.simple_value (float) as a varint;
    # a histogram's packed bucket limits (doubles) as a varint.
    value = wire.Writer().string(1, "t").varint(2, 5).getvalue()
    histogram = wire.Writer().varint(6, 3).getvalue()
    bad_records = [wire.Writer().varint(1, 7).getvalue(),
                   wire.Writer().message(5, wire.Writer().message(1, value)).getvalue(),
                   wire.Writer().message(5, wire.Writer().message(1, wire.Writer().string(1, "h").message(5, histogram)
                                                                   .getvalue())).getvalue()]
    for record in bad_records:
        with open(path, "wb") as handle:
            handle.write(events.encode_record(tf.Event(step=1).SerializeToString()) + events.encode_record(record))
        with pytest.raises(tf.errors.DataLossError, match=r"unparseable Event record in .*tfevents\.1\.bad: .*varint"):
            list(tf.summary.summary_iterator(path))
