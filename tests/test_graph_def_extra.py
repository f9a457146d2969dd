"""numflow -> GraphDef -> numflow round trips for the op families graph_def.py maps beyond the core set:
scans, special functions, complex numbers, segments and scatters, linear algebra, FFTs, 3-D convolution and
pooling, space/batch, dilation, image resize and codecs, parsing and string ops. Each case builds a small
graph from constants; the imported graph must compute the same values and name TF's op type.

The same CASES feed tests/test_graph_def_tf_interop_extra.py, where real TensorFlow runs numflow's GraphDef.
"""
import numpy as np
import pytest

import numflow as tf
from numflow.framework import errors, op_def
from numflow.framework.graph_def import graph_to_graph_def, ndarray_to_tensor_proto

F = np.array([[0.5, 1.5, 2.0], [3.0, 0.25, 1.0]], np.float32)
POS = np.array([[0.3, 0.6, 0.9], [0.2, 0.5, 0.7]], np.float32)
SPD = np.array([[4., 1., 0.5], [1., 3., 0.2], [0.5, 0.2, 2.]], np.float32)
C = np.array([[1 + 2j, 3 - 1j, 0.5j, 2], [0.25, -1j, 1 + 1j, -2]], np.complex64)
S = np.array([b"a,b", b" hello World "], dtype=object)
I = np.array([3, 1, 2, 1], np.int32)
IMG = (np.arange(32, dtype=np.float32).reshape(1, 4, 4, 2) / 10)
VOL = np.arange(64, dtype=np.float32).reshape(1, 4, 4, 4, 1) / 10
U8 = (np.arange(24).reshape(2, 4, 3) * 10).astype(np.uint8)


def _example(**features):
    def feature(values):
        if isinstance(values[0], bytes):
            return tf.train.Feature(bytes_list=tf.train.BytesList(value=values))
        if isinstance(values[0], float):
            return tf.train.Feature(float_list=tf.train.FloatList(value=values))
        return tf.train.Feature(int64_list=tf.train.Int64List(value=values))
    return tf.train.Example(features=tf.train.Features(
        feature={k: feature(v) for k, v in features.items()})).SerializeToString()


RECORDS = np.array([_example(label=[3], image=[0.5, 1.5], tags=[b"a", b"bb"], seq=[1, 2, 3]),
                    _example(image=[1.0, 2.0], ids=[5, 6], seq=[4])], dtype=object)
FEATURES = {"label": tf.FixedLenFeature([], tf.int64, default_value=-1),
            "image": tf.FixedLenFeature([2], tf.float32),
            "name": tf.FixedLenFeature([1], tf.string, default_value=[b"none"]),
            "tags": tf.VarLenFeature(tf.string), "ids": tf.VarLenFeature(tf.int64),
            "seq": tf.FixedLenSequenceFeature([], tf.int64, allow_missing=True, default_value=-9)}


def _parsed(features):
    out = []
    for key in sorted(features):
        value = features[key]
        out.extend(_split_parts(value) if isinstance(value, tf.SparseTensor) else [value])
    return out


def _assert_then_identity():
    check = tf.Assert(tf.reduce_all(F > 0), [F, I], summarize=2)
    with tf.control_dependencies([check]):
        return [tf.Print(tf.identity(F), [I], message="I: ")]


def _unicode_ops():
    text = np.array([b"h\xc3\xa9", b"ab"], dtype=object)
    graph = tf.get_default_graph()
    decode = {"input_encoding": "utf-8", "errors": "replace", "replacement_char": 65533,
              "replace_control_characters": False}
    decoded = graph.create_op("UnicodeDecode", [tf.constant(text)], dict(decode)).outputs
    with_offsets = graph.create_op("UnicodeDecodeWithOffsets", [tf.constant(text)], dict(decode)).outputs
    transcoded = tf.strings.unicode_transcode(text, "UTF-8", "UTF-16-BE")
    encoded = graph.create_op("UnicodeEncode", [tf.constant([104, 233, 97], tf.int32),
                                                tf.constant([0, 2, 3], tf.int64)],
                              {"output_encoding": "utf-8", "errors": "replace", "replacement_char": 65533}).outputs
    return list(decoded) + list(with_offsets) + [transcoded] + list(encoded)


