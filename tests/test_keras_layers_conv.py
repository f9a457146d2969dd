"""tf.keras.layers convolutional and pooling layers: values vs NumPy loops, gradients vs finite differences
(input and weights), shapes, configs and argument errors."""
import itertools

import numpy as np
import pytest

import numflow as tf
from test_keras_layers_helpers import check_layer_gradients, config_round_trip, run_layer

L = tf.keras.layers
RNG = np.random.RandomState(7)


def same_pad(size, k, s, d):
    dk = (k - 1) * d + 1
    out = -(-size // s)
    total = max((out - 1) * s + dk - size, 0)
    return total // 2


def np_conv(x, kernel, strides, padding, dilation):
    """Direct N-D convolution of channels_last `x` with kernel (k..., in, out)."""
    rank = x.ndim - 2
    ks = kernel.shape[:rank]
    pads = [same_pad(x.shape[1 + i], ks[i], strides[i], dilation[i]) if padding == "same" else 0
            for i in range(rank)]
    if padding == "same":
        outs = [-(-x.shape[1 + i] // strides[i]) for i in range(rank)]
    else:
        outs = [(x.shape[1 + i] - (ks[i] - 1) * dilation[i] - 1) // strides[i] + 1 for i in range(rank)]
    y = np.zeros((x.shape[0],) + tuple(outs) + (kernel.shape[-1],))
    for o in itertools.product(*[range(n) for n in outs]):
        for k in itertools.product(*[range(n) for n in ks]):
            pos = [o[i] * strides[i] + k[i] * dilation[i] - pads[i] for i in range(rank)]
            if all(0 <= p < x.shape[1 + i] for i, p in enumerate(pos)):
                y[(slice(None),) + o] += x[(slice(None),) + tuple(pos)] @ kernel[k]
    return y


def np_conv_transpose(x, kernel, strides, padding, out_sizes):
    """Transposed convolution of channels_last `x` with kernel (k..., out, in) to spatial `out_sizes`."""
    rank = x.ndim - 2
    ks = kernel.shape[:rank]
    pads = []
    for i in range(rank):
        total = max((x.shape[1 + i] - 1) * strides[i] + ks[i] - out_sizes[i], 0)
        pads.append(total // 2 if padding == "same" else 0)
    y = np.zeros((x.shape[0],) + tuple(out_sizes) + (kernel.shape[-2],))
    for i_pos in itertools.product(*[range(n) for n in x.shape[1:-1]]):
        for k in itertools.product(*[range(n) for n in ks]):
            pos = [i_pos[i] * strides[i] + k[i] - pads[i] for i in range(rank)]
            if all(0 <= p < out_sizes[i] for i, p in enumerate(pos)):
                y[(slice(None),) + tuple(pos)] += x[(slice(None),) + i_pos] @ kernel[k].T
    return y


def to_last(x):
    return np.moveaxis(x, 1, -1)


def to_first(x):
    return np.moveaxis(x, -1, 1)


@pytest.mark.parametrize("rank,kwargs", [
    (1, dict(strides=2, padding="valid")), (1, dict(padding="same", dilation_rate=2)),
    (2, dict(strides=(2, 1), padding="same")), (2, dict(dilation_rate=2)),
    (2, dict(data_format="channels_first", padding="same")), (3, dict(strides=2)),
    (3, dict(data_format="channels_first"))])
def test_conv_values(rank, kwargs):
    cls = {1: L.Conv1D, 2: L.Conv2D, 3: L.Conv3D}[rank]
    x = RNG.randn(2, *([7] * rank), 3).astype(np.float32)
    kernel = RNG.randn(*([3] * rank), 3, 4).astype(np.float32)
    bias = RNG.randn(4).astype(np.float32)
    channels_first = kwargs.get("data_format") == "channels_first"
    layer = cls(4, 3, activation="relu", **kwargs)
    out = run_layer(layer, to_first(x) if channels_first else x, weights=[kernel, bias])
    strides = tuple(np.broadcast_to(kwargs.get("strides", 1), rank))
    dilation = tuple(np.broadcast_to(kwargs.get("dilation_rate", 1), rank))
    expected = np.maximum(np_conv(x.astype(np.float64), kernel, strides, kwargs.get("padding", "valid"), dilation)
                          + bias, 0)
    np.testing.assert_allclose(to_last(out) if channels_first else out, expected, rtol=1e-4, atol=1e-4)
    assert layer.kernel.name == layer.name + "/kernel:0" and layer.bias.name == layer.name + "/bias:0"
    assert layer.kernel.shape.as_list() == [3] * rank + [3, 4]
    in_shape = (to_first(x) if channels_first else x).shape
    assert tuple(layer.compute_output_shape(in_shape).as_list()) == out.shape


def test_conv1d_causal_sees_only_the_past():
    x = RNG.randn(1, 6, 2).astype(np.float32)
    kernel = RNG.randn(3, 2, 1).astype(np.float32)
    out = run_layer(L.Conv1D(1, 3, padding="causal", dilation_rate=2, use_bias=False), x, weights=[kernel])
    padded = np.concatenate([np.zeros((1, 4, 2)), x], axis=1)
    np.testing.assert_allclose(out, np_conv(padded, kernel, (1,), "valid", (2,)), rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="Causal padding is only supported"):
        L.Conv2D(1, 3, padding="causal")


@pytest.mark.parametrize("layer_fn,shape", [
    (lambda: L.Conv1D(2, 2, strides=2, dtype="float64"), (2, 5, 2)),
    (lambda: L.Conv2D(2, (2, 3), padding="same", dtype="float64"), (1, 3, 4, 2)),
    (lambda: L.Conv2D(2, 2, data_format="channels_first", dtype="float64"), (1, 2, 3, 3)),
    (lambda: L.Conv3D(2, 2, dtype="float64"), (1, 3, 3, 3, 2)),
    (lambda: L.Conv2DTranspose(2, 3, strides=2, dtype="float64"), (1, 2, 2, 2)),
    (lambda: L.Conv1DTranspose(2, 2, strides=2, padding="same", dtype="float64"), (1, 3, 2)),
    (lambda: L.Conv3DTranspose(1, 2, strides=2, dtype="float64"), (1, 2, 2, 1, 2)),
    (lambda: L.SeparableConv2D(2, 2, depth_multiplier=2, dtype="float64"), (1, 3, 3, 2)),
    (lambda: L.SeparableConv1D(2, 2, padding="causal", dtype="float64"), (1, 4, 2)),
    (lambda: L.DepthwiseConv2D(2, depth_multiplier=2, dtype="float64"), (1, 3, 3, 2)),
])
def test_conv_gradients(layer_fn, shape):
    check_layer_gradients(layer_fn, RNG.randn(*shape), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("rank,kwargs", [
    (2, dict(strides=2)), (2, dict(strides=2, padding="same")), (2, dict(strides=2, padding="same",
                                                                        output_padding=1)),
    (2, dict(strides=(2, 1), data_format="channels_first")), (1, dict(strides=3, padding="valid")),
    (3, dict(strides=2, padding="same"))])
def test_conv_transpose_values(rank, kwargs):
    cls = {1: L.Conv1DTranspose, 2: L.Conv2DTranspose, 3: L.Conv3DTranspose}[rank]
    x = RNG.randn(2, *([3] * rank), 3).astype(np.float32)
    kernel = RNG.randn(*([3] * rank), 4, 3).astype(np.float32)
    bias = RNG.randn(4).astype(np.float32)
    channels_first = kwargs.get("data_format") == "channels_first"
    layer = cls(4, 3, **kwargs)
    out = run_layer(layer, to_first(x) if channels_first else x, weights=[kernel, bias])
    out = to_last(out) if channels_first else out
    strides = tuple(np.broadcast_to(kwargs.get("strides", 1), rank))
    padding = kwargs.get("padding", "valid")
    sizes = []
    for s in strides:
        if "output_padding" in kwargs:
            sizes.append((3 - 1) * s + 3 - 2 * (3 // 2) + kwargs["output_padding"])
        else:
            sizes.append(3 * s + max(3 - s, 0) if padding == "valid" else 3 * s)
    expected = np_conv_transpose(x.astype(np.float64), kernel, strides, padding, sizes) + bias
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-4)
    assert layer.kernel.shape.as_list() == [3] * rank + [4, 3]


def test_conv_transpose_output_padding_must_be_below_stride():
    with pytest.raises(ValueError, match="must be greater than output padding"):
        L.Conv2DTranspose(2, 3, strides=2, output_padding=2)


def np_depthwise(x, depthwise, strides, padding):
    channels, multiplier = depthwise.shape[-2:]
    outs = []
    for c in range(channels):
        outs.append(np_conv(x[..., c:c + 1], depthwise[:, :, c:c + 1, :], strides, padding, (1, 1)))
    return np.concatenate(outs, axis=-1)  # channel-major: c * multiplier + m


def test_depthwise_and_separable_values():
    x = RNG.randn(2, 5, 5, 3).astype(np.float32)
    depthwise = RNG.randn(3, 3, 3, 2).astype(np.float32)
    pointwise = RNG.randn(1, 1, 6, 4).astype(np.float32)
    bias4, bias6 = RNG.randn(4).astype(np.float32), RNG.randn(6).astype(np.float32)
    expected_dw = np_depthwise(x.astype(np.float64), depthwise, (2, 2), "same")
    out = run_layer(L.DepthwiseConv2D(3, strides=2, padding="same", depth_multiplier=2), x,
                    weights=[depthwise, bias6])
    np.testing.assert_allclose(out, expected_dw + bias6, rtol=1e-4, atol=1e-4)
    layer = L.SeparableConv2D(4, 3, strides=2, padding="same", depth_multiplier=2)
    out = run_layer(layer, x, weights=[depthwise, pointwise, bias4])
    np.testing.assert_allclose(out, expected_dw @ pointwise[0, 0] + bias4, rtol=1e-4, atol=1e-4)
    assert [w.name for w in layer.weights] == [layer.name + "/depthwise_kernel:0",
                                               layer.name + "/pointwise_kernel:0", layer.name + "/bias:0"]
    x1 = x[:, 0]
    out = run_layer(L.SeparableConv1D(4, 3, depth_multiplier=2), x1,
                    weights=[depthwise[0], pointwise[0], bias4])
    expected = np_depthwise(x1[:, None].astype(np.float64), depthwise[:1], (1, 1), "valid")[:, 0]
    np.testing.assert_allclose(out, expected @ pointwise[0, 0] + bias4, rtol=1e-4, atol=1e-4)


def test_conv_config_round_trip_and_aliases():
    layer = L.Conv2D(3, (2, 3), strides=2, padding="same", dilation_rate=1, data_format="channels_first",
                     activation="relu", use_bias=False, name="c")
    config = layer.get_config()
    assert config["kernel_size"] == (2, 3) and config["strides"] == (2, 2) and config["padding"] == "same"
    assert config["activation"] == "relu" and config["filters"] == 3 and config["name"] == "c"
    config_round_trip(layer)
    for layer in [L.Conv1D(2, 3), L.Conv3D(2, 3), L.Conv2DTranspose(2, 3, output_padding=None),
                  L.SeparableConv2D(2, 3, depth_multiplier=3), L.SeparableConv1D(2, 3),
                  L.DepthwiseConv2D(3, depth_multiplier=2), L.Conv1DTranspose(2, 3)]:
        config_round_trip(layer)
    assert "kernel_initializer" not in L.SeparableConv2D(2, 3).get_config()
    assert "filters" not in L.DepthwiseConv2D(3).get_config()
    assert L.Convolution2D is L.Conv2D and L.SeparableConvolution2D is L.SeparableConv2D
    assert L.Convolution3DTranspose is L.Conv3DTranspose


def test_conv_argument_and_shape_errors():
    with pytest.raises(ValueError, match="The `kernel_size` argument must be a tuple of 2 integers"):
        L.Conv2D(2, (1, 2, 3))
    with pytest.raises(ValueError, match="The `padding` argument must be one of"):
        L.Conv2D(2, 3, padding="full")
    with pytest.raises(ValueError, match="The `data_format` argument must be one of"):
        L.Conv2D(2, 3, data_format="NHWC")
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="expected ndim=4, found ndim=3"):
            L.Conv2D(2, 3)(tf.placeholder(tf.float32, [None, 4, 4]))
        with pytest.raises(ValueError, match="The channel dimension of the inputs should be defined"):
            L.Conv2D(2, 3)(tf.placeholder(tf.float32, [None, 4, 4, None]))
        layer = L.Conv2D(2, 3)
        layer(tf.placeholder(tf.float32, [None, 4, 4, 3]))
        with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 3"):
            layer(tf.placeholder(tf.float32, [None, 4, 4, 5]))


# --- padding, cropping, upsampling --------------------------------------------------------------
def test_zero_padding_and_cropping():
    x = RNG.randn(2, 3, 4, 5).astype(np.float32)
    out = run_layer(L.ZeroPadding2D(((1, 2), (0, 1))), x)
    np.testing.assert_array_equal(out, np.pad(x, [(0, 0), (1, 2), (0, 1), (0, 0)]))
    out = run_layer(L.ZeroPadding2D(1, data_format="channels_first"), x)
    np.testing.assert_array_equal(out, np.pad(x, [(0, 0), (0, 0), (1, 1), (1, 1)]))
    out = run_layer(L.ZeroPadding1D((2, 1)), x[:, 0])
    np.testing.assert_array_equal(out, np.pad(x[:, 0], [(0, 0), (2, 1), (0, 0)]))
    x5 = RNG.randn(1, 2, 3, 4, 2).astype(np.float32)
    np.testing.assert_array_equal(run_layer(L.ZeroPadding3D((1, 0, 2)), x5),
                                  np.pad(x5, [(0, 0), (1, 1), (0, 0), (2, 2), (0, 0)]))
    np.testing.assert_array_equal(run_layer(L.Cropping2D(((1, 0), (1, 2))), x), x[:, 1:, 1:-2])
    np.testing.assert_array_equal(run_layer(L.Cropping1D((1, 1)), x[:, 0]), x[:, 0, 1:-1])
    np.testing.assert_array_equal(run_layer(L.Cropping3D(((1, 0), (1, 1), (0, 1))), x5), x5[:, 1:, 1:-1, :-1])
    np.testing.assert_array_equal(run_layer(L.Cropping2D(1, data_format="channels_first"), x), x[:, :, 1:-1, 1:-1])
    assert L.ZeroPadding2D(2).get_config()["padding"] == ((2, 2), (2, 2))
    assert L.Cropping1D(2).get_config()["cropping"] == (2, 2)
    for layer in [L.ZeroPadding1D(2), L.ZeroPadding2D((1, 2)), L.ZeroPadding3D(1), L.Cropping1D(),
                  L.Cropping2D(((1, 0), (0, 1))), L.Cropping3D(), L.UpSampling1D(3),
                  L.UpSampling2D((2, 3), interpolation="bilinear"), L.UpSampling3D()]:
        config_round_trip(layer)
    check_layer_gradients(lambda: L.ZeroPadding2D(1, dtype="float64"), RNG.randn(1, 2, 2, 1))
    check_layer_gradients(lambda: L.Cropping2D(1, dtype="float64"), RNG.randn(1, 3, 4, 1))


def test_padding_and_cropping_errors():
    with pytest.raises(ValueError, match="`padding` should have 2 elements"):
        L.ZeroPadding2D((1, 2, 3))
    with pytest.raises(ValueError, match="`cropping` should have 3 elements"):
        L.Cropping3D((1, 2))
    with pytest.raises(ValueError, match="must not be negative"):
        L.Cropping2D(-1)
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="removes every element"):
            L.Cropping2D(2)(tf.placeholder(tf.float32, [None, 4, 4, 1]))


def test_upsampling_nearest_and_bilinear():
    x = RNG.randn(2, 3, 4, 2).astype(np.float32)
    out = run_layer(L.UpSampling2D((2, 3)), x)
    np.testing.assert_array_equal(out, x.repeat(2, axis=1).repeat(3, axis=2))
    out = run_layer(L.UpSampling2D(2, data_format="channels_first"), x)
    np.testing.assert_array_equal(out, x.repeat(2, axis=2).repeat(2, axis=3))
    np.testing.assert_array_equal(run_layer(L.UpSampling1D(3), x[:, 0]), x[:, 0].repeat(3, axis=1))
    x5 = RNG.randn(1, 2, 1, 2, 1).astype(np.float32)
    np.testing.assert_array_equal(run_layer(L.UpSampling3D((1, 2, 3)), x5),
                                  x5.repeat(2, axis=2).repeat(3, axis=3))
    # bilinear with half-pixel centers: output pixel i samples input coordinate (i + 0.5) / 2 - 0.5
    row = np.array([[0.0, 4.0, 8.0]], dtype=np.float32).reshape(1, 1, 3, 1)
    out = run_layer(L.UpSampling2D((1, 2), interpolation="bilinear"), row)
    np.testing.assert_allclose(out[0, 0, :, 0], [0, 1, 3, 5, 7, 8], rtol=1e-6)
    check_layer_gradients(lambda: L.UpSampling2D(2, dtype="float64"), RNG.randn(1, 2, 2, 1))
    # resize_bilinear computes in float32 (as TF); the map is linear, so a large step is exact
    check_layer_gradients(lambda: L.UpSampling2D(2, interpolation="bilinear", dtype="float64"),
                          RNG.randn(1, 2, 2, 1), delta=0.1, rtol=1e-4, atol=1e-4)
    with pytest.raises(ValueError, match="`interpolation` argument should be one of"):
        L.UpSampling2D(interpolation="bicubic")


# --- pooling ---------------------------------------------------------------------------------------
def np_pool(x, pool, strides, padding, mode):
    rank = x.ndim - 2
    if padding == "same":
        outs = [-(-x.shape[1 + i] // strides[i]) for i in range(rank)]
        pads = [same_pad(x.shape[1 + i], pool[i], strides[i], 1) for i in range(rank)]
    else:
        outs = [(x.shape[1 + i] - pool[i]) // strides[i] + 1 for i in range(rank)]
        pads = [0] * rank
    y = np.zeros((x.shape[0],) + tuple(outs) + (x.shape[-1],))
    for o in itertools.product(*[range(n) for n in outs]):
        index = [slice(None)]
        for i in range(rank):
            start = o[i] * strides[i] - pads[i]
            index.append(slice(max(start, 0), min(start + pool[i], x.shape[1 + i])))
        window = x[tuple(index)].reshape(x.shape[0], -1, x.shape[-1])
        y[(slice(None),) + o] = window.max(axis=1) if mode == "max" else window.mean(axis=1)
    return y


@pytest.mark.parametrize("name,rank,kwargs", [
    ("MaxPooling1D", 1, {}), ("AveragePooling1D", 1, dict(pool_size=3, strides=1, padding="same")),
    ("MaxPooling2D", 2, dict(pool_size=3, strides=2, padding="same")), ("AveragePooling2D", 2, {}),
    ("MaxPooling2D", 2, dict(data_format="channels_first")),
    ("MaxPooling3D", 3, {}), ("AveragePooling3D", 3, dict(pool_size=2, strides=1, padding="same"))])
def test_pooling_values_and_gradients(name, rank, kwargs):
    x = RNG.randn(2, *([5] * rank), 3)
    channels_first = kwargs.get("data_format") == "channels_first"
    layer = getattr(L, name)(**kwargs)
    out = run_layer(layer, (to_first(x) if channels_first else x).astype(np.float32))
    pool = tuple(np.broadcast_to(kwargs.get("pool_size", 2), rank))
    strides = tuple(np.broadcast_to(kwargs.get("strides", kwargs.get("pool_size", 2)), rank))
    expected = np_pool(x, pool, strides, kwargs.get("padding", "valid"), "max" if "Max" in name else "avg")
    np.testing.assert_allclose(to_last(out) if channels_first else out, expected, rtol=1e-5, atol=1e-6)
    in_shape = (to_first(x) if channels_first else x).shape
    assert tuple(layer.compute_output_shape(in_shape).as_list()) == out.shape
    config_round_trip(layer)
    small = RNG.randn(1, *([4] * rank), 1) if rank < 3 else RNG.randn(1, 2, 2, 2, 1)
    check_layer_gradients(lambda: getattr(L, name)(dtype="float64", **kwargs),
                          to_first(small) if channels_first else small)


def test_global_pooling_and_masked_average():
    x = RNG.randn(2, 3, 4, 5).astype(np.float32)
    np.testing.assert_allclose(run_layer(L.GlobalMaxPooling2D(), x), x.max(axis=(1, 2)))
    np.testing.assert_allclose(run_layer(L.GlobalAveragePooling2D(data_format="channels_first"), x),
                               x.mean(axis=(2, 3)), rtol=1e-6)
    np.testing.assert_allclose(run_layer(L.GlobalAvgPool1D(), x[:, 0]), x[:, 0].mean(axis=1), rtol=1e-6)
    x5 = RNG.randn(2, 2, 3, 2, 4).astype(np.float32)
    np.testing.assert_allclose(run_layer(L.GlobalMaxPool3D(), x5), x5.max(axis=(1, 2, 3)))
    np.testing.assert_allclose(run_layer(L.GlobalAveragePooling3D(), x5), x5.mean(axis=(1, 2, 3)), rtol=1e-5)
    seq = np.array([[[1, 2], [3, 4], [0, 0]]], dtype=np.float32)
    with tf.Graph().as_default():
        inp = tf.placeholder(tf.float32, [None, 3, 2])
        out = L.GlobalAveragePooling1D()(L.Masking()(inp))
        value = tf.keras.backend.get_session().run(out, {inp: seq})
    np.testing.assert_allclose(value, [[2, 3]])
    assert L.GlobalMaxPooling2D().compute_output_shape((None, 3, 4, 5)).as_list() == [None, 5]
    check_layer_gradients(lambda: L.GlobalAveragePooling2D(dtype="float64"), RNG.randn(2, 2, 3, 2))
    check_layer_gradients(lambda: L.GlobalMaxPooling1D(dtype="float64"), RNG.randn(2, 3, 2))
    assert L.GlobalAvgPool2D is L.GlobalAveragePooling2D and L.MaxPool2D is L.MaxPooling2D
    assert L.AvgPool3D is L.AveragePooling3D and L.GlobalMaxPool1D is L.GlobalMaxPooling1D
    config_round_trip(L.GlobalAveragePooling2D(data_format="channels_first"))


def test_pooling_errors():
    with pytest.raises(ValueError, match="The `pool_size` argument must be a tuple of 2 integers"):
        L.MaxPooling2D(pool_size=(1, 2, 3))
    with pytest.raises(ValueError, match="The `padding` argument must be one of"):
        L.AveragePooling1D(padding="causal")
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="expected ndim=5, found ndim=4"):
            L.MaxPooling3D()(tf.placeholder(tf.float32, [None, 4, 4, 1]))
