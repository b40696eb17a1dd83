"""archive-tool: a company's client files, validated and searchable."""

__version__ = "0.1.0"
