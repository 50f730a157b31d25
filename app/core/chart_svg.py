"""Matplotlib's SVG made fit to be inlined in a page: no prolog, no global style, presentation attributes instead of
style="" (the Content-Security-Policy), ids unique per chart, an accessible name, and 100% width when responsive."""

from __future__ import annotations

import hashlib
import html
import re

_ID_RE = re.compile(r'(\bid="|xlink:href="#|href="#|url\(#)([^")]+)')
_STYLE_RE = re.compile(r'<([\w:]+)([^<>]*?)\sstyle="([^"]*)"([^<>]*)>')


def _presentation(match: re.Match) -> str:
    """`<path style="fill: #fff; stroke-width: 0.8"/>` → `<path fill="#fff" stroke-width="0.8"/>`: the page's
    Content-Security-Policy (style-src 'self') ignores inline style attributes, SVG presentation attributes are
    markup. A declaration overrides an attribute of the same name, as the style did."""
    tag, before, style, after = match.groups()
    declared = {}
    for declaration in style.split(";"):
        name, _, value = declaration.partition(":")
        if name.strip() and value.strip():
            declared[name.strip()] = value.strip()
    rest = re.sub(r'\s([\w:-]+)="[^"]*"', lambda a: "" if a.group(1) in declared else a.group(0), before + after)
    tail = "/" if rest.endswith("/") else ""
    rest = rest[:-1] if tail else rest
    attrs = "".join(f' {name}="{value}"' for name, value in declared.items())
    return f"<{tag}{rest}{attrs}{tail}>"


def finish(svg: str, title: str, responsive: bool) -> str:
    """Strip the prolog, inline-safe ids/styles, accessible title and width="100%" sizing."""
    svg = svg[svg.index("<svg"):]
    # matplotlib's global "*{...}" style would leak into the host page: use inherited attributes instead.
    svg = re.sub(r"\s*<defs>\s*<style[^>]*>.*?</style>\s*</defs>", "", svg, count=1, flags=re.S)
    svg = _STYLE_RE.sub(_presentation, svg)
    # Ids are hashed from content only: prefix them per chart so several charts can share one page.
    prefix = "c" + hashlib.sha1(svg.encode()).hexdigest()[:8] + "-"
    svg = _ID_RE.sub(lambda m: m.group(1) + prefix + m.group(2), svg)
    label = html.escape(title or "Biểu đồ", quote=True)
    head_end = svg.index(">") + 1
    head = svg[:head_end]
    if responsive:
        head = re.sub(r'\s(width|height)="[^"]*"', "", head)
        head = head.replace("<svg", '<svg width="100%"', 1)
    attrs = f' role="img" aria-label="{label}" stroke-linejoin="round" stroke-linecap="butt"'
    head = head[:-1] + attrs + ">"
    return f"{head}\n <title>{label}</title>{svg[head_end:]}".rstrip() + "\n"
