"""Command-line plumbing shared by every `flask` command of the app: click's own messages in Vietnamese,
and a guard that refuses to run on a database that is missing, unreachable or not migrated to the head."""

from __future__ import annotations

import importlib
import os

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import ScriptInfo

NOT_MIGRATED = "Cơ sở dữ liệu chưa được khởi tạo (chưa chạy migration). Chạy: flask db upgrade"

# Names click passes into some messages as values rather than through gettext.
_NUMBER_TYPES = {"integer": "số nguyên", "float": "số thực", "integer range": "số nguyên", "float range": "số thực"}
_PATH_NAMES = {"File": "Tệp", "Directory": "Thư mục", "Path": "Đường dẫn",
               "Tệp": "Tệp", "Thư Mục": "Thư mục", "Đường Dẫn": "Đường dẫn"}


class _Template(str):
    """A translated message whose named values are translated too when it is formatted."""

    values: dict[str, dict[str, str]] = {}

    def format(self, *args, **kwargs):
        for key, names in self.values.items():
            if key in kwargs:
                kwargs[key] = names.get(kwargs[key], kwargs[key])
        return super().format(*args, **kwargs)


def _template(text: str, **values: dict[str, str]) -> _Template:
    message = _Template(text)
    message.values = values
    return message


# click's messages (click 8.3, `gettext` msgids) → Vietnamese. The placeholders stay those click passes to
# str.format; `{x!r}` becomes «{x}» (a Python repr would show quotes and escapes to the operator).
MESSAGES = {
    "Usage:": "Cách dùng:",
    "Options": "Tùy chọn",
    "Commands": "Lệnh",
    "Show this message and exit.": "Hiện hướng dẫn này rồi thoát.",
    "Show the version and exit.": "Hiện phiên bản rồi thoát.",
    "%(prog)s, version %(version)s": "%(prog)s, phiên bản %(version)s",
    "Try '{command} {option}' for help.": "Chạy «{command} {option}» để xem hướng dẫn.",
    "Error: {message}": "Lỗi: {message}",
    "Error: {e.message}": "Lỗi: {e.message}",
    "Error: The value you entered was invalid.": "Lỗi: giá trị vừa nhập không hợp lệ.",
    "Error: The two entered values do not match.": "Lỗi: hai lần nhập không khớp nhau.",
    "Error: invalid input": "Lỗi: câu trả lời không hợp lệ.",
    "Repeat for confirmation": "Nhập lại để xác nhận",
    "Aborted!": "Đã hủy.",
    "Press any key to continue...": "Nhấn một phím bất kỳ để tiếp tục...",
    "Missing command.": "Thiếu lệnh.",
    "No such command {name!r}.": "Không có lệnh «{name}».",
    "No such option: {name}": "Không có tùy chọn {name}.",
    "Missing argument": "Thiếu đối số",
    "Missing option": "Thiếu tùy chọn",
    "Missing parameter": "Thiếu tham số",
    "Missing {param_type}": "Thiếu {param_type}",
    "Missing parameter: {param_name}": "Thiếu tham số: {param_name}",
    "Invalid value for {param_hint}: {message}": "Giá trị không hợp lệ cho {param_hint}: {message}",
    "Invalid value: {message}": "Giá trị không hợp lệ: {message}",
    "Value must be an iterable.": "Giá trị phải là một danh sách.",
    "Option {name!r} does not take a value.": "Tùy chọn «{name}» không nhận giá trị.",
    "Argument {name!r} takes {nargs} values.": "Đối số «{name}» cần {nargs} giá trị.",
    "unknown error": "lỗi không xác định",
    "Could not open file {filename!r}: {message}": "Không mở được tệp «{filename}»: {message}",
    "Choose from:\n\t{choices}": "Chọn một trong:\n\t{choices}",
    "{value} is not in the range {range}.": "{value} nằm ngoài khoảng {range}.",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "«{value}» không phải là giá trị có/không hợp lệ. Các giá trị được nhận: {states}",
    "{value!r} is not a valid UUID.": "«{value}» không phải là UUID hợp lệ.",
    "{value!r} is not a valid {number_type}.": _template("«{value}» không phải là {number_type} hợp lệ.",
                                                        number_type=_NUMBER_TYPES),
    "{name} {filename!r} does not exist.": _template("{name} «{filename}» không tồn tại.", name=_PATH_NAMES),
    "{name} {filename!r} is a file.": _template("{name} «{filename}» là một tệp, không phải thư mục.",
                                               name=_PATH_NAMES),
    "{name} {filename!r} is a directory.": _template("{name} «{filename}» là một thư mục, không phải tệp.",
                                                    name=_PATH_NAMES),
    "{name} {filename!r} is not readable.": _template("{name} «{filename}» không cho phép đọc.", name=_PATH_NAMES),
    "{name} {filename!r} is not writable.": _template("{name} «{filename}» không cho phép ghi.", name=_PATH_NAMES),
    "{name} {filename!r} is not executable.": _template("{name} «{filename}» không cho phép chạy.",
                                                       name=_PATH_NAMES),
    "file": "tệp",
    "directory": "thư mục",
    "path": "đường dẫn",
    "env var: {var}": "biến môi trường: {var}",
    "default: {default}": "mặc định: {default}",
    "required": "bắt buộc",
    "(dynamic)": "(tự động)",
    "{editor}: Editing failed": "{editor}: sửa không thành công",
    "{editor}: Editing failed: {e}": "{editor}: sửa không thành công: {e}",
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}":
        "Cảnh báo: lệnh «{name}» đã lỗi thời.{extra_message}",
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}":
        "Cảnh báo: {param_type} «{name}» đã lỗi thời.{extra_message}",
    "Shell completion is not supported for Bash versions older than 4.4.":
        "Không hỗ trợ gợi ý lệnh cho Bash cũ hơn 4.4.",
    "Couldn't detect Bash version, shell completion is not supported.":
        "Không xác định được phiên bản Bash, không hỗ trợ gợi ý lệnh.",
}

