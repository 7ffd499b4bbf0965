//! `floor chair ...`: the chair's commands.

#![allow(clippy::print_stdout)]

use clap::Subcommand;
use floor_protocol::Command;

use super::{Connection, Exit, print_json, resolve, short, standing};

/// The chair's commands.
#[derive(Debug, Subcommand)]
pub(crate) enum ChairCommand {
    /// End the current turn and give the floor to the next in line.
    #[command(after_help = "Example:\n  floor chair next")]
    Next {
        #[command(flatten)]
        connection: Connection,
    },
    /// End the current turn and give the floor to this entry, out of
    /// order (logged for everyone to see).
    #[command(after_help = "Example:\n  floor chair call 3f9c0b12")]
    Call {
        /// The entry id (or its first characters).
        entry: String,
        #[command(flatten)]
        connection: Connection,
    },
    /// End the current turn without calling anyone.
    #[command(after_help = "Example:\n  floor chair finish")]
    Finish {
        #[command(flatten)]
        connection: Connection,
    },
    /// Put an entry ahead of the policy.
    #[command(after_help = "Example:\n  floor chair pin 3f9c0b12")]
    Pin {
        /// The entry id (or its first characters).
        entry: String,
        #[command(flatten)]
        connection: Connection,
    },
    /// Remove a pin.
    #[command(after_help = "Example:\n  floor chair unpin 3f9c0b12")]
    Unpin {
        /// The entry id (or its first characters).
        entry: String,
        #[command(flatten)]
        connection: Connection,
    },
    /// Open the queue to new requests.
    #[command(after_help = "Example:\n  floor chair open")]
    Open {
        #[command(flatten)]
        connection: Connection,
    },
    /// Close the queue to new requests; those waiting stay.
    #[command(after_help = "Example:\n  floor chair close")]
    Close {
        #[command(flatten)]
        connection: Connection,
    },
    /// Set the run of show from a TOML room file (mistakes are reported
    /// with their line).
    #[command(after_help = "Example:\n  floor chair programme examples/igf2018-ws235.toml")]
    Programme {
        /// The room file.
        file: std::path::PathBuf,
        #[command(flatten)]
        connection: Connection,
    },
    /// Start a phase of the run of show: its number (from 1), or `next`.
    #[command(after_help = "Example:\n  floor chair phase next\n  floor chair phase 2")]
    Phase {
        /// The phase number from 1, or `next`.
        phase: String,
        #[command(flatten)]
        connection: Connection,
    },
    /// Give the running phase's next presenter the floor.
    #[command(after_help = "Example:\n  floor chair presenter")]
    Presenter {
        #[command(flatten)]
        connection: Connection,
    },
}

/// Builds a command from the room's state.
type BuildCommand = Box<dyn FnOnce(&floor_client::RoomState) -> Result<Command, Exit>>;

