"""Horovod's collectives as graph ops: `allreduce`, `grouped_allreduce`, `allgather`, `broadcast`.

Each is a stateful op (never folded, merged or reordered) whose kernel calls MPI through mpi4py's buffer
interface on the NumPy arrays themselves, never pickling. `HorovodAllreduce` and `HorovodBroadcast` take
any number of same-dtype tensors and move them as ONE flat buffer (concatenate, one MPI call, split):
`grouped_allreduce` and `DistributedOptimizer` put all of a step's gradients of a dtype in one op, so a
step costs one collective per dtype, not one per variable.

Ranks must run the same collectives on tensors of the same shapes and dtypes. The first time a plan runs
a collective (and on every call whose shapes are not static), the ranks exchange a small signature of
what they are about to send (a fixed-size Allgather); ranks that differ all raise FailedPreconditionError
naming the difference, instead of waiting forever or corrupting each other's buffers.

Gradients follow Horovod: allreduce's is the allreduce (same op and scaling) of the gradient; allgather's
is this rank's rows of the summed gradient; broadcast's is the summed gradient on the root rank and zero
elsewhere.
"""
import hashlib

import numpy as np

from ..framework import dtypes, errors
from ..framework.graph import convert_to_tensor, name_scope
from ..framework.indexed_slices import IndexedSlices
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape
from ..ops.common import make_op
from . import basics
from .compression import Compression

__all__ = ["Average", "Sum", "Adasum", "Min", "Max", "Product", "allreduce", "grouped_allreduce",
           "allgather", "broadcast", "size_op", "rank_op", "local_size_op", "local_rank_op"]

# Reduction ops (Horovod's hvd.Average, hvd.Sum, ...).
Average, Sum, Adasum, Min, Max, Product = "Average", "Sum", "Adasum", "Min", "Max", "Product"
_REDUCE_OPS = (Average, Sum, Min, Max, Product)
_SIGNATURE_BYTES = 64     # the hex digest of a collective's description, exchanged by a fixed Allgather


def _check_collective_dtype(tensor, what):
    if tensor.dtype is dtypes.string or tensor.dtype.name.startswith("variant"):
        raise TypeError("%s supports numeric and bool tensors, got %s tensor %s"
                        % (what, tensor.dtype.name, tensor.name))


class _Collective(OpDef):
    """Shared machinery of the collective ops."""

    stateful = True
    host_only = True      # MPI reads and writes host buffers (CUDA-aware MPI is not used)

    def describe(self, op, values):
        """What this rank is about to send, as text every rank must agree on."""
        return "%s %s [%s]" % (op.type, self.attributes(op),
                               ", ".join("%s %s%s" % (t.name, v.dtype.name, list(np.shape(v)))
                                         for t, v in zip(op.inputs, values)))

    def attributes(self, op):
        return ""

    def signature_checker(self, op, ctx):
        """A function of the input values that checks, across ranks, that every rank runs this collective
        on matching tensors: on its first run in this Session (whichever plan runs it: ranks may compile
        different plans, e.g. rank 0 fetching summaries too), and on every run when the shapes are not
        static."""
        comm, world = basics.comm(), basics.size()
        if world == 1:
            return None
        static = all(t.shape.is_fully_defined() for t in op.inputs)
        done = ctx.resources.setdefault("horovod_checked_collectives", set())

        def check(values):
            if static and op in done:
                return
            description = self.describe(op, values)
            digest = hashlib.sha256(description.encode()).hexdigest().encode()
            mine = np.frombuffer(digest.ljust(_SIGNATURE_BYTES, b"\0"), np.uint8)
            everyone = np.empty((world, _SIGNATURE_BYTES), np.uint8)
            comm.Allgather(mine, everyone)
            if (everyone != mine).any():
                raise _mismatch(op, comm, world, description)
            done.add(op)
        return check


def _mismatch(op, comm, world, description):
    """FailedPreconditionError naming what the ranks disagree on (every rank reaches this together, so
    the variable-size exchange of the full descriptions cannot hang)."""
    text = np.frombuffer(description.encode(), np.uint8)
    lengths = np.empty(world, np.int64)
    comm.Allgather(np.array([text.size], np.int64), lengths)
    gathered = np.empty(int(lengths.sum()), np.uint8)
    comm.Allgatherv(text, [gathered, lengths])
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    texts = [bytes(gathered[offsets[i]:offsets[i + 1]]).decode(errors="replace") for i in range(world)]
    me = basics.rank()
    other = 0 if me != 0 else next(i for i in range(world) if texts[i] != texts[0])
    return errors.FailedPreconditionError(
        None, op, "Horovod collective '%s' differs between ranks: rank %d runs %s, but rank %d runs %s. Every "
        "rank must build the same graph (the same variables, in the same order, with the same shapes and "
        "dtypes) and run the same ops." % (op.name, me, _shorten(texts[me]), other, _shorten(texts[other])))


