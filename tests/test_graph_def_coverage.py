"""Every registered numflow op type has a decided GraphDef form (issue 13: import_graph_def maps every TF op
type numflow implements).

Each op type is either written by graph_def.py (`exportable_op_types()`: as TF's op of the same meaning or
as the TF composition computing it), or listed below with a one-line reason:
- INTERNAL: numflow-internal, TensorFlow has no op for it (gradient helpers, numflow's control flow, its
  dataset/queue/reader resources, Python callbacks);
- COMPOSED_IN_TF: TensorFlow builds it from other ops, which graphs written by TF contain and numflow reads,
  but numflow's single op is not yet written out as that composition;
- NOT_YET: TensorFlow has an op, but numflow's op differs in inputs or attrs and no rule translates yet.
So a new op cannot be added without deciding its GraphDef form.
"""
import numflow  # noqa: F401
from numflow.framework import op_def
from numflow.framework.graph_def import _load_op_families, exportable_op_types, importable_op_types

_GRAD = "a gradient helper; TF's gradient graph is built from other ops"
INTERNAL = {
    "BetaincGradX": _GRAD, "BooleanMaskGrad": _GRAD, "ConcatGrad": _GRAD, "GatherGrad": _GRAD,
    "GatherNdGrad": _GRAD, "IgammaGradX": _GRAD, "L2NormalizeGrad": _GRAD, "LogSoftmaxGrad": _GRAD,
    "ProdGrad": _GRAD, "RealTransformGrad": _GRAD, "SegmentProdGrad": _GRAD,
    "SigmoidCrossEntropyGrad": _GRAD, "SliceGrad": _GRAD, "SoftmaxGrad": _GRAD,
    "SwishGrad": _GRAD, "TileGrad": _GRAD, "TopKGrad": _GRAD, "TensorArrayClearRows": _GRAD,
    "TensorArrayScatterGrad": _GRAD, "SegmentGather": _GRAD,
    "IgammaGradA": "TF's IgammaGradA exists but numflow's is the helper of both Igamma and Igammac gradients",
    "Cond": "numflow's functional cond (TF writes Switch/Merge or If with function libraries)",
    "While": "numflow's functional while_loop (TF writes Enter/Merge/NextIteration cycles or While functions)",
    "WhileGrad": "the gradient of numflow's functional While", "LoopVar": "a loop variable inside numflow's While",
    "MapFn": "numflow's functional map_fn (TF writes a while loop over TensorArrays)",
    "PyFunc": "a Python callable; TF's PyFunc names a token of one process's Python registry",
    "PyFuncStateless": "a Python callable; TF's PyFuncStateless names a token of one process's Python registry",
    "DatasetToSingleElement": "numflow's tf.data pipelines are Python objects, not dataset variant tensors",
    "DatasetToTFRecord": "numflow's tf.data pipelines are Python objects, not dataset variant tensors",
    "IteratorGetNextAsOptional": "numflow's tf.data iterator resource (Python), not TF's variant tensors",
    "OptionalGetValue": "numflow's Optional is a flag and tensors, not TF's variant Optional",
    "IteratorGetNext": "numflow's tf.data iterator resource (Python), not TF's variant-tensor datasets",
    "IteratorV2": "numflow's tf.data iterator resource (Python)", "MakeIterator": "numflow's tf.data iterator",
    "OneShotIterator": "numflow's tf.data iterator resource (Python)",
    "CharRowsFromCodePoints": "numflow's bridge between ragged rows and unicode ops",
    "RowSplitsToSparse": "numflow's bridge from row splits to SparseTensors",
    "SparseRowSplits": "numflow's bridge from SparseTensors to row splits",
    "CollapseRepeated": "a CTC decoding helper of numflow", "CtcUniqueLabels": "a CTC loss helper of numflow",
    "SafeEmbeddingPrune": "safe_embedding_lookup_sparse's bookkeeping in one op",
    "ShardedGather": "embedding_lookup over partitions in one op (TF: DynamicPartition + Gather + DynamicStitch)",
    "WeightedBincount": "a metrics helper (TF's metrics use UnsortedSegmentSum)",
}
INTERNAL["ExtractImagePatchesAdjoint"] = _GRAD
INTERNAL["ExtractVolumePatchesAdjoint"] = _GRAD
INTERNAL["ApproxTopKGrad"] = _GRAD
INTERNAL["ConvGrad"] = _GRAD
INTERNAL["SparseCrossRows"] = "tf.sparse.cross of numflow (row ids + values per input); TF's SparseCross takes " \
    "separate sparse and dense input lists"
