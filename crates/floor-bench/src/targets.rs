//! floor's performance targets, as data, each judged from the rows of one
//! run and printed as the last table: the target, the case, what was
//! measured, the limit, and `met`, `NOT met` or `not measured` (the rows
//! it needs are absent: a `--quick` run, a `--scenario` or `--server`
//! subset, or no scenario measures it yet). The cases are the scenarios'
//! own (`scenario::fanout_case`, ...), so the two cannot drift apart.

use std::fmt::Write as _;

use crate::full_room::{FULL_ROOM, full_room_case};
use crate::report::{Row, number};
use crate::scenario::{
    DURABLE, FANOUT, FANOUT_SIZES, IDLE, IDLE_ROOMS, IDLE_ROOMS_COUNT, IDLE_SIZES, OPEN_LOOP_STEPS,
    OPEN_LOOP_WRITERS, RECOVERY, fanout_case, first_load_case, first_load_events, idle_case,
    idle_rooms_case, open_loop_case, recovery_case, recovery_size,
};
use crate::server::Kind;

/// One target: a short name and how it is judged.
#[derive(Debug, Clone)]
pub struct Target {
    /// Its short wording.
    pub name: &'static str,
    /// How the rows judge it.
    pub test: Test,
}

/// How a target is judged from the rows.
#[derive(Debug, Clone)]
pub enum Test {
    /// In each case, floor's `figure` at most `factor` × the `base`
    /// server's (below it, when `strict`); one line per case.
    Beside {
        /// The scenario of the rows.
        scenario: &'static str,
        /// The cases, each judged on its own.
        cases: Vec<String>,
        /// The figure compared.
        figure: &'static str,
        /// Its unit, for the table.
        unit: &'static str,
        /// The server floor is compared with.
        base: Kind,
        /// The largest ratio floor / base allowed.
        factor: f64,
        /// Whether the ratio must be below `factor` rather than at most.
        strict: bool,
    },
    /// One server's `figure` in one case at most `limit`.
    AtMost {
        /// The scenario of the row.
        scenario: &'static str,
        /// Its case.
        case: String,
        /// The server measured.
        server: Kind,
        /// The figure.
        figure: &'static str,
        /// Its unit, for the table.
        unit: &'static str,
        /// The largest value allowed.
        limit: f64,
    },
    /// The durable-writes open loop (8 writers, 0 subscribers): some step
    /// offering at least `rate` commands/s was acknowledged in full (every
    /// command sent acknowledged, none refused) at an ack p99 of at most
    /// `p99_ms`.
    AckedInFull {
        /// The server measured.
        server: Kind,
        /// The steps that count, commands/s offered.
        steps: Vec<f64>,
        /// The lowest offered rate that meets the target.
        rate: f64,
        /// The largest ack p99 allowed, in ms.
        p99_ms: f64,
    },
    /// No scenario measures it; `note` says which should.
    Unmeasured {
        /// The limit, as words.
        limit: &'static str,
        /// Which scenario should measure it, and what is nearest now.
        note: &'static str,
        /// A row with related figures, shown beside the note when present:
        /// its scenario and the figures.
        nearest: Option<(&'static str, &'static [&'static str])>,
    },
}

/// A target's verdict on one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Measured and within its limit.
    Met,
    /// Measured and past its limit.
    NotMet,
    /// The rows it needs are absent.
    NotMeasured,
}

impl Verdict {
    /// Its word in the table.
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::NotMet => "NOT met",
            Verdict::NotMeasured => "not measured",
        }
    }
}

/// One line of the targets table.
#[derive(Debug, Clone)]
pub struct Check {
    /// The target's name.
    pub target: &'static str,
    /// The case judged (empty when the target has one).
    pub case: String,
    /// What was measured (`-` when nothing was).
    pub measured: String,
    /// The limit.
    pub limit: String,
    /// The verdict.
    pub verdict: Verdict,
    /// A note, printed under the table.
    pub note: Option<String>,
}

/// The one-broker open loop's offered rate, commands/s.
const OPEN_LOOP_RATE: f64 = 20_000.0;

