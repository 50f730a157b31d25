"""Alerts by e-mail, through a real SMTP server on localhost (aiosmtpd): escalations at once, the rest in one daily
digest per user grouped by kind, Vietnamese intact, absolute links, nothing twice, nothing lost when SMTP is down."""

from __future__ import annotations

import logging
import socket
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import pytest
import sqlalchemy as sa

from app.alerts import email as alert_email
from app.alerts.models import ALERT_KINDS, Alert

NOW = datetime(2026, 11, 16, 0, 30, tzinfo=UTC)  # 07:30 on 16/11/2026 in Vietnam
BASE = "https://dichvucong.ninhson.gov.vn/chiso766"
RED = "Chỉ số 4 (Tỷ lệ hồ sơ giải quyết đúng hạn) của UBND huyện Ninh Sơn kỳ 10/2026 chuyển đỏ: cần giải trình."
DROP = "Chỉ số 10 của UBND huyện Ninh Sơn kỳ 10/2026 giảm 3,25 điểm: cần giải trình và nêu biện pháp khắc phục."
LATE = "Hồ sơ 000.00.12.H44-261103-0001 (Cấp giấy chứng nhận quyền sử dụng đất) đã quá hạn trả kết quả."


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """aiosmtpd handler: keeps every message it accepts; refuses the addresses in `refuse` at RCPT."""

    def __init__(self):
        self.received: list[tuple[list[str], bytes]] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"

    @property
    def messages(self):
        return [message_from_bytes(raw, policy=policy.default) for _, raw in self.received]

    def to(self, address: str):
        return [message_from_bytes(raw, policy=policy.default) for rcpt, raw in self.received if address in rcpt]


@pytest.fixture
def mail_settings(app, monkeypatch):
    def configure(**settings):
        for key, value in {"MAIL_USE_TLS": False, "MAIL_USE_SSL": False, "MAIL_USERNAME": None,
                           "MAIL_PASSWORD": None, "MAIL_FROM": "Chỉ số 766 <canhbao@ninhson.gov.vn>",
                           "MAIL_TIMEOUT": 5, "APP_BASE_URL": BASE, **settings}.items():
            monkeypatch.setitem(app.config, key, value)

    return configure


