"""Math-and-array programs built identically with numflow and real TensorFlow (see
test_tf_parity_math_extra.py): special functions and edge values, segments, scatters, decompositions
(sign-free where a factor's sign is arbitrary), FFTs, STFTs and DCTs, with gradients."""
import numpy as np

rng = np.random.RandomState(1)
X = rng.uniform(0.2, 4.0, (3, 4))
S = rng.randn(4, 4)
SPD = S @ S.T + 4 * np.eye(4)
SIGNAL = rng.randn(2, 64)


def cases(tf):
    """Fetches (a dict) and feeds of one graph built with the module `tf`."""
    x = tf.constant(X)
    edge = tf.constant([-2.5, -1.0, 0.0, 0.5, 1.0, 30.0, 200.0])
    out = {}
    out["gamma"] = [tf.lgamma(x), tf.digamma(x), tf.lgamma(edge), tf.math.digamma(tf.constant([-2.5, 0.5, 7.0]))]
    out["polygamma"] = [tf.polygamma(tf.constant([[0.0], [1.0], [3.0]], tf.float64), x[:, :2]),
                        tf.zeta(x + 1.0, x), tf.math.zeta(tf.constant([2.0, 3.5]), tf.constant([-1.5, 0.7]))]
    out["igamma"] = [tf.igamma(x, x[::-1]), tf.igammac(x, x[::-1] * 3.0),
                     tf.igamma(tf.constant([0.5, 100.0, 2.0]), tf.constant([1e-3, 95.0, 0.0]))]
    out["betainc"] = tf.betainc(x, x[::-1], tf.constant(rng.uniform(0.01, 0.99, (3, 4))))
    out["bessel"] = [tf.math.bessel_i0e(edge), tf.math.bessel_i1e(edge), tf.math.bessel_i0(x), tf.math.bessel_i1(-x)]
    out["erf"] = [tf.math.erfc(edge), tf.math.erfinv(tf.constant([-0.99, -0.3, 0.0, 0.5, 0.999])),
                  tf.math.ndtri(tf.constant([1e-6, 0.1, 0.5, 0.975]))]
    out["hyperbolic"] = [tf.acosh(x + 1.0), tf.asinh(x - 2.0), tf.atanh(x / 5.0), tf.atan2(x - 2.0, x[::-1] - 2.0)]
    zeros = tf.constant([0.0, 0.0, 2.0])
    out["safe"] = [tf.math.xlogy(zeros, tf.constant([0.0, 3.0, 3.0])), tf.math.xdivy(zeros, tf.constant([0.0, 3.0, 3.0])),
                   tf.math.multiply_no_nan(tf.constant([np.inf, 1.0, 2.0]), zeros), tf.lbeta(x),
                   tf.math.log_sigmoid(edge), tf.math.cumulative_logsumexp(x, axis=1)]
    ids = tf.constant([0, 0, 2])
    out["segments"] = [tf.segment_sum(x, ids), tf.segment_mean(x, ids), tf.segment_max(x, ids),
                       tf.segment_min(x, ids), tf.segment_prod(x, ids),
                       tf.unsorted_segment_sum(x, tf.constant([1, -1, 1]), 3),
                       tf.unsorted_segment_max(x, tf.constant([1, 0, 1]), 2),
                       tf.unsorted_segment_sqrt_n(x, tf.constant([1, 0, 1]), 2)]
    out["partition"] = tf.dynamic_partition(x, tf.constant([1, 0, 1]), 2) + [
        tf.dynamic_stitch([tf.constant([0, 2]), tf.constant([1])], [x[:2], x[2:]])]
    out["rearrange"] = [tf.reverse_sequence(x, tf.constant([2, 4, 0], tf.int64), seq_axis=1, batch_axis=0),
                        tf.matrix_band_part(x, 1, 0), tf.histogram_fixed_width(x, tf.constant([0.0, 4.0], tf.float64), nbins=5),
                        tf.histogram_fixed_width_bins(x, tf.constant([1.0, 3.0], tf.float64), nbins=4),
                        tf.bincount(tf.constant([3, 1, 1, 0]), minlength=6)]
    out["scatter"] = [tf.scatter_nd(tf.constant([[1], [3], [1]]), tf.constant([1.0, 2.0, 3.0]), tf.constant([5])),
                      tf.tensor_scatter_nd_update(x, tf.constant([[0, 1], [2, 2]]), tf.constant([9.0, 8.0], tf.float64)),
                      tf.tensor_scatter_nd_add(x, tf.constant([[1]]), tf.ones([1, 4], tf.float64))]
    a = tf.constant(SPD)
    b = tf.constant(S[:, :2])
    eigenvalues, eigenvectors = tf.self_adjoint_eig(a)
    s, u, v = tf.svd(tf.constant(S[:, :3]))
    q, r = tf.qr(tf.constant(S[:, :3]))
    out["linalg"] = [tf.cholesky(a), tf.matrix_solve(a, b), tf.matrix_triangular_solve(a, b, lower=False),
                     tf.linalg.lstsq(tf.constant(S[:, :3]), b), list(tf.linalg.slogdet(tf.constant(S))),
                     tf.linalg.logdet(a), eigenvalues, tf.abs(eigenvectors), s, tf.abs(u), tf.abs(v),
                     tf.abs(q), tf.abs(r), tf.linalg.expm(tf.constant(S) * 0.3), tf.linalg.pinv(tf.constant(S[:, :3]))]
    signal = tf.constant(SIGNAL.astype(np.float32))
    spectrum = tf.signal.rfft(signal)
    out["fft"] = [tf.real(spectrum), tf.imag(spectrum), tf.signal.irfft(spectrum),
                  tf.real(tf.signal.fft2d(tf.complex(signal[:, :8], signal[:, 8:16]))),
                  tf.imag(tf.signal.ifft(tf.complex(signal, signal[::-1]))), tf.real(tf.signal.rfft(signal, [40]))]
    stft = tf.signal.stft(signal, 16, 4)
    out["stft"] = [tf.abs(stft), tf.signal.inverse_stft(stft, 16, 4), tf.signal.frame(signal, 10, 7, pad_end=True),
                   tf.signal.hann_window(9), tf.signal.hamming_window(6, periodic=False)]
    out["dct"] = [tf.signal.dct(signal[:, :10], type=t) for t in (1, 2, 3)] + [
        tf.signal.dct(signal[:, :10], norm="ortho"), tf.signal.idct(signal[:, :10], type=2, norm="ortho"),
        tf.signal.mfccs_from_log_mel_spectrograms(signal[:, :20]),
        tf.signal.linear_to_mel_weight_matrix(num_mel_bins=8, num_spectrogram_bins=17, sample_rate=8000)]
    p = tf.placeholder(tf.float64, [3, 4])
    loss = (tf.reduce_sum(tf.lgamma(p) * tf.digamma(p)) + tf.reduce_sum(tf.betainc(p, p * 0.5, p / 5.0)) +
            tf.reduce_sum(tf.igamma(p, 2.0 * p)) + tf.reduce_sum(tf.segment_max(p, ids) ** 2) +
            tf.reduce_sum(tf.unsorted_segment_prod(p, tf.constant([1, 0, 1]), 2)))
    out["grad_special"] = tf.gradients(loss, p)[0]
    m = tf.placeholder(tf.float64, [4, 4])
    spd = tf.matmul(m, m, transpose_b=True) + 4.0 * tf.eye(4, dtype=tf.float64)
    linalg_loss = (tf.reduce_sum(tf.cholesky(spd) ** 2) + tf.reduce_sum(tf.self_adjoint_eig(spd)[0] ** 2) +
                   tf.reduce_sum(tf.matrix_solve(spd, m)) + tf.reduce_sum(tf.svd(m, compute_uv=False)) +
                   tf.reduce_sum(tf.qr(m)[1] ** 2) + tf.reduce_sum(tf.linalg.expm(m * 0.2)))
    out["grad_linalg"] = tf.gradients(linalg_loss, m)[0]
    w = tf.placeholder(tf.float32, [2, 64])
    fft_loss = tf.reduce_sum(tf.abs(tf.signal.stft(w, 16, 4)) ** 2) + tf.reduce_sum(tf.signal.dct(w[:, :8]) ** 2)
    out["grad_signal"] = tf.gradients(fft_loss, w)[0]
    return out, {p: X, m: S, w: SIGNAL.astype(np.float32)}
