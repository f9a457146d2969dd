"""Conv2D and its two gradients through each algorithm (ops/conv_algorithms.py: Winograd; ops/conv.py:
im2col) against plain NumPy float64 references written as loops over the kernel window.

Tolerances: float64 results must match to 1e-10 of max |reference| (both algorithms are exact up to
rounding; Winograd's transforms are exact rationals). float32 results must match to 3e-5 of max
|reference|: im2col measures ~5e-7 (ordinary float32 accumulation), Winograd F(4x4, r) up to 1.4e-5 in
the worst case measured (5x5 kernels, 256-512 input channels, benchmarks/results/conv_algorithms.txt),
from rounding the transformed tiles whose entries grow by up to the transforms' norms (~10x for
alpha 8); 3e-5 leaves 2x margin over that and is still 30x below an error of one misplaced tap.
"""
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import numflow as tf
from numflow.ops import conv as conv_module
from numflow.ops import conv_algorithms as algorithms
from gradcheck import check_gradients

FLOAT64_TOLERANCE = 1e-10
FLOAT32_TOLERANCE = 3e-5


# --- plain NumPy references (NHWC, float64) -------------------------------------------------------------
def _out_and_pads(size, k, stride, dilation, padding, explicit=None):
    eff = (k - 1) * dilation + 1
    if padding == "VALID":
        return (size - eff) // stride + 1, 0
    if padding == "SAME":
        out = -(-size // stride)
        return out, max((out - 1) * stride + eff - size, 0) // 2
    before, after = explicit
    return (size + before + after - eff) // stride + 1, before


def _taps(x_shape, f_shape, strides, dilations, padding, explicit):
    """(oh, ow, [(i, j, rows, cols)]): for each tap, the input rows/cols each output position reads
    (-1 where it reads padding)."""
    _, h, w, _ = x_shape
    kh, kw = f_shape[:2]
    oh, pt = _out_and_pads(h, kh, strides[0], dilations[0], padding, explicit and explicit[0])
    ow, pl = _out_and_pads(w, kw, strides[1], dilations[1], padding, explicit and explicit[1])
    taps = []
    for i in range(kh):
        for j in range(kw):
            rows = np.arange(oh) * strides[0] + i * dilations[0] - pt
            cols = np.arange(ow) * strides[1] + j * dilations[1] - pl
            taps.append((i, j, rows, cols))
    return oh, ow, taps


def _valid(index, size):
    return (index >= 0) & (index < size)


def reference_forward(x, f, strides=(1, 1), dilations=(1, 1), padding="SAME", explicit=None):
    x, f = np.asarray(x, np.float64), np.asarray(f, np.float64)
    n, h, w, _ = x.shape
    oh, ow, taps = _taps(x.shape, f.shape, strides, dilations, padding, explicit)
    y = np.zeros((n, oh, ow, f.shape[3]))
    for i, j, rows, cols in taps:
        r_ok, c_ok = _valid(rows, h), _valid(cols, w)
        window = x[:, np.clip(rows, 0, h - 1)][:, :, np.clip(cols, 0, w - 1)]
        window = window * (r_ok[:, None] & c_ok[None, :])[None, :, :, None]
        y += np.einsum("nhwc,co->nhwo", window, f[i, j])
    return y


def reference_input_grad(x_shape, f, dy, strides=(1, 1), dilations=(1, 1), padding="SAME", explicit=None):
    f, dy = np.asarray(f, np.float64), np.asarray(dy, np.float64)
    n, h, w, c = x_shape
    _, _, taps = _taps(x_shape, f.shape, strides, dilations, padding, explicit)
    dx = np.zeros((n, h, w, c))
    for i, j, rows, cols in taps:
        part = np.einsum("nhwo,co->nhwc", dy, f[i, j])
        for a, row in enumerate(rows):
            for b, col in enumerate(cols):
                if 0 <= row < h and 0 <= col < w:
                    dx[:, row, col] += part[:, a, b]
    return dx


def reference_filter_grad(x, f_shape, dy, strides=(1, 1), dilations=(1, 1), padding="SAME", explicit=None):
    x, dy = np.asarray(x, np.float64), np.asarray(dy, np.float64)
    _, h, w, _ = x.shape
    _, _, taps = _taps(x.shape, f_shape, strides, dilations, padding, explicit)
    df = np.zeros(f_shape)
    for i, j, rows, cols in taps:
        r_ok, c_ok = _valid(rows, h), _valid(cols, w)
        window = x[:, np.clip(rows, 0, h - 1)][:, :, np.clip(cols, 0, w - 1)]
        window = window * (r_ok[:, None] & c_ok[None, :])[None, :, :, None]
        df[i, j] = np.einsum("nhwc,nhwo->co", window, dy)
    return df


def _assert_close(actual, expected, dtype):
    tolerance = FLOAT64_TOLERANCE if dtype == np.float64 else FLOAT32_TOLERANCE
    assert actual.dtype == dtype and actual.shape == expected.shape
    scale = max(np.abs(expected).max(), 1e-30)
    error = np.abs(actual.astype(np.float64) - expected).max() / scale
    assert error <= tolerance, "relative error %.3g > %.3g" % (error, tolerance)


def _run_three(x, f, dy, strides=(1, 1), dilations=(1, 1), padding="SAME", data_format="NHWC"):
    """(forward, input gradient, filter gradient) of the three ops in one Session, NHWC values in and
    out (transposed to and from NCHW when data_format says so)."""
    nchw = data_format == "NCHW"
    to_fmt = (lambda v: np.transpose(v, (0, 3, 1, 2))) if nchw else (lambda v: v)
    from_fmt = (lambda v: np.transpose(v, (0, 2, 3, 1))) if nchw else (lambda v: v)
    dtype = tf.as_dtype(x.dtype)
    xs, dys = to_fmt(x), to_fmt(dy)
    tx, tf_, tdy = (tf.placeholder(dtype, v.shape) for v in (xs, f, dys))
    full = [1, 1] + list(strides) if nchw else [1] + list(strides) + [1]
    rates = [1, 1] + list(dilations) if nchw else [1] + list(dilations) + [1]
    y = tf.nn.conv2d(tx, tf_, full, padding, data_format=data_format, dilations=rates)
    dx = tf.nn.conv2d_backprop_input(list(xs.shape), tf_, tdy, full, padding, data_format=data_format,
                                     dilations=rates)
    df = tf.nn.conv2d_backprop_filter(tx, list(f.shape), tdy, full, padding, data_format=data_format,
                                      dilations=rates)
    with tf.Session() as sess:
        values = sess.run([y, dx, df], {tx: xs, tf_: f, tdy: dys})
    return from_fmt(values[0]), from_fmt(values[1]), values[2]


def _random_case(rng, n, h, w, c, kh, kw, o, dtype, strides=(1, 1), dilations=(1, 1), padding="SAME",
                 explicit=None):
    x = rng.standard_normal((n, h, w, c)).astype(dtype)
    f = rng.standard_normal((kh, kw, c, o)).astype(dtype)
    oh = _out_and_pads(h, kh, strides[0], dilations[0], padding, explicit and explicit[0])[0]
    ow = _out_and_pads(w, kw, strides[1], dilations[1], padding, explicit and explicit[1])[0]
    dy = rng.standard_normal((n, oh, ow, o)).astype(dtype)
    return x, f, dy


# (n, h, w, c, kh, kw, o, padding): odd sizes, batch 1, rectangular kernels, outputs smaller than a tile
SHAPES = [
    (2, 7, 9, 3, 3, 3, 4, "SAME"),
    (1, 14, 14, 8, 5, 5, 16, "SAME"),
    (3, 5, 6, 2, 5, 3, 3, "SAME"),
    (2, 11, 13, 4, 5, 4, 5, "SAME"),
    (1, 9, 10, 3, 3, 3, 2, "VALID"),
    (2, 8, 7, 2, 5, 5, 3, "VALID"),
    (1, 6, 5, 2, 4, 3, 2, "VALID"),
    (1, 3, 4, 2, 3, 3, 2, "SAME"),
    (2, 9, 8, 1, 3, 3, 4, "SAME"),      # one input channel: im2col's tap-by-tap patch matrix
    (1, 10, 7, 1, 5, 5, 3, "VALID"),
]


@pytest.mark.parametrize("algorithm", [algorithms.WINOGRAD, algorithms.IM2COL])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape", SHAPES, ids=[str(s) for s in SHAPES])
def test_each_algorithm_matches_the_numpy_reference(monkeypatch, algorithm, dtype, shape):
    monkeypatch.setenv(algorithms.ALGORITHM_ENV, algorithm)
    n, h, w, c, kh, kw, o, padding = shape
    x, f, dy = _random_case(np.random.default_rng(sum(shape[:7])), n, h, w, c, kh, kw, o, dtype,
                            padding=padding)
    y, dx, df = _run_three(x, f, dy, padding=padding)
    _assert_close(y, reference_forward(x, f, padding=padding), dtype)
    _assert_close(dx, reference_input_grad(x.shape, f, dy, padding=padding), dtype)
    _assert_close(df, reference_filter_grad(x, f.shape, dy, padding=padding), dtype)


@pytest.mark.parametrize("algorithm", [algorithms.WINOGRAD, algorithms.IM2COL])
def test_nchw_through_each_algorithm(monkeypatch, algorithm):
    monkeypatch.setenv(algorithms.ALGORITHM_ENV, algorithm)
    x, f, dy = _random_case(np.random.default_rng(4), 2, 9, 7, 3, 3, 5, 4, np.float64)
    y, dx, df = _run_three(x, f, dy, data_format="NCHW")
    _assert_close(y, reference_forward(x, f), np.float64)
    _assert_close(dx, reference_input_grad(x.shape, f, dy), np.float64)
    _assert_close(df, reference_filter_grad(x, f.shape, dy), np.float64)


def test_the_cnn_shapes_by_default_use_winograd_within_the_float32_tolerance():
    """conv2 of the deep MNIST CNN (5x5, 32 -> 64 channels on 14x14) takes Winograd without any override,
    and its float32 error stays within the stated tolerance for all three ops."""
    g = conv_module._Geometry({"strides": [1, 1, 1, 1], "padding": "SAME", "data_format": "NHWC",
                               "dilations": [1, 1, 1, 1]})
    for role in (F, I, D):
        assert algorithms.choose(g, 5, 5, 32, 64, (14, 14), np.float32, role, forced="") == algorithms.WINOGRAD
    x, f, dy = _random_case(np.random.default_rng(7), 3, 14, 14, 32, 5, 5, 64, np.float32)
    y, dx, df = _run_three(x, f, dy)
    _assert_close(y, reference_forward(x, f), np.float32)
    _assert_close(dx, reference_input_grad(x.shape, f, dy), np.float32)
    _assert_close(df, reference_filter_grad(x, f.shape, dy), np.float32)


@pytest.mark.parametrize("channels", [8, 1])
@pytest.mark.parametrize("strides,dilations,padding", [((2, 2), (1, 1), "SAME"), ((1, 2), (1, 1), "VALID"),
                                                       ((1, 1), (2, 2), "SAME"), ((1, 1), (1, 3), "VALID")])
def test_strides_and_dilations_stay_correct_when_winograd_is_forced(monkeypatch, strides, dilations, padding,
                                                                    channels):
    """Winograd is only valid for stride 1 without dilation: forcing it elsewhere still gives im2col's
    (correct) result, with several input channels or one (the tap-by-tap patch matrix)."""
    monkeypatch.setenv(algorithms.ALGORITHM_ENV, algorithms.WINOGRAD)
    x, f, dy = _random_case(np.random.default_rng(5), 2, 11, 10, channels, 3, 3, 8, np.float64, strides,
                            dilations, padding)
    y, dx, df = _run_three(x, f, dy, strides, dilations, padding)
    _assert_close(y, reference_forward(x, f, strides, dilations, padding), np.float64)
    _assert_close(dx, reference_input_grad(x.shape, f, dy, strides, dilations, padding), np.float64)
    _assert_close(df, reference_filter_grad(x, f.shape, dy, strides, dilations, padding), np.float64)


@pytest.mark.parametrize("explicit", [((1, 2), (0, 3)), ((4, 0), (2, 1)), ((0, 0), (5, 5))])
def test_explicit_padding_through_winograd(monkeypatch, explicit):
    """Explicit pads, including ones wider than the kernel (the input gradient then falls back to
    im2col, since its padding would be negative)."""
    monkeypatch.setenv(algorithms.ALGORITHM_ENV, algorithms.WINOGRAD)
    x, f, dy = _random_case(np.random.default_rng(6), 2, 8, 9, 3, 3, 3, 4, np.float64, padding="EXPLICIT",
                            explicit=explicit)
    pads = [[0, 0], list(explicit[0]), list(explicit[1]), [0, 0]]
    y, dx, df = _run_three(x, f, dy, padding=pads)
    _assert_close(y, reference_forward(x, f, padding="EXPLICIT", explicit=explicit), np.float64)
    _assert_close(dx, reference_input_grad(x.shape, f, dy, padding="EXPLICIT", explicit=explicit), np.float64)
    _assert_close(df, reference_filter_grad(x, f.shape, dy, padding="EXPLICIT", explicit=explicit), np.float64)


@pytest.mark.parametrize("algorithm", [algorithms.WINOGRAD, algorithms.IM2COL])
def test_several_batch_tiles_and_an_empty_batch(monkeypatch, algorithm):
    """Workspaces smaller than one image force one batch tile per image (the loops that sum the filter
    gradient over tiles); a batch of 0 images gives empty outputs and a zero filter gradient."""
    monkeypatch.setenv(algorithms.ALGORITHM_ENV, algorithm)
    monkeypatch.setattr(algorithms, "_TILE_BYTES", 1)
    monkeypatch.setattr(conv_module, "_WORKSPACE_BYTES", 1)
    x, f, dy = _random_case(np.random.default_rng(8), 5, 6, 7, 3, 3, 3, 2, np.float64)
    y, dx, df = _run_three(x, f, dy)
    _assert_close(y, reference_forward(x, f), np.float64)
    _assert_close(dx, reference_input_grad(x.shape, f, dy), np.float64)
    _assert_close(df, reference_filter_grad(x, f.shape, dy), np.float64)
    empty_x, _, empty_dy = _random_case(np.random.default_rng(9), 0, 6, 7, 3, 3, 3, 2, np.float64)
    y, dx, df = _run_three(empty_x, f, empty_dy)
    assert y.shape == (0, 6, 7, 2) and dx.shape == (0, 6, 7, 3)
    assert df.shape == (3, 3, 3, 2) and not df.any()


@pytest.mark.parametrize("kernel_hw", [(3, 3), (5, 4)])
def test_gradients_through_winograd_match_finite_differences(monkeypatch, kernel_hw):
    monkeypatch.setenv(algorithms.ALGORITHM_ENV, algorithms.WINOGRAD)
    rng = np.random.default_rng(10)
    kh, kw = kernel_hw
    x = rng.standard_normal((1, 5, 6, 2))
    f = rng.standard_normal((kh, kw, 2, 3))
    check_gradients(lambda a, b: tf.nn.conv2d(a, b, [1, 1, 1, 1], "SAME"), [x, f])


def test_second_order_gradients_through_winograd_match_finite_differences(monkeypatch):
    """The gradient ops' own gradients (Conv2D and the other backprop op) through Winograd."""
    monkeypatch.setenv(algorithms.ALGORITHM_ENV, algorithms.WINOGRAD)
    rng = np.random.default_rng(11)
    f = rng.standard_normal((3, 3, 2, 2))
    dy = rng.standard_normal((1, 4, 5, 2))
    x = rng.standard_normal((1, 4, 5, 2))
    check_gradients(lambda a, b: tf.nn.conv2d_backprop_input([1, 4, 5, 2], a, b, [1, 1, 1, 1], "SAME"),
                    [f, dy])
    check_gradients(lambda a, b: tf.nn.conv2d_backprop_filter(a, [3, 3, 2, 2], b, [1, 1, 1, 1], "VALID"),
                    [x, rng.standard_normal((1, 2, 3, 2))])


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 3), h=st.integers(1, 12), w=st.integers(1, 12), c=st.integers(1, 5),
       kh=st.sampled_from([3, 4, 5]), kw=st.sampled_from([3, 4, 5]), o=st.integers(1, 5),
       padding=st.sampled_from(["SAME", "VALID"]), seed=st.integers(0, 2 ** 16))
