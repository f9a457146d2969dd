"""`tf.signal`: the FFT family (`fft`/`ifft` in 1-3 dimensions, `rfft`/`irfft` with `fft_length`), with
gradients, and what TF builds from them: `frame`, `overlap_and_add`, `stft`/`inverse_stft`, the windows,
`dct`/`idct` (types 1-3), `fftshift`/`ifftshift`, `linear_to_mel_weight_matrix` and
`mfccs_from_log_mel_spectrograms`.

Transforms act on the innermost 1, 2 or 3 axes. Complex gradients follow TF's convention: the gradient of
a real loss L with respect to z is dL/dRe(z) + 1j dL/dIm(z).
"""
import builtins
import math as _pymath

import numpy as np

from ..framework import dtypes
from ..framework.graph import convert_to_tensor, name_scope
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape, format_shape
from . import array as _array
from . import math as _math
from .common import check_dtype, make_tensor
from .segment_ops import unsorted_segment_sum
from .special_math import bessel_i0e, complex, imag, real

__all__ = ["fft", "ifft", "fft2d", "ifft2d", "fft3d", "ifft3d", "rfft", "irfft", "rfft2d", "irfft2d", "rfft3d",
           "irfft3d", "fftshift", "ifftshift", "frame", "overlap_and_add", "hann_window", "hamming_window",
           "kaiser_window", "kaiser_bessel_derived_window", "vorbis_window", "stft", "inverse_stft",
           "inverse_stft_window_fn", "dct", "idct", "linear_to_mel_weight_matrix",
           "mfccs_from_log_mel_spectrograms"]

_COMPLEX = (dtypes.complex64, dtypes.complex128)
_COMPLEX_OF = {dtypes.float32: dtypes.complex64, dtypes.float64: dtypes.complex128}
_REAL_OF = {dtypes.complex64: dtypes.float32, dtypes.complex128: dtypes.float64}


def _check_rank(x, rank, op_name):
    if x.shape.ndims is not None and x.shape.ndims < rank:
        raise ValueError("Shape must be at least rank %d but is rank %d for '%s' (input shape %s)"
                         % (rank, x.shape.ndims, op_name, format_shape(x.shape)))


# --- complex transforms ---------------------------------------------------------------------------
class _ComplexTransform(OpDef):
    """The (inverse) discrete Fourier transform over the innermost `rank` axes."""

    rank = 1
    inverse = False

    def infer(self, op):
        x = op.inputs[0]
        check_dtype(x, _COMPLEX, self.type)
        _check_rank(x, self.rank, self.type)
        return [(x.dtype, x.shape)]

    def kernel(self, op, ctx):
        axes = builtins.tuple(range(-self.rank, 0))
        transform = np.fft.ifftn if self.inverse else np.fft.fftn
        dtype = op.outputs[0].dtype.np
        return lambda x: transform(x, axes=axes).astype(dtype, copy=False)

    def grad(self, op, dy):
        # The adjoint of the DFT is N times its inverse.
        size = _math.cast(_transformed_size(op.inputs[0], self.rank), dy.dtype)
        partner = _COMPLEX_TRANSFORMS[(self.rank, not self.inverse)]
        result = partner(dy)
        return [result / size if self.inverse else result * size]


def _transformed_size(x, rank):
    """The number of elements in the innermost `rank` axes (a float64 scalar tensor)."""
    dims = _array.shape(x)[-rank:]
    return _math.cast(_math.reduce_prod(dims), dtypes.float64)


@register
class FFT(_ComplexTransform):
    """The 1-D DFT of the innermost axis."""


@register
class IFFT(_ComplexTransform):
    """The inverse 1-D DFT of the innermost axis."""

    inverse = True


@register
class FFT2D(_ComplexTransform):
    """The 2-D DFT of the innermost two axes."""

    rank = 2


@register
class IFFT2D(_ComplexTransform):
    """The inverse 2-D DFT of the innermost two axes."""

    rank, inverse = 2, True


@register
class FFT3D(_ComplexTransform):
    """The 3-D DFT of the innermost three axes."""

    rank = 3


