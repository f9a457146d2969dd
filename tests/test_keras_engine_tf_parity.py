"""The functional graph as real Keras sees it: the same program, run here and under the interpreter named by
NUMFLOW_TF_PYTHON (tf_keras in graph mode), gives the same layer order, output names and Keras config
(inbound nodes with node indices of shared layers, input and output layers)."""
import json
import subprocess

import pytest

from numflow.keras import backend as K
from tf_parity import TF_PYTHON, requires_tensorflow

PROGRAM = """
def describe(keras):
    L = keras.layers
    a, b, c = keras.Input(shape=(3,), name="a"), keras.Input(shape=(3,), name="b"), keras.Input(shape=(2,), name="c")
    shared = L.Dense(2, name="shared")
    added = L.Add(name="add")([shared(a), shared(b)])
    second = L.Dense(1, name="o2")(L.Concatenate(name="cat")([shared(a), c]))
    third = L.Dense(1, name="o3")(c)
    inner = keras.Sequential([L.Dense(2, input_shape=(3,), name="inner_dense")], name="inner")
    fourth = L.Dense(1, name="o4")(inner(a))
    model = keras.Model([a, b, c], [added, second, third, fourth], name="parity")
    config = model.get_config()
    return {"layers": [layer.name for layer in model.layers], "outputs": model.output_names,
            "inbound": [[layer["name"], layer["inbound_nodes"]] for layer in config["layers"]],
            "input_layers": config["input_layers"], "output_layers": config["output_layers"],
            "params": model.count_params()}
"""

RUN_IN_TF = PROGRAM + """
import json, tensorflow as tf
tf.compat.v1.disable_eager_execution()
import tf_keras
print(json.dumps(describe(tf_keras)))
"""


@requires_tensorflow
def test_functional_graph_matches_real_keras():
    namespace = {}
    exec(PROGRAM, namespace)
    K.clear_session()
    from numflow import keras
    ours = json.loads(json.dumps(namespace["describe"](keras)))
    K.clear_session()
    out = subprocess.run([TF_PYTHON, "-c", RUN_IN_TF], capture_output=True, text=True, timeout=300)
    if out.returncode != 0 and "No module named 'tf_keras'" in out.stderr:
        pytest.skip("the TensorFlow interpreter has no tf_keras")
    assert out.returncode == 0, out.stderr[-2000:]
    theirs = json.loads(out.stdout.strip().splitlines()[-1])
    assert ours == theirs


TRAINING = """
def train(keras):
    import numpy as np
    rng = np.random.RandomState(0)
    L = keras.layers
    model = keras.Sequential([L.Dense(3, activation="relu", input_shape=(4,)), L.Dense(2, activation="softmax")])
    optimizers = getattr(keras.optimizers, "legacy", keras.optimizers)   # tf_keras' graph-mode optimizers
    model.compile(optimizers.SGD(0.1, momentum=0.5), "categorical_crossentropy",
                  metrics=["categorical_accuracy"])
    model.set_weights([rng.randn(*w.shape).astype("float32") for w in model.get_weights()])
    x = rng.randn(6, 4).astype("float32")
    y = np.eye(2, dtype="float32")[[0, 1, 1, 0, 1, 0]]
    weights = np.array([1., 2., 0., 1., .5, 3.], "float32")
    steps = [model.train_on_batch(x, y, sample_weight=weights) for _ in range(3)]
    steps.append(model.train_on_batch(x, y, class_weight={0: 1., 1: 4.}))
    history = model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    return {"steps": [[float(v) for v in s] for s in steps], "loss": [float(v) for v in history.history["loss"]],
            "evaluate": [float(v) for v in model.evaluate(x, y, batch_size=4, verbose=0)],
            "weights": [w.tolist() for w in model.get_weights()]}
"""


@requires_tensorflow
def test_training_steps_match_real_keras():
    import numpy as np
    namespace = {}
    exec(TRAINING, namespace)
    K.clear_session()
    from numflow import keras
    ours = namespace["train"](keras)
    K.clear_session()
    out = subprocess.run([TF_PYTHON, "-c", TRAINING + RUN_IN_TF.split("print(")[0] +
                          "print(json.dumps(train(tf_keras)))"], capture_output=True, text=True, timeout=300)
    if out.returncode != 0 and "No module named 'tf_keras'" in out.stderr:
        pytest.skip("the TensorFlow interpreter has no tf_keras")
    assert out.returncode == 0, out.stderr[-2000:]
    theirs = json.loads(out.stdout.strip().splitlines()[-1])
    for key in ("steps", "loss", "evaluate"):
        np.testing.assert_allclose(ours[key], theirs[key], rtol=1e-4, atol=1e-6, err_msg=key)
    for a, b in zip(ours["weights"], theirs["weights"]):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
