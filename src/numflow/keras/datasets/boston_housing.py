"""`tf.keras.datasets.boston_housing`: 506 houses, 13 features each, and their median values."""
import numpy as np

from ._common import fetch, load_npz

__all__ = ["load_data"]

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/boston_housing.npz"
FILE_HASH = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"


def load_data(path="boston_housing.npz", test_split=0.2, seed=113):
    """((x_train, y_train), (x_test, y_test)), the rows shuffled with `seed` and the last `test_split`
    fraction held out, as Keras splits them."""
    if not 0 <= test_split < 1:
        raise ValueError("test_split must be in [0, 1), got %s" % (test_split,))
    path = fetch(path, ORIGIN, FILE_HASH)
    x, y = load_npz(path, ["x", "y"], "Boston housing")
    if x.ndim != 2 or y.ndim != 1 or x.shape[0] != y.shape[0]:
        raise ValueError("%s: x of shape %s and y of shape %s are not a Boston housing table" % (path, x.shape, y.shape))
    np.random.seed(seed)
    indices = np.arange(len(x))
    np.random.shuffle(indices)
    x, y = x[indices], y[indices]
    split = int(len(x) * (1 - test_split))
    return (x[:split], y[:split]), (x[split:], y[split:])
