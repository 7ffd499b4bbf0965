//! Reading a pasted video-call chat transcript into questions: one
//! `Name: text` per line. Pure text in, questions and unreadable lines
//! out; the Rust clients and the broker's moderator page both use it.
//!
//! Chat exports put a time and a "From ... to ..." in front of the name;
//! both are read. The forms taken are:
//!
//! ```text
//! Amina Diallo: How will the fund reach small firms?
//! 10:02 Amina Diallo: ...
//! [10:02:13] Amina Diallo: ...
//! 10:02:13 From Amina Diallo to Everyone: ...
//! 10:02:13 From Amina Diallo : ...
//! ```
//!
//! Blank lines are skipped. Every other line that does not give a name and
//! a text within the protocol's limits is reported with its line number
//! and why, and nothing is submitted for it.

use floor_protocol::limits;
use serde::{Deserialize, Serialize};

/// A question read from a transcript.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatQuestion {
    /// The line number, from 1.
    pub line: usize,
    /// Who wrote it.
    pub name: String,
    /// What they wrote.
    pub text: String,
}

/// A line that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unreadable {
    /// The line number, from 1.
    pub line: usize,
    /// The line as it was.
    pub content: String,
    /// Why it could not be read.
    pub reason: String,
}

/// A transcript, read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transcript {
    /// The questions, in transcript order.
    pub questions: Vec<ChatQuestion>,
    /// The lines that could not be read.
    pub unreadable: Vec<Unreadable>,
}

/// Reads a transcript.
///
/// ```
/// let transcript = floor_files::chat::parse("10:02 Amina Diallo: How?\nno colon here\n");
/// assert_eq!(transcript.questions[0].name, "Amina Diallo");
/// assert_eq!(transcript.unreadable[0].line, 2);
/// ```
pub fn parse(text: &str) -> Transcript {
    let mut transcript = Transcript::default();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        if raw.trim().is_empty() {
            continue;
        }
        match read_line(raw) {
            Ok((name, text)) => transcript.questions.push(ChatQuestion { line, name, text }),
            Err(reason) => transcript.unreadable.push(Unreadable {
                line,
                content: raw.to_owned(),
                reason: reason.to_owned(),
            }),
        }
    }
    transcript
}

fn read_line(raw: &str) -> Result<(String, String), &'static str> {
    let rest = strip_time(raw.trim());
    let Some((who, text)) = split_speaker(rest) else {
        return Err("no \"Name: text\" in this line");
    };
    let name = who.split_whitespace().collect::<Vec<_>>().join(" ");
    let text = text.trim().to_owned();
    if name.is_empty() {
        return Err("the name before ':' is empty");
    }
    if text.is_empty() {
        return Err("the text after ':' is empty");
    }
    if text.starts_with("//") {
        return Err("this looks like a link, not \"Name: text\"");
    }
    if name.chars().count() > limits::NAME_MAX {
        return Err("the name is longer than 80 characters");
    }
    if text.chars().count() > limits::TEXT_MAX {
        return Err("the text is longer than 1000 characters");
    }
    Ok((name, text))
}

/// Drops a leading `HH:MM`, `HH:MM:SS` or `[...]` time.
fn strip_time(line: &str) -> &str {
    if let Some(rest) = line.strip_prefix('[')
        && let Some((inside, after)) = rest.split_once(']')
        && inside
            .chars()
            .all(|c| c.is_ascii_digit() || ":.-/ APMapm".contains(c))
    {
        return after.trim_start();
    }
    let (first, after) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let parts: Vec<&str> = first.split(':').collect();
    let is_time = (2..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|p| (1..=2).contains(&p.len()) && p.chars().all(|c| c.is_ascii_digit()));
    if is_time { after.trim_start() } else { line }
}

/// Splits `From NAME to TARGET: text`, `From NAME : text` or `NAME: text`.
fn split_speaker(line: &str) -> Option<(&str, &str)> {
    let (who, text) = line.split_once(':')?;
    let who = who.trim();
    if let Some(from) = who.strip_prefix("From ") {
        let name = match from.rfind(" to ") {
            Some(at) => &from[..at],
            None => from,
        };
        return Some((name, text));
    }
    Some((who, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_usual_chat_forms() {
        let t = parse(
            "Amina Diallo: How?\n\
             10:02 Bo Chen: Why?\n\
             [10:02:13] Carla Ruiz: When?\n\
             10:02:13 From Dev Patel to Everyone: Where?\n\
             10:03:00 From Eva Novak : Who?\n",
        );
        let got: Vec<(&str, &str)> = t
            .questions
            .iter()
            .map(|q| (q.name.as_str(), q.text.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("Amina Diallo", "How?"),
                ("Bo Chen", "Why?"),
                ("Carla Ruiz", "When?"),
                ("Dev Patel", "Where?"),
                ("Eva Novak", "Who?"),
            ]
        );
        assert!(t.unreadable.is_empty());
    }

    #[test]
    fn keeps_colons_in_the_text() {
        let t = parse("Amina: the ratio is 2:1, why?");
        assert_eq!(t.questions[0].text, "the ratio is 2:1, why?");
    }

    #[test]
    fn reports_what_it_cannot_read_and_skips_blank_lines() {
        let long = "x".repeat(81);
        let text = format!("\n  \nno colon\n: no name\nBo:   \nhttps://example.org\n{long}: hi\n");
        let t = parse(&text);
        assert!(t.questions.is_empty());
        let lines: Vec<usize> = t.unreadable.iter().map(|u| u.line).collect();
        assert_eq!(lines, [3, 4, 5, 6, 7]);
    }
}
