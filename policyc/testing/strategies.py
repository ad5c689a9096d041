"""Hypothesis strategies for well-typed policies, as syntax trees and as source text.

Every name a generated policy refers to is declared in it or visible from the standard library for
its `jurisdictions` (read from the loaded library, see `policyc.testing.vocabulary`), every literal is
valid, and no kind, field or singleton is misused: the checker reports no syntax, name or type
diagnostic (S, N, T) on them. Legal findings (P, C, Q) are expected: the policies are random, not
compliant. Optional fields are drawn as present or absent and lists shrink towards their first
elements, so a failing example shrinks to a small policy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, Literal, TypeVar

from hypothesis import strategies as st

from policyc import ast
from policyc.fmt import INDENT, header_words, quote, text_block
from policyc.schema import DATA_SOURCES, KINDS, RESERVED_WORDS, VT
from policyc.testing.trees import (
    date,
    decl,
    field,
    item,
    module,
    name,
    number,
    plus,
    print_module,
    string,
    use,
    word_item,
)
from policyc.testing.vocabulary import Vocabulary, vocabulary

T = TypeVar("T")

# Words with a meaning of their own in some field (`source subject`, `provider first_party`,
# `expires session`, `retain criteria ...`): generated declarations are never named so.
_SPECIAL_WORDS = frozenset({
    *RESERVED_WORDS, *DATA_SOURCES, "yes", "no", "session", "first_party", "criteria", "until", "after",
    "unless", "none",
})

# The words generated prose is made of (ordinary notice vocabulary; `hostile=True` adds any text).
_WORDS = (
    "we", "you", "your", "our", "data", "account", "order", "orders", "service", "keep", "use", "share",
    "send", "email", "records", "request", "contract", "payment", "delivery", "support", "law", "claims",
    "years", "partners", "updates", "notice", "security", "access", "review", "store", "process", "team",
    "customers", "details", "address", "name", "time", "offers", "website", "app", "letters", "newsletter",
    "invoices", "tax", "fraud", "checks", "safely", "only", "when", "after", "until", "for", "with", "and",
)
# Characters that mean something in Markdown or HTML, mixed into hostile text.
_MARKUP = "*_`[]()<>&#!|\\~\"'{}=+-.:/@$%^"

LayoutName = Literal["canonical", "varied"]


def _choices(kind: str, field_name: str) -> tuple[str, ...]:
    spec = KINDS[kind].field(field_name)
    assert spec is not None, f"{kind}.{field_name}"
    return spec.choices


def _subset(options: Sequence[T], *, min_size: int = 0, max_size: int | None = None) -> st.SearchStrategy[list[T]]:
    """Distinct elements of `options`, in the order drawn (shrinks towards the first options)."""
    top = len(options) if max_size is None else min(max_size, len(options))
    return _cached_subset(tuple(options), min(min_size, top), top)


# Strategies are built once per argument tuple: building and validating them anew for every draw
# costs more than the draws themselves.
_SUBSETS: dict[tuple[tuple[object, ...], int, int], st.SearchStrategy[Any]] = {}
_SAMPLED: dict[tuple[object, ...], st.SearchStrategy[Any]] = {}


def _cached_subset(options: tuple[T, ...], low: int, high: int) -> st.SearchStrategy[list[T]]:
    key = (options, low, high)
    found = _SUBSETS.get(key)
    if found is None:
        found = _SUBSETS[key] = (st.lists(st.sampled_from(options), min_size=low, max_size=high, unique=True)
                                 if options else st.just([]))
    return found


def _one_of(options: tuple[T, ...]) -> st.SearchStrategy[T]:
    found = _SAMPLED.get(options)
    if found is None:
        found = _SAMPLED[options] = st.sampled_from(options)
    return found


@cache
def _ints(low: int, high: int) -> st.SearchStrategy[int]:
    return st.integers(low, high)


_BOOLS = st.booleans()
_YES_NO = st.sampled_from(("yes", "no"))


# --- literals -----------------------------------------------------------------------------------


@cache
def identifiers() -> st.SearchStrategy[str]:
    """Names a user may give a declaration: snake_case, never a reserved or field-specific word."""
    return _word("abcdefghijklmnopqrstuvwxyz0123456789_", 11).filter(lambda s: s not in _SPECIAL_WORDS)


@cache
def _word(rest: str, max_rest: int, first: str = "abcdefghijklmnopqrstuvwxyz") -> st.SearchStrategy[str]:
    """A letter of `first`, then up to `max_rest` characters of `rest` (two cheap draws, no regex)."""
    return st.builds(str.__add__, st.sampled_from(first), st.text(rest, max_size=max_rest))


@cache
def _hostile_fragment() -> st.SearchStrategy[str]:
    printable = st.characters(codec="utf-8", exclude_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"))
    return st.text(st.one_of(printable, st.sampled_from(_MARKUP)), min_size=1, max_size=12)


@cache
def phrases(*, hostile: bool = False, max_words: int = 8) -> st.SearchStrategy[str]:
    """One line of text: a few words (with `hostile=True`, any printable characters and markup too)."""
    if hostile:
        words = st.lists(st.one_of(_one_of(_WORDS), _hostile_fragment()), min_size=1, max_size=max_words).map(" ".join)
    else:
        # One drawn string (a single choice for Hypothesis, so cheap to generate and to shrink),
        # cut into words of the notice vocabulary by its letters.
        words = st.text(_LETTERS, min_size=1, max_size=max_words * 2).map(_to_words)
    return words.map(lambda s: " ".join(s.split())).filter(bool).map(lambda s: s[:1].upper() + s[1:])


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _to_words(letters: str) -> str:
    """Each pair of letters picks a word: "aa" -> "we", ..."""
    pairs = [letters[i:i + 2].ljust(2, "a") for i in range(0, len(letters), 2)]
    picks = [ord(pair[0]) * 26 + ord(pair[1]) for pair in pairs]
    return " ".join(_WORDS[p % len(_WORDS)] for p in picks)


@cache
def titles(*, hostile: bool = False) -> st.SearchStrategy[str]:
    """A declaration's title."""
    return phrases(hostile=hostile, max_words=6)


