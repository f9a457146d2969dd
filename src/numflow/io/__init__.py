"""Binary file formats numflow shares with TensorFlow, written from their public descriptions.

- `crc32c`: CRC-32C (Castagnoli) and TensorFlow's masked form.
- `wire`: the protocol-buffer wire format (varints, length-delimited fields), encoded and decoded by hand.
- `table`: LevelDB-format sorted string tables (the `.index` file of a checkpoint).
- `bundle`: TensorFlow's V2 tensor bundle (`PREFIX.index` + `PREFIX.data-00000-of-00001`).
- `proto`: a small declarative protobuf layer and the Summary / Event / TensorProto messages.
- `events`: TFRecord framing, TensorBoard event files, and a numflow Graph as a GraphDef protobuf.
- `meta_graph`, `meta_graph_proto`: `.meta` files as TensorFlow's MetaGraphDef (import_meta_graph /
  export_meta_graph), SavedModel protos; numflow's former JSON `.meta` format is still read.

Nothing here needs more than NumPy, and nothing is ever unpickled.
"""

# `tf.io`: this package is also TF's public `tf.io` namespace. Its names live in the op families and are
# looked up on first use, so that importing a file format never imports the ops.
_PUBLIC = {
    "FixedLenFeature": "..ops.parsing", "FixedLenSequenceFeature": "..ops.parsing",
    "VarLenFeature": "..ops.parsing", "parse_example": "..ops.parsing", "parse_single_example": "..ops.parsing",
    "decode_raw": "..ops.parsing", "decode_csv": "..ops.parsing",
    "read_file": "..ops.io_ops", "write_file": "..ops.io_ops", "matching_files": "..ops.io_ops",
    "match_filenames_once": "..train.input",
    "QueueBase": "..ops.data_flow", "FIFOQueue": "..ops.data_flow", "PaddingFIFOQueue": "..ops.data_flow",
    "RandomShuffleQueue": "..ops.data_flow",
    "TFRecordWriter": ".tfrecord", "TFRecordOptions": ".tfrecord", "TFRecordCompressionType": ".tfrecord",
    "tf_record_iterator": ".tfrecord",
    "decode_png": "..ops.image_ops", "decode_jpeg": "..ops.image_ops", "decode_gif": "..ops.image_ops",
    "decode_bmp": "..ops.image_ops", "decode_image": "..ops.image_ops", "encode_png": "..ops.image_ops",
    "encode_jpeg": "..ops.image_ops",
    "write_graph": "..framework.graph_def",
}
_PUBLIC.update({   # issue 12: tensors as bytes, JPEG helpers, sparse serialization
    "serialize_tensor": "..ops.tensor_io_ops", "parse_tensor": "..ops.tensor_io_ops",
    "decode_compressed": "..ops.tensor_io_ops", "is_jpeg": "..ops.image_extra",
    "extract_jpeg_shape": "..ops.image_extra", "decode_and_crop_jpeg": "..ops.image_extra",
    "serialize_sparse": "..ops.sparse_ops", "serialize_many_sparse": "..ops.sparse_ops",
    "deserialize_many_sparse": "..ops.sparse_ops"})
_PUBLIC["decode_json_example"] = "..ops.json_example"
_PUBLIC["PriorityQueue"] = "..ops.priority_queue"
_PUBLIC.update({"parse_sequence_example": "..ops.sequence_parsing",
                "parse_single_sequence_example": "..ops.sequence_parsing"})
_PUBLIC["SparseFeature"] = "..ops.sparse_feature"


def __getattr__(name):
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError("module 'numflow.io' has no attribute %r" % name)
    import importlib
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_PUBLIC))
