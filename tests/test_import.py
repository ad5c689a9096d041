"""`policyc import`: a TILT document or a fides manifest becomes a .policy that checks without syntax,
name or type errors, with `# GAP:` where the source is silent; export -> import -> export is stable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from fideslang.models import Organization, PrivacyDeclaration, System, Taxonomy

from policyc.backends import BuildContext
from policyc.backends.fides import to_manifest
from policyc.backends.tilt import to_document, validate
from policyc.driver import check_text
from policyc.importers import from_fides, from_tilt
from policyc.model import Model
from tests.backends.test_tilt import tilt_ready
from tests.conftest import REPO, run_cli

TILT_EXAMPLE = REPO / "tests" / "data" / "tilt" / "tilt.json"
COMPLETE = [REPO / "tests" / "policies" / "gdpr_ccpa_complete.policy",
            REPO / "tests" / "policies" / "uk_gdpr_complete.policy"]


def model_of(text: str, name: str = "imported.policy") -> Model:
    result = check_text(text, name)
    blocking = [d for d in result.diagnostics if d.code[0] in "SNT"]
    assert not blocking, "\n".join(f"{d.code} {d.message}" for d in blocking) + "\n" + text
    return result.models[name]


def tilt_of(text: str) -> dict[str, object]:
    document = to_document(model_of(text), BuildContext(stem="imported", source="imported.policy"))
    assert not validate(document)
    return document


def fides_of(text: str) -> dict[str, object]:
    return to_manifest(model_of(text), BuildContext(stem="imported", source="imported.policy"))


def test_the_tilt_example_imports_to_a_policy_that_checks() -> None:
    text = from_tilt(json.loads(TILT_EXAMPLE.read_text(encoding="utf-8")), "tilt.json")
    model = model_of(text)
    assert model.controller is not None and model.controller.legal_name == "Green Company AG"
    assert model.controller.dpo is not None and model.controller.dpo.country == "DE"
    assert [p.title for p in model.purposes] == ["Marketing"]
    assert "# GAP: legal basis 'GDPR-99-1-a'" in text  # Art 99 is no lawful basis: said, not guessed
    assert "# GAP: TILT gives no taxonomy category" in text
    assert text == from_tilt(json.loads(TILT_EXAMPLE.read_text(encoding="utf-8")), "tilt.json")


@pytest.mark.parametrize("start", ["example", "policy"])
def test_tilt_export_import_export_is_stable(start: str, tmp_path: Path) -> None:
    if start == "example":
        first = from_tilt(json.loads(TILT_EXAMPLE.read_text(encoding="utf-8")), "t.json")
    else:
        first = from_tilt(tilt_of(tilt_ready(tmp_path).read_text(encoding="utf-8")), "t.json")
    exported = tilt_of(first)
    second = from_tilt(exported, "t.json")
    again = tilt_of(second)
    assert again == exported
    assert from_tilt(again, "t.json") == second


@pytest.mark.parametrize("path", COMPLETE, ids=lambda p: p.stem)
def test_fides_export_import_export_is_stable(path: Path) -> None:
    manifest = fides_of(path.read_text(encoding="utf-8"))
    first = from_fides(manifest, "m.yml")
    assert "# GAP: fides gives no country of establishment" in first
    exported = fides_of(first)
    second = from_fides(exported, "m.yml")
    assert fides_of(second) == exported
    assert from_fides(fides_of(second), "m.yml") == second
    Taxonomy.model_validate(exported)


def test_a_manifest_built_with_fideslang_imports() -> None:
    taxonomy = Taxonomy(
        organization=[Organization(fides_key="acme", name="Acme Ltd",
                                   controller={"name": "Acme Ltd", "email": "privacy@acme.example",
                                               "address": "1 High Street, London"})],
        system=[System(
            fides_key="acme_shop", name="Acme shop", organization_fides_key="acme", system_type="Service",
            privacy_declarations=[
                PrivacyDeclaration(name="Orders", data_categories=["user.contact.email", "user.financial"],
                                   data_use="essential.service", data_subjects=["customer"],
                                   legal_basis_for_processing="Contract", retention_period="6 years"),
                PrivacyDeclaration(name="Newsletter", data_categories=["user.contact.email.personal"],
                                   data_use="marketing.communications.email", data_subjects=["customer"]),
            ])],
    )
    text = from_fides(taxonomy.model_dump(mode="json"), "acme.yml")
    model = model_of(text)
    purposes = {p.title: p for p in model.purposes}  # fideslang may reorder the declarations
    assert sorted(purposes) == ["Newsletter", "Orders"]
    orders, newsletter = purposes["Orders"], purposes["Newsletter"]
    assert [b.basis.key for b in orders.bases] == ["contract"]
    assert orders.retention is not None and orders.retention.criteria == "6 years"
    assert "# GAP: the manifest gives no lawful basis" in text
    assert "# GAP: the manifest gives no retention period" in text
    categories = [c.key for d in newsletter.uses for c in d.categories]
    assert categories and all(c.fides and "user.contact.email".startswith(c.fides) for d in newsletter.uses
                              for c in d.categories)


def test_the_cli_writes_the_policy(tmp_path: Path) -> None:
    out = tmp_path / "green.policy"
    done = run_cli("import", "tilt", str(TILT_EXAMPLE), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "gaps to fill" in done.stderr
    checked = run_cli("check", str(out))
    assert not any(f"error[{c}" in checked.stdout for c in "SNT"), checked.stdout
    again = run_cli("import", "tilt", str(TILT_EXAMPLE), "-o", str(out))
    assert again.returncode == 2 and "exists" in again.stderr  # never overwrites
    manifest = tmp_path / "m.yml"
    manifest.write_text(yaml.safe_dump(fides_of(COMPLETE[0].read_text(encoding="utf-8"))), encoding="utf-8")
    printed = run_cli("import", "fides", str(manifest))
    assert printed.returncode == 0 and printed.stdout.startswith("# Imported from m.yml")
    bad = tmp_path / "bad.json"
    bad.write_text("{}", encoding="utf-8")
    refused = run_cli("import", "tilt", str(bad))
    assert refused.returncode == 2 and "not a TILT document" in refused.stderr
