"""Peer groups: which units a unit is ranked with (the same kind under the same parent), and how the group is
named on pages, exports and charts."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import force_locale, gettext

from app.core.i18n import N_
from app.org.models import Unit

# How a peer group is named on pages and exports ("Xếp hạng 3/8 trong các xã, phường, thị trấn của ..."); pages
# show them in their language (PeerGroup.page_label), exports, reports and the API in Vietnamese (PeerGroup.label).
PEER_NAMES = {
    "province": N_("tỉnh, thành phố"), "district": N_("huyện, thị xã, thành phố"),
    "commune": N_("xã, phường, thị trấn"), "department": N_("cơ quan chuyên môn"), "office": N_("văn phòng"),
    "police": N_("cơ quan công an"), "one_stop": N_("bộ phận một cửa"), "other": N_("đơn vị"),
}


@dataclass
class PeerGroup:
    """Units ranked together: the same kind under the same parent (a province's departments apart from its communes)."""

    parent: Unit | None
    kind: str
    units: list[Unit]

    @property
    def label(self) -> str:
        """"các xã, phường, thị trấn của UBND huyện Ninh Sơn", whatever the reader's language (exports, reports, API)."""
        with force_locale("vi"):
            return self.page_label

    @property
    def page_label(self) -> str:
        """The label in the page's language: the same Vietnamese as `label`, or "communes, wards and townships of
        UBND huyện Ninh Sơn" in English (exports, reports and the API keep `label`)."""
        name = gettext(PEER_NAMES.get(self.kind, "đơn vị"))
        if self.parent is None:
            return gettext("các %(units)s", units=name)
        return gettext("các %(units)s của %(parent)s", units=name, parent=self.parent.name)


def peer_group(unit: Unit) -> PeerGroup:
    """The group a unit is ranked in, on every page, export and chart."""
    if unit.parent is None:
        return PeerGroup(None, unit.kind, [unit])
    peers = [u for u in unit.parent.children if u.kind == unit.kind and (u.is_active or u.id == unit.id)]
    return PeerGroup(unit.parent, unit.kind, peers)


def child_peer_groups(unit: Unit) -> list[PeerGroup]:
    """The units directly below a unit, one peer group per kind (in the order kinds first appear)."""
    groups: dict[str, PeerGroup] = {}
    for child in unit.children:
        if child.is_active:
            groups.setdefault(child.kind, PeerGroup(unit, child.kind, [])).units.append(child)
    return list(groups.values())


def siblings(unit: Unit) -> list[Unit]:
    """Units ranked together with this one: same parent, same kind."""
    return peer_group(unit).units
