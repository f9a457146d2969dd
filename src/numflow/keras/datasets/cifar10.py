"""`tf.keras.datasets.cifar10`: 50,000 training and 10,000 test 32x32 colour images in 10 classes."""
import os

import numpy as np

from ._cifar import arrange, locate, read_records

__all__ = ["load_data"]

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"
FILES = ["data_batch_%d.bin" % i for i in range(1, 6)] + ["test_batch.bin"]


def load_data(path=None):
    """((x_train, y_train), (x_test, y_test)): uint8 images (n, 32, 32, 3) (channels first under
    'channels_first') and uint8 labels (n, 1), from the binary CIFAR-10 files in `path` or in
    ~/.keras/datasets/cifar-10-batches-bin (downloaded when missing)."""
    folder = locate(path, "cifar-10-batches-bin", FILES, ORIGIN, "CIFAR-10")
    batches = [read_records(os.path.join(folder, name), 1, 0) for name in FILES]
    x_train = np.concatenate([images for images, _ in batches[:5]])
    y_train = np.concatenate([labels for _, labels in batches[:5]])
    x_test, y_test = batches[5]
    return (arrange(x_train), y_train), (arrange(x_test), y_test)
