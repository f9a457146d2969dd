"""tf.contrib.learn: the data set loaders (`datasets`, `datasets.base`, `datasets.mnist`,
`datasets.text_datasets`) and `ModeKeys`."""
import io
import os
import tarfile

import numpy as np
import pytest

import numflow as tf
from numflow import _tensorflow_alias
from numflow.contrib.learn.datasets import base, text_datasets
from numflow.datasets import idx
from numflow.datasets import mnist as numflow_mnist

learn = tf.contrib.learn


def _write(path, text):
    path.write_text(text)
    return str(path)


# --- the bundled data sets ---------------------------------------------------------------------------

def test_load_iris_is_fishers_data():
    iris = learn.datasets.load_iris()
    assert isinstance(iris, base.Dataset)
    assert iris.data.shape == (150, 4) and iris.data.dtype == np.float64
    assert iris.target.shape == (150,) and iris.target.dtype == np.int64
    assert np.bincount(iris.target).tolist() == [50, 50, 50]
    # The published means of sepal length/width and petal length/width.
    np.testing.assert_allclose(iris.data.mean(axis=0), [5.843333, 3.057333, 3.758, 1.199333], atol=1e-6)
    np.testing.assert_array_equal(iris.data[0], [5.1, 3.5, 1.4, 0.2])


def test_load_boston_is_the_housing_data():
    boston = learn.datasets.load_boston()
    assert boston.data.shape == (506, 13) and boston.target.shape == (506,)
    assert boston.data.dtype == boston.target.dtype == np.float64
    np.testing.assert_allclose(boston.target.mean(), 22.532806, atol=1e-6)  # the published mean of MEDV
    np.testing.assert_allclose(boston.data[0, :3], [0.00632, 18.0, 2.31])


def test_load_dataset_by_name_and_unknown_name():
    np.testing.assert_array_equal(learn.datasets.load_dataset("iris").data, learn.datasets.load_iris().data)
    assert learn.datasets.load_dataset("boston").target.shape == (506,)
    assert learn.datasets.load_iris is base.load_iris and learn.datasets.load_boston is base.load_boston
    with pytest.raises(ValueError, match="Name of dataset is not found: cifar"):
        learn.datasets.load_dataset("cifar")


def test_load_iris_from_another_path(tmp_path):
    path = _write(tmp_path / "mine.csv", "2,4,a,b\n1,2,3,4,1\n5,6,7,8,0\n")
    iris = learn.datasets.load_iris(path)
    np.testing.assert_array_equal(iris.data, [[1, 2, 3, 4], [5, 6, 7, 8]])
    np.testing.assert_array_equal(iris.target, [1, 0])


# --- CSV loaders -------------------------------------------------------------------------------------

def test_load_csv_with_header_target_column(tmp_path):
    path = _write(tmp_path / "t.csv", "3,2\n0.5,1.5,7\n2.5,3.5,8\n4.5,5.5,9\n")
    last = base.load_csv_with_header(path, target_dtype=np.int32, features_dtype=np.float32)
    np.testing.assert_array_equal(last.data, np.array([[0.5, 1.5], [2.5, 3.5], [4.5, 5.5]], np.float32))
    assert last.data.dtype == np.float32 and last.target.dtype == np.int32
    np.testing.assert_array_equal(last.target, [7, 8, 9])
    first = base.load_csv_with_header(path, target_dtype=np.float64, features_dtype=np.float64, target_column=0)
    np.testing.assert_array_equal(first.target, [0.5, 2.5, 4.5])
    np.testing.assert_array_equal(first.data, [[1.5, 7], [3.5, 8], [5.5, 9]])


