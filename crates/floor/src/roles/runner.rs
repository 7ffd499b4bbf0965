//! `floor runner ...`: the onsite mic runner.

#![allow(clippy::print_stdout)]

use clap::Subcommand;
use floor_client::{Hand, OnDeck, RoomChannel};
use floor_protocol::{Command, EntryDraft, EntryPatch, Region, StakeholderGroup};

use super::{Connection, Exit, done, edit, on_entry, print_json, short, standing, submit, wire};

/// The runner's commands.
#[derive(Debug, Subcommand)]
pub(crate) enum RunnerCommand {
    /// Register a raised hand in the room.
    #[command(
        after_help = "Example:\n  floor runner add \"Amina Diallo\" --seat \"Row 4, aisle\" --affiliation \"ICT Ministry\""
    )]
    Add {
        /// The person's name, as it should be announced.
        name: String,
        #[command(flatten)]
        person: PersonArgs,
        /// Seat, row or zone, so the microphone finds them.
        #[arg(long)]
        seat: Option<String>,
        /// Their question, if they told you.
        #[arg(long)]
        text: Option<String>,
        /// A comment rather than a question.
        #[arg(long)]
        comment: bool,
        #[command(flatten)]
        connection: Connection,
    },
    /// Where to carry the microphone next.
    #[command(after_help = "Example:\n  floor runner next")]
    Next {
        #[command(flatten)]
        connection: Connection,
    },
    /// Record that the microphone is in the person's hand (default: the
    /// entry on deck).
    #[command(
        after_help = "Example:\n  floor runner mic          # the person on deck\n  floor runner mic 3f9c0b12"
    )]
    Mic {
        /// The entry id (or its first characters).
        entry: Option<String>,
        #[command(flatten)]
        connection: Connection,
    },
    /// Take back an onsite entry (the hand went down).
    #[command(after_help = "Example:\n  floor runner withdraw 3f9c0b12")]
    Withdraw {
        /// The entry id (or its first characters).
        entry: String,
        #[command(flatten)]
        connection: Connection,
    },
    /// Correct an onsite entry.
    #[command(
        after_help = "Example:\n  floor runner edit 3f9c0b12 --name \"Amina Diallo\" --seat \"Row 5\""
    )]
    Edit {
        /// The entry id (or its first characters).
        entry: String,
        /// New name.
        #[arg(long)]
        name: Option<String>,
        /// New seat or zone.
        #[arg(long)]
        seat: Option<String>,
        /// New text.
        #[arg(long)]
        text: Option<String>,
        /// New organisation.
        #[arg(long)]
        affiliation: Option<String>,
        #[command(flatten)]
        connection: Connection,
    },
    /// The open onsite entries, in the order they will be called.
    #[command(after_help = "Example:\n  floor runner list --json")]
    List {
        #[command(flatten)]
        connection: Connection,
    },
}

/// Who the person is, beyond their name.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct PersonArgs {
    /// Their organisation.
    #[arg(long)]
    pub(crate) affiliation: Option<String>,
    /// Stakeholder group: government, civil_society, private_sector,
    /// technical_community, intergovernmental, academia, other.
    #[arg(long, value_parser = wire::<StakeholderGroup>)]
    pub(crate) group: Option<StakeholderGroup>,
    /// UN regional group: african, asia_pacific, eastern_european, grulac,
    /// weog, other.
    #[arg(long, value_parser = wire::<Region>)]
    pub(crate) region: Option<Region>,
    /// BCP 47 tag of the language they will speak, e.g. fr.
    #[arg(long)]
    pub(crate) language: Option<String>,
}

impl PersonArgs {
    /// Fills the optional fields about the person into `draft`.
    pub(crate) fn fill(self, draft: &mut EntryDraft) {
        draft.person.affiliation = self.affiliation.or(draft.person.affiliation.take());
        draft.person.stakeholder_group = self.group.or(draft.person.stakeholder_group);
        draft.person.region = self.region.or(draft.person.region);
        draft.language = self.language.or(draft.language.take());
    }
}

