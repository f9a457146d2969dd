"""The math wrappers of `tf.keras.backend` (`K.sum`, `K.dot`, `K.conv2d`, ...) as TF 1.15's Keras
defines them on graph ops. `keras/backend.py` re-exports every name in `__all__`.

Keras conventions kept here: axis arguments may be negative; `keepdims` rather than `keep_dims`;
boolean inputs to `mean`/`std`/`var` are cast to the default float type; `sqrt` clips negatives to 0;
`clip` treats None bounds as -inf/+inf; image and convolution functions take `data_format`
('channels_last' / 'channels_first', default `image_data_format()`); `zeros`/`ones`/`eye`/`*_variable`
return variables, `zeros_like`/`ones_like` tensors.
"""
import builtins

import numpy as np

import numflow as tf

from ..framework import dtypes

__all__ = ["sum", "mean", "max", "min", "prod", "std", "var", "all", "any", "argmax", "argmin", "square", "abs",
           "sqrt", "exp", "log", "logsumexp", "round", "sign", "pow", "clip", "maximum", "minimum", "equal",
           "not_equal", "greater", "greater_equal", "less", "less_equal", "sin", "cos", "cumsum", "cumprod",
           "dot", "batch_dot", "transpose", "gather", "cast", "reshape", "permute_dimensions",
           "concatenate", "stack", "expand_dims", "squeeze", "tile",
           "repeat", "repeat_elements", "arange", "flatten", "batch_flatten", "reverse", "one_hot",
           "shape", "zeros", "ones", "eye", "zeros_like", "ones_like", "identity", "random_normal",
           "random_uniform", "random_binomial", "truncated_normal", "random_normal_variable",
           "random_uniform_variable", "count_params", "get_variable_shape", "update", "update_add",
           "update_sub", "moving_average_update", "switch", "stop_gradient", "gradients", "map_fn",
           "foldl", "foldr", "print_tensor", "softmax", "relu", "elu", "sigmoid", "hard_sigmoid", "tanh",
           "softplus", "softsign", "categorical_crossentropy", "sparse_categorical_crossentropy",
           "binary_crossentropy", "l2_normalize", "in_top_k", "dropout", "bias_add", "conv1d", "conv2d",
           "conv3d", "conv2d_transpose", "separable_conv2d", "depthwise_conv2d", "pool2d", "pool3d",
           "resize_images", "spatial_2d_padding", "spatial_3d_padding", "temporal_padding",
           "normalize_batch_in_training", "batch_normalization", "is_sparse", "to_dense", "separable_conv1d",
           "local_conv1d", "local_conv2d", "resize_volumes", "ctc_label_dense_to_sparse", "ctc_batch_cost",
           "ctc_decode",
           "is_tensor", "is_placeholder"]


# --- helpers ------------------------------------------------------------------------------------
def _floatx():
    from . import backend
    return backend.floatx()


def _epsilon():
    from . import backend
    return backend.epsilon()


def _data_format(data_format):
    from . import backend
    data_format = data_format or backend.image_data_format()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError("Unknown data_format: " + str(data_format))
    return data_format


def _tensor(x):
    return tf.convert_to_tensor(x)


def _float_if_bool(x):
    x = _tensor(x)
    return tf.cast(x, _floatx()) if x.dtype.base_dtype == dtypes.bool else x


def _ndim(x):
    return _tensor(x).shape.ndims


def _to_channels_last(x, spatial_rank):
    """NC... -> N...C (a transpose), for functions whose graph op only takes channels-last."""
    return tf.transpose(x, [0] + list(range(2, spatial_rank + 2)) + [1])


def _to_channels_first(x, spatial_rank):
    return tf.transpose(x, [0, spatial_rank + 1] + list(range(1, spatial_rank + 1)))


def _padding(padding):
    if padding not in ("same", "valid", "causal"):
        raise ValueError("Unknown padding: " + str(padding))
    return padding.upper()


# --- reductions ---------------------------------------------------------------------------------
def sum(x, axis=None, keepdims=False):  # noqa: A001 - Keras' name
    """Sum of the values of `x` along `axis` (all axes when None)."""
    return tf.reduce_sum(x, axis=axis, keepdims=keepdims)


def mean(x, axis=None, keepdims=False):
    """Mean along `axis`; booleans count as 0.0 / 1.0."""
    return tf.reduce_mean(_float_if_bool(x), axis=axis, keepdims=keepdims)


def max(x, axis=None, keepdims=False):  # noqa: A001 - Keras' name
    """Maximum along `axis`."""
    return tf.reduce_max(x, axis=axis, keepdims=keepdims)


def min(x, axis=None, keepdims=False):  # noqa: A001 - Keras' name
    """Minimum along `axis`."""
    return tf.reduce_min(x, axis=axis, keepdims=keepdims)


def prod(x, axis=None, keepdims=False):
    """Product along `axis`."""
    return tf.reduce_prod(x, axis=axis, keepdims=keepdims)


def var(x, axis=None, keepdims=False):
    """Population variance along `axis`."""
    return tf.math.reduce_variance(_float_if_bool(x), axis=axis, keepdims=keepdims)


def std(x, axis=None, keepdims=False):
    """Population standard deviation along `axis`."""
    return tf.math.reduce_std(_float_if_bool(x), axis=axis, keepdims=keepdims)


def all(x, axis=None, keepdims=False):  # noqa: A001 - Keras' name
    """Logical AND along `axis` (`x` cast to bool)."""
    return tf.reduce_all(tf.cast(x, dtypes.bool), axis=axis, keepdims=keepdims)


def any(x, axis=None, keepdims=False):  # noqa: A001 - Keras' name
    """Logical OR along `axis` (`x` cast to bool)."""
    return tf.reduce_any(tf.cast(x, dtypes.bool), axis=axis, keepdims=keepdims)


