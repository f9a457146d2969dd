"""`tf.contrib.layers` reversible residual blocks (RevBlock, rev_block) and recompute_grad.

In TF these save memory by recomputing activations during backprop. numflow's plans keep the
activations the gradient needs, so here they compute the same values and the same gradients (by
ordinary differentiation of the forward pass) without the memory saving; `RevBlock.backward` still
reconstructs a block's inputs from its outputs. Re-exported by `numflow.contrib.layers`."""
import functools
import inspect

from ..layers import Layer
from .layers_common import tf as _tf

__all__ = ["RevBlock", "rev_block", "recompute_grad"]


def _in_variable_scope(fn, scope):
    """`fn` called inside variable scope `scope` (relative to the scope it is called in)."""
    @functools.wraps(fn)
    def scoped(*args, **kwargs):
        with _tf().variable_scope(scope):
            return fn(*args, **kwargs)
    return scoped


def _per_layer(functions, num_layers, which):
    if isinstance(functions, (list, tuple)):
        if len(functions) != num_layers:
            raise ValueError("%s must be a function or a list of num_layers (%d) functions, got %d."
                             % (which, num_layers, len(functions)))
        return list(functions)
    return [functions] * num_layers


class RevBlock(Layer):
    """`tf.contrib.layers.RevBlock(f, g, num_layers=1, f_side_input=None, g_side_input=None,
    use_efficient_backprop=True, name='revblock')`: `num_layers` reversible residual layers
    y1 = x1 + f(x2), y2 = x2 + g(y1). Layer i calls f and g in variable scopes 'revlayer_<i>/f' and
    'revlayer_<i>/g' inside the block's scope, so its variables are e.g. 'revblock/revlayer_0/f/...'.
    With side inputs, f and g are called as f(x, f_side_input) / g(x, g_side_input) (the lists).
    `forward(x1, x2)` returns (y1, y2); `backward(y1, y2)` recovers (x1, x2) with the same variables.
    `use_efficient_backprop` only selects TF's memory-saving gradient, which gives the same numbers."""

    def __init__(self, f, g, num_layers=1, f_side_input=None, g_side_input=None, use_efficient_backprop=True,
                 name="revblock", **kwargs):
        super().__init__(name=name, **kwargs)
        self.num_layers = num_layers
        self.f = [_in_variable_scope(fn, "revlayer_%d/f" % i)
                  for i, fn in enumerate(_per_layer(f, num_layers, "f"))]
        self.g = [_in_variable_scope(fn, "revlayer_%d/g" % i)
                  for i, fn in enumerate(_per_layer(g, num_layers, "g"))]
        self.f_side_input = list(f_side_input or [])
        self.g_side_input = list(g_side_input or [])
        self._use_efficient_backprop = use_efficient_backprop

    def _apply(self, fn, x, side_input):
        return fn(x, side_input) if side_input else fn(x)

    def build(self, input_shape):
        self.built = True

    def call(self, inputs, forward=True):
        first, second = inputs
        if forward:
            for f, g in zip(self.f, self.g):
                first = first + self._apply(f, second, self.f_side_input)
                second = second + self._apply(g, first, self.g_side_input)
            return first, second
        # backward: undo the layers last to first, x2 = y2 - g(y1), x1 = y1 - f(x2)
        for f, g in zip(reversed(self.f), reversed(self.g)):
            second = second - self._apply(g, first, self.g_side_input)
            first = first - self._apply(f, second, self.f_side_input)
        return first, second

    def forward(self, x1, x2):
        """(y1, y2) of the block for inputs (x1, x2)."""
        return self.__call__([x1, x2])

    def backward(self, y1, y2):
        """The inputs (x1, x2) that give outputs (y1, y2) (reusing the forward pass's variables)."""
        return self.__call__([y1, y2], forward=False)


def rev_block(x1, x2, f, g, num_layers=1, f_side_input=None, g_side_input=None, is_training=True):
    """`tf.contrib.layers.rev_block(x1, x2, f, g, num_layers=1, f_side_input=None,
    g_side_input=None, is_training=True)`: the outputs (y1, y2) of a RevBlock (variables under
    'revblock'), reusing variables when the current variable scope reuses them."""
    block = RevBlock(f=f, g=g, num_layers=num_layers, f_side_input=f_side_input, g_side_input=g_side_input,
                     use_efficient_backprop=is_training, _reuse=_tf().get_variable_scope().reuse)
    return block.forward(x1, x2)


def recompute_grad(fn, use_data_dep=None, tupleize_grads=False):
    """`tf.contrib.layers.recompute_grad(fn, use_data_dep=..., tupleize_grads=False)`: a decorator
    for `fn(*tensors)` that TF re-runs on the backward pass to save memory. Values and gradients are
    fn's own; a `fn` that takes the `is_recomputing` keyword gets is_recomputing=False (its only run
    is the forward one). use_data_dep and tupleize_grads only order TF's recomputation."""
    takes_flag = "is_recomputing" in inspect.signature(fn).parameters

    @functools.wraps(fn)
    def wrapped(*args):  # positional tensors only, as in TF
        return fn(*args, is_recomputing=False) if takes_flag else fn(*args)
    return wrapped
