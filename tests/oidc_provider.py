"""A real OpenID provider for browser tests: tests/oidc/provider.js (npm `oidc-provider`, pinned in
tests/oidc/package.json) on a free loopback port, and the Streamlit `[auth]` secrets that point
the app under test at it.

Node and the npm package are needed; the package is installed into tests/oidc/node_modules on
first use (`npm ci`, or `make oidc-provider`). Where either is missing the test is skipped with a
message naming what to install, and fails instead when ISMS_REQUIRE_BROWSER is set (as CI does).
"""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.browser import free_port

OIDC_DIR = Path(__file__).resolve().parent / "oidc"
PACKAGE = OIDC_DIR / "node_modules" / "oidc-provider" / "package.json"


def _missing(message: str) -> None:
    if os.environ.get("ISMS_REQUIRE_BROWSER"):
        pytest.fail(message)
    pytest.skip(message)


def require_oidc_provider() -> str:
    """The path of node, with oidc-provider installed beside tests/oidc/provider.js."""
    node = shutil.which("node")
    if node is None:
        _missing("node not found: the OIDC test runs the npm package oidc-provider under Node.js 20+ "
                 "(apt-get install -y nodejs npm, or make system-deps)")
    if PACKAGE.exists():
        return node
    npm = shutil.which("npm")
    if npm is None:
        _missing("npm not found, and oidc-provider is not installed in tests/oidc/node_modules: "
                 "install npm (apt-get install -y npm), then make oidc-provider")
    with open(OIDC_DIR / ".install.lock", "w") as lock:  # two test runs in one work tree install once
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not PACKAGE.exists():
            done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=OIDC_DIR, capture_output=True,
                                  text=True, timeout=600)
            if done.returncode != 0 or not PACKAGE.exists():
                _missing("npm ci could not install oidc-provider into tests/oidc/node_modules "
                         f"(make oidc-provider): {(done.stderr or done.stdout).strip()[-500:]}")
    return node


@contextmanager
def oidc_provider(redirect_uri: str, log_dir: Path, client_id: str = "isms-dashboard"):
    """Start the provider with one client for the app; yields (issuer, client_id, client_secret)."""
    node = require_oidc_provider()
    port = free_port()
    client_secret = secrets.token_urlsafe(24)
    log_path = log_dir / f"oidc-provider-{port}.log"
    log = open(log_path, "w")
    proc = subprocess.Popen([node, "provider.js", str(port), client_id, client_secret, redirect_uri], cwd=OIDC_DIR,
                            stdout=log, stderr=subprocess.STDOUT)
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(issuer + "/.well-known/openid-configuration", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"oidc-provider did not start: {log_path.read_text()}")
                time.sleep(0.2)
        yield issuer, client_id, client_secret
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def write_auth_secrets(path: Path, app_url: str, issuer: str, client_id: str, client_secret: str) -> Path:
    """Streamlit's `[auth]` for st.login against the provider; the groups scope carries the claim the
    dashboard maps to roles, and PKCE is on (the provider requires it)."""
    path.write_text(f"""[auth]
redirect_uri = "{app_url}/oauth2callback"
cookie_secret = "{secrets.token_hex(32)}"
client_id = "{client_id}"
client_secret = "{client_secret}"
server_metadata_url = "{issuer}/.well-known/openid-configuration"
client_kwargs = {{ scope = "openid email profile groups", prompt = "login", code_challenge_method = "S256" }}
""", encoding="utf-8")
    path.chmod(0o600)
    return path
