"""Partitioned variables: `tf.fixed_size_partitioner`, `tf.variable_axis_size_partitioner`,
`tf.min_max_variable_partitioner`, `tf.create_partitioned_variables` and the `PartitionedVariable` that
`tf.get_variable(..., partitioner=...)` returns.

A partitioner is a function `partitioner(shape, dtype)` returning one partition count per dimension of a
variable's full shape; at most one entry may exceed 1. `get_variable` then makes one variable per slice
along that axis, named 'name/part_0', 'name/part_1', ..., the first `size % parts` slices one row longer
than the others, as TF does. Used as a Tensor, the PartitionedVariable is the concatenation of its parts.

numflow's Saver has no slice support (no `save_slice_info`): each part is checkpointed under its own name
('name/part_0'), not as a slice of 'name'.
"""
import math

import numpy as np

from . import dtypes
from .graph import convert_to_tensor, name_scope, register_tensor_conversion_function
from .tensor_shape import TensorShape, as_shape

__all__ = ["fixed_size_partitioner", "variable_axis_size_partitioner", "min_max_variable_partitioner",
           "create_partitioned_variables", "PartitionedVariable"]


def _element_bytes(dtype, bytes_per_string_element):
    dtype = dtypes.as_dtype(dtype)
    return bytes_per_string_element if dtype is dtypes.string else dtype.size


def _checked_shape(shape, axis):
    shape = as_shape(shape)
    if not shape.is_fully_defined():
        raise ValueError("shape is not fully defined: %s" % (shape,))
    if not 0 <= axis < shape.ndims:
        raise ValueError("Cannot partition variable along axis %d when shape is only %s" % (axis, shape))
    return shape.as_list()


def _partitions(rank, axis, count):
    partitions = [1] * rank
    partitions[axis] = int(count)
    return partitions


def fixed_size_partitioner(num_shards, axis=0):
    """`tf.fixed_size_partitioner(num_shards, axis=0)`: a partitioner cutting `axis` into `num_shards`
    parts (fewer when the dimension is smaller)."""

    def partitioner(shape, dtype=None, **unused):
        dims = _checked_shape(shape, axis)
        return _partitions(len(dims), axis, min(num_shards, dims[axis]))
    return partitioner


