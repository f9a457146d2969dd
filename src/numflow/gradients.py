"""`tf.gradients`: reverse-mode differentiation by building gradient ops into the graph.

Ops are created in topological order (an op's inputs exist before it), so walking the ops between `xs`
and `ys` by descending creation index is a valid reverse topological order. Each op's `OpDef.grad`
turns its outputs' gradients into its inputs' gradients; contributions along several paths are summed.
"""
import enum
import functools
import inspect

from .framework.graph import convert_to_tensor, get_default_graph, name_scope
from .framework.indexed_slices import (IndexedSlices, concat_indexed_slices, dense_if_indexed_slices,
                                       is_indexed_slices)

__all__ = ["gradients", "custom_gradient", "RegisterGradient", "NotDifferentiable", "NoGradient",
           "no_gradient", "AggregationMethod", "UnconnectedGradients"]


class AggregationMethod:
    """`tf.AggregationMethod`: how tf.gradients sums contributions; numflow always adds them with add_n,
    which gives the same values whichever is chosen."""

    ADD_N = 0
    DEFAULT = ADD_N
    EXPERIMENTAL_TREE = 1
    EXPERIMENTAL_ACCUMULATE_N = 2


class UnconnectedGradients(enum.Enum):
    """`tf.UnconnectedGradients`: what tf.gradients returns for an x that no y depends on."""

    NONE = "none"
    ZERO = "zero"


# Gradient functions registered by name with tf.RegisterGradient (None: tf.NotDifferentiable). An op
# takes one only when it was created inside Graph.gradient_override_map naming it.
_REGISTERED_GRADIENTS = {}


def _register_gradient_name(op_type, function):
    from .framework import op_def
    if not isinstance(op_type, str):
        raise TypeError("op_type must be a string")
    if op_type in _REGISTERED_GRADIENTS or op_type in op_def._REGISTRY:
        raise KeyError("Registering two gradient with name '%s'!" % op_type)
    _REGISTERED_GRADIENTS[op_type] = function


class RegisterGradient:
    """`@tf.RegisterGradient("Name")`: registers `f(op, *output_grads)` (returning one gradient or None
    per input of op) under "Name", for use with `Graph.gradient_override_map({"OpType": "Name"})`.

    Registering a name twice, or the name of a numflow op type (which has its gradient already), is a
    KeyError, as in TF.
    """

    def __init__(self, op_type):
        if not isinstance(op_type, str):
            raise TypeError("op_type must be a string")
        self._op_type = op_type

    def __call__(self, f):
        _register_gradient_name(self._op_type, f)
        return f


def NotDifferentiable(op_type):  # noqa: N802 - TF's name
    """`tf.NotDifferentiable("Name")`: ops whose gradient is overridden with "Name" have no gradient;
    tf.gradients treats them as constants."""
    _register_gradient_name(op_type, None)


NoGradient = NotDifferentiable
no_gradient = NotDifferentiable


def _gradient_function(op):
    """The function giving op's input gradients, or None when op has no gradient."""
    override = getattr(op, "_gradient_override", None)
    if override is None:
        return op._op_def.grad if op._op_def.differentiable else None
    if callable(override):
        return override
    if override not in _REGISTERED_GRADIENTS:
        raise LookupError("No gradient defined for operation '%s' (op type: %s): gradient_override_map "
                          "names '%s', which no tf.RegisterGradient registered" % (op.name, op.type, override))
    return _REGISTERED_GRADIENTS[override]


def _as_tensor_list(values):
    if values is None:
        return []
    if not isinstance(values, (list, tuple)):
        values = [values]
    return [v._as_tensor() if hasattr(v, "_as_tensor") else convert_to_tensor(v) for v in values]


def _implicit_inputs(op):
    """Tensors an op reads without taking them as inputs: the variables read inside the functions of a
    `tf.cond` / `tf.while_loop` (their op's grad returns gradients for them after its inputs')."""
    return op._attrs.get("implicit_inputs", ())


