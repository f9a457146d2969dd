"""Array backends and placement on a GPU, exercised through the guarded (simulated) GPU: what CuPy refuses,
where ops go, the copies a plan makes between devices, variables kept on their device, configuration."""
import re

import numpy as np
import pytest

import numflow as tf
from numflow import backend
from numflow.backend.guarded import GUARDED_NUMPY, GuardedArray
from numflow.framework import errors

GPU0 = "/job:localhost/replica:0/task:0/device:GPU:0"
CPU0 = "/job:localhost/replica:0/task:0/device:CPU:0"


@pytest.fixture
def guarded_gpus(monkeypatch):
    """A process with two simulated GPUs (Sessions created inside see them)."""
    monkeypatch.setenv("NUMFLOW_GPU_BACKEND", "guarded")
    monkeypatch.setenv("NUMFLOW_GUARDED_GPUS", "2")
    backend.reset_for_tests()
    yield backend.gpu_backends()
    backend.reset_for_tests()      # monkeypatch restores the variables; the next query re-reads them


def placements(capsys, session, fetches, feed_dict=None):
    """{op name: device} as log_device_placement printed it for one run."""
    capsys.readouterr()
    session.run(fetches, feed_dict)
    out = capsys.readouterr().out
    return dict(re.findall(r"^(\S+): \(\w+\): (\S+)$", out, re.M))


# --- the guarded array: CuPy's rules -------------------------------------------------------------
def test_guarded_array_refuses_implicit_host_conversions():
    device = GuardedArray(np.arange(6.0).reshape(2, 3))
    with pytest.raises(TypeError, match="Implicit conversion to a NumPy array is not allowed"):
        np.asarray(device)
    with pytest.raises(TypeError, match="Implicit conversion to a NumPy array is not allowed"):
        np.array(device, dtype=np.float32)
    with pytest.raises(TypeError, match=r"Unsupported type <class 'numpy.ndarray'> in add"):
        np.add(device, np.ones(3))
    with pytest.raises(TypeError, match=r"Unsupported type <class 'numpy.ndarray'> in where"):
        np.where(device > 1, device, np.zeros(()))
    with pytest.raises(TypeError, match="add.at is not available on CuPy arrays"):
        np.add.at(device, GuardedArray(np.array([0])), 1.0)
    with pytest.raises(TypeError, match="cannot run on a device"):
        np.frompyfunc(lambda v: v, 1, 1)(device)


def test_guarded_array_computes_through_numpy_dispatch():
    data = np.arange(6.0).reshape(2, 3)
    device = GuardedArray(data)
    total = np.sum(device, axis=0)
    assert type(total) is GuardedArray and np.array_equal(total.get(), data.sum(axis=0))
    product = np.matmul(device, device.T) + 1.5
    assert type(product) is GuardedArray and np.array_equal(product.get(), data @ data.T + 1.5)
    assert type(device.reshape(3, 2).astype(np.float32)) is GuardedArray
    scalar = device[1, 2]
    assert type(scalar) is GuardedArray and scalar.shape == () and float(scalar) == 5.0
    assert type(np.concatenate([device, device])) is GuardedArray
    created = GUARDED_NUMPY.zeros((2, 2), np.float32)
    assert type(created) is GuardedArray and created.dtype == np.float32
    copied_in = GUARDED_NUMPY.asarray(data)       # explicit host->device copy: allowed
    assert np.array_equal(GUARDED_NUMPY.asnumpy(copied_in), data)
    target = GUARDED_NUMPY.zeros(3)
    backend.scatter_add(target, GUARDED_NUMPY.asarray(np.array([0, 2, 0])), GUARDED_NUMPY.asarray(np.ones(3)))
    assert target.get().tolist() == [2.0, 0.0, 1.0]
    host = np.zeros(3)
    backend.scatter_add(host, np.array([1, 1]), 1.0)
    assert host.tolist() == [0.0, 2.0, 0.0]


