"""Offline localization pipeline: Markdown articles -> gettext catalogs -> static site."""

__version__ = "0.1.0"
