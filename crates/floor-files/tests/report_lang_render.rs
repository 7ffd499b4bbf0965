//! The report of a recorded session (`tests/fixtures/ws235-session.jsonl`)
//! written in each of the six languages: no message missing or failed,
//! no English left in the five others (but proper names), user content
//! isolated, the HTML page's language and direction given.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use floor_files::report::Report;
use floor_files::report_lang::Lang;
use floor_protocol::RoomEvent;
use fluent_syntax::ast::{Entry, Expression, Pattern, PatternElement};

/// Proper names every language writes as English does.
const PROPER_NAMES: &[&str] = &["Matrix"];

fn fixture() -> Report {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/ws235-session.jsonl"
    );
    let text = std::fs::read_to_string(path).unwrap();
    let events: Vec<RoomEvent> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    Report::from_events("IGF 2018 WS #235", &events).unwrap()
}

/// Every message id of `lang`'s file, and the literal text of its
/// messages (the words around the placeables), each piece trimmed.
fn ids_and_words(lang: Lang) -> (Vec<String>, BTreeSet<String>) {
    let resource = fluent_syntax::parser::parse(lang.ftl()).unwrap();
    let mut ids = Vec::new();
    let mut words = BTreeSet::new();
    for entry in &resource.body {
        if let Entry::Message(m) = entry {
            ids.push(m.id.name.to_owned());
            if let Some(pattern) = &m.value {
                pattern_words(pattern, &mut words);
            }
        }
    }
    (ids, words)
}

fn pattern_words(pattern: &Pattern<&str>, words: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        match element {
            PatternElement::TextElement { value } => {
                let piece = value.trim_matches(|c: char| !c.is_alphanumeric());
                if !piece.is_empty() {
                    words.insert(piece.to_owned());
                }
            }
            PatternElement::Placeable {
                expression: Expression::Select { variants, .. },
            } => {
                for v in variants {
                    pattern_words(&v.value, words);
                }
            }
            PatternElement::Placeable { .. } => {}
        }
    }
}

/// `text` with user content taken out: what `<bdi>` holds in HTML, what
/// the isolation marks hold in Markdown; and the page's style.
fn without_user_content(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find(['\u{2068}', '<']) {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let (open, close) = if tail.starts_with('\u{2068}') {
            ("\u{2068}", "\u{2069}")
        } else if tail.starts_with("<bdi>") {
            ("<bdi>", "</bdi>")
        } else if tail.starts_with("<style>") {
            ("<style>", "</style>")
        } else {
            out.push('<');
            rest = &tail[1..];
            continue;
        };
        let end = tail[open.len()..]
            .find(close)
            .map_or(tail.len(), |e| e + open.len() + close.len());
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// Whether `text` holds `words` whole (not inside a longer word: French
/// "Commentaire" does not hold English "Comment").
fn contains_word(text: &str, words: &str) -> bool {
    text.match_indices(words).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + words.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

#[test]
fn every_language_writes_the_whole_report_in_its_own_words() {
    let report = fixture();
    let (ids, english) = ids_and_words(Lang::En);
    for lang in Lang::ALL {
        let (_, own) = ids_and_words(lang);
        let html = report.html_in(lang).unwrap();
        let md = report.markdown_in(lang);
        for (form, text) in [("md", &md), ("html", &html)] {
            for id in &ids {
                assert!(
                    !text.contains(&format!("{{{id}}}")),
                    "{lang} {form}: {id} failed"
                );
            }
            if lang == Lang::En {
                continue;
            }
            let bare = without_user_content(text);
            let left: Vec<_> = english
                .iter()
                .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() > 2)
                .filter(|w| !own.contains(*w) && !PROPER_NAMES.contains(&w.as_str()))
                .filter(|w| contains_word(&bare, w))
                .collect();
            assert!(
                left.is_empty(),
                "{lang} {form}: English left: {left:?}\n{bare}"
            );
        }
    }
}

#[test]
fn the_html_page_gives_its_language_and_direction_and_isolates_names() {
    let report = fixture();
    for lang in Lang::ALL {
        let html = report.html_in(lang).unwrap();
        assert!(
            html.contains(&format!(
                "<html lang=\"{}\" dir=\"{}\">",
                lang.code(),
                lang.dir()
            )),
            "{lang}"
        );
        assert!(html.contains("<bdi>Parminder Jeet Singh</bdi>"), "{lang}");
        assert!(html.contains("<h1>") && html.contains("<bdi>IGF 2018 WS #235</bdi>"));
        // Logical properties only: the page mirrors for Arabic.
        for physical in [
            "text-align: left",
            "text-align: right",
            "margin-right",
            "margin-left",
        ] {
            assert!(!html.contains(physical), "{lang}: {physical}");
        }
        let md = report.markdown_in(lang);
        assert!(
            md.contains("\u{2068}Parminder Jeet Singh\u{2069}"),
            "{lang}"
        );
    }
    assert!(report.html_in(Lang::Ar).unwrap().contains("dir=\"rtl\""));
}

#[test]
fn dates_and_durations_are_written_in_each_language() {
    let report = fixture();
    let md = |lang| report.markdown_in(lang);
    // The session ran on Monday 26 November 2018 in Paris.
    assert!(md(Lang::En).contains("Monday 26 November 2018"));
    assert!(md(Lang::Fr).contains("lundi 26 novembre 2018"));
    assert!(md(Lang::Es).contains("lunes, 26 de noviembre de 2018"));
    assert!(md(Lang::Ru).contains("понедельник, 26 ноября 2018 г."));
    assert!(md(Lang::Zh).contains("2018年11月26日星期一"));
    assert!(md(Lang::Ar).contains("الاثنين، 26 تشرين الثاني/نوفمبر 2018"));
}

#[test]
fn the_json_and_csv_forms_hold_no_language() {
    // They are made from the report alone; the language changes only the
    // human forms, which differ from each other.
    let report = fixture();
    let json = serde_json::to_string(&report).unwrap();
    assert!(json.contains("\"civil_society\"") && !json.contains("Civil society"));
    assert!(report.csv().starts_with("section,item,onsite,online,total"));
    let forms: BTreeSet<String> = Lang::ALL.iter().map(|l| report.markdown_in(*l)).collect();
    assert_eq!(forms.len(), 6);
}
