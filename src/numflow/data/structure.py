"""The structure of a dataset element: a nest of tuples, namedtuples and dicts whose leaves are tensors.

TF's `nest` rules as tf.data applies them: tuples (namedtuples included) and dicts are structure, dict
entries are taken in sorted key order, and a list is a tuple when a function returns it (TF 1.x converts
it, with a warning) but a tensor when it is data (`from_tensor_slices([1, 2, 3])`). A leaf's static type
is a `TensorSpec` (dtype and shape); a dataset's `output_types` / `output_shapes` are the same nest of
DTypes / TensorShapes.
"""
from ..framework import dtypes, type_spec
from ..framework.graph import Tensor
from ..framework.tensor_shape import TensorShape, as_shape, format_shape


class TensorSpec:
    """`tf.TensorSpec(shape, dtype=tf.float32, name=None)`: the static type of one tensor."""

    def __init__(self, shape, dtype=dtypes.float32, name=None):
        self.shape = as_shape(shape)
        self.dtype = dtypes.as_dtype(dtype)
        self.name = name

    @classmethod
    def from_tensor(cls, tensor, name=None):
        return cls(tensor.shape, tensor.dtype, name)

    def is_compatible_with(self, other):
        other_dtype = other.dtype
        return self.dtype is other_dtype and self.shape.is_compatible_with(other.shape)

    def __eq__(self, other):
        return isinstance(other, TensorSpec) and self.dtype is other.dtype and self.shape == other.shape

    def __hash__(self):
        return hash((self.dtype.name, self.shape))

    def __repr__(self):
        return "TensorSpec(shape=%s, dtype=tf.%s, name=%r)" % (format_shape(self.shape), self.dtype.name,
                                                                 self.name)


def is_nested(value):
    return isinstance(value, (tuple, dict))


def flatten(structure):
    """The leaves of `structure` in TF's order (dict entries sorted by key)."""
    if isinstance(structure, tuple):
        out = []
        for item in structure:
            out.extend(flatten(item))
        return out
    if isinstance(structure, dict):
        out = []
        for key in sorted(structure):
            out.extend(flatten(structure[key]))
        return out
    return [structure]


def pack(structure, flat):
    """`structure` with its leaves replaced, in order, by the items of `flat`."""
    items = iter(flat)

    def build(node):
        if isinstance(node, tuple):
            parts = [build(x) for x in node]
            return type(node)(*parts) if hasattr(node, "_fields") else tuple(parts)
        if isinstance(node, dict):
            built = {key: build(node[key]) for key in sorted(node)}
            return type(node)((key, built[key]) for key in node) if type(node) is not dict else \
                {key: built[key] for key in node}
        return next(items)
    result = build(structure)
    return result


def flatten_as(structure, value):
    """The leaves of `value` read with the nest of `structure`: where it has a tuple, `value` may have a
    tuple or a list of that length (a list at a leaf is data)."""
    if isinstance(structure, tuple):
        if not isinstance(value, (tuple, list)) or len(value) != len(structure):
            raise ValueError("expected a sequence of %d items, got %r" % (len(structure), value))
        out = []
        for spec, item in zip(structure, value):
            out.extend(flatten_as(spec, item))
        return out
    if isinstance(structure, dict):
        if not isinstance(value, dict) or sorted(value) != sorted(structure):
            raise ValueError("expected a dict with keys %s, got %r" % (sorted(structure), value))
        out = []
        for key in sorted(structure):
            out.extend(flatten_as(structure[key], value[key]))
        return out
    return [value]


def map_structure(fn, structure):
    return pack(structure, [fn(leaf) for leaf in flatten(structure)])


def lists_to_tuples(structure):
    """A function's result with its lists read as tuples, as TF 1.x's tf.data does."""
    if isinstance(structure, list):
        return tuple(lists_to_tuples(x) for x in structure)
    if isinstance(structure, tuple):
        parts = [lists_to_tuples(x) for x in structure]
        return type(structure)(*parts) if hasattr(structure, "_fields") else tuple(parts)
    if isinstance(structure, dict):
        return type(structure)((k, lists_to_tuples(v)) for k, v in structure.items())
    return structure