def test_winograd_equals_im2col_on_random_shapes(n, h, w, c, kh, kw, o, padding, seed):
    """Property: for any stride-1 shape, the two algorithms give the same float64 values."""
    if padding == "VALID" and (h < kh or w < kw):
        return
    g = conv_module._Geometry({"strides": [1, 1, 1, 1], "padding": padding, "data_format": "NHWC",
                               "dilations": [1, 1, 1, 1]})
    x, f, dy = _random_case(np.random.default_rng(seed), n, h, w, c, kh, kw, o, np.float64, padding=padding)
    results = {}
    for algorithm in (algorithms.WINOGRAD, algorithms.IM2COL):
        g.forced_algorithm = algorithm
        results[algorithm] = (conv_module._conv_forward(x, f, g),
                              conv_module._conv_input_grad([n, h, w, c], f, dy, g),
                              conv_module._conv_filter_grad(x, [kh, kw, c, o], dy, g))
    for winograd, im2col in zip(results[algorithms.WINOGRAD], results[algorithms.IM2COL]):
        scale = max(np.abs(im2col).max(), 1e-30)
        assert np.abs(winograd - im2col).max() <= FLOAT64_TOLERANCE * scale


@pytest.mark.parametrize("m,r", [(2, 3), (4, 3), (4, 4), (4, 5), (3, 5), (5, 4), (3, 3)])
def test_winograd_matrices_compute_the_1d_correlation(m, r):
    at, g, bt = algorithms.winograd_matrices(m, r)
    assert at.shape == (m, m + r - 1) and g.shape == (m + r - 1, r) and bt.shape == (m + r - 1,) * 2
    rng = np.random.default_rng(m * 10 + r)
    d, taps = rng.standard_normal(m + r - 1), rng.standard_normal(r)
    expected = [d[k:k + r] @ taps for k in range(m)]
    np.testing.assert_allclose(at @ ((g @ taps) * (bt @ d)), expected, rtol=0, atol=1e-12)


