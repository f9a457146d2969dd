"""`tf.data`: input pipelines as TF 1.x builds them in a graph (`Dataset`, `Iterator`, file datasets).

    dataset = tf.data.Dataset.from_tensor_slices((images, labels)).shuffle(10000).batch(100).repeat()
    images_batch, labels_batch = dataset.make_one_shot_iterator().get_next()

`structure` holds the element nests, `function` the traced map/filter functions, `streams` the run-time
chunks, `dataset_ops` the transformations, `iterator_ops` the iterator ops, `readers` the file datasets.
"""
from . import experimental
from .dataset_ops import (AUTOTUNE, Dataset, DatasetV1, get_legacy_output_classes as get_output_classes,
                          get_legacy_output_shapes as get_output_shapes,
                          get_legacy_output_types as get_output_types)
from .experimental import INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Options
from .iterator_ops import Iterator, make_initializable_iterator, make_one_shot_iterator
from .readers import FixedLengthRecordDatasetV1, TextLineDatasetV1, TFRecordDatasetV1
from .sources import DatasetSpec
from .options import ThreadingOptions

TextLineDataset = TextLineDatasetV1
TFRecordDataset = TFRecordDatasetV1
FixedLengthRecordDataset = FixedLengthRecordDatasetV1
DatasetV2 = DatasetV1
