"""`tf.gradients`: reverse-mode differentiation by building gradient ops into the graph.

Ops are created in topological order (an op's inputs exist before it), so walking the ops between `xs`
and `ys` by descending creation index is a valid reverse topological order. Each op's `OpDef.grad`
turns its outputs' gradients into its inputs' gradients; contributions along several paths are summed.
"""
from .framework.graph import convert_to_tensor, name_scope

__all__ = ["gradients"]


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
              gate_gradients=False, aggregation_method=None, stop_gradients=None):
    """`tf.gradients(ys, xs, grad_ys=None, stop_gradients=None)`: d(sum ys)/dx for each x.

    Returns a list with one Tensor per x, or None where x does not reach any y. `grad_ys` weights each y
    (ones by default); tensors in `stop_gradients` are treated as constants.
    """
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
            if any(t in stop for t in op._outputs) or not op._op_def.differentiable:
                continue
            with name_scope(op.name + "_grad"):
                filled = [g if g is not None else _zeros_for(t) for t, g in zip(op._outputs, output_grads)]
                input_grads = op._op_def.grad(op, *filled)
            input_grads = list(input_grads)
            if gate_gradients and sum(g is not None for g in input_grads) > 1:
                # TF's GATE_OP: no gradient of this op is used before all of them are computed, so that
                # an optimizer update cannot overtake a backward read of the same variable in a
                # concurrent executor (real TF running an exported graph; numflow runs in order).
                from .ops.control import tuple as gated
                with name_scope(op.name + "_grad"):
                    present = [i for i, g in enumerate(input_grads) if g is not None]
                    for i, g in zip(present, gated([input_grads[i] for i in present])):
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
        return [_sum(pending.get(x), add_n) for x in xs]


def _zeros_for(tensor):
    from .ops.array import zeros_like
    return zeros_like(tensor)


def _sum(grads, add_n):
    if not grads:
        return None
    if len(grads) == 1:
        return grads[0]
    return add_n(grads)


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

