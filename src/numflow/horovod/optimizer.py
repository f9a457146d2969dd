"""`hvd.DistributedOptimizer`: wraps a tf.train optimizer so that each rank applies the gradients
averaged (or summed) over all ranks.

`compute_gradients` asks the wrapped optimizer for this rank's gradients, then reduces all dense
gradients of a dtype in ONE fused allreduce op (after optional fp16 compression); `apply_gradients` is the
wrapped optimizer's. With `backward_passes_per_step=N`, gradients are summed locally into accumulator
variables for N steps and reduced and applied on every N-th step only (the global step still advances
every step), trading communication for staleness as Horovod does.
"""
from ..framework import dtypes
from ..framework.graph import GraphKeys, control_dependencies, convert_to_tensor, name_scope
from ..framework.indexed_slices import IndexedSlices
from ..train.optimizer import Optimizer
from . import basics
from .compression import Compression
from .mpi_ops import Adasum, Average, Sum, _resolve_op, allreduce, grouped_allreduce

__all__ = ["DistributedOptimizer"]


class _DistributedOptimizer(Optimizer):
    """See `DistributedOptimizer`."""

    def __init__(self, optimizer, name, use_locking, compression, sparse_as_dense, op,
                 gradient_predivide_factor, backward_passes_per_step, average_aggregated_gradients):
        super().__init__(use_locking=use_locking, name=name or "Distributed%s" % type(optimizer).__name__)
        self._optimizer = optimizer
        self._compression = compression
        self._sparse_as_dense = sparse_as_dense
        self._op = op
        self._predivide = gradient_predivide_factor
        self._passes = backward_passes_per_step
        self._average_aggregated = average_aggregated_gradients
        self._aggregation = None    # (accumulators, counter, ready) once compute_gradients built them

    # --- the reduction ---------------------------------------------------------------------------
    def _scaling(self):
        """(op, prescale, postscale) for the collective: a predivide factor f splits Average's 1/size into
        1/f before the sum and f/size after (less overflow risk in fp16)."""
        if self._op == Average and self._predivide != 1.0:
            return Sum, 1.0 / self._predivide, self._predivide / basics.size()
        return self._op, 1.0, 1.0

    def _reduce(self, gradients):
        """The gradients reduced over all ranks: dense ones fused per dtype, IndexedSlices allgathered."""
        op, prescale, postscale = self._scaling()
        gradients = list(gradients)
        if self._sparse_as_dense:
            gradients = [convert_to_tensor(g) if isinstance(g, IndexedSlices) else g for g in gradients]
        dense = [i for i, g in enumerate(gradients) if g is not None and not isinstance(g, IndexedSlices)]
        reduced = list(gradients)
        with name_scope(self._name + "_Allreduce"):
            fused = grouped_allreduce([gradients[i] for i in dense], op=op, compression=self._compression,
                                      prescale_factor=prescale, postscale_factor=postscale)
            for i, value in zip(dense, fused):
                reduced[i] = value
            for i, g in enumerate(gradients):
                if isinstance(g, IndexedSlices):
                    reduced[i] = allreduce(g, op=Average if self._op == Average else Sum)
        return reduced

    def compute_gradients(self, *args, **kwargs):
        """The wrapped optimizer's [(gradient, variable)], gradients reduced over all ranks."""
        grads_and_vars = self._optimizer.compute_gradients(*args, **kwargs)
        gradients = [g for g, _ in grads_and_vars]
        variables = [v for _, v in grads_and_vars]
        if self._passes > 1:
            gradients = self._accumulate(gradients, variables)
        elif basics.size() > 1:
            gradients = self._reduce(gradients)
        return list(zip(gradients, variables))

    def _accumulate(self, gradients, variables):
        """Sums this step's gradients into local accumulators; on every N-th pass returns their reduction
        (inside a cond, so the collective runs only then), else the accumulated values unreduced."""
        from ..ops.array import zeros
        from ..ops.control import cond
        from ..ops.state import assign_add
        from ..variables import Variable
        present = [i for i, g in enumerate(gradients) if g is not None]
        with name_scope(self._name + "_Aggregation"):
            accumulators = [Variable(zeros(variables[i].shape.as_list(), variables[i].dtype.base_dtype),
                                     trainable=False, collections=[GraphKeys.LOCAL_VARIABLES],
                                     name="accumulator") for i in present]
            counter = Variable(0, dtype=dtypes.int32, trainable=False, collections=[GraphKeys.LOCAL_VARIABLES],
                               name="counter")
            updates = [assign_add(acc, convert_to_tensor(gradients[i])) for acc, i in zip(accumulators, present)]
            with control_dependencies(updates):
                count = assign_add(counter, 1)
            ready = count >= self._passes

            def reduced():
                values = [acc.read_value() for acc in accumulators]
                if self._average_aggregated:
                    values = [v / self._passes for v in values]
                return self._reduce(values) if basics.size() > 1 else [v + 0 for v in values]

            def pending():
                return [acc.read_value() for acc in accumulators]
            results = cond(ready, reduced, pending) if present else []
            if not isinstance(results, (list, tuple)):
                results = [results]
        self._aggregation = (accumulators, counter, ready)
        out = list(gradients)
        for i, value in zip(present, results):
            out[i] = value
        return out

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        """The wrapped optimizer's apply_gradients; with backward_passes_per_step > 1, applied (and the
        accumulators reset) on every N-th pass only, while `global_step` advances every pass."""
        if self._passes == 1 or self._aggregation is None:
            return self._optimizer.apply_gradients(grads_and_vars, global_step=global_step, name=name)
        from ..ops.control import cond, group, no_op
        from ..ops.state import assign, assign_add
        from ..ops.array import zeros_like
        accumulators, counter, ready = self._aggregation
        grads_and_vars = list(grads_and_vars)

        def apply_and_reset():
            applied = self._optimizer.apply_gradients(grads_and_vars, name=name)
            with control_dependencies([applied]):
                resets = [assign(acc, zeros_like(acc.read_value())).op for acc in accumulators]
                resets.append(assign(counter, 0).op)
            return group(*resets)

        step = cond(ready, apply_and_reset, lambda: no_op(name="skip_apply"))
        if global_step is None:
            return step
        with control_dependencies([step]):
            return assign_add(global_step, 1).op

    # --- the rest is the wrapped optimizer's --------------------------------------------------------
    def get_slot(self, *args, **kwargs):
        return self._optimizer.get_slot(*args, **kwargs)

    def get_slot_names(self, *args, **kwargs):
        return self._optimizer.get_slot_names(*args, **kwargs)

    def variables(self, *args, **kwargs):
        return self._optimizer.variables(*args, **kwargs)


