"""`tf.keras.preprocessing.sequence`: `pad_sequences`, `TimeseriesGenerator`, `skipgrams`,
`make_sampling_table`."""
import random

import numpy as np

from ..utils.data_utils import Sequence

__all__ = ["pad_sequences", "TimeseriesGenerator", "skipgrams", "make_sampling_table"]


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre", value=0.):
    """A (num_sequences, maxlen) + sample_shape array of `sequences`: each cut to `maxlen` (dropping
    its start with truncating='pre', its end with 'post') and filled with `value` before ('pre') or
    after ('post') it. maxlen defaults to the longest sequence."""
    if not hasattr(sequences, "__len__"):
        raise ValueError("`sequences` must be iterable.")
    lengths, sample_shape, found = [], (), False
    for item in sequences:
        try:
            lengths.append(len(item))
        except TypeError:
            raise ValueError("`sequences` must be a list of iterables. Found non-iterable: " + str(item)) from None
        if not found and len(item):
            sample_shape = np.asarray(item).shape[1:]
            found = True
    if maxlen is None:
        maxlen = max(lengths) if lengths else 0
    is_string_dtype = np.issubdtype(np.dtype(dtype), np.str_)
    if isinstance(value, str) and dtype != object and not is_string_dtype:
        raise ValueError("`dtype` {} is not compatible with `value`'s type: {}\nYou should set `dtype=object` for "
                         "variable length strings.".format(dtype, type(value)))
    if padding not in ("pre", "post"):
        raise ValueError('Padding type "%s" not understood' % padding)
    if truncating not in ("pre", "post"):
        raise ValueError('Truncating type "%s" not understood' % truncating)
    result = np.full((len(sequences), maxlen) + sample_shape, value, dtype=dtype)
    for index, item in enumerate(sequences):
        if not len(item) or not maxlen:
            continue
        kept = item[-maxlen:] if truncating == "pre" else item[:maxlen]
        kept = np.asarray(kept, dtype=dtype)
        if kept.shape[1:] != sample_shape:
            raise ValueError("Shape of sample %s of sequence at position %s is different from expected shape %s"
                             % (kept.shape[1:], index, sample_shape))
        if padding == "post":
            result[index, :len(kept)] = kept
        else:
            result[index, -len(kept):] = kept
    return result


class TimeseriesGenerator(Sequence):
    """`TimeseriesGenerator(data, targets, length, sampling_rate=1, stride=1, start_index=0,
    end_index=None, shuffle=False, reverse=False, batch_size=128)`: batches of windows for sequence
    models. Sample j of a batch is data[row - length:row:sampling_rate] with target targets[row], rows
    running from start_index + length to end_index (default the last index) in steps of `stride`
    (random rows with `shuffle`; windows reversed in time with `reverse`)."""

    def __init__(self, data, targets, length, sampling_rate=1, stride=1, start_index=0, end_index=None,
                 shuffle=False, reverse=False, batch_size=128):
        if len(data) != len(targets):
            raise ValueError("Data and targets have to be of same length. Data length is {} while target length "
                             "is {}".format(len(data), len(targets)))
        self.data, self.targets = data, targets
        self.length, self.sampling_rate, self.stride = length, sampling_rate, stride
        self.start_index = start_index + length
        self.end_index = len(data) - 1 if end_index is None else end_index
        self.shuffle, self.reverse, self.batch_size = shuffle, reverse, batch_size
        if self.start_index > self.end_index:
            raise ValueError("`start_index+length=%i > end_index=%i` is disallowed, as no part of the sequence "
                             "would be left to be used as current step." % (self.start_index, self.end_index))

    def __len__(self):
        span = self.batch_size * self.stride
        return (self.end_index - self.start_index + span) // span

    def __getitem__(self, index):
        if self.shuffle:
            rows = np.random.randint(self.start_index, self.end_index + 1, size=self.batch_size)
        else:
            first = self.start_index + self.batch_size * self.stride * index
            rows = np.arange(first, min(first + self.batch_size * self.stride, self.end_index + 1), self.stride)
        samples = np.array([self.data[row - self.length:row:self.sampling_rate] for row in rows])
        targets = np.array([self.targets[row] for row in rows])
        if self.reverse:
            return samples[:, ::-1, ...], targets
        return samples, targets

    def get_config(self):
        return {"length": self.length, "sampling_rate": self.sampling_rate, "stride": self.stride,
                "start_index": self.start_index - self.length, "end_index": self.end_index,
                "shuffle": self.shuffle, "reverse": self.reverse, "batch_size": self.batch_size}


def make_sampling_table(size, sampling_factor=1e-5):
    """The probability of keeping each word rank (0 .. size-1) in skip-gram sampling, for words
    ranked by frequency under Zipf's law (word2vec's subsampling formula)."""
    euler_gamma = 0.577
    rank = np.arange(size, dtype=np.float64)
    rank[0] = 1
    inverse_frequency = rank * (np.log(rank) + euler_gamma) + 0.5 - 1. / (12. * rank)
    f = sampling_factor * inverse_frequency
    return np.minimum(1., f / np.sqrt(f))


def skipgrams(sequence, vocabulary_size, window_size=4, negative_samples=1., shuffle=True, categorical=False,
              sampling_table=None, seed=None):
    """(couples, labels): [word, context] pairs of words within `window_size` of each other (label 1)
    and, `negative_samples` times as many, pairs of a word with a random word (label 0); index 0 is
    skipped; with `sampling_table`, word i is kept with probability sampling_table[i]. `categorical`
    labels are [0, 1] / [1, 0]."""
    couples, labels = [], []
    positive, negative = ([0, 1], [1, 0]) if categorical else (1, 0)
    for i, word in enumerate(sequence):
        if not word:
            continue
        if sampling_table is not None and sampling_table[word] < random.random():
            continue
        for j in range(max(0, i - window_size), min(len(sequence), i + window_size + 1)):
            if j != i and sequence[j]:
                couples.append([word, sequence[j]])
                labels.append(positive)
    if negative_samples > 0 and couples:
        count = int(len(labels) * negative_samples)
        words = [c[0] for c in couples]
        random.shuffle(words)
        couples += [[words[i % len(words)], random.randint(1, vocabulary_size - 1)] for i in range(count)]
        labels += [negative] * count
    if shuffle:
        if seed is None:
            seed = random.randint(0, 10_000_000)
        random.Random(seed).shuffle(couples)
        random.Random(seed).shuffle(labels)
    return couples, labels
