"""PDF renders: seed 000's request letter (DOCX from the builders) to PDF/A-2b through a warm unoserver, as under
`ykien serve`, against the baseline of a cold `soffice --convert-to` started for each render (what a render costs
without serve), both measured in this run. Also four documents in one cold LibreOffice (`round documents --pdf`)
against four cold renders one by one, and how long a unoserver takes to answer after it is started."""
from __future__ import annotations

import statistics
import sys
import time
import xmlrpc.client

from bench_support import REPO, BenchmarkCheckFailed, ms, print_table, ratio

sys.path.insert(0, str(REPO / "tests" / "fixtures" / "documents"))

import document_seeds as seed_data

from notifications.documents.letters import render_reminder_letter, render_request_letter, render_submission
from notifications.documents.synthesis import render_synthesis_docx
from notifications.pdf import PDF_EXPORT, WARM_FILTER_OPTIONS, PdfServer, soffice_path, to_pdf, to_pdfs, uno_python


def _check(pdf: bytes) -> bytes:
    if not pdf.startswith(b"%PDF-") or b"pdfaid:part" not in pdf:
        raise BenchmarkCheckFailed("the render is not a PDF/A")
    return pdf


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples)


def run(quick: bool) -> list[tuple[str, str, str, str]]:
    soffice = soffice_path()
    if soffice is None or uno_python(soffice) is None:
        print("\nPDF: LibreOffice or python3-uno is missing; nothing measured")
        return [("pdf: request letter", "not measured", "(no target)", "info")]
    cold_runs, warm_runs = (2, 5) if quick else (5, 20)
    letter = render_request_letter(seed_data.request_letter())
    four = [(letter, "cong-van-xin-y-kien.docx"),
            (render_reminder_letter(seed_data.reminder_letter()), "cong-van-don-doc.docx"),
            (render_synthesis_docx(seed_data.synthesis()), "bang-tong-hop-y-kien.docx"),
            (render_submission(seed_data.submission()), "to-trinh.docx")]

    cold = []
    for _ in range(cold_runs):
        started = time.perf_counter()
        _check(to_pdf(letter, "cong-van-xin-y-kien.docx"))
        cold.append(time.perf_counter() - started)

    one_by_one, batch = [], []
    for _ in range(max(1, cold_runs // 2)):
        started = time.perf_counter()
        for docx, name in four:
            _check(to_pdf(docx, name))
        one_by_one.append(time.perf_counter() - started)
        started = time.perf_counter()
        for pdf in to_pdfs(four):
            _check(pdf)
        batch.append(time.perf_counter() - started)

    server = PdfServer()
    started = time.perf_counter()
    if not server.start() or not server.wait_ready(120) or server.address is None:
        server.stop()
        raise BenchmarkCheckFailed("unoserver did not answer")
    ready = time.perf_counter() - started
    try:
        address = server.address
        first_started = time.perf_counter()
        _check(to_pdf(letter, "cong-van-xin-y-kien.docx", server=address))
        first = time.perf_counter() - first_started
        warm, raw = [], []
        proxy = xmlrpc.client.ServerProxy(f"http://{address}", allow_none=True)
        for _ in range(warm_runs):  # interleaved, so a slow moment hits both alike
            started = time.perf_counter()
            _check(to_pdf(letter, "cong-van-xin-y-kien.docx", server=address))
            warm.append(time.perf_counter() - started)
            started = time.perf_counter()
            proxy.convert(None, xmlrpc.client.Binary(letter), None, "pdf", PDF_EXPORT, WARM_FILTER_OPTIONS, True,
                          None, None)
            raw.append(time.perf_counter() - started)
    finally:
        server.stop()

    cold_median, warm_median = _median_ms(cold), _median_ms(warm)
    print_table("PDF: seed 000's request letter (2 pages) to PDF/A-2b, median wall time",
                ["render", "median", "range", "runs", "vs cold soffice"], [
                    ("cold: soffice --convert-to (baseline)", ms(cold_median), f"{ms(min(cold))} – {ms(max(cold))}",
                     cold_runs, "1.00"),
                    ("warm: to_pdf through unoserver", ms(warm_median), f"{ms(min(warm))} – {ms(max(warm))}",
                     warm_runs, ratio(warm_median, cold_median)),
                    ("warm: raw unoserver XML-RPC call", ms(_median_ms(raw)), f"{ms(min(raw))} – {ms(max(raw))}",
                     warm_runs, ratio(_median_ms(raw), cold_median)),
                    ("first render after the server answered", ms(first), "", 1, ratio(first, cold_median)),
                ], [f"unoserver answered {ms(ready)} after it was started (it sleeps 5 s before it listens)",
                    "cold renders each start LibreOffice with a fresh profile in a temporary folder"])
    print_table("PDF: four documents (request letter, reminder, synthesis table, tờ trình), cold",
                ["method", "median", "vs one by one"], [
                    ("four soffice runs, one by one (baseline)", ms(_median_ms(one_by_one)), "1.00"),
                    ("one soffice run for all four (round documents --pdf)", ms(_median_ms(batch)),
                     ratio(_median_ms(batch), _median_ms(one_by_one))),
                ])
    return [("pdf: request letter, warm (unoserver)", ms(warm_median), "(no target)", "info"),
            ("pdf: request letter, cold (soffice)", ms(cold_median), "(no target)", "info"),
            ("pdf: warm / cold", ratio(warm_median, cold_median), "(no target)", "info")]