# ngettext(singular, plural, n) msgids, keyed by the singular → (singular, plural) in Vietnamese.
PLURAL_MESSAGES = {
    "Got unexpected extra argument ({args})": ("Thừa đối số ({args}).", "Thừa các đối số ({args})."),
    "Did you mean {possibility}?": ("Có phải ý bạn là {possibility}?", "(Các tùy chọn gần giống: {possibilities})"),
    "Takes {nargs} values but 1 was given.": ("Cần {nargs} giá trị nhưng chỉ có 1.",
                                              "Cần {nargs} giá trị nhưng có {len}."),
    "Option {name!r} requires an argument.": ("Tùy chọn «{name}» cần một giá trị.",
                                              "Tùy chọn «{name}» cần {nargs} giá trị."),
    "{value!r} is not {choice}.": ("«{value}» không hợp lệ, chỉ nhận {choice}.",
                                   "«{value}» không phải là một trong các giá trị {choices}."),
    "{value!r} does not match the format {format}.": ("«{value}» không đúng định dạng {format}.",
                                                      "«{value}» không khớp định dạng nào trong {formats}."),
    "{len_type} values are required, but {len_value} was given.": ("Cần {len_type} giá trị, nhưng có {len_value}.",
                                                                   "Cần {len_type} giá trị, nhưng có {len_value}."),
}

_CLICK_MODULES = ("core", "exceptions", "types", "termui", "parser", "decorators", "formatting", "_termui_impl",
                  "shell_completion")


def gettext_vi(message: str) -> str:
    """click's `_`: the Vietnamese message, or the original when there is none."""
    return MESSAGES.get(message, message)


