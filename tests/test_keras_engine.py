"""tf.keras models in graph mode: functional graphs (layer order, shared layers, re-application, several
inputs/outputs, nesting, configs, summaries), Sequential and subclassed models, and their error messages."""
import json

import numpy as np
import pytest

import numflow as tf
from numflow import keras
from numflow.keras import backend as K
from numflow.keras import layers


@pytest.fixture(autouse=True)
def fresh_graph():
    K.clear_session()
    yield
    K.clear_session()


def dense_forward(x, kernel, bias, relu=False):
    out = x @ kernel + bias
    return np.maximum(out, 0) if relu else out


def mse(y_true, y_pred):
    return tf.reduce_mean(tf.square(y_true - y_pred), axis=-1)


class AddTwo(layers.Layer):
    """A merge layer of the test's own (the tests do not depend on keras.layers.merge)."""

    def call(self, inputs):
        return inputs[0] + inputs[1]


class Join(layers.Layer):
    def call(self, inputs):
        return tf.concat(inputs, axis=-1)


def small_mlp():
    x = keras.Input(shape=(4,), name="features")
    h = layers.Dense(5, activation="relu", name="hidden")(x)
    y = layers.Dense(2, name="out")(h)
    return keras.Model(x, y, name="mlp")


# --- functional graphs ------------------------------------------------------------------------------
def test_functional_model_collects_layers_in_topological_order():
    model = small_mlp()
    assert model.name == "mlp"
    assert [layer.name for layer in model.layers] == ["features", "hidden", "out"]
    assert model.input_names == ["features"] and model.output_names == ["out"]
    assert model.get_layer("hidden") is model.layers[1]
    assert model.get_layer(index=2).name == "out"
    assert model.input_shape == (None, 4) and model.output_shape == (None, 2)
    assert len(model.weights) == 4 and len(model.trainable_weights) == 4
    assert [w.name for w in model.weights] == ["hidden/kernel:0", "hidden/bias:0", "out/kernel:0", "out/bias:0"]


def test_model_names_count_per_graph():
    x = keras.Input(shape=(2,))
    a = keras.Model(x, layers.Dense(1)(x))
    b = keras.Model(x, layers.Dense(1)(x))
    assert (a.name, b.name) == ("model", "model_1")


def test_get_layer_errors():
    model = small_mlp()
    with pytest.raises(ValueError, match="No such layer: nope"):
        model.get_layer("nope")
    with pytest.raises(ValueError, match="Was asked to retrieve layer at index 7 but model only has 3 layers"):
        model.get_layer(index=7)
    with pytest.raises(ValueError, match="Provide either a layer name or layer index"):
        model.get_layer()


def test_predict_matches_numpy_forward_pass():
    model = small_mlp()
    x = np.random.RandomState(0).randn(70, 4).astype(np.float32)
    k1, b1, k2, b2 = model.get_weights()
    expected = dense_forward(dense_forward(x, k1, b1, relu=True), k2, b2)
    np.testing.assert_allclose(model.predict(x, batch_size=16), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.predict_on_batch(x[:3]), expected[:3], rtol=1e-5, atol=1e-6)


def test_calling_a_model_on_new_tensors_reuses_its_weights():
    model = small_mlp()
    count = len(tf.global_variables())
    other = tf.placeholder(tf.float32, [None, 4])
    y = model(other)
    assert len(tf.global_variables()) == count           # no new variables: the layers are shared
    assert y.shape.as_list() == [None, 2]
    x = np.ones((3, 4), np.float32)
    np.testing.assert_allclose(K.get_session().run(y, {other: x}), model.predict(x), rtol=1e-6)


def test_shared_layer_on_two_inputs():
    a, b = keras.Input(shape=(3,)), keras.Input(shape=(3,))
    shared = layers.Dense(2, name="shared")
    out = AddTwo()([shared(a), shared(b)])
    model = keras.Model([a, b], out)
    assert len(model.weights) == 2
    kernel, bias = model.get_weights()
    xa, xb = np.arange(6.).reshape(2, 3), np.ones((2, 3))
    np.testing.assert_allclose(model.predict([xa, xb]), xa @ kernel + xb @ kernel + 2 * bias, rtol=1e-5)
    config = model.get_config()
    add_entry = [l for l in config["layers"] if l["class_name"] == "AddTwo"][0]
    assert add_entry["inbound_nodes"] == [[["shared", 0, 0, {}], ["shared", 1, 0, {}]]]


def test_multi_input_multi_output_predict_returns_a_list():
    a, b = keras.Input(shape=(2,), name="a"), keras.Input(shape=(3,), name="b")
    merged = Join()([a, b])
    y1 = layers.Dense(1, name="y1")(merged)
    y2 = layers.Dense(4, name="y2")(merged)
    model = keras.Model([a, b], [y1, y2])
    out = model.predict({"a": np.ones((5, 2)), "b": np.zeros((5, 3))})
    assert isinstance(out, list) and [o.shape for o in out] == [(5, 1), (5, 4)]


