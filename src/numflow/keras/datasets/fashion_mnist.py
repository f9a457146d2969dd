"""`tf.keras.datasets.fashion_mnist`: 60,000 training and 10,000 test 28x28 grayscale images of 10
kinds of clothing."""
import os

from ._common import cache_path, fetch, load_idx_folder

__all__ = ["load_data"]

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FILES = ("train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
         "t10k-images-idx3-ubyte.gz")


def load_data(path=None):
    """((x_train, y_train), (x_test, y_test)): uint8 images (n, 28, 28) and uint8 labels 0-9, read from
    the IDX files in `path` (a folder) or ~/.keras/datasets/fashion-mnist/ (downloaded when missing)."""
    folder = path or cache_path("fashion-mnist")
    if path is None:
        for name in FILES:
            if not os.path.exists(os.path.join(folder, name)):
                fetch(os.path.join(folder, name), ORIGIN + name, cache_subdir=os.path.join("datasets",
                                                                                         "fashion-mnist"))
    return load_idx_folder(folder, "Fashion-MNIST")
