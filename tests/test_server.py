"""The service's socket and protocol with a real Unix socket and the real client:
who is asking, output routed to its caller, the caller's files both ways, bounded
messages, and one slow or broken caller never holding up the others."""

import os
import socket
import struct
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import REPO

from archive_tool import client
from archive_tool.locate import ServiceAddress
from archive_tool.protocol import Channel, read_chunks
from archive_tool.server import Connection, Request, Server


def serve(tmp_path: Path, handle) -> tuple[Server, ServiceAddress]:
    path = str(tmp_path / "s.sock")
    server = Server(path, handle, root=tmp_path)
    server.start()
    return server, ServiceAddress("svc", path)


@pytest.fixture
def echo(tmp_path):
    seen: list[tuple[Request, int]] = []

    def handle(request: Request, connection: Connection) -> int:
        seen.append((request, connection.peer.uid))
        sys.stdout.write("out: " + " ".join(request.argv) + "\n")
        sys.stderr.write("a warning\n")
        return 3

    server, address = serve(tmp_path, handle)
    yield address, seen
    server.stop()


def test_the_kernel_names_the_caller_and_output_reaches_it(echo, tmp_path, capfd):
    address, seen = echo
    code = client.run(address, tmp_path, ["client", "list"])
    assert code == 3
    out, err = capfd.readouterr()
    assert out == "out: client list\n" and err == "a warning\n"
    request, uid = seen[0]
    assert uid == os.getuid() and request.argv == ["client", "list"]


def test_the_caller_s_files_both_ways(tmp_path, capfd):
    source = tmp_path / "mine.bin"
    source.write_bytes(os.urandom(3 << 20))  # several chunks

    def handle(request: Request, connection: Connection) -> int:
        files = connection.files
        name = request.argv[1]
        assert files.kind(name) == "file" and files.kind("nowhere") is None
        with files.open_read(name) as inp:
            data = inp.read()
        files.write_new(files.resolve("out/copy.bin"), [data[:10], data[10:]])
        try:
            files.write_new(files.resolve("out/copy.bin"), [b"again"])
        except FileExistsError:
            sys.stdout.write("refused to overwrite\n")
        return 0

    server, address = serve(tmp_path, handle)
    try:
        cwd = Path.cwd()
        os.chdir(tmp_path)
        try:
            assert client.run(address, tmp_path, ["log", "mine.bin"]) == 0
        finally:
            os.chdir(cwd)
    finally:
        server.stop()
    assert (tmp_path / "out/copy.bin").read_bytes() == source.read_bytes()
    assert capfd.readouterr().out == "refused to overwrite\n"


def test_a_silent_caller_does_not_hold_up_the_others(echo, tmp_path, capfd):
    address, _ = echo
    idle = socket.socket(socket.AF_UNIX)
    idle.connect(address.socket)  # connects and says nothing
    try:
        started = time.monotonic()
        assert client.run(address, tmp_path, ["status"]) == 3
        assert time.monotonic() - started < 2
    finally:
        idle.close()


