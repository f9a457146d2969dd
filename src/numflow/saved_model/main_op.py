"""`tf.saved_model.main_op`: the op a SavedModel loader runs after restoring the variables."""
from ..framework import errors
from ..framework.graph import GraphKeys, control_dependencies, get_default_graph

__all__ = ["main_op", "main_op_with_restore"]


def main_op():
    """`tf.saved_model.main_op.main_op()`: one op that initializes the local variables and the tables
    (the graph's TABLE_INITIALIZERS collection)."""
    from ..ops.control import group
    from ..variables import local_variables_initializer
    return group(local_variables_initializer(), *get_default_graph().get_collection(GraphKeys.TABLE_INITIALIZERS))


def main_op_with_restore(restore_op_name):
    """`tf.saved_model.main_op_with_restore(restore_op_name)`: main_op() followed by the op named
    `restore_op_name`. numflow's Saver restores from Python and builds no restore op, so this works only
    with a restore op the graph really has (one imported from a TensorFlow graph is stripped with its
    saver): NotFoundError otherwise. The loader restores a SavedModel's variables by itself anyway."""
    graph = get_default_graph()
    try:
        restore_op = graph.get_operation_by_name(restore_op_name)
    except (KeyError, ValueError):
        raise errors.NotFoundError(None, None, "main_op_with_restore: the graph has no op named '%s'. numflow's "
                                   "Saver restores without graph ops; the SavedModel loader restores the "
                                   "variables itself, so use main_op() instead" % restore_op_name) from None
    from ..ops.control import group
    with control_dependencies([main_op()]):
        return group(restore_op)
