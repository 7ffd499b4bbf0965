//! `floor room ...`: room management through a running broker's HTTP API,
//! with the admin token.

use anyhow::{Context, bail};
use clap::Subcommand;
use floor_protocol::Role;
use serde_json::{Value, json};

use crate::ca_file::CaFile;

/// Room commands.
#[derive(Debug, Subcommand)]
pub(crate) enum RoomCommand {
    /// Create a room and print a link for each role.
    Create {
        /// The room id: a-z, 0-9 and '-'.
        id: String,
        /// The room's title.
        #[arg(long)]
        title: String,
        #[command(flatten)]
        server: Server,
    },
    /// List the rooms.
    List {
        #[command(flatten)]
        server: Server,
    },
    /// Replace a room's tokens (all roles, or those named), invalidating
    /// leaked links; prints the new links.
    RotateToken {
        /// The room id.
        id: String,
        /// A role to rotate (repeatable); all roles when absent.
        #[arg(long, value_parser = parse_role)]
        role: Vec<Role>,
        #[command(flatten)]
        server: Server,
    },
}

/// Where the broker is, and the admin token.
#[derive(Debug, clap::Args)]
pub(crate) struct Server {
    /// The broker's URL (https:// for a broker behind a TLS proxy).
    #[arg(long, env = "FLOOR_SERVER", default_value = "http://127.0.0.1:8080")]
    pub(crate) server: String,
    /// The admin token.
    #[arg(long, env = "FLOOR_ADMIN_TOKEN", hide_env_values = true)]
    pub(crate) admin_token: String,
    #[command(flatten)]
    pub(crate) ca_file: CaFile,
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::ALL
        .into_iter()
        .find(|r| r.as_str() == text)
        .ok_or_else(|| "one of chair, moderator, runner, participant, display".to_owned())
}

pub(crate) fn call(
    server: &Server,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> anyhow::Result<Value> {
    let text = request(
        &server.ca_file,
        &server.server,
        &server.admin_token,
        method,
        path,
        body,
    )?;
    serde_json::from_str(&text).context("the broker answered without JSON")
}

/// Sends a request to a broker's HTTP API with a bearer token; returns the
/// answer's body, or an error with the broker's message when it refused.
/// An `https://` server's certificate is checked against the roots
/// `ca_file` describes.
pub(crate) fn request(
    ca_file: &CaFile,
    server: &str,
    token: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> anyhow::Result<String> {
    let url = format!("{}{path}", server.trim_end_matches('/'));
    let auth = format!("Bearer {token}");
    let agent = ca_file.agent()?;
    let response = match (method, body) {
        ("POST", Some(body)) => agent
            .post(&url)
            .header("Authorization", &auth)
            .send_json(body),
        ("POST", None) => agent.post(&url).header("Authorization", &auth).send_empty(),
        ("PUT", Some(body)) => agent
            .put(&url)
            .header("Authorization", &auth)
            .send_json(body),
        _ => agent.get(&url).header("Authorization", &auth).call(),
    }
    .map_err(|error| match certificate_problem(&error) {
        Some(reason) => anyhow::anyhow!(
            "the certificate of {server} is not trusted: {reason}. If the broker is behind a \
             proxy with a private certificate authority (e.g. Caddy's `tls internal`), trust \
             its root certificate with --ca-file PATH or FLOOR_CA_FILE"
        ),
        None => anyhow::Error::new(error).context(format!("cannot reach the broker at {server}")),
    })?;
    let status = response.status();
    let text = response
        .into_body()
        .read_to_string()
        .with_context(|| format!("cannot read the broker's answer ({status})"))?;
    if !status.is_success() {
        let message = serde_json::from_str::<Value>(&text)
            .ok()
            .and_then(|v| v["message"].as_str().map(str::to_owned))
            .unwrap_or(text);
        bail!("the broker refused ({status}): {message}");
    }
    Ok(text)
}

/// Whether the request failed on the server's certificate: why, in words.
/// (ureq's errors carry no source chain; the TLS error is inside.)
fn certificate_problem(error: &ureq::Error) -> Option<String> {
    match error {
        ureq::Error::Io(io) => floor_client::tls::certificate_problem(io),
        ureq::Error::Rustls(tls) => floor_client::tls::certificate_problem(tls),
        _ => None,
    }
}

fn print_links(value: &Value) {
    println!(
        "room {}: {}",
        value["id"].as_str().unwrap_or("?"),
        value["title"].as_str().unwrap_or("?")
    );
    if let Some(links) = value["links"].as_object() {
        for (role, link) in links {
            println!("  {role:<12} {}", link.as_str().unwrap_or("?"));
        }
    }
}

/// Runs a room command.
pub(crate) fn run(command: RoomCommand) -> anyhow::Result<()> {
    match command {
        RoomCommand::Create { id, title, server } => {
            let value = call(
                &server,
                "POST",
                "/api/rooms",
                Some(json!({ "id": id, "title": title })),
            )?;
            print_links(&value);
        }
        RoomCommand::List { server } => {
            let value = call(&server, "GET", "/api/rooms", None)?;
            for room in value.as_array().into_iter().flatten() {
                println!(
                    "{}\t{}",
                    room["id"].as_str().unwrap_or("?"),
                    room["title"].as_str().unwrap_or("?")
                );
            }
        }
        RoomCommand::RotateToken { id, role, server } => {
            // `{}` rotates every role.
            let body = if role.is_empty() {
                Some(json!({}))
            } else {
                Some(json!({ "roles": role }))
            };
            let value = call(&server, "POST", &format!("/api/rooms/{id}/rotate"), body)?;
            print_links(&value);
        }
    }
    Ok(())
}