/// floor's targets.
pub fn targets() -> Vec<Target> {
    let fanout_1k_10k: Vec<String> = FANOUT_SIZES
        .iter()
        .filter(|&&(rooms, _)| rooms == 1)
        .map(|&(rooms, per_room)| fanout_case(rooms, per_room))
        .collect();
    let fanout_all: Vec<String> = FANOUT_SIZES
        .iter()
        .map(|&(rooms, per_room)| fanout_case(rooms, per_room))
        .collect();
    let idle: Vec<String> = IDLE_SIZES.iter().map(|&n| idle_case(n)).collect();
    let beside = |cases: &Vec<String>, scenario, figure, unit, base, factor, strict| Test::Beside {
        scenario,
        cases: cases.clone(),
        figure,
        unit,
        base,
        factor,
        strict,
    };
    let (rooms, per_room) = recovery_size(false);
    let start = |cache| recovery_case(rooms, per_room, cache);
    vec![
        Target {
            name: "fan-out p99 <= 1.3x B0",
            test: beside(&fanout_1k_10k, FANOUT, "p99_ms", "ms", Kind::B0, 1.3, false),
        },
        Target {
            name: "fan-out CPU per delivery <= 1.3x B0",
            test: beside(
                &fanout_1k_10k,
                FANOUT,
                "cpu_us_per_delivery",
                "us",
                Kind::B0,
                1.3,
                false,
            ),
        },
        Target {
            name: "fan-out p99 below B1",
            test: beside(&fanout_all, FANOUT, "p99_ms", "ms", Kind::B1, 1.0, true),
        },
        Target {
            name: "fan-out CPU per delivery below B1",
            test: beside(
                &fanout_all,
                FANOUT,
                "cpu_us_per_delivery",
                "us",
                Kind::B1,
                1.0,
                true,
            ),
        },
        Target {
            name: "idle connection bytes <= 1.3x B0",
            test: beside(
                &idle,
                IDLE,
                "bytes_per_connection",
                "B",
                Kind::B0,
                1.3,
                false,
            ),
        },
        Target {
            name: "idle connection bytes below B1",
            test: beside(
                &idle,
                IDLE,
                "bytes_per_connection",
                "B",
                Kind::B1,
                1.0,
                true,
            ),
        },
        Target {
            name: "durable open loop, one broker: all acked",
            test: Test::AckedInFull {
                server: Kind::Floor,
                steps: vec![OPEN_LOOP_RATE],
                rate: OPEN_LOOP_RATE,
                p99_ms: 5.0,
            },
        },
        Target {
            name: "durable open loop, floor x2: acked in full",
            test: Test::AckedInFull {
                server: Kind::FloorShared,
                steps: OPEN_LOOP_STEPS.to_vec(),
                rate: 15_000.0,
                p99_ms: 50.0,
            },
        },
        Target {
            name: "start to serving, warm",
            test: Test::AtMost {
                scenario: RECOVERY,
                case: start("warm"),
                server: Kind::Floor,
                figure: "start_to_serving_ms",
                unit: "ms",
                limit: 1000.0,
            },
        },
        Target {
            name: "start to serving, cold",
            test: Test::AtMost {
                scenario: RECOVERY,
                case: start("cold"),
                server: Kind::Floor,
                figure: "start_to_serving_ms",
                unit: "ms",
                limit: 2000.0,
            },
        },
        Target {
            name: "shared store first load",
            test: Test::AtMost {
                scenario: RECOVERY,
                case: first_load_case(first_load_events(false)),
                server: Kind::FloorShared,
                figure: "hello_to_welcome_ms",
                unit: "ms",
                limit: 100.0,
            },
        },
        Target {
            name: "full room, 1000 screens: chair ack p99",
            test: Test::AtMost {
                scenario: FULL_ROOM,
                case: full_room_case(),
                server: Kind::Floor,
                figure: "chair_ack_p99_ms",
                unit: "ms",
                limit: 5.0,
            },
        },
        Target {
            name: "full room, 1000 screens: bytes per screen per command",
            test: Test::AtMost {
                scenario: FULL_ROOM,
                case: full_room_case(),
                server: Kind::Floor,
                figure: "screen_bytes_per_command",
                unit: "B",
                limit: 2048.0,
            },
        },
        Target {
            name: "300 loaded idle rooms",
            test: Test::AtMost {
                scenario: IDLE_ROOMS,
                case: idle_rooms_case(IDLE_ROOMS_COUNT),
                server: Kind::Floor,
                figure: "bytes_per_room",
                unit: "B",
                limit: 50_000.0,
            },
        },
    ]
}

