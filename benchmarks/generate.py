"""Realistic policies of any size, shaped like the examples: purposes that use data and share it with
recipients in several countries, and cookies; and the equivalent fides manifest, for the peer
comparison.

Both are made from the same blocks, so they describe the same facts with the same number of items:

| policy declaration | fides manifest (fideslang 3.1 models)                                   |
| ------------------ | ----------------------------------------------------------------------- |
| `policy`, `controller`, `rights` | the `organization`, and the controller's `system`         |
| `data`             | a `dataset` with one collection whose fields are what the data includes |
| `recipient`        | a `system` (a processor's service), with its country and transfer basis |
| `purpose`          | a privacy declaration of the controller's system                        |
| `cookie`           | a field of the `cookies` dataset's collection, with its purpose         |
"""

from __future__ import annotations

from typing import Any

COUNTRIES = ("GB", "IE", "US", "IN", "JP", "DE")
_HEADER = [
    'policy "Generated notice" {', "  controller acme", "  jurisdictions uk_gdpr", "  effective 2025-01-01",
    "}", "", 'controller acme "Acme Ltd" {', '  email "privacy@acme.example"', "  authority ico", "}", "",
    "rights {", '  contact "privacy@acme.example"', '  withdraw "Use the link in any email."',
    '  object "Write to privacy@acme.example."', "}", "",
]


def _safeguard(country: str) -> str:
    return {"US": "idta", "IN": "idta"}.get(country, "")


def _block(index: int) -> list[str]:
    country = COUNTRIES[index % len(COUNTRIES)]
    safeguard = _safeguard(country)
    return [
        f'data data_{index} "Data set {index}" {{', f'  includes "field {index}", "other field {index}"',
        "  category contact", "  source subject", "  required_for optional", "}", "",
        f'recipient recipient_{index} "Processor {index}" {{', "  role processor",
        f'  sector "hosting {index}"', f"  country {country}",
        *([f"  safeguard {safeguard}", '  safeguard_copy "Ask us for a copy."'] if safeguard else []), "}", "",
        f'purpose purpose_{index} "Purpose number {index}" {{', f"  uses data_{index}",
        "  basis consent" if index % 2 else "  basis contract", f"  retain {index % 7 + 1} years",
        f"  shares_with recipient_{index}", "}", "",
        f'cookie cookie_{index} "Cookie {index}" {{', f"  purpose purpose_{index}",
        "  kind strictly_necessary", "  expires 30 days", "}", "",
    ]


def blocks_for(lines: int) -> int:
    """How many blocks (a data set, a recipient, a purpose, a cookie) make a policy of `lines` lines."""
    count = len(_HEADER)
    index = 0
    while count < lines:
        count += len(_block(index))
        index += 1
    return index


def policy_text(lines: int) -> str:
    """A well-formed UK GDPR policy of about `lines` lines."""
    out = list(_HEADER)
    for index in range(blocks_for(lines)):
        out.extend(_block(index))
    return "\n".join(out) + "\n"


def fides_manifest(lines: int) -> dict[str, Any]:
    """The fides manifest saying what `policy_text(lines)` says, as fideslang's `Taxonomy` reads it."""
    blocks = blocks_for(lines)
    years = ["1 year", *(f"{n} years" for n in range(2, 8))]
    datasets: list[dict[str, Any]] = [
        {
            "fides_key": f"data_{index}", "organization_fides_key": "acme", "name": f"Data set {index}",
            "data_subjects": ["customer"],
            "collections": [{
                "name": f"data_{index}", "description": "source: the data subject; optional",
                "fields": [{"name": f"field {index}", "data_categories": ["user.contact"]},
                           {"name": f"other field {index}", "data_categories": ["user.contact"]}],
            }],
        }
        for index in range(blocks)
    ]
    datasets.append({
        "fides_key": "cookies", "organization_fides_key": "acme", "name": "Cookies",
        "collections": [{
            "name": "cookies",
            "fields": [{"name": f"cookie_{index}", "description": f"Cookie {index}: strictly necessary, 30 days",
                        "data_categories": ["user.device.cookie_id"], "data_uses": ["essential.service"],
                        "data_purposes": [f"purpose_{index}"]} for index in range(blocks)],
        }],
    })
    processors: list[dict[str, Any]] = []
    for index in range(blocks):
        country = COUNTRIES[index % len(COUNTRIES)]
        safeguard = _safeguard(country)
        processors.append({
            "fides_key": f"recipient_{index}", "organization_fides_key": "acme", "name": f"Processor {index}",
            "description": f"hosting {index}", "system_type": "Service", "responsibility": ["Processor"],
            "legal_address": country, "does_international_transfers": country not in ("GB", "IE", "DE", "JP"),
            "legal_basis_for_transfers": ["SCCs"] if safeguard else [], "privacy_declarations": [],
        })
    declarations = [
        {
            "name": f"Purpose number {index}", "data_categories": ["user.contact"],
            "data_use": "operations" if index % 2 else "essential.service", "data_subjects": ["customer"],
            "dataset_references": [f"data_{index}"],
            "legal_basis_for_processing": "Consent" if index % 2 else "Contract",
            "retention_period": years[index % 7], "processes_special_category_data": False,
            "data_shared_with_third_parties": True, "third_parties": f"Processor {index}",
            "shared_categories": ["user.contact"], "egress": [f"recipient_{index}"],
        }
        for index in range(blocks)
    ]
    controller = {
        "fides_key": "acme_notice", "organization_fides_key": "acme", "name": "Generated notice",
        "system_type": "Service", "privacy_declarations": declarations, "uses_cookies": True,
        "privacy_policy": "https://acme.example/privacy",
        "egress": [{"fides_key": f"recipient_{index}", "type": "system"} for index in range(blocks)],
    }
    organization = {
        "fides_key": "acme", "name": "Acme Ltd",
        "controller": {"name": "Acme Ltd", "email": "privacy@acme.example"},
        "data_protection_officer": {"name": "Privacy team", "email": "privacy@acme.example"},
    }
    return {"organization": [organization], "system": [controller, *processors], "dataset": datasets}


def fides_yaml(lines: int) -> str:
    """`fides_manifest(lines)` as the YAML file fides users write."""
    import yaml

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return str(yaml.dump(fides_manifest(lines), Dumper=dumper, sort_keys=False, allow_unicode=True))
