"""Realistic policies of any size, shaped like the examples: purposes that use data and share it with
recipients in several countries, and cookies."""

from __future__ import annotations

COUNTRIES = ("GB", "IE", "US", "IN", "JP", "DE")


def policy_text(lines: int) -> str:
    """A well-formed UK GDPR policy of about `lines` lines."""
    out = [
        'policy "Generated notice" {', "  controller acme", "  jurisdictions uk_gdpr", "  effective 2025-01-01",
        "}", "", 'controller acme "Acme Ltd" {', '  email "privacy@acme.example"', "  authority ico", "}", "",
        "rights {", '  contact "privacy@acme.example"', '  withdraw "Use the link in any email."',
        '  object "Write to privacy@acme.example."', "}", "",
    ]
    index = 0
    while len(out) < lines:
        country = COUNTRIES[index % len(COUNTRIES)]
        safeguard = {"US": "  safeguard idta", "IN": "  safeguard idta", "JP": ""}.get(country, "")
        block = [
            f'data data_{index} "Data set {index}" {{', f'  includes "field {index}", "other field {index}"',
            "  category contact", "  source subject", "  required_for optional", "}", "",
            f'recipient recipient_{index} "Processor {index}" {{', "  role processor",
            f'  sector "hosting {index}"', f"  country {country}",
            *([safeguard, '  safeguard_copy "Ask us for a copy."'] if safeguard else []), "}", "",
            f'purpose purpose_{index} "Purpose number {index}" {{', f"  uses data_{index}",
            "  basis consent" if index % 2 else "  basis contract", f"  retain {index % 7 + 1} years",
            f"  shares_with recipient_{index}", "}", "",
            f'cookie cookie_{index} "Cookie {index}" {{', f"  purpose purpose_{index}",
            "  kind strictly_necessary", "  expires 30 days", "}", "",
        ]
        out.extend(block)
        index += 1
    return "\n".join(out) + "\n"
