"""The array / scatter / optimizer / random / control-flow kernels on a GPU, through the guarded (simulated)
GPU: each graph runs once in a Session with GPU:0 and once in a CPU-only Session, and the values must be
equal bit for bit (the guarded device computes with NumPy, so any difference is a kernel that computes
differently on a device), with the ops under test placed on the GPU, or on the host where they are
declared host-only."""
import re

import numpy as np
import pytest

import numflow as tf
from numflow import backend
from numflow.backend.guarded import GuardedArray
from conftest import TEST_GPU_BACKEND  # noqa: E402

GPU0 = "/job:localhost/replica:0/task:0/device:GPU:0"
CPU0 = "/job:localhost/replica:0/task:0/device:CPU:0"


@pytest.fixture
def guarded_gpu(guarded_gpu, capsys):
    """conftest's one-GPU setting, as a _Runner."""
    return _Runner(guarded_gpu, capsys)


class _Runner:
    """Runs a graph-building function on the guarded GPU and on the CPU alone."""

    def __init__(self, monkeypatch, capsys):
        self._monkeypatch = monkeypatch
        self._capsys = capsys

    def run(self, gpu, build, steps=1):
        """(the fetched values of each of `steps` runs, then the values of all variables; {op type: devices})
        of `build()` -> (fetches, feed, targets), initializing the variables first."""
        self._monkeypatch.setenv("NUMFLOW_GPU_BACKEND", TEST_GPU_BACKEND if gpu else "none")
        backend.reset_for_tests()
        tf.reset_default_graph()
        tf.set_random_seed(3)
        fetches, feed, targets = build()
        devices = {}
        results = []
        with tf.Session(config=tf.ConfigProto(log_device_placement=True)) as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(steps):
                self._capsys.readouterr()
                results.append(sess.run([fetches, targets], feed)[0])
                for op_type, device in re.findall(r"^\S+: \((\w+)\): (\S+)$", self._capsys.readouterr().out,
                                                  re.M):
                    devices.setdefault(op_type, set()).add(device)
            results.append(sess.run(tf.global_variables()))
        return results, devices

    def compare(self, build, on_gpu=(), on_host=(), steps=1):
        """Asserts that `build`'s values are the same with and without the GPU, that the op types `on_gpu`
        ran on GPU:0 (integer shape arithmetic of the same type may stay on the host) and those `on_host`
        only on the CPU; returns the values."""
        gpu_values, devices = self.run(True, build, steps)
        cpu_values, _ = self.run(False, build, steps)
        _assert_identical(gpu_values, cpu_values)
        for op_type in on_gpu:
            assert GPU0 in devices.get(op_type, ()), "%s ran on %s" % (op_type, devices.get(op_type))
        for op_type in on_host:
            assert devices.get(op_type) == {CPU0}, "%s ran on %s" % (op_type, devices.get(op_type))
        return gpu_values


def _assert_identical(actual, expected):
    if isinstance(expected, (list, tuple)):
        assert len(actual) == len(expected)
        for a, e in zip(actual, expected):
            _assert_identical(a, e)
        return
    assert type(actual) is type(expected), (type(actual), type(expected))
    assert np.asarray(actual).dtype == np.asarray(expected).dtype
    np.testing.assert_array_equal(actual, expected, strict=True)


_RNG = np.random.RandomState(0)
_X = _RNG.randn(4, 6).astype(np.float32)
_IMAGES = _RNG.randn(2, 4, 4, 3).astype(np.float32)


def _fed(value, shape=None):
    """A placeholder of `value`'s dtype with unknown dimensions (shapes only known when run) and its feed."""
    value = np.asarray(value)
    placeholder = tf.placeholder(tf.as_dtype(value.dtype), shape if shape is not None else [None] * value.ndim)
    return placeholder, {placeholder: value}


