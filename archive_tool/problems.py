"""A problem found in the archive: where it is, which rule, how bad, what to do."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from archive_tool.printable import escaped


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    column: int
    rule: str
    severity: str  # "error" or "warning"
    message: str

    def __post_init__(self) -> None:
        # A name that is not UTF-8 or holds control characters is kept escaped: it is
        # printed, stored as JSON and compared as shown.
        object.__setattr__(self, "path", escaped(self.path))

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        return (f"{self.path}:{self.line}:{self.column}: {self.severity} [{self.rule}]"
                f" {self.message}")

    def to_json(self) -> dict:
        return asdict(self)
