"""Webhooks as the merchant's endpoint receives them: signed, late, twice, out of order, retried."""

import json

from .gateway import Payer, gateway_process, wait_for, webhook_receiver


def test_each_status_change_is_sent_twice_with_the_same_event_id(tmp_path):
    with webhook_receiver() as receiver, gateway_process(tmp_path, receiver.url) as gateway:
        payment = gateway.create(amount=700)
        Payer(gateway).pay(payment["id"], "4000000000000002")
        Payer(gateway).pay(payment["id"], "4242424242424242")
        events = wait_for(lambda: len(receiver.events(payment["id"])) >= 8 and receiver.events(payment["id"]))
        statuses = {event["event_id"]: event["status"] for event in events}
        assert sorted(statuses.values()) == ["declined", "pending", "pending", "succeeded"]
        for event_id in statuses:
            copies = [event for event in events if event["event_id"] == event_id]
            assert len(copies) == 2 and copies[0] == copies[1]
        succeeded = next(event for event in events if event["status"] == "succeeded")
        assert {key: succeeded[key] for key in ("id", "amount", "currency", "merchant_reference")} == {
            "id": payment["id"],
            "amount": 700,
            "currency": "EGP",
            "merchant_reference": payment["merchant_reference"],
        }
        assert succeeded["occurred_at"] == gateway.status(payment["id"])["updated_at"]


def test_an_older_event_can_arrive_after_the_success(tmp_path):
    with (
        webhook_receiver() as receiver,
        gateway_process(tmp_path, receiver.url, BAWABA_PAYGW_WEBHOOK_REORDER_CHANCE="1") as gateway,
    ):
        payment = gateway.create()
        Payer(gateway).pay(payment["id"], "4000000000009995")
        Payer(gateway).pay(payment["id"], "4242424242424242")
        # pending, declined, pending, succeeded: two copies each, and a late copy of the last pending.
        events = wait_for(lambda: len(receiver.events(payment["id"])) >= 9 and receiver.events(payment["id"]))
        last = events[-1]
        assert last["status"] == "pending"
        succeeded = next(e for e in events if e["status"] == "succeeded")
        assert (last["sequence"], succeeded["sequence"]) == (3, 4)
        assert last["occurred_at"] <= succeeded["occurred_at"]
        assert [e["status"] for e in events].index("succeeded") < len(events) - 1


def test_a_refused_delivery_is_retried(tmp_path):
    with webhook_receiver(fail_first=3) as receiver, gateway_process(tmp_path, receiver.url) as gateway:
        payment = gateway.create()
        wait_for(lambda: len(receiver.events(payment["id"])) >= 2, message="both copies after the refusals")
        assert len(receiver.refused) == 3
        assert {event["event_id"] for event in receiver.refused} == {
            receiver.events(payment["id"])[0]["event_id"]
        }
        assert "failed (HTTP 500); try 2 of 3 later" in (tmp_path / "paygw.log").read_text()


def test_a_merchant_that_stays_down_is_given_up_on_and_logged(tmp_path):
    with webhook_receiver(fail_first=1000) as receiver, gateway_process(tmp_path, receiver.url) as gateway:
        gateway.create()
        log = tmp_path / "paygw.log"
        wait_for(
            lambda: log.read_text().count("abandoned after 3 tries: HTTP 500") == 2,
            message="both copies abandoned",
        )
        assert len(receiver.refused) == 6
        assert receiver.received == []


def test_webhooks_are_signed_with_the_merchants_secret(tmp_path):
    # The receiver keeps only deliveries whose signature checks with the test secret; with another
    # secret configured at the gateway, nothing is accepted.
    with webhook_receiver() as receiver:
        merchants = json.dumps(
            {
                "shop": {"secret": "merchant-test-secret", "webhook_url": receiver.url},
                "other": {"secret": "x", "webhook_url": receiver.url},
            }
        )
        with gateway_process(tmp_path, receiver.url, BAWABA_PAYGW_MERCHANTS=merchants) as gateway:
            mine = gateway.create()
            gateway.merchant, gateway.secret = "other", "x"
            theirs = gateway.create()
            wait_for(lambda: len(receiver.events(mine["id"])) >= 2)
            log = tmp_path / "paygw.log"
            wait_for(
                lambda: "abandoned after 3 tries" in log.read_text(), message="the badly signed deliveries"
            )
            assert receiver.events(theirs["id"]) == []
