"""Invalid settings as one line per problem, naming the variable and never its value.

pydantic's own report is a multi-line traceback that echoes the input, and
settings hold signing keys and database passwords. The entry points print
these lines instead and exit with `EX_CONFIG`.
"""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from annotated_types import Ge, Gt, Le, Lt
from pydantic import ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, SettingsError

# sysexits.h: "something was found in an unconfigured or misconfigured state".
EX_CONFIG = 78

Group = TypeVar("Group", bound=BaseSettings)


class ConfigurationError(Exception):
    """The settings cannot be loaded; `problems` says why, one sentence each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class SettingsProblemsError(ValueError):
    """Raised by a validator that finds several problems at once, each its own line."""

    def __init__(self, prefix: str, problems: list[str]) -> None:
        super().__init__(prefix + " ".join(problems))
        self.problems = [prefix + problem for problem in problems]


def load_group(group: type[Group], **values: Any) -> Group:
    """`group(**values)`, or a ConfigurationError naming each invalid variable."""
    try:
        return group(**values)
    except ValidationError as error:
        raise ConfigurationError(describe(error, group)) from None
    except SettingsError as error:
        # A value that could not even be decoded (its message names the field only).
        raise ConfigurationError([str(error)]) from None


def describe(
    error: ValidationError, group: type[BaseSettings], *, across_fields: bool = True
) -> list[str]:
    """One line per error of `group`: the environment variable, what is wrong, what is allowed.

    `across_fields=False` leaves out the checks that span fields (such as the
    production guard): they mean nothing while other groups are stand-ins.
    """
    prefix = str(group.model_config.get("env_prefix", ""))
    lines: list[str] = []
    for detail in error.errors(include_url=False, include_input=False):
        message = detail["msg"].removeprefix("Value error, ").replace("Input should", "must", 1)
        if not detail["loc"]:
            # A check across fields: its message names the variables itself.
            cause = detail.get("ctx", {}).get("error")
            if across_fields:
                problems = cause.problems if isinstance(cause, SettingsProblemsError) else [message]
                lines.extend(problems)
            continue
        field_name = str(detail["loc"][0])
        variable = f"{prefix}{field_name}".upper()
        field = group.model_fields.get(field_name)
        allowed = _allowed(field) if field is not None else ""
        lines.append(f"{variable}: {message}{f' (allowed: {allowed})' if allowed else ''}")
    return lines


def _allowed(field: FieldInfo) -> str:
    """The field's numeric range or boolean spelling; Literal choices are in the message."""
    if field.annotation is bool:
        return "true or false"
    low = next((f">= {c.ge}" for c in field.metadata if isinstance(c, Ge)), None)
    low = low or next((f"> {c.gt}" for c in field.metadata if isinstance(c, Gt)), None)
    high = next((f"<= {c.le}" for c in field.metadata if isinstance(c, Le)), None)
    high = high or next((f"< {c.lt}" for c in field.metadata if isinstance(c, Lt)), None)
    return " and ".join(bound for bound in (low, high) if bound)


@contextmanager
def exit_on_configuration_error() -> Iterator[None]:
    """For entry points: print each problem on stderr and exit with EX_CONFIG, no traceback."""
    try:
        yield
    except ConfigurationError as error:
        for problem in error.problems:
            print(f"configuration error: {problem}", file=sys.stderr)  # noqa: T201
        raise SystemExit(EX_CONFIG) from None
