"""The hash chain: appends link up, any edit or deletion is found, writers cannot fork it."""

from __future__ import annotations

import threading

from sqlalchemy import delete, select, update

from serving.audit_log import Actor, append_entry, verify_chain
from serving.tables import AuditEntry

ACTOR = Actor(key_id="k1", role="supervisor")


def _append(store, n: int) -> None:
    for i in range(n):
        with store.sessions.begin() as session:
            append_entry(session, actor=ACTOR, action="score", case_id=f"c{i}", details={"i": i})


def test_an_untouched_chain_verifies(store):
    _append(store, 5)
    with store.sessions() as session:
        report = verify_chain(session)
    assert report.ok
    assert report.entries == 5


def test_an_edited_entry_is_named(store):
    _append(store, 5)
    with store.sessions.begin() as session:
        session.execute(update(AuditEntry).where(AuditEntry.seq == 3).values(case_id="other"))
    with store.sessions() as session:
        report = verify_chain(session)
    assert not report.ok
    assert report.first_bad_seq == 3
    assert "edited" in report.problem


def test_a_deleted_entry_is_named(store):
    _append(store, 5)
    with store.sessions.begin() as session:
        session.execute(delete(AuditEntry).where(AuditEntry.seq == 2))
    with store.sessions() as session:
        report = verify_chain(session)
    assert (report.ok, report.first_bad_seq) == (False, 2)


def test_a_deleted_last_entry_is_found_through_the_head(store):
    _append(store, 4)
    with store.sessions.begin() as session:
        session.execute(delete(AuditEntry).where(AuditEntry.seq == 4))
    with store.sessions() as session:
        report = verify_chain(session)
    assert (report.ok, report.first_bad_seq) == (False, 4)


def test_a_rolled_back_change_leaves_no_entry(store):
    try:
        with store.sessions.begin() as session:
            append_entry(session, actor=ACTOR, action="score")
            raise RuntimeError("crash before commit")
    except RuntimeError:
        pass
    with store.sessions() as session:
        assert session.execute(select(AuditEntry)).first() is None
        assert verify_chain(session).ok


def test_concurrent_writers_make_one_chain(store):
    def writer(w: int) -> None:
        for i in range(10):
            with store.sessions.begin() as session:
                append_entry(session, actor=ACTOR, action="score", details={"w": w, "i": i})

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with store.sessions() as session:
        report = verify_chain(session)
    assert report.ok
    assert report.entries == 40