def test_array_module_and_to_host():
    device = GUARDED_NUMPY.ones(2)
    assert backend.array_module(np.ones(2), 3.0) is np
    assert backend.array_module(np.ones(2), device) is GUARDED_NUMPY
    assert backend.is_device_array(device) and not backend.is_device_array(np.ones(2))
    assert type(backend.to_host(device)) is np.ndarray


# --- finding GPUs ------------------------------------------------------------------------------------
def test_backend_choice_errors(monkeypatch):
    monkeypatch.setenv("NUMFLOW_GPU_BACKEND", "opencl")
    backend.reset_for_tests()
    try:
        with pytest.raises(ValueError, match="NUMFLOW_GPU_BACKEND must be 'cupy', 'guarded' or 'none', not 'opencl'"):
            backend.gpu_backends()
        monkeypatch.setenv("NUMFLOW_GPU_BACKEND", "none")
        backend.reset_for_tests()
        assert backend.gpu_backends() == []
    finally:
        backend.reset_for_tests()


def test_cupy_required_but_missing_names_the_extra(monkeypatch):
    try:
        import cupy  # noqa: F401
        pytest.skip("CuPy is installed here; this test is about the message when it is not")
    except ImportError:
        pass
    monkeypatch.setenv("NUMFLOW_GPU_BACKEND", "cupy")
    backend.reset_for_tests()
    try:
        with pytest.raises(ImportError, match=r"pip install 'numflow-tf1\[gpu\]' \(or pip install cupy-cuda12x\)"):
            backend.gpu_backends()
    finally:
        backend.reset_for_tests()


def test_device_queries_report_the_gpus(guarded_gpus):
    assert tf.test.is_gpu_available() and tf.test.gpu_device_name() == "/device:GPU:0"
    assert [d.name for d in tf.config.list_physical_devices("GPU")] == ["/physical_device:GPU:0",
                                                                         "/physical_device:GPU:1"]
    assert [d.name for d in tf.config.list_logical_devices("GPU")] == ["/device:GPU:0", "/device:GPU:1"]
    with tf.Session() as sess:
        devices = sess.list_devices()
    assert [(d.name, d.device_type) for d in devices] == [(CPU0, "CPU"), (GPU0, "GPU"),
                                                          (GPU0.replace("GPU:0", "GPU:1"), "GPU")]


def test_without_gpu_sessions_list_only_the_cpu(monkeypatch):
    monkeypatch.setenv("NUMFLOW_GPU_BACKEND", "none")
    backend.reset_for_tests()
    try:
        with tf.Session() as sess:
            assert [d.name for d in sess.list_devices()] == [CPU0]
        assert not tf.test.is_gpu_available() and tf.config.list_physical_devices("GPU") == []
    finally:
        backend.reset_for_tests()


# --- placement --------------------------------------------------------------------------------------
def test_unplaced_ops_go_to_gpu0_and_shape_arithmetic_stays_on_host(guarded_gpus, capsys):
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    w = tf.Variable(np.ones((3, 2), np.float32), name="w")
    y = tf.matmul(x, w, name="y")
    rows = tf.shape(y, name="rows")[0]
    doubled = tf.multiply(rows, 2, name="doubled")
    words = tf.as_string(y, name="words")
    with tf.Session(config=tf.ConfigProto(log_device_placement=True)) as sess:
        sess.run(w.initializer)
        placed = placements(capsys, sess, [y, doubled, words], {x: np.ones((4, 3))})
    assert placed["y"] == GPU0 and placed["w"] == GPU0
    assert placed["rows"] == CPU0 or placed["rows"] == GPU0   # Shape reads metadata wherever y is
    assert placed["doubled"] == CPU0            # int32 bookkeeping on host values stays on the host
    assert placed["words"] == CPU0              # string outputs: host only


