"""Clipping by norm: `tf.clip_by_norm`, `tf.clip_by_global_norm`, `tf.clip_by_average_norm`,
`tf.global_norm`.

All are compositions of existing ops (square, reduce_sum, sqrt, maximum, ...), so their gradients come
from those ops' gradients, as in TF. Like TF's, they accept tf.IndexedSlices (the gradients of gathers):
the norms are taken over the stored slices and clipped IndexedSlices are returned.
"""
import collections.abc

from ..framework.graph import Tensor, convert_to_tensor, name_scope
from ..framework.indexed_slices import IndexedSlices
from . import array as _array
from . import math as _math
from .control import identity

__all__ = ["clip_by_norm", "clip_by_global_norm", "clip_by_average_norm", "global_norm"]


def clip_by_norm(t, clip_norm, axes=None, name=None):
    """`tf.clip_by_norm(t, clip_norm, axes=None)`: t * clip_norm / max(l2norm(t), clip_norm), the L2 norm
    taken over `axes` (all axes by default, keeping dims so that it broadcasts back over t). A zero
    norm leaves t unchanged and has a finite gradient. An IndexedSlices gives an IndexedSlices, its
    values clipped by their own norm."""
    with name_scope(name, "clip_by_norm", [_values_of(t), clip_norm]) as scope:
        sparse = t if isinstance(t, IndexedSlices) else None
        t = convert_to_tensor(_values_of(t), name="t")
        clip_norm = _as_dtype_of(clip_norm, t, "clip_norm")
        l2sum = _math.reduce_sum(t * t, axes, keepdims=True)
        positive = _math.greater(l2sum, 0.0)
        # sqrt only of positive sums: the gradient stays finite where the norm is zero.
        safe = _math.where(positive, l2sum, _array.ones_like(l2sum))
        l2norm = _math.where(positive, _math.sqrt(safe), l2sum)
        clipped = t * clip_norm / _math.maximum(l2norm, clip_norm)
        return _like(sparse, identity(clipped, name=scope))


def _values_of(t):
    """The tensor whose elements count for a norm: an IndexedSlices' stored values, else t itself."""
    return t.values if isinstance(t, IndexedSlices) else t


def _like(sparse, values):
    """`values` as the values of the IndexedSlices `sparse` (same indices and dense_shape), or as they
    are when `sparse` is None."""
    return values if sparse is None else IndexedSlices(values, sparse.indices, sparse.dense_shape)


def _as_dtype_of(value, like, name):
    if isinstance(value, Tensor) or hasattr(value, "_as_graph_element"):
        value = convert_to_tensor(value, name=name)
        if value.dtype is not like.dtype:
            value = _math.cast(value, like.dtype)
        return value
    return convert_to_tensor(value, dtype=like.dtype, name=name)


def _check_list(t_list):
    if isinstance(t_list, (str, bytes)) or not isinstance(t_list, collections.abc.Sequence):
        raise TypeError("t_list should be a sequence")
    return list(t_list)


def global_norm(t_list, name=None):
    """`tf.global_norm(t_list)`: sqrt(sum of the squared L2 norms of the tensors, of the values of
    IndexedSlices); None entries are ignored."""
    t_list = _check_list(t_list)
    present = [convert_to_tensor(_values_of(t)) for t in t_list if t is not None]
    with name_scope(name, "global_norm", present) as scope:
        if not present:
            raise ValueError("global_norm needs at least one tensor that is not None")
        squared = [_math.reduce_sum(t * t) for t in present]
        dtype = squared[0].dtype
        squared = [s if s.dtype is dtype else _math.cast(s, dtype) for s in squared]
        total = _math.add_n(squared) if len(squared) > 1 else squared[0]
        return _math.sqrt(total, name=scope)


def clip_by_global_norm(t_list, clip_norm, use_norm=None, name=None):
    """`tf.clip_by_global_norm(t_list, clip_norm, use_norm=None)` -> (list_clipped, global_norm).

    Each tensor becomes t * clip_norm / max(global_norm, clip_norm) (an IndexedSlices has its values
    scaled); None entries stay None. When the global norm is infinite or NaN every clipped tensor is
    NaN, as in TF."""
    t_list = _check_list(t_list)
    with name_scope(name, "clip_by_global_norm", [_values_of(t) for t in t_list if t is not None]) as scope:
        if use_norm is None:
            use_norm = global_norm(t_list, "global_norm")
        else:
            use_norm = convert_to_tensor(use_norm, name="use_norm")
        clip_norm = _as_dtype_of(clip_norm, use_norm, "clip_norm")
        finite_scale = clip_norm * _math.minimum(1.0 / use_norm, 1.0 / clip_norm)
        scale = finite_scale + (use_norm - use_norm)   # NaN when use_norm is inf or NaN
        clipped = []
        for index, t in enumerate(t_list):
            if t is None:
                clipped.append(None)
                continue
            sparse = t if isinstance(t, IndexedSlices) else None
            t = convert_to_tensor(_values_of(t))
            s = scale if scale.dtype is t.dtype else _math.cast(scale, t.dtype)
            clipped.append(_like(sparse, identity(t * s, name="%s_%d" % (scope.rstrip("/").split("/")[-1], index))))
        return clipped, use_norm


def clip_by_average_norm(t, clip_norm, name=None):
    """`tf.clip_by_average_norm(t, clip_norm)`: t * clip_norm / max(l2norm(t) / size(t), clip_norm)."""
    with name_scope(name, "clip_by_average_norm", [t, clip_norm]) as scope:
        t = convert_to_tensor(t, name="t")
        clip_norm = _as_dtype_of(clip_norm, t, "clip_norm")
        count = _math.cast(_array.size(t), t.dtype)
        inverse_norm = _math.rsqrt(_math.reduce_sum(t * t))
        clipped = t * clip_norm * _math.minimum(inverse_norm * count, 1.0 / clip_norm)
        return identity(clipped, name=scope)
