"""`tf.contrib.crf`: a linear-chain conditional random field over [batch, time, num_tags] unary
potentials and a [num_tags, num_tags] transition matrix (transition_params[i, j] scores tag i followed
by tag j). Every graph function is built from existing numflow ops (the forward algorithm and Viterbi
run as tf.scan over time), so scores and log-likelihoods are differentiable; viterbi_decode is NumPy.

Only the first sequence_lengths[b] steps of example b count; a length-0 sequence scores 0."""
import numpy as np

__all__ = ["crf_sequence_score", "crf_unary_score", "crf_binary_score", "crf_log_norm", "crf_log_likelihood",
           "crf_decode", "viterbi_decode", "crf_multitag_sequence_score", "CrfForwardRnnCell",
           "CrfDecodeForwardRnnCell", "CrfDecodeBackwardRnnCell"]


def _tf():
    import numflow
    return numflow


def _step_mask(sequence_lengths, max_time, dtype):
    tf = _tf()
    return tf.sequence_mask(tf.cast(sequence_lengths, tf.int32), maxlen=max_time, dtype=dtype)


def crf_unary_score(tag_indices, sequence_lengths, inputs):
    """[batch] sums of inputs[b, t, tag_indices[b, t]] over the first sequence_lengths[b] steps."""
    tf = _tf()
    inputs = tf.convert_to_tensor(inputs)
    num_tags = tf.shape(inputs)[2]
    picked = tf.reduce_sum(inputs * tf.one_hot(tag_indices, num_tags, dtype=inputs.dtype), axis=2)
    return tf.reduce_sum(picked * _step_mask(sequence_lengths, tf.shape(inputs)[1], inputs.dtype), axis=1)


def crf_binary_score(tag_indices, sequence_lengths, transition_params):
    """[batch] sums of transition_params[tag[t-1], tag[t]] over steps 1 .. sequence_lengths[b]-1."""
    tf = _tf()
    transition_params = tf.convert_to_tensor(transition_params)
    tag_indices = tf.cast(tag_indices, tf.int32)
    num_tags = tf.shape(transition_params)[0]
    flat_pairs = tag_indices[:, :-1] * num_tags + tag_indices[:, 1:]
    pair_scores = tf.gather(tf.reshape(transition_params, [-1]), flat_pairs)
    mask = _step_mask(sequence_lengths, tf.shape(tag_indices)[1], transition_params.dtype)[:, 1:]
    return tf.reduce_sum(pair_scores * mask, axis=1)


def crf_sequence_score(inputs, tag_indices, sequence_lengths, transition_params):
    """[batch] unnormalized scores of the tag sequences: unary plus binary scores."""
    return (crf_unary_score(tag_indices, sequence_lengths, inputs)
            + crf_binary_score(tag_indices, sequence_lengths, transition_params))


def _time_major_rest(inputs):
    """inputs[:, 1:] as [time-1, batch, num_tags] with each step's index 1 .. time-1."""
    tf = _tf()
    return (tf.transpose(inputs[:, 1:, :], [1, 0, 2]), tf.range(1, tf.shape(inputs)[1]))


def _keep_running(step, sequence_lengths, advanced, carried):
    """Per example, `advanced` while `step` is inside its sequence, else `carried` (a select, not a
    weighted sum, so -inf potentials cannot turn into NaN)."""
    return _tf().where(step < sequence_lengths, advanced, carried)


def _forward_step(alphas, potentials, transition_params):
    """One forward-algorithm step: log-sum-exp over the previous tag, plus this step's potentials."""
    tf = _tf()
    return potentials + tf.reduce_logsumexp(tf.expand_dims(alphas, 2) + transition_params, axis=1)


def _viterbi_step(best, potentials, transition_params):
    """One Viterbi step: the best score ending in each tag and the int32 previous tag achieving it."""
    tf = _tf()
    candidates = tf.expand_dims(best, 2) + transition_params
    return (potentials + tf.reduce_max(candidates, axis=1),
            tf.cast(tf.argmax(candidates, axis=1), tf.int32))


