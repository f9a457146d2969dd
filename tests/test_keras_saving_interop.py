"""Files written by numflow's tf.keras load in real Keras (tf_keras, same layouts as TF 1.15's tf.keras)
with the same predictions, and the reverse: HDF5 weights, TensorFlow checkpoints of the weights and
whole models in HDF5, for a Dense MLP, a small CNN, an LSTM and a model with a nested Sequential.

Real Keras runs in the interpreter named by NUMFLOW_TF_PYTHON (with tensorflow, tf_keras and h5py)."""
import json
import os
import subprocess
import traceback

import numpy as np
import pytest

from numflow import keras
import keras_saving_models as models
from tf_parity import TF_PYTHON, requires_tensorflow

pytest.importorskip("h5py", reason="the HDF5 format needs h5py (pip install h5py)")
pytestmark = requires_tensorflow

FORMATS = ("weights_h5", "checkpoint", "model_h5")
FILES = {"weights_h5": "%s_%s_w.h5", "checkpoint": "%s_%s_ckpt", "model_h5": "%s_%s_m.h5"}

_ORACLE = r"""
import json, os, sys, traceback
import numpy as np
import tensorflow as tf
tf.compat.v1.disable_eager_execution()
import tf_keras as keras
sys.path.insert(0, sys.argv[1])
import keras_saving_models as models
folder, kinds = sys.argv[2], sys.argv[3].split(",")
values, failures = {}, {}

def attempt(key, action):
    keras.backend.clear_session()
    try:
        values[key] = action()
    except Exception:
        failures[key] = traceback.format_exc()[-2500:]

def load_weights(kind, name):
    model = models.build(keras, kind)
    model.load_weights(os.path.join(folder, name))
    return model.predict(models.inputs_for(kind))

def load_model(kind, name):
    return keras.models.load_model(os.path.join(folder, name), compile=False).predict(models.inputs_for(kind))

def save_all(kind):
    model = models.build(keras, kind)
    model.set_weights(models.seeded_weights(model, 2))
    model.save_weights(os.path.join(folder, "keras_%s_w.h5" % kind))
    model.save_weights(os.path.join(folder, "keras_%s_ckpt" % kind))
    if kind not in models.NO_CONFIG:
        model.save(os.path.join(folder, "keras_%s_m.h5" % kind))
    return model.predict(models.inputs_for(kind))

def compiled_from_numflow():
    model = keras.models.load_model(os.path.join(folder, "numflow_mlp_compiled.h5"))
    models.continue_training(model)
    return model.predict(models.inputs_for("mlp"))

def compiled_checkpoint_from_numflow():
    model = models.build(keras, "mlp")
    model.compile(optimizer=keras.optimizers.legacy.Adam(0.01), loss="mse", metrics=["mae"])
    model.load_weights(os.path.join(folder, "numflow_mlp_compiled_ckpt"))
    models.continue_training(model)
    return model.predict(models.inputs_for("mlp"))

def compiled_keras():
    model = models.build(keras, "mlp")
    model.set_weights(models.seeded_weights(model, 2))
    models.train_compiled(keras, model, keras.optimizers.legacy.Adam(0.01))
    model.save(os.path.join(folder, "keras_mlp_compiled.h5"))
    model.save_weights(os.path.join(folder, "keras_mlp_compiled_ckpt"))
    models.continue_training(model)
    return model.predict(models.inputs_for("mlp"))

for kind in kinds:
    if kind == "mlp":
        attempt("mlp/compiled", compiled_from_numflow)
        attempt("mlp/compiled_ckpt", compiled_checkpoint_from_numflow)
        attempt("mlp/compiled_keras", compiled_keras)
    attempt(kind + "/weights_h5", lambda: load_weights(kind, "numflow_%s_w.h5" % kind))
    attempt(kind + "/checkpoint", lambda: load_weights(kind, "numflow_%s_ckpt" % kind))
    if kind not in models.NO_CONFIG:
        attempt(kind + "/model_h5", lambda: load_model(kind, "numflow_%s_m.h5" % kind))
    attempt(kind + "/keras", lambda: save_all(kind))
np.savez(os.path.join(folder, "oracle.npz"), **{k.replace("/", "__"): v for k, v in values.items()})
with open(os.path.join(folder, "failures.json"), "w") as f:
    json.dump(failures, f)
"""


def _available(kind):
    return not models.missing_layers(keras, kind)


