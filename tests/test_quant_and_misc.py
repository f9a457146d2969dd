"""tests for ops/quant_and_misc.py: fake quantization (values against a NumPy restatement of TF's
nudged rounding and values printed by TensorFlow 2.21), straight-through gradients, errors."""
import numpy as np
import pytest

import numflow as tf
from numflow.framework import errors

from gradcheck import check_gradients, evaluate

INPUTS = np.linspace(-8, 8, 23).astype(np.float32)


def _reference(x, low, high, num_bits=8, narrow_range=False):
    """TF's fake quantization restated per element in float64 (the range nudged to an integer zero point)."""
    quant_low, quant_high = (1 if narrow_range else 0), 2 ** num_bits - 1
    scale = (high - low) / (quant_high - quant_low)
    zero_point = min(max(quant_low - low / scale, quant_low), quant_high)
    zero_point = np.floor(zero_point + 0.5)
    nudged_low, nudged_high = (quant_low - zero_point) * scale, (quant_high - zero_point) * scale
    clamped = np.clip(x.astype(np.float64), nudged_low, nudged_high)
    return np.floor((clamped - nudged_low) / scale + 0.5) * scale + nudged_low, nudged_low, nudged_high


def test_fake_quant_args_values():
    # Printed by TF 2.21: tf.compat.v1.fake_quant_with_min_max_args(INPUTS) at the ends and the middle.
    out = evaluate(lambda x: tf.fake_quant_with_min_max_args(x), [INPUTS])
    assert out.dtype == np.float32
    np.testing.assert_allclose(out[[0, 3, 11, 12, 22]], [-6.0235295, -5.8352942, 0.0, 0.7058824, 5.9764705],
                               rtol=1e-6)
    for low, high, bits, narrow in [(-6, 6, 8, False), (-1.3, 2.7, 4, True), (0.2, 3.0, 3, False),
                                    (-5.0, -1.0, 2, True), (-2.5, 2.5, 16, False)]:
        out = evaluate(lambda x: tf.fake_quant_with_min_max_args(x, min=low, max=high, num_bits=bits,
                                                                narrow_range=narrow), [INPUTS])
        np.testing.assert_allclose(out, _reference(INPUTS, low, high, bits, narrow)[0], rtol=1e-5, atol=1e-5)
    # 0.0 is always a level after nudging, and the output has at most 2**num_bits distinct values.
    out = evaluate(lambda x: tf.fake_quant_with_min_max_args(x, min=0.3, max=5.0, num_bits=3), [INPUTS])
    assert len(np.unique(out)) <= 8 and out[11] == 0.0
    # TF 2.21: min=-1.3, max=2.7, num_bits=4, narrow_range=True
    out = evaluate(lambda x: tf.fake_quant_with_min_max_args(x, min=-1.3, max=2.7, num_bits=4, narrow_range=True),
                   [INPUTS])
    np.testing.assert_allclose(out[9:15], [-1.4285715, -0.8571429, 0., 0.8571429, 1.4285715, 2.2857144], rtol=1e-6)


def test_fake_quant_vars_values_and_per_channel():
    low, high = np.float32(-1.3), np.float32(2.7)
    out = evaluate(lambda x, a, b: tf.fake_quant_with_min_max_vars(x, a, b, num_bits=3), [INPUTS, low, high])
    np.testing.assert_allclose(out, _reference(INPUTS, -1.3, 2.7, 3)[0], rtol=1e-5, atol=1e-6)
    # TF 2.21 value: index 13 of this case
    assert abs(out[13] - 1.7142859) < 1e-6
    # min > max: TF's nudging maps everything to the (inverted) range's min, 1.0
    out = evaluate(lambda x, a, b: tf.fake_quant_with_min_max_vars(x, a, b), [INPUTS, np.float32(2), np.float32(1)])
    np.testing.assert_array_equal(out, np.ones(23, np.float32))
    data = INPUTS[:22].reshape(11, 2)
    lows, highs = np.array([-1, -2], np.float32), np.array([1, 3], np.float32)
    out = evaluate(lambda x, a, b: tf.fake_quant_with_min_max_vars_per_channel(x, a, b), [data, lows, highs])
    for channel in range(2):
        np.testing.assert_allclose(out[:, channel], _reference(data[:, channel], lows[channel], highs[channel])[0],
                                   rtol=1e-5, atol=1e-6)
    # TF 2.21 printed column 0 rows 4..7 and column 1 rows 6..7 of this case
    np.testing.assert_allclose(out[4:8, 0], [-0.9960785, -0.7294118, 0.7294118, 1.0039216], rtol=1e-6)
    np.testing.assert_allclose(out[6:8, 1], [1.4509804, 2.9019608], rtol=1e-6)