def _backtrack_step(tag, pointers, num_tags):
    """The previous step's tag of each example: pointers[b, tag[b]]."""
    tf = _tf()
    return tf.reduce_sum(pointers * tf.one_hot(tag, num_tags, dtype=tf.int32), axis=1)


def crf_log_norm(inputs, sequence_lengths, transition_params):
    """[batch] log partition functions: the log-sum-exp of the scores of every tag sequence of each
    example's length (the forward algorithm)."""
    tf = _tf()
    inputs = tf.convert_to_tensor(inputs)
    transition_params = tf.convert_to_tensor(transition_params)
    lengths = tf.cast(sequence_lengths, tf.int32)

    def forward(alphas, step_input):
        potentials, step = step_input
        advanced = _forward_step(alphas, potentials, transition_params)
        return _keep_running(step, lengths, advanced, alphas)

    first = inputs[:, 0, :]
    history = tf.scan(forward, _time_major_rest(inputs), initializer=first)
    last = tf.concat([tf.expand_dims(first, 0), history], axis=0)[-1]
    return tf.where(lengths > 0, tf.reduce_logsumexp(last, axis=1), tf.zeros_like(lengths, inputs.dtype))


def crf_multitag_sequence_score(inputs, tag_bitmap, sequence_lengths, transition_params):
    """[batch] log-sum-exp of the scores of every tag sequence allowed by `tag_bitmap` ([batch, time,
    num_tags] bool: which tags each step may take)."""
    tf = _tf()
    inputs = tf.convert_to_tensor(inputs)
    # Disallowed tags get -inf potentials, so the partition function sums over the allowed ones only.
    filtered = tf.where(tag_bitmap, inputs, tf.fill(tf.shape(inputs), tf.cast(-np.inf, inputs.dtype)))
    return crf_log_norm(filtered, sequence_lengths, transition_params)


def crf_log_likelihood(inputs, tag_indices, sequence_lengths, transition_params=None):
    """`(log_likelihood, transition_params)`: each tag sequence's log-probability under the CRF. With
    transition_params=None a [num_tags, num_tags] variable 'transitions' is made with tf.get_variable."""
    tf = _tf()
    inputs = tf.convert_to_tensor(inputs)
    if transition_params is None:
        num_tags = inputs.get_shape()[2]
        num_tags = getattr(num_tags, "value", num_tags)
        if num_tags is None:
            raise ValueError("crf_log_likelihood needs the number of tags (inputs' last dimension) to be "
                             "known to create transition_params")
        transition_params = tf.get_variable("transitions", [num_tags, num_tags], dtype=inputs.dtype)
    sequence_scores = crf_sequence_score(inputs, tag_indices, sequence_lengths, transition_params)
    log_norm = crf_log_norm(inputs, sequence_lengths, transition_params)
    return sequence_scores - log_norm, transition_params


def crf_decode(potentials, transition_params, sequence_length):
    """`(decode_tags, best_score)`: each example's highest-scoring tag sequence ([batch, time] int32, 0
    past its length) and that sequence's score ([batch], potentials' dtype), by Viterbi in the graph."""
    tf = _tf()
    potentials = tf.convert_to_tensor(potentials)
    transition_params = tf.convert_to_tensor(transition_params)
    lengths = tf.cast(sequence_length, tf.int32)
    num_tags = tf.shape(potentials)[2]
    batch_size = tf.shape(potentials)[0]
    # At padding steps the back-pointers are the identity, so backtracking from the last step carries
    # the best final tag unchanged back to the sequence's real end.
    identity_pointers = tf.tile(tf.expand_dims(tf.range(num_tags), 0), tf.stack([batch_size, 1]))

    def forward(carried, step_input):
        best, _ = carried
        step_potentials, step = step_input
        advanced, pointers = _viterbi_step(best, step_potentials, transition_params)
        return (_keep_running(step, lengths, advanced, best),
                _keep_running(step, lengths, pointers, identity_pointers))

    first = potentials[:, 0, :]
    scores, pointers = tf.scan(forward, _time_major_rest(potentials), initializer=(first, identity_pointers))
    final = tf.concat([tf.expand_dims(first, 0), scores], axis=0)[-1]
    last_tag = tf.cast(tf.argmax(final, axis=1), tf.int32)

    earlier_tags = tf.scan(lambda tag, step_pointers: _backtrack_step(tag, step_pointers, num_tags), pointers,
                           initializer=last_tag, reverse=True)
    tags = tf.concat([earlier_tags, tf.expand_dims(last_tag, 0)], axis=0)
    decode_tags = tf.transpose(tags, [1, 0]) * _step_mask(lengths, tf.shape(potentials)[1], tf.int32)
    return decode_tags, tf.reduce_max(final, axis=1)


