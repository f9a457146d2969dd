"""`tf.config`: the devices a program sees and the process-wide runtime settings.

`list_physical_devices()` lists the CPU and the GPUs of numflow's array backends (CuPy, when installed and
a GPU is present: see `numflow.backend`); TPUs are never there. The CPU can be split into several logical devices
(`set_logical_device_configuration`), which `list_logical_devices` then reports as /device:CPU:0, 1, ...
The threading, soft-placement and optimizer settings are process-wide values with TF's getters and
setters; `session_config_defaults()` gives them as ConfigProto fields, for a Session created without a
config of its own. Settings that only concern a GPU's memory raise ValueError for the CPU, as in TF.
"""
import collections
import threading as _threading

__all__ = ["LogicalDevice", "LogicalDeviceConfiguration", "PhysicalDevice", "get_logical_device_configuration",
           "get_soft_device_placement", "get_visible_devices", "list_logical_devices", "list_physical_devices",
           "set_logical_device_configuration", "set_soft_device_placement", "set_visible_devices", "threading",
           "experimental", "optimizer", "session_config_defaults"]


class PhysicalDevice(collections.namedtuple("PhysicalDevice", ["name", "device_type"])):
    """`tf.config.PhysicalDevice(name, device_type)`: a device of the machine, e.g.
    PhysicalDevice(name='/physical_device:CPU:0', device_type='CPU')."""

    __slots__ = ()


class LogicalDevice(collections.namedtuple("LogicalDevice", ["name", "device_type"])):
    """`tf.config.LogicalDevice(name, device_type)`: a device ops can be placed on, e.g. '/device:CPU:0'."""

    __slots__ = ()


class LogicalDeviceConfiguration(collections.namedtuple(
        "LogicalDeviceConfiguration", ["memory_limit", "experimental_priority", "experimental_device_ordinal"])):
    """`tf.config.LogicalDeviceConfiguration(memory_limit=None, experimental_priority=None,
    experimental_device_ordinal=None)`: one logical device to create on a physical device."""

    __slots__ = ()

    def __new__(cls, memory_limit=None, experimental_priority=None, experimental_device_ordinal=None):
        return super().__new__(cls, memory_limit, experimental_priority, experimental_device_ordinal)


_CPU = PhysicalDevice("/physical_device:CPU:0", "CPU")
_KNOWN_TYPES = ("CPU", "GPU", "TPU", "XLA_CPU", "XLA_GPU")
_lock = _threading.Lock()
_state = {"visible": [_CPU], "logical": {}, "soft_placement": True, "intra_op": 0, "inter_op": 0,
          "memory_growth": {}, "jit": False, "optimizer_options": {}, "device_policy": None,
          "synchronous_execution": None}


def _check_type(device_type):
    if device_type is not None and not isinstance(device_type, str):
        raise TypeError("device_type must be a string such as 'CPU', got %r" % (device_type,))


def _gpus():
    from . import backend
    return [PhysicalDevice("/physical_device:GPU:%d" % gpu.index, "GPU") for gpu in backend.gpu_backends()]


def _physical_devices():
    return [_CPU] + _gpus()


def list_physical_devices(device_type=None):
    """`tf.config.list_physical_devices(device_type=None)`: the machine's devices of that type (all when
    None): the CPU, then the GPUs numflow's array backends found."""
    _check_type(device_type)
    return [d for d in _physical_devices() if device_type is None or d.device_type == device_type.upper()]


def get_visible_devices(device_type=None):
    """`tf.config.get_visible_devices(device_type=None)`: the physical devices the runtime may use."""
    _check_type(device_type)
    with _lock:
        return [d for d in _state["visible"] if device_type is None or d.device_type == device_type.upper()]


def _as_device_list(devices):
    if isinstance(devices, PhysicalDevice):
        return [devices]
    devices = list(devices)
    for device in devices:
        if not isinstance(device, PhysicalDevice):
            raise TypeError("Expected PhysicalDevice objects (from tf.config.list_physical_devices), got %r"
                            % (device,))
    return devices


def _check_physical(device):
    if device not in _physical_devices():
        raise ValueError("Unrecognized device: %s" % (device,))


