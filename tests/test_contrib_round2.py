"""tf.contrib.framework, tf.contrib.training.HParams and tf.contrib.crf."""
import os

import numpy as np
import pytest

import numflow as tf
from numflow.contrib import framework as cf


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield


# --- arg_scope ------------------------------------------------------------------------------------
@cf.add_arg_scope
def _scoped(a, b=1, c=2):
    return (a, b, c)


@cf.add_arg_scope
def _other(x=0):
    return x


def _plain(x=0):
    return x


def test_arg_scope_defaults_explicit_wins_and_nesting_merges():
    assert _scoped(0) == (0, 1, 2)
    with cf.arg_scope([_scoped], b=10):
        assert _scoped(0) == (0, 10, 2)
        assert _scoped(0, b=5) == (0, 5, 2)
        with cf.arg_scope([_scoped], c=30), cf.arg_scope([_other], x=7) as inner:
            assert _scoped(0) == (0, 10, 30)
            assert _other() == 7
            assert cf.current_arg_scope() is inner
        with cf.arg_scope([_scoped, _other], x=7):
            # Like TF, every listed function receives every default.
            with pytest.raises(TypeError, match="unexpected keyword argument 'x'"):
                _scoped(0)
        with cf.arg_scope([_scoped], b=11):
            assert _scoped(0) == (0, 11, 2)
        assert _other() == 0
    assert _scoped(0) == (0, 1, 2)
    assert cf.current_arg_scope() == {}


def test_arg_scope_reuse_dict_and_errors():
    with cf.arg_scope([_scoped], b=4) as saved:
        pass
    with cf.arg_scope(saved):
        assert _scoped(0) == (0, 4, 2)
    with pytest.raises(ValueError, match="kwargs must be empty"):
        with cf.arg_scope(saved, b=3):
            pass
    with pytest.raises(TypeError, match="list/tuple or reused scope"):
        with cf.arg_scope(_scoped, b=3):
            pass
    with pytest.raises(ValueError, match="not decorated with @add_arg_scope"):
        with cf.arg_scope([_plain], x=3):
            pass
    assert cf.has_arg_scope(_scoped) and not cf.has_arg_scope(_plain)
    assert cf.arg_scoped_arguments(_scoped) == ["a", "b", "c"]


def test_arg_scope_reaches_model_variable():
    with cf.arg_scope([cf.model_variable], initializer=tf.constant_initializer(3.0)):
        v = cf.model_variable("w", shape=[2])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(v), [3.0, 3.0])


# --- variables ------------------------------------------------------------------------------------
def _build_vars():
    with tf.variable_scope("net"):
        w = cf.model_variable("weights", shape=[2, 2], initializer=tf.zeros_initializer())
        b = cf.variable("biases", shape=[2], initializer=tf.zeros_initializer())
    with tf.variable_scope("head"):
        hw = cf.model_variable("weights", shape=[2], trainable=False, initializer=tf.zeros_initializer())
    return w, b, hw


def test_variable_lookups():
    w, b, hw = _build_vars()
    assert cf.get_variables() == [w, b, hw]
    assert cf.get_variables("net") == [w, b]
    assert cf.get_variables(suffix="weights") == [w, hw]
    assert cf.get_model_variables() == [w, hw]
    assert tf.get_collection(tf.GraphKeys.MODEL_VARIABLES) == [w, hw]
    assert cf.get_trainable_variables() == [w, b]
    assert cf.get_variables_by_name("weights") == [w, hw]
    assert cf.get_variables_by_name("weights", scope="head") == [hw]
    assert cf.get_variables_by_suffix("ases") == [b]
    assert cf.get_variables_to_restore() == [w, b, hw]
    assert cf.get_variables_to_restore(include=["net"]) == [w, b]
    assert cf.get_variables_to_restore(exclude=["net/biases"]) == [w, hw]
    assert cf.get_unique_variable("net/weights") is w
    with tf.variable_scope("net") as scope:
        pass
    assert cf.get_variables(scope) == [w, b]


