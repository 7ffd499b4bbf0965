//! `floor conference ...`: a whole event's programme on a running broker,
//! with the admin token: the import (one room per session), the staff
//! sheet, the sessions, the `ops` token.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Subcommand;
use floor_files::conference::{ProgrammeFormat, ProgrammeSession, TypeTemplates, read_programme};
use floor_protocol::Programme;
use floor_protocol::conference::{ConferenceImport, ConferenceSession, ImportOutcome};
use serde_json::Value;

use crate::atomic_file;
use crate::room_cli::{Server, call, request};

/// Conference commands.
#[derive(Debug, Subcommand)]
pub(crate) enum ConferenceCommand {
    /// Create a room for every session of a programme, or bring the rooms
    /// up to date with a changed one (titles, times, locations; a session
    /// gone from the programme is archived). Reads iCalendar (.ics), frab
    /// schedule XML (.xml) or JSON (.json), or CSV (.csv); prints what
    /// changed.
    Import {
        /// The programme file.
        file: PathBuf,
        /// A mapping from session type to a room file, whose run of show
        /// each new session's room gets (see examples/conference-types.toml).
        #[arg(long)]
        types: Option<PathBuf>,
        #[command(flatten)]
        server: Server,
    },
    /// Write the printable staff sheet: one A4 page per location and day,
    /// each session's staff links as QR codes and its join code.
    Sheet {
        /// Where to write the HTML page.
        #[arg(long, short)]
        output: PathBuf,
        #[command(flatten)]
        server: Server,
    },
    /// List the sessions, archived ones marked.
    List {
        #[command(flatten)]
        server: Server,
    },
    /// Issue a new read-only `ops` token for the venue dashboard (the old
    /// one stops working); prints the dashboard's link.
    OpsToken {
        #[command(flatten)]
        server: Server,
    },
}

/// Runs a conference command.
pub(crate) fn run(command: ConferenceCommand) -> anyhow::Result<()> {
    match command {
        ConferenceCommand::Import {
            file,
            types,
            server,
        } => {
            let sessions = read(&file, types.as_deref())?;
            let body = serde_json::to_value(ConferenceImport { sessions })?;
            let answer = call(&server, "PUT", "/api/conference", Some(body))?;
            let outcome: ImportOutcome = serde_json::from_value(answer)
                .context("the broker's answer is no import outcome")?;
            print_outcome(&outcome)?;
        }
        ConferenceCommand::Sheet { output, server } => {
            let html = request(
                &server.ca_file,
                &server.server,
                &server.admin_token,
                "GET",
                "/api/conference/sheet",
                None,
            )?;
            atomic_file::write(&output, html.as_bytes())
                .with_context(|| format!("cannot write {}", output.display()))?;
            println!("staff sheet written to {}", output.display());
        }
        ConferenceCommand::List { server } => {
            let answer = call(&server, "GET", "/api/conference", None)?;
            let mut text = String::new();
            for session in answer["sessions"].as_array().into_iter().flatten() {
                let archived = if session["archived"] == Value::Bool(true) {
                    "\t(archived)"
                } else {
                    ""
                };
                text.push_str(&format!(
                    "{}\t{}\t{}{archived}\n",
                    session["id"].as_str().unwrap_or("?"),
                    session["location"].as_str().unwrap_or("?"),
                    session["title"].as_str().unwrap_or("?"),
                ));
            }
            print_all(&text)?;
        }
        ConferenceCommand::OpsToken { server } => {
            let answer = call(&server, "POST", "/api/conference/ops-token", None)?;
            println!(
                "ops token (shown once): {}\nvenue dashboard: {}",
                answer["token"].as_str().unwrap_or("?"),
                answer["link"].as_str().unwrap_or("?")
            );
        }
    }
    Ok(())
}

