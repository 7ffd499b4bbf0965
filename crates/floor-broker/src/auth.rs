//! Secrets: role tokens, the admin token, and client keys.
//!
//! Tokens are 128 random bits written as 32 lowercase hex characters. The
//! broker keeps only their SHA-256 hashes and compares hashes in constant
//! time. Tokens are never logged.

use floor_protocol::{ClientKey, Role};
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// SHA-256 of a token.
pub type TokenHash = [u8; 32];

/// A fresh random token (128 bits, hex).
pub fn new_token() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The hash the broker stores for a token.
pub fn hash_token(token: &str) -> TokenHash {
    Sha256::digest(token.as_bytes()).into()
}

/// Whether `token` hashes to `hash`, in constant time.
pub fn token_matches(token: &str, hash: &TokenHash) -> bool {
    bool::from(hash_token(token).ct_eq(hash))
}

/// The client id the broker issues its own commands with (the demo's run
/// of show, attendance records); no connection may use it.
pub const BROKER_CLIENT_ID: &str = "floor-broker";

/// The key events use for a client: lowercase hex of the first 16 bytes
/// of SHA-256 of the client id.
pub fn client_key(client_id: &str) -> ClientKey {
    let digest = Sha256::digest(client_id.as_bytes());
    ClientKey::new(hex::encode(&digest[..16]))
}

/// The token hashes of a room, one per role, and the participant token
/// itself when the store holds it (the one token kept whole: the
/// projector shows the participant link to the hall, and `/join` hands it
/// to whoever types the room's join code, see [`crate::join`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleTokens {
    hashes: Vec<(Role, TokenHash)>,
    participant: Option<String>,
}

impl RoleTokens {
    /// From (role, hash) pairs, without the participant token.
    pub fn new(hashes: Vec<(Role, TokenHash)>) -> Self {
        RoleTokens {
            hashes,
            participant: None,
        }
    }

    /// These hashes with the participant token `plain` (which must be
    /// the one whose hash they hold; one that is not is dropped).
    pub fn with_participant(mut self, plain: Option<String>) -> Self {
        self.participant = plain.filter(|token| self.role_of(token) == Some(Role::Participant));
        self
    }

    /// The participant token, when the store holds it.
    pub fn participant(&self) -> Option<&str> {
        self.participant.as_deref()
    }

    /// Fresh tokens for every role: the plain tokens (to hand out once)
    /// and their hashes (to keep).
    pub fn generate() -> (Vec<(Role, String)>, RoleTokens) {
        RoleTokens::from_plain(Role::ALL.iter().map(|&r| (r, new_token())).collect())
    }

    /// The given plain tokens, and their hashes.
    pub fn from_plain(plain: Vec<(Role, String)>) -> (Vec<(Role, String)>, RoleTokens) {
        let hashes = plain.iter().map(|(r, t)| (*r, hash_token(t))).collect();
        let participant = plain
            .iter()
            .find(|(role, _)| *role == Role::Participant)
            .map(|(_, token)| token.clone());
        (
            plain,
            RoleTokens {
                hashes,
                participant,
            },
        )
    }

    /// The role a token grants. Every role's hash is compared, whatever
    /// matches, so the time taken does not tell which role was close.
    pub fn role_of(&self, token: &str) -> Option<Role> {
        self.role_of_hash(&hash_token(token))
    }

    /// Replaces one role's hash (a new participant hash forgets the
    /// participant token: [`RoleTokens::with_participant`] sets the new one).
    pub fn set(&mut self, role: Role, hash: TokenHash) {
        if role == Role::Participant {
            self.participant = None;
        }
        match self.hashes.iter_mut().find(|(r, _)| *r == role) {
            Some(slot) => slot.1 = hash,
            None => self.hashes.push((role, hash)),
        }
    }

    /// The (role, hash) pairs.
    pub fn hashes(&self) -> &[(Role, TokenHash)] {
        &self.hashes
    }
}

impl RoleTokens {
    /// The role whose current token has this hash.
    pub fn role_of_hash(&self, presented: &TokenHash) -> Option<Role> {
        let mut found = None;
        for (role, hash) in &self.hashes {
            if bool::from(presented.ct_eq(hash)) {
                found = Some(*role);
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_opens_exactly_its_role() {
        let (plain, tokens) = RoleTokens::generate();
        for (role, token) in &plain {
            assert_eq!(tokens.role_of(token), Some(*role));
        }
        assert_eq!(tokens.role_of("not a token"), None);
        assert_eq!(new_token().len(), 32);
    }

    #[test]
    fn client_keys_are_stable_and_opaque() {
        assert_eq!(client_key("abc"), client_key("abc"));
        assert_ne!(client_key("abc"), client_key("abd"));
        assert_eq!(client_key("abc").as_str().len(), 32);
    }
}