@cache
def prose(*, hostile: bool = False, multiline: bool = True) -> st.SearchStrategy[str]:
    """Author text: sentences, and with `multiline` several lines and paragraphs (Markdown-safe unless hostile).

    Lines carry no leading or trailing white space and paragraphs are separated by one empty line,
    as authors write text blocks.
    """
    sentence = phrases(hostile=hostile, max_words=10).map(lambda s: s + ".")
    if not multiline:
        return sentence
    lines = st.lists(sentence, min_size=1, max_size=3).map("\n".join)
    return st.one_of(sentence, st.lists(lines, min_size=1, max_size=3).map("\n\n".join))


@cache
def emails() -> st.SearchStrategy[str]:
    return st.builds("{}@{}.example".format, _word("abcdefghijklmnopqrstuvwxyz0123456789", 9),
                     _word("abcdefghijklmnopqrstuvwxyz0123456789", 11))


@cache
def urls() -> st.SearchStrategy[str]:
    return st.builds("https://{}.example/{}".format, _word("abcdefghijklmnopqrstuvwxyz0123456789", 11),
                     st.text("abcdefghijklmnopqrstuvwxyz0123456789/_-", max_size=16))


@cache
def phones() -> st.SearchStrategy[str]:
    return st.builds("+44 {} {} {}".format, st.integers(10, 9999), st.integers(100, 9999), st.integers(1000, 9999))


@cache
def dates(min_value: dt.date = dt.date(2018, 5, 25), max_value: dt.date = dt.date(2030, 12, 31)
          ) -> st.SearchStrategy[dt.date]:
    return st.dates(min_value, max_value)


def _unit(amount: int, unit: str) -> str:
    return unit if amount == 1 else unit + "s"


@st.composite
def durations(draw: st.DrawFn) -> tuple[ast.Atom, ast.Atom]:
    """A duration as two atoms, `30 days` (units singular for one, plural otherwise, as printed)."""
    amount = draw(_ints(1, 100))
    unit = draw(_one_of(("day", "week", "month", "year")))
    return number(amount), name(_unit(amount, unit))


@st.composite
def retentions(draw: st.DrawFn, *, vocab: Vocabulary | None = None, hostile: bool = False,
               session: bool = False) -> ast.Item:
    """A retention expression: `6 years after contract_end "why"`, `until account_closed + 30 days`,
    `criteria "..."`, and `session` when `session` is set; events are the standard library's."""
    vocab = vocab or vocabulary()
    events = vocab.visible("event", ())
    form = draw(_one_of(("period", "after", "until", "until_plus", "criteria", "unless", "session")
                                if session else ("period", "after", "until", "until_plus", "criteria", "unless")))
    reason: list[ast.Atom] = [string(draw(phrases(hostile=hostile)))] if draw(_BOOLS) else []
    if form == "criteria":
        return item(name("criteria"), string(draw(prose(hostile=hostile, multiline=False))))
    if form == "session":
        return item(name("session"), *reason)
    if form in ("until", "until_plus"):
        event = name(draw(_one_of(tuple(events))))
        extra = [plus(), *draw(durations())] if form == "until_plus" else []
        return item(name("until"), event, *extra, *reason)
    period = draw(durations())
    if form == "after":
        return item(*period, name("after"), name(draw(_one_of(tuple(events)))), *reason)
    if form == "unless":
        return item(*period, name("unless"), name(draw(_one_of(tuple(events)))),
                    string(draw(phrases(hostile=hostile))))
    return item(*period, *reason)