def _shorten(text, limit=600):
    return text if len(text) <= limit else text[:limit] + " ..."


def _split(flat, values):
    """`flat` cut back into arrays shaped like `values` (views of `flat`, which the kernel owns)."""
    outputs, start = [], 0
    for value in values:
        count = np.size(value)
        outputs.append(flat[start:start + count].reshape(np.shape(value)))
        start += count
    return outputs


def _flat_copy(values, dtype):
    """One fresh contiguous buffer holding all `values`, flattened (the kernel may write into it)."""
    if len(values) == 1:
        return np.array(values[0], dtype=dtype, copy=True).reshape(-1)
    return np.concatenate([np.asarray(v, dtype=dtype).reshape(-1) for v in values])


@register
class HorovodAllreduce(_Collective):
    """Reduces each input over all ranks (elementwise Sum, Average, Min, Max or Product), all inputs in
    one MPI_Allreduce; `prescale_factor` multiplies before, `postscale_factor` after."""

    def infer(self, op):
        first = op.inputs[0]
        for tensor in op.inputs[1:]:
            if tensor.dtype is not first.dtype:
                raise TypeError("HorovodAllreduce inputs must share one dtype: %s and %s"
                                % (first.dtype.name, tensor.dtype.name))
        return [(t.dtype, t.shape) for t in op.inputs]

    def attributes(self, op):
        return "op=%s prescale=%r postscale=%r" % (op.attrs["reduce_op"], op.attrs["prescale_factor"],
                                                   op.attrs["postscale_factor"])

    def kernel(self, op, ctx):
        dtype = op.inputs[0].dtype.np
        reduce_op = op.attrs["reduce_op"]
        prescale, postscale = op.attrs["prescale_factor"], op.attrs["postscale_factor"]
        world = basics.size()
        comm, MPI = basics.comm(), basics.mpi_module()
        check = self.signature_checker(op, ctx)
        mpi_op = None if MPI is None else {Sum: MPI.SUM, Average: MPI.SUM, Min: MPI.MIN, Max: MPI.MAX,
                                           Product: MPI.PROD}[reduce_op]
        integer = np.dtype(dtype).kind in "iub"
        single = len(op.inputs) == 1

        def allreduce(*values):
            if check is not None:
                check(values)
            flat = _flat_copy(values, dtype)
            if prescale != 1.0:
                flat *= prescale
            if world > 1:
                comm.Allreduce(MPI.IN_PLACE, flat, op=mpi_op)
            if reduce_op == Average and world > 1:
                if integer:
                    flat //= world
                else:
                    flat /= world
            if postscale != 1.0:
                flat *= postscale
            outputs = _split(flat, values)
            return outputs[0] if single else tuple(outputs)
        return allreduce

    def grad(self, op, *output_grads):
        reduce_op = op.attrs["reduce_op"]
        if reduce_op not in (Sum, Average):
            raise NotImplementedError("The gradient of allreduce is defined for op=Sum and op=Average only, "
                                      "not %s (as in Horovod)" % reduce_op)
        grads = [g if g is not None else _zeros_like(x) for g, x in zip(output_grads, op.inputs)]
        return _allreduce_op(grads, reduce_op, op.attrs["prescale_factor"], op.attrs["postscale_factor"])


