"""`policyc diff` and `policyc build --previous`: the semantic diff of two versions of a policy.

Each test changes one fact of a complete policy and checks what the diff reports: the code (material
D001-D005, or editorial), the entity, and that nothing else is reported. The rule pages' examples
(docs/rules/D00x.md) are run too, and the CLI is driven end to end, with git versions in a
temporary repository.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from policyc.cli import main
from policyc.diff import Change, DiffResult, diff_models, render_markdown
from policyc.driver import check_text

REPO = Path(__file__).resolve().parent.parent
BASE = (REPO / "tests" / "policies" / "uk_gdpr_complete.policy").read_text(encoding="utf-8")


def _diff(old: str, new: str) -> DiffResult:
    models = []
    for name, text in (("old.policy", old), ("new.policy", new)):
        result = check_text(text, name)
        blocking = [d for d in result.diagnostics if d.code[0] in "SNT"]
        assert not blocking, blocking
        models.append(result.models[name])
    return diff_models(models[0], models[1], "old.policy", "new.policy")


def _edit(old: str, new: str, text: str = BASE) -> str:
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def _summary(result: DiffResult) -> list[tuple[str | None, str, str, str]]:
    return [(c.code, c.entity, c.key, c.action) for c in result.changes]


def test_same_policy_has_no_changes() -> None:
    assert _diff(BASE, BASE).changes == []


@pytest.mark.parametrize("path", sorted((REPO / "examples").rglob("*.policy")), ids=lambda p: p.parent.name)
def test_examples_have_no_changes_against_themselves(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    old, new = check_text(text, "a.policy").models["a.policy"], check_text(text, "b.policy").models["b.policy"]
    assert diff_models(old, new).changes == []


NEW_PURPOSE = '''
purpose product_reviews "Publishing your product reviews" {
  uses identity_contact
  kind service.provision
  basis consent
  retain until consent_withdrawn
}
'''

def _in_block(header: str, old: str, new: str) -> str:
    """BASE with `old` replaced by `new` inside the declaration that starts with `header`."""
    start = BASE.index(header)
    end = BASE.index("\n}", start)
    block = BASE[start:end]
    assert block.count(old) == 1, f"{old!r} in {header!r}"
    return BASE[:start] + block.replace(old, new) + BASE[end:]


CASES: dict[str, tuple[str, list[tuple[str | None, str, str, str]]]] = {
    # name: (the new version, what the diff reports: (code, entity, key, action), in order)
    "basis changed": (
        _in_block("purpose tax_records", "basis legal_obligation",
                  'basis legitimate_interests "keeping our accounts in order"'),
        [("D001", "purpose", "tax_records", "changed")],
    ),
    "longer retention": (_edit("retain 14 months", "retain 26 months"),
                         [("D003", "purpose", "site_analytics", "changed")]),
    "shorter retention": (_edit("retain 14 months", "retain 13 months"),
                          [(None, "purpose", "site_analytics", "changed")]),
    "new country": (_in_block("recipient couriers", "country GB", "country GB, FR"),
                    [("D002", "recipient", "couriers", "changed")]),
    "shares with a recipient it did not": (_edit("shares_with accountants", "shares_with accountants, cloud_hosting"),
                                           [("D002", "purpose", "tax_records", "changed")]),
    "purpose title reworded": (
        _edit('purpose tax_records "Keeping accounts and tax records"',
              'purpose tax_records "Keeping our accounts and tax records"'),
        [(None, "purpose", "tax_records", "changed")],
    ),
    "purpose renamed": (
        _edit('purpose tax_records "Keeping accounts and tax records"',
              'purpose bookkeeping "Keeping our accounts and tax records"'),
        [(None, "purpose", "bookkeeping", "renamed")],
    ),
    "data renamed in the source only": (re.sub(r"\border_history\b", "orders", BASE),
                                        [(None, "data", "orders", "renamed")]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_single_fact_changes(name: str) -> None:
    new, expected = CASES[name]
    assert _summary(_diff(BASE, new)) == expected


def test_new_purpose_is_material_and_said_with_its_basis() -> None:
    result = _diff(BASE, BASE + NEW_PURPOSE)
    assert _summary(result) == [("D001", "purpose", "product_reviews", "added")]
    assert "Publishing your product reviews" in result.changes[0].text
    assert "consent" in result.changes[0].text.lower()
    assert result.changes[0].span is not None and result.changes[0].span.file == "new.policy"


def test_removed_purpose_is_editorial() -> None:
    result = _diff(BASE + NEW_PURPOSE, BASE)
    assert _summary(result) == [(None, "purpose", "product_reviews", "removed")]
    assert result.changes[0].span is not None and result.changes[0].span.file == "old.policy"


def test_new_recipient_is_material() -> None:
    recipient = '\nrecipient insurers "Our insurers" {\n  role controller\n  country GB\n}\n'
    new = _edit("shares_with accountants", "shares_with accountants, insurers", BASE + recipient)
    result = _diff(BASE, new)
    assert ("D002", "recipient", "insurers", "added") in _summary(result)
    assert all(c.code == "D002" for c in result.changes)


def test_new_data_and_special_category_are_material() -> None:
    data = '\ndata reviews "Your reviews" {\n  category communications\n  source subject\n  required_for optional\n}\n'
    purpose = NEW_PURPOSE.replace("uses identity_contact", "uses reviews")
    result = _diff(BASE + NEW_PURPOSE, BASE + data + purpose)
    assert _summary(result) == [("D004", "data", "reviews", "added"), ("D004", "purpose", "product_reviews",
                                                                        "changed")]
    special = _edit("  category financial.credit\n", "  category financial.credit\n  special health.mental\n")
    result = _diff(BASE, special)
    assert [(c.code, c.key) for c in result.material] == [("D004", "credit_score")]
    assert "special-category" in result.changes[0].text


SMALL = """data email "Email address" { category contact.email; source subject; required_for optional }

