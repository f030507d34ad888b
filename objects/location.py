"""Location: state kept only in memory.

Demonstrates that an instance's fields live until the object is evicted: the first request after
construction sees ``location`` unset; later ones see the previous caller's city.
"""

from workers import DurableObject

from responses import text

FIRST_VISIT = (
    "\nThis is the first request, you called the constructor, so this.location was null.\n"
    "You will set this.location to be your city: ({city}). Try reloading the page."
)
RETURNING = (
    "\nThe Durable Object was already loaded and running because it recently handled a request.\n\n"
    "Previous Location: {previous}\nNew Location: {city}"
)


class Location(DurableObject):
    def __init__(self, ctx, env):
        super().__init__(ctx, env)
        self.location = None

    async def fetch(self, request):
        city = (request.cf or {}).get("city") or "unknown"
        if self.location is None:
            reply = FIRST_VISIT.format(city=city)
        else:
            reply = RETURNING.format(previous=self.location, city=city)
        self.location = city
        print(reply)
        return text(reply, content_type="text/plain")