@register
class HorovodAllgather(_Collective):
    """Concatenates the input of every rank along dimension 0, in rank order (the ranks' first dimensions
    may differ; the others must agree)."""

    def infer(self, op):
        shape = op.inputs[0].shape
        if shape.ndims == 0:
            raise ValueError("allgather needs a tensor of rank 1 or more, got a scalar %s" % op.inputs[0].name)
        out = TensorShape(None) if shape.ndims is None else TensorShape([None] + shape.as_list()[1:])
        return [(op.inputs[0].dtype, out)]

    def describe(self, op, values):
        value = values[0]
        return "HorovodAllgather [%s %s[?%s]]" % (op.inputs[0].name, value.dtype.name,
                                                  "".join(", %d" % d for d in np.shape(value)[1:]))

    def kernel(self, op, ctx):
        dtype = op.inputs[0].dtype.np
        world = basics.size()
        comm = basics.comm()
        check = self.signature_checker(op, ctx)

        def allgather(value):
            if np.ndim(value) == 0:    # a tensor of unknown rank, fed a scalar
                raise errors.InvalidArgumentError(None, op, "allgather needs a tensor of rank 1 or more, got a "
                                                  "scalar for %s" % op.inputs[0].name)
            value = np.ascontiguousarray(value, dtype=dtype)
            if world == 1:
                return value.copy()
            check((value,))
            counts = np.empty(world, np.int64)
            comm.Allgather(np.array([value.shape[0]], np.int64), counts)
            row = int(np.prod(value.shape[1:], dtype=np.int64))
            gathered = np.empty((int(counts.sum()),) + value.shape[1:], dtype)
            comm.Allgatherv(value.reshape(-1), [gathered.reshape(-1), counts * row])
            return gathered
        return allgather

    def grad(self, op, dy):
        # Every rank's rows feed every rank's output: sum the gradients, then keep this rank's rows.
        from ..ops.array import reshape, shape as shape_of
        from ..ops.math import reduce_sum
        summed = _allreduce_op([dy], Sum, 1.0, 1.0)[0]
        counts = allgather(reshape(shape_of(op.inputs[0], out_type=dtypes.int64)[0], [1]))
        me = basics.rank()
        offset = reduce_sum(counts[:me]) if me else np.int64(0)
        return [summed[offset:offset + counts[me]]]


@register
class HorovodBroadcast(_Collective):
    """Every rank's outputs become the root rank's inputs (one MPI_Bcast for all inputs)."""

    def infer(self, op):
        first = op.inputs[0]
        for tensor in op.inputs[1:]:
            if tensor.dtype is not first.dtype:
                raise TypeError("HorovodBroadcast inputs must share one dtype: %s and %s"
                                % (first.dtype.name, tensor.dtype.name))
        return [(t.dtype, t.shape) for t in op.inputs]

    def attributes(self, op):
        return "root_rank=%d" % op.attrs["root_rank"]

    def kernel(self, op, ctx):
        dtype = op.inputs[0].dtype.np
        root = op.attrs["root_rank"]
        world = basics.size()
        if not 0 <= root < world:
            raise errors.InvalidArgumentError(None, op, "broadcast root_rank %d is not a rank of this world of "
                                              "%d processes" % (root, world))
        comm = basics.comm()
        is_root = basics.rank() == root
        check = self.signature_checker(op, ctx)
        single = len(op.inputs) == 1

        def broadcast(*values):
            if check is not None:
                check(values)
            if is_root:
                flat = _flat_copy(values, dtype)
            else:
                flat = np.empty(sum(np.size(v) for v in values), dtype)
            if world > 1:
                comm.Bcast(flat, root=root)
            outputs = _split(flat, values)
            return outputs[0] if single else tuple(outputs)
        return broadcast

    def grad(self, op, *output_grads):
        grads = [g if g is not None else _zeros_like(x) for g, x in zip(output_grads, op.inputs)]
        summed = _allreduce_op(grads, Sum, 1.0, 1.0)
        if basics.rank() != op.attrs["root_rank"]:
            return [s * 0 for s in summed]
        return summed


def _zeros_like(tensor):
    from ..ops.array import zeros_like
    return zeros_like(tensor)


def _allreduce_op(tensors, reduce_op, prescale_factor, postscale_factor, name=None):
    """One HorovodAllreduce op over same-dtype `tensors`; returns its outputs."""
    op = make_op("HorovodAllreduce", list(tensors),
                 {"reduce_op": reduce_op, "prescale_factor": float(prescale_factor),
                  "postscale_factor": float(postscale_factor)}, name=name or "HorovodAllreduce")
    return list(op.outputs)


def _resolve_op(average, op):
    """Horovod's rule for the deprecated `average` flag against `op`; the default is Average."""
    if average is not None:
        if op is not None:
            raise ValueError("The op parameter supersedes average. Please provide only one of them.")
        return Average if average else Sum
    op = Average if op is None else op
    if op == Adasum:
        raise NotImplementedError("op=hvd.Adasum is not supported by numflow.horovod; use hvd.Average or "
                                  "hvd.Sum")
    if op not in _REDUCE_OPS:
        raise ValueError("Unknown reduction op %r: use hvd.Average, hvd.Sum, hvd.Min, hvd.Max or hvd.Product"
                         % (op,))
    return op


def _check_scaling(tensor, prescale_factor, postscale_factor):
    if (prescale_factor != 1.0 or postscale_factor != 1.0) and not tensor.dtype.is_floating:
        raise TypeError("prescale_factor and postscale_factor need a floating-point tensor, got %s %s"
                        % (tensor.dtype.name, tensor.name))


