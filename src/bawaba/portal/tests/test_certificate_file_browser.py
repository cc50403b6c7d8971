"""Signing in with a certificate file in a real browser: node-forge opens the PKCS#12, WebCrypto signs.

The file and its password stay in the browser; the server sees only the certificate chain and the signature.
"""

import base64
import re
from io import StringIO
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import PrivateFormat, pkcs12
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext

from bawaba.accounts.certificates import CertificateProblem
from bawaba.demo.management.commands.pki import DEMO_PASSWORD, REVOKED_DEMO, demo_citizens
from bawaba.demo.pki import citizen_certificate, pem, pkcs12_bytes, write_demo_pki
from bawaba.portal.account_forms import CERTIFICATE_ERRORS
from bawaba.testing.browser import axe_serious, shot

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_catalogue_live")]

AMINA = "29103090104240"
ARABIC_PASSWORD = "كلمة-سر-الشهادة-١٢٣"
WRONG_PASSWORD = "not-the-password"

BROWSER_ERRORS = {
    "no-file": "Choose your certificate file (.p12 or .pfx).",
    "not-pkcs12": "This file is not a certificate file (.p12 or .pfx). Choose the file the national "
    "certification authority gave you.",
    "wrong-password": "The password is not right for this certificate file.",
    "no-key": "This file holds no private key, only certificates. Choose the file that holds your private key.",
    "unsupported-key": "The key in this file is of a kind we do not accept. We accept RSA keys and "
    "elliptic-curve keys on the P-256, P-384 and P-521 curves.",
    "no-webcrypto": "This browser cannot sign here. Use an up-to-date browser, or sign with the Bawaba signer "
    "instead (the other way below).",
}


@pytest.fixture
def pki(tmp_path, settings):
    """The demo national CA, as `bawaba pki demo-ca` writes it, trusted by the portal."""
    authority = write_demo_pki(tmp_path, demo_citizens(), password=DEMO_PASSWORD, revoked=[REVOKED_DEMO[0]])
    settings.BAWABA_PKI_ROOTS = str(tmp_path / "root.pem")
    settings.BAWABA_PKI_CRLS = [str(tmp_path / "national-ca.crl.pem")]
    return tmp_path, authority


def legacy_encryption(password: str):
    """How many national CAs still hand out files: 3DES for the key and the certificates, a SHA-1 MAC."""
    return (
        PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(2048)
        .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
        .hmac_hash(hashes.SHA1())  # noqa: S303 (the legacy format under test)
        .build(password.encode())
    )


def issued_file(pki, name: str, key, *, password: str, legacy: bool) -> str:
    """A PKCS#12 file for Amina with `key`, certified by the demo CA."""
    directory, authority = pki
    key, certificate = citizen_certificate(authority, national_id=AMINA, name="Amina Mahmoud Ali", key=key)
    if legacy:
        data = pkcs12.serialize_key_and_certificates(
            b"Amina", key, certificate, [authority.certificate], legacy_encryption(password)
        )
    else:
        data = pkcs12_bytes(key, certificate, authority, password=password, name="Amina")
    path = directory / f"{name}.p12"
    path.write_bytes(data)
    return str(path)


# Records how the page imports keys. It keeps the record in sessionStorage so that it outlives the
# navigation, which is why the test can only check that localStorage stays empty.
IMPORTS_SPY = """
const importKey = crypto.subtle.importKey.bind(crypto.subtle);
crypto.subtle.importKey = (format, data, algorithm, extractable, usages) => {
  const seen = JSON.parse(sessionStorage.getItem("imports") || "[]");
  sessionStorage.setItem("imports", JSON.stringify([...seen, [format, extractable, usages]]));
  return importKey(format, data, algorithm, extractable, usages);
};
"""


def recorded_requests(page) -> list:
    requests = []
    page.on("request", lambda request: requests.append(request))
    return requests


def posts(requests) -> list:
    return [r for r in requests if r.method == "POST"]


def sign_with_file(page, path: str | None, password: str) -> None:
    if path:
        page.set_input_files("#certificate-file-input", path)
    page.fill("#certificate-file-password", password)
    page.locator("[data-certificate-file-form] button[type=submit]").click()


def translated(lang: str, text) -> str:
    with translation.override(lang):
        return str(gettext(text) if isinstance(text, str) else text)


def assert_high_assurance(page, live_server) -> None:
    page.goto(f"{live_server.url}/ar/account/")
    assert "مرتفع" in page.content()  # high assurance