def test_values_cross_devices_and_come_back_as_numpy(guarded_gpus):
    x = tf.placeholder(tf.float32, [2, 2])
    y = tf.nn.relu(x * 2.0 - 1.0)
    host_side = tf.py_func(lambda v: (v + 1).astype(np.float32), [y], tf.float32)   # host-only op
    z = tf.reduce_sum(host_side * y)
    with tf.Session() as sess:
        out_y, out_z = sess.run([y, z], {x: [[0.0, 1.0], [2.0, 3.0]]})
    expected_y = np.maximum(np.array([[0.0, 1.0], [2.0, 3.0]]) * 2 - 1, 0)
    assert type(out_y) is np.ndarray and np.array_equal(out_y, expected_y)
    assert type(out_z) is np.float32 and out_z == np.float32(((expected_y + 1) * expected_y).sum())


def test_variables_live_on_the_device_between_runs(guarded_gpus, tmp_path):
    v = tf.Variable(np.arange(4.0, dtype=np.float32), name="v")
    step = tf.assign_add(v, tf.ones([4]))
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(v.initializer)
        sess.run(step)
        assert type(sess._state.variable_cell(v.op).value) is GuardedArray
        assert type(sess.run(v)) is np.ndarray
        path = saver.save(sess, str(tmp_path / "model"))
        v.load(np.zeros(4, np.float32), sess)
        assert sess.run(v).tolist() == [0.0, 0.0, 0.0, 0.0]
        saver.restore(sess, path)
        assert type(sess._state.variable_cell(v.op).value) is GuardedArray
        assert sess.run(v).tolist() == [1.0, 2.0, 3.0, 4.0]
    # The checkpoint is an ordinary one: a CPU-only process reads the same values.
    reader = tf.train.load_checkpoint(path)
    assert reader.get_tensor("v").tolist() == [1.0, 2.0, 3.0, 4.0]


def test_explicit_devices_soft_placement_and_errors(guarded_gpus, capsys):
    with tf.device("/cpu:0"):
        on_cpu = tf.square(tf.constant([1.0, 2.0]), name="on_cpu")
    with tf.device("/gpu:1"):
        on_gpu1 = tf.add(on_cpu, 1.0, name="on_gpu1")
    with tf.Session(config=tf.ConfigProto(log_device_placement=True)) as sess:
        placed = placements(capsys, sess, on_gpu1)
        assert sess.run(on_gpu1).tolist() == [2.0, 5.0]
    assert placed["on_cpu"] == CPU0 and placed["on_gpu1"] == GPU0.replace("GPU:0", "GPU:1")

    tf.reset_default_graph()
    with tf.device("/gpu:0"):
        text = tf.as_string(tf.constant(1.5), name="text")
    with tf.Session() as sess:
        with pytest.raises(errors.InvalidArgumentError,
                           match="Cannot assign a device for operation text: Could not satisfy explicit device "
                                 "specification '/device:GPU:0' because no supported kernel for GPU devices is "
                                 "available"):
            sess.run(text)
    with tf.Session(config=tf.ConfigProto(allow_soft_placement=True)) as sess:
        assert sess.run(text) == b"1.500000"

    tf.reset_default_graph()
    two = tf.constant(2.0)
    with tf.device("/gpu:5"):
        far = tf.square(two, name="far")
    with tf.Session() as sess:
        with pytest.raises(errors.InvalidArgumentError, match=r"Cannot assign a device for operation far: node far was "
                           r"explicitly assigned to /device:GPU:5 but available devices are \[ " + re.escape(CPU0)):
            sess.run(far)
    with tf.Session(config=tf.ConfigProto(allow_soft_placement=True)) as sess:
        assert sess.run(far) == 4.0


