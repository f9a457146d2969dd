"""`tf.keras.datasets.imdb`: 25,000 training and 25,000 test movie reviews as word-index sequences,
labelled positive (1) or negative (0)."""
from . import _sequences

__all__ = ["load_data", "get_word_index"]

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


def load_data(path="imdb_flat.npz", num_words=None, skip_top=0, maxlen=None, seed=113, start_char=1, oov_char=2,
              index_from=3, **kwargs):
    """((x_train, y_train), (x_test, y_test)): object arrays of index lists and int labels, processed
    as Keras does (see `_sequences.prepare`); train and test are shuffled separately with `seed`.

    Keras' imdb.npz keeps the lists as pickled objects, which numflow does not unpickle: `path` must be
    an .npz of flat arrays x_train_values, x_train_lengths, x_train_labels (and x_test_*), i.e. the
    concatenated indices, each review's length, and the labels."""
    if kwargs:
        raise TypeError("Unrecognized keyword arguments: " + str(sorted(kwargs)))
    path = _sequences.fetch(path, ORIGIN + "imdb.npz")
    splits = _sequences.load_flat(path, ["x_train", "x_test"])
    result = []
    for split in ("x_train", "x_test"):
        xs, labels = _sequences.prepare(*splits[split], num_words=num_words, skip_top=skip_top, maxlen=maxlen,
                                        seed=seed, start_char=start_char, oov_char=oov_char,
                                        index_from=index_from)
        result.append((_sequences.to_object_array(xs), labels))
    return tuple(result)


def get_word_index(path="imdb_word_index.json"):
    """The word -> index dict of the IMDB data (indices before `index_from` is added)."""
    return _sequences.load_word_index(path, ORIGIN + "imdb_word_index.json",
                                      "bfafd718b763782e994055a2d397834f")