def test_nested_model_as_a_layer():
    inner = small_mlp()
    x = keras.Input(shape=(4,))
    y = layers.Dense(1, name="head")(inner(x))
    outer = keras.Model(x, y)
    assert [l.name for l in outer.layers] == ["input_1", "mlp", "head"]
    assert len(outer.weights) == 6
    data = np.random.RandomState(1).randn(4, 4).astype(np.float32)
    k, b = outer.get_layer("head").get_weights()
    np.testing.assert_allclose(outer.predict(data), inner.predict(data) @ k + b, rtol=1e-5, atol=1e-6)


def test_graph_disconnected_error():
    a, b = keras.Input(shape=(2,)), keras.Input(shape=(2,))
    out = AddTwo()([a, b])
    with pytest.raises(ValueError, match="Graph disconnected: cannot obtain value for tensor"):
        keras.Model(a, out)


def test_inputs_must_come_from_input_and_outputs_from_layers():
    x = keras.Input(shape=(2,))
    y = layers.Dense(1)(x)
    with pytest.raises(ValueError, match="Input tensors to a Model must come from `tf.keras.Input`"):
        keras.Model(tf.placeholder(tf.float32, [None, 2]), y)
    with pytest.raises(ValueError, match="Output tensors to a Model must be the output of a TensorFlow `Layer`"):
        keras.Model(x, tf.identity(y))


def test_duplicate_layer_names_are_rejected():
    x = keras.Input(shape=(2,))
    y = layers.Dense(2, name="same")(layers.Dense(2, name="same")(x))
    with pytest.raises(ValueError, match='The name "same" is used 2 times in the model'):
        keras.Model(x, y)


def test_functional_config_round_trip():
    model = small_mlp()
    config = model.get_config()
    assert config["input_layers"] == [["features", 0, 0]] and config["output_layers"] == [["out", 0, 0]]
    assert config["layers"][1]["inbound_nodes"] == [[["features", 0, 0, {}]]]
    json.dumps(config)
    rebuilt = keras.Model.from_config(config)
    assert [l.name for l in rebuilt.layers] == ["features", "hidden", "out"]
    rebuilt.set_weights(model.get_weights())
    x = np.random.RandomState(2).randn(3, 4)
    np.testing.assert_allclose(rebuilt.predict(x), model.predict(x), rtol=1e-6)


def test_clone_model_has_new_weights_and_same_structure():
    model = small_mlp()
    clone = keras.models.clone_model(model)
    assert [l.name for l in clone.layers] == [l.name for l in model.layers]
    assert not set(id(w) for w in clone.weights) & set(id(w) for w in model.weights)
    clone.set_weights(model.get_weights())
    x = np.ones((2, 4))
    np.testing.assert_allclose(clone.predict(x), model.predict(x), rtol=1e-6)


SEQUENTIAL_SUMMARY = """\
Model: "sequential"
_________________________________________________________________
Layer (type)                 Output Shape              Param #   
=================================================================
dense (Dense)                (None, 64)                50240     
_________________________________________________________________
dense_1 (Dense)              (None, 10)                650       
=================================================================
Total params: 50,890
Trainable params: 50,890
Non-trainable params: 0
_________________________________________________________________
"""


def test_sequential_summary_text(capsys):
    model = keras.Sequential([layers.Dense(64, activation="relu", input_shape=(784,)), layers.Dense(10)])
    model.summary()
    assert capsys.readouterr().out == SEQUENTIAL_SUMMARY


def test_functional_summary_shows_connections():
    a, b = keras.Input(shape=(3,), name="a"), keras.Input(shape=(3,), name="b")
    out = Join(name="cat")([a, b])
    model = keras.Model([a, b], layers.Dense(2, name="d")(out), name="two")
    lines = []
    model.summary(print_fn=lines.append)
    assert lines[0] == 'Model: "two"' and len(lines[1]) == 98
    assert lines[2].split() == ["Layer", "(type)", "Output", "Shape", "Param", "#", "Connected", "to"]
    rows = [l for l in lines if l.startswith("cat")]
    assert rows[0].split()[:3] == ["cat", "(Join)", "(None,"] and rows[0].rstrip().endswith("a[0][0]")
    assert lines[lines.index(rows[0]) + 1].strip() == "b[0][0]"
    assert "a (InputLayer)                  [(None, 3)]" in "\n".join(lines)
    assert lines[-4:-1] == ["Total params: 14", "Trainable params: 14", "Non-trainable params: 0"]


def test_summary_of_an_unbuilt_model():
    model = keras.Sequential([layers.Dense(3)])
    with pytest.raises(ValueError, match="This model has not yet been built"):
        model.summary()


# --- Sequential ----------------------------------------------------------------------------------------
def test_sequential_add_pop_and_input_layer():
    model = keras.Sequential()
    model.add(layers.Dense(4, input_shape=(3,)))
    model.add(layers.Dense(2))
    assert [l.name for l in model.layers] == ["dense", "dense_1"]      # the InputLayer is not listed
    assert model.inputs[0].name == "dense_input:0" and model.output_shape == (None, 2)
    model.pop()
    assert [l.name for l in model.layers] == ["dense"] and model.output_shape == (None, 4)
    model.pop()
    assert model.layers == [] and not model.built
    with pytest.raises(TypeError, match="There are no layers in the model"):
        model.pop()
    with pytest.raises(TypeError, match="The added layer must be an instance of class Layer"):
        model.add("dense")


