"""Production settings refuse insecure configurations, and pass Django's deployment checks when given real ones."""

import os
import secrets
import subprocess
import sys

import pytest

GOOD = {
    "DJANGO_SETTINGS_MODULE": "bawaba.settings.production",
    "BAWABA_SECRET_KEY": secrets.token_urlsafe(64),
    "BAWABA_ALLOWED_HOSTS": "portal.gov.example",
}


def bawaba(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("BAWABA_", "DJANGO_"))}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "bawaba.manage", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_is_clean_with_real_settings(tmp_path):
    result = bawaba("check", "--deploy", "--fail-level", "WARNING", BAWABA_VAR_DIR=str(tmp_path), **GOOD)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "override,complaint",
    [
        ({"BAWABA_SECRET_KEY": ""}, "BAWABA_SECRET_KEY"),
        ({"BAWABA_SECRET_KEY": "short"}, "BAWABA_SECRET_KEY"),
        ({"BAWABA_SECRET_KEY": "django-insecure-" + "x" * 60}, "BAWABA_SECRET_KEY"),
        ({"BAWABA_ALLOWED_HOSTS": ""}, "BAWABA_ALLOWED_HOSTS"),
        ({"BAWABA_ALLOWED_HOSTS": "*"}, "BAWABA_ALLOWED_HOSTS"),
    ],
)
def test_production_refuses_to_start_without_real_secrets(tmp_path, override, complaint):
    result = bawaba("check", BAWABA_VAR_DIR=str(tmp_path), **{**GOOD, **override})
    assert result.returncode != 0
    assert complaint in result.stderr


def test_secret_can_come_from_a_file(tmp_path):
    key_file = tmp_path / "secret"
    key_file.write_text(secrets.token_urlsafe(64))
    env = {**GOOD, "BAWABA_SECRET_KEY": "", "BAWABA_SECRET_KEY_FILE": str(key_file)}
    assert bawaba("check", BAWABA_VAR_DIR=str(tmp_path), **env).returncode == 0


def test_the_static_files_collect_under_the_production_storage(settings, tmp_path):
    # The manifest storage rewrites every reference between static files and refuses a missing one, such as a
    # source map a vendored library names but does not ship: a deployment would fail at collectstatic.
    from io import StringIO

    from django.core.management import call_command

    settings.STATIC_ROOT = str(tmp_path)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", stdout=StringIO())
    assert (tmp_path / "staticfiles.json").exists()
    assert list(tmp_path.glob("bawaba/vendor/forge.min.*.js"))
