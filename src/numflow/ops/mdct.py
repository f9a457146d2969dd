"""`tf.signal.mdct` / `inverse_mdct`: the modified discrete cosine transform of overlapping windowed frames
(frame_step = frame_length / 2) and its inverse by windowed overlap-add. With a window meeting the
Princen-Bradley condition (the default vorbis window, or the Kaiser-Bessel-derived one) the inverse
reconstructs the signal away from its first and last half frame. Composed of frame, a cosine-matrix
product and overlap_and_add, so it is differentiable."""
import numpy as np

from ..framework import dtypes
from ..framework.graph import convert_to_tensor, name_scope

__all__ = ["mdct", "inverse_mdct"]


def _cosines(frame_length, dtype):
    """[frame_length, frame_length / 2]: cos(pi / N (n + 1/2 + N/2) (k + 1/2)) with N = frame_length / 2."""
    half = frame_length // 2
    n = np.arange(frame_length)[:, None]
    k = np.arange(half)[None, :]
    return np.cos(np.pi / half * (n + 0.5 + half / 2.0) * (k + 0.5)).astype(dtype.np)


def _scale(norm, half, forward):
    if norm is None:
        return 2.0 if forward else 1.0 / half
    if norm == "ortho":
        return np.sqrt(2.0 / half)
    raise ValueError("norm must be None or 'ortho', got %r" % (norm,))


def _window(window_fn, frame_length, dtype):
    if window_fn is None:
        return None
    return window_fn(frame_length, dtype=dtype)


# The default window_fn (tf.signal.vorbis_window, looked up on use); None means no window, as in TF.
_VORBIS = object()


def _default_window(window_fn):
    if window_fn is _VORBIS:
        from .signal_ops import vorbis_window
        return vorbis_window
    return window_fn


def mdct(signals, frame_length, window_fn=_VORBIS, pad_end=False, norm=None, name=None):
    """`tf.signal.mdct(signals, frame_length, window_fn=tf.signal.vorbis_window, pad_end=False,
    norm=None)`: [..., frames, frame_length / 2] MDCT coefficients of float signals [..., samples]
    (frame_length a multiple of 4); norm='ortho' scales by sqrt(2 / N), None by 2."""
    from .signal_ops import frame
    from .linalg import tensordot
    window_fn = _default_window(window_fn)
    with name_scope(name, "mdct", [signals]):
        signals = convert_to_tensor(signals, name="signals")
        if signals.dtype not in (dtypes.float32, dtypes.float64):
            raise ValueError("mdct takes float32 or float64 signals, got %s" % signals.dtype.name)
        frame_length = int(frame_length)
        if frame_length % 4:
            raise ValueError("The frame length must be a multiple of 4, got %d" % frame_length)
        half = frame_length // 2
        frames = frame(signals, frame_length, half, pad_end=pad_end)
        window = _window(window_fn, frame_length, signals.dtype)
        if window is not None:
            frames = frames * window
        coefficients = tensordot(frames, _cosines(frame_length, signals.dtype), axes=[[frames.shape.ndims - 1], [0]])
        return coefficients * np.asarray(_scale(norm, half, True), signals.dtype.np)


def inverse_mdct(mdcts, window_fn=_VORBIS, norm=None, name=None):
    """`tf.signal.inverse_mdct(mdcts, window_fn=tf.signal.vorbis_window, norm=None)`: the signal
    [..., samples] whose mdct (same window and norm) is `mdcts` [..., frames, N], by windowed overlap-add."""
    from .signal_ops import overlap_and_add
    from .linalg import tensordot
    window_fn = _default_window(window_fn)
    with name_scope(name, "inverse_mdct", [mdcts]):
        mdcts = convert_to_tensor(mdcts, name="mdcts")
        if mdcts.dtype not in (dtypes.float32, dtypes.float64):
            raise ValueError("inverse_mdct takes float32 or float64 coefficients, got %s" % mdcts.dtype.name)
        half = mdcts.shape[-1].value
        if half is None or half % 2:
            raise ValueError("The last dimension of mdcts must be known and even, got shape %s" % mdcts.shape)
        frame_length = 2 * half
        frames = tensordot(mdcts, _cosines(frame_length, mdcts.dtype).T, axes=[[mdcts.shape.ndims - 1], [0]])
        frames = frames * np.asarray(_scale(norm, half, False), mdcts.dtype.np)
        window = _window(window_fn, frame_length, mdcts.dtype)
        if window is not None:
            frames = frames * window
        return overlap_and_add(frames, half)
