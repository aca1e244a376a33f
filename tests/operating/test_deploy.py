"""The shipped deployment files pass the checks that can run here (images cannot be built
on these machines): the compose file parses and names what the docs say, the systemd
units pass ``systemd-analyze verify``, the nginx site passes ``nginx -t``, and the image's
command (entrypoint and health check) works when run directly.

Without ``systemd-analyze`` or ``nginx`` a check is skipped; under ``CI=true`` a missing
tool is a failure (``.ci/run`` installs them)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import yaml

from tests.servers import free_port, server_env

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
DOCS = ROOT / "docs"
UNIT_PREFIX = "/opt/srochno/venv/bin/srochno"
CERT_DIR = "/etc/letsencrypt/live/api.example.com"


def tool(name: str, *candidates: str) -> str:
    found = shutil.which(name) or next((c for c in candidates if Path(c).exists()), None)
    if found:
        return found
    reason = f"{name} is not installed"
    if os.environ.get("CI") == "true":
        pytest.fail(f"deploy checks cannot run under CI: {reason}")
    pytest.skip(reason)


def dockerfile() -> str:
    return (DEPLOY / "Dockerfile").read_text()


def instruction(name: str) -> list[str]:
    """The JSON-array form of a Dockerfile instruction (the last one, as Docker takes it)."""
    joined = dockerfile().replace("\\\n", " ")
    [*_, line] = [ln for ln in joined.splitlines() if ln.startswith(name + " ")]
    value: list[str] = json.loads(line[len(name) :].strip().removeprefix("CMD").strip())
    return value


def test_the_dockerfile_is_multi_stage_non_root_with_a_health_check():
    text = dockerfile()
    assert len(re.findall(r"^FROM ", text, re.MULTILINE)) >= 2
    assert re.search(r"^COPY --from=build ", text, re.MULTILINE)
    users = re.findall(r"^USER (\S+)", text, re.MULTILINE)
    assert users
    assert users[-1] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*CMD \[", text.replace("\\\n", " "), re.MULTILINE)
    assert instruction("ENTRYPOINT") == ["srochno"]


def test_the_compose_file_names_what_the_docs_say():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert {"postgres", "migrate", "api", "worker", "redis"} <= set(services)
    assert services["postgres"]["healthcheck"]["test"]
    assert any(v.startswith("pgdata:") for v in services["postgres"]["volumes"])
    assert "pgdata" in compose["volumes"]
    assert services["migrate"]["command"] == ["migrate"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "--no-worker" in services["api"]["command"]
    assert services["worker"]["command"] == ["worker"]
    for name in ("api", "worker"):
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
        assert services[name]["environment"]["MIGRATE_ON_START"] == "false"
    assert services["redis"]["profiles"] == ["redis"]
    guide = (DOCS / "deploy.md").read_text()
    assert "deploy/compose.yaml" in guide
    for name in ("migrate", "api", "worker", "redis"):
        assert f"`{name}`" in guide, name


def test_the_systemd_units_pass_verify(tmp_path):
    analyze = tool("systemd-analyze", "/usr/bin/systemd-analyze")
    srochno = Path(sys.executable).with_name("srochno")
    units = sorted((DEPLOY / "systemd").glob("*.service"))
    assert {u.name for u in units} == {"srochno.service", "srochno-worker.service"}
    for unit in units:
        text = unit.read_text()
        assert UNIT_PREFIX in text
        for setting in ("WorkingDirectory=", "LimitNOFILE=", "TimeoutStopSec=", "KillMode=mixed"):
            assert setting in text, (unit.name, setting)
        stop = re.search(r"^TimeoutStopSec=(\d+)", text, re.MULTILINE)
        assert stop
        assert int(stop[1]) > 15  # SHUTDOWN_SECONDS and a margin
        # Where the package is installed is the only thing that differs here.
        (tmp_path / unit.name).write_text(text.replace(UNIT_PREFIX, str(srochno)))
    result = subprocess.run(
        [analyze, "verify", "--man=no", *map(str, sorted(tmp_path.glob("*.service")))],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "srochno" not in result.stderr, result.stderr  # no warning about our units


def self_signed(folder: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "api.example.com")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (folder / "fullchain.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "privkey.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def test_the_nginx_site_passes_nginx_t(tmp_path):
    nginx = tool("nginx", "/usr/sbin/nginx")
    site = (DEPLOY / "nginx" / "srochno.conf").read_text()
    assert "return 301 https://" in site
    assert "proxy_buffering off" in site
    assert re.search(r"location = /metrics \{\s*return 404;", site)
    self_signed(tmp_path)
    logs = tmp_path / "logs"
    logs.mkdir()
    # The certificates and the log folder are the machine's: point them here.
    site = site.replace(CERT_DIR, str(tmp_path)).replace("/var/log/nginx", str(logs))
    (tmp_path / "srochno.conf").write_text(site)
    wrapper = tmp_path / "nginx.conf"
    wrapper.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {logs}/error.log;\nevents {{}}\n"
        f"http {{\n    access_log off;\n    include {tmp_path}/srochno.conf;\n}}\n"
    )
    result = subprocess.run(
        [nginx, "-t", "-q", "-p", str(tmp_path), "-c", str(wrapper), "-e", str(logs / "e.log")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_the_image_command_and_health_check_work_run_directly(tmp_path, database_url):
    """The image's ``ENTRYPOINT`` + ``CMD`` and its ``HEALTHCHECK``, as they are written,
    on a free port (8000 may be taken here)."""
    port = str(free_port())
    command = [*instruction("ENTRYPOINT"), *instruction("CMD")]
    command = [port if arg == "8000" else arg for arg in command]
    command = ["127.0.0.1" if arg == "0.0.0.0" else arg for arg in command]  # noqa: S104
    binary = Path(sys.executable).with_name(command[0])
    env = server_env(database_url, {}, tmp_path / "data")
    env.update({"ENVIRONMENT": "production", "SECRET_KEY": "s" * 40})
    server = subprocess.Popen(
        [str(binary), *command[1:]],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 180  # a start-up: only a hung one should reach it
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health/ready").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, server.stdout.read().decode() if server.stdout else ""
            assert time.monotonic() < deadline, "the image's command did not become ready"
            time.sleep(0.2)
        check = [
            arg.replace("127.0.0.1:8000", f"127.0.0.1:{port}")
            for arg in json.loads(
                re.search(r"HEALTHCHECK .*?CMD (\[.*\])", dockerfile().replace("\\\n", " ")).group(
                    1
                )  # type: ignore[union-attr]
            )
        ]
        assert check[0] == "python"
        healthy = subprocess.run([sys.executable, *check[1:]], capture_output=True, timeout=30)
        assert healthy.returncode == 0, healthy.stderr
    finally:
        server.terminate()
        server.wait(timeout=30)