@pytest.fixture
def inbox(mail_settings):
    """A real SMTP server on a free localhost port, and the app configured to use it."""
    from aiosmtpd.controller import Controller

    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    mail_settings(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    yield handler
    controller.stop()


@pytest.fixture
def email_log(caplog, monkeypatch):
    """The module's warnings (the migrations' logging set-up disables loggers that existed before it ran)."""
    monkeypatch.setattr(alert_email.log, "disabled", False)
    caplog.set_level(logging.WARNING, logger=alert_email.log.name)
    return caplog


@pytest.fixture
def unit(make_unit):
    return make_unit("H44", "UBND huyện Ninh Sơn", "district")


@pytest.fixture
def people(make_user, unit, db):
    """An officer and the chair (both "digest", the default), with addresses."""
    yen = make_user("yenntk", unit, full_name="Nguyễn Thị Kim Yến", email="yen@ninhson.gov.vn")
    hung = make_user("hungdv", unit, role="chair", full_name="Đoàn Văn Hùng", email="hung@ninhson.gov.vn")
    return yen, hung


def add_alert(db, recipient, *, kind="indicator_red", key="H44|4|2026-10", message=RED, level=0, unit=None,
              created=NOW - timedelta(hours=3), resolved=False, dossier=None) -> Alert:
    alert = Alert(kind=kind, subject_type="dossier" if dossier else "score", subject_key=key,
                  recipient_id=recipient.id, unit_id=getattr(unit, "id", None), message=message,
                  link="" if dossier else "/scores/red", escalation_level=level, created_at=created,
                  dossier_id=getattr(dossier, "id", None), resolved_at=created if resolved else None)
    db.session.add(alert)
    db.session.commit()
    return alert


def job(db, send, now=NOW, **kw) -> int:
    """As the scheduler's job: the send function, then one commit."""
    sent = send(now=now, **kw)
    db.session.commit()
    return sent


def emailed_at(db, alert) -> datetime | None:
    value = db.session.scalar(sa.select(Alert.emailed_at).where(Alert.id == alert.id))
    return value.replace(tzinfo=value.tzinfo or UTC) if value else None


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def html_of(message) -> str:
    return message.get_body(("html",)).get_content()


class TestImmediate:
    def test_an_escalation_goes_at_once_to_a_digest_user_and_is_marked(self, db, inbox, people):
        yen, hung = people
        alert = add_alert(db, hung, kind="dossier_overdue", key="mot-cua:000.00.12.H44-261103-0001", message=LATE,
                          level=1)
        assert job(db, alert_email.send_immediate) == 1
        (mail,) = inbox.to("hung@ninhson.gov.vn")
        assert mail["To"].addresses[0].display_name == "Đoàn Văn Hùng"
        assert mail["Subject"] == f"[Chỉ số 766] {ALERT_KINDS['dossier_overdue']} — cần xử lý ngay"
        assert LATE in text_of(mail) and "chuyển lên lãnh đạo" in text_of(mail)
        assert emailed_at(db, alert) == NOW

    def test_a_dossier_alert_is_named_by_its_code_in_the_subject(self, db, inbox, people, unit):
        from app.dossiers.models import Dossier

        dossier = Dossier(code="000.00.12.H44-261103-0001", procedure_code="1.004227",
                          procedure_name="Cấp giấy chứng nhận quyền sử dụng đất", handling_unit_id=unit.id,
                          receiving_unit_id=unit.id, received_at=NOW - timedelta(days=20),
                          due_at=NOW - timedelta(days=5), status="processing")
        db.session.add(dossier)
        db.session.commit()
        add_alert(db, people[1], kind="dossier_overdue", key="mot-cua:000.00.12.H44-261103-0001", message=LATE,
                  level=1, dossier=dossier)
        assert job(db, alert_email.send_immediate) == 1
        (mail,) = inbox.messages
        assert mail["Subject"] == "[Chỉ số 766] Hồ sơ 000.00.12.H44-261103-0001 quá hạn — cần xử lý ngay"
        assert f"    Xem và xử lý: {BASE}/dossiers/{dossier.id}" in text_of(mail).splitlines()  # url_for, no request

    def test_a_normal_alert_waits_for_the_digest(self, db, inbox, people):
        yen, _ = people
        alert = add_alert(db, yen)
        assert job(db, alert_email.send_immediate) == 0
        assert inbox.received == [] and emailed_at(db, alert) is None
        assert job(db, alert_email.send_daily_digest) == 1
        assert emailed_at(db, alert) == NOW

    def test_an_instant_user_gets_one_mail_per_alert_at_once(self, db, inbox, people):
        yen, _ = people
        yen.alert_email = "instant"
        first = add_alert(db, yen)
        second = add_alert(db, yen, kind="indicator_drop", key="H44|10|2026-10", message=DROP)
        assert job(db, alert_email.send_immediate) == 2
        mails = inbox.to("yen@ninhson.gov.vn")
        assert sorted(m["Subject"] for m in mails) == sorted(f"[Chỉ số 766] {ALERT_KINDS[k]}"
                                                             for k in ("indicator_red", "indicator_drop"))
        assert emailed_at(db, first) == emailed_at(db, second) == NOW
        assert job(db, alert_email.send_daily_digest) == 0  # nothing left for the digest

    def test_running_twice_sends_nothing_new(self, db, inbox, people):
        add_alert(db, people[1], level=1)
        assert job(db, alert_email.send_immediate) == 1
        assert job(db, alert_email.send_immediate, now=NOW + timedelta(minutes=15)) == 0
        assert len(inbox.received) == 1


class TestDigest:
    def test_one_mail_per_user_grouped_by_kind_with_vietnamese_intact_and_absolute_links(self, db, inbox, people):
        yen, hung = people
        add_alert(db, yen, kind="indicator_drop", key="H44|10|2026-10", message=DROP)
        add_alert(db, yen, message=RED)
        add_alert(db, yen, key="H44|4|2026-09", message=RED.replace("10/2026", "09/2026"))
        add_alert(db, yen, key="H44|7|2026-10", message="Đã xử lý, không gửi.", resolved=True)
        add_alert(db, hung, kind="indicator_drop", key="H44|10|2026-10", message=DROP)

        assert job(db, alert_email.send_daily_digest) == 2
        assert len(inbox.received) == 2
        (mail,) = inbox.to("yen@ninhson.gov.vn")
        assert mail["Subject"] == "[Chỉ số 766] Tổng hợp cảnh báo ngày 16/11/2026: 3 cảnh báo cần xử lý"
        assert mail["From"].addresses[0].display_name == "Chỉ số 766"
        assert mail["To"].addresses[0].display_name == "Nguyễn Thị Kim Yến"
        text = text_of(mail)
        assert text.startswith("Kính gửi Nguyễn Thị Kim Yến,")
        red, drop = ALERT_KINDS["indicator_red"], ALERT_KINDS["indicator_drop"]
        assert f"{red} (2)" in text and f"{drop} (1)" in text
        assert text.index(red) < text.index(RED) < text.index(RED.replace("10/2026", "09/2026")) < text.index(drop)
        assert text.index(drop) < text.index(DROP)
        assert "Đã xử lý, không gửi." not in text
        assert text.count(f"Xem và xử lý: {BASE}/scores/red") == 3
        assert f"{BASE}/alerts/" in text and f"{BASE}/profile" in text
        html = html_of(mail)
        assert f'<a href="{BASE}/scores/red">' in html and "Kính gửi Nguyễn Thị Kim Yến" in html and DROP in html
        # Every byte on the wire is 7-bit: no relay can mangle the diacritics.
        raw = next(raw for rcpt, raw in inbox.received if "yen@ninhson.gov.vn" in rcpt)
        assert raw.isascii()
        (other,) = inbox.to("hung@ninhson.gov.vn")
        assert "1 cảnh báo" in other["Subject"] and DROP in text_of(other) and RED not in text_of(other)

    def test_running_twice_sends_nothing_the_second_time_and_only_new_alerts_later(self, db, inbox, people):
        yen, _ = people
        first = add_alert(db, yen)
        assert job(db, alert_email.send_daily_digest) == 1
        assert job(db, alert_email.send_daily_digest) == 0
        later = add_alert(db, yen, kind="indicator_drop", key="H44|10|2026-10", message=DROP)
        tomorrow = NOW + timedelta(days=1)
        assert job(db, alert_email.send_daily_digest, now=tomorrow) == 1
        assert len(inbox.received) == 2
        assert RED not in text_of(inbox.messages[1]) and DROP in text_of(inbox.messages[1])
        assert emailed_at(db, first) == NOW and emailed_at(db, later) == tomorrow

    def test_an_escalation_not_sent_at_once_goes_in_the_digest(self, db, inbox, people):
        alert = add_alert(db, people[1], level=1)
        assert job(db, alert_email.send_daily_digest) == 1
        assert emailed_at(db, alert) == NOW
        assert job(db, alert_email.send_immediate) == 0


class TestNobody:
    def test_none_users_get_nothing(self, db, inbox, people):
        yen, hung = people
        yen.alert_email = hung.alert_email = "none"
        alerts = [add_alert(db, yen), add_alert(db, hung, level=1)]
        assert job(db, alert_email.send_immediate) == 0
        assert job(db, alert_email.send_daily_digest) == 0
        assert inbox.received == [] and all(emailed_at(db, a) is None for a in alerts)

    @pytest.mark.parametrize("change", [{"is_active": False}, {"email": None}, {"email": ""}],
                             ids=["inactive", "no-email", "blank-email"])
    @pytest.mark.parametrize("choice", ["digest", "instant"])
    def test_an_inactive_user_or_one_without_an_address_gets_nothing(self, db, inbox, people, change, choice):
        _, hung = people
        for name, value in {**change, "alert_email": choice}.items():
            setattr(hung, name, value)
        alerts = [add_alert(db, hung), add_alert(db, hung, key="H44|4|2026-09", level=1)]
        assert job(db, alert_email.send_immediate) == 0
        assert job(db, alert_email.send_daily_digest) == 0
        assert inbox.received == [] and all(emailed_at(db, a) is None for a in alerts)

    def test_without_mail_server_nothing_is_sent_nor_marked(self, app, db, mail_settings, people):
        mail_settings(MAIL_SERVER=None)
        assert alert_email.channel_for(app) is None
        alerts = [add_alert(db, people[0]), add_alert(db, people[1], level=1)]
        assert job(db, alert_email.send_immediate) == 0
        assert job(db, alert_email.send_daily_digest) == 0
        assert all(emailed_at(db, a) is None for a in alerts)


class TestFailures:
    def test_smtp_down_leaves_alerts_unmarked_and_the_next_run_sends_them(self, app, db, mail_settings, inbox,
                                                                           people, email_log):
        yen, hung = people
        live_port = app.config["MAIL_PORT"]
        mail_settings(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # nothing listens there: connection refused
        alerts = [add_alert(db, yen), add_alert(db, hung, level=1), add_alert(db, hung, key="H44|4|2026-09")]
        assert job(db, alert_email.send_immediate) == 0
        assert job(db, alert_email.send_daily_digest) == 0
        assert all(emailed_at(db, a) is None for a in alerts)
        assert "channel unavailable" in email_log.text
        mail_settings(MAIL_SERVER="127.0.0.1", MAIL_PORT=live_port)
        later = NOW + timedelta(minutes=15)
        assert job(db, alert_email.send_immediate, now=later) == 1
        assert job(db, alert_email.send_daily_digest, now=later) == 2
        assert all(emailed_at(db, a) == later for a in alerts)

    def test_a_refused_address_does_not_stop_the_others(self, db, inbox, people, email_log):
        yen, hung = people
        inbox.refuse.add("yen@ninhson.gov.vn")
        refused, fine = add_alert(db, yen), add_alert(db, hung)
        assert job(db, alert_email.send_daily_digest) == 1
        assert emailed_at(db, refused) is None and emailed_at(db, fine) == NOW
        assert "yen@ninhson.gov.vn not sent" in email_log.text
        assert [rcpt for rcpt, _ in inbox.received] == [["hung@ninhson.gov.vn"]]


class ListChannel:
    """Any channel (SMS, Zalo…) only implements send()."""

    def __init__(self):
        self.sent: list[alert_email.OutgoingMessage] = []

    def send(self, message):
        self.sent.append(message)


def test_another_channel_plugs_in_without_smtp(app, db, mail_settings, people):
    mail_settings(MAIL_SERVER=None, APP_BASE_URL="http://127.0.0.1:5000/")
    channel = ListChannel()
    add_alert(db, people[1], level=1)
    add_alert(db, people[0])
    assert job(db, alert_email.send_immediate, channel=channel) == 1
    assert job(db, alert_email.send_daily_digest, channel=channel) == 1
    assert [m.to_address for m in channel.sent] == ["hung@ninhson.gov.vn", "yen@ninhson.gov.vn"]
    assert "Xem và xử lý: http://127.0.0.1:5000/scores/red" in channel.sent[1].text
    assert all(m.sent_at == NOW for m in channel.sent)


def test_a_long_digest_lists_a_first_page_per_kind_and_counts_the_rest(db, mail_settings, people):
    mail_settings(MAIL_SERVER=None)
    channel = ListChannel()
    many = alert_email.DIGEST_ITEMS_PER_KIND + 2
    alerts = [add_alert(db, people[0], key=f"H44|4|{n}", message=f"Cảnh báo số {n} <b>đậm</b>") for n in range(many)]
    assert job(db, alert_email.send_daily_digest, channel=channel) == 1
    (message,) = channel.sent
    assert f"{ALERT_KINDS['indicator_red']} ({many})" in message.text and "… và 2 cảnh báo khác" in message.text
    assert message.text.count("Xem và xử lý:") == alert_email.DIGEST_ITEMS_PER_KIND
    assert "&lt;b&gt;đậm&lt;/b&gt;" in message.html and "<b>" not in message.html  # the HTML is escaped
    assert all(emailed_at(db, a) == NOW for a in alerts)
