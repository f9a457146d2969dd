"""TF1's DType objects (`tf.float32`, ...) and the conversion rules between them and NumPy."""
import builtins

import numpy as np


class DType:
    """A tensor element type, as `tf.DType`: a name plus the NumPy type that holds its values."""

    __slots__ = ("name", "_np")

    def __init__(self, name, np_type):
        self.name = name
        self._np = np.dtype(np_type)

    @property
    def as_numpy_dtype(self):
        return self._np.type

    @property
    def np(self):
        """The NumPy dtype object (numflow's shorthand; TF has `as_numpy_dtype`)."""
        return self._np

    @property
    def base_dtype(self):
        return self

    @property
    def real_dtype(self):
        return self

    @property
    def as_datatype_enum(self):
        return _ENUMS[self.name]

    @property
    def is_floating(self):
        return self._np.kind == "f"

    @property
    def is_integer(self):
        return self._np.kind in "iu"

    @property
    def is_unsigned(self):
        return self._np.kind == "u"

    @property
    def is_bool(self):
        return self._np.kind == "b"

    @property
    def is_complex(self):
        return self._np.kind == "c"

    @property
    def is_numeric(self):
        return self._np.kind in "iufc"

    @property
    def size(self):
        return self._np.itemsize

    @property
    def min(self):
        if self.is_floating:
            return float(np.finfo(self._np).min)
        if self.is_integer:
            return int(np.iinfo(self._np).min)
        raise TypeError("Cannot find minimum value of %s." % self.name)

    @property
    def max(self):
        if self.is_floating:
            return float(np.finfo(self._np).max)
        if self.is_integer:
            return int(np.iinfo(self._np).max)
        raise TypeError("Cannot find maximum value of %s." % self.name)

    def is_compatible_with(self, other):
        return self is as_dtype(other)

    def __eq__(self, other):
        if other is None:
            return False
        try:
            return self is as_dtype(other)
        except TypeError:
            return False

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash(self.name)

    def __repr__(self):
        return "tf." + self.name

    def __reduce__(self):
        return as_dtype, (self.name,)


float16 = DType("float16", np.float16)
half = float16
float32 = DType("float32", np.float32)
float64 = DType("float64", np.float64)
double = float64
int8 = DType("int8", np.int8)
int16 = DType("int16", np.int16)
int32 = DType("int32", np.int32)
int64 = DType("int64", np.int64)
uint8 = DType("uint8", np.uint8)
uint16 = DType("uint16", np.uint16)
uint32 = DType("uint32", np.uint32)
uint64 = DType("uint64", np.uint64)
bool = DType("bool", np.bool_)  # noqa: A001 - TF's own name
string = DType("string", np.object_)
complex64 = DType("complex64", np.complex64)
complex128 = DType("complex128", np.complex128)

ALL = (float16, float32, float64, int8, int16, int32, int64, uint8, uint16, uint32, uint64, bool,
       string, complex64, complex128)

# TensorFlow's DataType enum numbers (types.proto); checkpoints and event files store these.
_ENUMS = {"float32": 1, "float64": 2, "int32": 3, "uint8": 4, "int16": 5, "int8": 6, "string": 7,
          "complex64": 8, "int64": 9, "bool": 10, "uint16": 17, "complex128": 18, "float16": 19,
          "uint32": 22, "uint64": 23}
_BY_ENUM = {number: name for name, number in _ENUMS.items()}

_BY_NAME = {d.name: d for d in ALL}
_BY_NAME.update({"half": float16, "float": float32, "double": float64})
_BY_NUMPY = {d.np: d for d in ALL if d is not string}
_BY_PYTHON = {float: float32, int: int32, builtins.bool: bool, str: string, bytes: string,
              complex: complex128}


def as_dtype(type_value):
    """Converts a DType, NumPy dtype, Python type, enum number or name ('float32', 'float') to a DType."""
    if isinstance(type_value, DType):
        return type_value
    if isinstance(type_value, str):
        if type_value in _BY_NAME:
            return _BY_NAME[type_value]
        raise TypeError("Cannot convert value %r to a TensorFlow DType." % (type_value,))
    if isinstance(type_value, int) and not isinstance(type_value, np.generic) and type_value in _BY_ENUM:
        return _BY_NAME[_BY_ENUM[type_value]]
    if type_value in _BY_PYTHON:
        return _BY_PYTHON[type_value]
    try:
        np_dtype = np.dtype(type_value)
    except TypeError:
        np_dtype = None
    if np_dtype is not None:
        if np_dtype in _BY_NUMPY:
            return _BY_NUMPY[np_dtype]
        if np_dtype.kind in "OSU":
            return string
    raise TypeError("Cannot convert value %r to a TensorFlow DType." % (type_value,))


# tf.dtypes also exports the dtype-changing op functions; they import this module, so they are looked up
# on first use.
_OP_FUNCTIONS = {"as_string": "string_ops", "cast": "math", "complex": "special_math", "saturate_cast": "array_extra"}


def __getattr__(name):
    if name in _OP_FUNCTIONS:
        import importlib
        return getattr(importlib.import_module("numflow.ops." + _OP_FUNCTIONS[name]), name)
    raise AttributeError("module 'numflow.dtypes' has no attribute %r" % name)
