"""Control: `tf.group`, `tf.no_op`, `tf.identity`, `tf.tuple`, `tf.cond` and `tf.while_loop`.

`cond` and `while_loop` trace their functions once into ops of the same graph, then hide those ops
behind one `Cond` / `While` op whose kernel runs them as sub-plans: only the taken branch runs, and the
loop body runs as often as its condition says, like TF1's dataflow control flow.
"""
import numpy as np

from ..framework import dtypes
from ..framework.graph import Operation, Tensor, control_dependencies, convert_to_tensor, get_default_graph, \
    name_scope
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape
from .common import make_op, make_tensor

__all__ = ["no_op", "group", "identity", "tuple", "cond", "while_loop", "stop_gradient"]

_tuple = tuple


@register
class NoOp(OpDef):
    """Does nothing; its control inputs make it a synchronisation point (`tf.group`)."""

    differentiable = False

    def infer(self, op):
        return []

    def kernel(self, op, ctx):
        return lambda: None


def no_op(name=None):
    """`tf.no_op`: an op that does nothing."""
    return get_default_graph().create_op("NoOp", [], name=name or "NoOp")


def group(*inputs, **kwargs):
    """`tf.group(*inputs, name=None)`: one op that runs after all `inputs` (ops, tensors, variables)."""
    name = kwargs.pop("name", None)
    if kwargs:
        raise TypeError("Unknown keyword arguments: " + ", ".join(kwargs))
    flat = []
    for item in inputs:
        if isinstance(item, (list, _tuple)):
            flat.extend(item)
        else:
            flat.append(item)
    with control_dependencies(flat):
        return no_op(name=name or "group_deps")


@register
class Identity(OpDef):
    """Its input, unchanged."""

    may_alias_input = True

    def infer(self, op):
        return [(op.inputs[0].dtype, op.inputs[0].shape)]

    def kernel(self, op, ctx):
        return lambda x: x

    def grad(self, op, dy):
        return [dy]


def identity(input, name=None):  # noqa: A002 - TF's argument name
    """`tf.identity(input)`: a tensor with the same value (and a new name)."""
    return make_tensor("Identity", [convert_to_tensor(input)], name=name or "Identity")


@register
class StopGradient(OpDef):
    """Its input, treated as a constant by `tf.gradients`."""

    may_alias_input = True
    differentiable = False

    def infer(self, op):
        return [(op.inputs[0].dtype, op.inputs[0].shape)]

    def kernel(self, op, ctx):
        return lambda x: x


def stop_gradient(input, name=None):  # noqa: A002
    """`tf.stop_gradient(input)`: the same value, but gradients do not flow through it."""
    return make_tensor("StopGradient", [convert_to_tensor(input)], name=name or "StopGradient")


def tuple(tensors, name=None, control_inputs=None):  # noqa: A001 - TF's name
    """`tf.tuple`: the tensors, each available only after all of them (and `control_inputs`) are computed."""
    with name_scope(name, "tuple"):
        gate = group(*[t for t in tensors if t is not None] + list(control_inputs or []))
        outputs = []
        for t in tensors:
            if t is None:
                outputs.append(None)
            else:
                with control_dependencies([gate]):
                    outputs.append(identity(t))
        return outputs


# --- tracing functions into sub-graphs ------------------------------------------------------------
def _flatten(structure):
    if hasattr(structure, "_to_flow"):   # a TensorArray travels as its flow tensor
        return [structure._to_flow()]
    if isinstance(structure, (list, _tuple)):
        out = []
        for item in structure:
            out.extend(_flatten(item))
        return out
    if isinstance(structure, dict):
        out = []
        for key in sorted(structure):
            out.extend(_flatten(structure[key]))
        return out
    return [structure]


