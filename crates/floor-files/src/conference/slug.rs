//! The room id of a programme's session, made from its uid.
//!
//! A room id is 1 to 63 characters of `a-z`, `0-9` and `-`, starting with
//! a letter or digit. [`room_id`] makes one from a session's uid by this
//! rule, which never changes, since importing a programme again finds its
//! rooms by these ids:
//!
//! 1. The uid, lowercased (ASCII), has every run of characters other than
//!    `a-z` and `0-9` replaced by one `-`, and the dashes at either end
//!    removed: `IGF2018-WS235@intgovforum.org` gives
//!    `igf2018-ws235-intgovforum-org`.
//! 2. That is the id, unless it is empty, longer than 63 characters, or
//!    the uid has a letter or digit outside ASCII (`Zürich` would read
//!    `z-rich`, which no one would recognise). Then the id is a readable
//!    prefix, a `-` and the first 8 hex digits of the SHA-256 of the uid
//!    (its UTF-8 bytes, exactly as written): the
//!    prefix is the slug of step 1 cut to its first 54 characters and
//!    stripped of dashes at its end, or `session` when that is empty.
//!    So `Zürich` gives `z-rich-` and 8 hex digits, and a 200-character
//!    uid its first 54 characters' slug, a dash and 8 hex digits.

use sha2::{Digest, Sha256};

/// The longest room id.
pub const MAX_ID_CHARS: usize = 63;

/// How many hex digits of the uid's SHA-256 a fallback id ends with.
const HASH_CHARS: usize = 8;

/// The prefix of a fallback id whose uid has no ASCII letter or digit.
const EMPTY_PREFIX: &str = "session";

/// The simple slug: lowercase ASCII letters and digits, each run of
/// anything else one dash, no dash at either end.
fn simple(uid: &str) -> String {
    let mut out = String::with_capacity(uid.len());
    let mut dash = false;
    for c in uid.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c);
        } else {
            dash = true;
        }
    }
    out
}

/// The room id for a session's uid, by the rule in this module's
/// documentation.
///
/// ```
/// use floor_files::conference::slug::room_id;
/// assert_eq!(room_id("IGF2018-WS235@intgovforum.org"), "igf2018-ws235-intgovforum-org");
/// assert_eq!(room_id("6f1f5d4e-0b1c-4c3f-9b1e-2a7d8c9e0f11"), "6f1f5d4e-0b1c-4c3f-9b1e-2a7d8c9e0f11");
/// ```
pub fn room_id(uid: &str) -> String {
    let slug = simple(uid);
    let unrecognisable = uid.chars().any(|c| !c.is_ascii() && c.is_alphanumeric());
    if !slug.is_empty() && slug.len() <= MAX_ID_CHARS && !unrecognisable {
        return slug;
    }
    let hash = hex::encode(Sha256::digest(uid.as_bytes()));
    let keep = MAX_ID_CHARS - 1 - HASH_CHARS;
    // The slug is ASCII, so a byte index is a character index.
    let prefix = slug[..slug.len().min(keep)].trim_end_matches('-');
    let prefix = if prefix.is_empty() {
        EMPTY_PREFIX
    } else {
        prefix
    };
    format!("{prefix}-{}", &hash[..HASH_CHARS])
}

/// Whether a text is a room id: 1 to 63 characters of `a-z`, `0-9` and
/// `-`, starting with a letter or digit.
pub fn is_room_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_CHARS
        && !id.starts_with('-')
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readable_uids_keep_their_words() {
        let cases = [
            (
                "IGF2018-WS235@intgovforum.org",
                "igf2018-ws235-intgovforum-org",
            ),
            ("WS235", "ws235"),
            ("  --Open  Forum #12--  ", "open-forum-12"),
            ("123", "123"),
            ("a__b..c", "a-b-c"),
        ];
        for (uid, id) in cases {
            assert_eq!(room_id(uid), id, "{uid:?}");
            assert!(is_room_id(id));
        }
    }

    #[test]
    fn the_fallback_is_a_prefix_and_eight_hex_digits_of_the_sha256() {
        // sha256("Zürich") computed independently: `printf 'Zürich' | sha256sum`.
        let id = room_id("Zürich");
        assert!(id.starts_with("z-rich-"), "{id}");
        assert_eq!(id.len(), "z-rich-".len() + 8);
        assert_eq!(id, "z-rich-4251685e");
        assert_eq!(
            room_id("@@@"),
            format!("session-{}", &hex::encode(Sha256::digest(b"@@@"))[..8])
        );
        assert_eq!(
            room_id(""),
            format!("session-{}", &hex::encode(Sha256::digest(b""))[..8])
        );
        assert_eq!(
            room_id("日本語"),
            format!(
                "session-{}",
                &hex::encode(Sha256::digest("日本語".as_bytes()))[..8]
            )
        );
    }

    #[test]
    fn a_200_character_uid_is_cut_and_hashed() {
        let uid = format!("IGF2018-{}@intgovforum.org", "x".repeat(200 - 24));
        assert_eq!(uid.chars().count(), 200);
        let id = room_id(&uid);
        assert!(is_room_id(&id), "{id}");
        assert_eq!(id.len(), MAX_ID_CHARS);
        assert!(id.starts_with("igf2018-xxxx"), "{id}");
        let tail = &id[id.len() - 9..];
        assert!(tail.starts_with('-'));
        assert!(tail[1..].bytes().all(|b| b.is_ascii_hexdigit()));
        // Stable: the same uid, the same id; another uid with the same
        // prefix, another id.
        assert_eq!(room_id(&uid), id);
        let other = format!("{uid}2");
        assert_ne!(room_id(&other), id);
        assert_eq!(room_id(&other)[..54], id[..54]);
    }

    #[test]
    fn a_cut_never_ends_the_prefix_with_a_dash() {
        // 53 letters then a dash at the cut.
        let uid = format!("{}-{}", "a".repeat(53), "b".repeat(20));
        let id = room_id(&uid);
        assert!(is_room_id(&id), "{id}");
        assert!(!id.contains("--"), "{id}");
        assert_eq!(id.len(), 53 + 1 + 8);
    }

    #[test]
    fn ids_are_checked() {
        assert!(!is_room_id(""));
        assert!(!is_room_id("-a"));
        assert!(!is_room_id("A"));
        assert!(!is_room_id(&"a".repeat(64)));
        assert!(is_room_id(&"a".repeat(63)));
    }
}