def argmax(x, axis=-1):
    """Index of the maximum along `axis` (int64)."""
    return tf.argmax(x, axis)


def argmin(x, axis=-1):
    """Index of the minimum along `axis` (int64)."""
    return tf.argmin(x, axis)


def logsumexp(x, axis=None, keepdims=False):
    """log(sum(exp(x))) along `axis`, computed stably."""
    return tf.reduce_logsumexp(x, axis=axis, keepdims=keepdims)


def cumsum(x, axis=0):
    """Cumulative sum along `axis`."""
    return tf.cumsum(x, axis=axis)


def cumprod(x, axis=0):
    """Cumulative product along `axis`."""
    return tf.cumprod(x, axis=axis)


# --- elementwise --------------------------------------------------------------------------------
def square(x):
    """x * x elementwise."""
    return tf.square(x)


def abs(x):  # noqa: A001 - Keras' name
    """|x| elementwise."""
    return tf.abs(x)


def sqrt(x):
    """Square root, negatives clipped to 0 first (Keras never returns NaN here)."""
    x = _tensor(x)
    return tf.sqrt(tf.clip_by_value(x, tf.constant(0., dtype=x.dtype), tf.constant(np.inf, dtype=x.dtype)))


def exp(x):
    """e ** x elementwise."""
    return tf.exp(x)


def log(x):
    """Natural logarithm elementwise."""
    return tf.log(x)


def round(x):  # noqa: A001 - Keras' name
    """Rounds half to even, as TF's `round`."""
    return tf.round(x)


def sign(x):
    """-1, 0 or 1 by the sign of each element."""
    return tf.sign(x)


def pow(x, a):  # noqa: A001 - Keras' name
    """x ** a elementwise."""
    return tf.pow(x, a)


def sin(x):
    """Sine elementwise."""
    return tf.sin(x)


def cos(x):
    """Cosine elementwise."""
    return tf.cos(x)


def clip(x, min_value, max_value):
    """Values clipped to [min_value, max_value]; None is an open bound; a max below the min is raised
    to the min."""
    if isinstance(min_value, (int, float)) and isinstance(max_value, (int, float)) and max_value < min_value:
        max_value = min_value
    if min_value is None:
        min_value = -np.inf
    if max_value is None:
        max_value = np.inf
    x = _tensor(x)
    return tf.clip_by_value(x, tf.cast(min_value, x.dtype), tf.cast(max_value, x.dtype))


def maximum(x, y):
    """Elementwise maximum of x and y (broadcasting)."""
    return tf.maximum(x, y)


def minimum(x, y):
    """Elementwise minimum of x and y (broadcasting)."""
    return tf.minimum(x, y)


def equal(x, y):
    """x == y elementwise (bool)."""
    return tf.equal(x, y)


def not_equal(x, y):
    """x != y elementwise (bool)."""
    return tf.not_equal(x, y)


def greater(x, y):
    """x > y elementwise (bool)."""
    return tf.greater(x, y)


def greater_equal(x, y):
    """x >= y elementwise (bool)."""
    return tf.greater_equal(x, y)


def less(x, y):
    """x < y elementwise (bool)."""
    return tf.less(x, y)


def less_equal(x, y):
    """x <= y elementwise (bool)."""
    return tf.less_equal(x, y)


def cast(x, dtype):
    """`x` converted to `dtype` (a string such as 'float32' or a DType)."""
    return tf.cast(x, dtype)


# --- products -----------------------------------------------------------------------------------
def dot(x, y):
    """Keras' dot: a matrix product for 2-D operands; for N-D ones, the last axis of `x` contracted
    with the second-to-last axis of `y` (its last axis when `y` is 1-D or 2-D), the result shaped
    x.shape[:-1] + y.shape[:-2] + y.shape[-1:]."""
    x, y = _tensor(x), _tensor(y)
    x_rank, y_rank = x.shape.ndims, y.shape.ndims
    if x_rank is not None and y_rank is not None and (x_rank > 2 or y_rank > 2):
        x_dims = [d if d is not None else s for d, s in zip(x.shape.as_list(), tf.unstack(tf.shape(x)))]
        y_dims = [d if d is not None else s for d, s in zip(y.shape.as_list(), tf.unstack(tf.shape(y)))]
        # Move y's contracted axis (second to last) first, then flatten both to matrices.
        permutation = [y_rank - 2] + list(range(y_rank - 2)) + [y_rank - 1]
        y_matrix = tf.reshape(tf.transpose(y, permutation), [y_dims[-2], -1])
        x_matrix = tf.reshape(x, [-1, x_dims[-1]])
        out_dims = x_dims[:-1] + y_dims[:-2] + y_dims[-1:]
        return tf.reshape(tf.matmul(x_matrix, y_matrix), tf.stack(out_dims) if builtins.any(
            not isinstance(d, int) for d in out_dims) else out_dims)
    return tf.matmul(x, y)


