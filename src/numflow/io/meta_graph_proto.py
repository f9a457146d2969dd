"""TensorFlow's MetaGraphDef and SavedModel messages without a protobuf dependency.

Field numbers follow TensorFlow's meta_graph.proto, saver.proto, variable.proto, queue_runner.proto and
saved_model.proto; the messages build on `graph_proto.ProtoMessage` (map fields, `add()`, the text
format). Three parts of a MetaGraphDef that numflow does not interpret are kept as raw bytes so that a
file read and written again loses nothing: `MetaInfoDef.stripped_op_list` (the OpDefs of an OpList),
`MetaInfoDef.any_info` and `MetaGraphDef.object_graph_def` (TF2's SavedObjectGraph).

A collection's items are encoded as TensorFlow does (see `CollectionDef`): names of tensors and ops in
`node_list`, serialized protos (VariableDef for variable collections, QueueRunnerDef, SaverDef) in
`bytes_list`, Python ints in `int64_list`, floats in `float_list`, strings in `bytes_list`, and
`google.protobuf.Any` wrappers (SavedModel assets) in `any_list`.
"""
from .graph_proto import DATA_TYPE_NAMES, GraphDef, MessageMap, ProtoMessage, TensorShapeProto

__all__ = ["Any", "AssetFileDef", "CollectionDef", "MetaGraphDef", "MetaInfoDef", "OpList", "QueueRunnerDef",
           "SaveSliceInfoDef", "SavedModel", "SaverDef", "SignatureDef", "SignatureMap", "TensorInfo", "VariableDef",
           "ASSET_FILE_DEF_TYPE_URL"]

ASSET_FILE_DEF_TYPE_URL = "type.googleapis.com/tensorflow.AssetFileDef"


class Any(ProtoMessage):
    """`google.protobuf.Any`: a serialized message with the URL of its type."""

    FIELDS = {"type_url": (1, "string", False), "value": (2, "bytes", False)}

    def Is(self, descriptor_or_name):  # noqa: N802 - protobuf's API
        name = getattr(descriptor_or_name, "full_name", descriptor_or_name)
        return self.type_url.rsplit("/", 1)[-1] == name

    def Pack(self, message, type_url_prefix="type.googleapis.com/"):  # noqa: N802
        self.type_url = type_url_prefix + "tensorflow." + type(message).__name__
        self.value = message.SerializeToString()

    def Unpack(self, message):  # noqa: N802
        if not self.type_url.endswith("." + type(message).__name__):
            return False
        message.ParseFromString(self.value)
        return True


# --- saver.proto ---------------------------------------------------------------------------------------
class SaverDef(ProtoMessage):
    """How to save and restore a graph's variables: the names of the filename tensor, the save tensor and
    the restore op, and the Saver's settings."""

    LEGACY, V1, V2 = 0, 1, 2
    CheckpointFormatVersion = {"LEGACY": 0, "V1": 1, "V2": 2}
    FIELDS = {"filename_tensor_name": (1, "string", False), "save_tensor_name": (2, "string", False),
              "restore_op_name": (3, "string", False), "max_to_keep": (4, "int32", False),
              "sharded": (5, "bool", False), "keep_checkpoint_every_n_hours": (6, "float", False),
              "version": (7, "enum", False)}
    ENUM_NAMES = {"version": {0: "LEGACY", 1: "V1", 2: "V2"}}


# --- variable.proto --------------------------------------------------------------------------------------
class SaveSliceInfoDef(ProtoMessage):
    """Where a partitioned variable's slice sits in the full variable."""

    FIELDS = {"full_name": (1, "string", False), "full_shape": (2, "int64", True),
              "var_offset": (3, "int64", True), "var_shape": (4, "int64", True)}


class VariableDef(ProtoMessage):
    """A variable of a graph by the names of its parts: the variable tensor, its initializer op, the
    snapshot (read) tensor and the initial value tensor."""

    FIELDS = {"variable_name": (1, "string", False), "initializer_name": (2, "string", False),
              "snapshot_name": (3, "string", False),
              "save_slice_info_def": (4, "message", False, SaveSliceInfoDef), "is_resource": (5, "bool", False),
              "initial_value_name": (6, "string", False), "trainable": (7, "bool", False),
              "synchronization": (8, "enum", False), "aggregation": (9, "enum", False)}


# --- queue_runner.proto ------------------------------------------------------------------------------------
class QueueRunnerDef(ProtoMessage):
    """A QueueRunner by the names of its queue and ops."""

    FIELDS = {"queue_name": (1, "string", False), "enqueue_op_name": (2, "string", True),
              "close_op_name": (3, "string", False), "cancel_op_name": (4, "string", False),
              "queue_closed_exception_types": (5, "enum", True)}


# --- meta_graph.proto --------------------------------------------------------------------------------------
class OpList(ProtoMessage):
    """The OpDefs a graph uses, each kept as its serialized bytes (numflow's ops are not described by
    OpDefs; real TensorFlow accepts a MetaGraphDef without them)."""

    FIELDS = {"op": (1, "bytes", True)}


