"""`tf.contrib.feature_column`: sequence feature columns and `sequence_input_layer` (the TF 1 home of the
sequence API; the columns are also in `tf.feature_column`)."""
from ..feature_column.sequence_feature_column import (sequence_categorical_column_with_hash_bucket,  # noqa: F401
                                                      sequence_categorical_column_with_identity,
                                                      sequence_categorical_column_with_vocabulary_file,
                                                      sequence_categorical_column_with_vocabulary_list,
                                                      sequence_input_layer, sequence_numeric_column)