def _shape_ops():
    x, feed = _fed(_X)
    dims, feed2 = _fed(np.array([3, 8], np.int32))
    perm, feed3 = _fed(np.array([1, 0], np.int32))
    feed.update(feed2)
    feed.update(feed3)
    fetches = [tf.reshape(x, dims), tf.reshape(x, [-1]), tf.transpose(x, perm), tf.transpose(x),
               tf.tile(x, tf.stack([tf.constant(2), tf.constant(1)])), tf.fill(tf.shape(x), 2.5),
               tf.zeros_like(x), tf.ones_like(x, dtype=tf.int32), tf.broadcast_to(x[:1], tf.shape(x)),
               tf.expand_dims(x, 1), tf.squeeze(x[:1]), tf.concat([x, x], 1), tf.stack([x, x], 2),
               tf.unstack(x, num=4)[2], tf.split(x, 2, axis=1)[1], tf.split(x, [1, -1], axis=0)[1],
               tf.reverse(x, [0, 1]), tf.depth_to_space(tf.space_to_depth(_IMAGES, 2), 2)]
    return fetches, feed, []


def test_shape_taking_ops_run_on_the_gpu_with_host_shapes(guarded_gpu):
    values = guarded_gpu.compare(_shape_ops, on_gpu=("Reshape", "Transpose", "Tile", "Fill", "ZerosLike",
                                                     "BroadcastTo", "ConcatV2", "Pack", "Unpack", "Split"))
    assert values[0][0].shape == (3, 8) and values[0][5].tolist() == np.full((4, 6), 2.5).tolist()


def _slicing_ops():
    x, feed = _fed(_X)
    begin, feed2 = _fed(np.array([1, 2], np.int32))
    feed.update(feed2)
    mask = tf.constant(_X[:, 0] > 0)
    paddings = tf.constant([[1, 2], [0, 1]])
    fetches = [tf.slice(x, begin, [2, -1]), x[1:3, ::2], x[::-1, 1], x[begin[0]],
               tf.pad(x, paddings, constant_values=7.0),
               tf.pad(x, paddings, "REFLECT"), tf.pad(x, paddings, "SYMMETRIC"), tf.boolean_mask(x, mask),
               tf.gather(x, [3, 0, 3]), tf.gather(x, [[1], [2]], axis=1), tf.gather_nd(x, [[0, 1], [3, 5]]),
               tf.one_hot(tf.constant([0, 2, 5]), tf.constant(4), on_value=3.0, off_value=-1.0),
               tf.sequence_mask(tf.constant([1, 3]), tf.constant(4), dtype=tf.float32),
               tf.range(tf.constant(0.5), tf.constant(3.0), tf.constant(0.5)),
               tf.linspace(tf.constant(1.0), tf.constant(2.0), tf.constant(5)),
               tf.where_v2(x > 0, x, tf.zeros_like(x)), tf.repeat(x, tf.constant([1, 0, 2, 1]), axis=0),
               tf.unique(tf.constant([3.0, 1.0, 3.0, 2.0])).idx, tf.roll(x, 2, 1), tf.bitcast(x, tf.int32),
               tf.unravel_index(tf.constant([5, 7]), tf.constant([2, 4]))]
    grads = tf.gradients([tf.reduce_sum(f * f) for f in fetches[:11]] +
                         [tf.reduce_sum(tf.tile(x, [2, 3])), tf.reduce_sum(tf.concat([x, x * 2.0], 1) ** 2)], x)
    return fetches + grads, feed, []


def test_slicing_padding_gathering_and_their_gradients_run_on_the_gpu(guarded_gpu):
    guarded_gpu.compare(_slicing_ops, on_gpu=("Slice", "SliceGrad", "StridedSlice", "StridedSliceGrad", "PadV2",
                                              "MirrorPad", "MirrorPadGrad", "BooleanMask", "BooleanMaskGrad",
                                              "GatherV2", "GatherNd", "GatherNdGrad", "OneHot",
                                              "Range", "LinSpace", "SelectV2", "Repeat", "Unique", "Roll",
                                              "Bitcast", "TileGrad", "ConcatGrad"))


