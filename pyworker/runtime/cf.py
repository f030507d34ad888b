"""A local stand-in for ``request.cf``, the data Cloudflare's edge attaches to each request.

The defaults are the values ``wrangler dev`` uses offline (its cached ``cf.json``).
"""

from __future__ import annotations

from typing import Any

__all__ = ["default_cf"]

_DEFAULT_CF: dict[str, Any] = {
    "asOrganization": "",
    "asn": 395747,
    "colo": "DFW",
    "city": "Austin",
    "region": "Texas",
    "regionCode": "TX",
    "metroCode": "635",
    "postalCode": "78701",
    "country": "US",
    "continent": "NA",
    "timezone": "America/Chicago",
    "latitude": "30.27130",
    "longitude": "-97.74260",
    "clientTcpRtt": 0,
    "httpProtocol": "HTTP/1.1",
    "requestPriority": "weight=192;exclusive=0",
    "tlsCipher": "AEAD-AES128-GCM-SHA256",
    "tlsVersion": "TLSv1.3",
    "edgeRequestKeepAliveStatus": 0,
    "clientTrustScore": 99,
    "botManagement": {
        "corporateProxy": False,
        "verifiedBot": False,
        "ja3Hash": "25b4882c2bcb50cd6b469ff28c596742",
        "staticResource": False,
        "detectionIds": [],
        "score": 99,
    },
}


def default_cf() -> dict[str, Any]:
    """A fresh copy of the default ``request.cf`` (user code may modify its copy)."""
    bot = _DEFAULT_CF["botManagement"]
    return {**_DEFAULT_CF, "botManagement": {**bot, "detectionIds": list(bot["detectionIds"])}}
