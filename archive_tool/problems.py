"""A problem found in the archive: where it is, which rule, how bad, what to do."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    column: int
    rule: str
    severity: str  # "error" or "warning"
    message: str

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        return (f"{self.path}:{self.line}:{self.column}: {self.severity} [{self.rule}]"
                f" {self.message}")

    def to_json(self) -> dict:
        return asdict(self)
