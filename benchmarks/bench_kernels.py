"""Bandwidth-bound kernels, numflow's kernel against its previous form and a hand-written NumPy version.

    python benchmarks/bench_kernels.py [--only chunks,optimizers,activations,memory] [--blocks 5]
                                       [--seconds 0.1] [--out FILE]

Sections:
  chunks       the chunked optimizer update's curve: ApplyAdam on variables of 16K..3.2M float32
               elements, whole against chunks of 4K..128K elements (how CHUNK_ELEMENTS and
               CHUNKING_THRESHOLD in ops/training.py were chosen); at 3.2M elements also chunks with
               two scratch buffers reused throughout instead of the update's own temporaries
  optimizers   every dense Apply* update on the deep MNIST CNN's largest variable (3136x1024 float32):
               whole-array (the previous kernel) against chunked (the kernel now) and hand NumPy
  activations  the rewritten activation kernels and gradient kernels against their previous forms and
               hand NumPy, on the LSTM's 128x128 gates, 128x512 and the CNN's 50x28x28x32 activations
  memory       whether a memory plan would pay: typical kernels writing a fresh output against writing
               with out= into a buffer reused across calls, with numflow's allocator policy active; the
               saving by output size; the estimated saving per training step of the CNN, MLP,
               autoencoder and LSTM of bench_workloads.py (each fresh output of a step credited with
               the saving of its size)

benchmarks/results/kernels.txt holds the tables of a run, the choices made from them and the effect on
the workloads.

Everything runs at one BLAS thread. Activation kernels take turns over 8 input sets (new data each call,
as in training: np.where's per-element branch is only fast on a mask the branch predictor has learned). Variants of one case alternate in blocks of about --seconds each;
each block's per-call median is kept and the table shows the median over blocks and the spread
(lowest-highest block median, in % of the median).
"""
import argparse
import itertools
import os
import statistics
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.environ.get("NUMFLOW_SRC") or os.path.join(HERE, "..", "src"))

import numflow  # noqa: E402
from numflow.client import plan as plan_module, threads  # noqa: E402
from numflow.framework import op_def  # noqa: E402
from numflow.ops import training, training_extra  # noqa: E402,F401  (registers the Ftrl family)


# --- timing ----------------------------------------------------------------------------------------
def _block(call, seconds):
    """Per-call median (seconds) of `call` repeated for about `seconds`."""
    call()
    times = []
    deadline = time.perf_counter() + seconds
    while True:
        start = time.perf_counter()
        call()
        end = time.perf_counter()
        times.append(end - start)
        if end > deadline and len(times) >= 5:
            return statistics.median(times)


def compare(variants, blocks, seconds):
    """{name: (median us, spread %)} of `variants` ({name: callable}) timed in alternating blocks."""
    samples = {name: [] for name in variants}
    for _ in range(blocks):
        for name, call in variants.items():
            samples[name].append(_block(call, seconds))
    result = {}
    for name, values in samples.items():
        median = statistics.median(values)
        result[name] = (median * 1e6, 100 * (max(values) - min(values)) / median)
    return result


class Table:
    """Rows printed as they come and kept for the results file."""

    def __init__(self):
        self.lines = []

    def add(self, text=""):
        print(text, flush=True)
        self.lines.append(text)


def _cell(timing):
    return "%9.1f +-%3.0f%%" % timing


# --- optimizer updates ---------------------------------------------------------------------------
_F32 = np.float32


