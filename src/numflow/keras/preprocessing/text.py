"""`tf.keras.preprocessing.text`: splitting text into words, hashing words to indices, and `Tokenizer`
(a word index fitted on texts, texts to index sequences or to matrices)."""
import hashlib
import json
from collections import OrderedDict, defaultdict

import numpy as np

__all__ = ["text_to_word_sequence", "one_hot", "hashing_trick", "Tokenizer", "tokenizer_from_json"]

DEFAULT_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'


def text_to_word_sequence(text, filters=DEFAULT_FILTERS, lower=True, split=" "):
    """The words of `text`: lower-cased (`lower`), each character of `filters` replaced by `split`,
    split on `split`, empty pieces dropped."""
    if lower:
        text = text.lower()
    text = text.translate(str.maketrans({c: split for c in filters}))
    return [piece for piece in text.split(split) if piece]


def hashing_trick(text, n, hash_function=None, filters=DEFAULT_FILTERS, lower=True, split=" "):
    """Each word of `text` as an index in [1, n - 1]: hash(word) % (n - 1) + 1. `hash_function`
    defaults to Python's `hash` (salted per process unless PYTHONHASHSEED is set); 'md5' is stable."""
    if hash_function is None:
        hash_function = hash
    elif hash_function == "md5":
        def hash_function(word):
            return int(hashlib.md5(word.encode()).hexdigest(), 16)
    return [hash_function(word) % (n - 1) + 1 for word in text_to_word_sequence(text, filters, lower, split)]


def one_hot(text, n, filters=DEFAULT_FILTERS, lower=True, split=" "):
    """`hashing_trick` with Python's hash: word indices in [1, n - 1] (not a one-hot matrix, despite the
    Keras name)."""
    return hashing_trick(text, n, hash_function=hash, filters=filters, lower=lower, split=split)


