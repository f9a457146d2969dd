"""The pip commands numflow prints when an optional dependency is missing.

numflow's distribution on the package index is `numflow-tf1` (the name `numflow` belongs to an unrelated
project); the import name and the `numflow` command are `numflow`. Every hint names both the extra and
the plain package, so it works from the index and from a clone (`pip install -e ".[extra]"`).
"""

DISTRIBUTION = "numflow-tf1"


def pip_hint(extra, package):
    """`pip install 'numflow-tf1[extra]' (or pip install package)`: a command that installs `package`."""
    return "pip install '%s[%s]' (or pip install %s)" % (DISTRIBUTION, extra, package)
