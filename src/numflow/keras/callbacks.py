"""`tf.keras.callbacks`: objects `fit` calls at the start and end of training, of each epoch and of each
batch, with the logs (the loss and metrics, 'val_' + name for validation) so far."""
import collections
import csv
import io
import os

import numpy as np

from . import backend

__all__ = ["Callback", "CallbackList", "History", "BaseLogger", "ProgbarLogger", "ModelCheckpoint",
           "EarlyStopping", "ReduceLROnPlateau", "LearningRateScheduler", "CSVLogger", "TerminateOnNaN",
           "LambdaCallback", "RemoteMonitor", "TensorBoard", "configure_callbacks"]


class Callback:
    """The base class: override the `on_*` methods you need. `self.model` is the model being trained and
    `self.params` its fit parameters (epochs, steps, samples, verbose, do_validation, metrics)."""

    def __init__(self):
        self.validation_data = None
        self.model = None
        self.params = None

    def set_params(self, params):
        """Receives `fit`'s parameters (epochs, steps, samples, verbose, do_validation, metrics)."""
        self.params = params

    def set_model(self, model):
        """Receives the model being trained."""
        self.model = model

    def on_batch_begin(self, batch, logs=None):
        """Called before each training batch (logs: 'batch', 'size')."""

    def on_batch_end(self, batch, logs=None):
        """Called after each training batch (logs: the batch's loss and metrics)."""

    def on_epoch_begin(self, epoch, logs=None):
        """Called at the start of each epoch."""

    def on_epoch_end(self, epoch, logs=None):
        """Called at the end of each epoch (logs: the epoch's loss, metrics and validation results)."""

    def on_train_begin(self, logs=None):
        """Called when training starts."""

    def on_train_end(self, logs=None):
        """Called when training ends."""

    def on_train_batch_begin(self, batch, logs=None):
        """Called before each training batch; by default `on_batch_begin`."""
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        """Called after each training batch; by default `on_batch_end`."""
        self.on_batch_end(batch, logs)

    def on_test_begin(self, logs=None):
        """Called when `evaluate` starts."""

    def on_test_end(self, logs=None):
        """Called when `evaluate` ends."""

    def on_test_batch_begin(self, batch, logs=None):
        """Called before each `evaluate` batch."""

    def on_test_batch_end(self, batch, logs=None):
        """Called after each `evaluate` batch (logs: its loss and metrics)."""

    def on_predict_begin(self, logs=None):
        """Called when `predict` starts."""

    def on_predict_end(self, logs=None):
        """Called when `predict` ends."""

    def on_predict_batch_begin(self, batch, logs=None):
        """Called before each `predict` batch."""

    def on_predict_batch_end(self, batch, logs=None):
        """Called after each `predict` batch (logs: 'outputs')."""


class CallbackList:
    """Calls each of a list of callbacks in order."""

    def __init__(self, callbacks=None):
        self.callbacks = list(callbacks or [])
        self.params, self.model = {}, None

    def append(self, callback):
        """Adds `callback` at the end."""
        self.callbacks.append(callback)

    def set_params(self, params):
        self.params = params
        for callback in self.callbacks:
            callback.set_params(params)

    def set_model(self, model):
        self.model = model
        for callback in self.callbacks:
            callback.set_model(model)

    def _call(self, method, *args):
        for callback in self.callbacks:
            getattr(callback, method)(*args)

    def on_batch_begin(self, batch, logs=None):
        self._call("on_train_batch_begin", batch, logs if logs is not None else {})

    def on_batch_end(self, batch, logs=None):
        self._call("on_train_batch_end", batch, logs if logs is not None else {})

    def __getattr__(self, name):
        # on_test_* / on_predict_*: forwarded to every callback as they are
        if name.startswith(("on_test_", "on_predict_")):
            return lambda *args: self._call(name, *args)
        raise AttributeError(name)

    def on_epoch_begin(self, epoch, logs=None):
        self._call("on_epoch_begin", epoch, logs if logs is not None else {})

    def on_epoch_end(self, epoch, logs=None):
        self._call("on_epoch_end", epoch, logs if logs is not None else {})

    def on_train_begin(self, logs=None):
        self._call("on_train_begin", logs if logs is not None else {})

    def on_train_end(self, logs=None):
        self._call("on_train_end", logs if logs is not None else {})

    def __iter__(self):
        return iter(self.callbacks)


