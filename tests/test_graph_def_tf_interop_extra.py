"""numflow's GraphDefs of the op families in tests/test_graph_def_extra.py, run by real TensorFlow: TF
imports each graph (so TF accepts the op types, attrs and input counts numflow writes) and computes the
values numflow computes. Also a graph real TF writes with those ops, imported and run by numflow.

Set NUMFLOW_TF_PYTHON to a Python with `tensorflow`; without it these tests skip, saying why.
"""
import json
import os
import subprocess

import numpy as np
import pytest

import numflow as tf
from numflow.framework.graph_def import graph_to_graph_def, read_graph_def
from test_graph_def_extra import CASES, TF2_CORE_LACKS, TF_VALUES_DIFFER, assert_same, build_case

TF_PYTHON = os.environ.get("NUMFLOW_TF_PYTHON")
pytestmark = pytest.mark.skipif(not TF_PYTHON, reason="set NUMFLOW_TF_PYTHON to a Python with real TensorFlow")

# Runs in TF's interpreter: for each (GraphDef file, fetch names) imports the graph and prints the fetched
# values as JSON, strings as latin-1 text and complex numbers as [real, imag] pairs, or the error.
TF_RUNNER = r"""
import json, sys
import numpy as np
import tensorflow as tf
v1 = tf.compat.v1
v1.disable_eager_execution()

def encode(value):
    value = np.asarray(value)
    if value.dtype.kind in "OS":
        return {"kind": "bytes", "value": np.vectorize(lambda b: b.decode("latin-1"), otypes=[object])(value).tolist()
                if value.size else [], "shape": list(value.shape)}
    if value.dtype.kind == "c":
        return {"kind": "complex", "value": np.stack([value.real, value.imag], -1).tolist(), "shape": list(value.shape)}
    return {"kind": value.dtype.name, "value": value.tolist(), "shape": list(value.shape)}

results = {}
for case, path, fetch in json.loads(sys.argv[1]):
    graph_def = v1.GraphDef()
    graph_def.ParseFromString(open(path, "rb").read())
    graph = tf.Graph()
    try:
        with graph.as_default():
            v1.import_graph_def(graph_def, name="")
        with v1.Session(graph=graph) as sess:
            results[case] = [encode(v) for v in sess.run(fetch)]
    except Exception as exc:
        results[case] = "%s: %s" % (type(exc).__name__, str(exc)[:2000])
print(json.dumps(results))
"""


def decode(item):
    shape = item["shape"]
    if item["kind"] == "bytes":
        flat = np.array([s.encode("latin-1") for s in np.array(item["value"], dtype=object).reshape(-1)], dtype=object)
        return flat.reshape(shape)
    if item["kind"] == "complex":
        pairs = np.array(item["value"], dtype=np.float64).reshape(shape + [2])
        return pairs[..., 0] + 1j * pairs[..., 1]
    return np.array(item["value"], dtype=item["kind"]).reshape(shape)


@pytest.fixture(scope="module")
def tensorflow_results(tmp_path_factory):
    """Every case's GraphDef run by TF in one process (importing TF takes seconds): case -> values or error."""
    folder = tmp_path_factory.mktemp("graphs")
    jobs, expected = [], {}
    for name in sorted(CASES):
        graph, names = build_case(name)
        with tf.Session(graph=graph) as sess:
            expected[name] = sess.run(names)
        path = str(folder / (name + ".pb"))
        with open(path, "wb") as stream:
            stream.write(graph_to_graph_def(graph).SerializeToString())
        jobs.append([name, path, names])
    result = subprocess.run([TF_PYTHON, "-c", TF_RUNNER, json.dumps(jobs)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1]), expected


@pytest.mark.parametrize("name", sorted(CASES))
def test_tensorflow_computes_numflow_values(tensorflow_results, name):
    got, expected = tensorflow_results
    if name in TF2_CORE_LACKS and isinstance(got[name], str) and "Op type not registered" in got[name]:
        pytest.skip(TF2_CORE_LACKS[name])
    assert not isinstance(got[name], str), got[name]
    values = [decode(item) for item in got[name]]
    if name in TF_VALUES_DIFFER:
        assert [(v.shape, v.dtype) for v in values] == [(np.shape(e), np.asarray(e).dtype) for e in expected[name]]
        return
    assert_same(values, expected[name], name)


# --- Estimator.export_saved_model with a parsing receiver, served by TF ---------------------------------
TF_SERVE_EXAMPLES = r"""
import json, sys
import numpy as np
import tensorflow as tf
v1 = tf.compat.v1
v1.disable_eager_execution()
export_dir, records = sys.argv[1], [r.encode("latin-1") for r in json.loads(sys.argv[2])]
with v1.Session(graph=tf.Graph()) as sess:
    meta = v1.saved_model.loader.load(sess, ["serve"], export_dir)
    signature = meta.signature_def["serving_default"]
    (input_info,) = signature.inputs.values()
    print(json.dumps(np.asarray(sess.run(signature.outputs["probabilities"].name,
                                         {input_info.name: records})).tolist()))
"""


