"""DOCX and XLSX to PDF (PDF/A-2b) through LibreOffice: a warm `unoserver` when one runs, else a cold `soffice`.

`to_pdf` / `to_pdfs` convert bytes to bytes: a DOCX with Writer's PDF export, an XLSX with Calc's (the sheets as
their page setup prints them), other files are refused. With the address of a running unoserver (`PdfServer`,
started by `ykien serve`) a render takes a few hundred milliseconds; without one, `soffice --headless --convert-to`
starts LibreOffice for the call (about 2 s) in a temporary folder with its own profile, so two renders at once never
share one. `pdf_sources` names the PDF of each document of a round, the DOCX's when an XLSX shares its stem. Without
LibreOffice, or without its Calc for an XLSX, `PdfUnavailable` says in one line what to install.
"""
from __future__ import annotations

import contextlib
import http.client
import importlib.metadata
import importlib.util
import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unicodedata
import xmlrpc.client
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from types import TracebackType

from notifications.pdf_folders import HeldFolder, office_pipe, remove_abandoned

log = logging.getLogger("ykien.pdf")

INSTALL_HINT = ("apt-get install libreoffice-writer libreoffice-calc python3-uno fonts-liberation2 "
                "fonts-crosextra-carlito")
CALC_PACKAGE = "libreoffice-calc"
PDF_EXPORT = "writer_pdf_Export"
CALC_PDF_EXPORT = "calc_pdf_Export"
# The export filter of each file kind LibreOffice converts here. Both are LibreOffice's one PDF export (filter/source/
# pdf) and take the same FilterData, SelectPdfVersion included.
EXPORT_FILTERS = {".docx": PDF_EXPORT, ".xlsx": CALC_PDF_EXPORT}
# SelectPdfVersion: 0 PDF 1.6, 1 PDF/A-1b, 2 PDF/A-2b, 3 PDF/A-3b (LibreOffice 7.4). PDF/A-2b embeds every font,
# writes the XMP identification (pdfaid:part 2, conformance B) and an sRGB output intent.
PDFA_2B = 2
# Calc's library, beside soffice in LibreOffice's program folder (Linux, macOS, Windows builds); Writer's tells that
# folder is a LibreOffice whose parts can be seen, as Debian splits them into packages.
CALC_LIBRARIES = ("libsclo.so", "libsclo.dylib", "sclo.dll")
WRITER_LIBRARIES = ("libswlo.so", "libswlo.dylib", "swlo.dll")
# unoserver reads "Name=Value" strings into the filter's FilterData (digits become integers).
WARM_FILTER_OPTIONS = [f"SelectPdfVersion={PDFA_2B}"]
COLD_TIMEOUT = 90.0  # seconds for a cold LibreOffice to start and convert one document
COLD_TIMEOUT_PER_DOCUMENT = 15.0  # and for each further document of the same run
WARM_TIMEOUT = 60.0  # seconds a warm conversion may take (the server is told the same and restarts after it)
UNOSERVER_API = "3"  # the XML-RPC API of unoserver 3.x (unoserver.client.API_VERSION)
START_TIMEOUT = 60.0  # seconds for a unoserver to answer after it was started (it sleeps 5 s first)
STOP_GRACE = 5.0  # seconds a stopped unoserver gets to close LibreOffice before the process group is killed


class PdfError(Exception):
    """LibreOffice did not make the PDF; `message` is one Vietnamese line for people, `code` one word for machines."""

    code = "pdf_failed"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class PdfUnavailable(PdfError):
    """LibreOffice is not installed here; the message says how to install it."""

    code = "pdf_unavailable"


NOT_INSTALLED = (f"Không tạo được PDF: máy chạy ykien chưa cài LibreOffice (cài bằng lệnh: {INSTALL_HINT}); "
                 "tệp DOCX và XLSX vẫn dùng được.")
CALC_NOT_INSTALLED = ("Không tạo được PDF của bảng tính: LibreOffice trên máy chạy ykien thiếu phần Calc "
                      f"(cài bằng lệnh: apt-get install {CALC_PACKAGE}); tệp XLSX vẫn dùng được.")


