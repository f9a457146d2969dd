"""`slim.dataset_data_provider`: `DatasetDataProvider`, the items of a `slim.dataset.Dataset`, record by
record, read by parallel readers.

    provider = slim.dataset_data_provider.DatasetDataProvider(dataset, num_readers=2, shuffle=True)
    image, label = provider.get(['image', 'label'])
    images, labels = tf.train.batch([image, label], batch_size=32)
"""
from . import parallel_reader
from .data_provider import DataProvider

__all__ = ["DatasetDataProvider"]


class DatasetDataProvider(DataProvider):
    """`slim.dataset_data_provider.DatasetDataProvider(dataset, num_readers=1, reader_kwargs=None,
    shuffle=True, num_epochs=None, common_queue_capacity=256, common_queue_min=128,
    record_key='record_key', seed=None, scope=None)`: reads `dataset`'s records with
    slim.parallel_reader.parallel_read and decodes each with `dataset.decoder`; besides the decoder's
    items, `record_key` names the record's key (file:offset). ValueError when `record_key` is also a
    decoder item."""

    def __init__(self, dataset, num_readers=1, reader_kwargs=None, shuffle=True, num_epochs=None,
                 common_queue_capacity=256, common_queue_min=128, record_key="record_key", seed=None, scope=None):
        items = dataset.decoder.list_items()
        if record_key in items:
            raise ValueError("The item name used for `record_key` cannot also be used for a dataset item: %s"
                             % record_key)
        key, data = parallel_reader.parallel_read(
            dataset.data_sources, reader_class=dataset.reader, num_epochs=num_epochs, num_readers=num_readers,
            reader_kwargs=reader_kwargs, shuffle=shuffle, capacity=common_queue_capacity,
            min_after_dequeue=common_queue_min, seed=seed, scope=scope)
        items_to_tensors = dict(zip(items, dataset.decoder.decode(data, items)))
        items_to_tensors[record_key] = key
        super().__init__(items_to_tensors=items_to_tensors, num_samples=dataset.num_samples)