/// The sessions of the programme `file`, each new room's run of show from
/// the type mapping `types`.
fn read(file: &Path, types: Option<&Path>) -> anyhow::Result<Vec<ConferenceSession>> {
    let format = ProgrammeFormat::from_path(file)?;
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let programme = read_programme(&text, format)
        .with_context(|| format!("{} does not read", file.display()))?;
    let templates = match types {
        Some(path) => Some(Templates::read(path)?),
        None => None,
    };
    let mut sessions = Vec::with_capacity(programme.len());
    let mut cache = HashMap::new();
    for session in programme {
        let run_of_show = match &templates {
            Some(templates) => templates.programme(&session, &mut cache)?,
            None => None,
        };
        sessions.push(wire(session, run_of_show)?);
    }
    Ok(sessions)
}

/// The type mapping and the folder its paths are relative to.
struct Templates {
    mapping: TypeTemplates,
    folder: PathBuf,
}

impl Templates {
    fn read(path: &Path) -> anyhow::Result<Templates> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let mapping = TypeTemplates::parse(&text)
            .with_context(|| format!("{} does not read", path.display()))?;
        let folder = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        Ok(Templates { mapping, folder })
    }

    /// The run of show of `session`'s type, in the session's time zone
    /// unless its room file names one.
    fn programme(
        &self,
        session: &ProgrammeSession,
        cache: &mut HashMap<PathBuf, Programme>,
    ) -> anyhow::Result<Option<Programme>> {
        let Some(file) = self.mapping.template_for(&session.kind) else {
            return Ok(None);
        };
        let path = self.folder.join(file);
        let mut programme = match cache.get(&path) {
            Some(programme) => programme.clone(),
            None => {
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("cannot read the room file {}", path.display()))?;
                let room = floor_files::programme::parse(&text)
                    .map_err(|error| anyhow::anyhow!("{}: {error}", path.display()))?;
                cache.insert(path.clone(), room.programme.clone());
                room.programme
            }
        };
        if programme.time_zone.is_none() {
            programme.time_zone.clone_from(&session.time_zone);
        }
        Ok(Some(programme))
    }
}

/// A session as the broker takes it.
fn wire(
    session: ProgrammeSession,
    programme: Option<Programme>,
) -> anyhow::Result<ConferenceSession> {
    let ms = |t: jiff::Timestamp| {
        u64::try_from(t.as_millisecond())
            .map_err(|_| anyhow::anyhow!("session {}: a time before 1970", session.uid))
    };
    let starts_at_ms = ms(session.starts_at)?;
    let ends_at_ms = ms(session.ends_at)?;
    if ends_at_ms <= starts_at_ms {
        bail!("session {}: it ends before it starts", session.uid);
    }
    Ok(ConferenceSession {
        id: session.id,
        uid: session.uid,
        title: session.title,
        starts_at_ms,
        ends_at_ms,
        location: session.location,
        kind: session.kind,
        time_zone: session.time_zone,
        programme,
    })
}

/// Writes `text` to stdout; a reader that stopped early (`| head`) is no
/// error.
fn print_all(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(anyhow::Error::new(error).context("cannot write to stdout"))
        }
        _ => Ok(()),
    }
}

fn print_outcome(outcome: &ImportOutcome) -> anyhow::Result<()> {
    let mut text = format!(
        "{} created, {} changed, {} archived, {} restored, {} unchanged\n",
        outcome.created.len(),
        outcome.changed.len(),
        outcome.archived.len(),
        outcome.restored.len(),
        outcome.unchanged
    );
    for id in &outcome.created {
        text.push_str(&format!("  created   {id}\n"));
    }
    for changed in &outcome.changed {
        text.push_str(&format!(
            "  changed   {} ({})\n",
            changed.id,
            changed.fields.join(", ")
        ));
    }
    for id in &outcome.archived {
        text.push_str(&format!("  archived  {id}\n"));
    }
    for id in &outcome.restored {
        text.push_str(&format!("  restored  {id}\n"));
    }
    print_all(&text)
}
