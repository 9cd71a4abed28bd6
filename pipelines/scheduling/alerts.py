"""What a failed scheduled run leaves behind: one JSON record per failure in the alert file, and
the same record posted to a webhook when one is configured."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

WEBHOOK_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Alert:
    time: str  # UTC, ISO 8601
    run_id: str
    exit_code: int
    step: str  # the failed step, "lock" when refused, or "dq" for a data-quality ALERT
    message: str
    log_file: str


def raise_alert(alert: Alert, alert_file: Path, webhook: str | None) -> str:
    """Append the alert to `alert_file` (JSON lines) and post it to `webhook`; what happened, as one line."""
    alert_file.parent.mkdir(parents=True, exist_ok=True)
    body = json.dumps(asdict(alert))
    with alert_file.open("a", encoding="utf-8") as f:
        f.write(body + "\n")
    if not webhook:
        return f"alert recorded in {alert_file} (no webhook configured)"
    request = urllib.request.Request(
        webhook, data=body.encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_S) as response:
            return f"alert recorded in {alert_file} and posted to the webhook (HTTP {response.status})"
    except (urllib.error.URLError, OSError) as exc:
        # the record is written; a webhook that is down must not hide the run's own failure
        return f"alert recorded in {alert_file}; posting it to the webhook failed: {exc}"
