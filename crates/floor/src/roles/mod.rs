//! `floor runner|moderator|chair|display ...`: the role clients on the
//! command line, over `floor-client`.
//!
//! Each command connects with the room link and token of its role
//! (`--url`/`FLOOR_URL`, `--token`/`FLOOR_TOKEN`), does one thing, and
//! exits with a code scripts can rely on (see [`Exit`]).

pub(crate) mod chair;
pub(crate) mod display;
pub(crate) mod moderator;
pub(crate) mod runner;

use std::time::Duration;

use floor_client::{Client, ConnectError, ConnectOptions, RequestError, RoomState};
use floor_protocol::Entry;
use serde::de::DeserializeOwned;
use uuid::Uuid;

/// The exit codes of the role commands.
pub(crate) const EXIT_CODES: &str = "\
Exit codes:
  0  done
  1  the broker refused the command; nothing changed (or, for import, some lines were not imported)
  2  usage error
  3  the broker cannot be reached (or its TLS certificate is not trusted)
  4  the token or room was refused
  5  no answer in time; the command may or may not have taken effect";

/// Why a role command failed, with its exit code.
#[derive(Debug)]
pub(crate) enum Exit {
    /// The broker refused; nothing changed.
    Refused(String),
    /// Bad arguments.
    Usage(String),
    /// The broker cannot be reached.
    Unreachable(String),
    /// The token or room was refused.
    Unauthorized(String),
    /// No answer in time.
    TimedOut(String),
}

impl Exit {
    /// The process exit code.
    pub(crate) fn code(&self) -> i32 {
        match self {
            Exit::Refused(_) => 1,
            Exit::Usage(_) => 2,
            Exit::Unreachable(_) => 3,
            Exit::Unauthorized(_) => 4,
            Exit::TimedOut(_) => 5,
        }
    }

    /// The message for stderr.
    pub(crate) fn message(&self) -> &str {
        match self {
            Exit::Refused(m)
            | Exit::Usage(m)
            | Exit::Unreachable(m)
            | Exit::Unauthorized(m)
            | Exit::TimedOut(m) => m,
        }
    }
}

impl From<ConnectError> for Exit {
    fn from(error: ConnectError) -> Exit {
        match error {
            ConnectError::Unreachable { .. } => Exit::Unreachable(error.to_string()),
            ConnectError::Refused { .. } => Exit::Unauthorized(error.to_string()),
            ConnectError::NoToken => Exit::Usage(error.to_string()),
            ConnectError::Certificate { .. } => Exit::Unreachable(format!(
                "{error}. If the broker is behind a proxy with a private certificate authority \
                 (e.g. Caddy's `tls internal`), trust its root certificate with --ca-file PATH \
                 or FLOOR_CA_FILE"
            )),
            ConnectError::Tls(_) => Exit::Usage(error.to_string()),
        }
    }
}

impl From<RequestError> for Exit {
    fn from(error: RequestError) -> Exit {
        match error {
            RequestError::Refused(refusal) => Exit::Refused(format!("refused: {refusal}")),
            RequestError::TimedOut { .. } => Exit::TimedOut(error.to_string()),
            // The request may have reached the broker before the end.
            RequestError::Closed(reason) => Exit::TimedOut(format!(
                "the connection ended before an answer ({reason}); the command may or may not have taken effect"
            )),
            RequestError::Invalid(reason) => Exit::Usage(reason),
        }
    }
}

/// Where the room is and who the command acts as.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Connection {
    /// The room link of your role, as the broker printed it, e.g.
    /// http://hall.example:8080/r/ws235/runner#token=... (https:// links
    /// connect over TLS; the token may also come from --token).
    #[arg(long, env = "FLOOR_URL")]
    url: String,
    /// The role token; overrides a token in the link.
    #[arg(long, env = "FLOOR_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Seconds to wait for the broker (connecting, and each answer).
    #[arg(long, default_value_t = 15, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    timeout: u64,
    /// This client's id (request ids are scoped to it); random when absent.
    #[arg(long, env = "FLOOR_CLIENT_ID", value_name = "ID",
          default_value_t = Uuid::new_v4().to_string(), hide_default_value = true)]
    client_id: String,
    /// The request id of the command; random when absent. Repeating a
    /// command with the same --client-id and --request-id makes it take
    /// effect at most once (e.g. after exit code 5).
    #[arg(long, value_name = "ID",
          default_value_t = Uuid::new_v4().simple().to_string(), hide_default_value = true)]
    request_id: String,
    #[command(flatten)]
    ca_file: crate::ca_file::CaFile,
    /// Print JSON instead of text, for scripts.
    #[arg(long)]
    pub(crate) json: bool,
}

impl Connection {
    /// Connects.
    pub(crate) async fn connect(&self) -> Result<Client, Exit> {
        let mut options = ConnectOptions::from_link(&self.url)
            .map_err(|e| Exit::Usage(format!("--url / FLOOR_URL: {e}")))?
            .agent(concat!("floor-cli/", env!("CARGO_PKG_VERSION")))
            .client_id(self.client_id.clone())
            .request_timeout(Duration::from_secs(self.timeout))
            .connect_timeout(Duration::from_secs(self.timeout));
        if let Some(token) = &self.token {
            options = options.token(token.clone());
        }
        let options = self.ca_file.apply(options).map_err(Exit::Usage)?;
        Ok(Client::connect(options).await?)
    }

    /// Sends the command with this invocation's request id.
    pub(crate) async fn command(
        &self,
        client: &Client,
        command: floor_protocol::Command,
    ) -> Result<floor_client::Ack, Exit> {
        self.request(client, command)
            .await
            .map_err(|error| self.exit(error))
    }

