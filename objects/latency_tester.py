"""LatencyTester: measures, from inside a Durable Object, how long a request to Cloudflare takes.

Demonstrates location hints: the worker names the object after the hint and asks for it with
``locationHint``, so the object is created near that region (on Cloudflare; locally hints are
accepted and ignored). The object fetches Cloudflare's trace endpoint, which tells where the request
ran, and times it. pyworker answers the trace endpoint locally, so this works offline (under
``wrangler dev`` without a network the fetch fails and the route answers 500).
"""

from js import Date
from workers import DurableObject, fetch

from responses import compact_json

TRACE_URL = "https://www.cloudflare.com/cdn-cgi/trace"


class LatencyTester(DurableObject):
    async def fetch(self, request):
        started = Date.now()
        response = await fetch(TRACE_URL)
        trace_text = await response.text()
        return compact_json({
            "trace": parse_trace(trace_text),
            "processingTime": Date.now() - started,
            "timestamp": Date.new().toISOString(),
        })


def parse_trace(text):
    """``key=value`` lines into a dict; lines without both a key and a value are skipped."""
    trace = {}
    for line in text.split("\n"):
        key, _, rest = line.partition("=")
        value = rest.split("=")[0]
        if key and value:
            trace[key] = value
    return trace
