"""Conv2D, Conv2DBackpropInput and Conv2DBackpropFilter per algorithm and shape, against hand-written NumPy.

    python benchmarks/bench_conv.py [--shapes cnn_conv2_b50,vgg_b32] [--modes 1,default] [--blocks 5]
                                    [--seconds 0.2] [--out benchmarks/results/conv_algorithms.txt]
    python benchmarks/bench_conv.py --sweep [--out sweep.txt]    # the thresholds of conv_algorithms.choose

For each shape and op, in one process and in alternating blocks of about --seconds each:
  * `auto`: numflow with the algorithm conv_algorithms.choose picks (what users get);
  * `im2col` / `winograd`: numflow with NUMFLOW_CONV_ALGORITHM forcing one (winograd only where valid);
  * `numpy`: a hand-written NumPy im2col: the whole patch matrix through a strided view and one matrix
    product (the input gradient: one product, then col2im adds);
  * `tf`: TensorFlow's tf.nn.conv2d / conv2d_backprop_input / conv2d_backprop_filter, when TensorFlow is
    importable in this process (run it as `NUMFLOW_SRC=src /tmp/tf/bin/python benchmarks/bench_conv.py`).
Mode `1` is one thread everywhere (ConfigProto(intra_op_parallelism_threads=1) for the Sessions, one BLAS
thread for NumPy), `default` sets nothing. Every numflow side runs through Session.run with fed
placeholders. Reported: the median per-call wall time of each side over the blocks, the spread of the
`auto` side (slowest / fastest block), and the ratios auto / numpy, auto / im2col and auto / tf.
"""
import argparse
import os
import platform
import statistics
import sys
import time

import numpy as np
from numpy.lib.stride_tricks import as_strided

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.environ.get("NUMFLOW_SRC") or os.path.join(HERE, "..", "src"))
sys.path.insert(0, HERE)

import numflow  # noqa: E402
from numflow.client import threads  # noqa: E402
from numflow.ops import conv_algorithms  # noqa: E402
from bench_workloads import block_samples, load_tensorflow  # noqa: E402

OPS = ("forward", "input_grad", "filter_grad")
# name: (batch, height, width, in channels, kernel, out channels, stride, padding)
SHAPES = {
    "cnn_conv1_b50": (50, 28, 28, 1, 5, 32, 1, "SAME"),
    "cnn_conv2_b50": (50, 14, 14, 32, 5, 64, 1, "SAME"),
    "cnn_conv1_b1000": (1000, 28, 28, 1, 5, 32, 1, "SAME"),
    "cnn_conv2_b1000": (1000, 14, 14, 32, 5, 64, 1, "SAME"),
    "vgg_b32": (32, 32, 32, 64, 3, 64, 1, "SAME"),
    "conv2_valid_b50": (50, 14, 14, 32, 5, 64, 1, "VALID"),
    "vgg_stride2_b32": (32, 32, 32, 64, 3, 64, 2, "SAME"),
}


# --- hand-written NumPy im2col ---------------------------------------------------------------------------
def _numpy_geometry(h, k, stride, padding):
    if padding == "VALID":
        return (h - k) // stride + 1, 0, 0
    out = -(-h // stride)
    total = max((out - 1) * stride + k - h, 0)
    return out, total // 2, total - total // 2


def numpy_ops(shape):
    """The three hand-written NumPy functions of one shape (x, f, dy -> result)."""
    n, h, w, c, k, o, s, padding = shape
    oh, pt, pb = _numpy_geometry(h, k, s, padding)
    ow, pl, pr = _numpy_geometry(w, k, s, padding)

    def padded(x):
        return np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0))) if pt or pb or pl or pr else x

    def columns(x):
        p = padded(x)
        s0, s1, s2, s3 = p.strides
        view = as_strided(p, (n, oh, ow, k, k, c), (s0, s1 * s, s2 * s, s1, s2, s3), writeable=False)
        return view.reshape(n * oh * ow, k * k * c)

    def forward(x, f, dy):
        return (columns(x) @ f.reshape(k * k * c, o)).reshape(n, oh, ow, o)

    def input_grad(x, f, dy):
        dcols = (dy.reshape(-1, o) @ f.reshape(k * k * c, o).T).reshape(n, oh, ow, k, k, c)
        dxp = np.zeros((n, h + pt + pb, w + pl + pr, c), dy.dtype)
        for i in range(k):
            for j in range(k):
                dxp[:, i:i + (oh - 1) * s + 1:s, j:j + (ow - 1) * s + 1:s] += dcols[:, :, :, i, j]
        return dxp[:, pt:pt + h, pl:pl + w]

    def filter_grad(x, f, dy):
        return (columns(x).T @ dy.reshape(-1, o)).reshape(k, k, c, o)

    return {"forward": forward, "input_grad": input_grad, "filter_grad": filter_grad}, (oh, ow)


