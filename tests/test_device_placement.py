"""tf.device scopes, DeviceSpec, ConfigProto's placement options, ClusterSpec / Server /
replica_device_setter. Expected strings were checked against real TensorFlow (tf.compat.v1)."""
import pytest

import numflow as tf
from numflow.framework import errors
from conftest import cpu_only  # noqa: E402

LOCAL = "/job:localhost/replica:0/task:0/device:CPU:0"


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


# --- DeviceSpec -----------------------------------------------------------------------------------
def test_device_spec_parses_full_and_short_forms():
    spec = tf.DeviceSpec.from_string("/job:ps/replica:0/task:1/device:GPU:2")
    assert (spec.job, spec.replica, spec.task, spec.device_type, spec.device_index) == ("ps", 0, 1, "GPU", 2)
    assert spec.to_string() == "/job:ps/replica:0/task:1/device:GPU:2"
    assert tf.DeviceSpec.from_string("/cpu:*").to_string() == "/device:CPU:*"
    assert tf.DeviceSpec.from_string("/gpu:1").to_string() == "/device:GPU:1"
    assert tf.DeviceSpec(job="w", device_type="gpu").to_string() == "/job:w/device:GPU:*"
    assert tf.DeviceSpec().to_string() == ""
    assert tf.DeviceSpec.from_string("/task:3/job:a").to_string() == "/job:a/task:3"


def test_device_spec_errors_name_the_problem():
    with pytest.raises(ValueError, match="Unknown attribute 'foo' is encountered while parsing the device "
                                         "spec: '/foo:bar'"):
        tf.DeviceSpec.from_string("/foo:bar")
    with pytest.raises(ValueError, match="Multiple device types are not allowed while parsing the device "
                                         "spec: /cpu:0/gpu:1"):
        tf.DeviceSpec.from_string("/cpu:0/gpu:1")
    with pytest.raises(ValueError, match="DeviceSpec task must be an integer, got 'x'"):
        tf.DeviceSpec.from_string("/task:x")
    with pytest.raises(TypeError, match="unexpected keyword argument 'host'"):
        tf.DeviceSpec().replace(host="a")


def test_device_spec_merge_replace_and_parse():
    base = tf.DeviceSpec.from_string("/job:ps/task:1/cpu:0")
    merged = base.make_merged_spec(tf.DeviceSpec.from_string("/gpu:1"))
    assert merged.to_string() == "/job:ps/task:1/device:GPU:1" and base.to_string() == "/job:ps/task:1/device:CPU:0"
    base.merge_from(tf.DeviceSpec(task=4))
    assert base.to_string() == "/job:ps/task:4/device:CPU:0"
    assert base.replace(job="w", device_index=3).to_string() == "/job:w/task:4/device:CPU:3"
    assert base.parse("/job:z").to_string() == "/job:z" and base.job == "z"
    assert tf.DeviceSpec.from_string("/gpu:0") == tf.DeviceSpec(device_type="GPU", device_index=0)
    assert len({tf.DeviceSpec.from_string("/cpu:0"), tf.DeviceSpec.from_string("/device:CPU:0")}) == 1
    spec = tf.DeviceSpec.from_string("/job:ps/cpu:0")
    spec.task = 2
    spec.device_type = "gpu"
    assert spec.to_string() == "/job:ps/task:2/device:GPU:0"
    with pytest.raises(ValueError, match="DeviceSpec replica must be an integer, got 'r'"):
        spec.replica = "r"


# --- tf.device scopes -----------------------------------------------------------------------------
def test_device_strings_are_canonical_and_nested_scopes_merge():
    with tf.device("/cpu:0"):
        c = tf.constant(1, name="c")
    assert c.device == "/device:CPU:0"
    with tf.device("/gpu:0"):
        with tf.device("/job:worker"):
            d = tf.constant(1)
    assert d.device == "/job:worker/device:GPU:0"
    with tf.device("/job:ps/task:1"):
        with tf.device("/gpu:1"):
            e = tf.constant(1)
        with tf.device(None):
            f = tf.constant(1)
        with tf.device(""):
            g = tf.constant(1)
    assert (e.device, f.device, g.device) == ("/job:ps/task:1/device:GPU:1", "", "/job:ps/task:1")
    assert tf.constant(2).device == ""


