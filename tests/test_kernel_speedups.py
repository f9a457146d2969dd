"""The bandwidth-bound kernels rewritten for speed (issue #16) compute what they computed before.

Optimizer updates: a large variable's update runs over chunks of its elements (ops/training.py); the
result must be the whole-array update's, bit for bit, for every dense Apply* op, below, at and above the
chunking threshold, for sizes that are not a multiple of the chunk, in float32 and float64, with
use_locking and Nesterov. Activations: the rewritten kernels against plain NumPy formulas.
"""
import numpy as np
import pytest

import numflow as tf
from numflow.framework import op_def
from numflow.ops import training, training_extra  # noqa: F401  (registers the Ftrl family)

# Small chunks in most tests, so that sizes around the threshold stay cheap.
_CHUNK = 1000
_THRESHOLD = 4 * _CHUNK


def _assert_bitwise_equal(actual, expected):
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.dtype == expected.dtype and actual.shape == expected.shape
    # Compared as integers of the same width: also tells -0.0 from 0.0 and one NaN payload from another.
    bits = np.dtype("u%d" % actual.dtype.itemsize)
    differ = np.flatnonzero(actual.reshape(-1).view(bits) != expected.reshape(-1).view(bits))
    if differ.size:
        raise AssertionError("%d elements differ, first at flat index %d: %r vs %r"
                             % (differ.size, differ[0], actual.reshape(-1)[differ[0]],
                                expected.reshape(-1)[differ[0]]))


# --- the chunk driver on its own ----------------------------------------------------------------
def _scalar_args(op_type, dtype):
    """(scalar inputs before the gradient, after it, attrs) of each dense update, TF's input order."""
    d = np.dtype(dtype).type
    lr, rho, momentum, epsilon = d(0.01), d(0.9), d(0.9), d(1e-7)
    cases = {
        "ApplyGradientDescent": ([lr], [], {}),
        "ApplyMomentum": ([lr], [momentum], {"use_nesterov": False}),
        "ApplyMomentumNesterov": ([lr], [momentum], {"use_nesterov": True}),
        "ApplyAdagrad": ([lr], [], {"update_slots": True}),
        "ApplyAdagradNoSlots": ([lr], [], {"update_slots": False}),
        "ApplyAdam": ([d(0.9 ** 3), d(0.999 ** 3), lr, d(0.9), d(0.999), epsilon], [], {"use_nesterov": False}),
        "ApplyAdamNesterov": ([d(0.9 ** 3), d(0.999 ** 3), lr, d(0.9), d(0.999), epsilon], [],
                              {"use_nesterov": True}),
        "ApplyRMSProp": ([lr, rho, momentum, epsilon], [], {}),
        "ApplyCenteredRMSProp": ([lr, rho, momentum, epsilon], [], {}),
        "ApplyAdadelta": ([lr, d(0.95), epsilon], [], {}),
        "ApplyFtrl": ([], [lr, d(0.01), d(0.02), d(-0.5)], {}),
        "ApplyFtrlPower": ([], [lr, d(0.01), d(0.02), d(-0.3)], {}),
        "ApplyFtrlV2": ([], [lr, d(0.01), d(0.02), d(0.03), d(-0.5)], {}),
        "ApplyProximalGradientDescent": ([lr, d(0.01), d(0.02)], [], {}),
        "ApplyProximalAdagrad": ([lr, d(0.01), d(0.02)], [], {}),
        "ApplyAdagradDA": ([], [lr, d(0.01), d(0.02), np.int64(3)], {}),
    }
    return cases[op_type]


_UPDATE_CASES = ["ApplyGradientDescent", "ApplyMomentum", "ApplyMomentumNesterov", "ApplyAdagrad",
                 "ApplyAdagradNoSlots", "ApplyAdam", "ApplyAdamNesterov", "ApplyRMSProp", "ApplyCenteredRMSProp",
                 "ApplyAdadelta", "ApplyFtrl", "ApplyFtrlPower", "ApplyFtrlV2", "ApplyProximalGradientDescent",
                 "ApplyProximalAdagrad", "ApplyAdagradDA"]


