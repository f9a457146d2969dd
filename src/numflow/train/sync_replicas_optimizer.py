"""`tf.train.SyncReplicasOptimizer`: synchronous gradient aggregation across replicas, built as TF1 builds
it from conditional accumulators, a token queue and a chief queue runner.

In numflow the replicas are threads of one process running the train op in one shared Session (numflow
has no parameter servers: sessions do not share state). Each run of the train op adds
its gradients to one accumulator per variable (a gradient whose local step is older than the
accumulator's global step is stale and dropped), then takes a token from the sync queue; the token's
value, the global step at the time it was issued, becomes the replica's local step. The chief's queue
runner waits until `replicas_to_aggregate` gradients were accumulated for every variable, applies their
mean with the wrapped optimizer (which advances the global step once), and puts fresh tokens on the queue.

With the default `num_tokens=-1` the first `replicas_to_aggregate` steps need no token from an update, so
a replica can run ahead by one step (the gradient it computes then is often stale and dropped, as in TF).
`num_tokens=0` makes every train-op run wait for the update it contributed to: fully synchronous steps.

Unlike TF1, whose chief could wait for its stop grace period (120 s) at shutdown, the chief's queue runner
here cancels its pending wait for gradients and closes the token queue when the Coordinator stops, so a
MonitoredTrainingSession closes at once. Multi-process data parallelism is numflow.horovod.
"""
from ..framework.graph import GraphKeys, control_dependencies, name_scope
from ..framework.indexed_slices import IndexedSlices
from ..platform import tf_logging as _log
from .optimizer import Optimizer
from .queue_runner import QueueRunner
from .session_run_hook import SessionRunHook

__all__ = ["SyncReplicasOptimizer"]


