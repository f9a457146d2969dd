"""The IDX reader and TF1's MNIST loader: tiny IDX files built here, plus the real MNIST when it is there."""
import gzip
import os
import tracemalloc
import zlib

import numpy as np
import pytest

import numflow as tf
from numflow.datasets import idx, mnist
from numflow.examples.tutorials.mnist import input_data

REAL_MNIST = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "datasets", "mnist")


def write_tiny_mnist(folder, n_train=20, n_test=8, compress=True, side=28):
    """Four IDX files in MNIST's layout: image i is filled with the value i (mod 256), its label is i % 10."""
    os.makedirs(folder, exist_ok=True)
    ext = ".gz" if compress else ""
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        images = np.repeat(np.arange(n, dtype=np.uint8), side * side).reshape(n, side, side)
        labels = (np.arange(n) % 10).astype(np.uint8)
        idx.write_idx(os.path.join(folder, "%s-images-idx3-ubyte%s" % (prefix, ext)), images)
        idx.write_idx(os.path.join(folder, "%s-labels-idx1-ubyte%s" % (prefix, ext)), labels)
    return str(folder)


@pytest.fixture
def tiny(tmp_path):
    return write_tiny_mnist(tmp_path / "data")


@pytest.mark.parametrize("compress", [True, False])
def test_reads_gzipped_and_raw_files(tmp_path, compress):
    folder = write_tiny_mnist(tmp_path / "d", compress=compress)
    data = input_data.read_data_sets(folder, validation_size=5)
    assert isinstance(data, input_data.Datasets) and data._fields == ("train", "validation", "test")
    assert (data.train.num_examples, data.validation.num_examples, data.test.num_examples) == (15, 5, 8)
    assert data.train.images.shape == (15, 784) and data.train.images.dtype == np.float32
    # the first validation_size training examples are the validation set
    np.testing.assert_allclose(data.validation.images[:, 0], np.arange(5) / 255.0, rtol=1e-6)
    np.testing.assert_allclose(data.train.images[:, 0], np.arange(5, 20) / 255.0, rtol=1e-6)
    assert data.train.labels.dtype == np.uint8 and data.train.labels.tolist() == [i % 10 for i in range(5, 20)]


def test_one_hot_uint8_and_unreshaped(tiny):
    data = input_data.read_data_sets(tiny, one_hot=True, dtype=tf.uint8, reshape=False, validation_size=0)
    assert data.train.images.dtype == np.uint8 and data.train.images.shape == (20, 28, 28, 1)
    assert data.train.images[7].max() == 7
    assert data.test.labels.dtype == np.float32 and data.test.labels.shape == (8, 10)
    assert data.test.labels.argmax(1).tolist() == list(range(8))
    assert data.validation.num_examples == 0
    assert input_data.read_data_sets(tiny, dtype="float32", validation_size=2).train.images.max() <= 1.0


def test_float_images_are_scaled_to_unit_range(tmp_path):
    folder = str(tmp_path)
    idx.write_idx(os.path.join(folder, "train-images-idx3-ubyte.gz"), np.full((3, 28, 28), 255, np.uint8))
    idx.write_idx(os.path.join(folder, "train-labels-idx1-ubyte.gz"), np.zeros(3, np.uint8))
    idx.write_idx(os.path.join(folder, "t10k-images-idx3-ubyte.gz"), np.zeros((2, 28, 28), np.uint8))
    idx.write_idx(os.path.join(folder, "t10k-labels-idx1-ubyte.gz"), np.zeros(2, np.uint8))
    data = input_data.read_data_sets(folder, validation_size=1)
    assert data.train.images.min() == 1.0 and data.test.images.max() == 0.0


def test_bad_dtype_and_validation_size(tiny):
    with pytest.raises(TypeError, match="Invalid image dtype.*expected uint8 or float32"):
        input_data.read_data_sets(tiny, dtype=tf.int32)
    with pytest.raises(ValueError, match="Validation size should be between 0 and 20. Received: 21"):
        input_data.read_data_sets(tiny, validation_size=21)


def _batches_until(ds, batch_size, count):
    return [ds.next_batch(batch_size) for _ in range(count)]


def test_next_batch_covers_each_epoch_once_and_keeps_pairs(tiny):
    data = input_data.read_data_sets(tiny, dtype=tf.uint8, validation_size=0, seed=3)
    train = data.train
    batches = _batches_until(train, 5, 4)  # exactly one epoch of 20
    seen = np.concatenate([images[:, 0] for images, _ in batches])
    assert sorted(seen.tolist()) == list(range(20))
    assert seen.tolist() != list(range(20))  # shuffled at the first call
    for images, labels in batches:
        assert (images[:, 0] % 10 == labels).all()  # image i keeps label i % 10
    assert train.epochs_completed == 0  # the epoch ends only when a batch asks for more
    train.next_batch(5)
    assert train.epochs_completed == 1


