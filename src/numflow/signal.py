"""`tf.signal`: Fourier transforms, framing, windows, STFTs, DCTs and mel-frequency features."""
from .ops.signal_ops import (dct, fft, fft2d, fft3d, fftshift, frame, hamming_window, hann_window, idct,  # noqa: F401
                             ifft, ifft2d, ifft3d, ifftshift, inverse_stft, inverse_stft_window_fn, irfft, irfft2d,
                             irfft3d, kaiser_bessel_derived_window, kaiser_window, linear_to_mel_weight_matrix,
                             mfccs_from_log_mel_spectrograms, overlap_and_add, rfft, rfft2d, rfft3d, stft,
                             vorbis_window)

__all__ = ["dct", "fft", "fft2d", "fft3d", "fftshift", "frame", "hamming_window", "hann_window", "idct", "ifft",
           "ifft2d", "ifft3d", "ifftshift", "inverse_stft", "inverse_stft_window_fn", "irfft", "irfft2d", "irfft3d",
           "kaiser_bessel_derived_window", "kaiser_window", "linear_to_mel_weight_matrix",
           "mfccs_from_log_mel_spectrograms", "overlap_and_add", "rfft", "rfft2d", "rfft3d", "stft", "vorbis_window"]
from .ops.fft_nd import fftnd, ifftnd, irfftnd, rfftnd  # noqa: E402,F401 - N-D transforms (issue 12)

__all__ += ["fftnd", "ifftnd", "irfftnd", "rfftnd"]
from .ops.mdct import inverse_mdct, mdct  # noqa: E402,F401

__all__ += ["inverse_mdct", "mdct"]
