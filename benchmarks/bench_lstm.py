"""The LSTM classifier of issue 16 (28 steps of 28 inputs, 128 units, batch 128, softmax head, one SGD step)
built four ways in numflow, against a hand-written NumPy step and TensorFlow, in one process.

    python benchmarks/bench_lstm.py [--modes 1,default] [--blocks 7] [--seconds 0.3] [--out results.txt]

Sides: numflow static_rnn(BasicLSTMCell) (plain ops), numflow static_rnn(contrib LSTMBlockCell) (one
LSTMBlockCell op per step), numflow contrib LSTMBlockFusedCell (one BlockLSTM op for the sequence), the
hand-written NumPy step of bench_workloads.py, and, when TensorFlow is importable here (run with
`NUMFLOW_SRC=/work/main/src /tmp/tf/bin/python benchmarks/bench_lstm.py`), TF running the ops static_rnn
builds for a BasicLSTMCell (bench_workloads.lstm_graph: TF 2.21's compat.v1 has no BasicLSTMCell under
Keras 3) and TF's BlockLSTM (tf.raw_ops, the op LSTMBlockFusedCell builds; TF 2 registers no gradient for
LSTMBlockCell, so that one has no TF side). Mode `1`: one thread everywhere (ConfigProto
intra_op_parallelism_threads=1, one BLAS thread for NumPy); `default`: nothing set. Sides alternate in
blocks of about --seconds; medians of per-step wall and CPU time, with the spread (min-max of the block
medians).
"""
import argparse
import os
import platform
import statistics
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.environ.get("NUMFLOW_SRC") or os.path.join(HERE, "..", "src"))
sys.path.insert(0, HERE)

import numflow  # noqa: E402
from numflow.client import threads  # noqa: E402
from bench_workloads import (_mnist_like, block_samples, load_tensorflow, lstm_graph, numpy_lstm_step,  # noqa: E402
                             session_step)

STEPS, INPUTS, UNITS, BATCH, LR = 28, 28, 128, 128, 0.1


def _head(tf, h, y_, params):
    """Softmax classifier on the last output, and one SGD step."""
    w_out = tf.Variable(tf.truncated_normal([UNITS, 10], stddev=0.1))
    b_out = tf.Variable(tf.zeros([10]))
    logits = tf.matmul(h, w_out) + b_out
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y_, logits=logits))
    return {"train": tf.train.GradientDescentOptimizer(LR).minimize(loss), "loss": loss,
            "params": params + [w_out, b_out]}


def _inputs(tf):
    tf.set_random_seed(0)
    return tf.placeholder(tf.float32, [BATCH, STEPS, INPUTS]), tf.placeholder(tf.float32, [BATCH, 10])


def static_rnn_graph(tf, cell_class=None):
    """static_rnn over a BasicLSTMCell (or `cell_class`), as the issue's workload."""
    x, y_ = _inputs(tf)
    cell = (cell_class or tf.nn.rnn_cell.BasicLSTMCell)(UNITS)
    outputs, _ = tf.nn.static_rnn(cell, tf.unstack(x, axis=1), dtype=tf.float32)
    graph = _head(tf, outputs[-1], y_, list(cell.variables))
    graph.update(x=x, y=y_)
    return graph


def block_cell_graph(tf):
    """static_rnn over contrib's LSTMBlockCell (numflow only)."""
    return static_rnn_graph(tf, lambda units: tf.contrib.rnn.LSTMBlockCell(units))


def fused_graph(tf):
    """One BlockLSTM over the time-major sequence: contrib's LSTMBlockFusedCell in numflow, tf.raw_ops.BlockLSTM
    (the op LSTMBlockFusedCell builds in TF 1) in TensorFlow."""
    x, y_ = _inputs(tf)
    time_major = tf.transpose(x, [1, 0, 2])
    if hasattr(tf, "contrib"):
        cell = tf.contrib.rnn.LSTMBlockFusedCell(UNITS)
        outputs, _ = cell(time_major, dtype=tf.float32)
        params = list(cell.variables)
    else:
        kernel = tf.Variable(tf.truncated_normal([INPUTS + UNITS, 4 * UNITS], stddev=0.1))
        bias = tf.Variable(tf.zeros([4 * UNITS]))
        zeros = tf.zeros([BATCH, UNITS])
        peephole = tf.zeros([UNITS])
        outputs = tf.raw_ops.BlockLSTM(seq_len_max=tf.constant(STEPS, tf.int64), x=time_major, cs_prev=zeros,
                                       h_prev=zeros, w=kernel, wci=peephole, wcf=peephole, wco=peephole, b=bias,
                                       forget_bias=1.0, cell_clip=-1.0, use_peephole=False)[6]
        params = [kernel, bias]
    graph = _head(tf, outputs[-1], y_, params)
    graph.update(x=x, y=y_)
    return graph