def _op_type(case):
    return {"ApplyMomentumNesterov": "ApplyMomentum", "ApplyAdagradNoSlots": "ApplyAdagrad",
            "ApplyAdamNesterov": "ApplyAdam", "ApplyFtrlPower": "ApplyFtrl"}.get(case, case)


def _random_state(op_type, shape, dtype, rng):
    definition = op_def.lookup(op_type)
    var = rng.standard_normal(shape).astype(dtype)
    # Positive slots (accumulators of squares must be); the gradient spans several orders of magnitude,
    # with exact zeros, so that Ftrl's and the proximal steps' l1 thresholds cut some weights to zero.
    slots = [rng.uniform(0.05, 1.0, shape).astype(dtype) for _ in range(definition.refs - 1)]
    if op_type == "ApplyCenteredRMSProp":
        slots[0] *= dtype(0.1)     # the mean gradient mg, small enough that ms - mg^2 > 0
    grad = (rng.standard_normal(shape) * 10.0 ** rng.integers(-4, 1, shape)).astype(dtype)
    grad.reshape(-1)[::17] = 0
    return [var] + slots, grad


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", _UPDATE_CASES)
def test_chunked_update_equals_the_whole_array_update_bit_for_bit(case, dtype):
    op_type = _op_type(case)
    update = op_def.lookup(op_type).update
    before, after, attrs = _scalar_args(case, dtype)
    rng = np.random.default_rng(len(case))
    for shape in [(7,), (1000,), (4333,), (61, 71), (3, 5, 7, 11)]:
        refs, grad = _random_state(op_type, shape, dtype, rng)
        args = before + [grad] + after
        one = np.dtype(dtype).type(1)
        expected = [ref.copy() for ref in refs]
        for _ in range(3):
            update(expected, args, one, attrs)
        for chunk in [1 if grad.size < 100 else 13, 1000, grad.size, grad.size + 1]:
            actual = [ref.copy() for ref in refs]
            for _ in range(3):
                training._update_in_chunks(update, actual, args, one, attrs, chunk)
            for got, want in zip(actual, expected):
                _assert_bitwise_equal(got, want)
        # The update moved every variable (a test that would pass with nothing done fails here).
        assert not np.array_equal(expected[0], refs[0])


def test_chunked_update_writes_the_variables_storage_and_reads_scalars_whole():
    var = np.arange(10, dtype=np.float64)
    grad = np.ones(10)
    storage = var
    training._update_in_chunks(op_def.lookup("ApplyGradientDescent").update, [var], [np.float64(0.5), grad],
                               np.float64(1), {}, chunk=3)
    assert var is storage
    np.testing.assert_array_equal(var, np.arange(10) - 0.5)


def test_only_contiguous_same_shape_arrays_are_chunked():
    var = np.zeros((4, 6), np.float32)
    grad = np.ones((4, 6), np.float32)
    assert training._chunkable([var, var.copy()], [np.float32(1), grad])
    assert training._chunkable([var], [np.array(0.5, np.float32), grad.T.copy().T])
    # A strided variable's flat chunks would be copies: the writes would be lost.
    assert not training._chunkable([var[:, ::2]], [np.float32(1), grad[:, ::2]])
    # A gradient of another shape keeps the whole-array update (and its broadcasting rules).
    assert not training._chunkable([var], [np.float32(1), grad[:1]])
    assert not training._chunkable([var, np.zeros(24, np.float32)], [np.float32(1), grad])


