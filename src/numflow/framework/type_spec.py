"""`tf.TypeSpec` and the specs of TF1's composite values: `tf.TensorArraySpec`, `tf.IndexedSlicesSpec`,
`tf.NoneTensorSpec`, `tf.OptionalSpec` (of tf.data.experimental.Optional), and `tf.type_spec_from_value`.

A spec is a value class: its fields (`_serialize()`) define equality and hashing; `is_compatible_with`
holds when every field is compatible (shapes compatible, dtypes equal, nested specs compatible, other
fields equal), and `most_specific_compatible_type` keeps the dims on which both agree. numflow's existing
`tf.TensorSpec` (data/structure.py) and `tf.SparseTensorSpec` (ops/sparse_ops.py) count as TypeSpecs
(abstract-base registration) rather than being redefined here.
"""
import abc

import numpy as np

from . import dtypes
from .tensor_shape import TensorShape, as_shape

__all__ = ["TypeSpec", "TensorArraySpec", "IndexedSlicesSpec", "NoneTensorSpec", "OptionalSpec",
           "type_spec_from_value"]


def _most_specific_shape(first, second):
    if first.ndims is None or second.ndims is None or first.ndims != second.ndims:
        return TensorShape(None)
    return TensorShape([a.value if a.value == b.value else None for a, b in zip(first.dims, second.dims)])


def _fields_compatible(first, second):
    if isinstance(first, TensorShape) and isinstance(second, TensorShape):
        return first.is_compatible_with(second)
    if isinstance(first, TypeSpec) and isinstance(second, TypeSpec):
        return first.is_compatible_with(second)
    if isinstance(first, tuple) and isinstance(second, tuple):
        return len(first) == len(second) and all(_fields_compatible(a, b) for a, b in zip(first, second))
    return first == second


def _most_specific_field(first, second):
    if isinstance(first, TensorShape):
        return _most_specific_shape(first, second)
    if isinstance(first, TypeSpec):
        return first.most_specific_compatible_type(second)
    if isinstance(first, tuple):
        return tuple(_most_specific_field(a, b) for a, b in zip(first, second))
    return first


def _field_key(field):
    """A hashable, comparable form of one field (TensorShape equality treats unknown dims as unequal)."""
    if isinstance(field, TensorShape):
        return ("shape", None if field.ndims is None else tuple(field.as_list()))
    if isinstance(field, tuple):
        return tuple(_field_key(f) for f in field)
    return field


class TypeSpec(abc.ABC):
    """`tf.TypeSpec`: the static type of a value (a tensor or a composite of tensors). Subclasses define
    `value_type` (the class of values they describe) and `_serialize()` (their fields, the arguments
    that rebuild them)."""

    @property
    @abc.abstractmethod
    def value_type(self):
        """The Python type of the values this spec describes."""

    @abc.abstractmethod
    def _serialize(self):
        """The fields of this spec, as the tuple of its constructor's arguments."""

    def is_compatible_with(self, spec_or_value):
        """True when `spec_or_value` (a TypeSpec, or a value whose spec is taken) is of this spec's kind
        with compatible fields."""
        other = spec_or_value if isinstance(spec_or_value, TypeSpec) else type_spec_from_value(spec_or_value)
        return type(self) is type(other) and _fields_compatible(self._serialize(), other._serialize())

    def most_specific_compatible_type(self, other):
        """The most specific spec compatible with both `self` and `other` (unknown dims where their shapes
        differ); ValueError when no spec is compatible with both."""
        if type(self) is not type(other) or not self.is_compatible_with(other):
            raise ValueError("No TypeSpec is compatible with both %s and %s" % (self, other))
        return type(self)(*_most_specific_field(self._serialize(), other._serialize()))

    def __eq__(self, other):
        return type(self) is type(other) and _field_key(self._serialize()) == _field_key(other._serialize())

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash((type(self).__name__, _field_key(self._serialize())))

    def __repr__(self):
        return "%s(%s)" % (type(self).__name__, ", ".join(_field_repr(f) for f in self._serialize()))


def _field_repr(field):
    if isinstance(field, TensorShape):
        return "TensorShape(%s)" % (None if field.ndims is None else field.as_list())
    if isinstance(field, dtypes.DType):
        return "tf.%s" % field.name
    return repr(field)


class TensorArraySpec(TypeSpec):
    """`tf.TensorArraySpec(element_shape=None, dtype=tf.float32, dynamic_size=False, infer_shape=True)`:
    the type of a tf.TensorArray."""

    def __init__(self, element_shape=None, dtype=dtypes.float32, dynamic_size=False, infer_shape=True):
        self._element_shape = as_shape(element_shape)
        self._dtype = dtypes.as_dtype(dtype)
        self._dynamic_size = dynamic_size
        self._infer_shape = infer_shape

    @property
    def value_type(self):
        from ..ops.tensor_array import TensorArray
        return TensorArray

    def _serialize(self):
        return (self._element_shape, self._dtype, self._dynamic_size, self._infer_shape)

    @staticmethod
    def from_value(value):
        """The spec of the tf.TensorArray `value`."""
        from ..ops.tensor_array import TensorArray
        if not isinstance(value, TensorArray):
            raise ValueError("Expected value to be a TensorArray, but saw: %s" % type(value))
        return TensorArraySpec(value.element_shape, value.dtype, value._dynamic_size, value._infer_shape)


