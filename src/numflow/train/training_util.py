"""The global step: the int64 scalar variable 'global_step' that counts training steps, as TF1's."""
import numpy as np

from ..framework import dtypes
from ..framework.graph import GraphKeys, Tensor, control_dependencies, get_default_graph

__all__ = ["global_step", "get_global_step", "create_global_step", "get_or_create_global_step",
           "assert_global_step"]


def global_step(sess, global_step_tensor):
    """`tf.train.global_step(sess, global_step_tensor)`: the step's current value as a Python int."""
    return int(sess.run(global_step_tensor))


def get_global_step(graph=None):
    """`tf.train.get_global_step(graph=None)`: the global step of `graph` (the default graph): the single
    member of the GLOBAL_STEP collection, else the tensor named 'global_step:0', else None."""
    graph = graph or get_default_graph()
    tensors = graph.get_collection(GraphKeys.GLOBAL_STEP)
    if len(tensors) == 1:
        tensor = tensors[0]
    elif not tensors:
        try:
            tensor = graph.get_tensor_by_name("global_step:0")
        except KeyError:
            return None
    else:
        import logging
        logging.getLogger("numflow").error("Multiple tensors in global_step collection.")
        return None
    assert_global_step(tensor)
    return tensor


def create_global_step(graph=None):
    """`tf.train.create_global_step(graph=None)`: a new int64 scalar variable 'global_step' (zero,
    non-trainable, in the GLOBAL_VARIABLES and GLOBAL_STEP collections); ValueError if one exists."""
    from .. import variable_scope
    from ..variables import Variable
    graph = graph or get_default_graph()
    if get_global_step(graph) is not None:
        raise ValueError('"global_step" already exists.')
    collections = [GraphKeys.GLOBAL_VARIABLES, GraphKeys.GLOBAL_STEP]
    with graph.as_default(), graph.name_scope(""), control_dependencies(None):
        get_variable = getattr(variable_scope, "get_variable", None)
        if get_variable is not None:
            from ..init_ops import zeros_initializer
            return get_variable(GraphKeys.GLOBAL_STEP, shape=[], dtype=dtypes.int64,
                                initializer=zeros_initializer(), trainable=False, collections=collections)
        return Variable(np.int64(0), trainable=False, name=GraphKeys.GLOBAL_STEP, dtype=dtypes.int64,
                        collections=collections)


def get_or_create_global_step(graph=None):
    """`tf.train.get_or_create_global_step(graph=None)`: the global step of `graph`, created if missing."""
    graph = graph or get_default_graph()
    step = get_global_step(graph)
    if step is None:
        step = create_global_step(graph)
    return step


def assert_global_step(global_step_tensor):
    """`tf.train.assert_global_step`: TypeError unless it is an integer scalar Variable or Tensor."""
    from ..variables import Variable
    if not isinstance(global_step_tensor, (Variable, Tensor)):
        raise TypeError('Existing "global_step" must be a Variable or Tensor: %s.' % (global_step_tensor,))
    if not global_step_tensor.dtype.base_dtype.is_integer:
        raise TypeError('Existing "global_step" does not have integer type: %s' % global_step_tensor.dtype)
    shape = global_step_tensor.get_shape()
    if shape.ndims != 0 and shape.is_fully_defined():
        raise TypeError('Existing "global_step" is not scalar: %s' % shape)
