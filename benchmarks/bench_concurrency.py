"""Does running a plan's kernels at once pay? Each thread setting of numflow's controller, forced, per workload.

    python benchmarks/bench_concurrency.py [--only cnn_train,lstm] [--loads idle,busy] [--blocks 5]

For each workload of bench_workloads.py, one Session's plan is run under each `threads.Setting`, forced
in turn (alternating blocks, medians of wall and CPU ms per step):
  seq@1     one BLAS thread, the sequential plan (what `ConfigProto(intra_op_parallelism_threads=1,
            inter_op_parallelism_threads=1)` gives);
  seq@N     the default BLAS thread count, sequential;
  conc@1    one BLAS thread, the plan's concurrent variant (client/concurrency.py: independent heavy
            kernels in pairs on the inter-op worker, batch tiles of convolutions and halves of large
            optimizer updates spread over both threads);
  adaptive  what a Session with no config does: the controller choosing among the three by timing.
`busy` runs the same while a second process spins on a core. After a block with several BLAS threads
the script waits BLAS_SETTLE_SECONDS, so that OpenBLAS's spinning helper does not land on the next block.
"""
import argparse
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.environ.get("NUMFLOW_SRC") or os.path.join(HERE, "..", "src"))
sys.path.insert(0, HERE)

import numflow  # noqa: E402
from numflow.client import threads  # noqa: E402
import bench_workloads  # noqa: E402


def settings_of(plan):
    many = threads.default_threads()
    chosen = [("seq@1", threads.Setting(1, False)), ("seq@%d" % many, threads.Setting(many, False))]
    if plan._concurrent_function is not None:
        chosen.append(("conc@1", threads.Setting(1, True)))
    return chosen


def run(name, loads, blocks, seconds):
    builder, fetch_key, feeds, _ = bench_workloads.workload(name)
    step, _, sess = bench_workloads.session_step(numflow, builder, fetch_key, feeds, None)
    step()
    plan = list(sess._plans.values())[-1]
    adaptive = plan._threads
    sides = {}
    for label, setting in settings_of(plan):
        def before(setting=setting):
            plan._threads = threads.FixedThreads(setting)
            time.sleep(threads.BLAS_SETTLE_SECONDS)
        sides[label] = (step, before)

    def before_adaptive():
        plan._threads = adaptive
        time.sleep(threads.BLAS_SETTLE_SECONDS)
    sides["adaptive"] = (step, before_adaptive)
    results = {}
    for load in loads:
        if load == "busy":
            with bench_workloads.BusyCore():
                samples = bench_workloads.block_samples(sides, blocks, seconds)
        else:
            samples = bench_workloads.block_samples(sides, blocks, seconds)
        results[load] = {label: (1e3 * statistics.median(s[0] for s in rows),
                                 1e3 * statistics.median(s[1] for s in rows))
                         for label, rows in samples.items()}
    pairs = (getattr(plan, "concurrent_source", "") or "").count("_submit(")
    sess.close()
    return results, pairs


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="mlp128,mlp1024,autoencoder,lstm,cnn_train,cnn_infer")
    parser.add_argument("--loads", default="idle,busy")
    parser.add_argument("--blocks", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=0.4, help="target seconds per block")
    args = parser.parse_args(argv)
    print("numflow %s, %d CPUs, default BLAS threads %d, load average %s, OPENBLAS_CORETYPE=%s" % (
        numflow.NUMFLOW_VERSION, os.cpu_count(), threads.default_threads(),
        " ".join("%.2f" % v for v in os.getloadavg()), os.environ.get("OPENBLAS_CORETYPE", "(not set)")))
    print("wall ms per step (CPU ms), medians of %d alternating blocks" % args.blocks)
    for name in args.only.split(","):
        results, pairs = run(name, args.loads.split(","), args.blocks, args.seconds)
        for load, by_label in results.items():
            base = by_label["seq@1"][0]
            best_seq = min(v[0] for k, v in by_label.items() if k.startswith("seq@"))
            cells = "  ".join("%s %.2f (%.2f)" % (label, wall, cpu) for label, (wall, cpu) in by_label.items())
            conc = by_label.get("conc@1")
            ratios = "conc@1/seq@1 %.2f, conc@1/best seq %.2f" % (conc[0] / base, conc[0] / best_seq) if conc else \
                "no concurrent variant"
            print("%-11s %-4s %s | adaptive/seq@1 %.2f, %s  [%d submit lines]" % (
                name, load, cells, by_label["adaptive"][0] / base, ratios, pairs))


if __name__ == "__main__":
    main()