def test_partial_batch_is_completed_from_the_next_epoch(tiny):
    train = input_data.read_data_sets(tiny, dtype=tf.uint8, validation_size=0, seed=1).train
    first = np.concatenate([train.next_batch(6)[0][:, 0] for _ in range(3)])  # 18 of 20
    images, labels = train.next_batch(6)  # 2 left in epoch 0 + 4 from epoch 1
    assert images.shape == (6, 784) and labels.shape == (6,)
    assert sorted(first.tolist() + images[:2, 0].tolist()) == list(range(20))
    assert train.epochs_completed == 1
    rest = np.concatenate([train.next_batch(4)[0][:, 0] for _ in range(4)])
    assert sorted(images[2:, 0].tolist() + rest.tolist()) == list(range(20))  # epoch 1 has 4 + 16


def test_seed_makes_batches_reproducible_and_unshuffled_order(tiny):
    def run(seed):
        ds = input_data.read_data_sets(tiny, dtype=tf.uint8, validation_size=0, seed=seed).train
        return np.concatenate([ds.next_batch(7)[0][:, 0] for _ in range(6)]).tolist()
    assert run(5) == run(5)
    assert run(5) != run(6)
    train = input_data.read_data_sets(tiny, dtype=tf.uint8, validation_size=0).train
    order = [train.next_batch(7, shuffle=False)[1].tolist() for _ in range(3)]
    assert order == [[0, 1, 2, 3, 4, 5, 6], [7, 8, 9, 0, 1, 2, 3], [4, 5, 6, 7, 8, 9, 0]]


def test_fake_data():
    data = input_data.read_data_sets("", fake_data=True, one_hot=True)
    images, labels = data.train.next_batch(3, fake_data=True)
    assert len(images) == 3 and len(images[0]) == 784 and labels[0] == [1] + [0] * 9


def test_idx_round_trip_and_dtypes(tmp_path):
    for dtype in (np.uint8, np.int16, np.int32, np.float32, np.float64):
        a = (np.arange(24).reshape(2, 3, 4) - 5).astype(dtype) if dtype != np.uint8 else np.arange(24, dtype=dtype)
        path = str(tmp_path / "a.idx")
        idx.write_idx(path, a)
        b = idx.read_idx(path)
        assert b.dtype == a.dtype and (b == a).all()


def test_bad_magic_number_names_the_file(tiny):
    path = os.path.join(tiny, "train-labels-idx1-ubyte.gz")
    idx.write_idx(path, np.zeros((20, 28, 28), np.uint8))  # an image file where labels belong
    with pytest.raises(ValueError, match=r"Invalid magic number 2051 in MNIST label file .*train-labels.*2049"):
        input_data.read_data_sets(tiny)
    with open(path, "wb") as f:
        f.write(gzip.compress(b"PK\x03\x04 not an idx file at all"))
    with pytest.raises(ValueError, match=r"Invalid magic number \d+ in MNIST label file .*train-labels"):
        input_data.read_data_sets(tiny)


def test_not_an_idx_file(tmp_path):
    path = str(tmp_path / "x.idx")
    with open(path, "wb") as f:
        f.write(b"\x00\x00\x42\x01\x00\x00\x00\x01\x00")
    with pytest.raises(ValueError, match=r"x\.idx: not an IDX file"):
        idx.read_idx(path)


@pytest.mark.parametrize("compress", [True, False])
def test_truncated_data_names_the_file(tmp_path, compress):
    folder = write_tiny_mnist(tmp_path / "d", compress=compress)
    path = os.path.join(folder, "t10k-images-idx3-ubyte" + (".gz" if compress else ""))
    payload = gzip.decompress(open(path, "rb").read()) if compress else open(path, "rb").read()
    payload = payload[:-100]
    with open(path, "wb") as f:
        f.write(gzip.compress(payload) if compress else payload)
    with pytest.raises(ValueError, match=r"t10k-images-idx3-ubyte.* is truncated: .*6272 bytes.*6172"):
        input_data.read_data_sets(folder)


