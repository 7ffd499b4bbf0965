//! The Fluent files, the report's and the Matrix bridge's, one of each per
//! language, held to English's: the same message ids and no other, the
//! same variables in each, every file read without an error, every
//! message formatted without one for every plural category, and nothing
//! left in English but what the allow-list names.

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
    (Lang::Ar, "conf-chart-bar"),
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
    (Lang::Ru, "conf-chart-bar"),
    (Lang::Es, "list-separator"),
    (Lang::Es, "zone-offset"),
    (Lang::Es, "person-role"),
    (Lang::Es, "gender-count"),
    (Lang::Es, "chart-bar"),
    (Lang::Es, "conf-chart-bar"),
    (Lang::Es, "duration-s"),
    (Lang::Es, "duration-min"),
    (Lang::Es, "duration-min-s"),
    (Lang::Es, "duration-h-min"),
];

/// The numbers every counted message is formatted with: each CLDR plural
/// category of the six languages is among them.
const PLURAL_SAMPLES: [u64; 8] = [0, 1, 2, 3, 5, 11, 21, 100];

/// The bridge's messages that may read as in English: the patterns that
/// put a hand before a place in line, in languages that end a sentence
/// with a full stop.
const BRIDGE_SAME_AS_ENGLISH: &[(Lang, &str)] = &[
    (Lang::Ar, "in-line"),
    (Lang::Ar, "in-line-why"),
    (Lang::Fr, "in-line"),
    (Lang::Fr, "in-line-why"),
    (Lang::Ru, "in-line"),
    (Lang::Ru, "in-line-why"),
    (Lang::Es, "in-line"),
    (Lang::Es, "in-line-why"),
];

/// A set of Fluent files, one per language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Catalog {
    /// The report's human forms.
    Report,
    /// What the Matrix bridge says in its room.
    Bridge,
}

impl Catalog {
    const ALL: [Catalog; 2] = [Catalog::Report, Catalog::Bridge];

    /// `lang`'s file.
    fn ftl(self, lang: Lang) -> &'static str {
        match self {
            Catalog::Report => lang.ftl(),
            Catalog::Bridge => lang.bridge_ftl(),
        }
    }

    /// `lang`'s messages for `form` (the bridge writes plain text only).
    fn texts(self, lang: Lang, form: Form) -> Texts {
        match self {
            Catalog::Report => Texts::new(lang, form),
            Catalog::Bridge => Texts::bridge(lang),
        }
    }

    /// Its forms.
    fn forms(self) -> &'static [Form] {
        match self {
            Catalog::Report => &[Form::Text, Form::Html],
            Catalog::Bridge => &[Form::Text],
        }
    }

    /// Its messages that may read as in English.
    fn same_as_english(self) -> &'static [(Lang, &'static str)] {
        match self {
            Catalog::Report => SAME_AS_ENGLISH,
            Catalog::Bridge => BRIDGE_SAME_AS_ENGLISH,
        }
    }

    /// Fewest messages English's file has.
    fn least(self) -> usize {
        match self {
            Catalog::Report => 100,
            Catalog::Bridge => 20,
        }
    }
}

/// Each message of `lang`'s file of `catalog`: its variables. Panics on a
/// line Fluent cannot read, or a message without a value.
fn messages(catalog: Catalog, lang: Lang) -> BTreeMap<String, BTreeSet<String>> {
    let resource = fluent_syntax::parser::parse(catalog.ftl(lang))
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
    for catalog in Catalog::ALL {
        let english = messages(catalog, Lang::En);
        assert!(english.len() > catalog.least(), "{}", english.len());
        for lang in Lang::ALL {
            let theirs = messages(catalog, lang);
            let missing: Vec<_> = english
                .keys()
                .filter(|id| !theirs.contains_key(*id))
                .collect();
            let extra: Vec<_> = theirs
                .keys()
                .filter(|id| !english.contains_key(*id))
                .collect();
            assert!(missing.is_empty(), "{catalog:?} {lang} lacks {missing:?}");
            assert!(
                extra.is_empty(),
                "{catalog:?} {lang} has more than English: {extra:?}"
            );
        }
    }
}

#[test]
fn every_message_uses_english_s_variables() {
    for catalog in Catalog::ALL {
        let english = messages(catalog, Lang::En);
        for lang in Lang::ALL {
            for (id, vars) in messages(catalog, lang) {
                assert_eq!(
                    Some(&vars),
                    english.get(&id),
                    "{catalog:?} {lang}: variables of {id}"
                );
            }
        }
    }
}

#[test]
fn every_message_formats_for_every_plural_category() {
    for catalog in Catalog::ALL {
        for lang in Lang::ALL {
            for form in catalog.forms() {
                let texts = catalog.texts(lang, *form);
                for (id, vars) in messages(catalog, lang) {
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
                                .unwrap_or_else(|e| panic!("{catalog:?} {lang}: {e}"));
                            assert!(!text.trim().is_empty() || id == "list-separator");
                            assert!(!text.contains('{'), "{catalog:?} {lang} {id}: {text}");
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn no_message_is_left_in_english_but_the_allowed_ones() {
    let mut same = Vec::new();
    for catalog in Catalog::ALL {
        let en = catalog.texts(Lang::En, Form::Text);
        for lang in Lang::ALL.into_iter().filter(|l| *l != Lang::En) {
            let texts = catalog.texts(lang, Form::Text);
            for (id, vars) in messages(catalog, lang) {
                let args: Vec<_> = vars.iter().map(|v| (v.as_str(), 7.into())).collect();
                let theirs = texts.try_text(&id, &args).unwrap();
                if theirs == en.try_text(&id, &args).unwrap()
                    && !catalog.same_as_english().contains(&(lang, &id))
                {
                    same.push(format!("{catalog:?} {lang} {id}: {theirs}"));
                }
            }
        }
    }
    assert!(same.is_empty(), "left in English:\n{}", same.join("\n"));
}

#[test]
fn the_allow_list_names_only_messages_that_read_as_in_english() {
    for catalog in Catalog::ALL {
        let en = catalog.texts(Lang::En, Form::Text);
        for (lang, id) in catalog.same_as_english() {
            let vars = messages(catalog, *lang).remove(*id).unwrap();
            let args: Vec<_> = vars.iter().map(|v| (v.as_str(), 7.into())).collect();
            assert_eq!(
                catalog.texts(*lang, Form::Text).try_text(id, &args),
                en.try_text(id, &args),
                "{catalog:?} {lang} {id} is translated: take it off the allow-list"
            );
        }
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