def _optimizer_cases():
    """(op type, number of slot variables, scalar inputs before the gradient, after it, attrs)."""
    lr, rho, mom, eps = _F32(1e-3), _F32(0.9), _F32(0.9), _F32(1e-7)
    return [
        ("ApplyGradientDescent", 0, [lr], [], {}),
        ("ApplyMomentum", 1, [lr], [mom], {"use_nesterov": False}),
        ("ApplyMomentum", 1, [lr], [mom], {"use_nesterov": True}),
        ("ApplyAdagrad", 1, [lr], [], {"update_slots": True}),
        ("ApplyAdam", 2, [_F32(0.9 ** 5), _F32(0.999 ** 5), lr, _F32(0.9), _F32(0.999), eps], [],
         {"use_nesterov": False}),
        ("ApplyAdam", 2, [_F32(0.9 ** 5), _F32(0.999 ** 5), lr, _F32(0.9), _F32(0.999), eps], [],
         {"use_nesterov": True}),
        ("ApplyRMSProp", 2, [lr, rho, mom, eps], [], {}),
        ("ApplyCenteredRMSProp", 3, [lr, rho, mom, eps], [], {}),
        ("ApplyAdadelta", 2, [lr, _F32(0.95), eps], [], {}),
        ("ApplyFtrl", 2, [], [lr, _F32(0.01), _F32(0.01), _F32(-0.5)], {}),
        ("ApplyProximalAdagrad", 1, [lr, _F32(0.01), _F32(0.01)], [], {}),
        ("ApplyAdagradDA", 2, [], [lr, _F32(0.01), _F32(0.01), np.int64(5)], {}),
    ]


def _state(shape, slots, rng):
    var = rng.standard_normal(shape, dtype=_F32)
    # Positive slots: accumulators of squares must be, and the others do not mind.
    refs = [var] + [np.full(shape, 0.1, _F32) for _ in range(slots)]
    return refs, rng.standard_normal(shape, dtype=_F32) * _F32(0.01)


def _update_call(op_type, refs, before, grad, after, attrs, chunk):
    """A call of the op's update on `refs`: whole (chunk None) or through the chunked driver."""
    update = op_def.lookup(op_type).update
    one = refs[0].dtype.type(1)
    args = list(before) + [grad] + list(after)
    if chunk is None:
        return lambda: update(refs, args, one, attrs)
    return lambda: training._update_in_chunks(update, refs, args, one, attrs, chunk)


def _hand_numpy(op_type, attrs):
    """The update as one would write it in plain NumPy (whole arrays), or None."""
    if op_type == "ApplyGradientDescent":
        def step(refs, lr, grad):
            refs[0] -= lr * grad
        return step
    if op_type == "ApplyMomentum" and not attrs["use_nesterov"]:
        def step(refs, lr, grad, momentum):
            var, accum = refs
            accum *= momentum
            accum += grad
            var -= lr * accum
        return step
    if op_type == "ApplyAdam" and not attrs["use_nesterov"]:
        def step(refs, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad):
            var, m, v = refs
            alpha = lr * np.sqrt(1 - beta2_power) / (1 - beta1_power)
            m[...] = beta1 * m + (1 - beta1) * grad
            v[...] = beta2 * v + (1 - beta2) * grad * grad
            var -= alpha * m / (np.sqrt(v) + epsilon)
        return step
    if op_type == "ApplyRMSProp":
        def step(refs, lr, rho, momentum, epsilon, grad):
            var, ms, mom = refs
            ms[...] = rho * ms + (1 - rho) * grad * grad
            mom[...] = momentum * mom + lr * grad / np.sqrt(ms + epsilon)
            var -= mom
        return step
    if op_type == "ApplyAdagrad":
        def step(refs, lr, grad):
            var, accum = refs
            accum += grad * grad
            var -= lr * grad / np.sqrt(accum)
        return step
    return None


def _adam_chunks_with_scratch(refs, args, chunk):
    """ApplyAdam's update over chunks with two scratch buffers reused by every chunk (out= throughout)
    instead of the update's fresh temporaries: what per-kernel scratch buffers would save on top of
    chunking."""
    var, m, v = (ref.reshape(-1) for ref in refs)
    beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad = args
    grad = grad.reshape(-1)
    one = var.dtype.type(1)
    alpha = lr * np.sqrt(one - beta2_power) / (one - beta1_power)
    first, second = np.empty(chunk, var.dtype), np.empty(chunk, var.dtype)
    for start in range(0, var.size, chunk):
        stop = min(start + chunk, var.size)
        a, b = first[:stop - start], second[:stop - start]
        g, mc, vc = grad[start:stop], m[start:stop], v[start:stop]
        np.subtract(g, mc, out=a)
        a *= one - beta1
        mc += a
        np.multiply(g, g, out=a)
        a -= vc
        a *= one - beta2
        vc += a
        np.sqrt(vc, out=b)
        b += epsilon
        np.multiply(mc, alpha, out=a)
        a /= b
        var[start:stop] -= a