class IndexedSlicesSpec(TypeSpec):
    """`tf.IndexedSlicesSpec(shape=None, dtype=tf.float32, indices_dtype=tf.int64, dense_shape_dtype=None,
    indices_shape=None)`: the type of a tf.IndexedSlices (`shape` is the dense shape; indices are a
    vector, of `indices_shape` when given)."""

    def __init__(self, shape=None, dtype=dtypes.float32, indices_dtype=dtypes.int64, dense_shape_dtype=None,
                 indices_shape=None):
        self._shape = as_shape(shape)
        self._values_dtype = dtypes.as_dtype(dtype)
        self._indices_dtype = dtypes.as_dtype(indices_dtype)
        self._dense_shape_dtype = None if dense_shape_dtype is None else dtypes.as_dtype(dense_shape_dtype)
        self._indices_shape = as_shape(indices_shape).with_rank(1) if indices_shape is not None \
            else TensorShape([None])

    @property
    def value_type(self):
        from .indexed_slices import IndexedSlices
        return IndexedSlices

    def _serialize(self):
        return (self._shape, self._values_dtype, self._indices_dtype, self._dense_shape_dtype,
                self._indices_shape)


class NoneTensorSpec(TypeSpec):
    """`tf.NoneTensorSpec()`: the type of a None in a structure of tensors; compatible only with itself."""

    @property
    def value_type(self):
        return type(None)

    def _serialize(self):
        return ()


class OptionalSpec(TypeSpec):
    """`tf.OptionalSpec(element_spec)`: the type of a tf.data Optional holding values of `element_spec`
    (a TypeSpec, or a tuple/dict structure of them)."""

    def __init__(self, element_spec):
        self._element_spec = element_spec

    @property
    def value_type(self):
        from ..data.optional_ops import Optional
        return Optional

    @staticmethod
    def from_value(value):
        """The spec of the tf.data.experimental.Optional `value`."""
        return OptionalSpec(value.element_spec)

    def _serialize(self):
        return (self._element_spec,)


def register_spec_class(spec_class):
    """Makes a spec class defined elsewhere (TensorSpec, SparseTensorSpec) a TypeSpec, with the merge
    the other specs have. TensorSpec registers itself when tf.data's structure module loads, so that
    `import numflow` need not load tf.data."""
    TypeSpec.register(spec_class)
    if not hasattr(spec_class, "most_specific_compatible_type"):
        spec_class.most_specific_compatible_type = _merge_shape_and_dtype_spec
    if not hasattr(spec_class, "value_type"):
        spec_class.value_type = property(lambda self: _tensor_class())


def _tensor_class():
    from .graph import Tensor
    return Tensor


def _merge_shape_and_dtype_spec(self, other):
    """The most specific spec of this (shape, dtype) kind compatible with both; ValueError if none."""
    if type(self) is not type(other) or self.dtype is not other.dtype or \
            not self.shape.is_compatible_with(other.shape):
        raise ValueError("No TypeSpec is compatible with both %s and %s" % (self, other))
    return type(self)(_most_specific_shape(self.shape, other.shape), self.dtype)


def type_spec_from_value(value):
    """`tf.type_spec_from_value(value)`: the TypeSpec of `value`: a TensorSpec for tensors and values
    convertible to one (TF's dtype rules: Python ints int32, floats float32), a SparseTensorSpec,
    IndexedSlicesSpec or TensorArraySpec for those composites; TypeError for anything else."""
    from .graph import Tensor
    from .indexed_slices import IndexedSlices
    from .sparse_tensor import SparseTensor, SparseTensorValue
    from ..data.structure import TensorSpec
    from ..ops.sparse_ops import SparseTensorSpec
    from ..ops.tensor_array import TensorArray
    from ..data.optional_ops import Optional
    if isinstance(value, Optional):
        return OptionalSpec.from_value(value)
    if isinstance(value, Tensor):
        return TensorSpec(value.shape, value.dtype)
    if hasattr(value, "_as_graph_element") and isinstance(value._as_graph_element(), Tensor):
        tensor = value._as_graph_element()    # a Variable
        return TensorSpec(tensor.shape, tensor.dtype.base_dtype if hasattr(tensor.dtype, "base_dtype")
                          else tensor.dtype)
    if isinstance(value, (SparseTensor, SparseTensorValue)):
        return SparseTensorSpec.from_value(value)
    if isinstance(value, IndexedSlices):
        return IndexedSlicesSpec(_static_dense_shape(value), value.values.dtype, value.indices.dtype,
                                 None if value.dense_shape is None else value.dense_shape.dtype,
                                 value.indices.shape)
    if isinstance(value, TensorArray):
        return TensorArraySpec.from_value(value)
    from ..ops.constant import to_numpy
    try:
        array = to_numpy(value)
    except (TypeError, ValueError):
        array = None
    if array is None or (isinstance(array, np.ndarray) and array.dtype == object and
                         not all(isinstance(v, bytes) for v in array.reshape(-1))):
        raise TypeError("Could not build a TypeSpec for %r of unsupported type %s." % (value, type(value)))
    return TensorSpec(array.shape, dtypes.as_dtype(array.dtype) if array.dtype != object else dtypes.string)


def _static_dense_shape(indexed_slices):
    """The dense shape of `indexed_slices` as far as it is known when the graph is built."""
    dense_shape = indexed_slices.dense_shape
    if dense_shape is None:
        return TensorShape([None]).concatenate(indexed_slices.values.shape[1:])
    if dense_shape.op.type == "Const":
        return TensorShape([int(d) for d in np.asarray(dense_shape.op.attrs["value"]).reshape(-1)])
    rank = dense_shape.shape.num_elements() if dense_shape.shape.is_fully_defined() else None
    return TensorShape(None if rank is None else [None] * rank)


def _register_sparse_tensor_spec():
    from ..ops.sparse_ops import SparseTensorSpec
    register_spec_class(SparseTensorSpec)


_register_sparse_tensor_spec()
