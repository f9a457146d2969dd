"""numflow.horovod: Horovod's TF1 API over MPI.

In-process tests check the world-of-one semantics (every process can run them); the MPI tests launch
`mpiexec -n N` on tests/test_horovod_worker.py with timeouts and skip, with the reason, when the `mpi`
extra (mpi4py and an mpiexec) is absent."""
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

import numflow as tf
import numflow.horovod as hvd
from numflow.framework import errors
from numflow.horovod import basics, launcher

from gradcheck import check_gradients

HERE = os.path.dirname(os.path.abspath(__file__))
WORKER = os.path.join(HERE, "test_horovod_worker.py")


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    hvd.init()
    yield
    tf.reset_default_graph()


def run(fetches, feed_dict=None):
    with tf.Session() as sess:
        sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
        return sess.run(fetches, feed_dict)


# --- the process-level API ----------------------------------------------------------------------------
def test_world_of_one_basics():
    assert hvd.is_initialized()
    assert (hvd.rank(), hvd.size(), hvd.local_rank(), hvd.local_size(), hvd.cross_rank(), hvd.cross_size()) == \
        (0, 1, 0, 1, 0, 1)
    assert isinstance(hvd.mpi_threads_supported(), bool)
    try:
        import mpi4py  # noqa: F401
        has_mpi4py = True
    except ImportError:
        has_mpi4py = False
    assert hvd.mpi_built() == has_mpi4py and hvd.mpi_enabled() == has_mpi4py
    assert not hvd.gloo_enabled() and not hvd.nccl_built()
    assert hvd.blas_threads() >= 1
    assert run([hvd.size_op(), hvd.rank_op(), hvd.local_size_op(), hvd.local_rank_op()]) == [1, 0, 1, 0]


def test_rank_before_init_is_an_error_and_shutdown_reinit():
    hvd.shutdown()
    assert not hvd.is_initialized()
    with pytest.raises(ValueError, match=r"Horovod has not been initialized; use hvd.init\(\)"):
        hvd.rank()
    reduced = hvd.allreduce(tf.constant([1.0]))     # graphs build before init, as in Horovod
    with pytest.raises(ValueError, match="Horovod has not been initialized"):
        with tf.Session() as sess:
            sess.run(reduced)
    hvd.init()
    hvd.init()   # a second call changes nothing
    assert hvd.size() == 1


def test_init_caps_the_threads_plans_may_use_and_shutdown_restores_them(monkeypatch):
    from numflow.client import threads
    if not threads.available():
        pytest.skip("numflow cannot control this NumPy's BLAS threads")
    hvd.shutdown()
    before = threads.default_threads()
    monkeypatch.setattr(basics, "threads_per_rank", lambda local_ranks: 1)
    hvd.init()
    assert hvd.blas_threads() == 1 and threads.default_threads() == 1 and threads.blas_threads() == 1
    # a plan with a matmul compiled now gets no adaptive choice between 1 and more threads
    assert threads.controller_for(["MatMul"]) is None
    hvd.shutdown()
    assert threads.default_threads() == before
    hvd.init()


def test_threads_per_rank_divides_cores_unless_fixed(monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    assert basics.threads_per_rank(4, cores=16) == 4
    assert basics.threads_per_rank(3, cores=2) == 1
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    assert basics.threads_per_rank(4, cores=16) == 3


def test_without_mpi4py_a_launched_world_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "mpi4py", None)
    monkeypatch.setenv("PMI_SIZE", "4")
    with pytest.raises(ImportError, match=r"pip install 'numflow-tf1\[mpi\]' \(or pip install mpi4py mpich\)"):
        basics._import_mpi()
    monkeypatch.setenv("PMI_SIZE", "1")
    assert basics._import_mpi() is None


