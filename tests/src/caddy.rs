//! Caddy as a TLS reverse proxy in front of a test broker, with its
//! internal CA (`tls internal`), as the clustered deployment runs it.
//!
//! Everything Caddy keeps (its CA, certificates, config) lives in a
//! temporary directory; `skip_install_trust` keeps it away from the
//! machine's trust store, and `admin off` from a port of its own. The
//! binary is `CADDY` when set, else Debian's `/usr/bin/caddy` (which
//! `scripts/test` installs).

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::DEADLINE;

/// The caddy binary.
pub fn caddy_bin() -> PathBuf {
    let bin = std::env::var_os("CADDY")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/caddy"));
    assert!(
        bin.exists(),
        "caddy is missing: run scripts/test (it installs Debian's caddy), or \
         `apt-get install caddy`, or set CADDY"
    );
    bin
}

/// A running Caddy terminating TLS for `https://localhost:PORT`, killed
/// when dropped.
pub struct Caddy {
    child: Child,
    /// The HTTPS port on localhost.
    pub port: u16,
    /// The root certificate of Caddy's internal CA (PEM).
    pub root: PathBuf,
}

impl Caddy {
    /// Starts Caddy in `dir` (its config, data and logs), proxying
    /// `https://localhost:PORT` to `upstream`; returns once the CA's root
    /// exists and an HTTPS request through it is answered.
    pub fn start(dir: &Path, upstream: SocketAddr) -> Caddy {
        let port = TcpListener::bind(("127.0.0.1", 0))
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let storage = dir.join("storage");
        let config = dir.join("Caddyfile");
        std::fs::write(
            &config,
            format!(
                "{{\n\tadmin off\n\tskip_install_trust\n\tlocal_certs\n\tauto_https disable_redirects\n\
                 \tstorage file_system {storage}\n}}\n\n\
                 https://localhost:{port} {{\n\ttls internal\n\treverse_proxy {upstream}\n}}\n",
                storage = storage.display(),
            ),
        )
        .expect("the Caddyfile is written");
        let home = dir.join("home");
        std::fs::create_dir_all(&home).expect("a home for caddy");
        let log = std::fs::File::create(dir.join("caddy.log")).expect("a log file");
        let child = Command::new(caddy_bin())
            .args(["run", "--adapter", "caddyfile", "--config"])
            .arg(&config)
            .env("HOME", &home)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CONFIG_HOME", home.join("config"))
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone().expect("the log again")))
            .stderr(Stdio::from(log))
            .spawn()
            .expect("caddy starts");
        let mut caddy = Caddy {
            child,
            port,
            root: storage.join("pki/authorities/local/root.crt"),
        };
        caddy.wait_until_serving(dir);
        caddy
    }

    /// The HTTPS base URL, `https://localhost:PORT`.
    pub fn https_url(&self) -> String {
        format!("https://localhost:{}", self.port)
    }

    /// Polls until the root certificate exists and `/healthz` is answered
    /// over TLS with it trusted; panics with Caddy's log after
    /// [`DEADLINE`] or if Caddy exits.
    fn wait_until_serving(&mut self, dir: &Path) {
        let until = Instant::now() + DEADLINE;
        let mut last = String::from("nothing tried yet");
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "caddy exited ({status}): {}",
                    std::fs::read_to_string(dir.join("caddy.log")).unwrap_or_default()
                );
            }
            if self.root.exists() {
                match self.get("/healthz") {
                    Ok(_) => return,
                    Err(error) => last = error,
                }
            }
            assert!(
                Instant::now() < until,
                "caddy did not serve https://localhost:{} in time ({last}): {}",
                self.port,
                std::fs::read_to_string(dir.join("caddy.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// A GET through Caddy, trusting its CA only; the status, or why not.
    fn get(&self, path: &str) -> Result<u16, String> {
        let pem = std::fs::read(&self.root).map_err(|e| e.to_string())?;
        let root = ureq::tls::Certificate::from_pem(&pem).map_err(|e| e.to_string())?;
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(2)))
            .tls_config(
                ureq::tls::TlsConfig::builder()
                    .root_certs(ureq::tls::RootCerts::new_with_certs(&[root]))
                    .build(),
            )
            .build()
            .into();
        agent
            .get(format!("{}{path}", self.https_url()))
            .call()
            .map(|r| r.status().as_u16())
            .map_err(|e| e.to_string())
    }
}

impl Drop for Caddy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
