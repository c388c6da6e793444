"""Why the system refused a file, a folder or a port, in Vietnamese: `strerror` is English ("No such file or
directory") and reached users inside Vietnamese sentences. A reason not listed keeps the system's words."""
from __future__ import annotations

import errno
import socket

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


def os_reason(error: OSError) -> str:
    """The reason of `error` in Vietnamese ("không có tệp hoặc thư mục này"), else as the system says it."""
    if isinstance(error, socket.gaierror):
        return _NAME_REASONS.get(error.errno or 0) or error.strerror or str(error)
    return _REASONS.get(error.errno or 0) or error.strerror or str(error)
