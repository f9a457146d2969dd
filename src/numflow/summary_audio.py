"""`tf.summary.audio`: clips of a [batch, frames(, channels)] float tensor as 16-bit PCM WAV files in a
Summary, as TensorBoard's audio dashboard reads them; and the SummaryDescription message."""
import io
import wave

import numpy as np

from .framework import dtypes, errors
from .framework.graph import convert_to_tensor
from .framework.op_def import register
from .io.proto import Message, Summary
from .summary import _SummaryOp, _make_summary_op, _string_scalar, _summary_scope

__all__ = ["audio", "encode_wav", "SummaryDescription"]


class SummaryDescription(Message):
    """`tf.summary.SummaryDescription(type_hint='')`: the protocol buffer describing a summary op's output
    (type_hint names the kind of summary, e.g. 'scalar')."""

    FIELDS = {"type_hint": (1, "string", False)}


def encode_wav(samples, sample_rate):
    """[frames, channels] floats in [-1, 1] (clipped) as the bytes of a 16-bit PCM WAV file."""
    pcm = np.round(np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(pcm.shape[1])
        out.setsampwidth(2)
        out.setframerate(int(round(sample_rate)))
        out.writeframes(pcm.tobytes())
    return buffer.getvalue()


@register
class AudioSummaryV2(_SummaryOp):
    """A Summary with up to `max_outputs` WAV clips of a [batch, frames, channels] (or [batch, frames])
    float32 tensor at `sample_rate` Hz."""

    def infer(self, op):
        tensor, sample_rate = op.inputs
        if tensor.dtype is not dtypes.float32:
            raise TypeError("Value passed to parameter 'tensor' has DataType %s not in list of allowed values: "
                            "float32" % tensor.dtype.name)
        if tensor.shape.ndims is not None and tensor.shape.ndims not in (2, 3):
            raise ValueError("Shape must be rank 2 or 3 ([batch, frames(, channels)]), got %s" % tensor.shape)
        if sample_rate.shape.ndims not in (None, 0):
            raise ValueError("sample_rate must be a scalar, got shape %s" % sample_rate.shape)
        return super().infer(op)

    def kernel(self, op, ctx):
        tag, max_outputs = op.attrs["tag"], op.attrs["max_outputs"]

        def run(clips, sample_rate):
            clips = np.asarray(clips)
            rate = float(sample_rate)
            if rate <= 0:
                raise errors.InvalidArgumentError(None, op, "sample_rate must be positive, got %g (tag '%s')"
                                                  % (rate, tag))
            if clips.ndim == 2:
                clips = clips[:, :, None]
            values = []
            for i in range(min(clips.shape[0], max_outputs)):
                value_tag = "%s/audio/%d" % (tag, i) if max_outputs > 1 else "%s/audio" % tag
                values.append(Summary.Value(tag=value_tag, audio=Summary.Audio(
                    sample_rate=rate, num_channels=clips.shape[2], length_frames=clips.shape[1],
                    encoded_audio_string=encode_wav(clips[i], rate), content_type="audio/wav")))
            return _string_scalar(Summary(value=values).SerializeToString())
        return run


def audio(name, tensor, sample_rate, max_outputs=3, collections=None, family=None):
    """`tf.summary.audio(name, tensor, sample_rate, max_outputs=3)`: a Summary of up to max_outputs audio
    clips from a float32 [batch, frames, channels] (or [batch, frames]) tensor of samples in [-1, 1],
    encoded as 16-bit WAV at sample_rate Hz; tags 'name/audio/i' ('name/audio' when max_outputs is 1)."""
    if int(max_outputs) < 1:
        raise ValueError("max_outputs must be positive, got %r" % (max_outputs,))
    with _summary_scope(name, family) as (tag, scope):
        tensor = convert_to_tensor(tensor, name="tensor")
        rate = convert_to_tensor(sample_rate, dtype=dtypes.float32, name="sample_rate")
        return _make_summary_op("AudioSummaryV2", [tensor, rate], {"tag": tag, "max_outputs": int(max_outputs)},
                                scope, collections)
