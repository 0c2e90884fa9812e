//! Authentication: passwords, access tokens, refresh tokens, and the signed-in caller.
//!
//! - **Passwords** are argon2id PHC strings. Sign-in failures are rate-limited per account and
//!   per address ([`LoginLimiter`]).
//! - **Access tokens** are HS256 JWTs living at most 15 minutes. [`Keys::validation`] is built
//!   explicitly: the algorithm is pinned, `exp`, `iss`, `aud` and `sub` are required and checked,
//!   and the `typ` claim must be `access`. A correctly signed token is still refused when it
//!   claims to live longer than the configured lifetime (`exp - iat`), when it was issued in the
//!   future, or when its session version (`sv`) is not the device's current one: signing out,
//!   signing in again, a password change and a reused refresh token each end the device's
//!   session, and its access tokens with it, at once.
//! - **Clock leeway** is [`LEEWAY_SECS`] (5 seconds), for `exp` and `iat` alike. Tokens are
//!   issued and checked by the same server, so the leeway only absorbs the time a request takes
//!   in flight; it is kept small on purpose.
//! - **Refresh tokens** are opaque random strings, stored only as SHA-256 hashes on the device
//!   record, and rotated on every use. Presenting a token already rotated away means it leaked:
//!   the device's chain is revoked. An access token is not a refresh token (it never matches a
//!   stored hash) and a refresh token is not an access token (it is not a JWT).
//! - **Remote wipe:** a revoked device gets [`ApiError::Wipe`] (410) on every request.
//!
//! [`Caller`] is the extractor every protected handler takes.

use std::net::SocketAddr;
use std::time::Duration;

use argon2::password_hash::SaltString;
use argon2::password_hash::rand_core::OsRng;
use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use base64::Engine;
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use shared::{DeviceId, Role, Worker, WorkerId};

use crate::AppState;
use crate::error::ApiError;
use crate::store::{LoginAttempt, Store};

/// The `iss` claim of every token this server issues.
pub const ISSUER: &str = "seen-and-heard";
/// The `aud` claim of every access token.
pub const AUDIENCE: &str = "seen-and-heard-api";
/// The `typ` claim of an access token.
pub const ACCESS_TYPE: &str = "access";
/// The longest an access token may live.
pub const MAX_ACCESS_TTL: Duration = Duration::from_secs(15 * 60);
/// How far, in seconds, a token's `exp` may have passed (or its `iat` lie ahead) and the token
/// still be taken: a few seconds for requests in flight, never minutes.
pub const LEEWAY_SECS: u64 = 5;

/// The claims of an access token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The worker (`WorkerId` as a string).
    pub sub: String,
    /// Their role when the token was issued (the account's current role is what counts).
    pub role: Role,
    /// The device the token was issued to.
    pub did: DeviceId,
    /// Always [`ISSUER`].
    pub iss: String,
    /// Always [`AUDIENCE`].
    pub aud: String,
    /// Expiry, seconds since the epoch.
    pub exp: u64,
    /// Issued at, seconds since the epoch.
    pub iat: u64,
    /// Always [`ACCESS_TYPE`] for access tokens.
    pub typ: String,
    /// The device's session version when the token was issued. A token whose version is not
    /// the device's current one is refused: the session it belonged to has ended.
    pub sv: u64,
}

/// The signing keys and the validation rules, held in the app state (never in globals).
#[derive(Clone)]
pub struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    access_ttl: Duration,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys").field("secret", &"<redacted>").field("access_ttl", &self.access_ttl).finish()
    }
}

