"""The non-recurrent Keras layers against real Keras (tf_keras, TF 1.15's layouts) on the same weights and
inputs: kernel layouts, padding rules, data formats, bias layouts and weight names must agree. Runs where
NUMFLOW_TF_PYTHON names an interpreter with TensorFlow and tf_keras; skipped otherwise."""
import json
import os
import subprocess

import numpy as np

import numflow as tf
from tf_parity import TF_PYTHON, requires_tensorflow

# (class name, constructor arguments, input shapes, or "ids" for integer indices)
CASES = [
    ("Conv2DTranspose", dict(filters=2, kernel_size=3, strides=2, padding="same"), [(2, 3, 4, 3)]),
    ("Conv2DTranspose", dict(filters=2, kernel_size=3, strides=2, padding="same", output_padding=1,
                             data_format="channels_first"), [(2, 3, 3, 4)]),
    ("Conv2DTranspose", dict(filters=2, kernel_size=4, strides=3, padding="valid"), [(1, 3, 3, 2)]),
    ("Conv3DTranspose", dict(filters=2, kernel_size=2, strides=2, padding="same"), [(1, 2, 2, 2, 3)]),
    ("SeparableConv1D", dict(filters=2, kernel_size=3, depth_multiplier=2, padding="causal"), [(2, 6, 3)]),
    ("SeparableConv2D", dict(filters=2, kernel_size=3, strides=2, padding="same", data_format="channels_first"),
     [(2, 3, 5, 5)]),
    ("DepthwiseConv2D", dict(kernel_size=3, depth_multiplier=2, padding="same"), [(2, 5, 5, 3)]),
    ("Conv1D", dict(filters=2, kernel_size=3, padding="causal", dilation_rate=2), [(2, 7, 3)]),
    ("Conv2D", dict(filters=2, kernel_size=3, strides=2, padding="same", data_format="channels_first"),
     [(2, 3, 6, 5)]),
    ("Conv3D", dict(filters=2, kernel_size=2, strides=(1, 2, 1), activation="tanh"), [(1, 3, 4, 3, 2)]),
    ("UpSampling2D", dict(size=(2, 3), interpolation="bilinear"), [(1, 3, 4, 2)]),
    ("UpSampling2D", dict(size=2, interpolation="bilinear", data_format="channels_first"), [(1, 2, 3, 4)]),
    ("LocallyConnected1D", dict(filters=2, kernel_size=3, strides=2, data_format="channels_first"), [(2, 3, 7)]),
    ("LocallyConnected2D", dict(filters=2, kernel_size=(2, 3), data_format="channels_first"), [(2, 3, 4, 5)]),
    ("LocallyConnected2D", dict(filters=2, kernel_size=(2, 3), strides=2), [(2, 4, 5, 3)]),
    ("LocallyConnected1D", dict(filters=2, kernel_size=3, strides=2, implementation=2,
                                data_format="channels_first"), [(2, 3, 7)]),
    ("LocallyConnected2D", dict(filters=2, kernel_size=(2, 3), strides=(1, 2), implementation=2), [(2, 4, 5, 3)]),
    ("Dot", dict(axes=(1, 2), normalize=True), [(2, 3, 4), (2, 5, 3)]),
    ("Attention", dict(use_scale=True), [(2, 3, 4), (2, 5, 4)]),
    ("AdditiveAttention", dict(), [(2, 3, 4), (2, 5, 4)]),
    ("PReLU", dict(shared_axes=[1]), [(2, 3, 4)]),
    ("ReLU", dict(max_value=2.0, negative_slope=0.1, threshold=0.5), [(2, 6)]),
    ("BatchNormalization", dict(axis=1), [(4, 3, 2, 2)]),
    ("AveragePooling2D", dict(pool_size=3, strides=2, padding="same", data_format="channels_first"),
     [(2, 3, 5, 5)]),
    ("MaxPooling1D", dict(pool_size=3, strides=2, padding="same"), [(2, 7, 3)]),
    ("Cropping2D", dict(cropping=((1, 0), (2, 1)), data_format="channels_first"), [(1, 2, 4, 5)]),
    ("Flatten", dict(data_format="channels_first"), [(2, 3, 4, 2)]),
    ("Embedding", dict(input_dim=5, output_dim=3, input_length=4), "ids"),
    ("Dense", dict(units=3, activation="relu"), [(2, 5, 4)]),
]

