"""Who is looking: personas, local accounts and the app's two modes.

- `accounts` (the default): every user signs in with a local account from the accounts file
  (`analytics/users.toml`, git-ignored; `RETAIL_BI_USERS` overrides). Passwords are stored as
  salted scrypt hashes, never in clear. A store manager's account lists their stores by
  store_id (`dim_store.store_key`): a store code is not an identity, two stores may share one
  (`dim_store.is_store_code_shared`).
- `demo` (`RETAIL_BI_MODE=demo`, named on the command line by `make bi` when no accounts file
  exists): no sign-in, a persona picker instead. The app says so on every page.

Add an account:  python -m analytics.access add NAME --persona store_manager --stores 12 345   (store ids)
"""

from __future__ import annotations

import argparse
import base64
import getpass
import hashlib
import hmac
import os
import secrets
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_USERS = ROOT / "analytics" / "users.toml"
MODES = ("accounts", "demo")
# persona -> (label, start page, may see every store)
PERSONAS = {
    "executive": ("Executive", "executive", True),
    "store_manager": ("Store manager", "operations", False),
    "data_engineer": ("Data engineer", "data_quality", True),
}
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


class AccountsError(Exception):
    """The accounts file is missing or malformed; the message says how to fix it."""


@dataclass(frozen=True)
class User:
    name: str
    persona: str
    store_ids: tuple[int, ...] = ()

    @property
    def label(self) -> str:
        return PERSONAS[self.persona][0]

    @property
    def start_page(self) -> str:
        return PERSONAS[self.persona][1]

    @property
    def sees_every_store(self) -> bool:
        return PERSONAS[self.persona][2]


def mode() -> str:
    value = os.environ.get("RETAIL_BI_MODE", "accounts")
    if value not in MODES:
        raise AccountsError(f"RETAIL_BI_MODE={value!r} is not a mode; use one of {', '.join(MODES)}")
    return value


def users_file() -> Path:
    return Path(os.environ.get("RETAIL_BI_USERS", DEFAULT_USERS))


def hash_password(password: str) -> str:
    """scrypt$<n>$<r>$<p>$<salt b64>$<hash b64>"""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)
    return "scrypt${n}${r}${p}$".format(**_SCRYPT) + "$".join(base64.b64encode(x).decode() for x in (salt, digest))


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        computed = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(computed, base64.b64decode(digest))


def load_accounts(path: Path | None = None) -> dict[str, dict]:
    path = path or users_file()
    if not path.exists():
        raise AccountsError(
            f"No accounts file at {path}. Add an account with `python -m analytics.access add NAME --persona ...`, "
            "or start the demo mode (`make bi BI_MODE=demo`)."
        )
    try:
        accounts = tomllib.loads(path.read_text()).get("users", {})
    except tomllib.TOMLDecodeError as exc:
        raise AccountsError(f"{path} is not valid TOML: {exc}") from exc
    for name, account in accounts.items():
        if account.get("persona") not in PERSONAS or not str(account.get("password_hash", "")).startswith("scrypt$"):
            raise AccountsError(
                f"account {name!r} in {path} needs a persona ({', '.join(PERSONAS)}) and a password_hash"
            )
        stores = account.get("stores", [])
        if not isinstance(stores, list) or not all(isinstance(s, int) and not isinstance(s, bool) for s in stores):
            raise AccountsError(
                f"account {name!r} in {path}: stores must be a list of store ids (integers, dim_store.store_key), "
                f"not {stores!r}; store codes are not unique"
            )
    return accounts


def sign_in(name: str, password: str, path: Path | None = None) -> User | None:
    """The user when the name and password match an account, else None."""
    account = load_accounts(path).get(name)
    if account is None or not verify_password(password, account["password_hash"]):
        return None
    return User(name, account["persona"], tuple(account.get("stores", ())))


def add_account(path: Path, name: str, persona: str, password: str, stores: list[int]) -> None:
    """Write (or replace) one account in the accounts file, keeping the others."""
    accounts = tomllib.loads(path.read_text()).get("users", {}) if path.exists() else {}
    accounts[name] = {"persona": persona, "stores": stores, "password_hash": hash_password(password)}
    lines = ["# Local accounts of the BI app (git-ignored). Passwords are scrypt hashes.", ""]
    for user, account in sorted(accounts.items()):
        stores_toml = ", ".join(str(int(s)) for s in account.get("stores", []))
        lines += [
            f'[users."{user}"]',
            f'persona = "{account["persona"]}"',
            f"stores = [{stores_toml}]",
            f'password_hash = "{account["password_hash"]}"',
            "",
        ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines))
    path.chmod(0o600)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m analytics.access", description="Manage the BI app's local accounts.")
    sub = p.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="add or replace an account (asks for the password)")
    add.add_argument("name")
    add.add_argument("--persona", choices=sorted(PERSONAS), required=True)
    add.add_argument(
        "--stores", nargs="*", type=int, default=[], help="store ids (dim_store.store_key) a store manager sees"
    )
    add.add_argument("--file", type=Path, default=users_file())
    args = p.parse_args(argv)
    if args.persona == "store_manager" and not args.stores:
        print("error: a store manager needs --stores (store ids)", file=sys.stderr)
        return 2
    password = os.environ.get("RETAIL_BI_PASSWORD") or getpass.getpass(f"password for {args.name}: ")
    if len(password) < 8:
        print("error: use a password of at least 8 characters", file=sys.stderr)
        return 2
    add_account(args.file, args.name, args.persona, password, args.stores)
    print(f"account {args.name} ({args.persona}) written to {args.file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
