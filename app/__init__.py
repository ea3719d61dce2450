"""infoscreen: the server that runs a school's fleet of Raspberry-Pi info screens."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("infoscreen")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+source"
