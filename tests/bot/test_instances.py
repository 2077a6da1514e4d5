"""Instances and their heartbeats decide when a claimed delivery is taken over (SQLite and
PostgreSQL): at once when its holder is gone, never while the holder is alive and in its lease.
"""

from __future__ import annotations

from datetime import timedelta

from bot.state import Database, claim, get_delivery, instances, mark_failed, mark_sent, subscribe
from bot.state.claims import Claimant, ClaimKey, claim_digests, orphaned_claims, retire_orphan
from bot.state.deliveries import DeliveryKind
from tests.bot import test_state
from tests.bot.test_state import DAY, NOW

url, db = test_state.url, test_state.db  # the fixtures: SQLite and PostgreSQL

TIMEOUT = timedelta(seconds=15)
A = Claimant(holder="a" * 32, holder_timeout=TIMEOUT)
B = Claimant(holder="b" * 32, holder_timeout=TIMEOUT)


async def _start(db: Database, claimant: Claimant, name: str) -> None:
    assert claimant.holder is not None
    await instances.register(db, claimant.holder, name, now=NOW)


async def test_a_claim_of_a_running_instance_is_kept_while_it_beats(db: Database) -> None:
    await _start(db, A, "host/shards-0")
    await _start(db, B, "host/shards-1")
    assert await claim(db, DeliveryKind.DIGEST, 7, DAY, now=NOW, claimant=A)
    delivery = await get_delivery(db, DeliveryKind.DIGEST, 7, DAY)
    assert delivery is not None and delivery.holder == A.holder
    for seconds in (5, 10, 15, 20, 25):  # A beats every 5 s: never stale
        moment = NOW + timedelta(seconds=seconds)
        assert await instances.beat(db, "a" * 32, "host/shards-0", now=moment)
        assert not await claim(db, DeliveryKind.DIGEST, 7, DAY, now=moment, claimant=B)
        assert await orphaned_claims(db, now=moment, claimant=B) == []


async def test_a_silent_holder_loses_its_claim_after_the_timeout(db: Database) -> None:
    await _start(db, A, "host/shards-0")
    await _start(db, B, "host/shards-1")
    for user in (7, 8):
        await subscribe(db, user, "AI", now=NOW)
    assert await claim(db, DeliveryKind.DIGEST, 7, DAY, now=NOW, claimant=A)
    assert await claim(db, DeliveryKind.DIGEST, 8, DAY, now=NOW, claimant=A)
    await mark_sent(db, DeliveryKind.DIGEST, 8, DAY, now=NOW, message_ids=[1])
    just_in_time = NOW + TIMEOUT
    assert not await claim(db, DeliveryKind.DIGEST, 7, DAY, now=just_in_time, claimant=B)
    later = NOW + TIMEOUT + timedelta(seconds=1)
    assert await instances.beat(db, "b" * 32, "host/shards-1", now=later)  # only B beats
    assert await orphaned_claims(db, now=later, claimant=B) == [
        ClaimKey(DeliveryKind.DIGEST, 7, DAY)
    ]
    assert await claim_digests(db, [(7, DAY), (8, DAY)], now=later, claimant=B) == [(7, DAY)]
    delivery = await get_delivery(db, DeliveryKind.DIGEST, 7, DAY)
    assert delivery is not None
    assert (delivery.holder, delivery.attempts, delivery.claimed_at) == (B.holder, 2, later)
    assert await orphaned_claims(db, now=later, claimant=A) == []  # B is running


async def test_a_restarted_process_frees_its_predecessors_claims_at_once(db: Database) -> None:
    await _start(db, A, "host/shards-1")
    assert await claim(db, DeliveryKind.CHANNEL, 1, DAY, now=NOW, claimant=A)
    restarted = Claimant(holder="c" * 32, holder_timeout=TIMEOUT)
    assert not await claim(db, DeliveryKind.CHANNEL, 1, DAY, now=NOW, claimant=restarted)
    await instances.register(db, "c" * 32, "host/shards-1", now=NOW + timedelta(seconds=1))
    assert await claim(
        db, DeliveryKind.CHANNEL, 1, DAY, now=NOW + timedelta(seconds=1), claimant=restarted
    )


async def test_a_stopped_or_forgotten_holder_is_gone_and_no_holder_means_lease_only(
    db: Database,
) -> None:
    await _start(db, A, "host/worker")
    assert await claim(db, DeliveryKind.DIGEST, 1, DAY, now=NOW, claimant=A)
    await instances.stop(db, "a" * 32, now=NOW)
    assert await claim(db, DeliveryKind.DIGEST, 1, DAY, now=NOW, claimant=B)

    ghost = Claimant(holder="d" * 32, holder_timeout=TIMEOUT)  # never registered
    assert await claim(db, DeliveryKind.DIGEST, 2, DAY, now=NOW, claimant=ghost)
    assert await claim(db, DeliveryKind.DIGEST, 2, DAY, now=NOW, claimant=B)

    assert await claim(db, DeliveryKind.DIGEST, 3, DAY, now=NOW)  # no holder recorded (before 0002)
    assert not await claim(
        db, DeliveryKind.DIGEST, 3, DAY, now=NOW + timedelta(minutes=5), claimant=B
    )
    assert await claim(db, DeliveryKind.DIGEST, 3, DAY, now=NOW + timedelta(minutes=11), claimant=B)


