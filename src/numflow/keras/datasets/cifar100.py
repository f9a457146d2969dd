"""`tf.keras.datasets.cifar100`: 50,000 training and 10,000 test 32x32 colour images in 100 fine (20
coarse) classes."""
import os

from ._cifar import arrange, locate, read_records

__all__ = ["load_data"]

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz"
FILES = ["train.bin", "test.bin"]


def load_data(label_mode="fine", path=None):
    """((x_train, y_train), (x_test, y_test)) with 'fine' (100 classes) or 'coarse' (20) labels (n, 1),
    from the binary CIFAR-100 files in `path` or in ~/.keras/datasets/cifar-100-binary."""
    if label_mode not in ("fine", "coarse"):
        raise ValueError("`label_mode` must be one of `\"fine\"`, `\"coarse\"`.")
    folder = locate(path, "cifar-100-binary", FILES, ORIGIN, "CIFAR-100")
    label_index = 1 if label_mode == "fine" else 0
    x_train, y_train = read_records(os.path.join(folder, "train.bin"), 2, label_index)
    x_test, y_test = read_records(os.path.join(folder, "test.bin"), 2, label_index)
    return (arrange(x_train), y_train), (arrange(x_test), y_test)
