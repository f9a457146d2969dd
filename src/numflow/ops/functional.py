"""Higher-order functions: `tf.map_fn`, `tf.scan`, `tf.foldl`, `tf.foldr` and `tf.case`.

`map_fn` traces `fn` once over one element (LoopVar placeholders, as `tf.while_loop` does) into a `MapFn`
op whose kernel runs that sub-graph for every element and stacks the results; its gradient is another
`MapFn` over the traced vector-Jacobian product. `scan`, `foldl` and `foldr` are `tf.while_loop`s (their
gradients are while_loop's), and `case` is nested `tf.cond`s.
"""
import builtins

import numpy as np

from ..framework import dtypes, errors
from ..framework.graph import Operation, control_dependencies, convert_to_tensor, get_default_graph, \
    name_scope
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape
from . import array as _array
from . import math as _math
from .common import make_op, make_tensor
from .control import _flatten, _pack, _subplan, _Trace, cond, identity, while_loop

__all__ = ["map_fn", "scan", "foldl", "foldr", "case"]

_tuple = builtins.tuple


def _captured_by(ops, excluded):
    """The outside tensors `ops` read (not variables, not `excluded`), in first-use order."""
    inside = set(ops)
    captured = []
    for op in ops:
        for tensor in op._inputs:
            if tensor._op not in inside and tensor._op.type != "VariableV2" and tensor not in excluded \
                    and tensor not in captured:
                captured.append(tensor)
    return captured


@register
class MapFn(OpDef):
    """Runs a traced function on each slice along axis 0 of its element inputs and stacks the results."""

    stateful = True

    def infer(self, op):
        n = op.attrs["length"]
        return [(t.dtype, TensorShape([n]).concatenate(t.shape)) for t in op.attrs["outputs"]]

    def kernel(self, op, ctx):
        elem_vars = op.attrs["elem_vars"]
        captured = op.attrs["captured"]
        outputs = op.attrs["outputs"]
        plan = _subplan(ctx, op, "fn", outputs, [], list(elem_vars) + list(captured))
        nelems = len(elem_vars)
        specs = [(t.dtype.np, t.shape) for t in outputs]
        xp = ctx.xp

        def run_map(*values):
            elems, outside = values[:nelems], list(values[nelems:])
            n = np.shape(elems[0])[0]
            for e in elems[1:]:
                if np.shape(e)[0] != n:
                    raise errors.InvalidArgumentError(
                        None, op, "map_fn's elems must have the same first dimension, got %d and %d"
                        % (n, np.shape(e)[0]))
            results = [[] for _ in outputs]
            for i in range(n):
                for k, value in enumerate(plan([e[i] for e in elems] + outside)):
                    results[k].append(value)
            stacked = []
            for (dtype, shape), parts in zip(specs, results):
                if parts:
                    stacked.append(xp.stack([xp.asarray(p, dtype=dtype) for p in parts]))
                else:
                    dims = [0 if d is None else d for d in (shape.as_list() if shape.ndims is not None else [])]
                    stacked.append(xp.zeros([0] + dims, dtype))
            return stacked[0] if len(stacked) == 1 else _tuple(stacked)
        return run_map

    def grad(self, op, *output_grads):
        """A MapFn over (elements, output gradients) computing each element's vector-Jacobian product;
        the per-element gradients of the captured tensors and variables are then summed."""
        from ..gradients import dense_gradients as gradients
        elem_vars = op.attrs["elem_vars"]
        outputs = op.attrs["outputs"]
        captured = op.attrs["captured"]
        variables = list(op.attrs.get("implicit_inputs", ()))
        nelems = len(elem_vars)
        nothing = [None] * (len(op.inputs) + len(variables))
        sources = list(captured) + variables
        float_outputs = [k for k, t in enumerate(outputs) if t.dtype.is_floating]
        float_elems = [i for i, t in enumerate(elem_vars) if t.dtype.is_floating]
        float_sources = [j for j, t in enumerate(sources) if t.dtype.is_floating]
        if not op.attrs["back_prop"] or not float_outputs or not (float_elems or float_sources):
            return nothing
        graph = op.graph
        start = len(graph._ops)
        with name_scope("map_grad"):
            seeds = [make_tensor("LoopVar", [], {"dtype": outputs[k].dtype, "shape": outputs[k].shape},
                                 name="seed") for k in float_outputs]
            xs = [elem_vars[i] for i in float_elems] + [sources[j] for j in float_sources]
            vjp = gradients([outputs[k] for k in float_outputs], xs, grad_ys=seeds)
            vjp = [g if g is not None else _array.zeros_like(x) for g, x in zip(vjp, xs)]
        new_ops = graph._ops[start:]
        feeds = list(elem_vars) + seeds
        grad_captured = _captured_by(list(op.attrs["trace_ops"]) + list(new_ops), set(feeds))
        dys = [output_grads[k] if output_grads[k] is not None else _array.zeros_like(op.outputs[k])
               for k in float_outputs]
        grad_op = make_op("MapFn", list(op.inputs[:nelems]) + dys + grad_captured,
                          {"elem_vars": feeds, "outputs": vjp, "captured": grad_captured,
                           "length": op.attrs["length"], "back_prop": False,
                           "trace_ops": list(op.attrs["trace_ops"]) + list(new_ops),
                           "implicit_inputs": []}, name="MapFnGrad")
        results = nothing[:]
        stacked = iter(grad_op.outputs)
        for i in float_elems:
            results[i] = next(stacked)
        for j in float_sources:
            index = nelems + j if j < len(captured) else len(op.inputs) + (j - len(captured))
            results[index] = _math.reduce_sum(next(stacked), axis=0)
        return results


