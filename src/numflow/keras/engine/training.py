"""`tf.keras.Model`: a network that can be compiled, trained, evaluated and used for predictions.

`compile` builds, in the model's graph, one target placeholder and one sample-weight placeholder per
output with a loss, the weighted total loss (plus the layers' regularization losses) and the metrics
(stateful Keras metrics, reset at the start of each epoch and of each evaluation). `fit` then runs ONE
Session.run per batch in the Keras session: it feeds the inputs, targets, sample weights and the
learning phase (True), and fetches the loss and the metrics while running the optimizer's updates and the
layers' updates (e.g. BatchNormalization's moving averages).
"""
import numpy as np

from ...framework.graph import control_dependencies, name_scope
from .. import backend
from . import nest
from . import training_utils as utils
from .network import Network

__all__ = ["Model"]

_NOT_COMPILED = "You must compile your model before training/testing. Use `model.compile(optimizer, loss)`."


class Model(Network):
    """`tf.keras.Model(inputs, outputs, name=None)` (functional) or a subclass defining `call`
    (subclassed). See `compile`, `fit`, `evaluate`, `predict`."""

    def _base_init(self, name, trainable=True, dtype=None):
        super()._base_init(name, trainable, dtype)
        self.optimizer = None
        self.loss = None
        self.loss_weights = None
        self.sample_weight_mode = None
        self._compile_metrics = None
        self._compile_weighted_metrics = None
        self._pending_compile = None
        self._is_compiled = False
        self.history = None
        self.stop_training = False
        self._reset_compiled_graph()

    def _reset_compiled_graph(self):
        self._train_function = self._test_function = self._predict_function = None
        self.total_loss = None
        self._feed_targets, self._feed_sample_weights = [], []
        self._feed_output_names, self._feed_loss_fns = [], []
        self._metric_objects, self._metric_tensors = [], []
        self._stateful_metric_names = []
        self._metrics_names = ["loss"]

    # --- compile ----------------------------------------------------------------------------------
    def compile(self, optimizer, loss=None, metrics=None, loss_weights=None, sample_weight_mode=None,
                weighted_metrics=None, target_tensors=None, distribute=None, **kwargs):
        """Configures training: `optimizer` (a Keras optimizer, its name such as 'sgd' or 'adam', or a
        `tf.train.Optimizer`), `loss` (a name, function or Loss object; a list or dict gives one per
        output), `metrics` (names such as 'accuracy', functions or Metric objects; a dict by output name),
        `loss_weights` (the scalars that weight each output's loss in the total), `sample_weight_mode`
        ('temporal' for per-timestep weights), `weighted_metrics` (metrics that use the sample weights)
        and `target_tensors` (tensors to use as targets instead of placeholders)."""
        if distribute is not None:
            raise ValueError("`distribute` is not supported by numflow's Keras (no distribution strategies).")
        unknown = set(kwargs) - {"sample_weight", "experimental_run_tf_function"}
        if unknown:
            raise TypeError("Invalid keyword argument(s) in `compile`: %s" % (unknown,))
        self.optimizer = [_resolve_optimizer(o) for o in optimizer] if isinstance(optimizer, (list, tuple)) \
            else _resolve_optimizer(optimizer)
        self.loss = loss
        self.loss_weights = loss_weights
        self.sample_weight_mode = sample_weight_mode
        self._compile_metrics = metrics
        self._compile_weighted_metrics = weighted_metrics
        self._pending_compile = {"target_tensors": target_tensors}
        self._is_compiled = True
        self._reset_compiled_graph()
        if self.outputs:
            self._compile_graph()

    def _compile_if_pending(self):
        if self._is_compiled and self.outputs:
            self._reset_compiled_graph()
            self._compile_graph()

    def _per_output(self, value, what):
        """`value` (one for all, a list, or a dict by output name) as one entry per output."""
        names = self.output_names
        if isinstance(value, dict):
            unknown = [k for k in value if k not in names]
            if unknown:
                raise ValueError("Unknown entries in " + what + " dictionary: " + str(unknown) + ". Only expected "
                                 "following keys: " + str(names))
            return [value.get(name) for name in names]
        if isinstance(value, (list, tuple)) and what == "loss":
            if len(value) != len(names):
                raise ValueError("When passing a list as loss, it should have one entry per model outputs. The "
                                 "model has " + str(len(names)) + " outputs, but you passed loss=" + str(value))
            return list(value)
        return [value for _ in names]

    def _compile_graph(self):
        graph = self.outputs[0].graph
        with graph.as_default():
            loss_fns = [utils.resolve_loss(l) for l in self._per_output(self.loss, "loss")]
            weights = self._loss_weight_list()
            target_tensors = self._target_tensor_list(self._pending_compile.get("target_tensors"))
            self._feed_output_names, self._feed_loss_fns = [], []
            self._feed_targets, self._feed_sample_weights = [], []
            self._output_entries = []
            total = None
            for index, (output, name, loss_fn) in enumerate(zip(self.outputs, self.output_names, loss_fns)):
                if loss_fn is None:
                    self._output_entries.append(None)
                    continue
                target = target_tensors[index] if target_tensors else None
                if target is None:
                    target = backend.placeholder(ndim=output.shape.ndims, dtype=output.dtype.base_dtype,
                                                 name=name + "_target")
                    self._feed_targets.append(target)
                    self._feed_output_names.append(name)
                    self._feed_loss_fns.append(loss_fn)
                sample_weight = _sample_weight_placeholder(name, self._sample_weight_mode_for(name) == "temporal")
                if any(target is t for t in self._feed_targets):
                    self._feed_sample_weights.append(sample_weight)
                with name_scope("loss/" + name + "_loss/"):
                    output_loss = utils.weighted_loss(loss_fn, target, output, sample_weight,
                                                      getattr(output, "_keras_mask", None))
                self._output_entries.append((target, sample_weight, loss_fn, output_loss))
                term = output_loss * weights[index] if weights[index] != 1 else output_loss
                total = term if total is None else total + term
            regularization = list(self.losses)
            if total is None and not regularization:
                raise ValueError("The model cannot be compiled because it has no loss to optimize.")
            for extra in regularization:
                total = extra if total is None else total + extra
            self.total_loss = total
            self._build_metrics()
            self._collected_trainable_weights = self.trainable_weights

    def _loss_weight_list(self):
        names = self.output_names
        value = self.loss_weights
        if value is None:
            return [1.0] * len(names)
        if isinstance(value, dict):
            unknown = [k for k in value if k not in names]
            if unknown:
                raise ValueError("Unknown entry in loss_weights dictionary: " + str(unknown[0]) + ". Only "
                                 "expected the following keys: " + str(names))
            return [float(value.get(name, 1.0)) for name in names]
        if isinstance(value, (list, tuple)):
            if len(value) != len(names):
                raise ValueError("When passing a list as loss_weights, it should have one entry per model "
                                 "output. The model has " + str(len(names)) + " outputs, but you passed "
                                 "loss_weights=" + str(value))
            return [float(v) for v in value]
        raise TypeError("Could not interpret loss_weights argument: " + str(value) + " - expected a list of "
                        "dicts.")

    def _sample_weight_mode_for(self, name):
        mode = self.sample_weight_mode
        if isinstance(mode, dict):
            return mode.get(name)
        if isinstance(mode, (list, tuple)):
            return mode[self.output_names.index(name)]
        return mode

    def _target_tensor_list(self, target_tensors):
        if target_tensors is None:
            return None
        if isinstance(target_tensors, dict):
            unknown = [k for k in target_tensors if k not in self.output_names]
            if unknown:
                raise ValueError("Unknown entry in `target_tensors` dictionary: " + str(unknown[0]) + ". Only "
                                 "expected the following keys: " + str(self.output_names))
            return [target_tensors.get(name) for name in self.output_names]
        targets = nest.to_list(target_tensors)
        if len(targets) != len(self.outputs):
            raise ValueError("When passing a list as `target_tensors`, it should have one entry per model "
                             "output. The model has " + str(len(self.outputs)) + " outputs, but you passed "
                             "target_tensors=" + str(target_tensors))
        return targets

    def _build_metrics(self):
        self._metric_objects, self._metric_tensors = [], []
        names = ["loss"]
        many = len(self.outputs) > 1
        loss_names = []
        if many:
            # each output's loss per batch; averaged over the epoch like the total loss
            for name, entry in zip(self.output_names, self._output_entries):
                if entry is not None:
                    self._metric_tensors.append(entry[3])
                    loss_names.append(name + "_loss")
        names += loss_names
        for weighted, spec in ((False, self._compile_metrics), (True, self._compile_weighted_metrics)):
            per_output = self._per_output_metrics(spec)
            for output, name, entry, metric_list in zip(self.outputs, self.output_names, self._output_entries,
                                                        per_output):
                if entry is None or not metric_list:
                    continue
                target, sample_weight, loss_fn, _ = entry
                shape = output.shape.as_list() if output.shape.ndims is not None else None
                for metric in metric_list:
                    metric_name = utils.get_metric_name(metric, weighted)
                    fn = utils.get_metric_function(metric, shape, loss_fn)
                    full_name = (name + "_" + metric_name) if many else metric_name
                    if hasattr(fn, "update_state"):
                        metric_object = fn
                    else:
                        from .. import metrics as metrics_module
                        metric_object = metrics_module.MeanMetricWrapper(fn, name=metric_name)
                    mask = getattr(output, "_keras_mask", None)
                    weight = sample_weight if weighted else None
                    if mask is not None:
                        from ...ops.math import cast
                        mask = cast(mask, output.dtype.base_dtype)
                        weight = mask if weight is None else utils._align(weight, mask) * mask
                    with name_scope("metrics/" + full_name.replace(" ", "_")):
                        self._add_metric_tensor(metric_object, full_name, metric_object.update_state,
                                                (target, output), weight)
                    names.append(full_name)
        for metric_name, tensor in self._layer_metrics():
            names.append(metric_name)
            self._metric_tensors.append(tensor)
        self._metrics_names = _deduplicate_names(names)
        self._stateful_metric_names = self._metrics_names[1 + len(loss_names):]

    def _layer_metrics(self):
        out = []
        for layer in [self] + self._flatten_layers():
            out += list(getattr(layer, "_metrics", []))
        return out

    def _add_metric_tensor(self, metric_object, name, update, args, sample_weight=None):
        from ...ops.control import identity
        kwargs = {"sample_weight": sample_weight} if sample_weight is not None else {}
        update_op = update(*args, **kwargs)
        deps = [u for u in nest.flatten(update_op) if u is not None]
        with control_dependencies(deps):
            result = identity(metric_object.result())
        self._metric_objects.append(metric_object)
        self._metric_tensors.append(result)

    def _per_output_metrics(self, spec):
        if spec is None:
            return [[] for _ in self.outputs]
        if isinstance(spec, dict):
            unknown = [k for k in spec if k not in self.output_names]
            if unknown:
                raise ValueError("Unknown entries in metrics dictionary: " + str(unknown) + ". Only expected "
                                 "following keys: " + str(self.output_names))
            return [nest.to_list(spec.get(name) or []) for name in self.output_names]
        if isinstance(spec, (list, tuple)):
            if spec and all(isinstance(m, (list, tuple)) for m in spec):
                if len(spec) != len(self.outputs):
                    raise ValueError("When passing a list of lists as `metrics`, it should have one entry per "
                                     "model output. The model has " + str(len(self.outputs)) + " outputs, but you "
                                     "passed metrics=" + str(spec))
                return [list(m) for m in spec]
            return [list(spec) for _ in self.outputs]
        raise TypeError("Type of `metrics` argument not understood. Expected a list or dictionary, found: " +
                        str(spec))

    @property
    def metrics_names(self):
        """'loss', then each output's loss (several outputs), then the metrics, as logs name them."""
        return list(self._metrics_names)

    @property
    def metrics(self):
        """The model's Metric objects (those `compile` made, and the layers')."""
        return list(self._metric_objects)

    def reset_metrics(self):
        """Resets the state of every metric (as `fit` does at each epoch's start)."""
        objects = list(self._metric_objects)
        for layer in self._flatten_layers():
            objects += [m for m in getattr(layer, "_metric_objects", [])]
        for metric in objects:
            metric.reset_states()

    # --- the compiled functions -------------------------------------------------------------------
    def _uses_phase_placeholder(self):
        return not backend.global_learning_phase_is_set()

    def _feed_inputs_list(self):
        return list(self.inputs)

    def _make_train_function(self):
        if not self._is_compiled:
            raise RuntimeError(_NOT_COMPILED)
        if self._train_function is not None:
            return self._train_function
        graph = self.outputs[0].graph
        with graph.as_default():
            with name_scope("training"):
                updates = self._optimizer_updates() + list(self.updates)
            inputs = self._feed_inputs_list() + self._feed_targets + self._feed_sample_weights
            phase = [backend.symbolic_learning_phase()] if self._uses_phase_placeholder() else []
            self._train_function = _Step(backend.function(inputs + phase, [self.total_loss] + self._metric_tensors,
                                                          updates=updates), bool(phase), True)
        return self._train_function

    def _optimizer_updates(self):
        """The ops that apply one optimizer step to the trainable weights."""
        params = self._collected_trainable_weights
        if not params:
            return []
        if isinstance(self.optimizer, list):
            raise ValueError("A list of optimizers is only supported by WideDeepModel; got %d optimizers."
                             % len(self.optimizer))
        return list(_optimizer_updates(self.optimizer, self.total_loss, params))

    def _make_test_function(self):
        if not self._is_compiled:
            raise RuntimeError(_NOT_COMPILED)
        if self._test_function is None:
            with self.outputs[0].graph.as_default():
                inputs = self._feed_inputs_list() + self._feed_targets + self._feed_sample_weights
                phase = [backend.symbolic_learning_phase()] if self._uses_phase_placeholder() else []
                self._test_function = _Step(backend.function(inputs + phase,
                                                             [self.total_loss] + self._metric_tensors,
                                                             updates=self.state_updates), bool(phase), False)
        return self._test_function

    def _make_predict_function(self):
        if self._predict_function is None:
            with self.outputs[0].graph.as_default():
                phase = [backend.symbolic_learning_phase()] if self._uses_phase_placeholder() else []
                self._predict_function = _Step(backend.function(self._feed_inputs_list() + phase, self.outputs,
                                                                updates=self.state_updates), bool(phase), False)
        return self._predict_function

    # --- data ---------------------------------------------------------------------------------------
    def _ensure_built(self, x):
        if self.outputs:
            return
        flat = nest.flatten(x) if not isinstance(x, np.ndarray) else [x]
        if not flat or flat[0] is None:
            raise ValueError("This model has not yet been built. Build the model first by calling `build()` or "
                             "calling `fit()` with some data, or specify an `input_shape` argument in the first "
                             "layer(s) for automatic build.")
        placeholders = []
        names = sorted(x) if isinstance(x, dict) else ["input_%d" % (i + 1) for i in range(len(flat))]
        for index, array in enumerate(flat):
            array = np.asarray(array)
            if array.ndim == 1:
                array = array[:, None]
            dtype = backend.floatx() if array.dtype.kind == "f" else array.dtype.name
            placeholders.append(backend.placeholder(shape=(None,) + array.shape[1:], dtype=dtype,
                                                    name=names[index]))
        structure = placeholders if isinstance(x, (list, tuple)) else \
            (dict(zip(sorted(x), placeholders)) if isinstance(x, dict) else placeholders[0])
        self._set_inputs(structure)
        self._compile_if_pending()

    def _standardize_user_data(self, x, y=None, sample_weight=None, class_weight=None, need_targets=True):
        """The inputs, targets and sample weights as lists of arrays in feed order, checked."""
        self._ensure_built(x)
        if need_targets and not self._is_compiled:
            raise RuntimeError(_NOT_COMPILED)
        input_shapes = [tuple(t.shape.as_list()) if t.shape.ndims is not None else None for t in self.inputs]
        inputs = utils.standardize_input_data(x, self._input_feed_names(), input_shapes, check_batch_axis=False,
                                              exception_prefix="input")
        inputs = [_cast_for(t, a) for t, a in zip(self.inputs, inputs)]
        if not need_targets:
            utils.check_array_lengths(inputs, None, None)
            return inputs, [], []
        if y is None and self._feed_output_names:
            raise ValueError("Error when checking model target: the model has " + str(len(self._feed_output_names)) +
                             " output(s) with a loss (" + ", ".join(self._feed_output_names) + "), but no target "
                             "data `y` was passed.")
        target_shapes = [utils.expected_target_shape(self.outputs[self.output_names.index(name)], loss_fn)
                         for name, loss_fn in zip(self._feed_output_names, self._feed_loss_fns)]
        targets = utils.standardize_input_data(y, self._feed_output_names, target_shapes, check_batch_axis=False,
                                               exception_prefix="target")
        targets = [_cast_for(t, a) for t, a in zip(self._feed_targets, targets)]
        weights = self._standardize_sample_weights(targets, sample_weight, class_weight)
        utils.check_array_lengths(inputs, targets, weights)
        utils.check_loss_and_target_compatibility(
            targets, self._feed_loss_fns,
            [tuple(self.outputs[self.output_names.index(n)].shape.as_list()) for n in self._feed_output_names])
        return inputs, targets, weights

    def _input_feed_names(self):
        return self.input_names if self.input_names else ["input_%d" % (i + 1) for i in range(len(self.inputs))]

    def _standardize_sample_weights(self, targets, sample_weight, class_weight):
        names = self._feed_output_names
        if isinstance(sample_weight, dict):
            weights_per = [sample_weight.get(n) for n in names]
        elif isinstance(sample_weight, (list, tuple)):
            if len(sample_weight) != len(names):
                raise ValueError("Error when checking sample_weight: the list you passed has " +
                                 str(len(sample_weight)) + " entries, but the model has " + str(len(names)) +
                                 " outputs with a loss.")
            weights_per = list(sample_weight)
        else:
            weights_per = [sample_weight] * len(names)
        if isinstance(class_weight, dict) and class_weight and all(k in names for k in class_weight):
            class_per = [class_weight.get(n) for n in names]
        else:
            class_per = [class_weight] * len(names)
        return [utils.standardize_weights(y, w, c, self._sample_weight_mode_for(n))
                for y, w, c, n in zip(targets, weights_per, class_per, names)]

    # --- fit ----------------------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose=1, callbacks=None, validation_split=0.,
            validation_data=None, shuffle=True, class_weight=None, sample_weight=None, initial_epoch=0,
            steps_per_epoch=None, validation_steps=None, validation_freq=1, max_queue_size=10, workers=1,
            use_multiprocessing=False, **kwargs):
        """Trains the model for `epochs` epochs on `x` / `y` (NumPy arrays, lists or dicts of them, a
        `tf.data` Dataset or Iterator yielding `(x, y)` or `(x, y, sample_weight)`, or a generator /
        `keras.utils.Sequence`), in batches of `batch_size` (32 by default; not for datasets), shuffled each
        epoch when `shuffle`. Validation on `validation_data` (a tuple `(x_val, y_val[, w_val])` or a
        dataset) or on the last `validation_split` fraction of the data runs every `validation_freq`
        epochs; its results join the logs as 'val_' + name. Returns a `History`."""
        if kwargs:
            raise TypeError("Unrecognized keyword arguments: " + str(kwargs))
        if batch_size is not None and (_is_generator_like(x) or utils.is_dataset_like(x)):
            raise ValueError("The `batch_size` argument must not be specified for the given input type. "
                             "Received input: %s, batch_size: %s" % (x, batch_size))
        if _is_generator_like(x) or utils.is_dataset_like(x):
            if validation_split:
                raise ValueError("`validation_split` is only supported for Tensors or NumPy arrays, found: "
                                 + str(x))
            if not self._is_compiled:
                raise RuntimeError(_NOT_COMPILED)
            return self._fit_batches(_batch_source(self, x, steps_per_epoch, class_weight,
                                                   steps_name="steps_per_epoch"), epochs, verbose,
                                     callbacks, validation_data, validation_steps, validation_freq, initial_epoch,
                                     steps_per_epoch)
        batch_size = 32 if batch_size is None else batch_size
        if not self._is_compiled:
            self._ensure_built(x)
            raise RuntimeError(_NOT_COMPILED)
        inputs, targets, weights = self._standardize_user_data(x, y, sample_weight, class_weight)
        arrays = inputs + targets + weights
        val_arrays = None
        if validation_data is not None:
            val_arrays = self._validation_arrays(validation_data)
        elif validation_split and 0. < validation_split < 1.:
            split_at = int(utils.batch_size_of(arrays) * (1. - validation_split))
            arrays, val_arrays = utils.slice_arrays(arrays, slice(0, split_at)), \
                utils.slice_arrays(arrays, slice(split_at, None))
        source = _ArraySource(arrays, batch_size, shuffle, steps_per_epoch)
        if verbose and steps_per_epoch is None:
            if isinstance(val_arrays, list):
                print("Train on %d samples, validate on %d samples" % (source.num_samples,
                                                                       utils.batch_size_of(val_arrays)))
            else:
                print("Train on %d samples" % source.num_samples)
        return self._fit_batches(source, epochs, verbose, callbacks, val_arrays, validation_steps, validation_freq,
                                 initial_epoch, steps_per_epoch, val_batch_size=batch_size)

    def _validation_arrays(self, validation_data):
        if utils.is_dataset_like(validation_data) or _is_generator_like(validation_data):
            return validation_data
        if not isinstance(validation_data, (list, tuple)) or len(validation_data) not in (2, 3):
            raise ValueError("When passing validation_data, it must contain 2 (x_val, y_val) or 3 (x_val, y_val, "
                             "val_sample_weights) items, however it contains %d items"
                             % (len(validation_data) if hasattr(validation_data, "__len__") else 0))
        val_x, val_y = validation_data[0], validation_data[1]
        val_w = validation_data[2] if len(validation_data) == 3 else None
        inputs, targets, weights = self._standardize_user_data(val_x, val_y, val_w)
        return inputs + targets + weights

    def _fit_batches(self, source, epochs, verbose, callbacks, validation, validation_steps, validation_freq,
                     initial_epoch, steps_per_epoch, val_batch_size=32):
        from .. import callbacks as callbacks_module
        step = self._make_train_function()
        do_validation = validation is not None
        if do_validation:
            self._make_test_function()
        names = self.metrics_names
        callback_metrics = names + (["val_" + n for n in names] if do_validation else [])
        self.history = callbacks_module.History()
        callback_list = callbacks_module.configure_callbacks(
            callbacks, self, do_validation=do_validation, epochs=epochs, steps=source.steps,
            samples=source.num_samples, batch_size=source.batch_size, verbose=verbose,
            count_mode=source.count_mode, metrics=callback_metrics, stateful_metrics=self._stateful_metric_names)
        self.stop_training = False
        callback_list.on_train_begin()
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            callback_list.on_epoch_begin(epoch)
            epoch_logs = {}
            for batch_index, batch in source.batches(self):
                batch_logs = {"batch": batch_index, "size": source.log_size(batch)}
                callback_list.on_batch_begin(batch_index, batch_logs)
                outs = step(batch)
                for name, value in zip(names, outs):
                    batch_logs[name] = float(value)
                callback_list.on_batch_end(batch_index, batch_logs)
                if self.stop_training:
                    break
            if do_validation and _should_validate(validation_freq, epoch):
                results = self._evaluate_source(self._validation_source(validation, validation_steps,
                                                                        val_batch_size))
                for name, value in zip(names, results):
                    epoch_logs["val_" + name] = value
            callback_list.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        callback_list.on_train_end()
        return self.history

    def _validation_source(self, validation, validation_steps, batch_size):
        if isinstance(validation, list):
            return _ArraySource(validation, batch_size, False, validation_steps)
        return _batch_source(self, validation, validation_steps, None, steps_name="validation_steps")

    # --- evaluate / predict ---------------------------------------------------------------------------
    def evaluate(self, x=None, y=None, batch_size=None, verbose=1, sample_weight=None, steps=None, callbacks=None,
                 max_queue_size=10, workers=1, use_multiprocessing=False):
        """The loss and metrics (a scalar, or a list named by `metrics_names`) on `x` / `y`, in batches
        of `batch_size` (32 by default)."""
        if _is_generator_like(x) or utils.is_dataset_like(x):
            if not self._is_compiled:
                raise RuntimeError(_NOT_COMPILED)
            source = _batch_source(self, x, steps, None)
        else:
            if not self._is_compiled:
                self._ensure_built(x)
                raise RuntimeError(_NOT_COMPILED)
            inputs, targets, weights = self._standardize_user_data(x, y, sample_weight)
            source = _ArraySource(inputs + targets + weights, 32 if batch_size is None else batch_size, False,
                                  steps)
        return nest.unwrap_single(self._evaluate_source(source, verbose=verbose, callbacks=callbacks))

    def _evaluate_source(self, source, verbose=0, callbacks=None):
        from ..utils.generic_utils import Progbar
        step = self._make_test_function()
        hooks = _hook_list(self, callbacks)
        hooks.on_test_begin({})
        self.reset_metrics()
        names = self.metrics_names
        stateful = set(self._stateful_metric_names)
        totals, seen, results = [0.] * len(names), 0, None
        progbar = Progbar(target=source.num_samples if source.count_mode == "samples" else source.steps,
                          verbose=verbose, stateful_metrics=stateful,
                          unit_name="sample" if source.count_mode == "samples" else "step") if verbose else None
        for index, batch in source.batches(self):
            size = source.log_size(batch)
            hooks.on_test_batch_begin(index, {"batch": index, "size": size})
            outs = step(batch)
            hooks.on_test_batch_end(index, dict({"batch": index, "size": size},
                                                **{n: float(v) for n, v in zip(names, outs)}))
            weight = 1 if source.count_mode == "steps" else size   # TF 1.15: steps are averaged unweighted
            seen += weight
            for i, (name, value) in enumerate(zip(names, outs)):
                totals[i] = value if name in stateful else totals[i] + value * weight
            results = outs
            if progbar is not None:
                progbar.update(seen if source.count_mode == "samples" else index + 1,
                               [(n, v) for n, v in zip(names, outs)])
        if results is None:
            raise ValueError("Empty evaluation data: no batch was produced.")
        values = [float(t) if n in stateful else float(t) / max(seen, 1) for n, t in zip(names, totals)]
        hooks.on_test_end({})
        if progbar is not None and progbar.target is None:
            progbar.update(seen if source.count_mode == "samples" else index + 1, finalize=True)
        return values

    def predict(self, x, batch_size=None, verbose=0, steps=None, callbacks=None, max_queue_size=10, workers=1,
                use_multiprocessing=False):
        """The model's outputs for `x` as NumPy arrays (a list for several outputs), in batches of
        `batch_size` (32 by default), with the learning phase False."""
        from ..utils.generic_utils import Progbar
        if _is_generator_like(x) or utils.is_dataset_like(x):
            source = _batch_source(self, x, steps, None, targets=False)
        else:
            inputs, _, _ = self._standardize_user_data(x, need_targets=False)
            source = _ArraySource(inputs, 32 if batch_size is None else batch_size, False, steps)
        step = self._make_predict_function()
        hooks = _hook_list(self, callbacks)
        hooks.on_predict_begin({})
        chunks = None
        progbar = Progbar(target=source.num_samples if source.count_mode == "samples" else source.steps,
                          verbose=verbose) if verbose else None
        seen = 0
        for index, batch in source.batches(self):
            hooks.on_predict_batch_begin(index, {"batch": index, "size": utils.batch_size_of(batch)})
            outs = step(batch[:len(self.inputs)])
            hooks.on_predict_batch_end(index, {"batch": index, "size": utils.batch_size_of(batch),
                                               "outputs": outs})
            chunks = [[] for _ in outs] if chunks is None else chunks
            for chunk, value in zip(chunks, outs):
                chunk.append(value)
            seen += utils.batch_size_of(batch)
            if progbar is not None:
                progbar.update(seen if source.count_mode == "samples" else index + 1)
        hooks.on_predict_end({})
        if chunks is None:
            raise ValueError("Empty prediction input: no batch was produced.")
        return nest.unwrap_single([np.concatenate(c, axis=0) for c in chunks])

    # --- single batches -----------------------------------------------------------------------------
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, reset_metrics=True):
        """One gradient update on one batch; returns the loss (and metrics, a list) for that batch."""
        if not self._is_compiled:
            self._ensure_built(x)
            raise RuntimeError(_NOT_COMPILED)
        inputs, targets, weights = self._standardize_user_data(x, y, sample_weight, class_weight)
        outs = self._make_train_function()(inputs + targets + weights)
        if reset_metrics:
            self.reset_metrics()
        return nest.unwrap_single([float(v) for v in outs])

    def test_on_batch(self, x, y=None, sample_weight=None, reset_metrics=True):
        """The loss (and metrics) on one batch, without updating the weights."""
        if not self._is_compiled:
            self._ensure_built(x)
            raise RuntimeError(_NOT_COMPILED)
        inputs, targets, weights = self._standardize_user_data(x, y, sample_weight)
        outs = self._make_test_function()(inputs + targets + weights)
        if reset_metrics:
            self.reset_metrics()
        return nest.unwrap_single([float(v) for v in outs])

    def predict_on_batch(self, x):
        """The outputs for one batch."""
        inputs, _, _ = self._standardize_user_data(x, need_targets=False)
        return nest.unwrap_single(self._make_predict_function()(inputs))

    # --- generators ---------------------------------------------------------------------------------
    def fit_generator(self, generator, steps_per_epoch=None, epochs=1, verbose=1, callbacks=None,
                      validation_data=None, validation_steps=None, validation_freq=1, class_weight=None,
                      max_queue_size=10, workers=1, use_multiprocessing=False, shuffle=True, initial_epoch=0):
        """`fit` on batches from a Python generator or a `keras.utils.Sequence` (batches are read in this
        thread; `workers` and `use_multiprocessing` are accepted for compatibility)."""
        return self.fit(generator, steps_per_epoch=steps_per_epoch, epochs=epochs, verbose=verbose,
                        callbacks=callbacks, validation_data=validation_data, validation_steps=validation_steps,
                        validation_freq=validation_freq, class_weight=class_weight, initial_epoch=initial_epoch,
                        shuffle=shuffle)

    def evaluate_generator(self, generator, steps=None, callbacks=None, max_queue_size=10, workers=1,
                           use_multiprocessing=False, verbose=0):
        """`evaluate` on batches from a generator or Sequence."""
        return self.evaluate(generator, steps=steps, verbose=verbose, callbacks=callbacks)

    def predict_generator(self, generator, steps=None, callbacks=None, max_queue_size=10, workers=1,
                          use_multiprocessing=False, verbose=0):
        """`predict` on batches from a generator or Sequence (each batch `x` or a tuple starting with it)."""
        return self.predict(generator, steps=steps, verbose=verbose, callbacks=callbacks)

    # --- saving ---------------------------------------------------------------------------------------
    def save(self, filepath, overwrite=True, include_optimizer=True, save_format=None, signatures=None):
        """Saves the architecture, weights and training configuration in one HDF5 file (`load_model`)."""
        from ..saving import save as saving
        return saving.save_model(self, filepath, overwrite=overwrite, include_optimizer=include_optimizer,
                                 save_format=save_format)

    def save_weights(self, filepath, overwrite=True, save_format=None):
        """Saves the weights: HDF5 in Keras' layout for '.h5'/'.keras' paths (or save_format='h5'), else a
        TensorFlow checkpoint."""
        from ..saving import save as saving
        return saving.save_weights(self, filepath, overwrite=overwrite, save_format=save_format)

    def load_weights(self, filepath, by_name=False, skip_mismatch=False):
        """Loads weights saved by `save_weights` (or by Keras), by layer order or, with `by_name`, by layer
        name."""
        from ..saving import save as saving
        return saving.load_weights(self, filepath, by_name=by_name, skip_mismatch=skip_mismatch)

    def to_json(self, **kwargs):
        """The architecture as Keras' JSON text (`model_from_json`)."""
        from ..saving import model_config
        return model_config.model_to_json(self, **kwargs)

    def to_yaml(self, **kwargs):
        """The architecture as YAML (needs PyYAML)."""
        from ..saving import model_config
        return model_config.model_to_yaml(self, **kwargs)


