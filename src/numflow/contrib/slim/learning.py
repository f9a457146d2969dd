"""`slim.learning`: TF-Slim's training helpers.

`create_train_op` turns a loss and an optimizer into a train op (the loss, computed after the gradient
update, which itself waits for the UPDATE_OPS such as batch-norm moving averages); `train` runs it in a
loop under a `tf.train.Supervisor` that restores from / checkpoints into `logdir` and writes summaries
there, until `number_of_steps` global steps or the end of the input.

    train_op = slim.learning.create_train_op(total_loss, tf.train.GradientDescentOptimizer(0.1))
    final_loss = slim.learning.train(train_op, logdir, number_of_steps=1000, save_summaries_secs=60)
"""
import sys
import time

import numflow as tf

from ...framework import errors
from ...framework.indexed_slices import IndexedSlices
from ...platform import tf_logging as logging
from ...train.optimizer import Optimizer
from ...train.supervisor import Supervisor
from ...train.training_util import get_or_create_global_step

__all__ = ["add_gradients_summaries", "clip_gradient_norms", "create_train_op",
           "multiply_gradients", "train", "train_step"]

# TF's markers for "use the default": 0, as Supervisor.USE_DEFAULT (None means "none" for these arguments).
_USE_DEFAULT = 0
_USE_GLOBAL_STEP = 0


def _is_default(value):
    return type(value) is int and value == 0


# --- gradient transforms -------------------------------------------------------------------------
def _map_gradient_values(grad, transform):
    """`transform` applied to a dense gradient, or to the values of an IndexedSlices one."""
    if isinstance(grad, IndexedSlices):
        return IndexedSlices(transform(grad.values), grad.indices, grad.dense_shape)
    return transform(grad)


def clip_gradient_norms(gradients_to_variables, max_norm):
    """`slim.learning.clip_gradient_norms(gradients_to_variables, max_norm)`: each gradient of the
    (gradient, variable) list clipped to L2 norm `max_norm` on its own (tf.clip_by_norm; None gradients
    stay None). Returns the new list."""
    return [(None if grad is None else _map_gradient_values(grad, lambda g: tf.clip_by_norm(g, max_norm)), var)
            for grad, var in gradients_to_variables]


def multiply_gradients(grads_and_vars, gradient_multipliers):
    """`slim.learning.multiply_gradients(grads_and_vars, gradient_multipliers)`: the gradients of the
    variables named in the dict `gradient_multipliers` (keyed by variable or by its op name) scaled by
    their multiplier. ValueError when the dict is empty or a listed variable has no gradient."""
    if not isinstance(gradient_multipliers, dict) or not gradient_multipliers:
        raise ValueError("`gradient_multipliers` is empty.")
    multiplied = []
    for grad, var in grads_and_vars:
        key = var if var in gradient_multipliers else var.op.name
        if key in gradient_multipliers:
            if grad is None:
                raise ValueError("Requested multiple of `None` gradient (variable %s)." % var.op.name)
            multiplier = gradient_multipliers[key]
            grad = _map_gradient_values(grad, lambda g, m=multiplier: g * tf.cast(m, g.dtype.base_dtype))
        multiplied.append((grad, var))
    return multiplied


def add_gradients_summaries(grads_and_vars):
    """`slim.learning.add_gradients_summaries(grads_and_vars)`: histogram summaries
    '<variable>/gradient' and '<variable>/gradient_norm' for each variable that has a gradient.
    Returns the summary ops."""
    summaries = []
    for grad, var in grads_and_vars:
        if grad is None:
            logging.info("Var %s has no gradient", var.op.name)
            continue
        values = grad.values if isinstance(grad, IndexedSlices) else grad
        summaries.append(tf.summary.histogram(var.op.name + "/gradient", values))
        summaries.append(tf.summary.histogram(var.op.name + "/gradient_norm", tf.global_norm([values])))
    return summaries


# --- the train op --------------------------------------------------------------------------------
def _update_ops_before(total_loss, update_ops):
    """`total_loss` made to wait for `update_ops` (GraphKeys.UPDATE_OPS when None)."""
    collected = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    update_ops = collected if update_ops is None else list(update_ops)
    if any(op not in update_ops for op in collected):
        logging.warning("update_ops in create_train_op does not contain all the update_ops in "
                        "GraphKeys.UPDATE_OPS")
    if not update_ops:
        return total_loss
    with tf.control_dependencies(list(dict.fromkeys(update_ops))):
        barrier = tf.no_op(name="update_barrier")
    with tf.control_dependencies([barrier]):
        return tf.identity(total_loss)


