"""Write files whole or not at all: every output goes to ``<name>.tmp`` first and is renamed once all are written.

An interrupted or failing run therefore leaves the previous files as they were and no partial one (ODK's
``$@.tmp && mv``).
"""

from collections.abc import Mapping
from pathlib import Path


def write_atomically(outputs: Mapping[Path, bytes | str]) -> list[Path]:
    """Write each file to ``<file>.tmp``, then rename them all; on failure remove the ``.tmp`` files.

    :param outputs: target file → content (text is written as UTF-8); parent folders are created.
    :returns: the files written, in the order given.
    :raises OSError: if a file cannot be written or renamed (no ``.tmp`` file is left behind).

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> [p.name for p in write_atomically({folder / "a.txt": "α", folder / "b.bin": b"0"})]
    ['a.txt', 'b.bin']
    >>> sorted(p.name for p in folder.iterdir())
    ['a.txt', 'b.bin']
    """
    pending: list[tuple[Path, Path]] = []
    try:
        for final, content in outputs.items():
            final.parent.mkdir(parents=True, exist_ok=True)
            tmp = final.with_name(final.name + ".tmp")
            pending.append((tmp, final))
            if isinstance(content, str):
                tmp.write_text(content, encoding="utf-8")
            else:
                tmp.write_bytes(content)
        for tmp, final in pending:
            tmp.replace(final)
    except BaseException:
        for tmp, _ in pending:
            tmp.unlink(missing_ok=True)
        raise
    return [final for _, final in pending]