# --- helpers --------------------------------------------------------------------------------------------
def _sample_weight_placeholder(output_name, temporal):
    """Per-sample (or per-timestep) weights of one output: ones unless fed."""
    from ...ops.constant import placeholder_with_default
    ones = np.ones((1, 1) if temporal else (1,), dtype=backend.floatx())
    return placeholder_with_default(ones, shape=(None, None) if temporal else (None,),
                                    name=output_name + "_sample_weights")


def _deduplicate_names(names):
    out, counts = [], {}
    for name in names:
        if name in counts:
            counts[name] += 1
            out.append("%s_%d" % (name, counts[name]))
        else:
            counts[name] = 0
            out.append(name)
    return out


def _cast_for(tensor, array):
    if array is None:
        return None
    wanted = tensor.dtype.base_dtype.as_numpy_dtype
    return array if array.dtype == wanted else array.astype(wanted)


def _resolve_optimizer(optimizer):
    from ...train.optimizer import Optimizer as TrainOptimizer
    if isinstance(optimizer, TrainOptimizer):
        try:
            from .. import optimizers
            return optimizers.get(optimizer)
        except (ImportError, ValueError, TypeError):
            return optimizer   # minimized directly (see _optimizer_updates)
    from .. import optimizers
    return optimizers.get(optimizer)


