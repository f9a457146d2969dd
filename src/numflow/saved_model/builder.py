"""`tf.saved_model.builder.SavedModelBuilder`: writes a SavedModel directory.

    builder = tf.saved_model.builder.SavedModelBuilder(export_dir)
    builder.add_meta_graph_and_variables(sess, [tf.saved_model.tag_constants.SERVING],
                                         signature_def_map={"serving_default": signature})
    builder.save()

writes export_dir/saved_model.pb (a SavedModel proto with one MetaGraphDef per `add_*` call, each with
the save/restore subgraph TF's Saver would have built), export_dir/variables/variables.{index,data-*}
(a TensorFlow V2 checkpoint of the session's variables) and export_dir/assets/ (copies of the asset
files). Real TensorFlow's `tf.compat.v1.saved_model.loader.load` loads it.
"""
import os
import shutil

from ..framework import errors
from ..framework.graph import Operation, Tensor, get_default_graph
from ..io.bundle import atomic_write
from ..io.graph_proto import to_text
from ..io.meta_graph_proto import (ASSET_FILE_DEF_TYPE_URL, Any, AssetFileDef, CollectionDef, SavedModel,
                                   SignatureDef)
from ..train.saver import Saver
from . import constants
from .utils import build_tensor_info

__all__ = ["SavedModelBuilder"]


def _validate_tensor_info(tensor_info):
    if tensor_info is None:
        raise AssertionError("All TensorInfo protos used in the SignatureDefs must have the name and dtype "
                             "fields set.")
    if tensor_info.WhichOneof("encoding") is None:
        raise AssertionError("All TensorInfo protos used in the SignatureDefs must have one of the 'encoding' "
                             "fields (e.g., name or coo_sparse) set: %s" % tensor_info)
    if not tensor_info.dtype:
        raise AssertionError("All TensorInfo protos used in the SignatureDefs must have the dtype field set: %s"
                             % tensor_info)


def _validate_signature_def_map(signature_def_map):
    for key, signature_def in signature_def_map.items():
        if key in (constants.INIT_OP_SIGNATURE_KEY, constants.TRAIN_OP_SIGNATURE_KEY):
            raise KeyError('SignatureDef map key "%s" is reserved for initialization and training. Please use '
                           "a different key." % key)
        if not isinstance(signature_def, SignatureDef):
            raise TypeError("signature_def_map[%r] must be a SignatureDef (see "
                            "tf.saved_model.signature_def_utils), got %r" % (key, signature_def))
        for info in list(signature_def.inputs.values()) + list(signature_def.outputs.values()):
            _validate_tensor_info(info)


def _asset_source_path(tensor):
    """The file an asset tensor (a scalar string Const) names."""
    if not isinstance(tensor, Tensor):
        raise TypeError("Asset path tensor must be a Tensor.")
    if tensor.op.type != "Const":
        raise TypeError("Asset path tensor must be of type constant.")
    if tensor.dtype.name != "string":
        raise TypeError("Asset path tensor must be of dtype string.")
    value = tensor.op.attrs["value"]
    if getattr(value, "size", 1) != 1:
        raise TypeError("Asset path tensor must be a scalar.")
    path = value.reshape(-1)[0] if hasattr(value, "reshape") else value
    return path.decode("utf-8") if isinstance(path, bytes) else str(path)


def _required_ops(signature_def_map, init, assets_collection):
    """{what: op name} of the ops a loader will look up: signature tensors, the init op, asset tensors."""
    required = {}
    for key, signature_def in signature_def_map.items():
        for side in ("inputs", "outputs"):
            for name, info in getattr(signature_def, side).items():
                tensor_names = [info.name] if info.name else [
                    info.coo_sparse.values_tensor_name, info.coo_sparse.indices_tensor_name,
                    info.coo_sparse.dense_shape_tensor_name]
                for tensor_name in tensor_names:
                    required["signature '%s' %s '%s'" % (key, side[:-1], name)] = tensor_name.split(":")[0]
    if init is not None:
        required["the %s" % init[0]] = init[1].name
    for tensor in assets_collection or []:
        required["asset tensor %s" % tensor.name] = tensor.op.name
    return required


