"""`tf.linalg.LinearOperator` and its structured subclasses: matrices known by their structure (diagonal,
triangular, Kronecker, circulant ...) that multiply, solve and give determinants without always forming
the dense matrix.

An operator stands for a batch of [M, N] matrices: shape `batch_shape + [M, N]`. `matmul(x)` takes x of
shape `batch_shape + [N, R]` (batch shapes broadcast), `matvec(x)` x of shape `batch_shape + [N]`. The
base class derives everything it can from a subclass's `_matmul` and `_shape`: `to_dense` multiplies the
identity, `solve` / `determinant` go through the dense matrix. Subclasses override what their structure
makes cheaper (a diagonal's determinant is the product of its entries, a Householder reflection is its
own inverse, a circulant matrix is diagonal in Fourier space ...). All of it is built from numflow's
graph ops, so results are tensors and gradients flow where the ops have them.

Hints (`is_non_singular`, `is_self_adjoint`, `is_positive_definite`, `is_square`) are promises the caller
makes, as in TF: they choose algorithms (a self-adjoint operator is its own adjoint) and are checked for
consistency, not verified numerically (use the assert_* methods for that).
"""
import numpy as np

from .framework import dtypes
from .framework.graph import convert_to_tensor, is_tensor_like, name_scope
from .framework.tensor_shape import Dimension, TensorShape

__all__ = ["LinearOperator", "LinearOperatorAdjoint", "LinearOperatorBlockDiag",
           "LinearOperatorBlockLowerTriangular", "LinearOperatorCirculant", "LinearOperatorCirculant2D",
           "LinearOperatorCirculant3D", "LinearOperatorComposition", "LinearOperatorDiag",
           "LinearOperatorFullMatrix", "LinearOperatorHouseholder", "LinearOperatorIdentity",
           "LinearOperatorInversion", "LinearOperatorKronecker", "LinearOperatorLowRankUpdate",
           "LinearOperatorLowerTriangular", "LinearOperatorPermutation", "LinearOperatorScaledIdentity",
           "LinearOperatorToeplitz", "LinearOperatorTridiag", "LinearOperatorZeros"]

_MATRIX_DTYPES = (dtypes.float16, dtypes.float32, dtypes.float64, dtypes.complex64, dtypes.complex128)


def _ops():
    """numflow's op functions, imported when first needed (this module loads with `tf.linalg`)."""
    import numflow as tf
    return tf


def _check_dtype(tensor, what):
    if tensor.dtype not in _MATRIX_DTYPES:
        raise TypeError("Argument %s must have dtype in %s. Found: %s"
                        % (what, [d.name for d in _MATRIX_DTYPES], tensor.dtype.name))


def _broadcast_batch(*shapes):
    """The broadcast of static batch shapes (TensorShape(None) when one is unknown)."""
    from .ops.common import broadcast_shape
    out = TensorShape([])
    for shape in shapes:
        out = broadcast_shape(out, shape)
    return out


def _static_int(value, what):
    """A non-negative Python int from an int or a constant scalar tensor."""
    if is_tensor_like(value):
        from .ops.array import _static_scalar
        known = _static_scalar(convert_to_tensor(value))
        if known is None:
            raise ValueError("%s must be known statically here, got %s" % (what, value))
        value = known
    value = int(value)
    if value < 0:
        raise ValueError("Argument %s must be non-negative. Found: %d" % (what, value))
    return value