def create_train_op(total_loss, optimizer, global_step=_USE_GLOBAL_STEP, update_ops=None,
                    variables_to_train=None, clip_gradient_norm=0, summarize_gradients=False,
                    gate_gradients=Optimizer.GATE_OP, aggregation_method=None, colocate_gradients_with_ops=False,
                    gradient_multipliers=None, check_numerics=True):
    """`slim.learning.create_train_op(total_loss, optimizer, global_step=_USE_GLOBAL_STEP,
    update_ops=None, variables_to_train=None, clip_gradient_norm=0, summarize_gradients=False,
    gate_gradients=GATE_OP, aggregation_method=None, colocate_gradients_with_ops=False,
    gradient_multipliers=None, check_numerics=True)`.

    A tensor that, when run, applies one `optimizer` step to `variables_to_train` (the trainable
    variables by default) and returns `total_loss`. The loss waits for `update_ops` (UPDATE_OPS by
    default); gradients are multiplied by `gradient_multipliers`, then each clipped to norm
    `clip_gradient_norm` when > 0, and summarized when `summarize_gradients`. The global step (created
    if needed; None for none) is incremented, and with `check_numerics` a NaN/Inf loss fails the run
    with InvalidArgumentError. The op is added to GraphKeys.TRAIN_OP. ValueError when there is nothing
    to train or a variable to train is not trainable."""
    if _is_default(global_step):
        global_step = get_or_create_global_step()
    total_loss = _update_ops_before(total_loss, update_ops)
    trainable = tf.trainable_variables()
    if variables_to_train is None:
        variables_to_train = trainable
    else:
        untrainable = [v.op.name for v in variables_to_train
                       if not getattr(v, "trainable", True) and v not in trainable]
        if untrainable:
            raise ValueError("variables_to_train must be trainable variables; these are not: %s" % untrainable)
    if not variables_to_train:
        raise ValueError("No variables to optimize: variables_to_train is empty and the graph has no trainable "
                         "variables.")
    grads = optimizer.compute_gradients(total_loss, variables_to_train, gate_gradients=gate_gradients,
                                        aggregation_method=aggregation_method,
                                        colocate_gradients_with_ops=colocate_gradients_with_ops)
    if gradient_multipliers:
        with tf.name_scope("multiply_grads"):
            grads = multiply_gradients(grads, gradient_multipliers)
    if clip_gradient_norm > 0:
        with tf.name_scope("clip_grads"):
            grads = clip_gradient_norms(grads, clip_gradient_norm)
    if summarize_gradients:
        with tf.name_scope("summarize_grads"):
            add_gradients_summaries(grads)
    with tf.name_scope("train_op"):
        grad_updates = optimizer.apply_gradients(grads, global_step=global_step)
        if check_numerics:
            total_loss = tf.check_numerics(total_loss, "LossTensor is inf or nan")
        with tf.control_dependencies([grad_updates]):
            train_op = tf.identity(total_loss)
    train_ops = tf.get_collection_ref(tf.GraphKeys.TRAIN_OP)
    if train_op not in train_ops:
        train_ops.append(train_op)
    return train_op


# --- the training loop ---------------------------------------------------------------------------
def train_step(sess, train_op, global_step, train_step_kwargs):
    """`slim.learning.train_step(sess, train_op, global_step, train_step_kwargs)`: runs `train_op` and
    `global_step` once and returns (total_loss, should_stop). `train_step_kwargs` may hold
    'should_stop' and 'should_log' (bool tensors run after the step; the log line is 'global step N:
    loss = L (S sec/step)') and 'should_trace' with 'logdir' (then a traced step's RunMetadata goes to
    the 'summary_writer', when there is one). ValueError for 'should_trace' without 'logdir'."""
    start_time = time.time()
    options = run_metadata = None
    if "should_trace" in train_step_kwargs:
        if "logdir" not in train_step_kwargs:
            raise ValueError("logdir must be present in train_step_kwargs when should_trace is present")
        if sess.run(train_step_kwargs["should_trace"]):
            options = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)
            run_metadata = tf.RunMetadata()
    total_loss, np_global_step = sess.run([train_op, global_step], options=options, run_metadata=run_metadata)
    time_elapsed = time.time() - start_time
    if run_metadata is not None and train_step_kwargs.get("summary_writer") is not None:
        train_step_kwargs["summary_writer"].add_run_metadata(run_metadata, "run_metadata-%d" % np_global_step)
    if "should_log" in train_step_kwargs and sess.run(train_step_kwargs["should_log"]):
        logging.info("global step %d: loss = %.4f (%.3f sec/step)", np_global_step, total_loss, time_elapsed)
    should_stop = bool(sess.run(train_step_kwargs["should_stop"])) if "should_stop" in train_step_kwargs else False
    return total_loss, should_stop


