"""tf.nn / tf.layers breadth built identically with numflow and real TensorFlow
(run by test_tf_parity_nn_extra.py where NUMFLOW_TF_PYTHON names a Python with TensorFlow)."""
import numpy as np

rng = np.random.RandomState(1)
X1 = rng.randn(2, 9, 3).astype(np.float32)
F1 = rng.randn(3, 3, 4).astype(np.float32)
X3 = rng.randn(2, 5, 6, 7, 3).astype(np.float32)
F3 = rng.randn(2, 3, 2, 3, 4).astype(np.float32)
X2 = rng.randn(2, 7, 8, 3).astype(np.float32)
F2 = rng.randn(3, 3, 3, 4).astype(np.float32)


def conv_cases(tf):
    """Convolutions and pools in 1 to 3 dimensions, with gradients."""
    local = np.random.RandomState(2)   # drawn here: the same values whichever families ran before
    x1, f1, x3, f3, x2, f2 = (tf.constant(v) for v in (X1, F1, X3, F3, X2, F2))
    out = {}
    out["conv1d"] = [tf.nn.conv1d(x1, f1, 2, "SAME"), tf.nn.conv1d(x1, f1, 1, "VALID", dilations=2)]
    out["conv1d_grad"] = tf.gradients(tf.reduce_sum(tf.nn.conv1d(x1, f1, 2, "SAME") ** 2), [x1, f1])
    out["conv1d_t"] = tf.nn.conv1d_transpose(tf.constant(X1[:, :, :3]), tf.constant(local.randn(3, 5, 3).astype(np.float32)),
                               [2, 18, 5], 2, "SAME")
    out["conv3d"] = [tf.nn.conv3d(x3, f3, [1, 1, 2, 1, 1], "SAME"),
                     tf.nn.conv3d(x3, f3, [1, 2, 1, 2, 1], "VALID"),
                     tf.nn.conv3d(x3, f3, [1, 1, 1, 1, 1], "SAME", dilations=[1, 2, 1, 2, 1])]
    out["conv3d_grad"] = tf.gradients(tf.reduce_sum(tf.nn.conv3d(x3, f3, [1, 2, 2, 1, 1], "SAME") ** 2),
                                      [x3, f3])
    out["conv3d_t"] = tf.nn.conv3d_transpose(tf.constant(X3[..., :2]),
                                             tf.constant(local.randn(2, 3, 3, 4, 2).astype(np.float32)),
                                             [2, 10, 12, 7, 4], [1, 2, 2, 1, 1], "SAME")
    out["pool3d"] = [tf.nn.max_pool3d(x3, [1, 2, 3, 2, 1], [1, 2, 2, 2, 1], "SAME"),
                     tf.nn.avg_pool3d(x3, [1, 2, 3, 2, 1], [1, 2, 2, 2, 1], "SAME"),
                     tf.nn.max_pool3d(x3, [1, 3, 3, 3, 1], [1, 1, 2, 1, 1], "VALID")]
    out["pool3d_grad"] = [
        tf.gradients(tf.reduce_sum(tf.nn.max_pool3d(x3, [1, 2, 3, 2, 1], [1, 2, 2, 2, 1], "SAME") ** 2), x3)[0],
        tf.gradients(tf.reduce_sum(tf.nn.avg_pool3d(x3, [1, 2, 3, 2, 1], [1, 1, 2, 2, 1], "SAME") ** 2), x3)[0]]
    out["pool1d"] = [tf.nn.max_pool1d(x1, 3, 2, "SAME"), tf.nn.avg_pool1d(x1, 3, 2, "SAME")]
    argmax = tf.nn.max_pool_with_argmax(x2, [1, 3, 3, 1], [1, 2, 2, 1], "SAME")
    out["argmax"] = list(argmax)
    out["argmax_b"] = list(tf.nn.max_pool_with_argmax(x2, [1, 2, 2, 1], [1, 2, 2, 1], "VALID",
                                                      include_batch_in_index=True))
    out["argmax_grad"] = tf.gradients(tf.reduce_sum(argmax[0] ** 2), x2)[0]
    out["atrous"] = [tf.nn.atrous_conv2d(x2, f2, 2, "SAME"), tf.nn.atrous_conv2d(x2, f2, 2, "VALID")]
    out["atrous_t"] = tf.nn.atrous_conv2d_transpose(x2, tf.constant(local.randn(3, 3, 5, 3).astype(np.float32)),
                                                    [2, 7, 8, 5], 2, "SAME")
    out["convolution"] = [tf.nn.convolution(x2, f2, "SAME", dilation_rate=[2, 1]),
                          tf.nn.convolution(x1, f1, "VALID", strides=[2]),
                          tf.nn.convolution(x3, f3, "SAME", strides=[1, 2, 2])]
    out["pool_nd"] = [tf.nn.pool(x2, [2, 3], "MAX", "SAME", strides=[2, 2]),
                      tf.nn.pool(x2, [2, 2], "AVG", "VALID", dilation_rate=[2, 2]),
                      tf.nn.pool(x2, [3, 3], "MAX", "VALID", dilation_rate=[2, 1]),
                      tf.nn.pool(x1, [3], "AVG", "VALID", dilation_rate=[2])]
    out["pool_v2"] = [tf.nn.max_pool_v2(x3, 2, 2, "SAME"), tf.nn.avg_pool_v2(x1, [2], [1], "VALID")]
    return out


