"""`tf.saved_model.loader`: loads a SavedModel's MetaGraphDef for a tag set into a Session.

`load(sess, tags, export_dir)` finds the MetaGraphDef whose tags equal `tags`, imports its graph and
collections into `sess.graph` (see `tf.train.import_meta_graph`), restores the variables from
export_dir/variables/variables, and runs the model's init op (the `__saved_model_init_op` signature, the
main op or the legacy init op) with every asset tensor fed the path of its file under export_dir/assets.
It returns the MetaGraphDef, whose `signature_def` names the tensors to feed and fetch.

A SavedModel is a program: its graph can name ops that read and write files. Load only trusted ones.
"""
import os

from ..framework import errors
from ..framework.graph import Operation, Tensor
from ..io.meta_graph import parse_meta_graph
from ..io.meta_graph_proto import ASSET_FILE_DEF_TYPE_URL, AssetFileDef, SavedModel
from ..train.saver import _import_meta_graph_with_return_elements
from . import constants

__all__ = ["load", "maybe_saved_model_directory", "SavedModelLoader"]


def maybe_saved_model_directory(export_dir):
    """`tf.saved_model.loader.maybe_saved_model_directory(export_dir)`: whether `export_dir` holds a
    saved_model.pb or saved_model.pbtxt (the directory may still fail to load)."""
    export_dir = os.fspath(export_dir)
    return any(os.path.isfile(os.path.join(export_dir, name))
               for name in (constants.SAVED_MODEL_FILENAME_PB, constants.SAVED_MODEL_FILENAME_PBTXT))


def parse_saved_model(export_dir):
    """(SavedModel proto, its file) of `export_dir` (saved_model.pb, else saved_model.pbtxt); IOError
    when neither exists, DataLossError naming the file when it is truncated or corrupted."""
    export_dir = os.fspath(export_dir)
    binary = os.path.join(export_dir, constants.SAVED_MODEL_FILENAME_PB)
    text = os.path.join(export_dir, constants.SAVED_MODEL_FILENAME_PBTXT)
    path = binary if os.path.isfile(binary) else text if os.path.isfile(text) else None
    if path is None:
        raise IOError("SavedModel file does not exist at: %s%s{%s|%s}"
                      % (export_dir, os.path.sep, constants.SAVED_MODEL_FILENAME_PBTXT,
                         constants.SAVED_MODEL_FILENAME_PB))
    with open(path, "rb") as handle:
        data = handle.read()
    saved_model = parse_meta_graph(data, path, SavedModel)
    if not saved_model.meta_graphs:
        raise errors.DataLossError(None, None, "Cannot parse %s: the SavedModel holds no MetaGraphDef" % path)
    return saved_model, path


def _tags_list(tags):
    return [tags] if isinstance(tags, str) else list(tags)


