"""What the web page calls stored values and record fields. Stored values stay as
they are in the files (design §8); these are only how they read."""

from __future__ import annotations

from archive_tool.i18n import N_, _

KINDS = {
    "letter": N_("Letter"), "fax": N_("Fax"), "call": N_("Call"), "email": N_("Email"),
    "meeting": N_("Meeting"), "visit": N_("Visit"), "contact_report": N_("Contact report"),
    "note": N_("Note"), "annual_report": N_("Annual report"),
    "financial_statements": N_("Financial statements"), "report": N_("Report"),
    "client": N_("Client record"), "file": N_("Other file"),
}
CATEGORIES = {"supplier": N_("Supplier"), "distributor": N_("Distributor"),
              "special": N_("Special client")}
SPECIAL_TYPES = {
    "lawyer": N_("Law firm"), "financial_consultant": N_("Financial consultant"),
    "advertising": N_("Advertising agency"), "public_relations": N_("Public relations"),
    "bank": N_("Bank"), "insurance": N_("Insurer"),
    "financial_assistance": N_("Financial assistance"),
}
TIERS = {"standard": N_("Standard"), "vip": N_("VIP")}
STATUSES = {"prospect": N_("Prospect"), "active": N_("Active"), "inactive": N_("Inactive"),
            "terminated": N_("Terminated"), "transferred": N_("Transferred"),
            "departed": N_("Departed"), "unknown": N_("Unknown")}
DIRECTIONS = {"in": N_("Received"), "out": N_("Sent")}
ROLES = {"primary": N_("Primary"), "backup": N_("Backup")}
REPORT_KINDS = {"annual": N_("Annual report"), "financial": N_("Financial statements"),
                "other": N_("Other report")}
SEVERITIES = {"error": N_("Error"), "warning": N_("Warning")}
FIELDS = {
    "trade_name": N_("Trade name"), "category": N_("Category"),
    "special_type": N_("Kind of special client"), "tier": N_("Tier"),
    "important": N_("Important client"), "status": N_("Status"),
    "since": N_("Client since"), "tax_id": N_("Tax id"),
    "legal_representative": N_("Legal representative"), "address": N_("Address"),
    "phone": N_("Phone"), "fax": N_("Fax"), "email": N_("Email"), "website": N_("Website"),
    "business_scope": N_("Business scope"), "registered_capital": N_("Registered capital"),
}
VALUES = {"category": CATEGORIES, "special_type": SPECIAL_TYPES, "tier": TIERS,
          "status": STATUSES}
SECTIONS = {
    "missing_fields": N_("Incomplete record"), "understaffed": N_("Too few company contacts"),
    "contacts_left": N_("Contacts who left"),
    "contact_reports": N_("Overdue contact reports"),
    "reports_missing": N_("Missing annual reports or financial statements"),
    "notices": N_("Notices not sent"), "other_errors": N_("Other errors"),
    "overdue_checkouts": N_("Overdue check-outs"),
}


def label(table: dict[str, str], value: object) -> str:
    """The translated name of a stored value; the value itself when unknown."""
    if value is None:
        return ""
    key = str(value)
    return _(table[key]) if key in table else key
