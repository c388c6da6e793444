"""Why the system refused a file, a folder, a port or a TLS connection, in Vietnamese: `strerror` is English ("No
such file or directory") and reached users inside Vietnamese sentences. A reason not listed keeps the system's words."""
from __future__ import annotations

import errno
import socket
import ssl

_REASONS = {
    errno.ENOENT: "không có tệp hoặc thư mục này",
    errno.EACCES: "không có quyền",
    errno.EPERM: "không có quyền",
    errno.EISDIR: "đây là một thư mục, không phải tệp",
    errno.ENOTDIR: "một phần của đường dẫn không phải thư mục",
    errno.EEXIST: "đã có tệp hoặc thư mục này",
    errno.ENOSPC: "ổ đĩa đã đầy",
    errno.EROFS: "ổ đĩa chỉ cho đọc",
    errno.ENAMETOOLONG: "tên quá dài",
    errno.ENOTEMPTY: "thư mục không trống",
    errno.EADDRINUSE: "cổng này đang được chương trình khác dùng",
    errno.EADDRNOTAVAIL: "máy này không có địa chỉ này",
    errno.ECONNREFUSED: "máy chủ từ chối kết nối",
    errno.ETIMEDOUT: "quá thời gian chờ kết nối",
    errno.EHOSTUNREACH: "không tới được máy này qua mạng",
    errno.ENETUNREACH: "không tới được mạng này",
}
# A host name the resolver cannot find (socket.gaierror): its codes are the resolver's, not errno's.
_NAME_REASONS = {
    socket.EAI_NONAME: "không tìm thấy tên máy",
    socket.EAI_AGAIN: "chưa hỏi được máy chủ tên miền (DNS), hãy thử lại",
    getattr(socket, "EAI_NODATA", socket.EAI_NONAME): "không tìm thấy tên máy",
}


# Why OpenSSL did not trust a server's certificate (its `verify_message`), for the ones an operator meets.
_CERTIFICATE_REASONS = {
    "certificate has expired": "chứng chỉ đã hết hạn",
    "certificate is not yet valid": "chứng chỉ chưa đến ngày có hiệu lực",
    "self-signed certificate": "chứng chỉ tự ký",
    "self signed certificate": "chứng chỉ tự ký",
    "self-signed certificate in certificate chain": "chuỗi chứng chỉ có chứng chỉ gốc tự ký chưa được tin",
    "self signed certificate in certificate chain": "chuỗi chứng chỉ có chứng chỉ gốc tự ký chưa được tin",
    "unable to get local issuer certificate": "không có chứng chỉ gốc của nơi cấp",
    "unable to get issuer certificate": "không có chứng chỉ của nơi cấp",
    "certificate has been revoked": "chứng chỉ đã bị thu hồi",
}


def tls_reason(error: ssl.SSLError) -> str:
    """Why a TLS connection failed, in Vietnamese: a certificate not trusted (with why), or a handshake that failed
    (with OpenSSL's reason). ssl.SSLError carries errno 1, which is not EPERM: it is never "không có quyền"."""
    if isinstance(error, ssl.SSLCertVerificationError):
        said = str(error.verify_message or "")
        if said.startswith("Hostname mismatch") or "IP address mismatch" in said:
            why = "chứng chỉ không cấp cho tên máy hoặc địa chỉ này"
        else:
            why = _CERTIFICATE_REASONS.get(said, said or "không kiểm tra được")
        return f"chứng chỉ TLS của máy chủ không được tin cậy: {why}"
    reason = str(error.reason or "")
    if reason in ("WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "HTTP_REQUEST", "PACKET_LENGTH_TOO_LONG"):
        return f"bắt tay TLS không thành công: máy chủ không trả lời bằng TLS (địa chỉ https:// trỏ tới máy chủ chỉ " \
               f"nói http?) ({reason})"
    return f"bắt tay TLS không thành công ({reason or str(error) or type(error).__name__})"


def os_reason(error: OSError) -> str:
    """The reason of `error` in Vietnamese ("không có tệp hoặc thư mục này"), else as the system says it."""
    if isinstance(error, ssl.SSLError):  # before errno: an SSLError's 1 is OpenSSL's, not EPERM
        return tls_reason(error)
    if isinstance(error, socket.gaierror):
        return _NAME_REASONS.get(error.errno or 0) or error.strerror or str(error)
    return _REASONS.get(error.errno or 0) or error.strerror or str(error)
