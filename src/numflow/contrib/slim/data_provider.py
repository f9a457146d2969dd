"""`slim.data_provider`: `DataProvider`, a fixed mapping from item names to tensors."""
__all__ = ["DataProvider"]


class DataProvider:
    """`slim.data_provider.DataProvider(items_to_tensors, num_samples)`: hands out the tensors of named
    items (`get(['image', 'label'])`); each run of them yields the next record's values."""

    def __init__(self, items_to_tensors, num_samples):
        self._items_to_tensors = dict(items_to_tensors)
        self._num_samples = num_samples

    def get(self, items):
        """The tensors of `items`, in order. ValueError for an item the provider does not have."""
        unknown = [item for item in items if item not in self._items_to_tensors]
        if unknown:
            raise ValueError("Items %s are not provided; the items are %s"
                             % (unknown, sorted(self._items_to_tensors)))
        return [self._items_to_tensors[item] for item in items]

    def list_items(self):
        """The names of the provided items."""
        return list(self._items_to_tensors)

    def num_samples(self):
        """The number of samples in the data set."""
        return self._num_samples
