"""Web streams as Python Workers code meets them through ``js``: ``ReadableStream``, readers,
``TextEncoder`` / ``TextDecoder`` and ``Uint8Array`` chunks.

A stream is driven by its underlying source (``start``, ``pull``, ``cancel``), exactly as in
JavaScript: ``ReadableStream.new(to_js({"start": start, "cancel": cancel}, dict_converter=Object.fromEntries))``.
Cancelling a reader calls the source's ``cancel``, so a consumer that stops reading stops the producer.
"""

from __future__ import annotations

import asyncio
import codecs
import inspect
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

__all__ = ["ReadableStream", "ReadResult", "TextDecoder", "TextEncoder", "Uint8Array"]

_CLOSED = "Invalid state: Controller is already closed"


class Uint8Array(bytes):
    """A chunk of bytes, as JavaScript's ``Uint8Array`` reaches Python (``to_py()``, ``to_bytes()``)."""

    def to_py(self) -> memoryview:
        """The bytes as a ``memoryview``, as Pyodide converts a typed array."""
        return memoryview(self)

    def to_bytes(self) -> bytes:
        """The bytes as ``bytes``."""
        return bytes(self)


class ReadResult:
    """What ``await reader.read()`` gives: ``.done`` and ``.value``."""

    __slots__ = ("done", "value")

    def __init__(self, done: bool, value: Any = None) -> None:
        self.done = done
        self.value = value

    def __repr__(self) -> str:
        return f"ReadResult(done={self.done}, value={self.value!r})"


def _member(source: Any, name: str) -> Any:
    if source is None:
        return None
    if isinstance(source, dict):
        return source.get(name)
    return getattr(source, name, None)