def test_sequential_with_explicit_input_layer():
    model = keras.Sequential([layers.InputLayer(input_shape=(3,)), layers.Dense(2)])
    assert model.output_shape == (None, 2) and [l.name for l in model.layers] == ["dense"]
    config = model.get_config()
    assert config["build_input_shape"] == (None, 3)
    rebuilt = keras.Sequential.from_config(config)
    assert rebuilt.built and rebuilt.input_shape == (None, 3)


def test_sequential_deferred_build_on_first_fit():
    model = keras.Sequential([layers.Dense(3, activation="relu"), layers.Dense(1)])
    assert not model.built and model.weights == []
    model.compile(tf.train.GradientDescentOptimizer(0.01), loss=mse)
    x = np.random.RandomState(0).randn(20, 5).astype(np.float32)
    model.fit(x, x[:, :1], epochs=1, verbose=0)
    assert model.built and model.input_shape == (None, 5) and len(model.weights) == 4
    assert model.get_config()["build_input_shape"] == (None, 5)


def test_sequential_built_when_called_on_a_tensor():
    model = keras.Sequential([layers.Dense(3)])
    out = model(tf.placeholder(tf.float32, [None, 6]))
    assert out.shape.as_list() == [None, 3] and model.built


def test_sequential_config_round_trip():
    model = keras.Sequential([layers.Dense(4, input_shape=(3,), activation="relu"), layers.Dense(2)])
    config = model.get_config()
    assert config["name"] == "sequential" and [c["class_name"] for c in config["layers"]] == ["Dense", "Dense"]
    assert config["layers"][0]["config"]["batch_input_shape"] == (None, 3)
    clone = keras.Sequential.from_config(config)
    clone.set_weights(model.get_weights())
    x = np.ones((2, 3))
    np.testing.assert_allclose(clone.predict(x), model.predict(x), rtol=1e-6)


def test_sequential_rejects_multi_output_layers():
    class TwoOutputs(layers.Layer):
        def call(self, inputs):
            return [inputs, inputs]

    model = keras.Sequential([layers.Dense(2, input_shape=(2,))])
    with pytest.raises(TypeError, match="All layers in a Sequential model should have a single output tensor"):
        model.add(TwoOutputs())


# --- subclassed models ----------------------------------------------------------------------------------
class TwoLayerNet(keras.Model):
    def __init__(self):
        super().__init__(name="two_layer_net")
        self.hidden = layers.Dense(6, activation="relu")
        self.out = layers.Dense(1)
        self.calls_in_training = []

    def call(self, inputs, training=None):
        self.calls_in_training.append(training)
        return self.out(self.hidden(inputs))


def test_subclassed_model_tracks_layers_and_builds_on_fit():
    model = TwoLayerNet()
    assert [l.name for l in model.layers] == ["dense", "dense_1"] and not model.built
    with pytest.raises(ValueError, match="This model has not yet been built"):
        model.summary()
    model.compile(tf.train.AdamOptimizer(0.05), loss=mse)
    rng = np.random.RandomState(3)
    x = rng.randn(64, 3).astype(np.float32)
    y = x.sum(1, keepdims=True)
    history = model.fit(x, y, epochs=15, batch_size=16, verbose=0)
    assert model.built and model.output_names == ["output_1"] and len(model.weights) == 4
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    lines = []
    model.summary(print_fn=lines.append)
    assert any(l.startswith("dense (Dense)") and "multiple" in l for l in lines)


def test_subclassed_model_without_call():
    class NoCall(keras.Model):
        pass

    with pytest.raises(NotImplementedError, match="you should implement a `call` method"):
        NoCall()(tf.placeholder(tf.float32, [None, 2]))


def test_clone_sequential_and_nested_sequential():
    model = keras.Sequential([layers.Dense(3, input_shape=(2,)), layers.Dense(1)])
    clone = keras.models.clone_model(model)
    assert isinstance(clone, keras.Sequential) and len(clone.layers) == 2
    assert clone.layers[0] is not model.layers[0] and clone.output_shape == (None, 1)
    outer = keras.Sequential([model, layers.Dense(2)])
    assert outer.input_shape == (None, 2) and outer.output_shape == (None, 2) and len(outer.weights) == 6
    x = np.ones((1, 2), np.float32)
    k, b = outer.layers[1].get_weights()
    np.testing.assert_allclose(outer.predict(x), model.predict(x) @ k + b, rtol=1e-5)


def test_target_tensors_replace_the_target_placeholders():
    x = keras.Input(shape=(2,))
    model = keras.Model(x, layers.Dense(1)(x))
    target = tf.constant([[1.0], [2.0]])
    model.compile(tf.train.GradientDescentOptimizer(0.1), loss=mse, target_tensors=[target])
    data = np.ones((2, 2), np.float32)
    kernel, bias = model.get_weights()
    np.testing.assert_allclose(model.train_on_batch(data), np.mean((data @ kernel + bias - [[1.], [2.]]) ** 2),
                               rtol=1e-5)