def bench_chunks(table, blocks, seconds):
    table.add("ApplyAdam (float32): whole-array update vs chunks of C elements, us per update "
              "(median over blocks +- spread)")
    chunks = [4096, 8192, 16384, 32768, 65536, 131072]
    table.add("%10s %15s " % ("elements", "whole") + " ".join("%15s" % ("C=%dK" % (c // 1024)) for c in chunks)
              + "   best whole/chunked")
    rng = np.random.default_rng(0)
    op_type, slots, before, after, attrs = _optimizer_cases()[4]
    for size in [16384, 32768, 65536, 131072, 262144, 524288, 1048576, 3211264]:
        refs, grad = _state((size,), slots, rng)
        variants = {"whole": _update_call(op_type, refs, before, grad, after, attrs, None)}
        for chunk in chunks:
            if chunk < size:
                variants[chunk] = _update_call(op_type, refs, before, grad, after, attrs, chunk)
        if size == 3211264:
            args = list(before) + [grad] + list(after)
            variants["scratch"] = lambda refs=refs, args=args: _adam_chunks_with_scratch(
                refs, args, training.CHUNK_ELEMENTS)
        result = compare(variants, blocks, seconds)
        best = min((result[c][0] for c in chunks if c in result), default=float("nan"))
        table.add("%10d %s " % (size, _cell(result["whole"])) +
                  " ".join(_cell(result[c]) if c in result else "%15s" % "-" for c in chunks) +
                  "   %.2f" % (result["whole"][0] / best))
        if "scratch" in result:
            table.add("%10s chunks of C=%dK with two reused scratch buffers (out= throughout): %s, against "
                      "the update's own temporaries %s" % ("", training.CHUNK_ELEMENTS // 1024,
                                                           _cell(result["scratch"]),
                                                           _cell(result[training.CHUNK_ELEMENTS])))


def bench_optimizers(table, blocks, seconds, shape=(3136, 1024)):
    table.add("Dense optimizer updates of a %s float32 variable, us per update: whole-array (previous "
              "kernel), chunked (C=%d, kernel now), hand NumPy" % ("x".join(map(str, shape)),
                                                                     training.CHUNK_ELEMENTS))
    table.add("%-32s %15s %15s %15s %12s %12s" % ("op", "whole", "chunked", "numpy", "whole/chunk",
                                                  "chunk/numpy"))
    rng = np.random.default_rng(1)
    for op_type, slots, before, after, attrs in _optimizer_cases():
        refs, grad = _state(shape, slots, rng)
        variants = {"whole": _update_call(op_type, refs, before, grad, after, attrs, None),
                    "chunked": _update_call(op_type, refs, before, grad, after, attrs, training.CHUNK_ELEMENTS)}
        hand = _hand_numpy(op_type, attrs)
        if hand is not None:
            args = list(before) + [grad] + list(after)
            variants["numpy"] = lambda hand=hand, args=args, refs=refs: hand(refs, *args)
        result = compare(variants, blocks, seconds)
        label = op_type + ("(nesterov)" if attrs.get("use_nesterov") else "")
        numpy_cell = _cell(result["numpy"]) if "numpy" in result else "%15s" % "-"
        ratio = "%12.2f" % (result["chunked"][0] / result["numpy"][0]) if "numpy" in result else "%12s" % "-"
        table.add("%-32s %s %s %s %12.2f %s" % (label, _cell(result["whole"]), _cell(result["chunked"]),
                                               numpy_cell, result["whole"][0] / result["chunked"][0], ratio))


# --- activations ---------------------------------------------------------------------------------
def bench_activations(table, blocks, seconds):
    from numflow.ops import math as math_ops, tf_compat_ops
    table.add("Activation kernels (float32), us per call: previous kernel, kernel now, hand NumPy")
    table.add("%-16s %-14s %15s %15s %15s %10s %10s" % ("kernel", "shape", "old", "new", "numpy", "old/new",
                                                        "new/numpy"))
    rng = np.random.default_rng(2)
    zero, one = _F32(0), _F32(1)

    def old_sigmoid(x):
        with np.errstate(over="ignore"):
            e = np.exp(np.negative(x))
        e += 1
        return np.reciprocal(e, out=e)

    def old_sigmoid_grad(y, dy):
        # The graph built before: multiply(dy, multiply(y, subtract(1, y))), three kernels.
        return np.multiply(dy, np.multiply(y, np.subtract(one, y)))

    def old_tanh_grad(y, dy):
        # multiply(dy, subtract(1, square(y))), three kernels.
        return np.multiply(dy, np.subtract(one, np.square(y)))

    def relu_grad_typed(dy, y):
        # A variant tried for ReluGrad (kept as it was: no measurable gain).
        return np.multiply(dy, np.greater(y, zero), dtype=dy.dtype)

    cases = [
        ("Sigmoid", old_sigmoid, math_ops._sigmoid, lambda x: 1 / (1 + np.exp(-x)), 1),
        ("SigmoidGrad", old_sigmoid_grad, tf_compat_ops.SigmoidGrad.derivative,
         lambda y, dy: dy * y * (1 - y), 2),
        ("TanhGrad", old_tanh_grad, tf_compat_ops.TanhGrad.derivative, lambda y, dy: dy * (1 - y * y), 2),
        ("ReluGrad(tried)", op_def.lookup("ReluGrad").kernel(None, None), relu_grad_typed,
         lambda dy, y: dy * (y > 0), 2),
    ]
    # The selecting activations: before, np.where (also what one writes by hand in NumPy); the "numpy"
    # column of these and the one-buffer forms below is the previous formula itself.
    scale, scale_alpha, alpha = _F32(1.0507009873554805), _F32(1.0507009873554805 * 1.6732632423543772), _F32(0.2)
    where_forms = [
        ("Elu", lambda x: np.where(x < 0, np.expm1(np.minimum(x, 0)), x), 1),
        ("EluGrad", lambda dy, y: np.where(y < 0, dy * (y + one), dy), 2),
        ("Selu", lambda x: np.where(x < 0, scale_alpha * np.expm1(np.minimum(x, 0)), scale * x), 1),
        ("SeluGrad", lambda dy, y: np.where(y < 0, dy * (y + scale_alpha), dy * scale), 2),
        ("LeakyReluGrad", lambda dy, x: np.where(x > 0, dy, alpha * dy), 2),
    ]
    half = _F32(0.5)
    # Rewritten into one buffer (no selection): the same operations, before as NumPy expressions.
    one_buffer_forms = [
        ("SoftplusGrad", lambda dy, x: dy * (half + half * np.tanh(half * x)), 2),
        ("Softsign", lambda x: x / (np.abs(x) + one), 1),
        ("SoftsignGrad", lambda dy, x: dy / np.square(np.abs(x) + one), 2),
    ]
    for name, where_form, arity in where_forms + one_buffer_forms:
        cases.append((name, where_form, _kernel_of(name, arity), where_form, arity))
    for shape in [(128, 128), (128, 512), (50, 28, 28, 32)]:
        for name, old, new, hand, arity in cases:
            # Calls take turns over several input sets, as steps see new data: a branch predictor that
            # learned one input's sign pattern would make np.where look fast on small arrays.
            input_sets = []
            for _ in range(_INPUT_SETS):
                inputs = [rng.standard_normal(shape, dtype=_F32) for _ in range(arity)]
                if name == "SigmoidGrad":
                    inputs[0] = old_sigmoid(inputs[0])
                if name == "TanhGrad":
                    inputs[0] = np.tanh(inputs[0])
                input_sets.append(inputs)
            variants = {label: _taking_turns(function, input_sets)
                        for label, function in (("old", old), ("new", new), ("numpy", hand))}
            result = compare(variants, blocks, seconds)
            table.add("%-16s %-14s %s %s %s %10.2f %10.2f" % (
                name, "x".join(map(str, shape)), _cell(result["old"]), _cell(result["new"]),
                _cell(result["numpy"]), result["old"][0] / result["new"][0],
                result["new"][0] / result["numpy"][0]))
    errstate = compare({"errstate": _errstate_only}, blocks, seconds)["errstate"]
    table.add("np.errstate(over='ignore') entered and left: %.2f us per call" % errstate[0])


_INPUT_SETS = 8


def _taking_turns(function, input_sets):
    """A call of `function` on the next of `input_sets` each time."""
    turns = itertools.cycle(input_sets)
    return lambda: function(*next(turns))


def _kernel_of(op_type, arity):
    """The float32 kernel of `op_type` (LeakyReluGrad: alpha 0.2), from a one-op graph."""
    import types
    graph = numflow.Graph()
    with graph.as_default():
        inputs = [numflow.placeholder(numflow.float32, None) for _ in range(arity)]
        attrs = {"alpha": 0.2} if op_type == "LeakyReluGrad" else None
        op = graph.create_op(op_type, inputs, attrs)
    return op_def.lookup(op_type).kernel(op, types.SimpleNamespace(xp=np))


def _errstate_only():
    with np.errstate(over="ignore"):
        pass


# --- memory plan ---------------------------------------------------------------------------------
def bench_memory(table, blocks, seconds):
    table.add("Fresh output vs out= into a buffer reused across calls (float32, allocator policy %s), "
              "us per call" % ("on" if plan_module.keep_freed_memory() else "off"))
    table.add("%-34s %15s %15s %10s" % ("kernel", "fresh", "out=", "saved us"))
    rng = np.random.default_rng(3)
    a = rng.standard_normal((128, 784), dtype=_F32)
    w = rng.standard_normal((784, 256), dtype=_F32)
    savings = {}
    cases = []
    for shape in [(128, 512), (50, 28, 28, 32)]:
        x = rng.standard_normal(shape, dtype=_F32)
        y = rng.standard_normal(shape, dtype=_F32)
        label = "x".join(map(str, shape))
        cases += [("relu " + label, lambda x=x: np.maximum(x, _F32(0)),
                   lambda out, x=x: np.maximum(x, _F32(0), out=out), shape),
                  ("add " + label, lambda x=x, y=y: np.add(x, y), lambda out, x=x, y=y: np.add(x, y, out=out), shape),
                  ("sigmoid " + label, lambda x=x: _sigmoid_fresh(x), lambda out, x=x: _sigmoid_into(x, out), shape)]
    cases.insert(0, ("matmul 128x784@784x256", lambda: np.matmul(a, w), lambda out: np.matmul(a, w, out=out),
                     (128, 256)))
    for name, fresh, into, shape in cases:
        buffer = np.empty(shape, _F32)
        result = compare({"fresh": fresh, "out": lambda into=into, buffer=buffer: into(buffer)}, blocks, seconds)
        savings[name] = result["fresh"][0] - result["out"][0]
        table.add("%-34s %s %s %10.2f" % (name, _cell(result["fresh"]), _cell(result["out"]), savings[name]))
    table.add()
    table.add("The saving by output size (x + y, float32), what a memory plan saves per kernel output")
    table.add("%-34s %15s %15s %10s" % ("elements", "fresh", "out=", "saved us"))
    sizes, saved = [], []
    for size in [256, 4096, 16384, 65536, 262144, 1048576, 1605632]:
        x = rng.standard_normal(size, dtype=_F32)
        y = rng.standard_normal(size, dtype=_F32)
        buffer = np.empty(size, _F32)
        result = compare({"fresh": lambda x=x, y=y: np.add(x, y),
                          "out": lambda x=x, y=y, buffer=buffer: np.add(x, y, out=buffer)}, blocks, seconds)
        sizes.append(size)
        saved.append(result["fresh"][0] - result["out"][0])
        table.add("%-34d %s %s %10.2f" % (size, _cell(result["fresh"]), _cell(result["out"]), saved[-1]))
    table.add()
    table.add("Estimated saving per training step: each kernel output of a step (counted in a Session) saves "
              "what an add of its size saved above")
    table.add("%-14s %10s %12s %14s %12s %10s" % ("workload", "step ms", "outputs", "output MB", "saved us",
                                                  "saved %"))
    for name, (outputs, step_ms) in _workload_outputs().items():
        estimate = sum(np.interp(count, sizes, saved) for count in outputs)
        table.add("%-14s %10.2f %12d %14.1f %12.1f %10.2f" % (name, step_ms, len(outputs),
                                                              sum(outputs) * 4 / 1e6, estimate,
                                                              estimate / (step_ms * 10)))
    return savings


def _workload_outputs(steps=10):
    """{workload: (element counts of the fresh float32 arrays the kernels of one training step return,
    ms per step)} for the CNN, MLP, autoencoder and LSTM of bench_workloads.py."""
    sys.path.insert(0, HERE)
    import bench_workloads
    rng = np.random.default_rng(4)

    def labels(batch):
        return np.eye(10, dtype=_F32)[rng.integers(0, 10, batch)]
    builds = {
        "cnn_train": (bench_workloads.cnn_graph, lambda g: {g["x"]: rng.random((50, 784), dtype=_F32),
                                                            g["y"]: labels(50), g["keep"]: 0.5}),
        "mlp128": (bench_workloads.mlp_graph, lambda g: {g["x"]: rng.random((128, 784), dtype=_F32),
                                                         g["y"]: labels(128)}),
        "autoencoder": (bench_workloads.autoencoder_graph, lambda g: {g["x"]: rng.random((128, 784), dtype=_F32)}),
        "lstm": (bench_workloads.lstm_graph, lambda g: {g["x"]: rng.random((128, 28, 28), dtype=_F32),
                                                       g["y"]: labels(128)}),
    }
    recorded = []
    classes = {type(op_def.lookup(t)) for t in op_def.registered_types()}
    # The kernels as they are (inherited or not), taken before any is replaced.
    originals = {definition: (definition.kernel, "kernel" in definition.__dict__) for definition in classes
                 if not (definition.returns_shared or definition.may_alias_input)}

    def recording_kernel(original):
        def kernel(self, op, ctx):
            compute = original(self, op, ctx)

            def recording(*args):
                result = compute(*args)
                for value in result if isinstance(result, tuple) else (result,):
                    if type(value) is np.ndarray and value.dtype == _F32 and value.size > 1:
                        recorded.append(value.size)
                return result
            return recording
        return kernel

    def run(build, feed, steps):
        graph = numflow.Graph()
        with graph.as_default():
            parts = build(numflow)
            values = feed(parts)
            with numflow.Session(config=numflow.ConfigProto(intra_op_parallelism_threads=1)) as sess:
                sess.run(numflow.global_variables_initializer())
                sess.run(parts["train"], values)
                del recorded[:]
                start = time.perf_counter()
                for _ in range(steps):
                    sess.run(parts["train"], values)
                return (time.perf_counter() - start) / steps * 1e3

    results = {}
    for name, (build, feed) in builds.items():
        for definition, (original, _) in originals.items():
            definition.kernel = recording_kernel(original)
        try:
            run(build, feed, 1)
            outputs = list(recorded)
        finally:
            for definition, (original, own) in originals.items():
                if own:
                    definition.kernel = original
                else:
                    del definition.kernel
        results[name] = (outputs, run(build, feed, steps))
    return results


def _sigmoid_fresh(x):
    e = np.negative(x)
    with np.errstate(over="ignore"):
        np.exp(e, out=e)
    e += 1
    return np.reciprocal(e, out=e)


def _sigmoid_into(x, out):
    np.negative(x, out=out)
    with np.errstate(over="ignore"):
        np.exp(out, out=out)
    out += 1
    return np.reciprocal(out, out=out)


SECTIONS = {"chunks": bench_chunks, "optimizers": bench_optimizers, "activations": bench_activations,
            "memory": bench_memory}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(SECTIONS))
    parser.add_argument("--blocks", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=0.1)
    parser.add_argument("--out", default=None, help="also write the tables to this file")
    options = parser.parse_args(argv)
    threads.set_blas_threads(1)
    # A Session first: it sets the allocator policy every plan runs under.
    numflow.Session().close()
    plan_module.keep_freed_memory()
    table = Table()
    table.add("numflow %s, NumPy %s, %d CPUs, load average %s, BLAS threads %s" % (
        numflow.__version__, np.__version__, os.cpu_count(), " ".join("%.2f" % v for v in os.getloadavg()),
        threads.blas_threads()))
    for name in options.only.split(","):
        table.add()
        SECTIONS[name](table, options.blocks, options.seconds)
    if options.out:
        with open(options.out, "w") as stream:
            stream.write("\n".join(table.lines) + "\n")


if __name__ == "__main__":
    main()