class MetaInfoDef(ProtoMessage):
    """What a MetaGraphDef is: its tags, the TensorFlow version that wrote it, and (kept as bytes) the
    OpDefs of the ops it uses."""

    FIELDS = {"meta_graph_version": (1, "string", False), "stripped_op_list": (2, "message", False, OpList),
              "any_info": (3, "bytes", False), "tags": (4, "string", True),
              "tensorflow_version": (5, "string", False), "tensorflow_git_version": (6, "string", False),
              "stripped_default_attrs": (7, "bool", False)}
    MAPS = {"function_aliases": (8, "string", "string")}


class CollectionDef(ProtoMessage):
    """One graph collection: exactly one of node_list, bytes_list, int64_list, float_list, any_list."""

    class NodeList(ProtoMessage):
        FIELDS = {"value": (1, "string", True)}

    class BytesList(ProtoMessage):
        FIELDS = {"value": (1, "bytes", True)}

    class Int64List(ProtoMessage):
        FIELDS = {"value": (1, "int64", True)}

    class FloatList(ProtoMessage):
        FIELDS = {"value": (1, "float", True)}

    class AnyList(ProtoMessage):
        FIELDS = {"value": (1, "message", True, Any)}

    FIELDS = {"node_list": (1, "message", False, NodeList), "bytes_list": (2, "message", False, BytesList),
              "int64_list": (3, "message", False, Int64List), "float_list": (4, "message", False, FloatList),
              "any_list": (5, "message", False, AnyList)}
    ONEOF = frozenset(FIELDS)

    def WhichOneof(self, name):  # noqa: N802 - protobuf's API
        if name != "kind":
            raise ValueError("Protocol message has no oneof \"%s\" field." % name)
        for field in type(self).FIELDS:
            if field in self._values:
                return field
        return None


class TensorInfo(ProtoMessage):
    """A tensor of a signature: its name (or the names of a sparse tensor's parts), dtype and shape."""

    class CooSparse(ProtoMessage):
        FIELDS = {"values_tensor_name": (1, "string", False), "indices_tensor_name": (2, "string", False),
                  "dense_shape_tensor_name": (3, "string", False)}

    FIELDS = {"name": (1, "string", False), "coo_sparse": (4, "message", False, CooSparse),
              "composite_tensor": (5, "bytes", False), "dtype": (2, "enum", False),
              "tensor_shape": (3, "message", False, TensorShapeProto)}
    ENUM_NAMES = {"dtype": DATA_TYPE_NAMES}

    def WhichOneof(self, name):  # noqa: N802
        if name != "encoding":
            raise ValueError("Protocol message has no oneof \"%s\" field." % name)
        for field in ("name", "coo_sparse", "composite_tensor"):
            if field in self._values and (field == "coo_sparse" or self._values[field]):
                return field
        return None


class SignatureDef(ProtoMessage):
    """A named computation of a SavedModel: input and output TensorInfos by key, and its method name."""

    FIELDS = {"method_name": (3, "string", False)}
    MAPS = {"inputs": (1, "string", TensorInfo), "outputs": (2, "string", TensorInfo)}


class AssetFileDef(ProtoMessage):
    """An asset of a SavedModel: the string tensor fed its path, and the file's name under assets/."""

    FIELDS = {"tensor_info": (1, "message", False, TensorInfo), "filename": (2, "string", False)}


class SignatureMap(MessageMap):
    """`MetaGraphDef.signature_def`: reading a key that is not there is a KeyError naming the keys that
    are (protobuf would silently add an empty SignatureDef, which fails later far from the typo);
    `get_or_create(key)` and assignment add entries."""

    def __missing__(self, key):
        raise KeyError("Signature key %r is not in this MetaGraphDef; its signature keys are: %s"
                       % (key, sorted(self)))

    def get_or_create(self, key):
        if key not in self:
            self[key] = self.message_class()
        return self[key]


class MetaGraphDef(ProtoMessage):
    """`tf.compat.v1.MetaGraphDef`: a GraphDef with what a program needs to use it again: the Saver's
    SaverDef, the collections, the signatures and the assets. `signature_def[key]` for a missing key is
    a KeyError listing the available keys (see SignatureMap)."""

    def __getattr__(self, name):
        value = super().__getattr__(name)
        if name == "signature_def" and type(value) is not SignatureMap:
            value = self._values[name] = SignatureMap(value, SignatureDef)
        return value

    FIELDS = {"meta_info_def": (1, "message", False, MetaInfoDef), "graph_def": (2, "message", False, GraphDef),
              "saver_def": (3, "message", False, SaverDef), "asset_file_def": (6, "message", True, AssetFileDef),
              "object_graph_def": (7, "bytes", False)}
    MAPS = {"collection_def": (4, "string", CollectionDef), "signature_def": (5, "string", SignatureDef)}


# --- saved_model.proto ---------------------------------------------------------------------------------------
class SavedModel(ProtoMessage):
    """A SavedModel's saved_model.pb: the schema version and one MetaGraphDef per tag set."""

    FIELDS = {"saved_model_schema_version": (1, "int64", False),
              "meta_graphs": (2, "message", True, MetaGraphDef)}
