#!/usr/bin/env bash
# Debian packages the tests use: Chromium for the browser tests (never a downloaded browser), LibreOffice Writer and
# Calc and poppler to render documents to PDF/PNG (Writer the DOCX, Calc the XLSX), python3-uno so that Debian's
# Python can run unoserver (LibreOffice kept warm by `ykien serve`), Liberation fonts 2.x (metric-compatible with
# Times New Roman; fonts-liberation 1.07 lacks the Vietnamese letters U+1EA0-1EF9, which would fall back to DejaVu),
# Carlito (metric-compatible with Calibri, the font an XLSX measures its column widths in: without it LibreOffice
# measures in DejaVu Sans, a quarter wider, and prints the sheets smaller).
# Installs only what is missing, so a machine that has them pays nothing.
set -euo pipefail
needed=()
command -v chromium >/dev/null 2>&1 || needed+=(chromium)
command -v soffice >/dev/null 2>&1 || needed+=(libreoffice-writer)
[ -e /usr/lib/libreoffice/program/libsclo.so ] || needed+=(libreoffice-calc)  # Calc's library: the XLSX to PDF
/usr/bin/python3 -c "import uno" >/dev/null 2>&1 || needed+=(python3-uno)
command -v pdftoppm >/dev/null 2>&1 || needed+=(poppler-utils)
command -v softhsm2-util >/dev/null 2>&1 || needed+=(softhsm2)  # a PKCS#11 token for the ký số tests
command -v pkcs11-tool >/dev/null 2>&1 || needed+=(opensc)  # pkcs11-tool puts the certificate on that token
fc-list "Liberation Serif:charset=1ea0-1ef9" 2>/dev/null | grep -q . || needed+=(fonts-liberation2)
fc-list "Carlito" 2>/dev/null | grep -q . || needed+=(fonts-crosextra-carlito)
if [ "${#needed[@]}" -gt 0 ]; then
    echo "installing Debian packages: ${needed[*]}"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
fi
