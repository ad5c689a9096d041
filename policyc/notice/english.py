"""Plain English: dates, durations, names, lists, places and retention rules as words.

These helpers make compiler English from model values. They never add a fact: a value the model
does not hold gives an empty string, and the caller decides whether the notice is silent or says
"Not stated".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from policyc.model import Law, Lexicon, Model, RetentionRule
from policyc.values import Duration, Expiry

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def date_text(value: dt.date | None) -> str:
    """`2026-09-01` -> `1 September 2026` (no locale, no clock)."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}" if value else ""


def duration_text(value: Duration | Expiry | str) -> str:
    """`P6Y` -> `6 years`, `P1M` -> `1 month`; `session` -> `the session`; other text as given."""
    if isinstance(value, str):
        value = Expiry.parse(value) or value
        if isinstance(value, str):
            return value
    if isinstance(value, Expiry):
        return "the session" if value.period is None else value.period.words
    return value.words


def words(key: str) -> str:
    """A name as words: `contract_end` -> `contract end`."""
    return key.rsplit(".", 1)[-1].replace("_", " ").strip()


def capfirst(text: str) -> str:
    """The first letter upper case (Markdown or HTML already made safe stays safe)."""
    changed = text[:1].upper() + text[1:]
    return type(text)(changed) if type(text) is not str else changed


def lcfirst(text: str) -> str:
    """The first letter lower case, unless the first word is an abbreviation (`CCPA`) or a name (`Acme`)."""
    first = text.split(" ", 1)[0]
    if len(first) > 1 and first[1:2].isupper():
        return text
    changed = text[:1].lower() + text[1:]
    return type(text)(changed) if type(text) is not str else changed


def and_join(items: Sequence[str], conjunction: str = "and") -> str:
    """`a`, `a and b`, `a, b and c`."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def sentence(text: str) -> str:
    """Author words as a sentence of their own: a capital first letter and a closing full stop."""
    text = " ".join(text.split())
    if not text:
        return ""
    text = capfirst(text)
    return text if text[-1] in ".!?…)”\"'" else f"{text}."


def event_text(lexicon: Lexicon, key: str) -> str:
    """The moment a retention period counts from: the event's summary, else its title, else its name."""
    summary = lexicon.summary("event", key)
    if summary:
        return " ".join(summary.split())
    title = lexicon.title("event", key)
    return title[:1].lower() + title[1:] if title else words(key)


def retention_text(lexicon: Lexicon, rule: RetentionRule | None) -> str:
    """A retention rule as a fragment starting with a capital (`6 years after the end of ...`); "" if none."""
    if rule is None:
        return ""
    period = duration_text(rule.period) if rule.period else ""
    if rule.session:
        text = "only for the session (until you close your browser)"
    elif rule.until or rule.after:
        event = event_text(lexicon, rule.until or rule.after)
        text = f"{period} after {event}" if period else f"until {event}"
    elif period:
        text = f"{period} from when we collect it"
    else:
        text = ""
    criteria = " ".join(rule.criteria.split())
    if criteria:
        text = f"{text}; {criteria}" if text else criteria
    if rule.unless:
        until = f"until {event_text(lexicon, rule.unless)}"
        text = f"{text}, or longer, {until}" if text else until
        if rule.unless_reason:
            text += f" ({' '.join(rule.unless_reason.split())})"
    return capfirst(text)


def country_text(lexicon: Lexicon, code: str) -> str:
    """A country or region code as its name (`GB` -> `United Kingdom`), else the code."""
    return lexicon.country(code).label


_THE_NAMES = frozenset({"Netherlands", "Philippines", "Bahamas", "Gambia", "Maldives", "Comoros", "Seychelles"})


def place(name: str) -> str:
    """A country or region name as it reads in a sentence: `the United Kingdom`, `France`."""
    if name.lower().startswith("the ") or not (
        name in _THE_NAMES or name.startswith(("United ", "European ", "Democratic ", "Republic ", "Isle of "))
        or name.endswith((" Islands", " Republic", " Territories"))
    ):
        return name
    return f"the {name}"


def area_names(model: Model) -> list[str]:
    """The areas the policy's laws cover, in words: `the United Kingdom`, `the European Economic Area`."""
    names: list[str] = []
    for law in model.laws:
        name = law_area(model, law)
        if name and name not in names:
            names.append(name)
    return names


def law_area(model: Model, law: Law) -> str:
    """The area a law covers, in words (`the United Kingdom`); empty for a law without one."""
    if not law.area:
        return ""
    region = next((k for k, members in sorted(model.regions.items()) if members == law.area), None)
    if region is not None:
        name = country_text(model.lexicon, region)
    elif len(law.area) == 1:
        name = country_text(model.lexicon, next(iter(law.area)))
    else:
        name = and_join(sorted(country_text(model.lexicon, c) for c in law.area))
    return place(name) if name else ""
