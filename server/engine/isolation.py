"""Query workers have no network: the store process gives it up before it loads the store and forks them.

Two layers, both inherited by every fork:

* a **seccomp filter** (libseccomp, through ``pyseccomp``) that makes ``socket()``, ``socketpair()`` and
  ``io_uring_setup()`` fail with ``EACCES``: no socket of any family can be opened, whatever the query asks
  (``SERVICE`` makes the engine's HTTP client call ``socket()`` and fail). io_uring is refused too because its
  ``IORING_OP_SOCKET`` would open a socket without the ``socket()`` system call. libseccomp adds the architecture
  check (an x86-64 filter kills a process that switches to the 32-bit ``socketcall`` ABI). This layer needs no
  privilege (``PR_SET_NO_NEW_PRIVS`` is set first) and is required: a server that cannot install it does not start
  (``MSCKG_ISOLATION=off`` serves without it, for systems without seccomp);
* a **new network namespace** (``unshare(CLONE_NEWNET)``; with ``CLONE_NEWUSER`` first when not root), where the
  only interface is a loopback that is down: a socket, if one could be opened, would reach nothing. This layer is
  taken where the kernel allows it and reported otherwise.

The workers need no socket: they talk to the server over pipes they inherit, which stay open.
"""

import ctypes
import errno
import os

from server.errors import SetupError

_CLONE_NEWNET = 0x40000000
_CLONE_NEWUSER = 0x10000000
_PR_SET_PDEATHSIG = 1
#: System calls that open a socket, refused with EACCES.
SOCKET_CALLS = ("socket", "socketpair", "io_uring_setup")


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def die_with_parent(parent: int) -> None:
    """Ask the kernel to kill this process when its parent dies (``PR_SET_PDEATHSIG``), or exit now if it is gone.

    :param parent: the pid of the parent this process was forked from.
    """
    import signal

    _libc().prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _network_namespace() -> str | None:
    """Move into a new network namespace; return what was done, or ``None`` where the kernel refuses."""
    libc = _libc()
    if os.geteuid() == 0:
        return "network namespace" if libc.unshare(_CLONE_NEWNET) == 0 else None
    uid, gid = os.geteuid(), os.getegid()
    if libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) != 0:
        return None
    try:  # keep our own ids inside the new user namespace
        for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
            with open(f"/proc/self/{name}", "w", encoding="ascii") as handle:
                handle.write(text)
    except OSError:
        pass
    return "user and network namespace"


def _no_sockets() -> None:
    """Install the seccomp filter that refuses every system call opening a socket.

    :raises SetupError: if libseccomp or the kernel's seccomp filter is unavailable.
    """
    try:
        import pyseccomp as seccomp

        rules = seccomp.SyscallFilter(seccomp.ALLOW)
        for call in SOCKET_CALLS:
            rules.add_rule(seccomp.ERRNO(errno.EACCES), call)
        rules.load()
    except (ImportError, OSError, RuntimeError, ValueError) as exc:
        raise SetupError(
            f"cannot cut the query workers off the network (seccomp: {exc}); install Debian's libseccomp2, "
            "or set MSCKG_ISOLATION=off to serve without this protection"
        ) from exc


def isolate() -> list[str]:
    """Cut this process, and every process it forks later, off the network.

    :returns: the layers in force, e.g. ``["network namespace", "seccomp: no socket()"]``.
    :raises SetupError: if the seccomp layer cannot be installed.
    """
    layers = [layer] if (layer := _network_namespace()) else []
    _no_sockets()
    return [*layers, "seccomp: no socket()"]
