"""Response helpers shared by the example app's modules.

The playground answers compact JSON (``{"a":1}``, as JavaScript's ``JSON.stringify`` writes it), so
these helpers do the same; ``Response.json`` would add spaces after ``:`` and ``,``.
"""

import json

from workers import Response


def compact_json(data, status=200, content_type="application/json"):
    """A JSON response with no whitespace, non-ASCII characters kept as they are."""
    body = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return Response(body, status=status, headers={"content-type": content_type})


def text(body, status=200, content_type="text/plain;charset=UTF-8"):
    """A plain-text response."""
    return Response(body, status=status, headers={"content-type": content_type})