def _check_dtype_structure(dtype, result, what):
    expected = _flatten(dtype)
    if len(expected) != len(result):
        raise ValueError("The structure of %s's dtype (%d entries) does not match the structure of fn's "
                         "results (%d entries)" % (what, len(expected), len(result)))
    for want, got in zip(expected, result):
        if dtypes.as_dtype(want) is not got.dtype:
            raise TypeError("%s's fn returned %s where dtype says %s" % (what, got.dtype.name,
                                                                        dtypes.as_dtype(want).name))


def map_fn(fn, elems, dtype=None, parallel_iterations=None, back_prop=True, swap_memory=False,
           infer_shape=True, name=None):
    """`tf.map_fn(fn, elems, dtype=None)`: stacks fn(x) for each slice x of `elems` along axis 0.

    `elems` is a tensor or a (nested) list/tuple of tensors with the same first dimension, in which case
    fn receives the same structure of slices. fn is traced once; it may return a tensor or a nested
    structure of tensors (`dtype` describes it when it differs from elems'; numflow checks it).
    Differentiable in floating elems and in the outside tensors and variables fn reads."""
    if not callable(fn):
        raise TypeError("fn must be callable.")
    with name_scope(name, "map"):
        flat = [convert_to_tensor(e, name="elem") for e in _flatten(elems)]
        if not flat:
            raise ValueError("elems must not be empty")
        length = None
        for e in flat:
            if e.shape.ndims == 0:
                raise ValueError("Elements in elems must be 1+ dimensional Tensors, not scalars")
            first = e.shape[0].value if e.shape.ndims is not None else None
            if first is not None:
                if length is not None and first != length:
                    raise ValueError("elems must all have the same first dimension, got %d and %d"
                                     % (length, first))
                length = first
        elem_vars = [make_tensor("LoopVar", [], {"dtype": e.dtype,
                                                 "shape": e.shape[1:] if e.shape.ndims is not None
                                                 else TensorShape(None)}, name="elem") for e in flat]
        packed = elem_vars[0] if not isinstance(elems, (list, _tuple, dict)) else _pack(elems, elem_vars)
        graph = get_default_graph()
        start = len(graph._ops)
        result = fn(packed)
        result_flat = [convert_to_tensor(r) for r in _flatten(result)]
        if not result_flat:
            raise ValueError("map_fn's fn must return at least one tensor")
        if dtype is not None:
            _check_dtype_structure(dtype, result_flat, "map_fn")
        # Results that are a loop element or an outside tensor still need an op inside the trace.
        result_flat = [identity(r) if r in elem_vars or r._op._id < start else r for r in result_flat]
        trace = _Trace(graph, start, len(graph._ops), result_flat)
        captured = [t for t in trace.captured if t not in elem_vars]
        op = make_op("MapFn", flat + captured,
                     {"elem_vars": elem_vars, "outputs": result_flat, "captured": captured, "length": length,
                      "back_prop": builtins.bool(back_prop), "trace_ops": trace.ops,
                      "implicit_inputs": trace.variables}, name="map")
    outputs = list(op.outputs)
    if not isinstance(result, (list, _tuple, dict)):
        return outputs[0]
    return _pack(result, outputs)


def _static_length(flat):
    for e in flat:
        if e.shape.ndims == 0:
            raise ValueError("Elements in elems must be 1+ dimensional Tensors, not scalars")
        if e.shape.ndims is not None and e.shape[0].value is not None:
            return e.shape[0].value
    return None


