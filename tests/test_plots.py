"""The tutorial pictures the MNIST examples save: written here, checked for size, dimensions and colours."""
import os
import struct
import subprocess
import sys
import zlib

import numpy as np
import pytest

pytest.importorskip("matplotlib", reason="matplotlib (pip install 'numflow-tf1[plot]') is not installed")

from numflow.examples import plots  # noqa: E402
from test_mnist_loader import write_tiny_mnist  # noqa: E402

EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples")


def png_pixels(path):
    """(width, height, RGB(A) pixel array) of an 8-bit, non-interlaced PNG, decoded with zlib alone."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunks.setdefault(kind, []).append(data[pos + 8:pos + 8 + length])
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"][0])
    assert depth == 8 and interlace == 0 and colour in (2, 6)
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(chunks[b"IDAT"]))
    stride = width * channels
    rows, previous = [], np.zeros(stride, np.int32)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], np.frombuffer(raw, np.uint8, stride, y * (stride + 1) + 1).astype(np.int32)
        out = np.zeros(stride, np.int32)
        for x in range(stride):  # undo PNG's per-row filters
            left = out[x - channels] if x >= channels else 0
            up, up_left = previous[x], previous[x - channels] if x >= channels else 0
            if kind == 0:
                predictor = 0
            elif kind == 1:
                predictor = left
            elif kind == 2:
                predictor = up
            elif kind == 3:
                predictor = (left + up) // 2
            else:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                predictor = left if pa <= pb and pa <= pc else (up if pb <= pc else up_left)
            out[x] = (line[x] + predictor) & 0xFF
        rows.append(out)
        previous = out
    return width, height, np.array(rows, np.uint8).reshape(height, width, channels)


def png_size(path):
    with open(path, "rb") as handle:
        head = handle.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR"
    return struct.unpack(">II", head[16:24])


def test_weight_images_are_blue_for_positive_and_red_for_negative(tmp_path):
    weights = np.zeros((784, 10), np.float32)
    weights[:392, :] = 1.0            # the top half of every digit's image: positive
    weights[392:, :] = -1.0           # the bottom half: negative
    path = plots.plot_weights(weights, str(tmp_path / "weights.png"))
    assert png_size(path) == (800, 352) and os.path.getsize(path) > 5000
    width, height, pixels = png_pixels(path)
    rgb = pixels[..., :3].reshape(-1, 3).astype(int)
    blue = np.sum((rgb[:, 2] > 200) & (rgb[:, 0] < 60) & (rgb[:, 1] < 60))
    red = np.sum((rgb[:, 0] > 200) & (rgb[:, 2] < 60) & (rgb[:, 1] < 60))
    assert blue > 2000 and red > 2000
    # digit 0's image (top-left panel): blue above red
    ys_blue = np.nonzero((pixels[:, :200, 2] > 200) & (pixels[:, :200, 0] < 60))[0]
    ys_red = np.nonzero((pixels[:, :200, 0] > 200) & (pixels[:, :200, 2] < 60))[0]
    assert ys_blue.mean() < ys_red.mean()


def test_learning_curve_png(tmp_path):
    curve = plots.LearningCurve()
    for step in range(1, 201):
        curve.after_step(step, 2.0 / step ** 0.5, 200, 25, lambda: 0.9)
    assert curve.eval_steps == [25, 50, 75, 100, 125, 150, 175, 200]
    path = curve.save(str(tmp_path / "curve.png"))
    assert png_size(path) == (640, 360) and os.path.getsize(path) > 10000


def test_confusion_matrix_png(tmp_path):
    matrix = np.diag(np.arange(90, 100)) + np.eye(10, k=1, dtype=int) * 3
    path = plots.plot_confusion_matrix(matrix, str(tmp_path / "confusion.png"))
    assert png_size(path) == (520, 440) and os.path.getsize(path) > 10000


@pytest.mark.parametrize("script", ["mnist_softmax.py", "mnist_mlp.py"])
def test_mnist_examples_write_their_plots(script, tmp_path):
    data = write_tiny_mnist(tmp_path / "mnist", n_train=5040, n_test=30, compress=False)
    names = {"--plot-curve": "curve.png", "--plot-confusion": "confusion.png"}
    if script == "mnist_softmax.py":
        names["--plot-weights"] = "weights.png"
    args = ["--data-dir", data, "--steps", "20", "--batch-size", "10", "--eval-every", "5", "--seed", "1"]
    for option, name in names.items():
        args += [option, str(tmp_path / name)]
    out = subprocess.run([sys.executable, os.path.join(EXAMPLES, script)] + [str(a) for a in args],
                         capture_output=True, text=True, timeout=300, env=dict(os.environ, NUMFLOW_NO_TQDM="1"))
    assert out.returncode == 0, out.stderr
    expected = {"curve.png": (640, 360), "confusion.png": (520, 440), "weights.png": (800, 352)}
    for name in names.values():
        path = tmp_path / name
        assert "saved %s" % path in out.stdout
        assert png_size(str(path)) == expected[name] and path.stat().st_size > 5000
