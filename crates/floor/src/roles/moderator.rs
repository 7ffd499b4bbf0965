//! `floor moderator ...`: the online moderator.

#![allow(clippy::print_stdout)]

use std::io::Read;
use std::path::PathBuf;

use clap::Subcommand;
use floor_client::{ImportOptions, OnlineEntry, RemoteChannel};
use floor_protocol::{Channel, Command, EntryPatch};

use super::runner::PersonArgs;
use super::{Connection, Exit, done, edit, on_entry, print_json, resolve, short, standing, submit};

/// The moderator's commands.
#[derive(Debug, Subcommand)]
pub(crate) enum ModeratorCommand {
    /// Add a remote participant's question or comment.
    #[command(
        after_help = "Example:\n  floor moderator add \"Bo Chen\" --text \"What about rural access?\" --read-aloud"
    )]
    Add {
        /// The participant's name, as it should be announced.
        name: String,
        /// The question or comment.
        #[arg(long)]
        text: Option<String>,
        /// A comment rather than a question.
        #[arg(long)]
        comment: bool,
        /// You will read it aloud (the participant has no audio).
        #[arg(long)]
        read_aloud: bool,
        #[command(flatten)]
        person: PersonArgs,
        #[command(flatten)]
        connection: Connection,
    },
    /// Add every question of a pasted chat transcript (one "Name: text" per
    /// line; chat times and "From ... to Everyone" are understood) and
    /// report the lines that could not be read or were refused.
    #[command(
        after_help = "Example:\n  floor moderator import chat.txt\n  pbpaste | floor moderator import -"
    )]
    Import {
        /// The transcript file, or - for standard input.
        file: PathBuf,
        /// Add them as comments rather than questions.
        #[arg(long)]
        comments: bool,
        /// You will read them aloud.
        #[arg(long)]
        read_aloud: bool,
        #[command(flatten)]
        connection: Connection,
    },
    /// Accept a participant's own submission into the queue.
    #[command(after_help = "Example:\n  floor moderator approve 3f9c0b12")]
    Approve {
        /// The entry id (or its first characters).
        entry: String,
        #[command(flatten)]
        connection: Connection,
    },
    /// Refuse an entry; the reason is shown to its submitter.
    #[command(after_help = "Example:\n  floor moderator reject 3f9c0b12 --reason \"Off topic\"")]
    Reject {
        /// The entry id (or its first characters).
        entry: String,
        /// Why, up to 200 characters.
        #[arg(long)]
        reason: Option<String>,
        #[command(flatten)]
        connection: Connection,
    },
    /// Fold a duplicate question into the one that stays.
    #[command(after_help = "Example:\n  floor moderator merge 7a1e33c0 --into 3f9c0b12")]
    Merge {
        /// The duplicate entry.
        entry: String,
        /// The entry that stays.
        #[arg(long)]
        into: String,
        #[command(flatten)]
        connection: Connection,
    },
    /// Correct an entry's text or name.
    #[command(
        after_help = "Example:\n  floor moderator edit 3f9c0b12 --text \"How will the fund reach small firms?\""
    )]
    Edit {
        /// The entry id (or its first characters).
        entry: String,
        /// New text.
        #[arg(long)]
        text: Option<String>,
        /// New name.
        #[arg(long)]
        name: Option<String>,
        /// Will be read aloud by you.
        #[arg(long)]
        read_aloud: bool,
        #[command(flatten)]
        connection: Connection,
    },
    /// Take back an online entry.
    #[command(after_help = "Example:\n  floor moderator withdraw 3f9c0b12")]
    Withdraw {
        /// The entry id (or its first characters).
        entry: String,
        #[command(flatten)]
        connection: Connection,
    },
    /// The online entries awaiting approval and in line.
    #[command(after_help = "Example:\n  floor moderator list")]
    List {
        #[command(flatten)]
        connection: Connection,
    },
}