def assert_same_structure(first, second, what):
    """ValueError naming `what` unless the two nests have the same shape of tuples and dict keys."""
    def signature(node):
        if isinstance(node, tuple):
            return ("tuple", tuple(signature(x) for x in node))
        if isinstance(node, dict):
            return ("dict", tuple((k, signature(node[k])) for k in sorted(node)))
        return "leaf"
    if signature(first) != signature(second):
        raise TypeError("%s: the two structures don't have the same nested structure.\n\nFirst structure: "
                        "%s\n\nSecond structure: %s" % (what, _describe(first), _describe(second)))


def _describe(structure):
    return repr(map_structure(lambda leaf: "." if not isinstance(leaf, (dtypes.DType, TensorShape))
                              else (leaf.name if isinstance(leaf, dtypes.DType) else format_shape(leaf)),
                              structure))


def specs_of(tensors_structure):
    return map_structure(lambda t: TensorSpec(t.shape, t.dtype), tensors_structure)


def types_of(spec_structure):
    return map_structure(lambda s: s.dtype, spec_structure)


def shapes_of(spec_structure):
    return map_structure(lambda s: s.shape, spec_structure)


def classes_of(spec_structure):
    return map_structure(lambda s: Tensor, spec_structure)


def specs_from(types, shapes=None):
    """Element specs from user-given `output_types` and optional `output_shapes` (unknown when absent)."""
    if shapes is None:
        return map_structure(lambda t: TensorSpec(TensorShape(None), t), types)
    shapes = _shapes_like(types, shapes)
    flat_types, flat_shapes = flatten(types), flatten(shapes)
    if len(flat_types) != len(flat_shapes):
        raise ValueError("output_types and output_shapes have different structures: %d and %d entries"
                         % (len(flat_types), len(flat_shapes)))
    return pack(types, [TensorSpec(s, t) for t, s in zip(flat_types, flat_shapes)])


def _shapes_like(types, shapes):
    """Shapes given as lists (`[None, 2]`) read as TensorShapes where `types` has a leaf."""
    if isinstance(types, tuple):
        if not isinstance(shapes, (tuple, list)) or len(shapes) != len(types):
            raise ValueError("output_shapes %r do not match the structure of output_types %r"
                             % (shapes, types))
        parts = [_shapes_like(t, s) for t, s in zip(types, shapes)]
        return type(types)(*parts) if hasattr(types, "_fields") else tuple(parts)
    if isinstance(types, dict):
        if not isinstance(shapes, dict) or sorted(shapes) != sorted(types):
            raise ValueError("output_shapes %r do not match the structure of output_types %r"
                             % (shapes, types))
        return {k: _shapes_like(types[k], shapes[k]) for k in types}
    return as_shape(shapes)


def normalize_types(types):
    return map_structure(dtypes.as_dtype, lists_to_tuples(types))


def most_specific_compatible_shape(first, second):
    """The most specific shape compatible with both (TF's rule for repeat/concatenate/padded shapes)."""
    if first.ndims is None or second.ndims is None or first.ndims != second.ndims:
        return TensorShape(None)
    return TensorShape([a.value if a.value == b.value else None for a, b in zip(first.dims, second.dims)])




class HasElementStructure:
    """`output_types` / `output_shapes` / `output_classes` / `element_spec` of an object whose `_specs`
    is a nest of TensorSpecs (a Dataset, an Iterator)."""

    @property
    def output_types(self):
        """The nested structure of each element's component dtypes."""
        return types_of(self._specs)

    @property
    def output_shapes(self):
        """The nested structure of each element's component static shapes."""
        return shapes_of(self._specs)

    @property
    def output_classes(self):
        """The nested structure of each element's component classes (tf.Tensor)."""
        return classes_of(self._specs)

    @property
    def element_spec(self):
        return self._specs


type_spec.register_spec_class(TensorSpec)
