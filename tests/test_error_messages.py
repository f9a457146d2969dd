"""Errors point at the user's line: `op.traceback`, run-time errors in TF's words with "Caused by op ...,
defined at:", and graph-construction errors raised inside numflow naming the line that built the op.

Every test asserts the error class, the message's TF wording, and that THIS file's name and the line
number of the statement that created the failing op appear in the message.
"""
import inspect
import os
import re

import numpy as np
import pytest

import numflow as tf
from numflow.framework import traceback_utils

THIS_FILE = os.path.basename(__file__)


def here():
    """The line number of the caller's current line."""
    return inspect.currentframe().f_back.f_lineno


def defined_at(line, source):
    """A regex for the "defined at" block naming this file, `line` and the source text."""
    return (r'  File "[^"]*%s", line %d, in \w+\n    %s'
            % (re.escape(THIS_FILE), line, re.escape(source)))


@pytest.fixture(params=["all", "none"])
def session(request):
    """Both with every rewrite pass (fusion, folding, ...) and with none: errors must read the same."""
    with tf.Graph().as_default() as graph:
        yield lambda: tf.Session(graph=graph, config={"rewrites": request.param})


# --- op.traceback ----------------------------------------------------------------------------------
def test_traceback_names_the_line_that_created_the_op():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [2], name="x"); line = here()  # noqa: E702
        entries = x.op.traceback
    filename, lineno, function, source = entries[-1]
    assert os.path.basename(filename) == THIS_FILE and lineno == line
    assert function == "test_traceback_names_the_line_that_created_the_op"
    assert source.startswith('x = tf.placeholder(tf.float32, [2], name="x")')
    assert all(len(entry) == 4 for entry in entries)


def _build_through_a_helper(value):
    return tf.layers.dense(value, 3, name="helper_dense")


def test_traceback_skips_numflow_frames_and_keeps_user_callers():
    with tf.Graph().as_default() as graph:
        x = tf.placeholder(tf.float32, [4, 5])
        _build_through_a_helper(x); line = here()  # noqa: E702
        ops = [op for op in graph.get_operations() if op.name.startswith("helper_dense/")]
    assert len(ops) > 3   # kernel, bias, their initializers, MatMul, BiasAdd ...
    for op in ops:
        innermost, caller = op.traceback[-1], op.traceback[-2]
        assert innermost[2] == "_build_through_a_helper"
        assert innermost[3] == 'return tf.layers.dense(value, 3, name="helper_dense")'
        assert (os.path.basename(caller[0]), caller[1]) == (THIS_FILE, line)
        assert not any(traceback_utils.is_numflow_file(entry[0]) for entry in op.traceback)


def test_traceback_of_ops_built_in_a_loop_follows_each_call_site():
    # The capture remembers the stack depth per op type: different depths must still find the user line.
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [3])
        direct = tf.add(x, 1.0); direct_line = here()  # noqa: E702
        nested = _build_sum(x)
        again = tf.add(x, 2.0); again_line = here()  # noqa: E702
    assert direct.op.traceback[-1][1] == direct_line
    assert nested.op.traceback[-1][2] == "_build_sum"
    assert again.op.traceback[-1][1] == again_line


def _build_sum(value):
    return tf.add(value, 3.0)


# --- run-time errors -------------------------------------------------------------------------------
def test_matmul_size_mismatch_is_tf_error_with_shapes_feeds_and_user_line(session):
    a = tf.placeholder(tf.float32, [None, None], name="a")
    b = tf.placeholder(tf.float32, [None, None], name="b")
    y = tf.matmul(a, b, name="mm"); line = here()  # noqa: E702
    with session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(y, {a: np.ones((2, 3)), b: np.ones((4, 5))})
    message = str(info.value)
    assert message.startswith("Matrix size-incompatible: In[0]: [2,3], In[1]: [4,5]\n")
    assert "[[node mm (defined at %s:%d) = MatMul[transpose_a=false, transpose_b=false](a:0, b:0)]]" \
        % (THIS_FILE, line) in message
    assert "Dimension 1 of In[0] 'a:0' (3) must equal dimension 0 of In[1] 'b:0' (4)" in message
    assert "In[0] 'a:0' (float32) was fed an array of shape (2, 3)." in message
    assert "In[1] 'b:0' (float32) was fed an array of shape (4, 5)." in message
    assert re.search(r"\n\nCaused by op 'mm', defined at:\n(?:.*\n)*"
                     + defined_at(line, 'y = tf.matmul(a, b, name="mm")'), message)
    assert info.value.op is y.op
    assert isinstance(info.value.__cause__, ValueError)   # NumPy's own exception, chained


