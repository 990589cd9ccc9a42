"""Email addresses in the one spelling registration and login now share.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02

Before this revision a stored address could keep its domain in Unicode
(`user@bücher.de`) and letters before the @ that only look like ASCII ones
(full-width letters, Cyrillic ones). Login now looks addresses up as
users/emails.py normalises them (`user@xn--bcher-kva.de`), so each row is
rewritten to that form.

Upgrading changes nothing and stops, listing the account ids, if any address
cannot be rewritten: it is refused now (a non-ASCII letter before the @, or
anything else email-validator refuses), or two accounts would end up with the
same address. Which account is the real one, and what becomes of the other, is
for a person to decide; merging them here would hand one person's data to the
other. Change or delete those rows, then upgrade again.

Downgrading changes nothing: the rewritten addresses are valid for the old code
too, which finds an internationalised domain only when it is typed as `xn--...`.
"""

import unicodedata
import uuid
from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op
from email_validator import EmailNotValidError, validate_email

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

users = sa.table("users", sa.column("id", sa.Uuid()), sa.column("email", sa.String(254)))


def normalize(address: str) -> str:
    """users/emails.py's rule as of this revision; `ValueError` where it refuses the address.

    A copy, not an import: this revision must keep doing what it did when the
    rule changes, and a changed rule needs a revision of its own.
    """
    spelled = unicodedata.normalize("NFKC", address).strip()
    if not spelled.rpartition("@")[0].isascii():
        msg = "a character before the @ that is not ASCII even once normalised"
        raise ValueError(msg)
    try:
        email = validate_email(spelled.lower(), allow_smtputf8=False, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from None
    return f"{email.local_part}@{email.ascii_domain}"


def upgrade() -> None:
    if context.is_offline_mode():
        # The new spelling is computed in Python from the stored one.
        msg = "revision 0003 rewrites stored email addresses; run it online, not as --sql"
        raise RuntimeError(msg)
    connection = op.get_bind()
    owners: dict[str, list[str]] = defaultdict(list)
    refused: list[str] = []  # "<id>: <why>"
    changes: list[tuple[uuid.UUID, str]] = []
    for user_id, email in connection.execute(sa.select(users.c.id, users.c.email)):
        try:
            normalized = normalize(email)
        except ValueError as exc:
            refused.append(f"{user_id}: {exc}")
            continue
        owners[normalized].append(str(user_id))
        if normalized != email:
            changes.append((user_id, normalized))
    shared = [ids for ids in owners.values() if len(ids) > 1]
    if refused or shared:
        raise RuntimeError(_refusal(refused, shared))
    # No row takes an address another still holds: the normalised form of a
    # normalised address is itself, so that would have been a shared address.
    for user_id, normalized in changes:
        connection.execute(users.update().where(users.c.id == user_id).values(email=normalized))


def _refusal(refused: list[str], shared: list[list[str]]) -> str:
    lines = ["revision 0003 changed nothing: some email addresses need a person's decision."]
    lines.extend(f"Address not accepted any more, account {reason}" for reason in refused)
    lines.extend(f"One address once normalised, accounts: {', '.join(ids)}" for ids in shared)
    lines.append("Change or delete these users' rows, then migrate again.")
    return "\n".join(lines)


def downgrade() -> None:
    """Nothing to undo (see the module's docstring)."""
