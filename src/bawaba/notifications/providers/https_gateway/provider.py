"""SMS through a generic HTTPS gateway. The protocol, for adapting a real gateway to it:

Sending: one request per message.

    POST <url>
    Authorization: Bearer <token>
    Idempotency-Key: <our message uuid>
    Content-Type: application/json

    {"to": "+201012345678", "text": "…", "client_reference": "<our message uuid>"}

The gateway must honour Idempotency-Key: a request repeating a key it has accepted (we send again when an
answer is lost) sends nothing and answers as the first time did, with the same id.

Answers:
- 200, 201 or 202 with {"id": "<the gateway's id>", "segments": <SMS parts, optional>}: handed over. An
  answer that is not JSON, or has no "id", counts as a permanent refusal: the message may or may not have
  gone out, but no receipt could ever be matched to it, and sending it again could send it twice.
- 4xx with {"error": "<words>"}: this message is refused for good (a barred number, a bad request); the
  words are shown to staff. 408 and 429 are the exceptions: they mean "later".
- 5xx: the gateway failed this time; the message is tried again later.
- 429: the gateway asks us to slow down; this message and the rest of the batch wait (no try counted).
- No answer within `timeout` seconds: this message counts a try (a message that hangs the gateway every time
  must not hold its lane for ever), the rest of the batch waits.
- No connection at all (after one fresh retry, as a kept-alive connection may have been dropped): the whole
  batch waits.

Delivery callback: when the handset gets the message (or never will), the gateway calls

    POST https://<portal>/api/v1/notifications/gateway-callback
    X-Bawaba-Timestamp: <unix seconds>
    X-Bawaba-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" keyed with callback_secret>
    Content-Type: application/json

    {"id": "<the gateway's id>", "status": "delivered" | "failed", "error": "<why, if failed>",
     "at": "<ISO-8601 time with zone>"}

and gets 200 {"ok": true, "matched": <whether a message had that id>}, or 401 (signature, timestamp more than
five minutes off, or no secret configured here) or 400 (the body) with {"detail": "<what is wrong>"}. See
signatures.py for the signing.
"""

import requests
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from .. import Accepted, GaveUp, OneByOne, Outcome, Outgoing, Receipt, Refused, TransientFailure

WORDS_MAX = 300  # of a gateway's error text, for the operations page


class NoAnswer(GaveUp):
    """The gateway took the request and never answered."""


class HttpsGatewayProvider(OneByOne):
    name = "https-gateway"

    def __init__(self, url: str, token: str, callback_secret: str = "", timeout: float = 10, **ignored):
        if not url or not token:
            raise ImproperlyConfigured(
                "The https-gateway SMS provider needs BAWABA_SMS_GATEWAY_URL and BAWABA_SMS_GATEWAY_TOKEN."
            )
        self.url = url
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {token}", "Accept": "application/json"})

    def send(self, message: Outgoing) -> Outcome:
        response = self._post(message)
        status = response.status_code
        if 200 <= status < 300:
            return answer_read(response)
        if status == 429:
            raise TransientFailure(_("The SMS gateway asks us to slow down (HTTP 429)."))
        if status == 408 or status >= 500:  # the gateway's trouble, not the message's
            return Refused(
                _("The SMS gateway failed (HTTP %(status)d): %(words)s")
                % {"status": status, "words": gateway_words(response)},
                permanent=False,
            )
        if 400 <= status < 500:
            return Refused(
                _("The SMS gateway refused the message (HTTP %(status)d): %(words)s")
                % {"status": status, "words": gateway_words(response)},
                permanent=True,
            )
        return Refused(
            _("The SMS gateway gave an unexpected answer (HTTP %(status)d); check BAWABA_SMS_GATEWAY_URL.")
            % {"status": status},
            permanent=False,
        )

    def _post(self, message: Outgoing) -> requests.Response:
        def post() -> requests.Response:
            return self.session.post(
                self.url,
                json={"to": message.to, "text": message.body, "client_reference": message.uuid},
                headers={"Idempotency-Key": message.uuid},
                timeout=self.timeout,
                allow_redirects=False,
            )

        try:
            try:
                return post()
            except requests.ConnectionError:
                # A kept-alive connection the gateway has since closed fails the first try; the idempotency
                # key makes one fresh try safe.
                return post()
        except requests.ConnectionError as error:
            raise TransientFailure(
                _("The SMS gateway cannot be reached: %(error)s") % {"error": error}
            ) from error
        except requests.Timeout as error:
            raise NoAnswer(
                _("The SMS gateway did not answer within %(seconds)s seconds.") % {"seconds": self.timeout}
            ) from error
        except requests.RequestException as error:
            raise TransientFailure(
                _("The SMS gateway cannot be reached: %(error)s") % {"error": error}
            ) from error

    def receipts(self) -> list[Receipt]:
        return []  # they come by callback (bawaba.api.notifications_router), checked with callback_secret

    def close(self) -> None:
        self.session.close()


def answer_read(response: requests.Response) -> Outcome:
    """A 2xx answer: the gateway's id and the parts it took, or a permanent refusal naming what is wrong."""
    try:
        answer = response.json()
    except ValueError:
        return Refused(_("The SMS gateway's answer was not JSON."), permanent=True)
    if not isinstance(answer, dict):
        return Refused(_("The SMS gateway's answer was not a JSON object."), permanent=True)
    reference = answer.get("id")
    if not isinstance(reference, str | int) or isinstance(reference, bool) or not str(reference).strip():
        return Refused(_("The SMS gateway's answer has no message id."), permanent=True)
    segments = answer.get("segments")
    if not isinstance(segments, int) or isinstance(segments, bool) or segments < 1:
        segments = 1
    return Accepted(reference=str(reference).strip(), segments=segments)


def gateway_words(response: requests.Response) -> str:
    """What the gateway said was wrong: its JSON "error" (or "message", "detail"), else its text."""
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if isinstance(answer, dict):
        for key in ("error", "message", "detail"):
            if isinstance(answer.get(key), str) and answer[key].strip():
                return answer[key].strip()[:WORDS_MAX]
    return response.text.strip()[:WORDS_MAX] or response.reason or ""
