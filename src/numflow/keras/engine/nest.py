"""Keras' nests: lists, tuples and dicts (entries in sorted key order) of tensors or shapes."""


def is_sequence(value):
    return isinstance(value, (list, tuple, dict))


def flatten(structure):
    """The leaves of `structure`, depth first, dict entries sorted by key."""
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure) for leaf in flatten(structure[key])]
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in flatten(item)]
    return [structure]


def pack_sequence_as(structure, flat):
    """`structure` with its leaves replaced, in order, by the items of `flat`."""
    items = iter(flat)

    def build(node):
        if isinstance(node, dict):
            built = {key: build(node[key]) for key in sorted(node)}
            return {key: built[key] for key in node}
        if isinstance(node, (list, tuple)):
            parts = [build(x) for x in node]
            if hasattr(node, "_fields"):
                return type(node)(*parts)
            return type(node)(parts)
        return next(items)
    return build(structure)


def map_structure(fn, structure):
    return pack_sequence_as(structure, [fn(leaf) for leaf in flatten(structure)])


def unwrap_single(values):
    """A one-item list as its item (Keras returns a lone tensor, not a list of one)."""
    return values[0] if isinstance(values, (list, tuple)) and len(values) == 1 else values


def to_list(value):
    """`value` as a list: lists and tuples converted, anything else wrapped."""
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]
