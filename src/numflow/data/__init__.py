"""`tf.data` (being written)."""
