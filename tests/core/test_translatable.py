"""Every user-facing string can be translated (issue 14, part 9).

Templates: the Jinja lexer gives the template's own text (data tokens) apart from expressions and tags; text outside
{% trans %} is put back together with a neutral placeholder where an expression stood and read as HTML. Any text
content with a letter, and any user-visible attribute (title, aria-label, placeholder, alt, data-label, the value of a
button) with a letter, is a finding; so is a quoted string inside an expression that holds a Vietnamese letter unless
it is the argument of _()/gettext/ngettext.

Python: flash(), DomainError and its kin, WTForms ValidationError, field labels and validator messages given as plain
literals (or f-strings, or "…" % …) holding a Vietnamese letter are findings: they must go through gettext /
lazy_gettext / N_ (with named placeholders). CLI output (click.echo) may stay Vietnamese and is not scanned.
"""

from __future__ import annotations

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2 import Environment

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"

# Command-line only (operators at the server; their output may stay Vietnamese): backup/restore, partitioning, the
# report batch, and every cli.py.
PYTHON_CLI_ONLY_PREFIXES = ("app/backup/", "app/dossiers/partitioning.py", "app/reports/batch.py")
# The official plan and report PDFs go to the province in Vietnamese; they are not part of the English interface.
TEMPLATE_VIETNAMESE_ONLY = {"reports/_document.html", "reports/plan.html", "reports/report.html",
                            # shown when the database is down: no user, so no language; stays Vietnamese
                            "errors/plain.html"}

VIETNAMESE = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
VIETNAMESE_LETTER = re.compile(f"[{VIETNAMESE}{VIETNAMESE.upper()}]")
LETTER = re.compile(r"[^\W\d_]")
PLACEHOLDER = "\u2063"  # stands for an expression; not a letter
VISIBLE_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "data-label", "aria-description", "summary"}
TRANSLATING_CALLS = {"_", "gettext", "ngettext", "pgettext", "lazy_gettext", "_l", "N_"}


def skeleton(source: str, env: Environment) -> tuple[str, list[tuple[int, str]]]:
    """The template's HTML with expressions and translated blocks replaced by PLACEHOLDER, and the quoted strings
    inside expressions that are not translated (line, text)."""
    parts: list[str] = []
    strings: list[tuple[int, str]] = []
    in_trans = False
    in_block = False
    block_words: list[str] = []
    previous: list[str] = []  # the last tokens inside the current expression or tag
    for lineno, kind, value in env.lex(source):
        if kind == "data":
            parts.append(PLACEHOLDER if in_trans else value)
        elif kind in ("block_begin",):
            in_block, block_words = True, []
        elif kind == "block_end":
            in_block = False
            if block_words[:1] == ["trans"]:
                in_trans = True
                parts.append(PLACEHOLDER)
            elif block_words[:1] == ["endtrans"]:
                in_trans = False
        elif kind == "variable_begin":
            parts.append(PLACEHOLDER)
            previous = []
        elif kind == "name" and in_block:
            block_words.append(value)
        elif kind == "string":
            wrapped = previous[-2:] == ["(", "_"] or (len(previous) >= 2 and previous[-1] == "("
                                                      and previous[-2] in TRANSLATING_CALLS)
            wrapped = wrapped or (previous[-4:-2] == ["pgettext", "("] and previous[-1] == ",")  # pgettext(ctx, text)
            if not wrapped and not in_trans and VIETNAMESE_LETTER.search(value):
                strings.append((lineno, value))
        if kind not in ("data", "whitespace"):
            previous.append(value if kind != "name" else value)
            previous = previous[-4:]
    return "".join(parts), strings


class TextFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self.raw: list[str] = []

    def _check(self, text: str, where: str = "") -> None:
        bare = text.replace(PLACEHOLDER, " ").strip()
        if LETTER.search(bare):
            self.found.append((self.getpos()[0], f"{where}{bare[:80]}"))

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.raw.append(tag)
        attributes = dict(attrs)
        for name, value in attrs:
            if value and (name in VISIBLE_ATTRIBUTES or (name == "value" and attributes.get("type") in ("submit",
                                                                                                        "button"))):
                self._check(value, f"{name}=")

    def handle_endtag(self, tag):
        if self.raw and tag == self.raw[-1]:
            self.raw.pop()

    def handle_data(self, data):
        if not self.raw:
            self._check(data)


def template_findings(name: str) -> list[str]:
    env = Environment(extensions=["jinja2.ext.i18n"])
    source = (TEMPLATES / name).read_text(encoding="utf-8")
    html, strings = skeleton(source, env)
    finder = TextFinder()
    finder.feed(html)
    finder.close()
    findings = [f"{name}: text «{text}»" for _line, text in finder.found]
    if re.search(r"\{%-?\s*set\s+_\s*=", source):  # `_` is gettext: a template that reassigns it loses its texts
        findings.append(f"{name}: `set _ = …` hides gettext; use another name")
    findings += [f"{name}:{line}: string «{text}» not in _()" for line, text in strings]
    return findings