/// The row of `server` in `scenario`'s `case`.
fn find<'a>(rows: &'a [Row], scenario: &str, case: &str, server: Kind) -> Option<&'a Row> {
    rows.iter()
        .find(|r| r.scenario == scenario && r.case == case && r.server == server)
}

/// Judges every target on the rows of one run.
pub fn evaluate(targets: &[Target], rows: &[Row]) -> Vec<Check> {
    let mut checks = Vec::new();
    for target in targets {
        judge(target, rows, &mut checks);
    }
    checks
}

fn judge(target: &Target, rows: &[Row], checks: &mut Vec<Check>) {
    let check = |case: String, measured: String, limit: String, verdict| Check {
        target: target.name,
        case,
        measured,
        limit,
        verdict,
        note: None,
    };
    match &target.test {
        Test::Beside {
            scenario,
            cases,
            figure,
            unit,
            base,
            factor,
            strict,
        } => {
            let times = if (*factor - 1.0).abs() < f64::EPSILON {
                String::new()
            } else {
                format!("{factor}x ")
            };
            let sign = if *strict { "<" } else { "<=" };
            let limit = format!("{figure} {sign} {times}{}", base.name());
            for case in cases {
                let floor = find(rows, scenario, case, Kind::Floor).and_then(|r| r.get(figure));
                let other = find(rows, scenario, case, *base).and_then(|r| r.get(figure));
                let (measured, verdict) = match (floor, other) {
                    (Some(f), Some(b)) if b > 0.0 => {
                        let ratio = f / b;
                        let within = if *strict {
                            ratio < *factor
                        } else {
                            ratio <= *factor
                        };
                        (
                            format!(
                                "floor {} / {} {} {unit} = {ratio:.2}x",
                                number(f),
                                base.name(),
                                number(b)
                            ),
                            if within {
                                Verdict::Met
                            } else {
                                Verdict::NotMet
                            },
                        )
                    }
                    _ => ("-".into(), Verdict::NotMeasured),
                };
                checks.push(check(case.clone(), measured, limit.clone(), verdict));
            }
        }
        Test::AtMost {
            scenario,
            case,
            server,
            figure,
            unit,
            limit,
        } => {
            let value = find(rows, scenario, case, *server).and_then(|r| r.get(figure));
            let (measured, verdict) = match value {
                Some(v) => (
                    format!("{} {figure} {} {unit}", server.name(), number(v)),
                    if v <= *limit {
                        Verdict::Met
                    } else {
                        Verdict::NotMet
                    },
                ),
                None => ("-".into(), Verdict::NotMeasured),
            };
            checks.push(check(
                case.clone(),
                measured,
                format!("<= {} {unit}", number(*limit)),
                verdict,
            ));
        }
        Test::AckedInFull {
            server,
            steps,
            rate,
            p99_ms,
        } => {
            let (case, measured, verdict) = acked_in_full(rows, *server, steps, *rate, *p99_ms);
            checks.push(check(
                case,
                measured,
                format!(
                    ">= {}/s offered, all acked, none refused, ack p99 <= {} ms",
                    number(*rate),
                    number(*p99_ms)
                ),
                verdict,
            ));
        }
        Test::Unmeasured {
            limit,
            note,
            nearest,
        } => {
            let mut note = (*note).to_owned();
            if let Some((scenario, figures)) = nearest {
                for row in rows
                    .iter()
                    .filter(|r| r.scenario == *scenario && r.server == Kind::Floor)
                {
                    let shown: Vec<String> = figures
                        .iter()
                        .filter_map(|f| row.get(f).map(|v| format!("{f} {}", number(v))))
                        .collect();
                    if !shown.is_empty() {
                        let _ = write!(
                            note,
                            "; nearest, {} ({}): {}",
                            scenario,
                            row.case,
                            shown.join(", ")
                        );
                    }
                }
            }
            let mut line = check(
                String::new(),
                "-".into(),
                (*limit).into(),
                Verdict::NotMeasured,
            );
            line.note = Some(note);
            checks.push(line);
        }
    }
}