def _pack(structure, flat):
    flat = list(flat)

    def build(item):
        if hasattr(item, "_from_flow"):
            return item._from_flow(flat.pop(0))
        if isinstance(item, (list, _tuple)):
            items = [build(x) for x in item]
            if hasattr(item, "_fields"):
                return type(item)(*items)
            return type(item)(items)
        if isinstance(item, dict):
            return {k: build(item[k]) for k in sorted(item)}
        return flat.pop(0)
    return build(structure)


class _Trace:
    """The ops a function created while called, and the outside tensors they read."""

    def __init__(self, graph, start, end, outputs):
        self.ops = graph._ops[start:end]
        inside = set(self.ops)
        captured = []
        control = []
        variables = []
        for op in self.ops:
            for tensor in op._inputs:
                # A variable is read inside the branch (when it runs), not captured before it; it is
                # recorded so that tf.gradients can reach it through the Cond / While op.
                if tensor._op not in inside and tensor._op.type == "VariableV2":
                    if tensor not in variables:
                        variables.append(tensor)
                elif tensor._op not in inside and tensor not in captured:
                    captured.append(tensor)
            for dep in op._control_inputs:
                if dep not in inside and dep not in control:
                    control.append(dep)
        for tensor in outputs:
            if isinstance(tensor, Tensor) and tensor._op not in inside and tensor not in captured \
                    and tensor._op.type != "VariableV2":
                captured.append(tensor)
        self.captured = captured
        self.control = control
        self.variables = variables
        self.outputs = outputs


def _trace(fn, args=()):
    graph = get_default_graph()
    start = len(graph._ops)
    result = fn(*args)
    return graph, start, len(graph._ops), result


def _branch_outputs(result):
    """A branch's results as tensors; ops (a branch that returns `tf.group(...)`) become None markers."""
    flat = _flatten(result)
    tensors = []
    for item in flat:
        if isinstance(item, Operation):
            tensors.append(item)
        elif item is None:
            tensors.append(None)
        else:
            tensors.append(convert_to_tensor(item))
    return tensors


def _subplan(ctx, op, key, fetches, targets, feeds):
    from ..client.plan import Plan
    cache = ctx.resources.setdefault("subplans", {})
    plan = cache.get((op, key))
    if plan is None:
        # With a GPU, the branch/body ops go to it as the Session's own ops do.
        from ..client.placement import inner_placement
        placement, values_on = inner_placement(ctx, fetches, targets, feeds)
        plan = cache[(op, key)] = Plan(ctx, fetches, targets, feeds, placement, values_on)
    return plan


@register
class Cond(OpDef):
    """Runs the true or the false branch's ops, as `pred` says; outputs the taken branch's results."""

    stateful = True

    def infer(self, op):
        return [(t.dtype, t.shape) for t in op.attrs["output_signature"]]

    def kernel(self, op, ctx):
        captured = op.attrs["captured"]
        branches = {}
        for flag, trace in ((True, op.attrs["true"]), (False, op.attrs["false"])):
            fetches = [t for t in trace.outputs if isinstance(t, Tensor)]
            targets = [t for t in trace.outputs if isinstance(t, Operation)]
            branches[flag] = _subplan(ctx, op, flag, fetches, targets, captured)

        def run_cond(pred, *values):
            result = branches[bool(pred)](values)
            return result[0] if len(result) == 1 and len(op._outputs) == 1 else _tuple(result)
        return run_cond

    def grad(self, op, *output_grads):
        """Gradients for the captured tensors and the variables read in the branches (the op's
        `implicit_inputs`): a `cond` on the same predicate whose branches differentiate each branch."""
        from ..gradients import dense_gradients as gradients
        sources = list(op.attrs["captured"]) + list(op.attrs.get("implicit_inputs", ()))
        floating = [t for t in sources if t.dtype.is_floating]
        pred = op.inputs[0]
        grads_in = [g for g in output_grads]
        if not floating:
            return [None] * (len(op.inputs) + len(sources) - len(op.attrs["captured"]))

        def branch_gradients(fn):
            def compute():
                result = _branch_outputs(fn())
                ys = [y for y in result if isinstance(y, Tensor)]
                dys = [g if g is not None else _zeros_like(y) for g, y in zip(grads_in, ys)]
                grads = gradients(ys, floating, grad_ys=dys, stop_gradients=floating)
                return [g if g is not None else _zeros_like(x) for g, x in zip(grads, floating)]
            return compute

        results = cond(pred, branch_gradients(op.attrs["true_fn"]), branch_gradients(op.attrs["false_fn"]))
        if isinstance(results, Tensor):
            results = [results]
        by_source = dict(zip(floating, results))
        return [None] + [by_source.get(t) for t in sources]


