"""Whole Keras models: `model.save` / `tf.keras.models.load_model` in HDF5 (architecture, weights,
compile arguments and optimizer state), `save_weights` / `load_weights` through the Model methods,
`to_json` / `to_yaml` and `model_from_*`, with Sequential, functional, nested and custom-layer models."""
import json

import numpy as np
import pytest

from numflow import keras
from numflow.keras.saving import hdf5_format

h5py = pytest.importorskip("h5py", reason="the HDF5 format needs h5py (pip install h5py)")
K = keras.backend

X = np.random.RandomState(0).rand(16, 4).astype(np.float32)
Y = np.random.RandomState(1).rand(16, 2).astype(np.float32)


@pytest.fixture(autouse=True)
def keras_session():
    K.clear_session()
    yield
    K.clear_session()


class Scale(keras.layers.Layer):
    """A custom layer: multiplies by a learned per-feature vector initialised to `init`."""

    def __init__(self, init=1.0, **kwargs):
        super().__init__(**kwargs)
        self.init = init

    def build(self, input_shape):
        self.scale = self.add_weight("scale", shape=(int(input_shape[-1]),),
                                     initializer=keras.initializers.Constant(self.init))
        super().build(input_shape)

    def call(self, inputs):
        return inputs * self.scale

    def get_config(self):
        config = super().get_config()
        config["init"] = self.init
        return config


def sequential():
    return keras.Sequential([keras.layers.Dense(5, activation="relu", input_shape=(4,)), keras.layers.Dense(2)])


def functional():
    inputs = keras.Input((4,))
    hidden = keras.layers.Dense(5, activation="tanh")(inputs)
    return keras.Model(inputs, keras.layers.Dense(2)(keras.layers.concatenate([hidden, inputs])
                                                    if hasattr(keras.layers, "concatenate") else hidden))


def nested():
    inner = keras.Sequential([keras.layers.Dense(3, activation="relu", input_shape=(4,))], name="inner")
    inputs = keras.Input((4,))
    return keras.Model(inputs, keras.layers.Dense(2)(inner(inputs)))


def custom():
    return keras.Sequential([Scale(0.5, input_shape=(4,)), keras.layers.Dense(2)])


BUILDERS = {"sequential": sequential, "functional": functional, "nested": nested, "custom": custom}
CUSTOM = {"Scale": Scale}


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_model_round_trip_keeps_predictions_and_training(tmp_path, kind):
    path = str(tmp_path / "model.h5")
    model = BUILDERS[kind]()
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse", metrics=["mae"])
    model.fit(X, Y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    model.save(path)
    model.fit(X, Y, epochs=2, batch_size=8, shuffle=False, verbose=0)      # continues from the saved state
    expected = model.predict(X)
    K.clear_session()
    loaded = keras.models.load_model(path, custom_objects=CUSTOM)
    assert type(loaded).__name__ == type(model).__name__
    assert [w.shape.as_list() for w in loaded.weights] == [w.shape.as_list() for w in model.weights]
    assert loaded.optimizer is not None and type(loaded.optimizer).__name__ == "Adam"
    loaded.fit(X, Y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    np.testing.assert_allclose(loaded.predict(X), expected, rtol=1e-5, atol=1e-6)


def test_model_file_layout(tmp_path):
    path = str(tmp_path / "model.h5")
    model = sequential()
    model.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.9), loss="mse", metrics=["mae"])
    model.fit(X, Y, epochs=1, verbose=0)
    model.save(path)
    with h5py.File(path, "r") as f:
        assert hdf5_format._file_origin(f) == ("2.2.4-tf", "tensorflow")
        config = json.loads(f.attrs["model_config"])
        assert config["class_name"] == "Sequential"
        assert [layer["class_name"] for layer in config["config"]["layers"]] == ["Dense", "Dense"]
        training = json.loads(f.attrs["training_config"])
        assert training["loss"] == "mse" and training["metrics"] == ["mae"]
        assert training["optimizer_config"]["class_name"] == "SGD"
        assert training["optimizer_config"]["config"]["momentum"] == pytest.approx(0.9)
        names = hdf5_format.load_attributes_from_hdf5_group(f["model_weights"], "layer_names")
        assert names == [layer.name for layer in model.layers]
        optimizer_names = hdf5_format.load_attributes_from_hdf5_group(f["optimizer_weights"], "weight_names")
        assert optimizer_names == [w.name for w in model.optimizer.weights]
        assert len(optimizer_names) == 1 + 4                     # iterations and one momentum per variable


