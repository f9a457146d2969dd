"""Fused optimizer updates: one stateful op per variable and step, as TF1's `training_ops`.

Each op names the variable and its slot variables through ref inputs (the plan never reads them) and
takes the hyperparameters and the gradient as ordinary inputs. Its kernel updates the running Session's
storage IN PLACE with NumPy `out=` arguments, writing the variable last (after every read of the
gradient), and returns the variable's new value (shared storage, copied by the plan if fetched).

Input orders follow TF's ops:
  ApplyGradientDescent(var, alpha, delta)
  ApplyMomentum(var, accum, lr, grad, momentum)                       attrs use_nesterov
  ApplyAdagrad(var, accum, lr, grad)
  ApplyAdam(var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad)   attrs use_nesterov
  ApplyRMSProp(var, ms, mom, lr, rho, momentum, epsilon, grad)
  ApplyCenteredRMSProp(var, mg, ms, mom, lr, rho, momentum, epsilon, grad)
  ApplyAdadelta(var, accum, accum_update, lr, rho, epsilon, grad)

A large variable's update runs over successive chunks of its elements (`_update_in_chunks`): each of the
update's NumPy passes then reads arrays the previous pass left in the L2 cache, instead of streaming
the variable, its slots and the gradient through main memory once per pass. Every element goes through
the same operations in the same order, so the result is the same, bit for bit, as one whole-array update.
"""
import numpy as np

from ..framework.graph import convert_to_tensor, is_tensor_like
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import format_shape
from .common import check_same_dtype, make_tensor
from .state import _ref_of, _uninitialized, _variable_op_of

__all__ = ["apply_gradient_descent", "apply_momentum", "apply_adagrad", "apply_adam", "apply_rms_prop",
           "apply_centered_rms_prop", "apply_adadelta"]


# Elements per chunk of a large variable's update: the variable, its slots, the gradient and the update's
# temporaries (six to eight arrays of this many elements) stay within the L2 and L3 caches across its
# passes. Smaller chunks fit L2 better but pay the update's ~15 ufunc calls (~1 us each) more often.
# Chosen by benchmarks/bench_kernels.py (`--only chunks`; the curve is in benchmarks/results/kernels.txt).
CHUNK_ELEMENTS = 65536
# Variables with fewer elements are updated whole: their arrays stay in cache anyway, and the per-chunk
# overhead costs about what chunking saves below this size.
CHUNKING_THRESHOLD = 4 * CHUNK_ELEMENTS


def _chunkable(refs, args):
    """Whether flat chunks of `refs` are views of their storage (C-contiguous) and every non-scalar
    input has the variable's shape (anything else keeps the whole-array update and its broadcasting)."""
    shape = refs[0].shape
    for ref in refs:
        if ref.shape != shape or not ref.flags.c_contiguous:
            return False
    return all(np.ndim(arg) == 0 or np.shape(arg) == shape for arg in args)


def _flat(refs, args):
    """Flat views of the variables `refs` and the non-scalar inputs in `args` (scalars as they are). A
    non-contiguous gradient is copied once here (reshape), still cheaper than the passes it saves."""
    return [ref.reshape(-1) for ref in refs], [arg if np.ndim(arg) == 0 else np.reshape(arg, -1) for arg in args]


def _update_in_chunks(update, refs, args, one, attrs, chunk=None):
    """Runs `update(refs, args, one, attrs)` on successive flat chunks of `chunk` elements (default
    CHUNK_ELEMENTS) of the variables `refs` and the non-scalar inputs in `args`, scalars passed whole.

    `update` works elementwise, so each chunk is updated exactly as it would be within the whole arrays;
    the chunks are views, so the in-place writes land in the variables' storage."""
    chunk = chunk or CHUNK_ELEMENTS
    flat_refs, flat_args = _flat(refs, args)
    array_args = [index for index, arg in enumerate(args) if np.ndim(arg)]
    chunk_args = list(flat_args)
    for start in range(0, flat_refs[0].size, chunk):
        stop = start + chunk
        for index in array_args:
            chunk_args[index] = flat_args[index][start:stop]
        update([ref[start:stop] for ref in flat_refs], chunk_args, one, attrs)


