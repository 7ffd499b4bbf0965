//! The `floor` command: `floor serve` runs the broker; `floor room ...`
//! manages rooms on a running broker; `floor runner|moderator|chair|display`
//! are the role clients. Only argument parsing, configuration and printing
//! live here; everything else is in `floor-broker` and `floor-client`.

#![allow(clippy::print_stdout, clippy::print_stderr)]

mod atomic_file;
mod bridge_cli;
mod ca_file;
mod conference_cli;
mod config;
mod report_cli;
mod roles;
mod room_cli;

use std::time::Duration;

use anyhow::Context;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use floor_protocol::Role;

use crate::config::{LogFormat, ServeArgs};
use crate::room_cli::RoomCommand;

/// A fair, visible queue for who gets the floor next in a hybrid session.
#[derive(Debug, Parser)]
#[command(name = "floor", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the broker: HTTP and WebSocket on one port, rooms kept in an
    /// embedded SQLite log.
    Serve(ServeArgs),
    /// Create, list and rotate the tokens of rooms on a running broker.
    Room {
        #[command(subcommand)]
        command: RoomCommand,
    },
    /// A whole event: import its programme (one room per session), print
    /// the staff sheet, issue the venue dashboard's ops token.
    Conference {
        #[command(subcommand)]
        command: conference_cli::ConferenceCommand,
    },
    /// The onsite mic runner: raised hands, where to walk next, "mic in
    /// hand".
    #[command(after_help = roles::EXIT_CODES)]
    Runner {
        #[command(subcommand)]
        command: roles::runner::RunnerCommand,
    },
    /// The online moderator: remote questions, chat import, approve,
    /// reject, merge, edit.
    #[command(after_help = roles::EXIT_CODES)]
    Moderator {
        #[command(subcommand)]
        command: roles::moderator::ModeratorCommand,
    },
    /// The chair: call the next speaker, override the order, open and
    /// close the queue.
    #[command(after_help = roles::EXIT_CODES)]
    Chair {
        #[command(subcommand)]
        command: roles::chair::ChairCommand,
    },
    /// A live display of the room for a terminal: speaker, time left, who
    /// is next and why, turns per channel.
    Display(roles::display::DisplayArgs),
    /// A session report from a room's event log (Markdown, JSON, CSV or
    /// HTML with charts).
    Report(report_cli::ReportArgs),
    /// Bridges to other services: `floor bridge matrix` lets remote
    /// participants raise their hand from a Matrix room.
    Bridge {
        #[command(subcommand)]
        command: bridge_cli::BridgeCommand,
    },
}

/// The allocator: jemalloc, whose background thread hands the pages of
/// freed connections back to the system after a few seconds (glibc's
/// malloc keeps them, spread over its per-thread arenas, so a burst of
/// sockets would leave the broker's RSS at its peak for good).
#[cfg(target_os = "linux")]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> anyhow::Result<()> {
    let matches = hide_env_values(Cli::command()).get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|error| error.exit());
    match cli.command {
        Command::Serve(args) => serve(args),
        Command::Room { command } => room_cli::run(command),
        Command::Conference { command } => conference_cli::run(command),
        Command::Runner { command } => role(roles::runner::run(command)),
        Command::Moderator { command } => role(roles::moderator::run(command)),
        Command::Chair { command } => role(roles::chair::run(command)),
        Command::Display(args) => role(roles::display::run(args)),
        Command::Report(args) => report_cli::run(args),
        Command::Bridge { command } => bridge_cli::run(command),
    }
}

/// Hides the values of environment variables in every `--help`, of every
/// subcommand: `FLOOR_URL` is a link with its token, and a chair's laptop
/// is often on the projector.
fn hide_env_values(command: clap::Command) -> clap::Command {
    command
        .mut_args(|arg| arg.hide_env_values(true))
        .mut_subcommands(hide_env_values)
}

/// Runs a role command and exits with its code.
fn role(command: impl Future<Output = Result<(), roles::Exit>>) -> anyhow::Result<()> {
    init_logging("error", LogFormat::Human);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    match runtime.block_on(command) {
        Ok(()) => Ok(()),
        Err(exit) => {
            eprintln!("floor: {}", exit.message());
            std::process::exit(exit.code());
        }
    }
}

/// Crates whose debug and trace lines print what crosses the wire (frames
/// with a `hello`'s token and client id, request headers with a bearer
/// token): they log at most at info, whatever `FLOOR_LOG` says.
const WIRE_LOGGERS: [&str; 7] = [
    "tungstenite",
    "tokio_tungstenite",
    "hyper",
    "hyper_util",
    "h2",
    "async_nats",
    "ureq",
];

/// Whether a log line may be written: never a wire logger's debug or
/// trace line.
fn loggable(metadata: &tracing::Metadata<'_>) -> bool {
    if *metadata.level() <= tracing::Level::INFO {
        return true;
    }
    let target = metadata.target();
    let krate = target.split("::").next().unwrap_or(target);
    !WIRE_LOGGERS.contains(&krate)
}

/// Logs to standard error at the levels `FLOOR_LOG` says (`default`
/// without it), never a wire logger's debug or trace line. Colours only
/// on a terminal: a container's or a service manager's log gets plain
/// text.
fn init_logging(default: &str, format: LogFormat) {
    use std::io::IsTerminal as _;
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;
    let filter = tracing_subscriber::EnvFilter::try_from_env("FLOOR_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let wire = tracing_subscriber::filter::filter_fn(loggable);
    let registry = tracing_subscriber::registry().with(filter).with(wire);
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    match format {
        LogFormat::Human => registry.with(layer).init(),
        LogFormat::Json => registry.with(layer.json()).init(),
    }
}

fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let settings = config::resolve(&args)?;
    init_logging("info", settings.log_format);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // Named, as the broker's other threads are, for `top -H` and perf.
        .thread_name("floor-worker")
        .on_thread_start(yield_to_commands)
        .event_interval(EVENT_INTERVAL)
        .build()
        .context("cannot start the async runtime")?;
    // The broker's own threads (the command lane, the writer) are started
    // from this thread, at the normal priority.
    runtime.block_on(run(settings))
}