def test_include_optimizer_false_and_compile_false(tmp_path, caplog):
    path = str(tmp_path / "model.h5")
    model = sequential()
    model.compile(optimizer="adam", loss="mse")
    model.save(path, include_optimizer=False)
    with h5py.File(path, "r") as f:
        assert "training_config" not in f.attrs and "optimizer_weights" not in f
    K.clear_session()
    with caplog.at_level("WARNING", logger="numflow"):
        loaded = keras.models.load_model(path)
    assert "No training configuration found in save file: the model was *not* compiled" in caplog.text
    assert getattr(loaded, "optimizer", None) is None
    model = sequential()
    model.compile(optimizer="adam", loss="mse")
    model.save(path)
    K.clear_session()
    assert getattr(keras.models.load_model(path, compile=False), "optimizer", None) is None


def test_custom_layer_needs_custom_objects(tmp_path):
    path = str(tmp_path / "model.h5")
    custom().save(path)
    K.clear_session()
    with pytest.raises(ValueError, match="Unknown layer: Scale"):
        keras.models.load_model(path)
    with keras.utils.custom_object_scope(CUSTOM):
        assert isinstance(keras.models.load_model(path).layers[0], Scale)


def test_load_model_errors(tmp_path):
    weights_only = str(tmp_path / "weights.h5")
    sequential().save_weights(weights_only)
    with pytest.raises(ValueError, match="^No model found in config file.$"):
        keras.models.load_model(weights_only)
    broken = str(tmp_path / "broken.h5")
    with h5py.File(broken, "w") as f:
        f.attrs["model_config"] = b"{not json"
    with pytest.raises(ValueError, match=r"The 'model_config' attribute of .*broken\.h5 is not valid JSON"):
        keras.models.load_model(broken)
    no_weights = str(tmp_path / "no_weights.h5")
    model = sequential()
    model.save(no_weights)
    with h5py.File(no_weights, "a") as f:
        del f["model_weights"]
    with pytest.raises(ValueError, match=r"The model file .*no_weights\.h5 has no 'model_weights' group\."):
        keras.models.load_model(no_weights)
    with pytest.raises(OSError, match="Unable to load model. Filepath is not an hdf5 file"):
        keras.models.load_model(str(tmp_path / "nothing_here"))
    truncated = str(tmp_path / "truncated.h5")
    model.save(truncated)
    data = open(truncated, "rb").read()
    open(truncated, "wb").write(data[:len(data) // 2])
    with pytest.raises(OSError, match="as an HDF5 file"):
        keras.models.load_model(truncated)


def test_save_format_tf_for_whole_models_is_refused(tmp_path):
    with pytest.raises(NotImplementedError, match=r"SavedModel format \(save_format='tf'\) is not supported"):
        sequential().save(str(tmp_path / "saved"), save_format="tf")
    with pytest.raises(ValueError, match=r'Unknown format "zip"'):
        sequential().save(str(tmp_path / "saved"), save_format="zip")


def test_mismatched_architecture_raises(tmp_path):
    path = str(tmp_path / "model.h5")
    sequential().save_weights(path)
    K.clear_session()
    three = keras.Sequential([keras.layers.Dense(5, input_shape=(4,)), keras.layers.Dense(5),
                              keras.layers.Dense(2)])
    with pytest.raises(ValueError, match=r"^You are trying to load a weight file containing 2 layers into a model "
                                         r"with 3 layers\.$"):
        three.load_weights(path)
    wide = keras.Sequential([keras.layers.Dense(6, input_shape=(4,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match=r"has shape \(4, 6\), but the saved weight has shape \(4, 5\)\."):
        wide.load_weights(path)


@pytest.mark.parametrize("suffix", ["weights.h5", "ckpt"])
@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_weights_round_trip_through_model_methods(tmp_path, kind, suffix):
    path = str(tmp_path / suffix)
    model = BUILDERS[kind]()
    model.set_weights([np.random.RandomState(3).randn(*w.shape).astype(np.float32) for w in model.get_weights()])
    expected = model.predict(X)
    model.save_weights(path)
    K.clear_session()
    fresh = BUILDERS[kind]()
    fresh.load_weights(path)
    np.testing.assert_array_equal(fresh.predict(X), expected)


def test_json_and_yaml_round_trips():
    model = nested()
    text = model.to_json()
    config = json.loads(text)
    assert config["class_name"] == "Model" and config["keras_version"] == "2.2.4-tf"
    assert config["backend"] == "tensorflow"
    rebuilt = keras.models.model_from_json(text)
    assert [type(layer).__name__ for layer in rebuilt.layers] == [type(layer).__name__ for layer in model.layers]
    assert rebuilt.count_params() == model.count_params()
    yaml = pytest.importorskip("yaml", reason="to_yaml needs PyYAML")
    assert yaml.safe_load(model.to_yaml())["config"] == json.loads(text)["config"]
    rebuilt = keras.models.model_from_yaml(custom().to_yaml(), custom_objects=CUSTOM)
    assert isinstance(rebuilt.layers[0], Scale) and rebuilt.layers[0].init == 0.5


def test_by_name_with_skip_mismatch_through_model(tmp_path, caplog):
    path = str(tmp_path / "w.h5")
    source = keras.Sequential([keras.layers.Dense(5, input_shape=(4,), name="shared"),
                               keras.layers.Dense(2, name="head")])
    shared = source.layers[0].get_weights()
    source.save_weights(path)
    K.clear_session()
    target = keras.Sequential([keras.layers.Dense(5, input_shape=(4,), name="shared"),
                               keras.layers.Dense(3, name="head")])
    head_before = target.layers[1].get_weights()
    with caplog.at_level("WARNING", logger="numflow"):
        target.load_weights(path, by_name=True, skip_mismatch=True)
    assert "Skipping loading of weights for layer head due to mismatch in shape" in caplog.text
    for got, want in zip(target.layers[0].get_weights(), shared):
        np.testing.assert_array_equal(got, want)
    for got, want in zip(target.layers[1].get_weights(), head_before):
        np.testing.assert_array_equal(got, want)


def test_checkpoint_keys_follow_keras_objects(tmp_path):
    """Sequential/functional models name their layers 'layer_with_weights-N'; a subclassed model's children
    are its attributes (TF's object-based naming)."""
    import keras_saving_models as shared
    from numflow.io.bundle import BundleReader
    subclassed = shared.build(keras, "subclassed")
    subclassed.save_weights(str(tmp_path / "sub"))
    assert set(BundleReader(str(tmp_path / "sub")).entries) == {
        "_CHECKPOINTABLE_OBJECT_GRAPH", "first/kernel/.ATTRIBUTES/VARIABLE_VALUE",
        "first/bias/.ATTRIBUTES/VARIABLE_VALUE", "second/kernel/.ATTRIBUTES/VARIABLE_VALUE",
        "second/bias/.ATTRIBUTES/VARIABLE_VALUE"}
    K.clear_session()
    nested().save_weights(str(tmp_path / "nested"))
    assert set(BundleReader(str(tmp_path / "nested")).entries) == {
        "_CHECKPOINTABLE_OBJECT_GRAPH", "layer_with_weights-0/layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE",
        "layer_with_weights-0/layer_with_weights-0/bias/.ATTRIBUTES/VARIABLE_VALUE",
        "layer_with_weights-1/kernel/.ATTRIBUTES/VARIABLE_VALUE",
        "layer_with_weights-1/bias/.ATTRIBUTES/VARIABLE_VALUE"}


def test_checkpoint_carries_optimizer_state(tmp_path):
    prefix = str(tmp_path / "ckpt")
    model = sequential()
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")
    model.fit(X, Y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    model.save_weights(prefix)
    model.fit(X, Y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    expected = model.predict(X)
    from numflow.io.bundle import BundleReader
    keys = set(BundleReader(prefix).entries)
    assert "optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE" in keys
    assert "layer_with_weights-0/kernel/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE" in keys
    assert "layer_with_weights-1/bias/.OPTIMIZER_SLOT/optimizer/v/.ATTRIBUTES/VARIABLE_VALUE" in keys
    K.clear_session()
    fresh = sequential()
    fresh.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")
    fresh.load_weights(prefix)
    assert K.get_value(fresh.optimizer.iterations) == 4
    fresh.fit(X, Y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    np.testing.assert_allclose(fresh.predict(X), expected, rtol=1e-5, atol=1e-6)
    K.clear_session()
    uncompiled = sequential()                    # the optimizer's values are simply not used
    uncompiled.load_weights(prefix)


def test_subclassed_models_cannot_be_saved_whole(tmp_path):
    import keras_saving_models as shared
    path = tmp_path / "sub.h5"
    with pytest.raises(NotImplementedError, match="Saving the model to HDF5 format requires the model to be a "
                                                  "Functional model or a Sequential model"):
        shared.build(keras, "subclassed").save(str(path))
    assert not path.exists()