# --- collectives in a world of one --------------------------------------------------------------------
def test_collectives_of_one_rank_return_their_input():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    t = tf.constant(x)
    values = run({"avg": hvd.allreduce(t), "sum": hvd.allreduce(t, op=hvd.Sum), "max": hvd.allreduce(t, op=hvd.Max),
                  "scaled": hvd.allreduce(t, op=hvd.Sum, prescale_factor=3.0, postscale_factor=0.5),
                  "gather": hvd.allgather(t), "bcast": hvd.broadcast(t, 0),
                  "fp16": hvd.allreduce(t, compression=hvd.Compression.fp16),
                  "ints": hvd.allreduce(tf.constant([3, 4]), average=True)})
    for key in ("avg", "sum", "max", "gather", "bcast", "fp16"):
        np.testing.assert_array_equal(values[key], x)
    np.testing.assert_allclose(values["scaled"], x * 1.5)
    np.testing.assert_array_equal(values["ints"], [3, 4])
    assert hvd.allgather(t).shape.as_list() == [None, 3]
    assert hvd.allreduce(t, compression=hvd.Compression.fp16).dtype is tf.float32


def test_grouped_allreduce_fuses_one_op_per_dtype():
    a, b = tf.constant([1.0, 2.0]), tf.constant([[3.0]])
    i = tf.constant([5, 6])
    outputs = hvd.grouped_allreduce([a, i, b], op=hvd.Sum)
    fused = [op for op in tf.get_default_graph().get_operations() if op.type == "HorovodAllreduce"]
    assert sorted(len(op.inputs) for op in fused) == [1, 2]
    values = run(outputs)
    np.testing.assert_array_equal(values[0], [1.0, 2.0])
    np.testing.assert_array_equal(values[1], [5, 6])
    np.testing.assert_array_equal(values[2], [[3.0]])
    assert hvd.grouped_allreduce([]) == []


def test_indexed_slices_are_allgathered():
    slices = tf.IndexedSlices(tf.constant([[1.0, 2.0]]), tf.constant([1]), tf.constant([3, 2]))
    reduced = hvd.allreduce(slices)
    assert isinstance(reduced, tf.IndexedSlices)
    values, indices = run([reduced.values, reduced.indices])
    np.testing.assert_array_equal(values, [[1.0, 2.0]])
    np.testing.assert_array_equal(indices, [1])


def test_collective_errors():
    with pytest.raises(ValueError, match="The op parameter supersedes average. Please provide only one of them."):
        hvd.allreduce(tf.constant([1.0]), average=True, op=hvd.Sum)
    with pytest.raises(NotImplementedError, match="op=hvd.Adasum is not supported by numflow.horovod"):
        hvd.allreduce(tf.constant([1.0]), op=hvd.Adasum)
    with pytest.raises(ValueError, match="Unknown reduction op 'Median'"):
        hvd.allreduce(tf.constant([1.0]), op="Median")
    with pytest.raises(TypeError, match="allreduce supports numeric and bool tensors, got string tensor"):
        hvd.allreduce(tf.constant(["a"]))
    with pytest.raises(TypeError, match="prescale_factor and postscale_factor need a floating-point tensor"):
        hvd.allreduce(tf.constant([1]), prescale_factor=2.0)
    with pytest.raises(ValueError, match="allgather needs a tensor of rank 1 or more"):
        hvd.allgather(tf.constant(1.0))
    with pytest.raises(TypeError, match="root_rank must be an int"):
        hvd.broadcast(tf.constant(1.0), "0")
    with pytest.raises(TypeError, match="HorovodAllreduce inputs must share one dtype"):
        tf.get_default_graph().create_op("HorovodAllreduce", [tf.constant(1.0), tf.constant(1)],
                                         {"reduce_op": "Sum", "prescale_factor": 1.0, "postscale_factor": 1.0})
    with pytest.raises(TypeError, match="HorovodBroadcast inputs must share one dtype"):
        tf.get_default_graph().create_op("HorovodBroadcast", [tf.constant(1.0), tf.constant(1)], {"root_rank": 0})
    bad_root = hvd.broadcast(tf.constant(1.0), 3)
    with pytest.raises(errors.InvalidArgumentError, match="broadcast root_rank 3 is not a rank of this world of 1"):
        run(bad_root)
    with pytest.raises(NotImplementedError, match="gradient of allreduce is defined for op=Sum and op=Average"):
        x = tf.constant([1.0])
        tf.gradients(hvd.allreduce(x, op=hvd.Max), x)


