"""`tf.signal.fftnd`, `ifftnd`, `rfftnd`, `irfftnd`: discrete Fourier transforms over any set of axes,
composed of the one-axis transforms (each axis moved innermost, cropped or zero-padded to its fft_length,
transformed, moved back), so their gradients are those of FFT / RFFT / IRFFT. As numpy.fft.fftn: `axes`
defaults to the last len(fft_length) axes, or to every axis; `norm` is 'backward' (the inverse divides
by n, the default), 'ortho' (both divide by sqrt(n)) or 'forward' (the forward transform divides by n)."""
import math

from ..framework import dtypes
from ..framework.graph import convert_to_tensor, name_scope

__all__ = ["fftnd", "ifftnd", "rfftnd", "irfftnd"]


def _static_lengths(fft_length, what):
    if fft_length is None:
        return None
    from .array import _static_value
    if hasattr(fft_length, "op"):
        known = _static_value(fft_length)
        if known is None or any(v is None for v in known.reshape(-1)):
            raise ValueError("%s here needs fft_length known before running, got %s" % (what, fft_length))
        fft_length = known.reshape(-1).tolist()
    lengths = [int(n) for n in fft_length]
    if any(n <= 0 for n in lengths):
        raise ValueError("fft_length must be positive, got %s" % lengths)
    return lengths


def _plan(x, fft_length, axes, what):
    """(normalized axes, lengths or None) for a tensor of static rank."""
    rank = x.shape.ndims
    if rank is None:
        raise ValueError("%s needs an input of known rank, got shape %s" % (what, x.shape))
    lengths = _static_lengths(fft_length, what)
    if axes is None:
        count = len(lengths) if lengths is not None else rank
        axes = list(range(rank - count, rank))
    axes = [int(a) + rank if int(a) < 0 else int(a) for a in axes]
    if any(not 0 <= a < rank for a in axes) or len(set(axes)) != len(axes):
        raise ValueError("%s: axes must be distinct axes of a rank-%d input, got %s" % (what, rank, axes))
    if lengths is not None and len(lengths) != len(axes):
        raise ValueError("%s: fft_length %s and axes %s must have one length" % (what, lengths, axes))
    return axes, lengths


def _move_last(x, axis):
    from .array import transpose
    rank = x.shape.ndims
    if axis == rank - 1:
        return x, None
    perm = [a for a in range(rank) if a != axis] + [axis]
    inverse = [0] * rank
    for position, a in enumerate(perm):
        inverse[a] = position
    return transpose(x, perm), inverse


def _fit_last(x, length):
    """x cropped or zero-padded along its last axis to `length`."""
    from .array import pad
    have = x.shape[-1].value
    if have is None:
        raise ValueError("the transformed axes need static sizes, got shape %s" % x.shape)
    if have > length:
        x = x[..., :length]
    elif have < length:
        x = pad(x, [[0, 0]] * (x.shape.ndims - 1) + [[0, length - have]])
    return x


def _along(x, axis, transform):
    """transform(x with `axis` innermost), moved back."""
    from .array import transpose
    moved, inverse = _move_last(x, axis)
    out = transform(moved)
    return out if inverse is None else transpose(out, inverse)


def _scaled(x, factor):
    from .math import cast
    if factor == 1.0:
        return x
    return x * cast(factor, x.dtype)


def _norm_factor(norm, n, inverse):
    """The extra factor each convention applies on top of the backward-normalized transforms."""
    norm = norm or "backward"
    if norm not in ("backward", "ortho", "forward"):
        raise ValueError("norm must be 'backward', 'ortho' or 'forward', got %r" % norm)
    if norm == "backward":
        return 1.0
    if norm == "ortho":
        return math.sqrt(n) if inverse else 1.0 / math.sqrt(n)
    return float(n) if inverse else 1.0 / n


def _complex_nd(x, fft_length, axes, norm, inverse, name, default_name):
    from .signal_ops import fft, ifft
    from .math import cast
    with name_scope(name, default_name, [x]):
        x = convert_to_tensor(x, name="input_tensor")
        if not x.dtype.is_complex:
            x = cast(x, dtypes.complex128 if x.dtype is dtypes.float64 else dtypes.complex64)
        axes, lengths = _plan(x, fft_length, axes, default_name)
        lengths = lengths or [x.shape[a].value for a in axes]
        for axis, length in zip(axes, lengths):
            x = _along(x, axis, lambda t, n=length: (ifft if inverse else fft)(_fit_last(t, n)))
        return _scaled(x, _norm_factor(norm, math.prod(lengths), inverse))


def fftnd(input_tensor, fft_length=None, axes=None, norm=None, name=None):
    """`tf.signal.fftnd(input_tensor, fft_length=None, axes=None, norm=None)`: the DFT over `axes`, each
    cropped or zero-padded to its fft_length first."""
    return _complex_nd(input_tensor, fft_length, axes, norm, False, name, "fftnd")


def ifftnd(input_tensor, fft_length=None, axes=None, norm=None, name=None):
    """`tf.signal.ifftnd(input_tensor, fft_length=None, axes=None, norm=None)`: the inverse DFT over `axes`."""
    return _complex_nd(input_tensor, fft_length, axes, norm, True, name, "ifftnd")


def rfftnd(input_tensor, fft_length=None, axes=None, norm=None, name=None):
    """`tf.signal.rfftnd(input_tensor, fft_length=None, axes=None, norm=None)`: the DFT of a real tensor over
    `axes`; the last of them keeps its fft_length // 2 + 1 non-negative frequencies."""
    from .signal_ops import fft, rfft
    from .math import cast
    with name_scope(name, "rfftnd", [input_tensor]):
        x = convert_to_tensor(input_tensor, name="input_tensor")
        if x.dtype.is_integer:
            x = cast(x, dtypes.float32)
        if x.dtype not in (dtypes.float32, dtypes.float64):
            raise ValueError("RFFT requires tf.float32 or tf.float64 inputs, got: %s" % x.dtype.name)
        axes, lengths = _plan(x, fft_length, axes, "rfftnd")
        lengths = lengths or [x.shape[a].value for a in axes]
        x = _along(x, axes[-1], lambda t: rfft(t, [lengths[-1]]))
        for axis, length in zip(axes[:-1], lengths[:-1]):
            x = _along(x, axis, lambda t, n=length: fft(_fit_last(t, n)))
        return _scaled(x, _norm_factor(norm, math.prod(lengths), False))


def irfftnd(input_tensor, fft_length=None, axes=None, norm=None, name=None):
    """`tf.signal.irfftnd(input_tensor, fft_length=None, axes=None, norm=None)`: the real tensor whose
    rfftnd is the input; the last axis's length defaults to 2 * (size - 1)."""
    from .signal_ops import ifft, irfft
    with name_scope(name, "irfftnd", [input_tensor]):
        x = convert_to_tensor(input_tensor, name="input_tensor")
        if not x.dtype.is_complex:
            raise ValueError("IRFFT requires tf.complex64 or tf.complex128 inputs, got: %s" % x.dtype.name)
        axes, lengths = _plan(x, fft_length, axes, "irfftnd")
        if lengths is None:
            lengths = [x.shape[a].value for a in axes[:-1]] + [2 * (x.shape[axes[-1]].value - 1)]
        for axis, length in zip(axes[:-1], lengths[:-1]):
            x = _along(x, axis, lambda t, n=length: ifft(_fit_last(t, n)))
        x = _along(x, axes[-1], lambda t: irfft(t, [lengths[-1]]))
        return _scaled(x, _norm_factor(norm, math.prod(lengths), True))
