"""Pure text of a subscriber's digest signals: the answer to a click and the ``/subscriptions``
field. No I/O; topic keys are shown by the name a callback gives them (the catalog's name).

Everything untrusted (topic names, outlet domains) goes through
:func:`bot._limits.safe_text`, and every result stays within Discord's limits (a reply's
2,000 characters, a field's 1,024).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Final

from bot._limits import CONTENT_LIMIT, FIELD_VALUE_LIMIT, safe_text, truncate
from briefings.personal import WEIGHT_LIMIT, Change, Feedback, SignalKind, Signals

NAME_LIMIT: Final = 100
SIGNALS_FIELD: Final = "What your digest learned"
NO_SIGNALS: Final = (
    "Nothing yet: use the buttons under a digest to say what you want more or less of."
)
_WHAT: Final = {Feedback.MORE: "more like this", Feedback.LESS: "less like this"}

TopicName = Callable[[str], str]
"""The name to show for a topic key (the catalog's name when it has one)."""


def signed(weight: int) -> str:
    """A weight as people read it: ``+2``, ``−1``."""
    return f"+{weight}" if weight > 0 else f"−{-weight}" if weight < 0 else "0"


def ranked(pairs: Iterable[tuple[str, int]]) -> list[tuple[str, int]]:
    """(key, weight) pairs, strongest liking first, then by key."""
    return sorted(pairs, key=lambda pair: (-pair[1], pair[0]))


def _label(change: Change, topic_name: TopicName) -> str:
    if change.kind is SignalKind.TOPIC:
        return f"topic **{safe_text(topic_name(change.key), NAME_LIMIT)}**"
    return f"outlet **{safe_text(change.key, NAME_LIMIT)}**"


def feedback_reply(feedback: Feedback, changes: Sequence[Change], topic_name: TopicName) -> str:
    """What a click changed, said to the subscriber (an ephemeral reply)."""
    if not changes:
        return "That story names no outlet, so there is no outlet to hide."
    tail = " `/subscriptions` shows what your digest learned and resets it."
    if feedback is Feedback.HIDE:
        (change,) = changes
        outlet = f"**{safe_text(change.key, NAME_LIMIT)}**"
        if change.before:
            return truncate(f"{outlet} is already hidden from your digest." + tail, CONTENT_LIMIT)
        return truncate(
            f"Hidden: {outlet}. Its articles will not appear in your next digests." + tail,
            CONTENT_LIMIT,
        )
    parts = []
    for change in changes:
        label = _label(change, topic_name)
        if change.before == change.after:
            bound = "most" if change.after > 0 else "least"
            parts.append(f"{label} stays at {signed(change.after)} (the {bound} there is)")
        else:
            step = signed(change.after - change.before)
            parts.append(f"{label} {step} (now {signed(change.after)})")
    text = f"Noted: {_WHAT[feedback]}. " + "; ".join(parts) + "."
    text += " Your next digest is ordered with it (weights go from −3 to +3)." + tail
    return truncate(text, CONTENT_LIMIT)


def signals_lines(signals: Signals, topic_name: TopicName) -> list[str]:
    """One line per kind of signal the subscriber has (none when they have none)."""
    lines = []
    if signals.topics:
        shown = ", ".join(
            f"{safe_text(topic_name(key), NAME_LIMIT)} {signed(weight)}"
            for key, weight in ranked(signals.topics)
        )
        lines.append(f"Topics: {shown}")
    if signals.outlets:
        shown = ", ".join(
            f"{safe_text(key, NAME_LIMIT)} {signed(weight)}"
            for key, weight in ranked(signals.outlets)
        )
        lines.append(f"Outlets: {shown}")
    if signals.hidden:
        lines.append(
            "Hidden outlets: " + ", ".join(safe_text(k, NAME_LIMIT) for k in signals.hidden)
        )
    return lines


def signals_field(signals: Signals, topic_name: TopicName) -> str:
    """The ``/subscriptions`` field of the subscriber's signals (at most 1,024 characters)."""
    lines = signals_lines(signals, topic_name)
    if not lines:
        return NO_SIGNALS
    scale = f"(weights from −{WEIGHT_LIMIT} to +{WEIGHT_LIMIT}; “Reset my signals” clears them)"
    return truncate("\n".join([*lines, scale]), FIELD_VALUE_LIMIT)
