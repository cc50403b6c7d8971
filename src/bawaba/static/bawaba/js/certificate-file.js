/* Certificate sign-in with a PKCS#12 file (.p12/.pfx), done entirely in the browser.
 *
 * node-forge (global `forge`) opens the file with its password; WebCrypto imports the private key as
 * non-extractable and signs the page's one-time challenge. Only the certificate chain (PEM) and the signature
 * leave the page: they go into the page's ordinary certificate form, which is then submitted, so the server
 * checks them exactly as it checks a pasted answer. The file and the password are never sent nor stored.
 *
 * Every message shown is rendered by the template (data-error-* attributes), because only the server
 * translates.
 */
(function () {
  "use strict";

  var RSA_ENCRYPTION = "1.2.840.113549.1.1.1";
  var EC_PUBLIC_KEY = "1.2.840.10045.2.1";
  // The curves WebCrypto signs with; the server verifies ECDSA with SHA-256 on any of them.
  var CURVES = { "1.2.840.10045.3.1.7": "P-256", "1.3.132.0.34": "P-384", "1.3.132.0.35": "P-521" };
  // A PKCS#12 file is a few kilobytes; parsing a large file would only freeze the tab.
  var MAX_FILE_BYTES = 512 * 1024;

  function Problem(code) {
    this.code = code;
  }

  function fail(code) {
    throw new Problem(code);
  }

  // PBES2 (PBKDF2 + AES) takes the password as UTF-8 bytes, as OpenSSL writes it, while the PKCS#12 MAC
  // and the legacy 3DES/RC2 ciphers take it as BMPString. forge does the latter itself but hands a JavaScript
  // string straight to PBKDF2, which garbles any character beyond Latin-1 (an Arabic password, say).
  function passwordsAsOpenSslDoes() {
    var pbe = forge.pki.pbe;
    var original = pbe.getCipherForPBES2;
    pbe.getCipherForPBES2 = function (oid, params, password) {
      return original.call(this, oid, params, forge.util.encodeUtf8(password));
    };
  }

  function openPkcs12(bytes, password) {
    var der;
    try {
      der = forge.asn1.fromDer(bytes, false);
    } catch (error) {
      fail("not-pkcs12");
    }
    try {
      return forge.pkcs12.pkcs12FromAsn1(der, false, password);
    } catch (error) {
      var message = String(error && error.message);
      if (/MAC could not be verified|wrong password|Failed to decrypt/i.test(message)) fail("wrong-password");
      if (/unsupported/i.test(message)) fail("unsupported-file");
      fail("not-pkcs12");
    }
  }

  function bagsOf(pfx, type) {
    return pfx.getBags({ bagType: type })[type] || [];
  }

  function localKeyIdOf(bag) {
    var ids = bag.attributes && bag.attributes.localKeyId;
    return ids && ids.length ? ids[0] : null;
  }

  // The decrypted PrivateKeyInfo (PKCS#8) as DER. forge decodes RSA keys into objects (re-wrapped here) and
  // leaves the others, elliptic-curve keys among them, as the ASN.1 it decrypted.
  function privateKeyOf(pfx) {
    var oids = forge.pki.oids;
    var bags = bagsOf(pfx, oids.pkcs8ShroudedKeyBag).concat(bagsOf(pfx, oids.keyBag));
    if (!bags.length) fail("no-key");
    var bag = bags[0];
    var info = bag.key
      ? forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(bag.key))
      : bag.asn1;
    return { der: forge.asn1.toDer(info).getBytes(), localKeyId: localKeyIdOf(bag) };
  }

  function algorithmsFor(pkcs8) {
    var algorithm;
    try {
      algorithm = forge.asn1.fromDer(pkcs8).value[1];
    } catch (error) {
      fail("unsupported-key");
    }
    var oid = forge.asn1.derToOid(algorithm.value[0].value);
    if (oid === RSA_ENCRYPTION) {
      var rsa = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
      return { importAs: rsa, signWith: rsa, ecdsa: false };
    }
    var parameters = algorithm.value[1];
    var curve =
      oid === EC_PUBLIC_KEY && parameters && parameters.type === forge.asn1.Type.OID
        ? CURVES[forge.asn1.derToOid(parameters.value)]
        : undefined;
    if (!curve) fail("unsupported-key");
    return {
      importAs: { name: "ECDSA", namedCurve: curve },
      signWith: { name: "ECDSA", hash: "SHA-256" },
      ecdsa: true,
    };
  }

  // A certificate's DER. forge leaves the certificates it cannot decode (any not signed with RSA) as parsed
  // ASN.1, which re-encodes byte for byte; the ones it decodes it rebuilds around the signed TBSCertificate
  // and the signature it keeps, so the issuer's signature still verifies.
  function certificateDer(bag) {
    var asn1 = bag.cert ? forge.pki.certificateToAsn1(bag.cert) : bag.asn1;
    return { der: forge.asn1.toDer(asn1).getBytes(), asn1: asn1, localKeyId: localKeyIdOf(bag) };
  }

  function namesOf(certificate) {
    var tbs = certificate.asn1.value[0].value;
    var first = tbs[0].tagClass === forge.asn1.Class.CONTEXT_SPECIFIC ? 1 : 0; // [0] version, if present
    return {
      issuer: forge.asn1.toDer(tbs[first + 2]).getBytes(),
      subject: forge.asn1.toDer(tbs[first + 4]).getBytes(),
    };
  }

  // The signer's certificate first (the one sharing the key's localKeyId, or else the one that issued no
  // other), then its issuers in order, then anything else the file holds.
  function chainOf(pfx, localKeyId) {
    var certificates = bagsOf(pfx, forge.pki.oids.certBag).map(certificateDer);
    if (!certificates.length) fail("no-certificate");
    certificates.forEach(function (certificate) {
      var names = namesOf(certificate);
      certificate.issuer = names.issuer;
      certificate.subject = names.subject;
    });
    var leaf =
      certificates.find(function (c) {
        return localKeyId !== null && c.localKeyId === localKeyId;
      }) ||
      certificates.find(function (c) {
        return !certificates.some(function (other) {
          return other !== c && other.issuer === c.subject && other.issuer !== other.subject;
        });
      }) ||
      certificates[0];
    var chain = [leaf];
    var rest = certificates.filter(function (c) {
      return c !== leaf;
    });
    for (var current = leaf; current.issuer !== current.subject; ) {
      var issuer = rest.find(function (c) {
        return c.subject === current.issuer;
      });
      if (!issuer) break;
      chain.push(issuer);
      rest.splice(rest.indexOf(issuer), 1);
      current = issuer;
    }
    return chain.concat(rest);
  }

  function pem(certificate) {
    var lines = btoa(certificate.der).match(/.{1,64}/g);
    return "-----BEGIN CERTIFICATE-----\n" + lines.join("\n") + "\n-----END CERTIFICATE-----\n";
  }

  function bytesToBinary(bytes) {
    var out = "";
    for (var i = 0; i < bytes.length; i += 8192) {
      out += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192));
    }
    return out;
  }

  function binaryToBytes(binary) {
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }

  function derLength(length) {
    if (length < 0x80) return [length];
    var out = [];
    for (; length > 0; length >>= 8) out.unshift(length & 0xff);
    return [0x80 | out.length].concat(out);
  }

  function derInteger(unsigned) {
    var start = 0;
    while (start < unsigned.length - 1 && unsigned[start] === 0) start++;
    var body = Array.from(unsigned.subarray(start));
    if (body[0] & 0x80) body.unshift(0); // keep it positive
    return [0x02].concat(derLength(body.length), body);
  }

  // WebCrypto's ECDSA signature is r || s, each as long as the curve's order; the server (and X.509
  // everywhere) reads ECDSA-Sig-Value, the DER SEQUENCE { r INTEGER, s INTEGER }.
  function ecdsaDer(raw) {
    var half = raw.length / 2;
    var body = derInteger(raw.subarray(0, half)).concat(derInteger(raw.subarray(half)));
    return new Uint8Array([0x30].concat(derLength(body.length), body));
  }

  async function answer(file, password, challenge) {
    if (!window.isSecureContext || !window.crypto || !window.crypto.subtle) fail("no-webcrypto");
    if (!file) fail("no-file");
    if (file.size === 0 || file.size > MAX_FILE_BYTES) fail("not-pkcs12");
    var pfx = openPkcs12(bytesToBinary(new Uint8Array(await file.arrayBuffer())), password);
    var key = privateKeyOf(pfx);
    var algorithms = algorithmsFor(key.der);
    var chain = chainOf(pfx, key.localKeyId);
    var pkcs8 = binaryToBytes(key.der);
    var signingKey;
    try {
      signingKey = await window.crypto.subtle.importKey("pkcs8", pkcs8, algorithms.importAs, false, ["sign"]);
    } catch (error) {
      fail("unsupported-key");
    } finally {
      pkcs8.fill(0);
    }
    var signature = new Uint8Array(
      await window.crypto.subtle.sign(algorithms.signWith, signingKey, new TextEncoder().encode(challenge))
    );
    if (algorithms.ecdsa) signature = ecdsaDer(signature);
    return { certificate: chain.map(pem).join(""), signature: btoa(bytesToBinary(signature)) };
  }

  // Lets the browser paint the busy state before forge's key derivation holds the main thread.
  function nextPaint() {
    return new Promise(function (resolve) {
      window.requestAnimationFrame(function () {
        window.setTimeout(resolve, 0);
      });
    });
  }

  function enhance(root) {
    var form = root.querySelector("[data-certificate-file-form]");
    var alert = root.querySelector("[data-certificate-file-error]");
    var status = root.querySelector("[data-certificate-file-status]");
    var fileInput = form.querySelector("input[type=file]");
    var passwordInput = form.querySelector("input[type=password]");
    var button = form.querySelector("button[type=submit]");
    var target = document.getElementById(root.dataset.target);
    var manual = document.getElementById(root.dataset.manual);

    root.querySelector("[data-certificate-file-needs-script]").hidden = true;
    form.hidden = false;
    if (manual && !manual.hasAttribute("data-keep-open")) manual.open = false;

    function showProblem(code) {
      var text = alert.getAttribute("data-error-" + code) || alert.getAttribute("data-error-failed");
      alert.querySelector("[data-message]").textContent = text;
      alert.hidden = false;
      var invalid = { "no-file": fileInput, "not-pkcs12": fileInput, "wrong-password": passwordInput }[code];
      [fileInput, passwordInput].forEach(function (input) {
        var control = input.closest(".aegov-form-control");
        if (input === invalid) input.setAttribute("aria-invalid", "true");
        else input.removeAttribute("aria-invalid");
        control.classList.toggle("control-error", input === invalid);
      });
      alert.focus();
    }

    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      if (button.disabled) return;
      alert.hidden = true;
      button.disabled = true;
      status.textContent = status.getAttribute("data-busy");
      try {
        await nextPaint();
        var signed = await answer(fileInput.files[0], passwordInput.value, root.dataset.challenge);
        target.elements.certificate.value = signed.certificate;
        target.elements.signature.value = signed.signature;
        status.textContent = status.getAttribute("data-sending");
        target.submit();
      } catch (error) {
        button.disabled = false;
        status.textContent = "";
        showProblem(error instanceof Problem ? error.code : "failed");
      }
    });
  }

  var root = document.querySelector("[data-certificate-file]");
  if (root && window.forge) {
    passwordsAsOpenSslDoes();
    enhance(root);
  }
})();