def _lrn_gradient():
    x = tf.constant(IMG)
    return tf.gradients(tf.nn.lrn(x, 1, 0.5, 0.2, 0.6), x, grad_ys=tf.constant(IMG * 0.5))


def _moments():
    x = tf.constant(F)
    mean, variance = tf.nn.moments(x, [1])
    image_moments = tf.nn.moments(tf.constant(IMG), [0, 1, 2], keep_dims=True)
    # The variance is written as its own node: consumers are rewired to it, a fetch of 'moments:1' by name
    # is not (see test_moments_variance_is_its_own_node).
    return [tf.identity(t) for t in [mean, variance] + list(image_moments)] + tf.gradients(variance * 3 + mean, x)


def _dropout():
    """Dropout's mask and gradient: x is all ones, so the output is the mask and the gradient equals it."""
    x = tf.ones([40, 30])
    out = tf.nn.dropout(x, keep_prob=0.5, seed=3)
    return [out, tf.gradients(out, x)[0]]


def _png_round_trip():
    return [tf.image.decode_png(tf.image.encode_png(U8))]

# Cases whose values TF computes differently by design: only dtypes and shapes are compared with TF.
TF_VALUES_DIFFER = {"samplers": "TF's samplers draw from TF's generator","Dropout": "a random mask: test_dropout_keeps_its_meaning checks what it must be","stateless_random": "TF's counter-based generator is not numflow's",
                    "random_shapes": "TF's Philox samples are not numflow's NumPy samples"}
# Cases whose op lives outside TF 2's core (TF 1.x registers it when tf.contrib is imported).
TF2_CORE_LACKS = {"GatherTree": "tf.contrib.seq2seq's GatherTree: TF 1.x registers it on first use of tf.contrib"}