# --- Session-based sides -----------------------------------------------------------------------------------
def build_op(module, op, shape, out_hw):
    """(placeholders x, f, dy; the op's output) built with numflow or tf.compat.v1."""
    n, h, w, c, k, o, s, padding = shape
    x = module.placeholder(module.float32, [n, h, w, c])
    f = module.placeholder(module.float32, [k, k, c, o])
    dy = module.placeholder(module.float32, [n, out_hw[0], out_hw[1], o])
    strides = [1, s, s, 1]
    if op == "forward":
        out = module.nn.conv2d(x, f, strides, padding)
    elif op == "input_grad":
        out = module.nn.conv2d_backprop_input([n, h, w, c], f, dy, strides, padding)
    else:
        out = module.nn.conv2d_backprop_filter(x, [k, k, c, o], dy, strides, padding)
    return (x, f, dy), out


def session_side(module, op, shape, out_hw, values, intra_op, algorithm=None):
    """A step closure running one op in its own Session; `algorithm` sets NUMFLOW_CONV_ALGORITHM while the
    plan compiles (numflow reads it when the kernel is built)."""
    graph = module.Graph()
    with graph.as_default():
        placeholders, out = build_op(module, op, shape, out_hw)
    config = None
    if intra_op:
        config = module.ConfigProto(intra_op_parallelism_threads=intra_op, inter_op_parallelism_threads=intra_op)
    sess = module.Session(graph=graph, config=config)
    used = [p for p in placeholders if _feeds_into(p, out)]
    feed = {p: v for p, v in zip(placeholders, values) if p in used}
    saved = os.environ.get(conv_algorithms.ALGORITHM_ENV)
    if algorithm is not None:
        os.environ[conv_algorithms.ALGORITHM_ENV] = algorithm
    try:
        sess.run(out, feed)
    finally:
        if saved is None:
            os.environ.pop(conv_algorithms.ALGORITHM_ENV, None)
        else:
            os.environ[conv_algorithms.ALGORITHM_ENV] = saved
    return (lambda: sess.run(out, feed)), sess


def _feeds_into(placeholder, out):
    """Whether `out` depends on `placeholder` (TF refuses no extra feeds, but feeding only what is used
    keeps the two frameworks' work the same)."""
    seen, stack = set(), [out.op]
    while stack:
        op = stack.pop()
        if op is placeholder.op:
            return True
        for t in op.inputs:
            if t.op not in seen:
                seen.add(t.op)
                stack.append(t.op)
    return False


# --- timing ------------------------------------------------------------------------------------------------
def measure(sides, blocks, target_seconds):
    """{side: (median wall seconds per call, slowest block / fastest block, median CPU seconds per call)},
    sides timed in alternating blocks.  CPU time (all threads of the process) is the steadier figure
    on a shared machine: other processes' load stretches wall time but not it."""
    result = {}
    for name, rows in block_samples(sides, blocks, target_seconds).items():
        walls = [wall for wall, _, _ in rows]
        result[name] = (statistics.median(walls), max(walls) / min(walls), statistics.median(c for _, c, _ in rows))
    return result


