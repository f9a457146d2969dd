"""`tf.random.Generator`, `tf.random.Algorithm`, `tf.random.create_rng_state` and the global generator, in
graph mode.

A Generator keeps its state in a non-trainable int64 `tf.Variable` ('StateVar', initialised by
`tf.global_variables_initializer()` like any variable); each sampling method adds an op that draws from the
state's stream and advances its counter, so every `Session.run` of it gives new numbers and a saved state
restores the stream. Philox and ThreeFry states keep TF's sizes and layout ([counter, counter, key] and
[counter, key]), but the numbers come from NumPy's Philox generator keyed by the state, so they differ from
TensorFlow's for the same state (the distributions are the same).
"""
import enum
import os
import weakref

import numpy as np

from .framework import dtypes
from .framework.graph import convert_to_tensor, get_default_graph, is_tensor_like, name_scope
from .ops import stateful_random

__all__ = ["Algorithm", "Generator", "create_rng_state", "get_global_generator", "set_global_generator"]


class Algorithm(enum.Enum):
    """`tf.random.Algorithm`: the counter-based RNG algorithms a Generator's state is laid out for."""

    PHILOX = 1
    THREEFRY = 2
    AUTO_SELECT = 3


_ALGORITHM_NAMES = {"philox": Algorithm.PHILOX, "threefry": Algorithm.THREEFRY,
                    "auto_select": Algorithm.AUTO_SELECT}


def _algorithm_id(alg):
    """The integer id of `alg` (an Algorithm, its value or its lower-case name); AUTO_SELECT is Philox."""
    if alg is None:
        alg = Algorithm.AUTO_SELECT
    if isinstance(alg, str):
        if alg.lower() not in _ALGORITHM_NAMES:
            raise ValueError("Argument `alg` got unsupported value %s. Supported values are philox for the Philox "
                             "algorithm, threefry for the ThreeFry algorithm, and auto_select for auto-selection."
                             % alg)
        alg = _ALGORITHM_NAMES[alg.lower()]
    if isinstance(alg, Algorithm):
        alg = alg.value
    if alg not in (1, 2, 3):
        raise ValueError("Argument `alg` got unsupported value %r. Supported values are Algorithm.PHILOX, "
                         "Algorithm.THREEFRY and Algorithm.AUTO_SELECT." % (alg,))
    return stateful_random.PHILOX if alg == Algorithm.AUTO_SELECT.value else alg


def _as_int64(word):
    """A 64-bit word (any Python int) as the signed int64 of the same bits."""
    word &= (1 << 64) - 1
    return word - (1 << 64) if word >= 1 << 63 else word


def create_rng_state(seed, alg):
    """`tf.random.create_rng_state(seed, alg)`: the initial state (an int64 NumPy array) of algorithm `alg` for
    `seed`. An integer seed is split into 64-bit words, lowest first; a 1-D sequence is taken word by word;
    either is cut or zero-padded to the state's size."""
    size = stateful_random.STATE_SIZES[_algorithm_id(alg)]
    if isinstance(seed, (int, np.integer)):
        seed = int(seed)
        words = []
        for _ in range(size):
            words.append(_as_int64(seed))
            seed >>= 64
    else:
        words = np.asarray(seed)
        if words.ndim != 1:
            raise ValueError("seed should only have one dimension; got shape: %s" % (words.shape,))
        if not np.issubdtype(words.dtype, np.integer):
            raise TypeError("seed must be integers, got dtype %s" % words.dtype)
        words = [_as_int64(int(w)) for w in words[:size]]
    words = words + [0] * (size - len(words))
    return np.array(words, dtype=np.int64)


