"""The hash that links audit entries: pure, so verification needs nothing but the rows."""

import hashlib
import json
from datetime import datetime

GENESIS = "0" * 64


def entry_hash(
    *,
    previous_hash: str,
    sequence: int,
    occurred_at: datetime,
    action: str,
    actor: str,
    on_behalf_of: str,
    subject_type: str,
    subject_id: str,
    data: dict,
) -> str:
    body = json.dumps(
        [
            previous_hash,
            sequence,
            occurred_at.isoformat(),
            action,
            actor,
            on_behalf_of,
            subject_type,
            subject_id,
            data,
        ],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(body.encode()).hexdigest()
