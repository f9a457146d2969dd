"""The math family's kernels on a GPU, through the guarded (simulated) GPU: a representative graph of each
family (elementwise math and casts, reductions and their gradients, scans and argmax, special functions,
complex numbers, segment reductions and rearrangements, bitwise ops, clipping, variables, TF's gradient ops)
runs with its ops placed on GPU:0 and gives exactly the values (bit for bit, same dtypes) of a Session
without a GPU; the host-only ops of these families run on the CPU of the same plan and agree too."""
import re

import numpy as np
import pytest

import numflow as tf
from numflow import backend
from numflow.ops import tf_compat_ops  # noqa: F401 - registers SigmoidGrad, TanhGrad
from numflow.ops.common import make_tensor

GPU0 = "/job:localhost/replica:0/task:0/device:GPU:0"
CPU0 = "/job:localhost/replica:0/task:0/device:CPU:0"


def _run(fetches, feed, gpu, capsys, init=None):
    """(values of `fetches`, {op name: device}) from a Session with the guarded GPU or with none
    (ConfigProto(device_count={'GPU': 0}); soft placement moves explicit '/gpu:0' ops to its CPU)."""
    config = tf.ConfigProto(log_device_placement=True, allow_soft_placement=True,
                            device_count=None if gpu else {"GPU": 0})
    with tf.Session(config=config) as sess:
        if init is not None:
            sess.run(init)
        capsys.readouterr()
        values = sess.run(fetches, feed)
        printed = capsys.readouterr().out
    devices = dict(re.findall(r"^(\S+): \(\w+\): (\S+)$", printed, re.M))
    return values, devices


def _assert_bitwise_equal(on_gpu, on_cpu):
    for gpu_value, cpu_value in zip(on_gpu, on_cpu):
        assert type(gpu_value) is type(cpu_value)
        assert np.asarray(gpu_value).dtype == np.asarray(cpu_value).dtype
        assert np.asarray(gpu_value).shape == np.asarray(cpu_value).shape
        # Same bits, NaN included: compare the raw bytes.
        assert np.asarray(gpu_value).tobytes() == np.asarray(cpu_value).tobytes()


def _check_family(capsys, build, feed_values, on_gpu_types, on_cpu_types=(), init=None):
    """Builds `build(*placeholders)` -> list of fetched tensors, runs it with and without the GPU, and checks
    equal values and that the ops of `on_gpu_types` ran on GPU:0 (those of `on_cpu_types` on the CPU)."""
    tf.reset_default_graph()
    placeholders = [tf.placeholder(tf.as_dtype(value.dtype), value.shape) for value in feed_values]
    fetches = build(*placeholders)
    feed = dict(zip(placeholders, feed_values))
    init_op = init() if init is not None else None
    graph = tf.get_default_graph()
    on_gpu, devices = _run(fetches, feed, True, capsys, init_op)
    on_cpu, cpu_devices = _run(fetches, feed, False, capsys, init_op)
    _assert_bitwise_equal(on_gpu, on_cpu)
    assert set(cpu_devices.values()) == {CPU0}
    placed = {}
    for op in graph.get_operations():
        if op.name in devices:
            placed.setdefault(op.type, set()).add(devices[op.name])
    for op_type in on_gpu_types:
        assert placed.get(op_type) == {GPU0}, (op_type, placed.get(op_type))
    for op_type in on_cpu_types:
        assert placed.get(op_type) == {CPU0}, (op_type, placed.get(op_type))
    return on_gpu


_rng = np.random.RandomState(3)
_X = _rng.randn(3, 4).astype(np.float32)
_Y = np.where(_rng.rand(3, 4) < 0.3, 0, _rng.randn(3, 4)).astype(np.float32)


def test_elementwise_math_and_casts(guarded_gpu, capsys):
    def build(x, y, condition):
        return [tf.div_no_nan(x, y), tf.erf(x), tf.cast(x, tf.int32), tf.pow(tf.abs(x), y),
                tf.where(condition, x, y), tf.add_n([x, y, x]), tf.clip_by_value(x, -0.5, 0.5),
                tf.floormod(x, 0.7), tf.matmul(x, y, transpose_b=True)]
    values = _check_family(capsys, build, [_X, _Y, np.array([True, False, True])],
                           ["DivNoNan", "Erf", "Cast", "Pow", "Select", "AddN", "ClipByValue", "FloorMod",
                            "MatMul"])
    np.testing.assert_array_equal(values[4][1], _Y[1])     # a vector condition picks whole rows


def test_reductions_scans_and_their_gradients(guarded_gpu, capsys):
    def build(x):
        positive = tf.abs(x) + 0.5
        outputs = [tf.reduce_sum(x, 1), tf.reduce_mean(x, [0, 1], keepdims=True), tf.reduce_max(x, 0),
                   tf.reduce_prod(positive, 1), tf.reduce_logsumexp(x, 1), tf.argmax(x, 1, output_type=tf.int32),
                   tf.argmin(x, 0), tf.reduce_any(tf.greater(x, 1.0), 1), tf.cumsum(x, 1, exclusive=True),
                   tf.cumprod(x, 0, reverse=True)]
        loss = tf.reduce_sum(outputs[0]) + tf.reduce_sum(outputs[1]) + tf.reduce_sum(outputs[3]) \
            + tf.reduce_sum(outputs[4]) + tf.reduce_sum(outputs[2])
        return outputs + tf.gradients(loss, [x])
    _check_family(capsys, build, [_X], ["Sum", "Mean", "Max", "Prod", "ReduceLogSumExp", "ArgMax", "ArgMin",
                                        "Any", "Cumsum", "Cumprod", "BroadcastReduced", "ProdGrad"])


