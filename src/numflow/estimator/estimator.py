"""`tf.estimator.Estimator`: trains, evaluates and predicts with a model_fn, each call in a fresh graph whose
variables come from (and go to) the checkpoints in `model_dir`.

    def model_fn(features, labels, mode, params, config):   # any subset of these argument names
        ...
        return tf.estimator.EstimatorSpec(mode, predictions=..., loss=..., train_op=..., eval_metric_ops=...)

    estimator = tf.estimator.Estimator(model_fn, model_dir="/tmp/model")
    estimator.train(input_fn, steps=1000)        # resumes from the newest checkpoint of model_dir
    metrics = estimator.evaluate(input_fn)       # {'loss': ..., 'global_step': ..., <eval_metric_ops>}
    for prediction in estimator.predict(input_fn): ...

An input_fn returns (features, labels) tensors, features alone, or a tf.data Dataset of either (read with
a one-shot iterator); the end of its input (OutOfRangeError) ends training, evaluation or prediction.
"""
import inspect
import os
import re
import shutil
import tempfile
import time

import numpy as np

from .. import summary as _summary
from ..framework.graph import Graph, GraphKeys, control_dependencies, get_default_graph
from ..platform import tf_logging as logging
from ..train import basic_session_run_hooks as _hooks
from ..train import checkpoint_utils as _ckpt
from ..train.monitored_session import ChiefSessionCreator, MonitoredSession, MonitoredTrainingSession
from ..train.saver import Saver
from ..train.session_run_hook import SessionRunArgs, SessionRunHook
from ..train.training_util import get_or_create_global_step
from .model_fn import LOSS_METRIC_KEY, EstimatorSpec, ModeKeys
from .run_config import RunConfig

__all__ = ["Estimator", "WarmStartSettings"]

_GLOBAL_STEP_KEY = "global_step"


def fn_args(fn):
    """The names of `fn`'s parameters that can be passed by keyword (bound `self` and partial-bound
    arguments left out), as TF's estimator inspects model_fn and input_fn."""
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        raise TypeError("%r is not a function Estimator can inspect" % (fn,)) from None
    return tuple(p.name for p in parameters
                 if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY))


def _check_hooks_type(hooks):
    hooks = list(hooks or [])
    for hook in hooks:
        if not isinstance(hook, SessionRunHook):
            raise TypeError("All hooks must be SessionRunHook instances, given: %r" % (hook,))
    return hooks


def _check_listeners_type(saving_listeners):
    listeners = list(saving_listeners or [])
    for listener in listeners:
        if not isinstance(listener, _hooks.CheckpointSaverListener):
            raise TypeError("saving_listeners must be a list of CheckpointSaverListener, given: %r" % (listener,))
    return listeners


def _load_global_step_from_checkpoint_dir(checkpoint_dir):
    """The global step saved in the newest checkpoint of `checkpoint_dir`, 0 when there is none."""
    path = _ckpt.latest_checkpoint(checkpoint_dir)
    if not path:
        return 0
    try:
        return int(_ckpt.load_variable(path, _GLOBAL_STEP_KEY))
    except (ValueError, KeyError):
        return 0


def _timestamped_export_dir(export_dir_base):
    """export_dir_base/<seconds since the epoch>, the next free second when that folder exists (TF waits
    for the next second instead)."""
    stamp = int(time.time())
    while os.path.exists(os.path.join(export_dir_base, str(stamp))) or \
            os.path.exists(os.path.join(export_dir_base, "temp-%d" % stamp)):
        stamp += 1
    return os.path.join(export_dir_base, str(stamp))


