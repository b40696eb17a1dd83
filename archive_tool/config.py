"""Where the archive is and what archive.yaml says."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from archive_tool import locate
from archive_tool.errors import InvalidInput
from archive_tool.i18n import _
from archive_tool.locate import ARCHIVE_FILE
from archive_tool.statedir import STATE_DIR as STATE_DIR
from archive_tool.yamlload import YamlProblem, load_file

STAFF_FILE = "staff.yaml"
CLIENTS_DIR = "clients"


@dataclass(frozen=True)
class Policy:
    important_min_contacts: int = 2
    vip_min_contacts: int = 2
    contact_report_every_days: int = 90
    checkout_max_days: int = 14
    notice_draft_max_days: int = 7
    version_retention_days: int | None = None  # None: keep every version
    version_max_bytes: int = 256 * 2**20  # larger files are not kept as versions
    annual_report_patterns: tuple[str, ...] = ("annual-report*", "informe-anual*")
    financial_statement_patterns: tuple[str, ...] = (
        "financial-statements*", "estados-financieros*")


@dataclass(frozen=True)
class Settings:
    name: str = "archive"
    language: str = "es"
    demo: bool = False
    policy: Policy = field(default_factory=Policy)
    ignore: tuple[str, ...] = ()
    service_user: str | None = None    # the archive service's account (design §7)
    service_socket: str | None = None
    web: str | None = None

    @classmethod
    def from_data(cls, data: Mapping) -> Settings:
        policy = dict(data.get("policy") or {})
        for key in ("annual_report_patterns", "financial_statement_patterns"):
            if key in policy:
                policy[key] = tuple(policy[key])
        known = Policy.__dataclass_fields__
        service = data.get("service") or {}
        if not isinstance(service, Mapping):
            raise ValueError(_("service must be a mapping {{user, socket}}"))
        return cls(
            name=str(data.get("name", "archive")),
            language=str(data.get("language", "es")),
            demo=data.get("demo") is True,
            policy=Policy(**{k: v for k, v in policy.items() if k in known}),
            ignore=tuple(data.get("ignore") or ()),
            service_user=str(service["user"]) if service.get("user") else None,
            service_socket=str(service["socket"]) if service.get("socket") else None,
            web=str(service["web"]) if service.get("web") else None,
        )


def find_root(explicit: str | os.PathLike | None = None,
              environ: Mapping[str, str] = os.environ,
              cwd: Path | None = None) -> Path:
    """The archive root: --archive, else $ARCHIVE_TOOL_ROOT, else the nearest
    folder upward from cwd holding archive.yaml."""
    return locate.find_root(explicit, environ, cwd)


def load_settings(root: Path) -> Settings:
    try:
        loaded = load_file(root / ARCHIVE_FILE)
    except YamlProblem as e:
        raise InvalidInput(f"{ARCHIVE_FILE}:{e.line}:{e.column}: {e.message}") from e
    try:
        return Settings.from_data(loaded.data)
    except (TypeError, ValueError) as e:
        raise InvalidInput(_("{file}: {problem}; run 'archive-tool validate'").format(
            file=ARCHIVE_FILE, problem=e)) from e
