"""Fused proximal and dual-averaging optimizer updates, as TF1's `training_ops` of the same names.

They share `ops/training.py`'s machinery (ref inputs for the variable and its slots, in-place NumPy
updates, the variable written last). Input orders follow TF's ops:
  ApplyFtrl(var, accum, linear, grad, lr, l1, l2, lr_power)
  ApplyFtrlV2(var, accum, linear, grad, lr, l1, l2, l2_shrinkage, lr_power)
  ApplyProximalGradientDescent(var, alpha, l1, l2, delta)
  ApplyProximalAdagrad(var, accum, lr, l1, l2, grad)
  ApplyAdagradDA(var, gradient_accumulator, gradient_squared_accumulator, grad, lr, l1, l2, global_step)
"""
import types

import numpy as np

from ..framework import dtypes
from .training import _apply, _ApplyOp
from ..framework.op_def import register

__all__ = ["apply_ftrl", "apply_ftrl_v2", "apply_proximal_gradient_descent", "apply_proximal_adagrad",
           "apply_adagrad_da"]


def _power(values, exponent):
    # TF special-cases the default power 0.5 as a square root; doing the same keeps float32 results equal.
    if exponent == 0.5:
        return np.sqrt(values)
    return np.power(values, exponent)


def _shrink(values, threshold, scale, out):
    """out = sign(values) * max(|values| - threshold, 0) / scale: the proximal step of an l1 + l2 penalty."""
    magnitude = np.abs(values)
    magnitude -= threshold
    np.maximum(magnitude, 0, out=magnitude)
    magnitude *= np.sign(values)
    np.divide(magnitude, scale, out=out)


def _ftrl_update(refs, grad, lr, l1, l2, lr_power, shrinkage_grad):
    var, accum, linear = refs
    exponent = -lr_power
    new_accum = accum + np.square(grad)
    linear += shrinkage_grad
    linear -= (_power(new_accum, exponent) - _power(accum, exponent)) / lr * var
    quadratic = _power(new_accum, exponent) / lr
    quadratic += 2 * l2
    accum[...] = new_accum
    # |linear| <= l1 gives exactly zero: the sparsity FTRL-Proximal is used for.
    _shrink(-linear, l1, quadratic, out=var)


@register
class ApplyFtrl(_ApplyOp):
    """FTRL-Proximal: new_accum = accum + grad^2;
    linear += grad - (new_accum^-lr_power - accum^-lr_power) / lr * var;
    var = (sign(linear) * l1 - linear) / (new_accum^-lr_power / lr + 2 * l2) if |linear| > l1 else 0."""

    inputs = ("var", "accum", "linear", "grad", "lr", "l1", "l2", "lr_power")
    refs = 3
    scalars = ("lr", "l1", "l2", "lr_power")

    @staticmethod
    def update(refs, args, one, attrs):
        grad, lr, l1, l2, lr_power = args
        _ftrl_update(refs, grad, lr, l1, l2, lr_power, grad)


@register
class ApplyFtrlV2(_ApplyOp):
    """ApplyFtrl with online l2 shrinkage: the linear term takes grad + 2 * l2_shrinkage * var (the
    accumulator still takes the plain grad^2)."""

    inputs = ("var", "accum", "linear", "grad", "lr", "l1", "l2", "l2_shrinkage", "lr_power")
    refs = 3
    scalars = ("lr", "l1", "l2", "l2_shrinkage", "lr_power")

    @staticmethod
    def update(refs, args, one, attrs):
        grad, lr, l1, l2, l2_shrinkage, lr_power = args
        _ftrl_update(refs, grad, lr, l1, l2, lr_power, grad + 2 * l2_shrinkage * refs[0])


def apply_ftrl(var, accum, linear, grad, lr, l1, l2, lr_power, use_locking=False, name=None):
    """`ApplyFtrl`: the FTRL-Proximal update of `var` and its slots `accum`, `linear`, in place."""
    return _apply("ApplyFtrl", [var, accum, linear], [grad, lr, l1, l2, lr_power], name)


def apply_ftrl_v2(var, accum, linear, grad, lr, l1, l2, l2_shrinkage, lr_power, use_locking=False, name=None):
    """`ApplyFtrlV2`: the FTRL-Proximal update with online l2 shrinkage, in place."""
    return _apply("ApplyFtrlV2", [var, accum, linear], [grad, lr, l1, l2, l2_shrinkage, lr_power], name)


