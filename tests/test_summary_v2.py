"""tf.contrib.summary (TF 1.x's V2-style summaries in graph mode), tf.summary.all_v2_summary_ops/initialize:
events written through per-Session writers, read back with tf.train.summary_iterator."""
import glob
import io
import os
import wave

import numpy as np
import pytest

import numflow as tf
from numflow.io.proto import SummaryMetadata, TensorProto

summary_v2 = tf.contrib.summary


@pytest.fixture(autouse=True)
def _fresh_graph():
    with tf.Graph().as_default():
        yield


def _event_files(logdir):
    return sorted(glob.glob(os.path.join(str(logdir), "events.out.tfevents.*")))


def _events(logdir):
    files = _event_files(logdir)
    assert len(files) == 1, files
    return list(tf.train.summary_iterator(files[0]))


def _values(logdir):
    """(step, tag, value proto) of every summary value in the logdir's one event file."""
    return [(e.step, v.tag, v) for e in _events(logdir) for v in e.summary.value]


def _run_steps(fetches, steps, writer):
    """Runs `fetches` then increments the global step, `steps` times; returns the fetched values."""
    increment = tf.assign_add(tf.train.get_or_create_global_step(), 1)
    results = []
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(writer.init())
        for _ in range(steps):
            results.append(sess.run(fetches))
            sess.run(increment)
        sess.run(writer.flush())
    return results


def test_scalar_written_at_each_global_step(tmp_path):
    step = tf.train.get_or_create_global_step()
    writer = summary_v2.create_file_writer(str(tmp_path))
    with writer.as_default(), summary_v2.always_record_summaries():
        written = summary_v2.scalar("loss", tf.cast(step, tf.float32) * 1.5)
    assert written.dtype is tf.bool
    assert _run_steps(written, 3, writer) == [True, True, True]
    files = _event_files(tmp_path)
    assert len(files) == 1 and files[0].endswith(".v2")
    events = _events(tmp_path)
    assert events[0].file_version == "brain.Event:2"
    assert [(s, tag, v.simple_value) for s, tag, v in _values(tmp_path)] == [(0, "loss", 0.0), (1, "loss", 1.5),
                                                                              (2, "loss", 3.0)]


def test_record_every_n_global_steps_writes_only_those_steps(tmp_path):
    step = tf.train.get_or_create_global_step()
    writer = summary_v2.create_file_writer(str(tmp_path), filename_suffix=".mine")
    with writer.as_default(), summary_v2.record_summaries_every_n_global_steps(3):
        written = summary_v2.scalar("x", tf.cast(step, tf.float32))
    assert _run_steps(written, 7, writer) == [True, False, False, True, False, False, True]
    assert _event_files(tmp_path)[0].endswith(".mine")
    assert [(s, v.simple_value) for s, _, v in _values(tmp_path)] == [(0, 0.0), (3, 3.0), (6, 6.0)]


def test_record_every_n_with_its_own_step_counter_skips_the_summary_computation(tmp_path):
    counter = tf.Variable(0, dtype=tf.int64, name="counter")
    writer = summary_v2.create_file_writer(str(tmp_path))
    with writer.as_default(), summary_v2.record_summaries_every_n_global_steps(2, global_step=counter):
        # NaN at odd steps: HistogramSummary would fail there if the not-recording branch computed it.
        values = tf.cond(tf.equal(counter % 2, 0), lambda: tf.constant([1.0, 2.0]),
                         lambda: tf.constant([np.nan, 1.0]))
        written = summary_v2.histogram("weights", values, step=counter)
    increment = tf.assign_add(counter, 1)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(summary_v2.summary_writer_initializer_op())
        got = []
        for _ in range(4):
            got.append(sess.run(written))
            sess.run(increment)
    assert got == [True, False, True, False]
    histos = [(s, v.histo) for s, _, v in _values(tmp_path)]
    assert [s for s, _ in histos] == [0, 2]
    assert all(h.num == 2.0 and h.sum == 3.0 and h.min == 1.0 and h.max == 2.0 for _, h in histos)


def test_never_record_writes_nothing(tmp_path):
    writer = summary_v2.create_file_writer(str(tmp_path))
    with writer.as_default(), summary_v2.always_record_summaries():
        with summary_v2.never_record_summaries():
            skipped = summary_v2.scalar("skipped", 1.0, step=0)
            assert summary_v2.should_record_summaries() is False
        recorded = summary_v2.scalar("recorded", 2.0, step=0)
        assert summary_v2.should_record_summaries() is True
    assert summary_v2.should_record_summaries() is False
    with tf.Session() as sess:
        sess.run(writer.init())
        assert not sess.run(skipped)
        assert sess.run(recorded)
    # Closing the Session closed (and flushed) the writer.
    assert [tag for _, tag, _ in _values(tmp_path)] == ["recorded"]