def test_variable_lookup_errors():
    _build_vars()
    with pytest.raises(TypeError, match="include is provided but is not a list or a tuple"):
        cf.get_variables_to_restore(include="net")
    with pytest.raises(TypeError, match="exclude is provided but is not a list or a tuple"):
        cf.get_variables_to_restore(exclude="net")
    with pytest.raises(ValueError, match="Couldn't find variable nope"):
        cf.get_unique_variable("nope")
    with pytest.raises(ValueError, match="does not uniquely identify"):
        cf.get_unique_variable("net/weig")


def test_global_step_and_local_variable():
    assert cf.get_global_step() is None
    step = cf.get_or_create_global_step()
    assert cf.get_global_step() is step and cf.get_or_create_global_step() is step
    loc = cf.local_variable(np.float32(1.5), name="loc")
    assert loc in tf.local_variables() and loc not in tf.global_variables()
    with tf.Session() as sess:
        sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
        assert sess.run(step) == 0 and sess.run(loc) == 1.5


def test_assign_from_values_fn_and_errors():
    w, b, _ = _build_vars()
    fn = cf.assign_from_values_fn({"net/weights": [[1, 2], [3, 4]], "net/biases": [5, 6]})
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        fn(sess)
        np.testing.assert_array_equal(sess.run(w), [[1, 2], [3, 4]])
        np.testing.assert_array_equal(sess.run(b), [5, 6])
    with pytest.raises(ValueError, match="Variable missing wasn't found"):
        cf.assign_from_values({"missing": 1.0})
    with pytest.raises(ValueError, match="Ambiguous variable name net"):
        cf.assign_from_values({"net": 1.0})


def test_assign_from_checkpoint_fn(tmp_path):
    w, b, hw = _build_vars()
    path = os.path.join(str(tmp_path), "model.ckpt")
    with tf.Session() as sess:
        sess.run([w.assign([[1.0, 2.0], [3.0, 4.0]]), b.assign([7.0, 8.0])])
        tf.train.Saver([w, b]).save(sess, path)
    assert dict(cf.list_variables(path)) == {"net/weights": [2, 2], "net/biases": [2]}
    np.testing.assert_array_equal(cf.load_variable(path, "net/biases"), [7.0, 8.0])
    with pytest.raises(tf.errors.NotFoundError):
        with tf.Session() as sess:
            cf.assign_from_checkpoint_fn(path, [w, b, hw])(sess)
    restore = cf.assign_from_checkpoint_fn(path, [w, b, hw], ignore_missing_vars=True)
    op, feed = cf.assign_from_checkpoint(path, [w, b, hw], ignore_missing_vars=True)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        restore(sess)
        np.testing.assert_array_equal(sess.run(w), [[1, 2], [3, 4]])
        sess.run(tf.global_variables_initializer())
        sess.run(op, feed)
        np.testing.assert_array_equal(sess.run(b), [7, 8])
    assert cf.assign_from_checkpoint_fn(path, [hw], ignore_missing_vars=True) is None
    with pytest.raises(ValueError, match=r"Checkpoint is missing variable \[head/weights\]"):
        cf.assign_from_checkpoint(path, [hw])
    with pytest.raises(ValueError, match="var_list cannot be empty"):
        cf.assign_from_checkpoint_fn(path, [])


# --- HParams --------------------------------------------------------------------------------------
from numflow.contrib.training import HParams  # noqa: E402


def _hparams():
    return HParams(learning_rate=0.1, num_layers=2, use_bias=True, name="net", sizes=[64, 32])


def test_hparams_attributes_set_and_parse():
    hp = _hparams()
    assert (hp.learning_rate, hp.num_layers, hp.use_bias, hp.name, hp.sizes) == (0.1, 2, True, "net", [64, 32])
    hp.set_hparam("learning_rate", 3)  # an int is a fine float
    assert hp.learning_rate == 3.0 and isinstance(hp.learning_rate, float)
    assert hp.parse("num_layers=5, use_bias=false,sizes=[1,2,3],name=big,learning_rate=1e-3") is hp
    assert hp.values() == {"learning_rate": 1e-3, "num_layers": 5, "use_bias": False, "name": "big",
                           "sizes": [1, 2, 3]}
    hp.parse("sizes[1]=7,use_bias=1")
    assert hp.sizes == [1, 7, 3] and hp.use_bias is True
    hp.add_hparam("dropout", 0.5)
    assert "dropout" in hp and "nothing" not in hp
    hp.del_hparam("dropout")
    assert "dropout" not in hp and not hasattr(hp, "dropout")


