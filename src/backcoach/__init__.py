"""backcoach: a local-first back-health coach."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("backcoach")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"

__all__ = ["__version__"]