@pytest.fixture(scope="module")
def exchange(tmp_path_factory):
    """Writes numflow's files for every model whose layers exist, runs real Keras once on them (loading
    ours, writing its own), and returns (folder, numflow's predictions, Keras' values, Keras' failures)."""
    folder = str(tmp_path_factory.mktemp("keras_interop"))
    ours, failures = {}, {}
    kinds = [kind for kind in models.ARCHITECTURES if _available(kind)]
    for kind in kinds:
        keras.backend.clear_session()
        try:
            model = models.build(keras, kind)
            model.set_weights(models.seeded_weights(model, 1))
            ours[kind] = model.predict(models.inputs_for(kind))
            for fmt in FORMATS:
                if fmt == "model_h5" and kind in models.NO_CONFIG:
                    continue
                path = os.path.join(folder, FILES[fmt] % ("numflow", kind))
                model.save(path) if fmt == "model_h5" else model.save_weights(path)
            if kind == "mlp":           # compiled: the optimizer's state travels too
                models.train_compiled(keras, model, keras.optimizers.Adam(0.01))
                model.save(os.path.join(folder, "numflow_mlp_compiled.h5"))
                model.save_weights(os.path.join(folder, "numflow_mlp_compiled_ckpt"))
                models.continue_training(model)
                ours["mlp/compiled"] = model.predict(models.inputs_for("mlp"))
        except Exception:
            failures[kind + "/numflow"] = traceback.format_exc()[-3000:]
    keras.backend.clear_session()
    theirs = {}
    for kind in kinds:                  # one run per model, so a hang or crash in one spares the others
        try:
            done = subprocess.run([TF_PYTHON, "-c", _ORACLE, os.path.dirname(os.path.abspath(__file__)), folder,
                                   kind], capture_output=True, text=True, timeout=180,
                                  env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
        except subprocess.TimeoutExpired:
            failures[kind + "/oracle"] = "real Keras did not finish in 180 s"
            continue
        if done.returncode != 0:
            failures[kind + "/oracle"] = done.stderr[-3000:]
            continue
        theirs.update({k.replace("__", "/"): v for k, v in np.load(os.path.join(folder, "oracle.npz")).items()})
        with open(os.path.join(folder, "failures.json")) as f:
            failures.update(json.load(f))
    return folder, ours, theirs, failures


def _need(kind, fmt=None):
    if fmt == "model_h5" and kind in models.NO_CONFIG:
        pytest.skip("a subclassed model has no config to save whole (as in Keras)")
    missing = models.missing_layers(keras, kind)
    if missing:
        pytest.skip("numflow's tf.keras.layers has no %s yet" % ", ".join(missing))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", list(models.ARCHITECTURES))
def test_numflow_files_load_in_real_keras(exchange, kind, fmt):
    _need(kind, fmt)
    _, ours, theirs, failures = exchange
    key = "%s/%s" % (kind, fmt)
    assert kind + "/numflow" not in failures, failures.get(kind + "/numflow")
    assert kind + "/oracle" not in failures, failures.get(kind + "/oracle")
    assert key not in failures, failures.get(key)
    np.testing.assert_allclose(theirs[key], ours[kind], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", list(models.ARCHITECTURES))
def test_real_keras_files_load_in_numflow(exchange, kind, fmt):
    _need(kind, fmt)
    folder, _, theirs, failures = exchange
    assert kind + "/oracle" not in failures, failures.get(kind + "/oracle")
    assert kind + "/keras" not in failures, failures.get(kind + "/keras")
    keras.backend.clear_session()
    path = os.path.join(folder, FILES[fmt] % ("keras", kind))
    if fmt == "model_h5":
        model = keras.models.load_model(path)
    else:
        model = models.build(keras, kind)
        model.load_weights(path)
    np.testing.assert_allclose(model.predict(models.inputs_for(kind)), theirs[kind + "/keras"], rtol=1e-5,
                               atol=1e-5)
    keras.backend.clear_session()


def test_real_keras_h5_weights_load_by_name(exchange):
    _need("mlp")
    folder, _, theirs, failures = exchange
    assert "mlp/keras" not in failures, failures.get("mlp/keras")
    keras.backend.clear_session()
    model = models.build(keras, "mlp")
    model.load_weights(os.path.join(folder, FILES["weights_h5"] % ("keras", "mlp")), by_name=True)
    np.testing.assert_allclose(model.predict(models.inputs_for("mlp")), theirs["mlp/keras"], rtol=1e-5, atol=1e-5)
    keras.backend.clear_session()


def test_compiled_models_continue_training_across_libraries(exchange):
    """A model saved with its Adam state after two epochs trains on identically after loading, in real
    Keras (numflow's file) and in numflow (Keras' file)."""
    _need("mlp")
    folder, ours, theirs, failures = exchange
    for key in ("mlp/numflow", "mlp/oracle", "mlp/compiled", "mlp/compiled_keras"):
        assert key not in failures, failures.get(key)
    np.testing.assert_allclose(theirs["mlp/compiled"], ours["mlp/compiled"], rtol=1e-5, atol=1e-6)
    keras.backend.clear_session()
    model = keras.models.load_model(os.path.join(folder, "keras_mlp_compiled.h5"))
    assert type(model.optimizer).__name__ == "Adam"
    models.continue_training(model)
    np.testing.assert_allclose(model.predict(models.inputs_for("mlp")), theirs["mlp/compiled_keras"], rtol=1e-5,
                               atol=1e-6)
    keras.backend.clear_session()


def test_checkpoints_with_optimizer_state_cross_libraries(exchange):
    """save_weights of a compiled model in TF format carries the Adam slots and iterations (TF's
    object-based layout), so training continues identically after load_weights on either side."""
    _need("mlp")
    folder, ours, theirs, failures = exchange
    for key in ("mlp/numflow", "mlp/oracle", "mlp/compiled_ckpt", "mlp/compiled_keras"):
        assert key not in failures, failures.get(key)
    np.testing.assert_allclose(theirs["mlp/compiled_ckpt"], ours["mlp/compiled"], rtol=1e-5, atol=1e-6)
    keras.backend.clear_session()
    model = models.build(keras, "mlp")
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
    model.load_weights(os.path.join(folder, "keras_mlp_compiled_ckpt"))
    models.continue_training(model)
    np.testing.assert_allclose(model.predict(models.inputs_for("mlp")), theirs["mlp/compiled_keras"], rtol=1e-5,
                               atol=1e-6)
    keras.backend.clear_session()