def test_hparams_json_dict_get_and_str():
    hp = _hparams()
    text = hp.to_json(sort_keys=True)
    assert text == ('{"learning_rate": 0.1, "name": "net", "num_layers": 2, "sizes": [64, 32], '
                    '"use_bias": true}')
    other = HParams(learning_rate=0.0, num_layers=0, use_bias=False, name="", sizes=[0])
    assert other.parse_json(text).values() == hp.values()
    hp.override_from_dict({"num_layers": 9, "sizes": [4]})
    assert hp.num_layers == 9 and hp.sizes == [4]
    assert hp.get("num_layers") == 9 and hp.get("missing", 3) == 3 and hp.get("sizes", [1]) == [4]
    assert str(hp) == str(sorted(hp.values().items()))
    assert repr(hp).startswith("HParams([('learning_rate', 0.1)")


def test_hparams_errors():
    hp = _hparams()
    with pytest.raises(ValueError, match="Hyperparameter name is reserved: values"):
        HParams(values=1)
    with pytest.raises(ValueError, match="Multi-valued hyperparameters cannot be empty: x"):
        hp.add_hparam("x", [])
    with pytest.raises(ValueError, match="Could not cast hparam 'num_layers'"):
        hp.set_hparam("num_layers", 1.5)
    with pytest.raises(ValueError, match="Could not cast hparam 'use_bias'"):
        hp.set_hparam("use_bias", 1)
    with pytest.raises(ValueError, match="Could not cast hparam 'name'"):
        hp.set_hparam("name", 3)
    with pytest.raises(ValueError, match="Must not pass a list for single-valued parameter: num_layers"):
        hp.set_hparam("num_layers", [1])
    with pytest.raises(ValueError, match="Must pass a list for multi-valued parameter: sizes"):
        hp.set_hparam("sizes", 1)
    with pytest.raises(KeyError):
        hp.set_hparam("unknown", 1)
    with pytest.raises(ValueError, match="Unknown hyperparameter type for unknown"):
        hp.parse("unknown=1")
    with pytest.raises(ValueError, match="Malformed hyperparameter value: =3"):
        hp.parse("=3")
    with pytest.raises(ValueError, match="Could not parse hparam 'num_layers' of type 'int' with value '1.5'"):
        hp.parse("num_layers=1.5")
    with pytest.raises(ValueError, match="Could not parse hparam 'use_bias' of type 'bool' with value 'maybe'"):
        hp.parse("use_bias=maybe")
    with pytest.raises(ValueError, match="Could not parse hparam 'sizes' of type 'int' with value '1,x'"):
        hp.parse("sizes=[1,x]")
    with pytest.raises(ValueError, match="Multiple assignments to variable 'num_layers'"):
        hp.parse("num_layers=1,num_layers=2")
    with pytest.raises(ValueError, match="Assignment of a list to a list index"):
        hp.parse("sizes[0]=[1]")
    with pytest.raises(ValueError, match="Index 5 is out of range for hparam 'sizes'"):
        hp.parse("sizes[5]=1")
    with pytest.raises(ValueError, match="Hparam 'num_layers' of type .* is incompatible with default=x"):
        hp.get("num_layers", "x")
    with pytest.raises(ValueError, match="is incompatible with default=3"):
        hp.get("sizes", 3)
    assert hp.num_layers == 2  # a failed parse leaves the earlier value


def test_parse_values_ignore_unknown_and_indexed():
    from numflow.contrib.training import parse_values
    assert parse_values("a=1,zz=3,b[2]=x", {"a": int, "b": str}, ignore_unknown=True) == {"a": 1, "b": {2: "x"}}


# --- CRF ------------------------------------------------------------------------------------------
import itertools  # noqa: E402

from numflow.contrib import crf  # noqa: E402

from gradcheck import check_gradients  # noqa: E402


def _brute_sequence_score(inputs, tags, length, trans):
    score = sum(inputs[t, tags[t]] for t in range(length))
    return score + sum(trans[tags[t - 1], tags[t]] for t in range(1, length))


