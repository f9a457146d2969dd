"""`slim.data_decoder`: `DataDecoder`, the interface of the objects that turn a serialized record into
named tensors ("items")."""
__all__ = ["DataDecoder"]


class DataDecoder:
    """`slim.data_decoder.DataDecoder`: base class; subclasses implement `decode` and `list_items`."""

    def decode(self, data, items):
        """The tensors of `items` decoded from the serialized record `data`, in the order of `items`."""
        raise NotImplementedError("%s does not implement decode()" % type(self).__name__)

    def list_items(self):
        """The names of the items this decoder can produce."""
        raise NotImplementedError("%s does not implement list_items()" % type(self).__name__)