def test_winograd_matrices_refuse_tiles_without_enough_points():
    with pytest.raises(ValueError, match=re.escape("Winograd F(9, 5) needs 12 points; at most 11 are defined")):
        algorithms.winograd_matrices(9, 5)


def _geometry(strides=1, dilations=1, padding="SAME"):
    return conv_module._Geometry({"strides": [1, strides, strides, 1], "padding": padding,
                                  "data_format": "NHWC", "dilations": [1, dilations, dilations, 1]})


F, I, D = algorithms.FORWARD, algorithms.INPUT_GRAD, algorithms.FILTER_GRAD


@pytest.mark.parametrize("case,expected", [
    (dict(), (True, True, True)),                                            # conv2 of the MNIST CNN
    (dict(in_channels=1, out_channels=32), (False, False, False)),            # conv1 of the MNIST CNN
    (dict(in_channels=16, out_channels=16), (True, True, True)),
    (dict(in_channels=16, out_channels=8), (False, True, False)),
    (dict(in_channels=8, out_channels=64), (False, False, False)),
    (dict(in_channels=32, out_channels=4), (True, True, True)),
    (dict(kh=3, kw=3, in_channels=64, out_channels=64), (True, True, True)),  # the VGG-like layer
    (dict(kh=3, kw=3, in_channels=32, out_channels=16), (False, True, False)),
    (dict(kh=3, kw=3, in_channels=16, out_channels=64), (False, False, False)),
    (dict(kh=4, kw=5, in_channels=16, out_channels=16), (True, True, True)),    # 20 taps: a large kernel
    (dict(kh=4, kw=4, in_channels=16, out_channels=16), (False, False, False)),
    (dict(kh=3, kw=3, dtype=np.float64, in_channels=32, out_channels=32), (True, True, True)),
    (dict(geometry=_geometry(strides=2)), (False, False, False)),
    (dict(geometry=_geometry(dilations=2)), (False, False, False)),
    (dict(dtype=np.float16), (False, False, False)),
    (dict(kh=1, kw=1), (False, False, False)),
    (dict(kh=7), (False, False, False)),
    (dict(out_hw=(3, 14)), (False, False, False)),
    (dict(forced=algorithms.IM2COL), (False, False, False)),
    (dict(in_channels=1, out_channels=1, out_hw=(1, 1), forced=algorithms.WINOGRAD), (True, True, True)),
    (dict(geometry=_geometry(strides=2), forced=algorithms.WINOGRAD), (False, False, False)),
])
def test_the_choice_is_a_rule_on_shapes(case, expected):
    """The measured thresholds of conv_algorithms' docstring, per op (forward, input grad, filter grad)."""
    args = dict(geometry=_geometry(), kh=5, kw=5, in_channels=32, out_channels=64, out_hw=(14, 14),
                dtype=np.float32, forced="")
    args.update(case)
    got = tuple(algorithms.choose(args["geometry"], args["kh"], args["kw"], args["in_channels"],
                                  args["out_channels"], args["out_hw"], args["dtype"], role,
                                  forced=args["forced"]) == algorithms.WINOGRAD for role in (F, I, D))
    assert got == expected