@pytest.mark.parametrize("build", [
    lambda x: hvd.allreduce(x * x),
    lambda x: hvd.allreduce(x, op=hvd.Sum, prescale_factor=2.0, postscale_factor=0.5) * x,
    lambda x: hvd.grouped_allreduce([x, x * 3.0])[1] * x,
    lambda x: hvd.allgather(x) * 2.0,
    lambda x: hvd.broadcast(x * x, 0),
], ids=["allreduce", "allreduce_scaled", "grouped", "allgather", "broadcast"])
def test_gradients_of_one_rank_match_finite_differences(build):
    check_gradients(build, [np.random.RandomState(1).randn(3, 2)])


# --- DistributedOptimizer -----------------------------------------------------------------------------
def _regression():
    data = np.random.RandomState(0)
    x = tf.constant(data.randn(8, 3).astype(np.float32))
    y = tf.constant(data.randn(8, 1).astype(np.float32))
    w = tf.Variable(np.ones((3, 1), np.float32), name="w")
    b = tf.Variable(np.zeros(1, np.float32), name="b")
    return w, b, tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y))


def test_distributed_optimizer_of_one_rank_equals_the_wrapped_optimizer():
    w, b, loss = _regression()
    plain = tf.train.AdamOptimizer(0.1).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            sess.run(plain)
        expected = sess.run([w, b])
    tf.reset_default_graph()
    w, b, loss = _regression()
    opt = hvd.DistributedOptimizer(tf.train.AdamOptimizer(0.1), compression=hvd.Compression.fp16)
    step = opt.minimize(loss)
    assert opt.get_slot_names() == ["m", "v"] and opt.get_slot(w, "m") is not None
    assert opt.get_name() == "DistributedAdamOptimizer" and opt.variables()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            sess.run(step)
        actual = sess.run([w, b])
    for a, e in zip(actual, expected):
        np.testing.assert_allclose(a, e, rtol=1e-6)


def test_backward_passes_accumulate_then_apply_every_nth_step():
    w, b, loss = _regression()
    grads = tf.gradients(loss, [w, b])
    global_step = tf.train.get_or_create_global_step()
    opt = hvd.DistributedOptimizer(tf.train.GradientDescentOptimizer(0.1), backward_passes_per_step=2,
                                   average_aggregated_gradients=True)
    step = opt.minimize(loss, global_step=global_step)
    with tf.Session() as sess:
        sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
        w0, b0 = sess.run([w, b])
        g = sess.run(grads)
        sess.run(step)
        np.testing.assert_array_equal(sess.run(w), w0)       # first pass: accumulated only
        sess.run(step)                                       # second: applied, the same gradient twice
        np.testing.assert_allclose(sess.run(w), w0 - 0.1 * g[0], rtol=1e-5)
        np.testing.assert_allclose(sess.run(b), b0 - 0.1 * g[1], rtol=1e-5, atol=1e-7)
        assert sess.run(global_step) == 2
        g2 = sess.run(grads)
        w1 = sess.run(w)
        sess.run(step)
        sess.run(step)
        np.testing.assert_allclose(sess.run(w), w1 - 0.1 * g2[0], rtol=1e-5)


def test_distributed_optimizer_errors():
    sgd = tf.train.GradientDescentOptimizer(0.1)
    with pytest.raises(NotImplementedError, match="op=hvd.Adasum is not supported"):
        hvd.DistributedOptimizer(sgd, op=hvd.Adasum)
    with pytest.raises(ValueError, match="gradient_predivide_factor not supported with op != Average"):
        hvd.DistributedOptimizer(sgd, op=hvd.Sum, gradient_predivide_factor=2.0)
    with pytest.raises(ValueError, match="backward_passes_per_step must be a positive integer, got 0"):
        hvd.DistributedOptimizer(sgd, backward_passes_per_step=0)
    with pytest.raises(ValueError, match="op=hvd.Average or op=hvd.Sum, not Max"):
        hvd.DistributedOptimizer(sgd, op=hvd.Max)
    with pytest.raises(TypeError, match="DistributedOptimizer wraps a tf.train.Optimizer, got str"):
        hvd.DistributedOptimizer("sgd")


