//! The report's Fluent files, one per language, held to English's: the
//! same message ids and no other, the same variables in each, every file
//! read without an error, every message formatted without one for every
//! plural category, and nothing left in English but what the allow-list
//! names.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};

use floor_files::report_lang::{FluentValue, Form, Lang, Texts};
use fluent_syntax::ast::{self, Entry, Expression, InlineExpression, PatternElement};

/// Messages that may read as in English: figures, patterns of
/// placeables, abbreviations the language shares, and words spelled the
/// same (French "Question", "Rapporteur").
const SAME_AS_ENGLISH: &[(Lang, &str)] = &[
    (Lang::Ar, "decimal-separator"),
    (Lang::Ar, "person-role"),
    (Lang::Ar, "gender-count"),
    (Lang::Ar, "chart-bar"),
    (Lang::Zh, "decimal-separator"),
    (Lang::Zh, "percent"),
    (Lang::Fr, "list-separator"),
    (Lang::Fr, "date"),
    (Lang::Fr, "zone-offset"),
    (Lang::Fr, "kind-question"),
    (Lang::Fr, "role-rapporteur"),
    (Lang::Ru, "list-separator"),
    (Lang::Ru, "zone-offset"),
    (Lang::Ru, "person-role"),
    (Lang::Ru, "gender-count"),
    (Lang::Ru, "chart-bar"),
    (Lang::Es, "list-separator"),
    (Lang::Es, "zone-offset"),
    (Lang::Es, "person-role"),
    (Lang::Es, "gender-count"),
    (Lang::Es, "chart-bar"),
    (Lang::Es, "duration-s"),
    (Lang::Es, "duration-min"),
    (Lang::Es, "duration-min-s"),
    (Lang::Es, "duration-h-min"),
];

/// The numbers every counted message is formatted with: each CLDR plural
/// category of the six languages is among them.
const PLURAL_SAMPLES: [u64; 8] = [0, 1, 2, 3, 5, 11, 21, 100];

/// Each message of `lang`'s file: its variables, and whether it has a
/// value. Panics on a line Fluent cannot read.
fn messages(lang: Lang) -> BTreeMap<String, BTreeSet<String>> {
    let resource = fluent_syntax::parser::parse(lang.ftl())
        .unwrap_or_else(|(_, errors)| panic!("{lang}: {errors:?}"));
    let mut messages = BTreeMap::new();
    for entry in &resource.body {
        match entry {
            Entry::Message(m) => {
                let pattern = m
                    .value
                    .as_ref()
                    .unwrap_or_else(|| panic!("{lang}: {} has no value", m.id.name));
                let mut vars = BTreeSet::new();
                pattern_vars(pattern, &mut vars);
                let previous = messages.insert(m.id.name.to_owned(), vars);
                assert!(previous.is_none(), "{lang}: {} twice", m.id.name);
            }
            Entry::Term(t) => panic!("{lang}: term -{} (the files use none)", t.id.name),
            Entry::Junk { content } => panic!("{lang}: unreadable: {content}"),
            _ => {}
        }
    }
    messages
}

fn pattern_vars(pattern: &ast::Pattern<&str>, vars: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let PatternElement::Placeable { expression } = element {
            expression_vars(expression, vars);
        }
    }
}

fn expression_vars(expression: &Expression<&str>, vars: &mut BTreeSet<String>) {
    match expression {
        Expression::Select { selector, variants } => {
            inline_vars(selector, vars);
            for v in variants {
                pattern_vars(&v.value, vars);
            }
        }
        Expression::Inline(inline) => inline_vars(inline, vars),
    }
}

fn inline_vars(inline: &InlineExpression<&str>, vars: &mut BTreeSet<String>) {
    match inline {
        InlineExpression::VariableReference { id } => {
            vars.insert(id.name.to_owned());
        }
        InlineExpression::FunctionReference { arguments, .. } => {
            for a in &arguments.positional {
                inline_vars(a, vars);
            }
        }
        InlineExpression::Placeable { expression } => expression_vars(expression, vars),
        _ => {}
    }
}

#[test]
fn every_file_has_english_s_messages_and_no_other() {
    let english = messages(Lang::En);
    assert!(english.len() > 100, "{}", english.len());
    for lang in Lang::ALL {
        let theirs = messages(lang);
        let missing: Vec<_> = english
            .keys()
            .filter(|id| !theirs.contains_key(*id))
            .collect();
        let extra: Vec<_> = theirs
            .keys()
            .filter(|id| !english.contains_key(*id))
            .collect();
        assert!(missing.is_empty(), "{lang} lacks {missing:?}");
        assert!(extra.is_empty(), "{lang} has more than English: {extra:?}");
    }
}

#[test]
fn every_message_uses_english_s_variables() {
    let english = messages(Lang::En);
    for lang in Lang::ALL {
        for (id, vars) in messages(lang) {
            assert_eq!(Some(&vars), english.get(&id), "{lang}: variables of {id}");
        }
    }
}

