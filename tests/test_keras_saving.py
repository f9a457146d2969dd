"""Keras weights in HDF5 (Keras' layout) and TensorFlow checkpoints, with hand-made layers built on the
base Layer (the layer and model classes have their own files; whole-model tests are in
test_keras_saving_models.py)."""
import json
import os

import numpy as np
import pytest

import numflow as tf
from numflow.framework import errors
from numflow.keras import backend as K
from numflow.keras.engine.base_layer import Layer
from numflow.keras.saving import hdf5_format, model_config, save, saving_utils, tf_format

h5py = pytest.importorskip("h5py", reason="the HDF5 format needs h5py (pip install h5py)")


class Affine(Layer):
    """y = x @ kernel + bias, plus a non-trainable 'count' so saving order (trainable first) shows."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.count = self.add_weight("count", shape=(), initializer="zeros", trainable=False)
        self.kernel = self.add_weight("kernel", shape=(int(input_shape[-1]), self.units))
        self.bias = self.add_weight("bias", shape=(self.units,), initializer="zeros")
        super().build(input_shape)

    def call(self, inputs):
        return tf.matmul(inputs, self.kernel) + self.bias

    def get_config(self):
        config = super().get_config()
        config["units"] = self.units
        return config


class Wrapper(Layer):
    """A layer holding another layer as an attribute (as an RNN holds its cell)."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.inner = Affine(units, name=self.name + "_inner")

    def call(self, inputs):
        return self.inner(inputs)


class LayerList:
    """The part of a model the saving functions use: `layers`, `weights`, graph-network children."""

    _is_graph_network = True

    def __init__(self, layers):
        self.layers = layers

    @property
    def weights(self):
        return [w for layer in self.layers for w in layer.weights]


@pytest.fixture(autouse=True)
def keras_session():
    K.clear_session()
    yield
    K.clear_session()


def build(units=(3, 2), names=None, seed=0, input_dim=4):
    """Layers applied in a chain to a placeholder, with seeded random weights; (x, y, layers)."""
    x = tf.placeholder(tf.float32, (None, input_dim))
    layers, y = [], x
    for i, u in enumerate(units):
        layer = Affine(u, name=names[i] if names else None)
        y = layer(y)
        layers.append(layer)
    rng = np.random.RandomState(seed)
    for layer in layers:
        layer.set_weights([np.asarray(rng.randn(*w.shape.as_list()), np.float32) for w in layer.weights])
    return x, y, layers


def predict(x, y, data):
    return K.get_session().run(y, {x: data})


DATA = np.random.RandomState(42).randn(5, 4).astype(np.float32)


def test_weights_file_has_keras_layout(tmp_path):
    path = str(tmp_path / "w.h5")
    x, y, layers = build(names=["dense", "dense_1"])
    with h5py.File(path, "w") as f:
        hdf5_format.save_weights_to_hdf5_group(f, layers)
    with h5py.File(path, "r") as f:
        assert list(f.attrs["layer_names"]) == [b"dense", b"dense_1"]
        assert hdf5_format._file_origin(f) == ("2.2.4-tf", "tensorflow")
        assert list(f["dense"].attrs["weight_names"]) == [b"dense/kernel:0", b"dense/bias:0", b"dense/count:0"]
        np.testing.assert_array_equal(f["dense/dense/kernel:0"][()], K.get_value(layers[0].kernel))
        np.testing.assert_array_equal(f["dense_1/dense_1/bias:0"][()], K.get_value(layers[1].bias))
        assert f["dense/dense/count:0"].shape == ()


def test_weights_round_trip_by_order_and_by_name(tmp_path):
    path = str(tmp_path / "w.h5")
    x, y, layers = build(seed=1)
    expected = predict(x, y, DATA)
    with h5py.File(path, "w") as f:
        hdf5_format.save_weights_to_hdf5_group(f, layers)
    K.clear_session()
    x, y, layers = build(seed=2, names=["other", "names"])
    assert not np.allclose(predict(x, y, DATA), expected)
    with h5py.File(path, "r") as f:
        hdf5_format.load_weights_from_hdf5_group(f, layers)
    np.testing.assert_array_equal(predict(x, y, DATA), expected)
    K.clear_session()
    x, y, layers = build(seed=3)                       # same names ('affine', 'affine_1') as the saved ones
    with h5py.File(path, "r") as f:
        hdf5_format.load_weights_from_hdf5_group_by_name(f, layers)
    np.testing.assert_array_equal(predict(x, y, DATA), expected)


