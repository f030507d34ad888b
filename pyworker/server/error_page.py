"""The 500 answer for an uncaught exception, chosen as ``wrangler dev`` chooses it.

Browsers (an ``Accept`` of ``text/html``, ``text/*`` or ``*/*`` and a User-Agent that is not curl)
get a readable HTML page, like wrangler's pretty error page: the error, the request (method, URL,
headers), and the traceback with the source lines around each frame of the user's code (frames of
pyworker, the standard library and installed packages are folded away); chained exceptions follow
their cause. Everything else gets plain text whose first line is ``<ErrorName>: <message>``,
followed by the traceback.
"""

from __future__ import annotations

import html
import linecache
import sysconfig
import traceback
from collections.abc import Iterator, Mapping
from pathlib import Path

from aiohttp import web
from multidict import CIMultiDictProxy

import pyworker
from pyworker.runtime.ffi import JsException

__all__ = ["error_response"]

CONTEXT_LINES = 4
"""Source lines shown before and after the failing line of a user frame."""

_PYWORKER = Path(pyworker.__file__).resolve().parent
_LIBRARY_ROOTS = tuple(
    {
        _PYWORKER,
        *(_PYWORKER.parent / shim for shim in ("workers", "js", "pyodide")),
        *(Path(sysconfig.get_path(name)).resolve() for name in ("stdlib", "platstdlib", "purelib", "platlib")),
    }
)