class WarmStartSettings:
    """`tf.estimator.WarmStartSettings(ckpt_to_initialize_from, vars_to_warm_start='.*',
    var_name_to_vocab_info=None, var_name_to_prev_var_name=None)`: which variables a new model takes its
    initial values from, out of a checkpoint (file or directory) of another model.

    `vars_to_warm_start` is a regular expression matched against trainable variable names (or a list of
    names); `var_name_to_prev_var_name` maps a variable to its name in the checkpoint. Vocabulary
    remapping (var_name_to_vocab_info) is not supported."""

    def __init__(self, ckpt_to_initialize_from, vars_to_warm_start=".*", var_name_to_vocab_info=None,
                 var_name_to_prev_var_name=None):
        if not ckpt_to_initialize_from:
            raise ValueError("`ckpt_to_initialize_from` MUST be set in WarmStartSettings")
        if var_name_to_vocab_info:
            raise NotImplementedError("WarmStartSettings: var_name_to_vocab_info (vocabulary remapping) is not "
                                      "supported by numflow")
        self.ckpt_to_initialize_from = ckpt_to_initialize_from
        self.vars_to_warm_start = vars_to_warm_start
        self.var_name_to_prev_var_name = dict(var_name_to_prev_var_name or {})

    def warm_start(self):
        """Points the initializers of the chosen variables of the default graph at the checkpoint."""
        graph = get_default_graph()
        if isinstance(self.vars_to_warm_start, str):
            pattern = re.compile(self.vars_to_warm_start)
            variables = [v for v in graph.get_collection(GraphKeys.TRAINABLE_VARIABLES) if pattern.match(v.op.name)]
        else:
            wanted = set(self.vars_to_warm_start)
            variables = [v for v in graph.get_collection(GraphKeys.GLOBAL_VARIABLES) if v.op.name in wanted]
        logging.info("Warm-starting from: %s", self.ckpt_to_initialize_from)
        assignment = {self.var_name_to_prev_var_name.get(v.op.name, v.op.name): v for v in variables}
        _ckpt.init_from_checkpoint(self.ckpt_to_initialize_from, assignment)


def _warm_start_settings(warm_start_from):
    if warm_start_from is None or isinstance(warm_start_from, WarmStartSettings):
        return warm_start_from
    if isinstance(warm_start_from, (str, bytes, os.PathLike)):
        return WarmStartSettings(os.fspath(warm_start_from))
    raise ValueError("warm_start_from must be a string or a WarmStartSettings, instead got %s"
                     % type(warm_start_from))


