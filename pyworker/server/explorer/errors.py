"""Errors of the explorer's API; each becomes a JSON ``{"error": message}`` answer with its status."""

from __future__ import annotations

__all__ = ["BadRequest", "ExplorerError", "NotFound"]


class ExplorerError(Exception):
    """A request the explorer cannot answer; ``status`` is the HTTP status to answer with."""

    status = 500


class NotFound(ExplorerError):
    """No such binding, object or key."""

    status = 404


class BadRequest(ExplorerError):
    """The request is malformed, or the query is refused or fails."""

    status = 400