def _zeros_like(tensor):
    from .array import zeros_like
    return zeros_like(tensor)


def cond(pred, true_fn=None, false_fn=None, strict=False, name=None, fn1=None, fn2=None):
    """`tf.cond(pred, true_fn, false_fn)`: the results of whichever function `pred` selects; only that
    branch's ops run."""
    true_fn = true_fn or fn1
    false_fn = false_fn or fn2
    if not callable(true_fn) or not callable(false_fn):
        raise TypeError("true_fn and false_fn must be callable.")
    if isinstance(pred, (bool, np.bool_)):
        raise TypeError("pred must not be a Python bool")
    pred = convert_to_tensor(pred)
    if pred.dtype is not dtypes.bool:
        raise TypeError("pred must be a bool tensor, got %s" % pred.dtype.name)
    if pred.shape.ndims not in (None, 0):
        raise ValueError("pred must be a scalar, got shape %s" % pred.shape)
    with name_scope(name, "cond", [pred]):
        with name_scope("true"):
            graph, start, mid, true_result = _trace(true_fn)
        true_outputs = _branch_outputs(true_result)
        true_trace = _Trace(graph, start, len(graph._ops), true_outputs)
        with name_scope("false"):
            _, start2, end, false_result = _trace(false_fn)
        false_outputs = _branch_outputs(false_result)
        false_trace = _Trace(graph, start2, len(graph._ops), false_outputs)
        if len(true_outputs) != len(false_outputs):
            raise ValueError("true_fn and false_fn must return the same number of results: %d vs %d"
                             % (len(true_outputs), len(false_outputs)))
        signature = []
        for a, b in zip(true_outputs, false_outputs):
            if isinstance(a, Tensor) != isinstance(b, Tensor):
                raise TypeError("true_fn and false_fn must return the same structure (tensor vs op)")
            if isinstance(a, Tensor):
                if a.dtype is not b.dtype:
                    raise TypeError("Outputs of true_fn and false_fn must have the same type: %s, %s"
                                    % (a.dtype.name, b.dtype.name))
                shape = a.shape if a.shape == b.shape else _most_specific_compatible(a.shape, b.shape)
                signature.append(_Signature(a.dtype, shape))
        captured = []
        for tensor in true_trace.captured + false_trace.captured:
            if tensor not in captured:
                captured.append(tensor)
        variables = []
        for tensor in true_trace.variables + false_trace.variables:
            if tensor not in variables:
                variables.append(tensor)
        control = [c for c in true_trace.control + false_trace.control]
        with control_dependencies(control or None) if control else _null():
            op = make_op("Cond", [pred] + captured,
                         {"true": true_trace, "false": false_trace, "captured": captured,
                          "output_signature": signature, "true_fn": true_fn, "false_fn": false_fn,
                          "implicit_inputs": variables},
                         name="Merge")
    outputs = iter(op.outputs)
    flat = [next(outputs) if isinstance(item, Tensor) else (op if isinstance(item, Operation) else None)
            for item in true_outputs]
    if hasattr(true_result, "_from_flow"):
        return true_result._from_flow(flat[0])
    if not isinstance(true_result, (list, _tuple, dict)):
        return flat[0]
    return _pack(true_result, flat)


class _Signature:
    def __init__(self, dtype, shape):
        self.dtype = dtype
        self.shape = shape


