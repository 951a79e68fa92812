//! The card vault: numbers sealed with AES-256-GCM under a key held as a Worker secret, and a
//! keyed fingerprint so the same card is recognisable without storing it in clear.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use shared::webhook::hmac_sha256;

pub struct Vault {
    cipher: Aes256Gcm,
    fingerprint_key: [u8; 32],
}

#[derive(Debug, PartialEq, Eq)]
pub enum VaultError {
    BadKey,
    Corrupt,
}

impl Vault {
    /// `key_hex` is 64 hex characters (32 bytes), e.g. from the `TESSERA_VAULT_KEY` secret.
    pub fn from_hex(key_hex: &str) -> Result<Vault, VaultError> {
        let key = decode_hex(key_hex.trim()).filter(|k| k.len() == 32).ok_or(VaultError::BadKey)?;
        let cipher = Aes256Gcm::new_from_slice(&key).map_err(|_| VaultError::BadKey)?;
        // A separate key for fingerprints, so the encryption key itself is never an HMAC key.
        let fingerprint_key = hmac_sha256(&key, &[b"tessera fingerprint key v1"]);
        Ok(Vault { cipher, fingerprint_key })
    }

    /// `nonce || ciphertext`; `aad` binds the ciphertext to its row (the payment method id).
    pub fn seal(&self, plaintext: &[u8], aad: &[u8], nonce: [u8; 12]) -> Vec<u8> {
        let payload = aes_gcm::aead::Payload { msg: plaintext, aad };
        // Encryption with a valid key and in-memory buffers cannot fail.
        let ciphertext = self.cipher.encrypt(Nonce::from_slice(&nonce), payload).unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ciphertext);
        out
    }

    pub fn open(&self, sealed: &[u8], aad: &[u8]) -> Result<Vec<u8>, VaultError> {
        if sealed.len() < 12 + 16 {
            return Err(VaultError::Corrupt);
        }
        let (nonce, ciphertext) = sealed.split_at(12);
        let payload = aes_gcm::aead::Payload { msg: ciphertext, aad };
        self.cipher.decrypt(Nonce::from_slice(nonce), payload).map_err(|_| VaultError::Corrupt)
    }

    /// Same card, same account → same fingerprint; 16 base62 characters like Stripe's.
    pub fn fingerprint(&self, pan: &str) -> String {
        shared::ids::random_suffix(&hmac_sha256(&self.fingerprint_key, &[pan.as_bytes()])[..16])
    }
}

pub fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    #[test]
    fn seal_open_round_trip_and_tamper() {
        let vault = Vault::from_hex(KEY).unwrap();
        let sealed = vault.seal(b"4242424242424242", b"pm_1", [7; 12]);
        assert!(!sealed.windows(16).any(|w| w == b"4242424242424242"));
        assert_eq!(vault.open(&sealed, b"pm_1").unwrap(), b"4242424242424242");
        assert_eq!(vault.open(&sealed, b"pm_2"), Err(VaultError::Corrupt));
        let mut bad = sealed.clone();
        bad[20] ^= 1;
        assert_eq!(vault.open(&bad, b"pm_1"), Err(VaultError::Corrupt));
        assert_eq!(vault.open(&[1, 2, 3], b"pm_1"), Err(VaultError::Corrupt));
    }

    #[test]
    fn fingerprints_are_stable_and_keyed() {
        let a = Vault::from_hex(KEY).unwrap();
        let b = Vault::from_hex(&KEY.replace("1f", "ff")).unwrap();
        assert_eq!(a.fingerprint("4242424242424242"), a.fingerprint("4242424242424242"));
        assert_ne!(a.fingerprint("4242424242424242"), a.fingerprint("5555555555554444"));
        assert_ne!(a.fingerprint("4242424242424242"), b.fingerprint("4242424242424242"));
        assert_eq!(a.fingerprint("4242424242424242").len(), 16);
        assert!(Vault::from_hex("abcd").is_err());
    }
}
