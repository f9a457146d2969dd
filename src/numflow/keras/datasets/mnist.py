"""`tf.keras.datasets.mnist`: 60,000 training and 10,000 test 28x28 grayscale digit images."""
from ._common import load_image_set

__all__ = ["load_data"]

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
FILE_HASH = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"


def load_data(path="mnist.npz"):
    """((x_train, y_train), (x_test, y_test)): uint8 images (n, 28, 28) and uint8 labels 0-9.

    `path` is a file name in the Keras cache (~/.keras/datasets/mnist.npz, downloaded when missing),
    an .npz path, or a folder holding the four IDX files (train-images-idx3-ubyte.gz, ...); the IDX
    files in ~/.keras/datasets/mnist/ are used too when the .npz is absent."""
    return load_image_set(path, "MNIST", ORIGIN, FILE_HASH, "mnist")
