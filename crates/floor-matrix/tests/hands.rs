//! The bridge's state machine against a real room fold (floor-core), with
//! no network: every action it asks for is carried out here by hand, as
//! the bridge's loop would.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use floor_client::RoomState;
use floor_core::{Actor, Ctx, Room, fairness};
use floor_matrix::hands::{Action, EDIT_INTERVAL_MS, Hands, Raise, Refusal};
use floor_protocol::{Channel, ClientKey, Command, Delivery, EntryStatus, Role, Source};
use uuid::Uuid;

/// A floor room and a bridge's hands, with a clock.
struct World {
    room: Room,
    hands: Hands,
    now: u64,
    ids: u128,
    /// Messages posted, as (thread, text, mention).
    posted: Vec<(String, String, Option<String>)>,
    /// Edits, as (target, text).
    edited: Vec<(String, String)>,
}

fn moderator() -> Actor {
    Actor {
        role: Role::Moderator,
        client: ClientKey::new("bridge"),
        channel: None,
    }
}

fn chair() -> Actor {
    Actor {
        role: Role::Chair,
        client: ClientKey::new("chair"),
        channel: None,
    }
}

impl World {
    fn new() -> World {
        World {
            room: Room::new(),
            hands: Hands::new(),
            now: 1_543_233_600_000,
            ids: 0,
            posted: Vec::new(),
            edited: Vec::new(),
        }
    }

    fn state(&self) -> RoomState {
        RoomState::from_snapshot(
            Uuid::nil(),
            self.room.view(),
            fairness::projected_order(&self.room),
        )
    }

    fn run(
        &mut self,
        actor: &Actor,
        request_id: &str,
        command: Command,
    ) -> Result<Option<Uuid>, floor_core::CommandError> {
        self.ids += 1;
        let ctx = Ctx {
            now_ms: self.now,
            new_id: Uuid::from_u128(self.ids),
        };
        let outcome = self.room.execute(actor, request_id, &command, &ctx)?;
        Ok(outcome.receipt.entry_id)
    }

    /// Carries out actions as the bridge's loop does.
    fn carry_out(&mut self, actions: Vec<Action>) {
        let mut queue: std::collections::VecDeque<Action> = actions.into();
        while let Some(action) = queue.pop_front() {
            match action {
                Action::Submit {
                    raised_by,
                    request_id,
                    draft,
                } => {
                    let answer =
                        match self.run(&moderator(), &request_id, Command::Submit { entry: draft })
                        {
                            Ok(id) => Ok(id.unwrap()),
                            Err(floor_core::CommandError::DuplicatePerson { existing }) => {
                                Err(Refusal::Duplicate(existing))
                            }
                            Err(e) => Err(Refusal::Other(e.to_string())),
                        };
                    let state = self.state();
                    queue.extend(self.hands.submitted(self.now, &raised_by, answer, &state));
                }
                Action::Withdraw { request_id, entry } => {
                    let _ = self.run(
                        &moderator(),
                        &request_id,
                        Command::Withdraw { entry_id: entry },
                    );
                }
                Action::Post {
                    txn,
                    thread,
                    text,
                    mention,
                    status_of,
                } => {
                    self.posted.push((thread, text, mention));
                    if let Some(raised_by) = status_of {
                        self.hands.posted(&raised_by, &format!("${txn}"));
                    }
                }
                Action::Edit { target, text, .. } => self.edited.push((target, text)),
            }
        }
    }

    fn raise(&mut self, event: &str, user: &str, question: Option<&str>) {
        let state = self.state();
        let actions = self.hands.raise(
            self.now,
            Raise {
                event_id: event.to_owned(),
                user: user.to_owned(),
                name: user
                    .trim_start_matches('@')
                    .split(':')
                    .next()
                    .unwrap()
                    .to_owned(),
                question: question.map(str::to_owned),
                read_aloud: question.is_some_and(|q| q.contains("read aloud")),
                reaction: false,
                thread: event.to_owned(),
            },
            &state,
        );
        self.carry_out(actions);
    }

    fn chair(&mut self, command: Command) {
        self.ids += 1;
        let id = format!("chair-{}", self.ids);
        self.run(&chair(), &id, command).unwrap();
        self.follow();
    }

    fn follow(&mut self) {
        let state = self.state();
        let actions = self.hands.update(self.now, &state);
        self.carry_out(actions);
    }

    /// What the status message of the hand raised by `event` shows now.
    fn status(&self, event: &str) -> String {
        let target = format!("$st-{event}");
        self.edited
            .iter()
            .rev()
            .find(|(t, _)| *t == target)
            .map(|(_, text)| text.clone())
            .or_else(|| {
                self.posted
                    .iter()
                    .find(|(thread, _, _)| thread == event)
                    .map(|(_, text, _)| text.clone())
            })
            .unwrap_or_default()
    }
}