class BaseLogger(Callback):
    """Averages the per-batch values (weighted by batch size) over each epoch into the epoch's logs;
    the `stateful_metrics` already hold epoch-long values and are copied as they are."""

    def __init__(self, stateful_metrics=None):
        super().__init__()
        self.stateful_metrics = set(stateful_metrics or [])

    def on_epoch_begin(self, epoch, logs=None):
        self.seen = 0
        self.totals = {}

    def on_batch_end(self, batch, logs=None):
        logs = logs or {}
        size = logs.get("size", 0)
        self.seen += size
        for key, value in logs.items():
            if key in ("batch", "size"):
                continue
            if key in self.stateful_metrics:
                self.totals[key] = value
            else:
                self.totals[key] = self.totals.get(key, 0.) + value * size

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        for key in self.params["metrics"]:
            if key in self.totals:
                value = self.totals[key]
                logs[key] = value if key in self.stateful_metrics else value / max(self.seen, 1)


class ProgbarLogger(Callback):
    """Prints 'Epoch i/n' and Keras' progress bar (count_mode 'samples' or 'steps')."""

    def __init__(self, count_mode="samples", stateful_metrics=None):
        super().__init__()
        if count_mode not in ("samples", "steps"):
            raise ValueError("Unknown `count_mode`: " + str(count_mode))
        self.use_steps = count_mode == "steps"
        self.stateful_metrics = set(stateful_metrics or [])

    def on_train_begin(self, logs=None):
        self.verbose = self.params["verbose"]
        self.epochs = self.params["epochs"]

    def on_epoch_begin(self, epoch, logs=None):
        from .utils.generic_utils import Progbar
        self.seen = 0
        self.target = self.params["steps"] if self.use_steps else self.params["samples"]
        if self.verbose:
            if self.epochs > 1:
                print("Epoch %d/%d" % (epoch + 1, self.epochs))
            self.progbar = Progbar(target=self.target, verbose=self.verbose, stateful_metrics=self.stateful_metrics,
                                   unit_name="step" if self.use_steps else "sample")

    def on_batch_begin(self, batch, logs=None):
        if self.seen < (self.target or np.inf):
            self.log_values = []

    def on_batch_end(self, batch, logs=None):
        logs = logs or {}
        self.seen += 1 if self.use_steps else logs.get("size", 0)
        self.log_values = [(k, logs[k]) for k in self.params["metrics"] if k in logs]
        if self.verbose and (self.target is None or self.seen < self.target):
            self.progbar.update(self.seen, self.log_values)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        for k in self.params["metrics"]:
            if k in logs:
                self.log_values.append((k, logs[k]))
        if self.verbose:
            self.progbar.update(self.seen, self.log_values, finalize=True)


class History(Callback):
    """Records each epoch's logs: `history.history['loss']` is the list of epoch losses, `history.epoch`
    the epoch numbers. `fit` returns it."""

    def on_train_begin(self, logs=None):
        self.epoch = []
        self.history = {}

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self.epoch.append(epoch)
        for key, value in logs.items():
            self.history.setdefault(key, []).append(value)


def configure_callbacks(callbacks, model, do_validation=False, epochs=1, steps=None, samples=None,
                        batch_size=None, verbose=1, count_mode="samples", metrics=None, stateful_metrics=None):
    """The CallbackList `fit` uses: BaseLogger, the user's callbacks, ProgbarLogger (when verbose) and
    the model's History last, with the model and parameters set."""
    history = model.history if isinstance(getattr(model, "history", None), History) else History()
    model.history = history
    callbacks = [BaseLogger(stateful_metrics=stateful_metrics)] + list(callbacks or [])
    if verbose:
        callbacks.append(ProgbarLogger(count_mode, stateful_metrics=stateful_metrics))
    callbacks.append(history)
    callback_list = CallbackList(callbacks)
    callback_list.set_model(model)
    callback_list.set_params({"batch_size": batch_size, "epochs": epochs, "steps": steps, "samples": samples,
                              "verbose": verbose, "do_validation": do_validation, "metrics": metrics or []})
    return callback_list


# --- monitoring a quantity ---------------------------------------------------------------------------
def _monitor_op(mode, monitor, callback_name):
    """np.less or np.greater for `mode` ('min', 'max', or 'auto': 'max' for accuracies)."""
    if mode not in ("auto", "min", "max"):
        import logging
        logging.getLogger("numflow").warning("%s mode %s is unknown, fallback to auto mode.", callback_name, mode)
        mode = "auto"
    if mode == "min":
        return np.less
    if mode == "max":
        return np.greater
    return np.greater if ("acc" in monitor or monitor.startswith("fmeasure")) else np.less


