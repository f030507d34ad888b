"""``apply_pending_migrations``: migrations applied to real state files, once each, in order."""

from __future__ import annotations

import shutil
import sqlite3
import textwrap
from contextlib import closing
from pathlib import Path

import pytest

from pyworker.config import LoadedConfig, load_config
from pyworker.config.apply import apply_pending_migrations
from pyworker.config.ledger import Ledger
from pyworker.errors import MigrationError
from pyworker.runtime.ids import IdFactory
from pyworker.storage import codec

WRANGLER_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "wrangler"
FIXTURE_WORKER = "do-playground-worker"

HEADER = """\
name = "{name}"
main = "src/entry.py"
compatibility_date = "2025-11-01"
compatibility_flags = ["python_workers"]
"""


class Project:
    """A project folder: ``wrangler.toml``, a ``main`` exporting ``classes``, and its state."""

    def __init__(self, root: Path, name: str = "app") -> None:
        self.root = root
        self.name = name
        self.state = root / "state"

    def write(self, migrations: str, classes: list[str], bindings: dict[str, str] | None = None) -> LoadedConfig:
        blocks = [HEADER.format(name=self.name), textwrap.dedent(migrations)]
        for binding, class_name in (bindings or {}).items():
            blocks.append(f'[[durable_objects.bindings]]\nname = "{binding}"\nclass_name = "{class_name}"\n')
        (self.root / "wrangler.toml").write_text("\n".join(blocks))
        main = self.root / "src" / "entry.py"
        main.parent.mkdir(parents=True, exist_ok=True)
        main.write_text("".join(f"class {name}:\n    pass\n" for name in classes))
        return load_config(self.root)

    def apply(self, loaded: LoadedConfig) -> list[str]:
        return apply_pending_migrations(loaded, self.state)

    def directory(self, class_name: str, worker: str | None = None) -> Path:
        return self.state / "v3" / "do" / f"{worker or self.name}-{class_name}"

    def put(self, class_name: str, object_id: str, values: dict[str, object], *, name: str | None = None) -> None:
        """Store ``values`` in an object's file (see :func:`write_object`)."""
        write_object(self.directory(class_name) / f"{object_id}.sqlite", values, name=name)

    def ids(self, class_name: str, worker: str | None = None) -> list[str]:
        directory = self.directory(class_name, worker)
        return sorted(p.stem for p in directory.glob("*.sqlite") if p.name != "metadata.sqlite")


def write_object(path: Path, values: dict[str, object], *, name: str | None = None) -> None:
    """An object's file in workerd's layout: ``_cf_KV`` with V8-encoded values, in WAL mode; with
    ``name``, the name in ``__miniflare_do_name`` as wrangler ≥ 4.86 records it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE _cf_KV (key TEXT PRIMARY KEY, value BLOB) WITHOUT ROWID")
        db.executemany("INSERT INTO _cf_KV VALUES (?, ?)", [(k, codec.encode(v)) for k, v in values.items()])
        if name is not None:
            db.execute("CREATE TABLE __miniflare_do_name (id INTEGER PRIMARY KEY, name TEXT)")
            db.execute("INSERT INTO __miniflare_do_name VALUES (1, ?)", (name,))


def rows(path: Path) -> dict[str, bytes]:
    """The ``_cf_KV`` rows of an object's file, values as stored."""
    with closing(sqlite3.connect(path)) as db:
        return dict(db.execute("SELECT key, value FROM _cf_KV"))


def read(path: Path) -> dict[str, object]:
    """The decoded ``_cf_KV`` rows of an object's file."""
    return {key: codec.decode(value) for key, value in rows(path).items()}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.chdir(tmp_path)  # messages show the config as "wrangler.toml"
    return Project(tmp_path)


V1 = """
[[migrations]]
tag = "v1"
new_sqlite_classes = ["Counter"]
"""

V2_RENAME = V1 + """
[[migrations]]
tag = "v2"
renamed_classes = [{ from = "Counter", to = "Tally" }]
"""


