"""Conv2D and its two gradients on shapes numflow computes with Winograd (ops/conv_algorithms.py), built
identically with numflow and real TensorFlow (run by test_conv_algorithms.py where NUMFLOW_TF_PYTHON names
a Python with TensorFlow). Inputs are scaled so that every result is of order 1: the float32 tolerance is
then an absolute one near the Winograd error bound of test_conv_algorithms.py (3e-5 of max |result|).
"""
import numpy as np

# name: (x shape NHWC, kernel size, out channels, padding); each takes Winograd in numflow for all ops
SHAPES = {
    "mnist_conv2": ((3, 14, 14, 32), 5, 64, "SAME"),
    "vgg_3x3": ((2, 9, 11, 32), 3, 32, "SAME"),
    "valid_5x5": ((2, 12, 10, 16), 5, 16, "VALID"),
}
FAMILIES = ["%s_%s" % (name, dtype) for name in SHAPES for dtype in ("float32", "float64")]


def _values(name):
    shape, k, out_channels, padding = SHAPES[name]
    rng = np.random.default_rng(sorted(SHAPES).index(name))
    n, h, w, c = shape
    x = rng.standard_normal(shape)
    f = rng.standard_normal((k, k, c, out_channels)) / np.sqrt(k * k * c)
    oh, ow = (h, w) if padding == "SAME" else (h - k + 1, w - k + 1)
    weights = rng.standard_normal((n, oh, ow, out_channels)) / np.sqrt(n * oh * ow)
    return x, f, weights, padding


def _family(tf, name, dtype):
    x, f, weights, padding = _values(name)
    tx = tf.constant(x.astype(dtype))
    tfilter = tf.constant(f.astype(dtype))
    y = tf.nn.conv2d(tx, tfilter, [1, 1, 1, 1], padding)
    dx, df = tf.gradients(y, [tx, tfilter], grad_ys=tf.constant(weights.astype(dtype)))
    return {"y": y, "dx": dx, "df": df}


def _make(name, dtype):
    def family(tf):
        return _family(tf, name, dtype)
    return family


for _name in SHAPES:
    for _dtype in ("float32", "float64"):
        globals()["%s_%s" % (_name, _dtype)] = _make(_name, _dtype)
