"""Hot reload for ``pyworker dev``: watch the worker's files, reload it when they change.

``Reloader`` owns the watching (``watchfiles.watch`` on a thread of its own: anyio's event loop
integration, which ``awatch`` needs, cost each start ~20 ms), the debouncing (watchfiles' own
``step``), what a change means (the config is read and validated again only when it changed) and
the log lines; the swap itself is one call, ``Worker.reload``. The listening socket is never
touched::

    [wrangler:info] Reloading: src/counter.py changed
    [wrangler:info] Reloaded in 12ms

Watched: ``main``'s folder with its subfolders, the config file, the ``.dev.vars`` files and
``migrations/``. Each folder is watched on its own (not recursively), so nothing is watched inside
``.wrangler/``, ``__pycache__`` or a ``.venv`` next to the config, and a file an editor replaces
(write a copy, rename it over) is still seen.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Self

from watchfiles import Change, DefaultFilter, watch
from watchfiles.main import FileChange

from pyworker.bindings.vars import secret_file_candidates
from pyworker.config import LoadedConfig
from pyworker.errors import PyworkerError
from pyworker.runtime.worker import Worker
from pyworker.server.banner import render_bindings

__all__ = ["WATCH_DEBOUNCE_MS", "WATCH_STEP_MS", "Reloader", "WatchTargets"]

log = logging.getLogger("pyworker")

WATCH_STEP_MS = 15
"""watchfiles' ``step``: a batch of changes is handled once no other file changed for this long,
so a burst of saves (an editor's "save all", a ``git checkout``) is one reload and a save is
served 15-30 ms later. (Saving the same file again does not extend the batch.)"""

WATCH_DEBOUNCE_MS = 300
"""A batch is handled after this long even if files keep changing."""


class _IgnoredFilter(DefaultFilter):
    """watchfiles' default ignores, plus local state and more editors' temporary files."""

    ignore_dirs = (*DefaultFilter.ignore_dirs, ".wrangler")
    ignore_entity_patterns = (
        *DefaultFilter.ignore_entity_patterns,
        r"^4913$",  # vim checks that it may write the folder
        r"^#.*#$",  # emacs auto-save
        r"\.kate-swp$",
        r"^\.goutputstream-",  # gedit
    )


_IGNORED = _IgnoredFilter()

_STILL_SERVING = "Still serving the previous version; save a fix to reload."


@dataclass(frozen=True)
class WatchTargets:
    """What to watch for one version of the worker.

    Attributes:
        trees: folders whose files all count, subfolders included (``main``'s folder,
            ``migrations/``); they need not exist yet.
        files: single files that count (the config, ``.dev.vars``, ``.env``); they need not exist.
        directories: the existing folders to watch, each one non-recursively.
    """

    trees: frozenset[Path]
    files: frozenset[Path]
    directories: frozenset[Path]

    @classmethod
    def of(cls, loaded: LoadedConfig) -> WatchTargets:
        """The targets of a worker served with the config ``loaded``."""
        trees = frozenset({loaded.main_path.parent, loaded.root / "migrations"})
        dev_vars, dot_env = secret_file_candidates(loaded.root, loaded.env_name)
        files = {*dev_vars, *dot_env}
        if loaded.path is not None:
            files.add(loaded.path)
        directories = {d for tree in trees for d in _folders(tree)}
        directories |= {f.parent for f in files if f.parent.is_dir()}
        return cls(trees, frozenset(files), frozenset(directories))

    def __call__(self, change: Change, path: str) -> bool:
        """The watch filter: does a change of ``path`` count?"""
        changed = Path(path)
        if changed in self.files or changed in self.trees:
            return True
        return any(
            changed.is_relative_to(tree) and _IGNORED(change, str(changed.relative_to(tree))) for tree in self.trees
        )


def _folders(tree: Path) -> Iterator[Path]:
    """``tree`` and its subfolders, except ignored ones (nothing if it does not exist)."""
    for folder, subfolders, _ in os.walk(tree):
        subfolders[:] = [name for name in subfolders if _IGNORED(Change.added, name)]
        yield Path(folder)


class Reloader:
    """Reloads ``worker`` whenever its files change, while used as ``async with Reloader(...)``.

    ``load_config`` reads the config again (and shows its warnings); it is called only when the
    config file changed, and again on the next change until a reload with it succeeded.

    The watch runs on a thread (watchfiles' blocking ``watch``, which waits in Rust without the
    GIL); each batch of changes is handled on the event loop. ``watching()`` returns once the
    folders are registered: a file saved from then on is seen.
    """

    def __init__(self, worker: Worker, load_config: Callable[[], LoadedConfig]) -> None:
        self._worker = worker
        self._load_config = load_config
        self._config_changed = False
        self._bindings = worker.describe_bindings()
        self._started: asyncio.Future[None] | None = None
        self._control: _WatchControl | None = None
        self._thread: threading.Thread | None = None

    async def __aenter__(self) -> Self:
        """Start watching, on a thread of its own."""
        loop = asyncio.get_running_loop()
        self._started = loop.create_future()
        self._control = _WatchControl(self._started)
        self._thread = threading.Thread(target=self._watch, args=(loop, self._control), name="pyworker-reload", daemon=True)
        self._thread.start()
        return self

    async def watching(self) -> None:
        """Return once the watch runs (at most ``WATCH_STEP_MS`` after entering)."""
        assert self._started is not None, "use Reloader as `async with`"
        await asyncio.shield(self._started)

    async def __aexit__(self, *exc_info: object) -> None:
        """Stop watching (within one ``WATCH_STEP_MS``)."""
        if self._control is not None and self._thread is not None:
            self._control.stop()
            await asyncio.get_running_loop().run_in_executor(None, self._thread.join)

    def _watch(self, loop: asyncio.AbstractEventLoop, control: _WatchControl) -> None:
        """The watching thread: hands each batch to the loop; watches anew when asked to (``rewatch``)."""
        try:
            while not control.stop_requested:
                control.rewatching = False
                targets = WatchTargets.of(self._worker.loaded)
                batches = watch(
                    *targets.directories,
                    watch_filter=targets,
                    recursive=False,
                    step=WATCH_STEP_MS,
                    debounce=WATCH_DEBOUNCE_MS,
                    stop_event=control,
                    ignore_permission_denied=True,
                )
                try:
                    for changes in batches:
                        loop.call_soon_threadsafe(self._handle, changes, targets)
                except FileNotFoundError:
                    time.sleep(WATCH_STEP_MS / 1000)  # a folder went away as the watch started
                finally:
                    batches.close()
        except Exception:
            log.exception("File watching stopped (a bug in pyworker, please report it); restart to reload.")
        finally:
            control.announce()  # nobody waits for a watch that will not run

    def _handle(self, changes: set[FileChange], targets: WatchTargets) -> None:
        """Reload for ``changes`` (on the loop). If the worker's files are now others (a folder or
        file appeared or went away), the loop waits until they are watched: a save made once the new
        version answers is seen."""
        changed = _lasting(changes)
        if changed:
            self._reload(changed)
        if self._control is not None and WatchTargets.of(self._worker.loaded) != targets:
            self._control.rewatch()

    def _reload(self, changed: list[Path]) -> None:
        """Reload the worker because ``changed`` files changed; log what happened.

        If the new version cannot be loaded, the error is logged once and the previous version
        keeps serving.
        """
        started = time.perf_counter()
        root = self._worker.loaded.root
        log.info("Reloading: %s changed", _list_files(changed, root))
        self._config_changed |= self._worker.loaded.path in changed
        try:
            self._worker.reload(self._load_config() if self._config_changed else None)
        except PyworkerError as error:
            log.error("%s\n%s", error, _STILL_SERVING)
            return
        except Exception:
            log.exception("Reload failed (a bug in pyworker, please report it). %s", _STILL_SERVING)
            return
        self._config_changed = False
        bindings = self._worker.describe_bindings()
        if bindings != self._bindings:
            self._bindings = bindings
            print(render_bindings(bindings) or "Your Worker has no bindings.")
        log.info("Reloaded in %dms", round((time.perf_counter() - started) * 1000))


class _WatchControl:
    """What the watching thread and the loop share. watchfiles polls ``is_set`` (its ``stop_event``)
    on every step of a watch: the first poll resolves ``started`` (on its loop), since the folders
    are registered by then; ``stop`` ends the watching, ``rewatch`` only the current watch."""

    def __init__(self, started: asyncio.Future[None]) -> None:
        self._started: asyncio.Future[None] | None = started
        self._stop = threading.Event()
        self._polled = threading.Event()
        self.rewatching = False

    def is_set(self) -> bool:
        """watchfiles' poll (from inside its watch): should the watch end?"""
        self.announce()
        if not self.rewatching:
            self._polled.set()
        return self.stop_requested or self.rewatching

    @property
    def stop_requested(self) -> bool:
        """True once ``stop()`` was called."""
        return self._stop.is_set()

    def stop(self) -> None:
        """End the watching (within one step)."""
        self._stop.set()

    def rewatch(self) -> None:
        """End the current watch and block until the next one runs (at most a few steps)."""
        self.rewatching = True
        self._polled.clear()  # after: a poll in between already sees ``rewatching``
        self._polled.wait(timeout=2.0)

    def announce(self) -> None:
        """Resolve ``started``, once."""
        started, self._started = self._started, None
        if started is not None:
            started.get_loop().call_soon_threadsafe(_resolve, started)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _lasting(changes: set[FileChange]) -> list[Path]:
    """The changed files, without those created and removed again within the batch (an
    editor's or ``sed -i``'s temporary copy)."""
    passing = {path for change, path in changes if change == Change.added and not os.path.exists(path)}
    return sorted({Path(path) for _, path in changes if path not in passing})


def _list_files(paths: list[Path], root: Path) -> str:
    """``src/a.py``, ``src/a.py, wrangler.toml`` or ``src/a.py, src/b.py and 3 more``."""
    names = [os.path.relpath(path, root) for path in paths]
    if len(names) <= 3:
        return ", ".join(names)
    return f"{', '.join(names[:2])} and {len(names) - 2} more"
