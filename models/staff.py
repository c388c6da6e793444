"""Staff roles and what each may do: pure rules, no database."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    STAFF = "staff"
    LEADER = "leader"


ROLE_LABELS = {Role.ADMIN: "Quản trị", Role.STAFF: "Cán bộ phòng", Role.LEADER: "Lãnh đạo (chỉ xem)"}

# What happened to accounts, as the system's audit chain records it.
ACCOUNT_ACTIONS = {
    "user_added": "Thêm tài khoản",
    "user_disabled": "Khóa tài khoản",
    "user_enabled": "Mở khóa tài khoản",
    "password_reset": "Đặt lại mật khẩu",
    "password_changed": "Tự đổi mật khẩu",
    "user_role_changed": "Đổi vai trò, phòng",
    "digest_changed": "Đổi thư tổng hợp hằng ngày",
}


@dataclass(frozen=True)
class StaffUser:
    id: int
    username: str
    display_name: str
    role: Role
    office: str | None

    def can_view(self) -> bool:
        return True

    def can_change_round(self, round_office: str) -> bool:
        """Admins change any round; staff only their office's; leaders read only."""
        if self.role is Role.ADMIN:
            return True
        return self.role is Role.STAFF and self.office is not None and self.office == round_office

    def reads_only(self) -> bool:
        """A leader: reads every round, the register and the directory, and changes none of them."""
        return self.role is Role.LEADER

    def can_create_round(self) -> bool:
        return self.role in (Role.ADMIN, Role.STAFF)

    def can_manage_accounts(self) -> bool:
        return self.role is Role.ADMIN

    def can_manage_directory(self) -> bool:
        return self.role in (Role.ADMIN, Role.STAFF)

    @property
    def actor(self) -> str:
        """How the user appears in the audit trail."""
        return f"{self.display_name} ({self.username})"


@dataclass(frozen=True)
class Account:
    """An account as administrators see it: active or not, and when it last logged in."""

    user: StaffUser
    active: bool
    created_at: datetime
    last_login_at: datetime | None
