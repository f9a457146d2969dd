"""`tf.data.Iterator` and the ops that run a dataset inside a Session.

An iterator is a per-Session resource named by a string handle. Its ops:
  IteratorV2 / OneShotIterator -> the handle (a one-shot iterator initializes itself on first use);
  MakeIterator(handle, dataset inputs...) -> builds the dataset's streams from the inputs' values;
  IteratorGetNext(handle) -> the next element, OutOfRangeError at the end.
`from_string_handle` reads the handle from a (fed) string tensor, so one get_next can switch between
iterators, as TF's feedable iterators do.
"""
import itertools
import threading

import numpy as np

from ..framework import dtypes, errors
from ..framework.graph import convert_to_tensor, get_default_graph
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape
from ..ops.common import make_op, make_tensor
from . import structure
from .streams import Runtime, row


class _IteratorResource:
    """One initialized iterator inside one Session."""

    def __init__(self, stream, flat_specs):
        self.stream = stream
        self.flat_specs = flat_specs
        self.lock = threading.Lock()
        self.finished = False


def _resources(ctx):
    iterators = ctx.resources.get("iterators")
    if iterators is None:
        iterators = ctx.resources.setdefault("iterators", {})
    return iterators


def _initialize(ctx, handle, dataset, op, values):
    env = dict(zip(op.attrs["dataset_inputs"], values))
    stream = dataset._stream(Runtime(ctx, env))
    _resources(ctx)[handle] = _IteratorResource(stream, dataset._flat_specs())


def _handle_bytes(value):
    value = value.item() if isinstance(value, np.ndarray) else value
    return value if isinstance(value, bytes) else str(value).encode()


@register
class IteratorV2(OpDef):
    """The handle of an iterator that `MakeIterator` initializes."""

    stateful = True
    differentiable = False

    def infer(self, op):
        return [(dtypes.string, TensorShape([]))]

    def kernel(self, op, ctx):
        handle = np.array(op.attrs["handle"], dtype=object)
        return lambda: handle


@register
class OneShotIterator(OpDef):
    """The handle of an iterator over a fixed dataset, initialized the first time it is used."""

    stateful = True
    differentiable = False

    def infer(self, op):
        return [(dtypes.string, TensorShape([]))]

    def kernel(self, op, ctx):
        handle_bytes = op.attrs["handle"]
        handle = np.array(handle_bytes, dtype=object)
        dataset = op.attrs["dataset"]
        lock = threading.Lock()

        def one_shot(*values):
            if handle_bytes not in _resources(ctx):
                with lock:
                    if handle_bytes not in _resources(ctx):
                        _initialize(ctx, handle_bytes, dataset, op, values)
            return handle
        return one_shot


@register
class MakeIterator(OpDef):
    """Initializes (or re-initializes) the iterator `handle` over a dataset, from its inputs' values."""

    stateful = True
    differentiable = False

    def infer(self, op):
        return []

    def kernel(self, op, ctx):
        dataset = op.attrs["dataset"]

        def make(handle, *values):
            _initialize(ctx, _handle_bytes(handle), dataset, op, values)
        return make


@register
class IteratorGetNext(OpDef):
    """The next element of the iterator its input names; OutOfRangeError once the dataset is exhausted."""

    stateful = True
    differentiable = False
    returns_shared = True       # elements may be views of the dataset's arrays: fetched values are copied

    def infer(self, op):
        return [(s.dtype, s.shape) for s in op.attrs["flat_specs"]]

    def kernel(self, op, ctx):
        specs = op.attrs["flat_specs"]
        single = len(specs) == 1

        # The structure check and whether elements need a shape check depend only on which iterator the
        # handle names: done once per iterator, not once per element.
        verified = [None, False]     # the last resource checked, and whether its elements need checking

        def verify(resource):
            if resource.flat_specs is not specs and not _compatible(resource.flat_specs, specs):
                raise errors.InvalidArgumentError(
                    None, op, "The iterator handle fed to '%s' names an iterator whose elements (%s) do not "
                    "match its output types and shapes (%s)" % (op.name, _describe(resource.flat_specs),
                                                                _describe(specs)))
            verified[:] = [resource, not _at_least_as_specific(resource.flat_specs, specs)]

        def get_next(handle):
            key = _handle_bytes(handle)
            resource = _resources(ctx).get(key)
            if resource is None:
                raise errors.FailedPreconditionError(
                    None, op, "GetNext() failed because the iterator has not been initialized. Ensure that "
                    "you have run the initializer operation for this iterator before getting the next "
                    "element.\n\t [[node %s (op: IteratorGetNext)]]" % op.name)
            if verified[0] is not resource:
                verify(resource)
            with resource.lock:
                chunk = None if resource.finished else resource.stream.next_chunk(1)
                if chunk is None:
                    resource.finished = True
                    raise errors.OutOfRangeError(None, op, "End of sequence\n\t [[node %s (op: IteratorGetNext)]]"
                                                 % op.name)
            element = row(chunk, 0)
            if verified[1]:
                for spec, value in zip(specs, element):
                    if not spec.shape.is_compatible_with(value.shape):
                        raise errors.InvalidArgumentError(
                            None, op, "The iterator produced an element of shape %s where its output shape is "
                            "%s (node %s)" % (list(value.shape), spec.shape, op.name))
            return element[0] if single else element
        return get_next


def _compatible(have, want):
    return len(have) == len(want) and all(a.dtype is b.dtype and b.shape.is_compatible_with(a.shape)
                                          for a, b in zip(have, want))


