"""The site's stylesheet, <site>/assets/site.css, as the package ships it."""

from __future__ import annotations

from importlib import resources

from .base import Emit, Remove, Site, SiteBuilder


class AssetsBuilder(SiteBuilder):
    name = "assets"
    help = "The site's stylesheet."
    suffix = ""

    def finish(self, site: Site, emit: Emit, remove: Remove) -> None:
        css = (resources.files("pipeline") / "static" / "site.css").read_text(encoding="utf-8")
        emit(self.folder / "assets" / "site.css", css)
