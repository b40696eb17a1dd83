"""The index schema, in one place. Change SCHEMA_VERSION with it: the index rebuilds."""

from __future__ import annotations

from datetime import date, datetime

from whoosh import fields

from archive_tool.index.analysis import name_terms, spanish_analyzer, terms

SCHEMA_VERSION = "2"
EXCERPT_CHARS = 20_000  # stored for snippets; the whole text is indexed


def make_schema() -> fields.Schema:
    spanish = spanish_analyzer()
    return fields.Schema(
        path=fields.ID(stored=True, unique=True),
        client_id=fields.ID(stored=True),
        client_name=fields.TEXT(stored=True, analyzer=spanish),
        category=fields.ID,
        special_type=fields.ID,
        tier=fields.ID,
        status=fields.ID,
        staff=fields.KEYWORD(stored=True, lowercase=False, commas=False),
        kind=fields.ID(stored=True),
        doc=fields.ID(stored=True),
        entry=fields.ID(stored=True),
        direction=fields.ID,
        date=fields.DATETIME(stored=True),
        year=fields.ID(stored=True),
        confidential=fields.BOOLEAN(stored=True),
        title=fields.TEXT(stored=True, analyzer=spanish, field_boost=2.0),
        content=fields.TEXT(analyzer=spanish),
        excerpt=fields.STORED,
    )


def to_document(doc: dict, body: str, content_terms: list[str]) -> dict:
    """Whoosh field values from a planned document, its text and the text's terms
    (analysed beforehand, possibly in another process)."""
    day = date.fromisoformat(doc["date"]) if doc.get("date") else None
    out = {
        "path": doc["path"], "client_id": doc["client_id"],
        "client_name": list(name_terms(doc["client_name"])),
        "staff": " ".join(doc.get("staff") or []),
        "kind": doc["kind"], "doc": doc["doc"], "confidential": bool(doc.get("confidential")),
        "title": terms(doc.get("title") or ""), "content": content_terms,
        "excerpt": body[:EXCERPT_CHARS],
        "_stored_client_name": doc["client_name"], "_stored_title": doc.get("title") or "",
    }
    for key in ("category", "special_type", "tier", "status", "direction", "entry"):
        if doc.get(key):
            out[key] = str(doc[key])
    if day:
        out["date"] = datetime(day.year, day.month, day.day)
        out["year"] = str(day.year)
    return out
