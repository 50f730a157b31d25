"""Alerts by e-mail: what goes at once, the daily digest, and the channel that delivers it (SMTP today).

The scans decide who is told (app.alerts.services.notify); this module only decides *when* a user hears by e-mail,
from their choice (`User.alert_email`), and hands each message to a `Channel`. Another channel (SMS, Zalo) only
has to implement `Channel.send`. Both send functions flush; the job that calls them commits once.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from enum import Enum
from typing import Protocol
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, url_for
from jinja2 import Environment
from sqlalchemy.orm import contains_eager, selectinload
from werkzeug.routing import BuildError

from app.alerts.models import ALERT_KINDS, Alert
from app.alerts.services import link_for
from app.auth.models import User
from app.core.time import to_vn
from app.extensions import db

log = logging.getLogger(__name__)

BRAND = "Chỉ số 766"
# "Hồ sơ <code> <state>" in a subject, by kind.
DOSSIER_STATES = {
    "dossier_due_soon": "sắp trễ hạn",
    "dossier_overdue": "quá hạn",
    "dossier_apology_missing": "chưa có phiếu xin lỗi",
    "dossier_returned_late": "đã trả trễ hạn",
}
URGENT_KINDS = ("dossier_overdue",)
# A digest lists at most this many alerts of one kind (a first scan may find hundreds); the rest are counted.
DIGEST_ITEMS_PER_KIND = 30


# --- the channel -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutgoingMessage:
    """One message to one person, whatever the channel: plain text always, HTML for channels that show it."""

    to_address: str
    to_name: str
    subject: str
    text: str
    html: str | None = None
    sent_at: datetime | None = None  # the job's `now` (the Date header), never the clock


class DeliveryError(Exception):
    """This message was not delivered (the next ones may be)."""


class ChannelUnavailable(DeliveryError):
    """The channel cannot be reached now: stop this run; what was not sent goes next time."""


class Channel(Protocol):
    def send(self, message: OutgoingMessage) -> None:
        """Deliver one message, or raise DeliveryError (this one failed) / ChannelUnavailable (all would fail)."""


class SmtpChannel:
    """SMTP with smtplib: one connection per message; STARTTLS (`use_tls`) or SMTPS (`use_ssl`); optional login."""

    def __init__(self, *, host: str, port: int = 25, use_tls: bool = False, use_ssl: bool = False,
                 username: str | None = None, password: str | None = None, sender: str,
                 timeout: float = 10.0):
        self.host, self.port, self.use_tls, self.use_ssl = host, port, use_tls, use_ssl
        self.username, self.password, self.sender, self.timeout = username, password, sender, timeout

    def build(self, message: OutgoingMessage) -> EmailMessage:
        """The MIME message: UTF-8 subject, names and bodies (quoted-printable, safe over any relay)."""
        mail = EmailMessage()
        subject = " ".join(message.subject.split())  # one line, whatever the data: no header injection
        if subject.isascii():
            mail["Subject"] = subject
        else:  # the policy's folder can drop the space at a fold ("mạnh, cần" → "mạnh,cần"): fold it ourselves
            mail.set_raw("Subject", Header(subject, "utf-8", header_name="Subject").encode())
        mail["From"] = self.sender
        mail["To"] = Address(display_name=message.to_name, addr_spec=message.to_address)
        if message.sent_at is not None:
            mail["Date"] = format_datetime(message.sent_at)
        mail["Message-ID"] = make_msgid(domain=parseaddr(self.sender)[1].rpartition("@")[2] or "localhost")
        mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to a robot
        mail.set_content(message.text, cte="quoted-printable")
        if message.html:
            mail.add_alternative(message.html, subtype="html", cte="quoted-printable")
        return mail

    def send(self, message: OutgoingMessage) -> None:
        try:
            mail = self.build(message)
        except (ValueError, TypeError, IndexError) as exc:  # an address the header parser refuses
            raise DeliveryError(f"cannot build the message: {exc}") from exc
        try:
            smtp = self._connect()
        except OSError as exc:  # refused, timed out, TLS or login failed (smtplib errors are OSErrors)
            raise ChannelUnavailable(f"{self.host}:{self.port}: {exc}") from exc
        try:
            smtp.send_message(mail)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPNotSupportedError,
                UnicodeError) as exc:
            raise DeliveryError(str(exc)) from exc
        except OSError as exc:
            raise ChannelUnavailable(f"{self.host}:{self.port}: {exc}") from exc
        finally:
            _close(smtp)

    def _connect(self) -> smtplib.SMTP:
        if self.use_ssl:
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.use_tls and not self.use_ssl:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password or "")
        except BaseException:
            _close(smtp)
            raise
        return smtp


def _close(smtp: smtplib.SMTP) -> None:
    """QUIT politely; a message already accepted stays sent even if the goodbye fails."""
    try:
        smtp.quit()
    except OSError:
        smtp.close()


def channel_for(app) -> Channel | None:
    """The e-mail channel from the app's MAIL_* settings; None when MAIL_SERVER is not set (e-mail is off)."""
    config = app.config
    if not config.get("MAIL_SERVER"):
        return None
    return SmtpChannel(host=config["MAIL_SERVER"], port=int(config.get("MAIL_PORT") or 25),
                       use_tls=bool(config.get("MAIL_USE_TLS")), use_ssl=bool(config.get("MAIL_USE_SSL")),
                       username=config.get("MAIL_USERNAME"), password=config.get("MAIL_PASSWORD"),
                       sender=config.get("MAIL_FROM") or f"{BRAND} <no-reply@localhost>",
                       timeout=float(config.get("MAIL_TIMEOUT") or 10))