def _optimizer_updates(optimizer, loss, params):
    from ...train.optimizer import Optimizer as TrainOptimizer
    if isinstance(optimizer, TrainOptimizer):
        return [optimizer.minimize(loss, var_list=params)]
    return optimizer.get_updates(loss=loss, params=params)


class _Step:
    """A compiled Keras function plus the learning-phase value to feed (True in training)."""

    def __init__(self, function, feeds_phase, training):
        self.function = function
        self.feeds_phase = feeds_phase
        self.training = training

    def __call__(self, arrays):
        values = list(arrays) + ([np.bool_(self.training)] if self.feeds_phase else [])
        return self.function(values)


def _hook_list(model, callbacks):
    """The user's callbacks of an `evaluate` / `predict` call, with the model set."""
    from .. import callbacks as callbacks_module
    hooks = callbacks_module.CallbackList(callbacks)
    hooks.set_model(model)
    return hooks


def _should_validate(validation_freq, epoch):
    if isinstance(validation_freq, int):
        if validation_freq < 1:
            raise ValueError("`validation_freq` can not be less than 1.")
        return (epoch + 1) % validation_freq == 0
    if isinstance(validation_freq, (list, tuple, set)):
        return (epoch + 1) in validation_freq
    raise ValueError("`validation_freq` must be an Integer or `collections_abc.Container` (e.g. list, tuple, "
                     "etc.) Found %s" % validation_freq)