def test_device_accepts_device_spec_and_functions():
    with tf.device(tf.DeviceSpec(job="a", task=2)):
        k = tf.constant(2)
    assert k.device == "/job:a/task:2"
    seen = []

    def on_ps_if_variable(op):
        seen.append(op.type)
        return "/job:ps" if op.type == "VariableV2" else ""
    with tf.device("/job:w"):
        with tf.device(on_ps_if_variable):
            v = tf.Variable(1.0)
            h = v + 1.0
    assert v.op.device == "/job:ps" and h.device == "/job:w"
    assert "VariableV2" in seen
    # A device function outside a string scope sees the inner device and decides (TF's order).
    with tf.device(lambda op: tf.DeviceSpec(task=3)):
        with tf.device("/gpu:0"):
            z = tf.constant(0)
    assert z.device == "/task:3"


def test_replica_device_setter_round_robins_variables():
    assert tf.train.replica_device_setter(ps_tasks=0) is None
    with tf.device(tf.train.replica_device_setter(ps_tasks=2)):
        v1, v2, v3 = tf.Variable(1.0), tf.Variable(2.0), tf.Variable(3.0)
        h = v1 + v2
        with tf.device("/gpu:1"):
            k = v1 * 2.0
            v4 = tf.Variable(1.0)
    assert [x.op.device for x in (v1, v2, v3, h, k, v4)] == [
        "/job:ps/task:0", "/job:ps/task:1", "/job:ps/task:0", "/job:worker", "/job:worker/device:GPU:1",
        "/job:ps/task:1/device:GPU:1"]
    cluster = tf.train.ClusterSpec({"ps": ["a:1", "b:2", "c:3"], "worker": ["w:1"]})
    with tf.device(tf.train.replica_device_setter(cluster=cluster, ps_strategy=lambda op: 2)):
        v5 = tf.Variable(1.0)
    assert v5.op.device == "/job:ps/task:2"
    with pytest.raises(TypeError, match="ps_strategy must be callable"):
        tf.train.replica_device_setter(ps_tasks=1, ps_strategy=3)


# --- placement in a Session -----------------------------------------------------------------------
def _graph_with_gpu_op():
    a = tf.constant([[1.0]], name="a")
    b = tf.matmul(a, a, name="MatMul")
    with tf.device("/gpu:0"):
        c = tf.add(b, 1.0, name="add")
    return b, c


@cpu_only
def test_log_device_placement_prints_tf_format_once_per_plan(capsys):
    b, c = _graph_with_gpu_op()
    config = tf.ConfigProto(log_device_placement=True, allow_soft_placement=True)
    with tf.Session(config=config) as sess:
        assert sess.run(c)[0, 0] == 2.0
        first = capsys.readouterr().out.splitlines()
        sess.run(c)
        assert capsys.readouterr().out == ""          # the cached plan prints nothing more
        sess.run(b)
        second = capsys.readouterr().out.splitlines()
    assert "MatMul: (MatMul): %s" % LOCAL in first
    assert "a: (Const): %s" % LOCAL in first
    assert "add: (Add): %s" % LOCAL in first
    assert len(first) == 4 and second == ["a: (Const): %s" % LOCAL, "MatMul: (MatMul): %s" % LOCAL]


@cpu_only
def test_unplaceable_device_without_soft_placement_is_invalid_argument():
    _, c = _graph_with_gpu_op()
    with tf.Session() as sess:
        with pytest.raises(errors.InvalidArgumentError,
                           match=r"Cannot assign a device for operation \w+: node \w+ was explicitly assigned "
                                 r"to /device:GPU:0 but available devices are \[ /job:localhost/replica:0/task:0/"
                                 r"device:CPU:0 \]\. Make sure the device specification refers to a valid device"):
            sess.run(c)
    with tf.Session(config={"allow_soft_placement": True}) as sess:
        assert sess.run(c)[0, 0] == 2.0


def test_remote_jobs_fail_even_with_soft_placement_and_point_at_horovod():
    with tf.device("/job:ps/task:0"):
        x = tf.constant(1.0, name="x")
    with tf.device("/cpu:3"):
        y = tf.constant(2.0, name="y")
    with tf.device("/job:localhost/replica:0/task:0/cpu:0"):
        z = tf.constant(3.0, name="z")
    config = tf.ConfigProto(allow_soft_placement=True)
    with tf.Session(config=config) as sess:
        with pytest.raises(errors.InvalidArgumentError, match="explicitly assigned to /job:ps/task:0 .*horovod"):
            sess.run(x)
        assert sess.run(y) == 2.0 and sess.run(z) == 3.0
    with tf.Session() as sess:
        with pytest.raises(errors.InvalidArgumentError, match="explicitly assigned to /device:CPU:3"):
            sess.run(y)
        assert sess.run(z) == 3.0