def _warn(message, *args):
    import logging
    logging.getLogger("numflow").warning(message, *args)


class ModelCheckpoint(Callback):
    """Saves the model (or, with `save_weights_only`, its weights) after each `period` epochs to
    `filepath`, which may name fields of the epoch and logs ('weights.{epoch:02d}-{val_loss:.2f}.hdf5');
    with `save_best_only` only when `monitor` improved (mode 'min', 'max' or 'auto')."""

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False, save_weights_only=False,
                 mode="auto", period=1, save_freq="epoch", load_weights_on_restart=False):
        super().__init__()
        self.monitor, self.verbose, self.filepath = monitor, verbose, filepath
        self.save_best_only, self.save_weights_only = save_best_only, save_weights_only
        self.period, self.epochs_since_last_save = period, 0
        self.monitor_op = _monitor_op(mode, monitor, "ModelCheckpoint")
        self.best = np.inf if self.monitor_op is np.less else -np.inf

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self.epochs_since_last_save += 1
        if self.epochs_since_last_save < self.period:
            return
        self.epochs_since_last_save = 0
        filepath = self.filepath.format(epoch=epoch + 1, **logs)
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                _warn("Can save best model only with %s available, skipping.", self.monitor)
                return
            if not self.monitor_op(current, self.best):
                if self.verbose > 0:
                    print("\nEpoch %05d: %s did not improve from %0.5f" % (epoch + 1, self.monitor, self.best))
                return
            if self.verbose > 0:
                print("\nEpoch %05d: %s improved from %0.5f to %0.5f, saving model to %s"
                      % (epoch + 1, self.monitor, self.best, current, filepath))
            self.best = current
        elif self.verbose > 0:
            print("\nEpoch %05d: saving model to %s" % (epoch + 1, filepath))
        if self.save_weights_only:
            self.model.save_weights(filepath, overwrite=True)
        else:
            self.model.save(filepath, overwrite=True)


class EarlyStopping(Callback):
    """Stops training when `monitor` has not improved by more than `min_delta` for `patience` epochs (or
    never reached `baseline`); `restore_best_weights` puts back the weights of the best epoch."""

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto", baseline=None,
                 restore_best_weights=False):
        super().__init__()
        self.monitor, self.patience, self.verbose = monitor, patience, verbose
        self.baseline, self.restore_best_weights = baseline, restore_best_weights
        self.min_delta = abs(min_delta)
        self.wait, self.stopped_epoch, self.best_weights = 0, 0, None
        self.monitor_op = _monitor_op(mode, monitor, "EarlyStopping")
        if self.monitor_op is np.less:
            self.min_delta *= -1

    def on_train_begin(self, logs=None):
        self.wait, self.stopped_epoch = 0, 0
        if self.baseline is not None:
            self.best = self.baseline
        else:
            self.best = np.inf if self.monitor_op is np.less else -np.inf

    def on_epoch_end(self, epoch, logs=None):
        current = (logs or {}).get(self.monitor)
        if current is None:
            _warn("Early stopping conditioned on metric `%s` which is not available. Available metrics are: %s",
                  self.monitor, ",".join(sorted((logs or {}).keys())))
            return
        if self.monitor_op(current - self.min_delta, self.best):
            self.best = current
            self.wait = 0
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = epoch
                self.model.stop_training = True
                if self.restore_best_weights and self.best_weights is not None:
                    if self.verbose > 0:
                        print("Restoring model weights from the end of the best epoch.")
                    self.model.set_weights(self.best_weights)

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print("Epoch %05d: early stopping" % (self.stopped_epoch + 1))


def _learning_rate_variable(model):
    optimizer = model.optimizer
    for name in ("lr", "learning_rate", "_lr", "_learning_rate"):
        value = getattr(optimizer, name, None)
        if value is not None and hasattr(value, "load"):
            return value
    raise ValueError('Optimizer must have a "lr" attribute.')