def _is_generator_like(value):
    import inspect
    if inspect.isgenerator(value):
        return True
    return hasattr(value, "__getitem__") and hasattr(value, "__len__") and hasattr(value, "on_epoch_end") and \
        not isinstance(value, (np.ndarray, list, tuple, dict))


class _ArraySource:
    """Batches of in-memory arrays: `steps` batches per epoch, shuffled when asked."""
    count_mode = "samples"

    def log_size(self, batch):
        """The weight of a batch's loss in the epoch's average: its size (one per step in steps mode)."""
        return 1 if self.fixed_steps is not None else utils.batch_size_of(batch)

    def __init__(self, arrays, batch_size, shuffle, steps):
        self.arrays = arrays
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.num_samples = utils.batch_size_of(arrays)
        self.fixed_steps = steps
        if steps is not None:
            self.count_mode = "steps"
            self.num_samples = None
        self.steps = steps if steps is not None else int(np.ceil(self.num_samples / float(batch_size)))

    def batches(self, model):
        if self.fixed_steps is not None:
            for index in range(self.fixed_steps):
                yield index, self.arrays
            return
        count = self.num_samples
        if self.shuffle == "batch":
            order = _batch_shuffle(np.arange(count), self.batch_size)
        elif self.shuffle:
            order = np.random.permutation(count)
        else:
            order = None
        for index, (start, end) in enumerate(utils.make_batches(count, self.batch_size)):
            picked = slice(start, end) if order is None else order[start:end]
            yield index, utils.slice_arrays(self.arrays, picked)