def test_the_environment_override_reaches_the_kernels(monkeypatch):
    """NUMFLOW_CONV_ALGORITHM=im2col turns Winograd off for a shape that takes it by default: the
    Winograd function is then never called."""
    calls = []
    original = algorithms.winograd_forward

    def counting(*args, **kwargs):
        calls.append(args[0].shape)
        return original(*args, **kwargs)
    monkeypatch.setattr(algorithms, "winograd_forward", counting)
    x, f, _ = _random_case(np.random.default_rng(12), 1, 8, 8, 32, 3, 3, 32, np.float32)
    for setting, expected_calls in (("", 1), (algorithms.IM2COL, 0), (algorithms.WINOGRAD, 1)):
        monkeypatch.setenv(algorithms.ALGORITHM_ENV, setting)
        calls.clear()
        tf.reset_default_graph()
        with tf.Session() as sess:
            value = sess.run(tf.nn.conv2d(x, f, [1, 1, 1, 1], "SAME"))
        assert len(calls) == expected_calls, setting
        _assert_close(value, reference_forward(x, f), np.float32)


def test_an_unknown_algorithm_name_is_refused(monkeypatch):
    monkeypatch.setenv(algorithms.ALGORITHM_ENV, "fft")
    x = np.ones((1, 4, 4, 1), np.float32)
    with tf.Session() as sess:
        with pytest.raises(ValueError, match=re.escape("NUMFLOW_CONV_ALGORITHM must be 'im2col' or "
                                                       "'winograd', got 'fft'")):
            sess.run(tf.nn.conv2d(x, np.ones((3, 3, 1, 1), np.float32), [1, 1, 1, 1], "SAME"))


