"""The schema the migrations build, as `community-bot db upgrade` leaves it on the embedded SQLite."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from storage import db


def test_one_person_holds_a_role_once_after_the_migrations(tmp_path: Path) -> None:
    # SQLite's table rebuilds for altered columns once dropped this uniqueness (0010 restores it)
    path = tmp_path / "upgraded.sqlite3"
    asyncio.run(db.upgrade(f"sqlite://{path}"))
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO community (code, name, district, phone, kind, office, hours,"
            " verify_household_votes, verify_owner_votes, verify_wishes, created_at)"
            " VALUES ('c', 'C', '', '', 'urban', '', '', 1, 1, 0, '2026-11-30')"
        )
        conn.execute("INSERT INTO person (name, following, created_at) VALUES ('p', 1, '2026-11-30')")
        insert = (
            "INSERT INTO role (person_id, community_id, role, granted_at)"
            " VALUES (1, 1, 'committee', '2026-11-30')"
        )
        conn.execute(insert)
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute(insert)
