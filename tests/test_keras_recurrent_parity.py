"""The recurrent layers against real Keras (tf_keras, the Keras 2 of TF 1.15's layouts) on the same
weights and inputs: gate orders, bias layouts and the masked-step rule must agree. Runs where
NUMFLOW_TF_PYTHON names an interpreter with TensorFlow and tf_keras; skipped otherwise."""
import os
import subprocess

import numpy as np
import pytest

import numflow as tf
from tf_parity import TF_PYTHON, requires_tensorflow

# name -> (layer config as both sides construct it, whether a mask is fed)
CASES = {
    "lstm": ("LSTM", dict(units=3, recurrent_activation="hard_sigmoid", return_sequences=True,
                          return_state=True), False),
    "lstm_masked": ("LSTM", dict(units=3, recurrent_activation="sigmoid", return_state=True), True),
    "gru": ("GRU", dict(units=3, recurrent_activation="hard_sigmoid", reset_after=False,
                        return_sequences=True), False),
    "gru_reset_after": ("GRU", dict(units=3, recurrent_activation="sigmoid", reset_after=True,
                                    go_backwards=True, return_sequences=True), True),
    "simple_rnn": ("SimpleRNN", dict(units=3, return_sequences=True), True),
}

_SCRIPT = r"""
import sys, numpy as np, tensorflow as tf
tf.compat.v1.disable_v2_behavior()
import tf_keras as keras
from tf_keras.src import backend as keras_backend  # graph-mode session (not exported in Keras 2.1x)
data = np.load(sys.argv[1], allow_pickle=False)
results = {}
for name, class_name, config, masked in CASES:
    x = keras.Input((5, 4))
    mask = keras.Input((5,), dtype="bool")
    layer = getattr(keras.layers, class_name)(**config)
    out = layer(x, mask=mask) if masked else layer(x)
    sess = keras_backend.get_session()
    layer.set_weights([data[name + "_w%d" % i] for i in range(len(layer.weights))])
    values = sess.run(out if isinstance(out, list) else [out], {x: data["x"], mask: data["mask"]})
    for i, v in enumerate(values):
        results["%s_%d" % (name, i)] = v
np.savez(sys.argv[2], **results)
"""


@requires_tensorflow
def test_recurrent_layers_match_real_keras(tmp_path):
    rng = np.random.RandomState(0)
    x_value = rng.randn(2, 5, 4).astype(np.float32)
    mask_value = np.array([[1, 1, 0, 1, 0], [1, 0, 1, 1, 1]], dtype=bool)
    arrays = {"x": x_value, "mask": mask_value}
    ours = {}
    for name, (class_name, config, masked) in CASES.items():
        tf.keras.backend.clear_session()
        x = tf.keras.Input((5, 4))
        layer = getattr(tf.keras.layers, class_name)(**config)
        out = layer(x, mask=tf.constant(mask_value)) if masked else layer(x)
        weights = [rng.uniform(-0.7, 0.7, size=w.shape.as_list()).astype(np.float32) for w in layer.weights]
        layer.set_weights(weights)
        for i, w in enumerate(weights):
            arrays["%s_w%d" % (name, i)] = w
        values = tf.keras.backend.get_session().run(out if isinstance(out, list) else [out], {x: x_value})
        for i, v in enumerate(values):
            ours["%s_%d" % (name, i)] = v
    tf.keras.backend.clear_session()
    inputs, outputs = str(tmp_path / "inputs.npz"), str(tmp_path / "outputs.npz")
    np.savez(inputs, **arrays)
    cases = [(name, c, cfg, m) for name, (c, cfg, m) in CASES.items()]
    script = "CASES = %r\n" % (cases,) + _SCRIPT
    result = subprocess.run([TF_PYTHON, "-c", script, inputs, outputs], capture_output=True, text=True,
                            timeout=300, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    if "No module named 'tf_keras'" in result.stderr:
        pytest.skip("the TensorFlow interpreter has no tf_keras")
    assert result.returncode == 0, result.stderr[-3000:]
    theirs = dict(np.load(outputs, allow_pickle=False))
    assert sorted(theirs) == sorted(ours)
    for key in ours:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=1e-5, atol=1e-6, err_msg=key)


_LOAD_SCRIPT = r"""
import sys, numpy as np, tensorflow as tf
tf.compat.v1.disable_v2_behavior()
import tf_keras as keras
layers = keras.layers
model = keras.Sequential([
    layers.LSTM(6, return_sequences=True, input_shape=(5, 3), recurrent_activation="hard_sigmoid"),
    layers.Bidirectional(layers.GRU(4, recurrent_activation="hard_sigmoid", reset_after=False,
                                    return_sequences=True), merge_mode="sum"),
    layers.SimpleRNN(2)])
model.load_weights(sys.argv[1])
np.save(sys.argv[3], model.predict(np.load(sys.argv[2])))
"""


@requires_tensorflow
def test_hdf5_weights_of_recurrent_model_load_in_real_keras(tmp_path):
    pytest.importorskip("h5py")
    layers = tf.keras.layers
    tf.keras.backend.clear_session()
    model = tf.keras.Sequential([
        layers.LSTM(6, return_sequences=True, input_shape=(5, 3)),
        layers.Bidirectional(layers.GRU(4, return_sequences=True), merge_mode="sum"),
        layers.SimpleRNN(2)])
    x_value = np.random.RandomState(1).randn(4, 5, 3).astype(np.float32)
    weights, inputs, outputs = (str(tmp_path / name) for name in ("w.h5", "x.npy", "y.npy"))
    np.save(inputs, x_value)
    model.save_weights(weights)
    ours = model.predict(x_value)
    tf.keras.backend.clear_session()
    result = subprocess.run([TF_PYTHON, "-c", _LOAD_SCRIPT, weights, inputs, outputs], capture_output=True,
                            text=True, timeout=300, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    if "No module named 'tf_keras'" in result.stderr:
        pytest.skip("the TensorFlow interpreter has no tf_keras")
    assert result.returncode == 0, result.stderr[-3000:]
    np.testing.assert_allclose(ours, np.load(outputs, allow_pickle=False), rtol=1e-5, atol=1e-6)