def test_conv3d_through_winograd_matches_im2col(monkeypatch):
    """Conv3D and its gradients reuse the 2-D kernels per depth slab, so they take Winograd too."""
    rng = np.random.default_rng(13)
    x = rng.standard_normal((2, 4, 6, 7, 3))
    f = rng.standard_normal((2, 3, 3, 3, 4))
    results = {}
    for algorithm in (algorithms.WINOGRAD, algorithms.IM2COL):
        monkeypatch.setenv(algorithms.ALGORITHM_ENV, algorithm)
        tf.reset_default_graph()
        tx, tfl = tf.constant(x), tf.constant(f)
        y = tf.nn.conv3d(tx, tfl, [1, 1, 1, 1, 1], "SAME")
        with tf.Session() as sess:
            results[algorithm] = sess.run([y] + tf.gradients(tf.reduce_sum(y * y), [tx, tfl]))
    for winograd, im2col in zip(results[algorithms.WINOGRAD], results[algorithms.IM2COL]):
        np.testing.assert_allclose(winograd, im2col, rtol=1e-10, atol=1e-10 * np.abs(im2col).max())


@pytest.mark.parametrize("algorithm", [algorithms.WINOGRAD, algorithms.IM2COL])
def test_each_algorithm_on_the_guarded_gpu(guarded_gpu, capsys, algorithm):
    """The kernels create their arrays through the device's module: on the guarded device (which refuses
    implicit host/device conversions, as CuPy does) the three ops run there and give NumPy's values."""
    guarded_gpu.setenv(algorithms.ALGORITHM_ENV, algorithm)
    x, f, dy = _random_case(np.random.default_rng(14), 2, 9, 10, 8, 5, 3, 8, np.float32)
    tf.reset_default_graph()
    tx, tf_, tdy = (tf.placeholder(tf.float32, v.shape) for v in (x, f, dy))
    ops = [tf.nn.conv2d(tx, tf_, [1, 1, 1, 1], "SAME"),
           tf.nn.conv2d_backprop_input(list(x.shape), tf_, tdy, [1, 1, 1, 1], "SAME"),
           tf.nn.conv2d_backprop_filter(tx, list(f.shape), tdy, [1, 1, 1, 1], "SAME")]
    with tf.Session(config=tf.ConfigProto(log_device_placement=True)) as sess:
        capsys.readouterr()
        y, dx, df = sess.run(ops, {tx: x, tf_: f, tdy: dy})
        placed = dict(re.findall(r"^\S+: \((\w+)\): (\S+)$", capsys.readouterr().out, re.M))
    for op_type in ("Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter"):
        assert placed[op_type].endswith("GPU:0"), (op_type, placed)
    _assert_close(y, reference_forward(x, f), np.float32)
    _assert_close(dx, reference_input_grad(x.shape, f, dy), np.float32)
    _assert_close(df, reference_filter_grad(x, f.shape, dy), np.float32)


