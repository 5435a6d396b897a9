import pytest
from django.db import DatabaseError, connection, transaction

from cmeconf.common import audit
from cmeconf.common.models import AppendOnlyError, AuditEntry
from tests.factories import UserFactory


@pytest.fixture
def entry(db):
    user = UserFactory(first_name="Ada", last_name="Admin", credentials="")
    return audit.record(
        "thing.changed",
        actor=user,
        obj=user,
        before={"a": 1},
        after={"a": 2},
        provider_id=7,
        activity_id=9,
    )


def test_record_keeps_who_what_and_before_after(entry):
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.actor_repr == "Ada Admin"
    assert stored.action == "thing.changed"
    assert (stored.before, stored.after) == ({"a": 1}, {"a": 2})
    assert stored.changed_fields == [("a", 1, 2)]
    assert (stored.provider_id, stored.activity_id) == (7, 9)


def test_system_actions_have_no_actor(db):
    e = audit.record("nightly.cleanup", actor=None)
    assert e.actor is None and e.actor_repr == "system"


def test_orm_cannot_change_or_delete(entry):
    entry.note = "tampered"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(note="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


def test_database_refuses_update_even_in_raw_sql(entry):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE common_auditentry SET note = 'x' WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).note == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="DELETE trigger is PostgreSQL-only")
def test_postgresql_refuses_delete_in_raw_sql(entry):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM common_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
