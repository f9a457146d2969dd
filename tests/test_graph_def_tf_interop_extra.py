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
from numflow.framework.graph_def import graph_to_graph_def
from test_graph_def_extra import CASES, TF_VALUES_DIFFER, assert_same, build_case

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
    assert not isinstance(got[name], str), got[name]
    values = [decode(item) for item in got[name]]
    if name in TF_VALUES_DIFFER:
        assert [(v.shape, v.dtype) for v in values] == [(np.shape(e), np.asarray(e).dtype) for e in expected[name]]
        return
    assert_same(values, expected[name], name)
