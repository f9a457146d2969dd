"""`slim.dataset`: `Dataset`, the description of a data set that a DatasetDataProvider reads."""
__all__ = ["Dataset"]


class Dataset:
    """`slim.dataset.Dataset(data_sources, reader, decoder, num_samples, items_to_descriptions, **kwargs)`:
    where the records are (`data_sources`: file names or glob patterns), the reader class for them (e.g.
    tf.TFRecordReader), the `decoder` that turns one record into items, the number of samples and a
    description of each item; extra keyword arguments (num_classes, labels_to_names, ...) become
    attributes too."""

    def __init__(self, data_sources, reader, decoder, num_samples, items_to_descriptions, **kwargs):
        kwargs.update(data_sources=data_sources, reader=reader, decoder=decoder, num_samples=num_samples,
                      items_to_descriptions=items_to_descriptions)
        self.__dict__.update(kwargs)