# --- who gets what, when ---------------------------------------------------------------------------------------


def _mailable() -> sa.Select:
    """Open alerts not e-mailed yet, of active recipients with an address; locked so two runs never both send."""
    return (sa.select(Alert).join(Alert.recipient)
            .where(Alert.resolved_at.is_(None), Alert.emailed_at.is_(None), User.is_active.is_(True),
                   User.email.is_not(None), User.email != "")
            .options(contains_eager(Alert.recipient), selectinload(Alert.dossier))
            .with_for_update(of=Alert, skip_locked=True))  # PostgreSQL; SQLite serialises writers anyway


def send_immediate(*, now: datetime, channel: Channel | None = None) -> int:
    """E-mail at once, one message per alert: escalations (unless the user wants no mail) and every alert of users
    who chose "instant"; mark each sent. A failed send stays unmarked for the next run. Returns how many were sent."""
    app = current_app._get_current_object()
    channel = channel or channel_for(app)
    if channel is None:
        return 0
    alerts = list(db.session.scalars(_mailable().where(sa.or_(
        sa.and_(Alert.escalation_level >= 1, User.alert_email != "none"), User.alert_email == "instant"))
        .order_by(Alert.created_at, Alert.id)))
    sent = 0
    with _LinkBuilder(app) as links:
        for alert in alerts:
            person = alert.recipient
            message = OutgoingMessage(
                to_address=person.email, to_name=person.full_name, subject=subject_for(alert), sent_at=now,
                **_render(person, intro=_intro(alert), sections=[_section(alert.kind, [alert], links)],
                          links=links))
            outcome = _deliver(channel, message, f"alert {alert.id}")
            if outcome is _Outcome.STOP:
                break
            if outcome is _Outcome.SENT:
                alert.emailed_at = now
                sent += 1
    db.session.flush()
    return sent


