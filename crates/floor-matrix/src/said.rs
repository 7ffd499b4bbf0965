//! What a person said to the bridge in the Matrix room: a message read
//! into a [`Said`], and the request id a hand's command carries.
//!
//! - `!hand`, alone or followed by a question, raises a hand;
//! - `!lower` lowers it;
//! - anything else is conversation, and the bridge leaves it alone.
//!
//! The commands are recognised at the start of the message, in any case
//! (`!Hand`, `!HAND`), and only as whole words (`!handy` is conversation).
//! A question that says "read aloud" anywhere (or the bridge's language's
//! words for it: "voix haute", "вслух"...) is read out by the online
//! moderator instead of spoken over the call.

use floor_files::Lang;
use floor_protocol::limits::{NAME_MAX, REQUEST_ID_MAX, TEXT_MAX};
use sha2::{Digest, Sha256};

use crate::notice;

/// The reaction on the bridge's pinned message that raises a hand.
pub const HAND_REACTION: &str = "✋";

/// What a message asks of the bridge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Said {
    /// `!hand`, with the question that followed it, if any.
    Hand {
        /// The question, trimmed and cut to the protocol's length.
        question: Option<String>,
        /// Whether the person asked for the question to be read aloud.
        read_aloud: bool,
    },
    /// `!lower`.
    Lower,
    /// Anything else.
    Other,
}

/// Reads a message's plain-text body, from a room where the bridge speaks
/// `lang`: a question asks to be read aloud in English or in `lang`.
pub fn read(body: &str, lang: Lang) -> Said {
    let body = body.trim_start();
    if let Some(rest) = command(body, "!hand") {
        let question = rest.trim();
        let lower = question.to_lowercase();
        let read_aloud = [notice::read_aloud(Lang::En), notice::read_aloud(lang)]
            .iter()
            .any(|phrase| lower.contains(phrase.as_str()));
        let question = clean(question, TEXT_MAX, true);
        return Said::Hand {
            question,
            read_aloud,
        };
    }
    if command(body, "!lower").is_some() {
        return Said::Lower;
    }
    Said::Other
}

/// The rest of `body` if it starts with `word` as a whole word, in any
/// case.
fn command<'a>(body: &'a str, word: &str) -> Option<&'a str> {
    let head = body.get(..word.len())?;
    if !head.eq_ignore_ascii_case(word) {
        return None;
    }
    let rest = &body[word.len()..];
    match rest.chars().next() {
        None => Some(rest),
        Some(c) if c.is_whitespace() || c == ':' => Some(rest.trim_start_matches(':')),
        Some(_) => None,
    }
}

/// `text` as floor takes it: control characters (but line breaks and
/// tabs, where `lines` allows them) become spaces, the ends are trimmed,
/// and it is cut to `max` characters; `None` when nothing is left.
pub fn clean(text: &str, max: usize, lines: bool) -> Option<String> {
    let kept: String = text
        .chars()
        .map(|c| {
            if c.is_control() && !(lines && (c == '\n' || c == '\t')) {
                ' '
            } else {
                c
            }
        })
        .collect();
    let kept = cut(kept.trim(), max);
    (!kept.is_empty()).then_some(kept)
}

/// The name floor shows for a Matrix user: their display name as floor
/// takes it, else their user id's local part.
pub fn name(display_name: &str, user_id: &str) -> String {
    clean(display_name, NAME_MAX, false).unwrap_or_else(|| {
        let local = user_id
            .trim_start_matches('@')
            .split(':')
            .next()
            .unwrap_or(user_id);
        clean(local, NAME_MAX, false).unwrap_or_else(|| "Matrix".to_owned())
    })
}

/// The first `max` characters of `text`.
fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => text[..at].trim_end().to_owned(),
        None => text.to_owned(),
    }
}