# --- ConfigProto ----------------------------------------------------------------------------------
def test_config_proto_fields_defaults_and_serialization():
    config = tf.ConfigProto(intra_op_parallelism_threads=2, inter_op_parallelism_threads=1,
                            device_count={"GPU": 0}, gpu_options=tf.GPUOptions(allow_growth=True))
    config.gpu_options.visible_device_list = "0,1"
    config.gpu_options.per_process_gpu_memory_fraction = 0.5
    assert (config.allow_soft_placement, config.log_device_placement) == (False, False)
    assert config.intra_op_parallelism_threads == 2 and config.device_count == {"GPU": 0}
    assert config.gpu_options.allow_growth and config.gpu_options.visible_device_list == "0,1"
    restored = tf.ConfigProto.FromString(config.SerializeToString())
    assert restored.gpu_options.per_process_gpu_memory_fraction == 0.5
    assert restored.inter_op_parallelism_threads == 1
    assert tf.ConfigProto().graph_options.optimizer_options.do_constant_folding is False
    with pytest.raises(ValueError, match='Protocol message ConfigProto has no "allow_soft_placment" field'):
        tf.ConfigProto(allow_soft_placment=True)
    with pytest.raises(ValueError, match='Protocol message GPUOptions has no "growth" field'):
        tf.GPUOptions(growth=True)
    options = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)
    assert options.trace_level == 3 and "trace_level=3" in repr(options)


# --- ClusterSpec / Server -------------------------------------------------------------------------
def test_cluster_spec_queries():
    cluster = tf.train.ClusterSpec({"ps": ["a:1", "b:2"], "worker": {1: "c:3"}})
    assert cluster.jobs == ["ps", "worker"] and cluster.num_tasks("ps") == 2
    assert cluster.task_indices("worker") == [1] and cluster.job_tasks("worker") == [None, "c:3"]
    assert cluster.as_dict() == {"ps": ["a:1", "b:2"], "worker": {1: "c:3"}}
    assert cluster.task_address("ps", 1) == "b:2" and tf.train.ClusterSpec(cluster) == cluster
    assert bool(tf.train.ClusterSpec({})) is False
    with pytest.raises(ValueError, match="No such job in cluster: 'x'"):
        cluster.num_tasks("x")
    with pytest.raises(ValueError, match="No task with index 0 in job 'worker'"):
        cluster.task_address("worker", 0)
    with pytest.raises(TypeError, match="must be a list or a dictionary"):
        tf.train.ClusterSpec({"ps": "a:1"})
    with pytest.raises(TypeError, match="`cluster` must be a dictionary"):
        tf.train.ClusterSpec(["a:1"])
    with pytest.raises(TypeError, match="Job name 3 must be a string"):
        tf.train.ClusterSpec({3: ["a:1"]})
    with pytest.raises(TypeError, match="Task index 'x' of job 'ps' must be an integer"):
        tf.train.ClusterSpec({"ps": {"x": "a:1"}})


def test_server_local_works_and_parameter_servers_point_at_horovod():
    server = tf.train.Server.create_local_server()
    assert server.target == "grpc://localhost:0"
    with tf.Session(server.target) as sess:
        assert sess.run(tf.constant(3.0)) == 3.0
    cluster = tf.train.ClusterSpec({"ps": ["a:1"], "worker": ["b:2", "c:3"]})
    with pytest.raises(errors.UnimplementedError, match="task 1 of job 'worker' in a cluster of 3 tasks: numflow "
                                                        "runs no parameter servers.*numflow.horovod"):
        tf.train.Server(cluster, job_name="worker", task_index=1)
    idle = tf.train.Server(cluster, job_name="ps", task_index=0, start=False)
    assert idle.server_def["job_name"] == "ps"
    with pytest.raises(errors.UnimplementedError, match=r"join\(\): numflow runs no parameter servers"):
        idle.join()
    with pytest.raises(ValueError, match="Must specify an explicit `job_name`"):
        tf.train.Server(cluster, start=False)
    with pytest.raises(ValueError, match="Must specify an explicit `task_index`"):
        tf.train.Server(cluster, job_name="worker", start=False)