def send_daily_digest(*, now: datetime, channel: Channel | None = None) -> int:
    """One message per user who chose "digest": their open alerts not e-mailed yet, grouped by kind; mark them sent.
    Running it again sends nothing new. Returns how many messages were sent."""
    app = current_app._get_current_object()
    channel = channel or channel_for(app)
    if channel is None:
        return 0
    by_person: dict[int, list[Alert]] = defaultdict(list)
    for alert in db.session.scalars(_mailable().where(User.alert_email == "digest")
                                    .order_by(Alert.recipient_id, Alert.created_at, Alert.id)):
        by_person[alert.recipient_id].append(alert)
    day = to_vn(now).strftime("%d/%m/%Y")
    sent = 0
    with _LinkBuilder(app) as links:
        for alerts in by_person.values():
            person = alerts[0].recipient
            by_kind: dict[str, list[Alert]] = defaultdict(list)
            for alert in alerts:
                by_kind[alert.kind].append(alert)
            sections = [_section(kind, by_kind[kind], links) for kind in sorted(by_kind, key=_kind_order)]
            message = OutgoingMessage(
                to_address=person.email, to_name=person.full_name, sent_at=now,
                subject=f"[{BRAND}] Tổng hợp cảnh báo ngày {day}: {len(alerts)} cảnh báo cần xử lý",
                **_render(person, intro=f"Bạn có {len(alerts)} cảnh báo đang chờ xử lý:", sections=sections,
                          links=links))
            outcome = _deliver(channel, message, f"digest of user {person.id}")
            if outcome is _Outcome.STOP:
                break
            if outcome is _Outcome.SENT:
                for alert in alerts:
                    alert.emailed_at = now
                sent += 1
    db.session.flush()
    return sent


class _Outcome(Enum):
    SENT = "sent"
    FAILED = "failed"  # this message only: go on with the next
    STOP = "stop"  # the channel is down: the rest would fail too


def _deliver(channel: Channel, message: OutgoingMessage, what: str) -> _Outcome:
    try:
        channel.send(message)
        return _Outcome.SENT
    except ChannelUnavailable as exc:
        log.error("alert e-mail: channel unavailable, %s and the rest left for the next run: %s", what, exc)
        return _Outcome.STOP
    except Exception as exc:  # one bad message (or a channel's bug) must not stop the job
        log.warning("alert e-mail: %s to %s not sent, left for the next run: %s", what, message.to_address, exc)
        return _Outcome.FAILED


# --- what the message says ---------------------------------------------------------------------------------------


def subject_for(alert: Alert) -> str:
    """E.g. "[Chỉ số 766] Hồ sơ 000.00.12.H44-261103-0001 quá hạn — cần xử lý ngay"."""
    state = DOSSIER_STATES.get(alert.kind)
    if alert.subject_type == "dossier" and alert.dossier is not None and state:
        headline = f"Hồ sơ {alert.dossier.code} {state}"
    else:
        headline = alert.kind_label
    urgent = alert.escalation_level >= 1 or alert.kind in URGENT_KINDS
    return f"[{BRAND}] {headline}" + (" — cần xử lý ngay" if urgent else "")


def _intro(alert: Alert) -> str:
    if alert.escalation_level >= 1:
        return "Cảnh báo sau được chuyển lên lãnh đạo vì chưa được xử lý kịp thời:"
    return "Bạn có một cảnh báo mới:"


def _kind_order(kind: str) -> tuple[int, str]:
    order = list(ALERT_KINDS)
    return (order.index(kind) if kind in order else len(order), kind)


@dataclass
class _Item:
    message: str
    link: str
    created: str


@dataclass
class _Section:
    label: str
    total: int
    items: list[_Item] = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.total - len(self.items)


def _section(kind: str, alerts: list[Alert], links: _LinkBuilder) -> _Section:
    return _Section(ALERT_KINDS.get(kind, kind), len(alerts), [
        _Item(a.message, links.alert(a), to_vn(a.created_at).strftime("%H:%M %d/%m/%Y") if a.created_at else "")
        for a in alerts[:DIGEST_ITEMS_PER_KIND]])