def test_predivide_scaling_splits_the_average():
    opt = hvd.DistributedOptimizer(tf.train.GradientDescentOptimizer(0.1), gradient_predivide_factor=4.0)
    assert opt._scaling() == (hvd.Sum, 0.25, 4.0 / hvd.size())
    assert hvd.DistributedOptimizer(tf.train.GradientDescentOptimizer(0.1))._scaling() == (hvd.Average, 1.0, 1.0)


# --- broadcasting variables ---------------------------------------------------------------------------
def test_broadcast_variables_and_the_hook_with_monitored_training_session(tmp_path):
    w, b, loss = _regression()
    counter = tf.Variable(7, name="counter")
    bcast = hvd.broadcast_global_variables(0)
    broadcasts = [op for op in tf.get_default_graph().get_operations() if op.type == "HorovodBroadcast"]
    assert sorted(len(op.inputs) for op in broadcasts) == [1, 2]     # one fused op per dtype
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(bcast)
        np.testing.assert_array_equal(sess.run(w), np.ones((3, 1)))
        assert sess.run(counter) == 7
    global_step = tf.train.get_or_create_global_step()
    step = hvd.DistributedOptimizer(tf.train.GradientDescentOptimizer(0.1)).minimize(loss, global_step=global_step)
    hook = hvd.BroadcastGlobalVariablesHook(0)
    with tf.train.MonitoredTrainingSession(checkpoint_dir=str(tmp_path), hooks=[hook]) as sess:
        sess.run(step)
        assert hook.bcast_op is not None and sess.run(global_step) == 1
    assert hvd.broadcast_variables([], 0).type == "NoOp"


