"""`tf.image` (being written)."""