def _ste_expectations(x, upstream, low, high, num_bits=8, narrow_range=False):
    _, nudged_low, nudged_high = _reference(x, low, high, num_bits, narrow_range)
    inside = (x >= np.float32(nudged_low)) & (x <= np.float32(nudged_high))
    return (np.where(inside, upstream, 0), np.sum(upstream[x < np.float32(nudged_low)]),
            np.sum(upstream[x > np.float32(nudged_high)]))


def test_fake_quant_gradient_ops_values():
    upstream = np.arange(23, dtype=np.float32)
    inside, below, above = evaluate(
        lambda g, x, a, b: tf.fake_quant_with_min_max_vars_gradient(g, x, a, b, num_bits=3),
        [upstream, INPUTS, np.float32(-1.3), np.float32(2.7)])
    assert (below, above) == (45.0, 148.0)   # printed by TF 2.21
    np.testing.assert_array_equal(inside, np.where((np.arange(23) >= 10) & (np.arange(23) <= 14), upstream, 0))
    out = evaluate(lambda g, x: tf.fake_quant_with_min_max_args_gradient(g, x, min=-2.0, max=3.0),
                   [upstream, INPUTS])
    np.testing.assert_array_equal(out, _ste_expectations(INPUTS, upstream, -2.0, 3.0)[0])
    data, grads = INPUTS[:22].reshape(11, 2), upstream[:22].reshape(11, 2)
    lows, highs = np.array([-1, -2], np.float32), np.array([1, 3], np.float32)
    inside, below, above = evaluate(
        lambda g, x, a, b: tf.fake_quant_with_min_max_vars_per_channel_gradient(g, x, a, b, narrow_range=True),
        [grads, data, lows, highs])
    assert below.shape == above.shape == (2,)
    for channel in range(2):
        expected = _ste_expectations(data[:, channel], grads[:, channel], lows[channel], highs[channel],
                                     narrow_range=True)
        np.testing.assert_array_equal(inside[:, channel], expected[0])
        assert below[channel] == expected[1] and above[channel] == expected[2]


def test_fake_quant_straight_through_gradients():
    """tf.gradients of the fake-quant ops is the straight-through estimator (by definition, not the
    derivative of the staircase, so not a finite-difference check): the gradient ops' values."""
    rng = np.random.RandomState(0)
    upstream = rng.uniform(0.5, 1.5, 23).astype(np.float32)
    graph = tf.Graph()
    with graph.as_default():
        x = tf.constant(INPUTS)
        low, high = tf.constant(-1.3), tf.constant(2.7)
        weights = tf.constant(upstream)
        args_grad = tf.gradients(tf.fake_quant_with_min_max_args(x, min=-1.3, max=2.7) * weights, x)[0]
        vars_grads = tf.gradients(tf.fake_quant_with_min_max_vars(x, low, high) * weights, [x, low, high])
        lows, highs = tf.constant([-1.3, -0.5]), tf.constant([2.7, 1.0])
        channel_grads = tf.gradients(
            tf.fake_quant_with_min_max_vars_per_channel(tf.reshape(x[:22], [11, 2]), lows, highs, num_bits=5) *
            tf.reshape(weights[:22], [11, 2]), [x, lows, highs])
        with tf.Session() as sess:
            args_value, vars_values, channel_values = sess.run([args_grad, vars_grads, channel_grads])
    inside, below, above = _ste_expectations(INPUTS, upstream, -1.3, 2.7)
    np.testing.assert_allclose(args_value, inside, rtol=1e-6)
    np.testing.assert_allclose(vars_values[0], inside, rtol=1e-6)
    np.testing.assert_allclose(vars_values[1:], [below, above], rtol=1e-5)
    data, grads = INPUTS[:22].reshape(11, 2), upstream[:22].reshape(11, 2)
    for channel, (a, b) in enumerate([(-1.3, 2.7), (-0.5, 1.0)]):
        expected = _ste_expectations(data[:, channel], grads[:, channel], a, b, num_bits=5)
        np.testing.assert_allclose(channel_values[0][:22].reshape(11, 2)[:, channel], expected[0], rtol=1e-6)
        np.testing.assert_allclose([channel_values[1][channel], channel_values[2][channel]], expected[1:],
                                   rtol=1e-5)
    assert vars_values[1].shape == () and channel_values[1].shape == (2,)