# --- through a Session, chunked against unchunked ------------------------------------------------
def _optimizer(name, locking, global_step):
    train = tf.train
    return {
        "gd": lambda: train.GradientDescentOptimizer(0.1, use_locking=locking),
        "momentum": lambda: train.MomentumOptimizer(0.1, 0.9, use_locking=locking),
        "nesterov": lambda: train.MomentumOptimizer(0.1, 0.9, use_locking=locking, use_nesterov=True),
        "adagrad": lambda: train.AdagradOptimizer(0.1, use_locking=locking),
        "adam": lambda: train.AdamOptimizer(0.01, use_locking=locking),
        "rmsprop": lambda: train.RMSPropOptimizer(0.01, momentum=0.9, use_locking=locking),
        "centered_rmsprop": lambda: train.RMSPropOptimizer(0.01, momentum=0.9, centered=True, use_locking=locking),
        "adadelta": lambda: train.AdadeltaOptimizer(1.0, use_locking=locking),
        "ftrl": lambda: train.FtrlOptimizer(0.1, l1_regularization_strength=0.01, l2_regularization_strength=0.01,
                                            use_locking=locking),
        "ftrl_v2": lambda: train.FtrlOptimizer(0.1, learning_rate_power=-0.3, l1_regularization_strength=0.01,
                                               l2_shrinkage_regularization_strength=0.02, use_locking=locking),
        "proximal_gd": lambda: train.ProximalGradientDescentOptimizer(
            0.1, l1_regularization_strength=0.01, l2_regularization_strength=0.01, use_locking=locking),
        "proximal_adagrad": lambda: train.ProximalAdagradOptimizer(
            0.1, l1_regularization_strength=0.01, l2_regularization_strength=0.01, use_locking=locking),
        "adagrad_da": lambda: train.AdagradDAOptimizer(0.1, global_step, l1_regularization_strength=0.01,
                                                       l2_regularization_strength=0.01, use_locking=locking),
    }[name]()


_APPLY_OPS = {"gd": "ApplyGradientDescent", "momentum": "ApplyMomentum", "nesterov": "ApplyMomentum",
              "adagrad": "ApplyAdagrad", "adam": "ApplyAdam", "rmsprop": "ApplyRMSProp",
              "centered_rmsprop": "ApplyCenteredRMSProp", "adadelta": "ApplyAdadelta", "ftrl": "ApplyFtrl",
              "ftrl_v2": "ApplyFtrlV2", "proximal_gd": "ApplyProximalGradientDescent",
              "proximal_adagrad": "ApplyProximalAdagrad", "adagrad_da": "ApplyAdagradDA"}


def _train(name, shape, dtype, locking, steps=3, device="/cpu:0"):
    """The values of every global variable after `steps` steps of optimizer `name` on a quadratic loss of
    one variable of `shape`, built on `device` (the CPU, where updates are chunked, also when the suite
    runs on a GPU; None: placed by default)."""
    tf.reset_default_graph()
    with tf.device(device):
        return _train_here(name, shape, dtype, locking, steps)