def test_apply_records_new_classes_without_touching_state(project: Project) -> None:
    lines = project.apply(project.write(V1, ["Counter"], {"COUNTER": "Counter"}))
    assert lines == ["Applied migration v1: created Counter (SQLite)"]
    assert [e.tag for e in Ledger(project.state).applied("app")] == ["v1"]
    assert not project.directory("Counter").exists()


def test_apply_each_migration_once(project: Project) -> None:
    loaded = project.write(V1, ["Counter"])
    assert project.apply(loaded) != []
    assert project.apply(loaded) == []
    assert len(Ledger(project.state).applied("app")) == 1


def test_apply_rename_moves_named_objects_to_their_new_ids(project: Project) -> None:
    project.apply(project.write(V1, ["Counter"], {"COUNTER": "Counter"}))
    old = IdFactory("app-Counter")
    project.put("Counter", str(old.from_name("global")), {"n": 41}, name="global")
    project.put("Counter", str(old.from_name("other")), {"n": 2}, name="other")

    lines = project.apply(project.write(V2_RENAME, ["Tally"], {"COUNTER": "Tally"}))

    assert lines == ["Applied migration v2: renamed Counter → Tally (2 objects moved)"]
    new = IdFactory("app-Tally")
    assert project.ids("Tally") == sorted([str(new.from_name("global")), str(new.from_name("other"))])
    assert read(project.directory("Tally") / f"{new.from_name('global')}.sqlite") == {"n": 41}
    assert not project.directory("Counter").exists()
    (entry,) = Ledger(project.state).applied("app")[1:]
    assert entry.moved_ids == {
        f"app-Counter/{old.from_name(name)}": f"app-Tally/{new.from_name(name)}" for name in ("global", "other")
    }


def test_apply_rename_rekeys_objects_without_a_stored_name(project: Project) -> None:
    project.apply(project.write(V1, ["Counter"]))
    unique = str(IdFactory("app-Counter").unique())
    project.put("Counter", unique, {"kind": "unique"})

    lines = project.apply(project.write(V2_RENAME, ["Tally"]))

    assert "1 object moved; 1 without a stored name got a new id" in lines[0]
    (moved,) = project.ids("Tally")
    assert moved[:32] == unique[:32] and moved != unique
    assert str(IdFactory("app-Tally").from_string(moved)) == moved  # valid in the new namespace
    with pytest.raises(TypeError, match="not valid for this namespace"):
        IdFactory("app-Tally").from_string(unique)
    assert Ledger(project.state).applied("app")[1].moved_ids == {f"app-Counter/{unique}": f"app-Tally/{moved}"}
    assert read(project.directory("Tally") / f"{moved}.sqlite") == {"kind": "unique"}


def test_apply_rename_back_restores_the_old_ids(project: Project) -> None:
    project.apply(project.write(V1, ["Counter"]))
    unique = str(IdFactory("app-Counter").unique())
    project.put("Counter", unique, {"n": 1})
    project.apply(project.write(V2_RENAME, ["Tally"]))
    back = V2_RENAME + '\n[[migrations]]\ntag = "v3"\nrenamed_classes = [{ from = "Tally", to = "Counter" }]\n'
    project.apply(project.write(back, ["Counter"]))
    assert project.ids("Counter") == [unique]