def variable_axis_size_partitioner(max_shard_bytes, axis=0, bytes_per_string_element=16, max_shards=None):
    """`tf.variable_axis_size_partitioner(max_shard_bytes, axis=0, bytes_per_string_element=16,
    max_shards=None)`: a partitioner cutting `axis` into as few parts as keep each one within
    `max_shard_bytes` (a part holds at least one slice), capped at `max_shards`. String elements count
    as `bytes_per_string_element` bytes."""
    if axis < 0:
        raise ValueError("axis must be non-negative: %s" % axis)
    if max_shard_bytes < 1 or bytes_per_string_element < 1:
        raise ValueError("Both max_shard_bytes and bytes_per_string_element must be positive. Currently, "
                         "max_shard_bytes is %s and bytes_per_string_element is %s"
                         % (max_shard_bytes, bytes_per_string_element))
    if max_shards is not None and max_shards < 1:
        raise ValueError("max_shards must be positive: %s" % max_shards)

    def partitioner(shape, dtype, **unused):
        dims = _checked_shape(shape, axis)
        slice_bytes = _element_bytes(dtype, bytes_per_string_element) * int(np.prod(
            [d for i, d in enumerate(dims) if i != axis], dtype=np.int64))
        slices_per_shard = max(1, max_shard_bytes // slice_bytes)
        shards = int(math.ceil(dims[axis] / slices_per_shard))
        if max_shards is not None:
            shards = min(shards, max_shards)
        return _partitions(len(dims), axis, shards)
    return partitioner


def min_max_variable_partitioner(max_partitions=1, axis=0, min_slice_size=256 << 10,
                                 bytes_per_string_element=16):
    """`tf.min_max_variable_partitioner(max_partitions=1, axis=0, min_slice_size=256K,
    bytes_per_string_element=16)`: a partitioner cutting `axis` into as many parts as give each at least
    `min_slice_size` bytes, but no more than `max_partitions` nor the size of the axis (at least one)."""
    if max_partitions < 1:
        raise ValueError("max_partitions must be positive: %s" % max_partitions)
    if min_slice_size < 1:
        raise ValueError("min_slice_size must be positive: %s" % min_slice_size)

    def partitioner(shape, dtype, **unused):
        dims = _checked_shape(shape, axis)
        total_bytes = _element_bytes(dtype, bytes_per_string_element) * int(np.prod(dims, dtype=np.int64))
        wanted = max(1, int(math.ceil(total_bytes / min_slice_size)))
        return _partitions(len(dims), axis, min(max_partitions, dims[axis], wanted))
    return partitioner


class PartitionInfo:
    """Where one part lies in the full variable: passed to initializers as `partition_info`."""

    def __init__(self, full_shape, var_offset):
        self.full_shape = list(full_shape)
        self.var_offset = list(var_offset)

    @property
    def single_slice_dim(self):
        """The partitioned axis (the one with a non-zero offset), or None for the first part."""
        for axis, offset in enumerate(self.var_offset):
            if offset:
                return axis
        return None

    @property
    def single_offset(self):
        axis = self.single_slice_dim
        return 0 if axis is None else self.var_offset[axis]


class PartitionedVariable:
    """A variable stored as several variables, each a slice of it along one axis (TF's
    `PartitionedVariable`): iterating gives the parts; used as a Tensor it is their concatenation."""

    def __init__(self, name, shape, dtype, variable_list, partitions):
        self._name = name
        self._shape = as_shape(shape)
        self._dtype = dtypes.as_dtype(dtype)
        self._variable_list = list(variable_list)
        self._partitions = list(partitions)
        self._as_tensor_cache = None

    @property
    def name(self):
        return self._name

    @property
    def dtype(self):
        return self._dtype

    @property
    def shape(self):
        return self._shape

    def get_shape(self):
        return self._shape

    @property
    def graph(self):
        return self._variable_list[0].graph

    def __iter__(self):
        return iter(self._variable_list)

    def __len__(self):
        return len(self._variable_list)

    def get_variable_list(self):
        """The part variables, in order along the partitioned axis."""
        return list(self._variable_list)

    _get_variable_list = get_variable_list

    def get_partitions(self):
        """One partition count per dimension (the partitioner's result)."""
        return list(self._partitions)

    _get_partitions = get_partitions

    def _partition_axis(self):
        return next((axis for axis, count in enumerate(self._partitions) if count > 1), 0)

    def as_tensor(self):
        """The full value: the parts concatenated along the partitioned axis."""
        from ..ops.array import concat
        from ..ops.control import identity
        with name_scope(None):
            with name_scope(self._name + "/ConcatPartitions/"):
                if len(self._variable_list) == 1:
                    joined = identity(self._variable_list[0])
                else:
                    joined = concat([v.value() for v in self._variable_list], self._partition_axis())
            return identity(joined, name=self._name)

    def assign(self, value, use_locking=False, name=None, read_value=True):
        """Assigns the slices of `value` to the parts; returns the grouped assignments' op when
        read_value is False, else the new value."""
        from ..ops.array import split
        from ..ops.control import group
        value = convert_to_tensor(value, dtype=self._dtype)
        sizes = [v.shape.as_list()[self._partition_axis()] for v in self._variable_list]
        pieces = split(value, sizes, axis=self._partition_axis())
        assigns = [v.assign(piece, use_locking=use_locking) for v, piece in zip(self._variable_list, pieces)]
        op = group(*assigns, name=name)
        return op if not read_value else self._read_after(op)

    def _read_after(self, op):
        from ..framework.graph import control_dependencies
        with control_dependencies([op]):
            return self.as_tensor()

    def __repr__(self):
        return "<tf.PartitionedVariable '%s' shape=%s dtype=%s parts=%d>" % (
            self._name, self._shape, self._dtype.name, len(self._variable_list))


def _partitioned_to_tensor(variable, dtype=None, name=None):
    if dtype is not None and dtypes.as_dtype(dtype) is not variable.dtype:
        raise ValueError("Incompatible type conversion requested to type '%s' for variable of type '%s'"
                         % (dtypes.as_dtype(dtype).name, variable.dtype.name))
    return variable.as_tensor()


register_tensor_conversion_function(PartitionedVariable, _partitioned_to_tensor)


def _slices(dims, partitions):
    """[(offset, part_shape)] of every part: the first `size % parts` parts one row longer."""
    if len(partitions) != len(dims):
        raise ValueError("Partitioner returned a partition list that does not match the Variable's rank: "
                         "%s vs. %s" % (list(partitions), TensorShape(dims)))
    if any(int(p) < 1 for p in partitions):
        raise ValueError("Partitioner returned zero or negative partitions for some axes: %s" % list(partitions))
    cut_axes = [axis for axis, count in enumerate(partitions) if count > 1]
    if len(cut_axes) > 1:
        raise ValueError("Can only slice a variable along one dimension: shape: %s, partitioning: %s"
                         % (TensorShape(dims), list(partitions)))
    axis = cut_axes[0] if cut_axes else 0
    count = int(partitions[axis])
    if count > dims[axis]:
        raise ValueError("Partitioner asked for %d parts along axis %d of a variable of shape %s"
                         % (count, axis, TensorShape(dims)))
    base, longer = divmod(dims[axis], count)
    slices, offset = [], 0
    for index in range(count):
        size = base + (1 if index < longer else 0)
        part_shape = list(dims)
        part_shape[axis] = size
        var_offset = [0] * len(dims)
        var_offset[axis] = offset
        slices.append((var_offset, part_shape))
        offset += size
    return slices


def get_partitioned_variable(store, name, shape, dtype, initializer, regularizer, reuse, trainable,
                             collections, validate_shape, constraint, partitioner):
    """What `tf.get_variable` does with a `partitioner`: the PartitionedVariable `name` of `store` (a
    variable store), created or reused as `reuse` says."""
    found = getattr(store, "_partitioned_vars", None)
    if found is None:
        found = store._partitioned_vars = {}
    initializing_from_value = initializer is not None and not callable(initializer)
    if initializing_from_value:
        if shape is not None:
            raise ValueError("If initializer is a constant, do not specify shape.")
        initializer = np.asarray(getattr(initializer, "numpy", lambda: initializer)())
        shape = initializer.shape
    shape = as_shape(shape)
    dtype = dtypes.as_dtype(dtype)
    if name in found:
        existing = found[name]
        if not reuse:
            raise ValueError("Partitioned variable with name %s already exists. Did you mean to set reuse=True "
                             "or reuse=tf.AUTO_REUSE in VarScope?" % name)
        if not shape.is_compatible_with(existing.shape):
            raise ValueError("Trying to reuse partitioned variable %s, but specified shape %s and found shape %s."
                             % (name, shape, existing.shape))
        if not dtype.is_compatible_with(existing.dtype):
            raise ValueError("Trying to reuse partitioned variable %s, but specified dtype %s and found dtype "
                             "%s." % (name, dtype.name, existing.dtype.name))
        return existing
    if reuse is True:
        raise ValueError("PartitionedVariable %s does not exist, or was not created with tf.get_variable(). "
                         "Did you mean to set reuse=False or reuse=tf.AUTO_REUSE in VarScope?" % name)
    if not shape.is_fully_defined():
        raise ValueError("Shape of a new partitioned variable must be fully defined, but instead was %s."
                         % (shape,))
    if name in store._vars:
        raise ValueError("A partitioner was provided, but an unpartitioned version of the variable was found: "
                         "%s. Perhaps a variable of the same name was already created without partitioning?"
                         % name)
    dims = shape.as_list()
    partitions = partitioner(shape=shape, dtype=dtype)
    parts = []
    for index, (var_offset, part_shape) in enumerate(_slices(dims, partitions)):
        if initializing_from_value:
            part_init = initializer[tuple(slice(o, o + s) for o, s in zip(var_offset, part_shape))]
            part_shape_arg = None
        else:
            part_init = _with_partition_info(initializer, PartitionInfo(dims, var_offset))
            part_shape_arg = part_shape
        parts.append(store._get_single_variable("%s/part_%d" % (name, index), part_shape_arg, dtype, part_init,
                                                None, reuse, trainable, collections, validate_shape, constraint))
    variable = PartitionedVariable(name, shape, dtype, parts, partitions)
    found[name] = variable
    if regularizer:
        from .graph import GraphKeys
        with name_scope(None), name_scope(name + "/Regularizer/"):
            loss = regularizer(variable)
        if loss is not None:
            variable.graph.add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)
    return variable