impl Keys {
    /// Keys from a secret of at least 32 bytes. `access_ttl` is capped at 15 minutes.
    pub fn new(secret: &[u8], access_ttl: Duration) -> Keys {
        Keys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation: Keys::validation(),
            access_ttl: access_ttl.min(MAX_ACCESS_TTL),
        }
    }

    /// The validation rules, built explicitly rather than from `Validation::default()`.
    pub fn validation() -> Validation {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.validate_exp = true;
        validation.validate_nbf = false;
        validation.leeway = LEEWAY_SECS;
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation
    }

    /// How long access tokens live.
    pub fn access_ttl(&self) -> Duration {
        self.access_ttl
    }

    /// Issues an access token for a worker on a device, in the device's current session.
    pub fn issue_access(
        &self,
        worker: &Worker,
        device: DeviceId,
        session: u64,
        now: DateTime<Utc>,
    ) -> Result<(String, DateTime<Utc>), ApiError> {
        let ttl = chrono::Duration::from_std(self.access_ttl).map_err(ApiError::internal)?;
        let expires = now + ttl;
        let claims = Claims {
            sub: worker.id.to_string(),
            role: worker.role,
            did: device,
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            exp: u64::try_from(expires.timestamp()).unwrap_or(0),
            iat: u64::try_from(now.timestamp()).unwrap_or(0),
            typ: ACCESS_TYPE.to_owned(),
            sv: session,
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(ApiError::internal)?;
        Ok((token, expires))
    }

    /// Signs arbitrary claims with this server's key. Only for tests that need a token the
    /// server would never issue (expired, wrong audience…).
    pub fn sign_for_tests<T: Serialize>(&self, claims: &T) -> String {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding).unwrap_or_default()
    }

    /// Checks an access token's signature and claims, against the real clock, and returns the
    /// claims. The caller still checks the account, the device and the session version.
    pub fn verify_access(&self, token: &str) -> Result<Claims, ApiError> {
        self.verify_access_at(token, Utc::now())
    }

    /// [`Keys::verify_access`] at a given time (`exp` itself is checked by `jsonwebtoken`
    /// against the real clock).
    pub fn verify_access_at(&self, token: &str, now: DateTime<Utc>) -> Result<Claims, ApiError> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|_| ApiError::Unauthorized("The access token is not valid. Sign in again."))?;
        let claims = data.claims;
        if claims.typ != ACCESS_TYPE {
            return Err(ApiError::Unauthorized("This is not an access token."));
        }
        // A token this server issued lives exactly the configured lifetime. One claiming longer
        // was not issued under these settings (or the key leaked): signed or not, refuse it.
        let lifetime = claims.exp.checked_sub(claims.iat);
        if lifetime.is_none_or(|secs| secs > self.access_ttl.as_secs()) {
            return Err(ApiError::Unauthorized("The access token is not valid. Sign in again."));
        }
        let now_secs = u64::try_from(now.timestamp()).unwrap_or(0);
        if claims.iat > now_secs.saturating_add(LEEWAY_SECS) {
            return Err(ApiError::Unauthorized("The access token is not valid. Sign in again."));
        }
        Ok(claims)
    }
}

/// A new refresh token and the hash to store.
pub fn new_refresh_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_refresh_token(&token);
    (token, hash)
}

/// The stored form of a refresh token.
pub fn hash_refresh_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A random secret for signing tokens.
pub fn new_secret() -> Vec<u8> {
    let mut bytes = vec![0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes
}

/// Hashes a password with argon2id. CPU-heavy: call from `spawn_blocking`.
pub fn hash_password(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(ApiError::internal)
}

/// Checks a password against a stored hash. When there is no hash (an unknown user, or a worker
/// who cannot sign in) a dummy hash is checked anyway, so the answer takes as long either way.
pub fn verify_password(password: &str, hash: Option<&str>) -> bool {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password("not a real password at all").unwrap_or_default());
    let (candidate, real) = match hash {
        Some(hash) => (hash, true),
        None => (dummy.as_str(), false),
    };
    let Ok(parsed) = PasswordHash::new(candidate) else { return false };
    Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok() && real
}

/// The rule a new password must meet.
pub fn check_new_password(field: &str, password: &str) -> Result<(), ApiError> {
    if password.chars().count() < 12 {
        return Err(ApiError::bad_field(field, "A password needs at least 12 characters."));
    }
    if password.len() > 1024 {
        return Err(ApiError::bad_field(field, "A password can be at most 1024 bytes."));
    }
    Ok(())
}

/// Counts failed sign-ins per key (an account or an address) within a sliding window. The
/// failures are kept in the store, so every server process sharing it counts them together and
/// a restart forgets none. Times are real time (a security clock), never the business clock.
#[derive(Debug)]
pub struct LoginLimiter {
    max_failures: usize,
    window: Duration,
}