def _implicit_consumers(graph):
    consumers = {}
    for op in graph._ops:
        for tensor in _implicit_inputs(op):
            consumers.setdefault(tensor, []).append(op)
    return consumers


def _ops_between(ys, xs, stop):
    """Ops on some path from an x to a y (along data inputs, and the variables control flow reads)."""
    implicit = _implicit_consumers(xs[0].graph) if xs else {}
    forward = set()
    stack = [x.op for x in xs]
    while stack:
        op = stack.pop()
        if op in forward:
            continue
        forward.add(op)
        for out in op._outputs:
            for consumer in out._consumers + implicit.get(out, []):
                if consumer not in forward:
                    stack.append(consumer)
    between = set()
    stack = [y.op for y in ys if y.op in forward]
    while stack:
        op = stack.pop()
        if op in between:
            continue
        between.add(op)
        sources = [t for i, t in enumerate(op._inputs) if i not in op._op_def.ref_inputs]
        for tensor in sources + list(_implicit_inputs(op)):
            if tensor in stop:
                continue
            if tensor.op in forward and tensor.op not in between:
                stack.append(tensor.op)
    return between


def gradients(ys, xs, grad_ys=None, name="gradients", colocate_gradients_with_ops=False,
              gate_gradients=False, aggregation_method=None, stop_gradients=None,
              unconnected_gradients=UnconnectedGradients.NONE):
    """`tf.gradients(ys, xs, grad_ys=None, stop_gradients=None, unconnected_gradients='none')`:
    d(sum ys)/dx for each x.

    Returns a list with one Tensor per x; where x does not reach any y, None (or zeros shaped like x
    with `unconnected_gradients=tf.UnconnectedGradients.ZERO`). Where x reaches the ys only through
    gathers along axis 0 (tf.gather, tf.nn.embedding_lookup) its gradient is a tf.IndexedSlices of the
    gathered rows; summed with a dense contribution it becomes dense. `grad_ys` weights each y (ones by
    default); tensors in `stop_gradients` are treated as constants.
    """
    _unconnected_kind(unconnected_gradients)   # a bad value fails before anything is built
    from .ops.array import ones_like
    from .ops.math import add_n
    ys = _as_tensor_list(ys)
    xs = _as_tensor_list(xs)
    grad_ys = list(grad_ys) if isinstance(grad_ys, (list, tuple)) else \
        ([grad_ys] if grad_ys is not None else [None] * len(ys))
    if len(grad_ys) != len(ys):
        raise ValueError("Passed %d grad_ys for %d ys" % (len(grad_ys), len(ys)))
    stop = set(_as_tensor_list(stop_gradients))
    for x in xs:
        if ys and x.graph is not ys[0].graph:
            raise ValueError("%s is not an element of the graph of %s" % (x.name, ys[0].name))
    with name_scope(name):
        pending = {}   # tensor -> list of gradient contributions

        def contribute(tensor, grad):
            if grad is not None:
                pending.setdefault(tensor, []).append(grad)

        for index, (y, dy) in enumerate(zip(ys, grad_ys)):
            if dy is None:
                dy = ones_like(y, name="grad_ys_%d" % index)
            else:
                dy = convert_to_tensor(dy, dtype=y.dtype)
            contribute(y, dy)
        between = _ops_between(ys, xs, stop)
        x_set = set(xs)
        for op in sorted(between, key=lambda o: o._id, reverse=True):
            output_grads = [_sum(pending.get(t), add_n) for t in op._outputs]
            for t, g in zip(op._outputs, output_grads):
                if g is not None:
                    pending[t] = [g]
            if all(g is None for g in output_grads):
                continue
            if any(t in stop for t in op._outputs):
                continue
            grad_function = _gradient_function(op)
            if grad_function is None:
                continue
            with name_scope(op.name + "_grad"):
                sparse_grads = _sparse_passthrough(op, output_grads)
                if sparse_grads is not None:
                    input_grads = sparse_grads
                else:
                    filled = [_zeros_for(t) if g is None else dense_if_indexed_slices(g)
                              for t, g in zip(op._outputs, output_grads)]
                    input_grads = grad_function(op, *filled)
            input_grads = list(input_grads) if isinstance(input_grads, (list, tuple)) else [input_grads]
            if gate_gradients and sum(g is not None for g in input_grads) > 1:
                # TF's GATE_OP: no gradient of this op is used before all of them are computed, so that
                # an optimizer update cannot overtake a backward read of the same variable in a
                # concurrent executor (real TF running an exported graph; numflow runs in order).
                with name_scope(op.name + "_grad"):
                    present = [i for i, g in enumerate(input_grads) if g is not None]
                    for i, g in zip(present, gate([input_grads[i] for i in present])):
                        input_grads[i] = g
            sources = list(op._inputs) + list(_implicit_inputs(op))
            if len(input_grads) != len(sources):
                raise ValueError("Gradient of op %s (%s) returned %d gradients for %d inputs"
                                 % (op.name, op.type, len(input_grads), len(sources)))
            for index, (tensor, grad) in enumerate(zip(sources, input_grads)):
                if grad is None or (index < len(op._inputs) and index in op._op_def.ref_inputs):
                    continue
                if not (tensor.dtype.is_floating or tensor.dtype.is_complex):
                    continue
                if tensor.op in between or tensor in x_set:
                    contribute(tensor, grad)
        results = [_sum(pending.get(x), add_n) for x in xs]
        if _unconnected_kind(unconnected_gradients) is UnconnectedGradients.ZERO:
            results = [_zeros_for(x) if g is None else g for x, g in zip(xs, results)]
        return results