def _brute_all(inputs, length, trans):
    """Every tag sequence of `length` with its score (enumerated)."""
    num_tags = inputs.shape[1]
    return [(seq, _brute_sequence_score(inputs, seq, length, trans))
            for seq in itertools.product(range(num_tags), repeat=length)]


def _crf_problem(seed=0, batch=4, time=4, num_tags=3):
    rng = np.random.RandomState(seed)
    inputs = rng.randn(batch, time, num_tags)
    tags = rng.randint(0, num_tags, size=(batch, time)).astype(np.int32)
    lengths = np.array([4, 1, 3, 0][:batch], dtype=np.int32)
    trans = rng.randn(num_tags, num_tags)
    return inputs, tags, lengths, trans


def _run(fetches):
    with tf.Session() as sess:
        return sess.run(fetches)


def test_crf_scores_and_log_likelihood_match_enumeration():
    inputs, tags, lengths, trans = _crf_problem()
    unary = crf.crf_unary_score(tf.constant(tags), tf.constant(lengths), tf.constant(inputs))
    binary = crf.crf_binary_score(tf.constant(tags), tf.constant(lengths), tf.constant(trans))
    seq = crf.crf_sequence_score(tf.constant(inputs), tf.constant(tags), tf.constant(lengths), tf.constant(trans))
    norm = crf.crf_log_norm(tf.constant(inputs), tf.constant(lengths), tf.constant(trans))
    ll, returned = crf.crf_log_likelihood(tf.constant(inputs), tf.constant(tags), tf.constant(lengths),
                                          tf.constant(trans))
    u, b, s, n, l, t = _run([unary, binary, seq, norm, ll, returned])
    np.testing.assert_allclose(t, trans)
    for i in range(len(lengths)):
        length = lengths[i]
        np.testing.assert_allclose(u[i], sum(inputs[i, k, tags[i, k]] for k in range(length)))
        np.testing.assert_allclose(s[i], _brute_sequence_score(inputs[i], tags[i], length, trans))
        np.testing.assert_allclose(b[i], s[i] - u[i], atol=1e-12)
        expected_norm = np.log(np.sum(np.exp([sc for _, sc in _brute_all(inputs[i], length, trans)])))
        if length == 0:
            expected_norm = 0.0
        np.testing.assert_allclose(n[i], expected_norm)
        np.testing.assert_allclose(l[i], s[i] - expected_norm)
    # probabilities of all sequences of one length sum to 1
    all_seqs = np.array([seq for seq, _ in _brute_all(inputs[0], 4, trans)], dtype=np.int32)
    probs = np.exp(_run(crf.crf_log_likelihood(tf.constant(np.repeat(inputs[:1], len(all_seqs), 0)),
                                               tf.constant(all_seqs), tf.constant([4] * len(all_seqs)),
                                               tf.constant(trans))[0]))
    np.testing.assert_allclose(probs.sum(), 1.0)


def test_crf_log_likelihood_dynamic_shapes_and_variable():
    inputs, tags, lengths, _ = _crf_problem(seed=1)
    x = tf.placeholder(tf.float64, [None, None, 3])
    y = tf.placeholder(tf.int32, [None, None])
    n = tf.placeholder(tf.int32, [None])
    ll, trans = crf.crf_log_likelihood(x, y, n)
    assert trans.op.name == "transitions" and trans.get_shape().as_list() == [3, 3]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got, trans_value = sess.run([ll, trans], {x: inputs, y: tags, n: lengths})
    for i in range(4):
        scores = [sc for _, sc in _brute_all(inputs[i], lengths[i], trans_value)]
        expected = _brute_sequence_score(inputs[i], tags[i], lengths[i], trans_value) - (
            np.log(np.sum(np.exp(scores))) if lengths[i] else 0.0)
        np.testing.assert_allclose(got[i], expected)
    with pytest.raises(ValueError, match="needs the number of tags"):
        crf.crf_log_likelihood(tf.placeholder(tf.float32, [None, None, None]), y, n)


