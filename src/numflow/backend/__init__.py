"""Array backends: where a plan's kernels keep and compute their values.

Every kernel is written against NumPy's API. The host backend is NumPy itself. A device backend supplies
an array module with the same API (`xp`: CuPy for NVIDIA GPUs) and the two explicit copies
`to_device` / `to_host`; a kernel placed on a device receives device arrays, and NumPy's dispatch
protocols (`__array_ufunc__`, `__array_function__`) route `np.add(x, y)` or `np.sum(x)` on them to the
device module, so most kernels need no change. What cannot dispatch - creating a new array
(`np.zeros(shape)`), converting with `np.asarray`, NumPy-only helpers such as `as_strided` - takes the
module from `ctx.xp` (the compiling context of the op's device) or from `array_module(value)`.

Backends are found once per process:
  * `NUMFLOW_GPU_BACKEND=cupy` (the default when CuPy is importable and sees a GPU): one backend per
    visible CUDA device, named GPU:0, GPU:1, ...;
  * `NUMFLOW_GPU_BACKEND=guarded`: a simulated GPU that computes with NumPy but, as CuPy does, refuses
    every implicit conversion between host and device arrays - the test suite runs its op tests on it so
    a kernel that would break on a real GPU fails on a CPU-only machine;
  * `NUMFLOW_GPU_BACKEND=none`: no GPU even when CuPy is installed.
"""
import os
import threading

import numpy as np

__all__ = ["ArrayBackend", "HOST", "array_module", "gpu_backends", "to_host", "is_device_array", "scatter_add",
           "stays_on_host", "special_function", "reset_for_tests"]


class ArrayBackend:
    """One device's arrays: `xp` is its NumPy-like module; values cross only through the explicit
    `to_device` / `to_host` copies that plans insert on edges between devices."""

    device_type = "CPU"
    index = 0
    xp = np
    array_type = np.ndarray
    description = "host memory, NumPy"

    def to_device(self, value):
        """The value as an array of this device (host arrays and scalars copied in)."""
        return value

    def to_host(self, value):
        """The value as a NumPy array or scalar."""
        return value

    def activate(self):
        """Makes this device current for the kernels that follow (a no-op with one device)."""

    def synchronize(self):
        """Waits until every kernel queued on this device has finished (benchmarks)."""

    @property
    def name(self):
        return "/job:localhost/replica:0/task:0/device:%s:%d" % (self.device_type, self.index)

    def __repr__(self):
        return "<ArrayBackend %s (%s)>" % (self.name, self.description)


HOST = ArrayBackend()

_lock = threading.Lock()
_gpus = None                 # list of device backends, found on first use
_device_array_types = {}     # device array type -> its array module, for array_module()


def register_device_array_type(array_type, module):
    """Lets `array_module` and `to_host` recognise a device backend's array type."""
    _device_array_types[array_type] = module


def array_module(*values):
    """The NumPy-like module that computes on `values`: NumPy unless one of them is a device array
    (CuPy's `get_array_module`). Cheap: one dict lookup per value."""
    for value in values:
        module = _device_array_types.get(type(value))
        if module is not None:
            return module
    return np


def is_device_array(value):
    """Whether `value` is an array of some device backend (not host memory)."""
    return type(value) in _device_array_types


def stays_on_host(value):
    """Values that are host objects by nature (an ndarray subclass declaring `_numflow_host_only`, such as
    a TensorArray's flow): device backends pass them through instead of copying them."""
    return getattr(type(value), "_numflow_host_only", False)


def to_host(value):
    """A device array copied to a NumPy array; anything else unchanged."""
    module = _device_array_types.get(type(value))
    return value if module is None else module.asnumpy(value)


def _find_gpus():
    choice = os.environ.get("NUMFLOW_GPU_BACKEND", "").strip().lower()
    if choice in ("none", "cpu", "0"):
        return []
    if choice == "guarded":
        from .guarded import GuardedBackend
        count = int(os.environ.get("NUMFLOW_GUARDED_GPUS", "1"))
        return [GuardedBackend(index) for index in range(count)]
    if choice not in ("", "cupy"):
        raise ValueError("NUMFLOW_GPU_BACKEND must be 'cupy', 'guarded' or 'none', not %r" % choice)
    from . import cupy_backend
    return cupy_backend.find_devices(required=choice == "cupy")


def gpu_backends():
    """The GPU backends of this process, in device order (empty on a machine without one)."""
    global _gpus
    if _gpus is None:
        with _lock:
            if _gpus is None:
                _gpus = _find_gpus()
    return _gpus


def reset_for_tests():
    """Forgets the GPUs found, so that a test can change NUMFLOW_GPU_BACKEND."""
    global _gpus
    with _lock:
        _gpus = None


def scatter_add(target, indices, values):
    """`target[indices] += values` in place, repeated indices accumulating: `np.add.at` on the host,
    `cupyx.scatter_add` on a CuPy device."""
    module = _device_array_types.get(type(target))
    if module is None:
        np.add.at(target, indices, values)
        return
    own = getattr(module, "_numflow_scatter_add", None)
    if own is not None:
        own(target, indices, values)
        return
    import cupyx
    cupyx.scatter_add(target, indices, values)


def special_function(xp, name, host_function):
    """The elementwise special function `name` (scipy.special's name: 'erf', 'gammaln', 'digamma', ...)
    for arrays of module `xp`: `host_function` on NumPy, cupyx.scipy.special's on CuPy."""
    if xp is np:
        return host_function
    own = getattr(xp, "_numflow_special", None)
    if own is not None:
        return own(host_function)
    import cupyx.scipy.special
    return getattr(cupyx.scipy.special, name)