    /// Sends the command with this invocation's request id; the broker's
    /// answer as it came, for a caller that explains some refusals itself.
    pub(crate) async fn request(
        &self,
        client: &Client,
        command: floor_protocol::Command,
    ) -> Result<floor_client::Ack, RequestError> {
        client
            .command_with_id(self.request_id.clone(), command)
            .await
    }

    /// The exit of a command that failed.
    pub(crate) fn exit(&self, error: RequestError) -> Exit {
        match error {
            RequestError::TimedOut { .. } => Exit::TimedOut(format!(
                "no answer in time; the command may or may not have taken effect. \
                 Repeat it with --client-id {} --request-id {} to make sure it takes effect once",
                self.client_id, self.request_id
            )),
            other => other.into(),
        }
    }
}

/// Reads a wire name (`civil_society`, `weog`, ...) as a protocol value.
pub(crate) fn wire<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    serde_json::from_value(serde_json::Value::String(text.replace('-', "_")))
        .map_err(|_| format!("{text:?} is not one of the accepted values"))
}

/// Finds an entry by its id or a prefix of it (at least 4 characters).
pub(crate) fn resolve(state: &RoomState, reference: &str) -> Result<Uuid, Exit> {
    if let Ok(id) = Uuid::parse_str(reference) {
        return Ok(id);
    }
    let prefix = reference.to_ascii_lowercase();
    if prefix.len() < 4 || !prefix.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return Err(Exit::Usage(format!(
            "{reference:?} is not an entry id (give the id, or its first 4 or more characters)"
        )));
    }
    let matches: Vec<&Entry> = state
        .view()
        .entries
        .iter()
        .filter(|e| e.id.to_string().starts_with(&prefix))
        .collect();
    match matches.as_slice() {
        [one] => Ok(one.id),
        [] => Err(Exit::Refused(format!(
            "no entry id starts with {reference}"
        ))),
        _ => Err(Exit::Usage(format!(
            "{} entries start with {reference}; give more characters",
            matches.len()
        ))),
    }
}

/// The first 8 characters of an id, as people read it.
pub(crate) fn short(id: Uuid) -> String {
    id.to_string()[..8].to_owned()
}

/// "1st", "2nd", ... for a 0-based place.
pub(crate) fn ordinal(place: usize) -> String {
    let n = place + 1;
    let suffix = match (n % 10, n % 100) {
        (1, 11) | (2, 12) | (3, 13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// Prints a value as one line of JSON; false when stdout is gone (a
/// closed pipe).
pub(crate) fn print_json(value: &impl serde::Serialize) -> bool {
    use std::io::Write;
    match serde_json::to_string(value) {
        Ok(text) => writeln!(std::io::stdout().lock(), "{text}").is_ok(),
        Err(e) => {
            tracing::error!(%e, "cannot print JSON");
            true
        }
    }
}

/// Where an entry stands, in words: speaking, nth in line, or its status.
pub(crate) fn standing(state: &RoomState, id: Uuid) -> String {
    if state.speaking().is_some_and(|(s, _)| s.entry_id == id) {
        return "speaking now".into();
    }
    if let Some(place) = state.place(id) {
        return format!("{} in line", ordinal(place));
    }
    match state.entry(id) {
        Some(entry) => format!("{:?}", entry.status).to_lowercase(),
        None => "unknown".into(),
    }
}

/// Connects, finds the entry `reference` names, sends the command built
/// for it, and prints the outcome.
pub(crate) async fn on_entry(
    connection: &Connection,
    reference: &str,
    verb: &str,
    build: impl FnOnce(Uuid) -> floor_protocol::Command,
) -> Result<(), Exit> {
    let client = connection.connect().await?;
    let id = client.with_state(|s| resolve(s, reference))?;
    let ack = connection.command(&client, build(id)).await?;
    done(&client, connection.json, verb, id, &ack).await;
    Ok(())
}

/// Sends `patch` as an `edit` of the entry `reference` names, or, when the
/// patch changes nothing, says which options would (`usage`).
pub(crate) async fn edit(
    connection: &Connection,
    reference: &str,
    patch: floor_protocol::EntryPatch,
    usage: &str,
    verb: &str,
) -> Result<(), Exit> {
    if patch.is_empty() {
        return Err(Exit::Usage(format!("nothing to change: give {usage}")));
    }
    on_entry(connection, reference, verb, |entry_id| {
        floor_protocol::Command::Edit { entry_id, patch }
    })
    .await
}

/// Connects, submits a new entry, and prints where it stands.
pub(crate) async fn submit(
    connection: &Connection,
    entry: floor_protocol::EntryDraft,
) -> Result<(), Exit> {
    let client = connection.connect().await?;
    let ack = connection
        .command(&client, floor_protocol::Command::Submit { entry })
        .await?;
    let id = ack
        .entry_id
        .ok_or_else(|| Exit::Refused("no entry id in the answer".into()))?;
    done(&client, connection.json, "added", id, &ack).await;
    Ok(())
}

/// Prints the outcome of a command on one entry and closes.
#[allow(clippy::print_stdout)]
pub(crate) async fn done(
    client: &Client,
    json: bool,
    verb: &str,
    id: Uuid,
    ack: &floor_client::Ack,
) {
    let state = client.state();
    if json {
        print_json(&serde_json::json!({
            "ok": true,
            "entry_id": id,
            "seq": ack.last_seq,
            "duplicate": ack.duplicate,
            "status": state.entry(id).map(|e| e.status),
            "place": state.place(id),
        }));
    } else {
        let name = state
            .entry(id)
            .map(|e| e.person.name.clone())
            .unwrap_or_default();
        println!("{verb} {name} ({}): {}", short(id), standing(&state, id));
    }
    client.close().await;
}