class _StopAfterNEvalsHook(SessionRunHook):
    """Stops an evaluation after `num_evals` batches; logs the progress."""

    def __init__(self, num_evals, log_progress=True):
        self._num_evals = num_evals
        self._evals_completed = None
        self._log_progress = log_progress
        self._log_frequency = 1 if num_evals is None else max(num_evals // 10, 1)

    def _set_evals_completed_tensor(self, updated_eval_step):
        self._evals_completed = updated_eval_step

    def before_run(self, run_context):
        return SessionRunArgs({"evals_completed": self._evals_completed})

    def after_run(self, run_context, run_values):
        evals_completed = int(run_values.results["evals_completed"])
        if self._log_progress and (evals_completed % self._log_frequency == 0
                                   or evals_completed == self._num_evals):
            if self._num_evals is None:
                logging.info("Evaluation [%d]", evals_completed)
            else:
                logging.info("Evaluation [%d/%d]", evals_completed, self._num_evals)
        if self._num_evals is not None and evals_completed >= self._num_evals:
            run_context.request_stop()


def _dict_to_str(dictionary):
    return ", ".join("%s = %s" % (key, value) for key, value in sorted(dictionary.items())
                     if not isinstance(value, bytes))


def _write_dict_to_summary(output_dir, dictionary, current_global_step):
    """Writes each scalar of an evaluation's results as a summary at `current_global_step`."""
    logging.info("Saving dict for global step %d: %s", current_global_step, _dict_to_str(dictionary))
    writer = _summary.FileWriterCache.get(output_dir)
    values = []
    for key, value in sorted(dictionary.items()):
        if key == _GLOBAL_STEP_KEY or value is None:
            continue
        array = np.asarray(value)
        if array.size == 1 and (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_):
            values.append(_summary.Summary.Value(tag=key, simple_value=float(array.reshape(()))))
        elif isinstance(value, bytes):
            summary = _summary.Summary.FromString(value)
            for entry in summary.value:
                entry.tag = key
                values.append(entry)
        else:
            logging.warning("Skipping summary for %s, must be a float, np.float32, np.int64, np.int32 or int or "
                            "a serialized string of Summary.", key)
    writer.add_summary(_summary.Summary(value=values), current_global_step)
    writer.flush()


class Estimator:
    """`tf.estimator.Estimator(model_fn, model_dir=None, config=None, params=None, warm_start_from=None)`.

    `model_fn(features, labels, mode, params, config)` (any subset of these names; `features` required)
    builds the model and returns an EstimatorSpec. `model_dir` (or `config.model_dir`; both given must
    agree) holds the checkpoints and event files; None makes a temporary directory (logged). `params` is
    a dict handed to model_fn (which must then take `params`). `warm_start_from` is a checkpoint (file or
    directory) or a WarmStartSettings to initialize a new model's variables from."""

    def __init__(self, model_fn, model_dir=None, config=None, params=None, warm_start_from=None):
        if model_fn is None:
            raise ValueError("model_fn must be provided to Estimator.")
        if config is None:
            config = RunConfig()
            logging.info("Using default config.")
        elif not isinstance(config, RunConfig):
            raise ValueError("config must be an instance of `RunConfig`, but provided %s." % (config,))
        if model_dir is not None:
            model_dir = os.fspath(model_dir)
        if model_dir is not None and config.model_dir is not None and model_dir != config.model_dir:
            raise ValueError("`model_dir` are set both in constructor and `RunConfig`, but with different values. "
                             "In constructor: '%s', in `RunConfig`: '%s' " % (model_dir, config.model_dir))
        model_dir = model_dir or config.model_dir
        if model_dir is None:
            model_dir = tempfile.mkdtemp()
            logging.warning("Using temporary folder as model directory: %s", model_dir)
        self._config = config if config.model_dir == model_dir else config.replace(model_dir=model_dir)
        logging.info("Using config: %s", self._config)
        self._model_dir = model_dir
        self._verify_model_fn_args(model_fn, params)
        self._model_fn = model_fn
        self._params = dict(params or {})
        self._warm_start_settings = _warm_start_settings(warm_start_from)

    # --- properties ------------------------------------------------------------------------------
    @property
    def model_dir(self):
        """The directory of the checkpoints and event files."""
        return self._model_dir

    @property
    def config(self):
        """The RunConfig (with model_dir filled in)."""
        return self._config

    @property
    def params(self):
        """A copy of the params dict given to the constructor."""
        return dict(self._params)

    @property
    def model_fn(self):
        """The model_fn, called as `model_fn(features, labels, mode, config)`."""
        def public_model_fn(features, labels, mode, config):
            return self._call_model_fn(features, labels, mode, config)
        return public_model_fn

    def eval_dir(self, name=None):
        """Where evaluate writes its event files: model_dir/eval, or model_dir/eval_<name>."""
        return os.path.join(self._model_dir, "eval" if not name else "eval_" + name)

    # --- checkpoints -----------------------------------------------------------------------------
    def latest_checkpoint(self):
        """The path of the newest checkpoint in model_dir, or None."""
        return _ckpt.latest_checkpoint(self._model_dir)

    def _require_checkpoint(self):
        path = self.latest_checkpoint()
        if not path:
            raise ValueError("Could not find trained model in model_dir: %s." % self._model_dir)
        return path

    def get_variable_names(self):
        """The names of the variables in the newest checkpoint (ValueError when there is none)."""
        self._require_checkpoint()
        return [name for name, _ in _ckpt.list_variables(self._model_dir)]

    def get_variable_value(self, name):
        """The value (a NumPy array) of variable `name` in the newest checkpoint."""
        self._require_checkpoint()
        return _ckpt.load_variable(self._model_dir, name)

    def export_saved_model(self, export_dir_base, serving_input_receiver_fn, assets_extra=None, as_text=False,
                           checkpoint_path=None, experimental_mode=ModeKeys.PREDICT):
        """Exports the model (PREDICT mode) as a SavedModel in a new folder export_dir_base/<timestamp>;
        returns its path (bytes).

        `serving_input_receiver_fn()` returns a tf.estimator.export.ServingInputReceiver: the features
        model_fn is called with and the tensors a request feeds. The variables come from
        `checkpoint_path` (default: the newest checkpoint; ValueError when there is none). Each entry of
        EstimatorSpec.export_outputs becomes a signature ('serving_default': the predictions when there
        are none); `assets_extra` {destination under assets.extra/: source file} is copied beside."""
        from ..saved_model import builder as _builder, tag_constants
        from . import export as _export
        if serving_input_receiver_fn is None:
            raise ValueError("An input_receiver_fn must be defined.")
        if experimental_mode != ModeKeys.PREDICT:
            raise ValueError("numflow exports the PREDICT mode only, got experimental_mode=%r" % (experimental_mode,))
        checkpoint_path = checkpoint_path or self.latest_checkpoint()
        if not checkpoint_path:
            raise ValueError("Couldn't find trained model at %s." % self._model_dir)
        export_dir = _timestamped_export_dir(os.fspath(export_dir_base))
        temp_export_dir = os.path.join(os.path.dirname(export_dir), "temp-" + os.path.basename(export_dir))
        with Graph().as_default() as graph:
            get_or_create_global_step(graph)
            receiver = serving_input_receiver_fn()
            spec = self._call_model_fn(receiver.features, None, ModeKeys.PREDICT, self._config)
            signature_def_map = _export.build_all_signature_defs(
                receiver.receiver_tensors, _export.export_outputs_of(spec), receiver.receiver_tensors_alternatives)
            saver = spec.scaffold.saver or Saver(sharded=True)
            local_init_op = spec.scaffold.local_init_op or spec.scaffold.default_local_init_op()
            from ..client.session import Session
            try:
                with Session(graph=graph) as sess:
                    saver.restore(sess, checkpoint_path)
                    builder = _builder.SavedModelBuilder(temp_export_dir)
                    builder.add_meta_graph_and_variables(
                        sess, [tag_constants.SERVING], signature_def_map=signature_def_map,
                        assets_collection=graph.get_collection(GraphKeys.ASSET_FILEPATHS), main_op=local_init_op,
                        saver=saver)
                    builder.save(as_text)
            except BaseException:
                shutil.rmtree(temp_export_dir, ignore_errors=True)    # no half-written export left behind
                raise
        for destination, source in (assets_extra or {}).items():
            target = os.path.join(temp_export_dir, "assets.extra", destination)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copyfile(source, target)
        os.rename(temp_export_dir, export_dir)
        logging.info("SavedModel written to: %s", export_dir)
        return export_dir.encode("utf-8")

    def export_savedmodel(self, export_dir_base, serving_input_receiver_fn, assets_extra=None, as_text=False,
                          checkpoint_path=None, strip_default_attrs=False):
        """TF1's name of export_saved_model (same arguments, PREDICT mode)."""
        return self.export_saved_model(export_dir_base, serving_input_receiver_fn, assets_extra=assets_extra,
                                       as_text=as_text, checkpoint_path=checkpoint_path)

    # --- calling the user's functions -------------------------------------------------------------
    @staticmethod
    def _verify_model_fn_args(model_fn, params):
        args = set(fn_args(model_fn))
        if "features" not in args:
            raise ValueError("model_fn (%s) must include features argument." % (model_fn,))
        if "labels" not in args:
            logging.info("Estimator's model_fn (%s) includes no labels argument.", model_fn)
        if params is not None and "params" not in args:
            raise ValueError("model_fn (%s) does not include params argument, but params (%s) is passed to "
                             "Estimator." % (model_fn, params))
        unexpected = args - {"features", "labels", "mode", "params", "config", "self"}
        if unexpected:
            raise ValueError("model_fn (%s) has following not expected args: %s" % (model_fn, sorted(unexpected)))

    def _call_input_fn(self, input_fn, mode):
        if not callable(input_fn):
            raise TypeError("`input_fn` must be callable, given: %r" % (input_fn,))
        args = fn_args(input_fn)
        kwargs = {}
        if "mode" in args:
            kwargs["mode"] = mode
        if "params" in args:
            kwargs["params"] = self.params
        if "config" in args:
            kwargs["config"] = self._config
        return input_fn(**kwargs)

    def _get_features_and_labels(self, input_fn, mode):
        """(features, labels) from input_fn's result: a Dataset is read through a one-shot iterator."""
        from ..data.dataset_ops import DatasetV1
        result = self._call_input_fn(input_fn, mode)
        if isinstance(result, DatasetV1):
            result = result.make_one_shot_iterator().get_next()
        if isinstance(result, (list, tuple)):
            if len(result) != 2:
                raise ValueError("input_fn should return (features, labels) as a len 2 tuple, got %d items."
                                 % len(result))
            return result[0], result[1]
        return result, None

    def _call_model_fn(self, features, labels, mode, config):
        args = fn_args(self._model_fn)
        kwargs = {}
        if "labels" in args:
            kwargs["labels"] = labels
        elif labels is not None:
            raise ValueError("model_fn does not take labels, but input_fn returns labels.")
        if "mode" in args:
            kwargs["mode"] = mode
        if "params" in args:
            kwargs["params"] = self.params
        if "config" in args:
            kwargs["config"] = config
        logging.info("Calling model_fn.")
        spec = self._model_fn(features=features, **kwargs)
        logging.info("Done calling model_fn.")
        if not isinstance(spec, EstimatorSpec):
            raise ValueError("model_fn should return an EstimatorSpec, got %r." % (spec,))
        if spec.mode != mode:
            raise ValueError("model_fn returned an EstimatorSpec for mode %r, called in mode %r." % (spec.mode, mode))
        return spec

    def _prepare_graph(self):
        """Seeds the new default graph with the config's tf_random_seed; returns its global step."""
        from ..ops.random import set_random_seed
        if self._config.tf_random_seed is not None:
            set_random_seed(self._config.tf_random_seed)
        return get_or_create_global_step()

    # --- train -----------------------------------------------------------------------------------
    def train(self, input_fn, hooks=None, steps=None, max_steps=None, saving_listeners=None):
        """Trains until `steps` more steps, the global step `max_steps`, the end of the input, or a hook's
        stop request; starts from the newest checkpoint in model_dir and saves one at the end.

        Only one of steps and max_steps may be given (ValueError). When the newest checkpoint is already
        at max_steps or beyond, nothing runs. `saving_listeners` (CheckpointSaverListeners) are called
        around each checkpoint save. Returns self."""
        if steps is not None and max_steps is not None:
            raise ValueError("Can not provide both steps and max_steps.")
        if steps is not None and steps <= 0:
            raise ValueError("Must specify steps > 0, given: %s" % steps)
        if max_steps is not None and max_steps <= 0:
            raise ValueError("Must specify max_steps > 0, given: %s" % max_steps)
        if max_steps is not None and max_steps <= _load_global_step_from_checkpoint_dir(self._model_dir):
            logging.info("Skipping training since max_steps has already saved.")
            return self
        hooks = _check_hooks_type(hooks)
        if steps is not None or max_steps is not None:
            hooks.append(_hooks.StopAtStepHook(num_steps=steps, last_step=max_steps))
        saving_listeners = _check_listeners_type(saving_listeners)
        loss = self._train_model(input_fn, hooks, saving_listeners)
        logging.info("Loss for final step: %s.", loss)
        return self

    def _train_model(self, input_fn, hooks, saving_listeners):
        with Graph().as_default() as graph:
            global_step = self._prepare_graph()
            features, labels = self._get_features_and_labels(input_fn, ModeKeys.TRAIN)
            spec = self._call_model_fn(features, labels, ModeKeys.TRAIN, self._config)
            if self._warm_start_settings is not None:
                self._warm_start_settings.warm_start()
            return self._train_with_estimator_spec(graph, spec, global_step, hooks, saving_listeners)

    def _train_with_estimator_spec(self, graph, spec, global_step, hooks, saving_listeners):
        config = self._config
        if not any(summary.op.name == "loss" for summary in graph.get_collection(GraphKeys.SUMMARIES)):
            _summary.scalar("loss", spec.loss)
        worker_hooks = list(hooks)
        worker_hooks.append(_hooks.NanTensorHook(spec.loss))
        if config.log_step_count_steps:
            worker_hooks.append(_hooks.LoggingTensorHook({"loss": spec.loss, "step": global_step},
                                                         every_n_iter=config.log_step_count_steps))
        worker_hooks.extend(spec.training_hooks)
        if not (spec.scaffold.saver or graph.get_collection(GraphKeys.SAVERS)):
            graph.add_to_collection(GraphKeys.SAVERS, Saver(
                sharded=True, max_to_keep=config.keep_checkpoint_max, defer_build=True, save_relative_paths=True,
                keep_checkpoint_every_n_hours=config.keep_checkpoint_every_n_hours))
        chief_hooks = []
        saver_hooks = [hook for hook in worker_hooks + list(spec.training_chief_hooks)
                       if isinstance(hook, _hooks.CheckpointSaverHook)]
        if (config.save_checkpoints_secs or config.save_checkpoints_steps) and not saver_hooks:
            chief_hooks.append(_hooks.CheckpointSaverHook(
                self._model_dir, save_secs=config.save_checkpoints_secs, save_steps=config.save_checkpoints_steps,
                scaffold=spec.scaffold))
            saver_hooks = chief_hooks
        if saving_listeners:
            if not saver_hooks:
                raise ValueError("There should be a CheckpointSaverHook to use saving_listeners. Please set one of "
                                 "the RunConfig.save_checkpoints_steps or RunConfig.save_checkpoints_secs.")
            saver_hooks[0]._listeners.extend(saving_listeners)
        loss = None
        with MonitoredTrainingSession(
                checkpoint_dir=self._model_dir, scaffold=spec.scaffold, hooks=worker_hooks,
                chief_only_hooks=chief_hooks + list(spec.training_chief_hooks), save_checkpoint_secs=0,
                save_summaries_steps=config.save_summary_steps, config=config.session_config,
                log_step_count_steps=config.log_step_count_steps) as session:
            while not session.should_stop():
                _, loss = session.run([spec.train_op, spec.loss])
        return loss

    # --- evaluate --------------------------------------------------------------------------------
    def evaluate(self, input_fn, steps=None, hooks=None, checkpoint_path=None, name=None):
        """Evaluates the model of `checkpoint_path` (default: the newest checkpoint of model_dir; ValueError
        "Could not find trained model" when there is none) on `steps` batches of input_fn, or until its
        input ends. Returns {metric name: value} for the model_fn's eval_metric_ops, plus 'loss' (the mean
        of the loss over the batches) and 'global_step'; writes them as summaries to eval_dir(name)."""
        hooks = _check_hooks_type(hooks)
        if steps is not None:
            if steps <= 0:
                raise ValueError("Must specify steps > 0, given: %s" % steps)
        hooks.append(_StopAfterNEvalsHook(num_evals=steps))
        if not checkpoint_path:
            checkpoint_path = self._require_checkpoint()
        with Graph().as_default():
            global_step = self._prepare_graph()
            features, labels = self._get_features_and_labels(input_fn, ModeKeys.EVAL)
            spec = self._call_model_fn(features, labels, ModeKeys.EVAL, self._config)
            eval_dict, update_ops = self._metric_ops(spec, global_step)
            results = self._evaluate_once(checkpoint_path, spec, update_ops, eval_dict,
                                          hooks + list(spec.evaluation_hooks))
        _write_dict_to_summary(self.eval_dir(name), results, results[_GLOBAL_STEP_KEY])
        return results

    @staticmethod
    def _metric_ops(spec, global_step):
        from ..metrics import mean
        if LOSS_METRIC_KEY in spec.eval_metric_ops:
            raise ValueError("Metric with name \"%s\" is not allowed, because Estimator already defines a default "
                             "metric with the same name." % LOSS_METRIC_KEY)
        if _GLOBAL_STEP_KEY in spec.eval_metric_ops:
            raise ValueError("Metric with name `%s` is not allowed, because Estimator already defines a default "
                             "metric with the same name." % _GLOBAL_STEP_KEY)
        metrics = dict(spec.eval_metric_ops)
        metrics[LOSS_METRIC_KEY] = mean(spec.loss)
        eval_dict = {key: value for key, (value, _) in metrics.items()}
        eval_dict[_GLOBAL_STEP_KEY] = global_step
        return eval_dict, [update for _, update in metrics.values()]

    def _evaluate_once(self, checkpoint_path, spec, update_ops, eval_dict, hooks):
        from ..ops.state import assign_add
        from ..variable_scope import get_variable
        from ..init_ops import zeros_initializer
        from ..framework import dtypes
        eval_step = get_variable("eval_step", shape=[], dtype=dtypes.int64, initializer=zeros_initializer(),
                                 trainable=False, collections=[GraphKeys.LOCAL_VARIABLES, GraphKeys.EVAL_STEP])
        with control_dependencies(update_ops):
            evals_completed = assign_add(eval_step, 1)
        for hook in hooks:
            if isinstance(hook, _StopAfterNEvalsHook):
                hook._set_evals_completed_tensor(evals_completed)
        final_ops_hook = _hooks.FinalOpsHook(eval_dict)
        hooks = list(hooks) + [final_ops_hook]
        logging.info("Starting evaluation at %s", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
        creator = ChiefSessionCreator(scaffold=spec.scaffold, checkpoint_filename_with_path=checkpoint_path,
                                      config=self._config.session_config)
        with MonitoredSession(session_creator=creator, hooks=hooks) as session:
            while not session.should_stop():
                session.run(evals_completed)
        logging.info("Finished evaluation at %s", time.strftime("%Y-%m-%d-%H:%M:%S", time.gmtime()))
        return final_ops_hook.final_ops_values

    # --- predict ---------------------------------------------------------------------------------
    def predict(self, input_fn, predict_keys=None, hooks=None, checkpoint_path=None, yield_single_examples=True):
        """Yields predictions for input_fn's features until its input ends, with the variables of
        `checkpoint_path` (default: the newest checkpoint; without one the variables are initialized, as
        TF does, with a warning). Each item is a dict {key: value for one example} (only `predict_keys`
        when given), or the value itself when the model_fn's predictions is a single tensor; with
        `yield_single_examples=False`, whole batches are yielded."""
        hooks = _check_hooks_type(hooks)
        if not checkpoint_path:
            checkpoint_path = self.latest_checkpoint()
            if not checkpoint_path:
                logging.info("Could not find trained model in model_dir: %s, running initialization to predict.",
                             self._model_dir)
        with Graph().as_default():
            self._prepare_graph()
            features, _ = self._get_features_and_labels(input_fn, ModeKeys.PREDICT)
            spec = self._call_model_fn(features, None, ModeKeys.PREDICT, self._config)
            predictions = self._extract_keys(spec.predictions, predict_keys)
            creator = ChiefSessionCreator(scaffold=spec.scaffold, checkpoint_filename_with_path=checkpoint_path,
                                          config=self._config.session_config)
            with MonitoredSession(session_creator=creator, hooks=hooks + list(spec.prediction_hooks)) as session:
                while not session.should_stop():
                    values = session.run(predictions)
                    if not yield_single_examples:
                        yield values
                    elif not isinstance(predictions, dict):
                        yield from values
                    else:
                        for i in range(self._batch_length(values)):
                            yield {key: value[i] for key, value in values.items()}

    @staticmethod
    def _extract_keys(predictions, predict_keys):
        if predict_keys is None:
            return predictions
        if isinstance(predict_keys, str):
            predict_keys = [predict_keys]
        if not isinstance(predictions, dict):
            raise ValueError("predict_keys argument is not valid in case of non-dict predictions.")
        chosen = {key: value for key, value in predictions.items() if key in predict_keys}
        if not chosen:
            raise ValueError("Expected to run at least one output from %s, provided %s."
                             % (sorted(predictions), list(predict_keys)))
        return chosen

    @staticmethod
    def _batch_length(values):
        batch_length = None
        for key, value in values.items():
            value = np.asarray(value)
            if value.ndim == 0:
                raise ValueError("Prediction %r is a scalar: with yield_single_examples=True every prediction "
                                 "needs a batch dimension." % key)
            batch_length = value.shape[0] if batch_length is None else batch_length
            if value.shape[0] != batch_length:
                raise ValueError("Batch length of predictions should be same. %s has different batch length than "
                                 "others." % key)
        return batch_length or 0
