//! `floor bridge matrix`: the Matrix bridge, configured like `floor
//! serve` (flags, then environment, then an optional TOML file). Secrets
//! (the bot's password or access token) come from a file or the
//! environment, never from a flag's value, which other users of the
//! machine could read in the process list.

use std::path::{Path, PathBuf};

use anyhow::Context;
use floor_client::ConnectOptions;
use floor_files::Lang;
use floor_matrix::{BridgeOptions, Credentials, MatrixOptions};
use serde::Deserialize;

/// `floor bridge ...`
#[derive(Debug, clap::Subcommand)]
pub(crate) enum BridgeCommand {
    /// Remote participants raise their hand from a Matrix room: `!hand`
    /// (with a question) or a ✋ reaction on the bridge's pinned message;
    /// `!lower` or removing the reaction lowers it.
    Matrix(MatrixArgs),
}

/// `floor bridge matrix` flags.
#[derive(Debug, clap::Args)]
pub(crate) struct MatrixArgs {
    /// The homeserver's URL, e.g. https://matrix.example.org
    #[arg(long, env = "FLOOR_MATRIX_HOMESERVER")]
    homeserver: Option<String>,
    /// The Matrix room to bridge: its id (!abc:example.org) or alias
    /// (#ws235:example.org). The bot joins it (invite it first to a
    /// private room).
    #[arg(long, env = "FLOOR_MATRIX_ROOM")]
    matrix_room: Option<String>,
    /// The bot's user name or id, to sign in with a password
    #[arg(long, env = "FLOOR_MATRIX_USER")]
    user: Option<String>,
    /// A file holding the bot's password (or set FLOOR_MATRIX_PASSWORD)
    #[arg(long, env = "FLOOR_MATRIX_PASSWORD_FILE", value_name = "PATH")]
    password_file: Option<PathBuf>,
    /// A file holding an access token of the bot (or set
    /// FLOOR_MATRIX_ACCESS_TOKEN); used instead of a password
    #[arg(long, env = "FLOOR_MATRIX_ACCESS_TOKEN_FILE", value_name = "PATH")]
    access_token_file: Option<PathBuf>,
    /// The floor room's online moderator link, as the broker printed it
    #[arg(long, env = "FLOOR_URL")]
    url: Option<String>,
    /// Where the bridge keeps its sync position, hands and session (one
    /// file per bridged room) [default: floor-matrix.db]
    #[arg(long, env = "FLOOR_MATRIX_STATE", value_name = "PATH")]
    state: Option<PathBuf>,
    /// The language the bridge speaks in the Matrix room: ar, zh, en, fr,
    /// ru or es [default: en]
    #[arg(long, env = "FLOOR_MATRIX_LANG", value_name = "CODE")]
    lang: Option<String>,
    /// A TOML file with any of: homeserver, matrix_room, user,
    /// password_file, access_token_file, url, state, lang, ca_file
    #[arg(long, env = "FLOOR_MATRIX_CONFIG", value_name = "PATH")]
    config: Option<PathBuf>,
    #[command(flatten)]
    ca_file: crate::ca_file::CaFile,
}

/// The optional configuration file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    homeserver: Option<String>,
    matrix_room: Option<String>,
    user: Option<String>,
    password_file: Option<PathBuf>,
    access_token_file: Option<PathBuf>,
    url: Option<String>,
    state: Option<PathBuf>,
    lang: Option<String>,
    ca_file: Option<PathBuf>,
}

/// The first line of a secret's file, trimmed.
fn secret(path: &Path, what: &str) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the {what} file {}", path.display()))?;
    let value = text.lines().next().unwrap_or("").trim().to_owned();
    anyhow::ensure!(
        !value.is_empty(),
        "the {what} file {} is empty",
        path.display()
    );
    Ok(value)
}

/// A setting from the environment only (for secrets).
fn env_secret(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl MatrixArgs {
    /// Resolves flags, environment, file and defaults into the bridge's
    /// options.
    fn resolve(&self) -> anyhow::Result<BridgeOptions> {
        let file = match &self.config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                toml::from_str(&text).with_context(|| {
                    format!("{} is not a valid bridge configuration", path.display())
                })?
            }
            None => FileConfig::default(),
        };
        let homeserver = self.homeserver.clone().or(file.homeserver).context(
            "no homeserver: give --homeserver or FLOOR_MATRIX_HOMESERVER (or homeserver in --config)",
        )?;
        let room = self.matrix_room.clone().or(file.matrix_room).context(
            "no Matrix room: give --matrix-room or FLOOR_MATRIX_ROOM (or matrix_room in --config)",
        )?;
        let url =
            self.url.clone().or(file.url).context(
                "no floor link: give the online moderator's link with --url or FLOOR_URL",
            )?;
        let token_file = self.access_token_file.clone().or(file.access_token_file);
        let password_file = self.password_file.clone().or(file.password_file);
        let credentials = if let Some(path) = token_file {
            Credentials::AccessToken(secret(&path, "access token")?)
        } else if let Some(token) = env_secret("FLOOR_MATRIX_ACCESS_TOKEN") {
            Credentials::AccessToken(token)
        } else {
            let user = self.user.clone().or(file.user).context(
                "no bot account: give --user (with --password-file or FLOOR_MATRIX_PASSWORD), or an access token with --access-token-file or FLOOR_MATRIX_ACCESS_TOKEN",
            )?;
            let password = match password_file {
                Some(path) => secret(&path, "password")?,
                None => env_secret("FLOOR_MATRIX_PASSWORD").context(
                    "no password for the bot: give --password-file or FLOOR_MATRIX_PASSWORD",
                )?,
            };
            Credentials::Password { user, password }
        };
        let lang = match self.lang.clone().or(file.lang) {
            None => Lang::En,
            Some(code) => code.trim().parse::<Lang>().map_err(|_| {
                anyhow::anyhow!(
                    "--lang / FLOOR_MATRIX_LANG: unknown language {code:?}: the bridge speaks ar, zh, en, fr, ru or es"
                )
            })?,
        };
        let mut floor = ConnectOptions::from_link(&url)
            .map_err(|e| anyhow::anyhow!("--url / FLOOR_URL: {e}"))?;
        floor = match (&file.ca_file, self.ca_file.is_set()) {
            (Some(path), false) => floor
                .ca_file(path)
                .map_err(|e| anyhow::anyhow!("ca_file in --config: {e}"))?,
            _ => self.ca_file.apply(floor).map_err(anyhow::Error::msg)?,
        };
        Ok(BridgeOptions {
            matrix: MatrixOptions {
                homeserver,
                credentials,
                room,
            },
            floor,
            state: self
                .state
                .clone()
                .or(file.state)
                .unwrap_or_else(|| PathBuf::from("floor-matrix.db")),
            lang,
        })
    }
}

/// Runs `floor bridge ...` until SIGINT or SIGTERM.
pub(crate) fn run(command: BridgeCommand) -> anyhow::Result<()> {
    let BridgeCommand::Matrix(args) = command;
    let options = args.resolve()?;
    crate::init_logging(
        "info,matrix_sdk=warn,matrix_sdk_base=warn",
        crate::config::LogFormat::Human,
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    if let Err(e) = runtime.block_on(floor_matrix::run(options, crate::shutdown_signal(false))) {
        // Said in one line, as the other commands do (no backtrace: the
        // message is for the person who started the bridge).
        eprintln!("floor bridge matrix: {e}");
        std::process::exit(1);
    }
    Ok(())
}