/// Tasks the main runtime runs between two looks at its sockets (tokio's
/// default is 61). The staff's sockets are registered there too, so while
/// a pass over thousands of screens runs, a command waits at most this
/// many screen writes before its connection on the command lane wakes.
const EVENT_INTERVAL: u32 = 16;

/// The nice value of the main runtime's threads, where the screens'
/// connections run.
#[cfg(target_os = "linux")]
const SCREENS_NICE: i32 = 10;

/// Lowers the calling runtime thread's priority: the broker's command lane
/// and writer threads, which run the rooms and their commits, then win the
/// CPU whenever they wake, and fan-out to thousands of screens takes the
/// rest. (On Linux the nice value is per thread.) Best effort: a refusal
/// leaves the thread as it was.
fn yield_to_commands() {
    #[cfg(target_os = "linux")]
    if let Err(error) = rustix::process::setpriority_process(None, SCREENS_NICE) {
        tracing::debug!(%error, "cannot lower the priority of a runtime thread");
    }
}

async fn run(settings: config::Settings) -> anyhow::Result<()> {
    let listener = floor_broker::bind(settings.broker.listen)
        .with_context(|| format!("cannot listen on {}", settings.broker.listen))?;
    let local = listener.local_addr()?;
    let mut broker_config = settings.broker.clone();
    broker_config.listen = local;
    if settings.public_url.is_none() {
        broker_config.public_url = format!("http://{local}");
    }
    let data = broker_config.data.clone();
    let opened = match &settings.shared {
        None => floor_broker::Broker::open(broker_config)
            .with_context(|| format!("cannot open the store in {}", data.display()))?,
        Some(shared) => floor_broker::Broker::open_shared(broker_config, shared.clone())
            .await
            .with_context(|| format!("cannot open the shared store at {}", shared.servers))?,
    };
    for (room, events, took) in &opened.rebuilt {
        tracing::info!(
            room,
            events,
            took_ms = took.as_secs_f64() * 1000.0,
            "room rebuilt from the log"
        );
    }
    let broker = opened.broker;
    if let Some(path) = &opened.created_store {
        println!(
            "new store created at {} (no file was there)",
            path.display()
        );
    }
    if let Some(token) = &opened.new_admin_token {
        println!("admin token (shown once; keep it to create rooms): {token}");
    }
    if opened.admin_token_already_set {
        println!("admin token: already set in the shared store (the first broker's; unchanged)");
    }
    if settings.demo {
        let demo = floor_broker::demo::open(&broker)
            .await
            .context("cannot open the demo room")?;
        print_demo(&demo);
    }
    println!("floor listening on {local}");
    tracing::info!(%local, "listening");

    let serving = floor_broker::serve(
        listener,
        broker.clone(),
        shutdown_signal(settings.stop_on_stdin_eof),
    );
    let result = serving.await;
    // Longer than a connection may spend in one write, so rooms finish.
    broker.stop(Duration::from_secs(12)).await;
    tracing::info!("stopped");
    result.context("the server failed")
}

/// Prints the demo room's links: each role's, or, for a role whose token
/// was rotated, that the link given at the rotation is the one that works
/// (a link printed always works).
fn print_demo(demo: &floor_broker::demo::Demo) {
    use floor_broker::demo::{Issue, RoleLink};
    println!("demo room {}: {}", demo.room.id, demo.room.title);
    for (role, link) in &demo.links {
        let label = match role {
            Role::Chair => "chair",
            Role::Moderator => "online moderator",
            Role::Runner => "mic runner",
            Role::Participant => "participant",
            Role::Display => "projector display",
        };
        match link {
            RoleLink::Works(link) => println!("  {label:<18} {link}"),
            RoleLink::Rotated => println!(
                "  {label:<18} (rotated: this role's token was rotated, and the link given at the rotation is the one that works)"
            ),
        }
    }
    let secret = demo.secret.display();
    match demo.issue {
        Issue::Kept => {
            println!("the demo room's links are those of earlier starts (from {secret})")
        }
        Issue::NewRoom => {
            println!("the demo room's links come from {secret}: they stay the same at every start")
        }
        Issue::NewSecret => println!(
            "new demo links from a new secret, {secret}: every earlier link of the demo room stopped working"
        ),
    }
}

/// Completes on SIGINT or SIGTERM (or, if asked, when stdin closes).
async fn shutdown_signal(stop_on_stdin_eof: bool) {
    let stdin_closed = async {
        // A thread of its own, not the runtime's blocking pool: dropping
        // the runtime waits for the pool, and a read of a stdin still open
        // (a stop on SIGTERM) never ends.
        let (closed, eof) = tokio::sync::oneshot::channel::<()>();
        let reader = move || {
            let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
            let _ = closed.send(());
        };
        let started = stop_on_stdin_eof
            && std::thread::Builder::new()
                .name("stdin-eof".into())
                .spawn(reader)
                .is_ok();
        if !started || eof.await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {},
        _ = terminate => {},
        _ = stdin_closed => {},
    }
    tracing::info!("shutting down");
}