class SavedModelBuilder:
    """`tf.saved_model.builder.SavedModelBuilder(export_dir)`: collects MetaGraphDefs (one per tag set)
    and the variables of the first, and writes them as a SavedModel with `save()`.

    `export_dir` must not exist or be empty (AssertionError otherwise)."""

    def __init__(self, export_dir):
        self._export_dir = os.fspath(export_dir)
        if os.path.exists(self._export_dir):
            if os.listdir(self._export_dir):
                raise AssertionError("Export directory already exists, and isn't empty. Please choose a different "
                                     "export directory, or delete all the contents of the specified directory: %s"
                                     % self._export_dir)
        else:
            os.makedirs(self._export_dir)
        self._saved_model = SavedModel(saved_model_schema_version=constants.SAVED_MODEL_SCHEMA_VERSION)
        self._has_saved_variables = False

    # --- the parts of one MetaGraphDef ---------------------------------------------------------------
    def _copy_assets(self, assets_collection):
        """Copies each asset file into export_dir/assets/; returns the AssetFileDefs."""
        asset_defs = []
        folder = os.path.join(self._export_dir, constants.ASSETS_DIRECTORY)
        for tensor in assets_collection or []:
            source = _asset_source_path(tensor)
            name = os.path.basename(source)
            if not os.path.isfile(source):
                raise errors.NotFoundError(None, tensor.op, "Asset file %s (of tensor %s) does not exist"
                                           % (source, tensor.name))
            os.makedirs(folder, exist_ok=True)
            target = os.path.join(folder, name)
            if not os.path.exists(target):
                shutil.copyfile(source, target)
            asset_defs.append(AssetFileDef(tensor_info=build_tensor_info(tensor), filename=name))
        return asset_defs

    @staticmethod
    def _init_op_collection(main_op, legacy_init_op):
        if main_op is not None:
            if not isinstance(main_op, Operation):
                raise TypeError("main_op needs to be an Operation: %r" % (main_op,))
            return constants.MAIN_OP_KEY, main_op
        if legacy_init_op is not None:
            if not isinstance(legacy_init_op, Operation):
                raise TypeError("legacy_init_op needs to be an Operation: %r" % (legacy_init_op,))
            return constants.LEGACY_INIT_OP_KEY, legacy_init_op
        return None

    def _build_meta_graph_def(self, saver, tags, signature_def_map, assets_collection, legacy_init_op,
                              clear_devices, main_op):
        signature_def_map = dict(signature_def_map or {})
        _validate_signature_def_map(signature_def_map)
        init = self._init_op_collection(main_op, legacy_init_op)
        asset_defs = self._copy_assets(assets_collection)
        meta_graph_def = saver._meta_graph_def(clear_devices=clear_devices,
                                               required=_required_ops(signature_def_map, init, assets_collection))
        meta_graph_def.meta_info_def.tags.extend(tags)
        for key, signature_def in signature_def_map.items():
            meta_graph_def.signature_def[key] = SignatureDef.FromString(signature_def.SerializeToString())
        # The init op and assets go into the MetaGraphDef only, not the caller's graph, so that adding
        # several meta graphs never leaves two init ops in one collection.
        for key in (constants.MAIN_OP_KEY, constants.LEGACY_INIT_OP_KEY, constants.ASSETS_KEY):
            meta_graph_def.collection_def.pop(key, None)
        if init is not None:
            meta_graph_def.collection_def[init[0]] = CollectionDef(
                node_list=CollectionDef.NodeList(value=[init[1].name]))
        if asset_defs:
            meta_graph_def.collection_def[constants.ASSETS_KEY] = CollectionDef(any_list=CollectionDef.AnyList(
                value=[Any(type_url=ASSET_FILE_DEF_TYPE_URL, value=a.SerializeToString()) for a in asset_defs]))
        self._saved_model.meta_graphs.append(meta_graph_def)

    @staticmethod
    def _saver_for(graph, saver):
        if saver is not None:
            return saver
        with graph.as_default():
            return Saver(sharded=True, allow_empty=True)

    # --- the public API ------------------------------------------------------------------------------
    def add_meta_graph_and_variables(self, sess, tags, signature_def_map=None, assets_collection=None,
                                     legacy_init_op=None, clear_devices=False, main_op=None,
                                     strip_default_attrs=False, saver=None):
        """Adds the MetaGraphDef of `sess.graph` tagged `tags` and saves the session's variables to
        export_dir/variables/ (once per builder: AssertionError on a second call). `signature_def_map`:
        {key: SignatureDef}; `assets_collection`: scalar string Const tensors naming files to copy into
        assets/; `main_op` (or `legacy_init_op`): the Operation a loader runs after restoring."""
        if self._has_saved_variables:
            raise AssertionError("Graph state including variables and assets has already been saved. Please "
                                 "invoke `add_meta_graph()` instead.")
        saver = self._saver_for(sess.graph, saver)
        with sess.graph.as_default():
            folder = os.path.join(self._export_dir, constants.VARIABLES_DIRECTORY)
            os.makedirs(folder, exist_ok=True)
            saver.save(sess, os.path.join(folder, constants.VARIABLES_FILENAME), write_meta_graph=False,
                       write_state=False)
            self._build_meta_graph_def(saver, tags, signature_def_map, assets_collection, legacy_init_op,
                                       clear_devices, main_op)
        self._has_saved_variables = True

    def add_meta_graph(self, tags, signature_def_map=None, assets_collection=None, legacy_init_op=None,
                       clear_devices=False, main_op=None, strip_default_attrs=False, saver=None):
        """Adds the MetaGraphDef of the default graph tagged `tags`, sharing the variables saved by
        add_meta_graph_and_variables (which must come first: AssertionError otherwise)."""
        if not self._has_saved_variables:
            raise AssertionError("Graph state including variables and assets has not been saved yet. Please "
                                 "invoke `add_meta_graph_and_variables()` first.")
        graph = get_default_graph()
        self._build_meta_graph_def(self._saver_for(graph, saver), tags, signature_def_map, assets_collection,
                                   legacy_init_op, clear_devices, main_op)

    def save(self, as_text=False):
        """Writes export_dir/saved_model.pb (saved_model.pbtxt with as_text); returns its path (bytes)."""
        name = constants.SAVED_MODEL_FILENAME_PBTXT if as_text else constants.SAVED_MODEL_FILENAME_PB
        path = os.path.join(self._export_dir, name)
        data = to_text(self._saved_model).encode("utf-8") if as_text else self._saved_model.SerializeToString()
        atomic_write(path, [data])
        return path.encode("utf-8")


