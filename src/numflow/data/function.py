"""User functions of a dataset (`map`, `filter`, `flat_map`, ...) traced once into graph functions.

A function is called once, at graph construction, on placeholder tensors shaped like one element; the ops
it creates form its body, and the outside tensors they read are its captured inputs (evaluated when the
iterator is initialized, as TF does). At run time the body runs as a compiled plan: per element, or — when
every op of the body acts row by row (elementwise math, casts, reshapes of one element) — once per chunk of
elements on stacked arrays, which gives the same values as the per-element plan at a fraction of the cost.
"""
import numpy as np

from ..framework import errors
from ..framework.graph import Tensor, convert_to_tensor, get_default_graph, name_scope
from ..ops.common import make_tensor
from ..ops.control import _Trace, identity
from . import structure


def function_name(fn):
    return getattr(fn, "__name__", None) or type(fn).__name__


class TracedFunction:
    """`fn` traced on one element of `input_specs`; `result` is what fn returned, on graph tensors."""

    def __init__(self, fn, input_specs, transformation, allow_dataset=False):
        if not callable(fn):
            raise TypeError("%s expects a callable, got %r" % (transformation, fn))
        self.fn = fn
        self.name = function_name(fn)
        self.transformation = transformation
        graph = get_default_graph()
        flat_specs = structure.flatten(input_specs)
        with name_scope(transformation.replace("Dataset.", "") + "_fn"):
            self.args = [make_tensor("LoopVar", [], {"dtype": s.dtype, "shape": s.shape}, name="arg")
                         for s in flat_specs]
            element = structure.pack(input_specs, self.args)
            start = len(graph._ops)
            # TF calls fn(*components) when the element is a plain tuple, fn(element) otherwise.
            if type(element) is tuple:
                result = fn(*element)
            else:
                result = fn(element)
            from .dataset_ops import DatasetV1
            if isinstance(result, DatasetV1):
                if not allow_dataset:
                    raise TypeError("The function given to %s returned a Dataset; it must return tensors"
                                    % transformation)
                self.dataset = result
                keys = result._all_inputs()
            else:
                if allow_dataset:
                    raise TypeError("`%s` must return a `Dataset` object, got %s from '%s'"
                                    % (transformation, type(result).__name__, self.name))
                self.dataset = None
                result = structure.lists_to_tuples(result)
                if result is None:
                    raise ValueError("The function '%s' given to %s returned None; it must return tensors"
                                     % (self.name, transformation))
                result = structure.map_structure(_dense_component, result)
                keys = structure.flatten(result)
            arg_set = set(self.args)
            # A result that is an argument or an outside tensor still needs an op inside the body.
            outputs = [identity(t) if t in arg_set or t._op._id < start else t for t in keys]
        self.result = result
        self.output_keys = keys
        self.outputs = outputs
        trace = _Trace(graph, start, len(graph._ops), outputs)
        self.captured = [t for t in trace.captured if t not in arg_set]
        self.body_ops = trace.ops
        self.output_specs = None if self.dataset is not None else structure.specs_of(result)

    def runner(self, rt):
        """The per-element callable for one initialized iterator: (argument values) -> output values."""
        cache = rt.ctx.resources.setdefault("dataset_function_plans", {})
        plan = cache.get(self)
        if plan is None:
            from ..client.placement import inner_placement
            from ..client.plan import Plan
            feeds = self.args + self.captured
            # On the host, as TF runs dataset functions, except reads of variables kept on a GPU.
            placement, values_on = inner_placement(rt.ctx, self.outputs, [], feeds, prefer_host=True)
            plan = cache[self] = Plan(rt.ctx, self.outputs, [], feeds, placement, values_on)
        captured = [rt.value(t) for t in self.captured]
        transformation, name = self.transformation, self.name

        def run(args, position):
            try:
                return plan(list(args) + captured)
            except errors.OpError as exc:
                raise type(exc)(exc.node_def, exc.op,
                                "%s (in the function '%s' given to %s, on input element %d)"
                                % (exc.message, name, transformation, position)) from exc
        return run

    def chunk_runner(self, rt):
        """A callable computing the outputs for a whole chunk of stacked elements at once, or None when
        the body has an op that does not act row by row."""
        if self.dataset is not None:
            return None
        steps = _row_wise_steps(self)
        if steps is None:
            return None
        cache = rt.ctx.resources.setdefault("dataset_function_kernels", {})
        kernels = cache.get(self)
        if kernels is None:
            kernels = cache[self] = [(op, kind, op._op_def.kernel(op, rt.ctx)) for op, kind in steps]
        captured = {t: rt.value(t) for t in self.captured}
        args, outputs = self.args, self.outputs
        transformation, name = self.transformation, self.name

        def run(chunk):
            values = dict(zip(args, chunk))
            values.update(captured)
            rows = len(chunk[0]) if chunk else 0
            try:
                for op, kind, kernel in kernels:
                    if kind == "const":
                        values[op._outputs[0]] = op._attrs["value"]
                        continue
                    inputs = [values[t] if t in values else _static_const(t) for t in op._inputs]
                    if kind == "reshape":
                        out = np.reshape(inputs[0], (rows,) + tuple(op._outputs[0].shape.as_list()))
                    else:
                        out = kernel(*inputs)
                    values[op._outputs[0]] = out
                return [_rows(values[t], rows, t) for t in outputs]
            except errors.OpError:
                raise
            except Exception as exc:
                raise errors.InvalidArgumentError(
                    None, None, "%s: %s (in the function '%s' given to %s)"
                    % (type(exc).__name__, exc, name, transformation)) from exc
        return run


