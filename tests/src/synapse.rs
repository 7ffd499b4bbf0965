//! A real Matrix homeserver for the bridge's tests: Synapse, from PyPI,
//! on loopback with SQLite; users registered with the shared secret; and
//! the client-server API calls the tests make as remote participants.
//!
//! Synapse is the one `scripts/test` installs into `.tools/synapse`
//! (`SYNAPSE_PYTHONPATH` overrides the directory). Its rate limits are
//! raised so that the tests' own pace never meets them, except where a
//! test sets its own.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::DEADLINE;

/// Where Synapse is installed.
fn synapse_path() -> PathBuf {
    if let Some(path) = std::env::var_os("SYNAPSE_PYTHONPATH") {
        return PathBuf::from(path);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
        .to_path_buf();
    let installed = root.join(".tools/synapse");
    assert!(
        installed.join("synapse").exists(),
        "Synapse is missing: run scripts/test (it installs it into .tools/synapse), or \
         `python3 -m pip install --target .tools/synapse matrix-synapse`, or set SYNAPSE_PYTHONPATH"
    );
    installed
}

/// The shared secret users are registered with.
const SHARED_SECRET: &str = "floor-tests-registration-secret";

/// A running Synapse, killed when dropped.
pub struct Synapse {
    child: Option<Child>,
    dir: tempfile::TempDir,
    /// Its base URL, `http://127.0.0.1:PORT`.
    pub url: String,
    agent: ureq::Agent,
}

/// A user of the homeserver.
#[derive(Debug, Clone)]
pub struct User {
    /// The user id, `@name:localhost`.
    pub id: String,
    /// The user name.
    pub name: String,
    /// The password.
    pub password: String,
    /// An access token.
    pub token: String,
}

impl Synapse {
    /// Starts a homeserver named `localhost` and waits until it answers.
    pub fn start() -> Synapse {
        let dir = tempfile::tempdir().expect("a directory");
        let port = crate::containers::free_port();
        let config = format!(
            r#"server_name: "localhost"
pid_file: "{dir}/homeserver.pid"
listeners:
  - port: {port}
    bind_addresses: ["127.0.0.1"]
    type: http
    tls: false
    x_forwarded: false
    resources:
      - names: [client]
        compress: false
database:
  name: sqlite3
  args:
    database: "{dir}/homeserver.db"
media_store_path: "{dir}/media"
signing_key_path: "{dir}/localhost.signing.key"
log_config: "{dir}/log.yaml"
registration_shared_secret: "{SHARED_SECRET}"
report_stats: false
enable_registration: false
suppress_key_server_warning: true
trusted_key_servers: []
presence:
  enabled: false
rc_message: {{per_second: 1000, burst_count: 1000}}
rc_login:
  address: {{per_second: 1000, burst_count: 1000}}
  account: {{per_second: 1000, burst_count: 1000}}
  failed_attempts: {{per_second: 1000, burst_count: 1000}}
rc_joins:
  local: {{per_second: 1000, burst_count: 1000}}
rc_registration: {{per_second: 1000, burst_count: 1000}}
rc_admin_redaction: {{per_second: 1000, burst_count: 1000}}
"#,
            dir = dir.path().display()
        );
        std::fs::write(dir.path().join("homeserver.yaml"), config).expect("the config");
        std::fs::write(
            dir.path().join("log.yaml"),
            format!(
                "version: 1\nformatters:\n  plain:\n    format: '%(asctime)s %(levelname)s %(name)s %(message)s'\n\
                 handlers:\n  file:\n    class: logging.FileHandler\n    filename: {}/homeserver.log\n    formatter: plain\n\
                 root:\n  level: WARNING\n  handlers: [file]\ndisable_existing_loggers: false\n",
                dir.path().display()
            ),
        )
        .expect("the log config");
        let status = python(dir.path())
            .args(["--generate-keys"])
            .stdout(Stdio::null())
            .status()
            .expect("python3 runs Synapse");
        assert!(status.success(), "Synapse could not make its signing key");
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .new_agent();
        let mut synapse = Synapse {
            child: None,
            dir,
            url: format!("http://127.0.0.1:{port}"),
            agent,
        };
        synapse.spawn();
        synapse
    }

    fn spawn(&mut self) {
        let log = std::fs::File::create(self.dir.path().join("stderr.log")).expect("a log file");
        let child = python(self.dir.path())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("Synapse starts");
        self.child = Some(child);
        let deadline = Instant::now() + DEADLINE;
        loop {
            let up = self
                .agent
                .get(format!("{}/_matrix/client/versions", self.url))
                .call()
                .is_ok_and(|r| r.status() == 200);
            if up {
                return;
            }
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                panic!("Synapse exited ({status}): {}", self.log());
            }
            assert!(
                Instant::now() < deadline,
                "Synapse did not answer: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// What Synapse wrote to its logs.
    pub fn log(&self) -> String {
        let read =
            |name: &str| std::fs::read_to_string(self.dir.path().join(name)).unwrap_or_default();
        format!("{}{}", read("stderr.log"), read("homeserver.log"))
    }

    /// Stops it (SIGKILL) and starts it again on the same port and data.
    pub fn restart(&mut self) {
        self.stop();
        self.spawn();
    }

    /// Stops it with SIGKILL.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Registers a user with the shared secret.
    pub fn register(&self, name: &str) -> User {
        let nonce = self
            .call("GET", "/_synapse/admin/v1/register", None, None)
            .get("nonce")
            .and_then(Value::as_str)
            .expect("a nonce")
            .to_owned();
        let password = format!("{name}-password");
        let mac = hmac_sha1_hex(
            SHARED_SECRET.as_bytes(),
            format!("{nonce}\0{name}\0{password}\0notadmin").as_bytes(),
        );
        let answer = self.call(
            "POST",
            "/_synapse/admin/v1/register",
            None,
            Some(
                json!({"nonce": nonce, "username": name, "password": password,
                        "admin": false, "mac": mac}),
            ),
        );
        User {
            id: answer["user_id"].as_str().expect("a user id").to_owned(),
            name: name.to_owned(),
            password,
            token: answer["access_token"].as_str().expect("a token").to_owned(),
        }
    }

    /// A client-server API call as `token` (none for public calls);
    /// panics on an error status.
    pub fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Value {
        let (status, answer) = self.try_call(method, path, token, body);
        assert!(
            (200..300).contains(&status),
            "{method} {path}: {status} {answer}"
        );
        answer
    }

    /// A client-server API call; its status and body.
    pub fn try_call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let url = format!("{}{path}", self.url);
        let auth = token.map(|t| format!("Bearer {t}"));
        let response = match (method, body) {
            ("GET", _) => {
                let mut request = self.agent.get(&url);
                if let Some(auth) = &auth {
                    request = request.header("Authorization", auth);
                }
                request.call()
            }
            (method, body) => {
                let mut request = match method {
                    "PUT" => self.agent.put(&url),
                    _ => self.agent.post(&url),
                };
                if let Some(auth) = &auth {
                    request = request.header("Authorization", auth);
                }
                request.send_json(body.unwrap_or_else(|| json!({})))
            }
        };
        let mut response = response.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Creates a public room as `owner`; its id.
    pub fn create_room(&self, owner: &User, name: &str) -> String {
        let answer = self.call(
            "POST",
            "/_matrix/client/v3/createRoom",
            Some(&owner.token),
            Some(json!({"name": name, "preset": "public_chat", "visibility": "private"})),
        );
        answer["room_id"].as_str().expect("a room id").to_owned()
    }

    /// `user` joins `room`.
    pub fn join(&self, user: &User, room: &str) {
        self.call(
            "POST",
            &format!("/_matrix/client/v3/join/{}", encode(room)),
            Some(&user.token),
            None,
        );
    }

    /// `user` leaves `room`.
    pub fn leave(&self, user: &User, room: &str) {
        self.call(
            "POST",
            &format!("/_matrix/client/v3/rooms/{}/leave", encode(room)),
            Some(&user.token),
            None,
        );
    }

    /// Sends an event of `kind` with `content` as `user`; its event id.
    pub fn send(&self, user: &User, room: &str, kind: &str, content: Value) -> String {
        let txn = uuid::Uuid::new_v4().simple().to_string();
        let answer = self.call(
            "PUT",
            &format!(
                "/_matrix/client/v3/rooms/{}/send/{kind}/{txn}",
                encode(room)
            ),
            Some(&user.token),
            Some(content),
        );
        answer["event_id"].as_str().expect("an event id").to_owned()
    }

    /// Sends a text message as `user`; its event id.
    pub fn say(&self, user: &User, room: &str, body: &str) -> String {
        self.send(
            user,
            room,
            "m.room.message",
            json!({"msgtype": "m.text", "body": body}),
        )
    }

    /// Reacts to `target` with `key` as `user`; the reaction's event id.
    pub fn react(&self, user: &User, room: &str, target: &str, key: &str) -> String {
        self.send(
            user,
            room,
            "m.reaction",
            json!({"m.relates_to": {"rel_type": "m.annotation", "event_id": target, "key": key}}),
        )
    }

    /// Redacts `event` as `user`.
    pub fn redact(&self, user: &User, room: &str, event: &str) {
        let txn = uuid::Uuid::new_v4().simple().to_string();
        self.call(
            "PUT",
            &format!(
                "/_matrix/client/v3/rooms/{}/redact/{}/{txn}",
                encode(room),
                encode(event)
            ),
            Some(&user.token),
            Some(json!({})),
        );
    }

    /// The room's last `limit` events, newest first, as `user` sees them.
    pub fn recent(&self, user: &User, room: &str, limit: u32) -> Vec<Value> {
        let answer = self.call(
            "GET",
            &format!(
                "/_matrix/client/v3/rooms/{}/messages?dir=b&limit={limit}",
                encode(room)
            ),
            Some(&user.token),
            None,
        );
        answer["chunk"].as_array().cloned().unwrap_or_default()
    }

    /// The messages of `thread`, oldest first, each with the text it shows
    /// now (its latest edit's).
    pub fn thread(&self, user: &User, room: &str, thread: &str) -> Vec<Value> {
        let answer = self.call(
            "GET",
            &format!(
                "/_matrix/client/v1/rooms/{}/relations/{}/m.thread?limit=100&dir=f",
                encode(room),
                encode(thread)
            ),
            Some(&user.token),
            None,
        );
        answer["chunk"].as_array().cloned().unwrap_or_default()
    }

    /// The text `event` shows now: its latest edit's, else its own.
    pub fn shown(&self, user: &User, room: &str, event: &Value) -> String {
        let id = event["event_id"].as_str().unwrap_or_default();
        let edits = self.call(
            "GET",
            &format!(
                "/_matrix/client/v1/rooms/{}/relations/{}/m.replace?limit=100&dir=b",
                encode(room),
                encode(id)
            ),
            Some(&user.token),
            None,
        );
        edits["chunk"]
            .as_array()
            .and_then(|chunk| chunk.first())
            .and_then(|edit| edit["content"]["m.new_content"]["body"].as_str())
            .or_else(|| event["content"]["body"].as_str())
            .unwrap_or_default()
            .to_owned()
    }
}

impl Drop for Synapse {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `python3 -m synapse.app.homeserver` on the config in `dir`.
fn python(dir: &Path) -> Command {
    let mut command = Command::new("python3");
    command
        .env("PYTHONPATH", synapse_path())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .args(["-m", "synapse.app.homeserver", "--config-path"])
        .arg(dir.join("homeserver.yaml"));
    command
}

/// A path segment, percent-encoded (room and event ids hold `!`, `$`,
/// `:` and `#`).
pub fn encode(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// HMAC-SHA1 of `message` under `key`, in lowercase hex (Synapse's
/// shared-secret registration).
fn hmac_sha1_hex(key: &[u8], message: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(key).expect("any key length");
    mac.update(message);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
