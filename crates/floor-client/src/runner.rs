//! [`RoomChannel`]: the onsite mic runner's client. It registers raised
//! hands, shows where to carry the microphone next, and records when the
//! microphone is in the person's hand.

use floor_protocol::{
    Channel, Command, EntryDraft, EntryPatch, EntryStatus, Kind, Person, Region, StakeholderGroup,
};
use serde::Serialize;
use uuid::Uuid;

use crate::client::{Ack, Client};
use crate::error::RequestError;
use crate::state::RoomState;

/// A raised hand in the room.
///
/// ```
/// use floor_client::Hand;
///
/// let hand = Hand::new("Amina Diallo").affiliation("Senegal ICT Ministry").seat("Row 4, aisle");
/// assert_eq!(hand.draft().location.as_deref(), Some("Row 4, aisle"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hand {
    person: Person,
    location: Option<String>,
    text: Option<String>,
    kind: Kind,
    language: Option<String>,
}

impl Hand {
    /// A hand raised by `name`.
    pub fn new(name: impl Into<String>) -> Hand {
        Hand {
            person: Person::named(name),
            location: None,
            text: None,
            kind: Kind::Question,
            language: None,
        }
    }

    /// The person's organisation.
    pub fn affiliation(mut self, affiliation: impl Into<String>) -> Hand {
        self.person.affiliation = Some(affiliation.into());
        self
    }

    /// The person's stakeholder group.
    pub fn stakeholder_group(mut self, group: StakeholderGroup) -> Hand {
        self.person.stakeholder_group = Some(group);
        self
    }

    /// The person's UN regional group.
    pub fn region(mut self, region: Region) -> Hand {
        self.person.region = Some(region);
        self
    }

    /// Where the person sits: a seat, row or zone the runner can walk to.
    pub fn seat(mut self, location: impl Into<String>) -> Hand {
        self.location = Some(location.into());
        self
    }

    /// What they want to ask or say, if they told the runner.
    pub fn text(mut self, text: impl Into<String>) -> Hand {
        self.text = Some(text.into());
        self
    }

    /// A comment rather than a question.
    pub fn comment(mut self) -> Hand {
        self.kind = Kind::Comment;
        self
    }

    /// The BCP 47 tag of the language they will speak.
    pub fn language(mut self, tag: impl Into<String>) -> Hand {
        self.language = Some(tag.into());
        self
    }

    /// The `submit` draft.
    pub fn draft(&self) -> EntryDraft {
        EntryDraft {
            channel: Channel::Onsite,
            kind: self.kind,
            person: self.person.clone(),
            text: self.text.clone(),
            location: self.location.clone(),
            language: self.language.clone(),
            delivery: None,
            gender: None,
            source: None,
        }
    }
}

/// Where the mic runner should go next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OnDeck {
    /// The entry.
    pub entry_id: Uuid,
    /// The person's name.
    pub name: String,
    /// Their organisation.
    pub affiliation: Option<String>,
    /// Their seat or zone.
    pub location: Option<String>,
    /// How many speakers come before them (0: next in line, not called yet).
    pub ahead: usize,
    /// Whether the microphone is already in their hand.
    pub mic_in_hand: bool,
    /// Whether they are already speaking (an onsite speaker without the
    /// microphone comes first).
    pub speaking: bool,
}

impl OnDeck {
    /// Where the runner should carry the microphone, from a room state:
    /// the onsite speaker if they have no microphone yet, else the first
    /// onsite entry of the projected order.
    pub fn of(state: &RoomState) -> Option<OnDeck> {
        if let Some((_, entry)) = state.speaking()
            && entry.channel == Channel::Onsite
            && !entry.mic_in_hand
        {
            return Some(OnDeck::card(entry, 0, true));
        }
        let (ahead, entry) = state.on_deck(Channel::Onsite)?;
        Some(OnDeck::card(entry, ahead, false))
    }

    fn card(entry: &floor_protocol::Entry, ahead: usize, speaking: bool) -> OnDeck {
        OnDeck {
            entry_id: entry.id,
            name: entry.person.name.clone(),
            affiliation: entry.person.affiliation.clone(),
            location: entry.location.clone(),
            ahead,
            mic_in_hand: entry.mic_in_hand,
            speaking,
        }
    }
}

/// The onsite mic runner's client.
///
/// ```no_run
/// # async fn example(client: floor_client::Client) -> Result<(), floor_client::RequestError> {
/// use floor_client::{Hand, RoomChannel};
///
/// let runner = RoomChannel::new(client);
/// runner.raise_hand(Hand::new("Amina Diallo").seat("Row 4")).await?;
/// if let Some(next) = runner.on_deck() {
///     println!("walk to {} ({:?})", next.name, next.location);
///     runner.mic_in_hand(next.entry_id).await?;
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct RoomChannel {
    client: Client,
}

impl RoomChannel {
    /// Wraps a connection opened with the runner's (or the chair's) token.
    pub fn new(client: Client) -> RoomChannel {
        RoomChannel { client }
    }

    /// The connection.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Registers a raised hand; returns the new entry's id.
    pub async fn raise_hand(&self, hand: Hand) -> Result<Uuid, RequestError> {
        self.client.submit(hand.draft()).await
    }

    /// Where to carry the microphone next.
    pub fn on_deck(&self) -> Option<OnDeck> {
        self.client.with_state(OnDeck::of)
    }

    /// The onsite entries still open (waiting or speaking), in projected
    /// order after the speaker.
    pub fn open_entries(&self) -> Vec<floor_protocol::Entry> {
        self.client.with_state(|state| {
            let speaking = state
                .speaking()
                .filter(|(_, e)| e.channel == Channel::Onsite)
                .map(|(_, e)| e.clone());
            speaking
                .into_iter()
                .chain(
                    state
                        .queue()
                        .filter(|(slot, _)| slot.channel == Channel::Onsite)
                        .map(|(_, e)| e.clone()),
                )
                .collect()
        })
    }

    /// Records that the microphone is in the person's hand.
    pub async fn mic_in_hand(&self, entry_id: Uuid) -> Result<Ack, RequestError> {
        self.client.command(Command::MicInHand { entry_id }).await
    }

    /// Takes back an onsite entry (the person lowered their hand or left).
    pub async fn withdraw(&self, entry_id: Uuid) -> Result<Ack, RequestError> {
        self.client.command(Command::Withdraw { entry_id }).await
    }

    /// Corrects an onsite entry (a misheard name, a new seat).
    pub async fn correct(&self, entry_id: Uuid, patch: EntryPatch) -> Result<Ack, RequestError> {
        self.client.command(Command::Edit { entry_id, patch }).await
    }

    /// Whether the entry is still open.
    pub fn is_open(&self, entry_id: Uuid) -> bool {
        self.client.with_state(|s| {
            s.entry(entry_id)
                .is_some_and(|e| e.status != EntryStatus::Done && e.status.is_open())
        })
    }
}
