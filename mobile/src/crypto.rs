//! Encryption at rest: a random data key, wrapped by a key derived from the worker's PIN.
//!
//! The scheme:
//! - A random 256-bit **data key** seals every value the store keeps, with XChaCha20-Poly1305
//!   and a fresh random 192-bit nonce per write (random nonces are safe at this size).
//! - The data key is never written down in the clear. It is **wrapped** (sealed) by a key
//!   derived from the PIN with argon2id and a random salt kept beside it. Without the PIN the
//!   wrapped key is useless; changing the PIN re-wraps the same data key, so no record needs
//!   re-encrypting.
//! - Each sealed value is bound to where it lives (the store passes its tree and key as
//!   associated data), so a value copied to another key fails to open instead of being read
//!   as something else.
//!
//! **Limit, stated plainly:** a PIN has little entropy. Someone who copies the store's files can
//! try PINs offline at argon2's cost per guess; the five-wrong-PINs wipe only stops guessing
//! through the app. On a phone, the next step is to mix in a secret held by the platform
//! keystore (Android Keystore, iOS Keychain), which is not done here.

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use rand::rngs::OsRng;
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

/// Bytes in a key (data key and PIN-derived key).
pub const KEY_LEN: usize = 32;
/// Bytes in an XChaCha20-Poly1305 nonce.
pub const NONCE_LEN: usize = 24;
/// Bytes in the random salt for argon2id.
pub const SALT_LEN: usize = 16;

/// Why something could not be opened.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    /// The sealed bytes did not open with this key: a wrong PIN (for the wrapped key) or
    /// tampered or misplaced data (for a value).
    #[error("the data could not be decrypted (wrong key or damaged data)")]
    Open,
    /// The key-derivation settings stored on the device are not usable.
    #[error("the stored key-derivation settings are not usable: {0}")]
    Kdf(String),
}

/// The argon2id cost settings, stored with the salt so that they can be raised later without
/// locking out existing devices.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory cost in KiB.
    pub memory_kib: u32,
    /// Number of passes.
    pub iterations: u32,
    /// Degree of parallelism.
    pub parallelism: u32,
}

impl Default for KdfParams {
    /// OWASP's minimum for argon2id (19 MiB, 2 passes, 1 lane): about 50 ms here, bearable on
    /// a phone each time the worker unlocks.
    fn default() -> Self {
        Self { memory_kib: 19 * 1024, iterations: 2, parallelism: 1 }
    }
}

/// A 256-bit secret key that is wiped from memory when dropped.
#[derive(Clone)]
pub struct SecretKey(Zeroizing<[u8; KEY_LEN]>);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

impl SecretKey {
    /// A new random key from the operating system's generator.
    pub fn random() -> Self {
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        OsRng.fill_bytes(bytes.as_mut());
        Self(bytes)
    }

    /// Derives the key-wrapping key from a PIN with argon2id.
    pub fn from_pin(pin: &str, salt: &[u8; SALT_LEN], params: KdfParams) -> Result<Self, CryptoError> {
        let argon_params =
            Params::new(params.memory_kib, params.iterations, params.parallelism, Some(KEY_LEN))
                .map_err(|e| CryptoError::Kdf(e.to_string()))?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, argon_params);
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        argon
            .hash_password_into(pin.as_bytes(), salt, bytes.as_mut())
            .map_err(|e| CryptoError::Kdf(e.to_string()))?;
        Ok(Self(bytes))
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(self.0.as_ref().into())
    }

    /// Seals `plaintext`, bound to `context` (associated data: where the value lives). The
    /// result is the random nonce followed by the ciphertext and its tag.
    pub fn seal(&self, plaintext: &[u8], context: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        OsRng.fill_bytes(&mut nonce);
        let ciphertext = self
            .cipher()
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: plaintext, aad: context })
            // Encryption only fails for messages longer than about 256 GiB.
            .expect("XChaCha20-Poly1305 encrypts any message that fits in memory");
        let mut sealed = Vec::with_capacity(NONCE_LEN + ciphertext.len());
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(&ciphertext);
        sealed
    }

    /// Opens what [`SecretKey::seal`] made with the same key and context.
    pub fn open(&self, sealed: &[u8], context: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        if sealed.len() < NONCE_LEN {
            return Err(CryptoError::Open);
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        self.cipher()
            .decrypt(XNonce::from_slice(nonce), Payload { msg: ciphertext, aad: context })
            .map(Zeroizing::new)
            .map_err(|_| CryptoError::Open)
    }

    /// Wraps (seals) another key with this one, for storing.
    pub fn wrap(&self, key: &SecretKey) -> Vec<u8> {
        self.seal(key.0.as_ref(), WRAP_CONTEXT)
    }

    /// Unwraps a key sealed by [`SecretKey::wrap`]. Fails with [`CryptoError::Open`] when this
    /// key is not the one that wrapped it (a wrong PIN).
    pub fn unwrap_key(&self, wrapped: &[u8]) -> Result<SecretKey, CryptoError> {
        let mut opened = self.open(wrapped, WRAP_CONTEXT)?;
        if opened.len() != KEY_LEN {
            opened.zeroize();
            return Err(CryptoError::Open);
        }
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        bytes.copy_from_slice(&opened);
        Ok(Self(bytes))
    }
}

/// Associated data for a wrapped data key, so it can never be confused with a stored value.
const WRAP_CONTEXT: &[u8] = b"seen-and-heard/wrapped-data-key/v1";

/// A new random salt for argon2id.
pub fn random_salt() -> [u8; SALT_LEN] {
    let mut salt = [0u8; SALT_LEN];
    OsRng.fill_bytes(&mut salt);
    salt
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quick() -> KdfParams {
        KdfParams { memory_kib: 1024, iterations: 1, parallelism: 1 }
    }

    #[test]
    fn sealed_values_open_only_with_the_same_key_and_context() {
        let key = SecretKey::random();
        let sealed = key.seal(b"the child said hello", b"visits/1");
        assert!(!sealed.windows(5).any(|w| w == b"hello"), "ciphertext must not contain the words");
        assert_eq!(key.open(&sealed, b"visits/1").unwrap().as_slice(), b"the child said hello");
        assert_eq!(key.open(&sealed, b"visits/2").unwrap_err(), CryptoError::Open);
        assert_eq!(SecretKey::random().open(&sealed, b"visits/1").unwrap_err(), CryptoError::Open);
    }

    #[test]
    fn the_same_value_sealed_twice_looks_different() {
        let key = SecretKey::random();
        assert_ne!(key.seal(b"same", b""), key.seal(b"same", b""));
    }

    #[test]
    fn a_wrapped_key_opens_with_the_right_pin_only() {
        let salt = random_salt();
        let data_key = SecretKey::random();
        let wrapped = SecretKey::from_pin("2468", &salt, quick()).unwrap().wrap(&data_key);
        let unwrapped = SecretKey::from_pin("2468", &salt, quick()).unwrap().unwrap_key(&wrapped).unwrap();
        let sealed = data_key.seal(b"x", b"c");
        assert_eq!(unwrapped.open(&sealed, b"c").unwrap().as_slice(), b"x");
        let wrong = SecretKey::from_pin("1357", &salt, quick()).unwrap();
        assert_eq!(wrong.unwrap_key(&wrapped).unwrap_err(), CryptoError::Open);
    }

    #[test]
    fn debug_never_prints_key_bytes() {
        assert_eq!(format!("{:?}", SecretKey::random()), "SecretKey(<redacted>)");
    }
}