def test_fake_quant_errors():
    x = np.ones(3, np.float32)
    with pytest.raises(errors.InvalidArgumentError, match="min has to be smaller than max"):
        evaluate(lambda t: tf.fake_quant_with_min_max_args(t, min=2.0, max=1.0), [x])
    with pytest.raises(errors.InvalidArgumentError, match="num_bits must be between 2 and 16"):
        evaluate(lambda t: tf.fake_quant_with_min_max_args(t, num_bits=1), [x])
    with pytest.raises(errors.InvalidArgumentError, match="num_bits must be between 2 and 16"):
        evaluate(lambda t, a, b: tf.fake_quant_with_min_max_vars(t, a, b, num_bits=17),
                 [x, np.float32(0), np.float32(1)])
    with pytest.raises(TypeError, match="DataType float64 not in list of allowed values: float32"):
        tf.fake_quant_with_min_max_args(tf.constant([1.0], tf.float64))
    with pytest.raises(ValueError, match="Shape must be rank 0 but is rank 1"):
        tf.fake_quant_with_min_max_vars(x, [0.0], [1.0])
    with pytest.raises(ValueError, match="Shape must be rank 1 but is rank 0"):
        tf.fake_quant_with_min_max_vars_per_channel(np.ones((2, 3), np.float32), 0.0, 1.0)
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 3 and 2"):
        tf.fake_quant_with_min_max_vars_per_channel(np.ones((2, 3), np.float32), [0.0, 0.0], [1.0, 1.0])


def test_fake_quant_graph_def_round_trip():
    graph = tf.Graph()
    with graph.as_default():
        x = tf.constant(INPUTS)
        tf.fake_quant_with_min_max_args(x, min=-1.3, max=2.7, num_bits=4, narrow_range=True, name="args")
        tf.fake_quant_with_min_max_vars_per_channel(tf.reshape(x[:22], [11, 2]), [-1.0, -2.0], [1.0, 3.0],
                                                    num_bits=5, name="channels")
        with tf.Session() as sess:
            expected = sess.run(["args:0", "channels:0"])
    graph_def = graph.as_graph_def()
    assert {n.op for n in graph_def.node} >= {"FakeQuantWithMinMaxArgs", "FakeQuantWithMinMaxVarsPerChannel"}
    restored = tf.Graph()
    with restored.as_default():
        tf.import_graph_def(graph_def, name="")
        assert restored.get_operation_by_name("args").get_attr("num_bits") == 4
        with tf.Session() as sess:
            actual = sess.run(["args:0", "channels:0"])
    for a, e in zip(actual, expected):
        np.testing.assert_array_equal(a, e)


