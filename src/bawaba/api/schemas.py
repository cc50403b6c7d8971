"""Shapes of the public API, version 1. Changing them changes the committed OpenAPI schema."""

from typing import Literal

from ninja import Schema

Kind = Literal["information", "inquiry", "application", "payment"]
ChannelName = Literal["online", "mobile", "kiosk", "centre", "abroad"]
AssuranceLevel = Literal["low", "substantial", "high"]


class Text(Schema):
    ar: str
    en: str


class FeeRule(Schema):
    kind: Literal["fixed", "option", "per-item", "late-penalty", "exemption"]
    label: Text
    amount: int | None = None
    field: str | None = None
    amounts: dict[str, int] | None = None
    options: dict[str, Text] | None = None
    max_items: int | None = None
    per: Literal["day", "month", "year"] | None = None
    after_days: int | None = None
    cap: int | None = None
    group: str | None = None
    percent: int | None = None


class Fees(Schema):
    currency: str | None
    rules: list[FeeRule]
    note: Text | None = None


class Document(Schema):
    code: str
    name: Text
    note: Text | None = None
    required: bool = True
    from_registry: bool = False


class Faq(Schema):
    q: Text
    a: Text


class ServiceSummary(Schema):
    code: str
    name_ar: str
    name_en: str
    summary_ar: str
    summary_en: str
    agency: str
    category: str
    life_events: list[str]
    kind: Kind
    audience: list[str]
    channels: list[ChannelName]
    assurance: AssuranceLevel
    sla_working_days: int
    fees: Fees
    version: int | None


class ServiceDetail(ServiceSummary):
    description: Text
    eligibility: dict | None = None
    documents: list[Document]
    faqs: list[Faq]
    synonyms: dict[str, list[str]] = {}
    keywords: dict[str, list[str]] = {}


class Error(Schema):
    detail: str
