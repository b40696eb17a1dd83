"""The errors the library raises; the CLI maps each to its exit code."""

from __future__ import annotations


class ExitCode:
    """The exit codes (plain ints: enum costs a tenth of a command's start)."""

    OK = 0
    FINDINGS = 1
    USAGE = 2
    DENIED = 3
    NOT_FOUND = 4
    CONFLICT = 5
    UNAVAILABLE = 6
    INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT


class ArchiveError(Exception):
    """Base of every error the library raises on purpose."""

    exit_code = ExitCode.USAGE


class UsageError(ArchiveError):
    exit_code = ExitCode.USAGE


class InvalidInput(ArchiveError):
    """A file or value that cannot be used as it is."""

    exit_code = ExitCode.USAGE


class AccessDenied(ArchiveError):
    exit_code = ExitCode.DENIED


class NotFound(ArchiveError):
    exit_code = ExitCode.NOT_FOUND


class Conflict(ArchiveError):
    exit_code = ExitCode.CONFLICT


class Unavailable(ArchiveError):
    """The archive service is not answering."""

    exit_code = ExitCode.UNAVAILABLE