_ACCUMULATOR = "numflow's accumulator resource: TF's op takes container/shared_name handles numflow does not model"
INTERNAL.update({t: _ACCUMULATOR for t in (
    "ConditionalAccumulator", "SparseConditionalAccumulator", "AccumulatorNumAccumulated", "AccumulatorSetGlobalStep",
    "AccumulatorApplyGradient", "AccumulatorTakeGradient", "SparseAccumulatorApplyGradient",
    "SparseAccumulatorTakeGradient")})
INTERNAL["MatrixSquareRootGrad"] = _GRAD
INTERNAL["SparseBincountRows"] = "tf.sparse.bincount of numflow (row ids + values); TF writes DenseBincount or " \
    "SparseBincount by input kind"
INTERNAL["StatelessSplitSeed"] = "numflow's seed derivation for tf.random.split / fold_in (TF's differs: Philox)"
INTERNAL["RngGeneratorDraw"] = "tf.random.Generator's draw on a ref state variable (TF's Stateful* ops take a " \
    "resource handle and an algorithm input)"
_SPARSE = "tf.sparse bookkeeping of numflow (coordinates and value sources); TF has one op per sparse function"
INTERNAL.update({t: _SPARSE for t in ("SparseFillEmptyRowsMap", "SparseOperandUnion", "SparseReorderPermutation",
                                      "SparseRowGroups", "SparseSliceSelection")})
INTERNAL["SparseReshape"] = "TF's SparseReshape has the same inputs and outputs; no graph_def rule written yet"
INTERNAL.update({t: "TF's op of this name (out_type/dtype attrs); no graph_def rule written yet"
                 for t in ("SerializeSparse", "SerializeManySparse", "DeserializeManySparse")})
_QUEUE = "numflow's queue resource: TF's queue op takes container/shared_name handles numflow does not model"
_READER = "numflow's reader resource: TF's reader op takes container/shared_name handles numflow does not model"
INTERNAL.update({t: _QUEUE for t in (
    "FIFOQueueV2", "PaddingFIFOQueueV2", "RandomShuffleQueueV2", "QueueCloseV2", "QueueDequeueManyV2",
    "QueueDequeueUpToV2", "QueueDequeueV2", "QueueEnqueueManyV2", "QueueEnqueueV2", "QueueIsClosedV2",
    "QueueSizeV2")})
INTERNAL["PriorityQueueV2"] = _QUEUE
INTERNAL.update({t: "numflow's per-Session tensor store (TF's op of this name; no graph_def rule written yet)"
                 for t in ("GetSessionHandle", "GetSessionTensor", "DeleteSessionTensor")})
INTERNAL["MutexV2"] = "numflow's CriticalSection lock (a Session resource); TF's MutexV2 outputs a resource handle"
INTERNAL["CriticalSectionExecute"] = "a CriticalSection's traced function run under its lock (TF writes MutexLock "\
    "and control dependencies)"
INTERNAL.update({t: _READER for t in (
    "FixedLengthRecordReaderV2", "IdentityReaderV2", "TFRecordReaderV2", "TextLineReaderV2", "WholeFileReaderV2",
    "ReaderNumRecordsProducedV2", "ReaderNumWorkUnitsCompletedV2", "ReaderReadUpToV2", "ReaderReadV2",
    "ReaderResetV2")})

COMPOSED_IN_TF = {
    "RandomCrop": "TF: Shape, RandomUniformInt, Slice",
    "RandomOrthogonal": "TF: RandomStandardNormal, Qr, MatrixDiagPart, Sign, Mul",
    "MatrixExponential": "TF 2's expm is a Padé composition; TF 1's MatrixExponential op is gone from TF 2",
}
NOT_YET = {
    "TensorArrayV3": "numflow's TensorArray is a Python flow; TF's takes a resource handle + flow",
    "TensorArrayConcatV3": "as TensorArrayV3", "TensorArrayGatherV3": "as TensorArrayV3",
    "TensorArrayScatterV3": "as TensorArrayV3", "TensorArraySizeV3": "as TensorArrayV3",
    "TensorArraySplitV3": "as TensorArrayV3",
}
NOT_YET.update({   # ops/array_extra.py (issue 12): TF has these ops; rules to be written in graph_def.py
    "IdentityN": "TF's IdentityN (attr T: a list of types)", "EnsureShape": "TF's EnsureShape (attr shape)",
    "Roll": "TF's Roll takes shift and axis as input tensors; numflow's are attrs",
    "SearchSorted": "TF writes LowerBound / UpperBound by side", "ListDiff": "TF's ListDiff (T, out_idx)",
    "UnravelIndex": "TF's UnravelIndex (Tidx)", "Repeat": "TF writes a Reshape/Tile composition",
    "UniqueWithCounts": "TF's UniqueWithCounts (T, out_idx)", "SelectV2": "TF's SelectV2 (T)",
    "BroadcastArgs": "TF's BroadcastArgs (T)", "Bitcast": "TF's Bitcast (T, type)",
    "Timestamp": "TF's Timestamp", "EditDistance": "TF's EditDistance (normalize, T)",
    "Fingerprint": "TF's Fingerprint takes method as an input tensor"})