@register
class IFFT3D(_ComplexTransform):
    """The inverse 3-D DFT of the innermost three axes."""

    rank, inverse = 3, True


def _complex_transform(op_type, x, name):
    return make_tensor(op_type, [convert_to_tensor(x, name="input")], name=name or op_type)


def fft(input, name=None):  # noqa: A002 - TF's argument name
    """`tf.signal.fft(input)`: the discrete Fourier transform of the innermost axis (complex64/128)."""
    return _complex_transform("FFT", input, name)


def ifft(input, name=None):  # noqa: A002
    """`tf.signal.ifft(input)`: the inverse DFT of the innermost axis (divided by its length)."""
    return _complex_transform("IFFT", input, name)


def fft2d(input, name=None):  # noqa: A002
    """`tf.signal.fft2d(input)`: the 2-D DFT of the innermost two axes."""
    return _complex_transform("FFT2D", input, name)


def ifft2d(input, name=None):  # noqa: A002
    """`tf.signal.ifft2d(input)`: the inverse 2-D DFT of the innermost two axes."""
    return _complex_transform("IFFT2D", input, name)


def fft3d(input, name=None):  # noqa: A002
    """`tf.signal.fft3d(input)`: the 3-D DFT of the innermost three axes."""
    return _complex_transform("FFT3D", input, name)


def ifft3d(input, name=None):  # noqa: A002
    """`tf.signal.ifft3d(input)`: the inverse 3-D DFT of the innermost three axes."""
    return _complex_transform("IFFT3D", input, name)


_COMPLEX_TRANSFORMS = {(1, False): fft, (1, True): ifft, (2, False): fft2d, (2, True): ifft2d,
                       (3, False): fft3d, (3, True): ifft3d}


# --- real transforms ------------------------------------------------------------------------------
def _fit_axes(x, lengths):
    """x cropped or zero-padded in its innermost len(lengths) axes to `lengths`."""
    rank = len(lengths)
    index = [builtins.slice(None)] * (x.ndim - rank) + [builtins.slice(0, n) for n in lengths]
    x = x[builtins.tuple(index)]
    padding = [(0, 0)] * (x.ndim - rank) + [(0, n - have) for n, have in zip(lengths, x.shape[-rank:])]
    if any(after for _, after in padding):
        x = np.pad(x, padding)
    return x


