"""tf.summary.audio (summary_audio.py): WAV clips in a Summary, read back with the standard library."""
import io
import wave

import numpy as np
import pytest

import numflow as tf


def clips_of(serialized):
    summary = tf.Summary.FromString(serialized)
    out = []
    for value in summary.value:
        with wave.open(io.BytesIO(value.audio.encoded_audio_string), "rb") as clip:
            frames = np.frombuffer(clip.readframes(clip.getnframes()), "<i2").reshape(-1, clip.getnchannels())
            out.append((value.tag, value.audio, clip.getframerate(), frames))
    return out


def test_audio_summary_encodes_wav_clips():
    samples = np.stack([np.sin(np.linspace(0, 6, 50)), np.linspace(-1.5, 1.5, 50)], axis=-1)[None]
    samples = np.concatenate([samples, -samples, samples * 0], axis=0).astype(np.float32)   # [3, 50, 2]
    summary = tf.summary.audio("sound", samples, 8000, max_outputs=2)
    assert summary.dtype == tf.string and summary in tf.get_collection(tf.GraphKeys.SUMMARIES)
    clips = clips_of(tf.Session().run(summary))
    assert [c[0] for c in clips] == ["sound/audio/0", "sound/audio/1"]
    tag, proto, rate, frames = clips[0]
    assert rate == 8000 and proto.sample_rate == 8000 and proto.num_channels == 2 and proto.length_frames == 50
    assert proto.content_type == "audio/wav"
    expected = np.round(np.clip(samples[0], -1, 1) * 32767).astype(np.int16)
    np.testing.assert_array_equal(frames, expected)
    np.testing.assert_array_equal(clips[1][3], np.round(np.clip(samples[1], -1, 1) * 32767).astype(np.int16))


def test_audio_summary_mono_single_output_and_errors():
    mono = np.zeros((1, 10), np.float32)
    clips = clips_of(tf.Session().run(tf.summary.audio("m", mono, 16000.0, max_outputs=1)))
    assert clips[0][0] == "m/audio" and clips[0][1].num_channels == 1 and clips[0][3].shape == (10, 1)
    with pytest.raises(TypeError, match="DataType float64 not in list of allowed values: float32"):
        tf.summary.audio("x", mono.astype(np.float64), 8000)
    with pytest.raises(ValueError, match="max_outputs must be positive"):
        tf.summary.audio("x", mono, 8000, max_outputs=0)
    rate = tf.placeholder(tf.float32, [])
    with pytest.raises(tf.errors.InvalidArgumentError, match="sample_rate must be positive"):
        tf.Session().run(tf.summary.audio("x", mono, rate), {rate: 0.0})


def test_audio_summary_graph_def_round_trip():
    from numflow.framework.graph_def import graph_to_graph_def
    graph = tf.Graph()
    with graph.as_default():
        summary = tf.summary.audio("snd", np.linspace(-1, 1, 12, dtype=np.float32).reshape(2, 6), 4000, max_outputs=2)
    with tf.Session(graph=graph) as sess:
        expected = sess.run(summary)
    graph_def = graph_to_graph_def(graph)
    assert "AudioSummaryV2" in {node.op for node in graph_def.node}
    imported = tf.Graph()
    with imported.as_default():
        tf.import_graph_def(graph_def, name="")
    with tf.Session(graph=imported) as sess:
        assert sess.run(summary.name) == expected


def test_summary_description_message_round_trips():
    description = tf.summary.SummaryDescription(type_hint="audio")
    assert tf.summary.SummaryDescription.FromString(description.SerializeToString()).type_hint == "audio"
