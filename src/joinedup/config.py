"""One settings object for the whole service, read from ``JOINEDUP_*`` environment variables.

Every setting is documented in ``docs/settings.md``; a test fails when one is missing there.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parents[1]
DEV_SECRET = "dev-only-secret-change-me"


class Settings(BaseSettings):
    """JoinedUp's settings; unsafe values are refused outside ``dev`` and ``test``."""

    model_config = SettingsConfigDict(env_prefix="JOINEDUP_", extra="ignore")

    environment: Literal["dev", "test", "production"] = "dev"
    database_url: str = Field(default=f"sqlite:///{REPO_ROOT / 'var' / 'joinedup.db'}")
    secret_key: str = DEV_SECRET
    partnership_name: str = "Surrey Community Safety Partnership"
    partnership_area: str = "Surrey"
    session_idle_minutes: int = Field(default=15, ge=1, le=60)
    session_absolute_hours: int = Field(default=12, ge=1, le=24)
    cookie_secure: bool = False
    login_attempts_per_user: int = Field(default=6, ge=1)
    login_attempts_per_ip: int = Field(default=30, ge=1)
    login_window_seconds: int = Field(default=60, ge=1)
    h3_resolution: int = Field(default=9, ge=0, le=15)
    # The partnership's own relative harm weights by category code (JSON), over the defaults.
    harm_weights: dict[str, float] = Field(default_factory=dict)
    demo_mode: bool = False
    log_level: str = "INFO"
    log_sql: bool = False
    break_glass_hours: int = Field(default=4, ge=1, le=24)
    access_grant_days: int = Field(default=30, ge=1, le=365)
    monitor_high_volume_reads: int = Field(default=100, ge=1)
    monitor_repeated_denials: int = Field(default=5, ge=1)
    monitor_out_of_hours_reads: int = Field(default=20, ge=1)
    retention_person_years: int = Field(default=6, ge=1)
    retention_incident_years: int = Field(default=6, ge=1)
    retention_login_attempt_days: int = Field(default=90, ge=1)
    retention_purpose_declaration_days: int = Field(default=90, ge=1)
    retention_export_days: int = Field(default=30, ge=1)
    retention_idempotency_key_days: int = Field(default=7, ge=1)
    retention_mode: Literal["erase", "flag"] = "flag"
    asb_case_review_lead: str = ""
    asb_case_review_acknowledge_days: int = Field(default=10, ge=1, le=60)
    asb_case_review_decision_days: int = Field(default=15, ge=1, le=60)
    asb_case_review_meeting_days: int = Field(default=20, ge=1, le=90)
    asb_case_review_threshold: int = Field(default=3, ge=1, le=20)
    asb_case_review_threshold_months: int = Field(default=6, ge=1, le=24)
    public_submissions_per_hour: int = Field(default=5, ge=1)
    public_status_attempts: int = Field(default=6, ge=1)
    public_status_window_seconds: int = Field(default=600, ge=1)
    # Person linkage (docs/linkage.md): thresholds of real-time matching, and how often the web
    # process looks for person records waiting to be matched (0: never; `joinedup worker` and
    # `joinedup link match` still do).
    linkage_threshold_auto: float = Field(default=0.99, gt=0, le=1)
    linkage_threshold_review: float = Field(default=0.5, gt=0, le=1)
    # What a missing date of birth does to a pair the household rule would otherwise let join:
    # "review" (always a person's decision), "one-person" (join when the record without a date
    # of birth can be only one person) or "score" (join on the score alone).
    linkage_missing_dob: Literal["review", "one-person", "score"] = "one-person"
    linkage_match_seconds: float = Field(default=2.0, ge=0)
    # Privacy-preserving "known to" matching (docs/pprl.md): least Dice coefficient of a match.
    pprl_threshold: float = Field(default=0.8, gt=0, le=1)

    @model_validator(mode="after")
    def _refuse_unsafe_values(self) -> Settings:
        if self.environment == "production":
            problems = []
            if self.secret_key == DEV_SECRET or len(self.secret_key) < 32:
                problems.append("JOINEDUP_SECRET_KEY must be set to 32 or more random characters")
            if not self.cookie_secure:
                problems.append("JOINEDUP_COOKIE_SECURE must be true")
            if self.demo_mode:
                problems.append("JOINEDUP_DEMO_MODE must be false")
            if problems:
                raise ValueError("unsafe settings for production: " + "; ".join(problems))
        return self

    @property
    def is_sqlite(self) -> bool:
        """True when the database is an SQLite file."""
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
