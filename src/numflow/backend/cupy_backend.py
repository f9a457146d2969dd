"""The CuPy backend: one `ArrayBackend` per visible NVIDIA GPU (the `gpu` extra).

Experimental: it is exercised on CPU-only machines through the guarded backend, which enforces CuPy's
rules, and on a real GPU only where one was available (see the README's GPU section).
"""
from .._install_hints import pip_hint
from . import ArrayBackend, register_device_array_type, stays_on_host

_INSTALL_HINT = "the CuPy GPU backend needs CuPy: %s, or the CuPy build for your CUDA" % pip_hint("gpu", "cupy-cuda12x")


def _import_cupy(required):
    try:
        import cupy
    except ImportError as exc:
        if required:
            raise ImportError("NUMFLOW_GPU_BACKEND=cupy: %s (%s)" % (_INSTALL_HINT, exc)) from None
        return None
    return cupy


def find_devices(required=False):
    """A backend per CUDA device CuPy sees (CUDA_VISIBLE_DEVICES applies); [] when CuPy is missing or
    finds no device, unless `required` (NUMFLOW_GPU_BACKEND=cupy), which then raises."""
    cupy = _import_cupy(required)
    if cupy is None:
        return []
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:   # no driver, no device: CuPy raises its own CUDARuntimeError
        if required:
            raise RuntimeError("NUMFLOW_GPU_BACKEND=cupy but CuPy finds no usable GPU: %s" % exc) from None
        return []
    register_device_array_type(cupy.ndarray, cupy)
    return [CupyBackend(cupy, device_id, device_id) for device_id in range(count)]


class CupyBackend(ArrayBackend):
    """Arrays in one GPU's memory, computed by CuPy."""

    device_type = "GPU"

    def __init__(self, cupy, physical_id, index):
        self.xp = cupy
        self.array_type = cupy.ndarray
        self.physical_id = physical_id
        self.index = index
        self._device = cupy.cuda.Device(physical_id)
        props = cupy.cuda.runtime.getDeviceProperties(physical_id)
        name = props.get("name", b"GPU")
        self.description = "CuPy on %s" % (name.decode() if isinstance(name, bytes) else name)
        self.memory_limit_bytes = int(props.get("totalGlobalMem", 0))

    def renumbered(self, index):
        """The same physical device seen as GPU:`index` (a Session's visible_device_list)."""
        return CupyBackend(self.xp, self.physical_id, index)

    def to_device(self, value):
        if stays_on_host(value):
            return value
        with self._device:
            return self.xp.asarray(value)

    def to_host(self, value):
        if isinstance(value, self.array_type):
            return value.get()
        return value

    def activate(self):
        self._device.use()

    def synchronize(self):
        self._device.synchronize()