def measure(sides, blocks, target_seconds):
    """{side: {"wall"|"cpu": (median, min, max)}} of the block medians of the wall and CPU (all threads of the
    process) time per step, sides alternating. On a loaded machine CPU time is the steadier of the two."""
    samples = block_samples({name: (step, lambda: None) for name, step in sides.items()}, blocks, target_seconds)
    return {name: {kind: (statistics.median(v), min(v), max(v))
                   for kind, v in (("wall", [r[0] for r in rows]), ("cpu", [r[1] for r in rows]))}
            for name, rows in samples.items()}


def run(modes, blocks, seconds, tf_module):
    rng = np.random.RandomState(0)
    xs, ys = _mnist_like(rng, BATCH, (STEPS, INPUTS))
    results = {}
    for mode in modes:
        intra = 1 if mode == "1" else None
        blas = 1 if mode == "1" else threads.default_threads()
        sides, sessions = {}, []
        for name, builder in (("nf static_rnn(BasicLSTMCell)", static_rnn_graph),
                              ("nf static_rnn(LSTMBlockCell)", block_cell_graph),
                              ("nf LSTMBlockFusedCell", fused_graph)):
            step, params, sess = session_step(numflow, builder, "train", lambda g: {g["x"]: xs, g["y"]: ys}, intra)
            sides[name], sessions = step, sessions + [sess]
        # The hand-written step transposes nothing: it reads x[:, t] as static_rnn's unstack does.
        numpy_step = numpy_lstm_step([np.array(p) for p in params])

        def numpy_side():
            threads.set_blas_threads(blas)
            return numpy_step(xs, ys)
        sides["hand-written NumPy"] = numpy_side
        if tf_module is not None:
            for name, builder in (("TF unrolled BasicLSTMCell ops", lstm_graph), ("TF BlockLSTM", fused_graph)):
                step, _, sess = session_step(tf_module, builder, "train", lambda g: {g["x"]: xs, g["y"]: ys}, intra)
                sides[name], sessions = step, sessions + [sess]
        results[mode] = measure(sides, blocks, seconds)
        for sess in sessions:
            sess.close()
    return results


def report(results, tf_module):
    lines = ["LSTM classifier (issue 16): %d steps x %d inputs, %d units, batch %d, softmax head, SGD step"
             % (STEPS, INPUTS, UNITS, BATCH),
             "machine: %s, %d cores, Python %s, NumPy %s, OPENBLAS_CORETYPE=%s%s"
             % (platform.machine(), os.cpu_count(), platform.python_version(), np.__version__,
                os.environ.get("OPENBLAS_CORETYPE", "-"),
                ", TensorFlow %s" % tf_module.VERSION if tf_module is not None else ", no TensorFlow"),
             "ms per step: median of the block medians [min-max of them]; ratio: side / hand-written NumPy"]
    for mode, sides in results.items():
        lines.append("")
        lines.append("threads: %s" % ("1" if mode == "1" else "default (%d)" % threads.default_threads()))
        lines.append("  %-30s %26s %26s" % ("", "wall ms [min-max]  /NumPy", "cpu ms [min-max]  /NumPy"))
        reference = sides["hand-written NumPy"]
        for name, kinds in sides.items():
            cells = []
            for kind in ("wall", "cpu"):
                median, low, high = kinds[kind]
                cells.append("%6.2f [%6.2f-%6.2f] %5.2fx" % (median * 1e3, low * 1e3, high * 1e3,
                                                            median / reference[kind][0]))
            lines.append("  %-30s %s   %s" % (name, cells[0], cells[1]))
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", default="1,default")
    parser.add_argument("--blocks", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=0.3)
    parser.add_argument("--out", help="also write the table to this file")
    args = parser.parse_args()
    tf_module = load_tensorflow()
    text = report(run(args.modes.split(","), args.blocks, args.seconds, tf_module), tf_module)
    print(text)
    if args.out:
        with open(args.out, "w") as handle:
            handle.write(text + "\n")


if __name__ == "__main__":
    main()
