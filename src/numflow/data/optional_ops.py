"""`tf.data.experimental.Optional` and `get_next_as_optional`: a value that may be absent, as tensors.

An Optional is a boolean `has_value` tensor and the tensors of its value (zeros, with every unknown
dimension 0, when there is none); `get_value()` is an op that fails with InvalidArgumentError when run on
an empty one. `get_next_as_optional(iterator)` reads the next element without raising at the end of the
dataset: there `has_value()` is False.
"""
import numpy as np

from ..framework import dtypes, errors
from ..framework.op_def import OpDef, register
from ..ops.common import make_op
from . import structure
from .iterator_ops import IteratorGetNext


def _empty_value(spec):
    """The placeholder value of an absent component: zeros, unknown dimensions taken as 0."""
    shape = [] if spec.shape.ndims is None else [d or 0 for d in spec.shape.as_list()]
    return np.zeros(shape, dtype=spec.dtype.np) if spec.dtype is not dtypes.string else \
        np.full(shape, b"", dtype=object)


@register
class IteratorGetNextAsOptional(IteratorGetNext):
    """The next element of an iterator as (has_value, components...); at the end of the dataset
    has_value is False and the components are placeholders, instead of an OutOfRangeError."""

    def infer(self, op):
        return [(dtypes.bool, [])] + super().infer(op)

    def kernel(self, op, ctx):
        get_next = super().kernel(op, ctx)
        specs = op.attrs["flat_specs"]
        empty = tuple(_empty_value(s) for s in specs)

        def get_next_as_optional(handle):
            try:
                element = get_next(handle)
            except errors.OutOfRangeError:
                return (np.bool_(False),) + empty
            return (np.bool_(True),) + (tuple(element) if len(specs) > 1 else (element,))
        return get_next_as_optional


@register
class OptionalGetValue(OpDef):
    """The components of an Optional (inputs: has_value, then the components); InvalidArgumentError
    when it has no value."""

    stateful = True          # its failure depends on a run-time flag: never folded away
    differentiable = False

    def infer(self, op):
        return [(s.dtype, s.shape) for s in op.attrs["flat_specs"]]

    def kernel(self, op, ctx):
        def get_value(has_value, *components):
            if not bool(has_value):
                raise errors.InvalidArgumentError(None, op, "The optional does not have a value.")
            return components[0] if len(components) == 1 else components
        return get_value


class Optional:
    """`tf.data.experimental.Optional`: a value of a known structure that may be absent."""

    def __init__(self, has_value, components, element_spec):
        self._has_value = has_value
        self._components = list(components)
        self._element_spec = element_spec

    @staticmethod
    def from_value(value):
        """An Optional holding `value` (a nest of tensors)."""
        from .dataset_ops import _to_tensors
        from ..ops.constant import constant
        value = _to_tensors(structure.lists_to_tuples(value))
        return Optional(constant(True), structure.flatten(value), structure.specs_of(value))

    @staticmethod
    def empty(element_spec):
        """An Optional with no value, of the structure `element_spec` (a nest of tf.TensorSpec)."""
        from ..ops.constant import constant
        flat = [constant(_empty_value(s), dtype=s.dtype) for s in structure.flatten(element_spec)]
        return Optional(constant(False), flat, element_spec)

    @staticmethod
    def none_from_structure(value_structure):
        """TF 1.x's name of `empty`."""
        return Optional.empty(value_structure)

    def has_value(self, name=None):
        """A scalar bool tensor: whether this Optional holds a value."""
        from ..ops.control import identity
        return identity(self._has_value, name=name or "has_value")

    def get_value(self, name=None):
        """The value (the structure of `element_spec`); running it on an empty Optional raises
        InvalidArgumentError."""
        # The static shapes are the value's structure's, not the placeholder's (0 for unknown dimensions).
        op = make_op("OptionalGetValue", [self._has_value] + self._components,
                     {"flat_specs": structure.flatten(self._element_spec)}, name=name or "OptionalGetValue")
        return structure.pack(self._element_spec, op.outputs)

    @property
    def element_spec(self):
        """The nest of tf.TensorSpec of the value."""
        return self._element_spec

    value_structure = element_spec


def get_next_as_optional(iterator):
    """`tf.data.experimental.get_next_as_optional(iterator)`: the iterator's next element as an Optional,
    empty (has_value() False) once the dataset is exhausted."""
    flat = structure.flatten(iterator._specs)
    op = make_op("IteratorGetNextAsOptional", [iterator._handle], {"flat_specs": flat},
                 name="IteratorGetNextAsOptional")
    return Optional(op.outputs[0], op.outputs[1:], iterator._specs)
