"""The audit tab as staff read it: each recorded action and its details in Vietnamese words, from the round's
definition and the directory, never the codes the log stores."""
from __future__ import annotations

# Actions the service records itself (not events of the round's definition), as staff read them.
AUDIT_LABELS = {"create": "tạo đợt", "timer_fired": "bộ hẹn giờ", "timer_refused": "bộ hẹn giờ bị từ chối",
                "timer_ignored": "bộ hẹn giờ bỏ qua", "task_opened": "mở việc", "task_done": "hoàn thành việc",
                "draft_uploaded": "tải lên dự thảo", "comments_handled": "xử lý ý kiến",
                "follow_up_round": "tạo đợt tiếp theo"}
