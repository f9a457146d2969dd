"""tf.keras.callbacks driven by Model.fit: History, BaseLogger, EarlyStopping, ModelCheckpoint,
ReduceLROnPlateau, LearningRateScheduler, CSVLogger, TerminateOnNaN, LambdaCallback, RemoteMonitor and
TensorBoard event files."""
import csv
import importlib.util
import os

import numpy as np
import pytest

import numflow as tf
from numflow import keras
from numflow.keras import backend as K
from numflow.keras import callbacks, layers


@pytest.fixture(autouse=True)
def fresh_graph():
    K.clear_session()
    yield
    K.clear_session()


def mse(y_true, y_pred):
    return tf.reduce_mean(tf.square(y_true - y_pred), axis=-1)


class LearningRate:
    """A TF1 optimizer whose learning rate is a variable (`lr`), as callbacks change it."""

    def __init__(self, value):
        self.lr = tf.Variable(value, dtype=tf.float32, trainable=False, name="lr")
        self.optimizer = tf.train.GradientDescentOptimizer(self.lr)


def compiled_model(lr=0.05):
    x = keras.Input(shape=(3,))
    model = keras.Model(x, layers.Dense(1)(x))
    rate = LearningRate(lr)
    model.compile(rate.optimizer, loss=mse)
    model.optimizer.lr = rate.lr     # what ReduceLROnPlateau / LearningRateScheduler change
    return model


