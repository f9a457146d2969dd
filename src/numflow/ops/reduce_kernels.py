"""Sums and maxima shaped like a model's bias gradients and per-example losses, without NumPy's generic
reduction loop where that loop is slow.

`np.add.reduce` over a narrow axis (a 2-class loss: axis of width 2) or over the rows of a narrow matrix
(a bias gradient: (10000, 2) -> (2,)) runs its inner loop once per row, ~100 us for 10000 rows. Instead:
  - along a last axis narrower than 8: one elementwise add (or maximum) per column; NumPy's sum of fewer
    than 8 elements is this same left-to-right sum, so the bits do not change;
  - over the leading axes, for up to `_MATMUL_MAX_COLUMNS` columns: a vector of ones times the matrix
    (BLAS), equal to the loop's sum up to float rounding (BLAS adds in another order).
Everything else, and every non-float dtype, goes to `np.add.reduce` as before.

The column-wise routes cost one ufunc call per column, ~0.4 us each, so they pay only with enough rows:
measured at 1 thread, a sum over the last axis wins from about 20 rows per column (width 2: 16 rows,
width 7: 128), the softmax cross-entropy below from about 40 (width 2: 64 rows, width 6: 256). Below that
NumPy's loop is the faster one (a 32x6 softmax: 8 us generic, 20 us column-wise).
"""
import numpy as np

_NARROW = 8
SUM_ROWS_PER_COLUMN = 20
SOFTMAX_ROWS_PER_COLUMN = 40
_MATMUL_MIN_ROWS = 64
_MATMUL_MAX_COLUMNS = 512
_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
_ones_cache = {}


def _ones(rows, dtype):
    cached = _ones_cache.get(dtype)
    if cached is None or cached.shape[0] < rows:
        cached = _ones_cache[dtype] = np.ones(max(rows, 1024), dtype)
    return cached[:rows]


def _columnwise(ufunc, x, keepdims):
    width = x.shape[-1]
    total = ufunc(x[..., 0], x[..., 1])
    for column in range(2, width):
        ufunc(total, x[..., column], out=total)
    return total[..., None] if keepdims else total


def narrow_last(x, rows_per_column=SUM_ROWS_PER_COLUMN):
    """Whether x is a float array of rank >= 2 whose last axis is narrow enough, and whose rows are
    many enough (at least `rows_per_column` per column), for column-wise work to pay."""
    if type(x) is not np.ndarray or x.ndim < 2 or x.dtype not in _FLOATS:
        return False
    width = x.shape[-1]
    return 1 < width < _NARROW and x.size >= rows_per_column * width * width


def sum_last(x, keepdims=False):
    """x summed over its last axis."""
    if narrow_last(x):
        return _columnwise(np.add, x, keepdims)
    return np.add.reduce(x, axis=-1, keepdims=keepdims)


def max_last(x, keepdims=False):
    """The maximum over x's last axis (NaN propagates, as np.maximum.reduce)."""
    if narrow_last(x):
        return _columnwise(np.maximum, x, keepdims)
    return np.maximum.reduce(x, axis=-1, keepdims=keepdims)


def sum_leading(x, lead):
    """x summed over its first `lead` axes: shape x.shape[lead:]."""
    shape = np.shape(x)
    if type(x) is np.ndarray and x.dtype in _FLOATS and x.flags.c_contiguous and 0 < lead <= len(shape):
        rows = 1
        for d in shape[:lead]:
            rows *= d
        columns = x.size // rows if rows else 0
        if rows >= _MATMUL_MIN_ROWS and 0 < columns <= _MATMUL_MAX_COLUMNS:
            return np.dot(_ones(rows, x.dtype), x.reshape(rows, columns)).reshape(shape[lead:])
    return np.add.reduce(x, axis=tuple(range(lead)))


def add_reduce(x, axes, dtype=None, keepdims=False):
    """A drop-in for `np.add.reduce(x, axes, dtype, None, keepdims)` (axes a sorted tuple, or None for
    all) that takes the faster routes above when they apply."""
    if type(x) is np.ndarray and x.dtype in _FLOATS and (dtype is None or dtype == x.dtype) and axes:
        ndim = x.ndim
        if axes == (ndim - 1,):
            if narrow_last(x):
                return _columnwise(np.add, x, keepdims)
            return np.add.reduce(x, axes, dtype, None, keepdims)
        if axes == tuple(range(len(axes))) and len(axes) < ndim:
            total = sum_leading(x, len(axes))
            return total.reshape((1,) * len(axes) + total.shape) if keepdims else total
    return np.add.reduce(x, axes, dtype, None, keepdims)


def narrow_softmax_xent(logits, labels):
    """(loss, backprop) of softmax cross-entropy over a narrow last axis, one class column at a time.

    Broadcasting a per-row value against a (rows, 2) array runs NumPy's inner loop two elements at a
    time (~18 us per op for 10000 rows); on columns each op runs once over all rows. The arithmetic is
    the generic kernel's, element by element: the same bits."""
    classes = logits.shape[-1]
    rows_shape = logits.shape[:-1]
    x = logits.reshape(-1, classes)
    y = labels.reshape(-1, classes)
    peak = _columnwise(np.maximum, x, False)
    backprop = np.empty(x.shape, x.dtype)
    shifted = [np.subtract(x[:, k], peak) for k in range(classes)]
    exps = [np.exp(s) for s in shifted]     # on contiguous columns: NumPy's exp is scalar code on strided
    total = np.add(exps[0], exps[1])
    for column in exps[2:]:
        total += column
    log_total = np.log(total)
    loss = None
    for k, s in enumerate(shifted):
        s -= log_total
        s *= y[:, k]
        loss = s if loss is None else np.add(loss, s, out=loss)
    np.negative(loss, out=loss)
    for k, column in enumerate(exps):
        column /= total
        np.subtract(column, y[:, k], out=backprop[:, k])
    return loss.reshape(rows_shape), backprop.reshape(logits.shape)
