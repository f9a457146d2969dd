"""tf.signal.mdct / inverse_mdct (ops/mdct.py): the MDCT sum per frame written out in NumPy, perfect
reconstruction away from the ends, gradients; real TensorFlow in tf_parity_mdct.py."""
import numpy as np
import pytest

import numflow as tf
from gradcheck import check_gradients


def run(fetches):
    with tf.Session() as sess:
        return sess.run(fetches)


def reference_mdct(signal, length, window, scale):
    half = length // 2
    frames = [signal[start:start + length] * window for start in range(0, len(signal) - length + 1, half)]
    out = np.zeros((len(frames), half))
    for f, values in enumerate(frames):
        for k in range(half):
            out[f, k] = sum(values[n] * np.cos(np.pi / half * (n + 0.5 + half / 2) * (k + 0.5)) for n in range(length))
    return out * scale


def test_mdct_matches_the_defining_sum_and_inverts():
    signal = np.random.RandomState(0).randn(32)
    n = np.arange(8)
    vorbis = np.sin(np.pi / 2 * np.sin(np.pi * (n + 0.5) / 8) ** 2)
    plain, ortho = run([tf.signal.mdct(signal, 8), tf.signal.mdct(signal, 8, norm="ortho")])
    np.testing.assert_allclose(plain, reference_mdct(signal, 8, vorbis, 2.0), atol=1e-10)
    np.testing.assert_allclose(ortho, reference_mdct(signal, 8, vorbis, np.sqrt(0.5)), atol=1e-10)
    back, back_ortho = run([tf.signal.inverse_mdct(plain), tf.signal.inverse_mdct(ortho, norm="ortho")])
    np.testing.assert_allclose(back[4:-4], signal[4:-4], atol=1e-10)
    np.testing.assert_allclose(back_ortho[4:-4], signal[4:-4], atol=1e-10)
    unwindowed = run(tf.signal.mdct(signal, 8, window_fn=None))
    np.testing.assert_allclose(unwindowed, reference_mdct(signal, 8, np.ones(8), 2.0), atol=1e-10)


def test_mdct_gradient_and_errors():
    check_gradients(lambda x: tf.signal.mdct(x, 8, pad_end=True), [np.random.RandomState(1).randn(2, 14)])
    check_gradients(lambda c: tf.signal.inverse_mdct(c), [np.random.RandomState(2).randn(3, 4)])
    with pytest.raises(ValueError, match="must be a multiple of 4"):
        tf.signal.mdct(np.zeros(16, np.float32), 6)
    with pytest.raises(ValueError, match="must be None or 'ortho'"):
        tf.signal.mdct(np.zeros(16, np.float32), 8, norm="forward")
    with pytest.raises(ValueError, match="takes float32 or float64"):
        tf.signal.mdct(np.zeros(16, np.int32), 8)
