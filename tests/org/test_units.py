"""Unit tree rules: unique codes, no cycles, scope = own unit and descendants."""

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.core.errors import DomainError
from app.org import services
from app.org.models import Unit


@pytest.fixture
def tree(make_unit):
    root = make_unit("P", "UBND tỉnh Thử", "province")
    district = make_unit("P.D", "UBND huyện Một", "district", root)
    commune = make_unit("P.D.X", "UBND xã Hai", "commune", district)
    other = make_unit("P.E", "UBND huyện Khác", "district", root)
    return root, district, commune, other


def test_descendants_include_self_and_every_depth(tree):
    root, district, commune, other = tree
    assert services.descendant_ids(district.id) == {district.id, commune.id}
    assert services.descendant_ids(root.id) == {root.id, district.id, commune.id, other.id}


def test_duplicate_code_is_refused_with_a_message(tree, make_unit):
    with pytest.raises(DomainError, match="Mã đơn vị «P.D» đã được dùng"):
        make_unit("P.D", "Trùng mã", "district", "P")


def test_duplicate_code_is_refused_by_the_database(tree, db):
    db.session.add(Unit(code="P.D", name="Trùng", kind="district"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("new_parent", ["P.D", "P.D.X"])
def test_unit_cannot_become_its_own_ancestor(tree, db, new_parent):
    _, district, *_ = tree
    parent = services.find_unit_by_code(new_parent)
    with pytest.raises(DomainError, match="không thể là cấp trên của chính nó"):
        services.update_unit(district, code="P.D", name=district.name, kind="district", parent=parent,
                             is_active=True)
    db.session.rollback()
    assert db.session.get(Unit, district.id).parent.code == "P"


def test_database_refuses_a_unit_as_its_own_parent(tree, db):
    _, district, *_ = tree
    with pytest.raises(IntegrityError):
        db.session.execute(sa.update(Unit).where(Unit.id == district.id).values(parent_id=district.id))
    db.session.rollback()


@pytest.mark.parametrize(("field", "kwargs", "message"), [
    ("code", {"code": " ", "name": "X", "kind": "department"}, "Mã đơn vị không được để trống"),
    ("name", {"code": "NEW", "name": "", "kind": "department"}, "Tên đơn vị không được để trống"),
    ("kind", {"code": "NEW", "name": "X", "kind": "spaceship"}, "không hợp lệ"),
])
def test_invalid_units_are_refused(tree, field, kwargs, message):
    with pytest.raises(DomainError, match=message) as err:
        services.create_unit(parent=tree[0], **kwargs)
    assert err.value.field == field


def test_visibility_walks_up_the_tree(tree, make_user):
    root, district, commune, other = tree
    user = make_user("canbo", district)
    assert district.is_visible_to(user) and commune.is_visible_to(user)
    assert not root.is_visible_to(user) and not other.is_visible_to(user)


def test_units_in_scope_are_in_tree_order(tree, make_user):
    user = make_user("tinh", "P", role="chair")
    # siblings by name ("Khác" before "Một"), children right after their parent
    assert [u.code for u in services.units_in_scope(user)] == ["P", "P.E", "P.D", "P.D.X"]
