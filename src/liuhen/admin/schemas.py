"""The administration API's responses as named OpenAPI schemas.

Each model states what ``accounts.service``, ``accounts.registry``, ``signing`` and the pack
settings return today, key for key and in the same order, so putting them on the routes
changes no response; they let ``/openapi.json`` say what comes back. An account event's
``details`` stay open: each kind of event records its own facts.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from liuhen.payloads import JsonObject


class Account(BaseModel):
    """An account as the administrator manages it: never its password hash."""

    username: str
    display_name: str
    roles: list[str]
    unit: str | None
    cert_no: str | None
    active: bool
    failed: int
    locked_until: str | None
    created_at: str
    locked: bool


class AccountPage(BaseModel):
    """One page of accounts, by user name."""

    items: list[Account]
    total: int
    page: int
    per_page: int


class AccountCreated(BaseModel):
    username: str
    roles: list[str]


class AccountChanged(BaseModel):
    username: str
    roles: list[str]
    unit: str | None
    cert_no: str | None


class AccountActive(BaseModel):
    username: str
    active: bool


class AccountUnlocked(BaseModel):
    username: str
    locked: bool


class PasswordReset(BaseModel):
    username: str


class AccountEvent(BaseModel):
    """Who changed an account or a token, and when; ``details`` differ by ``action``."""

    id: int
    at: str
    actor: str
    action: str
    target: str
    details: JsonObject
    action_label: str


class AccountEventPage(BaseModel):
    """One page of account events, newest first."""

    items: list[AccountEvent]
    total: int
    page: int
    per_page: int


class TokenListed(BaseModel):
    """A machine token without its secret: ``id`` is a prefix of its stored hash."""

    id: str
    name: str
    roles: list[str]
    unit: str | None
    created_at: str
    revoked: bool


class TokenCreated(BaseModel):
    """The new token; ``token`` is shown this once and stored nowhere."""

    id: str
    name: str
    token: str


class TokenRevoked(BaseModel):
    id: str
    revoked: bool


class AgencyListed(BaseModel):
    code: str
    name: str
    region: str | None
    rule_pack: str | None


class UnitListed(BaseModel):
    code: str
    name: str
    agency: str


class OfficerListed(BaseModel):
    cert_no: str
    name: str
    unit: str
    roles: list[str]
    active: bool


class Registry(BaseModel):
    """Agencies, units and officers as the journal registered them."""

    agencies: list[AgencyListed]
    units: list[UnitListed]
    officers: list[OfficerListed]


class CodeRegistered(BaseModel):
    """An agency or unit registered: the journal entry and its code."""

    seq: int
    code: str


class OfficerRecorded(BaseModel):
    """An officer registered or changed: the journal entry and the certificate number."""

    seq: int
    cert_no: str


class CertificateListed(BaseModel):
    cert_no: str
    name: str
    serial: str
    fingerprint: str
    not_before: str
    not_after: str


class Keys(BaseModel):
    """The checkpoint verifier key, the journaled CA fingerprint and the issued certificates."""

    checkpoint_key: str
    origin: str
    signing_ca: str | None
    certificates: list[CertificateListed]


class CertificateIssued(BaseModel):
    seq: int
    cert_no: str
    serial: str
    not_after: str


class PackOption(BaseModel):
    name: str
    title: str


class AgencyPack(BaseModel):
    """An agency's own rule pack (None: the default) and the one in force for it."""

    code: str
    name: str
    rule_pack: str | None
    in_force: str


class PackSettings(BaseModel):
    default: str
    available: list[PackOption]
    agencies: list[AgencyPack]


class PackChanged(BaseModel):
    seq: int
    pack: str
    agency: str | None


class AgencySettingsView(BaseModel):
    """An agency's settings in force: numbering patterns, remedy bodies, acts its officers may
    record (``recorded`` false: none recorded yet, these are the defaults)."""

    agency: str
    agency_name: str
    short_name: str = Field(description="编号用的机关简称，如 某文旅")
    case_pattern: str = Field(description="案件编号规则，如 {简称}罚〔{年}〕{号}号")
    document_patterns: dict[str, str] = Field(description="文书种类 → 文号规则；未列出的不编号")
    review_body: str | None = Field(description="行政复议机关")
    court: str | None = Field(description="管辖人民法院")
    act_types: list[str] = Field(description="本机关执法人员可记录的事项；空为默认（全部）")
    numbers_used: dict[str, int] = Field(description="启用前已使用的最大号：种类/年度 → 号")
    warning_days: int = Field(description="期限到期前多少个工作日亮黄牌预警")
    recorded: bool


class AgencySettingsChanged(BaseModel):
    seq: int
    agency: str