# name -> (builder returning the tensors to compare, the TF op types the GraphDef must contain)
CASES = {
    "Cumsum": (lambda: [tf.cumsum(F, 1, exclusive=True), tf.cumsum(F, 0, reverse=True)], ["Cumsum"]),
    "Cumprod": (lambda: [tf.cumprod(F, 1), tf.cumprod(F, 0, exclusive=True, reverse=True)], ["Cumprod"]),
    "CumulativeLogsumexp": (lambda: [tf.math.cumulative_logsumexp(F, 1, reverse=True)], ["CumulativeLogsumexp"]),
    "unary": (lambda: [tf.math.acosh(F + 1), tf.math.asinh(F), tf.math.atanh(POS), tf.math.erfc(F),
                       tf.lgamma(F), tf.digamma(F), tf.math.erfinv(POS), tf.math.ndtri(POS),
                       tf.math.bessel_i0e(F), tf.math.bessel_i1e(F)],
              ["Acosh", "Asinh", "Atanh", "Erfc", "Lgamma", "Digamma", "Erfinv", "Ndtri", "BesselI0e",
               "BesselI1e"]),
    "binary": (lambda: [tf.atan2(F, F[::-1]), tf.math.xlogy(F, F[::-1]), tf.math.xdivy(F, F[::-1]),
                        tf.math.xlog1py(F, F[::-1]), tf.math.nextafter(F, F * 0), tf.igamma(F, F[::-1]),
                        tf.igammac(F, F[::-1]), tf.zeta(F + 1, F), tf.betainc(F, F[::-1], POS)],
               ["Atan2", "Xlogy", "Xdivy", "Xlog1py", "NextAfter", "Igamma", "Igammac", "Zeta", "Betainc"]),
    "bitwise": (lambda: [tf.bitwise.bitwise_and(I, 6), tf.bitwise.bitwise_or(I, 4), tf.bitwise.bitwise_xor(I, 5),
                         tf.bitwise.left_shift(I, 2), tf.bitwise.right_shift(I, 1), tf.bitwise.invert(I)],
                ["BitwiseAnd", "BitwiseOr", "BitwiseXor", "LeftShift", "RightShift", "Invert"]),
    "complex": (lambda: [tf.complex(F, F[::-1]), tf.real(C), tf.imag(C), tf.angle(C), tf.abs(C), tf.conj(C)],
                ["Complex", "Real", "Imag", "Angle", "ComplexAbs", "Conj"]),
    "segments": (lambda: [tf.segment_sum(F, [0, 0]), tf.segment_max(F, [0, 1]), tf.segment_mean(F, [0, 0]),
                          tf.unsorted_segment_sum(F, [0, 2], 3), tf.unsorted_segment_max(F, [1, 0], 2)],
                 ["SegmentSum", "SegmentMax", "SegmentMean", "UnsortedSegmentSum", "UnsortedSegmentMax"]),
    "scatter": (lambda: [tf.scatter_nd([[0], [2]], [1.0, 2.0], [4]),
                         tf.tensor_scatter_update(F, [[1]], [[7., 8., 9.]]),
                         tf.tensor_scatter_add(F, [[0, 1]], [5.])],
                ["ScatterNd", "TensorScatterUpdate", "TensorScatterAdd"]),
    "DynamicPartition": (lambda: tf.dynamic_partition(F, [1, 0], 2), ["DynamicPartition"]),
    "SparseToDense": (lambda: [tf.sparse_to_dense([[0, 1], [1, 2]], [2, 3], [4.0, 5.0], 0.5)], ["SparseToDense"]),
    "HistogramFixedWidth": (lambda: [tf.histogram_fixed_width(F, [0.0, 3.0], 4)], ["HistogramFixedWidth"]),
    "ReverseSequence": (lambda: [tf.reverse_sequence(F, [1, 3], 1, 0)], ["ReverseSequence"]),
    "linalg": (lambda: [tf.cholesky(SPD), tf.matrix_solve(SPD, F.T), tf.matrix_solve(SPD, F.T, adjoint=True),
                        tf.matrix_triangular_solve(SPD, F.T, lower=False), tf.matrix_band_part(SPD, 0, 1),
                        tf.self_adjoint_eigvals(SPD)] + list(tf.linalg.slogdet(SPD)),
               ["Cholesky", "MatrixSolve", "MatrixTriangularSolve", "MatrixBandPart", "SelfAdjointEigV2",
                "LogMatrixDeterminant"]),
    # Q, R and singular vectors are unique only up to signs: compare what is unique.
    "Qr": (lambda: [tf.abs(t) for t in tf.qr(SPD)], ["Qr"]),
    "Svd": (lambda: [tf.svd(SPD, compute_uv=False), tf.abs(tf.svd(SPD)[1])], ["Svd"]),
    "fft": (lambda: [tf.signal.fft(C), tf.signal.ifft(C), tf.signal.fft2d(C), tf.signal.rfft(F),
                     tf.signal.irfft(C), tf.signal.rfft2d(F)], ["FFT", "IFFT", "FFT2D", "RFFT", "IRFFT", "RFFT2D"]),
    "Conv3D": (lambda: [tf.nn.conv3d(VOL, np.arange(16, dtype=np.float32).reshape(2, 2, 2, 1, 2) / 8,
                                     [1, 1, 2, 1, 1], "SAME")], ["Conv3D"]),
    "pool3d": (lambda: [tf.nn.max_pool3d(VOL, [1, 2, 2, 2, 1], [1, 2, 2, 2, 1], "VALID"),
                        tf.nn.avg_pool3d(VOL, [1, 2, 2, 2, 1], [1, 1, 1, 1, 1], "SAME")], ["MaxPool3D", "AvgPool3D"]),
    "space_batch": (lambda: [tf.space_to_batch_nd(IMG, [2, 2], [[0, 0], [0, 0]]),
                             tf.batch_to_space_nd(tf.space_to_batch_nd(IMG, [2, 1], [[0, 0], [1, 1]]), [2, 1],
                                                  [[0, 0], [1, 1]])], ["SpaceToBatchND", "BatchToSpaceND"]),
    "Dilation2D": (lambda: [tf.nn.dilation2d(IMG, np.arange(8, dtype=np.float32).reshape(2, 2, 2) / 4,
                                             [1, 1, 1, 1], [1, 1, 1, 1], "SAME")], ["Dilation2D"]),
    "resize": (lambda: [tf.image.resize_bilinear(IMG, [6, 7]), tf.image.resize_nearest_neighbor(IMG, [8, 8]),
                        tf.image.resize_bicubic(IMG, [5, 6], align_corners=True), tf.image.resize_area(IMG, [3, 3])],
               ["ResizeBilinear", "ResizeNearestNeighbor", "ResizeBicubic", "ResizeArea"]),
    "png": (_png_round_trip, ["EncodePng", "DecodePng"]),
    "color": (lambda: [tf.image.rgb_to_hsv(POS), tf.image.hsv_to_rgb(POS)], ["RGBToHSV", "HSVToRGB"]),
    "DecodeRaw": (lambda: [tf.decode_raw(np.array([b"\x01\x00\x02\x01"], dtype=object), tf.int16)], ["DecodeRaw"]),
    "StringToNumber": (lambda: [tf.string_to_number(np.array([b"1.5", b"-2"], dtype=object)),
                                tf.string_to_number(np.array([b"7"], dtype=object), tf.int64)], ["StringToNumber"]),
    "strings": (lambda: [tf.substr(S, 1, 2), tf.strings.length(S), tf.strings.lower(S), tf.strings.upper(S),
                         tf.strings.strip(S), tf.encode_base64(S), tf.decode_base64(tf.encode_base64(S, pad=True)),
                         tf.string_to_hash_bucket_fast(S, 7), tf.strings.to_hash_bucket_strong(S, 9, [1, 2]),
                         tf.reduce_join(S, 0, separator="|"), tf.regex_replace(S, "l+", "L")],
                ["Substr", "StringLength", "StringLower", "StringUpper", "StringStrip", "EncodeBase64",
                 "DecodeBase64", "StringToHashBucketFast", "StringToHashBucketStrong", "ReduceJoin", "RegexReplace"]),
    "ParseExample": (lambda: _parsed(tf.parse_example(RECORDS, FEATURES)), ["ParseExample"]),
    "ParseSingleExample": (lambda: _parsed(tf.parse_single_example(
        RECORDS[0], {k: v for k, v in FEATURES.items() if k != "seq"})), ["ParseSingleExample"]),
    "AsString": (lambda: [tf.as_string(F, precision=2), tf.as_string(I, width=4, fill="0"),
                          tf.as_string(F, scientific=True, precision=1)], ["AsString"]),
    "UnsortedSegmentJoin": (lambda: [tf.strings.unsorted_segment_join(S, [1, 1], 2, separator="+")],
                            ["UnsortedSegmentJoin"]),
    "StringNGrams": (lambda: [tf.strings.ngrams(np.array([b"a", b"b", b"c"], dtype=object), 2, separator="_")],
                     ["StringNGrams"]),
    "MaxPoolWithArgmax": (lambda: list(tf.nn.max_pool_with_argmax(IMG, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")),
                          ["MaxPoolWithArgmax"]),
    "sets": (lambda: [tf.sets.set_size(tf.SparseTensor([[0, 0], [0, 1], [1, 0]], [1, 2, 2], [2, 2]))] +
             _split_parts(tf.sets.set_intersection(np.array([[1, 2, 3], [4, 5, 6]], np.int32),
                                                   np.array([[2, 3, 9], [6, 7, 4]], np.int32))) +
             _split_parts(tf.sets.set_difference(np.array([[1, 2, 3]], np.int64),
                                                 tf.SparseTensor([[0, 0]], np.array([2], np.int64), [1, 1]))),
             ["SetSize", "DenseToDenseSetOperation", "DenseToSparseSetOperation"]),
    "Assert": (_assert_then_identity, ["Assert", "Print"]),
    "stateless_random": (lambda: [tf.random.stateless_normal([2, 3], [1, 2]), tf.random.stateless_uniform([4], [3, 4]),
                                  tf.random.stateless_truncated_normal([3], [5, 6])],
                         ["StatelessRandomNormal", "StatelessRandomUniform", "StatelessTruncatedNormal"]),
    "composed": (lambda: [tf.nn.swish(F - 1), tf.logical_xor([True, True, False], [True, False, False]),
                          tf.nn.sigmoid_cross_entropy_with_logits(labels=POS, logits=F - 1),
                          tf.nn.zero_fraction(F * [[0], [1]]), tf.nn.l2_normalize(F, 1, epsilon=1e-3),
                          tf.sequence_mask([1, 3, 0], 4), tf.sequence_mask(np.array([2, 1], np.int64), dtype=tf.float32),
                          tf.eye(2, 3), tf.eye(2, batch_shape=[3], dtype=tf.int32), tf.eye(3, dtype=tf.bool)],
                 ["Sigmoid", "LogicalOr", "Log1p", "Rsqrt", "Less", "Equal"]),
    "DecodeCSV": (lambda: tf.decode_csv(np.array([b"1,x,2.5", b'4,"y,z",'], dtype=object), [[0], [""], [9.5]]) +
                  tf.decode_csv(np.array([b"1;2;3"], dtype=object), [[0.0], [0]], field_delim=";",
                                select_cols=[0, 2]), ["DecodeCSV"]),
    "unicode": (_unicode_ops, ["UnicodeDecode", "UnicodeDecodeWithOffsets", "UnicodeTranscode", "UnicodeEncode"]),
    "StringFormat": (lambda: [tf.strings.format("a {} b {}", [tf.constant(1), tf.constant([1.5, 2.0])]),
                              tf.strings.format("<>", [tf.constant(F)], placeholder="<>", summarize=1)],
                     ["StringFormat"]),
    "GatherTree": (lambda: [tf.contrib.seq2seq.gather_tree(np.array([[[1, 2]], [[3, 4]], [[5, 6]]], np.int32),
                                                           np.array([[[0, 0]], [[1, 0]], [[0, 1]]], np.int32),
                                                           [3], 9)], ["GatherTree"]),
    "LRNGrad": (_lrn_gradient, ["LRNGrad"]),
    "random_shapes": (lambda: [tf.random_poisson([1.0, 4.0], [3], seed=1), tf.random_gamma([2], [1.0, 3.0], [2.0, 1.0],
                                                                                           seed=2)],
                      ["RandomPoissonV2", "RandomGamma"]),
    "ReduceLogSumExp": (lambda: [tf.reduce_logsumexp(F), tf.reduce_logsumexp(F, 1, keepdims=True),
                                 tf.reduce_logsumexp(F * [[1], [-np.inf]], [1])], ["Exp", "Log"]),
    "MatrixSolveLs": (lambda: [tf.matrix_solve_ls(F, np.eye(2, dtype=np.float32), fast=False)], ["MatrixSolveLs"]),
    "Moments": (_moments, ["SquaredDifference", "StopGradient"]),
    "Dropout": (_dropout, ["RandomUniform", "Floor"]),
    "AllCandidateSampler": (lambda: list(tf.nn.all_candidate_sampler(np.array([[1], [3]], np.int64), 1, 5, True)),
                            ["AllCandidateSampler"]),
    "samplers": (lambda: [t for sampler in (
        tf.nn.uniform_candidate_sampler(np.array([[1, 2]], np.int64), 2, 4, True, 10, seed=1),
        tf.nn.log_uniform_candidate_sampler(np.array([[1, 2]], np.int64), 2, 4, False, 10, seed=2),
        tf.nn.learned_unigram_candidate_sampler(np.array([[1, 2]], np.int64), 2, 4, True, 10, seed=3),
        tf.nn.fixed_unigram_candidate_sampler(np.array([[1, 2]], np.int64), 2, 3, True, 6, distortion=0.5,
                                              num_reserved_ids=1, unigrams=[1, 2, 3, 4, 5], seed=4))
        for t in sampler], ["UniformCandidateSampler", "LogUniformCandidateSampler", "LearnedUnigramCandidateSampler",
                            "FixedUnigramCandidateSampler"]),
    "StringSplit": (lambda: _split_parts(tf.string_split(S, ", ")), ["StringSplit"]),
}


def _split_parts(sparse):
    return [sparse.indices, sparse.values, sparse.dense_shape]


def _run(graph, names):
    with tf.Session(graph=graph) as sess:
        return sess.run(names)


def build_case(name):
    """A graph of case `name` and the names of the tensors it compares."""
    graph = tf.Graph()
    with graph.as_default():
        outputs = CASES[name][0]()
    return graph, [t.name for t in outputs]


def assert_same(got, expected, name):
    for i, (g, e) in enumerate(zip(got, expected)):
        g, e = np.asarray(g), np.asarray(e)
        assert g.shape == e.shape, (name, i, g.shape, e.shape)
        if e.dtype.kind in "OSU":
            assert g.tolist() == e.tolist(), (name, i)
        else:
            np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-5, err_msg="%s output %d" % (name, i))


@pytest.mark.parametrize("name", sorted(CASES))
def test_round_trip_computes_the_same_values(name):
    graph, names = build_case(name)
    expected = _run(graph, names)
    graph_def = graph_to_graph_def(graph)
    written = {node.op for node in graph_def.node}
    assert set(CASES[name][1]) <= written, sorted(set(CASES[name][1]) - written)
    again = tf.GraphDef.FromString(graph_def.SerializeToString())
    imported = tf.Graph()
    with imported.as_default():
        tf.import_graph_def(again, name="")
    got = _run(imported, names)
    if name in TF_VALUES_DIFFER:
        assert [(np.shape(g), np.asarray(g).dtype) for g in got] == [(np.shape(e), np.asarray(e).dtype)
                                                                     for e in expected]
    else:
        assert_same(got, expected, name)
    numflow_types = set(op_def.registered_types())
    assert {t for t in CASES[name][1] if t in numflow_types} <= {op.type for op in imported.get_operations()}


# --- Estimator export with a parsing serving input receiver ----------------------------------------------
SERVING_FEATURES = np.linspace(-2, 2, 15, dtype=np.float32).reshape(5, 3)


def serialized_examples(rows):
    return np.array([_example(x=[float(v) for v in row]) for row in rows], dtype=object)


def export_parsing_estimator(folder):
    """Trains a small Estimator and exports it with build_parsing_serving_input_receiver_fn (a SavedModel
    whose serving graph parses tf.train.Examples); returns (export dir, expected probabilities)."""
    def model_fn(features, labels, mode):
        logits = tf.layers.dense(features["x"], 2, name="logits")
        predictions = {"probabilities": tf.nn.softmax(logits), "classes": tf.argmax(logits, axis=1)}
        if mode == tf.estimator.ModeKeys.PREDICT:
            return tf.estimator.EstimatorSpec(mode, predictions=predictions)
        loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
        train_op = tf.train.GradientDescentOptimizer(0.5).minimize(loss, tf.train.get_or_create_global_step())
        return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)

    data = np.random.RandomState(0).randn(64, 3).astype(np.float32)
    labels = (data[:, 0] > 0).astype(np.int32)
    estimator = tf.estimator.Estimator(model_fn, model_dir=str(folder / "model"))
    estimator.train(tf.estimator.inputs.numpy_input_fn({"x": data}, labels, batch_size=16, num_epochs=None,
                                                       shuffle=True), steps=10)
    expected = np.stack([p["probabilities"] for p in estimator.predict(
        tf.estimator.inputs.numpy_input_fn({"x": SERVING_FEATURES}, shuffle=False))])
    receiver_fn = tf.estimator.export.build_parsing_serving_input_receiver_fn(
        {"x": tf.FixedLenFeature([3], tf.float32)})
    export_dir = estimator.export_saved_model(str(folder / "export"), receiver_fn)
    return export_dir.decode() if isinstance(export_dir, bytes) else export_dir, expected