def ngettext_vi(singular: str, plural: str, n: int) -> str:
    """click's `ngettext`: the Vietnamese singular or plural, or the original pair."""
    pair = PLURAL_MESSAGES.get(singular)
    if pair is None:
        return singular if n == 1 else plural
    return pair[0] if n == 1 else pair[1]


def install_vietnamese_messages() -> None:
    """Point click's module-level `_` / `ngettext` (imported from gettext) at the Vietnamese catalogue."""
    # click looks these names up when it builds a message, so every later usage error, prompt and help page is
    # Vietnamese; click.Path translates its name when constructed, so this runs before the commands are imported.
    for name in _CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = gettext_vi
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext_vi


def database_problem() -> str | None:
    """Why the app's commands cannot run on the configured database (Vietnamese), or None when it is at the head."""
    # Creates nothing: a missing SQLite file is reported before connecting (connecting would create it), and the
    # migration state is only read.
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from app.extensions import db

    engine = db.engine
    url = engine.url
    path = url.database
    sqlite_file = url.get_backend_name() == "sqlite" and path and path != ":memory:" and not path.startswith("file:")
    if sqlite_file and not os.path.exists(path):
        return NOT_MIGRATED
    script = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
    heads = set(script.get_heads())
    try:
        with engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
    except sa.exc.SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        return f"Không kết nối được cơ sở dữ liệu {url.render_as_string(hide_password=True)}: {reason}"
    if not current:
        return NOT_MIGRATED
    if current == heads:
        return None
    known = {revision.revision for revision in script.walk_revisions()}
    if current - known:
        return (f"Cơ sở dữ liệu ở phiên bản {', '.join(sorted(current - known))}, mới hơn mã nguồn này "
                f"(phiên bản mới nhất của mã nguồn: {', '.join(sorted(heads))}). Cập nhật mã nguồn rồi chạy lại.")
    return (f"Cơ sở dữ liệu chưa được cập nhật (đang ở phiên bản {', '.join(sorted(current))}, "
            f"mới nhất là {', '.join(sorted(heads))}). Chạy: flask db upgrade")


def _check_database(ctx: click.Context, param: click.Parameter, value) -> None:
    if ctx.resilient_parsing:  # shell completion: never touch the database
        return
    if current_app:
        problem = database_problem()
    else:
        with ctx.ensure_object(ScriptInfo).load_app().app_context():
            problem = database_problem()
    if problem:
        raise click.ClickException(problem)


class DatabaseCheck(click.Option):
    """A hidden, eager parameter that reads nothing from the command line and checks the database."""

    def __init__(self) -> None:
        # Eager: processed after an explicit --help but before every other parameter, so before any password prompt.
        super().__init__(["--database-check"], hidden=True, expose_value=False, is_eager=True,
                         allow_from_autoenv=False, callback=_check_database)

    def add_to_parser(self, parser, ctx) -> None:
        """Register no option string: `--database-check` cannot be given."""


def prepare_command(command: click.Command) -> None:
    """Walk a command tree: each leaf command gets the database check; usage lines read in Vietnamese."""
    command.options_metavar = "[TÙY CHỌN]"
    if isinstance(command, click.Group):
        command.subcommand_metavar = "LỆNH [ĐỐI SỐ]..."
        for sub in command.commands.values():
            prepare_command(sub)
        return
    if getattr(command, "needs_database", True) and not any(isinstance(param, DatabaseCheck)
                                                            for param in command.params):
        command.params.insert(0, DatabaseCheck())
    for param in command.params:
        if isinstance(param, click.Option) and param.metavar is None and not param.is_flag:
            param.metavar = _METAVARS.get(type(param.type))


_METAVARS = {
    click.types.StringParamType: "CHUỖI",
    click.types.IntParamType: "SỐ",
    click.types.FloatParamType: "SỐ",
    click.types.IntRange: "SỐ",
    click.types.Path: "ĐƯỜNG_DẪN",
    click.types.File: "TỆP",
}
