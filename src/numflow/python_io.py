"""`tf.python_io` (being written)."""
