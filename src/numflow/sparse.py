"""`tf.sparse` (being written)."""