def set_visible_devices(devices, device_type=None):
    """`tf.config.set_visible_devices(devices, device_type=None)`: restricts the runtime to `devices` (of
    `device_type` when given). numflow runs every op on its CPU, which therefore cannot be hidden."""
    _check_type(device_type)
    devices = _as_device_list(devices)
    for device in devices:
        _check_physical(device)
        if device_type is not None and device.device_type != device_type.upper():
            raise ValueError("Device %s is not of type %s" % (device.name, device_type))
    if device_type in (None, "CPU") and _CPU not in devices:
        raise ValueError("The CPU cannot be hidden: numflow computes every op on it.")
    with _lock:
        _state["visible"] = [_CPU]


def list_logical_devices(device_type=None):
    """`tf.config.list_logical_devices(device_type=None)`: the devices ops can be placed on: /device:CPU:0,
    or one per LogicalDeviceConfiguration set on the CPU."""
    _check_type(device_type)
    with _lock:
        count = len(_state["logical"].get(_CPU, [])) or 1
    devices = [LogicalDevice("/device:CPU:%d" % i, "CPU") for i in range(count)]
    devices += [LogicalDevice(gpu.name.replace("physical_device", "device"), "GPU") for gpu in _gpus()]
    return [d for d in devices if device_type is None or d.device_type == device_type.upper()]


def get_logical_device_configuration(device):
    """`tf.config.get_logical_device_configuration(device)`: the LogicalDeviceConfigurations set on a
    physical device, or None."""
    _check_physical(device)
    with _lock:
        configured = _state["logical"].get(device)
        return list(configured) if configured else None


def set_logical_device_configuration(device, logical_devices):
    """`tf.config.set_logical_device_configuration(device, logical_devices)`: splits a physical device into
    logical ones (a list of LogicalDeviceConfiguration; None clears it). memory_limit applies to GPUs
    only and is a ValueError on the CPU, as in TF."""
    _check_physical(device)
    if logical_devices is None:
        with _lock:
            _state["logical"].pop(device, None)
        return
    logical_devices = list(logical_devices)
    for configuration in logical_devices:
        if not isinstance(configuration, LogicalDeviceConfiguration):
            raise TypeError("Expected LogicalDeviceConfiguration objects, got %r" % (configuration,))
        if device.device_type == "CPU" and configuration.memory_limit is not None:
            raise ValueError("Setting memory limit on CPU virtual devices is currently not supported")
    with _lock:
        _state["logical"][device] = logical_devices


def get_soft_device_placement():
    """`tf.config.get_soft_device_placement()`: whether an op whose requested device does not exist runs on
    an existing one instead of failing (True by default)."""
    with _lock:
        return _state["soft_placement"]


def set_soft_device_placement(enabled):
    """`tf.config.set_soft_device_placement(enabled)`."""
    with _lock:
        _state["soft_placement"] = bool(enabled)


def session_config_defaults():
    """The settings above as ConfigProto fields {intra_op_parallelism_threads,
    inter_op_parallelism_threads, allow_soft_placement, device_count}, for a Session without a config."""
    with _lock:
        return {"intra_op_parallelism_threads": _state["intra_op"],
                "inter_op_parallelism_threads": _state["inter_op"],
                "allow_soft_placement": _state["soft_placement"],
                "device_count": {"CPU": len(_state["logical"].get(_CPU, [])) or 1}}


def _non_negative(value, what):
    value = int(value)
    if value < 0:
        raise ValueError("%s must be >= 0, got %d" % (what, value))
    return value


class _Namespace:
    """A sub-namespace of tf.config (threading, experimental, optimizer)."""

    def __init__(self, name, **members):
        self.__name__ = "numflow.config." + name
        self.__dict__.update(members)

    def __repr__(self):
        return "<namespace %s>" % self.__name__


def get_intra_op_parallelism_threads():
    """`tf.config.threading.get_intra_op_parallelism_threads()`: threads one op may use (0: the system's)."""
    with _lock:
        return _state["intra_op"]


def set_intra_op_parallelism_threads(num_threads):
    """`tf.config.threading.set_intra_op_parallelism_threads(num_threads)` (0: let the system choose)."""
    with _lock:
        _state["intra_op"] = _non_negative(num_threads, "num_threads")


def get_inter_op_parallelism_threads():
    """`tf.config.threading.get_inter_op_parallelism_threads()`: ops that may run at once (0: the
    system's choice)."""
    with _lock:
        return _state["inter_op"]


def set_inter_op_parallelism_threads(num_threads):
    """`tf.config.threading.set_inter_op_parallelism_threads(num_threads)`."""
    with _lock:
        _state["inter_op"] = _non_negative(num_threads, "num_threads")


