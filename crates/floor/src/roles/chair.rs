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
}

/// Runs a chair command.
pub(crate) async fn run(command: ChairCommand) -> Result<(), Exit> {
    let (connection, entry, build): (Connection, Option<String>, fn(uuid::Uuid) -> Command) =
        match command {
            ChairCommand::Next { connection } => (connection, None, |_| Command::Next {}),
            ChairCommand::Finish { connection } => (connection, None, |_| Command::Finish {}),
            ChairCommand::Open { connection } => (connection, None, |_| Command::OpenQueue {}),
            ChairCommand::Close { connection } => (connection, None, |_| Command::CloseQueue {}),
            ChairCommand::Call { entry, connection } => (connection, Some(entry), |entry_id| {
                Command::Call { entry_id }
            }),
            ChairCommand::Pin { entry, connection } => (connection, Some(entry), |entry_id| {
                Command::Pin { entry_id }
            }),
            ChairCommand::Unpin { entry, connection } => (connection, Some(entry), |entry_id| {
                Command::Unpin { entry_id }
            }),
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
