"""Several schedules posting in one channel: a resumed delivery recognises its own messages.

A delivery that takes over from a dead attempt reads the channel's history for the parts that
attempt posted but never recorded; another schedule's messages in the same channel are not
its own (review of issue 13). End to end through the fake Discord.
"""

from __future__ import annotations

import json
from typing import Any

import discord
from hypothesis import given
from hypothesis import strategies as st

from bot.sending import fingerprint
from bot.state.deliveries import DeliveryStatus
from tests.bot.harness import SAMPLE_MORNING, BotHarness, schedule_id
from tests.bot.harness import briefing_command as _command

MESSAGES = "/channels/{id}/messages"


async def _setup(harness: BotHarness, **options: Any) -> str:
    values = {"channel": harness.channel_id("news"), "timezone": "UTC", **options}
    return await _command(harness, "setup", **values)


async def _alpha_and_beta(harness: BotHarness, **beta: Any) -> tuple[int, int]:
    """Two 08:00 briefings of #news, set up at 07:00; the clock then at 08:30 (both due)."""
    harness.clock.now = SAMPLE_MORNING.replace(hour=7)
    assert "Added" in await _setup(harness, time="08:00", name="alpha")
    assert "Added" in await _setup(harness, time="08:00", name="beta", **beta)
    harness.clock.now = SAMPLE_MORNING
    return await schedule_id(harness, "alpha"), await schedule_id(harness, "beta")


async def test_a_retried_briefing_does_not_take_another_schedules_messages_for_its_own(
    harness: BotHarness,
) -> None:
    """Two schedules of one server post in the same channel at the same time (part 1 allows
    it). The first one's attempt fails before Discord accepted anything; the second posts;
    the retry of the first must post its own briefing, not count the second one's messages
    (found in the channel's history after its claim) as already posted."""
    assert harness.bot is not None
    deliverer = harness.bot.services.deliverer
    fake = harness.fake
    alpha, beta = await _alpha_and_beta(harness)

    fake.fail_next("POST", MESSAGES, status=503, times=None)
    first = await deliverer.deliver_channel(alpha)
    assert first.status is DeliveryStatus.FAILED and first.message_ids == ()
    fake.clear_faults()

    other = await deliverer.deliver_channel(beta)
    assert other.status is DeliveryStatus.SENT

    retried = await deliverer.deliver_channel(alpha)
    assert retried.status is DeliveryStatus.SENT
    assert not set(retried.message_ids) & set(other.message_ids), (
        "alpha's retry recorded beta's messages as its own and posted nothing"
    )
    headings = [m["content"].split("\n")[0] for m in fake.messages_in(harness.channel_id("news"))]
    assert any("alpha" in h for h in headings), headings


async def test_after_an_outage_the_catch_up_posts_both_briefings_of_one_channel(
    harness: BotHarness,
) -> None:
    """The production path of the bug above: a Discord outage fails both 08:00 briefings of
    #news; the next catch-up posts the first, and the second takes the first's messages (in
    the channel's history after its failed claim) for its own: it posts nothing, is logged as
    sent, and its stories go into its "already posted" log."""
    assert harness.bot is not None
    recovery = harness.bot.services.recovery
    fake = harness.fake
    await _alpha_and_beta(harness, topics="space")

    fake.fail_next("POST", MESSAGES, status=503, times=None)
    assert {o.status for o in await recovery.catch_up()} == {DeliveryStatus.FAILED}
    fake.clear_faults()

    outcomes = await recovery.catch_up()
    assert [o.status for o in outcomes] == [DeliveryStatus.SENT, DeliveryStatus.SENT]
    posted = fake.messages_in(harness.channel_id("news"))
    headings = [m["content"].split("\n")[0] for m in posted if m.get("content")]
    assert any("beta" in h for h in headings), headings
    assert len(posted) == sum(len(o.message_ids) for o in outcomes)


async def test_a_resumed_briefing_finds_its_own_first_part_after_another_schedules_post(
    harness: BotHarness,
) -> None:
    """Alpha's second attempt had its first part accepted by Discord, then died before the
    log heard of it; beta had posted in between. The third attempt finds alpha's part among
    the bot's messages (skipping beta's, which are not alpha's parts) and posts only the
    rest. Discord has forgotten the nonce by then: only the channel's history can tell."""
    assert harness.bot is not None
    deliverer = harness.bot.services.deliverer
    fake = harness.fake
    alpha, beta = await _alpha_and_beta(harness)

    fake.fail_next("POST", MESSAGES, status=503, times=None)
    assert (await deliverer.deliver_channel(alpha)).status is DeliveryStatus.FAILED
    fake.clear_faults()
    other = await deliverer.deliver_channel(beta)
    assert other.status is DeliveryStatus.SENT

    fake.drop_next("POST", MESSAGES, apply=True, times=None)  # accepted, never answered
    lost = await deliverer.deliver_channel(alpha)
    assert lost.status is DeliveryStatus.FAILED and lost.message_ids == ()
    fake.clear_faults()
    fake.messages.nonce_window = 0  # forgotten (the resume comes later): only history tells
    news = harness.channel_id("news")
    (first_part,) = [int(m["id"]) for m in fake.messages_in(news)][len(other.message_ids) :]

    resumed = await deliverer.deliver_channel(alpha)
    assert resumed.status is DeliveryStatus.SENT
    assert resumed.message_ids[0] == first_part
    posted = [int(m["id"]) for m in fake.messages_in(news)]
    assert sorted(posted) == sorted([*other.message_ids, *resumed.message_ids])


_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)


@given(
    content=st.none() | _text,
    embeds=st.lists(st.tuples(_text, _text, st.none() | _text), max_size=4),
    padding=st.sampled_from(["", " ", "\n", " \n "]),
)
def test_a_part_is_recognised_in_discords_copy_of_it(
    content: str | None, embeds: list[tuple[str, str, str | None]], padding: str
) -> None:
    """The fingerprint of a rendered part equals that of the message Discord gives back (its
    embeds through JSON, surrounding whitespace trimmed), and differs from any other part's."""
    rendered = [discord.Embed(title=t or None, description=d or None) for t, d, _ in embeds]
    for embed, (_, _, footer) in zip(rendered, embeds, strict=True):
        if footer is not None:
            embed.set_footer(text=footer)
    echoed = [discord.Embed.from_dict(json.loads(json.dumps(e.to_dict()))) for e in rendered]
    mine = fingerprint(content, rendered)
    assert fingerprint(f"{padding}{content or ''}{padding}", echoed) == mine
    assert fingerprint(f"{content or ''}!", echoed) != mine
    assert fingerprint(content, [*echoed, discord.Embed(title="more")]) != mine
