"""Virtuoso's ``isql`` driven from Python: statements, and the lock one publish holds on a store.

Statements run with the password on standard input; the lock is held by an isql session for a whole run.

``isql`` is given the password on its standard input, never on its command line: it first tries the default
password (Virtuoso logs that as one failed login), then reads the real one.
"""

import shutil
import subprocess
import time

from server.errors import SetupError
from server.release.publish import Credentials

#: The password isql tries before it asks for one.
ISQL_DEFAULT_PASSWORD = "dba"  # noqa: S105 - isql's built-in first try, not ours
#: Longest one step on the server may take by default (seconds): a loader that never returns fails the run.
STEP_LIMIT = 1800.0


def sql_string(text: str) -> str:
    """Quote a text as an SQL string literal.

    :param text: any text.
    :returns: it between single quotes, each quote doubled.

    >>> sql_string("it's")
    "'it''s'"
    """
    return "'" + text.replace("'", "''") + "'"


def find_isql() -> str:
    """Find Virtuoso's isql (Debian calls it ``isql-vt``; unixODBC's ``isql`` is another program).

    :returns: the program's path.
    :raises SetupError: if it is not installed.
    """
    found = shutil.which("isql-vt")
    if found is None:
        raise SetupError("Virtuoso's isql-vt is not installed: apt-get install virtuoso-opensource-7-bin")
    return found


def run_isql(address: str, credentials: Credentials, script: str, limit: float = STEP_LIMIT, step: str = "isql") -> str:
    """Run SQL statements through isql; fail on the first error it reports.

    :param address: Virtuoso's SQL address, ``HOST:PORT``.
    :param credentials: the account (user and password required).
    :param script: statements, each ending with ``;``.
    :param limit: longest the whole script may run, seconds (then isql is stopped; Virtuoso rolls back the
        statement of a client that has gone).
    :param step: the publish step, for the messages.
    :returns: isql's output.
    :raises SetupError: if the server cannot be reached, refuses the login, or a statement fails.
    """
    user, password = credentials.required(f"Virtuoso at {address}")
    stdin = ("" if password == ISQL_DEFAULT_PASSWORD else password + "\n") + script
    try:
        done = subprocess.run(  # noqa: S603 - a fixed program; the password goes to stdin
            [find_isql(), address, user], input=stdin, capture_output=True, text=True, timeout=limit, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise SetupError(
            f"Virtuoso at {address}: step {step!r} did not finish within {limit:g} s and was stopped (--step-timeout)"
        ) from exc
    if done.returncode < 0:
        raise SetupError(f"Virtuoso at {address}: isql was stopped by signal {-done.returncode} during step {step!r}")
    output = (done.stdout + done.stderr).replace(password, "********")
    lines = output.splitlines()
    prompted = any("Enter password" in line for line in lines)
    errors = [line for line in lines if line.startswith("*** Error")]
    if prompted and errors and "Bad login" in errors[0]:
        errors = errors[1:]  # isql's first try, with its default password
    for error in errors:
        if "Bad login" in error:
            raise SetupError(
                f"Virtuoso at {address} refused the login of user {user!r}: check the credentials "
                "(after a few failed logins Virtuoso refuses every login from this address for a minute)"
            )
        if "Connect failed" in error or "CL033" in error:
            raise SetupError(f"cannot reach Virtuoso's SQL port at {address}: {error}")
        detail = " ".join(lines[lines.index(error) : lines.index(error) + 3])
        if "FA003" in error or "FA112" in error or "DirsAllowed" in detail:
            raise SetupError(f"Virtuoso may not read the load folder: add it to DirsAllowed in virtuoso.ini ({error})")
        raise SetupError(f"Virtuoso at {address}: {detail}")
    return output


#: Longest a publish waits for the store's publish lock (seconds): another run holds it for its whole length.
LOCK_WAIT = 15.0
#: The registry key the lock's holder writes its run token under, once it holds the lock.
LOCK_HOLDER = "MSCKG_PUBLISH_LOCK"

_LOCK_TABLE = """create procedure DB.DBA.MSCKG_LOCK_TABLE ()
{
  if (not exists (select 1 from DB.DBA.SYS_KEYS where KEY_TABLE = 'DB.DBA.MSCKG_LOCK'))
    {
      exec ('create table DB.DBA.MSCKG_LOCK (ID integer primary key)');
      exec ('insert soft DB.DBA.MSCKG_LOCK (ID) values (0)');
    }
}
;
DB.DBA.MSCKG_LOCK_TABLE ();
"""


class PublishLock:
    """The store's publish lock, held by an isql session of its own for a whole publish run.

    Two publishes into one store at once would load into the same staging graphs. The session takes a row lock
    (``select … for update`` on ``DB.DBA.MSCKG_LOCK``, in a transaction it never commits: ``set autocommit
    manual``) and then writes the run's token into the registry; a second run sees another token there and gives
    up after :data:`LOCK_WAIT`. The lock ends with the session: when the run closes it, when the run's process
    dies (isql's input closes, and Virtuoso rolls back the transaction of a client that has gone), or with the
    server.

    :param address: Virtuoso's SQL address.
    :param credentials: the account.
    :param run: the run's token.
    """

    def __init__(self, address: str, credentials: Credentials, run: str) -> None:
        self.address = address
        self.credentials = credentials
        self.run = run
        self.session: subprocess.Popen[str] | None = None

    def __enter__(self) -> "PublishLock":
        """Take the lock.

        :returns: the lock, held.
        :raises SetupError: if another publish holds it, or the server refuses.
        """
        run_isql(self.address, self.credentials, _LOCK_TABLE, step="lock")
        user, password = self.credentials.required(f"Virtuoso at {self.address}")
        self.session = subprocess.Popen(  # noqa: S603 - a fixed program; the password goes to stdin
            [find_isql(), self.address, user], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, text=True)  # fmt: skip
        assert self.session.stdin is not None  # noqa: S101 - asked for above
        self.session.stdin.write(("" if password == ISQL_DEFAULT_PASSWORD else password + "\n")
                                 + "set autocommit manual;\nselect ID from DB.DBA.MSCKG_LOCK where ID = 0 for update;\n"
                                 + f"registry_set ('{LOCK_HOLDER}', {sql_string(self.run)});\n")  # fmt: skip
        self.session.stdin.flush()
        deadline = time.monotonic() + LOCK_WAIT
        holder = ""
        try:
            while time.monotonic() < deadline and self.session.poll() is None:
                holder = self._holder()
                if holder == self.run:
                    return self
                time.sleep(0.2)
        finally:
            if holder != self.run:
                self.__exit__(None, None, None)
        raise SetupError(f"Virtuoso at {self.address}: another publish into this store is running "
                         f"(run {holder or '?'}); try again when it has finished")  # fmt: skip

    def _holder(self) -> str:
        output = run_isql(self.address, self.credentials, f"select 'HOLDER:' || registry_get ('{LOCK_HOLDER}');\n")
        found = [line[len("HOLDER:") :].strip() for line in output.splitlines() if line.startswith("HOLDER:")]
        return found[0] if found else ""

    def __exit__(self, *exc: object) -> None:
        """Give the lock back: the session ends, its transaction is rolled back."""
        if self.session is None:
            return
        if self.session.stdin is not None:
            self.session.stdin.close()
        try:
            self.session.wait(10)
        except subprocess.TimeoutExpired:
            self.session.kill()
            self.session.wait()
        self.session = None