#[test]
fn every_message_formats_for_every_plural_category() {
    for lang in Lang::ALL {
        for form in [Form::Text, Form::Html] {
            let texts = Texts::new(lang, form);
            for (id, vars) in messages(lang) {
                for n in PLURAL_SAMPLES {
                    for channel in ["onsite", "online"] {
                        let args: Vec<_> = vars
                            .iter()
                            .map(|v| match v.as_str() {
                                "channel" => (v.as_str(), channel.into()),
                                _ => (v.as_str(), n.into()),
                            })
                            .collect();
                        let text = texts
                            .try_text(&id, &args)
                            .unwrap_or_else(|e| panic!("{lang}: {e}"));
                        assert!(!text.trim().is_empty() || id == "list-separator");
                        assert!(!text.contains('{'), "{lang} {id}: {text}");
                    }
                }
            }
        }
    }
}

#[test]
fn no_message_is_left_in_english_but_the_allowed_ones() {
    let en = Texts::new(Lang::En, Form::Text);
    let mut same = Vec::new();
    for lang in Lang::ALL.into_iter().filter(|l| *l != Lang::En) {
        let texts = Texts::new(lang, Form::Text);
        for (id, vars) in messages(lang) {
            let args: Vec<_> = vars.iter().map(|v| (v.as_str(), 7.into())).collect();
            let theirs = texts.try_text(&id, &args).unwrap();
            if theirs == en.try_text(&id, &args).unwrap() && !SAME_AS_ENGLISH.contains(&(lang, &id))
            {
                same.push(format!("{lang} {id}: {theirs}"));
            }
        }
    }
    assert!(same.is_empty(), "left in English:\n{}", same.join("\n"));
}

#[test]
fn the_allow_list_names_only_messages_that_read_as_in_english() {
    let en = Texts::new(Lang::En, Form::Text);
    for (lang, id) in SAME_AS_ENGLISH {
        let vars = messages(*lang).remove(*id).unwrap();
        let args: Vec<_> = vars.iter().map(|v| (v.as_str(), 7.into())).collect();
        assert_eq!(
            Texts::new(*lang, Form::Text).try_text(id, &args),
            en.try_text(id, &args),
            "{lang} {id} is translated: take it off the allow-list"
        );
    }
}

#[test]
fn no_message_holds_markup() {
    // The HTML form writes messages as they are: only user content, which
    // comes in escaped, may hold `<` or `&`.
    for lang in Lang::ALL {
        for line in lang.ftl().lines().filter(|l| !l.starts_with('#')) {
            let line = line.replace("->", "");
            assert!(!line.contains(['<', '>', '&']), "{lang}: {line}");
        }
    }
}

/// Message `id` of `lang`, in text, with `args`.
fn text(lang: Lang, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
    Texts::new(lang, Form::Text).text(id, args)
}

#[test]
fn each_language_writes_in_its_own_typography() {
    let n = |n: u64| FluentValue::from(n);
    let x = || FluentValue::from("x");
    // French: a no-break space before the colon and between a number and
    // its unit, a narrow one before the semicolon.
    assert_eq!(
        text(Lang::Fr, "duration-min-s", &[("m", n(3)), ("s", n(20))]),
        "3\u{a0}min 20\u{a0}s"
    );
    assert_eq!(
        text(Lang::Fr, "report-title", &[("title", x())]),
        "Rapport de séance\u{a0}: x"
    );
    assert!(text(Lang::Fr, "when", &[("span", x()), ("length", x())]).contains("x\u{202f};"));
    // Chinese: full-width punctuation.
    assert_eq!(
        text(Lang::Zh, "report-title", &[("title", x())]),
        "会议报告：x"
    );
    // Arabic: its comma, and CLDR's plural categories.
    assert!(text(Lang::Ar, "list-separator", &[]).contains('،'));
    let minutes = |m| text(Lang::Ar, "duration-min", &[("m", n(m))]);
    assert_eq!(minutes(1), "دقيقة واحدة");
    assert_eq!(minutes(2), "دقيقتان");
    assert_eq!(minutes(3), "3 دقائق");
    assert_eq!(minutes(11), "11 دقيقة");
    assert_eq!(minutes(100), "100 دقيقة");
    // Russian: «» quotes, and one / few / many.
    assert_eq!(
        text(Lang::Ru, "report-title", &[("title", x())]),
        "Отчёт о сессии «x»"
    );
    let of = |r| {
        text(
            Lang::Ru,
            "genders-sentence",
            &[
                ("requests", n(r)),
                ("declared", x()),
                ("counts", x()),
                ("not_given", x()),
                ("threshold", n(5)),
            ],
        )
    };
    assert!(of(21).contains("из 21 заявки"), "{}", of(21));
    assert!(of(3).contains("из 3 заявок"), "{}", of(3));
    assert!(of(11).contains("из 11 заявок"), "{}", of(11));
    // English, Spanish: one and other.
    assert!(
        text(
            Lang::En,
            "genders-withheld",
            &[("requests", n(1)), ("threshold", n(5))]
        )
        .contains("with 1 request,")
    );
    assert!(
        text(
            Lang::Es,
            "genders-withheld",
            &[("requests", n(2)), ("threshold", n(5))]
        )
        .contains("con 2 solicitudes,")
    );
}
