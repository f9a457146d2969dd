"""`tf.saved_model.simple_save`: a SavedModel for serving in one call."""
from ..framework.graph import GraphKeys
from . import signature_constants, tag_constants
from .builder import SavedModelBuilder
from .signature_def_utils import predict_signature_def

__all__ = ["simple_save"]


def simple_save(session, export_dir, inputs, outputs, legacy_init_op=None):
    """`tf.saved_model.simple_save(session, export_dir, inputs, outputs, legacy_init_op=None)`: writes a
    SavedModel of `session`'s graph and variables tagged 'serve', with one 'serving_default' predict
    signature of the dicts {key: Tensor} `inputs` and `outputs`, the graph's asset files, and devices
    cleared. `export_dir` must not exist or be empty."""
    signature_def_map = {signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY:
                         predict_signature_def(inputs, outputs)}
    builder = SavedModelBuilder(export_dir)
    builder.add_meta_graph_and_variables(session, tags=[tag_constants.SERVING],
                                         signature_def_map=signature_def_map,
                                         assets_collection=session.graph.get_collection(GraphKeys.ASSET_FILEPATHS),
                                         main_op=legacy_init_op, clear_devices=True)
    builder.save()
