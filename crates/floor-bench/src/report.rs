//! Results: each measurement is printed as one JSON line when it is made,
//! and all of them as a table at the end, floor beside B0 and B1 with the
//! ratios floor/B0 and floor/B1.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use hdrhistogram::Histogram;
use serde_json::{Value, json};

use crate::server::Kind;

/// One measurement: a scenario's case on one server, as named figures.
#[derive(Debug, Clone)]
pub struct Row {
    /// The scenario (`fanout`, `slow_consumer`, ...).
    pub scenario: &'static str,
    /// The case within it (`1 room x 10000 subscribers, 2 msg/s`).
    pub case: String,
    /// The server measured.
    pub server: Kind,
    /// Figures, in a fixed order of insertion.
    pub figures: Vec<(&'static str, Value)>,
}

impl Row {
    /// A row with no figures yet.
    pub fn new(scenario: &'static str, case: impl Into<String>, server: Kind) -> Row {
        Row {
            scenario,
            case: case.into(),
            server,
            figures: Vec::new(),
        }
    }

    /// Adds a figure.
    pub fn set(&mut self, name: &'static str, value: impl Into<Value>) -> &mut Row {
        self.figures.push((name, value.into()));
        self
    }

    /// Adds p50, p99 and max of a histogram of microseconds, in ms.
    pub fn latency(&mut self, prefix: &'static str, h: &Histogram<u64>) -> &mut Row {
        let (p50, p99, max) = if h.is_empty() {
            (Value::Null, Value::Null, Value::Null)
        } else {
            (
                ms(h.value_at_quantile(0.50)),
                ms(h.value_at_quantile(0.99)),
                ms(h.max()),
            )
        };
        let names: [&'static str; 3] = match prefix {
            "ack" => ["ack_p50_ms", "ack_p99_ms", "ack_max_ms"],
            _ => ["p50_ms", "p99_ms", "max_ms"],
        };
        self.set(names[0], p50)
            .set(names[1], p99)
            .set(names[2], max)
    }

    /// A figure by name.
    pub fn get(&self, name: &str) -> Option<f64> {
        self.figures
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, v)| v.as_f64())
    }

    /// The row as one JSON object.
    pub fn json(&self) -> Value {
        let mut object = serde_json::Map::new();
        object.insert("scenario".into(), json!(self.scenario));
        object.insert("case".into(), json!(self.case));
        object.insert("server".into(), json!(self.server.name()));
        for (name, value) in &self.figures {
            object.insert((*name).into(), value.clone());
        }
        Value::Object(object)
    }
}

fn ms(us: u64) -> Value {
    json!((us as f64 / 1000.0 * 100.0).round() / 100.0)
}

/// A figure as the tables show it: whole, or with two decimals below 100.
pub fn number(f: f64) -> String {
    if (f.fract() == 0.0 && f.abs() < 1e15) || f.abs() >= 100.0 {
        format!("{f:.0}")
    } else {
        format!("{f:.2}")
    }
}

fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "-".into(),
        Some(Value::Number(n)) => number(n.as_f64().unwrap_or(0.0)),
        Some(Value::Bool(b)) => if *b { "yes" } else { "no" }.into(),
        Some(other) => other.to_string(),
    }
}

/// The table of every row: one block per scenario and case, one line per
/// figure, a column per server, then floor/B0 and floor/B1.
pub fn table(rows: &[Row]) -> String {
    let mut cases: Vec<(&'static str, String)> = Vec::new();
    for row in rows {
        let key = (row.scenario, row.case.clone());
        if !cases.contains(&key) {
            cases.push(key);
        }
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<58} {:>10} {:>10} {:>10} {:>10} {:>9} {:>9}",
        "scenario / case / figure", "B0", "B1", "floor", "floor x2", "floor/B0", "floor/B1"
    );
    for (scenario, case) in cases {
        let of = |kind: Kind| {
            rows.iter()
                .find(|r| r.scenario == scenario && r.case == case && r.server == kind)
        };
        let _ = writeln!(out, "{scenario}: {case}");
        let mut names: Vec<&'static str> = Vec::new();
        for kind in [Kind::B0, Kind::B1, Kind::Floor, Kind::FloorShared] {
            if let Some(row) = of(kind) {
                for (name, _) in &row.figures {
                    if !names.contains(name) {
                        names.push(name);
                    }
                }
            }
        }
        let figures: BTreeMap<Kind, &Row> = [Kind::B0, Kind::B1, Kind::Floor, Kind::FloorShared]
            .into_iter()
            .filter_map(|k| of(k).map(|r| (k, r)))
            .collect();
        for name in names {
            let value = |kind: Kind| {
                figures
                    .get(&kind)
                    .and_then(|r| r.figures.iter().find(|(n, _)| *n == name))
                    .map(|(_, v)| v)
            };
            let ratio = |base: Kind| {
                let f = figures.get(&Kind::Floor).and_then(|r| r.get(name));
                let b = figures.get(&base).and_then(|r| r.get(name));
                match (f, b) {
                    (Some(f), Some(b)) if b != 0.0 => format!("{:.2}", f / b),
                    _ => "-".into(),
                }
            };
            let _ = writeln!(
                out,
                "  {:<56} {:>10} {:>10} {:>10} {:>10} {:>9} {:>9}",
                name,
                cell(value(Kind::B0)),
                cell(value(Kind::B1)),
                cell(value(Kind::Floor)),
                cell(value(Kind::FloorShared)),
                ratio(Kind::B0),
                ratio(Kind::B1)
            );
        }
    }
    out
}