def test_special_functions_and_complex_numbers(guarded_gpu, capsys):
    positive = (np.abs(_X) + 0.25).astype(np.float64)
    fraction = (np.abs(_Y) / (np.abs(_Y).max() + 1.0)).astype(np.float64)

    def build(a, p):
        z = tf.complex(a, p)
        return [tf.lgamma(a), tf.digamma(a), tf.math.igamma(a, a + 0.5), tf.math.betainc(a, a, p),
                tf.math.bessel_i1e(a), tf.math.erfinv(p), tf.math.xlogy(p, a), tf.atan2(a, p), tf.math.acosh(a + 1.0),
                tf.math.real(z), tf.math.angle(z), tf.abs(z)] + tf.gradients(tf.reduce_sum(tf.math.igamma(a, p)), [p])
    _check_family(capsys, build, [positive, fraction],
                  ["Lgamma", "Digamma", "Igamma", "Betainc", "BesselI1e", "Erfinv", "Xlogy", "Atan2", "Acosh",
                   "Complex", "Real", "Angle", "ComplexAbs", "IgammaGradX"])


def test_segment_ops_and_rearrangements(guarded_gpu, capsys):
    data = _rng.randn(5, 3).astype(np.float32)
    sorted_ids = np.array([0, 0, 2, 3, 3], np.int32)
    unsorted_ids = np.array([2, -1, 0, 2, 1], np.int64)

    def build(d, ids, unsorted):
        parts = tf.dynamic_partition(d, tf.cast(ids, tf.int32), 4)
        return [tf.segment_sum(d, ids), tf.segment_mean(d, ids), tf.unsorted_segment_sum(d, unsorted, 4),
                tf.math.unsorted_segment_mean(d, unsorted, 3), tf.segment_max(d, ids),
                tf.dynamic_stitch([tf.constant([1, 0]), tf.constant([2, 4, 3])], [d[:2], d[2:]]),
                tf.matrix_band_part(d, 1, 0), tf.reverse_sequence(d, [2, 0, 3, 1, 2], seq_axis=1, batch_axis=0),
                tf.bincount(ids, weights=d[:, 0])] + parts + \
            tf.gradients(tf.reduce_sum(tf.segment_sum(d, ids)) + tf.reduce_sum(tf.unsorted_segment_sum(d, unsorted, 4)),
                         [d])
    _check_family(capsys, build, [data, sorted_ids, unsorted_ids],
                  ["SegmentSum", "SegmentMean", "UnsortedSegmentSum", "SegmentGather", "DynamicPartition",
                   "DynamicStitch", "MatrixBandPart", "ReverseSequence", "Bincount"],
                  on_cpu_types=["SegmentMax"])


def test_bitwise_ops_on_the_device(guarded_gpu, capsys):
    ints = np.array([[1, -8, 255], [7, 1 << 20, -1]], np.int32)
    shifts = np.array([[0, 3, 40], [-2, 4, 31]], np.int32)

    def build(x, s):
        with tf.device("/gpu:0"):    # integer ops of host values stay on the host unless told otherwise
            return [tf.bitwise.bitwise_and(x, s), tf.bitwise.bitwise_xor(x, s), tf.bitwise.left_shift(x, s),
                    tf.bitwise.right_shift(x, s), tf.bitwise.invert(x)]
    _check_family(capsys, build, [ints, shifts], ["BitwiseAnd", "BitwiseXor", "LeftShift", "RightShift", "Invert"])


def test_clipping_variables_and_tf_gradient_ops(guarded_gpu, capsys):
    def build(x, y):
        v = tf.Variable(np.ones((3, 4), np.float32), name="v")
        clipped, norm = tf.clip_by_global_norm([x, y], 1.5)
        updated = tf.assign_add(v, tf.clip_by_norm(x, 0.5, axes=[1]))
        y_sigmoid = tf.sigmoid(x)
        return [clipped[0], clipped[1], norm, updated, make_tensor("SigmoidGrad", [y_sigmoid, y]),
                make_tensor("TanhGrad", [tf.tanh(x), y]), tf.is_variable_initialized(v)]

    def init():
        return tf.global_variables_initializer()
    _check_family(capsys, build, [_X, _Y], ["AssignAdd", "SigmoidGrad", "TanhGrad", "Sqrt"],
                  on_cpu_types=["IsVariableInitialized"], init=init)


def test_host_only_ops_of_the_family_run_on_the_cpu(guarded_gpu, capsys):
    data = np.abs(_rng.randn(4, 3)) + 0.5
    ids = np.array([1, 0, 1, 3], np.int32)

    def build(d, i):
        return [tf.math.unsorted_segment_max(d, i, 4), tf.math.unsorted_segment_prod(d, i, 4),
                tf.math.segment_min(d, tf.constant([0, 0, 1, 1])), tf.math.cumulative_logsumexp(d, 1)] + \
            tf.gradients(tf.reduce_sum(tf.math.unsorted_segment_prod(d, i, 4)) + tf.reduce_sum(tf.math.igamma(d, d)),
                         [d])
    _check_family(capsys, build, [data, ids], ["Igamma", "IgammaGradX"],
                  on_cpu_types=["UnsortedSegmentMax", "UnsortedSegmentProd", "SegmentMin", "CumulativeLogsumexp",
                                "SegmentProdGrad", "IgammaGradA"])
