"""Bloom-filter encodings uploaded by partners and the "known to" flags matched from them.

``pprl_upload`` is one upload of one organisation: its kind (``known``: encodings of the
organisation's own person records; ``holder``: encodings of people it holds but does not share,
under opaque pseudonymous ids), who uploaded it, when, the schema version and the counts. An
organisation has at most one upload of each kind: a re-upload replaces the previous one, with
its encodings, in one transaction. ``pprl_encoding`` holds the encodings of an upload (the
bytes, never a name); a "known" encoding names the person record it was made from.
``pprl_flag`` is a match: the known person record, the holder organisation and the holder's own
reference (server-side only: it is named to the holder alone, in an access request), the Dice
score, the holder upload and when. Flags are recomputed whenever encodings change.

On PostgreSQL all three tables have row-level security (migration ``0013_pprl_encodings``):
uploads and encodings are visible and writable for their own organisation or the system,
flags for their holder organisation or the system.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from joinedup.common.clock import utc_now
from joinedup.common.enums import str_enum
from joinedup.db import Base, IdMixin


class UploadKind(enum.StrEnum):
    """What an upload's encodings are of."""

    KNOWN = "known"  # the organisation's own person records, by their reference
    HOLDER = "holder"  # people the organisation holds but does not share, by opaque ids

    @property
    def label(self) -> str:
        """How people name this kind of upload."""
        return {
            UploadKind.KNOWN: "Known records (your person records)",
            UploadKind.HOLDER: "Known to us (people you hold and do not share)",
        }[self]


class PprlUpload(IdMixin, Base):
    """One organisation's current upload of one kind, with its counts."""

    __tablename__ = "pprl_upload"
    __table_args__ = (UniqueConstraint("organisation_id", "kind"),)

    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    kind: Mapped[UploadKind] = mapped_column(str_enum(UploadKind, "pprl_upload_kind"))
    uploaded_by_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("app_user.id"), default=None
    )
    uploaded_at: Mapped[datetime] = mapped_column(default=utc_now)
    schema_version: Mapped[int]
    encoding_count: Mapped[int] = mapped_column(default=0)
    # Flags from this upload's last matching: for a holder upload, the people matched.
    matched_count: Mapped[int] = mapped_column(default=0)
    matched_at: Mapped[datetime | None] = mapped_column(default=None)


class PprlEncoding(IdMixin, Base):
    """One encoding of an upload under the organisation's own reference."""

    __tablename__ = "pprl_encoding"
    __table_args__ = (
        UniqueConstraint("upload_id", "reference"),
        Index("ix_pprl_encoding_person_record", "person_record_id"),
    )

    upload_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pprl_upload.id", ondelete="CASCADE"))
    # Kept with each encoding for the row-level security policy.
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    reference: Mapped[str] = mapped_column(String(200))
    # A "known" encoding's person record (the organisation's own); none for a holder upload.
    person_record_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("person_record.id", ondelete="CASCADE"), default=None
    )
    clk: Mapped[bytes] = mapped_column(LargeBinary)


class PprlFlag(IdMixin, Base):
    """A known person record matches an encoding of a holder: "known to <holder>"."""

    __tablename__ = "pprl_flag"
    __table_args__ = (
        UniqueConstraint("person_record_id", "holder_organisation_id"),
        Index("ix_pprl_flag_holder", "holder_organisation_id"),
    )

    person_record_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person_record.id", ondelete="CASCADE")
    )
    holder_organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    # The holder's own pseudonymous id: never shown to anyone but the holder.
    holder_reference: Mapped[str] = mapped_column(String(200))
    score: Mapped[float] = mapped_column(Float)
    upload_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("pprl_upload.id", ondelete="CASCADE"), index=True
    )
    matched_at: Mapped[datetime] = mapped_column(default=utc_now)