def _most_specific_compatible(a, b):
    if a.ndims is None or b.ndims is None or a.ndims != b.ndims:
        return TensorShape(None)
    return TensorShape([x.value if x.value == y.value else None for x, y in zip(a, b)])


class _null:
    def __enter__(self):
        return None

    def __exit__(self, *args):
        return False


# --- while_loop ----------------------------------------------------------------------------------
@register
class LoopVar(OpDef):
    """A loop variable inside a traced `while_loop`: fed by the While op on every iteration."""

    differentiable = False

    def infer(self, op):
        return [(op.attrs["dtype"], op.attrs["shape"])]

    def kernel(self, op, ctx):
        def unfed():
            raise RuntimeError("loop variable %s read outside its while_loop" % op.name)
        return unfed


def _loop_runner(ctx, op):
    """The forward loop of While op `op` as a function (initial values, captured values, maximum) ->
    the list of states each iteration started from, and the final state."""
    loop_vars = op.attrs["loop_vars"]
    feeds = list(loop_vars) + list(op.attrs["captured"])
    cond_plan = _subplan(ctx, op, "cond", [op.attrs["cond_output"]], [], feeds)
    body_plan = _subplan(ctx, op, "body", op.attrs["body_outputs"], [], feeds)

    def run(state, outside, maximum, history=None):
        iterations = 0
        while (maximum is None or iterations < maximum) and bool(cond_plan(state + outside)[0]):
            if history is not None:
                history.append(state)
            state = list(body_plan(state + outside))
            iterations += 1
        return state
    return run


def _split_while_inputs(op, values):
    count = len(op.attrs["loop_vars"])
    ncaptured = len(op.attrs["captured"])
    maximum = op.attrs["maximum_iterations"]
    state = list(values[:count])
    outside = list(values[count:count + ncaptured])
    if op.attrs.get("maximum_is_input"):
        maximum = int(values[count + ncaptured])
    return state, outside, maximum


@register
class While(OpDef):
    """Runs `body` while `cond` holds, feeding the loop variables back each iteration."""

    stateful = True

    def infer(self, op):
        return [(t.dtype, t.shape) for t in op.attrs["loop_vars"]]

    def kernel(self, op, ctx):
        loop = _loop_runner(ctx, op)
        count = len(op.attrs["loop_vars"])

        def run_while(*values):
            state, outside, maximum = _split_while_inputs(op, values)
            state = loop(state, outside, maximum)
            return state[0] if count == 1 else _tuple(state)
        return run_while

    def grad(self, op, *output_grads):
        """Backpropagation through the loop: a WhileGrad op reruns the loop to record each iteration's
        state, then applies the body's traced vector-Jacobian product from the last iteration back."""
        from ..gradients import dense_gradients as gradients
        loop_vars = op.attrs["loop_vars"]
        captured = op.attrs["captured"]
        variables = list(op.attrs.get("implicit_inputs", ()))
        body = op.attrs["body_outputs"]
        nothing = [None] * (len(op.inputs) + len(variables))
        floating_vars = [i for i, t in enumerate(loop_vars) if t.dtype.is_floating]
        sources = list(captured) + variables
        floating_sources = [j for j, t in enumerate(sources) if t.dtype.is_floating]
        if not op.attrs["back_prop"] or not (floating_vars or floating_sources):
            return nothing
        with name_scope("body_grad"):
            seeds = [make_tensor("LoopVar", [], {"dtype": loop_vars[i].dtype, "shape": loop_vars[i].shape},
                                 name="seed") for i in floating_vars]
            xs = [loop_vars[i] for i in floating_vars] + [sources[j] for j in floating_sources]
            ys = [body[i] for i in floating_vars]
            # stop_gradients=xs: a source computed from another source (outside the loop) must not pass its
            # gradient on here too; tf.gradients does that once, outside.
            vjp = gradients(ys, xs, grad_ys=seeds, stop_gradients=xs) if ys else [None] * len(xs)
            vjp = [g if g is not None else _zeros_like(x) for g, x in zip(vjp, xs)]
        dys = [output_grads[i] if output_grads[i] is not None else _zeros_like(op.outputs[i])
               for i in floating_vars]
        signature = [(loop_vars[i].dtype, op.inputs[i].shape) for i in floating_vars] + \
                    [(sources[j].dtype, sources[j].shape) for j in floating_sources]
        grad_op = make_op("WhileGrad", list(op.inputs) + dys,
                          {"forward": op, "seeds": seeds, "vjp": vjp, "signature": signature,
                           "floating_vars": floating_vars, "floating_sources": floating_sources},
                          name="WhileGrad")
        results = nothing[:]
        outputs = iter(grad_op.outputs)
        for i in floating_vars:
            results[i] = next(outputs)
        for j in floating_sources:
            index = len(loop_vars) + j if j < len(captured) else len(op.inputs) + (j - len(captured))
            results[index] = next(outputs)
        return results


