//! `floor chair ...`: the chair's commands.
//!
//! `next`, `call`, `finish` and `undo` say which entry the command saw
//! speaking when it connected (`expect_speaking`), so that two chairs (a
//! laptop and a phone, two tabs) acting at once never call two speakers:
//! the broker refuses the later one with `speaker_changed` and nothing
//! changes. `--force` leaves the check out.

#![allow(clippy::print_stdout)]

use clap::Subcommand;
use floor_client::{Client, RequestError};
use floor_protocol::{Command, ErrorCode};
use uuid::Uuid;

use super::{Connection, Exit, print_json, resolve, short, standing};

/// The chair's commands.
#[derive(Debug, Subcommand)]
pub(crate) enum ChairCommand {
    /// End the current turn and give the floor to the next in line.
    #[command(after_help = "Example:\n  floor chair next")]
    Next {
        #[command(flatten)]
        force: Force,
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
        force: Force,
        #[command(flatten)]
        connection: Connection,
    },
    /// End the current turn without calling anyone.
    #[command(after_help = "Example:\n  floor chair finish")]
    Finish {
        #[command(flatten)]
        force: Force,
        #[command(flatten)]
        connection: Connection,
    },
    /// Undo the most recent call (by next or call) while its speaker still
    /// has the floor: they wait again at their place, and the speaker
    /// before them (if any) speaks again, with the time they had left.
    #[command(after_help = "Example:\n  floor chair undo")]
    Undo {
        #[command(flatten)]
        force: Force,
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

/// `--force` of the commands on the floor.
#[derive(Debug, Clone, Copy, clap::Args)]
pub(crate) struct Force {
    /// Act on whoever is speaking when the command arrives. Without it, the
    /// broker refuses the command (exit 1, nothing changed) if the speaker
    /// changed after this command read the room, e.g. because another
    /// chair screen acted at the same moment.
    #[arg(long)]
    force: bool,
}

/// Builds a floor command from its target entry and `expect_speaking`.
type FloorCommand = fn(Uuid, Option<Option<Uuid>>) -> Command;

/// Builds a command from the room's state.
type BuildCommand = Box<dyn FnOnce(&floor_client::RoomState) -> Result<Command, Exit>>;

/// The run-of-show commands.
async fn run_of_show(command: ChairCommand) -> Result<(), Exit> {
    let (connection, build): (Connection, BuildCommand) = match command {
        ChairCommand::Programme { file, connection } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| Exit::Usage(format!("cannot read {}: {e}", file.display())))?;
            let room = floor_files::programme::parse(&text)
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
    let unchecked = Force { force: true };
    let (connection, entry, force, build): (Connection, Option<String>, Force, FloorCommand) =
        match command {
            ChairCommand::Next { force, connection } => {
                (connection, None, force, |_, expect| Command::Next {
                    expect_speaking: expect,
                })
            }
            ChairCommand::Finish { force, connection } => {
                (connection, None, force, |_, expect| Command::Finish {
                    expect_speaking: expect,
                })
            }
            ChairCommand::Undo { force, connection } => {
                (connection, None, force, |_, expect| Command::UndoCall {
                    expect_speaking: expect,
                })
            }
            ChairCommand::Call {
                entry,
                force,
                connection,
            } => (connection, Some(entry), force, |entry_id, expect| {
                Command::Call {
                    entry_id,
                    expect_speaking: expect,
                }
            }),
            ChairCommand::Open { connection } => {
                (connection, None, unchecked, |_, _| Command::OpenQueue {})
            }
            ChairCommand::Close { connection } => {
                (connection, None, unchecked, |_, _| Command::CloseQueue {})
            }
            ChairCommand::Pin { entry, connection } => {
                (connection, Some(entry), unchecked, |entry_id, _| {
                    Command::Pin { entry_id }
                })
            }
            ChairCommand::Unpin { entry, connection } => {
                (connection, Some(entry), unchecked, |entry_id, _| {
                    Command::Unpin { entry_id }
                })
            }
            run_of_show_command @ (ChairCommand::Programme { .. }
            | ChairCommand::Phase { .. }
            | ChairCommand::Presenter { .. }) => return run_of_show(run_of_show_command).await,
        };
    let client = connection.connect().await?;
    // The speaker this command saw: the room's state at connect.
    let (target, seen) = client.with_state(|s| {
        let target = entry.as_deref().map(|r| resolve(s, r)).transpose()?;
        Ok::<_, Exit>((target, s.speaking().map(|(speaking, _)| speaking.entry_id)))
    })?;
    let command = build(target.unwrap_or_default(), (!force.force).then_some(seen));
    let name = command.name();
    let ack = match connection.request(&client, command).await {
        Ok(ack) => ack,
        Err(RequestError::Refused(refusal)) if refusal.code == ErrorCode::SpeakerChanged => {
            let exit = speaker_changed(&client, seen, refusal.entry_id);
            client.close().await;
            return Err(exit);
        }
        Err(error) => return Err(connection.exit(error)),
    };
    // The entry the command was about: the one called back for `undo`.
    let target = if name == "undo_call" { seen } else { target };
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
            (Some(id), "undo_call") => {
                let name = state.entry(*id).map_or("", |e| e.person.name.as_str());
                println!(
                    "call undone: {name} ({}) is {}",
                    short(*id),
                    standing(&state, *id)
                );
            }
            (_, "open_queue" | "close_queue") => {
                let open = state.view().queue_open;
                println!("queue {}", if open { "open" } else { "closed" });
            }
            _ => {}
        }
        if !matches!(name, "pin" | "unpin" | "open_queue" | "close_queue") {
            match &speaker {
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
            }
        }
    }
    client.close().await;
    Ok(())
}

/// The refusal of a command whose speaker changed after it read the room:
/// who this command saw, who speaks now, and what to do.
fn speaker_changed(client: &Client, seen: Option<Uuid>, now: Option<Uuid>) -> Exit {
    let state = client.state();
    let who = |id: Option<Uuid>| match id {
        Some(id) => match state.entry(id) {
            Some(e) => format!("{} ({})", e.person.name, short(id)),
            None => short(id),
        },
        None => "nobody".to_owned(),
    };
    Exit::Refused(format!(
        "refused: speaker_changed: the floor changed as this command was sent \
         (it saw {} speaking; now {} is); nothing was done. \
         Check the floor and run the command again, or add --force to act on whoever is speaking",
        who(seen),
        who(now)
    ))
}
