"""`vsce package` (pinned in package.json) turns editors/vscode/ into a .vsix that carries the
grammar, the language configuration and the language client.

The extension's own dependency (vscode-languageclient) is installed by `.ci/run` with
`npm ci --omit=dev` in editors/vscode/, from its package-lock.json; the test packages a copy of the
folder, so nothing is written into the working tree and nothing is downloaded.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

from tests.conftest import REPO, require_tool

EXTENSION = REPO / "editors" / "vscode"
VSCE = REPO / "node_modules" / ".bin" / "vsce"


def test_vsce_packages_the_extension(tmp_path: Path) -> None:
    require_tool(shutil.which("node") is not None, "Node.js (`node`)")
    require_tool(VSCE.is_file(), "node_modules/.bin/vsce (`npm ci`)")
    require_tool((EXTENSION / "node_modules" / "vscode-languageclient").is_dir(),
                 "editors/vscode/node_modules (`npm ci --omit=dev` in editors/vscode)")
    folder = tmp_path / "vscode"
    shutil.copytree(EXTENSION, folder, symlinks=True)
    vsix = tmp_path / "policyc.vsix"
    done = subprocess.run([str(VSCE), "package", "--allow-missing-repository", "--out", str(vsix)],
                          cwd=folder, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    with zipfile.ZipFile(vsix) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("extension/package.json"))
        grammar = json.loads(archive.read("extension/syntaxes/policy.tmLanguage.json"))
        configuration = json.loads(archive.read("extension/language-configuration.json"))
    assert grammar["scopeName"] == "source.policy"
    assert configuration == json.loads((EXTENSION / "language-configuration.json").read_text(encoding="utf-8"))
    assert {"extension/extension.js", "extension/LICENSE.txt", "extension.vsixmanifest",
            "extension/node_modules/vscode-languageclient/package.json"} <= names
    assert "extension/package-lock.json" not in names
    assert manifest["license"] == "Apache-2.0"
    assert manifest["contributes"]["grammars"][0]["path"] == "./syntaxes/policy.tmLanguage.json"


def test_extension_manifest_and_licence() -> None:
    manifest = json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))
    assert manifest["license"] == "Apache-2.0"
    assert (EXTENSION / "LICENSE").read_bytes() == (REPO / "LICENSE").read_bytes()
    assert (EXTENSION / ".vscodeignore").is_file()
    lock = json.loads((EXTENSION / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["packages"][""]["dependencies"] == manifest["dependencies"]
