"""tf.keras.utils: to_categorical/normalize, get_file (offline: file:// origins and the cache), Sequence,
HDF5Matrix, get_source_inputs/count_params, plot_model (pydot faked or absent)."""
import hashlib
import os
import sys
import tarfile
import types

import numpy as np
import pytest

import numflow as tf

utils = tf.keras.utils


def test_to_categorical():
    np.testing.assert_array_equal(utils.to_categorical([2, 0, 1]), np.eye(3)[[2, 0, 1]])
    out = utils.to_categorical(np.array([[1], [3]]), num_classes=5, dtype="int32")
    assert out.dtype == np.int32 and out.shape == (2, 5)
    np.testing.assert_array_equal(out, np.eye(5, dtype=np.int32)[[1, 3]])
    assert utils.to_categorical(np.array([[0, 1], [1, 1]])).shape == (2, 2, 2)
    with pytest.raises(ValueError, match="Class label 4 is out of range for num_classes=3"):
        utils.to_categorical([4], num_classes=3)
    with pytest.raises(ValueError, match="non-negative class labels"):
        utils.to_categorical([-1, 2])


def test_normalize():
    x = np.array([[3.0, 4.0], [0.0, 0.0], [1.0, 1.0]])
    np.testing.assert_allclose(utils.normalize(x), [[0.6, 0.8], [0, 0], [2 ** -0.5, 2 ** -0.5]])
    np.testing.assert_allclose(utils.normalize(x, axis=0, order=1), x / x.sum(0))


def test_get_file_downloads_caches_and_checks_hashes(tmp_path):
    source = tmp_path / "src" / "data.bin"
    source.parent.mkdir()
    source.write_bytes(b"numflow" * 100)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    cache = tmp_path / "cache"
    path = utils.get_file("data.bin", source.as_uri(), file_hash=digest, cache_dir=str(cache))
    assert path == str(cache / "datasets" / "data.bin") and open(path, "rb").read() == source.read_bytes()
    source.unlink()
    # Cached now: no download needed even though the origin is gone.
    assert utils.get_file("data.bin", source.as_uri(), file_hash=digest, cache_dir=str(cache)) == path
    with pytest.raises(Exception, match="URL fetch failure on .*copy it to"):
        utils.get_file("other.bin", source.as_uri(), cache_dir=str(cache))
    assert not os.path.exists(cache / "datasets" / "other.bin")
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"x")
    with pytest.raises(ValueError, match="Incomplete or corrupted file detected"):
        utils.get_file("bad.bin", bad.as_uri(), file_hash="0" * 64, cache_dir=str(cache))


def test_get_file_untar_and_unsafe_archives(tmp_path):
    folder = tmp_path / "payload" / "things"
    folder.mkdir(parents=True)
    (folder / "a.txt").write_text("hello")
    archive = tmp_path / "things.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(folder, arcname="things")
    path = utils.get_file("things", archive.as_uri(), untar=True, cache_dir=str(tmp_path / "cache"))
    assert open(os.path.join(path, "a.txt")).read() == "hello"
    evil = tmp_path / "evil.tar"
    with tarfile.open(evil, "w") as tar:
        tar.add(folder / "a.txt", arcname="../escape.txt")
    with pytest.raises(ValueError, match="Refusing to extract '../escape.txt'"):
        utils.get_file("evil.tar", evil.as_uri(), extract=True, cache_dir=str(tmp_path / "cache"))
    assert not (tmp_path / "cache" / "escape.txt").exists()


class Squares(utils.Sequence):
    def __init__(self):
        self.epochs = 0

    def __len__(self):
        return 3

    def __getitem__(self, index):
        return np.full((2, 1), index, np.float32), np.full((2, 1), index ** 2, np.float32)

    def on_epoch_end(self):
        self.epochs += 1


def test_sequence_and_enqueuer():
    sequence = Squares()
    assert [int(y[0, 0]) for _, y in sequence] == [0, 1, 4]
    enqueuer = utils.OrderedEnqueuer(sequence)
    enqueuer.start()
    batches = enqueuer.get()
    got = [int(next(batches)[1][0, 0]) for _ in range(4)]
    enqueuer.stop()
    assert got == [0, 1, 4, 0] and sequence.epochs == 1
    with pytest.raises(NotImplementedError):
        len(utils.Sequence())