def cold_convert_to(filter_name: str) -> str:
    """soffice's `--convert-to` for one export filter, PDF/A-2b: it takes the filter's options as JSON since
    LibreOffice 7.4 (Debian bookworm's version)."""
    return "pdf:{}:{}".format(filter_name, json.dumps({"SelectPdfVersion": {"type": "long", "value": str(PDFA_2B)}}))


COLD_CONVERT_TO = cold_convert_to(PDF_EXPORT)


def soffice_path() -> str | None:
    """LibreOffice's launcher on PATH, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def calc_missing(soffice: str) -> bool:
    """Whether the LibreOffice of `soffice` plainly lacks Calc: its program folder has Writer's library and not
    Calc's (Debian without libreoffice-calc). False where the folder does not show its parts."""
    program = Path(soffice).resolve().parent
    folders = (program, program.parent / "Frameworks")  # macOS keeps the libraries in Contents/Frameworks
    present = {library for folder in folders for library in (*WRITER_LIBRARIES, *CALC_LIBRARIES)
               if (folder / library).is_file()}
    return bool(present & set(WRITER_LIBRARIES)) and not present & set(CALC_LIBRARIES)


def converts(filename: str) -> bool:
    """Whether `to_pdf` takes a file of this name: a DOCX or an XLSX."""
    return Path(filename).suffix.lower() in EXPORT_FILTERS


def pdf_name(filename: str) -> str:
    """The PDF's file name beside a DOCX or XLSX: the same stem in ASCII letters, digits, '.', '_' and '-'
    (Vietnamese letters lose their marks, đ becomes d), safe in a Content-Disposition header."""
    folded = unicodedata.normalize("NFKD", Path(filename).stem.replace("đ", "d").replace("Đ", "D"))
    ascii_stem = "".join(char for char in folded if not unicodedata.combining(char))
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_stem).strip(".-") or "van-ban"
    return f"{stem}.pdf"


def pdf_sources(filenames: Sequence[str]) -> dict[str, str]:
    """The PDF of each document, by its name (`pdf_name`) to the file it is made from, in the order of `filenames`.

    A DOCX and an XLSX that share a stem (bang-tong-hop-y-kien.docx and .xlsx) would make the same PDF: it is the
    DOCX's, the printed form of the table, and the XLSX gets none. Files that are not DOCX or XLSX get none either;
    of two files whose names fold to the same PDF name otherwise, the first keeps it.
    """
    chosen: dict[str, tuple[int, str]] = {}
    for position, filename in enumerate(filenames):
        if not converts(filename):
            continue
        name = pdf_name(filename)
        taken = chosen.get(name)
        if taken is None or (_filter(taken[1]) != PDF_EXPORT and _filter(filename) == PDF_EXPORT):
            chosen[name] = (position, filename)
    return {name: source for name, (_, source) in sorted(chosen.items(), key=lambda item: item[1][0])}


def to_pdf(content: bytes, filename: str, server: str | None = None) -> bytes:
    """The PDF/A-2b of one DOCX or XLSX called `filename`, through the unoserver at `server` ("127.0.0.1:2003") when
    it answers, else a cold LibreOffice. Raises ValueError for another kind of file, PdfUnavailable without
    LibreOffice (or its Calc, for an XLSX), PdfError when it fails."""
    return to_pdfs([(content, filename)], server)[0]


def to_pdfs(documents: Sequence[tuple[bytes, str]], server: str | None = None) -> list[bytes]:
    """The PDFs of several DOCX and XLSX, in order: one after the other on a warm server, or in one cold LibreOffice
    for each kind (Writer's export for the DOCX, Calc's for the XLSX)."""
    for _, filename in documents:
        if not converts(filename):
            raise ValueError(f"only DOCX and XLSX documents are converted to PDF, not {filename}")
    if not documents:
        return []
    soffice = soffice_path()
    if soffice is not None and calc_missing(soffice) and any(_filter(name) == CALC_PDF_EXPORT for _, name in documents):
        raise PdfUnavailable(CALC_NOT_INSTALLED)
    names = ", ".join(name for _, name in documents)
    started = time.perf_counter()
    if server is not None:
        try:
            pdfs = [_convert_warm(content, _filter(name), server) for content, name in documents]
        except (OSError, xmlrpc.client.Error, http.client.HTTPException, PdfError) as error:
            log.warning("pdf: máy chủ LibreOffice tại %s không chuyển được (%s); khởi động LibreOffice riêng "
                        "cho lần này", server, error)
        else:
            log.info("pdf: %s qua unoserver tại %s trong %.0f ms", names, server, _ms_since(started))
            return pdfs
    pdfs = _convert_cold(documents)
    log.info("pdf: %s bằng một LibreOffice khởi động riêng trong %.0f ms", names, _ms_since(started))
    return pdfs