def test_apply_rename_of_wrangler_4_86_state_keeps_names(project: Project, tmp_path: Path) -> None:
    shutil.copytree(WRANGLER_FIXTURES / "state", project.state)
    project.name = FIXTURE_WORKER
    v1 = '[[migrations]]\ntag = "v1"\nnew_sqlite_classes = ["Counter", "Store"]\n'
    project.state.joinpath("v3/do/pyworker-migrations.json").unlink(missing_ok=True)
    project.apply(project.write(v1, ["Counter", "Store"]))
    special = "1f6c97ac9d6033893e0617f98eda9626f174e1ce5d3e6aa6651db31208be1804"  # idFromName("special")
    before = rows(project.directory("Store") / f"{special}.sqlite")
    rename = v1 + '\n[[migrations]]\ntag = "v2"\nrenamed_classes = [{ from = "Store", to = "Vault" }]\n'

    lines = project.apply(project.write(rename, ["Counter", "Vault"]))

    assert lines == ["Applied migration v2: renamed Store → Vault (8 objects moved)"]
    vault = IdFactory(f"{FIXTURE_WORKER}-Vault")
    names = ["global-counter", "a", "", "héllo", "x" * 100, "special", "alarm", "sql"]
    assert project.ids("Vault") == sorted(str(vault.from_name(name)) for name in names)
    assert rows(project.directory("Vault") / f"{vault.from_name('special')}.sqlite") == before
    with closing(sqlite3.connect(project.directory("Vault") / f"{vault.from_name('sql')}.sqlite")) as db:
        assert db.execute("SELECT label FROM items ORDER BY id").fetchall() == [("first",), ("héllo",)]
    with closing(sqlite3.connect(project.directory("Vault") / "metadata.sqlite")) as db:  # workerd's alarm index
        assert db.execute("SELECT * FROM _cf_ALARM").fetchall() == [(str(vault.from_name("alarm")), 4102444800000000000)]
    assert not project.directory("Store").exists()
    assert project.ids("Counter") == ["5c1aa0294188a33f178a7d29827d96ff88313094497873c65b9b0985a578e2ed"]


def test_apply_rename_of_wrangler_4_47_state_rekeys_every_object(project: Project) -> None:
    shutil.copytree(WRANGLER_FIXTURES / "v4.47.0" / "state", project.state)
    project.name = FIXTURE_WORKER
    rename = V1 + '\n[[migrations]]\ntag = "v2"\nrenamed_classes = [{ from = "Counter", to = "Tally" }]\n'

    lines = project.apply(project.write(rename, ["Tally"]))

    assert lines[1] == (
        "Applied migration v2: renamed Counter → Tally (1 object moved; 1 without a stored name got a new id "
        "(old → new ids in the migrations ledger))"
    )
    (moved,) = project.ids("Tally")
    assert moved.startswith("5c1aa0294188a33f178a7d29827d96ff")
    assert read(project.directory("Tally") / f"{moved}.sqlite") == {"counter": 3}


def test_apply_delete_removes_the_class_directory(project: Project) -> None:
    migrations = V1 + '\n[[migrations]]\ntag = "v2"\nnew_classes = ["Old"]\n'
    project.apply(project.write(migrations, ["Counter", "Old"]))
    for name in ("a", "b", "c"):
        project.put("Old", str(IdFactory("app-Old").from_name(name)), {"x": name})
    project.put("Counter", str(IdFactory("app-Counter").from_name("keep")), {"n": 1})

    lines = project.apply(project.write(migrations + '\n[[migrations]]\ntag = "v3"\ndeleted_classes = ["Old"]\n', ["Counter"]))

    assert lines == ["Applied migration v3: deleted Old (3 objects deleted)"]
    assert not project.directory("Old").exists()
    assert len(project.ids("Counter")) == 1


def test_apply_transfer_takes_objects_from_another_workers_state(project: Project) -> None:
    source = IdFactory("chat-Room")
    write_object(project.directory("Room", worker="chat") / f"{source.from_name('lobby')}.sqlite",
                 {"messages": ["hi"]}, name="lobby")
    transfer = '[[migrations]]\ntag = "v1"\ntransferred_classes = [{ from = "Room", from_script = "chat", to = "Lobby" }]\n'

    lines = project.apply(project.write(transfer, ["Lobby"], {"LOBBY": "Lobby"}))

    assert lines == ["Applied migration v1: transferred Room from chat → Lobby (1 object moved)"]
    new_id = IdFactory("app-Lobby").from_name("lobby")
    assert read(project.directory("Lobby") / f"{new_id}.sqlite") == {"messages": ["hi"]}
    assert not project.directory("Room", worker="chat").exists()


