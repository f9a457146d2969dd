"""tf.signal: FFTs against numpy.fft, the real transforms' gradients, framing, windows, STFT round trips,
DCTs against their defining sums, mel matrices and MFCCs."""
import math

import numpy as np
import pytest

import numflow as tf
from gradcheck import check_gradients

RNG = np.random.RandomState(5)


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


def complex_input(*shape):
    return RNG.randn(*shape) + 1j * RNG.randn(*shape)


TRANSFORMS = [(tf.signal.fft, np.fft.fftn, 1), (tf.signal.ifft, np.fft.ifftn, 1), (tf.signal.fft2d, np.fft.fftn, 2),
              (tf.signal.ifft2d, np.fft.ifftn, 2), (tf.fft3d, np.fft.fftn, 3), (tf.ifft3d, np.fft.ifftn, 3)]


@pytest.mark.parametrize("fn,reference,rank", TRANSFORMS, ids=[t[0].__name__ for t in TRANSFORMS])
def test_complex_transforms(fn, reference, rank):
    x = complex_input(2, 3, 4, 5)
    axes = tuple(range(-rank, 0))
    out = run(fn(tf.constant(x)))
    np.testing.assert_allclose(out, reference(x, axes=axes), rtol=1e-12, atol=1e-12)
    single = run(fn(tf.constant(x.astype(np.complex64))))
    assert single.dtype == np.complex64


