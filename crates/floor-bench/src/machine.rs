//! The machine a run was made on: its CPU model and cores, the kernel,
//! the date (UTC), and the raw fdatasync rate of the disk the servers'
//! data directories are on. Printed first and written as the first JSON
//! line, so that every run's figures say where they come from.

use std::path::PathBuf;

use serde_json::{Value, json};

use crate::scenario::{fdatasync_rate, round2};

/// How long the fdatasync rate is measured at the start of a run, in s.
pub const FDATASYNC_SECONDS: f64 = 1.0;

/// The machine a run is made on.
#[derive(Debug, Clone)]
pub struct Machine {
    /// The CPU's model name, from `/proc/cpuinfo`.
    pub cpu: String,
    /// The CPUs the kernel lists in `/proc/cpuinfo`.
    pub cores: usize,
    /// The kernel's release (`uname -r`).
    pub kernel: String,
    /// When the run started, UTC, RFC 3339.
    pub date: String,
    /// Where the fdatasync rate was measured: the temporary directory,
    /// which holds the servers' data directories.
    pub data_dir: PathBuf,
    /// 200-byte appends each followed by fdatasync, per second.
    pub fdatasync_per_s: f64,
    /// Their p99, in ms.
    pub fdatasync_p99_ms: f64,
}

impl Machine {
    /// Reads the machine and measures its disk for `seconds`.
    pub fn measure(seconds: f64) -> anyhow::Result<Machine> {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cores = match cpu_count(&cpuinfo) {
            0 => std::thread::available_parallelism().map_or(0, usize::from),
            n => n,
        };
        let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .map(|s| s.trim().to_owned())
            .unwrap_or_else(|_| "unknown".into());
        let date = jiff::Timestamp::now()
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string();
        let data_dir = std::env::temp_dir();
        let probe = tempfile::tempdir_in(&data_dir)?;
        let (rate, latency) = fdatasync_rate(probe.path(), seconds)?;
        Ok(Machine {
            cpu: cpu_model(&cpuinfo).unwrap_or_else(|| "unknown".into()),
            cores,
            kernel,
            date,
            data_dir,
            fdatasync_per_s: rate.round(),
            fdatasync_p99_ms: round2(latency.value_at_quantile(0.99) as f64 / 1000.0),
        })
    }

    /// The machine as one JSON object, under the key `machine`.
    pub fn json(&self) -> Value {
        json!({"machine": {
            "cpu": self.cpu,
            "cores": self.cores,
            "kernel": self.kernel,
            "date": self.date,
            "data_dir": self.data_dir.display().to_string(),
            "fdatasync_200b_per_s": self.fdatasync_per_s,
            "fdatasync_200b_p99_ms": self.fdatasync_p99_ms,
        }})
    }

    /// The machine in one line, for people.
    pub fn line(&self) -> String {
        format!(
            "machine: {}, {} cores, Linux {}, {}; raw fdatasync in {}: {}/s (200 B appends, p99 {} ms)",
            self.cpu,
            self.cores,
            self.kernel,
            self.date,
            self.data_dir.display(),
            self.fdatasync_per_s,
            self.fdatasync_p99_ms
        )
    }
}

/// The value of the first `key : value` line of `/proc/cpuinfo` with
/// this key.
fn field<'a>(cpuinfo: &'a str, key: &str) -> Option<&'a str> {
    cpuinfo.lines().find_map(|line| {
        let (k, v) = line.split_once(':')?;
        (k.trim() == key).then(|| v.trim())
    })
}

/// The CPU's model name: `model name` on x86, `Model` or `Hardware` on
/// some ARM boards, `cpu` on POWER.
fn cpu_model(cpuinfo: &str) -> Option<String> {
    ["model name", "Model", "Hardware", "cpu"]
        .into_iter()
        .find_map(|key| field(cpuinfo, key))
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// The CPUs `/proc/cpuinfo` lists (`processor : n` lines): the whole
/// machine's, whatever this process is pinned to.
pub fn cpu_count(cpuinfo: &str) -> usize {
    cpuinfo
        .lines()
        .filter(|line| {
            line.split_once(':')
                .is_some_and(|(k, _)| k.trim() == "processor")
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::{cpu_count, cpu_model};

    const X86: &str = "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\nflags\t\t: fpu\n\nprocessor\t: 1\nmodel name\t: AMD EPYC 7B13\n";

    #[test]
    fn reads_the_model_and_the_cpus() {
        assert_eq!(cpu_model(X86).as_deref(), Some("AMD EPYC 7B13"));
        assert_eq!(cpu_count(X86), 2);
    }

    #[test]
    fn falls_back_on_other_keys() {
        let arm = "processor\t: 0\nBogoMIPS\t: 48.00\n\nModel\t: Raspberry Pi 4 Model B Rev 1.4\n";
        assert_eq!(
            cpu_model(arm).as_deref(),
            Some("Raspberry Pi 4 Model B Rev 1.4")
        );
        assert_eq!(cpu_model(""), None);
        assert_eq!(cpu_count(""), 0);
    }
}