# --- extract_volume_patches ------------------------------------------------------------------------------
def _volume_patches_reference(x, ksizes, strides, padding):
    """Windows read element by element, out-of-range positions as zeros."""
    _, planes, rows, cols, depth = x.shape
    kp, kr, kc = ksizes
    sp, sr, sc = strides
    outs, befores = [], []
    for size, k, s in zip((planes, rows, cols), ksizes, strides):
        out = (size - k) // s + 1 if padding == "VALID" else -(-size // s)
        outs.append(out)
        befores.append(0 if padding == "VALID" else max((out - 1) * s + k - size, 0) // 2)
    result = np.zeros((x.shape[0],) + tuple(outs) + (kp * kr * kc * depth,), x.dtype)
    for b in range(x.shape[0]):
        for i, j, l in np.ndindex(*outs):
            values = []
            for p, r, c in np.ndindex(kp, kr, kc):
                pp, rr, cc = i * sp + p - befores[0], j * sr + r - befores[1], l * sc + c - befores[2]
                inside = 0 <= pp < planes and 0 <= rr < rows and 0 <= cc < cols
                values.extend(x[b, pp, rr, cc] if inside else np.zeros(depth, x.dtype))
            result[b, i, j, l] = values
    return result


def test_extract_volume_patches_values():
    x = np.arange(2 * 3 * 4 * 5 * 2, dtype=np.float32).reshape(2, 3, 4, 5, 2)
    out = evaluate(lambda t: tf.extract_volume_patches(t, [1, 2, 2, 3, 1], [1, 1, 2, 2, 1], "SAME"), [x])
    assert out.shape == (2, 3, 2, 3, 24)   # as TF 2.21
    np.testing.assert_array_equal(out[0, 0, 0, 0, :12], [0, 0, 0, 1, 2, 3, 0, 0, 10, 11, 12, 13])  # TF 2.21
    for ksizes, strides, padding in [((2, 2, 3), (1, 2, 2), "SAME"), ((2, 2, 3), (1, 2, 2), "VALID"),
                                     ((1, 3, 2), (2, 1, 3), "SAME"), ((3, 1, 1), (1, 1, 1), "VALID")]:
        out = evaluate(lambda t: tf.extract_volume_patches(t, [1, *ksizes, 1], [1, *strides, 1], padding), [x])
        np.testing.assert_array_equal(out, _volume_patches_reference(x, ksizes, strides, padding))
    graph = tf.Graph()
    with graph.as_default():
        static = tf.extract_volume_patches(tf.placeholder(tf.float32, [None, 3, 4, 5, 2]), [1, 2, 2, 3, 1],
                                           [1, 1, 2, 2, 1], "VALID")
        assert static.shape.as_list() == [None, 2, 2, 2, 24]


def test_extract_volume_patches_gradients():
    x = np.random.RandomState(1).normal(size=(1, 3, 3, 4, 2))
    for padding in ("SAME", "VALID"):
        check_gradients(lambda t: tf.extract_volume_patches(t, [1, 2, 2, 2, 1], [1, 1, 2, 1, 1], padding), [x])


def test_extract_volume_patches_errors():
    x = np.zeros((1, 2, 2, 2, 1), np.float32)
    with pytest.raises(errors.UnimplementedError, match="Only support ksizes across space"):
        evaluate(lambda t: tf.extract_volume_patches(t, [2, 1, 1, 1, 1], [1, 1, 1, 1, 1], "VALID"), [x])
    with pytest.raises(errors.UnimplementedError, match="Only support strides across space"):
        evaluate(lambda t: tf.extract_volume_patches(t, [1, 1, 1, 1, 1], [1, 1, 1, 1, 2], "VALID"), [x])
    with pytest.raises(ValueError, match="Shape must be rank 5 but is rank 4"):
        tf.extract_volume_patches(np.zeros((1, 2, 2, 2), np.float32), [1, 1, 1, 1, 1], [1, 1, 1, 1, 1], "VALID")
    with pytest.raises(ValueError, match="ksizes must be a list of 5 positive integers"):
        tf.extract_volume_patches(x, [1, 1, 1, 1], [1, 1, 1, 1, 1], "VALID")
    with pytest.raises(ValueError, match="not in the list of allowed values"):
        tf.extract_volume_patches(x, [1, 1, 1, 1, 1], [1, 1, 1, 1, 1], "FULL")


# --- conv2d_backprop_*_v2 ------------------------------------------------------------------------------
def test_conv2d_backprop_v2_adjoint_identities():
    """<conv2d(x, f), dy> = <x, backprop_input(dy)> = <f, backprop_filter(dy)>, for SAME, VALID and
    explicit padding."""
    rng = np.random.RandomState(2)
    x, f = rng.normal(size=(2, 5, 6, 3)), rng.normal(size=(3, 2, 3, 4))
    for padding, explicit in [("SAME", []), ("VALID", []), ("EXPLICIT", [0, 0, 1, 2, 0, 1, 0, 0])]:
        graph = tf.Graph()
        with graph.as_default():
            conv_padding = [explicit[i:i + 2] for i in range(0, 8, 2)] if explicit else padding
            y = tf.nn.conv2d(x, f, [1, 2, 1, 1], conv_padding)
            dy = tf.constant(rng.normal(size=y.shape.as_list()))
            dx = tf.conv2d_backprop_input_v2(x, f, dy, [1, 2, 1, 1], padding, explicit_paddings=explicit)
            df = tf.conv2d_backprop_filter_v2(x, f, dy, [1, 2, 1, 1], padding, explicit_paddings=explicit)
            assert dx.shape.as_list() == list(x.shape) and df.shape.as_list() == list(f.shape)
            with tf.Session() as sess:
                y_value, dy_value, dx_value, df_value = sess.run([y, dy, dx, df])
        np.testing.assert_allclose(np.sum(y_value * dy_value), np.sum(x * dx_value), rtol=1e-10)
        np.testing.assert_allclose(np.sum(y_value * dy_value), np.sum(f * df_value), rtol=1e-10)


def test_conv2d_backprop_v2_gradients_and_errors():
    rng = np.random.RandomState(3)
    x, f = rng.normal(size=(1, 4, 4, 2)), rng.normal(size=(2, 2, 2, 3))
    dy = rng.normal(size=(1, 4, 4, 3))
    check_gradients(lambda d, w: tf.conv2d_backprop_input_v2(x, w, d, [1, 1, 1, 1], "SAME"), [dy, f])
    check_gradients(lambda d, i: tf.conv2d_backprop_filter_v2(i, f, d, [1, 1, 1, 1], "SAME"), [dy, x])
    with pytest.raises(ValueError, match="explicit_paddings must have 8 entries"):
        tf.conv2d_backprop_input_v2(x, f, dy, [1, 1, 1, 1], "EXPLICIT", explicit_paddings=[1, 1])
    with pytest.raises(ValueError, match="explicit_paddings must be empty unless padding is 'EXPLICIT'"):
        tf.conv2d_backprop_filter_v2(x, f, dy, [1, 1, 1, 1], "SAME", explicit_paddings=[0] * 8)


# --- approx_top_k ------------------------------------------------------------------------------------
def test_approx_top_k_values():
    rows = np.array([[3., 1, 4, 1, 5, 9, 2, 6], [0, 0, 1, 1, 2, 2, 3, 3]], np.float32)
    values, indices = evaluate(lambda x: tf.approx_top_k(x, 3), [rows])
    np.testing.assert_array_equal(values, [[9, 6, 5], [3, 3, 2]])     # printed by TF 2.21
    np.testing.assert_array_equal(indices, [[5, 7, 4], [6, 7, 4]])
    assert indices.dtype == np.int32
    values, indices = evaluate(lambda x: tf.math.approx_min_k(x, 2), [rows])
    np.testing.assert_array_equal(values, [[1, 1], [0, 0]])
    np.testing.assert_array_equal(indices, [[1, 3], [0, 1]])
    rng = np.random.RandomState(4)
    data = rng.permutation(60).reshape(3, 4, 5).astype(np.int64)
    for axis in (0, 1, -1):
        for largest in (True, False):
            values, indices = evaluate(lambda x: tf.approx_top_k(x, 2, reduction_dimension=axis,
                                                                 is_max_k=largest), [data])
            order = np.argsort(-data if largest else data, axis=axis)
            expected = np.take(order, [0, 1], axis=axis)
            np.testing.assert_array_equal(indices, expected)
            np.testing.assert_array_equal(values, np.take_along_axis(data, expected, axis=axis))
    unsigned = np.array([[7, 250, 3]], np.uint8)
    np.testing.assert_array_equal(evaluate(lambda x: tf.nn.approx_max_k(x, 2)[0], [unsigned]), [[250, 7]])


def test_approx_top_k_gradients():
    x = np.random.RandomState(5).permutation(24).reshape(2, 3, 4) * 0.5
    check_gradients(lambda t: tf.math.approx_max_k(t, 2, reduction_dimension=1)[0] * 1.0, [x])
    check_gradients(lambda t: tf.math.approx_min_k(t, 3)[0], [x])


def test_approx_top_k_errors():
    x = np.zeros((2, 8), np.float32)
    with pytest.raises(ValueError, match="input must have at least k=9 entries along dimension 1, got 8"):
        tf.approx_top_k(x, 9)
    with pytest.raises(errors.InvalidArgumentError, match="input must have at least k columns. Had 8, needed 9"):
        _run_with_unknown_shape(lambda t: tf.approx_top_k(t, 9)[0], x)
    with pytest.raises(ValueError, match="recall_target must be in"):
        tf.approx_top_k(x, 2, recall_target=1.5)
    with pytest.raises(ValueError, match="reduction_dimension 2 is out of range"):
        tf.approx_top_k(x, 2, reduction_dimension=2)
    with pytest.raises(TypeError, match="DataType bool"):
        tf.approx_top_k(np.zeros(3, bool), 1)


def _run_with_unknown_shape(build, value):
    graph = tf.Graph()
    with graph.as_default():
        placeholder = tf.placeholder(tf.as_dtype(value.dtype), None)
        out = build(placeholder)
        with tf.Session() as sess:
            return sess.run(out, {placeholder: value})


def test_approx_top_k_graph_def_round_trip():
    graph = tf.Graph()
    with graph.as_default():
        tf.approx_top_k(tf.constant([[3.0, 1.0, 4.0, 1.5]]), 2, is_max_k=False, name="top")
        tf.extract_volume_patches(tf.reshape(tf.range(24.0), [1, 2, 3, 4, 1]), [1, 1, 2, 2, 1], [1, 1, 1, 2, 1],
                                  "SAME", name="volumes")
    restored = tf.Graph()
    with restored.as_default():
        tf.import_graph_def(graph.as_graph_def(), name="")
        assert restored.get_operation_by_name("top").get_attr("is_max_k") is False
        with tf.Session() as sess:
            values, indices, volumes = sess.run(["top:0", "top:1", "volumes:0"])
    np.testing.assert_array_equal(values, [[1.0, 1.5]])
    np.testing.assert_array_equal(indices, [[1, 3]])
    assert volumes.shape == (1, 2, 3, 2, 4)


# --- sobol_sample ------------------------------------------------------------------------------------
# Printed by TF 2.21: tf.math.sobol_sample(3, 5), (5, 4, skip=3), (4, 3, skip=1000) and two rows of
# (21, 2, skip=123456789, dtype=tf.float64) (to 12 digits).
SOBOL_3_5 = [[0.5, 0.5, 0.5], [0.75, 0.25, 0.25], [0.25, 0.75, 0.75], [0.375, 0.375, 0.625],
             [0.875, 0.875, 0.125]]
SOBOL_5_4_SKIP_3 = [[0.375, 0.375, 0.625, 0.875, 0.375], [0.875, 0.875, 0.125, 0.375, 0.875],
                    [0.625, 0.125, 0.875, 0.625, 0.625], [0.125, 0.625, 0.375, 0.125, 0.125]]
SOBOL_4_3_SKIP_1000 = [[0.71972656, 0.5966797, 0.018554688, 0.17675781],
                       [0.96972656, 0.3466797, 0.7685547, 0.9267578],
                       [0.46972656, 0.8466797, 0.2685547, 0.4267578]]
SOBOL_21_FAR = [
    [0.7258977368474007, 0.04243192821741104, 0.7564059123396873, 0.15878767520189285, 0.624858446419239,
     0.6013608798384666, 0.22530753165483475, 0.9422742202877998, 0.89159045368433, 0.15392694622278214,
     0.5438740774989128, 0.7310804352164268, 0.6156482174992561, 0.47098179906606674, 0.7223524525761604,
     0.4367324784398079, 0.7212109044194221, 0.2111000493168831, 0.4292170777916908, 0.2256787344813347,
     0.988566093146801],
    [0.22589773684740067, 0.542431928217411, 0.25640591233968735, 0.6587876752018929, 0.12485844641923904,
     0.10136087983846664, 0.7253075316548347, 0.44227422028779984, 0.39159045368433, 0.6539269462227821,
     0.04387407749891281, 0.23108043521642685, 0.11564821749925613, 0.9709817990660667, 0.22235245257616043,
     0.9367324784398079, 0.22121090441942215, 0.7111000493168831, 0.9292170777916908, 0.7256787344813347,
     0.488566093146801]]


def _run(tensors):
    with tf.Session() as sess:
        return sess.run(tensors)


def test_sobol_sample_values_against_tensorflow():
    with tf.Graph().as_default():
        points = [tf.math.sobol_sample(3, 5), tf.math.sobol_sample(5, 4, skip=3),
                  tf.math.sobol_sample(4, 3, skip=1000),
                  tf.math.sobol_sample(21, 2, skip=123456789, dtype=tf.float64)]
        assert points[0].shape.as_list() == [5, 3] and points[3].dtype == tf.float64
        values = _run(points)
    assert values[0].dtype == np.float32
    np.testing.assert_array_equal(values[0], SOBOL_3_5)
    np.testing.assert_array_equal(values[1], SOBOL_5_4_SKIP_3)
    np.testing.assert_allclose(values[2], SOBOL_4_3_SKIP_1000, rtol=1e-7)
    np.testing.assert_allclose(values[3], SOBOL_21_FAR, rtol=1e-14)


def test_sobol_sample_is_a_low_discrepancy_net():
    # Each of the first 2**m points' coordinates hits every interval [j / 2**m, (j + 1) / 2**m) once.
    with tf.Graph().as_default():
        values = _run(tf.math.sobol_sample(21, 255, dtype=tf.float64))
    points = np.vstack([np.zeros((1, 21)), values])   # TF leaves out point 0, the origin
    for column in range(21):
        np.testing.assert_array_equal(np.sort(np.floor(points[:, column] * 256)), np.arange(256))


def test_sobol_sample_errors():
    with tf.Graph().as_default():
        for args, message in [((0, 3), "dim must be at least one"), ((2, 0), "num_results must be at least one"),
                              ((2, 3, -1), "skip must be non-negative"), ((22, 1), "dim must be at most 21")]:
            with pytest.raises(errors.InvalidArgumentError, match=message):
                _run(tf.math.sobol_sample(*args))
        with pytest.raises(TypeError, match="not in the list of allowed values: float, double"):
            tf.math.sobol_sample(2, 3, dtype=tf.int32)
        with pytest.raises(ValueError, match="Shape must be rank 0 but is rank 1"):
            tf.math.sobol_sample([2], 3)


# --- random_index_shuffle ------------------------------------------------------------------------------
def test_random_index_shuffle_is_a_seeded_bijection():
    with tf.Graph().as_default():
        for dtype in (np.int32, np.uint32, np.int64, np.uint64):
            for bound in (0, 1, 2, 9, 100, 1023, 1024):
                out = _run(tf.random_index_shuffle(np.arange(bound + 1, dtype=dtype),
                                                   np.array([1, 2, 3], dtype), dtype(bound)))
                assert out.dtype == dtype
                np.testing.assert_array_equal(np.sort(out), np.arange(bound + 1))
        indices = np.arange(1000, dtype=np.int64)
        first, again, other_seed = _run([tf.random_index_shuffle(indices, [5, 6, 7], np.int64(999)),
                                         tf.random_index_shuffle(indices, [5, 6, 7], np.int64(999)),
                                         tf.random_index_shuffle(indices, [5, 6, 8], np.int64(999))])
        np.testing.assert_array_equal(first, again)
        assert np.mean(first == other_seed) < 0.05 and np.mean(first == indices) < 0.05
        # A [n, 3] seed gives each index its own permutation; max_index may vary per element.
        per_row_seeds = np.array([[5, 6, 7], [5, 6, 8]], np.int64)
        pair = _run(tf.random_index_shuffle(np.array([3, 3], np.int64), per_row_seeds, np.int64(999)))
        assert pair[0] == first[3] and pair[1] == other_seed[3]
        bounded = _run(tf.random_index_shuffle(np.array([3, 4], np.int64), [1, 2, 3], np.array([9, 5], np.int64)))
        assert bounded[0] <= 9 and bounded[1] <= 5
        np.testing.assert_array_equal(_run(tf.random_index_shuffle(np.arange(8), [1, 2, 3], 7, rounds=0)),
                                      np.arange(8))


def test_random_index_shuffle_errors():
    with tf.Graph().as_default():
        with pytest.raises(errors.InvalidArgumentError, match=r"max_index must be >= index, but 9 < 12"):
            _run(tf.random_index_shuffle(np.array([12], np.int64), [1, 2, 3], np.int64(9)))
        with pytest.raises(errors.InvalidArgumentError, match=r"Seed must be a vector of size \[3\] or a matrix"):
            _run(tf.random_index_shuffle(np.array([3, 4], np.int64), np.array([1, 2], np.int64), np.int64(9)))
        with pytest.raises(TypeError, match="attr 'dtype' of float64 is not in the list of allowed values"):
            tf.random_index_shuffle(np.array([3.0]), [1, 2, 3], 9.0)
        with pytest.raises(TypeError, match="Input 'max_index' of 'RandomIndexShuffle' Op has type int32"):
            tf.random_index_shuffle(np.array([3], np.int64), [1, 2, 3], tf.constant(9))


# --- tf.conv (the Conv op) ---------------------------------------------------------------------------
def _conv_reference(x, f, strides, paddings, dilations, groups=1):
    """Direct cross-correlation, position by position, of [batch, *spatial, channels] inputs already
    padded by `paddings` [(before, after) per spatial axis]."""
    padded = np.pad(x, [(0, 0)] + list(paddings) + [(0, 0)])
    kernel, (filter_in, filter_out) = f.shape[:-2], f.shape[-2:]
    reach = [(k - 1) * d + 1 for k, d in zip(kernel, dilations)]
    outs = [(n - r) // s + 1 for n, r, s in zip(padded.shape[1:-1], reach, strides)]
    per_group = filter_out // groups
    result = np.zeros((x.shape[0],) + tuple(outs) + (filter_out,))
    for b in range(x.shape[0]):
        for position in np.ndindex(*outs):
            for offset in np.ndindex(*kernel):
                where = tuple(p * s + o * d for p, s, o, d in zip(position, strides, offset, dilations))
                for o in range(filter_out):
                    g = o // per_group
                    result[(b,) + position + (o,)] += np.dot(
                        padded[(b,) + where][g * filter_in:(g + 1) * filter_in], f[offset + (slice(None), o)])
    return result


def test_conv_values():
    rng = np.random.RandomState(6)
    x, f = rng.normal(size=(2, 5, 6, 4)), rng.normal(size=(3, 2, 4, 5))
    # SAME with stride 2 along rows: 3 rows, padding (0, 1) - TF's split, the extra row at the end.
    out = evaluate(lambda a, b: tf.conv(a, b, [1, 2, 1, 1], "SAME"), [x, f])
    np.testing.assert_allclose(out, _conv_reference(x, f, (2, 1), [(1, 1), (0, 1)], (1, 1)), rtol=1e-10)
    np.testing.assert_allclose(out, evaluate(lambda a, b: tf.nn.conv2d(a, b, [1, 2, 1, 1], "SAME"), [x, f]),
                               rtol=1e-10)
    out = evaluate(lambda a, b: tf.conv(a, b, [1, 1, 1, 1], "EXPLICIT", explicit_paddings=[0, 0, 1, 2, 0, 1, 0, 0],
                                        dilations=[1, 2, 1, 1]), [x, f])
    assert out.shape == (2, 4, 6, 5)   # as TF 2.21
    np.testing.assert_allclose(out, _conv_reference(x, f, (1, 1), [(1, 2), (0, 1)], (2, 1)), rtol=1e-10)
    # batch_dims=2: the leading two dimensions are both batch dimensions.
    stacked = rng.normal(size=(2, 3, 5, 6, 4))
    out = evaluate(lambda a, b: tf.conv(a, b, [1, 1, 2, 1], "VALID", batch_dims=2), [stacked, f])
    expected = _conv_reference(stacked.reshape(6, 5, 6, 4), f, (1, 2), [(0, 0), (0, 0)], (1, 1))
    np.testing.assert_allclose(out, expected.reshape((2, 3) + expected.shape[1:]), rtol=1e-10)
    # 3 spatial dimensions, groups, and CHANNELS_FIRST (its result is CHANNELS_LAST's, transposed).
    volume, grouped = rng.normal(size=(1, 4, 4, 3, 4)), rng.normal(size=(2, 2, 2, 2, 6))
    out = evaluate(lambda a, b: tf.conv(a, b, [1, 1, 2, 1, 1], "VALID", groups=2), [volume, grouped])
    np.testing.assert_allclose(out, _conv_reference(volume, grouped, (1, 2, 1), [(0, 0)] * 3, (1, 1, 1), 2),
                               rtol=1e-10)
    first = evaluate(lambda a, b: tf.conv(a, b, [1, 1, 1, 1, 2], "SAME", data_format="CHANNELS_FIRST", groups=2),
                     [np.moveaxis(volume, -1, 1), grouped])
    last = evaluate(lambda a, b: tf.conv(a, b, [1, 1, 1, 2, 1], "SAME", groups=2), [volume, grouped])
    np.testing.assert_allclose(first, np.moveaxis(last, -1, 1), rtol=1e-10)
    graph = tf.Graph()
    with graph.as_default():
        shaped = tf.conv(tf.placeholder(tf.float32, [None, 7, 9, 4]), tf.zeros([3, 3, 4, 8]), [1, 2, 2, 1], "SAME")
        assert shaped.shape.as_list() == [None, 4, 5, 8]


def test_conv_gradients():
    rng = np.random.RandomState(7)
    check_gradients(lambda a, b: tf.conv(a, b, [1, 2, 1, 1], "SAME", dilations=[1, 1, 2, 1]),
                    [rng.normal(size=(1, 4, 5, 2)), rng.normal(size=(2, 2, 2, 3))])
    check_gradients(lambda a, b: tf.conv(a, b, [1, 1, 1, 1], "EXPLICIT", explicit_paddings=[0, 0, 1, 0, 2, 1, 0, 0],
                                         batch_dims=2, groups=2),
                    [rng.normal(size=(2, 1, 3, 3, 4)), rng.normal(size=(2, 2, 2, 4))])
    check_gradients(lambda a, b: tf.conv(a, b, [1, 1, 2, 1, 1], "VALID", data_format="CHANNELS_FIRST"),
                    [rng.normal(size=(1, 2, 3, 3, 3)), rng.normal(size=(2, 1, 2, 2, 2))])


def test_conv_errors():
    x, f = np.zeros((2, 5, 6, 4)), np.zeros((3, 2, 4, 5))
    with pytest.raises(ValueError, match="Sliding window strides field must specify 4 dimensions"):
        tf.conv(x, f, [1, 1, 1], "SAME")
    with pytest.raises(ValueError, match="does not support strides in the batch and depth dimensions"):
        tf.conv(x, f, [2, 1, 1, 1], "SAME")
    with pytest.raises(ValueError, match="The input must have 2 or 3 spatial dimensions but got 1"):
        tf.conv(np.zeros((2, 7, 2)), np.zeros((3, 2, 3)), [1, 2, 1], "SAME")
    with pytest.raises(ValueError, match="explicit_paddings must hold 8 non-negative values"):
        tf.conv(x, f, [1, 1, 1, 1], "EXPLICIT", explicit_paddings=[1, 1])
    with pytest.raises(ValueError, match="not in the list of allowed values"):
        tf.conv(x, f, [1, 1, 1, 1], "FULL")
    with pytest.raises(errors.InvalidArgumentError, match="Input depth must be equal to filter depth: 4 vs 2"):
        evaluate(lambda a, b: tf.conv(a, b, [1, 1, 1, 1], "SAME"), [x, np.zeros((3, 2, 2, 5))])
    with pytest.raises(errors.InvalidArgumentError, match="output depth 5 is not divisible by groups 2"):
        evaluate(lambda a, b: tf.conv(a, b, [1, 1, 1, 1], "SAME", groups=2), [x, np.zeros((3, 2, 2, 5))])


def test_conv_graph_def_round_trip():
    rng = np.random.RandomState(8)
    x, f = rng.normal(size=(1, 4, 4, 2)).astype(np.float32), rng.normal(size=(2, 2, 2, 3)).astype(np.float32)
    graph = tf.Graph()
    with graph.as_default():
        tf.conv(tf.constant(x), tf.constant(f), [1, 1, 2, 1], "EXPLICIT", explicit_paddings=[0, 0, 1, 0, 0, 1, 0, 0],
                name="conv")
        tf.math.sobol_sample(3, 4, skip=2, dtype=tf.float64, name="sobol")
        with tf.Session() as sess:
            expected = sess.run(["conv:0", "sobol:0"])
    restored = tf.Graph()
    with restored.as_default():
        tf.import_graph_def(graph.as_graph_def(), name="")
        with tf.Session() as sess:
            actual = sess.run(["conv:0", "sobol:0"])
    for a, e in zip(actual, expected):
        np.testing.assert_array_equal(a, e)
    assert actual[1].dtype == np.float64


def test_quantization_namespace_names_the_same_functions():
    import numflow.quantization as quantization
    for name in quantization.__all__:
        assert getattr(quantization, name) is getattr(tf, name)
    assert tf.quantization.fake_quant_with_min_max_args is tf.fake_quant_with_min_max_args