class Tokenizer:
    """`Tokenizer(num_words=None, filters=..., lower=True, split=' ', char_level=False, oov_token=None,
    document_count=0)`: a word index built by `fit_on_texts` (1 for the most frequent word, ties in
    order of first appearance; `oov_token`, when given, is 1). Conversions keep only indices below
    `num_words` (when set) and map unknown words to the `oov_token`'s index (or drop them)."""

    def __init__(self, num_words=None, filters=DEFAULT_FILTERS, lower=True, split=" ", char_level=False,
                 oov_token=None, document_count=0, **kwargs):
        if "nb_words" in kwargs:
            num_words = kwargs.pop("nb_words")
        if kwargs:
            raise TypeError("Unrecognized keyword arguments: " + str(kwargs))
        self.word_counts = OrderedDict()
        self.word_docs = defaultdict(int)
        self.filters, self.split, self.lower = filters, split, lower
        self.num_words = num_words
        self.document_count = document_count
        self.char_level = char_level
        self.oov_token = oov_token
        self.index_docs = defaultdict(int)
        self.word_index = {}
        self.index_word = {}

    def _words(self, text):
        if self.char_level or isinstance(text, list):
            if self.lower:
                text = [t.lower() for t in text] if isinstance(text, list) else text.lower()
            return text
        return text_to_word_sequence(text, self.filters, self.lower, self.split)

    def fit_on_texts(self, texts):
        """Counts the words of `texts` (strings, or lists of words) and rebuilds the word index."""
        for text in texts:
            self.document_count += 1
            words = self._words(text)
            for word in words:
                self.word_counts[word] = self.word_counts.get(word, 0) + 1
            for word in set(words):
                self.word_docs[word] += 1
        counts = sorted(self.word_counts.items(), key=lambda item: item[1], reverse=True)
        vocabulary = ([] if self.oov_token is None else [self.oov_token]) + [word for word, _ in counts]
        self.word_index = {word: i for i, word in enumerate(vocabulary, start=1)}
        self.index_word = {i: word for word, i in self.word_index.items()}
        for word, count in list(self.word_docs.items()):
            self.index_docs[self.word_index[word]] = count

    def fit_on_sequences(self, sequences):
        """Counts, for `sequences_to_matrix(mode='tfidf')`, in how many sequences each index appears."""
        self.document_count += len(sequences)
        for sequence in sequences:
            for index in set(sequence):
                self.index_docs[index] += 1

    def texts_to_sequences(self, texts):
        """Each text as a list of word indices."""
        return list(self.texts_to_sequences_generator(texts))

    def texts_to_sequences_generator(self, texts):
        """Yields each text as a list of word indices."""
        oov_index = self.word_index.get(self.oov_token)
        for text in texts:
            sequence = []
            for word in self._words(text):
                index = self.word_index.get(word)
                if index is not None and not (self.num_words and index >= self.num_words):
                    sequence.append(index)
                elif oov_index is not None:
                    sequence.append(oov_index)
            yield sequence

    def sequences_to_texts(self, sequences):
        """Each index sequence as a text (words joined by spaces)."""
        return list(self.sequences_to_texts_generator(sequences))

    def sequences_to_texts_generator(self, sequences):
        """Yields each index sequence as a text."""
        oov_index = self.word_index.get(self.oov_token)
        for sequence in sequences:
            words = []
            for index in sequence:
                word = self.index_word.get(index)
                if word is not None and not (self.num_words and index >= self.num_words):
                    words.append(word)
                elif oov_index is not None:
                    words.append(self.index_word[oov_index])
            yield " ".join(words)

    def texts_to_matrix(self, texts, mode="binary"):
        """`sequences_to_matrix(texts_to_sequences(texts), mode)`."""
        return self.sequences_to_matrix(self.texts_to_sequences(texts), mode=mode)

    def sequences_to_matrix(self, sequences, mode="binary"):
        """A (len(sequences), num_words) matrix: per index, 'binary' presence, 'count', 'freq'
        (count / sequence length) or 'tfidf' ((1 + log count) * log(1 + documents / (1 + documents
        with the index)))."""
        if not self.num_words:
            if not self.word_index:
                raise ValueError("Specify a dimension (`num_words` argument), or fit on some text data first.")
            num_words = len(self.word_index) + 1
        else:
            num_words = self.num_words
        if mode not in ("binary", "count", "tfidf", "freq"):
            raise ValueError("Unknown vectorization mode: %s" % (mode,))
        if mode == "tfidf" and not self.document_count:
            raise ValueError("Fit the Tokenizer on some data before using tfidf mode.")
        matrix = np.zeros((len(sequences), num_words))
        for row, sequence in enumerate(sequences):
            if not sequence:
                continue
            counts = defaultdict(int)
            for index in sequence:
                if index < num_words:
                    counts[index] += 1
            for index, count in counts.items():
                if mode == "count":
                    matrix[row, index] = count
                elif mode == "freq":
                    matrix[row, index] = count / len(sequence)
                elif mode == "binary":
                    matrix[row, index] = 1
                else:
                    idf = np.log(1 + self.document_count / (1 + self.index_docs.get(index, 0)))
                    matrix[row, index] = (1 + np.log(count)) * idf
        return matrix

    def get_config(self):
        """The tokenizer's settings and fitted state (dicts as JSON strings, as Keras writes them)."""
        return {"num_words": self.num_words, "filters": self.filters, "lower": self.lower, "split": self.split,
                "char_level": self.char_level, "oov_token": self.oov_token, "document_count": self.document_count,
                "word_counts": json.dumps(self.word_counts), "word_docs": json.dumps(self.word_docs),
                "index_docs": json.dumps(self.index_docs), "index_word": json.dumps(self.index_word),
                "word_index": json.dumps(self.word_index)}

    def to_json(self, **kwargs):
        """The tokenizer as a JSON string (`tokenizer_from_json` reads it back)."""
        return json.dumps({"class_name": type(self).__name__, "config": self.get_config()}, **kwargs)


def tokenizer_from_json(json_string):
    """The Tokenizer a `to_json` string describes."""
    config = json.loads(json_string).get("config")
    if config is None:
        raise ValueError("Not a Tokenizer JSON string: it has no 'config'")
    config = dict(config)
    state = {key: json.loads(config.pop(key)) for key in ("word_counts", "word_docs", "index_docs", "word_index",
                                                         "index_word")}
    tokenizer = Tokenizer(**config)
    tokenizer.word_counts = OrderedDict(state["word_counts"])
    tokenizer.word_docs = defaultdict(int, state["word_docs"])
    tokenizer.index_docs = defaultdict(int, {int(k): v for k, v in state["index_docs"].items()})
    tokenizer.word_index = state["word_index"]
    tokenizer.index_word = {int(k): v for k, v in state["index_word"].items()}
    return tokenizer