# In a plan's concurrent variant, variables this large are updated in two halves at once (measured on
# the deep MNIST CNN's 3136x1024 Adam update: benchmarks/results/concurrency.txt).
SPLIT_THRESHOLD = 1 << 20


def _update_halves_at_once(submit, update, refs, args, one, attrs):
    """`_update_in_chunks` over the second half of the flat elements on the worker (`submit`) while
    this thread updates the first half; the halves meet at a chunk boundary."""
    size = refs[0].size
    half = (size // 2) // CHUNK_ELEMENTS * CHUNK_ELEMENTS or size // 2
    flat_refs, flat_args = _flat(refs, args)
    part = lambda values, start, stop: [v if np.ndim(v) == 0 else v[start:stop] for v in values]  # noqa: E731
    second = submit(_update_in_chunks, update, part(flat_refs, half, size), part(flat_args, half, size),
                    one, attrs)
    _update_in_chunks(update, part(flat_refs, 0, half), part(flat_args, 0, half), one, attrs)
    second.result()


class _ApplyOp(OpDef):
    """Shared shape/dtype rule and storage access of the fused updates.

    `inputs` names every input in TF's order; `refs` how many leading ones are variables (the variable
    and its slots); `scalars` those that must be scalars. The kernel callable receives the non-ref
    inputs in order.
    """

    stateful = True
    updates_state = True
    returns_shared = True
    differentiable = False
    inputs = ()
    refs = 1
    scalars = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.ref_inputs = tuple(range(cls.refs))

    def infer(self, op):
        if len(op.inputs) != len(self.inputs):
            raise ValueError("%s takes %d inputs (%s), got %d"
                             % (self.type, len(self.inputs), ", ".join(self.inputs), len(op.inputs)))
        var = op.inputs[0]
        for index, (arg, tensor) in enumerate(zip(self.inputs, op.inputs)):
            if index < self.refs:
                _variable_op_of(tensor)
            check_same_dtype(self.type, var, tensor, "var", arg)
            if arg in self.scalars:
                if tensor.shape.ndims not in (None, 0):
                    raise ValueError("Shape must be rank 0 but is rank %d for input '%s'"
                                     % (tensor.shape.ndims, arg))
            elif not var.shape.is_compatible_with(tensor.shape):
                raise ValueError("Shapes of 'var' and '%s' must be equal, but are %s and %s"
                                 % (arg, format_shape(var.shape), format_shape(tensor.shape)))
        return [(var.dtype, var.shape)]

    def kernel(self, op, ctx):
        return self._update_kernel(op, ctx, None)

    def concurrent_kernel(self, op, ctx, submit):
        """Variables of at least SPLIT_THRESHOLD elements are updated in two halves at once (one on the
        inter-op worker): the update is elementwise, so each half gets exactly its sequential result."""
        size = op.inputs[0].shape.num_elements()
        if ctx.xp is not np or size is None or size < SPLIT_THRESHOLD:
            return None
        return self._update_kernel(op, ctx, submit)

    def _update_kernel(self, op, ctx, submit):
        variable_ops = [op.inputs[i].op for i in range(self.refs)]
        cells = [ctx.variable_cell(v) for v in variable_ops]
        update = self.update
        one = op.inputs[0].dtype.np.type(1)
        attrs = op.attrs
        # On a device the arrays are not in this CPU's cache: chunks would only add launches.
        chunking = ctx.xp is np

        def apply(*args):
            # Runs once per variable and step: small models feel every microsecond here.
            refs = [cell.value for cell in cells]
            for value in refs:
                if value is None:
                    raise _uninitialized(next(v for v, c in zip(variable_ops, cells) if c.value is None))
            if chunking and refs[0].size >= CHUNKING_THRESHOLD and _chunkable(refs, args):
                if submit is not None:
                    _update_halves_at_once(submit, update, refs, args, one, attrs)
                else:
                    _update_in_chunks(update, refs, args, one, attrs)
            else:
                update(refs, args, one, attrs)
            return refs[0]
        return apply

    @staticmethod
    def update(refs, args, one, attrs):
        """Updates `refs` (the variable, then its slots) in place from the non-ref inputs `args`."""
        raise NotImplementedError


def _apply(op_type, refs, values, name, attrs=None):
    refs = [_ref_of(r) for r in refs]
    for ref in refs:
        _variable_op_of(ref)
    dtype = refs[0].dtype
    # Tensors keep their dtype (a mismatch is the op's TypeError); Python and NumPy values take the var's.
    values = [convert_to_tensor(v) if is_tensor_like(v) else convert_to_tensor(v, dtype=dtype) for v in values]
    return make_tensor(op_type, refs + values, attrs, name=name or op_type)


@register
class ApplyGradientDescent(_ApplyOp):
    """var -= alpha * delta."""

    inputs = ("var", "alpha", "delta")
    scalars = ("alpha",)

    @staticmethod
    def update(refs, args, one, attrs):
        var, = refs
        alpha, delta = args
        np.subtract(var, delta * alpha, out=var)


def apply_gradient_descent(var, alpha, delta, use_locking=False, name=None):
    """`ApplyGradientDescent`: var -= alpha * delta, in place; evaluates to the updated variable."""
    return _apply("ApplyGradientDescent", [var], [alpha, delta], name)


@register
class ApplyMomentum(_ApplyOp):
    """accum = accum * momentum + grad; var -= lr * accum (Nesterov: var -= lr * (grad + momentum * accum))."""

    inputs = ("var", "accum", "lr", "grad", "momentum")
    refs = 2
    scalars = ("lr", "momentum")

    @staticmethod
    def update(refs, args, one, attrs):
        var, accum = refs
        lr, grad, momentum = args
        np.multiply(accum, momentum, out=accum)
        np.add(accum, grad, out=accum)
        if attrs.get("use_nesterov", False):
            step = grad * lr
            step += accum * (momentum * lr)
            np.subtract(var, step, out=var)
        else:
            np.subtract(var, accum * lr, out=var)


def apply_momentum(var, accum, lr, grad, momentum, use_locking=False, use_nesterov=False, name=None):
    """`ApplyMomentum`: the momentum update of `var` and its accumulator, in place."""
    return _apply("ApplyMomentum", [var, accum], [lr, grad, momentum], name,
                  {"use_nesterov": bool(use_nesterov)})


@register
class ApplyAdagrad(_ApplyOp):
    """accum += grad^2; var -= lr * grad / sqrt(accum)."""

    inputs = ("var", "accum", "lr", "grad")
    refs = 2
    scalars = ("lr",)

    @staticmethod
    def update(refs, args, one, attrs):
        var, accum = refs
        lr, grad = args
        if attrs.get("update_slots", True):
            np.add(accum, np.square(grad), out=accum)
        step = grad * lr
        step /= np.sqrt(accum)
        np.subtract(var, step, out=var)


def apply_adagrad(var, accum, lr, grad, use_locking=False, update_slots=True, name=None):
    """`ApplyAdagrad`: the Adagrad update of `var` and its accumulator, in place."""
    return _apply("ApplyAdagrad", [var, accum], [lr, grad], name, {"update_slots": bool(update_slots)})


@register
class ApplyAdam(_ApplyOp):
    """lr_t = lr * sqrt(1 - beta2_power) / (1 - beta1_power); m += (grad - m) * (1 - beta1);
    v += (grad^2 - v) * (1 - beta2); var -= lr_t * m / (sqrt(v) + epsilon)."""

    inputs = ("var", "m", "v", "beta1_power", "beta2_power", "lr", "beta1", "beta2", "epsilon", "grad")
    refs = 3
    scalars = ("beta1_power", "beta2_power", "lr", "beta1", "beta2", "epsilon")

    @staticmethod
    def update(refs, args, one, attrs):
        var, m, v = refs
        beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad = args
        alpha = lr * np.sqrt(one - beta2_power) / (one - beta1_power)
        step = grad - m
        step *= one - beta1
        m += step
        square = grad * grad
        square -= v
        square *= one - beta2
        v += square
        denominator = np.sqrt(v)
        denominator += epsilon
        if attrs.get("use_nesterov", False):
            step = m * beta1
            step += grad * (one - beta1)
            step *= alpha
        else:
            step = m * alpha
        step /= denominator
        var -= step


def apply_adam(var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad, use_locking=False,
               use_nesterov=False, name=None):
    """`ApplyAdam`: the Adam update of `var` and its moments `m`, `v`, in place."""
    return _apply("ApplyAdam", [var, m, v], [beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad],
                  name, {"use_nesterov": bool(use_nesterov)})


@register
class ApplyRMSProp(_ApplyOp):
    """ms = rho * ms + (1 - rho) * grad^2; mom = momentum * mom + lr * grad / sqrt(ms + epsilon);
    var -= mom."""

    inputs = ("var", "ms", "mom", "lr", "rho", "momentum", "epsilon", "grad")
    refs = 3
    scalars = ("lr", "rho", "momentum", "epsilon")

    @staticmethod
    def update(refs, args, one, attrs):
        var, ms, mom = refs
        lr, rho, momentum, epsilon, grad = args
        np.add(ms, (np.square(grad) - ms) * (one - rho), out=ms)
        denominator = ms + epsilon
        step = grad * lr
        step /= np.sqrt(denominator)
        np.multiply(mom, momentum, out=mom)
        np.add(mom, step, out=mom)
        np.subtract(var, mom, out=var)


def apply_rms_prop(var, ms, mom, lr, rho, momentum, epsilon, grad, use_locking=False, name=None):
    """`ApplyRMSProp`: the RMSProp update of `var`, its mean square `ms` and momentum `mom`, in place."""
    return _apply("ApplyRMSProp", [var, ms, mom], [lr, rho, momentum, epsilon, grad], name)


@register
class ApplyCenteredRMSProp(_ApplyOp):
    """As ApplyRMSProp, normalizing by the estimated variance ms - mg^2 (mg: the mean gradient)."""

    inputs = ("var", "mg", "ms", "mom", "lr", "rho", "momentum", "epsilon", "grad")
    refs = 4
    scalars = ("lr", "rho", "momentum", "epsilon")

    @staticmethod
    def update(refs, args, one, attrs):
        var, mg, ms, mom = refs
        lr, rho, momentum, epsilon, grad = args
        np.add(ms, (np.square(grad) - ms) * (one - rho), out=ms)
        np.add(mg, (grad - mg) * (one - rho), out=mg)
        denominator = ms - np.square(mg)
        denominator += epsilon
        step = grad * lr
        step /= np.sqrt(denominator)
        np.multiply(mom, momentum, out=mom)
        np.add(mom, step, out=mom)
        np.subtract(var, mom, out=var)


def apply_centered_rms_prop(var, mg, ms, mom, lr, rho, momentum, epsilon, grad, use_locking=False, name=None):
    """`ApplyCenteredRMSProp`: the centered RMSProp update, in place."""
    return _apply("ApplyCenteredRMSProp", [var, mg, ms, mom], [lr, rho, momentum, epsilon, grad], name)


@register
class ApplyAdadelta(_ApplyOp):
    """accum = rho * accum + (1 - rho) * grad^2;
    update = sqrt(accum_update + epsilon) / sqrt(accum + epsilon) * grad;
    accum_update = rho * accum_update + (1 - rho) * update^2; var -= lr * update."""

    inputs = ("var", "accum", "accum_update", "lr", "rho", "epsilon", "grad")
    refs = 3
    scalars = ("lr", "rho", "epsilon")

    @staticmethod
    def update(refs, args, one, attrs):
        var, accum, accum_update = refs
        lr, rho, epsilon, grad = args
        np.multiply(accum, rho, out=accum)
        np.add(accum, np.square(grad) * (one - rho), out=accum)
        step = np.sqrt(accum_update + epsilon)
        step /= np.sqrt(accum + epsilon)
        step *= grad
        np.multiply(accum_update, rho, out=accum_update)
        np.add(accum_update, np.square(step) * (one - rho), out=accum_update)
        step *= lr
        np.subtract(var, step, out=var)


def apply_adadelta(var, accum, accum_update, lr, rho, epsilon, grad, use_locking=False, name=None):
    """`ApplyAdadelta`: the Adadelta update of `var` and its two accumulators, in place."""
    return _apply("ApplyAdadelta", [var, accum, accum_update], [lr, rho, epsilon, grad], name)