class LinearOperator:
    """`tf.linalg.LinearOperator`: the base class of operators acting like batches of [M, N] matrices.
    Subclasses implement `_shape` and `_matmul` (and usually more, for speed); users call `matmul`,
    `matvec`, `solve`, `solvevec`, `determinant`, `log_abs_determinant`, `to_dense`, `diag_part`,
    `trace`, `adjoint`, `inverse`, `cholesky`, `add_to_tensor`, `eigvals`, `cond` and the shape
    queries."""

    def __init__(self, dtype, graph_parents=None, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name=None, parameters=None):
        if is_positive_definite:
            if is_non_singular is False:
                raise ValueError("A positive definite matrix is always non-singular.")
            is_non_singular = True
        if is_non_singular or is_self_adjoint or is_positive_definite:
            if is_square is False:
                raise ValueError("A non-singular, self-adjoint or positive definite operator is always square.")
        self._dtype = dtypes.as_dtype(dtype) if dtype is not None else None
        self._graph_parents = list(graph_parents or [])
        self._is_non_singular = is_non_singular
        self._is_self_adjoint = is_self_adjoint
        self._is_positive_definite = is_positive_definite
        self._is_square_set_or_implied = is_square
        self._name = name or type(self).__name__
        self._parameters = dict(parameters or {})

    # --- properties --------------------------------------------------------------------------------
    @property
    def dtype(self):
        """The DType of the matrix entries."""
        return self._dtype

    @property
    def name(self):
        return self._name

    @property
    def graph_parents(self):
        """The tensors this operator was built from."""
        return list(self._graph_parents)

    @property
    def parameters(self):
        return dict(self._parameters)

    @property
    def is_non_singular(self):
        return self._is_non_singular

    @property
    def is_self_adjoint(self):
        return self._is_self_adjoint

    @property
    def is_positive_definite(self):
        return self._is_positive_definite

    @property
    def is_square(self):
        """True or False from the hint, else from the static shape, else None."""
        if self._is_square_set_or_implied is not None:
            return self._is_square_set_or_implied
        rows, cols = self.range_dimension.value, self.domain_dimension.value
        return None if rows is None or cols is None else rows == cols

    def _name_scope(self, name):
        return name_scope(self._name + "/" + name if self._name else name)

    # --- shapes ------------------------------------------------------------------------------------
    def _shape(self):
        raise NotImplementedError("%s does not define _shape" % type(self).__name__)

    @property
    def shape(self):
        """TensorShape of the operator: batch_shape + [range_dimension, domain_dimension]."""
        return self._shape()

    @property
    def batch_shape(self):
        shape = self.shape
        return TensorShape(None) if shape.ndims is None else TensorShape(shape.dims[:-2])

    @property
    def tensor_rank(self):
        return self.shape.ndims

    @property
    def domain_dimension(self):
        shape = self.shape
        return Dimension(None) if shape.ndims is None else shape.dims[-1]

    @property
    def range_dimension(self):
        shape = self.shape
        return Dimension(None) if shape.ndims is None else shape.dims[-2]

    def _shape_tensor(self):
        shape = self.shape
        if not shape.is_fully_defined():
            raise ValueError("%s needs a static shape here, got %s" % (self._name, shape))
        return convert_to_tensor(np.array(shape.as_list(), np.int32))

    def shape_tensor(self, name="shape_tensor"):
        """int32 1-D tensor of the operator's shape."""
        with self._name_scope(name):
            return self._shape_tensor()

    def batch_shape_tensor(self, name="batch_shape_tensor"):
        with self._name_scope(name):
            return self._shape_tensor()[:-2]

    def tensor_rank_tensor(self, name="tensor_rank_tensor"):
        with self._name_scope(name):
            return _ops().size(self._shape_tensor())

    def domain_dimension_tensor(self, name="domain_dimension_tensor"):
        with self._name_scope(name):
            return self._shape_tensor()[-1]

    def range_dimension_tensor(self, name="range_dimension_tensor"):
        with self._name_scope(name):
            return self._shape_tensor()[-2]

    # --- argument checks ---------------------------------------------------------------------------
    def _convert_arg(self, x, name):
        x = convert_to_tensor(x, dtype=self._dtype if not is_tensor_like(x) else None, name=name)
        if x.dtype is not self._dtype:
            raise TypeError("Expected argument to have dtype %s. Found: %s in tensor %s"
                            % (self._dtype.name, x.dtype.name, x.name))
        return x

    def _check_inner_dim(self, x, adjoint, adjoint_arg, solving=False):
        """ValueError when x's rows (columns with adjoint_arg) statically cannot meet the operator."""
        if x.shape.ndims is None:
            return
        if x.shape.ndims < 2:
            raise ValueError("Argument must have rank >= 2 (a batch of matrices), got shape %s" % x.shape)
        arg_dim = x.shape[-1] if adjoint_arg else x.shape[-2]
        if solving:
            op_dim = self.domain_dimension if adjoint else self.range_dimension
        else:
            op_dim = self.range_dimension if adjoint else self.domain_dimension
        if not op_dim.is_compatible_with(arg_dim):
            raise ValueError("Dimensions are not compatible: operator %s of shape %s with argument of shape %s "
                             "(adjoint=%s, adjoint_arg=%s)" % (self._name, self.shape, x.shape, adjoint, adjoint_arg))

    def _require_square(self, what):
        if self.is_square is False:
            raise NotImplementedError("%s is only defined for square operators; %s has shape %s"
                                      % (what, self._name, self.shape))

    def _require_non_singular(self, what):
        if self._is_non_singular is False:
            raise NotImplementedError("Exact %s not implemented for an operator that is expected to be singular."
                                      % what)

    # --- the main methods --------------------------------------------------------------------------
    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        raise NotImplementedError("%s does not define _matmul" % type(self).__name__)

    def matmul(self, x, adjoint=False, adjoint_arg=False, name="matmul"):
        """This operator (or its adjoint) times x: [..., M, N] @ [..., N, R] -> [..., M, R]; `x` may be
        another LinearOperator, giving their composition."""
        if isinstance(x, LinearOperator):
            left = self.adjoint() if adjoint else self
            right = x.adjoint() if adjoint_arg else x
            return LinearOperatorComposition([left, right])
        with self._name_scope(name):
            x = self._convert_arg(x, "x")
            self._check_inner_dim(x, adjoint, adjoint_arg)
            return self._matmul(x, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def __matmul__(self, other):
        return self.matmul(other)

    def matvec(self, x, adjoint=False, name="matvec"):
        """This operator (or its adjoint) times vectors x [..., N] -> [..., M]."""
        tf = _ops()
        with self._name_scope(name):
            x = self._convert_arg(x, "x")
            column = tf.expand_dims(x, -1)
            self._check_inner_dim(column, adjoint, False)
            return tf.squeeze(self._matmul(column, adjoint=adjoint), axis=-1)

    def _to_dense(self):
        tf = _ops()
        size = self.domain_dimension.value
        if size is None:
            raise ValueError("%s: to_dense needs a static domain dimension, got shape %s" % (self._name, self.shape))
        batch = self.batch_shape
        identity = tf.eye(size, batch_shape=batch.as_list() if batch.is_fully_defined() and batch.ndims else None,
                          dtype=self._dtype)
        return self._matmul(identity)

    def to_dense(self, name="to_dense"):
        """The dense [..., M, N] matrix this operator stands for."""
        with self._name_scope(name):
            return self._to_dense()

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        tf = _ops()
        rhs = tf.linalg.adjoint(rhs) if adjoint_arg else rhs
        return tf.linalg.solve(self._to_dense(), rhs, adjoint=adjoint)

    def solve(self, rhs, adjoint=False, adjoint_arg=False, name="solve"):
        """X with (this operator, or its adjoint) @ X = rhs, for rhs [..., M, R]; `rhs` may be a
        LinearOperator, giving inverse @ rhs as a composition."""
        self._require_non_singular("solve")
        self._require_square("solve")
        if isinstance(rhs, LinearOperator):
            left = self.adjoint() if adjoint else self
            right = rhs.adjoint() if adjoint_arg else rhs
            return LinearOperatorComposition([left.inverse(), right])
        with self._name_scope(name):
            rhs = self._convert_arg(rhs, "rhs")
            self._check_inner_dim(rhs, adjoint, adjoint_arg, solving=True)
            return self._solve(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def solvevec(self, rhs, adjoint=False, name="solve"):
        """x with (this operator, or its adjoint) @ x = rhs, for vectors rhs [..., M]."""
        tf = _ops()
        self._require_non_singular("solve")
        self._require_square("solve")
        with self._name_scope(name):
            rhs = self._convert_arg(rhs, "rhs")
            column = tf.expand_dims(rhs, -1)
            self._check_inner_dim(column, adjoint, False, solving=True)
            return tf.squeeze(self._solve(column, adjoint=adjoint), axis=-1)

    def _determinant(self):
        return _ops().linalg.det(self._to_dense())

    def determinant(self, name="det"):
        """The determinant of each matrix of the batch (square operators)."""
        self._require_square("Determinant")
        with self._name_scope(name):
            return self._determinant()

    def _log_abs_determinant(self):
        _, log_abs = _ops().linalg.slogdet(self._to_dense())
        return log_abs

    def log_abs_determinant(self, name="log_abs_det"):
        """log |det| of each matrix of the batch (square operators)."""
        self._require_square("Determinant")
        with self._name_scope(name):
            return self._log_abs_determinant()

    def _diag_part(self):
        return _ops().linalg.diag_part(self._to_dense())

    def diag_part(self, name="diag_part"):
        """The main diagonal [..., min(M, N)]."""
        with self._name_scope(name):
            return self._diag_part()

    def _trace(self):
        return _ops().reduce_sum(self._diag_part(), axis=-1)

    def trace(self, name="trace"):
        """The sum of the main diagonal of each matrix."""
        with self._name_scope(name):
            return self._trace()

    def add_to_tensor(self, x, name="add_to_tensor"):
        """x + the dense matrix of this operator."""
        with self._name_scope(name):
            x = self._convert_arg(x, "x")
            return self._to_dense() + x

    def _adjoint(self):
        return LinearOperatorAdjoint(self)

    def adjoint(self, name="adjoint"):
        """The conjugate transpose, as a LinearOperator (this operator itself when self-adjoint)."""
        if self._is_self_adjoint:
            return self
        return self._adjoint()

    H = property(adjoint)

    def _inverse(self):
        return LinearOperatorInversion(self)

    def inverse(self, name="inverse"):
        """The inverse, as a LinearOperator (square, non-singular operators)."""
        self._require_square("Inverse")
        self._require_non_singular("inverse")
        return self._inverse()

    def _cholesky(self):
        return LinearOperatorLowerTriangular(_ops().linalg.cholesky(self._to_dense()), is_non_singular=True,
                                             is_square=True)

    def cholesky(self, name="cholesky"):
        """The lower-triangular Cholesky factor L (L L^H = this operator) as a LinearOperator; needs the
        self-adjoint and positive-definite hints."""
        if not (self._is_self_adjoint and self._is_positive_definite):
            raise ValueError("Cholesky decomposition is only supported for an operator that is self-adjoint and "
                             "positive definite (set both hints).")
        return self._cholesky()

    def eigvals(self, name="eigvals"):
        """The eigenvalues of a self-adjoint operator, ascending."""
        if not self._is_self_adjoint:
            raise NotImplementedError("Only self-adjoint matrices are supported.")
        with self._name_scope(name):
            return _ops().linalg.eigvalsh(self._to_dense())

    def cond(self, name="cond"):
        """The condition number: largest over smallest singular value."""
        tf = _ops()
        with self._name_scope(name):
            values = tf.linalg.svd(self._to_dense(), compute_uv=False)
            return tf.reduce_max(values, axis=-1) / tf.reduce_min(values, axis=-1)

    # --- assertions ----------------------------------------------------------------------------------
    def _real_dtype(self):
        return self._dtype.real_dtype if self._dtype.is_complex else self._dtype

    def assert_non_singular(self, name="assert_non_singular"):
        """An op that fails (InvalidArgumentError) when a matrix's condition number reaches
        1 / (max(100, M, N) eps) for its dtype's eps (singular to working precision)."""
        tf = _ops()
        with self._name_scope(name):
            size = max(100, self.range_dimension.value or 0, self.domain_dimension.value or 0)
            limit = 1.0 / (size * np.finfo(self._real_dtype().np).eps)
            return tf.Assert(tf.reduce_all(tf.less(tf.cast(self.cond(), tf.float64), limit)),
                             ["Singular matrix up to precision epsilon."])

    def assert_positive_definite(self, name="assert_positive_definite"):
        """An op that fails when a matrix's Hermitian part has a non-positive eigenvalue."""
        tf = _ops()
        with self._name_scope(name):
            dense = self._to_dense()
            hermitian = (dense + tf.linalg.adjoint(dense)) / 2
            smallest = tf.reduce_min(tf.linalg.eigvalsh(hermitian))
            return tf.Assert(tf.greater(tf.cast(smallest, tf.float64), 0.0), ["Matrix was not positive definite."])

    def assert_self_adjoint(self, name="assert_self_adjoint"):
        """An op that fails when a matrix differs from its adjoint (beyond rounding)."""
        tf = _ops()
        with self._name_scope(name):
            dense = self._to_dense()
            gap = tf.reduce_max(tf.abs(dense - tf.linalg.adjoint(dense)))
            scale = tf.reduce_max(tf.abs(dense)) + 1.0
            tolerance = 10 * float(np.finfo(self._real_dtype().np).eps)
            return tf.Assert(tf.less_equal(tf.cast(gap / scale, tf.float64), tolerance),
                             ["Matrix was not equal to its adjoint."])

    def __repr__(self):
        return "<tf.linalg.%s '%s' shape=%s dtype=%s>" % (type(self).__name__, self._name, self.shape,
                                                          self._dtype.name if self._dtype else None)


def _adjoint_if(x, flag):
    return _ops().linalg.adjoint(x) if flag else x


# --- dense and diagonal -----------------------------------------------------------------------------------
class LinearOperatorFullMatrix(LinearOperator):
    """`tf.linalg.LinearOperatorFullMatrix(matrix)`: an operator holding its dense [..., M, N] matrix."""

    def __init__(self, matrix, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=None, name="LinearOperatorFullMatrix"):
        with name_scope(name):
            self._matrix = convert_to_tensor(matrix, name="matrix")
        _check_dtype(self._matrix, "matrix")
        if self._matrix.shape.ndims is not None and self._matrix.shape.ndims < 2:
            raise ValueError("matrix must have rank >= 2, got shape %s" % self._matrix.shape)
        super().__init__(self._matrix.dtype, [self._matrix], is_non_singular, is_self_adjoint, is_positive_definite,
                         is_square, name, dict(matrix=matrix))

    def _shape(self):
        return self._matrix.shape

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return _ops().matmul(self._matrix, x, adjoint_a=adjoint, adjoint_b=adjoint_arg)

    def _to_dense(self):
        return self._matrix


class LinearOperatorDiag(LinearOperator):
    """`tf.linalg.LinearOperatorDiag(diag)`: the diagonal matrices whose diagonals are diag [..., N]."""

    def __init__(self, diag, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=None, name="LinearOperatorDiag"):
        with name_scope(name):
            self._diag = convert_to_tensor(diag, name="diag")
        _check_dtype(self._diag, "diag")
        if self._diag.shape.ndims == 0:
            raise ValueError("diag must have rank >= 1, got a scalar")
        if not self._diag.dtype.is_complex:
            if is_self_adjoint is False:
                raise ValueError("A real diagonal operator is always self adjoint.")
            is_self_adjoint = True
        if is_square is False:
            raise ValueError("Only square diagonal operators currently supported.")
        super().__init__(self._diag.dtype, [self._diag], is_non_singular, is_self_adjoint, is_positive_definite,
                         True, name, dict(diag=diag))

    @property
    def diag(self):
        return self._diag

    def _shape(self):
        shape = self._diag.shape
        return TensorShape(None) if shape.ndims is None else shape.concatenate([shape[-1]])

    def _entries(self, adjoint):
        return _ops().conj(self._diag) if adjoint and self._dtype.is_complex else self._diag

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return _ops().expand_dims(self._entries(adjoint), -1) * _adjoint_if(x, adjoint_arg)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return _adjoint_if(rhs, adjoint_arg) / _ops().expand_dims(self._entries(adjoint), -1)

    def _to_dense(self):
        return _ops().linalg.diag(self._diag)

    def _determinant(self):
        return _ops().reduce_prod(self._diag, axis=-1)

    def _log_abs_determinant(self):
        tf = _ops()
        return tf.reduce_sum(tf.log(tf.abs(self._diag)), axis=-1)

    def _diag_part(self):
        return self._diag

    def _inverse(self):
        return LinearOperatorDiag(1.0 / self._diag, is_non_singular=self._is_non_singular,
                                  is_self_adjoint=self._is_self_adjoint,
                                  is_positive_definite=self._is_positive_definite, name=self._name + "_inv")

    def _cholesky(self):
        return LinearOperatorDiag(_ops().sqrt(self._diag), is_non_singular=True, is_positive_definite=True)

    def eigvals(self, name="eigvals"):
        if not self._is_self_adjoint:
            raise NotImplementedError("Only self-adjoint matrices are supported.")
        return _ops().sort(_ops().real(self._diag) if self._dtype.is_complex else self._diag, axis=-1)


class _IdentityBase(LinearOperator):
    """Shared by the identity and scaled identity: num_rows as a static int."""

    def _identity_shape(self, batch):
        return TensorShape(batch).concatenate([self._num_rows, self._num_rows])


class LinearOperatorIdentity(_IdentityBase):
    """`tf.linalg.LinearOperatorIdentity(num_rows, batch_shape=None, dtype=None)`: identity matrices of
    size num_rows (a batch of them when batch_shape is given)."""

    def __init__(self, num_rows, batch_shape=None, dtype=None, is_non_singular=True, is_self_adjoint=True,
                 is_positive_definite=True, is_square=True, assert_proper_shapes=False,
                 name="LinearOperatorIdentity"):
        for hint, value in (("non-singular", is_non_singular), ("self-adjoint", is_self_adjoint),
                            ("positive definite", is_positive_definite), ("square", is_square)):
            if not value:
                raise ValueError("An identity operator is always %s." % hint)
        self._num_rows = _static_int(num_rows, "num_rows")
        self._batch = [] if batch_shape is None else [_static_int(d, "batch_shape") for d in
                                                      (batch_shape.as_list() if isinstance(batch_shape, TensorShape)
                                                       else list(np.reshape(batch_shape, [-1])))]
        super().__init__(dtypes.as_dtype(dtype or dtypes.float32), [], True, True, True, True, name,
                         dict(num_rows=num_rows, batch_shape=batch_shape, dtype=dtype))

    def _shape(self):
        return self._identity_shape(self._batch)

    def _broadcast(self, x):
        if not self._batch:
            return x
        return x + _ops().zeros(self._batch + [1, 1], dtype=self._dtype)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return self._broadcast(_adjoint_if(x, adjoint_arg))

    _solve = _matmul

    def _to_dense(self):
        return _ops().eye(self._num_rows, batch_shape=self._batch or None, dtype=self._dtype)

    def _determinant(self):
        return _ops().ones(self._batch, dtype=self._dtype)

    def _log_abs_determinant(self):
        return _ops().zeros(self._batch, dtype=self._real_dtype())

    def _diag_part(self):
        return _ops().ones(self._batch + [self._num_rows], dtype=self._dtype)

    def _inverse(self):
        return self

    def _cholesky(self):
        return self

    def add_to_tensor(self, x, name="add_to_tensor"):
        with self._name_scope(name):
            x = self._convert_arg(x, "x")
            return _ops().linalg.set_diag(x, _ops().linalg.diag_part(x) + 1)


class LinearOperatorScaledIdentity(_IdentityBase):
    """`tf.linalg.LinearOperatorScaledIdentity(num_rows, multiplier)`: multiplier * I, one scale per
    batch member (multiplier's shape is the batch shape)."""

    def __init__(self, num_rows, multiplier, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=True, assert_proper_shapes=False, name="LinearOperatorScaledIdentity"):
        if not is_square:
            raise ValueError("A ScaledIdentity operator is always square.")
        self._num_rows = _static_int(num_rows, "num_rows")
        with name_scope(name):
            self._multiplier = convert_to_tensor(multiplier, name="multiplier")
        _check_dtype(self._multiplier, "multiplier")
        super().__init__(self._multiplier.dtype, [self._multiplier], is_non_singular, is_self_adjoint,
                         is_positive_definite, True, name, dict(num_rows=num_rows, multiplier=multiplier))

    @property
    def multiplier(self):
        return self._multiplier

    def _shape(self):
        return self._identity_shape(self._multiplier.shape)

    def _scale(self, adjoint):
        tf = _ops()
        scale = tf.conj(self._multiplier) if adjoint and self._dtype.is_complex else self._multiplier
        return tf.expand_dims(tf.expand_dims(scale, -1), -1)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return self._scale(adjoint) * _adjoint_if(x, adjoint_arg)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return _adjoint_if(rhs, adjoint_arg) / self._scale(adjoint)

    def _to_dense(self):
        return self._scale(False) * _ops().eye(self._num_rows, dtype=self._dtype)

    def _determinant(self):
        return self._multiplier ** self._num_rows

    def _log_abs_determinant(self):
        tf = _ops()
        return float(self._num_rows) * tf.log(tf.abs(self._multiplier))

    def _diag_part(self):
        tf = _ops()
        return tf.expand_dims(self._multiplier, -1) * tf.ones([self._num_rows], dtype=self._dtype)

    def _trace(self):
        return self._multiplier * float(self._num_rows)


class LinearOperatorZeros(LinearOperator):
    """`tf.linalg.LinearOperatorZeros(num_rows, num_columns=None, batch_shape=None, dtype=None)`: zero
    matrices [num_rows, num_columns] (square when num_columns is None)."""

    def __init__(self, num_rows, num_columns=None, batch_shape=None, dtype=None, is_non_singular=False,
                 is_self_adjoint=True, is_positive_definite=False, is_square=True, assert_proper_shapes=False,
                 name="LinearOperatorZeros"):
        if is_non_singular:
            raise ValueError("A Zeros operator is always singular.")
        if is_positive_definite:
            raise ValueError("A Zeros operator is never positive definite.")
        self._num_rows = _static_int(num_rows, "num_rows")
        self._num_columns = self._num_rows if num_columns is None else _static_int(num_columns, "num_columns")
        if self._num_columns != self._num_rows:
            if is_self_adjoint:
                raise ValueError("A non-square Zeros operator is not self adjoint.")
            is_square = False
            is_self_adjoint = False
        self._batch = [] if batch_shape is None else [_static_int(d, "batch_shape")
                                                      for d in np.reshape(batch_shape, [-1])]
        super().__init__(dtypes.as_dtype(dtype or dtypes.float32), [], False, is_self_adjoint, False, is_square,
                         name, dict(num_rows=num_rows, num_columns=num_columns, batch_shape=batch_shape, dtype=dtype))

    def _shape(self):
        return TensorShape(self._batch + [self._num_rows, self._num_columns])

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        tf = _ops()
        x = _adjoint_if(x, adjoint_arg)
        rows = self._num_columns if adjoint else self._num_rows
        # Zeros of the broadcast batch shape, [rows, x's columns].
        zero_rows = tf.zeros(self._batch + [rows, 1], dtype=self._dtype)
        return zero_rows * tf.reduce_sum(x * 0, axis=-2, keepdims=True)

    def _to_dense(self):
        return _ops().zeros(self._batch + [self._num_rows, self._num_columns], dtype=self._dtype)

    def _determinant(self):
        return _ops().zeros(self._batch, dtype=self._dtype)

    def _log_abs_determinant(self):
        return _ops().fill(self._batch, np.array(-np.inf, self._real_dtype().np))

    def _diag_part(self):
        return _ops().zeros(self._batch + [min(self._num_rows, self._num_columns)], dtype=self._dtype)

    def add_to_tensor(self, x, name="add_to_tensor"):
        with self._name_scope(name):
            return self._convert_arg(x, "x") + self._to_dense()


class LinearOperatorLowerTriangular(LinearOperator):
    """`tf.linalg.LinearOperatorLowerTriangular(tril)`: the lower triangle (diagonal included) of the
    square matrices tril [..., N, N]; entries above the diagonal are ignored."""

    def __init__(self, tril, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=None, name="LinearOperatorLowerTriangular"):
        if is_square is False:
            raise ValueError("Only square lower triangular operators supported at this time.")
        tf = _ops()
        with name_scope(name):
            tril = convert_to_tensor(tril, name="tril")
            _check_dtype(tril, "tril")
            self._tril = tf.linalg.band_part(tril, -1, 0)
        super().__init__(tril.dtype, [tril], is_non_singular, is_self_adjoint, is_positive_definite, True, name,
                         dict(tril=tril))

    def _shape(self):
        return self._tril.shape

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return _ops().matmul(self._tril, x, adjoint_a=adjoint, adjoint_b=adjoint_arg)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return _ops().linalg.triangular_solve(self._tril, _adjoint_if(rhs, adjoint_arg), lower=True, adjoint=adjoint)

    def _to_dense(self):
        return self._tril

    def _determinant(self):
        return _ops().reduce_prod(self._diag_part(), axis=-1)

    def _log_abs_determinant(self):
        tf = _ops()
        return tf.reduce_sum(tf.log(tf.abs(self._diag_part())), axis=-1)


# --- combinations of operators -------------------------------------------------------------------------
def _check_operators(operators, what):
    operators = list(operators)
    if not operators:
        raise ValueError("Expected a non-empty list of operators. Found: %s" % operators)
    dtype = operators[0].dtype
    if any(op.dtype is not dtype for op in operators):
        raise TypeError("Expected all operators to have the same dtype. Found %s"
                        % " ".join("%s: %s" % (op.name, op.dtype.name) for op in operators))
    return operators, dtype


def _combined_hint(operators, name):
    """True when every operator promises it (TF's rule for products and block structures), else None."""
    return True if all(getattr(op, name) for op in operators) else None


class LinearOperatorComposition(LinearOperator):
    """`tf.linalg.LinearOperatorComposition(operators)`: the product operators[0] @ operators[1] @ ...,
    applied right to left."""

    def __init__(self, operators, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=None, name=None):
        operators, dtype = _check_operators(operators, "composition")
        for left, right in zip(operators, operators[1:]):
            if not left.domain_dimension.is_compatible_with(right.range_dimension):
                raise ValueError("Operators are incompatible. Expected %s to have domain dimension %s equal to the "
                                 "range dimension of %s (%s)" % (left.name, left.domain_dimension, right.name,
                                                                 right.range_dimension))
        if is_non_singular is None and all(op.is_square for op in operators):
            is_non_singular = _combined_hint(operators, "is_non_singular")
        self._operators = operators
        super().__init__(dtype, [], is_non_singular, is_self_adjoint, is_positive_definite, is_square,
                         name or "_o_".join(op.name for op in operators), dict(operators=operators))

    @property
    def operators(self):
        return list(self._operators)

    def _shape(self):
        batch = _broadcast_batch(*(op.batch_shape for op in self._operators))
        if batch.ndims is None:
            return TensorShape(None)
        return batch.concatenate([self._operators[0].range_dimension, self._operators[-1].domain_dimension])

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        order = self._operators if adjoint else self._operators[::-1]
        result = order[0].matmul(x, adjoint=adjoint, adjoint_arg=adjoint_arg)
        for op in order[1:]:
            result = op.matmul(result, adjoint=adjoint)
        return result

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        order = self._operators[::-1] if adjoint else self._operators
        result = order[0].solve(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)
        for op in order[1:]:
            result = op.solve(result, adjoint=adjoint)
        return result

    def _determinant(self):
        if all(op.is_square for op in self._operators):
            result = self._operators[0].determinant()
            for op in self._operators[1:]:
                result = result * op.determinant()
            return result
        return super()._determinant()

    def _log_abs_determinant(self):
        if all(op.is_square for op in self._operators):
            return _ops().add_n([op.log_abs_determinant() for op in self._operators])
        return super()._log_abs_determinant()


class LinearOperatorAdjoint(LinearOperator):
    """`tf.linalg.LinearOperatorAdjoint(operator)`: the conjugate transpose of `operator`."""

    def __init__(self, operator, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=None, name=None):
        self._operator = operator
        for hint in ("is_non_singular", "is_self_adjoint", "is_positive_definite"):
            given, implied = locals()[hint], getattr(operator, hint)
            if given is not None and implied is not None and given != implied:
                raise ValueError("An operator's adjoint has the same %s as the operator (%s)" % (hint[3:], implied))
        super().__init__(operator.dtype, [], operator.is_non_singular if is_non_singular is None else is_non_singular,
                         operator.is_self_adjoint if is_self_adjoint is None else is_self_adjoint,
                         operator.is_positive_definite if is_positive_definite is None else is_positive_definite,
                         operator.is_square if is_square is None else is_square,
                         name or operator.name + "_adjoint", dict(operator=operator))

    @property
    def operator(self):
        return self._operator

    def _shape(self):
        shape = self._operator.shape
        if shape.ndims is None:
            return shape
        return TensorShape(shape.dims[:-2] + [shape.dims[-1], shape.dims[-2]])

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return self._operator.matmul(x, adjoint=not adjoint, adjoint_arg=adjoint_arg)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._operator.solve(rhs, adjoint=not adjoint, adjoint_arg=adjoint_arg)

    def _to_dense(self):
        return _ops().linalg.adjoint(self._operator.to_dense())

    def _determinant(self):
        det = self._operator.determinant()
        return _ops().conj(det) if self._dtype.is_complex else det

    def _log_abs_determinant(self):
        return self._operator.log_abs_determinant()

    def _adjoint(self):
        return self._operator


class LinearOperatorInversion(LinearOperator):
    """`tf.linalg.LinearOperatorInversion(operator)`: the inverse of a square, non-singular operator;
    its matmul is the operator's solve and its solve the operator's matmul."""

    def __init__(self, operator, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=None, name=None):
        if operator.is_non_singular is False or is_non_singular is False:
            raise ValueError("operator and supplied hints must have is_non_singular equal to True or None. "
                             "Found %s, %s" % (operator.is_non_singular, is_non_singular))
        if operator.is_square is False or is_square is False:
            raise ValueError("operator and supplied hints must have is_square equal to True or None.")
        self._operator = operator
        super().__init__(operator.dtype, [], operator.is_non_singular if is_non_singular is None else is_non_singular,
                         operator.is_self_adjoint if is_self_adjoint is None else is_self_adjoint,
                         operator.is_positive_definite if is_positive_definite is None else is_positive_definite,
                         True, name or operator.name + "_inv", dict(operator=operator))

    @property
    def operator(self):
        return self._operator

    def _shape(self):
        return self._operator.shape

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return self._operator.solve(x, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._operator.matmul(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def _determinant(self):
        return 1.0 / self._operator.determinant()

    def _log_abs_determinant(self):
        return -self._operator.log_abs_determinant()

    def _inverse(self):
        return self._operator


def _static_dims(operators, attribute):
    dims = [getattr(op, attribute).value for op in operators]
    if None in dims:
        raise ValueError("the block operators need static dimensions, got %s" % dims)
    return dims


class LinearOperatorBlockDiag(LinearOperator):
    """`tf.linalg.LinearOperatorBlockDiag(operators)`: the block-diagonal operator with the given square
    operators on its diagonal."""

    def __init__(self, operators, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=True, name=None):
        operators, dtype = _check_operators(operators, "block diagonal")
        if not is_square:
            raise ValueError("A blockwise diagonal operator is always square.")
        if any(op.is_square is False for op in operators):
            raise ValueError("The operators of a block diagonal operator must be square, got shapes %s"
                             % [str(op.shape) for op in operators])
        self._operators = operators
        self._sizes = _static_dims(operators, "domain_dimension")
        for hint, value in (("is_non_singular", is_non_singular), ("is_self_adjoint", is_self_adjoint),
                            ("is_positive_definite", is_positive_definite)):
            if value is None:
                locals_value = _combined_hint(operators, hint)
                if hint == "is_non_singular":
                    is_non_singular = locals_value
                elif hint == "is_self_adjoint":
                    is_self_adjoint = locals_value
                else:
                    is_positive_definite = locals_value
        super().__init__(dtype, [], is_non_singular, is_self_adjoint, is_positive_definite, True,
                         name or "_ds_".join(op.name for op in operators), dict(operators=operators))

    @property
    def operators(self):
        return list(self._operators)

    def _shape(self):
        batch = _broadcast_batch(*(op.batch_shape for op in self._operators))
        total = sum(self._sizes)
        return TensorShape(None) if batch.ndims is None else batch.concatenate([total, total])

    def _blocks_of(self, x, along_rows=True):
        return _ops().split(x, self._sizes, axis=-2 if along_rows else -1)

    def _apply(self, method, x, adjoint, adjoint_arg):
        tf = _ops()
        x = _adjoint_if(x, adjoint_arg)
        pieces = [getattr(op, method)(part, adjoint=adjoint) for op, part in zip(self._operators, self._blocks_of(x))]
        batch = self.batch_shape
        if batch.ndims:
            pieces = [p + tf.zeros(batch.as_list() + [1, 1], dtype=self._dtype) for p in pieces]
        return tf.concat(pieces, axis=-2)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return self._apply("matmul", x, adjoint, adjoint_arg)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._apply("solve", rhs, adjoint, adjoint_arg)

    def _to_dense(self):
        tf = _ops()
        batch = self.batch_shape.as_list() if self.batch_shape.is_fully_defined() else []
        rows, start, total = [], 0, sum(self._sizes)
        for op, size in zip(self._operators, self._sizes):
            dense = op.to_dense()
            if batch:
                dense = dense + tf.zeros(batch + [1, 1], dtype=self._dtype)
            paddings = [[0, 0]] * len(batch) + [[0, 0], [start, total - start - size]]
            rows.append(tf.pad(dense, paddings))
            start += size
        return tf.concat(rows, axis=-2)

    def _determinant(self):
        result = self._operators[0].determinant()
        for op in self._operators[1:]:
            result = result * op.determinant()
        return result

    def _log_abs_determinant(self):
        return _ops().add_n([op.log_abs_determinant() for op in self._operators])

    def _diag_part(self):
        return _ops().concat([op.diag_part() for op in self._operators], axis=-1)


class LinearOperatorBlockLowerTriangular(LinearOperator):
    """`tf.linalg.LinearOperatorBlockLowerTriangular(operators)`: a block lower-triangular operator;
    operators[i] lists row i's blocks [A_i0, ..., A_ii], the diagonal blocks square."""

    def __init__(self, operators, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=None, name="LinearOperatorBlockLowerTriangular"):
        rows = [list(row) for row in operators]
        if not rows or any(len(row) != i + 1 for i, row in enumerate(rows)):
            raise ValueError("Argument operators must be a list of lists whose row i has i + 1 operators; got row "
                             "lengths %s" % [len(row) for row in rows])
        flat, dtype = _check_operators([op for row in rows for op in row], "block lower triangular")
        diagonal = [row[-1] for row in rows]
        self._sizes = _static_dims(diagonal, "domain_dimension")
        for i, row in enumerate(rows):
            for j, op in enumerate(row):
                if op.shape.ndims is not None and (op.range_dimension.value not in (None, self._sizes[i]) or
                                                   op.domain_dimension.value not in (None, self._sizes[j])):
                    raise ValueError("Block (%d, %d) %s has shape %s; expected [%d, %d]"
                                     % (i, j, op.name, op.shape, self._sizes[i], self._sizes[j]))
        if is_square is False:
            raise ValueError("A block lower triangular operator is always square.")
        self._rows = rows
        if is_non_singular is None:
            is_non_singular = _combined_hint(diagonal, "is_non_singular")
        super().__init__(dtype, [], is_non_singular, is_self_adjoint, is_positive_definite, True, name,
                         dict(operators=operators))

    @property
    def operators(self):
        return [list(row) for row in self._rows]

    def _shape(self):
        batch = _broadcast_batch(*(op.batch_shape for row in self._rows for op in row))
        total = sum(self._sizes)
        return TensorShape(None) if batch.ndims is None else batch.concatenate([total, total])

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        tf = _ops()
        parts = tf.split(_adjoint_if(x, adjoint_arg), self._sizes, axis=-2)
        count = len(self._rows)
        out = []
        for i in range(count):
            if adjoint:      # row i of the adjoint: the adjoints of column i's blocks
                terms = [self._rows[k][i].matmul(parts[k], adjoint=True) for k in range(i, count)]
            else:
                terms = [self._rows[i][j].matmul(parts[j]) for j in range(i + 1)]
            out.append(tf.add_n(terms) if len(terms) > 1 else terms[0])
        return tf.concat(out, axis=-2)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        tf = _ops()
        parts = tf.split(_adjoint_if(rhs, adjoint_arg), self._sizes, axis=-2)
        count = len(self._rows)
        solved = [None] * count
        # Forward substitution (backward for the adjoint, which is block upper triangular).
        order = range(count - 1, -1, -1) if adjoint else range(count)
        for i in order:
            residual = parts[i]
            others = range(i + 1, count) if adjoint else range(i)
            for k in others:
                block = self._rows[k][i] if adjoint else self._rows[i][k]
                residual = residual - block.matmul(solved[k], adjoint=adjoint)
            solved[i] = self._rows[i][i].solve(residual, adjoint=adjoint)
        return tf.concat(solved, axis=-2)

    def _determinant(self):
        result = self._rows[0][0].determinant()
        for row in self._rows[1:]:
            result = result * row[-1].determinant()
        return result

    def _log_abs_determinant(self):
        return _ops().add_n([row[-1].log_abs_determinant() for row in self._rows])


def _kron_dense(a, b):
    """Kronecker products of batches of matrices a [..., m, n] and b [..., p, q]: [..., m p, n q]."""
    tf = _ops()
    m, n = a.shape[-2].value, a.shape[-1].value
    p, q = b.shape[-2].value, b.shape[-1].value
    product = tf.expand_dims(tf.expand_dims(a, -1), -3) * tf.expand_dims(tf.expand_dims(b, -3), -2)
    batch = tf.shape(product)[:-4]
    return tf.reshape(product, tf.concat([batch, [m * p, n * q]], 0))


class LinearOperatorKronecker(LinearOperator):
    """`tf.linalg.LinearOperatorKronecker(operators)`: the Kronecker product operators[0] x operators[1]
    x ...; its determinant is prod_i det(A_i)^(N / n_i) for square factors of sizes n_i, N their product."""

    def __init__(self, operators, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=None, name=None):
        operators, dtype = _check_operators(operators, "Kronecker")
        self._operators = operators
        _static_dims(operators, "domain_dimension")
        _static_dims(operators, "range_dimension")
        if is_non_singular is None:
            is_non_singular = _combined_hint(operators, "is_non_singular")
        if is_self_adjoint is None:
            is_self_adjoint = _combined_hint(operators, "is_self_adjoint")
        super().__init__(dtype, [], is_non_singular, is_self_adjoint, is_positive_definite, is_square,
                         name or "_x_".join(op.name for op in operators), dict(operators=operators))

    @property
    def operators(self):
        return list(self._operators)

    def _shape(self):
        batch = _broadcast_batch(*(op.batch_shape for op in self._operators))
        rows = int(np.prod(_static_dims(self._operators, "range_dimension")))
        cols = int(np.prod(_static_dims(self._operators, "domain_dimension")))
        return TensorShape(None) if batch.ndims is None else batch.concatenate([rows, cols])

    def _to_dense(self):
        dense = self._operators[0].to_dense()
        for op in self._operators[1:]:
            dense = _kron_dense(dense, op.to_dense())
        return dense

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return _ops().matmul(self._to_dense(), x, adjoint_a=adjoint, adjoint_b=adjoint_arg)

    def _factor_powers(self):
        sizes = _static_dims(self._operators, "domain_dimension")
        total = int(np.prod(sizes))
        return [total // size for size in sizes]

    def _determinant(self):
        if not all(op.is_square for op in self._operators):
            return super()._determinant()
        result = None
        for op, power in zip(self._operators, self._factor_powers()):
            term = op.determinant() ** power
            result = term if result is None else result * term
        return result

    def _log_abs_determinant(self):
        if not all(op.is_square for op in self._operators):
            return super()._log_abs_determinant()
        return _ops().add_n([op.log_abs_determinant() * float(power)
                             for op, power in zip(self._operators, self._factor_powers())])


# --- structured matrices from vectors --------------------------------------------------------------------
class _CirculantBase(LinearOperator):
    """Circulant operators of block depth 1, 2 or 3: diagonal in the 1, 2 or 3-D discrete Fourier basis,
    with eigenvalues `spectrum` [..., n0 (, n1 (, n2))]; the operator acts on vectors of length
    n0 n1 n2 (flattened row-major) and its first column is the inverse DFT of the spectrum."""

    block_depth = 1

    def __init__(self, spectrum, input_output_dtype=dtypes.complex64, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=True, name=None):
        tf = _ops()
        if not is_square:
            raise ValueError("A circulant operator is always square.")
        with name_scope(name):
            spectrum = convert_to_tensor(spectrum, name="spectrum")
            if not spectrum.dtype.is_complex:
                if spectrum.dtype not in _MATRIX_DTYPES:
                    raise TypeError("spectrum must be float or complex, got %s" % spectrum.dtype.name)
                spectrum = tf.cast(spectrum, dtypes.complex128 if spectrum.dtype is dtypes.float64
                                   else dtypes.complex64)
            self._spectrum = spectrum
        if spectrum.shape.ndims is not None and spectrum.shape.ndims < self.block_depth:
            raise ValueError("spectrum must have rank >= %d, got shape %s" % (self.block_depth, spectrum.shape))
        self._block_shape = [d.value for d in spectrum.shape.dims[-self.block_depth:]]
        if None in self._block_shape:
            raise ValueError("the spectrum's last %d dimensions must be known statically, got %s"
                             % (self.block_depth, spectrum.shape))
        super().__init__(dtypes.as_dtype(input_output_dtype), [spectrum], is_non_singular, is_self_adjoint,
                         is_positive_definite, True, name, dict(spectrum=spectrum, input_output_dtype=input_output_dtype))

    @property
    def spectrum(self):
        return self._spectrum

    @property
    def block_shape(self):
        return list(self._block_shape)

    def _shape(self):
        shape = self._spectrum.shape
        size = int(np.prod(self._block_shape))
        return TensorShape(shape.dims[:-self.block_depth]).concatenate([size, size])

    def _transforms(self):
        signal = _ops().signal
        return {1: (signal.fft, signal.ifft), 2: (signal.fft2d, signal.ifft2d),
                3: (signal.fft3d, signal.ifft3d)}[self.block_depth]

    def _apply_spectrum(self, x, scale):
        """ifft(scale * fft(x)) on each column of x [..., N, R], columns reshaped to the block shape."""
        tf = _ops()
        forward, inverse = self._transforms()
        columns = tf.transpose(tf.cast(x, self._spectrum.dtype), _swap_last_two(x.shape.ndims))
        lead = tf.shape(columns)[:-1]
        blocks = tf.reshape(columns, tf.concat([lead, self._block_shape], 0))
        rank = self._spectrum.shape.ndims
        # The spectrum gets an axis for the columns so that it broadcasts over them.
        spectrum = tf.expand_dims(scale, rank - self.block_depth)
        mixed = inverse(spectrum * forward(blocks))
        flat = tf.reshape(mixed, tf.shape(columns))
        out = tf.transpose(flat, _swap_last_two(x.shape.ndims))
        return tf.real(out) if not self._dtype.is_complex else tf.cast(out, self._dtype)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        tf = _ops()
        scale = tf.conj(self._spectrum) if adjoint else self._spectrum
        return self._apply_spectrum(_adjoint_if(x, adjoint_arg), scale)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        tf = _ops()
        scale = tf.conj(self._spectrum) if adjoint else self._spectrum
        return self._apply_spectrum(_adjoint_if(rhs, adjoint_arg), 1.0 / scale)

    def _spectrum_values(self):
        tf = _ops()
        batch = tf.shape(self._spectrum)[:self._spectrum.shape.ndims - self.block_depth]
        return tf.reshape(self._spectrum, tf.concat([batch, [-1]], 0))

    def _determinant(self):
        tf = _ops()
        det = tf.reduce_prod(self._spectrum_values(), axis=-1)
        return tf.real(det) if not self._dtype.is_complex else tf.cast(det, self._dtype)

    def _log_abs_determinant(self):
        tf = _ops()
        value = tf.reduce_sum(tf.log(tf.abs(self._spectrum_values())), axis=-1)
        return tf.cast(value, self._real_dtype())

    def _trace(self):
        tf = _ops()
        trace = tf.reduce_sum(self._spectrum_values(), axis=-1)
        return tf.real(trace) if not self._dtype.is_complex else tf.cast(trace, self._dtype)

    def _to_dense(self):
        tf = _ops()
        size = int(np.prod(self._block_shape))
        identity = tf.eye(size, dtype=self._dtype)
        batch = self.batch_shape
        if batch.ndims:
            identity = identity + tf.zeros(batch.as_list() + [1, 1], dtype=self._dtype)
        return self._matmul(identity)

    def convolution_kernel(self, name="convolution_kernel"):
        """The first column of the operator (as blocks): the inverse DFT of the spectrum."""
        _, inverse = self._transforms()
        with self._name_scope(name):
            kernel = inverse(self._spectrum)
            return _ops().real(kernel) if not self._dtype.is_complex else kernel


def _swap_last_two(rank):
    return list(range(rank - 2)) + [rank - 1, rank - 2]


class LinearOperatorCirculant(_CirculantBase):
    """`tf.linalg.LinearOperatorCirculant(spectrum, input_output_dtype=tf.complex64)`: circulant
    matrices C[i, j] = c[(i - j) mod n] given by their eigenvalues `spectrum` [..., n] (c = ifft(spectrum));
    results are real (the real part) when input_output_dtype is a float type."""

    block_depth = 1

    def __init__(self, spectrum, input_output_dtype=dtypes.complex64, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=True, name="LinearOperatorCirculant"):
        super().__init__(spectrum, input_output_dtype, is_non_singular, is_self_adjoint, is_positive_definite,
                         is_square, name)


class LinearOperatorCirculant2D(_CirculantBase):
    """`tf.linalg.LinearOperatorCirculant2D(spectrum, ...)`: block-circulant operators with circulant
    blocks, diagonal in the 2-D DFT basis, eigenvalues spectrum [..., n0, n1]."""

    block_depth = 2

    def __init__(self, spectrum, input_output_dtype=dtypes.complex64, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=True, name="LinearOperatorCirculant2D"):
        super().__init__(spectrum, input_output_dtype, is_non_singular, is_self_adjoint, is_positive_definite,
                         is_square, name)


class LinearOperatorCirculant3D(_CirculantBase):
    """`tf.linalg.LinearOperatorCirculant3D(spectrum, ...)`: nested block-circulant operators, diagonal in
    the 3-D DFT basis, eigenvalues spectrum [..., n0, n1, n2]."""

    block_depth = 3

    def __init__(self, spectrum, input_output_dtype=dtypes.complex64, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=True, name="LinearOperatorCirculant3D"):
        super().__init__(spectrum, input_output_dtype, is_non_singular, is_self_adjoint, is_positive_definite,
                         is_square, name)


class LinearOperatorHouseholder(LinearOperator):
    """`tf.linalg.LinearOperatorHouseholder(reflection_axis)`: the reflection I - 2 v v^H / (v^H v)
    through the hyperplane orthogonal to v = reflection_axis [..., N]: self-adjoint, its own inverse,
    determinant -1."""

    def __init__(self, reflection_axis, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=None, name="LinearOperatorHouseholder"):
        with name_scope(name):
            self._axis = convert_to_tensor(reflection_axis, name="reflection_axis")
        _check_dtype(self._axis, "reflection_axis")
        if is_self_adjoint is False:
            raise ValueError("A Householder operator is always self adjoint.")
        if is_non_singular is False:
            raise ValueError("A Householder operator is always non-singular.")
        if is_positive_definite is True:
            raise ValueError("A Householder operator is never positive definite.")
        if is_square is False:
            raise ValueError("A Householder operator is always square.")
        super().__init__(self._axis.dtype, [self._axis], True, True, False, True, name,
                         dict(reflection_axis=reflection_axis))

    @property
    def reflection_axis(self):
        return self._axis

    def _shape(self):
        shape = self._axis.shape
        return TensorShape(None) if shape.ndims is None else shape.concatenate([shape[-1]])

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        tf = _ops()
        x = _adjoint_if(x, adjoint_arg)
        axis = tf.expand_dims(self._axis, -1)                                # [..., N, 1]
        norm_squared = tf.reduce_sum(tf.conj(axis) * axis, axis=-2, keepdims=True)
        projection = tf.matmul(axis, x, adjoint_a=True)                      # v^H x: [..., 1, R]
        return x - 2.0 * axis * projection / norm_squared

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._matmul(rhs, adjoint, adjoint_arg)

    def _determinant(self):
        tf = _ops()
        return -tf.ones(tf.shape(self._axis)[:-1], dtype=self._dtype)

    def _log_abs_determinant(self):
        tf = _ops()
        return tf.zeros(tf.shape(self._axis)[:-1], dtype=self._real_dtype())

    def _inverse(self):
        return self


class LinearOperatorToeplitz(LinearOperator):
    """`tf.linalg.LinearOperatorToeplitz(col, row)`: the Toeplitz matrices T[i, j] = col[i - j] for i >= j,
    row[j - i] above the diagonal (col[0] is the diagonal; row[0] is not used)."""

    def __init__(self, col, row, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=None, name="LinearOperatorToeplitz"):
        with name_scope(name):
            self._col = convert_to_tensor(col, name="col")
            self._row = convert_to_tensor(row, dtype=self._col.dtype, name="row")
        _check_dtype(self._col, "col")
        if not self._col.shape[-1:].is_compatible_with(self._row.shape[-1:]):
            raise ValueError("col and row must have one length, got shapes %s and %s" % (self._col.shape, self._row.shape))
        if is_square is False:
            raise ValueError("Only square Toeplitz operators currently supported.")
        self._size = self._col.shape[-1].value
        if self._size is None:
            raise ValueError("col's length must be known statically, got shape %s" % self._col.shape)
        super().__init__(self._col.dtype, [self._col, self._row], is_non_singular, is_self_adjoint,
                         is_positive_definite, True, name, dict(col=col, row=row))

    @property
    def col(self):
        return self._col

    @property
    def row(self):
        return self._row

    def _shape(self):
        batch = _broadcast_batch(self._col.shape[:-1], self._row.shape[:-1])
        return TensorShape(None) if batch.ndims is None else batch.concatenate([self._size, self._size])

    def _to_dense(self):
        tf = _ops()
        n = self._size
        # values[k] for k = 0 .. 2n-2: row reversed (without row[0]) then col; T[i, j] = values[n - 1 + i - j].
        batch = self.batch_shape.as_list()
        col = self._col + tf.zeros(batch + [1], dtype=self._dtype) if batch else self._col
        row = self._row + tf.zeros(batch + [1], dtype=self._dtype) if batch else self._row
        values = tf.concat([tf.reverse(row[..., 1:], [-1]), col], axis=-1)
        index = (n - 1) + np.arange(n)[:, None] - np.arange(n)[None, :]
        return tf.gather(values, index.astype(np.int32), axis=-1, batch_dims=0) if not batch else \
            tf.gather(values, index.astype(np.int32), axis=len(batch), batch_dims=0)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return _ops().matmul(self._to_dense(), x, adjoint_a=adjoint, adjoint_b=adjoint_arg)


class LinearOperatorLowRankUpdate(LinearOperator):
    """`tf.linalg.LinearOperatorLowRankUpdate(base_operator, u, diag_update=None, v=None)`:
    A = L + U D V^H for a base operator L [..., M, N], U [..., M, K], V [..., N, K] (V = U when None) and
    D = diag(diag_update) (the identity when None)."""

    def __init__(self, base_operator, u, diag_update=None, v=None, is_diag_update_positive=None,
                 is_non_singular=None, is_self_adjoint=None, is_positive_definite=None, is_square=None,
                 name="LinearOperatorLowRankUpdate"):
        dtype = base_operator.dtype
        with name_scope(name):
            self._u = convert_to_tensor(u, dtype=dtype, name="u")
            self._v = self._u if v is None else convert_to_tensor(v, dtype=dtype, name="v")
            self._diag_update = None if diag_update is None else convert_to_tensor(diag_update, dtype=dtype,
                                                                                   name="diag_update")
        if v is None and is_self_adjoint is None and base_operator.is_self_adjoint and \
                (diag_update is None or not dtype.is_complex):
            is_self_adjoint = True
        if v is None and base_operator.is_positive_definite and (diag_update is None or is_diag_update_positive):
            if is_positive_definite is None:
                is_positive_definite = True
        self._base = base_operator
        self._is_diag_update_positive = is_diag_update_positive
        super().__init__(dtype, [self._u, self._v], is_non_singular, is_self_adjoint, is_positive_definite,
                         is_square, name, dict(base_operator=base_operator, u=u, diag_update=diag_update, v=v))

    @property
    def base_operator(self):
        return self._base

    @property
    def u(self):
        return self._u

    @property
    def v(self):
        return self._v

    @property
    def diag_update(self):
        return self._diag_update

    def _shape(self):
        batch = _broadcast_batch(self._base.batch_shape, self._u.shape[:-2], self._v.shape[:-2])
        shape = self._base.shape
        return TensorShape(None) if batch.ndims is None or shape.ndims is None else \
            batch.concatenate(shape[-2:])

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        tf = _ops()
        x = _adjoint_if(x, adjoint_arg)
        left, right = (self._v, self._u) if adjoint else (self._u, self._v)
        core = tf.matmul(right, x, adjoint_a=True)                 # V^H x  (U^H x for the adjoint)
        if self._diag_update is not None:
            diag = tf.conj(self._diag_update) if adjoint and self._dtype.is_complex else self._diag_update
            core = tf.expand_dims(diag, -1) * core
        return self._base.matmul(x, adjoint=adjoint) + tf.matmul(left, core)

    def _to_dense(self):
        tf = _ops()
        right = tf.linalg.adjoint(self._v)
        if self._diag_update is not None:
            right = tf.expand_dims(self._diag_update, -1) * right
        return self._base.to_dense() + tf.matmul(self._u, right)


class LinearOperatorPermutation(LinearOperator):
    """`tf.linalg.LinearOperatorPermutation(perm, dtype=tf.float32)`: the permutation matrices with
    P[i, perm[i]] = 1, so that (P x)[i] = x[perm[i]]; orthogonal, determinant +-1."""

    def __init__(self, perm, dtype=dtypes.float32, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name="LinearOperatorPermutation"):
        with name_scope(name):
            self._perm = convert_to_tensor(perm, name="perm")
        if not self._perm.dtype.is_integer:
            raise TypeError("perm must be integer dtype, got %s" % self._perm.dtype.name)
        if is_non_singular is False:
            raise ValueError("A Permutation operator is always non-singular.")
        if is_square is False:
            raise ValueError("A Permutation operator is always square.")
        self._size = self._perm.shape[-1].value if self._perm.shape.ndims else None
        if self._size is None:
            raise ValueError("perm's length must be known statically, got shape %s" % self._perm.shape)
        super().__init__(dtypes.as_dtype(dtype), [self._perm], True, is_self_adjoint, is_positive_definite, True,
                         name, dict(perm=perm, dtype=dtype))

    @property
    def perm(self):
        return self._perm

    def _shape(self):
        return self._perm.shape.concatenate([self._size])

    def _to_dense(self):
        return _ops().one_hot(self._perm, self._size, dtype=self._dtype)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return _ops().matmul(self._to_dense(), x, adjoint_a=adjoint, adjoint_b=adjoint_arg)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._matmul(rhs, not adjoint, adjoint_arg)

    def _log_abs_determinant(self):
        tf = _ops()
        return tf.zeros(tf.shape(self._perm)[:-1], dtype=self._real_dtype())


class LinearOperatorTridiag(LinearOperator):
    """`tf.linalg.LinearOperatorTridiag(diagonals, diagonals_format='compact')`: tridiagonal matrices given
    as 'compact' [..., 3, N] (superdiagonal, diagonal, subdiagonal; superdiag[-1] and subdiag[0] unused),
    'sequence' (a list of those three [..., N] tensors) or 'matrix' [..., N, N] (only its three diagonals
    used)."""

    def __init__(self, diagonals, diagonals_format="compact", is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name="LinearOperatorTridiag"):
        tf = _ops()
        if diagonals_format not in ("compact", "sequence", "matrix"):
            raise ValueError("Diagonals Format must be one of compact, matrix, sequence, got %r" % diagonals_format)
        with name_scope(name):
            if diagonals_format == "sequence":
                parts = [convert_to_tensor(d) for d in diagonals]
                if len(parts) != 3:
                    raise ValueError("Expected diagonals to be a sequence of length 3, got %d" % len(parts))
                superdiag, diag, subdiag = parts
            elif diagonals_format == "compact":
                compact = convert_to_tensor(diagonals, name="diagonals")
                superdiag, diag, subdiag = compact[..., 0, :], compact[..., 1, :], compact[..., 2, :]
            else:
                matrix = convert_to_tensor(diagonals, name="diagonals")
                diag = tf.linalg.diag_part(matrix)
                superdiag = tf.pad(tf.linalg.diag_part(matrix[..., :-1, 1:]), _last_axis_pad(matrix, 0, 1))
                subdiag = tf.pad(tf.linalg.diag_part(matrix[..., 1:, :-1]), _last_axis_pad(matrix, 1, 0))
        _check_dtype(diag, "diagonals")
        self._superdiag, self._diag, self._subdiag = superdiag, diag, subdiag
        self._diagonals, self._format = diagonals, diagonals_format
        self._size = diag.shape[-1].value if diag.shape.ndims else None
        if self._size is None:
            raise ValueError("the diagonals' length must be known statically, got shape %s" % diag.shape)
        if is_square is False:
            raise ValueError("Only square tridiagonal operators are supported.")
        super().__init__(diag.dtype, [diag], is_non_singular, is_self_adjoint, is_positive_definite, True, name,
                         dict(diagonals=diagonals, diagonals_format=diagonals_format))

    @property
    def diagonals(self):
        return self._diagonals

    @property
    def diagonals_format(self):
        return self._format

    def _shape(self):
        return self._diag.shape.concatenate([self._size])

    def _to_dense(self):
        tf = _ops()
        rank = self._diag.shape.ndims
        lead = [[0, 0]] * (rank - 1)
        upper = tf.pad(tf.linalg.diag(self._superdiag[..., :-1]), lead + [[0, 1], [1, 0]])
        lower = tf.pad(tf.linalg.diag(self._subdiag[..., 1:]), lead + [[1, 0], [0, 1]])
        return tf.linalg.diag(self._diag) + upper + lower

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return _ops().matmul(self._to_dense(), x, adjoint_a=adjoint, adjoint_b=adjoint_arg)

    def _diag_part(self):
        return self._diag


def _last_axis_pad(matrix, before, after):
    return [[0, 0]] * (matrix.shape.ndims - 2) + [[before, after]]
