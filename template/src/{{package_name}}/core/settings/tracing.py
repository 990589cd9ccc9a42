"""Settings of tracing, from the standard `OTEL_*` variables (README "Configuration").

Each exporter option `OTEL_EXPORTER_OTLP_<OPTION>` has a twin
`OTEL_EXPORTER_OTLP_TRACES_<OPTION>` that wins over it, as the OpenTelemetry
specification says; `exporter` resolves the pairs once, at startup.
"""

import ssl
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Self
from urllib.parse import unquote

from pydantic import Field, FilePath, SecretStr, field_validator, model_validator

from ...about import DISTRIBUTION
from .group import settings_group
from .secrets import SecretFilesSettings

Compression = Literal["none", "gzip"]
_DEFAULT_TIMEOUT_MS = 10_000
# A header name is an RFC 9110 token; a value may not hold control characters.
_TOKEN_CHARACTERS = frozenset(string.ascii_letters + string.digits + "!#$%&'*+-.^_`|~")
_CONTROL_CHARACTERS = frozenset(map(chr, [*range(32), 127]))


@dataclass(frozen=True)
class ExporterOptions:
    """What the OTLP exporter needs, each option resolved from its pair of variables."""

    headers: dict[str, str]
    timeout_seconds: float
    compression: Compression
    certificate: Path | None
    client_certificate: Path | None
    client_key: Path | None

    def ssl_context(self) -> ssl.SSLContext:
        """The CA and client certificate, loaded: what checks the files at startup."""
        context = ssl.create_default_context(cafile=self.certificate)
        if self.client_certificate is not None:
            context.load_cert_chain(self.client_certificate, self.client_key)
        return context


class TracingSettings(SecretFilesSettings):
    """OpenTelemetry. Off unless an OTLP endpoint is set; `OTEL_SDK_DISABLED=true` wins.

    Off means no SDK objects and no middleware at all.
    """

    model_config = settings_group(
        "OTEL_",
        # `OTEL_EXPORTER_OTLP_TIMEOUT=` in a .env means "not set", not an error.
        env_ignore_empty=True,
    )

    sdk_disabled: bool = False
    service_name: str = DISTRIBUTION
    # Base URL of the collector, e.g. http://collector:4318 (HTTP) or :4317 (gRPC).
    exporter_otlp_endpoint: str | None = None
    # A full URL for traces only; wins over the base endpoint.
    exporter_otlp_traces_endpoint: str | None = None
    exporter_otlp_protocol: Literal["http/protobuf", "grpc"] = "http/protobuf"
    traces_sampler: Literal[
        "always_on",
        "always_off",
        "traceidratio",
        "parentbased_always_on",
        "parentbased_always_off",
        "parentbased_traceidratio",
    ] = "parentbased_traceidratio"
    # The ratio for the *traceidratio samplers, 0 to 1.
    traces_sampler_arg: float = Field(default=1.0, ge=0, le=1)
    # Extra resource attributes: `deployment.environment=prod,team=payments`.
    resource_attributes: str = ""

    # Sent with every export, e.g. a backend's key: `x-api-key=abc,x-team=payments`
    # (values percent-encoded).
    exporter_otlp_headers: SecretStr | None = None
    exporter_otlp_traces_headers: SecretStr | None = None
    # Milliseconds for one export, retries included: the specification's unit
    # (the Python SDK's own exporters read seconds).
    exporter_otlp_timeout: int | None = None
    exporter_otlp_traces_timeout: int | None = None
    exporter_otlp_compression: Compression | None = None
    exporter_otlp_traces_compression: Compression | None = None
    # PEM files: the CA that signed the collector's certificate (default: certifi's
    # public CAs, or REQUESTS_CA_BUNDLE), and a client certificate and key for mutual TLS.
    exporter_otlp_certificate: FilePath | None = None
    exporter_otlp_traces_certificate: FilePath | None = None
    exporter_otlp_client_certificate: FilePath | None = None
    exporter_otlp_traces_client_certificate: FilePath | None = None
    exporter_otlp_client_key: FilePath | None = None
    exporter_otlp_traces_client_key: FilePath | None = None

    @field_validator("exporter_otlp_headers", "exporter_otlp_traces_headers")
    @classmethod
    def _check_headers(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            parse_headers(value.get_secret_value())
        return value

    @field_validator("exporter_otlp_timeout", "exporter_otlp_traces_timeout")
    @classmethod
    def _check_timeout(cls, value: int | None) -> int | None:
        # Below 100 ms is no collector's round trip: most likely seconds, the SDK's unit.
        if value is not None and not 100 <= value <= 300_000:  # noqa: PLR2004
            raise ValueError("must be milliseconds (the OpenTelemetry unit), from 100 to 300000")
        return value

    @model_validator(mode="after")
    def _check_tls_files(self) -> Self:
        options = self.exporter
        if (options.client_certificate is None) != (options.client_key is None):
            raise ValueError(
                "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE and OTEL_EXPORTER_OTLP_CLIENT_KEY"
                " (or their TRACES_ twins) are set together or not at all"
            )
        if options.certificate is not None or options.client_certificate is not None:
            # Now, with the variable's name, rather than at the first export.
            try:
                options.ssl_context()
            except ssl.SSLError as error:
                raise ValueError(f"the OTLP certificate files are not usable: {error}") from error
        return self

    @property
    def enabled(self) -> bool:
        """Whether spans are recorded and exported at all."""
        endpoint = self.exporter_otlp_traces_endpoint or self.exporter_otlp_endpoint
        return not self.sdk_disabled and bool(endpoint)

    @property
    def exporter(self) -> ExporterOptions:
        """The exporter's options: each TRACES_ variable wins over its general twin."""
        headers = self.exporter_otlp_traces_headers or self.exporter_otlp_headers
        timeout_ms = self.exporter_otlp_traces_timeout or self.exporter_otlp_timeout
        return ExporterOptions(
            headers=parse_headers(headers.get_secret_value()) if headers else {},
            timeout_seconds=(timeout_ms or _DEFAULT_TIMEOUT_MS) / 1000,
            compression=self.exporter_otlp_traces_compression
            or self.exporter_otlp_compression
            or "none",
            certificate=self.exporter_otlp_traces_certificate or self.exporter_otlp_certificate,
            client_certificate=self.exporter_otlp_traces_client_certificate
            or self.exporter_otlp_client_certificate,
            client_key=self.exporter_otlp_traces_client_key or self.exporter_otlp_client_key,
        )


def parse_headers(text: str) -> dict[str, str]:
    """`name=value,name=value` (values percent-encoded) as a dict; ValueError if malformed."""
    headers: dict[str, str] = {}
    for entry in text.split(","):
        if not entry.strip():
            continue
        name, separator, value = entry.partition("=")
        name, value = name.strip(), unquote(value.strip())
        if not separator or not name or not set(name) <= _TOKEN_CHARACTERS:
            # Neither the entry nor its value is quoted: it may hold a credential.
            raise ValueError("headers must be comma-separated name=value pairs")
        if not _CONTROL_CHARACTERS.isdisjoint(value):
            raise ValueError(f"the value of header {name!r} holds a control character")
        headers[name.lower()] = value
    return headers
