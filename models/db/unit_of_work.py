"""One transaction, with the repositories that work inside it."""
from __future__ import annotations

from types import TracebackType

from sqlalchemy.orm import Session, sessionmaker

from models.db.access_token_repository import AccessTokenRepository
from models.db.assignment_repository import AssignmentRepository
from models.db.attachment_repository import AttachmentRepository
from models.db.audit_repository import AuditRepository
from models.db.database import READ_ONLY
from models.db.digest_repository import DigestRepository
from models.db.directory_repository import DirectoryRepository
from models.db.draft_repository import DraftRepository
from models.db.draft_round_repository import DraftRoundRepository
from models.db.instance_repository import InstanceRepository
from models.db.job_repository import JobRepository
from models.db.kind_summary_repository import KindSummaryRepository
from models.db.mailbox_repository import MailboxRepository
from models.db.numbering_repository import NumberingRepository
from models.db.office_repository import OfficeRepository
from models.db.outbox_repository import OutboxRepository
from models.db.register_repository import RegisterRepository
from models.db.report_repository import ReportRepository
from models.db.response_repository import ResponseRepository
from models.db.round_repository import RoundRepository
from models.db.saved_answer_repository import SavedAnswerRepository
from models.db.signature_repository import ReplySignatureRepository
from models.db.staff_repository import StaffRepository
from models.db.staff_session_repository import StaffSessionRepository
from models.db.submission_repository import SubmissionRepository
from models.db.timer_repository import TimerRepository


class UnitOfWork:
    """`with uow:` opens a session; leaving the block without commit() rolls everything back.

    Use cases read and write through the repositories below; `session` is the repositories' own (and the
    tests'): workflows/service never touches it (tests/unit/test_architecture.py).
    """

    session: Session
    rounds: RoundRepository
    responses: ResponseRepository
    drafts: DraftRepository
    submissions: SubmissionRepository
    timers: TimerRepository
    outbox: OutboxRepository
    tokens: AccessTokenRepository
    audit: AuditRepository
    directory: DirectoryRepository
    staff: StaffRepository
    staff_sessions: StaffSessionRepository
    mailbox: MailboxRepository
    register: RegisterRepository  # the register of outgoing documents (sổ văn bản đi)
    offices: OfficeRepository  # the Sở's offices (phòng), by code
    draft_rounds: DraftRoundRepository  # edit or remove a round never launched
    instances: InstanceRepository  # running processes: heartbeats, and the claims of dead ones
    saved_answers: SavedAnswerRepository  # a unit's answer saved unsent, one per recipient
    numberings: NumberingRepository  # the comments' numbers as last shown to each person
    digests: DigestRepository  # the staff's daily digest: who asked for it, which days were done, what it reports
    assignments: AssignmentRepository  # preparatory tasks given to a round's units, with their due dates
    attachments: AttachmentRepository  # files units attach to the file fields of a form
    kind_summaries: KindSummaryRepository  # the dashboard's counts in each kind's own columns

    def __init__(self, sessions: sessionmaker[Session], read_only: bool = False, each_statement: bool = False) -> None:
        """`each_statement`: on PostgreSQL each statement commits on its own (no BEGIN and COMMIT round trips:
        for writes that are whole in one statement each, and reads of one statement); elsewhere the block is one
        transaction as usual."""
        self._sessions = sessions
        self._read_only = read_only
        self._each_statement = each_statement

    def __enter__(self) -> UnitOfWork:
        self.session = self._sessions()
        if self._each_statement and self.session.get_bind().dialect.name == "postgresql":
            self.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        elif self._read_only:
            self.session.connection(execution_options={READ_ONLY: True})
        self.rounds = RoundRepository(self.session)
        self.responses = ResponseRepository(self.session)
        self.drafts = DraftRepository(self.session)
        self.submissions = SubmissionRepository(self.session)
        self.timers = TimerRepository(self.session)
        self.outbox = OutboxRepository(self.session)
        self.tokens = AccessTokenRepository(self.session)
        self.audit = AuditRepository(self.session)
        self.directory = DirectoryRepository(self.session)
        self.staff = StaffRepository(self.session)
        self.staff_sessions = StaffSessionRepository(self.session)
        self.mailbox = MailboxRepository(self.session)
        self.register = RegisterRepository(self.session)
        self.reply_signatures = ReplySignatureRepository(self.session)
        self.offices = OfficeRepository(self.session)
        self.draft_rounds = DraftRoundRepository(self.session)
        self.instances = InstanceRepository(self.session)
        self.saved_answers = SavedAnswerRepository(self.session)
        self.numberings = NumberingRepository(self.session)
        self.digests = DigestRepository(self.session)
        self.jobs = JobRepository(self.session)
        self.reports = ReportRepository(self.session)
        self.assignments = AssignmentRepository(self.session)
        self.attachments = AttachmentRepository(self.session)
        self.kind_summaries = KindSummaryRepository(self.session)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        # close() rolls back whatever was not committed and detaches objects without expiring them,
        # so read models built from them stay usable after the block.
        self.session.close()

    def commit(self) -> None:
        if self._read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        self.session.commit()

    def flush(self) -> None:
        self.session.flush()
