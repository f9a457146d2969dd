"""tf.keras.datasets: local copies (IDX folders, .npz without pickles, binary CIFAR, flat sequence
archives), Keras' splits and sequence processing, and the offline errors."""
import gzip
import json
import os
import struct

import numpy as np
import pytest

import numflow as tf

datasets = tf.keras.datasets
MNIST_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "datasets", "mnist")


@pytest.fixture(autouse=True)
def keras_home(tmp_path, monkeypatch):
    """A private Keras cache, and downloads that fail at once (no network in tests)."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))

    def no_network(*args, **kwargs):
        import urllib.error
        raise urllib.error.URLError("network disabled in tests")
    monkeypatch.setattr("urllib.request.urlopen", no_network)
    return tmp_path / "keras_home"


def _write_idx(path, array, magic):
    header = struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


def _fake_idx_folder(folder, n_train=5, n_test=3):
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.RandomState(0)
    arrays = {"train-images-idx3-ubyte.gz": (rng.randint(0, 256, (n_train, 28, 28)), 2051),
              "train-labels-idx1-ubyte.gz": (rng.randint(0, 10, n_train), 2049),
              "t10k-images-idx3-ubyte.gz": (rng.randint(0, 256, (n_test, 28, 28)), 2051),
              "t10k-labels-idx1-ubyte.gz": (rng.randint(0, 10, n_test), 2049)}
    for name, (array, magic) in arrays.items():
        _write_idx(folder / name, array, magic)
    return {name: array for name, (array, _) in arrays.items()}


@pytest.mark.skipif(not os.path.isdir(MNIST_DIR), reason="the MNIST IDX files are not available here")
def test_mnist_from_the_idx_folder():
    (x_train, y_train), (x_test, y_test) = datasets.mnist.load_data(MNIST_DIR)
    assert x_train.shape == (60000, 28, 28) and x_train.dtype == np.uint8 and y_train.shape == (60000,)
    assert x_test.shape == (10000, 28, 28) and y_test.shape == (10000,)
    assert y_train.max() == 9 and y_train.min() == 0 and x_train.max() == 255
    np.testing.assert_array_equal(np.bincount(y_test), np.bincount(y_test, minlength=10))


def test_mnist_npz_and_cached_idx_folder(tmp_path, keras_home):
    rng = np.random.RandomState(1)
    arrays = {"x_train": rng.randint(0, 256, (4, 28, 28)).astype(np.uint8), "y_train": np.arange(4, dtype=np.uint8),
              "x_test": rng.randint(0, 256, (2, 28, 28)).astype(np.uint8), "y_test": np.arange(2, dtype=np.uint8)}
    np.savez(tmp_path / "mine.npz", **arrays)
    (x, y), (xt, yt) = datasets.mnist.load_data(str(tmp_path / "mine.npz"))
    np.testing.assert_array_equal(x, arrays["x_train"])
    np.testing.assert_array_equal(yt, arrays["y_test"])
    written = _fake_idx_folder(keras_home / "datasets" / "mnist")
    (x, y), _ = datasets.mnist.load_data()
    np.testing.assert_array_equal(x, written["train-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(y, written["train-labels-idx1-ubyte.gz"])


def test_mnist_errors(tmp_path):
    with pytest.raises(Exception, match="URL fetch failure on .*mnist.npz.*copy it to .*mnist.npz"):
        datasets.mnist.load_data()
    np.savez(tmp_path / "partial.npz", x_train=np.zeros((1, 28, 28), np.uint8))
    with pytest.raises(ValueError, match="partial.npz is not a MNIST archive: it lacks y_train"):
        datasets.mnist.load_data(str(tmp_path / "partial.npz"))
    np.savez(tmp_path / "objects.npz", x_train=np.array([[1, 2], [3]], dtype=object), y_train=np.zeros(2),
             x_test=np.zeros(1), y_test=np.zeros(1))
    with pytest.raises(ValueError, match="stores Python objects .*never unpickles"):
        datasets.mnist.load_data(str(tmp_path / "objects.npz"))
    np.savez(tmp_path / "shape.npz", x_train=np.zeros((2, 28, 27), np.uint8), y_train=np.zeros(2, np.uint8),
             x_test=np.zeros((1, 28, 28), np.uint8), y_test=np.zeros(1, np.uint8))
    with pytest.raises(ValueError, match="are not a MNIST split"):
        datasets.mnist.load_data(str(tmp_path / "shape.npz"))
    (tmp_path / "folder").mkdir()
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte.gz is missing"):
        datasets.mnist.load_data(str(tmp_path / "folder"))


def test_fashion_mnist_folder(tmp_path):
    written = _fake_idx_folder(tmp_path / "fashion", n_train=6)
    (x, y), (xt, yt) = datasets.fashion_mnist.load_data(str(tmp_path / "fashion"))
    assert x.shape == (6, 28, 28)
    np.testing.assert_array_equal(yt, written["t10k-labels-idx1-ubyte.gz"])
    with pytest.raises(Exception, match="URL fetch failure"):
        datasets.fashion_mnist.load_data()


def test_boston_housing_split(tmp_path):
    x = np.arange(50 * 13, dtype=np.float64).reshape(50, 13)
    y = np.arange(50, dtype=np.float64)
    np.savez(tmp_path / "boston.npz", x=x, y=y)
    (x_train, y_train), (x_test, y_test) = datasets.boston_housing.load_data(str(tmp_path / "boston.npz"),
                                                                             test_split=0.2, seed=7)
    np.random.seed(7)
    order = np.arange(50)
    np.random.shuffle(order)
    np.testing.assert_array_equal(y_train, y[order[:40]])
    np.testing.assert_array_equal(x_test, x[order[40:]])
    with pytest.raises(ValueError, match="test_split must be in \\[0, 1\\)"):
        datasets.boston_housing.load_data(str(tmp_path / "boston.npz"), test_split=1.5)


def _cifar_records(n, label_bytes, seed):
    rng = np.random.RandomState(seed)
    labels = rng.randint(0, 10, (n, label_bytes)).astype(np.uint8)
    pixels = rng.randint(0, 256, (n, 3, 32, 32)).astype(np.uint8)
    return labels, pixels, np.concatenate([labels, pixels.reshape(n, -1)], axis=1).tobytes()


def test_cifar10_binary(tmp_path):
    folder = tmp_path / "cifar"
    folder.mkdir()
    parts = []
    for i, name in enumerate(["data_batch_%d.bin" % k for k in range(1, 6)] + ["test_batch.bin"]):
        labels, pixels, raw = _cifar_records(2, 1, i)
        (folder / name).write_bytes(raw)
        parts.append((labels, pixels))
    (x, y), (xt, yt) = datasets.cifar10.load_data(str(folder))
    assert x.shape == (10, 32, 32, 3) and y.shape == (10, 1) and xt.shape == (2, 32, 32, 3)
    np.testing.assert_array_equal(x[2], parts[1][1][0].transpose(1, 2, 0))
    np.testing.assert_array_equal(yt, parts[5][0])
    (folder / "test_batch.bin").write_bytes(b"\x00" * 100)
    with pytest.raises(ValueError, match="not a whole number of 3073-byte CIFAR records"):
        datasets.cifar10.load_data(str(folder))
    os.remove(folder / "test_batch.bin")
    with pytest.raises(FileNotFoundError, match="test_batch.bin missing .*never loaded"):
        datasets.cifar10.load_data(str(folder))


def test_cifar100_label_modes(tmp_path):
    folder = tmp_path / "c100"
    folder.mkdir()
    labels, pixels, raw = _cifar_records(3, 2, 0)
    (folder / "train.bin").write_bytes(raw)
    (folder / "test.bin").write_bytes(raw)
    (_, fine), _ = datasets.cifar100.load_data("fine", path=str(folder))
    (_, coarse), _ = datasets.cifar100.load_data("coarse", path=str(folder))
    np.testing.assert_array_equal(fine[:, 0], labels[:, 1])
    np.testing.assert_array_equal(coarse[:, 0], labels[:, 0])
    with pytest.raises(ValueError, match="`label_mode` must be one of"):
        datasets.cifar100.load_data("medium", path=str(folder))


def _flat(prefix, sequences, labels):
    return {prefix + "_values": np.concatenate([np.asarray(s, np.int64) for s in sequences]),
            prefix + "_lengths": np.array([len(s) for s in sequences]), prefix + "_labels": np.asarray(labels)}


def test_imdb_processing(tmp_path):
    train = [[1, 2, 3], [4, 5, 6, 7, 8, 9], [10, 1]]
    test = [[2, 2], [9]]
    np.savez(tmp_path / "imdb.npz", **_flat("x_train", train, [1, 0, 1]), **_flat("x_test", test, [0, 1]))
    (x, y), (xt, yt) = datasets.imdb.load_data(str(tmp_path / "imdb.npz"), num_words=10, maxlen=6, seed=3)
    order = np.random.RandomState(3).permutation(3)
    expected = []
    for i in order:
        seq = [1] + [w + 3 for w in train[i]]
        if len(seq) < 6:
            expected.append(([w if 0 <= w < 10 else 2 for w in seq], [1, 0, 1][i]))
    assert [list(s) for s in x] == [e[0] for e in expected] and list(y) == [e[1] for e in expected]
    assert len(xt) == 2 and x.dtype == object
    with pytest.raises(ValueError, match="no sequence was kept"):
        datasets.imdb.load_data(str(tmp_path / "imdb.npz"), maxlen=1)
    np.savez(tmp_path / "bad.npz", **{"x_train_values": np.arange(3), "x_train_lengths": np.array([5]),
                                      "x_train_labels": np.array([1]), **_flat("x_test", test, [0, 1])})
    with pytest.raises(ValueError, match="do not match the 3 stored values"):
        datasets.imdb.load_data(str(tmp_path / "bad.npz"))


def test_reuters_and_word_index(tmp_path):
    xs = [[1, 2], [3], [4, 5, 6], [7], [8, 9]]
    np.savez(tmp_path / "reuters.npz", **_flat("xs", xs, [0, 1, 2, 3, 4]))
    (x, y), (xt, yt) = datasets.reuters.load_data(str(tmp_path / "reuters.npz"), test_split=0.4, start_char=None,
                                                  index_from=0)
    assert len(x) == 3 and len(xt) == 2
    order = np.random.RandomState(113).permutation(5)
    assert [list(s) for s in x] == [xs[i] for i in order[:3]]
    (tmp_path / "words.json").write_text(json.dumps({"the": 1, "cat": 2}))
    assert datasets.imdb.get_word_index(str(tmp_path / "words.json")) == {"the": 1, "cat": 2}
    (tmp_path / "bad.json").write_text(json.dumps(["the"]))
    with pytest.raises(ValueError, match="is not a word index"):
        datasets.reuters.get_word_index(str(tmp_path / "bad.json"))
