"""TF1's MNIST loader (`tensorflow.examples.tutorials.mnist.input_data`): `read_data_sets`, `DataSet`.

Reads the four standard IDX files (gzipped or not) from a folder, so it serves MNIST, Fashion-MNIST and
any other data set in the same layout. Every file is validated before use (see `idx.read_idx`).
"""
import collections
import os
import tempfile
import urllib.request

import numpy as np

from ..framework import dtypes
from .idx import read_idx

DEFAULT_SOURCE_URL = "https://storage.googleapis.com/cvdf-datasets/mnist/"
TRAIN_IMAGES = "train-images-idx3-ubyte.gz"
TRAIN_LABELS = "train-labels-idx1-ubyte.gz"
TEST_IMAGES = "t10k-images-idx3-ubyte.gz"
TEST_LABELS = "t10k-labels-idx1-ubyte.gz"
FILES = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)
IMAGES_MAGIC, LABELS_MAGIC = 2051, 2049
DOWNLOAD_TIMEOUT = float(os.environ.get("NUMFLOW_DOWNLOAD_TIMEOUT", "10"))
MAX_DOWNLOAD_BYTES = 64 << 20

Datasets = collections.namedtuple("Datasets", ["train", "validation", "test"])


class DatasetNotFoundError(FileNotFoundError):
    """The data files are not in the folder (and could not be downloaded)."""


def extract_images(f):
    """The images of an IDX image file (path or binary file object) as a uint8 array [n, rows, cols, 1]."""
    return read_idx(f, IMAGES_MAGIC, "MNIST image")[..., np.newaxis]  # the magic number fixes uint8, 3-D


def extract_labels(f, one_hot=False, num_classes=10):
    """The labels of an IDX label file as a uint8 vector [n], or one-hot float32 [n, num_classes];
    ValueError naming the file when a label is outside [0, num_classes)."""
    labels = read_idx(f, LABELS_MAGIC, "MNIST label")  # the magic number fixes uint8, 1-D
    if not one_hot:
        return labels
    return _one_hot_of_file(labels, num_classes, f)


def _one_hot_of_file(labels, num_classes, source):
    try:
        return dense_to_one_hot(labels, num_classes)
    except ValueError as e:
        name = os.fsdecode(source) if isinstance(source, (str, bytes, os.PathLike)) else \
            getattr(source, "name", "<stream>")
        raise ValueError("%s: %s (pass num_classes= for a data set with more classes)" % (name, e)) from None


def dense_to_one_hot(labels_dense, num_classes):
    """Class indices [n] -> one-hot float32 rows [n, num_classes]."""
    labels_dense = np.asarray(labels_dense)
    if labels_dense.size and (labels_dense.min() < 0 or labels_dense.max() >= num_classes):
        raise ValueError("labels range over [%d, %d]; one-hot encoding needs them in [0, %d)"
                         % (labels_dense.min(), labels_dense.max(), num_classes))
    one_hot = np.zeros((labels_dense.shape[0], num_classes), dtype=np.float32)
    one_hot[np.arange(labels_dense.shape[0]), labels_dense.astype(np.intp)] = 1.0
    return one_hot


def _image_dtype(dtype):
    dtype = dtypes.as_dtype(dtype).base_dtype
    if dtype not in (dtypes.uint8, dtypes.float32):
        raise TypeError("Invalid image dtype %r, expected uint8 or float32" % (dtype,))
    return dtype