/// A floor request id derived from a Matrix event id, so that the same
/// event always issues the same command (a bridge that sees it again
/// after a restart gets a duplicate acknowledgement, never a second
/// entry). `what` names the command (`hand`, `lower`). Event ids of
/// current room versions are 44 characters; a longer one (older room
/// versions name the server) is replaced by its SHA-256 digest.
pub fn request_id(what: &str, event_id: &str) -> String {
    let plain = format!("mx-{what}-{event_id}");
    if plain.chars().count() <= REQUEST_ID_MAX && !plain.chars().any(char::is_control) {
        return plain;
    }
    let digest = Sha256::digest(event_id.as_bytes());
    let hex: String = digest.iter().take(20).map(|b| format!("{b:02x}")).collect();
    format!("mx-{what}-{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `read` in a room where the bridge speaks English.
    fn read_en(body: &str) -> Said {
        read(body, Lang::En)
    }

    fn hand(question: Option<&str>, read_aloud: bool) -> Said {
        Said::Hand {
            question: question.map(str::to_owned),
            read_aloud,
        }
    }

    #[test]
    fn commands_at_the_start_in_any_case_as_whole_words() {
        assert_eq!(read_en("!hand"), hand(None, false));
        assert_eq!(read_en("  !HAND  "), hand(None, false));
        assert_eq!(
            read_en("!hand What about rural access?"),
            hand(Some("What about rural access?"), false)
        );
        assert_eq!(read_en("!hand: Why?"), hand(Some("Why?"), false));
        assert_eq!(read_en("!Lower"), Said::Lower);
        assert_eq!(read_en("!lower please"), Said::Lower);
        assert_eq!(read_en("!handy"), Said::Other);
        assert_eq!(read_en("I will !hand later"), Said::Other);
        assert_eq!(read_en("hello"), Said::Other);
        assert_eq!(read_en(""), Said::Other);
        assert_eq!(read_en("!"), Said::Other);
        assert_eq!(read_en("!hän"), Said::Other);
    }

    #[test]
    fn read_aloud_anywhere_in_the_question() {
        assert_eq!(
            read_en("!hand Please READ ALOUD: is there a plan?"),
            hand(Some("Please READ ALOUD: is there a plan?"), true)
        );
    }

    #[test]
    fn read_aloud_in_the_bridge_s_language_and_always_in_english() {
        let hand_fr = read("!hand À voix haute : qui paie ?", Lang::Fr);
        assert_eq!(hand_fr, hand(Some("À voix haute : qui paie ?"), true));
        assert_eq!(
            read("!hand please read aloud", Lang::Ru),
            hand(Some("please read aloud"), true)
        );
        assert_eq!(
            read("!hand Прочтите вслух, пожалуйста", Lang::Ru),
            hand(Some("Прочтите вслух, пожалуйста"), true)
        );
        assert_eq!(
            read("!hand Прочтите вслух", Lang::En),
            hand(Some("Прочтите вслух"), false)
        );
        assert_eq!(read("!hand 请朗读", Lang::Zh), hand(Some("请朗读"), true));
    }

    #[test]
    fn a_long_question_is_cut_to_the_protocols_length() {
        let long = format!("!hand {}", "é".repeat(TEXT_MAX + 50));
        let Said::Hand {
            question: Some(q), ..
        } = read_en(&long)
        else {
            panic!("not a hand");
        };
        assert_eq!(q.chars().count(), TEXT_MAX);
    }

    #[test]
    fn names_and_questions_as_floor_takes_them() {
        assert_eq!(name("  Amina\u{7}Diallo ", "@a:x"), "Amina Diallo");
        assert_eq!(name("", "@amina:example.org"), "amina");
        assert_eq!(name("\u{0}", "@:x"), "Matrix");
        assert_eq!(name(&"n".repeat(300), "@a:x").chars().count(), NAME_MAX);
        assert_eq!(
            clean("line one\nline\u{1b}two", TEXT_MAX, true).as_deref(),
            Some("line one\nline two")
        );
        assert_eq!(clean("  \u{7} ", TEXT_MAX, true), None);
    }

    #[test]
    fn request_ids_fit_the_protocol_and_are_stable() {
        let short = request_id("hand", "$Rq3f8cT0yJm2Zb1uVwX9nLkP4sHgQe7aDo5iEr6tYc");
        assert_eq!(short, "mx-hand-$Rq3f8cT0yJm2Zb1uVwX9nLkP4sHgQe7aDo5iEr6tYc");
        let long = request_id(
            "hand",
            "$1234567890abcdefghij:a-very-long-server-name.example.org",
        );
        assert!(long.chars().count() <= REQUEST_ID_MAX, "{long}");
        assert_eq!(
            long,
            request_id(
                "hand",
                "$1234567890abcdefghij:a-very-long-server-name.example.org"
            )
        );
        assert_ne!(
            long,
            request_id(
                "lower",
                "$1234567890abcdefghij:a-very-long-server-name.example.org"
            )
        );
    }
}
