"""Where the archive is and what archive.yaml says."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from archive_tool import locate
from archive_tool.errors import InvalidInput
from archive_tool.files import UnsafePath, file_in
from archive_tool.i18n import _
from archive_tool.locate import ARCHIVE_FILE
from archive_tool.statedir import STATE_DIR as STATE_DIR
from archive_tool.yamlload import YamlProblem, load_stream

STAFF_FILE = "staff.yaml"
CLIENTS_DIR = "clients"


# Names people give the information department (policy §3.1); compared without
# accents or case, so "Información" is one of them.
INFORMATION_DEPARTMENT = ("information", "información")
# How an incomplete client file counts, by the client's status (policy §3.3.2).
INCOMPLETE_RECORD = {"prospect": "warning", "active": "error", "inactive": "warning"}


@dataclass(frozen=True)
class Policy:
    information_department: tuple[str, ...] = INFORMATION_DEPARTMENT
    important_min_contacts: int = 3  # "más de dos personas": more than two
    vip_min_contacts: int = 2
    office_lock_hours: float = 12.0  # an editor's lock older than this is stale
    contact_report_every_days: int = 90
    max_days_without_contact: int = 365
    handover_contact_days: int = 14
    checkout_max_days: int = 14
    notice_draft_max_days: int = 7
    incomplete_record: Mapping[str, str] = field(
        default_factory=lambda: dict(INCOMPLETE_RECORD))
    reports_due: str = "07-31"  # the year's accounts: approved within six months, filed
    version_retention_days: int | None = None  # None: keep every version
    version_max_bytes: int = 256 * 2**20  # larger files are not kept as versions
    annual_report_patterns: tuple[str, ...] = (
        "annual-report*", "informe-anual*", "informe-de-gestion*", "memoria-anual*")
    financial_statement_patterns: tuple[str, ...] = (
        "financial-statements*", "estados-financieros*", "cuentas-anuales*", "balance*",
        "memoria*")

    def reports_due_on(self, year: int) -> date:
        """The day by which the reports and accounts of a year must be filed."""
        month, day = (int(part) for part in self.reports_due.split("-"))
        return date(year + 1, month, day)

    @classmethod
    def from_data(cls, data: Mapping) -> Policy:
        policy = dict(data)
        for key in ("annual_report_patterns", "financial_statement_patterns",
                    "information_department"):
            if isinstance(policy.get(key), str):
                policy[key] = (policy[key],)
            if key in policy:
                policy[key] = tuple(str(v) for v in policy[key])
        if "incomplete_record" in policy:
            given = policy["incomplete_record"]
            if not isinstance(given, Mapping):
                raise ValueError(_("policy.incomplete_record must map a status to error,"
                                   " warning or off"))
            policy["incomplete_record"] = {**INCOMPLETE_RECORD, **{
                str(k): str(v) for k, v in given.items()}}
        due = str(policy.get("reports_due", "07-31"))
        try:
            month, day = (int(part) for part in due.split("-"))
            date(2001, month, day)
        except ValueError:
            raise ValueError(_("policy.reports_due {value} is not a day of the year"
                               " (MM-DD)").format(value=repr(due))) from None
        policy["reports_due"] = due
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in policy.items() if k in known})


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
        service = data.get("service") or {}
        if not isinstance(service, Mapping):
            raise ValueError(_("service must be a mapping {{user, socket}}"))
        return cls(
            name=str(data.get("name", "archive")),
            language=str(data.get("language", "es")),
            demo=data.get("demo") is True,
            policy=Policy.from_data(data.get("policy") or {}),
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
    return Path(locate.find_root(explicit, environ, cwd))


def load_settings(root: Path) -> Settings:
    """archive.yaml's settings, the file read never through a link."""
    try:
        with file_in(root, ARCHIVE_FILE) as f:
            loaded = load_stream(f)
    except UnsafePath:
        raise  # it names the file and says links are not followed
    except OSError as e:
        raise InvalidInput(f"{ARCHIVE_FILE}: " + _("cannot read the file: {problem}").format(
            problem=e.strerror or e)) from e
    except YamlProblem as e:
        raise InvalidInput(f"{ARCHIVE_FILE}:{e.line}:{e.column}: {e.message}") from e
    try:
        return Settings.from_data(loaded.data)
    except (TypeError, ValueError) as e:
        raise InvalidInput(_("{file}: {problem}; run 'archive-tool validate'").format(
            file=ARCHIVE_FILE, problem=e)) from e