def dense_gradients(ys, xs, **kwargs):
    """tf.gradients with every IndexedSlices result densified: for numflow's own differentiation of
    traced functions (cond, while_loop, map_fn bodies) and gradient checks, which need plain tensors."""
    return [dense_if_indexed_slices(g) for g in gradients(ys, xs, **kwargs)]


def _unconnected_kind(value):
    try:
        return UnconnectedGradients(value.value if isinstance(value, UnconnectedGradients) else value)
    except ValueError:
        raise ValueError("Unknown value for unconnected_gradients: %r" % (value,)) from None


def _zeros_for(tensor):
    from .ops.array import zeros_like
    return zeros_like(tensor)


def _sum(grads, add_n):
    """The sum of one tensor's gradient contributions: IndexedSlices only stay sparse (concatenated);
    with any dense contribution they are densified and everything is added up, as TF does."""
    if not grads:
        return None
    if len(grads) == 1:
        return grads[0]
    if all(is_indexed_slices(g) for g in grads):
        return concat_indexed_slices(grads)
    return add_n([dense_if_indexed_slices(g) for g in grads])


def gate(grads):
    """`grads` (Tensors, IndexedSlices or None), each available only once all of them are computed
    (tf.tuple over every component tensor)."""
    from .ops.control import tuple as gated
    components = []
    for g in grads:
        if is_indexed_slices(g):
            components.extend([g.values, g.indices])
        else:
            components.append(g)
    gated_components = iter(gated(components))
    out = []
    for g in grads:
        if is_indexed_slices(g):
            out.append(IndexedSlices(next(gated_components), next(gated_components), g.dense_shape))
        else:
            out.append(next(gated_components))
    return out


def _cast_sparse_gradient(op, dy):
    from .ops.math import cast
    source = op.inputs[0].dtype
    if not (source.is_floating and op.attrs["DstT"].is_floating):
        return [None]
    return [IndexedSlices(cast(dy.values, source), dy.indices, dy.dense_shape)]


# Ops whose gradient of an IndexedSlices output gradient is itself an IndexedSlices (TF keeps these
# sparse); every other op receives its output gradients densified.
_SPARSE_GRADIENT_FUNCTIONS = {
    "Identity": lambda op, dy: [dy],
    "Cast": _cast_sparse_gradient,
}