def _at_least_as_specific(have, want):
    """Whether every element shape the dataset's specs allow is one `want` allows too (then its elements,
    shaped by the dataset's own static shapes, need no check against `want`)."""
    for a, b in zip(have, want):
        if b.shape.ndims is None:
            continue
        if a.shape.ndims != b.shape.ndims:
            return False
        if any(wb.value is not None and wa.value != wb.value for wa, wb in zip(a.shape.dims, b.shape.dims)):
            return False
    return True


def _describe(specs):
    return ", ".join("%s %s" % (s.dtype.name, s.shape) for s in specs)


_handle_counter = itertools.count()


def _unique_handle(name):
    return ("iterator:%s:%d" % (name, next(_handle_counter))).encode()


class Iterator(structure.HasElementStructure):
    """`tf.data.Iterator`: reads the elements of a dataset; `get_next()` gives the next one as tensors."""

    def __init__(self, handle, initializer, specs):
        self._handle = handle
        self._initializer = initializer
        self._specs = specs

    @property
    def initializer(self):
        """The op that (re)starts this iterator; None for one-shot and string-handle iterators."""
        if self._initializer is None:
            raise ValueError("Iterator does not have an initializer.")
        return self._initializer

    def get_next(self, name=None):
        """The next element: the dataset's structure of tensors (each run of them advances the iterator)."""
        flat = structure.flatten(self._specs)
        op = make_op("IteratorGetNext", [self._handle], {"flat_specs": flat}, name=name or "IteratorGetNext")
        return structure.pack(self._specs, op.outputs)

    def make_initializer(self, dataset, name=None):
        """An op that initializes this iterator over `dataset` (its types must match the iterator's)."""
        have = dataset._flat_specs()
        want = structure.flatten(self._specs)
        structure.assert_same_structure(self._specs, dataset._specs, "make_initializer")
        if [s.dtype for s in have] != [s.dtype for s in want]:
            raise TypeError("Expected output types %s but got dataset with output types %s."
                            % (structure._describe(self.output_types), structure._describe(dataset.output_types)))
        for a, b in zip(have, want):
            if not b.shape.is_compatible_with(a.shape):
                raise TypeError("Expected output shapes compatible with %s but got dataset with output shapes %s."
                                % (structure._describe(self.output_shapes),
                                   structure._describe(dataset.output_shapes)))
        inputs = dataset._all_inputs()
        return make_op("MakeIterator", [self._handle] + inputs,
                       {"dataset": dataset, "dataset_inputs": inputs}, name=name or "make_initializer")

    def string_handle(self, name=None):
        """A scalar string tensor naming this iterator, to feed to a `from_string_handle` iterator."""
        return self._handle

    @staticmethod
    def from_structure(output_types, output_shapes=None, shared_name=None, output_classes=None):
        """An iterator not bound to a dataset: `make_initializer(dataset)` binds it to any dataset of this
        structure (e.g. training and validation datasets, one get_next)."""
        specs = structure.specs_from(structure.normalize_types(output_types),
                                     None if output_shapes is None else structure.lists_to_tuples(output_shapes))
        handle = make_tensor("IteratorV2", [], {"handle": _unique_handle(shared_name or "Iterator")},
                             name="Iterator")
        return Iterator(handle, None, specs)

    @staticmethod
    def from_string_handle(string_handle, output_types, output_shapes=None, output_classes=None):
        """An iterator reading whichever iterator the string tensor `string_handle` names when run."""
        specs = structure.specs_from(structure.normalize_types(output_types),
                                     None if output_shapes is None else structure.lists_to_tuples(output_shapes))
        handle = convert_to_tensor(string_handle, dtype=dtypes.string)
        if handle.shape.ndims not in (None, 0):
            raise ValueError("string_handle must be a scalar string tensor, got shape %s" % handle.shape)
        return Iterator(handle, None, specs)


def make_one_shot_iterator(dataset):
    """`tf.compat.v1.data.make_one_shot_iterator(dataset)`."""
    _check_graph(dataset)
    inputs = dataset._all_inputs()
    for tensor in inputs:
        if tensor.op.type == "Placeholder":
            raise ValueError("Failed to create a one-shot iterator for a dataset that captures the placeholder "
                             "'%s'; use dataset.make_initializable_iterator() and feed it to the initializer"
                             % tensor.name)
    handle = make_tensor("OneShotIterator", inputs,
                         {"handle": _unique_handle("OneShotIterator"), "dataset": dataset,
                          "dataset_inputs": inputs}, name="OneShotIterator")
    return Iterator(handle, None, dataset._specs)


def make_initializable_iterator(dataset, shared_name=None):
    """`tf.compat.v1.data.make_initializable_iterator(dataset)`: run `iterator.initializer` first."""
    _check_graph(dataset)
    iterator = Iterator.from_structure(dataset.output_types, dataset.output_shapes, shared_name)
    iterator._specs = dataset._specs
    iterator._initializer = iterator.make_initializer(dataset)
    return iterator


def _check_graph(dataset):
    if dataset._graph is not get_default_graph():
        raise ValueError("The dataset was created in another graph than the default graph: make the "
                         "iterator inside `with graph.as_default():` of the dataset's graph")


def get_next_as_optional(iterator):
    """`tf.data.experimental.get_next_as_optional(iterator)` (see optional_ops)."""
    from .optional_ops import get_next_as_optional as as_optional
    return as_optional(iterator)