@pytest.mark.filterwarnings("ignore:The .meta graph leaves out")
def test_estimator_exports_a_parsing_serving_graph(tmp_path):
    export_dir, expected = export_parsing_estimator(tmp_path)
    with tf.Session(graph=tf.Graph()) as sess:
        meta = tf.saved_model.loader.load(sess, ["serve"], export_dir)
        assert "ParseExample" in {node.op for node in meta.graph_def.node}
        signature = meta.signature_def["serving_default"]
        (input_info,) = signature.inputs.values()
        got = sess.run(signature.outputs["probabilities"].name,
                       {input_info.name: serialized_examples(SERVING_FEATURES)})
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


# --- graph files TF may hold: its other names for these ops, and bad input --------------------------------
def _import(graph_def):
    graph = tf.Graph()
    with graph.as_default():
        tf.import_graph_def(graph_def, name="")
    return graph


def test_parse_example_graph_with_computed_keys_is_refused():
    graph = tf.Graph()
    with graph.as_default():
        tf.parse_example(RECORDS, {"label": tf.FixedLenFeature([], tf.int64, default_value=0)})
    graph_def = graph_to_graph_def(graph)
    key = [n for n in graph_def.node if n.name.endswith("key_label")][0]
    key.op = "Placeholder"
    key.attr.clear()
    key.attr["dtype"].type = tf.string.as_datatype_enum
    with pytest.raises(errors.InvalidArgumentError, match="needs its input 'key_0'.* to be a constant"):
        _import(graph_def)
    key.op = "Const"
    key.attr["value"].tensor.CopyFrom(ndarray_to_tensor_proto(np.array([b"a", b"b"], dtype=object), tf.string))
    with pytest.raises(errors.InvalidArgumentError, match="key input 0 must be one string, got 2 values"):
        _import(graph_def)