def _sparse_passthrough(op, output_grads):
    """op's input gradients when its only output gradient is an IndexedSlices that op passes on sparse,
    else None."""
    if len(output_grads) != 1 or not is_indexed_slices(output_grads[0]):
        return None
    if getattr(op, "_gradient_override", None) is not None:
        return None    # a user's gradient function gets a dense gradient
    sparse_function = _SPARSE_GRADIENT_FUNCTIONS.get(op.type)
    return None if sparse_function is None else sparse_function(op, output_grads[0])


def hessians(ys, xs, name="hessians", **kwargs):
    """Second derivatives of sum(ys) with respect to each (1-D) x, as TF1's `tf.hessians`."""
    from .ops.array import reshape, stack, unstack
    xs = _as_tensor_list(xs)
    results = []
    with name_scope(name):
        for x, g in zip(xs, gradients(ys, xs)):
            flat = reshape(g, [-1])
            rows = [gradients(component, x)[0] for component in unstack(flat)]
            results.append(stack(rows))
    return results



def _accepts_variables(function):
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return True
    return any(p.name == "variables" or p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)


def _variables_read_by(new_ops, graph):
    """The variables (created before `new_ops`) that any of `new_ops` reads, in first-read order."""
    from .variables import Variable
    by_tensor = {}
    for key in ("variables", "local_variables"):
        for variable in graph.get_collection(key):
            if isinstance(variable, Variable):
                by_tensor[variable._ref] = variable
                by_tensor[variable._snapshot] = variable
    new_set = set(new_ops)
    found = []
    for op in new_ops:
        for tensor in op._inputs:
            variable = by_tensor.get(tensor)
            if variable is not None and variable.op not in new_set and variable not in found:
                found.append(variable)
    return found


def custom_gradient(f):
    """`@tf.custom_gradient`: `f(*x)` returns `(y, grad_fn)`; tf.gradients then takes the gradients of
    x from `grad_fn(*dy)` instead of differentiating f's ops.

    `y` is a Tensor or a list of Tensors; `grad_fn` returns one gradient per x (a list when there are
    several). When f reads variables created outside it, `grad_fn` must accept `variables=` (the list of
    those variables) and return `(input_gradients, variable_gradients)`.
    """
    @functools.wraps(f)
    def decorated(*args, **kwargs):
        from .ops.array_extra import identity_n
        graph = get_default_graph()
        inputs = [convert_to_tensor(a) for a in args]
        first_new_op = len(graph._ops)
        result, grad_fn = f(*inputs, **kwargs)
        variables = _variables_read_by(graph._ops[first_new_op:], graph)
        if variables and not _accepts_variables(grad_fn):
            raise TypeError("If using @custom_gradient with a function that uses variables, then grad_fn "
                            "must accept a keyword argument 'variables'.")
        single = not isinstance(result, (list, tuple))
        ys = [convert_to_tensor(result)] if single else [convert_to_tensor(y) for y in result]
        outputs = identity_n(ys + inputs + [v._ref for v in variables])

        def gradient(op, *output_grads):
            dys = output_grads[:len(ys)]
            if variables:
                input_grads, variable_grads = grad_fn(*dys, variables=variables)
            else:
                input_grads, variable_grads = grad_fn(*dys), []
            input_grads = list(input_grads) if isinstance(input_grads, (list, tuple)) else [input_grads]
            if len(input_grads) != len(inputs):
                raise ValueError("custom_gradient's grad_fn returned %d gradients for %d inputs"
                                 % (len(input_grads), len(inputs)))
            if len(variable_grads) != len(variables):
                raise ValueError("custom_gradient's grad_fn returned %d variable gradients for %d "
                                 "variables" % (len(variable_grads), len(variables)))
            return [None] * len(ys) + input_grads + list(variable_grads)

        outputs[0].op._gradient_override = gradient
        return outputs[0] if single else list(outputs[:len(ys)])
    return decorated