@pytest.mark.filterwarnings("ignore:The .meta graph leaves out")
def test_tensorflow_serves_numflow_estimator_parsing_export(tmp_path):
    from test_graph_def_extra import SERVING_FEATURES, export_parsing_estimator, serialized_examples
    export_dir, expected = export_parsing_estimator(tmp_path)
    records = [r.decode("latin-1") for r in serialized_examples(SERVING_FEATURES)]
    result = subprocess.run([TF_PYTHON, "-c", TF_SERVE_EXAMPLES, export_dir, json.dumps(records)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    got = np.array(json.loads(result.stdout.strip().splitlines()[-1]))
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


# --- a graph TF writes with these ops, run by numflow ------------------------------------------------------
TF_WRITE = r"""
import json, sys
import numpy as np
import tensorflow as tf
v1 = tf.compat.v1
v1.disable_eager_execution()
path, records = sys.argv[1], [r.encode("latin-1") for r in json.loads(sys.argv[2])]
graph = tf.Graph()
with graph.as_default():
    x = tf.constant([[0.5, 1.5, 2.0], [3.0, 0.25, 1.0]], name="x")
    s = tf.constant([b"a,b", b" hello World "], name="s")
    outputs = {
        "cumsum": tf.cumsum(x, 1, exclusive=True), "segment": tf.math.unsorted_segment_sum(x, [0, 2], 3),
        "cholesky": tf.linalg.cholesky(tf.constant([[4., 1.], [1., 3.]])),
        "rfft": tf.abs(tf.signal.rfft(x)), "topk": tf.math.top_k(x, 2).indices,
        "resize": v1.image.resize_bilinear(tf.reshape(x, [1, 2, 3, 1]), [4, 5]),
        "regex": tf.strings.regex_replace(s, "l+", "L"), "match": tf.strings.regex_full_match(s, ".*o.*"),
        "substr": tf.strings.substr(s, 1, 2), "number": tf.strings.to_number(tf.constant(["1.5", "-2"])),
        "conv3d": tf.nn.conv3d(tf.reshape(tf.range(64, dtype=tf.float32), [1, 4, 4, 4, 1]),
                               tf.ones([2, 2, 2, 1, 1]), [1, 1, 1, 1, 1], "VALID"),
    }
    parsed = v1.parse_example(tf.constant(records), {
        "x": tf.io.FixedLenFeature([3], tf.float32), "tags": tf.io.VarLenFeature(tf.string),
        "label": tf.io.FixedLenFeature([], tf.int64, default_value=-1)})
    outputs.update({"parsed_x": parsed["x"], "parsed_label": parsed["label"],
                    "parsed_tags": parsed["tags"].values, "parsed_tag_indices": parsed["tags"].indices})
    single = tf.io.parse_single_example(tf.constant(records[0]), {"x": tf.io.FixedLenFeature([3], tf.float32)})
    outputs["single_x"] = single["x"]
    names = {k: v.name for k, v in outputs.items()}
with v1.Session(graph=graph) as sess:
    values = sess.run(outputs)
open(path, "wb").write(graph.as_graph_def().SerializeToString())
def encode(v):
    v = np.asarray(v)
    return [b.decode("latin-1") for b in v.reshape(-1)] if v.dtype.kind in "OS" else v.tolist()
print(json.dumps({"names": names, "values": {k: encode(v) for k, v in values.items()},
                  "ops": sorted({n.op for n in graph.as_graph_def().node})}))
"""


def test_numflow_runs_a_graph_tensorflow_wrote_with_these_ops(tmp_path):
    from test_graph_def_extra import _example
    records = [_example(x=[1.0, 2.0, 3.0], tags=[b"p", b"q"], label=[4]), _example(x=[0.5, 0.5, 0.5])]
    path = str(tmp_path / "tf_ops.pb")
    result = subprocess.run([TF_PYTHON, "-c", TF_WRITE, path, json.dumps([r.decode("latin-1") for r in records])],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    written = json.loads(result.stdout.strip().splitlines()[-1])
    assert {"ParseExampleV2", "StaticRegexReplace", "StaticRegexFullMatch", "Cumsum", "Conv3D"} <= set(written["ops"])
    graph = tf.Graph()
    with graph.as_default():
        tf.import_graph_def(read_graph_def(path), name="")
    names = written["names"]
    with tf.Session(graph=graph) as sess:
        got = sess.run(names)
    for key, value in written["values"].items():
        mine = np.asarray(got[key])
        if mine.dtype.kind in "OS":
            assert [b.decode("latin-1") for b in mine.reshape(-1)] == value, key
        else:
            np.testing.assert_allclose(mine, np.array(value), rtol=1e-5, atol=1e-5, err_msg=key)


TF_RUN_OP = r"""
import sys
import tensorflow as tf
v1 = tf.compat.v1
v1.disable_eager_execution()
graph_def = v1.GraphDef()
graph_def.ParseFromString(open(sys.argv[1], "rb").read())
graph = tf.Graph()
with graph.as_default():
    v1.import_graph_def(graph_def, name="")
with v1.Session(graph=graph) as sess:
    sess.run(sys.argv[2])
"""


def test_tensorflow_prints_what_numflow_prints(tmp_path):
    target = tmp_path / "printed.txt"
    graph = tf.Graph()
    with graph.as_default():
        printed = tf.print("values:", tf.constant([1, 2, 3]), "scale", tf.constant(2.5),
                           output_stream="file://" + str(target), name="say")
    with tf.Session(graph=graph) as sess:
        sess.run(printed)
    expected = target.read_text()
    target.unlink()
    path = tmp_path / "print.pb"
    path.write_bytes(graph_to_graph_def(graph).SerializeToString())
    result = subprocess.run([TF_PYTHON, "-c", TF_RUN_OP, str(path), "say"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    assert target.read_text() == expected