/// The run-of-show commands.
async fn run_of_show(command: ChairCommand) -> Result<(), Exit> {
    let (connection, build): (Connection, BuildCommand) = match command {
        ChairCommand::Programme { file, connection } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| Exit::Usage(format!("cannot read {}: {e}", file.display())))?;
            let room = floor_core::programme::parse(&text)
                .map_err(|e| Exit::Usage(format!("{}: {e}", file.display())))?;
            (
                connection,
                Box::new(move |_| {
                    Ok(Command::SetProgramme {
                        programme: room.programme,
                    })
                }),
            )
        }
        ChairCommand::Phase { phase, connection } => (
            connection,
            Box::new(move |state| {
                let phase = if phase == "next" {
                    state.view().stage.as_ref().map_or(0, |s| s.phase + 1)
                } else {
                    phase
                        .parse::<u32>()
                        .ok()
                        .and_then(|n| n.checked_sub(1))
                        .ok_or_else(|| {
                            Exit::Usage(format!("{phase:?}: give a phase number from 1, or next"))
                        })?
                };
                Ok(Command::StartPhase { phase })
            }),
        ),
        ChairCommand::Presenter { connection } => {
            (connection, Box::new(|_| Ok(Command::NextPresenter {})))
        }
        _ => return Err(Exit::Usage("not a run-of-show command".into())),
    };
    let client = connection.connect().await?;
    let command = client.with_state(|state| build(state))?;
    let ack = connection.command(&client, command).await?;
    let state = client.state();
    let stage = state.view().stage.clone();
    let programme = state.view().programme.clone();
    let phase = stage.as_ref().and_then(|s| {
        programme
            .as_ref()
            .and_then(|p| p.phases.get(usize::try_from(s.phase).ok()?).cloned())
    });
    let presenter = match (&stage, &phase) {
        (Some(stage), Some(phase)) => stage.presenter.as_ref().and_then(|p| {
            phase
                .speakers
                .get(usize::try_from(p.index).ok()?)
                .map(|s| s.name.clone())
        }),
        _ => None,
    };
    if connection.json {
        print_json(&serde_json::json!({
            "ok": true,
            "seq": ack.last_seq,
            "duplicate": ack.duplicate,
            "stage": stage,
            "phase": phase.as_ref().map(|p| &p.title),
            "presenter": presenter,
        }));
    } else {
        match (&phase, &presenter) {
            (Some(phase), Some(name)) => println!("{}: {name} presents", phase.title),
            (Some(phase), None) => println!("{} ({} min) started", phase.title, phase.minutes),
            _ => println!(
                "run of show set: {} phases, {} min",
                programme.as_ref().map_or(0, |p| p.phases.len()),
                programme.as_ref().map_or(0, |p| p.minutes())
            ),
        }
    }
    client.close().await;
    Ok(())
}

/// Runs a chair command.
pub(crate) async fn run(command: ChairCommand) -> Result<(), Exit> {
    let (connection, entry, build): (Connection, Option<String>, fn(uuid::Uuid) -> Command) =
        match command {
            ChairCommand::Next { connection } => (connection, None, |_| Command::next()),
            ChairCommand::Finish { connection } => (connection, None, |_| Command::finish()),
            ChairCommand::Open { connection } => (connection, None, |_| Command::OpenQueue {}),
            ChairCommand::Close { connection } => (connection, None, |_| Command::CloseQueue {}),
            ChairCommand::Call { entry, connection } => (connection, Some(entry), Command::call),
            ChairCommand::Pin { entry, connection } => (connection, Some(entry), |entry_id| {
                Command::Pin { entry_id }
            }),
            ChairCommand::Unpin { entry, connection } => (connection, Some(entry), |entry_id| {
                Command::Unpin { entry_id }
            }),
            run_of_show_command @ (ChairCommand::Programme { .. }
            | ChairCommand::Phase { .. }
            | ChairCommand::Presenter { .. }) => return run_of_show(run_of_show_command).await,
        };
    let client = connection.connect().await?;
    let target = match &entry {
        Some(reference) => Some(client.with_state(|s| resolve(s, reference))?),
        None => None,
    };
    let command = build(target.unwrap_or_default());
    let name = command.name();
    let ack = connection.command(&client, command).await?;
    let state = client.state();
    let speaker = state.speaking().map(|(_, e)| e.clone());
    if connection.json {
        print_json(&serde_json::json!({
            "ok": true,
            "command": name,
            "seq": ack.last_seq,
            "duplicate": ack.duplicate,
            "speaking": speaker.as_ref().map(|e| serde_json::json!({
                "entry_id": e.id,
                "name": e.person.name,
                "channel": e.channel,
            })),
            "entry_id": target,
            "queue_open": state.view().queue_open,
        }));
    } else {
        match (&target, name) {
            (Some(id), "pin" | "unpin") => {
                println!("{name}ned {} ({})", short(*id), standing(&state, *id));
            }
            _ => match &speaker {
                Some(e) => println!(
                    "speaking: {} ({}, {})",
                    e.person.name,
                    floor_client::display::channel_text(e.channel),
                    short(e.id)
                ),
                None => println!(
                    "nobody is speaking; the queue is {}",
                    if state.view().queue_open {
                        "open"
                    } else {
                        "closed"
                    }
                ),
            },
        }
    }
    client.close().await;
    Ok(())
}