def allreduce(tensor, average=None, device_dense="", device_sparse="", compression=Compression.none, op=None,
              prescale_factor=1.0, postscale_factor=1.0, name=None, process_set=None, ignore_name_scope=False):
    """`hvd.allreduce(tensor, op=hvd.Average, compression=..., prescale_factor=1.0, postscale_factor=1.0)`:
    the elementwise reduction of `tensor` over all ranks. An IndexedSlices is allgathered instead (values
    and indices; values divided by size() for Average), as Horovod does."""
    reduce_op = _resolve_op(average, op)
    if isinstance(tensor, IndexedSlices):
        if reduce_op not in (Average, Sum):
            raise NotImplementedError("allreduce of IndexedSlices supports op=Average and op=Sum only")
        with name_scope(name, "HorovodAllreduce"):
            values = allgather(tensor.values)
            indices = allgather(tensor.indices)
            if reduce_op == Average:
                values = values / np.array(basics.size(), values.dtype.np)
        return IndexedSlices(values, indices, dense_shape=tensor.dense_shape)
    tensor = convert_to_tensor(tensor)
    _check_collective_dtype(tensor, "allreduce")
    _check_scaling(tensor, prescale_factor, postscale_factor)
    compressed, context = compression.compress(tensor)
    reduced = _allreduce_op([compressed], reduce_op, prescale_factor, postscale_factor, name)[0]
    return compression.decompress(reduced, context)


def grouped_allreduce(tensors, average=None, device_dense="", device_sparse="", compression=Compression.none,
                      op=None, prescale_factor=1.0, postscale_factor=1.0, process_set=None):
    """`hvd.grouped_allreduce(tensors, ...)`: allreduce of a list of tensors, fused into one collective per
    dtype (after compression); returns the reduced tensors in the order given."""
    reduce_op = _resolve_op(average, op)
    tensors = [convert_to_tensor(t) for t in tensors]
    if not tensors:
        return []
    compressed = []
    for tensor in tensors:
        _check_collective_dtype(tensor, "grouped_allreduce")
        _check_scaling(tensor, prescale_factor, postscale_factor)
        compressed.append(compression.compress(tensor))
    by_dtype = {}
    for index, (value, _) in enumerate(compressed):
        by_dtype.setdefault(value.dtype, []).append(index)
    results = [None] * len(tensors)
    for indices in by_dtype.values():
        reduced = _allreduce_op([compressed[i][0] for i in indices], reduce_op, prescale_factor, postscale_factor)
        for i, value in zip(indices, reduced):
            results[i] = compression.decompress(value, compressed[i][1])
    return results


def allgather(tensor, name=None, process_set=None, ignore_name_scope=False):
    """`hvd.allgather(tensor)`: the ranks' tensors concatenated along dimension 0 in rank order (their
    first dimensions may differ)."""
    tensor = convert_to_tensor(tensor)
    _check_collective_dtype(tensor, "allgather")
    return make_op("HorovodAllgather", [tensor], name=name or "HorovodAllgather").outputs[0]


def broadcast(tensor, root_rank, name=None, process_set=None, ignore_name_scope=False):
    """`hvd.broadcast(tensor, root_rank)`: `root_rank`'s value of `tensor`, on every rank."""
    tensor = convert_to_tensor(tensor)
    _check_collective_dtype(tensor, "broadcast")
    return broadcast_group([tensor], root_rank, name)[0]


def broadcast_group(tensors, root_rank, name=None):
    """One HorovodBroadcast op for same-dtype `tensors` (what broadcast_variables fuses per dtype)."""
    if not isinstance(root_rank, (int, np.integer)) or isinstance(root_rank, bool):
        raise TypeError("root_rank must be an int, got %r" % (root_rank,))
    op = make_op("HorovodBroadcast", list(tensors), {"root_rank": int(root_rank)}, name=name or "HorovodBroadcast")
    return list(op.outputs)


def _constant_of(value_fn, name):
    from ..ops.constant import constant
    return constant(value_fn(), dtype=dtypes.int32, name=name)


def size_op(process_set_id=0, name=None):
    """`hvd.size_op()`: size() as an int32 tensor."""
    return _constant_of(basics.size, name or "size")


def rank_op(name=None):
    """`hvd.rank_op()`: rank() as an int32 tensor."""
    return _constant_of(basics.rank, name or "rank")


def local_size_op(name=None):
    """`hvd.local_size_op()`: local_size() as an int32 tensor."""
    return _constant_of(basics.local_size, name or "local_size")


def local_rank_op(name=None):
    """`hvd.local_rank_op()`: local_rank() as an int32 tensor."""
    return _constant_of(basics.local_rank, name or "local_rank")