def jurisdiction_sets(*, vocab: Vocabulary | None = None, require_transfer_law: bool = False
                      ) -> st.SearchStrategy[tuple[str, ...]]:
    """One or more of the standard library's laws; with `require_transfer_law`, at least one GDPR-style
    law that restricts transfers (so the transfer, basis and special-data rules apply)."""
    vocab = vocab or vocabulary()
    laws = _subset(vocab.laws, min_size=1).map(tuple)
    if require_transfer_law:
        return laws.filter(lambda js: bool(vocab.transfer_laws(js)))
    return laws


# --- declarations -------------------------------------------------------------------------------


class _Fields:
    """Collects a declaration's fields, each optional one drawn present or absent."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw
        self.fields: list[ast.Field] = []

    def add(self, field_name: str, *items: ast.Item) -> None:
        if items:
            self.fields.append(field(field_name, *items))

    def maybe(self, field_name: str, make: Callable[[], Sequence[ast.Item] | ast.Item]) -> None:
        if self.draw(_BOOLS):
            made = make()
            self.add(field_name, *([made] if isinstance(made, ast.Item) else made))


def _text_item(draw: st.DrawFn, hostile: bool) -> ast.Item:
    """A `text` value: a string, or a triple-quoted block (which may hold several lines)."""
    block = draw(_BOOLS)
    return item(string(draw(prose(hostile=hostile, multiline=block)), text=block))


def _str_item(draw: st.DrawFn, strategy: st.SearchStrategy[str]) -> ast.Item:
    return item(string(draw(strategy)))


def _words(draw: st.DrawFn, options: Sequence[str], min_size: int = 1, max_size: int = 3) -> list[ast.Item]:
    return [word_item(w) for w in draw(_subset(options, min_size=min_size, max_size=max_size))]


@st.composite
def contacts(draw: st.DrawFn, key: str, *, hostile: bool = False) -> ast.Decl:
    """A `contact` (a DPO, a representative): a name or role and at least one channel."""
    f = _Fields(draw)
    f.maybe("legal_name", lambda: _str_item(draw, titles(hostile=hostile)))
    f.maybe("role", lambda: _str_item(draw, _one_of(("Data Protection Officer", "UK representative"))))
    f.add("email", _str_item(draw, emails()))
    f.maybe("phone", lambda: _str_item(draw, phones()))
    f.maybe("address", lambda: _str_item(draw, phrases(hostile=hostile)))
    f.maybe("url", lambda: _str_item(draw, urls()))
    return decl("contact", key, draw(titles(hostile=hostile)), f.fields)


@st.composite
def controllers(draw: st.DrawFn, key: str, jurisdictions: Sequence[str], *, contacts: Sequence[str] = (),
                hostile: bool = False, vocab: Vocabulary | None = None) -> ast.Decl:
    """A `controller` established in a country of the standard library, with the authorities of its laws."""
    vocab = vocab or vocabulary()
    f = _Fields(draw)
    f.maybe("legal_name", lambda: _str_item(draw, titles(hostile=hostile)))
    f.maybe("trading_as", lambda: [_str_item(draw, titles(hostile=hostile))])
    f.maybe("registration", lambda: _str_item(draw, phrases(hostile=hostile)))
    f.maybe("address", lambda: _str_item(draw, phrases(hostile=hostile)))
    f.maybe("country", lambda: word_item(draw(_one_of(tuple(vocab.visible("country", jurisdictions))))))
    f.maybe("email", lambda: _str_item(draw, emails()))
    f.maybe("phone", lambda: _str_item(draw, phones()))
    f.maybe("url", lambda: _str_item(draw, urls()))
    if contacts:
        f.maybe("dpo", lambda: word_item(draw(_one_of(tuple(contacts)))))
        f.maybe("representative", lambda: word_item(draw(_one_of(tuple(contacts)))))
    authorities = vocab.visible("authority", jurisdictions)
    if authorities:
        f.maybe("authority", lambda: _words(draw, authorities, max_size=2))
    return decl("controller", key, draw(titles(hostile=hostile)), f.fields)


@st.composite
def sources(draw: st.DrawFn, key: str, *, hostile: bool = False) -> ast.Decl:
    """A named third-party `source` of data."""
    f = _Fields(draw)
    f.maybe("legal_name", lambda: _str_item(draw, titles(hostile=hostile)))
    f.maybe("description", lambda: _text_item(draw, hostile))
    f.maybe("public", lambda: word_item(draw(_YES_NO)))
    f.maybe("url", lambda: _str_item(draw, urls()))
    return decl("source", key, draw(titles(hostile=hostile)), f.fields)


@st.composite
def personal_data(draw: st.DrawFn, key: str, *, sources: Sequence[str] = (), special: bool | None = None,
                  criminal: bool | None = None, hostile: bool = False, vocab: Vocabulary | None = None) -> ast.Decl:
    """A `data` category over the standard library's taxonomy.

    `special` / `criminal`: True makes it Art 9 special-category / Art 10 data, False keeps it
    ordinary, None draws.
    """
    vocab = vocab or vocabulary()
    special = draw(_BOOLS) if special is None else special
    criminal = draw(_BOOLS) if criminal is None else criminal
    f = _Fields(draw)
    f.maybe("includes", lambda: [_str_item(draw, phrases(hostile=hostile, max_words=4))
                                 for _ in range(draw(_ints(1, 3)))])
    f.maybe("description", lambda: _text_item(draw, hostile))
    f.add("category", *_words(draw, vocab.ordinary_categories()))
    if special:
        f.add("special", *_words(draw, vocab.special_categories(), max_size=2))
    if criminal:
        f.add("criminal", word_item("yes"))
    f.maybe("source", lambda: _words(draw, (*DATA_SOURCES, *sources), max_size=2))
    f.maybe("required_for", lambda: word_item(draw(_one_of(_choices("data", "required_for")))))
    f.maybe("if_not_provided", lambda: _text_item(draw, hostile))
    f.maybe("subjects", lambda: [_str_item(draw, phrases(hostile=hostile, max_words=3))])
    return decl("data", key, draw(titles(hostile=hostile)), f.fields)


def _countries(vocab: Vocabulary, jurisdictions: Sequence[str]) -> tuple[str, ...]:
    return (*vocab.visible("country", jurisdictions), *vocab.visible("region", jurisdictions))


@st.composite
def recipients(draw: st.DrawFn, key: str, jurisdictions: Sequence[str], *, uses: Sequence[str] = (),
               hostile: bool = False, vocab: Vocabulary | None = None) -> ast.Decl:
    """A `recipient`, in countries of the standard library, with safeguards visible to the policy."""
    vocab = vocab or vocabulary()
    f = _Fields(draw)
    f.maybe("role", lambda: word_item(draw(_one_of(_choices("recipient", "role")))))
    f.maybe("legal_name", lambda: _str_item(draw, titles(hostile=hostile)))
    f.maybe("description", lambda: _text_item(draw, hostile))
    f.maybe("includes", lambda: [_str_item(draw, titles(hostile=hostile)) for _ in range(draw(_ints(1, 2)))])
    f.maybe("sector", lambda: _str_item(draw, phrases(hostile=hostile, max_words=3)))
    f.maybe("country", lambda: _words(draw, _countries(vocab, jurisdictions)))
    safeguards = [s for s in vocab.visible("safeguard", jurisdictions, uses)]
    f.maybe("safeguard", lambda: _words(draw, safeguards, max_size=2))
    f.maybe("safeguard_copy", lambda: _text_item(draw, hostile))
    f.maybe("sells", lambda: word_item(draw(_YES_NO)))
    f.maybe("shares", lambda: word_item(draw(_YES_NO)))
    f.maybe("url", lambda: _str_item(draw, urls()))
    return decl("recipient", key, draw(titles(hostile=hostile)), f.fields)


@st.composite
def decisions(draw: st.DrawFn, key: str, *, data: Sequence[str] = (), hostile: bool = False) -> ast.Decl:
    """An automated `decision` (Art 22)."""
    f = _Fields(draw)
    if data:
        f.maybe("uses", lambda: _words(draw, data))
    f.maybe("description", lambda: _text_item(draw, hostile))
    f.maybe("logic", lambda: _text_item(draw, hostile))
    f.maybe("significance", lambda: _text_item(draw, hostile))
    f.maybe("consequences", lambda: _text_item(draw, hostile))
    f.maybe("solely_automated", lambda: word_item(draw(_YES_NO)))
    f.maybe("legal_effect", lambda: word_item(draw(_YES_NO)))
    f.maybe("safeguards", lambda: _words(draw, _choices("decision", "safeguards")))
    return decl("decision", key, draw(titles(hostile=hostile)), f.fields)


def data_flags(data: ast.Decl, vocab: Vocabulary | None = None) -> tuple[bool, bool]:
    """Is this `data` declaration (special-category, criminal-offence) data, by its fields?"""
    vocab = vocab or vocabulary()
    special = criminal = False
    for fld in data.fields:
        words = [i.atoms[0].dotted for i in fld.items if i.atoms and isinstance(i.atoms[0], ast.Name)]
        if fld.name in ("category", "special"):
            for word in words:
                category = vocab.categories.get(word)
                special |= fld.name == "special" or bool(category and category.special)
                criminal |= bool(category and category.criminal)
        elif fld.name == "criminal":
            criminal |= "yes" in words
    return special, criminal


@st.composite
def purposes(draw: st.DrawFn, key: str, jurisdictions: Sequence[str], *, data: Sequence[ast.Decl] = (),
             recipients: Sequence[str] = (), decisions: Sequence[str] = (), conditions: bool | None = None,
             role: str | None = None, hostile: bool = False, vocab: Vocabulary | None = None) -> ast.Decl:
    """A `purpose` using some of `data`, on the standard library's bases, sharing with some of `recipients`.

    When it uses special-category or criminal-offence data it gets an Art 9 / Art 10 condition if
    `conditions` is True (None: drawn). A basis that needs an interest or a citation gets one.
    `role`: "controller" or "processor" (None: mostly controller).
    """
    vocab = vocab or vocabulary()
    f = _Fields(draw)
    used = draw(_subset([d for d in data if d.name is not None], min_size=1, max_size=3))
    f.add("uses", *[word_item(d.key) for d in used])
    f.maybe("description", lambda: _text_item(draw, hostile))
    f.maybe("kind", lambda: _words(draw, vocab.visible("purpose_kind", jurisdictions), max_size=2))
    basis_items = []
    # The bases common to both laws (`core`): a law's own basis, such as the UK's recognised legitimate
    # interests, is in force only under that law and from a date, so it is no basis for every policy drawn.
    common = set(vocab.declared.get("core", {}).get("basis", ()))
    shared = [b for b in vocab.visible("basis", jurisdictions) if b in common]
    for basis in draw(_subset(shared, min_size=1, max_size=2)):
        grounds = vocab.bases.get(basis)
        note = bool(grounds and grounds.requires & {"interest", "law_citation"}) or draw(_BOOLS)
        basis_items.append(item(name(basis), string(draw(phrases(hostile=hostile)))) if note else word_item(basis))
    f.add("basis", *basis_items)
    special = any(data_flags(d, vocab)[0] for d in used)
    criminal = any(data_flags(d, vocab)[1] for d in used)
    wanted = draw(_BOOLS) if conditions is None else conditions
    if wanted and (special or criminal):
        chosen = []
        if special:
            chosen.append(draw(_one_of(tuple(vocab.art9_conditions()))))
        if criminal:
            chosen.append(draw(_one_of(tuple(vocab.art10_conditions()))))
        f.add("condition", *[item(name(c), string(draw(phrases(hostile=hostile)))) for c in chosen])
    if draw(_ints(0, 4)):  # mostly present
        f.add("retain", draw(retentions(vocab=vocab, hostile=hostile)))
    if recipients:
        f.maybe("shares_with", lambda: _words(draw, recipients))
    else:
        f.maybe("shares_with", lambda: [word_item("none")])
    f.maybe("direct_marketing", lambda: word_item(draw(_YES_NO)))
    if decisions:
        f.maybe("automated_decisions", lambda: _words(draw, decisions, max_size=1))
    f.maybe("subjects", lambda: [_str_item(draw, phrases(hostile=hostile, max_words=3))])
    chosen_role = role if role is not None else ("processor" if draw(_ints(0, 9)) == 0 else None)
    if chosen_role is not None:
        f.add("role", word_item(chosen_role))
        if chosen_role == "processor":
            f.add("on_behalf_of", _str_item(draw, phrases(hostile=hostile)))
    return decl("purpose", key, draw(titles(hostile=hostile)), f.fields)


@st.composite
def cookies(draw: st.DrawFn, key: str, *, purposes: Sequence[str], recipients: Sequence[str] = (),
            hostile: bool = False) -> ast.Decl:
    """A `cookie` serving some of `purposes` (at least one must be given), set by us or a recipient."""
    f = _Fields(draw)
    if recipients:
        f.maybe("provider", lambda: word_item(draw(_one_of(("first_party", *recipients)))))
    f.add("purpose", *_words(draw, purposes, max_size=2))
    f.maybe("expires", lambda: word_item("session") if draw(_BOOLS) else item(*draw(durations())))
    f.maybe("kind", lambda: word_item(draw(_one_of(_choices("cookie", "kind")))))
    f.maybe("technology", lambda: word_item(draw(_one_of(_choices("cookie", "technology")))))
    cookie_names = _word("abcdefghijklmnopqrstuvwxyz0123456789_", 10, "_abcdefghijklmnopqrstuvwxyz")
    f.maybe("name", lambda: [_str_item(draw, cookie_names)])
    f.maybe("description", lambda: _text_item(draw, hostile))
    return decl("cookie", key, draw(titles(hostile=hostile)), f.fields)


@st.composite
def sections(draw: st.DrawFn, key: str, *, hostile: bool = False) -> ast.Decl:
    """Author prose in a `section`, placed after a standard section or at the end."""
    f = _Fields(draw)
    f.add("text", _text_item(draw, hostile))
    f.maybe("after", lambda: word_item(draw(_one_of(_choices("section", "after")))))
    return decl("section", key, draw(titles(hostile=hostile)), f.fields)


@st.composite
def security_blocks(draw: st.DrawFn, jurisdictions: Sequence[str], *, hostile: bool = False,
                    vocab: Vocabulary | None = None) -> ast.Decl:
    """The `security` declaration: measures of the standard library, certifications, hosting countries."""
    vocab = vocab or vocabulary()
    f = _Fields(draw)
    f.maybe("measures", lambda: _words(draw, vocab.visible("measure", jurisdictions), max_size=4))
    f.maybe("certifications", lambda: _words(draw, _choices("security", "certifications")))
    f.maybe("hosting", lambda: _words(draw, _countries(vocab, jurisdictions)))
    f.maybe("text", lambda: _text_item(draw, hostile))
    return decl("security", None, None, f.fields)


@st.composite
def rights_blocks(draw: st.DrawFn, jurisdictions: Sequence[str], *, contacts: Sequence[str] = (),
                  hostile: bool = False, vocab: Vocabulary | None = None) -> ast.Decl:
    """The `rights` declaration: how to make a request, wording for some rights, extra or withheld rights."""
    vocab = vocab or vocabulary()
    rights = vocab.rights_of(jurisdictions)
    f = _Fields(draw)
    channels = [item(string(draw(emails()))), item(string(draw(urls()))), item(string(draw(phones()))),
                *[word_item(c) for c in contacts]]
    f.maybe("contact", lambda: draw(_subset(channels, min_size=1, max_size=2)))
    f.maybe("respond_within", lambda: item(*draw(durations())))
    for text_field in (spec.name for spec in KINDS["rights"].fields if spec.vt is VT.TEXT):
        f.maybe(text_field, lambda: _text_item(draw, hostile))
    described = draw(_subset(rights, max_size=2))
    for right in described:
        f.add("describe", item(name(right), string(draw(prose(hostile=hostile, multiline=False)))))
    f.maybe("also", lambda: _words(draw, rights, max_size=2))
    for right in draw(_subset([r for r in rights if r not in described], max_size=1)):
        f.add("exclude", item(name(right), string(draw(phrases(hostile=hostile)))))
    return decl("rights", None, None, f.fields)


@st.composite
def policy_decls(draw: st.DrawFn, jurisdictions: Sequence[str], controllers: Sequence[str], *,
                 effective: dt.date | None = None, hostile: bool = False) -> ast.Decl:
    """The `policy` declaration itself, with `effective` when a date is given."""
    f = _Fields(draw)
    f.add("controller", *[word_item(c) for c in controllers])
    f.maybe("version", lambda: _str_item(draw, st.builds("{}.{}".format, _ints(1, 99), _ints(0, 9))))
    if effective is not None:
        f.add("effective", item(date(effective.isoformat())))
    f.maybe("reviewed", lambda: item(date(draw(dates()).isoformat())))
    f.maybe("language", lambda: _str_item(draw, _one_of(("en", "en-GB", "en-US", "en-IE"))))
    f.add("jurisdictions", *[word_item(j) for j in jurisdictions])
    f.maybe("audience", lambda: _words(draw, _choices("policy", "audience")))
    f.maybe("url", lambda: _str_item(draw, urls()))
    f.maybe("summary", lambda: _text_item(draw, hostile))
    f.maybe("changes", lambda: _text_item(draw, hostile))
    f.maybe("cookie_consent", lambda: word_item(draw(_one_of(_choices("policy", "cookie_consent")))))
    f.maybe("minimum_age", lambda: item(number(draw(_ints(13, 18)))))
    f.maybe("children", lambda: _text_item(draw, hostile))
    if "ccpa" in jurisdictions:
        f.maybe("do_not_sell_url", lambda: _str_item(draw, urls()))
        f.maybe("limit_use_url", lambda: _str_item(draw, urls()))
        f.maybe("sells_minors", lambda: word_item(draw(_YES_NO)))
    return decl("policy", None, draw(titles(hostile=hostile)), f.fields)


# --- whole policies -----------------------------------------------------------------------------


@st.composite
def policies(draw: st.DrawFn, jurisdictions: Sequence[str] | None = None, *, max_data: int = 4,
             max_purposes: int = 4, max_recipients: int = 3, max_cookies: int = 3, effective: bool | None = None,
             special_conditions: bool | None = None, hostile: bool = False,
             vocab: Vocabulary | None = None) -> ast.Module:
    """A whole well-typed policy file as a syntax tree.

    `jurisdictions`: the laws it answers to (None: drawn from the standard library's laws).
    `max_*`: upper bounds on how many declarations of each kind (at least one data and one purpose).
    `effective`: True always gives an `effective` date, False never, None draws.
    `special_conditions`: passed to `purposes(conditions=...)` for every purpose.
    `hostile`: titles and text may hold any printable characters and Markdown/HTML punctuation.
    """
    vocab = vocab or vocabulary()
    laws = tuple(jurisdictions) if jurisdictions is not None else draw(jurisdiction_sets(vocab=vocab))
    uses = tuple(draw(_subset([m for m in vocab.laws if m not in laws], max_size=1))) if draw(
        _ints(0, 3)) == 0 else ()
    names = identifiers()

    def keys(low: int, high: int) -> list[str]:
        return draw(st.lists(names, min_size=low, max_size=max(low, high), unique=True))

    contact_keys = keys(0, 1)
    source_keys = keys(0, 1)
    data_keys = keys(1, max_data)
    recipient_keys = keys(0, max_recipients)
    decision_keys = keys(0, 1)
    purpose_keys = keys(1, max_purposes)
    cookie_keys = keys(0, max_cookies)
    section_keys = keys(0, 1)
    controller_key = draw(names)
    on = draw(dates()) if (draw(_BOOLS) if effective is None else effective) else None

    contact_decls = [draw(contacts(k, hostile=hostile)) for k in contact_keys]
    data_decls = [draw(personal_data(k, sources=source_keys, hostile=hostile, vocab=vocab)) for k in data_keys]
    purpose_decls = [
        draw(purposes(k, laws, data=data_decls, recipients=recipient_keys, decisions=decision_keys,
                      conditions=special_conditions, hostile=hostile, vocab=vocab))
        for k in purpose_keys
    ]
    items: list[ast.TopLevel] = [use(m) for m in uses]
    items.append(draw(policy_decls(laws, [controller_key], effective=on, hostile=hostile)))
    items.append(draw(controllers(controller_key, laws, contacts=contact_keys, hostile=hostile, vocab=vocab)))
    items.extend(contact_decls)
    items.extend(draw(sources(k, hostile=hostile)) for k in source_keys)
    items.extend(data_decls)
    items.extend(draw(recipients(k, laws, uses=uses, hostile=hostile, vocab=vocab)) for k in recipient_keys)
    items.extend(draw(decisions(k, data=data_keys, hostile=hostile)) for k in decision_keys)
    items.extend(purpose_decls)
    items.extend(draw(cookies(k, purposes=purpose_keys, recipients=recipient_keys, hostile=hostile))
                 for k in cookie_keys)
    items.extend(draw(sections(k, hostile=hostile)) for k in section_keys)
    if draw(_BOOLS):
        items.append(draw(security_blocks(laws, hostile=hostile, vocab=vocab)))
    if draw(_BOOLS):
        items.append(draw(rights_blocks(laws, contacts=contact_keys, hostile=hostile, vocab=vocab)))
    return module(items)


@st.composite
def policy_texts(draw: st.DrawFn, jurisdictions: Sequence[str] | None = None, *, layout: LayoutName = "canonical",
                 hostile: bool = False, vocab: Vocabulary | None = None) -> str:
    """The source text of a policy from `policies()`.

    `layout="canonical"` prints it as `policyc fmt` would; `layout="varied"` writes the same tree
    with drawn white space, blank lines, `;` separators, one-line blocks, lists broken after commas,
    and comments on their own lines and after code (comments directly above a declaration become its
    doc comment, so compare with `same_tree(..., docs=False)`).
    """
    tree = draw(policies(jurisdictions, hostile=hostile, vocab=vocab))
    if layout == "canonical":
        return print_module(tree)
    return _VariedWriter(draw).module(tree)


@st.composite
def policies_with_text(draw: st.DrawFn, jurisdictions: Sequence[str] | None = None, *,
                       layout: LayoutName = "varied", hostile: bool = False,
                       vocab: Vocabulary | None = None) -> tuple[ast.Module, str]:
    """A policy tree and a text of it (see `policy_texts` for the layouts)."""
    tree = draw(policies(jurisdictions, hostile=hostile, vocab=vocab))
    text = print_module(tree) if layout == "canonical" else _VariedWriter(draw).module(tree)
    return tree, text


class _VariedWriter:
    """Writes a tree as text with drawn layout choices; the text parses back to the same tree."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw

    def flag(self, chance: int = 2) -> bool:
        """True about once in `chance` draws (shrinks to False)."""
        return self.draw(_ints(0, chance - 1)) == chance - 1

    def space(self) -> str:
        return self.draw(_one_of((" ", " ", "  ", "\t", " \t ")))

    def comment(self) -> str:
        return "#" + self.draw(_one_of(("", " "))) + self.draw(phrases(max_words=5))

    def trailing(self) -> str:
        return self.space() + self.comment() if self.flag(5) else ""

    def module(self, tree: ast.Module) -> str:
        out: list[str] = []
        for index, top in enumerate(tree.items):
            if index or self.flag(4):
                out.append("\n" * self.draw(_ints(0, 2)))
            while self.flag(4):
                out.append(self.comment() + "\n")
            if isinstance(top, ast.Use):
                target = top.target.dotted if isinstance(top.target, ast.Name) else quote(top.target.value)
                out.append(f"use{self.space()}{target}{self.trailing()}\n")
            elif isinstance(top, ast.Decl):
                out.append(self.decl(top))
            else:  # pragma: no cover - the strategies write no assertions
                raise ValueError("assertions are not written by the varied layout")
        return "".join(out)

    def decl(self, d: ast.Decl) -> str:
        header = self.space().join(header_words(d)) + self.space() + "{"
        blocks = any(isinstance(a, ast.Str) and a.text for f in d.fields for i in f.items for a in i.atoms)
        if not d.fields:
            return header + self.space() + "}" + self.trailing() + "\n"
        if not blocks and len(d.fields) <= 3 and self.flag(4):
            body = (";" + self.space()).join(self.field(f, "") for f in d.fields)
            return header + self.space() + body + self.space() + "}" + self.trailing() + "\n"
        indent = " " * self.draw(_ints(0, 6))
        lines = [header + self.trailing()]
        for fld in d.fields:
            if self.flag(6):
                lines.append("")
            if self.flag(8):
                lines.append(indent + self.comment())
            end = self.draw(_one_of(("", "", ";", " ;")))
            lines.append(indent + self.field(fld, indent) + end + self.trailing())
        lines.append(self.draw(_one_of(("", " "))) + "}" + self.trailing())
        return "\n".join(lines) + "\n"

    def field(self, fld: ast.Field, indent: str) -> str:
        parts = [fld.name + self.space() + self.item(fld.items[0], indent)]
        for value in fld.items[1:]:
            if self.flag(4):
                comment = self.space() + self.comment() if self.flag(3) else ""
                parts.append("," + comment + "\n" + indent + INDENT + self.item(value, indent + INDENT))
            else:
                parts.append("," + self.space() + self.item(value, indent))
        return "".join(parts)

    def item(self, value: ast.Item, indent: str) -> str:
        words = []
        for atom in value.atoms:
            if isinstance(atom, ast.Str):
                words.append(text_block(atom.value, indent, inline=True) if atom.text else quote(atom.value))
            elif isinstance(atom, ast.Name):
                words.append(atom.dotted)
            elif isinstance(atom, ast.Number):
                words.append(str(atom.value))
            elif isinstance(atom, ast.DateLit):
                words.append(atom.value)
            elif isinstance(atom, ast.Plus):
                words.append("+")
            else:  # pragma: no cover - generated trees hold no bad atoms
                raise ValueError(f"cannot write {atom!r}")
        return self.space().join(words)
