//! `floor display`: a live terminal display for backstage screens.

use std::io::Write;
use std::time::Duration;

use floor_client::{ConnectionStatus, DisplayView, render_text};

use super::{Connection, Exit, print_json};

/// The display's options.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  floor display                 # live, redrawn on every change\n  floor display --once --json   # one view, for a script"
)]
pub(crate) struct DisplayArgs {
    /// How many of the next speakers to show.
    #[arg(long, default_value_t = 5)]
    next: usize,
    /// Print the view once and exit.
    #[arg(long)]
    once: bool,
    #[command(flatten)]
    connection: Connection,
}

fn width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(80)
}

/// Runs the display until interrupted (or once).
pub(crate) async fn run(args: DisplayArgs) -> Result<(), Exit> {
    let client = args.connection.connect().await?;
    let view = || client.with_state(|state| DisplayView::of(state, client.now_ms(), args.next));
    if args.once {
        let view = view();
        if args.connection.json {
            print_json(&view);
        } else {
            let _ = write!(std::io::stdout().lock(), "{}", render_text(&view, width()));
        }
        client.close().await;
        return Ok(());
    }
    let mut changes = client.watch();
    let mut status = client.watch_status();
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    let interrupted = tokio::signal::ctrl_c();
    tokio::pin!(interrupted);
    let mut last_seq = None;
    loop {
        let current = view();
        let written = if args.connection.json {
            // One line per change of the room, not per clock tick.
            if last_seq == Some(current.seq) {
                true
            } else {
                last_seq = Some(current.seq);
                print_json(&current)
            }
        } else {
            let connection = match &*status.borrow() {
                ConnectionStatus::Connected => String::new(),
                ConnectionStatus::Reconnecting => "\n(reconnecting to the broker...)\n".into(),
                ConnectionStatus::Closed(reason) => format!("\n(disconnected: {reason})\n"),
            };
            let mut out = std::io::stdout().lock();
            write!(
                out,
                "\x1b[H\x1b[2J{} · {}\n\n{}{connection}",
                client.room().title,
                client.room().id,
                render_text(&current, width())
            )
            .and_then(|()| out.flush())
            .is_ok()
        };
        if !written {
            // Nobody reads any more (e.g. `| head`): stop quietly.
            break;
        }
        if let ConnectionStatus::Closed(reason) = &*status.borrow() {
            return Err(Exit::Unauthorized(reason.clone()));
        }
        tokio::select! {
            changed = changes.changed() => if changed.is_err() { break },
            _ = status.changed() => {},
            _ = tick.tick() => {},
            _ = &mut interrupted => break,
        }
    }
    client.close().await;
    Ok(())
}
