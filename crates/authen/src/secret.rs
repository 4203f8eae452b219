//! Encryption at rest for a credential secret (the NHSO token or password).
//!
//! Format: base64 (standard, padded) of `nonce (12 bytes) || ciphertext+tag`, ChaCha20-Poly1305.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use chacha20poly1305::aead::{Aead, Generate, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use thiserror::Error;

const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

/// Errors from key parsing and `open`. Never contains key material or plaintext.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SecretError {
    #[error("encryption key setting is empty")]
    EmptyKey,
    #[error(
        "encryption key must be 64 hex characters or base64 of 32 bytes (got {got} characters)"
    )]
    BadKeyFormat { got: usize },
    #[error("encryption key must be 32 bytes (got {got} bytes)")]
    BadKeyLength { got: usize },
    #[error("sealed value is not valid base64 or is too short")]
    Malformed,
    #[error("sealed value could not be decrypted (wrong key or tampered)")]
    Decrypt,
    #[error("decrypted value is not valid UTF-8")]
    NotUtf8,
}

/// Parses the key setting: 64 hex characters, or base64 (padded or not) of exactly 32 bytes.
pub fn key_from_setting(s: &str) -> Result<[u8; 32], SecretError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(SecretError::EmptyKey);
    }
    // Hex first: a 64-character hex string is also valid base64 (of 48 bytes).
    if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
        let mut key = [0u8; 32];
        for (i, pair) in s.as_bytes().chunks_exact(2).enumerate() {
            key[i] = (hex_val(pair[0]) << 4) | hex_val(pair[1]);
        }
        return Ok(key);
    }
    let bytes = STANDARD
        .decode(s)
        .or_else(|_| STANDARD_NO_PAD.decode(s))
        .map_err(|_| SecretError::BadKeyFormat {
            got: s.chars().count(),
        })?;
    <[u8; 32]>::try_from(bytes.as_slice())
        .map_err(|_| SecretError::BadKeyLength { got: bytes.len() })
}

fn hex_val(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        b'A'..=b'F' => b - b'A' + 10,
        _ => 0, // unreachable: caller checked is_ascii_hexdigit
    }
}

/// Encrypts `plaintext` with a fresh random nonce.
///
/// # Panics
/// Only if the operating system's random generator fails, in which case no secure nonce exists.
pub fn seal(key: &[u8; 32], plaintext: &str) -> String {
    let cipher = ChaCha20Poly1305::new(&Key::from(*key));
    let nonce = Nonce::generate();
    // Encryption can only fail for inputs beyond ~256 GiB; a secret is tiny.
    let ciphertext = cipher
        .encrypt(&nonce, plaintext.as_bytes())
        .expect("ChaCha20-Poly1305 encryption of a small buffer cannot fail");
    let mut out = Vec::with_capacity(NONCE_LEN + ciphertext.len());
    out.extend_from_slice(nonce.as_slice());
    out.extend_from_slice(&ciphertext);
    STANDARD.encode(out)
}

/// Decrypts a value made by [`seal`]. Fails on a wrong key or any modification.
pub fn open(key: &[u8; 32], sealed: &str) -> Result<String, SecretError> {
    let raw = STANDARD
        .decode(sealed.trim())
        .map_err(|_| SecretError::Malformed)?;
    if raw.len() < NONCE_LEN + TAG_LEN {
        return Err(SecretError::Malformed);
    }
    let (nonce, ciphertext) = raw.split_at(NONCE_LEN);
    let nonce = Nonce::try_from(nonce).map_err(|_| SecretError::Malformed)?;
    let cipher = ChaCha20Poly1305::new(&Key::from(*key));
    let plain = cipher
        .decrypt(&nonce, ciphertext)
        .map_err(|_| SecretError::Decrypt)?;
    String::from_utf8(plain).map_err(|_| SecretError::NotUtf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; 32] = [7u8; 32];

    #[test]
    fn round_trip_and_random_nonce() {
        let a = seal(&KEY, "รหัสผ่าน-token-123");
        let b = seal(&KEY, "รหัสผ่าน-token-123");
        assert_ne!(a, b, "nonce must be random");
        assert!(!a.contains("token"));
        assert_eq!(open(&KEY, &a).as_deref(), Ok("รหัสผ่าน-token-123"));
        assert_eq!(open(&KEY, &seal(&KEY, "")).as_deref(), Ok(""));
    }

    #[test]
    fn tamper_and_wrong_key_fail() {
        let sealed = seal(&KEY, "secret");
        let mut raw = STANDARD.decode(&sealed).expect("base64");
        for i in [0, NONCE_LEN, raw.len() - 1] {
            raw[i] ^= 1;
            assert_eq!(
                open(&KEY, &STANDARD.encode(&raw)),
                Err(SecretError::Decrypt)
            );
            raw[i] ^= 1;
        }
        assert_eq!(open(&[8u8; 32], &sealed), Err(SecretError::Decrypt));
        assert_eq!(open(&KEY, "not base64 !!"), Err(SecretError::Malformed));
        assert_eq!(
            open(&KEY, &STANDARD.encode([0u8; 20])),
            Err(SecretError::Malformed)
        );
        // Truncated: still base64, but the tag no longer verifies.
        assert_eq!(
            open(&KEY, &sealed[..sealed.len() - 8]),
            Err(SecretError::Decrypt)
        );
    }

    #[test]
    fn key_parsing() {
        let hex = "000102030405060708090a0b0c0d0e0f101112131415161718191A1B1C1D1E1F";
        let key = key_from_setting(hex).expect("hex key");
        assert_eq!(key[0], 0);
        assert_eq!(key[10], 10);
        assert_eq!(key[31], 31);
        let b64 = STANDARD.encode(key);
        assert_eq!(key_from_setting(&b64), Ok(key));
        assert_eq!(key_from_setting(&format!("  {b64}\n")), Ok(key));
        assert_eq!(key_from_setting(b64.trim_end_matches('=')), Ok(key));

        assert_eq!(key_from_setting(" "), Err(SecretError::EmptyKey));
        assert_eq!(
            key_from_setting(&STANDARD.encode([1u8; 16])),
            Err(SecretError::BadKeyLength { got: 16 })
        );
        assert_eq!(
            key_from_setting("zz-not-a-key!"),
            Err(SecretError::BadKeyFormat { got: 13 })
        );
        // 63 hex chars is neither a hex key nor valid base64.
        assert!(key_from_setting(&hex[..63]).is_err());
        let msg = key_from_setting("zz-not-a-key!").unwrap_err().to_string();
        assert!(!msg.contains("zz-not"), "error must not echo the key");
    }
}