def test_apply_transfer_from_missing_state_moves_nothing(project: Project) -> None:
    transfer = '[[migrations]]\ntag = "v1"\ntransferred_classes = [{ from = "Room", from_script = "chat", to = "Lobby" }]\n'
    lines = project.apply(project.write(transfer, ["Lobby"]))
    assert lines == ["Applied migration v1: transferred Room from chat → Lobby (0 objects moved)"]


def test_apply_rename_leaves_objects_whose_id_is_taken(project: Project) -> None:
    project.apply(project.write(V1, ["Counter"]))
    project.put("Counter", str(IdFactory("app-Counter").from_name("g")), {"n": "old"}, name="g")
    project.put("Tally", str(IdFactory("app-Tally").from_name("g")), {"n": "newer"}, name="g")

    lines = project.apply(project.write(V2_RENAME, ["Tally"]))

    assert lines == [
        "Applied migration v2: renamed Counter → Tally (0 objects moved; 1 object left behind: the same id "
        "already exists at the destination)"
    ]
    assert read(project.directory("Tally") / f"{IdFactory('app-Tally').from_name('g')}.sqlite") == {"n": "newer"}
    assert project.directory("Counter").exists()


def test_apply_applies_pending_migrations_in_order(project: Project) -> None:
    history = V2_RENAME + '\n[[migrations]]\ntag = "v3"\ndeleted_classes = ["Tally"]\nnew_sqlite_classes = ["Game"]\n'
    lines = project.apply(project.write(history, ["Game"]))
    assert lines == [
        "Applied migration v1: created Counter (SQLite)",
        "Applied migration v2: renamed Counter → Tally (0 objects moved)",
        "Applied migration v3: deleted Tally (0 objects deleted); created Game (SQLite)",
    ]


def test_apply_refuses_broken_rules_with_every_violation_and_changes_nothing(project: Project) -> None:
    project.apply(project.write(V1, ["Counter"]))
    project.put("Counter", str(IdFactory("app-Counter").from_name("g")), {"n": 1}, name="g")
    edited = V1.replace("new_sqlite_classes", "new_classes") + """
[[migrations]]
tag = "v2"
renamed_classes = [{ from = "Counter", to = "Tally" }]
new_classes = ["Spare"]

[[migrations]]
tag = "v3"
renamed_classes = [{ from = "Tally", to = "Spare" }]
"""
    loaded = project.write(edited, ["Tally", "Spare"], {"COUNTER": "Counter"})

    with pytest.raises(MigrationError) as caught:
        project.apply(loaded)

    message = str(caught.value)
    assert message.startswith("3 problems with the Durable Object migrations and bindings of ")
    assert 'wrangler.toml:7: [[migrations]] tag "v1": Migration "v1" was changed after it was applied' in message
    assert 'wrangler.toml:18: [[migrations]] tag "v3", class "Spare": Cannot rename Tally → Spare' in message
    assert 'wrangler.toml:22: [[durable_objects.bindings]] COUNTER, class "Counter": Cannot create binding' in message
    assert message.count("  Fix: ") == 3
    assert [e.tag for e in Ledger(project.state).applied("app")] == ["v1"]
    assert project.ids("Counter") == [str(IdFactory("app-Counter").from_name("g"))]


def test_apply_checks_classes_exported_by_main(project: Project) -> None:
    with pytest.raises(MigrationError, match="does not export class 'Counter'"):
        project.apply(project.write(V1, ["Other"]))


def test_apply_environments_have_their_own_ledger_entries(project: Project) -> None:
    text = HEADER.format(name="app") + V1 + '\n[env.staging]\n'
    (project.root / "wrangler.toml").write_text(text)
    (project.root / "src").mkdir()
    (project.root / "src" / "entry.py").write_text("class Counter:\n    pass\n")
    project.apply(load_config(project.root))
    project.apply(load_config(project.root, env="staging"))
    ledger = Ledger(project.state)
    assert [e.tag for e in ledger.applied("app")] == ["v1"]
    assert [e.tag for e in ledger.applied("app-staging")] == ["v1"]