def _batch_shuffle(index_array, batch_size):
    batch_count = len(index_array) // batch_size
    last = index_array[batch_count * batch_size:]
    index_array = index_array[:batch_count * batch_size].reshape((batch_count, batch_size))
    np.random.shuffle(index_array)
    return np.append(index_array.flatten(), last)


def _batch_source(model, data, steps, class_weight, targets=True, steps_name="steps"):
    from ...data import Iterator
    if isinstance(data, Iterator) and steps is None:
        raise ValueError("When using a Dataset iterator as input to a model, you should specify the `%s` "
                         "argument." % steps_name)
    if utils.is_dataset_like(data):
        return _DatasetSource(model, data, steps, class_weight, targets)
    return _GeneratorSource(model, data, steps, class_weight, targets)


def _split_element(model, element, class_weight, targets):
    """A dataset/generator element `(x, y[, w])` (or `x` alone for predictions) as feed arrays."""
    if not targets:
        x = element[0] if isinstance(element, tuple) else element
        inputs, _, _ = model._standardize_user_data(x, need_targets=False)
        return inputs
    if not isinstance(element, (tuple, list)) or len(element) not in (2, 3):
        raise ValueError("Output of generator should be a tuple `(x, y, sample_weight)` or `(x, y)`. Found: " +
                         str(element)[:200])
    x, y = element[0], element[1]
    w = element[2] if len(element) == 3 else None
    inputs, target_arrays, weights = model._standardize_user_data(x, y, w, class_weight)
    return inputs + target_arrays + weights