def test_visible_device_list_renumbers_gpus(guarded_gpus, capsys):
    y = tf.square(tf.placeholder_with_default(tf.constant([3.0]), [1]), name="y")
    config = tf.ConfigProto(log_device_placement=True, gpu_options=tf.GPUOptions(visible_device_list="1"))
    with tf.Session(config=config) as sess:
        assert [d.name for d in sess.list_devices()] == [CPU0, GPU0]
        assert placements(capsys, sess, y)["y"] == GPU0
    with pytest.raises(errors.InvalidArgumentError,
                       match="'visible_device_list' listed an invalid GPU id '7' but visible device count is 2"):
        tf.Session(config=tf.ConfigProto(gpu_options=tf.GPUOptions(visible_device_list="0,7")))


def test_device_count_zero_hides_the_gpus(guarded_gpus, capsys):
    y = tf.square(tf.placeholder_with_default(tf.constant([3.0]), [1]), name="y")
    config = tf.ConfigProto(log_device_placement=True, device_count={"GPU": 0})
    with tf.Session(config=config) as sess:
        assert [d.name for d in sess.list_devices()] == [CPU0]
        assert placements(capsys, sess, y)["y"] == CPU0


def test_control_flow_on_the_device(guarded_gpus):
    i = tf.constant(0)
    x = tf.placeholder(tf.float32, [3])
    _, total = tf.while_loop(lambda k, acc: k < 4, lambda k, acc: (k + 1, acc * 2.0), [i, x])
    picked = tf.cond(tf.reduce_sum(x) > 0, lambda: x * 10.0, lambda: -x)
    with tf.Session() as sess:
        out_total, out_picked = sess.run([total, picked], {x: [1.0, 2.0, 3.0]})
    assert out_total.tolist() == [16.0, 32.0, 48.0] and out_picked.tolist() == [10.0, 20.0, 30.0]


def test_cpu_results_equal_gpu_results_for_a_training_step(guarded_gpus):
    def train(config_env):
        tf.reset_default_graph()
        tf.set_random_seed(3)
        x = tf.placeholder(tf.float32, [None, 4])
        labels = tf.placeholder(tf.int64, [None])
        hidden = tf.layers.dense(x, 8, activation=tf.nn.relu)
        logits = tf.layers.dense(hidden, 3)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
        step = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
        rng = np.random.RandomState(0)
        data, target = rng.rand(16, 4).astype(np.float32), rng.randint(0, 3, 16)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            losses = [sess.run([loss, step], {x: data, labels: target})[0] for _ in range(3)]
            weights = sess.run(tf.trainable_variables())
        return losses, weights

    gpu_losses, gpu_weights = train("guarded")
    backend_gpus = backend.gpu_backends()
    assert backend_gpus
    import os
    os.environ["NUMFLOW_GPU_BACKEND"] = "none"      # restored by the fixture's monkeypatch
    backend.reset_for_tests()
    cpu_losses, cpu_weights = train("none")
    assert gpu_losses == cpu_losses
    for a, b in zip(gpu_weights, cpu_weights):
        assert np.array_equal(a, b)


# --- real CuPy (on a machine with an NVIDIA GPU) ---------------------------------------------------------
def _cupy_gpu():
    try:
        import cupy
        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


@pytest.mark.gpu
@pytest.mark.skipif(not _cupy_gpu(), reason="needs CuPy and an NVIDIA GPU (pip install 'numflow[gpu]')")
def test_cupy_backend_runs_a_training_step(monkeypatch):
    monkeypatch.setenv("NUMFLOW_GPU_BACKEND", "cupy")
    backend.reset_for_tests()
    try:
        x = tf.placeholder(tf.float32, [None, 3])
        w = tf.Variable(np.ones((3, 2), np.float32))
        loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - 1.0))
        step = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            first = sess.run([loss, step], {x: np.ones((4, 3))})[0]
            second = sess.run(loss, {x: np.ones((4, 3))})
            import cupy
            assert isinstance(sess._state.variable_cell(w.op).value, cupy.ndarray)
        assert first == np.float32(4.0) and second < first
    finally:
        backend.reset_for_tests()