def test_a_citizen_signs_in_with_the_demo_certificate_file_and_only_the_signature_leaves(
    page, live_server, pki
):
    directory, _ = pki
    requests = recorded_requests(page)
    page.context.add_init_script(IMPORTS_SPY)
    page.goto(f"{live_server.url}/ar/account/certificate/")
    challenge = page.get_attribute("[data-certificate-file]", "data-challenge")
    sign_with_file(page, str(directory / f"{AMINA}.p12"), DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}/ar/")
    assert page.evaluate("JSON.parse(sessionStorage.getItem('imports'))") == [["pkcs8", False, ["sign"]]]
    assert page.evaluate("localStorage.length") == 0
    (sent,) = posts(requests)
    fields = parse_qs(sent.post_data)
    assert sorted(fields) == ["certificate", "csrfmiddlewaretoken", "next", "signature"]
    assert DEMO_PASSWORD not in sent.post_data
    assert all(DEMO_PASSWORD not in r.url for r in requests)
    leaf, issuer = x509.load_pem_x509_certificates(fields["certificate"][0].encode())
    assert pem(leaf) == (directory / f"{AMINA}.pem").read_bytes()
    assert pem(issuer) == (directory / "root.pem").read_bytes()
    # The signature is DER (ECDSA-Sig-Value), over exactly the page's challenge.
    signature = base64.b64decode(fields["signature"][0])
    leaf.public_key().verify(signature, challenge.encode(), ec.ECDSA(hashes.SHA256()))
    assert_high_assurance(page, live_server)


@pytest.mark.parametrize(
    ("name", "make_key", "password", "legacy"),
    [
        ("legacy-3des-rsa", lambda: rsa.generate_private_key(65537, 2048), "legacy-password", True),
        ("legacy-3des-p384", lambda: ec.generate_private_key(ec.SECP384R1()), "legacy-password", True),
        ("aes-p521", lambda: ec.generate_private_key(ec.SECP521R1()), "aes-password", False),
        ("aes-rsa-arabic-password", lambda: rsa.generate_private_key(65537, 2048), ARABIC_PASSWORD, False),
        (
            "legacy-3des-arabic-password",
            lambda: ec.generate_private_key(ec.SECP256R1()),
            ARABIC_PASSWORD,
            True,
        ),
    ],
)
def test_files_from_other_issuing_software_sign_in_too(
    page, live_server, pki, name, make_key, password, legacy
):
    path = issued_file(pki, name, make_key(), password=password, legacy=legacy)
    page.goto(f"{live_server.url}/en/account/certificate/")
    with page.expect_navigation():
        sign_with_file(page, path, password)
    assert page.locator("#error-summary").count() == 0
    assert_high_assurance(page, live_server)


def test_the_legacy_file_of_the_test_really_is_3des(pki):
    path = issued_file(pki, "check", ec.generate_private_key(ec.SECP256R1()), password="x", legacy=True)
    raw = Path(path).read_bytes()
    assert b"\x2a\x86\x48\x86\xf7\x0d\x01\x0c\x01\x03" in raw  # pbeWithSHAAnd3-KeyTripleDES-CBC
    assert b"\x2a\x86\x48\x86\xf7\x0d\x01\x05\x0d" not in raw  # no PBES2


def certificates_only(pki) -> str:
    directory, authority = pki
    data = pkcs12.serialize_key_and_certificates(
        None, None, None, [authority.certificate], legacy_encryption(DEMO_PASSWORD)
    )
    (directory / "certificates-only.p12").write_bytes(data)
    return str(directory / "certificates-only.p12")


PROBLEM_FILES = {
    "no-file": lambda pki: None,
    "not-pkcs12": lambda pki: str(pki[0] / "root.pem"),
    "no-key": certificates_only,
    "unsupported-key": lambda pki: issued_file(
        pki, "ed25519", ed25519.Ed25519PrivateKey.generate(), password=DEMO_PASSWORD, legacy=False
    ),
    "no-webcrypto": lambda pki: str(pki[0] / f"{AMINA}.p12"),
}