class DataSet:
    """One split: `images`, `labels`, `num_examples`, `epochs_completed`, `next_batch(batch_size)`.

    `images` are float32 in [0, 1] (dtype=float32, scaled from uint8) or uint8 as stored, flattened to
    rows*cols when `reshape`. Batches follow TF's order: the examples are shuffled at the first call and at
    every epoch start; a batch that crosses an epoch's end is completed from the next (shuffled) epoch.
    `seed` makes the order reproducible; without it the order is drawn from NumPy's global generator.
    """

    def __init__(self, images, labels, fake_data=False, one_hot=False, dtype=dtypes.float32, reshape=True,
                 seed=None):
        dtype = _image_dtype(dtype)
        self._rng = np.random.RandomState(seed if seed is not None else np.random.randint(2 ** 31 - 1))
        self.one_hot = one_hot
        if fake_data:
            self._num_examples = 10000
        else:
            images, labels = np.asarray(images), np.asarray(labels)
            if images.shape[:1] != labels.shape[:1]:
                raise ValueError("images and labels disagree on the number of examples: images.shape %s, "
                                 "labels.shape %s" % (images.shape, labels.shape))
            self._num_examples = images.shape[0]
            if reshape and images.ndim != 2:
                if images.ndim == 4 and images.shape[3] != 1:
                    raise ValueError("reshape=True needs single-channel images [n, rows, cols, 1]; got %s"
                                     % (images.shape,))
                images = images.reshape(images.shape[0], int(np.prod(images.shape[1:])))
            if dtype == dtypes.float32:
                images = np.multiply(images.astype(np.float32), np.float32(1.0 / 255.0))
        self._images, self._labels = images, labels
        self._epochs_completed = 0
        self._index_in_epoch = 0
        self._order = None  # this epoch's permutation of the examples (None: the stored order)

    @property
    def images(self):
        return self._images

    @property
    def labels(self):
        return self._labels

    @property
    def num_examples(self):
        return self._num_examples

    @property
    def epochs_completed(self):
        return self._epochs_completed

    def _new_order(self, shuffle):
        self._order = self._rng.permutation(self._num_examples) if shuffle else None

    def _take(self, start, end):
        idx = slice(start, end) if self._order is None else self._order[start:end]
        return self._images[idx], self._labels[idx]

    def next_batch(self, batch_size, fake_data=False, shuffle=True):
        """The next `batch_size` examples as (images, labels)."""
        if fake_data:
            fake_image = [1] * 784
            fake_label = [1] + [0] * 9 if self.one_hot else 0
            return [fake_image for _ in range(batch_size)], [fake_label for _ in range(batch_size)]
        start = self._index_in_epoch
        if self._epochs_completed == 0 and start == 0:
            self._new_order(shuffle)
        if start + batch_size <= self._num_examples:
            self._index_in_epoch = start + batch_size
            return self._take(start, self._index_in_epoch)
        self._epochs_completed += 1
        rest_images, rest_labels = self._take(start, self._num_examples)
        self._new_order(shuffle)
        self._index_in_epoch = batch_size - (self._num_examples - start)
        new_images, new_labels = self._take(0, self._index_in_epoch)
        return np.concatenate((rest_images, new_images)), np.concatenate((rest_labels, new_labels))


def _find(train_dir, filename):
    """The path of `filename` in train_dir, gzipped or not (also LeCun's 'train-images.idx3-ubyte' spelling)."""
    base = filename[:-3]
    for candidate in (filename, base, base.replace("-idx", ".idx"), base.replace("-idx", ".idx") + ".gz"):
        path = os.path.join(train_dir, candidate)
        if os.path.isfile(path):
            return path
    return None


def _download(url, dest, max_bytes=MAX_DOWNLOAD_BYTES):
    """Fetch `url` into `dest` (through a temporary file; at most `max_bytes`)."""
    with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as response:  # noqa: S310 - a fixed data URL
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(dest), prefix=".download-")
        try:
            with os.fdopen(fd, "wb") as out:
                size = 0
                while True:
                    chunk = response.read(1 << 20)
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > max_bytes:
                        raise OSError("%s is larger than %d bytes" % (url, max_bytes))
                    out.write(chunk)
            os.replace(tmp, dest)
        except BaseException:
            os.unlink(tmp)
            raise
    print("Successfully downloaded", os.path.basename(dest), size, "bytes.")


def _make_folders(folder):
    """Create `folder` and any missing parents; returns the folders created, deepest first."""
    created = []
    path = os.path.abspath(folder)
    while not os.path.isdir(path):
        created.append(path)
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    os.makedirs(folder, exist_ok=True)
    return created


def _remove_empty(folders):
    """Remove the folders a failed download created (deepest first), as long as they are still empty."""
    for folder in folders:
        try:
            os.rmdir(folder)
        except OSError:  # not empty (something else was put there) or already gone: leave it
            break


