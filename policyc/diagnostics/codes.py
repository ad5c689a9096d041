"""The registry of diagnostic codes: one row per code, never reused.

Every code has a slug, a family, a default severity, the article or reference it rests on, and a
one-line summary. `docs/rules/<CODE>.md` explains each one; `policyc rules` lists them.
"""

from __future__ import annotations

from policyc.diagnostics.model import Severity
from policyc.records import record

E = Severity.ERROR
W = Severity.WARNING


@record(frozen=True, slots=True)
class Code:
    """A diagnostic code of the registry: its slug, severity, summary and article."""

    code: str
    slug: str
    severity: Severity
    summary: str
    article: str = ""

    @property
    def family(self) -> str:
        return FAMILIES[self.code[0]]


FAMILIES = {
    "S": "syntax",
    "N": "names and modules",
    "T": "kinds, fields and value types",
    "P": "GDPR / UK GDPR notice rules",
    "C": "CCPA / CPRA notice rules",
    "A": "user assertions",
    "Q": "quality of the text",
    "D": "material changes",
    "U": "the live site (policyc audit)",
}

_ROWS = (
    # syntax
    Code("S001", "unexpected-token", E, "a token that cannot come at this point"),
    Code("S002", "unterminated-string", E, "a string that is not closed before the end of the line"),
    Code("S003", "invalid-character", E, "a character that is not part of the language"),
    Code("S004", "unclosed-block", E, "a `{` without its matching `}`"),
    Code("S005", "unreadable-file", E, "a file that is not UTF-8 text"),
    Code("S006", "field-assignment", E, "`=` or `:` between a field and its value"),
    Code("S007", "single-quoted-string", E, "a string in single quotes"),
    Code("S008", "unmatched-brace", E, "a `}` with no `{` to close"),
    Code("S009", "too-deeply-nested", E, "brackets nested deeper than the language allows"),
    Code("S010", "too-many-errors", E, "so many syntax errors that checking stopped"),
    Code("S011", "invalid-escape", E, "a backslash in a string that starts no known escape"),
    Code("S012", "file-too-large", E, "a file with so many tokens that reading it stopped"),
    # names and modules
    Code("N001", "unknown-name", E, "a reference to a name that is not declared"),
    Code("N002", "duplicate-declaration", E, "two declarations of the same kind with the same name"),
    Code("N003", "import-not-found", E, "a `use` of a module or file that does not exist"),
    Code("N004", "import-cycle", E, "files that import each other"),
    Code("N005", "import-outside-root", E, "a `use` of a file outside the project root"),
    Code("N006", "ambiguous-name", E, "a name that two imported modules define"),
    # kinds, fields and value types
    Code("T001", "unknown-field", E, "a field that the kind does not have, or an unknown kind"),
    Code("T002", "missing-field", E, "a required field that is not given"),
    Code("T003", "wrong-value-type", E, "a value of the wrong type for its field"),
    Code("T004", "wrong-kind", E, "a reference to a declaration of the wrong kind"),
    Code("T005", "field-repeated", E, "a field given more than once"),
    Code("T006", "invalid-literal", E, "an invalid date, e-mail address, URL or number"),
    Code("T007", "singleton-repeated", E, "more than one `policy`, `rights` or `security` in a file"),
    Code("T008", "missing-name", E, "a declaration without the name its kind needs"),
    # GDPR and UK GDPR notice rules
    Code("P001", "controller-identity", E, "the controller is named and has a contact channel", "13(1)(a), 14(1)(a)"),
    Code("P002", "representative-missing", E, "a controller outside the jurisdiction names a representative",
         "13(1)(a), 27"),
    Code("P003", "dpo-contact", E, "a designated DPO has contact details", "13(1)(b)"),
    Code("P004", "representative-outside-area", E, "the Art 27 representative is established in the law's area",
         "27(1), 27(3)"),
    Code("P010", "purpose-without-basis", E, "every purpose has a lawful basis", "13(1)(c), 6(1)"),
    Code("P012", "legitimate-interest-unstated", E, "legitimate interests name the interest", "13(1)(d)"),
    Code("P013", "vague-purpose", W, "a purpose is described specifically", "5(1)(b), WP260"),
    Code("P014", "purpose-without-data", E, "a purpose uses at least one data category", "13(1)(c)"),
    Code("P015", "consent-for-necessary-processing", W, "consent is not the basis for processing the service needs",
         "6(1)(b), 7(4); EDPB 05/2020 paras 26-36"),
    Code("P021", "source-missing", E, "data not from the subject names its source and whether it is public",
         "14(2)(f)"),
    Code("P022", "source-unstated", W, "each data category says where it comes from", "13, 14"),
    Code("P023", "art14-timing-unstated", W, "data obtained from others says when people are told of it (at "
         "most one month)", "14(3)(a)-(c)"),
    Code("P024", "source-contradicted", W, "data said to come from the person that the policy elsewhere says "
         "comes from a third party", "14(1), 14(2)(f)"),
    Code("P030", "recipients-unstated", E, "recipients are stated, or the notice says there are none", "13(1)(e)"),
    Code("P031", "recipient-too-generic", W, "a recipient category says its type and sector", "WP260"),
    Code("P032", "purpose-sharing-unstated", W, "each purpose names its recipients or says `shares_with none`; "
         "`none` never stands beside recipients", "13(1)(e)"),
    Code("P033", "joint-arrangement-missing", E, "joint controllers give the essence of their arrangement",
         "26(2)"),
    Code("P040", "transfer-without-safeguard", E, "an international transfer has a valid mechanism",
         "13(1)(f), 44-49"),
    Code("P041", "safeguard-copy-missing", E, "an Art 46/47 transfer says how to get a copy of the safeguards",
         "13(1)(f)"),
    Code("P042", "derogation-for-routine-transfer", W, "an Art 49 derogation is used for a routine transfer",
         "49(1), EDPB 2/2018"),
    Code("P043", "safeguard-without-transfer", W, "a transfer safeguard on a recipient whose data does not leave "
         "the area", "44"),
    Code("P044", "safeguard-wrong-law", E, "the transfer mechanism does not exist under the policy's law", "46"),
    Code("P045", "transfer-countries-unstated", W, "a transfer names the third countries the data goes to",
         "13(1)(f), WP260 para 48"),
    Code("P046", "derogation-unspecified", W, "a transfer on an Art 49 derogation says which one", "13(1)(f), 49(1)"),
    Code("P047", "safeguard-not-in-force", E, "a transfer mechanism is in force on the notice's effective date",
         "46"),
    Code("P050", "retention-missing", E, "every purpose has a retention period or criteria", "13(2)(a)"),
    Code("P051", "retention-vague", W, "retention is only 'as long as necessary'", "13(2)(a), WP260"),
    Code("P060", "right-withheld", E, "a right the bases grant is excluded or missing", "13(2)(b), 15-22"),
    Code("P061", "right-not-applicable", W, "a right is promised where no basis grants it", "17(3), 20(1)"),
    Code("P062", "objection-missing", E,
         "public task, legitimate interests and direct marketing come with the right to object and a way to use it",
         "21(1), 21(4)"),
    Code("P063", "marketing-objection", E, "direct marketing comes with the absolute right to object", "21(2)-(3)"),
    Code("P064", "consent-withdrawal", E, "consent comes with the right to withdraw and how", "13(2)(c), 7(3)"),
    Code("P065", "complaint-authority", E, "the right to complain to a named supervisory authority",
         "13(2)(d), 77"),
    Code("P066", "complaint-to-controller", W, "a route to complain to the controller itself (UK, from 2026-06-19)",
         "DUAA 2025 s103"),
    Code("P067", "described-right-not-offered", W, "a `describe` of a right the notice does not offer", "13(2)(b)"),
    Code("P068", "withdrawal-partial", W, "the `withdraw` text's routes reach every consent, not only marketing "
         "messages or cookies", "7(3), 13(2)(c)"),
    Code("P070", "requirement-undisclosed", E, "whether providing data is required, and what follows if not",
         "13(2)(e)"),
    Code("P071", "response-too-slow", E, "requests are answered within one month", "12(3)"),
    Code("P072", "fee-charged", E, "requests are free, a fee only for manifestly unfounded or excessive ones",
         "12(5), 15(3)"),
    Code("P073", "response-extension-as-rule", W, "the extension for complex requests is not the time to answer "
         "every request", "12(3)"),
    Code("P080", "automated-decision-undisclosed", E, "automated decisions give logic, significance, consequences "
         "and safeguards", "13(2)(f), 22"),
    Code("P081", "automated-decision-special-data", E, "automated decisions on special data rest on explicit "
         "consent or substantial public interest", "22(4)"),
    Code("P082", "dpia-screening", W, "processing that meets two or more WP248 criteria records a DPIA",
         "35, WP248 rev.01"),
    Code("P083", "automated-decision-recognised-interests", E, "a significant solely automated decision does not "
         "rest on recognised legitimate interests alone (UK, from 2026-02-05)", "UK GDPR 22B, DUAA 2025 s80"),
    Code("P084", "automated-decision-without-ground", E, "a solely automated decision with legal or similarly "
         "significant effects rests on contract, law or explicit consent", "22(2)"),
    Code("P090", "special-without-condition", E, "special-category data has an Art 9(2) condition", "9"),
    Code("P091", "condition-law-uncited", W, "an Art 9(2)(b), (g)-(j) condition cites the enabling law",
         "9(2), DPA 2018 s10"),
    Code("P092", "vital-interests-misused", W, "vital interests used for routine processing", "9(2)(c)"),
    Code("P093", "criminal-without-condition", E, "criminal-offence data has an Art 10 condition", "10"),
    Code("P094", "condition-without-special-data", W, "an Art 9 or Art 10 condition on a purpose that uses no such "
         "data", "9(2), 10"),
    Code("P095", "public-task-private-body", W, "a private body relies on public task without citing the law that "
         "vests the task in it", "6(1)(e), 6(3)"),
    Code("P096", "legitimate-interests-public-body", W, "a public body relies on legitimate interests, which "
         "Art 6(1) denies it for its tasks", "6(1) second subparagraph"),
    Code("P100", "child-consent-age", E, "a service for children on consent states the age of digital consent",
         "8"),
    Code("P110", "unused-declaration", W, "a data category, recipient, source or decision no purpose uses"),
    Code("P111", "denial-contradicted", E, "`cookies none`, `automated_decisions none`, `sells no` or `shares no` "
         "is not contradicted by the policy's own declarations", "12(1), 13"),
    Code("P120", "cookie-without-consent", E, "a non-essential cookie serves a purpose based on consent",
         "PECR reg 6, ePrivacy 5(3)"),
    Code("P121", "implied-cookie-consent", E, "cookie consent is not inferred from continued browsing",
         "4(11), 7; C-673/17 Planet49"),
    Code("P122", "cookie-duration-missing", W, "each cookie that needs consent states how long it lasts",
         "PECR reg 6(2), ePrivacy 5(3)"),
    Code("P123", "cookie-provider-unstated", W, "each cookie says who sets it", "PECR reg 6(2)"),
    Code("P124", "cookie-wall", E, "access is not made conditional on accepting non-essential cookies",
         "7(4), PECR reg 6; EDPB 05/2020 paras 39-41"),
    Code("P125", "known-cookie-called-necessary", E, "a well-known analytics or advertising cookie is not labelled "
         "strictly necessary", "PECR reg 6(4), ePrivacy 5(3)"),
    # CCPA / CPRA
    Code("C001", "ccpa-categories", E, "categories of personal and sensitive personal information are listed",
         "1798.100(a)(1)"),
    Code("C002", "ccpa-purposes", E, "each category has its business or commercial purposes", "1798.100(a)(1)"),
    Code("C003", "ccpa-sale-share", E, "for each category, whether it is sold or shared", "1798.100(a)(1)"),
    Code("C004", "ccpa-opt-out-link", E, "selling or sharing requires a Do Not Sell or Share link", "1798.135"),
    Code("C005", "ccpa-limit-link", E, "sensitive data beyond permitted purposes requires a Limit link",
         "1798.121"),
    Code("C006", "ccpa-retention", E, "each category has a retention period or criteria", "1798.100(a)(3)"),
    Code("C008", "ccpa-rights", E, "the CCPA rights and how to submit requests", "11 CCR 7011"),
    Code("C009", "ccpa-minors-unstated", E, "whether personal information of consumers under 16 is sold or shared",
         "11 CCR 7011(e)(1)(F)"),
    Code("C010", "ccpa-category-unmapped", W, "each data category maps to a CCPA statutory category",
         "1798.140(v)(1)"),
    Code("C011", "ccpa-undated", E, "the notice gives the date it was last updated",
         "11 CCR 7011(e)(4), 1798.130(a)(5)"),
    # assertions and text quality
    Code("A001", "assertion-failed", E, "a user assertion does not hold"),
    Code("A002", "assertion-vacuous", W, "an assertion's `where` matches nothing"),
    Code("Q001", "vague-qualifier", W, "author text uses vague qualifiers such as 'may' or 'some'", "WP260"),
    Code("Q002", "long-sentence", W, "a sentence of author text over 35 words", "WP260"),
    # material changes (policyc diff)
    Code("D001", "purpose-changed", W, "a new purpose, or a purpose whose basis changed", "13(3), 14(4)"),
    Code("D002", "recipient-added", W, "a new recipient, or a new country of transfer", "13(3), 14(4)"),
    Code("D003", "retention-longer", W, "a longer retention", "13(3), 14(4)"),
    Code("D004", "data-added", W, "a new data category, or special-category data newly processed", "13(3), 14(4)"),
    Code("D005", "right-removed", W, "a right removed", "13(3), 14(4)"),
    # the live site (policyc audit)
    Code("U001", "undeclared-cookie", E, "the site sets a cookie the policy does not declare", "PECR reg 6(2)"),
    Code("U002", "cookie-before-consent", E, "a non-essential cookie is set before consent",
         "PECR reg 6, ePrivacy 5(3)"),
    Code("U003", "cookie-lasts-longer", E, "a cookie lasts longer than its declared `expires`", "PECR reg 6(2)"),
    Code("U004", "undeclared-third-party", E, "the page sends requests to a host that matches no recipient",
         "13(1)(e)"),
    Code("U005", "declared-cookie-not-seen", W, "a declared cookie was not seen on the pages audited"),
)

CODES: dict[str, Code] = {row.code: row for row in _ROWS}


def severity_of(code: str) -> Severity:
    return CODES[code].severity


def markdown_table() -> str:
    """The list of codes, as published in docs/diagnostics.md."""
    lines = [
        "# Diagnostic codes",
        "",
        "Generated from `policyc/diagnostics/codes.py` (a test keeps this page in step with it).",
        "Every diagnostic has a stable code, a slug, a default severity (E error, W warning) and a span.",
        "",
    ]
    for prefix, family in FAMILIES.items():
        rows = [c for c in CODES.values() if c.code.startswith(prefix)]
        if not rows:
            continue
        lines += [f"## {prefix}: {family}", "", "| code | slug | severity | what it reports |",
                  "| --- | --- | --- | --- |"]
        lines += [f"| {c.code} | `{c.slug}` | {c.severity.letter} | {c.summary} |" for c in rows]
        lines.append("")
    return "\n".join(lines)