@pytest.mark.parametrize("text, message", [
    ("x,2\n1,2,3\n", "line 1: the header row must start with the number of samples"),
    ("", "line 1: the header row must start"),
    ("1\n1,2,3\n", "the header row must start"),
    ("1,2\n1,2,3\n4,5,6\n", "line 3: more rows than the 1 samples"),
    ("3,2\n1,2,3\n", "1 rows after the header, but it announces 3 samples"),
    ("1,2\n1,2,3,4\n", "line 2: 3 features where the header announces 2"),
    ("1,2\n1,oops,3\n", r"line 2: the features \['1', 'oops'\] are not float64"),
    ("1,2\n1,2,cat\n", "line 2: the target 'cat' are not int64"),
])
def test_load_csv_with_header_rejects_bad_files(tmp_path, text, message):
    path = _write(tmp_path / "bad.csv", text)
    with pytest.raises(ValueError, match=message) as info:
        base.load_csv_with_header(path, target_dtype=np.int64, features_dtype=np.float64)
    assert "bad.csv" in str(info.value)


def test_load_csv_target_column_outside_the_row(tmp_path):
    path = _write(tmp_path / "t.csv", "1,2\n1,2,3\n")
    with pytest.raises(ValueError, match="line 2: target_column 5 is outside the row's 3 fields"):
        base.load_csv_with_header(path, np.int64, np.float64, target_column=5)


def test_load_csv_missing_file_is_not_found(tmp_path):
    with pytest.raises(tf.errors.NotFoundError, match="nothing.csv"):
        base.load_csv_with_header(str(tmp_path / "nothing.csv"), np.int64, np.float64)
    with pytest.raises(tf.errors.NotFoundError, match="nothing.csv"):
        base.load_csv_without_header(str(tmp_path / "nothing.csv"), np.int64, np.float64)


def test_load_csv_without_header(tmp_path):
    path = _write(tmp_path / "t.csv", '3,"a title","some, text"\n1,b,c\n')
    ds = base.load_csv_without_header(path, target_dtype=np.int32, features_dtype=str, target_column=0)
    np.testing.assert_array_equal(ds.target, np.array([3, 1], np.int32))
    assert ds.target.dtype == np.int32
    assert ds.data.tolist() == [["a title", "some, text"], ["b", "c"]]
    numbers = _write(tmp_path / "n.csv", "1,2,0\n3,4,1\n")
    ds = base.load_csv_without_header(numbers, target_dtype=np.int64, features_dtype=np.float32)
    assert ds.data.dtype == np.float32 and ds.data.tolist() == [[1, 2], [3, 4]]
    np.testing.assert_array_equal(ds.target, [0, 1])


def test_load_csv_without_header_rejects_ragged_rows(tmp_path):
    path = _write(tmp_path / "r.csv", "1,2,0\n3,1\n")
    with pytest.raises(ValueError, match="r.csv, line 2: 1 features where the rows before have 2"):
        base.load_csv_without_header(path, np.int64, np.float64)


def test_shrink_csv_keeps_every_ratio_th_row(tmp_path):
    path = _write(tmp_path / "train.csv", "".join("%d,x\n" % i for i in range(10)))
    base.shrink_csv(path, 4)
    assert (tmp_path / "train_small.csv").read_text() == "0,x\n4,x\n8,x\n"
    with pytest.raises(ValueError, match="ratio must be a positive integer; got 0"):
        base.shrink_csv(path, 0)


def test_split_into_train_and_test():
    ds = base.Dataset(data=np.arange(20).reshape(10, 2), target=np.arange(10))
    train, test = base.split_into_train_and_test(ds, test_ratio=0.3)
    np.testing.assert_array_equal(train.target, np.arange(7))
    np.testing.assert_array_equal(test.data, np.arange(14, 20).reshape(3, 2))
    np.random.seed(3)
    train, test = base.split_into_train_and_test(ds, test_ratio=0.5, shuffle=True)
    assert sorted(train.target.tolist() + test.target.tolist()) == list(range(10))
    np.testing.assert_array_equal(train.data[:, 0], 2 * train.target)  # rows stay paired with targets
    with pytest.raises(ValueError, match="The test_ratio value is out of bounds: 1.5"):
        base.split_into_train_and_test(ds, test_ratio=1.5)


# --- downloads ---------------------------------------------------------------------------------------

