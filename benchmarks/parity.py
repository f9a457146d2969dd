"""Accuracy parity with the published TF1 tutorial figures, on the real MNIST.

    python benchmarks/parity.py [--data-dir examples/MNIST_data] [--only softmax,mlp,signs]
                                [--signs-epochs 1500] [--seed 0]

Runs the examples' own training code (examples/mnist_softmax.py, mnist_mlp.py, signs_three_layer.py
--mnist) and prints: program | published figure | our figure | required | wall time. Exit status: the
number of programs below their required figure.
"""
import argparse
import importlib.util
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "src"))

import numflow as tf  # noqa: E402


def load_example(name):
    spec = importlib.util.spec_from_file_location("example_" + name, os.path.join(ROOT, "examples", name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def softmax(args):
    acc = load_example("mnist_softmax").main(["--data-dir", args.data_dir, "--seed", str(args.seed)])
    return "test %.4f" % acc, acc >= 0.90


def mlp(args):
    acc = load_example("mnist_mlp").main(["--data-dir", args.data_dir, "--seed", str(args.seed)])
    return "test %.4f" % acc, acc >= 0.955


def signs(args):
    train, test = load_example("signs_three_layer").main(["--mnist", args.data_dir,
                                                          "--epochs", str(args.signs_epochs)])
    full = args.signs_epochs >= 1500
    return "train %.3f, test %.3f" % (train, test), (train >= 0.99 and test >= 0.90) if full else None


PROGRAMS = [
    ("softmax", "softmax regression, SGD 0.5, 1000 steps of 100", "test 0.919", ">= 0.90", softmax),
    ("mlp", "MLP 784-50-30-10, SGD 0.1, 5000 steps of 100", "test 0.9653", ">= 0.955", mlp),
    ("signs", "column 784-25-12-6 on digits 0-5 (SIGNS layout), Adam 1e-4, epochs of 32", "train 1.000, test 0.937",
     "train >= 0.99, test >= 0.90", signs),
]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=os.path.join(ROOT, "examples", "MNIST_data"),
                        help="folder of the four MNIST IDX files (default: examples/MNIST_data)")
    parser.add_argument("--only", default="", help="comma-separated subset of: softmax, mlp, signs")
    parser.add_argument("--signs-epochs", type=int, default=1500, help="below 1500 the figure is not judged")
    parser.add_argument("--seed", type=int, default=0, help="seed for the batch order and initial weights")
    args = parser.parse_args(argv)
    if not os.path.isdir(args.data_dir):
        sys.exit("parity: no MNIST at %s (give --data-dir)" % args.data_dir)
    chosen = set(filter(None, args.only.split(","))) or {key for key, *_ in PROGRAMS}
    rows, failures = [], 0
    for key, program, published, required, fn in PROGRAMS:
        if key not in chosen:
            continue
        tf.reset_default_graph()
        start = time.perf_counter()
        ours, passed = fn(args)
        seconds = time.perf_counter() - start
        if key == "signs":
            program = program.replace("epochs", "%d epochs" % args.signs_epochs)
        verdict = {True: "yes", False: "NO", None: "not judged"}[passed]
        failures += passed is False
        rows.append((program, published, ours, "%s: %s" % (required, verdict), "%.1f s" % seconds))
    header = ("program", "published", "numflow", "required", "wall time")
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
    print()
    for row in [header, tuple("-" * w for w in widths)] + rows:
        print("| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths)) + " |")
    return failures


if __name__ == "__main__":
    sys.exit(main())