def test_by_name_loads_only_matching_layers(tmp_path):
    path = str(tmp_path / "w.h5")
    _, _, saved = build(names=["a", "b"], seed=1)
    saved_values = [layer.get_weights() for layer in saved]
    with h5py.File(path, "w") as f:
        hdf5_format.save_weights_to_hdf5_group(f, saved)
    K.clear_session()
    _, _, layers = build(names=["x", "b"], units=(3, 2), input_dim=4, seed=2)
    untouched = layers[0].get_weights()
    with h5py.File(path, "r") as f:
        hdf5_format.load_weights_from_hdf5_group_by_name(f, layers)
    for got, want in zip(layers[1].get_weights(), saved_values[1]):
        np.testing.assert_array_equal(got, want)
    for got, want in zip(layers[0].get_weights(), untouched):
        np.testing.assert_array_equal(got, want)


def test_by_name_shape_mismatch_raises_or_skips(tmp_path, caplog):
    path = str(tmp_path / "w.h5")
    _, _, saved = build(names=["a", "b"], seed=1)
    with h5py.File(path, "w") as f:
        hdf5_format.save_weights_to_hdf5_group(f, saved)
    K.clear_session()
    _, _, layers = build(names=["a", "b"], units=(5, 2), seed=2)
    before = [layer.get_weights() for layer in layers]
    with h5py.File(path, "r") as f:
        with pytest.raises(ValueError, match=r'Layer #0 \(named "a"\), weight a/kernel:0 has shape \(4, 5\), but '
                                             r"the saved weight has shape \(4, 3\)\."):
            hdf5_format.load_weights_from_hdf5_group_by_name(f, layers)
        for got, want in zip(layers[0].get_weights() + layers[1].get_weights(), before[0] + before[1]):
            np.testing.assert_array_equal(got, want)          # nothing assigned after a failed check
        with caplog.at_level("WARNING", logger="numflow"):
            hdf5_format.load_weights_from_hdf5_group_by_name(f, layers, skip_mismatch=True)
    assert "Skipping loading of weights for layer a due to mismatch in shape" in caplog.text
    assert "Skipping loading of weights for layer b" in caplog.text      # its kernel is (5, 2) now


def test_by_name_weight_count_mismatch(tmp_path, caplog):
    path = str(tmp_path / "w.h5")
    _, _, saved = build(names=["a"], units=(3,))
    with h5py.File(path, "w") as f:
        hdf5_format.save_weights_to_hdf5_group(f, saved)
        del f["a"].attrs["weight_names"]
        f["a"].attrs["weight_names"] = [b"a/kernel:0", b"a/bias:0"]
    K.clear_session()
    _, _, layers = build(names=["a"], units=(3,), seed=5)
    with h5py.File(path, "r") as f:
        with pytest.raises(ValueError, match=r'Layer #0 \(named "a"\) expects 3 weight\(s\), but the saved '
                                             r"weights have 2 element\(s\)\."):
            hdf5_format.load_weights_from_hdf5_group_by_name(f, layers)
        with caplog.at_level("WARNING", logger="numflow"):
            hdf5_format.load_weights_from_hdf5_group_by_name(f, layers, skip_mismatch=True)
    assert "mismatch in number of weights (3 vs 2)" in caplog.text


def test_layer_count_mismatch(tmp_path):
    path = str(tmp_path / "w.h5")
    _, _, saved = build(units=(3, 3, 2))
    with h5py.File(path, "w") as f:
        hdf5_format.save_weights_to_hdf5_group(f, saved)
    K.clear_session()
    _, _, layers = build(units=(3, 2))
    with h5py.File(path, "r") as f:
        with pytest.raises(ValueError, match=r"^You are trying to load a weight file containing 3 layers into a "
                                             r"model with 2 layers\.$"):
            hdf5_format.load_weights_from_hdf5_group(f, layers)