impl LoginLimiter {
    /// A limiter allowing `max_failures` failures per key per `window`.
    pub fn new(max_failures: usize, window: Duration) -> LoginLimiter {
        LoginLimiter { max_failures, window }
    }

    fn window(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.window).unwrap_or(chrono::Duration::MAX)
    }

    /// Takes one attempt against every key before the password is checked, or refuses when any
    /// key has reached its limit, saying how long to wait. The attempt counts as a failure until
    /// [`LoginLimiter::succeeded`] gives it back: taken in one step across every server process,
    /// so guesses sent all at once are counted as they arrive, not after each is checked.
    pub async fn take(&self, store: &dyn Store, keys: &[String]) -> Result<LoginAttempt, ApiError> {
        let now = Utc::now();
        match store.take_login_attempt(keys, now, now - self.window(), self.max_failures).await? {
            LoginAttempt::Refused { oldest_counted } => {
                let wait = (self.window() - (now - oldest_counted)).max(chrono::Duration::zero());
                Err(ApiError::TooManyAttempts { retry_after_secs: wait.num_seconds().max(1).unsigned_abs() })
            }
            taken => Ok(taken),
        }
    }

    /// The password was right: the attempt was no failure, and the account's failures are
    /// forgotten (`account_key`; an address keeps its count).
    pub async fn succeeded(
        &self,
        store: &dyn Store,
        attempt: LoginAttempt,
        account_key: &str,
    ) -> Result<(), ApiError> {
        store.give_back_login_attempt(attempt).await?;
        store.clear_login_failures(account_key).await?;
        Ok(())
    }
}

/// The keys a sign-in attempt is limited by.
pub fn limiter_keys(username: &str, address: Option<SocketAddr>) -> Vec<String> {
    let mut keys = vec![format!("account:{}", username.trim().to_lowercase())];
    if let Some(address) = address {
        keys.push(format!("address:{}", address.ip()));
    }
    keys
}

/// The client's address, when the server was started with connection info.
pub fn client_address(parts: &Parts) -> Option<SocketAddr> {
    parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0)
}

/// The signed-in worker making a request, on a device that is registered and not revoked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// The worker, with their current role and team.
    pub worker: Worker,
    /// The device the token was issued to.
    pub device_id: DeviceId,
}

impl Caller {
    /// The caller as the sync rules see them.
    pub fn syncer(&self) -> crate::sync::Syncer<'_> {
        crate::sync::Syncer { worker: &self.worker, device_id: self.device_id }
    }

    /// The worker's id.
    pub fn id(&self) -> WorkerId {
        self.worker.id
    }

    /// The worker's role.
    pub fn role(&self) -> Role {
        self.worker.role
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(ApiError::Unauthorized("Sign in: this needs an access token."))?;
        let claims = state.keys().verify_access(token.trim())?;
        let worker_id: WorkerId =
            claims.sub.parse().map_err(|_| ApiError::Unauthorized("The access token is not valid."))?;
        let store = state.store();
        let account = store
            .account(worker_id)
            .await?
            .filter(|a| !a.disabled)
            .ok_or(ApiError::Unauthorized("The account is not active."))?;
        if i64::try_from(claims.iat).unwrap_or(i64::MAX) < account.password_changed_at.timestamp() {
            return Err(ApiError::Unauthorized("The password changed. Sign in again."));
        }
        let device = store
            .device(claims.did)
            .await?
            .filter(|d| d.worker_id == worker_id)
            .ok_or(ApiError::Unauthorized("The device is not registered."))?;
        if device.revoked_at.is_some() {
            return Err(ApiError::Wipe);
        }
        if claims.sv != device.session {
            return Err(ApiError::Unauthorized("This sign-in has ended. Sign in again."));
        }
        tracing::Span::current().record("worker.id", tracing::field::display(worker_id));
        Ok(Caller { worker: account.worker, device_id: device.id })
    }
}

/// The client's address, when known (the server runs with connection info; in-process tests
/// do not).
#[derive(Clone, Copy, Debug)]
pub struct ClientAddr(pub Option<SocketAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(client_address(parts)))
    }
}
