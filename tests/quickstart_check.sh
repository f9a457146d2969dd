#!/usr/bin/env bash
# Follows the README's Quickstart literally, as a newcomer would: a fresh clone of this repository's
# committed HEAD in a temporary folder (no ../shared beside it), a fresh virtual environment made by the
# README's own commands, then every ```bash block of the README's "## Quickstart" section, run as written.
# MNIST comes from a copied folder, as the README's offline instructions say (never from the network):
#   bash tests/quickstart_check.sh [MNIST_FOLDER]      (default: ../shared/datasets/mnist when there,
#                                                       else a small generated stand-in in the same format)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mnist_source=${1:-}
if [ -z "$mnist_source" ] && [ -d "$root/../shared/datasets/mnist" ]; then
  mnist_source="$root/../shared/datasets/mnist"
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/numflow-quickstart.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "== fresh clone of $root into $work/numflow"
git clone -q "$root" "$work/numflow"
cd "$work/numflow"
[ ! -e ../shared ] || { echo "FAIL: ../shared exists beside the clone"; exit 1; }

echo "== the README's Quickstart commands"
python3 - README.md > "$work/quickstart.sh" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
start = text.index("\n## Quickstart")
end = text.find("\n## ", start + 1)
section = text[start:end if end != -1 else len(text)]
blocks = re.findall(r"^```bash\n(.*?)^```", section, re.S | re.M)
if len(blocks) < 2:
    sys.exit("the README's Quickstart has %d bash blocks, expected the install/test one and the MNIST one" % len(blocks))
print("\n".join(blocks))
PY
cat "$work/quickstart.sh"

# a newcomer's shell: no virtualenv active, whatever python3 the system has first on PATH
clean_path=$(python3 -c '
import os, sys
keep = [d for d in os.environ["PATH"].split(os.pathsep)
        if d and not os.path.exists(os.path.join(d, os.pardir, "pyvenv.cfg"))]
print(os.pathsep.join(keep))')

if [ -n "$mnist_source" ]; then
  echo "== MNIST copied from $mnist_source into examples/MNIST_data (README: offline)"
  mkdir -p examples/MNIST_data
  cp "$mnist_source"/*-ubyte* examples/MNIST_data/
  expect_accuracy=0.85
else
  echo "== no MNIST folder given: a generated stand-in in MNIST's format goes into examples/MNIST_data"
  python3 -c "import sys; sys.path.insert(0, '$root/tests')
from test_mnist_loader import write_tiny_mnist
write_tiny_mnist('examples/MNIST_data', n_train=5500, n_test=100)"
  expect_accuracy=0.0
fi

status=0
env -u VIRTUAL_ENV -u PYTHONPATH PATH="$clean_path" NUMFLOW_NO_DOWNLOAD=1 \
  bash -e -o pipefail -x "$work/quickstart.sh" > "$work/out.log" 2>&1 </dev/null || status=$?
tail -n 40 "$work/out.log"
[ "$status" -eq 0 ] || { echo "FAIL: the Quickstart exited with $status"; exit 1; }

echo "== checks"
grep -q "learned 4 of 4 logic functions" "$work/out.log" || { echo "FAIL: the main job did not learn"; exit 1; }
grep -Eq "^[0-9]+ passed" "$work/out.log" || grep -Eq " [0-9]+ passed" "$work/out.log" \
  || { echo "FAIL: no pytest summary"; exit 1; }
accuracy=$(sed -n 's/^test accuracy: \([0-9.]*\)$/\1/p' "$work/out.log" | tail -n 1)
python3 -c "import sys; a = float('$accuracy'); sys.exit(0 if a >= $expect_accuracy else 'accuracy %s' % a)"
for png in curve.png weights.png confusion.png; do
  head -c 8 "$png" | od -An -c | grep -q "P   N   G" || { echo "FAIL: $png is not a PNG"; exit 1; }
  [ "$(stat -c %s "$png")" -gt 5000 ] || { echo "FAIL: $png is too small"; exit 1; }
done
[ ! -e ../shared ] || { echo "FAIL: something created ../shared"; exit 1; }
echo "== quickstart check passed (MNIST test accuracy $accuracy)"