def all_templates() -> list[str]:
    return sorted(str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html"))


def test_every_template_text_is_translatable():
    findings = []
    for name in all_templates():
        if name in TEMPLATE_VIETNAMESE_ONLY:
            continue
        findings += template_findings(name)
    assert findings == [], "untranslatable template text:\n" + "\n".join(findings)


VALIDATORS = {"DataRequired", "InputRequired", "Length", "NumberRange", "Email", "EqualTo", "Optional", "Regexp",
              "AnyOf", "NoneOf"}
MESSAGE_HELPERS = {"_allow": 1, "_require": 1, "commit_or_show": 99}
ERROR_CALLS = {"flash", "DomainError", "NotFound", "Forbidden", "StaleEdit", "BackupError", "ValidationError",
               "StopValidation"}


def _callee(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _plain_vietnamese(node: ast.AST | None) -> bool:
    """A literal (or f-string, or literal % …, or literal.format(…)) with a Vietnamese letter, not translated."""
    if node is None:
        return False
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(VIETNAMESE_LETTER.search(node.value))
    if isinstance(node, ast.JoinedStr):
        return any(_plain_vietnamese(v) for v in node.values if isinstance(v, ast.Constant))
    if isinstance(node, ast.BinOp):
        return _plain_vietnamese(node.left) or _plain_vietnamese(node.right)
    if isinstance(node, ast.Call) and _callee(node) == "format" and isinstance(node.func, ast.Attribute):
        return _plain_vietnamese(node.func.value)
    if isinstance(node, ast.IfExp):
        return _plain_vietnamese(node.body) or _plain_vietnamese(node.orelse)
    return False


def python_findings(source: str, rel: str) -> list[str]:
    tree = ast.parse(source)
    findings = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _callee(node)
        suspects: list[ast.AST] = []
        if name in ERROR_CALLS:
            suspects = node.args[:1] + [k.value for k in node.keywords if k.arg == "message"]
        elif name in MESSAGE_HELPERS:  # helpers that raise their message argument
            suspects = node.args[MESSAGE_HELPERS[name]:MESSAGE_HELPERS[name] + 1]
            suspects += [k.value for k in node.keywords if k.arg in ("message", "conflict")]
        elif name.endswith("Field") and name != "Field":  # WTForms fields (pydantic's Field documents the API): the label, then keyword description/label
            suspects = node.args[:1] + [k.value for k in node.keywords if k.arg in ("label", "description")]
        elif name in VALIDATORS:  # the message, positional or by keyword
            suspects = list(node.args) + [k.value for k in node.keywords if k.arg == "message"]
        for suspect in suspects:
            if _plain_vietnamese(suspect):
                findings.append(f"{rel}:{node.lineno}: {name}({ast.unparse(suspect)[:80]})")
    return findings


def all_python() -> list[Path]:
    return sorted(p for p in (ROOT / "app").rglob("*.py")
                  if not str(p.relative_to(ROOT)).startswith(PYTHON_CLI_ONLY_PREFIXES)
                  and p.name != "cli.py")


def test_every_python_message_is_translatable():
    findings = [f for path in all_python()
                for f in python_findings(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))]
    assert findings == [], "untranslatable messages:\n" + "\n".join(findings)


@pytest.mark.parametrize(("source", "expected"), [
    ("<h1>Điểm số</h1>", 1),
    ("<h1>{{ _('Điểm số') }}</h1>", 0),
    ("<h1>{% trans %}Điểm {{ n }} số{% endtrans %}</h1>", 0),
    ("<td data-label=\"Đơn vị\">{{ u.name }}</td>", 1),
    ("<td data-label=\"{{ _('Đơn vị') }}\">{{ u.name }}</td>", 0),
    ("<input type=\"submit\" value=\"Lưu\">", 1),
    ("<input type=\"hidden\" name=\"k\" value=\"on\">", 0),
    ("{{ macro(label='Điểm') }}", 1),
    ("{{ macro(label=_('Điểm')) }}", 0),
    ("<p>{{ n }} · {{ m }} — 12/2026 %</p>", 0),
    ("<script>var x = 'abc';</script>", 0),
    ("<span title=\"Xem\">→</span>", 1),
])
def test_the_template_checker_finds_what_it_should(source, expected):
    env = Environment(extensions=["jinja2.ext.i18n"])
    html, strings = skeleton(source, env)
    finder = TextFinder()
    finder.feed(html)
    assert len(finder.found) + len(strings) == expected


@pytest.mark.parametrize(("source", "expected"), [
    ("flash('Đã lưu.')", 1),
    ("flash(gettext('Đã lưu.'))", 0),
    ("raise DomainError(f'Không thấy {x}')", 1),
    ("raise DomainError(gettext('Không thấy %(x)s', x=x))", 0),
    ("name = StringField('Họ và tên', validators=[DataRequired(message='Bắt buộc')])", 2),
    ("name = StringField(_l('Họ và tên'))", 0),
    ("confirm = PasswordField(_l('Nhập lại'), validators=[EqualTo('password', 'Hai mật khẩu không khớp.')])", 1),
    ("click.echo('Đã xong')", 0),
])
def test_the_python_checker_finds_what_it_should(source, expected):
    assert len(python_findings(source, "probe.py")) == expected
