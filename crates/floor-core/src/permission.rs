//! Which role may do what: the permission table, as data.
//!
//! A command is allowed when some row of [`PERMISSIONS`] names the issuer's
//! role and the command's action, and the row's [`Scope`] covers the target
//! (the entry, or the channel of a new entry). To change who may do what,
//! change the table; nothing else in the core decides it.

#[cfg(doc)]
use floor_protocol::Command;
use floor_protocol::{Channel, ClientKey, Role};

/// What a command does, for permission purposes: its kind, derived from
/// [`Command`] itself (`Action::from(&command)`), so a new command is one
/// new variant there.
pub use floor_protocol::CommandKind as Action;

/// Which targets a permission row covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every entry, and actions on the room as a whole.
    Any,
    /// Entries of one channel.
    Channel(Channel),
    /// New entries on the channel the issuer declared in `hello`.
    DeclaredChannel,
    /// Entries the issuer submitted.
    Own,
}

/// The permission table: (role, action, scope). Display has no rows: it
/// is read-only.
pub const PERMISSIONS: &[(Role, Action, Scope)] = {
    use Action::*;
    use Channel::{Online, Onsite};
    use Role::{Chair, Moderator, Participant, Runner};
    &[
        // The chair may do everything, on every entry.
        (Chair, Submit, Scope::Any),
        (Chair, Edit, Scope::Any),
        (Chair, Approve, Scope::Any),
        (Chair, Reject, Scope::Any),
        (Chair, Merge, Scope::Any),
        (Chair, Withdraw, Scope::Any),
        (Chair, MicInHand, Scope::Any),
        (Chair, Next, Scope::Any),
        (Chair, Call, Scope::Any),
        (Chair, Pin, Scope::Any),
        (Chair, Unpin, Scope::Any),
        (Chair, Finish, Scope::Any),
        (Chair, UndoCall, Scope::Any),
        (Chair, UpdateSettings, Scope::Any),
        (Chair, OpenQueue, Scope::Any),
        (Chair, CloseQueue, Scope::Any),
        (Chair, SetProgramme, Scope::Any),
        (Chair, StartPhase, Scope::Any),
        (Chair, NextPresenter, Scope::Any),
        (Chair, SetRemoteAudience, Scope::Any),
        // The broker records attendance acting as the chair; the broker
        // refuses the command from every client connection.
        (Chair, RecordAttendance, Scope::Any),
        // The online moderator curates online entries.
        (Moderator, Submit, Scope::Channel(Online)),
        (Moderator, Edit, Scope::Channel(Online)),
        (Moderator, Approve, Scope::Channel(Online)),
        (Moderator, Reject, Scope::Channel(Online)),
        (Moderator, Merge, Scope::Channel(Online)),
        (Moderator, Withdraw, Scope::Channel(Online)),
        // ... and counts the remote audience (a room-wide figure).
        (Moderator, SetRemoteAudience, Scope::Any),
        // The onsite mic runner curates onsite entries, and hands out mics.
        (Runner, Submit, Scope::Channel(Onsite)),
        (Runner, Edit, Scope::Channel(Onsite)),
        (Runner, Approve, Scope::Channel(Onsite)),
        (Runner, Reject, Scope::Channel(Onsite)),
        (Runner, Merge, Scope::Channel(Onsite)),
        (Runner, Withdraw, Scope::Channel(Onsite)),
        (Runner, MicInHand, Scope::Channel(Onsite)),
        // A participant submits for themself on their channel.
        (Participant, Submit, Scope::DeclaredChannel),
        // Anyone may withdraw an entry they submitted.
        (Chair, Withdraw, Scope::Own),
        (Moderator, Withdraw, Scope::Own),
        (Runner, Withdraw, Scope::Own),
        (Participant, Withdraw, Scope::Own),
    ]
};

/// What a permission is checked against.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// The channel of the entry (or of the new entry).
    pub channel: Channel,
    /// Who submitted the entry; `None` for a new entry.
    pub submitter: Option<&'a ClientKey>,
}

/// Who is asking.
#[derive(Debug, Clone, Copy)]
pub struct Issuer<'a> {
    /// Their role.
    pub role: Role,
    /// Their client key.
    pub client: &'a ClientKey,
    /// The channel they declared in `hello`.
    pub channel: Option<Channel>,
}

/// Whether the role has any row for the action.
pub fn role_may(role: Role, action: Action) -> bool {
    PERMISSIONS
        .iter()
        .any(|&(r, a, _)| r == role && a == action)
}

/// Whether the action is allowed on the room as a whole (no entry).
pub fn allowed_on_room(role: Role, action: Action) -> bool {
    PERMISSIONS
        .iter()
        .any(|&(r, a, scope)| r == role && a == action && scope == Scope::Any)
}

/// Whether the issuer may perform the action on the target.
pub fn allowed(issuer: Issuer<'_>, action: Action, target: Target<'_>) -> bool {
    PERMISSIONS.iter().any(|&(role, a, scope)| {
        role == issuer.role
            && a == action
            && match scope {
                Scope::Any => true,
                Scope::Channel(channel) => channel == target.channel,
                Scope::DeclaredChannel => {
                    target.submitter.is_none() && issuer.channel == Some(target.channel)
                }
                Scope::Own => target.submitter == Some(issuer.client),
            }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_read_only() {
        for action in Action::all() {
            assert!(!role_may(Role::Display, action), "{action:?}");
        }
    }

    #[test]
    fn only_the_chair_runs_the_room() {
        for action in [
            Action::Next,
            Action::Call,
            Action::Pin,
            Action::Unpin,
            Action::Finish,
            Action::UndoCall,
            Action::UpdateSettings,
            Action::OpenQueue,
            Action::CloseQueue,
        ] {
            for role in Role::ALL {
                assert_eq!(
                    role_may(role, action),
                    role == Role::Chair,
                    "{role:?} {action:?}"
                );
            }
        }
    }

    #[test]
    fn curators_stay_on_their_channel() {
        let me = ClientKey::new("me");
        let other = ClientKey::new("other");
        let issuer = |role| Issuer {
            role,
            client: &me,
            channel: None,
        };
        let entry = |channel| Target {
            channel,
            submitter: Some(&other),
        };
        assert!(allowed(
            issuer(Role::Moderator),
            Action::Edit,
            entry(Channel::Online)
        ));
        assert!(!allowed(
            issuer(Role::Moderator),
            Action::Edit,
            entry(Channel::Onsite)
        ));
        assert!(allowed(
            issuer(Role::Runner),
            Action::Reject,
            entry(Channel::Onsite)
        ));
        assert!(!allowed(
            issuer(Role::Runner),
            Action::Reject,
            entry(Channel::Online)
        ));
    }

    #[test]
    fn participants_withdraw_only_their_own() {
        let me = ClientKey::new("me");
        let other = ClientKey::new("other");
        let issuer = Issuer {
            role: Role::Participant,
            client: &me,
            channel: Some(Channel::Online),
        };
        let mine = Target {
            channel: Channel::Online,
            submitter: Some(&me),
        };
        let theirs = Target {
            channel: Channel::Online,
            submitter: Some(&other),
        };
        assert!(allowed(issuer, Action::Withdraw, mine));
        assert!(!allowed(issuer, Action::Withdraw, theirs));
        let new_online = Target {
            channel: Channel::Online,
            submitter: None,
        };
        let new_onsite = Target {
            channel: Channel::Onsite,
            submitter: None,
        };
        assert!(allowed(issuer, Action::Submit, new_online));
        assert!(!allowed(issuer, Action::Submit, new_onsite));
    }
}