@register
class ApplyProximalGradientDescent(_ApplyOp):
    """prox_v = var - alpha * delta; var = sign(prox_v) * max(|prox_v| - alpha * l1, 0) / (1 + alpha * l2)."""

    inputs = ("var", "alpha", "l1", "l2", "delta")
    scalars = ("alpha", "l1", "l2")

    @staticmethod
    def update(refs, args, one, attrs):
        var, = refs
        alpha, l1, l2, delta = args
        _shrink(var - alpha * delta, alpha * l1, one + alpha * l2, out=var)


def apply_proximal_gradient_descent(var, alpha, l1, l2, delta, use_locking=False, name=None):
    """`ApplyProximalGradientDescent`: a gradient step followed by the l1/l2 proximal step, in place."""
    return _apply("ApplyProximalGradientDescent", [var], [alpha, l1, l2, delta], name)


@register
class ApplyProximalAdagrad(_ApplyOp):
    """accum += grad^2; lr_t = lr / sqrt(accum); prox_v = var - lr_t * grad;
    var = sign(prox_v) * max(|prox_v| - lr_t * l1, 0) / (1 + lr_t * l2)."""

    inputs = ("var", "accum", "lr", "l1", "l2", "grad")
    refs = 2
    scalars = ("lr", "l1", "l2")

    @staticmethod
    def update(refs, args, one, attrs):
        var, accum = refs
        lr, l1, l2, grad = args
        accum += np.square(grad)
        rate = lr / np.sqrt(accum)
        _shrink(var - rate * grad, rate * l1, one + rate * l2, out=var)


def apply_proximal_adagrad(var, accum, lr, l1, l2, grad, use_locking=False, name=None):
    """`ApplyProximalAdagrad`: the Adagrad step followed by the l1/l2 proximal step, in place."""
    return _apply("ApplyProximalAdagrad", [var, accum], [lr, l1, l2, grad], name)


@register
class ApplyAdagradDA(_ApplyOp):
    """Adagrad dual averaging: gradient_accumulator += grad; gradient_squared_accumulator += grad^2;
    var = -lr * sign(g) * max(|g| - l1 * global_step, 0) / (l2 * global_step * lr + sqrt(gg)), with g, gg
    the two accumulators and `global_step` an int64 scalar (the step count, from 1)."""

    inputs = ("var", "gradient_accumulator", "gradient_squared_accumulator", "grad", "lr", "l1", "l2",
              "global_step")
    refs = 3
    scalars = ("lr", "l1", "l2")
    host_inputs = (7,)    # global_step: a count, converted to the variable's dtype as a scalar

    def infer(self, op):
        if len(op.inputs) != len(self.inputs):
            raise ValueError("%s takes %d inputs (%s), got %d"
                             % (self.type, len(self.inputs), ", ".join(self.inputs), len(op.inputs)))
        step = op.inputs[-1]
        if step.dtype.base_dtype is not dtypes.int64:
            raise TypeError("Input 'global_step' of 'ApplyAdagradDA' Op has type %s that does not match "
                            "expected type of int64." % step.dtype.name)
        if step.shape.ndims not in (None, 0):
            raise ValueError("Shape must be rank 0 but is rank %d for input 'global_step'" % step.shape.ndims)
        # Every other input follows the shared same-dtype rule.
        view = types.SimpleNamespace(type=self.type, inputs=self.inputs[:-1], refs=self.refs,
                                     scalars=self.scalars)
        return _ApplyOp.infer(view, types.SimpleNamespace(inputs=op.inputs[:-1]))

    @staticmethod
    def update(refs, args, one, attrs):
        var, gradient_accumulator, gradient_squared_accumulator = refs
        grad, lr, l1, l2, global_step = args
        gradient_accumulator += grad
        gradient_squared_accumulator += np.square(grad)
        steps = var.dtype.type(global_step)
        denominator = np.sqrt(gradient_squared_accumulator)
        denominator += l2 * steps * lr
        denominator /= -lr
        _shrink(gradient_accumulator, l1 * steps, denominator, out=var)


def apply_adagrad_da(var, gradient_accumulator, gradient_squared_accumulator, grad, lr, l1, l2, global_step,
                     use_locking=False, name=None):
    """`ApplyAdagradDA`: the Adagrad dual-averaging update of `var` and its two accumulators, in place."""
    from ..framework.graph import convert_to_tensor
    return _apply("ApplyAdagradDA", [var, gradient_accumulator, gradient_squared_accumulator],
                  [grad, lr, l1, l2, convert_to_tensor(global_step, dtype=dtypes.int64)], name)