class ReduceLROnPlateau(Callback):
    """Multiplies the optimizer's learning rate (its `lr` variable) by `factor` when `monitor` has not
    improved for `patience` epochs, then waits `cooldown` epochs; never below `min_lr`."""

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto", min_delta=1e-4,
                 cooldown=0, min_lr=0, **kwargs):
        super().__init__()
        if "epsilon" in kwargs:
            min_delta = kwargs.pop("epsilon")
        if kwargs:
            raise TypeError("Unrecognized keyword arguments: " + str(sorted(kwargs)))
        if factor >= 1.0:
            raise ValueError("ReduceLROnPlateau does not support a factor >= 1.0.")
        self.monitor, self.factor, self.min_lr, self.min_delta = monitor, factor, min_lr, min_delta
        self.patience, self.verbose, self.cooldown = patience, verbose, cooldown
        self.mode = mode
        self._reset()

    def _reset(self):
        op = _monitor_op(self.mode, self.monitor, "Learning Rate Plateau Reducing")
        if op is np.less:
            self.monitor_op = lambda a, b: np.less(a, b - self.min_delta)
            self.best = np.inf
        else:
            self.monitor_op = lambda a, b: np.greater(a, b + self.min_delta)
            self.best = -np.inf
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        variable = _learning_rate_variable(self.model)
        logs["lr"] = float(backend.get_value(variable))
        current = logs.get(self.monitor)
        if current is None:
            _warn("Reduce LR on plateau conditioned on metric `%s` which is not available. Available metrics "
                  "are: %s", self.monitor, ",".join(sorted(logs.keys())))
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self.monitor_op(current, self.best):
            self.best = current
            self.wait = 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience:
                old = float(backend.get_value(variable))
                if old > self.min_lr:
                    new = max(old * self.factor, self.min_lr)
                    backend.set_value(variable, new)
                    if self.verbose > 0:
                        print("\nEpoch %05d: ReduceLROnPlateau reducing learning rate to %s." % (epoch + 1, new))
                    self.cooldown_counter = self.cooldown
                    self.wait = 0


class LearningRateScheduler(Callback):
    """Sets the optimizer's learning rate at each epoch's start to `schedule(epoch)` (or
    `schedule(epoch, lr)`)."""

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule, self.verbose = schedule, verbose

    def on_epoch_begin(self, epoch, logs=None):
        variable = _learning_rate_variable(self.model)
        try:
            lr = self.schedule(epoch, float(backend.get_value(variable)))
        except TypeError:
            lr = self.schedule(epoch)
        if not isinstance(lr, (float, np.float32, np.float64)):
            raise ValueError('The output of the "schedule" function should be float.')
        backend.set_value(variable, lr)
        if self.verbose > 0:
            print("\nEpoch %05d: LearningRateScheduler reducing learning rate to %s." % (epoch + 1, lr))

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["lr"] = float(backend.get_value(_learning_rate_variable(self.model)))


class CSVLogger(Callback):
    """Writes each epoch's logs as a CSV row ('epoch' first, then the keys sorted) to `filename`;
    `append=True` continues an existing file."""

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.filename, self.sep, self.append = filename, separator, append
        self.writer, self.keys, self.file = None, None, None

    def on_train_begin(self, logs=None):
        has_rows = self.append and os.path.exists(self.filename) and os.path.getsize(self.filename) > 0
        self.append_header = not has_rows
        self.file = io.open(self.filename, "a" if self.append else "w", newline="")

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}

        def text(value):
            if isinstance(value, (list, tuple, np.ndarray)) and np.ndim(value) > 0:
                return '"[%s]"' % ", ".join(map(str, value))
            return value

        if self.keys is None:
            self.keys = sorted(logs.keys())
        if self.model.stop_training:
            logs = dict((k, logs.get(k, "NA")) for k in self.keys)
        if self.writer is None:
            self.writer = csv.DictWriter(self.file, fieldnames=["epoch"] + self.keys, delimiter=self.sep)
            if self.append_header:
                self.writer.writeheader()
        row = collections.OrderedDict({"epoch": epoch})
        row.update((key, text(logs.get(key))) for key in self.keys)
        self.writer.writerow(row)
        self.file.flush()

    def on_train_end(self, logs=None):
        if self.file is not None:
            self.file.close()
        self.writer = None


class TerminateOnNaN(Callback):
    """Stops training when a batch's loss is NaN or infinite."""

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and (np.isnan(loss) or np.isinf(loss)):
            print("Batch %d: Invalid loss, terminating training" % batch)
            self.model.stop_training = True