@pytest.mark.parametrize(
    ("lang", "problem"),
    [
        ("ar", "wrong-password"),
        ("en", "wrong-password"),
        *(("en", problem) for problem in PROBLEM_FILES),
    ],
)
def test_browser_side_problems_are_explained_next_to_the_form_and_nothing_is_sent(
    browser, live_server, pki, lang, problem
):
    context = browser.new_context(locale="ar-EG")
    if problem == "no-webcrypto":
        context.add_init_script("Object.defineProperty(window.crypto, 'subtle', {value: undefined})")
    page = context.new_page()
    requests = recorded_requests(page)
    page.goto(f"{live_server.url}/{lang}/account/certificate/")
    url = page.url
    path = str(pki[0] / f"{AMINA}.p12") if problem == "wrong-password" else PROBLEM_FILES[problem](pki)
    sign_with_file(page, path, WRONG_PASSWORD if problem == "wrong-password" else DEMO_PASSWORD)
    alert = page.locator("[data-certificate-file-error]")
    alert.wait_for(state="visible")
    assert alert.get_attribute("role") == "alert"
    assert alert.inner_text().strip() == translated(lang, BROWSER_ERRORS[problem])
    assert page.evaluate("document.activeElement.hasAttribute('data-certificate-file-error')")
    page.wait_for_timeout(300)
    assert posts(requests) == [] and page.url == url
    assert page.locator("[data-certificate-file-form] button[type=submit]").is_enabled()
    context.close()


def test_the_revoked_certificate_file_is_refused_by_the_server(page, live_server, pki):
    directory, _ = pki
    page.goto(f"{live_server.url}/ar/account/certificate/")
    with page.expect_navigation():
        sign_with_file(page, str(directory / f"{REVOKED_DEMO[0]}.p12"), DEMO_PASSWORD)
    summary = page.locator("#error-summary")
    assert "أُلغيت هذه الشهادة" in summary.inner_text()
    assert translated("ar", CERTIFICATE_ERRORS[CertificateProblem.REVOKED]) in summary.inner_text()
    # The file way is offered again, and the pasting way stays folded away.
    assert page.locator("[data-certificate-file-form]").is_visible()
    assert page.locator("#certificate-manual").get_attribute("open") is None
    page.goto(f"{live_server.url}/ar/account/")
    assert "/account/sign-in/" in page.url  # still signed out


def test_without_javascript_the_page_explains_and_offers_the_signer(browser, live_server, pki):
    directory, _ = pki
    context = browser.new_context(java_script_enabled=False, locale="ar-EG")
    page = context.new_page()
    page.goto(f"{live_server.url}/en/account/certificate/")
    assert page.locator("[data-certificate-file-needs-script]").is_visible()
    assert page.locator("[data-certificate-file-form]").is_hidden()
    assert page.locator("#certificate-manual").get_attribute("open") is not None
    shot(page, "certificate-file-no-script-en")
    challenge = page.get_by_test_id("challenge").inner_text()
    out = StringIO()
    call_command(
        "pki",
        "sign-challenge",
        "--p12",
        str(directory / f"{AMINA}.p12"),
        "--password",
        DEMO_PASSWORD,
        "--challenge",
        challenge,
        stdout=out,
    )
    chain, signature = out.getvalue().split("Signature: ")
    page.fill("#id_certificate", chain)
    page.fill("#id_signature", signature.strip())
    with page.expect_navigation():
        page.locator("#certificate-form button[type=submit]").click()
    assert_high_assurance(page, live_server)
    context.close()


def test_the_certificate_file_page_is_accessible_in_both_languages(browser, live_server, pki):
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    for lang in ("ar", "en"):
        page.goto(f"{live_server.url}/{lang}/account/certificate/")
        page.locator("[data-certificate-file-form]").wait_for(state="visible")
        expected_dir = "rtl" if lang == "ar" else "ltr"
        assert page.locator("html").get_attribute("dir") == expected_dir
        serious = axe_serious(page)
        shot(page, f"certificate-file-{lang}")
        assert serious == []
        sign_with_file(page, str(pki[0] / f"{AMINA}.p12"), WRONG_PASSWORD)
        page.locator("[data-certificate-file-error]").wait_for(state="visible")
        serious = axe_serious(page)
        shot(page, f"certificate-file-error-{lang}")
        assert serious == []
    context.close()


def test_the_page_loads_forge_and_no_inline_script(page, live_server, pki):
    page.goto(f"{live_server.url}/en/account/certificate/")
    sources = page.eval_on_selector_all("script", "scripts => scripts.map(s => s.src || s.textContent)")
    assert [re.sub(r".*/static/", "", s) for s in sources] == [
        "bawaba/vendor/forge.min.js",
        "bawaba/js/certificate-file.js",
    ]


def test_a_pasted_answer_with_mistakes_keeps_the_pasting_way_open(page, live_server, pki):
    page.goto(f"{live_server.url}/en/account/certificate/")
    assert page.locator("#certificate-manual").get_attribute("open") is None  # folded once the file way works
    page.locator("#certificate-manual summary").click()
    with page.expect_navigation():
        page.locator("#certificate-form button[type=submit]").click()
    assert page.locator("#error-summary").is_visible()
    assert page.locator("#certificate-manual").get_attribute("open") is not None
    assert page.locator("#id_certificate").is_visible()