def _hermitian_weights(length, dtype):
    """How often each of the length//2 + 1 stored frequencies occurs in the full spectrum."""
    weights = np.full(length // 2 + 1, 2.0, dtype)
    weights[0] = 1.0
    if length % 2 == 0:
        weights[-1] = 1.0
    return weights


class _RealTransform(OpDef):
    """rfft (real -> half spectrum) or irfft (half spectrum -> real) over the innermost `rank` axes, the
    input cropped or zero-padded to fft_length first."""

    rank = 1
    inverse = False

    def infer(self, op):
        x, lengths = op.inputs
        if self.inverse:
            check_dtype(x, _COMPLEX, self.type)
            out_dtype = _REAL_OF[x.dtype]
        else:
            check_dtype(x, (dtypes.float32, dtypes.float64), self.type)
            out_dtype = _COMPLEX_OF[x.dtype]
        _check_rank(x, self.rank, self.type)
        if lengths.shape.ndims is not None and lengths.shape.as_list() not in ([self.rank], [None]):
            raise ValueError("fft_length must be a vector of %d elements for '%s', got shape %s"
                             % (self.rank, self.type, format_shape(lengths.shape)))
        known = _array._static_partial(lengths)
        if x.shape.ndims is None:
            return [(out_dtype, TensorShape(None))]
        known = known if known is not None else [None] * self.rank
        inner = list(known)
        if not self.inverse and inner[-1] is not None:
            inner[-1] = inner[-1] // 2 + 1
        return [(out_dtype, TensorShape(x.shape.as_list()[:-self.rank] + inner))]

    host_inputs = (1,)

    def kernel(self, op, ctx):
        rank, inverse = self.rank, self.inverse
        axes = builtins.tuple(range(-rank, 0))
        dtype = op.outputs[0].dtype.np

        def real_transform(x, lengths):
            lengths = [int(n) for n in lengths]
            if inverse:
                stored = lengths[:-1] + [lengths[-1] // 2 + 1]
                return np.fft.irfftn(_fit_axes(x, stored), s=lengths, axes=axes).astype(dtype, copy=False)
            return np.fft.rfftn(_fit_axes(x, lengths), axes=axes).astype(dtype, copy=False)
        return real_transform

    def grad(self, op, dy):
        x, lengths = op.inputs
        return [make_tensor("RealTransformGrad", [dy, x, lengths], {"rank": self.rank, "inverse": self.inverse}),
                None]


@register
class RFFT(_RealTransform):
    """The 1-D DFT of a real signal: the fft_length // 2 + 1 non-negative frequencies."""


@register
class IRFFT(_RealTransform):
    """The real signal of length fft_length whose half spectrum is the input."""

    inverse = True


@register
class RFFT2D(_RealTransform):
    """The 2-D DFT of a real signal over the innermost two axes (half spectrum in the last)."""

    rank = 2


@register
class IRFFT2D(_RealTransform):
    """The inverse of RFFT2D."""

    rank, inverse = 2, True


@register
class RFFT3D(_RealTransform):
    """The 3-D DFT of a real signal over the innermost three axes (half spectrum in the last)."""

    rank = 3


@register
class IRFFT3D(_RealTransform):
    """The inverse of RFFT3D."""

    rank, inverse = 3, True


@register
class RealTransformGrad(OpDef):
    """The gradient of rfft/irfft with respect to their input: dy mapped back by the adjoint transform
    and fitted to the input's shape."""

    differentiable = False

    def infer(self, op):
        dy, x, lengths = op.inputs
        return [(x.dtype, x.shape)]

    host_inputs = (2,)

    def kernel(self, op, ctx):
        rank, inverse = op.attrs["rank"], op.attrs["inverse"]
        axes = builtins.tuple(range(-rank, 0))
        dtype = op.outputs[0].dtype.np
        xp = ctx.xp

        def real_transform_grad(dy, x, lengths):
            lengths = [int(n) for n in lengths]
            total = float(np.prod(lengths))
            weights = xp.asarray(_hermitian_weights(lengths[-1], np.float64))
            if inverse:
                # dL/dY_k = c_k / N * FFT(g)_k over the stored half spectrum.
                grad = np.fft.rfftn(dy, s=lengths, axes=axes) * weights / total
                stored = lengths[:-1] + [lengths[-1] // 2 + 1]
                grad = _fit_axes(grad, stored)
            else:
                # dL/dx = Re(N * IDFT(g padded to the full spectrum with zeros)).
                full = _fit_axes(dy, lengths)
                grad = np.real(np.fft.ifftn(full, axes=axes)) * total
            return _fit_axes(grad, list(x.shape[-rank:])).astype(dtype, copy=False)
        return real_transform_grad


def _fft_length_tensor(x, fft_length, rank, inverse):
    if fft_length is None:
        x_shape = _array.shape(x)[-rank:]
        if inverse:     # irfft: the signal length the half spectrum came from
            return _array.concat([x_shape[:-1], _array.reshape(2 * (x_shape[-1] - 1), [1])], 0)
        return x_shape
    return _math.cast(_array._int_tensor(fft_length, "fft_length"), dtypes.int32)


def _real_transform(op_type, rank, x, fft_length, name, inverse):
    x = convert_to_tensor(x, name="input")
    if not inverse and x.dtype.is_integer:
        x = _math.cast(x, dtypes.float32)
    lengths = _fft_length_tensor(x, fft_length, rank, inverse)
    return make_tensor(op_type, [x, lengths], name=name or op_type)


def rfft(input_tensor, fft_length=None, name=None):
    """`tf.signal.rfft(input_tensor, fft_length=None)`: the DFT of a real signal over its innermost axis,
    cropped or zero-padded to fft_length first: the fft_length // 2 + 1 non-negative frequencies
    (float32 -> complex64, float64 -> complex128)."""
    return _real_transform("RFFT", 1, input_tensor, fft_length, name, False)


def irfft(input_tensor, fft_length=None, name=None):
    """`tf.signal.irfft(input_tensor, fft_length=None)`: the real signal of length fft_length (default
    2 * (inner - 1)) with the given half spectrum in the innermost axis."""
    return _real_transform("IRFFT", 1, input_tensor, fft_length, name, True)


def rfft2d(input_tensor, fft_length=None, name=None):
    """`tf.signal.rfft2d(input_tensor, fft_length=None)`: the 2-D DFT of a real signal over the innermost
    two axes (the last holding fft_length[-1] // 2 + 1 frequencies)."""
    return _real_transform("RFFT2D", 2, input_tensor, fft_length, name, False)


def irfft2d(input_tensor, fft_length=None, name=None):
    """`tf.signal.irfft2d(input_tensor, fft_length=None)`: the inverse of rfft2d."""
    return _real_transform("IRFFT2D", 2, input_tensor, fft_length, name, True)


def rfft3d(input_tensor, fft_length=None, name=None):
    """`tf.signal.rfft3d(input_tensor, fft_length=None)`: the 3-D DFT of a real signal over the innermost
    three axes."""
    return _real_transform("RFFT3D", 3, input_tensor, fft_length, name, False)


def irfft3d(input_tensor, fft_length=None, name=None):
    """`tf.signal.irfft3d(input_tensor, fft_length=None)`: the inverse of rfft3d."""
    return _real_transform("IRFFT3D", 3, input_tensor, fft_length, name, True)


# --- shifts ---------------------------------------------------------------------------------------
def _roll_axes(x, axes, shift_of):
    if axes is None:
        axes = list(range(x.shape.ndims))
    elif isinstance(axes, (int, np.integer)):
        axes = [int(axes)]
    for axis in axes:
        length = _array.shape(x)[axis]
        source = _math.floormod(_array.range(length) - shift_of(length), length)
        x = _array.gather(x, source, axis=axis % x.shape.ndims)
    return x


def fftshift(x, axes=None, name=None):
    """`tf.signal.fftshift(x, axes=None)`: moves the zero frequency to the centre (rolls each axis by
    floor(n / 2))."""
    with name_scope(name, "fftshift", [x]):
        return _roll_axes(convert_to_tensor(x, name="x"), axes, lambda n: n // 2)


def ifftshift(x, axes=None, name=None):
    """`tf.signal.ifftshift(x, axes=None)`: the inverse of fftshift (rolls each axis by -floor(n / 2))."""
    with name_scope(name, "ifftshift", [x]):
        return _roll_axes(convert_to_tensor(x, name="x"), axes, lambda n: -(n // 2))


# --- framing --------------------------------------------------------------------------------------
def frame(signal, frame_length, frame_step, pad_end=False, pad_value=0, axis=-1, name=None):
    """`tf.signal.frame(signal, frame_length, frame_step, pad_end=False, pad_value=0, axis=-1)`: the
    frames of frame_length samples starting every frame_step samples along `axis`, replacing that axis by
    [frames, frame_length]. Without pad_end only whole frames are kept; with it the signal is padded with
    pad_value so that every sample starts a frame's worth."""
    with name_scope(name, "frame", [signal, frame_length, frame_step, pad_value]):
        signal = convert_to_tensor(signal, name="signal")
        rank = signal.shape.ndims
        if rank is None or rank < 1:
            raise ValueError("frame needs a signal of known rank >= 1, got shape %s" % format_shape(signal.shape))
        axis = axis % rank
        frame_length = _math.cast(convert_to_tensor(frame_length, name="frame_length"), dtypes.int32)
        frame_step = _math.cast(convert_to_tensor(frame_step, name="frame_step"), dtypes.int32)
        length = _array.shape(signal)[axis]
        if pad_end:
            frames = -_math.floordiv(-length, frame_step)       # ceil(length / step)
            needed = _math.maximum((frames - 1) * frame_step + frame_length - length, 0)
            paddings = _array.stack([_array.stack([0, needed]) if i == axis else _array.stack([0, 0])
                                     for i in range(rank)])
            signal = _array.pad(signal, paddings, constant_values=pad_value)
        else:
            frames = _math.maximum(0, 1 + _math.floordiv(length - frame_length, frame_step))
        starts = _array.expand_dims(_array.range(frames) * frame_step, 1)
        positions = starts + _array.expand_dims(_array.range(frame_length), 0)
        return _array.gather(signal, positions, axis=axis)


def overlap_and_add(signal, frame_step, name=None):
    """`tf.signal.overlap_and_add(signal, frame_step)`: frames [..., frames, frame_length] added back
    together with their starts frame_step apart: [..., (frames - 1) * frame_step + frame_length]."""
    with name_scope(name, "overlap_and_add", [signal, frame_step]):
        signal = convert_to_tensor(signal, name="signal")
        rank = signal.shape.ndims
        if rank is None or rank < 2:
            raise ValueError("overlap_and_add needs a signal of rank >= 2, got shape %s"
                             % format_shape(signal.shape))
        frame_step = _math.cast(convert_to_tensor(frame_step, name="frame_step"), dtypes.int32)
        dims = _array.shape(signal)
        frames, frame_length = dims[-2], dims[-1]
        positions = _array.expand_dims(_array.range(frames) * frame_step, 1) + \
            _array.expand_dims(_array.range(frame_length), 0)
        output_length = (frames - 1) * frame_step + frame_length
        # Segment sums reduce the leading axes, so bring the frame axes to the front.
        moved = _array.transpose(signal, [rank - 2, rank - 1] + list(range(rank - 2)))
        summed = unsorted_segment_sum(moved, positions, output_length)
        return _array.transpose(summed, list(range(1, rank - 1)) + [0])


# --- windows --------------------------------------------------------------------------------------
def _cosine_window(window_length, periodic, dtype, a, b, name, default_name):
    with name_scope(name, default_name, [window_length]):
        dtype = dtypes.as_dtype(dtype)
        if not dtype.is_floating:
            raise ValueError("dtype must be a floating point type, got %s" % dtype.name)
        length = _math.cast(convert_to_tensor(window_length, name="window_length"), dtypes.int32)
        periodic = _math.cast(periodic, dtypes.int32) if not isinstance(periodic, builtins.bool) else int(periodic)
        # As TF computes it, `periodic` only lengthens the period of even-length windows.
        even = 1 - _math.floormod(length, 2)
        denominator = _math.cast(length + periodic * even - 1, dtype)
        n = _math.cast(_array.range(length), dtype)
        window = a - b * _math.cos(2.0 * np.pi * n / _math.maximum(denominator, 1.0))
        return _math.where(_math.equal(_array.fill(_array.reshape(length, [1]), length), 1),
                           _array.ones_like(window), window)


def hann_window(window_length, periodic=True, dtype=dtypes.float32, name=None):
    """`tf.signal.hann_window(window_length, periodic=True, dtype=tf.float32)`: 0.5 - 0.5 cos(2 pi n / N)
    with N = window_length when periodic and the length is even, else window_length - 1, as TF computes
    it ([1] for length 1)."""
    return _cosine_window(window_length, periodic, dtype, 0.5, 0.5, name, "hann_window")


def hamming_window(window_length, periodic=True, dtype=dtypes.float32, name=None):
    """`tf.signal.hamming_window(window_length, periodic=True, dtype=tf.float32)`: 0.54 - 0.46
    cos(2 pi n / N), N as for hann_window."""
    return _cosine_window(window_length, periodic, dtype, 0.54, 0.46, name, "hamming_window")


def kaiser_window(window_length, beta=12.0, dtype=dtypes.float32, name=None):
    """`tf.signal.kaiser_window(window_length, beta=12.0)`: I0(beta sqrt(1 - (2n / (N - 1) - 1)^2)) /
    I0(beta), the symmetric Kaiser window."""
    with name_scope(name, "kaiser_window", [window_length, beta]):
        dtype = dtypes.as_dtype(dtype)
        length = int(window_length)
        if length == 1:
            return _array.ones([1], dtype=dtype)
        beta = convert_to_tensor(beta, dtype=dtype, name="beta")
        n = _math.cast(_array.range(length), dtype)
        ratio = 2.0 * n / float(length - 1) - 1.0
        argument = beta * _math.sqrt(_math.maximum(1.0 - ratio * ratio, 0.0))
        # i0e(z) / i0e(beta) * exp(z - beta) keeps both Bessel values finite for large beta.
        return bessel_i0e(argument) / bessel_i0e(beta) * _math.exp(argument - beta)


def kaiser_bessel_derived_window(window_length, beta=12.0, dtype=dtypes.float32, name=None):
    """`tf.signal.kaiser_bessel_derived_window(window_length, beta=12.0)`: the KBD window (for MDCT),
    the square root of the normalized running sum of a Kaiser window of half the length plus one."""
    with name_scope(name, "kaiser_bessel_derived_window", [window_length, beta]):
        half = int(window_length) // 2
        kaiser = kaiser_window(half + 1, beta, dtype)
        running = _math.cumsum(kaiser[:half])
        total = _math.reduce_sum(kaiser)
        rising = _math.sqrt(running / total)
        return _array.concat([rising, _array.reverse(rising, [0])], 0)


def vorbis_window(window_length, dtype=dtypes.float32, name=None):
    """`tf.signal.vorbis_window(window_length)`: sin(pi / 2 sin^2(pi (n + 1/2) / N)), the Vorbis power-
    complementary window."""
    with name_scope(name, "vorbis_window", [window_length]):
        dtype = dtypes.as_dtype(dtype)
        n = _math.cast(_array.range(int(window_length)), dtype)
        inner = _math.sin(np.pi * (n + 0.5) / float(window_length))
        return _math.sin(0.5 * np.pi * inner * inner)


# --- short-time Fourier transforms ----------------------------------------------------------------
def _default_fft_length(frame_length):
    return 1 << (int(frame_length) - 1).bit_length()


def stft(signals, frame_length, frame_step, fft_length=None, window_fn=hann_window, pad_end=False, name=None):
    """`tf.signal.stft(signals, frame_length, frame_step, fft_length=None, window_fn=hann_window,
    pad_end=False)`: the rfft of each windowed frame of the innermost axis, [..., frames, fft_length // 2
    + 1] (fft_length defaults to the smallest power of 2 >= frame_length)."""
    with name_scope(name, "stft", [signals]):
        signals = convert_to_tensor(signals, name="signals")
        if fft_length is None:
            fft_length = _default_fft_length(frame_length)
        frames = frame(signals, frame_length, frame_step, pad_end=pad_end)
        if window_fn is not None:
            frames = frames * window_fn(frame_length, dtype=signals.dtype)
        return rfft(frames, [fft_length])


def inverse_stft(stfts, frame_length, frame_step, fft_length=None, window_fn=hann_window, name=None):
    """`tf.signal.inverse_stft(stfts, frame_length, frame_step, fft_length=None, window_fn=hann_window)`:
    the irfft of each frame, cropped to frame_length, windowed and overlap-added. For perfect
    reconstruction pass window_fn=inverse_stft_window_fn(frame_step)."""
    with name_scope(name, "inverse_stft", [stfts]):
        stfts = convert_to_tensor(stfts, name="stfts")
        if fft_length is None:
            fft_length = _default_fft_length(frame_length)
        frames = irfft(stfts, [fft_length])[..., :frame_length]
        if window_fn is not None:
            frames = frames * window_fn(frame_length, dtype=frames.dtype)
        return overlap_and_add(frames, frame_step)


def inverse_stft_window_fn(frame_step, forward_window_fn=hann_window, name=None):
    """`tf.signal.inverse_stft_window_fn(frame_step, forward_window_fn=hann_window)`: a window_fn for
    inverse_stft that undoes the forward window: the forward window divided by the sum of the squared
    forward windows overlapping each sample."""
    def inverse_window_fn(frame_length, dtype):
        with name_scope(name, "inverse_stft_window_fn", []):
            forward = forward_window_fn(frame_length, dtype=dtype)
            overlaps = -(-int(frame_length) // int(frame_step))
            squared = _array.pad(_math.square(forward), [[0, overlaps * int(frame_step) - int(frame_length)]])
            per_offset = _math.reduce_sum(_array.reshape(squared, [overlaps, int(frame_step)]), 0)
            denominator = _array.reshape(_array.tile(_array.expand_dims(per_offset, 0), [overlaps, 1]), [-1])
            return forward / denominator[:int(frame_length)]
    return inverse_window_fn


# --- discrete cosine transforms -------------------------------------------------------------------
def _dct_args(input, n, axis, norm, dct_type, what):
    if dct_type not in (1, 2, 3):
        raise ValueError("Only Types I, II and III (I)DCT are supported, got type %r" % (dct_type,))
    if axis != -1:
        raise NotImplementedError("axis must be -1. Got: %s" % (axis,))
    if norm not in (None, "ortho"):
        raise ValueError("Unknown normalization. Expected None or 'ortho', got: %s" % (norm,))
    if dct_type == 1 and norm == "ortho":
        raise ValueError("Normalization not supported for Type-I DCT.")
    x = convert_to_tensor(input, name="input")
    if not x.dtype.is_floating:
        raise ValueError("%s needs a float input, got %s" % (what, x.dtype.name))
    if n is not None:
        if n < 1:
            raise ValueError("n should be a positive integer or None, got %r" % (n,))
        have = x.shape[-1].value
        if have is None:
            raise ValueError("%s with n needs the innermost dimension known" % what)
        x = x[..., :n] if have >= n else _array.pad(x, [[0, 0]] * (x.shape.ndims - 1) + [[0, n - have]])
    length = x.shape[-1].value
    if length is None:
        raise ValueError("%s needs the innermost dimension known when the graph is built" % what)
    if dct_type == 1 and length < 2:
        raise ValueError("Type-I DCT needs at least 2 samples, got %d" % length)
    return x, length


def dct(input, type=2, n=None, axis=-1, norm=None, name=None):  # noqa: A002 - TF's argument names
    """`tf.signal.dct(input, type=2, n=None, axis=-1, norm=None)`: the DCT of types I, II or III of the
    innermost axis, unnormalized as TF and SciPy define them (type II: X_k = 2 sum x_n cos(pi k (2n + 1) /
    2N)) or orthonormal with norm='ortho'. `n` crops or zero-pads the input first."""
    with name_scope(name, "dct", [input]):
        x, length = _dct_args(input, n, axis, norm, type, "dct")
        dtype = x.dtype
        k = np.arange(length)
        if type == 1:
            mirrored = _array.concat([x, _array.reverse(x[..., 1:-1], [-1])], axis=-1)
            return real(rfft(mirrored))
        if type == 2:
            # 2 Re(S_k e^(-i pi k / 2N)) from the real and imaginary parts, all arithmetic real.
            angle = np.pi * k / (2.0 * length)
            spectrum = rfft(x, [2 * length])[..., :length]
            result = 2.0 * (real(spectrum) * np.cos(angle).astype(dtype.np) +
                            imag(spectrum) * np.sin(angle).astype(dtype.np))
            if norm == "ortho":
                scale = np.full(length, _pymath.sqrt(1.0 / (2.0 * length)))
                scale[0] = _pymath.sqrt(1.0 / (4.0 * length))
                result = result * scale.astype(dtype.np)
            return result
        # Type III: X_k = c_0 x_0 + sum_{n>=1} c_n x_n cos(pi n (2k + 1) / 2N).
        weights = np.full(length, 2.0) if norm is None else np.full(length, _pymath.sqrt(2.0 / length))
        weights[0] = 1.0 if norm is None else _pymath.sqrt(1.0 / length)
        angle = np.pi * k / (2.0 * length)
        re = x * (weights * np.cos(angle)).astype(dtype.np)
        im = x * (weights * np.sin(angle)).astype(dtype.np)
        padding = [[0, 0]] * (x.shape.ndims - 1) + [[0, length]]
        spectrum = complex(_array.pad(re, padding), _array.pad(im, padding))
        return real(ifft(spectrum))[..., :length] * float(2 * length)


def idct(input, type=2, n=None, axis=-1, norm=None, name=None):  # noqa: A002
    """`tf.signal.idct(input, type=2, n=None, axis=-1, norm=None)`: the inverse DCT, which is the DCT of
    type III for type II, type II for type III and type I for type I; unnormalized, idct(dct(x)) is
    2N x (2(N - 1) x for type I), and with norm='ortho' exactly x."""
    inverse_type = {1: 1, 2: 3, 3: 2}.get(type, type)
    return dct(input, type=inverse_type, n=n, axis=axis, norm=norm, name=name or "idct")


# --- mel spectrograms and MFCCs -------------------------------------------------------------------
_MEL_BREAK_FREQUENCY_HERTZ = 700.0
_MEL_HIGH_FREQUENCY_Q = 1127.0


def _hertz_to_mel(frequencies):
    return _MEL_HIGH_FREQUENCY_Q * np.log1p(np.asarray(frequencies, np.float64) / _MEL_BREAK_FREQUENCY_HERTZ)


def linear_to_mel_weight_matrix(num_mel_bins=20, num_spectrogram_bins=129, sample_rate=8000,
                                lower_edge_hertz=125.0, upper_edge_hertz=3800.0, dtype=dtypes.float32,
                                name=None):
    """`tf.signal.linear_to_mel_weight_matrix(num_mel_bins=20, num_spectrogram_bins=129, sample_rate=8000,
    lower_edge_hertz=125.0, upper_edge_hertz=3800.0)`: a [num_spectrogram_bins, num_mel_bins] matrix of
    triangular filters, equally spaced on the mel scale (1127 ln(1 + f / 700)), that maps a linear
    spectrogram to a mel spectrogram by matmul. The DC bin gets no weight."""
    from .constant import constant
    if num_mel_bins <= 0:
        raise ValueError("num_mel_bins must be positive. Got: %s" % num_mel_bins)
    if num_spectrogram_bins <= 0:
        raise ValueError("num_spectrogram_bins must be positive. Got: %s" % num_spectrogram_bins)
    if sample_rate <= 0.0:
        raise ValueError("sample_rate must be positive. Got: %s" % sample_rate)
    if lower_edge_hertz < 0.0:
        raise ValueError("lower_edge_hertz must be non-negative. Got: %s" % lower_edge_hertz)
    if lower_edge_hertz >= upper_edge_hertz:
        raise ValueError("lower_edge_hertz %.1f >= upper_edge_hertz %.1f" % (lower_edge_hertz, upper_edge_hertz))
    if upper_edge_hertz > sample_rate / 2:
        raise ValueError("upper_edge_hertz must not be larger than the Nyquist frequency (sample_rate / 2). "
                         "Got %s for sample_rate: %s" % (upper_edge_hertz, sample_rate))
    dtype = dtypes.as_dtype(dtype)
    bin_frequencies = np.linspace(0.0, sample_rate / 2.0, num_spectrogram_bins)[1:]
    bin_mels = _hertz_to_mel(bin_frequencies)[:, None]
    edges = np.linspace(_hertz_to_mel(lower_edge_hertz), _hertz_to_mel(upper_edge_hertz), num_mel_bins + 2)
    lower, center, upper = edges[:-2], edges[1:-1], edges[2:]
    rising = (bin_mels - lower) / (center - lower)
    falling = (upper - bin_mels) / (upper - center)
    weights = np.maximum(0.0, np.minimum(rising, falling))
    weights = np.concatenate([np.zeros((1, num_mel_bins)), weights], axis=0)
    return constant(weights.astype(dtype.np), name=name or "linear_to_mel_weight_matrix")


def mfccs_from_log_mel_spectrograms(log_mel_spectrograms, name=None):
    """`tf.signal.mfccs_from_log_mel_spectrograms(log_mel_spectrograms)`: MFCCs, the type-II DCT of the
    innermost (mel) axis scaled by 1 / sqrt(2 * num_mel_bins), as TF computes them; keep the first few
    coefficients by slicing."""
    with name_scope(name, "mfccs_from_log_mel_spectrograms", [log_mel_spectrograms]):
        spectrograms = convert_to_tensor(log_mel_spectrograms, name="log_mel_spectrograms")
        bins = spectrograms.shape[-1].value if spectrograms.shape.ndims else None
        if bins is None:
            raise ValueError("mfccs_from_log_mel_spectrograms needs the number of mel bins known")
        return dct(spectrograms, type=2) * float(1.0 / _pymath.sqrt(2.0 * bins))
