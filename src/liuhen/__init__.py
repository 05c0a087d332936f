"""留痕 liuhen: the whole-process record of administrative law enforcement."""

__version__ = "0.1.0"