def batch_dot(x, y, axes=None):
    """Keras' batch_dot: for each sample of the batch (axis 0), the dot product of x[i] and y[i] over
    `axes` (an int for both, a pair, or None: x's last axis with y's second-to-last, as batch matmul).
    The lower-rank operand is padded with unit axes that the result drops again; a 1-D result gets a
    trailing unit axis, so the output has rank >= 2."""
    x, y = _tensor(x), _tensor(y)
    if isinstance(axes, int):
        axes = (axes, axes)
    x_rank, y_rank = x.shape.ndims, y.shape.ndims
    if axes is None:
        axes = [x_rank - 1, y_rank - 2]
    axes = [a % r if a < 0 else a for a, r in zip(axes, (x_rank, y_rank))]
    difference = builtins.abs(x_rank - y_rank)
    if x_rank > y_rank:
        y = tf.reshape(y, tf.concat([tf.shape(y), [1] * difference], axis=0))
    elif y_rank > x_rank:
        x = tf.reshape(x, tf.concat([tf.shape(x), [1] * difference], axis=0))
    rank = x.shape.ndims
    if rank == 2:
        if axes[0] == axes[1]:
            out = tf.reduce_sum(x * y, axes[0])
        else:
            out = tf.reduce_sum(tf.transpose(x, [1, 0]) * y, axes[1])
    else:
        out = tf.matmul(x, y, adjoint_a=axes[0] != rank - 1, adjoint_b=axes[1] == rank - 1)
    if difference:
        start = x_rank + y_rank - 3 if x_rank > y_rank else x_rank - 1
        out = tf.squeeze(out, list(range(start, start + difference)))
    if out.shape.ndims == 1:
        out = tf.expand_dims(out, 1)
    return out


# --- shapes -------------------------------------------------------------------------------------
def transpose(x):
    """Reverses the axes of `x`."""
    return tf.transpose(x)


def permute_dimensions(x, pattern):
    """Permutes the axes of `x` to `pattern`."""
    return tf.transpose(x, perm=list(pattern))


def reshape(x, shape):
    """`x` with the new `shape` (one entry may be -1)."""
    return tf.reshape(x, shape)


def gather(reference, indices):
    """Rows of `reference` at `indices`."""
    return tf.gather(reference, indices)


def concatenate(tensors, axis=-1):
    """Joins tensors along `axis` (negative counts from the end)."""
    if axis < 0:
        rank = _ndim(tensors[0])
        axis = axis % rank if rank else 0
    return tf.concat([_tensor(t) for t in tensors], axis)


def stack(x, axis=0):
    """Stacks a list of tensors of one shape along a new `axis`."""
    return tf.stack(x, axis=axis)


def expand_dims(x, axis=-1):
    """`x` with a new axis of size 1 at `axis`."""
    return tf.expand_dims(x, axis)


def squeeze(x, axis):
    """`x` without the size-1 axis `axis`."""
    return tf.squeeze(x, [axis])


def tile(x, n):
    """`x` repeated `n` times along each axis (an int repeats the first axis)."""
    if isinstance(n, int):
        n = [n]
    return tf.tile(x, n)


def repeat(x, n):
    """For a 2-D (samples, dim) `x`: (samples, n, dim), each row repeated n times."""
    x = _tensor(x)
    if x.shape.ndims != 2:
        raise ValueError("repeat expects a 2-D tensor (samples, dim), got shape %s" % (x.shape,))
    return tf.tile(tf.expand_dims(x, 1), [1, n, 1])


def repeat_elements(x, rep, axis):
    """Each slice of `x` along `axis` repeated `rep` times in place (as np.repeat)."""
    x = _tensor(x)
    rank = x.shape.ndims
    axis = axis % rank
    expanded = tf.expand_dims(x, axis + 1)
    multiples = [1] * (rank + 1)
    multiples[axis + 1] = rep
    tiled = tf.tile(expanded, multiples)
    dims = x.shape.as_list()
    target = [d if d is not None else s for d, s in zip(dims, tf.unstack(tf.shape(x)))]
    target[axis] = target[axis] * rep
    if builtins.all(isinstance(d, int) for d in target):
        return tf.reshape(tiled, target)
    return tf.reshape(tiled, tf.stack(target))


def arange(start, stop=None, step=1, dtype="int32"):
    """A 1-D tensor of start, start + step, ...; `arange(n)` counts from 0."""
    if stop is None and start is not None and not hasattr(start, "dtype") and start < 0:
        start = 0
    result = tf.range(start, limit=stop, delta=step, name="arange")
    return tf.cast(result, dtype) if dtype != "int32" else result


def flatten(x):
    """`x` as a 1-D tensor."""
    return tf.reshape(x, [-1])


def batch_flatten(x):
    """`x` as (batch, everything else)."""
    x = _tensor(x)
    dims = x.shape.as_list()[1:] if x.shape.ndims is not None else None
    if dims is not None and builtins.all(d is not None for d in dims):
        return tf.reshape(x, [-1, int(np.prod(dims, dtype=np.int64))])
    return tf.reshape(x, tf.stack([-1, tf.reduce_prod(tf.shape(x)[1:])]))


def reverse(x, axes):
    """`x` reversed along `axes` (an int or a list)."""
    if isinstance(axes, int):
        axes = [axes]
    return tf.reverse(x, axes)


def one_hot(indices, num_classes):
    """One-hot encoding of integer `indices`: shape + (num_classes,), float32 values."""
    return tf.one_hot(indices, depth=num_classes, axis=-1)


def shape(x):
    """The dynamic shape of `x` as an int32 tensor."""
    return tf.shape(x)


def is_sparse(tensor):
    """Whether `tensor` is a SparseTensor."""
    return isinstance(tensor, tf.SparseTensor)


def to_dense(tensor):
    """A SparseTensor as a dense tensor (dense tensors unchanged)."""
    return tf.sparse.to_dense(tensor) if is_sparse(tensor) else tensor


def is_tensor(x):
    """Whether `x` is a graph tensor (or tensor-like)."""
    return tf.is_tensor(x)


def is_placeholder(x):
    """Whether `x` is a placeholder's output."""
    return getattr(getattr(x, "op", None), "type", None) in ("Placeholder", "PlaceholderWithDefault")


# --- variables and constants --------------------------------------------------------------------
def _variable(value, dtype, name):
    from . import backend
    return backend.variable(value, dtype=dtype, name=name)


