"""`tf.random`: the random-number namespace (`tf.random.normal`, `tf.random.uniform`, ...)."""
from .ops.random import (categorical, get_seed, multinomial, random_crop, random_gamma, random_normal,
                         random_poisson, random_shuffle, random_uniform, set_random_seed,
                         stateless_random_normal, stateless_random_uniform, stateless_truncated_normal,
                         truncated_normal)

__all__ = ["normal", "uniform", "truncated_normal", "shuffle", "crop", "gamma", "poisson", "multinomial",
           "categorical", "set_random_seed", "set_seed", "get_seed", "stateless_normal", "stateless_uniform",
           "stateless_truncated_normal"]

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