def _fold(fn, elems, initializer, parallel_iterations, back_prop, swap_memory, name, reverse, default_name):
    if not callable(fn):
        raise TypeError("fn must be callable.")
    with name_scope(name, default_name):
        flat = [convert_to_tensor(e, name="elem") for e in _flatten(elems)]
        if not flat:
            raise ValueError("elems must not be empty")
        _static_length(flat)
        n = _array.shape(flat[0])[0]

        def element(i):
            parts = [_array.gather(e, i) for e in flat]
            return parts[0] if not isinstance(elems, (list, _tuple, dict)) else _pack(elems, parts)

        if initializer is None:
            first = n - 1 if reverse else 0
            acc = element(first)
            begin = n - 2 if reverse else 1
        else:
            acc = initializer
            begin = n - 1 if reverse else 0
        acc_flat = [convert_to_tensor(a) for a in _flatten(acc)]
        step = -1 if reverse else 1

        def condition(i, *state):
            return _math.greater_equal(i, 0) if reverse else _math.less(i, n)

        def body(i, *state):
            a = _pack(acc, list(state)) if isinstance(acc, (list, _tuple, dict)) else state[0]
            new = fn(a, element(i))
            new_flat = [convert_to_tensor(v) for v in _flatten(new)]
            if len(new_flat) != len(state):
                raise ValueError("fn must return the accumulator's structure (%d tensors), got %d"
                                 % (len(state), len(new_flat)))
            return [i + step] + new_flat

        result = while_loop(condition, body, [convert_to_tensor(begin, dtype=dtypes.int32)] + acc_flat,
                            parallel_iterations=parallel_iterations or 10, back_prop=back_prop,
                            swap_memory=swap_memory, return_same_structure=True)
        final = list(result[1:])
    return _pack(acc, final) if isinstance(acc, (list, _tuple, dict)) else final[0]


def foldl(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False, name=None):
    """`tf.foldl(fn, elems, initializer=None)`: fn(...fn(fn(initializer, elems[0]), elems[1])..., elems[-1]);
    without an initializer elems[0] starts the fold (and elems needs at least one element). `elems` may be
    a nested structure of tensors sliced together; the accumulator may be a nested structure."""
    return _fold(fn, elems, initializer, parallel_iterations, back_prop, swap_memory, name, False, "foldl")


def foldr(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False, name=None):
    """`tf.foldr(fn, elems, initializer=None)`: like foldl, from the last element to the first."""
    return _fold(fn, elems, initializer, parallel_iterations, back_prop, swap_memory, name, True, "foldr")


def scan(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False,
         infer_shape=True, reverse=False, name=None):
    """`tf.scan(fn, elems, initializer=None, reverse=False)`: the stacked successive accumulators
    a_i = fn(a_{i-1}, elems[i]) (a_{-1} = initializer, else elems[0] is the first output). The
    accumulator may be a nested structure; with `reverse` the scan runs from the last element and
    output[i] still belongs to elems[i]. Differentiable through tf.while_loop's gradient."""
    if not callable(fn):
        raise TypeError("fn must be callable.")
    with name_scope(name, "scan"):
        flat = [convert_to_tensor(e, name="elem") for e in _flatten(elems)]
        if not flat:
            raise ValueError("elems must not be empty")
        length = _static_length(flat)
        n = _array.shape(flat[0])[0]

        def element(i):
            parts = [_array.gather(e, i) for e in flat]
            return parts[0] if not isinstance(elems, (list, _tuple, dict)) else _pack(elems, parts)

        if initializer is None:
            acc = element(n - 1 if reverse else 0)
            begin = n - 2 if reverse else 1
            acc_flat = [convert_to_tensor(a) for a in _flatten(acc)]
            stacks = [_array.expand_dims(a, 0) for a in acc_flat]
        else:
            acc = initializer
            begin = n - 1 if reverse else 0
            acc_flat = [convert_to_tensor(a) for a in _flatten(acc)]
            stacks = [_array.expand_dims(a, 0)[:0] for a in acc_flat]
        count = len(acc_flat)
        step = -1 if reverse else 1
        invariants = [TensorShape([]), *[a.shape for a in acc_flat],
                      *[TensorShape([None]).concatenate(a.shape) for a in acc_flat]]

        def condition(i, *state):
            return _math.greater_equal(i, 0) if reverse else _math.less(i, n)

        def body(i, *state):
            current, outs = state[:count], state[count:]
            a = _pack(acc, list(current)) if isinstance(acc, (list, _tuple, dict)) else current[0]
            new = fn(a, element(i))
            new_flat = [convert_to_tensor(v) for v in _flatten(new)]
            if len(new_flat) != count:
                raise ValueError("fn must return the accumulator's structure (%d tensors), got %d"
                                 % (count, len(new_flat)))
            rows = [_array.expand_dims(v, 0) for v in new_flat]
            if reverse:
                grown = [_array.concat([r, o], 0) for r, o in zip(rows, outs)]
            else:
                grown = [_array.concat([o, r], 0) for o, r in zip(outs, rows)]
            return [i + step] + new_flat + grown

        result = while_loop(condition, body,
                            [convert_to_tensor(begin, dtype=dtypes.int32)] + acc_flat + stacks,
                            shape_invariants=invariants, parallel_iterations=parallel_iterations or 10,
                            back_prop=back_prop, swap_memory=swap_memory, return_same_structure=True)
        outputs = list(result[1 + count:])
        if infer_shape and length is not None:
            for out in outputs:
                out.set_shape(TensorShape([length]).concatenate(out.shape[1:]))
    return _pack(acc, outputs) if isinstance(acc, (list, _tuple, dict)) else outputs[0]


