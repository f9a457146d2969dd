"""tf.nn CTC (ops/ctc.py): the loss against a brute-force sum over every alignment, its gradient against
finite differences, the decoders against exhaustive search; error paths."""
import itertools

import numpy as np
import pytest

import numflow as tf
from gradcheck import check_gradients


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


def log_softmax(x):
    x = x - x.max(axis=-1, keepdims=True)
    return x - np.log(np.exp(x).sum(axis=-1, keepdims=True))


def collapse_path(path, blank, merge_repeated=True):
    out = []
    for i, c in enumerate(path):
        if c == blank:
            continue
        if merge_repeated and i > 0 and path[i - 1] == c:
            continue
        out.append(c)
    return out


def brute_force_loss(logits, label, blank, merge_repeated=True):
    """-log of the summed probability of every path (class per step) that reads as `label`."""
    log_probs = log_softmax(logits.astype(np.float64))
    time, classes = log_probs.shape
    total = -np.inf
    for path in itertools.product(range(classes), repeat=time):
        if collapse_path(path, blank, merge_repeated) == list(label):
            total = np.logaddexp(total, log_probs[np.arange(time), path].sum())
    return -total


def sparse_labels(rows):
    indices = [[b, i] for b, row in enumerate(rows) for i in range(len(row))]
    values = [v for row in rows for v in row]
    return tf.SparseTensor(np.array(indices, np.int64).reshape(-1, 2), np.array(values, np.int32),
                           [len(rows), max(len(r) for r in rows)])


ROWS = [[0, 1], [2, 2], [1], []]


@pytest.mark.parametrize("merge_repeated", [True, False])
def test_ctc_loss_matches_brute_force_over_alignments(merge_repeated):
    logits = np.random.RandomState(0).randn(5, 4, 4).astype(np.float32)
    lengths = np.array([5, 4, 3, 5], np.int32)
    loss = tf.nn.ctc_loss(sparse_labels(ROWS), logits, lengths, ctc_merge_repeated=merge_repeated)
    assert loss.shape.as_list() == [4] and loss.dtype == tf.float32
    expected = [brute_force_loss(logits[:lengths[b], b], ROWS[b], 3, merge_repeated) for b in range(4)]
    np.testing.assert_allclose(run(loss), expected, rtol=1e-5)


def test_ctc_loss_options_batch_major_and_collapse():
    logits = np.random.RandomState(1).randn(4, 2, 4)
    rows = [[1, 1, 0], [2]]
    lengths = np.array([4, 4], np.int32)
    collapsed = tf.nn.ctc_loss(sparse_labels(rows), tf.constant(logits.transpose(1, 0, 2)), lengths,
                               preprocess_collapse_repeated=True, time_major=False)
    expected = [brute_force_loss(logits[:, 0], [1, 0], 3), brute_force_loss(logits[:, 1], [2], 3)]
    out = run(collapsed)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, expected, rtol=1e-10)


def test_ctc_loss_gradient():
    logits = np.random.RandomState(2).randn(4, 3, 4)
    check_gradients(lambda x: tf.nn.ctc_loss(sparse_labels([[0, 1], [2, 2], [1]]), x, [4, 4, 2]), [logits],
                    rtol=1e-5, atol=1e-7)


def test_ctc_loss_v2_dense_sparse_and_blank_index():
    logits = np.random.RandomState(3).randn(5, 2, 4)
    dense = np.array([[1, 2, 0], [3, 0, 0]], np.int32)      # class 0 is the blank (v2's default)
    loss = run(tf.nn.ctc_loss_v2(dense, logits, [2, 1], [5, 4]))
    expected = [brute_force_loss(logits[:5, 0], [1, 2], 0), brute_force_loss(logits[:4, 1], [3], 0)]
    np.testing.assert_allclose(loss, expected, rtol=1e-10)
    as_sparse = run(tf.nn.ctc_loss_v2(sparse_labels([[1, 2], [3]]), logits, None, [5, 4], blank_index=0))
    np.testing.assert_allclose(as_sparse, expected, rtol=1e-10)
    check_gradients(lambda x: tf.nn.ctc_loss_v2(dense, x, [2, 1], [5, 4]), [logits])
    with pytest.raises(ValueError, match="blank_index must be given when using SparseTensor labels"):
        tf.nn.ctc_loss_v2(sparse_labels([[1]]), logits, None, [5, 4])


