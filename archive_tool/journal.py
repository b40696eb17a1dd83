"""Field-level differences between two versions of a client record."""

from __future__ import annotations

import json
from typing import Any

# Fields whose change the policy wants explained in a `changes` note (policy §3.4).
IMPORTANT_FIELDS = ("name", "trade_name", "tax_id", "legal_representative", "address",
                    "phone", "fax", "email", "business_scope", "registered_capital",
                    "category", "special_type", "tier", "important", "status", "contacts",
                    "access")


def diff(old: dict, new: dict) -> list[tuple[str, Any, Any]]:
    """(field, old value, new value) for each top-level field that differs."""
    out = []
    for key in sorted(set(old) | set(new)):
        if _canon(old.get(key)) != _canon(new.get(key)):
            out.append((key, old.get(key), new.get(key)))
    return out


def journal_lines(old: dict, new: dict, at: str, path: str,
                  owner: str | None) -> tuple[list[tuple], bool]:
    """Rows for the journal, (at, path, field, old, new, owner, noted), and whether
    this change adds a `changes` note (which explains it and earlier ones)."""
    changes = diff(old, new)
    noted = any(field == "changes" and isinstance(n, list) and len(n) > len(
        o if isinstance(o, list) else []) for field, o, n in changes)
    rows = [(at, path, field, json.dumps(o, ensure_ascii=False),
             json.dumps(n, ensure_ascii=False), owner,
             int(noted or field not in IMPORTANT_FIELDS))
            for field, o, n in changes]
    return rows, noted


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)