def _train_here(name, shape, dtype, locking, steps):
    rng = np.random.default_rng(7)
    weights = tf.Variable(rng.standard_normal(shape).astype(dtype), name="weights")
    target = tf.constant(rng.standard_normal(shape).astype(dtype))
    scale = tf.constant(10.0 ** rng.integers(-3, 1, shape).astype(dtype))
    loss = tf.reduce_sum(scale * tf.square(weights - target) + tf.sin(weights))
    global_step = tf.train.get_or_create_global_step()
    train = _optimizer(name, locking, global_step).minimize(loss, global_step=global_step)
    assert _APPLY_OPS[name] in {op.type for op in tf.get_default_graph().get_operations()}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(steps):
            sess.run(train)
        return sess.run(tf.global_variables())


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of _CHUNK elements from _THRESHOLD elements on; counts the chunked updates."""
    monkeypatch.setattr(training, "CHUNK_ELEMENTS", _CHUNK)
    monkeypatch.setattr(training, "CHUNKING_THRESHOLD", _THRESHOLD)
    calls = []
    chunked = training._update_in_chunks

    def counting(*args, **kwargs):
        calls.append(args[1][0].size)
        return chunked(*args, **kwargs)
    monkeypatch.setattr(training, "_update_in_chunks", counting)
    return calls


@pytest.mark.parametrize("dtype,locking", [(np.float32, False), (np.float64, True)], ids=["float32", "float64"])
@pytest.mark.parametrize("name", sorted(_APPLY_OPS))
def test_optimizers_chunked_in_a_session_equal_the_unchunked_update(small_chunks, monkeypatch, name, dtype,
                                                                    locking):
    for shape, chunked in [((_THRESHOLD - 1,), False), ((_THRESHOLD,), True), ((_THRESHOLD + 333,), True),
                           ((61, 71), True)]:
        del small_chunks[:]
        actual = _train(name, shape, dtype, locking)
        assert (int(np.prod(shape)) in small_chunks) == chunked, (shape, small_chunks)
        monkeypatch.setattr(training, "CHUNKING_THRESHOLD", 1 << 62)
        expected = _train(name, shape, dtype, locking)
        monkeypatch.setattr(training, "CHUNKING_THRESHOLD", _THRESHOLD)
        assert len(actual) == len(expected) >= 2
        for got, want in zip(actual, expected):
            _assert_bitwise_equal(got, want)


@pytest.mark.parametrize("name", ["adam", "momentum", "rmsprop"])
def test_default_chunking_of_a_large_variable_equals_the_unchunked_update(monkeypatch, name):
    # The real chunk size and threshold: a variable just past the threshold, not a multiple of the chunk.
    shape = (training.CHUNKING_THRESHOLD + training.CHUNK_ELEMENTS // 3,)
    actual = _train(name, shape, np.float32, False, steps=2)
    monkeypatch.setattr(training, "CHUNKING_THRESHOLD", 1 << 62)
    expected = _train(name, shape, np.float32, False, steps=2)
    for got, want in zip(actual, expected):
        _assert_bitwise_equal(got, want)


@pytest.mark.parametrize("shape", [(3,), (_THRESHOLD + 1,)], ids=["whole", "chunked"])
def test_an_uninitialized_slot_is_named_in_the_error(small_chunks, shape):
    from numflow.framework import errors
    weights = tf.Variable(np.ones(shape, np.float32), name="weights")
    train = tf.train.AdamOptimizer(0.1).minimize(tf.reduce_sum(tf.square(weights)))
    with tf.Session() as sess:
        sess.run(tf.variables_initializer([v for v in tf.global_variables() if v.op.name != "weights/Adam_1"]))
        with pytest.raises(errors.FailedPreconditionError, match="uninitialized value weights/Adam_1"):
            sess.run(train)
    assert small_chunks == []


def test_chunked_updates_on_the_simulated_gpu_equal_the_cpu(guarded_gpu, small_chunks):
    # On a device the update runs whole; on the CPU in chunks: the same values either way.
    from numflow import backend
    from conftest import TEST_GPU_BACKEND
    results = {}
    for device in ("gpu", "cpu"):
        guarded_gpu.setenv("NUMFLOW_GPU_BACKEND", TEST_GPU_BACKEND if device == "gpu" else "none")
        backend.reset_for_tests()
        del small_chunks[:]
        results[device] = [_train(name, (_THRESHOLD + 333,), np.float32, False, device=None)
                           for name in ("adam", "nesterov")]
        # Chunks on the CPU only.
        assert bool(small_chunks) == (device == "cpu"), (device, small_chunks)
    for got, want in zip(results["gpu"], results["cpu"]):
        for a, b in zip(got, want):
            _assert_bitwise_equal(a, b)


# --- activations ---------------------------------------------------------------------------------
_EXTREMES = [-np.inf, -1000.0, -104.0, -88.8, -88.0, -20.0, -1.0, -0.0, 0.0, 1e-30, 1.0, 20.0, 88.8, 1000.0, np.inf,
             np.nan]


def _activation_inputs(dtype, shape=(37, 53)):
    values = np.random.default_rng(5).standard_normal(shape) * 8
    values.reshape(-1)[:len(_EXTREMES)] = _EXTREMES
    return values.astype(dtype)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_sigmoid_equals_numpys_formula_bit_for_bit_without_warnings(dtype):
    import warnings
    from numflow.ops.math import _sigmoid
    x = _activation_inputs(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")      # exp(-x) overflowing for very negative x stays silent
        out = _sigmoid(x)
    with np.errstate(over="ignore"):
        expected = np.reciprocal(np.exp(-x) + dtype(1))
        exact = 1 / (1 + np.exp(-x.astype(np.float64)))
    _assert_bitwise_equal(out, expected)
    # Accurate relative to the exact value wherever exp(-x) and the result are normal numbers (below,
    # sigmoid flushes to 0 and loses precision in subnormals, as it always did).
    with np.errstate(over="ignore"):
        normal = np.isfinite(np.exp(-x)) & (exact >= np.finfo(dtype).tiny) | np.isnan(x)
    assert normal.sum() > 0.8 * x.size
    # Three roundings (exp, the sum, the division): within 3 units in the last place.
    np.testing.assert_allclose(out[normal], exact[normal], rtol=3 * np.finfo(dtype).eps, atol=0)
    # Through a Session, scalars included.
    _assert_bitwise_equal(_evaluate(tf.sigmoid, x), expected)
    scalar = _evaluate(tf.sigmoid, dtype(-0.5))
    assert type(scalar) is np.dtype(dtype).type and scalar == 1 / (1 + np.exp(dtype(0.5)))


def test_sigmoid_of_complex_values_keeps_its_formula():
    from numflow.ops.math import _sigmoid
    real = np.random.default_rng(6).standard_normal((4, 5)) * 4
    x = (real + 1j * np.linspace(-3, 3, 20).reshape(4, 5)).astype(np.complex64)
    _assert_bitwise_equal(_sigmoid(x), np.reciprocal(np.exp(-x) + 1))


def _evaluate(build, value):
    from gradcheck import evaluate
    return evaluate(build, [value])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_and_tanh_gradient_kernels_match_the_products_bit_for_bit(dtype):
    from numflow.ops.tf_compat_ops import SigmoidGrad, TanhGrad
    rng = np.random.default_rng(8)
    x = _activation_inputs(dtype)
    dy = rng.standard_normal(x.shape).astype(dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        y = 1 / (1 + np.exp(-x))
        t = np.tanh(x)
    one = dtype(1)
    # The products in the order numflow's elementwise gradient graph took them.
    _assert_bitwise_equal(SigmoidGrad.derivative(y, dy), dy * (y * (one - y)))
    _assert_bitwise_equal(TanhGrad.derivative(t, dy), dy * (one - np.square(t)))
    # Scalars and broadcasting take the same products without an in-place buffer.
    _assert_bitwise_equal(SigmoidGrad.derivative(y[0, 3], dy[0, 3]), dy[0, 3] * (y[0, 3] * (one - y[0, 3])))
    _assert_bitwise_equal(TanhGrad.derivative(t[:1], dy), dy * (one - np.square(t[:1])))
    assert not np.shares_memory(SigmoidGrad.derivative(y, dy), dy)


def test_sigmoid_and_tanh_gradients_are_tfs_fused_gradient_ops():
    x = tf.placeholder(tf.float32, [3])
    y = tf.sigmoid(x) + tf.tanh(x)
    dx = tf.gradients(y, x)[0]
    types = {op.type for op in tf.get_default_graph().get_operations()}
    assert {"SigmoidGrad", "TanhGrad"} <= types
    value = np.array([-2.0, 0.5, 3.0], np.float32)
    with tf.Session() as sess:
        got = sess.run(dx, {x: value})
    s = 1 / (1 + np.exp(-value))
    np.testing.assert_allclose(got, s * (1 - s) + 1 - np.tanh(value) ** 2, rtol=1e-6)
    # Complex values keep their elementwise graph (no conjugation, as before).
    tf.reset_default_graph()
    z = tf.placeholder(tf.complex64, [2])
    tf.gradients(tf.sigmoid(z) + tf.tanh(z), z)
    types = {op.type for op in tf.get_default_graph().get_operations()}
    assert not {"SigmoidGrad", "TanhGrad"} & types


@pytest.mark.parametrize("activation", [tf.sigmoid, tf.tanh], ids=["sigmoid", "tanh"])
def test_second_derivatives_through_the_fused_gradient_ops(activation):
    from gradcheck import check_gradients
    x = np.random.default_rng(9).uniform(-2, 2, (2, 3))
    dy = np.random.default_rng(10).uniform(-1, 1, (2, 3))

    def first_derivative(x, dy):
        return tf.gradients(activation(x), x, grad_ys=dy)[0]
    # Both inputs of SigmoidGrad/TanhGrad: y (through x) and dy.
    check_gradients(first_derivative, [x, dy])


def test_activation_gradients_on_the_simulated_gpu_equal_the_cpu(guarded_gpu):
    from numflow import backend
    from conftest import TEST_GPU_BACKEND
    x_value = _activation_inputs(np.float32, (6, 7))
    x_value[~np.isfinite(x_value)] = 3.0
    results = {}
    for device in ("gpu", "cpu"):
        guarded_gpu.setenv("NUMFLOW_GPU_BACKEND", TEST_GPU_BACKEND if device == "gpu" else "none")
        backend.reset_for_tests()
        tf.reset_default_graph()
        x = tf.placeholder(tf.float32, [6, 7])
        y = tf.sigmoid(x) * tf.tanh(x)
        dx, = tf.gradients(y, x)
        ddx, = tf.gradients(dx, x)
        with tf.Session() as sess:
            results[device] = sess.run([y, dx, ddx], {x: x_value})
    for got, want in zip(results["gpu"], results["cpu"]):
        _assert_bitwise_equal(got, want)


# --- against real TensorFlow (NUMFLOW_TF_PYTHON) ---------------------------------------------------
def _tf_parity_families():
    import tf_parity_kernel_speedups
    return tf_parity_kernel_speedups.FAMILIES


@pytest.mark.parametrize("family", _tf_parity_families())
def test_large_updates_and_activation_gradients_agree_with_real_tensorflow(family, tmp_path):
    import tf_parity
    import tf_parity_kernel_speedups
    if not tf_parity.TF_PYTHON:
        pytest.skip("set NUMFLOW_TF_PYTHON to a Python with real TensorFlow")
    ours, theirs = tf_parity.run_both(tf_parity_kernel_speedups, family, tmp_path)
    # float32: TF's sigmoid and tanh are approximations a few units in the last place from NumPy's; three
    # steps carry that into the gradients and, through cancellation, into small slot values (Ftrl's
    # `linear` sums terms of several hundred, whose last place is 3e-5, into values near 0).
    atol = 3e-4 if family == "ftrl" else 1e-5
    tf_parity.assert_same(ours, theirs, lambda dtype: (1e-4, atol) if dtype == np.float32 else (1e-12, 1e-14))


# --- activations that select without np.where on host arrays ------------------------------------
_SELU_SCALE = 1.0507009873554804934193349852946
_SELU_SCALE_ALPHA = _SELU_SCALE * 1.6732632423543772848170429916717


_UNARY = ("Elu", "Selu", "LeakyRelu", "Softsign")


def _where_forms(dtype, alpha):
    """The formulas these kernels computed before (and still compute on scalars and devices)."""
    d = np.dtype(dtype).type
    one, scale, scale_alpha, alpha = d(1), d(_SELU_SCALE), d(_SELU_SCALE_ALPHA), d(alpha)
    return {
        "Elu": lambda x: np.where(x < 0, np.expm1(np.minimum(x, 0)), x),
        "EluGrad": lambda dy, y: np.where(y < 0, dy * (y + one), dy),
        "Selu": lambda x: np.where(x < 0, scale_alpha * np.expm1(np.minimum(x, 0)), scale * x),
        "SeluGrad": lambda dy, y: np.where(y < 0, dy * (y + scale_alpha), dy * scale),
        "LeakyRelu": lambda x: np.where(x > 0, x, alpha * x),
        "LeakyReluGrad": lambda dy, x: np.where(x > 0, dy, alpha * dy),
        # Rewritten to work in one buffer (no selection): the same operations.
        "SoftplusGrad": lambda dy, x: dy * (d(0.5) + d(0.5) * np.tanh(d(0.5) * x)),
        "Softsign": lambda x: x / (np.abs(x) + one),
        "SoftsignGrad": lambda dy, x: dy / np.square(np.abs(x) + one),
    }


def _kernel(op_type, dtype, alpha):
    """The op's kernel for inputs of `dtype` (built on a one-op graph)."""
    import types
    tf.reset_default_graph()
    arity = 1 if op_type in _UNARY else 2
    inputs = [tf.placeholder(tf.as_dtype(dtype), None) for _ in range(arity)]
    attrs = {"alpha": alpha} if op_type.startswith("LeakyRelu") else None
    op = tf.get_default_graph().create_op(op_type, inputs, attrs)
    return op_def.lookup(op_type).kernel(op, types.SimpleNamespace(xp=np))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("op_type,alpha", [("Elu", None), ("EluGrad", None), ("Selu", None), ("SeluGrad", None),
                                           ("LeakyRelu", -0.5), ("LeakyRelu", 1.5), ("LeakyRelu", float("inf")),
                                           ("LeakyReluGrad", 0.2), ("LeakyReluGrad", 1.5),
                                           ("LeakyReluGrad", float("-inf")), ("SoftplusGrad", None),
                                           ("Softsign", None), ("SoftsignGrad", None)])
