"""Value objects of the model: lengths of time, cookie lifetimes and countries.

Each is immutable, hashable and compared by value, and gives its canonical form (ISO 8601 for a
duration, ISO 3166-1 alpha-2 for a country) through a property, so that backends, rules and the
diff read the value rather than parse a string back. `Duration.parse` is the one reader of the ISO
form, for values that come from outside a policy (tests, foreign files).
"""

from __future__ import annotations

from policyc.patterns import regex
from policyc.records import record

# The approximate days of each unit, for comparing durations (a month is 30.44 days, a year 365.25).
UNIT_DAYS = {"D": 1.0, "W": 7.0, "M": 30.44, "Y": 365.25}
UNIT_WORDS = {"D": "day", "W": "week", "M": "month", "Y": "year"}
_ISO = regex(r"P(\d+)([DWMY])")
_MONTHS = {"M": 1, "Y": 12}  # units counted exactly in months
_DAYS = {"D": 1, "W": 7}  # units counted exactly in days


@record(frozen=True, slots=True)
class Duration:
    """A length of time as the language writes it: an amount of days, weeks, months or years.

    Equal when amount and unit are equal (`12 months` is not written as `1 year`); ordered by length:
    exactly between years and months and between weeks and days (`12 months` is neither longer nor
    shorter than `1 year`), by approximate days otherwise (`Duration(31, "D") > Duration(1, "M")`).
    """

    amount: int
    unit: str  # D, W, M or Y

    def __post_init__(self) -> None:
        if self.unit not in UNIT_DAYS:
            raise ValueError(f"not a unit of time: {self.unit!r}")

    @classmethod
    def parse(cls, iso: str) -> Duration | None:
        """`P6Y` -> Duration(6, "Y"); None for anything else (this model writes one unit only)."""
        match = _ISO.fullmatch(iso)
        return cls(int(match.group(1)), match.group(2)) if match else None

    @property
    def iso(self) -> str:
        """The ISO 8601 form: `P6Y`, `P30D`."""
        return f"P{self.amount}{self.unit}"

    @property
    def days(self) -> float:
        """An approximate length in days, for comparisons only."""
        return self.amount * UNIT_DAYS[self.unit]

    @property
    def words(self) -> str:
        """In English: `6 years`, `1 month`."""
        return f"{self.amount} {UNIT_WORDS[self.unit]}{'' if self.amount == 1 else 's'}"

    def _versus(self, other: Duration) -> float:
        """Negative when shorter than `other`, zero when as long, positive when longer."""
        if self.unit in _MONTHS and other.unit in _MONTHS:
            return self.amount * _MONTHS[self.unit] - other.amount * _MONTHS[other.unit]
        if self.unit in _DAYS and other.unit in _DAYS:
            return self.amount * _DAYS[self.unit] - other.amount * _DAYS[other.unit]
        return self.days - other.days

    def __lt__(self, other: Duration) -> bool:
        return self._versus(other) < 0

    def __le__(self, other: Duration) -> bool:
        return self._versus(other) <= 0

    def __gt__(self, other: Duration) -> bool:
        return self._versus(other) > 0

    def __ge__(self, other: Duration) -> bool:
        return self._versus(other) >= 0

    def __str__(self) -> str:
        return self.iso


SESSION = "session"


@record(frozen=True, slots=True)
class Expiry:
    """How long a cookie lasts: a period, or until the browsing session ends (`period` None)."""

    period: Duration | None = None

    @classmethod
    def parse(cls, text: str) -> Expiry | None:
        """`session` or `P13M`; None for anything else."""
        if text == SESSION:
            return cls()
        period = Duration.parse(text)
        return cls(period) if period is not None else None

    @property
    def session(self) -> bool:
        return self.period is None

    @property
    def canonical(self) -> str:
        """`session`, or the period in ISO 8601 (`P13M`)."""
        return SESSION if self.period is None else self.period.iso

    @property
    def days(self) -> float:
        """An approximate length in days; a session cookie counts as half a day (it lasts less than one)."""
        return 0.5 if self.period is None else self.period.days

    def __str__(self) -> str:
        return self.canonical


@record(frozen=True, slots=True)
class Country:
    """A country (ISO 3166-1 alpha-2 code, `GB`) or a region of the standard library (`EEA`), with its name."""

    code: str
    name: str = ""  # the title of its declaration; "" when the policy's libraries give none

    @property
    def label(self) -> str:
        """Its name, else its code."""
        return self.name or self.code

    def __str__(self) -> str:
        return self.code