class _GeneratorSource:
    """Batches from a Python generator (needs `steps`) or a `keras.utils.Sequence` (its length)."""
    count_mode = "steps"
    num_samples = None
    batch_size = None

    @staticmethod
    def log_size(batch):
        return utils.batch_size_of(batch)

    def __init__(self, model, generator, steps, class_weight, targets):
        is_sequence = hasattr(generator, "__getitem__") and hasattr(generator, "__len__")
        if steps is None:
            if not is_sequence:
                raise ValueError("`steps=None` is only valid for a generator based on the `keras.utils.Sequence` "
                                 "class. Please specify `steps` or use the `keras.utils.Sequence` class.")
            steps = len(generator)
        self.generator, self.steps, self.is_sequence = generator, steps, is_sequence
        self.class_weight, self.targets = class_weight, targets

    def batches(self, model):
        for index in range(self.steps):
            if self.is_sequence:
                element = self.generator[index % len(self.generator)]
            else:
                try:
                    element = next(self.generator)
                except StopIteration:
                    return
            yield index, _split_element(model, element, self.class_weight, self.targets)
        if self.is_sequence and hasattr(self.generator, "on_epoch_end"):
            self.generator.on_epoch_end()


class _DatasetSource:
    """Batches read from a tf.data Dataset or Iterator in the Keras session (a Dataset is re-read from its
    start each epoch; without `steps` an epoch ends when the data does)."""
    count_mode = "steps"
    num_samples = None
    batch_size = None

    @staticmethod
    def log_size(batch):
        return 1   # TF 1.15 averages a dataset's batches per step

    def __init__(self, model, data, steps, class_weight, targets):
        from ...data import Dataset
        graph = model.outputs[0].graph if model.outputs else None
        context = graph.as_default() if graph is not None else _nullcontext()
        with context:
            if isinstance(data, Dataset):
                self.iterator = data.make_initializable_iterator()
                self.initializer = self.iterator.initializer
            else:
                self.iterator, self.initializer = data, None
            self.next_element = self.iterator.get_next()
        self.steps, self.class_weight, self.targets = steps, class_weight, targets

    def batches(self, model):
        from ...framework import errors
        session = backend.get_session()
        if self.initializer is not None:
            session.run(self.initializer)
        index = 0
        while self.steps is None or index < self.steps:
            try:
                element = session.run(self.next_element)
            except errors.OutOfRangeError:
                return
            yield index, _split_element(model, element, self.class_weight, self.targets)
            index += 1


class _nullcontext:  # noqa: N801
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