def DistributedOptimizer(optimizer, name=None, use_locking=False, device_dense="", device_sparse="",  # noqa: N802
                         compression=Compression.none, sparse_as_dense=False, backward_passes_per_step=1,
                         op=Average, gradient_predivide_factor=1.0, average_aggregated_gradients=False,
                         num_groups=0, groups=None, process_set=None):
    """`hvd.DistributedOptimizer(optimizer, ...)`: `optimizer` with its gradients reduced over all ranks
    before they are applied.

    op: hvd.Average (default) or hvd.Sum (hvd.Adasum is not supported: NotImplementedError).
    compression: hvd.Compression.none or hvd.Compression.fp16 (gradients travel as float16).
    sparse_as_dense: IndexedSlices gradients become dense tensors and join the fused allreduce, instead of
      being allgathered.
    backward_passes_per_step: accumulate this many steps' gradients locally before each reduction.
    gradient_predivide_factor: with op=Average, divide by this before the sum and by size()/factor after.
    average_aggregated_gradients: with backward_passes_per_step > 1, average rather than sum the
      accumulated gradients.
    """
    if op == Adasum:
        raise NotImplementedError("op=hvd.Adasum is not supported by numflow.horovod's DistributedOptimizer; "
                                  "use op=hvd.Average or op=hvd.Sum")
    op = _resolve_op(None, op)
    if op not in (Average, Sum):
        raise ValueError("DistributedOptimizer reduces gradients with op=hvd.Average or op=hvd.Sum, not %s" % op)
    if gradient_predivide_factor != 1.0 and op != Average:
        raise ValueError("gradient_predivide_factor not supported with op != Average")
    if int(backward_passes_per_step) != backward_passes_per_step or backward_passes_per_step < 1:
        raise ValueError("backward_passes_per_step must be a positive integer, got %r" % (backward_passes_per_step,))
    if not isinstance(optimizer, Optimizer):
        raise TypeError("DistributedOptimizer wraps a tf.train.Optimizer, got %s" % type(optimizer).__name__)
    return _DistributedOptimizer(optimizer, name, use_locking, compression, sparse_as_dense, op,
                                 float(gradient_predivide_factor), int(backward_passes_per_step),
                                 average_aggregated_gradients)