def test_weightless_layers_are_skipped_when_loading_by_order(tmp_path):
    path = str(tmp_path / "w.h5")
    x, y, saved = build(seed=1)
    expected = predict(x, y, DATA)
    passthrough = Layer(name="identity")
    with h5py.File(path, "w") as f:
        hdf5_format.save_weights_to_hdf5_group(f, [passthrough, saved[0], saved[1]])
        assert f["identity"].attrs["weight_names"].shape == (0,)
    K.clear_session()
    x, y, layers = build(seed=2)
    with h5py.File(path, "r") as f:
        hdf5_format.load_weights_from_hdf5_group(f, [layers[0], Layer(name="flat"), layers[1]])
    np.testing.assert_array_equal(predict(x, y, DATA), expected)


def test_wrong_shape_by_order_names_layer_and_leaves_model_unchanged(tmp_path):
    path = str(tmp_path / "w.h5")
    _, _, saved = build(units=(3, 2))
    with h5py.File(path, "w") as f:
        hdf5_format.save_weights_to_hdf5_group(f, saved)
    K.clear_session()
    _, _, layers = build(units=(3, 6), seed=4)
    before = [w for layer in layers for w in layer.get_weights()]
    with h5py.File(path, "r") as f:
        with pytest.raises(ValueError, match=r'Layer #1 \(named "affine_1"\), weight affine_1/kernel:0 has shape '
                                             r"\(3, 6\), but the saved weight has shape \(3, 2\)\."):
            hdf5_format.load_weights_from_hdf5_group(f, layers)
    for got, want in zip([w for layer in layers for w in layer.get_weights()], before):
        np.testing.assert_array_equal(got, want)


def test_weight_count_mismatch_by_order(tmp_path):
    path = str(tmp_path / "w.h5")
    _, _, saved = build(units=(3,), names=["saved"])
    with h5py.File(path, "w") as f:
        hdf5_format.save_weights_to_hdf5_group(f, saved)
        del f["saved"].attrs["weight_names"]
        f["saved"].attrs["weight_names"] = [b"saved/kernel:0"]
    K.clear_session()
    _, _, layers = build(units=(3,), names=["mine"])
    with h5py.File(path, "r") as f:
        with pytest.raises(ValueError, match=r'Layer #0 \(named "mine" in the current model\) was found to '
                                             r"correspond to layer saved in the save file\. However the new layer "
                                             r"mine expects 3 weights, but the saved weights have 1 elements\."):
            hdf5_format.load_weights_from_hdf5_group(f, layers)


@pytest.mark.parametrize("damage, message", [
    (lambda f: f["affine"].__delitem__("affine"), r"The weight 'affine/kernel:0' listed in the 'weight_names' of "
                                                  r"HDF5 group '/affine' is missing from the file\."),
    (lambda f: f.__delitem__("affine_1"), r"The layer 'affine_1' listed in the 'layer_names' of the weights file "
                                          r"has no group in the file\."),
    (lambda f: f.attrs.__delitem__("layer_names"), r"The HDF5 group '/' has no attribute 'layer_names'"),
    (lambda f: f["affine"].attrs.__setitem__("weight_names", np.arange(3)), r"The attribute 'weight_names' of HDF5 "
                                                                            r"group '/affine' should be a list of "
                                                                            r"strings"),
    (lambda f: (f["affine/affine"].__delitem__("bias:0"),
                f["affine/affine"].create_dataset("bias:0", data=np.array([b"a", b"b", b"c"]))),
     r"The weight 'affine/bias:0' of HDF5 group '/affine' holds \|S1 values, not numbers\."),
    (lambda f: (f["affine/affine"].__delitem__("bias:0"), f["affine/affine"].create_group("bias:0")),
     r"The weight 'affine/bias:0' of HDF5 group '/affine' is not a dataset\."),
])
def test_damaged_files_give_clear_errors(tmp_path, damage, message):
    path = str(tmp_path / "w.h5")
    _, _, layers = build()
    with h5py.File(path, "w") as f:
        hdf5_format.save_weights_to_hdf5_group(f, layers)
        damage(f)
    with h5py.File(path, "r") as f:
        with pytest.raises(ValueError, match=message):
            hdf5_format.load_weights_from_hdf5_group(f, layers)
        with pytest.raises(ValueError, match=message):
            hdf5_format.load_weights_from_hdf5_group_by_name(f, layers)