def _default_train_step_kwargs(global_step, number_of_steps, log_every_n_steps, trace_every_n_steps, logdir,
                               is_chief):
    with tf.name_scope("train_step"):
        kwargs = {}
        if number_of_steps:
            kwargs["should_stop"] = tf.greater_equal(global_step, number_of_steps)
        else:
            kwargs["should_stop"] = tf.constant(False)
        if log_every_n_steps > 0:
            kwargs["should_log"] = tf.equal(tf.mod(global_step, log_every_n_steps), 0)
        if is_chief and trace_every_n_steps is not None:
            kwargs["should_trace"] = tf.equal(tf.mod(global_step, trace_every_n_steps), 0)
            kwargs["logdir"] = logdir
    return kwargs


def _wait_for_step(sess, global_step, step):
    """Blocks a non-chief worker until the global step reaches `step`."""
    while True:
        if tf.train.global_step(sess, global_step) >= step:
            return
        time.sleep(1.0)


def _check_logdir_arguments(logdir, summary_op, saver, trace_every_n_steps):
    if logdir is not None:
        return
    if not _is_default(summary_op):
        raise ValueError("Cannot provide summary_op because logdir=None")
    if saver is not None:
        raise ValueError("Cannot provide saver because logdir=None")
    if trace_every_n_steps is not None:
        raise ValueError("Cannot provide trace_every_n_steps because logdir=None")