class Generator:
    """`tf.random.Generator(copy_from=None, state=None, alg=None)`: a random-number generator whose state is a
    variable. Build one with `Generator.from_seed(seed)`, `from_non_deterministic_state()`,
    `from_key_counter(key, counter, alg)` or `from_state(state, alg)`; `copy_from` shares nothing but starts
    from the other generator's current state value."""

    def __init__(self, copy_from=None, state=None, alg=None):
        if copy_from is not None:
            if state is not None or alg is not None:
                raise ValueError("When `copy_from` is given, `state` and `alg` must be None.")
            self._alg = copy_from._alg
            initial = copy_from.state.initialized_value()
        else:
            if state is None:
                raise ValueError("A Generator needs `copy_from` or `state` (or use Generator.from_seed).")
            if alg is None:
                raise ValueError("When `state` is given, `alg` must be given too.")
            self._alg = _algorithm_id(alg)
            size = stateful_random.STATE_SIZES[self._alg]
            initial = convert_to_tensor(state, dtype=dtypes.int64, name="state")
            if initial.shape.ndims is not None and initial.shape.as_list() not in ([size], [None]):
                raise ValueError("The size of the state must be %d for algorithm %d; got shape %s"
                                 % (size, self._alg, initial.shape.as_list()))
        from .variables import Variable
        self._state_var = Variable(initial, trainable=False, dtype=dtypes.int64, name="StateVar")

    @classmethod
    def from_state(cls, state, alg):
        """A generator starting from `state` (TF's layout for `alg`)."""
        return cls(state=state, alg=alg)

    @classmethod
    def from_seed(cls, seed, alg=None):
        """A generator whose state is `create_rng_state(seed, alg)`; the same seed gives the same stream."""
        return cls(state=create_rng_state(seed, alg), alg=_algorithm_id(alg))

    @classmethod
    def from_non_deterministic_state(cls, alg=None):
        """A generator seeded from the operating system's entropy (different in every process)."""
        seed = int.from_bytes(os.urandom(8 * stateful_random.STATE_SIZES[_algorithm_id(alg)]), "little")
        return cls.from_seed(seed, alg)

    @classmethod
    def from_key_counter(cls, key, counter, alg):
        """A generator from a scalar `key` and a counter list (2 words for Philox, 1 for ThreeFry)."""
        counter = list(np.reshape(counter, [-1])) if not is_tensor_like(counter) else counter
        if is_tensor_like(counter) or is_tensor_like(key):
            from numflow import concat, reshape
            state = concat([convert_to_tensor(counter, dtype=dtypes.int64),
                            reshape(convert_to_tensor(key, dtype=dtypes.int64), [1])], 0)
        else:
            state = np.array([_as_int64(int(c)) for c in counter] + [_as_int64(int(key))], dtype=np.int64)
        return cls(state=state, alg=alg)

    @property
    def state(self):
        """The state variable (int64, TF's layout for the algorithm)."""
        return self._state_var

    @property
    def algorithm(self):
        """The algorithm's integer id (1: Philox, 2: ThreeFry)."""
        return self._alg

    @property
    def key(self):
        """The key word of the state (its last element)."""
        return self._state_var[-1]

    def reset(self, state):
        """An op that sets the state to `state`."""
        from .ops.state import assign
        return assign(self._state_var._ref, convert_to_tensor(state, dtype=dtypes.int64))

    def reset_from_seed(self, seed):
        """An op that sets the state to `create_rng_state(seed, self.algorithm)`."""
        return self.reset(create_rng_state(seed, self._alg))

    def reset_from_key_counter(self, key, counter):
        """An op that sets the state to `counter + [key]`."""
        words = [_as_int64(int(c)) for c in np.reshape(counter, [-1])] + [_as_int64(int(key))]
        return self.reset(np.array(words, dtype=np.int64))

    def _draw(self, distribution, shape, dtype, parameters=(), name=None):
        return stateful_random.generator_draw(self._state_var, self._alg, distribution, shape, dtype, parameters,
                                              name)

    def normal(self, shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None):
        """Normal(mean, stddev) samples of `shape`; a new draw at every run."""
        with name_scope(name, "stateful_normal", [shape, mean, stddev]) as scope:
            dtype = dtypes.as_dtype(dtype)
            samples = self._draw("normal", shape, dtype)
            return _scale_and_shift(samples, mean, stddev, dtype, scope)

    def truncated_normal(self, shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None):
        """Normal(mean, stddev) samples redrawn while more than two standard deviations from the mean."""
        with name_scope(name, "truncated_normal", [shape, mean, stddev]) as scope:
            dtype = dtypes.as_dtype(dtype)
            samples = self._draw("truncated_normal", shape, dtype)
            return _scale_and_shift(samples, mean, stddev, dtype, scope)

    def uniform(self, shape, minval=0, maxval=None, dtype=dtypes.float32, name=None):
        """Uniform samples in [minval, maxval): floats default to [0, 1); integers need both bounds (or
        neither, for the full range of the dtype)."""
        dtype = dtypes.as_dtype(dtype)
        if dtype.is_integer:
            if (minval is None) != (maxval is None):
                raise ValueError("For integer dtype %r, minval and maxval must be both `None` or both non-`None`; "
                                 "got minval=%r and maxval=%r" % (dtype, minval, maxval))
            if minval is None:
                return self.uniform_full_int(shape, dtype, name)
        with name_scope(name, "stateful_uniform", [shape, minval, maxval]) as scope:
            if dtype.is_integer:
                bounds = [convert_to_tensor(minval, dtype=dtype, name="min"),
                          convert_to_tensor(maxval, dtype=dtype, name="max")]
                return self._draw("uniform_int", shape, dtype, bounds, name=scope)
            from .ops import math as math_ops
            samples = self._draw("uniform", shape, dtype)
            minval = convert_to_tensor(minval, dtype=dtype, name="min")
            maxval = convert_to_tensor(1 if maxval is None else maxval, dtype=dtype, name="max")
            return math_ops.add(minval, samples * (maxval - minval), name=scope)

    def uniform_full_int(self, shape, dtype=dtypes.uint64, name=None):
        """Integers uniform over the whole range of `dtype`."""
        with name_scope(name, "stateful_uniform_full_int", [shape]) as scope:
            return self._draw("uniform_full_int", shape, dtype, name=scope)

    def binomial(self, shape, counts, probs, dtype=dtypes.int32, name=None):
        """Binomial(counts, probs) samples of `shape` (counts and probs broadcast to it)."""
        with name_scope(name, "binomial", [shape, counts, probs]) as scope:
            counts = convert_to_tensor(counts, name="counts")
            probs = convert_to_tensor(probs, name="probs")
            return self._draw("binomial", shape, dtype, [counts, probs], name=scope)

    def make_seeds(self, count=1):
        """A [2, count] int64 tensor of seeds for the stateless ops, drawn from this generator."""
        from numflow import stack, zeros_like
        keys = self.uniform_full_int([count], dtype=dtypes.int64)
        return stack([keys, zeros_like(keys)])

    def split(self, count=1):
        """`count` new Generators whose keys are drawn from this one (each new state [0, ..., key]), so their
        streams are independent of this one's continuation. Their state variables are initialised, drawing
        the keys, by `tf.global_variables_initializer()`; so that this generator is initialised before the
        keys are drawn, the draw waits on this generator's initializer (running a child's initializer on its
        own therefore also resets this generator)."""
        from numflow import concat, control_dependencies, unstack
        with control_dependencies([self._state_var.initializer]):
            keys = self.uniform_full_int([count], dtype=dtypes.int64)
        zeros = np.zeros([stateful_random.STATE_SIZES[self._alg] - 1], np.int64)
        return [Generator(state=concat([zeros, key[None]], 0), alg=self._alg) for key in unstack(keys, num=count)]


def _scale_and_shift(samples, mean, stddev, dtype, scope):
    from .ops import math as math_ops
    stddev = convert_to_tensor(stddev, dtype=dtype, name="stddev")
    mean = convert_to_tensor(mean, dtype=dtype, name="mean")
    return math_ops.add(samples * stddev, mean, name=scope)


# One global generator per graph: its state variable belongs to the graph it was made in.
_GLOBAL_GENERATORS = weakref.WeakKeyDictionary()


def get_global_generator():
    """`tf.random.get_global_generator()`: the default graph's global Generator, created on first use from a
    non-deterministic state."""
    graph = get_default_graph()
    generator = _GLOBAL_GENERATORS.get(graph)
    if generator is None:
        with graph.as_default():
            generator = Generator.from_non_deterministic_state()
        _GLOBAL_GENERATORS[graph] = generator
    return generator


def set_global_generator(generator):
    """`tf.random.set_global_generator(generator)`: makes `generator` the default graph's global one."""
    if not isinstance(generator, Generator):
        raise TypeError("set_global_generator expects a tf.random.Generator, got %r" % (generator,))
    _GLOBAL_GENERATORS[get_default_graph()] = generator