def _variable_scatters():
    indices = tf.constant([0, 2, 0])
    rows = tf.constant([[1.5, 2.0], [3.0, -1.0], [0.5, 4.0]])
    scatters = []
    for name, op in (("update", tf.scatter_update), ("add", tf.scatter_add), ("sub", tf.scatter_sub),
                     ("mul", tf.scatter_mul), ("div", tf.scatter_div), ("min", tf.scatter_min),
                     ("max", tf.scatter_max)):
        variable = tf.Variable(np.arange(8.0, dtype=np.float32).reshape(4, 2) + 1.0, name=name)
        scatters.append(op(variable, indices, rows))
    integers = tf.Variable(np.array([7, -7, 9], np.int32), name="integers")
    scatters.append(tf.scatter_div(integers, tf.constant([0, 1, 0]), tf.constant([2, 2, -3])))
    for name, op, indices_, updates in (("nd_add", tf.scatter_nd_add, [[0, 1], [2, 0], [0, 1]], [1.0, 2.0, 4.0]),
                                        ("nd_sub", tf.scatter_nd_sub, [[1], [1]], [[5.0, 6.0], [1.0, 0.5]]),
                                        ("nd_update", tf.scatter_nd_update, [[2, 1]], [9.0])):
        variable = tf.Variable(np.ones((3, 2), np.float32), name=name)
        scatters.append(op(variable, tf.constant(indices_), tf.constant(updates)))
    built = [tf.scatter_nd(tf.constant([[1], [1], [3]]), tf.constant([1.0, 2.0, 3.0]), tf.constant([5])),
             tf.tensor_scatter_nd_add(tf.constant(_X), tf.constant([[0], [0]]), tf.constant(_X[:2])),
             tf.tensor_scatter_nd_max(tf.constant(_X), tf.constant([[1, 1], [1, 1]]), tf.constant([5.0, 6.0])),
             tf.tensor_scatter_nd_update(tf.constant(_X), tf.constant([[3]]), tf.constant(_X[:1]))]
    return [built, [tf.identity(s) for s in scatters]], None, []


def test_scatters_into_device_variables_accumulate_repeated_indices(guarded_gpu):
    values = guarded_gpu.compare(_variable_scatters, steps=2,
                                 on_gpu=("ScatterAdd", "ScatterSub", "ScatterMul", "ScatterDiv", "ScatterMin",
                                         "ScatterMax", "ScatterUpdate", "ScatterNdAdd", "ScatterNdSub",
                                         "ScatterNdUpdate", "ScatterNd", "TensorScatterAdd", "TensorScatterMax",
                                         "TensorScatterUpdate"))
    added = values[1][1][1]      # the second run: the rows of indices [0, 2, 0] added twice
    np.testing.assert_array_equal(added[0], [1.0, 2.0] + 2 * np.array([2.0, 6.0]))
    # [7, -7, 9] divided at [0, 1, 0] by [2, 2, -3] twice, truncating: [-1, -3, 9], then [0, -1, 9].
    assert values[1][1][7].tolist() == [0, -1, 9]


def _random_ops():
    shape, feed = _fed(np.array([3, 2], np.int32))
    generator = tf.random.Generator.from_seed(11)
    return [tf.random_normal(shape, seed=1), tf.random_uniform([4], seed=2), tf.truncated_normal([5], seed=3),
            tf.random_shuffle(tf.range(6), seed=4), tf.multinomial(tf.log([[0.5, 0.5]]), 3, seed=5),
            tf.random.stateless_normal([3], seed=[1, 2]), generator.normal([4]), generator.uniform([2])], feed, []


def test_random_ops_give_the_cpu_streams(guarded_gpu):
    values = guarded_gpu.compare(_random_ops, steps=2,
                                 on_host=("RandomStandardNormal", "RandomUniform", "TruncatedNormal", "RandomShuffle",
                                          "Multinomial", "StatelessRandomNormal"),
                                 on_gpu=("RngGeneratorDraw",))
    assert not np.array_equal(values[0][6], values[1][6])    # the generator's state advanced on the device


def _mlp(optimizer):
    def build():
        rng = np.random.RandomState(5)
        images = rng.rand(8, 12).astype(np.float32)
        labels = np.eye(3, dtype=np.float32)[rng.randint(0, 3, 8)]
        x = tf.placeholder(tf.float32, [None, 12])
        y = tf.placeholder(tf.float32, [None, 3])
        hidden = tf.layers.dense(x, 16, activation=tf.nn.relu)
        logits = tf.layers.dense(hidden, 3)
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=logits))
        train = optimizer().minimize(loss)
        return loss, {x: images, y: labels}, [train]
    return build


