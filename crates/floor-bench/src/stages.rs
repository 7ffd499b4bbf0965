//! The broker's own account of where a command's time went: the
//! `floor_command_stage_seconds` histograms of its `/metrics`, read before
//! and after a run, and each stage's p50 and p99 over that run. Beside the
//! latency the client measured, they tell the broker's stages (wait for
//! the room's task, decide, store, answer written) from what happens
//! outside them (the request waiting in the socket to be read, the answer
//! on its way back to the client).

use std::collections::BTreeMap;
use std::net::SocketAddr;

use anyhow::Context as _;

use crate::report::Row;

const FAMILY: &str = "floor_command_stage_seconds_bucket";

/// Each stage, and the names of its figures (p50 and p99 in ms: the upper
/// bound of the histogram's bucket that holds it; buckets grow by 1.5×).
const STAGES: [(&str, &str, &str); 5] = [
    ("wait", "stage_wait_p50_ms", "stage_wait_p99_ms"),
    ("decide", "stage_decide_p50_ms", "stage_decide_p99_ms"),
    ("store", "stage_store_p50_ms", "stage_store_p99_ms"),
    ("answer", "stage_answer_p50_ms", "stage_answer_p99_ms"),
    ("total", "stage_total_p50_ms", "stage_total_p99_ms"),
];

/// Each stage's cumulative bucket counts, by upper bound in seconds
/// (`+Inf` last), summed over the brokers read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stages(BTreeMap<String, Vec<(f64, u64)>>);

impl Stages {
    /// Reads the histograms of every broker at `addrs`.
    pub async fn read(addrs: &[SocketAddr]) -> anyhow::Result<Stages> {
        let addrs = addrs.to_vec();
        tokio::task::spawn_blocking(move || {
            let agent = floor_tests::http_agent();
            let mut stages = Stages::default();
            for addr in addrs {
                let mut response = agent
                    .get(format!("http://{addr}/metrics"))
                    .call()
                    .with_context(|| format!("GET /metrics of {addr}"))?;
                let text = response.body_mut().read_to_string()?;
                stages.add(&Stages::parse(&text));
            }
            Ok(stages)
        })
        .await?
    }

    /// The stage histograms of one `/metrics` text.
    pub fn parse(text: &str) -> Stages {
        let mut stages: BTreeMap<String, Vec<(f64, u64)>> = BTreeMap::new();
        for line in text.lines() {
            let Some(rest) = line.strip_prefix(FAMILY) else {
                continue;
            };
            let Some((labels, value)) = rest
                .strip_prefix('{')
                .and_then(|rest| rest.split_once("} "))
            else {
                continue;
            };
            let label = |name: &str| {
                labels.split(',').find_map(|pair| {
                    let (key, value) = pair.split_once('=')?;
                    (key == name).then(|| value.trim_matches('"').to_owned())
                })
            };
            let (Some(stage), Some(le)) = (label("stage"), label("le")) else {
                continue;
            };
            let le = if le == "+Inf" {
                f64::INFINITY
            } else {
                le.parse().unwrap_or(f64::NAN)
            };
            let count = value
                .split_whitespace()
                .next()
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0) as u64;
            if le.is_nan() {
                continue;
            }
            stages.entry(stage).or_default().push((le, count));
        }
        for buckets in stages.values_mut() {
            buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
        }
        Stages(stages)
    }

    fn add(&mut self, other: &Stages) {
        for (stage, buckets) in &other.0 {
            let mine = self.0.entry(stage.clone()).or_default();
            if mine.is_empty() {
                mine.clone_from(buckets);
            } else {
                for ((_, count), (_, more)) in mine.iter_mut().zip(buckets) {
                    *count += more;
                }
            }
        }
    }

    /// What was counted since `before`.
    pub fn since(&self, before: &Stages) -> Stages {
        let mut delta = self.clone();
        for (stage, buckets) in &mut delta.0 {
            if let Some(earlier) = before.0.get(stage) {
                for ((_, count), (_, was)) in buckets.iter_mut().zip(earlier) {
                    *count = count.saturating_sub(*was);
                }
            }
        }
        delta
    }

    /// The upper bound, in ms, of the bucket that holds a stage's
    /// quantile `q` (`None` without a count; infinity past the last
    /// bucket).
    pub fn quantile_ms(&self, stage: &str, q: f64) -> Option<f64> {
        let buckets = self.0.get(stage)?;
        let total = buckets.last()?.1;
        if total == 0 {
            return None;
        }
        let rank = (q * total as f64).ceil().max(1.0) as u64;
        buckets
            .iter()
            .find(|(_, count)| *count >= rank)
            .map(|(le, _)| (le * 1000.0 * 1000.0).round() / 1000.0)
    }

    /// Sets each stage's p50 and p99 on `row` (stages with no count are
    /// left out: a shared store's rooms have no `decide`).
    pub fn report(&self, row: &mut Row) {
        for (stage, p50, p99) in STAGES {
            if let (Some(a), Some(b)) =
                (self.quantile_ms(stage, 0.5), self.quantile_ms(stage, 0.99))
            {
                row.set(p50, a).set(p99, b);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"# TYPE floor_command_stage_seconds histogram
floor_command_stage_seconds_sum{stage="wait"} 0.5
floor_command_stage_seconds_count{stage="wait"} 100
floor_command_stage_seconds_bucket{le="0.001",stage="wait"} 50
floor_command_stage_seconds_bucket{le="0.002",stage="wait"} 98
floor_command_stage_seconds_bucket{le="0.004",stage="wait"} 100
floor_command_stage_seconds_bucket{le="+Inf",stage="wait"} 100
# EOF
"#;

    #[test]
    fn quantiles_are_the_bounds_of_the_buckets_that_hold_them() {
        let stages = Stages::parse(TEXT);
        assert_eq!(stages.quantile_ms("wait", 0.5), Some(1.0));
        assert_eq!(stages.quantile_ms("wait", 0.99), Some(4.0));
        assert_eq!(stages.quantile_ms("store", 0.99), None);
    }

    #[test]
    fn a_run_counts_only_what_came_after_its_start() {
        let before = Stages::parse(TEXT);
        let after = Stages::parse(
            &TEXT
                .replace("} 100", "} 200")
                .replace("} 98", "} 198")
                .replace("} 50", "} 150"),
        );
        let run = after.since(&before);
        assert_eq!(run.quantile_ms("wait", 0.5), Some(1.0));
        assert_eq!(run.quantile_ms("wait", 0.99), Some(1.0));
    }
}