def test_real_transforms_with_fft_length():
    x = RNG.randn(3, 8)
    np.testing.assert_allclose(run(tf.signal.rfft(x)), np.fft.rfft(x), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(run(tf.signal.rfft(x, [5])), np.fft.rfft(x[:, :5]), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(run(tf.signal.rfft(x, [12])), np.fft.rfft(x, 12), rtol=1e-12, atol=1e-12)
    assert run(tf.signal.rfft(x.astype(np.float32))).dtype == np.complex64
    spectrum = np.fft.rfft(x)
    np.testing.assert_allclose(run(tf.signal.irfft(spectrum)), x, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(run(tf.signal.irfft(spectrum, [7])), np.fft.irfft(spectrum, 7), rtol=1e-12)
    y = RNG.randn(2, 4, 6, 5)
    np.testing.assert_allclose(run(tf.signal.rfft2d(y)), np.fft.rfft2(y), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(run(tf.signal.irfft2d(np.fft.rfft2(y), [6, 5])), y, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(run(tf.signal.rfft3d(y, [4, 4, 4])), np.fft.rfftn(y[:, :, :4, :4], axes=(1, 2, 3)),
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(run(tf.signal.irfft3d(np.fft.rfftn(y, axes=(1, 2, 3)), [4, 6, 5])), y,
                               rtol=1e-12, atol=1e-12)
    assert tf.signal.rfft(tf.ones([3, 8]), [8]).shape.as_list() == [3, 5]


def test_transform_errors():
    with pytest.raises(TypeError, match="FFT"):
        tf.signal.fft(tf.ones([4]))
    with pytest.raises(TypeError, match="RFFT"):
        tf.signal.rfft(tf.ones([4], tf.complex64))
    with pytest.raises(ValueError, match="at least rank 2"):
        tf.signal.fft2d(tf.ones([4], tf.complex64))
    with pytest.raises(ValueError, match="fft_length must be a vector of 1 elements"):
        tf.signal.rfft(tf.ones([4]), [4, 4])


def _through_complex(transform):
    """A real-to-real function through a complex transform, for finite differences."""
    def build(re, im):
        out = transform(tf.complex(re, im))
        return tf.real(out) * 1.5 + tf.imag(out)
    return build


FFT_GRADIENTS = [
    ("fft", _through_complex(tf.signal.fft), [RNG.randn(2, 4), RNG.randn(2, 4)]),
    ("ifft", _through_complex(tf.signal.ifft), [RNG.randn(2, 4), RNG.randn(2, 4)]),
    ("fft2d", _through_complex(tf.signal.fft2d), [RNG.randn(3, 2), RNG.randn(3, 2)]),
    ("ifft2d", _through_complex(tf.signal.ifft2d), [RNG.randn(3, 2), RNG.randn(3, 2)]),
    ("fft3d", _through_complex(tf.signal.fft3d), [RNG.randn(2, 2, 2), RNG.randn(2, 2, 2)]),
    ("ifft3d", _through_complex(tf.signal.ifft3d), [RNG.randn(2, 2, 2), RNG.randn(2, 2, 2)]),
    ("rfft_even", lambda x: tf.real(tf.signal.rfft(x)) + 2 * tf.imag(tf.signal.rfft(x)), [RNG.randn(2, 6)]),
    ("rfft_odd_cropped", lambda x: tf.real(tf.signal.rfft(x, [5])) - tf.imag(tf.signal.rfft(x, [5])),
     [RNG.randn(7)]),
    ("rfft_padded", lambda x: tf.imag(tf.signal.rfft(x, [8])), [RNG.randn(5)]),
    ("irfft", lambda re, im: tf.signal.irfft(tf.complex(re, im)), [RNG.randn(2, 5), RNG.randn(2, 5)]),
    ("irfft_odd", lambda re, im: tf.signal.irfft(tf.complex(re, im), [7]), [RNG.randn(4), RNG.randn(4)]),
    ("rfft2d", lambda x: tf.real(tf.signal.rfft2d(x)) + tf.imag(tf.signal.rfft2d(x)), [RNG.randn(3, 4)]),
    ("irfft2d", lambda re, im: tf.signal.irfft2d(tf.complex(re, im), [3, 4]), [RNG.randn(3, 3), RNG.randn(3, 3)]),
    ("rfft3d", lambda x: tf.real(tf.signal.rfft3d(x)) - tf.imag(tf.signal.rfft3d(x)), [RNG.randn(2, 3, 4)]),
    ("irfft3d", lambda re, im: tf.signal.irfft3d(tf.complex(re, im), [2, 2, 4]),
     [RNG.randn(2, 2, 3), RNG.randn(2, 2, 3)]),
]


@pytest.mark.parametrize("name,build,inputs", FFT_GRADIENTS, ids=[c[0] for c in FFT_GRADIENTS])
def test_fft_gradients(name, build, inputs):
    check_gradients(build, inputs, rtol=1e-6, atol=1e-8)


def test_fftshift():
    x = np.arange(15).reshape(3, 5)
    np.testing.assert_array_equal(run(tf.signal.fftshift(x)), np.fft.fftshift(x))
    np.testing.assert_array_equal(run(tf.signal.ifftshift(x, axes=1)), np.fft.ifftshift(x, axes=1))
    np.testing.assert_array_equal(run(tf.signal.ifftshift(tf.signal.fftshift(x))), x)


def test_frame_and_overlap_and_add():
    signal = np.arange(10.0)
    frames = run(tf.signal.frame(signal, 4, 3))
    np.testing.assert_array_equal(frames, [[0, 1, 2, 3], [3, 4, 5, 6], [6, 7, 8, 9]])
    padded = run(tf.signal.frame(signal, 4, 3, pad_end=True, pad_value=-1.0))
    np.testing.assert_array_equal(padded[-1], [9, -1, -1, -1])
    assert padded.shape == (4, 4)
    batched = run(tf.signal.frame(RNG.randn(2, 7, 3), 3, 2, axis=1))
    assert batched.shape == (2, 3, 3, 3)
    assert run(tf.signal.frame(np.arange(2.0), 4, 1)).shape == (0, 4)
    added = run(tf.signal.overlap_and_add(np.ones((2, 3, 4)), 2))
    np.testing.assert_array_equal(added, [[1, 1, 2, 2, 2, 2, 1, 1]] * 2)
    check_gradients(lambda x: tf.signal.frame(x, 3, 2), [RNG.randn(8)])
    check_gradients(lambda x: tf.signal.overlap_and_add(x, 2), [RNG.randn(3, 4)])


def test_windows():
    n = np.arange(8)
    np.testing.assert_allclose(run(tf.signal.hann_window(8)), 0.5 - 0.5 * np.cos(2 * np.pi * n / 8), atol=1e-7)
    np.testing.assert_allclose(run(tf.signal.hann_window(8, periodic=False)), np.hanning(8), atol=1e-6)
    np.testing.assert_allclose(run(tf.signal.hamming_window(8, periodic=False)), np.hamming(8), atol=1e-6)
    np.testing.assert_array_equal(run(tf.signal.hann_window(1)), [1.0])
    # TF applies `periodic` to even lengths only: an odd periodic window is the symmetric one.
    np.testing.assert_allclose(run(tf.signal.hann_window(7)), np.hanning(7), atol=1e-6)
    np.testing.assert_allclose(run(tf.signal.kaiser_window(9, beta=5.0, dtype=tf.float64)), np.kaiser(9, 5.0),
                               rtol=1e-12)
    np.testing.assert_allclose(run(tf.signal.vorbis_window(6, dtype=tf.float64)),
                               np.sin(np.pi / 2 * np.sin(np.pi * (np.arange(6) + 0.5) / 6) ** 2), rtol=1e-12)
    kbd = run(tf.signal.kaiser_bessel_derived_window(8, dtype=tf.float64))
    np.testing.assert_allclose(kbd[:4] ** 2 + kbd[4:] ** 2, 1.0, rtol=1e-12)   # Princen-Bradley condition
    with pytest.raises(ValueError, match="floating point"):
        tf.signal.hann_window(4, dtype=tf.int32)


def test_stft_and_inverse_round_trip():
    signal = RNG.randn(2, 200)
    stfts = run(tf.signal.stft(signal, 32, 8))
    assert stfts.shape == (2, 22, 17)
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(32) / 32)
    manual = np.fft.rfft(signal[0, 8:40] * window, 32)
    np.testing.assert_allclose(stfts[0, 1], manual, rtol=1e-10, atol=1e-12)
    restored = run(tf.signal.inverse_stft(stfts, 32, 8,
                                          window_fn=tf.signal.inverse_stft_window_fn(8)))
    assert restored.shape == (2, 200)
    # Away from the ends, where every sample is covered by frame_length / frame_step frames, it is exact.
    np.testing.assert_allclose(restored[:, 32:-32], signal[:, 32:-32], rtol=1e-9, atol=1e-9)


def _dct_reference(x, kind):
    n = x.shape[-1]
    k = np.arange(n)[:, None]
    m = np.arange(n)[None, :]
    if kind == 1:
        inner = x[..., 1:-1] @ (2 * np.cos(np.pi * k * m / (n - 1))[:, 1:-1].T)
        return x[..., :1] + (-1.0) ** np.arange(n) * x[..., -1:] + inner
    if kind == 2:
        return x @ (2 * np.cos(np.pi * k * (2 * m + 1) / (2 * n))).T
    weights = np.full(n, 2.0)
    weights[0] = 1.0
    return (x * weights) @ np.cos(np.pi * m.T * (2 * k.T + 1) / (2 * n))


@pytest.mark.parametrize("kind", [1, 2, 3])
def test_dct_against_defining_sums(kind):
    x = RNG.randn(3, 6)
    np.testing.assert_allclose(run(tf.signal.dct(x, type=kind)), _dct_reference(x, kind), rtol=1e-10, atol=1e-12)
    scale = 2 * (6 - 1) if kind == 1 else 2 * 6
    np.testing.assert_allclose(run(tf.signal.idct(tf.signal.dct(x, type=kind), type=kind)) / scale, x,
                               rtol=1e-10, atol=1e-12)
    if kind != 1:
        ortho = run(tf.signal.idct(tf.signal.dct(x, type=kind, norm="ortho"), type=kind, norm="ortho"))
        np.testing.assert_allclose(ortho, x, rtol=1e-10, atol=1e-12)
    check_gradients(lambda v: tf.signal.dct(v, type=kind), [RNG.randn(2, 5)])


def test_dct_options_and_errors():
    x = RNG.randn(2, 6)
    basis = run(tf.signal.dct(np.eye(4), type=2, norm="ortho"))
    np.testing.assert_allclose(basis @ basis.T, np.eye(4), atol=1e-12)
    np.testing.assert_allclose(run(tf.signal.dct(x, n=4)), _dct_reference(x[:, :4], 2), rtol=1e-10)
    np.testing.assert_allclose(run(tf.signal.dct(x, n=8)), _dct_reference(np.pad(x, [(0, 0), (0, 2)]), 2),
                               rtol=1e-10, atol=1e-12)
    with pytest.raises(ValueError, match="Normalization not supported for Type-I DCT"):
        tf.signal.dct(x, type=1, norm="ortho")
    with pytest.raises(ValueError, match="Only Types I, II and III"):
        tf.signal.dct(x, type=4)
    with pytest.raises(NotImplementedError, match="axis must be -1"):
        tf.signal.dct(x, axis=0)


def _hertz_to_mel(f):
    return 1127.0 * np.log(1.0 + f / 700.0)


def test_linear_to_mel_weight_matrix_and_mfccs():
    matrix = run(tf.signal.linear_to_mel_weight_matrix(num_mel_bins=10, num_spectrogram_bins=33, sample_rate=16000,
                                                       lower_edge_hertz=100.0, upper_edge_hertz=7000.0,
                                                       dtype=tf.float64))
    assert matrix.shape == (33, 10)
    np.testing.assert_array_equal(matrix[0], 0.0)
    # Each filter rises to its peak at its centre frequency on the mel scale and is zero outside its band.
    edges = np.linspace(_hertz_to_mel(100.0), _hertz_to_mel(7000.0), 12)
    bin_mels = _hertz_to_mel(np.linspace(0, 8000, 33))
    for band in range(10):
        outside = (bin_mels <= edges[band]) | (bin_mels >= edges[band + 2])
        np.testing.assert_array_equal(matrix[1:][outside[1:], band], 0.0)
        assert matrix[:, band].max() <= 1.0 + 1e-12
    with pytest.raises(ValueError, match="Nyquist"):
        tf.signal.linear_to_mel_weight_matrix(upper_edge_hertz=5000.0, sample_rate=8000)
    with pytest.raises(ValueError, match="num_mel_bins must be positive"):
        tf.signal.linear_to_mel_weight_matrix(num_mel_bins=0)
    log_mel = RNG.randn(3, 10)
    mfccs = run(tf.signal.mfccs_from_log_mel_spectrograms(log_mel))
    np.testing.assert_allclose(mfccs, _dct_reference(log_mel, 2) / math.sqrt(20.0), rtol=1e-10)