def test_outside_any_recording_context_nothing_is_written(tmp_path):
    writer = summary_v2.create_file_writer(str(tmp_path))
    with writer.as_default():
        written = summary_v2.scalar("x", 1.0, step=0)
    with tf.Session() as sess:
        sess.run(writer.init())
        assert not sess.run(written)
    assert _values(tmp_path) == []


def test_without_a_default_writer_summary_ops_are_no_ops():
    with summary_v2.always_record_summaries():
        op = summary_v2.scalar("x", 1.0, step=0)
    assert isinstance(op, tf.Operation) and op.type == "NoOp"
    assert tf.summary.all_v2_summary_ops() == []
    assert summary_v2.flush().type == "NoOp"
    assert summary_v2.graph(tf.constant(b"")).type == "NoOp"


def test_logdir_none_writer_does_nothing():
    writer = summary_v2.create_file_writer(None)
    assert writer.init() is None
    with writer.as_default(), summary_v2.always_record_summaries():
        assert summary_v2.scalar("x", 1.0, step=0).type == "NoOp"
    assert writer.flush().type == "NoOp"
    assert summary_v2.summary_writer_initializer_op() == []


def test_all_v2_summary_ops_and_initializer_collections(tmp_path):
    first = summary_v2.create_file_writer(str(tmp_path / "a"))
    second = summary_v2.create_file_writer(str(tmp_path / "b"))
    assert summary_v2.summary_writer_initializer_op() == [first.init(), second.init()]
    with first.as_default(), summary_v2.always_record_summaries():
        ops = [summary_v2.scalar("a", 1.0, step=0), summary_v2.histogram("b", [1.0], step=0)]
    assert tf.summary.all_v2_summary_ops() == ops == summary_v2.all_summary_ops()
    assert tf.get_collection("_SUMMARY_V2") == ops


def test_family_name_scope_and_explicit_step(tmp_path):
    writer = summary_v2.create_file_writer(str(tmp_path))
    with writer.as_default(), summary_v2.always_record_summaries(), tf.name_scope("train"):
        summary_v2.scalar("loss", 2.0, family="losses", step=tf.constant(7))
        summary_v2.scalar("acc", 0.5, step=9)
    with tf.Session() as sess:
        with writer.as_default():
            tf.summary.initialize(session=sess)
        sess.run(summary_v2.all_summary_ops())
    got = sorted((s, tag, v.simple_value) for s, tag, v in _values(tmp_path))
    assert got == [(7, "losses/train/losses/loss", 2.0), (9, "train/acc", 0.5)]


def test_image_audio_text_generic_values(tmp_path):
    writer = summary_v2.create_file_writer(str(tmp_path))
    images = np.zeros((2, 3, 4, 3), np.uint8)
    images[1, 0, 0] = [255, 0, 0]
    clips = np.linspace(-1, 1, 2 * 50, dtype=np.float32).reshape(2, 50)
    metadata = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="custom"))
    with writer.as_default(), summary_v2.always_record_summaries():
        summary_v2.image("pics", images, max_images=1, step=1)
        summary_v2.audio("sound", clips, 8000, 2, step=2)
        summary_v2.text("note", tf.constant("hello"), step=3)
        summary_v2.generic("raw", tf.constant([[1.0, 2.0]], tf.float32), metadata=metadata, step=4)
    with tf.Session() as sess:
        sess.run(writer.init())
        assert sess.run(summary_v2.all_summary_ops()) == [True] * 4
        sess.run(writer.close())
    values = {tag: (s, v) for s, tag, v in _values(tmp_path)}
    assert sorted(values) == ["note", "pics/image", "raw", "sound/audio/0", "sound/audio/1"]
    step, pic = values["pics/image"]
    assert step == 1 and (pic.image.height, pic.image.width, pic.image.colorspace) == (3, 4, 3)
    from PIL import Image
    decoded = np.asarray(Image.open(io.BytesIO(pic.image.encoded_image_string)))
    np.testing.assert_array_equal(decoded, images[0])
    step, sound = values["sound/audio/1"]
    assert step == 2 and sound.audio.sample_rate == 8000.0
    with wave.open(io.BytesIO(sound.audio.encoded_audio_string)) as clip:
        pcm = np.frombuffer(clip.readframes(50), "<i2")
    np.testing.assert_array_equal(pcm, np.round(clips[1] * 32767).astype(np.int16))
    step, note = values["note"]
    assert step == 3 and note.tensor.string_val == [b"hello"] and note.metadata.plugin_data.plugin_name == "text"
    step, raw = values["raw"]
    assert step == 4 and raw.metadata.plugin_data.plugin_name == "custom"
    assert isinstance(raw.tensor, TensorProto)
    np.testing.assert_array_equal(np.frombuffer(raw.tensor.tensor_content, "<f4"), [1.0, 2.0])
    assert [d.size for d in raw.tensor.tensor_shape.dim] == [1, 2]