# --- case -----------------------------------------------------------------------------------------
def _with_dependencies(deps, fn):
    """fn's results, each computed only after the ops `deps` ran."""
    def wrapped():
        with control_dependencies(deps()):
            result = fn()
            flat = _flatten(result)
            out = [t if t is None or isinstance(t, Operation) else identity(t) for t in flat]
            if not isinstance(result, (list, _tuple, dict)):
                return out[0]
            return _pack(result, out)
    return wrapped


def case(pred_fn_pairs, default=None, exclusive=False, strict=False, name="case"):
    """`tf.case(pred_fn_pairs, default=None, exclusive=False)`: the results of the function of the first
    predicate that is true (in order; a dict's pairs are in an unspecified order), else of `default`.

    Without a default the last pair's function is the fallback, guarded by an assertion that its
    predicate holds (InvalidArgumentError 'None of conditions evaluated as True' at run time). With
    `exclusive`, more than one true predicate is an InvalidArgumentError."""
    from .debug import Assert
    if isinstance(pred_fn_pairs, dict):
        pairs = list(pred_fn_pairs.items())
    elif isinstance(pred_fn_pairs, (list, _tuple)):
        pairs = list(pred_fn_pairs)
    else:
        raise TypeError("fns must be a list, tuple, or dict")
    if not pairs:
        raise ValueError("pred_fn_pairs must not be empty")
    preds, fns = [], []
    for pair in pairs:
        if not isinstance(pair, (list, _tuple)) or len(pair) != 2:
            raise TypeError("Each entry in pred_fn_pairs must be a 2-tuple")
        pred, fn = pair
        if isinstance(pred, (builtins.bool, np.bool_)):
            raise TypeError("pred must be Tensor of type bool: %s" % pred)
        pred = convert_to_tensor(pred)
        if pred.dtype is not dtypes.bool:
            raise TypeError("pred must be Tensor of type bool: %s" % pred.name)
        if not callable(fn):
            raise TypeError("fn for pred %s must be callable." % pred.name)
        preds.append(pred)
        fns.append(fn)
    with name_scope(name, "case", preds):
        if default is None:
            last_pred, last_fn = preds[-1], fns[-1]
            all_preds = list(preds)
            preds, fns = preds[:-1], fns[:-1]
            default = _with_dependencies(
                lambda: [Assert(last_pred, ["Input error: None of conditions evaluated as True:",
                                            _array.stack(all_preds, name="preds_c")])],
                last_fn)
        elif not callable(default):
            raise TypeError("default must be callable.")
        chosen = default
        for pred, fn in reversed(list(zip(preds, fns))):
            chosen = _make_branch(pred, fn, chosen)
        result = chosen()
        if exclusive:
            stacked = _array.stack([convert_to_tensor(p) for p, _ in pairs], name="preds_c")
            count = _math.reduce_sum(_math.cast(stacked, dtypes.int32))
            check = Assert(_math.less_equal(count, 1),
                           ["Input error: exclusive=True: more than 1 conditions evaluated as True:", stacked])
            result = _with_dependencies(lambda: [check], lambda: result)()
    return result


def _make_branch(pred, fn, otherwise):
    return lambda: cond(pred, fn, otherwise)
