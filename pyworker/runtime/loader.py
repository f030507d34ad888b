"""Importing the worker's ``main`` module, as Cloudflare does: its folder on ``sys.path``, siblings
imported by bare name, ``import workers`` answered by pyworker's API.

Failures become one ``WorkerImportError`` naming the file, the line and the fix; an error inside user
code keeps the user's traceback (without pyworker's frames).
"""

from __future__ import annotations

import difflib
import importlib
import importlib.util
import py_compile
import sys
import traceback
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

from pyworker import api
from pyworker.errors import WorkerImportError
from pyworker.runtime.durable_object import DurableObject
from pyworker.runtime.entrypoint import WorkerEntrypoint

__all__ = ["load_module", "find_entrypoint", "find_object_class"]


class _Imported:
    """What the last load added to the interpreter, so the next load starts clean."""

    folder: str | None = None
    module_names: set[str] = set()


def load_module(main_path: Path) -> ModuleType:
    """Import ``main_path`` afresh: modules of the previous load are forgotten first."""
    main_path = main_path.resolve()
    if not main_path.is_file():
        raise WorkerImportError(
            f'The entry-point file at "{main_path}" was not found. '
            'Check "main" in your wrangler configuration.'
        )
    folder = str(main_path.parent)
    sys.modules["workers"] = api
    for name in _Imported.module_names | {main_path.stem}:
        sys.modules.pop(name, None)
    if _Imported.folder in sys.path:
        sys.path.remove(_Imported.folder)
    if folder in sys.path:
        sys.path.remove(folder)
    sys.path.insert(0, folder)
    _Imported.folder = folder
    importlib.invalidate_caches()
    before = set(sys.modules)
    # Python's own bytecode caches are keyed by the source's mtime in whole seconds and its size: after
    # two saves within one second a reload could import the first save's code. So Python writes none
    # for user code; ``_cache_bytecode`` writes caches checked against a hash of the source instead.
    writes_bytecode, sys.dont_write_bytecode = sys.dont_write_bytecode, True
    try:
        module = importlib.import_module(main_path.stem)
    except SyntaxError as error:
        raise WorkerImportError(_describe_syntax_error(error)) from None
    except Exception as error:
        raise WorkerImportError(_describe_import_error(error, main_path)) from None
    finally:
        sys.dont_write_bytecode = writes_bytecode
        _Imported.module_names = {
            name for name in set(sys.modules) - before
            if (getattr(sys.modules[name], "__file__", None) or "").startswith(folder + "/")
        }
    if not writes_bytecode:
        _cache_bytecode(sys.modules[name].__file__ for name in _Imported.module_names)
    return module


def _cache_bytecode(sources: Iterable[str]) -> None:
    """Write a bytecode cache validated by the source's hash for each of ``sources`` whose cache is
    missing, stale or timestamp-based: the next start imports them without compiling."""
    for source in sources:
        cache = importlib.util.cache_from_source(source)
        try:
            header = Path(cache).read_bytes()[:16]
        except OSError:
            header = b""
        try:
            fresh = header[4:8] == b"\x03\x00\x00\x00" and header[8:16] == importlib.util.source_hash(
                Path(source).read_bytes()
            )
            if not fresh:
                py_compile.compile(source, cache, invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH, doraise=True)
        except (OSError, py_compile.PyCompileError):
            continue  # a read-only folder, say: the module is compiled at each start, as before


def _describe_syntax_error(error: SyntaxError) -> str:
    where = f"{error.filename}:{error.lineno}" if error.lineno else str(error.filename)
    lines = [f"{where}: SyntaxError: {error.msg}"]
    if error.text:
        lines.append("    " + error.text.rstrip())
        if error.offset:
            lines.append("    " + " " * (error.offset - 1) + "^")
    lines.append("Fix the syntax error and save the file.")
    return "\n".join(lines)


def _describe_import_error(error: Exception, main_path: Path) -> str:
    frames = [f for f in traceback.extract_tb(error.__traceback__) if "importlib" not in f.filename]
    user_frames = [f for f in frames if not f.filename.startswith(str(Path(api.__file__).parent))]
    last = user_frames[-1] if user_frames else None
    where = f"{last.filename}:{last.lineno}" if last else str(main_path)
    stack = "".join(traceback.format_list(user_frames))
    return (
        f"{where}: {type(error).__name__} while importing {main_path.name}: {error}\n"
        f"Traceback (most recent call last):\n{stack}"
        "Fix the error in your worker code and save the file."
    ).rstrip()


def find_entrypoint(module: ModuleType) -> type[WorkerEntrypoint] | object:
    """The default export: ``class Default(WorkerEntrypoint)``, or a module-level ``on_fetch``."""
    default = getattr(module, "Default", None)
    if isinstance(default, type) and issubclass(default, WorkerEntrypoint):
        return default
    on_fetch = getattr(module, "on_fetch", None)
    if callable(on_fetch):
        return on_fetch
    raise WorkerImportError(
        f"{module.__file__}: no fetch handler found. Define `class Default(WorkerEntrypoint)` with "
        "`async def fetch(self, request)` (from workers import WorkerEntrypoint)."
    )


def find_object_class(module: ModuleType, class_name: str, binding: str) -> type[DurableObject]:
    """The Durable Object class a binding names; it must be exported by ``main``, as on Cloudflare."""
    cls = getattr(module, class_name, None)
    if isinstance(cls, type) and issubclass(cls, DurableObject):
        return cls
    where = f"[[durable_objects.bindings]] {binding}"
    if cls is None:
        exported = [n for n, v in vars(module).items() if isinstance(v, type) and issubclass(v, DurableObject)]
        close = difflib.get_close_matches(class_name, exported, n=1)
        hint = f' (did you mean "{close[0]}"?)' if close else ""
        raise WorkerImportError(
            f'{where}: class "{class_name}" is not exported by {module.__file__}{hint}. '
            f"Define it there, or import it there (from <module> import {class_name})."
        )
    raise WorkerImportError(
        f'{where}: "{class_name}" in {module.__file__} does not extend DurableObject. '
        f"Declare it as `class {class_name}(DurableObject)` (from workers import DurableObject)."
    )
