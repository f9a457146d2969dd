"""Nests of values: lists, tuples (namedtuples included) and dicts of leaves, as `tf.nest` walks them.

Dict entries go in sorted key order, as in TF. One implementation for every part of numflow that takes a
structure of tensors (GradientTape sources, queue-based batching, Keras inputs and outputs).
"""


def flatten(structure):
    """The leaves of `structure`, depth first, dict entries sorted by key."""
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure) for leaf in flatten(structure[key])]
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in flatten(item)]
    return [structure]


def pack_sequence_as(structure, flat):
    """`structure` with its leaves replaced, in order, by the items of `flat` (the same container
    types: namedtuples rebuilt field by field, dicts keeping their own key order)."""
    items = iter(flat)

    def build(node):
        if isinstance(node, dict):
            built = {key: build(node[key]) for key in sorted(node)}
            return type(node)((key, built[key]) for key in node)
        if isinstance(node, (list, tuple)):
            parts = [build(item) for item in node]
            if isinstance(node, tuple) and hasattr(node, "_fields"):
                return type(node)(*parts)
            return type(node)(parts)
        return next(items)
    return build(structure)