def test_many_callers_at_once(echo, tmp_path, capfd):
    address, seen = echo
    codes: list[int] = []
    threads = [threading.Thread(target=lambda: codes.append(
        client.run(address, tmp_path, ["search", "x"]))) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert codes == [3] * 20 and len(seen) == 20


@pytest.mark.parametrize("payload", [
    b"X" + struct.pack(">I", 4) + b"abcd",            # unknown frame type
    b"J" + struct.pack(">I", 1 << 30),                # a message over the limit
    b"J" + struct.pack(">I", 2) + b"[]",              # not an object
    b"J" + struct.pack(">I", 9) + b'{"v": 99}',       # another protocol version
    b"J" + struct.pack(">I", 10) + b'{"v": 1} x',     # something after the message
    b"J" + struct.pack(">I", 3) + b"\xff{}",          # not UTF-8
    b"J" + struct.pack(">I", 0),                      # nothing
])
def test_bad_requests_are_dropped_and_the_service_goes_on(echo, tmp_path, payload, capfd):
    address, seen = echo
    bad = socket.socket(socket.AF_UNIX)
    bad.connect(address.socket)
    bad.sendall(payload)
    bad.settimeout(5)
    try:
        answer = bad.recv(100)
    except ConnectionResetError:  # closed with the rest of the request unread
        answer = b""
    assert answer == b""  # closed without an answer
    bad.close()
    assert client.run(address, tmp_path, ["status"]) == 3
    assert len(seen) == 1


@pytest.mark.parametrize("message", [
    {"v": 1, "op": "run", "argv": ["-A", "/a b", "search", 'é€𝄞 "q" \\ \n\t\x00']},
    {"n": None, "t": True, "f": 1.5e-10, "big": 10**30, "neg": -3, "l": [[], {}, [1, "x"]]},
])
@pytest.mark.parametrize("c_parts", [True, False])
def test_messages_are_the_json_the_json_package_writes(message, c_parts, monkeypatch):
    """The wire's JSON (the json package's C parts, without the package; the package
    itself where they are missing) is byte for byte what json writes, and reads back
    what was sent."""
    import json

    from archive_tool import lightjson

    if not c_parts:
        monkeypatch.setitem(sys.modules, "_json", None)  # import _json: ImportError
    JSON = lightjson._JSON()  # noqa: N806  (as the module names it)
    assert (type(JSON._scan).__name__ == "Scanner") is c_parts
    text = JSON.dumps(message)
    assert text == json.dumps(message, ensure_ascii=False, separators=(",", ":"))
    assert JSON.loads(text) == message
    for bad in ("", "{", text + " {}", "{'a': 1}", "[1,]", " " + text):
        with pytest.raises(ValueError):  # noqa: PT011  (the caller words it)
            JSON.loads(bad)
    with pytest.raises(TypeError):
        JSON.dumps({"a": object()})


def test_no_service_is_one_line_and_exit_6(tmp_path, capfd):
    code = client.run(ServiceAddress("svc", str(tmp_path / "none.sock")), tmp_path, ["x"])
    assert code == 6
    err = capfd.readouterr().err
    assert err.startswith("error: the archive service is not answering (") and err.count(
        "\n") == 1


def test_the_way_to_the_service_imports_nothing_heavy(echo, tmp_path):
    """A whole command through the service: the command line loads none of the
    libraries, nor the standard modules whose import would cost more than the
    request itself."""
    import subprocess

    address, seen = echo
    (tmp_path / "archive.yaml").write_text(
        f"name: A\nservice:\n  user: svc\n  socket: {address.socket}\n")
    probe = ("import sys\nsys.argv = ['archive-tool', '-A', sys.argv[1], 'search', 'x']\n"
             "from archive_tool.cli import main\ntry:\n    main()\nexcept SystemExit as e:\n"
             "    print(e.code, *sorted(sys.modules), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", probe, str(tmp_path)], capture_output=True,
                          text=True, check=True)
    code, *loaded = done.stderr.splitlines()[-1].split()
    assert code == "3" and len(seen) == 1, done.stderr  # the service's answer
    heavy = {"whoosh", "yaml", "jsonschema", "watchdog", "click", "re", "json", "enum",
             "socket", "threading", "pathlib", "typing", "gettext"}
    assert not heavy & set(loaded)
    script = REPO / "bin" / "archive-tool"
    assert "import re" not in script.read_text()  # an entry point's wrapper would


def test_byte_streams_round_trip(tmp_path):
    a, b = socket.socketpair()
    data = os.urandom(2_500_000)
    with a, b:
        sender = threading.Thread(target=lambda: Channel(a).send_bytes(iter([data])))
        sender.start()
        got = b"".join(Channel(b).receive_bytes())
        sender.join()
    assert got == data
    assert list(read_chunks(__import__("io").BytesIO(b""))) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("name: A\nservice:\n  user: svc  # the account\n  socket: /run/x.sock\n",
     ("svc", "/run/x.sock")),
    ("name: A\nservice: {user: svc, socket: '/run/y.sock'}\n", ("svc", "/run/y.sock")),
    ("name: Clientes Á\nservice:\n  # who\n\n  user: \"svc\"\nlanguage: en\n",
     ("svc", "/run/archive-tool/clientes-a.sock")),
    ("name: A\nservice_user: svc\n", None),
    ("name: A\nservice: ~\n", None),
])
def test_the_service_is_read_from_archive_yaml_as_people_write_it(tmp_path, text, expected):
    from archive_tool.locate import find_root, service_address

    (tmp_path / "archive.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "a/b").mkdir(parents=True)
    root = find_root(None, {}, tmp_path / "a/b")
    assert root == str(tmp_path.resolve())
    found = service_address(root)
    assert ((found.user, found.socket) if found else None) == expected
