"""Real triple stores for tests and benchmarks: Virtuoso (Debian's package) and ``oxigraph serve`` (PyPI's CLI).

Each runs on 127.0.0.1 on free ports, with its data in a temporary folder, and is stopped by the caller.
Virtuoso is installed with apt-get when it is missing and we are root; elsewhere :func:`virtuoso_missing` says
why it cannot run, and the fixtures skip with that reason.
"""

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

#: Debian's package with ``virtuoso-t`` and ``isql-vt`` (no service, no debconf questions).
VIRTUOSO_PACKAGE = "virtuoso-opensource-7-bin"

_INI = """\
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
ServerThreads = 20
CheckpointInterval = 0
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
TransactionAfterImageLimit = 1500000000
DirsAllowed = ., {load}
CaseMode = 2
ThreadsPerQuery = {threads}

[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerThreads = 10
MaxClientConnections = 10

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = {limit}
MaxQueryCostEstimationTime = 0
"""


def free_port() -> int:
    """Return a TCP port free on 127.0.0.1 now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def virtuoso_missing() -> str | None:
    """Install Virtuoso when it is missing and we may; return why it cannot run, or ``None`` when it can."""
    if shutil.which("virtuoso-t") and shutil.which("isql-vt"):
        return None
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return f"Virtuoso is not installed and cannot be installed here (apt-get install {VIRTUOSO_PACKAGE}, as root)"
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "--no-install-recommends",
                                                    VIRTUOSO_PACKAGE]):  # fmt: skip
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900, check=False)
        if done.returncode != 0:
            return f"apt-get could not install {VIRTUOSO_PACKAGE}: {done.stderr.strip()[-300:]}"
    return None if shutil.which("virtuoso-t") else f"{VIRTUOSO_PACKAGE} installed no virtuoso-t"


class Virtuoso:
    """A throw-away Virtuoso server: database and load folder in ``folder``, a random dba password.

    ``threads``: Virtuoso's ``ThreadsPerQuery``; 1, as docs/deploy.md advises for a store published into while
    readers query (Virtuoso's default, 8, can freeze 7.2.5 when a query runs during a bulk load).
    """

    def __init__(self, folder: Path, query_limit: int = 30, buffers: int = 170_000, threads: int = 1) -> None:
        self.folder = folder
        self.db = folder / "db"
        self.load_dir = folder / "load"
        self.db.mkdir(parents=True)
        self.load_dir.mkdir()
        self.sql_port, self.http_port = free_port(), free_port()
        self.password = "p" + secrets.token_hex(12)  # letters and digits: isql takes it unquoted
        self.ini = folder / "virtuoso.ini"
        self.ini.write_text(_INI.format(db=self.db, sql=self.sql_port, http=self.http_port, load=self.load_dir,
                                        limit=query_limit, buffers=buffers, dirty=buffers * 3 // 4,
                                        threads=threads))  # fmt: skip
        self.pid: int | None = None

    @property
    def address(self) -> str:
        """The SQL address isql and ``msckg publish --virtuoso`` take."""
        return f"127.0.0.1:{self.sql_port}"

    @property
    def sparql(self) -> str:
        """The SPARQL endpoint's URL."""
        return f"http://127.0.0.1:{self.http_port}/sparql"

    def start(self) -> "Virtuoso":
        """Start the server on a new database, wait until it answers, and set the dba password (over stdin)."""
        self._launch()
        isql = shutil.which("isql-vt") or "isql-vt"
        done = subprocess.run([isql, self.address, "dba"], input=f"set password dba {self.password};\n", text=True,
                              capture_output=True, timeout=60, check=True)  # fmt: skip
        if "Error" in done.stdout + done.stderr:
            raise RuntimeError(f"could not set Virtuoso's password: {done.stderr}")
        _wait_http(self.sparql + "?query=ASK%7B%7D")
        return self

    def restart(self) -> None:
        """Start the server again on its database (it replays its transaction log), and wait until it answers."""
        self._launch()
        _wait_http(self.sparql + "?query=ASK%7B%7D")

    def kill(self) -> None:
        """Stop the server with SIGKILL, as a crash would: no checkpoint, no clean shutdown."""
        assert self.pid is not None, "not running"
        os.kill(self.pid, signal.SIGKILL)
        _wait_gone(self.pid, 30)
        self.pid = None

    def _launch(self) -> None:
        """Run ``virtuoso-t`` (it daemonizes) and take the pid the log names for this start."""
        log_file = self.db / "virtuoso.log"
        starts = log_file.read_text(errors="replace").count("Server online at") if log_file.exists() else 0
        server = shutil.which("virtuoso-t") or "virtuoso-t"
        subprocess.run([server, "+configfile", str(self.ini), "+wait"], cwd=self.folder, capture_output=True,
                       timeout=120, check=True)  # fmt: skip
        deadline = time.monotonic() + 60
        while True:  # +wait may return a moment before the log names the server's pid
            log = log_file.read_text(errors="replace")
            found = re.findall(r"Server online at .* \(pid (\d+)\)", log)
            if len(found) > starts:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"Virtuoso did not start:\n{log[-2000:]}")
            time.sleep(0.2)
        self.pid = int(found[-1])

    def cpu_seconds(self) -> float:
        """CPU time the server has used so far (user + system), seconds."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 30 s)."""
        if self.pid is None:
            return
        _stop(self.pid)
        self.pid = None


class OxigraphServer:
    """``oxigraph serve`` (the CLI from PyPI's ``oxigraph`` package) on a store in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The server's root URL (``/query``, ``/update``, ``/store`` below it)."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "OxigraphServer":
        """Start it with the union of all graphs as default graph, and wait until it answers."""
        program = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
        self.process = subprocess.Popen(  # noqa: S603
            [program, "serve", "--location", str(self.folder), "--bind", f"127.0.0.1:{self.port}",
             "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        _wait_http(self.url + "/query?query=ASK%7B%7D")
        return self

    def stop(self) -> None:
        """Stop it."""
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
            self.process = None


def _wait_http(url: str, limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our own 127.0.0.1 server
                response.read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _wait_gone(pid: int, limit: float) -> bool:
    """Wait until process ``pid`` has ended (gone, or a zombie nobody reaps); return whether it did in time."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                return True
        except (FileNotFoundError, ProcessLookupError):
            return True
        time.sleep(0.1)
    return False


def _stop(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    if _wait_gone(pid, 30):
        return
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