def data(n=32, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.randn(n, 3).astype(np.float32)
    return x, (x @ np.array([[1.], [-1.], [2.]])).astype(np.float32)


class Recorder(callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.events = []

    def on_train_begin(self, logs=None):
        self.events.append(("train_begin",))

    def on_epoch_begin(self, epoch, logs=None):
        self.events.append(("epoch_begin", epoch))

    def on_batch_end(self, batch, logs=None):
        self.events.append(("batch_end", batch, logs["size"], "loss" in logs))

    def on_epoch_end(self, epoch, logs=None):
        self.events.append(("epoch_end", epoch, sorted(logs)))

    def on_train_end(self, logs=None):
        self.events.append(("train_end",))


def test_callback_order_params_and_logs():
    model = compiled_model()
    x, y = data(20)
    recorder = Recorder()
    model.fit(x, y, epochs=2, batch_size=8, callbacks=[recorder], validation_data=(x, y), verbose=0)
    assert recorder.model is model
    assert recorder.params["epochs"] == 2 and recorder.params["samples"] == 20 and recorder.params["do_validation"]
    assert recorder.params["metrics"] == ["loss", "val_loss"]
    epoch = [("epoch_begin", 0), ("batch_end", 0, 8, True), ("batch_end", 1, 8, True), ("batch_end", 2, 4, True),
             ("epoch_end", 0, ["loss", "val_loss"])]
    assert recorder.events[:6] == [("train_begin",)] + epoch
    assert recorder.events[-1] == ("train_end",) and len(recorder.events) == 12


def test_base_logger_weights_batches_by_size():
    model = compiled_model()
    x, y = data(20)
    batches = []
    lambda_callback = callbacks.LambdaCallback(on_batch_end=lambda batch, logs: batches.append((logs["size"],
                                                                                              logs["loss"])))
    history = model.fit(x, y, epochs=1, batch_size=8, callbacks=[lambda_callback], verbose=0)
    sizes, losses = np.array(batches).T
    np.testing.assert_allclose(history.history["loss"][0], np.sum(sizes * losses) / 20, rtol=1e-6)


def test_early_stopping_patience_and_restore_best_weights():
    model = compiled_model()
    x, y = data()
    values = iter([5., 4., 4.5, 4.2, 4.1, 3.0, 1.0])
    snapshots = []

    class FakeMonitor(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["watched"] = next(values)
            snapshots.append(self.model.get_weights())

    stopper = callbacks.EarlyStopping(monitor="watched", patience=2, restore_best_weights=True)
    history = model.fit(x, y, epochs=7, callbacks=[FakeMonitor(), stopper], verbose=0)
    assert history.epoch == [0, 1, 2, 3] and stopper.stopped_epoch == 3
    for restored, best in zip(model.get_weights(), snapshots[1]):
        np.testing.assert_array_equal(restored, best)


def test_early_stopping_baseline_and_min_delta():
    model = compiled_model()
    x, y = data()
    stopper = callbacks.EarlyStopping(monitor="loss", baseline=-1.0, patience=1)
    assert model.fit(x, y, epochs=5, callbacks=[stopper], verbose=0).epoch == [0]
    stopper = callbacks.EarlyStopping(monitor="loss", min_delta=1e9, patience=2)
    assert model.fit(x, y, epochs=5, callbacks=[stopper], verbose=0).epoch == [0, 1, 2]


def test_early_stopping_warns_about_a_missing_metric(caplog):
    model = compiled_model()
    x, y = data()
    model.fit(x, y, epochs=1, callbacks=[callbacks.EarlyStopping(monitor="val_acc")], verbose=0)
    assert "Early stopping conditioned on metric `val_acc` which is not available" in caplog.text


def test_model_checkpoint_formats_names_and_saves_the_best(tmp_path, monkeypatch):
    saved = []
    model = compiled_model()
    monkeypatch.setattr(model, "save_weights", lambda path, overwrite=True: saved.append(("weights", path)))
    monkeypatch.setattr(model, "save", lambda path, overwrite=True: saved.append(("model", path)))
    values = iter([3., 2., 2.5, 1.])

    class FakeMonitor(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["val_loss"] = next(values)

    pattern = str(tmp_path / "w.{epoch:02d}-{val_loss:.1f}.h5")
    checkpoint = callbacks.ModelCheckpoint(pattern, save_best_only=True, save_weights_only=True)
    x, y = data()
    model.fit(x, y, epochs=4, callbacks=[FakeMonitor(), checkpoint], verbose=0)
    assert saved == [("weights", str(tmp_path / name)) for name in ("w.01-3.0.h5", "w.02-2.0.h5", "w.04-1.0.h5")]
    saved.clear()
    model.fit(x, y, epochs=4, callbacks=[callbacks.ModelCheckpoint(str(tmp_path / "m{epoch}.h5"), period=2)],
              verbose=0)
    assert saved == [("model", str(tmp_path / "m2.h5")), ("model", str(tmp_path / "m4.h5"))]


@pytest.mark.skipif(importlib.util.find_spec("h5py") is None, reason="h5py is not installed")
def test_model_checkpoint_writes_loadable_weights(tmp_path):
    model = compiled_model()
    x, y = data()
    path = str(tmp_path / "best.h5")
    model.fit(x, y, epochs=2, callbacks=[callbacks.ModelCheckpoint(path, monitor="loss", save_weights_only=True)],
              verbose=0)
    expected = model.get_weights()
    model.set_weights([np.zeros_like(w) for w in expected])
    model.load_weights(path)
    for loaded, saved in zip(model.get_weights(), expected):
        np.testing.assert_array_equal(loaded, saved)


def test_reduce_lr_on_plateau_multiplies_the_learning_rate():
    model = compiled_model(lr=0.1)
    x, y = data()
    values = iter([1., 1., 1., 1., 1., 1.])

    class Flat(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["flat"] = next(values)

    reducer = callbacks.ReduceLROnPlateau(monitor="flat", factor=0.5, patience=2, min_lr=0.02)
    history = model.fit(x, y, epochs=6, callbacks=[Flat(), reducer], verbose=0)
    np.testing.assert_allclose(history.history["lr"], [0.1, 0.1, 0.1, 0.05, 0.05, 0.025], rtol=1e-6)
    np.testing.assert_allclose(K.get_value(model.optimizer.lr), 0.025, rtol=1e-6)
    with pytest.raises(ValueError, match="ReduceLROnPlateau does not support a factor >= 1.0"):
        callbacks.ReduceLROnPlateau(factor=1.0)


def test_learning_rate_scheduler_sets_the_rate_each_epoch():
    model = compiled_model()
    x, y = data()
    seen = []
    probe = callbacks.LambdaCallback(on_epoch_begin=lambda epoch, logs: seen.append(
        float(K.get_value(model.optimizer.lr))))
    scheduler = callbacks.LearningRateScheduler(lambda epoch: 0.1 / (epoch + 1))
    model.fit(x, y, epochs=3, callbacks=[scheduler, probe], verbose=0)
    np.testing.assert_allclose(seen, [0.1, 0.05, 0.1 / 3], rtol=1e-6)
    bad = callbacks.LearningRateScheduler(lambda epoch: "fast")
    with pytest.raises(ValueError, match='The output of the "schedule" function should be float'):
        model.fit(x, y, epochs=1, callbacks=[bad], verbose=0)


def test_csv_logger_rows_and_append(tmp_path):
    model = compiled_model()
    x, y = data()
    path = str(tmp_path / "log.csv")
    history = model.fit(x, y, epochs=2, validation_data=(x, y), callbacks=[callbacks.CSVLogger(path)], verbose=0)
    model.fit(x, y, epochs=1, validation_data=(x, y), callbacks=[callbacks.CSVLogger(path, append=True)],
              verbose=0)
    with open(path) as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["epoch", "loss", "val_loss"] and len(rows) == 4
    assert [r[0] for r in rows[1:]] == ["0", "1", "0"]
    np.testing.assert_allclose(float(rows[2][1]), history.history["loss"][1], rtol=1e-6)


def test_terminate_on_nan_stops_at_the_first_bad_batch(capsys):
    model = compiled_model(lr=1e30)
    x, y = data()
    history = model.fit(x * 1e10, y, epochs=5, batch_size=4, callbacks=[callbacks.TerminateOnNaN()], verbose=0)
    assert len(history.epoch) == 1 and "Invalid loss, terminating training" in capsys.readouterr().out


def test_remote_monitor_names_the_missing_package(monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "requests", None)
    model = compiled_model()
    x, y = data()
    with pytest.raises(ImportError, match="RemoteMonitor requires the `requests` library"):
        model.fit(x, y, epochs=1, callbacks=[callbacks.RemoteMonitor()], verbose=0)


def test_tensorboard_writes_epoch_scalars_and_the_graph(tmp_path):
    model = compiled_model()
    x, y = data()
    board = callbacks.TensorBoard(log_dir=str(tmp_path), histogram_freq=1)
    history = model.fit(x, y, epochs=2, validation_data=(x, y), callbacks=[board], verbose=0)
    files = os.listdir(tmp_path)
    assert len(files) == 1 and files[0].startswith("events.out.tfevents.")
    scalars, graphs, histograms = {}, 0, set()
    for event in tf.train.summary_iterator(str(tmp_path / files[0])):
        if event.HasField("graph_def"):
            graphs += 1
        for value in event.summary.value:
            if value.HasField("histo"):
                histograms.add(value.tag)
            else:
                scalars.setdefault(value.tag, []).append((event.step, value.simple_value))
    assert graphs == 1 and sorted(scalars) == ["loss", "val_loss"]
    assert [s for s, _ in scalars["loss"]] == [0, 1]
    np.testing.assert_allclose([v for _, v in scalars["val_loss"]], history.history["val_loss"], rtol=1e-6)
    assert histograms == {"dense/kernel_0", "dense/bias_0"}


def test_train_batch_hooks_and_evaluate_predict_callbacks():
    events = []

    class Hooks(callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            events.append(("train_batch", batch))

        def on_test_begin(self, logs=None):
            events.append(("test_begin",))

        def on_test_batch_end(self, batch, logs=None):
            events.append(("test_batch", batch, logs["size"], round(logs["loss"], 6) >= 0))

        def on_test_end(self, logs=None):
            events.append(("test_end",))

        def on_predict_batch_end(self, batch, logs=None):
            events.append(("predict_batch", batch, logs["outputs"][0].shape))

    model = compiled_model()
    x, y = data(12)
    model.fit(x, y, epochs=1, batch_size=8, callbacks=[Hooks()], verbose=0)
    model.evaluate(x, y, batch_size=8, callbacks=[Hooks()], verbose=0)
    model.predict(x, batch_size=8, callbacks=[Hooks()])
    assert events == [("train_batch", 0), ("train_batch", 1), ("test_begin",), ("test_batch", 0, 8, True),
                      ("test_batch", 1, 4, True), ("test_end",), ("predict_batch", 0, (8, 1)),
                      ("predict_batch", 1, (4, 1))]


def test_tensorboard_batch_summaries_every_n_samples(tmp_path):
    model = compiled_model()
    x, y = data(40)
    batch_losses = []
    probe = callbacks.LambdaCallback(on_batch_end=lambda batch, logs: batch_losses.append(logs["loss"]))
    board = callbacks.TensorBoard(log_dir=str(tmp_path), update_freq=20, write_graph=False)
    model.fit(x, y, epochs=1, batch_size=10, callbacks=[probe, board], verbose=0)
    (name,) = os.listdir(tmp_path)
    written = [(event.step, value.tag, value.simple_value) for event in tf.train.summary_iterator(str(tmp_path / name))
               for value in event.summary.value]
    assert [(step, tag) for step, tag, _ in written] == [(1, "batch_loss"), (3, "batch_loss"), (0, "epoch_loss")]
    np.testing.assert_allclose([v for _, _, v in written[:2]], [batch_losses[1], batch_losses[3]], rtol=1e-6)
