"""`tf.sets`: set operations on the last dimension of dense tensors and SparseTensors."""
from .ops.set_ops import set_difference, set_intersection, set_size, set_union

difference, intersection, size, union = set_difference, set_intersection, set_size, set_union

__all__ = ["difference", "intersection", "set_difference", "set_intersection", "set_size", "set_union",
           "size", "union"]
