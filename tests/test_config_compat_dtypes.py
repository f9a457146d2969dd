"""tf.config (config.py), the tf.compat helpers (compat/compat_extra.py) and the op functions tf.dtypes
re-exports."""
import datetime
import pathlib

import numpy as np
import pytest

import numflow as tf
from conftest import cpu_only  # noqa: E402


@pytest.fixture(autouse=True)
def restore_config():
    """Each test leaves the process-wide settings as it found them."""
    saved = tf.config.session_config_defaults()
    yield
    tf.config.threading.set_intra_op_parallelism_threads(saved["intra_op_parallelism_threads"])
    tf.config.threading.set_inter_op_parallelism_threads(saved["inter_op_parallelism_threads"])
    tf.config.set_soft_device_placement(saved["allow_soft_placement"])
    tf.config.set_logical_device_configuration(tf.config.list_physical_devices("CPU")[0], None)


@cpu_only
def test_devices():
    cpu = tf.config.PhysicalDevice(name="/physical_device:CPU:0", device_type="CPU")
    assert tf.config.list_physical_devices() == [cpu] == tf.config.list_physical_devices("CPU")
    assert tf.config.list_physical_devices("GPU") == [] and tf.config.experimental.list_physical_devices("GPU") == []
    assert tf.config.get_visible_devices() == [cpu]
    tf.config.set_visible_devices([cpu])
    tf.config.set_visible_devices([], "GPU")
    with pytest.raises(ValueError, match="The CPU cannot be hidden"):
        tf.config.set_visible_devices([])
    with pytest.raises(ValueError, match="Unrecognized device"):
        tf.config.set_visible_devices([tf.config.PhysicalDevice("/physical_device:GPU:0", "GPU")])
    with pytest.raises(TypeError, match="Expected PhysicalDevice objects"):
        tf.config.set_visible_devices(["/cpu:0"])
    assert tf.config.list_logical_devices() == [tf.config.LogicalDevice("/device:CPU:0", "CPU")]
    assert tf.config.get_logical_device_configuration(cpu) is None
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    assert [d.name for d in tf.config.list_logical_devices("CPU")] == ["/device:CPU:0", "/device:CPU:1"]
    assert len(tf.config.get_logical_device_configuration(cpu)) == 2
    assert tf.config.session_config_defaults()["device_count"] == {"CPU": 2}
    with pytest.raises(ValueError, match="Setting memory limit on CPU virtual devices"):
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration(memory_limit=10)])
    with pytest.raises(ValueError, match="Cannot set memory growth on non-GPU devices"):
        tf.config.experimental.set_memory_growth(cpu, True)
    assert tf.config.experimental.get_device_details(cpu) == {}
    assert tf.config.LogicalDeviceConfiguration(memory_limit=5).memory_limit == 5


def test_threading_soft_placement_and_optimizer_settings():
    tf.config.threading.set_intra_op_parallelism_threads(3)
    tf.config.threading.set_inter_op_parallelism_threads(2)
    tf.config.set_soft_device_placement(False)
    assert tf.config.threading.get_intra_op_parallelism_threads() == 3
    assert tf.config.threading.get_inter_op_parallelism_threads() == 2
    assert not tf.config.get_soft_device_placement()
    defaults = tf.config.session_config_defaults()
    assert defaults["intra_op_parallelism_threads"] == 3 and defaults["allow_soft_placement"] is False
    # The defaults are valid ConfigProto fields.
    proto = tf.ConfigProto(**{k: v for k, v in defaults.items() if k != "device_count"},
                           device_count=defaults["device_count"])
    assert proto.intra_op_parallelism_threads == 3
    with pytest.raises(ValueError, match="num_threads must be >= 0"):
        tf.config.threading.set_intra_op_parallelism_threads(-1)
    tf.config.optimizer.set_jit(True)
    assert tf.config.optimizer.get_jit()
    tf.config.optimizer.set_jit(False)
    tf.config.optimizer.set_experimental_options({"constant_folding": False})
    assert tf.config.optimizer.get_experimental_options()["constant_folding"] is False
    with pytest.raises(ValueError, match="Unknown optimizer options"):
        tf.config.optimizer.set_experimental_options({"folding": True})
    with pytest.raises(ValueError, match="Not a valid device policy"):
        tf.config.experimental.set_device_policy("loud")


def test_compat_helpers():
    assert tf.compat.as_str_any(b"abc") == "abc" and tf.compat.as_str_any(12) == "12"
    assert tf.compat.path_to_str(pathlib.Path("/tmp/x")) == "/tmp/x" and tf.compat.path_to_str(3) == 3
    shape = tf.TensorShape([2, None])
    assert tf.compat.dimension_value(shape[0]) == 2 and tf.compat.dimension_value(shape[1]) is None
    assert tf.compat.dimension_value(7) == 7
    assert tf.compat.dimension_at_index(shape, 0).value == 2
    assert tf.compat.dimension_at_index(tf.TensorShape(None), 3).value is None
    assert isinstance(np.int32(1), tf.compat.integral_types) and not isinstance(1.5, tf.compat.integral_types)
    assert isinstance(np.float32(1), tf.compat.real_types) and isinstance(1j, tf.compat.complex_types)
    assert isinstance("x", tf.compat.bytes_or_text_types) and isinstance(b"x", tf.compat.bytes_or_text_types)
    assert not tf.compat.forward_compatible(2019, 1, 1)
    with tf.compat.forward_compatibility_horizon(2020, 5, 1):
        assert tf.compat.forward_compatible(2020, 4, 30) and not tf.compat.forward_compatible(2020, 5, 1)
    assert not tf.compat.forward_compatible(2019, 1, 1)
    assert datetime.date(2020, 1, 1)


def test_dtypes_op_functions():
    x = tf.constant([1.5, -2.7])
    values = tf.Session().run([tf.dtypes.cast(x, tf.int32), tf.dtypes.complex(x, x),
                               tf.dtypes.saturate_cast(tf.constant([300.0, -5.0]), tf.uint8),
                               tf.dtypes.as_string(tf.constant([1, 2]))])
    assert values[0].tolist() == [1, -2] and values[1].dtype == np.complex64
    assert values[2].tolist() == [255, 0] and values[3].tolist() == [b"1", b"2"]
    with pytest.raises(AttributeError, match="has no attribute 'qint8'"):
        tf.dtypes.qint8   # noqa: B018 - quantized types are deliberately absent
    assert tf.extract_image_patches is tf.image.extract_image_patches
