"""`tf.estimator.train_and_evaluate` with `TrainSpec` and `EvalSpec`, in TF's local mode: one process trains,
and evaluates each new checkpoint (no more often than every `throttle_secs`) and after the last one."""
import collections
import time

from ..platform import tf_logging as logging
from ..train.basic_session_run_hooks import CheckpointSaverListener
from .estimator import Estimator, _check_hooks_type

__all__ = ["TrainSpec", "EvalSpec", "train_and_evaluate"]


def _check_input_fn(input_fn):
    if not callable(input_fn):
        raise TypeError("`input_fn` must be callable, given: %r" % (input_fn,))


class TrainSpec(collections.namedtuple("TrainSpec", ["input_fn", "max_steps", "hooks"])):
    """`tf.estimator.TrainSpec(input_fn, max_steps=None, hooks=None)`: the training half of
    train_and_evaluate. max_steps None trains until input_fn's input ends."""

    def __new__(cls, input_fn, max_steps=None, hooks=None):
        _check_input_fn(input_fn)
        if max_steps is not None and max_steps <= 0:
            raise ValueError("Must specify max_steps > 0, given: %s" % max_steps)
        return super().__new__(cls, input_fn=input_fn, max_steps=max_steps, hooks=tuple(_check_hooks_type(hooks)))


class EvalSpec(collections.namedtuple("EvalSpec", ["input_fn", "steps", "name", "hooks", "exporters",
                                                   "start_delay_secs", "throttle_secs"])):
    """`tf.estimator.EvalSpec(input_fn, steps=100, name=None, hooks=None, exporters=None,
    start_delay_secs=120, throttle_secs=600)`: the evaluation half of train_and_evaluate. steps None
    evaluates until input_fn's input ends; each exporter's `export(estimator, export_path,
    checkpoint_path, eval_result, is_the_final_export)` runs after each evaluation."""

    def __new__(cls, input_fn, steps=100, name=None, hooks=None, exporters=None, start_delay_secs=120,
                throttle_secs=600):
        _check_input_fn(input_fn)
        if steps is not None and steps <= 0:
            raise ValueError("Must specify steps > 0, given: %s" % steps)
        if name is not None and not isinstance(name, str):
            raise TypeError("`name` must be string, given: %r" % (name,))
        if start_delay_secs < 0:
            raise ValueError("Must specify start_delay_secs >= 0, given: %s" % start_delay_secs)
        if throttle_secs < 0:
            raise ValueError("Must specify throttle_secs >= 0, given: %s" % throttle_secs)
        if exporters is None:
            exporters = ()
        elif not isinstance(exporters, (list, tuple)):
            exporters = (exporters,)
        names = set()
        for exporter in exporters:
            if not hasattr(exporter, "export") or not hasattr(exporter, "name"):
                raise TypeError("`exporters` must be an Exporter, an iterable of Exporter, or `None`, found %r."
                                % (exporter,))
            if not exporter.name:
                raise ValueError("An Exporter cannot have a name that is `None` or empty.")
            if exporter.name in names:
                raise ValueError("`exporters` must have unique names. Such a name cannot be `None`. %s already "
                                 "exists." % exporter.name)
            names.add(exporter.name)
        return super().__new__(cls, input_fn=input_fn, steps=steps, name=name,
                               hooks=tuple(_check_hooks_type(hooks)), exporters=tuple(exporters),
                               start_delay_secs=start_delay_secs, throttle_secs=throttle_secs)


class _EvaluateAfterCheckpoint(CheckpointSaverListener):
    """Evaluates (and exports) each new checkpoint at most every throttle_secs, and the last one always."""

    def __init__(self, estimator, eval_spec):
        self._estimator = estimator
        self._eval_spec = eval_spec
        self._last_eval_time = None
        self._last_evaluated_step = None
        self.eval_result = None
        self.export_results = []

    def begin(self):
        self._last_eval_time = time.time()      # the first checkpoint (step 0) waits for throttle_secs

    def after_save(self, session, global_step_value):
        if global_step_value == 0:
            return                              # TF skips the checkpoint of the untrained model
        if time.time() - self._last_eval_time >= self._eval_spec.throttle_secs:
            self._evaluate(global_step_value, is_the_final_export=False)

    def end(self, session, global_step_value):
        if global_step_value != self._last_evaluated_step:
            self._evaluate(global_step_value, is_the_final_export=True)

    def _evaluate(self, global_step_value, is_the_final_export):
        import os
        spec = self._eval_spec
        checkpoint_path = self._estimator.latest_checkpoint()
        self.eval_result = self._estimator.evaluate(spec.input_fn, steps=spec.steps, hooks=list(spec.hooks),
                                                    checkpoint_path=checkpoint_path, name=spec.name)
        for exporter in spec.exporters:
            export_path = os.path.join(self._estimator.model_dir, "export", exporter.name)
            self.export_results.append(exporter.export(self._estimator, export_path, checkpoint_path,
                                                       self.eval_result, is_the_final_export))
        self._last_eval_time = time.time()
        self._last_evaluated_step = global_step_value


def train_and_evaluate(estimator, train_spec, eval_spec):
    """`tf.estimator.train_and_evaluate(estimator, train_spec, eval_spec)`: trains to train_spec.max_steps
    and evaluates after checkpoints (the RunConfig's save_checkpoints_steps/secs decide how often; at
    most every eval_spec.throttle_secs; always after the last). Returns (eval result dict of the last
    evaluation or None when nothing was trained, list of the exporters' results). numflow runs TF's local mode only."""
    if not isinstance(estimator, Estimator):
        raise TypeError("`estimator` must have type `tf.estimator.Estimator`, given %s" % type(estimator))
    if not isinstance(train_spec, TrainSpec):
        raise TypeError("`train_spec` must have type `tf.estimator.TrainSpec`, given type: %s" % type(train_spec))
    if not isinstance(eval_spec, EvalSpec):
        raise TypeError("`eval_spec` must have type `tf.estimator.EvalSpec`, given type: %s" % type(eval_spec))
    config = estimator.config
    logging.info("Start train and evaluate loop. The evaluate will happen after every checkpoint. Checkpoint "
                 "frequency is determined based on RunConfig arguments: save_checkpoints_steps %s or "
                 "save_checkpoints_secs %s.", config.save_checkpoints_steps, config.save_checkpoints_secs)
    listener = _EvaluateAfterCheckpoint(estimator, eval_spec)
    estimator.train(train_spec.input_fn, hooks=list(train_spec.hooks), max_steps=train_spec.max_steps,
                    saving_listeners=[listener])
    # When training was skipped (max_steps already reached) nothing was evaluated: (None, []), as TF.
    return listener.eval_result, listener.export_results
