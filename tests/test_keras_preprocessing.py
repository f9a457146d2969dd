"""tf.keras.preprocessing.sequence and .text: padding, time-series windows, skip-grams, tokenizing."""
import numpy as np
import pytest

import numflow as tf

sequence = tf.keras.preprocessing.sequence
text = tf.keras.preprocessing.text


def _np_pad(seqs, maxlen, padding, truncating, value):
    rows = []
    for s in seqs:
        s = list(s)
        s = s[-maxlen:] if truncating == "pre" else s[:maxlen]
        fill = [value] * (maxlen - len(s))
        rows.append(fill + s if padding == "pre" else s + fill)
    return np.array(rows)


@pytest.mark.parametrize("padding", ["pre", "post"])
@pytest.mark.parametrize("truncating", ["pre", "post"])
@pytest.mark.parametrize("maxlen", [None, 2, 4])
def test_pad_sequences(padding, truncating, maxlen):
    seqs = [[1, 2, 3], [4], [], [5, 6, 7, 8]]
    got = sequence.pad_sequences(seqs, maxlen=maxlen, padding=padding, truncating=truncating, value=-1)
    np.testing.assert_array_equal(got, _np_pad(seqs, maxlen or 4, padding, truncating, -1))
    assert got.dtype == np.int32


def test_pad_sequences_shapes_dtypes_and_errors():
    out = sequence.pad_sequences([np.ones((2, 3)), np.zeros((1, 3))], dtype="float32", value=0.5)
    assert out.shape == (2, 2, 3) and out[1, 0, 0] == 0.5 and out[1, 1, 0] == 0.0
    strings = sequence.pad_sequences([["a", "b"], ["c"]], dtype=object, value="<pad>")
    assert strings.tolist() == [["a", "b"], ["<pad>", "c"]]
    with pytest.raises(ValueError, match="`dtype` int32 is not compatible with `value`'s type"):
        sequence.pad_sequences([["a"]], value="x")
    with pytest.raises(ValueError, match='Padding type "middle" not understood'):
        sequence.pad_sequences([[1]], padding="middle")
    with pytest.raises(ValueError, match='Truncating type "side" not understood'):
        sequence.pad_sequences([[1]], truncating="side")
    with pytest.raises(ValueError, match="Shape of sample \\(2,\\) of sequence at position 1 is different"):
        sequence.pad_sequences([np.ones((1, 3)), np.ones((1, 2))])
    with pytest.raises(ValueError, match="must be a list of iterables. Found non-iterable: 3"):
        sequence.pad_sequences([[1], 3])


def test_timeseries_generator():
    data = np.arange(50).reshape(25, 2)
    targets = np.arange(25) * 10
    gen = sequence.TimeseriesGenerator(data, targets, length=4, sampling_rate=2, stride=3, start_index=1,
                                       end_index=20, batch_size=2)
    rows = list(range(5, 21, 3))
    assert len(gen) == int(np.ceil(len(rows) / 2))
    x, y = gen[1]
    np.testing.assert_array_equal(y, targets[rows[2:4]])
    np.testing.assert_array_equal(x, np.array([data[r - 4:r:2] for r in rows[2:4]]))
    last_x, last_y = gen[len(gen) - 1]
    np.testing.assert_array_equal(last_y, targets[rows[4:]])
    reverse = sequence.TimeseriesGenerator(data, targets, length=3, reverse=True, batch_size=5)
    np.testing.assert_array_equal(reverse[0][0][0], data[0:3][::-1])
    with pytest.raises(ValueError, match="Data and targets have to be of same length"):
        sequence.TimeseriesGenerator(data, targets[:3], length=2)
    with pytest.raises(ValueError, match="`start_index\\+length=30 > end_index=24` is disallowed"):
        sequence.TimeseriesGenerator(data, targets, length=30)


