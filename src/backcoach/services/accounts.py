"""Clinic mode's accounts: who may sign in, their sessions, failed logins and resets.

Passwords are hashed with argon2id (``argon2-cffi``'s defaults, RFC 9106's low-memory
profile). A sign-in makes a server-side session: a random token goes to the
browser in a cookie, its SHA-256 digest to ``auth_sessions``, so it can be
ended (logout, "log out everywhere", a disabled account) and a stolen database
holds no usable token. Failed logins are counted in the database, so every
server worker applies the same limit.

Every function here commits what it changes (one transaction per call).
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backcoach.errors import NotAllowed, NotSignedIn, TooManyAttempts, UsageError
from backcoach.i18n import N_, _
from backcoach.store import AccountToken, AuthSession, LoginFailure, Role, TokenPurpose, User

logger = logging.getLogger(__name__)

#: How long a sign-in lasts without use, and at most.
SESSION_IDLE = timedelta(days=14)
#: A session's "last seen" is written at most this often (not on every request).
SEEN_EVERY = timedelta(minutes=5)
#: Failed logins allowed per account and per address in ``FAILURE_WINDOW``.
MAX_FAILURES = 10
FAILURE_WINDOW = timedelta(minutes=15)
RESET_LIFETIME = timedelta(hours=24)
MIN_PASSWORD = 10
MAX_PASSWORD = 256

ACCOUNT_ROLES = (Role.ADMIN, Role.CLINICIAN, Role.PATIENT)
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]+")
_HASHER = PasswordHasher()
# A hash to verify against when the e-mail is unknown, so a wrong e-mail costs
# the same time as a wrong password (no telling which accounts exist).
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))

WRONG_LOGIN = N_("Wrong e-mail or password.")
TOO_MANY = N_(
    "Too many failed sign-ins. Wait 15 minutes and try again, or ask your clinic's "
    "administrator for a password reset link."
)


def digest(secret: str) -> str:
    """The SHA-256 of a token, code or link secret: what the database keeps."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    """A fresh random secret for a cookie, invite code or reset link (256 bits)."""
    return secrets.token_urlsafe(32)


def normalise_email(email: str) -> str:
    """The e-mail as stored (trimmed, lower case); refused when it is not an address."""
    cleaned = email.strip().lower()
    if len(cleaned) > 254 or _EMAIL.fullmatch(cleaned) is None:
        raise UsageError(_("'{email}' is not an e-mail address.").format(email=email.strip()[:80]))
    return cleaned


def check_password(password: str) -> None:
    """Refuse a password too short (or absurdly long) to be a good one."""
    if len(password) < MIN_PASSWORD:
        raise UsageError(
            _("The password must have at least {count} characters.").format(count=MIN_PASSWORD)
        )
    if len(password) > MAX_PASSWORD:
        raise UsageError(
            _("The password may have at most {count} characters.").format(count=MAX_PASSWORD)
        )


def parse_role(role: str) -> Role:
    try:
        parsed = Role(role)
    except ValueError:
        parsed = Role.LOCAL
    if parsed not in ACCOUNT_ROLES:
        names = ", ".join(r.value for r in ACCOUNT_ROLES)
        raise UsageError(
            _("Unknown role '{role}': use one of {names}.").format(role=role, names=names)
        )
    return parsed


def add_account(db: Session, *, email: str, password: str, role: Role, now: datetime) -> User:
    """Add (flush, not commit) an account; refused when the e-mail is taken."""
    email = normalise_email(email)
    check_password(password)
    if db.scalar(select(User.id).where(User.email == email)) is not None:
        raise UsageError(_("There is already an account for {email}.").format(email=email))
    user = User(
        name=email,
        email=email,
        role=role,
        password_hash=_HASHER.hash(password),
        created_at=now,
    )
    db.add(user)
    try:
        with db.begin_nested():
            db.flush()
    except IntegrityError:  # created by someone else between the check and the insert
        raise UsageError(
            _("There is already an account for {email}.").format(email=email)
        ) from None
    return user


def create_user(db: Session, *, email: str, password: str, role: str, now: datetime) -> User:
    """A new account with ``role`` (admin, clinician or patient)."""
    user = add_account(db, email=email, password=password, role=parse_role(role), now=now)
    db.commit()
    logger.info("account created: %s (%s)", user.email, user.role.value)
    return user


def list_users(db: Session) -> list[User]:
    """Every account (not the local user), by role and e-mail."""
    return list(
        db.scalars(select(User).where(User.email.is_not(None)).order_by(User.role, User.email))
    )


def find_account(db: Session, email: str) -> User:
    """The account with this e-mail, or a plain error."""
    user = db.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise UsageError(_("There is no account for {email}.").format(email=email.strip()))
    return user


def require_admin(db: Session, *, user_id: int) -> User:
    """The admin with this id; anyone else is refused (403)."""
    user = db.get(User, user_id)
    if user is None or user.role is not Role.ADMIN or user.disabled_at is not None:
        raise NotAllowed(_("Only the clinic's administrators can manage accounts."))
    return user


def account_by_id(db: Session, *, user_id: int) -> User:
    """An account (not the local user) by id, or LookupError."""
    user = db.get(User, user_id)
    if user is None or user.email is None:
        raise LookupError(user_id)
    return user


def disable_user(db: Session, *, email: str, now: datetime) -> User:
    """Disable an account: it cannot sign in, and every session of it ends now."""
    user = find_account(db, email)
    if user.disabled_at is None:
        user.disabled_at = now
    db.execute(delete(AuthSession).where(AuthSession.user_id == user.id))
    db.commit()
    logger.info("account disabled: %s", user.email)
    return user


def _failures_since(db: Session, *, email: str, address: str, since: datetime) -> int:
    count = select(func.count()).select_from(LoginFailure).where(LoginFailure.at >= since)
    by_email = db.scalar(count.where(LoginFailure.email == email)) or 0
    by_address = db.scalar(count.where(LoginFailure.address == address)) or 0
    return max(by_email, by_address)


def sign_in(
    db: Session, *, email: str, password: str, address: str, now: datetime
) -> tuple[User, str]:
    """Check the password and start a session: ``(user, cookie token)``.

    Refused with ``NotSignedIn`` (wrong e-mail, password or a disabled account:
    the same words for all three) or, after ``MAX_FAILURES`` failures within
    ``FAILURE_WINDOW`` for this e-mail or this address, ``TooManyAttempts``.
    """
    key = email.strip().lower()[:254]
    address = address[:64]
    since = now - FAILURE_WINDOW
    if _failures_since(db, email=key, address=address, since=since) >= MAX_FAILURES:
        db.rollback()
        logger.warning("sign-in refused, too many failures: email=%s address=%s", key, address)
        raise TooManyAttempts(_(TOO_MANY))
    user = db.scalar(select(User).where(User.email == key))
    stored = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    try:
        _HASHER.verify(stored, password)
        valid = user is not None and user.disabled_at is None and stored is not _DUMMY_HASH
    except (VerificationError, InvalidHashError):
        valid = False
    if not valid or user is None:
        db.execute(insert(LoginFailure).values(email=key, address=address, at=now))
        db.execute(delete(LoginFailure).where(LoginFailure.at < since - FAILURE_WINDOW))
        db.commit()
        logger.info("sign-in failed: email=%s address=%s", key, address)
        raise NotSignedIn(_(WRONG_LOGIN))
    if _HASHER.check_needs_rehash(stored):
        user.password_hash = _HASHER.hash(password)
    token = start_session(db, user=user, address=address, now=now)
    db.commit()
    return user, token


def start_session(db: Session, *, user: User, address: str, now: datetime) -> str:
    """Add (not commit) a sign-in session for ``user``; the cookie's token."""
    token = new_secret()
    db.add(
        AuthSession(
            token_hash=digest(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + SESSION_IDLE,
            address=address[:64],
        )
    )
    return token


@dataclass(frozen=True)
class SignedIn:
    """Who a session cookie belongs to (what every request in clinic mode needs)."""

    user_id: int
    email: str
    role: Role
    #: The account's row as the look-up read it (detached from its session): the
    #: request's own session takes it over (``Session.merge(load=False)``) instead
    #: of reading it again.
    account: User | None = field(default=None, compare=False, repr=False)


def session_user(db: Session, *, token: str, now: datetime) -> SignedIn | None:
    """Who holds this session token; None when it is unknown, ended, expired or disabled.

    Extends the session (idle timeout) at most every ``SEEN_EVERY``.
    """
    if not token or len(token) > 128:
        return None
    row = db.execute(
        select(AuthSession.id, AuthSession.last_seen_at, User)
        .join(User, User.id == AuthSession.user_id)
        .where(
            AuthSession.token_hash == digest(token),
            AuthSession.expires_at > now,
            User.disabled_at.is_(None),
        )
    ).one_or_none()
    if row is None:
        return None
    session_id, last_seen, user = row
    if now - last_seen >= SEEN_EVERY:
        db.execute(
            update(AuthSession)
            .where(AuthSession.id == session_id)
            .values(last_seen_at=now, expires_at=now + SESSION_IDLE)
        )
        db.commit()
    return SignedIn(user_id=user.id, email=str(user.email), role=Role(user.role), account=user)


def sign_out(db: Session, *, token: str) -> None:
    """End this session (logout). Unknown tokens are no error."""
    db.execute(delete(AuthSession).where(AuthSession.token_hash == digest(token)))
    db.commit()


def sign_out_everywhere(db: Session, *, user_id: int) -> int:
    """End every session of this user; how many there were."""
    ended = db.execute(delete(AuthSession).where(AuthSession.user_id == user_id))
    db.commit()
    return int(getattr(ended, "rowcount", 0) or 0)


def issue_reset_link(db: Session, *, email: str, issued_by: int | None, now: datetime) -> str:
    """A one-time secret (for ``/reset/{secret}``) that sets a new password within 24 h.

    Issued by an administrator (``backcoach users reset-link``); earlier unused
    links for the account stop working.
    """
    user = find_account(db, email)
    db.execute(
        update(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == TokenPurpose.RESET,
            AccountToken.used_at.is_(None),
        )
        .values(used_at=now)
    )
    secret = new_secret()
    db.add(
        AccountToken(
            token_hash=digest(secret),
            purpose=TokenPurpose.RESET,
            issued_by=issued_by,
            user_id=user.id,
            created_at=now,
            expires_at=now + RESET_LIFETIME,
        )
    )
    db.commit()
    logger.info("password reset link issued for %s", user.email)
    return secret


def usable_token(
    db: Session, *, secret: str, purpose: TokenPurpose, now: datetime
) -> AccountToken | None:
    """The unused, unexpired token with this secret, locked until the commit (or None)."""
    if not secret or len(secret) > 128:
        return None
    return db.scalar(
        select(AccountToken)
        .where(
            AccountToken.token_hash == digest(secret),
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
            AccountToken.expires_at > now,
        )
        .with_for_update()
    )


LINK_GONE = N_(
    "This link has expired or was used already. Ask your clinic's administrator for a new one."
)


def reset_password(db: Session, *, secret: str, password: str, now: datetime) -> User:
    """Set a new password with a reset link; every session of the account ends."""
    check_password(password)
    token = usable_token(db, secret=secret, purpose=TokenPurpose.RESET, now=now)
    user = None if token is None or token.user_id is None else db.get(User, token.user_id)
    if token is None or user is None:
        db.rollback()
        raise UsageError(_(LINK_GONE))
    token.used_at = now
    user.password_hash = _HASHER.hash(password)
    db.execute(delete(AuthSession).where(AuthSession.user_id == user.id))
    db.commit()
    logger.info("password reset for %s", user.email)
    return user


def reset_link_valid(db: Session, *, secret: str, now: datetime) -> bool:
    """Whether a reset link can still be used (the page shows the form or says why not)."""
    found = usable_token(db, secret=secret, purpose=TokenPurpose.RESET, now=now) is not None
    db.rollback()
    return found