class SyncReplicasOptimizer(Optimizer):
    """`tf.train.SyncReplicasOptimizer(opt, replicas_to_aggregate, total_num_replicas=None,
    variable_averages=None, variables_to_average=None, use_locking=False, name='sync_replicas')`:
    applies `opt` to the mean of `replicas_to_aggregate` gradients at a time (see the module docstring).

    `total_num_replicas` (default: replicas_to_aggregate) is the number of replicas running the train op;
    with more replicas than gradients to aggregate, the slowest ones' gradients are dropped as stale. With
    `variable_averages` (an ExponentialMovingAverage), the chief also updates the averages of
    `variables_to_average` after each update. Run it under the hook of `make_session_run_hook(is_chief)`,
    which initialises the local step and the tokens and starts the chief's queue runner."""

    def __init__(self, opt, replicas_to_aggregate, total_num_replicas=None, variable_averages=None,
                 variables_to_average=None, use_locking=False, name="sync_replicas"):
        if total_num_replicas is None:
            total_num_replicas = replicas_to_aggregate
        if int(replicas_to_aggregate) < 1 or int(total_num_replicas) < 1:
            raise ValueError("replicas_to_aggregate and total_num_replicas must be positive; got %r and %r"
                             % (replicas_to_aggregate, total_num_replicas))
        super().__init__(use_locking, name)
        _log.info("SyncReplicasV2: replicas_to_aggregate=%s; total_num_replicas=%s", replicas_to_aggregate,
                  total_num_replicas)
        self._opt = opt
        self._replicas_to_aggregate = int(replicas_to_aggregate)
        self._total_num_replicas = int(total_num_replicas)
        self._tokens_per_step = max(self._total_num_replicas, self._replicas_to_aggregate)
        self._variable_averages = variable_averages
        self._variables_to_average = variables_to_average
        self._gradients_applied = False
        self._global_step = None
        self._local_step = None
        self._sync_token_queue = None
        self._chief_queue_runner = None
        self._accumulator_list = []

    def compute_gradients(self, *args, **kwargs):
        """The wrapped optimizer's `compute_gradients`: one replica's gradients, which the caller may still
        change (clip, for example) before `apply_gradients` aggregates them."""
        return self._opt.compute_gradients(*args, **kwargs)

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        """The replica's train op: add these gradients to the accumulators, then wait for a token and take
        its value as the local step. Also builds the chief's update (run by `get_chief_queue_runner()`),
        `chief_init_op`, `local_step_init_op` and `ready_for_local_init_op`.

        `global_step` is required (ValueError otherwise): it tells stale gradients from fresh ones."""
        from ..ops.accumulators import ConditionalAccumulator, SparseConditionalAccumulator
        from ..ops.array import fill
        from ..ops.control import group
        from ..ops.data_flow import FIFOQueue
        from ..variables import Variable, global_variables, report_uninitialized_variables
        grads_and_vars = list(grads_and_vars)
        if not grads_and_vars:
            raise ValueError("Must supply at least one variable")
        if global_step is None:
            raise ValueError("Global step is required to check staleness")
        self._global_step = global_step
        step_dtype = global_step.dtype.base_dtype
        with name_scope(None, self._name):
            self._local_step = Variable(0, trainable=False, collections=[GraphKeys.LOCAL_VARIABLES],
                                        dtype=step_dtype, name="sync_rep_local_step")
            self.local_step_init_op = self._local_step.assign(global_step)
            self.ready_for_local_init_op = report_uninitialized_variables(global_variables())

            accumulate_ops, aggregated = [], []
            for grad, var in grads_and_vars:
                if grad is None:
                    aggregated.append((None, var))
                    continue
                shared_name = var.name + "/grad_accum"
                if isinstance(grad, IndexedSlices):
                    accumulator = SparseConditionalAccumulator(grad.dtype, shape=var.shape, shared_name=shared_name)
                    if grad.dense_shape is None:  # the accumulator needs the dense shape to check and return
                        grad = IndexedSlices(grad.values, grad.indices, var.shape.as_list())
                    accumulate_ops.append(accumulator.apply_indexed_slices_grad(grad, local_step=self._local_step))
                    aggregated.append((accumulator.take_indexed_slices_grad(self._replicas_to_aggregate), var))
                else:
                    accumulator = ConditionalAccumulator(grad.dtype, shape=var.shape, shared_name=shared_name)
                    accumulate_ops.append(accumulator.apply_grad(grad, local_step=self._local_step))
                    aggregated.append((accumulator.take_grad(self._replicas_to_aggregate), var))
                self._accumulator_list.append(accumulator)
            update_op = self._opt.apply_gradients(aggregated, global_step)

            self._sync_token_queue = FIFOQueue(-1, step_dtype, shapes=[()], name="sync_token_q",
                                               shared_name="sync_token_q")
            with control_dependencies(accumulate_ops):
                token = self._sync_token_queue.dequeue()
            train_op = self._local_step.assign(token, name=name)

            with control_dependencies([update_op]):
                sync_op = self._sync_token_queue.enqueue_many((fill([self._tokens_per_step], global_step),))
            if self._variable_averages is not None:
                with control_dependencies([sync_op]):
                    sync_op = self._variable_averages.apply(self._variables_to_average)
            # The chief's runner needs a queue of its own (QueueRunner runs ops that fill a queue); TF1 uses
            # a dummy one the same way.
            dummy_queue = FIFOQueue(1, step_dtype, shapes=[()], name="dummy_queue", shared_name="dummy_queue")
            cancel_op = group(dummy_queue.close(cancel_pending_enqueues=True),
                              self._sync_token_queue.close(cancel_pending_enqueues=True))
            self._chief_queue_runner = _ChiefQueueRunner(dummy_queue, [sync_op], cancel_op, self._accumulator_list)
            self.chief_init_op = group(self.local_step_init_op, *[
                accumulator.set_global_step(global_step, name="SetGlobalStep")
                for accumulator in self._accumulator_list])
        self._gradients_applied = True
        return train_op

    def get_chief_queue_runner(self):
        """The QueueRunner whose thread applies the aggregated gradients (run by the chief)."""
        if not self._gradients_applied:
            raise ValueError("Should be called after apply_gradients().")
        return self._chief_queue_runner

    def get_slot(self, *args, **kwargs):
        """The wrapped optimizer's slot."""
        return self._opt.get_slot(*args, **kwargs)

    def get_slot_names(self, *args, **kwargs):
        """The wrapped optimizer's slot names."""
        return self._opt.get_slot_names(*args, **kwargs)

    def variables(self):
        """The wrapped optimizer's variables."""
        return self._opt.variables()

    def get_init_tokens_op(self, num_tokens=-1):
        """An op putting `num_tokens` tokens (-1: replicas_to_aggregate) holding the global step on the sync
        queue, so that the replicas can finish their first steps before an update. At least
        replicas_to_aggregate - total_num_replicas are needed (ValueError), or the first update never
        gathers enough gradients."""
        from ..ops.array import fill
        from ..ops.control import no_op
        if not self._gradients_applied:
            raise ValueError("get_init_tokens_op() should be called after apply_gradients().")
        tokens_needed = self._replicas_to_aggregate - self._total_num_replicas
        if num_tokens == -1:
            num_tokens = self._replicas_to_aggregate
        elif num_tokens < tokens_needed:
            raise ValueError("Too few tokens to finish the first step: %d (given) vs %d (needed)"
                             % (num_tokens, tokens_needed))
        if num_tokens > 0:
            return self._sync_token_queue.enqueue_many((fill([num_tokens], self._global_step),))
        return no_op(name="no_init_tokens")

    def make_session_run_hook(self, is_chief, num_tokens=-1):
        """The SessionRunHook that initialises a replica after its session is created; for the chief it
        also sets the accumulators' global step, puts `num_tokens` tokens on the queue and starts the
        chief's queue runner."""
        return _SyncReplicasOptimizerHook(self, is_chief, num_tokens)


