"""`tf.initializers`: the initializer classes under their short names, and the variable initializer ops
(`tf.initializers.global_variables()`, `tf.initializers.variables(var_list)`)."""
from .init_ops import (Constant as constant, GlorotNormal as glorot_normal,  # noqa: F401
                       GlorotUniform as glorot_uniform, Identity as identity, Initializer, Ones as ones,
                       Orthogonal as orthogonal, RandomNormal as random_normal,
                       RandomUniform as random_uniform, TruncatedNormal as truncated_normal,
                       UniformUnitScaling as uniform_unit_scaling, VarianceScaling as variance_scaling,
                       Zeros as zeros, he_normal, he_uniform, lecun_normal, lecun_uniform)
from .variables import global_variables_initializer as global_variables
from .variables import local_variables_initializer as local_variables
from .variables import variables_initializer as variables

__all__ = ["constant", "glorot_normal", "glorot_uniform", "identity", "ones", "orthogonal", "random_normal",
           "random_uniform", "truncated_normal", "uniform_unit_scaling", "variance_scaling", "zeros",
           "he_normal", "he_uniform", "lecun_normal", "lecun_uniform", "global_variables",
           "local_variables", "variables"]
from .framework.graph_helpers import tables_initializer  # noqa: E402,F401 - tf.initializers.tables_initializer
__all__ += ["tables_initializer"]