def test_hdf5_matrix(tmp_path):
    h5py = pytest.importorskip("h5py")
    path = str(tmp_path / "data.h5")
    data = np.arange(40, dtype=np.float32).reshape(10, 4)
    with h5py.File(path, "w") as f:
        f["x"] = data
    matrix = utils.HDF5Matrix(path, "x", start=2, end=8, normalizer=lambda a: a / 2)
    assert len(matrix) == 6 and matrix.shape == (6, 4) and matrix.ndim == 2
    np.testing.assert_array_equal(matrix[0], data[2] / 2)
    np.testing.assert_array_equal(matrix[1:3], data[3:5] / 2)
    np.testing.assert_array_equal(matrix[[4, 0, 4]], data[[6, 2, 6]] / 2)
    with pytest.raises(IndexError, match="out of range"):
        matrix[6]
    with pytest.raises(KeyError, match="has no dataset 'y'"):
        utils.HDF5Matrix(path, "y")
    utils.HDF5Matrix.refs.pop(path).close()


def test_hdf5_matrix_without_h5py(monkeypatch):
    monkeypatch.setitem(sys.modules, "h5py", None)
    with pytest.raises(ImportError, match=r"pip install 'numflow-tf1\[hdf5\]' \(or pip install h5py\)"):
        utils.HDF5Matrix("x.h5", "x")


def _two_layer_model():
    tf.keras.backend.clear_session()
    inputs = tf.keras.Input(shape=(3,))
    hidden = tf.keras.layers.Dense(4, name="hidden")(inputs)
    outputs = tf.keras.layers.Dense(2, name="out")(hidden)
    return inputs, outputs, tf.keras.Model(inputs, outputs)


def test_source_inputs_and_count_params():
    inputs, outputs, model = _two_layer_model()
    assert utils.get_source_inputs(outputs) == [inputs]
    from numflow.keras.utils.layer_utils import count_params
    assert count_params(model.weights + model.weights[:1]) == 3 * 4 + 4 + 4 * 2 + 2
    tf.keras.backend.clear_session()


def test_plot_model_with_a_fake_pydot(monkeypatch, tmp_path):
    calls = []

    class Dot:
        def __init__(self):
            self.nodes, self.edges = [], []

        def set(self, key, value):
            pass

        def set_node_defaults(self, **kwargs):
            pass

        def add_node(self, node):
            self.nodes.append(node)

        def add_edge(self, edge):
            self.edges.append(edge)

        def write(self, path, format):
            calls.append((path, format))

    fake = types.SimpleNamespace(Dot=Dot, Node=lambda name, label: (name, label), Edge=lambda a, b: (a, b))
    monkeypatch.setitem(sys.modules, "pydot", fake)
    _, _, model = _two_layer_model()
    dot = utils.plot_model(model, to_file=str(tmp_path / "m.svg"), show_shapes=True)
    labels = [label for _, label in dot.nodes]
    assert any(label.startswith("hidden: Dense") and "(None, 4)" in label for label in labels)
    ids = {label.split(":")[0]: name for name, label in dot.nodes}
    assert (ids["hidden"], ids["out"]) in dot.edges
    assert calls == [(str(tmp_path / "m.svg"), "svg")]
    tf.keras.backend.clear_session()


def test_plot_model_without_pydot(monkeypatch):
    monkeypatch.setitem(sys.modules, "pydot", None)
    with pytest.raises(ImportError, match="Failed to import pydot.*pip install pydot"):
        utils.model_to_dot(None)


def test_keras_home_falls_back_to_the_temporary_folder(tmp_path, monkeypatch):
    from numflow.keras.utils import data_utils
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        monkeypatch.setenv("KERAS_HOME", str(locked / ".keras"))
        if os.access(str(locked), os.W_OK):
            pytest.skip("running as a user that can write anywhere")
        assert data_utils._keras_home().endswith(os.path.join("", ".keras"))
        assert not data_utils._keras_home().startswith(str(locked))
    finally:
        locked.chmod(0o700)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    assert data_utils._keras_home() == str(tmp_path / "home")