@register
class WhileGrad(OpDef):
    """The gradient of a While op for its floating loop variables, captured tensors and variables."""

    stateful = True
    # No second-order gradient: tf.gradients through it raises LookupError rather than
    # silently treating it as a constant.

    def infer(self, op):
        return list(op.attrs["signature"])

    def kernel(self, op, ctx):
        forward = op.attrs["forward"]
        loop = _loop_runner(ctx, forward)
        loop_vars = forward.attrs["loop_vars"]
        feeds = list(loop_vars) + list(forward.attrs["captured"]) + list(op.attrs["seeds"])
        vjp_plan = _subplan(ctx, op, "vjp", op.attrs["vjp"], [], feeds)
        nforward = len(forward.inputs)
        nvars = len(op.attrs["floating_vars"])
        signature = op.attrs["signature"]
        static = [shape for _, shape in signature[nvars:]]
        xp = ctx.xp
        # 0-d results are NumPy scalars on the host, 0-d arrays on a device (its values stay there).
        scalar = (lambda value, dtype: dtype.type(value)) if xp is np else \
            (lambda value, dtype: xp.asarray(value, dtype=dtype))

        def run_grad(*values):
            state, outside, maximum = _split_while_inputs(forward, values[:nforward])
            history = []
            loop(state, outside, maximum, history)
            d_state = list(values[nforward:])
            totals = [None] * len(static)
            for past in reversed(history):
                result = vjp_plan(past + outside + d_state)
                d_state = list(result[:nvars])
                for k, value in enumerate(result[nvars:]):
                    totals[k] = value if totals[k] is None else totals[k] + value
            for k, total in enumerate(totals):
                dtype = signature[nvars + k][0].np
                if total is None:
                    total = xp.zeros(static[k].as_list(), dtype) if static[k].is_fully_defined() else \
                        xp.zeros((), dtype)
                totals[k] = xp.asarray(total, dtype=dtype) if np.ndim(total) else scalar(total, dtype)
            d_state = [xp.asarray(d, dtype=signature[k][0].np) if np.ndim(d) else scalar(d, signature[k][0].np)
                       for k, d in enumerate(d_state)]
            out = d_state + totals
            return out[0] if len(out) == 1 else _tuple(out)
        return run_grad


