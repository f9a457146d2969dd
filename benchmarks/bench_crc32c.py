"""CRC-32C throughput: numflow's own NumPy code against the optional google-crc32c package.

    python benchmarks/bench_crc32c.py [--megabytes 32] [--record-kb 4]

Every TFRecord, event-file record and checkpoint tensor is checksummed with CRC-32C, so its speed bounds
how fast those files are written and verified. Measured two ways for each implementation: one large
buffer, and the same bytes as TFRecord-sized records (--record-kb each, two CRCs per record as the
format needs). google-crc32c is used automatically when installed (pip install 'numflow-tf1[crc32c]').
"""
import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))

from numflow.io import crc32c  # noqa: E402


def best_time(fn, repeats=3):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=32, help="bytes to checksum, in MiB")
    parser.add_argument("--record-kb", type=int, default=4, help="record size for the per-record run, in KiB")
    args = parser.parse_args(argv)
    data = np.random.RandomState(0).bytes(args.megabytes << 20)
    size = args.record_kb << 10
    records = [data[i:i + size] for i in range(0, len(data), size)]
    implementations = [("numflow (NumPy)", crc32c.pure_value)]
    try:
        import google_crc32c
        implementations.append(("google-crc32c (%s)" % google_crc32c.implementation, google_crc32c.value))
    except ImportError:
        print("google-crc32c is not installed (pip install 'numflow-tf1[crc32c]'): numflow's code only")
    expected = crc32c.pure_value(data)
    print("%d MiB; in use by numflow: %s" % (args.megabytes, crc32c.IMPLEMENTATION))
    print("%-26s %14s %20s" % ("implementation", "one buffer", "%d KiB records" % args.record_kb))
    speeds = {}
    for name, value in implementations:
        assert value(data) == expected, name
        whole = best_time(lambda: value(data))
        per_record = best_time(lambda: [value(r[:12]) ^ value(r) for r in records], repeats=1)
        speeds[name] = args.megabytes / whole
        print("%-26s %10.1f MB/s %16.1f MB/s" % (name, args.megabytes / whole, args.megabytes / per_record))
    if len(speeds) == 2:
        (_, ours), (_, theirs) = speeds.items()
        print("google-crc32c is %.0fx faster on one buffer" % (theirs / ours))


if __name__ == "__main__":
    main()