class SavedModelLoader:
    """Loads the parts of a SavedModel step by step (what `load` does in one call)."""

    def __init__(self, export_dir):
        self._export_dir = os.fspath(export_dir)
        self._variables_path = os.path.join(self._export_dir, constants.VARIABLES_DIRECTORY,
                                             constants.VARIABLES_FILENAME)
        self._saved_model, self._path = parse_saved_model(self._export_dir)

    @property
    def export_dir(self):
        return self._export_dir

    @property
    def variables_path(self):
        return self._variables_path

    @property
    def saved_model(self):
        return self._saved_model

    def get_meta_graph_def_from_tags(self, tags):
        """The MetaGraphDef whose tag set equals `tags`; RuntimeError naming the tag sets there are."""
        wanted = set(_tags_list(tags))
        available = []
        for meta_graph_def in self._saved_model.meta_graphs:
            present = list(meta_graph_def.meta_info_def.tags)
            if set(present) == wanted:
                return meta_graph_def
            available.append(present)
        raise RuntimeError("MetaGraphDef associated with tags %s could not be found in SavedModel %s. To inspect "
                           "available tag-sets in the SavedModel, please use the SavedModel CLI: "
                           "`saved_model_cli`\navailable_tags: %s"
                           % (str(_tags_list(tags)).strip("[]"), self._export_dir, available))

    def load_graph(self, graph, tags, import_scope=None, **saver_kwargs):
        """Imports the MetaGraphDef of `tags` into `graph`; returns (Saver or None, MetaGraphDef)."""
        meta_graph_def = self.get_meta_graph_def_from_tags(tags)
        with graph.as_default():
            saver, _ = _import_meta_graph_with_return_elements(meta_graph_def, import_scope=import_scope,
                                                               source=self._path, **saver_kwargs)
        return saver, meta_graph_def

    def restore_variables(self, sess, saver, import_scope=None):
        """Restores the variables from export_dir/variables/variables (nothing when `saver` is None)."""
        if saver is None:
            return
        if sess.graph is not saver._graph:
            raise ValueError("The session graph does not match the graph the SavedModel was loaded into.")
        saver.restore(sess, self._variables_path)

    def _asset_feeds(self, meta_graph_def, import_scope):
        assets = list(meta_graph_def.asset_file_def)
        if constants.ASSETS_KEY in meta_graph_def.collection_def:
            for wrapped in meta_graph_def.collection_def[constants.ASSETS_KEY].any_list.value:
                if wrapped.type_url == ASSET_FILE_DEF_TYPE_URL:
                    assets.append(AssetFileDef.FromString(wrapped.value))
        prefix = import_scope.rstrip("/") + "/" if import_scope else ""
        folder = os.path.join(self._export_dir, constants.ASSETS_DIRECTORY)
        feeds = {}
        for asset in assets:
            name = os.path.basename(asset.filename)
            if name != asset.filename or name in ("", ".", ".."):
                raise errors.InvalidArgumentError(None, None, "SavedModel %s names asset file %r, which is not a "
                                                  "plain file name under assets/" % (self._export_dir, asset.filename))
            feeds[prefix + asset.tensor_info.name] = os.path.join(folder, name)
        return feeds

    def _init_op(self, graph, meta_graph_def, import_scope):
        prefix = import_scope.rstrip("/") + "/" if import_scope else ""
        signatures = meta_graph_def.signature_def
        if constants.INIT_OP_SIGNATURE_KEY in signatures:
            outputs = signatures[constants.INIT_OP_SIGNATURE_KEY].outputs
            if constants.INIT_OP_SIGNATURE_KEY in outputs:
                return graph.as_graph_element(prefix + outputs[constants.INIT_OP_SIGNATURE_KEY].name)
        for key, what in ((constants.MAIN_OP_KEY, "SavedModel main op"),
                          (constants.LEGACY_INIT_OP_KEY, "legacy serving init op")):
            if key in meta_graph_def.collection_def:
                names = list(meta_graph_def.collection_def[key].node_list.value)
                if len(names) != 1:
                    raise RuntimeError("Expected exactly one %s. Found: %s" % (what, names))
                return graph.as_graph_element(prefix + names[0])
        return None

    def run_init_ops(self, sess, tags, import_scope=None):
        """Runs the init op of the MetaGraphDef of `tags`, feeding each asset tensor its file's path."""
        meta_graph_def = self.get_meta_graph_def_from_tags(tags)
        with sess.graph.as_default():
            init_op = self._init_op(sess.graph, meta_graph_def, import_scope)
            if init_op is None:
                return
            if not isinstance(init_op, (Operation, Tensor)):
                raise TypeError("The SavedModel's init op %r is not an operation" % (init_op,))
            feeds = {name: path.encode("utf-8") for name, path in self._asset_feeds(meta_graph_def,
                                                                                   import_scope).items()}
            sess.run(init_op, feed_dict=feeds)

    def load(self, sess, tags, import_scope=None, **saver_kwargs):
        """Imports, restores and initializes the MetaGraphDef of `tags` in `sess`; returns it."""
        saver, meta_graph_def = self.load_graph(sess.graph, tags, import_scope, **saver_kwargs)
        self.restore_variables(sess, saver, import_scope)
        self.run_init_ops(sess, tags, import_scope)
        return meta_graph_def


def load(sess, tags, export_dir, import_scope=None, **saver_kwargs):
    """`tf.saved_model.loader.load(sess, tags, export_dir, import_scope=None)`: loads the MetaGraphDef
    tagged exactly `tags` (a list such as [tf.saved_model.tag_constants.SERVING]) from the SavedModel in
    `export_dir` into `sess` (graph, collections, variable values, init op) and returns it.

    IOError when `export_dir` has no saved_model.pb(txt); DataLossError naming a truncated or corrupted
    file; RuntimeError naming the available tag sets when none equals `tags`; NotFoundError listing op
    types numflow cannot run. Load only SavedModels you trust: a graph is a program."""
    return SavedModelLoader(export_dir).load(sess, tags, import_scope, **saver_kwargs)