def test_truncated_and_non_hdf5_files(tmp_path):
    path = str(tmp_path / "w.h5")
    _, _, layers = build()
    model = LayerList(layers)
    save.save_weights(model, path)
    data = open(path, "rb").read()
    open(path, "wb").write(data[:len(data) // 3])
    with pytest.raises(OSError, match=r"Unable to open .*w\.h5 as an HDF5 file \(it is not one, or it is truncated "
                                      r"or corrupt\)"):
        save.load_weights(model, path)
    open(path, "wb").write(b"not an hdf5 file at all")
    with pytest.raises(OSError, match="as an HDF5 file"):
        save.load_weights(model, path)
    with pytest.raises(OSError, match=r"Unable to open file .*missing\.h5: no such file"):
        save.load_weights(model, str(tmp_path / "missing.h5"))


def test_float64_file_values_are_cast_to_the_variable_dtype(tmp_path):
    path = str(tmp_path / "w.h5")
    _, _, layers = build(units=(2,), names=["a"])
    with h5py.File(path, "w") as f:
        hdf5_format.save_weights_to_hdf5_group(f, layers)
        kernel = np.arange(8, dtype=np.float64).reshape(4, 2) / 3
        del f["a/a/kernel:0"]
        f["a/a"].create_dataset("kernel:0", data=kernel)
    with h5py.File(path, "r") as f:
        hdf5_format.load_weights_from_hdf5_group(f, layers)
    value = K.get_value(layers[0].kernel)
    assert value.dtype == np.float32
    np.testing.assert_allclose(value, kernel.astype(np.float32))


def test_long_attributes_are_split_into_chunks(tmp_path):
    path = str(tmp_path / "w.h5")
    names = [("layer_%05d" % i).encode() * 40 for i in range(200)]          # ~88 KB, above the header limit
    with h5py.File(path, "w") as f:
        hdf5_format.save_attributes_to_hdf5_group(f, "layer_names", names)
        assert "layer_names" not in f.attrs and "layer_names0" in f.attrs and "layer_names1" in f.attrs
        assert hdf5_format.load_attributes_from_hdf5_group(f, "layer_names") == [n.decode() for n in names]
        with pytest.raises(RuntimeError, match="larger than 64512 bytes"):
            hdf5_format.save_attributes_to_hdf5_group(f, "huge", [b"x" * 70000])


def test_missing_h5py_names_the_extra(monkeypatch):
    import builtins
    real_import = builtins.__import__

    def no_h5py(name, *args, **kwargs):
        if name == "h5py":
            raise ImportError("No module named 'h5py'")
        return real_import(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", no_h5py)
    with pytest.raises(ImportError, match=r"pip install 'numflow-tf1\[hdf5\]' \(or pip install h5py\)"):
        save.save_weights(LayerList([]), "/tmp/never_written.h5")


def test_cudnn_biases_convert_for_lstm_and_gru():
    units = 2

    class LSTM:
        pass

    class GRU:
        pass
    kernel, recurrent = np.ones((3, 4 * units)), np.ones((units, 4 * units))
    bias = np.arange(8 * units, dtype=np.float32)
    converted = hdf5_format.preprocess_weights_for_loading(LSTM(), [kernel, recurrent, bias])
    np.testing.assert_array_equal(converted[2], bias[:4 * units] + bias[4 * units:])
    gru_bias = np.arange(6 * units, dtype=np.float32)
    converted = hdf5_format.preprocess_weights_for_loading(GRU(), [kernel[:, :6], recurrent[:, :6], gru_bias])
    np.testing.assert_array_equal(converted[2], gru_bias.reshape(2, 3 * units))
    same = [kernel, recurrent, np.zeros(4 * units)]
    assert hdf5_format.preprocess_weights_for_loading(LSTM(), same) is same


# --- the format choice of save_weights / load_weights ----------------------------------------------------
def test_save_weights_format_choice(tmp_path):
    _, _, layers = build()
    model = LayerList(layers)
    with pytest.raises(ValueError, match=r'Unknown format "pickle"\. Was expecting one of \{"tf", "h5"\}\.'):
        save.save_weights(model, str(tmp_path / "w"), save_format="pickle")
    with pytest.raises(ValueError, match=r'save_weights got save_format="tf"/"tensorflow", but the filepath '
                                         r'\(".*w\.h5"\) looks like an HDF5 file'):
        save.save_weights(model, str(tmp_path / "w.h5"), save_format="tf")
    save.save_weights(model, str(tmp_path / "plain"), save_format="h5")        # HDF5 without the extension
    assert open(str(tmp_path / "plain"), "rb").read(4) == b"\x89HDF"
    save.save_weights(model, str(tmp_path / "ckpt"))
    assert os.path.exists(str(tmp_path / "ckpt.index"))
    assert tf.train.latest_checkpoint(str(tmp_path)) == str(tmp_path / "ckpt")
    with pytest.raises(ValueError, match="skip_mismatch can only be set to True when by_name is True"):
        save.load_weights(model, str(tmp_path / "plain"), skip_mismatch=True)
    with pytest.raises(NotImplementedError, match="Weights may only be loaded based on topology"):
        save.load_weights(model, str(tmp_path / "ckpt"), by_name=True)


def test_overwrite_false_asks(tmp_path, monkeypatch):
    path = str(tmp_path / "w.h5")
    _, _, layers = build()
    model = LayerList(layers)
    save.save_weights(model, path)
    stamp = os.path.getmtime(path)
    answers = iter(["maybe", "n"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    save.save_weights(model, path, overwrite=False)
    assert os.path.getmtime(path) == stamp
    monkeypatch.setattr("builtins.input", lambda prompt: "y")
    assert saving_utils.may_write(path, overwrite=False)


def test_hdf5_file_detected_without_extension(tmp_path):
    path = str(tmp_path / "weights")
    x, y, layers = build(seed=1)
    expected = predict(x, y, DATA)
    save.save_weights(LayerList(layers), path, save_format="h5")
    K.clear_session()
    x, y, layers = build(seed=2)
    save.load_weights(LayerList(layers), path)
    np.testing.assert_array_equal(predict(x, y, DATA), expected)


# --- TensorFlow checkpoints ------------------------------------------------------------------------------
def test_checkpoint_round_trip_with_object_keys(tmp_path):
    prefix = str(tmp_path / "ckpt")
    x, y, layers = build(seed=1)
    wrapper = Wrapper(2, name="wrap")
    z = wrapper(y)
    expected = predict(x, z, DATA)
    model = LayerList(layers + [Layer(name="no_weights"), wrapper])
    save.save_weights(model, prefix)
    from numflow.io.bundle import BundleReader
    keys = set(BundleReader(prefix).entries)
    assert keys == {"_CHECKPOINTABLE_OBJECT_GRAPH",
                    "layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE",
                    "layer_with_weights-0/bias/.ATTRIBUTES/VARIABLE_VALUE",
                    "layer_with_weights-0/count/.ATTRIBUTES/VARIABLE_VALUE",
                    "layer_with_weights-1/kernel/.ATTRIBUTES/VARIABLE_VALUE",
                    "layer_with_weights-1/bias/.ATTRIBUTES/VARIABLE_VALUE",
                    "layer_with_weights-1/count/.ATTRIBUTES/VARIABLE_VALUE",
                    "layer_with_weights-2/inner/kernel/.ATTRIBUTES/VARIABLE_VALUE",
                    "layer_with_weights-2/inner/bias/.ATTRIBUTES/VARIABLE_VALUE",
                    "layer_with_weights-2/inner/count/.ATTRIBUTES/VARIABLE_VALUE"}
    K.clear_session()
    x, y, layers = build(seed=2, names=["p", "q"])
    wrapper = Wrapper(2, name="other")
    z = wrapper(y)
    assert not np.allclose(predict(x, z, DATA), expected)
    save.load_weights(LayerList(layers + [Layer(name="no_weights"), wrapper]), prefix)
    np.testing.assert_array_equal(predict(x, z, DATA), expected)


def test_checkpoint_object_graph_proto():
    x, y, layers = build()
    order = tf_format._breadth_first(tf_format._object_tree(LayerList(layers), {}))
    nodes = tf_format._parse_object_graph(tf_format._serialize_object_graph(order), "graph")
    assert nodes[0][0] == {"layer_with_weights-0": 1, "layer-0": 1, "layer_with_weights-1": 2, "layer-1": 2}
    assert set(nodes[1][0]) == {"kernel", "bias", "count"}
    kernel_node = nodes[nodes[1][0]["kernel"]]
    assert kernel_node == ({}, {"VARIABLE_VALUE": "layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE"}, {})


def test_checkpoint_escapes_names():
    assert tf_format._value_key(("a/b", "c.d")) == "a./b/c..d/.ATTRIBUTES/VARIABLE_VALUE"


def test_checkpoint_errors(tmp_path):
    prefix = str(tmp_path / "ckpt")
    _, _, layers = build(units=(3, 2))
    save.save_weights(LayerList(layers), prefix)
    K.clear_session()
    _, _, layers = build(units=(3, 5), seed=3)
    before = [w for layer in layers for w in layer.get_weights()]
    with pytest.raises(ValueError, match=r"The checkpoint value 'layer_with_weights-1/kernel/\.ATTRIBUTES/"
                                         r"VARIABLE_VALUE' "
                                         r"has shape \(3, 2\), but the variable affine_1/kernel:0 has shape "
                                         r"\(3, 5\)\."):
        save.load_weights(LayerList(layers), prefix)
    for got, want in zip([w for layer in layers for w in layer.get_weights()], before):
        np.testing.assert_array_equal(got, want)
    with pytest.raises(AssertionError, match="Nothing except the root object matched a checkpointed value"):
        tf_format.load_weights_from_checkpoint(LayerList([]), prefix)
    with pytest.raises(errors.NotFoundError, match="Failed to find any matching files"):
        save.load_weights(LayerList(layers), str(tmp_path / "absent"))
    with open(prefix + ".index", "r+b") as f:
        f.truncate(20)
    with pytest.raises(errors.DataLossError):
        save.load_weights(LayerList(layers), prefix)


def test_name_based_checkpoint_from_saver(tmp_path):
    x, y, layers = build(seed=1)
    expected = predict(x, y, DATA)
    saver = tf.train.Saver([w for layer in layers for w in layer.weights])
    prefix = saver.save(K.get_session(), str(tmp_path / "saver"))
    K.clear_session()
    x, y, layers = build(seed=2)
    save.load_weights(LayerList(layers), prefix)
    np.testing.assert_array_equal(predict(x, y, DATA), expected)


# --- configs -------------------------------------------------------------------------------------------
def test_model_from_config_with_custom_objects():
    config = {"class_name": "Affine", "config": {"name": "mine", "trainable": False, "dtype": "float32",
                                                  "units": 7}}
    with pytest.raises(ValueError, match="Unknown layer: Affine"):
        model_config.model_from_config(config)
    layer = model_config.model_from_config(config, custom_objects={"Affine": Affine})
    assert isinstance(layer, Affine) and layer.units == 7 and layer.name == "mine" and not layer.trainable
    layer = model_config.model_from_json(json.dumps(config), custom_objects={"Affine": Affine})
    assert layer.units == 7
    with pytest.raises(TypeError, match=r"`model_from_config` expects a dictionary, not a list\. Maybe you meant to "
                                        r"use `Sequential\.from_config\(config\)`\?"):
        model_config.model_from_config([config])
    with pytest.raises(ValueError, match="model_from_json expects a JSON string"):
        model_config.model_from_json("{not json")


def test_model_from_yaml_is_safe():
    yaml = pytest.importorskip("yaml", reason="model_from_yaml needs PyYAML")
    text = yaml.dump({"class_name": "Affine", "config": {"name": "y", "units": 3}})
    assert model_config.model_from_yaml(text, custom_objects={"Affine": Affine}).units == 3
    with pytest.raises(ValueError, match="model_from_yaml expects a YAML document of a model config: could not "
                                         "determine a constructor for the tag"):
        model_config.model_from_yaml("!!python/object/apply:os.system ['echo unsafe']")


def test_model_from_yaml_without_pyyaml(monkeypatch):
    import builtins
    real_import = builtins.__import__

    def no_yaml(name, *args, **kwargs):
        if name == "yaml":
            raise ImportError("No module named 'yaml'")
        return real_import(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", no_yaml)
    with pytest.raises(ImportError, match=r"Requires yaml module installed \(`pip install pyyaml`\)"):
        model_config.model_from_yaml("class_name: Affine")


def test_newer_keras_configs_are_converted():
    newer = {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
         "config": {"batch_shape": [None, 4], "dtype": "float32", "sparse": False, "ragged": False,
                    "name": "in", "optional": False}},
        {"module": "keras.layers", "class_name": "Dense", "registered_name": None, "build_config": {"x": 1},
         "config": {"units": 2, "kernel_initializer": {"module": "keras.initializers", "class_name": "Zeros",
                                                       "config": {}, "registered_name": None}}}]}}
    converted = saving_utils.convert_newer_config(newer)
    assert converted == {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 4], "dtype": "float32",
                                                "sparse": False, "name": "in"}},
        {"class_name": "Dense", "config": {"units": 2, "kernel_initializer": {"class_name": "Zeros",
                                                                              "config": {}}}}]}}
    assert saving_utils.convert_newer_config({"class_name": "Functional", "config": {}}) == \
        {"class_name": "Model", "config": {}}
    ragged = {"class_name": "InputLayer", "config": {"ragged": True}}
    assert saving_utils.convert_newer_config(ragged) == ragged


