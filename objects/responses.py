"""Response helpers shared by the example app's modules.

The playground answers compact JSON as JavaScript's ``JSON.stringify`` writes it (``{"a":1}``,
``1.0`` as ``1``, integer-like keys first), so these helpers do the same; ``Response.json`` would add
spaces after ``:`` and ``,``.
"""

from workers import Response

from javascript import to_json


def compact_json(data, status=200, content_type="application/json", headers=None):
    """A JSON response with no whitespace, non-ASCII characters kept as they are."""
    return Response(to_json(data), status=status, headers={"content-type": content_type, **(headers or {})})


def text(body, status=200, content_type="text/plain;charset=UTF-8"):
    """A plain-text response."""
    return Response(body, status=status, headers={"content-type": content_type})


def pattern_not_found():
    """The 404 of the pattern objects for a path they do not serve; ``GET /patterns`` lists their routes."""
    return compact_json({"error": "Not found", "routes": "GET /patterns"}, status=404)