def test_retry_retries_retriable_errors_only():
    calls = []

    def flaky(fail_times, error):
        calls.append(1)
        if len(calls) <= fail_times:
            raise error
        return "done"

    timed_out = OSError(110, "Connection timed out")
    wrapped = base.retry(initial_delay=0.001, max_delay=0.004, is_retriable=base._is_retriable)(flaky)
    assert wrapped(2, timed_out) == "done" and len(calls) == 3
    calls.clear()
    with pytest.raises(OSError, match="refused"):
        wrapped(5, OSError(111, "refused"))
    assert len(calls) == 1  # not retriable: raised at once
    calls.clear()
    with pytest.raises(OSError, match="timed out"):
        wrapped(10, timed_out)
    assert len(calls) == 4  # delays 0.001, 0.002, 0.004, then the final attempt
    calls.clear()
    retry_all = base.retry(initial_delay=1.0, max_delay=2.0)(flaky)  # no is_retriable: retry at once
    assert retry_all(2, ValueError("x")) == "done" and len(calls) == 3


def test_retry_validates_its_arguments():
    with pytest.raises(ValueError, match="factor must be >= 1; was 0.500000"):
        base.retry(1.0, 2.0, factor=0.5)
    with pytest.raises(ValueError, match="jitter must be < 1; was 1.000000"):
        base.retry(1.0, 2.0, jitter=1.0)


def test_maybe_download(tmp_path, monkeypatch):
    source = tmp_path / "source.csv"
    source.write_text("1,2\n")
    work = tmp_path / "work" / "deeper"
    monkeypatch.delenv("NUMFLOW_NO_DOWNLOAD", raising=False)
    path = base.maybe_download("copy.csv", str(work), source.as_uri())
    assert path == str(work / "copy.csv") and (work / "copy.csv").read_text() == "1,2\n"
    source.write_text("changed\n")
    assert base.maybe_download("copy.csv", str(work), source.as_uri()) == path
    assert (work / "copy.csv").read_text() == "1,2\n"  # already there: not downloaded again
    monkeypatch.setenv("NUMFLOW_NO_DOWNLOAD", "1")
    with pytest.raises(tf.errors.NotFoundError, match="other.csv is missing .* download file://"):
        base.maybe_download("other.csv", str(work), source.as_uri())


# --- DBpedia -----------------------------------------------------------------------------------------

def test_load_dbpedia_with_fake_data():
    data = learn.datasets.load_dataset("dbpedia", test_with_fake_data=True)
    assert isinstance(data, base.Datasets) and data.validation is None
    assert data.train.target.dtype == np.int32 and data.train.data.shape == (3, 2)
    assert data.test.data.shape == (2, 2) and data.test.target.tolist() == [1, 3]


def test_load_dbpedia_small_from_unpacked_files(tmp_path, monkeypatch):
    folder = tmp_path / "dbpedia_data" / "dbpedia_csv"
    folder.mkdir(parents=True)
    (folder / "train.csv").write_text("".join('%d,"t%d","c%d"\n' % (i % 14 + 1, i, i) for i in range(2500)))
    (folder / "test.csv").write_text('1,"a","b"\n2,"c","d"\n')
    monkeypatch.setenv("TF_EXP_BASE_DIR", str(tmp_path))
    small = text_datasets.load_dbpedia()
    assert small.train.data.tolist() == [["t0", "c0"], ["t1000", "c1000"], ["t2000", "c2000"]]
    np.testing.assert_array_equal(small.train.target, [1, 7, 13])
    full = text_datasets.load_dbpedia(size="large")
    assert full.train.data.shape == (2500, 2) and full.test.target.tolist() == [1, 2]