@pytest.mark.parametrize("optimizer,apply_op", [(lambda: tf.train.AdamOptimizer(0.01), "ApplyAdam"),
                                                (lambda: tf.train.MomentumOptimizer(0.1, 0.9), "ApplyMomentum"),
                                                (lambda: tf.train.MomentumOptimizer(0.1, 0.9, use_nesterov=True),
                                                 "ApplyMomentum")],
                         ids=["adam", "momentum", "nesterov"])
def test_mlp_trained_five_steps_on_the_gpu_equals_the_cpu_bit_for_bit(guarded_gpu, optimizer, apply_op):
    values = guarded_gpu.compare(_mlp(optimizer), steps=5, on_gpu=("MatMul", apply_op))
    losses = values[:-1]     # then the weights and the optimizer's slots, equal too
    assert losses[-1] < losses[0] and len(values[-1]) > 4


def _embedding(optimizer):
    def build():
        table = tf.Variable(np.arange(20, dtype=np.float32).reshape(5, 4) / 10.0, name="table")
        ids, feed = _fed(np.array([0, 3, 3, 1], np.int32))
        loss = tf.reduce_sum(tf.square(tf.nn.embedding_lookup(table, ids)))
        return loss, feed, [optimizer().minimize(loss)]
    return build


@pytest.mark.parametrize("optimizer,apply_op", [
    (lambda: tf.train.MomentumOptimizer(0.1, 0.9), "SparseApplyMomentum"),
    (lambda: tf.train.AdagradOptimizer(0.1), "SparseApplyAdagrad"),
    (lambda: tf.train.FtrlOptimizer(0.1, l1_regularization_strength=0.01), "SparseApplyFtrl"),
    (lambda: tf.train.AdamOptimizer(0.1), "ScatterAdd")], ids=["momentum", "adagrad", "ftrl", "adam"])
def test_sparse_updates_of_an_embedding_on_the_gpu_equal_the_cpu(guarded_gpu, optimizer, apply_op):
    values = guarded_gpu.compare(_embedding(optimizer), steps=3, on_gpu=("GatherV2", apply_op))
    assert values[2] < values[0]


def _control_flow():
    x, feed = _fed(_X)
    count, total = tf.while_loop(lambda i, acc: i < 3, lambda i, acc: (i + 1, acc * 1.5 + tf.reduce_sum(x)),
                                 [tf.constant(0), tf.zeros([])])
    flag, feed2 = _fed(np.array(True))
    feed.update(feed2)
    chosen = tf.cond(flag, lambda: tf.reduce_max(x) * 2.0, lambda: tf.reduce_min(x))
    squares = tf.map_fn(lambda row: row * row, x)
    gradients = tf.gradients(total + chosen + tf.reduce_sum(squares), x)
    return [count, total, chosen, squares, gradients], feed, []


def test_while_loop_cond_and_map_fn_run_on_the_gpu(guarded_gpu):
    values = guarded_gpu.compare(_control_flow, on_gpu=("While", "WhileGrad", "Cond", "MapFn"))
    assert values[0][0] == 3


def test_saver_round_trips_device_variables(guarded_gpu, tmp_path):
    path = str(tmp_path / "model")
    weights = np.arange(6, dtype=np.float32).reshape(2, 3)
    variable = tf.Variable(weights, name="w")
    step = tf.assign_add(variable, tf.ones([2, 3]))
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(step)
        assert type(sess._state.variable_cell(variable.op).value) is GuardedArray
        saver.save(sess, path)
    with tf.Session() as sess:
        saver.restore(sess, path)
        np.testing.assert_array_equal(sess.run(variable), weights + 1.0)
        assert type(sess._state.variable_cell(variable.op).value) is GuardedArray
        sess.run(tf.scatter_add(variable, [1], [[1.0, 2.0, 3.0]]))
        np.testing.assert_array_equal(sess.run(variable), weights + 1.0 + [[0, 0, 0], [1, 2, 3]])
    np.testing.assert_array_equal(tf.train.load_variable(path, "w"), weights + 1.0)
