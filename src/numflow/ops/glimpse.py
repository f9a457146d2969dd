"""`tf.image.extract_glimpse`: fixed-size windows cut from each image of a batch at given offsets, the part
outside the image filled with noise.

TF1's ExtractGlimpse geometry: an offset (y, x) is scaled by the image's height and width when `normalized`,
and is relative to the image's centre when `centered` ((y, x) then runs over [-1, 1] normalized); the
window's top-left corner is the offset minus half the window, truncated toward zero (in float32, as TF).
Noise outside the image: 'uniform' over [min, max] of the whole image, 'gaussian' with each channel's mean
and standard deviation clipped to its [min, max], or 'zero'.
"""
import numpy as np

from ..framework import dtypes, errors
from ..framework.graph import convert_to_tensor, name_scope
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape
from .common import make_tensor

__all__ = ["extract_glimpse"]

_NOISES = ("uniform", "gaussian", "zero")


def _window_origin(offset, image_size, window_size, centered, normalized):
    """The integer top-left coordinate of a window along one axis (float32 arithmetic, like TF's kernel)."""
    position = np.float32(offset)
    if normalized:
        position = position * np.float32(image_size)
    if centered:
        position = position / np.float32(2.0) + np.float32(image_size) / np.float32(2.0)
    position = position - np.float32(window_size) / np.float32(2.0)
    return int(position)            # truncation toward zero


def _noise(rng, image, shape, kind):
    if kind == "zero":
        return np.zeros(shape, np.float32)
    if kind == "uniform":
        return rng.uniform(image.min(), image.max(), size=shape).astype(np.float32)
    flat = image.reshape(-1, image.shape[-1])
    mean, std = flat.mean(axis=0), flat.std(axis=0)
    return np.clip(rng.normal(mean, std, size=shape), flat.min(axis=0), flat.max(axis=0)).astype(np.float32)


@register
class ExtractGlimpse(OpDef):
    """(input float32 [batch, height, width, channels], size int32 [2], offsets float32 [batch, 2]) ->
    float32 [batch, size[0], size[1], channels]; attrs centered, normalized, uniform_noise, noise."""

    host_only = True     # per-glimpse windows and noise drawn with the host random generator
    stateful = True            # the noise is a fresh draw at every run
    differentiable = False     # TF registers no gradient for ExtractGlimpse

    def infer(self, op):
        images, size, offsets = op.inputs
        if images.dtype is not dtypes.float32 or offsets.dtype is not dtypes.float32:
            raise TypeError("ExtractGlimpse takes float32 input and offsets, got %s and %s"
                            % (images.dtype.name, offsets.dtype.name))
        if size.dtype is not dtypes.int32:
            raise TypeError("ExtractGlimpse's size must be int32, got %s" % size.dtype.name)
        if images.shape.ndims not in (None, 4):
            raise ValueError("input must be 4-dimensional [batch, height, width, channels], got shape %s"
                             % images.shape)
        if offsets.shape.ndims not in (None, 2) or (offsets.shape.ndims == 2 and offsets.shape[1].value not in
                                                     (None, 2)):
            raise ValueError("offsets must be a [batch, 2] matrix, got shape %s" % offsets.shape)
        window = [None, None]
        if size.op.type == "Const":
            values = np.reshape(size.op.attrs["value"], [-1])
            if values.shape != (2,):
                raise ValueError("size must be a vector of 2 elements, got %s" % list(values))
            window = [int(v) for v in values]
        batch = images.shape[0] if images.shape.ndims == 4 else None
        channels = images.shape[3] if images.shape.ndims == 4 else None
        return [(dtypes.float32, TensorShape([batch, window[0], window[1], channels]))]

    def kernel(self, op, ctx):
        rng = ctx.random_generator(op)
        centered, normalized = op.attrs["centered"], op.attrs["normalized"]
        noise = op.attrs["noise"]

        def extract(images, size, offsets):
            size = np.reshape(size, [-1])
            if size.shape != (2,) or (size <= 0).any():
                raise errors.InvalidArgumentError(None, op, "size must be a vector of 2 positive elements, got %s"
                                                  % list(size))
            if offsets.shape != (images.shape[0], 2):
                raise errors.InvalidArgumentError(
                    None, op, "offsets must be a [batch, 2] matrix with batch %d, got shape %s"
                    % (images.shape[0], list(offsets.shape)))
            window_h, window_w = int(size[0]), int(size[1])
            batch, height, width, channels = images.shape
            out = np.empty([batch, window_h, window_w, channels], np.float32)
            for b in range(batch):
                top = _window_origin(offsets[b, 0], height, window_h, centered, normalized)
                left = _window_origin(offsets[b, 1], width, window_w, centered, normalized)
                out[b] = _noise(rng, images[b], [window_h, window_w, channels], noise)
                rows = slice(max(top, 0), min(top + window_h, height))
                cols = slice(max(left, 0), min(left + window_w, width))
                if rows.start < rows.stop and cols.start < cols.stop:
                    out[b, rows.start - top:rows.stop - top, cols.start - left:cols.stop - left] = images[b, rows, cols]
            return out
        return extract


def extract_glimpse(input, size, offsets, centered=True, normalized=True, uniform_noise=True,  # noqa: A002
                    name=None, noise=None):
    """`tf.image.extract_glimpse(input, size, offsets, centered=True, normalized=True, uniform_noise=True)`:
    float32 [batch, size[0], size[1], channels] windows of `input` [batch, height, width, channels] at the
    [batch, 2] (y, x) `offsets`. Offsets are relative to the centre when `centered` (in [-1, 1] when also
    `normalized`), to the top-left corner otherwise, and in pixels unless `normalized`. Window pixels outside
    the image are noise: uniform over the image's range when `uniform_noise`, else Gaussian with each
    channel's mean and deviation, as TF1 documents (`noise` = 'uniform', 'gaussian' or 'zero' chooses
    explicitly, TF 2's argument; TF 2's kernel ignores uniform_noise=False when `noise` is left at its
    default)."""
    if noise is None:
        noise = "uniform" if uniform_noise else "gaussian"
    elif uniform_noise and noise != "uniform":
        raise ValueError("The uniform_noise and noise should not be specified at the same time: pass "
                         "uniform_noise=False with noise=%r" % (noise,))
    if noise not in _NOISES:
        raise ValueError("noise must be one of %s, got %r" % (list(_NOISES), noise))
    with name_scope(name, "ExtractGlimpse", [input, size, offsets]) as scope:
        images = convert_to_tensor(input, dtype=dtypes.float32, name="input")
        size = convert_to_tensor(size, dtype=dtypes.int32, name="size")
        offsets = convert_to_tensor(offsets, dtype=dtypes.float32, name="offsets")
        return make_tensor("ExtractGlimpse", [images, size, offsets],
                           {"centered": bool(centered), "normalized": bool(normalized),
                            "uniform_noise": bool(uniform_noise), "noise": noise}, name=scope)