def while_loop(cond, body, loop_vars, shape_invariants=None, parallel_iterations=10, back_prop=True,
               swap_memory=False, name=None, maximum_iterations=None, return_same_structure=False):
    """`tf.while_loop(cond, body, loop_vars)`: repeats `body` on the loop variables while `cond` is true.

    `cond` and `body` take as many arguments as `loop_vars` has items (a list, tuple or namedtuple), or
    one argument for a single tensor or a dict. Returns a Tensor when there is one loop variable (unless
    `return_same_structure`), else the loop variables' structure. Differentiable in its floating loop
    variables, the outside tensors the body reads and the variables it reads."""
    if not callable(cond) or not callable(body):
        raise TypeError("cond and body must be callable.")
    single = not isinstance(loop_vars, (list, _tuple, dict))
    structure = loop_vars
    flat_initial = _flatten(loop_vars)
    if not flat_initial:
        raise ValueError("No loop variables provided")
    initial = [convert_to_tensor(v) for v in flat_initial]
    if shape_invariants is not None:
        invariants = [TensorShape(s) if not isinstance(s, TensorShape) else s for s in _flatten(shape_invariants)]
        if len(invariants) != len(initial):
            raise ValueError("shape_invariants must have the same structure as loop_vars: %d vs %d"
                             % (len(invariants), len(initial)))
        for tensor, invariant in zip(initial, invariants):
            if not invariant.is_compatible_with(tensor.shape):
                raise ValueError("The shape invariant specified for %s is not compatible with the initial "
                                 "shape of the loop variable. It enters the loop with shape %s, but the "
                                 "specified shape invariant is %s." % (tensor.name, tensor.shape, invariant))
    else:
        invariants = [t.shape for t in initial]
    graph = get_default_graph()
    with name_scope(name, "while"):
        loop_tensors = [make_tensor("LoopVar", [], {"dtype": t.dtype, "shape": s}, name="LoopVar")
                        for t, s in zip(initial, invariants)]
        packed = _pack(structure, loop_tensors)
        args = _tuple(packed) if isinstance(packed, (list, _tuple)) else (packed,)
        start = len(graph._ops)
        cond_output = convert_to_tensor(cond(*args))
        if cond_output.dtype is not dtypes.bool or cond_output.shape.ndims not in (None, 0):
            raise ValueError("cond must return a boolean scalar tensor, got %s with shape %s"
                             % (cond_output.dtype.name, cond_output.shape))
        body_result = body(*args)
        body_flat = [convert_to_tensor(v) for v in _flatten(body_result)]
        end = len(graph._ops)
        if len(body_flat) != len(initial):
            raise ValueError("body must return as many loop variables as it takes: %d vs %d"
                             % (len(body_flat), len(initial)))
        for before, after, invariant in zip(initial, body_flat, invariants):
            if before.dtype is not after.dtype:
                raise TypeError("Loop variable changed dtype in body: %s -> %s"
                                % (before.dtype.name, after.dtype.name))
            if not invariant.is_compatible_with(after.shape):
                raise ValueError("Input tensor '%s' enters the loop with shape %s, but has shape %s after "
                                 "one iteration. Provide shape invariants." % (before.name, invariant,
                                                                               after.shape))
        trace = _Trace(graph, start, end, [cond_output] + body_flat)
        captured = [t for t in trace.captured if t not in loop_tensors]
        attrs = {"loop_vars": loop_tensors, "captured": captured, "cond_output": cond_output,
                 "body_outputs": body_flat, "maximum_iterations": None, "back_prop": bool(back_prop),
                 "implicit_inputs": trace.variables}
        inputs = initial + captured
        if maximum_iterations is not None:
            if isinstance(maximum_iterations, Tensor) or hasattr(maximum_iterations, "_as_graph_element"):
                maximum_tensor = convert_to_tensor(maximum_iterations)
                if not maximum_tensor.dtype.is_integer or maximum_tensor.shape.ndims not in (None, 0):
                    raise ValueError("maximum_iterations must be a scalar integer tensor, got %s"
                                     % maximum_tensor)
                inputs.append(maximum_tensor)
                attrs["maximum_is_input"] = True
            else:
                attrs["maximum_iterations"] = int(maximum_iterations)
        op = make_op("While", inputs, attrs, name="Exit")
    outputs = op.outputs
    result = _pack(structure, outputs)
    if single:
        return result
    if len(outputs) == 1 and not return_same_structure:
        return _flatten_one(result)
    return result


def _flatten_one(structure):
    """The one leaf (tensor or TensorArray) of a structure holding one."""
    while isinstance(structure, (list, _tuple, dict)):
        structure = list(structure.values())[0] if isinstance(structure, dict) else structure[0]
    return structure
