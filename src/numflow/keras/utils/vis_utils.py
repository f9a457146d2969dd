"""`tf.keras.utils.plot_model` / `model_to_dot`: the layer graph of a model as a Graphviz drawing
(needs the pydot package and the Graphviz programs)."""
import os

__all__ = ["model_to_dot", "plot_model"]


def _pydot():
    try:
        import pydot
    except ImportError:
        raise ImportError("Failed to import pydot. plot_model and model_to_dot need pydot and Graphviz: "
                          "pip install pydot, and install Graphviz (e.g. apt-get install graphviz).") from None
    return pydot


def _shape_text(shapes):
    if isinstance(shapes, list):
        return ", ".join(_shape_text(s) for s in shapes)
    return str(tuple(shapes.as_list()) if hasattr(shapes, "as_list") and shapes.dims is not None else shapes)


def model_to_dot(model, show_shapes=False, show_layer_names=True, rankdir="TB", expand_nested=False, dpi=96,
                 subgraph=False):
    """A `pydot.Dot` graph with one node per layer ('name: ClassName', plus input/output shapes with
    `show_shapes`) and an edge per connection between layers."""
    pydot = _pydot()
    dot = pydot.Dot()
    dot.set("rankdir", rankdir)
    dot.set("concentrate", True)
    dot.set("dpi", dpi)
    dot.set_node_defaults(shape="record")
    layers = list(model.layers)
    for layer in layers:
        class_name = type(layer).__name__
        label = "%s: %s" % (layer.name, class_name) if show_layer_names else class_name
        if show_shapes:
            node = layer._inbound_nodes[0] if layer._inbound_nodes else None
            inputs = _shape_text(node.input_shapes) if node is not None else "multiple"
            outputs = _shape_text(node.output_shapes) if node is not None else "multiple"
            label = "%s\n|{input:|output:}|{{%s}|{%s}}" % (label, inputs, outputs)
        dot.add_node(pydot.Node(str(id(layer)), label=label))
    known = {id(layer) for layer in layers}
    for layer in layers:
        for node in layer._inbound_nodes:
            for inbound in node.inbound_layers:
                if id(inbound) in known:
                    dot.add_edge(pydot.Edge(str(id(inbound)), str(id(layer))))
    return dot


def plot_model(model, to_file="model.png", show_shapes=False, show_layer_names=True, rankdir="TB",
               expand_nested=False, dpi=96):
    """Writes the model's layer graph to `to_file` (format from its extension, png by default)."""
    dot = model_to_dot(model, show_shapes=show_shapes, show_layer_names=show_layer_names, rankdir=rankdir,
                       expand_nested=expand_nested, dpi=dpi)
    _, extension = os.path.splitext(to_file)
    extension = extension[1:] if extension else "png"
    dot.write(to_file, format=extension)
    return dot
