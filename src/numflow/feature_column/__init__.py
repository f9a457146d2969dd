"""`tf.feature_column`: numeric, bucketized, categorical (identity, vocabulary list, hash bucket, crossed),
indicator and embedding columns, and `input_layer` / `linear_model` / `make_parse_example_spec`."""
from .feature_column import (bucketized_column, categorical_column_with_hash_bucket,  # noqa: F401
                             categorical_column_with_identity, categorical_column_with_vocabulary_list,
                             crossed_column, embedding_column, indicator_column, input_layer, linear_model,
                             make_parse_example_spec, numeric_column)
from .feature_column_extra import (categorical_column_with_vocabulary_file,  # noqa: E402,F401 - issue 12
                                   shared_embedding_columns, weighted_categorical_column)
from .sequence_feature_column import (sequence_categorical_column_with_hash_bucket,  # noqa: E402,F401 - issue 12
                                      sequence_categorical_column_with_identity,
                                      sequence_categorical_column_with_vocabulary_file,
                                      sequence_categorical_column_with_vocabulary_list, sequence_numeric_column)