def test_skipgrams_and_sampling_table():
    seq = [1, 2, 0, 3]
    couples, labels = sequence.skipgrams(seq, vocabulary_size=5, window_size=1, negative_samples=0., shuffle=False)
    assert couples == [[1, 2], [2, 1]] and labels == [1, 1]
    couples, labels = sequence.skipgrams([1, 2, 3, 4], 10, window_size=2, negative_samples=1.0, seed=3)
    positives = {tuple(c) for c, l in zip(couples, labels) if l == 1}
    assert positives == {(a, b) for i, a in enumerate([1, 2, 3, 4]) for j, b in enumerate([1, 2, 3, 4])
                         if i != j and abs(i - j) <= 2}
    negatives = [c for c, l in zip(couples, labels) if l == 0]
    assert len(negatives) == len(positives) and all(1 <= c[1] < 10 for c in negatives)
    _, categorical = sequence.skipgrams([1, 2], 4, negative_samples=0, categorical=True)
    assert categorical == [[0, 1], [0, 1]]
    table = sequence.make_sampling_table(5, sampling_factor=1e-2)
    rank = np.array([1., 1., 2., 3., 4.])
    f = 1e-2 * (rank * (np.log(rank) + 0.577) + 0.5 - 1 / (12 * rank))
    np.testing.assert_allclose(table, np.minimum(1, f / np.sqrt(f)))


def test_text_to_words_and_hashing():
    assert text.text_to_word_sequence("Hello, World!  foo-bar") == ["hello", "world", "foo", "bar"]
    assert text.text_to_word_sequence("A;B", filters=";", lower=False) == ["A", "B"]
    indices = text.hashing_trick("the cat the dog", 7, hash_function="md5")
    import hashlib
    expected = [int(hashlib.md5(w.encode()).hexdigest(), 16) % 6 + 1 for w in ["the", "cat", "the", "dog"]]
    assert indices == expected
    hashed = text.one_hot("a b a", 5)
    assert hashed[0] == hashed[2] and all(1 <= i <= 4 for i in hashed)


def test_tokenizer():
    texts = ["The cat sat.", "The dog sat on the cat!", "A bird"]
    tok = text.Tokenizer(num_words=5, oov_token="<unk>")
    tok.fit_on_texts(texts)
    assert tok.word_index["<unk>"] == 1 and tok.word_index["the"] == 2
    assert [w for w, _ in sorted(tok.word_index.items(), key=lambda kv: kv[1])][:5] == [
        "<unk>", "the", "cat", "sat", "dog"]
    assert tok.document_count == 3 and tok.word_counts["the"] == 3 and tok.word_docs["cat"] == 2
    seqs = tok.texts_to_sequences(["the dog and the bird"])
    assert seqs == [[2, 1, 1, 2, 1]]
    assert tok.sequences_to_texts(seqs) == ["the <unk> <unk> the <unk>"]
    plain = text.Tokenizer()
    plain.fit_on_texts(texts)
    seq = plain.texts_to_sequences(["cat cat sat unknown"])[0]
    n = len(plain.word_index) + 1
    np.testing.assert_array_equal(plain.sequences_to_matrix([seq], "binary")[0], np.bincount(seq, minlength=n) > 0)
    np.testing.assert_array_equal(plain.sequences_to_matrix([seq], "count")[0], np.bincount(seq, minlength=n))
    np.testing.assert_allclose(plain.sequences_to_matrix([seq], "freq")[0], np.bincount(seq, minlength=n) / 3)
    tfidf = plain.texts_to_matrix(["cat cat"], mode="tfidf")[0]
    cat = plain.word_index["cat"]
    np.testing.assert_allclose(tfidf[cat], (1 + np.log(2)) * np.log(1 + 3 / (1 + 2)))
    restored = text.tokenizer_from_json(tok.to_json())
    assert restored.word_index == tok.word_index and restored.texts_to_sequences(texts) == tok.texts_to_sequences(texts)
    chars = text.Tokenizer(char_level=True)
    chars.fit_on_texts(["abba"])
    assert chars.word_index == {"a": 1, "b": 2}  # a tie: the first seen comes first
    with pytest.raises(ValueError, match="Specify a dimension"):
        text.Tokenizer().sequences_to_matrix([[1]])
    with pytest.raises(ValueError, match="Unknown vectorization mode: sqrt"):
        plain.sequences_to_matrix([[1]], mode="sqrt")
    with pytest.raises(ValueError, match="Fit the Tokenizer on some data before using tfidf mode"):
        text.Tokenizer(num_words=3).sequences_to_matrix([[1]], mode="tfidf")
