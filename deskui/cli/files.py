"""A file a command was asked to write and could not: bad input, said in the desk's words.

``db backup``, ``export --out``, ``report --out`` and ``rules export --out`` all write a file the
person named. A folder that does not exist, or one they may not write in, is what they typed
wrong, so it exits 2 naming the option, in the console's language; the system's own wording
(English whatever the locale) is kept only for the failures the catalog has no words for.
"""

from __future__ import annotations

import errno
from pathlib import Path

from deskui.cli.intake_json import InputError

#: The system's error numbers the catalog words itself.
_WORDED = {
    errno.ENOENT: "file.no_folder",
    errno.ENOTDIR: "file.no_folder",
    errno.EACCES: "file.denied",
    errno.EPERM: "file.denied",
    errno.EROFS: "file.denied",
}


def unwritable(field: str, path: Path, error: OSError) -> InputError:
    """``path`` (given as ``field``) could not be written, as the command line says it."""
    code = _WORDED.get(error.errno or 0)
    if code == "file.no_folder" and path.absolute().parent.is_dir():
        # the folder is there but makes no files (``/proc``): it does not take them
        code = "file.denied"
    if code is not None:
        return InputError(field, code, path=str(path))
    return InputError(field, "file.write", path=str(path), reason=error.strerror or str(error))