_HTML = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>{{ brand }}</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#1f2933">
<p>Kính gửi {{ person.full_name }},</p>
<p>{{ intro }}</p>
{% for s in sections %}<h3 style="margin:16px 0 4px">{{ s.label }} ({{ s.total }})</h3>
<ul>{% for i in s.items %}<li style="margin-bottom:6px">{{ i.message }}<br>
<a href="{{ i.link }}">Xem và xử lý</a>{% if i.created %} <span style="color:#667">· phát sinh {{ i.created }}</span>{% endif %}</li>
{% endfor %}{% if s.more %}<li>… và {{ s.more }} cảnh báo khác: xem trong mục
<a href="{{ all_alerts }}">Cảnh báo</a>.</li>{% endif %}</ul>
{% endfor %}<p><a href="{{ all_alerts }}">Tất cả cảnh báo của bạn</a></p>
<p style="color:#667;font-size:12px">Thư gửi tự động từ hệ thống {{ brand }}, xin đừng trả lời thư này.
<a href="{{ profile }}">Đổi địa chỉ hoặc cách nhận cảnh báo qua thư</a>.</p>
</body></html>
"""

_html_env = Environment(autoescape=True)


def _render(person: User, *, intro: str, sections: list[_Section], links: _LinkBuilder) -> dict[str, str]:
    """The plain-text body and its HTML twin."""
    context = {"person": person, "intro": intro, "sections": sections, "brand": BRAND,
               "all_alerts": links.page("alerts.index"), "profile": links.page("auth.profile")}
    lines = [f"Kính gửi {person.full_name},", "", intro]
    for section in sections:
        lines += ["", f"{section.label} ({section.total})"]
        for item in section.items:
            lines.append(f"  • {item.message}" + (f" (phát sinh {item.created})" if item.created else ""))
            lines.append(f"    Xem và xử lý: {item.link}")
        if section.more:
            lines.append(f"  … và {section.more} cảnh báo khác: xem trong mục Cảnh báo.")
    lines += ["", f"Tất cả cảnh báo của bạn: {context['all_alerts']}", "",
              "-- ",  # the signature separator
              f"Thư gửi tự động từ hệ thống {BRAND}, xin đừng trả lời thư này.",
              f"Đổi địa chỉ hoặc cách nhận cảnh báo qua thư: {context['profile']}"]
    return {"text": "\n".join(lines) + "\n", "html": _html_env.from_string(_HTML).render(context)}


class _LinkBuilder:
    """Absolute links for mails, built without a browser request.

    Pages are addressed by their path inside the app: `link_for` (url_for, or the path stored on the alert such
    as "/scores/red/…"). url_for needs a request (or SERVER_NAME, which would also change how the web app matches
    hosts), so a throw-away request context on APP_BASE_URL's origin is pushed; every path is then joined to
    APP_BASE_URL, which may carry a sub-path ("https://dvc.example.gov.vn/chiso766") when served behind a proxy.
    """

    def __init__(self, app):
        self.base = (app.config.get("APP_BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
        parts = urlsplit(self.base)
        origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else "http://localhost"
        self._context = app.test_request_context("/", base_url=origin)

    def __enter__(self) -> _LinkBuilder:
        self._context.push()
        return self

    def __exit__(self, *exc) -> None:
        self._context.pop()

    def absolute(self, path: str) -> str:
        scheme = urlsplit(path).scheme
        if scheme:
            return path if scheme in ("http", "https") else self.page("alerts.index")
        return self.base + (path if path.startswith("/") else "/" + path)

    def page(self, endpoint: str, **values) -> str:
        return self.absolute(url_for(endpoint, **values))

    def alert(self, alert: Alert) -> str:
        try:
            return self.absolute(link_for(alert))
        except BuildError:  # a page not there (yet): point to the alert list rather than lose the mail
            log.warning("alert e-mail: no page for alert %s, linking the alert list", alert.id)
            return self.page("alerts.index")
