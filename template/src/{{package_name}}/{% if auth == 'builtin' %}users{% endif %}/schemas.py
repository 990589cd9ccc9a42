"""Request and response bodies of the users domain, and the password policy."""

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from ..access.principal import Role
from ..core.types import StrictBool, Text
from .emails import Email, normalize_email

# NIST SP 800-63B: length is what makes a password strong; 128 bounds hashing cost.
PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 128


Password = Annotated[Text, Field(min_length=PASSWORD_MIN_LENGTH, max_length=PASSWORD_MAX_LENGTH)]


def is_the_email(password: str, email: str) -> bool:
    """Whether the password is the account's (normalised) email address, the first thing guessed.

    Normalised like an address, so the address in full-width letters is caught too.
    """
    try:
        return normalize_email(password) == email
    except ValueError:  # not an address at all
        return False


class UserCreate(BaseModel):
    """Registration, or an admin creating an account."""

    model_config = ConfigDict(extra="forbid")

    email: Email
    password: Password

    @field_validator("password")
    @classmethod
    def _not_the_email(cls, value: str, info: ValidationInfo) -> str:
        email = info.data.get("email")
        if email is not None and is_the_email(value, email):
            msg = "the password must not be the email address"
            raise ValueError(msg)
        return value


class AdminUserCreate(UserCreate):
    """An admin may choose the role of the account they create."""

    role: Role = Role.USER


class PasswordChange(BaseModel):
    """The current password proves it is the owner, not a stolen session."""

    model_config = ConfigDict(extra="forbid")

    current_password: Text = Field(max_length=PASSWORD_MAX_LENGTH)
    new_password: Password


class UserUpdate(BaseModel):
    """What an admin may change about an account."""

    model_config = ConfigDict(extra="forbid")

    is_active: StrictBool | None = None
    role: Role | None = None


class UserRead(BaseModel):
    """An account as the API shows it: never the hash or the lockout counters."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    role: Role
    is_active: bool
    created_at: datetime
    updated_at: datetime
