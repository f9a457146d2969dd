"""A simulated GPU for tests: computes with NumPy, refuses what CuPy refuses.

`GuardedArray` wraps a NumPy array the way a CuPy array holds GPU memory: NumPy functions and ufuncs
dispatch to it through `__array_function__` / `__array_ufunc__`, but every *implicit* crossing between
host and device raises the TypeError CuPy raises - `np.asarray(device_array)`, a host array mixed into a
device computation (`np.add(device, host)`), writing a device value into a host array, ufunc `.at` (CuPy
has `cupyx.scatter_add` instead), functions CuPy does not implement. Explicit crossings are allowed as on
CuPy: `xp.asarray(host)` / `backend.to_device`, `.get()` / `backend.to_host`, `float()`/`int()`/`bool()`
of one element, `.item()`, `.tolist()`.

`NUMFLOW_GPU_BACKEND=guarded` gives a process one such device, GPU:0. The suite's op tests run on it, so
a kernel that would break on a real GPU fails on a machine without one. It is a test instrument: it is no
faster than NumPy.
"""
import numpy as np
from numpy.lib.mixins import NDArrayOperatorsMixin

from . import ArrayBackend, register_device_array_type, stays_on_host

_IMPLICIT = ("Implicit conversion to a NumPy array is not allowed. Please use `.get()` to construct a NumPy "
             "array explicitly.")

# NumPy functions CuPy does not provide (a kernel must not depend on them on a device).
_NOT_IN_CUPY = frozenset(["vectorize", "frompyfunc", "nditer", "piecewise", "apply_over_axes", "spacing",
                          "eig", "eigvals", "busday_count", "is_busday"])
# Functions of the array module that take host data on purpose: they are the explicit host->device copy.
_CREATION = frozenset(["array", "asarray", "asanyarray", "ascontiguousarray", "asfortranarray", "copy",
                       "zeros", "ones", "empty", "full", "arange", "linspace", "logspace", "eye", "identity",
                       "fromiter", "frombuffer", "tri", "indices"])


class GuardedArray(NDArrayOperatorsMixin):
    """A NumPy array standing for device memory (see the module docstring)."""

    __slots__ = ("_data",)
    __array_priority__ = 100

    def __init__(self, data):
        self._data = data

    # --- explicit transfers and host-side views of metadata --------------------------------------
    def get(self):
        """The values as a NumPy array (CuPy's explicit device->host copy)."""
        return np.array(self._data)

    def __array__(self, *args, **kwargs):
        raise TypeError(_IMPLICIT)

    shape = property(lambda self: self._data.shape)
    dtype = property(lambda self: self._data.dtype)
    ndim = property(lambda self: self._data.ndim)
    size = property(lambda self: self._data.size)
    itemsize = property(lambda self: self._data.itemsize)
    nbytes = property(lambda self: self._data.nbytes)
    strides = property(lambda self: self._data.strides)
    flags = property(lambda self: self._data.flags)
    T = property(lambda self: GuardedArray(self._data.T))
    real = property(lambda self: GuardedArray(self._data.real))
    imag = property(lambda self: GuardedArray(self._data.imag))

    def __len__(self):
        return len(self._data)

    def __iter__(self):
        return (_wrap(item) for item in self._data)

    def __float__(self):
        return float(self._data)

    def __int__(self):
        return int(self._data)

    def __complex__(self):
        return complex(self._data)

    def __bool__(self):
        return bool(self._data)

    def item(self, *args):
        return self._data.item(*args)

    def tolist(self):
        return self._data.tolist()

    def __repr__(self):
        return "GuardedArray(%r)" % (self._data,)

    __hash__ = None

    # --- indexing ---------------------------------------------------------------------------------
    def __getitem__(self, key):
        return _wrap(self._data[_unwrap(key, "indexing")])

    def __setitem__(self, key, value):
        self._data[_unwrap(key, "indexing")] = _unwrap(value, "assignment")

    def __copy__(self):
        return GuardedArray(self._data.copy())

    def __deepcopy__(self, memo):
        return GuardedArray(self._data.copy())

    def __getattr__(self, name):
        # ndarray methods (reshape, astype, sum, transpose, copy, ...) with device arguments only; never
        # NumPy's own protocols (__array_interface__ would hand NumPy the host buffer behind our back).
        if name.startswith("__") or name in ("ctypes", "data", "base"):
            raise AttributeError("%r object has no attribute %r" % (type(self).__name__, name))
        attribute = getattr(self._data, name)
        if not callable(attribute):
            return _wrap(attribute)

        def method(*args, **kwargs):
            return _wrap(attribute(*_unwrap(args, name), **_unwrap(kwargs, name)))
        return method

    # --- NumPy dispatch ---------------------------------------------------------------------------
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if getattr(np, ufunc.__name__, None) is not ufunc:
            raise TypeError("ufunc %r (made with np.frompyfunc or from a library) cannot run on a device"
                            % ufunc.__name__)
        if method == "at":
            raise TypeError("%s.at is not available on CuPy arrays: use numflow.backend.scatter_add"
                            % ufunc.__name__)
        out = kwargs.get("out")
        inputs = _unwrap(inputs, ufunc.__name__)
        kwargs = _unwrap(kwargs, ufunc.__name__)
        result = getattr(ufunc, method)(*inputs, **kwargs)
        if out is not None:
            return out[0] if len(out) == 1 else out
        return _wrap(result)

    def __array_function__(self, func, types, args, kwargs):
        if func.__name__ in _NOT_IN_CUPY:
            raise TypeError("no implementation found for 'numpy.%s' on CuPy arrays" % func.__name__)
        return _wrap(func(*_unwrap(args, func.__name__), **_unwrap(kwargs, func.__name__)))


