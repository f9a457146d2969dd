"""tf.nn CTC loss (with gradients) and decoders built identically with numflow and real TensorFlow (run by
test_tf_parity_ctc.py where NUMFLOW_TF_PYTHON names a Python with TensorFlow)."""
import numpy as np


def ctc_cases(tf):
    """ctc_loss (merge/collapse options, batch-major, v2 dense and sparse, blank_index), its gradient, the
    greedy and beam-search decoders."""
    r = np.random.RandomState(0)
    T, B, C = 6, 3, 5
    logits = r.randn(T, B, C).astype(np.float32)
    x = tf.constant(logits)
    labels = tf.SparseTensor(np.array([[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2], [2, 0]], np.int64),
                             np.array([1, 1, 2, 3, 0, 3, 2], np.int32), [3, 3])
    seq = np.array([6, 5, 3], np.int32)
    out = {}
    loss = tf.nn.ctc_loss(labels, x, seq)
    out['loss'] = loss
    out['loss_grad'] = tf.gradients(tf.reduce_sum(loss * [1.0, 2.0, 0.5]), x)[0]
    out['loss_nomerge'] = tf.nn.ctc_loss(labels, x, seq, ctc_merge_repeated=False)
    out['loss_collapse'] = tf.nn.ctc_loss(labels, x, seq, preprocess_collapse_repeated=True)
    out['loss_bm'] = tf.nn.ctc_loss(labels, tf.transpose(x, [1, 0, 2]), seq, time_major=False)
    dense = np.array([[1, 1, 2], [3, 0, 3], [2, 0, 0]], np.int32)
    out['v2_dense'] = tf.nn.ctc_loss_v2(dense + 1, x, [3, 3, 1], seq)
    out['v2_dense_blank2'] = tf.nn.ctc_loss_v2(np.where(dense >= 2, dense + 1, dense), x, [3, 3, 1], seq, blank_index=2)
    out['v2_sparse'] = tf.nn.ctc_loss_v2(labels, x, None, seq, blank_index=4)
    out['v2_grad'] = tf.gradients(tf.reduce_sum(tf.nn.ctc_loss_v2(dense + 1, x, [3, 3, 1], seq)), x)[0]
    (d,), p = tf.nn.ctc_greedy_decoder(x, seq)
    out['greedy'] = [d.indices, d.values, d.dense_shape, p]
    (d,), p = tf.nn.ctc_greedy_decoder(x, seq, merge_repeated=False)
    out['greedy_nm'] = [d.indices, d.values, d.dense_shape, p]
    (d,), p = tf.nn.ctc_greedy_decoder(x, seq, blank_index=1)
    out['greedy_b1'] = [d.indices, d.values, d.dense_shape, p]
    ds, p = tf.nn.ctc_beam_search_decoder(x, seq, beam_width=10, top_paths=3)
    out['beam'] = [[d.indices, d.values, d.dense_shape] for d in ds] + [p]
    sharp = (r.randn(8, 2, 4) * 3).astype(np.float32)
    ds, p = tf.nn.ctc_beam_search_decoder(sharp, [8, 7], beam_width=4, top_paths=2)
    out['beam_sharp'] = [[d.indices, d.values, d.dense_shape] for d in ds] + [p]
    ds, p = tf.nn.ctc_beam_search_decoder_v2(x, seq, beam_width=10, top_paths=2)
    out['beam_v2'] = [[d.indices, d.values, d.dense_shape] for d in ds] + [p]
    return out


FAMILIES = ["ctc_cases"]