def train(train_op, logdir, train_step_fn=train_step, train_step_kwargs=_USE_DEFAULT, log_every_n_steps=1,
          graph=None, master="", is_chief=True, global_step=None, number_of_steps=None, init_op=_USE_DEFAULT,
          init_feed_dict=None, local_init_op=_USE_DEFAULT, init_fn=None, ready_op=_USE_DEFAULT,
          summary_op=_USE_DEFAULT, save_summaries_secs=600, summary_writer=_USE_DEFAULT, startup_delay_steps=0,
          saver=None, save_interval_secs=600, sync_optimizer=None, session_config=None, session_wrapper=None,
          trace_every_n_steps=None, ignore_live_threads=False):
    """`slim.learning.train(train_op, logdir, train_step_fn=train_step, ..., number_of_steps=None, ...,
    save_summaries_secs=600, ..., save_interval_secs=600, ...)`: runs a training loop under a
    tf.train.Supervisor and returns the last step's loss.

    The session is restored from `logdir`'s newest checkpoint, or initialized by `init_op` (the global
    variables' initializer) and then `init_fn(sess)`; `local_init_op` (local variables and tables) runs
    in either case. `train_step_fn(sess, train_op, global_step, train_step_kwargs)` is called until it
    says to stop (by default once the global step reaches `number_of_steps`) or the input raises
    OutOfRangeError. With a `logdir`, the chief writes summaries (`summary_op`: tf.summary.merge_all())
    every `save_summaries_secs` and checkpoints every `save_interval_secs` and at the end; with
    logdir=None nothing is written (and summary_op, saver and trace_every_n_steps must be left unset:
    ValueError). A non-chief waits for the global step to reach `startup_delay_steps` before starting.
    `sync_optimizer` (a tf.train.SyncReplicasOptimizer, or a list of them) gets its chief queue runner
    and init tokens started on the chief. ValueError when train_op is None."""
    if train_op is None:
        raise ValueError("train_op cannot be None.")
    _check_logdir_arguments(logdir, summary_op, saver, trace_every_n_steps)
    if isinstance(sync_optimizer, (list, tuple)) and not sync_optimizer:
        raise ValueError("sync_optimizer must not be an empty list.")
    sync_optimizers = (list(sync_optimizer) if isinstance(sync_optimizer, (list, tuple))
                       else [] if sync_optimizer is None else [sync_optimizer])
    if graph is None:
        graph = train_op.graph
    with graph.as_default():
        if global_step is None:
            global_step = get_or_create_global_step()
        saver = saver or tf.train.Saver()
        if _is_default(init_op):
            init_op = tf.global_variables_initializer()
        if _is_default(ready_op):
            ready_op = tf.report_uninitialized_variables()
        if _is_default(local_init_op):
            local_init_op = tf.group(tf.local_variables_initializer(), tf.tables_initializer())
        ready_for_local_init_op = _USE_DEFAULT
        init_tokens_ops, chief_queue_runners = [], []
        if sync_optimizers:
            if is_chief:
                local_init_op = tf.group(local_init_op, *[opt.chief_init_op for opt in sync_optimizers])
                init_tokens_ops = [opt.get_init_tokens_op() for opt in sync_optimizers]
                chief_queue_runners = [opt.get_chief_queue_runner() for opt in sync_optimizers]
            else:
                local_init_op = tf.group(local_init_op, *[opt.local_step_init_op for opt in sync_optimizers])
            ready_for_local_init_op = tf.group(*[opt.ready_for_local_init_op for opt in sync_optimizers])
        if _is_default(summary_op):
            summary_op = tf.summary.merge_all() if logdir is not None else None
        if _is_default(train_step_kwargs):
            train_step_kwargs = _default_train_step_kwargs(global_step, number_of_steps, log_every_n_steps,
                                                           trace_every_n_steps, logdir, is_chief)
    supervisor = Supervisor(graph=graph, is_chief=is_chief, logdir=logdir, init_op=init_op,
                            init_feed_dict=init_feed_dict, local_init_op=local_init_op,
                            ready_for_local_init_op=ready_for_local_init_op, ready_op=ready_op,
                            summary_op=summary_op, summary_writer=summary_writer, global_step=global_step,
                            saver=saver, save_summaries_secs=save_summaries_secs,
                            save_model_secs=save_interval_secs, init_fn=init_fn)
    if supervisor.summary_writer is not None:
        train_step_kwargs["summary_writer"] = supervisor.summary_writer
    total_loss = None
    should_retry = True
    while should_retry:
        should_retry = False
        try:
            total_loss = _run_supervised(supervisor, train_op, train_step_fn, train_step_kwargs, global_step,
                                         logdir, master, session_config, session_wrapper, is_chief,
                                         startup_delay_steps, number_of_steps, init_tokens_ops,
                                         chief_queue_runners, ignore_live_threads)
        except errors.AbortedError:
            logging.info("Retrying training!")
            should_retry = True
    return total_loss


def _run_supervised(supervisor, train_op, train_step_fn, train_step_kwargs, global_step, logdir, master,
                    session_config, session_wrapper, is_chief, startup_delay_steps, number_of_steps,
                    init_tokens_ops, chief_queue_runners, ignore_live_threads):
    """One managed session of `train`: the loop, then (chief with a logdir) the final checkpoint."""
    total_loss = None
    with supervisor.managed_session(master, start_standard_services=False, config=session_config) as sess:
        logging.info("Starting Session.")
        if session_wrapper is not None:
            sess = session_wrapper(sess)
        if is_chief:
            if logdir:
                supervisor.start_standard_services(sess)
        elif startup_delay_steps > 0:
            _wait_for_step(sess, global_step, min(startup_delay_steps, number_of_steps or sys.maxsize))
        threads = supervisor.start_queue_runners(sess)
        logging.info("Starting Queues.")
        if chief_queue_runners:
            threads += supervisor.start_queue_runners(sess, chief_queue_runners)
            sess.run(init_tokens_ops)
        try:
            while not supervisor.should_stop():
                total_loss, should_stop = train_step_fn(sess, train_op, global_step, train_step_kwargs)
                if should_stop:
                    logging.info("Stopping Training.")
                    supervisor.request_stop()
                    break
        except errors.OutOfRangeError as exc:
            logging.info("Caught OutOfRangeError. Stopping Training. %s", exc)
        if logdir and supervisor.is_chief:
            # The services stop first (TF saves first): a periodic checkpoint still being written could
            # otherwise land after the final one and become the directory's "latest" checkpoint.
            supervisor.stop(threads, close_summary_writer=True, ignore_live_threads=ignore_live_threads)
            logging.info("Finished training! Saving model to disk.")
            supervisor.saver.save(sess, supervisor.save_path, global_step=supervisor.global_step)
    return total_loss