def winograd_valid(shape):
    n, h, w, c, k, o, s, padding = shape
    geometry = _Strides(s)
    return conv_algorithms.winograd_applies(geometry, k, k, np.float32)


class _Strides:
    """The attributes conv_algorithms reads from a geometry."""

    def __init__(self, stride):
        self.sh = self.sw = stride
        self.dh = self.dw = 1


ROLES = {"forward": conv_algorithms.FORWARD, "input_grad": conv_algorithms.INPUT_GRAD,
         "filter_grad": conv_algorithms.FILTER_GRAD}


def chosen(shape, out_hw, op):
    """The algorithm conv_algorithms.choose gives this op of this shape by default."""
    n, h, w, c, k, o, s, padding = shape
    return conv_algorithms.choose(_Strides(s), k, k, c, o, out_hw, np.float32, ROLES[op], forced="")


def run(shape_names, modes, blocks, seconds, tf_module):
    rows = []
    rng = np.random.default_rng(0)
    for name in shape_names:
        shape = SHAPES[name]
        n, h, w, c, k, o, s, padding = shape
        numpy_fns, out_hw = numpy_ops(shape)
        values = (rng.standard_normal((n, h, w, c)).astype(np.float32),
                  rng.standard_normal((k, k, c, o)).astype(np.float32),
                  rng.standard_normal((n,) + out_hw + (o,)).astype(np.float32))
        for mode in modes:
            intra = 1 if mode == "1" else None
            blas = 1 if mode == "1" else threads.default_threads()
            for op in OPS:
                sessions = []
                sides = {}
                for side, algorithm in (("auto", None), ("im2col", conv_algorithms.IM2COL),
                                        ("winograd", conv_algorithms.WINOGRAD)):
                    if side == "winograd" and not winograd_valid(shape):
                        continue
                    step, sess = session_side(numflow, op, shape, out_hw, values, intra, algorithm)
                    sessions.append(sess)
                    sides[side] = (step, lambda: None)
                fn = numpy_fns[op]
                sides["numpy"] = ((lambda fn=fn: fn(*values)), lambda: threads.set_blas_threads(blas))
                if tf_module is not None:
                    step, sess = session_side(tf_module, op, shape, out_hw, values, intra)
                    sessions.append(sess)
                    sides["tf"] = (step, lambda: None)
                result = measure(sides, blocks, seconds)
                for sess in sessions:
                    sess.close()
                row = {"shape": name, "op": op, "mode": mode, "chosen": chosen(shape, out_hw, op),
                       "results": result}
                rows.append(row)
                print(format_row(row))
                sys.stdout.flush()
    return rows


SIDES = ("auto", "im2col", "winograd", "numpy", "tf")
HEADER = "%-16s %-11s %-7s %-8s | %s | %s | %7s %7s %7s %6s" % (
    "shape", "op", "threads", "chosen", " ".join("%8s" % s for s in SIDES),
    " ".join("%8s" % s for s in SIDES), "auto/np", "/im2col", "auto/tf", "spread")
SUBHEADER = "%-45s | %-44s | %-44s | ratios of wall medians" % ("", "wall ms (median)", "CPU ms (median)")


def format_row(row):
    r = row["results"]

    def ms(side, index):
        return "%8.2f" % (r[side][index] * 1e3) if side in r else "%8s" % "-"

    def ratio(side):
        return "%7.2f" % (r["auto"][0] / r[side][0]) if side in r else "%7s" % "-"
    return "%-16s %-11s %-7s %-8s | %s | %s | %s %s %s %6.2f" % (
        row["shape"], row["op"], row["mode"], row["chosen"], " ".join(ms(s, 0) for s in SIDES),
        " ".join(ms(s, 2) for s in SIDES), ratio("numpy"), ratio("im2col"), ratio("tf"), r["auto"][1])