_SCRIPT = r"""
import json, sys, numpy as np, tensorflow as tf
tf.compat.v1.disable_v2_behavior()
import tf_keras as keras
from tf_keras.src import backend as keras_backend
data = np.load(sys.argv[1], allow_pickle=False)
cases = json.loads(str(data["cases"]))
results = {}
for index, (class_name, config, count, weight_count) in enumerate(cases):
    keras.backend.clear_session()
    xs = [data["x%d_%d" % (index, i)] for i in range(count)]
    inputs = [tf.compat.v1.placeholder(x.dtype, [None] + list(x.shape[1:])) for x in xs]
    layer = getattr(keras.layers, class_name)(**config)
    out = layer(inputs if count > 1 else inputs[0])
    sess = keras_backend.get_session()
    layer.set_weights([data["w%d_%d" % (index, i)] for i in range(weight_count)])
    results["out%d" % index] = sess.run(out, dict(zip(inputs, xs)))
    results["names%d" % index] = np.array([w.name for w in layer.weights] or [""])
np.savez(sys.argv[2], **results)
"""


def _inputs(spec, rng):
    if spec == "ids":
        return [np.array([[0, 1, 4, 2], [3, 0, 0, 1]], dtype=np.int32)]
    return [rng.randn(*shape).astype(np.float32) for shape in spec]


@requires_tensorflow
def test_layers_match_real_keras(tmp_path):
    rng = np.random.RandomState(0)
    arrays, ours, names, cases = {}, {}, {}, []
    for index, (class_name, config, spec) in enumerate(CASES):
        xs = _inputs(spec, rng)
        with tf.Graph().as_default():
            layer = getattr(tf.keras.layers, class_name)(**config)
            inputs = [tf.placeholder(tf.as_dtype(x.dtype), [None] + list(x.shape[1:])) for x in xs]
            out = layer(inputs if len(xs) > 1 else inputs[0])
            weights = []
            for w in layer.weights:
                value = rng.uniform(-1, 1, size=w.shape.as_list()).astype(np.float32)
                if "moving_variance" in w.name:
                    value = np.abs(value) + 0.5
                weights.append(np.asarray(value))
            layer.set_weights(weights)
            ours[index] = tf.keras.backend.get_session().run(out, dict(zip(inputs, xs)))
            names[index] = [w.name for w in layer.weights]
        for i, x in enumerate(xs):
            arrays["x%d_%d" % (index, i)] = x
        for i, w in enumerate(weights):
            arrays["w%d_%d" % (index, i)] = w
        cases.append([class_name, config, len(xs), len(weights)])
    arrays["cases"] = np.array(json.dumps(cases))
    source, target = str(tmp_path / "in.npz"), str(tmp_path / "out.npz")
    np.savez(source, **arrays)
    completed = subprocess.run([TF_PYTHON, "-c", _SCRIPT, source, target], capture_output=True, text=True,
                               timeout=600, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    assert completed.returncode == 0, completed.stderr[-3000:]
    theirs = np.load(target, allow_pickle=False)
    for index, (class_name, config, _) in enumerate(CASES):
        label = "%s %s" % (class_name, config)
        np.testing.assert_allclose(ours[index], theirs["out%d" % index], rtol=1e-4, atol=1e-5, err_msg=label)
        their_names = [n for n in theirs["names%d" % index].tolist() if n]
        assert [n.split("/", 1)[1] for n in names[index]] == [n.split("/", 1)[1] for n in their_names], label
