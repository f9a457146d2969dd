"""The word-index sequence data sets (IMDB, Reuters): Keras' post-processing of the index lists, and
the word index (JSON). Keras' own .npz files store the sequences as pickled object arrays, which
numflow does not load; `load_data` reads the same data from an .npz of flat arrays instead
(x_train_values + x_train_lengths, ...: see `load_data` of imdb / reuters)."""
import json

import numpy as np

from ._common import fetch, load_npz


def split_ragged(values, lengths, path):
    """The list of sequences stored as concatenated `values` and per-sequence `lengths`."""
    lengths = np.asarray(lengths, dtype=np.int64)
    if lengths.ndim != 1 or (lengths < 0).any() or lengths.sum() != len(values):
        raise ValueError("%s: sequence lengths (summing to %d) do not match the %d stored values"
                         % (path, int(lengths.sum()) if lengths.size else 0, len(values)))
    return [list(map(int, s)) for s in np.split(np.asarray(values), np.cumsum(lengths)[:-1])] if len(lengths) else []


def load_flat(path, splits):
    """{split: (sequences, labels)} from an .npz of `<split>_values`, `<split>_lengths`, `<split>_labels`."""
    keys = []
    for split in splits:
        keys += [split + "_values", split + "_lengths", split + "_labels"]
    arrays = dict(zip(keys, load_npz(path, keys, "flat sequence")))
    return {split: (split_ragged(arrays[split + "_values"], arrays[split + "_lengths"], path),
                    arrays[split + "_labels"]) for split in splits}


def prepare(xs, labels, num_words, skip_top, maxlen, seed, start_char, oov_char, index_from):
    """Keras' processing: shuffle with `seed`, shift indices by `index_from`, prepend `start_char`,
    drop sequences longer than `maxlen`, and map indices outside [skip_top, num_words) to `oov_char`
    (or drop them when oov_char is None)."""
    rng = np.random.RandomState(seed)
    order = rng.permutation(len(xs))
    xs = [xs[i] for i in order]
    labels = np.asarray(labels)[order]
    if start_char is not None:
        xs = [[start_char] + [w + index_from for w in x] for x in xs]
    elif index_from:
        xs = [[w + index_from for w in x] for x in xs]
    if maxlen:
        kept = [i for i, x in enumerate(xs) if len(x) < maxlen]
        if not kept:
            raise ValueError("After filtering for sequences shorter than maxlen=%s, no sequence was kept. "
                             "Increase maxlen." % maxlen)
        xs = [xs[i] for i in kept]
        labels = labels[kept]
    if not num_words:
        num_words = max((max(x) for x in xs if x), default=0) + 1
    if oov_char is not None:
        xs = [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    else:
        xs = [[w for w in x if skip_top <= w < num_words] for x in xs]
    return xs, labels


def to_object_array(sequences):
    array = np.empty(len(sequences), dtype=object)
    array[:] = sequences
    return array


def load_word_index(path, origin, file_hash=None):
    """The word -> index dict stored as JSON."""
    path = fetch(path, origin, file_hash)
    with open(path, encoding="utf-8") as handle:
        index = json.load(handle)
    if not isinstance(index, dict) or not all(isinstance(v, int) for v in index.values()):
        raise ValueError("%s is not a word index (a JSON object of word: integer)" % path)
    return index
