"""`tf.keras.datasets.reuters`: 11,228 Reuters newswires as word-index sequences in 46 topics."""
import numpy as np

from . import _sequences

__all__ = ["load_data", "get_word_index"]

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


def load_data(path="reuters_flat.npz", num_words=None, skip_top=0, maxlen=None, test_split=0.2, seed=113,
              start_char=1, oov_char=2, index_from=3, **kwargs):
    """((x_train, y_train), (x_test, y_test)): all newswires shuffled with `seed`, processed as Keras
    does, the last `test_split` fraction held out. `path` is an .npz of flat arrays xs_values,
    xs_lengths, xs_labels (Keras' reuters.npz stores pickled objects, which numflow does not load)."""
    if kwargs:
        raise TypeError("Unrecognized keyword arguments: " + str(sorted(kwargs)))
    path = _sequences.fetch(path, ORIGIN + "reuters.npz")
    xs, labels = _sequences.load_flat(path, ["xs"])["xs"]
    xs, labels = _sequences.prepare(xs, labels, num_words=num_words, skip_top=skip_top, maxlen=maxlen, seed=seed,
                                    start_char=start_char, oov_char=oov_char, index_from=index_from)
    split = int(len(xs) * (1 - test_split))
    x = _sequences.to_object_array(xs)
    return (x[:split], np.asarray(labels[:split])), (x[split:], np.asarray(labels[split:]))


def get_word_index(path="reuters_word_index.json"):
    """The word -> index dict of the Reuters data."""
    return _sequences.load_word_index(path, ORIGIN + "reuters_word_index.json",
                                      "4d44cc38712099c9e383dc6e5f11a921")
