"""The JSON outputs validate against policy.schema.json with the validators other ecosystems use, not
only Python's `jsonschema`: Ajv (draft 2020-12, with ajv-formats; pinned in package.json and run by
tests/tools/ajv-validate.cjs) and check-jsonschema (PyPI, in the dev extra) in its default ECMA-262
regex mode. Both reject a `pattern` that Python accepts but JavaScript does not, such as an escaped
`"` inside a character class under the `u` flag."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import regress

from policyc.backends import BACKENDS, BuildContext
from policyc.build import build
from policyc.driver import check_files
from tests.conftest import require_tool

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO / "policyc" / "schemas" / "policy.schema.json"
EXAMPLES = sorted((REPO / "examples").glob("*/privacy.policy"))
COMPLETE = sorted((REPO / "tests" / "policies").glob("*_complete.policy"))
AJV_SCRIPT = REPO / "tests" / "tools" / "ajv-validate.cjs"
AJV = REPO / "node_modules" / "ajv" / "dist" / "2020.js"


def patterns(node: Any) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                found.append(value)
            else:
                found.extend(patterns(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(patterns(value))
    return found


def test_every_pattern_is_an_ecma262_unicode_regex() -> None:
    """What Ajv and check-jsonschema enforce, checked without Node: `regress` implements ECMA-262
    regular expressions, and `u` is the flag Ajv compiles patterns with."""
    found = patterns(json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert found
    for pattern in found:
        regress.Regex(pattern, "u")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The JSON of every example and of tests/policies/*_complete.policy, as files. The examples
    carry legal findings, so `policyc build` would refuse them; their model is rendered by the same
    backend. The complete policies build cleanly and are written by `build` itself."""
    out = tmp_path_factory.mktemp("json-outputs")
    written: list[Path] = []
    for path in EXAMPLES:
        model = check_files([path]).models[str(path)]
        target = out / f"{path.parent.name}.json"
        target.write_text(BACKENDS["json"].render(model, BuildContext(stem=path.stem, source=str(path))),
                          encoding="utf-8")
        written.append(target)
    result = build([str(p) for p in COMPLETE], out / "built", ["json"])
    assert result.check.errors == 0
    written.extend(result.written)
    assert len(written) == len(EXAMPLES) + len(COMPLETE) >= 5
    return written


def test_ajv_accepts_the_schema_and_every_output(outputs: list[Path]) -> None:
    node = shutil.which("node")
    require_tool(node is not None, "Node.js (`node`)")
    require_tool(AJV.is_file(), "node_modules/ajv (`npm ci`)")
    assert node is not None
    result = subprocess.run([node, str(AJV_SCRIPT), str(SCHEMA), *map(str, outputs)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(": valid") == len(outputs)


def test_check_jsonschema_in_ecma_mode_accepts_every_output(outputs: list[Path]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--regex-variant", "default", "--no-cache",
         "--schemafile", str(SCHEMA), *map(str, outputs)],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