def test_ctc_loss_errors_and_ignore_longer_outputs():
    logits = np.random.RandomState(4).randn(3, 2, 4).astype(np.float32)
    too_long = sparse_labels([[0, 0, 1], [1]])               # needs 4 steps: a blank between the 0s
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Not enough time for target transition sequence "
                                                             r"\(required: 4, available: 3\)"):
        run(tf.nn.ctc_loss(too_long, logits, [3, 3]))
    skipped = run(tf.nn.ctc_loss(too_long, logits, [3, 3], ignore_longer_outputs_than_inputs=True))
    assert skipped[0] == 0 and skipped[1] > 0
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"All labels must be in \[0, num_classes - 1\)"):
        run(tf.nn.ctc_loss(sparse_labels([[3], [1]]), logits, [3, 3]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"sequence_length\(1\) <= 3"):
        run(tf.nn.ctc_loss(sparse_labels([[0], [1]]), logits, [3, 4]))
    with pytest.raises(TypeError, match="to be a SparseTensor"):
        tf.nn.ctc_loss([[0]], logits, [3, 3])
    with pytest.raises(TypeError, match="DataType int32 not in list of allowed values"):
        tf.nn.ctc_loss(sparse_labels([[0], [1]]), logits.astype(np.int32), [3, 3])


# --- decoders ------------------------------------------------------------------------------------------
def dense_rows(sparse_value, batch):
    rows = [[] for _ in range(batch)]
    for (b, _), v in zip(sparse_value.indices.tolist(), sparse_value.values.tolist()):
        rows[b].append(v)
    return rows


def test_ctc_greedy_decoder_best_path():
    logits = np.random.RandomState(5).randn(6, 3, 4).astype(np.float32)
    lengths = np.array([6, 4, 0], np.int32)
    (decoded,), neg_sum = tf.nn.ctc_greedy_decoder(logits, lengths)
    (unmerged,), _ = tf.nn.ctc_greedy_decoder(logits, lengths, merge_repeated=False)
    (blank_first,), _ = tf.nn.ctc_greedy_decoder(logits, lengths, blank_index=0)
    got, got_sum, got_unmerged, got_first = run([decoded, neg_sum, unmerged, blank_first])
    for b in range(3):
        best = logits[:lengths[b], b].argmax(axis=1)
        assert dense_rows(got, 3)[b] == collapse_path(best, 3)
        assert dense_rows(got_unmerged, 3)[b] == collapse_path(best, 3, merge_repeated=False)
        assert dense_rows(got_first, 3)[b] == collapse_path(best, 0)
        np.testing.assert_allclose(got_sum[b, 0], -logits[np.arange(lengths[b]), b, best].sum(), rtol=1e-6)
    assert got.dense_shape.tolist() == [3, max(len(r) for r in dense_rows(got, 3))]
    assert got.values.dtype == np.int64 and got_sum.shape == (3, 1)


def test_ctc_beam_search_with_a_wide_beam_is_exhaustive():
    logits = np.random.RandomState(6).randn(4, 2, 3)
    lengths = np.array([4, 3], np.int32)
    decoded, log_probs = tf.nn.ctc_beam_search_decoder_v2(logits, lengths, beam_width=50, top_paths=3)
    values = run([[d for d in decoded], log_probs])
    for b in range(2):
        log_p = log_softmax(logits[:lengths[b], b])
        totals = {}
        for path in itertools.product(range(3), repeat=int(lengths[b])):
            label = tuple(collapse_path(path, 2))
            totals[label] = np.logaddexp(totals.get(label, -np.inf), log_p[np.arange(len(path)), path].sum())
        ranked = sorted(totals.items(), key=lambda item: -item[1])[:3]
        for k, (label, total) in enumerate(ranked):
            assert dense_rows(values[0][k], 2)[b] == list(label)
            np.testing.assert_allclose(values[1][b, k], total, rtol=1e-10)


def test_ctc_beam_search_merge_repeated_merges_result_labels():
    # Two steps of class 0 with a blank between: the path reads "0 0"; TF 1's merge_repeated makes it "0".
    logits = np.log(np.array([[[0.9, 0.05, 0.05]], [[0.05, 0.05, 0.9]], [[0.9, 0.05, 0.05]]]))
    (merged,), _ = tf.nn.ctc_beam_search_decoder(logits, [3], beam_width=5)
    (kept,), _ = tf.nn.ctc_beam_search_decoder_v2(logits, [3], beam_width=5)
    assert run(merged).values.tolist() == [0] and run(kept).values.tolist() == [0, 0]
    with pytest.raises(ValueError, match=r"top_paths \(3\) must be <= beam_width \(2\)"):
        tf.nn.ctc_beam_search_decoder(logits, [3], beam_width=2, top_paths=3)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"len\(sequence_length\) != batch_size"):
        run(tf.nn.ctc_greedy_decoder(logits, [3, 3])[1])


def test_ctc_graph_def_round_trip():
    from numflow.framework.graph_def import graph_to_graph_def
    logits = np.random.RandomState(7).randn(4, 2, 3).astype(np.float32)
    graph = tf.Graph()
    with graph.as_default():
        x = tf.constant(logits)
        loss = tf.nn.ctc_loss(sparse_labels([[0, 1], [1]]), x, [4, 3])
        grad = tf.gradients(tf.reduce_sum(loss), x)[0]
        (greedy,), _ = tf.nn.ctc_greedy_decoder(x, [4, 3], blank_index=0)
        (beam,), scores = tf.nn.ctc_beam_search_decoder(x, [4, 3], beam_width=4)
        names = [loss.name, grad.name, greedy.values.name, beam.values.name, scores.name]
    with tf.Session(graph=graph) as sess:
        expected = sess.run(names)
    graph_def = graph_to_graph_def(graph)
    assert {"CTCLoss", "CTCGreedyDecoder", "CTCBeamSearchDecoder"} <= {node.op for node in graph_def.node}
    imported = tf.Graph()
    with imported.as_default():
        tf.import_graph_def(graph_def, name="")
    with tf.Session(graph=imported) as sess:
        for got, want in zip(sess.run(names), expected):
            np.testing.assert_allclose(got, want, rtol=1e-6)