def zeros(shape, dtype=None, name=None):
    """A variable of zeros."""
    return _variable(np.zeros(shape), dtype or _floatx(), name)


def ones(shape, dtype=None, name=None):
    """A variable of ones."""
    return _variable(np.ones(shape), dtype or _floatx(), name)


def eye(size, dtype=None, name=None):
    """A variable holding the identity matrix (`size` an int or (rows, cols))."""
    rows, cols = (size, size) if isinstance(size, int) else tuple(size)
    return _variable(np.eye(rows, cols), dtype or _floatx(), name)


def zeros_like(x, dtype=None, name=None):
    """A tensor of zeros with the shape (and dtype, unless given) of `x`."""
    return tf.zeros_like(x, dtype=dtype, name=name)


def ones_like(x, dtype=None, name=None):
    """A tensor of ones with the shape (and dtype, unless given) of `x`."""
    return tf.ones_like(x, dtype=dtype, name=name)


def identity(x, name=None):
    """A tensor with the value of `x`."""
    return tf.identity(x, name=name)


def _seed(seed):
    return np.random.randint(10e6) if seed is None else seed


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """A tensor of normal samples (seeded like Keras: a random op seed when None)."""
    return tf.random_normal(shape, mean=mean, stddev=stddev, dtype=dtype or _floatx(), seed=_seed(seed))


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """A tensor of uniform samples in [minval, maxval)."""
    return tf.random_uniform(shape, minval=minval, maxval=maxval, dtype=dtype or _floatx(), seed=_seed(seed))


def random_binomial(shape, p=0.0, dtype=None, seed=None):
    """A tensor of 0/1 samples, 1 with probability `p`."""
    dtype = dtype or _floatx()
    draws = tf.random_uniform(shape, dtype=dtype, seed=_seed(seed))
    return tf.where(draws <= p, tf.ones(shape, dtype=dtype), tf.zeros(shape, dtype=dtype))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal samples re-drawn beyond two standard deviations."""
    return tf.truncated_normal(shape, mean, stddev, dtype=dtype or _floatx(), seed=_seed(seed))


def random_normal_variable(shape, mean, scale, dtype=None, name=None, seed=None):
    """A variable initialized with normal samples (mean, standard deviation `scale`)."""
    from . import backend
    rng = np.random.RandomState(_seed(seed))
    return backend.variable(rng.normal(mean, scale, size=shape), dtype=dtype or _floatx(), name=name)


def random_uniform_variable(shape, low, high, dtype=None, name=None, seed=None):
    """A variable initialized with uniform samples in [low, high)."""
    from . import backend
    rng = np.random.RandomState(_seed(seed))
    return backend.variable(rng.uniform(low, high, size=shape), dtype=dtype or _floatx(), name=name)


def count_params(x):
    """The number of scalars in a variable or tensor of static shape."""
    return int(np.prod(_tensor(x).shape.as_list(), dtype=np.int64))


def get_variable_shape(x):
    """The static shape of a variable, as a tuple."""
    from . import backend
    return backend.int_shape(x)


def update(x, new_x):
    """Assigns `new_x` to variable `x`; returns the assign op's tensor."""
    return tf.assign(x, new_x)


def update_add(x, increment):
    """Adds `increment` to variable `x`; returns the assign op's tensor."""
    return tf.assign_add(x, increment)


def update_sub(x, decrement):
    """Subtracts `decrement` from variable `x`; returns the assign op's tensor."""
    return tf.assign_sub(x, decrement)


def moving_average_update(x, value, momentum):
    """The TF 1.15 update x <- momentum * x + (1 - momentum) * value with zero debiasing: a hidden
    'biased' accumulator and step count next to `x` give x = biased / (1 - momentum ** step), so the
    first updates are not pulled towards x's initial value."""
    from ..framework.graph import control_dependencies, name_scope
    x_name = x.op.name
    with control_dependencies(None), name_scope(x_name + "/ZeroDebias"):
        biased = tf.Variable(tf.zeros(x.shape, dtype=x.dtype), trainable=False, name="biased",
                             collections=[tf.GraphKeys.GLOBAL_VARIABLES])
        step = tf.Variable(tf.zeros([], dtype=x.dtype), trainable=False, name="local_step",
                           collections=[tf.GraphKeys.GLOBAL_VARIABLES])
    value = tf.cast(value, x.dtype)
    momentum = tf.cast(momentum, x.dtype)
    new_biased = tf.assign_sub(biased, (biased - value) * (1 - momentum))
    new_step = tf.assign_add(step, 1)
    return tf.assign(x, new_biased / (1 - tf.pow(momentum, new_step)))


# --- control ------------------------------------------------------------------------------------
def switch(condition, then_expression, else_expression):
    """`then_expression` where `condition` holds, else `else_expression`; each may be a callable. A
    scalar condition picks one branch (tf.cond); a tensor condition picks elementwise, broadcasting a
    lower-rank condition over the trailing axes."""
    condition = _tensor(condition)
    if condition.dtype.base_dtype != dtypes.bool:
        condition = tf.cast(condition, dtypes.bool)
    rank = condition.shape.ndims
    if rank == 0:
        then_fn = then_expression if callable(then_expression) else (lambda: then_expression)
        else_fn = else_expression if callable(else_expression) else (lambda: else_expression)
        return tf.cond(condition, then_fn, else_fn)
    if callable(then_expression):
        then_expression = then_expression()
    if callable(else_expression):
        else_expression = else_expression()
    then_expression = _tensor(then_expression)
    else_expression = _tensor(else_expression)
    expression_rank = then_expression.shape.ndims
    if rank > expression_rank:
        raise ValueError("Rank of `condition` should be less than or equal to rank of `then_expression` "
                         "and `else_expression`. ndim(condition)=%d, ndim(then_expression)=%d"
                         % (rank, expression_rank))
    if rank < expression_rank:
        condition = tf.reshape(condition, tf.concat([tf.shape(condition), [1] * (expression_rank - rank)], 0))
        condition = tf.logical_and(condition, tf.ones_like(then_expression, dtype=dtypes.bool))
    return tf.where(condition, then_expression, else_expression)


