"""Meta-tests: dependencies run one way, and no route answers without sign-in."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "tracker"

# Layers may import only the layers named (plus the standard library and third parties).
ALLOWED = {
    "domain": {"domain"},
    "models": {"models", "extensions"},
    "queries": {"queries", "models", "domain", "extensions"},
    "services": {"services", "queries", "models", "domain", "extensions", "redis_embedded"},
    "jobs": {"jobs", "services", "queries", "models", "domain", "extensions"},
}

# Endpoints anyone may reach: signing in, the home redirect, assets, the API's own
# authentication (tokens, its document) and secret-URL calendar feeds.
PUBLIC_ENDPOINTS = {"auth.login", "auth.index", "static", "api.create_token", "api.openapi"}
PUBLIC_PREFIXES = ("exports.calendar_feed",)


def tracker_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "tracker" and len(parts) > 1:
                found.add(parts[1])
    return found


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layers_import_only_downwards(layer):
    folder = ROOT / layer
    files = sorted(folder.glob("*.py")) if folder.is_dir() else []
    assert files, f"no modules in tracker/{layer}"
    for path in files:
        bad = tracker_imports(path) - ALLOWED[layer]
        assert not bad, f"tracker/{layer}/{path.name} imports {sorted(bad)}"


def test_domain_uses_only_the_standard_library():
    import sys

    for path in (ROOT / "domain").glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                roots = [node.module.split(".")[0]]
            else:
                continue
            for root in roots:
                assert root in sys.stdlib_module_names or root in ("tracker", "__future__"), (
                    f"{path.name} imports {root}"
                )


def test_every_route_requires_sign_in_unless_allow_listed(app, client):
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS or rule.endpoint.startswith(PUBLIC_PREFIXES):
            continue
        if rule.endpoint.startswith("rq_dashboard"):
            continue  # guarded by the operations blueprint's admin check, tested there
        url = rule.rule
        for arg in rule.arguments:
            url = url.replace(f"<int:{arg}>", "1").replace(f"<{arg}>", "1")
            url = url.replace(f"<path:{arg}>", "1").replace(f"<string:{arg}>", "1")
        url = url.replace("<date:week>", "2026-01-05")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            if url.startswith("/api/"):
                assert response.status_code == 401, (
                    f"{method} {url} answered {response.status_code}"
                )
            else:
                assert response.status_code in (302, 401), f"{method} {url}: {response.status_code}"
                if response.status_code == 302:
                    assert "/sign-in" in response.headers["Location"], f"{method} {url}"
            checked += 1
    assert checked > 5