def test_rewritten_activations_equal_their_previous_formulas(op_type, alpha, dtype):
    import warnings
    rng = np.random.default_rng(12)
    x = _activation_inputs(dtype, (29, 31))
    x.reshape(-1)[len(_EXTREMES):len(_EXTREMES) + 40] = 0      # ties at the switch point
    dy = (rng.standard_normal(x.shape) * 3).astype(dtype)
    dy.reshape(-1)[[3, 5, 7]] = [np.inf, -np.inf, np.nan]
    kernel = _kernel(op_type, dtype, alpha)
    reference = _where_forms(dtype, alpha)[op_type]
    inputs = [x] if op_type in _UNARY else [dy, x]
    with np.errstate(over="ignore", invalid="ignore"):
        expected = reference(*inputs)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="ignore", invalid="ignore"):
            got = kernel(*inputs)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    if op_type in ("SoftplusGrad", "Softsign", "SoftsignGrad"):
        _assert_bitwise_equal(got, expected)        # the same operations, in one buffer
    else:
        # The same values, NaNs where np.where has them; a zero's sign may differ (-0.0 == 0.0).
        np.testing.assert_array_equal(got, expected)
    # Scalars take np.where itself.
    with np.errstate(over="ignore", invalid="ignore"):
        scalar_inputs = [value.reshape(-1)[20] for value in inputs]
        np.testing.assert_array_equal(kernel(*scalar_inputs), reference(*scalar_inputs))


def test_where_free_activations_on_the_simulated_gpu_equal_the_cpu(guarded_gpu):
    from numflow import backend
    from conftest import TEST_GPU_BACKEND
    x_value = np.random.default_rng(13).standard_normal((5, 6)).astype(np.float32) * 3
    results = {}
    for device in ("gpu", "cpu"):
        guarded_gpu.setenv("NUMFLOW_GPU_BACKEND", TEST_GPU_BACKEND if device == "gpu" else "none")
        backend.reset_for_tests()
        tf.reset_default_graph()
        x = tf.placeholder(tf.float32, [5, 6])
        y = tf.nn.elu(x) + tf.nn.selu(x) + tf.nn.leaky_relu(x, 0.2) + tf.nn.leaky_relu(x, 1.5)
        with tf.Session() as sess:
            results[device] = sess.run([y, tf.gradients(y, x)[0]], {x: x_value})
    for got, want in zip(results["gpu"], results["cpu"]):
        _assert_bitwise_equal(got, want)