def stop_gradient(variables):
    """`variables` (a tensor or a list) with their gradient stopped."""
    if isinstance(variables, (list, tuple)):
        return [tf.stop_gradient(v) for v in variables]
    return tf.stop_gradient(variables)


def gradients(loss, variables):
    """d loss / d variables."""
    return tf.gradients(loss, variables, colocate_gradients_with_ops=True)


def map_fn(fn, elems, name=None, dtype=None):
    """`fn` applied to each element of `elems` along axis 0, the results stacked."""
    return tf.map_fn(fn, elems, name=name, dtype=dtype)


def foldl(fn, elems, initializer=None, name=None):
    """Reduces `elems` along axis 0 from the left with `fn(accumulator, element)`."""
    return tf.foldl(fn, elems, initializer=initializer, name=name)


def foldr(fn, elems, initializer=None, name=None):
    """Reduces `elems` along axis 0 from the right with `fn(accumulator, element)`."""
    return tf.foldr(fn, elems, initializer=initializer, name=name)


def print_tensor(x, message=""):
    """`x` unchanged, printing `message` and its value when evaluated."""
    return tf.Print(x, [x], message)


# --- activations --------------------------------------------------------------------------------
def softmax(x, axis=-1):
    """Softmax along `axis`."""
    return tf.nn.softmax(x, axis=axis)


def relu(x, alpha=0., max_value=None, threshold=0):
    """Keras' relu: x above `threshold` (capped at `max_value`), alpha * (x - threshold) below."""
    x = _tensor(x)
    if alpha != 0. and max_value is None and threshold == 0:
        return tf.nn.leaky_relu(x, alpha=alpha)
    negative_part = None
    if alpha != 0.:
        negative_part = tf.nn.relu(-x + threshold) if threshold != 0 else tf.nn.relu(-x)
    clip_max = max_value is not None
    if threshold != 0:
        x = x * tf.cast(tf.greater(x, threshold), x.dtype)
    elif max_value == 6:
        x = tf.nn.relu6(x)
        clip_max = False
    else:
        x = tf.nn.relu(x)
    if clip_max:
        x = tf.clip_by_value(x, tf.constant(0, dtype=x.dtype), tf.cast(max_value, x.dtype))
    if negative_part is not None:
        x -= alpha * negative_part
    return x


def elu(x, alpha=1.):
    """Exponential linear unit with slope `alpha` for negatives."""
    from . import activations
    return activations.elu(x, alpha)


def sigmoid(x):
    """1 / (1 + exp(-x))."""
    return tf.sigmoid(x)


def hard_sigmoid(x):
    """clip(0.2 * x + 0.5, 0, 1)."""
    x = _tensor(x)
    return tf.clip_by_value(x * 0.2 + 0.5, tf.constant(0., dtype=x.dtype), tf.constant(1., dtype=x.dtype))


def tanh(x):
    """Hyperbolic tangent."""
    return tf.tanh(x)


def softplus(x):
    """log(exp(x) + 1)."""
    return tf.nn.softplus(x)


def softsign(x):
    """x / (|x| + 1)."""
    return tf.nn.softsign(x)