# --- horovodrun ---------------------------------------------------------------------------------------
def test_horovodrun_maps_to_mpiexec(monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    cores = basics.available_cores()
    argv, env = launcher.build_command(2, ["python", "train.py"], mpiexec="/x/mpiexec")
    threads = str(max(1, cores // 2))
    assert argv == ["/x/mpiexec", "-n", "2", "-genv", "OMP_NUM_THREADS", threads, "-genv", "OPENBLAS_NUM_THREADS",
                    threads, "-genv", "MKL_NUM_THREADS", threads, "python", "train.py"]
    assert env["OPENBLAS_NUM_THREADS"] == threads
    argv, _ = launcher.build_command(4, ["python", "t.py"], hosts=[("a", 2), ("b", 2)], flavour="mpich")
    assert argv[1:5] == ["-n", "4", "-hosts", "a:2,b:2"]
    argv, _ = launcher.build_command(4, ["python", "t.py"], hosts=[("a", 2), ("b", 2)], flavour="openmpi",
                                     mpi_args=["--bind-to", "none"])
    assert argv[1:5] == ["-np", "4", "-H", "a:2,b:2"] and "--oversubscribe" in argv and "-x" in argv
    assert argv[-4:] == ["--bind-to", "none", "python", "t.py"]
    with pytest.raises(ValueError, match="-np must be at least 1"):
        launcher.build_command(0, ["python"])
    with pytest.raises(ValueError, match="no command to run"):
        launcher.build_command(2, [])


def test_horovodrun_hosts_and_hostfile(tmp_path):
    assert launcher.parse_hosts("a:2, b", None) == [("a", 2), ("b", 1)]
    hostfile = tmp_path / "hosts"
    hostfile.write_text("node1 slots=4\nnode2:2  # comment\n\n")
    assert launcher.parse_hosts(None, str(hostfile)) == [("node1", 4), ("node2", 2)]
    with pytest.raises(ValueError, match="cannot read host 'a:x': use host:slots"):
        launcher.parse_hosts("a:x", None)


def test_horovodrun_without_mpiexec_names_the_extra(monkeypatch, capsys):
    monkeypatch.delenv("NUMFLOW_MPIEXEC", raising=False)
    monkeypatch.setattr(launcher.sys, "executable", "/nonexistent/python")
    monkeypatch.setattr(launcher.shutil, "which", lambda name: None)
    with pytest.raises(FileNotFoundError, match=r"pip install 'numflow-tf1\[mpi\]'"):
        launcher.find_mpiexec()
    assert launcher.main(["-np", "2", "python", "x.py"]) == 2
    assert "found none" in capsys.readouterr().err
    monkeypatch.setenv("NUMFLOW_MPIEXEC", "/opt/mpi/bin/mpiexec")
    assert launcher.find_mpiexec() == "/opt/mpi/bin/mpiexec"


def test_horovod_alias_under_numflow_run():
    from numflow import _tensorflow_alias
    assert _tensorflow_alias.target_name("horovod.tensorflow") == "numflow.horovod"
    assert _tensorflow_alias.target_name("horovod") == "numflow.horovod"
    assert _tensorflow_alias.target_name("horovod.tensorflow.compression") == "numflow.horovod.compression"
    displaced = _tensorflow_alias.install()
    try:
        import horovod.tensorflow as alias_hvd
        import horovod as alias_root
        assert alias_hvd is hvd and alias_root is hvd
    finally:
        _tensorflow_alias.uninstall(displaced)
    assert "horovod.tensorflow" not in sys.modules


# --- several ranks: mpiexec ---------------------------------------------------------------------------
def _mpiexec():
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        pytest.skip("the mpi extra is not installed (pip install 'numflow-tf1[mpi]'): mpi4py is missing")
    try:
        return launcher.find_mpiexec()
    except FileNotFoundError:
        pytest.skip("no mpiexec (pip install mpich)")


def launch(tmp_path, scenario, ranks, timeout=120):
    """Runs the worker scenario on `ranks` MPI processes; returns each rank's results."""
    mpiexec = _mpiexec()
    out = str(tmp_path / scenario)
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=os.pathsep.join(
        [os.path.join(os.path.dirname(HERE), "src"), os.environ.get("PYTHONPATH", "")]))
    completed = subprocess.run([mpiexec, "-n", str(ranks), sys.executable, WORKER, scenario, out], env=env,
                               capture_output=True, text=True, timeout=timeout)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return [dict(np.load("%s.%d.npz" % (out, r), allow_pickle=False)) for r in range(ranks)]


def test_mpi_collectives_on_two_ranks(tmp_path):
    results = launch(tmp_path, "collectives", 2)
    base = np.arange(6, dtype=np.float32).reshape(2, 3)
    per_rank = [base, base + 1]
    for rank, r in enumerate(results):
        np.testing.assert_array_equal(r["sum"], per_rank[0] + per_rank[1])
        np.testing.assert_array_equal(r["average"], (per_rank[0] + per_rank[1]) / 2)
        np.testing.assert_array_equal(r["min"], base)
        np.testing.assert_array_equal(r["max"], base + 1)
        np.testing.assert_allclose(r["scaled"], (per_rank[0] + per_rank[1]) * 2 * 0.25)
        np.testing.assert_array_equal(r["int_sum"], [3, 30])
        np.testing.assert_array_equal(r["int_average"], [1, 15])      # integer Average floors
        np.testing.assert_allclose(r["fp16"], (per_rank[0] + per_rank[1]) / 2, rtol=1e-3)
        np.testing.assert_array_equal(r["gathered"], [[0, 0], [1, 1], [1, 1]])
        np.testing.assert_array_equal(r["broadcast"], base + 1)         # root_rank = size - 1
        np.testing.assert_array_equal(r["grouped_0"], per_rank[0] + per_rank[1])
        np.testing.assert_array_equal(r["grouped_1"], [3, 30])
        np.testing.assert_array_equal(r["grouped_2"], 2 * (per_rank[0] + per_rank[1]))
        assert int(r["grouped_op_inputs"]) in (1, 2)
        np.testing.assert_array_equal(r["grad_allreduce"], np.full((2, 3), 3.0))   # sum of the ranks' weights
        np.testing.assert_array_equal(r["grad_broadcast"], np.full((2, 3), 3.0 if rank == 0 else 0.0))
    # allgather's gradient: row i of the gathered tensor is weighted i*(rank+1) on each rank, summed = 3i.
    np.testing.assert_array_equal(results[0]["grad_allgather"], [[0.0, 0.0]])
    np.testing.assert_array_equal(results[1]["grad_allgather"], [[3.0, 3.0], [6.0, 6.0]])


def test_mpi_ranks_with_different_graphs_fail_fast_naming_the_difference(tmp_path):
    import time
    start = time.time()
    results = launch(tmp_path, "mismatch", 2, timeout=60)
    assert time.time() - start < 30
    for rank, r in enumerate(results):
        message = str(r["error"])
        assert "differs between ranks" in message, message
        assert "float32[3]" in message and "float32[4]" in message
        assert message.startswith("Horovod collective 'DistributedGradientDescentOptimizer_Allreduce/")


def _reference_training(passes):
    """One process, no Horovod: the same model on the whole global batch, rank 0's seed."""
    sys.path.insert(0, HERE)
    try:
        import test_horovod_worker as worker
    finally:
        sys.path.remove(HERE)
    tf.reset_default_graph()
    features, labels, loss = worker._model(tf, hvd, seed=100)
    weights = tf.trainable_variables()
    grads = tf.gradients(loss, weights)
    fed = [tf.placeholder(tf.float32, w.shape) for w in weights]
    apply = tf.train.MomentumOptimizer(0.1, 0.9).apply_gradients(list(zip(fed, weights)))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        total = None
        for index, (x, y) in enumerate(worker._global_batches(6, 8)):
            g = sess.run(grads, {features: x, labels: y})
            total = g if total is None else [a + b for a, b in zip(total, g)]
            if (index + 1) % passes == 0:
                sess.run(apply, dict(zip(fed, total)))
                total = None
        return sess.run(weights)


@pytest.mark.parametrize("ranks", [1, 2, 4])
def test_mpi_training_matches_one_process_on_the_global_batch(tmp_path, ranks):
    results = launch(tmp_path, "training", ranks)
    expected = _reference_training(passes=1)
    for r in results:
        for i, e in enumerate(expected):
            np.testing.assert_allclose(r["w%d" % i], e, rtol=1e-5, atol=1e-6)
        assert int(r["global_step"]) == 6
    if ranks > 1:   # different seeds before the broadcast
        assert not np.allclose(results[0]["before"], results[1]["before"])


def test_mpi_backward_passes_per_step_matches_accumulated_reference(tmp_path):
    results = launch(tmp_path, "training_passes", 2)
    expected = _reference_training(passes=2)
    for r in results:
        for i, e in enumerate(expected):
            np.testing.assert_allclose(r["w%d" % i], e, rtol=1e-5, atol=1e-6)
        assert int(r["global_step"]) == 6


def test_horovodrun_command_runs_two_ranks(tmp_path):
    _mpiexec()
    out = str(tmp_path / "run")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.join(os.path.dirname(HERE), "src"),
                                                       os.environ.get("PYTHONPATH", "")]))
    env.pop("OMP_NUM_THREADS", None)
    completed = subprocess.run([sys.executable, "-m", "numflow.horovod.launcher", "-np", "2", "--verbose",
                                sys.executable, WORKER, "training", out], env=env, capture_output=True, text=True,
                               timeout=120)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "-genv OMP_NUM_THREADS" in completed.stdout
    weights = [np.load("%s.%d.npz" % (out, r))["w0"] for r in range(2)]
    np.testing.assert_array_equal(weights[0], weights[1])


