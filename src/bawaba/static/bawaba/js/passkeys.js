// Passkeys: adding one, signing in and stepping up with one, using @simplewebauthn/browser.
//
// Each [data-passkey] block stays hidden unless this browser can use passkeys, so without JavaScript (or
// without WebAuthn) the page offers only the other ways in. The server writes the words: its refusals come
// back translated, and what the browser itself may say is in #passkey-messages.
(function () {
  "use strict";

  var api = window.SimpleWebAuthnBrowser;
  var blocks = document.querySelectorAll("[data-passkey]");
  if (!api || !blocks.length || !api.browserSupportsWebAuthn()) {
    return;
  }
  var messages = document.getElementById("passkey-messages");

  function text(key) {
    return (messages && messages.dataset[key]) || "";
  }

  // What went wrong in the browser, in the words prepared by the page.
  function browserProblem(error) {
    var code = (error && error.code) || "";
    var name = (error && error.name) || "";
    if (code === "ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED" || name === "InvalidStateError") {
      return text("already");
    }
    if (
      code === "ERROR_AUTHENTICATOR_MISSING_USER_VERIFICATION_SUPPORT" ||
      code === "ERROR_AUTHENTICATOR_MISSING_DISCOVERABLE_CREDENTIAL_SUPPORT" ||
      code === "ERROR_AUTHENTICATOR_NO_SUPPORTED_PUBKEYCREDPARAMS_ALG" ||
      name === "ConstraintError"
    ) {
      return text("unsuitable");
    }
    if (code === "ERROR_INVALID_DOMAIN" || code === "ERROR_INVALID_RP_ID" || name === "SecurityError") {
      return text("domain");
    }
    if (code === "ERROR_CEREMONY_ABORTED" || name === "NotAllowedError" || name === "AbortError") {
      return text("cancelled");
    }
    return text("failed");
  }

  function showError(block, message) {
    var box = block.querySelector("[data-passkey-error] .aegov-alert");
    var line = block.querySelector("[data-passkey-error-text]");
    // Emptied first and filled a moment later, so the same words said twice are announced twice.
    line.textContent = "";
    box.hidden = false;
    window.setTimeout(function () {
      line.textContent = message || text("failed");
    }, 50);
  }

  function clearError(block) {
    block.querySelector("[data-passkey-error] .aegov-alert").hidden = true;
    block.querySelector("[data-passkey-error-text]").textContent = "";
  }

  // POST JSON with the CSRF token; resolves to {ok, data}, data.error holding the server's words.
  function post(block, url, payload) {
    var token = block.querySelector("[name=csrfmiddlewaretoken]");
    return window
      .fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": token ? token.value : "",
        },
        body: JSON.stringify(payload),
      })
      .then(function (response) {
        return response.json().then(
          function (data) {
            return { ok: response.ok, data: data };
          },
          function () {
            return { ok: false, data: { error: text("failed") } };
          }
        );
      });
  }

  function run(block, payload) {
    var kind = block.dataset.passkey;
    var button = block.querySelector("[data-passkey-start]");
    button.disabled = true;
    block.setAttribute("aria-busy", "true");
    clearError(block);
    return post(block, block.dataset.optionsUrl, payload)
      .then(function (options) {
        if (!options.ok) {
          throw { server: options.data.error };
        }
        return kind === "add"
          ? api.startRegistration({ optionsJSON: options.data })
          : api.startAuthentication({ optionsJSON: options.data });
      })
      .then(function (credential) {
        return post(block, block.dataset.finishUrl, { credential: credential, next: block.dataset.next || "" });
      })
      .then(function (finished) {
        if (!finished.ok) {
          throw { server: finished.data.error };
        }
        window.location.assign(finished.data.redirect);
      })
      .catch(function (error) {
        showError(block, error && error.server !== undefined ? error.server : browserProblem(error));
        button.disabled = false;
        block.removeAttribute("aria-busy");
      });
  }

  document.querySelectorAll("[data-passkey-unsupported]").forEach(function (element) {
    element.hidden = true;
  });
  blocks.forEach(function (block) {
    block.hidden = false;
    if (block.dataset.passkey === "add") {
      block.addEventListener("submit", function (event) {
        event.preventDefault();
        var name = block.querySelector("[name=name]");
        run(block, { name: name ? name.value : "" });
      });
    } else {
      block.querySelector("[data-passkey-start]").addEventListener("click", function () {
        run(block, {});
      });
    }
  });
})();