def test_required_sequence_feature_has_no_tf_form():
    graph = tf.Graph()
    with graph.as_default():
        tf.parse_single_example(RECORDS[0], {"seq": tf.FixedLenSequenceFeature([], tf.int64)})
    with pytest.raises(errors.InvalidArgumentError, match="FixedLenSequenceFeature 'seq' without allow_missing"):
        graph_to_graph_def(graph)


def test_parse_example_v2_with_ragged_keys_is_refused():
    graph_def = tf.GraphDef()
    for name, value in (("serialized", [b""]), ("names", []), ("sparse_keys", []), ("dense_keys", []),
                        ("ragged_keys", [b"r"])):
        node = graph_def.node.add(name=name, op="Const")
        node.attr["dtype"].type = tf.string.as_datatype_enum
        node.attr["value"].tensor.CopyFrom(ndarray_to_tensor_proto(np.array(value, dtype=object).reshape(-1),
                                                                   tf.string))
    node = graph_def.node.add(name="parse", op="ParseExampleV2")
    node.input.extend(["serialized", "names", "sparse_keys", "dense_keys", "ragged_keys"])
    node.attr["num_sparse"].i = 0
    for key in ("sparse_types", "Tdense", "ragged_value_types", "ragged_split_types"):
        node.attr[key].list.type.extend([])
    node.attr["dense_shapes"].list.shape.extend([])
    with pytest.raises(errors.InvalidArgumentError, match=r"Cannot import node 'parse' \(ParseExampleV2\): "
                                                          "ragged features \\(r\\) are not supported"):
        _import(graph_def)