#[test]
fn a_hand_is_one_relayed_entry_whose_thread_follows_it_to_the_end() {
    let mut w = World::new();
    w.raise(
        "$a1",
        "@amina:x",
        Some("Please read aloud: what about rural access?"),
    );
    let entry = w.room.entries()[0].clone();
    assert_eq!(entry.provenance.source, Some(Source::Matrix));
    assert_eq!(entry.person.person_id.as_deref(), Some("@amina:x"));
    assert_eq!(entry.delivery, Delivery::ReadAloud);
    assert_eq!(entry.channel, Channel::Online);
    assert!(
        w.status("$a1").contains("next in line"),
        "{}",
        w.status("$a1")
    );

    // A second hand: the same request, said so in the new thread.
    w.raise("$a2", "@amina:x", None);
    assert_eq!(w.room.entries().len(), 1);
    assert!(
        w.posted
            .iter()
            .any(|(t, text, _)| t == "$a2" && text.contains("already"))
    );
    // The same event again (a restarted bridge): nothing at all.
    let before = w.posted.len();
    w.raise("$a1", "@amina:x", None);
    assert_eq!(w.posted.len(), before);

    // Someone pinned ahead: she moves to number 2 once the edit interval
    // has passed.
    let jonas = w
        .run(
            &chair(),
            "c-1",
            Command::Submit {
                entry: floor_protocol::EntryDraft {
                    channel: Channel::Onsite,
                    kind: Default::default(),
                    person: floor_protocol::Person::named("Jonas"),
                    text: None,
                    location: None,
                    language: None,
                    delivery: None,
                    gender: None,
                    source: None,
                },
            },
        )
        .unwrap()
        .unwrap();
    w.chair(Command::Pin { entry_id: jonas });
    w.now += EDIT_INTERVAL_MS;
    w.follow();
    assert!(w.status("$a1").contains("number 2"), "{}", w.status("$a1"));

    // Called: a new message mentions her; finished: the thread says so.
    w.chair(Command::next());
    w.chair(Command::next());
    let call = w
        .posted
        .iter()
        .find(|(_, text, _)| text.contains("your turn"))
        .unwrap();
    assert_eq!(call.2.as_deref(), Some("@amina:x"));
    w.chair(Command::finish());
    assert!(
        w.posted
            .iter()
            .any(|(_, text, _)| text.contains("Your turn has ended"))
    );
    assert_eq!(w.room.entries()[0].status, EntryStatus::Done);
    assert!(w.hands.all().iter().all(|h| h.closed));
}

#[test]
fn lowering_withdraws_and_a_flood_is_cut_with_one_warning() {
    let mut w = World::new();
    w.raise("$c1", "@carlos:x", None);
    let state = w.state();
    let actions = w.hands.lower(w.now, "@carlos:x", "$c2", "$c2", &state);
    w.carry_out(actions);
    assert_eq!(w.room.entries()[0].status, EntryStatus::Withdrawn);
    w.follow();
    assert!(w.status("$c1").contains("lowered"));
    // Lowering again: nothing to lower, said so.
    let state = w.state();
    let actions = w.hands.lower(w.now, "@carlos:x", "$c3", "$c3", &state);
    w.carry_out(actions);
    assert!(
        w.posted
            .iter()
            .any(|(_, text, _)| text.contains("no hand up"))
    );
    // Twenty hands at once: the budget is spent, one warning only.
    for i in 0..20 {
        w.raise(&format!("$f{i}"), "@carlos:x", None);
    }
    let warnings = w
        .posted
        .iter()
        .filter(|(_, text, _)| text.starts_with("Too many"))
        .count();
    assert_eq!(warnings, 1);
    let open = w
        .room
        .entries()
        .iter()
        .filter(|e| e.status.is_open())
        .count();
    assert_eq!(open, 1);
}

#[test]
fn a_refused_hand_is_said_so_and_a_duplicate_points_to_the_open_one() {
    let mut w = World::new();
    w.chair(Command::CloseQueue {});
    w.raise("$a1", "@amina:x", None);
    assert!(
        w.status("$a1").contains("could not be raised"),
        "{}",
        w.status("$a1")
    );
    w.chair(Command::OpenQueue {});
    w.raise("$a2", "@amina:x", None);
    assert_eq!(w.room.entries().len(), 1);
    // The bridge forgot its hands (a new state file): floor's rule still
    // makes a second hand the same request.
    w.hands = Hands::new();
    w.raise("$a3", "@amina:x", None);
    assert_eq!(w.room.entries().len(), 1);
    assert!(
        w.posted
            .iter()
            .any(|(t, text, _)| t == "$a3" && text.contains("already"))
    );
}