def test_crf_log_likelihood_gradients():
    inputs, tags, lengths, trans = _crf_problem(seed=2, batch=3, time=3)
    check_gradients(lambda x, t: crf.crf_log_likelihood(x, tf.constant(tags[:, :3]), tf.constant(lengths[:3]),
                                                        t)[0], [inputs, trans])
    check_gradients(lambda x, t: crf.crf_log_norm(x, tf.constant([3, 2, 1]), t), [inputs, trans])


def test_crf_decode_and_viterbi_decode_match_enumeration():
    for seed in range(3):
        inputs, _, lengths, trans = _crf_problem(seed=seed, time=4, num_tags=3)
        tags, best = _run(crf.crf_decode(tf.constant(inputs), tf.constant(trans), tf.constant(lengths)))
        assert tags.dtype == np.int32 and tags.shape == (4, 4)
        for i in range(4):
            length = lengths[i]
            if length == 0:
                continue
            seq, score = max(_brute_all(inputs[i], length, trans), key=lambda pair: pair[1])
            assert list(tags[i, :length]) == list(seq) and not tags[i, length:].any()
            np.testing.assert_allclose(best[i], score)
            path, viterbi_score = crf.viterbi_decode(inputs[i, :length], trans)
            assert path == list(seq)
            np.testing.assert_allclose(viterbi_score, score)
    single = np.array([[[0.1, 2.0, -1.0]]])
    tags, best = _run(crf.crf_decode(tf.constant(single), tf.constant(np.zeros((3, 3))), tf.constant([1])))
    assert tags.tolist() == [[1]] and best.tolist() == [2.0]
    with pytest.raises(ValueError, match=r"score of shape \[time, num_tags\]"):
        crf.viterbi_decode(np.zeros((2, 3)), np.zeros((2, 2)))


def test_crf_multitag_sequence_score_matches_enumeration():
    inputs, _, lengths, trans = _crf_problem(seed=3)
    bitmap = np.random.RandomState(4).rand(*inputs.shape) < 0.6
    bitmap[..., 0] = True  # every step allows at least one tag
    got = _run(crf.crf_multitag_sequence_score(tf.constant(inputs), tf.constant(bitmap), tf.constant(lengths),
                                               tf.constant(trans)))
    for i in range(4):
        allowed = [sc for seq, sc in _brute_all(inputs[i], lengths[i], trans)
                   if all(bitmap[i, t, seq[t]] for t in range(lengths[i]))]
        np.testing.assert_allclose(got[i], np.log(np.sum(np.exp(allowed))) if lengths[i] else 0.0)


def test_crf_rnn_cells_step_as_the_forward_algorithm_and_viterbi():
    inputs, _, _, trans = _crf_problem(seed=5, batch=2, time=3)
    forward = crf.CrfForwardRnnCell(tf.constant(trans))
    decode_forward = crf.CrfDecodeForwardRnnCell(tf.constant(trans))
    backward = crf.CrfDecodeBackwardRnnCell(3)
    assert forward.state_size == forward.output_size == 3 and backward.state_size == 1
    alphas, _ = forward(tf.constant(inputs[:, 1]), tf.constant(inputs[:, 0]))
    pointers, best = decode_forward(tf.constant(inputs[:, 1]), tf.constant(inputs[:, 0]))
    previous, _ = backward(pointers, tf.constant([[2], [0]], dtype=tf.int32))
    a, p, b, prev = _run([alphas, pointers, best, previous])
    candidates = inputs[:, 0, :, None] + trans
    np.testing.assert_allclose(a, inputs[:, 1] + np.log(np.exp(candidates).sum(axis=1)))
    np.testing.assert_array_equal(p, candidates.argmax(axis=1))
    np.testing.assert_allclose(b, inputs[:, 1] + candidates.max(axis=1))
    assert prev.tolist() == [[p[0, 2]], [p[1, 0]]]


def test_framework_aliases_are_the_core_functions():
    assert cf.is_tensor is tf.is_tensor and cf.sort is tf.sort and cf.argsort is tf.argsort
    assert cf.init_from_checkpoint is tf.train.init_from_checkpoint
    assert cf.list_variables is tf.train.list_variables and cf.load_variable is tf.train.load_variable
    assert cf.get_global_step is tf.train.get_global_step
