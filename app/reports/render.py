"""Pure rendering: a print template and its content → HTML or PDF bytes (WeasyPrint).

Resources come only from the app's own static files (fonts, print CSS) through a URL fetcher that refuses anything
else (no network, no file outside app/static); a refused or missing resource stops the rendering rather than
silently falling back to another font.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import render_template
from flask_babel import force_locale
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC = (Path(__file__).resolve().parents[1] / "static").resolve()
TEMPLATES = {"plan": "reports/plan.html", "report": "reports/report.html"}
SIGNATURE_ANCHOR = "signature-space"
CSS_PX = 0.75  # one CSS pixel in PDF points
MIME = {".ttf": "font/ttf", ".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}


class StaticOnlyFetcher(URLFetcher):
    """Serves files under app/static and nothing else: other schemes, hosts and paths are refused."""

    def __init__(self):
        super().__init__(fail_on_errors=True, allowed_protocols=("file",))

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise ValueError(f"Không tải tài nguyên ngoài ứng dụng: {url}")
        path = Path(unquote(parts.path)).resolve()
        if not path.is_relative_to(STATIC) or not path.is_file():
            raise ValueError(f"Chỉ dùng tệp trong app/static: {url}")
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": MIME.get(path.suffix, "")})


@dataclass
class Rendered:
    pdf: bytes
    pages: int
    # (page index, x0, y0, x1, y1) in PDF points, origin bottom left: where the signature goes
    signature_box: tuple[int, float, float, float, float] | None


def html(kind: str, content, *, static_base: str) -> str:
    """The print template filled in; `static_base` is "" for the PDF, the static URL for a browser preview."""
    with force_locale("vi"):  # the official documents go to the province in Vietnamese, whatever the reader's language
        return render_template(TEMPLATES[kind], c=content, static_base=static_base)


@functools.cache
def _stylesheets() -> tuple[FontConfiguration, dict[str, CSS]]:
    """The print style sheets parsed, and their fonts loaded, once per process (every PDF of a batch reuses them)."""
    fonts, fetcher = FontConfiguration(), StaticOnlyFetcher()
    return fonts, {name: CSS(url=(STATIC / "css" / f"{name}.css").as_uri(), url_fetcher=fetcher, font_config=fonts,
                             media_type="print") for name in ("print", "draft")}


def pdf(kind: str, content) -> Rendered:
    """Render the document to PDF and find its signature space."""
    return pdf_of_html(html(kind, content, static_base=""), draft=content.is_draft)


def pdf_of_html(text: str, *, draft: bool) -> Rendered:
    """The PDF of a filled-in print template (without its style sheet links: they are given parsed)."""
    fonts, sheets = _stylesheets()
    document = HTML(string=text, base_url=STATIC.as_uri() + "/", url_fetcher=StaticOnlyFetcher(),
                    media_type="print").render(stylesheets=[sheets["print"], *([sheets["draft"]] if draft else [])],
                                               font_config=fonts)
    box = None
    for index, page in enumerate(document.pages):
        if SIGNATURE_ANCHOR in page.anchors:
            x1, y1, x2, y2 = page.anchors[SIGNATURE_ANCHOR]
            height = page.height * CSS_PX
            box = (index, x1 * CSS_PX, height - y2 * CSS_PX, x2 * CSS_PX, height - y1 * CSS_PX)
            break
    return Rendered(document.write_pdf(), len(document.pages), box)