def _dense_component(value):
    from ..framework.sparse_tensor import SparseTensor
    if isinstance(value, SparseTensor):
        raise TypeError("numflow's tf.data elements are dense tensors: convert the SparseTensor %s with "
                        "tf.sparse.to_dense (or tf.sparse_tensor_to_dense) inside the function"
                        % value.indices.name.rsplit(":", 1)[0])
    return convert_to_tensor(value)


def _rows(value, rows, tensor):
    """A chunk output: the body's value, broadcast to one row per element where it did not depend on them."""
    array = np.asarray(value, dtype=tensor.dtype.np)
    dims = tensor.shape.as_list()
    # Dimensions the static shape leaves unknown are the value's own (its trailing axes).
    trailing = array.shape[array.ndim - len(dims):] if array.ndim >= len(dims) else (None,) * len(dims)
    expected = (rows,) + tuple(t if d is None else d for d, t in zip(dims, trailing))
    if array.shape != expected:
        array = np.broadcast_to(array, expected)
    return array


def _static_const(tensor):
    return tensor._op._attrs["value"]


# Ops whose kernel, given arrays with a leading row axis, computes every row as the op would compute it
# alone: elementwise math and comparisons, casts. Reshape is rewritten to keep the row axis.
_ELEMENTWISE = {
    "Abs", "Acos", "Add", "AddV2", "Asin", "Atan", "Cast", "Ceil", "Cos", "Cosh", "Div", "Equal", "Erf", "Exp",
    "Expm1", "Floor", "FloorDiv", "FloorMod", "Greater", "GreaterEqual", "Identity", "Less", "LessEqual",
    "Log", "Log1p", "LogicalAnd", "LogicalNot", "LogicalOr", "Maximum", "Minimum", "Mul", "Neg", "NotEqual",
    "Pow", "RealDiv", "Reciprocal", "Relu", "Relu6", "Round", "Rsqrt", "Select", "Sigmoid", "Sign", "Sin",
    "Sinh", "Softplus", "Sqrt", "Square", "SquaredDifference", "Sub", "Tan", "Tanh", "Truncatediv",
    "TruncateDiv", "Where3",
}


def _row_wise_steps(function):
    """[(op, kind)] running the body on stacked rows, or None when some op would mix rows."""
    if function.__dict__.get("_row_wise") is not None:
        return function._row_wise or None
    per_row = set(function.args)          # tensors holding one value per element
    known = set(function.captured)        # tensors with one value for all elements
    steps = []
    ok = True
    for op in function.body_ops:
        inputs = op._inputs
        if op.type == "Const" and not inputs:
            steps.append((op, "const"))
            known.add(op._outputs[0])
            continue
        row_inputs = [t for t in inputs if t in per_row]
        outside = [t for t in inputs if t not in per_row]
        if any(t not in known and t._op.type != "Const" for t in outside) or not row_inputs \
                or op._control_inputs or len(op._outputs) != 1 or op._op_def.stateful:
            ok = False
            break
        out = op._outputs[0]
        if op.type == "Reshape":
            if out.shape.is_fully_defined() and inputs[0] in per_row and inputs[1] not in per_row:
                steps.append((op, "reshape"))
                per_row.add(out)
                continue
            ok = False
            break
        if op.type not in _ELEMENTWISE or out.shape.ndims is None:
            ok = False
            break
        # Right-aligned broadcasting stays row by row only if every per-element operand has the output's
        # rank (the row axis lines up) and no outside operand has a higher rank.
        rank = out.shape.ndims
        if any(t.shape.ndims != rank for t in row_inputs) or any(t.shape.ndims is None or t.shape.ndims > rank
                                                                 for t in outside):
            ok = False
            break
        steps.append((op, "elementwise"))
        per_row.add(out)
    if ok and not all(t in per_row for t in function.outputs):
        ok = False
    function._row_wise = steps if ok else []
    return steps if ok else None


def is_tensor(value):
    return isinstance(value, Tensor)