class LambdaCallback(Callback):
    """A callback from functions: `on_epoch_begin(epoch, logs)`, `on_epoch_end(epoch, logs)`,
    `on_batch_begin(batch, logs)`, `on_batch_end(batch, logs)`, `on_train_begin(logs)`,
    `on_train_end(logs)`."""

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_batch_begin=None, on_batch_end=None,
                 on_train_begin=None, on_train_end=None, **kwargs):
        super().__init__()
        self.__dict__.update(kwargs)
        noop = lambda *args: None  # noqa: E731
        self.on_epoch_begin = on_epoch_begin or noop
        self.on_epoch_end = on_epoch_end or noop
        self.on_batch_begin = on_batch_begin or noop
        self.on_batch_end = on_batch_end or noop
        self.on_train_begin = on_train_begin or noop
        self.on_train_end = on_train_end or noop


class RemoteMonitor(Callback):
    """Posts each epoch's logs as JSON to `root + path` (needs the `requests` package)."""

    def __init__(self, root="http://localhost:9000", path="/publish/epoch/end/", field="data", headers=None,
                 send_as_json=False):
        super().__init__()
        self.root, self.path, self.field = root, path, field
        self.headers, self.send_as_json = headers, send_as_json

    def on_epoch_end(self, epoch, logs=None):
        try:
            import requests
        except ImportError:
            raise ImportError("RemoteMonitor requires the `requests` library, which is not installed: pip install "
                              "requests") from None
        import json
        send = {"epoch": epoch}
        for key, value in (logs or {}).items():
            send[key] = value.item() if isinstance(value, (np.ndarray, np.generic)) else value
        try:
            if self.send_as_json:
                requests.post(self.root + self.path, json=send, headers=self.headers)
            else:
                requests.post(self.root + self.path, {self.field: json.dumps(send)}, headers=self.headers)
        except requests.exceptions.RequestException:
            _warn("Warning: could not reach RemoteMonitor root server at %s", self.root)


class TensorBoard(Callback):
    """Writes the epoch logs as scalar summaries to event files under `log_dir` (validation values under
    their 'val_' names), the graph when `write_graph`, and weight histograms every `histogram_freq`
    epochs; `update_freq` 'batch' (each batch) or an integer (every that many samples) also writes batch
    values ('batch_' + name, the epoch values then as 'epoch_' + name)."""

    def __init__(self, log_dir="./logs", histogram_freq=0, batch_size=32, write_graph=True, write_grads=False,
                 write_images=False, embeddings_freq=0, embeddings_layer_names=None, embeddings_metadata=None,
                 embeddings_data=None, update_freq="epoch", profile_batch=2):
        super().__init__()
        self.log_dir, self.histogram_freq, self.write_graph = log_dir, histogram_freq, write_graph
        self.update_freq = 1 if update_freq == "batch" else update_freq
        self.writer = None
        self._samples_seen = self._samples_at_last_write = 0
        self._total_batches = 0
        self._histogram_ops = None

    def set_model(self, model):
        from ..summary import FileWriter
        self.model = model
        graph = model.outputs[0].graph if getattr(model, "outputs", None) else backend.get_graph()
        if self.writer is None:
            self.writer = FileWriter(self.log_dir, graph=graph if self.write_graph else None)

    def _write_scalars(self, values, step):
        from ..summary import Summary
        summary = Summary(value=[Summary.Value(tag=name, simple_value=float(value))
                                 for name, value in sorted(values.items())])
        self.writer.add_summary(summary, step)

    def on_batch_end(self, batch, logs=None):
        if self.update_freq == "epoch":
            return
        logs = logs or {}
        # an integer update_freq counts samples, as in TF 1.15; the step is the number of batches before
        self._samples_seen += logs.get("size", 1)
        if self._samples_seen - self._samples_at_last_write >= self.update_freq:
            self._write_scalars({"batch_" + k: v for k, v in logs.items() if k not in ("batch", "size")},
                                self._total_batches)
            self._samples_at_last_write = self._samples_seen
        self._total_batches += 1

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self._write_scalars({("epoch_" + k if self.update_freq != "epoch" else k): v for k, v in logs.items()
                             if k not in ("batch", "size")}, epoch)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._write_histograms(epoch)
        self.writer.flush()

    def _write_histograms(self, epoch):
        from .. import summary as tf_summary
        if self._histogram_ops is None:
            graph = self.model.outputs[0].graph
            with graph.as_default():
                ops = []
                for layer in self.model.layers:
                    for weight in layer.weights:
                        ops.append(tf_summary.histogram(weight.name.replace(":", "_"), weight))
                self._histogram_ops = tf_summary.merge(ops) if ops else None
        if self._histogram_ops is not None:
            self.writer.add_summary(backend.get_session().run(self._histogram_ops), epoch)

    def on_train_end(self, logs=None):
        if self.writer is not None:
            self.writer.close()

