"""Shared loading rules of the Keras data sets: where local copies are looked for, validated `.npz`
reading (no pickles), IDX folders, and the error that says where to put a missing file."""
import os

import numpy as np

from ...datasets import mnist as idx_mnist
from ...datasets.idx import read_idx
from ..utils.data_utils import _keras_home, get_file


def cache_path(name, cache_subdir="datasets"):
    """Where `get_file` keeps `name`: ~/.keras/datasets/<name> (or under $KERAS_HOME)."""
    return os.path.join(_keras_home(), cache_subdir, name)


def fetch(path, origin, file_hash=None, cache_subdir="datasets"):
    """`path` itself when it exists, else the cached or downloaded copy (see `get_file`), whose error
    names the file and the folder to copy it to."""
    if os.path.exists(path):
        return path
    return get_file(path, origin=origin, file_hash=file_hash, cache_subdir=cache_subdir)


def load_npz(path, keys, dataset):
    """The arrays `keys` of an .npz file, read with allow_pickle=False; ValueError naming the file
    when one is missing or the file is not a valid archive of plain arrays."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            missing = [k for k in keys if k not in archive.files]
            if missing:
                raise ValueError("%s is not a %s archive: it lacks %s (it holds %s)"
                                 % (path, dataset, ", ".join(missing), ", ".join(sorted(archive.files))))
            return [archive[k] for k in keys]
    except ValueError as e:
        if "allow_pickle" in str(e) or "Object arrays" in str(e):
            raise ValueError("%s stores Python objects (pickled arrays); numflow never unpickles data files. "
                             "Convert it to plain numeric arrays first." % path) from None
        raise
    except (OSError, EOFError) as e:
        raise ValueError("%s is not a readable .npz archive: %s" % (path, e)) from None


def check_images(x, y, path, dataset, image_shape):
    """ValueError naming the file unless x is uint8 (n,) + image_shape and y has n entries."""
    if x.ndim != 1 + len(image_shape) or tuple(x.shape[1:]) != tuple(image_shape) or x.shape[0] != y.shape[0]:
        raise ValueError("%s: %s images of shape %s with %d labels are not a %s split (expected (n,) + %s)"
                         % (path, x.dtype, x.shape, y.shape[0], dataset, tuple(image_shape)))


def load_idx_folder(folder, dataset):
    """((x_train, y_train), (x_test, y_test)) from the four MNIST-layout IDX files in `folder`
    (gzipped or not)."""
    paths = {}
    for name in idx_mnist.FILES:
        found = idx_mnist._find(folder, name)
        if found is None:
            raise FileNotFoundError("%s: %s is missing (the %s IDX files are %s)"
                                    % (folder, name, dataset, ", ".join(idx_mnist.FILES)))
        paths[name] = found
    x_train = read_idx(paths[idx_mnist.TRAIN_IMAGES], idx_mnist.IMAGES_MAGIC, dataset + " image")
    y_train = read_idx(paths[idx_mnist.TRAIN_LABELS], idx_mnist.LABELS_MAGIC, dataset + " label")
    x_test = read_idx(paths[idx_mnist.TEST_IMAGES], idx_mnist.IMAGES_MAGIC, dataset + " image")
    y_test = read_idx(paths[idx_mnist.TEST_LABELS], idx_mnist.LABELS_MAGIC, dataset + " label")
    for x, y, name in ((x_train, y_train, idx_mnist.TRAIN_IMAGES), (x_test, y_test, idx_mnist.TEST_IMAGES)):
        if x.shape[0] != y.shape[0]:
            raise ValueError("%s: %d images but %d labels" % (os.path.join(folder, name), x.shape[0], y.shape[0]))
    return (x_train, y_train), (x_test, y_test)


def load_image_set(path, dataset, origin, file_hash, idx_subdir, image_shape=(28, 28)):
    """MNIST-style loading: `path` may be a folder of IDX files or an .npz file (x_train, y_train,
    x_test, y_test); when it does not exist, the cache's IDX folder `idx_subdir` is tried, then the
    cached or downloaded .npz."""
    if os.path.isdir(path):
        return load_idx_folder(path, dataset)
    cached_folder = cache_path(idx_subdir)
    if not os.path.exists(path) and os.path.isdir(cached_folder) and \
            all(idx_mnist._find(cached_folder, n) for n in idx_mnist.FILES):
        return load_idx_folder(cached_folder, dataset)
    path = fetch(path, origin, file_hash)
    x_train, y_train, x_test, y_test = load_npz(path, ["x_train", "y_train", "x_test", "y_test"], dataset)
    check_images(x_train, y_train, path, dataset, image_shape)
    check_images(x_test, y_test, path, dataset, image_shape)
    return (x_train, y_train), (x_test, y_test)