def test_a_failing_rank_aborts_the_job_instead_of_hanging(tmp_path):
    mpiexec = _mpiexec()
    script = tmp_path / "fail.py"
    script.write_text("import numflow as tf, numflow.horovod as hvd\nhvd.init()\n"
                      "if hvd.rank() == 1:\n    raise RuntimeError('rank one fails')\n"
                      "with tf.Session() as s:\n    s.run(hvd.allreduce(tf.constant([1.0])))\n")
    completed = subprocess.run([mpiexec, "-n", "2", sys.executable, str(script)], capture_output=True, text=True,
                               timeout=60)
    assert completed.returncode != 0
    assert "rank one fails" in completed.stderr and "rank 1 failed; aborting the MPI job" in completed.stderr


def test_mpiexec_on_path_is_found():
    if shutil.which("mpiexec") is None and not os.path.exists(os.path.join(os.path.dirname(sys.executable),
                                                                           "mpiexec")):
        pytest.skip("no mpiexec (pip install mpich)")
    assert os.path.basename(launcher.find_mpiexec()) in ("mpiexec", "mpirun")


@pytest.mark.parametrize("script,use_horovodrun", [("horovod_mnist_monitored.py", True),
                                                   ("horovod_mnist_session.py", False)])
def test_examples_run_on_two_ranks_and_only_rank_zero_writes(tmp_path, script, use_horovodrun):
    mpiexec = _mpiexec()
    examples = os.path.join(os.path.dirname(HERE), "examples")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.join(os.path.dirname(HERE), "src"),
                                                       os.environ.get("PYTHONPATH", "")]))
    program = [sys.executable, os.path.join(examples, script), "--synthetic", "--steps", "20",
               "--checkpoint-dir", str(tmp_path / "ckpt")]
    launch_with = ([sys.executable, "-m", "numflow.horovod.launcher", "-np", "2"] if use_horovodrun
                   else [mpiexec, "-n", "2"])
    completed = subprocess.run(launch_with + program, env=env, capture_output=True, text=True, timeout=180)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    accuracies = [line for line in completed.stdout.splitlines() if "test accuracy" in line]
    assert sorted(line.split(":")[0] for line in accuracies) == ["rank 0 of 2", "rank 1 of 2"]
    assert len({line.split(":")[1] for line in accuracies}) == 1       # the ranks hold the same weights
    written = os.listdir(tmp_path / "ckpt")
    assert len([name for name in written if name.startswith("events.out.tfevents")]) == 1
    assert any(name.startswith("model.ckpt-10.index") for name in written)


