"""How an op is defined: ONE class holds its shape/dtype rule, its NumPy kernel and its gradient.

An op family module (`ops/math.py`, ...) defines each op as a subclass of `OpDef` decorated with
`@register`, right beside the public function that builds it:

    @register
    class Square(OpDef):
        def infer(self, op):                 # runs at graph construction: static dtype and shape
            return [(op.inputs[0].dtype, op.inputs[0].shape)]
        def kernel(self, op, ctx):           # runs once when a Session compiles a plan
            return np.square                 # the callable the plan calls with the input values
        def grad(self, op, dy):              # symbolic: builds gradient ops from other ops
            return [dy * 2.0 * op.inputs[0]]

The kernel callable returns one value for a single-output op, a tuple for several. `ctx` is the running
Session's state (`ctx.variable_cell(op)`, `ctx.random_generator(op)`), for the few ops that need it, and
`ctx.xp`, the array module of the device the op is placed on (NumPy on the host, CuPy on a GPU: see
`numflow.backend`): a kernel that creates arrays creates them with `ctx.xp`, so that it runs on either.
"""

_REGISTRY = {}


class OpDef:
    """Base class of all op definitions; subclasses override what differs."""

    type = None
    # Touches session state (variables, random numbers, I/O): never constant-folded, merged or reordered.
    stateful = False
    # Indices of inputs that name a variable to write rather than a value to read: the plan neither
    # computes them nor waits for a read of them.
    ref_inputs = ()
    # The kernel may return a view of (part of) an input; a fetched view of a variable is copied so that
    # later in-place updates never reach values the user holds.
    may_alias_input = False
    # Writes a variable: a plan runs it after every read that does not depend on it.
    updates_state = False
    # The kernel returns a buffer that outlives the run (a constant's value, a variable's storage).
    returns_shared = False
    # False: constant folding must not precompute it (its kernel's result is too large to keep, say).
    foldable = True
    # The output depends only on the inputs' shapes (Shape, ZerosLike...): folded when they are static.
    shape_only = False
    # False: the op has no gradient (TF's NotDifferentiable) and tf.gradients treats it as a constant.
    differentiable = True
    # The kernel only runs on the host (Python objects, files, NumPy-only routines): a plan on a GPU copies
    # its inputs to the host and its outputs back. Ops with string/resource/variant values always are.
    host_only = False
    # Indices of inputs that a kernel on a device still reads as host values (shapes, axes, sizes, as TF's
    # HostMemory inputs): the plan hands them over as NumPy arrays.
    host_inputs = ()

    def infer(self, op):
        """Returns [(DType, TensorShape)] for each output, raising ValueError/TypeError if invalid."""
        raise NotImplementedError("op %s has no shape rule" % self.type)

    def kernel(self, op, ctx):
        """Returns the callable a plan invokes with this op's input values."""
        raise NotImplementedError("op %s has no kernel" % self.type)

    def concurrent_kernel(self, op, ctx, submit):
        """A kernel for the plan's concurrent variant (`client/concurrency.py`), or None (the default):
        it does the op's work in independent parts, handing some to `submit(function, *args)` (which
        returns a task whose `result()` waits for it) and doing the rest itself, with results identical
        to `kernel`'s bit for bit. Only asked for ops that run on the host."""
        return None

    def grad(self, op, *output_grads):
        """Returns one gradient Tensor (or None) per input of `op`, given the gradients of its outputs."""
        raise LookupError("No gradient defined for operation '%s' (op type: %s)" % (op.name, op.type))


def register(cls):
    """Class decorator: registers an OpDef subclass under its `type` (its class name by default)."""
    if "type" not in cls.__dict__ or cls.type is None:
        cls.type = cls.__name__
    if cls.type in _REGISTRY:
        raise KeyError("op type %r is defined twice" % cls.type)
    _REGISTRY[cls.type] = cls()
    return cls


# Packages that `import numflow` leaves for first use but that define ops of their own: a graph read from
# a file may name those ops before the program touches the package.
_LAZY_OP_PACKAGES = ["numflow.contrib", "numflow.data", "numflow.image"]


def _load_lazy_op_packages():
    import importlib
    while _LAZY_OP_PACKAGES:
        importlib.import_module(_LAZY_OP_PACKAGES.pop())


def lookup(op_type):
    try:
        return _REGISTRY[op_type]
    except KeyError:
        pass
    _load_lazy_op_packages()
    try:
        return _REGISTRY[op_type]
    except KeyError:
        raise KeyError("Op type not registered '%s'" % op_type) from None


def registered_types():
    _load_lazy_op_packages()
    return sorted(_REGISTRY)
