//! The firewall of a run: iptables rules in the OUTPUT chain that drop
//! what one of the run's processes sends to one address, and nothing else.
//!
//! Every process of a run has its own uid, and every rule is keyed on the
//! sender's uid (`-m owner --uid-owner`) and the destination address: the
//! kernel gives every loopback connection the source address 127.0.0.1, so
//! sources cannot tell processes apart. Each rule carries the comment
//! `floor-partitions-<pid>`; the firewall removes exactly its own rules on
//! [`Firewall::heal`] and when dropped (a panic too), and at its start the
//! rules of runs whose process is gone. It never touches the chain's
//! policy or any other rule.

use std::net::Ipv4Addr;
use std::process::Command;

/// The prefix of every rule's comment; the run's pid follows.
const TAG: &str = "floor-partitions-";

/// Why the firewall cannot work here.
#[derive(Debug, thiserror::Error)]
pub enum FirewallError {
    /// `iptables` is not installed.
    #[error(
        "iptables is missing: the partition tests need it (as root: `apt-get install -y iptables`; scripts/test installs it)"
    )]
    Missing,
    /// `iptables` refused a command (most often: not root).
    #[error(
        "iptables refused `iptables {args}`: {stderr} (the partition tests need root and iptables: run them as root, with `apt-get install -y iptables`)"
    )]
    Refused {
        /// The arguments.
        args: String,
        /// What it said.
        stderr: String,
    },
}

/// One dropped flow: what `uid` sends to `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Drop {
    /// The sender's uid.
    pub uid: u32,
    /// The destination address.
    pub to: Ipv4Addr,
}

/// The run's rules, removed on heal and when dropped.
#[derive(Debug)]
pub struct Firewall {
    tag: String,
    rules: Vec<Drop>,
}

fn iptables(args: &[String]) -> Result<String, FirewallError> {
    let output = Command::new("iptables")
        .arg("-w")
        .args(args)
        .output()
        .map_err(|error| match error.kind() {
            std::io::ErrorKind::NotFound => FirewallError::Missing,
            _ => FirewallError::Refused {
                args: args.join(" "),
                stderr: error.to_string(),
            },
        })?;
    if !output.status.success() {
        return Err(FirewallError::Refused {
            args: args.join(" "),
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Whether a process runs.
fn alive(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

impl Firewall {
    /// Checks that iptables works here and removes the rules that runs
    /// whose process is gone left behind.
    pub fn open() -> Result<Firewall, FirewallError> {
        let listed = iptables(&["-S".into(), "OUTPUT".into()])?;
        for line in listed.lines() {
            let words: Vec<String> = line
                .split_whitespace()
                .map(|w| w.trim_matches('"').to_owned())
                .collect();
            let stale = words.iter().any(|w| {
                w.strip_prefix(TAG)
                    .and_then(|pid| pid.parse::<u32>().ok())
                    .is_some_and(|pid| !alive(pid))
            });
            if stale && words.first().map(String::as_str) == Some("-A") {
                let mut delete = words.clone();
                delete[0] = "-D".into();
                iptables(&delete)?;
            }
        }
        Ok(Firewall {
            tag: format!("{TAG}{}", std::process::id()),
            rules: Vec::new(),
        })
    }

    fn spec(&self, rule: Drop) -> Vec<String> {
        [
            "OUTPUT",
            "-m",
            "owner",
            "--uid-owner",
            &rule.uid.to_string(),
            "-d",
            &format!("{}/32", rule.to),
            "-m",
            "comment",
            "--comment",
            &self.tag,
            "-j",
            "DROP",
        ]
        .map(str::to_owned)
        .to_vec()
    }

    /// Drops what `uid` sends to `to`, until healed.
    pub fn drop_flow(&mut self, uid: u32, to: Ipv4Addr) -> Result<(), FirewallError> {
        let rule = Drop { uid, to };
        if self.rules.contains(&rule) {
            return Ok(());
        }
        let mut args = vec!["-A".to_owned()];
        args.extend(self.spec(rule));
        iptables(&args)?;
        self.rules.push(rule);
        Ok(())
    }

    /// The rules in force.
    pub fn rules(&self) -> &[Drop] {
        &self.rules
    }

    /// Removes every rule of the run.
    pub fn heal(&mut self) -> Result<(), FirewallError> {
        while let Some(rule) = self.rules.pop() {
            let mut args = vec!["-D".to_owned()];
            args.extend(self.spec(rule));
            if let Err(error) = iptables(&args) {
                self.rules.push(rule);
                return Err(error);
            }
        }
        Ok(())
    }
}

impl std::ops::Drop for Firewall {
    fn drop(&mut self) {
        if let Err(error) = self.heal() {
            eprintln!("the partition rules could not all be removed: {error}");
        }
    }
}