/// The open-loop steps of `server` present in the rows: the highest one
/// at or past `rate` acknowledged in full within `p99_ms` meets the
/// target; else the first step that fell short says why.
fn acked_in_full(
    rows: &[Row],
    server: Kind,
    steps: &[f64],
    rate: f64,
    p99_ms: f64,
) -> (String, String, Verdict) {
    let present: Vec<(f64, &Row)> = steps
        .iter()
        .filter_map(|&offered| {
            let case = open_loop_case(OPEN_LOOP_WRITERS, offered, 0);
            find(rows, DURABLE, &case, server).map(|row| (offered, row))
        })
        .collect();
    let describe = |row: &Row| match row.figures.iter().find(|(n, _)| *n == "error") {
        Some((_, error)) => format!("{} error: {error}", server.name()),
        None => {
            let figure = |name| row.get(name).map_or_else(|| "-".into(), number);
            format!(
                "{} {}/{} acked, {} refused, ack p99 {} ms",
                server.name(),
                figure("acked"),
                figure("offered"),
                figure("refused"),
                figure("ack_p99_ms")
            )
        }
    };
    let full = |row: &Row| {
        let acked = row.get("acked");
        acked.is_some()
            && acked == row.get("offered")
            && row.get("refused") == Some(0.0)
            && row.get("ack_p99_ms").is_some_and(|p| p <= p99_ms)
    };
    let case = |offered: f64| open_loop_case(OPEN_LOOP_WRITERS, offered, 0);
    let best = present
        .iter()
        .filter(|(offered, row)| *offered >= rate && full(row))
        .max_by(|a, b| a.0.total_cmp(&b.0));
    if let Some((offered, row)) = best {
        return (case(*offered), describe(row), Verdict::Met);
    }
    // The first step that fell short, at or past the rate if one was
    // measured there, else the last one below it.
    let short = present
        .iter()
        .find(|(offered, row)| *offered >= rate || !full(row))
        .or(present.last());
    match short {
        Some((offered, row)) => (case(*offered), describe(row), Verdict::NotMet),
        None => {
            // The step a run would judge: the first at or past the rate.
            let first = steps.iter().find(|&&s| s >= rate).copied().unwrap_or(rate);
            (case(first), "-".into(), Verdict::NotMeasured)
        }
    }
}

/// The targets table, then the notes of the targets not measured.
pub fn table(checks: &[Check]) -> String {
    let width = |f: fn(&Check) -> usize, title: &str| {
        checks.iter().map(f).max().unwrap_or(0).max(title.len())
    };
    let wt = width(|c| c.target.len(), "target");
    let wc = width(|c| c.case.len(), "case");
    let wm = width(|c| c.measured.len(), "measured");
    let wl = width(|c| c.limit.len(), "limit");
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<wt$}  {:<wc$}  {:<wm$}  {:<wl$}  verdict",
        "target", "case", "measured", "limit"
    );
    for c in checks {
        let _ = writeln!(
            out,
            "{:<wt$}  {:<wc$}  {:<wm$}  {:<wl$}  {}",
            c.target,
            c.case,
            c.measured,
            c.limit,
            c.verdict.word()
        );
    }
    let count = |v: Verdict| checks.iter().filter(|c| c.verdict == v).count();
    let _ = writeln!(
        out,
        "{} met, {} NOT met, {} not measured",
        count(Verdict::Met),
        count(Verdict::NotMet),
        count(Verdict::NotMeasured)
    );
    for c in checks {
        if let Some(note) = &c.note {
            let _ = writeln!(out, "  {}: {note}", c.target);
        }
    }
    out
}

#[cfg(test)]
#[path = "targets_tests.rs"]
mod tests;