XM = rng.randn(2, 6, 7, 3).astype(np.float32)
KM = rng.randn(3, 2, 3).astype(np.float32)
TABLE = rng.randn(10, 4).astype(np.float32)
INPUTS = rng.randn(3, 4).astype(np.float32)


def nn_cases(tf):
    """tf.nn helpers, morphology, embeddings and sampled losses (samples given, so deterministic)."""
    local = np.random.RandomState(3)
    xm, km = tf.constant(XM), tf.constant(KM)
    out = {}
    s2b = tf.space_to_batch_nd(tf.constant(X2), [2, 3], [[1, 0], [0, 1]])
    out["s2b"] = [s2b, tf.batch_to_space_nd(s2b, [2, 3], [[1, 0], [0, 1]]),
                  tf.space_to_batch(tf.constant(X2), [[1, 0], [0, 0]], 2),
                  tf.batch_to_space(tf.constant(X2[:, :, :6].reshape(4, 7, 3, 3)), [[0, 1], [1, 1]], 2),
                  tf.required_space_to_batch_paddings([7, 8], [2, 3], [[1, 1], [0, 2]])[0]]
    x2 = tf.constant(X2)
    out["s2b_grad"] = tf.gradients(tf.reduce_sum(tf.space_to_batch_nd(x2, [2, 2], [[1, 0], [0, 0]]) ** 3), x2)[0]
    out["morph"] = [tf.nn.dilation2d(xm, km, [1, 1, 1, 1], [1, 1, 1, 1], "SAME"),
                    tf.nn.dilation2d(xm, km, [1, 2, 1, 1], [1, 1, 2, 1], "VALID"),
                    tf.nn.erosion2d(xm, km, [1, 1, 2, 1], [1, 2, 1, 1], "SAME")]
    d = tf.nn.dilation2d(xm, km, [1, 2, 1, 1], [1, 1, 2, 1], "SAME")
    e = tf.nn.erosion2d(xm, km, [1, 1, 1, 1], [1, 1, 1, 1], "VALID")
    out["morph_grad"] = tf.gradients(tf.reduce_sum(d ** 2) + tf.reduce_sum(e ** 2), [xm, km])
    w = tf.constant(np.abs(XM[..., :1]) + 0.5)
    out["wmoments"] = list(tf.nn.weighted_moments(xm, [0, 1, 2], w)) + \
        list(tf.nn.weighted_moments(xm, [1], w, keep_dims=True))
    out["bn_global"] = tf.nn.batch_norm_with_global_normalization(
        xm, tf.constant([0.1, 0.2, 0.3]), tf.constant([1.0, 2.0, 0.5]), tf.constant([0.0, 1.0, -1.0]),
        tf.constant([2.0, 1.0, 0.5]), 0.001, True)
    out["small"] = [tf.nn.silu(xm), tf.nn.compute_average_loss(tf.constant([1.0, 2.0, 3.0, 4.0]),
                                                               sample_weight=tf.constant([1.0, 0.0, 1.0, 2.0])),
                    tf.nn.compute_average_loss(tf.constant([1.0, 2.0, 3.0, 4.0]), global_batch_size=8),
                    tf.nn.scale_regularization_loss([tf.constant(1.0), tf.constant(2.0)])]
    out["approx"] = list(tf.nn.approx_max_k(tf.constant(TABLE), 3))  # TF has no CPU kernel of approx_min_k
    labels = tf.constant([[1, 1, 2, 2, 3, 0], [4, 4, 4, 5, 5, 5], [7, 7, 7, 7, 7, 7]])
    out["collapse"] = list(tf.nn.collapse_repeated(labels, [6, 4, 2]))
    out["unique"] = list(tf.nn.ctc_unique_labels(tf.constant([[3, 1, 3, 0, 0], [2, 2, 5, 2, 0]])))
    table = tf.constant(TABLE)
    shards = [tf.constant(TABLE[:4]), tf.constant(TABLE[4:7]), tf.constant(TABLE[7:])]
    mod_shards = [tf.constant(TABLE[0::3]), tf.constant(TABLE[1::3]), tf.constant(TABLE[2::3])]
    ids = tf.constant([[9, 0, 4], [5, 3, 7]])
    out["lookup"] = [tf.nn.embedding_lookup(shards, ids, partition_strategy="div"),
                     tf.nn.embedding_lookup(mod_shards, ids), tf.nn.embedding_lookup(table, ids, max_norm=1.0)]
    sp_ids = tf.SparseTensor(tf.constant([[0, 0], [0, 1], [1, 0], [3, 0], [3, 1], [3, 2]], tf.int64),
                             tf.constant([1, 3, 9, 2, 2, -1 + 1], tf.int64), tf.constant([5, 3], tf.int64))
    sp_w = tf.SparseTensor(sp_ids.indices, tf.constant([1.0, 2.0, 0.5, 1.0, 3.0, 2.0]), sp_ids.dense_shape)
    out["lookup_sparse"] = [tf.nn.embedding_lookup_sparse(table, sp_ids, None, combiner="sum"),
                            tf.nn.embedding_lookup_sparse(table, sp_ids, sp_w),
                            tf.nn.embedding_lookup_sparse(shards, sp_ids, sp_w, combiner="sqrtn",
                                                          partition_strategy="div")]
    out["lookup_sparse_grad"] = tf.convert_to_tensor(tf.gradients(tf.reduce_sum(tf.nn.embedding_lookup_sparse(
        table, sp_ids, sp_w, combiner="sqrtn") ** 2), table)[0])
    bad_ids = tf.SparseTensor(tf.constant([[0, 0], [0, 1], [2, 0], [2, 1]], tf.int64),
                              tf.constant([1, -1, 4, 6], tf.int64), tf.constant([4, 2], tf.int64))
    bad_w = tf.SparseTensor(bad_ids.indices, tf.constant([1.0, 1.0, 2.0, -1.0]), bad_ids.dense_shape)
    out["safe"] = [tf.nn.safe_embedding_lookup_sparse(shards, bad_ids),
                   tf.nn.safe_embedding_lookup_sparse(table, bad_ids, bad_w, default_id=3),
                   tf.nn.safe_embedding_lookup_sparse(
                       table, tf.SparseTensor(tf.constant([[0, 1, 0], [1, 0, 1]], tf.int64),
                                              tf.constant([2, 5], tf.int64), tf.constant([2, 2, 2], tf.int64)),
                       combiner="sum")]
    true_classes = tf.constant([[1, 4], [3, 0], [6, 6]], tf.int64)
    sampled = (tf.constant([4, 2, 7, 0, 9], tf.int64), tf.constant([[0.5, 0.25], [0.3, 0.6], [0.2, 0.2]]),
               tf.constant([0.25, 0.4, 0.1, 0.6, 0.05]))
    out["hits"] = list(tf.nn.compute_accidental_hits(true_classes, sampled[0], 2))
    out["all_sampler"] = list(tf.nn.all_candidate_sampler(true_classes, 2, 8, True))
    inputs, biases = tf.constant(INPUTS), tf.constant(local.randn(10).astype(np.float32))
    nce = tf.nn.nce_loss(table, biases, true_classes, inputs, 5, 10, num_true=2, sampled_values=sampled)
    nce_hits = tf.nn.nce_loss(shards, biases, true_classes, inputs, 5, 10, num_true=2, sampled_values=sampled,
                              remove_accidental_hits=True, partition_strategy="div")
    ssm = tf.nn.sampled_softmax_loss(table, biases, true_classes[:, :1], inputs, 5, 10, sampled_values=(
        sampled[0], sampled[1][:, :1], sampled[2]))
    ssm2 = tf.nn.sampled_softmax_loss(mod_shards, biases, true_classes, inputs, 5, 10, num_true=2,
                                      sampled_values=sampled, remove_accidental_hits=False)
    out["sampled_losses"] = [nce, nce_hits, ssm, ssm2]
    out["sampled_grads"] = [tf.convert_to_tensor(g) for g in tf.gradients(tf.reduce_sum(nce) + tf.reduce_sum(ssm),
                                                                          [table, biases, inputs])]
    return out




# tf.layers is not compared here: TensorFlow 2.16+ without the tf_keras package has no tf.compat.v1.layers.
FAMILIES = ["conv_cases", "nn_cases"]
