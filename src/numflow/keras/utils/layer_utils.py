"""Layer helpers of `tf.keras.utils`: parameter counts and the source inputs of a Keras tensor."""
import numpy as np

__all__ = ["count_params", "get_source_inputs"]


def count_params(weights):
    """The number of scalars in a list of variables, each counted once."""
    seen, total = set(), 0
    for weight in weights:
        if id(weight) in seen:
            continue
        seen.add(id(weight))
        total += int(np.prod(weight.shape.as_list(), dtype=np.int64))
    return total


def get_source_inputs(tensor, layer=None, node_index=None):
    """The input tensors (Input layers' placeholders) that `tensor` was computed from, following the
    Keras history of the layers that made it."""
    if not hasattr(tensor, "_keras_history"):
        return [tensor]
    if layer is None or node_index is None:
        layer, node_index, _ = tensor._keras_history
    if not layer._inbound_nodes:
        return [tensor]
    node = layer._inbound_nodes[node_index]
    if not node.inbound_layers:
        # An input layer's node: the tensor it made is the source.
        outputs = node.output_tensors
        return list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    sources = []
    for inbound_layer, inbound_index, _, inbound_tensor in node.iterate_inbound():
        for x in get_source_inputs(inbound_tensor, inbound_layer, inbound_index):
            if all(x is not s for s in sources):
                sources.append(x)
    return sources