def _with_partition_info(initializer, info):
    """`initializer` called with `partition_info=info` (None stays None: the store picks its default)."""
    if initializer is None:
        return None
    import inspect
    if inspect.isclass(initializer):
        initializer = initializer()

    def part_initializer(shape, dtype=None, partition_info=None):
        return initializer(shape, dtype=dtype, partition_info=info)
    return part_initializer


def create_partitioned_variables(shape, slicing, initializer, dtype=dtypes.float32, trainable=True,
                                 collections=None, name=None, reuse=None):
    """`tf.create_partitioned_variables(shape, slicing, initializer, dtype=tf.float32, trainable=True,
    collections=None, name=None, reuse=None)` (deprecated in TF1 for get_variable with a partitioner):
    the list of variables 'name/part_i' that slice a variable of `shape` as `slicing` says."""
    from ..variable_scope import _variable_store, variable_scope
    if len(shape) != len(slicing):
        raise ValueError("The 'shape' and 'slicing' of a partitioned Variable must have the length: shape: %s, "
                         "slicing: %s" % (shape, slicing))
    if len(shape) < 1:
        raise ValueError("A partitioned Variable must have rank at least 1: shape: %s" % (shape,))
    fixed_slicing = list(slicing)
    with variable_scope(name, "PartitionedVariable", reuse=reuse) as scope:
        variable = _variable_store().get_variable(
            scope.name, shape=shape, dtype=dtype, initializer=initializer, reuse=scope.reuse,
            trainable=trainable, collections=collections, partitioner=lambda **unused: fixed_slicing)
    return list(variable)
