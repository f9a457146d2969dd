"""The canned estimators: linear, DNN and wide-and-deep classifiers and regressors over feature columns."""
from .dnn import DNNClassifier, DNNLinearCombinedClassifier, DNNLinearCombinedRegressor, DNNRegressor  # noqa: F401
from .linear import LinearClassifier, LinearRegressor  # noqa: F401