def test_matmul_with_transpose_names_the_inner_dimensions(session):
    a = tf.placeholder(tf.float32, name="a")
    b = tf.placeholder(tf.float32, name="b")
    y = tf.matmul(a, b, transpose_a=True, name="mmt"); line = here()  # noqa: E702
    with session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"^Matrix size-incompatible: In\[0\]: "
                           r"\[3,2\], In\[1\]: \[4,5\]") as info:
            sess.run(y, {a: np.ones((3, 2)), b: np.ones((4, 5))})
    assert "Dimension 0 of In[0] 'a:0' (3) must equal dimension 0 of In[1] 'b:0' (4)" in str(info.value)
    assert "transpose_a=True" in str(info.value)
    assert "(defined at %s:%d)" % (THIS_FILE, line) in str(info.value)


def test_broadcast_mismatch_names_disagreeing_dimensions(session):
    x = tf.placeholder(tf.float32, name="x")
    y = tf.placeholder(tf.float32, name="y")
    z = tf.add(x, y, name="sum"); line = here()  # noqa: E702
    with session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(z, {x: np.ones((2, 3)), y: np.ones(4)})
    message = str(info.value)
    assert message.startswith("Incompatible shapes: [2,3] vs. [4]\n")
    assert "Dimension 1 of In[0] 'x:0' (3) and dimension 0 of In[1] 'y:0' (4) disagree" in message
    assert "In[1] 'y:0' (float32) was fed an array of shape (4,)." in message
    assert re.search("Caused by op 'sum', defined at:\n(?:.*\n)*" + defined_at(line, 'z = tf.add(x, y, name="sum")'),
                     message)


def test_input_computed_from_a_feed_names_that_feed(session):
    x = tf.placeholder(tf.float32, name="x")
    w = tf.constant(np.ones((4, 2), np.float32), name="w")
    hidden = tf.tanh(x * 2.0, name="hidden")
    y = tf.matmul(hidden, w, name="project"); line = here()  # noqa: E702
    with session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"Matrix size-incompatible: In\[0\]: \[2,3\], "
                           r"In\[1\]: \[4,2\]") as info:
            sess.run(y, {x: np.ones((2, 3))})
    message = str(info.value)
    assert "In[0] 'hidden:0' (float32) has shape [2,3], computed from fed 'x:0' (an array of shape (2, 3))." \
        in message
    assert "In[1] 'w:0' (float32) has shape [4,2]." in message
    assert "(defined at %s:%d)" % (THIS_FILE, line) in message


def test_fused_add_relu_failure_names_the_users_add(session):
    # With rewrites on, Relu(Add(x, b)) runs as one fused step; the error must still blame the Add.
    x = tf.placeholder(tf.float32, name="x")
    b = tf.placeholder(tf.float32, name="b")
    total = tf.add(x, b, name="pre_activation"); line = here()  # noqa: E702
    out = tf.nn.relu(total, name="act")
    with session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"^Incompatible shapes: \[2,3\] vs. \[2\]") as info:
            sess.run(out, {x: np.ones((2, 3)), b: np.ones(2)})
    message = str(info.value)
    assert "[[node pre_activation (defined at %s:%d) = Add(x:0, b:0)]]" % (THIS_FILE, line) in message
    assert "Caused by op 'pre_activation', defined at:" in message
    assert info.value.op is total.op


def test_generic_kernel_failure_keeps_numpy_text_and_user_line(session):
    x = tf.placeholder(tf.float32, name="x")
    y = tf.reshape(x, [5, -1], name="reshape_me"); line = here()  # noqa: E702
    with session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(y, {x: np.ones((2, 3))})
    message = str(info.value)
    assert "[[node reshape_me (defined at %s:%d) = Reshape" % (THIS_FILE, line) in message
    assert "In[0] 'x:0' (float32) was fed an array of shape (2, 3)." in message
    assert re.search("Caused by op 'reshape_me', defined at:\n(?:.*\n)*"
                     + defined_at(line, 'y = tf.reshape(x, [5, -1], name="reshape_me")'), message)


def test_deliberate_out_of_range_keeps_class_and_text_and_gains_defined_at(session):
    queue = tf.FIFOQueue(2, tf.float32, name="q")
    close = queue.close()
    item = queue.dequeue(name="take"); line = here()  # noqa: E702
    with session() as sess:
        sess.run(close)
        with pytest.raises(tf.errors.OutOfRangeError) as info:
            sess.run(item)
    message = str(info.value)
    assert message.startswith("FIFOQueue '")
    assert "is closed and has insufficient elements (requested 1, current size 0)" in message
    assert message.count("Caused by op") == 1
    assert re.search("\n\nCaused by op 'take', defined at:\n(?:.*\n)*"
                     + defined_at(line, 'item = queue.dequeue(name="take")'), message)
    assert info.value.message == message


def test_dataset_end_of_sequence_reads_well(session):
    dataset = tf.data.Dataset.from_tensor_slices(np.arange(2, dtype=np.int64))
    element = dataset.make_one_shot_iterator().get_next(); line = here()  # noqa: E702
    with session() as sess:
        assert [sess.run(element) for _ in range(2)] == [0, 1]
        with pytest.raises(tf.errors.OutOfRangeError, match=r"^End of sequence\n") as info:
            sess.run(element)
    assert "(defined at" not in str(info.value).splitlines()[0]
    assert re.search(defined_at(line, "element = dataset.make_one_shot_iterator().get_next()"), str(info.value))


