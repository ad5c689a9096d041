"""The Neovim snippet of docs/editors.md works: headless Neovim, started with the snippet for its
version as its whole configuration, opens a .policy file with errors, attaches `policyc lsp` and
receives the diagnostics, which it writes to a file for the test to read.

CI installs Debian's `neovim` (0.7 on Debian 12); without `nvim` the test skips on a developer's
machine and fails in CI.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO, require_tool

EDITORS = REPO / "docs" / "editors.md"

BROKEN = """use uk_gdpr

data contact {
  includes "name"
  bogus_field 3
}
"""

# Run after the file is opened: wait for the server's diagnostics, write them as JSON, quit.
HARNESS = """
local out = vim.env.POLICYC_NVIM_OUT
local got = vim.wait(30000, function() return #vim.diagnostic.get(0) > 0 end, 100)
local rows = {}
for _, d in ipairs(vim.diagnostic.get(0)) do
  table.insert(rows, { lnum = d.lnum, message = d.message, severity = d.severity, source = d.source or "",
                       code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or "" })
end
local clients = {}
for _, client in pairs(vim.lsp.get_active_clients()) do table.insert(clients, client.name) end
vim.fn.writefile({ vim.fn.json_encode({ waited = got, filetype = vim.bo.filetype, clients = clients,
                                       diagnostics = rows }) }, out)
vim.cmd("qall!")
"""


def nvim_version(nvim: str) -> tuple[int, int]:
    first = subprocess.run([nvim, "--version"], capture_output=True, text=True, timeout=30).stdout.splitlines()[0]
    found = re.search(r"v(\d+)\.(\d+)", first)
    assert found, first
    return int(found[1]), int(found[2])


def snippet_for(version: tuple[int, int]) -> str:
    """The Lua block of docs/editors.md for this Neovim: vim.lsp.enable from 0.11, else start_client."""
    blocks = re.findall(r"```lua\n(.*?)```", EDITORS.read_text(encoding="utf-8"), re.S)
    marker = "vim.lsp.enable" if version >= (0, 11) else "vim.lsp.start_client"
    (block,) = [block for block in blocks if marker in block]
    return block


def test_neovim_shows_policyc_diagnostics(tmp_path: Path) -> None:
    nvim = shutil.which("nvim")
    require_tool(nvim is not None, "Neovim (`nvim`, Debian's `neovim`)")
    assert nvim is not None
    version = nvim_version(nvim)
    snippet = snippet_for(version)
    command = '{ "policyc", "lsp" }'
    assert command in snippet
    # The same snippet, with the server started by this test's Python (policyc need not be on PATH).
    init = tmp_path / "init.lua"
    init.write_text(snippet.replace(command, "{ " + ", ".join(json.dumps(a) for a in
                                                          (sys.executable, "-m", "policyc", "lsp")) + " }"),
                    encoding="utf-8")
    harness = tmp_path / "harness.lua"
    harness.write_text(HARNESS, encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    (project / "privacy.policy").write_text(BROKEN, encoding="utf-8")
    out = tmp_path / "diagnostics.json"
    home = tmp_path / "home"  # no user configuration, plugins or shada of the machine's user
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
           "XDG_DATA_HOME": str(home / ".local/share"), "XDG_STATE_HOME": str(home / ".local/state"),
           "POLICYC_NVIM_OUT": str(out)}
    done = subprocess.run(
        [nvim, "--headless", "-n", "-i", "NONE", "-u", str(init), "privacy.policy",
         "-c", f"luafile {harness}"],
        cwd=project, env=env, capture_output=True, text=True, timeout=90, stdin=subprocess.DEVNULL,
    )
    assert out.is_file(), f"Neovim {version} wrote nothing: {done.stdout}{done.stderr}"
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["filetype"] == "policy"
    assert report["clients"] == ["policyc"]
    assert report["waited"] is True, report
    found = [(d["lnum"], d["code"], d["message"].splitlines()[0]) for d in report["diagnostics"]]
    assert (4, "T001", "`data` has no field `bogus_field`") in found, found
    assert all(d["severity"] == 1 for d in report["diagnostics"])  # vim.diagnostic.severity.ERROR
