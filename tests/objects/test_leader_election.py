"""/leader: LeaderElection — one leader per group by lease, a new term for each new leader."""

from __future__ import annotations

import pytest

from conftest import iso


async def test_leader_first_claim_wins_term_1(send, clock) -> None:
    reply = await send("POST", "/leader/claim?group=g&node=a&ttl=5000")
    assert (reply.status, reply.content_type) == (200, "application/json")
    assert reply.text == f'{{"elected":true,"leader":"a","term":1,"expires_at":"{iso(clock.now_ms() + 5_000)}"}}'


async def test_leader_other_node_loses_while_the_lease_runs(send, clock) -> None:
    await send("POST", "/leader/claim?node=a")
    reply = await send("POST", "/leader/claim?node=b")
    assert reply.status == 200
    assert reply.json() == {"elected": False, "leader": "a", "term": 1, "expires_at": iso(clock.now_ms() + 10_000)}


async def test_leader_renewing_keeps_the_lead_and_the_term(send, clock) -> None:
    await send("POST", "/leader/claim?node=a")
    await clock.advance(9_000)
    renewed = (await send("POST", "/leader/claim?node=a")).json()
    assert (renewed["term"], renewed["expires_at"]) == (1, iso(clock.now_ms() + 10_000))
    await clock.advance(9_000)
    assert (await send("GET", "/leader/current")).json()["leader"] == "a"


async def test_leader_lease_expires_through_the_alarm(send, clock, capsys) -> None:
    await send("POST", "/leader/claim?node=a&ttl=1000")
    await clock.advance(1_000)
    assert capsys.readouterr().out.splitlines() == ["Leader a lost the lead: its lease for term 1 expired"]
    assert (await send("GET", "/leader/current")).text == '{"leader":null,"term":1,"expires_at":null}'
    assert (await send("POST", "/leader/claim?node=b")).json()["term"] == 2


async def test_leader_resign_lets_the_next_claim_win(send) -> None:
    await send("POST", "/leader/claim?node=a")
    assert (await send("POST", "/leader/resign?node=a")).text == '{"resigned":true}'
    assert (await send("POST", "/leader/claim?node=b")).json() | {"expires_at": None} == {
        "elected": True, "leader": "b", "term": 2, "expires_at": None,
    }


async def test_leader_resign_by_a_follower_is_409(send) -> None:
    await send("POST", "/leader/claim?node=a")
    reply = await send("POST", "/leader/resign?node=b")
    assert reply.status == 409 and reply.json()["resigned"] is False and reply.json()["leader"] == "a"


async def test_leader_groups_are_separate(send) -> None:
    await send("POST", "/leader/claim?group=one&node=a")
    assert (await send("POST", "/leader/claim?group=two&node=b")).json()["elected"] is True
    assert (await send("GET", "/leader/current?group=three")).json() == {"leader": None, "term": 0, "expires_at": None}


@pytest.mark.parametrize(("path", "error"), [
    ("/leader/claim", "Missing 'node' parameter"), ("/leader/resign?node=", "Missing 'node' parameter"),
    ("/leader/claim?node=a&ttl=0", "'ttl' must be 1 to 300000 ms"), ("/leader/claim?node=a&ttl=x", "'ttl' must be 1 to 300000 ms"),
])
async def test_leader_bad_parameters_are_400(send, path: str, error: str) -> None:
    reply = await send("POST", path)
    assert (reply.status, reply.json()) == (400, {"error": error})


@pytest.mark.parametrize(("method", "path"), [("GET", "/leader/claim?node=a"), ("POST", "/leader/current"), ("GET", "/leader")])
async def test_leader_other_routes_are_404(send, method: str, path: str) -> None:
    assert (await send(method, path)).status == 404
