//! The genders people declared, as the report publishes them: totals
//! only, small counts hidden ([`crate::suppress`]), and in a sentence.

use std::collections::BTreeMap;

use floor_protocol::Gender;
use schemars::JsonSchema;
use serde::Serialize;

use crate::report_lang::Texts;
use crate::suppress::{self, Shown};
use floor_core::declarations::Declarations;

/// The genders people chose to declare when they asked for the floor:
/// totals only, and none below [`suppress::THRESHOLD`] (see
/// [`suppress`]: a figure that would let a small count be worked out is
/// hidden too).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Genders {
    /// Counts below this are never published.
    pub threshold: u64,
    /// Requests, declared or not (the report's `requests`, both channels).
    pub requests: u64,
    /// Whether nothing at all is published: every way of hiding figures
    /// would still let a count below the threshold be worked out from the
    /// number of requests (every figure is then `null`).
    pub withheld: bool,
    /// Declarations per gender, under each wire name (`another`, `man`,
    /// `non_binary`, `woman`); `null` when hidden.
    pub declared: BTreeMap<String, Option<u64>>,
    /// Requests that declared a gender; `null` when hidden.
    pub declared_total: Option<u64>,
    /// Requests that declared none; `null` when hidden.
    pub not_given: Option<u64>,
    /// Why each hidden figure is hidden, under its name (a gender's wire
    /// name, `declared_total`, `not_given`): `fewer_than_threshold`, or
    /// `protects_smaller` (the threshold or more, hidden so that a smaller
    /// count cannot be worked out).
    pub hidden: BTreeMap<String, Shown>,
}

impl Genders {
    /// The published figures of `declarations` among `requests` requests.
    pub fn publish(declarations: &Declarations, requests: u64) -> Genders {
        let counts: Vec<u64> = Gender::ALL.iter().map(|g| declarations.get(*g)).collect();
        let not_given = requests.saturating_sub(declarations.total());
        let published = suppress::publish(&counts, not_given);
        let mut genders = Genders {
            threshold: suppress::THRESHOLD,
            requests,
            withheld: published.is_none(),
            declared: Gender::ALL
                .iter()
                .map(|g| (g.as_str().to_owned(), None))
                .collect(),
            declared_total: None,
            not_given: None,
            hidden: BTreeMap::new(),
        };
        let Some(published) = published else {
            return genders;
        };
        let mut set = |name: &str, shown: Shown| {
            if shown.count().is_none() {
                genders.hidden.insert(name.to_owned(), shown);
            }
            shown.count()
        };
        let mut declared = BTreeMap::new();
        for (gender, shown) in Gender::ALL.iter().zip(published.genders) {
            declared.insert(gender.as_str().to_owned(), set(gender.as_str(), shown));
        }
        genders.declared_total = set("declared_total", published.declared);
        genders.not_given = set("not_given", published.not_given);
        genders.declared = declared;
        genders
    }

    /// How a figure is shown, by name, in `t`'s words.
    pub(crate) fn shown(&self, t: &Texts, name: &str, count: Option<u64>) -> String {
        let threshold = [("threshold", self.threshold.into())];
        match (count, self.hidden.get(name)) {
            (Some(n), _) => n.to_string(),
            (None, Some(Shown::Count(n))) => n.to_string(),
            (None, Some(Shown::FewerThanThreshold)) => t.text("shown-fewer", &threshold),
            (None, Some(Shown::ProtectsSmaller)) => t.text("shown-hidden", &threshold),
            (None, None) => t.word("shown-unpublished"),
        }
    }

    /// Every figure under its wire name, in the CSV form's fixed English
    /// (`fewer than 5`, `5 or more (hidden)`, `not published`): each
    /// gender, `total`, `not given`.
    pub(crate) fn wire_rows(&self) -> Vec<(String, String)> {
        let shown = |name: &str, count: Option<u64>| match (count, self.hidden.get(name)) {
            (Some(n), _) => n.to_string(),
            (None, Some(shown)) => shown.words(),
            (None, None) => "not published".to_owned(),
        };
        let mut rows: Vec<(String, String)> = self
            .declared
            .iter()
            .map(|(g, n)| (g.clone(), shown(g, *n)))
            .collect();
        rows.push((
            "total".to_owned(),
            shown("declared_total", self.declared_total),
        ));
        rows.push(("not given".to_owned(), shown("not_given", self.not_given)));
        rows
    }

    /// Every gender's figure in `t`'s words: its label and how it is shown.
    pub fn rows(&self, t: &Texts) -> Vec<(String, String)> {
        self.declared
            .iter()
            .map(|(g, n)| {
                let label = format!("gender-{}", g.replace('_', "-"));
                (t.word(&label), self.shown(t, g, *n))
            })
            .collect()
    }

    /// The figures in a sentence in `t`'s language, e.g. "Declared with
    /// 12 of 20 requests: another: fewer than 5, man: 5 or more (hidden),
    /// ..."
    pub fn sentence(&self, t: &Texts) -> String {
        if self.withheld {
            return t.text(
                "genders-withheld",
                &[
                    ("requests", self.requests.into()),
                    ("threshold", self.threshold.into()),
                ],
            );
        }
        let counts: Vec<String> = self
            .rows(t)
            .into_iter()
            .map(|(gender, count)| {
                t.text(
                    "gender-count",
                    &[("gender", gender.into()), ("count", count.into())],
                )
            })
            .collect();
        t.text(
            "genders-sentence",
            &[
                (
                    "declared",
                    self.shown(t, "declared_total", self.declared_total).into(),
                ),
                ("requests", self.requests.into()),
                ("counts", t.list(&counts).into()),
                (
                    "not_given",
                    self.shown(t, "not_given", self.not_given).into(),
                ),
                ("threshold", self.threshold.into()),
            ],
        )
    }
}