# --- losses -------------------------------------------------------------------------------------
def _producer_input(output, op_type):
    """The input of the op that made `output` when that op is `op_type` (Keras reads a softmax's or
    sigmoid's logits back for a numerically stable loss), else None."""
    op = getattr(output, "op", None)
    if op is not None and op.type == op_type and len(op.inputs) == 1 and not hasattr(output, "initializer"):
        return op.inputs[0]
    return None


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """-sum(target * log(output)) along `axis`. Probabilities are rescaled to sum to 1 and clipped to
    [epsilon, 1 - epsilon]; an output made by a Softmax op is read as its logits instead."""
    target, output = _tensor(target), _tensor(output)
    if not from_logits:
        logits = _producer_input(output, "Softmax")
        if logits is None:
            output = output / tf.reduce_sum(output, axis, keepdims=True)
            eps = tf.constant(_epsilon(), dtype=output.dtype.base_dtype)
            output = tf.clip_by_value(output, eps, 1. - eps)
            return -tf.reduce_sum(target * tf.log(output), axis)
        output = logits
    return tf.nn.softmax_cross_entropy_with_logits_v2(labels=target, logits=output, axis=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Categorical crossentropy with integer class indices as targets (any shape matching output's
    leading axes); probabilities are clipped to [epsilon, 1 - epsilon] and logged."""
    target, output = _tensor(target), _tensor(output)
    if not from_logits:
        logits = _producer_input(output, "Softmax")
        if logits is None:
            eps = tf.constant(_epsilon(), dtype=output.dtype.base_dtype)
            output = tf.log(tf.clip_by_value(output, eps, 1 - eps))
        else:
            output = logits
    rank = output.shape.ndims
    if rank is not None:
        axis = axis % rank
        if axis != rank - 1:
            permutation = list(range(axis)) + list(range(axis + 1, rank)) + [axis]
            output = tf.transpose(output, permutation)
    output_shape = tf.shape(output)
    labels = tf.cast(tf.reshape(target, [-1]), dtypes.int64)
    logits = tf.reshape(output, tf.stack([-1, output_shape[-1]]))
    losses = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    if rank is not None and rank >= 3:
        return tf.reshape(losses, output_shape[:-1])
    return losses


def binary_crossentropy(target, output, from_logits=False):
    """Elementwise binary crossentropy. Probabilities are clipped to [epsilon, 1 - epsilon] and the
    logs taken of p + epsilon and 1 - p + epsilon, as TF 1.15's Keras does; an output made by a Sigmoid
    op is read as its logits instead (sigmoid_cross_entropy_with_logits)."""
    target, output = _tensor(target), _tensor(output)
    if not from_logits:
        logits = _producer_input(output, "Sigmoid")
        if logits is None:
            eps = _epsilon()
            eps_tensor = tf.constant(eps, dtype=output.dtype.base_dtype)
            output = tf.clip_by_value(output, eps_tensor, 1. - eps_tensor)
            crossentropy = target * tf.log(output + eps)
            crossentropy += (1 - target) * tf.log(1 - output + eps)
            return -crossentropy
        output = logits
    return tf.nn.sigmoid_cross_entropy_with_logits(labels=target, logits=output)


def l2_normalize(x, axis=None):
    """x / sqrt(max(sum(x^2, axis), 1e-12))."""
    return tf.nn.l2_normalize(x, axis=axis)


def in_top_k(predictions, targets, k):
    """Whether each target index is among the k largest predictions of its row."""
    return tf.nn.in_top_k(predictions, targets, k)


# --- neural-network layers ----------------------------------------------------------------------
def dropout(x, level, noise_shape=None, seed=None):
    """Zeroes each element with probability `level`, scaling the rest by 1 / (1 - level)."""
    return tf.nn.dropout(x, rate=level, noise_shape=noise_shape, seed=_seed(seed))


def bias_add(x, bias, data_format=None):
    """Adds `bias` along the channel axis (last or, for 'channels_first', the second); a bias of
    the input's rank - 1 is added as is."""
    data_format = _data_format(data_format)
    x, bias = _tensor(x), _tensor(bias)
    bias_rank = bias.shape.ndims
    rank = x.shape.ndims
    if bias_rank != 1 and bias_rank != rank - 1:
        raise ValueError("Unexpected bias dimensions %d, expect to be 1 or %d dimensions"
                         % (bias_rank, rank - 1))
    if bias_rank == 1:
        if data_format == "channels_first" and rank > 2:
            return x + tf.reshape(bias, [1, -1] + [1] * (rank - 2))
        return tf.nn.bias_add(x, bias)
    if data_format == "channels_first":
        bias_shape = bias.shape.as_list()
        bias = tf.reshape(bias, [1, bias_shape[-1]] + bias_shape[:-1])
        return x + bias
    return x + tf.expand_dims(bias, 0)


def _conv(x, spatial_rank, data_format, build):
    """Runs `build(x_channels_last)` on channels-last data, transposing in and out for
    'channels_first'."""
    data_format = _data_format(data_format)
    x = _tensor(x)
    if data_format == "channels_first":
        return _to_channels_first(build(_to_channels_last(x, spatial_rank)), spatial_rank)
    return build(x)


def conv1d(x, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """1-D convolution of (batch, steps, channels) with a (width, in, out) kernel; 'causal' padding
    left-pads so outputs never see later steps."""
    kernel = _tensor(kernel)
    if isinstance(strides, (tuple, list)):
        strides, = strides
    if isinstance(dilation_rate, (tuple, list)):
        dilation_rate, = dilation_rate

    def build(inputs):
        pad = padding
        if padding == "causal":
            left = dilation_rate * (kernel.shape.as_list()[0] - 1)
            inputs = tf.pad(inputs, [[0, 0], [left, 0], [0, 0]])
            pad = "valid"
        return tf.nn.convolution(inputs, kernel, padding=_padding(pad), strides=[strides],
                                 dilation_rate=[dilation_rate])
    return _conv(x, 1, data_format, build)


def conv2d(x, kernel, strides=(1, 1), padding="valid", data_format=None, dilation_rate=(1, 1)):
    """2-D convolution of (batch, rows, cols, channels) (or channels-first) with a
    (rows, cols, in, out) kernel."""
    return _conv(x, 2, data_format, lambda inputs: tf.nn.convolution(
        inputs, kernel, padding=_padding(padding), strides=list(strides), dilation_rate=list(dilation_rate)))


def conv3d(x, kernel, strides=(1, 1, 1), padding="valid", data_format=None, dilation_rate=(1, 1, 1)):
    """3-D convolution with a (d1, d2, d3, in, out) kernel."""
    return _conv(x, 3, data_format, lambda inputs: tf.nn.convolution(
        inputs, kernel, padding=_padding(padding), strides=list(strides), dilation_rate=list(dilation_rate)))


def conv2d_transpose(x, kernel, output_shape, strides=(1, 1), padding="valid", data_format=None,
                     dilation_rate=(1, 1)):
    """The transpose (gradient) of conv2d: `kernel` is (rows, cols, out_channels, in_channels) and
    `output_shape` the full output shape in `data_format`."""
    data_format = _data_format(data_format)
    if data_format == "channels_first" and not isinstance(output_shape, tf.Tensor):
        output_shape = (output_shape[0], output_shape[2], output_shape[3], output_shape[1])
    if isinstance(output_shape, (tuple, list)):
        output_shape = tf.stack(list(output_shape))
    return _conv(x, 2, data_format, lambda inputs: tf.nn.conv2d_transpose(
        inputs, kernel, output_shape, strides=[1] + list(strides) + [1], padding=_padding(padding),
        dilations=[1] + list(dilation_rate) + [1]))


def separable_conv2d(x, depthwise_kernel, pointwise_kernel, strides=(1, 1), padding="valid",
                     data_format=None, dilation_rate=(1, 1)):
    """A depthwise convolution followed by a 1x1 pointwise one."""
    return _conv(x, 2, data_format, lambda inputs: tf.nn.separable_conv2d(
        inputs, depthwise_kernel, pointwise_kernel, strides=[1] + list(strides) + [1],
        padding=_padding(padding), rate=list(dilation_rate)))


def depthwise_conv2d(x, depthwise_kernel, strides=(1, 1), padding="valid", data_format=None,
                     dilation_rate=(1, 1)):
    """Per-channel 2-D convolution with a (rows, cols, in, multiplier) kernel."""
    return _conv(x, 2, data_format, lambda inputs: tf.nn.depthwise_conv2d(
        inputs, depthwise_kernel, strides=[1] + list(strides) + [1], padding=_padding(padding),
        rate=list(dilation_rate)))


def _pool(x, pool_size, strides, padding, data_format, pool_mode, spatial_rank):
    if pool_mode not in ("max", "avg"):
        raise ValueError("Invalid pool_mode: " + str(pool_mode))
    if len(pool_size) != spatial_rank:
        raise ValueError("`pool_size` must be a tuple of %d integers." % spatial_rank)
    if len(strides) != spatial_rank:
        raise ValueError("`strides` must be a tuple of %d integers." % spatial_rank)
    window = [1] + list(pool_size) + [1]
    steps = [1] + list(strides) + [1]
    if spatial_rank == 2:
        fn = tf.nn.max_pool if pool_mode == "max" else tf.nn.avg_pool
    else:
        fn = tf.nn.max_pool3d if pool_mode == "max" else tf.nn.avg_pool3d
    return _conv(x, spatial_rank, data_format, lambda inputs: fn(inputs, window, steps, _padding(padding)))


def pool2d(x, pool_size, strides=(1, 1), padding="valid", data_format=None, pool_mode="max"):
    """2-D max or average pooling ('max' / 'avg')."""
    return _pool(x, pool_size, strides, padding, data_format, pool_mode, 2)


def pool3d(x, pool_size, strides=(1, 1, 1), padding="valid", data_format=None, pool_mode="max"):
    """3-D max or average pooling."""
    return _pool(x, pool_size, strides, padding, data_format, pool_mode, 3)


def resize_images(x, height_factor, width_factor, data_format, interpolation="nearest"):
    """Upsamples the rows and columns of an image batch by integer factors ('nearest' or
    'bilinear')."""
    if interpolation not in ("nearest", "bilinear"):
        raise ValueError("interpolation should be one of \"nearest\" or \"bilinear\".")

    def build(images):
        rows, cols = images.shape.as_list()[1:3]
        if rows is None or cols is None:
            size = tf.shape(images)[1:3] * tf.constant([height_factor, width_factor])
        else:
            size = [rows * height_factor, cols * width_factor]
        if interpolation == "nearest":
            return tf.image.resize_nearest_neighbor(images, size)
        return tf.image.resize_bilinear(images, size)
    return _conv(x, 2, data_format, build)


def temporal_padding(x, padding=(1, 1)):
    """Zero-pads the steps axis (axis 1) of a 3-D tensor: (left, right)."""
    if len(padding) != 2:
        raise ValueError("temporal_padding expects `padding` of length 2, got %s" % (padding,))
    return tf.pad(x, [[0, 0], list(padding), [0, 0]])


def spatial_2d_padding(x, padding=((1, 1), (1, 1)), data_format=None):
    """Zero-pads the rows and columns of a 4-D image batch."""
    data_format = _data_format(data_format)
    if len(padding) != 2 or len(padding[0]) != 2 or len(padding[1]) != 2:
        raise ValueError("spatial_2d_padding expects ((top, bottom), (left, right)), got %s" % (padding,))
    spatial = [list(padding[0]), list(padding[1])]
    pattern = [[0, 0], [0, 0]] + spatial if data_format == "channels_first" else [[0, 0]] + spatial + [[0, 0]]
    return tf.pad(x, pattern)


def spatial_3d_padding(x, padding=((1, 1), (1, 1), (1, 1)), data_format=None):
    """Zero-pads the three spatial axes of a 5-D tensor."""
    data_format = _data_format(data_format)
    if len(padding) != 3 or builtins.any(len(p) != 2 for p in padding):
        raise ValueError("spatial_3d_padding expects three (before, after) pairs, got %s" % (padding,))
    spatial = [list(p) for p in padding]
    pattern = [[0, 0], [0, 0]] + spatial if data_format == "channels_first" else [[0, 0]] + spatial + [[0, 0]]
    return tf.pad(x, pattern)


def normalize_batch_in_training(x, gamma, beta, reduction_axes, epsilon=1e-3):
    """(normalized x, batch mean, batch variance) over `reduction_axes`."""
    mean_, variance = tf.nn.moments(x, list(reduction_axes), keepdims=False)
    keep = [1 if i in reduction_axes else d for i, d in enumerate(tf.unstack(tf.shape(x)))]
    rank = _ndim(x)
    if sorted(reduction_axes) == list(range(rank - 1)):
        normalized = tf.nn.batch_normalization(x, mean_, variance, beta, gamma, epsilon)
    else:
        shape = tf.stack(keep)

        def broadcast(t):
            return None if t is None else tf.reshape(t, shape)
        normalized = tf.nn.batch_normalization(x, broadcast(mean_), broadcast(variance), broadcast(beta),
                                               broadcast(gamma), epsilon)
    return normalized, mean_, variance


def batch_normalization(x, mean, var, beta, gamma, axis=-1, epsilon=1e-3):  # noqa: F811
    """(x - mean) / sqrt(var + epsilon) * gamma + beta."""
    return tf.nn.batch_normalization(x, mean, var, beta, gamma, epsilon)


def separable_conv1d(x, depthwise_kernel, pointwise_kernel, strides=1, padding="valid", data_format=None,
                     dilation_rate=1):
    """1-D separable convolution: a depthwise (width, in, multiplier) then a pointwise (1, in * multiplier,
    out) convolution; 'causal' padding left-pads the steps."""
    if isinstance(strides, (tuple, list)):
        strides, = strides
    if isinstance(dilation_rate, (tuple, list)):
        dilation_rate, = dilation_rate
    depthwise_kernel, pointwise_kernel = _tensor(depthwise_kernel), _tensor(pointwise_kernel)

    def build(inputs):
        pad = padding
        if padding == "causal":
            left = dilation_rate * (depthwise_kernel.shape.as_list()[0] - 1)
            inputs = tf.pad(inputs, [[0, 0], [left, 0], [0, 0]])
            pad = "valid"
        out = tf.nn.separable_conv2d(tf.expand_dims(inputs, 1), tf.expand_dims(depthwise_kernel, 0),
                                     tf.expand_dims(pointwise_kernel, 0), strides=[1, 1, strides, 1],
                                     padding=_padding(pad), rate=[1, dilation_rate])
        return tf.squeeze(out, [1])
    return _conv(x, 1, data_format, build)


def _local_conv(x, kernel, kernel_size, strides, output_shape):
    """Unshared-weight convolution of channels-last `x`: each output position has its own
    (patch features, filters) matrix in `kernel` (positions, patch features, filters)."""
    patches = []
    for position in np.ndindex(*output_shape):
        window = tuple(slice(i * s, i * s + k) for i, s, k in zip(position, strides, kernel_size))
        patch = x[(slice(None),) + window + (slice(None),)]
        patches.append(tf.reshape(patch, [-1, int(np.prod(kernel_size)) * x.shape.as_list()[-1]]))
    stacked = tf.stack(patches)                                   # (positions, batch, features)
    out = tf.matmul(stacked, kernel)                              # (positions, batch, filters)
    filters = kernel.shape.as_list()[-1]
    out = tf.transpose(out, [1, 0, 2])
    return tf.reshape(out, [-1] + list(output_shape) + [filters])


def local_conv1d(inputs, kernel, kernel_size, strides, data_format=None):
    """Locally connected 1-D convolution: `kernel` (output_length, kernel_size * input_dim, filters)."""
    kernel = _tensor(kernel)
    output_length = kernel.shape.as_list()[0]
    return _conv(inputs, 1, data_format, lambda x: _local_conv(x, kernel, tuple(kernel_size), tuple(strides),
                                                               (output_length,)))


def local_conv2d(inputs, kernel, kernel_size, strides, output_shape, data_format=None):
    """Locally connected 2-D convolution: `kernel` (rows * cols, kernel_rows * kernel_cols * input_dim,
    filters), `output_shape` (rows, cols)."""
    kernel = _tensor(kernel)
    return _conv(inputs, 2, data_format, lambda x: _local_conv(x, kernel, tuple(kernel_size), tuple(strides),
                                                               tuple(output_shape)))


def resize_volumes(x, depth_factor, height_factor, width_factor, data_format):
    """Repeats the three spatial axes of a 5-D tensor by integer factors."""
    data_format = _data_format(data_format)
    first = 2 if data_format == "channels_first" else 1
    for offset, factor in enumerate((depth_factor, height_factor, width_factor)):
        x = repeat_elements(x, factor, axis=first + offset)
    return x


def ctc_label_dense_to_sparse(labels, label_lengths):
    """The first label_lengths[i] entries of each row of dense `labels` as a SparseTensor."""
    labels = _tensor(labels)
    lengths = tf.cast(label_lengths, dtypes.int32)
    mask = tf.sequence_mask(lengths, tf.shape(labels)[1])
    indices = tf.where(mask)
    return tf.SparseTensor(indices, tf.gather_nd(labels, indices), tf.cast(tf.shape(labels), dtypes.int64))


def ctc_batch_cost(y_true, y_pred, input_length, label_length):
    """CTC loss per sample, shape (samples, 1): `y_pred` softmax outputs (samples, steps, classes; the
    last class is the blank), `y_true` dense labels, `input_length` / `label_length` (samples, 1)."""
    label_length = tf.cast(tf.squeeze(label_length, axis=-1), dtypes.int32)
    input_length = tf.cast(tf.squeeze(input_length, axis=-1), dtypes.int32)
    sparse = ctc_label_dense_to_sparse(tf.cast(y_true, dtypes.int32), label_length)
    log_probabilities = tf.log(tf.transpose(y_pred, [1, 0, 2]) + _epsilon())
    return tf.expand_dims(tf.nn.ctc_loss(labels=sparse, inputs=log_probabilities, sequence_length=input_length), 1)


def ctc_decode(y_pred, input_length, greedy=True, beam_width=100, top_paths=1):
    """([dense decoded label sequences, -1 padded], log probabilities) of softmax outputs `y_pred`
    (samples, steps, classes), by greedy or beam search decoding."""
    log_probabilities = tf.log(tf.transpose(y_pred, [1, 0, 2]) + _epsilon())
    input_length = tf.cast(input_length, dtypes.int32)
    if greedy:
        decoded, log_prob = tf.nn.ctc_greedy_decoder(log_probabilities, input_length)
    else:
        decoded, log_prob = tf.nn.ctc_beam_search_decoder(log_probabilities, input_length, beam_width=beam_width,
                                                          top_paths=top_paths)
    dense = [tf.sparse_to_dense(st.indices, st.dense_shape, st.values, default_value=-1) for st in decoded]
    return dense, log_prob