async def _maybe_await(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


class ReadableStreamDefaultController:
    """The controller a source gets: ``enqueue(chunk)``, ``close()``, ``error(e)``."""

    def __init__(self, stream: ReadableStream) -> None:
        self._stream = stream

    @property
    def desiredSize(self) -> int:  # noqa: N802 - JavaScript API name
        """1 while nothing is queued, so a source knows when to produce."""
        return 0 if self._stream._chunks else 1

    def enqueue(self, chunk: Any) -> None:
        """Queue ``chunk`` for the reader."""
        stream = self._stream
        if stream._state != "readable" or stream._close_requested:
            raise TypeError(_CLOSED)
        stream._chunks.append(chunk)
        stream._wake()

    def close(self) -> None:
        """End the stream once queued chunks are read."""
        stream = self._stream
        if stream._state != "readable" or stream._close_requested:
            raise TypeError(_CLOSED)
        stream._close_requested = True
        stream._wake()

    def error(self, error: BaseException) -> None:
        """Fail the stream: the next read raises ``error``."""
        stream = self._stream
        if stream._state == "readable":
            stream._state, stream._error = "errored", error
            stream._chunks.clear()
            stream._wake()


class ReadableStream:
    """A readable byte or value stream fed by an underlying source."""

    def __init__(self, source: Any = None) -> None:
        self._source = source
        self._controller = ReadableStreamDefaultController(self)
        self._chunks: deque[Any] = deque()
        self._state = "readable"
        self._close_requested = False
        self._error: BaseException | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._locked = False
        self._started = asyncio.ensure_future(self._start())

    @classmethod
    def new(cls, source: Any = None) -> ReadableStream:
        """``ReadableStream.new(source)``, the Pyodide spelling of ``new ReadableStream(source)``."""
        return cls(source)

    @classmethod
    def from_chunks(cls, chunks: list[bytes]) -> ReadableStream:
        """A stream that yields ``chunks`` and ends (a buffered body seen as a stream)."""
        stream = cls()
        for chunk in chunks:
            stream._chunks.append(Uint8Array(chunk))
        stream._close_requested = True
        return stream

    async def _start(self) -> None:
        start = _member(self._source, "start")
        try:
            if start is not None:
                await _maybe_await(start(self._controller))
        except Exception as error:  # a failing start() errors the stream
            self._controller.error(error)

    @property
    def locked(self) -> bool:
        """True once a reader was taken."""
        return self._locked

    def getReader(self) -> ReadableStreamDefaultReader:  # noqa: N802
        """Lock the stream to a new reader."""
        if self._locked:
            raise TypeError("ReadableStream is locked to a reader")
        self._locked = True
        return ReadableStreamDefaultReader(self)

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def _read(self) -> ReadResult:
        await self._started
        while True:
            if self._state == "errored":
                raise self._error  # type: ignore[misc]
            if self._chunks:
                return ReadResult(False, self._chunks.popleft())
            if self._close_requested or self._state == "closed":
                self._state = "closed"
                return ReadResult(True)
            pull = _member(self._source, "pull")
            if pull is not None:
                await _maybe_await(pull(self._controller))
                if self._chunks or self._close_requested or self._state != "readable":
                    continue
            self._waiter = asyncio.get_running_loop().create_future()
            await self._waiter

    async def _cancel(self, reason: Any) -> None:
        if self._state != "readable":
            return
        self._state = "closed"
        self._chunks.clear()
        self._wake()
        cancel = _member(self._source, "cancel")
        if cancel is not None:
            await _maybe_await(cancel(reason))

    def cancel(self, reason: Any = None) -> asyncio.Future[None]:
        """Stop the stream; the source's ``cancel(reason)`` runs."""
        return asyncio.ensure_future(self._cancel(reason))

    async def chunks(self) -> AsyncIterator[bytes]:
        """Every chunk as bytes (for the server and ``await response.bytes()``)."""
        reader = self.getReader()
        while True:
            result = await reader.read()
            if result.done:
                return
            yield _as_bytes(result.value)


class ReadableStreamDefaultReader:
    """``stream.getReader()``: ``await reader.read()``, ``await reader.cancel()``."""

    def __init__(self, stream: ReadableStream) -> None:
        self._stream = stream

    def read(self) -> asyncio.Future[ReadResult]:
        """The next chunk: ``ReadResult(done=False, value=chunk)``, then ``done=True``."""
        return asyncio.ensure_future(self._stream._read())

    def cancel(self, reason: Any = None) -> asyncio.Future[None]:
        """Cancel the stream (the producer is told through its ``cancel``)."""
        return self._stream.cancel(reason)

    def releaseLock(self) -> None:  # noqa: N802
        """Let another reader take the stream."""
        self._stream._locked = False


def _as_bytes(chunk: Any) -> bytes:
    if isinstance(chunk, str):
        return chunk.encode()
    if isinstance(chunk, (bytes, bytearray, memoryview)):
        return bytes(chunk)
    to_bytes = getattr(chunk, "to_bytes", None)
    if to_bytes is not None:
        return to_bytes()
    raise TypeError(f"stream chunks must be bytes or Uint8Array, got {type(chunk).__name__}")


class TextEncoder:
    """``TextEncoder.new().encode(text)`` → ``Uint8Array`` of UTF-8."""

    encoding = "utf-8"

    @classmethod
    def new(cls) -> TextEncoder:
        return cls()

    def encode(self, text: str = "") -> Uint8Array:
        return Uint8Array(text.encode())


class TextDecoder:
    """``TextDecoder.new().decode(chunk, {"stream": True})`` → str (UTF-8, split characters kept)."""

    def __init__(self, encoding: str = "utf-8") -> None:
        self.encoding = encoding
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="replace")

    @classmethod
    def new(cls, encoding: str = "utf-8") -> TextDecoder:
        return cls(encoding)

    def decode(self, chunk: Any = b"", options: Any = None) -> str:
        stream = bool(_member(options, "stream"))
        return self._decoder.decode(_as_bytes(chunk) if chunk is not None else b"", final=not stream)
