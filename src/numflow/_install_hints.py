"""The pip commands numflow prints when an optional dependency is missing.

numflow's distribution on the package index is `numflow-tf1` (the name `numflow` belongs to an unrelated
project); the import name and the `numflow` command are `numflow`. Every hint names both the extra and
the plain package, so it works from the index; in a clone the same extras install with
`pip install -e ".[image]"` and the like.
"""

DISTRIBUTION = "numflow-tf1"


def pip_hint(extra, package):
    """A command that installs `package` through numflow's `extra`, e.g.
    pip_hint("plot", "matplotlib") == "pip install 'numflow-tf1[plot]' (or pip install matplotlib)"."""
    return "pip install '%s[%s]' (or pip install %s)" % (DISTRIBUTION, extra, package)
