"""tf.signal.mdct / inverse_mdct built identically with numflow and real TensorFlow (run by
test_tf_parity_mdct.py where NUMFLOW_TF_PYTHON names a Python with TensorFlow)."""
import numpy as np

SIGNALS = np.random.RandomState(4).randn(2, 40).astype(np.float32)


def mdct_cases(tf):
    """Both norms, two frame lengths, padding, another window and the inverse."""
    x = tf.constant(SIGNALS)
    out = {}
    for length in (8, 16):
        plain = tf.signal.mdct(x, length)
        ortho = tf.signal.mdct(x, length, norm="ortho", pad_end=True)
        out["mdct_%d" % length] = [plain, ortho, tf.signal.inverse_mdct(plain),
                                   tf.signal.inverse_mdct(ortho, norm="ortho")]
    out["kbd"] = tf.signal.mdct(x, 12, window_fn=tf.signal.kaiser_bessel_derived_window)
    out["grad"] = tf.gradients(tf.reduce_sum(tf.signal.mdct(x, 8) ** 2), x)[0]
    return out


FAMILIES = ["mdct_cases"]
