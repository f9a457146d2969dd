"""Keras' nests: lists, tuples and dicts (entries in sorted key order) of tensors or shapes."""
from ...framework.nest import flatten, pack_sequence_as  # noqa: F401 - numflow's one nest walker


def is_sequence(value):
    return isinstance(value, (list, tuple, dict))


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