def _filter(filename: str) -> str:
    return EXPORT_FILTERS[Path(filename).suffix.lower()]


def _ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


# --- a warm LibreOffice: unoserver over XML-RPC ---------------------------------------------------------------

class _TimeoutTransport(xmlrpc.client.Transport):
    """xmlrpc's transport with a socket timeout, so a stuck server never holds a page forever."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout

    def make_connection(self, host: tuple[str, dict[str, str]] | str) -> http.client.HTTPConnection:
        connection = super().make_connection(host)
        connection.timeout = self.timeout
        return connection


def _proxy(server: str, timeout: float) -> xmlrpc.client.ServerProxy:
    # Not unoserver.client.UnoClient: it retries a refused connection five times ten seconds apart and has no
    # timeout, so a dead server would hold a page for 40 s. This speaks the same XML-RPC (API 3) directly.
    return xmlrpc.client.ServerProxy(f"http://{server}", allow_none=True, transport=_TimeoutTransport(timeout))


def _convert_warm(content: bytes, filter_name: str, server: str) -> bytes:
    result = _proxy(server, WARM_TIMEOUT).convert(
        None, xmlrpc.client.Binary(content), None, "pdf", filter_name, WARM_FILTER_OPTIONS, True, None, None)
    content = result.data if isinstance(result, xmlrpc.client.Binary) else b""
    if not content.startswith(b"%PDF-"):
        raise PdfError("Không tạo được PDF: LibreOffice không trả về tệp PDF.")
    return content


def server_answers(server: str, timeout: float = 2.0) -> bool:
    """Whether a unoserver of our API answers at `server` ("host:port")."""
    try:
        info = _proxy(server, timeout).info()
    except (OSError, xmlrpc.client.Error, http.client.HTTPException):
        return False
    return isinstance(info, dict) and info.get("api") == UNOSERVER_API


# --- a cold LibreOffice: soffice --convert-to -----------------------------------------------------------------

def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _convert_cold(documents: Sequence[tuple[bytes, str]]) -> list[bytes]:
    """One LibreOffice run per export filter (`--convert-to` takes one), in one folder: the second run starts from
    the profile the first made."""
    soffice = soffice_path()
    if soffice is None:
        raise PdfUnavailable(NOT_INSTALLED)
    pdfs: dict[int, bytes] = {}
    with tempfile.TemporaryDirectory(prefix="ykien-pdf-") as folder:
        try:
            for filter_name in dict.fromkeys(_filter(name) for _, name in documents):
                batch = [(number, document) for number, document in enumerate(documents)
                         if _filter(document[1]) == filter_name]
                converted = _run_soffice(soffice, Path(folder), filter_name, [document for _, document in batch])
                pdfs.update(zip((number for number, _ in batch), converted, strict=True))
        finally:  # a LibreOffice killed (timeout, Ctrl-C) leaves its socket in /tmp
            office_pipe(Path(folder) / "profile").unlink(missing_ok=True)
    return [pdfs[number] for number in range(len(documents))]


def _run_soffice(soffice: str, work: Path, filter_name: str, documents: Sequence[tuple[bytes, str]]) -> list[bytes]:
    timeout = COLD_TIMEOUT + COLD_TIMEOUT_PER_DOCUMENT * (len(documents) - 1)
    inbox, outbox = work / f"in-{filter_name}", work / f"out-{filter_name}"
    inbox.mkdir()
    sources = []
    for number, (content, name) in enumerate(documents, start=1):
        # Our own names: LibreOffice names the PDF after them.
        source = inbox / f"{number:03d}{Path(name).suffix.lower()}"
        source.write_bytes(content)
        sources.append(source)
    command = [soffice, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
               "--nologo", "--nodefault", "--nolockcheck", "--convert-to", cold_convert_to(filter_name),
               "--outdir", str(outbox), *map(str, sources)]
    # Its own session: soffice starts oosplash, which starts soffice.bin; a timeout kills the whole group.
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               cwd=work, env={**os.environ, "TMPDIR": str(work)}, start_new_session=True)
    try:
        _, errors = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process.pid)
        process.communicate()
        raise PdfError(f"Không tạo được PDF: LibreOffice chưa chuyển xong sau {timeout:.0f} giây.",
                       "pdf_timeout") from None
    except BaseException:  # interrupted (Ctrl-C): leave no LibreOffice behind
        _kill_group(process.pid)
        process.wait()
        raise
    pdfs = [outbox / f"{source.stem}.pdf" for source in sources]
    missing = [name for (_, name), pdf in zip(documents, pdfs, strict=True) if not pdf.is_file()]
    if process.returncode != 0 or missing:
        reason = errors.decode("utf-8", "replace").strip().splitlines()
        detail = reason[-1] if reason else f"mã thoát {process.returncode}"
        raise PdfError(f"Không tạo được PDF của {', '.join(missing) or 'văn bản'}: LibreOffice báo \"{detail}\".")
    return [pdf.read_bytes() for pdf in pdfs]


# --- the warm server as a child process of `ykien serve` ------------------------------------------------------

# Run by the Python that has LibreOffice's `uno` module (Debian: /usr/bin/python3 with python3-uno), which is not
# our virtualenv's. `-I` keeps that Python's environment out (PYTHONPATH, user site-packages); the folder put first
# on sys.path holds only links to the unoserver package of our virtualenv and its dist-info (unoserver reads its
# version from it), so that Python sees one package of ours, at the version uv.lock pins, and its own `uno`.
_BOOTSTRAP = """\
import ctypes, os, signal, sys
parent, path = int(sys.argv[1]), sys.argv[2]
del sys.argv[1:3]
# When the thread of ykien that started us ends (serve stopped, crashed or killed with SIGKILL), the kernel sends
# SIGUSR1 (PR_SET_PDEATHSIG), and we kill our process group: unoserver, oosplash and soffice.bin. SIGUSR1, because
# unoserver takes SIGTERM and SIGINT for itself and oosplash may outlive a SIGTERM while LibreOffice starts.
signal.signal(signal.SIGUSR1, lambda *_: os.killpg(0, signal.SIGKILL))
try:
    ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGUSR1))  # PR_SET_PDEATHSIG (Linux)
