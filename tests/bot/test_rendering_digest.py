"""DM digests as rendered: three feedback buttons per message, the stories read back from the
message for the pickers (within Discord's limits), explanations, and the text of a
subscriber's signals (pure functions, examples and properties)."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from bot._limits import CONTENT_LIMIT, FIELD_VALUE_LIMIT, TITLE_LIMIT, link_target, safe_text
from bot.digest_menus import (
    MAX_FEEDBACK_ITEMS,
    FeedbackItem,
    custom_id,
    decode_value,
    encode_value,
    feedback_view,
    picker_options,
    picker_view,
)
from bot.digest_reading import read_stories, unescape
from bot.rendering import OutgoingMessage, render_briefing
from bot.signals_text import feedback_reply, signals_field
from briefings.briefing import Briefing, Section, Story
from briefings.model import Provider
from briefings.personal import Change, Feedback, ItemRef, SignalKind, Signals, item_ref, signal_key
from tests.bot.test_rendering import (
    PARIS,
    PROPERTY,
    all_texts,
    art,
    assert_inert,
    brief,
    briefings,
    check_messages,
    hostile,
)
from tests.fake_discord import validate_components


def _story(number: int, topic: str = "Space", provider: str = "Orbit") -> Story:
    return Story(art(f"Story {number}", f"https://orbit.test/{number}", provider), topic=topic)


def _title(topic: str) -> str:
    return safe_text(topic, TITLE_LIMIT) or "Untitled"


def _read(message: OutgoingMessage, names: list[str] | None = None) -> tuple[FeedbackItem, ...]:
    """The stories of ``message`` as the buttons read them from what Discord sends back."""
    return read_stories([embed.to_dict() for embed in message.embeds], names or [])


def test_each_digest_message_gets_three_buttons_and_its_stories_read_back() -> None:
    sections = [
        Section(f"Topic {t}", tuple(_story(10 * t + i, f"Topic {t}") for i in range(8)))
        for t in range(5)
    ]
    messages = render_briefing(
        brief(*sections), heading="**Your daily digest**", zone=PARIS, feedback=True
    )
    assert len(messages) >= 2  # 40 stories: more than one message can offer
    check_messages(messages)
    items = [item for message in messages for item in message.feedback]
    assert [item.title for item in items] == [
        f"Story {n}" for t in range(5) for n in range(10 * t, 10 * t + 8)
    ]
    for message in messages:
        assert 1 <= len(message.feedback) <= MAX_FEEDBACK_ITEMS
        (row,) = feedback_view().to_components()
        validate_components([row])
        assert [(b["type"], b["label"], b["custom_id"]) for b in row["components"]] == [
            (2, "More like this", "digest:more"),
            (2, "Less like this", "digest:less"),
            (2, "Hide this outlet", "digest:hide"),
        ]
        read = _read(message)  # without candidate names: the titles are plain here
        assert read == message.feedback
        more = picker_options(Feedback.MORE, read)
        assert [o.label for o in more] == [i.title for i in message.feedback]
        assert more[0].description == f"{message.feedback[0].topic} · Orbit"
        hide = picker_options(Feedback.HIDE, read)
        assert [(o.label, o.description) for o in hide] == [("Orbit", "orbit.test")]
        for feedback, options in ((Feedback.MORE, more), (Feedback.HIDE, hide)):
            validate_components(picker_view(feedback, options).to_components())
    assert messages[0].content == "**Your daily digest**"
    assert all(m.content is None for m in messages[1:])
    plain = render_briefing(brief(*sections), heading="**Your daily digest**", zone=PARIS)
    assert all(m.feedback == () for m in plain)  # channel briefings carry no buttons
    assert "[Orbit](https://orbit.test)" in (messages[0].embeds[0].description or "")
    assert "](https://orbit.test)" not in (plain[0].embeds[0].description or "")


def test_the_outlet_read_back_is_the_providers_domain_else_the_links_host() -> None:
    wire = art("Wire copy", "https://www.mirror.test/a", "Wire")
    wire = replace(wire, provider=Provider("Wire", domain="WIRE.test"))
    bare = art("No provider", "https://www.bare.test/b", None)
    (message,) = render_briefing(
        brief(Section("Space", (Story(wire, topic="Space"), Story(bare, topic="Space")))),
        heading="h",
        zone=PARIS,
        feedback=True,
    )
    description = message.embeds[0].description or ""
    assert "[Wire](https://wire.test)" in description
    assert "[bare.test](https://bare.test)" in description  # no name: the domain is shown
    assert [i.ref for i in _read(message)] == [
        ItemRef("space", "wire.test"),
        ItemRef("space", "bare.test"),
    ]
    assert [i.ref for i in message.feedback] == [i.ref for i in _read(message)]
    assert [i.outlet_name for i in _read(message)] == ["Wire", "bare.test"]


def test_a_section_title_is_read_as_the_topic_that_renders_so() -> None:
    topic = "C++ *weekly* @everyone"
    (message,) = render_briefing(
        brief(Section(topic, (_story(1, topic), _story(2, topic)))),
        heading="h",
        zone=PARIS,
        feedback=True,
    )
    assert message.embeds[0].title != topic  # escaped and defused
    assert [i.topic for i in _read(message, ["Space", topic])] == [topic, topic]
    assert unescape(message.embeds[0].title or "") == topic  # the fallback gets it too
    assert all(i.ref.topic == "c++ *weekly* @everyone" for i in _read(message))


def test_an_explanation_is_an_italic_line_under_its_story() -> None:
    story = _story(1)
    (message,) = render_briefing(
        brief(Section("Space", (story, _story(2)))),
        heading="h",
        zone=PARIS,
        notes={"https://orbit.test/1": "ranked up: you asked for more of *Space* @everyone"},
        feedback=True,
    )
    description = message.embeds[0].description or ""
    assert "\n*ranked up: you asked for more of \\*Space\\* @\u200beveryone*" in description
    assert description.count("ranked up") == 1
    assert_inert(description)


def test_option_values_carry_the_item_and_strangers_values_are_refused() -> None:
    ref = ItemRef(signal_key("x" * 200), signal_key("y" * 300 + ".test"))
    value = encode_value(24, ref)
    assert len(value) <= 100 and decode_value(value) == ref
    assert decode_value(encode_value(0, ItemRef("space"))) == ItemRef("space")
    for forged in ("", "1", "1\tSpace\t", "100\tspace\tx", "1\tspace\tx\textra", "1\t\tx"):
        assert decode_value(forged) is None, forged
    assert custom_id(Feedback.HIDE) == "digest:hide"


def test_a_story_without_outlet_offers_no_hide_option() -> None:
    item = FeedbackItem("Untitled story", "General", "", ItemRef("general"))
    assert picker_options(Feedback.HIDE, [item]) == []
    (only,) = picker_options(Feedback.LESS, [item])
    assert decode_value(only.value) == ItemRef("general")
    assert read_stories([{"title": "General", "description": "**Untitled story**\n08:00"}]) == (
        item,
    )
    assert read_stories([{"title": "General", "description": "+3 more in General"}]) == ()
    assert read_stories([]) == ()


def test_feedback_replies_say_what_changed() -> None:
    names = {"space": "Space"}.get
    reply = feedback_reply(
        Feedback.MORE,
        (Change(SignalKind.TOPIC, "space", 0, 1), Change(SignalKind.OUTLET, "orbit.test", 3, 3)),
        lambda key: names(key) or key,
    )
    assert reply.startswith("Noted: more like this. topic **Space** +1 (now +1); outlet")
    assert "**orbit.test** stays at +3 (the most there is)" in reply
    assert "`/subscriptions`" in reply
    hide = feedback_reply(Feedback.HIDE, (Change(SignalKind.HIDDEN, "orbit.test", 0, 1),), str)
    assert hide.startswith("Hidden: **orbit.test**.")
    again = feedback_reply(Feedback.HIDE, (Change(SignalKind.HIDDEN, "orbit.test", 1, 1),), str)
    assert "already hidden" in again
    assert "no outlet" in feedback_reply(Feedback.HIDE, (), str)
    less = feedback_reply(Feedback.LESS, (Change(SignalKind.TOPIC, "zoo", -3, -3),), str)
    assert "stays at −3 (the least there is)" in less


def test_the_signals_field_lists_topics_outlets_and_hidden_outlets() -> None:
    signals = Signals.of(
        topics={"space": 2, "robotics": -1}, outlets={"ledger.test": -3}, hidden=["spam.test"]
    )
    field = signals_field(signals, {"space": "Space", "robotics": "Robotics"}.__getitem__)
    assert field.splitlines()[:3] == [
        "Topics: Space +2, Robotics −1",
        "Outlets: ledger.test −3",
        "Hidden outlets: spam.test",
    ]


@PROPERTY
@given(briefings())
def test_property_digest_messages_offer_every_story_once_within_discords_limits(
    briefing: Briefing,
) -> None:
    # a digest has no top stories and at most BRIEFING_PER_TOPIC (20) stories per section,
    # each story carrying its section's name (as assemble() fills it in)
    digest = replace(
        briefing,
        top_stories=(),
        sections=tuple(
            replace(s, stories=tuple(replace(story, topic=s.topic) for story in s.stories[:20]))
            for s in briefing.sections
        ),
    )
    messages = render_briefing(digest, heading="**Your daily digest**", zone=PARIS, feedback=True)
    if not messages:
        return
    check_messages(messages)
    flat = [story for section in digest.sections for story in section.stories]
    offered = [item for message in messages for item in message.feedback]
    assert [(i.title, i.ref) for i in offered] == [(s.lead.title, item_ref(s)) for s in flat]
    position = 0
    names = [section.topic for section in digest.sections]
    # names that render alike (control characters, spacing) cannot be told apart: the first
    keys: dict[str, set[str]] = {}
    for name in names:
        keys.setdefault(_title(name), set()).add(signal_key(name) or "general")
    distinct = all(len(found) == 1 for found in keys.values())
    for message in messages:
        assert len(message.feedback) <= MAX_FEEDBACK_ITEMS
        descriptions = "\n".join(e.description or "" for e in message.embeds)
        for story in flat[position : position + len(message.feedback)]:
            target = link_target(story.lead.url)
            if target is not None:  # the story is shown in the message that offers it
                assert f"]({target})" in descriptions
        position += len(message.feedback)
        read = _read(message, names)  # what a button press sees of the message
        assert [(i.ref.outlet, _title(i.topic)) for i in read] == [
            (i.ref.outlet, _title(i.topic)) for i in message.feedback
        ]
        if distinct:
            assert [i.ref for i in read] == [i.ref for i in message.feedback]
        if message.feedback:
            validate_components(feedback_view().to_components())
            for feedback in Feedback:
                options = picker_options(feedback, read)
                if options:
                    validate_components(picker_view(feedback, options).to_components())
    for text in all_texts(messages):
        assert_inert(text)


@PROPERTY
@given(
    st.lists(st.tuples(hostile, st.integers(-3, 3)), max_size=60), st.lists(hostile, max_size=60)
)
def test_property_the_signals_field_and_replies_fit(
    weights: list[tuple[str, int]], hidden: list[str]
) -> None:
    signals = Signals.of(topics=weights, outlets=weights, hidden=hidden)
    field = signals_field(signals, lambda key: key)
    assert 0 < len(field) <= FIELD_VALUE_LIMIT
    assert_inert(field)
    for key, weight in signals.topics:
        change = Change(SignalKind.TOPIC, key, weight, weight)
        reply = feedback_reply(Feedback.MORE, (change, change), lambda k: k * 30)
        assert len(reply) <= CONTENT_LIMIT
        assert_inert(reply)
