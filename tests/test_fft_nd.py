"""tf.signal.fftnd / ifftnd / rfftnd / irfftnd (ops/fft_nd.py) against numpy.fft's n-dimensional
transforms, with axes, fft_length (crop and pad) and the three norms; gradients by finite differences."""
import numpy as np
import pytest

import numflow as tf
from gradcheck import check_gradients

X = np.random.RandomState(0).randn(2, 3, 4) + 1j * np.random.RandomState(1).randn(2, 3, 4)
R = np.random.RandomState(2).randn(3, 4, 5)


def run(fetches):
    with tf.Session() as sess:
        return sess.run(fetches)


@pytest.mark.parametrize("norm", [None, "ortho", "forward"])
@pytest.mark.parametrize("fft_length,axes", [(None, None), ([5, 2], None), (None, [0, 2]), ([2, 6], [-1, 0])])
def test_complex_transforms_match_numpy(norm, fft_length, axes):
    numpy_norm = norm or "backward"
    axes_np = axes if axes is not None else (None if fft_length is None else [-2, -1])
    got = run([tf.signal.fftnd(X, fft_length, axes, norm), tf.signal.ifftnd(X, fft_length, axes, norm)])
    np.testing.assert_allclose(got[0], np.fft.fftn(X, s=fft_length, axes=axes_np, norm=numpy_norm), atol=1e-10)
    np.testing.assert_allclose(got[1], np.fft.ifftn(X, s=fft_length, axes=axes_np, norm=numpy_norm), atol=1e-10)


@pytest.mark.parametrize("norm", [None, "ortho", "forward"])
@pytest.mark.parametrize("fft_length,axes", [(None, None), ([2, 8], None), (None, [0, 1]), ([4, 3], [2, 0])])
def test_real_transforms_match_numpy(norm, fft_length, axes):
    numpy_norm = norm or "backward"
    axes_np = axes if axes is not None else (None if fft_length is None else [-2, -1])
    spectrum = tf.signal.rfftnd(R, fft_length, axes, norm)
    expected = np.fft.rfftn(R, s=fft_length, axes=axes_np, norm=numpy_norm)
    got, back = run([spectrum, tf.signal.irfftnd(expected, fft_length, axes, norm)])
    assert got.dtype == np.complex128
    np.testing.assert_allclose(got, expected, atol=1e-10)
    np.testing.assert_allclose(back, np.fft.irfftn(expected, s=fft_length, axes=axes_np, norm=numpy_norm), atol=1e-10)
    assert tf.signal.rfftnd(R.astype(np.float32)).dtype == tf.complex64


def test_gradients():
    def real_and_imag(z):
        return tf.concat([tf.real(z), tf.imag(z)], axis=-1)
    check_gradients(lambda x: real_and_imag(tf.signal.rfftnd(x, [3, 4], norm="ortho")), [R[:2, :3, :3]])
    check_gradients(lambda x: tf.signal.irfftnd(tf.complex(x, x * 0.5), [2, 4]), [R[:2, :2, :3]])
    check_gradients(lambda x: real_and_imag(tf.signal.fftnd(tf.complex(x, -x), axes=[0, 2])), [R[:2, :2, :3]])


def test_top_level_names_and_errors():
    assert tf.fftnd is tf.signal.fftnd and tf.irfftnd is tf.signal.irfftnd
    with pytest.raises(ValueError, match="axes must be distinct axes"):
        tf.signal.fftnd(X, axes=[0, 0])
    with pytest.raises(ValueError, match="must have one length"):
        tf.signal.fftnd(X, fft_length=[2, 2], axes=[0])
    with pytest.raises(ValueError, match="norm must be 'backward', 'ortho' or 'forward'"):
        tf.signal.fftnd(X, norm="unitary")
    with pytest.raises(ValueError, match="RFFT requires tf.float32 or tf.float64"):
        tf.signal.rfftnd(X)
    with pytest.raises(ValueError, match="fft_length must be positive"):
        tf.signal.ifftnd(X, fft_length=[0])