except (OSError, AttributeError):
    pass
if os.getppid() != parent:
    sys.exit(0)
sys.path.insert(0, path)
from unoserver.server import main
sys.exit(main())
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _imports_uno(python: Path) -> bool:
    try:
        return subprocess.run([str(python), "-I", "-c", "import uno"], stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=30, check=False).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def uno_python(soffice: str) -> str | None:
    """The Python that can `import uno`: LibreOffice's own (its builds bundle one beside soffice), else Debian's
    /usr/bin/python3 with python3-uno. None when neither can."""
    for candidate in (Path(soffice).resolve().parent / "python", Path("/usr/bin/python3")):
        if candidate.is_file() and os.access(candidate, os.X_OK) and _imports_uno(candidate):
            return str(candidate)
    return None


def _link_unoserver(folder: Path) -> None:
    """`folder` gets links to our unoserver package and its dist-info, and nothing else."""
    spec = importlib.util.find_spec("unoserver")
    if spec is None or not spec.submodule_search_locations:
        raise PdfUnavailable("Không tìm thấy gói unoserver trong môi trường của ykien (cài lại bằng uv sync).")
    package = Path(next(iter(spec.submodule_search_locations)))
    version = importlib.metadata.version("unoserver")
    folder.mkdir(parents=True)
    (folder / "unoserver").symlink_to(package, target_is_directory=True)
    for info in package.parent.glob(f"unoserver-{version}.dist-info"):
        (folder / info.name).symlink_to(info, target_is_directory=True)


