"""`slim.evaluation`: evaluating checkpoints that `slim.learning.train` writes.

`evaluate_once` restores one checkpoint, runs `eval_op` (typically the update ops of streaming metrics)
`num_evals` times, writes the summaries once at the end (at the checkpoint's global step) and returns
`final_op`'s value. `evaluation_loop` does the same for each new checkpoint appearing in a directory.

    names_to_values, names_to_updates = slim.metrics.aggregate_metric_map({
        'accuracy': slim.metrics.streaming_accuracy(predictions, labels)})
    values = slim.evaluation.evaluate_once('', checkpoint_path, logdir, num_evals=10,
                                           eval_op=list(names_to_updates.values()),
                                           final_op=names_to_values)
"""
import time

import numflow as tf

from ...framework.graph import GraphKeys, get_default_graph
from ...platform import tf_logging as logging
from ...train import basic_session_run_hooks as _hooks
from ...train import training_util
from ...train.monitored_session import ChiefSessionCreator, MonitoredSession, Scaffold
from ...train.session_run_hook import SessionRunHook
from ...train.training_loops import _wait_for_new_checkpoint, checkpoints_iterator  # noqa: F401 - re-exported

__all__ = ["checkpoints_iterator", "evaluate_once", "evaluation_loop", "wait_for_new_checkpoint"]

_USE_DEFAULT = 0


def _is_default(value):
    return type(value) is int and value == 0


def wait_for_new_checkpoint(checkpoint_dir, last_checkpoint=None, seconds_to_sleep=1, timeout=None):
    """`slim.evaluation.wait_for_new_checkpoint(checkpoint_dir, last_checkpoint=None, seconds_to_sleep=1,
    timeout=None)`: the path of `checkpoint_dir`'s newest checkpoint once it differs from
    `last_checkpoint`, polling every `seconds_to_sleep` seconds; None when `timeout` seconds pass first."""
    return _wait_for_new_checkpoint(checkpoint_dir, last_checkpoint, seconds_to_sleep, timeout)


class _SummaryAtEndHook(SessionRunHook):
    """Writes `summary_op` (tf.summary.merge_all() when None) once when the evaluation session ends, at
    the value of the global step (created if the graph has none, so a checkpoint's step is restored)."""

    def __init__(self, log_dir=None, summary_writer=None, summary_op=None, feed_dict=None):
        self._log_dir = log_dir
        self._summary_writer = summary_writer
        self._summary_op = summary_op
        self._feed_dict = feed_dict
        self._global_step = None

    def begin(self):
        if self._summary_op is None:
            self._summary_op = tf.summary.merge_all()
        self._global_step = training_util.get_or_create_global_step()
        if self._summary_writer is None and self._log_dir:
            self._summary_writer = tf.summary.FileWriterCache.get(self._log_dir)

    def end(self, session):
        if self._summary_op is None or self._summary_writer is None:
            return
        global_step = training_util.global_step(session, self._global_step)
        self._summary_writer.add_summary(session.run(self._summary_op, self._feed_dict), global_step)
        self._summary_writer.flush()


def _get_or_create_eval_step():
    """The int64 local variable counting the evaluation batches (GraphKeys.EVAL_STEP)."""
    graph = get_default_graph()
    eval_steps = graph.get_collection(GraphKeys.EVAL_STEP)
    if len(eval_steps) > 1:
        raise ValueError("Multiple tensors added to tf.GraphKeys.EVAL_STEP")
    if eval_steps:
        return eval_steps[0]
    return tf.Variable(0, dtype=tf.int64, name="eval_step", trainable=False,
                       collections=[GraphKeys.LOCAL_VARIABLES, GraphKeys.EVAL_STEP])


def _flatten_fetches(fetches):
    if isinstance(fetches, dict):
        return list(fetches.values())
    return list(fetches)


