"""`tf.distributions` (and `tf.contrib.distributions`): TF1's probability distributions, built from graph
ops so that log_prob, cdf, moments and reparameterized samples are differentiable tensors."""
from .distribution import (FULLY_REPARAMETERIZED, NOT_REPARAMETERIZED, Distribution,  # noqa: F401
                           ReparameterizationType)
from .kullback_leibler import RegisterKL, kl_divergence  # noqa: F401
from .continuous import Beta, Exponential, Gamma, Laplace, Normal, StudentT, Uniform  # noqa: F401
from .discrete import Bernoulli, Categorical, Multinomial  # noqa: F401
from .dirichlet import Dirichlet, DirichletMultinomial  # noqa: F401

__all__ = ["Bernoulli", "Beta", "Categorical", "Dirichlet", "DirichletMultinomial", "Distribution",
           "Exponential", "FULLY_REPARAMETERIZED", "Gamma", "Laplace", "Multinomial", "NOT_REPARAMETERIZED",
           "Normal", "RegisterKL", "ReparameterizationType", "StudentT", "Uniform", "kl_divergence"]
