"""Email addresses: one spelling per address, so one account per address.

The address is an account's identity. Registration, login, the admin endpoints
and `create-admin` all pass it through `normalize_email`, and the database's
unique constraint on the result then means one account per address, however
the client typed it. The rule, in order:

1. NFKC: compatibility forms become the plain letters they stand for, so
   `user@example.com` typed in full-width letters (U+FF41 and on, as East Asian
   keyboards do) is `user@example.com`.
2. Trimmed and lower case, the part before the @ too. RFC 5321 would let a mail
   server tell `Bob` from `bob`; hardly any does, and two accounts that differ
   only in case would be one person's, or an impostor's.
3. The part before the @ must now be ASCII. What is left are letters that no
   normalisation maps to ASCII but that look like it (the Cyrillic e, U+0435;
   the dotless i, U+0131): refused, rather than becoming a second account that
   looks like the first.
4. The domain may be internationalised; it is stored in its ASCII (IDNA) form,
   `xn--...`, which is what DNS resolves and which shows a look-alike domain
   for what it is.

email-validator (the library behind pydantic's `EmailStr`) checks the syntax and
converts the domain; this module only puts the steps in order.
"""

import unicodedata
from typing import Annotated

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, Field

# RFC 5321 limits a forward path to 256 octets, the address itself to 254.
EMAIL_MAX_LENGTH = 254


def normalize_email(address: str) -> str:
    """The one spelling of `address` that is stored; `ValueError` saying why it is refused."""
    spelled = unicodedata.normalize("NFKC", address).strip()
    # Checked before lower(), which changes no ASCII verdict here but would turn
    # a refused `İ` into `i` and a combining dot in the message.
    local_part = spelled.rpartition("@")[0]
    if not local_part.isascii():
        # Named, because the refused letter looks exactly like an ASCII one.
        letters = ", ".join(
            f"'{c}' ({unicodedata.name(c, 'unnamed')})"
            for c in sorted(set(local_part))
            if not c.isascii()
        )
        msg = f"the part before the @ may only contain ASCII characters, not {letters}"
        raise ValueError(msg)
    try:
        email = validate_email(spelled.lower(), allow_smtputf8=False, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from None
    return f"{email.local_part}@{email.ascii_domain}"


Email = Annotated[
    str,
    Field(
        max_length=EMAIL_MAX_LENGTH,
        json_schema_extra={"format": "email"},
        description=(
            "Compared and stored normalised: NFKC, lower case, the domain in its ASCII"
            " (IDNA) form. Letters before the @ that are not ASCII after that are refused."
        ),
    ),
    AfterValidator(normalize_email),
]