class _ChiefQueueRunner(QueueRunner):
    """The chief's runner of the update: when the Coordinator stops, it also cancels the update's wait for
    gradients (after `cancel_op` closed the token queue), so that its thread ends without waiting for
    gradients that will never come."""

    def __init__(self, queue, enqueue_ops, cancel_op, accumulators):
        super().__init__(queue, enqueue_ops, cancel_op=cancel_op)
        self._accumulators = list(accumulators)

    def _close_on_stop(self, sess, coord):
        from ..ops.accumulators import cancel_pending_take_grads
        super()._close_on_stop(sess, coord)
        if coord.should_stop() and not getattr(sess, "_closed", False):
            cancel_pending_take_grads(sess, self._accumulators)


class _SyncReplicasOptimizerHook(SessionRunHook):
    """Runs the replica's (or the chief's) init op and the init tokens after the session is created, and
    starts the chief's queue runner on the session's Coordinator."""

    def __init__(self, sync_optimizer, is_chief, num_tokens):
        self._sync_optimizer = sync_optimizer
        self._is_chief = is_chief
        self._num_tokens = num_tokens

    def begin(self):
        optimizer = self._sync_optimizer
        if not optimizer._gradients_applied:
            raise ValueError("SyncReplicasOptimizer.apply_gradient should be called before using the hook.")
        self._ready_for_local_init_op = optimizer.ready_for_local_init_op
        if self._is_chief:
            self._local_init_op = optimizer.chief_init_op
            self._q_runner = optimizer.get_chief_queue_runner()
            self._init_tokens_op = optimizer.get_init_tokens_op(self._num_tokens)
        else:
            self._local_init_op = optimizer.local_step_init_op
            self._q_runner = None
            self._init_tokens_op = None

    def after_create_session(self, session, coord):
        from .monitored_session import _ready
        ready, message = _ready(self._ready_for_local_init_op, session,
                                "Model is not ready for SyncReplicasOptimizer local init.")
        if not ready:
            raise RuntimeError("Init operations did not make model ready for SyncReplicasOptimizer local_init. "
                               "Init op: %s, error: %s" % (self._local_init_op.name, message))
        session.run(self._local_init_op)
        if self._init_tokens_op is not None:
            session.run(self._init_tokens_op)
        if self._q_runner is not None:
            self._q_runner.create_threads(session, coord=coord, daemon=True, start=True)