def test_dropout_keeps_its_meaning_through_a_graph_def():
    graph, names = build_case("Dropout")
    imported = _import(graph_to_graph_def(graph))
    out, grad = _run(imported, names)
    assert set(np.unique(out)) <= {0.0, 2.0} and 0.3 < np.mean(out == 2.0) < 0.7
    np.testing.assert_array_equal(grad, out)


def test_moments_variance_is_its_own_node():
    graph = tf.Graph()
    with graph.as_default():
        mean, variance = tf.nn.moments(tf.constant(F), [1], name="stats")
        tf.identity(variance, name="out")
    graph_def = graph_to_graph_def(graph)
    nodes = {node.name: node for node in graph_def.node}
    assert nodes["stats"].op == "Squeeze" and nodes["stats/variance"].op == "Mean"
    assert list(nodes["out"].input) == ["stats/variance"]
    got = _run(_import(graph_def), ["stats:0", "out:0"])
    np.testing.assert_allclose(got[0], F.mean(1), rtol=1e-6)
    np.testing.assert_allclose(got[1], F.var(1), rtol=1e-6)


def test_tf_print_writes_the_same_text_after_a_round_trip(tmp_path):
    target = tmp_path / "printed.txt"
    graph = tf.Graph()
    with graph.as_default():
        printed = tf.print("values:", tf.constant([1, 2, 3]), "and {}", tf.constant(2.5), sep="|",
                           output_stream="file://" + str(target), name="say")
    with tf.Session(graph=graph) as sess:
        sess.run(printed)
    expected = target.read_text()
    assert expected == "values:|[1 2 3]|and {}|2.5\n"
    graph_def = graph_to_graph_def(graph)
    nodes = {node.name: node for node in graph_def.node}
    assert nodes["say"].op == "PrintV2" and nodes["say/StringFormat"].op == "StringFormat"
    imported = _import(graph_def)
    with tf.Session(graph=imported) as sess:
        sess.run(imported.get_operation_by_name("say"))
    assert target.read_text() == expected * 2