def test_dbpedia_archive_is_unpacked_only_inside_its_folder(tmp_path):
    def archive(name, member_name, data=b"1,a,b\n"):
        path = tmp_path / name
        with tarfile.open(path, "w:gz") as tar:
            info = tarfile.TarInfo(member_name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        return str(path)

    out = tmp_path / "out"
    out.mkdir()
    text_datasets._extract_safely(archive("good.tar.gz", "dbpedia_csv/train.csv"), str(out))
    assert (out / "dbpedia_csv" / "train.csv").read_bytes() == b"1,a,b\n"
    with pytest.raises(ValueError, match=r"refusing to extract '\.\./escape.csv'"):
        text_datasets._extract_safely(archive("bad.tar.gz", "../escape.csv"), str(out))
    assert not (tmp_path / "escape.csv").exists()


# --- MNIST -------------------------------------------------------------------------------------------

def _write_mnist(folder, n_train, n_test):
    os.makedirs(folder)
    rng = np.random.RandomState(0)
    for name, n, images in ((numflow_mnist.TRAIN_IMAGES, n_train, True), (numflow_mnist.TRAIN_LABELS, n_train, False),
                            (numflow_mnist.TEST_IMAGES, n_test, True), (numflow_mnist.TEST_LABELS, n_test, False)):
        array = rng.randint(0, 256, (n, 28, 28)) if images else rng.randint(0, 10, n)
        idx.write_idx(os.path.join(folder, name), array.astype(np.uint8))


def test_mnist_is_numflows_loader():
    assert learn.datasets.mnist.read_data_sets is numflow_mnist.read_data_sets
    assert learn.datasets.mnist.DataSet is numflow_mnist.DataSet
    assert base.Datasets is numflow_mnist.Datasets


def test_mnist_read_data_sets_and_load_dataset(tmp_path, monkeypatch):
    _write_mnist(str(tmp_path / "MNIST-data"), 12, 4)
    data = learn.datasets.mnist.read_data_sets(str(tmp_path / "MNIST-data"), one_hot=True, validation_size=2)
    assert isinstance(data, base.Datasets)
    assert data.train.images.shape == (10, 784) and data.train.labels.shape == (10, 10)
    assert data.validation.num_examples == 2 and data.test.num_examples == 4
    monkeypatch.chdir(tmp_path)  # load_mnist's default folder is ./MNIST-data
    with pytest.raises(ValueError, match="Validation size should be between 0 and 12. Received: 5000."):
        learn.datasets.load_dataset("mnist")
    monkeypatch.setenv("NUMFLOW_NO_DOWNLOAD", "1")
    monkeypatch.chdir(tmp_path / "MNIST-data")
    with pytest.raises(numflow_mnist.DatasetNotFoundError, match="MNIST data not found"):
        learn.datasets.mnist.load_mnist()


def test_mnist_dataset_next_batch_and_epochs():
    images = np.arange(5 * 4, dtype=np.uint8).reshape(5, 2, 2, 1)
    labels = np.arange(5)
    ds = learn.datasets.mnist.DataSet(images, labels, dtype=tf.uint8, seed=1)
    seen = []
    for _ in range(3):
        batch_images, batch_labels = ds.next_batch(2, shuffle=False)
        np.testing.assert_array_equal(batch_images[:, 0], 4 * batch_labels)  # images stay with labels
        seen.extend(batch_labels.tolist())
    assert seen == [0, 1, 2, 3, 4, 0] and ds.epochs_completed == 1
    fake = learn.datasets.mnist.read_data_sets("unused", fake_data=True, one_hot=True)
    batch_images, batch_labels = fake.train.next_batch(3, fake_data=True)
    assert len(batch_images) == 3 and len(batch_images[0]) == 784 and batch_labels[0][:2] == [1, 0]


# --- the rest of tf.contrib.learn --------------------------------------------------------------------

def test_mode_keys():
    assert (learn.ModeKeys.TRAIN, learn.ModeKeys.EVAL, learn.ModeKeys.INFER) == ("train", "eval", "infer")
    assert learn.ModeKeys.INFER == tf.estimator.ModeKeys.PREDICT


def test_imports_as_tensorflow_contrib_learn():
    displaced = _tensorflow_alias.install()
    try:
        import tensorflow.contrib.learn.datasets.base as tf_base
        from tensorflow.contrib.learn.datasets import mnist as tf_mnist
        import tensorflow as tf_alias
        assert tf_base is base and tf_mnist is learn.datasets.mnist
        assert tf_alias.contrib.learn.datasets.load_iris().data.shape == (150, 4)
    finally:
        _tensorflow_alias.uninstall(displaced)
