"""The secret key of the email pseudonym in gold (dim_customer: HMAC-SHA256 of the email).

Read like any dlt secret: `[transform] pseudonym_key` in `.dlt/secrets.toml` (git-ignored),
or the environment variable TRANSFORM__PSEUDONYM_KEY. On the first run without one, a
random 32-byte key is created and written to `.dlt/secrets.toml`. Rotating it
(docs/gold_model.md, "GDPR") changes every pseudonym at the next build.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

import dlt
import tomlkit
from dlt.common.configuration.providers.toml import SECRETS_TOML

from pipelines.exit_codes import ExitCode, RunFailed

SECTION, KEY = "transform", "pseudonym_key"


def pseudonym_key() -> str:
    """The key as 64 hex digits: the configured one, else a new one saved to .dlt/secrets.toml.
    A malformed key stops the run with a one-line error."""
    key: str | None = dlt.secrets.get(f"{SECTION}.{KEY}")
    if key:
        key = str(key).strip().lower()
        if not re.fullmatch(r"[0-9a-f]{64}", key):
            raise RunFailed(
                ExitCode.USAGE, f"{SECTION}.{KEY} must be 64 hex digits (32 random bytes); fix or delete it"
            )
        return key
    key = secrets.token_hex(32)
    path = Path(dlt.current.run_context().settings_dir) / SECRETS_TOML
    document = tomlkit.parse(path.read_text()) if path.exists() else tomlkit.document()
    document.setdefault(SECTION, tomlkit.table())[KEY] = key
    path.parent.mkdir(parents=True, exist_ok=True)
    # created readable by its owner only; an existing file keeps its permissions
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(tomlkit.dumps(document))
    return key