class _Evaluation:
    """The eval ops of one evaluation graph (built once, before the graph is finalized) and the way to run
    them against a checkpoint."""

    def __init__(self, master, scaffold, eval_ops, feed_dict, final_ops, final_ops_feed_dict, hooks, config):
        from ...estimator.estimator import _StopAfterNEvalsHook
        eval_step = _get_or_create_eval_step()
        if eval_ops is not None:
            update_eval_step = tf.assign_add(eval_step, 1)
            if isinstance(eval_ops, dict):
                eval_ops = dict(eval_ops, update_eval_step=update_eval_step)
            elif isinstance(eval_ops, (list, tuple)):
                eval_ops = list(eval_ops) + [update_eval_step]
            else:
                eval_ops = [eval_ops, update_eval_step]
            with tf.control_dependencies(_flatten_fetches(eval_ops)):
                evals_completed = tf.identity(eval_step)
            for hook in hooks:
                if isinstance(hook, _StopAfterNEvalsHook):
                    hook._set_evals_completed_tensor(evals_completed)
        self._master, self._scaffold, self._config = master, scaffold, config
        self._eval_ops, self._feed_dict = eval_ops, feed_dict
        self._final_ops, self._final_ops_feed_dict = final_ops, final_ops_feed_dict
        self._hooks = list(hooks)

    def run(self, checkpoint_path):
        """final_ops' values after running the eval ops against `checkpoint_path` until a hook stops them."""
        final_ops_hook = _hooks.FinalOpsHook(self._final_ops, self._final_ops_feed_dict)
        logging.info("Starting evaluation at %s", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
        creator = ChiefSessionCreator(scaffold=self._scaffold, master=self._master, config=self._config,
                                      checkpoint_filename_with_path=checkpoint_path)
        with MonitoredSession(session_creator=creator, hooks=self._hooks + [final_ops_hook]) as session:
            if self._eval_ops is not None:
                while not session.should_stop():
                    session.run(self._eval_ops, self._feed_dict)
        logging.info("Finished evaluation at %s", time.strftime("%Y-%m-%d-%H:%M:%S", time.gmtime()))
        return final_ops_hook.final_ops_values


def _build_evaluation(master, num_evals, initial_op, initial_op_feed_dict, init_fn, eval_op, eval_op_feed_dict,
                      final_op, final_op_feed_dict, summary_op, summary_op_feed_dict, variables_to_restore,
                      logdir, session_config, hooks):
    from ...estimator.estimator import _StopAfterNEvalsHook
    if _is_default(summary_op):
        summary_op = tf.summary.merge_all()
    all_hooks = [_StopAfterNEvalsHook(num_evals)]
    if summary_op is not None:
        all_hooks.append(_SummaryAtEndHook(log_dir=logdir, summary_op=summary_op, feed_dict=summary_op_feed_dict))
    all_hooks.extend(hooks or [])
    saver = tf.train.Saver(variables_to_restore) if variables_to_restore is not None else None
    scaffold = Scaffold(init_op=initial_op, init_feed_dict=initial_op_feed_dict, init_fn=init_fn, saver=saver)
    return _Evaluation(master, scaffold, eval_op, eval_op_feed_dict, final_op, final_op_feed_dict, all_hooks,
                       session_config)


def evaluate_once(master, checkpoint_path, logdir, num_evals=1, initial_op=None, initial_op_feed_dict=None,
                  eval_op=None, eval_op_feed_dict=None, final_op=None, final_op_feed_dict=None,
                  summary_op=_USE_DEFAULT, summary_op_feed_dict=None, variables_to_restore=None,
                  session_config=None, hooks=None):
    """`slim.evaluation.evaluate_once(master, checkpoint_path, logdir, num_evals=1, initial_op=None, ...,
    eval_op=None, ..., final_op=None, ..., summary_op=_USE_DEFAULT, ..., variables_to_restore=None,
    session_config=None, hooks=None)`.

    Restores `checkpoint_path` (only `variables_to_restore` when given), initializes the local variables
    (the metrics' accumulators), runs `eval_op` `num_evals` times (or until the input raises
    OutOfRangeError), writes `summary_op` (tf.summary.merge_all() by default; None for none) to `logdir`
    at the checkpoint's global step, and returns the value of `final_op` (None without one).
    `initial_op` runs only when nothing could be restored, as the init_op of a tf.train.Scaffold."""
    evaluation = _build_evaluation(master, num_evals, initial_op, initial_op_feed_dict, None, eval_op,
                                   eval_op_feed_dict, final_op, final_op_feed_dict, summary_op,
                                   summary_op_feed_dict, variables_to_restore, logdir, session_config, hooks)
    return evaluation.run(checkpoint_path)


def evaluation_loop(master, checkpoint_dir, logdir, num_evals=1, initial_op=None, initial_op_feed_dict=None,
                    init_fn=None, eval_op=None, eval_op_feed_dict=None, final_op=None, final_op_feed_dict=None,
                    summary_op=_USE_DEFAULT, summary_op_feed_dict=None, variables_to_restore=None,
                    eval_interval_secs=60, max_number_of_evaluations=None, session_config=None, timeout=None,
                    timeout_fn=None, hooks=None):
    """`slim.evaluation.evaluation_loop(master, checkpoint_dir, logdir, num_evals=1, ...,
    eval_interval_secs=60, max_number_of_evaluations=None, session_config=None, timeout=None,
    timeout_fn=None, hooks=None)`: evaluate_once on each new checkpoint of `checkpoint_dir` (polled via
    tf.train.checkpoints_iterator, at most one evaluation per `eval_interval_secs`), until
    `max_number_of_evaluations` evaluations have run or no new checkpoint appeared for `timeout`
    seconds (then `timeout_fn()`, when given, decides whether to keep waiting). Returns the value of
    `final_op` from the last evaluation (None when none ran)."""
    evaluation = _build_evaluation(master, num_evals, initial_op, initial_op_feed_dict, init_fn, eval_op,
                                   eval_op_feed_dict, final_op, final_op_feed_dict, summary_op,
                                   summary_op_feed_dict, variables_to_restore, logdir, session_config, hooks)
    final_values = None
    evaluations = 0
    for checkpoint_path in checkpoints_iterator(checkpoint_dir, min_interval_secs=eval_interval_secs,
                                                timeout=timeout, timeout_fn=timeout_fn):
        final_values = evaluation.run(checkpoint_path)
        evaluations += 1
        logging.info("Evaluated %s (%d evaluation%s so far)", checkpoint_path, evaluations,
                     "" if evaluations == 1 else "s")
        if max_number_of_evaluations is not None and evaluations >= max_number_of_evaluations:
            break
    return final_values