async def test_a_beat_after_being_declared_gone_runs_again(db: Database) -> None:
    await _start(db, A, "host/worker")
    await _start(db, B, "host/worker")  # same name: A is declared gone
    assert await claim(db, DeliveryKind.DIGEST, 1, DAY, now=NOW, claimant=B)
    assert not await instances.beat(db, "a" * 32, "host/worker", now=NOW)
    assert await instances.beat(db, "a" * 32, "host/worker", now=NOW + timedelta(seconds=5))
    assert await claim(db, DeliveryKind.DIGEST, 2, DAY, now=NOW, claimant=A)
    assert not await claim(
        db, DeliveryKind.DIGEST, 2, DAY, now=NOW + timedelta(seconds=5), claimant=B
    )


async def test_a_process_never_takes_over_its_own_claims_before_the_lease(db: Database) -> None:
    await _start(db, A, "host/shards-0")
    assert await claim(db, DeliveryKind.DIGEST, 1, DAY, now=NOW, claimant=A)
    late = NOW + timedelta(minutes=1)  # A's own heartbeat is late (a blocked event loop)
    assert await orphaned_claims(db, now=late, claimant=A) == []
    assert not await claim(db, DeliveryKind.DIGEST, 1, DAY, now=late, claimant=A)
    assert await claim(db, DeliveryKind.DIGEST, 1, DAY, now=late, claimant=B)  # others may


async def test_a_failure_reported_by_a_sender_taken_over_leaves_the_new_holders_claim(
    db: Database,
) -> None:
    """A was taken for dead (its heartbeat stalled) and B took its claim over; A's late
    failure report must not turn B's running claim into "failed", which a third sender would
    then claim while B is still sending (only Discord's short nonce window would stop a
    second copy)."""
    await _start(db, A, "host/shards-0")
    await _start(db, B, "host/shards-1")
    assert await claim(db, DeliveryKind.DIGEST, 7, DAY, now=NOW, claimant=A)
    later = NOW + TIMEOUT + timedelta(seconds=1)
    assert await instances.beat(db, "b" * 32, "host/shards-1", now=later)
    assert await claim(db, DeliveryKind.DIGEST, 7, DAY, now=later, claimant=B)
    await mark_failed(
        db, DeliveryKind.DIGEST, 7, DAY, now=later, error="A gave up", holder=A.holder
    )
    delivery = await get_delivery(db, DeliveryKind.DIGEST, 7, DAY)
    assert delivery is not None
    assert (delivery.status, delivery.holder, delivery.error) == ("sending", B.holder, None)
    third = Claimant(holder="c" * 32, holder_timeout=TIMEOUT)
    assert not await claim(db, DeliveryKind.DIGEST, 7, DAY, now=later, claimant=third)

    # the holder's own failure report, and one from a sender that records no holder, count
    await mark_failed(
        db, DeliveryKind.DIGEST, 7, DAY, now=later, error="B gave up", holder=B.holder
    )
    delivery = await get_delivery(db, DeliveryKind.DIGEST, 7, DAY)
    assert delivery is not None and (delivery.status, delivery.error) == ("failed", "B gave up")
    assert await claim(db, DeliveryKind.DIGEST, 8, DAY, now=later)
    await mark_failed(db, DeliveryKind.DIGEST, 8, DAY, now=later, error="no holder")
    delivery = await get_delivery(db, DeliveryKind.DIGEST, 8, DAY)
    assert delivery is not None and delivery.status == "failed"


async def test_retiring_an_orphan_marks_it_failed_only_while_it_is_orphaned(
    db: Database,
) -> None:
    await _start(db, A, "host/shards-0")
    await _start(db, B, "host/shards-1")
    for user in (1, 2, 3):
        assert await claim(db, DeliveryKind.DIGEST, user, DAY, now=NOW, claimant=A)
    await instances.stop(db, "a" * 32, now=NOW)
    assert await claim(db, DeliveryKind.DIGEST, 2, DAY, now=NOW, claimant=B)  # taken over
    await mark_sent(db, DeliveryKind.DIGEST, 3, DAY, now=NOW, message_ids=[9])
    keys = [ClaimKey(DeliveryKind.DIGEST, user, DAY) for user in (1, 2, 3)]
    done = [await retire_orphan(db, k, now=NOW, error="not due any more", claimant=B) for k in keys]
    assert done == [True, False, False]
    found = [await get_delivery(db, DeliveryKind.DIGEST, user, DAY) for user in (1, 2, 3)]
    assert [(d.status, d.error, d.holder) for d in found if d is not None] == [
        ("failed", "not due any more", A.holder),
        ("sending", None, B.holder),  # B is sending it: left alone
        ("sent", None, A.holder),
    ]
    assert await orphaned_claims(db, now=NOW, claimant=B) == []
