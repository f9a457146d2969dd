"""`tf.random`: the random-number namespace (`tf.random.normal`, `tf.random.uniform`, ...) and the candidate
samplers also found in tf.nn. TF 2's stateful Generator API (Generator, Algorithm, create_rng_state, the
global generator) is provided in graph mode by random_generator.py (state in a variable, NumPy's Philox
stream); the stateless seed helpers fold_in and split are too."""
from .ops.random import (categorical, get_seed, multinomial, random_crop, random_gamma, random_normal,
                         random_poisson, random_shuffle, random_uniform, set_random_seed,
                         stateless_random_normal, stateless_random_uniform, stateless_truncated_normal,
                         truncated_normal)
from .ops.candidate_sampling import (all_candidate_sampler, fixed_unigram_candidate_sampler,
                                     learned_unigram_candidate_sampler, log_uniform_candidate_sampler,
                                     uniform_candidate_sampler)

__all__ = ["normal", "uniform", "truncated_normal", "shuffle", "crop", "gamma", "poisson", "multinomial",
           "categorical", "set_random_seed", "set_seed", "get_seed", "stateless_normal", "stateless_uniform",
           "stateless_truncated_normal", "uniform_candidate_sampler", "log_uniform_candidate_sampler",
           "learned_unigram_candidate_sampler", "fixed_unigram_candidate_sampler", "all_candidate_sampler"]

normal = random_normal
uniform = random_uniform
shuffle = random_shuffle
crop = random_crop
gamma = random_gamma
poisson = random_poisson
stateless_normal = stateless_random_normal
stateless_uniform = stateless_random_uniform


def set_seed(seed):
    """`tf.random.set_seed(seed)`: the TF2 name of `tf.set_random_seed`."""
    set_random_seed(seed)
# The other stateless samplers and the seed helpers split / fold_in (issue 12).
from .ops.stateless_random import (fold_in, split, stateless_binomial, stateless_categorical,  # noqa: E402,F401
                                   stateless_gamma, stateless_multinomial, stateless_parameterized_truncated_normal,
                                   stateless_poisson)
__all__ += ["fold_in", "split", "stateless_binomial", "stateless_categorical", "stateless_gamma",
            "stateless_multinomial", "stateless_parameterized_truncated_normal", "stateless_poisson"]
# TF's stateful Generator objects, in graph mode (issue 12).
from .random_generator import (Algorithm, Generator, create_rng_state, get_global_generator,  # noqa: E402,F401
                               set_global_generator)
__all__ += ["Algorithm", "Generator", "create_rng_state", "get_global_generator", "set_global_generator"]
