"""minsheng: supervise a year of 重点民生实事 from returned Excel forms to printed bulletins."""

__version__ = "0.1.0"
