"""`tf.function` and `tf.compat.v1.wrap_function` in graph mode.

TF builds a function's ops once per input signature in a separate FuncGraph and calls it with a
`PartitionedCall` op. numflow has no function-call op: calling a `tf.function` inside a graph builds the
Python function's ops again, inlined, in the calling graph (under a name scope named after the function).
The values are the same; the differences are that

- the Python body runs at every call (TF runs it once per trace), so Python side effects repeat;
- the graph holds the function's ops rather than one call op (a GraphDef shows them inlined).

As in TF's functions, stateful ops inside (variable updates, random ops) run in program order, and all of
them run whenever any output is fetched (automatic control dependencies).
"""
import functools
import inspect

from .graph import Graph, Tensor, control_dependencies, convert_to_tensor, get_default_graph, name_scope
from .nest import flatten, pack_sequence_as

__all__ = ["function", "Function", "ConcreteFunction", "wrap_function", "run_functions_eagerly",
           "functions_run_eagerly", "experimental_run_functions_eagerly",
           "experimental_functions_run_eagerly"]

_RUN_FUNCTIONS_EAGERLY = [False]


def run_functions_eagerly(run_eagerly):
    """`tf.config.run_functions_eagerly(run_eagerly)`: in graph mode TF then calls the Python function
    directly instead of emitting a call op; numflow always does that (see `tf.function`), so this only sets
    the flag `functions_run_eagerly()` reports."""
    _RUN_FUNCTIONS_EAGERLY[0] = bool(run_eagerly)


def functions_run_eagerly():
    """`tf.config.functions_run_eagerly()`: the flag set by `run_functions_eagerly` (False by default)."""
    return _RUN_FUNCTIONS_EAGERLY[0]


experimental_run_functions_eagerly = run_functions_eagerly
experimental_functions_run_eagerly = functions_run_eagerly


def _spec_of(tensor):
    from ..data.structure import TensorSpec
    return TensorSpec(tensor.shape, tensor.dtype)


def _is_spec(value):
    from ..data.structure import TensorSpec
    return isinstance(value, TensorSpec)


def _effectful(op):
    """Whether op changes or reads state that program order matters for."""
    if op._op_def.stateful or op._op_def.updates_state:
        return True
    return any(t.op._op_def.stateful for t in op._inputs)


def _call_in_graph(python_function, name, args, kwargs):
    """Builds python_function(*args, **kwargs) in the default graph with TF's automatic control
    dependencies: effectful ops chained in creation order and every Tensor output depending on all of
    them."""
    from ..ops.control import identity
    graph = get_default_graph()
    with name_scope(name):
        first = len(graph._ops)
        outputs = python_function(*args, **kwargs)
        created = graph._ops[first:]
        effects = [op for op in created if _effectful(op)]
        for earlier, later in zip(effects, effects[1:]):
            if earlier not in later._control_inputs:
                later._add_control_input(earlier)
        updates = [op for op in effects if op._op_def.stateful or op._op_def.updates_state]
        leaves = flatten(outputs)
        with control_dependencies(updates):
            leaves = [identity(leaf) if isinstance(leaf, Tensor) else leaf for leaf in leaves]
    return pack_sequence_as(outputs, iter(leaves))


def _describe_signature(parameters, input_signature):
    parts = []
    for index, parameter in enumerate(parameters):
        parts.append("%s: %r" % (parameter.name, input_signature[index]) if index < len(input_signature)
                     else parameter.name)
    return "(%s)" % ", ".join(parts)