purpose newsletter "Sending you our monthly newsletter" {
  uses email; basis consent; direct_marketing yes; retain until unsubscribed
}
"""


def test_right_removed_is_material_and_says_why() -> None:
    new = SMALL.replace("basis consent", 'basis legitimate_interests "telling customers about offers"')
    result = _diff(SMALL, new)
    assert [(c.code, c.entity, c.key) for c in result.material] == [
        ("D001", "purpose", "newsletter"), ("D005", "right", "portability"), ("D005", "right", "withdraw_consent")]
    withdraw = result.material[-1]
    assert withdraw.cause == ("the legal basis for \u201cSending you our monthly newsletter\u201d changed",)
    assert withdraw.text.endswith("because the legal basis for \u201cSending you our monthly newsletter\u201d changed.")
    # the right to object comes with legitimate interests: an editorial change, with the same cause
    assert [(c.key, c.action) for c in result.editorial] == [("object", "added")]
    # a right given with `also` and then dropped has no purpose to blame
    result = _diff(SMALL + "rights { also object }\n", SMALL)
    assert [(c.code, c.key, c.cause) for c in result.changes if c.entity == "right"] == [("D005", "object", ())]
    assert result.changes[0].text == "The right to object is no longer offered."


def test_withheld_right_is_material() -> None:
    rights = BASE.index("rights {")
    new = BASE[:rights + len("rights {")] + '\n  exclude portability "we hold no data you gave us by consent"' + \
        BASE[rights + len("rights {"):]
    result = _diff(BASE, new)
    assert [(c.code, c.key, c.action) for c in result.changes] == [("D005", "portability", "changed")]


def test_longer_cookie_expiry_is_material() -> None:
    cookie = BASE[BASE.index('cookie ga "Google Analytics"'):]
    expires = re.search(r"expires \d+ \w+", cookie)
    assert expires
    new = BASE.replace(cookie, cookie.replace(expires.group(0), "expires 5 years", 1))
    result = _diff(BASE, new)
    assert [(c.code, c.entity, c.key) for c in result.changes] == [("D003", "cookie", "ga")]


def test_rename_is_not_remove_and_add() -> None:
    renamed = _edit('purpose customer_service "Answering your questions and complaints about orders"',
                    'purpose support "Answering your questions and complaints about your orders"')
    result = _diff(BASE, renamed)
    assert [c.action for c in result.changes] == ["renamed"]
    assert result.changes[0].old_key == "customer_service" and not result.material


def test_unrelated_replacement_is_remove_and_add() -> None:
    replaced = _edit('purpose customer_service "Answering your questions and complaints about orders"',
                     'purpose prize_draws "Running prize draws"')
    result = _diff(BASE, replaced)
    actions = sorted((c.action, c.key) for c in result.changes if c.entity == "purpose")
    assert actions == [("added", "prize_draws"), ("removed", "customer_service")]


def test_hostile_titles_stay_text_in_markdown() -> None:
    hostile = _edit('purpose tax_records "Keeping accounts and tax records"',
                    'purpose tax_records "<script>alert(1)</script> [click](javascript:alert(1)) *x*"')
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").render(render_markdown(_diff(BASE, hostile)))
    assert "<script" not in html and "<a " not in html and "<em>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; [click](javascript:alert(1)) *x*" in html


def test_every_change_is_placed_in_a_file() -> None:
    new = BASE.replace("retain 14 months", "retain 26 months").replace("country IN", "country IN, BR")
    result = _diff(BASE, new)
    assert result.changes and all(isinstance(c, Change) and c.span is not None for c in result.changes)


# --- the rule pages' examples ---------------------------------------------------------------------


@pytest.mark.parametrize("code", ["D001", "D002", "D003", "D004", "D005"])
def test_rule_page_examples(code: str) -> None:
    page = (REPO / "docs" / "rules" / f"{code}.md").read_text(encoding="utf-8")
    failing = page[page.index("## Failing example"):page.index("## Passing example")]
    passing = page[page.index("## Passing example"):page.index("## Configuration")]
    old, new = re.findall(r"```policy\n(.*?)```", failing, re.S)
    (fine,) = re.findall(r"```policy\n(.*?)```", passing, re.S)
    assert code in {c.code for c in _diff(old, new).changes}
    assert code not in {c.code for c in _diff(old, fine).changes}


# --- the command line -----------------------------------------------------------------------------


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_cli_formats_and_gate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = _write(tmp_path, "old.policy", BASE)
    new = _write(tmp_path, "new.policy", BASE.replace("retain 14 months", "retain 26 months"))
    assert main(["diff", str(old), str(new)]) == 0
    out = capsys.readouterr().out
    assert f"{new}:" in out and "D003 material" in out and "1 change, 1 material" in out
    assert main(["diff", "--fail-on-material", str(old), str(new)]) == 1
    capsys.readouterr()
    assert main(["diff", "--fail-on-material", str(old), str(old)]) == 0
    assert "no changes" in capsys.readouterr().out
    assert main(["diff", "--format", "json", str(old), str(new)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["summary"] == {"changes": 1, "material": 1, "editorial": 0}
    assert data["changes"][0]["code"] == "D003" and data["changes"][0]["location"]["file"] == str(new)
    assert data["old"]["version"] == "4.2"
    assert main(["diff", "--format", "md", str(old), str(new)]) == 0
    md = capsys.readouterr().out
    assert md.startswith("## What changed in this version\n")
    assert "### Changes that affect you" in md and "Compared with version 4.2" in md


def test_cli_refuses_broken_versions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = _write(tmp_path, "good.policy", BASE)
    broken = _write(tmp_path, "broken.policy", BASE.replace("basis contract", "basis contrac", 1))
    assert main(["diff", str(good), str(broken)]) == 2
    err = capsys.readouterr().err
    assert "N00" in err and "cannot be compared" in err
    assert main(["diff", str(good), str(tmp_path / "missing.policy")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["diff", str(good), "git:"]) == 2


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.org", "HOME": str(repo), "PATH": "/usr/bin:/bin"})


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    if shutil.which("git") is None:
        pytest.fail("git is needed for git: versions")
    _git(tmp_path, "init", "-q")
    _write(tmp_path, "notices/privacy.policy", BASE.replace("use gdpr\n", "use gdpr\nuse \"shared.policy\"\n"))
    _write(tmp_path, "notices/shared.policy", '# shared\n')
    _write(tmp_path, "notices/policyc.toml", '[rules]\nP010 = "warning"\n')
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-qm", "v1")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_git_versions(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = repo / "notices" / "privacy.policy"
    path.write_text(path.read_text(encoding="utf-8").replace("country IN", "country IN, BR"), encoding="utf-8")
    assert main(["diff", "--format", "json", "git:HEAD:notices/privacy.policy", "notices/privacy.policy"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(c["code"], c["key"]) for c in data["changes"]] == [("D002", "email_platform")]
    assert data["old"]["source"] == "git:HEAD:notices/privacy.policy"
    # the same file at a revision where it does not exist, and an unknown revision
    assert main(["diff", "git:HEAD:notices/other.policy", "notices/privacy.policy"]) == 2
    assert "not in git revision HEAD" in capsys.readouterr().err
    assert main(["diff", "git:no-such-rev:notices/privacy.policy", "notices/privacy.policy"]) == 2
    capsys.readouterr()
    # a version in history is shown with its git name, also in diagnostics
    _git(repo, "commit", "-qam", "v2")
    path.write_text(path.read_text(encoding="utf-8").replace("basis contract", "basis contrac", 1), "utf-8")
    _git(repo, "commit", "-qam", "broken")
    assert main(["diff", "git:HEAD:notices/privacy.policy", "git:HEAD~1:notices/privacy.policy"]) == 2
    err = capsys.readouterr().err
    assert "git:HEAD:notices/privacy.policy:" in err and "/tmp" not in err.split("cannot be compared")[0]


def test_build_previous_adds_the_change_history(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = repo / "notices" / "privacy.policy"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("retain 14 months", "retain 26 months").replace(
        '"Keeping accounts and tax records"', '"Keeping our <accounts> & tax records"'), encoding="utf-8")
    assert main(["build", "notices", "-o", "site", "--format", "md,html,json", "--previous", "git:HEAD"]) == 0
    md = (repo / "site" / "privacy.md").read_text(encoding="utf-8")
    section = md[md.index("### What changed in this version"):]
    assert "#### Changes that affect you" in section and "26 months" in section
    assert "#### Other changes" in section and "&lt;accounts&gt; &amp; tax" in section
    html = (repo / "site" / "privacy.html").read_text(encoding="utf-8")
    assert 'id="what-changed-heading"' in html and "&lt;accounts&gt; &amp; tax" in html
    assert "What changed" not in (repo / "site" / "privacy.json").read_text(encoding="utf-8")
    # a file as the previous version, with one notice
    old = _write(repo, "old.policy", text.replace("use \"shared.policy\"\n", ""))
    assert main(["build", str(path), "-o", "site2", "--format", "md", "--previous", str(old)]) == 0
    assert "26 months" in (repo / "site2" / "privacy.md").read_text(encoding="utf-8")
    # without --previous there is no change history
    assert main(["build", "notices", "-o", "site3", "--format", "md"]) == 0
    assert "What changed" not in (repo / "site3" / "privacy.md").read_text(encoding="utf-8")
    capsys.readouterr()


def test_build_previous_needs_one_notice_per_file(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(repo, "notices/second.policy", BASE)
    assert main(["build", "notices", "-o", "site", "--previous", "notices/privacy.policy"]) == 2
    assert "use --previous git:REV" in capsys.readouterr().err
    assert not (repo / "site").exists()
    # with git:REV a notice that is new since then simply has no history yet
    assert main(["build", "notices", "-o", "site", "--format", "md", "--previous", "git:HEAD"]) == 0
    assert "What changed" not in (repo / "site" / "second.md").read_text(encoding="utf-8")
    assert "Nothing in this notice has changed" in (repo / "site" / "privacy.md").read_text(encoding="utf-8")
