#!/usr/bin/env bash
# Everything that needs a real NVIDIA GPU, in one go (issue #18), for a machine with CuPy and a GPU:
#   bash benchmarks/run_gpu_checks.sh [OUTDIR]
# 1. the tests marked `gpu` (the real CuPy backend);
# 2. the backend tests (placement, values equal to the CPU's) on the real GPU instead of the guarded one;
# 3. benchmarks/bench_gpu.py (CNN train/inference, LSTM, MLP-1024: GPU vs numflow's CPU, TF when present).
# CuPy must be importable (pip install 'numflow-tf1[gpu]', or a cupy-cuda12x wheel carried to a machine
# without network). Results and logs go to OUTDIR (default: gpu-results).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=${1:-gpu-results}
mkdir -p "$out"

python - <<'EOF' || { echo "no usable CuPy GPU here: nothing to check"; exit 0; }
import cupy
count = cupy.cuda.runtime.getDeviceCount()
print("CuPy %s, %d GPU(s): %s" % (cupy.__version__, count,
                                  cupy.cuda.runtime.getDeviceProperties(0)["name"].decode()))
assert count > 0
EOF

status=0
echo "== tests marked gpu"
NUMFLOW_GPU_BACKEND=cupy python -m pytest -m gpu -p no:cacheprovider tests/ 2>&1 | tee "$out/gpu_tests.log" \
    || status=1
echo "== backend tests on the real GPU (NUMFLOW_TEST_GPU_BACKEND=cupy)"
NUMFLOW_TEST_GPU_BACKEND=cupy python -m pytest -p no:cacheprovider tests/test_backend_math_kernels.py \
    tests/test_backend_nn_kernels.py tests/test_backend_array_kernels.py 2>&1 | tee "$out/backend_tests.log" \
    || status=1
echo "== benchmarks"
NUMFLOW_GPU_BACKEND=cupy python benchmarks/bench_gpu.py --json "$out/bench_gpu.json" 2>&1 \
    | tee "$out/bench_gpu.txt" || status=1
exit $status