def _locate(train_dir, source_url):
    """Paths of the four files in train_dir, downloading missing ones from source_url when possible.

    A failed download leaves no trace: the folders it created are removed again when still empty.
    """
    paths = {name: _find(train_dir, name) for name in FILES}
    missing = [name for name, path in paths.items() if path is None]
    if not missing:
        return paths
    reason = "downloading is switched off (NUMFLOW_NO_DOWNLOAD is set)"
    if not source_url:
        reason = "no source_url to download from"
    elif not os.environ.get("NUMFLOW_NO_DOWNLOAD"):
        created = []
        try:
            created = _make_folders(train_dir)
            for name in missing:
                _download(source_url + name, os.path.join(train_dir, name))
                paths[name] = os.path.join(train_dir, name)
            return paths
        except Exception as e:  # noqa: BLE001 - any failure is reported in the error below
            reason = "downloading from %s failed: %s" % (source_url, e)
            _remove_empty(created)
        missing = [name for name in FILES if _find(train_dir, name) is None]
    where = source_url or DEFAULT_SOURCE_URL
    raise DatasetNotFoundError(
        "MNIST data not found: %s %s missing from %s (%s). Put the four IDX files there, gzipped or not: %s. "
        "Without a network here, download them elsewhere (from %s, for example %s) and copy them into that "
        "folder."
        % (", ".join(missing), "is" if len(missing) == 1 else "are", os.path.abspath(train_dir), reason,
           ", ".join(FILES), where, where + FILES[0]))


def read_data_sets(train_dir, fake_data=False, one_hot=False, dtype=dtypes.float32, reshape=True,
                   validation_size=5000, seed=None, source_url=DEFAULT_SOURCE_URL, num_classes=None):
    """`Datasets(train, validation, test)` from the four IDX files in `train_dir`, as TF1's loader.

    The first `validation_size` training examples form the validation set. `num_classes` (numflow's
    addition, for other data sets in the same layout) sizes one-hot labels: default 10; a label outside
    [0, num_classes) is a ValueError naming its file (TF1 silently sets a wrong row or fails with
    IndexError). Missing files are downloaded from `source_url` when reachable; otherwise DatasetNotFoundError
    (a FileNotFoundError) names them and the folder to put them in.
    """
    if fake_data:
        def fake():
            return DataSet([], [], fake_data=True, one_hot=one_hot, dtype=dtype, seed=seed)
        return Datasets(train=fake(), validation=fake(), test=fake())
    _image_dtype(dtype)
    paths = _locate(train_dir, source_url)
    data = {}
    for name in FILES:
        print("Extracting", paths[name])
        data[name] = (extract_images if "images" in name else extract_labels)(paths[name])
    for images, labels in ((TRAIN_IMAGES, TRAIN_LABELS), (TEST_IMAGES, TEST_LABELS)):
        if len(data[images]) != len(data[labels]):
            raise ValueError("%s holds %d images but %s holds %d labels" % (
                paths[images], len(data[images]), paths[labels], len(data[labels])))
    if one_hot:
        for name in (TRAIN_LABELS, TEST_LABELS):
            data[name] = _one_hot_of_file(data[name], 10 if num_classes is None else num_classes, paths[name])
    train_images, train_labels = data[TRAIN_IMAGES], data[TRAIN_LABELS]
    if not 0 <= validation_size <= len(train_images):
        raise ValueError("Validation size should be between 0 and {}. Received: {}."
                         .format(len(train_images), validation_size))
    options = dict(dtype=dtype, reshape=reshape, seed=seed)
    return Datasets(
        train=DataSet(train_images[validation_size:], train_labels[validation_size:], **options),
        validation=DataSet(train_images[:validation_size], train_labels[:validation_size], **options),
        test=DataSet(data[TEST_IMAGES], data[TEST_LABELS], **options))


def load_mnist(train_dir="MNIST-data"):
    """TF's shortcut: `read_data_sets(train_dir)`."""
    return read_data_sets(train_dir)