def _unwrap(value, where):
    """Device arrays inside `value` (nested in tuples/lists/dicts/slices) replaced by their NumPy data;
    a host array is the TypeError CuPy raises for it."""
    kind = type(value)
    if kind is GuardedArray:
        return value._data
    if kind is np.ndarray:
        raise TypeError("Unsupported type %s in %s: a host (NumPy) array cannot be mixed with device arrays; "
                        "copy it explicitly (xp.asarray)" % (kind, where))
    if kind is tuple or kind is list:
        return kind(_unwrap(item, where) for item in value)
    if kind is dict:
        return {key: _unwrap(item, where) for key, item in value.items()}
    if kind is slice:
        return slice(_unwrap(value.start, where), _unwrap(value.stop, where), _unwrap(value.step, where))
    return value


def _wrap(value):
    kind = type(value)
    if kind is np.ndarray or isinstance(value, np.generic):
        return GuardedArray(np.asarray(value))
    if kind is tuple or kind is list:
        return kind(_wrap(item) for item in value)
    if hasattr(value, "_fields") and isinstance(value, tuple):   # linalg results (QRResult, ...)
        return kind(*[_wrap(item) for item in value])
    return value


class _GuardedUfunc:
    """`xp.add` and friends: the NumPy ufunc, with its methods, on device arrays."""

    def __init__(self, ufunc):
        self._ufunc = ufunc
        self.__name__ = ufunc.__name__

    def __call__(self, *args, **kwargs):
        return self._ufunc(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._ufunc, name)


class GuardedModule:
    """The array module of the guarded device: NumPy's namespace, whose functions accept device arrays
    (and, for the creation functions, host data to copy in) and return device arrays."""

    def __init__(self, module):
        self._module = module
        self.__name__ = "guarded." + module.__name__

    def asnumpy(self, value):
        """CuPy's `asnumpy`: a device array copied to the host."""
        return value.get() if type(value) is GuardedArray else np.asarray(value)

    def _numflow_scatter_add(self, target, indices, values):
        """`cupyx.scatter_add`: target[indices] += values, repeated indices accumulating."""
        np.add.at(target._data, _unwrap(indices, "scatter_add"), _unwrap(values, "scatter_add"))

    def _numflow_special(self, host_function):
        """cupyx.scipy.special's twin of a host special function: elementwise on the device's data."""
        def special(*args):
            return _wrap(host_function(*_unwrap(args, "special function")))
        return special

    ndarray = GuardedArray

    def __getattr__(self, name):
        attribute = getattr(self._module, name)
        if isinstance(attribute, type(np)):
            return GuardedModule(attribute)
        if isinstance(attribute, np.ufunc):
            return _GuardedUfunc(attribute)
        if isinstance(attribute, type) or not callable(attribute):
            return attribute
        if name in _NOT_IN_CUPY:
            raise AttributeError("module 'cupy' has no attribute %r" % name)
        creation = name in _CREATION

        def function(*args, **kwargs):
            if creation:
                args = tuple(arg._data if type(arg) is GuardedArray else arg for arg in args)
                kwargs = {key: (arg._data if type(arg) is GuardedArray else arg) for key, arg in kwargs.items()}
            else:
                args, kwargs = _unwrap(args, name), _unwrap(kwargs, name)
            return _wrap(attribute(*args, **kwargs))
        function.__name__ = name
        return function


GUARDED_NUMPY = GuardedModule(np)
register_device_array_type(GuardedArray, GUARDED_NUMPY)


class GuardedBackend(ArrayBackend):
    """GPU:`index` simulated by GuardedArray (NUMFLOW_GPU_BACKEND=guarded)."""

    device_type = "GPU"
    xp = GUARDED_NUMPY
    array_type = GuardedArray
    description = "guarded NumPy (simulated GPU for tests)"
    memory_limit_bytes = 1 << 30

    def __init__(self, index=0):
        self.index = index

    def renumbered(self, index):
        return GuardedBackend(index)

    def to_device(self, value):
        if type(value) is GuardedArray or stays_on_host(value):
            return value
        return GuardedArray(np.array(value))

    def to_host(self, value):
        return value.get() if type(value) is GuardedArray else value