fn on_deck_text(next: &OnDeck) -> String {
    let place = match next.location.as_deref() {
        Some(location) => format!(" at {location}"),
        None => String::new(),
    };
    let when = if next.speaking {
        "speaking now, no microphone yet".to_owned()
    } else if next.ahead == 0 {
        "next in line, not called yet".to_owned()
    } else {
        format!("{} before them", next.ahead)
    };
    let mic = if next.mic_in_hand && !next.speaking {
        ", has the microphone"
    } else {
        ""
    };
    format!(
        "{}{place} ({}): {when}{mic}",
        next.name,
        short(next.entry_id)
    )
}

/// Runs a runner command.
pub(crate) async fn run(command: RunnerCommand) -> Result<(), Exit> {
    match command {
        RunnerCommand::Add {
            name,
            person,
            seat,
            text,
            comment,
            connection,
        } => {
            let mut hand = Hand::new(name);
            if let Some(s) = seat {
                hand = hand.seat(s);
            }
            if let Some(t) = text {
                hand = hand.text(t);
            }
            if comment {
                hand = hand.comment();
            }
            let mut draft = hand.draft();
            person.fill(&mut draft);
            submit(&connection, draft).await?;
        }
        RunnerCommand::Next { connection } => {
            let client = connection.connect().await?;
            let next = RoomChannel::new(client.clone()).on_deck();
            if connection.json {
                print_json(&serde_json::json!({ "on_deck": next }));
            } else {
                match &next {
                    Some(next) => println!("{}", on_deck_text(next)),
                    None => println!("nobody in the room is waiting"),
                }
            }
            client.close().await;
        }
        RunnerCommand::Mic {
            entry: Some(entry),
            connection,
        } => {
            on_entry(&connection, &entry, "microphone with", |entry_id| {
                Command::MicInHand { entry_id }
            })
            .await?;
        }
        RunnerCommand::Mic {
            entry: None,
            connection,
        } => {
            let client = connection.connect().await?;
            let runner = RoomChannel::new(client.clone());
            let id = runner
                .on_deck()
                .ok_or_else(|| Exit::Refused("nobody in the room is waiting".into()))?
                .entry_id;
            let ack = connection
                .command(&client, Command::MicInHand { entry_id: id })
                .await?;
            done(&client, connection.json, "microphone with", id, &ack).await;
        }
        RunnerCommand::Withdraw { entry, connection } => {
            on_entry(&connection, &entry, "withdrew", |entry_id| {
                Command::Withdraw { entry_id }
            })
            .await?;
        }
        RunnerCommand::Edit {
            entry,
            name,
            seat,
            text,
            affiliation,
            connection,
        } => {
            let patch = EntryPatch {
                name,
                location: seat.map(Some),
                text: text.map(Some),
                affiliation: affiliation.map(Some),
                ..EntryPatch::default()
            };
            edit(
                &connection,
                &entry,
                patch,
                "--name, --seat, --text or --affiliation",
                "corrected",
            )
            .await?;
        }
        RunnerCommand::List { connection } => {
            let client = connection.connect().await?;
            let entries = RoomChannel::new(client.clone()).open_entries();
            let state = client.state();
            if connection.json {
                let rows: Vec<_> = entries
                    .iter()
                    .map(|e| {
                        serde_json::json!({
                            "entry_id": e.id,
                            "name": e.person.name,
                            "location": e.location,
                            "status": e.status,
                            "place": state.place(e.id),
                            "mic_in_hand": e.mic_in_hand,
                        })
                    })
                    .collect();
                print_json(&rows);
            } else if entries.is_empty() {
                println!("nobody in the room is waiting");
            } else {
                for e in &entries {
                    println!(
                        "{}  {:<28} {:<16} {}{}",
                        short(e.id),
                        e.person.name,
                        e.location.as_deref().unwrap_or("-"),
                        standing(&state, e.id),
                        if e.mic_in_hand {
                            ", has the microphone"
                        } else {
                            ""
                        }
                    );
                }
            }
            client.close().await;
        }
    }
    Ok(())
}
