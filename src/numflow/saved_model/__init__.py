"""`tf.saved_model`: SavedModel directories, the format TensorFlow Serving and most TF1 exports use.

Write one with `simple_save(sess, export_dir, inputs, outputs)` or `builder.SavedModelBuilder`; read one
with `loader.load(sess, [tag_constants.SERVING], export_dir)`, then feed and fetch the tensors its
signatures name (`utils.get_tensor_from_tensor_info`). numflow and real TensorFlow read each other's
SavedModels (TF1's graph-based format: saved_model.pb, variables/, assets/).

The TF2 object-based API (`save(obj, ...)`, `load_v2`) needs TF2's trackable objects, which a TF1 graph
program does not have: those two raise NotImplementedError saying what to use instead.
"""
import os

from . import (builder, constants, loader, main_op, signature_constants, signature_def_utils,  # noqa: F401
               tag_constants, utils)
from .builder import SavedModelBuilder
from .constants import (ASSETS_DIRECTORY, ASSETS_KEY, DEBUG_DIRECTORY, DEBUG_INFO_FILENAME_PB,  # noqa: F401
                        LEGACY_INIT_OP_KEY, MAIN_OP_KEY, SAVED_MODEL_FILENAME_PB, SAVED_MODEL_FILENAME_PBTXT,
                        SAVED_MODEL_SCHEMA_VERSION, VARIABLES_DIRECTORY, VARIABLES_FILENAME)
from .loader import load, maybe_saved_model_directory  # noqa: F401
from .main_op import main_op_with_restore  # noqa: F401
from .signature_constants import (CLASSIFY_INPUTS, CLASSIFY_METHOD_NAME, CLASSIFY_OUTPUT_CLASSES,  # noqa: F401
                                  CLASSIFY_OUTPUT_SCORES, DEFAULT_SERVING_SIGNATURE_DEF_KEY, PREDICT_INPUTS,
                                  PREDICT_METHOD_NAME, PREDICT_OUTPUTS, REGRESS_INPUTS, REGRESS_METHOD_NAME,
                                  REGRESS_OUTPUTS)
from .signature_def_utils import (build_signature_def, classification_signature_def,  # noqa: F401
                                  is_valid_signature, predict_signature_def, regression_signature_def)
from .simple_save import simple_save  # noqa: F401
from .tag_constants import GPU, SERVING, TPU, TRAINING  # noqa: F401
from .utils import build_tensor_info, get_tensor_from_tensor_info  # noqa: F401

Builder = SavedModelBuilder


def contains_saved_model(export_dir):
    """`tf.saved_model.contains_saved_model(export_dir)`: whether `export_dir` holds a saved_model.pb(txt)."""
    return maybe_saved_model_directory(export_dir)


class SaveOptions:
    """`tf.saved_model.SaveOptions(namespace_whitelist=None, save_debug_info=False, function_aliases=None,
    experimental_io_device=None)`: options of the TF2 `save`; kept for code that builds them."""

    def __init__(self, namespace_whitelist=None, save_debug_info=False, function_aliases=None,
                 experimental_io_device=None):
        self.namespace_whitelist = list(namespace_whitelist or [])
        self.save_debug_info = save_debug_info
        self.function_aliases = dict(function_aliases or {})
        self.experimental_io_device = experimental_io_device


class Asset:
    """`tf.saved_model.Asset(path)`: a file the model needs at serving time. In a TF1 graph, `asset_path`
    is a scalar string constant added to the ASSET_FILEPATHS collection, which simple_save and the
    builder copy into assets/ and the loader feeds with the copy's path."""

    def __init__(self, path):
        from ..framework.graph import GraphKeys, add_to_collection
        from ..ops.constant import constant
        self.asset_path = constant(os.fspath(path), name="asset_path")
        add_to_collection(GraphKeys.ASSET_FILEPATHS, self.asset_path)


def _object_api(name):
    raise NotImplementedError(
        "tf.saved_model.%s is TensorFlow 2's object-based SavedModel API (tf.Module, tf.function), which a "
        "TF1 graph program does not use. Write a SavedModel with tf.saved_model.simple_save or "
        "tf.saved_model.builder.SavedModelBuilder and read one with tf.saved_model.loader.load." % name)


def save(obj, export_dir, signatures=None, options=None):
    """TF2's `tf.saved_model.save(obj, ...)`: NotImplementedError (see the module docstring)."""
    _object_api("save")


def load_v2(export_dir, tags=None, options=None):
    """TF2's `tf.saved_model.load(export_dir)`: NotImplementedError (see the module docstring)."""
    _object_api("load_v2")
