"""Every path inside `.archive/`, the tool's own state. On an archive set up for a
team the archive service's account alone reads and writes it (design §7)."""

from __future__ import annotations

STATE_DIR = ".archive"
CATALOG = "state.db"          # files, texts, journal, validation, check-outs, versions' list
INDEX = "index"               # the Whoosh index and its vocabulary
VERSIONS = "versions"         # file versions by content hash
AUDIT = "audit.jsonl"         # the hash-chained audit log
AUDIT_HEAD = "audit.head"     # its last record's seq and hash: a cut at the end shows
AUDIT_KEY = "audit.key"       # the key of its records (the service account's alone)
DAEMON_LOCK = "daemon.lock"   # one daemon per archive
DAEMON_STATUS = "daemon.json"  # what `status` shows of the daemon
LAST_CLIENT_ID = "last-client-id"  # ids are never reused, even after a folder is removed
INCOMING = "incoming"      # check-ins under way: the new content, staged and complete
SEARCHES = "searches"      # each person's last search hits, for `open N`
