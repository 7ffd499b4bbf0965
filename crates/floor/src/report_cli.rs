//! `floor report`: a session report from a room's event log, as Markdown,
//! JSON, CSV or HTML with charts, in one of the six UN languages
//! (`--lang`; the JSON and CSV forms are the same in every language);
//! with `--conference`, the event's participation report, one row per
//! session of the conference, from a running broker.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, bail};
use floor_core::declarations::Declarations;
use floor_files::Lang;
use floor_files::report::Report;
use floor_protocol::RoomEvent;

/// The report's format.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(crate) enum Format {
    /// Markdown, for the rapporteur.
    Md,
    /// JSON, every figure.
    Json,
    /// CSV, one figure per row.
    Csv,
    /// HTML with two charts, for printing on A4.
    Html,
}

/// `floor report` arguments.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  floor report ws235 --data ./floor-data > report.md\n  floor report ws235 --events tests/fixtures/ws235-session.jsonl --format csv\n  floor report ws235 --data ./floor-data --lang fr --format html -o ws235-fr.html\n  floor report ws235 --server https://floor.example.org --format html -o ws235.html   (any store; the admin token from FLOOR_ADMIN_TOKEN)\n  floor report --conference --server https://floor.example.org --format csv -o event.csv   (the admin or the ops token)"
)]
pub(crate) struct ReportArgs {
    /// The room id (none with `--conference`).
    #[arg(required_unless_present = "conference")]
    room: Option<String>,
    /// The event's participation report instead of one session's: one row
    /// per session of the conference, from a running broker (`--server`,
    /// with the admin or the `ops` token).
    #[arg(long, requires = "server", conflicts_with_all = ["room", "events", "title"])]
    conference: bool,
    /// The broker's data directory (safe to read while the broker runs).
    #[arg(long, env = "FLOOR_DATA", default_value = "floor-data")]
    data: PathBuf,
    /// Read the events from a JSON-lines file (one event per line, e.g. a
    /// recording) instead of the data directory.
    #[arg(long, value_name = "FILE", conflicts_with = "server")]
    events: Option<PathBuf>,
    /// Ask a running broker for the report instead of reading `--data`
    /// (its URL): works with either store, e.g. brokers sharing rooms
    /// through NATS JetStream.
    #[arg(long, value_name = "URL", conflicts_with = "title")]
    server: Option<String>,
    /// With `--server`: the admin token, or the room's chair token (with
    /// `--conference`, the admin or the `ops` token).
    #[arg(
        long,
        visible_alias = "admin-token",
        env = "FLOOR_ADMIN_TOKEN",
        hide_env_values = true
    )]
    token: Option<String>,
    #[command(flatten)]
    ca_file: crate::ca_file::CaFile,
    /// The format.
    #[arg(long, value_enum, default_value_t = Format::Md)]
    format: Format,
    /// The language of the Markdown and HTML forms: ar, zh, en, fr, ru or
    /// es (JSON and CSV are the same in every language).
    #[arg(long, default_value_t = Lang::En, value_name = "ar|zh|en|fr|ru|es")]
    lang: Lang,
    /// The session's title; by default the room's title.
    #[arg(long)]
    title: Option<String>,
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    out: Option<PathBuf>,
}

/// The room's title, its events and the genders declared beside them (a
/// recording of events holds none but legacy `gender_declared` events).
fn read_events(args: &ReportArgs) -> anyhow::Result<(String, Vec<RoomEvent>, Declarations)> {
    let room = args.room()?;
    if let Some(file) = &args.events {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        let events = text
            .lines()
            .enumerate()
            .filter(|(_, line)| !line.trim().is_empty())
            .map(|(i, line)| {
                serde_json::from_str(line)
                    .with_context(|| format!("{} line {}: not an event", file.display(), i + 1))
            })
            .collect::<anyhow::Result<_>>()?;
        return Ok((room.to_owned(), events, Declarations::new()));
    }
    let path = args.data.join("floor.db");
    if !path.exists() {
        bail!("no log at {} (give --data or --events)", path.display());
    }
    let store = floor_store::Store::open_existing(&path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    let title = store
        .rooms()?
        .into_iter()
        .find(|r| r.id == room)
        .map(|r| r.title)
        .with_context(|| format!("no room {room} in {}", path.display()))?;
    let (events, declared) = floor_broker::read_log(&store, room).map_err(anyhow::Error::msg)?;
    Ok((title, events, declared))
}

impl ReportArgs {
    /// The room id, which clap requires unless `--conference` is given.
    fn room(&self) -> anyhow::Result<&str> {
        self.room
            .as_deref()
            .context("give the room id (or --conference)")
    }
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::Md => "md",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Html => "html",
        }
    }
}

/// The report as a running broker makes it (`GET /api/rooms/{id}/report`,
/// or `GET /api/conference/report` with `--conference`).
fn fetch_report(args: &ReportArgs, server: &str) -> anyhow::Result<String> {
    let Some(token) = &args.token else {
        if args.conference {
            bail!(
                "--conference needs the admin token (or the ops token): --token or FLOOR_ADMIN_TOKEN"
            );
        }
        bail!(
            "--server needs the admin token (or the room's chair token): --token or FLOOR_ADMIN_TOKEN"
        );
    };
    let route = if args.conference {
        "/api/conference/report".to_owned()
    } else {
        format!("/api/rooms/{}/report", args.room()?)
    };
    let path = format!(
        "{route}?format={}&lang={}",
        args.format.name(),
        args.lang.code()
    );
    let mut text = crate::room_cli::request(&args.ca_file, server, token, "GET", &path, None)?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

/// Runs `floor report`.
pub(crate) fn run(args: ReportArgs) -> anyhow::Result<()> {
    let text = match &args.server {
        Some(server) => fetch_report(&args, server)?,
        None => {
            let (title, events, declared) = read_events(&args)?;
            let title = args.title.clone().unwrap_or(title);
            let report =
                Report::from_log(&title, &events, &declared).context("the log does not fold")?;
            match args.format {
                Format::Md => report.markdown_in(args.lang),
                Format::Json => serde_json::to_string_pretty(&report)? + "\n",
                Format::Csv => report.csv(),
                Format::Html => report.html_in(args.lang)?,
            }
        }
    };
    match &args.out {
        Some(path) => crate::atomic_file::write(path, text.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error.
            let _ = stdout.write_all(text.as_bytes());
        }
    }
    Ok(())
}