threading = _Namespace("threading", get_intra_op_parallelism_threads=get_intra_op_parallelism_threads,
                       set_intra_op_parallelism_threads=set_intra_op_parallelism_threads,
                       get_inter_op_parallelism_threads=get_inter_op_parallelism_threads,
                       set_inter_op_parallelism_threads=set_inter_op_parallelism_threads)


def _memory_device(device):
    _check_physical(device)
    if device.device_type != "GPU":
        raise ValueError("Cannot set memory growth on non-GPU devices")


def get_memory_growth(device):
    """`tf.config.experimental.get_memory_growth(device)`: GPUs only (ValueError for the CPU)."""
    _memory_device(device)


def set_memory_growth(device, enable):
    """`tf.config.experimental.set_memory_growth(device, enable)`: GPUs only (ValueError for the CPU)."""
    _memory_device(device)


def get_device_details(device):
    """`tf.config.experimental.get_device_details(device)`: {} for a CPU (TF reports details of GPUs)."""
    _check_physical(device)
    return {}


def get_device_policy():
    """`tf.config.experimental.get_device_policy()`: the eager device policy; numflow runs graphs, so
    this is the recorded setting ('silent' by default)."""
    with _lock:
        return _state["device_policy"] or "silent"


def set_device_policy(device_policy):
    """`tf.config.experimental.set_device_policy(device_policy)`: one of None, 'warn', 'explicit',
    'silent', 'silent_for_int32'."""
    if device_policy not in (None, "warn", "explicit", "silent", "silent_for_int32"):
        raise ValueError("Not a valid device policy: %r" % (device_policy,))
    with _lock:
        _state["device_policy"] = device_policy


experimental = _Namespace(
    "experimental", list_physical_devices=list_physical_devices, list_logical_devices=list_logical_devices,
    get_visible_devices=get_visible_devices, set_visible_devices=set_visible_devices,
    get_memory_growth=get_memory_growth, set_memory_growth=set_memory_growth,
    get_device_details=get_device_details, get_device_policy=get_device_policy,
    set_device_policy=set_device_policy, VirtualDeviceConfiguration=LogicalDeviceConfiguration,
    get_virtual_device_configuration=get_logical_device_configuration,
    set_virtual_device_configuration=set_logical_device_configuration)


def get_jit():
    """`tf.config.optimizer.get_jit()`: whether XLA JIT compilation was requested (numflow has no XLA; the
    setting is recorded)."""
    with _lock:
        return _state["jit"]


def set_jit(enabled):
    """`tf.config.optimizer.set_jit(enabled)`."""
    with _lock:
        _state["jit"] = bool(enabled)


_OPTIMIZER_OPTIONS = ("layout_optimizer", "constant_folding", "shape_optimization", "remapping",
                      "arithmetic_optimization", "dependency_optimization", "loop_optimization",
                      "function_optimization", "debug_stripper", "disable_model_pruning", "scoped_allocator_optimization",
                      "pin_to_host_optimization", "implementation_selector", "auto_mixed_precision",
                      "disable_meta_optimizer", "min_graph_nodes")


def get_experimental_options():
    """`tf.config.optimizer.get_experimental_options()`: the Grappler options set so far."""
    with _lock:
        return dict(_state["optimizer_options"])


def set_experimental_options(options):
    """`tf.config.optimizer.set_experimental_options(options)`: Grappler options by name; unknown names
    are a ValueError."""
    unknown = sorted(set(options) - set(_OPTIMIZER_OPTIONS))
    if unknown:
        raise ValueError("Unknown optimizer options %s; known: %s" % (unknown, ", ".join(_OPTIMIZER_OPTIONS)))
    with _lock:
        _state["optimizer_options"].update(options)


optimizer = _Namespace("optimizer", get_jit=get_jit, set_jit=set_jit,
                       get_experimental_options=get_experimental_options,
                       set_experimental_options=set_experimental_options)

# tf.function's run-eagerly switches (issue 12); numflow always inlines functions, see framework/function.py.
from .framework.function import (experimental_functions_run_eagerly,  # noqa: E402,F401
                                 experimental_run_functions_eagerly, functions_run_eagerly,
                                 run_functions_eagerly)
__all__ += ["run_functions_eagerly", "functions_run_eagerly", "experimental_run_functions_eagerly",
            "experimental_functions_run_eagerly"]