NOT_YET.update({t: "TF's op of this name; numflow's stateless streams are not TF's Philox ones, no rule yet"
                for t in ("StatelessRandomGammaV2", "StatelessRandomPoisson", "StatelessRandomBinomial",
                          "StatelessParameterizedTruncatedNormal", "StatelessMultinomial")})
import numflow.horovod  # noqa: E402,F401 - registers the Horovod collectives listed next
NOT_YET.update({t: "Horovod's op of this name exists only where Horovod's TF library is loaded; numflow leaves it "
                   "out of .meta graphs with a warning" for t in ("HorovodAllreduce", "HorovodAllgather",
                                                                 "HorovodBroadcast")})

NOT_YET["RandomIndexShuffle"] = ("TF's op of this name; numflow's permutation is its own Feistel network, "
                                 "not TF's Philox-based one, so no rule")
NOT_YET["ExtractGlimpse"] = "TF's ExtractGlimpse (centered, normalized, uniform_noise, noise attrs); no rule yet"

NOT_YET.update({t: "TF writes ParseSequenceExampleV2 (keys and defaults as input tensors); numflow's keeps "
                   "its feature specs as attrs, no rule yet" for t in ("ParseSequenceExample",
                                                                       "ParseSingleSequenceExample")})


def _decided():
    return {**INTERNAL, **COMPOSED_IN_TF, **NOT_YET}


def test_every_op_type_has_a_decided_graph_def_form():
    _load_op_families()
    mapped = set(exportable_op_types())
    undecided = sorted(t for t in op_def.registered_types() if t not in mapped and t not in _decided())
    assert not undecided, "op types with neither a graph_def rule nor a reason here: %s" % undecided


def test_lists_name_only_registered_unmapped_ops():
    _load_op_families()
    registered = set(op_def.registered_types())
    mapped = set(exportable_op_types())
    lists = (INTERNAL, COMPOSED_IN_TF, NOT_YET)
    stale = sorted(t for table in lists for t in table if t not in registered or t in mapped)
    assert not stale, "listed but not registered, or mapped after all (remove them): %s" % stale
    for i, table in enumerate(lists):
        for other in lists[i + 1:]:
            assert not set(table) & set(other)
    assert all(reason.strip() for table in lists for reason in table.values())


def test_ops_written_as_one_tf_op_read_back_as_themselves():
    """A rule without its own export writes one node of its TF type: importing that type must give the
    numflow op back (so a round trip keeps the op)."""
    from numflow.framework.graph_def import _EXPORT_RULES, _IMPORT_RULES
    _load_op_families()
    broken = sorted(t for t, rule in _EXPORT_RULES.items() if rule.export is None and
                    (rule.tf_type not in _IMPORT_RULES or _IMPORT_RULES[rule.tf_type].nf_type != t))
    assert not broken, broken
_SUMMARY_WRITER = ("TF's op of this name takes a summary-writer resource input; numflow's writer is a per-Session "
                   "resource named by an attr, no rule yet")
NOT_YET.update({t: _SUMMARY_WRITER for t in ("CreateSummaryFileWriter", "WriteGraphSummary", "FlushSummaryWriter",
                                             "CloseSummaryWriter")})
INTERNAL["WriteSummaryEvent"] = ("numflow's one write op for serialized Summaries (TF has WriteScalarSummary, "
                                 "WriteHistogramSummary, ... with a writer resource input)")
INTERNAL["TensorSummaryWithMetadata"] = ("numflow's tensor summary with serialized metadata as an attr (TF: "
                                         "TensorSummaryV2 takes the metadata as an input tensor)")
NOT_YET.update({   # ops/sdca_ops.py (issue 12)
    "SdcaShrinkL1": "TF's SdcaShrinkL1 takes its weights as a list of refs (attr num_features); no list-of-refs "
                    "rule yet",
    "SdcaOptimizer": "TF's SdcaOptimizer takes nine input lists sized by count attrs; no rule for them yet",
})
_DATASET_TABLE = ("numflow's static lookup table filled from a tf.data pipeline (a Python object); TF's "
                  "HashTableV2 / InitializeTableFromDataset / LookupTableFindV2 take a table resource and a "
                  "dataset variant")
INTERNAL.update({t: _DATASET_TABLE for t in ("DatasetTableInitialize", "DatasetTableFind", "DatasetTableSize")})
