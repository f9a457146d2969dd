"""`tensorflow.examples` under `numflow run`: the tutorials' MNIST loader, and the examples' helpers."""