def test_initialize_writes_the_graph_and_graph_op(tmp_path):
    writer = summary_v2.create_file_writer(str(tmp_path))
    tf.constant(3.0, name="three")
    serialized = tf.placeholder(tf.string, [])
    with writer.as_default():
        graph_op = summary_v2.graph(serialized, step=5)
        with tf.Session() as sess:
            tf.summary.initialize(graph=tf.get_default_graph())
            sess.run(graph_op, {serialized: b"not checked"})
            sess.run(summary_v2.flush())
    graph_events = [e for e in _events(tmp_path) if e.graph_def]
    assert [e.step for e in graph_events] == [0, 5]
    from numflow.framework.graph_def import parse_graph_def
    assert "three" in [node.name for node in parse_graph_def(graph_events[0].graph_def).node]
    assert graph_events[1].graph_def == b"not checked"


def test_close_then_init_opens_a_new_file(tmp_path):
    writer = summary_v2.create_file_writer(str(tmp_path))
    with writer.as_default(), summary_v2.always_record_summaries():
        written = summary_v2.scalar("x", 1.0, step=0)
    with tf.Session() as sess:
        sess.run(writer.init())
        sess.run(written)
        sess.run(writer.close())
        with pytest.raises(tf.errors.FailedPreconditionError, match="is not initialized in this Session"):
            sess.run(written)
        sess.run(writer.init())
        sess.run(writer.init())          # already open: no new file
    assert len(_event_files(tmp_path)) == 2     # the second init after close opened a new file
    tags = [v.tag for f in _event_files(tmp_path) for e in tf.train.summary_iterator(f) for v in e.summary.value]
    assert tags == ["x"]


def test_errors(tmp_path):
    writer = summary_v2.create_file_writer(str(tmp_path))
    with writer.as_default(), summary_v2.always_record_summaries():
        written = summary_v2.scalar("x", 1.0, step=0)
        with pytest.raises(TypeError, match="needs a tf.Tensor"):
            summary_v2.graph(b"bytes")
        with pytest.raises(NotImplementedError, match="bad_color is not supported"):
            summary_v2.image("i", np.zeros((1, 2, 2, 3), np.uint8), bad_color=[0, 0, 0, 255])
        with pytest.raises(ValueError, match="max_images must be positive"):
            summary_v2.image("i", np.zeros((1, 2, 2, 3), np.uint8), max_images=0)
        with pytest.raises(TypeError, match="metadata must be a SummaryMetadata"):
            summary_v2.generic("g", 1.0, metadata=42)
        with pytest.raises(ValueError, match="Expected tensor .* to have dtype string"):
            summary_v2.text("t", 1.0)
    with pytest.raises(ValueError, match="logdir of CreateSummaryFileWriter must be a scalar"):
        summary_v2.create_file_writer(tf.constant(["a", "b"]))
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError, match="summary writer .* is not initialized"):
            sess.run(written)
    with pytest.raises(RuntimeError, match="No default tf.contrib.summary.SummaryWriter found"):
        tf.summary.initialize(session=None)
    with writer.as_default():
        with pytest.raises(ValueError, match="session must be passed if no default session exists"):
            tf.summary.initialize()


def test_unwritable_logdir_is_not_found_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_bytes(b"")
    writer = summary_v2.create_file_writer(str(blocker / "sub"))
    with tf.Session() as sess:
        with pytest.raises(tf.errors.NotFoundError, match="Could not create the summary event file"):
            sess.run(writer.init())


def test_eval_dir():
    assert summary_v2.eval_dir("/m") == os.path.join("/m", "eval")
    assert summary_v2.eval_dir("/m", "x") == os.path.join("/m", "eval_x")