def test_truncated_header_and_trailing_data(tmp_path):
    path = str(tmp_path / "short")
    with open(path, "wb") as f:
        f.write(b"\x00\x00\x08\x03\x00\x00")
    with pytest.raises(ValueError, match="short is truncated: it ends inside its header"):
        mnist.extract_images(path)
    with open(path, "wb") as f:
        f.write(b"\x00\x00")
    with pytest.raises(ValueError, match="short is truncated: it ends inside the 4-byte magic"):
        mnist.extract_images(path)
    idx.write_idx(path, np.zeros(3, np.uint8))
    with open(path, "ab") as f:
        f.write(b"\x01")
    with pytest.raises(ValueError, match=r"short holds more data than its header's shape \(3,\)"):
        mnist.extract_labels(path)


def test_damaged_gzip_stream(tiny):
    path = os.path.join(tiny, "train-images-idx3-ubyte.gz")
    data = open(path, "rb").read()
    with open(path, "wb") as f:
        f.write(data[:len(data) // 2])
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte.gz (is truncated|is not a valid gzip)"):
        input_data.read_data_sets(tiny)


def test_count_mismatch_names_both_files(tiny):
    idx.write_idx(os.path.join(tiny, "train-labels-idx1-ubyte.gz"), np.zeros(19, np.uint8))
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte.gz holds 20 images but .*"
                                         r"train-labels-idx1-ubyte.gz holds 19 labels"):
        input_data.read_data_sets(tiny)


def test_wrong_rank_or_type_is_a_bad_magic_number(tiny):
    idx.write_idx(os.path.join(tiny, "t10k-labels-idx1-ubyte.gz"), np.zeros((8, 2), np.uint8))
    with pytest.raises(ValueError, match=r"Invalid magic number 2050 in MNIST label file .*t10k-labels"):
        input_data.read_data_sets(tiny)
    idx.write_idx(os.path.join(tiny, "t10k-labels-idx1-ubyte.gz"), np.zeros(8, np.int32))
    with pytest.raises(ValueError, match=r"Invalid magic number 3073 in MNIST label file"):
        input_data.read_data_sets(tiny)


def test_missing_files_without_network_name_files_and_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("NUMFLOW_NO_DOWNLOAD", raising=False)  # the download is tried (from a file:// URL)
    folder = str(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError) as info:
        input_data.read_data_sets(folder, source_url=(tmp_path / "no-server").as_uri() + "/")
    message = str(info.value)
    assert isinstance(info.value, input_data.DatasetNotFoundError)
    for name in mnist.FILES:
        assert name in message
    assert os.path.abspath(folder) in message and "failed" in message
    assert not os.path.exists(folder)  # the folder made for the download is removed again

    partial = write_tiny_mnist(tmp_path / "partial")
    os.remove(os.path.join(partial, "t10k-labels-idx1-ubyte.gz"))
    monkeypatch.setenv("NUMFLOW_NO_DOWNLOAD", "1")
    with pytest.raises(FileNotFoundError, match=r"t10k-labels-idx1-ubyte.gz is missing from .*partial.*"
                                                r"NUMFLOW_NO_DOWNLOAD"):
        input_data.read_data_sets(partial)


def test_missing_files_are_downloaded_from_source_url(tmp_path, monkeypatch):
    monkeypatch.delenv("NUMFLOW_NO_DOWNLOAD", raising=False)  # a file:// URL: no network involved
    source = write_tiny_mnist(tmp_path / "server")
    target = str(tmp_path / "MNIST_data")
    url = (tmp_path / "server").as_uri() + "/"
    data = input_data.read_data_sets(target, one_hot=True, validation_size=2, source_url=url)
    assert data.train.num_examples == 18 and sorted(os.listdir(target)) == sorted(mnist.FILES)


def test_lecun_file_names_and_other_datasets(tmp_path):
    folder = write_tiny_mnist(tmp_path / "d", compress=False)
    for name in os.listdir(folder):
        os.rename(os.path.join(folder, name), os.path.join(folder, name.replace("-idx", ".idx")))
    assert input_data.read_data_sets(folder, validation_size=0).test.num_examples == 8
    # another data set in the same layout with more classes gets wider one-hot labels when asked to
    idx.write_idx(os.path.join(folder, "train-labels.idx1-ubyte"), np.arange(20, dtype=np.uint8))
    wide = input_data.read_data_sets(folder, one_hot=True, validation_size=5, num_classes=20)
    assert wide.train.labels.shape == (15, 20) and wide.train.labels[:, 5:].sum() == 15
    for kwargs in ({}, {"num_classes": 10}):     # never silently widened
        with pytest.raises(ValueError, match=r"train-labels.idx1-ubyte: labels range over \[0, 19\].*\[0, 10\)"
                                             r".*num_classes="):
            input_data.read_data_sets(folder, one_hot=True, validation_size=5, **kwargs)


def test_dataset_rejects_disagreeing_arrays():
    with pytest.raises(ValueError, match=r"images.shape \(3, 784\), labels.shape \(2,\)"):
        input_data.DataSet(np.zeros((3, 784)), np.zeros(2))


@pytest.fixture(scope="module")
def real_mnist():
    if not os.path.isdir(REAL_MNIST):
        pytest.skip("the real MNIST files are not in ../shared/datasets/mnist")
    return input_data.read_data_sets(REAL_MNIST, one_hot=True)


def test_real_mnist(real_mnist):
    assert (real_mnist.train.num_examples, real_mnist.validation.num_examples,
            real_mnist.test.num_examples) == (55000, 5000, 10000)
    assert real_mnist.train.images.shape == (55000, 784) and real_mnist.train.images.dtype == np.float32
    assert 0.0 == real_mnist.test.images.min() and real_mnist.test.images.max() == 1.0
    counts = real_mnist.test.labels.sum(axis=0).tolist()
    assert counts == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    images, labels = real_mnist.train.next_batch(100)
    assert images.shape == (100, 784) and labels.shape == (100, 10)


def test_one_hot_labels_out_of_range_name_the_file(tiny):
    path = os.path.join(tiny, "t10k-labels-idx1-ubyte.gz")
    idx.write_idx(path, np.array([0, 1, 2, 3, 4, 5, 6, 10], np.uint8))
    with pytest.raises(ValueError, match=r"t10k-labels-idx1-ubyte.gz: labels range over \[0, 10\]; one-hot"):
        input_data.read_data_sets(tiny, one_hot=True)
    with pytest.raises(ValueError, match=r"t10k-labels-idx1-ubyte.gz: labels range over \[0, 10\]"):
        mnist.extract_labels(path, one_hot=True)
    with open(path, "rb") as handle:
        with pytest.raises(ValueError, match=r"t10k-labels-idx1-ubyte.gz: labels range over"):
            mnist.extract_labels(handle, one_hot=True)
    assert input_data.read_data_sets(tiny, validation_size=5).test.labels.max() == 10   # dense: unchecked
    with pytest.raises(ValueError, match=r"labels range over \[-1, 2\]; one-hot encoding needs them in \[0, 3\)"):
        mnist.dense_to_one_hot(np.array([-1, 2]), 3)


def _gzip_bomb(path, dims, payload_mib, code=0x08):
    """A gzip file whose IDX header declares `dims` followed by `payload_mib` MiB of zeros."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [compressor.compress(bytes([0, 0, code, len(dims)]) + b"".join(d.to_bytes(4, "big") for d in dims))]
    block = bytes(1 << 20)
    parts += [compressor.compress(block) for _ in range(payload_mib)]
    parts.append(compressor.flush())
    with open(path, "wb") as handle:
        handle.write(b"".join(parts))


@pytest.mark.parametrize("dims,message", [
    ((2 ** 31, 2 ** 31 - 1, 28), r"bomb.gz is truncated or corrupt: its header declares shape .* more than a "
                                 r"\d+-byte gzip file can hold"),
    ((500, 28, 28), r"bomb.gz holds more data than its header's shape \(500, 28, 28\) accounts for"),
    ((60000, 28, 28), r"bomb.gz holds more data than its header's shape \(60000, 28, 28\)"),
])
def test_gzip_bomb_decompresses_no_more_than_the_header_declares(tmp_path, dims, message):
    path = str(tmp_path / "bomb.gz")
    _gzip_bomb(path, dims, 64)
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=message):
            mnist.extract_images(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    declared = int(np.prod(dims, dtype=object))
    # Nothing is decompressed for an impossible header; otherwise the declared bytes plus buffers.
    assert peak < (8 << 20 if declared > 1 << 40 else 2 * declared + (8 << 20)), peak


def test_raw_file_with_a_lying_header_is_refused_before_reading(tmp_path):
    path = str(tmp_path / "lying")
    with open(path, "wb") as handle:
        handle.write(bytes([0, 0, 8, 3]) + b"".join(d.to_bytes(4, "big") for d in (2 ** 31, 2 ** 31, 28)) + bytes(50))
    with pytest.raises(ValueError, match=r"lying is truncated: its header promises \d+ bytes of data for shape "
                                         r"\(2147483648, 2147483648, 28\), the file holds only 50"):
        mnist.extract_images(path)