class PdfServer:
    """A unoserver (LibreOffice kept running) as a child process of `ykien serve` or `ykien worker`, started when it
    is first needed (`address_starting`) and stopped with its process.

    It listens on free loopback ports; `address` is "127.0.0.1:<port>" once it answers, None before, and None again
    if it dies (it is restarted up to `restarts` times). Renders pass `address` to `to_pdf`.
    """

    def __init__(self, restarts: int = 3, start_timeout: float = START_TIMEOUT) -> None:
        self.restarts = restarts
        self.start_timeout = start_timeout
        self._address: str | None = None
        self._held: HeldFolder | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._asked = False

    @property
    def address(self) -> str | None:
        return self._address

    def address_starting(self) -> str | None:
        """`address`, starting the server on the first call: `ykien worker` and `ykien serve` keep LibreOffice warm
        only once it has a PDF to render (most workers only send mail; serve's web app, once staff open a round's
        documents). That first render, and any while it starts (about 7 s), goes cold."""
        with self._lock:
            first = not self._asked and self._thread is None and not self._stopping.is_set()  # not started yet
            self._asked = True
        if first:
            self.start()
        return self._address

    @property
    def folder(self) -> Path | None:
        """Its folder in the temporary directory (LibreOffice's profile, unoserver's log), while it has one."""
        held = self._held
        return held.path if held is not None else None

    @property
    def pipe(self) -> Path | None:
        """The socket its LibreOffice opens in /tmp (see `office_pipe`), while it has a folder."""
        return office_pipe(self._held.profile) if self._held is not None else None

    @property
    def pid(self) -> int | None:
        """The unoserver process (the leader of its own process group, which holds LibreOffice too)."""
        process = self._process
        return process.pid if process is not None else None

    def can_run(self) -> bool:
        """Whether it can run here (LibreOffice and a Python with `uno`), without starting it; when not, a log line
        says what to install. `ykien serve` asks at start, so that the admin reads it then, not at the first PDF."""
        return self._programs is not None

    @cached_property
    def _programs(self) -> tuple[str, str] | None:
        """(soffice, the Python with `uno`), looked for once: serve asks at start and starts the server later."""
        soffice = soffice_path()
        if soffice is None:
            log.warning("pdf: chưa cài LibreOffice; không tạo được PDF (%s)", INSTALL_HINT)
            return None
        python = uno_python(soffice)
        if python is None:
            log.warning("pdf: không có Python nào có mô-đun uno của LibreOffice (apt-get install python3-uno); mỗi "
                        "lần tạo PDF khởi động LibreOffice mới (khoảng 2 giây)")
            return None
        return soffice, python

    def start(self) -> bool:
        """Start it in the background. False, with a log line saying what to install, when LibreOffice or the
        Python with `uno` is missing: renders then start LibreOffice each time, or say how to install it."""
        programs = self._programs
        if programs is None:
            return False
        soffice, python = programs
        abandoned = remove_abandoned()
        if abandoned:
            log.info("pdf: đã xóa %d thư mục LibreOffice của tiến trình ykien đã dừng đột ngột", abandoned)
        self._held = HeldFolder()
        try:
            _link_unoserver(self._held.path / "path")
        except (PdfError, OSError) as error:
            log.warning("pdf: không chạy được unoserver (%s); mỗi lần tạo PDF khởi động LibreOffice mới", error)
            self._held.remove()
            return False
        # The thread that starts the child must live as long as the child: PR_SET_PDEATHSIG fires when it ends.
        self._thread = threading.Thread(target=self._supervise, args=(soffice, python), name="unoserver",
                                        daemon=True)
        self._thread.start()
        return True

    def wait_ready(self, timeout: float) -> bool:
        """Wait until the server answers (True) or `timeout` seconds pass (False)."""
        return self._ready.wait(timeout) and self._address is not None

    def _supervise(self, soffice: str, python: str) -> None:
        restarts = 0
        while not self._stopping.is_set():
            answered, exited = self._run_once(soffice, python)
            if self._stopping.is_set():
                break
            # A unoserver that ended by itself before answering most often found a port taken between our finding
            # it free and its binding it (another process's connection took it): it is tried again on other ports.
            # One that never answered in start_timeout is not.
            retried = not answered and exited and restarts < self.restarts
            if not retried and (not answered or restarts >= self.restarts):
                log.warning("pdf: unoserver đã dừng%s; từ nay mỗi lần tạo PDF khởi động LibreOffice mới (xem %s)",
                            "" if answered else " trước khi trả lời", self._log_tail())
                break
            restarts += 1
            log.warning("pdf: unoserver đã dừng%s (%s); khởi động lại", "" if answered else " trước khi trả lời",
                        self._log_tail())
            self._stopping.wait(1.0)
        self._ready.set()  # nobody waits for a server that will not come

    def _run_once(self, soffice: str, python: str) -> tuple[bool, bool]:
        """Start unoserver, wait for its answer, then for its end. Whether it ever answered, and whether it ended by
        itself (not stopped by us, nor killed for not answering in time)."""
        assert self._held is not None
        folder = self._held.path
        port = _free_port()  # may be taken before unoserver binds it: see _supervise
        uno_port = _free_port()
        while uno_port == port:
            uno_port = _free_port()
        profile, scratch = self._held.profile, folder / "tmp"
        scratch.mkdir(exist_ok=True)
        command = [python, "-I", "-c", _BOOTSTRAP, str(os.getpid()), str(folder / "path"),
                   "--interface", "127.0.0.1", "--port", str(port), "--uno-interface", "127.0.0.1",
                   "--uno-port", str(uno_port), "--executable", soffice, "--user-installation", str(profile),
                   "--temp-dir", str(scratch), "--conversion-timeout", str(int(WARM_TIMEOUT))]
        with self._lock:
            if self._stopping.is_set():
                return False, False
            with open(folder / "unoserver.log", "ab") as output:
                self._process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=output,
                                                 stderr=subprocess.STDOUT, cwd=folder,
                                                 env={**os.environ, "TMPDIR": str(scratch)}, start_new_session=True)
        process = self._process
        address = f"127.0.0.1:{port}"
        deadline = time.monotonic() + self.start_timeout
        answered = False
        while not self._stopping.is_set() and process.poll() is None and time.monotonic() < deadline:
            if server_answers(address, timeout=1.0):
                answered = True
                self._address = address
                self._ready.set()
                log.info("pdf: LibreOffice chạy sẵn để tạo PDF (unoserver tại %s, pid %d)", address, process.pid)
                break
            self._stopping.wait(0.25)
        timed_out = not answered and process.poll() is None and not self._stopping.is_set()
        if timed_out:
            log.warning("pdf: unoserver không trả lời sau %.0f giây; dừng nó", self.start_timeout)
            _kill_group(process.pid)
        process.wait()
        self._address = None
        _kill_group(process.pid)  # LibreOffice with it, whatever state unoserver left it in
        return answered, not timed_out and not self._stopping.is_set()

    def _log_tail(self) -> str:
        held = self._held
        if held is None:
            return "no log"
        try:
            lines = (held.path / "unoserver.log").read_text("utf-8", "replace").strip().splitlines()
        except OSError:
            return "no log"
        return " | ".join(lines[-3:]) or "no output"

    def stop(self) -> None:
        """Stop unoserver and LibreOffice: SIGTERM (unoserver closes LibreOffice), then SIGKILL to the whole process
        group after STOP_GRACE seconds, or at once while it is still starting. Leaves no process behind."""
        with self._lock:
            self._stopping.set()
            process = self._process
        if process is not None and process.poll() is None:
            if self._address is not None:
                with contextlib.suppress(ProcessLookupError):
                    process.terminate()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(STOP_GRACE)
            _kill_group(process.pid)
            process.wait()
            _kill_group(process.pid)
        if self._thread is not None:
            self._thread.join(STOP_GRACE)
        self._address = None
        if self._held is not None:
            self._held.remove()
            self._held = None
        if process is not None:
            log.info("pdf: unoserver đã dừng")

    def __enter__(self) -> PdfServer:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()