def sweep(kernels=(3, 5), sizes=(8, 14, 28), in_channels=(1, 2, 4, 8, 16, 32, 64), out_channels=(8, 32, 64),
          reps=9):
    """The threshold sweep behind conv_algorithms.choose: each op's kernel called directly (no Session)
    with each algorithm forced, at 1 BLAS thread, batch 50 (32 for 28x28), SAME; median CPU ms of
    `reps` calls after two warm-up calls, the two algorithms measured back to back."""
    from numflow.ops import conv as conv_module
    threads.set_blas_threads(1)
    rng = np.random.default_rng(0)
    g = conv_module._Geometry({"strides": [1, 1, 1, 1], "padding": "SAME", "data_format": "NHWC",
                               "dilations": [1, 1, 1, 1]})

    def cpu_ms(fn):
        fn()
        fn()
        samples = []
        for _ in range(reps):
            start = time.process_time()
            fn()
            samples.append(time.process_time() - start)
        return statistics.median(samples) * 1e3
    lines = ["%-3s %-3s %-3s %-3s | %-20s | %-20s | %s" % ("k", "hw", "c", "o", "im2col fwd/dx/df ms",
                                                          "winograd fwd/dx/df", "winograd / im2col")]
    print(lines[0])
    for k in kernels:
        for hw in sizes:
            n = 32 if hw >= 28 else 50
            for c in in_channels:
                for o in out_channels:
                    x = rng.standard_normal((n, hw, hw, c)).astype(np.float32)
                    f = rng.standard_normal((k, k, c, o)).astype(np.float32)
                    dy = rng.standard_normal((n, hw, hw, o)).astype(np.float32)
                    times = []
                    for algorithm in (conv_algorithms.IM2COL, conv_algorithms.WINOGRAD):
                        g.forced_algorithm = algorithm
                        times.append((cpu_ms(lambda: conv_module._conv_forward(x, f, g)),
                                      cpu_ms(lambda: conv_module._conv_input_grad([n, hw, hw, c], f, dy, g)),
                                      cpu_ms(lambda: conv_module._conv_filter_grad(x, [k, k, c, o], dy, g))))
                    line = "%-3d %-3d %-3d %-3d | %6.2f %6.2f %6.2f | %6.2f %6.2f %6.2f | %.2f %.2f %.2f" % (
                        (k, hw, c, o) + times[0] + times[1] + tuple(w / i for i, w in zip(*times)))
                    lines.append(line)
                    print(line)
                    sys.stdout.flush()
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", default=",".join(SHAPES))
    parser.add_argument("--modes", default="1,default")
    parser.add_argument("--blocks", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=0.2, help="target seconds per block and side")
    parser.add_argument("--no-tf", action="store_true", help="skip TensorFlow even when importable")
    parser.add_argument("--out", help="also write the table to this file")
    parser.add_argument("--sweep", action="store_true",
                        help="instead: the kernel-level threshold sweep behind conv_algorithms.choose")
    args = parser.parse_args(argv)
    if args.sweep:
        lines = sweep()
        if args.out:
            with open(args.out, "w") as f:
                f.write("\n".join(lines) + "\n")
        return lines
    tf_module = None if args.no_tf else load_tensorflow()
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    banner = ("numflow %s, NumPy %s, TF %s, Python %s, %d CPUs, load average at start %s, OPENBLAS_CORETYPE=%s"
              % (numflow.__version__, np.__version__,
                 "absent" if tf_module is None else sys.modules["tensorflow"].__version__,
                 platform.python_version(), os.cpu_count(), load, os.environ.get("OPENBLAS_CORETYPE", "-")))
    print(banner)
    print(SUBHEADER)
    print(HEADER)
    rows = run(args.shapes.split(","), args.modes.split(","), args.blocks, args.seconds, tf_module)
    if args.out:
        with open(args.out, "w") as f:
            f.write(banner + "\n")
            f.write("median per-call ms over %d alternating blocks of ~%.2f s per side; spread = slowest / "
                    "fastest block of `auto`\n" % (args.blocks, args.seconds))
            f.write(SUBHEADER + "\n" + HEADER + "\n" + "-" * len(HEADER) + "\n")
            for row in rows:
                f.write(format_row(row) + "\n")
    return rows


if __name__ == "__main__":
    main()