@pytest.mark.parametrize("size,window,padding", [((6, 8), 2, "SAME"), ((9, 6), 3, "VALID"), ((5, 7), 2, "VALID"),
                                                 ((5, 7), 2, "SAME")])
def test_max_pool_grad_on_tiling_and_non_tiling_windows(size, window, padding):
    """MaxPoolGrad skips the zero fill only when the windows tile the input exactly; elsewhere (a VALID
    pool leaving the last row and column out) those elements must get a zero gradient.  Many ties:
    each window's gradient goes to its first maximum in row-major order."""
    rng = np.random.default_rng(15)
    h, w = size
    x = rng.integers(0, 3, size=(2, h, w, 3)).astype(np.float64)
    ksize = [1, window, window, 1]
    tx = tf.placeholder(tf.float64, x.shape)
    y = tf.nn.max_pool(tx, ksize, ksize, padding)
    dy = rng.uniform(0.5, 1.5, size=y.shape.as_list())
    grad = tf.gradients(y, tx, grad_ys=tf.constant(dy))[0]
    with tf.Session() as sess:
        got = sess.run(grad, {tx: x})
    oh, ow = dy.shape[1:3]
    pt = max((oh - 1) * window + window - h, 0) // 2 if padding == "SAME" else 0
    pl = max((ow - 1) * window + window - w, 0) // 2 if padding == "SAME" else 0
    expected = np.zeros_like(x)
    for b, r, q, ch in np.ndindex(*dy.shape):
        rows = range(max(r * window - pt, 0), min(r * window - pt + window, h))
        cols = range(max(q * window - pl, 0), min(q * window - pl + window, w))
        cells = [(i, j) for i in rows for j in cols]
        best = max(x[b, i, j, ch] for i, j in cells)
        i, j = next(cell for cell in cells if x[b, cell[0], cell[1], ch] == best)
        expected[b, i, j, ch] += dy[b, r, q, ch]
    np.testing.assert_array_equal(got, expected)