_CAUSE = "The above exception was the direct cause of the following exception:"
_CONTEXT = "During handling of the above exception, another exception occurred:"

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d1d1f;background:#fafafa}
header{background:#fff;border-bottom:3px solid #f38020;padding:1.5rem 2rem}
header .kind{color:#b42318;font-weight:700;font-size:.95rem}
header h1{font-size:1.5rem;margin:.3rem 0 0;word-break:break-word;white-space:pre-wrap}
main{padding:1rem 2rem 3rem}
h2{font-size:1.05rem;margin:1.6rem 0 .6rem}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px}
.request{background:#fff;border:1px solid #e2e2e2;border-radius:6px;padding:.8rem 1rem}
.request table{border-collapse:collapse;margin-top:.6rem}
.request td{padding:.15rem 1rem .15rem 0;vertical-align:top;word-break:break-all}
.request td:first-child{color:#6b6b6b;white-space:nowrap}
.frame{background:#fff;border:1px solid #e2e2e2;border-radius:6px;margin:.5rem 0;overflow:hidden}
.frame .where{padding:.5rem 1rem;background:#f4f4f5}
.frame .where b{font-family:ui-monospace,Menlo,Consolas,monospace}
.frame .file{color:#6b6b6b}
.frame pre{margin:0;padding:.4rem 0;overflow:auto}
.frame pre span{display:block;padding:0 1rem}
.frame pre .hit{background:#fde8e8;font-weight:600}
.frame pre .no{color:#9a9a9a;display:inline-block;min-width:3.5em;padding:0;user-select:none}
details.library summary{cursor:pointer;color:#6b6b6b;padding:.3rem 0}
.chain{margin:2rem 0 .5rem;color:#6b6b6b;font-style:italic}
pre.plain{background:#fff;border:1px solid #e2e2e2;border-radius:6px;padding:1rem;overflow:auto}
"""


def _wants_html(headers: CIMultiDictProxy[str]) -> bool:
    user_agent = headers.get("User-Agent", "").lower()
    accept = headers.get("Accept", "").lower()
    return "curl/" not in user_agent and any(t in accept for t in ("text/html", "*/*", "text/*"))


def _is_user_file(filename: str) -> bool:
    """True for files of the user's project (not pyworker's, the standard library's or a package's)."""
    if filename.startswith("<"):
        return False
    path = Path(filename).resolve()
    return not any(path.is_relative_to(root) for root in _LIBRARY_ROOTS)


def _chain(error: BaseException) -> list[tuple[BaseException, str | None]]:
    """The exceptions in the order Python prints them (root cause first), each with the sentence
    that leads to the next one (None for ``error`` itself)."""
    chain: list[tuple[BaseException, str | None]] = []
    current: BaseException | None = error
    link: str | None = None
    while current is not None and all(current is not seen for seen, _ in chain):
        chain.append((current, link))
        if current.__cause__ is not None:
            current, link = current.__cause__, _CAUSE
        elif current.__context__ is not None and not current.__suppress_context__:
            current, link = current.__context__, _CONTEXT
        else:
            current = None
    return chain[::-1]


def _source(filename: str, lineno: int) -> str:
    """The numbered lines around ``lineno``, the failing one marked."""
    first = max(1, lineno - CONTEXT_LINES)
    lines = []
    for number in range(first, lineno + CONTEXT_LINES + 1):
        text = linecache.getline(filename, number)
        if not text and number > lineno:
            break
        css = ' class="hit"' if number == lineno else ""
        lines.append(f'<span{css}><span class="no">{number}</span>{html.escape(text.rstrip())}</span>')
    return "".join(lines)


def _frames(error: BaseException) -> Iterator[str]:
    """One block per frame: user frames open with their source, library frames folded."""
    library: list[str] = []
    for frame in traceback.extract_tb(error.__traceback__):
        where = (
            f'<div class="where"><b>{html.escape(frame.name)}</b> '
            f'<span class="file">{html.escape(frame.filename)}:{frame.lineno}</span></div>'
        )
        if _is_user_file(frame.filename) and frame.lineno:
            if library:
                yield _folded(library)
                library = []
            yield f'<div class="frame user">{where}<pre>{_source(frame.filename, frame.lineno)}</pre></div>'
        else:
            line = f"<pre><span>{html.escape(frame.line or '')}</span></pre>" if frame.line else ""
            library.append(f'<div class="frame">{where}{line}</div>')
    if library:
        yield _folded(library)


def _folded(frames: list[str]) -> str:
    noun = "frame" if len(frames) == 1 else "frames"
    return f'<details class="library"><summary>{len(frames)} library {noun}</summary>{"".join(frames)}</details>'


def _request_block(method: str, url: str, headers: Mapping[str, str]) -> str:
    rows = "".join(f"<tr><td>{html.escape(name)}</td><td>{html.escape(value)}</td></tr>" for name, value in headers.items())
    return (
        f'<h2>Request</h2><div class="request"><code>{html.escape(method)} {html.escape(url)}</code>'
        f"<table>{rows}</table></div>"
    )


def _error_name(error: BaseException) -> str:
    """The name wrangler shows: a JavaScript error's own (``TypeError``, ``Error``), else the class name."""
    return error.name if isinstance(error, JsException) else type(error).__name__


def _page(error: BaseException, summary: str, stack: str, request: web.BaseRequest | None) -> str:
    parts = []
    for exc, link in _chain(error):
        parts.append(f"<h2>{html.escape(type(exc).__name__)}: {html.escape(str(exc))}</h2>")
        parts.extend(_frames(exc))
        if link:
            parts.append(f'<p class="chain">{html.escape(link)}</p>')
    request_html = _request_block(request.method, str(request.url), request.headers) if request is not None else ""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>An error has occurred</title>'
        f"<style>{_STYLE}</style></head><body>"
        f'<header><div class="kind">{html.escape(_error_name(error))}</div>'
        f"<h1>{html.escape(str(error) or summary)}</h1></header>"
        f"<main>{request_html}<h2>Traceback</h2>{''.join(parts)}"
        f'<details><summary>Plain traceback</summary><pre class="plain">{html.escape(stack)}</pre></details>'
        "</main></body></html>"
    )


def error_response(
    headers: CIMultiDictProxy[str], error: BaseException, request: web.BaseRequest | None = None
) -> web.Response:
    """A 500 response describing ``error``; the HTML page shows ``request`` when given."""
    summary = f"{_error_name(error)}: {error}"
    stack = "".join(traceback.format_exception(error))
    if _wants_html(headers):
        page = _page(error, summary, stack, request)
        return web.Response(status=500, text=page, content_type="text/html", charset="utf-8")
    body = summary + "\n" + "".join("    " + line for line in stack.splitlines(keepends=True))
    return web.Response(status=500, body=body.encode(), headers={"Content-Type": "text/plain;charset=UTF-8"})