def _rnn_cell_base():
    from ..ops.rnn_cell import RNNCell
    return RNNCell


class CrfForwardRnnCell(_rnn_cell_base()):
    """`tf.contrib.crf.CrfForwardRnnCell(transition_params)`: one forward-algorithm step as an RNN
    cell; inputs are a step's [batch, num_tags] potentials, the state the previous log-alphas, and
    the output equals the new state."""

    def __init__(self, transition_params):
        super().__init__()
        self._transition_params = _tf().convert_to_tensor(transition_params)
        self._num_tags = self._transition_params.get_shape()[0].value

    @property
    def state_size(self):
        return self._num_tags

    @property
    def output_size(self):
        return self._num_tags

    def call(self, inputs, state):
        alphas = _forward_step(state, inputs, self._transition_params)
        return alphas, alphas


class CrfDecodeForwardRnnCell(CrfForwardRnnCell):
    """`tf.contrib.crf.CrfDecodeForwardRnnCell(transition_params)`: one Viterbi step; the state is the
    best score ending in each tag and the output the int32 back-pointers of the step."""

    def call(self, inputs, state):
        best, pointers = _viterbi_step(state, inputs, self._transition_params)
        return pointers, best


class CrfDecodeBackwardRnnCell(_rnn_cell_base()):
    """`tf.contrib.crf.CrfDecodeBackwardRnnCell(num_tags)`: one backtracking step; inputs are a step's
    [batch, num_tags] back-pointers, the state the [batch, 1] tag chosen at the later step, and the
    output (and new state) the [batch, 1] tag at this step."""

    def __init__(self, num_tags):
        super().__init__()
        self._num_tags = num_tags

    @property
    def state_size(self):
        return 1

    @property
    def output_size(self):
        return 1

    def call(self, inputs, state):
        tf = _tf()
        tag = tf.squeeze(tf.cast(state, tf.int32), axis=[1])
        previous = tf.expand_dims(_backtrack_step(tag, tf.cast(inputs, tf.int32), self._num_tags), 1)
        return previous, previous


def viterbi_decode(score, transition_params):
    """`(viterbi, viterbi_score)` for one [time, num_tags] score array in NumPy: the best tag sequence
    as a list of ints and its score."""
    score = np.asarray(score)
    transition_params = np.asarray(transition_params)
    if score.ndim != 2 or transition_params.shape != (score.shape[1], score.shape[1]):
        raise ValueError("viterbi_decode needs score of shape [time, num_tags] and transition_params of "
                         "shape [num_tags, num_tags]; got %s and %s" % (score.shape, transition_params.shape))
    best = score[0].copy()
    pointers = []
    for step_scores in score[1:]:
        candidates = best[:, None] + transition_params
        pointers.append(np.argmax(candidates, axis=0))
        best = step_scores + np.max(candidates, axis=0)
    path = [int(np.argmax(best))]
    for step_pointers in reversed(pointers):
        path.append(int(step_pointers[path[-1]]))
    path.reverse()
    return path, best.max()