def test_results_do_not_alias_the_reused_scratch_arrays():
    """The Winograd kernels keep their temporaries between calls: a result must survive the next call."""
    rng = np.random.default_rng(16)
    x, f, dy = _random_case(rng, 2, 6, 7, 8, 3, 3, 8, np.float64)
    y = algorithms.winograd_forward(x, f, (1, 1), (6, 7))
    df = algorithms.winograd_filter_grad(x, (3, 3), dy, (1, 1))
    kept = y.copy(), df.copy()
    other_x, other_f, other_dy = _random_case(rng, 2, 6, 7, 8, 3, 3, 8, np.float64)
    algorithms.winograd_forward(other_x, other_f, (1, 1), (6, 7))
    algorithms.winograd_filter_grad(other_x, (3, 3), other_dy, (1, 1))
    algorithms.winograd_input_grad((2, 6, 7, 8), other_f, other_dy, (1, 1))
    np.testing.assert_array_equal(y, kept[0])
    np.testing.assert_array_equal(df, kept[1])
    _assert_close(y, reference_forward(x, f), np.float64)


def test_float16_keeps_im2col_even_when_winograd_is_forced(monkeypatch):
    """float16 cannot absorb the transforms' rounding: it always takes im2col (NumPy's float16 products
    round each partial sum to 11 bits, hence the 1e-2 tolerance)."""
    monkeypatch.setenv(algorithms.ALGORITHM_ENV, algorithms.WINOGRAD)
    calls = []
    monkeypatch.setattr(algorithms, "winograd_forward", lambda *args, **kwargs: calls.append(args))
    x, f, dy = _random_case(np.random.default_rng(17), 2, 7, 6, 8, 3, 3, 8, np.float16)
    y, dx, df = _run_three(x, f, dy)
    assert not calls and y.dtype == dx.dtype == df.dtype == np.float16
    for got, expected in ((y, reference_forward(x, f)), (dx, reference_input_grad(x.shape, f, dy)),
                          (df, reference_filter_grad(x, f.shape, dy))):
        assert np.abs(got - expected).max() <= 1e-2 * np.abs(expected).max()


# --- against real TensorFlow (NUMFLOW_TF_PYTHON) ---------------------------------------------------
def _tf_parity_families():
    import tf_parity_conv_algorithms
    return tf_parity_conv_algorithms.FAMILIES


@pytest.mark.parametrize("family", _tf_parity_families())
def test_winograd_convolutions_agree_with_real_tensorflow(family, tmp_path):
    """Forward, input and filter gradients of shapes that take Winograd, against TF 2.21 (results of
    order 1, so float32's absolute tolerance is ~3e-5 of their maximum)."""
    import tf_parity
    import tf_parity_conv_algorithms
    if not tf_parity.TF_PYTHON:
        pytest.skip("set NUMFLOW_TF_PYTHON to a Python with real TensorFlow")
    ours, theirs = tf_parity.run_both(tf_parity_conv_algorithms, family, tmp_path)
    tf_parity.assert_same(ours, theirs, lambda dtype: (1e-4, 1e-4) if dtype == np.float32 else (1e-10, 1e-12))