def test_error_inside_a_dataset_map_names_the_users_function():
    def parse(value):
        return tf.floordiv(tf.cast(value, tf.int32), 0)
    line = inspect.getsourcelines(parse)[1] + 1
    with tf.Graph().as_default():
        dataset = tf.data.Dataset.from_tensor_slices(np.ones((2, 3), np.float32)).map(parse)
        element = dataset.make_one_shot_iterator().get_next()
        with tf.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError, match="^Integer division by zero") as info:
                sess.run(element)
    message = str(info.value)
    assert "Caused by op 'map_fn/floordiv', defined at:" in message and message.count("Caused by op") == 1
    assert re.search(defined_at(line, "return tf.floordiv(tf.cast(value, tf.int32), 0)"), message)


def test_uninitialized_variable_gains_defined_at(session):
    v = tf.Variable(1.0, name="weights")
    read = v + 1.0
    with session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError, match="Attempting to use uninitialized value") as info:
            sess.run(read)
    assert "Caused by op 'weights', defined at:" in str(info.value)
    assert 'v = tf.Variable(1.0, name="weights")' in str(info.value)


def test_missing_feed_names_the_placeholders_line(session):
    x = tf.placeholder(tf.float32, [2], name="needed"); line = here()  # noqa: E702
    with session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match="You must feed a value for placeholder tensor 'needed' with dtype float32") as info:
            sess.run(x * 2.0)
    assert re.search(defined_at(line, 'x = tf.placeholder(tf.float32, [2], name="needed")'), str(info.value))


def test_memory_error_is_resource_exhausted():
    def explode(value):
        raise MemoryError()
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [2], name="x")
        y = tf.py_func(explode, [x], tf.float32, name="explode"); line = here()  # noqa: E702
        with tf.Session() as sess:
            with pytest.raises(tf.errors.ResourceExhaustedError, match=r"^OOM when allocating") as info:
                sess.run(y, {x: np.ones(2)})
    assert "(defined at %s:%d)" % (THIS_FILE, line) in str(info.value)


def test_success_path_plan_has_no_error_bookkeeping():
    with tf.Graph().as_default():
        a = tf.placeholder(tf.float32, name="a")
        y = tf.matmul(a, a) + 1.0
        with tf.Session(config={"rewrites": "none"}) as sess:
            sess.run(y, {a: np.ones((2, 2))})
            plan, = sess._plans.values()
    body = plan.source.splitlines()[1:]
    # (with a GPU, also the copies between devices and the device switch)
    assert all(re.match(r"    (\S+ = k\d+\(.*\)|_check\(.*\)|del .*|return .*|\S+ = _to_(host|dev)\d+\(\S+\)|_act\d+\(\))$",
                        line) for line in body), plan.source


# --- graph-construction errors ---------------------------------------------------------------------
def test_static_shape_error_names_the_users_line():
    with tf.Graph().as_default():
        a = tf.placeholder(tf.float32, [2, 3])
        b = tf.placeholder(tf.float32, [4, 5])
        line = here() + 2
        with pytest.raises(ValueError) as info:
            tf.matmul(a, b, name="static_mm")
    message = str(info.value)
    assert "Dimensions must be equal, but are 3 and 4" in message
    assert "for 'static_mm' (op: 'MatMul') with input shapes: [2,3], [4,5]." in message
    assert "(defined at %s:%d)" % (THIS_FILE, line) in message
    assert re.search(defined_at(line, 'tf.matmul(a, b, name="static_mm")'), message)


def test_shape_error_deep_inside_conv2d_names_the_users_line():
    with tf.Graph().as_default():
        images = tf.placeholder(tf.float32, [1, 8, 8, 3])
        kernel = tf.placeholder(tf.float32, [3, 3, 4, 8])
        line = here() + 2
        with pytest.raises(ValueError) as info:
            tf.nn.conv2d(images, kernel, [1, 1, 1, 1], "SAME")
    assert "(op: 'Conv2D')" in str(info.value)
    assert "(defined at %s:%d)" % (THIS_FILE, line) in str(info.value)


def test_shape_error_inside_a_layer_names_the_users_line():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [2, 5])
        hidden = tf.layers.dense(x, 4)
        line = here() + 2
        with pytest.raises(ValueError) as info:
            tf.matmul(hidden, tf.layers.dense(x, 3))
    assert "(defined at %s:%d)" % (THIS_FILE, line) in str(info.value)


def test_dtype_error_from_a_shape_rule_keeps_its_class_and_names_the_line():
    with tf.Graph().as_default():
        counts = tf.placeholder(tf.int32, [3])
        line = here() + 2
        with pytest.raises(TypeError) as info:
            tf.sqrt(counts)
    assert "int32" in str(info.value)
    assert "(defined at %s:%d)" % (THIS_FILE, line) in str(info.value)