/// Runs a moderator command.
pub(crate) async fn run(command: ModeratorCommand) -> Result<(), Exit> {
    match command {
        ModeratorCommand::Add {
            name,
            text,
            comment,
            read_aloud,
            person,
            connection,
        } => {
            let mut entry = OnlineEntry::new(name);
            if let Some(t) = text {
                entry = entry.text(t);
            }
            if comment {
                entry = entry.comment();
            }
            if read_aloud {
                entry = entry.read_aloud();
            }
            let mut draft = entry.draft();
            person.fill(&mut draft);
            submit(&connection, draft).await?;
        }
        ModeratorCommand::Import {
            file,
            comments,
            read_aloud,
            connection,
        } => {
            let mut transcript = String::new();
            let read = if file.as_os_str() == "-" {
                std::io::stdin().read_to_string(&mut transcript).map(|_| ())
            } else {
                std::fs::read_to_string(&file).map(|text| transcript = text)
            };
            read.map_err(|e| Exit::Usage(format!("cannot read {}: {e}", file.display())))?;
            let client = connection.connect().await?;
            let report = RemoteChannel::new(client.clone())
                .import(
                    &transcript,
                    ImportOptions {
                        comments,
                        read_aloud,
                    },
                )
                .await;
            if connection.json {
                print_json(&report);
            } else {
                println!(
                    "imported {} question(s); {} refused; {} line(s) unreadable",
                    report.imported.len(),
                    report.refused.len(),
                    report.unreadable.len()
                );
                for item in &report.imported {
                    println!(
                        "  line {:>3}  added    {} ({})",
                        item.line,
                        item.name,
                        short(item.entry_id)
                    );
                }
                for item in &report.refused {
                    println!(
                        "  line {:>3}  refused  {}: {} ({})",
                        item.line, item.name, item.message, item.code
                    );
                }
                for item in &report.unreadable {
                    println!(
                        "  line {:>3}  unreadable: {} | {}",
                        item.line, item.reason, item.content
                    );
                }
                if let Some(stopped) = &report.stopped {
                    println!(
                        "  line {:>3}  stopped: {}; it may or may not have been added, later lines were not tried",
                        stopped.line, stopped.reason
                    );
                }
            }
            client.close().await;
            if let Some(stopped) = report.stopped {
                return Err(Exit::from(stopped.error));
            }
            if !report.is_complete() {
                return Err(Exit::Refused(
                    "some lines were not imported (listed above)".into(),
                ));
            }
        }
        ModeratorCommand::Approve { entry, connection } => {
            on_entry(&connection, &entry, "approved", |entry_id| {
                Command::Approve { entry_id }
            })
            .await?;
        }
        ModeratorCommand::Reject {
            entry,
            reason,
            connection,
        } => {
            on_entry(&connection, &entry, "rejected", |entry_id| {
                Command::Reject { entry_id, reason }
            })
            .await?;
        }
        ModeratorCommand::Merge {
            entry,
            into,
            connection,
        } => {
            let client = connection.connect().await?;
            let (id, into) =
                client.with_state(|s| Ok::<_, Exit>((resolve(s, &entry)?, resolve(s, &into)?)))?;
            let ack = RemoteChannel::new(client.clone()).merge(id, into).await?;
            done(&client, connection.json, "merged", id, &ack).await;
        }
        ModeratorCommand::Edit {
            entry,
            text,
            name,
            read_aloud,
            connection,
        } => {
            let patch = EntryPatch {
                text: text.map(Some),
                name,
                delivery: read_aloud.then_some(floor_protocol::Delivery::ReadAloud),
                ..EntryPatch::default()
            };
            edit(
                &connection,
                &entry,
                patch,
                "--text, --name or --read-aloud",
                "edited",
            )
            .await?;
        }
        ModeratorCommand::Withdraw { entry, connection } => {
            on_entry(&connection, &entry, "withdrew", |entry_id| {
                Command::Withdraw { entry_id }
            })
            .await?;
        }
        ModeratorCommand::List { connection } => {
            let client = connection.connect().await?;
            let state = client.state();
            let entries: Vec<_> = state
                .view()
                .entries
                .iter()
                .filter(|e| e.channel == Channel::Online && e.status.is_open())
                .collect();
            if connection.json {
                let rows: Vec<_> = entries
                    .iter()
                    .map(|e| {
                        serde_json::json!({
                            "entry_id": e.id,
                            "name": e.person.name,
                            "text": e.text,
                            "status": e.status,
                            "place": state.place(e.id),
                        })
                    })
                    .collect();
                print_json(&rows);
            } else if entries.is_empty() {
                println!("no online entries open");
            } else {
                for e in entries {
                    println!(
                        "{}  {:<28} {:<14} {}",
                        short(e.id),
                        e.person.name,
                        standing(&state, e.id),
                        e.text.as_deref().unwrap_or("")
                    );
                }
            }
            client.close().await;
        }
    }
    Ok(())
}