def test_blas_threads_are_set_in_the_loaded_openblas():
    import ctypes
    from numflow.client import threads
    with open("/proc/self/maps") as maps:
        libraries = {line.split()[-1] for line in maps if "openblas" in line.lower() and "/" in line}
    getters = []
    for path in libraries:
        library = ctypes.CDLL(path)
        getters += [getattr(library, name) for name in ("openblas_get_num_threads", "openblas_get_num_threads64_",
                                                        "scipy_openblas_get_num_threads64_")
                    if hasattr(library, name)]
    if not getters:
        pytest.skip("NumPy does not use OpenBLAS here")
    before = getters[0]()
    try:
        threads.set_blas_threads(1)
        assert getters[0]() == 1
    finally:
        threads.set_blas_threads(before)
    assert getters[0]() == before


def test_more_error_paths():
    unknown = tf.placeholder(tf.float32)
    gathered = hvd.allgather(unknown)
    with tf.Session() as sess:
        with pytest.raises(errors.InvalidArgumentError, match="allgather needs a tensor of rank 1 or more, got a "
                                                              "scalar for Placeholder"):
            sess.run(gathered, {unknown: 1.0})
    slices = tf.IndexedSlices(tf.constant([[1.0]]), tf.constant([0]))
    with pytest.raises(NotImplementedError, match="allreduce of IndexedSlices supports op=Average and op=Sum only"):
        hvd.allreduce(slices, op=hvd.Max)
    with pytest.raises(NotImplementedError, match="does not record Horovod timelines"):
        hvd.start_timeline("/tmp/timeline.json")
    with pytest.raises(NotImplementedError, match="does not record Horovod timelines"):
        hvd.stop_timeline()


def test_init_with_a_list_of_ranks_and_without_mpi4py(monkeypatch):
    _mpiexec()
    hvd.shutdown()
    hvd.init(comm=[0])
    assert (hvd.rank(), hvd.size()) == (0, 1)
    hvd.shutdown()
    monkeypatch.setitem(sys.modules, "mpi4py", None)
    with pytest.raises(ImportError, match=r"needs MPI for more than one process: pip install 'numflow-tf1\[mpi\]'"):
        hvd.init(comm=object())
    hvd.init()          # no mpi4py, no launcher: a world of one without MPI
    assert hvd.size() == 1 and not hvd.mpi_enabled()
    assert run(hvd.allreduce(tf.constant([2.0]))) == [2.0]
    hvd.shutdown()
    monkeypatch.undo()
    hvd.init()
