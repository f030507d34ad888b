"""MyDurableObject and RpcDO: RPC without HTTP, through an RpcTarget.

Demonstrates returning an ``RpcTarget`` from a Durable Object method: the caller gets a stub whose
methods run inside the object, and can call them on the pending result without awaiting it first
(promise pipelining). The object has no ``fetch`` handler at all.
"""

from js import Date
from workers import DurableObject, RpcTarget


class RpcDO(RpcTarget):
    """Metadata bound to one object: each call is forwarded to it with the stored identifier."""

    def __init__(self, main_do, identifier):
        self.main_do = main_do
        self.identifier = identifier

    async def computeMessage(self, userName):
        return await self.main_do.computeMessage(userName, self.identifier)

    async def simpleGreeting(self, userName):
        return await self.main_do.simpleGreeting(userName)

    async def getInitializedAt(self):
        return self.main_do.getInitializedAt()


class MyDurableObject(DurableObject):
    def __init__(self, ctx, env):
        super().__init__(ctx, env)
        self.initializedAt = Date.new().toISOString()
        print(f"Durable Object initialized at: {self.initializedAt}")

    async def setMetaData(self, identifier):
        await self.ctx.storage.put("doIdentifier", identifier)
        return RpcDO(self, identifier)

    async def computeMessage(self, userName, identifier):
        stored = await self.ctx.storage.get("doIdentifier")
        print(
            "{\n"
            f"  userName: '{userName}',\n"
            f"  durableObjectIdentifier: '{stored}',\n"
            f"  initializedAt: '{self.initializedAt}'\n"
            "}"
        )
        return f"Hello, {userName}! The identifier of this DO is {identifier}"

    async def simpleGreeting(self, userName):
        print(self._not_in_target())
        return f"Hello, {userName}! This doesn't use the DO identifier."

    def getInitializedAt(self):
        return self.initializedAt

    def _not_in_target(self):
        return "This is not in the RpcTarget"