class Function:
    """`tf.function(func, input_signature=None, autograph=True, ...)`: a callable that builds `func`'s
    ops in the calling graph (inlined, see the module docstring).

    With `input_signature` (a list of tf.TensorSpec nests) each call is checked: Python values are
    converted to the spec's dtype and every tensor must have a compatible dtype and shape, otherwise
    TypeError as in TF. Python (non-Tensor) arguments are passed through unchanged, so each value builds
    its own ops, like TF's retracing per Python value. `autograph` is accepted; numflow does not rewrite
    Python control flow (use tf.cond / tf.while_loop inside, as TF 1 code does).
    """

    def __init__(self, python_function, name=None, input_signature=None, autograph=True,
                 experimental_autograph_options=None, experimental_relax_shapes=False,
                 experimental_compile=None, jit_compile=None, reduce_retracing=False,
                 experimental_implements=None, experimental_follow_type_hints=None):
        if not callable(python_function):
            raise TypeError("tf.function expects a callable, got %r" % (python_function,))
        self._python_function = python_function
        self._name = name or getattr(python_function, "__name__", "function")
        if input_signature is not None:
            input_signature = tuple(input_signature)
            for spec in flatten(list(input_signature)):
                if not _is_spec(spec):
                    raise TypeError("input_signature must be a possibly nested sequence of TensorSpec "
                                    "objects, got invalid args %r with type %r." % (spec, type(spec)))
        self._input_signature = input_signature
        self._autograph = autograph
        self._instance = None
        functools.update_wrapper(self, python_function)

    @property
    def python_function(self):
        """The wrapped Python function."""
        return self._python_function

    @property
    def input_signature(self):
        """The input signature given at construction (a tuple of TensorSpec nests), or None."""
        return self._input_signature

    def __get__(self, instance, owner):
        # A tf.function used as a method: bind the instance like a plain function would.
        if instance is None:
            return self
        bound = Function(functools.partial(self._python_function, instance), name=self._name,
                         input_signature=self._input_signature, autograph=self._autograph)
        return bound

    def _parameters(self):
        try:
            return list(inspect.signature(self._python_function).parameters.values())
        except (TypeError, ValueError):
            return []

    def _bind(self, args, kwargs):
        """The arguments to call the Python function with, checked against `input_signature`."""
        if self._input_signature is None:
            return args, kwargs
        parameters = [p for p in self._parameters()
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        signature = self._input_signature

        def fail(reason):
            raise TypeError("Binding inputs to tf.function failed due to `%s`. Received args: %r and kwargs: "
                            "%r for signature: %s." % (reason, args, kwargs,
                                                       _describe_signature(parameters, signature)))
        if len(args) > len(signature):
            fail("too many positional arguments")
        values = list(args)
        for parameter in parameters[len(args):len(signature)]:
            if parameter.name not in kwargs:
                fail("missing a required argument: %r" % parameter.name)
            values.append(kwargs[parameter.name])
        extra = set(kwargs) - {p.name for p in parameters[len(args):len(signature)]}
        if extra:
            fail("got an unexpected keyword argument %r" % sorted(extra)[0])
        if len(values) < len(signature):
            fail("missing a required argument: %r" % (parameters[len(values)].name
                                                       if len(values) < len(parameters) else len(values)))
        checked = []
        for value, spec in zip(values, signature):
            spec_leaves = flatten(spec)
            value_leaves = flatten(value) if isinstance(spec, (list, tuple, dict)) else [value]
            if len(spec_leaves) != len(value_leaves):
                fail("the structure of %r does not match %r" % (value, spec))
            tensors = []
            for leaf, leaf_spec in zip(value_leaves, spec_leaves):
                if not isinstance(leaf, Tensor):
                    try:
                        leaf = convert_to_tensor(leaf, dtype=leaf_spec.dtype)
                    except (TypeError, ValueError) as exc:
                        fail("Can not cast %r to %r (%s)" % (leaf, leaf_spec, exc))
                if not leaf_spec.is_compatible_with(leaf):
                    fail("Can not cast %r to %r" % (_spec_of(leaf), leaf_spec))
                tensors.append(leaf)
            checked.append(pack_sequence_as(spec, iter(tensors)) if isinstance(spec, (list, tuple, dict))
                           else tensors[0])
        return tuple(checked), {}

    def __call__(self, *args, **kwargs):
        args, kwargs = self._bind(args, kwargs)
        return _call_in_graph(self._python_function, self._name, args, kwargs)

    def get_concrete_function(self, *args, **kwargs):
        """`f.get_concrete_function(*args, **kwargs)`: the function traced for these arguments (TensorSpecs
        or tensors; Python values are fixed), or for `input_signature` when called with none.

        numflow traces it into a graph of its own (`.graph`) with one placeholder per tensor argument;
        calling the ConcreteFunction builds the ops again, inlined, in the calling graph."""
        if self._input_signature is not None:
            if args or kwargs:
                self._check_specs_match(args, kwargs)
            args, kwargs = self._input_signature, {}
        return ConcreteFunction(self._python_function, self._name, args, kwargs)

    def _check_specs_match(self, args, kwargs):
        given = flatten([list(args), [kwargs[k] for k in sorted(kwargs)]])
        specs = flatten(list(self._input_signature))
        if len(given) != len(specs) or not all(
                (s.is_compatible_with(g) if hasattr(g, "dtype") else False) for g, s in zip(given, specs)):
            raise TypeError("Binding inputs to tf.function failed: %r do not match the input_signature %r"
                            % (tuple(given), self._input_signature))

    def __repr__(self):
        return "<numflow Function %s>" % self._name


class ConcreteFunction:
    """A `tf.function` traced for one input signature: `graph` (a tf.Graph of its own; the calling graph
    when the function reads that graph's tensors or variables, which TF captures), `inputs` (the
    placeholders standing for the arguments), `outputs` (its output Tensors, flat), `structured_outputs`
    (them in the function's output nest), `structured_input_signature` and `__call__` with tensors
    matching the signature."""

    def __init__(self, python_function, name, args, kwargs):
        self._python_function = python_function
        self._name = name
        self._args, self._kwargs = args, kwargs
        caller = get_default_graph()
        try:
            self._trace(Graph())
        except ValueError as exc:
            # The function reads tensors or variables of the calling graph (TF captures them into its
            # FuncGraph): trace it in that graph instead, where its placeholders feed nothing else.
            if "must be from the same graph" not in str(exc):
                raise
            self._trace(caller)

    def _trace(self, graph):
        self.graph = graph
        args, kwargs, name = self._args, self._kwargs, self._name
        from ..ops.constant import placeholder
        with graph.as_default():
            first = len(graph._ops)
            names = self._argument_names(args)
            counter = [0]

            def as_placeholder(value):
                if _is_spec(value) or isinstance(value, Tensor):
                    position = counter[0]
                    counter[0] += 1
                    spec_name = getattr(value, "name", None) if _is_spec(value) else None
                    return placeholder(value.dtype, value.shape, name=spec_name or names[position])
                return value
            placeholders_args = pack_sequence_as(list(args), iter([as_placeholder(v) for v in flatten(list(args))]))
            placeholders_kwargs = {k: pack_sequence_as(kwargs[k], iter([as_placeholder(v) for v in flatten(kwargs[k])]))
                                   for k in kwargs}
            self.inputs = [op.outputs[0] for op in graph._ops[first:] if op.type == "Placeholder"]
            self.structured_outputs = _call_in_graph(self._python_function, name, placeholders_args,
                                                     placeholders_kwargs)
        self.outputs = [leaf for leaf in flatten(self.structured_outputs) if isinstance(leaf, Tensor)]
        self.structured_input_signature = (
            tuple(pack_sequence_as(a, iter([_spec_of(v) if _is_spec(v) or isinstance(v, Tensor) else v
                                      for v in flatten(a)])) for a in args),
            {k: pack_sequence_as(v, iter([_spec_of(x) if _is_spec(x) or isinstance(x, Tensor) else x
                                    for x in flatten(v)])) for k, v in kwargs.items()})

    def _argument_names(self, args):
        try:
            parameters = list(inspect.signature(self._python_function).parameters)
        except (TypeError, ValueError):
            parameters = []
        leaves = []
        for index, arg in enumerate(args):
            base = parameters[index] if index < len(parameters) else "arg%d" % index
            count = len(flatten(arg))
            leaves.extend([base] if count == 1 else ["%s_%d" % (base, i) for i in range(count)])
        return leaves + ["kwarg%d" % i for i in range(len(flatten(list(self._kwargs.values()))))]

    def __call__(self, *args, **kwargs):
        specs = [leaf for leaf in flatten([list(self._args), [self._kwargs[k] for k in sorted(self._kwargs)]])
                 if _is_spec(leaf) or isinstance(leaf, Tensor)]
        given = flatten([list(args), [kwargs[k] for k in sorted(kwargs)]])
        if len(given) != len(specs):
            raise TypeError("%s takes %d tensor arguments, got %d" % (self._name, len(specs), len(given)))
        tensors = []
        for value, spec in zip(given, specs):
            tensor = value if isinstance(value, Tensor) else convert_to_tensor(value, dtype=spec.dtype)
            if tensor.dtype is not spec.dtype or not tensor.shape.is_compatible_with(spec.shape):
                raise TypeError("ConcreteFunction %s was traced for %r, got %r"
                                % (self._name, _spec_of(spec), _spec_of(tensor)))
            tensors.append(tensor)
        leaves = iter(tensors)
        call_args = pack_sequence_as(list(self._args), iter(
            [next(leaves) if _is_spec(v) or isinstance(v, Tensor) else v for v in flatten(list(self._args))]))
        call_kwargs = {k: pack_sequence_as(self._kwargs[k], iter(
            [next(leaves) if _is_spec(v) or isinstance(v, Tensor) else v for v in flatten(self._kwargs[k])]))
            for k in sorted(self._kwargs)}
        return _call_in_graph(self._python_function, self._name, call_args, call_kwargs)


def function(func=None, input_signature=None, autograph=True, experimental_autograph_options=None,
             experimental_relax_shapes=False, experimental_compile=None, jit_compile=None,
             reduce_retracing=False, experimental_implements=None, experimental_follow_type_hints=None):
    """`tf.function(func=None, input_signature=None, autograph=True, ...)`: a `Function` wrapping func,
    as a decorator (`@tf.function`, `@tf.function(input_signature=[...])`) or called directly."""
    options = dict(input_signature=input_signature, autograph=autograph,
                   experimental_autograph_options=experimental_autograph_options,
                   experimental_relax_shapes=experimental_relax_shapes,
                   experimental_compile=experimental_compile, jit_compile=jit_compile,
                   reduce_retracing=reduce_retracing, experimental_implements=experimental_implements,
                   experimental_follow_type_hints=experimental_follow_type_hints)
    if func is None:
        return lambda inner: Function(inner, **options)
    return Function(func, **options)


class WrappedFunction(ConcreteFunction):
    """What `tf.compat.v1.wrap_function` returns: a ConcreteFunction of a TF1-style function (its
    variables and ops live in `graph`); `prune(feeds, fetches)` is not provided."""


def wrap_function(fn, signature, name=None):
    """`tf.compat.v1.wrap_function(fn, signature, name=None)`: traces `fn` for `signature` (a list of
    tf.TensorSpec) into a graph of its own (`.graph`, `.inputs`, `.outputs`, `.structured_outputs`);
    calling it with tensors builds fn's ops, inlined, in the calling graph."""
    if signature is None:
        signature = []
    return WrappedFunction(fn, name or getattr(fn, "__name__", "wrapped_function"), tuple(signature), {})