def test_oversized_datasets_are_refused_before_reading(tmp_path):
    path = str(tmp_path / "w.h5")
    _, _, layers = build(units=(3,), names=["a"])
    with h5py.File(path, "w") as f:
        hdf5_format.save_weights_to_hdf5_group(f, layers)
        del f["a/a/kernel:0"]
        f["a/a"].create_dataset("kernel:0", shape=(4, 10 ** 9), dtype=np.float32)   # never written: no storage
    with h5py.File(path, "r") as f:
        with pytest.raises(ValueError, match=r"has shape \(4, 3\), but the saved weight has shape \(4, 1000000000\)"):
            hdf5_format.load_weights_from_hdf5_group(f, layers)
        with pytest.raises(ValueError, match=r"has shape \(4, 3\), but the saved weight has shape \(4, 1000000000\)"):
            hdf5_format.load_weights_from_hdf5_group_by_name(f, layers)


def test_links_to_other_files_are_refused(tmp_path):
    path, other = str(tmp_path / "w.h5"), str(tmp_path / "other.h5")
    _, _, layers = build(units=(3,), names=["a"])
    with h5py.File(other, "w") as f:
        f.create_dataset("kernel", data=np.zeros((4, 3), np.float32))
    with h5py.File(path, "w") as f:
        hdf5_format.save_weights_to_hdf5_group(f, layers)
        del f["a/a/kernel:0"]
        f["a/a/kernel:0"] = h5py.ExternalLink(other, "/kernel")
    with h5py.File(path, "r") as f:
        with pytest.raises(ValueError, match=r"The weight 'a/kernel:0' of HDF5 group '/a' is a link to another file"):
            hdf5_format.load_weights_from_hdf5_group(f, layers)


def test_cudnn_lstm_bias_layout_loads_into_lstm(tmp_path):
    if not hasattr(tf.keras.layers, "LSTM"):
        pytest.skip("numflow's tf.keras.layers has no LSTM yet")
    path = str(tmp_path / "w.h5")
    x = tf.placeholder(tf.float32, (None, 3, 2))
    lstm = tf.keras.layers.LSTM(4, name="lstm")
    lstm(x)
    with h5py.File(path, "w") as f:
        hdf5_format.save_weights_to_hdf5_group(f, [lstm])
        names = hdf5_format.load_attributes_from_hdf5_group(f["lstm"], "weight_names")
        bias_name = [n for n in names if "bias" in n][0]
        cudnn_bias = np.arange(32, dtype=np.float32)
        del f["lstm"][bias_name]
        f["lstm"].create_dataset(bias_name, data=cudnn_bias)
    with h5py.File(path, "r") as f:
        hdf5_format.load_weights_from_hdf5_group(f, [lstm])
    bias = [w for w in lstm.weights if "bias" in w.name][0]
    np.testing.assert_array_equal(K.get_value(bias), cudnn_bias[:16] + cudnn_bias[16:])
